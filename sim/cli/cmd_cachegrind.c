/*
 * sim/cli/cmd_cachegrind.c - `numasim cachegrind`: a lackey trace replayed
 * through numasim's caches (and TLB arrays) in cachegrind counting mode,
 * printed the way cachegrind prints its totals.
 *
 * The point is comparison with a simulator nobody here wrote: record a
 * program with `valgrind --tool=lackey --trace-mem=yes`, run the same
 * program under `valgrind --tool=cachegrind --cache-sim=yes` with the same
 * geometries, and the two "summary:" lines must be identical.  The output
 * therefore mimics cachegrind's output file (desc:/events:/summary: lines),
 * so a test can cut the summary line out of both the same way.
 *
 * TLB arrays are run as caches whose line is a page; their counts use
 * cachegrind's event names with ITLB/DTLB/STLB in place of I1/D1/LL, under
 * "tlb events:" / "tlb summary:" lines.  Without an STLB the LL events are
 * left out rather than printed as zeros that would look measured.
 */
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "hw/tlb.h"
#include "sim/cli/cliopt.h"
#include "sim/afile.h"
#include "sim/cli/cmd_cachegrind.h"
#include "sim/cli/cmds.h"
#include "sim/config.h"
#include "sim/err.h"

int cg_geom_parse(const char *s, struct cg_geom *g, char *err, size_t errlen)
{
	char buf[96], *ways, *line, *end;
	unsigned long w, l;

	if (strlen(s) >= sizeof(buf))
		return sim_errf(err, errlen, SIM_EUSAGE, "'%s': want SIZE,WAYS,LINE", s);
	strcpy(buf, s);
	ways = strchr(buf, ',');
	line = ways ? strchr(ways + 1, ',') : NULL;
	if (!ways || !line)
		return sim_errf(err, errlen, SIM_EUSAGE, "'%s': want SIZE,WAYS,LINE (e.g. 32768,8,64)", s);
	*ways++ = '\0';
	*line++ = '\0';
	if (cfg_parse_size(buf, &g->size) || !g->size)
		return sim_errf(err, errlen, SIM_EUSAGE, "'%s': size '%s' is not a positive size", s, buf);
	w = strtoul(ways, &end, 10);
	if (!*ways || *end || !w || w > UINT32_MAX)
		return sim_errf(err, errlen, SIM_EUSAGE, "'%s': ways '%s' is not a positive integer", s, ways);
	l = strtoul(line, &end, 10);
	if (!*line || *end || !l || l > UINT32_MAX)
		return sim_errf(err, errlen, SIM_EUSAGE, "'%s': line '%s' is not a positive integer", s, line);
	g->ways = (uint32_t)w;
	g->line = (uint32_t)l;
	return 0;
}

static struct cache_cfg geom_cache_cfg(const struct cg_geom *g)
{
	return (struct cache_cfg){ .enabled = true, .size = g->size, .ways = g->ways, .line = g->line,
				   .repl = REPL_LRU, .prefetch = PF_NONE };
}

/* The TLB arrays get the same acceptance rules as cachegrind's caches. */
static int cg_tlb_create(tlb_t **out, const char *name, const struct cg_geom *g, char *err, size_t errlen)
{
	uint64_t entries, sets;

	*out = NULL;
	if (!is_pow2_u64(g->line) || g->line < 2)
		return sim_errf(err, errlen, SIM_ECONFIG, "%s: page size %u is not a power of two", name, g->line);
	if (g->size % ((uint64_t)g->ways * g->line))
		return sim_errf(err, errlen, SIM_ECONFIG, "%s: size %llu is not a multiple of %u ways x %u-byte pages",
				name, (unsigned long long)g->size, g->ways, g->line);
	entries = g->size / g->line;
	sets = entries / g->ways;
	if (!is_pow2_u64(sets))
		return sim_errf(err, errlen, SIM_ECONFIG,
				"%s: %llu sets; cachegrind requires a power-of-two set count", name,
				(unsigned long long)sets);
	if (entries > UINT32_MAX)
		return sim_errf(err, errlen, SIM_ECONFIG, "%s: %llu entries is too many", name,
				(unsigned long long)entries);
	return tlb_create(out, name, (uint32_t)entries, g->ways, ilog2_u64(g->line), REPL_LRU, 0, 0, err, errlen);
}

struct cg_tlbs {
	tlb_t *i, *d, *s;   /* s may be NULL */
	uint32_t min_page;
};

