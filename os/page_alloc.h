/*
 * os/page_alloc.h - physical memory of the simulated OS: nodes, zones, page
 * frames, the buddy allocator, per-CPU page lists, watermarks, zonelists.
 *
 * A Linux-like page allocator (sources.md §1-§4, Linux 6.15+ behaviour):
 * every node owns a contiguous physical range split into zones (DMA, DMA32,
 * NORMAL, MOVABLE); each zone keeps buddy free lists per order (0..10) and
 * migratetype, per-CPU page lists, min/low/high watermarks and lowmem
 * reserves; each node has a zonelist ordered by node distance.  page_alloc()
 * runs Linux's fast path (LOW watermark over the zonelist) and slow path
 * (wake kswapd, MIN watermark, direct compaction / reclaim through hooks,
 * fail) and counts numastat/vmstat exactly as Linux does.
 *
 * Frames are described by struct page (os/page.h), created lazily: boot
 * keeps the untouched, order-10-aligned bulk of each zone as an interval, so
 * creating a 1 TiB machine allocates a few hundred KiB of host memory.
 *
 * All functions are deterministic; nothing here reads a clock or a host RNG.
 */
#ifndef OS_PAGE_ALLOC_H
#define OS_PAGE_ALLOC_H

#include <stdio.h>
#include "hw/hw_cfg.h"
#include "os/os_cfg.h"
#include "os/page.h"
#include "os/vmstat.h"
#include "sim/report.h"

/* ---- constants (x86-64, 4 KiB pages; sources.md §0) --------------------- */

#define MAX_PAGE_ORDER          10          /* orders 0..10 (Linux >= 6.8 naming) */
#define NR_PAGE_ORDERS          (MAX_PAGE_ORDER + 1)
#define PAGEBLOCK_ORDER         9
#define PAGEBLOCK_NR_PAGES      (1u << PAGEBLOCK_ORDER)
#define PAGE_ALLOC_COSTLY_ORDER 3
/*
 * mm/internal.h: reclaim rounds without progress before giving up, for the
 * page allocator (should_reclaim_retry), memcg charging, kswapd
 * (kswapd_failures: node "hopeless") and the zswap shrinker.
 */
#define MAX_RECLAIM_RETRIES     16
#define HPAGE_PMD_ORDER         9
#define NUMA_NO_NODE            (-1)

enum zone_type {
	ZONE_DMA,
	ZONE_DMA32,
	ZONE_NORMAL,
	ZONE_MOVABLE,
	ZONE_DEVICE,              /* never populated; keeps Linux's 5-entry protection arrays */
	MAX_NR_ZONES
};
extern const char *const zone_names[MAX_NR_ZONES];     /* "DMA", "DMA32", "Normal", "Movable", "Device" */

enum migratetype {
	MIGRATE_UNMOVABLE,
	MIGRATE_MOVABLE,
	MIGRATE_RECLAIMABLE,
	MIGRATE_PCPTYPES,         /* the types with per-CPU lists */
	MIGRATE_HIGHATOMIC = MIGRATE_PCPTYPES,
	MIGRATE_CMA,              /* CMA area pageblocks: movable allocations only (os/cma.c) */
	MIGRATE_ISOLATE,          /* isolated for alloc_contig_range / memory offlining */
	MIGRATE_TYPES
};
extern const char *const migratetype_names[MIGRATE_TYPES]; /* "Unmovable", ... "CMA", "Isolate" */

/* ---- node masks --------------------------------------------------------- */

typedef struct {
	uint64_t bits[HW_MAX_NODES / 64];
} nodemask_t;

static inline bool node_isset(unsigned nid, const nodemask_t *m)
{
	return (m->bits[nid / 64] >> (nid % 64)) & 1u;
}

static inline void node_set(unsigned nid, nodemask_t *m)
{
	m->bits[nid / 64] |= 1ULL << (nid % 64);
}

static inline void nodes_clear(nodemask_t *m)
{
	for (unsigned i = 0; i < HW_MAX_NODES / 64; i++)
		m->bits[i] = 0;
}

/* ---- GFP flags (Linux's names and meanings, sources.md §4.1) ------------- */

typedef uint32_t gfp_t;

#define __GFP_DMA             (1u << 0)
#define __GFP_HIGHMEM         (1u << 1)
#define __GFP_DMA32           (1u << 2)
#define __GFP_MOVABLE         (1u << 3)
#define __GFP_RECLAIMABLE     (1u << 4)
#define __GFP_HIGH            (1u << 5)   /* may dip into part of the MIN reserve */
#define __GFP_IO              (1u << 6)
#define __GFP_FS              (1u << 7)
#define __GFP_ZERO            (1u << 8)
#define __GFP_DIRECT_RECLAIM  (1u << 9)   /* may block: direct reclaim / compaction */
#define __GFP_KSWAPD_RECLAIM  (1u << 10)  /* may wake kswapd */
#define __GFP_WRITE           (1u << 11)
#define __GFP_NOWARN          (1u << 12)
#define __GFP_RETRY_MAYFAIL   (1u << 13)
#define __GFP_NOFAIL          (1u << 14)  /* treated as a normal request: numasim never loops forever */
#define __GFP_NORETRY         (1u << 15)
#define __GFP_MEMALLOC        (1u << 16)  /* ignore watermarks (reclaimers) */
#define __GFP_COMP            (1u << 17)  /* compound page: mark head and tails */
#define __GFP_NOMEMALLOC      (1u << 18)
#define __GFP_HARDWALL        (1u << 19)
#define __GFP_THISNODE        (1u << 20)  /* no fallback to other nodes */

#define __GFP_RECLAIM         (__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM)
#define GFP_ATOMIC            (__GFP_HIGH | __GFP_KSWAPD_RECLAIM)
#define GFP_KERNEL            (__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_NOWAIT            (__GFP_KSWAPD_RECLAIM | __GFP_NOWARN)
#define GFP_NOIO              (__GFP_RECLAIM)
#define GFP_NOFS              (__GFP_RECLAIM | __GFP_IO)
#define GFP_USER              (GFP_KERNEL | __GFP_HARDWALL)
#define GFP_DMA               __GFP_DMA
#define GFP_DMA32             __GFP_DMA32
#define GFP_HIGHUSER          (GFP_USER | __GFP_HIGHMEM)
#define GFP_HIGHUSER_MOVABLE  (GFP_HIGHUSER | __GFP_MOVABLE)
#define GFP_TRANSHUGE_LIGHT   ((GFP_HIGHUSER_MOVABLE | __GFP_COMP | __GFP_NOMEMALLOC | __GFP_NOWARN) & ~__GFP_RECLAIM)
#define GFP_TRANSHUGE         (GFP_TRANSHUGE_LIGHT | __GFP_DIRECT_RECLAIM)

/* Classzone of a request (gfp_zone) and its migratetype (gfp_migratetype). */
enum zone_type gfp_zone(gfp_t gfp);
enum migratetype gfp_migratetype(gfp_t gfp);

/* ---- the object ---------------------------------------------------------- */

typedef struct physmem physmem_t;

/*
 * Physical layout the allocator manages.  Node n owns the frames
 * [base_pfn[n], base_pfn[n] + pages[n]); ranges must not overlap.  A node
 * may have 0 pages (memory-less) or 0 CPUs (memory-only).
 */
struct physmem_layout {
	unsigned nr_nodes;
	uint64_t base_pfn[HW_MAX_NODES];
	uint64_t pages[HW_MAX_NODES];
	uint32_t distance[HW_MAX_NODES][HW_MAX_NODES];   /* SLIT, 10 = local */
	unsigned nr_cpus;
	uint16_t cpu_node[HW_MAX_CPUS];                    /* node of each CPU */
};

/*
 * Fill a layout from a finalized machine description: nodes laid out in
 * physical address order, node n starting where node n-1 ends (the layout
 * hw_node_base() uses), CPUs numbered consecutively across nodes.
 */
void physmem_layout_from_hw_cfg(struct physmem_layout *l, const struct hw_cfg *hc);

/*
 * Build nodes, zones (os_cfg: zone_dma, zone_dma32_end, movablecore),
 * zonelists, watermarks (min_free_kbytes, watermark_scale_factor),
 * lowmem_reserve and pcp sizes, with all memory free (every pageblock
 * MOVABLE).  Copies what it needs from both arguments.
 * @return 0, -SIM_ENOMEM, or -SIM_ECONFIG with a message in err.
 */
int physmem_create(physmem_t **out, const struct os_cfg *cfg, const struct physmem_layout *l, char *err,
		   size_t errlen);
void physmem_destroy(physmem_t *pm);

unsigned physmem_nr_nodes(const physmem_t *pm);
unsigned physmem_nr_cpus(const physmem_t *pm);
unsigned physmem_cpu_node(const physmem_t *pm, unsigned cpu);
unsigned physmem_node_distance(const physmem_t *pm, unsigned from, unsigned to);
/*
 * Node order of node nid's fallback zonelist (sources.md §1.3), nodes with
 * memory only.  Writes up to HW_MAX_NODES ids to out.  @return their count.
 */
unsigned physmem_node_order(const physmem_t *pm, unsigned nid, unsigned *out);

/* ---- frames --------------------------------------------------------------- */

/* true if pfn belongs to some node's range. */
bool pfn_valid(const physmem_t *pm, uint64_t pfn);
/*
 * Descriptor of a valid pfn, created (zeroed, node/zone filled) on first
 * use.  Never NULL for a valid pfn (aborts if the host is out of memory);
 * SIM_BUG_ON for an invalid one.
 */
struct page *pfn_to_page(physmem_t *pm, uint64_t pfn);
static inline uint64_t page_to_pfn(const struct page *p)
{
	return p->pfn;
}
/* Node / zone of a valid pfn, without creating its descriptor. */
unsigned pfn_to_nid(const physmem_t *pm, uint64_t pfn);
enum zone_type pfn_to_zone(const physmem_t *pm, uint64_t pfn);
/* Migratetype of the pageblock containing pfn. */
enum migratetype get_pageblock_migratetype(const physmem_t *pm, uint64_t pfn);
/* The migratetype an isolated pageblock had (and keeps, PB_ISOLATE); for others their type. */
enum migratetype get_pageblock_type_under_isolation(const physmem_t *pm, uint64_t pfn);

/* ---- allocation ------------------------------------------------------------ */

struct alloc_ctx {
	unsigned order;           /* 0..MAX_PAGE_ORDER */
	gfp_t gfp;                /* GFP_* mask: classzone, migratetype, behaviour */
	int preferred_nid;        /* NUMA_NO_NODE: the node of `cpu` */
	const nodemask_t *nodemask; /* allowed nodes; NULL: all */
	unsigned cpu;             /* CPU running the allocation: pcp lists, numa_local */
	bool interleave;          /* MPOL_INTERLEAVE chose preferred_nid: count interleave_hit */
	sim_time_t now;           /* simulated time, passed to the hooks */
};

/*
 * Allocate 2^order contiguous, naturally aligned frames.  On success *pfn
 * is the first frame; its descriptor has refcount 1 and order = order
 * (with __GFP_COMP: PG_head on the first frame and PG_tail plus private =
 * head pfn on the others).  __GFP_ZERO charges zero_page_cost per page.  *cost (if non-NULL) gets the simulated ps the
 * allocator spent (added to, not overwritten).
 * @return 0, -SIM_EOOM when every path failed (counted, never fatal), or
 * -SIM_ERANGE for order > MAX_PAGE_ORDER / bad node / bad cpu.
 */
int page_alloc(physmem_t *pm, const struct alloc_ctx *ac, uint64_t *pfn, sim_time_t *cost);

/*
 * Free 2^order frames starting at pfn, allocated by page_alloc() with the
 * same order.  Orders 0-3 and 9 go to `cpu`'s per-CPU list of the frame's
 * zone, others straight to the buddy allocator (sources.md §4.6).
 */
void page_free(physmem_t *pm, uint64_t pfn, unsigned order, unsigned cpu);

/* Return every per-CPU list to the buddy allocator (drain_all_pages). */
void drain_all_pages(physmem_t *pm);

enum compact_priority { COMPACT_PRIO_SYNC_FULL, COMPACT_PRIO_SYNC_LIGHT, COMPACT_PRIO_ASYNC };
enum compact_result {
	COMPACT_SKIPPED,          /* not suitable (too few free pages): did nothing */
	COMPACT_DEFERRED,         /* skipped because it failed recently */
	COMPACT_COMPLETE,         /* scanned the zones without success */
	COMPACT_SUCCESS,          /* a block of the order should now be free */
};

/*
 * Hooks for reclaim / compaction / OOM (set by their owner, all optional).
 * The slow path calls the ones that are set; a NULL hook means "no
 * progress".  Each adds the simulated ps it took to *cost.
 */
struct physmem_hooks {
	void *ctx;
	/* Wake kswapd of `nid` for (order, highest_zoneidx). */
	void (*wake_kswapd)(void *ctx, unsigned nid, unsigned order, enum zone_type highest_zoneidx,
			    const struct alloc_ctx *ac);
	/* Direct reclaim (try_to_free_pages).  @return pages reclaimed. */
	uint64_t (*direct_reclaim)(void *ctx, const struct alloc_ctx *ac, sim_time_t *cost);
	/*
	 * Direct compaction at `prio` (enum compact_priority).  Counted as
	 * compact_stall / compact_success / compact_fail here unless it
	 * returns COMPACT_SKIPPED.
	 */
	enum compact_result (*direct_compact)(void *ctx, const struct alloc_ctx *ac, enum compact_priority prio,
					      sim_time_t *cost);
	/* Reclaimable pages of a zone (file LRU + anon with swap): retry decisions. */
	uint64_t (*zone_reclaimable_pages)(void *ctx, unsigned nid, enum zone_type zid);
	/* OOM killer.  @return true if memory was (or will be) freed. */
	bool (*out_of_memory)(void *ctx, const struct alloc_ctx *ac, sim_time_t *cost);
	/*
	 * node_reclaim() for vm.zone_reclaim_mode != 0, called from the fast
	 * path for a zone under its watermark on a node within distance 30.
	 * @return pages reclaimed (0: skip the zone).
	 */
	uint64_t (*node_reclaim)(void *ctx, unsigned nid, const struct alloc_ctx *ac, sim_time_t *cost);
	/* kswapd gave the node up (kswapd_failures >= MAX_RECLAIM_RETRIES): zoneinfo's node_unreclaimable. */
	bool (*node_unreclaimable)(void *ctx, unsigned nid);
};
void physmem_set_hooks(physmem_t *pm, const struct physmem_hooks *h);

/* ---- zone queries (kswapd, compaction, reports) ---------------------------- */

enum zone_watermarks { WMARK_MIN, WMARK_LOW, WMARK_HIGH, WMARK_PROMO, NR_WMARK };

struct zone_info {
	bool populated;           /* managed > 0 */
	uint64_t start_pfn, spanned, present, managed;
	uint64_t watermark[NR_WMARK];   /* without boost */
	uint64_t watermark_boost;
	uint64_t lowmem_reserve[MAX_NR_ZONES];
	uint64_t nr_free;         /* NR_FREE_PAGES (excludes pcp pages) */
	uint64_t nr_reserved_highatomic;
	uint64_t nr_free_highatomic;
	uint64_t cma_pages;       /* pages of MIGRATE_CMA pageblocks (zone_cma_pages) */
	uint64_t nr_free_cma;     /* NR_FREE_CMA_PAGES */
	uint64_t pcp_pages;       /* pages sitting on per-CPU lists */
	uint64_t nr_free_blocks[NR_PAGE_ORDERS];  /* free_area[o].nr_free */
	int pcp_batch, pcp_high_min, pcp_high_max; /* per-CPU list sizing (§3.1) */
};

/* One CPU's per-CPU list of a zone (zeros until the CPU first uses it). */
struct pcp_info {
	int count, high, batch, high_min, high_max;
	int free_count, alloc_factor;
};
/* @return 0, or -SIM_ERANGE for a bad nid / zid / cpu. */
int physmem_pcp_info(const physmem_t *pm, unsigned nid, enum zone_type zid, unsigned cpu, struct pcp_info *out);
/* vm.min_free_kbytes in effect (configured, or Linux's default incl. the THP raise). */
uint64_t physmem_min_free_kbytes(const physmem_t *pm);
/* @return 0, or -SIM_ERANGE for a bad nid / zid. */
int physmem_zone_info(const physmem_t *pm, unsigned nid, enum zone_type zid, struct zone_info *out);

/* kswapd: the boost reclaimed for is spent (balance_pgdat's end); lower it by nr pages. */
void zone_reduce_boost(physmem_t *pm, unsigned nid, enum zone_type zid, uint64_t nr);

/*
 * __zone_watermark_ok for (order, mark, highest_zoneidx) with ordinary
 * alloc flags (no reserves): what kswapd uses to decide balance.
 */
bool zone_watermark_ok(const physmem_t *pm, unsigned nid, enum zone_type zid, unsigned order,
		       enum zone_watermarks mark, enum zone_type highest_zoneidx);

/* ---- compaction support (os/compaction.c) --------------------------------- */

/*
 * Descriptor of pfn if its pageblock has descriptors, else NULL: a block
 * without descriptors was never touched since boot and is entirely free.
 * Never allocates (scanners use it to skip untouched memory).
 */
struct page *pfn_page_peek(const physmem_t *pm, uint64_t pfn);

/*
 * __isolate_free_page + split_page: take the free buddy block headed at
 * pfn off its free list, if the zone stays above MIN + 2^order free pages
 * (the check Linux makes for non-isolated blocks).  The frames become
 * order-0 pages with refcount 0 owned by the caller, who gives each one
 * back with page_free(pm, pfn, 0, cpu) or hands it out (refcount 1).
 * @return the block's order, or -SIM_ESTATE (not a free block head) /
 * -SIM_EOOM (watermark).
 */
int page_isolate_free(physmem_t *pm, uint64_t pfn);

/* ---- contiguous ranges: CMA and memory hotplug (os/cma.c, os/memory_hotplug.c) ---- */

/*
 * The ranges below are MAX_ORDER-aligned (4 MiB) and inside one zone;
 * anything else is -SIM_ERANGE.
 *
 * init_cma_reserved_pageblock over [start, end) at boot: the pageblocks
 * become MIGRATE_CMA (only ALLOC_CMA, i.e. movable, requests take from
 * them) and count in the zone's cma pages.  Not in ZONE_MOVABLE.
 */
int pa_init_cma_range(physmem_t *pm, uint64_t start, uint64_t end);
/*
 * /proc/meminfo's CmaTotal (totalcma_pages) and CmaFree (global
 * NR_FREE_CMA_PAGES), in pages; both 0 and the lines absent without CMA.
 */
uint64_t physmem_cma_pages(const physmem_t *pm);
uint64_t physmem_free_cma_pages(const physmem_t *pm);
/*
 * start_isolate_page_range: retag the pageblocks MIGRATE_ISOLATE (their
 * free pages leave NR_FREE_PAGES) and drain the per-CPU lists so that
 * pages freed later land on the isolate lists.  With check_unmovable
 * (MEMORY_OFFLINE: has_unmovable_pages) a CMA pageblock or an allocated
 * page that is not on an LRU fails it with -SIM_EBUSY and *bad_pfn,
 * changing nothing.  An
 * already isolated pageblock is -SIM_EBUSY too.
 */
int start_isolate_page_range(physmem_t *pm, uint64_t start, uint64_t end, bool check_unmovable, uint64_t *bad_pfn);
/*
 * undo_isolate_page_range (Linux 6.16+): each pageblock gets back the
 * migratetype it had before start_isolate_page_range, and its free pages
 * go to that type's lists; a free block spanning pageblocks of different
 * types is split at their borders first.
 */
void undo_isolate_page_range(physmem_t *pm, uint64_t start, uint64_t end);
/* test_pages_isolated: @return the first pfn of [start, end) that is not free and isolated, or end. */
uint64_t test_pages_isolated(const physmem_t *pm, uint64_t start, uint64_t end);
/*
 * isolate_freepages_range for alloc_contig_range: [start, end) (any
 * alignment; its MAX_ORDER-aligned hull free and isolated) becomes
 * order-0 pages with refcount 1 owned by the caller; the rest of the hull
 * stays free.  The caller frees each page with page_free(pm, pfn, 0, cpu).
 */
void isolate_freepages_range(physmem_t *pm, uint64_t start, uint64_t end);
/*
 * __offline_isolated_pages + adjust_managed_page_count: the free, isolated
 * range leaves the buddy allocator (pages PG_reserved), present and
 * managed drop, then watermarks, reserves, pcp sizes and zonelists are
 * recomputed.  The zone keeps its span.  @return pages offlined.
 */
uint64_t offline_isolated_pages(physmem_t *pm, uint64_t start, uint64_t end);
/*
 * online_pages of an offline range into zone zid: its own zone, or
 * ZONE_MOVABLE when the range is the top of its zone and the node's
 * ZONE_MOVABLE is empty or starts right above, or ZONE_NORMAL when the
 * range is the bottom of ZONE_MOVABLE and ZONE_NORMAL ends right below
 * (numasim keeps each zone's span one interval; Linux lets spans overlap).
 * @return 0, -SIM_ERANGE (zone not allowed) or -SIM_ESTATE (not offline).
 */
