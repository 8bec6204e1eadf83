/*
 * sim/resv.h - a resource booked in time: a link direction, a DDR data bus.
 *
 * The replay resolves accesses in global issue order (docs/engine.md), but
 * one access books several resources at later times along its path (the
 * link on the way out, the DDR bus, the link back), and those times depend
 * on the path: a local request issued after a remote one can reach the same
 * DDR bus first.  A single "busy until" time would make the earlier arrival
 * queue behind the later one.  So the resource keeps every booking that may
 * still matter and a new one takes the earliest gap that fits at or after
 * the time it is ready.
 *
 * What "may still matter" is exact, not a window: the owner sets a horizon
 * (`*horizon`), the time before which nothing will ever be booked again (the
 * driver's global clock).  Bookings that end at or before it are forgotten;
 * the rest are kept, in a growable array, however many there are.  So the
 * result never depends on a table size.
 *
 * Bookings never overlap, so starts and ends ascend together and the first
 * booking that ends after t is found by binary search.
 */
#ifndef SIM_RESV_H
#define SIM_RESV_H

#include "sim/types.h"

struct resv {
	sim_time_t *start;              /* [head, n): ascending */
	sim_time_t *end;
	unsigned head, n, cap;
	sim_time_t floor;               /* end of a booking forgotten for lack of memory */
	const sim_time_t *horizon;      /* NULL: keep everything */
};

/* An empty calendar; horizon may be NULL. */
void resv_init(struct resv *r, const sim_time_t *horizon);
void resv_destroy(struct resv *r);

/* Earliest start >= t of a free interval of length len (no state change). */
sim_time_t resv_probe(const struct resv *r, sim_time_t t, sim_time_t len);

/*
 * Book [start, start + len) at the earliest such gap.  @return start.
 * Grows the table when needed; if memory runs out, the oldest booking is
 * forgotten instead (its end becomes a floor) and `lost` counts it.
 */
sim_time_t resv_book(struct resv *r, sim_time_t t, sim_time_t len);

/* Bookings forgotten for lack of memory (0 in any normal run). */
extern uint64_t resv_lost;

#endif
