/* tests/sim/test_resv.c - gap-filling bookings: order, gaps, forgetting, no overlap. */
#include <string.h>
#include "tests/support/test.h"
#include "sim/resv.h"
#include "sim/rng.h"

static void resv_gap_before_a_later_booking(void **state)
{
	struct resv r;
	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(resv_book(&r, 100, 10), 100);   /* [100,110) */
	assert_int_equal(resv_book(&r, 100, 10), 110);   /* queues behind it */
	assert_int_equal(resv_book(&r, 0, 10), 0);       /* an earlier request fills the gap before */
	assert_int_equal(resv_book(&r, 95, 10), 120);    /* [95,105) overlaps: first fit after is 120 */
	assert_int_equal(resv_book(&r, 10, 90), 10);     /* exactly fills [10,100) */
	assert_int_equal(resv_probe(&r, 0, 1), 130);     /* everything up to 130 is booked */
	assert_int_equal(r.n, 5);
}

static void resv_forgets_the_oldest(void **state)
{
	struct resv r;
	(void)state;
	memset(&r, 0, sizeof(r));
	for (unsigned i = 0; i < RESV_SLOTS; i++)
		assert_int_equal(resv_book(&r, 1000 + 100 * i, 10), 1000 + 100 * i);
	/* full: the next booking forgets [1000,1010), so nothing may start before 1010 */
	assert_int_equal(resv_book(&r, 0, 5), 1010);
	assert_int_equal(r.floor, 1010);
	assert_int_equal(r.n, RESV_SLOTS);
}

/* Random bookings never overlap any booking still remembered, and each starts at or after its request. */
static void resv_random_never_overlaps(void **state)
{
	struct resv r;
	struct rng g;
	(void)state;
	memset(&r, 0, sizeof(r));
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
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(resv_gap_before_a_later_booking),
		cmocka_unit_test(resv_forgets_the_oldest),
		cmocka_unit_test(resv_random_never_overlaps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
