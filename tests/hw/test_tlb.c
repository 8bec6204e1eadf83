/*
 * tests/hw/test_tlb.c - the set-associative translation array: geometry,
 * replacement orders by hand (LRU, PLRU, SRRIP, random), asid tags,
 * invalidation of a page, a range, an asid and everything, and differential
 * runs against naive models (an LRU list of entries; cachegrind's
 * most-recent-first sets for tlb_access_cg).
 */
#include <stdlib.h>
#include <string.h>
#include "tests/support/test.h"
#include "hw/tlb.h"
#include "hw/hw_cfg.h"
#include "sim/err.h"
#include "sim/rng.h"

#define K4 12
#define M2 21

static tlb_t *mk(uint32_t entries, uint32_t ways, uint32_t repl)
{
	tlb_t *t = NULL;
	char err[256];

	assert_int_equal(tlb_create(&t, "test", entries, ways, K4, repl, 1, 0, err, sizeof(err)), 0);
	return t;
}

/* Look up page vpn (4K, asid 0); install on a miss.  @return the evicted vpn, or -1 for a hit, -2 for a free way. */
static long ref(tlb_t *t, uint64_t vpn)
{
	uint64_t d;
	struct tlb_key k;

	if (tlb_lookup(t, 0, vpn << K4, K4, &d)) {
		assert_int_equal(d, vpn * 10);
		return -1;
	}
	if (!tlb_insert(t, 0, vpn << K4, K4, vpn * 10, &k))
		return -2;
	assert_int_equal(k.asid, 0);
	assert_int_equal(k.shift, K4);
	return (long)k.vpn;
}

static void tlb_geometry_errors(void **state)
{
	tlb_t *t = (tlb_t *)1;
	char err[256] = "";

	(void)state;
	assert_int_equal(tlb_create(&t, "tlb.l1d_4k", 64, 5, K4, REPL_LRU, 1, 0, err, sizeof(err)), -SIM_ECONFIG);
	assert_null(t);
	assert_non_null(strstr(err, "tlb.l1d_4k"));
	assert_int_equal(tlb_create(&t, "x", 0, 0, K4, REPL_LRU, 1, 0, err, sizeof(err)), -SIM_ECONFIG);
	assert_int_equal(tlb_create(&t, "x", 4, 4, 64, REPL_LRU, 1, 0, err, sizeof(err)), -SIM_ECONFIG);
	assert_int_equal(tlb_create(&t, "x", 4, 4, K4, NR_REPL, 1, 0, err, sizeof(err)), -SIM_ECONFIG);
	assert_int_equal(tlb_create(&t, "x", 48, 12, K4, REPL_PLRU, 1, 0, err, sizeof(err)), 0);
	assert_int_equal(tlb_sets(t), 4);
	assert_int_equal(tlb_ways(t), 12);
	assert_int_equal(tlb_entries(t), 48);
	tlb_destroy(t);
	tlb_destroy(NULL);
}

static void tlb_lru_by_hand(void **state)
{
	tlb_t *t = mk(4, 4, REPL_LRU);

	(void)state;
	for (uint64_t v = 1; v <= 4; v++)
		assert_int_equal(ref(t, v), -2);
	assert_int_equal(ref(t, 1), -1);
	assert_int_equal(ref(t, 3), -1);
	/* recency, oldest first: 2 4 1 3 */
	assert_int_equal(ref(t, 5), 2);
	assert_int_equal(ref(t, 6), 4);
	assert_int_equal(ref(t, 3), -1);
	assert_int_equal(ref(t, 7), 1);
	assert_int_equal(ref(t, 8), 5);
	assert_int_equal(tlb_stat(t, TLB_EVICTIONS), 4);
	assert_int_equal(tlb_stat(t, TLB_FILLS), 8);
	assert_int_equal(tlb_stat(t, TLB_HITS), 3);
	tlb_destroy(t);

	/* 4 sets x 2 ways: pages 0, 4, 8 share set 0; page 1 lives in set 1 */
	t = mk(8, 2, REPL_LRU);
	assert_int_equal(ref(t, 0), -2);
	assert_int_equal(ref(t, 1), -2);
	assert_int_equal(ref(t, 4), -2);
	assert_int_equal(ref(t, 0), -1);
	assert_int_equal(ref(t, 8), 4);
	assert_int_equal(ref(t, 12), 0);
	assert_int_equal(ref(t, 1), -1);
	tlb_destroy(t);
}

