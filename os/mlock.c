/*
 * os/mlock.c - mlock and the unevictable LRU (Linux 6.12 mm/mlock.c:
 * mlock_folio, __mlock_folio, __mlock_new_folio, munlock_folio,
 * __munlock_folio, mlock_fixup, apply_vma_lock_flags, do_mlock,
 * apply_mlockall_flags; mm/swap.c lru_add's evictability check;
 * mm/swap.c __page_cache_release for unevictable_pgs_cleared).
 *
 * Linux moves a page between lists in per-CPU batches (mlock_fbatch);
 * numasim applies each move at once, which gives the same end state and
 * the same counts.
 */
#include <inttypes.h>
#include "os/lru.h"
#include "os/mlock.h"
#include "sim/err.h"

/* NR_MLOCK is a zone counter (zone_stat_mod_folio). */
static void mlock_stat(struct os *os, const struct page *pg, int64_t sign)
{
	zone_stat_mod(os->phys, pg->node, pg->zone, NR_MLOCK, sign * (int64_t)page_nr(pg));
}

void mlock_folio(struct os *os, struct page *pg)
{
	if (!page_test(pg, PG_mlocked)) {
		page_set(pg, PG_mlocked);
		mlock_stat(os, pg, +1);
		vmstat_inc(os->phys, UNEVICTABLE_PGMLOCKED, page_nr(pg));
	}
	/* __mlock_folio: nothing more while it is off its list (isolated): putback culls it */
	if (!page_test(pg, PG_lru) || !node_lruvec(os, pg->node))
		return;
	if (page_test(pg, PG_unevictable)) {
		pg->mlock_count++;
		return;
	}
	/* lru_add culls it (counting unevictable_pgs_culled) and zeroes mlock_count: this mapping is 1 */
	lru_del(os, pg);
	lru_add(os, pg);
	pg->mlock_count = 1;
}

void munlock_folio(struct os *os, struct page *pg)
{
	bool isolated = page_test(pg, PG_lru) && node_lruvec(os, pg->node);

	/* __munlock_folio: mlock_count is kept only while on the unevictable list */
	if (isolated && page_test(pg, PG_unevictable)) {
		if (pg->mlock_count)
			pg->mlock_count--;
		if (pg->mlock_count)
			return;
	}
	if (page_test(pg, PG_mlocked)) {
		page_clear(pg, PG_mlocked);
		mlock_stat(os, pg, -1);
		vmstat_inc(os->phys, isolated || !page_test(pg, PG_unevictable) ? UNEVICTABLE_PGMUNLOCKED
										  : UNEVICTABLE_PGSTRANDED,
			   page_nr(pg));
	}
	if (isolated && page_test(pg, PG_unevictable) && page_evictable(pg)) {
		lru_del(os, pg);
		page_clear(pg, PG_unevictable);
		lru_add(os, pg);
		vmstat_inc(os->phys, UNEVICTABLE_PGRESCUED, page_nr(pg));
	}
}

void mlock_page_freed(struct os *os, struct page *pg)
{
	if (page_test(pg, PG_mlocked)) {
		page_clear(pg, PG_mlocked);
		mlock_stat(os, pg, -1);
		vmstat_inc(os->phys, UNEVICTABLE_PGCLEARED, page_nr(pg));
	}
	page_clear(pg, PG_unevictable);
	pg->mlock_count = 0;
}

/*
 * lru_add (mm/swap.c): PG_unevictable is decided again on the way in.  A
 * page munlocked while off its list ("stranded") comes back evictable and
 * counts rescued; an mlocked one is culled, its mlock_count restarting at
 * 0 ("might undercount": the next mlock_folio counts it).
 */
void mlock_cull_on_add(struct os *os, struct page *pg)
{
	bool was_unevictable = page_test(pg, PG_unevictable);

	page_clear(pg, PG_unevictable);
	if (page_evictable(pg)) {
		if (was_unevictable)
			vmstat_inc(os->phys, UNEVICTABLE_PGRESCUED, page_nr(pg));
		return;
	}
	page_clear(pg, PG_active);
	page_set(pg, PG_unevictable);
	pg->mlock_count = 0;
	if (!was_unevictable)
		vmstat_inc(os->phys, UNEVICTABLE_PGCULLED, page_nr(pg));
}

uint64_t mm_mlocked_pages(const struct mm_struct *mm, uint64_t start, uint64_t end)
{
	uint64_t n = 0;

	for (size_t i = mm_find_idx(mm, start); i < mm->nr_vma && mm->vma[i].start < end; i++) {
		const struct vma *v = &mm->vma[i];
		if (v->flags & VM_LOCKED)
			n += (SIM_MIN(v->end, end) - SIM_MAX(v->start, start)) >> PAGE_SHIFT;
	}
	return n;
}

/* ---- VMA level ------------------------------------------------------------------------------- */

struct lock_walk {
	struct os *os;
	bool lock;
};

/* mlock_pte_range: every present page of the range (not the zero page) is mlocked or munlocked. */
static int lock_one(void *ctx, uint64_t va, uint64_t slot, uint64_t pte, unsigned level)
{
	struct lock_walk *w = ctx;
	(void)va, (void)slot, (void)level;

	if ((pte & PTE_SPECIAL) || !pte_present(pte))
		return 0;
	struct page *pg = pfn_to_page(w->os->phys, pte_pfn(pte));
	if (w->lock)
		mlock_folio(w->os, pg);
	else
		munlock_folio(w->os, pg);
	return 0;
}

/*
 * mlock_fixup for VMA v (already split to the range): hugetlb VMAs never
 * take VM_LOCKED ("don't set VM_LOCKED or VM_LOCKONFAULT and don't count").
 */
static void mlock_fixup(struct os *os, struct process *p, struct vma *v, uint64_t newflags)
{
	uint64_t old = v->flags, nr = (v->end - v->start) >> PAGE_SHIFT;

	if (newflags == old || (old & VM_HUGETLB))
		return;
	if ((newflags ^ old) & VM_LOCKED)
		mm_locked_vm_add(&p->mm, VM_LOCKED, (newflags & VM_LOCKED) ? (int64_t)nr : -(int64_t)nr);
	v->flags = newflags;
	/* locked twice would count twice; only a change of VM_LOCKED walks the pages */
	if ((newflags & VM_LOCKED) != (old & VM_LOCKED)) {
		struct lock_walk w = { .os = os, .lock = newflags & VM_LOCKED };
		pgtable_walk(os->pm, p->pgd_pfn, v->start, v->end, lock_one, &w);
	}
}

/*
 * apply_vma_lock_flags: VM_LOCKED_MASK of every VMA in [start, end)
 * becomes `flags`.  Applied up to the first hole, which is ENOMEM.
 */
static int apply_lock_flags(struct os *os, struct process *p, uint64_t start, uint64_t end, uint64_t flags,
			    char *err, size_t errlen)
{
	struct mm_struct *mm = &p->mm;
	uint64_t a = start;
	int rc = 0;

	while (a < end) {
		size_t i = mm_find_idx(mm, a);
		if (i >= mm->nr_vma || mm->vma[i].start > a) {
			rc = sim_errf(err, errlen, SIM_ERANGE, "ENOMEM: 0x%" PRIx64 " is not mapped", a);
			break;
		}
		if (!(mm->vma[i].flags & VM_HUGETLB)) {
			if (mm->vma[i].start < a) {
				if ((rc = mm_split(mm, i, a)))
					break;
				i++;
			}
			if (mm->vma[i].end > end && (rc = mm_split(mm, i, end)))
				break;
			mlock_fixup(os, p, &mm->vma[i], (mm->vma[i].flags & ~VM_LOCKED_MASK) | flags);
		}
		a = mm->vma[i].end;
	}
	mm_merge_range(mm, start, end);
	return rc;
}

int mm_populate(struct os *os, struct process *p, unsigned cpu, sim_time_t now, uint64_t start, uint64_t end,
		bool locked_only, sim_time_t *cost, const char *what, char *err, size_t errlen)
{
	for (uint64_t a = start; a < end;) {
		const struct vma *v = find_vma(&p->mm, a);
		if (!v || v->start >= end)
			break;
		uint64_t s = SIM_MAX(a, v->start), e = SIM_MIN(end, v->end), fl = v->flags;
		a = v->end;
		if ((fl & VM_LOCKONFAULT) || (locked_only && !(fl & VM_LOCKED)))
			continue;
		if (fault_populate(os, p, cpu, now, s, e, (fl & (VM_WRITE | VM_SHARED)) == VM_WRITE, cost))
			return sim_errf(err, errlen, SIM_EOOM, "%s: out of memory populating (process killed)", what);
	}
	return 0;
}

uint64_t rlimit_memlock_pages(const struct os *os)
{
	return os->cfg.memlock_limit == UINT64_MAX ? UINT64_MAX : os->cfg.memlock_limit >> PAGE_SHIFT;
}

/* mlockall / munlockall (apply_mlockall_flags). */
static int do_mlockall(struct os *os, struct process *p, unsigned cpu, sim_time_t now, uint64_t mcl, bool lock,
		       sim_time_t *cost, char *err, size_t errlen)
{
	struct mm_struct *mm = &p->mm;
	uint64_t to_add = 0;

	if (lock) {
		if (!mcl || (mcl & ~(uint64_t)(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) || mcl == MCL_ONFAULT)
			return sim_errf(err, errlen, SIM_ERANGE, "EINVAL: mlockall flags 0x%" PRIx64, mcl);
		uint64_t total = 0;
		for (size_t i = 0; i < mm->nr_vma; i++)
			total += (mm->vma[i].end - mm->vma[i].start) >> PAGE_SHIFT;
		if ((mcl & MCL_CURRENT) && total > rlimit_memlock_pages(os))
			return sim_errf(err, errlen, SIM_ERANGE, "ENOMEM: mlockall of %" PRIu64
					" pages over RLIMIT_MEMLOCK (os.memlock_limit)", total);
		to_add = VM_LOCKED | ((mcl & MCL_ONFAULT) ? VM_LOCKONFAULT : 0);
	}
	mm->def_flags = (mcl & MCL_FUTURE) ? to_add : 0;
	if (lock && !(mcl & MCL_CURRENT))
		return 0;
	uint64_t flags = lock ? to_add : 0;
	for (size_t i = 0; i < mm->nr_vma; i++)
		mlock_fixup(os, p, &mm->vma[i], (mm->vma[i].flags & ~VM_LOCKED_MASK) | flags);
	mm_merge_range(mm, 0, TASK_SIZE);
	if (lock)
		return mm_populate(os, p, cpu, now, 0, TASK_SIZE, true, cost, "mlockall", err, errlen);
	return 0;
}

int mlock_syscall(struct os *os, struct process *p, unsigned cpu, sim_time_t now, const struct os_syscall *sc,
		  sim_time_t *cost, char *err, size_t errlen)
{
	bool lock = sc->nr == OS_SYS_MLOCK;
	uint64_t addr = sc->args[0], len = sc->args[1], flags = lock ? sc->args[2] : 0;
	int rc;

	if (sc->ret != UINT64_MAX && sc->ret >= (uint64_t)-4095)
		return 0;    /* the recorded call failed: nothing changed */
	if (lock && (flags & MLOCK_REC_ALL))
		return do_mlockall(os, p, cpu, now, flags & 0xff, true, cost, err, errlen);
	if (!lock && len == UINT64_MAX)
		return do_mlockall(os, p, cpu, now, 0, false, cost, err, errlen);
	if (lock && (flags & ~(uint64_t)MLOCK_ONFAULT))
		return sim_errf(err, errlen, SIM_ERANGE, "EINVAL: mlock2 flags 0x%" PRIx64, flags);
	/* do_mlock: the range is rounded out to pages, not rejected when unaligned */
	uint64_t start = addr & ~(PAGE_SIZE - 1), end = start + ((len + (addr & (PAGE_SIZE - 1)) + PAGE_SIZE - 1) &
								  ~(PAGE_SIZE - 1));
	if (end < start || end > TASK_SIZE)
		return sim_errf(err, errlen, SIM_ERANGE, "%s: [0x%" PRIx64 ", +0x%" PRIx64 ") outside the user address space",
				lock ? "ENOMEM" : "EINVAL", addr, len);
	if (start == end)
		return 0;
	if (lock) {
		/* do_mlock: pages already locked in the range do not count twice */
		uint64_t limit = rlimit_memlock_pages(os), pages = (end - start) >> PAGE_SHIFT;
		if (!mlock_future_ok(&p->mm, VM_LOCKED, pages, limit))
			pages -= mm_mlocked_pages(&p->mm, start, end);
		if (!mlock_future_ok(&p->mm, VM_LOCKED, pages, limit))
			return sim_errf(err, errlen, SIM_ERANGE, "ENOMEM: %" PRIu64 " locked pages would exceed "
					"RLIMIT_MEMLOCK (%" PRIu64 " pages, os.memlock_limit)", pages + p->mm.locked_vm, limit);
	}
	uint64_t nflags = lock ? VM_LOCKED | ((flags & MLOCK_ONFAULT) ? VM_LOCKONFAULT : 0) : 0;
	if ((rc = apply_lock_flags(os, p, start, end, nflags, err, errlen)))
		return rc;
	if (lock && !(flags & MLOCK_ONFAULT))
		return mm_populate(os, p, cpu, now, start, end, true, cost, "mlock", err, errlen);
	return 0;
}
