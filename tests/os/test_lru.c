/*
 * tests/os/test_lru.c - LRU lists: membership and counters, inactive_is_low
 * (the §7.3 vectors), second chance by the accessed bit and activation,
 * mark_page_accessed.
 */
#include "tests/os/reclaim_fixture.h"

/* int_sqrt against a naive reference, and the §7.3 ratios at 1 GiB, 10 GiB, 100 GiB, 1 TiB. */
static void inactive_ratio_vectors(void **state)
{
	(void)state;
	for (uint64_t x = 0; x < 200000; x += 7) {
		uint64_t r = 0;
		while ((r + 1) * (r + 1) <= x)
			r++;
		assert_int_equal(int_sqrt64(x), r);
	}
	assert_int_equal(int_sqrt64(UINT64_MAX), 4294967295ULL);
	const struct {
		uint64_t gib, ratio;
	} v[] = { { 1, 3 }, { 10, 10 }, { 100, 31 }, { 1024, 101 } };
	for (unsigned i = 0; i < ARRAY_SIZE(v); i++) {
		/* k*(ratio+1) pages just above gib GiB, so gb stays gib */
		uint64_t k = ((v[i].gib << 18) + v[i].ratio) / (v[i].ratio + 1);
		assert_int_equal((k * (v[i].ratio + 1)) >> 18, v[i].gib);
		assert_false(inactive_is_low_pages(k, k * v[i].ratio));      /* exactly at the ratio */
		assert_true(inactive_is_low_pages(k - 1, k * v[i].ratio + 1)); /* one page across */
	}
	/* below 1 GiB the ratio is 1 */
	assert_false(inactive_is_low_pages(100, 100));
	assert_true(inactive_is_low_pages(99, 101));
	/* 1 GiB exactly: 65536 * 3 = 196608 is not < 196608 */
	assert_false(inactive_is_low_pages(65536, 196608));
	assert_true(inactive_is_low_pages(65535, 196609));
}

/* Faulted anon pages are on the inactive anon list of their node, counted in node and zone stats. */
static void membership_and_counters(void **state)
{
	struct fx *f = rx_new(2, 64, 2, 0);
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000;
	(void)state;

	fx_mmap_at(f, pid, a, 0x10000, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	rx_touch(f, pid, 0, a, 4);
	assert_int_equal(rx_node(f, 0, NR_INACTIVE_ANON), 4);
	assert_int_equal(rx_node(f, 0, NR_ACTIVE_ANON), 0);
	assert_int_equal(zone_stat(fx_phys(f), 0, rx_page(f, pid, a)->zone, NR_ZONE_INACTIVE_ANON), 4);
	assert_int_equal(node_lruvec(f->os, 0)->nr[LRU_INACTIVE_ANON], 4);
	struct page *pg = rx_page(f, pid, a);
	assert_true(page_test(pg, PG_lru));
	assert_int_equal(page_lru(pg), LRU_INACTIVE_ANON);
	/* a read of an untouched page maps the zero page: not on any list */
	assert_int_equal(fx_fault(f, pid, 0, a + 0x8000, false, NULL), OS_FAULT_RETRY);
	assert_int_equal(rx_node(f, 0, NR_INACTIVE_ANON), 4);
	/* CPU 2 is on node 1: its first touch lands there */
	rx_touch(f, pid, 2, a + 0x4000, 1);
	assert_int_equal(rx_node(f, 1, NR_INACTIVE_ANON), 1);
	/* unmapping frees the pages and takes them off the lists */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MUNMAP, a, 0x10000, 0, 0, 0), 0);
	assert_int_equal(rx_node(f, 0, NR_INACTIVE_ANON), 0);
	assert_int_equal(rx_node(f, 1, NR_INACTIVE_ANON), 0);
	lru_check(f->os);
	fx_free(f);
}

static struct scan_control sc_full(unsigned cpu)
{
	return (struct scan_control){ .nr_to_reclaim = 1000000, .reclaim_idx = ZONE_MOVABLE, .priority = 0,
				      .may_writepage = true, .may_unmap = true, .may_swap = true, .is_kswapd = true,
				      .cpu = cpu };
}

/*
 * Second chance (§7.2): a young page is kept with PG_referenced and its A
 * bit cleared (and the TLB entry shot down); young again -> activated;
 * not young again -> reclaimed (swapped).
 */
