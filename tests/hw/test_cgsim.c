/*
 * tests/hw/test_cgsim.c - cachegrind's caches (hw/cgsim.c): its counting
 * rules by hand, cgsim_ref against a restatement of cachegrind's simulator
 * (Valgrind's cachegrind/cg_sim.c: cachesim_ref_is_miss and
 * cachesim_setref_is_miss - a zeroed tag array, the block number as the
 * tag, the set searched MRU first and shifted), and cgsim_run, the batch
 * replay, against cgsim_ref at every vector level the host has.
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

/*
 * Cachegrind rules by hand.  D1: 2 sets x 2 ways, LL: 4 sets x 2 ways,
 * I1: 2 x 2, all 64-byte lines.  Block 0 starts present (cachegrind's
 * zeroed tags).  Blocks: 0x1000 -> 64 (D1 set 0, LL set 0), 0x2000 -> 128,
 * 0x3000 -> 192 (all set 0 everywhere).
 *  1 L 1000,4   D1 miss, LL miss            D1 s0 [64 0]     LL s0 [64 0]
 *  2 L 1000,4   hit
 *  3 S 103c,8   straddles 64|65: 64 hits, 65 misses -> one write miss;
 *               LL looks up both (same addr,size): 64 hit, 65 miss -> DLmw
 *  4 M 2000,4   one READ: D1 miss [128 64], LL miss [128 64]
 *  5 L 3000,4   D1 miss [192 128], LL miss [192 128]
 *  6 L 1000,4   D1 miss [64 192], LL miss [64 192]
 *  7 L 0,4      block 0 was pushed out at 4: D1 miss, LL miss
 *  8 I 1000,4   I1 miss; LL s0 [0 64] -> hit
 *  9 I 10,4     block 0: I1 still holds its initial block 0 -> hit
 * 10 L 5020,100 clamped to 64 bytes: blocks 320|321, D1 miss, LL miss
 * Ir 2 I1mr 1 ILmr 0 Dr 7 D1mr 6 DLmr 6 Dw 1 D1mw 1 DLmw 1
 */
static void cgsim_hand(void **state)
{
	struct cache_cfg i1 = geom(256, 2, 64), d1 = geom(256, 2, 64),
			 ll = geom(512, 2, 64);
	static const struct { uint64_t a; uint32_t s; enum mem_op op; } seq[] = {
		{ 0x1000, 4, MEM_LOAD }, { 0x1000, 4, MEM_LOAD }, { 0x103c, 8, MEM_STORE }, { 0x2000, 4, MEM_MODIFY },
		{ 0x3000, 4, MEM_LOAD }, { 0x1000, 4, MEM_LOAD }, { 0x0, 4, MEM_LOAD }, { 0x1000, 4, MEM_IFETCH },
		{ 0x10, 4, MEM_IFETCH }, { 0x5020, 100, MEM_LOAD },
	};
	static const uint64_t expect[NR_CG_EVENTS] = { 2, 1, 0, 7, 6, 6, 1, 1, 1 };
	cgsim_t *s;

	(void)state;
	assert_int_equal(cgsim_create(&s, &i1, &d1, &ll, err, sizeof(err)), 0);
	for (size_t i = 0; i < ARRAY_SIZE(seq); i++)
		cgsim_ref(s, seq[i].a, seq[i].s, seq[i].op);
	for (int e = 0; e < NR_CG_EVENTS; e++) {
		if (cgsim_counts(s)[e] != expect[e])
			fail_msg("%s: %llu, expected %llu", cg_event_names[e],
				 (unsigned long long)cgsim_counts(s)[e], (unsigned long long)expect[e]);
	}
	cgsim_destroy(s);

	/* cachegrind refuses a set count that is not a power of two */
	ll = geom(3 * 2 * 64, 2, 64);
	assert_int_equal(cgsim_create(&s, &i1, &d1, &ll, err, sizeof(err)), -SIM_ECONFIG);
	assert_non_null(strstr(err, "power-of-two"));
}

/* cachegrind's own simulator, restated: zeroed tags, MRU-first shuffle, bit-selected set. */
struct cgref {
	uint32_t sets, ways, shift;
	uint64_t *tags;
};

static bool cgref_set(struct cgref *c, uint64_t set, uint64_t tag)
{
	uint64_t *s = &c->tags[set * c->ways];
	uint32_t i;

	for (i = 0; i < c->ways; i++)
		if (s[i] == tag)
			break;
	bool miss = i == c->ways;
	if (miss)
		i = c->ways - 1;
	memmove(&s[1], &s[0], i * sizeof(*s));
	s[0] = tag;
	return miss;
}

static bool cgref_ref(struct cgref *c, uint64_t a, uint32_t size)
{
	uint64_t b1 = a >> c->shift, b2 = (a + size - 1) >> c->shift;
	bool m = cgref_set(c, b1 & (c->sets - 1), b1);
	if (b2 != b1 && cgref_set(c, b2 & (c->sets - 1), b2))
		m = true;
	return m;
}

/* Random references (near address 0 too, straddling often) against the restated model. */
static void cgsim_differential(void **state)
{
	struct cache_cfg i1 = geom(1024, 2, 64), d1 = geom(2048, 4, 64),
			 ll = geom(8192, 8, 64);
	struct cgref r[3] = {
		{ 8, 2, 6, calloc(16, 8) }, { 8, 4, 6, calloc(32, 8) }, { 16, 8, 6, calloc(128, 8) },
	};
	uint64_t n[NR_CG_EVENTS] = { 0 };
	struct rng rng;
	cgsim_t *s;

	(void)state;
	rng_seed(&rng, 99, 3);
	assert_int_equal(cgsim_create(&s, &i1, &d1, &ll, err, sizeof(err)), 0);
	for (int i = 0; i < 100000; i++) {
		uint64_t a = rng_below(&rng, 32768);
		uint32_t size = (uint32_t)(1 + rng_below(&rng, 16));
		enum mem_op op = (enum mem_op)rng_below(&rng, NR_MEM_OPS);
		cgsim_ref(s, a, size, op);
		if (op == MEM_IFETCH) {
			n[CG_IR]++;
			if (cgref_ref(&r[0], a, size)) {
				n[CG_I1MR]++;
				n[CG_ILMR] += cgref_ref(&r[2], a, size);
			}
		} else {
			bool w = op == MEM_STORE;
			n[w ? CG_DW : CG_DR]++;
			if (cgref_ref(&r[1], a, size)) {
				n[w ? CG_D1MW : CG_D1MR]++;
				n[w ? CG_DLMW : CG_DLMR] += cgref_ref(&r[2], a, size);
			}
		}
	}
	for (int e = 0; e < NR_CG_EVENTS; e++)
		assert_int_equal(cgsim_counts(s)[e], n[e]);
	assert_true(n[CG_DLMR] > 100 && n[CG_DLMR] < n[CG_D1MR]);
	cgsim_destroy(s);
	for (int k = 0; k < 3; k++)
		free(r[k].tags);
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
		cmocka_unit_test(cgsim_hand),
		cmocka_unit_test(cgsim_differential),
		cmocka_unit_test(cgsim_run_levels),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
