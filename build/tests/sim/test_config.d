build/tests/sim/test_config: tests/sim/test_config.c tests/support/test.h \
 sim/config.h sim/types.h sim/err.h
tests/support/test.h:
sim/config.h:
sim/types.h:
sim/err.h:
