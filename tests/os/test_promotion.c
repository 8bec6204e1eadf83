/*
 * tests/os/test_promotion.c - promotion by NUMA balancing in its memory
 * tiering mode (kernel.numa_balancing = 2; Linux kernel/sched/fair.c
 * should_numa_migrate_memory, numa_hint_fault_latency,
 * numa_promotion_rate_limit, numa_promotion_adjust_threshold;
 * mm/mprotect.c change_pte_range; mm/migrate.c migrate_misplaced_folio;
 * mm/vmscan.c pgdat_balanced; docs/tiering.md).
 */
#include "tests/os/tier_fixture.h"
#include "os/numa_balancing.h"

#define MS 1000000000ULL
#define A0 0x10000000ULL

static struct os_cfg promo_cfg(unsigned mode, unsigned rate_mbps)
{
	struct os_cfg c = tier_rx_cfg(0);
	c.numa_balancing = mode;
	c.numa_balancing_scan_size_mb = 256;
	c.numa_balancing_promote_rate_limit_mbps = rate_mbps;
	return c;
}

/* n pages of a default-policy mapping placed on node `nid` (bound while faulting, then default again). */
static int place_on(struct fx *f, unsigned nid, uint64_t n)
{
	int pid = fx_proc(f, false);
	assert_int_equal(fx_sys(f, pid, OS_SYS_SET_MEMPOLICY, MPOL_BIND, 1ULL << nid, 0, 0, 0), 0);
	fx_mmap_at(f, pid, A0, n << PAGE_SHIFT, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	rx_touch(f, pid, 0, A0, n);
	assert_int_equal(fx_sys(f, pid, OS_SYS_SET_MEMPOLICY, MPOL_DEFAULT, 0, 0, 0, 0), 0);
	return pid;
}

/* Scan the whole address space at `at`, then fault every hinting entry from CPU 0 at at + lat. */
static void scan_and_touch(struct fx *f, int pid, uint64_t n, sim_time_t at, sim_time_t lat)
{
	struct process *p = os_proc(f->os, pid);
	assert_non_null(p->numab);
	p->numab->scan_offset = 0;
	task_numa_work(f->os, p, at);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t va = A0 + (i << PAGE_SHIFT);
		if (fx_pte(f, pid, va, NULL) & PTE_P)
			continue;
		sim_time_t c = 0;
		assert_int_equal(os_handle_fault(f->os, pid, 0, 0, at + lat, va, false, HW_FAULT_NOT_PRESENT, &c),
				 OS_FAULT_RETRY);
	}
}

static uint64_t on_node(struct fx *f, int pid, uint64_t n, unsigned nid)
{
	uint64_t k = 0;
	for (uint64_t i = 0; i < n; i++)
		k += pfn_to_nid(fx_phys(f), pte_pfn(fx_pte(f, pid, A0 + (i << PAGE_SHIFT), NULL))) == nid;
	return k;
}

/*
 * Hot pages on slow node 2 move to the faulting CPU's node 0 within the
 * rate limit: 1 MB/s = 256 pages per one-second window of candidates.
 * numa_promotion_rate_limit counts every candidate in pgpromote_candidate
 * and refuses once this window's candidates reach the limit: the first
 * window (starting at time 0) promotes 255, a later one 256.  The
 * promotions are pgpromote_success on the target node and numa_pages_migrated.
 */
static void test_promotion_rate_limit(void **state)
{
	(void)state;
	uint64_t n = 2048;
	struct fx *f = tier_example1(32, 32, promo_cfg(2, 1));
	int pid = place_on(f, 2, n);
	assert_int_equal(on_node(f, pid, n, 2), n);

	scan_and_touch(f, pid, n, 100 * MS, 10 * MS);
	assert_int_equal(rx_node(f, 0, PGPROMOTE_CANDIDATE), n);
	assert_int_equal(rx_node(f, 0, PGPROMOTE_SUCCESS), 255);
	assert_int_equal(rx_ev(f, NUMA_PAGE_MIGRATE), 255);
	assert_int_equal(on_node(f, pid, n, 0), 255);
	assert_int_equal(rx_node(f, 2, PGPROMOTE_SUCCESS) + rx_node(f, 2, PGPROMOTE_CANDIDATE), 0);

	/* the next second: another 256 */
	scan_and_touch(f, pid, n, 1500 * MS, 10 * MS);
	assert_int_equal(rx_node(f, 0, PGPROMOTE_SUCCESS), 255 + 256);
	assert_int_equal(on_node(f, pid, n, 0), 511);
	assert_int_equal(rx_node(f, 0, PGPROMOTE_CANDIDATE), n + (n - 255));
	fx_free(f);
}

/*
 * The hot threshold: a hinting fault later than hot_threshold_ms after the
 * scan is not a candidate (numa_hint_fault_latency >= th); in tiering-only
 * mode top-tier pages are not scanned at all (change_pte_range skips
 * node_is_toptier pages without NUMA_BALANCING_NORMAL).
 */
static void test_hot_threshold_and_toptier_skip(void **state)
{
	(void)state;
	uint64_t n = 64;
	struct fx *f = tier_example1(32, 32, promo_cfg(2, 65536));
	int pid = place_on(f, 2, n);
	scan_and_touch(f, pid, n, 100 * MS, 1200 * MS);
	assert_int_equal(rx_ev(f, NUMA_HINT_FAULTS), n);
	assert_int_equal(rx_node(f, 0, PGPROMOTE_CANDIDATE), 0);
	assert_int_equal(rx_node(f, 0, PGPROMOTE_SUCCESS), 0);
	/* 996 ms (the 4 ms jiffy below 1000 ms): hot */
	scan_and_touch(f, pid, n, 3000 * MS, 996 * MS);
	assert_int_equal(rx_node(f, 0, PGPROMOTE_SUCCESS), n);
	/* now on node 0 (top tier): a tiering-only scan marks nothing */
	uint64_t before = rx_ev(f, NUMA_PTE_UPDATES);
	os_proc(f->os, pid)->numab->scan_offset = 0;
	task_numa_work(f->os, os_proc(f->os, pid), 5000 * MS);
	assert_int_equal(rx_ev(f, NUMA_PTE_UPDATES), before);
	fx_free(f);
}

/*
 * numa_promotion_adjust_threshold: every scan_period_max, if the period's
 * candidates exceed the rate limit's worth by 10% the threshold drops by
 * 2 * hot_threshold / 16, if below 90% it rises (up to 2 * hot_threshold).
 */
static void touch_page(struct fx *f, int pid, uint64_t i, sim_time_t at)
{
	sim_time_t c = 0;
	uint64_t va = A0 + (i << PAGE_SHIFT);
	assert_false(fx_pte(f, pid, va, NULL) & PTE_P);
	assert_int_equal(os_handle_fault(f->os, pid, 0, 0, at, va, false, HW_FAULT_NOT_PRESENT, &c), OS_FAULT_RETRY);
}

static void test_threshold_adjust(void **state)
{
	(void)state;
	uint64_t n = 1024;
	struct os_cfg c = promo_cfg(2, 1);   /* 256 pages/s; ref_cand over 1 s = 256 */
	c.numa_balancing_scan_period_max = 1000 * MS;
	struct fx *f = tier_example1(32, 32, c);
	int pid = place_on(f, 2, n);
	struct process *p = os_proc(f->os, pid);
	assert_int_equal(promo_threshold_ms(f->os, 0), 1000);
	/* period 1: 1024 candidates (> 256 * 1.1); pages 0-254 promoted */
	scan_and_touch(f, pid, n, 100 * MS, 10 * MS);
	/* the first fault more than 1 s later adjusts: down by 2 * 1000 / 16 = 125 ms */
	p->numab->scan_offset = 0;
	task_numa_work(f->os, p, 1200 * MS);
	touch_page(f, pid, 1000, 1210 * MS);
	assert_int_equal(promo_threshold_ms(f->os, 0), 875);
	/* a quiet period (1 candidate: < 90% of 256) raises it back */
	touch_page(f, pid, 1001, 2300 * MS);
	assert_int_equal(promo_threshold_ms(f->os, 0), 1000);
	/* and quiet periods never take it above 2 * hot_threshold_ms */
	for (uint64_t k = 0; k < 12; k++)
		touch_page(f, pid, 1002 + k, (3400 + 1100 * k) * MS);
	assert_int_equal(promo_threshold_ms(f->os, 0), 2000);
	fx_free(f);
}

