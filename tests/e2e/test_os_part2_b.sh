#!/bin/sh
# Scenario tests of migration, compaction, NUMA balancing and THP through
# `numasim run` (os/migrate.c, os/compaction.c, os/numa_balancing.c,
# os/thp.c): each scenario runs twice, mechanism off and on, and compares
# the counters of the JSON report.
TAP_TMP=os2b; . "$(dirname "$0")/tap.sh"
M=$(dirname "$0")/machines/tiny-migrate.json
num() { # file key -> first value of "key": in the file
    sed -n "s/.*\"$2\": \([0-9.e+-]*\).*/\1/p" "$1" | head -n 1
}
stlb_misses() { # file -> misses of CPU 0's STLB
    awk '/"stlb": \{/ { s = 1; next } s && /"lookups":/ { l = 1 } s && !l { s = 0 }
         l && /"misses":/ { gsub(/[^0-9]/, "", $2); print $2; exit }' "$1"
}
run() { # report, trace, options...
    rep=$1; tr=$2; shift 2
    "$N" run --machine "$M" --trace "$tr@0" --report "$rep" -q "$@" >"$T/out" 2>&1
}

need_numasim
echo "1..9"

# ---- fragmentation: 60.25 MiB of node 0 mapped, every 4th page released, then one THP fault
{
    echo "set_mempolicy mode=bind nodes=0"
    echo "mmap addr=0x40000000 len=0x3c40000 prot=3 flags=0x32 fd=-1 offset=0"
    echo "madvise addr=0x40000000 len=0x3c40000 advice=15"     # MADV_NOHUGEPAGE: 4 KiB pages
    echo "madvise addr=0x40000000 len=0x3c40000 advice=23"     # MADV_POPULATE_WRITE
    i=1
    while [ $i -lt 15424 ]; do
        printf 'madvise addr=0x%x len=0x1000 advice=4\n' $((0x40000000 + i * 4096))
        i=$((i + 4))
    done
    echo "mmap addr=0x80000000 len=0x200000 prot=3 flags=0x32 fd=-1 offset=0"
    echo "W 80000000 8"
} > "$T/frag.txt"
THP="-p os.thp=always -p os.thp_defrag=always -p os.numa_balancing=0"
run "$T/f0.json" "$T/frag.txt" $THP -p os.compaction=0
r0=$?
run "$T/f1.json" "$T/frag.txt" $THP -p os.compaction=1
r1=$?
if [ $r0 -eq 0 ] && [ "$(num "$T/f0.json" thp_fault_fallback)" = 1 ] && [ "$(num "$T/f0.json" thp_fault_alloc)" = 0 ] &&
   [ "$(num "$T/f0.json" compact_stall)" = 0 ]; then ok "fragmented node: the huge page fails without compaction"; else nok "fragmented node: the huge page fails without compaction"; fi
if [ $r1 -eq 0 ] && [ "$(num "$T/f1.json" thp_fault_alloc)" = 1 ] && [ "$(num "$T/f1.json" compact_success)" -gt 0 ]; then
    ok "fragmented node: compaction makes the huge page (compact_success > 0)"; else nok "fragmented node: compaction makes the huge page (compact_success > 0)"; fi
if [ "$(num "$T/f1.json" pgmigrate_success)" -gt 0 ] && [ "$(num "$T/f1.json" compaction)" -gt 0 ] &&
   [ "$(num "$T/f1.json" compact_migrate_scanned)" -gt 0 ] && [ "$(num "$T/f1.json" compact_free_scanned)" -gt 0 ]; then
    ok "compaction migrated pages and counted its scanners"; else nok "compaction migrated pages and counted its scanners"; fi

