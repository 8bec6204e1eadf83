/*
 * tests/os/test_memcontrol.c - the cgroup v2 memory controller
 * (os/memcontrol.c): hierarchical charging and uncharging, memory.max
 * reclaim then the memcg OOM killer, the memory.high penalty, memory.low
 * protection under global pressure, memory.numa_stat against
 * memory.current.  Rules from Linux's mm/memcontrol.c, mm/page_counter.c
 * and mm/vmscan.c (functions named at each test).
 */
#include <stdio.h>
#include "tests/os/reclaim_fixture.h"
#include "os/memcontrol.h"

#define A0 0x10000000ULL

static void attach(struct fx *f, int pid, unsigned memcg)
{
	assert_int_equal(fx_sys(f, pid, OS_SYS_CGROUP_ATTACH, memcg, 0, 0, 0, 0), 0);
}

static void knob(struct fx *f, int pid, unsigned memcg, unsigned k, uint64_t bytes)
{
	assert_int_equal(fx_sys(f, pid, OS_SYS_CGROUP_SET, memcg, k, bytes, 0, 0), 0);
}

/*
 * Faults with the clock running (fx_fault runs every fault at time 0, so
 * swap writes started by reclaim would never complete): each fault starts
 * when the previous one ended, plus 1 us of user time.
 */
static void touch_timed(struct fx *f, int pid, unsigned cpu, uint64_t addr, uint64_t pages, sim_time_t *now)
{
	for (uint64_t i = 0; i < pages; i++) {
		sim_time_t c = 0;
		assert_int_equal(os_handle_fault(f->os, pid, 0, cpu, *now, addr + (i << PAGE_SHIFT), true,
						 HW_FAULT_NOT_PRESENT, &c), OS_FAULT_RETRY);
		*now += c + 1000000;
	}
}

/* A memcg's pages on the LRU lists of every node (the local memory.numa_stat sum). */
static uint64_t lru_pages(struct fx *f, unsigned memcg)
{
	uint64_t n = 0;
	for (unsigned nid = 0; mem_cgroup_lruvec(f->os, memcg, nid); nid++)
		for (unsigned l = 0; l < NR_LRU_LISTS; l++)
			n += mem_cgroup_lruvec(f->os, memcg, nid)->nr[l];
	return n;
}

/*
 * page_counter_charge / page_counter_uncharge (mm/page_counter.c): a
 * charge goes to the memcg and every ancestor, the root is not charged
 * (try_charge_memcg returns early for it), freeing uncharges, memory.peak
 * keeps the high-water mark.  Pages sit on the memcg's own lruvec.
 */
