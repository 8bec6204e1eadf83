/*
 * tests/os/test_rmap.c - the reverse map: every PTE of a page is found
 * (private anon, after fork, shmem, hugetlb), stale candidates are not,
 * and try_to_unmap clears exactly those entries with exact accounting.
 * Reference model: a brute-force scan of every process's page tables for
 * entries pointing at the frame.
 */
#include "tests/os/os_fixture.h"
#include "os/rmap.h"

#define PROT_RW 3
#define MAP_PRIV_ANON 0x22
#define MAP_SHARED_ANON 0x21
#define MAP_FIXED_ 0x10
#define MAP_HUGETLB_ 0x40000

struct brute {
	struct os *os;
	uint64_t pfn;
	unsigned n;
};

static int brute_one(void *ctx, uint64_t va, uint64_t slot, uint64_t pte, unsigned level)
{
	struct brute *b = ctx;
	(void)va, (void)slot, (void)level;
	if (pte_present(pte) && !(pte & PTE_SPECIAL) && pte_pfn(pte) == b->pfn)
		b->n++;
	return 0;
}

/* Naive model: scan all of every live address space. */
static unsigned brute_count(struct fx *f, uint64_t pfn)
{
	struct brute b = { .pfn = pfn };
	for (int pid = 1;; pid++) {
		struct process *p = os_proc(f->os, pid);
		if (!p)
			break;
		if (p->alive && p->pgd_pfn != NO_PGD)
			pgtable_walk(f->pm, p->pgd_pfn, 0, TASK_SIZE, brute_one, &b);
	}
	return b.n;
}

struct collect {
	int pids[8];
	uint64_t va[8];
	unsigned n;
};

static int collect_one(void *ctx, const struct rmap_hit *h)
{
	struct collect *c = ctx;
	c->pids[c->n] = h->p->pid;
	c->va[c->n] = h->vaddr;
	c->n++;
	return 0;
}

static struct page *page_at(struct fx *f, int pid, uint64_t va)
{
	return pfn_to_page(fx_phys(f), pte_pfn(fx_pte(f, pid, va, NULL)));
}

static void test_anon_fork_cow(void **state)
{
	(void)state;
	struct fx *f = fx_new(2, 64, 2);
	int pid = fx_proc(f, false), child = 0, child2 = 0;
	uint64_t a = 0x10000000;

	fx_mmap_at(f, pid, a, 0x4000, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	for (int i = 0; i < 4; i++)
		assert_int_equal(fx_fault(f, pid, 0, a + i * 0x1000, true, NULL), OS_FAULT_RETRY);
	struct page *pg = page_at(f, pid, a + 0x1000);
	assert_int_equal(rmap_count(f->os, pg), 1);
	assert_int_equal(os_process_fork(f->os, pid, 0, &child), 0);
	assert_int_equal(os_process_fork(f->os, child, 0, &child2), 0);
	assert_int_equal(pg->mapcount, 3);
	struct collect c = { .n = 0 };
	unsigned found = 0;
	rmap_walk(f->os, pg, collect_one, &c, &found);
	assert_int_equal(found, 3);
	assert_int_equal(c.pids[0], pid);
	assert_int_equal(c.pids[1], child);
	assert_int_equal(c.pids[2], child2);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(c.va[i], a + 0x1000);
	assert_int_equal(brute_count(f, pg->pfn), 3);
	/* COW break in the child: the child's entry now points elsewhere and is not found */
	assert_int_equal(fx_fault(f, child, 0, a + 0x1000, true, NULL), OS_FAULT_RETRY);
	assert_int_equal(rmap_count(f->os, pg), 2);
	assert_int_equal(brute_count(f, pg->pfn), 2);
	struct page *cp = page_at(f, child, a + 0x1000);
	assert_ptr_not_equal(cp, pg);
	assert_int_equal(rmap_count(f->os, cp), 1);
	/* exit of one mapper */
	os_process_exit(f->os, child2);
	assert_int_equal(rmap_count(f->os, pg), 1);
	assert_int_equal(pg->mapcount, 1);
	fx_free(f);
}

static void test_shmem_and_hugetlb(void **state)
{
	(void)state;
	struct os_cfg hc_ = fx_os_cfg();
	/* a 4-page hugetlb pool per node: MAP_HUGETLB reserves from it */
	hc_.nr_hugepages[0] = 4;
	hc_.nr_nr_hugepages = 1;
	struct fx *f = fx_new_cfg(1, 64, 2, &hc_);
	int pid = fx_proc(f, false), child = 0;
	uint64_t a = 0x20000000, h = 0x40000000;

	fx_mmap_at(f, pid, a, 0x8000, PROT_RW, MAP_SHARED_ANON | MAP_FIXED_);
	fx_mmap_at(f, pid, h, 0x400000, PROT_RW, MAP_SHARED_ANON | MAP_FIXED_ | MAP_HUGETLB_);
	assert_int_equal(fx_fault(f, pid, 0, a + 0x3000, true, NULL), OS_FAULT_RETRY);
	assert_int_equal(fx_fault(f, pid, 0, h + 0x200000, true, NULL), OS_FAULT_RETRY);
	assert_int_equal(os_process_fork(f->os, pid, 0, &child), 0);
	/* the child refaults shared memory; map it at the same place */
	assert_int_equal(fx_fault(f, child, 0, a + 0x3000, false, NULL), OS_FAULT_RETRY);
	assert_int_equal(fx_fault(f, child, 0, h + 0x200000, false, NULL), OS_FAULT_RETRY);
	struct page *sp = page_at(f, pid, a + 0x3000), *hp = page_at(f, pid, h + 0x200000);
	assert_int_equal(sp->mapcount, 2);
	assert_int_equal(rmap_count(f->os, sp), 2);
	assert_int_equal(brute_count(f, sp->pfn), 2);
	struct collect c = { .n = 0 };
	rmap_walk(f->os, hp, collect_one, &c, NULL);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.va[0], h + 0x200000);
	assert_int_equal(c.va[1], h + 0x200000);
	/* a second window of the same object at another address, offset one page: munmap part, remap? use munmap */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MUNMAP, a, 0x4000, 0, 0, 0), 0);
	assert_int_equal(rmap_count(f->os, sp), 1);
	assert_int_equal(brute_count(f, sp->pfn), 1);
	fx_free(f);
}

