/*
 * tests/os/test_kthread.c - a kernel thread whose next run cannot be queued
 * stops the run with an error naming it (os/kthread.h), never silently.
 *
 * The event queue's growth is made to fail with the test-only fault
 * injection of sim/fault_inject.h: the queue is filled to the end of its
 * array first, so that the kernel thread's own ev_schedule is the one that
 * must double it.  A time that overflows (proactive compaction re-armed at
 * ev->when + HPAGE_FRAG_CHECK_INTERVAL near the end of time) is the other
 * failure ev_schedule reports (-SIM_ESTATE, a time before now).
 */
#include "tests/os/reclaim_fixture.h"
#include "os/kthread.h"
#include "os/mig_state.h"
#include "sim/fault_inject.h"

/* What the driver's handler (os_set_error_handler) was told. */
struct seen {
	int calls;
	int rc;
	char msg[512];
};

static void on_error(void *ctx, int rc, const char *msg)
{
	struct seen *s = ctx;

	s->calls++;
	s->rc = rc;
	snprintf(s->msg, sizeof(s->msg), "%s", msg);
}

/* Far-future events that fill f's queue to the end of its array: the next schedule must grow it. */
#define NR_FILL 128
static struct ev fill[NR_FILL];

static void never(struct ev *ev, void *ctx)
{
	(void)ev;
	(void)ctx;
	fail_msg("a filler event ran");
}

static void fill_queue(struct fx *f)
{
	unsigned i = 0;

	while (f->q.lo + f->q.n < f->q.cap) {
		assert_true(i < NR_FILL);
		ev_init(&fill[i], never, NULL);
		assert_int_equal(ev_schedule(&f->q, &fill[i], SIM_TIME_MAX - NR_FILL + i), 0);
		i++;
	}
	assert_true(f->q.n >= f->q.cap / 2);   /* so make_room doubles rather than slides the window */
}

static void unfill_queue(struct fx *f)
{
	for (unsigned i = 0; i < NR_FILL; i++)
		ev_cancel(&f->q, &fill[i]);
}

static void expect_error(struct fx *f, const struct seen *s, int rc, const char *who)
{
	char err[512] = "";

	assert_int_equal(os_error(f->os, err, sizeof(err)), rc);
	print_message("# %s\n", err);
	assert_non_null(strstr(err, who));
	assert_int_equal(s->calls, 1);
	assert_int_equal(s->rc, rc);
	assert_string_equal(s->msg, err);
}

/* khugepaged re-arms itself after every scan; the array doubling for it fails. */
static void khugepaged_reschedule_fails(void **state)
{
	struct os_cfg c = fx_os_cfg();
	struct seen s = { 0 };
	char err[512] = "";
	(void)state;

	c.thp = THP_ALWAYS;
	c.compaction_proactiveness = 0;   /* khugepaged alone on the queue */
	struct fx *f = fx_new_cfg(1, 64, 2, &c);
	struct ev *kh = &f->os->mig->khugepaged;
	assert_true(ev_pending(kh));
	assert_int_equal(os_error(f->os, err, sizeof(err)), 0);
	os_set_error_handler(f->os, on_error, &s);
	fill_queue(f);
	sim_fault_arm(SIM_FAULT_EV_GROW, 1);
	assert_ptr_equal(evq_peek(&f->q), kh);
	assert_true(evq_run_one(&f->q));
	assert_int_equal(sim_fault_countdown[SIM_FAULT_EV_GROW], 0);   /* it fired */
	assert_false(ev_pending(kh));                                  /* the next run is lost... */
	expect_error(f, &s, -SIM_ENOMEM, "khugepaged: its next run, due at");   /* ...and said */
	assert_non_null(strstr(s.msg, "out of host memory"));
	/* a later failure does not replace the first, nor call the handler again */
	struct ev other;
	ev_init(&other, never, NULL);
	assert_int_equal(kthread_schedule(f->os, KT_KSMD, 0, &other, f->q.now + 1), 0);
	ev_cancel(&f->q, &other);
	assert_int_equal(kthread_schedule(f->os, KT_KSMD, 0, &other, f->q.now - 1), -SIM_ESTATE);
	expect_error(f, &s, -SIM_ENOMEM, "khugepaged");
	unfill_queue(f);
	fx_free(f);
}

/* kswapd woken by a fault: its first run cannot be queued; before, it stayed "running" for ever. */
static void kswapd_wake_fails(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 64);
	struct kswapd *k = &f->os->rcl->kswapd[0];
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000, i;
	struct seen s = { 0 };
	(void)state;

	os_set_error_handler(f->os, on_error, &s);
	fx_mmap_at(f, pid, a, 64ULL << 20, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	fill_queue(f);
	sim_fault_arm(SIM_FAULT_EV_GROW, 1);
	for (i = 0; i < 16384 && k->state == KSWAPD_SLEEPING; i++)
		assert_int_equal(fx_fault(f, pid, 0, a + (i << PAGE_SHIFT), true, NULL), OS_FAULT_RETRY);
	assert_true(i < 16384);
	assert_int_equal(k->state, KSWAPD_RUNNING);
	assert_false(ev_pending(&k->ev));
	expect_error(f, &s, -SIM_ENOMEM, "kswapd0: its next run, due at");
	unfill_queue(f);
	fx_free(f);
}

