/* tests/sim/test_resv.c - gap-filling bookings: order, gaps, the horizon, no overlap. */
#include <string.h>
#include "tests/support/test.h"
#include "sim/resv.h"
#include "sim/rng.h"

static void resv_gap_before_a_later_booking(void **state)
{
	struct resv r;
	(void)state;
	resv_init(&r, NULL);
	assert_int_equal(resv_book(&r, 100, 10), 100);   /* [100,110) */
	assert_int_equal(resv_book(&r, 100, 10), 110);   /* queues behind it */
	assert_int_equal(resv_book(&r, 0, 10), 0);       /* an earlier request fills the gap before */
	assert_int_equal(resv_book(&r, 95, 10), 120);    /* [95,105) overlaps: first fit after is 120 */
	assert_int_equal(resv_book(&r, 10, 90), 10);     /* exactly fills [10,100) */
	assert_int_equal(resv_probe(&r, 0, 1), 130);     /* everything up to 130 is booked */
	assert_int_equal(r.n, 5);
	resv_destroy(&r);
}

/*
 * Nothing is forgotten for want of room: a thousand future bookings all stay,
 * so an early request still finds the gap before the first one.  Only the
 * horizon (no booking will ever start before it) lets bookings go.
 */
static void resv_keeps_every_future_booking(void **state)
{
	struct resv r;
	sim_time_t now = 0;
	(void)state;
	resv_init(&r, &now);
	for (unsigned i = 0; i < 1000; i++)
		assert_int_equal(resv_book(&r, 1000 + 100 * i, 10), 1000 + 100 * i);
	assert_int_equal(r.n - r.head, 1000);
	assert_int_equal(resv_book(&r, 0, 5), 0);
	assert_int_equal(resv_book(&r, 1000, 10), 1010);   /* still blocked by the first */
	now = 50000;                                       /* everything ending by then goes */
	assert_int_equal(resv_book(&r, 60000, 10), 60010);
	assert_true(r.n - r.head < 1000);
	assert_int_equal(resv_lost, 0);
	resv_destroy(&r);
}

/* Random bookings never overlap any booking still remembered, and each starts at or after its request. */
static void resv_random_never_overlaps(void **state)
{
	struct resv r;
	struct rng g;
	(void)state;
	resv_init(&r, NULL);
	rng_seed(&g, 3, 0);
	for (int i = 0; i < 20000; i++) {
		sim_time_t t = rng_below(&g, 100000) + (sim_time_t)i * 5, len = 1 + rng_below(&g, 40);
		sim_time_t s = resv_book(&r, t, len);
		assert_true(s >= t);
		for (unsigned k = 0; k < r.n; k++) {
			assert_true(r.start[k] < r.end[k]);
			if (k)
				assert_true(r.end[k - 1] <= r.start[k]);
		}
	}
	resv_destroy(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(resv_gap_before_a_later_booking),
		cmocka_unit_test(resv_keeps_every_future_booking),
		cmocka_unit_test(resv_random_never_overlaps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
