#!/bin/sh
# tests/fuzz/run.sh BUILD SECONDS [NAME...] - run each libFuzzer harness
# (BUILD/tests/fuzz/fuzz_*) for SECONDS on a scratch copy of its seed corpus
# tests/fuzz/corpus/NAME/, in TAP, ending with "N passed, N failed" (one
# test per harness).  The corpus in the tree stays as it is: what a run
# finds is in $FUZZ_OUT (default: a temporary directory, removed) and a
# crashing input is kept as BUILD/fuzz-artifacts/NAME/crash-* with the
# command that reproduces it.  FUZZ_JOBS=N (default 1) runs N harnesses at
# once.  docs/fuzzing.md explains longer runs.
BUILD=${1:-build-fuzz}
SECS=${2:-60}
shift 2 2>/dev/null
names=${*:-$(ls tests/fuzz/fuzz_*.c | sed 's|.*/fuzz_\(.*\)\.c|\1|')}
work=${FUZZ_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/numasim-fuzz.XXXXXX")}
[ -n "${FUZZ_OUT:-}" ] || trap 'rm -rf "$work"' EXIT
# leak checks stay on; a finding must abort so libFuzzer records it
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# fuzz_one N NAME: run one harness, its TAP line(s) into $work/NAME.tap
fuzz_one() {
    n=$1; name=$2
    bin=$BUILD/tests/fuzz/fuzz_$name
    tap=$work/$name.tap
    if [ ! -x "$bin" ]; then
        echo "not ok $n - fuzz_$name: $bin not built" >"$tap"; return
    fi
    corpus=$work/$name
    art=$BUILD/fuzz-artifacts/$name
    mkdir -p "$corpus" "$art"
    cp tests/fuzz/corpus/"$name"/* "$corpus"/ 2>/dev/null
    log=$work/$name.log
    # -timeout: one input taking 20 s is a hang; -rss_limit_mb: a leak or blow-up
    "$bin" -max_total_time="$SECS" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$art/" "$corpus" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
    if [ "$rc" -eq 0 ]; then
        echo "ok $n - fuzz_$name: ${execs:-?} runs in ${SECS}s, $cov" >"$tap"
    else
        { echo "not ok $n - fuzz_$name: exit $rc; reproduce with: $bin $(ls -t "$art"/* 2>/dev/null | head -n 1)"
          grep -E 'ERROR|SUMMARY|contract|runtime error|^    #[0-9]' "$log" | head -n 25 | sed 's/^/#   /'; } >"$tap"
    fi
}

# FUZZ_JOBS harnesses at once (.ci/run: 2, one per core), each for SECONDS
jobs=${FUZZ_JOBS:-1}
n=0; running=0
for name in $names; do
    n=$((n + 1))
    fuzz_one "$n" "$name" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then wait; running=0; fi
done
wait
pass=0; fail=0
for name in $names; do
    cat "$work/$name.tap"
    if grep -q '^ok ' "$work/$name.tap"; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
echo "1..$n"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
