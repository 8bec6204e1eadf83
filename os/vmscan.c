/*
 * os/vmscan.c - LRU scanning, kswapd and direct reclaim (see vmscan.h).
 *
 * Follows Linux 6.12 mm/vmscan.c without memcg: prepare_scan_control,
 * get_scan_count, shrink_lruvec (with the proportional trim once the target
 * is met), shrink_active_list, shrink_inactive_list / shrink_folio_list,
 * do_try_to_free_pages, balance_pgdat and kswapd_try_to_sleep.
 *
 * A reclaimer takes a reference on every page it isolates (as
 * isolate_lru_folios does), so a page is freed only when the isolation
 * reference is the last one: pages someone else holds (a COW fault copying
 * it, a read-in in progress) are put back instead.  Writeback completion is
 * not tracked per page: a written page is clean as soon as its write is
 * queued on the device (os/swap.h blkdev), and freed in the same pass.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "os/compaction.h"
#include "os/fault.h"
#include "os/memcontrol.h"
#include "os/filemap.h"
#include "os/memory_tiers.h"
#include "os/mlock.h"
#include "os/oom.h"
#include "os/psi.h"
#include "os/rmap.h"
#include "os/swap.h"
#include "os/vmscan.h"
#include "sim/err.h"

static const struct stat_desc reclaim_stat_desc[] = { RECLAIM_STATS(STAT_DESC) };
STAT_TABLE_CHECK(reclaim_stat_desc, NR_RECLAIM_STATS);

#define CLASSZONE_NONE MAX_NR_ZONES   /* kswapd_highest_zoneidx: no request pending */

/* ---- setup ------------------------------------------------------------------------------- */

static void kswapd_run(struct ev *ev, void *ctx);

/* kswapd is bound to its node's CPUs; a CPU-less node's runs on the nearest node with CPUs. */
static unsigned kswapd_cpu(struct os *os, unsigned nid)
{
	physmem_t *pm = os->phys;
	unsigned best = 0, best_d = UINT32_MAX;

	for (unsigned c = 0; c < physmem_nr_cpus(pm); c++) {
		unsigned d = physmem_node_distance(pm, nid, physmem_cpu_node(pm, c));
		if (d < best_d) {
			best_d = d;
			best = c;
		}
	}
	return best;
}

static int build_sample_names(struct os *os);

int reclaim_init(struct os *os)
{
	struct reclaim *r = calloc(1, sizeof(*r));
	int rc = -SIM_ENOMEM;

	if (!r)
		return -SIM_ENOMEM;
	os->rcl = r;
	r->nr_nodes = physmem_nr_nodes(os->phys);
	r->nr_cpus = physmem_nr_cpus(os->phys);
	r->lru = calloc(r->nr_nodes, sizeof(*r->lru));
	r->kswapd = calloc(r->nr_nodes, sizeof(*r->kswapd));
	r->stolen = calloc(r->nr_cpus ? r->nr_cpus : 1, sizeof(*r->stolen));
	r->disk = calloc(1, sizeof(*r->disk));
	if (!r->lru || !r->kswapd || !r->stolen || !r->disk)
		goto fail;
	for (unsigned n = 0; n < r->nr_nodes; n++) {
		struct kswapd *k = &r->kswapd[n];
		lruvec_init(&r->lru[n]);
		ev_init(&k->ev, kswapd_run, k);
		k->os = os;
		k->nid = n;
		k->cpu = kswapd_cpu(os, n);
		k->state = KSWAPD_SLEEPING;
		k->classzone = CLASSZONE_NONE;
	}
	r->disk->latency = os->cfg.disk_latency;
	r->disk->bandwidth = os->cfg.disk_bandwidth;
	if ((rc = swap_create(&r->swap, os->cfg.swap_size, os->cfg.swap_latency, os->cfg.swap_bandwidth)) ||
	    (rc = filemap_create(&r->fm)) || (rc = oom_create(&r->oom)) || (rc = psi_create(&r->psi, r->nr_cpus)) ||
	    (rc = build_sample_names(os)))
		goto fail;
	return 0;
fail:
	reclaim_destroy(os);
	return rc;
}

void reclaim_destroy(struct os *os)
{
	struct reclaim *r = os->rcl;

	if (!r)
		return;
	if (r->kswapd && os->q)
		for (unsigned n = 0; n < r->nr_nodes; n++)
			ev_cancel(os->q, &r->kswapd[n].ev);
	filemap_destroy(r->fm);
	swap_destroy(r->swap);
	oom_destroy(r->oom);
	psi_destroy(r->psi);
	free(r->sample_names);
	free(r->disk);
	free(r->stolen);
	free(r->kswapd);
	free(r->lru);
	free(r);
	os->rcl = NULL;
}

void reclaim_steal(struct os *os, unsigned cpu, sim_time_t ps)
{
	if (os->rcl && cpu < os->rcl->nr_cpus)
		os->rcl->stolen[cpu] += ps;
}

/* The reclaimer's clock: its start, its CPU time and its throttle sleeps so far. */
#define SC_TIME(sc) ((sc)->now + (sc)->cost + (sc)->throttled)

/* ---- small helpers ------------------------------------------------------------------------ */

bool can_reclaim_anon_pages(struct os *os)
{
	struct swap_info *si = os->rcl ? os->rcl->swap : NULL;
	return si && swap_used(si) < swap_total(si);
}

/*
 * can_reclaim_anon_pages(memcg = NULL, nid): swap has room, or the node's
 * anon pages can leave it by demotion (memory tiering).
 */
static bool can_reclaim_anon_node(struct os *os, unsigned nid)
{
	return can_reclaim_anon_pages(os) || can_demote(os, nid);
}

uint64_t zone_reclaimable_pages(struct os *os, unsigned nid, enum zone_type zid)
{
	uint64_t n = 0;

	if (!node_lruvec(os, nid) || zid >= MAX_NR_ZONES)
		return 0;
	bool anon = can_reclaim_anon_node(os, nid);
	for (int id = mem_cgroup_iter(os, 0, -1); id >= 0; id = mem_cgroup_iter(os, 0, id)) {
		const struct lruvec *lv = mem_cgroup_lruvec(os, (unsigned)id, nid);
		n += lv->nr_zone[LRU_INACTIVE_FILE][zid] + lv->nr_zone[LRU_ACTIVE_FILE][zid];
		if (anon)
			n += lv->nr_zone[LRU_INACTIVE_ANON][zid] + lv->nr_zone[LRU_ACTIVE_ANON][zid];
	}
	return n;
}

bool pgdat_balanced(struct os *os, unsigned nid, unsigned order, enum zone_type classzone)
{
	bool eligible = false;

	for (unsigned z = 0; z <= (unsigned)classzone && z < MAX_NR_ZONES; z++) {
		struct zone_info zi;
		if (physmem_zone_info(os->phys, nid, z, &zi) || !zi.populated)
			continue;
		eligible = true;
		/* tiering mode: kswapd balances to the PROMO watermark, leaving room for promotions */
		enum zone_watermarks mark = (os->cfg.numa_balancing & NUMA_BALANCING_MEMORY_TIERING) ? WMARK_PROMO
											: WMARK_HIGH;
		if (zone_watermark_ok(os->phys, nid, z, order, mark, classzone))
			return true;
	}
	return !eligible;
}

/* pgdat_watermark_boosted: some managed zone <= classzone has a watermark boost. */
static bool pgdat_watermark_boosted(struct os *os, unsigned nid, enum zone_type classzone)
{
	for (unsigned z = 0; z <= (unsigned)classzone && z < MAX_NR_ZONES; z++) {
		struct zone_info zi;
		if (!physmem_zone_info(os->phys, nid, z, &zi) && zi.populated && zi.watermark_boost)
			return true;
	}
	return false;
}

/* The highest populated zone of a node (kswapd's classzone when none was requested). */
static enum zone_type highest_zone(struct os *os, unsigned nid)
{
	enum zone_type hz = ZONE_DMA;
	for (unsigned z = 0; z < MAX_NR_ZONES; z++) {
		struct zone_info zi;
		if (!physmem_zone_info(os->phys, nid, z, &zi) && zi.populated)
			hz = z;
	}
	return hz;
}

/* Drop a page reclaim has emptied: the isolation reference was the last one. */
static void reclaim_free_page(struct os *os, struct page *pg, unsigned cpu)
{
	SIM_BUG_ON(pg->refcount != 1 || pg->mapcount != 0);
	node_stat_mod(os->phys, pg->node, page_test(pg, PG_swapbacked) ? NR_ISOLATED_ANON : NR_ISOLATED_FILE,
		      -(int64_t)page_nr(pg));
	pg->flags = 0;
	pg->refcount = 0;
	pg->mapping = NULL;
	pg->index = 0;
	pg->private = 0;
	mem_cgroup_uncharge(os, pg);
	page_free(os->phys, pg->pfn, pg->order, cpu);
}

/* putback of an isolated page: back on its (possibly new) list, isolation reference dropped. */
static void putback(struct os *os, struct page *pg, bool tail)
{
	node_stat_mod(os->phys, pg->node, page_test(pg, PG_swapbacked) ? NR_ISOLATED_ANON : NR_ISOLATED_FILE,
		      -(int64_t)page_nr(pg));
	SIM_BUG_ON(pg->refcount <= 1);
	pg->refcount--;
	lru_add(os, pg);
	if (tail)
		lru_move(os, pg, true);
}

/* Take pg off its LRU list with a reference, onto `out`. */
static void isolate_page(struct os *os, struct page *pg, struct list_head *out)
{
	bool on_lru = lru_isolate(os, pg);

	SIM_BUG_ON(!on_lru);   /* the scan took it from its list */
	pg->refcount++;
	list_add_tail(&pg->lru, out);
}

/*
 * isolate_lru_folios: up to nr_to_scan pages from the tail of list l,
 * skipping (and counting pgskip for) pages in zones above reclaim_idx.
 * Isolated pages get a reference and go to `out` in scan order.
 * @return pages scanned (isolated).
 */
static uint64_t isolate_lru_pages(struct os *os, struct lruvec *lv, enum lru_list l, uint64_t nr_to_scan,
				  struct scan_control *sc, struct list_head *out)
{
	struct list_head skipped;
	uint64_t scanned = 0, skipped_nr = 0;
	struct list_head *src = &lv->lists[l];

	INIT_LIST_HEAD(&skipped);
	while (scanned < nr_to_scan && !list_empty(src) && skipped_nr < 4096) {
		struct page *pg = lru_to_page(src->prev);
		if (pg->zone > (uint8_t)sc->reclaim_idx || (!sc->may_unmap && pg->mapcount > 0)) {
			list_del(&pg->lru);
			list_add(&pg->lru, &skipped);
			if (pg->zone > (uint8_t)sc->reclaim_idx)
				vmstat_inc(os->phys, PGSKIP_DMA + pg->zone, page_nr(pg));
			skipped_nr += page_nr(pg);
			continue;
		}
		isolate_page(os, pg, out);
		scanned += page_nr(pg);
	}
	/* skipped pages go back to the head of the list, as list_splice does */
	while (!list_empty(&skipped)) {
		struct list_head *e = skipped.prev;
		list_del(e);
		list_add(e, src);
	}
	sc->cost += scanned * os->cfg.reclaim_scan_cost;
	return scanned;
}

/* ---- accessed bits (folio_referenced) ------------------------------------------------------------- */

struct ref_ctx {
	struct os *os;
	struct page *pg;
	struct tlb_batch *b;
	struct scan_control *sc;
	unsigned young;
	uint64_t vm_flags;   /* folio_referenced's *vm_flags: VM_EXEC of a young mapping, VM_LOCKED */
};

static int referenced_one(void *ctx, const struct rmap_hit *h)
{
	struct ref_ctx *r = ctx;

	/*
	 * folio_referenced_one: a VM_LOCKED vma that maps the whole folio
	 * "restore[s] the mlock which got missed" (mlock_vma_folio), reports
	 * VM_LOCKED and ends the walk.  Isolated, the page is only marked
	 * PG_mlocked here; putting it back culls it to the unevictable list.
	 */
	if ((h->v->flags & VM_LOCKED) && pgtable_level_size(h->level) >> PAGE_SHIFT >= page_nr(r->pg)) {
		mlock_folio(r->os, r->pg);
		r->vm_flags |= VM_LOCKED;
		return 1;
	}
	if (h->pte & PTE_A) {
		/* ptep_clear_flush_young: clear A and invalidate the cached translation */
		pmem_write64(r->os->pm, h->slot, h->pte & ~PTE_A);
		tlb_batch_add(r->os, r->b, h->p, h->vaddr, pgtable_level_size(h->level), r->sc->cpu, r->sc->now,
			      &r->sc->cost);
		r->young++;
		r->vm_flags |= h->v->flags & VM_EXEC;
	}
	return 0;
}

/*
 * folio_referenced: young PTEs of pg (cleared on the way).  *vm_flags gets
 * VM_EXEC if a young mapping is executable, VM_LOCKED if a locked VMA maps
 * pg (then pg is mlocked again and the walk stopped there).
 */
static unsigned page_referenced(struct os *os, struct page *pg, struct scan_control *sc, struct tlb_batch *b,
				uint64_t *vm_flags)
{
	struct ref_ctx r = { .os = os, .pg = pg, .b = b, .sc = sc };

	if (pg->mapcount > 0)
		rmap_walk(os, pg, referenced_one, &r, NULL);
	*vm_flags = r.vm_flags;
	return r.young;
}

static void flush_batch(struct os *os, struct tlb_batch *b, struct scan_control *sc)
{
	uint64_t before = b->shootdowns;
	sc->cost += tlb_batch_flush(os, b, sc->cpu, sc->now);
	os->rcl->stat[RS_REFERENCED_FLUSHES] += b->shootdowns - before;
}

/* ---- shrink_active_list ------------------------------------------------------------------------------ */

static void shrink_active_list(struct os *os, unsigned nid, uint64_t nr_to_scan, enum lru_list l,
			       struct scan_control *sc)
{
	struct lruvec *lv = sc->lruvec;
	(void)nid;
	struct list_head hold;
	struct tlb_batch b = { 0 };
	uint64_t nr_deactivate = 0;

	INIT_LIST_HEAD(&hold);
	uint64_t scanned = isolate_lru_pages(os, lv, l, nr_to_scan, sc, &hold);
	/* like pgscan and pgsteal, the global event is not counted for memcg limit reclaim (!cgroup_reclaim) */
	if (!sc->target_memcg)
		vmstat_inc(os->phys, PGREFILL, scanned);
	memcg_vm_event(os, lv, MEMCG_PGREFILL, scanned);
	while (!list_empty(&hold)) {
		struct page *pg = lru_to_page(hold.next);
		uint64_t vm_flags;
		list_del(&pg->lru);
		if (page_referenced(os, pg, sc, &b, &vm_flags) && (vm_flags & VM_EXEC) && !page_test(pg, PG_swapbacked)) {
			putback(os, pg, false);   /* referenced executable file pages stay active */
			continue;
		}
		page_clear(pg, PG_active);
		page_clear(pg, PG_referenced);
		page_set(pg, PG_workingset);
		nr_deactivate += page_nr(pg);
		putback(os, pg, false);
	}
	vmstat_inc(os->phys, PGDEACTIVATE, nr_deactivate);
	memcg_vm_event(os, lv, MEMCG_PGDEACTIVATE, nr_deactivate);
	flush_batch(os, &b, sc);
}

/* ---- shrink_inactive_list ------------------------------------------------------------------------------ */

enum page_references { PAGEREF_RECLAIM, PAGEREF_RECLAIM_CLEAN, PAGEREF_KEEP, PAGEREF_ACTIVATE };

/* folio_check_references (§7.2). */
static enum page_references check_references(struct os *os, struct page *pg, struct scan_control *sc,
					     struct tlb_batch *b)
{
	uint64_t vm_flags;
	unsigned ptes = page_referenced(os, pg, sc, b, &vm_flags);
	bool ref = page_test(pg, PG_referenced);
	bool file = !page_test(pg, PG_swapbacked), exec = vm_flags & VM_EXEC;

	/* "The supposedly reclaimable folio was found to be in a VM_LOCKED vma": now mlocked, it goes back */
	if (vm_flags & VM_LOCKED)
		return PAGEREF_ACTIVATE;
	page_clear(pg, PG_referenced);
	if (ptes) {
		page_set(pg, PG_referenced);
		if (ref || ptes > 1)
			return PAGEREF_ACTIVATE;
		if (exec && file)
			return PAGEREF_ACTIVATE;
		return PAGEREF_KEEP;
	}
	if (ref && file)
		return PAGEREF_RECLAIM_CLEAN;
	return PAGEREF_RECLAIM;
}

struct reclaim_stat_batch {
	uint64_t nr_reclaimed, nr_pageout, nr_activate;
};

static void activate(struct os *os, struct page *pg, struct reclaim_stat_batch *st)
{
	/*
	 * activate_locked: a page kept in memory gives its slot back while swap
	 * is more than half full, or when it is mlocked; an mlocked page is not
	 * activated (putback culls it to the unevictable list).
	 */
	if (page_test(pg, PG_swapcache) && (vm_swap_full(os) || page_test(pg, PG_mlocked)))
		swapcache_try_free(os, pg);
	if (page_test(pg, PG_mlocked)) {
		putback(os, pg, false);
		return;
	}
	page_set(pg, PG_active);
	vmstat_inc(os->phys, PGACTIVATE, page_nr(pg));
	st->nr_activate += page_nr(pg);
	workingset_age_nonresident(os, pg, page_nr(pg));
	memcg_vm_event(os, page_lruvec(os, pg), MEMCG_PGACTIVATE, page_nr(pg));
	putback(os, pg, false);
}

/*
 * shrink_folio_list for one isolated page.  @return true if it was freed
 * (otherwise it has been put back).
 */
static bool shrink_page(struct os *os, struct page *pg, struct scan_control *sc, struct tlb_batch *b,
			struct reclaim_stat_batch *st, struct list_head *demote)
{
	struct reclaim *r = os->rcl;

	/* shrink_folio_list: "if (unlikely(!folio_evictable(folio))) goto activate_locked" -- culled on putback */
	if (page_test(pg, PG_unevictable) || !page_evictable(pg)) {
		putback(os, pg, false);
		return false;
	}
	enum page_references ref = check_references(os, pg, sc, b);
	if (ref == PAGEREF_ACTIVATE) {
		activate(os, pg, st);
		return false;
	}
	if (ref == PAGEREF_KEEP) {
		putback(os, pg, false);
		return false;
	}
	if (page_test(pg, PG_writeback)) {
		/*
		 * Under writeback (shrink_folio_list cases 1 and 2): out of the way
		 * to the active list, marked PG_reclaim so the end of the write
		 * rotates it back to the inactive tail.  kswapd meeting such a page
		 * again while the node is flagged PGDAT_WRITEBACK counts it for
		 * immediate reclaim, which throttles it (shrink_node).
		 */
		if (sc->is_kswapd && page_test(pg, PG_reclaim) && r->kswapd[pg->node].pgdat_writeback)
			sc->nr_immediate += page_nr(pg);
		else
			page_set(pg, PG_reclaim);
		sc->nr_writeback += page_nr(pg);
		activate(os, pg, st);
		return false;
	}
	/* memory tiering: before reclaiming the page, try to relocate it to a lower tier */
	if (demote) {
		list_add_tail(&pg->lru, demote);
		return false;
	}
	if (page_test(pg, PG_anon)) {
		if (pg->order) {
			r->stat[RS_HUGE_KEPT] += page_nr(pg);
			activate(os, pg, st);
			return false;
		}
		/* pinned by someone (refcount beyond mappings + swap cache + ours): leave it */
		if (pg->refcount != pg->mapcount + 1 + (page_test(pg, PG_swapcache) ? 1 : 0)) {
			putback(os, pg, false);
			return false;
		}
		if (!sc->may_swap || (!page_test(pg, PG_swapcache) && !can_reclaim_anon_pages(os))) {
			r->stat[RS_NOSWAP_ACTIVATED] += page_nr(pg);
			activate(os, pg, st);
			return false;
		}
		unsigned maps = (unsigned)pg->mapcount;
		sim_time_t c = 0;
		int rc = swap_out_page(os, pg, sc->cpu, SC_TIME(sc), &c);
		if (rc == -SIM_EBUSY) {
			/* try_to_unmap failed on a VM_LOCKED vma: activate_locked, which culls the page */
			sc->cost += c;
			activate(os, pg, st);
			return false;
		}
		if (rc < 0) {
			r->stat[RS_NOSWAP_ACTIVATED] += page_nr(pg);
			activate(os, pg, st);
			return false;
		}
		sc->cost += c + maps * os->cfg.reclaim_unmap_cost;
		if (rc == SWAPOUT_WRITEBACK) {
			/* pageout() queued the write: keep the page until it completes */
			st->nr_pageout++;
			putback(os, pg, false);
			return false;
		}
		/* clean and unmapped: __remove_mapping leaves a shadow in the swap cache slot */
		swapcache_del(os, pg, true);
		reclaim_free_page(os, pg, sc->cpu);
		return true;
	}
	if (page_test(pg, PG_swapbacked)) {
		/* shmem: swapping shared memory out is not modelled */
		r->stat[RS_SHMEM_KEPT] += page_nr(pg);
		activate(os, pg, st);
		return false;
	}
	/* page cache */
	if (pg->refcount != pg->mapcount + 2) {
		putback(os, pg, false);
		return false;
	}
	if (pg->mapcount > 0) {
		unsigned maps = 0;
		bool was_dirty = page_test(pg, PG_dirty);
		sc->cost += try_to_unmap(os, pg, 0, sc->cpu, SC_TIME(sc), &maps);
		sc->cost += maps * os->cfg.reclaim_unmap_cost;
		if (!was_dirty && page_test(pg, PG_dirty)) {
			page_clear(pg, PG_dirty);
			filemap_mark_dirty(os, pg);   /* account the dirty bit the PTE carried */
		}
		if (pg->mapcount > 0) {
			/* still mapped (a VM_LOCKED vma stopped try_to_unmap): activate_locked */
			activate(os, pg, st);
			return false;
		}
	}
	if (page_test(pg, PG_dirty)) {
		if (ref == PAGEREF_RECLAIM_CLEAN) {
			putback(os, pg, false);
			return false;
		}
		if (!sc->is_kswapd || !sc->may_writepage) {
			/* direct reclaim never writes file pages: rotate and kick the flusher */
			page_set(pg, PG_reclaim);
			r->stat[RS_FILE_WRITEBACK_KEPT] += page_nr(pg);
			putback(os, pg, false);
			filemap_wakeup_flusher(os, SC_TIME(sc));
			return false;
		}
		filemap_writepage(os, pg, SC_TIME(sc));
		node_stat_mod(os->phys, pg->node, NR_VMSCAN_WRITE, 1);
		st->nr_pageout++;
	}
	filemap_evict(os, pg);
	page_clear(pg, PG_dirty);
	reclaim_free_page(os, pg, sc->cpu);
	return true;
}

/*
 * The migration half of demotion: the isolated pages of `demote` move to a
 * lower tier as they are (demote_folio_list takes isolated folios), and
 * those that could not move go on, still isolated, to `retry`.
 * @return base pages demoted.
 */
static uint64_t demote_list(struct os *os, unsigned nid, struct list_head *demote, struct list_head *retry,
			    struct scan_control *sc)
{
	unsigned n = 0, i = 0;
	for (struct list_head *e = demote->next; e != demote; e = e->next)
		n++;
	struct page **pages = malloc(n * sizeof(*pages));
	bool *failed = malloc(n * sizeof(*failed));
	if (!pages || !failed) {
		/* the pages go on to reclaim where the driver has no handler (unit tests) */
		os_fail_enomem(os, "the demotion list of a reclaim pass");
		free(pages);
		free(failed);
		while (!list_empty(demote)) {
			struct list_head *e = demote->next;
			list_del(e);
			list_add_tail(e, retry);
		}
		return 0;
	}
	while (!list_empty(demote)) {
		struct page *pg = lru_to_page(demote->next);
		list_del(&pg->lru);
		pages[i++] = pg;
	}
	uint64_t moved = demote_folio_list(os, nid, pages, n, sc->cpu, SC_TIME(sc), failed, &sc->cost);
	for (i = 0; i < n; i++)
		if (failed[i])
			list_add_tail(&pages[i]->lru, retry);
	free(pages);
	free(failed);
	return moved;
}

static uint64_t shrink_inactive_list(struct os *os, unsigned nid, uint64_t nr_to_scan, enum lru_list l,
				     struct scan_control *sc)
{
	struct lruvec *lv = sc->lruvec;
	(void)nid;
	struct list_head hold;
	struct tlb_batch b = { 0 };
	struct reclaim_stat_batch st = { 0 };
	bool file = is_file_lru(l);