/* cgsim_ref's rules with the TLB arrays in place of I1/D1/LL. */
static void cg_tlb_ref(struct cg_tlbs *t, uint64_t *n, uint64_t addr, uint32_t size, enum mem_op op)
{
	if (op == MEM_IFETCH) {
		n[CG_IR]++;
		if (tlb_access_cg(t->i, addr, size)) {
			n[CG_I1MR]++;
			if (t->s && tlb_access_cg(t->s, addr, size))
				n[CG_ILMR]++;
		}
		return;
	}
	if (size > t->min_page)
		size = t->min_page;
	bool write = (op == MEM_STORE);
	n[write ? CG_DW : CG_DR]++;
	if (tlb_access_cg(t->d, addr, size)) {
		n[write ? CG_D1MW : CG_D1MR]++;
		if (t->s && tlb_access_cg(t->s, addr, size))
			n[write ? CG_DLMW : CG_DLMR]++;
	}
}

/* Where cgsim_run finds a reference in a trace record (control records have op TOP_CTRL, skipped). */
static const struct cg_layout trace_rec_layout = {
	.stride = sizeof(struct trace_rec),
	.addr = offsetof(struct trace_rec, addr),
	.size = offsetof(struct trace_rec, size),
	.op = offsetof(struct trace_rec, op),
};
_Static_assert(sizeof(((struct trace_rec *)0)->addr) == 8 && sizeof(((struct trace_rec *)0)->size) == 2 &&
	       sizeof(((struct trace_rec *)0)->op) == 1 && (int)TOP_CTRL >= (int)NR_MEM_OPS,
	       "struct cg_layout's field types, and control records are no reference (memory ops are enum mem_op's)");

int cg_replay(const char *path, const struct cg_replay_opts *o, struct cg_replay_result *r, char *err,
	      size_t errlen)
{
	cgsim_t *cg = NULL;
	struct cg_tlbs t = { 0 };
	trace_reader_t *tr = NULL;
	struct trace_batch b;
	uint64_t page0_limit = 0;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	if (!o->caches && !o->tlb)
		return sim_errf(err, errlen, SIM_EUSAGE, "nothing to replay: give cache or TLB geometries");
	if (o->caches) {
		struct cache_cfg i1 = geom_cache_cfg(&o->i1), d1 = geom_cache_cfg(&o->d1), ll = geom_cache_cfg(&o->ll);
		if ((rc = cgsim_create(&cg, &i1, &d1, &ll, err, errlen)))
			goto out;
	}
	if (o->tlb) {
		if ((rc = cg_tlb_create(&t.i, "ITLB", &o->itlb, err, errlen)) ||
		    (rc = cg_tlb_create(&t.d, "DTLB", &o->dtlb, err, errlen)) ||
		    (o->stlb && (rc = cg_tlb_create(&t.s, "STLB", &o->stlb_geom, err, errlen))))
			goto out;
		t.min_page = SIM_MIN(o->itlb.line, o->dtlb.line);
		if (o->stlb)
			t.min_page = SIM_MIN(t.min_page, o->stlb_geom.line);
		page0_limit = t.min_page;
	}
	if ((rc = trace_open(&tr, path, o->format, err, errlen)))
		goto out;
	while ((rc = trace_next(tr, &b, err, errlen)) > 0) {
		if (cg && !t.i) {
			r->records += cgsim_run(cg, b.rec, b.n, &trace_rec_layout);
			continue;
		}
		for (size_t i = 0; i < b.n; i++) {
			const struct trace_rec *x = &b.rec[i];
			if (x->op == TOP_CTRL)
				continue;
			r->records++;
			if (cg)
				cgsim_ref(cg, x->addr, x->size, (enum mem_op)x->op);
			if (t.i) {
				cg_tlb_ref(&t, r->tlb, x->addr, x->size, (enum mem_op)x->op);
				r->page0_refs += x->addr < page0_limit;
			}
		}
	}
	if (cg)
		memcpy(r->cache, cgsim_counts(cg), sizeof(r->cache));
out:
	trace_close(tr);
	cgsim_destroy(cg);
	tlb_destroy(t.i);
	tlb_destroy(t.d);
	tlb_destroy(t.s);
	return rc < 0 ? rc : 0;
}

/* ---- the command ---- */

static void cg_usage(FILE *fp)
{
	fprintf(fp,
		"usage: numasim cachegrind --I1=S,A,L --D1=S,A,L --LL=S,A,L [TLB OPTIONS] [--json FILE] TRACE\n"
		"       numasim cachegrind --tlb-only --tlb=S,A,P [--stlb=S,A,P] [--json FILE] TRACE\n"
		"\n"
		"Replay a Valgrind lackey trace (valgrind --tool=lackey --trace-mem=yes; .gz/.xz/.zst\n"
		"accepted) through numasim's caches with cachegrind's counting rules and print\n"
		"cachegrind's totals: Ir I1mr ILmr Dr D1mr DLmr Dw D1mw DLmw.  Geometries use\n"
		"cachegrind's syntax: total bytes (K/M/G suffixes allowed), ways, line bytes.\n"
		"\n"
		"  --I1= --D1= --LL=   cache geometries (all three required unless --tlb-only)\n"
		"  --tlb=S,A,P         ITLB and DTLB of S/P entries, A-way, P-byte pages (LRU)\n"
		"  --itlb= --dtlb=     set one L1 TLB alone\n"
		"  --stlb=S,A,P        a unified second-level TLB behind both (the \"LL\" of the TLBs)\n"
		"  --tlb-only          run only the TLB arrays\n"
		"  --format NAME       trace format (default lackey; native, text, champsim also work)\n"
		"  --json FILE         also write the counts as JSON (\"-\": standard output only)\n"
		"\n"
		"The TLB reference is cachegrind with 4096-byte lines, e.g. --tlb=262144,4,4096 against\n"
		"cachegrind --I1=262144,4,4096 --D1=262144,4,4096 --LL=<stlb>,4096.\n");
}

