build/sim/ev.o: sim/ev.c sim/err.h sim/types.h sim/ev.h
sim/err.h:
sim/types.h:
sim/ev.h:
