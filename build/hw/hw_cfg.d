build/hw/hw_cfg.o: hw/hw_cfg.c hw/hw_cfg.h sim/config.h sim/types.h \
 sim/err.h
hw/hw_cfg.h:
sim/config.h:
sim/types.h:
sim/err.h:
