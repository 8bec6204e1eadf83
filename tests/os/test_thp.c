/*
 * tests/os/test_thp.c - transparent huge pages: a fault maps a PMD leaf
 * (always / madvise+MADV_HUGEPAGE / never), fallback counting, split on a
 * partial munmap and on a COW write after fork (every mapping split,
 * accounting exact), khugepaged collapsing 512 PTEs into one THP.
 */
#include "tests/os/os_fixture.h"
#include "os/lru.h"
#include "os/rmap.h"
#include "os/thp.h"

#define PROT_RW 3
#define MAP_PRIV_ANON 0x22
#define MAP_FIXED_ 0x10
#define MADV_HUGEPAGE_ 14

static struct fx *thp_fx(enum thp_mode mode)
{
	struct os_cfg c = fx_os_cfg();
	c.thp = mode;
	c.compaction_proactiveness = 0;
	return fx_new_cfg(1, 64, 2, &c);
}

static void test_fault_modes(void **state)
{
	(void)state;
	uint64_t a = 0x40000000;
	unsigned lvl;

	for (int mode = THP_NEVER; mode <= THP_ALWAYS; mode++) {
		struct fx *f = thp_fx(mode);
		int pid = fx_proc(f, false);
		fx_mmap_at(f, pid, a, 4 << 20, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
		assert_int_equal(fx_fault(f, pid, 0, a + 0x1234, true, NULL), OS_FAULT_RETRY);
		uint64_t pte = fx_pte(f, pid, a + 0x1234, &lvl);
		struct process *p = os_proc(f->os, pid);
		if (mode == THP_ALWAYS) {
			assert_int_equal(lvl, 2);
			assert_true(pte & PTE_PS);
			assert_int_equal(p->rss_anon, 512);
			assert_int_equal(vmstat_event(fx_phys(f), THP_FAULT_ALLOC), 1);
			assert_int_equal(node_stat(fx_phys(f), 0, NR_ANON_THPS), 512);
			assert_int_equal(pfn_to_page(fx_phys(f), pte_pfn(pte))->order, 9);
			/* the rest of the 2 MiB needs no fault */
			assert_int_equal(fx_pte(f, pid, a + 0x1ff000, NULL), pte);
		} else {
			assert_int_equal(lvl, 1);
			assert_int_equal(p->rss_anon, 1);
			assert_int_equal(vmstat_event(fx_phys(f), THP_FAULT_ALLOC), 0);
		}
		if (mode == THP_MADVISE) {
			assert_int_equal(fx_sys(f, pid, OS_SYS_MADVISE, a + (2 << 20), 2 << 20, MADV_HUGEPAGE_, 0, 0), 0);
			assert_int_equal(fx_fault(f, pid, 0, a + (2 << 20), false, NULL), OS_FAULT_RETRY);
			assert_true(fx_pte(f, pid, a + (2 << 20), &lvl) & PTE_PS);
			assert_int_equal(vmstat_event(fx_phys(f), THP_FAULT_ALLOC), 1);
		}
		os_process_exit(f->os, pid);
		assert_int_equal(node_stat(fx_phys(f), 0, NR_ANON_THPS), 0);
		buddy_check(fx_phys(f));
		fx_free(f);
	}
}

static void test_unaligned_vma_falls_back(void **state)
{
	(void)state;
	struct fx *f = thp_fx(THP_ALWAYS);
	int pid = fx_proc(f, false);
	unsigned lvl;
	/* [a + 4K, a + 2M + 4K): no aligned 2 MiB range inside */
	fx_mmap_at(f, pid, 0x40001000, 2 << 20, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	fx_fault(f, pid, 0, 0x40100000, true, NULL);
	fx_pte(f, pid, 0x40100000, &lvl);
	assert_int_equal(lvl, 1);
	assert_int_equal(vmstat_event(fx_phys(f), THP_FAULT_ALLOC), 0);
	fx_free(f);
}

static void test_split_on_munmap_and_cow(void **state)
{
	(void)state;
	struct fx *f = thp_fx(THP_ALWAYS);
	int pid = fx_proc(f, false), child = 0;
	uint64_t a = 0x40000000;
	unsigned lvl;

	fx_mmap_at(f, pid, a, 4 << 20, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	fx_fault(f, pid, 0, a, true, NULL);
	fx_fault(f, pid, 0, a + (2 << 20), true, NULL);
	uint64_t free0 = fx_free_pages(f);
	/* munmap one 4 KiB page in the middle of the first THP */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MUNMAP, a + 0x10000, 0x1000, 0, 0, 0), 0);
	assert_int_equal(vmstat_event(fx_phys(f), THP_SPLIT_PMD), 1);
	assert_int_equal(vmstat_event(fx_phys(f), THP_SPLIT_PAGE), 1);
	struct process *p = os_proc(f->os, pid);
	assert_int_equal(p->rss_anon, 1023);
	assert_int_equal(node_stat(fx_phys(f), 0, NR_ANON_THPS), 512);
	assert_int_equal(fx_pte(f, pid, a + 0x10000, NULL), 0);
	uint64_t pte = fx_pte(f, pid, a + 0x11000, &lvl);
	assert_int_equal(lvl, 1);
	struct page *sub = pfn_to_page(fx_phys(f), pte_pfn(pte));
	assert_int_equal(sub->order, 0);
	assert_int_equal(sub->mapcount, 1);
	assert_int_equal(sub->index, (a + 0x11000) >> PAGE_SHIFT);
	assert_int_equal(rmap_count(f->os, sub), 1);
	/* one page freed, one PTE table allocated */
	assert_int_equal(fx_free_pages(f), free0 + 1 - 1);
	/* COW after fork on the second THP: both mappings split, the writer copies 4 KiB */
	assert_int_equal(os_process_fork(f->os, pid, 0, &child), 0);
	struct page *hp = pfn_to_page(fx_phys(f), pte_pfn(fx_pte(f, pid, a + (2 << 20), NULL)));
	assert_int_equal(hp->mapcount, 2);
	assert_int_equal(fx_fault(f, child, 0, a + (2 << 20) + 0x5000, true, NULL), OS_FAULT_RETRY);
	assert_int_equal(vmstat_event(fx_phys(f), THP_SPLIT_PMD), 3);
	fx_pte(f, pid, a + (2 << 20), &lvl);
	assert_int_equal(lvl, 1);
	struct page *s5 = pfn_to_page(fx_phys(f), pte_pfn(fx_pte(f, pid, a + (2 << 20) + 0x5000, NULL)));
	assert_int_equal(s5->mapcount, 1);
	struct page *s6 = pfn_to_page(fx_phys(f), pte_pfn(fx_pte(f, pid, a + (2 << 20) + 0x6000, NULL)));
	assert_int_equal(s6->mapcount, 2);
	assert_int_equal(rmap_count(f->os, s6), 2);
	assert_int_equal(node_stat(fx_phys(f), 0, NR_ANON_THPS), 0);
	lru_check(f->os);   /* split pages are on the LRU one by one, counts exact */
	assert_int_equal(node_stat(fx_phys(f), 0, NR_INACTIVE_ANON) + node_stat(fx_phys(f), 0, NR_ACTIVE_ANON),
			 os_proc(f->os, pid)->rss_anon + 1);   /* + the child's COW copy */
	os_process_exit(f->os, child);
	os_process_exit(f->os, pid);
	buddy_check(fx_phys(f));
	fx_free(f);
}

static void test_khugepaged_collapse(void **state)
{
	(void)state;
	struct fx *f = thp_fx(THP_MADVISE);
	int pid = fx_proc(f, false);
	uint64_t a = 0x40000000;
	unsigned lvl;

	fx_mmap_at(f, pid, a, 2 << 20, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	for (uint64_t off = 0; off < (2 << 20); off += 2 * PAGE_SIZE)   /* half the pages */
		fx_fault(f, pid, 0, a + off, true, NULL);
	struct process *p = os_proc(f->os, pid);
	assert_int_equal(p->rss_anon, 256);
	khugepaged_scan(f->os, 0, 0);
	assert_int_equal(vmstat_event(fx_phys(f), THP_COLLAPSE_ALLOC), 0);   /* not madvised */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MADVISE, a, 2 << 20, MADV_HUGEPAGE_, 0, 0), 0);
	uint64_t tables = p->pgtables[0];
	khugepaged_scan(f->os, 0, 0);
	assert_int_equal(vmstat_event(fx_phys(f), THP_COLLAPSE_ALLOC), 1);
	assert_true(fx_pte(f, pid, a, &lvl) & PTE_PS);
	assert_int_equal(lvl, 2);
	assert_int_equal(p->rss_anon, 512);
	assert_int_equal(p->pgtables[0], tables - 1);
	assert_int_equal(node_stat(fx_phys(f), 0, NR_ANON_THPS), 512);
	assert_int_equal(node_stat(fx_phys(f), 0, NR_ANON_MAPPED), 512);
	lru_check(f->os);
	os_process_exit(f->os, pid);
	buddy_check(fx_phys(f));
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fault_modes),
		cmocka_unit_test(test_unaligned_vma_falls_back),
		cmocka_unit_test(test_split_on_munmap_and_cow),
		cmocka_unit_test(test_khugepaged_collapse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
