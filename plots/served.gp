# plots/served.gp - where the accesses were served: one panel per workload,
# a stacked bar per memory policy (% of accesses), grouped by configuration
# (named above each group); the legend row below the panels.
# gnuplot -c served.gp DATA.dat OUTBASE TITLE META
# DATA.dat: one block per (workload, configuration); rows: "policy" then 7 shares.
load ARG0[1:strstrt(ARG0,'served.gp')-1].'common.gp'
set datafile separator whitespace
meta = ARG4
hdr = metaline(meta, 1)
nf = int(word(hdr, 1)); np = int(word(hdr, 2)); nw = int(word(hdr, 4))
facet(i) = metaline(meta, 1 + i)
wl(i) = metaline(meta, 1 + nf + 2 * np + i)
levels = "L1 L2 L3 c2c-local c2c-remote DRAM-local DRAM-remote"
lcol(k) = word("#c7e9c0 #74c476 #238b45 #9ecae1 #3182bd #fdae6b #d94801", k)
set style data histograms
set style histogram rowstacked
set style fill solid 0.9 border rgb '#333333'
set boxwidth 0.75
set yrange [0:100]
set xtics rotate by -40 scale 0 font ',9'
cols = (nw > 1 ? 2 : 1); rows = (nw + cols - 1) / cols
# at least 600 px a panel: the 7-entry legend row fits on one line
pw = (nf * (np + 1) * 30 > 600 ? nf * (np + 1) * 30 : 600)
# room below a panel for policy names rotated by -40 degrees (about 4 px of height per character)
lmax = 0
do for [i=1:np] { n = strlen(metaline(meta, 1 + nf + i)); lmax = (n > lmax ? n : lmax) }
ph = 250; room = (lmax * 4 + 40 > 120 ? lmax * 4 + 40 : 120); head = (nf > 1 ? 45 : 25)
# 80 px of right margin: the last rotated name runs past its bar to the right
W = cols * (pw + 80) + 80; H = 45 + rows * (ph + room + head) + 40
Wf = 1.0 * W; Hf = 1.0 * H    # screen fractions must not be integer divisions
do for [term=1:2] {
    if (term == 1) { set terminal pngcairo size W,H noenhanced font 'DejaVu Sans,10'; set output ARG2.'.png' }
    if (term == 2) { set terminal svg size W,H noenhanced font 'DejaVu Sans,10'; set output ARG2.'.svg' }
    set multiplot title ARG3 font ',13'
    do for [w=1:nw] {
        r = (w - 1) / cols; c = (w - 1) % cols
        top = H - 45 - r * (ph + room + head) - head
        set lmargin at screen (c * (pw + 80) + 70) / Wf; set rmargin at screen (c * (pw + 80) + 70 + pw) / Wf
        set tmargin at screen top / Hf; set bmargin at screen (top - ph) / Hf
        set title 'workload '.wl(w) font ',11' offset 0, (nf > 1 ? 1.2 : 0)
        set ylabel (c == 0 ? 'share of accesses (%)' : '')
        unset label
        if (nf > 1) {
            do for [f=1:nf] {
                set label f facet(f) at first ((f - 1) * (np + 1) + (np - 1) / 2.0), graph 1.04 center font ',9'
            }
        }
        cmd = 'plot '
        do for [f=1:nf] {
            cmd = cmd."newhistogram '', "
            do for [k=1:7] {
                cmd = cmd.sprintf("'%s' index %d using %d%s lc rgb '%s' notitle, ", ARG1, (w - 1) * nf + (f - 1), \
                                  k + 1, (k == 1 ? ':xtic(1)' : ''), lcol(k))
            }
        }
        eval(cmd[1:strlen(cmd)-2])
    }
    # the legend row
    unset label; unset title; unset xtics; unset ytics; unset ylabel; unset border; unset grid
    set lmargin at screen 0.02; set rmargin at screen 0.98; set tmargin at screen 35 / Hf; set bmargin at screen 0.0
    set xrange [0:1]; set yrange [0:1]
    set key center center horizontal maxrows 1 samplen 1.5 width 1 reverse Left
    plot 2 with lines notitle, for [k=1:7] keyentry with boxes fill solid 0.9 lc rgb lcol(k) title word(levels, k)
    unset multiplot
    unset key; set xtics rotate by -40 scale 0 font ',9'; set ytics; set border 3; set grid ytics
    set autoscale x; set yrange [0:100]
}
