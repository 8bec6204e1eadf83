/*
 * hw/pool.h - a pool of n identical entries, each busy until some time (a
 * core's L2 queue, its page walkers): a request takes the entry that frees
 * first and holds it until the request is done.
 *
 * Only the times matter, not which entry is which, so they are kept sorted
 * in a ring, r[*head] the earliest.  The taken time leaves the head and its
 * new value goes in at the tail, which is where it belongs almost always
 * (requests finish in about the order they issue), instead of a scan for
 * the minimum on every request.  Start from n zeros and head 0.
 */
#ifndef HW_POOL_H
#define HW_POOL_H

#include "sim/types.h"

/* Take the entry that frees first until `done` (or its own time, if later); *free_at: the next one's. */
static inline void pool_take(sim_time_t *r, unsigned n, uint32_t *head, sim_time_t *free_at, sim_time_t done)
{
	const unsigned h = *head, first = h + 1 == n ? 0 : h + 1;
	const sim_time_t x = SIM_MAX(r[h], done);
	unsigned pos = h;        /* the head's slot is now the tail's */

	while (pos != first) {
		unsigned prev = pos ? pos - 1 : n - 1;
		if (r[prev] <= x)
			break;
		r[pos] = r[prev];
		pos = prev;
	}
	r[pos] = x;
	*head = first;
	*free_at = r[first];
}

#endif
