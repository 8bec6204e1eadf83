#!/bin/sh
# experiments/main.sh [NUMASIM] - the main job (`make run`).
#
# Runs experiments/main.json (four workloads x four memory policies on the
# machine named there) into results/main/: results.csv and figures/*.png|svg.
# The spec's @CPUS2@ / @CPUS4@ / @NODE0x2@ placeholders become CPUs on nodes 0
# and 1, read from `numasim machine show`, so the threads really sit on two
# sockets whatever the preset's CPU count.  Re-running resumes: finished
# points are kept (delete results/main to start over), unless numasim was
# rebuilt: then every point runs again (numasim sweep's build check).
set -eu
NUMASIM=${1:-build/numasim}
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${NUMASIM_MAIN_OUT:-results/main}
SPEC=$HERE/main.json
machine=$(tr -d '\n' < "$SPEC" | sed -n 's/.*"machines": *\[ *"\([^"]*\)".*/\1/p')

show=$("$NUMASIM" machine show "$machine") || { echo "main.sh: cannot read machine $machine" >&2; exit 1; }
n0=$(echo "$show" | sed -n 's/^node 0 cpus: *//p')
n1=$(echo "$show" | sed -n 's/^node 1 cpus: *//p')
[ -n "$n0" ] && [ -n "$n1" ] || { echo "main.sh: $machine needs two nodes with CPUs" >&2; exit 1; }
a0=$(echo "$n0" | awk '{print $1}'); b0=$(echo "$n0" | awk '{print ($2 == "" ? $1 : $2)}')
a1=$(echo "$n1" | awk '{print $1}'); b1=$(echo "$n1" | awk '{print ($2 == "" ? $1 : $2)}')

mkdir -p "$OUT"
sed -e "s/@CPUS2@/$a0,$a1/g" -e "s/@CPUS4@/$a0,$b0,$a1,$b1/g" -e "s/@NODE0x2@/$a0,$b0/g" "$SPEC" >"$OUT/main.spec.json.tmp"
if [ -e "$OUT/main.spec.json" ] && ! cmp -s "$OUT/main.spec.json" "$OUT/main.spec.json.tmp"; then
    echo "main.sh: $OUT was made from another spec or machine; remove it first" >&2
    rm -f "$OUT/main.spec.json.tmp"; exit 1
fi
mv "$OUT/main.spec.json.tmp" "$OUT/main.spec.json"

rc=0
"$NUMASIM" sweep "$OUT/main.spec.json" -o "$OUT" || rc=$?
"$NUMASIM" plot "$OUT" -o "$OUT/figures" || rc=1
echo "main.sh: $OUT/results.csv, figures in $OUT/figures" >&2
exit $rc
