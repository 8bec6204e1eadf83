# plots/common.gp - shared look of every numasim figure (loaded by the others).
# Underscores in labels are literal: every terminal is noenhanced.
set datafile separator ','
set key noenhanced
set title noenhanced
set grid ytics lc rgb '#dddddd'
set border 3
set tics nomirror
# A figure's .meta file (written by `numasim plot`): line 1 "NF NP YMAX NW",
# then NF facet names, NP policy names, NP colours, NW workload names.
metaline(f, i) = system(sprintf("sed -n '%dp' '%s'", i, f))
