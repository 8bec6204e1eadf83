#!/bin/sh
# Run every test suite and print one closing line "N passed, N failed, N skipped".
#
# Suites are cmocka binaries (build/tests/<dir>/test_*) and shell scripts
# (tests/<dir>/test_*.sh), all speaking TAP: "ok N - name" / "not ok N - name",
# and "ok N - name # SKIP reason" for a test this host cannot run (counted as
# skipped, not passed, with its reason shown).
# A suite that exits non-zero without reporting a failure (a crash, a
# sanitizer abort) counts as one failed test, so nothing is lost silently.
BUILD=${1:-build}
LOG=$BUILD/test-logs
mkdir -p "$LOG"
pass=0; fail=0; skip=0; failed_suites=""
export CMOCKA_MESSAGE_OUTPUT=TAP
export NUMASIM="$BUILD/numasim"
export NUMASIM_BUILD="$BUILD"

run_suite() {
    name=$1; shift
    out="$LOG/$(echo "$name" | tr '/' '_').log"
    "$@" >"$out" 2>&1
    rc=$?
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

for t in $(find "$BUILD/tests" -type f -name 'test_*' ! -name '*.d' ! -name '*.o' 2>/dev/null | sort); do
    [ -x "$t" ] || continue
    run_suite "${t#"$BUILD"/tests/}" "$t"
done
for t in $(find tests -type f -name 'test_*.sh' | sort); do
    run_suite "${t#tests/}" sh "$t" "$BUILD"
done

[ -n "$failed_suites" ] && echo "failed suites:$failed_suites"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
