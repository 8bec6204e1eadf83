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

/* Isolate pg as reclaim does (a reference of ours) and swap it out; @return swap_out_page's result. */
static int rx_swap_out(struct fx *f, struct page *pg)
{
	sim_time_t c = 0;
	assert_true(lru_isolate(f->os, pg));
	pg->refcount++;
	int rc = swap_out_page(f->os, pg, 0, 0, &c);
	pg->refcount--;
	lru_putback(f->os, pg);
	return rc;
}

/*
 * Swap a mapped page out and fault it back: the page stays allocated in
 * the swap cache while its write is in flight (shrink_folio_list keeps a
 * folio under writeback), a fault then maps it without I/O
 * (swap_cache_get_folio), a clean page is reclaimed without a second write,
 * and only a fault on a slot with no cached page reads the device.
 */
static void out_and_in(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 16);
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000;
	struct swap_info *si;
	(void)state;

	fx_mmap_at(f, pid, a, 0x2000, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	rx_touch(f, pid, 0, a, 2);
	si = f->os->rcl->swap;
	struct process *p = os_proc(f->os, pid);
	struct page *pg = rx_page(f, pid, a);
	uint64_t pfn = pg->pfn, free0 = fx_free_pages(f);
	assert_int_equal(p->rss_anon, 2);
	assert_int_equal(rx_swap_out(f, pg), SWAPOUT_WRITEBACK);
	uint64_t pte = fx_pte(f, pid, a, NULL);
	assert_true(is_swap_pte(pte));
	assert_int_equal(swp_offset(pte), 1);
	assert_int_equal(swap_count(si, 1), 1);
	assert_int_equal(swap_cached(si, 1), pfn);
	assert_int_equal(p->rss_anon, 1);
	assert_int_equal(p->swapents, 1);
	/* under writeback: still allocated, held by the swap cache alone */
	assert_int_equal(pg->mapcount, 0);
	assert_int_equal(pg->refcount, 1);
	assert_true(page_test(pg, PG_writeback) && page_test(pg, PG_swapcache) && page_test(pg, PG_reclaim));
	assert_int_equal(fx_free_pages(f), free0);
	assert_int_equal(rx_node(f, 0, NR_WRITEBACK), 1);
	assert_int_equal(rx_node(f, 0, NR_SWAPCACHE), 1);
	assert_int_equal(rx_ev(f, PSWPOUT), 1);
	assert_int_equal(rx_ev(f, PGPGOUT), 4);
	/* a fault before the write completes finds it in the swap cache: mapped back, no read, minor */
	sim_time_t cost = 0;
	uint64_t maj = rx_ev(f, PGMAJFAULT);
	assert_int_equal(fx_fault(f, pid, 1, a, false, &cost), OS_FAULT_RETRY);
	assert_int_equal(cost, FX_FAULT_PS);
	assert_int_equal(rx_ev(f, PSWPIN), 0);
	assert_int_equal(rx_ev(f, PGMAJFAULT), maj);
	pte = fx_pte(f, pid, a, NULL);
	assert_int_equal(pte_pfn(pte), pfn);
	/* exclusive: writable, but clean (a read fault), so the slot keeps valid contents */
	assert_true((pte & PTE_P) && (pte & PTE_RW) && !(pte & PTE_D));
	assert_int_equal(swap_count(si, 1), 0);
	assert_int_equal(swap_used(si), 1);   /* held by the swap cache (SWAP_HAS_CACHE) */
	assert_int_equal(p->swapents, 0);
	assert_int_equal(p->rss_anon, 2);
	/* the write ends 0.1 us (unmap shootdown) + 1 us transfer + 10 us latency after time 0 */
	swap_writeback_end(f->os, 11100000 - 1);
	assert_true(page_test(pg, PG_writeback));
	swap_writeback_end(f->os, 11100000);
	assert_false(page_test(pg, PG_writeback));
	assert_false(page_test(pg, PG_reclaim));
	assert_int_equal(rx_node(f, 0, NR_WRITEBACK), 0);
	/* reclaimed again while clean: unmapped without a second write, then dropped from the cache */
	assert_true(lru_isolate(f->os, pg));
	pg->refcount++;
	sim_time_t c = 0;
	assert_int_equal(swap_out_page(f->os, pg, 0, 0, &c), SWAPOUT_CLEAN);
	assert_int_equal(rx_ev(f, PSWPOUT), 1);
	swapcache_del(f->os, pg, true);
	assert_true(swap_shadow(si, 1) != 0);
	lru_putback(f->os, pg);
	lru_del(f->os, pg);
	put_page(f->os, pg, 0);
	assert_int_equal(swap_cached(si, 1), SWAP_NO_PFN);
	assert_int_equal(swap_count(si, 1), 1);
	assert_int_equal(rx_node(f, 0, NR_SWAPCACHE), 0);
	/*
	 * Now the slot has no page: a major fault.  The device is busy with the
	 * write until 1.1 us; the read is issued after the 1 us fault entry,
	 * transfers 1.1-2.1 us and completes 10 us later: an 11.1 us stall.
	 */
	cost = 0;
	assert_int_equal(fx_fault(f, pid, 1, a, false, &cost), OS_FAULT_RETRY);
	assert_int_equal(rx_ev(f, PGMAJFAULT), maj + 1);
	assert_int_equal(rx_ev(f, PSWPIN), 1);
	assert_int_equal(p->maj_flt, 1);
	assert_int_equal(cost, FX_FAULT_PS + 11100000);
	assert_int_equal(psi_cpu_stall(f->os->rcl->psi, 1), 11100000);
	pte = fx_pte(f, pid, a, NULL);
	assert_true((pte & PTE_P) && (pte & PTE_RW) && !(pte & PTE_D));
	/* a read fault keeps the page in the swap cache; a write to it later is a plain reuse */
	assert_int_equal(swap_used(si), 1);
	assert_int_equal(rx_node(f, 0, NR_SWAPCACHE), 1);
	lru_check(f->os);
	fx_free(f);
}

