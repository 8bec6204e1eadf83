/*
 * os/migrate.h - page migration, the one mechanism behind move_pages(2),
 * migrate_pages(2), mbind(MPOL_MF_MOVE), compaction and NUMA balancing
 * (Linux's mm/migrate.c, sources.md §9).
 *
 * migrate_folios() takes pages (order-0 pages or heads of THPs) and, for
 * each: checks it can be isolated (a mapped user page whose references are
 * exactly its mappings plus its shared object's), allocates the
 * destination through the caller's callback, copies the contents through
 * the hardware model (hw_copy_page: both DDR controllers and the links
 * between them), repoints every PTE through the reverse map, transfers
 * flags, owner, LRU position and statistics, and frees the source.  TLB
 * invalidations of one call are batched: one shootdown per address space
 * (TTU_BATCH_FLUSH).
 *
 * Costs: migrate_page_cost per folio (isolation, unmap, remap
 * bookkeeping), the allocator's own cost, the copy (copy_page_cost per
 * 4 KiB + the hardware traffic) and the shootdowns.  The work is a stream
 * on the calling CPU, as in Linux (migrate_pages_batch moves one folio
 * after another; folio_copy copies one 4 KiB subpage after another): each
 * folio starts when the previous one is done, at rq->now + the time spent
 * so far, so a batch costs the sum of per-folio costs that do not depend on
 * the batch size (docs/os-migrate.md "Cost").  The caller charges the
 * total: to the CPU that made the system call, or through
 * mig_charge_kthread() to a CPU of the node a kernel thread runs on.
 *
 * Counters: pgmigrate_success / pgmigrate_fail (base pages),
 * thp_migration_success / thp_migration_fail, and per reason in the
 * "migration" report section.
 */
#ifndef OS_MIGRATE_H
#define OS_MIGRATE_H

#include "os/fault.h"

/* enum migrate_reason, Linux's names (include/linux/migrate_mode.h); demotion is reclaim's. */
enum migrate_reason {
	MR_COMPACTION,
	MR_SYSCALL,           /* move_pages(2), migrate_pages(2) */
	MR_MEMPOLICY_MBIND,
	MR_NUMA_MISPLACED,
	MR_DEMOTION,
	MR_CONTIG_RANGE,      /* alloc_contig_range: cma_alloc (os/contig.c) */
	MR_MEMORY_HOTPLUG,    /* offline_pages (os/memory_hotplug.c) */
	NR_MIGRATE_REASONS
};
extern const char *const migrate_reason_names[NR_MIGRATE_REASONS];

/*
 * Destination for src (order src->order), allocated at `now`: *pfn = an
 * allocated block of that order (refcount 1), *cost += the allocation
 * time.  @return 0 or a negative code (the page then fails to migrate).
 */
typedef int (*migrate_alloc_fn)(void *ctx, struct os *os, struct page *src, sim_time_t now, uint64_t *pfn,
				sim_time_t *cost);

struct migrate_req {
	enum migrate_reason reason;
	unsigned cpu;             /* CPU doing the work (copy traffic, shootdown initiator) */
	sim_time_t now;           /* when the first folio's work starts (callers: now + cost so far) */
	migrate_alloc_fn alloc;   /* NULL: alloc_migration_target on target_nid, __GFP_THISNODE */
	void *alloc_ctx;
	int target_nid;
	bool *failed;             /* optional [n]: set per page that failed to migrate */
	/*
	 * The pages are isolated from the LRU with one reference each, as
	 * reclaim holds them and as Linux's migrate_pages takes them: a moved
	 * page's replacement goes onto the LRU and the source leaves
	 * NR_ISOLATED_* (migrate_folio_done); a page that fails stays
	 * isolated, for the caller.  false: pages on their lists (numasim's
	 * other callers).
	 */
	bool isolated;
};

/*
 * Migrate n pages.  *cost += the work's time.  @return pages (folios)
 * that failed; *moved (may be NULL) gets base pages moved.
 */
unsigned migrate_folios(struct os *os, struct page **pages, unsigned n, const struct migrate_req *rq,
			sim_time_t *cost, uint64_t *moved);

/* true if pg could be isolated for migration (mapped user page, no extra references). */
bool migrate_isolatable(struct os *os, const struct page *pg);

/* Charge t ps of kernel-thread time to `cpu` (drained by os_mig_stolen). */
void mig_charge_kthread(struct os *os, unsigned cpu, sim_time_t t);
/* First CPU of node nid (kernel threads of a memory-only node run on CPU 0). */
unsigned mig_node_cpu(const struct os *os, unsigned nid);

/* ---- the system calls (called by os.c) ------------------------------------------------ */

/*
 * move_pages(addr, count, node, flags) for the calling process: the pages
 * mapped in [addr, addr + count * 4K) that are not on `node` move there
 * (shared pages only with MPOL_MF_MOVE_ALL).  Per-page status is not kept.
 * @return 0, or -SIM_ERANGE (bad node / flags) with err set.
 */
int mig_move_pages(struct os *os, struct process *p, unsigned cpu, sim_time_t now, uint64_t addr, uint64_t count,
		   uint64_t node, uint64_t flags, sim_time_t *cost, char *err, size_t errlen);
/*
 * migrate_pages(old, new) of process p (sources.md §9.4).  *failed (may be
 * NULL) gets the pages that could not move.  @return 0 or -SIM_ERANGE.
 */
int mig_migrate_pages(struct os *os, struct process *p, unsigned cpu, sim_time_t now, const nodemask_t *from,
		      const nodemask_t *to, sim_time_t *cost, uint64_t *failed, char *err, size_t errlen);
/*
 * mbind's MPOL_MF_MOVE / MOVE_ALL: move the pages of [start, end) that sit
 * outside `mask` to the nodes the (already installed) VMA policy chooses.
 * @return pages that failed.
 */
uint64_t mig_mbind_move(struct os *os, struct process *p, unsigned cpu, sim_time_t now, uint64_t start,
			uint64_t end, const nodemask_t *mask, bool move_all, sim_time_t *cost);

/* ---- lifetime, views --------------------------------------------------------------------- */

/* Create the state of this layer (migration, compaction, NUMA balancing, THP, hugetlb pools). */
int mig_init(struct os *os, char *err, size_t errlen);
void mig_destroy(struct os *os);
/* Kernel-thread time spent on `cpu` since the last call; clears it. */
sim_time_t os_mig_stolen(struct os *os, unsigned cpu);
/* The "migration", "compaction", "numa_balancing", "thp" report sections. */
void mig_report(const struct os *os, rep_t *r);

#endif
