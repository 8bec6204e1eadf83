build/sim/err.o: sim/err.c sim/err.h sim/types.h
sim/err.h:
sim/types.h:
