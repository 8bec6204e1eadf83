/*
 * sim/cli/cmd_trace.h - the `numasim trace` subcommands.
 *
 *   numasim trace stat FILE [--format F] [--json]
 *   numasim trace convert IN OUT [--from F] [--to native|text]
 */
#ifndef SIM_CLI_CMD_TRACE_H
#define SIM_CLI_CMD_TRACE_H

/*
 * argv[0] is "trace", argv[1] the subcommand.
 * @return the process exit status: 0 success, 1 error (message on stderr),
 * 2 usage error.
 */
int cmd_trace(int argc, char **argv);

#endif
