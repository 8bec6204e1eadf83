/*
 * os/thp.c - transparent huge pages: fault, split, khugepaged (see thp.h).
 */
#include <stdlib.h>
#include "os/compaction.h"
#include "os/lru.h"
#include "os/memcontrol.h"
#include "os/rmap.h"
#include "os/thp.h"
#include "os/swap.h"
#include "sim/err.h"

bool thp_vma_suitable(const struct os *os, const struct vma *v, uint64_t vaddr)
{
	uint64_t haddr = vaddr & ~(HPAGE_PMD_SIZE - 1);

	if (v->shm || (v->flags & (VM_HUGETLB | VM_SHARED | VM_NOHUGEPAGE)) || !(v->flags & VM_ACCESS_FLAGS))
		return false;
	if (os->cfg.thp == THP_NEVER || (os->cfg.thp == THP_MADVISE && !(v->flags & VM_HUGEPAGE)))
		return false;
	return haddr >= v->start && haddr + HPAGE_PMD_SIZE <= v->end;
}

/* vma_thp_gfp_mask (sources.md §4.1). */
static gfp_t thp_gfp(const struct os *os, const struct vma *v)
{
	bool madv = v->flags & VM_HUGEPAGE;

	switch (os->cfg.thp_defrag) {
	case THP_DEFRAG_ALWAYS:
		return GFP_TRANSHUGE | (madv ? 0 : __GFP_NORETRY);
	case THP_DEFRAG_DEFER:
		return GFP_TRANSHUGE_LIGHT | __GFP_KSWAPD_RECLAIM;
	case THP_DEFRAG_DEFER_MADVISE:
		return GFP_TRANSHUGE_LIGHT | (madv ? __GFP_DIRECT_RECLAIM : __GFP_KSWAPD_RECLAIM);
	case THP_DEFRAG_MADVISE:
		return GFP_TRANSHUGE_LIGHT | (madv ? __GFP_DIRECT_RECLAIM : 0);
	default:
		return GFP_TRANSHUGE_LIGHT;
	}
}

static uint64_t leaf_bits(const struct vma *v)
{
	uint64_t b = PTE_US | PTE_A;
	b |= (v->flags & VM_ACCESS_FLAGS) ? PTE_P : PTE_PROTNONE;
	if (!(v->flags & VM_EXEC))
		b |= PTE_NX;
	if (v->flags & VM_WRITE)
		b |= PTE_RW | PTE_D;
	return b;
}

/*
 * get_huge_zero_folio: one order-9 zeroed page, allocated on first use with
 * (GFP_TRANSHUGE | __GFP_ZERO) & ~__GFP_MOVABLE near the faulting CPU and
 * counted thp_zero_page_alloc once (a failure counts
 * thp_zero_page_alloc_failed and is retried by the next fault).  Linux's
 * shrinker frees it again when no mm uses it; numasim keeps it until the
 * OS is destroyed, so the count stays at one.
 */
static bool get_huge_zero_page(struct os *os, unsigned cpu, sim_time_t now, sim_time_t *cost)
{
	if (os->has_huge_zero)
		return true;
	struct alloc_ctx ac = { .order = HPAGE_PMD_ORDER, .gfp = (GFP_TRANSHUGE | __GFP_ZERO) & ~__GFP_MOVABLE,
				.preferred_nid = (int)os_cpu_node(os, cpu), .cpu = cpu, .now = now };
	uint64_t pfn;
	sim_time_t c = 0;
	if (page_alloc(os->phys, &ac, &pfn, &c)) {
		*cost += c;
		vmstat_inc(os->phys, THP_ZERO_PAGE_ALLOC_FAILED, 1);
		return false;
	}
	*cost += c + oshw_zero(os, cpu, now, pfn, HPAGE_PMD_SIZE);
	for (uint64_t k = 0; k < HPAGE_PMD_NR; k++)
		pmem_clear_page(os->pm, pfn + k);
	page_set(pfn_to_page(os->phys, pfn), PG_reserved);   /* never on an LRU, never migrated or freed */
	os->huge_zero_pfn = pfn;
	os->has_huge_zero = true;
	vmstat_inc(os->phys, THP_ZERO_PAGE_ALLOC, 1);
	return true;
}

bool thp_do_fault(struct os *os, struct process *p, struct vma *v, uint64_t vaddr, uint64_t pmd_slot, bool write,
		  unsigned cpu, sim_time_t now, sim_time_t *cost)
{
	uint64_t haddr = vaddr & ~(HPAGE_PMD_SIZE - 1), pfn;
	gfp_t gfp = thp_gfp(os, v);

	/* do_huge_pmd_anonymous_page: a read fault maps the huge zero page read-only and special */
	if (!write && os->cfg.thp_use_zero_page) {
		if (!get_huge_zero_page(os, cpu, now, cost)) {
			vmstat_inc(os->phys, THP_FAULT_FALLBACK, 1);
			return false;
		}
		uint64_t bits = leaf_bits(v) & ~(PTE_RW | PTE_D);
		pmem_write64(os->pm, pmd_slot, (os->huge_zero_pfn << PAGE_SHIFT) | bits | PTE_PS | PTE_SPECIAL);
		return true;
	}
	if (fault_alloc_policy(os, p, v, haddr, HPAGE_PMD_ORDER, gfp | __GFP_ZERO, cpu, now, &pfn, cost)) {
		vmstat_inc(os->phys, THP_FAULT_FALLBACK, 1);
		/* defer modes leave the work to kswapd, which wakes kcompactd when it sleeps */
		if (gfp & __GFP_KSWAPD_RECLAIM)
			wakeup_kcompactd(os, os_cpu_node(os, cpu), HPAGE_PMD_ORDER, ZONE_MOVABLE);
		return false;
	}
	*cost += oshw_zero(os, cpu, now, pfn, HPAGE_PMD_SIZE);
	if (!v->anon_vma)
		v->anon_vma = ++os->next_anon_vma;
	struct page *pg = pfn_to_page(os->phys, pfn);
	page_set(pg, PG_anon);
	page_set(pg, PG_swapbacked);
	page_set(pg, PG_uptodate);
	pg->mapping = p;
	pg->index = haddr >> PAGE_SHIFT;
	pg->mapcount = 0;
	pmem_write64(os->pm, pmd_slot, (pfn << PAGE_SHIFT) | leaf_bits(v) | PTE_PS);
	/*
	 * map_anon_folio_pmd: folio_add_lru_vma before the rmap, so a VM_LOCKED
	 * v finds it on the LRU and culls it with mlock_count 1 (mlock_new_folio);
	 * the other way round lru_add would cull it again with mlock_count 0.
	 */
	lru_add(os, pg);
	rmap_account_add(os, p, v, pg, HPAGE_PMD_NR);
	node_stat_mod(os->phys, pg->node, NR_ANON_THPS, HPAGE_PMD_NR);
	vmstat_inc(os->phys, THP_FAULT_ALLOC, 1);
	return true;
}

/* ---- splitting ------------------------------------------------------------------------------- */

#define SPLIT_MAX_MAPS 64

struct split_hits {
	unsigned n;
	struct rmap_hit h[SPLIT_MAX_MAPS];
};

static int split_collect(void *ctx, const struct rmap_hit *h)
{
	struct split_hits *s = ctx;
	if (s->n == SPLIT_MAX_MAPS)
		return -SIM_ENOMEM;
	s->h[s->n++] = *h;
	return 0;
}

/* split_huge_page with every PMD mapping remapped by PTEs first. */
static int thp_split_page(struct os *os, struct page *pg, unsigned cpu, sim_time_t now, sim_time_t *cost)
{
	struct split_hits *s = calloc(1, sizeof(*s));
	int rc;

	if (!s)
		return -SIM_ENOMEM;
	if ((rc = rmap_walk(os, pg, split_collect, s, NULL)))
		goto out;
	/* every mapping first gets its page table (the only step that can fail) */
	uint64_t pslot[SPLIT_MAX_MAPS];
	for (unsigned i = 0; i < s->n; i++) {
		const struct rmap_hit *h = &s->h[i];
		if (h->level != 2)
			continue;
		pmem_write64(os->pm, h->slot, 0);
		rc = fault_pgtable_slot(os, h->p, cpu, now, h->vaddr, 1, &pslot[i], cost);
		if (rc) {
			/* out of memory for a page table: this mapping keeps its PMD (earlier ones are split) */
			pmem_write64(os->pm, h->slot, h->pte);
			goto out;
		}
		uint64_t flags = h->pte & ~(PTE_ADDR_MASK | PTE_PS);
		for (uint64_t k = 0; k < HPAGE_PMD_NR; k++)
			pmem_write64(os->pm, pslot[i] + 8 * k, ((pg->pfn + k) << PAGE_SHIFT) | flags);
		*cost += oshw_flush(os, h->p, cpu, now, h->vaddr, HPAGE_PMD_SIZE);
		vmstat_inc(os->phys, THP_SPLIT_PMD, 1);
	}
	/* __split_huge_page: 512 order-0 pages, each mapped where the head was, each on the LRU */
	bool was_lru = page_test(pg, PG_lru);
	lru_del(os, pg);
	uint32_t flags = pg->flags & ~((1u << PG_head) | (1u << PG_tail));
	for (uint64_t k = 0; k < HPAGE_PMD_NR; k++) {
		struct page *sub = pfn_to_page(os->phys, pg->pfn + k);
		sub->flags = flags;
		sub->order = 0;
		sub->refcount = pg->refcount;
		sub->mapcount = pg->mapcount;
		sub->mapping = pg->mapping;
		sub->index = pg->index + k;
		sub->private = 0;
		sub->last_cpupid = pg->last_cpupid;
	}
	split_page_memcg(os, pg, HPAGE_PMD_NR);   /* before the subpages go on their memcg's lists */
	for (uint64_t k = 0; was_lru && k < HPAGE_PMD_NR; k++)
		lru_add(os, pfn_to_page(os->phys, pg->pfn + k));
	node_stat_mod(os->phys, pg->node, NR_ANON_THPS, -HPAGE_PMD_NR);
	vmstat_inc(os->phys, THP_SPLIT_PAGE, 1);
	rc = 1;
out:
	free(s);
	return rc;
}

/*
 * __split_huge_zero_page_pmd: the PMD mapping the huge zero page becomes
 * 512 read-only PTEs of the 4 KiB zero page (thp_split_pmd, as
 * __split_huge_pmd_locked counts every PMD split).
 */
static int split_huge_zero_pmd(struct os *os, struct process *p, uint64_t vaddr, uint64_t slot, uint64_t pte,
			       unsigned cpu, sim_time_t now, sim_time_t *cost)
{
	uint64_t haddr = vaddr & ~(HPAGE_PMD_SIZE - 1), pslot;

	pmem_write64(os->pm, slot, 0);
	int rc = fault_pgtable_slot(os, p, cpu, now, haddr, 1, &pslot, cost);
	if (rc) {
		pmem_write64(os->pm, slot, pte);
		return rc;
	}
	uint64_t flags = pte & ~(PTE_ADDR_MASK | PTE_PS);
	for (uint64_t k = 0; k < HPAGE_PMD_NR; k++)
		pmem_write64(os->pm, pslot + 8 * k, (os->zero_pfn << PAGE_SHIFT) | flags);
	*cost += oshw_flush(os, p, cpu, now, haddr, HPAGE_PMD_SIZE);
	vmstat_inc(os->phys, THP_SPLIT_PMD, 1);
	return 1;
}

int thp_split_at(struct os *os, struct process *p, uint64_t vaddr, unsigned cpu, sim_time_t now, sim_time_t *cost)
{
	uint64_t slot;
	const struct vma *v = vma_lookup(&p->mm, vaddr);

	if (!v || (v->flags & VM_HUGETLB) || p->pgd_pfn == NO_PGD)
		return 0;
	if (pgtable_lookup(os->pm, p->pgd_pfn, vaddr, &slot) != 2)
		return 0;
	uint64_t pte = pmem_read64(os->pm, slot);
	if (!pte_present(pte) || !(pte & PTE_PS))
		return 0;
	if (pte & PTE_SPECIAL)
		return split_huge_zero_pmd(os, p, vaddr, slot, pte, cpu, now, cost);
	struct page *pg = pfn_to_page(os->phys, pte_pfn(pte));
	SIM_BUG_ON(!page_test(pg, PG_head) || page_test(pg, PG_hugetlb));
	return thp_split_page(os, pg, cpu, now, cost);
}

int thp_split_edges(struct os *os, struct process *p, uint64_t start, uint64_t end, unsigned cpu, sim_time_t now,
		    sim_time_t *cost)
{
	int rc = 0;
	if (start & (HPAGE_PMD_SIZE - 1))
		rc = thp_split_at(os, p, start, cpu, now, cost);
	if (rc >= 0 && (end & (HPAGE_PMD_SIZE - 1)))
		rc = thp_split_at(os, p, end, cpu, now, cost);
	return rc < 0 ? rc : 0;
}

/* ---- khugepaged -------------------------------------------------------------------------------- */

/*
 * hpage_collapse_scan_pmd + collapse_huge_page for the PTE table mapping
 * [haddr, haddr + 2M) of p.  The range qualifies with at most
 * max_ptes_none empty (or zero-page) entries, max_ptes_swap swap entries
 * (swapped in first: __collapse_huge_page_swapin) and max_ptes_shared pages
 * that other processes map too (copied; the others keep theirs); every
 * mapped page must be an order-0 anonymous page with no references beyond
 * its mappings (and the swap cache's).
 */
static sim_time_t collapse_range(struct os *os, struct process *p, struct vma *v, uint64_t haddr, unsigned cpu,
				 sim_time_t now)
{
	uint64_t slot, pmd_slot, pfn;
	unsigned none = 0, swapped = 0, shared = 0, count[HW_MAX_NODES] = { 0 };
	struct page *old[HPAGE_PMD_NR];
	sim_time_t cost = 0;

	if (pgtable_lookup(os->pm, p->pgd_pfn, haddr, &slot) != 1)
		return 0;
	slot &= ~(uint64_t)(PAGE_SIZE - 1);   /* the table's first entry */
	for (unsigned k = 0; k < HPAGE_PMD_NR; k++) {
		uint64_t e = pmem_read64(os->pm, slot + 8 * k);
		old[k] = NULL;
		if (!e || (e & PTE_SPECIAL)) {
			if (++none > os->cfg.khugepaged_max_ptes_none) {
				vmstat_inc(os->phys, THP_SCAN_EXCEED_NONE_PTE, 1);
				return 0;
			}
			continue;
		}
		if (is_swap_pte(e) && swp_type(e) == SWP_TYPE_SWAP) {
			if (++swapped > os->cfg.khugepaged_max_ptes_swap) {
				vmstat_inc(os->phys, THP_SCAN_EXCEED_SWAP_PTE, 1);
				return 0;
			}
			continue;
		}
		if (!(e & PTE_P))
			return 0;   /* PROT_NONE / NUMA hint / migration entry */
		struct page *pg = pfn_to_page(os->phys, pte_pfn(e));
		if (!page_test(pg, PG_anon) || pg->order || page_test(pg, PG_hugetlb) || page_test(pg, PG_writeback))
			return 0;
		if (pg->mapcount > 1 && ++shared > os->cfg.khugepaged_max_ptes_shared) {
			vmstat_inc(os->phys, THP_SCAN_EXCEED_SHARED_PTE, 1);
			return 0;
		}
		/* is_refcount_suitable: the mappings' references and the swap cache's only */
		if (pg->refcount != pg->mapcount + (page_test(pg, PG_swapcache) ? 1 : 0))
			return 0;
		old[k] = pg;
		count[pg->node]++;
	}
	if (none == HPAGE_PMD_NR)
		return 0;
	/* __collapse_huge_page_swapin: read the swapped pages back (major faults) */
	for (unsigned k = 0; swapped && k < HPAGE_PMD_NR; k++) {
		uint64_t e = pmem_read64(os->pm, slot + 8 * k);
		if (!is_swap_pte(e))
			continue;
		if (do_swap_page(os, p, v, haddr + ((uint64_t)k << PAGE_SHIFT), slot + 8 * k, e, false, cpu, now + cost,
				 &cost))
			return cost;   /* no memory: SCAN_ALLOC_HUGE_PAGE_FAIL-like, try again later */
		e = pmem_read64(os->pm, slot + 8 * k);
		struct page *pg = pfn_to_page(os->phys, pte_pfn(e));
		old[k] = pg;
		count[pg->node]++;
	}
	unsigned target = 0;
	for (unsigned n = 1; n < os->sys.nr_nodes; n++)
		if (count[n] > count[target])
			target = n;
	struct alloc_ctx ac = { .order = HPAGE_PMD_ORDER, .gfp = GFP_TRANSHUGE | __GFP_THISNODE,
				.preferred_nid = (int)target, .cpu = cpu, .now = now };
	nodemask_t only;
	nodes_clear(&only);
	node_set(target, &only);
	ac.nodemask = &only;
	if (page_alloc(os->phys, &ac, &pfn, &cost)) {
		vmstat_inc(os->phys, THP_COLLAPSE_ALLOC_FAILED, 1);
		return cost;
	}
	vmstat_inc(os->phys, THP_COLLAPSE_ALLOC, 1);
	struct page *hp = pfn_to_page(os->phys, pfn);
	for (unsigned k = 0; k < HPAGE_PMD_NR; k++) {
		if (old[k]) {
			/* one subpage after another (collapse_huge_page's copy loop) */
			cost += oshw_copy(os, cpu, now + cost, pfn + k, old[k]->pfn, PAGE_SIZE);
			pmem_write64(os->pm, slot + 8 * k, 0);
			rmap_account_remove(os, p, v, old[k], 1);
			/* other processes keep a shared page; an unmapped swap-cache page leaves the cache */
			if (page_test(old[k], PG_swapcache) && !old[k]->mapcount)
				swapcache_try_free(os, old[k]);
			fault_put_page(os, old[k], cpu);
		} else {
			cost += os->cfg.zero_page_cost + oshw_zero(os, cpu, now + cost, pfn + k, PAGE_SIZE);
			pmem_write64(os->pm, slot + 8 * k, 0);
		}
	}
	SIM_BUG_ON(fault_pgtable_slot(os, p, cpu, now, haddr, 2, &pmd_slot, NULL));
	uint64_t table = pte_pfn(pmem_read64(os->pm, pmd_slot));
	page_set(hp, PG_anon);
	page_set(hp, PG_swapbacked);
	page_set(hp, PG_uptodate);
	hp->mapping = p;
	hp->index = haddr >> PAGE_SHIFT;
	hp->mapcount = 0;
	pmem_write64(os->pm, pmd_slot, (pfn << PAGE_SHIFT) | leaf_bits(v) | PTE_PS);
	/* on the LRU first (folio_add_lru_vma), so a VM_LOCKED v culls it with mlock_count 1 */
	lru_add(os, hp);
	rmap_account_add(os, p, v, hp, HPAGE_PMD_NR);
	node_stat_mod(os->phys, hp->node, NR_ANON_THPS, HPAGE_PMD_NR);
	fault_pgtable_free(os, p, table, cpu);
	cost += oshw_flush(os, p, cpu, now + cost, haddr, HPAGE_PMD_SIZE);
	return cost;
}

sim_time_t khugepaged_scan(struct os *os, unsigned cpu, sim_time_t now)
{
	struct mig_state *m = os->mig;
	int64_t budget = os->cfg.khugepaged_pages_to_scan;
	sim_time_t cost = 0;
	size_t visited = 0;

	if (m->khp_pid < 1)
		m->khp_pid = 1;
	while (budget > 0 && visited <= os->nr_procs) {
		if ((size_t)m->khp_pid >= os->nr_procs) {
			m->khp_pid = 1;
			m->khp_addr = 0;
			visited++;
			if (os->nr_procs <= 1)
				break;
		}
		struct process *p = os->procs[m->khp_pid];
		bool done_proc = true;
		if (p->alive && p->pgd_pfn != NO_PGD) {
			for (size_t i = mm_find_idx(&p->mm, m->khp_addr); i < p->mm.nr_vma; i++) {
				struct vma *v = &p->mm.vma[i];
				uint64_t a = SIM_MAX(m->khp_addr, (v->start + HPAGE_PMD_SIZE - 1) & ~(HPAGE_PMD_SIZE - 1));
				for (; a + HPAGE_PMD_SIZE <= v->end; a += HPAGE_PMD_SIZE) {
					if (budget <= 0) {
						m->khp_addr = a;
						done_proc = false;
						goto next;
					}
					budget -= HPAGE_PMD_NR;
					if (thp_vma_suitable(os, v, a))
						cost += collapse_range(os, p, v, a, cpu, now + cost);
				}
				m->khp_addr = v->end;
			}
		}
next:
		if (done_proc) {
			m->khp_pid++;
			m->khp_addr = 0;
			visited++;
		}
	}
	return cost;
}

static void khugepaged_run(struct ev *ev, void *ctx)
{
	struct os *os = ctx;
	sim_time_t cost = khugepaged_scan(os, 0, ev->when);
	mig_charge_kthread(os, 0, cost);
	kthread_schedule(os, KT_KHUGEPAGED, 0, &os->mig->khugepaged, ev->when + os->cfg.khugepaged_scan_sleep);
}

void thp_init(struct os *os)
{
	struct mig_state *m = os->mig;
	ev_init(&m->khugepaged, khugepaged_run, os);
	if (os->q && os->cfg.thp != THP_NEVER && os->cfg.khugepaged_pages_to_scan)
		kthread_schedule(os, KT_KHUGEPAGED, 0, &m->khugepaged, SIM_MAX(os->now, os->q->now) + os->cfg.khugepaged_scan_sleep);
}

void thp_destroy(struct os *os)
{
	if (os->q)
		ev_cancel(os->q, &os->mig->khugepaged);
}
