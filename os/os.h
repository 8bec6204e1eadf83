/*
 * os/os.h - the simulated operating system's memory manager, as one object.
 *
 * A Linux-like memory manager for the simulated machine: nodes and zones,
 * the buddy allocator with per-CPU lists and watermarks, processes with VMAs
 * and real 4-level page tables in sim/pmem, demand faults, NUMA memory
 * policies, and (later) reclaim, compaction, migration and NUMA balancing.
 * It decides where every page of the replayed program lives and returns the
 * simulated time each operation costs, so the driver can charge it to the
 * CPU that caused it.
 *
 * os/ uses hw/ (TLB shootdowns, page copies, node layout) but never the
 * trace readers: the driver translates trace control records into
 * os_syscall() calls.
 */
#ifndef OS_OS_H
#define OS_OS_H

#include <stdio.h>
#include "hw/hw.h"
#include "os/os_cfg.h"
#include "sim/ev.h"
#include "sim/pmem.h"
#include "sim/report.h"

typedef struct os os_t;

/*
 * @param q   the simulation's event queue: kernel threads (kswapd,
 *            kcompactd, the NUMA-balancing scanner) are events on it.
 * @return 0, -SIM_ENOMEM or -SIM_ECONFIG (message in err).
 */
int os_create(os_t **out, const struct os_cfg *cfg, hw_t *hw, pmem_t *pm, struct evq *q, uint64_t seed,
	      char *err, size_t errlen);
void os_destroy(os_t *os);

/* ---- processes -------------------------------------------------------- */

/*
 * A new process with an empty address space.  With `implicit` set, a fault
 * at an address outside every VMA creates an anonymous mapping around it
 * (for traces without mmap records: lackey, ChampSim), under the process
 * policy.  @return 0 and *pid, or a negative code.
 */
int os_process_create(os_t *os, bool implicit, int *pid);
/*
 * clone(CLONE_VM | CLONE_THREAD) by thread parent_tid: the new thread
 * child_tid starts with a copy of its creator's task policy and interleave
 * cursor (copy_process).  Without it a thread first seen takes thread 0's.
 */
int os_thread_clone(os_t *os, int pid, unsigned parent_tid, unsigned child_tid);
/* fork() by thread `tid` of parent: the child's thread inherits that thread's memory policy. */
int os_process_fork(os_t *os, int parent, unsigned tid, int *child);
/*
 * Turn implicit mappings on or off for a process: a trace that declares
 * every mapping (numasim record's explicit_maps) makes an access outside
 * them a SEGV, as in Linux.  Mappings made implicitly so far stay.
 */
void os_process_set_implicit(os_t *os, int pid, bool implicit);
void os_process_exit(os_t *os, int pid);
/* Translation context to load into the CPU running this process. */
uint16_t os_process_asid(const os_t *os, int pid);
uint64_t os_process_root(const os_t *os, int pid);
/* false once the OOM killer has killed the process: its threads stop. */
bool os_process_alive(const os_t *os, int pid);
/* Frame of the shared zero page that read faults on untouched anonymous memory map. */
uint64_t os_zero_pfn(const os_t *os);

/* ---- memory policy ------------------------------------------------------ */

/* Parsed form of "--policy": interleave:0-3, bind:1, preferred:0, weighted-interleave:0=3,1=1, local. */
struct mpol_spec {
	uint32_t mode;            /* enum mpol_mode (os/mempolicy.h) */
	uint32_t flags;           /* MPOL_F_STATIC_NODES / MPOL_F_RELATIVE_NODES */
	uint64_t nodes[HW_MAX_NODES / 64];   /* nodemask */
	uint8_t weights[HW_MAX_NODES];       /* weighted interleave */
};
int mpol_spec_parse(const char *s, unsigned nr_nodes, struct mpol_spec *out, char *err, size_t errlen);
int os_set_process_policy(os_t *os, int pid, const struct mpol_spec *pol);

/* ---- faults and system calls -------------------------------------------- */

enum os_fault_result {
	OS_FAULT_RETRY = 0,       /* the mapping was fixed; re-issue the access */
	OS_FAULT_SEGV,            /* no mapping / not permitted: the thread stops */
	OS_FAULT_OOM,             /* the process was OOM-killed */
};

/*
 * Or'ed into os_handle_fault's hw_fault: the access was an instruction
 * fetch (Linux's FAULT_FLAG_INSTRUCTION).  In an implicit process a fetch
 * from undeclared memory makes that page file-backed text (fault_implicit_text).
 */
#define OS_FAULT_INSTRUCTION 0x80

/*
 * Threads: `tid` names a thread of process `pid` (the trace's thread
 * number; any value, stable for the thread's life).  The task policy of
 * set_mempolicy and the interleave cursor are per thread, as in Linux; VMA
 * policies (mbind) belong to the process.  A thread first seen without
 * os_thread_clone starts with thread 0's policy.
 *
 * Resolve a hardware fault (enum hw_fault) of thread `tid` of process `pid`
 * on `cpu` at `now`.  *cost receives the simulated ps the fault took on that
 * CPU (entry and exit, allocation, zeroing or copying, TLB shootdowns,
 * reclaim stalls).
 */
enum os_fault_result os_handle_fault(os_t *os, int pid, unsigned tid, unsigned cpu, sim_time_t now, uint64_t vaddr,
				     bool write, uint8_t hw_fault, sim_time_t *cost);

