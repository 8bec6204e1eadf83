# plots/bars.gp - clustered bars: one cluster per workload, one bar per series.
# gnuplot -c bars.gp DATA.csv OUTBASE TITLE YLABEL NCOLS
# DATA.csv: header "workload,<series>..."; one row per workload.
load ARG0[1:strstrt(ARG0,'bars.gp')-1].'common.gp'
ncols = int(ARG5)
set title ARG3
set xlabel 'workload'
set ylabel ARG4
set yrange [0:*]
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set key outside right top
set terminal pngcairo size 900,500 noenhanced font 'DejaVu Sans,10'
set output ARG2.'.png'
plot for [c=2:ncols] ARG1 using c:xtic(1) title columnheader(c)
set terminal svg size 900,500 noenhanced font 'DejaVu Sans,10'
set output ARG2.'.svg'
replot
