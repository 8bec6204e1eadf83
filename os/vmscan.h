/*
 * os/vmscan.h - page reclaim: shrinking the LRU lists, kswapd, direct
 * reclaim (Linux's mm/vmscan.c, classic LRU; sources.md §7).
 *
 * shrink_node() is Linux's: get_scan_count splits the scan between anon and
 * file by swappiness and the recent cost of each (§7.4); active lists are
 * aged only when their inactive list is low (or refaults happened since the
 * last cycle) (§7.3); inactive lists are scanned in batches of 32 from the
 * tail, each page given a second chance by its accessed bits (§7.2, §7.5).
 * Anonymous pages go to swap (os/swap.h), clean file pages are dropped,
 * dirty file pages are written by kswapd only (os/filemap.h).
 *
 * Accessed bits: the check reads every PTE mapping the page through the
 * reverse map (os/rmap.h), clears PTE_A, and invalidates that translation
 * (the generic ptep_clear_flush_young, which arm64 uses; x86's variant
 * skips the flush and relies on TLB turnover).  Without the flush a hot
 * page's translation would stay cached and the walker would never set A
 * again, so the page would look idle; the invalidations of one batch of 32
 * pages are sent as one shootdown per process and charged to the reclaimer.
 *
 * kswapd is one simulated kernel thread per node: an event on the
 * simulation's queue, bound to the first CPU of the node (or of the nearest
 * node with CPUs).  Woken by the allocator's slow path (wake_kswapd hook),
 * it runs balance_pgdat one priority pass per event, each pass taking the
 * CPU time its work cost (added to that CPU's stolen time, os_cpu_stolen),
 * until some eligible zone is above its high watermark; then it naps
 * 100 ms and sleeps.  Direct reclaim (try_to_free_pages) runs inside the
 * allocation and its time is the allocating CPU's stall.
 */
#ifndef OS_VMSCAN_H
#define OS_VMSCAN_H

#include "os/jiffies.h"
#include "os/lru.h"
#include "sim/ev.h"

#define SWAP_CLUSTER_MAX  32
#define DEF_PRIORITY      12
#define MAX_SWAPPINESS    200
#define KSWAPD_NAP_PS     ((HZ / 10) * JIFFY_PS)
/* HZ: throttle_direct_reclaim's timeout for callers without __GFP_FS. */
#define RECLAIM_HZ_PS     (HZ * JIFFY_PS)
/* reclaim_throttle's VMSCAN_THROTTLE_WRITEBACK timeout, HZ/10. */
#define RECLAIM_THROTTLE_WRITEBACK_PS ((HZ / 10) * JIFFY_PS)
/* reclaim_throttle's VMSCAN_THROTTLE_CONGESTED (and NOPROGRESS) timeout: one jiffy (HZ/50 is ISOLATED's). */
#define RECLAIM_THROTTLE_CONGESTED_PS (1 * JIFFY_PS)

/* numasim's own reclaim counters (the rest are Linux's vmstat events). */
#define RECLAIM_STATS(X)                                                                           \
	X(RS_KSWAPD_WAKEUPS, kswapd_wakeups, EVENT, "wakeups", "kswapd started running")            \
	X(RS_KSWAPD_PASSES, kswapd_passes, EVENT, "passes", "balance_pgdat priority passes")        \
	X(RS_KSWAPD_PS, kswapd_ps, EVENT, "ps", "CPU time of kswapd")                               \
	X(RS_DIRECT_STALLS, direct_reclaim_stalls, EVENT, "stalls", "direct reclaim entered")       \
	X(RS_DIRECT_PS, direct_reclaim_ps, EVENT, "ps", "time allocating CPUs spent in direct reclaim") \
	X(RS_SWAPIN_PS, swapin_wait_ps, EVENT, "ps", "time faulting CPUs waited for swap reads")      \
	X(RS_REFERENCED_FLUSHES, young_flushes, EVENT, "shootdowns", "TLB shootdowns after clearing accessed bits") \
	X(RS_NOSWAP_ACTIVATED, noswap_activated, EVENT, "pages", "anon pages kept: swap full or absent") \
	X(RS_SHMEM_KEPT, shmem_kept, EVENT, "pages", "shmem pages kept (shmem swap not modelled)")    \
	X(RS_HUGE_KEPT, huge_kept, EVENT, "pages", "compound pages kept (not split for swap)")      \
	X(RS_FILE_WRITEBACK_KEPT, dirty_kept, EVENT, "pages", "dirty file pages rotated (not written by direct reclaim)") \
	X(RS_OOM_NO_VICTIM, oom_no_victim, EVENT, "calls", "OOM killer found nothing to kill") \
	X(RS_THROTTLE_WRITEBACK, throttle_writeback, EVENT, "waits", "reclaim_throttle VMSCAN_THROTTLE_WRITEBACK (kswapd)") \
	X(RS_THROTTLE_NOPROGRESS, throttle_noprogress, EVENT, "waits", "reclaim_throttle VMSCAN_THROTTLE_NOPROGRESS (direct)") \
	X(RS_THROTTLE_PS, throttle_ps, EVENT, "ps", "time reclaimers slept in reclaim_throttle")    \
	X(RS_THROTTLE_DIRECT_PS, throttle_direct_ps, EVENT, "ps", "time direct reclaimers slept in throttle_direct_reclaim")

enum reclaim_stat {
	RECLAIM_STATS(STAT_ENUM)
	NR_RECLAIM_STATS
};

enum kswapd_state { KSWAPD_SLEEPING, KSWAPD_RUNNING, KSWAPD_NAPPING };

struct kswapd {
	struct ev ev;
	struct os *os;
	unsigned nid, cpu;
	enum kswapd_state state;
	unsigned order;           /* kswapd_order requested by wakers */
	enum zone_type classzone; /* kswapd_highest_zoneidx */
	unsigned run_order;       /* order / classzone of the current run */
	enum zone_type run_classzone;
	int priority;             /* of the current run */
	uint64_t run_reclaimed;   /* pages reclaimed in the current run */
	unsigned failures;        /* kswapd_failures */
	bool pending_wake;        /* woken while napping */
	bool pgdat_writeback;     /* PGDAT_WRITEBACK: a kswapd pass took only pages under writeback */
	unsigned alloc_order;     /* the order the current run was woken for (run_order may drop to 0) */
	bool run_boosted;         /* a zone's watermark was boosted when the run started */
	uint64_t nr_boost_reclaim;          /* boosted reclaim still to do in this run (0: normal reclaim) */
	uint64_t zone_boosts[MAX_NR_ZONES]; /* each zone's boost when the run started */
	sim_time_t pass_end;      /* when the last pass ended (wakes throttled direct reclaimers) */
};

struct swap_info;
struct filemap;
struct oom_state;
struct psi;

/* Everything reclaim-related hanging off struct os (os->rcl). */
struct reclaim {
	unsigned nr_nodes, nr_cpus;
	struct lruvec *lru;       /* [nr_nodes] */
	struct kswapd *kswapd;    /* [nr_nodes] */
	sim_time_t *stolen;       /* [nr_cpus]: kernel-thread ps not yet collected */
	struct swap_info *swap;
	struct blkdev *disk;      /* file I/O */
	struct filemap *fm;
	struct oom_state *oom;
	struct psi *psi;
	uint64_t stat[NR_RECLAIM_STATS];
	/* os_sample names */
	char (*sample_names)[48];
	unsigned nr_samples;
};

/* Scan control of one reclaim invocation (struct scan_control). */
struct scan_control {
	uint64_t nr_to_reclaim;
	enum zone_type reclaim_idx;
	int priority;
	unsigned order;
	bool may_writepage, may_unmap, may_swap;
	bool is_kswapd;
	unsigned cpu;             /* CPU doing the work: TLB shootdowns start there */
	sim_time_t now;
	/* results */
	uint64_t nr_scanned, nr_reclaimed;
	/* sc->nr of the current shrink_node: taken, under writeback, marked for immediate reclaim */
	uint64_t nr_taken, nr_writeback, nr_immediate;
	sim_time_t throttled;     /* time slept in reclaim_throttle (not CPU time) */
	sim_time_t cost;          /* CPU ps of the reclaimer */
	/* prepare_scan_control state */
	unsigned may_deactivate;  /* 1: anon, 2: file */
	bool file_is_tiny, cache_trim_mode;
	uint64_t anon_cost, file_cost;
	/* memcg (os/memcontrol.h): the reclaim target (0: global), the lruvec being shrunk and its protection */
	unsigned target_memcg;
	bool memcg_low_reclaim, memcg_low_skipped;
	struct lruvec *lruvec;
	uint64_t protection, cgroup_size;
};
#define DEACTIVATE_ANON 1u
#define DEACTIVATE_FILE 2u

/* ---- setup ------------------------------------------------------------------------- */

struct os;
struct physmem_hooks;

/* Create os->rcl (LRUs, kswapds, swap, disk, page cache, OOM, PSI).  @return 0 or -SIM_ENOMEM. */
int reclaim_init(struct os *os);
void reclaim_destroy(struct os *os);
/* Fill the reclaim/OOM fields of the allocator hooks (wake_kswapd, direct_reclaim, ...). */
void reclaim_fill_hooks(struct os *os, struct physmem_hooks *h);

/* ---- the policy in isolation (pure functions: unit tests) --------------------------------- */

enum scan_balance { SCAN_EQUAL, SCAN_FRACT, SCAN_ANON, SCAN_FILE };

struct scan_count_in {
	uint64_t lru_size[NR_EVICTABLE_LRU];  /* pages per list, zones <= reclaim_idx */
	unsigned swappiness;      /* 0..200 */
	int priority;             /* 12..0 */
	bool can_swap;            /* may_swap and swap space left */
	bool file_is_tiny, cache_trim_mode;
	uint64_t anon_cost, file_cost;
};
/* get_scan_count (§7.4): scan targets per evictable list.  @return the balance chosen. */
enum scan_balance get_scan_count_calc(const struct scan_count_in *in, uint64_t nr[NR_EVICTABLE_LRU]);

/* ---- reclaim ----------------------------------------------------------------------------- */

/* shrink_node: one pass over node nid under sc.  Adds to sc's results. */
void shrink_node(struct os *os, unsigned nid, struct scan_control *sc);

/*
 * try_to_free_pages for an allocation of `order` with gfp (classzone
 * gfp_zone(gfp)) preferring node `nid` (zonelist order) and limited to
 * `mask` (NULL: all).  A task (not a kernel thread) is first throttled
 * (throttle_direct_reclaim) while the first eligible node's free pages in
 * zones <= ZONE_NORMAL are at most half the sum of their MIN watermarks:
 * it sleeps until kswapd, run forward pass by pass, restores them (or
 * gives up), at most HZ without __GFP_FS, counting pgscan_direct_throttle.
 * Counts allocstall.  @return pages reclaimed; *cost += the CPU time and
 * the sleeps.
 */
uint64_t try_to_free_pages(struct os *os, int nid, const nodemask_t *mask, unsigned order, gfp_t gfp,
			   unsigned cpu, sim_time_t now, sim_time_t *cost);

/*
 * do_try_to_free_pages (mm/vmscan.c): the priority loop over the nodes of
 * nid's zonelist (within mask, NULL: all), shrink_node on each, until
 * sc->nr_to_reclaim; with nothing reclaimed because of memory.low, once
 * more into protected memcgs.  The one loop of both direct reclaimers:
 * try_to_free_pages (global: counts allocstall, throttles NOPROGRESS,
 * snapshots refaults) and try_to_free_mem_cgroup_pages
 * (sc->target_memcg != 0).  The caller fills sc and accounts sc->cost and
 * sc->throttled.  @return sc->nr_reclaimed.
 */
uint64_t do_try_to_free_pages(struct os *os, unsigned nid, const nodemask_t *mask, struct scan_control *sc);

/* wakeup_kswapd (§7.7). */
void wakeup_kswapd(struct os *os, unsigned nid, unsigned order, enum zone_type classzone, sim_time_t now);
/* pgdat_balanced: some managed zone <= classzone passes HIGH for order. */
bool pgdat_balanced(struct os *os, unsigned nid, unsigned order, enum zone_type classzone);

/* Reclaimable pages of a zone: file LRU, plus anon LRU while swap has room. */
uint64_t zone_reclaimable_pages(struct os *os, unsigned nid, enum zone_type zid);
bool can_reclaim_anon_pages(struct os *os);

/* CPU time a kernel thread spent on cpu: accumulate (os_cpu_stolen collects). */
void reclaim_steal(struct os *os, unsigned cpu, sim_time_t ps);

/* os_sample's body (see os.h).  @return the number of (name, value) pairs written. */
int reclaim_sample(const struct os *os, const char **names, uint64_t *vals, int max);
void reclaim_report(struct os *os, struct rep *r);

/* reclaim_throttle's reasons (enum vmscan_throttle_state) that numasim models by a wait on writeback. */
enum vmscan_throttle_state {
	VMSCAN_THROTTLE_WRITEBACK,   /* kswapd: pages cycle through the LRU faster than they are written */
	VMSCAN_THROTTLE_CONGESTED,   /* memcg reclaim short of its target with swap-outs in flight */
};

/*
 * reclaim_throttle (mm/vmscan.c): a reclaimer sleeps from `at` until
 * SWAP_CLUSTER_MAX more pages finish writeback (__acct_reclaim_writeback
 * wakes the waiters once more than SWAP_CLUSTER_MAX per waiter completed)
 * or the reason's timeout passed (RECLAIM_THROTTLE_*_PS).  Counts
 * throttle_ps (and throttle_writeback).  @return the time slept.
 */
sim_time_t reclaim_throttle(struct os *os, enum vmscan_throttle_state reason, sim_time_t at);

#endif
