/*
 * os/mremap.c - mremap (Linux 6.12 mm/mremap.c: SYSCALL mremap,
 * mremap_to, vma_to_resize, vma_expandable, move_vma, move_page_tables).
 *
 * A move carries the leaf entries to the new address (move_ptes /
 * move_huge_pmd): no page is copied or reallocated, so every page keeps
 * its node.  A PMD-mapped THP moves whole when old and new addresses
 * share their 2 MiB offset, else it is split first (move_page_tables
 * falls back to PTEs).
 *
 * numasim's reverse map finds a private anonymous page at the address
 * page->index names in every process (os/rmap.h), where Linux uses the
 * VMA's vm_pgoff.  A moved private anonymous VMA therefore takes
 * vm_pgoff = new start >> 12 and its pages' index follows them; pages
 * that another process also maps (COW-shared after fork) would need the
 * old index there, so such a move is refused with -SIM_ENOTSUP.
 */
#include <inttypes.h>
#include <stdlib.h>
#include "os/mlock.h"
#include "os/mremap.h"
#include "os/thp.h"
#include "sim/err.h"

struct leaf {
	uint64_t va, pte;
	unsigned level;
};

struct collect {
	struct os *os;
	struct leaf *l;
	size_t n, cap;
	bool shared_anon;     /* an anonymous page mapped more than once */
	uint64_t misaligned;  /* first PMD leaf that cannot move whole (0: none) */
	uint64_t delta;       /* new - old */
};

static int collect_one(void *ctx, uint64_t va, uint64_t slot, uint64_t pte, unsigned level)
{
	struct collect *c = ctx;
	(void)slot;

	if (level > 1 && (c->delta & (pgtable_level_size(level) - 1))) {
		if (!c->misaligned)
			c->misaligned = va | 1;   /* | 1: va 0 is impossible, but keep 0 meaning none */
		return 0;
	}
	if (pte_present(pte) && !(pte & PTE_SPECIAL)) {
		const struct page *pg = pfn_to_page(c->os->phys, pte_pfn(pte));
		if (page_test(pg, PG_anon) && pg->mapcount > 1)
			c->shared_anon = true;
	}
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct leaf *nl = realloc(c->l, cap * sizeof(*nl));
		if (!nl)
			return -SIM_ENOMEM;
		c->l = nl;
		c->cap = cap;
	}
	c->l[c->n++] = (struct leaf){ .va = va, .pte = pte, .level = level };
	return 0;
}

/*
 * Gather the leaves of [old, old + len), splitting THPs that cannot move
 * whole.  @return 0, -SIM_ENOTSUP (COW-shared anonymous pages) or -SIM_ENOMEM.
 */
static int gather_leaves(struct os *os, struct process *p, uint64_t old, uint64_t len, uint64_t new_addr,
			 unsigned cpu, sim_time_t now, sim_time_t *cost, struct collect *c)
{
	int rc;

	*c = (struct collect){ .os = os, .delta = new_addr - old };
	for (;;) {
		c->n = 0;
		c->misaligned = 0;
		c->shared_anon = false;
		if ((rc = pgtable_walk(os->pm, p->pgd_pfn, old, old + len, collect_one, c)))
			return rc;
		if (!c->misaligned)
			break;
		if ((rc = thp_split_at(os, p, c->misaligned & ~1ULL, cpu, now, cost)) < 0)
			return rc;
		if (!rc)
			return -SIM_ENOTSUP;   /* a misaligned huge leaf that is not a THP */
	}
	return c->shared_anon ? -SIM_ENOTSUP : 0;
}

/* Carry the entry at va to va + delta (both slots exist); an anonymous page's index follows it. */
static void move_entry(struct os *os, uint64_t from_slot, uint64_t to_slot, uint64_t pte, uint64_t to_va)
{
	pmem_write64(os->pm, from_slot, 0);
	pmem_write64(os->pm, to_slot, pte);
	if (pte_present(pte) && !(pte & PTE_SPECIAL)) {
		struct page *pg = pfn_to_page(os->phys, pte_pfn(pte));
		if (page_test(pg, PG_anon))
			pg->index = to_va >> PAGE_SHIFT;
	}
}

/*
 * move_page_tables: clear each old entry, write it at the new address.
 * *moved counts the entries carried before a target table allocation
 * failed (all of them on success).
 */
static int move_leaves(struct os *os, struct process *p, const struct collect *c, unsigned cpu, sim_time_t now,
		       sim_time_t *cost, size_t *moved)
{
	for (*moved = 0; *moved < c->n; ++*moved) {
		const struct leaf *l = &c->l[*moved];
		uint64_t oslot, nslot, nva = l->va + c->delta;
		unsigned lvl = pgtable_lookup(os->pm, p->pgd_pfn, l->va, &oslot);
		SIM_BUG_ON(lvl != l->level);
		int rc = fault_pgtable_slot(os, p, cpu, now + *cost, nva, l->level, &nslot, cost);
		if (rc)
			return rc;
		move_entry(os, oslot, nslot, l->pte, nva);
		*cost += os->cfg.pte_move_cost;
	}
	return 0;
}

/*
 * move_vma's undo of a failed move_page_tables: the first `moved` entries
 * go back.  The old tables were not freed, so nothing is allocated.
 */
static void move_leaves_back(struct os *os, struct process *p, const struct collect *c, size_t moved,
			     sim_time_t *cost)
{
	for (size_t i = 0; i < moved; i++) {
		const struct leaf *l = &c->l[i];
		uint64_t oslot, nslot;
		SIM_BUG_ON(pgtable_lookup(os->pm, p->pgd_pfn, l->va, &oslot) != l->level);
		SIM_BUG_ON(pgtable_lookup(os->pm, p->pgd_pfn, l->va + c->delta, &nslot) != l->level);
		move_entry(os, nslot, oslot, l->pte, l->va);
		*cost += os->cfg.pte_move_cost;
	}
}

static bool anon_private(const struct vma *v)
{
	return !v->shm && !v->file;
}

/*
 * move_vma: the VMA piece [old, old + old_len) (already split out) goes to
 * [new_addr, new_addr + new_len).  As Linux does, the new VMA is inserted
 * first (copy_vma) and a move that fails midway moves its entries back
 * and drops the new VMA, so on failure the old mapping is as it was and
 * locked_vm, shm references and page tables are unchanged.  Without
 * DONTUNMAP the old range is then unmapped (empty once its entries moved).
 */
static int move_vma(struct os *os, struct process *p, uint64_t old, uint64_t old_len, uint64_t new_addr,
		    uint64_t new_len, bool dontunmap, unsigned cpu, sim_time_t now, sim_time_t *cost, char *err,
		    size_t errlen)
{
	struct mm_struct *mm = &p->mm;
	struct collect c;
	int rc = gather_leaves(os, p, old, old_len, new_addr, cpu, now, cost, &c);

	if (rc == -SIM_ENOTSUP) {
		free(c.l);
		return sim_errf(err, errlen, SIM_ENOTSUP, "moving [0x%" PRIx64 ", +0x%" PRIx64 ") to 0x%" PRIx64
				": anonymous pages shared with another process (COW after fork) or a huge leaf "
				"that cannot move are not modelled", old, old_len, new_addr);
	}
	if (rc) {
		free(c.l);
		return rc;
	}
	/*
	 * The page_content declarations go with the pages (os/page_content.h);
	 * their room is taken now, so that nothing fails after the entries moved.
	 */
	struct pgc_move pmv;
	if (pgc_move_prepare(&p->pgc, old, old_len, new_addr, new_len, &pmv)) {
		free(c.l);
		return sim_errf(err, errlen, SIM_ENOMEM, "ENOMEM: out of host memory for the page_content "
				"declarations to move (nothing changed)");
	}
	/* copy_vma: a THP split allocates tables, not VMAs, so the piece is still at old */
	struct vma nv = *vma_lookup(mm, old);
	nv.start = new_addr;
	nv.end = new_addr + new_len;
	if (anon_private(&nv))
		nv.pgoff = new_addr >> PAGE_SHIFT;
	if (mm_insert(mm, &nv) < 0) {
		pgc_move_abort(&pmv);
		free(c.l);
		return -SIM_ENOMEM;
	}
	if (nv.shm)
		nv.shm->refs++;   /* the new VMA's own reference */
	size_t moved;
	rc = move_leaves(os, p, &c, cpu, now, cost, &moved);
	if (rc) {
		move_leaves_back(os, p, &c, moved, cost);
		if (moved)
			*cost += oshw_flush(os, p, cpu, now + *cost, old, old_len);
		mm_remove(mm, mm_find_idx(mm, new_addr));
		if (nv.shm)
			nv.shm->refs--;   /* the old VMA still holds one */
		free_pgtables(os, p, new_addr, new_addr + new_len, cpu);
		pgc_move_abort(&pmv);
		free(c.l);
		return sim_errf(err, errlen, -rc, "ENOMEM: moving [0x%" PRIx64 ", +0x%" PRIx64 ") to 0x%" PRIx64
				": no memory for a page table (the entries moved back)", old, old_len, new_addr);
	}
	if (c.n)
		*cost += oshw_flush(os, p, cpu, now + *cost, old, old_len);
	free(c.l);
	pgc_move_commit(&p->pgc, &pmv);   /* cannot fail: the move is committed */
	size_t i = mm_find_idx(mm, old);
	if (dontunmap) {
		/* the old VMA stays, empty and unlocked; locked_vm is not touched (move_vma) */
		struct vma *ov = &mm->vma[i];
		ov->flags &= ~VM_LOCKED_MASK;
		if (anon_private(ov))
			ov->anon_vma = 0;
	} else {
		/* the entries are gone: the VMA leaves without a zap, and with it its shm reference */
		if (mm->vma[i].shm)
			mm->vma[i].shm->refs--;
		mm_remove(mm, i);
		/* after the insert: a table the new range shares with the old one must stay */
		free_pgtables(os, p, old, old + old_len, cpu);
		mm_locked_vm_add(mm, nv.flags, (int64_t)((new_len - old_len) >> PAGE_SHIFT));
	}
	mm_merge_range(mm, old, old + old_len);
	mm_merge_range(mm, nv.start, nv.end);
	return 0;
}

/* mremap's `locked` case: mm_populate of the grown part of a locked mapping. */
static int populate_locked(struct os *os, struct process *p, uint64_t start, uint64_t end, unsigned cpu,
			   sim_time_t now, sim_time_t *cost, char *err, size_t errlen)
{
	return mm_populate(os, p, cpu, now, start, end, true, cost, "mremap", err, errlen);
}

int mremap_syscall(struct os *os, struct process *p, unsigned cpu, sim_time_t now, const struct os_syscall *sc,
		   sim_time_t *cost, char *err, size_t errlen)
{
	struct mm_struct *mm = &p->mm;
	uint64_t addr = sc->args[0], old_len = sc->args[1], new_len = sc->args[2], flags = sc->args[3];
	uint64_t new_addr = sc->args[4];
	int rc;

	if (sc->ret != UINT64_MAX && sc->ret >= (uint64_t)-4095)
		return 0;   /* the recorded call failed: nothing changed */
	if (flags & ~(uint64_t)(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP))
		return sim_errf(err, errlen, SIM_ERANGE, "EINVAL: flags 0x%" PRIx64, flags);
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return sim_errf(err, errlen, SIM_ERANGE, "EINVAL: MREMAP_FIXED without MREMAP_MAYMOVE");
	if ((flags & MREMAP_DONTUNMAP) && (!(flags & MREMAP_MAYMOVE) || old_len != new_len))
		return sim_errf(err, errlen, SIM_ERANGE, "EINVAL: MREMAP_DONTUNMAP needs MREMAP_MAYMOVE and equal lengths");
	if (addr & (PAGE_SIZE - 1))
		return sim_errf(err, errlen, SIM_ERANGE, "EINVAL: address 0x%" PRIx64 " not page aligned", addr);
	if (old_len > TASK_SIZE || new_len > TASK_SIZE)
		return sim_errf(err, errlen, SIM_ERANGE, "EINVAL: length beyond the address space");
	old_len = (old_len + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	new_len = (new_len + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	if (!new_len)
		return sim_errf(err, errlen, SIM_ERANGE, "EINVAL: new length 0");
	/* the recorded result says where the kernel put it */
	if (sc->ret != UINT64_MAX && sc->ret != addr) {
		flags |= MREMAP_MAYMOVE | MREMAP_FIXED;
		new_addr = sc->ret;
	} else if (sc->ret == addr) {
		flags &= ~(uint64_t)(MREMAP_MAYMOVE | MREMAP_FIXED);
	}
	struct vma *v = vma_lookup(mm, addr);
	if (!v)
		return sim_errf(err, errlen, SIM_ERANGE, "EFAULT: 0x%" PRIx64 " is not mapped", addr);
	if (v->flags & VM_HUGETLB)
		return sim_errf(err, errlen, SIM_ENOTSUP, "mremap of a hugetlb mapping is not modelled");
	if (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) {
		/* mremap_to */
		if (new_addr & (PAGE_SIZE - 1))
			return sim_errf(err, errlen, SIM_ERANGE, "EINVAL: new address 0x%" PRIx64 " not aligned", new_addr);
		if (new_addr > TASK_SIZE - new_len)
			return sim_errf(err, errlen, SIM_ERANGE, "EINVAL: new range beyond TASK_SIZE");
		if (addr + old_len > new_addr && new_addr + new_len > addr)
			return sim_errf(err, errlen, SIM_ERANGE, "EINVAL: old and new ranges overlap");
		if ((flags & MREMAP_FIXED) && mm_range_busy(mm, new_addr, new_addr + new_len) &&
		    (rc = os_do_munmap(os, p, cpu, now, new_addr, new_addr + new_len, cost, err, errlen)))
			return rc;
		if (old_len > new_len) {
			if ((rc = os_do_munmap(os, p, cpu, now, addr + new_len, addr + old_len, cost, err, errlen)))
				return rc;
			old_len = new_len;
		}
	} else if (old_len >= new_len) {
		/* shrinking (or nothing): the tail is unmapped, whatever VMAs it covers */
		if (old_len > new_len)
			return os_do_munmap(os, p, cpu, now, addr + new_len, addr + old_len, cost, err, errlen);
		return 0;
	}
	/* vma_to_resize */
	v = vma_lookup(mm, addr);
	if (!v)
		return sim_errf(err, errlen, SIM_ERANGE, "EFAULT: 0x%" PRIx64 " is not mapped", addr);
	if (old_len > v->end - addr)
		return sim_errf(err, errlen, SIM_ERANGE, "EFAULT: [0x%" PRIx64 ", +0x%" PRIx64
				") is not inside one mapping", addr, old_len);
	if (new_len > old_len && !mlock_future_ok(mm, v->flags, (new_len - old_len) >> PAGE_SHIFT,
						  rlimit_memlock_pages(os)))
		return sim_errf(err, errlen, SIM_ERANGE, "EAGAIN: growing a locked mapping over RLIMIT_MEMLOCK");
	bool fixed = flags & (MREMAP_FIXED | MREMAP_DONTUNMAP);
	/* in place: the range ends the VMA and the gap after it is free (vma_expandable) */
	if (!fixed && old_len == v->end - addr) {
		uint64_t delta = new_len - old_len, end = v->end;
		if (end + delta <= TASK_SIZE && end + delta > end && !mm_range_busy(mm, end, end + delta)) {
			v->end = end + delta;
			mm_locked_vm_add(mm, v->flags, (int64_t)(delta >> PAGE_SHIFT));
			mm_merge_range(mm, v->start, v->end);
			return populate_locked(os, p, end, end + delta, cpu, now, cost, err, errlen);
		}
	}
	if (!(flags & MREMAP_MAYMOVE))
		return sim_errf(err, errlen, SIM_ERANGE, "ENOMEM: cannot grow [0x%" PRIx64 ", +0x%" PRIx64
				") in place and MREMAP_MAYMOVE is not set", addr, old_len);
	if (!(flags & MREMAP_FIXED)) {
		/* get_unmapped_area: DONTUNMAP takes new_addr as a hint */
		uint64_t hint = (flags & MREMAP_DONTUNMAP) ? new_addr : 0;
		if (!hint || hint > TASK_SIZE - new_len || mm_range_busy(mm, hint, hint + new_len))
			hint = mm_get_unmapped_area(mm, new_len, PAGE_SIZE);
		if (!hint)
			return sim_errf(err, errlen, SIM_ERANGE, "ENOMEM: no free range of 0x%" PRIx64 " bytes", new_len);
		new_addr = hint;
	}
	if ((rc = thp_split_edges(os, p, addr, addr + old_len, cpu, now, cost)) ||
	    (rc = mm_split_range(mm, addr, addr + old_len)))
		return rc;
	if ((rc = move_vma(os, p, addr, old_len, new_addr, new_len,
			   flags & MREMAP_DONTUNMAP, cpu, now, cost, err, errlen))) {
		/*
		 * Linux's move_vma splits nothing before copy_vma (the old VMA is
		 * cut by the munmap after a successful move), so a failed move
		 * leaves the mapping whole: the piece split out above rejoins.
		 */
		mm_merge_range(mm, addr, addr + old_len);
		return rc;
	}
	return populate_locked(os, p, new_addr + old_len, new_addr + new_len, cpu, now, cost, err, errlen);
}
