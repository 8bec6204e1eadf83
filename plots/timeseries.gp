# plots/timeseries.gp - report.timeseries of one point: one panel per column.
# gnuplot -c timeseries.gp DATA.csv OUTBASE TITLE NCOLS
# DATA.csv: header "t_ms,<columns>..." (written by `numasim plot`, only the
# columns that change); each column's name carries its unit.
load ARG0[1:strstrt(ARG0,'timeseries.gp')-1].'common.gp'
ncols = int(ARG4)
panels = ncols - 1
nrows = int(system(sprintf("wc -l < '%s'", ARG1))) - 1
style = (nrows < 30 ? 'linespoints pt 7 ps 0.6' : 'lines')
set key top left
set xlabel 'simulated time (ms)'
set ylabel ''
do for [term=1:2] {
    if (term == 1) { set terminal pngcairo size 900,(200*panels+80) noenhanced font 'DejaVu Sans,10'; set output ARG2.'.png' }
    if (term == 2) { set terminal svg size 900,(200*panels+80) noenhanced font 'DejaVu Sans,10'; set output ARG2.'.svg' }
    set multiplot layout panels,1 title "Time series\n".ARG3
    do for [c=2:ncols] {
        eval(sprintf("plot ARG1 using 1:%d with %s lw 2 lc rgb '#0072B2' title columnheader(%d)", c, style, c))
    }
    unset multiplot
}
