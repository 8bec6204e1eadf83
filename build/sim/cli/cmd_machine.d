build/sim/cli/cmd_machine.o: sim/cli/cmd_machine.c sim/cli/cmds.h \
 sim/cli/machine.h hw/hw_cfg.h sim/config.h sim/types.h os/os_cfg.h \
 sim/err.h sim/presets.h
sim/cli/cmds.h:
sim/cli/machine.h:
hw/hw_cfg.h:
sim/config.h:
sim/types.h:
os/os_cfg.h:
sim/err.h:
sim/presets.h:
