/*
 * tests/experiments/test_wlgen.c - the workload generator: golden record
 * streams, and statistics that must match the spec (footprint, read/write
 * mix, Zipf skew, pointer-chase cycle, phases, interleaving, errors).
 *
 * Statistical tolerances are 5 standard deviations of a binomial proportion
 * for the sample size used, so a correct generator fails with probability
 * below 1e-6 per check while a wrong distribution is far outside.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "tests/support/test.h"
#include "experiments/wlgen.h"
#include "sim/err.h"

static char err[512];

static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* FNV-1a over the decoded fields of every record (padding excluded). */
static uint64_t hash_rec(uint64_t h, const struct trace_rec *r, const struct trace_ctrl *c)
{
	h = fnv1a(h, &r->addr, sizeof(r->addr));
	h = fnv1a(h, &r->gap, sizeof(r->gap));
	h = fnv1a(h, &r->tid, sizeof(r->tid));
	h = fnv1a(h, &r->size, sizeof(r->size));
	h = fnv1a(h, &r->op, sizeof(r->op));
	if (r->op == TOP_CTRL) {
		h = fnv1a(h, &c->kind, sizeof(c->kind));
		h = fnv1a(h, &c->nargs, sizeof(c->nargs));
		h = fnv1a(h, c->args, c->nargs * sizeof(c->args[0]));
		h = fnv1a(h, &c->ret, sizeof(c->ret));
	}
	return h;
}

static void spec_from(struct wlgen_spec *s, const char *const *kv)
{
	wlgen_spec_init(s);
	for (; kv[0]; kv += 2) {
		int rc = wlgen_spec_set(s, kv[0], kv[1], err, sizeof(err));
		if (rc)
			fail_msg("%s", err);
	}
}

static wlgen_t *make(const char *const *kv)
{
	struct wlgen_spec s;
	wlgen_t *g;

	spec_from(&s, kv);
	if (wlgen_create(&g, &s, err, sizeof(err)))
		fail_msg("%s", err);
	return g;
}

static uint64_t hash_all(const char *const *kv, uint64_t *nrec)
{
	wlgen_t *g = make(kv);
	struct trace_rec r;
	struct trace_ctrl c;
	uint64_t h = 0xcbf29ce484222325ULL, n = 0;

	while (wlgen_next(g, &r, &c) == 1) {
		h = hash_rec(h, &r, &c);
		n++;
	}
	wlgen_destroy(g);
	*nrec = n;
	return h;
}

/* Golden streams: any change to a pattern's output must be deliberate. */
static void golden_hashes(void **state)
{
	static const struct {
		const char *kv[20];
		uint64_t nrec, hash;
	} cases[] = {
		/* the patterns as they are, without the first-touch phase */
		{ { "pattern", "stream", "size", "1M", "threads", "2", "accesses", "5000", "init", "false", NULL }, 0, 0 },
		{ { "pattern", "gups", "size", "1M", "threads", "2", "accesses", "5000", "init", "false", NULL }, 0, 0 },
		{ { "pattern", "zipf", "size", "1M", "accesses", "5000", "zipf_s", "0.9", "init", "false", NULL }, 0, 0 },
		{ { "pattern", "chase", "size", "256K", "accesses", "5000", "init", "false", NULL }, 0, 0 },
		{ { "pattern", "stencil", "size", "256K", "threads", "2", "accesses", "5000", "init", "false", NULL }, 0, 0 },
		{ { "pattern", "shared", "size", "1M", "threads", "4", "cpus", "0,2,4,6", "accesses", "2000",
		    "use", "uniform", "write_ratio", "0.25", "init", "false", NULL }, 0, 0 },
		{ { "pattern", "phase", "size", "1M", "threads", "2", "accesses", "4000", "mempolicy",
		    "interleave:0-1", "init", "false", NULL }, 0, 0 },
		{ { "pattern", "prodcons", "size", "1M", "threads", "2", "accesses", "3000", "gap", "7", "init", "false", NULL }, 0, 0 },
		{ { "pattern", "hog", "size", "4M", "mbind", "bind:1", "init", "false", NULL }, 0, 0 },
		{ { "pattern", "stride", "size", "1M", "stride", "8K", "accesses", "3000", "seed", "9", "init", "false", NULL }, 0, 0 },
		/* with it (the default) */
		{ { "pattern", "stream", "size", "1M", "threads", "2", "accesses", "5000", NULL }, 0, 0 },
		{ { "pattern", "chase", "size", "256K", "threads", "2", "accesses", "5000", NULL }, 0, 0 },
		{ { "pattern", "prodcons", "size", "1M", "threads", "4", "accesses", "3000", NULL }, 0, 0 },
		{ { "pattern", "gups", "size", "1M", "threads", "3", "accesses", "5000", NULL }, 0, 0 },
	};
	static const uint64_t want[][2] = {
#include "tests/experiments/wlgen_golden.inc"
	};
	int print = getenv("WLGEN_PRINT_GOLDEN") != NULL;

	(void)state;
	assert_int_equal(ARRAY_SIZE(want), ARRAY_SIZE(cases));
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t n, h = hash_all(cases[i].kv, &n);

		if (print)
			printf("\t{ %lluULL, 0x%016llxULL },   /* %s */\n", (unsigned long long)n,
			       (unsigned long long)h, cases[i].kv[1]);
		else
			assert_int_equal(n, want[i][0]);
		if (!print)
			assert_int_equal(h, want[i][1]);
	}
}

/* Same spec, same stream; another seed changes a random pattern. */
static void deterministic_and_seeded(void **state)
{
	const char *a[] = { "pattern", "uniform", "size", "1M", "threads", "3", "accesses", "3000", NULL };
	const char *b[] = { "pattern", "uniform", "size", "1M", "threads", "3", "accesses", "3000", "seed", "2", NULL };
	uint64_t n1, n2, n3;
	uint64_t h1 = hash_all(a, &n1), h2 = hash_all(a, &n2), h3 = hash_all(b, &n3);

	(void)state;
	assert_int_equal(h1, h2);
	assert_int_equal(n1, n3);
	assert_int_not_equal(h1, h3);
}

/* Records of thread k come in runs of `chunk`, threads in turn. */
static void round_robin_chunks(void **state)
{
	const char *kv[] = { "pattern", "stream", "size", "1M", "threads", "3", "accesses", "10", "chunk", "4", "init", "false", NULL };
	const unsigned want[] = { 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
				  0, 0, 1, 1, 2, 2 };
	wlgen_t *g = make(kv);
	struct trace_rec r;
	struct trace_ctrl c;
	unsigned n = 0, nctrl = 0;

	(void)state;
	assert_int_equal(wlgen_total_accesses(g), 30);
	while (wlgen_next(g, &r, &c) == 1) {
		if (r.op == TOP_CTRL) {
			nctrl++;
			continue;
		}
		assert_true(n < ARRAY_SIZE(want));
		assert_int_equal(r.tid, want[n]);
		n++;
	}
	assert_int_equal(n, ARRAY_SIZE(want));
	/* THREAD_CPU x3, MMAP, CLONE x2 */
	assert_int_equal(nctrl, 6);
	wlgen_destroy(g);
}

/* Stream: every line of each slice, each thread in its slice, loads only. */
static void stream_footprint(void **state)
{
	const char *kv[] = { "pattern", "stream", "size", "256K", "threads", "2", "accesses", "4096", "init", "false", NULL };
	wlgen_t *g = make(kv);
	struct trace_rec r;
	struct trace_ctrl c;
	static uint8_t seen[4096];
	unsigned distinct = 0;

	(void)state;
	memset(seen, 0, sizeof(seen));
	while (wlgen_next(g, &r, &c) == 1) {
		uint64_t line;

		if (r.op == TOP_CTRL)
			continue;
		assert_int_equal(r.op, TOP_LOAD);
		assert_int_equal(r.flags, 0);             /* stream loads are independent */
		assert_true(r.addr >= 0x100000000ULL && r.addr < 0x100000000ULL + (256 << 10));
		line = (r.addr - 0x100000000ULL) / 64;
		assert_int_equal(line / 2048, r.tid);     /* thread k owns half k */
		distinct += !seen[line];
		seen[line] = 1;
	}
	assert_int_equal(distinct, 4096);
	wlgen_destroy(g);
}

/* write_ratio gives that share of stores, within 5 sigma. */
static void write_mix(void **state)
{
	const char *kv[] = { "pattern", "uniform", "size", "1M", "accesses", "100000", "write_ratio", "0.3", "init", "false", NULL };
	wlgen_t *g = make(kv);
	struct trace_rec r;
	struct trace_ctrl c;
	uint64_t st = 0, n = 0;
	double p = 0.3, tol;

	(void)state;
	while (wlgen_next(g, &r, &c) == 1) {
		if (r.op == TOP_CTRL)
			continue;
		assert_true(r.op == TOP_LOAD || r.op == TOP_STORE);
		assert_int_equal(r.addr % 64, 0);
		st += r.op == TOP_STORE;
		n++;
	}
	tol = 5 * sqrt(p * (1 - p) / (double)n);
	assert_int_equal(n, 100000);
	assert_true(fabs((double)st / (double)n - p) < tol);
	wlgen_destroy(g);
}

/* Zipf: rank frequencies match k^-s / H(n, s) within 5 sigma. */
static void zipf_skew(void **state)
{
	const double svals[] = { 0.8, 1.0, 1.3 };

	(void)state;
	for (size_t si = 0; si < ARRAY_SIZE(svals); si++) {
		char sbuf[16];
		const char *kv[] = { "pattern", "zipf", "size", "64K", "accesses", "200000", "zipf_s", sbuf, "init", "false", NULL };
		const unsigned ranks[] = { 1, 2, 3, 10, 100, 1024 };
		static uint64_t count[1024];
		wlgen_t *g;
		struct trace_rec r;
		struct trace_ctrl c;
		double H = 0, n = 0;

		snprintf(sbuf, sizeof(sbuf), "%.1f", svals[si]);
		g = make(kv);
		memset(count, 0, sizeof(count));
		while (wlgen_next(g, &r, &c) == 1) {
			if (r.op == TOP_CTRL)
				continue;
			count[(r.addr - 0x100000000ULL) / 64]++;
			n++;
		}
		wlgen_destroy(g);
		for (unsigned k = 1; k <= 1024; k++)
			H += pow(k, -svals[si]);
		for (size_t i = 0; i < ARRAY_SIZE(ranks); i++) {
			double p = pow(ranks[i], -svals[si]) / H;
			double got = (double)count[ranks[i] - 1] / n;
			double tol = 5 * sqrt(p * (1 - p) / n);

			if (fabs(got - p) >= tol)
				fail_msg("s=%g rank %u: %.5f vs %.5f (tol %.5f)", svals[si], ranks[i], got, p, tol);
		}
	}
}

/*
 * hotcold: hot_ratio of the accesses fall in the last hot_size bytes (within
 * 5 sigma), every access is line-aligned inside the region, and both sets
 * are used throughout; a hot set as large as the region is refused.
 */
static void hotcold_split(void **state)
{
	const char *kv[] = { "pattern", "hotcold", "size", "1M", "hot_size", "256K", "hot_ratio", "0.8",
			     "accesses", "100000", "init", "false", NULL };
	wlgen_t *g = make(kv);
	struct trace_rec r;
	struct trace_ctrl c;
	uint64_t hot = 0, n = 0, lo = 0x100000000ULL, split = lo + (768 << 10), hi = lo + (1 << 20);
	double p = 0.8, tol;
	char msg[256];

	(void)state;
	while (wlgen_next(g, &r, &c) == 1) {
		if (r.op == TOP_CTRL)
			continue;
		assert_true(r.addr >= lo && r.addr < hi);
		assert_int_equal(r.addr % 64, 0);
		hot += r.addr >= split;
		n++;
	}
	wlgen_destroy(g);
	tol = 5 * sqrt(p * (1 - p) / (double)n);
	assert_int_equal(n, 100000);
	assert_true(fabs((double)hot / (double)n - p) < tol);
	struct wlgen_spec s;
	wlgen_spec_init(&s);
	assert_int_equal(wlgen_spec_set(&s, "pattern", "hotcold", msg, sizeof(msg)), 0);
	assert_int_equal(wlgen_spec_set(&s, "size", "1M", msg, sizeof(msg)), 0);
	assert_int_equal(wlgen_spec_set(&s, "hot_size", "1M", msg, sizeof(msg)), 0);
	assert_int_equal(wlgen_create(&g, &s, msg, sizeof(msg)), -SIM_ECONFIG);
	assert_non_null(strstr(msg, "hot_size"));
}

/* Chase: one cycle through all lines, back to the start after N steps. */
static void chase_single_cycle(void **state)
{
	const char *kv[] = { "pattern", "chase", "size", "64K", "accesses", "2048", "init", "false", NULL };
	wlgen_t *g = make(kv);
	struct trace_rec r;
	struct trace_ctrl c;
	static uint8_t seen[1024];
	uint64_t addrs[2048];
	unsigned n = 0;

	(void)state;
	memset(seen, 0, sizeof(seen));
	while (wlgen_next(g, &r, &c) == 1) {
		if (r.op == TOP_CTRL)
			continue;
		assert_int_equal(r.flags, TREC_DEP);     /* every hop waits for the one before */
		addrs[n++] = r.addr;
	}
	assert_int_equal(n, 2048);
	for (unsigned i = 0; i < 1024; i++) {
		unsigned line = (unsigned)((addrs[i] - 0x100000000ULL) / 64);
		assert_int_equal(seen[line], 0);
		seen[line] = 1;
		assert_int_equal(addrs[i], addrs[i + 1024]);
	}
	assert_int_equal(addrs[0], 0x100000000ULL);
	assert_int_not_equal(addrs[1], 0x100000040ULL);   /* shuffled, not sequential */
	wlgen_destroy(g);
}

/* Shared: thread 0 alone touches every page, then CLONEs, then everyone. */
static void shared_first_touch(void **state)
{
	const char *kv[] = { "pattern", "shared", "size", "1M", "threads", "4", "cpus", "0,2,4,6",
			     "accesses", "1000", "mempolicy", "preferred:1", NULL };
	wlgen_t *g = make(kv);
	struct trace_rec r;
	struct trace_ctrl c;
	unsigned phase = 0, touches = 0, clones = 0, mp = 0, per[4] = { 0 };
	static uint8_t page[256];

	(void)state;
	memset(page, 0, sizeof(page));
	/* Opening: thread 0 placement and its policy, then the mapping. */
	assert_int_equal(wlgen_next(g, &r, &c), 1);
	assert_int_equal(r.op, TOP_CTRL);
	assert_int_equal(c.kind, TCTRL_THREAD_CPU);
	assert_int_equal(c.args[0], 0);
	assert_int_equal(wlgen_next(g, &r, &c), 1);
	assert_int_equal(c.kind, TCTRL_SET_MEMPOLICY);
	assert_int_equal(c.args[0], 1);
	assert_int_equal(c.args[1], 2);
	assert_int_equal(wlgen_next(g, &r, &c), 1);
	assert_int_equal(c.kind, TCTRL_MMAP);
	assert_int_equal(c.args[0], 0x100000000ULL);
	assert_int_equal(c.args[1], 1 << 20);
	while (wlgen_next(g, &r, &c) == 1) {
		if (r.op == TOP_CTRL) {
			if (c.kind == TCTRL_MARK) {
				assert_int_equal(c.args[0], 1);
				phase = 1;
			} else if (c.kind == TCTRL_CLONE) {
				assert_int_equal(phase, 1);
				assert_int_equal(r.tid, 0);
				clones++;
			} else if (c.kind == TCTRL_THREAD_CPU) {
				assert_int_equal(c.args[0], 2 * r.tid);
			} else if (c.kind == TCTRL_SET_MEMPOLICY) {
				mp++;
			}
			continue;
		}
		if (phase == 0) {
			assert_int_equal(r.tid, 0);
			assert_int_equal(r.op, TOP_STORE);
			page[(r.addr - 0x100000000ULL) / 4096]++;
			touches++;
		} else {
			per[r.tid]++;
		}
	}
	assert_int_equal(touches, 256);
	for (unsigned i = 0; i < 256; i++)
		assert_int_equal(page[i], 1);
	assert_int_equal(clones, 3);
	assert_int_equal(mp, 3);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(per[i], 1000);
	wlgen_destroy(g);
}

