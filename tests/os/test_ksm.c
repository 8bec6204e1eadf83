/*
 * tests/os/test_ksm.c - KSM (mm/ksm.c): ksmd merges identical pages of
 * MADV_MERGEABLE areas at their second scan, a write breaks the sharing
 * (cow_ksm), merge_across_nodes 0 keeps a copy per node, MADV_UNMERGEABLE
 * undoes it, and the /sys/kernel/mm/ksm counters follow.
 */
#include "tests/os/reclaim_fixture.h"
#include "os/ksm.h"
#include "os/page_content.h"

#define KX_MADV_MERGEABLE   12
#define KX_MADV_UNMERGEABLE 13

static struct fx *kx_new(unsigned nr, bool across)
{
	struct os_cfg c = fx_os_cfg();
	c.ksm.run = true;
	c.ksm.pages_to_scan = 1000;
	c.ksm.merge_across_nodes = across;
	c.ksm.scan_cost = 0;
	return fx_new_cfg(nr, 64, 2, &c);
}

/* An anonymous mergeable region of n pages at a, every page holding `content` (page_content flags), written on cpu. */
static void kx_region_flags(struct fx *f, int pid, unsigned cpu, uint64_t a, uint64_t n, uint64_t content,
			    uint32_t flags)
{
	char err[128];
	fx_mmap_at(f, pid, a, n << PAGE_SHIFT, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	assert_int_equal(os_page_content(f->os, pid, a, n << PAGE_SHIFT, content, 0, flags, err, sizeof(err)), 0);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MADVISE, a, n << PAGE_SHIFT, KX_MADV_MERGEABLE, 0, 0), 0);
	rx_touch(f, pid, cpu, a, n);
}

static void kx_region(struct fx *f, int pid, unsigned cpu, uint64_t a, uint64_t n, uint64_t content)
{
	kx_region_flags(f, pid, cpu, a, n, content, 0);
}

/* What the hardware walker does on a write through a clean translation: set the PTE's dirty bit. */
static void kx_write(struct fx *f, int pid, uint64_t va)
{
	uint64_t slot;
	struct process *p = os_proc(f->os, pid);
	assert_int_equal(pgtable_lookup(f->pm, p->pgd_pfn, va, &slot), 1);
	pmem_write64(f->pm, slot, pmem_read64(f->pm, slot) | PTE_D);
}

/* One full scan (ksm_do_scan stops at the end of one with a large pages_to_scan). */
static void kx_full_scan(struct fx *f)
{
	(void)ksm_do_scan(f->os, 0, 0);
}

static uint64_t kx_pfn(struct fx *f, int pid, uint64_t a)
{
	uint64_t pte = fx_pte(f, pid, a, NULL);
	assert_true(pte & PTE_P);
	return pte_pfn(pte);
}

/* The value of `name` in the --dump ksm view. */
static long long kx_view(struct fx *f, const char *name)
{
	char buf[2048], key[64];
	FILE *fp = tmpfile();
	long long v = -1;
	ksm_dump(f->os, fp);
	rewind(fp);
	while (fgets(buf, sizeof(buf), fp))
		if (sscanf(buf, "%63s %lld", key, &v) == 2 && !strcmp(key, name)) {
			fclose(fp);
			return v;
		}
	fclose(fp);
	fail_msg("no %s in the ksm view", name);
	return -1;
}

/*
 * cmp_and_merge_page: the first scan only records each page's checksum
 * (pages_volatile); the second finds them unchanged: the first goes to the
 * unstable tree, the second merges with it (try_to_merge_two_pages: the
 * page being scanned becomes the KSM page), the others join it through
 * the stable tree.  Every mapping is read-only and points at one frame;
 * the three other frames are freed.
 */
static void merge_after_two_scans(void **state)
{
	struct fx *f = kx_new(1, true);
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000;
	(void)state;

	kx_region(f, pid, 0, a, 4, 7);
	uint64_t second = kx_pfn(f, pid, a + 0x1000), free0 = fx_free_pages(f);
	kx_full_scan(f);
	assert_int_equal(kx_view(f, "full_scans"), 1);
	assert_int_equal(kx_view(f, "pages_shared"), 0);
	assert_int_equal(kx_view(f, "pages_volatile"), 4);
	assert_int_equal(kx_view(f, "pages_scanned"), 4);
	kx_full_scan(f);
	assert_int_equal(kx_view(f, "full_scans"), 2);
	assert_int_equal(kx_view(f, "pages_shared"), 1);
	assert_int_equal(kx_view(f, "pages_sharing"), 3);
	assert_int_equal(kx_view(f, "pages_unshared"), 0);
	assert_int_equal(kx_view(f, "pages_volatile"), 0);
	/* general_profit = pages_sharing * 4096 - rmap_items * 64 */
	assert_int_equal(kx_view(f, "general_profit"), 3 * 4096 - 4 * 64);
	for (unsigned i = 0; i < 4; i++) {
		uint64_t pte = fx_pte(f, pid, a + i * 0x1000ULL, NULL);
		assert_int_equal(pte_pfn(pte), second);
		assert_false(pte & PTE_RW);
	}
	struct page *k = pfn_to_page(fx_phys(f), second);
	assert_true(page_test(k, PG_ksm));
	assert_int_equal(k->mapcount, 4);
	assert_int_equal(k->refcount, 4);
	assert_int_equal(fx_free_pages(f), free0 + 3);
	assert_int_equal(rx_node(f, 0, NR_ANON_MAPPED), 1);
	assert_int_equal(os_proc(f->os, pid)->rss_anon, 4);   /* RSS counts mappings, as in Linux */
	/* a third scan changes nothing */
	kx_full_scan(f);
	assert_int_equal(kx_view(f, "pages_sharing"), 3);
	fx_free(f);
}

/*
 * A page written since ksmd's last visit has another checksum: it stays
 * volatile that scan (the dirty bit the hardware sets records the write),
 * and with PGC_KEEP (rewrites keep the data) merges at the next one.
 * Undeclared (unique) pages never merge and count as pages_unshared.
 */
static void written_pages_wait(void **state)
{
	struct fx *f = kx_new(1, true);
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000, b = 0x20000000;
	(void)state;

	kx_region_flags(f, pid, 0, a, 2, 9, PGC_KEEP);
	kx_region(f, pid, 0, b, 3, 0);   /* unique contents */
	kx_full_scan(f);
	kx_write(f, pid, a + 0x1000);
	uint64_t slot;
	struct process *p = os_proc(f->os, pid);
	assert_int_equal(pgtable_lookup(f->pm, p->pgd_pfn, a + 0x1000, &slot), 1);
	kx_full_scan(f);
	assert_int_equal(kx_view(f, "pages_shared"), 0);
	assert_int_equal(kx_view(f, "pages_unshared"), 4);    /* a, and the three unique pages */
	assert_int_equal(kx_view(f, "pages_volatile"), 1);    /* the written one */
	assert_false(pmem_read64(f->pm, slot) & PTE_D);       /* moved to PG_dirty */
	assert_true(page_test(rx_page(f, pid, a + 0x1000), PG_dirty));
	kx_full_scan(f);
	assert_int_equal(kx_view(f, "pages_shared"), 1);
	assert_int_equal(kx_view(f, "pages_sharing"), 1);
	assert_int_equal(kx_view(f, "pages_unshared"), 3);
	fx_free(f);
}

/*
 * Without PGC_KEEP a page written again after a visit found it clean holds
 * data of its own: a KSM page's copy (the write that broke the sharing)
 * never merges back, until a new page_content record declares its
 * contents again.  With PGC_KEEP the copy holds the same data and merges
 * into the KSM page at the next visit (stable_tree_search comes first).
 */
