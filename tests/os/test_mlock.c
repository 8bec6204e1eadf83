/*
 * tests/os/test_mlock.c - mlock, munlock, mlockall and the unevictable LRU
 * (Linux 6.12 mm/mlock.c; Documentation/mm/unevictable-lru.rst).
 */
#include "tests/os/reclaim_fixture.h"
#include "os/compaction.h"
#include "os/mlock.h"
#include "os/mempolicy.h"
#include "os/thp.h"

#define A 0x10000000ULL

static uint64_t zone_mlock(struct fx *f, unsigned nid)
{
	uint64_t n = 0;
	for (unsigned z = 0; z < MAX_NR_ZONES; z++)
		n += zone_stat(fx_phys(f), nid, z, NR_MLOCK);
	return n;
}

/*
 * do_mlock + __mm_populate: mlock of untouched private writable memory
 * faults every page in (write faults), each page is PG_mlocked and moved
 * to the unevictable list (mlock_folio / __mlock_folio count
 * unevictable_pgs_mlocked and unevictable_pgs_culled), nr_mlock and
 * nr_unevictable count it, mm->locked_vm the VMA's pages.  munlock
 * (__munlock_folio) returns each to an evictable list: munlocked and
 * rescued.  mlock rounds an unaligned range out to pages.
 */
static void mlock_populates_and_counts(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 0);
	int pid = fx_proc(f, false);
	(void)state;

	fx_mmap_at(f, pid, A, 16 << PAGE_SHIFT, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	/* [A + 0x800, +8 pages) covers 9 pages */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MLOCK, A + 0x800, 8 << PAGE_SHIFT, 0, 0, 0), 0);
	struct process *p = os_proc(f->os, pid);
	assert_int_equal(p->mm.locked_vm, 9);
	assert_int_equal(p->rss_anon, 9);
	assert_int_equal(p->mm.nr_vma, 2);    /* locked head, unlocked tail */
	assert_true(p->mm.vma[0].flags & VM_LOCKED);
	assert_false(p->mm.vma[1].flags & VM_LOCKED);
	struct page *pg = rx_page(f, pid, A + (3 << PAGE_SHIFT));
	assert_true(page_test(pg, PG_mlocked) && page_test(pg, PG_unevictable) && page_test(pg, PG_lru));
	assert_int_equal(pg->mlock_count, 1);
	assert_int_equal(rx_node(f, 0, NR_UNEVICTABLE), 9);
	assert_int_equal(zone_mlock(f, 0), 9);
	assert_int_equal(rx_ev(f, UNEVICTABLE_PGMLOCKED), 9);
	assert_int_equal(rx_ev(f, UNEVICTABLE_PGCULLED), 9);
	/* locking again changes nothing (mlock_fixup: no work when VM_LOCKED stays) */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MLOCK, A, 9 << PAGE_SHIFT, 0, 0, 0), 0);
	assert_int_equal(rx_ev(f, UNEVICTABLE_PGMLOCKED), 9);
	assert_int_equal(p->mm.locked_vm, 9);
	/* munlock of 4 pages: back to the inactive anon list */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MUNLOCK, A, 4 << PAGE_SHIFT, 0, 0, 0), 0);
	assert_int_equal(p->mm.locked_vm, 5);
	assert_false(page_test(pg, PG_mlocked) || page_test(pg, PG_unevictable));
	assert_int_equal(rx_node(f, 0, NR_UNEVICTABLE), 5);
	assert_int_equal(zone_mlock(f, 0), 5);
	assert_int_equal(rx_ev(f, UNEVICTABLE_PGMUNLOCKED), 4);
	assert_int_equal(rx_ev(f, UNEVICTABLE_PGRESCUED), 4);
	/* munmap of locked pages: munlocked on unmap (munlock_vma_folio), then freed */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MUNMAP, A, 16 << PAGE_SHIFT, 0, 0, 0), 0);
	assert_int_equal(p->mm.locked_vm, 0);
	assert_int_equal(rx_node(f, 0, NR_UNEVICTABLE), 0);
	assert_int_equal(zone_mlock(f, 0), 0);
	assert_int_equal(rx_ev(f, UNEVICTABLE_PGMUNLOCKED), 9);
	lru_check(f->os);
	fx_free(f);
}

/*
 * MLOCK_ONFAULT (mlock2): nothing is populated; pages faulted later in
 * the VMA are mlocked as they arrive (folio_add_lru_vma -> mlock_new_folio).
 * Invalid flags are EINVAL; a hole is ENOMEM (apply_vma_lock_flags).
 */
static void onfault_and_errors(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 0);
	int pid = fx_proc(f, false);
	(void)state;

	fx_mmap_at(f, pid, A, 8 << PAGE_SHIFT, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MLOCK, A, 8 << PAGE_SHIFT, 2, 0, 0), -SIM_ERANGE);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MLOCK, A, 8 << PAGE_SHIFT, MLOCK_ONFAULT, 0, 0), 0);
	struct process *p = os_proc(f->os, pid);
	assert_int_equal(p->rss_anon, 0);
	assert_int_equal(p->mm.locked_vm, 8);
	assert_true(p->mm.vma[0].flags & VM_LOCKONFAULT);
	rx_touch(f, pid, 0, A, 2);
	assert_int_equal(rx_node(f, 0, NR_UNEVICTABLE), 2);
	assert_int_equal(zone_mlock(f, 0), 2);
	/* a hole after the mapping: ENOMEM */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MLOCK, A, 9 << PAGE_SHIFT, 0, 0, 0), -SIM_ERANGE);
	fx_free(f);
}

/*
 * RLIMIT_MEMLOCK (do_mlock): locked_vm + the request, minus pages of the
 * range already locked (count_mm_mlocked_page_nr), must stay within the
 * limit, else ENOMEM.  os.memlock_limit = 8 pages here.
 */
static void memlock_limit(void **state)
{
	struct os_cfg c = fx_os_cfg();
	c.memlock_limit = 8 << PAGE_SHIFT;
	struct fx *f = fx_new_cfg(1, 64, 2, &c);
	int pid = fx_proc(f, false);
	(void)state;

	fx_mmap_at(f, pid, A, 16 << PAGE_SHIFT, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MLOCK, A, 9 << PAGE_SHIFT, 0, 0, 0), -SIM_ERANGE);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MLOCK, A, 6 << PAGE_SHIFT, 0, 0, 0), 0);
	/* 6 locked + 4 new of which 2 are already locked = 8: allowed */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MLOCK, A + (4 << PAGE_SHIFT), 4 << PAGE_SHIFT, 0, 0, 0), 0);
	assert_int_equal(os_proc(f->os, pid)->mm.locked_vm, 8);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MLOCK, A + (8 << PAGE_SHIFT), 1 << PAGE_SHIFT, 0, 0, 0), -SIM_ERANGE);
	fx_free(f);
}

/*
 * Reclaim never evicts an mlocked page: the unevictable list is not
 * scanned (shrink_node walks the four evictable lists only).  A process
 * locks 1024 pages, then another writes 1.5x the node's memory with swap
 * behind it: pages are swapped out, the locked ones all stay present.
 */
