# plots/cdf.gp - latency CDF per series, from the report's latency histogram
# (summary.latency_cdf: each bucket's upper bound, within 1.6%) or, for
# reports without it, through the quantiles min/p50/p90/p99/max.
# gnuplot -c cdf.gp DATA.dat OUTBASE TITLE NBLOCKS
load ARG0[1:strstrt(ARG0,'cdf.gp')-1].'common.gp'
set datafile separator whitespace
nblocks = int(ARG4)
set title ARG3
set xlabel 'access latency (ns, log scale)'
set ylabel 'fraction of accesses <= latency'
set logscale x
set yrange [0:1.02]
set key bottom right
set terminal pngcairo size 800,500 noenhanced font 'DejaVu Sans,10'
set output ARG2.'.png'
plot for [i=0:nblocks-1] ARG1 index i using 1:2 with steps lw 2 title columnheader(1)
set terminal svg size 800,500 noenhanced font 'DejaVu Sans,10'
set output ARG2.'.svg'
replot