static void rewrite_makes_unique(void **state)
{
	(void)state;
	for (uint32_t keep = 0; keep <= PGC_KEEP; keep += PGC_KEEP) {
		struct fx *f = kx_new(1, true);
		int pid = fx_proc(f, false);
		uint64_t a = 0x10000000;
		char err[128];
		sim_time_t c;

		kx_region_flags(f, pid, 0, a, 2, 9, keep);
		kx_full_scan(f);
		kx_full_scan(f);
		assert_int_equal(kx_view(f, "pages_sharing"), 1);
		assert_int_equal(os_handle_fault(f->os, pid, 0, 0, 0, a + 0x1000, true, HW_FAULT_WRITE, &c), OS_FAULT_RETRY);
		assert_int_equal(rx_ev(f, COW_KSM), 1);
		kx_full_scan(f);
		if (keep) {
			assert_int_equal(kx_view(f, "pages_sharing"), 1);
			assert_int_equal(kx_pfn(f, pid, a), kx_pfn(f, pid, a + 0x1000));
			fx_free(f);
			continue;
		}
		kx_full_scan(f);
		kx_full_scan(f);
		assert_int_equal(kx_view(f, "pages_shared"), 1);     /* page a alone maps it */
		assert_int_equal(kx_view(f, "pages_sharing"), 0);
		assert_int_equal(kx_view(f, "pages_unshared"), 1);
		/* declared again: the same contents as the KSM page */
		assert_int_equal(os_page_content(f->os, pid, a + 0x1000, 0x1000, 9, 0, 0, err, sizeof(err)), 0);
		kx_full_scan(f);
		assert_int_equal(kx_view(f, "pages_sharing"), 1);
		assert_int_equal(os_page_content(f->os, pid, a, 0x1000, 9, 0, 2, err, sizeof(err)), -SIM_ERANGE);
		fx_free(f);
	}
}

/*
 * A write to a KSM page faults (read-only) and copies it: do_wp_page never
 * reuses a KSM folio, even its last mapper (cow_ksm each time); the copy is
 * private and writable.  When the last mapping goes, the KSM page is freed
 * and leaves the stable tree.
 */
static void cow_break(void **state)
{
	struct fx *f = kx_new(1, true);
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000;
	(void)state;

	kx_region(f, pid, 0, a, 3, 5);
	kx_full_scan(f);
	kx_full_scan(f);
	uint64_t kpfn = kx_pfn(f, pid, a);
	assert_int_equal(kx_view(f, "pages_shared"), 1);
	sim_time_t c;
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(os_handle_fault(f->os, pid, 0, 0, 0, a + i * 0x1000ULL, true, HW_FAULT_WRITE, &c),
				 OS_FAULT_RETRY);
		assert_int_equal(rx_ev(f, COW_KSM), i + 1);
		uint64_t pte = fx_pte(f, pid, a + i * 0x1000ULL, NULL);
		assert_true((pte & PTE_RW) && (pte & PTE_D));
		assert_true(pte_pfn(pte) != kpfn);
		assert_false(page_test(pfn_to_page(fx_phys(f), pte_pfn(pte)), PG_ksm));
	}
	assert_int_equal(ksm_pages_shared(f->os), 0);   /* the last copy freed it */
	assert_int_equal(rx_node(f, 0, NR_ANON_MAPPED), 3);
	/* the copies were written: their data is their own now (no PGC_KEEP), they never merge again */
	for (int i = 0; i < 3; i++)
		kx_full_scan(f);
	assert_int_equal(ksm_pages_shared(f->os), 0);
	assert_int_equal(kx_view(f, "pages_unshared"), 3);
	fx_free(f);
}

/*
 * merge_across_nodes 0: one stable and one unstable tree per node
 * (get_kpfn_nid): identical pages on different nodes stay apart, each node
 * keeps its own KSM page.  With 1 they merge into one page, whose node is
 * that of the page scanned second (the other process then maps a remote page).
 */
static void merge_across_nodes(void **state)
{
	(void)state;
	for (int across = 1; across >= 0; across--) {
		struct fx *f = kx_new(2, across);
		int p0 = fx_proc(f, false), p1 = fx_proc(f, false);
		uint64_t a = 0x10000000;

		kx_region(f, p0, 0, a, 2, 11);   /* node 0 (CPUs 0-1) */
		kx_region(f, p1, 2, a, 2, 11);   /* node 1 (CPUs 2-3) */
		assert_int_equal(rx_page(f, p1, a)->node, 1);
		kx_full_scan(f);
		kx_full_scan(f);
		if (across) {
			assert_int_equal(kx_view(f, "pages_shared"), 1);
			assert_int_equal(kx_view(f, "pages_sharing"), 3);
			assert_int_equal(kx_pfn(f, p0, a), kx_pfn(f, p1, a + 0x1000));
			assert_int_equal(rx_page(f, p0, a)->node, 0);   /* p0's second page, scanned before p1's */
		} else {
			assert_int_equal(kx_view(f, "merge_across_nodes"), 0);
			assert_int_equal(kx_view(f, "pages_shared"), 2);
			assert_int_equal(kx_view(f, "pages_sharing"), 2);
			assert_int_equal(rx_page(f, p0, a)->node, 0);
			assert_int_equal(rx_page(f, p1, a)->node, 1);
			assert_true(kx_pfn(f, p0, a) != kx_pfn(f, p1, a));
		}
		fx_free(f);
	}
}

/* MADV_UNMERGEABLE (unmerge_ksm_pages) copies every KSM page of the range back and stops the scanning. */
static void unmergeable(void **state)
{
	struct fx *f = kx_new(1, true);
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000;
	(void)state;

	kx_region(f, pid, 0, a, 4, 3);
	kx_full_scan(f);
	kx_full_scan(f);
	assert_int_equal(kx_view(f, "pages_sharing"), 3);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MADVISE, a, 4 << PAGE_SHIFT, KX_MADV_UNMERGEABLE, 0, 0), 0);
	assert_int_equal(rx_ev(f, COW_KSM), 4);
	assert_int_equal(ksm_pages_shared(f->os), 0);
	assert_int_equal(rx_node(f, 0, NR_ANON_MAPPED), 4);
	kx_full_scan(f);
	kx_full_scan(f);
	assert_int_equal(ksm_pages_shared(f->os), 0);     /* no longer VM_MERGEABLE */
	assert_int_equal(kx_view(f, "pages_volatile"), 0);
	fx_free(f);
}

/* Zero-filled pages (PGC_ZERO) are identical to each other: with use_zero_pages 0 they merge into one KSM page. */
static void zero_pages_merge(void **state)
{
	struct fx *f = kx_new(1, true);
	int pid = fx_proc(f, false);
	(void)state;

	kx_region_flags(f, pid, 0, 0x10000000, 2, 0, PGC_ZERO);
	kx_region_flags(f, pid, 0, 0x20000000, 1, 0, PGC_ZERO);
	kx_full_scan(f);
	kx_full_scan(f);
	assert_int_equal(kx_view(f, "pages_shared"), 1);
	assert_int_equal(kx_view(f, "pages_sharing"), 2);
	assert_int_equal(kx_view(f, "ksm_zero_pages"), 0);
	fx_free(f);
}

/* ksm/run 0 (the default): ksmd does nothing. */
static void run_off(void **state)
{
	struct os_cfg c = fx_os_cfg();
	struct fx *f = fx_new_cfg(1, 64, 2, &c);
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000;
	(void)state;

	assert_false(c.ksm.run);
	kx_region(f, pid, 0, a, 4, 7);
	assert_int_equal(ksm_do_scan(f->os, 0, 0), 0);
	assert_int_equal(ksm_do_scan(f->os, 0, 0), 0);
	assert_int_equal(ksm_pages_shared(f->os), 0);
	assert_int_equal(kx_view(f, "run"), 0);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(merge_after_two_scans),
		cmocka_unit_test(written_pages_wait),
		cmocka_unit_test(rewrite_makes_unique),
		cmocka_unit_test(cow_break),
		cmocka_unit_test(merge_across_nodes),
		cmocka_unit_test(unmergeable),
		cmocka_unit_test(zero_pages_merge),
		cmocka_unit_test(run_off),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
