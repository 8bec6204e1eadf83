/*
 * hw/hw_hit.h - hw_access()'s most common case, inline for the driver: a
 * reference within one line whose page is the one its L1 TLB hit last and
 * whose line is in the L1 (and writable, for a store).
 *
 * The driver calls hw_access_hit() first and hw_access() only when it
 * answers false, so the replay of an L1-resident loop makes no call into
 * hw.c.  The answer is the one hw_access() gives for the same reference:
 * the same latency, replacement state and line flags, and the same counters
 * (the TLB's and the L1's are counted here; the CPU's "accesses", "lines",
 * "xlat_ps" and "served" of an L1 hit are derived from n[] at report time,
 * so each is counted once).  A false answer changes nothing that hw_access()
 * would not change in the same way: at most the line moves to the front of
 * its LRU row, where hw_access()'s lookup puts it anyway.
 */
#ifndef HW_HW_HIT_H
#define HW_HW_HIT_H

#include "hw/cache.h"
#include "hw/hw.h"
#include "hw/mmu.h"

struct hw_hit {
	struct mmu_fast mf;     /* copy of the MMU's L1 TLB hit path, kept current by hw_set_context */
	cache_t *l1[2];         /* [0] L1D, [1] L1I: the sides of struct mmu_fast */
	sim_time_t lat[2];      /* latency of an L1 TLB hit and an L1 hit, per side */
	uint32_t line_shift;
	uint64_t n[2];          /* references resolved here, per side */
	sim_time_t end;         /* latest completion among them */
};

/* The hit path of `cpu` (stable for the hardware's lifetime). */
struct hw_hit *hw_hit_path(hw_t *hw, unsigned cpu);

/*
 * The reference (vaddr, size bytes, op: enum mem_op) of the path's CPU at
 * `now`, if it is the common case: @return true with its physical address
 * and latency, as hw_access() would return them (served SRV_L1, no
 * translation beyond the L1 TLB, no walk, no hops).  @return false
 * otherwise: call hw_access().
 */
static inline __attribute__((always_inline)) bool hw_access_hit(struct hw_hit *h, sim_time_t now, uint64_t vaddr,
								  uint32_t size, uint8_t op, uint64_t *paddr,
								  sim_time_t *lat)
{
	const int side = op == MEM_IFETCH;
	const bool write = op == MEM_STORE || op == MEM_MODIFY;
	uint64_t pa, *w;

	if (unlikely((vaddr ^ (vaddr + size - 1)) >> h->line_shift))
		return false;
	if (!mmu_fast_find(&h->mf, side, vaddr, write, &pa))
		return false;
	w = cache_mru_find(h->l1[side], pa >> h->line_shift);
	/* a prefetched line's first demand, or a store to a line not held E or M, take the full path */
	if (!w || (*w & CL_PREFETCHED) || (write && !(*w & CL_WRITABLE)))
		return false;
	if (write)
		*w |= CL_DIRTY;
	mmu_fast_count(&h->mf, side);
	cache_count_hit(h->l1[side]);
	h->n[side]++;
	*paddr = pa;
	*lat = h->lat[side];
	if (now + *lat > h->end)
		h->end = now + *lat;
	return true;
}

#endif
