/*
 * tests/os/test_migrate.c - migration keeps mappings and moves exactly the
 * requested pages: move_pages (range, node, shared pages with and without
 * MOVE_ALL, every PTE repointed after fork), migrate_pages (node-mask
 * remapping), costs, and numa_maps before/after.
 */
#include "tests/os/os_fixture.h"
#include "os/migrate.h"
#include "os/rmap.h"

#define PROT_RW 3
#define MAP_PRIV_ANON 0x22
#define MAP_SHARED_ANON 0x21
#define MAP_FIXED_ 0x10

static unsigned node_at(struct fx *f, int pid, uint64_t va)
{
	return pfn_to_nid(fx_phys(f), pte_pfn(fx_pte(f, pid, va, NULL)));
}

static void test_move_pages_range(void **state)
{
	(void)state;
	struct fx *f = fx_new(2, 64, 2);
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000;
	sim_time_t cost = 0;

	fx_mmap_at(f, pid, a, 16 * PAGE_SIZE, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	for (int i = 0; i < 16; i++)
		assert_int_equal(fx_fault(f, pid, 0, a + i * PAGE_SIZE, true, NULL), OS_FAULT_RETRY);
	char *m = fx_numa_maps(f, pid);
	assert_non_null(strstr(m, "anon=16 dirty=16 active=0 N0=16 kernelpagesize_kB=4"));
	free(m);
	uint64_t pfn5 = pte_pfn(fx_pte(f, pid, a + 5 * PAGE_SIZE, NULL));
	/* pages 4..7 to node 1; CPU 0 asks: copy + bookkeeping + one shootdown for the batch */
	assert_int_equal(fx_sys6(f, pid, 0, OS_SYS_MOVE_PAGES, a + 4 * PAGE_SIZE, 4, 1, MPOL_MF_MOVE, 0, 0, FX_NONE,
				 &cost), 0);
	for (int i = 0; i < 16; i++)
		assert_int_equal(node_at(f, pid, a + i * PAGE_SIZE), i >= 4 && i < 8 ? 1u : 0u);
	m = fx_numa_maps(f, pid);
	assert_non_null(strstr(m, "anon=16 dirty=16 active=0 N0=12 N1=4 kernelpagesize_kB=4"));
	free(m);
	assert_int_equal(vmstat_event(fx_phys(f), PGMIGRATE_SUCCESS), 4);
	assert_int_equal(cost, FX_SYSCALL_PS + 4 * (f->cfg.migrate_page_cost + FX_COPY_PS) + FX_INVLPG_PS * 4);
	/* the new page carries the mapping; the old one is free */
	struct page *np = pfn_to_page(fx_phys(f), pte_pfn(fx_pte(f, pid, a + 5 * PAGE_SIZE, NULL)));
	assert_int_equal(np->index, (a + 5 * PAGE_SIZE) >> PAGE_SHIFT);
	assert_int_equal(np->mapcount, 1);
	assert_int_equal(np->refcount, 1);
	assert_true(page_test(np, PG_anon));
	assert_int_equal(pfn_to_page(fx_phys(f), pfn5)->refcount, 0);
	struct process *p = os_proc(f->os, pid);
	assert_int_equal(p->node_pages[0], 12);
	assert_int_equal(p->node_pages[1], 4);
	assert_int_equal(node_stat(fx_phys(f), 1, NR_ANON_MAPPED), 4);
	assert_int_equal(node_stat(fx_phys(f), 0, NR_ANON_MAPPED), 12);
	/* pages already on the target do not move; bad node is ENODEV */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MOVE_PAGES, a, 16, 1, 0, 0), 0);
	assert_int_equal(vmstat_event(fx_phys(f), PGMIGRATE_SUCCESS), 16);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MOVE_PAGES, a, 1, 5, 0, 0), -SIM_ERANGE);
	fx_free(f);
}

static void test_shared_after_fork(void **state)
{
	(void)state;
	struct fx *f = fx_new(2, 64, 2);
	int pid = fx_proc(f, false), child = 0;
	uint64_t a = 0x10000000, s = 0x20000000;

	fx_mmap_at(f, pid, a, 2 * PAGE_SIZE, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	fx_mmap_at(f, pid, s, PAGE_SIZE, PROT_RW, MAP_SHARED_ANON | MAP_FIXED_);
	fx_fault(f, pid, 0, a, true, NULL);
	fx_fault(f, pid, 0, a + PAGE_SIZE, true, NULL);
	fx_fault(f, pid, 0, s, true, NULL);
	assert_int_equal(os_process_fork(f->os, pid, 0, &child), 0);
	fx_fault(f, child, 0, s, false, NULL);
	fx_fault(f, child, 0, a + PAGE_SIZE, true, NULL);   /* COW: the child's own copy */
	/* without MOVE_ALL, the shared page a stays, a+4K (only ours now) moves */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MOVE_PAGES, a, 2, 1, MPOL_MF_MOVE, 0), 0);
	assert_int_equal(node_at(f, pid, a), 0);
	assert_int_equal(node_at(f, pid, a + PAGE_SIZE), 1);
	assert_int_equal(node_at(f, child, a + PAGE_SIZE), 0);
	/* MOVE_ALL: both processes' PTEs follow, one page, mapcount 2 */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MOVE_PAGES, a, 1, 1, MPOL_MF_MOVE_ALL, 0), 0);
	assert_int_equal(node_at(f, pid, a), 1);
	assert_int_equal(fx_pte(f, pid, a, NULL) & PTE_ADDR_MASK, fx_pte(f, child, a, NULL) & PTE_ADDR_MASK);
	struct page *pg = pfn_to_page(fx_phys(f), pte_pfn(fx_pte(f, pid, a, NULL)));
	assert_int_equal(pg->mapcount, 2);
	assert_int_equal(pg->refcount, 2);
	assert_int_equal(rmap_count(f->os, pg), 2);
	assert_int_equal(os_proc(f->os, child)->node_pages[1], 1);
	/* the shmem page: object slot and both mappings follow */
	assert_int_equal(fx_sys(f, child, OS_SYS_MOVE_PAGES, s, 1, 1, MPOL_MF_MOVE_ALL, 0), 0);
	assert_int_equal(node_at(f, pid, s), 1);
	assert_int_equal(node_at(f, child, s), 1);
	struct page *sp = pfn_to_page(fx_phys(f), pte_pfn(fx_pte(f, pid, s, NULL)));
	assert_int_equal(sp->refcount, 3);   /* object + two mappings */
	assert_int_equal(node_stat(fx_phys(f), 1, NR_SHMEM), 1);
	assert_int_equal(node_stat(fx_phys(f), 0, NR_SHMEM), 0);
	os_process_exit(f->os, child);
	os_process_exit(f->os, pid);
	buddy_check(fx_phys(f));
	fx_free(f);
}

static void test_migrate_pages_masks(void **state)
{
	(void)state;
	struct fx *f = fx_new(4, 32, 1);
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000;

	fx_mmap_at(f, pid, a, 4 * PAGE_SIZE, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	for (unsigned i = 0; i < 4; i++)   /* page i first touched on node i (CPU i) */
		fx_fault(f, pid, i, a + i * PAGE_SIZE, true, NULL);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(node_at(f, pid, a + i * PAGE_SIZE), i);
	/* {0,1} -> {2,3}: 0->2, 1->3 positionally; 2 and 3 stay */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MIGRATE_PAGES, 0x3, 0xc, 0, 0, 0), 0);
	assert_int_equal(node_at(f, pid, a), 2);
	assert_int_equal(node_at(f, pid, a + PAGE_SIZE), 3);
	assert_int_equal(node_at(f, pid, a + 2 * PAGE_SIZE), 2);
	assert_int_equal(node_at(f, pid, a + 3 * PAGE_SIZE), 3);
	/* different weights: {0-3} -> {1}: everything lands on node 1 */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MIGRATE_PAGES, 0xf, 0x2, 0, 0, 0), 0);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(node_at(f, pid, a + i * PAGE_SIZE), 1);
	assert_int_equal(vmstat_event(fx_phys(f), PGMIGRATE_SUCCESS), 2 + 4);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_move_pages_range),
		cmocka_unit_test(test_shared_after_fork),
		cmocka_unit_test(test_migrate_pages_masks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
