# plots/common.gp - shared look of every numasim figure (loaded by the others).
# Underscores in labels are literal: every terminal is noenhanced.
set datafile separator ','
set key noenhanced
set title noenhanced
set grid ytics lc rgb '#dddddd'
set border 3
set tics nomirror
