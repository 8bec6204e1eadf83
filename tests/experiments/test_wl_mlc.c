/*
 * tests/experiments/test_wl_mlc.c - the MLC loaded-latency workload
 * generator: the init thread's setup, the chase, the injectors, the
 * argument round trip, and its errors.
 */
#include <stdlib.h>
#include <string.h>
#include "tests/support/test.h"
#include "experiments/wl_mlc.h"
#include "sim/err.h"

static struct wlmlc_spec small(void)
{
	struct wlmlc_spec s;

	wlmlc_spec_init(&s);
	s.lat_buffer = 64 << 10;       /* 1024 lines */
	s.inj_buffer = 8 << 10;        /* 128 lines */
	s.lat_loads = 1024;
	s.inj_loads = 300;
	s.delay = 17;
	s.init_cpu = 5;
	s.lat_cpu = 0;
	s.nr_inj = 2;
	s.inj_cpus[0] = 1;
	s.inj_cpus[1] = 3;
	s.node = 1;
	return s;
}

static void records(void **state)
{
	struct wlmlc_spec s = small();
	wlmlc_t *g;
	struct trace_rec r;
	struct trace_ctrl c;
	char err[256];
	static uint8_t seen[1024];
	unsigned n = 0, touches = 0, clones = 0, chase = 0, inj[2] = { 0 }, cpu_of[4] = { 99, 99, 99, 99 };
	uint64_t region = s.lat_buffer + 2 * s.inj_buffer, next_inj[2] = { 0, 0 };
	bool measured_started = false;
	(void)state;

	memset(seen, 0, sizeof(seen));
	assert_int_equal(wlmlc_create(&g, &s, err, sizeof(err)), 0);
	while (wlmlc_next(g, &r, &c) == 1) {
		if (r.op == TOP_CTRL) {
			if (c.kind == TCTRL_THREAD_CPU) {
				assert_true(r.tid < 4);
				cpu_of[r.tid] = (unsigned)c.args[0];
			}
			if (n == 1) {
				assert_int_equal(c.kind, TCTRL_MMAP);
				assert_int_equal(c.args[1], region);
			}
			if (n == 2) {
				assert_int_equal(c.kind, TCTRL_MADVISE);
				assert_int_equal(c.args[2], 14);          /* MADV_HUGEPAGE */
			}
			if (n == 3) {
				assert_int_equal(c.kind, TCTRL_MBIND);
				assert_int_equal(c.args[2], 2);           /* MPOL_BIND */
				assert_int_equal(c.args[3], 1u << 1);
			}
			if (c.kind == TCTRL_CLONE) {
				assert_int_equal(r.tid, 0);
				assert_false(measured_started);           /* all clones before any measured record */
				clones++;
			}
			n++;
			continue;
		}
		if (r.tid == 0) {
			/* one store per 4 KiB page of the region, in order, before the clones */
			assert_int_equal(r.op, TOP_STORE);
			assert_int_equal(r.addr, s.base + 4096ULL * touches);
			assert_int_equal(clones, 0);
			touches++;
		} else if (r.tid == 1) {
			uint64_t line = (r.addr - s.base) / 64;
			measured_started = true;
			assert_int_equal(r.op, TOP_LOAD);
			assert_int_equal(r.flags, TREC_DEP);
			assert_int_equal(r.gap, 0);
			assert_true(line < 1024);
			assert_int_equal(seen[line], 0);                  /* a single cycle: no line twice */
			seen[line] = 1;
			chase++;
		} else {
			unsigned k = r.tid - 2;
			measured_started = true;
			assert_true(k < 2);
			assert_int_equal(r.op, TOP_LOAD);
			assert_int_equal(r.flags, 0);
			assert_int_equal(r.gap, 17);
			assert_int_equal(r.addr, s.base + s.lat_buffer + k * s.inj_buffer + next_inj[k]);
			next_inj[k] = (next_inj[k] + 64) % s.inj_buffer;   /* sequential, wrapping */
			inj[k]++;
		}
		n++;
	}
	assert_int_equal(touches, region / 4096);
	assert_int_equal(clones, 3);
	assert_int_equal(chase, 1024);
	assert_int_equal(inj[0], 300);
	assert_int_equal(inj[1], 300);
	assert_int_equal(cpu_of[0], 5);
	assert_int_equal(cpu_of[1], 0);
	assert_int_equal(cpu_of[2], 1);
	assert_int_equal(cpu_of[3], 3);
	wlmlc_destroy(g);
}

