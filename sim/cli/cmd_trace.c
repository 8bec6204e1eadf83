/*
 * sim/cli/cmd_trace.c - `numasim trace stat` and `numasim trace convert`.
 *
 * stat prints what a trace holds (record kinds, threads, control records,
 * footprint in 4 KiB pages, address range) on stdout, in a fixed order so the
 * output can be compared byte for byte; the decode speed, which varies run to
 * run, goes to stderr only.  convert streams records from any readable format
 * into the native or text format, compressed by the output's extension.
 * Both are thin shells over traces/: the same work is reachable from tests
 * through trace_stats_file() and the reader/writer API.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "sim/err.h"
#include "sim/report.h"
#include "sim/cli/cliopt.h"
#include "sim/cli/cmd_trace.h"
#include "traces/trace.h"
#include "traces/trace_stats.h"

#define EXIT_USAGE 2

static const char usage_text[] =
	"usage: numasim trace stat FILE [--format F] [--json]\n"
	"       numasim trace convert IN OUT [--from F] [--to native|text]\n"
	"formats: native, text, lackey, champsim (default: detected; see docs/trace-format.md)\n";

static int usage(const char *fmt, const char *arg)
{
	if (fmt) {
		fprintf(stderr, "numasim trace: ");
		fprintf(stderr, fmt, arg);
		fprintf(stderr, "\n");
	}
	fputs(usage_text, stderr);
	return EXIT_USAGE;
}

static double seconds_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);   /* speed report only, never simulated */
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int parse_format(const char *s, enum trace_format *out)
{
	if (!strcmp(s, "auto")) {
		*out = TFMT_AUTO;
		return 0;
	}
	*out = trace_format_parse(s);
	return *out == TFMT_AUTO ? -1 : 0;
}

static void print_text(const char *path, enum trace_format fmt, const struct trace_stats *s)
{
	const uint64_t *v = s->stat;
	bool any = false;

	printf("file: %s\n", path);
	printf("format: %s\n", trace_format_name(fmt));
	printf("records: %llu\n", (unsigned long long)v[TSTAT_RECORDS]);
	printf("  loads: %llu\n", (unsigned long long)v[TSTAT_LOADS]);
	printf("  dependent: %llu\n", (unsigned long long)v[TSTAT_DEP]);
	printf("  stores: %llu\n", (unsigned long long)v[TSTAT_STORES]);
	printf("  ifetches: %llu\n", (unsigned long long)v[TSTAT_IFETCHES]);
	printf("  modifies: %llu\n", (unsigned long long)v[TSTAT_MODIFIES]);
	printf("  control: %llu", (unsigned long long)v[TSTAT_CONTROL]);
	for (uint32_t k = 0; k < NR_TRACE_CTRLS; k++)
		if (s->ctrl[k]) {
			printf("%s%s %llu", any ? ", " : " (", trace_ctrl_name(k), (unsigned long long)s->ctrl[k]);
			any = true;
		}
	printf("%s\n", any ? ")" : "");
	printf("bytes accessed: %llu\n", (unsigned long long)v[TSTAT_BYTES]);
	printf("gap instructions: %llu\n", (unsigned long long)v[TSTAT_GAP]);
	printf("threads: %llu\n", (unsigned long long)v[TSTAT_THREADS]);
	for (uint64_t t = 0; t < v[TSTAT_THREADS]; t++)
		printf("  thread %llu: %llu records\n", (unsigned long long)t, (unsigned long long)s->thread_recs[t]);
	printf("footprint: %llu pages of 4 KiB (%.1f MiB)\n", (unsigned long long)v[TSTAT_PAGES],
	       (double)v[TSTAT_PAGES] / 256.0);
	if (v[TSTAT_RECORDS] > v[TSTAT_CONTROL])
		printf("address range: 0x%llx-0x%llx\n", (unsigned long long)v[TSTAT_ADDR_MIN],
		       (unsigned long long)v[TSTAT_ADDR_MAX]);
	else
		printf("address range: none\n");
}

static int print_json(const char *path, enum trace_format fmt, const struct trace_stats *s)
{
	struct stat_block sb = trace_stats_block(s);
	rep_t *rep;
	char *out, hex[32];

	if (rep_create(&rep))
		return -SIM_ENOMEM;
	rep_str(rep, "file", path);
	rep_str(rep, "format", trace_format_name(fmt));
	rep_obj_begin(rep, "stats");
	for (size_t i = 0; i < sb.n; i++) {
		if (!strcmp(sb.desc[i].unit, "address")) {
			/* addresses may exceed INT64_MAX: hex strings, not JSON integers */
			snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)sb.val[i]);
			rep_str(rep, sb.desc[i].name, hex);
		} else {
			rep_u64(rep, sb.desc[i].name, sb.val[i]);
		}
	}
	rep_obj_end(rep);
	rep_obj_begin(rep, "control");
	for (uint32_t k = 0; k < NR_TRACE_CTRLS; k++)
		rep_u64(rep, trace_ctrl_name(k), s->ctrl[k]);
	rep_obj_end(rep);
	rep_arr_begin(rep, "thread_records");
	for (uint64_t t = 0; t < s->stat[TSTAT_THREADS]; t++)
		rep_u64(rep, NULL, s->thread_recs[t]);
	rep_arr_end(rep);
	out = rep_dump(rep);
	rep_destroy(rep);
	if (!out)
		return -SIM_ENOMEM;
	printf("%s\n", out);
	free(out);
	return 0;
}

