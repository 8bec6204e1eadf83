/*
 * sim/resv.h - a resource booked in time: a link direction, a DDR data bus.
 *
 * Callers do not book in time order: CPU agents run up to a lookahead
 * apart, and a reply is booked when the request it answers completes,
 * later than requests issued after it.  A single "busy until" time would
 * make every earlier booking queue behind one placed far ahead (behind a
 * DRAM refresh, say).  So the resource remembers its last RESV_SLOTS
 * bookings and a new one takes the earliest gap that fits at or after the
 * time it is ready; when the table is full the oldest booking is forgotten
 * and nothing may be placed before its end (`floor`).
 *
 * Bookings never overlap, so starts and ends ascend together and the first
 * booking that ends after t is found by binary search.  No allocation.
 */
#ifndef SIM_RESV_H
#define SIM_RESV_H

#include "sim/types.h"

#define RESV_SLOTS 32

struct resv {
	sim_time_t start[RESV_SLOTS];   /* ascending */
	sim_time_t end[RESV_SLOTS];
	unsigned n;
	sim_time_t floor;               /* end of the latest forgotten booking */
};

/* Earliest start >= t of a free interval of length len (no state change). */
sim_time_t resv_probe(const struct resv *r, sim_time_t t, sim_time_t len);

/* Book [start, start + len) at the earliest such gap.  @return start. */
sim_time_t resv_book(struct resv *r, sim_time_t t, sim_time_t len);

#endif