int online_isolated_range(physmem_t *pm, uint64_t start, uint64_t end, enum zone_type zid);
/* Whether online_isolated_range(start, end, zid) would accept the zone (valid_zones). */
bool online_zone_allowed(const physmem_t *pm, uint64_t start, uint64_t end, enum zone_type zid);

/* ---- counters --------------------------------------------------------------- */

/* Add n to a machine-wide event (pgfault, numa_hint_faults, ...). */
void vmstat_inc(physmem_t *pm, enum vm_event_item ev, uint64_t n);
/* Change a per-node / per-zone stat by delta (gauges may go down). */
void node_stat_mod(physmem_t *pm, unsigned nid, enum node_stat_item item, int64_t delta);
void zone_stat_mod(physmem_t *pm, unsigned nid, enum zone_type zid, enum zone_stat_item item, int64_t delta);

uint64_t vmstat_event(const physmem_t *pm, enum vm_event_item ev);
uint64_t node_stat(const physmem_t *pm, unsigned nid, enum node_stat_item item);
uint64_t zone_stat(const physmem_t *pm, unsigned nid, enum zone_type zid, enum zone_stat_item item);
/* Node's NUMA event: sum over its zones (the nodeN/numastat file). */
uint64_t node_numa_stat(const physmem_t *pm, unsigned nid, enum numa_stat_item item);
uint64_t phys_stat(const physmem_t *pm, enum phys_stat_item item);

/* totalreserve_pages: per zone, max lowmem_reserve + high watermark, capped at managed (meminfo, dirty limits). */
uint64_t physmem_totalreserve_pages(const physmem_t *pm);

/* Host bytes held by frame descriptors and their section maps (tests). */
uint64_t physmem_host_bytes(const physmem_t *pm);

/* ---- views -------------------------------------------------------------------- */

/*
 * The views physmem_dump prints in Linux's text format (sources.md §12),
 * X(name, printer): /proc/buddyinfo, /proc/pagetypeinfo, /proc/zoneinfo,
 * numactl's default numastat table, /proc/vmstat.  The one list of these
 * names: os/os.c's view table expands it too.
 */
#define PHYSMEM_VIEWS(X)                      \
	X("buddyinfo", dump_buddyinfo)        \
	X("pagetypeinfo", dump_pagetypeinfo)  \
	X("zoneinfo", dump_zoneinfo)          \
	X("numastat", dump_numastat)          \
	X("vmstat", dump_vmstat)
/*
 * Print one of PHYSMEM_VIEWS, or "numastat-nodeN" (the sysfs file of node
 * N).  @return 0 or -SIM_EUSAGE for an unknown view.
 */
int physmem_dump(const physmem_t *pm, const char *view, FILE *fp);
/* The same numbers as JSON: "numastat" (array per node), "vmstat", "zones". */
void physmem_report(const physmem_t *pm, rep_t *r);

/*
 * Full consistency check of the buddy allocator: counts equal list lengths,
 * no two free buddies of the same order left unmerged, every free block
 * aligned and inside its zone, no overlap, free-page gauges exact.
 * SIM_BUG_ON on the first violation.  Run after every page_alloc/page_free
 * when built with -DSIM_DEBUG_VM.  Cost: O(free blocks).
 */
void buddy_check(physmem_t *pm);
/* The same check, reporting instead of aborting: 0 or -SIM_ESTATE + message. */
int buddy_verify(physmem_t *pm, char *err, size_t errlen);
/* Run buddy_check() after every operation of this instance (tests). */
void physmem_set_debug_vm(physmem_t *pm, bool on);
/*
 * Fault injection, as Linux's fail_page_alloc driven through
 * /proc/<pid>/fail-nth (Documentation/fault-injection/fault-injection.rst,
 * mm/fail_page_alloc.c should_fail_alloc_page): the nth page_alloc call
 * from now (1: the next one) fails as one that found no memory, without
 * reclaim or the OOM killer; 0 turns it off.  Error paths are tested with it.
 */
void physmem_set_fail_nth(physmem_t *pm, uint64_t nth);

/* floor(sqrt(x)), bit by bit like Linux's int_sqrt() (min_free_kbytes, inactive_ratio). */
uint64_t int_sqrt64(uint64_t x);

#endif