/* Phase change: each group first-touches its half, uses it, then the other. */
static void phase_change_halves(void **state)
{
	const char *kv[] = { "pattern", "phase", "size", "1M", "threads", "2", "accesses", "1000", NULL };
	wlgen_t *g = make(kv);
	struct trace_rec r;
	struct trace_ctrl c;
	unsigned phase = 0, n[3] = { 0 };
	const uint64_t half = 0x100000000ULL + (512 << 10);

	(void)state;
	while (wlgen_next(g, &r, &c) == 1) {
		bool upper;

		if (r.op == TOP_CTRL) {
			if (c.kind == TCTRL_MARK)
				phase = (unsigned)c.args[0];
			continue;
		}
		upper = r.addr >= half;
		if (phase == 0)
			assert_int_equal(r.op, TOP_STORE);
		/* tid 0 is on half 0 in phases 0-1 and half 1 in phase 2; tid 1 the reverse. */
		assert_int_equal(upper, (r.tid == 1) != (phase == 2));
		n[phase]++;
	}
	assert_int_equal(n[0], 256);
	assert_int_equal(n[1], 1000);
	assert_int_equal(n[2], 1000);
	wlgen_destroy(g);
}

/* Producer/consumer: the consumer reads what its producer wrote, in order. */
static void prodcons_pairs(void **state)
{
	const char *kv[] = { "pattern", "prodcons", "size", "64K", "threads", "2", "accesses", "3000", "init", "false", NULL };
	wlgen_t *g = make(kv);
	struct trace_rec r;
	struct trace_ctrl c;
	static uint64_t prod[3000], cons[3000];
	unsigned np = 0, nc = 0;

	(void)state;
	while (wlgen_next(g, &r, &c) == 1) {
		if (r.op == TOP_CTRL)
			continue;
		if (r.tid == 0) {
			assert_int_equal(r.op, TOP_STORE);
			prod[np++] = r.addr;
		} else {
			assert_int_equal(r.op, TOP_LOAD);
			assert_true(nc < np);            /* never ahead of the producer */
			cons[nc++] = r.addr;
		}
	}
	assert_int_equal(np, 3000);
	assert_int_equal(nc, 3000);
	assert_memory_equal(prod, cons, sizeof(prod));
	wlgen_destroy(g);
}

/* Stencil: five loads from one grid then a store to the other, in bounds. */
static void stencil_shape(void **state)
{
	const char *kv[] = { "pattern", "stencil", "size", "32K", "accesses", "600", "init", "false", NULL };
	wlgen_t *g = make(kv);
	struct trace_rec r;
	struct trace_ctrl c;
	unsigned k = 0;
	uint64_t center = 0;
	const uint64_t base = 0x100000000ULL, gridb = 16 << 10, n = 45;   /* 45*45*8 <= 16K */

	(void)state;
	while (wlgen_next(g, &r, &c) == 1) {
		if (r.op == TOP_CTRL)
			continue;
		if (k % 6 == 0)
			center = r.addr;
		if (k % 6 < 5) {
			const uint64_t d[5] = { 0, -n * 8, n * 8, -8ULL, 8 };
			assert_int_equal(r.op, TOP_LOAD);
			assert_int_equal(r.addr, center + d[k % 6]);
			assert_true(r.addr < base + gridb);
		} else {
			assert_int_equal(r.op, TOP_STORE);
			assert_int_equal(r.addr, center + gridb);
		}
		k++;
	}
	assert_int_equal(k, 600);
	wlgen_destroy(g);
}

