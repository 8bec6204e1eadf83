/*
 * sim/cli/cmd_sweep.h - numasim sweep SPEC -o DIR ... and numasim sweep
 * collect DIR. argv[0] is "sweep". @return the exit status: non-zero if any
 * point failed or the usage is wrong.
 */
#ifndef SIM_CLI_CMD_SWEEP_H
#define SIM_CLI_CMD_SWEEP_H

int cmd_sweep(int argc, char **argv);

#endif
