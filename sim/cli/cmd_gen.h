/*
 * sim/cli/cmd_gen.h - numasim trace gen: write a synthetic workload trace
 * (experiments/wlgen.h). argv[0] is "gen"; options follow. @return the
 * process exit status (0 ok, 1 error, 2 usage).
 */
#ifndef SIM_CLI_CMD_GEN_H
#define SIM_CLI_CMD_GEN_H

int cmd_trace_gen(int argc, char **argv);

#endif
