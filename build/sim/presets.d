build/sim/presets.o: sim/presets.c sim/presets.h
sim/presets.h:
