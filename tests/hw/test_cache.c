/*
 * tests/hw/test_cache.c - the cache array: indexing, LRU against a naive
 * model, dirty victims, prefetchers, and cachegrind's counting rules
 * (hw/cgsim.h; its batch replay: test_cgsim.c).
 */
#include <stdlib.h>
#include <string.h>
#include "tests/support/test.h"
#include "hw/cache.h"
#include "hw/cgsim.h"
#include "hw/prefetch.h"
#include "sim/rng.h"
#include "sim/err.h"

static char err[256];

static struct cache_cfg geom(uint64_t size, uint32_t ways, uint32_t line, uint32_t repl)
{
	return (struct cache_cfg){ .enabled = true, .size = size, .ways = ways, .line = line, .latency = 4,
				   .repl = repl, .prefetch = PF_NONE, .prefetch_degree = 1 };
}

/* Lookup, and on a miss fill: returns whether it hit; *victim gets the displaced block or -1. */
static bool touch(cache_t *c, uint64_t blk, int64_t *victim)
{
	struct cache_victim v;

	if (cache_lookup(c, blk, CREQ_LOAD, NULL) >= 0) {
		*victim = -1;
		return true;
	}
	cache_fill(c, blk, 0, &v);
	*victim = v.valid ? (int64_t)v.blk : -1;
	return false;
}

/* One 4-way set: A B C D filled, A touched, E evicts B (the LRU), F evicts C. */
static void cache_lru_set(void **state)
{
	struct cache_cfg cfg = geom(4 * 64, 4, 64, REPL_LRU);
	cache_t *c;
	int64_t v;

	(void)state;
	assert_int_equal(cache_create(&c, &cfg, "t", 1, 0, err, sizeof(err)), 0);
	assert_int_equal(cache_sets(c), 1);
	for (uint64_t b = 10; b < 14; b++) {
		assert_false(touch(c, b, &v));
		assert_int_equal(v, -1);
	}
	assert_true(touch(c, 10, &v));
	assert_false(touch(c, 14, &v));
	assert_int_equal(v, 11);
	assert_false(touch(c, 15, &v));
	assert_int_equal(v, 12);
	assert_int_equal(cache_stat(c, CACHE_ACCESSES), 7);
	assert_int_equal(cache_stat(c, CACHE_HITS), 1);
	assert_int_equal(cache_stat(c, CACHE_MISSES), 6);
	assert_int_equal(cache_stat(c, CACHE_EVICTIONS), 2);
	cache_destroy(c);
}

/* Non-power-of-two set counts index by block % sets; powers of two by bit selection. */
static void cache_indexing(void **state)
{
	struct cache_cfg cfg = geom(3 * 2 * 64, 2, 64, REPL_LRU);   /* 3 sets of 2 ways */
	cache_t *c;
	int64_t v;

	(void)state;
	assert_int_equal(cache_create(&c, &cfg, "t", 1, 0, err, sizeof(err)), 0);
	assert_int_equal(cache_sets(c), 3);
	touch(c, 0, &v);
	touch(c, 3, &v);
	touch(c, 1, &v);               /* set 1: does not disturb set 0 */
	assert_false(touch(c, 6, &v)); /* set 0 again: third block in 2 ways */
	assert_int_equal(v, 0);
	assert_true(cache_probe(c, 1) >= 0);
	assert_true(cache_probe(c, 3) >= 0);
	assert_true(cache_probe(c, 0) < 0);
	cache_destroy(c);

	/* 48 KiB 12-way 64 B = 64 sets; block 64 shares set 0 with block 0 */
	cfg = geom(48 * 1024, 12, 64, REPL_LRU);
	assert_int_equal(cache_create(&c, &cfg, "t", 1, 0, err, sizeof(err)), 0);
	assert_int_equal(cache_sets(c), 64);
	for (uint64_t i = 0; i <= 12; i++)
		touch(c, i * 64, &v);
	assert_int_equal(v, 0);
	cache_destroy(c);

	cfg = geom(1000, 3, 64, REPL_LRU);
	assert_int_equal(cache_create(&c, &cfg, "t", 1, 0, err, sizeof(err)), -SIM_ECONFIG);
	assert_null(c);
}

/* Naive reference: per set an MRU-first list of (block + 1, flags), scanned in full. */
struct naive {
	uint32_t sets, ways;
	uint64_t *l;     /* sets * ways, block + 1, 0 empty */
	uint8_t *f;      /* the lines' flags */
};

static uint32_t naive_find(struct naive *n, uint64_t blk)
{
	uint64_t *s = &n->l[(blk % n->sets) * n->ways];
	uint32_t i;

	for (i = 0; i < n->ways; i++)
		if (s[i] == blk + 1)
			break;
	return i;
}

