/* tests/sim/test_core.c - histogram quantiles and runs, PRNG streams, sparse pmem, reports, atomic files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "tests/support/test.h"
#include "sim/afile.h"
#include "sim/err.h"
#include "sim/hist.h"
#include "sim/pmem.h"
#include "sim/report.h"
#include "sim/rng.h"

static void hist_exact_small_and_bounded_error(void **state)
{
	struct hist *h = malloc(sizeof(*h));
	(void)state;
	hist_init(h);
	for (uint64_t v = 1; v <= 100; v++)
		hist_add(h, v);
	assert_int_equal(h->count, 100);
	assert_int_equal(h->sum, 5050);
	assert_int_equal(h->min, 1);
	assert_int_equal(h->max, 100);
	/* below 64 buckets are exact */
	assert_int_equal(hist_quantile(h, 500), 50);
	/* p99 = 99th value; bucket [98,99] upper bound is 99 */
	assert_int_equal(hist_quantile(h, 990), 99);
	assert_int_equal(hist_quantile(h, 1000), 100);
	/* every bucket's bound is within 1/64 of the value it holds */
	for (uint64_t v = 64; v < (1ULL << 40); v = v * 3 / 2 + 7) {
		unsigned b = hist_bucket_of(v);
		uint64_t up = hist_bucket_upper(b);
		assert_true(up >= v);
		assert_true((double)(up - v) <= (double)v / 64.0 + 1);
		assert_int_equal(hist_bucket_of(up), b);
		assert_int_equal(hist_bucket_of(up + 1), b + 1);
	}
	free(h);
}

/* Runs of equal samples counted apart (hist_add_run) and flushed give the histogram of hist_add. */
static void hist_runs_are_hist_add(void **state)
{
	struct hist *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	struct hist_run run = { 0, 0 };
	struct rng r;
	uint64_t v = 0;
	(void)state;
	hist_init(a);
	hist_init(b);
	rng_seed(&r, 5, 0);
	for (unsigned i = 0; i < 100000; i++) {
		/* mostly the previous value, sometimes 0, sometimes large (the sum wraps past 2^64) */
		unsigned k = (unsigned)rng_below(&r, 16);
		if (k == 0)
			v = 0;
		else if (k == 1)
			v = rng_next(&r) >> rng_below(&r, 64);
		else if (k == 2)
			v = rng_below(&r, 5000);
		hist_add(a, v);
		hist_add_run(b, &run, v);
		if (i == 50000) {
			hist_run_flush(b, &run);     /* a read in the middle changes nothing */
			assert_int_equal(a->count, b->count);
		}
	}
	assert_true(a->count != b->count);   /* the last run is still pending */
	hist_run_flush(b, &run);
	assert_memory_equal(a, b, sizeof(*a));
	free(a);
	free(b);
}

static void rng_streams_are_reproducible_and_distinct(void **state)
{
	struct rng a, b, c;
	(void)state;
	rng_seed(&a, 7, 1);
	rng_seed(&b, 7, 1);
	rng_seed(&c, 7, 2);
	int same = 0;
	for (int i = 0; i < 1000; i++) {
		uint64_t x = rng_next(&a);
		assert_int_equal(x, rng_next(&b));
		same += x == rng_next(&c);
	}
	assert_int_equal(same, 0);
	/* rng_below is in range and hits every value of a small range */
	int seen[7] = { 0 };
	for (int i = 0; i < 7000; i++) {
		uint64_t v = rng_below(&a, 7);
		assert_true(v < 7);
		seen[v]++;
	}
	for (int i = 0; i < 7; i++)
		assert_true(seen[i] > 800 && seen[i] < 1200);
}

static void pmem_sparse_store(void **state)
{
	pmem_t *pm;
	(void)state;
	assert_int_equal(pmem_create(&pm), 0);
	assert_int_equal(pmem_read64(pm, 0x1000), 0);
	assert_int_equal(pmem_nr_pages(pm), 0);
	/* writing zero to a fresh page allocates nothing */
	assert_int_equal(pmem_write64(pm, 0x5000, 0), 0);
	assert_int_equal(pmem_nr_pages(pm), 0);
	/* many pages far apart: forces growth and probe chains */
	for (uint64_t i = 0; i < 5000; i++)
		assert_int_equal(pmem_write64(pm, (i * 7919) << 12 | (i % 512) * 8, i + 1), 0);
	assert_int_equal(pmem_nr_pages(pm), 5000);
	for (uint64_t i = 0; i < 5000; i++)
		assert_int_equal(pmem_read64(pm, (i * 7919) << 12 | (i % 512) * 8), i + 1);
	/* clearing half keeps the rest reachable (backward-shift deletion) */
	for (uint64_t i = 0; i < 5000; i += 2)
		pmem_clear_page(pm, i * 7919);
	assert_int_equal(pmem_nr_pages(pm), 2500);
	for (uint64_t i = 0; i < 5000; i++)
		assert_int_equal(pmem_read64(pm, (i * 7919) << 12 | (i % 512) * 8), (i & 1) ? i + 1 : 0);
	assert_int_equal(pmem_copy_page(pm, 1, 7919), 0);
	assert_int_equal(pmem_read64(pm, (1ULL << 12) | 8), 2);
	pmem_destroy(pm);
}

static void report_is_ordered_and_atomic(void **state)
{
	rep_t *r;
	char path[512], err[256];
	struct hist h;
	(void)state;
	assert_int_equal(rep_create(&r), 0);
	rep_u64(r, "zeta", 1);
	rep_obj_begin(r, "alpha");
	rep_ns(r, "t_ns", 1500);
	rep_ns(r, "u_ns", 2000);
	rep_real(r, "ratio", 1.0 / 3.0);
	rep_obj_end(r);
	rep_arr_begin(r, "list");
	rep_u64(r, NULL, 3);
	rep_str(r, NULL, "x");
	rep_arr_end(r);
	hist_init(&h);
	hist_add(&h, 1000);
	hist_add(&h, 3000);
	rep_hist(r, "lat", &h);
	char *s = rep_dump(r);
	assert_non_null(s);
	/* insertion order kept: zeta before alpha */
	assert_true(strstr(s, "zeta") < strstr(s, "alpha"));
	assert_non_null(strstr(s, "\"t_ns\": 1.5"));
	assert_non_null(strstr(s, "\"u_ns\": 2,"));
	assert_non_null(strstr(s, "\"ratio\": 0.333333"));
	assert_non_null(strstr(s, "\"mean_ns\": 2,"));
	free(s);
	snprintf(path, sizeof(path), "%s/r.json", test_tmpdir());
	assert_int_equal(rep_write_file(r, path, err, sizeof(err)), 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_size > 20);
	/* an unwritable destination fails cleanly and leaves no temporary behind */
	assert_int_equal(rep_write_file(r, "/nonexistent-dir/x.json", err, sizeof(err)), -SIM_EIO);
	assert_non_null(strstr(err, "/nonexistent-dir/x.json"));
	rep_destroy(r);
}

static void afile_abort_leaves_nothing(void **state)
{
	struct afile af;
	char path[512], err[256];
	struct stat st;
	(void)state;
	snprintf(path, sizeof(path), "%s/partial.bin", test_tmpdir());
	assert_int_equal(afile_open(&af, path, err, sizeof(err)), 0);
	fputs("half", af.fp);
	char tmp[600];
	snprintf(tmp, sizeof(tmp), "%s", af.tmp);
	afile_abort(&af);
	assert_int_not_equal(stat(path, &st), 0);
	assert_int_not_equal(stat(tmp, &st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hist_exact_small_and_bounded_error),
		cmocka_unit_test(hist_runs_are_hist_add),
		cmocka_unit_test(rng_streams_are_reproducible_and_distinct),
		cmocka_unit_test(pmem_sparse_store),
		cmocka_unit_test(report_is_ordered_and_atomic),
		cmocka_unit_test(afile_abort_leaves_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