/* Lookups that miss and probes change nothing; re-inserting a present page refreshes it. */
static void tlb_probe_insert_semantics(void **state)
{
	tlb_t *t = mk(2, 2, REPL_LRU);
	uint64_t d;

	(void)state;
	ref(t, 1);
	ref(t, 2);
	assert_false(tlb_lookup(t, 0, 3 << K4, K4, &d));
	assert_true(tlb_probe(t, 0, 1 << K4, K4, &d));   /* no recency update */
	assert_int_equal(d, 10);
	assert_false(tlb_insert(t, 0, 1 << K4, K4, 77, NULL)); /* present: payload replaced, now MRU */
	assert_true(tlb_set_bits(t, 0, 1 << K4, K4, 0x100));
	assert_false(tlb_set_bits(t, 0, 9 << K4, K4, 0x100));
	assert_true(tlb_probe(t, 0, 1 << K4, K4, &d));
	assert_int_equal(d, 77 | 0x100);
	assert_int_equal(ref(t, 3), 2);
	/* a 2 MiB key is distinct from the 4 KiB key of the same address */
	assert_false(tlb_probe(t, 0, 1 << K4, M2, NULL));
	tlb_destroy(t);
}

static void tlb_plru_by_hand(void **state)
{
	tlb_t *t = mk(4, 4, REPL_PLRU);

	(void)state;
	/* A B C D fill ways 0..3; the tree then points at way 0 */
	for (uint64_t v = 0xA; v <= 0xD; v++)
		assert_int_equal(ref(t, v), -2);
	assert_int_equal(ref(t, 0xA), -1);     /* root -> right half, right node -> way 2 */
	assert_int_equal(ref(t, 0xE), 0xC);    /* true LRU would evict B here */
	assert_int_equal(ref(t, 0xD), -1);
	assert_int_equal(ref(t, 0xF), 0xB);
	assert_int_equal(ref(t, 0x10), 0xE);
	tlb_destroy(t);

	/* three ways: the root splits {0,1} | {2} */
	t = mk(3, 3, REPL_PLRU);
	for (uint64_t v = 0xA; v <= 0xC; v++)
		assert_int_equal(ref(t, v), -2);
	assert_int_equal(ref(t, 0xA), -1);
	assert_int_equal(ref(t, 0xD), 0xC);
	assert_int_equal(ref(t, 0xE), 0xB);
	assert_int_equal(ref(t, 0xF), 0xD);
	tlb_destroy(t);
}

static void tlb_srrip_by_hand(void **state)
{
	tlb_t *t = mk(4, 4, REPL_SRRIP);

	(void)state;
	for (uint64_t v = 0xA; v <= 0xD; v++)
		assert_int_equal(ref(t, v), -2);   /* all inserted at RRPV 2 */
	assert_int_equal(ref(t, 0xB), -1);      /* B -> 0 */
	assert_int_equal(ref(t, 0xE), 0xA);     /* age +1: A3 B1 C3 D3 */
	assert_int_equal(ref(t, 0xF), 0xC);
	assert_int_equal(ref(t, 0x10), 0xD);    /* E2 B1 F2 G2 */
	assert_int_equal(ref(t, 0x11), 0xE);    /* age +1: E3 B2 F3 G3 (LRU would evict B) */
	assert_int_equal(ref(t, 0x12), 0xF);
	assert_int_equal(ref(t, 0xB), -1);
	tlb_destroy(t);
}

static void tlb_random_seeded(void **state)
{
	tlb_t *a, *b, *c;
	char err[256];
	int differ = 0;

	(void)state;
	assert_int_equal(tlb_create(&a, "a", 16, 4, K4, REPL_RANDOM, 42, 7, err, sizeof(err)), 0);
	assert_int_equal(tlb_create(&b, "b", 16, 4, K4, REPL_RANDOM, 42, 7, err, sizeof(err)), 0);
	assert_int_equal(tlb_create(&c, "c", 16, 4, K4, REPL_RANDOM, 43, 7, err, sizeof(err)), 0);
	for (uint64_t i = 0; i < 400; i++) {
		uint64_t v = (i * 7919) % 61;
		long ea = ref(a, v), eb = ref(b, v), ec = ref(c, v);
		assert_int_equal(ea, eb);
		if (ea >= 0)
			assert_int_equal((uint64_t)ea % 4, v % 4); /* victims come from the page's own set */
		differ += ea != ec;
	}
	assert_true(differ > 0);
	tlb_destroy(a);
	tlb_destroy(b);
	tlb_destroy(c);
}

static void tlb_asid_and_invalidate(void **state)
{
	tlb_t *t = mk(64, 4, REPL_LRU);
	uint64_t d;

	(void)state;
	for (uint16_t asid = 1; asid <= 2; asid++)
		for (uint64_t v = 0; v < 8; v++)
			tlb_insert(t, asid, (0x100 + v) << K4, K4, asid * 100 + v, NULL);
	assert_true(tlb_lookup(t, 1, 0x103000, K4, &d));
	assert_int_equal(d, 103);
	assert_true(tlb_lookup(t, 2, 0x103abc, K4, &d));
	assert_int_equal(d, 203);
	assert_false(tlb_lookup(t, 3, 0x103000, K4, &d));

	/* one page: a 1-byte range in the middle of page 0x104 */
	assert_int_equal(tlb_invalidate(t, 1, 0x104800, 1), 1);
	assert_false(tlb_probe(t, 1, 0x104000, K4, NULL));
	assert_true(tlb_probe(t, 2, 0x104000, K4, NULL));
	/* a range touching pages 0x101..0x102 partially: both go */
	assert_int_equal(tlb_invalidate(t, 1, 0x101fff, 0x1001), 2);
	assert_false(tlb_probe(t, 1, 0x101000, K4, NULL));
	assert_false(tlb_probe(t, 1, 0x102000, K4, NULL));
	assert_true(tlb_probe(t, 1, 0x100000, K4, NULL));
	assert_true(tlb_probe(t, 1, 0x103000, K4, NULL));
	/* a range wider than the set count takes the scanning path */
	assert_int_equal(tlb_invalidate(t, 2, 0, 1ULL << 40), 8);
	assert_true(tlb_probe(t, 1, 0x107000, K4, NULL));
	/* a range reaching the top of the address space does not wrap */
	assert_int_equal(tlb_invalidate(t, 1, 0x106000, UINT64_MAX), 2);
	/* the whole asid */
	assert_int_equal(tlb_invalidate(t, 1, 0, 0), 3);
	assert_int_equal(tlb_stat(t, TLB_INVALIDATED), 16);
	/* everything */
	tlb_insert(t, 5, 0x1000, K4, 1, NULL);
	tlb_insert(t, 6, 0x1000, M2, 1, NULL);
	assert_int_equal(tlb_flush(t), 2);
	assert_false(tlb_probe(t, 5, 0x1000, K4, NULL));
	tlb_destroy(t);
}

/* A unified array holds 4 KiB and 2 MiB pages; a range drops any page it overlaps. */
static void tlb_two_sizes(void **state)
{
	tlb_t *t = mk(16, 4, REPL_LRU);
	uint64_t d;

	(void)state;
	tlb_insert(t, 0, 0x40000000, M2, 2, NULL);     /* 2 MiB page 0x200 */
	tlb_insert(t, 0, 0x40001000, K4, 4, NULL);     /* 4 KiB page inside it (as after a split) */
	assert_true(tlb_lookup(t, 0, 0x401ff000, M2, &d));
	assert_int_equal(d, 2);
	assert_false(tlb_lookup(t, 0, 0x401ff000, K4, &d));
	assert_true(tlb_lookup(t, 0, 0x40001fff, K4, &d));
	assert_int_equal(d, 4);
	assert_int_equal(tlb_invalidate(t, 0, 0x40001000, 4096), 2);
	assert_int_equal(tlb_invalidate(t, 0, 0x40000000, 1 << 21), 0);
	tlb_destroy(t);
}

/* ---- differential: LRU against a list of entries with use times ---- */

struct nent {
	uint64_t vpn;
	uint16_t asid;
	uint8_t shift;
	uint64_t used;
	uint64_t data;
};

struct naive {
	struct nent e[4096];
	unsigned n;
	uint32_t sets, ways;
	uint64_t clock;
};

static uint32_t nset(const struct naive *m, uint64_t vpn)
{
	return (uint32_t)(vpn % m->sets);
}

static int nfind(const struct naive *m, uint16_t asid, uint64_t vpn, unsigned shift)
{
	for (unsigned i = 0; i < m->n; i++)
		if (m->e[i].asid == asid && m->e[i].vpn == vpn && m->e[i].shift == shift)
			return (int)i;
	return -1;
}

/* @return evicted index key via *ev, and whether it evicted */
static bool ninsert(struct naive *m, uint16_t asid, uint64_t vpn, unsigned shift, uint64_t data, struct nent *ev)
{
	unsigned in_set = 0;
	int old = -1;

	for (unsigned i = 0; i < m->n; i++) {
		if (nset(m, m->e[i].vpn) != nset(m, vpn))
			continue;
		in_set++;
		if (old < 0 || m->e[i].used < m->e[old].used)
			old = (int)i;
	}
	bool evict = in_set == m->ways;
	if (evict) {
		*ev = m->e[old];
		m->e[old] = m->e[--m->n];
	}
	m->e[m->n++] = (struct nent){ .vpn = vpn, .asid = asid, .shift = (uint8_t)shift, .used = ++m->clock, .data = data };
	return evict;
}

