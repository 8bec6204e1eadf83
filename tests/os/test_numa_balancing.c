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
	p->numab->preferred_nid = 1;
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan_period),
		cmocka_unit_test(test_hint_fault_migrates),
		cmocka_unit_test(test_periodic_scanner),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
