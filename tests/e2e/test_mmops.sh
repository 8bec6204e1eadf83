#!/bin/sh
# End-to-end scenarios of mlock, mremap and stack growth (docs/os-mm.md "mlock and the
# unevictable LRU", "mremap", "Stack growth"), through `numasim run` on the 2-node x 64 MiB
# tiny-swap256 machine, with text traces carrying the control records.
TAP_TMP=mmops; . "$(dirname "$0")/tap.sh"
D=$(dirname "$0")
M=$D/machines
# value of "key": in the processes[] entry of pid 1 (the first --trace)
p1() { awk -v k="\"$2\":" '/"processes"/{p=1} p&&/"pid": 1,/{q=1} q&&index($0,k){gsub(/[ ,]/,"");split($0,a,":");print a[2];exit}' "$1"; }
jmax() { sed -n "s/.*\"$2\": \([0-9][0-9]*\).*/\1/p" "$1" | sort -n | tail -n 1; }

need_numasim

# ---- mlock: a 4 MiB buffer written, left idle while a BIND hog fills node 0, read again ----
hot() {   # $1: extra control line after the mmap (or nothing)
	echo "mmap addr=0x7f0000000000 len=0x400000 prot=3 flags=0x32 fd=-1 offset=0"
	[ -n "$1" ] && echo "$1"
	i=0; while [ $i -lt 1024 ]; do printf 'W %x 8\n' $((0x7f0000000000 + i * 4096)); i=$((i + 1)); done
	i=0; while [ $i -lt 2000 ]; do echo "R 7f0000000000 8 +4000000000"; i=$((i + 1)); done
	i=0; while [ $i -lt 1024 ]; do printf 'R %x 8\n' $((0x7f0000000000 + i * 4096)); i=$((i + 1)); done
}
hot "" > "$T/hot.txt"
hot "mlock addr=0x7f0000000000 len=0x400000 flags=0" > "$T/hotl.txt"
check "generate a BIND hog" $N trace gen --pattern hog --size 96M --accesses 50000 --mbind bind:0 -o "$T/hog.nst"
check "idle buffer without mlock" $N run -q --machine "$M/tiny-swap256.json" --trace "$T/hot.txt@0" --trace "$T/hog.nst@1" --report "$T/nolock.json"
check "idle buffer with mlock" $N run -q --machine "$M/tiny-swap256.json" --trace "$T/hotl.txt@0" --trace "$T/hog.nst@1" --report "$T/lock.json"
expect "without mlock the buffer was swapped out: major faults on the second read" '[ "$(p1 $T/nolock.json major_faults)" -gt 500 ]'
expect "with mlock no major fault in the locked process" '[ "$(p1 $T/lock.json major_faults)" -eq 0 ]'
expect "nr_mlock, nr_unevictable, unevictable_pgs_mlocked/culled count 1024 pages" '[ "$(jmax $T/lock.json nr_mlock)" -eq 1024 ] && [ "$(jmax $T/lock.json nr_unevictable)" -eq 1024 ] && [ "$(jmax $T/lock.json unevictable_pgs_mlocked)" -eq 1024 ] && [ "$(jmax $T/lock.json unevictable_pgs_culled)" -eq 1024 ]'
expect "no mlock: the unevictable counters stay 0" '[ "$(jmax $T/nolock.json unevictable_pgs_mlocked)" -eq 0 ] && [ "$(jmax $T/nolock.json nr_mlock)" -eq 0 ]'

# ---- mremap: a buffer written under bind:1 grows by moving; the moved half stays on node 1 ----
{
	echo "set_mempolicy mode=bind nodemask=1"
	echo "mmap addr=0x7f0000000000 len=0x400000 prot=3 flags=0x32 fd=-1 offset=0"
	echo "mmap addr=0x7f0000400000 len=0x1000 prot=3 flags=0x32 fd=-1 offset=0"
	i=0; while [ $i -lt 1024 ]; do printf 'W %x 8\n' $((0x7f0000000000 + i * 4096)); i=$((i + 1)); done
	echo "set_mempolicy mode=default nodemask=0x0"
	echo "mremap old_addr=0x7f0000000000 old_len=0x400000 new_len=0x800000 flags=3 new_addr=0x7f1000000000"
	for p in 1 2 3; do i=0; while [ $i -lt 2048 ]; do printf 'W %x 8\n' $((0x7f1000000000 + i * 4096)); i=$((i + 1)); done; done
} > "$T/mv.txt"
check "mremap MAYMOVE|FIXED of a node-1 buffer replays" sh -c "$N run -q --machine $M/tiny-swap256.json --trace $T/mv.txt@0 --report $T/mv.json --dump numa_maps > $T/mv.maps 2>$T/mv.err && ! grep -q . $T/mv.err"
check "the moved VMA: the old half stays on node 1, the new half on node 0 (numa_maps)" grep -q "^7f1000000000 default anon=2048 dirty=2048 active=0 N0=1024 N1=1024 kernelpagesize_kB=4" "$T/mv.maps"
check "the old range is gone" sh -c "! grep -q '^7f0000000000' $T/mv.maps"

