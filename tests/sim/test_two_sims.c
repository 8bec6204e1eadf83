/*
 * tests/sim/test_two_sims.c - two simulations in one process do not touch
 * each other.
 *
 * All state hangs off per-simulation objects (event queue, pmem, hw, os);
 * nothing is global.  Two machines built side by side replay two different
 * access sequences interleaved access by access; each must see exactly the
 * latencies, faults and report it sees when it runs alone.
 */
#include <stdlib.h>
#include <string.h>
#include "tests/support/test.h"
#include "hw/hw.h"
#include "os/os.h"
#include "sim/cli/machine.h"
#include "sim/err.h"
#include "sim/ev.h"
#include "sim/pmem.h"
#include "sim/report.h"
#include "sim/rng.h"

struct onesim {
	struct machine_desc m;
	struct evq q;
	pmem_t *pm;
	hw_t *hw;
	os_t *os;
	int pid;
	sim_time_t t;
	uint64_t lat_sum, faults;
};

static struct onesim *sim_new(const char *preset, const char *policy)
{
	struct onesim *s = calloc(1, sizeof(*s));
	char err[512];
	struct mpol_spec pol;

	assert_non_null(s);
	assert_int_equal(machine_load(&s->m, preset, NULL, 0, err, sizeof(err)), 0);
	assert_int_equal(evq_init(&s->q), 0);
	assert_int_equal(pmem_create(&s->pm), 0);
	assert_int_equal(hw_create(&s->hw, &s->m.hw, s->pm, 1, err, sizeof(err)), 0);
	assert_int_equal(os_create(&s->os, &s->m.os, s->hw, s->pm, &s->q, 1, err, sizeof(err)), 0);
	assert_int_equal(os_process_create(s->os, true, &s->pid), 0);
	assert_int_equal(mpol_spec_parse(policy, s->m.hw.nr_nodes, &pol, err, sizeof(err)), 0);
	assert_int_equal(os_set_process_policy(s->os, s->pid, &pol), 0);
	hw_set_context(s->hw, 0, os_process_asid(s->os, s->pid), os_process_root(s->os, s->pid));
	return s;
}

static void sim_free(struct onesim *s)
{
	os_destroy(s->os);
	hw_destroy(s->hw);
	pmem_destroy(s->pm);
	evq_destroy(&s->q);
	free(s);
}

/* One access on CPU 0, faults resolved as the driver resolves them. */
static sim_time_t sim_access(struct onesim *s, uint64_t vaddr, uint8_t op)
{
	struct hw_req req = { .vaddr = vaddr, .size = 8, .op = op };
	struct hw_res res;

	for (int tries = 0;; tries++) {
		hw_access(s->hw, 0, s->t, &req, &res);
		if (res.fault == HW_FAULT_NONE)
			break;
		sim_time_t cost = 0;
		assert_int_equal(os_handle_fault(s->os, s->pid, 0, 0, s->t, res.fault_vaddr, op == MEM_STORE, res.fault,
						 &cost), OS_FAULT_RETRY);
		s->t += res.lat + cost;
		s->faults++;
		assert_true(tries < 8);
	}
	s->t += res.lat;
	s->lat_sum += res.lat;
	return res.lat;
}

static uint64_t addr_of(struct rng *r, uint64_t span)
{
	return 0x10000000ULL + (rng_below(r, span) & ~7ULL);
}

static char *report_of(struct onesim *s)
{
	rep_t *r;
	char *txt;

	assert_int_equal(rep_create(&r), 0);
	hw_report(s->hw, r);
	os_report(s->os, r);
	txt = rep_dump(r);
	rep_destroy(r);
	return txt;
}

enum { N = 20000 };

static void run_alone(const char *preset, const char *policy, uint64_t seed, uint64_t span, sim_time_t *lat,
		      char **report)
{
	struct onesim *s = sim_new(preset, policy);
	struct rng r;

	rng_seed(&r, seed, 0);
	for (int i = 0; i < N; i++)
		lat[i] = sim_access(s, addr_of(&r, span), (i % 3) ? MEM_LOAD : MEM_STORE);
	*report = report_of(s);
	sim_free(s);
}

static void two_sims_interleaved_equal_alone(void **state)
{
	static sim_time_t alone_a[N], alone_b[N];
	char *rep_a, *rep_b;
	struct onesim *a, *b;
	struct rng ra, rb;

	(void)state;
	run_alone("tiny", "local", 7, 8 << 20, alone_a, &rep_a);
	run_alone("skx-2s", "interleave:0-1", 9, 64 << 20, alone_b, &rep_b);

	a = sim_new("tiny", "local");
	b = sim_new("skx-2s", "interleave:0-1");
	rng_seed(&ra, 7, 0);
	rng_seed(&rb, 9, 0);
	for (int i = 0; i < N; i++) {
		assert_int_equal(sim_access(a, addr_of(&ra, 8 << 20), (i % 3) ? MEM_LOAD : MEM_STORE), alone_a[i]);
		assert_int_equal(sim_access(b, addr_of(&rb, 64 << 20), (i % 3) ? MEM_LOAD : MEM_STORE), alone_b[i]);
	}
	assert_true(a->faults > 0 && b->faults > 0);
	char *ra_txt = report_of(a), *rb_txt = report_of(b);
	assert_string_equal(ra_txt, rep_a);
	assert_string_equal(rb_txt, rep_b);
	free(ra_txt);
	free(rb_txt);
	free(rep_a);
	free(rep_b);
	sim_free(a);
	sim_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(two_sims_interleaved_equal_alone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
