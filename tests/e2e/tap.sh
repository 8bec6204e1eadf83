# tests/e2e/tap.sh - the TAP preamble of every tests/e2e/test_*.sh, which
# sources it before anything else:
#
#     TAP_TMP=name; . "$(dirname "$0")/tap.sh"
#
# It sets
#   BUILD   the script's first argument (default build)
#   N       the binary: $NUMASIM, else $BUILD/numasim
#   T       a fresh directory ${TMPDIR:-/tmp}/numasim-$TAP_TMP.XXXXXX, removed
#           on exit (tests never write outside it; a script that needs more
#           cleanup sets its own EXIT trap, which must remove $T too)
#   n=0 (tests so far), failed=0
# and defines (TAP, "ok N - name" / "not ok N - name", as tests/run.sh counts):
#   ok NAME              print the next "ok"
#   nok NAME             print the next "not ok", set failed=1, then show the
#                        first $TAP_LOG_LINES (20) lines of $TAP_LOG ($T/out) as
#                        comments prefixed by $TAP_LOG_PREFIX ("#   ")
#   check NAME CMD...    ok when CMD succeeds (its output replaces $T/out)
#   expect NAME TEXT     ok when `eval TEXT` succeeds; $T/out is left as it is, so
#                        TEXT may read it; on failure $TAP_LOG is shown, then the
#                        text's own output and the text.  $? in TEXT is not the
#                        status of the command before expect: save it (rc=$?)
#   fails_with NAME CODE TEXT CMD...   ok when CMD exits CODE and prints TEXT
#   need_numasim         "1..0 # skip numasim not built" and exit 0 when $N is missing
#   done_testing         print the plan "1..n" and exit 1 if a test failed
# A script may change TAP_LOG* or redefine a helper after sourcing.
# tests/run.sh runs only test_*.sh, so this file is never a suite itself.

BUILD=${1:-build}
N=${NUMASIM:-$BUILD/numasim}
T=$(mktemp -d "${TMPDIR:-/tmp}/numasim-${TAP_TMP:-e2e}.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
n=0; failed=0
TAP_LOG=$T/out
TAP_LOG_LINES=20
TAP_LOG_PREFIX='#   '

ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() {
    n=$((n + 1)); echo "not ok $n - $1"; failed=1
    [ -f "$TAP_LOG" ] && sed "s/^/$TAP_LOG_PREFIX/" "$TAP_LOG" | head -n "$TAP_LOG_LINES"
}
check() { # name, command...   (passes when the command succeeds)
    name=$1; shift
    if "$@" >"$T/out" 2>&1; then ok "$name"; else nok "$name"; fi
}
expect() { # name, shell text   (passes when eval succeeds)
    name=$1; shift
    if eval "$*" >"$T/.expect" 2>&1; then ok "$name"; else
        nok "$name"
        { cat "$T/.expect"; echo "condition: $*"; } | sed "s/^/$TAP_LOG_PREFIX/" | head -n "$TAP_LOG_LINES"
    fi
}
fails_with() { # name, expected-exit, expected-text, command...
    name=$1; code=$2; text=$3; shift 3
    "$@" >"$T/out" 2>&1; rc=$?
    if [ "$rc" -eq "$code" ] && grep -qF -- "$text" "$T/out"; then ok "$name"; else
        echo "# exit $rc (want $code), want text: $text" >>"$T/out"; nok "$name"; fi
}
need_numasim() {
    if [ ! -x "$N" ]; then echo "1..0 # skip numasim not built"; exit 0; fi
}
done_testing() { echo "1..$n"; exit "$failed"; }