static void second_chance(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 16);
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000;
	(void)state;

	fx_mmap_at(f, pid, a, 0x2000, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	rx_touch(f, pid, 0, a, 2);
	struct page *hot = rx_page(f, pid, a), *cold = rx_page(f, pid, a + 0x1000);
	assert_true(fx_pte(f, pid, a, NULL) & PTE_A);
	uint64_t flushes = f->os->rcl->stat[RS_REFERENCED_FLUSHES];

	struct scan_control sc = sc_full(0);
	shrink_node(f->os, 0, &sc);
	assert_int_equal(sc.nr_scanned, 2);
	assert_int_equal(sc.nr_reclaimed, 0);
	assert_true(page_test(hot, PG_referenced) && page_test(cold, PG_referenced));
	assert_false(fx_pte(f, pid, a, NULL) & PTE_A);
	assert_false(fx_pte(f, pid, a + 0x1000, NULL) & PTE_A);
	assert_int_equal(f->os->rcl->stat[RS_REFERENCED_FLUSHES], flushes + 1);   /* one shootdown for the batch */
	assert_int_equal(rx_ev(f, PGACTIVATE), 0);

	/* the hardware walker sets A again on the next access of `hot` */
	uint64_t slot;
	pgtable_lookup(f->pm, os_proc(f->os, pid)->pgd_pfn, a, &slot);
	pmem_write64(f->pm, slot, pmem_read64(f->pm, slot) | PTE_A);
	sc = sc_full(0);
	shrink_node(f->os, 0, &sc);
	/* hot was activated; cold (being written, see below) keeps the inactive list from being low */
	assert_int_equal(rx_ev(f, PGACTIVATE), 1);
	assert_int_equal(rx_ev(f, PGDEACTIVATE), 0);
	assert_int_equal(page_lru(hot), LRU_ACTIVE_ANON);
	/*
	 * cold: referenced flag only, anon -> unmapped and written (pageout),
	 * but kept until the write completes (shrink_folio_list: PAGE_SUCCESS
	 * with the folio under writeback -> keep).
	 */
	assert_int_equal(sc.nr_reclaimed, 0);
	assert_true(is_swap_pte(fx_pte(f, pid, a + 0x1000, NULL)));
	assert_int_equal(rx_ev(f, PSWPOUT), 1);
	assert_true(page_test(cold, PG_writeback) && page_test(cold, PG_reclaim) && page_test(cold, PG_swapcache));
	assert_int_equal(rx_ev(f, PGSCAN_KSWAPD), 4);   /* both pages, both passes */
	assert_int_equal(rx_ev(f, PGSTEAL_KSWAPD), 0);
	assert_int_equal(rx_node(f, 0, NR_ACTIVE_ANON), 1);
	assert_int_equal(rx_node(f, 0, NR_INACTIVE_ANON), 1);
	assert_int_equal(rx_node(f, 0, NR_WRITEBACK), 1);
	/* the write ends (folio_end_writeback): cold rotates to the inactive tail; the next scan frees it unwritten */
	swap_writeback_end(f->os, 1000000000000ULL);   /* by 1 s */
	assert_false(page_test(cold, PG_writeback));
	assert_int_equal(rx_ev(f, PGROTATED), 1);
	assert_int_equal(rx_node(f, 0, NR_WRITEBACK), 0);
	sc = sc_full(0);
	shrink_node(f->os, 0, &sc);
	assert_int_equal(sc.nr_reclaimed, 1);
	assert_int_equal(rx_ev(f, PSWPOUT), 1);
	assert_int_equal(rx_ev(f, PGSTEAL_KSWAPD), 1);
	assert_int_equal(rx_ev(f, PGSTEAL_ANON), 1);
	assert_int_equal(rx_node(f, 0, NR_SWAPCACHE), 0);
	/*
	 * with cold gone, inactive anon (0) is low against active (1), so
	 * shrink_lruvec's closing aging deactivates hot, marked workingset
	 * (Linux does the same).
	 */
	assert_int_equal(rx_ev(f, PGDEACTIVATE), 1);
	assert_int_equal(rx_ev(f, PGREFILL), 1);
	assert_true(page_test(hot, PG_workingset));
	assert_int_equal(page_lru(hot), LRU_INACTIVE_ANON);
	assert_int_equal(rx_node(f, 0, NR_ACTIVE_ANON), 0);
	assert_int_equal(rx_node(f, 0, NR_INACTIVE_ANON), 1);
	lru_check(f->os);
	fx_free(f);
}

/* The active list is aged only when the inactive list is low; deactivation counts pgrefill/pgdeactivate. */
static void active_aging(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 16);
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000;
	(void)state;

	fx_mmap_at(f, pid, a, 0x4000, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	rx_touch(f, pid, 0, a, 4);
	for (unsigned i = 0; i < 4; i++) {
		struct page *pg = rx_page(f, pid, a + i * 0x1000);
		lru_del(f->os, pg);
		page_set(pg, PG_active);
		lru_add(f->os, pg);
	}
	struct lruvec *lv = node_lruvec(f->os, 0);
	assert_true(inactive_is_low(lv, LRU_INACTIVE_ANON));
	struct scan_control sc = sc_full(0);
	shrink_node(f->os, 0, &sc);
	/* all four deactivated (A bits are cleared on the way), none reclaimed in the same pass */
	assert_int_equal(rx_ev(f, PGREFILL), 4);
	assert_int_equal(rx_ev(f, PGDEACTIVATE), 4);
	assert_int_equal(rx_node(f, 0, NR_INACTIVE_ANON), 4);
	assert_true(page_test(rx_page(f, pid, a), PG_workingset));
	lru_check(f->os);
	fx_free(f);
}

/* folio_mark_accessed: unreferenced -> referenced -> active. */
static void mark_accessed(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 0);
	int pid = fx_proc(f, false);
	(void)state;

	assert_int_equal(fx_sys(f, pid, OS_SYS_FILE_READ, 3, 0, 4096, 0, 0), 0);
	struct file_obj *fo = filemap_file(f->os, os_proc(f->os, pid), 3);
	struct page *pg = filemap_lookup(f->os, fo, 0);
	assert_non_null(pg);
	assert_true(page_test(pg, PG_referenced));
	assert_int_equal(page_lru(pg), LRU_INACTIVE_FILE);
	mark_page_accessed(f->os, pg);
	assert_int_equal(page_lru(pg), LRU_ACTIVE_FILE);
	assert_false(page_test(pg, PG_referenced));
	assert_int_equal(rx_ev(f, PGACTIVATE), 1);
	mark_page_accessed(f->os, pg);
	assert_true(page_test(pg, PG_referenced));
	assert_int_equal(rx_node(f, 0, NR_ACTIVE_FILE), 1);
	lru_check(f->os);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(inactive_ratio_vectors),
		cmocka_unit_test(membership_and_counters),
		cmocka_unit_test(second_chance),
		cmocka_unit_test(active_aging),
		cmocka_unit_test(mark_accessed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
