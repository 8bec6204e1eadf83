/* os/os_cfg.c - field table of the OS parameters. */
#include "os/os_cfg.h"

const char *const thp_mode_names[] = { "never", "madvise", "always", NULL };
const char *const thp_defrag_names[] = { "always", "defer", "defer+madvise", "madvise", "never", NULL };
#define MS(x) ((uint64_t)(x) * 1000000000ULL)

#define NS(x) ((uint64_t)(x) * 1000)

static const struct cfg_field os_fields[] = {
	CFG_F_U32(struct os_cfg, page_size, 4096, 4096, 4096, "base page size, bytes (4 KiB only)"),
	CFG_F_U64(struct os_cfg, min_free_kbytes, 0, 1ULL << 40, 0,
		  "vm.min_free_kbytes; 0 = Linux's default, sqrt(lowmem_kbytes * 16) clamped to 128..262144"),
	CFG_F_U32(struct os_cfg, watermark_scale_factor, 1, 3000, 10, "vm.watermark_scale_factor"),
	CFG_F_U32(struct os_cfg, watermark_boost_factor, 0, 100000, 15000, "vm.watermark_boost_factor"),
	CFG_F_SIZE(struct os_cfg, zone_dma, 0, 1ULL << 32, 0, "bytes of ZONE_DMA at the start of node 0"),
	CFG_F_SIZE(struct os_cfg, zone_dma32_end, 0, 1ULL << 40, 0, "physical end of ZONE_DMA32 (0: none)"),
	CFG_F_SIZE(struct os_cfg, movablecore, 0, 1ULL << 50, 0, "bytes per node in ZONE_MOVABLE"),
	CFG_F_U32_LIST(struct os_cfg, lowmem_reserve_ratio, nr_lowmem_reserve_ratio, 0, 1000000,
		       "vm.lowmem_reserve_ratio (DMA DMA32 NORMAL MOVABLE); empty: 256 256 32 0"),
	CFG_F_U32(struct os_cfg, percpu_pagelist_high_fraction, 0, 1000000, 0, "vm.percpu_pagelist_high_fraction"),
	CFG_F_U32(struct os_cfg, zone_reclaim_mode, 0, 7, 0, "vm.zone_reclaim_mode"),
	CFG_F_U32(struct os_cfg, numa_balancing, 0, 1, 0, "kernel.numa_balancing"),
	CFG_F_ENUM(struct os_cfg, thp, thp_mode_names, THP_MADVISE, "transparent_hugepage/enabled"),
	CFG_F_NS(struct os_cfg, fault_cost, 0, NS(1000000), NS(1000), "ns: page-fault entry, exit and bookkeeping"),
	CFG_F_NS(struct os_cfg, zero_page_cost, 0, NS(1000000), NS(250), "ns: clearing one 4 KiB page"),
	CFG_F_NS(struct os_cfg, copy_page_cost, 0, NS(1000000), NS(400), "ns: copying one 4 KiB page"),
	CFG_F_NS(struct os_cfg, syscall_cost, 0, NS(1000000), NS(150), "ns: system call entry and exit"),
	CFG_F_NS(struct os_cfg, alloc_cost, 0, NS(1000000), NS(50), "ns: a page allocation or free served by a per-CPU list"),
	CFG_F_NS(struct os_cfg, buddy_cost, 0, NS(1000000), NS(25), "ns: one block moved in the buddy allocator (split, merge, refill, drain)"),
	CFG_F_SIZE(struct os_cfg, implicit_vma, 4096, 1ULL << 40, 1ULL << 30,
		   "bytes: alignment granule of implicit anonymous mappings"),
	CFG_F_U32(struct os_cfg, compaction, 0, 1, 1, "numasim: 0 disables compaction (no CONFIG_COMPACTION)"),
	CFG_F_U32(struct os_cfg, compaction_proactiveness, 0, 100, 20, "vm.compaction_proactiveness"),
	CFG_F_U32(struct os_cfg, extfrag_threshold, 0, 1000, 500, "vm.extfrag_threshold"),
	CFG_F_NS(struct os_cfg, numa_balancing_scan_delay, NS(1000), MS(3600000), MS(1000),
		 "ns: numa_balancing/scan_delay_ms (first scan after the task starts)"),
	CFG_F_NS(struct os_cfg, numa_balancing_scan_period_min, NS(1000), MS(3600000), MS(1000),
		 "ns: numa_balancing/scan_period_min_ms"),
	CFG_F_NS(struct os_cfg, numa_balancing_scan_period_max, NS(1000), MS(3600000), MS(60000),
		 "ns: numa_balancing/scan_period_max_ms"),
	CFG_F_U32(struct os_cfg, numa_balancing_scan_size_mb, 1, 1u << 20, 256, "numa_balancing/scan_size_mb"),
	CFG_F_ENUM(struct os_cfg, thp_defrag, thp_defrag_names, THP_DEFRAG_MADVISE, "transparent_hugepage/defrag"),
	CFG_F_U32(struct os_cfg, khugepaged_pages_to_scan, 0, 1u << 30, 4096, "khugepaged/pages_to_scan (0: khugepaged off)"),
	CFG_F_NS(struct os_cfg, khugepaged_scan_sleep, NS(1000), MS(3600000), MS(10000),
		 "ns: khugepaged/scan_sleep_millisecs"),
	CFG_F_U32(struct os_cfg, khugepaged_max_ptes_none, 0, 511, 511, "khugepaged/max_ptes_none"),
	CFG_F_U32_LIST(struct os_cfg, nr_hugepages, nr_nr_hugepages, 0, 1u << 24,
		       "hugetlb 2 MiB pages reserved at boot per node (nodeN/hugepages/hugepages-2048kB/nr_hugepages); "
		       "empty: no pool, MAP_HUGETLB allocates surplus pages from the buddy allocator"),
	CFG_F_NS(struct os_cfg, migrate_page_cost, 0, NS(1000000), NS(1000),
		 "ns: migrating one 4 KiB page besides the copy (isolate, allocate, unmap, remap)"),
	CFG_F_NS(struct os_cfg, compact_scan_cost, 0, NS(1000000), NS(5), "ns: one page examined by a compaction scanner"),
	CFG_F_NS(struct os_cfg, numa_pte_cost, 0, NS(1000000), NS(20), "ns: one PTE made NUMA-hinting by the scanner"),
};
const struct cfg_table os_cfg_table = CFG_TABLE("os", struct os_cfg, os_fields, NULL);
