/*
 * os/compaction.h - memory compaction (Linux 6.12 mm/compaction.c,
 * sources.md §8): per-zone migrate and free scanners meeting in the
 * middle, suitability and the fragmentation index, direct compaction with
 * deferral through the page allocator's direct_compact hook, kcompactd per
 * node and proactive compaction as events on the simulation's queue.
 *
 * The migrate scanner walks pageblocks upward from the zone start isolating
 * movable order-0 user pages (up to COMPACT_CLUSTER_MAX per batch); the
 * free scanner walks pageblocks downward from the zone end isolating free
 * buddy blocks (split to order-0 targets); each batch is migrated with
 * reason MR_COMPACTION.  The run ends when the scanners meet (COMPLETE) or,
 * for an allocation of order > 0, once a free block of that order exists
 * at a pageblock boundary of the migrate scanner (SUCCESS).  Pageblocks
 * with no frame descriptors (untouched since boot: entirely free) are
 * skipped without scanning.  THPs are not moved (they already fill a
 * pageblock).
 */
#ifndef OS_COMPACTION_H
#define OS_COMPACTION_H

#include "os/mig_state.h"

#define COMPACT_CLUSTER_MAX 32

/* ---- pure rules (unit-tested against sources.md vectors) -------------------------------- */

/*
 * __fragmentation_index: 0..1000 (near 0: lack of memory, near 1000:
 * fragmentation), -1000 if a block of `order` is free, 0 with no free
 * blocks.  nr_free[o] = free blocks of order o.
 */
int fragmentation_index(const uint64_t nr_free[NR_PAGE_ORDERS], unsigned order);
/* extfrag_for_order: percentage of free memory unusable for `order`. */
unsigned extfrag_for_order(const uint64_t nr_free[NR_PAGE_ORDERS], unsigned order);

/* §8.4 deferral on one zone's state. */
void defer_compaction(struct compact_zone *cz, unsigned order);
bool compaction_deferred(struct compact_zone *cz, unsigned order);
void compaction_defer_reset(struct compact_zone *cz, unsigned order, bool alloc_success);

/* ---- operations ---------------------------------------------------------------------------- */

enum compact_zone_result { CZ_SKIPPED, CZ_NOT_SUITABLE, CZ_COMPLETE, CZ_SUCCESS };

/*
 * compaction_suitable (§8.2) for zone (nid, zid): enough free memory
 * (LOW or MIN + 2 << order) and, for order > 3, a fragmentation index
 * above vm.extfrag_threshold.
 */
bool compaction_suitable(struct os *os, unsigned nid, enum zone_type zid, unsigned order,
			 enum zone_type classzone);

struct compact_control {
	int order;                /* -1: the whole zone (proactive, compact_memory) */
	enum compact_priority prio;
	enum zone_type classzone;
	unsigned cpu;             /* CPU doing the work */
	sim_time_t now;
	bool kcompactd;           /* count compact_daemon_* too */
	/* out */
	uint64_t migrate_scanned, free_scanned, isolated, migrated, failed;
	sim_time_t cost;
};

/* compact_zone: run the scanners on one zone.  cc->cost += its time. */
enum compact_zone_result compact_zone(struct os *os, unsigned nid, enum zone_type zid, struct compact_control *cc);

/* vm.compact_memory: whole-zone compaction of every zone of every node.  @return the CPU time. */
sim_time_t compact_all(struct os *os, unsigned cpu, sim_time_t now);

/*
 * wakeup_kcompactd(pgdat, order, classzone): for order > 0, if some zone
 * of nid would profit, schedule that node's kcompactd now.  Reclaim's kswapd
 * calls it before sleeping.
 */
void wakeup_kcompactd(struct os *os, unsigned nid, unsigned order, enum zone_type classzone);

/* The direct_compact hook (struct physmem_hooks), ctx = the os. */
enum compact_result compaction_direct_hook(void *ctx, const struct alloc_ctx *ac, enum compact_priority prio,
					    sim_time_t *cost);

/* Node fragmentation score (§8.5, 0..100). */
unsigned fragmentation_score_node(struct os *os, unsigned nid);

/* Set up kcompactd events (mig_init) and the proactive timer. */
void compaction_init(struct os *os);
void compaction_destroy(struct os *os);

#endif
