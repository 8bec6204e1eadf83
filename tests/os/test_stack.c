/*
 * tests/os/test_stack.c - stack growth (Linux 6.12 mm/mmap.c expand_stack,
 * expand_downwards, acct_stack_growth; stack_guard_gap).
 */
#include "tests/os/reclaim_fixture.h"

#define PG (1ULL << PAGE_SHIFT)
#define TOP 0x7ff000000000ULL
#define MAP_GROWSDOWN_ 0x100

static struct fx *stack_fx(uint64_t limit, uint32_t gap_pages)
{
	struct os_cfg c = fx_os_cfg();
	c.stack_limit = limit;
	c.stack_guard_gap = gap_pages;
	return fx_new_cfg(1, 64, 2, &c);
}

/*
 * A fault below a VM_GROWSDOWN VMA moves its start down to the faulting
 * page (vm_pgoff follows: expand_downwards) and the fault is served; the
 * grown size (vm_end - address) may reach RLIMIT_STACK, one page more is
 * SIGSEGV (acct_stack_growth: size > rlimit(RLIMIT_STACK) -> -ENOMEM).
 */
static void grows_within_rlimit(void **state)
{
	struct fx *f = stack_fx(64 * PG, 256);
	int pid = fx_proc(f, false);
	(void)state;

	fx_mmap_at(f, pid, TOP - 16 * PG, 16 * PG, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_ | MAP_GROWSDOWN_);
	struct process *p = os_proc(f->os, pid);
	assert_true(p->mm.vma[0].flags & VM_GROWSDOWN);
	assert_int_equal(fx_fault(f, pid, 0, TOP - 20 * PG + 8, true, NULL), OS_FAULT_RETRY);
	assert_int_equal(p->mm.nr_vma, 1);
	assert_int_equal(p->mm.vma[0].start, TOP - 20 * PG);
	assert_int_equal(p->mm.vma[0].pgoff, (TOP - 20 * PG) >> PAGE_SHIFT);
	assert_true(fx_pte(f, pid, TOP - 20 * PG, NULL) & PTE_P);
	assert_int_equal(p->rss_anon, 1);
	/* exactly RLIMIT_STACK: allowed */
	assert_int_equal(fx_fault(f, pid, 0, TOP - 64 * PG, true, NULL), OS_FAULT_RETRY);
	assert_int_equal(p->mm.vma[0].start, TOP - 64 * PG);
	/* one page beyond: SIGSEGV, nothing changes */
	assert_int_equal(fx_fault(f, pid, 0, TOP - 65 * PG, true, NULL), OS_FAULT_SEGV);
	assert_int_equal(p->mm.vma[0].start, TOP - 64 * PG);
	/* a VMA without VM_GROWSDOWN never grows */
	fx_mmap_at(f, pid, 0x10000000, 4 * PG, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	assert_int_equal(fx_fault(f, pid, 0, 0x10000000 - PG, true, NULL), OS_FAULT_SEGV);
	fx_free(f);
}

/*
 * stack_guard_gap (expand_downwards): growth that would come closer than
 * the gap to an accessible VMA below is refused (address - prev->vm_end <
 * stack_guard_gap -> -ENOMEM); exactly the gap is allowed.  A PROT_NONE
 * VMA below does not count (vma_is_accessible).
 */
static void guard_gap(void **state)
{
	struct fx *f = stack_fx(8 << 20, 4);
	int pid = fx_proc(f, false);
	uint64_t below_end = TOP - 64 * PG;
	(void)state;

	fx_mmap_at(f, pid, below_end - 4 * PG, 4 * PG, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	fx_mmap_at(f, pid, TOP - 16 * PG, 16 * PG, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_ | MAP_GROWSDOWN_);
	struct process *p = os_proc(f->os, pid);
	/* 3 pages above the mapping below: inside the 4-page gap */
	assert_int_equal(fx_fault(f, pid, 0, below_end + 3 * PG, true, NULL), OS_FAULT_SEGV);
	assert_int_equal(p->mm.vma[1].start, TOP - 16 * PG);
	assert_int_equal(fx_fault(f, pid, 0, below_end + 4 * PG, true, NULL), OS_FAULT_RETRY);
	assert_int_equal(p->mm.vma[1].start, below_end + 4 * PG);
	/* make the mapping below PROT_NONE: the gap no longer applies */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MPROTECT, below_end - 4 * PG, 4 * PG, 0, 0, 0), 0);
	assert_int_equal(fx_fault(f, pid, 0, below_end + PG, true, NULL), OS_FAULT_RETRY);
	assert_int_equal(p->mm.vma[1].start, below_end + PG);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(grows_within_rlimit),
		cmocka_unit_test(guard_gap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
