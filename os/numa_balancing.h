/*
 * os/numa_balancing.h - automatic NUMA balancing (kernel.numa_balancing=1,
 * Linux 6.12 kernel/sched/fair.c task_numa_work / update_task_scan_period /
 * should_numa_migrate_memory and mm/memory.c do_numa_page; sources.md §10).
 *
 * Per process, a scanner event (first after scan_delay, then every scan
 * period) makes up to scan_size MiB of present PTEs inaccessible: P is
 * cleared and PTE_PROTNONE | PTE_NUMA set, so software still sees the page
 * mapped while the hardware walker reports HW_FAULT_NOT_PRESENT.  The next
 * access takes a hinting fault (do_numa_page): numa_hint_faults[_local],
 * the two-stage last_cpupid filter, and migration of the page to the
 * faulting CPU's node (numa_pages_migrated).  The scan period adapts to the
 * local/remote and private/shared fault ratios (§10.6).
 *
 * Tasks are threads: the last_cpupid of a page records the faulting
 * thread (its cpu and an 8-bit task id, as Linux keeps LAST__PID_SHIFT
 * bits of the task's pid), so a page used by several threads takes shared
 * faults and the two-stage filter stops it ping-ponging between their
 * nodes.  Fault statistics and the preferred node are per thread
 * (p->numa_faults, numa_preferred_nid); a shared fault between threads puts
 * the process's threads in one NUMA group, whose CPU/memory fault counts
 * decide shared-page migrations as in should_numa_migrate_memory.  The
 * scan itself is per address space (mm->numa_scan_offset /
 * numa_next_scan: one thread scans per period).
 *
 * Not modelled: moving threads (the driver places them; it may ask
 * os_task_preferred_cpu), per-thread scan-period adaptation (one period per
 * process), groups spanning processes, memory tiering, per-VMA access
 * bitmaps.
 */
#ifndef OS_NUMA_BALANCING_H
#define OS_NUMA_BALANCING_H

#include "os/mig_state.h"

#define PTE_NUMA PTE_SW3   /* with PTE_PROTNONE, P clear: a NUMA-hinting entry */

/* One thread's NUMA-balancing state (task_struct's numa_faults, numa_preferred_nid). */
struct numab_thr {
	unsigned tid;
	int preferred_nid;                   /* node with the most memory faults so far (-1 none) */
	uint64_t faults_mem[HW_MAX_NODES];   /* decayed faults per memory node (§10.5) */
	uint64_t faults_cpu[HW_MAX_NODES];   /* decayed faults per node of the faulting CPU */
	uint64_t hint_faults, migrated;      /* statistics */
};

struct numab_task {
	struct ev ev;
	struct os *os;
	int pid;
	sim_time_t scan_period;
	uint64_t scan_offset;     /* next virtual address to scan */
	unsigned scan_seq;        /* completed passes over the address space */
	int preferred_nid;        /* node with the most faults of all threads (-1 none) */
	uint64_t faults_mem[HW_MAX_NODES];   /* decayed memory-node fault counts of all threads */
	uint64_t local, remote, failed;      /* numa_faults_locality since the last adaptation */
	uint64_t priv, shared;               /* fault types since the last adaptation */
	uint64_t scans, ptes_updated;        /* statistics */
	struct numab_thr *thr;    /* per thread, by first fault */
	size_t nr_thr, cap_thr;
	bool grouped;             /* a shared fault joined the threads in a NUMA group */
	uint64_t group_mem[HW_MAX_NODES], group_cpu[HW_MAX_NODES];   /* the group's decayed faults */
};

/* The state of thread tid of p (created on first use; NULL without a scanner or memory). */
struct numab_thr *numab_thread(struct process *p, unsigned tid);
/* The thread's preferred node, or -1. */
int numab_preferred_nid(const struct process *p, unsigned tid);

/* A process ran at `now` (fault or system call): start its scanner if needed. */
void numab_task_tick(struct os *os, struct process *p, sim_time_t now);

/*
 * do_numa_page for the hinting entry `pte` at `slot` (level 1 or 2) of p.
 * Restores the entry, counts, and may migrate the page.  *cost += time.
 * @return 0.
 */
int do_numa_page(struct os *os, struct process *p, struct vma *v, uint64_t vaddr, uint64_t slot, uint64_t pte,
		 unsigned level, unsigned cpu, sim_time_t now, sim_time_t *cost);

/* task_numa_work: one scan window of p now (tests call it directly).  @return its cost. */
sim_time_t task_numa_work(struct os *os, struct process *p, sim_time_t now);

/* update_task_scan_period (§10.6) on t's counters; clamps to [scan_min, scan_max] of p. */
void update_task_scan_period(struct os *os, struct process *p, struct numab_task *t);
/* task_scan_min / task_scan_max for p (ps). */
sim_time_t task_scan_min(const struct os *os, const struct process *p);
sim_time_t task_scan_max(const struct os *os, const struct process *p);

void numab_destroy(struct os *os);

#endif
