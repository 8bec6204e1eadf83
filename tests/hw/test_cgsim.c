/*
 * tests/hw/test_cgsim.c - cachegrind's caches (hw/cgsim.c): cgsim_run, the
 * batch replay, against cgsim_ref, one reference at a time, at every vector
 * level the host has.  cgsim_ref itself is checked against cachegrind's
 * rules (by hand, and against a restatement of Valgrind's
 * cachegrind/cg_sim.c) in test_cache.c.
 */
#include <stdlib.h>
#include <string.h>
#include "tests/support/test.h"
#include "hw/cgsim.h"
#include "sim/rng.h"
#include "sim/err.h"

static char err[256];

static struct cache_cfg geom(uint64_t size, uint32_t ways, uint32_t line)
{
	return (struct cache_cfg){ .enabled = true, .size = size, .ways = ways, .line = line, .repl = REPL_LRU };
}

/* A record of a layout of the test's own: the fields cgsim_run reads among others. */
struct rec {
	uint32_t pad;
	uint8_t op;              /* enum mem_op, or NR_MEM_OPS and up: not a reference */
	uint8_t pad2;
	uint16_t size;
	uint64_t addr;
};

static const struct cg_layout rec_layout = {
	.stride = sizeof(struct rec), .addr = offsetof(struct rec, addr), .size = offsetof(struct rec, size),
	.op = offsetof(struct rec, op),
};

/*
 * Phases of 300 to 3000 records: sweeps (the MRU-hit regime), random lines
 * over a span a few times the LL (the miss regime), a small hot set, and
 * lines near address 0 (block 0 starts present) and near 2^64; sizes 0 to
 * 80, so references straddle lines and data sizes get clamped; some
 * records are not references.
 */
static size_t gen_recs(struct rec *v, size_t n, uint64_t seed)
{
	struct rng rng;
	size_t i = 0;

	rng_seed(&rng, seed, 5);
	while (i < n) {
		unsigned kind = (unsigned)rng_below(&rng, 5);
		size_t len = 300 + rng_below(&rng, 2700);
		uint64_t a = rng_next(&rng) & ~7ull, step = 8 << rng_below(&rng, 4);

		for (size_t j = 0; j < len && i < n; j++, i++) {
			struct rec *r = &v[i];
			memset(r, 0, sizeof(*r));
			r->op = (uint8_t)rng_below(&rng, NR_MEM_OPS);
			r->size = (uint16_t)(rng_below(&rng, 8) ? 8 : rng_below(&rng, 81));
			switch (kind) {
			case 0: r->addr = a += step; break;
			case 1: r->addr = 0x10000000 + rng_below(&rng, 1u << 22); break;
			case 2: r->addr = 0x20000000 + 64 * rng_below(&rng, 48) + rng_below(&rng, 64); break;
			case 3: r->addr = rng_below(&rng, 8192); break;
			default: r->addr = (uint64_t)0 - 1 - rng_below(&rng, 1u << 16); break;
			}
			if (rng_below(&rng, 50) == 0)
				r->op = (uint8_t)(NR_MEM_OPS + rng_below(&rng, 3));
		}
	}
	return n;
}

/*
 * cgsim_run in batches of random length gives cgsim_ref's counts, with
 * every row routine: geometries whose ways are the usual 8/8/16 (the
 * unrolled vector loops), multiples of 4 (vector rows of any length) and
 * others (the scalar row, also inside the vector loops), at each vector
 * level the host has; and it returns the number of references.
 */
static void cgsim_run_levels(void **state)
{
	static const struct { uint64_t i1, d1, ll; uint32_t wi, wd, wl, li, ld, ll_line; } g[] = {
		{ 32768, 32768, 1 << 20, 8, 8, 16, 64, 64, 64 },
		{ 4096, 8192, 1 << 18, 8, 8, 16, 64, 32, 128 },     /* usual ways, mixed lines */
		{ 1024, 12288, 81920, 2, 12, 20, 32, 64, 64 },      /* 2 ways scalar, 12 and 20 vector */
		{ 2048, 3 * 1024, 96 * 1024, 2, 3, 12, 64, 64, 64 },
		{ 4096, 2048, 262144, 64, 4, 4, 64, 64, 64 },
	};
	const size_t n = 200000;
	struct rec *v = malloc(n * sizeof(*v));
	unsigned levels_run = 0;

	(void)state;
	assert_non_null(v);
	gen_recs(v, n, 42);
	for (size_t gi = 0; gi < ARRAY_SIZE(g); gi++) {
		struct cache_cfg i1 = geom(g[gi].i1, g[gi].wi, g[gi].li), d1 = geom(g[gi].d1, g[gi].wd, g[gi].ld);
		struct cache_cfg ll = geom(g[gi].ll, g[gi].wl, g[gi].ll_line);
		cgsim_t *ref;
		uint64_t refs = 0;

		assert_int_equal(cgsim_create(&ref, &i1, &d1, &ll, err, sizeof(err)), 0);
		for (size_t i = 0; i < n; i++)
			if (v[i].op < NR_MEM_OPS) {
				cgsim_ref(ref, v[i].addr, v[i].size, (enum mem_op)v[i].op);
				refs++;
			}
		for (int level = CG_SIMD_NONE; level <= CG_SIMD_AVX512; level++) {
			struct rng rng;
			cgsim_t *s;
			uint64_t got = 0;

			assert_int_equal(cgsim_create(&s, &i1, &d1, &ll, err, sizeof(err)), 0);
			if ((int)cgsim_set_simd(s, (enum cg_simd)level) != level) {
				cgsim_destroy(s);
				continue;                      /* the host lacks it */
			}
			levels_run |= 1u << level;
			rng_seed(&rng, 7, (uint64_t)level);
			for (size_t i = 0; i < n;) {
				size_t len = 1 + rng_below(&rng, 3000);
				len = SIM_MIN(len, n - i);
				got += cgsim_run(s, v + i, len, &rec_layout);
				i += len;
			}
			if (got != refs)
				fail_msg("geometry %zu, level %d: %llu references, expected %llu", gi, level, (unsigned long long)got, (unsigned long long)refs);
			for (int e = 0; e < NR_CG_EVENTS; e++)
				if (cgsim_counts(s)[e] != cgsim_counts(ref)[e])
					fail_msg("geometry %zu, level %d: %s %llu, cgsim_ref %llu", gi, level,
						 cg_event_names[e], (unsigned long long)cgsim_counts(s)[e],
						 (unsigned long long)cgsim_counts(ref)[e]);
			cgsim_destroy(s);
		}
		/* the trace reaches every regime: misses at every level, and hits */
		assert_true(cgsim_counts(ref)[CG_DLMR] > 1000 && cgsim_counts(ref)[CG_ILMR] > 100);
		assert_true(cgsim_counts(ref)[CG_D1MR] < cgsim_counts(ref)[CG_DR] * 3 / 4);
		cgsim_destroy(ref);
	}
	assert_true(levels_run & 1u << CG_SIMD_NONE);
	print_message("cgsim_run levels run: %s%s%s\n", levels_run & 1 ? "scalar " : "",
		      levels_run & 2 ? "avx2 " : "", levels_run & 4 ? "avx512" : "");
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cgsim_run_levels),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
