/*
 * os/rmap.h - the reverse map: from a page to every page-table entry that
 * maps it (Linux's mm/rmap.c: rmap_walk, try_to_unmap, try_to_migrate and
 * remove_migration_ptes).
 *
 * Linux chains anon_vmas so it only visits the VMAs that may hold a page.
 * numasim keeps the information the chain encodes in the page itself and
 * looks the mappings up directly:
 *   - a private anonymous page (PG_anon; private hugetlb pages too) sits at
 *     the same virtual address in every address space that maps it: fork
 *     copies addresses unchanged, and mremap moves only pages no other
 *     process maps, rewriting their index (os/mremap.c).  page->index is that address >> PAGE_SHIFT, so
 *     the walk looks that address up in every live process;
 *   - a shared page (shmem, hugetlb file) belongs to a struct shm_obj
 *     (page->mapping) at slot page->index; every VMA of every live process
 *     whose shm is that object and whose window covers the slot maps it at
 *     v->start + slot * size - pgoff * 4K.
 * A candidate counts only if its leaf entry is present (or PROT_NONE /
 * NUMA-hinted) and points at the page's frame, so stale candidates (a
 * COW-broken child, an unmapped range) are skipped.  Processes are visited
 * in pid order, VMAs in address order: walks are deterministic.  The walk
 * stops once it found page->mapcount mappings.
 *
 * TLB invalidation: functions that change entries collect (process, range)
 * pairs in a struct tlb_batch, flushed with one shootdown per process
 * (migrate_pages' TTU_BATCH_FLUSH) by tlb_batch_flush().
 */
#ifndef OS_RMAP_H
#define OS_RMAP_H

#include "os/fault.h"

/* One mapping of a page. */
struct rmap_hit {
	struct process *p;
	struct vma *v;
	uint64_t vaddr;           /* start of the leaf (aligned to its size) */
	uint64_t slot;            /* physical address of the leaf entry in pmem */
	uint64_t pte;             /* its value when found */
	unsigned level;           /* 1 (4 KiB), 2 (2 MiB) */
};

/* Return non-zero to stop the walk (that value is returned by rmap_walk). */
typedef int (*rmap_fn)(void *ctx, const struct rmap_hit *h);

/*
 * Call fn for every mapping of pg (a head page or an order-0 page).
 * @return fn's first non-zero value, else 0.  *found (may be NULL) gets the
 * number of mappings visited.
 */
int rmap_walk(struct os *os, struct page *pg, rmap_fn fn, void *ctx, unsigned *found);

/* Number of mappings rmap_walk finds (must equal pg->mapcount: a checker for tests). */
unsigned rmap_count(struct os *os, struct page *pg);

/* ---- TLB batching -------------------------------------------------------------- */

#define TLB_BATCH_MM 16

struct tlb_batch {
	unsigned n;
	struct process *p[TLB_BATCH_MM];
	uint64_t lo[TLB_BATCH_MM], hi[TLB_BATCH_MM];
	uint64_t shootdowns;      /* flushes issued so far (statistics) */
};

/* Record that [va, va + len) of p must be invalidated.  A full batch flushes first (cost to *cost). */
void tlb_batch_add(struct os *os, struct tlb_batch *b, struct process *p, uint64_t va, uint64_t len, unsigned cpu,
		   sim_time_t now, sim_time_t *cost);
/* Flush every recorded range (one shootdown per process).  @return the initiator's cost. */
sim_time_t tlb_batch_flush(struct os *os, struct tlb_batch *b, unsigned cpu, sim_time_t now);

/* ---- unmapping and remapping ------------------------------------------------------ */

/*
 * try_to_unmap: replace every entry mapping pg by `replacement` (0, or a
 * non-present swap entry the caller encodes; it must have neither PTE_P nor
 * PTE_PROTNONE set), drop the mapping's accounting (mapcount, RSS,
 * NR_ANON_MAPPED / NR_FILE_MAPPED) and the reference each mapping held, and
 * shoot the translations down (one shootdown per process).  The caller must
 * hold its own reference (the page is not freed here; SIM_BUG_ON if the
 * count would reach 0).  Dirty PTEs mark the page PG_dirty.  Reclaim's
 * try_to_unmap (no TTU_IGNORE_MLOCK): a VM_LOCKED VMA mapping pg mlocks it
 * again and stops the walk, leaving pg mapped there (migration moves
 * mappings with rmap_replace instead, which never stops).
 * @return the CPU time of the shootdowns on `cpu`; *nr_unmapped (may be
 * NULL) gets the entries changed.
 */
sim_time_t try_to_unmap(struct os *os, struct page *pg, uint64_t replacement, unsigned cpu, sim_time_t now,
			unsigned *nr_unmapped);

/*
 * remove_migration_ptes in one step: point every entry mapping `old` at
 * `new` (same size) keeping its permission, dirty and accessed bits and
 * clearing a NUMA hint, and move the accounting (mapcount, per-node
 * counts of the processes, NR_*_MAPPED of the nodes) from old to new.
 * Ranges to invalidate go into b.  References are not touched (migration
 * transfers them).  @return entries changed.
 */
unsigned rmap_replace(struct os *os, struct page *old, struct page *new, struct tlb_batch *b, unsigned cpu,
		      sim_time_t now, sim_time_t *cost);

/*
 * Accounting of one mapping of pg (nr base pages) in p, VMA v: the same
 * bookkeeping fault.c does (mapcount, RSS, process node counts, node
 * NR_ANON_MAPPED / NR_FILE_MAPPED on the first/last mapping).  No reference
 * is taken or dropped.
 */
void rmap_account_add(struct os *os, struct process *p, const struct vma *v, struct page *pg, uint64_t nr);
void rmap_account_remove(struct os *os, struct process *p, const struct vma *v, struct page *pg, uint64_t nr);

#endif
