/*
 * os/kthread.c - kernel-thread scheduling with its failure recorded, and the
 * OS's other run-stopping host-memory failures (see kthread.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include "os/fault.h"
#include "os/kthread.h"
#include "sim/err.h"

static const char *const kthread_names[NR_KTHREADS] = {
#define KTHREAD_NAME(id, name) [KT_##id] = name,
	OS_KTHREADS(KTHREAD_NAME)
#undef KTHREAD_NAME
};

/* Tell the driver's handler, if any, about the error just recorded. */
static void report(struct os *os)
{
	if (os->on_error) {
		char msg[320];
		os_error(os, msg, sizeof(msg));
		os->on_error(os->on_error_ctx, os->kt_err.rc, msg);
	}
}

int kthread_schedule(struct os *os, enum kthread_id kt, unsigned id, struct ev *ev, sim_time_t when)
{
	int rc = ev_schedule(os->q, ev, when);

	if (likely(!rc))
		return 0;
	if (os->kt_err.rc)
		return rc;   /* the first failure is the one to report */
	os->kt_err = (struct kthread_err){ .rc = rc, .kt = kt, .id = id, .when = when, .now = os->q->now };
	report(os);
	return rc;
}

void os_fail_enomem(struct os *os, const char *what)
{
	if (os->kt_err.rc)
		return;
	os->kt_err = (struct kthread_err){ .rc = -SIM_ENOMEM, .what = what, .now = os->now };
	report(os);
}

void os_set_error_handler(os_t *os, os_error_fn fn, void *ctx)
{
	os->on_error = fn;
	os->on_error_ctx = ctx;
}

int os_error(const os_t *os, char *err, size_t errlen)
{
	const struct kthread_err *e = &os->kt_err;
	char who[96];

	if (!e->rc)
		return 0;
	if (e->what)
		return sim_errf(err, errlen, SIM_ENOMEM, "os: out of host memory for %s at simulated time %" PRIu64
				" ps; the run was stopped, as its figures would be wrong from there on", e->what, e->now);
	snprintf(who, sizeof(who), kthread_names[e->kt], e->id);
	if (e->rc == -SIM_ESTATE)
		return sim_errf(err, errlen, SIM_ESTATE, "%s: its next run, due at %" PRIu64 " ps, lies before the "
				"simulated time %" PRIu64 " ps (the sum overflowed); the run was stopped, as its "
				"figures would be wrong without that run", who, e->when, e->now);
	return sim_errf(err, errlen, -e->rc, "%s: its next run, due at %" PRIu64 " ps, could not be queued at "
			"simulated time %" PRIu64 " ps: %s; the run was stopped, as its figures would be wrong "
			"without that run", who, e->when, e->now, sim_strerror(e->rc));
}
