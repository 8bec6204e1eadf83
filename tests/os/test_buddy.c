/*
 * tests/os/test_buddy.c - the buddy allocator (sources.md §1.2 boot state,
 * §2.2 merge, §2.3 split, §2.4-§2.6 fallback, claim, steal, highatomic):
 * exact split order, merging back, random sequences checked against a
 * bitmap reference allocator, exhaustion, fallback scenarios, and a sparse
 * 1 TiB machine.  Every operation runs buddy_check() (debug_vm on).
 */
#include <stdlib.h>
#include "tests/support/test.h"
#include "tests/os/phys_fixture.h"
#include "sim/rng.h"

static physmem_t *one_node(uint64_t pages, unsigned cpus)
{
	struct os_cfg c = fx_cfg();
	struct physmem_layout l;
	unsigned cp[1] = { cpus };

	fx_layout(&l, 1, &pages, cp, 20);
	return fx_create(&c, &l);
}

static uint64_t alloc_ok(physmem_t *pm, unsigned order, gfp_t gfp, unsigned cpu)
{
	struct alloc_ctx a = fx_ctx(order, gfp, cpu);
	uint64_t pfn = UINT64_MAX;

	assert_int_equal(page_alloc(pm, &a, &pfn, NULL), 0);
	return pfn;
}

/* §1.2: boot frees everything as order-10 MOVABLE blocks. */
static void boot_state(void **state)
{
	physmem_t *pm = one_node(MiB_PAGES(64) + 3, 1);   /* 16 order-10 blocks + 3 odd pages */
	struct zone_info zi;

	(void)state;
	assert_int_equal(physmem_zone_info(pm, 0, ZONE_NORMAL, &zi), 0);
	assert_true(zi.populated);
	assert_int_equal(zi.managed, MiB_PAGES(64) + 3);
	assert_int_equal(zi.nr_free, MiB_PAGES(64) + 3);
	assert_int_equal(zi.nr_free_blocks[10], 16);
	assert_int_equal(zi.nr_free_blocks[0], 1);    /* pfn 16386 */
	assert_int_equal(zi.nr_free_blocks[1], 1);    /* pfn 16384..16385 */
	for (unsigned o = 2; o < 10; o++)
		assert_int_equal(zi.nr_free_blocks[o], 0);
	for (uint64_t pfn = 0; pfn < MiB_PAGES(64); pfn += 512)
		assert_int_equal(get_pageblock_migratetype(pm, pfn), MIGRATE_MOVABLE);
	fx_verify(pm);
	physmem_destroy(pm);
}

/*
 * §2.3 + §2.5 + §3.1: the first GFP_KERNEL page claims a whole order-10
 * MOVABLE block for UNMOVABLE (both pageblocks retagged), the split hands
 * out the lowest pages and the pcp refills (batch 3 here, then 6 as
 * alloc_factor grows) come out in ascending pfn order.
 */
static void split_order_exact(void **state)
{
	physmem_t *pm = one_node(MiB_PAGES(64), 1);

	(void)state;
	for (uint64_t want = 0; want < 9; want++)
		assert_int_equal(alloc_ok(pm, 0, GFP_KERNEL, 0), want);
	assert_int_equal(get_pageblock_migratetype(pm, 0), MIGRATE_UNMOVABLE);
	assert_int_equal(get_pageblock_migratetype(pm, 512), MIGRATE_UNMOVABLE);
	assert_int_equal(get_pageblock_migratetype(pm, 1024), MIGRATE_MOVABLE);
	assert_int_equal(phys_stat(pm, PA_FALLBACK_CLAIM), 1);
	/* A movable request does not use the unmovable blocks: next order-10 block. */
	assert_int_equal(alloc_ok(pm, 0, GFP_HIGHUSER_MOVABLE, 0), 1024);
	/* order 5 skips the pcp: lowest suitable UNMOVABLE block, 32 (after 9 + refill rest). */
	uint64_t p5 = alloc_ok(pm, 5, GFP_KERNEL, 0);
	assert_int_equal(p5 % 32, 0);
	assert_true(p5 >= 9 && p5 < 1024);
	assert_int_equal(vmstat_event(pm, PGALLOC_NORMAL), 9 + 1 + 32);
	physmem_destroy(pm);
}

/* §2.2: freeing everything merges back to order-10 blocks, free lists at the tail when likely. */
static void merge_back(void **state)
{
	physmem_t *pm = one_node(MiB_PAGES(8), 1);
	uint64_t pfns[64];
	struct zone_info zi;

	(void)state;
	for (int i = 0; i < 64; i++)
		pfns[i] = alloc_ok(pm, 2, GFP_KERNEL, 0);
	for (int i = 63; i >= 0; i--)
		page_free(pm, pfns[i], 2, 0);
	drain_all_pages(pm);
	assert_int_equal(physmem_zone_info(pm, 0, ZONE_NORMAL, &zi), 0);
	assert_int_equal(zi.nr_free, MiB_PAGES(8));
	assert_int_equal(zi.nr_free_blocks[10], 2);
	for (unsigned o = 0; o < 10; o++)
		assert_int_equal(zi.nr_free_blocks[o], 0);
	assert_int_equal(zi.pcp_pages, 0);
	assert_int_equal(vmstat_event(pm, PGFREE), 64 * 4);
	physmem_destroy(pm);
}

/* ---- differential test against a bitmap of allocated frames ---------------------------- */

struct ref {
	uint8_t *used;          /* 1 per frame allocated to the test */
	uint64_t nr;
};

struct live {
	uint64_t pfn;
	unsigned order;
};

static const gfp_t rand_gfps[] = {
	GFP_KERNEL, GFP_HIGHUSER_MOVABLE, GFP_KERNEL | __GFP_RECLAIMABLE, GFP_ATOMIC, GFP_NOWAIT,
	GFP_HIGHUSER_MOVABLE | __GFP_COMP, GFP_KERNEL | __GFP_DMA32,
};

static void random_run(const struct physmem_layout *l, struct os_cfg c, uint64_t seed, unsigned steps)
{
	physmem_t *pm = fx_create(&c, l);
	struct ref r = { .nr = 0 };
	struct live *live = calloc(steps, sizeof(*live));
	unsigned nlive = 0;
	struct rng rng;
	uint64_t managed = 0, max_pfn = 0;

	for (unsigned n = 0; n < l->nr_nodes; n++)
		max_pfn = SIM_MAX(max_pfn, l->base_pfn[n] + l->pages[n]);
	r.used = calloc(max_pfn, 1);
	assert_non_null(r.used);
	for (unsigned n = 0; n < l->nr_nodes; n++)
		for (unsigned z = 0; z < MAX_NR_ZONES; z++) {
			struct zone_info zi;
			assert_int_equal(physmem_zone_info(pm, n, z, &zi), 0);
			managed += zi.managed;
		}
	rng_seed(&rng, seed, 7);
	for (unsigned s = 0; s < steps; s++) {
		bool do_free = nlive && rng_below(&rng, 100) < 45;
		if (do_free) {
			unsigned i = (unsigned)rng_below(&rng, nlive);
			for (uint64_t p = 0; p < (1ULL << live[i].order); p++) {
				assert_int_equal(r.used[live[i].pfn + p], 1);
				r.used[live[i].pfn + p] = 0;
			}
			r.nr -= 1ULL << live[i].order;
			page_free(pm, live[i].pfn, live[i].order, (unsigned)rng_below(&rng, l->nr_cpus));
			live[i] = live[--nlive];
			continue;
		}
		unsigned order = rng_below(&rng, 4) ? (unsigned)rng_below(&rng, 4) : (unsigned)rng_below(&rng, 11);
		gfp_t gfp = rand_gfps[rng_below(&rng, ARRAY_SIZE(rand_gfps))];
		struct alloc_ctx a = fx_ctx(order, gfp, (unsigned)rng_below(&rng, l->nr_cpus));
		if (rng_below(&rng, 4) == 0)
			a.preferred_nid = (int)rng_below(&rng, l->nr_nodes);
		uint64_t pfn;
		int rc = page_alloc(pm, &a, &pfn, NULL);
		if (rc == -SIM_EOOM)
			continue;
		assert_int_equal(rc, 0);
		assert_int_equal(pfn & ((1ULL << order) - 1), 0);
		assert_true(pfn + (1ULL << order) <= max_pfn);
		assert_true(pfn_to_zone(pm, pfn) <= gfp_zone(gfp));
		assert_int_equal(pfn_to_zone(pm, pfn), pfn_to_zone(pm, pfn + (1ULL << order) - 1));
		for (uint64_t p = 0; p < (1ULL << order); p++) {
			assert_int_equal(r.used[pfn + p], 0);
			r.used[pfn + p] = 1;
		}
		struct page *pg = pfn_to_page(pm, pfn);
		assert_int_equal(pg->refcount, 1);
		assert_int_equal(pg->order, order);
		r.nr += 1ULL << order;
		live[nlive].pfn = pfn;
		live[nlive++].order = order;
	}
	/* conservation: free + pcp + allocated = managed */
	uint64_t free_total = 0;
	for (unsigned n = 0; n < l->nr_nodes; n++)
		for (unsigned z = 0; z < MAX_NR_ZONES; z++) {
			struct zone_info zi;
			physmem_zone_info(pm, n, z, &zi);
			free_total += zi.nr_free + zi.pcp_pages;
		}
	assert_int_equal(free_total + r.nr, managed);
	/* everything left is reachable: exhaust with order-0 reserve-ignoring requests */
	drain_all_pages(pm);
	physmem_set_debug_vm(pm, false);
	uint64_t got = 0, pfn;
	struct alloc_ctx a = fx_ctx(0, GFP_ATOMIC | __GFP_MEMALLOC | __GFP_DMA, 0);
	a.gfp = GFP_ATOMIC | __GFP_MEMALLOC | __GFP_HIGHMEM | __GFP_MOVABLE;
	for (unsigned cpu = 0; cpu < l->nr_cpus; cpu++) {
		a.cpu = cpu;
		while (page_alloc(pm, &a, &pfn, NULL) == 0) {
			assert_int_equal(r.used[pfn], 0);
			r.used[pfn] = 1;
			got++;
		}
		drain_all_pages(pm);
	}
	assert_int_equal(got + r.nr, managed);
	fx_verify(pm);
	free(live);
	free(r.used);
	physmem_destroy(pm);
}

static void random_one_node(void **state)
{
	uint64_t pages[1] = { MiB_PAGES(40) + 77 };
	unsigned cpus[1] = { 2 };
	struct physmem_layout l;

	(void)state;
	fx_layout(&l, 1, pages, cpus, 20);
	random_run(&l, fx_cfg(), 1, 3000);
	random_run(&l, fx_cfg(), 2, 3000);
}

static void random_dma_zones_two_nodes(void **state)
{
	uint64_t pages[2] = { MiB_PAGES(48), MiB_PAGES(24) + 5 };
	unsigned cpus[2] = { 2, 1 };
	struct physmem_layout l;
	struct os_cfg c = fx_cfg();

	(void)state;
	c.zone_dma = 16ULL << 20;
	c.zone_dma32_end = 32ULL << 20;
	c.movablecore = 8ULL << 20;
	fx_layout(&l, 2, pages, cpus, 21);
	random_run(&l, c, 3, 4000);
}

/* ---- fallback scenarios (§2.5) ---------------------------------------------------------- */

/*
 * UNMOVABLE request, only a partly free MOVABLE block of order 8 left:
 * claim (order >= 4) boosts the watermark, counts free 256 + alike
 * 512-256-0 >= 256, so the whole pageblock becomes UNMOVABLE.
 */