	INIT_LIST_HEAD(&hold);
	uint64_t scanned = isolate_lru_pages(os, lv, l, nr_to_scan, sc, &hold);
	if (!scanned)
		return 0;
	sc->nr_scanned += scanned;
	sc->nr_taken += scanned;
	/* memcg limit reclaim counts pgscan_direct in the memcg only (!cgroup_reclaim in shrink_inactive_list) */
	if (!sc->target_memcg)
		vmstat_inc(os->phys, sc->is_kswapd ? PGSCAN_KSWAPD : PGSCAN_DIRECT, scanned);
	vmstat_inc(os->phys, file ? PGSCAN_FILE : PGSCAN_ANON, scanned);
	memcg_vm_event(os, lv, sc->is_kswapd ? MEMCG_PGSCAN_KSWAPD : MEMCG_PGSCAN_DIRECT, scanned);
	struct list_head demote;
	INIT_LIST_HEAD(&demote);
	bool do_demote_pass = can_demote(os, nid);
retry:
	while (!list_empty(&hold)) {
		struct page *pg = lru_to_page(hold.next);
		uint64_t nr = page_nr(pg);
		list_del(&pg->lru);
		if (shrink_page(os, pg, sc, &b, &st, do_demote_pass ? &demote : NULL)) {
			st.nr_reclaimed += nr;
			sc->cost += os->cfg.reclaim_page_cost;
		}
	}
	if (!list_empty(&demote)) {
		/* demoted pages count as reclaimed; the rest go round again, to swap or drop (shrink_folio_list) */
		uint64_t nr_demoted = demote_list(os, nid, &demote, &hold, sc);
		st.nr_reclaimed += nr_demoted;
		node_stat_mod(os->phys, nid, sc->is_kswapd ? PGDEMOTE_KSWAPD : PGDEMOTE_DIRECT, (int64_t)nr_demoted);
		do_demote_pass = false;
		goto retry;
	}
	flush_batch(os, &b, sc);
	sc->nr_reclaimed += st.nr_reclaimed;
	if (!sc->target_memcg)
		vmstat_inc(os->phys, sc->is_kswapd ? PGSTEAL_KSWAPD : PGSTEAL_DIRECT, st.nr_reclaimed);
	vmstat_inc(os->phys, file ? PGSTEAL_FILE : PGSTEAL_ANON, st.nr_reclaimed);
	memcg_vm_event(os, lv, sc->is_kswapd ? MEMCG_PGSTEAL_KSWAPD : MEMCG_PGSTEAL_DIRECT, st.nr_reclaimed);
	memcg_note_cost(os, lv, nid, file, st.nr_pageout, scanned - st.nr_reclaimed);
	return st.nr_reclaimed;
}

static uint64_t shrink_list(struct os *os, unsigned nid, enum lru_list l, uint64_t nr, struct scan_control *sc)
{
	if (is_active_lru(l)) {
		if (sc->may_deactivate & (is_file_lru(l) ? DEACTIVATE_FILE : DEACTIVATE_ANON))
			shrink_active_list(os, nid, nr, l, sc);
		return 0;
	}
	return shrink_inactive_list(os, nid, nr, l, sc);
}

/* ---- get_scan_count ------------------------------------------------------------------------------------- */

enum scan_balance get_scan_count_calc(const struct scan_count_in *in, uint64_t nr[NR_EVICTABLE_LRU])
{
	enum scan_balance balance;
	uint64_t ap = 0, fp = 0;

	if (!in->can_swap)
		balance = SCAN_FILE;
	else if (!in->priority && in->swappiness)
		balance = SCAN_EQUAL;
	else if (in->file_is_tiny)
		balance = SCAN_ANON;
	else if (in->cache_trim_mode)
		balance = SCAN_FILE;
	else {
		balance = SCAN_FRACT;
		uint64_t total = in->anon_cost + in->file_cost;
		uint64_t anon_cost = total + in->anon_cost, file_cost = total + in->file_cost;
		total = anon_cost + file_cost;
		ap = in->swappiness * (total + 1) / (anon_cost + 1);
		fp = (MAX_SWAPPINESS - in->swappiness) * (total + 1) / (file_cost + 1);
	}
	for (unsigned l = 0; l < NR_EVICTABLE_LRU; l++) {
		bool file = is_file_lru(l);
		uint64_t scan = in->lru_size[l] >> in->priority;
		switch (balance) {
		case SCAN_EQUAL:
			break;
		case SCAN_FRACT:
			scan = ap + fp ? (uint64_t)((unsigned __int128)scan * (file ? fp : ap) / (ap + fp)) : 0;
			break;
		case SCAN_FILE:
		case SCAN_ANON:
			if ((balance == SCAN_FILE) != file)
				scan = 0;
			break;
		}
		nr[l] = scan;
	}
	return balance;
}

/* prepare_scan_control's per-node part. */
static void prepare_scan_control(struct os *os, unsigned nid, struct scan_control *sc)
{
	struct lruvec *lv = mem_cgroup_lruvec(os, sc->target_memcg, nid);
	uint64_t lru[NR_LRU_LISTS];
	uint64_t act_anon = node_stat(os->phys, nid, WORKINGSET_ACTIVATE_ANON);
	uint64_t act_file = node_stat(os->phys, nid, WORKINGSET_ACTIVATE_FILE);

	/* the target's lruvec, hierarchical: the node's lists for global reclaim, the subtree's for a memcg */
	for (unsigned l = 0; l < NR_LRU_LISTS; l++)
		lru[l] = mem_cgroup_tree_lru(os, sc->target_memcg, nid, l);
	sc->may_deactivate = 0;
	/* refaults are counted per node, not per memcg: the node lruvec keeps the snapshot */
	const struct lruvec *nl = node_lruvec(os, nid);
	if (act_anon != nl->refaults[0] || inactive_is_low_pages(lru[LRU_INACTIVE_ANON], lru[LRU_ACTIVE_ANON]))
		sc->may_deactivate |= DEACTIVATE_ANON;
	if (act_file != nl->refaults[1] || inactive_is_low_pages(lru[LRU_INACTIVE_FILE], lru[LRU_ACTIVE_FILE]))
		sc->may_deactivate |= DEACTIVATE_FILE;
	sc->anon_cost = lv->anon_cost;
	sc->file_cost = lv->file_cost;
	sc->cache_trim_mode = (lru[LRU_INACTIVE_FILE] >> sc->priority) && !(sc->may_deactivate & DEACTIVATE_FILE);
	uint64_t free = 0, high = 0;
	for (unsigned z = 0; z <= (unsigned)sc->reclaim_idx && z < MAX_NR_ZONES; z++) {
		struct zone_info zi;
		if (physmem_zone_info(os->phys, nid, z, &zi) || !zi.populated)
			continue;
		free += zi.nr_free;
		high += zi.watermark[WMARK_HIGH] + zi.watermark_boost;
	}
	uint64_t file = lru[LRU_ACTIVE_FILE] + lru[LRU_INACTIVE_FILE];
	/* prepare_scan_control checks file_is_tiny for global reclaim only */
	sc->file_is_tiny = !sc->target_memcg && file + free <= high && !(sc->may_deactivate & DEACTIVATE_ANON) &&
			   (lru[LRU_INACTIVE_ANON] >> sc->priority);
}

static void snapshot_refaults(struct os *os, unsigned nid)
{
	struct lruvec *lv = node_lruvec(os, nid);
	lv->refaults[0] = node_stat(os->phys, nid, WORKINGSET_ACTIVATE_ANON);
	lv->refaults[1] = node_stat(os->phys, nid, WORKINGSET_ACTIVATE_FILE);
}

/* ---- shrink_lruvec / shrink_node ---------------------------------------------------------------------- */

static void shrink_lruvec(struct os *os, unsigned nid, struct scan_control *sc)
{
	struct lruvec *lv = sc->lruvec;
	struct scan_count_in in = {
		.swappiness = os->cfg.swappiness,
		.priority = sc->priority,
		.can_swap = sc->may_swap && can_reclaim_anon_node(os, nid),
		.file_is_tiny = sc->file_is_tiny,
		.cache_trim_mode = sc->cache_trim_mode,
		.anon_cost = sc->anon_cost,
		.file_cost = sc->file_cost,
	};
	uint64_t nr[NR_EVICTABLE_LRU], targets[NR_EVICTABLE_LRU], nr_reclaimed = 0;
	bool proportional = !sc->target_memcg && !sc->is_kswapd && sc->priority == DEF_PRIORITY, adjusted = false;

	/* apply_proportional_protection: a partly protected memcg is scanned in proportion to its excess */
	for (unsigned l = 0; l < NR_EVICTABLE_LRU; l++)
		in.lru_size[l] = memcg_protected_lru_size(lruvec_lru_size(lv, l, sc->reclaim_idx), sc->protection,
							  sc->cgroup_size);
	get_scan_count_calc(&in, nr);
	memcpy(targets, nr, sizeof(nr));
	uint64_t before = sc->nr_reclaimed;
	while (nr[LRU_INACTIVE_ANON] || nr[LRU_ACTIVE_FILE] || nr[LRU_INACTIVE_FILE]) {
		for (unsigned l = 0; l < NR_EVICTABLE_LRU; l++) {
			if (!nr[l])
				continue;
			uint64_t n = SIM_MIN(nr[l], (uint64_t)SWAP_CLUSTER_MAX);
			nr[l] -= n;
			shrink_list(os, nid, l, n, sc);
		}
		nr_reclaimed = sc->nr_reclaimed - before;
		if (nr_reclaimed < sc->nr_to_reclaim || proportional || adjusted)
			continue;
		/* target met: scale the other type's remaining scan to keep the anon:file proportion */
		uint64_t nr_file = nr[LRU_INACTIVE_FILE] + nr[LRU_ACTIVE_FILE];
		uint64_t nr_anon = nr[LRU_INACTIVE_ANON] + nr[LRU_ACTIVE_ANON];
		if (!nr_file || !nr_anon)
			break;
		unsigned stop, other;
		uint64_t pct;
		if (nr_file > nr_anon) {
			pct = nr_anon * 100 / (targets[LRU_INACTIVE_ANON] + targets[LRU_ACTIVE_ANON] + 1);
			stop = LRU_INACTIVE_ANON;
			other = LRU_INACTIVE_FILE;
		} else {
			pct = nr_file * 100 / (targets[LRU_INACTIVE_FILE] + targets[LRU_ACTIVE_FILE] + 1);
			stop = LRU_INACTIVE_FILE;
			other = LRU_INACTIVE_ANON;
		}
		nr[stop] = nr[stop + 1] = 0;
		for (unsigned l = other; l <= other + 1; l++) {
			uint64_t done = targets[l] - nr[l];
			nr[l] = targets[l] * (100 - pct) / 100;
			nr[l] -= SIM_MIN(nr[l], done);
		}
		adjusted = true;
	}
	/* keep aging anon even when only file was scanned */
	if (can_reclaim_anon_node(os, nid) && inactive_is_low(lv, LRU_INACTIVE_ANON))
		shrink_active_list(os, nid, SWAP_CLUSTER_MAX, LRU_ACTIVE_ANON, sc);
}

sim_time_t reclaim_throttle(struct os *os, enum vmscan_throttle_state reason, sim_time_t at)
{
	sim_time_t until = at + (reason == VMSCAN_THROTTLE_WRITEBACK ? RECLAIM_THROTTLE_WRITEBACK_PS
								     : RECLAIM_THROTTLE_CONGESTED_PS);
	sim_time_t wake = swap_writeback_wait(os, at, SWAP_CLUSTER_MAX + 1);
	if (wake && wake < until)
		until = SIM_MAX(wake, at);
	if (reason == VMSCAN_THROTTLE_WRITEBACK)
		os->rcl->stat[RS_THROTTLE_WRITEBACK]++;
	os->rcl->stat[RS_THROTTLE_PS] += until - at;
	return until - at;
}

/*
 * shrink_node_memcgs: every memcg of the target's subtree (the whole tree
 * for global reclaim), each lruvec scanned by its own size >> priority, so
 * memcgs give pages in proportion to their size; a memcg within its
 * memory.min is skipped, one within memory.low too unless this is the
 * second pass (memcg_low_reclaim).  Without memcgs: the node's lists.
 */
static void shrink_node_memcgs(struct os *os, unsigned nid, struct scan_control *sc)
{
	if (!os->memcg) {
		sc->lruvec = node_lruvec(os, nid);
		shrink_lruvec(os, nid, sc);
		return;
	}
	unsigned target = sc->target_memcg;
	for (int id = mem_cgroup_iter(os, target, -1); id >= 0; id = mem_cgroup_iter(os, target, id)) {
		mem_cgroup_calculate_protection(os, target, (unsigned)id);
		if (mem_cgroup_below_min(os, target, (unsigned)id))
			continue;
		if (mem_cgroup_below_low(os, target, (unsigned)id)) {
			if (!sc->memcg_low_reclaim) {
				sc->memcg_low_skipped = true;
				continue;
			}
			memcg_memory_event(os, (unsigned)id, MEMCG_LOW);
		}
		sc->lruvec = mem_cgroup_lruvec(os, (unsigned)id, nid);
		sc->protection = mem_cgroup_protection(os, target, (unsigned)id, sc->memcg_low_reclaim);
		sc->cgroup_size = mem_cgroup_usage(os, (unsigned)id);
		shrink_lruvec(os, nid, sc);
	}
	sc->protection = 0;
}

void shrink_node(struct os *os, unsigned nid, struct scan_control *sc)
{
	uint64_t before = sc->nr_reclaimed;
	struct kswapd *k = &os->rcl->kswapd[nid];

	if (!node_lruvec(os, nid))
		return;
	/* writes that finished by now have rotated their pages to the inactive tail */
	swap_writeback_end(os, SC_TIME(sc));
	sc->nr_taken = sc->nr_writeback = sc->nr_immediate = 0;
	prepare_scan_control(os, nid, sc);
	shrink_node_memcgs(os, nid, sc);
	sc->cost += os->cfg.reclaim_pass_cost;
	if (sc->is_kswapd) {
		/* every page taken was under writeback: the node's writes are backing up */
		if (sc->nr_writeback && sc->nr_writeback == sc->nr_taken)
			k->pgdat_writeback = true;
		/* pages cycle through the LRU faster than they are written: wait for some */
		if (sc->nr_immediate)
			sc->throttled += reclaim_throttle(os, VMSCAN_THROTTLE_WRITEBACK, SC_TIME(sc));
	}
	if (sc->nr_reclaimed > before)
		k->failures = 0;
}

/* ---- direct reclaim ------------------------------------------------------------------------------------- */

static void kswapd_start_run(struct kswapd *k, sim_time_t when);

/*
 * allow_direct_reclaim (mm/vmscan.c; pfmemalloc_watermark_ok before 5.x):
 * true when kswapd gave up on the node, or when the free pages of its
 * zones <= ZONE_NORMAL that have reclaimable pages exceed half the sum of
 * their MIN watermarks (min_wmark_pages, boost included).  A node below
 * that wakes a sleeping kswapd for zones up to ZONE_NORMAL.
 */
static bool allow_direct_reclaim(struct os *os, unsigned nid, sim_time_t now)
{
	struct kswapd *k = &os->rcl->kswapd[nid];
	uint64_t reserve = 0, free = 0;

	if (k->failures >= MAX_RECLAIM_RETRIES)
		return true;
	for (unsigned z = 0; z <= ZONE_NORMAL; z++) {
		struct zone_info zi;
		if (physmem_zone_info(os->phys, nid, z, &zi) || !zi.populated || !zone_reclaimable_pages(os, nid, z))
			continue;
		reserve += zi.watermark[WMARK_MIN] + zi.watermark_boost;
		free += zi.nr_free;
	}
	if (!reserve)
		return true;   /* no reserves: do not throttle */
	bool ok = free > reserve / 2;
	if (!ok && k->state != KSWAPD_RUNNING && os->q) {
		if (k->classzone == CLASSZONE_NONE || k->classzone > ZONE_NORMAL)
			k->classzone = ZONE_NORMAL;
		if (k->state == KSWAPD_NAPPING) {
			ev_cancel(os->q, &k->ev);
			vmstat_inc(os->phys, KSWAPD_LOW_WMARK_HIT_QUICKLY, 1);
		}
		kswapd_start_run(k, now);
	}
	return ok;
}

/*
 * throttle_direct_reclaim: the first node of the zonelist with a zone <=
 * ZONE_NORMAL decides.  The waiter sleeps until a kswapd pass ends with
 * allow_direct_reclaim true (balance_pgdat wakes pfmemalloc_wait then):
 * kswapd's pending passes are run here, ahead of the event queue, so the
 * sleep lasts exactly as long as the reclaim that ends it.  Without
 * __GFP_FS the sleep ends after HZ at the latest.  Kernel threads (no
 * current task) are never throttled.  @return the time slept.
 */
static sim_time_t throttle_direct_reclaim(struct os *os, gfp_t gfp, unsigned pref, const nodemask_t *mask,
					  sim_time_t now)
{
	unsigned order_nodes[HW_MAX_NODES], nn, nid = HW_MAX_NODES;
	enum zone_type hz = gfp_zone(gfp);

	if (!os->current || !os->q)
		return 0;
	nn = physmem_node_order(os->phys, pref, order_nodes);
	for (unsigned i = 0; i < nn && nid == HW_MAX_NODES; i++) {
		if (mask && !node_isset(order_nodes[i], mask))
			continue;
		for (unsigned z = 0; z <= ZONE_NORMAL && z <= (unsigned)hz; z++) {
			struct zone_info zi;
			if (!physmem_zone_info(os->phys, order_nodes[i], z, &zi) && zi.populated) {
				nid = order_nodes[i];
				break;
			}
		}
	}
	if (nid == HW_MAX_NODES || allow_direct_reclaim(os, nid, now))
		return 0;
	vmstat_inc(os->phys, PGSCAN_DIRECT_THROTTLE, 1);
	struct kswapd *k = &os->rcl->kswapd[nid];
	sim_time_t t = now, limit = (gfp & __GFP_FS) ? SIM_TIME_MAX : now + RECLAIM_HZ_PS;
	while (ev_pending(&k->ev)) {
		sim_time_t at = SIM_MAX(k->ev.when, t);
		if (at > limit) {
			t = limit;
			break;
		}
		ev_cancel(os->q, &k->ev);
		k->ev.when = at;
		k->pass_end = at;
		kswapd_run(&k->ev, k);
		t = SIM_MAX(t, k->pass_end);
		if (allow_direct_reclaim(os, nid, t))
			break;
	}
	os->rcl->stat[RS_THROTTLE_DIRECT_PS] += t - now;
	return t - now;
}

uint64_t do_try_to_free_pages(struct os *os, unsigned nid, const nodemask_t *mask, struct scan_control *sc)
{
	bool cgroup_reclaim = sc->target_memcg != 0;
	unsigned order_nodes[HW_MAX_NODES];
	unsigned nn = physmem_node_order(os->phys, nid, order_nodes);

	if (!cgroup_reclaim) {
		vmstat_inc(os->phys, ALLOCSTALL_DMA + sc->reclaim_idx, 1);
		os->rcl->stat[RS_DIRECT_STALLS]++;
	}
	for (sc->priority = DEF_PRIORITY; sc->priority >= 0; sc->priority--) {
		/* shrink_zones: each node of the zonelist once, within the nodemask */
		for (unsigned i = 0; i < nn; i++) {
			unsigned n = order_nodes[i];
			if (mask && !node_isset(n, mask))
				continue;
			/*
			 * No "let kswapd poll it" skip of nodes kswapd gave up on:
			 * Linux 4.12 removed it with pgdat_reclaimable(), and a
			 * node whose pages are all under writeback must still be
			 * scanned once the writes complete.
			 */
			shrink_node(os, n, sc);
		}
		/*
		 * consider_reclaim_throttle, once per shrink_zones: global
		 * reclaim with no progress at priority 1 sleeps one jiffy
		 * (VMSCAN_THROTTLE_NOPROGRESS) so that writeback can complete
		 * before the last full-list pass; cgroup reclaim does not.
		 */
		if (!cgroup_reclaim && sc->priority == 1 && !sc->nr_reclaimed) {
			os->rcl->stat[RS_THROTTLE_NOPROGRESS]++;
			os->rcl->stat[RS_THROTTLE_PS] += JIFFY_PS;
			sc->throttled += JIFFY_PS;
		}
		if (sc->nr_reclaimed >= sc->nr_to_reclaim)
			break;
		/* nothing reclaimed because of memory.low: again from the top, into protected memcgs */
		if (sc->priority == 0 && !sc->nr_reclaimed && sc->memcg_low_skipped && !sc->memcg_low_reclaim) {
			sc->memcg_low_reclaim = true;
			sc->memcg_low_skipped = false;
			sc->priority = DEF_PRIORITY + 1;
		}
	}
	/*
	 * snapshot_refaults: numasim keeps refault snapshots per node only
	 * (prepare_scan_control), so only global reclaim takes them; Linux's
	 * cgroup reclaim snapshots the target memcg's lruvecs, which nothing
	 * here reads.
	 */
	if (!cgroup_reclaim)
		for (unsigned i = 0; i < nn; i++)
			if (!mask || node_isset(order_nodes[i], mask))
				snapshot_refaults(os, order_nodes[i]);
	return sc->nr_reclaimed;
}

uint64_t try_to_free_pages(struct os *os, int nid, const nodemask_t *mask, unsigned order, gfp_t gfp,
			   unsigned cpu, sim_time_t now, sim_time_t *cost)
{
	struct scan_control sc = {
		.nr_to_reclaim = SWAP_CLUSTER_MAX,
		.reclaim_idx = gfp_zone(gfp),
		.order = order,
		.may_writepage = true,
		.may_unmap = true,
		.may_swap = true,
		.cpu = cpu,
		.now = now,
	};

	if (!os->rcl)
		return 0;
	if (nid < 0)
		nid = (int)os_cpu_node(os, cpu);
	sc.throttled += throttle_direct_reclaim(os, gfp, (unsigned)nid, mask, now);
	do_try_to_free_pages(os, (unsigned)nid, mask, &sc);
	/* the allocating task spends the sleeps too: they are its stall, not CPU work */
	*cost += sc.cost + sc.throttled;
	os->rcl->stat[RS_DIRECT_PS] += sc.cost + sc.throttled;
	psi_memstall_add(os, cpu, now, sc.cost + sc.throttled);
	return sc.nr_reclaimed;
}

/* ---- kswapd -------------------------------------------------------------------------------------------- */

static sim_time_t q_now(struct os *os, sim_time_t now)
{
	return os->q && os->q->now > now ? os->q->now : now;
}

static void kswapd_start_run(struct kswapd *k, sim_time_t when)
{
	struct os *os = k->os;

	k->state = KSWAPD_RUNNING;
	k->priority = -1;   /* the first pass sets the run up */
	os->rcl->stat[RS_KSWAPD_WAKEUPS]++;
	if (os->q)
		kthread_schedule(os, KT_KSWAPD, k->nid, &k->ev, q_now(os, when));
}

void wakeup_kswapd(struct os *os, unsigned nid, unsigned order, enum zone_type classzone, sim_time_t now)
{
	if (!os->rcl || nid >= os->rcl->nr_nodes || !os->q)
		return;
	struct kswapd *k = &os->rcl->kswapd[nid];
	if (k->classzone == CLASSZONE_NONE || k->classzone < classzone)
		k->classzone = classzone;
	if (k->order < order)
		k->order = order;
	if (k->state == KSWAPD_RUNNING)
		return;
	if (k->failures >= MAX_RECLAIM_RETRIES ||
	    (pgdat_balanced(os, nid, order, classzone) && !pgdat_watermark_boosted(os, nid, classzone)))
		return;
	if (k->state == KSWAPD_NAPPING) {
		ev_cancel(os->q, &k->ev);
		vmstat_inc(os->phys, KSWAPD_LOW_WMARK_HIT_QUICKLY, 1);
	}
	kswapd_start_run(k, now);
}

/* The end of a balance_pgdat run: try to sleep (kswapd_try_to_sleep, first half). */
static void kswapd_end_run(struct kswapd *k, sim_time_t t)
{
	struct os *os = k->os;

	if (!k->run_reclaimed)
		k->failures++;
	/* balance_pgdat's end: each zone's boost recorded at the start is spent, reclaimed for or not */
	for (unsigned z = 0; z < MAX_NR_ZONES; z++)
		if (k->zone_boosts[z])
			zone_reduce_boost(os->phys, k->nid, z, k->zone_boosts[z]);
	k->nr_boost_reclaim = 0;
	memset(k->zone_boosts, 0, sizeof(k->zone_boosts));
	/* balance_pgdat: after boosted reclaim there is likely space: defragment pageblocks */
	if (k->run_boosted)
		wakeup_kcompactd(os, k->nid, PAGEBLOCK_ORDER, k->run_classzone);
	if (k->failures >= MAX_RECLAIM_RETRIES || pgdat_balanced(os, k->nid, k->run_order, k->run_classzone)) {
		/* kswapd_try_to_sleep: memory is freed, compaction makes the requested order */
		wakeup_kcompactd(os, k->nid, k->alloc_order, k->run_classzone);
		k->state = KSWAPD_NAPPING;
		kthread_schedule(os, KT_KSWAPD, k->nid, &k->ev, t + KSWAPD_NAP_PS);
		return;
	}
	vmstat_inc(os->phys, KSWAPD_HIGH_WMARK_HIT_QUICKLY, 1);
	kswapd_start_run(k, t);
	os->rcl->stat[RS_KSWAPD_WAKEUPS]--;   /* the same wakeup continues */
}

static void kswapd_run(struct ev *ev, void *ctx)
{
	struct kswapd *k = ctx;
	struct os *os = k->os;
	sim_time_t now = ev->when;

	if (k->state == KSWAPD_NAPPING) {
		/* the nap ended without a wakeup */
		unsigned order = k->order;
		enum zone_type cz = k->classzone == CLASSZONE_NONE ? k->run_classzone : k->classzone;
		if (k->failures >= MAX_RECLAIM_RETRIES || pgdat_balanced(os, k->nid, order, cz)) {
			k->state = KSWAPD_SLEEPING;
			k->order = 0;
			k->classzone = CLASSZONE_NONE;
			return;
		}
		vmstat_inc(os->phys, KSWAPD_HIGH_WMARK_HIT_QUICKLY, 1);
		k->state = KSWAPD_RUNNING;
		k->priority = -1;
	}
	if (k->priority < 0) {
		/* balance_pgdat starts: take the requested order and classzone */
		k->run_order = k->alloc_order = k->order;
		k->run_classzone = k->classzone == CLASSZONE_NONE ? highest_zone(os, k->nid) : k->classzone;
		/* balance_pgdat: record each zone's boost; the run first reclaims their sum */
		k->nr_boost_reclaim = 0;
		for (unsigned z = 0; z < MAX_NR_ZONES; z++) {
			struct zone_info zi;
			k->zone_boosts[z] = 0;
			if (z <= (unsigned)k->run_classzone && !physmem_zone_info(os->phys, k->nid, z, &zi) &&
			    zi.populated)
				k->zone_boosts[z] = zi.watermark_boost;
			k->nr_boost_reclaim += k->zone_boosts[z];
		}
		k->run_boosted = k->nr_boost_reclaim > 0;
		k->order = 0;
		k->classzone = CLASSZONE_NONE;
		k->priority = DEF_PRIORITY;
		k->run_reclaimed = 0;
		vmstat_inc(os->phys, PAGEOUTRUN, 1);
	}
	bool balanced = pgdat_balanced(os, k->nid, k->run_order, k->run_classzone);
	/* an imbalanced node forgets the boost (its zones keep it) and restarts as normal reclaim */
	if (!balanced && k->nr_boost_reclaim) {
		k->nr_boost_reclaim = 0;
		k->priority = DEF_PRIORITY;
	}
	if (balanced && !k->nr_boost_reclaim) {
		k->pgdat_writeback = false;   /* clear_pgdat_congested */
		snapshot_refaults(os, k->nid);
		kswapd_end_run(k, now);
		return;
	}
	/*
	 * Boosted reclaim neither writes back nor swaps (balance_pgdat: it is
	 * meant to relieve fragmentation, not to issue I/O from reclaim);
	 * below priority 10 writepage is allowed again.
	 */
	struct scan_control sc = {
		.reclaim_idx = k->run_classzone,
		.order = k->run_order,
		.priority = k->priority,
		.may_writepage = !k->nr_boost_reclaim || k->priority < DEF_PRIORITY - 2,
		.may_unmap = true,
		.may_swap = !k->nr_boost_reclaim,
		.is_kswapd = true,
		.cpu = k->cpu,
		.now = now,
	};
	for (unsigned z = 0; z <= (unsigned)k->run_classzone; z++) {
		struct zone_info zi;
		if (physmem_zone_info(os->phys, k->nid, z, &zi) || !zi.populated)
			continue;
		sc.nr_to_reclaim += SIM_MAX(zi.watermark[WMARK_HIGH] + zi.watermark_boost, (uint64_t)SWAP_CLUSTER_MAX);
	}
	/* kswapd_age_node: the node's (hierarchical) anon lists decide, every memcg's are aged */
	if (can_reclaim_anon_node(os, k->nid) &&
	    inactive_is_low_pages(mem_cgroup_tree_lru(os, 0, k->nid, LRU_INACTIVE_ANON),
				  mem_cgroup_tree_lru(os, 0, k->nid, LRU_ACTIVE_ANON)))
		for (int id = mem_cgroup_iter(os, 0, -1); id >= 0; id = mem_cgroup_iter(os, 0, id)) {
			sc.lruvec = mem_cgroup_lruvec(os, (unsigned)id, k->nid);
			shrink_active_list(os, k->nid, SWAP_CLUSTER_MAX, LRU_ACTIVE_ANON, &sc);
		}
	shrink_node(os, k->nid, &sc);
	bool raise_priority = sc.nr_scanned < sc.nr_to_reclaim;
	/* boosted reclaim never goes below priority 10, to avoid writeback */
	if (k->nr_boost_reclaim && k->priority == DEF_PRIORITY - 2)
		raise_priority = false;
	/* kswapd_shrink_node: compact_gap reclaimed in this run (balance_pgdat's sc counts the whole run) */
	if (k->run_order && k->run_reclaimed + sc.nr_reclaimed >= (2ULL << k->run_order))
		k->run_order = 0;
	if (raise_priority || !sc.nr_reclaimed)
		k->priority--;
	k->run_reclaimed += sc.nr_reclaimed;
	/* boosted reclaim that made no progress stops the run: it cannot queue I/O */
	bool boost_stuck = k->nr_boost_reclaim && !sc.nr_reclaimed;
	k->nr_boost_reclaim -= SIM_MIN(k->nr_boost_reclaim, sc.nr_reclaimed);
	sim_time_t c = sc.cost;
	reclaim_steal(os, k->cpu, c);
	psi_kthread_add(os, k->cpu, now, c);
	os->rcl->stat[RS_KSWAPD_PS] += c;
	os->rcl->stat[RS_KSWAPD_PASSES]++;
	k->pass_end = now + c + sc.throttled;
	/* a throttled kswapd sleeps: the time passes, but not on its CPU */
	if (k->priority < 1 || boost_stuck) {
		snapshot_refaults(os, k->nid);
		kswapd_end_run(k, now + c + sc.throttled);
		return;
	}
	kthread_schedule(os, KT_KSWAPD, k->nid, &k->ev, now + c + sc.throttled);
}

/* ---- node_reclaim (zone_reclaim_mode) ---------------------------------------------------------------- */

#define RECLAIM_WRITE 2u
#define RECLAIM_UNMAP 4u
#define NODE_RECLAIM_PRIORITY 4

static uint64_t node_reclaim(struct os *os, unsigned nid, const struct alloc_ctx *ac, sim_time_t *cost)
{
	unsigned mode = os->cfg.zone_reclaim_mode;
	struct zone_info zi;
	uint64_t managed = 0;

	for (unsigned z = 0; z < MAX_NR_ZONES; z++)
		if (!physmem_zone_info(os->phys, nid, z, &zi))
			managed += zi.managed;
	/* node_pagecache_reclaimable vs min_unmapped_pages (1 %) */
	uint64_t file = (mode & RECLAIM_UNMAP) ? node_stat(os->phys, nid, NR_FILE_PAGES)
					       : mem_cgroup_tree_lru(os, 0, nid, LRU_INACTIVE_FILE) +
						 mem_cgroup_tree_lru(os, 0, nid, LRU_ACTIVE_FILE);
	if (!(mode & RECLAIM_UNMAP))
		file -= SIM_MIN(file, node_stat(os->phys, nid, NR_FILE_MAPPED));
	if (!(mode & RECLAIM_WRITE))
		file -= SIM_MIN(file, node_stat(os->phys, nid, NR_FILE_DIRTY));
	if (file <= managed / 100)
		return 0;
	/* NOSCAN: only the local node of a CPU that can block */
	if (!(ac->gfp & __GFP_DIRECT_RECLAIM) || os_cpu_node(os, ac->cpu) != nid)
		return 0;
	struct scan_control sc = {
		.nr_to_reclaim = SIM_MAX(1ULL << ac->order, (uint64_t)SWAP_CLUSTER_MAX),
		.reclaim_idx = gfp_zone(ac->gfp),
		.order = ac->order,
		.may_writepage = mode & RECLAIM_WRITE,
		.may_unmap = mode & RECLAIM_UNMAP,
		.may_swap = true,
		.cpu = ac->cpu,
		.now = ac->now + *cost,
	};
	for (sc.priority = NODE_RECLAIM_PRIORITY; sc.priority >= 0 && sc.nr_reclaimed < (1ULL << ac->order);
	     sc.priority--)
		shrink_node(os, nid, &sc);
	vmstat_inc(os->phys, sc.nr_reclaimed >= (1ULL << ac->order) ? PGSCAN_ZONE_RECLAIM_SUCCESS
								  : PGSCAN_ZONE_RECLAIM_FAILED, 1);
	*cost += sc.cost;
	psi_memstall_add(os, ac->cpu, sc.now, sc.cost);
	return sc.nr_reclaimed;
}

/* ---- allocator hooks ---------------------------------------------------------------------------------------- */

static void hook_wake_kswapd(void *ctx, unsigned nid, unsigned order, enum zone_type hz, const struct alloc_ctx *ac)
{
	wakeup_kswapd(ctx, nid, order, hz, ac->now);
}

