#!/bin/sh
# The timing core end to end (docs/engine.md): results that do not depend on
# an engine setting, threads that never wait for each other's compute, and
# memory-level parallelism of one out-of-order core.
TAP_TMP=engine; . "$(dirname "$0")/tap.sh"
# expect_values NAME 'awk program' VALUES... -- ok when awk exits 0 reading the values as one
# line "a b c" (tap.sh's expect evaluates shell text; this one runs awk over numbers and shows them on failure)
expect_values() { name=$1; prog=$2; shift 2; if echo "$*" | awk "$prog" >"$T/out" 2>&1; then ok "$name"; else echo "# values: $*" >>"$T/out"; nok "$name"; fi; }
# first number after "KEY": in a report (the summary comes before per-CPU blocks)
num() { sed -n "s/.*\"$2\": \([0-9.e+-]*\).*/\1/p" "$1" | head -n 1; }
# the first element of thread_end_ns of the K-th trace (1-based)
thread_end() { awk -v k="$2" '/"thread_end_ns"/ { c++; if (c == k) { getline; gsub(/[ ,]/, ""); print; exit } }' "$1"; }

need_numasim

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

# 1b. nor is the reader's batch size (NUMASIM_TRACE_BATCH, a test hook): a
#     text trace whose threads 1-3 appear without clone records (they start
#     when the thread of the record before their first one gets there), and a
#     generated trace whose threads are cloned, replay identically with
#     batches of 1, 7 and 4096 records.
awk 'BEGIN { x = 12345
    for (i = 0; i < 20000; i++) {
        x = (x * 1103515245 + 12345) % 2147483648; t = (i < 300) ? 0 : x % 4
        x = (x * 1103515245 + 12345) % 2147483648; a = 268435456 + (x % 8388608) * 8
        printf "T%d %s 0x%x 8 +%d\n", t, (x % 10 < 7) ? "W" : "R", a, x % 17 } }' > "$T/unann.txt"
# thread 2 first appears right after thread 1's exit record: it starts when thread 1 ends
awk 'BEGIN { x = 777
    for (i = 0; i < 6000; i++) {
        x = (x * 1103515245 + 12345) % 2147483648
        t = (i < 100) ? 0 : (i < 3000) ? x % 2 : (i == 3000) ? 2 : 2 * (x % 2)
        if (i == 3000) print "T1 exit status=0"
        printf "T%d W 0x%x 8 +%d\n", t, 268435456 + (x % 1048576) * 64, x % 13 } }' > "$T/exit.txt"
# thread 1 has records after its exit (ignored), then thread 2 appears: it starts when thread 1
# ends, however far the reader had read when thread 1 exited
awk 'BEGIN { x = 777
    for (i = 0; i < 6000; i++) {
        x = (x * 1103515245 + 12345) % 2147483648
        t = (i < 100) ? 0 : (i < 3000) ? x % 2 : (i < 3005) ? 1 : (i == 3005) ? 2 : 2 * (x % 2)
        if (i == 3000) print "T1 exit status=0"
        printf "T%d W 0x%x 8 +%d\n", t, 268435456 + (x % 1048576) * 64, x % 13 } }' > "$T/postexit.txt"
check "generate 4 cloned threads" $N trace gen --pattern shared --use uniform --size 16M --threads 4 --cpus 0-3 \
    --accesses 8K --seed 2 -o "$T/clone4.nst"
for b in 1 7 4096; do
    check "unannounced threads, batches of $b" env NUMASIM_TRACE_BATCH=$b $N run -q --machine skx-2s \
        --trace "text:$T/unann.txt" --report "$T/un$b.json"
    check "a thread after an exit, batches of $b" env NUMASIM_TRACE_BATCH=$b $N run -q --machine skx-2s \
        --trace "text:$T/exit.txt" --report "$T/ex$b.json"
    check "a thread after records past an exit, batches of $b" env NUMASIM_TRACE_BATCH=$b $N run -q --machine skx-2s \
        --trace "text:$T/postexit.txt" --report "$T/px$b.json"
    check "cloned threads, batches of $b" env NUMASIM_TRACE_BATCH=$b $N run -q --machine skx-2s \
        --trace "$T/clone4.nst" --report "$T/cl$b.json"
done
check "unannounced threads: batches of 1 and 4096 give byte-identical reports" cmp "$T/un1.json" "$T/un4096.json"
check "unannounced threads: batches of 7 too" cmp "$T/un7.json" "$T/un4096.json"
check "a thread after an exit: batches of 1, 7 and 4096 give byte-identical reports" \
    sh -c "cmp '$T/ex1.json' '$T/ex4096.json' && cmp '$T/ex7.json' '$T/ex4096.json'"
check "a thread after records past an exit: batches of 1, 7 and 4096 give byte-identical reports" \
    sh -c "cmp '$T/px1.json' '$T/px4096.json' && cmp '$T/px7.json' '$T/px4096.json'"
# thread 1 appears (no clone record) right after thread 0's futex_wait, and is the one that wakes
# it: it starts when thread 0 blocks, so thread 0 sleeps through all of thread 1's 40,000
# instructions (16 us at 2.5 GHz, one per cycle).  It once started only when the run stalled,
# at whatever the clock showed (here 0, before thread 0 had got there: 8 us asleep).
cat > "$T/wake.txt" <<'EOT'
W 0x10000000 4096
R 0x10000040 8 +5000
futex_wait addr=0x10000080 private=1 wake_id=1 exit_of=0 ret=0
T1 R 0x10000100 8 +40000
T1 futex_wake addr=0x10000080 private=1 wake_id=1 woken=1 ret=1
T1 R 0x10000180 8
R 0x100001c0 8
EOT
for b in 1 4096; do
    check "a waker that appears after the wait, batches of $b" env NUMASIM_TRACE_BATCH=$b $N run -q \
        --machine skx-2s --trace "text:$T/wake.txt" --report "$T/wk$b.json"
