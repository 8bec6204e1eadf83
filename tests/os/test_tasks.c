/*
 * tests/os/test_tasks.c - memory policies per thread.
 *
 * Linux keeps the task policy (set_mempolicy) and the interleave cursor
 * (il_prev, il_weight) in each task_struct: do_set_mempolicy changes
 * current->mempolicy only, and copy_process gives a new thread or child
 * process a copy of its creator's.  VMA policies (mbind) live in the
 * mm and so are shared by every thread of the process.  Before, numasim
 * kept one policy per process, so the last caller won for every thread.
 */
#include "tests/os/os_fixture.h"
#include "os/mempolicy.h"

#define PROT_RW 3
#define MAP_PA 0x22
#define MAP_FIXED_ 0x10

static enum os_fault_result tfault(struct fx *f, int pid, unsigned tid, unsigned cpu, uint64_t va)
{
	sim_time_t c = 0;
	return os_handle_fault(f->os, pid, tid, cpu, 0, va, true, HW_FAULT_NOT_PRESENT, &c);
}

static int tsys(struct fx *f, int pid, unsigned tid, enum os_sysno nr, uint64_t a0, uint64_t a1, uint64_t a2,
		uint64_t a3, uint64_t a4)
{
	struct os_syscall sc = { .nr = nr, .args = { a0, a1, a2, a3, a4, 0 }, .ret = UINT64_MAX };
	char err[256] = "";
	sim_time_t c = 0;
	int rc = os_syscall(f->os, pid, tid, 0, 0, &sc, &c, err, sizeof(err));
	if (rc)
		print_message("# syscall %d: %s\n", nr, err);
	return rc;
}

static unsigned node_of(struct fx *f, int pid, uint64_t va)
{
	return pfn_to_nid(fx_phys(f), pte_pfn(fx_pte(f, pid, va, NULL)));
}

/* Two threads bind to different nodes: each one's pages follow its own policy. */
static void set_mempolicy_per_thread(void **state)
{
	(void)state;
	struct fx *f = fx_new(2, 64, 2);   /* CPUs 0-1 on node 0, 2-3 on node 1 */
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000;

	fx_mmap_at(f, pid, a, 16 * PAGE_SIZE, PROT_RW, MAP_PA | MAP_FIXED_);
	/* thread 1 binds to node 0, then thread 0 binds to node 1 (the last call) */
	assert_int_equal(tsys(f, pid, 1, OS_SYS_SET_MEMPOLICY, MPOL_BIND, 1 << 0, 0, 0, 0), 0);
	assert_int_equal(tsys(f, pid, 0, OS_SYS_SET_MEMPOLICY, MPOL_BIND, 1 << 1, 0, 0, 0), 0);
	/* thread 1 runs on node 1's CPU 2 and still gets node 0 (its own policy, do_set_mempolicy) */
	assert_int_equal(tfault(f, pid, 1, 2, a), OS_FAULT_RETRY);
	assert_int_equal(node_of(f, pid, a), 0);
	/* thread 0 runs on node 0's CPU 0 and gets node 1 */
	assert_int_equal(tfault(f, pid, 0, 0, a + PAGE_SIZE), OS_FAULT_RETRY);
	assert_int_equal(node_of(f, pid, a + PAGE_SIZE), 1);
	/* and again, interleaved: each switch restores the thread's own policy */
	assert_int_equal(tfault(f, pid, 1, 2, a + 2 * PAGE_SIZE), OS_FAULT_RETRY);
	assert_int_equal(node_of(f, pid, a + 2 * PAGE_SIZE), 0);
	/* a thread that never called set_mempolicy starts with its creator's (thread 0's) policy */
	assert_int_equal(tfault(f, pid, 5, 0, a + 3 * PAGE_SIZE), OS_FAULT_RETRY);
	assert_int_equal(node_of(f, pid, a + 3 * PAGE_SIZE), 1);
	/* thread 1 goes back to the default: local again */
	assert_int_equal(tsys(f, pid, 1, OS_SYS_SET_MEMPOLICY, MPOL_DEFAULT, 0, 0, 0, 0), 0);
	assert_int_equal(tfault(f, pid, 1, 2, a + 4 * PAGE_SIZE), OS_FAULT_RETRY);
	assert_int_equal(node_of(f, pid, a + 4 * PAGE_SIZE), 1);
	assert_int_equal(tfault(f, pid, 0, 0, a + 5 * PAGE_SIZE), OS_FAULT_RETRY);
	assert_int_equal(node_of(f, pid, a + 5 * PAGE_SIZE), 1);   /* thread 0 still bound to 1 */
	fx_free(f);
}

/* mbind sets the VMA's policy: shared by every thread, above any thread's task policy. */
static void mbind_is_per_process(void **state)
{
	(void)state;
	struct fx *f = fx_new(2, 64, 2);
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000;

	fx_mmap_at(f, pid, a, 4 * PAGE_SIZE, PROT_RW, MAP_PA | MAP_FIXED_);
	assert_int_equal(tsys(f, pid, 0, OS_SYS_SET_MEMPOLICY, MPOL_BIND, 1 << 0, 0, 0, 0), 0);
	assert_int_equal(tsys(f, pid, 1, OS_SYS_MBIND, a, 4 * PAGE_SIZE, MPOL_BIND, 1 << 1, 0), 0);
	assert_int_equal(tfault(f, pid, 0, 0, a), OS_FAULT_RETRY);
	assert_int_equal(node_of(f, pid, a), 1);
	fx_free(f);
}

/*
 * The interleave cursor without an index (il_prev: page tables, kernel
 * allocations) is per thread: two threads interleaving {0,1} each start
 * at node 0, so each new page-table chain of three tables lands 0,1,0.
 * A shared cursor would put the second chain on 1,0,1.
 */
static void interleave_cursor_per_thread(void **state)
{
	(void)state;
	struct fx *f = fx_new(2, 64, 2);
	int pid = fx_proc(f, false);
	struct process *p = os_proc(f->os, pid);
	uint64_t a = 0x10000000, b = 0x7f0000000000ULL;   /* different PUD, PMD and PTE tables */

	fx_mmap_at(f, pid, a, PAGE_SIZE, PROT_RW, MAP_PA | MAP_FIXED_);
	fx_mmap_at(f, pid, b, PAGE_SIZE, PROT_RW, MAP_PA | MAP_FIXED_);
	uint64_t pt0 = p->pgtables[0], pt1 = p->pgtables[1];
	assert_int_equal(tsys(f, pid, 0, OS_SYS_SET_MEMPOLICY, MPOL_INTERLEAVE, 3, 0, 0, 0), 0);
	assert_int_equal(tsys(f, pid, 1, OS_SYS_SET_MEMPOLICY, MPOL_INTERLEAVE, 3, 0, 0, 0), 0);
	assert_int_equal(tfault(f, pid, 0, 0, a), OS_FAULT_RETRY);
	assert_int_equal(p->pgtables[0] - pt0, 2);
	assert_int_equal(p->pgtables[1] - pt1, 1);
	assert_int_equal(tfault(f, pid, 1, 0, b), OS_FAULT_RETRY);
	assert_int_equal(p->pgtables[0] - pt0, 4);
	assert_int_equal(p->pgtables[1] - pt1, 2);
	fx_free(f);
}

/* fork by a thread: the child's thread starts with that thread's policy (copy_process). */
static void fork_inherits_the_forking_thread(void **state)
{
	(void)state;
	struct fx *f = fx_new(2, 64, 2);
	int pid = fx_proc(f, false), child = 0;
	uint64_t a = 0x10000000;

	fx_mmap_at(f, pid, a, 2 * PAGE_SIZE, PROT_RW, MAP_PA | MAP_FIXED_);
	assert_int_equal(tsys(f, pid, 0, OS_SYS_SET_MEMPOLICY, MPOL_BIND, 1 << 0, 0, 0, 0), 0);
	assert_int_equal(tsys(f, pid, 3, OS_SYS_SET_MEMPOLICY, MPOL_BIND, 1 << 1, 0, 0, 0), 0);
	assert_int_equal(os_process_fork(f->os, pid, 3, &child), 0);
	/* the child's thread (trace tid 7) runs on node 0 and is bound to node 1 */
	assert_int_equal(tfault(f, child, 7, 0, a + PAGE_SIZE), OS_FAULT_RETRY);
	assert_int_equal(node_of(f, child, a + PAGE_SIZE), 1);
	/* the parent's threads are unchanged */
	assert_int_equal(tfault(f, pid, 0, 2, a), OS_FAULT_RETRY);
	assert_int_equal(node_of(f, pid, a), 0);
	fx_free(f);
}

/* os_set_process_policy (numactl before exec) reaches every thread, seen or not. */
static void process_policy_for_all_threads(void **state)
{
	(void)state;
	struct fx *f = fx_new(2, 64, 2);
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000;
	char err[128];
	struct mpol_spec spec;

	fx_mmap_at(f, pid, a, 3 * PAGE_SIZE, PROT_RW, MAP_PA | MAP_FIXED_);
	assert_int_equal(tsys(f, pid, 2, OS_SYS_SET_MEMPOLICY, MPOL_BIND, 1 << 0, 0, 0, 0), 0);
	assert_int_equal(mpol_spec_parse("bind:1", 2, &spec, err, sizeof(err)), 0);
	assert_int_equal(os_set_process_policy(f->os, pid, &spec), 0);
	for (unsigned t = 0; t < 3; t++) {
		assert_int_equal(tfault(f, pid, t, 0, a + t * PAGE_SIZE), OS_FAULT_RETRY);
		assert_int_equal(node_of(f, pid, a + t * PAGE_SIZE), 1);
	}
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(set_mempolicy_per_thread),
		cmocka_unit_test(mbind_is_per_process),
		cmocka_unit_test(interleave_cursor_per_thread),
		cmocka_unit_test(fork_inherits_the_forking_thread),
		cmocka_unit_test(process_policy_for_all_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
