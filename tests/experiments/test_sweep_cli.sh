#!/bin/sh
# tests/experiments/test_sweep_cli.sh BUILD_DIR - numasim trace gen, sweep,
# resume, failure recording, --only-points, collect and plot, end to end.
# TAP output; skips cleanly while $NUMASIM is not built or lacks the commands.
BUILD=${1:-build}
NUMASIM=${NUMASIM:-$BUILD/numasim}
MACHINE=${NUMASIM_TEST_MACHINE:-tiny}
T=$(mktemp -d "${TMPDIR:-/tmp}/numasim-sweep-XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
n=0
ok()   { n=$((n + 1)); echo "ok $n - $1"; }
nok()  { n=$((n + 1)); echo "not ok $n - $1"; }
check() { if eval "$2"; then ok "$1"; else nok "$1"; fi; }
skip_all() { for name in gen sweep resume failure only-points collect slurm-script plot; do n=$((n + 1)); echo "ok $n # skip $name: $1"; done; echo "1..$n"; exit 0; }

[ -x "$NUMASIM" ] || skip_all "$NUMASIM not built"
"$NUMASIM" sweep --help >/dev/null 2>&1 || skip_all "numasim sweep not wired into $NUMASIM"
"$NUMASIM" trace gen --help >/dev/null 2>&1 || skip_all "numasim trace gen not wired into $NUMASIM"

# gen: deterministic per seed, and the seed matters.
"$NUMASIM" trace gen --pattern gups --size 1M --threads 2 --accesses 5K --seed 3 -o "$T/a.nst" 2>/dev/null &&
"$NUMASIM" trace gen --pattern gups --size 1M --threads 2 --accesses 5K --seed 3 -o "$T/b.nst" 2>/dev/null &&
"$NUMASIM" trace gen --pattern gups --size 1M --threads 2 --accesses 5K --seed 4 -o "$T/c.nst" 2>/dev/null
check "gen: same seed same bytes, other seed other bytes" 'cmp -s "$T/a.nst" "$T/b.nst" && ! cmp -s "$T/a.nst" "$T/c.nst"'

cat >"$T/spec.json" <<JSON
{"name": "clitest", "machines": ["$MACHINE"],
 "workloads": [{"name": "gups", "pattern": "gups", "size": "1M", "threads": 2, "accesses": "2K"},
               {"name": "stream", "pattern": "stream", "size": "1M", "accesses": "2K"}],
 "policies": ["default", "interleave:0-1"],
 "metrics": ["summary.accesses", "summary.latency.mean_ns", "summary.remote_ratio"]}
JSON
"$NUMASIM" sweep "$T/spec.json" -o "$T/out" -j 2 2>"$T/sweep1.log"
rc=$?
check "sweep: exit 0, 4 ok rows, traces generated once" \
    '[ $rc -eq 0 ] && [ $(grep -c ",ok," "$T/out/results.csv") -eq 4 ] && [ -s "$T/out/traces/gups.nst" ] && [ -s "$T/out/traces/stream.nst" ]'
head -n 1 "$T/out/results.csv" >"$T/head"
check "sweep: header row" 'grep -qx "id,machine,workload,policy,overrides,seed,status,summary.accesses,summary.latency.mean_ns,summary.remote_ratio" "$T/head"'
check "sweep: gups accesses column = 4000" 'grep -q "^p0001-gups-default,$MACHINE,gups,default,,1,ok,4000," "$T/out/results.csv"'

# resume: finished points are not re-run (their report keeps its inode), removed ones are.
cp "$T/out/results.csv" "$T/first.csv"
ino1=$(ls -i "$T/out/points/p0001-gups-default/report.json" | cut -d' ' -f1)
rm "$T/out/points/p0002-gups-interleave-0-1/report.json" "$T/out/points/p0004-stream-interleave-0-1/report.json"
"$NUMASIM" sweep "$T/spec.json" -o "$T/out" -j 2 2>"$T/sweep2.log"
ino2=$(ls -i "$T/out/points/p0001-gups-default/report.json" | cut -d' ' -f1)
check "resume: 2 done points skipped, 2 re-run, same results" \
    '[ "$ino1" = "$ino2" ] && grep -q "2 already done, 2 run, 0 failed" "$T/sweep2.log" && cmp -s "$T/first.csv" "$T/out/results.csv"'

# failure: a bad policy fails its points only; error.txt; exit status non-zero.
sed 's/"interleave:0-1"/"no-such-policy:9"/' "$T/spec.json" >"$T/bad.json"
"$NUMASIM" sweep "$T/bad.json" -o "$T/bad" -j 2 2>/dev/null
rc=$?
check "failure: recorded, others go on, exit non-zero" \
    '[ $rc -ne 0 ] && grep -q "^exit status" "$T/bad/points/p0002-gups-no-such-policy-9/error.txt" && [ $(grep -c ",failed," "$T/bad/results.csv") -eq 2 ] && [ $(grep -c ",ok," "$T/bad/results.csv") -eq 2 ]'

# --only-points runs just those and leaves results.csv to collect.
"$NUMASIM" sweep "$T/spec.json" -o "$T/part" --only-points 2..3 -j 1 2>/dev/null
check "only-points: exactly points 2 and 3" \
    '[ $(ls "$T/part/points" | wc -l) -eq 2 ] && [ -e "$T/part/points/p0002-gups-interleave-0-1/report.json" ] && [ -e "$T/part/points/p0003-stream-default/report.json" ] && [ ! -e "$T/part/results.csv" ]'

"$NUMASIM" sweep collect "$T/part" 2>/dev/null
rc=$?
grep -E "^p000[23]-" "$T/first.csv" >"$T/ok23"
check "collect: missing points reported, ok rows equal the full run's" \
    '[ $rc -ne 0 ] && [ $(grep -c ",missing," "$T/part/results.csv") -eq 2 ] && grep ",ok," "$T/part/results.csv" | cmp -s - "$T/ok23"'

"$NUMASIM" sweep "$T/spec.json" -o "$T/out" --slurm --points-per-task 3 --partition debug --slurm-dry-run >/dev/null 2>&1
check "slurm: dry run writes an array script of ceil(4/3) tasks" \
    'grep -q "^#SBATCH --array=0-1$" "$T/out/sweep.sbatch" && grep -q "^#SBATCH --partition=debug$" "$T/out/sweep.sbatch" && grep -q -- "--only-points" "$T/out/sweep.sbatch"'

if command -v gnuplot >/dev/null; then
    "$NUMASIM" plot "$T/out" -o "$T/fig" >/dev/null 2>&1
    check "plot: non-empty PNG and SVG" \
        '[ -s "$T/fig/bars-mean_ns.png" ] && [ -s "$T/fig/bars-mean_ns.svg" ] && [ "$(head -c 4 "$T/fig/bars-mean_ns.png" | tail -c 3)" = PNG ] && grep -q "<svg" "$T/fig/bars-mean_ns.svg"'
else
    n=$((n + 1)); echo "ok $n # skip plot: gnuplot not installed"
fi
echo "1..$n"