static uint64_t hook_direct_reclaim(void *ctx, const struct alloc_ctx *ac, sim_time_t *cost)
{
	return try_to_free_pages(ctx, ac->preferred_nid, ac->nodemask, ac->order, ac->gfp, ac->cpu, ac->now + *cost,
				 cost);
}

static uint64_t hook_zone_reclaimable(void *ctx, unsigned nid, enum zone_type zid)
{
	return zone_reclaimable_pages(ctx, nid, zid);
}

static bool hook_oom(void *ctx, const struct alloc_ctx *ac, sim_time_t *cost)
{
	return out_of_memory(ctx, ac, cost);
}

static uint64_t hook_node_reclaim(void *ctx, unsigned nid, const struct alloc_ctx *ac, sim_time_t *cost)
{
	return node_reclaim(ctx, nid, ac, cost);
}

/* pgdat->kswapd_failures >= MAX_RECLAIM_RETRIES (16 runs that freed nothing in a row). */
static bool hook_node_unreclaimable(void *ctx, unsigned nid)
{
	struct os *os = ctx;
	return os->rcl && nid < os->rcl->nr_nodes && os->rcl->kswapd[nid].failures >= MAX_RECLAIM_RETRIES;
}

void reclaim_fill_hooks(struct os *os, struct physmem_hooks *h)
{
	h->node_unreclaimable = hook_node_unreclaimable;
	h->ctx = os;
	h->wake_kswapd = hook_wake_kswapd;
	h->direct_reclaim = hook_direct_reclaim;
	h->zone_reclaimable_pages = hook_zone_reclaimable;
	h->out_of_memory = hook_oom;
	h->node_reclaim = hook_node_reclaim;
}

/* ---- sampling and report ------------------------------------------------------------------------------------ */

/* Fixed counters after the per-zone free pages (docs/os-reclaim.md lists them). */
static const char *const sample_fixed[] = {
	"kswapd_wakeups", "pgscan_kswapd", "pgsteal_kswapd", "pgscan_direct", "pgsteal_direct",
	"direct_reclaim_stalls", "pswpin", "pswpout", "pgmajfault", "compact_stall", "compact_isolated",
	"pgmigrate_success", "numa_hint_faults", "numa_pages_migrated", "oom_kill", "psi_some_ps", "psi_full_ps",
};

static int build_sample_names(struct os *os)
{
	struct reclaim *r = os->rcl;
	unsigned n = 0;

	for (unsigned nid = 0; nid < r->nr_nodes; nid++)
		for (unsigned z = 0; z < MAX_NR_ZONES; z++) {
			struct zone_info zi;
			if (!physmem_zone_info(os->phys, nid, z, &zi) && zi.populated)
				n++;
		}
	r->nr_samples = n + (unsigned)ARRAY_SIZE(sample_fixed);
	r->sample_names = calloc(r->nr_samples, sizeof(*r->sample_names));
	if (!r->sample_names)
		return -SIM_ENOMEM;
	n = 0;
	for (unsigned nid = 0; nid < r->nr_nodes; nid++)
		for (unsigned z = 0; z < MAX_NR_ZONES; z++) {
			struct zone_info zi;
			if (!physmem_zone_info(os->phys, nid, z, &zi) && zi.populated)
				snprintf(r->sample_names[n++], sizeof(r->sample_names[0]), "nr_free_pages.node%u.%s", nid,
					 zone_names[z]);
		}
	for (unsigned i = 0; i < ARRAY_SIZE(sample_fixed); i++)
		snprintf(r->sample_names[n++], sizeof(r->sample_names[0]), "%s", sample_fixed[i]);
	return 0;
}

int reclaim_sample(const struct os *os, const char **names, uint64_t *vals, int max)
{
	const struct reclaim *r = os->rcl;
	const physmem_t *pm = os->phys;
	unsigned n = 0;
	struct psi_totals pt;

	if (!r)
		return 0;
	for (unsigned nid = 0; nid < r->nr_nodes; nid++)
		for (unsigned z = 0; z < MAX_NR_ZONES; z++) {
			struct zone_info zi;
			if (!physmem_zone_info(pm, nid, z, &zi) && zi.populated) {
				uint64_t f = zi.nr_free;
				if (n < r->nr_samples && max > (int)n) {
					names[n] = r->sample_names[n];
					vals[n] = f;
				}
				n++;
			}
		}
	psi_get(r->psi, &pt);
	uint64_t fixed[] = {
		r->stat[RS_KSWAPD_WAKEUPS], vmstat_event(pm, PGSCAN_KSWAPD), vmstat_event(pm, PGSTEAL_KSWAPD),
		vmstat_event(pm, PGSCAN_DIRECT), vmstat_event(pm, PGSTEAL_DIRECT), r->stat[RS_DIRECT_STALLS],
		vmstat_event(pm, PSWPIN), vmstat_event(pm, PSWPOUT), vmstat_event(pm, PGMAJFAULT),
		vmstat_event(pm, COMPACTSTALL), vmstat_event(pm, COMPACTISOLATED), vmstat_event(pm, PGMIGRATE_SUCCESS),
		vmstat_event(pm, NUMA_HINT_FAULTS), vmstat_event(pm, NUMA_PAGE_MIGRATE), vmstat_event(pm, OOM_KILL),
		pt.some, pt.full,
	};
	_Static_assert(ARRAY_SIZE(fixed) == ARRAY_SIZE(sample_fixed), "sample names and values in sync");
	for (unsigned i = 0; i < ARRAY_SIZE(fixed); i++, n++)
		if ((int)n < max) {
			names[n] = r->sample_names[n];
			vals[n] = fixed[i];
		}
	return (int)SIM_MIN(n, (unsigned)(max > 0 ? max : 0));
}

void reclaim_report(struct os *os, struct rep *r)
{
	struct reclaim *rc = os->rcl;
	struct psi_totals pt;

	if (!rc)
		return;
	rep_obj_begin(r, "reclaim");
	struct stat_block sb = { reclaim_stat_desc, rc->stat, NR_RECLAIM_STATS };
	rep_stats(r, "counters", &sb);
	rep_arr_begin(r, "kswapd");
	for (unsigned n = 0; n < rc->nr_nodes; n++) {
		const struct kswapd *k = &rc->kswapd[n];
		rep_obj_begin(r, NULL);
		rep_u64(r, "node", n);
		rep_u64(r, "cpu", k->cpu);
		rep_u64(r, "failures", k->failures);
		rep_str(r, "state", k->state == KSWAPD_SLEEPING ? "sleeping" : k->state == KSWAPD_NAPPING ? "napping"
												 : "running");
		rep_obj_end(r);
	}
	rep_arr_end(r);
	rep_arr_begin(r, "lru");
	for (unsigned n = 0; n < rc->nr_nodes; n++) {
		const struct lruvec *lv = &rc->lru[n];
		rep_obj_begin(r, NULL);
		rep_u64(r, "node", n);
		for (unsigned l = 0; l < NR_LRU_LISTS; l++)
			rep_u64(r, lru_names[l], lv->nr[l]);
		rep_u64(r, "anon_cost", lv->anon_cost);
		rep_u64(r, "file_cost", lv->file_cost);
		rep_obj_end(r);
	}
	rep_arr_end(r);
	rep_obj_begin(r, "swap");
	rep_u64(r, "total_pages", swap_total(rc->swap));
	rep_u64(r, "used_pages", swap_used(rc->swap));
	const struct blkdev *d = swap_dev(rc->swap);
	rep_u64(r, "reads", d->reads);
	rep_u64(r, "writes", d->writes);
	rep_ns(r, "busy_ns", d->busy_ps);
	rep_obj_end(r);
	rep_obj_begin(r, "disk");
	rep_u64(r, "reads", rc->disk->reads);
	rep_u64(r, "writes", rc->disk->writes);
	rep_u64(r, "read_bytes", rc->disk->read_bytes);
	rep_u64(r, "write_bytes", rc->disk->write_bytes);
	rep_ns(r, "busy_ns", rc->disk->busy_ps);
	rep_obj_end(r);
	psi_get(rc->psi, &pt);
	rep_obj_begin(r, "psi_memory");
	rep_ns(r, "some_ns", pt.some);
	rep_ns(r, "full_ns", pt.full);
	rep_ns(r, "task_stall_ns", pt.task);
	rep_ns(r, "kthread_ns", pt.kthread);
	rep_u64(r, "stalls", pt.stalls);
	rep_obj_end(r);
	filemap_report(os, r);
	oom_report(os, r);
	rep_obj_end(r);
}
