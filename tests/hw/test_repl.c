/* tests/hw/test_repl.c - replacement policies against hand-worked sequences. */
#include "tests/support/test.h"
#include "hw/repl.h"

static char err[256];

/* True LRU: the victim is the way touched longest ago. */
static void repl_lru_order(void **state)
{
	struct repl r;

	(void)state;
	assert_int_equal(repl_init(&r, REPL_LRU, 2, 4, 1, 0, err, sizeof(err)), 0);
	for (uint32_t w = 0; w < 4; w++)
		repl_fill(&r, 1, w);
	assert_int_equal(repl_victim(&r, 1), 0);
	repl_touch(&r, 1, 0);
	assert_int_equal(repl_victim(&r, 1), 1);
	repl_touch(&r, 1, 1);
	repl_touch(&r, 1, 3);
	assert_int_equal(repl_victim(&r, 1), 2);
	repl_fini(&r);
}

/*
 * Tree-PLRU, 4 ways.  Nodes: n1 (root: 0 = evict left half {0,1}, 1 = right
 * half {2,3}), n2 (over ways 0/1), n3 (over ways 2/3); 0 = left child.
 * A touch points every node on the way's path at the other side.
 *   start            n1=0 n2=0 n3=0   victim: n1->left, n2->left  = way 0
 *   touch 0          n1=1 n2=1        victim: right, n3=0         = way 2
 *   touch 2          n1=0 n3=1        victim: left, n2=1          = way 1
 *   touch 1          n1=1 n2=0        victim: right, n3=1         = way 3
 *   touch 3          n1=0 n3=0        victim: left, n2=0          = way 0
 *   touch 0          n1=1 n2=1        victim: right, n3=0         = way 2
 *   touch 1          n1=1 n2=0        victim: right, n3=0         = way 2
 *   touch 2          n1=0 n3=1        victim: left, n2=0          = way 0
 * (the last two show PLRU is not LRU: after 3,0,1,2 true LRU evicts 3.)
 */
static void repl_plru_hand(void **state)
{
	struct repl r;
	static const struct { int touch; uint32_t victim; } seq[] = {
		{ -1, 0 }, { 0, 2 }, { 2, 1 }, { 1, 3 }, { 3, 0 }, { 0, 2 }, { 1, 2 }, { 2, 0 },
	};

	(void)state;
	assert_int_equal(repl_init(&r, REPL_PLRU, 1, 4, 1, 0, err, sizeof(err)), 0);
	for (size_t i = 0; i < ARRAY_SIZE(seq); i++) {
		if (seq[i].touch >= 0)
			repl_touch(&r, 0, (uint32_t)seq[i].touch);
		assert_int_equal(repl_victim(&r, 0), seq[i].victim);
	}
	repl_fini(&r);
	assert_int_not_equal(repl_init(&r, REPL_PLRU, 1, 6, 1, 0, err, sizeof(err)), 0);
}

/*
 * 8-way PLRU: filling ways 0..7 in order leaves every node pointing at the
 * left-most untouched-longest half, so the victim is way 0; touching 0 then
 * moves it to way 4 (root flips right, n3 left, n6 left).
 */
static void repl_plru_8way(void **state)
{
	struct repl r;

	(void)state;
	assert_int_equal(repl_init(&r, REPL_PLRU, 1, 8, 1, 0, err, sizeof(err)), 0);
	for (uint32_t w = 0; w < 8; w++)
		repl_fill(&r, 0, w);
	assert_int_equal(repl_victim(&r, 0), 0);
	repl_touch(&r, 0, 0);
	assert_int_equal(repl_victim(&r, 0), 4);
	repl_touch(&r, 0, 4);
	assert_int_equal(repl_victim(&r, 0), 2);
	repl_fini(&r);
}

/*
 * SRRIP, 4 ways, fill at RRPV 2, hit -> 0, victim = lowest way at 3 after
 * ageing (RRPVs listed for ways 0..3):
 *   fill 0..3            2 2 2 2
 *   hit way 0            0 2 2 2
 *   victim: age +1       1 3 3 3  -> way 1, refilled: 1 2 3 3
 *   victim               (no ageing) -> way 2, refilled: 1 2 2 3
 *   victim               -> way 3, refilled: 1 2 2 2
 *   victim: age +1       2 3 3 3  -> way 1
 */
static void repl_srrip_hand(void **state)
{
	struct repl r;

	(void)state;
	assert_int_equal(repl_init(&r, REPL_SRRIP, 1, 4, 1, 0, err, sizeof(err)), 0);
	for (uint32_t w = 0; w < 4; w++)
		repl_fill(&r, 0, w);
	repl_touch(&r, 0, 0);
	assert_int_equal(repl_victim(&r, 0), 1);
	assert_int_equal(r.meta[0], 1);
	repl_fill(&r, 0, 1);
	assert_int_equal(repl_victim(&r, 0), 2);
	repl_fill(&r, 0, 2);
	assert_int_equal(repl_victim(&r, 0), 3);
	repl_fill(&r, 0, 3);
	assert_int_equal(repl_victim(&r, 0), 1);
	assert_int_equal(r.meta[0], 2);
	assert_int_equal(r.meta[2], 3);
	repl_fini(&r);
}

/* Random: in range, reproducible from the seed, and not constant. */
static void repl_random_seeded(void **state)
{
	struct repl a, b;
	unsigned seen[8] = { 0 };

	(void)state;
	assert_int_equal(repl_init(&a, REPL_RANDOM, 4, 8, 42, 7, err, sizeof(err)), 0);
	assert_int_equal(repl_init(&b, REPL_RANDOM, 4, 8, 42, 7, err, sizeof(err)), 0);
	for (int i = 0; i < 1000; i++) {
		uint32_t v = repl_victim(&a, 0);
		assert_true(v < 8);
		assert_int_equal(v, repl_victim(&b, 0));
		seen[v]++;
	}
	for (int w = 0; w < 8; w++)
		assert_true(seen[w] > 60);
	repl_fini(&a);
	repl_fini(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(repl_lru_order),
		cmocka_unit_test(repl_plru_hand),
		cmocka_unit_test(repl_plru_8way),
		cmocka_unit_test(repl_srrip_hand),
		cmocka_unit_test(repl_random_seeded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
