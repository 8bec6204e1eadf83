/*
 * tests/os/test_numa_balancing.c - scan-period adaptation vectors (§10.6),
 * the scanner marking PTEs as NUMA hints, hinting faults (local/remote),
 * the two-stage filter and migration toward the faulting node, and the
 * periodic scanner driven by the event queue until the remote pages of a
 * thread have moved to its node.
 */
#include "tests/os/os_fixture.h"
#include "os/numa_balancing.h"

#define PROT_RW 3
#define MAP_PRIV_ANON 0x22
#define MAP_FIXED_ 0x10
#define MS 1000000000ULL

static struct fx *nb_fx(void)
{
	struct os_cfg c = fx_os_cfg();
	c.numa_balancing = 1;
	c.compaction_proactiveness = 0;
	c.numa_balancing_scan_size_mb = 1;
	c.numa_balancing_scan_delay = 10 * MS;
	c.numa_balancing_scan_period_min = 10 * MS;
	c.numa_balancing_scan_period_max = 100 * MS;
	return fx_new_cfg(2, 64, 2, &c);
}

static void test_scan_period(void **state)
{
	(void)state;
	struct fx *f = nb_fx();
	int pid = fx_proc(f, false);
	struct process *p = os_proc(f->os, pid);
	/* scan_size 1 MB: floor 1000 ms / 2560 = 0; one window (no RSS): min 10 ms, max 100 ms */
	assert_int_equal(task_scan_min(f->os, p), 10 * MS);
	assert_int_equal(task_scan_max(f->os, p), 100 * MS);
	struct numab_task t = { .scan_period = 40 * MS };
	/* no local/shared faults: double */
	update_task_scan_period(f->os, p, &t);
	assert_int_equal(t.scan_period, 80 * MS);
	update_task_scan_period(f->os, p, &t);
	assert_int_equal(t.scan_period, 100 * MS);   /* clamped */
	/* private 10/10 -> ps = 10 >= 7: + (10 - 7) * slot, slot = ceil(40 ms / 10) = 4 ms */
	t.scan_period = 40 * MS;
	t.local = 5, t.remote = 5, t.priv = 10, t.shared = 0;
	update_task_scan_period(f->os, p, &t);
	assert_int_equal(t.scan_period, 52 * MS);
	/* mostly remote and shared: lr = 2, ps = 3 -> - (7 - 3) * 7 ms */
	t.scan_period = 70 * MS;
	t.local = 2, t.remote = 8, t.priv = 3, t.shared = 7;
	update_task_scan_period(f->os, p, &t);
	assert_int_equal(t.scan_period, 42 * MS);
	/* a failed migration slows down */
	t.local = 9, t.remote = 1, t.priv = 1, t.shared = 9, t.failed = 1;
	update_task_scan_period(f->os, p, &t);
	assert_int_equal(t.scan_period, 84 * MS);
	fx_free(f);
}

