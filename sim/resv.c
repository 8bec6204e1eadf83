/* sim/resv.c - gap-filling bookings of a time-shared resource (see resv.h). */
#include <stdlib.h>
#include <string.h>
#include "sim/resv.h"

uint64_t resv_lost;

void resv_init(struct resv *r, const sim_time_t *horizon)
{
	memset(r, 0, sizeof(*r));
	r->horizon = horizon;
}

void resv_destroy(struct resv *r)
{
	free(r->start);
	free(r->end);
	memset(r, 0, sizeof(*r));
}

/* Index of the first booking ending after t, and the earliest fitting start in *t. */
static unsigned find_gap(const struct resv *r, sim_time_t *t, sim_time_t len)
{
	unsigned lo = r->head, hi = r->n, i;

	*t = SIM_MAX(*t, r->floor);
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		if (r->end[mid] <= *t)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < r->n; i++) {
		if (r->start[i] >= *t + len)
			break;          /* the gap before this booking fits */
		*t = r->end[i];
	}
	return i;
}

sim_time_t resv_probe(const struct resv *r, sim_time_t t, sim_time_t len)
{
	(void)find_gap(r, &t, len);
	return t;
}

/* Forget bookings over before the horizon; make room for one more at the end of the arrays. */
static void make_room(struct resv *r)
{
	if (r->horizon) {
		sim_time_t h = *r->horizon;
		while (r->head < r->n && r->end[r->head] <= h)
			r->head++;
	}
	if (r->n < r->cap)
		return;
	if (r->head) {
		/* slide the live part down; head only grows between slides, so this is amortised */
		unsigned live = r->n - r->head;
		memmove(r->start, r->start + r->head, live * sizeof(*r->start));
		memmove(r->end, r->end + r->head, live * sizeof(*r->end));
		r->n = live;
		r->head = 0;
		if (r->n < r->cap - r->cap / 4)
			return;
	}
	unsigned ncap = r->cap ? r->cap * 2 : 16;
	sim_time_t *s = realloc(r->start, ncap * sizeof(*s));
	if (s) {
		r->start = s;
		sim_time_t *e = realloc(r->end, ncap * sizeof(*e));
		if (e) {
			r->end = e;
			r->cap = ncap;
			return;
		}
	}
	/* out of memory: forget the oldest booking; nothing may start before its end */
	resv_lost++;
	r->floor = SIM_MAX(r->floor, r->end[0]);
	memmove(r->start, r->start + 1, (r->n - 1) * sizeof(*r->start));
	memmove(r->end, r->end + 1, (r->n - 1) * sizeof(*r->end));
	r->n--;
}

sim_time_t resv_book(struct resv *r, sim_time_t t, sim_time_t len)
{
	unsigned i;

	make_room(r);
	i = find_gap(r, &t, len);
	memmove(&r->start[i + 1], &r->start[i], (r->n - i) * sizeof(r->start[0]));
	memmove(&r->end[i + 1], &r->end[i], (r->n - i) * sizeof(r->end[0]));
	r->start[i] = t;
	r->end[i] = t + len;
	r->n++;
	return t;
}