static void test_try_to_unmap(void **state)
{
	(void)state;
	struct fx *f = fx_new(2, 64, 2);
	int pid = fx_proc(f, false), child = 0;
	uint64_t a = 0x10000000;

	fx_mmap_at(f, pid, a, 0x2000, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	assert_int_equal(fx_fault(f, pid, 2, a, true, NULL), OS_FAULT_RETRY);   /* CPU 2: node 1 */
	assert_int_equal(os_process_fork(f->os, pid, 0, &child), 0);
	struct page *pg = page_at(f, pid, a);
	struct process *pp = os_proc(f->os, pid), *cp = os_proc(f->os, child);
	assert_int_equal(pg->node, 1);
	assert_int_equal(pp->rss_anon, 1);
	assert_int_equal(cp->rss_anon, 1);
	assert_int_equal(node_stat(fx_phys(f), 1, NR_ANON_MAPPED), 1);
	pg->refcount++;   /* the caller's (reclaim's) isolation reference */
	unsigned n = 0;
	sim_time_t cost = try_to_unmap(f->os, pg, 0, 0, 0, &n);
	assert_int_equal(n, 2);
	/* one shootdown per mm: the parent ran on CPU 2 (IPI), the child never ran (local INVLPG only) */
	assert_int_equal(cost, (FX_INVLPG_PS + FX_IPI_PS) + FX_INVLPG_PS);
	assert_int_equal(fx_pte(f, pid, a, NULL), 0);
	assert_int_equal(fx_pte(f, child, a, NULL), 0);
	assert_int_equal(pg->mapcount, 0);
	assert_int_equal(pg->refcount, 1);
	assert_int_equal(pp->rss_anon, 0);
	assert_int_equal(cp->rss_anon, 0);
	assert_int_equal(pp->node_pages[1], 0);
	assert_int_equal(node_stat(fx_phys(f), 1, NR_ANON_MAPPED), 0);
	assert_true(page_test(pg, PG_dirty));
	assert_int_equal(rmap_count(f->os, pg), 0);
	/* the caller frees it; a new fault maps a fresh zeroed page */
	pg->refcount = 0;
	page_clear(pg, PG_anon);
	page_clear(pg, PG_dirty);
	page_clear(pg, PG_swapbacked);
	page_clear(pg, PG_uptodate);
	pg->mapping = NULL;
	page_free(fx_phys(f), pg->pfn, 0, 0);
	assert_int_equal(fx_fault(f, pid, 0, a, true, NULL), OS_FAULT_RETRY);
	assert_int_equal(pp->rss_anon, 1);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_anon_fork_cow),
		cmocka_unit_test(test_shmem_and_hugetlb),
		cmocka_unit_test(test_try_to_unmap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