/* Touch blk (fill with flags on a miss): *victim and *vflags get the displaced line. */
static bool naive_touch(struct naive *n, uint64_t blk, uint8_t flags, int64_t *victim, uint8_t *vflags)
{
	uint64_t base = (blk % n->sets) * n->ways, *s = &n->l[base];
	uint8_t *f = &n->f[base];
	uint32_t i = naive_find(n, blk);
	bool hit = i < n->ways;

	*victim = -1;
	*vflags = 0;
	if (hit) {
		flags = f[i];
	} else {
		i = n->ways - 1;
		if (s[i]) {
			*victim = (int64_t)s[i] - 1;
			*vflags = f[i];
		}
	}
	memmove(&s[1], &s[0], i * sizeof(*s));
	memmove(&f[1], &f[0], i);
	s[0] = blk + 1;
	f[0] = flags;
	return hit;
}

/* Remove blk; the ways behind it move up.  @return its flags | CL_PRESENT, or 0. */
static uint8_t naive_invalidate(struct naive *n, uint64_t blk)
{
	uint64_t base = (blk % n->sets) * n->ways, *s = &n->l[base];
	uint8_t *f = &n->f[base], fl;
	uint32_t i = naive_find(n, blk);

	if (i == n->ways)
		return 0;
	fl = f[i];
	memmove(&s[i], &s[i + 1], (n->ways - 1 - i) * sizeof(*s));
	memmove(&f[i], &f[i + 1], n->ways - 1 - i);
	s[n->ways - 1] = 0;
	f[n->ways - 1] = 0;
	return (uint8_t)(fl | CL_PRESENT);
}

/*
 * Random streams against the naive LRU model, hit for hit and victim for
 * victim (block and flags), with invalidations opening gaps in the sets and
 * stores marking hit lines dirty: the recency-ordered rows must pick every
 * victim an age-stamped LRU picks.
 */
static void cache_lru_differential(void **state)
{
	static const struct { uint32_t sets, ways, line; } g[] = {
		{ 1, 8, 64 }, { 64, 8, 64 }, { 3, 4, 64 }, { 48, 5, 32 }, { 1024, 20, 64 }, { 7, 1, 128 }, { 12, 16, 64 },
		{ 36, 11, 64 },
	};
	struct rng rng;

	(void)state;
	rng_seed(&rng, 2024, 1);
	for (size_t k = 0; k < ARRAY_SIZE(g); k++) {
		struct cache_cfg cfg = geom((uint64_t)g[k].sets * g[k].ways * g[k].line, g[k].ways, g[k].line, REPL_LRU);
		size_t nl = (size_t)g[k].sets * g[k].ways;
		struct naive n = { g[k].sets, g[k].ways, calloc(nl, 8), calloc(nl, 1) };
		uint64_t span = (uint64_t)g[k].sets * g[k].ways * 3;
		uint64_t hits = 0, inval = 0, dirty_victims = 0;
		cache_t *c;

		assert_int_equal(cache_create(&c, &cfg, "t", 1, 0, err, sizeof(err)), 0);
		for (int i = 0; i < 40000; i++) {
			/* mix a hot region with a wide one so both hits and misses happen */
			uint64_t blk = (rng_next(&rng) & 1) ? rng_below(&rng, span / 4 + 1) : rng_below(&rng, span);
			uint64_t op = rng_below(&rng, 10);
			if (op == 0) {
				uint8_t f1 = cache_invalidate(c, blk, true), f2 = naive_invalidate(&n, blk);
				assert_int_equal(f1, f2);
				inval += f1 != 0;
				continue;
			}
			uint8_t flags = (uint8_t)(op == 1 ? CL_DIRTY | CL_WRITABLE : 0), vf1 = 0, vf2;
			struct cache_victim v;
			int64_t v1 = -1, v2, s1 = cache_lookup(c, blk, CREQ_LOAD, NULL);
			bool h1 = s1 >= 0, h2 = naive_touch(&n, blk, flags, &v2, &vf2);
			if (h1 && flags) {
				cache_slot_set(c, s1, flags);
				n.f[(blk % n.sets) * n.ways] |= flags;
			} else if (!h1) {
				cache_fill(c, blk, flags, &v);
				v1 = v.valid ? (int64_t)v.blk : -1;
				vf1 = v.flags;
			}
			assert_int_equal(h1, h2);
			assert_int_equal(v1, v2);
			assert_int_equal(vf1, vf2);
			hits += h1;
			dirty_victims += (vf1 & CL_DIRTY) != 0;
		}
		assert_true(hits > 1000 && hits < 36000);
		assert_true(inval > 100);
		assert_true(g[k].ways == 1 || dirty_victims > 100);
		assert_int_equal(cache_stat(c, CACHE_HITS), hits);
		assert_int_equal(cache_stat(c, CACHE_INVALIDATIONS), inval);
		cache_destroy(c);
		free(n.l);
		free(n.f);
	}
}

