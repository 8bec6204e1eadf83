/* tests/sim/test_words.c - K/M/G numbers and nearest-word suggestions (sim/words.h). */
#include <string.h>
#include "tests/support/test.h"
#include "sim/err.h"
#include "sim/words.h"

static char err[256];

/* Counts are decimal, sizes binary; a bad or overflowing value is an error naming it. */
static void suffixes(void **state)
{
	uint64_t v = 0;

	(void)state;
	assert_int_equal(sim_parse_count("-n", "3M", &v, err, sizeof(err)), 0);
	assert_int_equal(v, 3000000);
	assert_int_equal(sim_parse_count("-n", "10k", &v, err, sizeof(err)), 0);
	assert_int_equal(v, 10000);
	assert_int_equal(sim_parse_count("-n", "0x10", &v, err, sizeof(err)), 0);
	assert_int_equal(v, 16);
	assert_int_equal(sim_parse_size("--size", "3M", &v, err, sizeof(err)), 0);
	assert_int_equal(v, 3ULL << 20);
	assert_int_equal(sim_parse_size("--size", "2GiB", &v, err, sizeof(err)), 0);
	assert_int_equal(v, 2ULL << 30);
	assert_int_equal(sim_parse_count("-n", "3X", &v, err, sizeof(err)), -SIM_ECONFIG);
	assert_non_null(strstr(err, "-n: \"3X\" is not a count"));
	assert_int_equal(sim_parse_count("-n", "-1", &v, err, sizeof(err)), -SIM_ECONFIG);
	assert_int_equal(sim_parse_count("-n", "", &v, err, sizeof(err)), -SIM_ECONFIG);
	assert_int_equal(sim_parse_count("-n", "3MB", &v, err, sizeof(err)), -SIM_ECONFIG);   /* B only for sizes */
	assert_int_equal(sim_parse_count("-n", "20000000000000000G", &v, err, sizeof(err)), -SIM_ECONFIG);
	assert_non_null(strstr(err, "too large"));
	assert_int_equal(sim_parse_count("x", "1", &v, NULL, 0), 0);   /* no message buffer: fine */
}

/* One slip (substitution, insertion, deletion, swap) is near; an unrelated word is not. */
static void nearest(void **state)
{
	static const char *const opts[] = { "--pattern", "--policy", "--progress", "--per-point", NULL, "--seed" };
	static const char *const views[] = { "numastat", "numa_maps", "vmstat", "zoneinfo" };

	(void)state;
	assert_string_equal(sim_nearest("--patern", opts, 6), "--pattern");
	assert_string_equal(sim_nearest("--polcy", opts, 6), "--policy");
	assert_string_equal(sim_nearest("--sede", opts, 6), "--seed");          /* swap */
	assert_string_equal(sim_nearest("--per_point", opts, 6), "--per-point"); /* '_' is '-' */
	assert_null(sim_nearest("--colour", opts, 6));
	assert_null(sim_nearest("ab", opts, 6));                               /* too short to guess */
	assert_string_equal(sim_nearest("numa_mapz", views, 4), "numa_maps");
	assert_string_equal(sim_nearest("numastst", views, 4), "numastat");
	assert_null(sim_nearest("buddyinfo", views, 4));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(suffixes),
		cmocka_unit_test(nearest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
