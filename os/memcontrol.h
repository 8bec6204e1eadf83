/*
 * os/memcontrol.h - the cgroup v2 memory controller (Linux's
 * mm/memcontrol.c, mm/page_counter.c, the memcg parts of mm/vmscan.c;
 * Documentation/admin-guide/cgroup-v2.rst "Memory").  docs/os-memcg.md.
 *
 * A tree of memory cgroups: id 0 is the root, every other memcg has a
 * parent.  A process belongs to one memcg (fork inherits it); every user
 * page it allocates (anonymous, page cache, shmem, a THP as 512 pages,
 * swap-in) is charged to that memcg and its ancestors (page_counter
 * semantics); a side table keyed by pfn holds each page's memcg id, so
 * struct page carries nothing for memcgs (page_memcg).  The root is not
 * charged, as in Linux (try_charge returns early for the root).
 *
 *   memory.max   a charge that would exceed it reclaims from the memcg
 *                (try_to_free_mem_cgroup_pages), up to MAX_RECLAIM_RETRIES
 *                times, then invokes the memcg OOM killer (victims only
 *                inside the memcg).  memory.events max / oom / oom_kill.
 *   memory.high  charges may exceed it; on the return to user space the
 *                task reclaims the excess and then sleeps the penalty of
 *                calculate_high_delay (mem_cgroup_handle_over_high).
 *   memory.low / memory.min  protection: reclaim skips a memcg whose usage
 *                is within its effective protection
 *                (mem_cgroup_calculate_protection); a low-protected memcg
 *                is reclaimed only in the second pass, when nothing else
 *                was reclaimable (memcg_low_reclaim), counting memory.events
 *                low; min protection is never broken.
 *
 * LRU lists are per (memcg, node) lruvec: the root's are os->rcl->lru
 * (the only lists of a run without memcgs), every other memcg has its own.
 * Global reclaim walks every memcg of the node (shrink_node_memcgs), memcg
 * reclaim the target's subtree.
 *
 * Nothing here runs, and no memory is used, until a memcg is created
 * (machine config "os.memcg", or a cgroup_attach / cgroup_set control
 * record): os->memcg stays NULL and every hook returns at once.
 */
#ifndef OS_MEMCONTROL_H
#define OS_MEMCONTROL_H

#include <stdio.h>
#include "os/jiffies.h"
#include "os/lru.h"

#define MEMCG_MAX_ID          1024
#define PAGE_COUNTER_MAX      (UINT64_MAX >> PAGE_SHIFT)   /* "max": no limit (pages) */
/* mem_cgroup_handle_over_high's penalty (mm/memcontrol.c) */
#define MEMCG_CHARGE_BATCH    64
#define MEMCG_DELAY_PRECISION_SHIFT 20
#define MEMCG_DELAY_SCALING_SHIFT   14
#define MEMCG_MAX_HIGH_DELAY_JIFFIES (2 * HZ)

/* memory.events, in Linux's order (enum memcg_memory_event) */
#define MEMCG_EVENTS(X) X(MEMCG_LOW, low) X(MEMCG_HIGH, high) X(MEMCG_MAX, max) X(MEMCG_OOM, oom) \
	X(MEMCG_OOM_KILL, oom_kill) X(MEMCG_OOM_GROUP_KILL, oom_group_kill)
#define MEMCG_ENUM2(id, name) id,
enum memcg_memory_event { MEMCG_EVENTS(MEMCG_ENUM2) MEMCG_NR_MEMORY_EVENTS };

/* the memcg vm events memory.stat prints (memcg_vm_event_stat), local to a memcg */
#define MEMCG_VM_EVENTS(X) X(MEMCG_PGSCAN_KSWAPD, pgscan_kswapd) X(MEMCG_PGSCAN_DIRECT, pgscan_direct) \
	X(MEMCG_PGSTEAL_KSWAPD, pgsteal_kswapd) X(MEMCG_PGSTEAL_DIRECT, pgsteal_direct)                   \
	X(MEMCG_PGFAULT, pgfault) X(MEMCG_PGMAJFAULT, pgmajfault) X(MEMCG_PGREFILL, pgrefill)              \
	X(MEMCG_PGACTIVATE, pgactivate) X(MEMCG_PGDEACTIVATE, pgdeactivate)
enum memcg_vm_event { MEMCG_VM_EVENTS(MEMCG_ENUM2) NR_MEMCG_VM_EVENTS };

/* memory.<knob> of cgroup_set, in the control record's numbering */
enum memcg_knob { MEMCG_KNOB_MAX, MEMCG_KNOB_HIGH, MEMCG_KNOB_LOW, MEMCG_KNOB_MIN, NR_MEMCG_KNOBS };

struct page_counter {
	uint64_t usage, watermark;          /* pages; watermark is memory.peak */
	uint64_t max, high, low, min;       /* pages */
	uint64_t emin, elow;                /* effective protection of the last calculation */
};

struct mem_cgroup {
	unsigned id;
	int parent;                         /* -1 for the root */
	struct page_counter memory;
	uint64_t events[MEMCG_NR_MEMORY_EVENTS];   /* local; memory.events sums the subtree */
	uint64_t vm_events[NR_MEMCG_VM_EVENTS];    /* local */
	struct lruvec *lruvec;              /* [nr_nodes]; NULL for the root (os->rcl->lru) */
};

#define MEMCG_IDS_SHIFT 9   /* page_memcg side table: blocks of 512 frames */

struct memcg_state {
	struct mem_cgroup *cg[MEMCG_MAX_ID];   /* by id; NULL: not created */
	/*
	 * The live memcgs in ascending id order, as a list threaded through
	 * the ids: next_id[id] is the next live id above id (0: none; the
	 * root, id 0, is the head).  Iterations visit only what exists
	 * instead of all MEMCG_MAX_ID slots (memcgs are never removed).
	 */
	uint16_t next_id[MEMCG_MAX_ID];
	uint16_t **ids;                     /* [pfn >> MEMCG_IDS_SHIFT][pfn & 511]: memcg of a charged page */
	size_t nr_ids;
	unsigned nr_nodes;
	uint64_t oom_no_victim;             /* memcg OOMs that found nothing to kill (forced charge) */
};

struct os;
struct process;

/* os->memcg from the machine config ("os.memcg"): nothing if none.  @return 0, -SIM_ECONFIG, -SIM_ENOMEM. */
int memcg_init(struct os *os, char *err, size_t errlen);
void memcg_destroy(struct os *os);
/* The memcg "os.memcg[].pids" starts process pid in (0: the root). */
unsigned memcg_boot_memcg_of(const struct os *os, int pid);

/* The memcg of an id (NULL if none). */
struct mem_cgroup *mem_cgroup_from_id(const struct os *os, unsigned id);
/* Create memcg id under parent (the root: 0).  Existing: 0 if the parent matches.  @return 0 or negative. */
int mem_cgroup_create(struct os *os, unsigned id, unsigned parent, char *err, size_t errlen);
/* cgroup_attach: move p into memcg id (created under the root on first use).  Pages stay charged where they are. */
int mem_cgroup_attach(struct os *os, struct process *p, unsigned id, char *err, size_t errlen);
/* cgroup_set: write memory.<knob> (bytes, UINT64_MAX = "max").  A lower max reclaims down to it. */
int mem_cgroup_set(struct os *os, unsigned id, unsigned knob, uint64_t bytes, unsigned cpu, sim_time_t now,
		   sim_time_t *cost, char *err, size_t errlen);

/* ---- charging ------------------------------------------------------------------------------------ */

/*
 * mem_cgroup_charge of a just-allocated page (not yet on a list) of p:
 * the side-table slot, then try_charge.  @return 0, or -SIM_EOOM when the charge
 * failed (__GFP_NORETRY / __GFP_RETRY_MAYFAIL callers, or the memcg OOM
 * killer chose p itself, whose kill is then pending as for a global OOM);
 * the caller frees the page.  *cost += reclaim time.
 */
int mem_cgroup_charge(struct os *os, struct process *p, struct page *pg, gfp_t gfp, unsigned cpu, sim_time_t now,
		      sim_time_t *cost);
/* mem_cgroup_uncharge: the page is being freed (off every list).  Nothing without memcgs. */
void mem_cgroup_uncharge(struct os *os, struct page *pg);
/* The memcg a page is charged to (folio_memcg); 0: the root or none. */
unsigned page_memcg(const struct os *os, const struct page *pg);
/*
 * mem_cgroup_migrate: dst takes src's charge (before dst goes on a list);
 * mem_cgroup_clear then forgets src's (after it left its list, before it
 * is freed).  split_page_memcg: every subpage of a split folio keeps one
 * page of its charge.
 */
void mem_cgroup_migrate(struct os *os, const struct page *src, const struct page *dst);
void mem_cgroup_clear(struct os *os, const struct page *pg);
void split_page_memcg(struct os *os, const struct page *head, unsigned nr);

/*
 * mem_cgroup_handle_over_high on the return to user space of p: reclaim
 * what p charged above memory.high, then the throttle penalty.
 * @return the time it took (reclaim + sleep).
 */
sim_time_t mem_cgroup_handle_over_high(struct os *os, struct process *p, unsigned cpu, sim_time_t now);
/*
 * The return to user space of p after a fault or system call: count the
 * faults (pgfault, pgmajfault) on its memcg, then handle memory.high.
 * @return the time added.
 */
sim_time_t memcg_return_to_user(struct os *os, struct process *p, unsigned cpu, sim_time_t now, uint64_t faults,
				uint64_t majfaults);
/* calculate_overage and calculate_high_delay, in jiffies (pure: unit tests). */
uint64_t memcg_calculate_overage(uint64_t usage, uint64_t high);
uint64_t memcg_calculate_high_delay(uint64_t max_overage, uint64_t nr_pages);

/* ---- reclaim ---------------------------------------------------------------------------------------- */

/*
 * mem_cgroup_iter over the subtree of root: root first, then every live
 * descendant in id order (a child's id may be below its parent's); start
 * with prev = -1.  @return -1 at the end.
 */
int mem_cgroup_iter(const struct os *os, unsigned root, int prev);
/* The lruvec of (memcg, node). */
struct lruvec *mem_cgroup_lruvec(struct os *os, unsigned id, unsigned nid);
/* page_counter_calculate_protection of memcg id under the reclaim target root. */
void mem_cgroup_calculate_protection(struct os *os, unsigned root, unsigned id);
bool mem_cgroup_below_min(const struct os *os, unsigned root, unsigned id);
bool mem_cgroup_below_low(const struct os *os, unsigned root, unsigned id);
/* mem_cgroup_protection: the protection get_scan_count scales the scan by. */
uint64_t mem_cgroup_protection(const struct os *os, unsigned root, unsigned id, bool in_low_reclaim);
/* apply_proportional_protection of get_scan_count: the scan base of a list of lru_size pages. */
uint64_t memcg_protected_lru_size(uint64_t lru_size, uint64_t protection, uint64_t cgroup_size);
/* page_counter_read */
uint64_t mem_cgroup_usage(const struct os *os, unsigned id);
/* LRU pages of list l on node nid in the subtree of id (the hierarchical lruvec size). */
uint64_t mem_cgroup_tree_lru(const struct os *os, unsigned id, unsigned nid, enum lru_list l);
void memcg_memory_event(struct os *os, unsigned id, enum memcg_memory_event ev);
void memcg_vm_event(struct os *os, const struct lruvec *lv, enum memcg_vm_event ev, uint64_t n);
/*
 * mem_cgroup_out_of_memory: kill the worst process in the subtree of id.
 * @return 1: another process was killed; 0: self was chosen (kill
 * pending, the failing fault kills it); -1: nothing to kill.
 */
int mem_cgroup_out_of_memory(struct os *os, unsigned id, struct process *self);
/* the victim of a global OOM kill was in a memcg: its oom_kill event */
void memcg_oom_kill_event(struct os *os, const struct process *p);

/*
 * try_to_free_mem_cgroup_pages: reclaim at least nr_pages (SWAP_CLUSTER_MAX
 * at least) from the subtree of id, priority DEF_PRIORITY..0 over the nodes
 * in distance order from cpu's node, a second pass into low-protected
 * memcgs if the first reclaimed nothing.  @return pages reclaimed; *cost += time.
 */
uint64_t try_to_free_mem_cgroup_pages(struct os *os, unsigned id, uint64_t nr_pages, gfp_t gfp, unsigned cpu,
				      sim_time_t now, sim_time_t *cost);

/* ---- views --------------------------------------------------------------------------------------- */

/*
 * The cgroup v2 files memcg_dump prints for every non-root memcg,
 * X(name, printer of one memcg); os/os.c's view table expands it too.
 */
#define MEMCG_VIEWS(X)                                  \
	X("memory.stat", memory_stat_show)              \
	X("memory.numa_stat", memory_numa_stat_show)    \
	X("memory.events", memory_events_show)          \
	X("memory.current", memory_current_show)        \
	X("memory.peak", memory_peak_show)
/* One of MEMCG_VIEWS, each memcg's file after a "==> path/file <==" line.  @return 0 or -SIM_EUSAGE. */
int memcg_dump(const struct os *os, const char *view, FILE *fp);
struct rep;
void memcg_report(const struct os *os, struct rep *r);

#endif
