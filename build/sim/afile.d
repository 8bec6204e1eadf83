build/sim/afile.o: sim/afile.c sim/afile.h sim/err.h sim/types.h
sim/afile.h:
sim/err.h:
sim/types.h:
