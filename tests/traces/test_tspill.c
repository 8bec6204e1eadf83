/*
 * tests/traces/test_tspill.c - the on-disk record FIFO: order, control
 * arguments, interleaved pushes and pops across buffer and file, reuse
 * after draining.
 */
#include <stdlib.h>
#include <string.h>
#include "tests/support/test.h"
#include "sim/err.h"
#include "traces/tspill.h"

static void make(uint64_t i, struct trace_rec *r, struct trace_ctrl *c)
{
	memset(r, 0, sizeof(*r));
	memset(c, 0, sizeof(*c));
	r->addr = i * 64;
	r->gap = (uint32_t)(i % 7);
	r->op = i % 13 == 0 ? TOP_CTRL : TOP_LOAD;
	r->size = 8;
	if (r->op == TOP_CTRL) {
		c->kind = TCTRL_MARK;
		c->nargs = 1;
		c->args[0] = i;
	}
}

static void check(tspill_t *s, uint64_t i)
{
	struct trace_rec r, want;
	struct trace_ctrl c, wc;
	char err[256];

	make(i, &want, &wc);
	assert_int_equal(tspill_pop(s, &r, &c, err, sizeof(err)), 0);
	assert_int_equal(r.addr, want.addr);
	assert_int_equal(r.gap, want.gap);
	assert_int_equal(r.op, want.op);
	if (r.op == TOP_CTRL)
		assert_int_equal(c.args[0], i);
}

/* FIFO order whatever the mix of pushes and pops, through RAM and disk. */
static void fifo_order(void **state)
{
	tspill_t *s;
	char err[256];
	uint64_t in = 0, out = 0;
	struct trace_rec r;
	struct trace_ctrl c;

	(void)state;
	assert_int_equal(tspill_create(&s, err, sizeof(err)), 0);
	for (unsigned round = 0; round < 6; round++) {
		uint64_t push = 10000 + round * 3001, pop = round == 5 ? push + in - out : push / 2 + 17;

		for (uint64_t k = 0; k < push; k++, in++) {
			make(in, &r, &c);
			assert_int_equal(tspill_push(s, &r, &c, err, sizeof(err)), 0);
		}
		assert_int_equal(tspill_count(s), in - out);
		for (uint64_t k = 0; k < pop; k++)
			check(s, out++);
	}
	assert_int_equal(tspill_count(s), 0);
	/* drained FIFOs are reused */
	for (uint64_t k = 0; k < 20000; k++, in++) {
		make(in, &r, &c);
		assert_int_equal(tspill_push(s, &r, &c, err, sizeof(err)), 0);
	}
	while (tspill_count(s))
		check(s, out++);
	assert_int_equal(in, out);
	tspill_destroy(s);
	tspill_destroy(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fifo_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