/*
 * Proactive compaction re-arms at ev->when + HPAGE_FRAG_CHECK_INTERVAL
 * (500 ms; mm/compaction.c kcompactd's wait_event_freezable_timeout with
 * HPAGE_FRAG_CHECK_INTERVAL_MSEC).  ev->when is the queue's time when it
 * runs, so the sum can only be in the past if it wrapped: near the end of
 * time it does, and that is reported, not scheduled at a tiny time.
 */
static void proactive_rearm_cannot_wrap(void **state)
{
	struct os_cfg c = fx_os_cfg();
	struct seen s = { 0 };
	(void)state;

	c.compaction = 1;
	c.compaction_proactiveness = 20;
	struct fx *f = fx_new_cfg(1, 64, 2, &c);
	struct ev *pro = &f->os->mig->kcd[0].proactive;
	assert_true(ev_pending(pro));
	assert_int_equal(pro->when, 500ULL * 1000000000ULL);
	os_set_error_handler(f->os, on_error, &s);
	/* the normal re-arm: one interval after the run */
	assert_true(evq_run_one(&f->q));
	assert_true(ev_pending(pro));
	assert_int_equal(pro->when, 2 * 500ULL * 1000000000ULL);
	assert_int_equal(s.calls, 0);
	/* the same, 1 us before the end of time */
	ev_cancel(&f->q, pro);
	f->q.now = SIM_TIME_MAX - 1000000;
	assert_int_equal(ev_schedule(&f->q, pro, f->q.now), 0);
	assert_true(evq_run_one(&f->q));
	assert_false(ev_pending(pro));
	expect_error(f, &s, -SIM_ESTATE, "kcompactd0 (proactive compaction): its next run, due at");
	fx_free(f);
}

/* A kernel thread armed at boot that cannot be queued fails os_create itself. */
static void boot_time_arm_fails(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[512] = "";
	(void)state;

	assert_non_null(f);
	f->cfg = fx_os_cfg();
	f->cfg.compaction = 1;
	f->cfg.compaction_proactiveness = 20;
	fx_hw(&f->hc, 2, 64, 2);
	assert_int_equal(pmem_create(&f->pm), 0);
	assert_int_equal(evq_init(&f->q), 0);
	f->q.now = SIM_TIME_MAX - 1;   /* now + 500 ms overflows */
	int rc = os_create_with_cfg(&f->os, &f->cfg, &f->hc, f->pm, &f->q, 1, err, sizeof(err));
	print_message("# %s\n", err);
	assert_int_equal(rc, -SIM_ESTATE);
	assert_null(f->os);
	assert_non_null(strstr(err, "kcompactd0 (proactive compaction)"));
	assert_int_equal(f->q.n, 0);   /* what was queued went with the OS */
	pmem_destroy(f->pm);
	evq_destroy(&f->q);
	free(f);
}

/*
 * A host allocation the OS has no Linux-like way around (os_fail_enomem):
 * a process's NUMA balancing state, made at its first system call or
 * fault.  Before, the
 * process was silently left out of NUMA balancing and the run went on.
 */
static void numab_task_enomem_stops_the_run(void **state)
{
	struct os_cfg c = fx_os_cfg();
	struct seen s = { 0 };
	(void)state;

	c.numa_balancing = 1;
	struct fx *f = fx_new_cfg(2, 64, 2, &c);
	int pid = fx_proc(f, false);
	os_set_error_handler(f->os, on_error, &s);
	sim_fault_arm(SIM_FAULT_NUMAB_TASK, 1);
	/* the process's first system call makes it (task_tick_numa runs from the first tick it gets) */
	fx_mmap_at(f, pid, 0x10000000, 1ULL << 20, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	assert_int_equal(sim_fault_countdown[SIM_FAULT_NUMAB_TASK], 0);   /* it fired */
	assert_null(os_proc(f->os, pid)->numab);
	expect_error(f, &s, -SIM_ENOMEM, "out of host memory for a process's NUMA balancing state");
	/* a later failure of another kind keeps the first */
	os_fail_enomem(f->os, "something else");
	expect_error(f, &s, -SIM_ENOMEM, "NUMA balancing");
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(khugepaged_reschedule_fails),
		cmocka_unit_test(kswapd_wake_fails),
		cmocka_unit_test(proactive_rearm_cannot_wrap),
		cmocka_unit_test(boot_time_arm_fails),
		cmocka_unit_test(numab_task_enomem_stops_the_run),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
