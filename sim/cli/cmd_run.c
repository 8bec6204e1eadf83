/*
 * sim/cli/cmd_run.c - `numasim run`: replay traces on a machine, print a
 * summary, write the JSON report atomically.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "sim/cli/cmds.h"
#include "sim/cli/run.h"
#include "sim/err.h"

static void run_usage(FILE *fp)
{
	fprintf(fp,
		"usage: numasim run --machine PRESET|FILE --trace [FMT:]FILE[@CPUS]... [options]\n"
		"  -m, --machine M        preset name (numasim machine list) or JSON file\n"
		"  -t, --trace F[@CPUS]   trace to replay; CPUS: 3 | 0,2,4 | 0-3 (thread i -> i-th CPU);\n"
		"                         FMT: native|lackey|champsim|text (default: detected)\n"
		"  -P, --policy POL       memory policy of implicit mappings: local | bind:N | preferred:N |\n"
		"                         preferred-many:NODES | interleave:NODES | weighted-interleave:N=W,...\n"
		"  -s, --seed N           seed of every random choice (default 1)\n"
		"  -r, --report FILE      write the JSON report (docs/report.md)\n"
		"  -p KEY=VALUE           override a machine field, e.g. -p nodes.1.ddr.tRCD=22 -p os.thp=never\n"
		"  -d, --dump VIEWS       print OS views at the end: buddyinfo,pagetypeinfo,zoneinfo,numastat,vmstat,numa_maps,\n"
		"                         meminfo-hugetlb\n"
		"  -n, --max-accesses N   stop after N accesses\n"
		"      --progress / --no-progress   progress bar on stderr (default: when stderr is a terminal)\n"
		"  -q, --quiet            no summary on stdout\n");
}

int cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "machine", required_argument, NULL, 'm' },
		{ "trace", required_argument, NULL, 't' },
		{ "policy", required_argument, NULL, 'P' },
		{ "seed", required_argument, NULL, 's' },
		{ "report", required_argument, NULL, 'r' },
		{ "dump", required_argument, NULL, 'd' },
		{ "max-accesses", required_argument, NULL, 'n' },
		{ "progress", no_argument, NULL, 1 },
		{ "no-progress", no_argument, NULL, 2 },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct run_opts *o = calloc(1, sizeof(*o));
	char err[1024] = "";
	simrun_t *s = NULL;
	int c, rc, status = 1;
	char *end;

	if (!o)
		return 1;
	o->seed = 1;
	o->progress = isatty(2);
	o->overrides = calloc((size_t)argc, sizeof(char *));
	optind = 1;
	while ((c = getopt_long(argc, argv, "m:t:P:s:r:p:d:n:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'm': o->machine = optarg; break;
		case 't':
			if (o->nr_traces == RUN_MAX_TRACES) {
				fprintf(stderr, "numasim run: at most %d traces\n", RUN_MAX_TRACES);
				goto usage;
			}
			if (run_parse_trace_arg(optarg, &o->traces[o->nr_traces], err, sizeof(err))) {
				fprintf(stderr, "numasim run: %s\n", err);
				goto usage;
			}
			o->nr_traces++;
			break;
		case 'P': o->policy = optarg; break;
		case 's':
			o->seed = strtoull(optarg, &end, 0);
			if (*end || !*optarg) {
				fprintf(stderr, "numasim run: --seed %s: not a number\n", optarg);
				goto usage;
			}
			break;
		case 'r': o->report_path = optarg; break;
		case 'p': o->overrides[o->nr_overrides++] = optarg; break;
		case 'd': o->dumps = optarg; break;
		case 'n':
			o->max_accesses = strtoull(optarg, &end, 0);
			if (*end || !*optarg) {
				fprintf(stderr, "numasim run: --max-accesses %s: not a number\n", optarg);
				goto usage;
			}
			break;
		case 1: o->progress = true; break;
		case 2: o->progress = false; break;
		case 'q': o->quiet = true; break;
		case 'h': run_usage(stdout); status = 0; goto out;
		default: goto usage;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "numasim run: unexpected argument '%s'\n", argv[optind]);
		goto usage;
	}
	if (!o->machine) {
		fprintf(stderr, "numasim run: --machine is required\n");
		goto usage;
	}
	if (!o->nr_traces) {
		fprintf(stderr, "numasim run: at least one --trace is required\n");
		goto usage;
	}
	rc = simrun_create(&s, o, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "numasim run: %s\n", err);
		goto out;
	}
	rc = simrun_run(s, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "numasim run: %s\n", err);
		goto out;
	}
	if (!o->quiet)
		simrun_print_summary(s, stdout);
	if (o->dumps && simrun_dump(s, o->dumps, stdout, err, sizeof(err))) {
		fprintf(stderr, "numasim run: %s\n", err);
		goto out;
	}
	if (o->report_path) {
		rep_t *r;
		if (rep_create(&r))
			goto out;
		simrun_report(s, r);
		rc = rep_write_file(r, o->report_path, err, sizeof(err));
		rep_destroy(r);
		if (rc) {
			fprintf(stderr, "numasim run: %s\n", err);
			goto out;
		}
		if (!o->quiet)
			printf("report         %s\n", o->report_path);
	}
	status = 0;
	goto out;
usage:
	run_usage(stderr);
	status = EXIT_USAGE;
out:
	simrun_destroy(s);
	for (unsigned i = 0; i < o->nr_traces; i++)
		free((char *)o->traces[i].path);
	free(o->overrides);
	free(o);
	return status;
}
