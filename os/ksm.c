/*
 * os/ksm.c - kernel samepage merging (see ksm.h).
 *
 * Linux's trees are red-black trees ordered by page contents; numasim's
 * contents are declared ids, so both trees are hash tables keyed by
 * (content id, node), node 0 when merge_across_nodes is set.  rmap_items
 * are kept per mm_slot in address order, as Linux's rmap_list: each pass
 * over a slot builds the next list from the previous one, reusing the
 * items of addresses still present and dropping the others
 * (remove_trailing_rmap_items).  An unstable-tree entry names its item by
 * (slot, index in the slot's list of this full scan), valid until the tree
 * is emptied at the end of the full scan.
 *
 * Counting follows /sys/kernel/mm/ksm: pages_shared = KSM pages (stable
 * nodes), pages_sharing = rmap_items on them beyond the first,
 * pages_unshared = items in the unstable tree, pages_volatile = the other
 * items.  An item whose KSM page was copied away (a write) or freed is
 * noticed at ksmd's next visit, as Linux prunes stale items lazily too.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "os/fault.h"
#include "os/ksm.h"
#include "os/lru.h"
#include "os/rmap.h"
#include "os/vmscan.h"
#include "sim/err.h"

#define KSM_RMAP_ITEM_SIZE   64u    /* sizeof(struct ksm_rmap_item) on x86-64 (general_profit) */
#define KSM_MAX_PAGE_SHARING 256u   /* ksm/max_page_sharing default */

struct rmap_item {
	uint64_t addr;
	uint64_t content;         /* the "checksum": the content id at the last visit */
	uint32_t unstable_seq;    /* seqnr + 1 of the full scan that put it in an unstable tree; 0: none.
				   * Counted in pages_unshared until ksmd visits it again, even once
				   * that tree is gone, as Linux removes such items lazily */
	uint64_t rewritten;       /* gen + 1 of the declaration the page was written again under; 0: not */
	bool seen;                /* visited before (oldchecksum valid) */
	bool clean_seen;          /* a visit found it not written since the one before: filled */
	bool stable;              /* maps a KSM page (as of its last visit) */
};

struct mm_slot {
	int pid;                  /* 0: the process is gone (removed at the end of the full scan) */
	bool in_pass;             /* `next` is being built */
	struct rmap_item *items;  /* the list of the last pass (this full scan's once the pass ended) */
	size_t n, cap;
	struct rmap_item *next;   /* the list being built */
	size_t nn, ncap;
	size_t pos;               /* cursor in items */
};

struct stable_node {
	uint64_t content;
	unsigned nid;
	uint64_t kpfn;
	struct stable_node *prev, *next;   /* every live node (ksm_destroy) */
};

struct ktab_ent {
	uint64_t content;
	uint32_t nid;
	uint32_t state;           /* 0 empty, 1 used, 2 deleted */
	struct stable_node *node; /* stable tree */
	size_t slot, idx;         /* unstable tree: the item */
};

struct ktab {
	struct ktab_ent *e;
	size_t cap, used, filled; /* filled: used + deleted */
};

struct ksm {
	struct mm_slot *slots;
	size_t nr_slots, cap_slots;
	size_t cur;               /* slot being scanned */
	uint64_t cur_addr;        /* next address in it */
	uint32_t seqnr;           /* full scans completed */
	struct ktab stable, unstable;
	struct stable_node *nodes;
	struct ev ev;
	bool armed;
	uint64_t pages_shared, nr_items, nr_stable_items, nr_unstable, pages_scanned;
};

/* ---- the trees ------------------------------------------------------------------------- */