static unsigned ninval(struct naive *m, uint16_t asid, uint64_t va, uint64_t len)
{
	unsigned dropped = 0;

	for (unsigned i = 0; i < m->n;) {
		struct nent *e = &m->e[i];
		uint64_t lo = e->vpn << e->shift, hi = lo + (1ULL << e->shift) - 1;
		bool hit = e->asid == asid && (!len || (lo <= va + len - 1 && hi >= va));
		if (hit) {
			*e = m->e[--m->n];
			dropped++;
		} else {
			i++;
		}
	}
	return dropped;
}

static void lru_differential(uint32_t entries, uint32_t ways, uint64_t seed)
{
	tlb_t *t = mk(entries, ways, REPL_LRU);
	static struct naive m;
	struct rng r;
	uint64_t pool = entries * 3 + 5;

	memset(&m, 0, sizeof(m));
	m.sets = entries / ways;
	m.ways = ways;
	rng_seed(&r, seed, entries * 100 + ways);
	uint64_t hot = 0;
	for (int step = 0; step < 20000; step++) {
		uint64_t x = rng_below(&r, 100);
		uint16_t asid = (uint16_t)rng_below(&r, 3);
		unsigned shift = rng_below(&r, 4) ? K4 : M2;
		/* locality: often re-reference the previous page (exercises the last-hit path) */
		uint64_t vpn = x < 30 ? hot : rng_below(&r, pool);
		if (x < 30)
			asid = 0, shift = K4;
		hot = vpn;
		uint64_t va = (vpn << shift) | rng_below(&r, 1ULL << shift);
		if (x == 99) {
			uint64_t len = rng_below(&r, 8) == 0 ? 0 : 1 + rng_below(&r, 1ULL << 23);
			assert_int_equal(tlb_invalidate(t, asid, va, len), ninval(&m, asid, va, len));
			continue;
		}
		if (x == 98 && rng_below(&r, 20) == 0) {
			assert_int_equal(tlb_flush(t), m.n);
			m.n = 0;
			continue;
		}
		uint64_t d;
		int i = nfind(&m, asid, va >> shift, shift);
		bool hit = tlb_lookup(t, asid, va, shift, &d);
		assert_int_equal(hit, i >= 0);
		if (hit) {
			assert_int_equal(d, m.e[i].data);
			m.e[i].used = ++m.clock;
			continue;
		}
		struct tlb_key k;
		struct nent ev;
		uint64_t data = (uint64_t)step;
		bool e1 = tlb_insert(t, asid, va, shift, data, &k);
		bool e2 = ninsert(&m, asid, va >> shift, shift, data, &ev);
		assert_int_equal(e1, e2);
		if (e1) {
			assert_int_equal(k.vpn, ev.vpn);
			assert_int_equal(k.asid, ev.asid);
			assert_int_equal(k.shift, ev.shift);
		}
	}
	/* final contents agree */
	for (unsigned i = 0; i < m.n; i++)
		assert_true(tlb_probe(t, m.e[i].asid, m.e[i].vpn << m.e[i].shift, m.e[i].shift, NULL));
	assert_int_equal(tlb_stat(t, TLB_FILLS) - tlb_stat(t, TLB_EVICTIONS) - tlb_stat(t, TLB_INVALIDATED), m.n);
	tlb_destroy(t);
}

static void tlb_lru_vs_naive(void **state)
{
	static const uint32_t geom[][2] = {
		{ 1, 1 }, { 4, 1 }, { 8, 8 }, { 64, 4 }, { 48, 12 }, { 12, 4 }, { 1536, 12 }, { 32, 2 },
	};

	(void)state;
	for (size_t g = 0; g < ARRAY_SIZE(geom); g++)
		lru_differential(geom[g][0], geom[g][1], 1234 + g);
}

/* ---- tlb_access_cg ---- */