/* A write fault on a swap entry frees the slot of a page only we hold (should_try_to_free_swap). */
static void write_fault_frees_slot(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 16);
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000;
	(void)state;

	fx_mmap_at(f, pid, a, 0x1000, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	rx_touch(f, pid, 0, a, 1);
	struct page *pg = rx_page(f, pid, a);
	assert_int_equal(rx_swap_out(f, pg), SWAPOUT_WRITEBACK);
	swap_writeback_end(f->os, 1000000000000ULL);   /* the write completes (by 1 s) */
	assert_int_equal(fx_fault(f, pid, 0, a, true, NULL), OS_FAULT_RETRY);
	uint64_t pte = fx_pte(f, pid, a, NULL);
	assert_true((pte & PTE_RW) && (pte & PTE_D));
	assert_int_equal(pte_pfn(pte), pg->pfn);
	assert_false(page_test(pg, PG_swapcache));
	assert_int_equal(swap_used(f->os->rcl->swap), 0);
	assert_int_equal(pg->refcount, 1);
	lru_check(f->os);
	fx_free(f);
}

/* fork duplicates entries; a shared cached page is mapped read-only; zap and exit drop entries and the cache. */
static void fork_and_zap(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 16);
	int pid = fx_proc(f, false), child;
	uint64_t a = 0x10000000;
	struct swap_info *si;
	(void)state;

	fx_mmap_at(f, pid, a, 0x1000, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	rx_touch(f, pid, 0, a, 1);
	si = f->os->rcl->swap;
	struct page *pg = rx_page(f, pid, a);
	assert_int_equal(rx_swap_out(f, pg), SWAPOUT_WRITEBACK);
	swap_writeback_end(f->os, 1000000000000ULL);   /* every write completes (by 1 s) */
	assert_int_equal(os_process_fork(f->os, pid, 0, &child), 0);
	assert_int_equal(swap_count(si, 1), 2);
	assert_int_equal(os_proc(f->os, child)->swapents, 1);
	assert_true(is_swap_pte(fx_pte(f, child, a, NULL)));
	/* the child's fault finds the cached page; the parent's entry still refers to the slot: read-only */
	assert_int_equal(fx_fault(f, child, 0, a, true, NULL), OS_FAULT_RETRY);
	uint64_t pte = fx_pte(f, child, a, NULL);
	assert_int_equal(pte_pfn(pte), pg->pfn);
	assert_false(pte & PTE_RW);
	/* the retried write copies (do_wp_page): the child gets its own page */
	assert_int_equal(fx_fault(f, child, 0, a, true, NULL), OS_FAULT_RETRY);
	assert_true(pte_pfn(fx_pte(f, child, a, NULL)) != pg->pfn);
	assert_int_equal(swap_count(si, 1), 1);
	/* the parent's munmap drops the last entry: the idle cached page and the slot go (free_swap_and_cache) */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MUNMAP, a, 0x1000, 0, 0, 0), 0);
	assert_int_equal(swap_used(si), 0);
	assert_int_equal(swap_cached(si, 1), SWAP_NO_PFN);
	assert_int_equal(os_proc(f->os, pid)->swapents, 0);
	assert_int_equal(rx_node(f, 0, NR_SWAPCACHE), 0);
	lru_check(f->os);
	fx_free(f);
}

