/*
 * os/psi.h - memory pressure stall accounting (Linux's PSI "memory" line,
 * kernel/sched/psi.c), from the simulated timeline.
 *
 * Every time a CPU's thread waits on memory management - direct reclaim,
 * direct compaction, page migration it has to wait for, a swap-in or a
 * file read-in it faulted on - the module that made it wait reports the
 * interval here.  Kernel threads (kswapd, kcompactd) report their own work
 * separately: it counts as "some" (a task is stalled on memory) but never
 * as "full".
 *
 *   some = time during which at least one CPU was stalled on memory
 *   full = time during which every busy CPU (one running a live process)
 *          was stalled at once
 *
 * Both are exact for intervals reported in time order, as the driver
 * reports them (it replays every CPU's faults and system calls in global
 * time order, docs/engine.md).  Per-CPU totals are always exact.
 */
#ifndef OS_PSI_H
#define OS_PSI_H

#include "sim/types.h"

struct os;
struct psi;

/* @return 0 or -SIM_ENOMEM. */
int psi_create(struct psi **out, unsigned nr_cpus);
void psi_destroy(struct psi *psi);

/*
 * A task on `cpu` was stalled on memory for [start, start + ps): reclaim,
 * compaction, migration, swap or file read-in on the path of its fault or
 * system call.  Counts towards some, full and the CPU's own total.
 * A no-op for ps == 0 or an OS without PSI state.
 */
void psi_memstall_add(struct os *os, unsigned cpu, sim_time_t start, sim_time_t ps);

/* A kernel thread (kswapd, kcompactd) worked on `cpu` for [start, start + ps): "some" only. */
void psi_kthread_add(struct os *os, unsigned cpu, sim_time_t start, sim_time_t ps);

struct psi_totals {
	sim_time_t some;          /* ps */
	sim_time_t full;          /* ps */
	sim_time_t task;          /* ps: sum over CPUs of task stalls */
	sim_time_t kthread;       /* ps: sum of kernel-thread reclaim/compaction time */
	uint64_t stalls;          /* task stall intervals reported */
};
void psi_get(const struct psi *psi, struct psi_totals *out);
/* Task stall ps of one CPU (0 for a bad cpu). */
sim_time_t psi_cpu_stall(const struct psi *psi, unsigned cpu);

/*
 * The accounting core, without an OS: record [start, start + ps) on cpu
 * with `busy` the mask test of the CPUs that count for "full" (busy[c] !=
 * 0).  Exposed for tests.
 */
void psi_record(struct psi *psi, unsigned cpu, sim_time_t start, sim_time_t ps, bool task, const uint8_t *busy);

#endif
