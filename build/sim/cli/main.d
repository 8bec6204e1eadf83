build/sim/cli/main.o: sim/cli/main.c sim/cli/cmds.h sim/version.h
sim/cli/cmds.h:
sim/version.h:
