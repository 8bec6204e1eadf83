/*
 * os/os_cfg.h - the OS half of a machine description ("os": {...}).
 *
 * Defaults are Linux's defaults (see docs/sources.md §14);
 * costs are the measured figures of §13.  Extend this struct and its table
 * in os_cfg.c as mechanisms land.
 */
#ifndef OS_OS_CFG_H
#define OS_OS_CFG_H

#include "sim/config.h"

enum thp_mode { THP_NEVER, THP_MADVISE, THP_ALWAYS, NR_THP_MODES };
extern const char *const thp_mode_names[];
/* transparent_hugepage/defrag */
enum thp_defrag { THP_DEFRAG_ALWAYS, THP_DEFRAG_DEFER, THP_DEFRAG_DEFER_MADVISE, THP_DEFRAG_MADVISE,
		  THP_DEFRAG_NEVER, NR_THP_DEFRAG };
extern const char *const thp_defrag_names[];

/* zswap compressors with a sourced cost and ratio (os/zswap.c, docs/os-reclaim.md) */
enum zswap_compressor { ZCOMP_LZO, ZCOMP_LZ4, ZCOMP_ZSTD, NR_ZCOMP };
extern const char *const zswap_compressor_names[];

/* os.zswap: /sys/module/zswap/parameters and numasim's cost figures (os/zswap.h) */
struct zswap_cfg {
	bool enabled;                     /* zswap.enabled (Kconfig default off) */
	uint32_t compressor;              /* enum zswap_compressor; Kconfig default lzo */
	uint32_t max_pool_percent;        /* pool limit, % of RAM */
	uint32_t accept_threshold_percent;/* a full pool accepts again below this % of the limit */
	uint64_t compress_cost;           /* ps per 4 KiB page; 0: the compressor's figure */
	uint64_t decompress_cost;         /* ps per 4 KiB page; 0: the compressor's figure */
	uint32_t default_compress;        /* % of a page for undeclared pages; 0: the compressor's Silesia ratio */
};

/* os.zram: the swap device as /dev/zram0 (os/zram.h); disksize = os.swap_size */
struct zram_cfg {
	bool enabled;
	uint32_t compressor;              /* enum zswap_compressor; zram's Kconfig default lzo-rle: lzo */
	uint64_t compress_cost;           /* ps per 4 KiB page; 0: the compressor's figure */
	uint64_t decompress_cost;         /* ps per 4 KiB page; 0: the compressor's figure */
	uint64_t mem_limit;               /* bytes: zram0/mem_limit, 0 = none */
};

/* os.ksm: /sys/kernel/mm/ksm (os/ksm.h) */
struct ksm_cfg {
	bool run;                         /* ksm/run: 1 starts ksmd */
	uint32_t pages_to_scan;           /* ksm/pages_to_scan per wake-up */
	uint64_t sleep;                   /* ps: ksm/sleep_millisecs */
	bool merge_across_nodes;          /* ksm/merge_across_nodes */
	uint64_t scan_cost;               /* ps per page ksmd looks at (checksum and tree lookups) */
};
/* One memory cgroup of "os.memcg" (os/memcontrol.h); sizes in bytes, 0 for max/high: "max". */
struct memcg_cfg {
	uint32_t id, parent;
	uint64_t max, high, low, min;
	uint32_t pids[16];        /* processes started in this memcg (the n-th --trace is pid n) */
	uint32_t nr_pids;
};
#define OS_CFG_MAX_MEMCGS 16