# ---- stack growth: a thread on node 1 pushes 1 MiB onto a 132 KiB growsdown stack ----
{
	echo "thread_cpu cpu=2"
	echo "mmap addr=0x7ffffffde000 len=0x21000 prot=3 flags=0x132 fd=-1 offset=0"
	echo "explicit_maps"
	i=1; while [ $i -le 256 ]; do printf 'W %x 8\n' $((0x7ffffffff000 - i * 4096)); i=$((i + 1)); done
} > "$T/st.txt"
check "a 1 MiB stack grows under the default RLIMIT_STACK (8 MiB)" sh -c "$N run -q --machine $M/tiny-swap256.json --trace $T/st.txt --report $T/st.json --dump numa_maps > $T/st.maps"
check "numa_maps: one stack VMA of 256 pages, all on the thread's node 1" grep -q "^7fffffeff000 default stack anon=256 dirty=256 active=0 N1=256 kernelpagesize_kB=4" "$T/st.maps"
check "-p os.stack_limit=512K: growth stops at 512 KiB, the deeper writes are SIGSEGV" sh -c "! $N run -q --machine $M/tiny-swap256.json --trace $T/st.txt -p os.stack_limit=512K > /dev/null 2> $T/st.err && grep -q '128 accesses outside any mapping.*at 0x7ffffff7e000' $T/st.err"

# ---- hugetlb surplus: 4 huge pages mapped from CPU 2 (node 1) with a 2-page pool on node 0 ----
{
	echo "mmap addr=0x7f0000000000 len=0x800000 prot=3 flags=0x40032 fd=-1 offset=0"
	for i in 0 1 2 3; do printf 'W %x 8\n' $((0x7f0000000000 + i * 0x200000)); done
} > "$T/ht.txt"
check "without overcommit the MAP_HUGETLB mmap is ENOMEM" sh -c "$N run -q --machine $M/tiny-swap256.json --trace $T/ht.txt@2 -p 'os.nr_hugepages=[2]' 2>&1 | grep -q 'ENOMEM: MAP_HUGETLB of 4 huge pages cannot be reserved.*(2 MiB pages'"
check "nr_overcommit_hugepages=2: mapped, two surplus pages" sh -c "$N run -q --machine $M/tiny-swap256.json --trace $T/ht.txt@2 -p 'os.nr_hugepages=[2]' -p os.nr_overcommit_hugepages=2 --dump numa_maps,meminfo-hugetlb > $T/ht.out 2>&1 && grep -q '^HugePages_Total:       4' $T/ht.out && grep -q '^HugePages_Surp:        2' $T/ht.out"
check "surplus pages on the mapping CPU's node 1, pool pages on node 0 (numa_maps N0=2 N1=2)" grep -q "huge anon=4 dirty=4 N0=2 N1=2 kernelpagesize_kB=2048" "$T/ht.out"

# ---- 1 GiB hugetlb pages: 30000 random writes over 1 GiB with 4 KiB, 2 MiB and 1 GiB pages (skx-2s) ----
gig() {   # $1: mmap flags
	echo "mmap addr=0x7f0000000000 len=0x40000000 prot=3 flags=$1 fd=-1 offset=0"
	awk 'BEGIN { x = 12345; for (i = 0; i < 30000; i++) { x = (x * 1103515245 + 12345) % 2147483648;
		printf "W 7f00%08x 8\n", int(x / 8192) * 4096 + (i % 64) * 64 } }'
}
gig 0x32 > "$T/g4k.txt"; gig 0x40032 > "$T/g2m.txt"; gig 0x78040032 > "$T/g1g.txt"
check "1 GiB: MAP_HUGE_1GB from a boot pool of one 1 GiB page (os.nr_hugepages_1g)" sh -c "$N run -q --machine skx-2s --trace $T/g1g.txt@0 -p 'os.nr_hugepages_1g=[1]' --report $T/g1g.json --dump numa_maps,meminfo-hugetlb > $T/g1g.out && grep -q 'huge anon=1 dirty=1 N0=1 kernelpagesize_kB=1048576' $T/g1g.out && grep -q '^Hugetlb:         1048576 kB' $T/g1g.out"
check "2 MiB: the same with 512 pages" $N run -q --machine skx-2s --trace "$T/g2m.txt@0" -p 'os.nr_hugepages=[512]' --report "$T/g2m.json"
check "4 KiB: the same with base pages" $N run -q --machine skx-2s --trace "$T/g4k.txt@0" --report "$T/g4k.json"
expect "page walks: 1 GiB < 2 MiB < 4 KiB ($(jmax $T/g1g.json walks) / $(jmax $T/g2m.json walks) / $(jmax $T/g4k.json walks))" '[ "$(jmax $T/g1g.json walks)" -lt "$(jmax $T/g2m.json walks)" ] && [ "$(jmax $T/g2m.json walks)" -lt "$(jmax $T/g4k.json walks)" ]'
check "without a 1 GiB pool MAP_HUGE_1GB is ENOMEM" sh -c "$N run -q --machine skx-2s --trace $T/g1g.txt@0 --allow-segv 2>&1 | grep -q 'ENOMEM: MAP_HUGETLB of 1 huge pages cannot be reserved.*(1 GiB pages'"

done_testing
