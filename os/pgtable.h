/*
 * os/pgtable.h - 4-level page tables stored in simulated physical memory.
 *
 * The tables are real: 4 KiB frames obtained from the page allocator,
 * holding 512 eight-byte entries in the hw/pte.h (x86-64) format, written
 * to sim/pmem where the hardware walker reads them.  Levels are numbered as
 * in hw/pte.h: 4 = PGD (PML4), 3 = PUD (PDPT), 2 = PMD (PD), 1 = PTE.
 * A leaf may sit at level 3 (1 GiB, PS set), 2 (2 MiB, PS set) or 1.
 *
 * Who provides the table frames is the caller's decision (Linux allocates
 * them with the task's policy on the faulting CPU's node), so allocation
 * goes through struct pgtable_ops.  Freed tables are cleared in pmem so a
 * frame reused for data or another table never shows stale entries.
 */
#ifndef OS_PGTABLE_H
#define OS_PGTABLE_H

#include "hw/pte.h"
#include "sim/pmem.h"

/* Software PTE bits (Linux x86 uses bit 9 for _PAGE_SPECIAL too). */
#define PTE_SPECIAL   PTE_SW1   /* no struct page behind it: the shared zero page */
#define PTE_PROTNONE  PTE_SW2   /* P clear on purpose: PROT_NONE (and later NUMA hinting) */

/* Entry of a table pointing to the next level (Linux's _PAGE_TABLE). */
#define PTE_TABLE     (PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D)

static inline uint64_t pte_pfn(uint64_t pte)
{
	return (pte & PTE_ADDR_MASK) >> 12;
}

/* Present for software: mapped, even if P is clear because of PROT_NONE. */
static inline bool pte_present(uint64_t pte)
{
	return pte & (PTE_P | PTE_PROTNONE);
}

static inline bool pte_is_leaf(uint64_t pte, unsigned level)
{
	return level == 1 || (pte & PTE_PS);
}

struct pgtable_ops {
	void *ctx;
	/*
	 * A table frame for a table at `level` (3..1) covering `vaddr`;
	 * *cost += allocation time.  @return 0 or a negative code.
	 */
	int (*alloc)(void *ctx, unsigned level, uint64_t vaddr, uint64_t *pfn, sim_time_t *cost);
	void (*free)(void *ctx, uint64_t pfn);
};

/*
 * Physical address of the entry slot for vaddr at `level`, creating the
 * missing tables above it.  @return 0; -SIM_EFAULT if a huge leaf above
 * `level` already maps vaddr (*slot = that leaf's slot, *level_found its
 * level); -SIM_ENOMEM / -SIM_EOOM from the allocator or pmem.
 */
int pgtable_slot_alloc(pmem_t *pm, uint64_t root_pfn, uint64_t vaddr, unsigned level,
		       const struct pgtable_ops *ops, uint64_t *slot, unsigned *level_found, sim_time_t *cost);

/*
 * Walk without allocating.  @return the level (3..1) of the leaf slot or
 * of the deepest empty entry met, with *slot its physical address; 0 only
 * if root is invalid.  Check the entry with pmem_read64(pm, *slot).
 */
unsigned pgtable_lookup(const pmem_t *pm, uint64_t root_pfn, uint64_t vaddr, uint64_t *slot);

/*
 * Visit every non-zero leaf entry mapping an address in [start, end), in
 * address order, skipping empty subtrees.  fn gets the leaf's vaddr (aligned
 * to its size), its slot, value and level; a non-zero return stops the walk
 * and is returned.
 */
typedef int (*pgtable_leaf_fn)(void *ctx, uint64_t vaddr, uint64_t slot, uint64_t pte, unsigned level);
int pgtable_walk(const pmem_t *pm, uint64_t root_pfn, uint64_t start, uint64_t end, pgtable_leaf_fn fn,
		 void *ctx);

/*
 * free_pgtables: free the tables (levels 3..1) that cover part of [start,
 * end) and lie entirely inside [floor, ceiling) (no VMA left there).  Their
 * leaves must already be cleared.  Clears the parent entries.
 * @return tables freed.
 */
unsigned pgtable_free_range(pmem_t *pm, uint64_t root_pfn, uint64_t start, uint64_t end, uint64_t floor,
			    uint64_t ceiling, const struct pgtable_ops *ops);

/* Free every table below the root and the root itself (exit).  @return frames freed. */
unsigned pgtable_free_all(pmem_t *pm, uint64_t root_pfn, const struct pgtable_ops *ops);

/* Bytes mapped by one entry at level: 4K, 2M, 1G, 512G. */
static inline uint64_t pgtable_level_size(unsigned level)
{
	return 1ULL << pt_level_shift(level);
}

#endif