static int trace_stat(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum trace_format fmt = TFMT_AUTO, got;
	bool json = false;
	struct trace_stats s;
	char err[1024];
	double t0, dt;
	int c, rc;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (parse_format(optarg, &fmt))
				return usage("unknown format '%s'", optarg);
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			cli_bad_option("numasim trace", c, argc, argv, opts);
			return usage(NULL, NULL);
		}
	}
	if (argc - optind != 1)
		return usage("stat takes exactly one FILE%s", "");
	trace_stats_init(&s);
	t0 = seconds_now();
	rc = trace_stats_file(&s, argv[optind], fmt, &got, err, sizeof(err));
	dt = seconds_now() - t0;
	if (rc) {
		fprintf(stderr, "numasim: %s\n", err);
		trace_stats_free(&s);
		return 1;
	}
	if (json)
		rc = print_json(argv[optind], got, &s);
	else
		print_text(argv[optind], got, &s);
	fprintf(stderr, "decode: %llu records in %.3f s = %.1f M records/s\n",
		(unsigned long long)s.stat[TSTAT_RECORDS], dt,
		dt > 0 ? (double)s.stat[TSTAT_RECORDS] / dt / 1e6 : 0.0);
	trace_stats_free(&s);
	if (rc || fflush(stdout)) {
		fprintf(stderr, "numasim: cannot write the output\n");
		return 1;
	}
	return 0;
}

static int trace_convert(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum trace_format from = TFMT_AUTO, to = TFMT_AUTO;
	trace_reader_t *r = NULL;
	trace_writer_t *w = NULL;
	struct trace_batch b;
	const char *in, *out;
	char err[1024];
	int c, rc;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (parse_format(optarg, &from))
				return usage("unknown format '%s'", optarg);
			break;
		case 't':
			to = trace_format_parse(optarg);
			if (to != TFMT_NATIVE && to != TFMT_TEXT)
				return usage("--to must be native or text, not '%s'", optarg);
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			cli_bad_option("numasim trace", c, argc, argv, opts);
			return usage(NULL, NULL);
		}
	}
	if (argc - optind != 2)
		return usage("convert takes IN and OUT%s", "");
	in = argv[optind];
	out = argv[optind + 1];
	if (to == TFMT_AUTO)       /* by name: *.txt[.gz|.xz|.zst] is text, anything else native */
		to = strstr(out, ".txt") ? TFMT_TEXT : TFMT_NATIVE;

	if ((rc = trace_open(&r, in, from, err, sizeof(err))))
		goto fail;
	if ((rc = trace_writer_open(&w, out, to, TCOMP_NONE, err, sizeof(err))))
		goto fail;
	if (trace_nr_threads(r))
		trace_writer_set_threads(w, trace_nr_threads(r));
	while ((rc = trace_next(r, &b, err, sizeof(err))) > 0) {
		for (size_t i = 0; i < b.n; i++) {
			const struct trace_rec *rec = &b.rec[i];
			if ((rc = trace_write_rec(w, rec, rec->op == TOP_CTRL ? &b.ctrl[rec->ctrl] : NULL))) {
				snprintf(err, sizeof(err), "%s", trace_writer_error(w));
				goto fail;
			}
		}
	}
	if (rc < 0)
		goto fail;
	trace_close(r);
	r = NULL;
	rc = trace_writer_close(w, true, err, sizeof(err));
	w = NULL;
	if (rc)
		goto fail;
	return 0;
fail:
	trace_close(r);
	if (w)
		trace_writer_close(w, false, NULL, 0);
	fprintf(stderr, "numasim: %s\n", err);
	return 1;
}

int cmd_trace(int argc, char **argv)
{
	if (argc < 2)
		return usage("missing subcommand%s", "");
	if (!strcmp(argv[1], "stat"))
		return trace_stat(argc - 1, argv + 1);
	if (!strcmp(argv[1], "convert"))
		return trace_convert(argc - 1, argv + 1);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		fputs(usage_text, stdout);
		return 0;
	}
	return usage("unknown subcommand '%s'", argv[1]);
}
