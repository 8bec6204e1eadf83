/*
 * tests/os/test_vmscan.c - get_scan_count (§7.4 vectors worked by hand),
 * kswapd as an event-queue kernel thread (wake, balance, nap, sleep,
 * stolen CPU time), direct reclaim (allocstall, stall in the fault's cost,
 * PSI), reclaimable-page accounting with and without swap.
 */
#include "tests/os/reclaim_fixture.h"
#include "os/mig_state.h"

static struct scan_count_in sc_in(uint64_t ia, uint64_t aa, uint64_t iff, uint64_t af, unsigned swappiness, int prio)
{
	return (struct scan_count_in){ .lru_size = { ia, aa, iff, af }, .swappiness = swappiness, .priority = prio,
				       .can_swap = true };
}

static void scan_count_vectors(void **state)
{
	uint64_t nr[4];
	(void)state;

	/* no cost history, swappiness 60: ap = 60, fp = 140; 4096 >> 0 = 4096 per list */
	struct scan_count_in in = sc_in(4096, 4096, 4096, 4096, 60, 1);
	in.priority = 0;
	/* priority 0 with swappiness > 0 is SCAN_EQUAL */
	assert_int_equal(get_scan_count_calc(&in, nr), SCAN_EQUAL);
	assert_int_equal(nr[0], 4096);
	assert_int_equal(nr[3], 4096);
	in.priority = 1;   /* 2048 each: anon 2048*60/200 = 614, file 2048*140/200 = 1433 */
	assert_int_equal(get_scan_count_calc(&in, nr), SCAN_FRACT);
	assert_int_equal(nr[LRU_INACTIVE_ANON], 614);
	assert_int_equal(nr[LRU_ACTIVE_ANON], 614);
	assert_int_equal(nr[LRU_INACTIVE_FILE], 1433);
	assert_int_equal(nr[LRU_ACTIVE_FILE], 1433);
	/*
	 * anon_cost 100, file_cost 300: total 400, a = 500, f = 700, T = 1200;
	 * ap = 60 * 1201 / 501 = 143, fp = 140 * 1201 / 701 = 239;
	 * 1000 >> 2 = 250: anon 250 * 143 / 382 = 93, file 250 * 239 / 382 = 156.
	 */
	in = sc_in(1000, 1000, 1000, 1000, 60, 2);
	in.anon_cost = 100;
	in.file_cost = 300;
	assert_int_equal(get_scan_count_calc(&in, nr), SCAN_FRACT);
	assert_int_equal(nr[LRU_INACTIVE_ANON], 93);
	assert_int_equal(nr[LRU_INACTIVE_FILE], 156);
	/* swappiness 0: no anon; 200: no file */
	in = sc_in(1000, 1000, 1000, 1000, 0, 2);
	get_scan_count_calc(&in, nr);
	assert_int_equal(nr[LRU_INACTIVE_ANON], 0);
	assert_int_equal(nr[LRU_INACTIVE_FILE], 250);
	in = sc_in(1000, 1000, 1000, 1000, 200, 2);
	get_scan_count_calc(&in, nr);
	assert_int_equal(nr[LRU_INACTIVE_ANON], 250);
	assert_int_equal(nr[LRU_INACTIVE_FILE], 0);
	/* no swap: file only, whatever the priority */
	in = sc_in(1000, 1000, 1000, 1000, 60, 0);
	in.can_swap = false;
	assert_int_equal(get_scan_count_calc(&in, nr), SCAN_FILE);
	assert_int_equal(nr[LRU_INACTIVE_ANON] + nr[LRU_ACTIVE_ANON], 0);
	assert_int_equal(nr[LRU_ACTIVE_FILE], 1000);
	/* file tiny -> anon only; cache trim -> file only */
	in = sc_in(1000, 1000, 1000, 1000, 60, 3);
	in.file_is_tiny = true;
	assert_int_equal(get_scan_count_calc(&in, nr), SCAN_ANON);
	assert_int_equal(nr[LRU_INACTIVE_ANON], 125);
	assert_int_equal(nr[LRU_INACTIVE_FILE], 0);
	in.file_is_tiny = false;
	in.cache_trim_mode = true;
	assert_int_equal(get_scan_count_calc(&in, nr), SCAN_FILE);
	assert_int_equal(nr[LRU_INACTIVE_ANON], 0);
	assert_int_equal(nr[LRU_INACTIVE_FILE], 125);
}

/* lru_note_cost: io counts 32, rotations 1; both halve past a quarter of the lists. */
static void note_cost(void **state)
{
	struct lruvec lv;
	(void)state;
	lruvec_init(&lv);
	lv.nr[LRU_INACTIVE_ANON] = 4000;
	lru_note_cost(&lv, false, 2, 10);
	assert_int_equal(lv.anon_cost, 74);
	lru_note_cost(&lv, true, 30, 100);
	/* file 30 * 32 + 100 = 1060; 74 + 1060 > 4000 / 4: both halve */
	assert_int_equal(lv.file_cost, 530);
	assert_int_equal(lv.anon_cost, 37);
}

/* Write pages on CPU 0 until kswapd is woken; @return pages written. */
static uint64_t touch_until_kswapd(struct fx *f, int pid, uint64_t a, uint64_t max)
{
	struct kswapd *k = &f->os->rcl->kswapd[0];
	uint64_t i;
	for (i = 0; i < max && k->state == KSWAPD_SLEEPING; i++)
		assert_int_equal(fx_fault(f, pid, 0, a + (i << PAGE_SHIFT), true, NULL), OS_FAULT_RETRY);
	return i;
}

static void kswapd_balances_the_node(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 64);
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000;
	(void)state;

	fx_mmap_at(f, pid, a, 64ULL << 20, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	uint64_t n = touch_until_kswapd(f, pid, a, 16384);
	assert_true(n < 16384);
	struct kswapd *k = &f->os->rcl->kswapd[0];
	assert_int_equal(k->state, KSWAPD_RUNNING);
	assert_int_equal(k->cpu, 0);
	assert_false(pgdat_balanced(f->os, 0, 0, ZONE_MOVABLE));
	assert_int_equal(rx_ev(f, PGSCAN_KSWAPD), 0);   /* nothing happens until its event runs */
	rx_run_events(f);
	assert_int_equal(k->state, KSWAPD_SLEEPING);     /* balanced, napped, slept */
	assert_true(pgdat_balanced(f->os, 0, 0, ZONE_MOVABLE));
	assert_true(rx_ev(f, PGSCAN_KSWAPD) > 0);
	assert_true(rx_ev(f, PGSTEAL_KSWAPD) > 0);
	/*
	 * pageout() only queues a swap write; the page is freed by a later scan
	 * once the write completed and folio_rotate_reclaimable moved it to the
	 * inactive tail (pgrotated).  So writes run ahead of steals, every
	 * stolen page was written and rotated first, and none is left in flight.
	 */
	assert_true(rx_ev(f, PSWPOUT) >= rx_ev(f, PGSTEAL_ANON));
	assert_true(rx_ev(f, PGROTATED) >= rx_ev(f, PGSTEAL_ANON));
	assert_int_equal(rx_node(f, 0, NR_WRITEBACK), 0);
	assert_int_equal(rx_ev(f, PGSCAN_DIRECT), 0);
	/* one run per wakeup, plus one per restart because the node was still unbalanced */
	assert_int_equal(rx_ev(f, PAGEOUTRUN), 1 + rx_ev(f, KSWAPD_HIGH_WMARK_HIT_QUICKLY));
	assert_int_equal(f->os->rcl->stat[RS_KSWAPD_WAKEUPS], 1);
	assert_int_equal(os_proc(f->os, pid)->swapents, rx_ev(f, PSWPOUT));
	/*
	 * its CPU time: stolen from CPU 0 once, reported to PSI as kernel-thread
	 * time, with kcompactd's (a run that started boosted wakes it)
	 */
	sim_time_t kcompactd = f->os->mig->stat[MIG_KTHREAD_PS];
	sim_time_t stolen = os_cpu_stolen(f->os, 0) - kcompactd;
	assert_int_equal(stolen, f->os->rcl->stat[RS_KSWAPD_PS]);
	assert_true(stolen >= f->os->rcl->stat[RS_KSWAPD_PASSES] * 1000000);
	assert_int_equal(os_cpu_stolen(f->os, 0), 0);
	assert_int_equal(os_cpu_stolen(f->os, 1), 0);
	struct psi_totals pt;
	psi_get(f->os->rcl->psi, &pt);
	assert_int_equal(pt.kthread, stolen);
	assert_int_equal(pt.full, 0);
	lru_check(f->os);
	fx_free(f);
}

static void direct_reclaim_stalls(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 64);
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000, i;
	sim_time_t cost = 0;
	(void)state;

	fx_mmap_at(f, pid, a, 64ULL << 20, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	/* kswapd is woken but its event never runs: the faults fall to MIN and reclaim directly */
	for (i = 0; i < 16384 && !rx_ev(f, ALLOCSTALL_MOVABLE); i++)
		assert_int_equal(fx_fault(f, pid, 0, a + (i << PAGE_SHIFT), true, &cost), OS_FAULT_RETRY);
	/* the one fault may retry reclaim several times (should_reclaim_retry) until a zone passes MIN */
	assert_true(rx_ev(f, ALLOCSTALL_MOVABLE) >= 1);
	assert_int_equal(rx_ev(f, ALLOCSTALL_MOVABLE), f->os->rcl->stat[RS_DIRECT_STALLS]);
	assert_true(rx_ev(f, PGSCAN_DIRECT) > 0);
	assert_true(rx_ev(f, PGSTEAL_DIRECT) >= SWAP_CLUSTER_MAX);
	/* the stall is in the fault's cost and in PSI (one CPU busy: some == full) */
	sim_time_t stall = f->os->rcl->stat[RS_DIRECT_PS];
	assert_true(stall >= 1000000);
	assert_true(cost >= FX_FAULT_PS + stall);
	struct psi_totals pt;
	psi_get(f->os->rcl->psi, &pt);
	assert_int_equal(pt.task, stall);
	assert_int_equal(pt.full, stall);
	assert_int_equal(pt.some, stall);
	/*
	 * the allocating CPU paid its reclaim directly; only kswapd's passes,
	 * run while a direct reclaimer was throttled (boosted MIN watermarks
	 * here), are stolen from kswapd's CPU
	 */
	assert_int_equal(os_cpu_stolen(f->os, 0), f->os->rcl->stat[RS_KSWAPD_PS]);
	lru_check(f->os);
	fx_free(f);
}

/* allow_direct_reclaim's sums for node 0: free pages and MIN (boost included) of zones <= NORMAL with reclaimable pages. */
static void pfmemalloc_sums(struct fx *f, uint64_t *free, uint64_t *reserve)
{
	*free = *reserve = 0;
	for (unsigned z = 0; z <= ZONE_NORMAL; z++) {
		struct zone_info zi;
		if (physmem_zone_info(fx_phys(f), 0, z, &zi) || !zi.populated || !zone_reclaimable_pages(f->os, 0, z))
			continue;
		*free += zi.nr_free;
		*reserve += zi.watermark[WMARK_MIN] + zi.watermark_boost;
	}
}

/*
 * throttle_direct_reclaim (mm/vmscan.c): a task entering direct reclaim
 * while the free pages of the node's zones <= ZONE_NORMAL are at most half
 * the sum of their MIN watermarks (allow_direct_reclaim: free_pages >
 * pfmemalloc_reserve / 2) counts pgscan_direct_throttle and sleeps on
 * pfmemalloc_wait until kswapd, which it wakes, has restored them; the
 * sleep is part of the faulting task's time.
 */
static void direct_reclaim_throttled(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 64);
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000, i, free, reserve, pfn;
	sim_time_t cost = 0;
	(void)state;

	fx_mmap_at(f, pid, a, 64ULL << 20, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	for (i = 0; i < 16384 && !rx_ev(f, ALLOCSTALL_MOVABLE); i++)
		assert_int_equal(fx_fault(f, pid, 0, a + (i << PAGE_SHIFT), true, &cost), OS_FAULT_RETRY);
	/* a PF_MEMALLOC-like user takes the node below half of MIN */
	pfmemalloc_sums(f, &free, &reserve);
	assert_true(reserve > 0);
	while (free > reserve / 2) {
		struct alloc_ctx ac = { .order = 0, .gfp = GFP_KERNEL | __GFP_MEMALLOC, .preferred_nid = 0, .cpu = 1 };
		assert_int_equal(page_alloc(fx_phys(f), &ac, &pfn, NULL), 0);
		pfmemalloc_sums(f, &free, &reserve);
	}
	uint64_t throttled = rx_ev(f, PGSCAN_DIRECT_THROTTLE), passes = f->os->rcl->stat[RS_KSWAPD_PASSES];
	sim_time_t slept = f->os->rcl->stat[RS_THROTTLE_DIRECT_PS];
	cost = 0;
	assert_int_equal(fx_fault(f, pid, 0, a + (i << PAGE_SHIFT), true, &cost), OS_FAULT_RETRY);
	assert_int_equal(rx_ev(f, PGSCAN_DIRECT_THROTTLE), throttled + 1);
	/* kswapd ran while the task slept, and the sleep is in the fault's time */
	assert_true(f->os->rcl->stat[RS_KSWAPD_PASSES] > passes);
	slept = f->os->rcl->stat[RS_THROTTLE_DIRECT_PS] - slept;
	assert_true(slept > 0);
	assert_true(cost >= FX_FAULT_PS + slept);
	/* the task was woken once kswapd had restored the reserve (it then reclaimed and took one page) */
	pfmemalloc_sums(f, &free, &reserve);
	assert_true(free + 1 > reserve / 2);
	lru_check(f->os);
	fx_free(f);
}

static uint64_t node0_boost(struct fx *f)
{
	uint64_t b = 0;
	for (unsigned z = 0; z < MAX_NR_ZONES; z++) {
		struct zone_info zi;
		if (!physmem_zone_info(fx_phys(f), 0, z, &zi) && zi.populated)
			b += zi.watermark_boost;
	}
	return b;
}

/*
 * Watermark boosting (mm/page_alloc.c boost_watermark, mm/vmscan.c
 * balance_pgdat): a fragmenting fallback boosts the zone's watermarks;
 * wakeup_kswapd wakes kswapd for a balanced node whose watermark is
 * boosted (pgdat_watermark_boosted); kswapd then reclaims the boost with
 * may_swap and may_writepage off ("do not writeback or swap pages for
 * boosted reclaim"), so only clean file pages go; at the end the boost
 * recorded at the start is spent (kcompactd is then woken for pageblock
 * order, if a zone is suitable for compaction: not the case here).
 */
static void boosted_kswapd_reclaims_without_io(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 64);
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000, pfn, i;
	sim_time_t cost = 0;
	(void)state;

	/*
	 * some anonymous memory, then clean page cache until kswapd balances the
	 * node (its free memory is then scattered); lists of thousands of pages,
	 * as priority 12 scans size >> 12 of each
	 */
	i = 1500;
	fx_mmap_at(f, pid, a, 64ULL << 20, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	rx_touch(f, pid, 0, a, i);
	assert_int_equal(fx_sys6(f, pid, 0, OS_SYS_FILE_READ, 5, 0, 14000 * PAGE_SIZE, 0, 0, 0, FX_NONE, &cost), 0);
	rx_run_events(f);
	/* unmovable allocations that do not wake kswapd, until one falls back into a movable pageblock */
	for (unsigned n = 0; n < 4096 && !node0_boost(f); n++) {
		struct alloc_ctx ac = { .order = 0, .gfp = GFP_KERNEL & ~__GFP_KSWAPD_RECLAIM, .preferred_nid = 0, .cpu = 1 };
		assert_int_equal(page_alloc(fx_phys(f), &ac, &pfn, NULL), 0);
	}
	uint64_t boost = node0_boost(f);
	assert_true(boost > 0);
	/* free most of the anonymous memory: the node is balanced even with the boost added to HIGH */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MUNMAP, a, i << PAGE_SHIFT, 0, 0, 0), 0);
	assert_true(pgdat_balanced(f->os, 0, 0, ZONE_MOVABLE));
	struct kswapd *k = &f->os->rcl->kswapd[0];
	assert_int_equal(k->state, KSWAPD_SLEEPING);
	uint64_t swpout = rx_ev(f, PSWPOUT), steal_anon = rx_ev(f, PGSTEAL_ANON), steal_file = rx_ev(f, PGSTEAL_FILE);
	uint64_t runs = rx_ev(f, PAGEOUTRUN);
	wakeup_kswapd(f->os, 0, 0, ZONE_MOVABLE, f->q.now);
	assert_int_equal(k->state, KSWAPD_RUNNING);   /* balanced, but boosted */
	rx_run_events(f);
	assert_int_equal(rx_ev(f, PAGEOUTRUN), runs + 1);
	/* boosted reclaim: clean file pages only, no swap-out, no anon steal */
	assert_int_equal(rx_ev(f, PSWPOUT), swpout);
	assert_int_equal(rx_ev(f, PGSTEAL_ANON), steal_anon);
	assert_true(rx_ev(f, PGSTEAL_FILE) >= steal_file + boost);
	/* the boost is spent */
	assert_int_equal(node0_boost(f), 0);
	lru_check(f->os);
	fx_free(f);
}

/* Without swap, anon memory is not reclaimable: reclaim skips it, the OOM killer ends it. */
static void no_swap(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 0);
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000;
	(void)state;

	fx_mmap_at(f, pid, a, 64ULL << 20, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	rx_touch(f, pid, 0, a, 1000);
	assert_int_equal(zone_reclaimable_pages(f->os, 0, ZONE_NORMAL), 0);
	assert_false(can_reclaim_anon_pages(f->os));
	enum os_fault_result r = OS_FAULT_RETRY;
	for (uint64_t i = 1000; i < 16384 && r == OS_FAULT_RETRY; i++)
		r = fx_fault(f, pid, 0, a + (i << PAGE_SHIFT), true, NULL);
	assert_int_equal(r, OS_FAULT_OOM);
	assert_int_equal(rx_ev(f, PSWPOUT), 0);
	assert_int_equal(rx_ev(f, PGSTEAL_ANON), 0);
	assert_int_equal(rx_ev(f, OOM_KILL), 1);
	assert_false(os_process_alive(f->os, pid));
	assert_int_equal(rx_node(f, 0, NR_INACTIVE_ANON) + rx_node(f, 0, NR_ACTIVE_ANON), 0);
	lru_check(f->os);
	fx_free(f);
}

/*
 * One do_try_to_free_pages serves global and memcg reclaim (Linux
 * mm/vmscan.c).  Its consider_reclaim_throttle runs once per shrink_zones
 * pass, after every node of the zonelist was shrunk: a global direct
 * reclaim that frees nothing at priority 1 sleeps one jiffy
 * (VMSCAN_THROTTLE_NOPROGRESS) however many nodes the zonelist has -- here
 * 2 (before, one jiffy per node).  It counts allocstall once.
 */
