/*
 * sim/cli/cmds.h - entry points of the numasim subcommands.
 *
 * Each takes the argv of its subcommand (argv[0] is the subcommand name) and
 * returns the process exit status: 0 success, 1 failure (message printed),
 * 2 usage error.
 */
#ifndef SIM_CLI_CMDS_H
#define SIM_CLI_CMDS_H

int cmd_run(int argc, char **argv);
int cmd_machine(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_mlc(int argc, char **argv);

#define EXIT_USAGE 2

#endif
