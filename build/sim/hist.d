build/sim/hist.o: sim/hist.c sim/hist.h sim/types.h
sim/hist.h:
sim/types.h:
