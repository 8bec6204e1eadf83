/*
 * tests/os/test_demotion.c - demotion in reclaim (Linux mm/vmscan.c
 * shrink_folio_list / demote_folio_list / alloc_demote_folio / can_demote,
 * mm/memory-tiers.c next_demotion_node; docs/tiering.md).
 *
 * The machine is Linux's memory-tiers "Example 1" (nodes 0-1 DRAM with
 * CPUs, 2-3 slower memory-only).  A process bound to node 0 touches more
 * than node 0 holds, so node 0 reclaims: with demotion_enabled its cold
 * pages move to node 2 before anything is swapped; without, they swap.
 */
#include "tests/os/tier_fixture.h"

#define MiB_PAGES(m) ((uint64_t)(m) << (20 - PAGE_SHIFT))

struct run {
	uint64_t demote_kswapd, demote_direct, pswpout, steal, on_node[4], present, mig_ok;
};

/* Bind to node 0, touch `pages` pages on CPU 0 running kswapd between faults, collect the figures. */
static struct run bound_touch(struct fx *f, uint64_t pages)
{
	struct run r = { 0 };
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000;

	assert_int_equal(fx_sys(f, pid, OS_SYS_SET_MEMPOLICY, MPOL_BIND, 0x1, 0, 0, 0), 0);
	fx_mmap_at(f, pid, a, pages << PAGE_SHIFT, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	for (uint64_t i = 0; i < pages; i++) {
		sim_time_t c = 0, t = i * 1000000ULL;   /* one fault per us */
		evq_run_until(&f->q, t);
		assert_int_equal(os_handle_fault(f->os, pid, 0, 0, t, a + (i << PAGE_SHIFT), true, HW_FAULT_NOT_PRESENT,
						 &c), OS_FAULT_RETRY);
	}
	for (uint64_t i = 0; i < pages; i++) {
		uint64_t pte = fx_pte(f, pid, a + (i << PAGE_SHIFT), NULL);
		if (pte & PTE_P) {
			r.present++;
			r.on_node[pfn_to_nid(fx_phys(f), pte_pfn(pte))]++;
		}
	}
	for (unsigned n = 0; n < 4; n++) {
		r.demote_kswapd += rx_node(f, n, PGDEMOTE_KSWAPD);
		r.demote_direct += rx_node(f, n, PGDEMOTE_DIRECT);
	}
	r.pswpout = rx_ev(f, PSWPOUT);
	r.steal = rx_ev(f, PGSTEAL_KSWAPD) + rx_ev(f, PGSTEAL_DIRECT);
	r.mig_ok = rx_ev(f, PGMIGRATE_SUCCESS);
	return r;
}

/*
 * Demotion before swap: node 0 (16 MiB) under a bound 24 MiB working set
 * demotes to node 2 (32 MiB, room for all) and swaps nothing; the same run
 * with demotion disabled swaps.  pgdemote_* count on the source node
 * (mod_lruvec_state(lruvec of the reclaimed node)), are part of pgsteal
 * (nr_reclaimed += nr_demoted) and are migrations (pgmigrate_success).
 */
static void test_demotion_before_swap(void **state)
{
	(void)state;
	struct os_cfg c = tier_rx_cfg(64);
	c.demotion_enabled = true;
	struct fx *f = tier_example1(16, 32, c);
	struct run r = bound_touch(f, MiB_PAGES(24));
	print_message("# demotion on: kswapd %llu direct %llu pswpout %llu node0 %llu node2 %llu\n",
		      (unsigned long long)r.demote_kswapd, (unsigned long long)r.demote_direct,
		      (unsigned long long)r.pswpout, (unsigned long long)r.on_node[0], (unsigned long long)r.on_node[2]);
	assert_int_equal(r.present, MiB_PAGES(24));
	assert_true(r.demote_kswapd + r.demote_direct >= MiB_PAGES(8));
	assert_int_equal(r.pswpout, 0);
	assert_int_equal(r.on_node[1] + r.on_node[3], 0);   /* preferred target of node 0 is node 2 only */
	assert_int_equal(r.on_node[2], r.demote_kswapd + r.demote_direct);
	assert_true(r.steal >= r.demote_kswapd + r.demote_direct);
	assert_int_equal(r.mig_ok, r.demote_kswapd + r.demote_direct);
	/* counted on node 0 only */
	assert_int_equal(rx_node(f, 2, PGDEMOTE_KSWAPD) + rx_node(f, 2, PGDEMOTE_DIRECT), 0);
	fx_free(f);

	c.demotion_enabled = false;
	f = tier_example1(16, 32, c);
	r = bound_touch(f, MiB_PAGES(24));
	print_message("# demotion off: pswpout %llu node2 %llu\n", (unsigned long long)r.pswpout,
		      (unsigned long long)r.on_node[2]);
	assert_int_equal(r.demote_kswapd + r.demote_direct, 0);
	assert_true(r.pswpout >= MiB_PAGES(8) - MiB_PAGES(1));
	assert_int_equal(r.on_node[2], 0);
	fx_free(f);
}

/*
 * Without swap, anon pages are still reclaimable where they can be demoted
 * (can_reclaim_anon_pages -> can_demote): the bound set fits in node 0 +
 * node 2 with no swap device at all.
 */
static void test_demotion_without_swap(void **state)
{
	(void)state;
	struct os_cfg c = tier_rx_cfg(0);
	c.demotion_enabled = true;
	struct fx *f = tier_example1(16, 32, c);
	struct run r = bound_touch(f, MiB_PAGES(24));
	assert_int_equal(r.present, MiB_PAGES(24));
	assert_true(r.on_node[2] >= MiB_PAGES(8));
	assert_int_equal(rx_ev(f, OOM_KILL), 0);
	fx_free(f);
}

/*
 * When the preferred target is full, alloc_demote_folio falls back to the
 * other allowed targets (node 3); when every lower node is full, the pages
 * that could not be demoted go on to swap (shrink_folio_list's retry with
 * do_demote_pass = false).
 */
static void test_fallback_then_swap(void **state)
{
	(void)state;
	struct os_cfg c = tier_rx_cfg(64);
	c.demotion_enabled = true;
	struct fx *f = tier_example1(16, 4, c);
	struct run r = bound_touch(f, MiB_PAGES(28));
	print_message("# small lower tier: demoted %llu node2 %llu node3 %llu pswpout %llu\n",
		      (unsigned long long)(r.demote_kswapd + r.demote_direct), (unsigned long long)r.on_node[2],
		      (unsigned long long)r.on_node[3], (unsigned long long)r.pswpout);
	assert_true(r.on_node[2] > 0);
	assert_true(r.on_node[3] > 0);                  /* the fallback target */
	assert_true(r.on_node[2] + r.on_node[3] <= MiB_PAGES(8));
	assert_true(r.pswpout > 0);                     /* the rest swapped */
	/* pages that failed to demote went on to swap still isolated: nothing is left counted as isolated */
	for (unsigned n = 0; n < 4; n++)
		assert_int_equal(rx_node(f, n, NR_ISOLATED_ANON), 0);
	lru_check(f->os);
	fx_free(f);
}

/*
 * demote_folio_list takes folios reclaim has isolated (Linux mm/vmscan.c
 * shrink_folio_list -> demote_folio_list -> migrate_pages on the isolated
 * demote_folios list; migrate_folio_move puts the new folio on the LRU,
 * migrate_folio_done drops the source's NR_ISOLATED).  Four isolated
 * pages (off the LRU, one reference each) of node 0: three move to node 2
 * and their replacements are on the LRU holding only the mapping's
 * reference; the fourth carries an extra reference (a pin), fails, and
 * stays isolated with its references, counted in nr_isolated_anon.
 */
static void demote_takes_isolated_pages(void **state)
{
	(void)state;
	struct os_cfg c = tier_rx_cfg(0);
	c.demotion_enabled = true;
	struct fx *f = tier_example1(16, 32, c);
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000;
	struct page *pg[4];
	bool failed[4];

	assert_int_equal(fx_sys(f, pid, OS_SYS_SET_MEMPOLICY, MPOL_BIND, 0x1, 0, 0, 0), 0);
	fx_mmap_at(f, pid, a, 4 << PAGE_SHIFT, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	rx_touch(f, pid, 0, a, 4);
	for (unsigned i = 0; i < 4; i++) {
		pg[i] = rx_page(f, pid, a + (i << PAGE_SHIFT));
		assert_int_equal(pg[i]->node, 0);
		assert_true(lru_isolate(f->os, pg[i]));
		pg[i]->refcount++;   /* folio_isolate_lru's reference */
	}
	pg[3]->refcount++;       /* a pin: folio_expected_refs no longer match */
	assert_int_equal(rx_node(f, 0, NR_ISOLATED_ANON), 4);
	sim_time_t cost = 0;
	assert_int_equal(demote_folio_list(f->os, 0, pg, 4, 0, 0, failed, &cost), 3);
	for (unsigned i = 0; i < 3; i++) {
		assert_false(failed[i]);
		struct page *np = rx_page(f, pid, a + (i << PAGE_SHIFT));
		assert_int_equal(np->node, 2);
		assert_true(page_test(np, PG_lru));
		assert_int_equal(np->refcount, 1);
		assert_int_equal(np->mapcount, 1);
	}
	assert_true(failed[3]);
	assert_ptr_equal(rx_page(f, pid, a + (3 << PAGE_SHIFT)), pg[3]);
	assert_false(page_test(pg[3], PG_lru));
	assert_int_equal(pg[3]->refcount, 3);
	assert_int_equal(rx_node(f, 0, NR_ISOLATED_ANON), 1);
	assert_int_equal(rx_node(f, 2, NR_ISOLATED_ANON), 0);
	/* the caller's putback ends the isolation */
	pg[3]->refcount -= 2;
	lru_putback(f->os, pg[3]);
	assert_int_equal(rx_node(f, 0, NR_ISOLATED_ANON), 0);
	lru_check(f->os);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demotion_before_swap),
		cmocka_unit_test(test_demotion_without_swap),
		cmocka_unit_test(test_fallback_then_swap),
		cmocka_unit_test(demote_takes_isolated_pages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
