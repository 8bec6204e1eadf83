#!/bin/sh
# The timing core end to end (docs/engine.md): results that do not depend on
# an engine setting, threads that never wait for each other's compute, and
# memory-level parallelism of one out-of-order core.
BUILD=${1:-build}
N=${NUMASIM:-$BUILD/numasim}
T=$(mktemp -d "${TMPDIR:-/tmp}/numasim-engine.XXXXXX")
trap 'rm -rf "$T"' EXIT
n=0; failed=0
ok()   { n=$((n + 1)); echo "ok $n - $1"; }
nok()  { n=$((n + 1)); echo "not ok $n - $1"; failed=1; [ -f "$T/out" ] && sed 's/^/#   /' "$T/out" | head -n 20; }
check() { name=$1; shift; if "$@" >"$T/out" 2>&1; then ok "$name"; else nok "$name"; fi; }
# expect NAME 'awk program over "a b c" given on stdin' -- passes when awk exits 0
expect() { name=$1; prog=$2; shift 2; if echo "$*" | awk "$prog" >"$T/out" 2>&1; then ok "$name"; else echo "# values: $*" >>"$T/out"; nok "$name"; fi; }
# first number after "KEY": in a report (the summary comes before per-CPU blocks)
num() { sed -n "s/.*\"$2\": \([0-9.e+-]*\).*/\1/p" "$1" | head -n 1; }
# the first element of thread_end_ns of the K-th trace (1-based)
thread_end() { awk -v k="$2" '/"thread_end_ns"/ { c++; if (c == k) { getline; gsub(/[ ,]/, ""); print; exit } }' "$1"; }

if [ ! -x "$N" ]; then echo "1..0 # skip numasim not built"; exit 0; fi

# 1. lookahead is not a model parameter: 56 threads sharing 256 MiB on skx-2s,
#    replayed with the knob at 10 ns, 500 ns and 5 us, give the same report
#    (but for the line that echoes the override).
check "generate 56 threads sharing 256 MiB" $N trace gen --pattern shared --use uniform --size 256M --threads 56 \
    --cpus 0-55 --accesses 4K --seed 1 -o "$T/u56.nst"
for la in 10 500 5000; do
    check "replay with cpu.lookahead=$la" $N run -q --machine skx-2s -p cpu.lookahead=$la --trace "$T/u56.nst" --report "$T/la$la.json"
    grep -v lookahead "$T/la$la.json" > "$T/la$la.cmp"
done
check "lookahead 10 ns and 5 us give byte-identical reports" cmp "$T/la10.cmp" "$T/la5000.cmp"
check "lookahead 500 ns gives the same report too" cmp "$T/la10.cmp" "$T/la500.cmp"

# 2. an idle thread of another process does not hold anyone back: process A
#    first-touches 64 MiB from CPU 0; B, on CPU 28, computes for 1 s and loads once.
check "generate A (first touch of 64 MiB)" $N trace gen --pattern hog --size 64M --threads 1 --cpus 0 --seed 1 -o "$T/a.nst"
printf 'mark id=1 +2500000000\nR 0x10000000 8\n' > "$T/b.txt"
check "A alone" $N run -q --machine skx-2s --trace "$T/a.nst@0" --report "$T/alone.json"
check "A beside B's second of compute" $N run -q --machine skx-2s --trace "$T/a.nst@0" --trace "text:$T/b.txt@28" --report "$T/both.json"
a1=$(thread_end "$T/alone.json" 1)
a2=$(thread_end "$T/both.json" 1)
b2=$(thread_end "$T/both.json" 2)
mx=$(num "$T/both.json" max_ns)
# (B's page tables take a page of node 0, so A's frames, hence its DDR banks, differ slightly)
expect "A ends when it ends alone ($a1 ns, within 0.5%), B after its second" \
    '{ d = $2 - $1; if (d < 0) d = -d; exit !(d <= 0.005 * $1 && $3 >= 1e9) }' "$a1 $a2 $b2"
