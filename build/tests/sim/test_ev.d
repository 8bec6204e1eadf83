build/tests/sim/test_ev: tests/sim/test_ev.c tests/support/test.h \
 sim/ev.h sim/types.h sim/rng.h
tests/support/test.h:
sim/ev.h:
sim/types.h:
sim/rng.h:
