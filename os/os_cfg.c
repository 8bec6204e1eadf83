/* os/os_cfg.c - field table of the OS parameters. */
#include "os/os_cfg.h"
#include "sim/err.h"

const char *const thp_mode_names[] = { "never", "madvise", "always", NULL };
const char *const thp_defrag_names[] = { "always", "defer", "defer+madvise", "madvise", "never", NULL };
#define MS(x) ((uint64_t)(x) * 1000000000ULL)

#define NS(x) ((uint64_t)(x) * 1000)

const char *const zswap_compressor_names[] = { "lzo", "lz4", "zstd", NULL };

static const struct cfg_field zswap_fields[] = {
	CFG_F_BOOL(struct zswap_cfg, enabled, false, "/sys/module/zswap/parameters/enabled (needs swap: os.swap_size)"),
	CFG_F_ENUM(struct zswap_cfg, compressor, zswap_compressor_names, ZCOMP_LZO,
		   "zswap.compressor: picks the default costs and ratio (lzbench figures, docs/os-reclaim.md)"),
	CFG_F_U32(struct zswap_cfg, max_pool_percent, 0, 100, 20, "zswap.max_pool_percent: pool limit, % of RAM"),
	CFG_F_U32(struct zswap_cfg, accept_threshold_percent, 0, 100, 90,
		  "zswap.accept_threshold_percent: a full pool accepts stores again below this % of the limit"),
	CFG_F_NS(struct zswap_cfg, compress_cost, 0, NS(1000000), 0, "ns to compress one 4 KiB page; 0: the compressor's"),
	CFG_F_NS(struct zswap_cfg, decompress_cost, 0, NS(1000000), 0,
		 "ns to decompress one 4 KiB page; 0: the compressor's"),
	CFG_F_U32(struct zswap_cfg, default_compress, 0, 100, 0,
		  "compressed size, % of a page, of pages no page_content record describes; 0: the compressor's ratio"),
};
static const struct cfg_table zswap_cfg_table = CFG_TABLE("zswap", struct zswap_cfg, zswap_fields, NULL);

static const struct cfg_field zram_fields[] = {
	CFG_F_BOOL(struct zram_cfg, enabled, false,
		   "the swap device (os.swap_size bytes: its disksize) is /dev/zram0, compressed RAM"),
	CFG_F_ENUM(struct zram_cfg, compressor, zswap_compressor_names, ZCOMP_LZO,
		   "zram0/comp_algorithm (Kconfig default lzo-rle: lzo's figures)"),
	CFG_F_NS(struct zram_cfg, compress_cost, 0, NS(1000000), 0, "ns to compress one 4 KiB page; 0: the compressor's"),
	CFG_F_NS(struct zram_cfg, decompress_cost, 0, NS(1000000), 0,
		 "ns to decompress one 4 KiB page; 0: the compressor's"),
	CFG_F_SIZE(struct zram_cfg, mem_limit, 0, 1ULL << 44, 0, "zram0/mem_limit: bytes of pool at most (0: none)"),
};
static const struct cfg_table zram_cfg_table = CFG_TABLE("zram", struct zram_cfg, zram_fields, NULL);

static const struct cfg_field ksm_fields[] = {
	CFG_F_BOOL(struct ksm_cfg, run, false, "/sys/kernel/mm/ksm/run: ksmd merges MADV_MERGEABLE memory"),
	CFG_F_U32(struct ksm_cfg, pages_to_scan, 1, 1u << 30, 100, "ksm/pages_to_scan per ksmd wake-up"),
	CFG_F_NS(struct ksm_cfg, sleep, NS(1000), MS(3600000), MS(20), "ns: ksm/sleep_millisecs between wake-ups"),
	CFG_F_BOOL(struct ksm_cfg, merge_across_nodes, true,
		   "ksm/merge_across_nodes: 0 keeps one stable tree per node (identical pages merge per node)"),
	CFG_F_NS(struct ksm_cfg, scan_cost, 0, NS(1000000), NS(500),
		 "ns per page ksmd examines (checksum of 4 KiB, tree search)"),
};
static const struct cfg_table ksm_cfg_table = CFG_TABLE("ksm", struct ksm_cfg, ksm_fields, NULL);
static const struct cfg_field memcg_fields[] = {
	CFG_F_U32(struct memcg_cfg, id, 1, 1023, 1, "memcg id (1..1023; 0 is the root)"),
	CFG_F_U32(struct memcg_cfg, parent, 0, 1023, 0, "parent memcg id (0: the root), declared earlier in the list"),
	CFG_F_SIZE(struct memcg_cfg, max, 0, 1ULL << 50, 0, "memory.max, bytes (0: max)"),
	CFG_F_SIZE(struct memcg_cfg, high, 0, 1ULL << 50, 0, "memory.high, bytes (0: max)"),
	CFG_F_SIZE(struct memcg_cfg, low, 0, 1ULL << 50, 0, "memory.low, bytes"),
	CFG_F_SIZE(struct memcg_cfg, min, 0, 1ULL << 50, 0, "memory.min, bytes"),
	CFG_F_U32_LIST(struct memcg_cfg, pids, nr_pids, 1, 1u << 30,
		       "processes that start in this memcg (cgroup.procs): pid n is the n-th --trace"),
};
static const struct cfg_table memcg_cfg_table = CFG_TABLE("memcg", struct memcg_cfg, memcg_fields, NULL);

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
	CFG_F_U32(struct os_cfg, numa_balancing, 0, 3, 0,
		  "kernel.numa_balancing: 1 NUMA_BALANCING_NORMAL, 2 NUMA_BALANCING_MEMORY_TIERING, 3 both"),
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
	CFG_F_U32(struct os_cfg, page_cluster, 0, 10, 3,
		  "vm.page-cluster: swap-in reads ahead up to 2^N pages (Linux allows up to 31; numasim 10)"),
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
	CFG_F_BOOL(struct os_cfg, thp_use_zero_page, true,
		   "transparent_hugepage/use_zero_page: read faults on untouched THP-eligible memory map the huge zero page"),
	CFG_F_U32(struct os_cfg, khugepaged_pages_to_scan, 0, 1u << 30, 4096, "khugepaged/pages_to_scan (0: khugepaged off)"),
	CFG_F_NS(struct os_cfg, khugepaged_scan_sleep, NS(1000), MS(3600000), MS(10000),
		 "ns: khugepaged/scan_sleep_millisecs"),
	CFG_F_U32(struct os_cfg, khugepaged_max_ptes_none, 0, 511, 511, "khugepaged/max_ptes_none"),
	CFG_F_U32(struct os_cfg, khugepaged_max_ptes_swap, 0, 511, 64,
		  "khugepaged/max_ptes_swap: swap entries a collapse may swap in"),
	CFG_F_U32(struct os_cfg, khugepaged_max_ptes_shared, 0, 511, 256,
		  "khugepaged/max_ptes_shared: pages mapped by other processes a collapse may copy"),
	CFG_F_U32_LIST(struct os_cfg, nr_hugepages, nr_nr_hugepages, 0, 1u << 24,
		       "hugetlb 2 MiB pages reserved at boot per node (nodeN/hugepages/hugepages-2048kB/nr_hugepages); "
		       "empty: no pool, so MAP_HUGETLB fails unless os.nr_overcommit_hugepages allows surplus pages"),
	CFG_F_U32_LIST(struct os_cfg, nr_hugepages_1g, nr_nr_hugepages_1g, 0, 1u << 20,
		       "hugetlb 1 GiB pages allocated at boot per node "
		       "(nodeN/hugepages/hugepages-1048576kB/nr_hugepages): each needs a free, 1 GiB-aligned range "
		       "(taken at boot, as memblock does); a node without one keeps fewer"),
	CFG_F_U64(struct os_cfg, nr_overcommit_hugepages, 0, 1ULL << 32, 0,
		  "vm.nr_overcommit_hugepages: surplus 2 MiB pages the buddy allocator may supply when the pool is short"),
	CFG_F_NS(struct os_cfg, migrate_page_cost, 0, NS(1000000), NS(1000),
		 "ns: migrating one 4 KiB page besides the copy (isolate, allocate, unmap, remap)"),
	CFG_F_NS(struct os_cfg, compact_scan_cost, 0, NS(1000000), NS(5), "ns: one page examined by a compaction scanner"),
	CFG_F_NS(struct os_cfg, numa_pte_cost, 0, NS(1000000), NS(20), "ns: one PTE made NUMA-hinting by the scanner"),
	CFG_F_SIZE(struct os_cfg, cma_pernuma, 0, 1ULL << 44, 0,
		   "bytes of a CMA area \"pernumaN\" on every node with memory (boot option cma_pernuma=); 0: none"),
	CFG_F_U32_LIST(struct os_cfg, numa_cma, nr_numa_cma, 0, 1u << 24,
		       "MiB of a CMA area \"numaN\" on node N, one entry per node (boot option numa_cma=N:size); empty: none"),
	CFG_F_SIZE(struct os_cfg, memory_block_size, 0, 1ULL << 40, 0,
		   "bytes per memory block for hotplug (boot option memory_block_size=); 0: x86-64's probe, "
		   "128 MiB below 64 GiB of physical address space, else 2 GiB"),
	CFG_F_SIZE(struct os_cfg, memlock_limit, 0, UINT64_MAX, 8ULL << 20,
		   "bytes: RLIMIT_MEMLOCK of every process (8 MiB: Linux's MLOCK_LIMIT for unprivileged users; "
		   "18446744073709551615: unlimited, as root)"),
	CFG_F_U32(struct os_cfg, compact_unevictable_allowed, 0, 1, 1,
		  "vm.compact_unevictable_allowed: 0 keeps compaction off mlocked (unevictable) pages"),
	CFG_F_SIZE(struct os_cfg, stack_limit, 4096, 1ULL << 40, 8ULL << 20,
		   "bytes: RLIMIT_STACK: how far the main thread's stack may grow down"),
	CFG_F_U32(struct os_cfg, stack_guard_gap, 0, 1u << 20, 256,
		  "pages: stack_guard_gap between a growing stack and the mapping below it"),
	CFG_F_NS(struct os_cfg, pte_move_cost, 0, NS(1000000), NS(20),
		 "ns: one page-table entry moved by mremap (move_ptes)"),
	CFG_F_BOOL(struct os_cfg, kernel_objects, true,
		   "the kernel's own allocations take real frames: slab caches (task_struct, mm_struct, "
		   "vm_area_struct) and vmalloc'd kernel stacks; false: they are not modelled"),
	CFG_F_U32(struct os_cfg, slub_min_objects, 0, 32767, 0,
		  "slub_min_objects= boot option: objects a slab should hold at least (0: 4 * (fls(nr_cpus) + 1))"),
	/* memory tiering (docs/tiering.md) */
	CFG_F_U32_LIST(struct os_cfg, hmat_latency_ns, nr_hmat_latency_ns, 1, 1000000,
		       "per node: ns of an access from the node's nearest CPU node (ACPI HMAT); empty: the driver "
		       "derives it from the hardware description"),
	CFG_F_U32_LIST(struct os_cfg, hmat_bandwidth_mbps, nr_hmat_bandwidth_mbps, 1, 1u << 30,
		       "per node: MB/s from the node's nearest CPU node (ACPI HMAT); empty: derived from the hardware"),
	CFG_F_BOOL(struct os_cfg, demotion_enabled, false,
		   "/sys/kernel/mm/numa/demotion_enabled: reclaim migrates cold pages to a lower memory tier"),
	CFG_F_BOOL(struct os_cfg, weighted_interleave_auto, true,
		   "/sys/kernel/mm/mempolicy/weighted_interleave/auto: weights from the node bandwidths "
		   "(os.hmat_bandwidth_mbps); weights a --policy or set_weights gives replace them"),
	CFG_F_NS(struct os_cfg, numa_balancing_hot_threshold, MS(1), MS(3600000), MS(1000),
		 "ns: numa_balancing/hot_threshold_ms (tiering mode: the initial hint-fault latency threshold)"),
	CFG_F_U32(struct os_cfg, numa_balancing_promote_rate_limit_mbps, 0, 1u << 30, 65536,
		  "kernel.numa_balancing_promote_rate_limit_MBps (tiering mode)"),
	CFG_F_OBJ(struct os_cfg, zswap, zswap_cfg_table, "zswap: compressed swap cache in RAM (docs/os-reclaim.md)"),
	CFG_F_OBJ(struct os_cfg, zram, zram_cfg_table, "zram: the swap device as compressed RAM (docs/os-reclaim.md)"),
	CFG_F_OBJ(struct os_cfg, ksm, ksm_cfg_table, "KSM: kernel samepage merging (docs/os-ksm.md)"),
	CFG_F_ARR(struct os_cfg, memcg, nr_memcg, memcg_cfg_table,
		  "memory cgroups made at boot (cgroup v2, os/memcontrol.h): [{id, parent, max, high, low, min}]"),
};

/* Combinations numasim does not model are errors, not silent fallbacks. */
static int os_validate(void *obj, const char *path, char *err, size_t errlen)
{
	const struct os_cfg *c = obj;
	if (c->zram.enabled && !c->swap_size)
		return sim_errf(err, errlen, SIM_ECONFIG, "%s%szram.enabled: needs a swap device (swap_size is its disksize)",
				path, *path ? "." : "");
	if (c->zram.enabled && c->zswap.enabled)
		return sim_errf(err, errlen, SIM_ECONFIG, "%s%szswap.enabled: zswap in front of zram is not modelled",
				path, *path ? "." : "");
	return 0;
}

const struct cfg_table os_cfg_table = CFG_TABLE("os", struct os_cfg, os_fields, os_validate);
