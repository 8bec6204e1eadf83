#!/bin/sh
# plots/plot.sh DATA_DIR FIGDIR - draw every figure numasim plot prepared.
#
# `numasim plot` writes the data files (DATA_DIR/*.csv, *.dat) from a sweep's
# reports; this script picks the gnuplot script for each by its name and
# writes FIGDIR/<name>.png and .svg.  Needs gnuplot with pngcairo and svg.
set -eu
DATA=${1:?usage: plot.sh DATA_DIR FIGDIR}
FIG=${2:?usage: plot.sh DATA_DIR FIGDIR}
HERE=$(cd "$(dirname "$0")" && pwd)
command -v gnuplot >/dev/null || { echo "plot.sh: gnuplot not found (apt-get install gnuplot-nox)" >&2; exit 1; }
mkdir -p "$FIG"
n=0

ncols() { awk -F, 'NR == 1 { print NF; exit }' "$1"; }
# Each figure is drawn under a temporary name and renamed into place, so an
# interrupted run never leaves a half-written PNG or SVG behind.
gp() {
    tmp="$3.tmp.$$"
    gnuplot -c "$HERE/$1" "$2" "$tmp" "$4" "${5:-}" "${6:-}" 2>"$tmp.log" ||
        { cat "$tmp.log" >&2; rm -f "$tmp.png" "$tmp.svg" "$tmp.log"; echo "plot.sh: $1 failed on $2" >&2; exit 1; }
    grep -v '^Warning: empty y range' "$tmp.log" >&2 || true
    mv "$tmp.png" "$3.png" && mv "$tmp.svg" "$3.svg" && rm -f "$tmp.log"
    n=$((n + 1))
}

for f in "$DATA"/bars-*.csv; do
    [ -e "$f" ] || continue
    tag=$(basename "$f" .csv); tag=${tag#bars-}
    case $tag in
        mean_ns)      t="Mean access latency per policy";            y="mean latency (ns)" ;;
        p99_ns)       t="99th-percentile access latency per policy"; y="p99 latency (ns)" ;;
        remote_ratio) t="Remote share of DRAM and cache-to-cache accesses"; y="remote ratio (fraction)" ;;
        sim_time_ns)  t="Run time per policy";                       y="simulated run time (ns)" ;;
        xlat_share)   t="Address translation share of latency (TLB misses, walks)"; y="share of total latency (fraction)" ;;
        *)            t=$tag;                                        y=$tag ;;
    esac
    gp bars.gp "$f" "$FIG/bars-$tag" "$t" "$y" "$(ncols "$f")"
done
for f in "$DATA"/cdf-*.dat; do
    [ -e "$f" ] || continue
    w=$(basename "$f" .dat); w=${w#cdf-}
    gp cdf.gp "$f" "$FIG/cdf-$w" "Access latency CDF, workload $w" "$(grep -c '^"' "$f")"
done
for f in "$DATA"/served-*.csv; do
    [ -e "$f" ] || continue
    w=$(basename "$f" .csv); w=${w#served-}
    gp served.gp "$f" "$FIG/served-$w" "Where accesses were served, workload $w" "$(ncols "$f")"
done
for f in "$DATA"/links-*.csv; do
    [ -e "$f" ] || continue
    b=$(basename "$f" .csv); b=${b#links-}
    w=${b%%--*}; s=${b#*--}
    gp heatmap.gp "$f" "$FIG/links-$b" "Link traffic (MiB), workload $w, policy $s"
done
for f in "$DATA"/ts-*.csv; do
    [ -e "$f" ] || continue
    b=$(basename "$f" .csv); b=${b#ts-}
    gp timeseries.gp "$f" "$FIG/ts-$b" "Time series, point $b" "$(ncols "$f")" "$(head -n 1 "$f" | tr ',' ' ')"
done
echo "plot.sh: $n figures (PNG and SVG) in $FIG" >&2
