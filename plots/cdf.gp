# plots/cdf.gp - access latency distributions: one panel per workload, a
# curve per (policy, configuration): colour = policy, line style =
# configuration; the legend row below the panels lists each once.
# gnuplot -c cdf.gp DATA.dat OUTBASE TITLE META BLOCKS
# BLOCKS: "index workload configuration policy" of every block of DATA.dat.
load ARG0[1:strstrt(ARG0,'cdf.gp')-1].'common.gp'
set datafile separator whitespace
meta = ARG4
hdr = metaline(meta, 1)
nf = int(word(hdr, 1)); np = int(word(hdr, 2)); nw = int(word(hdr, 4))
facet(i) = metaline(meta, 1 + i)
pol(i) = metaline(meta, 1 + nf + i)
col(i) = metaline(meta, 1 + nf + np + i)
wl(i) = metaline(meta, 1 + nf + 2 * np + i)
blocks = system(sprintf("tr '\n' ' ' < '%s'", ARG5))
nb = words(blocks) / 4
set logscale x
units = 'set xtics ("1 ns" 1, "10 ns" 10, "100 ns" 100, "1 us" 1e3, "10 us" 1e4, "100 us" 1e5, "1 ms" 1e6, "10 ms" 1e7, "100 ms" 1e8)'
eval(units)
set xlabel 'access latency'
set yrange [0:1.02]
set grid xtics ytics lc rgb '#dddddd'
cols = (nw > 1 ? 2 : 1); rows = (nw + cols - 1) / cols
pw = 460; ph = 250; gapx = 90; rowh = ph + 95
legend = (nf > 1 ? 60 : 35)
W = cols * (pw + gapx) + 20; H = 45 + rows * rowh + legend
Wf = 1.0 * W; Hf = 1.0 * H
do for [term=1:2] {
    if (term == 1) { set terminal pngcairo size W,H noenhanced font 'DejaVu Sans,10'; set output ARG2.'.png' }
    if (term == 2) { set terminal svg size W,H noenhanced font 'DejaVu Sans,10'; set output ARG2.'.svg' }
    set multiplot title ARG3 font ',13'
    unset key
    do for [w=1:nw] {
        r = (w - 1) / cols; c = (w - 1) % cols
        top = H - 45 - r * rowh - 25
        set lmargin at screen (c * (pw + gapx) + 75) / Wf; set rmargin at screen (c * (pw + gapx) + 75 + pw) / Wf
        set tmargin at screen top / Hf; set bmargin at screen (top - ph) / Hf
        set title 'workload '.wl(w) font ',11'
        set ylabel (c == 0 ? 'fraction of accesses <= latency' : '')
        cmd = 'plot '
        do for [b=0:nb-1] {
            if (int(word(blocks, 4 * b + 2)) == w) {
                cmd = cmd.sprintf("'%s' index %d using 1:2 with steps lw 1.5 lc rgb '%s' dt %d notitle, ", \
                                  ARG1, int(word(blocks, 4 * b + 1)), col(int(word(blocks, 4 * b + 4))), \
                                  int(word(blocks, 4 * b + 3)))
            }
        }
        # a workload whose points all failed has no curve: leave its panel out
        if (strlen(cmd) > 5) { eval(cmd[1:strlen(cmd)-2]) }
    }
    # the legend rows: policies (colour), then configurations (line style)
    unset title; unset xtics; unset ytics; unset xlabel; unset ylabel; unset border; unset grid; unset logscale x
    set xrange [0:1]; set yrange [0:1]
    set lmargin at screen 0.02; set rmargin at screen 0.98; set tmargin at screen legend / Hf
    set bmargin at screen (nf > 1 ? 30 : 0) / Hf
    set key center center horizontal maxrows 1 samplen 2.5 width 2 reverse Left
    plot 2 with lines notitle, for [p=1:np] keyentry with lines lw 3 lc rgb col(p) title pol(p)
    if (nf > 1) {
        set tmargin at screen 30 / Hf; set bmargin at screen 0
        plot 2 with lines notitle, for [f=1:nf] keyentry with lines lw 2 lc rgb '#444444' dt f title facet(f)
    }
    unset multiplot
    unset key; eval(units); set ytics; set border 3; set grid xtics ytics; set logscale x; set autoscale x
    set yrange [0:1.02]; set xlabel 'access latency'
}