expect "no access of A waited for B (max latency under 2 us)" '{ exit !($1 < 2000) }' "$mx"

# 3. memory-level parallelism: one core streaming reads over 128 MiB of local
#    memory.  The time difference between 1.5M and 0.5M lines is the stream
#    alone (first touch and warm-up cancel out).
for a in 512K 1536K; do
    check "generate a 1-thread stream of $a lines" $N trace gen --pattern shared --use stream --size 128M --threads 1 \
        --cpus 0 --accesses $a --seed 1 -o "$T/s$a.nst"
    check "replay it on skx-2s" $N run -q --machine skx-2s --trace "$T/s$a.nst" --report "$T/s$a.json"
done
t1=$(num "$T/s512K.json" sim_time_ns)
t2=$(num "$T/s1536K.json" sim_time_ns)
expect "one Skylake-SP core streams at least 6 GB/s (in-order replay gave 0.8)" \
    '{ bw = 1048576 * 64 / ($2 - $1); print bw " GB/s"; exit !(bw >= 6 && bw <= 13) }' "$t1 $t2"
for a in 512K 1536K; do
    check "replay the $a stream one access at a time" $N run -q --machine skx-2s -p cpu.model=inorder --trace "$T/s$a.nst" --report "$T/i$a.json"
done
t3=$(num "$T/i512K.json" sim_time_ns)
t4=$(num "$T/i1536K.json" sim_time_ns)
expect "in order, the stream is latency bound: under 1 GB/s, and out of order is 5x faster" \
    '{ bi = 1048576 * 64 / ($4 - $3); bo = 1048576 * 64 / ($2 - $1); print bi, bo; exit !(bi < 1 && bo >= 5 * bi) }' "$t1 $t2 $t3 $t4"

# 4. a dependent pointer chase (trace gen flags every chase load TREC_DEP) still
#    pays the DRAM latency on every hop: no overlap however many fill buffers.
for a in 100K 300K; do
    check "generate a $a-hop chase over 128 MiB" $N trace gen --pattern chase --size 128M --threads 1 --cpus 0 \
        --accesses $a --seed 1 -o "$T/c$a.nst"
    check "replay it on skx-2s" $N run -q --machine skx-2s --trace "$T/c$a.nst" --report "$T/c$a.json"
done
c1=$(num "$T/c100K.json" sim_time_ns)
c2=$(num "$T/c300K.json" sim_time_ns)
dl=$(num "$T/c300K.json" dependent_loads)
expect "every chase load is dependent" '{ exit !($1 >= 300000) }' "$dl"
expect "a hop costs at least the 81.4 ns idle DRAM latency (and under 150 ns)" \
    '{ hop = ($2 - $1) / 204800; print hop " ns per hop"; exit !(hop >= 81.4 && hop < 150) }' "$c1 $c2"

# 5. GUPS: random read-modify-writes over 1 GiB of 4 KiB pages.  Every access
#    misses the STLB; with the data misses overlapping, the two page walkers
#    are the bottleneck and a walk is in progress most of the time (the
#    in-order replay put walks at 45% of access time).
for a in 200K 600K; do
    check "generate GUPS with $a updates over 1 GiB" $N trace gen --pattern gups --size 1G --threads 1 --cpus 0 \
        --accesses $a --seed 1 -o "$T/g$a.nst"
    check "replay it on skx-2s" $N run -q --machine skx-2s --trace "$T/g$a.nst" --report "$T/g$a.json"
done
g1=$(num "$T/g200K.json" sim_time_ns); w1=$(num "$T/g200K.json" walk_active_ns)
g2=$(num "$T/g600K.json" sim_time_ns); w2=$(num "$T/g600K.json" walk_active_ns)
expect "GUPS: page walks in progress over 80% of the update phase" \
    '{ share = ($4 - $3) / ($2 - $1); print share; exit !(share > 0.8 && share <= 1) }' "$g1 $g2 $w1 $w2"

echo "1..$n"
exit $failed