/*
 * Cluster readahead (swap_cluster_readahead, swapin_nr_pages): faults on
 * consecutive slots grow the window (2 pages for an adjacent offset, then
 * hits + 2 rounded up to a power of two, at most 2^page-cluster = 8), pages
 * read ahead are found in the swap cache (swap_ra_hit) without I/O.
 */
static void readahead(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 16);
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000, n = 32;
	(void)state;

	fx_mmap_at(f, pid, a, n << PAGE_SHIFT, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	rx_touch(f, pid, 0, a, n);
	for (uint64_t i = 0; i < n; i++)
		assert_int_equal(rx_swap_out(f, rx_page(f, pid, a + (i << PAGE_SHIFT))), SWAPOUT_WRITEBACK);
	swap_writeback_end(f->os, 1000000000000ULL);   /* every write completes (by 1 s) */
	/* drop the clean cached pages, as the next reclaim pass would */
	for (uint64_t i = 1; i <= n; i++) {
		struct page *pg = pfn_to_page(fx_phys(f), swap_cached(f->os->rcl->swap, i));
		lru_del(f->os, pg);
		pg->refcount++;
		swapcache_del(f->os, pg, true);
		put_page(f->os, pg, 0);
	}
	for (uint64_t i = 0; i < n; i++)
		assert_int_equal(fx_fault(f, pid, 0, a + (i << PAGE_SHIFT), false, NULL), OS_FAULT_RETRY);
	uint64_t maj = rx_ev(f, PGMAJFAULT), ra = rx_ev(f, SWAP_RA), hit = rx_ev(f, SWAP_RA_HIT);
	print_message("# readahead: %llu faults, %llu major, swap_ra %llu, swap_ra_hit %llu, pswpin %llu\n",
		      (unsigned long long)n, (unsigned long long)maj, (unsigned long long)ra, (unsigned long long)hit,
		      (unsigned long long)rx_ev(f, PSWPIN));
	assert_int_equal(rx_ev(f, PSWPIN), n);    /* every slot read exactly once */
	assert_int_equal(maj + hit, n);           /* each fault either read or hit a page read ahead */
	assert_int_equal(ra, hit);                /* every page read ahead was used */
	assert_true(maj <= n / 4);                /* the window reached 8 pages */
	lru_check(f->os);
	fx_free(f);
}

/*
 * A slow swap device makes reclaim slow (issue: a 10 MB/s device left the
 * run time unchanged): direct reclaimers cannot free a page before its
 * write completes, so filling memory costs at least the writes' device time.
 */
