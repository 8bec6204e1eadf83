#!/bin/sh
# Run every test suite and print one closing line "N passed, N failed, N skipped".
#
# Suites are cmocka binaries (build/tests/<dir>/test_*) and shell scripts
# (tests/<dir>/test_*.sh), all speaking TAP: "ok N - name" / "not ok N - name",
# and "ok N - name # SKIP reason" for a test this host cannot run (counted as
# skipped, not passed, with its reason shown).
# A suite that exits non-zero without reporting a failure (a crash, a
# sanitizer abort) counts as one failed test, so nothing is lost silently.
# TEST_JOBS=N (default 1) runs N suites at once; the output is the same.
BUILD=${1:-build}
JOBS=${TEST_JOBS:-1}
LOG=$BUILD/test-logs
mkdir -p "$LOG"
pass=0; fail=0; skip=0; failed_suites=""
export CMOCKA_MESSAGE_OUTPUT=TAP
export NUMASIM="$BUILD/numasim"
export NUMASIM_BUILD="$BUILD"

# the counts of one finished suite: its output is $LOG/<name>.log, its exit status $rc
count_suite() {
    name=$1; rc=$2
    out="$LOG/$(echo "$name" | tr '/' '_').log"
    s=$(grep -ciE '^ok [^#]*#[[:space:]]*skip' "$out")
    p=$(($(grep -c '^ok ' "$out") - s))
    f=$(grep -c '^not ok ' "$out")
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1
        echo "not ok - $name exited with status $rc" >>"$out"
    fi
    pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
    if [ "$f" -ne 0 ]; then
        failed_suites="$failed_suites $name"
        printf '%-44s %4d passed, %d FAILED  (log: %s)\n' "$name" "$p" "$f" "$out"
        grep -E '^not ok|ERROR|error:|runtime error|Assertion|FAIL' "$out" | head -n 15 | sed 's/^/    /'
    elif [ "$s" -ne 0 ]; then
        printf '%-44s %4d passed, %d skipped: %s\n' "$name" "$p" "$s" \
            "$(grep -iE '^ok [^#]*#[[:space:]]*skip' "$out" | head -n 1 | sed 's/^[^#]*#[[:space:]]*[Ss][Kk][Ii][Pp][[:space:]:]*//')"
    else
        printf '%-44s %4d passed\n' "$name" "$p"
    fi
}

# one line per suite, "name command...": cmocka binaries, then shell scripts
list="$LOG/suites"
{
    for t in $(find "$BUILD/tests" -type f -name 'test_*' ! -name '*.d' ! -name '*.o' 2>/dev/null | sort); do
        [ -x "$t" ] && echo "${t#"$BUILD"/tests/} $t"
    done
    for t in $(find tests -type f -name 'test_*.sh' | sort); do
        echo "${t#tests/} sh $t $BUILD"
    done
} >"$list"

# Suites are independent (each writes only its own log and temporary
# directory), so TEST_JOBS of them run at once (.ci/run: 2); each leaves its
# exit status in <log>.rc, and the results are counted and printed in the
# list's order whatever order the suites finish in.  The suites run in the
# foreground: an asynchronous command of a script starts with SIGINT
# ignored, and suites that check what SIGINT does would hang.  The counting
# runs in the background instead, and its status is the script's.
rcfile() { echo "$LOG/$(echo "$1" | tr '/' '_').rc"; }
while read -r name cmd; do rm -f "$(rcfile "$name")"; done <"$list"
rm -f "$LOG/.done"
(
    while read -r name cmd; do
        rcf=$(rcfile "$name")
        # ($$ is this script: interrupted, it is gone and so is the count)
        while [ ! -f "$rcf" ] && [ ! -f "$LOG/.done" ]; do kill -0 $$ 2>/dev/null || exit 1; sleep 1; done
        if [ -f "$rcf" ]; then count_suite "$name" "$(cat "$rcf")"; else
            echo "not ok - $name did not run" >>"${rcf%.rc}.log"; count_suite "$name" 1; fi
    done <"$list"
    [ -n "$failed_suites" ] && echo "failed suites:$failed_suites"
    echo "$pass passed, $fail failed, $skip skipped"
    [ "$fail" -eq 0 ]
) &
counter=$!
# shellcheck disable=SC2016
xargs -P "$JOBS" -L 1 sh -c 'out=$0/$(echo "$1" | tr / _); shift; "$@" >"$out.log" 2>&1; echo $? >"$out.rc.tmp"; mv "$out.rc.tmp" "$out.rc"' "$LOG" <"$list"
touch "$LOG/.done"
wait "$counter"
