/*
 * tests/os/test_mremap.c - mremap (Linux 6.12 mm/mremap.c).
 */
#include "tests/os/reclaim_fixture.h"
#include "os/mlock.h"
#include "os/mremap.h"
#include "os/page_content.h"
#include "sim/fault_inject.h"

#define A  0x10000000ULL
#define PG (1ULL << PAGE_SHIFT)

static int remap(struct fx *f, int pid, uint64_t addr, uint64_t old_len, uint64_t new_len, uint64_t flags,
		 uint64_t new_addr, sim_time_t *cost)
{
	return fx_sys6(f, pid, 0, OS_SYS_MREMAP, addr, old_len, new_len, flags, new_addr, 0, FX_NONE, cost);
}

/*
 * vma_expandable: the range ends its VMA and the gap after it is free,
 * so the VMA grows in place (no entry moves); pages stay where they were.
 * Shrinking unmaps the tail (do_vmi_munmap).
 */
static void grow_in_place_and_shrink(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 0);
	int pid = fx_proc(f, false);
	(void)state;

	fx_mmap_at(f, pid, A, 4 * PG, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	rx_touch(f, pid, 0, A, 4);
	uint64_t pfn = pte_pfn(fx_pte(f, pid, A, NULL));
	assert_int_equal(remap(f, pid, A, 4 * PG, 8 * PG, 0, 0, NULL), 0);
	struct process *p = os_proc(f->os, pid);
	assert_int_equal(p->mm.nr_vma, 1);
	assert_int_equal(p->mm.vma[0].end, A + 8 * PG);
	assert_int_equal(pte_pfn(fx_pte(f, pid, A, NULL)), pfn);
	uint64_t free0 = fx_free_pages(f);
	assert_int_equal(remap(f, pid, A, 8 * PG, 1 * PG, 0, 0, NULL), 0);
	assert_int_equal(p->mm.vma[0].end, A + PG);
	assert_int_equal(p->rss_anon, 1);
	assert_int_equal(fx_free_pages(f), free0 + 3);
	fx_free(f);
}

/*
 * Pages A..A+3 written, A+4 mapped after them (so [A, A+4) cannot grow in
 * place); declared contents: pages 0-1 id 77 (30%, PGC_KEEP), page 3 id 78
 * (40%), and the target b..b+9 id 99 (90%), declared before any move.
 */
static void declared_pages(struct fx *f, int pid, uint64_t b)
{
	char err[160];

	fx_mmap_at(f, pid, A, 4 * PG, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	fx_mmap_at(f, pid, A + 4 * PG, PG, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	rx_touch(f, pid, 0, A, 4);
	assert_int_equal(os_page_content(f->os, pid, A, 2 * PG, 77, 30, PGC_KEEP, err, sizeof(err)), 0);
	assert_int_equal(os_page_content(f->os, pid, A + 3 * PG, PG, 78, 40, 0, err, sizeof(err)), 0);
	assert_int_equal(os_page_content(f->os, pid, b, 10 * PG, 99, 90, 0, err, sizeof(err)), 0);
}

/*
 * page_content declarations (os/page_content.h) describe the data of the
 * pages at an address; move_vma (Linux mm/mremap.c move_page_tables)
 * carries the pages, so their declarations go along: the moved page
 * reports its content and compressed size at the new address
 * (page_content_get, as zswap and KSM read it), the old range is left
 * undeclared, and what the whole target [new, new + new_len) declared
 * before is replaced, holes included (page 2 had no declaration) and the
 * grown tail too (pages 4-7: undeclared after the move, as the doc of
 * pgc_move_prepare says); past the target the old declaration stays.  A
 * declaration's generation is kept: a move is not a re-declaration.
 */
static void move_carries_page_content(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 0);
	int pid = fx_proc(f, false);
	const uint64_t B = A + 64 * PG;
	(void)state;

	declared_pages(f, pid, B);
	struct process *p = os_proc(f->os, pid);
	uint64_t gen = pgc_lookup(&p->pgc, A)->gen;
	assert_int_equal(remap(f, pid, A, 4 * PG, 8 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, B, NULL), 0);
	uint64_t content;
	uint32_t compress, flags;
	page_content_get(f->os, rx_page(f, pid, B + PG), &content, &compress, &flags);
	assert_int_equal(content, 77);
	assert_int_equal(compress, 30);
	assert_int_equal(flags, PGC_KEEP);
	page_content_get(f->os, rx_page(f, pid, B + 2 * PG), &content, &compress, &flags);
	assert_int_equal(content, 0);
	assert_int_equal(compress, 0);
	page_content_get(f->os, rx_page(f, pid, B + 3 * PG), &content, &compress, &flags);
	assert_int_equal(content, 78);
	assert_int_equal(compress, 40);
	assert_int_equal(pgc_lookup(&p->pgc, B)->gen, gen);
	assert_null(pgc_lookup(&p->pgc, A));
	assert_null(pgc_lookup(&p->pgc, A + 3 * PG));
	/* the grown tail of the target is replaced too (undeclared), what lies past it is kept */
	for (unsigned i = 4; i < 8; i++)
		assert_null(pgc_lookup(&p->pgc, B + i * PG));
	assert_int_equal(pgc_content(pgc_lookup(&p->pgc, B + 8 * PG)), 99);
	assert_int_equal(pgc_content(pgc_lookup(&p->pgc, B + 9 * PG)), 99);
	fx_free(f);
}

/*
 * Growth blocked by the next VMA: ENOMEM without MREMAP_MAYMOVE; with it
 * move_vma carries the entries to a new range (move_page_tables: the same
 * frames, so each page keeps its node), the old range is unmapped, and
 * the reverse map finds each page at its new address.  The cost is the
 * system call plus pte_move_cost per entry moved plus the shootdown.
 */
static void move_keeps_frames_and_nodes(void **state)
{
	struct os_cfg c = fx_os_cfg();
	c.pte_move_cost = 7000;
	struct fx *f = fx_new_cfg(2, 64, 2, &c);
	int pid = fx_proc(f, false);
	sim_time_t cost = 0;
	(void)state;

	fx_mmap_at(f, pid, A, 4 * PG, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	fx_mmap_at(f, pid, A + 4 * PG, PG, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	for (unsigned i = 0; i < 4; i++)   /* CPU 2 is on node 1 */
		assert_int_equal(fx_fault(f, pid, 2, A + i * PG, true, NULL), OS_FAULT_RETRY);
	uint64_t pfn[4];
	for (unsigned i = 0; i < 4; i++)
		pfn[i] = pte_pfn(fx_pte(f, pid, A + i * PG, NULL));
	assert_int_equal(remap(f, pid, A, 4 * PG, 8 * PG, 0, 0, NULL), -SIM_ERANGE);
	assert_int_equal(remap(f, pid, A, 4 * PG, 8 * PG, MREMAP_MAYMOVE, 0, &cost), 0);
	struct process *p = os_proc(f->os, pid);
	assert_null(vma_lookup(&p->mm, A));
	assert_int_equal(fx_pte(f, pid, A, NULL), 0);
	struct vma *v = &p->mm.vma[p->mm.nr_vma - 1];   /* top-down: the highest */
	uint64_t nb = v->start;
	assert_int_equal(v->end - v->start, 8 * PG);
	for (unsigned i = 0; i < 4; i++) {
		uint64_t pte = fx_pte(f, pid, nb + i * PG, NULL);
		assert_true(pte & PTE_P);
		assert_int_equal(pte_pfn(pte), pfn[i]);
		struct page *pg = pfn_to_page(fx_phys(f), pfn[i]);
		assert_int_equal(pg->node, 1);
		assert_int_equal(pg->index, (nb + i * PG) >> PAGE_SHIFT);
		assert_int_equal(rmap_count(f->os, pg), 1);
	}
	assert_int_equal(p->node_pages[1], 4);
	assert_int_equal(p->rss_anon, 4);
	/*
	 * syscall + 4 entries x 7 ns + three new tables for the target (PUD, PMD, PTE: zeroed,
	 * FX_ZERO_PS each) + one shootdown of 4 pages by CPU 0 for a process that ran on CPU 2
	 * (invlpg x 4 + IPI)
	 */
	assert_int_equal(cost, FX_SYSCALL_PS + 4 * 7000 + 3 * FX_ZERO_PS + 4 * FX_INVLPG_PS + FX_IPI_PS);
	/* the new tail faults normally */
	assert_int_equal(fx_fault(f, pid, 0, nb + 6 * PG, true, NULL), OS_FAULT_RETRY);
	fx_free(f);
}

/*
 * mremap_to: MREMAP_FIXED unmaps whatever the target holds; overlapping
 * old and new ranges are EINVAL; FIXED without MAYMOVE is EINVAL; an
 * unmapped old address is EFAULT, an old range past its VMA too
 * (vma_to_resize); MREMAP_DONTUNMAP leaves the old VMA mapped and empty.
 */
static void fixed_dontunmap_errors(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 0);
	int pid = fx_proc(f, false);
	uint64_t B = A + 0x100000;
	(void)state;

	fx_mmap_at(f, pid, A, 4 * PG, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	fx_mmap_at(f, pid, B, 4 * PG, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	rx_touch(f, pid, 0, A, 4);
	rx_touch(f, pid, 0, B, 4);
	uint64_t pfn = pte_pfn(fx_pte(f, pid, A, NULL));
	assert_int_equal(remap(f, pid, A, 4 * PG, 4 * PG, MREMAP_FIXED, B, NULL), -SIM_ERANGE);
	assert_int_equal(remap(f, pid, A, 4 * PG, 4 * PG, 8, 0, NULL), -SIM_ERANGE);
	assert_int_equal(remap(f, pid, A, 4 * PG, 4 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, A + 2 * PG, NULL), -SIM_ERANGE);
	assert_int_equal(remap(f, pid, A + 0x800000, PG, 2 * PG, MREMAP_MAYMOVE, 0, NULL), -SIM_ERANGE);
	assert_int_equal(remap(f, pid, A, 5 * PG, 6 * PG, MREMAP_MAYMOVE, 0, NULL), -SIM_ERANGE);
	uint64_t free0 = fx_free_pages(f);
	assert_int_equal(remap(f, pid, A, 4 * PG, 4 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, B, NULL), 0);
	assert_int_equal(pte_pfn(fx_pte(f, pid, B, NULL)), pfn);
	assert_int_equal(fx_free_pages(f), free0 + 4);   /* B's own pages went */
	struct process *p = os_proc(f->os, pid);
	assert_null(vma_lookup(&p->mm, A));
	/* DONTUNMAP: B moves to C, B stays mapped and empty, a read there sees the zero page */
	uint64_t C = A + 0x200000;
	assert_int_equal(remap(f, pid, B, 4 * PG, 4 * PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, C, NULL), 0);
	assert_non_null(vma_lookup(&p->mm, B));
	assert_int_equal(fx_pte(f, pid, B, NULL), 0);
	assert_int_equal(pte_pfn(fx_pte(f, pid, C, NULL)), pfn);
	assert_int_equal(p->rss_anon, 4);
	fx_free(f);
}

/*
 * A locked mapping moves locked: its pages stay mlocked on the
 * unevictable list (the entries move, no munlock/mlock), and growing it
 * populates and locks the new part (mremap's `locked` populate).
 */
static void locked_mapping_moves_locked(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 0);
	int pid = fx_proc(f, false);
	(void)state;

	fx_mmap_at(f, pid, A, 4 * PG, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	fx_mmap_at(f, pid, A + 4 * PG, PG, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MLOCK, A, 4 * PG, 0, 0, 0), 0);
	assert_int_equal(rx_node(f, 0, NR_UNEVICTABLE), 4);
	assert_int_equal(remap(f, pid, A, 4 * PG, 6 * PG, MREMAP_MAYMOVE, 0, NULL), 0);
	struct process *p = os_proc(f->os, pid);
	assert_int_equal(p->mm.locked_vm, 6);
	assert_int_equal(rx_node(f, 0, NR_UNEVICTABLE), 6);
	assert_int_equal(rx_ev(f, UNEVICTABLE_PGMUNLOCKED), 0);
	assert_int_equal(rx_ev(f, UNEVICTABLE_PGMLOCKED), 6);
	lru_check(f->os);
	fx_free(f);
}

/* numasim limit: anonymous pages COW-shared with a forked child cannot move (rmap by address). */
static void cow_shared_refused(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 0);
	int pid = fx_proc(f, false), child;
	(void)state;

	fx_mmap_at(f, pid, A, 4 * PG, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	rx_touch(f, pid, 0, A, 4);
	assert_int_equal(os_process_fork(f->os, pid, 0, &child), 0);
	assert_int_equal(remap(f, pid, A, 4 * PG, 4 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, A + 0x100000, NULL),
			 -SIM_ENOTSUP);
	assert_true(fx_pte(f, pid, A, NULL) & PTE_P);
	os_process_exit(f->os, child);
	assert_int_equal(remap(f, pid, A, 4 * PG, 4 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, A + 0x100000, NULL), 0);
	fx_free(f);
}

/*
 * move_page_tables: a PMD-mapped THP moves as one entry (move_huge_pmd)
 * when old and new addresses share their offset in 2 MiB; otherwise it is
 * split and its 512 PTEs move.  Either way the frames stay the same.
 */
static void thp_moves_whole_or_split(void **state)
{
	struct os_cfg c = fx_os_cfg();
	c.thp = THP_ALWAYS;
	struct fx *f = fx_new_cfg(1, 64, 2, &c);
	int pid = fx_proc(f, false);
	uint64_t H = 2ULL << 20, B = 0x40000000ULL;
	unsigned level;
	(void)state;

	fx_mmap_at(f, pid, B, H, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	assert_int_equal(fx_fault(f, pid, 0, B, true, NULL), OS_FAULT_RETRY);
	uint64_t pte = fx_pte(f, pid, B, &level);
	assert_int_equal(level, 2);
	uint64_t pfn = pte_pfn(pte);
	/* same 2 MiB offset: the PMD entry moves */
	assert_int_equal(remap(f, pid, B, H, H, MREMAP_MAYMOVE | MREMAP_FIXED, B + 8 * H, NULL), 0);
	pte = fx_pte(f, pid, B + 8 * H, &level);
	assert_int_equal(level, 2);
	assert_true(pte & PTE_PS);
	assert_int_equal(pte_pfn(pte), pfn);
	assert_int_equal(node_stat(fx_phys(f), 0, NR_ANON_THPS), 512);
	/* a 4 KiB offset: split first, 512 PTEs move */
	assert_int_equal(remap(f, pid, B + 8 * H, H, H, MREMAP_MAYMOVE | MREMAP_FIXED, B + 16 * H + PG, NULL), 0);
	pte = fx_pte(f, pid, B + 16 * H + PG, &level);
	assert_int_equal(level, 1);
	assert_int_equal(pte_pfn(pte), pfn);
	assert_int_equal(pte_pfn(fx_pte(f, pid, B + 16 * H + PG + 511 * PG, NULL)), pfn + 511);
	assert_int_equal(node_stat(fx_phys(f), 0, NR_ANON_THPS), 0);
	assert_int_equal(os_proc(f->os, pid)->rss_anon, 512);
	assert_int_equal(rmap_count(f->os, pfn_to_page(fx_phys(f), pfn + 7)), 1);
	fx_free(f);
}

/*
 * move_vma (Linux mm/mremap.c): when move_page_tables cannot carry every
 * entry (here the second table the target needs cannot be allocated:
 * fault injection, Linux's fail-nth), the entries already moved go back
 * and the new VMA is dropped.  The old mapping is intact: same VMA, same
 * frames at the same addresses, page->index unchanged, locked_vm, page
 * tables and free memory as before; the same move then succeeds.
 */
static void failed_move_moves_back(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 0);
	int pid = fx_proc(f, false);
	uint64_t T = A + (4ULL << 20) - 2 * PG;   /* entries 0-1 land in one new PTE table, 2-3 in the next */
	struct process *p = os_proc(f->os, pid);
	uint64_t pfn[4];
	(void)state;

	fx_mmap_at(f, pid, A, 4 * PG, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MLOCK, A, 4 * PG, 0, 0, 0), 0);
	for (unsigned i = 0; i < 4; i++)
		pfn[i] = pte_pfn(fx_pte(f, pid, A + i * PG, NULL));
	uint64_t free0 = fx_free_pages(f), pt0 = rx_node(f, 0, NR_PAGETABLE);
	physmem_set_fail_nth(fx_phys(f), 2);
	assert_int_equal(remap(f, pid, A, 4 * PG, 6 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, T, NULL), -SIM_EOOM);
	assert_int_equal(p->mm.nr_vma, 1);
	assert_int_equal(p->mm.vma[0].start, A);
	assert_int_equal(p->mm.vma[0].end, A + 4 * PG);
	assert_int_equal(p->mm.vma[0].pgoff, A >> PAGE_SHIFT);
	assert_null(vma_lookup(&p->mm, T));
	for (unsigned i = 0; i < 4; i++) {
		struct page *pg = rx_page(f, pid, A + i * PG);
		assert_int_equal(pg->pfn, pfn[i]);
		assert_int_equal(pg->index, (A + i * PG) >> PAGE_SHIFT);
		assert_int_equal(rmap_count(f->os, pg), 1);
		assert_int_equal(fx_pte(f, pid, T + i * PG, NULL), 0);
	}
	assert_int_equal(p->mm.locked_vm, 4);
	assert_int_equal(rx_node(f, 0, NR_PAGETABLE), pt0);   /* the target's first PTE table went again */
	assert_int_equal(fx_free_pages(f), free0);
	assert_int_equal(rx_node(f, 0, NR_UNEVICTABLE), 4);
	/* nothing left behind: the same move now goes through */
	assert_int_equal(remap(f, pid, A, 4 * PG, 6 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, T, NULL), 0);
	assert_int_equal(pte_pfn(fx_pte(f, pid, T + 3 * PG, NULL)), pfn[3]);
	assert_int_equal(p->mm.locked_vm, 6);
	lru_check(f->os);
	fx_free(f);
}

/*
 * mremap reserves the page_content room before any entry moves
 * (pgc_move_prepare): when the host cannot give it (injected with
 * sim/fault_inject.h: the copy of the declarations to move, then the
 * map's growth), the call fails with ENOMEM and nothing changed, as Linux's
 * move_vma leaves the old mapping intact when it fails: the VMAs (the
 * piece split out for the move rejoins its neighbour: Linux splits the old
 * VMA only in the munmap after a successful move), every
 * entry (same frames at the same addresses, page->index), the
 * declarations of both ranges, free memory and page tables.  The same move
 * then goes through.
 */
static void pgc_room_failure_changes_nothing(void **state)
{
	(void)state;
	for (unsigned nth = 1; nth <= 2; nth++) {
		struct fx *f = rx_new(1, 64, 2, 0);
		int pid = fx_proc(f, false);
		const uint64_t B = A + 64 * PG;
		struct process *p = os_proc(f->os, pid);

		declared_pages(f, pid, B);
		/* 3 declarations: moving 2 needs room for 3 + 4 + 2 * 2 = 11 > 8, so the map must grow */
		assert_int_equal(p->pgc.n, 3);
		assert_int_equal(p->pgc.cap, 8);
		struct pgc_range decl[3];
		memcpy(decl, p->pgc.r, sizeof(decl));
		uint64_t pfn[4], free0 = fx_free_pages(f), pt0 = rx_node(f, 0, NR_PAGETABLE), gen0 = p->pgc.gen;
		size_t nr_vma = p->mm.nr_vma;
		assert_int_equal(nr_vma, 1);   /* the two mmaps merged: the move must split it, then not */
		struct vma v0 = p->mm.vma[0];
		for (unsigned i = 0; i < 4; i++)
			pfn[i] = pte_pfn(fx_pte(f, pid, A + i * PG, NULL));

		sim_fault_arm(SIM_FAULT_PGC_ALLOC, nth);
		assert_int_equal(remap(f, pid, A, 4 * PG, 8 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, B, NULL), -SIM_ENOMEM);
		assert_int_equal(sim_fault_countdown[SIM_FAULT_PGC_ALLOC], 0);   /* the nth allocation was reached */
		assert_int_equal(p->mm.nr_vma, nr_vma);
		assert_int_equal(p->mm.vma[0].start, v0.start);
		assert_int_equal(p->mm.vma[0].end, v0.end);
		assert_int_equal(p->mm.vma[0].pgoff, v0.pgoff);
		assert_null(vma_lookup(&p->mm, B));
		for (unsigned i = 0; i < 4; i++) {
			struct page *pg = rx_page(f, pid, A + i * PG);
			assert_int_equal(pg->pfn, pfn[i]);
			assert_int_equal(pg->index, (A + i * PG) >> PAGE_SHIFT);
			assert_int_equal(fx_pte(f, pid, B + i * PG, NULL), 0);
		}
		assert_int_equal(p->pgc.n, 3);
		assert_int_equal(p->pgc.gen, gen0);
		assert_memory_equal(p->pgc.r, decl, sizeof(decl));
		uint64_t content;
		uint32_t compress, flags;
		page_content_get(f->os, rx_page(f, pid, A + PG), &content, &compress, &flags);
		assert_int_equal(content, 77);
		assert_int_equal(compress, 30);
		assert_int_equal(flags, PGC_KEEP);
		assert_int_equal(fx_free_pages(f), free0);
		assert_int_equal(rx_node(f, 0, NR_PAGETABLE), pt0);
		/* nothing left half done: the same move now succeeds and carries the declarations */
		assert_int_equal(remap(f, pid, A, 4 * PG, 8 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, B, NULL), 0);
		page_content_get(f->os, rx_page(f, pid, B + 3 * PG), &content, &compress, &flags);
		assert_int_equal(content, 78);
		assert_null(pgc_lookup(&p->pgc, A));
		fx_free(f);
	}
}

/*
 * The same failure on a shared mapping moved with MREMAP_DONTUNMAP: the
 * shmem object keeps exactly the old VMA's reference (no leak from the
 * dropped new VMA), and the old VMA keeps VM_LOCKED (only a successful
 * DONTUNMAP move clears it, move_vma).
 */
static void failed_shared_move_keeps_refs(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 0);
	int pid = fx_proc(f, false);
	uint64_t T = A + (4ULL << 20) - 2 * PG;
	struct process *p = os_proc(f->os, pid);
	(void)state;

	fx_mmap_at(f, pid, A, 4 * PG, PROT_RW, MAP_SHARED_F | 0x20 | MAP_FIXED_);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MLOCK, A, 4 * PG, 0, 0, 0), 0);
	struct shm_obj *o = p->mm.vma[0].shm;
	assert_non_null(o);
	assert_int_equal(o->refs, 1);
	uint64_t pfn = pte_pfn(fx_pte(f, pid, A, NULL));
	physmem_set_fail_nth(fx_phys(f), 2);
	assert_int_equal(remap(f, pid, A, 4 * PG, 4 * PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, T, NULL), -SIM_EOOM);
	assert_int_equal(p->mm.nr_vma, 1);
	assert_int_equal(o->refs, 1);
	assert_true(p->mm.vma[0].flags & VM_LOCKED);
	assert_int_equal(pte_pfn(fx_pte(f, pid, A, NULL)), pfn);
	assert_int_equal(remap(f, pid, A, 4 * PG, 4 * PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, T, NULL), 0);
	assert_int_equal(p->mm.nr_vma, 2);
	assert_int_equal(o->refs, 2);
	assert_int_equal(pte_pfn(fx_pte(f, pid, T, NULL)), pfn);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(grow_in_place_and_shrink),
		cmocka_unit_test(move_keeps_frames_and_nodes),
		cmocka_unit_test(move_carries_page_content),
		cmocka_unit_test(fixed_dontunmap_errors),
		cmocka_unit_test(locked_mapping_moves_locked),
		cmocka_unit_test(cow_shared_refused),
		cmocka_unit_test(thp_moves_whole_or_split),
		cmocka_unit_test(failed_move_moves_back),
		cmocka_unit_test(failed_shared_move_keeps_refs),
		cmocka_unit_test(pgc_room_failure_changes_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
