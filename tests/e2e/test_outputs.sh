#!/bin/sh
# tests/e2e/test_outputs.sh BUILD_DIR - where outputs go and what is left
# behind: special files written in place, symlinks kept, temporaries removed
# on signals and on resume, one sweep per directory, no path out of it.
TAP_TMP=outputs; . "$(dirname "$0")/tap.sh"
bg=""
trap '[ -n "$bg" ] && kill $bg 2>/dev/null; rm -rf "$T"' EXIT
TAP_LOG=$T/log
# wait until a glob matches (up to 10 s)
wait_for() { i=0; while [ $i -lt 100 ]; do for f in $1; do [ -e "$f" ] && return 0; done; sleep 0.1; i=$((i + 1)); done; return 1; }
# a pid that has exited
dead_pid() { sh -c 'echo $$'; }

need_numasim
printf 'R 1000 8\nW 2000 8\n' >"$T/t.txt"

# --- special files are written in place, never replaced --------------------------------
mkfifo "$T/fifo"
cat "$T/fifo" >"$T/fifo.out" &
"$N" run --machine tiny --trace "$T/t.txt" -q --report "$T/fifo" 2>"$T/log"
rc=$?; wait
expect "--report onto a FIFO: the reader gets the report, the FIFO stays" \
    '[ $rc -eq 0 ] && [ -p "$T/fifo" ] && grep -q "\"summary\"" "$T/fifo.out"'
cat "$T/fifo" >"$T/fifo.out" &
"$N" trace gen --pattern gups --size 1M --accesses 1K --no-init -o "$T/fifo" 2>"$T/log"
rc=$?; wait
expect "trace gen -o a FIFO: a readable native trace comes through, the FIFO stays" \
    '[ $rc -eq 0 ] && [ -p "$T/fifo" ] && "$N" trace stat "$T/fifo.out" | grep -q "records: 1002"'
"$N" run --machine tiny --trace "$T/t.txt" -q --report /dev/null 2>"$T/log"
rc=$?
expect "--report /dev/null: written, still a character device" '[ $rc -eq 0 ] && [ -c /dev/null ]'
if [ -w /dev/full ]; then
    "$N" run --machine tiny --trace "$T/t.txt" -q --report /dev/full 2>"$T/log"
    rc=$?
    expect "--report /dev/full: ENOSPC reported, still a character device" \
        '[ $rc -ne 0 ] && grep -q "/dev/full: write failed" "$T/log" && [ -c /dev/full ]'
else
    n=$((n + 1)); echo "ok $n # skip /dev/full not writable"
fi
"$N" trace convert "$T/t.txt" - --to text >"$T/stdout.txt" 2>"$T/log"
rc=$?
expect "trace convert to -: the trace on standard output" '[ $rc -eq 0 ] && grep -q "^R 0*1000 8" "$T/stdout.txt"'
ln -s real.json "$T/link.json"
"$N" run --machine tiny --trace "$T/t.txt" -q --report "$T/link.json" 2>"$T/log"
expect "--report onto a symlink: the link stays, its target gets the report" \
    '[ -L "$T/link.json" ] && [ -f "$T/real.json" ] && grep -q "\"summary\"" "$T/real.json"'
ln -s conv.txt "$T/link.txt"
"$N" trace convert "$T/t.txt" "$T/link.txt" --to text 2>"$T/log"
expect "trace convert onto a symlink: the link stays" '[ -L "$T/link.txt" ] && grep -q "^W" "$T/conv.txt"'
mkdir "$T/adir"
"$N" run --machine tiny --trace "$T/t.txt" -q --report "$T/adir" 2>"$T/log"
rc=$?
expect "--report onto a directory: refused, nothing created" \
    '[ $rc -ne 0 ] && grep -qE "not a regular file|is a directory" "$T/log" && [ -z "$(ls "$T/adir")" ] && [ -d "$T/adir" ]'

# --- signals and SIGKILL leftovers ---------------------------------------------------------
# (timeout, not "&": an asynchronous command of a script starts with SIGINT ignored)
for sig in TERM INT; do
    # xz output is slow enough to be caught in the middle
    timeout --preserve-status -s $sig 1 "$N" trace gen --pattern gups --size 1M --accesses 1G \
        -o "$T/sig.nst.xz" 2>/dev/null
    rc=$?
    expect "SIG$sig during trace gen: dies of it, no temporary left" \
        '[ $rc -gt 128 ] && [ -z "$(ls "$T" | grep "sig\.nst\.xz")" ]'
