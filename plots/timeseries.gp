# plots/timeseries.gp - report.timeseries: one panel per sampled column.
# gnuplot -c timeseries.gp DATA.csv OUTBASE TITLE NCOLS 'NAMES'  (NAMES: the header's column names, space-separated)
# DATA.csv: header "t_ms,<columns>..." (written by `numasim plot`); each column's
# name carries its unit and is the panel's legend.
load ARG0[1:strstrt(ARG0,'timeseries.gp')-1].'common.gp'
ncols = int(ARG4)
panels = ncols - 1
set key top left
do for [term=1:2] {
    if (term == 1) { set terminal pngcairo size 900,(220*panels+60) noenhanced font 'DejaVu Sans,10'; set output ARG2.'.png' }
    if (term == 2) { set terminal svg size 900,(220*panels+60) noenhanced font 'DejaVu Sans,10'; set output ARG2.'.svg' }
    set multiplot layout panels,1 title ARG3 noenhanced
    do for [c=2:ncols] {
        set xlabel 'simulated time (ms)'
        set ylabel ''
        plot ARG1 using 1:c with lines lw 2 title columnheader(c)
    }
    unset multiplot
}
