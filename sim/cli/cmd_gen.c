/*
 * sim/cli/cmd_gen.c - `numasim trace gen`: a synthetic workload into a trace.
 *
 *   numasim trace gen [SPEC.json] -o OUT.nst [--format native|text] [--KEY VALUE]...
 *
 * SPEC.json is applied first, then every --KEY VALUE (or --KEY=VALUE) on
 * top, with the keys of the spec format (docs/experiments.md; '-' and '_'
 * are the same).  Records stream from the generator into the trace writer,
 * so the trace is never held in memory; the writer renames the file into
 * place only once it is complete.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "experiments/wlgen.h"
#include "sim/cli/mlc_loaded.h"
#include "sim/cli/cmd_gen.h"
#include "sim/err.h"
#include "traces/trace.h"

static void gen_usage(FILE *f)
{
	fprintf(f,
		"usage: numasim trace gen [SPEC.json] -o OUT [--format native|text] [--KEY VALUE]...\n"
		"  keys: pattern (stream stride gups uniform zipf chase stencil shared prodcons phase hog hotcold;\n"
		"        mlc-loaded has keys of its own: trace gen --pattern mlc-loaded --help),\n"
		"        size, threads, cpus, accesses, seed, write-ratio, zipf-s, stride, step, use,\n"
		"        access-size, line, chunk, gap, base, mbind, mempolicy, init, hot-size, hot-ratio\n"
		"        (docs/experiments.md)\n"
		"  contents: --dup-fraction F (that share of the pages is identical, in --dup-contents N\n"
		"        blocks), --compress PCT (compressed size of every page), --mergeable true\n"
		"        (madvise MADV_MERGEABLE for KSM): page_content records (docs/trace-format.md)\n"
		"  cgroup: --memcg N, --memcg-max SIZE, --memcg-high SIZE, --memcg-low SIZE: the process\n"
		"        runs in a memory cgroup (cgroup_set + cgroup_attach records, docs/os-memcg.md)\n"
		"  sizes take K/M/G (x1024), counts K/M/G (x1000)\n"
		"  --no-init              skip the first-touch phase (same as --init false): loads of\n"
		"                         never-written pages then read the kernel's zero page\n"
		"  example: numasim trace gen --pattern gups --size 64M --threads 4 --accesses 1M -o gups.nst\n");
}

static enum trace_compress compress_of(const char *path)
{
	size_t n = strlen(path);

	if (n > 3 && !strcmp(path + n - 3, ".gz"))
		return TCOMP_GZ;
	if (n > 3 && !strcmp(path + n - 3, ".xz"))
		return TCOMP_XZ;
	if (n > 4 && !strcmp(path + n - 4, ".zst"))
		return TCOMP_ZST;
	return TCOMP_NONE;
}

static int opt_is(const char *a, size_t klen, const char *name)
{
	return strlen(name) == klen && !strncmp(a, name, klen);
}

int cmd_trace_gen(int argc, char **argv)
{
	struct wlgen_spec spec;
	const char *out = NULL, *spec_path = NULL;
	enum trace_format fmt = TFMT_NATIVE;
	char err[1024], key[64];
	wlgen_t *g = NULL;
	trace_writer_t *w = NULL;
	struct trace_rec rec;
	struct trace_ctrl ctrl;
	uint64_t nrec = 0;
	int rc, i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--pattern=mlc-loaded") ||
		    (!strcmp(argv[i], "--pattern") && i + 1 < argc && !strcmp(argv[i + 1], "mlc-loaded")))
			return mlcl_gen_main(argc, argv);     /* MLC's loaded-latency workload, docs/mlc.md */
	wlgen_spec_init(&spec);
	/* The spec file comes first so flags override it, wherever they appear. */
	for (i = 1; i < argc; i++) {
		if (argv[i][0] != '-') {
			if (spec_path) {
				fprintf(stderr, "numasim trace gen: more than one spec file (%s, %s)\n", spec_path, argv[i]);
				return 2;
			}
			spec_path = argv[i];
		} else if (!strchr(argv[i], '=') && strcmp(argv[i], "-h") && strcmp(argv[i], "--help") &&
			   strcmp(argv[i], "--no-init")) {
			i++;      /* skip the flag's value */
		}
	}
	if (spec_path && (rc = wlgen_spec_load(&spec, spec_path, err, sizeof(err)))) {
		fprintf(stderr, "numasim trace gen: %s\n", err);
		return 1;
	}
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *val, *eq;
		size_t klen;

		if (a[0] != '-')
			continue;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			gen_usage(stdout);
			return 0;
		}
		if (!strcmp(a, "--no-init")) {
			wlgen_spec_set(&spec, "init", "false", err, sizeof(err));
			continue;
		}
		eq = strchr(a, '=');
		if (eq) {
			val = eq + 1;
			klen = (size_t)(eq - a);
		} else {
			if (i + 1 >= argc) {
				fprintf(stderr, "numasim trace gen: %s needs a value\n", a);
				gen_usage(stderr);
				return 2;
			}
			val = argv[++i];
			klen = strlen(a);
		}
		if (opt_is(a, klen, "-o") || opt_is(a, klen, "--output")) {
			out = val;
			continue;
		}
		if (opt_is(a, klen, "--format")) {
			fmt = trace_format_parse(val);
			if (fmt != TFMT_NATIVE && fmt != TFMT_TEXT) {
				fprintf(stderr, "numasim trace gen: --format: \"%s\" (native or text)\n", val);
				return 2;
			}
			continue;
		}
		if (klen < 3 || a[1] != '-' || klen - 2 >= sizeof(key)) {
			fprintf(stderr, "numasim trace gen: unknown option %s\n", a);
			gen_usage(stderr);
			return 2;
		}
		for (size_t k = 2; k < klen; k++)
			key[k - 2] = a[k] == '-' ? '_' : a[k];
		key[klen - 2] = 0;
		if ((rc = wlgen_spec_set(&spec, key, val, err, sizeof(err))) == -SIM_EUSAGE) {
			const char *near = wlgen_nearest_key(key);
			char dashed[64];

			snprintf(dashed, sizeof(dashed), "%s", near ? near : "");
			for (char *p = dashed; *p; p++)
				*p = *p == '_' ? '-' : *p;
			fprintf(stderr, "numasim trace gen: unknown option %.*s%s%s%s\n", (int)klen, a,
				near ? " (did you mean --" : "", dashed, near ? "?)" : "");
			gen_usage(stderr);
			return 2;
		} else if (rc) {
			fprintf(stderr, "numasim trace gen: --%s\n", err);
			return 2;
		}
	}
	if (!out) {
		fprintf(stderr, "numasim trace gen: -o OUT is required\n");
		gen_usage(stderr);
		return 2;
	}
	if ((rc = wlgen_create(&g, &spec, err, sizeof(err)))) {
		fprintf(stderr, "numasim trace gen: %s%s%s\n", spec_path ? spec_path : "", spec_path ? ": " : "", err);
		return 1;
	}
	if ((rc = trace_writer_open(&w, out, fmt, compress_of(out), err, sizeof(err)))) {
		fprintf(stderr, "numasim trace gen: %s\n", err);
		wlgen_destroy(g);
		return 1;
	}
	while (wlgen_next(g, &rec, &ctrl) == 1) {
		rc = trace_write_rec(w, &rec, rec.op == TOP_CTRL ? &ctrl : NULL);
		if (rc) {
			trace_writer_close(w, false, err, sizeof(err));
			fprintf(stderr, "numasim trace gen: %s: write failed (%s)\n", out, sim_strerror(rc));
			wlgen_destroy(g);
			return 1;
		}
		nrec++;
	}
	rc = trace_writer_close(w, true, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "numasim trace gen: %s\n", err);
		wlgen_destroy(g);
		return 1;
	}
	fprintf(stderr, "numasim trace gen: %s: %s, %u thread(s), %llu records (%llu accesses)\n", out,
		wlgen_pattern_name(spec.pattern), spec.threads, (unsigned long long)nrec,
		(unsigned long long)wlgen_total_accesses(g));
	wlgen_destroy(g);
	return 0;
}