static void charge_uncharge(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 0);
	int p1 = fx_proc(f, false), p2 = fx_proc(f, false), p0 = fx_proc(f, false);
	char err[128];
	(void)state;

	attach(f, p1, 1);
	assert_int_equal(mem_cgroup_create(f->os, 2, 1, err, sizeof(err)), 0);
	assert_int_equal(mem_cgroup_create(f->os, 2, 0, err, sizeof(err)), -SIM_ERANGE);   /* other parent */
	attach(f, p2, 2);
	for (int pid = p1; pid <= p0; pid++)
		fx_mmap_at(f, pid, A0, 16ULL << 20, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	rx_touch(f, p1, 0, A0, 100);
	rx_touch(f, p2, 0, A0, 50);
	rx_touch(f, p0, 0, A0, 70);
	assert_int_equal(mem_cgroup_usage(f->os, 2), 50);
	assert_int_equal(mem_cgroup_usage(f->os, 1), 150);
	assert_int_equal(mem_cgroup_usage(f->os, 0), 0);
	assert_int_equal(page_memcg(f->os, rx_page(f, p1, A0)), 1);
	assert_int_equal(page_memcg(f->os, rx_page(f, p2, A0)), 2);
	assert_int_equal(page_memcg(f->os, rx_page(f, p0, A0)), 0);
	assert_int_equal(lru_pages(f, 1), 100);
	assert_int_equal(lru_pages(f, 2), 50);
	assert_int_equal(lru_pages(f, 0), 70);
	lru_check(f->os);
	assert_int_equal(fx_sys(f, p1, OS_SYS_MUNMAP, A0, 16ULL << 20, 0, 0, 0), 0);
	assert_int_equal(mem_cgroup_usage(f->os, 1), 50);
	assert_int_equal(mem_cgroup_from_id(f->os, 1)->memory.watermark, 150);
	os_process_exit(f->os, p2);
	assert_int_equal(mem_cgroup_usage(f->os, 1), 0);
	assert_int_equal(mem_cgroup_usage(f->os, 2), 0);
	/* fork: the child starts in the parent's cgroup (cgroup_fork) */
	int child = 0;
	attach(f, p0, 2);
	assert_int_equal(os_process_fork(f->os, p0, 0, &child), 0);
	assert_int_equal(os_proc(f->os, child)->memcg, 2);
	/* knob and memcg range: EINVAL, not a silent write */
	assert_int_equal(fx_sys(f, p0, OS_SYS_CGROUP_SET, 1, 4, 0, 0, 0), -SIM_ERANGE);
	assert_int_equal(fx_sys(f, p0, OS_SYS_CGROUP_SET, 0, 0, 0, 0, 0), -SIM_ERANGE);
	assert_int_equal(fx_sys(f, p0, OS_SYS_CGROUP_ATTACH, MEMCG_MAX_ID, 0, 0, 0, 0), -SIM_ERANGE);
	lru_check(f->os);
	fx_free(f);
}

/*
 * try_charge_memcg: above memory.max the memcg reclaims from itself
 * (try_to_free_mem_cgroup_pages) and the charge succeeds once there is
 * room: usage never exceeds max, the excess goes to swap, "max" events
 * are counted, and a process outside the memcg keeps all its pages.
 */
