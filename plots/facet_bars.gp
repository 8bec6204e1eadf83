# plots/facet_bars.gp - one summary metric: clusters of bars per workload, one
# bar per memory policy (its colour is the same in every figure), one panel
# per configuration (machine x override set) on a shared y axis, error bars
# from the lowest to the highest seed, the legend below the panels.
# gnuplot -c facet_bars.gp DATA.dat OUTBASE TITLE YLABEL META
# DATA.dat: one block per configuration; rows: "workload" then mean min max per policy.
load ARG0[1:strstrt(ARG0,'facet_bars.gp')-1].'common.gp'
set datafile separator whitespace
meta = ARG5
hdr = metaline(meta, 1)
nf = int(word(hdr, 1)); np = int(word(hdr, 2)); ymax = real(word(hdr, 3)); nw = int(word(hdr, 4))
facet(i) = metaline(meta, 1 + i)
pol(i) = metaline(meta, 1 + nf + i)
col(i) = metaline(meta, 1 + nf + np + i)
# 1 if policy p has a value in facet f; a column without any keeps its slot, drawn invisibly
has(f, p) = int(word(metaline(meta, 1 + nf + 2 * np + nw + f), p))
set style data histograms
set style histogram errorbars gap 1 lw 1
set style fill solid 0.9 border rgb '#333333'
set boxwidth 0.9
set bars front
set yrange [0:ymax]
set xtics scale 0 rotate by -20 offset -1,0
# Panel width grows with the bars it holds; the tick labels and the legend
# row below them need a fixed room at the bottom.
pw = (nw * (np + 1) * 22 > 300 ? nw * (np + 1) * 22 : 300)
W = nf * pw + 120; W = (W < 640 ? 640 : W)
H = 500
L = 80.0 / W; R = 1 - 20.0 / W; gap = 30.0 / W; pwf = (R - L - (nf - 1) * gap) / nf
B = 105.0 / H; T = (nf > 1 ? 1 - 70.0 / H : 1 - 45.0 / H)
do for [term=1:2] {
    if (term == 1) { set terminal pngcairo size W,H noenhanced font 'DejaVu Sans,11'; set output ARG2.'.png' }
    if (term == 2) { set terminal svg size W,H noenhanced font 'DejaVu Sans,11'; set output ARG2.'.svg' }
    set multiplot title ARG3 font ',13'
    unset key
    do for [f=1:nf] {
        if (nf > 1) { set title facet(f) font ',12' } else { unset title }
        set ylabel (f == 1 ? ARG4 : '')
        set lmargin at screen L + (f - 1) * (pwf + gap); set rmargin at screen L + (f - 1) * (pwf + gap) + pwf
        set tmargin at screen T; set bmargin at screen B
        plot for [p=1:np] ARG1 index (f-1) \
            using (has(f, p) ? column(3*p-1) : 0):(has(f, p) ? column(3*p) : 0):(has(f, p) ? column(3*p+1) : 0):xtic(1) \
            lc rgb (has(f, p) ? col(p) : '#FFFFFFFF') notitle
    }
    # the legend: a row of its own below the panels, as wide as the figure
    set lmargin at screen 0.02; set rmargin at screen 0.98; set tmargin at screen 40.0 / H; set bmargin at screen 0.0
    unset title; unset xtics; unset ytics; unset xlabel; unset ylabel; unset border; unset grid
    set xrange [0:1]; set yrange [0:1]
    set key center center horizontal maxrows 1 samplen 1.5 width 2 reverse Left
    plot 2 with lines notitle, for [p=1:np] keyentry with boxes fill solid 0.9 lc rgb col(p) title pol(p)
    unset multiplot
    # undo the legend's settings for the second terminal
    set xtics; set ytics; set border 3; set grid ytics; set autoscale x; set yrange [0:ymax]; unset key
}
