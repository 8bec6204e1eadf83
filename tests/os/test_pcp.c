/*
 * tests/os/test_pcp.c - per-CPU page lists (sources.md §3.1): batch and
 * high sizing (live vector), refill growth (alloc_factor), high-mark
 * drains from the list tail, THP lists, and the fixed-high mode of
 * vm.percpu_pagelist_high_fraction.
 */
#include "tests/support/test.h"
#include "tests/os/phys_fixture.h"

static physmem_t *machine(uint64_t pages, unsigned cpus, unsigned high_fraction)
{
	struct os_cfg c = fx_cfg();
	struct physmem_layout l;
	unsigned cp[1] = { cpus };

	c.percpu_pagelist_high_fraction = high_fraction;
	fx_layout(&l, 1, &pages, cp, 20);
	return fx_create(&c, &l);
}

/* §3.1 live check, 2 CPUs: DMA32 batch 63 / 4637 / 48307, DMA 1 / 22 / 240. */
static void live_sizes(void **state)
{
	struct os_cfg c = fx_cfg();
	struct physmem_layout l;
	uint64_t pages[1] = { 1 + 3840 + 772918 + 983040 };
	unsigned cp[1] = { 2 };
	struct zone_info zi;

	(void)state;
	c.thp = THP_MADVISE;
	c.zone_dma = 3841ULL * 4096;
	c.zone_dma32_end = (3841ULL + 772918) * 4096;
	fx_layout(&l, 1, pages, cp, 20);
	physmem_t *pm = fx_create(&c, &l);
	physmem_zone_info(pm, 0, ZONE_DMA32, &zi);
	assert_int_equal(zi.pcp_batch, 63);
	assert_int_equal(zi.pcp_high_min, 4637);
	assert_int_equal(zi.pcp_high_max, 48307);
	physmem_zone_info(pm, 0, ZONE_DMA, &zi);
	assert_int_equal(zi.pcp_batch, 1);
	assert_int_equal(zi.pcp_high_min, 22);
	assert_int_equal(zi.pcp_high_max, 240);
	physmem_zone_info(pm, 0, ZONE_NORMAL, &zi);
	assert_int_equal(zi.pcp_batch, 63);
	assert_int_equal(zi.pcp_high_min, 11797 / 2);
	assert_int_equal(zi.pcp_high_max, 983040 / 8 / 2);
	physmem_destroy(pm);
}

static uint64_t nr_free(physmem_t *pm)
{
	struct zone_info zi;

	physmem_zone_info(pm, 0, ZONE_NORMAL, &zi);
	return zi.nr_free;
}

/*
 * 64 MiB, 1 CPU: batch 3, high_min = LOW 320, high_max 2048.  Refills
 * double with alloc_factor (3, 6, 12, 24, 48, then 96 = 3 << 5), and each
 * refill raises high by the refill size.
 */
static void refill_growth(void **state)
{
	physmem_t *pm = machine(MiB_PAGES(64), 1, 0);
	struct alloc_ctx a = fx_ctx(0, GFP_KERNEL, 0);
	struct pcp_info pi;
	uint64_t pfn, total = MiB_PAGES(64);
	static const unsigned refill[] = { 3, 6, 12, 24, 48, 96, 96 };
	uint64_t pulled = 0;

	(void)state;
	physmem_pcp_info(pm, 0, ZONE_NORMAL, 0, &pi);
	assert_int_equal(pi.batch, 3);
	assert_int_equal(pi.high_min, 320);
	assert_int_equal(pi.high_max, 2048);
	int high = 320;
	for (unsigned r = 0; r < ARRAY_SIZE(refill); r++) {
		assert_int_equal(page_alloc(pm, &a, &pfn, NULL), 0);
		pulled += refill[r];
		high += (int)refill[r];
		assert_int_equal(nr_free(pm), total - pulled);
		physmem_pcp_info(pm, 0, ZONE_NORMAL, 0, &pi);
		assert_int_equal(pi.count, (int)refill[r] - 1);
		assert_int_equal(pi.high, high);
		assert_int_equal(pi.alloc_factor, r + 1 < 5 ? (int)r + 1 : 5);
		for (unsigned i = 1; i < refill[r]; i++)
			assert_int_equal(page_alloc(pm, &a, &pfn, NULL), 0);
		assert_int_equal(nr_free(pm), total - pulled);
	}
	/* a free halves alloc_factor and lands on the list (no drain below high) */
	page_free(pm, pfn, 0, 0);
	physmem_pcp_info(pm, 0, ZONE_NORMAL, 0, &pi);
	assert_int_equal(pi.alloc_factor, 2);
	assert_int_equal(pi.count, 1);
	assert_int_equal(pi.free_count, 1);
	assert_true(page_test(pfn_to_page(pm, pfn), PG_pcp));
	/* LIFO: the next allocation gets the page just freed */
	uint64_t again;
	assert_int_equal(page_alloc(pm, &a, &again, NULL), 0);
	assert_int_equal(again, pfn);
	physmem_destroy(pm);
}

/*
 * 2 CPUs (high_min = 320/2 = 160): CPU 0 allocates, CPU 1 frees.  When CPU
 * 1's count reaches high (160) it frees clamp(free_count = 96 (saturated at
 * batch << 5), batch, high - batch) = 96 pages, the oldest first.
 */