# ---- NUMA balancing: data first touched on node 1, then read from CPU 0 for ~20 ms
{
    echo "thread_cpu cpu=2"
    echo "mmap addr=0x40000000 len=0x100000 prot=3 flags=0x32 fd=-1 offset=0"
    i=0
    while [ $i -lt 256 ]; do printf 'W %x 8\n' $((0x40000000 + i * 4096)); i=$((i + 1)); done
    echo "thread_cpu cpu=0"
    r=0
    while [ $r -lt 80 ]; do
        i=0
        while [ $i -lt 256 ]; do printf 'R %x 8 +2000\n' $((0x40000000 + i * 4096 + (r % 64) * 64)); i=$((i + 1)); done
        r=$((r + 1))
    done
} > "$T/nb.txt"
run "$T/n0.json" "$T/nb.txt" -p os.numa_balancing=0
r0=$?
run "$T/n1.json" "$T/nb.txt"
r1=$?
if [ $r0 -eq 0 ] && [ $r1 -eq 0 ] && [ "$(num "$T/n0.json" numa_pages_migrated)" = 0 ] &&
   [ "$(num "$T/n1.json" numa_pages_migrated)" -gt 0 ] && [ "$(num "$T/n1.json" numa_hint_faults)" -gt 0 ] &&
   [ "$(num "$T/n1.json" numa_pte_updates)" -gt 0 ]; then
    ok "NUMA balancing migrates the remote pages (numa_pages_migrated > 0)"; else nok "NUMA balancing migrates the remote pages (numa_pages_migrated > 0)"; fi
rr0=$(num "$T/n0.json" remote_ratio); rr1=$(num "$T/n1.json" remote_ratio)
if [ -n "$rr0" ] && [ -n "$rr1" ] && awk "BEGIN { exit !($rr0 > 0.9 && $rr1 < 0.2) }"; then
    ok "NUMA balancing cuts the remote-access ratio ($rr0 -> $rr1)"; else nok "NUMA balancing cuts the remote-access ratio ($rr0 -> $rr1)"; fi
# over time: the first half of the run is more remote than the second (run half the trace)
head -n 10500 "$T/nb.txt" > "$T/nbh.txt"
run "$T/nh.json" "$T/nbh.txt"
rh=$(num "$T/nh.json" remote_ratio)
if [ -n "$rh" ] && awk "BEGIN { exit !($rh > $rr1) }"; then
    ok "the remote ratio falls over time ($rh in the first half, $rr1 overall)"; else nok "the remote ratio falls over time ($rh in the first half, $rr1 overall)"; fi

# ---- THP on / off: 8 MiB written with a 4 KiB stride, four rounds
{
    echo "mmap addr=0x40000000 len=0x800000 prot=3 flags=0x32 fd=-1 offset=0"
    r=0
    while [ $r -lt 4 ]; do
        i=0
        while [ $i -lt 2048 ]; do printf 'W %x 8\n' $((0x40000000 + i * 4096 + r * 64)); i=$((i + 1)); done
        r=$((r + 1))
    done
} > "$T/thp.txt"
run "$T/t0.json" "$T/thp.txt" -p os.thp=never -p os.numa_balancing=0
run "$T/t1.json" "$T/thp.txt" -p os.thp=always -p os.numa_balancing=0
if [ "$(num "$T/t1.json" thp_fault_alloc)" = 4 ] && [ "$(num "$T/t0.json" thp_fault_alloc)" = 0 ]; then
    ok "THP always maps the 8 MiB with 4 huge pages"; else nok "THP always maps the 8 MiB with 4 huge pages"; fi
s0=$(stlb_misses "$T/t0.json"); s1=$(stlb_misses "$T/t1.json")
if [ -n "$s0" ] && [ -n "$s1" ] && [ "$s1" -lt "$s0" ]; then
    ok "THP cuts STLB misses ($s0 -> $s1)"; else nok "THP cuts STLB misses ($s0 -> $s1)"; fi
w0=$(num "$T/t0.json" walk_loads); w1=$(num "$T/t1.json" walk_loads)
if [ -n "$w0" ] && [ -n "$w1" ] && [ "$w1" -lt "$w0" ]; then
    ok "THP cuts page-walk loads ($w0 -> $w1)"; else nok "THP cuts page-walk loads ($w0 -> $w1)"; fi
