#!/bin/sh
# tests/traces/test_trace_cli.sh - `numasim trace stat|convert` end to end.
# Usage: sh tests/traces/test_trace_cli.sh BUILD_DIR   ($NUMASIM overrides the binary)
# Prints TAP; every test is skipped while the binary does not exist yet.
BUILD=${1:-build}
NUMASIM=${NUMASIM:-$BUILD/numasim}
N=9
echo "1..$N"
if [ ! -x "$NUMASIM" ]; then
    i=1
    while [ $i -le $N ]; do echo "ok $i # skip $NUMASIM not built"; i=$((i + 1)); done
    exit 0
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/numasim-cli-XXXXXX")
trap 'rm -rf "$T"' EXIT
n=0
check() {   # check NAME COMMAND...: ok if the command succeeds
    n=$((n + 1)); name=$1; shift
    if "$@" >"$T/out" 2>"$T/err"; then echo "ok $n - $name"
    else echo "not ok $n - $name"; sed 's/^/# /' "$T/out" "$T/err"; fi
}

cat >"$T/a.txt" <<'TRACE'
# two threads
R 1000 8
R 1ff8 16 dep
T1 W 5000 4 +10
I 400000
M 1008 8 +5
mmap addr=0 len=4096 prot=3 flags=0x22 fd=-1 offset=0 ret=0x7f0000000000
T1 exit
TRACE

cat >"$T/want" <<WANT
file: $T/a.txt
format: text
records: 7
  loads: 2
  dependent: 1
  stores: 1
  ifetches: 1
  modifies: 1
  control: 2 (mmap 1, exit 1)
bytes accessed: 40
gap instructions: 15
threads: 2
  thread 0: 5 records
  thread 1: 2 records
footprint: 4 pages of 4 KiB (0.0 MiB)
address range: 0x1000-0x400003
WANT
check "stat prints exact counts" sh -c '"$0" trace stat "$1/a.txt" 2>/dev/null | diff -u "$1/want" -' "$NUMASIM" "$T"
check "stat speed goes to stderr only" sh -c '"$0" trace stat "$1/a.txt" 2>&1 >/dev/null | grep -q "M records/s"' "$NUMASIM" "$T"
check "convert text to native.zst and back is lossless" sh -c '
    "$0" trace convert "$1/a.txt" "$1/a.nst.zst" &&
    "$0" trace convert "$1/a.nst.zst" "$1/b.txt" &&
    "$0" trace convert "$1/b.txt" "$1/c.txt" --from text --to text &&
    cmp "$1/b.txt" "$1/c.txt" &&
    "$0" trace stat "$1/a.nst.zst" 2>/dev/null | sed 1,2d >"$1/s1" &&
    "$0" trace stat "$1/b.txt" 2>/dev/null | sed 1,2d >"$1/s2" && cmp "$1/s1" "$1/s2"' "$NUMASIM" "$T"
check "stat --json has the counters" sh -c '"$0" trace stat --json "$1/a.nst.zst" 2>/dev/null | grep -q "\"pages_4k\": 4"' "$NUMASIM" "$T"
check "usage error exits 2" sh -c '"$0" trace stat 2>/dev/null; test $? -eq 2' "$NUMASIM"
check "unknown format exits 2" sh -c '"$0" trace stat --format nope x 2>/dev/null; test $? -eq 2' "$NUMASIM"
printf 'R 10 8\nQ 20\n' >"$T/bad.txt"
check "bad trace exits 1 naming file and line" sh -c '"$0" trace stat "$1/bad.txt" 2>"$1/e"; test $? -eq 1 && grep -q "bad.txt:2: expected an op" "$1/e"' "$NUMASIM" "$T"
check "failed convert leaves no output" sh -c '"$0" trace convert "$1/bad.txt" "$1/out.nst" 2>/dev/null; test $? -eq 1 && ! test -e "$1/out.nst"' "$NUMASIM" "$T"
printf '==1== Lackey\nI  0400000,3\n L 1ffefff000,8\n' >"$T/l.log"
check "lackey detected and counted" sh -c '"$0" trace stat "$1/l.log" 2>/dev/null | grep -q "^format: lackey"' "$NUMASIM" "$T"
