/*
 * os/cma.h - the Contiguous Memory Allocator (Linux's mm/cma.c,
 * kernel/dma/contiguous.c, alloc_contig_range in mm/page_alloc.c).
 *
 * At boot, os.cma_pernuma (cma_pernuma=) reserves an area "pernumaN" on
 * every node with memory and os.numa_cma (numa_cma=N:size) an area "numaN"
 * on the nodes listed (declared in that order: numaN sits below pernumaN),
 * each at the top of the node's highest kernel zone (memblock allocates
 * top-down) and MAX_ORDER-aligned.  A driver's allocation tries pernumaN,
 * then numaN (dma_alloc_contiguous).  Its pageblocks are
 * MIGRATE_CMA: movable allocations use them (ALLOC_CMA, with __rmqueue's
 * balance rule), other allocations never do and do not count their free
 * pages against watermarks (os/page_alloc.c).
 *
 * cma_alloc takes count pages of an area for a driver: it finds a free,
 * aligned range in the area's bitmap and runs alloc_contig_range on it
 * (isolate, migrate the movable pages out through os/migrate.c with
 * MR_CONTIG_RANGE, check every page is free, take them); a busy range
 * (a pinned or unmovable page) moves the search on past it, as
 * cma_range_alloc does, until the area is exhausted.
 *
 * Counters: vmstat cma_alloc_success / cma_alloc_fail (calls) and, per
 * area, /sys/kernel/mm/cma/<name>/{alloc_pages_success, alloc_pages_fail,
 * release_pages_success, total_pages, available_pages} (`--dump cma`).
 */
#ifndef OS_CMA_H
#define OS_CMA_H

#include "os/fault.h"

/* Reserve the configured areas (os_init, before the first allocation). @return 0 or -SIM_ECONFIG. */
int cma_init(struct os *os, char *err, size_t errlen);
void cma_destroy(struct os *os);

/*
 * cma_alloc(the first area of node nid, count, align order) for the CPU `cpu` at `now`:
 * *pfn = the first of count contiguous pages (refcount 1 each), *cost +=
 * the time (scan, migration).  @return 0, -SIM_ERANGE (no CMA area on the
 * node, count 0 or larger than the area, align > MAX_PAGE_ORDER) or
 * -SIM_EBUSY when no range could be freed (cma_alloc_fail).
 */
int cma_alloc(struct os *os, unsigned nid, uint64_t count, unsigned align, unsigned cpu, sim_time_t now,
	      uint64_t *pfn, sim_time_t *cost);
/* cma_release of pages [pfn, pfn + count) of an area of node nid.  @return 0 or -SIM_ERANGE (not allocated there). */
int cma_release(struct os *os, unsigned nid, uint64_t pfn, uint64_t count, unsigned cpu);

/*
 * The trace's control records: CMA_ALLOC node count (align: the order
 * of count rounded up, capped at CONFIG_CMA_ALIGNMENT = 8, as
 * dma_alloc_contiguous asks; pernumaN, then numaN) and CMA_RELEASE node
 * count (the latest allocation of that size on the node).  err gets Linux's errno and the reason.
 */
int cma_sys_alloc(struct os *os, uint64_t node, uint64_t count, unsigned cpu, sim_time_t now, sim_time_t *cost,
		  char *err, size_t errlen);
int cma_sys_release(struct os *os, uint64_t node, uint64_t count, unsigned cpu, char *err, size_t errlen);

/* The `cma` view: /sys/kernel/mm/cma/<name>/<file>:<value>, grep . style. */
void cma_dump(const struct os *os, FILE *fp);
/* The "cma" report section (absent without areas). */
void cma_report(const struct os *os, rep_t *r);

#endif
