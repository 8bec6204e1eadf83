#!/bin/sh
# plots/plot.sh DATA_DIR FIGDIR - draw the figures `numasim plot` listed.
#
# `numasim plot` writes the data files and DATA_DIR/figures.tsv, one figure
# per line: OUT, caption, gnuplot script, data file, the script's arguments
# (tab-separated).  This script draws each as FIGDIR/OUT.png and .svg and
# writes FIGDIR/index.md: every figure with its caption.  Needs gnuplot
# with pngcairo and svg.  Any gnuplot warning is an error: a figure that
# needed one is a figure to fix.
set -eu
DATA=${1:?usage: plot.sh DATA_DIR FIGDIR}
FIG=${2:?usage: plot.sh DATA_DIR FIGDIR}
HERE=$(cd "$(dirname "$0")" && pwd)
command -v gnuplot >/dev/null || { echo "plot.sh: gnuplot not found (apt-get install gnuplot-nox)" >&2; exit 1; }
[ -s "$DATA/figures.tsv" ] || { echo "plot.sh: $DATA/figures.tsv: no figures listed" >&2; exit 1; }
mkdir -p "$FIG"
FIG=$(cd "$FIG" && pwd)     # gnuplot runs in DATA, where the data files are named plainly
n=0
TAB=$(printf '\t')
index="$FIG/index.md.tmp.$$"
trap 'rm -f "$index"' EXIT
{
    echo "# Figures"
    echo
    echo "Drawn by \`numasim plot\` from the reports of a sweep; PNG and SVG of each."
    echo
} >"$index"

# Each figure is drawn under a temporary name and renamed into place, so an
# interrupted run never leaves a half-written PNG or SVG behind.
while IFS=$TAB read -r out caption script data a1 a2 a3; do
    tmp="$FIG/$out.tmp.$$"
    (cd "$DATA" && gnuplot -c "$HERE/$script" "$data" "$tmp" "$a1" "$a2" "$a3") 2>"$tmp.log" &&
        ! grep -qi 'warning' "$tmp.log" ||
        { cat "$tmp.log" >&2; rm -f "$tmp.png" "$tmp.svg" "$tmp.log"; echo "plot.sh: $script failed on $data" >&2; exit 1; }
    mv "$tmp.png" "$FIG/$out.png" && mv "$tmp.svg" "$FIG/$out.svg" && rm -f "$tmp.log"
    n=$((n + 1))
    printf '%s. ![%s](%s.png) **%s** %s [SVG](%s.svg)\n\n' "$n" "$out" "$out" "$out:" "$caption" "$out" >>"$index"
done <"$DATA/figures.tsv"
mv "$index" "$FIG/index.md"
trap - EXIT
echo "plot.sh: $n figures (PNG and SVG) in $FIG, captions in $FIG/index.md" >&2