static uint64_t khash(uint64_t c, unsigned nid)
{
	uint64_t x = c ^ ((uint64_t)nid << 56) ^ 0x9e3779b97f4a7c15ULL;
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static struct ktab_ent *ktab_lookup(const struct ktab *t, uint64_t c, unsigned nid)
{
	if (!t->cap)
		return NULL;
	for (size_t i = khash(c, nid) & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
		struct ktab_ent *e = &t->e[i];
		if (!e->state)
			return NULL;
		if (e->state == 1 && e->content == c && e->nid == nid)
			return e;
	}
}

static struct ktab_ent *ktab_slot(struct ktab *t, uint64_t c, unsigned nid)
{
	size_t i = khash(c, nid) & (t->cap - 1);
	while (t->e[i].state == 1)
		i = (i + 1) & (t->cap - 1);
	return &t->e[i];
}

/* A new entry for a key not in t.  @return it (zeroed but for the key), or NULL (host memory). */
static struct ktab_ent *ktab_insert(struct ktab *t, uint64_t c, unsigned nid)
{
	if ((t->filled + 1) * 4 > t->cap * 3) {
		size_t cap = 16;
		while (cap * 3 < (t->used + 1) * 8)
			cap *= 2;
		struct ktab n = { .e = calloc(cap, sizeof(struct ktab_ent)), .cap = cap };
		if (!n.e)
			return NULL;
		for (size_t i = 0; i < t->cap; i++)
			if (t->e[i].state == 1) {
				*ktab_slot(&n, t->e[i].content, t->e[i].nid) = t->e[i];
				n.used++;
			}
		n.filled = n.used;
		free(t->e);
		*t = n;
	}
	struct ktab_ent *e = ktab_slot(t, c, nid);
	if (!e->state)
		t->filled++;
	t->used++;
	*e = (struct ktab_ent){ .content = c, .nid = nid, .state = 1 };
	return e;
}

static void ktab_del(struct ktab *t, struct ktab_ent *e)
{
	e->state = 2;
	t->used--;
}

static void ktab_clear(struct ktab *t)
{
	if (t->cap)
		memset(t->e, 0, t->cap * sizeof(t->e[0]));
	t->used = t->filled = 0;
}

/* ---- slots and items --------------------------------------------------------------------- */

static void ksmd_run(struct ev *ev, void *ctx);

static struct ksm *ksm_get(struct os *os)
{
	if (!os->ksm) {
		os->ksm = calloc(1, sizeof(*os->ksm));
		if (os->ksm)
			ev_init(&os->ksm->ev, ksmd_run, os);
	}
	return os->ksm;
}

static bool has_mergeable(const struct process *p)
{
	for (size_t i = 0; i < p->mm.nr_vma; i++)
		if (p->mm.vma[i].flags & VM_MERGEABLE)
			return true;
	return false;
}

/* ksmd sleeps while there is nothing to scan; a new mm_slot or a run wakes it. */
static void ksmd_arm(struct os *os, struct ksm *k, sim_time_t now)
{
	if (k->armed || !os->q || !os->cfg.ksm.run || !k->nr_slots)
		return;
	k->armed = true;
	kthread_schedule(os, KT_KSMD, 0, &k->ev, SIM_MAX(now, os->q->now) + os->cfg.ksm.sleep);
}

/* __ksm_enter: p's mm joins the scan list (at its end, as ksm_mm_head is FIFO). */
static int ksm_enter(struct os *os, struct ksm *k, int pid, sim_time_t now)
{
	for (size_t i = 0; i < k->nr_slots; i++)
		if (k->slots[i].pid == pid)
			return 0;
	if (k->nr_slots == k->cap_slots) {
		size_t cap = k->cap_slots ? k->cap_slots * 2 : 8;
		struct mm_slot *n = realloc(k->slots, cap * sizeof(*n));
		if (!n)
			return -SIM_ENOMEM;
		k->slots = n;
		k->cap_slots = cap;
	}
	k->slots[k->nr_slots++] = (struct mm_slot){ .pid = pid };
	ksmd_arm(os, k, now);
	return 0;
}

static void drop_item(struct ksm *k, const struct rmap_item *it)
{
	k->nr_items--;
	if (it->stable)
		k->nr_stable_items--;
	if (it->unstable_seq)
		k->nr_unstable--;
}

/* get_next_rmap_item: the item of addr in the list being built (older ones are dropped). */
static struct rmap_item *get_item(struct ksm *k, struct mm_slot *s, uint64_t addr)
{
	while (s->pos < s->n && s->items[s->pos].addr < addr)
		drop_item(k, &s->items[s->pos++]);
	if (s->nn == s->ncap) {
		size_t cap = s->ncap ? s->ncap * 2 : 64;
		struct rmap_item *n = realloc(s->next, cap * sizeof(*n));
		if (!n)
			return NULL;
		s->next = n;
		s->ncap = cap;
	}
	struct rmap_item *it = &s->next[s->nn++];
	if (s->pos < s->n && s->items[s->pos].addr == addr) {
		*it = s->items[s->pos++];
	} else {
		*it = (struct rmap_item){ .addr = addr };
		k->nr_items++;
	}
	return it;
}

/* The pass over s ended: items it did not meet again go (remove_trailing_rmap_items). */
static void slot_end_pass(struct ksm *k, struct mm_slot *s)
{
	while (s->pos < s->n)
		drop_item(k, &s->items[s->pos++]);
	struct rmap_item *t = s->items;
	size_t tc = s->cap;
	s->items = s->next;
	s->n = s->nn;
	s->cap = s->ncap;
	s->next = t;
	s->ncap = tc;
	s->nn = s->pos = 0;
	s->in_pass = false;
}

static void slot_drop_all(struct ksm *k, struct mm_slot *s)
{
	for (size_t i = s->pos; i < s->n; i++)
		drop_item(k, &s->items[i]);
	for (size_t i = 0; i < s->nn; i++)
		drop_item(k, &s->next[i]);
	s->n = s->nn = s->pos = 0;
	s->in_pass = false;
}

/* The end of a full scan: the unstable tree empties; gone mms leave; forked ones join (ksm_fork). */
static void end_full_scan(struct os *os, struct ksm *k, sim_time_t now)
{
	k->seqnr++;
	ktab_clear(&k->unstable);
	size_t j = 0;
	for (size_t i = 0; i < k->nr_slots; i++) {
		if (k->slots[i].pid) {
			k->slots[j++] = k->slots[i];
			continue;
		}
		free(k->slots[i].items);
		free(k->slots[i].next);
	}
	k->nr_slots = j;
	for (size_t pid = 1; pid < os->nr_procs; pid++) {
		const struct process *p = os->procs[pid];
		if (p->alive && p->pgd_pfn != NO_PGD && has_mergeable(p))
			if (ksm_enter(os, k, p->pid, now))
				os_fail_enomem(os, "ksmd's mm slot of a process");
	}
}

/* ---- pages -------------------------------------------------------------------------------- */

struct found {
	struct os *os;
	struct vma *v;
	uint64_t va, slot, pte;
	struct page *pg;
};

static int find_one(void *ctx, uint64_t va, uint64_t slot, uint64_t pte, unsigned level)
{
	struct found *f = ctx;
	if (level != 1 || !(pte & PTE_P) || (pte & PTE_SPECIAL))
		return 0;   /* THPs, swap and NUMA-hinting entries, the zero page: not scanned */
	struct page *pg = pfn_to_page(f->os->phys, pte_pfn(pte));
	if (!page_test(pg, PG_anon) || pg->order)
		return 0;
	f->va = va;
	f->slot = slot;
	f->pte = pte;
	f->pg = pg;
	return 1;
}

/* scan_get_next_rmap_item's page walk: the next anonymous 4 KiB page of a VM_MERGEABLE VMA at or above from. */
static bool next_page(struct os *os, struct process *p, uint64_t from, struct found *f)
{
	f->os = os;
	for (size_t i = mm_find_idx(&p->mm, from); i < p->mm.nr_vma; i++) {
		struct vma *v = &p->mm.vma[i];
		if (!(v->flags & VM_MERGEABLE) || v->shm)
			continue;
		f->v = v;
		if (pgtable_walk(os->pm, p->pgd_pfn, SIM_MAX(from, v->start), v->end, find_one, f) == 1)
			return true;
	}
	return false;
}

static uint64_t content_at(const struct process *p, uint64_t va)
{
	return pgc_content(pgc_lookup(&p->pgc, va));
}

/*
 * The contents of the page an item describes, as of this visit: the
 * declaration, unless the page was written again after a visit had found
 * it clean (its dirty bit, `dirty`) and the declaration does not say
 * rewrites keep the data (PGC_KEEP): then it is unique until a new
 * declaration covers it.  Before a clean visit the page counts as still
 * being filled: the store that retries after the first write fault sets
 * the dirty bit again, after ksmd may have seen the page.
 */
static uint64_t item_content(const struct process *p, struct rmap_item *it, bool dirty)
{
	const struct pgc_range *r = pgc_lookup(&p->pgc, it->addr);
	if (!pgc_content(r))
		return 0;
	if (it->rewritten && it->rewritten != r->gen + 1)
		it->rewritten = 0;   /* declared again since */
	if (it->clean_seen && dirty && !(r->flags & PGC_KEEP))
		it->rewritten = r->gen + 1;
	if (!dirty)
		it->clean_seen = true;
	return it->rewritten ? 0 : pgc_content(r);
}

/* No one but its mappings holds pg (write_protect_page's refcount check), and it sits where KSM can take it. */
static bool page_mergeable(const struct page *pg)
{
	const uint32_t bad = (1u << PG_swapcache) | (1u << PG_writeback) | (1u << PG_ksm) | (1u << PG_locked) |
			     (1u << PG_hugetlb);
	return page_test(pg, PG_anon) && !pg->order && !(pg->flags & bad) && pg->refcount == pg->mapcount;
}

/* replace_page: the mapping f of p points at kpage, read-only; f's page loses it. */
static void replace_page(struct os *os, struct process *p, const struct found *f, struct page *kpage, unsigned cpu,
			 sim_time_t now, sim_time_t *cost)
{
	pmem_write64(os->pm, f->slot, (kpage->pfn << PAGE_SHIFT) | vma_leaf_bits(f->v));
	rmap_account_add(os, p, f->v, kpage, 1);
	kpage->refcount++;
	rmap_account_remove(os, p, f->v, f->pg, 1);
	put_page(os, f->pg, cpu);
	*cost += oshw_flush(os, p, cpu, now + *cost, f->va, PAGE_SIZE);
}

/*
 * try_to_merge_one_page on a page that becomes a KSM page:
 * write_protect_page (the dirty bit moves to PG_dirty), PageKsm, and the
 * stable tree (stable_tree_insert).  Taken off the LRU: numasim does not
 * reclaim KSM pages.  @return 0, or -1 when it cannot be (nothing changed).
 */
static int make_ksm_page(struct os *os, struct ksm *k, struct process *p, const struct found *f, uint64_t content,
			 unsigned nid, unsigned cpu, sim_time_t now, sim_time_t *cost)
{
	struct page *pg = f->pg;
	if (!page_test(pg, PG_lru) || pg->mapcount != 1 || !page_mergeable(pg))
		return -1;
	struct stable_node *sn = calloc(1, sizeof(*sn));
	struct ktab_ent *e = sn ? ktab_lookup(&k->stable, content, nid) : NULL;
	if (sn && !e)
		e = ktab_insert(&k->stable, content, nid);
	if (!e) {
		free(sn);
		return -1;
	}
	/* a full KSM page of this content stays; the new one takes new sharers (a stable_node dup) */
	*sn = (struct stable_node){ .content = content, .nid = nid, .kpfn = pg->pfn, .next = k->nodes };
	if (k->nodes)
		k->nodes->prev = sn;
	k->nodes = sn;
	e->node = sn;
	if (f->pte & PTE_D)
		page_set(pg, PG_dirty);
	pmem_write64(os->pm, f->slot, f->pte & ~(PTE_RW | PTE_D));
	*cost += oshw_flush(os, p, cpu, now + *cost, f->va, PAGE_SIZE);
	lru_del(os, pg);
	page_set(pg, PG_ksm);
	pg->mapping = sn;
	k->pages_shared++;
	return 0;
}

void ksm_page_free(struct os *os, struct page *pg)
{
	struct ksm *k = os->ksm;
	struct stable_node *sn = pg->mapping;

	SIM_BUG_ON(!k || !sn || sn->kpfn != pg->pfn);
	struct ktab_ent *e = ktab_lookup(&k->stable, sn->content, sn->nid);
	if (e && e->node == sn)
		ktab_del(&k->stable, e);
	if (sn->prev)
		sn->prev->next = sn->next;
	else
		k->nodes = sn->next;
	if (sn->next)
		sn->next->prev = sn->prev;
	free(sn);
	k->pages_shared--;
	page_clear(pg, PG_ksm);
	pg->mapping = NULL;
}

/* The item of an unstable-tree entry, if it still is one. */
static struct rmap_item *tree_item(struct ksm *k, const struct ktab_ent *e)
{
	if (e->slot >= k->nr_slots)
		return NULL;
	struct mm_slot *s = &k->slots[e->slot];
	struct rmap_item *it = e->slot == k->cur ? (e->idx < s->nn ? &s->next[e->idx] : NULL)
						 : (e->idx < s->n ? &s->items[e->idx] : NULL);
	return it && it->unstable_seq == k->seqnr + 1 && !it->stable ? it : NULL;
}

/*
 * unstable_tree_search_insert's match, checked again as Linux re-reads
 * the tree page (get_mergeable_page, memcmp_pages): still mapped there,
 * still anonymous and unmerged, the same contents, on the right node.
 */
static bool tree_page(struct os *os, struct ksm *k, const struct ktab_ent *e, const struct rmap_item *it,
		      const struct page *pg, struct process **tp, struct found *tf)
{
	struct process *p2 = os_proc(os, k->slots[e->slot].pid);
	if (!p2 || !p2->alive || p2->pgd_pfn == NO_PGD)
		return false;
	struct vma *v2 = vma_lookup(&p2->mm, it->addr);
	if (!v2 || !(v2->flags & VM_MERGEABLE) || v2->shm)
		return false;
	uint64_t slot;
	if (pgtable_lookup(os->pm, p2->pgd_pfn, it->addr, &slot) != 1)
		return false;
	tf->os = os;
	if (!find_one(tf, it->addr, slot, pmem_read64(os->pm, slot), 1) || tf->pg == pg || !page_mergeable(tf->pg))
		return false;
	if (content_at(p2, it->addr) != e->content || (!os->cfg.ksm.merge_across_nodes && tf->pg->node != e->nid))
		return false;
	/* written since its visit: memcmp_pages would differ, unless rewrites keep the data */
	const struct pgc_range *r = pgc_lookup(&p2->pgc, it->addr);
	if ((tf->pte & PTE_D) && !(r->flags & PGC_KEEP))
		return false;
	tf->v = v2;
	*tp = p2;
	return true;
}

/* cmp_and_merge_page for the page f of p (slot si). */
static void cmp_and_merge_page(struct os *os, struct ksm *k, size_t si, struct process *p, const struct found *f,
			       unsigned cpu, sim_time_t now, sim_time_t *cost)
{
	struct mm_slot *s = &k->slots[si];
	struct rmap_item *it = get_item(k, s, f->va);
	struct page *pg = f->pg;

	if (!it) {
		os_fail_enomem(os, "ksmd's rmap item of a page");
		return;
	}
	size_t idx = (size_t)(it - s->next);
	if (it->unstable_seq) {
		/* remove_rmap_item_from_tree: out of last scan's unstable tree */
		it->unstable_seq = 0;
		k->nr_unstable--;
	}
	if (page_test(pg, PG_ksm)) {
		if (!it->stable) {
			it->stable = true;
			k->nr_stable_items++;
		}
		return;
	}
	if (it->stable) {
		/* copied on write (or unmerged) since the last visit */
		it->stable = false;
		k->nr_stable_items--;
	}
	uint64_t content = item_content(p, it, f->pte & PTE_D);
	unsigned nid = os->cfg.ksm.merge_across_nodes ? 0 : pg->node;
	struct ktab_ent *se = content ? ktab_lookup(&k->stable, content, nid) : NULL;
	if (se) {
		/* stable_tree_search: merge into the KSM page (while it has room: max_page_sharing) */
		struct page *kpage = pfn_to_page(os->phys, se->node->kpfn);
		if ((uint32_t)kpage->mapcount < KSM_MAX_PAGE_SHARING && page_mergeable(pg)) {
			replace_page(os, p, f, kpage, cpu, now, cost);
			it->stable = true;
			k->nr_stable_items++;
			it->seen = true;
			it->content = content;
			return;
		}
	}
	/* the checksum rule: changed since the last visit (or never seen) -> only remember it */
	bool changed = !it->seen || it->content != content || (f->pte & PTE_D);
	if (f->pte & PTE_D) {
		pmem_write64(os->pm, f->slot, f->pte & ~PTE_D);
		page_set(pg, PG_dirty);
	}
	it->seen = true;
	it->content = content;
	if (changed)
		return;
	struct ktab_ent *ue = content ? ktab_lookup(&k->unstable, content, nid) : NULL;
	struct rmap_item *ti = ue ? tree_item(k, ue) : NULL;
	struct process *p2;
	struct found tf;
	size_t tslot = ue ? ue->slot : 0, tidx = ue ? ue->idx : 0;
	if (ti && (!se || (uint32_t)pfn_to_page(os->phys, se->node->kpfn)->mapcount >= KSM_MAX_PAGE_SHARING) &&
	    tree_page(os, k, ue, ti, pg, &p2, &tf) && !make_ksm_page(os, k, p, f, content, nid, cpu, now, cost)) {
		/* try_to_merge_two_pages: this page is the KSM page, the tree page's mapping moves to it */
		ktab_del(&k->unstable, ue);
		replace_page(os, p2, &tf, pg, cpu, now, cost);
		ti = tree_item(k, &(struct ktab_ent){ .slot = tslot, .idx = tidx });
		SIM_BUG_ON(!ti);
		ti->unstable_seq = 0;
		ti->stable = true;
		k->nr_unstable--;
		it = &k->slots[si].next[idx];
		it->stable = true;
		k->nr_stable_items += 2;
		return;
	}
	/* unstable_tree_search_insert: this page waits in the unstable tree (unique pages count, never match) */
	it->unstable_seq = k->seqnr + 1;
	k->nr_unstable++;
	if (content && !ti) {
		if (ue)
			ktab_del(&k->unstable, ue);   /* a stale entry: this page takes its place */
		struct ktab_ent *ne = ktab_insert(&k->unstable, content, nid);
		if (ne) {
			ne->slot = si;
			ne->idx = idx;
		}
	}
}

sim_time_t ksm_do_scan(struct os *os, unsigned cpu, sim_time_t now)
{
	struct ksm *k = os->ksm;
	sim_time_t cost = 0;

	if (!k || !os->cfg.ksm.run)
		return 0;
	for (uint32_t budget = os->cfg.ksm.pages_to_scan; budget;) {
		if (k->cur >= k->nr_slots) {
			/* scan_get_next_rmap_item at the end of the list: a full scan is done, ksmd sleeps */
			end_full_scan(os, k, now + cost);
			k->cur = 0;
			k->cur_addr = 0;
			break;
		}
		struct mm_slot *s = &k->slots[k->cur];
		struct process *p = s->pid ? os_proc(os, s->pid) : NULL;
		if (!p || !p->alive || p->pgd_pfn == NO_PGD) {
			slot_drop_all(k, s);   /* ksm_exit */
			s->pid = 0;
			k->cur++;
			k->cur_addr = 0;
			continue;
		}
		if (!s->in_pass) {
			s->in_pass = true;
			s->pos = s->nn = 0;
		}
		struct found f;
		if (!next_page(os, p, k->cur_addr, &f)) {
			slot_end_pass(k, s);
			k->cur++;
			k->cur_addr = 0;
			continue;
		}
		k->cur_addr = f.va + PAGE_SIZE;
		budget--;
		k->pages_scanned++;
		cost += os->cfg.ksm.scan_cost;
		cmp_and_merge_page(os, k, k->cur, p, &f, cpu, now, &cost);
	}
	return cost;
}

static void ksmd_run(struct ev *ev, void *ctx)
{
	struct os *os = ctx;
	struct ksm *k = os->ksm;
	sim_time_t cost = ksm_do_scan(os, 0, ev->when);

	reclaim_steal(os, 0, cost);
	k->armed = false;
	/* ksmd_should_run: sleep_millisecs after this batch, while any mm is registered */
	if (k->nr_slots && os->cfg.ksm.run) {
		k->armed = true;
		kthread_schedule(os, KT_KSMD, 0, &k->ev, ev->when + cost + os->cfg.ksm.sleep);
	}
}

/* ---- madvise ------------------------------------------------------------------------------ */

struct ksm_pages {
	struct os *os;
	uint64_t *va;
	size_t n, cap;
};

static int collect_ksm(void *ctx, uint64_t va, uint64_t slot, uint64_t pte, unsigned level)
{
	struct ksm_pages *c = ctx;
	(void)slot;
	if (level != 1 || !(pte & PTE_P) || (pte & PTE_SPECIAL) || !page_test(pfn_to_page(c->os->phys, pte_pfn(pte)), PG_ksm))
		return 0;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		uint64_t *n = realloc(c->va, cap * sizeof(*n));
		if (!n)
			return -SIM_ENOMEM;
		c->va = n;
		c->cap = cap;
	}
	c->va[c->n++] = va;
	return 0;
}

int ksm_madvise(struct os *os, struct process *p, struct vma *v, bool merge, unsigned cpu, sim_time_t now,
		sim_time_t *cost)
{
	/* vma_ksm_compatible */
	if (v->flags & (VM_SHARED | VM_HUGETLB))
		return 0;
	if (merge) {
		struct ksm *k;
		if (v->flags & VM_MERGEABLE)
			return 0;
		if (!(k = ksm_get(os)))
			return -SIM_ENOMEM;
		v->flags |= VM_MERGEABLE;
		return ksm_enter(os, k, p->pid, now);
	}
	if (!(v->flags & VM_MERGEABLE))
		return 0;
	/* unmerge_ksm_pages: break_ksm faults every KSM page of the range in for write (a copy each) */
	struct ksm_pages c = { .os = os };
	uint64_t start = v->start, end = v->end;
	int rc = pgtable_walk(os->pm, p->pgd_pfn, start, end, collect_ksm, &c);
	bool writable = v->flags & VM_WRITE;
	for (size_t i = 0; !rc && writable && i < c.n; i++)
		if (fault_handle(os, p, cpu, now + *cost, c.va[i], true, cost) != OS_FAULT_RETRY)
			rc = -SIM_EOOM;
	free(c.va);
	/* ksm_madvise: the flag goes only once unmerge_ksm_pages succeeded */
	if (!rc)
		v->flags &= ~VM_MERGEABLE;
	return rc;
}

/* ---- views -------------------------------------------------------------------------------- */

uint64_t ksm_pages_shared(const struct os *os)
{
	return os->ksm ? os->ksm->pages_shared : 0;
}

uint64_t ksm_pages_sharing(const struct os *os)
{
	const struct ksm *k = os->ksm;
	return k && k->nr_stable_items > k->pages_shared ? k->nr_stable_items - k->pages_shared : 0;
}

struct ksm_stat {
	const char *name;
	int64_t v;
};

/* The files of /sys/kernel/mm/ksm numasim models, in directory order.  @return how many. */
static size_t ksm_stats(const struct os *os, struct ksm_stat *s)
{
	const struct ksm *k = os->ksm;
	const struct ksm_cfg *c = &os->cfg.ksm;
	uint64_t items = k ? k->nr_items : 0, stable = k ? k->nr_stable_items : 0, unstable = k ? k->nr_unstable : 0;
	uint64_t sharing = ksm_pages_sharing(os);
	size_t n = 0;

	s[n++] = (struct ksm_stat){ "full_scans", k ? (int64_t)k->seqnr : 0 };
	/* general_profit: (pages_sharing + ksm_zero_pages) * PAGE_SIZE - rmap_items * sizeof(struct ksm_rmap_item) */
	s[n++] = (struct ksm_stat){ "general_profit", (int64_t)(sharing * PAGE_SIZE) - (int64_t)(items * KSM_RMAP_ITEM_SIZE) };
	s[n++] = (struct ksm_stat){ "ksm_zero_pages", 0 };
	s[n++] = (struct ksm_stat){ "max_page_sharing", KSM_MAX_PAGE_SHARING };
	s[n++] = (struct ksm_stat){ "merge_across_nodes", c->merge_across_nodes };
	s[n++] = (struct ksm_stat){ "pages_scanned", k ? (int64_t)k->pages_scanned : 0 };
	s[n++] = (struct ksm_stat){ "pages_shared", (int64_t)ksm_pages_shared(os) };
	s[n++] = (struct ksm_stat){ "pages_sharing", (int64_t)sharing };
	s[n++] = (struct ksm_stat){ "pages_to_scan", c->pages_to_scan };
	s[n++] = (struct ksm_stat){ "pages_unshared", (int64_t)unstable };
	s[n++] = (struct ksm_stat){ "pages_volatile", items > stable + unstable ? (int64_t)(items - stable - unstable) : 0 };
	s[n++] = (struct ksm_stat){ "run", c->run };
	s[n++] = (struct ksm_stat){ "sleep_millisecs", (int64_t)(c->sleep / 1000000000ULL) };
	s[n++] = (struct ksm_stat){ "use_zero_pages", 0 };
	return n;
}

#define KSM_NR_STATS 14

void ksm_dump(const struct os *os, FILE *fp)
{
	struct ksm_stat s[KSM_NR_STATS];
	size_t n = ksm_stats(os, s);
	for (size_t i = 0; i < n; i++)
		fprintf(fp, "%s %" PRId64 "\n", s[i].name, s[i].v);
}

void ksm_report(const struct os *os, rep_t *r)
{
	struct ksm_stat s[KSM_NR_STATS];
	if (!os->ksm && !os->cfg.ksm.run)
		return;   /* runs without KSM keep their report */
	size_t n = ksm_stats(os, s);
	rep_obj_begin(r, "ksm");
	for (size_t i = 0; i < n; i++)
		rep_i64(r, s[i].name, s[i].v);
	rep_obj_end(r);
}

void ksm_destroy(struct os *os)
{
	struct ksm *k = os->ksm;
	if (!k)
		return;
	if (os->q)
		ev_cancel(os->q, &k->ev);
	for (size_t i = 0; i < k->nr_slots; i++) {
		free(k->slots[i].items);
		free(k->slots[i].next);
	}
	free(k->slots);
	free(k->stable.e);
	free(k->unstable.e);
	while (k->nodes) {
		struct stable_node *n = k->nodes->next;
		free(k->nodes);
		k->nodes = n;
	}
	free(k);
	os->ksm = NULL;
}