static void reclaim_skips_locked(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 128);
	int locker = fx_proc(f, false), hog = fx_proc(f, false);
	uint64_t n = 1024, big = 24576;
	(void)state;

	fx_mmap_at(f, locker, A, n << PAGE_SHIFT, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	assert_int_equal(fx_sys(f, locker, OS_SYS_MLOCK, A, n << PAGE_SHIFT, 0, 0, 0), 0);
	fx_mmap_at(f, hog, 0x40000000, big << PAGE_SHIFT, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	rx_touch(f, hog, 1, 0x40000000, big);
	rx_run_events(f);
	assert_true(rx_ev(f, PSWPOUT) > 0);
	for (uint64_t i = 0; i < n; i++)
		assert_true(fx_pte(f, locker, A + (i << PAGE_SHIFT), NULL) & PTE_P);
	assert_int_equal(os_proc(f->os, locker)->swapents, 0);
	assert_int_equal(rx_node(f, 0, NR_UNEVICTABLE), n);
	lru_check(f->os);
	fx_free(f);
}

/*
 * mlockall(MCL_CURRENT | MCL_FUTURE): existing VMAs are locked and
 * populated; a later mmap inherits VM_LOCKED from mm->def_flags and is
 * populated at mmap (do_mmap).  munlockall clears both.  fork does not
 * inherit locks (dup_mmap clears VM_LOCKED).
 */
static void mlockall_future(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 0);
	int pid = fx_proc(f, false), child;
	(void)state;

	fx_mmap_at(f, pid, A, 4 << PAGE_SHIFT, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MLOCK, 0, 0, MLOCK_REC_ALL | MCL_CURRENT | MCL_FUTURE, 0, 0), 0);
	struct process *p = os_proc(f->os, pid);
	assert_int_equal(p->rss_anon, 4);
	fx_mmap_at(f, pid, A + (1 << 20), 4 << PAGE_SHIFT, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	assert_int_equal(p->rss_anon, 8);
	assert_int_equal(p->mm.locked_vm, 8);
	assert_int_equal(rx_node(f, 0, NR_UNEVICTABLE), 8);
	assert_int_equal(os_process_fork(f->os, pid, 0, &child), 0);
	struct process *c = os_proc(f->os, child);
	assert_int_equal(c->mm.locked_vm, 0);
	assert_false(c->mm.vma[0].flags & VM_LOCKED);
	/* the child's unmap of shared COW pages leaves them locked by the parent */
	os_process_exit(f->os, child);
	assert_int_equal(rx_node(f, 0, NR_UNEVICTABLE), 8);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MUNLOCK, 0, UINT64_MAX, 0, 0, 0), 0);
	assert_int_equal(p->mm.locked_vm, 0);
	assert_int_equal(p->mm.def_flags, 0);
	assert_int_equal(rx_node(f, 0, NR_UNEVICTABLE), 0);
	assert_int_equal(zone_mlock(f, 0), 0);
	fx_mmap_at(f, pid, A + (2 << 20), 4 << PAGE_SHIFT, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	assert_int_equal(p->rss_anon, 8);
	lru_check(f->os);
	fx_free(f);
}

/*
 * Compaction and mlocked pages (mm/compaction.c isolate_migratepages_block:
 * unevictable pages are isolated only with ISOLATE_UNEVICTABLE, which
 * compaction sets from vm.compact_unevictable_allowed).  With the default 1
 * locked pages migrate and stay locked (PG_mlocked, the unevictable list
 * and nr_mlock move with them); with 0 compaction leaves them where they are.
 */