done
check "a waker that appears after the wait: batches of 1 and 4096 give byte-identical reports" \
    cmp "$T/wk1.json" "$T/wk4096.json"
check "thread 0 sleeps through the waker's 16 us of work (it starts when thread 0 blocks)" \
    awk '/"thread_blocked_ns"/ { getline; gsub(/[ ,]/, ""); b = $0 } END { exit !(b >= 16000 && b < 17000) }' "$T/wk4096.json"
# a plain lackey log goes through the reader's one-pass parser: it obeys the batch size too
awk 'BEGIN { x = 99; print "==1== Lackey"
    for (i = 0; i < 3000; i++) {
        x = (x * 1103515245 + 12345) % 2147483648
        if (i % 4 == 0) printf "I  %08x,3\n", 4194304 + (i % 512) * 4
        printf " %s %08x,8\n", (x % 3 == 0) ? "S" : "L", 268435456 + (x % 262144) * 8 } }' > "$T/plain.lackey"
for b in 1 4096; do
    check "plain lackey log, batches of $b" env NUMASIM_TRACE_BATCH=$b $N run -q --machine skx-2s \
        --trace "lackey:$T/plain.lackey" --report "$T/lk$b.json"
done
check "plain lackey log: batches of 1 and 4096 give byte-identical reports" cmp "$T/lk1.json" "$T/lk4096.json"
check "cloned threads: batches of 1 and 4096 give byte-identical reports" cmp "$T/cl1.json" "$T/cl4096.json"
check "cloned threads: batches of 7 too" cmp "$T/cl7.json" "$T/cl4096.json"

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
expect_values "A ends when it ends alone ($a1 ns, within 0.5%), B after its second" \
    '{ d = $2 - $1; if (d < 0) d = -d; exit !(d <= 0.005 * $1 && $3 >= 1e9) }' "$a1 $a2 $b2"
expect_values "no access of A waited for B (max latency under 2 us)" '{ exit !($1 < 2000) }' "$mx"

# Steady-state figures come from two lengths of one workload: their difference
# is the workload alone, with first touch and warm-up cancelled out.
# two_lengths TRACE RUN SHORT LONG [-p ...] -- GEN-ARGS...: generates $T/TRACE-{SHORT,LONG}.nst
# (once) and replays them into $T/RUN-{SHORT,LONG}.json.  (sh has no locals: tl_* names.)
two_lengths() {
    tl_trace=$1 tl_run=$2 tl_short=$3 tl_long=$4; shift 4
    tl_args=""
    while [ "$1" != "--" ]; do tl_args="$tl_args $1"; shift; done
    shift
    for tl_a in "$tl_short" "$tl_long"; do
        [ -f "$T/$tl_trace-$tl_a.nst" ] || check "generate $tl_trace, $tl_a" $N trace gen "$@" --threads 1 --cpus 0 \
            --accesses "$tl_a" --seed 1 -o "$T/$tl_trace-$tl_a.nst"
        # shellcheck disable=SC2086
        check "replay $tl_trace, $tl_a, on skx-2s$tl_args" $N run -q --machine skx-2s $tl_args \
            --trace "$T/$tl_trace-$tl_a.nst" --report "$T/$tl_run-$tl_a.json"
    done
}
# the difference of KEY between the long and the short run of NAME
delta() { echo "$(num "$T/$1-$3.json" "$2") $(num "$T/$1-$4.json" "$2")" | awk '{ print $2 - $1 }'; }

# 3. memory-level parallelism: one core streaming reads over 128 MiB of local memory.
two_lengths stream s 512K 1536K -- --pattern shared --use stream --size 128M
two_lengths stream i 512K 1536K -p cpu.model=inorder -- --pattern shared --use stream --size 128M
to=$(delta s sim_time_ns 512K 1536K); ti=$(delta i sim_time_ns 512K 1536K)
expect_values "one Skylake-SP core streams at least 6 GB/s; in order it is latency bound (under 1 GB/s)" \
    '{ bo = 1048576 * 64 / $1; bi = 1048576 * 64 / $2; print bo, bi " GB/s"; exit !(bo >= 6 && bo <= 13 && bi < 1) }' "$to $ti"

# 4. a dependent pointer chase (trace gen flags every chase load TREC_DEP) still
#    pays the DRAM latency on every hop: no overlap however many fill buffers.
two_lengths chase c 100K 300K -- --pattern chase --size 128M
expect_values "every chase load is dependent" '{ exit !($1 >= 300000) }' "$(num "$T/c-300K.json" dependent_loads)"
expect_values "a hop costs at least the 81.4 ns idle DRAM latency (and under 150 ns)" \
    '{ hop = $1 / 204800; print hop " ns per hop"; exit !(hop >= 81.4 && hop < 150) }' "$(delta c sim_time_ns 100K 300K)"

# 5. GUPS: random read-modify-writes over 1 GiB of 4 KiB pages.  Every access
#    misses the STLB; with the data misses overlapping, the two page walkers
#    are the bottleneck and a walk is in progress most of the time (the
#    in-order replay put walks at 45% of access time).
two_lengths gups g 200K 600K -- --pattern gups --size 1G
expect_values "GUPS: page walks in progress over 80% of the update phase" \
    '{ share = $2 / $1; print share; exit !(share > 0.8 && share <= 1) }' \
    "$(delta g sim_time_ns 200K 600K) $(delta g walk_active_ns 200K 600K)"

done_testing
