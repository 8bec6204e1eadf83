build/sim/cli/cmd_mlc.o: sim/cli/cmd_mlc.c hw/hw.h hw/hw_cfg.h \
 sim/config.h sim/types.h sim/pmem.h sim/report.h sim/stats.h sim/hist.h \
 sim/afile.h sim/cli/cmds.h sim/cli/machine.h os/os_cfg.h sim/err.h \
 sim/rng.h
hw/hw.h:
hw/hw_cfg.h:
sim/config.h:
sim/types.h:
sim/pmem.h:
sim/report.h:
sim/stats.h:
sim/hist.h:
sim/afile.h:
sim/cli/cmds.h:
sim/cli/machine.h:
os/os_cfg.h:
sim/err.h:
sim/rng.h:
