#!/bin/sh
# hugetlb pools through `numasim run` (os/hugetlb.c): a boot-time pool from
# -p os.nr_hugepages, MAP_HUGETLB mmaps (flags 0x40022 = MAP_PRIVATE |
# MAP_ANONYMOUS | MAP_HUGETLB) that reserve from it, faults drawing from the
# local node's pool, ENOMEM when the pool is too small, and the
# meminfo-hugetlb / numa_maps views and the report's "hugetlb" section.
TAP_TMP=hugetlb; . "$(dirname "$0")/tap.sh"

need_numasim
echo "1..7"

# three huge pages mapped, two written from CPU 0 (node 0)
cat > "$T/a.txt" <<'TR'
mmap addr=0x40000000 len=0x600000 prot=3 flags=0x40022 fd=-1 offset=0
W 40000000 8
W 40200000 8
TR
"$N" run -q --machine tiny -p 'os.nr_hugepages=[4,4]' --trace "$T/a.txt@0" -d meminfo-hugetlb,numa_maps \
    --report "$T/a.json" >"$T/a.out" 2>"$T/a.err"
rc=$?
cp "$T/a.out" "$T/out"; cat "$T/a.err" >>"$T/out"
expect "run with a hugetlb pool succeeds" '[ $rc -eq 0 ]'
printf '%s\n' '==> meminfo-hugetlb <==' 'HugePages_Total:       8' 'HugePages_Free:        6' \
    'HugePages_Rsvd:        1' 'HugePages_Surp:        0' 'Hugepagesize:       2048 kB' \
    'Hugetlb:           16384 kB' > "$T/want"
expect "meminfo-hugetlb: 8 pages, 2 faulted, 1 still reserved" 'head -n 7 "$T/a.out" | cmp - "$T/want"'
expect "numa_maps marks the mapping huge, 2 pages on node 0, 2048 kB pages" \
    'grep -qxF "40000000 default file=/anon_hugepage\\040(deleted) huge anon=2 dirty=2 N0=2 kernelpagesize_kB=2048" "$T/a.out"'
expect "report has the hugetlb section" 'grep -A5 "\"hugetlb\"" "$T/a.json" | grep -q "\"HugePages_Free\": 6"'

# the same trace on CPU 2 (node 1) draws from node 1's pool
"$N" run -q --machine tiny -p 'os.nr_hugepages=[4,4]' --trace "$T/a.txt@2" -d numa_maps >"$T/out" 2>&1
expect "faults from node 1 take node 1's pages" 'grep -q " huge anon=2 dirty=2 N1=2 kernelpagesize_kB=2048" "$T/out"'

# nine huge pages cannot be reserved from a pool of eight: mmap fails with ENOMEM, nothing reserved
printf 'mmap addr=0x40000000 len=0x1200000 prot=3 flags=0x40022 fd=-1 offset=0\n' > "$T/b.txt"
"$N" run -q --machine tiny -p 'os.nr_hugepages=[4,4]' --trace "$T/b.txt@0" -d meminfo-hugetlb >"$T/out" 2>&1
expect "a mapping larger than the pool fails with ENOMEM" \
    'grep -q "ENOMEM: MAP_HUGETLB of 9 huge pages cannot be reserved" "$T/out" && grep -qx "HugePages_Rsvd:        0" "$T/out"'

# without a pool (the default) MAP_HUGETLB fails like Linux with nr_hugepages=0
"$N" run -q --machine tiny --trace "$T/a.txt@0" >"$T/out" 2>&1
expect "no pool: MAP_HUGETLB fails with ENOMEM" 'grep -q "HugePages_Free 0 - HugePages_Rsvd 0 = 0 available" "$T/out"'
exit $failed
