/*
 * sim/fault_inject.h - deterministic host-allocation failures, for tests.
 *
 * The error paths of host allocations that must leave state unchanged (the
 * event queue's growth, mremap's page_content room) cannot be reached by
 * running out of host memory on purpose.  A test arms a site with a count n:
 * the n-th allocation at that site from then on fails as malloc would
 * (returns NULL), once, and the site disarms itself.  This is SQLite's
 * "-faults oom*" countdown and the idea of Linux's lib/fault-inject.c
 * (should_fail()), reduced to what the tests need.
 *
 * Cost: a site is checked only on the allocation branch it guards, never on
 * a per-access or per-event path, and an unarmed site is one thread-local
 * load and branch.  Nothing but a test arms a site: the command line and the
 * machine files have no knob for it, so a run cannot fail by injection.
 *
 * The counters are thread-local, so a test arming a site affects only the
 * simulation it drives (sweeps run simulations in other threads).
 */
#ifndef SIM_FAULT_INJECT_H
#define SIM_FAULT_INJECT_H

#include <stdbool.h>
#include "sim/types.h"

enum sim_fault_site {
	SIM_FAULT_EV_GROW,        /* the event queue's array doubling (sim/ev.c make_room) */
	SIM_FAULT_PGC_ALLOC,      /* page_content room and copies (os/page_content.c) */
	SIM_FAULT_NUMAB_TASK,     /* a process's NUMA balancing state (os/numa_balancing.c) */
	NR_SIM_FAULT_SITES
};

/* Allocations at each site still to go before the injected failure (0: disarmed). */
extern _Thread_local unsigned long sim_fault_countdown[NR_SIM_FAULT_SITES];

/* The nth allocation at site from now on fails (1: the next one); 0 disarms. */
void sim_fault_arm(enum sim_fault_site site, unsigned long nth);

/*
 * Called right before the allocation it guards.  @return true when this
 * allocation must fail (the caller takes its out-of-memory path).
 */
static inline bool sim_fault_hit(enum sim_fault_site site)
{
	if (likely(!sim_fault_countdown[site]))
		return false;
	return --sim_fault_countdown[site] == 0;
}

#endif
