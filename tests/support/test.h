/*
 * tests/support/test.h - common includes for cmocka suites.
 *
 * Each tests/<dir>/test_<module>.c is one cmocka binary with its own main()
 * calling cmocka_run_group_tests(); tests/run.sh runs it with TAP output and
 * sums every suite into the closing "N passed, N failed" line.
 */
#ifndef TESTS_SUPPORT_TEST_H
#define TESTS_SUPPORT_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

/* Directory for scratch files of this test run (created on first use). */
const char *test_tmpdir(void);

#endif
