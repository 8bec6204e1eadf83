#!/bin/sh
# tests/experiments/test_sweep_cli.sh BUILD_DIR - numasim trace gen, sweep,
# resume, failure recording, --only-points, collect, seeds, progress,
# metric names, Slurm scripts and plot, end to end.
# TAP output; skips cleanly while $NUMASIM is not built or lacks the commands.
BUILD=${1:-build}
NUMASIM=${NUMASIM:-$BUILD/numasim}
MACHINE=${NUMASIM_TEST_MACHINE:-tiny}
T=$(mktemp -d "${TMPDIR:-/tmp}/numasim-sweep-XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
n=0
ok()   { n=$((n + 1)); echo "ok $n - $1"; }
nok()  { n=$((n + 1)); echo "not ok $n - $1"; }
expect() { if eval "$2"; then ok "$1"; else nok "$1"; fi; }   # as tests/e2e/tap.sh's: ok when the shell text succeeds
skip_all() { for name in gen sweep resume failure only-points collect slurm-script plot; do n=$((n + 1)); echo "ok $n # skip $name: $1"; done; echo "1..$n"; exit 0; }

[ -x "$NUMASIM" ] || skip_all "$NUMASIM not built"
"$NUMASIM" sweep --help >/dev/null 2>&1 || skip_all "numasim sweep not wired into $NUMASIM"
"$NUMASIM" trace gen --help >/dev/null 2>&1 || skip_all "numasim trace gen not wired into $NUMASIM"

# gen: deterministic per seed, and the seed matters.
"$NUMASIM" trace gen --pattern gups --size 1M --threads 2 --accesses 5K --seed 3 -o "$T/a.nst" 2>/dev/null &&
"$NUMASIM" trace gen --pattern gups --size 1M --threads 2 --accesses 5K --seed 3 -o "$T/b.nst" 2>/dev/null &&
"$NUMASIM" trace gen --pattern gups --size 1M --threads 2 --accesses 5K --seed 4 -o "$T/c.nst" 2>/dev/null
expect "gen: same seed same bytes, other seed other bytes" 'cmp -s "$T/a.nst" "$T/b.nst" && ! cmp -s "$T/a.nst" "$T/c.nst"'

cat >"$T/spec.json" <<JSON
{"name": "clitest", "machines": ["$MACHINE"],
 "workloads": [{"name": "gups", "pattern": "gups", "size": "1M", "threads": 2, "accesses": "2K"},
               {"name": "stream", "pattern": "stream", "size": "1M", "accesses": "2K"}],
 "policies": ["default", "interleave:0-1"],
 "metrics": ["summary.accesses", "summary.latency.mean_ns", "summary.remote_ratio"]}
JSON
"$NUMASIM" sweep "$T/spec.json" -o "$T/out" -j 2 2>"$T/sweep1.log"
rc=$?
expect "sweep: exit 0, 4 ok rows, traces generated once per seed" \
    '[ $rc -eq 0 ] && [ $(grep -c ",ok," "$T/out/results.csv") -eq 4 ] && [ -s "$T/out/traces/gups-s1.nst" ] && [ -s "$T/out/traces/stream-s1.nst" ]'
head -n 1 "$T/out/results.csv" >"$T/head"
expect "sweep: header row" 'grep -qx "id,machine,workload,policy,overrides,seed,status,summary.accesses,summary.latency.mean_ns,summary.remote_ratio" "$T/head"'
# 2 threads x 2K accesses, plus one first-touch store per 4 KiB page of the 1 MiB region
expect "sweep: gups accesses column = 4000 + 256 first touches" 'grep -q "^p0001-gups-default,$MACHINE,gups,default,,1,ok,4256," "$T/out/results.csv"'

# resume: finished points are not re-run (their report keeps its inode), removed ones are.
cp "$T/out/results.csv" "$T/first.csv"
ino1=$(ls -i "$T/out/points/p0001-gups-default/report.json" | cut -d' ' -f1)
rm "$T/out/points/p0002-gups-interleave-0-1/report.json" "$T/out/points/p0004-stream-interleave-0-1/report.json"
"$NUMASIM" sweep "$T/spec.json" -o "$T/out" -j 2 2>"$T/sweep2.log"
ino2=$(ls -i "$T/out/points/p0001-gups-default/report.json" | cut -d' ' -f1)
expect "resume: 2 done points skipped, 2 re-run, same results" \
    '[ "$ino1" = "$ino2" ] && grep -q "2 already done, 2 run, 0 failed" "$T/sweep2.log" && cmp -s "$T/first.csv" "$T/out/results.csv"'

# another build: a binary whose bytes differ (here: one byte appended) does not resume
# the first one's points, it runs them all again and says so.
cp "$NUMASIM" "$T/numasim-other" && printf x >>"$T/numasim-other"
"$T/numasim-other" sweep "$T/spec.json" -o "$T/out" -j 2 2>"$T/sweep3.log"
expect "another build: every point runs again, with a message" \
    'grep -q "4 finished points were made by another numasim build" "$T/sweep3.log" && grep -q "0 already done, 4 run, 0 failed" "$T/sweep3.log" && cmp -s "$T/first.csv" "$T/out/results.csv"'
"$NUMASIM" sweep "$T/spec.json" -o "$T/out" -j 2 2>"$T/sweep4.log"
expect "another build: back to the first binary, everything runs again too" 'grep -q "0 already done, 4 run" "$T/sweep4.log"'
"$NUMASIM" sweep "$T/spec.json" -o "$T/out" -j 2 2>"$T/sweep5.log"
expect "same build: resumes (4 done)" 'grep -q "4 already done, 0 run" "$T/sweep5.log"'

# failure: a bad policy fails its points only; error.txt; exit status non-zero.
sed 's/"interleave:0-1"/"no-such-policy:9"/' "$T/spec.json" >"$T/bad.json"
"$NUMASIM" sweep "$T/bad.json" -o "$T/bad" -j 2 2>/dev/null
rc=$?
expect "failure: recorded, others go on, exit non-zero" \
    '[ $rc -ne 0 ] && grep -q "^exit status" "$T/bad/points/p0002-gups-no-such-policy-9/error.txt" && [ $(grep -c ",failed," "$T/bad/results.csv") -eq 2 ] && [ $(grep -c ",ok," "$T/bad/results.csv") -eq 2 ]'

# --only-points runs just those and leaves results.csv to collect.
"$NUMASIM" sweep "$T/spec.json" -o "$T/part" --only-points 2..3 -j 1 2>/dev/null
expect "only-points: exactly points 2 and 3" \
    '[ $(ls "$T/part/points" | wc -l) -eq 2 ] && [ -e "$T/part/points/p0002-gups-interleave-0-1/report.json" ] && [ -e "$T/part/points/p0003-stream-default/report.json" ] && [ ! -e "$T/part/results.csv" ]'

"$NUMASIM" sweep collect "$T/part" 2>/dev/null
rc=$?
grep -E "^p000[23]-" "$T/first.csv" >"$T/ok23"
expect "collect: missing points reported, ok rows equal the full run's" \
    '[ $rc -ne 0 ] && [ $(grep -c ",missing," "$T/part/results.csv") -eq 2 ] && grep ",ok," "$T/part/results.csv" | cmp -s - "$T/ok23"'

"$NUMASIM" sweep "$T/spec.json" -o "$T/out" --slurm --points-per-task 3 --partition debug --slurm-dry-run >/dev/null 2>&1
expect "slurm: dry run writes an array script of ceil(4/3) tasks" \
    'grep -q "^#SBATCH --array=0-1$" "$T/out/sweep.sbatch" && grep -q "^#SBATCH --partition=debug$" "$T/out/sweep.sbatch" && grep -q -- "--only-points" "$T/out/sweep.sbatch"'
"$NUMASIM" sweep "$T/spec.json" -o "$T/out" --slurm-dry-run --slurm-account proj7 --slurm-time 30:00 --slurm-max-running 1 >/dev/null 2>&1
expect "slurm: account, time limit and array throttle reach the script" \
    'grep -q "^#SBATCH --account=proj7$" "$T/out/sweep.sbatch" && grep -q "^#SBATCH --time=30:00$" "$T/out/sweep.sbatch" && grep -q "^#SBATCH --array=0-[0-9]*%1$" "$T/out/sweep.sbatch"'
"$NUMASIM" sweep "$T/spec.json" -o "$T/out" --slurm-dry-run --slurm-account 'a
#SBATCH --x' >/dev/null 2>&1
rc=$?
expect "slurm: a value that would add a line to the script is refused" '[ $rc -eq 2 ]'

# seeds: the seed reaches the generator, so a random pattern's rows differ per seed.
cat >"$T/seeds.json" <<JSON
{"name": "seeds", "machines": ["$MACHINE"],
 "workloads": [{"name": "u", "pattern": "uniform", "size": "1M", "threads": 2, "accesses": "2K"}],
 "seeds": [1, 2], "metrics": ["summary.latency.mean_ns", "summary.sim_time_ns"]}
JSON
"$NUMASIM" sweep "$T/seeds.json" -o "$T/seeds" -j 2 --progress 2>"$T/seeds.log"
expect "seeds: two seeds, two traces, rows that differ" \
    '! cmp -s "$T/seeds/traces/u-s1.nst" "$T/seeds/traces/u-s2.nst" && [ "$(cut -d, -f8- "$T/seeds/results.csv" | sed -n 2p)" != "$(cut -d, -f8- "$T/seeds/results.csv" | sed -n 3p)" ]'
expect "progress: --progress draws points done, failed and ETA" 'grep -q "2/2 points done, 0 failed" "$T/seeds.log"'

# a misspelled metric is an error naming the nearest, not an empty column
sed 's/summary.sim_time_ns/summary.sim_tme_ns/' "$T/seeds.json" >"$T/typo.json"
"$NUMASIM" sweep "$T/typo.json" -o "$T/typo" -j 2 --no-progress 2>"$T/typo.log"
rc=$?
expect "metric: misspelled metric fails, suggests the right one" \
    '[ $rc -ne 0 ] && grep -q "did you mean \"summary.sim_time_ns\"" "$T/typo.log" && [ ! -e "$T/typo/results.csv" ]'
"$NUMASIM" sweep collect --help >"$T/help" 2>&1
rc=$?
expect "collect --help: usage, exit 0" '[ $rc -eq 0 ] && grep -q "usage: numasim sweep collect DIR" "$T/help"'


if command -v gnuplot >/dev/null; then
    "$NUMASIM" plot "$T/out" -o "$T/fig" >/dev/null 2>"$T/plot.log"
    expect "plot: non-empty PNG and SVG" \
        '[ -s "$T/fig/latency-mean.png" ] && [ -s "$T/fig/latency-mean.svg" ] && [ "$(head -c 4 "$T/fig/latency-mean.png" | tail -c 3)" = PNG ] && grep -q "<svg" "$T/fig/latency-mean.svg"'
    expect "plot: summary figures only, each with a caption line in index.md, no gnuplot warning" \
        '[ $(ls "$T/fig"/*.png | wc -l) -eq $(grep -c "^[0-9]*\. !\[" "$T/fig/index.md") ] && [ $(ls "$T/fig"/*.png | wc -l) -le 8 ] && ! ls "$T/fig" | grep -q "^ts-\|^links-" && ! grep -qi warning "$T/plot.log"'
    expect "plot: one colour per policy, the same in every figure" \
        '[ "$(sed -n 5,6p "$T/fig/data/runtime.meta")" = "$(sed -n 5,6p "$T/fig/data/remote.meta")" ] && [ "$(sed -n 5p "$T/fig/data/runtime.meta")" != "$(sed -n 6p "$T/fig/data/runtime.meta")" ] && sed -n 5p "$T/fig/data/runtime.meta" | grep -q "^#[0-9A-F]\{6\}$"'
    "$NUMASIM" plot "$T/seeds" -o "$T/fig2" >/dev/null 2>&1
    expect "plot: error bars over seeds: min < max somewhere, and the caption says so" \
        'grep -q "mean over 2 seeds" "$T/fig2/index.md" && awk "NF > 1 && \$3 < \$4 { f = 1 } END { exit !f }" "$T/fig2/data/runtime.dat"'
    # a sweep plotted before any point of one workload finished: the rest is drawn, without that panel
    cp -r "$T/out" "$T/part"
    awk -F, '$3 != "stream"' "$T/out/results.csv" >"$T/part/results.csv" && rm -rf "$T/part/points/"*stream*
    "$NUMASIM" plot "$T/part" -o "$T/fig4" >/dev/null 2>"$T/plot4.log"
    expect "plot: a workload with no finished point leaves its panel out, the rest is drawn" \
        '[ -s "$T/fig4/latency-cdf.png" ] && [ -s "$T/fig4/runtime.png" ] && ! grep -qi "warning\|failed" "$T/plot4.log"'
    "$NUMASIM" plot "$T/out" -o "$T/fig3" --per-point >/dev/null 2>&1
    # gups under first touch stays on node 0 (both threads there): no link traffic, no heatmap
    expect "plot --per-point: link heatmaps only where links carried traffic" \
        '[ ! -e "$T/fig3/links-p0001-gups-default.png" ] && [ -e "$T/fig3/links-p0002-gups-interleave-0-1.png" ] && [ $(grep -c "^[0-9]*\. !\[" "$T/fig3/index.md") -eq $(ls "$T/fig3"/*.png | wc -l) ]'
else
    n=$((n + 1)); echo "ok $n # skip plot: gnuplot not installed"
fi
echo "1..$n"