static void max_reclaims_from_the_memcg(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 64);
	int in = fx_proc(f, false), out = fx_proc(f, false);
	(void)state;

	knob(f, in, 1, MEMCG_KNOB_MAX, 256 * PAGE_SIZE);
	attach(f, in, 1);
	fx_mmap_at(f, in, A0, 16ULL << 20, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	fx_mmap_at(f, out, A0, 16ULL << 20, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	rx_touch(f, out, 0, A0, 500);
	for (uint64_t i = 0; i < 1000; i++) {
		assert_int_equal(fx_fault(f, in, 0, A0 + (i << PAGE_SHIFT), true, NULL), OS_FAULT_RETRY);
		assert_true(mem_cgroup_usage(f->os, 1) <= 256);
	}
	assert_true(mem_cgroup_from_id(f->os, 1)->events[MEMCG_MAX] > 0);
	assert_true(os_proc(f->os, in)->swapents >= 1000 - 256);
	assert_int_equal(os_proc(f->os, out)->swapents, 0);
	assert_int_equal(os_proc(f->os, out)->rss_anon, 500);
	/* limit reclaim is not global direct reclaim: /proc/vmstat's pgscan_direct stays 0, the memcg counts it */
	assert_int_equal(rx_ev(f, PGSCAN_DIRECT), 0);
	assert_true(rx_ev(f, PGSCAN_ANON) > 0);
	assert_true(mem_cgroup_from_id(f->os, 1)->vm_events[MEMCG_PGSCAN_DIRECT] > 0);
	/* so is pgrefill (shrink_active_list: count_vm_events only without cgroup_reclaim) */
	assert_true(mem_cgroup_from_id(f->os, 1)->vm_events[MEMCG_PGREFILL] > 0);
	assert_int_equal(rx_ev(f, PGREFILL), 0);
	/* lowering max reclaims down to it (memory_max_write) */
	knob(f, in, 1, MEMCG_KNOB_MAX, 100 * PAGE_SIZE);
	assert_true(mem_cgroup_usage(f->os, 1) <= 100);
	lru_check(f->os);
	/* swap-ins are charged again; at exit every page, swap cache included, is uncharged */
	for (uint64_t i = 0; i < 50; i++)
		assert_int_equal(fx_fault(f, in, 0, A0 + (i << PAGE_SHIFT), false, NULL), OS_FAULT_RETRY);
	assert_true(mem_cgroup_usage(f->os, 1) <= 100);
	assert_true(rx_ev(f, PSWPIN) > 0);
	os_process_exit(f->os, in);
	/*
	 * Swap-cache pages whose writes are still in flight outlive the exit,
	 * charged and on the memcg's lists (as in Linux, until reclaimed); a
	 * memcg reclaim once the writes are done frees them.
	 */
	assert_int_equal(lru_pages(f, 1), mem_cgroup_usage(f->os, 1));
	sim_time_t c = 0;
	try_to_free_mem_cgroup_pages(f->os, 1, 1000, GFP_KERNEL, 0, 1000000000000ULL, &c);
	assert_int_equal(mem_cgroup_usage(f->os, 1), 0);
	lru_check(f->os);
	fx_free(f);
}

/*
 * Hierarchy: the parent's memory.max limits its children together
 * (page_counter_try_charge fails at the parent), and the reclaim it
 * triggers walks the parent's whole subtree, so a sibling's pages go
 * too; the "max" event is the parent's.  Page-cache pages read by a
 * process in a memcg are charged like anonymous ones and show as "file".
 */
static void parent_limits_children(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 64);
	int a = fx_proc(f, false), b = fx_proc(f, false);
	char err[128];
	sim_time_t now = 0;
	(void)state;

	knob(f, a, 1, MEMCG_KNOB_MAX, 300 * PAGE_SIZE);
	assert_int_equal(mem_cgroup_create(f->os, 2, 1, err, sizeof(err)), 0);
	assert_int_equal(mem_cgroup_create(f->os, 3, 1, err, sizeof(err)), 0);
	attach(f, a, 2);
	attach(f, b, 3);
	fx_mmap_at(f, a, A0, 16ULL << 20, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	fx_mmap_at(f, b, A0, 16ULL << 20, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	touch_timed(f, b, 0, A0, 200, &now);
	touch_timed(f, a, 0, A0, 200, &now);
	assert_true(mem_cgroup_usage(f->os, 1) <= 300);
	assert_int_equal(mem_cgroup_usage(f->os, 1), mem_cgroup_usage(f->os, 2) + mem_cgroup_usage(f->os, 3));
	assert_true(os_proc(f->os, b)->swapents > 0);   /* the sibling's pages were reclaimed */
	assert_true(mem_cgroup_from_id(f->os, 1)->events[MEMCG_MAX] > 0);
	assert_int_equal(mem_cgroup_from_id(f->os, 2)->events[MEMCG_MAX], 0);
	/* file_read(fd 5, 64 KiB) by b: 16 page-cache pages charged to memcg 3 */
	assert_int_equal(fx_sys(f, b, OS_SYS_FILE_READ, 5, 0, 16 * PAGE_SIZE, 0, 0), 0);
	uint64_t file = 0;
	for (unsigned l = LRU_INACTIVE_FILE; l <= LRU_ACTIVE_FILE; l++)
		file += mem_cgroup_lruvec(f->os, 3, 0)->nr[l];
	assert_int_equal(file, 16);
	assert_int_equal(mem_cgroup_lruvec(f->os, 3, 0)->nr_stat[LRUVEC_FILE], 16);
	assert_true(mem_cgroup_usage(f->os, 1) <= 300);
	lru_check(f->os);
	fx_free(f);
}

/*
 * Without swap nothing is reclaimable: after MAX_RECLAIM_RETRIES the
 * memcg OOM killer (mem_cgroup_out_of_memory) picks the biggest process
 * of the memcg, never the bigger one outside it; memory.events oom and
 * oom_kill and /proc/vmstat oom_kill count it.
 */
static void memcg_oom_kills_inside(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 0);
	int big = fx_proc(f, false), small = fx_proc(f, false), outside = fx_proc(f, false);
	(void)state;

	for (int pid = big; pid <= outside; pid++)
		fx_mmap_at(f, pid, A0, 16ULL << 20, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	rx_touch(f, outside, 0, A0, 2000);
	knob(f, big, 1, MEMCG_KNOB_MAX, 300 * PAGE_SIZE);
	attach(f, big, 1);
	attach(f, small, 1);
	rx_touch(f, big, 0, A0, 200);
	rx_touch(f, small, 0, A0, 99);
	/* small's 101st page and on: the memcg is full, big (200 pages) dies */
	enum os_fault_result r = OS_FAULT_RETRY;
	for (uint64_t i = 99; i < 150 && r == OS_FAULT_RETRY; i++)
		r = fx_fault(f, small, 0, A0 + (i << PAGE_SHIFT), true, NULL);
	assert_int_equal(r, OS_FAULT_RETRY);
	assert_false(os_process_alive(f->os, big));
	assert_true(os_process_alive(f->os, small));
	assert_true(os_process_alive(f->os, outside));
	assert_int_equal(os_proc(f->os, outside)->rss_anon, 2000);
	const struct mem_cgroup *m = mem_cgroup_from_id(f->os, 1);
	assert_int_equal(m->events[MEMCG_OOM], 1);
	assert_int_equal(m->events[MEMCG_OOM_KILL], 1);
	assert_int_equal(rx_ev(f, OOM_KILL), 1);
	assert_int_equal(mem_cgroup_usage(f->os, 1), 150);
	/* alone in the memcg, small is the victim of its own fault */
	for (uint64_t i = 150; i < 400 && r == OS_FAULT_RETRY; i++)
		r = fx_fault(f, small, 0, A0 + (i << PAGE_SHIFT), true, NULL);
	assert_int_equal(r, OS_FAULT_OOM);
	assert_false(os_process_alive(f->os, small));
	assert_int_equal(m->events[MEMCG_OOM_KILL], 2);
	assert_int_equal(mem_cgroup_usage(f->os, 1), 0);
	assert_true(os_process_alive(f->os, outside));
	lru_check(f->os);
	fx_free(f);
}

/*
 * calculate_overage / calculate_high_delay (mm/memcontrol.c):
 * overage = (usage - high) << 20 / high; penalty jiffies =
 * overage^2 * HZ >> 20 >> 14, times nr_pages / MEMCG_CHARGE_BATCH (64).
 * Values worked by hand for HZ = 250.
 */
static void high_delay_formula(void **state)
{
	(void)state;
	assert_int_equal(memcg_calculate_overage(256, 256), 0);
	assert_int_equal(memcg_calculate_overage(300, 256), 180224);     /* 44 << 20 / 256 */
	assert_int_equal(memcg_calculate_overage(1100, 1000), 104857);   /* 10 % over */
	assert_int_equal(memcg_calculate_high_delay(180224, 1), 7);      /* 472 jiffies per batch / 64 */
	assert_int_equal(memcg_calculate_high_delay(104857, 64), 159);
	assert_int_equal(memcg_calculate_high_delay(1u << 20, 64), 16000);   /* 100 % over: capped by the caller */
	assert_int_equal(memcg_calculate_high_delay(0, 64), 0);
}

/*
 * mem_cgroup_handle_over_high: without swap the excess above memory.high
 * cannot be reclaimed, so after MAX_RECLAIM_RETRIES reclaim attempts the
 * faulting task sleeps the penalty: at 300 pages over a high of 256 that
 * is 7 jiffies = 28 ms on the fault that charged the 300th page; a small
 * overage (257 pages: 0 jiffies) is not slowed at all.
 */
static void high_throttles(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 0);
	int pid = fx_proc(f, false);
	sim_time_t c = 0;
	(void)state;

	knob(f, pid, 1, MEMCG_KNOB_HIGH, 256 * PAGE_SIZE);
	attach(f, pid, 1);
	fx_mmap_at(f, pid, A0, 16ULL << 20, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	rx_touch(f, pid, 0, A0, 256);
	assert_int_equal(fx_fault(f, pid, 0, A0 + (256 << PAGE_SHIFT), true, &c), OS_FAULT_RETRY);
	assert_true(c < 2 * JIFFY_PS);
	rx_touch(f, pid, 0, A0 + (257 << PAGE_SHIFT), 42);   /* pages 258..299 */
	assert_int_equal(mem_cgroup_usage(f->os, 1), 299);
	assert_int_equal(fx_fault(f, pid, 0, A0 + (299 << PAGE_SHIFT), true, &c), OS_FAULT_RETRY);
	assert_int_equal(mem_cgroup_usage(f->os, 1), 300);
	assert_true(c >= 7 * JIFFY_PS);
	assert_true(c < 8 * JIFFY_PS);
	assert_true(mem_cgroup_from_id(f->os, 1)->events[MEMCG_HIGH] > 0);
	assert_int_equal(mem_cgroup_from_id(f->os, 1)->events[MEMCG_MAX], 0);
	/* the cap: MEMCG_MAX_HIGH_DELAY_JIFFIES = 2 s; high 1 page, 300 charged -> capped */
	knob(f, pid, 1, MEMCG_KNOB_HIGH, 1 * PAGE_SIZE);
	assert_int_equal(fx_fault(f, pid, 0, A0 + (300 << PAGE_SHIFT), true, &c), OS_FAULT_RETRY);
	assert_true(c >= MEMCG_MAX_HIGH_DELAY_JIFFIES * JIFFY_PS);
	assert_true(c < (MEMCG_MAX_HIGH_DELAY_JIFFIES + 1) * JIFFY_PS);
	fx_free(f);
}

/*
 * memory.low under global pressure (shrink_node_memcgs,
 * mem_cgroup_below_low): a memcg within its low is skipped while others
 * have reclaimable pages, so the unprotected memcg and the root give up
 * their pages to swap and the protected one keeps all of its own; no low
 * event is counted since the second pass was never needed.
 */
static void low_protects(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 128);
	int prot = fx_proc(f, false), unprot = fx_proc(f, false), hog = fx_proc(f, false);
	(void)state;

	knob(f, prot, 1, MEMCG_KNOB_LOW, 32ULL << 20);
	attach(f, prot, 1);
	attach(f, unprot, 2);
	for (int pid = prot; pid <= hog; pid++)
		fx_mmap_at(f, pid, A0, 64ULL << 20, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	sim_time_t now = 0;
	touch_timed(f, prot, 0, A0, 4000, &now);
	touch_timed(f, unprot, 0, A0, 4000, &now);
	touch_timed(f, hog, 0, A0, 12000, &now);   /* more than the 16384 pages of the node can hold */
	rx_run_events(f);
	assert_int_equal(os_proc(f->os, prot)->swapents, 0);
	assert_int_equal(mem_cgroup_usage(f->os, 1), 4000);
	assert_true(os_proc(f->os, unprot)->swapents > 0);
	assert_true(mem_cgroup_usage(f->os, 2) < 4000);
	assert_int_equal(mem_cgroup_from_id(f->os, 1)->events[MEMCG_LOW], 0);
	lru_check(f->os);
	fx_free(f);
}

/*
 * memory.low is best effort (memcg_low_reclaim): when the protected memcg
 * is the only one with reclaimable pages, the second pass reclaims it and
 * counts memory.events low.  memory.min is never broken.
 */
static void low_second_pass_and_min(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 128);
	int prot = fx_proc(f, false);
	sim_time_t c = 0;
	(void)state;

	knob(f, prot, 1, MEMCG_KNOB_LOW, 64ULL << 20);
	attach(f, prot, 1);
	fx_mmap_at(f, prot, A0, 128ULL << 20, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	sim_time_t now = 0;
	touch_timed(f, prot, 0, A0, 17000, &now);   /* the node cannot hold it: reclaim must break low */
	rx_run_events(f);
	assert_true(os_proc(f->os, prot)->swapents > 0);
	assert_true(mem_cgroup_from_id(f->os, 1)->events[MEMCG_LOW] > 0);
	/* memory.min: global reclaim takes nothing from it, even with nothing else to take */
	knob(f, prot, 1, MEMCG_KNOB_MIN, 64ULL << 20);
	uint64_t usage = mem_cgroup_usage(f->os, 1);
	assert_int_equal(try_to_free_pages(f->os, 0, NULL, 0, GFP_KERNEL, 0, 0, &c), 0);
	assert_int_equal(mem_cgroup_usage(f->os, 1), usage);
	/* a reclaim aimed at the memcg itself ignores its own protection (mem_cgroup_unprotected) */
	assert_true(try_to_free_mem_cgroup_pages(f->os, 1, 100, GFP_KERNEL, 0, 0, &c) >= 100);
	assert_true(mem_cgroup_usage(f->os, 1) <= usage - 100);
	lru_check(f->os);
	fx_free(f);
}

/* memory.numa_stat: per node, and its anon + file sums to memory.current (all charged pages are on LRUs). */
static void numa_stat_sums_to_current(void **state)
{
	struct fx *f = rx_new(2, 64, 2, 0);
	int pid = fx_proc(f, false);
	(void)state;

	attach(f, pid, 5);
	fx_mmap_at(f, pid, A0, 64ULL << 20, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	rx_touch(f, pid, 0, A0, 300);                         /* CPU 0: node 0 */
	rx_touch(f, pid, 2, A0 + (300 << PAGE_SHIFT), 200);  /* CPU 2: node 1 */
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	assert_int_equal(os_dump(f->os, "memory.numa_stat", fp), 0);
	assert_int_equal(os_dump(f->os, "memory.current", fp), 0);
	fclose(fp);
	assert_non_null(strstr(buf, "==> /sys/fs/cgroup/memcg5/memory.numa_stat <==\nanon N0=1228800 N1=819200\n"
				    "file N0=0 N1=0\n"));
	assert_non_null(strstr(buf, "==> /sys/fs/cgroup/memcg5/memory.current <==\n2048000\n"));
	free(buf);
	assert_int_equal(os_dump(f->os, "memory.bogus", stdout), -SIM_EUSAGE);
	fx_free(f);
}

/*
 * reclaim_throttle(VMSCAN_THROTTLE_CONGESTED) (Linux mm/vmscan.c): memcg
 * reclaim that falls short of its target while its swap-outs are still
 * being written sleeps until a batch of writes completes, at most the
 * reason's timeout, through the same reclaim_throttle as kswapd's
 * writeback wait, so the sleep counts in throttle_ps ("time reclaimers
 * slept in reclaim_throttle") and in the caller's cost.  The timeout is
 * Linux 6.x's: CONGESTED falls through to NOPROGRESS, timeout = 1 jiffy.
 * Returns the sleep of one short memcg reclaim on a swap device of the
 * given per-write latency.
 */
static uint64_t memcg_throttle_sleep(sim_time_t swap_latency)
{
	struct os_cfg cfg = rx_cfg(64);
	cfg.swap_latency = swap_latency;
	struct fx *f = fx_new_cfg(1, 64, 2, &cfg);
	int in = fx_proc(f, false);

	knob(f, in, 1, MEMCG_KNOB_MAX, 256 * PAGE_SIZE);
	attach(f, in, 1);
	fx_mmap_at(f, in, A0, 16ULL << 20, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	rx_touch(f, in, 0, A0, 1000);   /* all at time 0: the swap writes are still in flight */
	assert_true(swap_writeback_pending(f->os));
	uint64_t slept0 = f->os->rcl->stat[RS_THROTTLE_PS];
	sim_time_t c = 0;
	/* far more than the memcg holds: short of the target whatever is clean */
	try_to_free_mem_cgroup_pages(f->os, 1, 100000, GFP_KERNEL, 0, 0, &c);
	uint64_t slept = f->os->rcl->stat[RS_THROTTLE_PS] - slept0;
	assert_true(c >= slept);
	fx_free(f);
	return slept;
}

static void memcg_throttle_counts(void **state)
{
	(void)state;
	/* 10 us writes: the sleep ends when a batch completes, well within the jiffy */
	uint64_t fast = memcg_throttle_sleep(RX_SWAP_LAT);
	assert_true(fast > 0 && fast < JIFFY_PS);
	/* 50 ms writes: no batch completes in time, the sleep is the timeout itself (HZ/50 = 20 ms before) */
	assert_int_equal(memcg_throttle_sleep(50ULL * PS_PER_S / 1000), JIFFY_PS);
}

/*
 * mem_cgroup_iter (Linux mm/memcontrol.c): the root of the walk first,
 * then every live memcg of its subtree, in id order here whatever order
 * they were created in (the walk follows the list of live ids, not all
 * MEMCG_MAX_ID slots).
 */
static void iter_visits_live_subtree(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 0);
	char err[128];
	int got[8], n = 0;
	(void)state;

	assert_int_equal(mem_cgroup_create(f->os, 700, 0, err, sizeof(err)), 0);
	assert_int_equal(mem_cgroup_create(f->os, 3, 700, err, sizeof(err)), 0);
	assert_int_equal(mem_cgroup_create(f->os, 500, 0, err, sizeof(err)), 0);
	assert_int_equal(mem_cgroup_create(f->os, 2, 3, err, sizeof(err)), 0);
	assert_int_equal(mem_cgroup_create(f->os, MEMCG_MAX_ID - 1, 500, err, sizeof(err)), 0);
	for (int id = mem_cgroup_iter(f->os, 0, -1); id >= 0 && n < 8; id = mem_cgroup_iter(f->os, 0, id))
		got[n++] = id;
	assert_int_equal(n, 6);
	const int all[] = { 0, 2, 3, 500, 700, MEMCG_MAX_ID - 1 };
	for (int i = 0; i < 6; i++)
		assert_int_equal(got[i], all[i]);
	n = 0;
	for (int id = mem_cgroup_iter(f->os, 700, -1); id >= 0 && n < 8; id = mem_cgroup_iter(f->os, 700, id))
		got[n++] = id;
	assert_int_equal(n, 3);
	assert_int_equal(got[0], 700);
	assert_int_equal(got[1], 2);
	assert_int_equal(got[2], 3);
	n = 0;
	for (int id = mem_cgroup_iter(f->os, 2, -1); id >= 0 && n < 8; id = mem_cgroup_iter(f->os, 2, id))
		got[n++] = id;
	assert_int_equal(n, 1);
	assert_int_equal(got[0], 2);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(charge_uncharge),
		cmocka_unit_test(max_reclaims_from_the_memcg),
		cmocka_unit_test(memcg_throttle_counts),
		cmocka_unit_test(iter_visits_live_subtree),
		cmocka_unit_test(parent_limits_children),
		cmocka_unit_test(memcg_oom_kills_inside),
		cmocka_unit_test(high_delay_formula),
		cmocka_unit_test(high_throttles),
		cmocka_unit_test(low_protects),
		cmocka_unit_test(low_second_pass_and_min),
		cmocka_unit_test(numa_stat_sums_to_current),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
