#!/bin/sh
# The cgroup v2 memory controller through `numasim run` (os/memcontrol.c,
# docs/os-memcg.md): a generated stream over 80 MiB on the tiny machine
# (64 MiB per node), run without a memcg (it spills to node 1) and under
# memory.max = 48 MiB (it stays on node 0 and swaps).  Checks the control
# records trace gen writes, the cgroup files --dump prints, the config route
# (os.memcg) against the record route, memory.high, and a bad record.
TAP_TMP=memcg; . "$(dirname "$0")/tap.sh"
# value of "key value" in the section of view $2 of file $1
val() { awk -v v="$2" -v k="$3" '/^==> / { s = $0 == "==> " v " <==" || index($0, "/" v " <==") > 0; next }
                                   s && $1 == k { print $2; exit }' "$1"; }
remote() { sed -n 's/^remote ratio *\([0-9.]*\)%.*/\1/p' "$1"; }

need_numasim
echo "1..10"

G="--pattern stream --size 80M --accesses 1500K --seed 7"
$N trace gen $G -o "$T/plain.nst" >"$T/out" 2>&1 || nok "generate"
$N trace gen $G --memcg-max 48M -o "$T/max.nst" >"$T/out" 2>&1 || nok "generate --memcg-max"
$N trace gen $G --memcg-max 48M --format text -o "$T/max.txt" >"$T/out" 2>&1
expect "trace gen --memcg-max writes cgroup_set (memory.max) then cgroup_attach before the mmap" \
    '[ "$(sed -n 3,5p "$T/max.txt" | cut -d" " -f1 | tr "\n" " ")" = "cgroup_set cgroup_attach mmap " ] &&
     grep -q "^cgroup_set memcg=1 knob=0 value=0x3000000" "$T/max.txt" && grep -q "^cgroup_attach memcg=1" "$T/max.txt"'

V=memory.stat,memory.numa_stat,memory.events,memory.current,memory.peak,vmstat
run() { out=$1; shift; $N run --no-progress --machine tiny -p os.swap_size=256M --dump $V "$@" >"$out" 2>&1; }

run "$T/plain" --trace "$T/plain.nst@0" || nok "run without memcg"
expect "without a memcg the stream spills to node 1 and no cgroup file is printed" \
    '[ "$(remote "$T/plain" | cut -d. -f1)" -ge 10 ] && ! grep -q "/sys/fs/cgroup" "$T/plain"'

cp "$T/plain" "$T/out"
run "$T/max" --trace "$T/max.nst@0" || nok "run under memory.max"
cp "$T/max" "$T/out"
# try_charge_memcg: usage never exceeds memory.max; the excess is reclaimed from the memcg to swap
expect "memory.max: memory.peak <= 48 MiB, memory.events max > 0, swap-outs" \
    '[ "$(sed -n "/memcg1\/memory.peak/{n;p}" "$T/max")" -le 50331648 ] &&
     [ "$(val "$T/max" memory.events max)" -gt 0 ] && [ "$(val "$T/max" vmstat pswpout)" -gt 0 ]'
expect "memory.max keeps the process on its own node: 0% remote (was over 10%)" \
    '[ "$(remote "$T/max")" = "0.0" ]'
expect "memcg limit reclaim is not global reclaim: vmstat pgscan_direct 0, memory.stat pgscan_direct > 0" \
    '[ "$(val "$T/max" vmstat pgscan_direct)" = 0 ] && [ "$(val "$T/max" memory.stat pgscan_direct)" -gt 0 ]'
nodes=$(awk '/memcg1\/memory.numa_stat/ { s = 1; next } s && ($1 == "anon" || $1 == "file") {
    for (i = 2; i <= NF; i++) { split($i, a, "="); t += a[2] } } s && $1 == "unevictable" { print t; exit }' "$T/max")
expect "memory.numa_stat anon + file over the nodes = memory.current" \
    '[ "$nodes" = "$(sed -n "/memcg1\/memory.current/{n;p}" "$T/max")" ]'
expect "memory.stat lists the cgroup v2 items in Linux's order" \
    '[ "$(awk "/memcg1\/memory.stat/ { s = 1; next } s && /^==>/ { exit } s { printf \"%s \", \$1 }" "$T/max")" = "anon file shmem anon_thp inactive_anon active_anon inactive_file active_file unevictable pgscan pgsteal pgscan_kswapd pgscan_direct pgsteal_kswapd pgsteal_direct pgfault pgmajfault pgrefill pgactivate pgdeactivate " ]'

# the same limit from the machine config (os.memcg with pids) gives the same run
run "$T/cfg" --trace "$T/plain.nst@0" -p 'os.memcg=[{"id":1,"max":"48M","pids":[1]}]' || nok "run with os.memcg"
expect "os.memcg in the config = the control records: same memory.peak, pswpout, remote ratio" \
    '[ "$(val "$T/cfg" vmstat pswpout)" = "$(val "$T/max" vmstat pswpout)" ] && [ "$(remote "$T/cfg")" = "$(remote "$T/max")" ] &&
     [ "$(sed -n "/memcg1\/memory.peak/{n;p}" "$T/cfg")" = "$(sed -n "/memcg1\/memory.peak/{n;p}" "$T/max")" ]'

# memory.high: charges go over, the task reclaims on the way back to user space
$N trace gen $G --memcg-high 48M -o "$T/high.nst" >"$T/out" 2>&1
run "$T/high" --trace "$T/high.nst@0" || nok "run under memory.high"
cp "$T/high" "$T/out"
expect "memory.high: memory.events high > 0, max 0, no OOM" \
    '[ "$(val "$T/high" memory.events high)" -gt 0 ] && [ "$(val "$T/high" memory.events max)" = 0 ] &&
     [ "$(val "$T/high" memory.events oom_kill)" = 0 ]'

# a bad knob is rejected like an EINVAL, naming the record
printf '# numasim text trace\ncgroup_set memcg=1 knob=9 value=4096\nW 1000 8\n' > "$T/bad.txt"
$N run --no-progress -q --machine tiny --trace "text:$T/bad.txt@0" >"$T/out" 2>&1
expect "cgroup_set with knob 9 is reported as a rejected system call" \
    'grep -q "cgroup_set: knob 9 is not 0..3" "$T/out"'