static sim_time_t fill_with_swap(uint64_t bandwidth, uint64_t *stolen)
{
	struct os_cfg c = fx_os_cfg();
	c.swap_size = 64ULL << 20;   /* room for every page reclaim writes ahead of the device */
	c.swap_latency = RX_SWAP_LAT;
	c.swap_bandwidth = bandwidth;
	c.reclaim_pass_cost = 1000000;
	struct fx *f = fx_new_cfg(1, 16, 2, &c);
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000, n = 5000;   /* 16 MiB of RAM is 4096 pages */
	sim_time_t t = 0;

	physmem_set_debug_vm(fx_phys(f), false);   /* thousands of reclaim passes: skip the free-list audits */

	fx_mmap_at(f, pid, a, n << PAGE_SHIFT, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	for (uint64_t i = 0; i < n; i++) {
		sim_time_t cost = 0;
		/* kswapd and the write completions run as events up to the thread's clock, as in the driver */
		evq_run_until(&f->q, t);
		t += os_cpu_stolen(f->os, 0);
		assert_int_equal(os_handle_fault(f->os, pid, 0, 0, t, a + (i << PAGE_SHIFT), true, HW_FAULT_NOT_PRESENT, &cost),
				 OS_FAULT_RETRY);
		t += cost;
	}
	*stolen = rx_ev(f, PGSTEAL_DIRECT) + rx_ev(f, PGSTEAL_KSWAPD);
	print_message("# bw %llu: steal direct %llu kswapd %llu pswpout %llu oom %llu throttles wb %llu noprogress %llu (%.1f ms)\n",
		      (unsigned long long)bandwidth, (unsigned long long)rx_ev(f, PGSTEAL_DIRECT),
		      (unsigned long long)rx_ev(f, PGSTEAL_KSWAPD), (unsigned long long)rx_ev(f, PSWPOUT),
		      (unsigned long long)rx_ev(f, OOM_KILL), (unsigned long long)f->os->rcl->stat[RS_THROTTLE_WRITEBACK],
		      (unsigned long long)f->os->rcl->stat[RS_THROTTLE_NOPROGRESS],
		      (double)f->os->rcl->stat[RS_THROTTLE_PS] / 1e9);
	assert_true(*stolen > 0);
	assert_true(rx_ev(f, PSWPOUT) >= *stolen);
	assert_int_equal(rx_ev(f, OOM_KILL), 0);
	if (bandwidth < (100ULL << 20)) {
		/*
		 * kswapd meeting PG_reclaim pages still under writeback on a node
		 * flagged PGDAT_WRITEBACK sleeps (reclaim_throttle WRITEBACK);
		 * direct reclaim without progress at priority 1 sleeps a jiffy
		 * (consider_reclaim_throttle, NOPROGRESS).
		 */
		assert_true(f->os->rcl->stat[RS_THROTTLE_WRITEBACK] > 0);
		assert_true(f->os->rcl->stat[RS_THROTTLE_NOPROGRESS] > 0);
	}
	lru_check(f->os);
	fx_free(f);
	return t;
}

static void slow_device_slows_reclaim(void **state)
{
	(void)state;
	uint64_t fast_n, slow_n;
	sim_time_t fast = fill_with_swap(10ULL << 30, &fast_n);   /* 10 GB/s */
	sim_time_t slow = fill_with_swap(10ULL << 20, &slow_n);   /* 10 MB/s */
	print_message("# 5000 faults: 10 GB/s swap %.1f ms (%llu stolen), 10 MB/s swap %.1f ms (%llu stolen)\n",
		      (double)fast / 1e9, (unsigned long long)fast_n, (double)slow / 1e9, (unsigned long long)slow_n);
	/* every page freed by direct reclaim was written first: 4 KiB at 10 MB/s is 410 us */
	assert_true(slow >= slow_n * (PAGE_SIZE * 1000000000000ULL / (10ULL << 20)));
	assert_true(slow > 10 * fast);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(entry_format),
		cmocka_unit_test(slot_allocator),
		cmocka_unit_test(device_timing),
		cmocka_unit_test(out_and_in),
		cmocka_unit_test(write_fault_frees_slot),
		cmocka_unit_test(fork_and_zap),
		cmocka_unit_test(readahead),
		cmocka_unit_test(slow_device_slows_reclaim),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
