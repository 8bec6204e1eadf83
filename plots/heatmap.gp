# plots/heatmap.gp - node-to-node link traffic of one point (MiB), from hw.links.
# gnuplot -c heatmap.gp DATA.csv OUTBASE TITLE MAX
# DATA.csv: matrix with a header row and a header column ("node 0", ...);
# MAX > 0 (numasim plot draws no heatmap of a point without traffic).
load ARG0[1:strstrt(ARG0,'heatmap.gp')-1].'common.gp'
set title "Link traffic (MiB)\n".ARG3
set xlabel 'to node'
set ylabel 'from node'
set cblabel 'traffic (MiB)' offset 1,0
set cbrange [0:real(ARG4)]
set yrange [*:*] reverse
set palette defined (0 '#ffffff', 1 '#fdd49e', 2 '#fc8d59', 3 '#b30000')
set grid noytics
set tics out
set key off
do for [term=1:2] {
    if (term == 1) { set terminal pngcairo size 640,520 noenhanced font 'DejaVu Sans,10'; set output ARG2.'.png' }
    if (term == 2) { set terminal svg size 640,520 noenhanced font 'DejaVu Sans,10'; set output ARG2.'.svg' }
    plot ARG1 matrix rowheaders columnheaders with image, \
         '' matrix rowheaders columnheaders using 1:2:(sprintf('%.1f', $3)) with labels
}
