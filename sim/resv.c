/* sim/resv.c - gap-filling bookings of a time-shared resource. */
#include <string.h>
#include "sim/resv.h"

/* Index of the first booking ending after t, and the earliest fitting start in *t. */
static unsigned find_gap(const struct resv *r, sim_time_t *t, sim_time_t len)
{
	unsigned lo = 0, hi = r->n, i;

	*t = SIM_MAX(*t, r->floor);
	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
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

sim_time_t resv_book(struct resv *r, sim_time_t t, sim_time_t len)
{
	unsigned i;

	if (r->n == RESV_SLOTS) {
		r->floor = SIM_MAX(r->floor, r->end[0]);
		memmove(&r->start[0], &r->start[1], (r->n - 1) * sizeof(r->start[0]));
		memmove(&r->end[0], &r->end[1], (r->n - 1) * sizeof(r->end[0]));
		r->n--;
	}
	i = find_gap(r, &t, len);
	memmove(&r->start[i + 1], &r->start[i], (r->n - i) * sizeof(r->start[0]));
	memmove(&r->end[i + 1], &r->end[i], (r->n - i) * sizeof(r->end[0]));
	r->start[i] = t;
	r->end[i] = t + len;
	r->n++;
	return t;
}