static void compaction_and_locked_pages(void **state)
{
	(void)state;
	for (unsigned allowed = 0; allowed <= 1; allowed++) {
		struct os_cfg c = fx_os_cfg();
		c.memlock_limit = UINT64_MAX;
		c.compaction_proactiveness = 0;
		c.compact_unevictable_allowed = allowed;
		struct fx *f = fx_new_cfg(1, 64, 2, &c);
		int pid = fx_proc(f, false);
		uint64_t len = 48ULL << 20;
		fx_mmap_at(f, pid, A, len, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
		assert_int_equal(fx_sys(f, pid, OS_SYS_MLOCK, A, len, 0, 0, 0), 0);
		for (uint64_t off = PAGE_SIZE; off < len; off += 2 * PAGE_SIZE)
			assert_int_equal(fx_sys(f, pid, OS_SYS_MUNMAP, A + off, PAGE_SIZE, 0, 0, 0), 0);
		uint64_t locked = 6144;
		assert_int_equal(zone_mlock(f, 0), locked);
		drain_all_pages(fx_phys(f));
		compact_all(f->os, 0, 0);
		uint64_t moved = rx_ev(f, PGMIGRATE_SUCCESS);
		if (allowed)
			assert_true(moved > 0);
		else
			assert_int_equal(moved, 0);
		assert_int_equal(zone_mlock(f, 0), locked);
		assert_int_equal(rx_node(f, 0, NR_UNEVICTABLE), locked);
		for (uint64_t off = 0; off < len; off += 2 * PAGE_SIZE) {
			struct page *pg = rx_page(f, pid, A + off);
			assert_true(page_test(pg, PG_mlocked) && page_test(pg, PG_unevictable) && pg->mlock_count == 1);
		}
		lru_check(f->os);
		fx_free(f);
	}
}

/*
 * munlock_vma_folio sits in the rmap removal path (Linux mm/rmap.c
 * __folio_remove_rmap), so every way a locked mapping goes away munlocks
 * the page before it is freed.  khugepaged's collapse of a locked range
 * (collapse_huge_page -> __collapse_huge_page_copy_succeeded ->
 * folio_remove_rmap_pte) munlocks the 256 small pages -- munlocked and
 * rescued, none freed still mlocked (unevictable_pgs_cleared 0) -- and the
 * new THP mapped through the locked VMA is mlocked (folio_add_lru_vma:
 * mlock_count 1).  Migration (mm/migrate.c since 5.18: PG_mlocked is not
 * copied; the source is munlocked per mapping, the destination mlocked per
 * mapping) keeps Mlocked and Unevictable exact: 512 before, 512 after,
 * the destination's mlock_count 1, never doubled.  munmap leaves 0.
 */
static void collapse_and_migrate_keep_mlock_exact(void **state)
{
	struct os_cfg c = rx_cfg(0);
	c.thp = THP_MADVISE;
	c.compaction_proactiveness = 0;
	struct fx *f = fx_new_cfg(2, 64, 2, &c);
	int pid = fx_proc(f, false);
	uint64_t a = 0x40000000;
	(void)state;

	fx_mmap_at(f, pid, a, 2 << 20, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MLOCK, a, 2 << 20, MLOCK_ONFAULT, 0, 0), 0);
	for (uint64_t off = 0; off < (2 << 20); off += 2 * PAGE_SIZE)
		fx_fault(f, pid, 0, a + off, true, NULL);
	assert_int_equal(zone_mlock(f, 0), 256);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MADVISE, a, 2 << 20, 14 /* MADV_HUGEPAGE */, 0, 0), 0);
	khugepaged_scan(f->os, 0, 0);
	assert_int_equal(vmstat_event(fx_phys(f), THP_COLLAPSE_ALLOC), 1);
	struct page *hp = rx_page(f, pid, a);
	assert_int_equal(hp->order, HPAGE_PMD_ORDER);
	assert_true(page_test(hp, PG_mlocked) && page_test(hp, PG_unevictable));
	assert_int_equal(hp->mlock_count, 1);
	assert_int_equal(rx_ev(f, UNEVICTABLE_PGCLEARED), 0);
	assert_int_equal(rx_ev(f, UNEVICTABLE_PGMUNLOCKED), 256);
	assert_int_equal(zone_mlock(f, 0), 512);
	assert_int_equal(rx_node(f, 0, NR_UNEVICTABLE), 512);
	lru_check(f->os);

	/* move_pages of the locked THP to node 1 */
	uint64_t mlocked_ev = rx_ev(f, UNEVICTABLE_PGMLOCKED);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MBIND, a, 2 << 20, MPOL_BIND, 1u << 1, MPOL_MF_MOVE), 0);
	hp = rx_page(f, pid, a);
	assert_int_equal(hp->node, 1);
	assert_true(page_test(hp, PG_mlocked) && page_test(hp, PG_unevictable));
	assert_int_equal(hp->mlock_count, 1);
	assert_int_equal(zone_mlock(f, 0), 0);
	assert_int_equal(zone_mlock(f, 1), 512);
	assert_int_equal(rx_node(f, 0, NR_UNEVICTABLE), 0);
	assert_int_equal(rx_node(f, 1, NR_UNEVICTABLE), 512);
	assert_int_equal(rx_ev(f, UNEVICTABLE_PGMLOCKED), mlocked_ev + 512);
	assert_int_equal(rx_ev(f, UNEVICTABLE_PGCLEARED), 0);
	lru_check(f->os);

	assert_int_equal(fx_sys(f, pid, OS_SYS_MUNMAP, a, 2 << 20, 0, 0, 0), 0);
	assert_int_equal(zone_mlock(f, 1), 0);
	assert_int_equal(rx_node(f, 1, NR_UNEVICTABLE), 0);
	assert_int_equal(rx_ev(f, UNEVICTABLE_PGCLEARED), 0);
	lru_check(f->os);
	fx_free(f);
}

/*
 * COW break in a locked VMA (mm/memory.c wp_page_copy: the old page's
 * rmap goes -- folio_remove_rmap_pte -> munlock_vma_folio -- and the copy's
 * comes -- folio_add_new_anon_rmap + folio_add_lru_vma -> mlock).  After
 * fork (the child's VMAs unlocked, dup_mmap) the parent writes its 4
 * locked pages: the copies are mlocked, the originals (still the child's)
 * munlocked and rescued, nr_mlock stays 4, nothing is counted twice.
 */
static void cow_break_moves_mlock(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 0);
	int pid = fx_proc(f, false), child;
	(void)state;

	fx_mmap_at(f, pid, A, 4 << PAGE_SHIFT, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MLOCK, A, 4 << PAGE_SHIFT, 0, 0, 0), 0);
	assert_int_equal(os_process_fork(f->os, pid, 0, &child), 0);
	struct page *old = rx_page(f, pid, A);
	for (unsigned i = 0; i < 4; i++)
		fx_fault(f, pid, 0, A + ((uint64_t)i << PAGE_SHIFT), true, NULL);
	struct page *cp = rx_page(f, pid, A);
	assert_ptr_not_equal(cp, old);
	assert_true(page_test(cp, PG_mlocked) && page_test(cp, PG_unevictable) && cp->mlock_count == 1);
	assert_false(page_test(old, PG_mlocked) || page_test(old, PG_unevictable));
	assert_int_equal(zone_mlock(f, 0), 4);
	assert_int_equal(rx_node(f, 0, NR_UNEVICTABLE), 4);
	assert_int_equal(rx_ev(f, UNEVICTABLE_PGMLOCKED), 8);
	assert_int_equal(rx_ev(f, UNEVICTABLE_PGMUNLOCKED), 4);
	os_process_exit(f->os, child);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MUNMAP, A, 4 << PAGE_SHIFT, 0, 0, 0), 0);
	assert_int_equal(zone_mlock(f, 0), 0);
	assert_int_equal(rx_node(f, 0, NR_UNEVICTABLE), 0);
	assert_int_equal(rx_ev(f, UNEVICTABLE_PGCLEARED), 0);
	lru_check(f->os);
	fx_free(f);
}

/*
 * A THP faulted into a VM_LOCKED VMA starts with mlock_count 1 (Linux
 * mm/huge_memory.c __do_huge_pmd_anonymous_page -> map_anon_folio_pmd:
 * folio_add_lru_vma -> mlock_new_folio, the folio goes straight to the
 * unevictable list with mlock_count 1).  mlock_count counts locked
 * mappings: after mprotect read-only and fork, the child's mlock makes it
 * 2 and the child's munlock brings it back to 1, so the parent's THP stays
 * PG_mlocked and unevictable, Mlocked 512 pages.
 */
static void thp_fault_in_locked_vma(void **state)
{
	struct os_cfg c = rx_cfg(0);
	c.thp = THP_ALWAYS;
	c.compaction_proactiveness = 0;
	struct fx *f = fx_new_cfg(1, 64, 2, &c);
	int pid = fx_proc(f, false), child;
	uint64_t a = 0x40000000;
	(void)state;

	fx_mmap_at(f, pid, a, 2 << 20, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MLOCK, a, 2 << 20, 0, 0, 0), 0);
	struct page *hp = rx_page(f, pid, a);
	assert_int_equal(hp->order, HPAGE_PMD_ORDER);
	assert_true(page_test(hp, PG_mlocked) && page_test(hp, PG_unevictable));
	assert_int_equal(hp->mlock_count, 1);
	assert_int_equal(zone_mlock(f, 0), 512);

	assert_int_equal(fx_sys(f, pid, OS_SYS_MPROTECT, a, 2 << 20, 1 /* PROT_READ */, 0, 0), 0);
	assert_int_equal(os_process_fork(f->os, pid, 0, &child), 0);
	assert_ptr_equal(rx_page(f, child, a), hp);
	assert_int_equal(fx_sys(f, child, OS_SYS_MLOCK, a, 2 << 20, 0, 0, 0), 0);
	assert_int_equal(hp->mlock_count, 2);
	assert_int_equal(fx_sys(f, child, OS_SYS_MUNLOCK, a, 2 << 20, 0, 0, 0), 0);
	assert_int_equal(hp->mlock_count, 1);
	assert_true(page_test(hp, PG_mlocked) && page_test(hp, PG_unevictable));
	assert_int_equal(zone_mlock(f, 0), 512);
	assert_int_equal(rx_node(f, 0, NR_UNEVICTABLE), 512);
	lru_check(f->os);
	os_process_exit(f->os, child);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MUNMAP, a, 2 << 20, 0, 0, 0), 0);
	assert_int_equal(zone_mlock(f, 0), 0);
	assert_int_equal(rx_ev(f, UNEVICTABLE_PGCLEARED), 0);
	lru_check(f->os);
	fx_free(f);
}

/*
 * A locked VMA whose pages lost their mlock: a THP mapped by two locked
 * VMAs (mlock_count 2) is split, and the subpages start on the
 * unevictable list with mlock_count 0 (Linux mm/huge_memory.c
 * lru_add_split_folio: "new_folio->mlock_count = 0"); the child's munlock
 * then clears PG_mlocked and rescues them although the parent's VMA is
 * still VM_LOCKED.  Returns the parent's pid; *childp gets the child's.
 */
static int missed_mlock_setup(struct fx *f, uint64_t a, int *childp)
{
	int pid = fx_proc(f, false);
	sim_time_t cost = 0;

	fx_mmap_at(f, pid, a, 2 << 20, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MADVISE, a, 2 << 20, 14 /* MADV_HUGEPAGE */, 0, 0), 0);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MLOCK, a, 2 << 20, 0, 0, 0), 0);
	assert_int_equal(rx_page(f, pid, a)->order, HPAGE_PMD_ORDER);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MPROTECT, a, 2 << 20, 1 /* PROT_READ */, 0, 0), 0);
	assert_int_equal(os_process_fork(f->os, pid, 0, childp), 0);
	assert_int_equal(fx_sys(f, *childp, OS_SYS_MLOCK, a, 2 << 20, 0, 0, 0), 0);
	assert_int_equal(rx_page(f, pid, a)->mlock_count, 2);
	assert_int_equal(thp_split_at(f->os, os_proc(f->os, pid), a, 0, 0, &cost), 1);
	assert_int_equal(rx_page(f, pid, a)->mlock_count, 0);
	assert_int_equal(fx_sys(f, *childp, OS_SYS_MUNLOCK, a, 2 << 20, 0, 0, 0), 0);
	struct page *pg = rx_page(f, pid, a);
	assert_false(page_test(pg, PG_mlocked) || page_test(pg, PG_unevictable));
	assert_true(vma_lookup(&os_proc(f->os, pid)->mm, a)->flags & VM_LOCKED);
	assert_int_equal(zone_mlock(f, 0), 0);
	return pid;
}

/*
 * Reclaim repairs a missed mlock (Linux mm/rmap.c folio_referenced_one:
 * "Restore the mlock which got missed", mlock_vma_folio, VM_LOCKED in
 * *vm_flags; mm/vmscan.c folio_check_references returns FOLIOREF_ACTIVATE
 * for it and activate_locked's putback culls it): under swap pressure the
 * parent's 512 pages stay present, are PG_mlocked and unevictable again,
 * and none is swapped.  try_to_unmap_one does the same without
 * TTU_IGNORE_MLOCK: swapping such a page directly fails (EBUSY), the page
 * mlocked again and still mapped.
 */
static void reclaim_restores_missed_mlock(void **state)
{
	struct os_cfg c = rx_cfg(128);
	c.thp = THP_MADVISE;
	c.compaction_proactiveness = 0;
	struct fx *f = fx_new_cfg(1, 64, 2, &c);
	uint64_t a = 0x40000000, big = 24576;
	int child, pid = missed_mlock_setup(f, a, &child), hog = fx_proc(f, false);
	(void)state;

	/* try_to_unmap stops at the parent's locked VMA */
	struct page *pg = rx_page(f, pid, a);
	assert_int_equal(rx_swap_out_sync(f, pg, NULL), -SIM_EBUSY);
	assert_ptr_equal(rx_page(f, pid, a), pg);
	assert_true(page_test(pg, PG_mlocked) && page_test(pg, PG_unevictable));
	assert_int_equal(os_proc(f->os, pid)->swapents, 0);
	assert_int_equal(zone_mlock(f, 0), 1);

	/* reclaim: folio_referenced_one finds the locked VMA for the other 511 */
	fx_mmap_at(f, hog, 0x80000000, big << PAGE_SHIFT, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	rx_touch(f, hog, 1, 0x80000000, big);
	rx_run_events(f);
	assert_true(rx_ev(f, PSWPOUT) > 0);
	for (uint64_t i = 0; i < HPAGE_PMD_NR; i++) {
		pg = rx_page(f, pid, a + (i << PAGE_SHIFT));
		assert_true(page_test(pg, PG_mlocked) && page_test(pg, PG_unevictable));
	}
	assert_int_equal(os_proc(f->os, pid)->swapents, 0);
	assert_int_equal(zone_mlock(f, 0), HPAGE_PMD_NR);
	assert_int_equal(rx_node(f, 0, NR_UNEVICTABLE), HPAGE_PMD_NR);
	lru_check(f->os);
	fx_free(f);
}

/*
 * mlock_future_ok (Linux mm/mmap.c do_mmap: "if (!mlock_future_ok(mm,
 * vm_flags, len)) return -EAGAIN"): after mlockall(MCL_FUTURE) every new
 * mapping is locked, so an mmap that would take locked_vm over
 * RLIMIT_MEMLOCK fails with EAGAIN and maps nothing; one that fits is
 * mapped, locked and populated.  os.memlock_limit = 8 pages here.
 */
static void mcl_future_mmap_over_limit(void **state)
{
	struct os_cfg c = rx_cfg(0);
	c.memlock_limit = 8 << PAGE_SHIFT;
	struct fx *f = fx_new_cfg(1, 64, 2, &c);
	int pid = fx_proc(f, false);
	struct process *p = os_proc(f->os, pid);
	(void)state;

	fx_mmap_at(f, pid, A, 4 << PAGE_SHIFT, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MLOCK, 0, 0, MLOCK_REC_ALL | MCL_CURRENT | MCL_FUTURE, 0, 0), 0);
	assert_int_equal(p->mm.locked_vm, 4);
	/* 4 + 5 > 8: EAGAIN, nothing mapped, nothing faulted */
	assert_int_equal(fx_sys6(f, pid, 0, OS_SYS_MMAP, A + (1 << 20), 5 << PAGE_SHIFT, PROT_RW,
				 MAP_PRIV_ANON | MAP_FIXED_, (uint64_t)-1, 0, FX_NONE, NULL), -SIM_ERANGE);
	assert_null(vma_lookup(&p->mm, A + (1 << 20)));
	assert_int_equal(p->mm.nr_vma, 1);
	assert_int_equal(p->mm.locked_vm, 4);
	assert_int_equal(p->rss_anon, 4);
	/* 4 + 4 = 8 fits */
	fx_mmap_at(f, pid, A + (1 << 20), 4 << PAGE_SHIFT, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	assert_int_equal(p->mm.locked_vm, 8);
	assert_int_equal(p->rss_anon, 8);
	assert_int_equal(rx_node(f, 0, NR_UNEVICTABLE), 8);
	/* without MCL_FUTURE the limit does not apply to mmap */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MUNLOCK, 0, UINT64_MAX, 0, 0, 0), 0);
	fx_mmap_at(f, pid, A + (2 << 20), 16 << PAGE_SHIFT, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	assert_int_equal(p->mm.locked_vm, 0);
	fx_free(f);
}

/*
 * brk after mlockall(MCL_FUTURE): do_brk_flags gives the heap mm->def_flags,
 * checks RLIMIT_MEMLOCK (check_brk_limits -> mlock_future_ok: EAGAIN) and
 * brk populates the locked growth (mm/mmap.c, SYSCALL_DEFINE1(brk)).
 */
static void mcl_future_brk(void **state)
{
	struct os_cfg c = rx_cfg(0);
	c.memlock_limit = 8 << PAGE_SHIFT;
	struct fx *f = fx_new_cfg(1, 64, 2, &c);
	int pid = fx_proc(f, false);
	struct process *p = os_proc(f->os, pid);
	const uint64_t base = 0x2000000;
	(void)state;

	assert_int_equal(fx_sys6(f, pid, 0, OS_SYS_BRK, 0, 0, 0, 0, 0, 0, base, NULL), 0);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MLOCK, 0, 0, MLOCK_REC_ALL | MCL_CURRENT | MCL_FUTURE, 0, 0), 0);
	/* 3 pages: locked and faulted in at once */
	assert_int_equal(fx_sys6(f, pid, 0, OS_SYS_BRK, base + (3 << PAGE_SHIFT), 0, 0, 0, 0, 0, FX_NONE, NULL), 0);
	assert_int_equal(p->mm.locked_vm, 3);
	assert_int_equal(p->rss_anon, 3);
	assert_true(vma_lookup(&p->mm, base)->flags & VM_LOCKED);
	/* 3 + 6 > 8: EAGAIN, the break stays */
	assert_int_equal(fx_sys6(f, pid, 0, OS_SYS_BRK, base + (9 << PAGE_SHIFT), 0, 0, 0, 0, 0, FX_NONE, NULL),
			 -SIM_ERANGE);
	assert_int_equal(p->mm.brk, base + (3 << PAGE_SHIFT));
	assert_int_equal(p->mm.locked_vm, 3);
	/* shrinking gives the locked pages back */
	assert_int_equal(fx_sys6(f, pid, 0, OS_SYS_BRK, base + (1 << PAGE_SHIFT), 0, 0, 0, 0, 0, FX_NONE, NULL), 0);
	assert_int_equal(p->mm.locked_vm, 1);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mlock_populates_and_counts),
		cmocka_unit_test(onfault_and_errors),
		cmocka_unit_test(memlock_limit),
		cmocka_unit_test(mcl_future_mmap_over_limit),
		cmocka_unit_test(mcl_future_brk),
		cmocka_unit_test(reclaim_skips_locked),
		cmocka_unit_test(mlockall_future),
		cmocka_unit_test(compaction_and_locked_pages),
		cmocka_unit_test(collapse_and_migrate_keep_mlock_exact),
		cmocka_unit_test(cow_break_moves_mlock),
		cmocka_unit_test(thp_fault_in_locked_vma),
		cmocka_unit_test(reclaim_restores_missed_mlock),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
