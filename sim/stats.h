/*
 * sim/stats.h - counters declared once, reported from their table.
 *
 * A module lists its counters in one X-macro:
 *
 *   #define CACHE_STATS(X) \
 *       X(CACHE_ACCESSES, accesses, EVENT, "accesses", "lookups of this cache") \
 *       X(CACHE_HITS,     hits,     EVENT, "accesses", "lookups that hit")
 *
 * and expands it into the enum, the descriptor table and the storage:
 *
 *   enum cache_stat { CACHE_STATS(STAT_ENUM) NR_CACHE_STATS };
 *   static const struct stat_desc cache_stat_desc[] = { CACHE_STATS(STAT_DESC) };
 *   STAT_TABLE_CHECK(cache_stat_desc, NR_CACHE_STATS);
 *   uint64_t stat[NR_CACHE_STATS];       (inside the module's struct)
 *
 * Hot paths index the array by enum; names are only read by printers, in
 * declaration order, which makes reports deterministic.
 */
#ifndef SIM_STATS_H
#define SIM_STATS_H

#include "sim/types.h"

enum stat_kind {
	STAT_EVENT,   /* only goes up */
	STAT_GAUGE,   /* current value (e.g. free pages) */
};

struct stat_desc {
	const char *name;   /* report key, Linux's name where Linux has one */
	enum stat_kind kind;
	const char *unit;
	const char *doc;
};

#define STAT_ENUM(id, name, kind, unit, doc) id,
#define STAT_DESC(id, name, kind, unit, doc) { #name, STAT_##kind, unit, doc },
#define STAT_TABLE_CHECK(table, nr) \
	_Static_assert(ARRAY_SIZE(table) == (nr), #table " out of sync with its enum")

/* A view of one component's counters, handed to report printers. */
struct stat_block {
	const struct stat_desc *desc;
	const uint64_t *val;
	size_t n;
};

#endif