/* GUPS's updates: independent read-modify-writes of random words of the buffer. */
static void gups_updates(void **state)
{
	struct wlmlc_spec s = small();
	wlmlc_t *g;
	struct trace_rec r;
	struct trace_ctrl c;
	char err[256];
	unsigned n = 0, distinct_lines = 0;
	static uint8_t seen[1024];
	(void)state;

	memset(seen, 0, sizeof(seen));
	s.lat_pattern = WLMLC_GUPS;
	s.nr_inj = 0;
	assert_int_equal(wlmlc_create(&g, &s, err, sizeof(err)), 0);
	while (wlmlc_next(g, &r, &c) == 1) {
		if (r.op == TOP_CTRL || r.tid != 1)
			continue;
		assert_int_equal(r.op, TOP_MODIFY);
		assert_int_equal(r.flags, 0);
		assert_int_equal(r.size, 8);
		assert_true(r.addr >= s.base && r.addr + 8 <= s.base + s.lat_buffer && r.addr % 8 == 0);
		distinct_lines += !seen[(r.addr - s.base) / 64];
		seen[(r.addr - s.base) / 64] = 1;
		n++;
	}
	assert_int_equal(n, 1024);
	assert_true(distinct_lines > 500 && distinct_lines < 1024);   /* random: about 1 - 1/e of the lines */
	wlmlc_destroy(g);
}

/* The arguments mlc prints rebuild the same spec. */
static void args_roundtrip(void **state)
{
	struct wlmlc_spec s = small(), t;
	char args[1024], err[256], *save = NULL;
	(void)state;

	s.lat_pattern = WLMLC_RANDOM;
	s.thp = false;
	wlmlc_spec_args(&s, args, sizeof(args));
	wlmlc_spec_init(&t);
	for (char *k = strtok_r(args, " ", &save); k; k = strtok_r(NULL, " ", &save)) {
		char key[64];
		char *v = strtok_r(NULL, " ", &save);
		assert_non_null(v);
		assert_true(k[0] == '-' && k[1] == '-');
		snprintf(key, sizeof(key), "%s", k + 2);
		for (char *p = key; *p; p++)
			if (*p == '-')
				*p = '_';
		if (wlmlc_spec_set(&t, key, v, err, sizeof(err)))
			fail_msg("%s", err);
	}
	assert_true(s.seed == t.seed && s.base == t.base && s.lat_buffer == t.lat_buffer &&
		    s.inj_buffer == t.inj_buffer && s.lat_loads == t.lat_loads && s.inj_loads == t.inj_loads &&
		    s.delay == t.delay && s.line == t.line && s.init_cpu == t.init_cpu && s.lat_cpu == t.lat_cpu &&
		    s.node == t.node && s.thp == t.thp && s.lat_pattern == t.lat_pattern && s.nr_inj == t.nr_inj);
	assert_memory_equal(s.inj_cpus, t.inj_cpus, s.nr_inj * sizeof(s.inj_cpus[0]));
}

static void errors(void **state)
{
	struct wlmlc_spec s = small();
	wlmlc_t *g;
	char err[256];
	(void)state;

	s.inj_cpus[1] = 0;
	assert_int_equal(wlmlc_create(&g, &s, err, sizeof(err)), -SIM_ECONFIG);
	assert_string_equal(err, "injector_cpus: CPU 0 is also the latency CPU");
	s = small();
	s.init_cpu = 0;
	assert_int_equal(wlmlc_create(&g, &s, err, sizeof(err)), -SIM_ECONFIG);
	s = small();
	s.lat_buffer = 5000;
	assert_int_equal(wlmlc_create(&g, &s, err, sizeof(err)), -SIM_ECONFIG);
	assert_int_equal(wlmlc_spec_set(&s, "injector_cpus", "3-1", err, sizeof(err)), -SIM_EUSAGE);
	assert_int_equal(wlmlc_spec_set(&s, "latency_pattern", "zigzag", err, sizeof(err)), -SIM_EUSAGE);
	assert_int_equal(wlmlc_spec_set(&s, "colour", "red", err, sizeof(err)), -SIM_EUSAGE);
	assert_string_equal(err, "colour: not a key of --pattern mlc-loaded (see --help)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(records),
		cmocka_unit_test(gups_updates),
		cmocka_unit_test(args_roundtrip),
		cmocka_unit_test(errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
