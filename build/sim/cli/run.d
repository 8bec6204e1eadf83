build/sim/cli/run.o: sim/cli/run.c hw/hw.h hw/hw_cfg.h sim/config.h \
 sim/types.h sim/pmem.h sim/report.h sim/stats.h sim/hist.h os/os.h \
 os/os_cfg.h sim/ev.h sim/cli/run.h sim/cli/machine.h traces/trace.h \
 sim/err.h sim/version.h
hw/hw.h:
hw/hw_cfg.h:
sim/config.h:
sim/types.h:
sim/pmem.h:
sim/report.h:
sim/stats.h:
sim/hist.h:
os/os.h:
os/os_cfg.h:
sim/ev.h:
sim/cli/run.h:
sim/cli/machine.h:
traces/trace.h:
sim/err.h:
sim/version.h:
