/*
 * os/zswap.c - zswap (see zswap.h).
 *
 * Entries live in per-slot arrays of the swap area (allocated the first
 * time zswap stores anything, so runs without zswap pay nothing): the
 * stored length (0: no entry), the second-chance bit and the links of one
 * LRU, oldest first, which the shrink worker walks.  The pool and the
 * compressor figures are os/zsmalloc.h's.  Those figures come from a
 * 200 MB corpus and small inputs compress worse; a trace that knows better
 * declares its pages' sizes with page_content records.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "os/fault.h"
#include "os/swap.h"
#include "os/vmscan.h"
#include "os/zsmalloc.h"
#include "os/zswap.h"
#include "sim/err.h"

#define NO_SLOT             0u    /* slot 0 is the swap header: never an entry */

struct zswap {
	struct os *os;
	uint64_t nr_slots;
	uint32_t *len;            /* per slot: object length in bytes, 0 = no entry */
	uint8_t *referenced;      /* per slot: shrink_memcg_cb's second chance */
	uint32_t *prev, *next;    /* per slot: LRU links (NO_SLOT ends) */
	uint32_t lru_head, lru_tail;   /* oldest, newest */
	struct zs_pool pool;
	unsigned nr_nodes;
	bool reached_full;        /* zswap_pool_reached_full */
	uint64_t max_pages;       /* max_pool_percent of RAM */
	/* /sys/kernel/debug/zswap */
	uint64_t stored_pages, stored_incompressible_pages;
	uint64_t pool_limit_hit, reject_alloc_fail, reject_reclaim_fail, written_back_pages;
};

static uint64_t pool_total_pages(const struct zswap *zs)
{
	return zs->pool.nr;
}

static uint64_t totalram_pages(struct os *os)
{
	uint64_t n = 0;
	for (unsigned nid = 0; nid < os->sys.nr_nodes; nid++)
		for (unsigned zid = 0; zid < MAX_NR_ZONES; zid++) {
			struct zone_info zi;
			if (!physmem_zone_info(os->phys, nid, (enum zone_type)zid, &zi))
				n += zi.managed;
		}
	return n;
}

/* The zswap of os's swap area, created on first use; NULL without swap or host memory. */
static struct zswap *zswap_get(struct os *os)
{
	struct swap_info *si = os->rcl ? os->rcl->swap : NULL;
	if (!si || !swap_total(si))
		return NULL;
	struct zswap **zp = swap_zswap(si);
	if (*zp)
		return *zp;
	struct zswap *zs = calloc(1, sizeof(*zs));
	if (!zs)
		return NULL;
	zs->os = os;
	zs->nr_slots = swap_total(si) + 1;
	zs->nr_nodes = os->sys.nr_nodes;
	zs->len = calloc(zs->nr_slots, sizeof(*zs->len));
	zs->referenced = calloc(zs->nr_slots, sizeof(*zs->referenced));
	zs->prev = calloc(zs->nr_slots, sizeof(*zs->prev));
	zs->next = calloc(zs->nr_slots, sizeof(*zs->next));
	if (!zs->len || !zs->referenced || !zs->prev || !zs->next ||
	    zs->nr_slots > UINT32_MAX) {
		zswap_destroy(zs);
		return NULL;
	}
	/* zswap_max_pages: totalram_pages() * max_pool_percent / 100 */
	zs->max_pages = totalram_pages(os) * os->cfg.zswap.max_pool_percent / 100;
	*zp = zs;
	return zs;
}

void zswap_destroy(struct zswap *zs)
{
	if (!zs)
		return;
	zs_pool_release(&zs->pool);
	free(zs->len);
	free(zs->referenced);
	free(zs->prev);
	free(zs->next);
	free(zs);
}

/* ---- entries and the LRU ----------------------------------------------------------- */

static void lru_unlink(struct zswap *zs, uint32_t s)
{
	if (zs->prev[s])
		zs->next[zs->prev[s]] = zs->next[s];
	else
		zs->lru_head = zs->next[s];
	if (zs->next[s])
		zs->prev[zs->next[s]] = zs->prev[s];
	else
		zs->lru_tail = zs->prev[s];
	zs->prev[s] = zs->next[s] = NO_SLOT;
}

static void lru_add_tail(struct zswap *zs, uint32_t s)
{
	zs->prev[s] = zs->lru_tail;
	zs->next[s] = NO_SLOT;
	if (zs->lru_tail)
		zs->next[zs->lru_tail] = s;
	else
		zs->lru_head = s;
	zs->lru_tail = s;
}

/* zswap_entry_free */
static void entry_free(struct zswap *zs, uint32_t s, unsigned cpu)
{
	lru_unlink(zs, s);
	if (zs->len[s] == PAGE_SIZE)
		zs->stored_incompressible_pages--;
	zs_pool_free(zs->os, &zs->pool, zs->len[s], cpu);
	zs->len[s] = 0;
	zs->stored_pages--;
}

void zswap_invalidate(struct zswap *zs, uint64_t off)
{
	if (zs && off < zs->nr_slots && zs->len[off])
		entry_free(zs, (uint32_t)off, 0);
}

/* an entry of PAGE_SIZE bytes or more is stored as it is: a copy, not a decompression */
static struct zcomp zswap_zcomp(const struct os *os)
{
	const struct zswap_cfg *c = &os->cfg.zswap;
	return (struct zcomp){ .alg = c->compressor, .compress_ps = c->compress_cost,
			       .decompress_ps = c->decompress_cost, .whole_from = PAGE_SIZE };
}

static uint64_t decompress_cost(const struct os *os, uint32_t len)
{
	const struct zcomp zc = zswap_zcomp(os);
	return zcomp_load_ps(os, &zc, len);
}

/*
 * shrink_worker: write the LRU-oldest entries back until the pool is at
 * most accept_threshold_percent of the limit.  An entry whose second-chance
 * bit is set is rotated with the bit cleared (shrink_memcg_cb).  Runs as a
 * kworker on `cpu`: its time is stolen from that CPU.
 */
static void shrink_worker(struct zswap *zs, unsigned cpu, sim_time_t now)
{
	struct os *os = zs->os;
	uint64_t thr = zs->max_pages * os->cfg.zswap.accept_threshold_percent / 100;
	unsigned failures = 0;
	sim_time_t cost = 0;

	/* shrink_worker gives up after MAX_RECLAIM_RETRIES failures */
	while (pool_total_pages(zs) > thr && zs->lru_head && failures < MAX_RECLAIM_RETRIES) {
		uint32_t s = zs->lru_head;
		lru_unlink(zs, s);
		lru_add_tail(zs, s);
		if (zs->referenced[s]) {
			zs->referenced[s] = 0;
			continue;
		}
		/* zswap_writeback_entry: a swap-cache page, decompressed into, written to the device */
		sim_time_t c = decompress_cost(os, zs->len[s]);
		if (swap_writeback_slot(os, s, cpu, now + cost, &c)) {
			zs->reject_reclaim_fail++;
			failures++;
			cost += c;
			continue;
		}
		cost += c;
		entry_free(zs, s, cpu);
		zs->written_back_pages++;
		vmstat_inc(os->phys, ZSWPWB, 1);
	}
	reclaim_steal(os, cpu, cost);
}

/* zswap_check_limits */
static bool pool_full(struct zswap *zs)
{
	uint64_t cur = pool_total_pages(zs);
	if (cur >= zs->max_pages) {
		zs->pool_limit_hit++;
		zs->reached_full = true;
	} else if (zs->reached_full && cur <= zs->max_pages * zs->os->cfg.zswap.accept_threshold_percent / 100) {
		zs->reached_full = false;
	}
	return zs->reached_full;
}

bool zswap_store(struct os *os, struct page *pg, uint64_t off, unsigned cpu, sim_time_t now, sim_time_t *cost)
{
	struct zswap *zs;

	if (!os->cfg.zswap.enabled || !(zs = zswap_get(os)) || off >= zs->nr_slots)
		return false;
	zswap_invalidate(zs, off);   /* a stale entry of this slot (check_old) */
	if (pool_full(zs)) {
		shrink_worker(zs, cpu, now + *cost);   /* queue_work(shrink_wq): run now, on this CPU */
		return false;
	}
	/*
	 * zswap_compress: the declared size, else the default; then
	 * zs_malloc(pool, len, GFP_NOWAIT | __GFP_NORETRY | __GFP_HIGHMEM |
	 * __GFP_MOVABLE, page_to_nid(page)): the reclaimer runs with
	 * PF_MEMALLOC, so the allocation may use the reserves; it never reclaims.
	 */
	const struct zcomp zc = zswap_zcomp(os);
	uint32_t len;
	if (zcomp_store(os, &zc, &zs->pool, pg,
			__GFP_NOWARN | __GFP_NORETRY | __GFP_HIGHMEM | __GFP_MOVABLE | __GFP_MEMALLOC, cpu, now, cost,
			&len)) {
		zs->reject_alloc_fail++;
		return false;
	}
	uint32_t s = (uint32_t)off;
	zs->len[s] = len;
	zs->referenced[s] = 1;
	lru_add_tail(zs, s);
	zs->stored_pages++;
	if (len == PAGE_SIZE)
		zs->stored_incompressible_pages++;
	vmstat_inc(os->phys, ZSWPOUT, 1);
	return true;
}

bool zswap_load(struct os *os, uint64_t off, sim_time_t *cost)
{
	struct swap_info *si = os->rcl ? os->rcl->swap : NULL;
	struct zswap *zs = si ? *swap_zswap(si) : NULL;

	if (!zs || off >= zs->nr_slots || !zs->len[off])
		return false;
	*cost += decompress_cost(os, zs->len[off]);
	entry_free(zs, (uint32_t)off, os->current ? os->current->last_cpu : 0);
	vmstat_inc(os->phys, ZSWPIN, 1);
	return true;
}

/* ---- views ---------------------------------------------------------------------------- */

static const struct zswap *zswap_peek(const struct os *os)
{
	struct swap_info *si = os->rcl ? os->rcl->swap : NULL;
	return si ? *swap_zswap(si) : NULL;
}

uint64_t zswap_pool_pages(const struct os *os)
{
	const struct zswap *zs = zswap_peek(os);
	return zs ? pool_total_pages(zs) : 0;
}

uint64_t zswap_stored_pages(const struct os *os)
{
	const struct zswap *zs = zswap_peek(os);
	return zs ? zs->stored_pages : 0;
}

uint64_t zswap_node_pool_pages(const struct os *os, unsigned nid)
{
	const struct zswap *zs = zswap_peek(os);
	return zs && nid < zs->nr_nodes ? zs->pool.node_pages[nid] : 0;
}

struct zswap_stat {
	const char *name;
	uint64_t v;
};

#define ZSWAP_NR_STATS 11

/* The files of /sys/kernel/debug/zswap in directory order; failures numasim cannot have stay 0. */
static size_t zswap_stats(const struct os *os, struct zswap_stat *s)
{
	const struct zswap *zs = zswap_peek(os);
	struct zswap none = { 0 };
	size_t n = 0;

	if (!zs)
		zs = &none;
	s[n++] = (struct zswap_stat){ "decompress_fail", 0 };
	s[n++] = (struct zswap_stat){ "pool_limit_hit", zs->pool_limit_hit };
	s[n++] = (struct zswap_stat){ "pool_total_size", (uint64_t)(pool_total_pages(zs) * PAGE_SIZE) };
	s[n++] = (struct zswap_stat){ "reject_alloc_fail", zs->reject_alloc_fail };
	s[n++] = (struct zswap_stat){ "reject_compress_fail", 0 };
	s[n++] = (struct zswap_stat){ "reject_compress_poor", 0 };
	s[n++] = (struct zswap_stat){ "reject_kmemcache_fail", 0 };
	s[n++] = (struct zswap_stat){ "reject_reclaim_fail", zs->reject_reclaim_fail };
	s[n++] = (struct zswap_stat){ "stored_incompressible_pages", zs->stored_incompressible_pages };
	s[n++] = (struct zswap_stat){ "stored_pages", zs->stored_pages };
	s[n++] = (struct zswap_stat){ "written_back_pages", zs->written_back_pages };
	return n;
}

void zswap_dump(const struct os *os, FILE *fp)
{
	struct zswap_stat s[ZSWAP_NR_STATS];
	size_t n = zswap_stats(os, s);
	for (size_t i = 0; i < n; i++)
		fprintf(fp, "%s %" PRIu64 "\n", s[i].name, s[i].v);
}

void zswap_report(const struct os *os, rep_t *r)
{
	struct zswap_stat s[ZSWAP_NR_STATS];
	if (!os->cfg.zswap.enabled)
		return;   /* runs without zswap keep their report */
	size_t n = zswap_stats(os, s);
	rep_obj_begin(r, "zswap");
	for (size_t i = 0; i < n; i++)
		rep_u64(r, s[i].name, s[i].v);
	rep_arr_begin(r, "pool_pages_per_node");
	for (unsigned nid = 0; nid < os->sys.nr_nodes; nid++)
		rep_u64(r, NULL, zswap_node_pool_pages(os, nid));
	rep_arr_end(r);
	rep_obj_end(r);
}
