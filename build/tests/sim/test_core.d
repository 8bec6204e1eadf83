build/tests/sim/test_core: tests/sim/test_core.c tests/support/test.h \
 sim/afile.h sim/err.h sim/types.h sim/hist.h sim/pmem.h sim/report.h \
 sim/stats.h sim/rng.h
tests/support/test.h:
sim/afile.h:
sim/err.h:
sim/types.h:
sim/hist.h:
sim/pmem.h:
sim/report.h:
sim/stats.h:
sim/rng.h:
