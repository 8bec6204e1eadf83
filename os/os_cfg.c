/* os/os_cfg.c - field table of the OS parameters. */
#include "os/os_cfg.h"

const char *const thp_mode_names[] = { "never", "madvise", "always", NULL };

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
	CFG_F_U32(struct os_cfg, swappiness, 0, 200, 60, "vm.swappiness"),
	CFG_F_SIZE(struct os_cfg, swap_size, 0, 1ULL << 44, 0, "bytes of the swap device (0: no swap)"),
	CFG_F_NS(struct os_cfg, swap_latency, 0, NS(1000000000), NS(100000), "ns per swap request on top of the transfer"),
	CFG_F_SIZE(struct os_cfg, swap_bandwidth, 1ULL << 20, 1ULL << 40, 2ULL << 30, "swap device bytes per second"),
	CFG_F_NS(struct os_cfg, disk_latency, 0, NS(1000000000), NS(100000), "ns per file I/O request on top of the transfer"),
	CFG_F_SIZE(struct os_cfg, disk_bandwidth, 1ULL << 20, 1ULL << 40, 2ULL << 30, "file disk bytes per second"),
	CFG_F_U32(struct os_cfg, dirty_ratio, 1, 100, 20, "vm.dirty_ratio: writers wait above this % of dirtyable memory"),
	CFG_F_U32(struct os_cfg, dirty_background_ratio, 0, 100, 10,
		  "vm.dirty_background_ratio: writeback starts above this %"),
	CFG_F_U32(struct os_cfg, read_ahead_kb, 0, 65536, 128, "file fault readahead window, KiB"),
	CFG_F_U32(struct os_cfg, oom_score_adj, 0, 1000, 0, "oom_score_adj of every process (negative values: not yet)"),
	CFG_F_NS(struct os_cfg, sample_interval_ns, 0, NS(1000000000000ULL), NS(1000000), "ns between time-series samples (os_sample)"),
	CFG_F_NS(struct os_cfg, reclaim_scan_cost, 0, NS(1000000), NS(50), "ns per page isolated and checked by reclaim"),
	CFG_F_NS(struct os_cfg, reclaim_page_cost, 0, NS(1000000), NS(250), "ns per page freed by reclaim"),
	CFG_F_NS(struct os_cfg, reclaim_unmap_cost, 0, NS(1000000), NS(450), "ns per mapping removed by reclaim (rmap walk + PTE)"),
	CFG_F_NS(struct os_cfg, reclaim_pass_cost, 0, NS(1000000), NS(1000), "ns of fixed overhead per shrink_node pass"),
};
const struct cfg_table os_cfg_table = CFG_TABLE("os", struct os_cfg, os_fields, NULL);
