/*
 * sim/cli/cliopt.h - what every subcommand says about a bad option.
 *
 * Subcommands parse with getopt_long with opterr = 0 and a leading ':' in
 * the option string, and hand its '?' or ':' to cli_bad_option(), so every
 * command words the error the same way and suggests the nearest valid long
 * option ("--patern" -> "did you mean --pattern?").
 */
#ifndef SIM_CLI_CLIOPT_H
#define SIM_CLI_CLIOPT_H

#include <getopt.h>
#include <stdio.h>

/* Print "CMD: unknown option ARG (did you mean --X?)" or "CMD: ARG needs a value" to stderr. */
void cli_bad_option(const char *cmd, int c, int argc, char **argv, const struct option *longopts);

/* Same for hand-parsed commands: the valid options as a NULL-terminated list of "--name". */
void cli_unknown_option(const char *cmd, const char *arg, const char *const *valid);

#endif
