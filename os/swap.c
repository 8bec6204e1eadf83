/*
 * os/swap.c - swap area, block-device timing, the swap cache, swap-out with
 * writeback, swap-in with readahead (see swap.h).
 *
 * Slots are handed out next-fit from a cursor, as the cluster allocator
 * does within a cluster: consecutive swap-outs get consecutive slots, which
 * keeps the map deterministic and easy to read in tests (and lets cluster
 * readahead find neighbours).
 */
#include <stdlib.h>
#include <string.h>
#include "os/fault.h"
#include "os/page_content.h"
#include "os/psi.h"
#include "os/rmap.h"
#include "os/swap.h"
#include "os/vmscan.h"
#include "os/zram.h"
#include "os/zswap.h"
#include "sim/err.h"

/* A page under swap writeback and when its write completes. */
struct swap_wb {
	uint64_t pfn;
	sim_time_t done;
};

struct swap_info {
	uint64_t nr_slots;        /* including the header slot 0 */
	uint64_t inuse;           /* slots referenced by entries or by the swap cache */
	uint64_t cursor;
	uint8_t *map;             /* swap_map: entries referring to the slot */
	uint64_t *cache;          /* pfn + 1 of the slot's swap-cache page (SWAP_HAS_CACHE), 0: none */
	sim_time_t *ready;        /* when the read of a readahead page completes */
	uint64_t *shadow;         /* workingset eviction age per slot */
	struct blkdev dev;
	/* pages under writeback in completion order: the device is FIFO */
	struct swap_wb *wb;
	size_t wb_head, wb_n, wb_cap;
	uint64_t wb_ended;        /* writebacks completed so far (reclaim_throttle wake-ups) */
	/* swapin_nr_pages state (mm/swap_state.c) */
	uint64_t ra_prev_offset;
	unsigned ra_hits, ra_last;
	struct ev wb_ev;          /* the next writeback completion */
	struct os *os;
	struct zswap *zswap;      /* os/zswap.c's entries, NULL until zswap stores a page */
	struct zram *zram;        /* os/zram.c's objects when the device is zram, NULL until its first write */
	uint8_t *zeromap;         /* per slot: holds a zero-filled page (no I/O); NULL until the first one */
};

sim_time_t blkdev_io(struct blkdev *d, sim_time_t now, uint64_t bytes, bool write)
{
	sim_time_t start = SIM_MAX(now, d->busy_until);
	sim_time_t xfer = d->bandwidth ? (sim_time_t)((unsigned __int128)bytes * 1000000000000ULL / d->bandwidth) : 0;

	d->busy_until = start + xfer;
	d->busy_ps += xfer;
	if (write) {
		d->writes++;
		d->write_bytes += bytes;
	} else {
		d->reads++;
		d->read_bytes += bytes;
	}
	return d->busy_until + d->latency;
}

int swap_create(struct swap_info **out, uint64_t bytes, sim_time_t latency, uint64_t bandwidth)
{
	struct swap_info *si = calloc(1, sizeof(*si));

	*out = NULL;
	if (!si)
		return -SIM_ENOMEM;
	si->nr_slots = bytes >> PAGE_SHIFT;
	if (si->nr_slots < 2)
		si->nr_slots = 0;
	si->cursor = 1;
	si->dev.latency = latency;
	si->dev.bandwidth = bandwidth;
	if (si->nr_slots) {
		si->map = calloc(si->nr_slots, 1);
		si->cache = calloc(si->nr_slots, sizeof(*si->cache));
		si->ready = calloc(si->nr_slots, sizeof(*si->ready));
		si->shadow = calloc(si->nr_slots, sizeof(*si->shadow));
		if (!si->map || !si->cache || !si->ready || !si->shadow) {
			swap_destroy(si);
			return -SIM_ENOMEM;
		}
		si->map[0] = 0xff;   /* the header is never handed out */
	}
	*out = si;
	return 0;
}

void swap_destroy(struct swap_info *si)
{
	if (!si)
		return;
	if (si->os && si->os->q)
		ev_cancel(si->os->q, &si->wb_ev);
	free(si->map);
	free(si->cache);
	free(si->ready);
	free(si->shadow);
	free(si->wb);
	zswap_destroy(si->zswap);
	zram_destroy(si->zram);
	free(si->zeromap);
	free(si);
}

struct zswap **swap_zswap(struct swap_info *si)
{
	return &si->zswap;
}

struct zram **swap_zram(struct swap_info *si)
{
	return &si->zram;
}

/* A slot is free again: what zswap or zram kept for it goes (zswap_invalidate, swap_slot_free_notify). */
static void slot_freed(struct swap_info *si, uint64_t off)
{
	zswap_invalidate(si->zswap, off);
	zram_slot_free(si->zram, off);
	if (si->zeromap)
		si->zeromap[off] = 0;
}

/*
 * swap_zeromap_folio_set / _clear: whether slot off holds a zero-filled
 * page (is_folio_zero_filled at swap_writeout; here the page_content
 * declaration, os/page_content.h).  @return false only if the map could
 * not be had (host memory): the caller stops the run (os_fail_enomem).
 */
static bool zeromap_set(struct swap_info *si, uint64_t off, bool zero)
{
	if (!si->zeromap && zero)
		si->zeromap = calloc(si->nr_slots, 1);
	if (!si->zeromap)
		return !zero;
	si->zeromap[off] = zero;
	return true;
}

static bool zeromap_test(const struct swap_info *si, uint64_t off)
{
	return si->zeromap && si->zeromap[off];
}

uint64_t swap_total(const struct swap_info *si)
{
	return si && si->nr_slots ? si->nr_slots - 1 : 0;
}

uint64_t swap_used(const struct swap_info *si)
{
	return si ? si->inuse : 0;
}

uint64_t swap_alloc_slot(struct swap_info *si)
{
	if (!si || si->inuse >= swap_total(si))
		return 0;
	for (uint64_t i = 0; i < si->nr_slots; i++) {
		uint64_t off = si->cursor;
		si->cursor = si->cursor + 1 >= si->nr_slots ? 1 : si->cursor + 1;
		if (!si->map[off] && !si->cache[off]) {
			si->map[off] = 1;
			si->shadow[off] = 0;
			si->inuse++;
			return off;
		}
	}
	SIM_BUG_ON(true);   /* inuse said there was a free slot */
	return 0;
}

void swap_dup(struct swap_info *si, uint64_t offset)
{
	SIM_BUG_ON(!si || !offset || offset >= si->nr_slots || si->map[offset] >= 0xfe ||
		   (!si->map[offset] && !si->cache[offset]));
	si->map[offset]++;
}

unsigned swap_put(struct swap_info *si, uint64_t offset)
{
	SIM_BUG_ON(!si || !offset || offset >= si->nr_slots || !si->map[offset]);
	/* the swap cache keeps the slot (SWAP_HAS_CACHE) until the page leaves it */
	if (--si->map[offset] == 0 && !si->cache[offset]) {
		si->inuse--;
		slot_freed(si, offset);   /* swap_entry_range_free */
	}
	return si->map[offset];
}

unsigned swap_count(const struct swap_info *si, uint64_t offset)
{
	return si && offset && offset < si->nr_slots ? si->map[offset] : 0;
}

void swap_set_shadow(struct swap_info *si, uint64_t offset, uint64_t age)
{
	if (si && offset && offset < si->nr_slots)
		si->shadow[offset] = age;
}

uint64_t swap_shadow(const struct swap_info *si, uint64_t offset)
{
	return si && offset && offset < si->nr_slots ? si->shadow[offset] : 0;
}

struct blkdev *swap_dev(struct swap_info *si)
{
	return &si->dev;
}

uint64_t swap_cached(const struct swap_info *si, uint64_t offset)
{
	return si && offset && offset < si->nr_slots && si->cache[offset] ? si->cache[offset] - 1 : SWAP_NO_PFN;
}

/* ---- the swap cache ------------------------------------------------------------------- */

/*
 * add_to_swap_cache: pg (anon, order 0) becomes the slot's cached page.
 * The cache holds a reference: the caller provides it (a fresh page's
 * allocation reference, or refcount++).
 */
static void swapcache_add(struct os *os, struct swap_info *si, struct page *pg, uint64_t off)
{
	SIM_BUG_ON(si->cache[off] || page_test(pg, PG_swapcache));
	if (!si->map[off])
		si->inuse++;   /* a slot held only by the cache (a fresh one: swap_alloc_slot's count dropped) */
	si->cache[off] = pg->pfn + 1;
	si->ready[off] = 0;
	page_set(pg, PG_swapcache);
	pg->private = off;
	node_stat_mod(os->phys, pg->node, NR_SWAPCACHE, 1);
}

void swapcache_del(struct os *os, struct page *pg, bool shadow)
{
	struct swap_info *si = os->rcl->swap;
	uint64_t off = pg->private;

	SIM_BUG_ON(!page_test(pg, PG_swapcache) || page_test(pg, PG_writeback) || si->cache[off] != pg->pfn + 1);
	si->cache[off] = 0;
	if (!si->map[off]) {
		si->inuse--;
		slot_freed(si, off);
	} else if (shadow) {
		/* __remove_mapping -> workingset_eviction: the entries remember when the page left */
		struct lruvec *lv = node_lruvec(os, pg->node);
		swap_set_shadow(si, off, lv->nonresident_age + 1);   /* +1: 0 means "no shadow" */
		lv->nonresident_age++;
	}
	page_clear(pg, PG_swapcache);
	pg->private = 0;
	node_stat_mod(os->phys, pg->node, NR_SWAPCACHE, -1);
	SIM_BUG_ON(pg->refcount <= 0);
	pg->refcount--;
}

bool vm_swap_full(const struct os *os)
{
	const struct swap_info *si = os->rcl ? os->rcl->swap : NULL;
	return si && swap_total(si) && (swap_total(si) - si->inuse) * 2 < swap_total(si);
}

bool swapcache_try_free(struct os *os, struct page *pg)
{
	struct swap_info *si = os->rcl ? os->rcl->swap : NULL;
	if (!si || !page_test(pg, PG_swapcache) || page_test(pg, PG_writeback) || si->map[pg->private])
		return false;
	swapcache_del(os, pg, false);
	return true;
}

/* ---- writeback completion ------------------------------------------------------------------ */

/*
 * folio_end_writeback for a swap write: the page stops being under
 * writeback and, if reclaim marked it PG_reclaim, moves to the tail of the
 * inactive list (folio_rotate_reclaimable, pgrotated) where the next scan
 * frees it without writing it again.
 */
static void end_writeback(struct os *os, struct page *pg)
{
	page_clear(pg, PG_writeback);
	node_stat_mod(os->phys, pg->node, NR_WRITEBACK, -1);
	if (!page_test(pg, PG_reclaim))
		return;
	page_clear(pg, PG_reclaim);
	if (page_test(pg, PG_lru) && !page_test(pg, PG_dirty) && !page_test(pg, PG_unevictable)) {
		lru_del(os, pg);
		page_clear(pg, PG_active);
		lru_add(os, pg);
		lru_move(os, pg, true);
		vmstat_inc(os->phys, PGROTATED, 1);
	}
}

static void wb_arm(struct os *os, struct swap_info *si)
{
	if (!os->q || !si->wb_n || ev_pending(&si->wb_ev))
		return;
	sim_time_t t = si->wb[si->wb_head].done;
	kthread_schedule(os, KT_SWAP_WRITEBACK, 0, &si->wb_ev, SIM_MAX(t, os->q->now));
}

void swap_writeback_end(struct os *os, sim_time_t t)
{
	struct swap_info *si = os->rcl ? os->rcl->swap : NULL;
	if (!si)
		return;
	while (si->wb_n && si->wb[si->wb_head].done <= t) {
		struct page *pg = pfn_to_page(os->phys, si->wb[si->wb_head].pfn);
		si->wb_head = (si->wb_head + 1) % si->wb_cap;
		si->wb_n--;
		si->wb_ended++;
		end_writeback(os, pg);
	}
}

static void wb_event(struct ev *ev, void *ctx)
{
	struct os *os = ctx;
	swap_writeback_end(os, ev->when);
	wb_arm(os, os->rcl->swap);
}

static int wb_push(struct os *os, struct swap_info *si, uint64_t pfn, sim_time_t done)
{
	if (si->wb_n == si->wb_cap) {
		size_t cap = si->wb_cap ? si->wb_cap * 2 : 64;
		struct swap_wb *nw = malloc(cap * sizeof(*nw));
		if (!nw)
			return -SIM_ENOMEM;
		for (size_t i = 0; i < si->wb_n; i++)
			nw[i] = si->wb[(si->wb_head + i) % si->wb_cap];
		free(si->wb);
		si->wb = nw;
		si->wb_head = 0;
		si->wb_cap = cap;
	}
	si->wb[(si->wb_head + si->wb_n) % si->wb_cap] = (struct swap_wb){ pfn, done };
	si->wb_n++;
	if (!si->os) {
		si->os = os;
		ev_init(&si->wb_ev, wb_event, os);
	}
	wb_arm(os, si);
	return 0;
}

sim_time_t swap_writeback_wait(struct os *os, sim_time_t now, uint64_t n)
{
	struct swap_info *si = os->rcl ? os->rcl->swap : NULL;
	if (!si)
		return 0;
	swap_writeback_end(os, now);
	if (!n || si->wb_n < n)
		return 0;
	return si->wb[(si->wb_head + n - 1) % si->wb_cap].done;
}

uint64_t swap_writeback_pending(const struct os *os)
{
	const struct swap_info *si = os->rcl ? os->rcl->swap : NULL;
	return si ? si->wb_n : 0;
}

/* ---- swap-out ------------------------------------------------------------------------ */

/*
 * __swap_writepage to the block device at `at`: PG_writeback, and
 * PG_reclaim so that the end of the write rotates the page to the inactive
 * tail; the completion is queued (swap_writeback_end).
 */
static void swap_write_async(struct os *os, struct swap_info *si, struct page *pg, sim_time_t at)
{
	page_set(pg, PG_writeback);
	page_set(pg, PG_reclaim);
	node_stat_mod(os->phys, pg->node, NR_WRITEBACK, 1);
	sim_time_t done = blkdev_io(&si->dev, at, PAGE_SIZE, true);
	SIM_BUG_ON(wb_push(os, si, pg->pfn, done));   /* host out of memory */
	vmstat_inc(os->phys, PSWPOUT, 1);
	vmstat_inc(os->phys, PGPGOUT, PAGE_SIZE >> 10);
}

static int count_swapent(void *ctx, const struct rmap_hit *h)
{
	(*(unsigned *)ctx)++;
	h->p->swapents++;
	return 0;
}

static int uncount_swapent(void *ctx, const struct rmap_hit *h)
{
	(*(unsigned *)ctx)++;
	SIM_BUG_ON(h->p->swapents == 0);
	h->p->swapents--;
	return 0;
}

int swap_out_page(struct os *os, struct page *pg, unsigned cpu, sim_time_t now, sim_time_t *cost)
{
	struct swap_info *si = os->rcl->swap;
	unsigned n = 0, unmapped = 0;

	SIM_BUG_ON(!page_test(pg, PG_anon) || pg->order || page_test(pg, PG_writeback));
	if (!page_test(pg, PG_swapcache)) {
		/* add_to_swap: a slot, the swap cache (its own reference), and the folio dirty */
		uint64_t off = swap_alloc_slot(si);
		if (!off)
			return -SIM_EOOM;
		swapcache_add(os, si, pg, off);
		pg->refcount++;
		swap_put(si, off);   /* the allocation's count: the cache holds the slot now */
		page_set(pg, PG_dirty);
	}
	uint64_t off = pg->private;
	rmap_walk(os, pg, count_swapent, &n, NULL);
	SIM_BUG_ON(n != (unsigned)pg->mapcount);
	for (unsigned i = 0; i < n; i++)
		swap_dup(si, off);
	*cost += try_to_unmap(os, pg, swp_entry_to_pte(SWP_TYPE_SWAP, off), cpu, now, &unmapped);
	if (pg->mapcount) {
		/* a VM_LOCKED mapping stopped try_to_unmap (re-mlocked): the mappings left give their counts back */
		unsigned left = 0;
		SIM_BUG_ON(!page_test(pg, PG_mlocked));
		rmap_walk(os, pg, uncount_swapent, &left, NULL);
		SIM_BUG_ON(left != n - unmapped);
		for (unsigned i = 0; i < left; i++)
			swap_put(si, off);
		return -SIM_EBUSY;
	}
	SIM_BUG_ON(unmapped != n);
	if (!page_test(pg, PG_dirty))
		return SWAPOUT_CLEAN;   /* the slot already holds these contents */
	/* swap_writeout: a zero-filled page is only noted in the swap zeromap: no zswap, no I/O */
	uint64_t content;
	uint32_t pct, flags;
	page_content_get(os, pg, &content, &pct, &flags);
	bool noted = zeromap_set(si, off, flags & PGC_ZERO);
	if (!noted)
		os_fail_enomem(os, "the swap zeromap (a zero-filled page's swap-out)");
	if (noted && (flags & PGC_ZERO)) {
		page_clear(pg, PG_dirty);
		vmstat_inc(os->phys, SWPOUT_ZERO, 1);
		return SWAPOUT_CLEAN;
	}
	/* then zswap; a stored page is clean at once, as after a synchronous write */
	if (zswap_store(os, pg, off, cpu, now, cost)) {
		page_clear(pg, PG_dirty);
		return SWAPOUT_CLEAN;
	}
	if (os->cfg.zram.enabled) {
		/*
		 * A synchronous device: written (compressed) by now and freed by
		 * this reclaim pass.  A failed write (end_swap_bio_write's error)
		 * leaves the page dirty in the swap cache for a later pass.
		 */
		if (zram_write(os, pg, off, cpu, now, cost))
			return SWAPOUT_WRITEBACK;
		page_clear(pg, PG_dirty);
		vmstat_inc(os->phys, PSWPOUT, 1);
		vmstat_inc(os->phys, PGPGOUT, PAGE_SIZE >> 10);
		return SWAPOUT_CLEAN;
	}
	/* pageout -> swap_writepage */
	page_clear(pg, PG_dirty);
	swap_write_async(os, si, pg, now + *cost);
	return SWAPOUT_WRITEBACK;
}

int swap_writeback_slot(struct os *os, uint64_t off, unsigned cpu, sim_time_t now, sim_time_t *cost)
{
	struct swap_info *si = os->rcl->swap;
	struct alloc_ctx ac = { .order = 0, .preferred_nid = (int)os_cpu_node(os, cpu), .cpu = cpu, .now = now,
				.gfp = __GFP_NOWARN | __GFP_HIGHMEM | __GFP_MOVABLE };
	uint64_t pfn;

	/* swap_cache_alloc_folio: a slot already cached was swapped in meanwhile (-EEXIST) */
	if (swap_cached(si, off) != SWAP_NO_PFN || page_alloc(os->phys, &ac, &pfn, cost))
		return -SIM_EOOM;
	struct page *pg = pfn_to_page(os->phys, pfn);
	page_set(pg, PG_anon);
	page_set(pg, PG_swapbacked);
	page_set(pg, PG_uptodate);
	pg->mapping = NULL;      /* unmapped: a later fault sets its owner */
	pg->index = 0;
	pg->mapcount = 0;
	swapcache_add(os, si, pg, off);   /* the allocation's reference becomes the cache's */
	lru_add(os, pg);
	swap_write_async(os, si, pg, now + *cost);
	return 0;
}

/* ---- swap-in ---------------------------------------------------------------------------- */

/* workingset_test_recent for an anon refault (mm/workingset.c). */
static bool anon_refault_recent(struct os *os, const struct lruvec *lv, uint64_t shadow)
{
	uint64_t distance = lv->nonresident_age - (shadow - 1);
	uint64_t ws = lruvec_tree_size(os, lv, LRU_ACTIVE_FILE) + lruvec_tree_size(os, lv, LRU_INACTIVE_FILE);

	if (can_reclaim_anon_pages(os))
		ws += lruvec_tree_size(os, lv, LRU_ACTIVE_ANON);
	return distance <= ws;
}

/*
 * swapin_nr_pages / __swapin_nr_pages (mm/swap_state.c): the readahead
 * window in pages.  hits + 2, rounded up to a power of two >= 4 once there
 * were hits; without hits 2 pages only when this offset neighbours the last
 * one, else 1; at most 2^page-cluster; never below half the last window.
 */
static unsigned swapin_nr_pages(struct os *os, struct swap_info *si, uint64_t off)
{
	unsigned max = 1u << os->cfg.page_cluster, hits = si->ra_hits, pages = hits + 2;

	if (max <= 1)
		return 1;
	si->ra_hits = 0;
	if (pages == 2) {
		if (off != si->ra_prev_offset + 1 && off + 1 != si->ra_prev_offset)
			pages = 1;
	} else {
		unsigned roundup = 4;
		while (roundup < pages)
			roundup <<= 1;
		pages = roundup;
	}
	if (pages > max)
		pages = max;
	if (pages < si->ra_last / 2)
		pages = si->ra_last / 2;
	if (!hits)
		si->ra_prev_offset = off;
	si->ra_last = pages;
	return pages;
}

/*
 * swap_cluster_readahead: read the aligned window around off; every slot
 * that is in use and not cached gets a page (the faulting task's policy),
 * enters the swap cache and the inactive list, and is read.  The target
 * page (slot off, already in the cache) is read in its turn.  @return when
 * the target's read completes.
 */
static sim_time_t swap_readahead(struct os *os, struct swap_info *si, struct process *p, struct vma *v,
				 uint64_t vaddr, uint64_t off, unsigned cpu, sim_time_t now, sim_time_t *cost)
{
	/* SWP_SYNCHRONOUS_IO (zram): no readahead */
	uint64_t mask = os->cfg.zram.enabled ? 0 : swapin_nr_pages(os, si, off) - 1, first = off & ~mask,
		 last = off | mask;
	sim_time_t done = 0;

	if (!first)
		first = 1;   /* slot 0 is the header */
	if (last >= si->nr_slots)
		last = si->nr_slots - 1;
	for (uint64_t o = first; o <= last; o++) {
		if (o == off) {
			if (zeromap_test(si, o)) {
				/* swap_read_folio_zeromap: the page is zeroed on this CPU, no I/O */
				*cost += os->cfg.zero_page_cost;
				si->ready[o] = now + *cost;
				done = 0;
				vmstat_inc(os->phys, SWPIN_ZERO, 1);
				continue;
			}
			if (zswap_load(os, o, cost)) {
				/*
				 * zswap_load decompressed it on this CPU (in *cost already, so
				 * no wait is left) and dropped the entry: dirty again
				 */
				si->ready[o] = now + *cost;
				done = 0;
				page_set(pfn_to_page(os->phys, si->cache[o] - 1), PG_dirty);
				continue;
			}
			if (os->cfg.zram.enabled) {
				/* zram_read_page on this CPU; the object goes, the page is dirty (os/zram.h) */
				zram_read(os, o, cpu, cost);
				si->ready[o] = now + *cost;
				done = 0;
				page_set(pfn_to_page(os->phys, si->cache[o] - 1), PG_dirty);
				vmstat_inc(os->phys, PSWPIN, 1);
				vmstat_inc(os->phys, PGPGIN, PAGE_SIZE >> 10);
				continue;
			}
			done = blkdev_io(&si->dev, now + *cost, PAGE_SIZE, false);
			si->ready[o] = done;
			vmstat_inc(os->phys, PSWPIN, 1);
			vmstat_inc(os->phys, PGPGIN, PAGE_SIZE >> 10);
			continue;
		}
		if (!si->map[o] || si->cache[o])
			continue;
		uint64_t pfn;
		sim_time_t c = 0;
		if (alloc_policy_pages(os, p, v, vaddr, 0, GFP_HIGHUSER_MOVABLE | __GFP_NOWARN, cpu, now + *cost, &pfn,
				       &c))
			break;   /* no memory for readahead: just the target */
		*cost += c;
		struct page *pg = pfn_to_page(os->phys, pfn);
		page_set(pg, PG_anon);
		page_set(pg, PG_swapbacked);
		page_set(pg, PG_uptodate);
		page_set(pg, PG_reclaim);   /* PG_readahead: a later hit counts swap_ra_hit */
		pg->mapping = p;
		pg->index = 0;              /* set when a fault maps it */
		pg->mapcount = 0;
		swapcache_add(os, si, pg, o);   /* the allocation's reference becomes the cache's */
		lru_add(os, pg);
		vmstat_inc(os->phys, SWAP_RA, 1);
		if (zeromap_test(si, o)) {
			*cost += os->cfg.zero_page_cost;
			si->ready[o] = now + *cost;
			vmstat_inc(os->phys, SWPIN_ZERO, 1);
			continue;
		}
		if (zswap_load(os, o, cost)) {
			si->ready[o] = now + *cost;
			page_set(pg, PG_dirty);
			continue;
		}
		si->ready[o] = blkdev_io(&si->dev, now + *cost, PAGE_SIZE, false);
		vmstat_inc(os->phys, PSWPIN, 1);
		vmstat_inc(os->phys, PGPGIN, PAGE_SIZE >> 10);
	}
	return done;
}

int do_swap_page(struct os *os, struct process *p, struct vma *v, uint64_t vaddr, uint64_t slot, uint64_t pte,
		 bool write, unsigned cpu, sim_time_t now, sim_time_t *cost)
{
	struct swap_info *si = os->rcl->swap;
	uint64_t off = swp_offset(pte), addr = vaddr & ~(PAGE_SIZE - 1);
	struct page *pg;
	int rc;

	if (swp_type(pte) != SWP_TYPE_SWAP || !swap_count(si, off))
		return -SIM_EFAULT;
	swap_writeback_end(os, now + *cost);
	uint64_t cpfn = swap_cached(si, off);
	if (cpfn != SWAP_NO_PFN) {
		/* swap_cache_get_folio: no I/O; a readahead page counts a hit */
		pg = pfn_to_page(os->phys, cpfn);
		if (page_test(pg, PG_reclaim) && !page_test(pg, PG_writeback)) {
			page_clear(pg, PG_reclaim);
			vmstat_inc(os->phys, SWAP_RA_HIT, 1);
			si->ra_hits++;
		}
		sim_time_t at = now + *cost;
		if (si->ready[off] > at) {
			/* its read is still in flight: wait on the locked folio */
			sim_time_t w = si->ready[off] - at;
			*cost += w;
			os->rcl->stat[RS_SWAPIN_PS] += w;
			psi_memstall_add(os, cpu, at, w);
		}
		if (!pg->mapcount) {
			pg->mapping = p;
			pg->index = addr >> PAGE_SHIFT;
		}
		pg->refcount++;   /* the mapping's */
	} else {
		uint64_t shadow = swap_shadow(si, off);
		if ((rc = new_anon_page(os, p, v, addr, 0, false, cpu, now, &pg, cost)))
			return rc;
		swapcache_add(os, si, pg, off);
		pg->refcount++;   /* the cache's; the allocation's is the mapping's */
		/* swap_read_folio after readahead: the faulting CPU waits for its read */
		sim_time_t issue = now + *cost;
		sim_time_t done = swap_readahead(os, si, p, v, addr, off, cpu, now, cost);
		sim_time_t w = done > issue ? done - issue : 0;
		*cost += w;
		os->rcl->stat[RS_SWAPIN_PS] += w;
		psi_memstall_add(os, cpu, issue, w);
		vmstat_inc(os->phys, PGMAJFAULT, 1);
		p->maj_flt++;
		struct lruvec *lv = node_lruvec(os, pg->node);
		if (shadow) {
			node_stat_mod(os->phys, pg->node, WORKINGSET_REFAULT_ANON, 1);
			if (anon_refault_recent(os, lv, shadow)) {
				lru_del(os, pg);
				page_set(pg, PG_active);
				page_set(pg, PG_workingset);
				lru_add(os, pg);
				node_stat_mod(os->phys, pg->node, WORKINGSET_ACTIVATE_ANON, 1);
				lv->nonresident_age++;
				memcg_note_cost(os, page_lruvec(os, pg), pg->node, false, 1, 0);
			}
		}
	}
	/*
	 * do_swap_page: a page nobody else maps, whose slot only this entry
	 * refers to, is exclusive and mapped writable (dirty on a write fault);
	 * otherwise read-only and a write goes through do_wp_page.
	 */
	bool exclusive = pg->mapcount == 0 && swap_count(si, off) == 1;
	uint64_t npte = (pg->pfn << PAGE_SHIFT) | vma_leaf_bits(v);
	if (exclusive && (v->flags & VM_WRITE)) {
		npte |= PTE_RW;
		if (write)
			npte |= PTE_D;
	}
	pmem_write64(os->pm, slot, npte);
	rmap_account_add(os, p, v, pg, 1);
	swap_put(si, off);
	SIM_BUG_ON(p->swapents == 0);
	p->swapents--;
	/*
	 * should_try_to_free_swap: a write fault frees the slot of a page only
	 * we hold; with swap more than half full (vm_swap_full) any fault does.
	 */
	if ((write && exclusive) || vm_swap_full(os))
		swapcache_try_free(os, pg);
	return 0;
}

void swap_entry_free(struct os *os, struct process *p, uint64_t pte)
{
	if (!os->rcl || swp_type(pte) != SWP_TYPE_SWAP)
		return;
	struct swap_info *si = os->rcl->swap;
	uint64_t off = swp_offset(pte), cpfn = swap_cached(si, off);
	SIM_BUG_ON(p->swapents == 0);
	p->swapents--;
	if (swap_put(si, off) || cpfn == SWAP_NO_PFN)
		return;
	/* free_swap_and_cache: the last entry gone, an idle cached page goes too */
	struct page *pg = pfn_to_page(os->phys, cpfn);
	if (pg->mapcount || page_test(pg, PG_writeback))
		return;
	pg->refcount++;
	swapcache_del(os, pg, false);
	put_page(os, pg, p->last_cpu);
}

void swap_entry_dup(struct os *os, struct process *child, uint64_t pte)
{
	if (!os->rcl || swp_type(pte) != SWP_TYPE_SWAP)
		return;
	swap_dup(os->rcl->swap, swp_offset(pte));
	child->swapents++;
}
