# plots/heatmap.gp - node-to-node link traffic (MiB), from hw.links.
# gnuplot -c heatmap.gp DATA.csv OUTBASE TITLE
# DATA.csv: matrix with a header row and a header column (node0, node1, ...).
load ARG0[1:strstrt(ARG0,'heatmap.gp')-1].'common.gp'
set title ARG3
set xlabel 'destination node'
set ylabel 'source node'
set cblabel 'traffic (MiB)'
set yrange [*:*] reverse
set palette defined (0 '#ffffff', 1 '#fdd49e', 2 '#fc8d59', 3 '#b30000')
set grid noytics
set tics out
set key off
set terminal pngcairo size 600,500 noenhanced font 'DejaVu Sans,10'
set output ARG2.'.png'
plot ARG1 matrix rowheaders columnheaders with image title 'MiB', \
     '' matrix rowheaders columnheaders using 1:2:(sprintf('%.1f', $3)) with labels title ''
set terminal svg size 600,500 noenhanced font 'DejaVu Sans,10'
set output ARG2.'.svg'
replot