done
# a sweep's generation step: timeout signals the sweep's whole process group, as Ctrl-C does
cat >"$T/gen.json" <<JSON
{"name": "gen", "workloads": [{"name": "big", "pattern": "gups", "size": "1M", "accesses": "200M"}],
 "metrics": ["summary.accesses"]}
JSON
for sig in INT TERM; do
    timeout -s $sig 1 "$N" sweep "$T/gen.json" -o "$T/gensw" -j 1 >/dev/null 2>&1
    # timeout returns when the sweep is gone; its generator may still be exiting
    i=0; while [ $i -lt 50 ] && [ -n "$(find "$T/gensw" -name "*.tmp.*")" ]; do sleep 0.1; i=$((i + 1)); done
    expect "SIG$sig during a sweep's generation step: no temporary left" \
        '[ -d "$T/gensw/traces" ] && [ -z "$(find "$T/gensw" -name "*.tmp.*")" ] && [ ! -e "$T/gensw/traces/big.nst" ]'
done
rm -rf "$T/gensw"

dp=$(dead_pid)
echo junk >"$T/k.nst.tmp.$dp"
echo busy >"$T/k.nst.tmp.$$"
"$N" trace gen --pattern gups --size 1M --accesses 1K -o "$T/k.nst" 2>"$T/log"
expect "trace gen removes its file's temporary of a dead pid (SIGKILL), not a live one's" \
    '[ ! -e "$T/k.nst.tmp.$dp" ] && [ -e "$T/k.nst.tmp.$$" ] && [ -s "$T/k.nst" ]'

# --- sweeps: one per directory, temporaries of dead runs removed, no escape --------------
cat >"$T/slow.json" <<JSON
{"name": "slow", "workloads": [{"name": "g", "pattern": "gups", "size": "1M", "accesses": "6M"}],
 "policies": ["default", "interleave:0-1"], "metrics": ["summary.accesses"]}
JSON
cat >"$T/other.json" <<JSON
{"name": "other", "workloads": [{"name": "s", "pattern": "stream", "size": "1M", "accesses": "1K"}],
 "metrics": ["summary.accesses"]}
JSON
"$N" sweep "$T/slow.json" -o "$T/sw" -j 1 2>"$T/slow.log" &
bg=$!
wait_for "$T/sw/sweep.json"
"$N" sweep "$T/other.json" -o "$T/sw" -j 1 2>"$T/log"
rc=$?
expect "a second sweep into a busy directory is refused, naming the holder's pid" \
    '[ $rc -ne 0 ] && grep -q "in use by another sweep (pid $bg)" "$T/log"'
"$N" sweep "$T/slow.json" -o "$T/sw" --only-points 1 2>"$T/log"
rc=$?
expect "--only-points into a directory a whole sweep holds is refused too" '[ $rc -ne 0 ] && grep -q "pid $bg" "$T/log"'
wait $bg
rc=$?; bg=""
expect "the first sweep finishes with its own results" \
    '[ $rc -eq 0 ] && [ $(grep -c ",ok," "$T/sw/results.csv") -eq 2 ] && grep -q "^p0001-g-default" "$T/sw/results.csv"'
"$N" sweep "$T/other.json" -o "$T/sw" 2>"$T/log"
rc=$?
expect "afterwards, a different spec is still refused (the directory holds another sweep)" \
    '[ $rc -ne 0 ] && grep -q "holds a different sweep" "$T/log"'

dp=$(dead_pid)
pt=$(ls "$T/sw/points" | head -n 1)
echo junk >"$T/sw/traces/g.nst.tmp.$dp"
echo junk >"$T/sw/points/$pt/report.json.tmp.$dp"
echo junk >"$T/sw/results.csv.tmp.$dp"
"$N" sweep "$T/slow.json" -o "$T/sw" 2>"$T/log"
rc=$?
expect "a resumed sweep removes temporaries of dead pids" \
    '[ $rc -eq 0 ] && [ -z "$(find "$T/sw" -name "*.tmp.$dp")" ]'

mkdir -p "$T/deep/a/b"
cat >"$T/deep/a/b/esc.json" <<JSON
{"workloads": [{"name": "../../escaped", "pattern": "gups", "size": "1M", "accesses": "1K"}],
 "metrics": ["summary.accesses"]}
JSON
"$N" sweep "$T/deep/a/b/esc.json" -o "$T/deep/a/b/out" 2>"$T/log"
rc=$?
expect "a workload named ../../escaped is refused; nothing is written outside the sweep directory" \
    '[ $rc -ne 0 ] && grep -q "workloads\[0\].name" "$T/log" && [ -z "$(find "$T/deep" -name "escaped*")" ]'
done_testing