static void print_desc(const char *name, const struct cg_geom *g, bool tlb)
{
	if (tlb)
		printf("desc: %-4s:          %llu B (%llu entries), %u B pages, %u-way associative\n", name,
		       (unsigned long long)g->size, (unsigned long long)(g->size / g->line), g->line, g->ways);
	else
		printf("desc: %s cache:         %llu B, %u B, %u-way associative\n", name, (unsigned long long)g->size,
		       g->line, g->ways);
}

static bool tlb_event_present(const struct cg_replay_opts *o, unsigned e)
{
	return o->stlb || (e != CG_ILMR && e != CG_DLMR && e != CG_DLMW);
}

static void print_text(const char *path, const struct cg_replay_opts *o, const struct cg_replay_result *r)
{
	if (o->caches) {
		print_desc("I1", &o->i1, false);
		print_desc("D1", &o->d1, false);
		print_desc("LL", &o->ll, false);
	}
	if (o->tlb) {
		print_desc("ITLB", &o->itlb, true);
		print_desc("DTLB", &o->dtlb, true);
		if (o->stlb)
			print_desc("STLB", &o->stlb_geom, true);
	}
	printf("cmd: %s (%s trace replayed by numasim, %llu records)\n", path, trace_format_name(o->format),
	       (unsigned long long)r->records);
	if (o->caches) {
		printf("events:");
		for (unsigned e = 0; e < NR_CG_EVENTS; e++)
			printf(" %s", cg_event_names[e]);
		printf("\nsummary:");
		for (unsigned e = 0; e < NR_CG_EVENTS; e++)
			printf(" %llu", (unsigned long long)r->cache[e]);
		printf("\n");
	}
	if (o->tlb) {
		printf("tlb events:");
		for (unsigned e = 0; e < NR_CG_EVENTS; e++)
			if (tlb_event_present(o, e))
				printf(" %s", cg_event_names[e]);
		printf("\ntlb summary:");
		for (unsigned e = 0; e < NR_CG_EVENTS; e++)
			if (tlb_event_present(o, e))
				printf(" %llu", (unsigned long long)r->tlb[e]);
		printf("\n");
	}
}

static json_t *geom_json(const struct cg_geom *g)
{
	return json_pack("{s:I,s:i,s:i}", "size", (json_int_t)g->size, "ways", (int)g->ways, "line", (int)g->line);
}

static char *result_json(const char *path, const struct cg_replay_opts *o, const struct cg_replay_result *r)
{
	json_t *root = json_object();

	json_object_set_new(root, "trace", json_string(path));
	json_object_set_new(root, "format", json_string(trace_format_name(o->format)));
	json_object_set_new(root, "records", json_integer((json_int_t)r->records));
	if (o->caches) {
		json_t *c = json_object(), *ev = json_object();
		json_object_set_new(c, "I1", geom_json(&o->i1));
		json_object_set_new(c, "D1", geom_json(&o->d1));
		json_object_set_new(c, "LL", geom_json(&o->ll));
		for (unsigned e = 0; e < NR_CG_EVENTS; e++)
			json_object_set_new(ev, cg_event_names[e], json_integer((json_int_t)r->cache[e]));
		json_object_set_new(c, "summary", ev);
		json_object_set_new(root, "caches", c);
	}
	if (o->tlb) {
		json_t *c = json_object(), *ev = json_object();
		json_object_set_new(c, "ITLB", geom_json(&o->itlb));
		json_object_set_new(c, "DTLB", geom_json(&o->dtlb));
		if (o->stlb)
			json_object_set_new(c, "STLB", geom_json(&o->stlb_geom));
		for (unsigned e = 0; e < NR_CG_EVENTS; e++)
			if (tlb_event_present(o, e))
				json_object_set_new(ev, cg_event_names[e], json_integer((json_int_t)r->tlb[e]));
		json_object_set_new(c, "summary", ev);
		json_object_set_new(c, "page0_refs", json_integer((json_int_t)r->page0_refs));
		json_object_set_new(root, "tlb", c);
	}
	char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	return s;
}