/* Hog: one store per page, every page; mbind issued with the node mask. */
static void hog_touches_all(void **state)
{
	const char *kv[] = { "pattern", "hog", "size", "2M", "threads", "2", "mbind", "interleave:0,2", NULL };
	wlgen_t *g = make(kv);
	struct trace_rec r;
	struct trace_ctrl c;
	static uint8_t page[512];
	unsigned n = 0, mbind = 0;

	(void)state;
	memset(page, 0, sizeof(page));
	while (wlgen_next(g, &r, &c) == 1) {
		if (r.op == TOP_CTRL) {
			if (c.kind == TCTRL_MBIND) {
				assert_int_equal(c.args[2], 3);
				assert_int_equal(c.args[3], 0x5);
				mbind++;
			}
			continue;
		}
		page[(r.addr - 0x100000000ULL) / 4096]++;
		n++;
	}
	assert_int_equal(n, 512);
	assert_int_equal(mbind, 1);
	for (unsigned i = 0; i < 512; i++)
		assert_int_equal(page[i], 1);
	wlgen_destroy(g);
}

/*
 * First touch by default: every page of the region is stored to before any
 * load of it, by the thread a parallel initialization gives it (its own
 * page slice; the whole ring by thread 0 for a chase), and the pattern that
 * follows is record for record the one --no-init gives.
 */
static void first_touch_before_use(void **state)
{
	static const char *const pats[] = { "stream", "stride", "gups", "uniform", "zipf", "chase", "stencil",
					    "prodcons" };

	(void)state;
	for (size_t pi = 0; pi < ARRAY_SIZE(pats); pi++) {
		const char *kv[] = { "pattern", pats[pi], "size", "256K", "threads", "4", "accesses", "3000",
				     "stride", "8K", NULL, NULL, NULL };
		wlgen_t *g = make(kv), *plain;
		struct trace_rec r, r2;
		struct trace_ctrl c, c2;
		static int8_t owner[64];
		unsigned touched = 0;
		bool in_init = true;

		memset(owner, -1, sizeof(owner));
		kv[10] = "init";
		kv[11] = "false";
		plain = make(kv);
		while (wlgen_next(g, &r, &c) == 1) {
			unsigned pg;

			if (r.op == TOP_CTRL) {
				if (c.kind == TCTRL_MARK)
					in_init = false;
				continue;
			}
			pg = (unsigned)((r.addr - 0x100000000ULL) / 4096);
			assert_true(pg < 64);
			if (in_init) {
				assert_int_equal(r.op, TOP_STORE);
				assert_int_equal(owner[pg], -1);
				owner[pg] = (int8_t)r.tid;
				touched++;
				if (!strcmp(pats[pi], "chase"))
					assert_int_equal(r.tid, 0);
				else if (!strcmp(pats[pi], "prodcons"))
					assert_int_equal(r.tid, pg / 32 * 2);     /* producer of pair pg/32 */
				else
					assert_int_equal(r.tid, pg / 16);         /* thread k: pages [16k, 16k+16) */
				continue;
			}
			/* after the first touch: the same records as without it */
			do
				assert_int_equal(wlgen_next(plain, &r2, &c2), 1);
			while (r2.op == TOP_CTRL);
			assert_int_equal(r.addr, r2.addr);
			assert_int_equal(r.op, r2.op);
			assert_int_equal(r.tid, r2.tid);
		}
		if (touched != 64)
			fail_msg("%s: %u of 64 pages first-touched", pats[pi], touched);
		while (wlgen_next(plain, &r2, &c2) == 1)
			assert_int_equal(r2.op, TOP_CTRL);
		assert_int_equal(wlgen_total_accesses(g), wlgen_total_accesses(plain) + 64);
		wlgen_destroy(g);
		wlgen_destroy(plain);
	}
}

