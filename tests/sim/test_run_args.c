/*
 * tests/sim/test_run_args.c - `--trace FILE[@CPUS]` parsing: formats,
 * placements, and errors that leave nothing allocated (the caller keeps
 * only arguments that parsed, so a failed one must free its own copy).
 */
#include <stdlib.h>
#include <string.h>
#include "tests/support/test.h"
#include "sim/cli/run.h"
#include "sim/err.h"

static void good_args(void **state)
{
	struct run_trace_arg a;
	char err[256];

	(void)state;
	assert_int_equal(run_parse_trace_arg("text:t.txt@0-2,5", &a, err, sizeof(err)), 0);
	assert_string_equal(a.path, "t.txt");
	assert_int_equal(a.fmt, TFMT_TEXT);
	assert_int_equal(a.nr_cpus, 4);
	assert_int_equal(a.cpus[3], 5);
	free((char *)a.path);
	assert_int_equal(run_parse_trace_arg("a@b.nst", &a, err, sizeof(err)), -SIM_EUSAGE);
	assert_null(a.path);
}

static void errors_free_everything(void **state)
{
	static const char *const bad[] = { "t.nst@", "t.nst@x", "t.nst@3-1", "t.nst@0,", "@1", "native:@2",
					   "t.nst@99999" };
	struct run_trace_arg a;
	char err[256];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		err[0] = 0;
		if (run_parse_trace_arg(bad[i], &a, err, sizeof(err)) != -SIM_EUSAGE)
			fail_msg("%s: accepted", bad[i]);
		if (a.path)
			fail_msg("%s: the path copy was left allocated", bad[i]);
		assert_non_null(strstr(err, "--trace"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_args),
		cmocka_unit_test(errors_free_everything),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
