/*
 * tests/os/test_swap.c - swap entries, the slot allocator, device timing,
 * swap-out through the reverse map and swap-in on a major fault.
 */
#include "tests/os/reclaim_fixture.h"

/* Entry encode/decode: every offset and type round-trips; nothing else reads as a swap entry. */
static void entry_format(void **state)
{
	(void)state;
	const uint64_t offs[] = { 1, 2, 511, 512, 0x12345, SWP_OFFSET_MAX };
	for (unsigned i = 0; i < ARRAY_SIZE(offs); i++)
		for (unsigned t = 0; t < 32; t++) {
			uint64_t pte = swp_entry_to_pte(t, offs[i]);
			assert_true(is_swap_pte(pte));
			assert_false(pte_present(pte));
			assert_int_equal(pte & (PTE_P | PTE_PROTNONE), 0);
			assert_int_equal(swp_offset(pte), offs[i]);
			assert_int_equal(swp_type(pte), t);
		}
	assert_int_equal(swp_entry_to_pte(0, 5), (5ULL << 12) | PTE_SW3);
	assert_false(is_swap_pte(0));
	assert_false(is_swap_pte((5ULL << 12) | PTE_P | PTE_SW3));             /* present */
	assert_false(is_swap_pte((5ULL << 12) | PTE_PROTNONE | PTE_SW3));      /* a NUMA-hinting entry */
	assert_false(is_swap_pte(5ULL << 12));                                  /* no software bit */
}

/* Next-fit slots, slot 0 reserved, counts per entry, full area. */
static void slot_allocator(void **state)
{
	struct swap_info *si;
	(void)state;

	assert_int_equal(swap_create(&si, 5 * PAGE_SIZE + 100, 0, 1 << 20), 0);
	assert_int_equal(swap_total(si), 4);
	for (uint64_t want = 1; want <= 4; want++)
		assert_int_equal(swap_alloc_slot(si), want);
	assert_int_equal(swap_alloc_slot(si), 0);
	assert_int_equal(swap_used(si), 4);
	swap_dup(si, 2);
	assert_int_equal(swap_count(si, 2), 2);
	assert_int_equal(swap_put(si, 2), 1);
	assert_int_equal(swap_alloc_slot(si), 0);    /* still held once */
	assert_int_equal(swap_put(si, 2), 0);
	assert_int_equal(swap_used(si), 3);
	assert_int_equal(swap_alloc_slot(si), 2);    /* the cursor wrapped to the freed slot */
	swap_set_shadow(si, 3, 77);
	assert_int_equal(swap_shadow(si, 3), 77);
	swap_destroy(si);
	assert_int_equal(swap_create(&si, PAGE_SIZE, 0, 1 << 20), 0);   /* header only: no swap */
	assert_int_equal(swap_total(si), 0);
	assert_int_equal(swap_alloc_slot(si), 0);
	swap_destroy(si);
}

/* Busy-until device: transfers serialise, latency overlaps. */
static void device_timing(void **state)
{
	struct blkdev d = { .latency = 10000000, .bandwidth = RX_SWAP_BW };
	(void)state;

	assert_int_equal(blkdev_io(&d, 0, PAGE_SIZE, true), 11000000);
	assert_int_equal(blkdev_io(&d, 0, PAGE_SIZE, false), 12000000);
	assert_int_equal(blkdev_io(&d, 500000, 2 * PAGE_SIZE, false), 14000000);
	assert_int_equal(blkdev_io(&d, 100000000, PAGE_SIZE, true), 111000000);
	assert_int_equal(d.reads, 2);
	assert_int_equal(d.writes, 2);
	assert_int_equal(d.busy_ps, 5000000);
}

