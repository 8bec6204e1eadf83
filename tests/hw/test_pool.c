/*
 * tests/hw/test_pool.c - the sorted-ring pool against the plain definition:
 * n busy-until times, each request takes the smallest and holds it until
 * max(that time, done).
 */
#include "tests/support/test.h"
#include "hw/pool.h"
#include "sim/rng.h"

/* The definition: scan for the earliest-free entry. */
static sim_time_t naive_take(sim_time_t *p, unsigned n, sim_time_t done)
{
	unsigned k = 0;

	for (unsigned i = 1; i < n; i++)
		if (p[i] < p[k])
			k = i;
	p[k] = SIM_MAX(p[k], done);
	k = 0;
	for (unsigned i = 1; i < n; i++)
		if (p[i] < p[k])
			k = i;
	return p[k];
}

/*
 * Requests issued at a rising clock that wait for a free entry, with
 * latencies that make them finish out of order (short hits among long
 * misses), for pool sizes 1..16: the free time after every request matches.
 */
static void pool_matches_min_scan(void **state)
{
	struct rng rng;

	(void)state;
	rng_seed(&rng, 16, 3);
	for (unsigned n = 1; n <= 16; n++) {
		sim_time_t ring[16] = { 0 }, naive[16] = { 0 }, now = 0, free_at = 0;
		uint32_t head = 0;
		unsigned out_of_order = 0, waited = 0;
		sim_time_t last_done = 0;
		for (int i = 0; i < 20000; i++) {
			now += rng_below(&rng, 1 + 160 / n);   /* busier with more entries: every size waits */
			if (free_at > now) {
				now = free_at;      /* the request waits for an entry, as a core's issue does */
				waited++;
			}
			sim_time_t done = now + (rng_below(&rng, 4) ? 5 + rng_below(&rng, 20) : 200 + rng_below(&rng, 300));
			out_of_order += done < last_done;
			last_done = SIM_MAX(last_done, done);
			pool_take(ring, n, &head, &free_at, done);
			assert_int_equal(free_at, naive_take(naive, n, done));
			/* the ring stays sorted from its head */
			for (unsigned j = 1; j < n; j++)
				assert_true(ring[(head + j - 1) % n] <= ring[(head + j) % n]);
		}
		assert_true(n == 1 || out_of_order > 1000);
		assert_true(waited > 100);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pool_matches_min_scan),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
