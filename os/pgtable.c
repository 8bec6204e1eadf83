/*
 * os/pgtable.c - building, walking and freeing page tables in pmem.
 *
 * All reads and writes go through sim/pmem, so what this file writes is
 * exactly what the hardware walker later reads.  Walks are recursive over
 * the 4 levels and clip to the requested range, so visiting a sparse
 * address space costs only the tables that exist.
 */
#include "os/pgtable.h"
#include "sim/err.h"

static inline uint64_t slot_of(uint64_t table_pfn, uint64_t vaddr, unsigned level)
{
	return (table_pfn << 12) + (uint64_t)pt_index(vaddr, level) * 8;
}

int pgtable_slot_alloc(pmem_t *pm, uint64_t root_pfn, uint64_t vaddr, unsigned level,
		       const struct pgtable_ops *ops, uint64_t *slot, unsigned *level_found, sim_time_t *cost)
{
	uint64_t table = root_pfn;

	SIM_BUG_ON(level < 1 || level > 3);
	for (unsigned l = PT_LEVELS; l > level; l--) {
		uint64_t s = slot_of(table, vaddr, l);
		uint64_t e = pmem_read64(pm, s);
		if (e & PTE_PS) {
			*slot = s;
			if (level_found)
				*level_found = l;
			return -SIM_EFAULT;
		}
		if (!e) {
			uint64_t pfn;
			int rc = ops->alloc(ops->ctx, l - 1, vaddr, &pfn, cost);
			if (rc)
				return rc;
			pmem_clear_page(pm, pfn);
			if (pmem_write64(pm, s, (pfn << 12) | PTE_TABLE)) {
				ops->free(ops->ctx, pfn);
				return -SIM_ENOMEM;
			}
			e = pfn << 12;
		}
		table = pte_pfn(e);
	}
	*slot = slot_of(table, vaddr, level);
	if (level_found)
		*level_found = level;
	return 0;
}

unsigned pgtable_lookup(const pmem_t *pm, uint64_t root_pfn, uint64_t vaddr, uint64_t *slot)
{
	uint64_t table = root_pfn;

	for (unsigned l = PT_LEVELS; l >= 1; l--) {
		uint64_t s = slot_of(table, vaddr, l);
		uint64_t e = pmem_read64(pm, s);
		if (l == 1 || !e || (e & PTE_PS)) {
			*slot = s;
			return l == PT_LEVELS && !e ? PT_LEVELS : l;
		}
		table = pte_pfn(e);
	}
	return 0;
}

/* Visit the entries of one table (at `level`, mapping from `base`) within [start, end). */
static int walk_table(const pmem_t *pm, uint64_t table, unsigned level, uint64_t base, uint64_t start,
		      uint64_t end, pgtable_leaf_fn fn, void *ctx)
{
	uint64_t size = pgtable_level_size(level);
	unsigned first = start > base ? (unsigned)((start - base) >> pt_level_shift(level)) : 0;

	for (unsigned i = first; i < PT_ENTRIES; i++) {
		uint64_t va = base + (uint64_t)i * size;
		if (va >= end)
			break;
		uint64_t s = (table << 12) + (uint64_t)i * 8;
		uint64_t e = pmem_read64(pm, s);
		if (!e)
			continue;
		int rc;
		if (pte_is_leaf(e, level))
			rc = fn(ctx, va, s, e, level);
		else
			rc = walk_table(pm, pte_pfn(e), level - 1, va, start, end, fn, ctx);
		if (rc)
			return rc;
	}
	return 0;
}

int pgtable_walk(const pmem_t *pm, uint64_t root_pfn, uint64_t start, uint64_t end, pgtable_leaf_fn fn,
		 void *ctx)
{
	if (start >= end)
		return 0;
	return walk_table(pm, root_pfn, PT_LEVELS, 0, start, end, fn, ctx);
}

static bool table_empty(const pmem_t *pm, uint64_t table)
{
	for (unsigned i = 0; i < PT_ENTRIES; i++)
		if (pmem_read64(pm, (table << 12) + (uint64_t)i * 8))
			return false;
	return true;
}

static unsigned free_table_range(pmem_t *pm, uint64_t table, unsigned level, uint64_t base, uint64_t start,
				 uint64_t end, uint64_t floor, uint64_t ceiling, const struct pgtable_ops *ops)
{
	uint64_t size = pgtable_level_size(level);
	unsigned first = start > base ? (unsigned)((start - base) >> pt_level_shift(level)) : 0;
	unsigned freed = 0;

	for (unsigned i = first; i < PT_ENTRIES; i++) {
		uint64_t va = base + (uint64_t)i * size;
		if (va >= end)
			break;
		uint64_t s = (table << 12) + (uint64_t)i * 8;
		uint64_t e = pmem_read64(pm, s);
		if (!e || pte_is_leaf(e, level))
			continue;
		uint64_t child = pte_pfn(e);
		if (level - 1 > 1)
			freed += free_table_range(pm, child, level - 1, va, start, end, floor, ceiling, ops);
		if (va >= floor && va + size - 1 <= ceiling - 1) {
			SIM_BUG_ON(!table_empty(pm, child));
			pmem_write64(pm, s, 0);
			pmem_clear_page(pm, child);
			ops->free(ops->ctx, child);
			freed++;
		}
	}
	return freed;
}

unsigned pgtable_free_range(pmem_t *pm, uint64_t root_pfn, uint64_t start, uint64_t end, uint64_t floor,
			    uint64_t ceiling, const struct pgtable_ops *ops)
{
	if (start >= end)
		return 0;
	return free_table_range(pm, root_pfn, PT_LEVELS, 0, start, end, floor, ceiling, ops);
}

static unsigned free_all(pmem_t *pm, uint64_t table, unsigned level, const struct pgtable_ops *ops)
{
	unsigned freed = 0;

	for (unsigned i = 0; level > 1 && i < PT_ENTRIES; i++) {
		uint64_t e = pmem_read64(pm, (table << 12) + (uint64_t)i * 8);
		if (e && !pte_is_leaf(e, level))
			freed += free_all(pm, pte_pfn(e), level - 1, ops);
	}
	pmem_clear_page(pm, table);
	ops->free(ops->ctx, table);
	return freed + 1;
}

unsigned pgtable_free_all(pmem_t *pm, uint64_t root_pfn, const struct pgtable_ops *ops)
{
	return free_all(pm, root_pfn, PT_LEVELS, ops);
}
