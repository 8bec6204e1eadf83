build/os/os_cfg.o: os/os_cfg.c os/os_cfg.h sim/config.h sim/types.h
os/os_cfg.h:
sim/config.h:
sim/types.h:
