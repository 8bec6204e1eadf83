/*
 * os/compaction.c - memory compaction (see compaction.h; sources.md §8).
 *
 * Simplifications against Linux 6.12, each documented in docs/os-migrate.md:
 * the scanners move a pageblock at a time (no partial-block restarts, no
 * skip bits, no fast_find_* hints); compaction never sees contention;
 * captured pages are not handed over directly (the allocator retries its
 * free lists, which finds the same block); a SUCCESS resets the zone's
 * deferral fully (Linux resets it once the allocation itself succeeds).
 */
#include "os/compaction.h"
#include "os/rmap.h"
#include "sim/err.h"
#include <stdlib.h>

#define HPAGE_FRAG_CHECK_INTERVAL (500ULL * 1000000000ULL)   /* 500 ms in ps */
#define COMPACTION_HPAGE_ORDER    HPAGE_PMD_ORDER

/* ---- pure rules --------------------------------------------------------------------------- */

int fragmentation_index(const uint64_t nr_free[NR_PAGE_ORDERS], unsigned order)
{
	uint64_t free_pages = 0, blocks = 0, suitable = 0;

	for (unsigned o = 0; o < NR_PAGE_ORDERS; o++) {
		free_pages += nr_free[o] << o;
		blocks += nr_free[o];
		if (o >= order)
			suitable += nr_free[o] << (o - order);
	}
	if (!blocks)
		return 0;
	if (suitable)
		return -1000;
	return (int)(1000 - (int64_t)((1000 + (free_pages * 1000 >> order)) / blocks));
}

unsigned extfrag_for_order(const uint64_t nr_free[NR_PAGE_ORDERS], unsigned order)
{
	uint64_t free_pages = 0, suitable = 0;

	for (unsigned o = 0; o < NR_PAGE_ORDERS; o++) {
		free_pages += nr_free[o] << o;
		if (o >= order)
			suitable += nr_free[o] << (o - order);
	}
	if (!free_pages)
		return 0;
	return (unsigned)((free_pages - (suitable << order)) * 100 / free_pages);
}

void defer_compaction(struct compact_zone *cz, unsigned order)
{
	cz->considered = 0;
	if (++cz->defer_shift > COMPACT_MAX_DEFER_SHIFT)
		cz->defer_shift = COMPACT_MAX_DEFER_SHIFT;
	if (order < cz->order_failed)
		cz->order_failed = order;
}

bool compaction_deferred(struct compact_zone *cz, unsigned order)
{
	unsigned long limit = 1UL << cz->defer_shift;

	if (order < cz->order_failed)
		return false;
	if (++cz->considered >= limit) {
		cz->considered = (unsigned)limit;
		return false;
	}
	return true;
}

void compaction_defer_reset(struct compact_zone *cz, unsigned order, bool alloc_success)
{
	if (alloc_success) {
		cz->considered = 0;
		cz->defer_shift = 0;
	}
	if (order >= cz->order_failed)
		cz->order_failed = order + 1;
}

/* ---- suitability --------------------------------------------------------------------------- */

static bool zone_free_ok(const struct zone_info *zi, uint64_t mark, enum zone_type classzone)
{
	uint64_t need = mark + zi->watermark_boost + zi->lowmem_reserve[classzone];
	return zi->nr_free > need;
}

bool compaction_suitable(struct os *os, unsigned nid, enum zone_type zid, unsigned order, enum zone_type classzone)
{
	struct zone_info zi;

	if (physmem_zone_info(os->phys, nid, zid, &zi) || !zi.populated)
		return false;
	uint64_t wm = zi.watermark[order > PAGE_ALLOC_COSTLY_ORDER ? WMARK_LOW : WMARK_MIN] + (2ULL << order);
	if (!zone_free_ok(&zi, wm, classzone))
		return false;
	if (order > PAGE_ALLOC_COSTLY_ORDER) {
		int fi = fragmentation_index(zi.nr_free_blocks, order);
		if (fi >= 0 && fi <= (int)os->cfg.extfrag_threshold)
			return false;
	}
	return true;
}

static bool free_block_exists(struct os *os, unsigned nid, enum zone_type zid, unsigned order)
{
	struct zone_info zi;
	physmem_zone_info(os->phys, nid, zid, &zi);
	for (unsigned o = order; o < NR_PAGE_ORDERS; o++)
		if (zi.nr_free_blocks[o])
			return true;
	return false;
}

/* ---- the scanners ---------------------------------------------------------------------------- */

struct freelist {
	uint64_t *pfn;
	size_t n, cap;
};

static int fl_push(struct freelist *f, uint64_t pfn)
{
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 512;
		uint64_t *np = realloc(f->pfn, cap * sizeof(*np));
		if (!np)
			return -SIM_ENOMEM;
		f->pfn = np;
		f->cap = cap;
	}
	f->pfn[f->n++] = pfn;
	return 0;
}

/* compaction_alloc: the next isolated free page. */
static int compaction_alloc(void *ctx, struct os *os, struct page *src, sim_time_t now, uint64_t *pfn,
			    sim_time_t *cost)
{
	struct freelist *f = ctx;
	(void)now, (void)cost;
	if (src->order || !f->n)
		return -SIM_EOOM;
	*pfn = f->pfn[--f->n];
	struct page *pg = pfn_to_page(os->phys, *pfn);
	pg->refcount = 1;
	pg->order = 0;
	return 0;
}

static uint64_t block_of(uint64_t pfn)
{
	return pfn & ~(uint64_t)(PAGEBLOCK_NR_PAGES - 1);
}

/*
 * isolate_freepages: walk pageblocks downward from *fpfn above the migrate
 * scanner's block until `want` targets are isolated.  @return false when
 * the watermark stopped isolation.
 */
static bool isolate_freepages(struct os *os, struct compact_control *cc, uint64_t zstart, uint64_t *fpfn,
			      uint64_t mblock, struct freelist *fl, size_t want)
{
	physmem_t *pm = os->phys;
	unsigned skip_order = cc->order < 0 ? PAGEBLOCK_ORDER : (unsigned)cc->order;

	while (fl->n < want && block_of(*fpfn) > mblock) {
		uint64_t bs = block_of(*fpfn);
		uint64_t lo = SIM_MAX(bs, zstart), hi = *fpfn + 1;
		struct page *first = pfn_page_peek(pm, bs);
		*fpfn = bs - 1;
		if (!first)
			continue;   /* untouched since boot: one free block of >= pageblock order */
		if (cc->prio != COMPACT_PRIO_SYNC_FULL && get_pageblock_migratetype(pm, bs) != MIGRATE_MOVABLE)
			continue;
		if (page_test(first, PG_buddy) && first->order >= skip_order)
			continue;
		for (uint64_t pfn = lo; pfn < hi; pfn++) {
			struct page *pg = pfn_page_peek(pm, pfn);
			cc->free_scanned++;
			if (!pg || !page_test(pg, PG_buddy))
				continue;
			int o = page_isolate_free(pm, pfn);
			if (o == -SIM_EOOM)
				return false;
			if (o < 0)
				continue;
			for (uint64_t i = 0; i < (1ULL << o); i++)
				if (fl_push(fl, pfn + i))
					return false;
			cc->isolated += 1ULL << o;
			pfn += (1ULL << o) - 1;
		}
	}
	return true;
}

enum compact_zone_result compact_zone(struct os *os, unsigned nid, enum zone_type zid, struct compact_control *cc)
{
	struct mig_state *m = os->mig;
	struct compact_zone *cz = &m->cz[nid][zid];
	physmem_t *pm = os->phys;
	struct zone_info zi;
	struct freelist fl = { 0 };
	enum compact_zone_result res = CZ_COMPLETE;
	bool whole = cc->order < 0 || cc->prio == COMPACT_PRIO_SYNC_FULL;
	uint64_t mig0 = cc->migrate_scanned, free0 = cc->free_scanned;

	if (physmem_zone_info(pm, nid, zid, &zi) || !zi.populated)
		return CZ_SKIPPED;
	uint64_t zstart = zi.start_pfn, zend = zi.start_pfn + zi.spanned;
	uint64_t mpfn = (!whole && cz->migrate_pfn > zstart && cz->migrate_pfn < zend) ? cz->migrate_pfn : zstart;
	uint64_t fpfn = (!whole && cz->free_pfn > zstart && cz->free_pfn < zend) ? cz->free_pfn : zend - 1;
	bool moved_since_drain = false;

	for (;;) {
		if (block_of(fpfn) <= block_of(mpfn) || mpfn >= zend) {
			res = CZ_COMPLETE;
			break;
		}
		if (cc->order > 0 && mpfn == block_of(mpfn)) {
			if (moved_since_drain) {
				drain_all_pages(pm);
				moved_since_drain = false;
			}
			if (free_block_exists(os, nid, zid, (unsigned)cc->order)) {
				res = CZ_SUCCESS;
				break;
			}
		}
		/* isolate_migratepages: one pageblock, at most COMPACT_CLUSTER_MAX pages */
		struct page *batch[COMPACT_CLUSTER_MAX];
		unsigned n = 0;
		uint64_t bs = block_of(mpfn), be = SIM_MIN(bs + PAGEBLOCK_NR_PAGES, zend);
		if (!pfn_page_peek(pm, bs) ||
		    (cc->prio == COMPACT_PRIO_ASYNC && get_pageblock_migratetype(pm, bs) != MIGRATE_MOVABLE)) {
			mpfn = be;
			continue;
		}
		uint64_t pfn = mpfn;
		for (; pfn < be && n < COMPACT_CLUSTER_MAX; pfn++) {
			struct page *pg = pfn_page_peek(pm, pfn);
			cc->migrate_scanned++;
			if (page_test(pg, PG_buddy)) {
				pfn += (1ULL << pg->order) - 1;
				continue;
			}
			if (page_test(pg, PG_head)) {
				pfn += (1ULL << pg->order) - 1;   /* THP / hugetlb: already contiguous */
				continue;
			}
			/* isolate_migratepages_block: ISOLATE_UNEVICTABLE only if compact_unevictable_allowed */
			if (page_test(pg, PG_unevictable) && !os->cfg.compact_unevictable_allowed)
				continue;
			if (!pg->order && migrate_isolatable(os, pg))
				batch[n++] = pg;
		}
		mpfn = pfn;
		if (!n)
			continue;
		cc->isolated += n;
		if (fl.n < n && !isolate_freepages(os, cc, zstart, &fpfn, block_of(mpfn - 1), &fl, n)) {
			res = CZ_COMPLETE;   /* the zone hit its watermark: give up */
			break;
		}
		/* cc->cost is the time compaction has taken since cc->now */
		struct migrate_req rq = { .reason = MR_COMPACTION, .cpu = cc->cpu, .now = cc->now + cc->cost,
					  .alloc = compaction_alloc, .alloc_ctx = &fl };
		uint64_t moved = 0;
		cc->failed += migrate_folios(os, batch, n, &rq, &cc->cost, &moved);
		cc->migrated += moved;
		moved_since_drain |= moved > 0;
	}
	/* release_free_list, then let freed pages merge */
	for (size_t i = 0; i < fl.n; i++) {
		struct page *pg = pfn_to_page(pm, fl.pfn[i]);
		pg->refcount = 0;
		page_free(pm, fl.pfn[i], 0, cc->cpu);
	}
	free(fl.pfn);
	drain_all_pages(pm);
	if (res == CZ_SUCCESS && !free_block_exists(os, nid, zid, (unsigned)cc->order))
		res = CZ_COMPLETE;
	if (res == CZ_COMPLETE) {
		cz->migrate_pfn = cz->free_pfn = 0;
		if (cc->order > 0 && free_block_exists(os, nid, zid, (unsigned)cc->order))
			res = CZ_SUCCESS;
	} else {
		cz->migrate_pfn = mpfn;
		cz->free_pfn = fpfn;
	}
	uint64_t ms = cc->migrate_scanned - mig0, fs = cc->free_scanned - free0;
	cc->cost += (ms + fs) * os->cfg.compact_scan_cost;
	vmstat_inc(pm, COMPACTMIGRATE_SCANNED, ms);
	vmstat_inc(pm, COMPACTFREE_SCANNED, fs);
	if (cc->kcompactd) {
		vmstat_inc(pm, KCOMPACTD_MIGRATE_SCANNED, ms);
		vmstat_inc(pm, KCOMPACTD_FREE_SCANNED, fs);
	}
	return res;
}

/* ---- direct compaction ------------------------------------------------------------------------ */

enum compact_result compaction_direct_hook(void *ctx, const struct alloc_ctx *ac, enum compact_priority prio,
					    sim_time_t *cost)
{
	struct os *os = ctx;
	struct mig_state *m = os->mig;
	unsigned order = ac->order, nodes[HW_MAX_NODES];
	enum zone_type classzone = gfp_zone(ac->gfp);
	enum compact_result rc = COMPACT_SKIPPED;
	sim_time_t spent = 0;
	int pref = ac->preferred_nid == NUMA_NO_NODE ? (int)os_cpu_node(os, ac->cpu) : ac->preferred_nid;
	unsigned nr = physmem_node_order(os->phys, (unsigned)pref, nodes);

	if (!os->cfg.compaction || !order)
		return COMPACT_SKIPPED;
	if (ac->gfp & __GFP_THISNODE)
		nr = SIM_MIN(nr, 1u);
	for (unsigned i = 0; i < nr; i++) {
		unsigned nid = nodes[i];
		if (ac->nodemask && !node_isset(nid, ac->nodemask))
			continue;
		for (int zid = (int)classzone; zid >= 0; zid--) {
			struct compact_zone *cz = &m->cz[nid][zid];
			struct zone_info zi;
			if (physmem_zone_info(os->phys, nid, (enum zone_type)zid, &zi) || !zi.populated)
				continue;
			if (prio != COMPACT_PRIO_SYNC_FULL && compaction_deferred(cz, order)) {
				rc = SIM_MAX(rc, COMPACT_DEFERRED);
				continue;
			}
			if (!compaction_suitable(os, nid, (enum zone_type)zid, order, classzone))
				continue;
			/* zones are compacted one after another: this one starts after the ones before */
			struct compact_control cc = { .order = (int)order, .prio = prio, .classzone = classzone,
						      .cpu = ac->cpu, .now = ac->now + spent };
			enum compact_zone_result r = compact_zone(os, nid, (enum zone_type)zid, &cc);
			vmstat_inc(os->phys, COMPACTISOLATED, cc.isolated);
			*cost += cc.cost;
			spent += cc.cost;
			if (r == CZ_SUCCESS) {
				compaction_defer_reset(cz, order, true);
				return COMPACT_SUCCESS;
			}
			if (prio != COMPACT_PRIO_ASYNC && r == CZ_COMPLETE)
				defer_compaction(cz, order);
			rc = SIM_MAX(rc, COMPACT_COMPLETE);
		}
	}
	return rc;
}

sim_time_t compact_all(struct os *os, unsigned cpu, sim_time_t now)
{
	sim_time_t t = 0;
	for (unsigned nid = 0; nid < physmem_nr_nodes(os->phys); nid++)
		for (unsigned zid = 0; zid < MAX_NR_ZONES; zid++) {
			struct compact_control cc = { .order = -1, .prio = COMPACT_PRIO_SYNC_FULL,
						      .classzone = ZONE_MOVABLE, .cpu = cpu, .now = now + t };
			compact_zone(os, nid, (enum zone_type)zid, &cc);
			vmstat_inc(os->phys, COMPACTISOLATED, cc.isolated);
			t += cc.cost;
		}
	return t;
}

/* ---- kcompactd and proactive compaction --------------------------------------------------------- */

static sim_time_t ev_now(const struct os *os)
{
	return os->q && os->q->now > os->now ? os->q->now : os->now;
}

unsigned fragmentation_score_node(struct os *os, unsigned nid)
{
	uint64_t node_present = 0, score = 0;
	struct zone_info zi;

	for (unsigned z = 0; z < MAX_NR_ZONES; z++)
		if (!physmem_zone_info(os->phys, nid, (enum zone_type)z, &zi) && zi.populated)
			node_present += zi.present;
	for (unsigned z = 0; z < MAX_NR_ZONES; z++)
		if (!physmem_zone_info(os->phys, nid, (enum zone_type)z, &zi) && zi.populated)
			score += zi.present * extfrag_for_order(zi.nr_free_blocks, COMPACTION_HPAGE_ORDER);
	return (unsigned)(score / (node_present + 1));
}

static bool zone_needs_compaction(struct os *os, unsigned nid, enum zone_type zid, unsigned order,
				  enum zone_type classzone)
{
	/* compaction_suit_allocation_order(..., MIN) == CONTINUE */
	if (zone_watermark_ok(os->phys, nid, zid, order, WMARK_MIN, classzone))
		return false;
	return compaction_suitable(os, nid, zid, order, classzone);
}

void wakeup_kcompactd(struct os *os, unsigned nid, unsigned order, enum zone_type classzone)
{
	struct mig_state *m = os->mig;
	struct kcompactd *k = &m->kcd[nid];
	bool any = false;

	if (!order || !os->cfg.compaction || !os->q || nid >= m->nr_nodes)
		return;
	for (unsigned z = 0; z <= (unsigned)classzone && z < MAX_NR_ZONES; z++)
		any |= zone_needs_compaction(os, nid, (enum zone_type)z, order, classzone);
	if (!any)
		return;
	if (order > k->max_order)
		k->max_order = order;
	if (!ev_pending(&k->ev) || classzone < k->classzone)
		k->classzone = classzone;
	if (!ev_pending(&k->ev))
		kthread_schedule(os, KT_KCOMPACTD, nid, &k->ev, ev_now(os));
}

/* kcompactd_do_work */
static void kcompactd_run(struct ev *ev, void *ctx)
{
	struct kcompactd *k = ctx;
	struct os *os = k->os;
	struct mig_state *m = os->mig;
	unsigned cpu = mig_node_cpu(os, k->nid), order = k->max_order;
	sim_time_t t = 0;

	vmstat_inc(os->phys, KCOMPACTD_WAKE, 1);
	for (unsigned z = 0; z <= (unsigned)k->classzone && z < MAX_NR_ZONES; z++) {
		struct compact_zone *cz = &m->cz[k->nid][z];
		if (compaction_deferred(cz, order) || !zone_needs_compaction(os, k->nid, (enum zone_type)z, order, k->classzone))
			continue;
		struct compact_control cc = { .order = (int)order, .prio = COMPACT_PRIO_SYNC_LIGHT,
					      .classzone = k->classzone, .cpu = cpu, .now = ev->when + t, .kcompactd = true };
		enum compact_zone_result r = compact_zone(os, k->nid, (enum zone_type)z, &cc);
		vmstat_inc(os->phys, COMPACTISOLATED, cc.isolated);
		t += cc.cost;
		if (r == CZ_SUCCESS)
			compaction_defer_reset(cz, order, true);
		else if (r == CZ_COMPLETE)
			defer_compaction(cz, order);
	}
	k->max_order = 0;
	k->classzone = ZONE_MOVABLE;
	mig_charge_kthread(os, cpu, t);
}

/* proactive_compact_node, every HPAGE_FRAG_CHECK_INTERVAL */
static void kcompactd_proactive(struct ev *ev, void *ctx)
{
	struct kcompactd *k = ctx;
	struct os *os = k->os;
	unsigned low = SIM_MAX(100u - os->cfg.compaction_proactiveness, 5u), high = SIM_MIN(low + 10, 100u);
	unsigned cpu = mig_node_cpu(os, k->nid);
	sim_time_t t = 0;

	if (k->proactive_defer) {
		k->proactive_defer--;
	} else {
		unsigned score = fragmentation_score_node(os, k->nid);
		if (score > high) {
			vmstat_inc(os->phys, KCOMPACTD_WAKE, 1);
			for (unsigned z = 0; z < MAX_NR_ZONES; z++) {
				struct compact_control cc = { .order = -1, .prio = COMPACT_PRIO_SYNC_LIGHT,
							      .classzone = ZONE_MOVABLE, .cpu = cpu, .now = ev->when + t,
							      .kcompactd = true };
				compact_zone(os, k->nid, (enum zone_type)z, &cc);
				vmstat_inc(os->phys, COMPACTISOLATED, cc.isolated);
				t += cc.cost;
			}
			if (fragmentation_score_node(os, k->nid) >= score)
				k->proactive_defer = 1u << COMPACT_MAX_DEFER_SHIFT;
		}
	}
	mig_charge_kthread(os, cpu, t);
	kthread_schedule(os, KT_KCOMPACTD_PROACTIVE, k->nid, &k->proactive, ev->when + HPAGE_FRAG_CHECK_INTERVAL);
}

void compaction_init(struct os *os)
{
	struct mig_state *m = os->mig;

	for (unsigned nid = 0; nid < m->nr_nodes; nid++) {
		struct kcompactd *k = &m->kcd[nid];
		k->os = os;
		k->nid = nid;
		k->classzone = ZONE_MOVABLE;
		ev_init(&k->ev, kcompactd_run, k);
		ev_init(&k->proactive, kcompactd_proactive, k);
		if (os->q && os->cfg.compaction && os->cfg.compaction_proactiveness)
			kthread_schedule(os, KT_KCOMPACTD_PROACTIVE, nid, &k->proactive, ev_now(os) + HPAGE_FRAG_CHECK_INTERVAL);
	}
}

void compaction_destroy(struct os *os)
{
	struct mig_state *m = os->mig;
	if (!os->q)
		return;
	for (unsigned nid = 0; nid < m->nr_nodes; nid++) {
		ev_cancel(os->q, &m->kcd[nid].ev);
		ev_cancel(os->q, &m->kcd[nid].proactive);
	}
}
