/*
 * sim/cli/cmd_plot.h - numasim plot DIR -o FIGDIR: figures of a sweep
 * directory with gnuplot (scripts in plots/). argv[0] is "plot". @return the exit
 * status.
 */
#ifndef SIM_CLI_CMD_PLOT_H
#define SIM_CLI_CMD_PLOT_H

int cmd_plot(int argc, char **argv);

#endif