static void test_hint_fault_migrates(void **state)
{
	(void)state;
	struct fx *f = nb_fx();
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000;
	sim_time_t cost;

	fx_mmap_at(f, pid, a, 8 * PAGE_SIZE, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	for (int i = 0; i < 8; i++)   /* first touch on CPU 2: node 1 */
		fx_fault(f, pid, 2, a + i * PAGE_SIZE, true, NULL);
	struct process *p = os_proc(f->os, pid);
	assert_non_null(p->numab);
	task_numa_work(f->os, p, 0);
	assert_int_equal(vmstat_event(fx_phys(f), NUMA_PTE_UPDATES), 8);
	uint64_t pte = fx_pte(f, pid, a, NULL);
	assert_false(pte & PTE_P);
	assert_true(pte & PTE_NUMA);
	assert_true(pte & PTE_PROTNONE);
	/* a second scan finds nothing new to mark */
	p->numab->scan_offset = 0;
	task_numa_work(f->os, p, 0);
	assert_int_equal(vmstat_event(fx_phys(f), NUMA_PTE_UPDATES), 8);
	/* hinting fault from node 1 (local): restored, not moved */
	assert_int_equal(fx_fault(f, pid, 3, a, false, &cost), OS_FAULT_RETRY);
	assert_int_equal(vmstat_event(fx_phys(f), NUMA_HINT_FAULTS), 1);
	assert_int_equal(vmstat_event(fx_phys(f), NUMA_HINT_FAULTS_LOCAL), 1);
	assert_true(fx_pte(f, pid, a, NULL) & PTE_P);
	assert_int_equal(pfn_to_nid(fx_phys(f), pte_pfn(fx_pte(f, pid, a, NULL))), 1);
	/* from node 0: early phase, no previous accessor -> migrate to node 0 */
	assert_int_equal(fx_fault(f, pid, 0, a + PAGE_SIZE, true, &cost), OS_FAULT_RETRY);
	assert_int_equal(vmstat_event(fx_phys(f), NUMA_PAGE_MIGRATE), 1);
	assert_int_equal(pfn_to_nid(fx_phys(f), pte_pfn(fx_pte(f, pid, a + PAGE_SIZE, NULL))), 0);
	assert_true(fx_pte(f, pid, a + PAGE_SIZE, NULL) & PTE_P);
	assert_true(cost >= FX_FAULT_PS + f->cfg.migrate_page_cost + FX_COPY_PS);
	/* page a was last faulted from node 1 (CPU 3): past the early phase a node-0 fault must not move it */
	numab_thread(p, 0)->preferred_nid = 1;   /* the faulting thread (tid 0) is past its early phase */
	p->numab->scan_seq = 5;
	p->numab->scan_offset = 0;
	task_numa_work(f->os, p, 0);
	assert_int_equal(fx_fault(f, pid, 0, a, false, NULL), OS_FAULT_RETRY);
	assert_int_equal(pfn_to_nid(fx_phys(f), pte_pfn(fx_pte(f, pid, a, NULL))), 1);
	/* ... but the second node-0 fault in a row does (two-stage filter) */
	p->numab->scan_offset = 0;
	task_numa_work(f->os, p, 0);
	assert_int_equal(fx_fault(f, pid, 0, a, false, NULL), OS_FAULT_RETRY);
	assert_int_equal(pfn_to_nid(fx_phys(f), pte_pfn(fx_pte(f, pid, a, NULL))), 0);
	assert_int_equal(vmstat_event(fx_phys(f), NUMA_PAGE_MIGRATE), 2);
	fx_free(f);
}

static void test_periodic_scanner(void **state)
{
	(void)state;
	struct fx *f = nb_fx();
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000, n = 64;

	fx_mmap_at(f, pid, a, n * PAGE_SIZE, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	for (uint64_t i = 0; i < n; i++)
		fx_fault(f, pid, 2, a + i * PAGE_SIZE, true, NULL);   /* data on node 1 */
	/* the thread runs on CPU 0 (node 0) and touches its data every ms for 1 s */
	uint64_t remote_first = 0, remote_last = 0;
	for (sim_time_t t = 0; t < 1000 * MS; t += MS) {
		evq_run_until(&f->q, t);
		uint64_t remote = 0;
		for (uint64_t i = 0; i < n; i++) {
			uint64_t va = a + i * PAGE_SIZE, pte = fx_pte(f, pid, va, NULL);
			if (!(pte & PTE_P)) {
				sim_time_t c = 0;
				assert_int_equal(os_handle_fault(f->os, pid, 0, 0, t, va, false, HW_FAULT_NOT_PRESENT, &c),
						 OS_FAULT_RETRY);
				pte = fx_pte(f, pid, va, NULL);
			}
			remote += pfn_to_nid(fx_phys(f), pte_pfn(pte)) != 0;
		}
		if (t == 0)
			remote_first = remote;
		remote_last = remote;
	}
	assert_int_equal(remote_first, n);
	assert_int_equal(remote_last, 0);
	assert_int_equal(vmstat_event(fx_phys(f), NUMA_PAGE_MIGRATE), n);
	assert_true(vmstat_event(fx_phys(f), NUMA_HINT_FAULTS) >= n);
	assert_true(os_proc(f->os, pid)->numab->scans >= 2);
	fx_free(f);
}

/* A hinting fault of thread tid on cpu at va (the entry must be a NUMA hint or absent). */
static void nb_touch(struct fx *f, int pid, unsigned tid, unsigned cpu, uint64_t va)
{
	if (fx_pte(f, pid, va, NULL) & PTE_P)
		return;
	sim_time_t c = 0;
	assert_int_equal(os_handle_fault(f->os, pid, tid, cpu, 0, va, false, HW_FAULT_NOT_PRESENT, &c), OS_FAULT_RETRY);
}

/*
 * Pages read by two threads on different nodes do not ping-pong: last_cpupid
 * names the thread, so each fault after the first sees the other thread's
 * id (a shared fault) on the other node, and should_numa_migrate_memory's
 * two-stage filter refuses ("cpupid_to_nid(last_cpupid) != dst_nid").  With
 * one id per process every fault looked private and moved the page early
 * in the task's life.
 */
static void test_shared_pages_stay(void **state)
{
	(void)state;
	struct fx *f = nb_fx();
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000, n = 32;

	fx_mmap_at(f, pid, a, n * PAGE_SIZE, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	for (uint64_t i = 0; i < n; i++)
		fx_fault(f, pid, 0, a + i * PAGE_SIZE, true, NULL);   /* thread 0 initialises on node 0 */
	struct process *p = os_proc(f->os, pid);
	for (int round = 0; round < 4; round++) {
		/* thread 1 (CPU 2, node 1) then thread 0 (CPU 0, node 0) read every page after each scan */
		p->numab->scan_offset = 0;
		task_numa_work(f->os, p, 0);
		for (uint64_t i = 0; i < n; i++)
			nb_touch(f, pid, 1, 2, a + i * PAGE_SIZE);
		p->numab->scan_offset = 0;
		task_numa_work(f->os, p, 0);
		for (uint64_t i = 0; i < n; i++)
			nb_touch(f, pid, 0, 0, a + i * PAGE_SIZE);
	}
	uint64_t moved = vmstat_event(fx_phys(f), NUMA_PAGE_MIGRATE);
	print_message("# 8 hinting faults per page by 2 threads on 2 nodes: %llu of %llu pages migrated\n",
		      (unsigned long long)moved, (unsigned long long)n);
	/* the first fault of a page (no previous accessor) may move it; no page moves twice */
	assert_true(moved <= n);
	assert_true(p->numab->grouped);   /* the shared faults formed a NUMA group (task_numa_group) */
	fx_free(f);
}

/* Private pages still follow their thread, whichever thread it is. */
static void test_private_pages_follow_their_thread(void **state)
{
	(void)state;
	struct fx *f = nb_fx();
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000, b = 0x20000000, n = 16;

	fx_mmap_at(f, pid, a, n * PAGE_SIZE, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	fx_mmap_at(f, pid, b, n * PAGE_SIZE, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	for (uint64_t i = 0; i < n; i++) {
		fx_fault(f, pid, 0, a + i * PAGE_SIZE, true, NULL);   /* both on node 0 */
		fx_fault(f, pid, 0, b + i * PAGE_SIZE, true, NULL);
	}
	struct process *p = os_proc(f->os, pid);
	for (int round = 0; round < 3; round++) {
		p->numab->scan_offset = 0;
		task_numa_work(f->os, p, 0);
		for (uint64_t i = 0; i < n; i++) {
			nb_touch(f, pid, 1, 2, a + i * PAGE_SIZE);   /* thread 1 on node 1 uses a */
			nb_touch(f, pid, 0, 0, b + i * PAGE_SIZE);   /* thread 0 on node 0 uses b */
		}
	}
	for (uint64_t i = 0; i < n; i++) {
		assert_int_equal(pfn_to_nid(fx_phys(f), pte_pfn(fx_pte(f, pid, a + i * PAGE_SIZE, NULL))), 1);
		assert_int_equal(pfn_to_nid(fx_phys(f), pte_pfn(fx_pte(f, pid, b + i * PAGE_SIZE, NULL))), 0);
	}
	assert_int_equal(vmstat_event(fx_phys(f), NUMA_PAGE_MIGRATE), n);
	assert_int_equal(numab_thread(p, 1)->migrated, n);
	assert_int_equal(numab_thread(p, 0)->migrated, 0);
	fx_free(f);
}

/*
 * Task placement: a thread whose memory faults are on another node prefers
 * that node (task_numa_placement), and os_task_preferred_cpu offers the
 * driver a CPU there (task_numa_migrate's move, which the driver applies).
 */
static void test_preferred_cpu(void **state)
{
	(void)state;
	struct fx *f = nb_fx();
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000, n = 16;

	fx_mmap_at(f, pid, a, n * PAGE_SIZE, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	for (uint64_t i = 0; i < n; i++)
		fx_fault(f, pid, 0, a + i * PAGE_SIZE, true, NULL);
	struct process *p = os_proc(f->os, pid);
	/* thread 3 on CPU 2 (node 1) shares the pages with thread 0: they stay on node 0 */
	for (int round = 0; round < 2; round++) {
		p->numab->scan_offset = 0;
		task_numa_work(f->os, p, 0);
		for (uint64_t i = 0; i < n; i++)
			nb_touch(f, pid, 0, 0, a + i * PAGE_SIZE);
		p->numab->scan_offset = 0;
		task_numa_work(f->os, p, 0);
		for (uint64_t i = 0; i < n; i++)
			nb_touch(f, pid, 3, 2, a + i * PAGE_SIZE);
	}
	assert_int_equal(vmstat_event(fx_phys(f), NUMA_PAGE_MIGRATE), 0);
	assert_int_equal(os_task_preferred_cpu(f->os, pid, 3, 2), 2);   /* no preference before a scan period ends */
	evq_run_until(&f->q, 100 * MS);                                 /* the scanner runs task_numa_placement */
	assert_int_equal(numab_preferred_nid(p, 3), 0);
	unsigned c = os_task_preferred_cpu(f->os, pid, 3, 2);
	assert_true(c == 0 || c == 1);                                  /* a CPU of node 0 */
	assert_int_equal(os_task_preferred_cpu(f->os, pid, 0, 1), 1);   /* already on its node */
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shared_pages_stay),
		cmocka_unit_test(test_private_pages_follow_their_thread),
		cmocka_unit_test(test_preferred_cpu),
		cmocka_unit_test(test_scan_period),
		cmocka_unit_test(test_hint_fault_migrates),
		cmocka_unit_test(test_periodic_scanner),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
