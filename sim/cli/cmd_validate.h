/*
 * sim/cli/cmd_validate.h - `numasim validate`: every check against an
 * outside reference this machine allows, as one table.
 */
#ifndef SIM_CLI_CMD_VALIDATE_H
#define SIM_CLI_CMD_VALIDATE_H

int cmd_validate(int argc, char **argv);

#endif
