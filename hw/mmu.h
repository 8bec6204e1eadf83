/*
 * hw/mmu.h - per-CPU TLBs, page-walk caches and the page-table walker.
 *
 * Translation order: L1 DTLB (or ITLB for fetches), per page size, then the
 * unified STLB, then a walk.  The walk starts at the deepest page-walk-cache
 * hit and performs one real memory load per remaining level: the entry's
 * physical address goes through the data caches (the `load` callback, given
 * by hw.c) and, on a miss, to the DRAM of the node that holds that
 * page-table page.  Entries come from sim/pmem in the hw/pte.h format.
 *
 * TLB entries are tagged with an ASID; switching address spaces does not
 * flush.  Invalidation (one page, a range, a whole ASID) is the interface
 * the OS layer uses through hw_tlb_shootdown().
 */
#ifndef HW_MMU_H
#define HW_MMU_H

#include "hw/hw_cfg.h"
#include "sim/pmem.h"
#include "hw/tlb.h"
#include "sim/report.h"

typedef struct mmu mmu_t;

/*
 * Load of one page-table entry through the cache hierarchy of `cpu`.
 * @return its latency in ps; *served (enum hw_served) says where it hit.
 */
typedef sim_time_t (*mmu_load_fn)(void *ctx, unsigned cpu, uint64_t paddr, sim_time_t now, uint8_t *served);

struct mmu_result {
	sim_time_t lat;        /* ps spent translating (0 on an L1 TLB hit with l1_latency 0) */
	sim_time_t walk;       /* ps of lat in a page walk (0: a TLB hit) */
	uint64_t paddr;
	uint8_t fault;         /* enum hw_fault */
	uint8_t page_shift;
};

/* One MMU per CPU. */
int mmu_create(mmu_t **out, const struct hw_cfg *cfg, unsigned cpu, pmem_t *pm, mmu_load_fn load,
	       void *load_ctx, uint64_t seed, char *err, size_t errlen);
void mmu_destroy(mmu_t *m);

void mmu_set_context(mmu_t *m, uint16_t asid, uint64_t root);

/* TLB payload bits below the page-aligned physical base. */
#define TE_W        (1ULL << 0)
#define TE_D        (1ULL << 1)
#define TE_SZ_SHIFT 2
#define TE_SZ_MASK  (3ULL << TE_SZ_SHIFT)
#define TE_ADDR     (~0xfffULL)

/*
 * The translation most references need: the 4 KiB page of an L1 TLB's last
 * hit, with no dirty-bit work.  hw.c inlines it into its hit path; it counts
 * exactly what mmu_translate counts for the same hit.  mmu_set_context keeps
 * `ctx` current (1 without paging: no valid entry carries it).
 */
struct mmu_fast {
	tlb_t *l1_4k[2];        /* [0] data side, [1] instruction side; NULL: none */
	uint64_t *lvl[2];       /* that side's level counters: [0] lookups, [1] hits_4k */
	uint32_t ctx;           /* tlb_ctx(asid, 12) */
	sim_time_t l1_ps;
};

const struct mmu_fast *mmu_fast_view(const mmu_t *m);

/*
 * The lookup of mmu_fast_hit without its counters (mmu_fast_count adds
 * them): a caller that needs more than the translation to take its fast
 * path counts only once it takes it.  @return whether *paddr was found.
 */
static inline bool mmu_fast_find(const struct mmu_fast *f, int side, uint64_t vaddr, bool write, uint64_t *paddr)
{
	const tlb_t *t = f->l1_4k[side];
	const struct tlb_way *e;

	if (unlikely(!t))
		return false;
	e = &t->way[t->last];
	if (e->vpn != vaddr >> 12 || e->ctx != f->ctx || (write && (e->data & (TE_W | TE_D)) != (TE_W | TE_D)))
		return false;
	*paddr = (e->data & TE_ADDR) | (vaddr & 0xfff);
	return true;
}

static inline void mmu_fast_count(const struct mmu_fast *f, int side)
{
	f->l1_4k[side]->stat[TLB_LOOKUPS]++;
	f->l1_4k[side]->stat[TLB_HITS]++;
	f->lvl[side][0]++;
	f->lvl[side][1]++;
}

/* side: 0 data, 1 instruction fetch.  @return whether *paddr was found that way. */
static inline bool mmu_fast_hit(const struct mmu_fast *f, int side, uint64_t vaddr, bool write, uint64_t *paddr)
{
	if (!mmu_fast_find(f, side, vaddr, write, paddr))
		return false;
	mmu_fast_count(f, side);
	return true;
}

/* Translate; sets A/D bits in pmem as the hardware would. */
void mmu_translate(mmu_t *m, uint64_t vaddr, uint8_t op, sim_time_t now, struct mmu_result *res);

/* Drop entries of asid in [vaddr, vaddr+len) (len 0: all of asid) from TLBs and PWCs. */
void mmu_invalidate(mmu_t *m, uint16_t asid, uint64_t vaddr, uint64_t len);
/* Whether this MMU has run `asid` since its last full flush (shootdown targeting). */
bool mmu_may_hold(const mmu_t *m, uint16_t asid);

void mmu_report(const mmu_t *m, rep_t *r);

#endif