static void drain_at_high(void **state)
{
	physmem_t *pm = machine(MiB_PAGES(64), 2, 0);
	struct alloc_ctx a = fx_ctx(0, GFP_KERNEL, 0);
	static uint64_t pfns[400];
	struct pcp_info pi;

	(void)state;
	physmem_set_debug_vm(pm, false);
	for (int i = 0; i < 400; i++)
		assert_int_equal(page_alloc(pm, &a, &pfns[i], NULL), 0);
	uint64_t drains = phys_stat(pm, PA_PCP_DRAIN);
	for (int i = 0; i < 159; i++)
		page_free(pm, pfns[i], 0, 1);
	physmem_pcp_info(pm, 0, ZONE_NORMAL, 1, &pi);
	assert_int_equal(pi.high_min, 160);
	assert_int_equal(pi.count, 159);
	assert_int_equal(phys_stat(pm, PA_PCP_DRAIN), drains);
	page_free(pm, pfns[159], 0, 1);
	physmem_pcp_info(pm, 0, ZONE_NORMAL, 1, &pi);
	assert_int_equal(pi.count, 160 - 96);
	assert_int_equal(phys_stat(pm, PA_PCP_DRAIN), drains + 1);
	for (int i = 0; i < 160; i++)
		assert_int_equal(page_test(pfn_to_page(pm, pfns[i]), PG_pcp), i >= 96);
	for (int i = 160; i < 256; i++)
		page_free(pm, pfns[i], 0, 1);
	physmem_pcp_info(pm, 0, ZONE_NORMAL, 1, &pi);
	assert_int_equal(pi.count, 64);
	assert_int_equal(phys_stat(pm, PA_PCP_DRAIN), drains + 2);
	fx_verify(pm);
	physmem_destroy(pm);
}

/*
 * Order 9 (THP) uses the pcp: a refill takes max(batch >> 9, 2) = 2 blocks;
 * freeing one back pushes count (1024) over high, which frees the oldest
 * THP (pfn 512) to the buddy allocator.
 */
static void thp_list(void **state)
{
	physmem_t *pm = machine(MiB_PAGES(64), 1, 0);
	struct alloc_ctx a = fx_ctx(9, GFP_TRANSHUGE_LIGHT, 0);
	struct pcp_info pi;
	struct zone_info zi;
	uint64_t pfn;

	(void)state;
	assert_int_equal(page_alloc(pm, &a, &pfn, NULL), 0);
	assert_int_equal(pfn, 0);
	assert_true(page_test(pfn_to_page(pm, 0), PG_head));
	assert_true(page_test(pfn_to_page(pm, 511), PG_tail));
	assert_int_equal(pfn_to_page(pm, 511)->private, 0);
	physmem_pcp_info(pm, 0, ZONE_NORMAL, 0, &pi);
	assert_int_equal(pi.count, 512);
	assert_int_equal(vmstat_event(pm, PGALLOC_NORMAL), 512);
	page_free(pm, 0, 9, 0);
	assert_false(page_test(pfn_to_page(pm, 511), PG_tail));
	physmem_pcp_info(pm, 0, ZONE_NORMAL, 0, &pi);
	assert_int_equal(pi.count, 512);
	assert_true(page_test(pfn_to_page(pm, 0), PG_pcp));
	assert_true(page_test(pfn_to_page(pm, 512), PG_buddy));
	physmem_zone_info(pm, 0, ZONE_NORMAL, &zi);
	assert_int_equal(zi.nr_free_blocks[9], 1);
	assert_int_equal(zi.nr_free, MiB_PAGES(64) - 512);
	/* orders 4..8 and 10 bypass the pcp */
	a.order = 4;
	assert_int_equal(page_alloc(pm, &a, &pfn, NULL), 0);
	page_free(pm, pfn, 4, 0);
	physmem_pcp_info(pm, 0, ZONE_NORMAL, 0, &pi);
	assert_int_equal(pi.count, 512);
	physmem_destroy(pm);
}

/* vm.percpu_pagelist_high_fraction = 8: fixed high = managed / 8 / cpus, no tuning. */
static void high_fraction_fixed(void **state)
{
	physmem_t *pm = machine(4096, 2, 8);
	struct pcp_info pi;
	struct alloc_ctx a = fx_ctx(0, GFP_KERNEL, 0);
	uint64_t pfn;

	(void)state;
	physmem_pcp_info(pm, 0, ZONE_NORMAL, 0, &pi);
	assert_int_equal(pi.batch, 1);                 /* 4096 >> 10 = 4, /4 = 1, 2^0 - 1 -> 1 */
	assert_int_equal(pi.high_min, 4096 / 8 / 2);
	assert_int_equal(pi.high_max, 4096 / 8 / 2);
	for (int i = 0; i < 10; i++)
		assert_int_equal(page_alloc(pm, &a, &pfn, NULL), 0);
	physmem_pcp_info(pm, 0, ZONE_NORMAL, 0, &pi);
	assert_int_equal(pi.high, 256);                /* not raised by refills */
	assert_int_equal(pi.count, 1 + 2 + 4 + 8 - 10); /* refills 1 << alloc_factor */
	physmem_destroy(pm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(live_sizes),
		cmocka_unit_test(refill_growth),
		cmocka_unit_test(drain_at_high),
		cmocka_unit_test(thp_list),
		cmocka_unit_test(high_fraction_fixed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
