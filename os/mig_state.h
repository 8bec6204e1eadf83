/*
 * os/mig_state.h - state of the migration layer (migrate, compaction,
 * NUMA balancing, THP/khugepaged, hugetlb pools), hung off struct os as
 * os->mig.  Private to those modules.
 */
#ifndef OS_MIG_STATE_H
#define OS_MIG_STATE_H

#include "os/migrate.h"
#include "sim/ev.h"

#define MIG_STATS(X)                                                                                   \
	X(MIG_COMPACTION, compaction, EVENT, "pages", "migrated by compaction")                       \
	X(MIG_SYSCALL, syscall, EVENT, "pages", "migrated by move_pages / migrate_pages")             \
	X(MIG_MBIND, mempolicy_mbind, EVENT, "pages", "migrated by mbind MPOL_MF_MOVE")                 \
	X(MIG_NUMA, numa_misplaced, EVENT, "pages", "migrated by NUMA balancing")                     \
	X(MIG_DEMOTION, demotion, EVENT, "pages", "migrated by demotion")                             \
	X(MIG_CONTIG, contig_range, EVENT, "pages", "migrated out of a range by alloc_contig_range (CMA)") \
	X(MIG_HOTPLUG, memory_hotplug, EVENT, "pages", "migrated out of a memory block being offlined") \
	X(MIG_FAIL_COMPACTION, fail_compaction, EVENT, "pages", "compaction migrations that failed")   \
	X(MIG_FAIL_SYSCALL, fail_syscall, EVENT, "pages", "syscall migrations that failed")           \
	X(MIG_FAIL_MBIND, fail_mempolicy_mbind, EVENT, "pages", "mbind migrations that failed")       \
	X(MIG_FAIL_NUMA, fail_numa_misplaced, EVENT, "pages", "NUMA-balancing migrations that failed") \
	X(MIG_FAIL_DEMOTION, fail_demotion, EVENT, "pages", "demotions that failed")                  \
	X(MIG_FAIL_CONTIG, fail_contig_range, EVENT, "pages", "alloc_contig_range migrations that failed") \
	X(MIG_FAIL_HOTPLUG, fail_memory_hotplug, EVENT, "pages", "memory-offline migrations that failed") \
	X(MIG_PS_COMPACTION, ps_compaction, EVENT, "ps", "time spent migrating for compaction")       \
	X(MIG_PS_SYSCALL, ps_syscall, EVENT, "ps", "time spent migrating for system calls")           \
	X(MIG_PS_MBIND, ps_mempolicy_mbind, EVENT, "ps", "time spent migrating for mbind")            \
	X(MIG_PS_NUMA, ps_numa_misplaced, EVENT, "ps", "time spent migrating for NUMA balancing")     \
	X(MIG_PS_DEMOTION, ps_demotion, EVENT, "ps", "time spent demoting")                           \
	X(MIG_PS_CONTIG, ps_contig_range, EVENT, "ps", "time spent migrating for alloc_contig_range")  \
	X(MIG_PS_HOTPLUG, ps_memory_hotplug, EVENT, "ps", "time spent migrating for memory offlining") \
	X(MIG_SHOOTDOWNS, shootdowns, EVENT, "flushes", "TLB shootdowns issued by migration")         \
	X(MIG_BYTES, bytes_copied, EVENT, "bytes", "bytes copied by migration")                       \
	X(MIG_KTHREAD_PS, kthread_ps, EVENT, "ps", "kernel-thread time (kcompactd, NUMA scanner, khugepaged)")

enum mig_stat { MIG_STATS(STAT_ENUM) NR_MIG_STATS };

#define COMPACT_MAX_DEFER_SHIFT 6

/* Per zone: deferral (§8.4) and cached scanner positions (§8.1). */
struct compact_zone {
	unsigned considered, defer_shift, order_failed;
	uint64_t migrate_pfn, free_pfn;   /* 0: start afresh */
};

struct kcompactd {
	struct ev ev;             /* woken run */
	struct ev proactive;      /* HPAGE_FRAG_CHECK_INTERVAL_MSEC tick */
	struct os *os;
	unsigned nid;
	unsigned max_order;
	enum zone_type classzone;
	unsigned proactive_defer; /* checks to skip after a run that did not improve the score */
};

struct hpool {
	uint64_t *free;           /* free pool pages (pfns), LIFO */
	size_t nr_free, cap;
	uint64_t nr;              /* pool size (persistent pages) */
	uint64_t surplus;         /* pages taken from the buddy allocator beyond the pool */
};

struct mig_state {
	uint64_t stat[NR_MIG_STATS];
	sim_time_t *stolen;       /* [nr_cpus] */
	unsigned nr_cpus, nr_nodes;
	struct compact_zone cz[HW_MAX_NODES][MAX_NR_ZONES];
	struct kcompactd kcd[HW_MAX_NODES];
	/* khugepaged */
	struct ev khugepaged;
	int khp_pid;              /* process being scanned */
	uint64_t khp_addr;        /* next address to scan in it */
	bool khp_started;
	struct hpool pool[HW_MAX_NODES];
	bool pool_configured;
	/* NUMA-balancing: processes with a pending scan are tracked in their numab */
	uint64_t numab_scans;
};

#endif
