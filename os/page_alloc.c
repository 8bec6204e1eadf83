/*
 * os/page_alloc.c - the buddy allocator, per-CPU page lists, the watermark
 * check and the allocation fast and slow paths (sources.md §2-§4), as Linux
 * 6.15+ does them: free lists always match their pageblock's migratetype,
 * fallbacks are split into "claim" (convert a whole pageblock) and "steal"
 * (take one block), pcp lists auto-tune their high mark.
 *
 * Every function works on the whole-machine object (physmem_t); there is
 * no locking because the simulation is single-threaded, but the order of
 * operations is the order Linux runs them under its locks, so list orders
 * (and so which frame a request gets) match.
 */
#include <stdlib.h>
#include <string.h>
#include "os/page_alloc_internal.h"
#include "sim/err.h"

/* ---- gfp helpers (sources.md §4.1) -------------------------------------------- */

enum zone_type gfp_zone(gfp_t gfp)
{
	if (gfp & __GFP_DMA)
		return ZONE_DMA;
	if (gfp & __GFP_DMA32)
		return ZONE_DMA32;
	if ((gfp & (__GFP_MOVABLE | __GFP_HIGHMEM)) == (__GFP_MOVABLE | __GFP_HIGHMEM))
		return ZONE_MOVABLE;
	return ZONE_NORMAL;
}

enum migratetype gfp_migratetype(gfp_t gfp)
{
	if (gfp & __GFP_MOVABLE)
		return MIGRATE_MOVABLE;
	if (gfp & __GFP_RECLAIMABLE)
		return MIGRATE_RECLAIMABLE;
	return MIGRATE_UNMOVABLE;
}

/* ---- free lists ------------------------------------------------------------------ */

static void account_freepages(struct zone *z, int64_t nr, int mt)
{
	if (mt == MIGRATE_ISOLATE)
		return;
	z->vm_stat[NR_FREE_PAGES] += nr;
	if (mt == MIGRATE_CMA)
		z->vm_stat[NR_FREE_CMA_PAGES] += nr;
	else if (mt == MIGRATE_HIGHATOMIC)
		z->nr_free_highatomic += (uint64_t)nr;
}

static void add_to_free_list(struct zone *z, struct page *p, unsigned order, int mt, bool tail)
{
	struct free_area *area = &z->free_area[order];

	page_set(p, PG_buddy);
	p->order = (uint8_t)order;
	if (tail)
		list_add_tail(&p->lru, &area->free_list[mt]);
	else
		list_add(&p->lru, &area->free_list[mt]);
	area->nr_free++;
	area->nr_list[mt]++;
}

static void del_from_free_list(struct zone *z, struct page *p, unsigned order, int mt)
{
	struct free_area *area = &z->free_area[order];

	list_del(&p->lru);
	page_clear(p, PG_buddy);
	p->order = 0;
	area->nr_free--;
	area->nr_list[mt]--;
}

static void move_to_free_list(struct zone *z, struct page *p, unsigned order, int old_mt, int new_mt)
{
	struct free_area *area = &z->free_area[order];

	list_del(&p->lru);
	list_add_tail(&p->lru, &area->free_list[new_mt]);
	area->nr_list[old_mt]--;
	area->nr_list[new_mt]++;
	account_freepages(z, -(1LL << order), old_mt);
	account_freepages(z, 1LL << order, new_mt);
}

bool pa_area_empty(const struct zone *z, unsigned order, enum migratetype mt)
{
	if (!list_empty(&z->free_area[order].free_list[mt]))
		return false;
	return !(order == MAX_PAGE_ORDER && mt == MIGRATE_MOVABLE && z->pristine_lo < z->pristine_hi);
}

uint64_t pa_pristine_blocks(const struct zone *z)
{
	uint64_t n = (z->pristine_hi - z->pristine_lo) >> MAX_PAGE_ORDER;

	for (unsigned i = 0; i < z->nr_holes; i++)
		n -= (z->hole_hi[i] - z->hole_lo[i]) >> MAX_PAGE_ORDER;
	return n;
}

static void hole_remove(struct zone *z, unsigned i)
{
	z->nr_holes--;
	memmove(&z->hole_lo[i], &z->hole_lo[i + 1], (z->nr_holes - i) * sizeof(z->hole_lo[0]));
	memmove(&z->hole_hi[i], &z->hole_hi[i + 1], (z->nr_holes - i) * sizeof(z->hole_hi[0]));
}

/* Keep the interval's ends off its holes (so lo < hi means "a pristine block at lo"). */
static void pristine_normalise(struct zone *z)
{
	for (unsigned i = 0; i < z->nr_holes;) {
		if (z->hole_hi[i] <= z->pristine_lo || z->hole_lo[i] >= z->pristine_hi) {
			hole_remove(z, i);
		} else if (z->hole_lo[i] <= z->pristine_lo) {
			z->pristine_lo = z->hole_hi[i];
			hole_remove(z, i);
			i = 0;
		} else if (z->hole_hi[i] >= z->pristine_hi) {
			z->pristine_hi = z->hole_lo[i];
			hole_remove(z, i);
			i = 0;
		} else {
			i++;
		}
	}
}

/* Head of free_list[mt] at `order`, materialising a pristine block if needed. */
static struct page *get_page_from_free_area(physmem_t *pm, struct zone *z, unsigned order, int mt)
{
	struct free_area *area = &z->free_area[order];

	if (!list_empty(&area->free_list[mt]))
		return lru_to_page(area->free_list[mt].next);
	if (order != MAX_PAGE_ORDER || mt != MIGRATE_MOVABLE || z->pristine_lo >= z->pristine_hi)
		return NULL;
	struct page *p = pfn_to_page(pm, z->pristine_lo);
	z->pristine_lo += 1ULL << MAX_PAGE_ORDER;
	if (z->nr_holes)
		pristine_normalise(z);
	page_set(p, PG_buddy);
	p->order = MAX_PAGE_ORDER;
	list_add_tail(&p->lru, &area->free_list[mt]);   /* counts already include it */
	return p;
}

static void change_pageblock_range(physmem_t *pm, uint64_t pfn, unsigned order, int mt)
{
	uint64_t n = order >= PAGEBLOCK_ORDER ? 1ULL << (order - PAGEBLOCK_ORDER) : 1;

	pfn &= ~(uint64_t)(PAGEBLOCK_NR_PAGES - 1);
	for (uint64_t i = 0; i < n; i++)
		pa_set_pageblock_mt(pm, pfn + i * PAGEBLOCK_NR_PAGES, (enum migratetype)mt);
}

static struct page *find_buddy(const physmem_t *pm, const struct zone *z, uint64_t pfn, unsigned order)
{
	uint64_t bpfn = pfn ^ (1ULL << order);

	if (!zone_spans_pfn(z, bpfn))
		return NULL;
	struct page *b = pa_page_lookup(pm, bpfn);
	if (b && page_test(b, PG_buddy) && b->order == order)
		return b;
	return NULL;
}

static bool migratetype_is_mergeable(int mt)
{
	return mt < MIGRATE_PCPTYPES;
}

/* Block operations under the zone lock: the allocator's cost unit. */
struct pa_cost {
	uint64_t ops;             /* blocks moved */
};

/*
 * __free_one_page (§2.2): merge with free buddies of the same order while
 * allowed, then insert at the head, or at the tail when the next-order
 * buddy is free (buddy_merge_likely) or the caller asks (boot).
 */
static void free_one_page_merge(physmem_t *pm, struct zone *z, uint64_t pfn, unsigned order, int mt, bool to_tail,
				struct pa_cost *pc)
{
	uint64_t buddy_pfn = 0;

	account_freepages(z, 1LL << order, mt);
	while (order < MAX_PAGE_ORDER) {
		int buddy_mt = mt;
		buddy_pfn = pfn ^ (1ULL << order);
		struct page *buddy = find_buddy(pm, z, pfn, order);
		if (!buddy)
			break;
		if (order >= PAGEBLOCK_ORDER) {
			buddy_mt = get_pageblock_migratetype(pm, buddy_pfn);
			if (mt != buddy_mt && (!migratetype_is_mergeable(mt) || !migratetype_is_mergeable(buddy_mt)))
				break;
		}
		del_from_free_list(z, buddy, order, buddy_mt);
		if (buddy_mt != mt)
			change_pageblock_range(pm, buddy_pfn, order, mt);
		if (pc)
			pc->ops++;
		pfn &= buddy_pfn;
		order++;
	}
	if (!to_tail && order < MAX_PAGE_ORDER - 1) {
		uint64_t higher = pfn & ~(1ULL << order);   /* start of the order+1 block */
		to_tail = find_buddy(pm, z, higher, order + 1) != NULL;
	}
	add_to_free_list(z, pfn_to_page(pm, pfn), order, mt, to_tail);
}

void pa_free_boot_block(physmem_t *pm, struct zone *z, uint64_t pfn, unsigned order)
{
	free_one_page_merge(pm, z, pfn, order, get_pageblock_migratetype(pm, pfn), true, NULL);
}

/* split_large_buddy + __free_one_page: blocks above a pageblock go back per pageblock. */
static void free_one_page(physmem_t *pm, struct zone *z, uint64_t pfn, unsigned order, struct pa_cost *pc)
{
	uint64_t end = pfn + (1ULL << order);
	unsigned o = SIM_MIN(order, (unsigned)PAGEBLOCK_ORDER);

	for (; pfn < end; pfn += 1ULL << o) {
		free_one_page_merge(pm, z, pfn, o, get_pageblock_migratetype(pm, pfn), false, pc);
		pc->ops++;
	}
}

/* expand (§2.3): upper halves go to the list heads; returns pages put back. */
static uint64_t expand(physmem_t *pm, struct zone *z, uint64_t pfn, unsigned low, unsigned high, int mt)
{
	uint64_t size = 1ULL << high, added = 0;

	while (high > low) {
		high--;
		size >>= 1;
		add_to_free_list(z, pfn_to_page(pm, pfn + size), high, mt, false);
		added += size;
	}
	return added;
}

static void page_del_and_expand(physmem_t *pm, struct zone *z, struct page *p, unsigned low, unsigned high, int mt)
{
	int64_t nr = 1LL << high;

	del_from_free_list(z, p, high, mt);
	nr -= (int64_t)expand(pm, z, p->pfn, low, high, mt);
	account_freepages(z, -nr, mt);
}

static struct page *rmqueue_smallest(physmem_t *pm, struct zone *z, unsigned order, int mt)
{
	for (unsigned o = order; o < NR_PAGE_ORDERS; o++) {
		struct page *p = get_page_from_free_area(pm, z, o, mt);
		if (!p)
			continue;
		page_del_and_expand(pm, z, p, order, o, mt);
		return p;
	}
	return NULL;
}

/* ---- fallback: claim and steal (§2.5) -------------------------------------------- */

static const int fallbacks[MIGRATE_PCPTYPES][MIGRATE_PCPTYPES - 1] = {
	[MIGRATE_UNMOVABLE] = { MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE },
	[MIGRATE_MOVABLE] = { MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE },
	[MIGRATE_RECLAIMABLE] = { MIGRATE_UNMOVABLE, MIGRATE_MOVABLE },
};

static bool should_try_claim_block(unsigned order, int start_mt)
{
	if (order >= PAGEBLOCK_ORDER)
		return true;
	if (order >= PAGEBLOCK_ORDER / 2)
		return true;
	return start_mt == MIGRATE_RECLAIMABLE || start_mt == MIGRATE_UNMOVABLE;
}

/* @return a fallback type with a free block at `order`, -1 none, -2 not claimable. */
static int find_suitable_fallback(const struct zone *z, unsigned order, int mt, bool claimable)
{
	if (claimable && !should_try_claim_block(order, mt))
		return -2;
	if (z->free_area[order].nr_free == 0)
		return -1;
	for (unsigned i = 0; i < MIGRATE_PCPTYPES - 1; i++)
		if (!pa_area_empty(z, order, (enum migratetype)fallbacks[mt][i]))
			return fallbacks[mt][i];
	return -1;
}

static bool boost_watermark(physmem_t *pm, struct zone *z)
{
	uint64_t max_boost;

	if (!pm->cfg.watermark_boost_factor)
		return false;
	if ((uint64_t)PAGEBLOCK_NR_PAGES * 4 > z->managed)
		return false;
	max_boost = (z->wmark[WMARK_HIGH] * pm->cfg.watermark_boost_factor) / 10000;
	if (!max_boost)
		return false;
	max_boost = SIM_MAX(max_boost, (uint64_t)PAGEBLOCK_NR_PAGES);
	z->watermark_boost = SIM_MIN(z->watermark_boost + PAGEBLOCK_NR_PAGES, max_boost);
	pm->phys_stat[PA_WMARK_BOOST]++;
	return true;
}

/*
 * move_freepages_block: every free block of pfn's pageblock from old_mt to
 * new_mt lists, and retag the pageblock.  @return pages moved, or -1 if
 * the pageblock is not entirely inside the zone.
 */
static int64_t move_freepages_block(physmem_t *pm, struct zone *z, uint64_t pfn, int old_mt, int new_mt)
{
	uint64_t start = pfn & ~(uint64_t)(PAGEBLOCK_NR_PAGES - 1), end = start + PAGEBLOCK_NR_PAGES;
	int64_t moved = 0;

	if (!zone_spans_pfn(z, start) || !zone_spans_pfn(z, end - 1))
		return -1;
	for (uint64_t p = start; p < end;) {
		struct page *pg = pa_page_lookup(pm, p);
		if (pg && page_test(pg, PG_buddy)) {
			unsigned o = pg->order;
			move_to_free_list(z, pg, o, old_mt, new_mt);
			p += 1ULL << o;
			moved += 1LL << o;
		} else {
			p++;
		}
	}
	pa_set_pageblock_mt(pm, start, (enum migratetype)new_mt);
	return moved;
}

static struct page *try_to_claim_block(physmem_t *pm, struct zone *z, struct page *p, unsigned current_order,
				       unsigned order, int start_mt, int block_mt, unsigned alloc_flags)
{
	if (block_mt == MIGRATE_HIGHATOMIC)
		return NULL;
	if (current_order >= PAGEBLOCK_ORDER) {
		del_from_free_list(z, p, current_order, block_mt);
		change_pageblock_range(pm, p->pfn, current_order, start_mt);
		uint64_t added = expand(pm, z, p->pfn, order, current_order, start_mt);
		account_freepages(z, -(1LL << current_order), block_mt);
		account_freepages(z, (int64_t)added, start_mt);
		return p;
	}
	if (boost_watermark(pm, z) && (alloc_flags & ALLOC_KSWAPD))
		zone_flag_set(z, ZONE_BOOSTED_WATERMARK);

	uint64_t start = p->pfn & ~(uint64_t)(PAGEBLOCK_NR_PAGES - 1), end = start + PAGEBLOCK_NR_PAGES;
	if (!zone_spans_pfn(z, start) || !zone_spans_pfn(z, end - 1))
		return NULL;
	int64_t free_pages = 0, movable_pages = 0, alike;
	for (uint64_t q = start; q < end;) {
		struct page *pg = pa_page_lookup(pm, q);
		if (pg && page_test(pg, PG_buddy)) {
			free_pages += 1LL << pg->order;
			q += 1ULL << pg->order;
			continue;
		}
		if (pg && page_test(pg, PG_lru))
			movable_pages++;
		q++;
	}
	if (start_mt == MIGRATE_MOVABLE)
		alike = movable_pages;
	else if (block_mt == MIGRATE_MOVABLE)
		alike = PAGEBLOCK_NR_PAGES - (free_pages + movable_pages);
	else
		alike = 0;
	if (free_pages + alike >= (1 << (PAGEBLOCK_ORDER - 1))) {
		move_freepages_block(pm, z, start, block_mt, start_mt);
		return rmqueue_smallest(pm, z, order, start_mt);
	}
	return NULL;
}

static struct page *rmqueue_claim(physmem_t *pm, struct zone *z, unsigned order, int start_mt, unsigned alloc_flags)
{
	unsigned min_order = order;

	if (order < PAGEBLOCK_ORDER && (alloc_flags & ALLOC_NOFRAGMENT))
		min_order = PAGEBLOCK_ORDER;
	for (int co = MAX_PAGE_ORDER; co >= (int)min_order; co--) {
		int fmt = find_suitable_fallback(z, (unsigned)co, start_mt, true);
		if (fmt == -1)
			continue;
		if (fmt == -2)
			break;
		struct page *p = get_page_from_free_area(pm, z, (unsigned)co, fmt);
		p = try_to_claim_block(pm, z, p, (unsigned)co, order, start_mt, fmt, alloc_flags);
		if (p) {
			pm->phys_stat[PA_FALLBACK_CLAIM]++;
			return p;
		}
	}
	return NULL;
}

static struct page *rmqueue_steal(physmem_t *pm, struct zone *z, unsigned order, int start_mt)
{
	for (unsigned co = order; co < NR_PAGE_ORDERS; co++) {
		int fmt = find_suitable_fallback(z, co, start_mt, false);
		if (fmt < 0)
			continue;
		struct page *p = get_page_from_free_area(pm, z, co, fmt);
		page_del_and_expand(pm, z, p, order, co, fmt);
		pm->phys_stat[PA_FALLBACK_STEAL]++;
		return p;
	}
	return NULL;
}

enum rmqueue_mode { RMQUEUE_NORMAL, RMQUEUE_CMA, RMQUEUE_CLAIM, RMQUEUE_STEAL };

/* __rmqueue (§2.4), remembering in *mode which step last succeeded. */
static struct page *rmqueue_one(physmem_t *pm, struct zone *z, unsigned order, int mt, unsigned alloc_flags,
				enum rmqueue_mode *mode)
{
	struct page *p;

	/*
	 * CMA balance (mm/page_alloc.c __rmqueue): a movable request takes
	 * from the CMA area first while it holds more than half of the
	 * zone's free pages, so that regular pageblocks are not drained
	 * while CMA sits idle.  Without CMA pages the test is 0 > x: false.
	 */
	if ((alloc_flags & ALLOC_CMA) && z->vm_stat[NR_FREE_CMA_PAGES] > z->vm_stat[NR_FREE_PAGES] / 2) {
		p = rmqueue_smallest(pm, z, order, MIGRATE_CMA);
		if (p)
			return p;
	}
	switch (*mode) {
	case RMQUEUE_NORMAL:
		p = rmqueue_smallest(pm, z, order, mt);
		if (p)
			return p;
		/* fall through */
	case RMQUEUE_CMA:
		if (alloc_flags & ALLOC_CMA) {
			p = rmqueue_smallest(pm, z, order, MIGRATE_CMA);   /* __rmqueue_cma_fallback */
			if (p) {
				*mode = RMQUEUE_CMA;
				return p;
			}
		}
		/* fall through */
	case RMQUEUE_CLAIM:
		p = rmqueue_claim(pm, z, order, mt, alloc_flags);
		if (p) {
			*mode = RMQUEUE_NORMAL;   /* the preferred lists were replenished */
			return p;
		}
		/* fall through */
	case RMQUEUE_STEAL:
		if (!(alloc_flags & ALLOC_NOFRAGMENT)) {
			p = rmqueue_steal(pm, z, order, mt);
			if (p) {
				*mode = RMQUEUE_STEAL;
				return p;
			}
		}
	}
	return NULL;
}

/* ---- per-CPU lists (§3.1) ----------------------------------------------------------- */

static unsigned order_to_pindex(int mt, unsigned order)
{
	if (order > PAGE_ALLOC_COSTLY_ORDER)
		return NR_LOWORDER_PCP_LISTS + (mt == MIGRATE_MOVABLE);
	return MIGRATE_PCPTYPES * order + (unsigned)mt;
}

static unsigned pindex_to_order(unsigned pindex)
{
	return pindex >= NR_LOWORDER_PCP_LISTS ? HPAGE_PMD_ORDER : pindex / MIGRATE_PCPTYPES;
}

static bool pcp_allowed_order(unsigned order)
{
	return order <= PAGE_ALLOC_COSTLY_ORDER || order == HPAGE_PMD_ORDER;
}

static struct per_cpu_pages *zone_pcp(physmem_t *pm, struct zone *z, unsigned cpu)
{
	struct per_cpu_pages **pp = &z->pcp[cpu];

	if (!*pp) {
		struct per_cpu_pages *pcp = pa_alloc_host(pm, sizeof(*pcp));
		for (unsigned i = 0; i < NR_PCP_LISTS; i++)
			INIT_LIST_HEAD(&pcp->lists[i]);
		pcp->batch = z->pcp_batch;
		pcp->high_min = z->pcp_high_min;
		pcp->high_max = z->pcp_high_max;
		*pp = pcp;
	}
	return *pp;
}

static int clamp_int(int v, int lo, int hi)
{
	return v < lo ? lo : (v > hi ? hi : v);
}

static int nr_pcp_alloc(struct per_cpu_pages *pcp, const struct zone *z, unsigned order)
{
	int base_batch = pcp->batch, batch, high;

	high = pcp->high = clamp_int(pcp->high, pcp->high_min, pcp->high_max);
	if (high < base_batch)
		return 1;
	batch = order ? base_batch : base_batch << pcp->alloc_factor;
	if (pcp->high_min != pcp->high_max && !zone_flag(z, ZONE_BELOW_HIGH))
		high = pcp->high = SIM_MIN(high + batch, pcp->high_max);
	if (!order) {
		int max_nr_alloc = SIM_MAX(high - pcp->count - base_batch, base_batch);
		if (batch <= max_nr_alloc && pcp->alloc_factor < PCP_BATCH_SCALE_MAX)
			pcp->alloc_factor++;
		batch = SIM_MIN(batch, max_nr_alloc);
	}
	if (batch > 1)
		batch = SIM_MAX(batch >> order, 2);
	return batch;
}

static int nr_pcp_high(struct per_cpu_pages *pcp, const struct zone *z, int batch, bool free_high)
{
	int high = pcp->high = clamp_int(pcp->high, pcp->high_min, pcp->high_max);

	if (!high)
		return 0;
	if (free_high) {
		pcp->high = SIM_MAX(high - (batch << PCP_BATCH_SCALE_MAX), pcp->high_min);
		return 0;
	}
	if (zone_flag(z, ZONE_RECLAIM_ACTIVE)) {
		int fc = SIM_MAX(pcp->free_count, batch);
		pcp->high = SIM_MAX(high - fc, pcp->high_min);
		return SIM_MIN(batch << 2, pcp->high);
	}
	if (pcp->high_min == pcp->high_max)
		return high;
	if (zone_flag(z, ZONE_BELOW_HIGH)) {
		int fc = SIM_MAX(pcp->free_count, batch);
		pcp->high = SIM_MAX(high - fc, pcp->high_min);
		high = SIM_MAX(pcp->count, pcp->high_min);
	} else if (pcp->count >= high) {
		int need_high = pcp->free_count + batch;
		if (pcp->high < need_high)
			pcp->high = clamp_int(need_high, pcp->high_min, pcp->high_max);
	}
	return high;
}

static int nr_pcp_free(const struct per_cpu_pages *pcp, int batch, int high, bool free_high)
{
	if (free_high)
		return SIM_MIN(pcp->count, batch << PCP_BATCH_SCALE_MAX);
	if (high < batch)
		return 1;
	return clamp_int(pcp->free_count, batch, high - batch);
}

/* free_pcppages_bulk: oldest pages first, round robin from `pindex`. */
static void free_pcppages_bulk(physmem_t *pm, struct zone *z, int count, struct per_cpu_pages *pcp, int pindex,
			       struct pa_cost *pc)
{
	count = SIM_MIN(pcp->count, count);
	pindex--;
	while (count > 0) {
		struct list_head *list;
		do {
			if (++pindex > NR_PCP_LISTS - 1)
				pindex = 0;
			list = &pcp->lists[pindex];
		} while (list_empty(list));
		unsigned order = pindex_to_order((unsigned)pindex);
		int nr = 1 << order;
		do {
			struct page *p = lru_to_page(list->prev);
			list_del(&p->lru);
			page_clear(p, PG_pcp);
			count -= nr;
			pcp->count -= nr;
			z->pcp_pages -= (uint64_t)nr;
			free_one_page_merge(pm, z, p->pfn, order, get_pageblock_migratetype(pm, p->pfn), false, pc);
			pc->ops++;
		} while (count > 0 && !list_empty(list));
	}
}

static void drain_pcp(physmem_t *pm, struct zone *z, struct per_cpu_pages *pcp, struct pa_cost *pc)
{
	int count = pcp->count;

	while (count > 0) {
		int n = SIM_MIN(count, pcp->batch << PCP_BATCH_SCALE_MAX);
		free_pcppages_bulk(pm, z, n, pcp, 0, pc);
		count -= n;
	}
}

void drain_all_pages(physmem_t *pm)
{
	struct pa_cost pc = { 0 };

	for (unsigned n = 0; n < pm->nr_nodes; n++)
		for (unsigned zi = 0; zi < MAX_NR_ZONES; zi++) {
			struct zone *z = &pm->nodes[n]->zones[zi];
			if (!z->pcp)
				continue;
			for (unsigned c = 0; c < pm->nr_cpus; c++)
				if (z->pcp[c] && z->pcp[c]->count)
					drain_pcp(pm, z, z->pcp[c], &pc);
		}
	if (pm->debug_vm)
		buddy_check(pm);
}

/* ---- the watermark check (§3.4) ---------------------------------------------------- */

static int64_t zone_watermark_unusable_free(const struct zone *z, unsigned order, unsigned alloc_flags)
{
	int64_t unusable = (1LL << order) - 1;

	if (!(alloc_flags & ALLOC_RESERVES))
		unusable += (int64_t)z->nr_free_highatomic;
	if (!(alloc_flags & ALLOC_CMA))
		unusable += z->vm_stat[NR_FREE_CMA_PAGES];   /* only movable requests may use CMA */
	return unusable;
}

static bool zone_watermark_ok_free(const struct zone *z, unsigned order, uint64_t mark, enum zone_type highest,
				   unsigned alloc_flags, int64_t free_pages)
{
	int64_t min = (int64_t)mark;

	free_pages -= zone_watermark_unusable_free(z, order, alloc_flags);
	if (alloc_flags & ALLOC_RESERVES) {
		if (alloc_flags & ALLOC_MIN_RESERVE) {
			min -= min / 2;
			if (alloc_flags & ALLOC_NON_BLOCK)
				min -= min / 4;
		}
		if (alloc_flags & ALLOC_OOM)
			min -= min / 2;
	}
	if (free_pages <= min + (int64_t)z->lowmem_reserve[highest])
		return false;
	if (!order)
		return true;
	for (unsigned o = order; o < NR_PAGE_ORDERS; o++) {
		if (!z->free_area[o].nr_free)
			continue;
		for (unsigned mt = 0; mt < MIGRATE_PCPTYPES; mt++)
			if (!pa_area_empty(z, o, (enum migratetype)mt))
				return true;
		if ((alloc_flags & ALLOC_CMA) && !pa_area_empty(z, o, MIGRATE_CMA))
			return true;
		if ((alloc_flags & (ALLOC_HIGHATOMIC | ALLOC_OOM)) && !pa_area_empty(z, o, MIGRATE_HIGHATOMIC))
			return true;
	}
	return false;
}

static bool zone_watermark_fast(const struct zone *z, unsigned order, uint64_t mark, enum zone_type highest,
				unsigned alloc_flags)
{
	int64_t free_pages = z->vm_stat[NR_FREE_PAGES];

	if (!order) {
		int64_t usable = free_pages;
		int64_t reserved = zone_watermark_unusable_free(z, 0, alloc_flags);
		usable -= SIM_MIN(usable, reserved);
		if (usable > (int64_t)(mark + z->lowmem_reserve[highest]))
			return true;
	}
	if (zone_watermark_ok_free(z, order, mark, highest, alloc_flags, free_pages))
		return true;
	/* order-0 __GFP_HIGH at MIN ignores the boost */
	if (!order && (alloc_flags & ALLOC_MIN_RESERVE) && z->watermark_boost &&
	    (alloc_flags & ALLOC_WMARK_MASK) == WMARK_MIN)
		return zone_watermark_ok_free(z, order, z->wmark[WMARK_MIN], highest, alloc_flags, free_pages);
	return false;
}

bool zone_watermark_ok(const physmem_t *pm, unsigned nid, enum zone_type zid, unsigned order,
		       enum zone_watermarks mark, enum zone_type highest_zoneidx)
{
	const struct zone *z = &pm->nodes[nid]->zones[zid];

	return zone_watermark_ok_free(z, order, wmark_pages(z, mark), highest_zoneidx, 0, z->vm_stat[NR_FREE_PAGES]);
}

uint64_t pa_zone_free_pages(const struct zone *z)
{
	return z->vm_stat[NR_FREE_PAGES] > 0 ? (uint64_t)z->vm_stat[NR_FREE_PAGES] : 0;
}

/* ---- allocation context --------------------------------------------------------------- */

struct alloc_context {
	const struct alloc_ctx *user;
	struct zoneref *zonelist;
	const nodemask_t *nodemask;
	struct zoneref *preferred_zoneref;
	enum zone_type highest_zoneidx;
	int migratetype;
	unsigned cpu_nid;
	sim_time_t *cost;
	struct pa_cost pc;
};

static bool zref_ok(const struct zoneref *zr, enum zone_type highest, const nodemask_t *nm)
{
	return zr->zone->zid <= highest && (!nm || node_isset(zr->zone->nid, nm));
}

static struct zoneref *first_zones_zonelist(struct zoneref *zr, enum zone_type highest, const nodemask_t *nm)
{
	while (zr->zone && !zref_ok(zr, highest, nm))
		zr++;
	return zr;
}

#define for_next_zone_zonelist_nodemask(zr, start, highest, nm) \
	for (zr = first_zones_zonelist(start, highest, nm); zr->zone; zr = first_zones_zonelist(zr + 1, highest, nm))

static void zone_statistics(struct zone *preferred, struct zone *z, unsigned cpu_nid)
{
	if (z->nid == preferred->nid) {
		z->numa_stat[NUMA_HIT]++;
	} else {
		z->numa_stat[NUMA_MISS]++;
		preferred->numa_stat[NUMA_FOREIGN]++;
	}
	z->numa_stat[z->nid == cpu_nid ? NUMA_LOCAL : NUMA_OTHER]++;
}

static void count_alloc(physmem_t *pm, struct alloc_context *ac, struct zone *z, unsigned order)
{
	pm->vm_events[PGALLOC_DMA + z->zid] += 1ULL << order;
	zone_statistics(ac->preferred_zoneref->zone, z, ac->cpu_nid);
}

static struct page *rmqueue_pcplist(physmem_t *pm, struct alloc_context *ac, struct zone *z, unsigned order,
				    int mt, unsigned alloc_flags)
{
	struct per_cpu_pages *pcp = zone_pcp(pm, z, ac->user->cpu);
	struct list_head *list = &pcp->lists[order_to_pindex(mt, order)];

	pcp->free_count >>= 1;
	if (list_empty(list)) {
		int batch = nr_pcp_alloc(pcp, z, order);
		enum rmqueue_mode mode = RMQUEUE_NORMAL;
		int i;
		for (i = 0; i < batch; i++) {
			struct page *p = rmqueue_one(pm, z, order, mt, alloc_flags, &mode);
			if (!p)
				break;
			page_set(p, PG_pcp);
			p->pcp_index = (uint8_t)order_to_pindex(mt, order);
			list_add_tail(&p->lru, list);
			ac->pc.ops++;
		}
		pcp->count += i << order;
		z->pcp_pages += (uint64_t)i << order;
		pm->phys_stat[PA_PCP_REFILL]++;
		if (list_empty(list))
			return NULL;
	}
	struct page *p = lru_to_page(list->next);
	list_del(&p->lru);
	page_clear(p, PG_pcp);
	pcp->count -= 1 << order;
	z->pcp_pages -= 1ULL << order;
	pm->phys_stat[PA_ALLOC_PCP]++;
	count_alloc(pm, ac, z, order);
	return p;
}

static struct page *rmqueue_buddy(physmem_t *pm, struct alloc_context *ac, struct zone *z, unsigned order, int mt,
				  unsigned alloc_flags)
{
	struct page *p = NULL;

	if (alloc_flags & ALLOC_HIGHATOMIC)
		p = rmqueue_smallest(pm, z, order, MIGRATE_HIGHATOMIC);
	if (!p) {
		enum rmqueue_mode mode = RMQUEUE_NORMAL;
		p = rmqueue_one(pm, z, order, mt, alloc_flags, &mode);
		if (!p && (alloc_flags & (ALLOC_OOM | ALLOC_NON_BLOCK)))
			p = rmqueue_smallest(pm, z, order, MIGRATE_HIGHATOMIC);
		if (!p)
			return NULL;
	}
	ac->pc.ops++;
	count_alloc(pm, ac, z, order);
	return p;
}

static void wake_kswapd_node(physmem_t *pm, struct alloc_context *ac, unsigned nid, unsigned order)
{
	pm->phys_stat[PA_KSWAPD_WAKE]++;
	if (pm->hooks.wake_kswapd)
		pm->hooks.wake_kswapd(pm->hooks.ctx, nid, order, ac->highest_zoneidx, ac->user);
}

static struct page *rmqueue(physmem_t *pm, struct alloc_context *ac, struct zone *z, unsigned order, unsigned alloc_flags)
{
	struct page *p = NULL;

	if (pcp_allowed_order(order))
		p = rmqueue_pcplist(pm, ac, z, order, ac->migratetype, alloc_flags);
	if (!p)
		p = rmqueue_buddy(pm, ac, z, order, ac->migratetype, alloc_flags);
	if ((alloc_flags & ALLOC_KSWAPD) && zone_flag(z, ZONE_BOOSTED_WATERMARK)) {
		zone_flag_clear(z, ZONE_BOOSTED_WATERMARK);
		wake_kswapd_node(pm, ac, z->nid, 0);
	}
	return p;
}

/* §2.6: retag the pageblock of a high-order atomic allocation. */
static void reserve_highatomic_pageblock(physmem_t *pm, struct page *p, unsigned order, struct zone *z)
{
	uint64_t max_managed;

	if (z->managed / 100 < PAGEBLOCK_NR_PAGES)
		return;
	max_managed = (z->managed / 100 + PAGEBLOCK_NR_PAGES - 1) & ~(uint64_t)(PAGEBLOCK_NR_PAGES - 1);
	if (z->nr_reserved_highatomic >= max_managed)
		return;
	int mt = get_pageblock_migratetype(pm, p->pfn);
	if (!migratetype_is_mergeable(mt))
		return;
	if (order < PAGEBLOCK_ORDER) {
		if (move_freepages_block(pm, z, p->pfn, mt, MIGRATE_HIGHATOMIC) == -1)
			return;
		z->nr_reserved_highatomic += PAGEBLOCK_NR_PAGES;
	} else {
		change_pageblock_range(pm, p->pfn, order, MIGRATE_HIGHATOMIC);
		z->nr_reserved_highatomic += 1ULL << order;
	}
	pm->phys_stat[PA_HIGHATOMIC_RESERVE]++;
}

/* Give back highatomic reserves to ac's migratetype (keep one block unless forced). */
static bool unreserve_highatomic_pageblock(physmem_t *pm, struct alloc_context *ac, bool force)
{
	struct zoneref *zr;

	for_next_zone_zonelist_nodemask(zr, ac->zonelist, ac->highest_zoneidx, ac->nodemask) {
		struct zone *z = zr->zone;
		if (!force && z->nr_reserved_highatomic <= PAGEBLOCK_NR_PAGES)
			continue;
		for (unsigned o = 0; o < NR_PAGE_ORDERS; o++) {
			struct page *p = get_page_from_free_area(pm, z, o, MIGRATE_HIGHATOMIC);
			if (!p)
				continue;
			uint64_t size = SIM_MAX((uint64_t)PAGEBLOCK_NR_PAGES, 1ULL << o);
			size = SIM_MIN(size, z->nr_reserved_highatomic);
			z->nr_reserved_highatomic -= size;
			int64_t ret;
			if (o < PAGEBLOCK_ORDER) {
				ret = move_freepages_block(pm, z, p->pfn, MIGRATE_HIGHATOMIC, ac->migratetype);
			} else {
				move_to_free_list(z, p, o, MIGRATE_HIGHATOMIC, ac->migratetype);
				change_pageblock_range(pm, p->pfn, o, ac->migratetype);
				ret = 1;
			}
			if (ret > 0)
				return true;
		}
	}
	return false;
}

static void prep_new_page(physmem_t *pm, struct page *p, unsigned order, gfp_t gfp)
{
	p->flags = 0;
	p->refcount = 1;
	p->mapcount = 0;
	p->order = (uint8_t)order;
	p->mapping = NULL;
	p->index = 0;
	p->private = 0;
	p->last_cpupid = 0;
	if ((gfp & __GFP_COMP) && order) {
		page_set(p, PG_head);
		for (uint64_t i = 1; i < (1ULL << order); i++) {
			struct page *t = pfn_to_page(pm, p->pfn + i);
			t->flags = 1u << PG_tail;
			t->refcount = 0;
			t->mapcount = 0;
			t->private = p->pfn;
		}
	}
}

/* alloc_flags_nofragment: avoid fragmenting fallbacks while local zones remain. */
static unsigned alloc_flags_nofragment(const physmem_t *pm, const struct zone *z, gfp_t gfp)
{
	unsigned flags = (gfp & __GFP_KSWAPD_RECLAIM) ? ALLOC_KSWAPD : 0;

	if (!z || z->zid != ZONE_NORMAL)
		return flags;
	if (pm->nr_nodes > 1 && !zone_populated(&pm->nodes[z->nid]->zones[ZONE_DMA32]))
		return flags;
	return flags | ALLOC_NOFRAGMENT;
}

/* get_page_from_freelist (§4.3). */
static struct page *get_page_from_freelist(physmem_t *pm, struct alloc_context *ac, unsigned order, gfp_t gfp,
					   unsigned alloc_flags)
{
	struct zoneref *zr;
	bool no_fallback;

retry:
	no_fallback = alloc_flags & ALLOC_NOFRAGMENT;
	for_next_zone_zonelist_nodemask(zr, ac->preferred_zoneref, ac->highest_zoneidx, ac->nodemask) {
		struct zone *z = zr->zone, *pref = ac->preferred_zoneref->zone;
		bool ok = false;

		if (no_fallback && pm->nr_nodes > 1 && z != pref && z->nid != pref->nid) {
			/* locality beats fragmentation avoidance */
			alloc_flags &= ~ALLOC_NOFRAGMENT;
			pm->phys_stat[PA_NOFRAG_RETRY]++;
			goto retry;
		}
		if (!zone_flag(z, ZONE_BELOW_HIGH)) {
			if (zone_watermark_fast(z, order, wmark_pages(z, WMARK_HIGH), ac->highest_zoneidx, alloc_flags))
				ok = true;
			else
				zone_flag_set(z, ZONE_BELOW_HIGH);
		}
		if (!ok) {
			uint64_t mark = wmark_pages(z, alloc_flags & ALLOC_WMARK_MASK);
			if (zone_watermark_fast(z, order, mark, ac->highest_zoneidx, alloc_flags)) {
				ok = true;
			} else if (alloc_flags & ALLOC_NO_WATERMARKS) {
				ok = true;
			} else if (pm->cfg.zone_reclaim_mode && pm->hooks.node_reclaim &&
				   pm->distance[pref->nid][z->nid] <= NODE_RECLAIM_DISTANCE) {
				pm->memalloc_depth++;
				uint64_t got = pm->hooks.node_reclaim(pm->hooks.ctx, z->nid, ac->user, ac->cost);
				pm->memalloc_depth--;
				ok = got && zone_watermark_ok_free(z, order, mark, ac->highest_zoneidx, alloc_flags,
								   z->vm_stat[NR_FREE_PAGES]);
			}
		}
		if (!ok)
			continue;
		struct page *p = rmqueue(pm, ac, z, order, alloc_flags);
		if (p) {
			prep_new_page(pm, p, order, gfp);
			if (alloc_flags & ALLOC_HIGHATOMIC)
				reserve_highatomic_pageblock(pm, p, order, z);
			return p;
		}
	}
	if (no_fallback) {
		alloc_flags &= ~ALLOC_NOFRAGMENT;
		pm->phys_stat[PA_NOFRAG_RETRY]++;
		goto retry;
	}
	return NULL;
}

/* ---- slow path (§4.4) -------------------------------------------------------------------- */

/* gfp_to_alloc_flags_cma: movable requests may use CMA pageblocks. */
static unsigned gfp_to_alloc_flags_cma(gfp_t gfp, unsigned alloc_flags)
{
	if (gfp_migratetype(gfp) == MIGRATE_MOVABLE)
		alloc_flags |= ALLOC_CMA;
	return alloc_flags;
}

static unsigned gfp_to_alloc_flags(gfp_t gfp, unsigned order)
{
	unsigned flags = ALLOC_WMARK_MIN | ALLOC_CPUSET;

	if (gfp & __GFP_HIGH)
		flags |= ALLOC_MIN_RESERVE;
	if (gfp & __GFP_KSWAPD_RECLAIM)
		flags |= ALLOC_KSWAPD;
	if (!(gfp & __GFP_DIRECT_RECLAIM)) {
		if (!(gfp & __GFP_NOMEMALLOC)) {
			flags |= ALLOC_NON_BLOCK;
			if (order > 0 && (flags & ALLOC_MIN_RESERVE))
				flags |= ALLOC_HIGHATOMIC;
		}
		if (flags & ALLOC_MIN_RESERVE)
			flags &= ~ALLOC_CPUSET;
	}
	return gfp_to_alloc_flags_cma(gfp, flags);
}

/* __gfp_pfmemalloc_flags: reclaimers (inside a hook) and __GFP_MEMALLOC ignore watermarks. */
static unsigned gfp_pfmemalloc_flags(const physmem_t *pm, gfp_t gfp)
{
	if (gfp & __GFP_NOMEMALLOC)
		return 0;
	if ((gfp & __GFP_MEMALLOC) || pm->memalloc_depth)
		return ALLOC_NO_WATERMARKS;
	return 0;
}

static void wake_all_kswapds(physmem_t *pm, struct alloc_context *ac, unsigned order)
{
	struct zoneref *zr;
	int last = -1;

	for_next_zone_zonelist_nodemask(zr, ac->zonelist, ac->highest_zoneidx, ac->nodemask) {
		if ((int)zr->zone->nid == last)
			continue;
		wake_kswapd_node(pm, ac, zr->zone->nid, order);
		last = (int)zr->zone->nid;
	}
}

static struct page *direct_compact(physmem_t *pm, struct alloc_context *ac, unsigned order, gfp_t gfp,
				   unsigned alloc_flags, enum compact_priority prio, enum compact_result *result)
{
	*result = COMPACT_SKIPPED;
	if (!order || !pm->hooks.direct_compact)
		return NULL;
	pm->memalloc_depth++;
	*result = pm->hooks.direct_compact(pm->hooks.ctx, ac->user, prio, ac->cost);
	pm->memalloc_depth--;
	if (*result == COMPACT_SKIPPED)
		return NULL;
	pm->vm_events[COMPACTSTALL]++;
	struct page *p = get_page_from_freelist(pm, ac, order, gfp, alloc_flags);
	pm->vm_events[p ? COMPACTSUCCESS : COMPACTFAIL]++;
	return p;
}

static struct page *direct_reclaim(physmem_t *pm, struct alloc_context *ac, unsigned order, gfp_t gfp,
				   unsigned alloc_flags, uint64_t *progress)
{
	*progress = 0;
	if (!pm->hooks.direct_reclaim)
		return NULL;
	pm->memalloc_depth++;
	*progress = pm->hooks.direct_reclaim(pm->hooks.ctx, ac->user, ac->cost);
	pm->memalloc_depth--;
	if (!*progress)
		return NULL;
	struct page *p = get_page_from_freelist(pm, ac, order, gfp, alloc_flags);
	if (!p) {
		/* pages may sit on pcp lists or in highatomic reserves */
		unreserve_highatomic_pageblock(pm, ac, false);
		drain_all_pages(pm);
		p = get_page_from_freelist(pm, ac, order, gfp, alloc_flags);
	}
	return p;
}

static uint64_t zone_reclaimable(const physmem_t *pm, const struct zone *z)
{
	return pm->hooks.zone_reclaimable_pages ? pm->hooks.zone_reclaimable_pages(pm->hooks.ctx, z->nid, z->zid) : 0;
}

static bool should_reclaim_retry(physmem_t *pm, struct alloc_context *ac, unsigned order, unsigned alloc_flags,
				 bool progress, int *no_progress_loops)
{
	struct zoneref *zr;
	bool ret = false;

	if (progress && order <= PAGE_ALLOC_COSTLY_ORDER)
		*no_progress_loops = 0;
	else
		(*no_progress_loops)++;
	if (*no_progress_loops <= MAX_RECLAIM_RETRIES) {
		for_next_zone_zonelist_nodemask(zr, ac->zonelist, ac->highest_zoneidx, ac->nodemask) {
			struct zone *z = zr->zone;
			int64_t available = z->vm_stat[NR_FREE_PAGES] + (int64_t)zone_reclaimable(pm, z);
			if (zone_watermark_ok_free(z, order, z->wmark[WMARK_MIN], ac->highest_zoneidx, alloc_flags,
						   available)) {
				ret = true;
				break;
			}
		}
	}
	if (!ret)
		return unreserve_highatomic_pageblock(pm, ac, true);
	return ret;
}

/* compaction_zonelist_suitable: would compaction have enough free targets? */
static bool compaction_zonelist_suitable(physmem_t *pm, struct alloc_context *ac, unsigned order)
{
	struct zoneref *zr;

	for_next_zone_zonelist_nodemask(zr, ac->zonelist, ac->highest_zoneidx, ac->nodemask) {
		struct zone *z = zr->zone;
		int64_t available = z->vm_stat[NR_FREE_PAGES] + (int64_t)zone_reclaimable(pm, z);
		uint64_t mark = order > PAGE_ALLOC_COSTLY_ORDER ? z->wmark[WMARK_LOW] : z->wmark[WMARK_MIN];
		mark += 2ULL << order;   /* compact_gap */
		if (zone_watermark_ok_free(z, 0, mark, ac->highest_zoneidx, 0, available))
			return true;
	}
	return false;
}

static bool should_compact_retry(physmem_t *pm, struct alloc_context *ac, unsigned order,
				 enum compact_result result, enum compact_priority *prio, int *retries)
{
	int max_retries = MAX_COMPACT_RETRIES;

	if (!order)
		return false;
	if (result == COMPACT_SKIPPED)
		return compaction_zonelist_suitable(pm, ac, order);
	if (result == COMPACT_SUCCESS) {
		if (order > PAGE_ALLOC_COSTLY_ORDER)
			max_retries /= 4;
		if (++(*retries) <= max_retries)
			return true;
	}
	enum compact_priority min_prio = order > PAGE_ALLOC_COSTLY_ORDER ? COMPACT_PRIO_SYNC_LIGHT
									 : COMPACT_PRIO_SYNC_FULL;
	if (*prio > min_prio) {
		(*prio)--;
		*retries = 0;
		return true;
	}
	return false;
}

static struct page *may_oom(physmem_t *pm, struct alloc_context *ac, unsigned order, gfp_t gfp, bool *progress)
{
	*progress = false;
	struct page *p = get_page_from_freelist(pm, ac, order, (gfp | __GFP_HARDWALL) & ~__GFP_DIRECT_RECLAIM,
						ALLOC_WMARK_HIGH | ALLOC_CPUSET);
	if (p)
		return p;
	if (order > PAGE_ALLOC_COSTLY_ORDER || ac->highest_zoneidx < ZONE_NORMAL ||
	    (gfp & (__GFP_RETRY_MAYFAIL | __GFP_THISNODE)) || !pm->hooks.out_of_memory)
		return NULL;
	if (!(gfp & __GFP_FS)) {
		*progress = true;   /* Linux: no kill for !__GFP_FS, but report progress */
		return NULL;
	}
	pm->memalloc_depth++;
	*progress = pm->hooks.out_of_memory(pm->hooks.ctx, ac->user, ac->cost);
	pm->memalloc_depth--;
	return NULL;
}

static struct page *alloc_slowpath(physmem_t *pm, struct alloc_context *ac, unsigned order, gfp_t gfp)
{
	bool can_direct_reclaim = (gfp & __GFP_DIRECT_RECLAIM) && !pm->memalloc_depth;
	bool can_compact = gfp & __GFP_IO;
	bool costly = order > PAGE_ALLOC_COSTLY_ORDER;
	enum compact_priority compact_priority = COMPACT_PRIO_SYNC_LIGHT;
	enum compact_result compact_result = COMPACT_SKIPPED;
	int compaction_retries = 0, no_progress_loops = 0;
	unsigned loops = 0, alloc_flags, reserve_flags;
	uint64_t progress = 0;
	struct page *p;

	pm->phys_stat[PA_ALLOC_SLOW]++;
	alloc_flags = gfp_to_alloc_flags(gfp, order);
	ac->preferred_zoneref = first_zones_zonelist(ac->zonelist, ac->highest_zoneidx, ac->nodemask);
	if (!ac->preferred_zoneref->zone)
		return NULL;
	if (alloc_flags & ALLOC_KSWAPD)
		wake_all_kswapds(pm, ac, order);
	p = get_page_from_freelist(pm, ac, order, gfp, alloc_flags);
	if (p)
		return p;
	if (can_direct_reclaim && can_compact && (costly || (order > 0 && ac->migratetype != MIGRATE_MOVABLE)) &&
	    !gfp_pfmemalloc_flags(pm, gfp)) {
		p = direct_compact(pm, ac, order, gfp, alloc_flags, COMPACT_PRIO_ASYNC, &compact_result);
		if (p)
			return p;
		if (costly && (gfp & __GFP_NORETRY)) {
			if (compact_result == COMPACT_SKIPPED || compact_result == COMPACT_DEFERRED)
				return NULL;
			if (gfp & __GFP_THISNODE)
				return NULL;
			compact_priority = COMPACT_PRIO_ASYNC;
		}
	}
	for (;;) {
		if (++loops > PA_MAX_SLOW_LOOPS)
			return NULL;
		if (alloc_flags & ALLOC_KSWAPD)
			wake_all_kswapds(pm, ac, order);
		reserve_flags = gfp_pfmemalloc_flags(pm, gfp);
		if (reserve_flags)
			alloc_flags = gfp_to_alloc_flags_cma(gfp, reserve_flags) | (alloc_flags & ALLOC_KSWAPD);
		if (!(alloc_flags & ALLOC_CPUSET) || reserve_flags) {
			ac->nodemask = NULL;
			ac->preferred_zoneref = first_zones_zonelist(ac->zonelist, ac->highest_zoneidx, NULL);
		}
		p = get_page_from_freelist(pm, ac, order, gfp, alloc_flags);
		if (p)
			return p;
		if (!can_direct_reclaim)
			return NULL;
		p = direct_reclaim(pm, ac, order, gfp, alloc_flags, &progress);
		if (p)
			return p;
		p = direct_compact(pm, ac, order, gfp, alloc_flags, compact_priority, &compact_result);
		if (p)
			return p;
		if (gfp & __GFP_NORETRY)
			return NULL;
		if (costly && (!can_compact || !(gfp & __GFP_RETRY_MAYFAIL)))
			return NULL;
		if (should_reclaim_retry(pm, ac, order, alloc_flags, progress > 0, &no_progress_loops))
			continue;
		if (progress && can_compact &&
		    should_compact_retry(pm, ac, order, compact_result, &compact_priority, &compaction_retries))
			continue;
		bool oom_progress;
		p = may_oom(pm, ac, order, gfp, &oom_progress);
		if (p)
			return p;
		if (!oom_progress)
			return NULL;
		no_progress_loops = 0;
	}
}

/* ---- public entry points --------------------------------------------------------------------- */

int page_alloc(physmem_t *pm, const struct alloc_ctx *uac, uint64_t *pfn, sim_time_t *cost)
{
	struct alloc_context ac;
	sim_time_t local_cost = 0;
	unsigned order = uac->order;
	gfp_t gfp = uac->gfp;

	if (order > MAX_PAGE_ORDER || uac->cpu >= pm->nr_cpus ||
	    (uac->preferred_nid != NUMA_NO_NODE && (uac->preferred_nid < 0 || (unsigned)uac->preferred_nid >= pm->nr_nodes)))
		return -SIM_ERANGE;
	memset(&ac, 0, sizeof(ac));
	ac.user = uac;
	ac.cost = cost ? cost : &local_cost;
	ac.cpu_nid = pm->cpu_node[uac->cpu];
	unsigned nid = uac->preferred_nid == NUMA_NO_NODE ? ac.cpu_nid : (unsigned)uac->preferred_nid;
	ac.highest_zoneidx = gfp_zone(gfp);
	ac.migratetype = gfp_migratetype(gfp);
	ac.zonelist = (gfp & __GFP_THISNODE) ? pm->nodes[nid]->zonelist_thisnode : pm->nodes[nid]->zonelist;
	ac.nodemask = uac->nodemask;
	ac.preferred_zoneref = first_zones_zonelist(ac.zonelist, ac.highest_zoneidx, ac.nodemask);
	pm->phys_stat[PA_ALLOC_CALLS]++;
	if (pm->fail_nth && !--pm->fail_nth) {
		pm->phys_stat[PA_ALLOC_FAIL]++;   /* should_fail_alloc_page */
		return -SIM_EOOM;
	}

	struct page *p = NULL;
	if (ac.preferred_zoneref->zone) {
		unsigned alloc_flags = gfp_to_alloc_flags_cma(gfp, ALLOC_WMARK_LOW);
		alloc_flags |= alloc_flags_nofragment(pm, ac.preferred_zoneref->zone, gfp);
		p = get_page_from_freelist(pm, &ac, order, gfp, alloc_flags);
	}
	if (p) {
		pm->phys_stat[PA_ALLOC_FAST]++;
	} else {
		ac.nodemask = uac->nodemask;
		p = alloc_slowpath(pm, &ac, order, gfp);
	}
	*ac.cost += pm->cfg.alloc_cost + ac.pc.ops * pm->cfg.buddy_cost;
	if (!p) {
		pm->phys_stat[PA_ALLOC_FAIL]++;
		if (pm->debug_vm)
			buddy_check(pm);
		return -SIM_EOOM;
	}
	if (gfp & __GFP_ZERO)
		*ac.cost += pm->cfg.zero_page_cost << order;
	if (uac->interleave && p->node == nid)
		pm->nodes[p->node]->zones[p->zone].numa_stat[NUMA_INTERLEAVE_HIT]++;
	*pfn = p->pfn;
	if (pm->debug_vm)
		buddy_check(pm);
	return 0;
}

static void free_unref_page_commit(physmem_t *pm, struct zone *z, struct per_cpu_pages *pcp, struct page *p,
				   int mt, unsigned order, struct pa_cost *pc)
{
	bool free_high = false;
	unsigned pindex = order_to_pindex(mt, order);
	int batch = pcp->batch, high;

	pcp->alloc_factor >>= 1;
	page_set(p, PG_pcp);
	p->pcp_index = (uint8_t)pindex;
	list_add(&p->lru, &pcp->lists[pindex]);
	pcp->count += 1 << order;
	z->pcp_pages += 1ULL << order;
	if (order && order <= PAGE_ALLOC_COSTLY_ORDER) {
		free_high = pcp->free_count >= batch + pcp->high_min / 2 && (pcp->flags & PCPF_PREV_FREE_HIGH_ORDER) &&
			    (!(pcp->flags & PCPF_FREE_HIGH_BATCH) || pcp->count >= batch);
		pcp->flags |= PCPF_PREV_FREE_HIGH_ORDER;
	} else if (pcp->flags & PCPF_PREV_FREE_HIGH_ORDER) {
		pcp->flags &= ~PCPF_PREV_FREE_HIGH_ORDER;
	}
	if (pcp->free_count < (batch << PCP_BATCH_SCALE_MAX))
		pcp->free_count += 1 << order;
	high = nr_pcp_high(pcp, z, batch, free_high);
	if (pcp->count >= high) {
		free_pcppages_bulk(pm, z, nr_pcp_free(pcp, batch, high, free_high), pcp, (int)pindex, pc);
		pm->phys_stat[PA_PCP_DRAIN]++;
		if (zone_flag(z, ZONE_BELOW_HIGH) &&
		    zone_watermark_ok_free(z, 0, wmark_pages(z, WMARK_HIGH), ZONE_MOVABLE, 0, z->vm_stat[NR_FREE_PAGES]))
			zone_flag_clear(z, ZONE_BELOW_HIGH);
	}
}

/* A frame leaving or entering the allocator carries no owner state. */
static void page_clear_state(struct page *t)
{
	t->flags = 0;
	t->mapcount = 0;
	t->order = 0;
	t->mapping = NULL;
	t->index = 0;
	t->private = 0;
}

void page_free(physmem_t *pm, uint64_t pfn, unsigned order, unsigned cpu)
{
	struct pa_cost pc = { 0 };

	SIM_BUG_ON(order > MAX_PAGE_ORDER || (pfn & ((1ULL << order) - 1)) || cpu >= pm->nr_cpus);
	struct page *p = pfn_to_page(pm, pfn);
	SIM_BUG_ON(p->flags & ((1u << PG_buddy) | (1u << PG_pcp) | (1u << PG_reserved) | (1u << PG_tail)));
	if (page_test(p, PG_head))
		for (uint64_t i = 1; i < (1ULL << order); i++) {
			struct page *t = pfn_to_page(pm, pfn + i);
			t->flags = 0;
			t->private = 0;
		}
	page_clear_state(p);
	p->refcount = 0;
	pm->vm_events[PGFREE] += 1ULL << order;

	struct zone *z = &pm->nodes[p->node]->zones[p->zone];
	if (!pcp_allowed_order(order)) {
		free_one_page(pm, z, pfn, order, &pc);
	} else {
		int mt = get_pageblock_migratetype(pm, pfn);
		if (mt >= MIGRATE_PCPTYPES) {
			if (mt == MIGRATE_ISOLATE) {
				free_one_page(pm, z, pfn, order, &pc);
				goto out;
			}
			mt = MIGRATE_MOVABLE;
		}
		free_unref_page_commit(pm, z, zone_pcp(pm, z, cpu), p, mt, order, &pc);
	}
out:
	if (pm->debug_vm)
		buddy_check(pm);
}

/* ---- the checker ------------------------------------------------------------------------------- */

struct blk {
	uint64_t pfn, nr;
};

static int blk_cmp(const void *a, const void *b)
{
	const struct blk *x = a, *y = b;

	return x->pfn < y->pfn ? -1 : x->pfn > y->pfn;
}

#define VERIFY(cond, ...)                                                 \
	do {                                                              \
		if (!(cond)) {                                            \
			int rc_ = sim_errf(err, errlen, SIM_ESTATE, __VA_ARGS__); \
			free(blocks);                                     \
			return rc_;                                       \
		}                                                         \
	} while (0)

static int zone_verify(physmem_t *pm, struct zone *z, char *err, size_t errlen)
{
	struct blk *blocks = NULL;
	size_t nb = 0, cap = 0;
	int64_t free_pages = 0, free_cma = 0;
	uint64_t free_ha = 0;

#define PUSH(p_, n_)                                                              \
	do {                                                                      \
		if (nb == cap) {                                                  \
			cap = cap ? cap * 2 : 256;                                \
			struct blk *nbk = realloc(blocks, cap * sizeof(*blocks)); \
			SIM_BUG_ON(!nbk);                                          \
			blocks = nbk;                                              \
		}                                                                 \
		blocks[nb].pfn = (p_);                                            \
		blocks[nb++].nr = (n_);                                           \
	} while (0)

	VERIFY(z->pristine_lo <= z->pristine_hi, "zone %u/%s: pristine range inverted", z->nid, zone_names[z->zid]);
	if (z->pristine_lo < z->pristine_hi) {
		VERIFY(!(z->pristine_lo & 1023) && !(z->pristine_hi & 1023) && zone_spans_pfn(z, z->pristine_lo) &&
			       z->pristine_hi <= zone_end_pfn(z),
		       "zone %u/%s: pristine range misaligned or outside the zone", z->nid, zone_names[z->zid]);
		uint64_t from = z->pristine_lo;
		for (unsigned i = 0; i < z->nr_holes; i++) {
			VERIFY(z->hole_lo[i] > from && z->hole_hi[i] < z->pristine_hi && z->hole_lo[i] < z->hole_hi[i] &&
				       !(z->hole_lo[i] & 1023) && !(z->hole_hi[i] & 1023),
			       "zone %u/%s: pristine hole %u misplaced", z->nid, zone_names[z->zid], i);
			PUSH(from, z->hole_lo[i] - from);
			from = z->hole_hi[i];
		}
		PUSH(from, z->pristine_hi - from);
		free_pages += (int64_t)(pa_pristine_blocks(z) << MAX_PAGE_ORDER);
	} else {
		VERIFY(!z->nr_holes, "zone %u/%s: holes in an empty pristine range", z->nid, zone_names[z->zid]);
	}
	for (unsigned o = 0; o < NR_PAGE_ORDERS; o++) {
		struct free_area *area = &z->free_area[o];
		uint64_t total = 0;
		for (unsigned mt = 0; mt < MIGRATE_TYPES; mt++) {
			uint64_t n = 0;
			for (struct list_head *l = area->free_list[mt].next; l != &area->free_list[mt]; l = l->next) {
				struct page *p = lru_to_page(l);
				n++;
				VERIFY(page_test(p, PG_buddy) && p->order == o,
				       "pfn %llu: on the order-%u free list without PG_buddy/order", (unsigned long long)p->pfn, o);
				VERIFY(!(p->pfn & ((1ULL << o) - 1)), "pfn %llu: order-%u free block misaligned",
				       (unsigned long long)p->pfn, o);
				VERIFY(zone_spans_pfn(z, p->pfn) && zone_spans_pfn(z, p->pfn + (1ULL << o) - 1),
				       "pfn %llu: order-%u free block outside zone %u/%s", (unsigned long long)p->pfn, o, z->nid,
				       zone_names[z->zid]);
				VERIFY(pa_page_lookup(pm, p->pfn) == p, "pfn %llu: descriptor mismatch", (unsigned long long)p->pfn);
				for (uint64_t b = p->pfn; b < p->pfn + (1ULL << o); b += PAGEBLOCK_NR_PAGES)
					VERIFY((unsigned)get_pageblock_migratetype(pm, b) == mt,
					       "pfn %llu: on the %s list in a %s pageblock", (unsigned long long)p->pfn,
					       migratetype_names[mt], migratetype_names[get_pageblock_migratetype(pm, b)]);
				if (o < MAX_PAGE_ORDER) {
					uint64_t bpfn = p->pfn ^ (1ULL << o);
					/* looked up directly, not through find_buddy(), to check it too */
					struct page *b = zone_spans_pfn(z, bpfn) ? pa_page_lookup(pm, bpfn) : NULL;
					if (b && page_test(b, PG_buddy) && b->order == o) {
						int bmt = get_pageblock_migratetype(pm, bpfn);
						bool may_stay = o >= PAGEBLOCK_ORDER && (int)mt != bmt &&
								(!migratetype_is_mergeable((int)mt) || !migratetype_is_mergeable(bmt));
						VERIFY(may_stay, "pfn %llu and %llu: free order-%u buddies left unmerged",
						       (unsigned long long)p->pfn, (unsigned long long)bpfn, o);
					}
				}
				PUSH(p->pfn, 1ULL << o);
				if (mt != MIGRATE_ISOLATE)
					free_pages += 1LL << o;
				if (mt == MIGRATE_HIGHATOMIC)
					free_ha += 1ULL << o;
				if (mt == MIGRATE_CMA)
					free_cma += 1LL << o;
			}
			if (o == MAX_PAGE_ORDER && mt == MIGRATE_MOVABLE)
				n += pa_pristine_blocks(z);
			VERIFY(n == area->nr_list[mt], "zone %u/%s order %u %s: list has %llu blocks, counter says %llu",
			       z->nid, zone_names[z->zid], o, migratetype_names[mt], (unsigned long long)n,
			       (unsigned long long)area->nr_list[mt]);
			total += n;
		}
		VERIFY(total == area->nr_free, "zone %u/%s order %u: nr_free %llu, lists hold %llu", z->nid,
		       zone_names[z->zid], o, (unsigned long long)area->nr_free, (unsigned long long)total);
	}
	VERIFY(free_pages == z->vm_stat[NR_FREE_PAGES], "zone %u/%s: NR_FREE_PAGES %lld, free lists hold %lld", z->nid,
	       zone_names[z->zid], (long long)z->vm_stat[NR_FREE_PAGES], (long long)free_pages);
	VERIFY(free_cma == z->vm_stat[NR_FREE_CMA_PAGES], "zone %u/%s: NR_FREE_CMA_PAGES %lld, CMA lists hold %lld",
	       z->nid, zone_names[z->zid], (long long)z->vm_stat[NR_FREE_CMA_PAGES], (long long)free_cma);
	VERIFY(free_ha == z->nr_free_highatomic, "zone %u/%s: nr_free_highatomic %llu, lists hold %llu", z->nid,
	       zone_names[z->zid], (unsigned long long)z->nr_free_highatomic, (unsigned long long)free_ha);
	uint64_t pcp_total = 0;
	if (z->pcp)
		for (unsigned c = 0; c < pm->nr_cpus; c++) {
			struct per_cpu_pages *pcp = z->pcp[c];
			if (!pcp)
				continue;
			int count = 0;
			for (unsigned i = 0; i < NR_PCP_LISTS; i++)
				for (struct list_head *l = pcp->lists[i].next; l != &pcp->lists[i]; l = l->next) {
					struct page *p = lru_to_page(l);
					unsigned o = pindex_to_order(i);
					VERIFY(page_test(p, PG_pcp) && !page_test(p, PG_buddy) && zone_spans_pfn(z, p->pfn) &&
						       !(p->pfn & ((1ULL << o) - 1)),
					       "pfn %llu: bad page on cpu %u pcp list %u", (unsigned long long)p->pfn, c, i);
					PUSH(p->pfn, 1ULL << o);
					count += 1 << o;
				}
			VERIFY(count == pcp->count, "zone %u/%s cpu %u: pcp count %d, lists hold %d", z->nid, zone_names[z->zid],
			       c, pcp->count, count);
			pcp_total += (uint64_t)count;
		}
	VERIFY(pcp_total == z->pcp_pages, "zone %u/%s: pcp_pages %llu, lists hold %llu", z->nid, zone_names[z->zid],
	       (unsigned long long)z->pcp_pages, (unsigned long long)pcp_total);
	VERIFY((uint64_t)free_pages + pcp_total <= z->managed, "zone %u/%s: more free pages than managed", z->nid,
	       zone_names[z->zid]);
	if (nb)
		qsort(blocks, nb, sizeof(*blocks), blk_cmp);
	for (size_t i = 1; i < nb; i++)
		VERIFY(blocks[i - 1].pfn + blocks[i - 1].nr <= blocks[i].pfn, "pfn %llu: free blocks overlap",
		       (unsigned long long)blocks[i].pfn);
#undef PUSH
	free(blocks);
	return 0;
}

int buddy_verify(physmem_t *pm, char *err, size_t errlen)
{
	for (unsigned n = 0; n < pm->nr_nodes; n++)
		for (unsigned zi = 0; zi < MAX_NR_ZONES; zi++) {
			int rc = zone_verify(pm, &pm->nodes[n]->zones[zi], err, errlen);
			if (rc < 0)
				return rc;
		}
	return 0;
}

void buddy_check(physmem_t *pm)
{
	char err[256];

	if (buddy_verify(pm, err, sizeof(err)) < 0) {
		fprintf(stderr, "buddy_check: %s\n", err);
		SIM_BUG_ON(1);
	}
}

/* ---- compaction support -------------------------------------------------------------------------- */

struct page *pfn_page_peek(const physmem_t *pm, uint64_t pfn)
{
	return pfn < pm->max_pfn ? pa_page_lookup(pm, pfn) : NULL;
}

int page_isolate_free(physmem_t *pm, uint64_t pfn)
{
	struct page *p = pfn_page_peek(pm, pfn);

	if (!p || !page_test(p, PG_buddy))
		return -SIM_ESTATE;
	unsigned order = p->order;
	struct zone *z = &pm->nodes[p->node]->zones[p->zone];
	int mt = get_pageblock_migratetype(pm, pfn);
	if (mt != MIGRATE_ISOLATE &&
	    !zone_watermark_ok_free(z, 0, z->wmark[WMARK_MIN] + (1ULL << order), 0, ALLOC_CMA, z->vm_stat[NR_FREE_PAGES]))
		return -SIM_EOOM;
	del_from_free_list(z, p, order, mt);
	account_freepages(z, -(1LL << order), mt);
	/* a whole (or half) pageblock taken for migration targets becomes MOVABLE, as Linux does */
	if (order >= PAGEBLOCK_ORDER - 1 && migratetype_is_mergeable(mt))
		change_pageblock_range(pm, pfn, order, MIGRATE_MOVABLE);
	for (uint64_t i = 0; i < (1ULL << order); i++) {
		struct page *t = pfn_to_page(pm, pfn + i);
		page_clear_state(t);
		t->refcount = 0;
		t->last_cpupid = 0;
	}
	if (pm->debug_vm)
		buddy_check(pm);
	return (int)order;
}

/* ==== contiguous ranges: CMA and memory hotplug (os/cma.c, os/memory_hotplug.c) ================ */

/*
 * Every operation below works on MAX_ORDER-aligned ranges inside one zone,
 * so no free block straddles the range's edges and a pageblock's free
 * pages can be moved between lists whole (Linux's alloc_contig_range
 * isolated MAX_ORDER-aligned ranges for the same reason before 6.0).
 */

static struct zone *range_zone(physmem_t *pm, uint64_t start, uint64_t end)
{
	const uint64_t max_nr = 1ULL << MAX_PAGE_ORDER;

	if (start >= end || (start & (max_nr - 1)) || (end & (max_nr - 1)) || end > pm->max_pfn)
		return NULL;
	struct zone *z = pa_pfn_zone(pm, start);
	if (!z || !zone_spans_pfn(z, end - 1))
		return NULL;
	return z;
}

static bool in_hole(const struct zone *z, uint64_t pfn)
{
	for (unsigned i = 0; i < z->nr_holes; i++)
		if (pfn >= z->hole_lo[i] && pfn < z->hole_hi[i])
			return true;
	return false;
}

/* Put the pristine blocks of [s, e) on the MOVABLE order-10 list (their counts are already in). */
static void materialise_pristine(physmem_t *pm, struct zone *z, uint64_t s, uint64_t e)
{
	for (uint64_t pfn = s; pfn < e; pfn += 1ULL << MAX_PAGE_ORDER) {
		if (in_hole(z, pfn))
			continue;
		struct page *p = pfn_to_page(pm, pfn);
		page_set(p, PG_buddy);
		p->order = MAX_PAGE_ORDER;
		list_add_tail(&p->lru, &z->free_area[MAX_PAGE_ORDER].free_list[MIGRATE_MOVABLE]);
	}
}

/*
 * A range whose pageblocks change type must not stay in the pristine
 * interval: its blocks become list entries and the range a hole of the
 * interval, so that the blocks around it stay pristine (no descriptors).
 * Past PA_MAX_PRISTINE_HOLES holes, everything from the range up is
 * materialised instead (host memory: one descriptor pageblock per 4 MiB).
 */
static void pristine_cut(physmem_t *pm, struct zone *z, uint64_t start, uint64_t end)
{
	uint64_t s = SIM_MAX(start, z->pristine_lo), e = SIM_MIN(end, z->pristine_hi);

	if (s >= e)
		return;
	if (z->nr_holes == PA_MAX_PRISTINE_HOLES) {
		materialise_pristine(pm, z, s, z->pristine_hi);
		z->pristine_hi = s;
		pristine_normalise(z);
		return;
	}
	materialise_pristine(pm, z, s, e);
	/* insert [s, e) and merge it with the holes it overlaps or touches */
	unsigned i = 0;
	while (i < z->nr_holes && z->hole_hi[i] < s)
		i++;
	while (i < z->nr_holes && z->hole_lo[i] <= e) {
		s = SIM_MIN(s, z->hole_lo[i]);
		e = SIM_MAX(e, z->hole_hi[i]);
		hole_remove(z, i);
	}
	memmove(&z->hole_lo[i + 1], &z->hole_lo[i], (z->nr_holes - i) * sizeof(z->hole_lo[0]));
	memmove(&z->hole_hi[i + 1], &z->hole_hi[i], (z->nr_holes - i) * sizeof(z->hole_hi[0]));
	z->hole_lo[i] = s;
	z->hole_hi[i] = e;
	z->nr_holes++;
	pristine_normalise(z);
}

/* Move every free block of [start, end) to the new_mt lists and retag the pageblocks. */
static void move_freepages_range(physmem_t *pm, struct zone *z, uint64_t start, uint64_t end, int new_mt)
{
	for (uint64_t pfn = start; pfn < end;) {
		struct page *pg = pa_page_lookup(pm, pfn);
		if (pg && page_test(pg, PG_buddy)) {
			move_to_free_list(z, pg, pg->order, get_pageblock_migratetype(pm, pfn), new_mt);
			pfn += 1ULL << pg->order;
		} else if (!pg) {
			pfn = (pfn | (PAGEBLOCK_NR_PAGES - 1)) + 1;   /* no descriptors: nothing free listed here */
		} else {
			pfn++;
		}
	}
	for (uint64_t pfn = start; pfn < end; pfn += PAGEBLOCK_NR_PAGES)
		pa_set_pageblock_mt(pm, pfn, (enum migratetype)new_mt);
}

int pa_init_cma_range(physmem_t *pm, uint64_t start, uint64_t end)
{
	struct zone *z = range_zone(pm, start, end);

	if (!z || z->zid == ZONE_MOVABLE)
		return -SIM_ERANGE;
	pristine_cut(pm, z, start, end);
	move_freepages_range(pm, z, start, end, MIGRATE_CMA);
	z->cma_pages += end - start;
	pm->cma_pages += end - start;
	if (pm->debug_vm)
		buddy_check(pm);
	return 0;
}

/* has_unmovable_pages: an allocated page that is neither on an LRU nor part of a THP on one. */
static bool page_unmovable(const physmem_t *pm, const struct page *pg)
{
	if (page_test(pg, PG_buddy) || page_test(pg, PG_pcp))
		return false;
	if (page_test(pg, PG_tail)) {
		const struct page *head = pa_page_lookup(pm, pg->private);
		return !head || !page_test(head, PG_lru);
	}
	if (page_test(pg, PG_reserved))
		return true;
	return pg->refcount > 0 && !page_test(pg, PG_lru);
}