static void tlb_cg_by_hand(void **state)
{
	tlb_t *t = mk(2, 1, REPL_LRU);   /* 2 sets, direct mapped */

	(void)state;
	assert_true(tlb_access_cg(t, 0x1000, 4));      /* page 1 -> set 1 */
	assert_true(tlb_access_cg(t, 0x1ffe, 4));      /* pages 1 (hit) and 2 (miss): one missing access */
	assert_false(tlb_access_cg(t, 0x2000, 8));
	assert_true(tlb_access_cg(t, 0x3000, 1));      /* page 3 evicts page 1 */
	assert_true(tlb_access_cg(t, 0x1000, 0));      /* size 0 counts as 1 byte */
	assert_true(tlb_access_cg(t, 0x2ff0, 9000));   /* clamped to 4096: pages 2 (hit) and 3 (miss) */
	assert_false(tlb_access_cg(t, 0x2ff8, 16));    /* both present: a straddling hit */
	assert_int_equal(tlb_stat(t, TLB_CG_ACCESSES), 7);
	assert_int_equal(tlb_stat(t, TLB_CG_MISSES), 5);
	assert_int_equal(tlb_stat(t, TLB_LOOKUPS), 10);
	assert_int_equal(tlb_stat(t, TLB_MISSES), 5);
	tlb_destroy(t);

	/* the second page of a straddling miss is looked up (and made recent) even after the first missed */
	t = mk(2, 2, REPL_LRU);
	assert_true(tlb_access_cg(t, 0x5000, 1));
	assert_true(tlb_access_cg(t, 0x4fff, 2));      /* page 4 misses, page 5 hits and becomes MRU */
	assert_true(tlb_access_cg(t, 0x6000, 1));      /* evicts page 4, not 5 */
	assert_false(tlb_access_cg(t, 0x5000, 1));
	tlb_destroy(t);
}

/* cachegrind's set: tags most-recent-first, moved to the front on a hit, shifted in on a miss. */
struct cgset {
	uint64_t tag[16];
};

static bool cg_ref(struct cgset *sets, uint32_t nsets, uint32_t ways, uint64_t block)
{
	struct cgset *s = &sets[block & (nsets - 1)];
	uint32_t i;

	for (i = 0; i < ways; i++)
		if (s->tag[i] == block)
			break;
	bool miss = i == ways;
	if (miss)
		i = ways - 1;
	for (; i > 0; i--)
		s->tag[i] = s->tag[i - 1];
	s->tag[0] = block;
	return miss;
}

static void tlb_cg_vs_cachegrind(void **state)
{
	static const uint32_t geom[][2] = { { 1, 1 }, { 16, 1 }, { 16, 16 }, { 64, 4 }, { 256, 8 }, { 32, 2 } };
	static struct cgset sets[256];
	struct rng r;

	(void)state;
	rng_seed(&r, 99, 0);
	for (size_t g = 0; g < ARRAY_SIZE(geom); g++) {
		uint32_t nsets = geom[g][0] / geom[g][1], ways = geom[g][1];
		tlb_t *t = mk(geom[g][0], ways, REPL_LRU);
		uint64_t misses = 0;

		for (uint32_t s = 0; s < nsets; s++)
			for (uint32_t w = 0; w < ways; w++)
				sets[s].tag[w] = UINT64_MAX;   /* never a block number here */
		for (int i = 0; i < 30000; i++) {
			uint64_t page = 0x400 + rng_below(&r, geom[g][0] * 2 + 3);
			uint64_t a = (page << 12) + (rng_below(&r, 3) ? rng_below(&r, 4096) : 4096 - rng_below(&r, 8));
			uint32_t size = (uint32_t)(1 + rng_below(&r, 16));
			uint64_t b1 = a >> 12, b2 = (a + size - 1) >> 12;
			bool miss = cg_ref(sets, nsets, ways, b1);
			if (b2 != b1)
				miss = cg_ref(sets, nsets, ways, b2) || miss;
			assert_int_equal(tlb_access_cg(t, a, size), miss);
			misses += miss;
		}
		assert_int_equal(tlb_stat(t, TLB_CG_MISSES), misses);
		assert_int_equal(tlb_stat(t, TLB_CG_ACCESSES), 30000);
		tlb_destroy(t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tlb_geometry_errors),
		cmocka_unit_test(tlb_lru_by_hand),
		cmocka_unit_test(tlb_probe_insert_semantics),
		cmocka_unit_test(tlb_plru_by_hand),
		cmocka_unit_test(tlb_srrip_by_hand),
		cmocka_unit_test(tlb_random_seeded),
		cmocka_unit_test(tlb_asid_and_invalidate),
		cmocka_unit_test(tlb_two_sizes),
		cmocka_unit_test(tlb_lru_vs_naive),
		cmocka_unit_test(tlb_cg_by_hand),
		cmocka_unit_test(tlb_cg_vs_cachegrind),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
