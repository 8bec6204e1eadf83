build/sim/report.o: sim/report.c sim/afile.h sim/err.h sim/types.h \
 sim/report.h sim/stats.h sim/hist.h
sim/afile.h:
sim/err.h:
sim/types.h:
sim/report.h:
sim/stats.h:
sim/hist.h:
