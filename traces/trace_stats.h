/*
 * traces/trace_stats.h - what a trace contains, in one streaming pass.
 *
 * Counts records by kind and thread, sums gaps and bytes, and measures the
 * footprint as the number of distinct 4 KiB pages touched (an access that
 * straddles pages touches each of them).  Memory grows with the footprint (a
 * hash set of page numbers, 16 bytes per page at worst), never with the trace
 * length.  Used by `numasim trace stat` and by tests.
 */
#ifndef TRACES_TRACE_STATS_H
#define TRACES_TRACE_STATS_H

#include "sim/stats.h"
#include "traces/trace.h"

/* Memory-op counters come first, in enum trace_op order (TSTAT_LOADS + op). */
#define TRACE_STATS(X)                                                                          \
	X(TSTAT_LOADS,     loads,            EVENT, "records",      "load records")            \
	X(TSTAT_STORES,    stores,           EVENT, "records",      "store records")           \
	X(TSTAT_IFETCHES,  ifetches,         EVENT, "records",      "instruction fetch records") \
	X(TSTAT_MODIFIES,  modifies,         EVENT, "records",      "read-modify-write records") \
	X(TSTAT_CONTROL,   control,          EVENT, "records",      "control records")         \
	X(TSTAT_RECORDS,   records,          EVENT, "records",      "records of every kind")   \
	X(TSTAT_DEP,       dependent,        EVENT, "records",      "data accesses flagged TREC_DEP (address from the previous load)") \
	X(TSTAT_BYTES,     bytes,            EVENT, "bytes",        "bytes accessed by memory records") \
	X(TSTAT_GAP,       gap_instructions, EVENT, "instructions", "non-memory instructions (sum of gaps)") \
	X(TSTAT_PAGES,     pages_4k,         GAUGE, "pages",        "distinct 4 KiB pages touched") \
	X(TSTAT_THREADS,   threads,          GAUGE, "threads",      "highest thread id + 1")   \
	X(TSTAT_ADDR_MIN,  addr_min,         GAUGE, "address",      "lowest byte accessed (0 if none)") \
	X(TSTAT_ADDR_MAX,  addr_max,         GAUGE, "address",      "highest byte accessed (0 if none)")

enum trace_stat {
	TRACE_STATS(STAT_ENUM)
	NR_TRACE_STATS
};
_Static_assert(TSTAT_LOADS + TOP_CTRL == TSTAT_CONTROL, "op counters follow enum trace_op");

struct trace_stats {
	uint64_t stat[NR_TRACE_STATS];
	uint64_t ctrl[NR_TRACE_CTRLS];      /* control records by kind */
	uint64_t *thread_recs;              /* records per thread, [stat[TSTAT_THREADS]] valid */
	unsigned thread_cap;

	/* private: open-addressing set of page number + 1 (0 = empty slot) */
	uint64_t *page_set;
	size_t page_cap;                    /* power of two */
	uint64_t last_page;                 /* page + 1 of the previous access: skips repeat lookups */
};

void trace_stats_init(struct trace_stats *s);
void trace_stats_free(struct trace_stats *s);

/* Account one batch.  @return 0 or -SIM_ENOMEM. */
int trace_stats_add(struct trace_stats *s, const struct trace_batch *b);

/*
 * Read a whole trace into s (initialised by the caller); *detected (may be
 * NULL) receives the format actually read.  @return 0 or the reader's error.
 */
int trace_stats_file(struct trace_stats *s, const char *path, enum trace_format fmt,
		     enum trace_format *detected, char *err, size_t errlen);

/* The counters as a block for report printers, in table order. */
struct stat_block trace_stats_block(const struct trace_stats *s);

#endif
