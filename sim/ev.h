/*
 * sim/ev.h - the discrete-event queue.
 *
 * An intrusive binary min-heap of caller-owned `struct ev` nodes keyed by
 * (time, seq).  `seq` is taken from a 64-bit counter when an event is
 * scheduled, so events due at the same picosecond run in the order they were
 * scheduled (FIFO) and every run is reproducible bit for bit.
 *
 * The heap holds CPU agents (each at the time of its thread's next record),
 * kernel threads (kswapd, kcompactd, the NUMA-balancing scanner) and
 * periodic sampling.  An agent touches it only when another event is due
 * before its next record (docs/engine.md).
 *
 * Cancellation is O(log n) through the node's heap index and is safe from
 * inside a callback (including cancelling the running event's successors).
 */
#ifndef SIM_EV_H
#define SIM_EV_H

#include "sim/types.h"

struct ev;
typedef void (*ev_fn)(struct ev *ev, void *ctx);

struct ev {
	sim_time_t when;     /* due time, ps */
	uint64_t seq;        /* tie-breaker: scheduling order */
	ev_fn fn;            /* callback */
	void *ctx;           /* callback context */
	/* private to ev.c */
	size_t heap_idx;     /* position in the heap + 1; EV_IDLE (0) when not queued, so a
				zero-filled node (calloc) is idle and safe to cancel */
};

#define EV_IDLE ((size_t)0)

struct evq {
	struct ev **heap;
	size_t n, cap;
	uint64_t next_seq;
	sim_time_t now;      /* time of the event being (or last) run */
	uint64_t nr_run;     /* events executed */
};

/* Initialise an empty queue at time 0.  @return 0 or -SIM_ENOMEM. */
int evq_init(struct evq *q);
void evq_destroy(struct evq *q);

/* Prepare a node for use; it is idle until scheduled. */
static inline void ev_init(struct ev *ev, ev_fn fn, void *ctx)
{
	ev->when = 0;
	ev->seq = 0;
	ev->fn = fn;
	ev->ctx = ctx;
	ev->heap_idx = EV_IDLE;
}

static inline bool ev_pending(const struct ev *ev)
{
	return ev->heap_idx != EV_IDLE;
}

/*
 * Schedule ev at absolute time `when` (>= q->now).  Re-scheduling a pending
 * event moves it and gives it a fresh sequence number.
 * @return 0, -SIM_ENOMEM, or -SIM_ESTATE if `when` lies in the past.
 */
int ev_schedule(struct evq *q, struct ev *ev, sim_time_t when);

/* Remove a pending event; a no-op for an idle one. */
void ev_cancel(struct evq *q, struct ev *ev);

/* Due time of the earliest event, or SIM_TIME_MAX if empty. */
static inline sim_time_t evq_peek_time(const struct evq *q)
{
	return q->n ? q->heap[0]->when : SIM_TIME_MAX;
}

/*
 * Pop and run the earliest event, advancing q->now to its time.
 * @return false when the queue is empty.
 */
bool evq_run_one(struct evq *q);

/* Run events until the queue is empty or the next is due after `until`. */
void evq_run_until(struct evq *q, sim_time_t until);

#endif