/* Swap a mapped page out and fault it back: entry, accounting, major-fault cost. */
static void out_and_in(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 16);
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000;
	(void)state;

	fx_mmap_at(f, pid, a, 0x2000, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	rx_touch(f, pid, 0, a, 2);
	struct process *p = os_proc(f->os, pid);
	struct page *pg = rx_page(f, pid, a);
	assert_int_equal(p->rss_anon, 2);
	/* as reclaim does: isolate with a reference, swap out, free */
	assert_true(lru_isolate(f->os, pg));
	pg->refcount++;
	sim_time_t c = 0;
	assert_int_equal(swap_out_page(f->os, pg, 0, 0, &c), 0);
	uint64_t pte = fx_pte(f, pid, a, NULL);
	assert_true(is_swap_pte(pte));
	assert_int_equal(swp_offset(pte), 1);
	assert_int_equal(swap_count(f->os->rcl->swap, 1), 1);
	assert_int_equal(p->rss_anon, 1);
	assert_int_equal(p->swapents, 1);
	assert_int_equal(pg->mapcount, 0);
	assert_int_equal(pg->refcount, 1);
	assert_int_equal(rx_ev(f, PSWPOUT), 1);
	assert_int_equal(rx_ev(f, PGPGOUT), 4);
	lru_putback(f->os, pg);   /* keep the descriptor valid: free through the normal path */
	lru_del(f->os, pg);
	pg->refcount = 1;
	put_page(f->os, pg, 0);
	/* the write occupies the device for 1 us: a read at time 0 queues behind it */
	sim_time_t cost = 0;
	uint64_t maj = rx_ev(f, PGMAJFAULT);
	assert_int_equal(fx_fault(f, pid, 1, a, false, &cost), OS_FAULT_RETRY);
	assert_int_equal(rx_ev(f, PGMAJFAULT), maj + 1);
	assert_int_equal(rx_ev(f, PSWPIN), 1);
	assert_int_equal(p->maj_flt, 1);
	assert_int_equal(p->swapents, 0);
	assert_int_equal(p->rss_anon, 2);
	assert_int_equal(swap_used(f->os->rcl->swap), 0);
	pte = fx_pte(f, pid, a, NULL);
	assert_true((pte & PTE_P) && (pte & PTE_RW) && (pte & PTE_D));
	/*
	 * The write was queued after the unmap's shootdown (0.1 us): transfer
	 * 0.1-1.1 us.  The read is issued after the 1 us fault entry, waits for
	 * the write, transfers 1.1-2.1 us and completes 10 us later: an 11.1 us
	 * stall (allocation costs are 0 here and a swapped-in page is not zeroed).
	 */
	assert_int_equal(cost, FX_FAULT_PS + 11100000);
	assert_int_equal(psi_cpu_stall(f->os->rcl->psi, 1), 11100000);
	lru_check(f->os);
	fx_free(f);
}

/* fork duplicates entries; zap and exit drop them. */
static void fork_and_zap(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 16);
	int pid = fx_proc(f, false), child;
	uint64_t a = 0x10000000;
	(void)state;

	fx_mmap_at(f, pid, a, 0x1000, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	rx_touch(f, pid, 0, a, 1);
	struct page *pg = rx_page(f, pid, a);
	assert_true(lru_isolate(f->os, pg));
	pg->refcount++;
	sim_time_t c = 0;
	assert_int_equal(swap_out_page(f->os, pg, 0, 0, &c), 0);
	lru_putback(f->os, pg);
	lru_del(f->os, pg);
	put_page(f->os, pg, 0);
	assert_int_equal(os_process_fork(f->os, pid, &child), 0);
	assert_int_equal(swap_count(f->os->rcl->swap, 1), 2);
	assert_int_equal(os_proc(f->os, child)->swapents, 1);
	assert_true(is_swap_pte(fx_pte(f, child, a, NULL)));
	/* the child swaps in its own copy; the parent's entry keeps the slot */
	assert_int_equal(fx_fault(f, child, 0, a, true, NULL), OS_FAULT_RETRY);
	assert_int_equal(swap_count(f->os->rcl->swap, 1), 1);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MUNMAP, a, 0x1000, 0, 0, 0), 0);
	assert_int_equal(swap_used(f->os->rcl->swap), 0);
	assert_int_equal(os_proc(f->os, pid)->swapents, 0);
	/* mprotect leaves an entry alone */
	fx_mmap_at(f, child, a + 0x10000, 0x1000, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	lru_check(f->os);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(entry_format),
		cmocka_unit_test(slot_allocator),
		cmocka_unit_test(device_timing),
		cmocka_unit_test(out_and_in),
		cmocka_unit_test(fork_and_zap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
