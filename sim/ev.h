/*
 * sim/ev.h - the discrete-event queue.
 *
 * Caller-owned `struct ev` nodes kept sorted by (time, seq) in an array of
 * pointers.  `seq` is taken from a 64-bit counter when an event is
 * scheduled, so events due at the same picosecond run in the order they were
 * scheduled (FIFO) and every run is reproducible bit for bit.
 *
 * The heap holds CPU agents (each at the time of its thread's next record),
 * kernel threads (kswapd, kcompactd, the NUMA-balancing scanner) and
 * periodic sampling.  An agent touches it only when another event is due
 * before its next record (docs/engine.md).
 *
 * Why a sorted array and not a heap: the common operation is a thread's
 * agent taking the earliest event and putting itself back after every other
 * thread's (threads take turns), which is O(1) at both ends of the array's
 * live window, where a heap sifts log n levels twice.  An event due among
 * others is placed by a binary search and a memmove of the shorter side;
 * the window is moved back to the array's start when it reaches the end.
 * Cancellation (a binary search on (time, seq)) is safe from inside a
 * callback.
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
	size_t queued;       /* EV_QUEUED while queued; EV_IDLE (0) when not, so a
				zero-filled node (calloc) is idle and safe to cancel */
};

#define EV_IDLE ((size_t)0)
#define EV_QUEUED ((size_t)1)

struct evq {
	struct ev **ev;      /* ev[lo .. lo + n), sorted by (when, seq) */
	size_t lo, n, cap;
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
	ev->queued = EV_IDLE;
}

static inline bool ev_pending(const struct ev *ev)
{
	return ev->queued != EV_IDLE;
}

/*
 * Schedule ev at absolute time `when` (>= q->now).  Re-scheduling a pending
 * event moves it and gives it a fresh sequence number.
 * @return 0, -SIM_ENOMEM, or -SIM_ESTATE if `when` lies in the past.
 * On failure ev is left idle (a pending one is dropped).  Tests make the
 * array's doubling fail with sim/fault_inject.h (SIM_FAULT_EV_GROW).
 */
int ev_schedule(struct evq *q, struct ev *ev, sim_time_t when);

/* Remove a pending event; a no-op for an idle one. */
void ev_cancel(struct evq *q, struct ev *ev);

/* The earliest event (NULL if empty), not removed. */
static inline struct ev *evq_peek(const struct evq *q)
{
	return q->n ? q->ev[q->lo] : NULL;
}

/* Due time of the earliest event, or SIM_TIME_MAX if empty. */
static inline sim_time_t evq_peek_time(const struct evq *q)
{
	return q->n ? q->ev[q->lo]->when : SIM_TIME_MAX;
}

/*
 * Pop and run the earliest event, advancing q->now to its time.
 * @return false when the queue is empty.
 */
bool evq_run_one(struct evq *q);

/* Run events until the queue is empty or the next is due after `until`. */
void evq_run_until(struct evq *q, sim_time_t until);

#endif
