/*
 * sim/ev.c - binary heap of events ordered by (when, seq).
 *
 * A heap rather than a calendar queue: the queue holds at most a few
 * hundred events (one per CPU agent plus kernel threads), so O(log n) with
 * small constants wins and its order is trivially deterministic.
 */
#include <stdlib.h>
#include "sim/err.h"
#include "sim/ev.h"

static inline bool ev_before(const struct ev *a, const struct ev *b)
{
	return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

static void heap_set(struct evq *q, size_t i, struct ev *ev)
{
	q->heap[i] = ev;
	ev->heap_idx = i + 1;
}

static void sift_up(struct evq *q, size_t i)
{
	struct ev *ev = q->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!ev_before(ev, q->heap[parent]))
			break;
		heap_set(q, i, q->heap[parent]);
		i = parent;
	}
	heap_set(q, i, ev);
}

static void sift_down(struct evq *q, size_t i)
{
	struct ev *ev = q->heap[i];

	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		const struct ev *best = ev;
		if (l < q->n && ev_before(q->heap[l], best)) {
			m = l;
			best = q->heap[l];
		}
		if (r < q->n && ev_before(q->heap[r], best))
			m = r;
		if (m == i)
			break;
		heap_set(q, i, q->heap[m]);
		i = m;
	}
	heap_set(q, i, ev);
}

int evq_init(struct evq *q)
{
	q->cap = 64;
	q->n = 0;
	q->next_seq = 0;
	q->now = 0;
	q->nr_run = 0;
	q->heap = malloc(q->cap * sizeof(*q->heap));
	return q->heap ? 0 : -SIM_ENOMEM;
}

void evq_destroy(struct evq *q)
{
	for (size_t i = 0; i < q->n; i++)
		q->heap[i]->heap_idx = EV_IDLE;
	free(q->heap);
	q->heap = NULL;
	q->n = q->cap = 0;
}

static void heap_remove_at(struct evq *q, size_t i)
{
	struct ev *gone = q->heap[i];
	struct ev *last = q->heap[--q->n];

	gone->heap_idx = EV_IDLE;
	if (i == q->n)
		return;
	heap_set(q, i, last);
	if (i > 0 && ev_before(last, q->heap[(i - 1) / 2]))
		sift_up(q, i);
	else
		sift_down(q, i);
}

int ev_schedule(struct evq *q, struct ev *ev, sim_time_t when)
{
	if (when < q->now)
		return -SIM_ESTATE;
	if (ev_pending(ev))
		heap_remove_at(q, ev->heap_idx - 1);
	if (q->n == q->cap) {
		size_t ncap = q->cap * 2;
		struct ev **nh = realloc(q->heap, ncap * sizeof(*nh));
		if (!nh)
			return -SIM_ENOMEM;
		q->heap = nh;
		q->cap = ncap;
	}
	ev->when = when;
	ev->seq = q->next_seq++;
	heap_set(q, q->n++, ev);
	sift_up(q, q->n - 1);
	return 0;
}

void ev_cancel(struct evq *q, struct ev *ev)
{
	if (ev_pending(ev))
		heap_remove_at(q, ev->heap_idx - 1);
}

bool evq_run_one(struct evq *q)
{
	struct ev *ev;

	if (!q->n)
		return false;
	ev = q->heap[0];
	heap_remove_at(q, 0);
	q->now = ev->when;
	q->nr_run++;
	ev->fn(ev, ev->ctx);
	return true;
}

void evq_run_until(struct evq *q, sim_time_t until)
{
	while (q->n && q->heap[0]->when <= until)
		evq_run_one(q);
}
