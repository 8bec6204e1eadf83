build/sim/cli/cmd_run.o: sim/cli/cmd_run.c sim/cli/cmds.h sim/cli/run.h \
 sim/cli/machine.h hw/hw_cfg.h sim/config.h sim/types.h os/os_cfg.h \
 sim/report.h sim/stats.h sim/hist.h traces/trace.h sim/err.h
sim/cli/cmds.h:
sim/cli/run.h:
sim/cli/machine.h:
hw/hw_cfg.h:
sim/config.h:
sim/types.h:
os/os_cfg.h:
sim/report.h:
sim/stats.h:
sim/hist.h:
traces/trace.h:
sim/err.h:
