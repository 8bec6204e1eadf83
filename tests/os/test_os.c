/*
 * tests/os/test_os.c - the OS facade: system calls and what they do to
 * VMAs and page tables (mmap placement, MAP_FIXED, munmap / mprotect /
 * madvise / mbind splitting and merging, brk), rejected calls, numa_maps
 * text (sources.md §12.6), the JSON report, and the leak check: after
 * every process exits the allocator is back to its initial free count.
 */
#include <jansson.h>
#include "tests/os/os_fixture.h"

#define PROT_RW   3
#define PROT_R    1
#define MAP_PRIV_ANON  0x22
#define MAP_SHARED_ANON 0x21
#define MAP_FIXED_     0x10
#define MAP_FIXED_NOREPLACE_ 0x100000
#define MAP_POPULATE_  0x8000
#define MAP_HUGETLB_   0x40000
#define MAP_HUGE_1GB_  (30u << 26)
#define TOP            0x7ffff7fff000ULL

static struct process *P(struct fx *f, int pid)
{
	return os_proc(f->os, pid);
}

static void expect_vmas(struct fx *f, int pid, unsigned n, const uint64_t (*want)[2])
{
	struct process *p = P(f, pid);
	assert_int_equal(p->mm.nr_vma, n);
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(p->mm.vma[i].start, want[i][0]);
		assert_int_equal(p->mm.vma[i].end, want[i][1]);
	}
}

static void touch(struct fx *f, int pid, uint64_t a, uint64_t len, bool write)
{
	for (uint64_t x = a; x < a + len; x += 0x1000)
		assert_int_equal(fx_fault(f, pid, 0, x, write, NULL), OS_FAULT_RETRY);
}

static void mmap_placement(void **state)
{
	struct fx *f = fx_new(2, 64, 2);
	(void)state;

	int pid = fx_proc(f, false);
	/* top-down from mmap_base; adjacent compatible anonymous mappings merge */
	fx_mmap_at(f, pid, 0, 0x1000, PROT_RW, MAP_PRIV_ANON);
	fx_mmap_at(f, pid, 0, 0x2000, PROT_RW, MAP_PRIV_ANON);
	expect_vmas(f, pid, 1, (const uint64_t[][2]){ { TOP - 0x3000, TOP } });
	assert_int_equal(P(f, pid)->mm.vma[0].pgoff, (TOP - 0x3000) >> 12);
	/* a read-only one does not merge */
	fx_mmap_at(f, pid, 0, 0x1000, PROT_R, MAP_PRIV_ANON);
	assert_int_equal(P(f, pid)->mm.nr_vma, 2);
	/* whole 2 MiB multiples are THP-aligned (6.12) */
	fx_mmap_at(f, pid, 0, 0x400000, PROT_RW, MAP_PRIV_ANON);
	assert_int_equal(P(f, pid)->mm.vma[0].start, 0x7ffff7a00000ULL);   /* highest 2 MiB boundary that fits */
	/* a free hint is honoured, a busy one is not */
	fx_mmap_at(f, pid, 0x200000000ULL, 0x1000, PROT_R, MAP_PRIV_ANON);
	assert_non_null(vma_lookup(&P(f, pid)->mm, 0x200000000ULL));
	fx_mmap_at(f, pid, 0x200000000ULL, 0x1000, PROT_RW, MAP_PRIV_ANON);
	assert_int_equal(vma_lookup(&P(f, pid)->mm, 0x200000000ULL)->flags & VM_WRITE, 0);
	/* the recorded address wins */
	assert_int_equal(fx_sys6(f, pid, 0, OS_SYS_MMAP, 0, 0x3000, PROT_RW, MAP_PRIV_ANON, -1, 0, 0x300000000ULL,
				 NULL), 0);
	assert_non_null(vma_lookup(&P(f, pid)->mm, 0x300002000ULL));
	/* a recorded failure maps nothing */
	unsigned n = (unsigned)P(f, pid)->mm.nr_vma;
	assert_int_equal(fx_sys6(f, pid, 0, OS_SYS_MMAP, 0, 0x3000, PROT_RW, MAP_PRIV_ANON, -1, 0, (uint64_t)-12,
				 NULL), 0);
	assert_int_equal(P(f, pid)->mm.nr_vma, n);
	fx_free(f);
}

static void mmap_fixed_and_rejects(void **state)
{
	struct fx *f = fx_new(2, 64, 2);
	char err[256];
	(void)state;

	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000, free0;
	fx_mmap_at(f, pid, a, 0x4000, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	touch(f, pid, a, 0x4000, true);
	free0 = fx_free_pages(f);
	/* MAP_FIXED over the middle unmaps those pages and splits around them */
	fx_mmap_at(f, pid, a + 0x1000, 0x2000, PROT_R, MAP_PRIV_ANON | MAP_FIXED_);
	assert_int_equal(fx_free_pages(f), free0 + 2);
	expect_vmas(f, pid, 3, (const uint64_t[][2]){ { a, a + 0x1000 }, { a + 0x1000, a + 0x3000 },
						      { a + 0x3000, a + 0x4000 } });
	assert_int_equal(fx_pte(f, pid, a + 0x1000, NULL), 0);
	/* MAP_FIXED_NOREPLACE refuses */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MMAP, a, 0x1000, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_NOREPLACE_, -1),
			 -SIM_ESTATE);
	/* file-backed, 1 GiB pages, bad type, zero length, unaligned fixed */
	struct os_syscall sc = { .nr = OS_SYS_MMAP, .args = { 0, 0x1000, PROT_R, 0x02, 3, 0 }, .ret = FX_NONE };
	sim_time_t cost;
	/* file mappings go to the page cache (os/filemap.h, tests/os/test_filemap.c) */
	assert_int_equal(os_syscall(f->os, pid, 0, 0, 0, &sc, &cost, err, sizeof(err)), 0);
	assert_int_equal(cost, FX_SYSCALL_PS);
	/* 1 GiB pages without a 1 GiB pool: ENOMEM at reservation (tests/os/test_hugetlb.c); 2^25 is no hstate */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MMAP, 0, 1ULL << 30, PROT_RW, MAP_PRIV_ANON | MAP_HUGETLB_ | MAP_HUGE_1GB_,
				-1), -SIM_EOOM);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MMAP, 0, 1ULL << 30, PROT_RW, MAP_PRIV_ANON | MAP_HUGETLB_ | (25u << 26),
				-1), -SIM_ERANGE);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MMAP, 0, 0x1000, PROT_RW, 0x20, -1), -SIM_ERANGE);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MMAP, 0, 0, PROT_RW, MAP_PRIV_ANON, -1), -SIM_ERANGE);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MMAP, 0x10000800, 0x1000, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_, -1),
			 -SIM_ERANGE);
	/* MAP_POPULATE: private writable memory is written in */
	fx_mmap_at(f, pid, 0x20000000, 0x3000, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_ | MAP_POPULATE_);
	assert_int_equal(P(f, pid)->rss_anon, 2 + 3);
	assert_true(fx_pte(f, pid, 0x20002000, NULL) & PTE_RW);
	fx_mmap_at(f, pid, 0x30000000, 0x1000, PROT_R, MAP_PRIV_ANON | MAP_FIXED_ | MAP_POPULATE_);
	assert_true(fx_pte(f, pid, 0x30000000, NULL) & PTE_SPECIAL);
	/* unknown system call, dead process */
	sc.nr = NR_OS_SYSCALLS;
	assert_int_equal(os_syscall(f->os, pid, 0, 0, 0, &sc, &cost, err, sizeof(err)), -SIM_ERANGE);
	os_process_exit(f->os, pid);
	sc.nr = OS_SYS_BRK;
	assert_int_equal(os_syscall(f->os, pid, 0, 0, 0, &sc, &cost, err, sizeof(err)), -SIM_ESTATE);
	fx_free(f);
}

static void munmap_splits_and_frees(void **state)
{
	struct os_cfg hc_ = fx_os_cfg();
	/* a 4-page hugetlb pool per node: MAP_HUGETLB reserves from it */
	hc_.nr_hugepages[0] = 4;
	hc_.nr_hugepages[1] = 4;
	hc_.nr_nr_hugepages = 2;
	struct fx *f = fx_new_cfg(2, 64, 2, &hc_);
	sim_time_t cost;
	(void)state;

	uint64_t free_start = fx_free_pages(f);
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000;
	fx_mmap_at(f, pid, a, 0x10000, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	touch(f, pid, a, 0x10000, true);
	uint64_t free0 = fx_free_pages(f);
	assert_int_equal(fx_sys6(f, pid, 0, OS_SYS_MUNMAP, a + 0x4000, 0x3001, 0, 0, 0, 0, FX_NONE, &cost), 0);
	/* length rounded up to 4 pages; one flush of 4 pages */
	assert_int_equal(cost, FX_SYSCALL_PS + 4 * FX_INVLPG_PS);
	assert_int_equal(fx_free_pages(f), free0 + 4);
	expect_vmas(f, pid, 2, (const uint64_t[][2]){ { a, a + 0x4000 }, { a + 0x8000, a + 0x10000 } });
	assert_int_equal(fx_pte(f, pid, a + 0x5000, NULL), 0);
	assert_int_equal(fx_fault(f, pid, 0, a + 0x5000, false, NULL), OS_FAULT_SEGV);
	/* the tables stay while a VMA remains in their span; they go with the last one */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MUNMAP, a, 0x10000, 0, 0, 0), 0);
	assert_int_equal(P(f, pid)->mm.nr_vma, 0);
	assert_int_equal(fx_free_pages(f), free_start - 1);   /* only the root is left */
	/* unmapping nothing is fine; unaligned or empty is EINVAL */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MUNMAP, a, 0x1000, 0, 0, 0), 0);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MUNMAP, a + 1, 0x1000, 0, 0, 0), -SIM_ERANGE);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MUNMAP, a, 0, 0, 0, 0), -SIM_ERANGE);
	/* a hugetlb mapping cannot be split inside a huge page */
	fx_mmap_at(f, pid, 0x40000000, 0x400000, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_ | MAP_HUGETLB_);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MUNMAP, 0x40001000, 0x1000, 0, 0, 0), -SIM_ERANGE);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MUNMAP, 0x40200000, 0x200000, 0, 0, 0), 0);
	assert_int_equal(P(f, pid)->mm.vma[0].end, 0x40200000);
	fx_free(f);
}

static void mprotect_split_merge(void **state)
{
	struct fx *f = fx_new(2, 64, 2);
	sim_time_t cost;
	(void)state;

	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000;
	fx_mmap_at(f, pid, a, 0x4000, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	touch(f, pid, a, 0x4000, true);
	assert_int_equal(fx_sys6(f, pid, 0, OS_SYS_MPROTECT, a + 0x1000, 0x2000, PROT_R, 0, 0, 0, FX_NONE, &cost), 0);
	assert_int_equal(cost, FX_SYSCALL_PS + 2 * FX_INVLPG_PS);
	expect_vmas(f, pid, 3, (const uint64_t[][2]){ { a, a + 0x1000 }, { a + 0x1000, a + 0x3000 },
						      { a + 0x3000, a + 0x4000 } });
	assert_false(fx_pte(f, pid, a + 0x1000, NULL) & PTE_RW);
	assert_true(fx_pte(f, pid, a, NULL) & PTE_RW);
	assert_int_equal(fx_fault(f, pid, 0, a + 0x2000, true, NULL), OS_FAULT_SEGV);
	/* back to RW: one VMA again, exclusive pages writable again without faults */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MPROTECT, a + 0x1000, 0x2000, PROT_RW, 0, 0), 0);
	expect_vmas(f, pid, 1, (const uint64_t[][2]){ { a, a + 0x4000 } });
	assert_true(fx_pte(f, pid, a + 0x2000, NULL) & PTE_RW);
	/* PROT_NONE keeps the frame but clears P */
	uint64_t pfn = pte_pfn(fx_pte(f, pid, a, NULL));
	assert_int_equal(fx_sys(f, pid, OS_SYS_MPROTECT, a, 0x1000, 0, 0, 0), 0);
	uint64_t pte = fx_pte(f, pid, a, NULL);
	assert_int_equal(pte & (PTE_P | PTE_PROTNONE), PTE_PROTNONE);
	assert_int_equal(pte_pfn(pte), pfn);
	assert_int_equal(fx_fault(f, pid, 0, a, false, NULL), OS_FAULT_SEGV);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MPROTECT, a, 0x1000, PROT_RW, 0, 0), 0);
	assert_true(fx_pte(f, pid, a, NULL) & PTE_P);
	/* COW-shared pages stay read-only after mprotect(RW) */
	int child;
	assert_int_equal(os_process_fork(f->os, pid, 0, &child), 0);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MPROTECT, a, 0x4000, PROT_R, 0, 0), 0);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MPROTECT, a, 0x4000, PROT_RW, 0, 0), 0);
	assert_false(fx_pte(f, pid, a, NULL) & PTE_RW);
	/* a hole: ENOMEM, the part before the hole is changed (as Linux) */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MPROTECT, a + 0x3000, 0x3000, PROT_R, 0, 0), -SIM_ERANGE);
	assert_int_equal(vma_lookup(&P(f, pid)->mm, a + 0x3000)->flags & VM_WRITE, 0);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MPROTECT, a, 0x1000, 0x10, 0, 0), -SIM_ERANGE);
	fx_free(f);
}

static void madvise_effects(void **state)
{
	struct fx *f = fx_new(2, 64, 2);
	(void)state;

	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000;
	fx_mmap_at(f, pid, a, 0x4000, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	touch(f, pid, a, 0x4000, true);
	uint64_t free0 = fx_free_pages(f);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MADVISE, a, 0x2000, 4 /* DONTNEED */, 0, 0), 0);
	assert_int_equal(fx_free_pages(f), free0 + 2);
	assert_int_equal(P(f, pid)->mm.nr_vma, 1);
	fx_fault(f, pid, 0, a, false, NULL);
	assert_true(fx_pte(f, pid, a, NULL) & PTE_SPECIAL);   /* refault reads zeroes */
	/* MADV_HUGEPAGE marks (and splits) the range for THP; NOHUGEPAGE flips it; NORMAL merges nothing */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MADVISE, a + 0x1000, 0x1000, 14, 0, 0), 0);
	assert_int_equal(P(f, pid)->mm.nr_vma, 3);
	assert_true(P(f, pid)->mm.vma[1].flags & VM_HUGEPAGE);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MADVISE, a + 0x1000, 0x1000, 15, 0, 0), 0);
	assert_true(P(f, pid)->mm.vma[1].flags & VM_NOHUGEPAGE);
	assert_false(P(f, pid)->mm.vma[1].flags & VM_HUGEPAGE);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MADVISE, a, 0x4000, 0, 0, 0), 0);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MADVISE, a, 0x1000, 99, 0, 0), -SIM_ERANGE);
	/* unmapped parts: ENOMEM, the mapped part is still advised */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MADVISE, a + 0x3000, 0x2000, 14, 0, 0), -SIM_ERANGE);
	assert_true(vma_lookup(&P(f, pid)->mm, a + 0x3000)->flags & VM_HUGEPAGE);
	/* DONTFORK / WIPEONFORK */
	fx_mmap_at(f, pid, 0x20000000, 0x1000, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	fx_mmap_at(f, pid, 0x30000000, 0x1000, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	touch(f, pid, 0x30000000, 0x1000, true);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MADVISE, 0x20000000, 0x1000, 10, 0, 0), 0);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MADVISE, 0x30000000, 0x1000, 18, 0, 0), 0);
	int child;
	assert_int_equal(os_process_fork(f->os, pid, 0, &child), 0);
	assert_null(vma_lookup(&P(f, child)->mm, 0x20000000));
	assert_non_null(vma_lookup(&P(f, child)->mm, 0x30000000));
	assert_int_equal(fx_pte(f, child, 0x30000000, NULL), 0);
	assert_true(fx_pte(f, pid, 0x30000000, NULL) & PTE_RW);   /* not write-protected: not shared */
	fx_mmap_at(f, pid, 0x40000000, 0x1000, PROT_RW, MAP_SHARED_ANON | MAP_FIXED_);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MADVISE, 0x40000000, 0x1000, 18, 0, 0), -SIM_ERANGE);
	/* MADV_POPULATE_WRITE */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MADVISE, a + 0x1000, 0x1000, 23, 0, 0), 0);
	assert_true(fx_pte(f, pid, a + 0x1000, NULL) & PTE_RW);
	fx_free(f);
}