/* Misspelled keys name the nearest valid one. */
static void unknown_key_suggests(void **state)
{
	struct wlgen_spec s;

	(void)state;
	wlgen_spec_init(&s);
	assert_int_equal(wlgen_spec_set(&s, "patern", "chase", err, sizeof(err)), -SIM_EUSAGE);
	assert_non_null(strstr(err, "did you mean \"pattern\""));
	assert_int_equal(wlgen_spec_set(&s, "writeratio", "0.5", err, sizeof(err)), -SIM_EUSAGE);
	assert_non_null(strstr(err, "\"write_ratio\""));
	assert_int_equal(wlgen_spec_set(&s, "colour", "red", err, sizeof(err)), -SIM_EUSAGE);
	assert_null(strstr(err, "did you mean"));
	assert_int_equal(wlgen_spec_set(&s, "init", "maybe", err, sizeof(err)), -SIM_ECONFIG);
	assert_int_equal(wlgen_spec_set(&s, "init", "no", err, sizeof(err)), 0);
	assert_true(s.no_init);
}

/* Bad specs are refused with a message naming the field. */
static void bad_specs(void **state)
{
	struct wlgen_spec s;
	wlgen_t *g;

	(void)state;
	wlgen_spec_init(&s);
	assert_int_equal(wlgen_spec_set(&s, "size", "12Q", err, sizeof(err)), -SIM_ECONFIG);
	assert_non_null(strstr(err, "size"));
	assert_int_equal(wlgen_spec_set(&s, "colour", "red", err, sizeof(err)), -SIM_EUSAGE);
	assert_non_null(strstr(err, "colour"));
	assert_int_equal(wlgen_spec_set(&s, "pattern", "zigzag", err, sizeof(err)), -SIM_ECONFIG);
	assert_int_equal(wlgen_spec_set(&s, "mbind", "bind", err, sizeof(err)), -SIM_ECONFIG);
	assert_int_equal(wlgen_spec_set(&s, "write_ratio", "1.5", err, sizeof(err)), -SIM_ECONFIG);
	assert_int_equal(wlgen_spec_set(&s, "accesses", "1M", err, sizeof(err)), 0);
	assert_int_equal(s.accesses, 1000000);
	assert_int_equal(wlgen_spec_set(&s, "size", "2M", err, sizeof(err)), 0);
	assert_int_equal(s.size, 2 << 20);

	wlgen_spec_init(&s);
	s.pattern = WL_PRODCONS;
	s.threads = 3;
	assert_int_equal(wlgen_create(&g, &s, err, sizeof(err)), -SIM_ECONFIG);
	assert_null(g);
	assert_non_null(strstr(err, "even"));

	wlgen_spec_init(&s);
	s.size = 5000;
	assert_int_equal(wlgen_create(&g, &s, err, sizeof(err)), -SIM_ECONFIG);
	assert_non_null(strstr(err, "size"));

	wlgen_spec_init(&s);
	s.threads = 2;
	assert_int_equal(wlgen_spec_set(&s, "cpus", "0-2", err, sizeof(err)), 0);
	assert_int_equal(wlgen_create(&g, &s, err, sizeof(err)), -SIM_ECONFIG);
	assert_non_null(strstr(err, "cpus"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(golden_hashes),
		cmocka_unit_test(first_touch_before_use),
		cmocka_unit_test(unknown_key_suggests),
		cmocka_unit_test(deterministic_and_seeded),
		cmocka_unit_test(round_robin_chunks),
		cmocka_unit_test(stream_footprint),
		cmocka_unit_test(write_mix),
		cmocka_unit_test(zipf_skew),
		cmocka_unit_test(hotcold_split),
		cmocka_unit_test(chase_single_cycle),
		cmocka_unit_test(shared_first_touch),
		cmocka_unit_test(phase_change_halves),
		cmocka_unit_test(prodcons_pairs),
		cmocka_unit_test(stencil_shape),
		cmocka_unit_test(hog_touches_all),
		cmocka_unit_test(bad_specs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
