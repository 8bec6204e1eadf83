/*
 * tests/os/test_compaction.c - fragmentation index and extfrag vectors
 * (sources.md §8.2), deferral (§8.4), and the scanners turning a
 * checkerboard of order-0 holes into a free order-9 block by migration,
 * with every mapping kept (rmap count == mapcount, RSS and numa_maps
 * unchanged); compaction off leaves the allocation failing.
 */
#include "tests/os/os_fixture.h"
#include "os/compaction.h"
#include "os/rmap.h"
#include "os/vmscan.h"

#define PROT_RW 3
#define MAP_PRIV_ANON 0x22
#define MAP_FIXED_ 0x10
#define MAP_POPULATE_ 0x8000
#define MADV_DONTNEED_ 4

static void test_fragmentation_index(void **state)
{
	(void)state;
	uint64_t nr[NR_PAGE_ORDERS] = { 0 };
	assert_int_equal(fragmentation_index(nr, 9), 0);          /* no free blocks */
	/* the §8.2 example: 500 blocks holding 1000 pages, order 9 -> 995 */
	nr[1] = 500;
	assert_int_equal(fragmentation_index(nr, 9), 995);
	/* all order-0: 1000 - (1000 + 1000*1000/512)/1000 = 1000 - 2 = 998 */
	memset(nr, 0, sizeof(nr));
	nr[0] = 1000;
	assert_int_equal(fragmentation_index(nr, 9), 998);
	/* lack of memory: 2 blocks of order 8 -> 1000 - (1000 + 512*1000/512)/2 = 0 */
	memset(nr, 0, sizeof(nr));
	nr[8] = 2;
	assert_int_equal(fragmentation_index(nr, 9), 0);
	nr[9] = 1;   /* a suitable block */
	assert_int_equal(fragmentation_index(nr, 9), -1000);
	/* extfrag: 1024 free pages, one order-9 block -> (1024 - 512) * 100 / 1024 = 50 */
	memset(nr, 0, sizeof(nr));
	nr[0] = 512;
	nr[9] = 1;
	assert_int_equal(extfrag_for_order(nr, 9), 50);
	nr[9] = 0;
	assert_int_equal(extfrag_for_order(nr, 9), 100);
}

static void test_deferral(void **state)
{
	(void)state;
	struct compact_zone cz = { 0 };
	assert_false(compaction_deferred(&cz, 9));   /* never failed */
	/* k consecutive failures: the next 2^k - 1 attempts are skipped, then one runs */
	for (unsigned k = 1; k <= 7; k++) {
		defer_compaction(&cz, 9);
		unsigned shift = k > COMPACT_MAX_DEFER_SHIFT ? COMPACT_MAX_DEFER_SHIFT : k;
		assert_int_equal(cz.defer_shift, shift);
		for (unsigned i = 1; i < (1u << shift); i++)
			assert_true(compaction_deferred(&cz, 9));
		assert_false(compaction_deferred(&cz, 9));
		assert_false(compaction_deferred(&cz, 9));   /* saturated: keeps running */
	}
	/* lower orders than the failed one are never deferred */
	assert_int_equal(cz.order_failed, 0);
	struct compact_zone c2 = { .order_failed = 10 };
	defer_compaction(&c2, 9);
	assert_int_equal(c2.order_failed, 9);
	assert_false(compaction_deferred(&c2, 3));
	assert_true(compaction_deferred(&c2, 9));
	compaction_defer_reset(&c2, 9, true);
	assert_int_equal(c2.defer_shift, 0);
	assert_int_equal(c2.order_failed, 10);
	assert_false(compaction_deferred(&c2, 9));
}

/* A checkerboard: 48 MiB mapped, every other page released, the rest of memory held in order-9 blocks. */
static struct fx *fragmented_swap(bool compaction, uint64_t swap, int *pid, uint64_t *held, unsigned *nheld)
{
	struct os_cfg c = fx_os_cfg();
	c.compaction = compaction;
	c.swap_size = swap;
	c.compaction_proactiveness = 0;
	struct fx *f = fx_new_cfg(1, 64, 2, &c);
	physmem_set_debug_vm(fx_phys(f), false);
	uint64_t a = 0x40000000, len = 48ULL << 20;
	*pid = fx_proc(f, false);
	fx_mmap_at(f, *pid, a, len, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_ | MAP_POPULATE_);
	for (uint64_t off = PAGE_SIZE; off < len; off += 2 * PAGE_SIZE)
		assert_int_equal(fx_sys(f, *pid, OS_SYS_MADVISE, a + off, PAGE_SIZE, MADV_DONTNEED_, 0, 0), 0);
	drain_all_pages(fx_phys(f));
	struct alloc_ctx ac = { .order = 9, .gfp = GFP_TRANSHUGE_LIGHT, .preferred_nid = 0 };
	*nheld = 0;
	while (*nheld < 64 && !page_alloc(fx_phys(f), &ac, &held[*nheld], NULL))
		(*nheld)++;
	return f;
}

static struct fx *fragmented(bool compaction, int *pid, uint64_t *held, unsigned *nheld)
{
	return fragmented_swap(compaction, 0, pid, held, nheld);
}

static void test_compaction_makes_huge_page(void **state)
{
	(void)state;
	uint64_t held[64], pfn;
	unsigned nheld;
	int pid;

	for (int on = 0; on <= 1; on++) {
		struct fx *f = fragmented(on, &pid, held, &nheld);
		struct process *p = os_proc(f->os, pid);
		uint64_t rss = p->rss_anon;
		char *before = fx_numa_maps(f, pid);
		assert_int_equal(rss, 6144);
		/* no free block of order >= 9 is left */
		struct zone_info zi;
		assert_int_equal(physmem_zone_info(fx_phys(f), 0, ZONE_NORMAL, &zi), 0);
		for (unsigned o = 9; o < NR_PAGE_ORDERS; o++)
			assert_int_equal(zi.nr_free_blocks[o], 0);
		assert_true(fragmentation_index(zi.nr_free_blocks, 9) > 500);
		assert_true(compaction_suitable(f->os, 0, ZONE_NORMAL, 9, ZONE_NORMAL) == (bool)true);
		/* a THP-style allocation that may compact (GFP_TRANSHUGE: direct reclaim allowed) */
		struct alloc_ctx ac = { .order = 9, .gfp = GFP_TRANSHUGE, .preferred_nid = 0 };
		sim_time_t cost = 0;
		int rc = page_alloc(fx_phys(f), &ac, &pfn, &cost);
		if (!on) {
			assert_int_equal(rc, -SIM_EOOM);
			assert_int_equal(vmstat_event(fx_phys(f), COMPACTSTALL), 0);
			assert_int_equal(vmstat_event(fx_phys(f), PGMIGRATE_SUCCESS), 0);
		} else {
			assert_int_equal(rc, 0);
			assert_true(vmstat_event(fx_phys(f), COMPACTSTALL) >= 1);
			assert_int_equal(vmstat_event(fx_phys(f), COMPACTSUCCESS), 1);
			uint64_t moved = vmstat_event(fx_phys(f), PGMIGRATE_SUCCESS);
			assert_true(moved > 0 && moved < rss);
			assert_true(vmstat_event(fx_phys(f), COMPACTMIGRATE_SCANNED) > 0);
			assert_true(vmstat_event(fx_phys(f), COMPACTFREE_SCANNED) > 0);
			assert_true(vmstat_event(fx_phys(f), COMPACTISOLATED) >= 2 * moved);
			assert_true(cost >= moved * (f->cfg.migrate_page_cost + FX_COPY_PS));
			/* mappings kept: same RSS, same numa_maps, every mapped page found by rmap */
			assert_int_equal(p->rss_anon, rss);
			char *after = fx_numa_maps(f, pid);
			assert_string_equal(before, after);
			free(after);
			for (uint64_t va = 0x40000000; va < 0x40000000 + (48ULL << 20); va += 2 * PAGE_SIZE) {
				struct page *pg = pfn_to_page(fx_phys(f), pte_pfn(fx_pte(f, pid, va, NULL)));
				assert_int_equal(pg->mapcount, 1);
				assert_int_equal(rmap_count(f->os, pg), 1);
				assert_int_equal(pg->index, va >> PAGE_SHIFT);
			}
			page_free(fx_phys(f), pfn, 9, 0);
		}
		free(before);
		buddy_check(fx_phys(f));
		fx_free(f);
	}
}

