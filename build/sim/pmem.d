build/sim/pmem.o: sim/pmem.c sim/err.h sim/types.h sim/pmem.h
sim/err.h:
sim/types.h:
sim/pmem.h:
