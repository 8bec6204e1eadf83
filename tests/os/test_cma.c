/*
 * tests/os/test_cma.c - CMA areas (os/cma.c, os/contig.c and the CMA rules
 * of os/page_alloc.c), each test citing the Linux function it follows:
 * area placement and views, movable allocations use the area under
 * __rmqueue's balance rule and unmovable ones never (nor count it against
 * watermarks), cma_alloc migrates user pages out at migration cost, fails
 * on a pinned page and moves on past it, counters.
 */
#include "tests/os/os_fixture.h"
#include "os/cma.h"
#include "os/memory_hotplug.h"
#include "os/migrate.h"

#define PROT_RW 3
#define MAP_PRIV_ANON 0x22
#define MAP_FIXED_ 0x10
#define NODE_MIB 256
#define NODE_PAGES ((uint64_t)NODE_MIB << (20 - PAGE_SHIFT))

static struct fx *cma_fx(uint64_t cma_mib)
{
	struct os_cfg c = fx_os_cfg();
	c.cma_pernuma = cma_mib << 20;
	return fx_new_cfg(2, NODE_MIB, 2, &c);
}

/* The area of node nid: the top cma pages of its Normal zone (memblock allocates top-down). */
static void area_of(struct fx *f, unsigned nid, uint64_t *base, uint64_t *pages)
{
	struct zone_info zi;
	assert_int_equal(physmem_zone_info(fx_phys(f), nid, ZONE_NORMAL, &zi), 0);
	*pages = zi.cma_pages;
	*base = ((zi.start_pfn + zi.spanned) & ~1023ULL) - zi.cma_pages;
}

static uint64_t free_cma(struct fx *f, unsigned nid)
{
	struct zone_info zi;
	physmem_zone_info(fx_phys(f), nid, ZONE_NORMAL, &zi);
	return zi.nr_free_cma;
}

/* cma_declare_contiguous_nid + init_cma_reserved_pageblock: MIGRATE_CMA pageblocks at the node's top, all free. */
static void test_area_placement_and_views(void **state)
{
	(void)state;
	struct fx *f = cma_fx(32);
	uint64_t base, pages;

	for (unsigned nid = 0; nid < 2; nid++) {
		area_of(f, nid, &base, &pages);
		assert_int_equal(pages, 8192);
		assert_int_equal(base, nid * NODE_PAGES + NODE_PAGES - 8192);
		assert_int_equal(get_pageblock_migratetype(fx_phys(f), base), MIGRATE_CMA);
		assert_int_equal(get_pageblock_migratetype(fx_phys(f), base + pages - 1), MIGRATE_CMA);
		assert_int_equal(get_pageblock_migratetype(fx_phys(f), base - 1), MIGRATE_MOVABLE);
		assert_int_equal(free_cma(f, nid), 8192);
	}
	assert_int_equal(physmem_cma_pages(fx_phys(f)), 16384);
	assert_int_equal(physmem_free_cma_pages(fx_phys(f)), 16384);
	/* has_unmovable_pages(MEMORY_OFFLINE): a block holding a CMA area cannot be offlined */
	sim_time_t cost = 0;
	assert_int_equal(memory_offline(f->os, 1, 0, 0, &cost), -SIM_EBUSY);
	assert_int_equal(get_pageblock_migratetype(fx_phys(f), NODE_PAGES - 1), MIGRATE_CMA);
	char *v = fx_dump(f, "zoneinfo");
	assert_non_null(strstr(v, "\n        cma      8192\n"));
	assert_non_null(strstr(v, "nr_free_cma  8192"));
	free(v);
	v = fx_dump(f, "pagetypeinfo");
	assert_non_null(strstr(v, "Node    0, zone   Normal, type          CMA      0      0      0      0      0      0"
				  "      0      0      0      0      8 \n"));
	assert_non_null(strstr(v, "HighAtomic          CMA      Isolate"));
	free(v);
	v = fx_dump(f, "cma");
	assert_string_equal(v, "/sys/kernel/mm/cma/pernuma0/alloc_pages_fail:0\n"
			       "/sys/kernel/mm/cma/pernuma0/alloc_pages_success:0\n"
			       "/sys/kernel/mm/cma/pernuma0/available_pages:8192\n"
			       "/sys/kernel/mm/cma/pernuma0/release_pages_success:0\n"
			       "/sys/kernel/mm/cma/pernuma0/total_pages:8192\n"
			       "/sys/kernel/mm/cma/pernuma1/alloc_pages_fail:0\n"
			       "/sys/kernel/mm/cma/pernuma1/alloc_pages_success:0\n"
			       "/sys/kernel/mm/cma/pernuma1/available_pages:8192\n"
			       "/sys/kernel/mm/cma/pernuma1/release_pages_success:0\n"
			       "/sys/kernel/mm/cma/pernuma1/total_pages:8192\n");
	free(v);
	v = fx_dump(f, "vmstat");
	assert_non_null(strstr(v, "\ncma_alloc_success 0\ncma_alloc_fail 0\n"));
	free(v);
	fx_free(f);
	/* a kernel without CMA areas prints neither the CMA type nor the cma_alloc_* lines */
	f = fx_new(2, NODE_MIB, 2);
	v = fx_dump(f, "pagetypeinfo");
	assert_null(strstr(v, "CMA"));
	free(v);
	v = fx_dump(f, "vmstat");
	assert_null(strstr(v, "cma_alloc_success"));
	free(v);
	fx_free(f);
}

/* An area that does not fit is a configuration error naming the key. */
static void test_area_too_big(void **state)
{
	(void)state;
	struct fx fx = { .cfg = fx_os_cfg() };
	fx.cfg.cma_pernuma = 512ULL << 20;
	fx_hw(&fx.hc, 1, 256, 1);
	fx_boot_fails(&fx, "os.cma_pernuma");
}

/*
 * dma_numa_cma_reserve declares pernumaN, then numaN (below it: memblock
 * is top-down); dma_alloc_contiguous tries pernumaN first, then numaN.
 */
static void test_pernuma_and_numa_areas(void **state)
{
	(void)state;
	struct os_cfg c = fx_os_cfg();
	c.cma_pernuma = 8ULL << 20;
	c.numa_cma[0] = 16;
	c.nr_numa_cma = 1;
	struct fx *f = fx_new_cfg(2, NODE_MIB, 2, &c);
	int pid = fx_proc(f, false);
	uint64_t top = NODE_PAGES;

	char *v = fx_dump(f, "cma");
	assert_non_null(strstr(v, "/sys/kernel/mm/cma/pernuma0/total_pages:2048\n"));
	assert_non_null(strstr(v, "/sys/kernel/mm/cma/numa0/total_pages:4096\n"));
	assert_non_null(strstr(v, "/sys/kernel/mm/cma/pernuma1/total_pages:2048\n"));
	assert_null(strstr(v, "/cma/numa1/"));
	free(v);
	assert_int_equal(get_pageblock_migratetype(fx_phys(f), top - 2048), MIGRATE_CMA);
	assert_int_equal(get_pageblock_migratetype(fx_phys(f), top - 2048 - 4096), MIGRATE_CMA);
	assert_int_equal(get_pageblock_migratetype(fx_phys(f), top - 2048 - 4096 - 1), MIGRATE_MOVABLE);
	/* 1024 pages fit pernuma0; 3000 only numa0 */
	assert_int_equal(fx_sys(f, pid, OS_SYS_CMA_ALLOC, 0, 1024, 0, 0, 0), 0);
	assert_int_equal(fx_sys(f, pid, OS_SYS_CMA_ALLOC, 0, 3000, 0, 0, 0), 0);
	v = fx_dump(f, "cma");
	assert_non_null(strstr(v, "/sys/kernel/mm/cma/pernuma0/alloc_pages_success:1024\n"));
	assert_non_null(strstr(v, "/sys/kernel/mm/cma/numa0/alloc_pages_success:3000\n"));
	free(v);
	assert_int_equal(fx_sys(f, pid, OS_SYS_CMA_RELEASE, 0, 3000, 0, 0, 0), 0);
	v = fx_dump(f, "cma");
	assert_non_null(strstr(v, "/sys/kernel/mm/cma/numa0/release_pages_success:3000\n"));
	free(v);
	fx_free(f);
}

static int alloc1(struct fx *f, gfp_t gfp, uint64_t *pfn)
{
	nodemask_t only;
	nodes_clear(&only);
	node_set(0, &only);
	struct alloc_ctx ac = { .order = 0, .gfp = gfp | __GFP_THISNODE, .preferred_nid = 0, .nodemask = &only };
	return page_alloc(fx_phys(f), &ac, pfn, NULL);
}

/*
 * mm/page_alloc.c __rmqueue: with ALLOC_CMA (gfp_to_alloc_flags_cma: a
 * movable request), take from CMA first when NR_FREE_CMA_PAGES >
 * NR_FREE_PAGES / 2; otherwise only after the movable lists
 * (__rmqueue_cma_fallback).  Unmovable requests never get CMA.
 */
static void test_balance_rule(void **state)
{
	(void)state;
	uint64_t base, pages, pfn;

	/* 160 of 256 MiB: CMA holds more than half the free pages -> the first movable page is CMA */
	struct fx *f = cma_fx(160);
	area_of(f, 0, &base, &pages);
	assert_true(free_cma(f, 0) > fx_free_pages(f) / 4);   /* > half of node 0's free pages */
	assert_int_equal(alloc1(f, GFP_HIGHUSER_MOVABLE, &pfn), 0);
	assert_true(pfn >= base && pfn < base + pages);
	assert_int_equal(alloc1(f, GFP_KERNEL, &pfn), 0);
	assert_false(pfn >= base && pfn < base + pages);
	fx_free(f);

	/* 32 of 256 MiB: under half -> movable pages come from the movable lists while they last */
	f = cma_fx(32);
	area_of(f, 0, &base, &pages);
	for (int i = 0; i < 2000; i++) {
		assert_int_equal(alloc1(f, GFP_HIGHUSER_MOVABLE, &pfn), 0);
		assert_false(pfn >= base && pfn < base + pages);
	}
	assert_int_equal(free_cma(f, 0), 8192);
	fx_free(f);
}

/*
 * Unmovable requests never take CMA pages, and __zone_watermark_unusable_free
 * counts free CMA pages as unusable without ALLOC_CMA: node 0 runs out for
 * GFP_NOWAIT kernel allocations while 8192 CMA pages are still free.
 */
static void test_unmovable_never_and_watermark(void **state)
{
	(void)state;
	struct fx *f = cma_fx(32);
	uint64_t base, pages, pfn, n = 0;
	struct zone_info zi;

	physmem_set_debug_vm(fx_phys(f), false);
	area_of(f, 0, &base, &pages);
	while (!alloc1(f, GFP_NOWAIT, &pfn)) {
		assert_false(pfn >= base && pfn < base + pages);
		n++;
	}
	assert_true(n > 40000);
	physmem_zone_info(fx_phys(f), 0, ZONE_NORMAL, &zi);
	assert_int_equal(zi.nr_free_cma, 8192);
	/*
	 * It stopped at the MIN watermark counted without CMA: about MIN
	 * regular pages are left (counting CMA it would have gone on to 0).
	 */
	assert_true(zi.nr_free > zi.watermark[WMARK_MIN]);
	assert_true(zi.nr_free - zi.nr_free_cma <= zi.watermark[WMARK_MIN]);
	assert_true(zi.nr_free - zi.nr_free_cma > zi.watermark[WMARK_MIN] / 2);
	/* a movable request still succeeds, from the CMA area */
	assert_int_equal(alloc1(f, GFP_HIGHUSER_MOVABLE, &pfn), 0);
	assert_true(pfn >= base && pfn < base + pages);
	fx_free(f);
}

/* 64 user pages of node 0, which land in a 160 MiB area (the balance rule). @return how many are in it. */
static unsigned fault_into_area(struct fx *f, int pid, uint64_t a, uint64_t base, uint64_t pages)
{
	unsigned in = 0;
	fx_mmap_at(f, pid, a, 64 * PAGE_SIZE, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	for (int i = 0; i < 64; i++) {
		assert_int_equal(fx_fault(f, pid, 0, a + i * PAGE_SIZE, true, NULL), OS_FAULT_RETRY);
		uint64_t pfn = pte_pfn(fx_pte(f, pid, a + i * PAGE_SIZE, NULL));
		in += pfn >= base && pfn < base + pages;
	}
	return in;
}

/*
 * cma_alloc -> alloc_contig_range (mm/page_alloc.c): isolate, migrate the
 * movable pages out (MR_CONTIG_RANGE), take the range.  The pages keep
 * their mappings, land outside the area, on node 0 (alloc_migration_target
 * prefers the range's node), and the caller pays for every migration.
 */
static void test_cma_alloc_migrates_out(void **state)
{
	(void)state;
	struct fx *f = cma_fx(160);
	uint64_t base, pages, pfn, a = 0x10000000;
	int pid = fx_proc(f, false);
	sim_time_t cost = 0;

	area_of(f, 0, &base, &pages);
	unsigned in = fault_into_area(f, pid, a, base, pages);
	assert_int_equal(in, 64);
	uint64_t mig0 = vmstat_event(fx_phys(f), PGMIGRATE_SUCCESS);
	assert_int_equal(cma_alloc(f->os, 0, pages, 0, 0, 0, &pfn, &cost), 0);
	assert_int_equal(pfn, base);
	assert_int_equal(vmstat_event(fx_phys(f), PGMIGRATE_SUCCESS) - mig0, 64);
	assert_true(cost >= 64 * (f->cfg.migrate_page_cost + FX_COPY_PS));
	for (int i = 0; i < 64; i++) {
		uint64_t p = pte_pfn(fx_pte(f, pid, a + i * PAGE_SIZE, NULL));
		assert_false(p >= base && p < base + pages);
		assert_int_equal(pfn_to_nid(fx_phys(f), p), 0);
	}
	for (uint64_t p = base; p < base + pages; p += 997)
		assert_int_equal(pfn_to_page(fx_phys(f), p)->refcount, 1);
	assert_int_equal(free_cma(f, 0), 0);
	assert_int_equal(get_pageblock_migratetype(fx_phys(f), base), MIGRATE_CMA);
	assert_int_equal(vmstat_event(fx_phys(f), CMA_ALLOC_SUCCESS), 1);
	char *v = fx_dump(f, "cma");
	assert_non_null(strstr(v, "pernuma0/alloc_pages_success:40960\n"));
	assert_non_null(strstr(v, "pernuma0/available_pages:0\n"));
	free(v);
	/* cma_release gives every page back to the CMA lists */
	assert_int_equal(cma_release(f->os, 0, pfn, pages, 0), 0);
	drain_all_pages(fx_phys(f));
	assert_int_equal(free_cma(f, 0), pages);
	v = fx_dump(f, "cma");
	assert_non_null(strstr(v, "pernuma0/release_pages_success:40960\n"));
	free(v);
	assert_int_equal(cma_release(f->os, 0, pfn, pages, 0), -SIM_ERANGE);   /* not held any more */
	fx_free(f);
}

/*
 * A pinned page (an extra reference: isolate_migratepages_block skips an
 * anon page whose refcount exceeds its mapcount) keeps its range busy:
 * test_pages_isolated fails, alloc_contig_range returns -EBUSY, the
 * pageblocks return to MIGRATE_CMA and cma_alloc counts a failure.  A
 * smaller request moves on past the busy range (cma_range_alloc: start =
 * bitmap_no + mask + 1) and succeeds.
 */
static void test_cma_alloc_fails_on_pinned_page(void **state)
{
	(void)state;
	struct fx *f = cma_fx(160);
	uint64_t base, pages, pfn, a = 0x10000000;
	int pid = fx_proc(f, false);
	sim_time_t cost = 0;
	char err[256];

	area_of(f, 0, &base, &pages);
	fault_into_area(f, pid, a, base, pages);
	struct page *pinned = pfn_to_page(fx_phys(f), pte_pfn(fx_pte(f, pid, a, NULL)));
	pinned->refcount++;
	assert_int_equal(cma_alloc(f->os, 0, pages, 0, 0, 0, &pfn, &cost), -SIM_EBUSY);
	assert_int_equal(vmstat_event(fx_phys(f), CMA_ALLOC_FAIL), 1);
	assert_int_equal(pte_pfn(fx_pte(f, pid, a, NULL)), pinned->pfn);
	for (uint64_t p = base; p < base + pages; p += PAGEBLOCK_NR_PAGES)
		assert_int_equal(get_pageblock_migratetype(fx_phys(f), p), MIGRATE_CMA);
	assert_int_equal(buddy_verify(fx_phys(f), err, sizeof(err)), 0);
	char *v = fx_dump(f, "cma");
	assert_non_null(strstr(v, "pernuma0/alloc_pages_fail:40960\n"));
	assert_non_null(strstr(v, "pernuma0/available_pages:40960\n"));
	free(v);
	/* 1024 pages (align order 10): the range holding the pinned page is skipped */
	uint64_t busy_block = (pinned->pfn - base) / 1024;
	assert_int_equal(cma_alloc(f->os, 0, 1024, 10, 0, 0, &pfn, &cost), 0);
	assert_true(pfn >= base && pfn < base + pages);
	assert_int_not_equal((pfn - base) / 1024, busy_block);
	assert_int_equal(vmstat_event(fx_phys(f), CMA_ALLOC_SUCCESS), 1);
	/* through the trace's control record: node 1 has an area, node 2 does not exist */
	assert_int_equal(fx_sys(f, pid, OS_SYS_CMA_ALLOC, 1, 512, 0, 0, 0), 0);
	assert_int_equal(fx_sys(f, pid, OS_SYS_CMA_RELEASE, 1, 512, 0, 0, 0), 0);
	assert_int_equal(fx_sys(f, pid, OS_SYS_CMA_RELEASE, 1, 512, 0, 0, 0), -SIM_ERANGE);
	assert_int_equal(fx_sys(f, pid, OS_SYS_CMA_ALLOC, 2, 512, 0, 0, 0), -SIM_ERANGE);
	pinned->refcount--;
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_area_placement_and_views),
		cmocka_unit_test(test_area_too_big),
		cmocka_unit_test(test_pernuma_and_numa_areas),
		cmocka_unit_test(test_balance_rule),
		cmocka_unit_test(test_unmovable_never_and_watermark),
		cmocka_unit_test(test_cma_alloc_migrates_out),
		cmocka_unit_test(test_cma_alloc_fails_on_pinned_page),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
