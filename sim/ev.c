/*
 * sim/ev.c - the event queue: events sorted by (when, seq) in the window
 * ev[lo .. lo + n) of an array of pointers (see ev.h for why not a heap).
 */
#include <stdlib.h>
#include <string.h>
#include "sim/err.h"
#include "sim/ev.h"
#include "sim/fault_inject.h"

static inline bool ev_before(const struct ev *a, const struct ev *b)
{
	return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

int evq_init(struct evq *q)
{
	q->cap = 64;
	q->lo = 0;
	q->n = 0;
	q->next_seq = 0;
	q->now = 0;
	q->nr_run = 0;
	q->ev = malloc(q->cap * sizeof(*q->ev));
	return q->ev ? 0 : -SIM_ENOMEM;
}

void evq_destroy(struct evq *q)
{
	for (size_t i = 0; i < q->n; i++)
		q->ev[q->lo + i]->queued = EV_IDLE;
	free(q->ev);
	q->ev = NULL;
	q->lo = q->n = q->cap = 0;
}

/* Index (from lo) of the first event not before ev: where ev is, or would go. */
static size_t lower_bound(const struct evq *q, const struct ev *ev)
{
	size_t lo = 0, hi = q->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ev_before(q->ev[q->lo + mid], ev))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void remove_queued(struct evq *q, struct ev *ev)
{
	size_t i = lower_bound(q, ev);
	struct ev **w = &q->ev[q->lo];

	SIM_BUG_ON(i >= q->n || w[i] != ev);
	/* close the gap from the nearer end */
	if (i < q->n / 2) {
		memmove(&w[1], &w[0], i * sizeof(*w));
		q->lo++;
	} else {
		memmove(&w[i], &w[i + 1], (q->n - i - 1) * sizeof(*w));
	}
	q->n--;
	ev->queued = EV_IDLE;
}

/* Make room for one more event at the window's end. */
static int make_room(struct evq *q)
{
	if (q->lo + q->n < q->cap)
		return 0;
	if (q->n < q->cap / 2) {
		/* the window has crept to the end: move it back to the start */
		memmove(q->ev, &q->ev[q->lo], q->n * sizeof(*q->ev));
		q->lo = 0;
		return 0;
	}
	/* the injected failure (tests only) sits on the doubling branch, never on the common path */
	struct ev **ne = sim_fault_hit(SIM_FAULT_EV_GROW) ? NULL : malloc(2 * q->cap * sizeof(*ne));
	if (!ne)
		return -SIM_ENOMEM;
	memcpy(ne, &q->ev[q->lo], q->n * sizeof(*ne));
	free(q->ev);
	q->ev = ne;
	q->lo = 0;
	q->cap *= 2;
	return 0;
}

int ev_schedule(struct evq *q, struct ev *ev, sim_time_t when)
{
	struct ev **w;
	size_t i;

	if (when < q->now)
		return -SIM_ESTATE;
	if (ev_pending(ev))
		remove_queued(q, ev);
	if (make_room(q))
		return -SIM_ENOMEM;
	ev->when = when;
	ev->seq = q->next_seq++;
	ev->queued = EV_QUEUED;
	w = &q->ev[q->lo];
	/* its seq is the largest: it goes after every event due no later, usually at the end */
	if (!q->n || when >= w[q->n - 1]->when) {
		w[q->n++] = ev;
		return 0;
	}
	i = lower_bound(q, ev);
	if (q->lo && i < q->n / 2) {
		memmove(&w[-1], &w[0], i * sizeof(*w));
		q->lo--;
		q->ev[q->lo + i] = ev;
	} else {
		memmove(&w[i + 1], &w[i], (q->n - i) * sizeof(*w));
		w[i] = ev;
	}
	q->n++;
	return 0;
}

void ev_cancel(struct evq *q, struct ev *ev)
{
	if (ev_pending(ev))
		remove_queued(q, ev);
}

bool evq_run_one(struct evq *q)
{
	struct ev *ev;

	if (!q->n)
		return false;
	ev = q->ev[q->lo++];
	q->n--;
	ev->queued = EV_IDLE;
	q->now = ev->when;
	q->nr_run++;
	ev->fn(ev, ev->ctx);
	return true;
}

void evq_run_until(struct evq *q, sim_time_t until)
{
	while (q->n && q->ev[q->lo]->when <= until)
		evq_run_one(q);
}
