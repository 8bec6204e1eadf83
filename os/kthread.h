/*
 * os/kthread.h - putting kernel-thread work on the event queue, checked.
 *
 * Kernel threads (kswapd, kcompactd, khugepaged, ksmd), NUMA balancing's
 * scan work and swap writeback completions are events on the simulation's
 * queue, and each re-arms itself.  ev_schedule() can fail: the host runs out
 * of memory growing the queue, or the time asked for lies in the past (an
 * overflowed sum).  A failure ignored would silently drop the thread's next
 * run and the run would report wrong numbers, so every kernel-thread event
 * of os/ goes through kthread_schedule(), which records the first failure in
 * the OS (which thread, for when, at what time) and tells the driver through
 * the handler it registered (os_set_error_handler, os/os.h); the driver
 * stops the run with an error naming the thread.  Without a handler (unit
 * tests) os_error() returns it.
 *
 * One table names the threads, as Linux names them in ps (kswapd0,
 * kcompactd1, khugepaged, ksmd); the number after a name is the node or
 * the pid, as the format says (threads without one ignore it).
 */
#ifndef OS_KTHREAD_H
#define OS_KTHREAD_H

#include "sim/ev.h"

struct os;

#define OS_KTHREADS(X)                                                                    \
	X(KSWAPD, "kswapd%u")                                                             \
	X(KCOMPACTD, "kcompactd%u")                                                       \
	X(KCOMPACTD_PROACTIVE, "kcompactd%u (proactive compaction)")                      \
	X(KHUGEPAGED, "khugepaged")                                                       \
	X(KSMD, "ksmd")                                                                   \
	X(NUMA_SCAN, "task_numa_work of pid %u (NUMA balancing scan)")                    \
	X(SWAP_WRITEBACK, "swap writeback completion (end_swap_bio_write)")

enum kthread_id {
#define KTHREAD_ENUM(id, name) KT_##id,
	OS_KTHREADS(KTHREAD_ENUM)
#undef KTHREAD_ENUM
	NR_KTHREADS
};

/*
 * The first in-simulation failure of an OS (rc 0: none yet): a kernel
 * thread's schedule (kt, id, when, now), or, when what is set, a host
 * allocation the OS could not do without (os_fail_enomem).
 */
struct kthread_err {
	int rc;                   /* -SIM_ENOMEM or -SIM_ESTATE (a time before now) */
	const char *what;         /* os_fail_enomem's description; NULL: a kernel-thread schedule */
	enum kthread_id kt;
	unsigned id;              /* node or pid, per the name's format */
	sim_time_t when;          /* the time asked for, ps */
	sim_time_t now;           /* the queue's time then, ps */
};

/*
 * ev_schedule(os->q, ev, when) for kernel thread kt (instance id).  On
 * failure the event stays idle (the thread's next run is lost), the first
 * failure is recorded and the driver's error handler called.
 * @return ev_schedule's code.
 */
int kthread_schedule(struct os *os, enum kthread_id kt, unsigned id, struct ev *ev, sim_time_t when);

/*
 * The host had no memory for what (a string literal naming the structure
 * and what it is for) where the OS has no Linux-like way out: a fault
 * turned into SIGSEGV, a process left out of NUMA balancing, a page ksmd
 * skips, a demotion not tried, a zero-filled page swapped as any other.
 * Each would change the run's figures silently, so it is recorded as the
 * OS's error (the first one wins) and the driver's handler stops the run,
 * as for kthread_schedule.  The caller then takes its fallback, which only
 * a driver without a handler (unit tests) lets go on.
 */
void os_fail_enomem(struct os *os, const char *what);

#endif
