#!/bin/sh
# `make bench`: decode speed per trace format, then full-replay speed with the
# whole hardware + OS model, 1 and 8 threads.  Prints one line per figure.
# Figures depend on the host; the README records them with the machine.
set -eu
BUILD=${1:-build}
NUMASIM=$BUILD/numasim
ACCESSES=${BENCH_ACCESSES:-50000000}
MACHINE=${BENCH_MACHINE:-skx-2s}
dir=$(mktemp -d "${TMPDIR:-/tmp}/numasim-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM

echo "host: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores"
echo "== decode (records/s, one core) =="
"$BUILD/tests/bench/bench_decode" "$dir"

echo "== full replay (machine $MACHINE, accesses/s, one core) =="
now() { date +%s.%N; }
for threads in 1 8; do
    trace="$dir/replay-$threads.nst"
    "$NUMASIM" trace gen --pattern zipf --size 256M --threads "$threads" \
        --accesses "$ACCESSES" --seed 1 -o "$trace" >/dev/null
    t0=$(now)
    "$NUMASIM" run --machine "$MACHINE" --trace "$trace@0" --quiet --no-progress --report "$dir/r.json"
    t1=$(now)
    awk -v n="$ACCESSES" -v a="$t0" -v b="$t1" -v th="$threads" \
        'BEGIN { printf "replay %d thread%s: %d accesses in %.2f s = %.2f M accesses/s\n", th, th == 1 ? "" : "s", n, b - a, n / (b - a) / 1e6 }'
done