/*
 * Dirty victims: 1 set, 2 ways, the caller writes-allocates and marks
 * stores dirty.  store A, load B, load C (evicts dirty A: writeback 1),
 * store B (hit, dirty), load D (evicts clean C), load E (evicts dirty B:
 * writeback 2).
 */
static void cache_writebacks(void **state)
{
	struct cache_cfg cfg = geom(2 * 64, 2, 64, REPL_LRU);
	struct { char op; uint64_t blk; int64_t victim; bool dirty; } seq[] = {
		{ 'S', 1, -1, false }, { 'L', 2, -1, false }, { 'L', 3, 1, true }, { 'S', 2, -1, false },
		{ 'L', 4, 3, false }, { 'L', 5, 2, true },
	};
	cache_t *c;

	(void)state;
	assert_int_equal(cache_create(&c, &cfg, "t", 1, 0, err, sizeof(err)), 0);
	for (size_t i = 0; i < ARRAY_SIZE(seq); i++) {
		enum cache_req req = seq[i].op == 'S' ? CREQ_STORE : CREQ_LOAD;
		int64_t slot = cache_lookup(c, seq[i].blk, req, NULL);
		struct cache_victim v = { 0 };
		if (slot < 0)
			slot = cache_fill(c, seq[i].blk, 0, &v);
		if (req == CREQ_STORE)
			cache_slot_set(c, slot, CL_DIRTY);
		assert_int_equal(v.valid ? (int64_t)v.blk : -1, seq[i].victim);
		assert_int_equal(!!(v.flags & CL_DIRTY), seq[i].dirty);
	}
	assert_int_equal(cache_stat(c, CACHE_WRITEBACKS), 2);
	assert_int_equal(cache_stat(c, CACHE_EVICTIONS), 3);
	assert_int_equal(cache_stat(c, CACHE_STORE_MISSES), 1);
	assert_int_equal(cache_stat(c, CACHE_LOAD_MISSES), 4);
	assert_int_equal(cache_invalidate(c, 5, true), CL_PRESENT);
	assert_int_equal(cache_invalidate(c, 5, true), 0);
	assert_int_equal(cache_stat(c, CACHE_INVALIDATIONS), 1);
	cache_destroy(c);
}

/* PLRU and SRRIP drive the cache's victims (same hand sequences as test_repl). */
static void cache_policies(void **state)
{
	struct cache_cfg cfg = geom(4 * 64, 4, 64, REPL_PLRU);
	cache_t *c;
	int64_t v;

	(void)state;
	assert_int_equal(cache_create(&c, &cfg, "t", 1, 0, err, sizeof(err)), 0);
	for (uint64_t b = 0; b < 4; b++)
		touch(c, b, &v);            /* ways 0..3; tree points at way 0 */
	touch(c, 0, &v);                    /* -> victim way 2 */
	assert_false(touch(c, 9, &v));
	assert_int_equal(v, 2);
	cache_destroy(c);

	cfg.repl = REPL_SRRIP;
	assert_int_equal(cache_create(&c, &cfg, "t", 1, 0, err, sizeof(err)), 0);
	for (uint64_t b = 0; b < 4; b++)
		touch(c, b, &v);
	touch(c, 0, &v);                    /* RRPV 0 2 2 2 -> age -> way 1 */
	assert_false(touch(c, 9, &v));
	assert_int_equal(v, 1);
	assert_false(touch(c, 10, &v));
	assert_int_equal(v, 2);
	cache_destroy(c);
}