struct os_cfg {
	uint32_t page_size;               /* bytes; 4096 */
	uint64_t min_free_kbytes;         /* 0: computed as Linux does from lowmem */
	uint32_t watermark_scale_factor;  /* in 1/10000 of the zone */
	uint32_t watermark_boost_factor;
	uint64_t zone_dma;                /* bytes of ZONE_DMA at the start of node 0 (0: none) */
	uint64_t zone_dma32_end;          /* physical end of ZONE_DMA32 (0: none) */
	uint64_t movablecore;             /* bytes per node given to ZONE_MOVABLE (0: none) */
	uint32_t lowmem_reserve_ratio[4]; /* per zone: DMA, DMA32, NORMAL, MOVABLE */
	uint32_t nr_lowmem_reserve_ratio;
	uint32_t percpu_pagelist_high_fraction;
	uint32_t zone_reclaim_mode;
	uint32_t numa_balancing;          /* bit 0 NUMA_BALANCING_NORMAL, bit 1 NUMA_BALANCING_MEMORY_TIERING */
	uint32_t thp;                     /* enum thp_mode */
	uint64_t fault_cost;              /* ps: exception entry + exit + handler bookkeeping */
	uint64_t zero_page_cost;          /* ps: clearing a 4 KiB page (on top of its DRAM traffic) */
	uint64_t copy_page_cost;          /* ps: copying a 4 KiB page (COW, migration) */
	uint64_t syscall_cost;            /* ps: entry + exit of a system call */
	uint64_t alloc_cost;              /* ps: one page_alloc()/page_free() call served by a per-CPU list */
	uint64_t buddy_cost;              /* ps: each block moved under the zone lock (split, merge, pcp refill/drain) */
	uint64_t implicit_vma;            /* bytes: granule of implicit mappings for record-less traces */
	/* reclaim, swap, page cache, OOM (os/vmscan.h, os/swap.h, os/filemap.h, os/oom.h) */
	uint32_t swappiness;              /* vm.swappiness, 0..200 */
	uint64_t swap_size;               /* bytes of swap device (0: no swap) */
	uint64_t swap_latency;            /* ps per swap request */
	uint64_t swap_bandwidth;          /* bytes per second */
	uint32_t page_cluster;            /* vm.page-cluster: swap readahead of up to 2^page_cluster pages */
	uint64_t disk_latency;            /* ps per file I/O request */
	uint64_t disk_bandwidth;          /* bytes per second */
	uint32_t dirty_ratio;             /* vm.dirty_ratio, % of dirtyable memory */
	uint32_t dirty_background_ratio;  /* vm.dirty_background_ratio */
	uint32_t read_ahead_kb;           /* fault readahead window (read_ahead_kb) */
	uint32_t oom_score_adj;           /* every process's oom_score_adj (0..1000) */
	uint64_t sample_interval_ns;      /* ps (a CFG_NS field: JSON in ns) between os_sample() rows */
	uint64_t reclaim_scan_cost;       /* ps per page isolated and checked */
	uint64_t reclaim_page_cost;       /* ps per page freed by reclaim */
	uint64_t reclaim_unmap_cost;      /* ps per page-table entry unmapped by reclaim */
	uint64_t reclaim_pass_cost;       /* ps per shrink_node call (fixed overhead) */
	/* ---- migration, compaction, NUMA balancing, THP (os/migrate.c and friends) ---- */
	uint32_t compaction;              /* 0: no compaction at all (a kernel without CONFIG_COMPACTION) */
	uint32_t compaction_proactiveness;/* vm.compaction_proactiveness, 0..100 */
	uint32_t extfrag_threshold;       /* vm.extfrag_threshold, 0..1000 */
	uint64_t numa_balancing_scan_delay;      /* ps */
	uint64_t numa_balancing_scan_period_min; /* ps */
	uint64_t numa_balancing_scan_period_max; /* ps */
	uint32_t numa_balancing_scan_size_mb;
	uint32_t thp_defrag;              /* enum thp_defrag */
	bool thp_use_zero_page;           /* transparent_hugepage/use_zero_page */
	uint32_t khugepaged_pages_to_scan;
	uint64_t khugepaged_scan_sleep;   /* ps */
	uint32_t khugepaged_max_ptes_none;
	uint32_t khugepaged_max_ptes_swap;
	uint32_t khugepaged_max_ptes_shared;
	uint32_t nr_hugepages[64];        /* hugetlb 2 MiB pool per node, reserved at boot */
	uint32_t nr_nr_hugepages;
	uint64_t nr_overcommit_hugepages; /* vm.nr_overcommit_hugepages: surplus 2 MiB pages allowed */
	uint32_t nr_hugepages_1g[64];     /* hugetlb 1 GiB pool per node, allocated at boot */
	uint32_t nr_nr_hugepages_1g;
	uint64_t migrate_page_cost;       /* ps: isolate + unmap + remap bookkeeping per page (copy is separate) */
	uint64_t compact_scan_cost;       /* ps: per page a compaction scanner examines */
	uint64_t numa_pte_cost;           /* ps: per PTE the NUMA scanner changes */
	uint64_t cma_pernuma;             /* bytes: a CMA area on every node with memory (cma_pernuma=) */
	uint32_t numa_cma[64];            /* MiB: a CMA area on node i (numa_cma=i:size) */
	uint32_t nr_numa_cma;
	uint64_t memory_block_size;       /* bytes: memory_block_size= (0: probe_memory_block_size) */
	/* ---- mlock, mremap, stack growth (os/mlock.c, os/mremap.c) ---- */
	uint64_t memlock_limit;           /* bytes: RLIMIT_MEMLOCK (UINT64_MAX: unlimited / CAP_IPC_LOCK) */
	uint32_t compact_unevictable_allowed; /* vm.compact_unevictable_allowed */
	uint64_t stack_limit;             /* bytes: RLIMIT_STACK of the main thread's stack */
	uint32_t stack_guard_gap;         /* pages: stack_guard_gap (boot parameter) */
	uint64_t pte_move_cost;           /* ps: per entry move_page_tables moves */
	/* ---- the kernel's own allocations (os/slab.h) ---- */
	bool kernel_objects;              /* slab objects and kernel stacks take real frames */
	uint32_t slub_min_objects;        /* slub_min_objects= (0: 4 * (fls(nr_cpus) + 1)) */
	/* ---- memory tiering (os/memory_tiers.h, docs/tiering.md) ---- */
	uint32_t hmat_latency_ns[64];     /* per node: access latency from its best initiator (empty: all DRAM) */
	uint32_t nr_hmat_latency_ns;
	uint32_t hmat_bandwidth_mbps[64]; /* per node: access bandwidth from its best initiator, MB/s */
	uint32_t nr_hmat_bandwidth_mbps;
	bool demotion_enabled;            /* /sys/kernel/mm/numa/demotion_enabled */
	bool weighted_interleave_auto;    /* /sys/kernel/mm/mempolicy/weighted_interleave/auto */
	uint64_t numa_balancing_hot_threshold;          /* ps: numa_balancing/hot_threshold_ms */
	uint32_t numa_balancing_promote_rate_limit_mbps; /* kernel.numa_balancing_promote_rate_limit_MBps */
	struct zswap_cfg zswap;
	struct zram_cfg zram;
	struct ksm_cfg ksm;
	struct memcg_cfg memcg[OS_CFG_MAX_MEMCGS];   /* memory cgroups created at boot */
	uint32_t nr_memcg;
};

extern const struct cfg_table os_cfg_table;

#endif
