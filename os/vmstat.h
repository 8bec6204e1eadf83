/*
 * os/vmstat.h - the memory manager's counters, in Linux's names and order.
 *
 * Four tables, as in Linux's mm/vmstat.c:
 *   zone stats   (per zone, gauges: free pages, per-zone LRU sizes, ...)
 *   NUMA events  (per zone: numa_hit ..., counted once per allocation call)
 *   node stats   (per node: LRU sizes, anon/file pages, ...)
 *   vm events    (machine-wide events: pgfault, pgalloc_*, compact_* ...)
 * /proc/vmstat prints them in exactly this order (zone, NUMA, node, events),
 * one "name value" line each, so the declaration order below is the output
 * order.  The lists are Linux 6.18's for an x86-64 NUMA kernel with THP,
 * compaction, migration, NUMA balancing, zswap and swap configured and
 * without CMA bounce buffers or unaccepted memory: the kernel of
 * tests/validation/fixtures/linux-6.18-1node, whose zoneinfo
 * tests/os/test_views.c checks line by line; counters of
 * mechanisms numasim does not model stay 0 but keep their line, so views
 * diff cleanly against a real machine.
 *
 * As in Linux, node stats count pages, and the THP items are printed
 * divided by 512 (vmstat_item_print_in_thp): add 512 per anon THP.
 *
 * The page allocator (os/page_alloc.c) maintains nr_free_pages, the NUMA
 * events, pgalloc_*, pgfree; every other module adds its events through
 * vmstat_inc() / node_stat_mod() / zone_stat_mod() (os/page_alloc.h).
 */
#ifndef OS_VMSTAT_H
#define OS_VMSTAT_H

#include "sim/stats.h"

/* enum zone_stat_item: per-zone gauges, pages. */
#define ZONE_STAT_ITEMS(X)                                                                        \
	X(NR_FREE_PAGES, nr_free_pages, GAUGE, "pages", "free pages in the buddy allocator")         \
	X(NR_FREE_PAGES_BLOCKS, nr_free_pages_blocks, GAUGE, "pages", "free pages in free blocks of pageblock order or more") \
	X(NR_ZONE_INACTIVE_ANON, nr_zone_inactive_anon, GAUGE, "pages", "inactive anon LRU pages")    \
	X(NR_ZONE_ACTIVE_ANON, nr_zone_active_anon, GAUGE, "pages", "active anon LRU pages")          \
	X(NR_ZONE_INACTIVE_FILE, nr_zone_inactive_file, GAUGE, "pages", "inactive file LRU pages")    \
	X(NR_ZONE_ACTIVE_FILE, nr_zone_active_file, GAUGE, "pages", "active file LRU pages")          \
	X(NR_ZONE_UNEVICTABLE, nr_zone_unevictable, GAUGE, "pages", "unevictable LRU pages")          \
	X(NR_ZONE_WRITE_PENDING, nr_zone_write_pending, GAUGE, "pages", "dirty + writeback pages")    \
	X(NR_MLOCK, nr_mlock, GAUGE, "pages", "mlock()ed pages")                                      \
	X(NR_ZSPAGES, nr_zspages, GAUGE, "pages", "zsmalloc pages (always 0)")                        \
	X(NR_FREE_CMA_PAGES, nr_free_cma, GAUGE, "pages", "free CMA pages (no CMA: 0)")

enum zone_stat_item {
	ZONE_STAT_ITEMS(STAT_ENUM)
	NR_VM_ZONE_STAT_ITEMS
};

/* enum numa_stat_item: per-zone NUMA allocation events (sources.md §5.6). */
#define NUMA_STAT_ITEMS(X)                                                                        \
	X(NUMA_HIT, numa_hit, EVENT, "allocations", "allocated on the preferred node")               \
	X(NUMA_MISS, numa_miss, EVENT, "allocations", "allocated here though another node was preferred") \
	X(NUMA_FOREIGN, numa_foreign, EVENT, "allocations", "preferred here but allocated elsewhere") \
	X(NUMA_INTERLEAVE_HIT, numa_interleave, EVENT, "allocations", "interleave policy got its chosen node") \
	X(NUMA_LOCAL, numa_local, EVENT, "allocations", "allocated on the allocating CPU's node")    \
	X(NUMA_OTHER, numa_other, EVENT, "allocations", "allocated on another node than the CPU's")

enum numa_stat_item {
	NUMA_STAT_ITEMS(STAT_ENUM)
	NR_VM_NUMA_EVENT_ITEMS
};

/* enum node_stat_item: per-node gauges and events (pages unless stated). */
#define NODE_STAT_ITEMS(X)                                                                        \
	X(NR_INACTIVE_ANON, nr_inactive_anon, GAUGE, "pages", "inactive anon LRU")                   \
	X(NR_ACTIVE_ANON, nr_active_anon, GAUGE, "pages", "active anon LRU")                         \
	X(NR_INACTIVE_FILE, nr_inactive_file, GAUGE, "pages", "inactive file LRU")                   \
	X(NR_ACTIVE_FILE, nr_active_file, GAUGE, "pages", "active file LRU")                         \
	X(NR_UNEVICTABLE, nr_unevictable, GAUGE, "pages", "unevictable LRU")                         \
	X(NR_SLAB_RECLAIMABLE_B, nr_slab_reclaimable, GAUGE, "pages", "reclaimable slab")            \
	X(NR_SLAB_UNRECLAIMABLE_B, nr_slab_unreclaimable, GAUGE, "pages", "unreclaimable slab")      \
	X(NR_ISOLATED_ANON, nr_isolated_anon, GAUGE, "pages", "anon pages isolated from the LRU")    \
	X(NR_ISOLATED_FILE, nr_isolated_file, GAUGE, "pages", "file pages isolated from the LRU")    \
	X(WORKINGSET_NODES, workingset_nodes, GAUGE, "nodes", "shadow-entry nodes")                  \
	X(WORKINGSET_REFAULT_ANON, workingset_refault_anon, EVENT, "pages", "anon refaults")         \
	X(WORKINGSET_REFAULT_FILE, workingset_refault_file, EVENT, "pages", "file refaults")         \
	X(WORKINGSET_ACTIVATE_ANON, workingset_activate_anon, EVENT, "pages", "anon refaults activated") \
	X(WORKINGSET_ACTIVATE_FILE, workingset_activate_file, EVENT, "pages", "file refaults activated") \
	X(WORKINGSET_RESTORE_ANON, workingset_restore_anon, EVENT, "pages", "anon refaults restored") \
	X(WORKINGSET_RESTORE_FILE, workingset_restore_file, EVENT, "pages", "file refaults restored") \
	X(WORKINGSET_NODERECLAIM, workingset_nodereclaim, EVENT, "nodes", "shadow nodes reclaimed")  \
	X(NR_ANON_MAPPED, nr_anon_pages, GAUGE, "pages", "mapped anonymous pages")                   \
	X(NR_FILE_MAPPED, nr_mapped, GAUGE, "pages", "mapped file pages")                            \
	X(NR_FILE_PAGES, nr_file_pages, GAUGE, "pages", "page cache pages")                          \
	X(NR_FILE_DIRTY, nr_dirty, GAUGE, "pages", "dirty page cache")                               \
	X(NR_WRITEBACK, nr_writeback, GAUGE, "pages", "pages under writeback")                       \
	X(NR_SHMEM, nr_shmem, GAUGE, "pages", "shmem/tmpfs pages")                                   \
	X(NR_SHMEM_THPS, nr_shmem_hugepages, GAUGE, "pages", "pages in shmem THPs (printed / 512)")                           \
	X(NR_SHMEM_PMDMAPPED, nr_shmem_pmdmapped, GAUGE, "pages", "PMD-mapped shmem pages (printed / 512)")              \
	X(NR_FILE_THPS, nr_file_hugepages, GAUGE, "pages", "pages in file THPs (printed / 512)")                              \
	X(NR_FILE_PMDMAPPED, nr_file_pmdmapped, GAUGE, "pages", "PMD-mapped file pages (printed / 512)")                 \
	X(NR_ANON_THPS, nr_anon_transparent_hugepages, GAUGE, "pages", "pages in anon THPs (printed / 512)")              \
	X(NR_VMSCAN_WRITE, nr_vmscan_write, EVENT, "pages", "written by reclaim")                    \
	X(NR_VMSCAN_IMMEDIATE, nr_vmscan_immediate_reclaim, EVENT, "pages", "reclaimed at writeback end") \
	X(NR_DIRTIED, nr_dirtied, EVENT, "pages", "pages dirtied")                                   \
	X(NR_WRITTEN, nr_written, EVENT, "pages", "pages written")                                   \
	X(NR_THROTTLED_WRITTEN, nr_throttled_written, EVENT, "pages", "written while throttled")     \
	X(NR_KERNEL_MISC_RECLAIMABLE, nr_kernel_misc_reclaimable, GAUGE, "pages", "always 0")        \
	X(NR_FOLL_PIN_ACQUIRED, nr_foll_pin_acquired, EVENT, "pins", "always 0")                     \
	X(NR_FOLL_PIN_RELEASED, nr_foll_pin_released, EVENT, "pins", "always 0")                     \
	X(NR_KERNEL_STACK_KB, nr_kernel_stack, GAUGE, "KiB", "always 0")                             \
	X(NR_PAGETABLE, nr_page_table_pages, GAUGE, "pages", "page-table pages")                     \
	X(NR_SECONDARY_PAGETABLE, nr_sec_page_table_pages, GAUGE, "pages", "always 0")               \
	X(NR_IOMMU_PAGES, nr_iommu_pages, GAUGE, "pages", "always 0")                                \
	X(NR_SWAPCACHE, nr_swapcached, GAUGE, "pages", "pages in the swap cache")                    \
	X(PGPROMOTE_SUCCESS, pgpromote_success, EVENT, "pages", "promoted to a faster tier")         \
	X(PGPROMOTE_CANDIDATE, pgpromote_candidate, EVENT, "pages", "promotion candidates")          \
	X(PGPROMOTE_CANDIDATE_NRL, pgpromote_candidate_nrl, EVENT, "pages", "promotion candidates taken without the rate limit (target had ample free space)") \
	X(PGDEMOTE_KSWAPD, pgdemote_kswapd, EVENT, "pages", "demoted by kswapd")                     \
	X(PGDEMOTE_DIRECT, pgdemote_direct, EVENT, "pages", "demoted by direct reclaim")             \
	X(PGDEMOTE_KHUGEPAGED, pgdemote_khugepaged, EVENT, "pages", "demoted by khugepaged")         \
	X(PGDEMOTE_PROACTIVE, pgdemote_proactive, EVENT, "pages", "demoted by proactive reclaim (always 0)") \
	X(NR_HUGETLB, nr_hugetlb, GAUGE, "pages", "hugetlb pool pages (base pages)")                 \
	X(NR_BALLOON_PAGES, nr_balloon_pages, GAUGE, "pages", "always 0")                            \
	X(NR_KERNEL_FILE_PAGES, nr_kernel_file_pages, GAUGE, "pages", "always 0")

enum node_stat_item {
	NODE_STAT_ITEMS(STAT_ENUM)
	NR_VM_NODE_STAT_ITEMS
};

/* enum vm_event_item: machine-wide events (Linux sums them over CPUs). */
#define VM_EVENT_ITEMS(X)                                                                         \
	X(PGPGIN, pgpgin, EVENT, "KiB", "read from storage")                                         \
	X(PGPGOUT, pgpgout, EVENT, "KiB", "written to storage")                                      \
	X(PSWPIN, pswpin, EVENT, "pages", "swapped in")                                              \
	X(PSWPOUT, pswpout, EVENT, "pages", "swapped out")                                           \
	X(PGALLOC_DMA, pgalloc_dma, EVENT, "pages", "allocated from ZONE_DMA")                       \
	X(PGALLOC_DMA32, pgalloc_dma32, EVENT, "pages", "allocated from ZONE_DMA32")                 \
	X(PGALLOC_NORMAL, pgalloc_normal, EVENT, "pages", "allocated from ZONE_NORMAL")              \
	X(PGALLOC_MOVABLE, pgalloc_movable, EVENT, "pages", "allocated from ZONE_MOVABLE")           \
	X(PGALLOC_DEVICE, pgalloc_device, EVENT, "pages", "allocated from ZONE_DEVICE (always 0)")   \
	X(ALLOCSTALL_DMA, allocstall_dma, EVENT, "stalls", "direct reclaim entered, classzone DMA")  \
	X(ALLOCSTALL_DMA32, allocstall_dma32, EVENT, "stalls", "direct reclaim entered, classzone DMA32") \
	X(ALLOCSTALL_NORMAL, allocstall_normal, EVENT, "stalls", "direct reclaim entered, classzone NORMAL") \
	X(ALLOCSTALL_MOVABLE, allocstall_movable, EVENT, "stalls", "direct reclaim entered, classzone MOVABLE") \
	X(ALLOCSTALL_DEVICE, allocstall_device, EVENT, "stalls", "always 0")                         \
	X(PGSKIP_DMA, pgskip_dma, EVENT, "pages", "LRU pages skipped: zone too high")                \
	X(PGSKIP_DMA32, pgskip_dma32, EVENT, "pages", "LRU pages skipped: zone too high")            \
	X(PGSKIP_NORMAL, pgskip_normal, EVENT, "pages", "LRU pages skipped: zone too high")          \
	X(PGSKIP_MOVABLE, pgskip_movable, EVENT, "pages", "LRU pages skipped: zone too high")        \
	X(PGSKIP_DEVICE, pgskip_device, EVENT, "pages", "always 0")                                  \
	X(PGFREE, pgfree, EVENT, "pages", "freed to the page allocator")                             \
	X(PGACTIVATE, pgactivate, EVENT, "pages", "moved to an active LRU")                          \
	X(PGDEACTIVATE, pgdeactivate, EVENT, "pages", "moved to an inactive LRU")                    \
	X(PGLAZYFREE, pglazyfree, EVENT, "pages", "MADV_FREE marked")                                \
	X(PGFAULT, pgfault, EVENT, "faults", "page faults")                                          \
	X(PGMAJFAULT, pgmajfault, EVENT, "faults", "faults that needed I/O")                         \
	X(PGLAZYFREED, pglazyfreed, EVENT, "pages", "MADV_FREE pages reclaimed")                     \
	X(PGREFILL, pgrefill, EVENT, "pages", "active pages scanned for deactivation")               \
	X(PGREUSE, pgreuse, EVENT, "faults", "write faults that reused the page")                    \
	X(PGSTEAL_KSWAPD, pgsteal_kswapd, EVENT, "pages", "reclaimed by kswapd")                     \
	X(PGSTEAL_DIRECT, pgsteal_direct, EVENT, "pages", "reclaimed by direct reclaim")             \
	X(PGSTEAL_KHUGEPAGED, pgsteal_khugepaged, EVENT, "pages", "reclaimed by khugepaged")         \
	X(PGSTEAL_PROACTIVE, pgsteal_proactive, EVENT, "pages", "reclaimed by memory.reclaim (always 0)") \
	X(PGSCAN_KSWAPD, pgscan_kswapd, EVENT, "pages", "scanned by kswapd")                         \
	X(PGSCAN_DIRECT, pgscan_direct, EVENT, "pages", "scanned by direct reclaim")                 \
	X(PGSCAN_KHUGEPAGED, pgscan_khugepaged, EVENT, "pages", "scanned by khugepaged")             \
	X(PGSCAN_PROACTIVE, pgscan_proactive, EVENT, "pages", "scanned by memory.reclaim (always 0)") \
	X(PGSCAN_DIRECT_THROTTLE, pgscan_direct_throttle, EVENT, "events", "direct reclaim throttled") \
	X(PGSCAN_ANON, pgscan_anon, EVENT, "pages", "anon pages scanned")                            \
	X(PGSCAN_FILE, pgscan_file, EVENT, "pages", "file pages scanned")                            \
	X(PGSTEAL_ANON, pgsteal_anon, EVENT, "pages", "anon pages reclaimed")                        \
	X(PGSTEAL_FILE, pgsteal_file, EVENT, "pages", "file pages reclaimed")                        \
	X(PGSCAN_ZONE_RECLAIM_SUCCESS, zone_reclaim_success, EVENT, "calls", "node_reclaim freed enough") \
	X(PGSCAN_ZONE_RECLAIM_FAILED, zone_reclaim_failed, EVENT, "calls", "node_reclaim failed")     \
	X(PGINODESTEAL, pginodesteal, EVENT, "pages", "always 0")                                    \
	X(SLABS_SCANNED, slabs_scanned, EVENT, "objects", "always 0")                                \
	X(KSWAPD_INODESTEAL, kswapd_inodesteal, EVENT, "pages", "always 0")                          \
	X(KSWAPD_LOW_WMARK_HIT_QUICKLY, kswapd_low_wmark_hit_quickly, EVENT, "events", "kswapd slept early: above low") \
	X(KSWAPD_HIGH_WMARK_HIT_QUICKLY, kswapd_high_wmark_hit_quickly, EVENT, "events", "kswapd slept early: above high") \
	X(PAGEOUTRUN, pageoutrun, EVENT, "runs", "kswapd balance runs")                              \
	X(PGROTATED, pgrotated, EVENT, "pages", "rotated to the inactive tail after writeback")      \
	X(DROP_PAGECACHE, drop_pagecache, EVENT, "calls", "always 0")                                \
	X(DROP_SLAB, drop_slab, EVENT, "calls", "always 0")                                          \
	X(OOM_KILL, oom_kill, EVENT, "kills", "processes killed by the OOM killer")                  \
	X(NUMA_PTE_UPDATES, numa_pte_updates, EVENT, "ptes", "PTEs made NUMA-hinting by the scanner") \
	X(NUMA_HUGE_PTE_UPDATES, numa_huge_pte_updates, EVENT, "pmds", "huge PMDs made NUMA-hinting") \
	X(NUMA_HINT_FAULTS, numa_hint_faults, EVENT, "faults", "NUMA hinting faults")                \
	X(NUMA_HINT_FAULTS_LOCAL, numa_hint_faults_local, EVENT, "faults", "hinting faults on the local node") \
	X(NUMA_PAGE_MIGRATE, numa_pages_migrated, EVENT, "pages", "migrated by NUMA balancing")      \
	X(PGMIGRATE_SUCCESS, pgmigrate_success, EVENT, "pages", "migrated")                          \
	X(PGMIGRATE_FAIL, pgmigrate_fail, EVENT, "pages", "failed to migrate")                       \
	X(THP_MIGRATION_SUCCESS, thp_migration_success, EVENT, "thps", "THPs migrated whole")        \
	X(THP_MIGRATION_FAIL, thp_migration_fail, EVENT, "thps", "THPs that failed to migrate")      \
	X(THP_MIGRATION_SPLIT, thp_migration_split, EVENT, "thps", "THPs split to migrate")          \
	X(COMPACTMIGRATE_SCANNED, compact_migrate_scanned, EVENT, "pages", "scanned by the migrate scanner") \
	X(COMPACTFREE_SCANNED, compact_free_scanned, EVENT, "pages", "scanned by the free scanner")  \
	X(COMPACTISOLATED, compact_isolated, EVENT, "pages", "isolated by compaction")               \
	X(COMPACTSTALL, compact_stall, EVENT, "stalls", "direct compaction entered")                 \
	X(COMPACTFAIL, compact_fail, EVENT, "stalls", "direct compaction failed")                    \
	X(COMPACTSUCCESS, compact_success, EVENT, "stalls", "direct compaction succeeded")           \
	X(KCOMPACTD_WAKE, compact_daemon_wake, EVENT, "wakeups", "kcompactd woken")                  \
	X(KCOMPACTD_MIGRATE_SCANNED, compact_daemon_migrate_scanned, EVENT, "pages", "kcompactd migrate scanner") \
	X(KCOMPACTD_FREE_SCANNED, compact_daemon_free_scanned, EVENT, "pages", "kcompactd free scanner") \
	X(HTLB_BUDDY_PGALLOC, htlb_buddy_alloc_success, EVENT, "pages", "always 0")                  \
	X(HTLB_BUDDY_PGALLOC_FAIL, htlb_buddy_alloc_fail, EVENT, "pages", "always 0")                \
	X(CMA_ALLOC_SUCCESS, cma_alloc_success, EVENT, "calls", "cma_alloc calls that succeeded (CONFIG_CMA: shown with a CMA area)") \
	X(CMA_ALLOC_FAIL, cma_alloc_fail, EVENT, "calls", "cma_alloc calls that failed (shown with a CMA area)") \
	X(UNEVICTABLE_PGCULLED, unevictable_pgs_culled, EVENT, "pages", "moved to unevictable")      \
	X(UNEVICTABLE_PGSCANNED, unevictable_pgs_scanned, EVENT, "pages", "unevictable scanned")     \
	X(UNEVICTABLE_PGRESCUED, unevictable_pgs_rescued, EVENT, "pages", "made evictable again")    \
	X(UNEVICTABLE_PGMLOCKED, unevictable_pgs_mlocked, EVENT, "pages", "mlocked")                 \
	X(UNEVICTABLE_PGMUNLOCKED, unevictable_pgs_munlocked, EVENT, "pages", "munlocked")           \
	X(UNEVICTABLE_PGCLEARED, unevictable_pgs_cleared, EVENT, "pages", "unevictable freed")       \
	X(UNEVICTABLE_PGSTRANDED, unevictable_pgs_stranded, EVENT, "pages", "always 0")              \
	X(THP_FAULT_ALLOC, thp_fault_alloc, EVENT, "thps", "THPs allocated at fault")                \
	X(THP_FAULT_FALLBACK, thp_fault_fallback, EVENT, "faults", "THP fault fell back to base pages") \
	X(THP_FAULT_FALLBACK_CHARGE, thp_fault_fallback_charge, EVENT, "faults", "always 0")         \
	X(THP_COLLAPSE_ALLOC, thp_collapse_alloc, EVENT, "thps", "khugepaged collapses")             \
	X(THP_COLLAPSE_ALLOC_FAILED, thp_collapse_alloc_failed, EVENT, "thps", "khugepaged allocation failures") \
	X(THP_FILE_ALLOC, thp_file_alloc, EVENT, "thps", "file THPs allocated")                      \
	X(THP_FILE_FALLBACK, thp_file_fallback, EVENT, "thps", "file THP fallbacks")                 \
	X(THP_FILE_FALLBACK_CHARGE, thp_file_fallback_charge, EVENT, "thps", "always 0")             \
	X(THP_FILE_MAPPED, thp_file_mapped, EVENT, "thps", "file THPs PMD-mapped")                   \
	X(THP_SPLIT_PAGE, thp_split_page, EVENT, "thps", "THPs split")                               \
	X(THP_SPLIT_PAGE_FAILED, thp_split_page_failed, EVENT, "thps", "THP splits that failed")     \
	X(THP_DEFERRED_SPLIT_PAGE, thp_deferred_split_page, EVENT, "thps", "queued for split")       \
	X(THP_UNDERUSED_SPLIT_PAGE, thp_underused_split_page, EVENT, "thps", "split as underused")   \
	X(THP_SPLIT_PMD, thp_split_pmd, EVENT, "pmds", "PMD mappings split")                         \
	X(THP_SCAN_EXCEED_NONE_PTE, thp_scan_exceed_none_pte, EVENT, "events", "khugepaged: > max_ptes_none empty")    \
	X(THP_SCAN_EXCEED_SWAP_PTE, thp_scan_exceed_swap_pte, EVENT, "events", "khugepaged: > max_ptes_swap swapped")  \
	X(THP_SCAN_EXCEED_SHARED_PTE, thp_scan_exceed_share_pte, EVENT, "events", "khugepaged: > max_ptes_shared shared") \
	X(THP_SPLIT_PUD, thp_split_pud, EVENT, "puds", "always 0")                                   \
	X(THP_ZERO_PAGE_ALLOC, thp_zero_page_alloc, EVENT, "pages", "huge zero page allocated")      \
	X(THP_ZERO_PAGE_ALLOC_FAILED, thp_zero_page_alloc_failed, EVENT, "pages", "huge zero page failures") \
	X(THP_SWPOUT, thp_swpout, EVENT, "thps", "THPs swapped out whole")                           \
	X(THP_SWPOUT_FALLBACK, thp_swpout_fallback, EVENT, "thps", "THPs split to swap out")         \
	X(BALLOON_INFLATE, balloon_inflate, EVENT, "pages", "always 0")                              \
	X(BALLOON_DEFLATE, balloon_deflate, EVENT, "pages", "always 0")                              \
	X(BALLOON_MIGRATE, balloon_migrate, EVENT, "pages", "always 0")                              \
	X(SWAP_RA, swap_ra, EVENT, "pages", "swap readahead pages")                                  \
	X(SWAP_RA_HIT, swap_ra_hit, EVENT, "pages", "swap readahead hits")                           \
	X(SWPIN_ZERO, swpin_zero, EVENT, "pages", "zero-filled swap-ins")                            \
	X(SWPOUT_ZERO, swpout_zero, EVENT, "pages", "zero-filled swap-outs")                         \
	X(KSM_SWPIN_COPY, ksm_swpin_copy, EVENT, "pages", "KSM pages copied at swap-in (always 0: KSM pages are not swapped)") \
	X(COW_KSM, cow_ksm, EVENT, "pages", "KSM pages copied on write (os/ksm.c)")          \
	X(ZSWPIN, zswpin, EVENT, "pages", "loaded from zswap")                                       \
	X(ZSWPOUT, zswpout, EVENT, "pages", "stored in zswap")                                       \
	X(ZSWPWB, zswpwb, EVENT, "pages", "written back from zswap")                                 \
	X(DIRECT_MAP_LEVEL2_SPLIT, direct_map_level2_splits, EVENT, "splits", "always 0")            \
	X(DIRECT_MAP_LEVEL3_SPLIT, direct_map_level3_splits, EVENT, "splits", "always 0")            \
	X(DIRECT_MAP_LEVEL2_COLLAPSE, direct_map_level2_collapses, EVENT, "collapses", "always 0")   \
	X(DIRECT_MAP_LEVEL3_COLLAPSE, direct_map_level3_collapses, EVENT, "collapses", "always 0")

enum vm_event_item {
	VM_EVENT_ITEMS(STAT_ENUM)
	NR_VM_EVENT_ITEMS
};

/*
 * numasim's own allocator counters (not in /proc/vmstat): they explain why
 * allocations took the path they took.  JSON report only.
 */
#define PHYS_STATS(X)                                                                             \
	X(PA_ALLOC_CALLS, alloc_calls, EVENT, "calls", "page_alloc() calls")                        \
	X(PA_ALLOC_FAST, alloc_fast, EVENT, "calls", "served by the first freelist walk (LOW watermark)") \
	X(PA_ALLOC_SLOW, alloc_slow, EVENT, "calls", "entered the slow path")                       \
	X(PA_ALLOC_FAIL, alloc_fail, EVENT, "calls", "failed with -SIM_EOOM")                       \
	X(PA_ALLOC_PCP, alloc_pcp, EVENT, "calls", "served from a per-CPU list")                    \
	X(PA_PCP_REFILL, pcp_refill, EVENT, "calls", "pcp list refilled from the buddy allocator")   \
	X(PA_PCP_DRAIN, pcp_drain, EVENT, "calls", "pcp pages returned to the buddy allocator in a batch") \
	X(PA_FALLBACK_CLAIM, fallback_claim, EVENT, "calls", "pageblock claimed for another migratetype") \
	X(PA_FALLBACK_STEAL, fallback_steal, EVENT, "calls", "block stolen without claiming its pageblock") \
	X(PA_HIGHATOMIC_RESERVE, highatomic_reserved, EVENT, "pageblocks", "pageblocks moved to HIGHATOMIC") \
	X(PA_WMARK_BOOST, watermark_boosts, EVENT, "calls", "watermark boosts by fragmenting fallbacks") \
	X(PA_KSWAPD_WAKE, kswapd_wakeups, EVENT, "calls", "kswapd wakeups requested")               \
	X(PA_NOFRAG_RETRY, nofragment_retries, EVENT, "calls", "freelist walks retried without ALLOC_NOFRAGMENT")

enum phys_stat_item {
	PHYS_STATS(STAT_ENUM)
	NR_PHYS_STATS
};

#endif
