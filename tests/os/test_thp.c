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
#include "os/swap.h"
#include "os/vmscan.h"

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
			assert_int_equal(fx_fault(f, pid, 0, a + (2 << 20), true, NULL), OS_FAULT_RETRY);
			assert_true(fx_pte(f, pid, a + (2 << 20), &lvl) & PTE_PS);
			assert_int_equal(vmstat_event(fx_phys(f), THP_FAULT_ALLOC), 1);
		}
		os_process_exit(f->os, pid);
		assert_int_equal(node_stat(fx_phys(f), 0, NR_ANON_THPS), 0);
		buddy_check(fx_phys(f));
		fx_free(f);
	}
}

/*
 * The huge zero page (mm/huge_memory.c): do_huge_pmd_anonymous_page maps a
 * read fault on an untouched THP-eligible range with the huge zero folio
 * when transparent_hugepage/use_zero_page=1 (the default), read-only and
 * special, allocated once (get_huge_zero_folio counts THP_ZERO_PAGE_ALLOC
 * only when it allocates).  A write to it is do_huge_pmd_wp_page's
 * "is_huge_zero_pmd -> fallback": __split_huge_pmd maps the 4 KiB zero page
 * 512 times (__split_huge_zero_page_pmd, one THP_SPLIT_PMD) and do_wp_page
 * copies one 4 KiB page; nothing else is allocated.
 */