/* Prefetchers: next-line degree 2; stride trains after two equal strides, stays in its 4 KiB region. */
static void cache_prefetchers(void **state)
{
	struct prefetcher p;
	uint64_t out[PF_MAX_DEGREE];
	struct cache_cfg cfg = geom(64 * 64, 4, 64, REPL_LRU);
	cache_t *c;
	bool pf;

	(void)state;
	prefetch_init(&p, PF_NEXT_LINE, 2, 6);
	assert_int_equal(prefetch_train(&p, 100, out), 2);
	assert_int_equal(out[0], 101);
	assert_int_equal(out[1], 102);

	prefetch_init(&p, PF_STRIDE, 2, 6);   /* 64 lines per region */
	assert_int_equal(prefetch_train(&p, 128, out), 0);   /* new region */
	assert_int_equal(prefetch_train(&p, 131, out), 0);   /* stride 3 seen once */
	assert_int_equal(prefetch_train(&p, 134, out), 2);   /* twice: confident */
	assert_int_equal(out[0], 137);
	assert_int_equal(out[1], 140);
	assert_int_equal(prefetch_train(&p, 5000, out), 0);  /* other region, own entry */
	assert_int_equal(prefetch_train(&p, 188, out), 0);   /* stride breaks: 54 */
	assert_int_equal(prefetch_train(&p, 190, out), 0);   /* 2, once */
	assert_int_equal(prefetch_train(&p, 186, out), 0);   /* -4 */
	assert_int_equal(prefetch_train(&p, 182, out), 2);   /* -4 twice */
	assert_int_equal(out[0], 178);
	assert_int_equal(out[1], 174);
	assert_int_equal(prefetch_train(&p, 186, out), 0);   /* +4 once */
	assert_int_equal(prefetch_train(&p, 190, out), 0);   /* +4 twice, but 194 is in the next region */
	assert_int_equal(prefetch_train(&p, 189, out), 0);   /* -1 once */
	assert_int_equal(prefetch_train(&p, 188, out), 2);   /* -1 twice */
	assert_int_equal(out[0], 187);
	assert_int_equal(out[1], 186);

	/* useful = first demand hit on a prefetched line, counted once */
	cfg.prefetch = PF_NEXT_LINE;
	assert_int_equal(cache_create(&c, &cfg, "t", 1, 0, err, sizeof(err)), 0);
	assert_true(cache_has_prefetcher(c));
	struct cache_victim v;
	cache_fill(c, 7, CL_PREFETCHED, &v);
	assert_true(cache_lookup(c, 7, CREQ_PREFETCH, &pf) >= 0);
	assert_false(pf);
	assert_true(cache_lookup(c, 7, CREQ_LOAD, &pf) >= 0);
	assert_true(pf);
	assert_true(cache_lookup(c, 7, CREQ_LOAD, &pf) >= 0);
	assert_false(pf);
	assert_int_equal(cache_stat(c, CACHE_PF_ISSUED), 1);
	assert_int_equal(cache_stat(c, CACHE_PF_USEFUL), 1);
	cache_destroy(c);
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
static void cache_cachegrind_hand(void **state)
{
	struct cache_cfg i1 = geom(256, 2, 64, REPL_LRU), d1 = geom(256, 2, 64, REPL_LRU),
			 ll = geom(512, 2, 64, REPL_LRU);
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
	ll = geom(3 * 2 * 64, 2, 64, REPL_LRU);
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
static void cache_cachegrind_differential(void **state)
{
	struct cache_cfg i1 = geom(1024, 2, 64, REPL_LRU), d1 = geom(2048, 4, 64, REPL_LRU),
			 ll = geom(8192, 8, 64, REPL_LRU);
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

/*
 * A slot is only where a line sits now: after the line there is invalidated
 * and another block fills the same way (LRU's front way; other policies
 * check the remembered slot of the latest hit first), a lookup of the old
 * block misses and the new one hits, with the counters of full scans.
 */
static void cache_last_slot(void **state)
{
	struct cache_cfg cfg = geom(2 * 2 * 64, 2, 64, REPL_LRU);   /* 2 sets of 2 ways */
	struct cache_victim v;
	cache_t *c;

	(void)state;
	assert_int_equal(cache_create(&c, &cfg, "t", 1, 0, err, sizeof(err)), 0);
	int64_t sa = cache_fill(c, 4, 0, &v);               /* set 0 */
	assert_int_equal(cache_lookup(c, 4, CREQ_LOAD, NULL), sa);
	assert_int_equal(cache_lookup(c, 4, CREQ_LOAD, NULL), sa);
	assert_int_equal(cache_invalidate(c, 4, true), CL_PRESENT);
	assert_int_equal(cache_lookup(c, 4, CREQ_LOAD, NULL), -1);
	assert_int_equal(cache_fill(c, 6, 0, &v), sa);      /* the first empty way of set 0 */
	assert_int_equal(cache_lookup(c, 4, CREQ_LOAD, NULL), -1);
	assert_int_equal(cache_lookup(c, 6, CREQ_LOAD, NULL), sa);
	int64_t sb = cache_fill(c, 5, 0, &v);               /* set 1 */
	assert_true(sb != sa);
	assert_int_equal(cache_lookup(c, 6, CREQ_LOAD, NULL), sa);
	assert_int_equal(cache_stat(c, CACHE_ACCESSES), 6);
	assert_int_equal(cache_stat(c, CACHE_HITS), 4);
	assert_int_equal(cache_stat(c, CACHE_MISSES), 2);
	cache_destroy(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cache_lru_set),
		cmocka_unit_test(cache_last_slot),
		cmocka_unit_test(cache_indexing),
		cmocka_unit_test(cache_lru_differential),
		cmocka_unit_test(cache_writebacks),
		cmocka_unit_test(cache_policies),
		cmocka_unit_test(cache_prefetchers),
		cmocka_unit_test(cache_cachegrind_hand),
		cmocka_unit_test(cache_cachegrind_differential),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
