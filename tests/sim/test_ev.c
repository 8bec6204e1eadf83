/* tests/sim/test_ev.c - event queue ordering, FIFO ties, cancellation. */
#include <stdlib.h>
#include <string.h>
#include "tests/support/test.h"
#include "sim/ev.h"
#include "sim/rng.h"

struct rec {
	int order[1024];
	int n;
};

struct tev {
	struct ev ev;
	int id;
	struct rec *rec;
};

static void record(struct ev *ev, void *ctx)
{
	struct tev *t = ctx;
	(void)ev;
	t->rec->order[t->rec->n++] = t->id;
}

/* Events due at the same time run in scheduling order (FIFO). */
static void ev_order(void **state)
{
	struct evq q;
	struct rec rec = { .n = 0 };
	struct tev t[6];
	const sim_time_t when[6] = { 50, 10, 50, 10, 30, 50 };
	const int expect[6] = { 1, 3, 4, 0, 2, 5 };

	(void)state;
	assert_int_equal(evq_init(&q), 0);
	for (int i = 0; i < 6; i++) {
		t[i].id = i;
		t[i].rec = &rec;
		ev_init(&t[i].ev, record, &t[i]);
		assert_int_equal(ev_schedule(&q, &t[i].ev, when[i]), 0);
	}
	while (evq_run_one(&q))
		;
	assert_int_equal(rec.n, 6);
	for (int i = 0; i < 6; i++)
		assert_int_equal(rec.order[i], expect[i]);
	assert_int_equal(q.now, 50);
	evq_destroy(&q);
}

static void ev_cancel_and_past(void **state)
{
	struct evq q;
	struct rec rec = { .n = 0 };
	struct tev a = { .id = 1, .rec = &rec }, b = { .id = 2, .rec = &rec };

	(void)state;
	assert_int_equal(evq_init(&q), 0);
	ev_init(&a.ev, record, &a);
	ev_init(&b.ev, record, &b);
	ev_schedule(&q, &a.ev, 5);
	ev_schedule(&q, &b.ev, 7);
	ev_cancel(&q, &a.ev);
	assert_false(ev_pending(&a.ev));
	assert_true(evq_run_one(&q));
	assert_int_equal(rec.n, 1);
	assert_int_equal(rec.order[0], 2);
	/* scheduling in the past is refused */
	assert_int_not_equal(ev_schedule(&q, &a.ev, 3), 0);
	evq_destroy(&q);
}

/* A zero-filled node (calloc'd owner) is idle: cancelling it is a no-op, even with events queued. */
static void ev_zeroed_is_idle(void **state)
{
	struct evq q;
	struct rec rec = { .n = 0 };
	struct tev a = { .id = 1, .rec = &rec };
	struct ev z;

	(void)state;
	memset(&z, 0, sizeof(z));
	assert_int_equal(evq_init(&q), 0);
	ev_init(&a.ev, record, &a);
	ev_schedule(&q, &a.ev, 5);
	assert_false(ev_pending(&z));
	ev_cancel(&q, &z);
	assert_int_equal(q.n, 1);
	assert_true(evq_run_one(&q));
	assert_int_equal(rec.order[0], 1);
	evq_destroy(&q);
}

/* Differential: random schedule/cancel against a sorted-array oracle. */
static void ev_random_vs_sorted(void **state)
{
	enum { N = 500 };
	struct evq q;
	struct rng r;
	static struct tev t[N];
	static struct rec rec;
	int alive[N];

	(void)state;
	rng_seed(&r, 42, 1);
	assert_int_equal(evq_init(&q), 0);
	for (int i = 0; i < N; i++) {
		t[i].id = i;
		t[i].rec = &rec;
		ev_init(&t[i].ev, record, &t[i]);
		ev_schedule(&q, &t[i].ev, rng_below(&r, 100));
		alive[i] = 1;
	}
	for (int i = 0; i < N / 5; i++) {
		int k = (int)rng_below(&r, N);
		ev_cancel(&q, &t[k].ev);
		alive[k] = 0;
	}
	sim_time_t last_t = 0;
	uint64_t last_seq = 0;
	int ran = 0;
	while (q.n) {
		struct ev *top = q.heap[0];
		assert_true(top->when > last_t || (top->when == last_t && (ran == 0 || top->seq > last_seq)));
		last_t = top->when;
		last_seq = top->seq;
		evq_run_one(&q);
		ran++;
	}
	int expect = 0;
	for (int i = 0; i < N; i++)
		expect += alive[i];
	assert_int_equal(ran, expect);
	evq_destroy(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ev_order),
		cmocka_unit_test(ev_cancel_and_past),
		cmocka_unit_test(ev_zeroed_is_idle),
		cmocka_unit_test(ev_random_vs_sorted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