static void noprogress_throttle_once_per_pass(void **state)
{
	struct fx *f = rx_new(2, 64, 2, 0);
	int pid = fx_proc(f, false);
	sim_time_t c = 0;
	(void)state;

	fx_mmap_at(f, pid, 0x10000000, 8ULL << 20, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	rx_touch(f, pid, 0, 0x10000000, 1000);   /* anon without swap: nothing to reclaim */
	uint64_t stalls = rx_ev(f, ALLOCSTALL_NORMAL);
	assert_int_equal(try_to_free_pages(f->os, 0, NULL, 0, GFP_KERNEL, 0, 0, &c), 0);
	assert_int_equal(f->os->rcl->stat[RS_THROTTLE_NOPROGRESS], 1);
	assert_int_equal(f->os->rcl->stat[RS_THROTTLE_PS], JIFFY_PS);
	assert_int_equal(rx_ev(f, ALLOCSTALL_NORMAL), stalls + 1);
	fx_free(f);
}

/*
 * node_unreclaimable (zoneinfo) is kswapd_failures >= MAX_RECLAIM_RETRIES:
 * 16 balance_pgdat runs in a row that freed nothing (here: anon memory
 * without swap).  Before, zoneinfo always printed 0.
 */
static void node_unreclaimable_after_16_failures(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 0);
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000;
	(void)state;

	physmem_set_debug_vm(fx_phys(f), false);   /* thousands of faults: skip the free-list audits */
	fx_mmap_at(f, pid, a, 64ULL << 20, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	char *buf = NULL;
	size_t len = 0;
	struct kswapd *k = &f->os->rcl->kswapd[0];
	uint64_t i = 0;
	/* fill until kswapd is woken, then let each of its runs fail */
	for (int ev = 0; ev < 5000 && k->failures < MAX_RECLAIM_RETRIES; ev++) {
		for (; i < 16000 && k->state == KSWAPD_SLEEPING; i++)
			assert_int_equal(fx_fault(f, pid, 0, a + (i << PAGE_SHIFT), true, NULL), OS_FAULT_RETRY);
		if (k->failures == MAX_RECLAIM_RETRIES - 1) {
			/* one failure short of the limit: still reclaimable */
			FILE *fp = open_memstream(&buf, &len);
			assert_int_equal(os_dump(f->os, "zoneinfo", fp), 0);
			fclose(fp);
			assert_non_null(strstr(buf, "node_unreclaimable:  0"));
			free(buf);
			buf = NULL;
		}
		assert_true(evq_run_one(&f->q));
	}
	assert_int_equal(k->failures, MAX_RECLAIM_RETRIES);
	FILE *fp = open_memstream(&buf, &len);
	assert_int_equal(os_dump(f->os, "zoneinfo", fp), 0);
	fclose(fp);
	assert_non_null(strstr(buf, "node_unreclaimable:  1"));
	assert_null(strstr(buf, "node_unreclaimable:  0"));
	free(buf);
	fx_free(f);
}

static void reclaimable_with_swap(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 16);
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000;
	(void)state;

	fx_mmap_at(f, pid, a, 0x100000, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	rx_touch(f, pid, 0, a, 100);
	uint64_t n = 0;
	for (unsigned z = 0; z < MAX_NR_ZONES; z++)
		n += zone_reclaimable_pages(f->os, 0, z);
	assert_int_equal(n, 100);
	/* os_sample: names are stable and the counters match vmstat */
	const char *names[64];
	uint64_t vals[64];
	int cnt = os_sample(f->os, names, vals, 64);
	assert_true(cnt > 17);
	bool seen = false;
	for (int i = 0; i < cnt; i++)
		if (!strcmp(names[i], "pswpout")) {
			seen = true;
			assert_int_equal(vals[i], rx_ev(f, PSWPOUT));
		}
	assert_true(seen);
	assert_string_equal(names[cnt - 1], "psi_full_ps");
	assert_int_equal(os_sample(f->os, names, vals, 3), 3);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(scan_count_vectors),
		cmocka_unit_test(note_cost),
		cmocka_unit_test(kswapd_balances_the_node),
		cmocka_unit_test(direct_reclaim_stalls),
		cmocka_unit_test(direct_reclaim_throttled),
		cmocka_unit_test(boosted_kswapd_reclaims_without_io),
		cmocka_unit_test(no_swap),
		cmocka_unit_test(noprogress_throttle_once_per_pass),
		cmocka_unit_test(node_unreclaimable_after_16_failures),
		cmocka_unit_test(reclaimable_with_swap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
