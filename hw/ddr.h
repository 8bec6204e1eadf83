/*
 * hw/ddr.h - one node's DDR memory controller.
 *
 * Channels, ranks, bank groups and banks, with a configurable mapping of
 * physical address bits to those coordinates.  Each bank remembers its open
 * row and when it is next free; each channel's data bus is a resource with
 * occupancy, so bandwidth saturates.  With the open-page policy:
 *   row hit       tCL
 *   row closed    tRCD + tCL
 *   row conflict  tRP + tRCD + tCL   (and tRAS must have elapsed since ACT)
 * plus the burst on the data bus (burst/2 nCK for DDR) and the fixed
 * front-end latency.  Refresh, when tREFI > 0, makes all banks of a rank
 * unavailable for tRFC every tREFI.  Writes wait in a per-channel write
 * queue, ordered by arrival time, and drain in batches on the bus, reads
 * first (docs/hw.md, "DDR writes"); a write's return is when the queue
 * accepted it.
 *
 * Hot path: ddr_access() allocates only when a write queue grows past its
 * largest size so far.
 */
#ifndef HW_DDR_H
#define HW_DDR_H

#include "hw/hw_cfg.h"
#include "sim/report.h"

typedef struct ddr ddr_t;

enum ddr_outcome { DDR_ROW_HIT, DDR_ROW_CLOSED, DDR_ROW_CONFLICT };

/* `base` is the node's first physical address: mapping uses paddr - base. */
int ddr_create(ddr_t **out, const struct ddr_cfg *cfg, unsigned node, uint64_t base, char *err, size_t errlen);
void ddr_destroy(ddr_t *d);
/* Nothing will be booked before *horizon any more (sim/resv.h); NULL: keep every booking. */
void ddr_set_horizon(ddr_t *d, const sim_time_t *horizon);

/*
 * One line-sized read or write arriving at the controller at `now`.
 * @return ps from `now` until the data is returned (read) or accepted
 * (write).  *outcome (may be NULL) says how the row buffer was found.
 */
sim_time_t ddr_access(ddr_t *d, uint64_t paddr, bool write, sim_time_t now, enum ddr_outcome *outcome);
/*
 * One line-sized write arriving at `now` (ddr_access(write) calls it).
 * @return ps from `now` until the queue accepted it; *wait (may be NULL):
 * the part of that spent waiting for a free queue entry.
 */
sim_time_t ddr_write(ddr_t *d, uint64_t paddr, sim_time_t now, sim_time_t *wait);
/*
 * n consecutive lines from `paddr`, all arriving at `now` (a page being
 * zeroed): the same bookings and counts as n ddr_write calls in address
 * order, without mapping each address from scratch.  @return the largest
 * of their ddr_write results.
 */
sim_time_t ddr_write_run(ddr_t *d, uint64_t paddr, uint64_t n, sim_time_t now);

/*
 * One line of a bulk copy's source (hw_copy_page) arriving at `now`.  The
 * copy's lines stream over every bank, so like a write drain it is bound by
 * the data bus alone: it takes the earliest bus slot at or after the
 * row-closed timing and leaves the bank state (open rows, ready times) to
 * demand reads, which a copy booked far ahead would otherwise hold back.
 * Like a demand read it books the write drains started by its arrival
 * first (docs/hw.md, "DDR writes").
 * Counted in reads, bytes, busy and queue delay; in no row outcome.
 * @return ps from `now` until the data is returned.
 */
sim_time_t ddr_read_stream(ddr_t *d, uint64_t paddr, sim_time_t now);

/*
 * Where an address lives inside the controller.  `column` counts 64-byte
 * lines within the row.  See hw/ddr.c for the bit layout of each mapping.
 */
struct ddr_coord {
	uint32_t channel, rank, bankgroup, bank, column;
	uint64_t row;
};
/* Decode `paddr` (>= base) with the configured mapping.  No state change. */
void ddr_map(const ddr_t *d, uint64_t paddr, struct ddr_coord *c);

/* Unloaded latency of a row-closed read (for mlc and calibration). */
sim_time_t ddr_idle_latency(const ddr_t *d);
/* Peak data-bus bandwidth, MB/s, over all channels. */
uint64_t ddr_peak_mbps(const ddr_t *d);

/* "ddr": {node, channels:[{reads, writes, row_hits, row_misses, row_conflicts, bytes, busy_ns, avg_queue_ns}]} */
void ddr_report(const ddr_t *d, sim_time_t end, rep_t *r);

#endif