static void mbind_ranges(void **state)
{
	struct fx *f = fx_new(2, 64, 2);
	char err[256];
	sim_time_t cost;
	(void)state;

	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000;
	fx_mmap_at(f, pid, a, 0x4000, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MBIND, a + 0x1000, 0x2000, MPOL_BIND, 0x2, 0), 0);
	assert_int_equal(P(f, pid)->mm.nr_vma, 3);
	assert_int_equal(P(f, pid)->mm.vma[1].pol.mode, MPOL_BIND);
	/* MPOL_DEFAULT removes it and the pieces merge again */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MBIND, a + 0x1000, 0x2000, MPOL_DEFAULT, 0, 0), 0);
	assert_int_equal(P(f, pid)->mm.nr_vma, 1);
	/* holes: EFAULT, nothing changes */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MBIND, a + 0x3000, 0x2000, MPOL_BIND, 0x2, 0), -SIM_EFAULT);
	assert_int_equal(P(f, pid)->mm.nr_vma, 1);
	/* bad mode or mask, bad flags */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MBIND, a, 0x1000, MPOL_BIND, 0, 0), -SIM_ERANGE);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MBIND, a, 0x1000, MPOL_BIND, 0x1, 0x80), -SIM_ERANGE);
	/* STRICT: pages already on node 0 make bind:{1} fail with EIO, after installing the policy */
	touch(f, pid, a, 0x2000, true);
	struct os_syscall sc = { .nr = OS_SYS_MBIND, .args = { a, 0x4000, MPOL_BIND, 0x2, MPOL_MF_STRICT },
				 .ret = FX_NONE };
	assert_int_equal(os_syscall(f->os, pid, 0, 0, 0, &sc, &cost, err, sizeof(err)), -SIM_ESTATE);
	assert_non_null(strstr(err, "EIO"));
	assert_non_null(strstr(err, "2 page(s)"));
	assert_int_equal(P(f, pid)->mm.vma[0].pol.mode, MPOL_BIND);
	/* STRICT with the pages' own node is fine */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MBIND, a, 0x4000, MPOL_BIND, 0x1, MPOL_MF_STRICT), 0);
	/* MOVE: the two pages on node 0 migrate to node 1 (os/migrate.c; tests/os/test_migrate.c) */
	sc.args[4] = MPOL_MF_MOVE;
	assert_int_equal(os_syscall(f->os, pid, 0, 0, 0, &sc, &cost, err, sizeof(err)), 0);
	assert_int_equal(vmstat_event(fx_phys(f), PGMIGRATE_SUCCESS), 2);
	assert_int_equal(P(f, pid)->mm.vma[0].pol.nodes.bits[0], 0x2);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MBIND, a + 0x2000, 0x2000, MPOL_INTERLEAVE, 0x2, MPOL_MF_MOVE), 0);
	/* move_pages back to node 0 and migrate_pages are implemented */
	sc = (struct os_syscall){ .nr = OS_SYS_MOVE_PAGES, .args = { a, 1, 0, 0 }, .ret = FX_NONE };
	assert_int_equal(os_syscall(f->os, pid, 0, 0, 0, &sc, &cost, err, sizeof(err)), 0);
	assert_int_equal(vmstat_event(fx_phys(f), PGMIGRATE_SUCCESS), 3);
	/* file I/O goes to the page cache (tests/os/test_filemap.c); a negative fd is EBADF */
	sc = (struct os_syscall){ .nr = OS_SYS_FILE_READ, .args = { 3, 1, 1 }, .ret = FX_NONE };
	assert_int_equal(os_syscall(f->os, pid, 0, 0, 0, &sc, &cost, err, sizeof(err)), 0);
	sc.args[0] = (uint64_t)-1;
	assert_int_equal(os_syscall(f->os, pid, 0, 0, 0, &sc, &cost, err, sizeof(err)), -SIM_ERANGE);
	assert_non_null(strstr(err, "EBADF"));
	fx_free(f);
}

static void brk_heap(void **state)
{
	struct fx *f = fx_new(2, 64, 2);
	(void)state;

	int pid = fx_proc(f, false);
	uint64_t base = 0x555555559000ULL;
	assert_int_equal(fx_sys6(f, pid, 0, OS_SYS_BRK, 0, 0, 0, 0, 0, 0, base, NULL), 0);
	assert_int_equal(P(f, pid)->mm.start_brk, base);
	assert_int_equal(P(f, pid)->mm.nr_vma, 0);
	assert_int_equal(fx_sys6(f, pid, 0, OS_SYS_BRK, base + 0x21000, 0, 0, 0, 0, 0, base + 0x21000, NULL), 0);
	expect_vmas(f, pid, 1, (const uint64_t[][2]){ { base, base + 0x21000 } });
	assert_int_equal(fx_sys6(f, pid, 0, OS_SYS_BRK, base + 0x42800, 0, 0, 0, 0, 0, FX_NONE, NULL), 0);
	expect_vmas(f, pid, 1, (const uint64_t[][2]){ { base, base + 0x43000 } });
	touch(f, pid, base + 0x30000, 0x2000, true);
	char *maps = fx_numa_maps(f, pid);
	assert_string_equal(maps, "555555559000 default heap anon=2 dirty=2 active=0 N0=2 kernelpagesize_kB=4\n");
	free(maps);
	/* shrinking unmaps */
	assert_int_equal(fx_sys6(f, pid, 0, OS_SYS_BRK, base + 0x10000, 0, 0, 0, 0, 0, FX_NONE, NULL), 0);
	expect_vmas(f, pid, 1, (const uint64_t[][2]){ { base, base + 0x10000 } });
	assert_int_equal(P(f, pid)->rss_anon, 0);
	/* below start_brk: refused silently (brk returns the old value) */
	assert_int_equal(fx_sys6(f, pid, 0, OS_SYS_BRK, 0x1000, 0, 0, 0, 0, 0, FX_NONE, NULL), 0);
	assert_int_equal(P(f, pid)->mm.brk, base + 0x10000);
	fx_free(f);
}

/* numa_maps for a small scenario, byte for byte. */
static void numa_maps_text(void **state)
{
	struct os_cfg hc_ = fx_os_cfg();
	/* a 4-page hugetlb pool per node: MAP_HUGETLB reserves from it */
	hc_.nr_hugepages[0] = 4;
	hc_.nr_hugepages[1] = 4;
	hc_.nr_nr_hugepages = 2;
	struct fx *f = fx_new_cfg(2, 64, 2, &hc_);
	(void)state;

	int pid = fx_proc(f, false);
	uint64_t A = 0x7f0000000000ULL;
	fx_mmap_at(f, pid, A, 0x4000, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MBIND, A, 0x4000, MPOL_INTERLEAVE, 0x3, 0), 0);
	touch(f, pid, A, 0x4000, true);
	fx_mmap_at(f, pid, A + 0x100000, 0x2000, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MBIND, A + 0x100000, 0x2000, MPOL_BIND, 0x2, 0), 0);
	touch(f, pid, A + 0x100000, 0x1000, true);
	fx_mmap_at(f, pid, A + 0x200000, 0x3000, PROT_R, MAP_PRIV_ANON | MAP_FIXED_);
	touch(f, pid, A + 0x200000, 0x3000, false);   /* zero page only: no counts */
	fx_mmap_at(f, pid, A + 0x300000, 0x2000, PROT_RW, MAP_SHARED_ANON | MAP_FIXED_);
	touch(f, pid, A + 0x300000, 0x1000, false);
	fx_mmap_at(f, pid, A + 0x400000, 0x200000, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_ | MAP_HUGETLB_);
	touch(f, pid, A + 0x400000, 0x1000, true);
	char *maps = fx_numa_maps(f, pid);
	assert_string_equal(maps,
			    "7f0000000000 interleave:0-1 anon=4 dirty=4 active=0 N0=2 N1=2 kernelpagesize_kB=4\n"
			    "7f0000100000 bind:1 anon=1 dirty=1 active=0 N1=1 kernelpagesize_kB=4\n"
			    "7f0000200000 default\n"
			    "7f0000300000 default file=/dev/zero\\040(deleted) mapped=1 active=0 N0=1 kernelpagesize_kB=4\n"
			    "7f0000400000 default file=/anon_hugepage\\040(deleted) huge anon=1 dirty=1 N0=1 "
			    "kernelpagesize_kB=2048\n");
	free(maps);
	/* the task policy shows on VMAs without their own; fork shows mapmax */
	assert_int_equal(fx_sys(f, pid, OS_SYS_SET_MEMPOLICY, MPOL_PREFERRED, 0x2, 0, 0, 0), 0);
	int child;
	assert_int_equal(os_process_fork(f->os, pid, 0, &child), 0);
	maps = fx_numa_maps(f, child);
	assert_string_equal(maps,
			    "7f0000000000 interleave:0-1 anon=4 dirty=4 mapmax=2 active=0 N0=2 N1=2 kernelpagesize_kB=4\n"
			    "7f0000100000 bind:1 anon=1 dirty=1 mapmax=2 active=0 N1=1 kernelpagesize_kB=4\n"
			    "7f0000200000 prefer:1\n"
			    "7f0000300000 prefer:1 file=/dev/zero\\040(deleted)\n"
			    "7f0000400000 prefer:1 file=/anon_hugepage\\040(deleted) huge anon=1 dirty=1 mapmax=2 N0=1 "
			    "kernelpagesize_kB=2048\n");
	free(maps);
	/* the combined view heads each live process */
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	assert_int_equal(os_dump(f->os, "numa_maps", fp), 0);
	assert_int_equal(os_dump(f->os, "numa_maps-99", fp), -SIM_EUSAGE);
	assert_int_equal(os_dump(f->os, "no_such_view", fp), -SIM_EUSAGE);
	assert_int_equal(os_dump(f->os, "buddyinfo", fp), 0);
	fclose(fp);
	assert_non_null(strstr(buf, "==> /proc/1/numa_maps <==\n7f0000000000 interleave"));
	assert_non_null(strstr(buf, "==> /proc/2/numa_maps <=="));
	assert_non_null(strstr(buf, "Node 0, zone"));
	free(buf);
	fx_free(f);
}

static void process_policy_spec(void **state)
{
	struct fx *f = fx_new(2, 64, 2);
	struct mpol_spec sp;
	char err[128];
	(void)state;

	int pid = fx_proc(f, true);
	assert_int_equal(mpol_spec_parse("weighted-interleave:0=1,1=2", 2, &sp, err, sizeof(err)), 0);
	assert_int_equal(os_set_process_policy(f->os, pid, &sp), 0);
	/* implicit mapping, ilx = vpn: weights 1,2 -> 0 1 1 0 1 1 */
	const unsigned want[6] = { 0, 1, 1, 0, 1, 1 };
	for (unsigned i = 0; i < 6; i++) {
		uint64_t a = 0x3000000 + i * 0x1000ULL;   /* vpn 0x3000 is a multiple of 3 */
		assert_int_equal(fx_fault(f, pid, 0, a, true, NULL), OS_FAULT_RETRY);
		assert_int_equal(pfn_to_nid(fx_phys(f), pte_pfn(fx_pte(f, pid, a, NULL))), want[i]);
	}
	assert_int_equal(mpol_spec_parse("bind:1", 2, &sp, err, sizeof(err)), 0);
	assert_int_equal(os_set_process_policy(f->os, pid, &sp), 0);
	assert_int_equal(os_set_process_policy(f->os, 77, &sp), -SIM_ESTATE);
	fx_free(f);
}

/* Everything allocated by a busy scenario returns to the allocator when the processes exit. */
static void leak_check(void **state)
{
	struct os_cfg hc_ = fx_os_cfg();
	/* a 4-page hugetlb pool per node: MAP_HUGETLB reserves from it */
	hc_.nr_hugepages[0] = 4;
	hc_.nr_hugepages[1] = 4;
	hc_.nr_nr_hugepages = 2;
	struct fx *f = fx_new_cfg(2, 64, 2, &hc_);
	(void)state;

	uint64_t free0 = fx_free_pages(f);
	int pid = fx_proc(f, true);
	fx_mmap_at(f, pid, 0, 0x40000, PROT_RW, MAP_PRIV_ANON);
	uint64_t a = P(f, pid)->mm.vma[0].start;
	assert_int_equal(fx_sys(f, pid, OS_SYS_MBIND, a, 0x20000, MPOL_INTERLEAVE, 0x3, 0), 0);
	touch(f, pid, a, 0x40000, true);
	fx_mmap_at(f, pid, 0x60000000, 0x8000, PROT_RW, MAP_SHARED_ANON | MAP_FIXED_);
	touch(f, pid, 0x60000000, 0x8000, false);
	fx_mmap_at(f, pid, 0x80000000ULL, 0x400000, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_ | MAP_HUGETLB_);
	touch(f, pid, 0x80000000ULL, 0x1000, true);
	touch(f, pid, 0x123456000ULL, 0x3000, true);   /* implicit */
	int c1, c2;
	assert_int_equal(os_process_fork(f->os, pid, 0, &c1), 0);
	assert_int_equal(os_process_fork(f->os, c1, 0, &c2), 0);
	touch(f, c1, a, 0x10000, true);
	touch(f, c2, 0x60000000, 0x8000, true);
	touch(f, c2, 0x80200000ULL, 0x1000, true);
	assert_int_equal(fx_sys(f, c1, OS_SYS_MUNMAP, a + 0x8000, 0x10000, 0, 0, 0), 0);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MADVISE, a, 0x8000, 4, 0, 0), 0);
	assert_true(fx_free_pages(f) < free0 - 100);
	os_process_exit(f->os, c1);
	os_process_exit(f->os, pid);
	os_process_exit(f->os, c2);
	os_process_exit(f->os, c2);   /* twice is harmless */
	assert_int_equal(fx_free_pages(f), free0);
	for (unsigned n = 0; n < 2; n++) {
		assert_int_equal(node_stat(fx_phys(f), n, NR_ANON_MAPPED), 0);
		assert_int_equal(node_stat(fx_phys(f), n, NR_FILE_MAPPED), 0);
		assert_int_equal(node_stat(fx_phys(f), n, NR_SHMEM), 0);
		assert_int_equal(node_stat(fx_phys(f), n, NR_FILE_PAGES), 0);
		assert_int_equal(node_stat(fx_phys(f), n, NR_PAGETABLE), 0);
	}
	/* the page tables' frames hold no stale contents in pmem (only the zero page's frame may) */
	assert_true(pmem_nr_pages(f->pm) <= 1);
	char err[256];
	assert_int_equal(buddy_verify(fx_phys(f), err, sizeof(err)), 0);
	fx_free(f);
}

static void json_report(void **state)
{
	struct fx *f = fx_new(2, 64, 2);
	rep_t *r;
	(void)state;

	int pid = fx_proc(f, false);
	fx_mmap_at(f, pid, 0x10000000, 0x3000, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MBIND, 0x10000000, 0x3000, MPOL_BIND, 0x2, 0), 0);
	touch(f, pid, 0x10000000, 0x3000, true);
	assert_int_equal(rep_create(&r), 0);
	rep_obj_begin(r, "os");
	os_report(f->os, r);
	rep_obj_end(r);
	json_t *os = json_object_get(rep_root(r), "os");
	assert_non_null(json_object_get(os, "numastat"));
	json_t *procs = json_object_get(os, "processes");
	assert_int_equal(json_array_size(procs), 1);
	json_t *p = json_array_get(procs, 0);
	assert_int_equal(json_integer_value(json_object_get(p, "pid")), pid);
	assert_int_equal(json_integer_value(json_object_get(p, "rss")), 3);
	assert_string_equal(json_string_value(json_object_get(p, "policy")), "default");
	json_t *pages = json_object_get(p, "pages_per_node");
	assert_int_equal(json_integer_value(json_array_get(pages, 0)), 0);
	assert_int_equal(json_integer_value(json_array_get(pages, 1)), 3);
	json_t *pt = json_object_get(p, "page_table_pages_per_node");
	assert_int_equal(json_integer_value(json_array_get(pt, 0)), 4);
	assert_int_equal(json_integer_value(json_array_get(pt, 1)), 0);
	rep_destroy(r);
	fx_free(f);
}

/*
 * os_dump's one view table: os_dump_views lists each name once, in the
 * `--dump` order (the allocator's /proc files, the OS's, the memcg files),
 * every listed name prints (0), the patterned names numa_maps-PID and
 * numastat-nodeN print, anything else is -SIM_EUSAGE.
 */
static void dump_view_table(void **state)
{
	static const char *const want[] = {
		"buddyinfo", "pagetypeinfo", "zoneinfo", "numastat", "vmstat", "numa_maps", "meminfo-hugetlb",
		"meminfo", "node-meminfo", "slabinfo", "smaps", "smaps_rollup", "cma", "memory-blocks", "zswap",
		"zram", "ksm", "memory_tiers", "memory.stat", "memory.numa_stat", "memory.events",
		"memory.current", "memory.peak",
	};
	struct fx *f = fx_new(2, 64, 2);
	int pid = fx_proc(f, false);
	char name[32];
	size_t n = 0;
	(void)state;

	while (os_dump_views[n])
		n++;
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(os_dump_views[i], want[i]);
		FILE *fp = fopen("/dev/null", "w");
		assert_non_null(fp);
		assert_int_equal(os_dump(f->os, os_dump_views[i], fp), 0);
		fclose(fp);
	}
	FILE *fp = fopen("/dev/null", "w");
	assert_non_null(fp);
	snprintf(name, sizeof(name), "numa_maps-%d", pid);
	assert_int_equal(os_dump(f->os, name, fp), 0);
	assert_int_equal(os_dump(f->os, "numastat-node1", fp), 0);
	assert_int_equal(os_dump(f->os, "numastat-node2", fp), -SIM_EUSAGE);
	assert_int_equal(os_dump(f->os, "memory.bogus", fp), -SIM_EUSAGE);
	assert_int_equal(os_dump(f->os, "smaps_", fp), -SIM_EUSAGE);
	fclose(fp);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dump_view_table),
		cmocka_unit_test(mmap_placement),
		cmocka_unit_test(mmap_fixed_and_rejects),
		cmocka_unit_test(munmap_splits_and_frees),
		cmocka_unit_test(mprotect_split_merge),
		cmocka_unit_test(madvise_effects),
		cmocka_unit_test(mbind_ranges),
		cmocka_unit_test(brk_heap),
		cmocka_unit_test(numa_maps_text),
		cmocka_unit_test(process_policy_spec),
		cmocka_unit_test(leak_check),
		cmocka_unit_test(json_report),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
