# plots/served.gp - stacked share of accesses by where they were served.
# gnuplot -c served.gp DATA.csv OUTBASE TITLE NCOLS
# DATA.csv: header "series,l1,l2,l3,c2c_local,c2c_remote,dram_local,dram_remote" (fractions).
load ARG0[1:strstrt(ARG0,'served.gp')-1].'common.gp'
ncols = int(ARG4)
set title ARG3
set xlabel 'policy'
set ylabel 'share of accesses (fraction)'
set yrange [0:1]
set style data histograms
set style histogram rowstacked
set style fill solid 0.85 border -1
set boxwidth 0.6
set key outside right top
set xtics rotate by -20
set terminal pngcairo size 900,500 noenhanced font 'DejaVu Sans,10'
set output ARG2.'.png'
plot for [c=2:ncols] ARG1 using c:xtic(1) title columnheader(c)
set terminal svg size 900,500 noenhanced font 'DejaVu Sans,10'
set output ARG2.'.svg'
replot
