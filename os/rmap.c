/*
 * os/rmap.c - the reverse map (see rmap.h for how mappings are found).
 *
 * The walk derives each candidate address from the page (anonymous: its
 * index; shared: the object's slot through every VMA of that object),
 * looks the leaf up with pgtable_lookup and keeps it if it points at the
 * page's frame.  Everything that changes entries batches its TLB
 * invalidations per process, as Linux's TTU_BATCH_FLUSH does.
 */
#include "os/lru.h"
#include "os/mlock.h"
#include "os/rmap.h"
#include "sim/err.h"

static bool leaf_maps(struct os *os, struct process *p, uint64_t vaddr, const struct page *pg, uint64_t *slot,
		      uint64_t *pte, unsigned *level)
{
	unsigned lvl = pgtable_lookup(os->pm, p->pgd_pfn, vaddr, slot);
	if (!lvl)
		return false;
	uint64_t e = pmem_read64(os->pm, *slot);
	if (!pte_present(e) || !pte_is_leaf(e, lvl) || (e & PTE_SPECIAL) || pte_pfn(e) != pg->pfn)
		return false;
	*pte = e;
	*level = lvl;
	return true;
}

int rmap_walk(struct os *os, struct page *pg, rmap_fn fn, void *ctx, unsigned *found)
{
	unsigned n = 0;
	int rc = 0;

	SIM_BUG_ON(page_test(pg, PG_tail));
	if (pg->mapcount <= 0 || !pg->mapping)
		goto out;
	for (size_t i = 1; i < os->nr_procs && n < (unsigned)pg->mapcount; i++) {
		struct process *p = os->procs[i];
		if (!p->alive || p->pgd_pfn == NO_PGD)
			continue;
		struct rmap_hit h = { .p = p };
		if (page_test(pg, PG_anon)) {
			h.vaddr = pg->index << PAGE_SHIFT;
			h.v = vma_lookup(&p->mm, h.vaddr);
			if (!h.v || h.v->shm)
				continue;
			if (!leaf_maps(os, p, h.vaddr, pg, &h.slot, &h.pte, &h.level))
				continue;
			n++;
			if ((rc = fn(ctx, &h)))
				goto out;
			continue;
		}
		const struct shm_obj *o = pg->mapping;
		for (size_t k = 0; k < p->mm.nr_vma && n < (unsigned)pg->mapcount; k++) {
			struct vma *v = &p->mm.vma[k];
			if (v->shm != o)
				continue;
			uint64_t off = pg->index << o->page_shift, base = v->pgoff << PAGE_SHIFT;
			if (off < base || off - base >= v->end - v->start)
				continue;
			h.v = v;
			h.vaddr = v->start + (off - base);
			if (!leaf_maps(os, p, h.vaddr, pg, &h.slot, &h.pte, &h.level))
				continue;
			n++;
			if ((rc = fn(ctx, &h)))
				goto out;
		}
	}
out:
	if (found)
		*found = n;
	return rc;
}

static int count_one(void *ctx, const struct rmap_hit *h)
{
	(void)ctx, (void)h;
	return 0;
}

unsigned rmap_count(struct os *os, struct page *pg)
{
	unsigned n;
	rmap_walk(os, pg, count_one, NULL, &n);
	return n;
}

/* ---- TLB batching -------------------------------------------------------------------- */

void tlb_batch_add(struct os *os, struct tlb_batch *b, struct process *p, uint64_t va, uint64_t len, unsigned cpu,
		   sim_time_t now, sim_time_t *cost)
{
	for (unsigned i = 0; i < b->n; i++)
		if (b->p[i] == p) {
			b->lo[i] = SIM_MIN(b->lo[i], va);
			b->hi[i] = SIM_MAX(b->hi[i], va + len);
			return;
		}
	if (b->n == TLB_BATCH_MM) {
		sim_time_t c = tlb_batch_flush(os, b, cpu, now);
		if (cost)
			*cost += c;
	}
	b->p[b->n] = p;
	b->lo[b->n] = va;
	b->hi[b->n] = va + len;
	b->n++;
}

sim_time_t tlb_batch_flush(struct os *os, struct tlb_batch *b, unsigned cpu, sim_time_t now)
{
	sim_time_t c = 0;

	for (unsigned i = 0; i < b->n; i++) {
		c += oshw_flush(os, b->p[i], cpu, now, b->lo[i], b->hi[i] - b->lo[i]);
		b->shootdowns++;
	}
	b->n = 0;
	return c;
}

/* ---- accounting ------------------------------------------------------------------------- */

/* The per-process counter a mapping of pg through v counts in. */
static uint64_t *rss_counter(struct process *p, const struct vma *v, const struct page *pg)
{
	if (v->flags & VM_HUGETLB)
		return &p->hugetlb_pages;
	if (page_test(pg, PG_anon))
		return &p->rss_anon;
	return page_test(pg, PG_swapbacked) ? &p->rss_shmem : &p->rss_file;
}

void rmap_account_add(struct os *os, struct process *p, const struct vma *v, struct page *pg, uint64_t nr)
{
	if (pg->mapcount++ == 0 && !(v->flags & VM_HUGETLB))
		node_stat_mod(os->phys, pg->node, page_test(pg, PG_anon) ? NR_ANON_MAPPED : NR_FILE_MAPPED,
			      (int64_t)nr);
	p->node_pages[pg->node] += nr;
	*rss_counter(p, v, pg) += nr;
	if (v->flags & VM_LOCKED)
		mlock_folio(os, pg);   /* mlock_vma_folio: a locked VMA maps it */
}

void rmap_account_remove(struct os *os, struct process *p, const struct vma *v, struct page *pg, uint64_t nr)
{
	SIM_BUG_ON(pg->mapcount <= 0);
	if (--pg->mapcount == 0 && !(v->flags & VM_HUGETLB))
		node_stat_mod(os->phys, pg->node, page_test(pg, PG_anon) ? NR_ANON_MAPPED : NR_FILE_MAPPED,
			      -(int64_t)nr);
	p->node_pages[pg->node] -= nr;
	*rss_counter(p, v, pg) -= nr;
	/*
	 * munlock_vma_folio, called at the end of Linux's __folio_remove_rmap
	 * (mm/rmap.c) for every path that drops a mapping: zap, COW break,
	 * try_to_unmap, try_to_migrate, KSM's replace_page, khugepaged's
	 * collapse -- the mirror of mlock_folio in rmap_account_add.
	 */
	if (v->flags & VM_LOCKED)
		munlock_folio(os, pg);
}

/* ---- try_to_unmap ------------------------------------------------------------------------ */

struct unmap_ctx {
	struct os *os;
	struct page *pg;
	uint64_t replacement;
	struct tlb_batch b;
	unsigned cpu;
	sim_time_t now, cost;
	unsigned n;
	bool locked;
};

static int unmap_one(void *ctx, const struct rmap_hit *h)
{
	struct unmap_ctx *u = ctx;
	uint64_t size = pgtable_level_size(h->level);

	/*
	 * try_to_unmap_one without TTU_IGNORE_MLOCK (reclaim never passes it):
	 * a VM_LOCKED vma that maps the whole folio "restore[s] the mlock which
	 * got missed" (mlock_vma_folio) and the walk stops, mappings found
	 * before it already unmapped.
	 */
	if ((h->v->flags & VM_LOCKED) && size >> PAGE_SHIFT >= page_nr(u->pg)) {
		mlock_folio(u->os, u->pg);
		u->locked = true;
		return 1;
	}
	pmem_write64(u->os->pm, h->slot, u->replacement);
	if (h->pte & PTE_D)
		page_set(u->pg, PG_dirty);
	rmap_account_remove(u->os, h->p, h->v, u->pg, size >> PAGE_SHIFT);
	SIM_BUG_ON(u->pg->refcount <= 1);   /* the caller's reference must remain */
	u->pg->refcount--;
	tlb_batch_add(u->os, &u->b, h->p, h->vaddr, size, u->cpu, u->now, &u->cost);
	u->n++;
	return 0;
}

sim_time_t try_to_unmap(struct os *os, struct page *pg, uint64_t replacement, unsigned cpu, sim_time_t now,
			unsigned *nr_unmapped)
{
	struct unmap_ctx u = { .os = os, .pg = pg, .replacement = replacement, .cpu = cpu, .now = now };

	SIM_BUG_ON(replacement & (PTE_P | PTE_PROTNONE));
	/*
	 * Entries change under the walk, but each hit is found before it is
	 * rewritten and the walk stops after the original mapcount, which
	 * unmap_one decrements: snapshot it.
	 */
	int32_t want = pg->mapcount;
	for (int32_t done = 0; done < want;) {
		unsigned before = u.n;
		rmap_walk(os, pg, unmap_one, &u, NULL);
		if (u.n == before || u.locked)
			break;
		done += (int32_t)(u.n - before);
	}
	u.cost += tlb_batch_flush(os, &u.b, cpu, now);
	if (nr_unmapped)
		*nr_unmapped = u.n;
	return u.cost;
}

/* ---- remapping (migration) --------------------------------------------------------------- */

struct replace_ctx {
	struct os *os;
	struct page *old, *new;
	struct tlb_batch *b;
	unsigned cpu;
	sim_time_t now;
	sim_time_t *cost;
	unsigned n;
};

/* NUMA hint bit (numa_balancing.h) is cleared by the remap; defined here to keep rmap self-contained. */
#define RMAP_PTE_NUMA PTE_SW3

static int replace_one(void *ctx, const struct rmap_hit *h)
{
	struct replace_ctx *r = ctx;
	uint64_t size = pgtable_level_size(h->level), nr = size >> PAGE_SHIFT;
	uint64_t e = (h->pte & ~PTE_ADDR_MASK) | (r->new->pfn << PAGE_SHIFT);

	if (e & RMAP_PTE_NUMA)
		e = (e & ~(RMAP_PTE_NUMA | PTE_PROTNONE)) | PTE_P;
	pmem_write64(r->os->pm, h->slot, e);
	rmap_account_remove(r->os, h->p, h->v, r->old, nr);
	rmap_account_add(r->os, h->p, h->v, r->new, nr);
	tlb_batch_add(r->os, r->b, h->p, h->vaddr, size, r->cpu, r->now, r->cost);
	r->n++;
	return 0;
}

unsigned rmap_replace(struct os *os, struct page *old, struct page *new, struct tlb_batch *b, unsigned cpu,
		      sim_time_t now, sim_time_t *cost)
{
	struct replace_ctx r = { .os = os, .old = old, .new = new, .b = b, .cpu = cpu, .now = now, .cost = cost };
	int32_t want = old->mapcount;

	/* the new page must carry the owner before the walk re-finds mappings through it */
	for (int32_t done = 0; done < want;) {
		unsigned before = r.n;
		rmap_walk(os, old, replace_one, &r, NULL);
		if (r.n == before)
			break;
		done += (int32_t)(r.n - before);
	}
	return r.n;
}
