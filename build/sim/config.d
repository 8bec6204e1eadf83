build/sim/config.o: sim/config.c sim/config.h sim/types.h sim/err.h
sim/config.h:
sim/types.h:
sim/err.h:
