/*
 * sim/cli/cmd_record.h - `numasim record`: run a program under Valgrind and
 * write its multi-threaded memory trace, with its memory-management system
 * calls as control records (docs/record.md).
 */
#ifndef SIM_CLI_CMD_RECORD_H
#define SIM_CLI_CMD_RECORD_H

/*
 * argv[0] is "record".  @return the recorded program's exit status as
 * Valgrind reports it (128 + signal if it was killed), 1 if the trace could
 * not be written, 2 for a usage error.
 */
int cmd_record(int argc, char **argv);

#endif