int cmd_cachegrind(int argc, char **argv)
{
	enum { O_I1 = 256, O_D1, O_LL, O_TLB, O_ITLB, O_DTLB, O_STLB, O_TLB_ONLY, O_FORMAT, O_JSON };
	static const struct option longopts[] = {
		{ "I1", required_argument, NULL, O_I1 },
		{ "D1", required_argument, NULL, O_D1 },
		{ "LL", required_argument, NULL, O_LL },
		{ "tlb", required_argument, NULL, O_TLB },
		{ "itlb", required_argument, NULL, O_ITLB },
		{ "dtlb", required_argument, NULL, O_DTLB },
		{ "stlb", required_argument, NULL, O_STLB },
		{ "tlb-only", no_argument, NULL, O_TLB_ONLY },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "json", required_argument, NULL, O_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cg_replay_opts o = { .format = TFMT_LACKEY };
	struct cg_replay_result r;
	bool have_i1 = false, have_d1 = false, have_ll = false, have_itlb = false, have_dtlb = false;
	bool tlb_only = false;
	const char *json_path = NULL;
	char err[1024];
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		struct cg_geom *g = NULL;
		const char *name = NULL;
		switch (c) {
		case O_I1: g = &o.i1; have_i1 = true; name = "--I1"; break;
		case O_D1: g = &o.d1; have_d1 = true; name = "--D1"; break;
		case O_LL: g = &o.ll; have_ll = true; name = "--LL"; break;
		case O_TLB: g = &o.itlb; have_itlb = have_dtlb = true; name = "--tlb"; break;
		case O_ITLB: g = &o.itlb; have_itlb = true; name = "--itlb"; break;
		case O_DTLB: g = &o.dtlb; have_dtlb = true; name = "--dtlb"; break;
		case O_STLB: g = &o.stlb_geom; o.stlb = true; name = "--stlb"; break;
		case O_TLB_ONLY: tlb_only = true; break;
		case O_FORMAT:
			o.format = trace_format_parse(optarg);
			if (o.format == TFMT_AUTO && strcmp(optarg, "auto")) {
				fprintf(stderr, "numasim cachegrind: --format %s: unknown format\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case O_JSON: json_path = optarg; break;
		case 'h': cg_usage(stdout); return 0;
		default:
			cli_bad_option("numasim cachegrind", c, argc, argv, longopts);
			cg_usage(stderr);
			return EXIT_USAGE;
		}
		if (g && cg_geom_parse(optarg, g, err, sizeof(err))) {
			fprintf(stderr, "numasim cachegrind: %s %s\n", name, err);
			return EXIT_USAGE;
		}
		if (c == O_TLB)
			o.dtlb = o.itlb;
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "numasim cachegrind: want exactly one TRACE\n");
		cg_usage(stderr);
		return EXIT_USAGE;
	}
	o.tlb = have_itlb || have_dtlb || o.stlb;
	if (o.tlb && !(have_itlb && have_dtlb)) {
		fprintf(stderr, "numasim cachegrind: TLB mode needs both L1 TLBs (--tlb, or --itlb and --dtlb)\n");
		return EXIT_USAGE;
	}
	if (tlb_only && !o.tlb) {
		fprintf(stderr, "numasim cachegrind: --tlb-only needs --tlb=S,A,P\n");
		return EXIT_USAGE;
	}
	o.caches = !tlb_only;
	if (o.caches && !(have_i1 && have_d1 && have_ll)) {
		fprintf(stderr, "numasim cachegrind: give all of --I1, --D1 and --LL (or --tlb-only)\n");
		return EXIT_USAGE;
	}
	if (cg_replay(argv[optind], &o, &r, err, sizeof(err))) {
		fprintf(stderr, "numasim cachegrind: %s\n", err);
		return 1;
	}
	if (o.tlb && r.page0_refs)
		fprintf(stderr,
			"numasim cachegrind: note: %llu references touch page 0; cachegrind starts with page 0 "
			"present (zeroed tags) and the TLB arrays start empty, so TLB misses may differ there\n",
			(unsigned long long)r.page0_refs);
	if (!json_path || strcmp(json_path, "-"))
		print_text(argv[optind], &o, &r);
	if (json_path) {
		char *s = result_json(argv[optind], &o, &r);
		int rc = 0;
		if (!s) {
			fprintf(stderr, "numasim cachegrind: out of memory\n");
			return 1;
		}
		if (!strcmp(json_path, "-"))
			printf("%s\n", s);
		else
			rc = afile_write_all(json_path, s, strlen(s), err, sizeof(err));
		free(s);
		if (rc) {
			fprintf(stderr, "numasim cachegrind: %s\n", err);
			return 1;
		}
	}
	return 0;
}