/*
 * System calls carried by traces, in Linux's argument order.
 * oom_score_adj(value): a write of value (two's complement, -1000..1000)
 * to /proc/self/oom_score_adj: the whole process's (signal->oom_score_adj).
 * cma_alloc(node, count) / cma_release(node, count): a driver's
 * contiguous allocation from node's CMA area (os/cma.h).
 * memory_offline(node, block) / memory_online(node, block, zone): a write
 * to /sys/devices/system/memory/memoryN/state (os/memory_hotplug.h).
 * cgroup_attach(memcg): move the process into memory cgroup memcg (created
 * under the root on first use; 0 is the root).  cgroup_set(memcg, knob,
 * value): write memory.max (knob 0), .high (1), .low (2), .min (3) of memcg,
 * value in bytes, UINT64_MAX = "max" (os/memcontrol.h).
 */
#define OS_SYSCALLS(X)                         \
	X(MMAP, mmap)                          \
	X(MUNMAP, munmap)                      \
	X(BRK, brk)                            \
	X(MPROTECT, mprotect)                  \
	X(MADVISE, madvise)                    \
	X(MBIND, mbind)                        \
	X(SET_MEMPOLICY, set_mempolicy)        \
	X(MOVE_PAGES, move_pages)              \
	X(MIGRATE_PAGES, migrate_pages)        \
	X(FILE_READ, file_read)                \
	X(FILE_WRITE, file_write)              \
	X(SET_WEIGHTS, set_weights)            \
	X(OOM_SCORE_ADJ, oom_score_adj)        \
	X(CMA_ALLOC, cma_alloc)                \
	X(CMA_RELEASE, cma_release)            \
	X(MEMORY_OFFLINE, memory_offline)      \
	X(MEMORY_ONLINE, memory_online)      \
	X(MREMAP, mremap)                      \
	X(MLOCK, mlock)                        \
	X(MUNLOCK, munlock)                    \
	X(CGROUP_ATTACH, cgroup_attach)        \
	X(CGROUP_SET, cgroup_set)

enum os_sysno {
#define OS_SYS_ENUM(id, name) OS_SYS_##id,
	OS_SYSCALLS(OS_SYS_ENUM)
#undef OS_SYS_ENUM
	NR_OS_SYSCALLS
};

struct os_syscall {
	uint32_t nr;              /* enum os_sysno */
	uint64_t args[6];
	uint64_t ret;             /* the recorded result (mmap: the address), or UINT64_MAX */
};

/*
 * Apply one system call of thread `tid` of `pid`.  *cost gets the CPU time it took.
 * @return 0, or a negative code with err explaining (invalid arguments are
 * reported, as the kernel would return -EINVAL, not fatal to the run).
 */
int os_syscall(os_t *os, int pid, unsigned tid, unsigned cpu, sim_time_t now, const struct os_syscall *sc,
	       sim_time_t *cost, char *err, size_t errlen);

/*
 * NUMA balancing's task placement (task_numa_migrate moves a task to its
 * preferred node) is the driver's to apply, since the driver places
 * threads: @return a CPU of thread tid's preferred node (spread by tid over
 * the node's CPUs), or `cpu` itself when it is on that node, the thread has
 * no preference yet, or NUMA balancing is off.
 */
unsigned os_task_preferred_cpu(const os_t *os, int pid, unsigned tid, unsigned cpu);

/* ---- kernel threads and sampling -------------------------------------------- */

/*
 * Simulated ps that kernel threads (kswapd; kcompactd and the NUMA
 * scanner when they land) spent on `cpu` since the last call; the counter
 * is cleared.  The driver adds it to the clock of the thread on that CPU.
 */
sim_time_t os_cpu_stolen(os_t *os, unsigned cpu);

/*
 * A fixed set of counters for a time series (docs/os-reclaim.md lists
 * them): nr_free_pages.nodeN.ZONE per populated zone (gauges), then
 * kswapd_wakeups, pgscan_kswapd, pgsteal_kswapd, pgscan_direct,
 * pgsteal_direct, direct_reclaim_stalls, pswpin, pswpout, pgmajfault,
 * compact_stall, compact_isolated, pgmigrate_success, numa_hint_faults,
 * numa_pages_migrated, oom_kill, psi_some_ps, psi_full_ps (cumulative).
 * Names are stable for the OS's lifetime and owned by it.  Writes up to
 * max pairs.  @return the number written; the set's size is the return
 * value for max large enough (the same for every call).
 */
int os_sample(const os_t *os, const char **names, uint64_t *vals, int max);

/*
 * Errors that happen inside the simulation rather than in a call the
 * driver makes: a kernel thread's next run (kswapd, kcompactd, khugepaged,
 * ksmd, the NUMA-balancing scan, swap writeback) that could not be put on
 * the event queue (host out of memory, or a time before now).  The run's
 * figures are wrong from then on, so the driver must stop it.  The OS keeps
 * the first such error; os_error() formats it, naming the thread and the
 * times (@return 0 when there is none, else its negative code), and the
 * handler, if set, is called once with the same code and message when it
 * happens.
 */
typedef void (*os_error_fn)(void *ctx, int rc, const char *msg);
void os_set_error_handler(os_t *os, os_error_fn fn, void *ctx);
int os_error(const os_t *os, char *err, size_t errlen);

/* ---- views ---------------------------------------------------------------- */

/* The OS sections of the JSON report (numastat, vmstat, zones, processes). */
void os_report(const os_t *os, rep_t *r);

/*
 * Print a view in Linux's own text format: one of os_dump_views[] (the
 * table in os/os.c: the allocator's /proc files, numa_maps, meminfo,
 * slabinfo, smaps, the sysfs/debugfs files of CMA, memory blocks, zswap,
 * zram, KSM and memory tiers, and the cgroup files of every memcg), or
 * "numa_maps-PID", "numastat-nodeN".  @return 0 or -SIM_EUSAGE.
 */
int os_dump(const os_t *os, const char *view, FILE *fp);
/* The names os_dump() knows, NULL-terminated (besides "numa_maps-PID"). */
extern const char *const os_dump_views[];

#endif
