/*
 * os/page_alloc_internal.h - state of the physical-memory manager, shared by
 * physmem.c (setup, frames, zonelists, watermarks), page_alloc.c (buddy,
 * pcp, allocation paths, checker) and vmstat.c (views).  Not for use
 * outside those three files.
 *
 * Sparse frames: the pfn space is cut into 128 MiB sections (Linux's
 * SECTION_SIZE_BITS = 27); a section carries the migratetype of its 64
 * pageblocks and, per pageblock, a lazily allocated array of 512 struct
 * page.  A section that was never touched has no storage at all and all its
 * pageblocks are MOVABLE.
 *
 * Untouched free memory: at boot each zone's order-10-aligned middle is not
 * put on any list.  It is the interval [pristine_lo, pristine_hi) of order-10
 * MOVABLE blocks that logically sit, in address order, at the tail of
 * free_area[10].free_list[MIGRATE_MOVABLE] (where Linux's boot-time
 * FPI_TO_TAIL frees put them).  When that list is otherwise empty the lowest
 * pristine block is materialised as an ordinary list entry.  Nothing ever
 * merges with a pristine block (merging stops at order 10), so the interval
 * only shrinks from its low end.
 */
#ifndef OS_PAGE_ALLOC_INTERNAL_H
#define OS_PAGE_ALLOC_INTERNAL_H

#include "os/page_alloc.h"

#define PA_SECTION_SHIFT    15                 /* pfns per section: 2^15 = 128 MiB */
#define PA_SECTION_PAGES    (1ULL << PA_SECTION_SHIFT)
#define PA_SECTION_BLOCKS   (1u << (PA_SECTION_SHIFT - PAGEBLOCK_ORDER))  /* 64 */
#define MAX_NUMNODES        1024               /* CONFIG_NODES_SHIFT = 10, as on distro kernels */
#define PENALTY_FOR_NODE_WITH_CPUS 1
#define NODE_RECLAIM_DISTANCE 30
#define PCP_BATCH_SCALE_MAX 5                  /* CONFIG_PCP_BATCH_SCALE_MAX */
#define MIN_PERCPU_PAGELIST_HIGH_FRACTION 8
#define NR_LOWORDER_PCP_LISTS (MIGRATE_PCPTYPES * (PAGE_ALLOC_COSTLY_ORDER + 1))
#define NR_PCP_LISTS        (NR_LOWORDER_PCP_LISTS + 2)   /* + THP: non-movable, movable */
#define PA_MAX_PRISTINE_HOLES 16              /* beyond that, cuts materialise the rest of the interval */
#define MAX_COMPACT_RETRIES 16
#define PA_MAX_SLOW_LOOPS   1024               /* numasim: hard bound on slow-path retries (reclaim that frees a few pages per round while swap writes drain needs hundreds) */

/* alloc_flags (mm/internal.h), same meaning; values are numasim's. */
#define ALLOC_WMARK_MIN       WMARK_MIN
#define ALLOC_WMARK_LOW       WMARK_LOW
#define ALLOC_WMARK_HIGH      WMARK_HIGH
#define ALLOC_NO_WATERMARKS   0x04
#define ALLOC_WMARK_MASK      (ALLOC_NO_WATERMARKS - 1)
#define ALLOC_OOM             0x08
#define ALLOC_NON_BLOCK       0x10
#define ALLOC_MIN_RESERVE     0x20
#define ALLOC_CPUSET          0x40
#define ALLOC_CMA             0x80
#define ALLOC_NOFRAGMENT      0x100
#define ALLOC_HIGHATOMIC      0x200
#define ALLOC_KSWAPD          0x800
#define ALLOC_RESERVES        (ALLOC_NON_BLOCK | ALLOC_MIN_RESERVE | ALLOC_HIGHATOMIC | ALLOC_OOM)

/* zone->flags */
enum zone_flags {
	ZONE_BOOSTED_WATERMARK,   /* a fragmenting fallback boosted the watermarks */
	ZONE_RECLAIM_ACTIVE,      /* kswapd is reclaiming this zone */
	ZONE_BELOW_HIGH,          /* free pages dipped under the HIGH watermark */
};

/* per_cpu_pages->flags */
#define PCPF_PREV_FREE_HIGH_ORDER 0x01
#define PCPF_FREE_HIGH_BATCH      0x02

struct per_cpu_pages {
	int count;                /* pages on the lists */
	int high;                 /* auto-tuned limit, kept in [high_min, high_max] at use */
	int high_min, high_max;
	int batch;
	int free_count;           /* pages freed in a row, decays on allocation */
	int alloc_factor;         /* refill scale (batch << alloc_factor), decays on free */
	unsigned flags;
	struct list_head lists[NR_PCP_LISTS];
};

struct free_area {
	struct list_head free_list[MIGRATE_TYPES];
	uint64_t nr_list[MIGRATE_TYPES];   /* blocks per list (incl. pristine at order 10) */
	uint64_t nr_free;                  /* blocks of this order, all types */
};

struct zone {
	unsigned nid;
	enum zone_type zid;
	uint64_t start_pfn, spanned, present, managed;
	uint64_t wmark[NR_WMARK];
	uint64_t watermark_boost;
	uint64_t lowmem_reserve[MAX_NR_ZONES];
	uint64_t nr_reserved_highatomic;
	uint64_t nr_free_highatomic;
	uint64_t cma_pages;                 /* pages of MIGRATE_CMA pageblocks (zoneinfo "cma") */
	unsigned long flags;                /* 1 << enum zone_flags */
	struct free_area free_area[NR_PAGE_ORDERS];
	uint64_t pristine_lo, pristine_hi;  /* untouched order-10 MOVABLE blocks */
	/*
	 * Ranges cut out of the pristine interval (materialised for CMA or
	 * memory offlining), sorted, disjoint, inside (pristine_lo,
	 * pristine_hi): the pristine blocks are the interval minus these.
	 */
	uint64_t hole_lo[PA_MAX_PRISTINE_HOLES], hole_hi[PA_MAX_PRISTINE_HOLES];
	unsigned nr_holes;
	int pcp_batch, pcp_high_min, pcp_high_max;
	struct per_cpu_pages **pcp;         /* [nr_cpus], created on first use */
	uint64_t pcp_pages;                 /* sum of pcp counts */
	int64_t vm_stat[NR_VM_ZONE_STAT_ITEMS];
	uint64_t numa_stat[NR_VM_NUMA_EVENT_ITEMS];
};

struct zoneref {
	struct zone *zone;
};

struct pglist_data {
	unsigned nid;
	uint64_t start_pfn, end_pfn;        /* managed range (excludes a reserved pfn 0) */
	unsigned nr_cpus;
	struct zone zones[MAX_NR_ZONES];
	struct zoneref zonelist[HW_MAX_NODES * MAX_NR_ZONES + 1];   /* ZONELIST_FALLBACK, NULL-terminated */
	struct zoneref zonelist_thisnode[MAX_NR_ZONES + 1];          /* ZONELIST_NOFALLBACK */
	unsigned node_order[HW_MAX_NODES];
	unsigned nr_node_order;
	int64_t node_stat[NR_VM_NODE_STAT_ITEMS];
};

/*
 * Isolation is a bit of its own beside the pageblock's migratetype (Linux
 * 6.16+ PB_migrate_isolate, "mm/page_isolation: make page isolation a
 * standalone bit"): an isolated block reads MIGRATE_ISOLATE and keeps the
 * type it had, which undo_isolate_page_range gives back.
 */
#define PB_ISOLATE 0x80u

struct mem_section {
	struct page *blocks[PA_SECTION_BLOCKS];   /* 512 descriptors each, lazily */
	uint8_t pb_mt[PA_SECTION_BLOCKS];         /* pageblock migratetype, | PB_ISOLATE while isolated */
};

struct physmem {
	struct os_cfg cfg;
	unsigned nr_nodes;
	unsigned nr_cpus;
	uint16_t cpu_node[HW_MAX_CPUS];
	uint32_t distance[HW_MAX_NODES][HW_MAX_NODES];
	struct pglist_data *nodes[HW_MAX_NODES];
	uint64_t min_free_kbytes;
	uint64_t max_pfn;                   /* one past the highest valid pfn */
	struct mem_section **sections;
	uint64_t nr_sections;
	uint64_t host_bytes;                /* descriptors, sections, pcp structs */
	struct physmem_hooks hooks;
	unsigned memalloc_depth;            /* >0 inside a reclaim/compaction hook (PF_MEMALLOC) */
	bool debug_vm;
	uint64_t fail_nth;                  /* fault injection: the fail_nth-th page_alloc from now fails (0: off) */
	uint64_t cma_pages;                 /* totalcma_pages: 0 = a kernel without CMA areas (views omit CMA) */
	uint64_t vm_events[NR_VM_EVENT_ITEMS];
	uint64_t phys_stat[NR_PHYS_STATS];
};

static inline bool zone_flag(const struct zone *z, enum zone_flags f)
{
	return (z->flags >> f) & 1ul;
}

static inline void zone_flag_set(struct zone *z, enum zone_flags f)
{
	z->flags |= 1ul << f;
}

static inline void zone_flag_clear(struct zone *z, enum zone_flags f)
{
	z->flags &= ~(1ul << f);
}

static inline bool zone_populated(const struct zone *z)
{
	return z->managed > 0;
}

static inline uint64_t zone_end_pfn(const struct zone *z)
{
	return z->start_pfn + z->spanned;
}

static inline bool zone_spans_pfn(const struct zone *z, uint64_t pfn)
{
	return pfn >= z->start_pfn && pfn < zone_end_pfn(z);
}

static inline uint64_t wmark_pages(const struct zone *z, unsigned i)
{
	return z->wmark[i] + z->watermark_boost;
}

/* ---- physmem.c ---- */

/* Descriptor if its pageblock has storage, else NULL (never allocates). */
struct page *pa_page_lookup(const physmem_t *pm, uint64_t pfn);
struct zone *pa_pfn_zone(const physmem_t *pm, uint64_t pfn);
void pa_set_pageblock_mt(physmem_t *pm, uint64_t pfn, enum migratetype mt);
void *pa_alloc_host(physmem_t *pm, size_t bytes);   /* calloc that counts; aborts on host OOM */

/*
 * Zone sizes changed (memory hotplug): recompute min_free_kbytes (unless
 * set by the user), watermarks, lowmem reserves, pcp sizes and the
 * zonelists, as online_pages / offline_pages do.
 */
void pa_zones_changed(physmem_t *pm);

/* ---- page_alloc.c ---- */

/* Pristine blocks left in z: its interval minus the holes (order-10 blocks). */
uint64_t pa_pristine_blocks(const struct zone *z);

/* Put [pfn, pfn + 2^order) on the free lists at boot (FPI_TO_TAIL). */
void pa_free_boot_block(physmem_t *pm, struct zone *z, uint64_t pfn, unsigned order);
bool pa_area_empty(const struct zone *z, unsigned order, enum migratetype mt);
uint64_t pa_zone_free_pages(const struct zone *z);

#endif
