/*
 * sim/cli/cmd_run.c - `numasim run`: replay traces on a machine, print a
 * summary, write the JSON report atomically.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "sim/cli/cliopt.h"
#include "sim/cli/cmds.h"
#include "os/os.h"
#include "sim/cli/run.h"
#include "sim/err.h"
#include "sim/words.h"


/* Share of accesses reading the zero page above which `run` warns. */
#define ZERO_PAGE_WARN_SHARE 0.5

static size_t dump_views_count(void)
{
	size_t n = 0;

	while (os_dump_views[n])
		n++;
	return n;
}

/* The views os_dump() prints, wrapped after `indent`. */
static void dump_views_list(FILE *fp, const char *indent)
{
	size_t col = 0;

	for (size_t i = 0; os_dump_views[i]; i++) {
		size_t w = strlen(os_dump_views[i]) + 1;
		if (!col || col + w > 76) {
			fprintf(fp, "%s%s", col ? "\n" : "", indent);
			col = 0;
		}
		fprintf(fp, "%s%s", os_dump_views[i], os_dump_views[i + 1] ? "," : "\n");
		col += w;
	}
}

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
		"  -d, --dump VIEWS       print OS views at the end, comma-separated (numa_maps-PID: one process):\n");
	dump_views_list(fp, "                         ");
	fprintf(fp,
		"  -n, --max-accesses N   stop after N accesses (K/M/G: thousands, millions, billions)\n"
		"  --allow-segv           accesses outside any mapping are skipped and counted, not an error\n"
		"      --progress / --no-progress   progress bar on stderr (default: when stderr is a terminal)\n"
		"  -q, --quiet            no summary on stdout\n"
		"      --reader-threads auto|N   decode the first N traces (at most %u) each on a host thread\n"
		"                         of its own, ahead of the replay; 0: all on the replay's thread; auto\n"
		"                         (default): the traces not in the native format, up to host CPUs - 1;\n"
		"                         no result depends on it\n"
		"Every option and the report's directory are checked before the simulation starts.\n",
		RUN_MAX_TRACES);
}

/* --dump: every view must be known before hours of simulation, not after. */
static int check_dumps(const char *views, char *err, size_t errlen)
{
	char copy[1024], *save = NULL;
	size_t n = dump_views_count();

	if (strlen(views) >= sizeof(copy))
		return sim_errf(err, errlen, SIM_EUSAGE, "--dump: list too long");
	snprintf(copy, sizeof(copy), "%s", views);
	if (!*views)
		return sim_errf(err, errlen, SIM_EUSAGE, "--dump: empty list");
	for (char *v = strtok_r(copy, ",", &save); v; v = strtok_r(NULL, ",", &save)) {
		const char *near;
		size_t i;

		for (i = 0; i < n && strcmp(v, os_dump_views[i]); i++)
			;
		if (i < n)
			continue;
		if (!strncmp(v, "numa_maps-", 10) && v[10] && strspn(v + 10, "0123456789") == strlen(v + 10))
			continue;
		near = sim_nearest(v, os_dump_views, n);
		return sim_errf(err, errlen, SIM_EUSAGE, "--dump %s: unknown view%s%s%s (numasim run --help lists them)",
				v, near ? " (did you mean " : "", near ? near : "", near ? "?)" : "");
	}
	return 0;
}

/*
 * --report: the report is written at the end (atomically, through a
 * temporary file beside it), so its directory must exist and be writable
 * now, and the name must not be a directory.
 */