static void test_huge_zero_page(void **state)
{
	(void)state;
	struct fx *f = thp_fx(THP_ALWAYS);
	int pid = fx_proc(f, false), pid2 = fx_proc(f, false);
	uint64_t a = 0x40000000;
	unsigned lvl;

	fx_mmap_at(f, pid, a, 4 << 20, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	fx_mmap_at(f, pid2, a, 2 << 20, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	uint64_t free0 = fx_free_pages(f);
	assert_int_equal(fx_fault(f, pid, 0, a + 0x3000, false, NULL), OS_FAULT_RETRY);
	uint64_t pte = fx_pte(f, pid, a + 0x3000, &lvl);
	assert_int_equal(lvl, 2);
	assert_true(pte & PTE_PS);
	assert_true(pte & PTE_SPECIAL);
	assert_false(pte & PTE_RW);
	assert_int_equal(vmstat_event(fx_phys(f), THP_ZERO_PAGE_ALLOC), 1);
	assert_int_equal(vmstat_event(fx_phys(f), THP_FAULT_ALLOC), 0);
	assert_int_equal(os_proc(f->os, pid)->rss_anon, 0);   /* the zero page is not RSS */
	uint64_t hz = pte_pfn(pte);
	assert_int_equal(hz % 512, 0);
	assert_int_equal(pfn_to_page(fx_phys(f), hz)->order, 9);
	/* 512 pages for the huge zero page and one PMD table (the PUD table exists for the VMA's range) */
	assert_true(free0 - fx_free_pages(f) >= 512 && free0 - fx_free_pages(f) <= 514);
	/* a second range and a second process share it: allocated once */
	fx_fault(f, pid, 0, a + (2 << 20), false, NULL);
	fx_fault(f, pid2, 0, a, false, NULL);
	assert_int_equal(pte_pfn(fx_pte(f, pid, a + (2 << 20), NULL)), hz);
	assert_int_equal(pte_pfn(fx_pte(f, pid2, a, NULL)), hz);
	assert_int_equal(vmstat_event(fx_phys(f), THP_ZERO_PAGE_ALLOC), 1);
	/* a write: split to 512 zero PTEs, one 4 KiB copy; no THP allocated */
	uint64_t free1 = fx_free_pages(f);
	assert_int_equal(fx_fault(f, pid, 0, a + 0x3000, true, NULL), OS_FAULT_RETRY);
	pte = fx_pte(f, pid, a + 0x3000, &lvl);
	assert_int_equal(lvl, 1);
	assert_true(pte & PTE_RW);
	assert_false(pte & PTE_SPECIAL);
	assert_int_equal(pfn_to_page(fx_phys(f), pte_pfn(pte))->order, 0);
	assert_int_equal(vmstat_event(fx_phys(f), THP_SPLIT_PMD), 1);
	assert_int_equal(vmstat_event(fx_phys(f), THP_SPLIT_PAGE), 0);
	assert_int_equal(vmstat_event(fx_phys(f), THP_FAULT_ALLOC), 0);
	uint64_t z = fx_pte(f, pid, a + 0x4000, &lvl);
	assert_int_equal(lvl, 1);
	assert_true(z & PTE_SPECIAL);
	assert_int_equal(pte_pfn(z), os_zero_pfn(f->os));
	assert_int_equal(os_proc(f->os, pid)->rss_anon, 1);
	assert_int_equal(free1 - fx_free_pages(f), 2);   /* the PTE table and the written page */
	/* the other mappings still map the huge zero page */
	assert_int_equal(pte_pfn(fx_pte(f, pid2, a, &lvl)), hz);
	assert_int_equal(lvl, 2);
	/* use_zero_page=0: a read fault allocates a THP */
	struct os_cfg c = fx_os_cfg();
	c.thp = THP_ALWAYS;
	c.thp_use_zero_page = false;
	struct fx *g = fx_new_cfg(1, 64, 2, &c);
	int q = fx_proc(g, false);
	fx_mmap_at(g, q, a, 2 << 20, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	fx_fault(g, q, 0, a, false, NULL);
	assert_false(fx_pte(g, q, a, NULL) & PTE_SPECIAL);
	assert_int_equal(vmstat_event(fx_phys(g), THP_FAULT_ALLOC), 1);
	assert_int_equal(vmstat_event(fx_phys(g), THP_ZERO_PAGE_ALLOC), 0);
	fx_free(g);
	os_process_exit(f->os, pid);
	os_process_exit(f->os, pid2);
	lru_check(f->os);
	buddy_check(fx_phys(f));
	fx_free(f);
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

/*
 * khugepaged/max_ptes_shared (256): a range whose pages another process
 * maps too is collapsed only if at most 256 of them are shared
 * (hpage_collapse_scan_pmd: SCAN_EXCEED_SHARED_PTE); the other process
 * keeps the old pages.
 */
static void test_khugepaged_max_ptes_shared(void **state)
{
	(void)state;
	struct fx *f = thp_fx(THP_MADVISE);
	int pid = fx_proc(f, false), child = 0;
	uint64_t a = 0x40000000;
	unsigned lvl;

	fx_mmap_at(f, pid, a, 2 << 20, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	for (uint64_t k = 0; k < 512; k++)
		fx_fault(f, pid, 0, a + k * PAGE_SIZE, true, NULL);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MADVISE, a, 2 << 20, MADV_HUGEPAGE_, 0, 0), 0);
	assert_int_equal(os_process_fork(f->os, pid, 0, &child), 0);
	khugepaged_scan(f->os, 0, 0);
	assert_int_equal(vmstat_event(fx_phys(f), THP_COLLAPSE_ALLOC), 0);
	assert_true(vmstat_event(fx_phys(f), THP_SCAN_EXCEED_SHARED_PTE) >= 2);   /* parent and child */
	/* the child writes 300 pages (COW): 212 stay shared, within the limit */
	for (uint64_t k = 0; k < 300; k++)
		assert_int_equal(fx_fault(f, child, 0, a + k * PAGE_SIZE, true, NULL), OS_FAULT_RETRY);
	khugepaged_scan(f->os, 0, 0);
	assert_int_equal(vmstat_event(fx_phys(f), THP_COLLAPSE_ALLOC), 2);
	assert_true(fx_pte(f, pid, a, &lvl) & PTE_PS);
	assert_true(fx_pte(f, child, a, &lvl) & PTE_PS);
	assert_int_equal(os_proc(f->os, pid)->rss_anon, 512);
	assert_int_equal(os_proc(f->os, child)->rss_anon, 512);
	lru_check(f->os);
	fx_free(f);
}

/*
 * khugepaged/max_ptes_swap (64): a range with more swap entries is left
 * alone (SCAN_EXCEED_SWAP_PTE); with fewer, the collapse swaps them in
 * first (__collapse_huge_page_swapin).
 */
static void test_khugepaged_max_ptes_swap(void **state)
{
	(void)state;
	struct os_cfg c = fx_os_cfg();
	c.thp = THP_MADVISE;
	c.compaction_proactiveness = 0;
	c.swap_size = 16ULL << 20;
	c.swap_latency = 10000000;
	c.swap_bandwidth = 4096000000ULL;
	struct fx *f = fx_new_cfg(1, 64, 2, &c);
	int pid = fx_proc(f, false);
	uint64_t a = 0x40000000;
	unsigned lvl;

	fx_mmap_at(f, pid, a, 2 << 20, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	for (uint64_t k = 0; k < 512; k++)
		fx_fault(f, pid, 0, a + k * PAGE_SIZE, true, NULL);
	/* 100 pages go to swap (written, then dropped from the swap cache) */
	for (uint64_t k = 0; k < 100; k++) {
		struct page *pg = pfn_to_page(fx_phys(f), pte_pfn(fx_pte(f, pid, a + k * PAGE_SIZE, NULL)));
		sim_time_t cost = 0;
		assert_true(lru_isolate(f->os, pg));
		pg->refcount++;
		assert_int_equal(swap_out_page(f->os, pg, 0, 0, &cost), SWAPOUT_WRITEBACK);
		pg->refcount--;
		lru_putback(f->os, pg);
	}
	swap_writeback_end(f->os, 1000000000000ULL);
	for (uint64_t k = 0; k < 100; k++) {
		uint64_t off = swp_offset(fx_pte(f, pid, a + k * PAGE_SIZE, NULL));
		struct page *pg = pfn_to_page(fx_phys(f), swap_cached(f->os->rcl->swap, off));
		lru_del(f->os, pg);
		pg->refcount++;
		swapcache_del(f->os, pg, false);
		put_page(f->os, pg, 0);
	}
	assert_int_equal(os_proc(f->os, pid)->swapents, 100);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MADVISE, a, 2 << 20, MADV_HUGEPAGE_, 0, 0), 0);
	khugepaged_scan(f->os, 0, 0);
	assert_int_equal(vmstat_event(fx_phys(f), THP_COLLAPSE_ALLOC), 0);
	assert_true(vmstat_event(fx_phys(f), THP_SCAN_EXCEED_SWAP_PTE) >= 1);
	/* 40 come back by faults (readahead may bring more): at most 60 entries remain */
	for (uint64_t k = 0; k < 40; k++)
		assert_int_equal(fx_fault(f, pid, 0, a + k * PAGE_SIZE, false, NULL), OS_FAULT_RETRY);
	assert_true(os_proc(f->os, pid)->swapents <= 60);
	uint64_t pswpin = vmstat_event(fx_phys(f), PSWPIN);
	khugepaged_scan(f->os, 0, 0);
	assert_int_equal(vmstat_event(fx_phys(f), THP_COLLAPSE_ALLOC), 1);
	assert_true(fx_pte(f, pid, a, &lvl) & PTE_PS);
	assert_int_equal(os_proc(f->os, pid)->swapents, 0);
	assert_int_equal(os_proc(f->os, pid)->rss_anon, 512);
	assert_true(vmstat_event(fx_phys(f), PSWPIN) >= pswpin);
	assert_int_equal(vmstat_event(fx_phys(f), PSWPIN), 100);   /* every swapped page read exactly once */
	lru_check(f->os);
	fx_free(f);
}

/*
 * Node 0 of a 2-node machine full of 4 KiB pages with every other one
 * freed: half of it free, but no free 2 MiB block.  @return the process.
 */
static int fragment_node0(struct fx *f)
{
	int pid = fx_proc(f, false);
	uint64_t a = 0x40000000, n = 16384;   /* 64 MiB: node 0 fills, the rest spills to node 1 */

	fx_mmap_at(f, pid, a, n * PAGE_SIZE, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MADVISE, a, n * PAGE_SIZE, 15 /* MADV_NOHUGEPAGE */, 0, 0), 0);
	for (uint64_t i = 0; i < n; i++)
		assert_int_equal(fx_fault(f, pid, 0, a + i * PAGE_SIZE, true, NULL), OS_FAULT_RETRY);
	/* the reserve node 0 kept below its watermark may hold whole blocks: take them */
	nodemask_t only;
	nodes_clear(&only);
	node_set(0, &only);
	for (unsigned order = MAX_PAGE_ORDER; order >= HPAGE_PMD_ORDER; order--) {
		struct alloc_ctx ac = { .order = order, .gfp = GFP_TRANSHUGE_LIGHT | __GFP_THISNODE | __GFP_HIGH,
					.preferred_nid = 0, .nodemask = &only, .cpu = 0 };
		uint64_t pfn;
		while (page_alloc(fx_phys(f), &ac, &pfn, NULL) == 0)
			;
	}
	for (uint64_t i = 0; i < n; i += 2)
		assert_int_equal(fx_sys(f, pid, OS_SYS_MUNMAP, a + i * PAGE_SIZE, PAGE_SIZE, 0, 0, 0), 0);
	drain_all_pages(fx_phys(f));
	return pid;
}

static struct fx *thp2_fx(enum thp_defrag defrag, bool compaction)
{
	struct os_cfg c = fx_os_cfg();
	c.thp = THP_ALWAYS;
	c.thp_defrag = defrag;
	c.compaction = compaction;
	c.compaction_proactiveness = 0;
	return fx_new_cfg(2, 64, 2, &c);
}

/*
 * THP placement (alloc_pages_mpol): a huge page is tried on the local node
 * alone first (__GFP_THISNODE | __GFP_NORETRY).  Under defrag "madvise" a
 * VMA without MADV_HUGEPAGE may not reclaim, so the fault falls back to a
 * local 4 KiB page rather than taking a remote THP.
 */
static void test_thp_local_first_fallback(void **state)
{
	(void)state;
	struct fx *f = thp2_fx(THP_DEFRAG_MADVISE, true);
	fragment_node0(f);
	int pid = fx_proc(f, false);
	uint64_t b = 0x80000000;
	unsigned lvl;

	fx_mmap_at(f, pid, b, 2 << 20, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	assert_int_equal(fx_fault(f, pid, 0, b, true, NULL), OS_FAULT_RETRY);
	uint64_t pte = fx_pte(f, pid, b, &lvl);
	assert_int_equal(lvl, 1);   /* a 4 KiB page ... */
	assert_int_equal(pfn_to_nid(fx_phys(f), pte_pfn(pte)), 0);   /* ... on the local node */
	assert_int_equal(vmstat_event(fx_phys(f), THP_FAULT_FALLBACK), 1);
	assert_int_equal(vmstat_event(fx_phys(f), THP_FAULT_ALLOC), 0);
	assert_int_equal(vmstat_event(fx_phys(f), COMPACTSTALL), 0);   /* no direct compaction without reclaim */
	fx_free(f);
}

/*
 * Under defrag "always" the fault may reclaim and compact: it compacts the
 * local node once (compact_stall) and gets a local THP; without compaction
 * (os.compaction=0) the local try fails and the retry may use any node.
 */
static void test_thp_local_compaction_then_remote(void **state)
{
	(void)state;
	unsigned lvl;
	uint64_t b = 0x80000000;

	struct fx *f = thp2_fx(THP_DEFRAG_ALWAYS, true);
	fragment_node0(f);
	int pid = fx_proc(f, false);
	fx_mmap_at(f, pid, b, 2 << 20, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	assert_int_equal(fx_fault(f, pid, 0, b, true, NULL), OS_FAULT_RETRY);
	uint64_t pte = fx_pte(f, pid, b, &lvl);
	assert_int_equal(lvl, 2);
	assert_int_equal(pfn_to_nid(fx_phys(f), pte_pfn(pte)), 0);
	assert_true(vmstat_event(fx_phys(f), COMPACTSTALL) >= 1);
	fx_free(f);

	f = thp2_fx(THP_DEFRAG_ALWAYS, false);
	fragment_node0(f);
	pid = fx_proc(f, false);
	fx_mmap_at(f, pid, b, 2 << 20, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	assert_int_equal(fx_fault(f, pid, 0, b, true, NULL), OS_FAULT_RETRY);
	pte = fx_pte(f, pid, b, &lvl);
	assert_int_equal(lvl, 2);
	assert_int_equal(pfn_to_nid(fx_phys(f), pte_pfn(pte)), 1);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fault_modes),
		cmocka_unit_test(test_huge_zero_page),
		cmocka_unit_test(test_unaligned_vma_falls_back),
		cmocka_unit_test(test_split_on_munmap_and_cow),
		cmocka_unit_test(test_khugepaged_collapse),
		cmocka_unit_test(test_khugepaged_max_ptes_shared),
		cmocka_unit_test(test_khugepaged_max_ptes_swap),
		cmocka_unit_test(test_thp_local_first_fallback),
		cmocka_unit_test(test_thp_local_compaction_then_remote),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
