#!/bin/sh
# End-to-end scenarios of reclaim, swap, the OOM killer and the page cache
# (docs/os-reclaim.md), through `numasim run` on 2-node x 64 MiB machines:
#   - a BIND workload that outgrows its node wakes kswapd and swaps;
#   - the same workload under PREFERRED spills to the other node instead;
#   - with swap too small, the OOM killer picks the bigger of two processes;
#   - file I/O and file mappings fill the page cache.
TAP_TMP=reclaim; . "$(dirname "$0")/tap.sh"
D=$(dirname "$0")
M=$D/machines
# largest value of "key": in a report (vmstat totals are >= their per-node parts)
jmax() { sed -n "s/.*\"$2\": \([0-9][0-9]*\).*/\1/p" "$1" | sort -n | tail -n 1; }
# first value of "key":
jfirst() { sed -n "s/.*\"$2\": \([0-9-][0-9]*\).*/\1/p" "$1" | head -n 1; }
gt() { [ "${1:-0}" -gt "$2" ]; }
eq() { [ "${1:-x}" = "$2" ]; }
# expect NAME 'shell condition using gt/eq/jmax' (evaluated here, so the helpers are visible)

need_numasim

# 96 MiB written page by page, twice, by one process on a 64 MiB node
check "generate a BIND hog" $N trace gen --pattern hog --size 96M --accesses 50000 --mbind bind:0 -o "$T/bind.nst"
check "generate a PREFERRED hog" $N trace gen --pattern hog --size 96M --accesses 50000 --mempolicy preferred:0 -o "$T/pref.nst"
check "BIND hog runs with 256 MiB of swap" $N run -q --machine "$M/tiny-swap256.json" --trace "$T/bind.nst@0" --report "$T/bind.json"
expect "BIND: kswapd was woken and scanned" 'gt $(jmax "$T/bind.json" kswapd_wakeups) 0 && gt $(jmax "$T/bind.json" pgscan_kswapd) 0 && gt $(jmax "$T/bind.json" pgsteal_kswapd) 0'
expect "BIND: anonymous pages were swapped out and back in" 'gt $(jmax "$T/bind.json" pswpout) 1000 && gt $(jmax "$T/bind.json" pswpin) 1000 && gt $(jmax "$T/bind.json" pgmajfault) 1000'
expect "BIND: nobody killed, the process finished" 'eq $(jmax "$T/bind.json" oom_kill) 0 && ! grep -q "\"alive\": false" "$T/bind.json"'
expect "BIND: PSI recorded memory stalls" 'gt $(jfirst "$T/bind.json" some_ns) 0'
check "PREFERRED hog runs on the same machine" $N run -q --machine "$M/tiny-swap256.json" --trace "$T/pref.nst@0" --report "$T/pref.json"
expect "PREFERRED: spills to node 1 (numa_miss), no swap, no reclaim" 'gt $(jmax "$T/pref.json" numa_miss) 5000 && eq $(jmax "$T/pref.json" pswpout) 0 && eq $(jmax "$T/pref.json" pgscan_kswapd) 0'

# two BIND processes, 24 and 72 MiB, one 64 MiB node, 8 MiB of swap: whenever the kill comes,
# the 72 MiB one is the bigger (written pages stay in RAM until their swap write completes)
check "generate two hogs" sh -c "$N trace gen --pattern hog --size 24M --accesses 12000 --mbind bind:0 -o $T/small.nst && $N trace gen --pattern hog --size 72M --accesses 36000 --mbind bind:0 -o $T/big.nst"
check "overcommit with too little swap runs to the end" $N run -q --machine "$M/tiny-swap8.json" --trace "$T/small.nst@0" --trace "$T/big.nst@1" --report "$T/oom.json"
expect "OOM: exactly one kill, counted" 'eq "$(jmax $T/oom.json oom_kill)" 1'
check "OOM: the bigger process (pid 2) was the victim, under the BIND constraint" sh -c "grep -A3 '\"oom_kills\"' $T/oom.json | grep -q '\"pid\": 2' && grep -q CONSTRAINT_MEMORY_POLICY $T/oom.json"
expect "OOM: swap filled first" 'gt $(jmax "$T/oom.json" pswpout) 1000'
# the same two processes, the small one writing 1000 to its oom_score_adj first (a trace control
# record): badness adds 1000 * totalpages / 1000 (oom_badness), so the small one is killed instead
check "oom_score_adj record: the small process with +1000 is the victim" sh -c "
    $N trace convert $T/small.nst $T/small.txt --to text >/dev/null &&
    { echo 'oom_score_adj value=1000'; cat $T/small.txt; } > $T/small_adj.txt &&
    $N run -q --machine $M/tiny-swap8.json --trace $T/small_adj.txt@0 --trace $T/big.nst@1 --report $T/adj.json;
    grep -A3 '\"oom_kills\"' $T/adj.json | grep -q '\"pid\": 1'"
check "same inputs give a byte-identical report" sh -c "$N run -q --machine $M/tiny-swap8.json --trace $T/small.nst@0 --trace $T/big.nst@1 --report $T/oom2.json && cmp $T/oom.json $T/oom2.json"

# the page cache: write, read back, map shared and private
cat > "$T/file.txt" <<'TR'
file_write fd=3 offset=0 len=0x100000
file_read fd=3 offset=0 len=0x100000
file_read fd=4 offset=0 len=0x40000
mmap addr=0 len=0x40000 prot=3 flags=0x1 fd=4 offset=0 ret=0x7f0000000000
R 7f0000000000 8
W 7f0000001000 8
mmap addr=0 len=0x40000 prot=3 flags=0x2 fd=4 offset=0 ret=0x7f0000100000
W 7f0000100000 8
TR
check "file I/O and file mappings replay without errors" sh -c "$N run -q --machine $M/tiny-swap256.json --trace $T/file.txt@0 --report $T/file.json 2>$T/err && ! grep -q . $T/err"
expect "page cache holds the file pages, one shared page dirtied" 'gt $(jmax "$T/file.json" nr_file_pages) 255 && gt $(jmax "$T/file.json" nr_dirtied) 256 && eq $(jmax "$T/file.json" rss_file) 16'

done_testing
