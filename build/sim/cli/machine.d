build/sim/cli/machine.o: sim/cli/machine.c sim/cli/machine.h hw/hw_cfg.h \
 sim/config.h sim/types.h os/os_cfg.h sim/err.h sim/presets.h
sim/cli/machine.h:
hw/hw_cfg.h:
sim/config.h:
sim/types.h:
os/os_cfg.h:
sim/err.h:
sim/presets.h:
