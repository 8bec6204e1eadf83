/*
 * tests/os/test_smaps.c - /proc/PID/smaps and smaps_rollup (os/smaps.c),
 * against fs/proc/task_mmu.c: Rss counts the pages the page tables map
 * (not the zero page), Pss divides a shared page by its map count
 * (smaps_account), a swap entry counts in Swap and SwapPss
 * (smaps_pte_entry), the rollup is the sum of the VMAs, and the text is
 * show_smap's.
 */
#include "tests/os/reclaim_fixture.h"
#include "os/lru.h"
#include "os/smaps.h"
#include "os/swap.h"

static struct mem_size_stats gather(struct fx *f, int pid)
{
	struct mem_size_stats m;
	const struct process *p = os_proc(f->os, pid);
	memset(&m, 0, sizeof(m));
	for (size_t i = 0; i < p->mm.nr_vma; i++)
		smaps_gather(f->os, p, i, &m);
	return m;
}

/* Rss = pages mapped; the zero page of a read fault is not counted (vm_normal_page). */
static void rss_is_pages_mapped(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 16);
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000;
	(void)state;

	fx_mmap_at(f, pid, a, 16 * PAGE_SIZE, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	rx_touch(f, pid, 0, a, 4);
	assert_int_equal(fx_fault(f, pid, 0, a + 8 * PAGE_SIZE, false, NULL), OS_FAULT_RETRY);   /* zero page */
	struct mem_size_stats m = gather(f, pid);
	assert_int_equal(m.resident, 4 * PAGE_SIZE);
	assert_int_equal(m.pss >> PSS_SHIFT, 4 * PAGE_SIZE);
	assert_int_equal(m.private_dirty, 4 * PAGE_SIZE);
	assert_int_equal(m.anonymous, 4 * PAGE_SIZE);
	assert_int_equal(m.shared_dirty + m.shared_clean + m.private_clean, 0);
	fx_free(f);
}

/* mlock: Locked is the Pss of the VM_LOCKED VMA (smaps_page_accumulate), and VmFlags shows "lo". */
static void locked_is_pss_of_locked_vma(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 16);
	int pid = fx_proc(f, false), child;
	uint64_t a = 0x10000000, b = 0x20000000;
	(void)state;

	fx_mmap_at(f, pid, a, 4 * PAGE_SIZE, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	fx_mmap_at(f, pid, b, 4 * PAGE_SIZE, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	rx_touch(f, pid, 0, b, 4);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MLOCK, a, 4 * PAGE_SIZE, 0, 0, 0), 0);   /* populates a */
	assert_int_equal(os_process_fork(f->os, pid, 0, &child), 0);   /* shares a's pages: Pss halves */
	struct mem_size_stats m = gather(f, pid);
	assert_int_equal(m.resident, 8 * PAGE_SIZE);
	assert_int_equal(m.pss_locked >> PSS_SHIFT, 2 * PAGE_SIZE);
	char *txt = fx_dump(f, "smaps");
	assert_non_null(strstr(txt, "Locked:                8 kB"));
	assert_non_null(strstr(txt, " me lo "));   /* VmFlags of the locked VMA */
	free(txt);
	fx_free(f);
}

/* After fork both map each page: Pss is half; a COW copy makes the page private on both sides. */
static void pss_after_fork(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 16);
	int parent = fx_proc(f, false), child;
	uint64_t a = 0x10000000;
	(void)state;

	fx_mmap_at(f, parent, a, 4 * PAGE_SIZE, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	rx_touch(f, parent, 0, a, 4);
	assert_int_equal(os_process_fork(f->os, parent, 0, &child), 0);
	struct mem_size_stats pm = gather(f, parent), cm = gather(f, child);
	assert_int_equal(pm.resident, 4 * PAGE_SIZE);
	assert_int_equal(cm.resident, 4 * PAGE_SIZE);
	assert_int_equal(pm.pss >> PSS_SHIFT, 2 * PAGE_SIZE);
	assert_int_equal(cm.pss >> PSS_SHIFT, 2 * PAGE_SIZE);
	assert_int_equal(pm.shared_dirty, 4 * PAGE_SIZE);   /* the parent's entries were dirty */
	assert_int_equal(pm.private_dirty + pm.private_clean, 0);
	/* the child writes page 0: its copy is private, and the parent's original is mapped once again */
	assert_int_equal(fx_fault(f, child, 0, a, true, NULL), OS_FAULT_RETRY);
	pm = gather(f, parent);
	cm = gather(f, child);
	assert_int_equal(cm.pss >> PSS_SHIFT, PAGE_SIZE + 3 * PAGE_SIZE / 2);
	assert_int_equal(pm.pss >> PSS_SHIFT, PAGE_SIZE + 3 * PAGE_SIZE / 2);
	assert_int_equal(cm.private_dirty, PAGE_SIZE);
	fx_free(f);
}

/* A page swapped out: out of Rss, into Swap and SwapPss. */
static void swap_after_swap_out(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 16);
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000;
	sim_time_t c = 0;
	(void)state;

	fx_mmap_at(f, pid, a, 4 * PAGE_SIZE, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	rx_touch(f, pid, 0, a, 4);
	struct page *pg = rx_page(f, pid, a);
	assert_true(lru_isolate(f->os, pg));
	pg->refcount++;
	assert_int_equal(swap_out_page(f->os, pg, 0, 0, &c), SWAPOUT_WRITEBACK);
	pg->refcount--;
	lru_putback(f->os, pg);
	struct mem_size_stats m = gather(f, pid);
	assert_int_equal(m.resident, 3 * PAGE_SIZE);
	assert_int_equal(m.swap, PAGE_SIZE);
	assert_int_equal(m.swap_pss >> PSS_SHIFT, PAGE_SIZE);
	fx_free(f);
}

/* smaps_pmd_entry: a PMD-mapped THP is AnonHugePages and 512 private pages; THPeligible follows the mode. */
static void thp_is_anon_huge_pages(void **state)
{
	struct os_cfg c = fx_os_cfg();
	c.thp = THP_ALWAYS;
	c.compaction_proactiveness = 0;
	struct fx *f = fx_new_cfg(1, 64, 2, &c);
	int pid = fx_proc(f, false);
	uint64_t a = 0x40000000;
	(void)state;

	fx_mmap_at(f, pid, a, 4 << 20, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	fx_mmap_at(f, pid, 0x50000000, 1 << 20, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);   /* no aligned 2 MiB inside */
	assert_int_equal(fx_fault(f, pid, 0, a + 0x1234, true, NULL), OS_FAULT_RETRY);
	struct mem_size_stats m = gather(f, pid);
	assert_int_equal(m.anonymous_thp, 2 << 20);
	assert_int_equal(m.resident, 2 << 20);
	assert_int_equal(m.private_dirty, 2 << 20);
	assert_int_equal(m.pss >> PSS_SHIFT, 2 << 20);
	char *s = fx_dump(f, "smaps");
	assert_non_null(strstr(s, "AnonHugePages:      2048 kB\n"));
	assert_non_null(strstr(s, "THPeligible:           1\nVmFlags: rd wr mr mw me ac sd \n50000000-50100000"));
	assert_non_null(strstr(s, "50100000 rw-p 00000000 00:00 0 \n"));
	assert_int_equal(strstr(s, "THPeligible:           0\n") > strstr(s, "50000000-50100000"), 1);
	free(s);
	fx_free(f);
}

/* smaps_hugetlb_range: hugetlb pages are Private_Hugetlb, not Rss; the header names the hugetlbfs file. */
static void hugetlb_is_not_rss(void **state)
{
	struct os_cfg c = fx_os_cfg();
	c.nr_hugepages[0] = 4;
	c.nr_nr_hugepages = 1;
	struct fx *f = fx_new_cfg(1, 64, 2, &c);
	int pid = fx_proc(f, false);
	uint64_t a = 0x40000000;
	(void)state;

	fx_mmap_at(f, pid, a, 4 << 20, PROT_RW, 0x40022 | MAP_FIXED_);   /* MAP_HUGETLB */
	assert_int_equal(fx_fault(f, pid, 0, a, true, NULL), OS_FAULT_RETRY);
	struct mem_size_stats m = gather(f, pid);
	assert_int_equal(m.private_hugetlb, 2 << 20);
	assert_int_equal(m.shared_hugetlb + m.resident + (m.pss >> PSS_SHIFT), 0);
	char *s = fx_dump(f, "smaps");
	assert_non_null(strstr(s, "Size:               4096 kB\nKernelPageSize:     2048 kB\nMMUPageSize:        2048 kB\n"
				  "Rss:                   0 kB\n"));
	assert_non_null(strstr(s, "Private_Hugetlb:    2048 kB\n"));
	assert_non_null(strstr(s, "VmFlags: rd wr mr mw me de ht sd \n"));
	assert_non_null(strstr(s, " /anon_hugepage (deleted)\n"));
	free(s);
	fx_free(f);
}

/* show_smaps_rollup: one header "[rollup]" line and the sums; show_smap's layout per VMA. */
static void rollup_is_the_sum_and_text(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 16);
	int pid = fx_proc(f, false);
	(void)state;

	fx_mmap_at(f, pid, 0x10000000, 16 * PAGE_SIZE, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	fx_mmap_at(f, pid, 0x20000000, 16 * PAGE_SIZE, 1, MAP_PRIV_ANON | MAP_FIXED_);
	rx_touch(f, pid, 0, 0x10000000, 3);
	char *s = fx_dump(f, "smaps"), *r = fx_dump(f, "smaps_rollup");
	assert_non_null(strstr(s, "==> /proc/1/smaps <==\n10000000-10010000 rw-p 00000000 00:00 0 \n"
				  "Size:                 64 kB\nKernelPageSize:        4 kB\nMMUPageSize:           4 kB\n"
				  "Rss:                  12 kB\nPss:                  12 kB\nPss_Dirty:            12 kB\n"));
	assert_non_null(strstr(s, "Private_Hugetlb:       0 kB\n"));
	assert_non_null(strstr(s, "THPeligible:           0\nVmFlags: rd wr mr mw me ac sd \n"));
	assert_non_null(strstr(s, "20000000-20010000 r--p 00000000 00:00 0 \n"));
	assert_non_null(strstr(s, "VmFlags: rd mr mw me sd \n"));
	assert_non_null(strstr(r, "==> /proc/1/smaps_rollup <==\n10000000-20010000 ---p 00000000 00:00 0"
				  "                                  [rollup]\nRss:                  12 kB\n"
				  "Pss:                  12 kB\nPss_Dirty:            12 kB\nPss_Anon:             12 kB\n"));
	free(s);
	free(r);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rss_is_pages_mapped),
		cmocka_unit_test(pss_after_fork),
		cmocka_unit_test(locked_is_pss_of_locked_vma),
		cmocka_unit_test(swap_after_swap_out),
		cmocka_unit_test(thp_is_anon_huge_pages),
		cmocka_unit_test(hugetlb_is_not_rss),
		cmocka_unit_test(rollup_is_the_sum_and_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
