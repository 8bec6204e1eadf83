/* tests/sim/test_ev.c - event queue ordering, FIFO ties, cancellation. */
#include <stdlib.h>
#include <string.h>
#include "tests/support/test.h"
#include "sim/err.h"
#include "sim/ev.h"
#include "sim/fault_inject.h"
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

/*
 * The array's doubling fails (injected, sim/fault_inject.h): ev_schedule
 * says -SIM_ENOMEM, the event stays idle (a pending one is dropped), the
 * others keep their order, and the next schedule grows the array.
 */
static void ev_grow_failure(void **state)
{
	enum { N = 64 };
	struct evq q;
	struct rec rec = { .n = 0 };
	struct tev t[N + 1];

	(void)state;
	assert_int_equal(evq_init(&q), 0);
	assert_int_equal(q.cap, N);
	for (int i = 0; i <= N; i++) {
		t[i].id = i;
		t[i].rec = &rec;
		ev_init(&t[i].ev, record, &t[i]);
	}
	for (int i = 0; i < N; i++)
		assert_int_equal(ev_schedule(&q, &t[i].ev, (sim_time_t)(N - i)), 0);
	/* a pending event re-scheduled makes room by its own removal: no doubling, nothing to fail */
	sim_fault_arm(SIM_FAULT_EV_GROW, 1);
	assert_int_equal(ev_schedule(&q, &t[0].ev, 1000), 0);
	assert_int_equal(sim_fault_countdown[SIM_FAULT_EV_GROW], 1);
	/* a 65th event needs the doubling, which fails once */
	assert_int_equal(ev_schedule(&q, &t[N].ev, 500), -SIM_ENOMEM);
	assert_int_equal(sim_fault_countdown[SIM_FAULT_EV_GROW], 0);
	assert_int_equal(q.cap, N);
	assert_false(ev_pending(&t[N].ev));
	assert_int_equal(q.n, N);
	assert_int_equal(ev_schedule(&q, &t[N].ev, 500), 0);
	assert_int_equal(q.cap, 2 * N);
	while (evq_run_one(&q))
		;
	assert_int_equal(rec.n, N + 1);
	for (int i = 0; i < N - 1; i++)
		assert_int_equal(rec.order[i], N - 1 - i);
	assert_int_equal(rec.order[N - 1], N);
	assert_int_equal(rec.order[N], 0);
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
		struct ev *top = evq_peek(&q);
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

/* A callback that reschedules itself like a thread's agent, and runs other events' changes. */
struct mix {
	struct evq *q;
	struct rng *r;
	struct ev ev[40];
	bool ref_pending[40];
	sim_time_t ref_when[40];
	uint64_t ref_seq[40];
	uint64_t seq;
	int ran;
};

/* The reference: the pending event with the smallest (when, seq), by a scan. */
static int ref_min(const struct mix *m)
{
	int best = -1;

	for (int i = 0; i < 40; i++)
		if (m->ref_pending[i] && (best < 0 || m->ref_when[i] < m->ref_when[best] ||
					  (m->ref_when[i] == m->ref_when[best] && m->ref_seq[i] < m->ref_seq[best])))
			best = i;
	return best;
}

static void mix_schedule(struct mix *m, int k, sim_time_t when)
{
	assert_int_equal(ev_schedule(m->q, &m->ev[k], when), 0);
	m->ref_pending[k] = true;
	m->ref_when[k] = when;
	m->ref_seq[k] = m->seq++;
}

static void mix_run(struct ev *ev, void *ctx)
{
	struct mix *m = ctx;
	int k = (int)(ev - m->ev);
	uint64_t op = rng_below(m->r, 8);

	m->ran++;
	if (op < 5) {
		/* put itself back: usually after every other (threads taking turns), sometimes among them */
		mix_schedule(m, k, m->q->now + (op < 4 ? 100 + rng_below(m->r, 20) : rng_below(m->r, 60)));
	} else if (op == 5) {
		/* move another event, pending or not, earlier or later */
		mix_schedule(m, (int)rng_below(m->r, 40), m->q->now + rng_below(m->r, 150));
	} else if (op == 6) {
		int j = (int)rng_below(m->r, 40);
		ev_cancel(m->q, &m->ev[j]);
		m->ref_pending[j] = false;
	}
	/* op 7: it stops */
}

/*
 * Agents that reschedule themselves (the live window creeps to the array's
 * end and moves back many times), events moved to the middle or cancelled
 * from either half: every event runs when a plain scan of the pending set
 * says it is the earliest (ev_random_vs_sorted grows the array).
 */
static void ev_queue_against_scan(void **state)
{
	struct evq q;
	struct rng r;
	static struct mix m;

	(void)state;
	rng_seed(&r, 7, 2);
	memset(&m, 0, sizeof(m));
	m.q = &q;
	m.r = &r;
	assert_int_equal(evq_init(&q), 0);
	for (int i = 0; i < 40; i++) {
		ev_init(&m.ev[i], mix_run, &m);
		mix_schedule(&m, i, rng_below(&r, 50));
	}
	while (m.ran < 200000) {
		int k = ref_min(&m);
		if (k < 0) {
			/* everything stopped: start them all again */
			for (int i = 0; i < 40; i++)
				mix_schedule(&m, i, q.now + rng_below(&r, 50));
			continue;
		}
		assert_ptr_equal(evq_peek(&q), &m.ev[k]);
		m.ref_pending[k] = false;
		assert_true(evq_run_one(&q));
		for (int i = 0; i < 40; i++)
			assert_int_equal(ev_pending(&m.ev[i]), m.ref_pending[i]);
	}
	evq_destroy(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ev_order),
		cmocka_unit_test(ev_cancel_and_past),
		cmocka_unit_test(ev_zeroed_is_idle),
		cmocka_unit_test(ev_grow_failure),
		cmocka_unit_test(ev_random_vs_sorted),
		cmocka_unit_test(ev_queue_against_scan),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
