/*
 * os/memory_tiers.h - memory tiers and demotion targets (Linux's
 * mm/memory-tiers.c, include/linux/memory-tiers.h; docs/tiering.md).
 *
 * Every node with memory gets an abstract distance: MEMTIER_ADISTANCE_DRAM
 * (576) by default, or, with node performance figures (the HMAT-like
 * os.hmat_latency_ns / os.hmat_bandwidth_mbps lists the driver fills from
 * the hardware), mt_perf_to_adistance's
 *     576 * latency / latency_dram * bandwidth_dram / bandwidth
 * relative to the first node with CPUs and memory (the reference DRAM
 * node; if another CPU node's figures differ from it by more than 10%,
 * Linux disables the perf-based distance and every node stays at 576).
 * Linux sums read and write figures; numasim's table has one figure for
 * both, which leaves the ratios unchanged.
 *
 * Nodes fall into tiers of MEMTIER_CHUNK_SIZE (128) abstract-distance
 * units, memory_tier<adist / 128>.  establish_demotion_targets: each
 * node's preferred demotion targets are the nodes of the next lower tier
 * at the smallest SLIT distance (find_next_best_node: ties keep all nodes
 * at that distance); its allowed targets are every node of every lower
 * tier.  The top tiers are those at or above the slowest tier that holds
 * a node with CPUs (node_is_toptier).
 */
#ifndef OS_MEMORY_TIERS_H
#define OS_MEMORY_TIERS_H

#include <stdio.h>
#include "os/fault.h"
#include "os/jiffies.h"

#define MEMTIER_CHUNK_BITS 7
#define MEMTIER_CHUNK_SIZE (1 << MEMTIER_CHUNK_BITS)
#define MEMTIER_ADISTANCE_DRAM ((4 * MEMTIER_CHUNK_SIZE) + (MEMTIER_CHUNK_SIZE >> 1))
#define NUMA_NO_NODE (-1)

/* kernel.numa_balancing bits (include/linux/sched/sysctl.h) */
#define NUMA_BALANCING_NORMAL          0x1
#define NUMA_BALANCING_MEMORY_TIERING  0x2

/* Build the tiers from os->cfg and the node layout.  @return 0 or -SIM_ECONFIG / -SIM_ENOMEM. */
int memory_tiers_init(struct os *os, char *err, size_t errlen);
void memory_tiers_destroy(struct os *os);
/*
 * memtier_hotplug_callback (mm/memory-tiers.c): a node gained its first
 * memory (MEM_ONLINE: set_node_memory_tier) or lost its last
 * (MEM_OFFLINE: clear_node_memory_tier); the tiers, top-tier boundary and
 * demotion targets are set again (establish_demotion_targets).  The
 * default DRAM performance chosen at boot stays (mt_set_default_dram_perf
 * runs once).
 */
void memory_tiers_hotplug(struct os *os);

/* Abstract distance of node nid (MEMTIER_ADISTANCE_DRAM for a node without memory). */
int node_adistance(const struct os *os, unsigned nid);
/* Memory tier id of nid (adist >> MEMTIER_CHUNK_BITS), -1 for a node without memory. */
int node_memory_tier(const struct os *os, unsigned nid);
/* true if nid is in a top tier (a node without memory counts as top tier, as in Linux). */
bool node_is_toptier(const struct os *os, unsigned nid);
/* node_demotion[nid].preferred */
void node_demotion_preferred(const struct os *os, unsigned nid, nodemask_t *out);
/* The nodes of every tier below nid's (memtier->lower_tier_mask). */
void node_get_allowed_targets(const struct os *os, unsigned nid, nodemask_t *out);
/* One of nid's preferred targets, picked at random (node_random), or NUMA_NO_NODE. */
int next_demotion_node(struct os *os, unsigned nid);
/* can_demote: demotion is enabled and nid has a demotion target. */
bool can_demote(struct os *os, unsigned nid);
/* numa_balancing has NUMA_BALANCING_MEMORY_TIERING and the machine has more than one tier. */
bool numa_tiering_enabled(const struct os *os);

/*
 * The "memory_tiers" view: each /sys/devices/virtual/memory_tiering/
 * memory_tierN/nodelist ("memory_tierN: nodelist"), then per node its
 * abstract distance and the boot message of dump_demotion_targets
 * ("Demotion targets for Node N: preferred: X, fallback: Y" or "null").
 */
void memory_tiers_show(const struct os *os, FILE *fp);



/* ---- promotion (kernel/sched/fair.c, tiering branch of should_numa_migrate_memory) ---- */

/* PAGE_ACCESS_TIME_MASK on x86-64 (LAST_CPUPID_SHIFT = 8 + NR_CPUS_BITS >= 12 bits: no buckets). */
#define PAGE_ACCESS_TIME_MASK ((1u << 21) - 1)
/* The access-time stamp of a page scanned or faulted at `now` (jiffies_to_msecs(jiffies)). */
uint32_t tiering_time_ms(sim_time_t now);
/* folio_use_access_time: tiering mode and the page is on a lower tier. */
bool page_use_access_time(const struct os *os, unsigned page_nid);

/*
 * The tiering half of should_numa_migrate_memory for a hinting fault at
 * `now` on a lower-tier page that would move to dst_nid: promote if dst
 * has free space beyond PROMO + max(1 GiB, present/16) (counting
 * pgpromote_candidate_nrl), else if the hint-fault latency (now - the scan
 * stamp in last_cpupid) is below the node's threshold (hot_threshold_ms,
 * adjusted every scan_period_max towards the rate limit) and the node's
 * candidates this second (pgpromote_candidate) stay under
 * promote_rate_limit_MBps.  The page's stamp becomes `now`.
 */
bool should_promote(struct os *os, struct page *pg, unsigned dst_nid, sim_time_t now);
/* The node's current hot threshold in ms (nbp_threshold, or hot_threshold_ms when unset). */
unsigned promo_threshold_ms(const struct os *os, unsigned nid);

/*
 * demote_folio_list (mm/vmscan.c): migrate n pages of node nid, isolated
 * by reclaim (off the LRU, one reference each, as Linux's
 * demote_folio_list takes them), to next_demotion_node(nid), MR_DEMOTION.
 * The destination is allocated as alloc_demote_folio does: first on the
 * target alone (__GFP_THISNODE), then anywhere in
 * node_get_allowed_targets(nid), both without direct reclaim and without
 * the reserves (may wake the targets' kswapd).  Demotion ignores cpusets
 * and memory policies.  failed[i] tells which pages stayed (still
 * isolated); a demoted page's replacement is on the LRU.  *cost += the
 * work (a stream on cpu from now).  @return base pages demoted.
 */
uint64_t demote_folio_list(struct os *os, unsigned nid, struct page **pages, unsigned n, unsigned cpu,
			   sim_time_t now, bool *failed, sim_time_t *cost);
#endif