/*
 * pgdat_free_space_enough: with more than PROMO + max(1 GiB, present/16)
 * free on the target, a recently scanned page moves whatever its hint-fault
 * latency, counted in pgpromote_candidate_nrl, not pgpromote_candidate.
 */
static void test_free_space_enough(void **state)
{
	(void)state;
	uint64_t n = 64;
	struct fx *f = tier_example1(1200, 32, promo_cfg(2, 1));
	int pid = place_on(f, 2, n);
	scan_and_touch(f, pid, n, 100 * MS, 1500 * MS);   /* latency above the 1 s threshold */
	assert_int_equal(rx_node(f, 0, PGPROMOTE_SUCCESS), n);
	assert_int_equal(rx_node(f, 0, PGPROMOTE_CANDIDATE_NRL), n);
	assert_int_equal(rx_node(f, 0, PGPROMOTE_CANDIDATE), 0);
	fx_free(f);
}

/*
 * In tiering mode kswapd balances to the PROMO watermark (pgdat_balanced),
 * one gap above HIGH, so top-tier nodes keep room for promotions.
 */
static void test_kswapd_promo_watermark(void **state)
{
	(void)state;
	for (unsigned mode = 0; mode <= 2; mode += 2) {
		struct os_cfg c = promo_cfg(mode, 65536);
		c.watermark_scale_factor = 1000;   /* gaps of 10% of the zone: wider than a pcp batch */
		struct fx *f = tier_example1(32, 32, c);
		struct zone_info zi;
		enum zone_type z = ZONE_NORMAL;
		if (physmem_zone_info(fx_phys(f), 0, z, &zi) || !zi.populated)
			z = ZONE_DMA32;
		assert_int_equal(physmem_zone_info(fx_phys(f), 0, z, &zi), 0);
		assert_true(zi.watermark[WMARK_PROMO] > zi.watermark[WMARK_HIGH]);
		/* fill node 0 until its free pages sit between HIGH and PROMO */
		int pid = fx_proc(f, false);
		assert_int_equal(fx_sys(f, pid, OS_SYS_SET_MEMPOLICY, MPOL_BIND, 1, 0, 0, 0), 0);
		uint64_t target = (zi.watermark[WMARK_HIGH] + zi.watermark[WMARK_PROMO]) / 2;
		fx_mmap_at(f, pid, A0, 32ULL << 20, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
		for (uint64_t i = 0;; i++) {
			assert_int_equal(physmem_zone_info(fx_phys(f), 0, z, &zi), 0);
			if (zi.nr_free <= target)
				break;
			assert_int_equal(fx_fault(f, pid, 0, A0 + (i << PAGE_SHIFT), true, NULL), OS_FAULT_RETRY);
		}
		assert_true(zi.nr_free > zi.watermark[WMARK_HIGH]);
		assert_int_equal(pgdat_balanced(f->os, 0, 0, z), mode == 0);
		fx_free(f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_promotion_rate_limit),
		cmocka_unit_test(test_hot_threshold_and_toptier_skip),
		cmocka_unit_test(test_threshold_adjust),
		cmocka_unit_test(test_free_space_enough),
		cmocka_unit_test(test_kswapd_promo_watermark),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
