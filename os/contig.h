/*
 * os/contig.h - emptying a physical range of its movable pages, shared by
 * CMA (alloc_contig_range) and memory offlining (do_migrate_range):
 * Linux's mm/page_alloc.c __alloc_contig_migrate_range and
 * mm/memory_hotplug.c do_migrate_range over the buddy-level isolation of
 * os/page_alloc.h.
 */
#ifndef OS_CONTIG_H
#define OS_CONTIG_H

#include "os/migrate.h"

/*
 * Migrate the movable pages of [start, end) (isolated pageblocks) out:
 * destinations from alloc_migration_target on `nid` with, if avoid_nid,
 * every node but nid allowed (offline_pages prefers other nodes unless
 * nid is the only one with memory).  Pages that fail are tried again up
 * to 5 times (__alloc_contig_migrate_range's tries).  *cost += the scan
 * (compact_scan_cost per page) and the migrations.  @return base pages
 * still in use in the range that could not be moved (0 = all moved).
 */
uint64_t migrate_range_out(struct os *os, uint64_t start, uint64_t end, enum migrate_reason reason, unsigned nid,
			   bool avoid_nid, unsigned cpu, sim_time_t now, sim_time_t *cost);

/*
 * alloc_contig_range(start, end) for CMA: isolate the MAX_ORDER-aligned
 * hull, migrate [start, end) out, check every page is free, take the
 * pages (refcount 1 each), give each pageblock back the type it had
 * (undo_isolate_page_range).
 * @return 0, -SIM_ERANGE (the range is outside the zone) or -SIM_EBUSY (a
 * page could not be freed); nothing is taken on failure.
 */
int alloc_contig_range(struct os *os, uint64_t start, uint64_t end, unsigned cpu, sim_time_t now, sim_time_t *cost);

#endif
