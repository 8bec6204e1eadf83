/*
 * sim/cli/main.c - `numasim COMMAND ...`: dispatch to the subcommands.
 *
 * The only place that exits; everything below returns error codes.
 */
#include <stdio.h>
#include <string.h>
#include "sim/cli/cmd_gen.h"
#include "sim/cli/cmd_plot.h"
#include "sim/cli/cmd_record.h"
#include "sim/cli/cmd_sweep.h"
#include "sim/cli/cmd_trace.h"
#include "sim/cli/cmds.h"
#include "sim/cli/cmd_cachegrind.h"
#include "sim/cli/cmd_validate.h"
#include "sim/version.h"
#include "sim/words.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

/* `trace gen` belongs to the experiment tools; the other `trace` commands to traces/. */
static int cmd_trace_dispatch(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "gen"))
		return cmd_trace_gen(argc - 1, argv + 1);
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		fprintf(argc < 2 ? stderr : stdout,
			"usage: numasim trace gen [SPEC.json] -o OUT [--KEY VALUE]...   (synthetic workloads)\n");
	return cmd_trace(argc, argv);
}

static const struct command commands[] = {
	{ "run", cmd_run, "replay traces on a simulated machine and report" },
	{ "machine", cmd_machine, "list, show or dump machine descriptions" },
	{ "config", cmd_config, "document every machine-description key" },
	{ "trace", cmd_trace_dispatch, "trace tools: gen, stat, convert" },
	{ "record", cmd_record, "run a program under valgrind and record its multi-threaded trace" },
	{ "sweep", cmd_sweep, "run a grid of experiments locally or on Slurm; collect results" },
	{ "plot", cmd_plot, "draw the figures of a sweep with gnuplot" },
	{ "mlc", cmd_mlc, "idle-latency and bandwidth matrices, like Intel MLC, by simulation" },
	{ "cachegrind", cmd_cachegrind, "replay a lackey trace with cachegrind's counting rules" },
	{ "validate", cmd_validate, "compare numasim with references it did not write" },
};

static void usage(FILE *fp)
{
	fprintf(fp, "numasim %s - discrete-event NUMA machine emulator\n\nusage: numasim COMMAND [ARGS]\n\n",
		NUMASIM_VERSION);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(fp, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(fp, "  %-10s %s\n\nRun 'numasim COMMAND --help' for a command's options.\n", "version",
		"print the version");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		/* `numasim help COMMAND` is `numasim COMMAND --help` */
		for (size_t i = 0; argc == 3 && i < ARRAY_SIZE(commands); i++)
			if (!strcmp(argv[2], commands[i].name)) {
				char *args[] = { argv[2], (char *)"--help", NULL };
				return commands[i].fn(2, args);
			}
		if (argc > 2) {
			fprintf(stderr, "numasim help: unknown command '%s'\n", argv[2]);
			return EXIT_USAGE;
		}
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
		printf("numasim %s\n", NUMASIM_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	{
		const char *names[ARRAY_SIZE(commands) + 1], *near;

		for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
			names[i] = commands[i].name;
		names[ARRAY_SIZE(commands)] = "version";
		near = sim_nearest(argv[1], names, ARRAY_SIZE(names));
		fprintf(stderr, "numasim: unknown command '%s'%s%s%s\n\n", argv[1], near ? " (did you mean " : "",
			near ? near : "", near ? "?)" : "");
	}
	usage(stderr);
	return EXIT_USAGE;
}