static void test_compact_all_scanners_meet(void **state)
{
	(void)state;
	uint64_t held[64];
	unsigned nheld;
	int pid;
	struct fx *f = fragmented(true, &pid, held, &nheld);
	/* free the held blocks: whole-zone compaction then packs pages to the bottom */
	for (unsigned i = 0; i < nheld; i++)
		page_free(fx_phys(f), held[i], 9, 0);
	drain_all_pages(fx_phys(f));
	sim_time_t t = compact_all(f->os, 0, 0);
	assert_true(t > 0);
	struct zone_info zi;
	physmem_zone_info(fx_phys(f), 0, ZONE_NORMAL, &zi);
	/* 3072 pages of holes were filled: at least 3072 / 512 = 6 more pageblocks are wholly free */
	uint64_t big = 0;
	for (unsigned o = 9; o < NR_PAGE_ORDERS; o++)
		big += zi.nr_free_blocks[o] << (o - 9);
	assert_true(big >= nheld + 5);
	/* no page moved above the free scanner's start: everything mapped stays in the zone */
	assert_int_equal(os_proc(f->os, pid)->rss_anon, 6144);
	/* a second run finds nothing to move */
	uint64_t m0 = vmstat_event(fx_phys(f), PGMIGRATE_SUCCESS);
	compact_all(f->os, 0, 0);
	assert_true(vmstat_event(fx_phys(f), PGMIGRATE_SUCCESS) - m0 < 64);
	buddy_check(fx_phys(f));
	fx_free(f);
}

/*
 * kswapd wakes kcompactd: woken for an order-9 request on a node with no
 * free 2 MiB block, kswapd reclaims compact_gap (2 << 9) pages (clean page
 * cache here), then works
 * for order 0 (kswapd_shrink_node); balanced, it goes to sleep and
 * (kswapd_try_to_sleep) wakes kcompactd for the order it was woken for,
 * which compacts a block free.  Before, only THP defer modes woke kcompactd.
 */
static void test_kswapd_wakes_kcompactd(void **state)
{
	(void)state;
	uint64_t held[64];
	unsigned nheld;
	int pid;
	struct fx *f = fragmented(true, &pid, held, &nheld);
	struct zone_info zi;

	/* 8 MiB of a file read into the page cache fills holes with clean, reclaimable pages */
	assert_int_equal(fx_sys(f, pid, OS_SYS_FILE_READ, 3, 0, 8ULL << 20, 0, 0), 0);

	assert_int_equal(physmem_zone_info(fx_phys(f), 0, ZONE_NORMAL, &zi), 0);
	assert_int_equal(zi.nr_free_blocks[9] + zi.nr_free_blocks[10], 0);
	struct kswapd *k = &f->os->rcl->kswapd[0];
	wakeup_kswapd(f->os, 0, 9, ZONE_MOVABLE, 0);
	assert_int_equal(k->state, KSWAPD_RUNNING);
	{
		for (int i = 0; i < 100000 && evq_run_one(&f->q); i++)
			;
	}
	assert_int_equal(k->state, KSWAPD_SLEEPING);
	assert_true(vmstat_event(fx_phys(f), PGSTEAL_KSWAPD) >= 2 << 9);
	assert_true(vmstat_event(fx_phys(f), KCOMPACTD_WAKE) >= 1);
	assert_true(vmstat_event(fx_phys(f), PGMIGRATE_SUCCESS) > 0);
	assert_int_equal(physmem_zone_info(fx_phys(f), 0, ZONE_NORMAL, &zi), 0);
	assert_true(zi.nr_free_blocks[9] + zi.nr_free_blocks[10] >= 1);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fragmentation_index),
		cmocka_unit_test(test_deferral),
		cmocka_unit_test(test_compaction_makes_huge_page),
		cmocka_unit_test(test_compact_all_scanners_meet),
		cmocka_unit_test(test_kswapd_wakes_kcompactd),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