static int check_output(const char *opt, const char *path, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	struct stat st;

	if (!*path)
		return sim_errf(err, errlen, SIM_EUSAGE, "%s: empty file name", opt);
	if (slash && (size_t)(slash - path) >= sizeof(dir))
		return sim_errf(err, errlen, SIM_EUSAGE, "%s %s: name too long", opt, path);
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if (slash && !slash[1])
		return sim_errf(err, errlen, SIM_EUSAGE, "%s %s: names a directory, not a file", opt, path);
	if (stat(dir, &st))
		return sim_errf(err, errlen, SIM_EIO, "%s %s: directory %s: %s", opt, path, dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return sim_errf(err, errlen, SIM_EIO, "%s %s: %s is not a directory", opt, path, dir);
	if (access(dir, W_OK | X_OK))
		return sim_errf(err, errlen, SIM_EIO, "%s %s: cannot write in %s: %s", opt, path, dir, strerror(errno));
	if (!stat(path, &st) && S_ISDIR(st.st_mode))
		return sim_errf(err, errlen, SIM_EIO, "%s %s: is a directory", opt, path);
	return 0;
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
		{ "allow-segv", no_argument, NULL, 3 },
		{ "progress", no_argument, NULL, 1 },
		{ "no-progress", no_argument, NULL, 2 },
		{ "quiet", no_argument, NULL, 'q' },
		{ "reader-threads", required_argument, NULL, 4 },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct run_opts *o = calloc(1, sizeof(*o));
	char err[1024] = "";
	simrun_t *s = NULL;
	int c, rc, status = 1;

	if (!o)
		return 1;
	o->seed = 1;
	o->progress = isatty(2);
	o->reader_threads = RUN_READERS_AUTO;
	o->overrides = calloc((size_t)argc, sizeof(char *));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":m:t:P:s:r:p:d:n:qh", longopts, NULL)) != -1) {
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
			if (sim_parse_count("--seed", optarg, &o->seed, err, sizeof(err))) {
				fprintf(stderr, "numasim run: %s\n", err);
				goto usage;
			}
			break;
		case 'r': o->report_path = optarg; break;
		case 'p': o->overrides[o->nr_overrides++] = optarg; break;
		case 'd': o->dumps = optarg; break;
		case 'n':
			if (sim_parse_count("--max-accesses", optarg, &o->max_accesses, err, sizeof(err))) {
				fprintf(stderr, "numasim run: %s\n", err);
				goto usage;
			}
			break;
		case 1: o->progress = true; break;
		case 2: o->progress = false; break;
		case 3: o->allow_segv = true; break;
		case 4: {
			uint64_t v;
			if (!strcmp(optarg, "auto")) {
				o->reader_threads = RUN_READERS_AUTO;
				break;
			}
			if (sim_parse_count("--reader-threads", optarg, &v, err, sizeof(err))) {
				fprintf(stderr, "numasim run: %s\n", err);
				goto usage;
			}
			if (v > RUN_MAX_TRACES) {
				fprintf(stderr, "numasim run: --reader-threads %s: at most %d\n", optarg, RUN_MAX_TRACES);
				goto usage;
			}
			o->reader_threads = (unsigned)v;
			break;
		}
		case 'q': o->quiet = true; break;
		case 'h': run_usage(stdout); status = 0; goto out;
		default:
			cli_bad_option("numasim run", c, argc, argv, longopts);
			goto usage;
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
	if ((o->dumps && check_dumps(o->dumps, err, sizeof(err))) ||
	    (o->report_path && check_output("--report", o->report_path, err, sizeof(err)))) {
		fprintf(stderr, "numasim run: %s\n", err);
		status = o->dumps && !strncmp(err, "--dump", 6) ? EXIT_USAGE : 1;
		goto out;
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
	{
		uint64_t n, z = simrun_zero_page_accesses(s, &n);

		if (n && (double)z > ZERO_PAGE_WARN_SHARE * (double)n)
			fprintf(stderr, "numasim run: warning: %.1f%% of the accesses read the kernel's zero page: "
				"the trace loads memory it never wrote, so no memory policy places it and the "
				"results say little about NUMA (generated traces write their data first unless "
				"made with --no-init)\n", 100.0 * (double)z / (double)n);
	}
	if (!o->allow_segv && simrun_segv(s, err, sizeof(err))) {
		/* the program would have died of SIGSEGV: its results are not those of the recorded run */
		fprintf(stderr, "numasim run: %s\n", err);
		goto out;
	}
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