static void claim_subblock_with_boost(void **state)
{
	physmem_t *pm = one_node(4096, 1);
	struct alloc_ctx a = fx_ctx(8, GFP_HIGHUSER_MOVABLE, 0);
	uint64_t pfn;
	struct zone_info zi;

	(void)state;
	assert_int_equal(page_alloc(pm, &a, &pfn, NULL), 0);
	assert_int_equal(pfn, 0);                              /* remnants: 256 (o8), 512 (o9) */
	a.order = 9;
	assert_int_equal(page_alloc(pm, &a, &pfn, NULL), 0);  /* THP-size: through the pcp */
	a.order = 10;
	a.gfp |= __GFP_MEMALLOC;
	for (int i = 0; i < 3; i++)
		assert_int_equal(page_alloc(pm, &a, &pfn, NULL), 0);
	assert_int_equal(physmem_zone_info(pm, 0, ZONE_NORMAL, &zi), 0);
	assert_int_equal(zi.nr_free, 256);
	assert_int_equal(zi.nr_free_blocks[8], 1);
	struct alloc_ctx u = fx_ctx(5, GFP_KERNEL | __GFP_MEMALLOC, 0);
	assert_int_equal(page_alloc(pm, &u, &pfn, NULL), 0);
	assert_int_equal(pfn, 256);
	assert_int_equal(get_pageblock_migratetype(pm, 0), MIGRATE_UNMOVABLE);
	assert_int_equal(phys_stat(pm, PA_FALLBACK_CLAIM), 1);
	assert_int_equal(phys_stat(pm, PA_WMARK_BOOST), 1);
	assert_int_equal(physmem_zone_info(pm, 0, ZONE_NORMAL, &zi), 0);
	/* max_boost = max(512, high * 15000 / 10000) = 512 for this small zone */
	assert_int_equal(zi.watermark_boost, 512);
	physmem_destroy(pm);
}

/*
 * Same, but the pageblock's other pages are movable pages on the LRU:
 * alike = 512 - 128 - 384 = 0 and 128 < 256, so the claim is refused and
 * the request steals the order-7 block; the pageblock stays MOVABLE.
 */
static void claim_refused_then_steal(void **state)
{
	physmem_t *pm = one_node(4096, 1);
	struct alloc_ctx a = fx_ctx(8, GFP_HIGHUSER_MOVABLE | __GFP_MEMALLOC, 0);
	uint64_t pfn, p0, p1;

	(void)state;
	assert_int_equal(page_alloc(pm, &a, &p0, NULL), 0);
	a.order = 7;
	assert_int_equal(page_alloc(pm, &a, &p1, NULL), 0);
	assert_int_equal(p0, 0);
	assert_int_equal(p1, 256);
	a.order = 9;
	assert_int_equal(page_alloc(pm, &a, &pfn, NULL), 0);
	a.order = 10;
	for (int i = 0; i < 3; i++)
		assert_int_equal(page_alloc(pm, &a, &pfn, NULL), 0);
	for (uint64_t p = 0; p < 384; p++)
		page_set(pfn_to_page(pm, p), PG_lru);
	struct alloc_ctx u = fx_ctx(4, GFP_KERNEL | __GFP_MEMALLOC, 0);
	assert_int_equal(page_alloc(pm, &u, &pfn, NULL), 0);
	assert_int_equal(pfn, 384);
	assert_int_equal(get_pageblock_migratetype(pm, 0), MIGRATE_MOVABLE);
	assert_int_equal(phys_stat(pm, PA_FALLBACK_CLAIM), 0);
	assert_int_equal(phys_stat(pm, PA_FALLBACK_STEAL), 1);
	assert_int_equal(phys_stat(pm, PA_WMARK_BOOST), 1);
	/* the remnants stayed on the MOVABLE lists of the MOVABLE pageblock */
	fx_verify(pm);
	physmem_destroy(pm);
}

/*
 * A MOVABLE order-0 request never claims small UNMOVABLE blocks (order < 4):
 * with one free unmovable page left it steals it.
 */
static void movable_steals_small(void **state)
{
	physmem_t *pm = one_node(2048, 1);
	uint64_t pfn, keep = UINT64_MAX;
	struct alloc_ctx u = fx_ctx(0, GFP_KERNEL | __GFP_MEMALLOC, 0);

	(void)state;
	physmem_set_debug_vm(pm, false);
	while (page_alloc(pm, &u, &pfn, NULL) == 0)
		keep = pfn;
	page_free(pm, keep, 0, 0);
	drain_all_pages(pm);
	assert_int_equal(get_pageblock_migratetype(pm, keep), MIGRATE_UNMOVABLE);
	uint64_t steals = phys_stat(pm, PA_FALLBACK_STEAL);
	struct alloc_ctx m = fx_ctx(0, GFP_HIGHUSER_MOVABLE | __GFP_MEMALLOC, 0);
	assert_int_equal(page_alloc(pm, &m, &pfn, NULL), 0);
	assert_int_equal(pfn, keep);
	assert_int_equal(phys_stat(pm, PA_FALLBACK_STEAL), steals + 1);
	assert_int_equal(get_pageblock_migratetype(pm, keep), MIGRATE_UNMOVABLE);
	fx_verify(pm);
	physmem_destroy(pm);
}

/*
 * §2.6: a GFP_ATOMIC order-1 request that reaches the slow path
 * (ALLOC_HIGHATOMIC) retags its pageblock to HIGHATOMIC, once 1% of the
 * zone covers a pageblock; HIGHATOMIC free pages leave the ordinary
 * watermark check.
 */
static void highatomic_reserve(void **state)
{
	physmem_t *pm = one_node(MiB_PAGES(256), 1);
	struct alloc_ctx m = fx_ctx(9, GFP_HIGHUSER_MOVABLE, 0);
	struct zone_info zi;
	uint64_t pfn;

	(void)state;
	physmem_set_debug_vm(pm, false);
	/* fill until the fast path fails (free <= LOW) */
	while (phys_stat(pm, PA_ALLOC_SLOW) == 0) {
		assert_int_equal(page_alloc(pm, &m, &pfn, NULL), 0);
		if (phys_stat(pm, PA_ALLOC_SLOW) == 0 && m.order == 9) {
			physmem_zone_info(pm, 0, ZONE_NORMAL, &zi);
			if (zi.nr_free < zi.watermark[WMARK_LOW] + 1024)
				m.order = 0;
		}
	}
	physmem_zone_info(pm, 0, ZONE_NORMAL, &zi);
	assert_true(zi.nr_free <= zi.watermark[WMARK_LOW] + 1);
	assert_int_equal(zi.nr_reserved_highatomic, 0);
	uint64_t wakes = phys_stat(pm, PA_KSWAPD_WAKE);
	struct alloc_ctx at = fx_ctx(1, GFP_ATOMIC, 0);
	assert_int_equal(page_alloc(pm, &at, &pfn, NULL), 0);
	assert_int_equal(get_pageblock_migratetype(pm, pfn), MIGRATE_HIGHATOMIC);
	physmem_zone_info(pm, 0, ZONE_NORMAL, &zi);
	assert_int_equal(zi.nr_reserved_highatomic, 512);
	assert_true(zi.nr_free_highatomic > 0);
	assert_true(phys_stat(pm, PA_KSWAPD_WAKE) > wakes);
	assert_int_equal(phys_stat(pm, PA_HIGHATOMIC_RESERVE), 1);
	fx_verify(pm);
	physmem_destroy(pm);
}

/* Pages of zone NORMAL of node 0 in pageblocks marked HIGHATOMIC (isolated ones by the type beneath). */
static uint64_t highatomic_block_pages(physmem_t *pm, uint64_t pages)
{
	uint64_t n = 0;
	for (uint64_t pfn = 0; pfn < pages; pfn += PAGEBLOCK_NR_PAGES)
		if (get_pageblock_type_under_isolation(pm, pfn) == MIGRATE_HIGHATOMIC)
			n += PAGEBLOCK_NR_PAGES;
	return n;
}

/*
 * Isolation keeps the pageblock's type (Linux 6.16+ PB_migrate_isolate):
 * undo_isolate_page_range gives a HIGHATOMIC block back as HIGHATOMIC,
 * its neighbour in the same MAX_ORDER hull as MOVABLE, and
 * nr_reserved_highatomic stays equal to the pages of blocks marked
 * HIGHATOMIC (before: the block came back MOVABLE, the counter stayed 512
 * with no such block).  Offlining the block does not lower the counter
 * (Linux mm/page_alloc.c __offline_isolated_pages and mm/memory_hotplug.c
 * offline_pages, through 6.16, never touch nr_reserved_highatomic; only
 * unreserve_highatomic_pageblock does): it stays 512 while the block,
 * offline, is still HIGHATOMIC beneath its isolation (offline changes no
 * migratetype).  Onlining makes it MOVABLE (mm/memory_hotplug.c
 * online_pages -> move_pfn_range_to_zone -> memmap_init_range ->
 * init_pageblock_migratetype); the counter, as in Linux, stays 512.
 */
static void highatomic_survives_isolation(void **state)
{
	const uint64_t pages = MiB_PAGES(256);
	physmem_t *pm = one_node(pages, 1);
	struct alloc_ctx m = fx_ctx(9, GFP_HIGHUSER_MOVABLE, 0);
	struct zone_info zi;
	uint64_t pfn;

	uint64_t *filled = calloc(pages, sizeof(*filled)), nfilled = 0;   /* pfn << 4 | order */

	(void)state;
	assert_non_null(filled);
	physmem_set_debug_vm(pm, false);
	while (phys_stat(pm, PA_ALLOC_SLOW) == 0) {
		assert_int_equal(page_alloc(pm, &m, &pfn, NULL), 0);
		filled[nfilled++] = pfn << 4 | m.order;
		if (phys_stat(pm, PA_ALLOC_SLOW) == 0 && m.order == 9) {
			physmem_zone_info(pm, 0, ZONE_NORMAL, &zi);
			if (zi.nr_free < zi.watermark[WMARK_LOW] + 1024)
				m.order = 0;
		}
	}
	struct alloc_ctx at = fx_ctx(1, GFP_ATOMIC, 0);
	assert_int_equal(page_alloc(pm, &at, &pfn, NULL), 0);
	uint64_t pb = pfn & ~(uint64_t)(PAGEBLOCK_NR_PAGES - 1);
	uint64_t hull = pfn & ~((1ULL << MAX_PAGE_ORDER) - 1), other = pb ^ PAGEBLOCK_NR_PAGES;
	enum migratetype other_mt = get_pageblock_migratetype(pm, other);
	assert_int_equal(get_pageblock_migratetype(pm, pb), MIGRATE_HIGHATOMIC);
	physmem_zone_info(pm, 0, ZONE_NORMAL, &zi);
	assert_int_equal(zi.nr_reserved_highatomic, 512);
	assert_int_equal(highatomic_block_pages(pm, pages), 512);

	assert_int_equal(start_isolate_page_range(pm, hull, hull + (1ULL << MAX_PAGE_ORDER), false, NULL), 0);
	assert_int_equal(get_pageblock_migratetype(pm, pb), MIGRATE_ISOLATE);
	undo_isolate_page_range(pm, hull, hull + (1ULL << MAX_PAGE_ORDER));
	assert_int_equal(get_pageblock_migratetype(pm, pb), MIGRATE_HIGHATOMIC);
	assert_int_equal(get_pageblock_migratetype(pm, other), other_mt);
	physmem_zone_info(pm, 0, ZONE_NORMAL, &zi);
	assert_int_equal(zi.nr_reserved_highatomic, highatomic_block_pages(pm, pages));
	fx_verify(pm);

	/* free everything in the hull, then offline it */
	page_free(pm, pfn, 1, 0);
	for (uint64_t i = 0; i < nfilled; i++)
		if ((filled[i] >> 4) >= hull && (filled[i] >> 4) < hull + (1ULL << MAX_PAGE_ORDER))
			page_free(pm, filled[i] >> 4, (unsigned)(filled[i] & 15), 0);
	free(filled);
	uint64_t hend = hull + (1ULL << MAX_PAGE_ORDER);
	assert_int_equal(start_isolate_page_range(pm, hull, hend, false, NULL), 0);
	assert_int_equal(test_pages_isolated(pm, hull, hend), hend);
	assert_int_equal(offline_isolated_pages(pm, hull, hend), 1ULL << MAX_PAGE_ORDER);
	physmem_zone_info(pm, 0, ZONE_NORMAL, &zi);
	assert_int_equal(zi.nr_reserved_highatomic, 512);
	assert_int_equal(get_pageblock_migratetype(pm, pb), MIGRATE_ISOLATE);
	assert_int_equal(highatomic_block_pages(pm, pages), 512);   /* before: retagged MOVABLE at offline */
	assert_int_equal(get_pageblock_type_under_isolation(pm, other), other_mt);
	assert_int_equal(online_isolated_range(pm, hull, hend, ZONE_NORMAL), 0);
	for (uint64_t b = hull; b < hend; b += PAGEBLOCK_NR_PAGES)
		assert_int_equal(get_pageblock_migratetype(pm, b), MIGRATE_MOVABLE);
	assert_int_equal(highatomic_block_pages(pm, pages), 0);
	physmem_zone_info(pm, 0, ZONE_NORMAL, &zi);
	assert_int_equal(zi.nr_reserved_highatomic, 512);
	fx_verify(pm);
	physmem_destroy(pm);
}

/* A 1 TiB machine: creation and use touch descriptors of used memory only. */
static void sparse_1tib(void **state)
{
	uint64_t pages[2] = { GiB_PAGES(512), GiB_PAGES(512) };
	unsigned cpus[2] = { 4, 4 };
	struct physmem_layout l;
	struct os_cfg c = fx_cfg();
	struct zone_info zi;
	physmem_t *pm;

	(void)state;
	c.thp = THP_MADVISE;
	fx_layout(&l, 2, pages, cpus, 21);
	pm = fx_create(&c, &l);
	assert_true(physmem_host_bytes(pm) < (1u << 20));
	assert_int_equal(physmem_zone_info(pm, 1, ZONE_NORMAL, &zi), 0);
	assert_int_equal(zi.managed, GiB_PAGES(512));
	assert_int_equal(zi.nr_free_blocks[10], GiB_PAGES(512) >> 10);
	uint64_t pfn[64];
	for (int i = 0; i < 64; i++) {
		struct alloc_ctx a = fx_ctx(i % 10, i % 2 ? GFP_KERNEL : GFP_HIGHUSER_MOVABLE, (unsigned)i % 8);
		assert_int_equal(page_alloc(pm, &a, &pfn[i], NULL), 0);
		assert_int_equal(pfn_to_nid(pm, pfn[i]), (unsigned)(i % 8) / 4);
	}
	for (int i = 0; i < 64; i++)
		page_free(pm, pfn[i], i % 10, (unsigned)i % 8);
	drain_all_pages(pm);
	/* a few pageblocks of descriptors (32 KiB each) plus per-CPU structs */
	assert_true(physmem_host_bytes(pm) < (4u << 20));
	assert_int_equal(physmem_zone_info(pm, 0, ZONE_NORMAL, &zi), 0);
	assert_int_equal(zi.nr_free, GiB_PAGES(512));
	fx_verify(pm);
	physmem_destroy(pm);
}

static void bad_arguments(void **state)
{
	physmem_t *pm = one_node(4096, 1);
	struct alloc_ctx a = fx_ctx(11, GFP_KERNEL, 0);
	uint64_t pfn;
	struct physmem_layout l;
	struct os_cfg c = fx_cfg();
	char err[256];
	uint64_t pages[2] = { 4096, 4096 };
	unsigned cpus[2] = { 1, 1 };

	(void)state;
	assert_int_equal(page_alloc(pm, &a, &pfn, NULL), -SIM_ERANGE);
	a.order = 0;
	a.cpu = 1;
	assert_int_equal(page_alloc(pm, &a, &pfn, NULL), -SIM_ERANGE);
	a.cpu = 0;
	a.preferred_nid = 1;
	assert_int_equal(page_alloc(pm, &a, &pfn, NULL), -SIM_ERANGE);
	physmem_destroy(pm);
	physmem_destroy(NULL);
	fx_layout(&l, 2, pages, cpus, 20);
	l.base_pfn[1] = 100;   /* overlaps node 0 */
	assert_int_equal(physmem_create(&pm, &c, &l, err, sizeof(err)), -SIM_ECONFIG);
	assert_non_null(strstr(err, "overlap"));
	fx_layout(&l, 2, pages, cpus, 20);
	l.cpu_node[1] = 5;
	assert_int_equal(physmem_create(&pm, &c, &l, err, sizeof(err)), -SIM_ECONFIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(boot_state),
		cmocka_unit_test(split_order_exact),
		cmocka_unit_test(merge_back),
		cmocka_unit_test(random_one_node),
		cmocka_unit_test(random_dma_zones_two_nodes),
		cmocka_unit_test(claim_subblock_with_boost),
		cmocka_unit_test(claim_refused_then_steal),
		cmocka_unit_test(movable_steals_small),
		cmocka_unit_test(highatomic_reserve),
		cmocka_unit_test(highatomic_survives_isolation),
		cmocka_unit_test(sparse_1tib),
		cmocka_unit_test(bad_arguments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