int start_isolate_page_range(physmem_t *pm, uint64_t start, uint64_t end, bool check_unmovable, uint64_t *bad_pfn)
{
	struct zone *z = range_zone(pm, start, end);

	if (!z)
		return -SIM_ERANGE;
	if (check_unmovable) {
		/* has_unmovable_pages with MEMORY_OFFLINE: CMA areas cannot be offlined */
		for (uint64_t pfn = start; pfn < end; pfn += PAGEBLOCK_NR_PAGES)
			if (get_pageblock_migratetype(pm, pfn) == MIGRATE_CMA) {
				if (bad_pfn)
					*bad_pfn = pfn;
				return -SIM_EBUSY;
			}
		for (uint64_t pfn = start; pfn < end; pfn++) {
			const struct page *pg = pa_page_lookup(pm, pfn);
			if (!pg) {
				pfn |= PAGEBLOCK_NR_PAGES - 1;   /* untouched since boot: free */
				continue;
			}
			if (page_test(pg, PG_buddy)) {
				pfn += (1ULL << pg->order) - 1;
				continue;
			}
			if (page_unmovable(pm, pg)) {
				if (bad_pfn)
					*bad_pfn = pfn;
				return -SIM_EBUSY;
			}
		}
	}
	for (uint64_t pfn = start; pfn < end; pfn += PAGEBLOCK_NR_PAGES)
		if (get_pageblock_migratetype(pm, pfn) == MIGRATE_ISOLATE)
			return -SIM_EBUSY;   /* someone else's isolation (Linux: -EBUSY) */
	pristine_cut(pm, z, start, end);
	move_freepages_range(pm, z, start, end, MIGRATE_ISOLATE);
	drain_all_pages(pm);   /* pages on pcp lists go to the isolate lists */
	if (pm->debug_vm)
		buddy_check(pm);
	return 0;
}

static struct page *free_block_head(const physmem_t *pm, uint64_t pfn);

void undo_isolate_page_range(physmem_t *pm, uint64_t start, uint64_t end)
{
	struct zone *z = range_zone(pm, start, end);

	SIM_BUG_ON(!z);
	for (uint64_t b = start; b < end;) {
		enum migratetype mt = get_pageblock_type_under_isolation(pm, b);
		uint64_t e = b + PAGEBLOCK_NR_PAGES;
		while (e < end && get_pageblock_type_under_isolation(pm, e) == mt)
			e += PAGEBLOCK_NR_PAGES;
		/* a free block reaching into the next run of another type is cut to pageblocks (split_large_buddy) */
		if (e < end) {
			struct page *h = free_block_head(pm, e - 1);
			if (h && h->order > PAGEBLOCK_ORDER && h->pfn + (1ULL << h->order) > e) {
				unsigned o = h->order;
				uint64_t pfn = h->pfn;
				del_from_free_list(z, h, o, MIGRATE_ISOLATE);
				for (uint64_t p = pfn; p < pfn + (1ULL << o); p += PAGEBLOCK_NR_PAGES)
					add_to_free_list(z, pfn_to_page(pm, p), PAGEBLOCK_ORDER, MIGRATE_ISOLATE, false);
			}
		}
		move_freepages_range(pm, z, b, e, mt);
		b = e;
	}
	if (pm->debug_vm)
		buddy_check(pm);
}

/* Head of the free buddy block containing pfn, or NULL. */
static struct page *free_block_head(const physmem_t *pm, uint64_t pfn)
{
	for (unsigned o = 0; o < NR_PAGE_ORDERS; o++) {
		struct page *h = pa_page_lookup(pm, pfn & ~((1ULL << o) - 1));
		if (h && page_test(h, PG_buddy) && h->pfn + (1ULL << h->order) > pfn)
			return h;
	}
	return NULL;
}

uint64_t test_pages_isolated(const physmem_t *pm, uint64_t start, uint64_t end)
{
	for (uint64_t pfn = start; pfn < end;) {
		const struct page *h = free_block_head(pm, pfn);
		if (!h || get_pageblock_migratetype(pm, pfn) != MIGRATE_ISOLATE)
			return pfn;
		pfn = h->pfn + (1ULL << h->order);
	}
	return end;
}

/* Free [s, e) to the mt lists as the largest aligned blocks (merging with free buddies). */
static void free_range_blocks(physmem_t *pm, struct zone *z, uint64_t s, uint64_t e, int mt)
{
	while (s < e) {
		unsigned o = s ? SIM_MIN((unsigned)__builtin_ctzll(s), (unsigned)MAX_PAGE_ORDER) : MAX_PAGE_ORDER;
		while (s + (1ULL << o) > e)
			o--;
		free_one_page_merge(pm, z, s, o, mt, false, NULL);
		s += 1ULL << o;
	}
}

void isolate_freepages_range(physmem_t *pm, uint64_t start, uint64_t end)
{
	SIM_BUG_ON(start >= end || test_pages_isolated(pm, start, end) != end);
	struct zone *z = pa_pfn_zone(pm, start);
	uint64_t lo = start, hi = end;

	/* take every free block overlapping the range off its isolate list ... */
	for (uint64_t pfn = start; pfn < end;) {
		struct page *h = free_block_head(pm, pfn);
		uint64_t bend = h->pfn + (1ULL << h->order);
		lo = SIM_MIN(lo, h->pfn);
		hi = SIM_MAX(hi, bend);
		del_from_free_list(z, h, h->order, MIGRATE_ISOLATE);
		pfn = bend;
	}
	/* ... hand [start, end) out as order-0 pages ... */
	for (uint64_t pfn = start; pfn < end; pfn++) {
		struct page *t = pfn_to_page(pm, pfn);
		page_clear_state(t);
		t->refcount = 1;
	}
	/* ... and give the blocks' outer parts back (alloc_contig_range frees them) */
	free_range_blocks(pm, z, lo, start, MIGRATE_ISOLATE);
	free_range_blocks(pm, z, end, hi, MIGRATE_ISOLATE);
	if (pm->debug_vm)
		buddy_check(pm);
}

uint64_t offline_isolated_pages(physmem_t *pm, uint64_t start, uint64_t end)
{
	struct zone *z = range_zone(pm, start, end);

	SIM_BUG_ON(!z || test_pages_isolated(pm, start, end) != end);
	for (uint64_t pfn = start; pfn < end;) {
		struct page *pg = pa_page_lookup(pm, pfn);
		unsigned o = pg->order;
		del_from_free_list(z, pg, o, MIGRATE_ISOLATE);
		pfn += 1ULL << o;
	}
	for (uint64_t pfn = start; pfn < end; pfn++)
		pfn_to_page(pm, pfn)->flags = 1u << PG_reserved;   /* PageOffline: not RAM the allocator has */
	/*
	 * The blocks stay isolated with their own type beneath: Linux's
	 * __offline_isolated_pages and offline_pages change no migratetype
	 * (6.16+: PB_migrate_isolate stays set).  They become MOVABLE when
	 * onlined (online_isolated_range).  nr_reserved_highatomic is not
	 * touched either (through 6.16 only unreserve_highatomic_pageblock
	 * lowers it), so a reserve on an offlined block stays counted, and its
	 * block stays HIGHATOMIC beneath until it is onlined.
	 */
	z->present -= end - start;
	z->managed -= end - start;
	pa_zones_changed(pm);
	if (pm->debug_vm)
		buddy_check(pm);
	return end - start;
}

/*
 * Whether [start, end) of zone `from` may join zone `to` with every zone
 * span staying one contiguous interval: the range is from's top edge and
 * `to` (empty, or starting right there) lies above, or its bottom edge and
 * `to` ends right there below.
 */
static bool range_may_move(const struct zone *from, const struct zone *to, uint64_t start, uint64_t end)
{
	if (from == to)
		return true;
	if (to->zid > from->zid)
		return end == zone_end_pfn(from) && (!to->spanned || to->start_pfn == end);
	return start == from->start_pfn && to->spanned && zone_end_pfn(to) == start;
}

bool online_zone_allowed(const physmem_t *pm, uint64_t start, uint64_t end, enum zone_type zid)
{
	struct zone *from = range_zone((physmem_t *)pm, start, end);

	if (!from || zid >= ZONE_DEVICE || (zid != ZONE_MOVABLE && zid != ZONE_NORMAL && zid != from->zid))
		return false;
	return range_may_move(from, &pm->nodes[from->nid]->zones[zid], start, end);
}

int online_isolated_range(physmem_t *pm, uint64_t start, uint64_t end, enum zone_type zid)
{
	struct zone *from = range_zone(pm, start, end);

	if (!from || !online_zone_allowed(pm, start, end, zid))
		return -SIM_ERANGE;
	for (uint64_t pfn = start; pfn < end; pfn++) {
		const struct page *pg = pa_page_lookup(pm, pfn);
		if (!pg || pg->flags != 1u << PG_reserved)
			return -SIM_ESTATE;   /* not offline */
	}
	struct zone *z = &pm->nodes[from->nid]->zones[zid];
	if (z != from) {
		/* move_pfn_range_to_zone: the spans give the range to its new zone */
		if (z->zid > from->zid) {
			z->start_pfn = start;   /* an empty zone starts here */
		} else {
			from->start_pfn = end;
		}
		z->spanned += end - start;
		from->spanned -= end - start;
		for (uint64_t pfn = start; pfn < end; pfn++)
			pfn_to_page(pm, pfn)->zone = (uint8_t)zid;
	}
	for (uint64_t pfn = start; pfn < end; pfn++)
		pfn_to_page(pm, pfn)->flags = 0;
	z->present += end - start;
	z->managed += end - start;
	/*
	 * online_pages: the pageblocks stay isolated while the pages are freed,
	 * then become MOVABLE, whatever they were before the offline
	 * (move_pfn_range_to_zone -> memmap_init_range ->
	 * init_pageblock_migratetype(MIGRATE_MOVABLE, isolate), then
	 * undo_isolate_page_range)
	 */
	free_range_blocks(pm, z, start, end, MIGRATE_ISOLATE);
	move_freepages_range(pm, z, start, end, MIGRATE_MOVABLE);
	pa_zones_changed(pm);
	if (pm->debug_vm)
		buddy_check(pm);
	return 0;
}

static uint64_t pa_zone_free_cma(const struct zone *z)
{
	return z->vm_stat[NR_FREE_CMA_PAGES] > 0 ? (uint64_t)z->vm_stat[NR_FREE_CMA_PAGES] : 0;
}

uint64_t physmem_cma_pages(const physmem_t *pm)
{
	return pm->cma_pages;
}

uint64_t physmem_free_cma_pages(const physmem_t *pm)
{
	uint64_t n = 0;

	for (unsigned nid = 0; nid < pm->nr_nodes; nid++)
		for (unsigned z = 0; z < MAX_NR_ZONES; z++)
			n += pa_zone_free_cma(&pm->nodes[nid]->zones[z]);
	return n;
}
