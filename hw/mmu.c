/*
 * hw/mmu.c - one CPU's TLB hierarchy, page-walk caches and page walker.
 *
 * A translation probes the L1 array of each page size on the fetch or data
 * side, then the second-level arrays (unified STLB for 4 KiB + 2 MiB, a
 * separate one for 1 GiB), then walks.  Latency is the sum of the structures
 * consulted in turn: l1_latency, + stlb_latency on an L1 miss, + pwc_latency
 * and one dependent load per remaining level on an STLB miss.  Each load
 * goes through the CPU's caches via the owner's callback, issued at the time
 * the previous one completed.
 *
 * TLB payloads hold the page's physical base (aligned to the array's page
 * size), the effective write permission (the AND of RW over all levels, as
 * x86 caches it), the dirty bit as it was at fill time and the size of the
 * page that produced the entry (the L1 ITLB has no 1 GiB array: a 1 GiB code
 * page is cached there as the 2 MiB fragment that was touched).
 *
 * Page-walk caches are fully associative LRU arrays per level, tagged by
 * asid and the VA prefix that level translates, holding the next table's
 * physical address and the cumulative RW permission.
 *
 * Stores: a store whose TLB entry lacks write permission faults and drops
 * the entry (the OS fixes the PTE, the retry walks).  A store through a
 * clean entry re-reads the page table as x86's microcode assist does, sets D
 * in the leaf and marks the cached entries dirty; on x86 the assist costs
 * one access to the leaf entry through the caches, on arm64 (hardware DBM)
 * nothing extra.
 */
#include <stdlib.h>
#include <string.h>
#include "hw/mmu.h"
#include "hw/hw.h"
#include "hw/pte.h"
#include "hw/tlb.h"
#include "sim/err.h"

/* Page sizes the MMU knows, by index. */
enum { SZ_4K, SZ_2M, SZ_1G, NR_SZ };
static const unsigned sz_shift[NR_SZ] = { 12, 21, 30 };

enum { SIDE_D, SIDE_I, NR_SIDES };


/* Page-walk cache payload: next table | cumulative RW. */
#define PWC_RW      (1ULL << 0)

/* Counters of one translation level (L1 DTLB, L1 ITLB, STLB). */
#define TLBLVL_STATS(X)                                                                          \
	X(LVL_LOOKUPS, lookups, EVENT, "translations", "translations that probed this level")  \
	X(LVL_HITS_4K, hits_4k, EVENT, "translations", "hits on 4 KiB entries")                \
	X(LVL_HITS_2M, hits_2m, EVENT, "translations", "hits on 2 MiB entries")                \
	X(LVL_HITS_1G, hits_1g, EVENT, "translations", "hits on 1 GiB entries")                \
	X(LVL_MISSES,  misses,  EVENT, "translations", "translations that missed every array of this level")

enum lvl_stat { TLBLVL_STATS(STAT_ENUM) NR_LVL_STATS };
static const struct stat_desc lvl_stat_desc[] = { TLBLVL_STATS(STAT_DESC) };
STAT_TABLE_CHECK(lvl_stat_desc, NR_LVL_STATS);

/* Page-walk caches: levels named after the config (pwc_l4 = PML4E / arm64 L0 ...). */
#define PWC_STATS(X)                                                                                \
	X(PWC_LOOKUPS, lookups, EVENT, "walks", "walks that probed the page-walk caches")          \
	X(PWC_L4_HITS, l4_hits, EVENT, "walks", "deepest hit was a PML4E (L0) entry: 3 loads left") \
	X(PWC_L3_HITS, l3_hits, EVENT, "walks", "deepest hit was a PDPTE (L1) entry: 2 loads left") \
	X(PWC_L2_HITS, l2_hits, EVENT, "walks", "deepest hit was a PDE (L2) entry: 1 load left")   \
	X(PWC_MISSES,  misses,  EVENT, "walks", "walks that started at the root")

enum pwc_stat { PWC_STATS(STAT_ENUM) NR_PWC_STATS };
static const struct stat_desc pwc_stat_desc[] = { PWC_STATS(STAT_DESC) };
STAT_TABLE_CHECK(pwc_stat_desc, NR_PWC_STATS);

#define WALKER_STATS_HEAD(X)                                                                          \
	X(WK_WALKS,      walks,      EVENT, "walks",  "page walks (STLB misses)")                       \
	X(WK_WALK_PS,    walk_ps,    EVENT, "ps",     "time in walks: PWC probe and entry loads")      \
	X(WK_LOADS,      loads,      EVENT, "loads",  "page-table entry loads issued by walks")

#define WALKER_STATS_TAIL(X)                                                                          \
	X(WK_LEAF_4K,    leaves_4k,  EVENT, "walks",  "walks that found a 4 KiB leaf")                   \
	X(WK_LEAF_2M,    leaves_2m,  EVENT, "walks",  "walks that found a 2 MiB leaf")                   \
	X(WK_LEAF_1G,    leaves_1g,  EVENT, "walks",  "walks that found a 1 GiB leaf")                   \
	X(WK_FAULT_NP,   faults_not_present, EVENT, "faults", "translations ending at an entry with P=0") \
	X(WK_FAULT_WP,   faults_write, EVENT, "faults", "stores to a page without write permission")     \
	X(WK_A_SET,      a_bits_set, EVENT, "entries", "accessed bits the walker set in memory")        \
	X(WK_D_SET,      d_bits_set, EVENT, "entries", "dirty bits set in memory (walks and assists)")  \
	X(WK_D_ASSISTS,  d_assists,  EVENT, "stores", "stores through a TLB entry cached clean")       \
	X(WK_INVAL,      invalidations, EVENT, "calls", "mmu_invalidate calls")                          \
	X(WK_INVAL_ENT,  invalidated_entries, EVENT, "entries", "TLB and PWC entries they dropped")     \
	X(WK_UNTRANSLATED, untranslated, EVENT, "refs", "references without paging (identity)")

#define WK_SERVED_ENUM(id, name, doc) WK_LOADS_##id,
#define WK_SERVED_DESC(id, name, doc) { "loads_" #name, STAT_EVENT, "loads", "walk loads served by: " doc },

enum walker_stat {
	WALKER_STATS_HEAD(STAT_ENUM)
	HW_SERVED(WK_SERVED_ENUM)
	WALKER_STATS_TAIL(STAT_ENUM)
	NR_WALKER_STATS
};
static const struct stat_desc walker_stat_desc[] = {
	WALKER_STATS_HEAD(STAT_DESC)
	HW_SERVED(WK_SERVED_DESC)
	WALKER_STATS_TAIL(STAT_DESC)
};
STAT_TABLE_CHECK(walker_stat_desc, NR_WALKER_STATS);

#define ASID_WORDS (65536 / 64)

struct mmu {
	unsigned cpu;
	bool arm64;
	pmem_t *pm;
	mmu_load_fn load;
	void *load_ctx;

	uint16_t asid;
	uint64_t root;

	tlb_t *l1[NR_SIDES][NR_SZ];   /* NULL: that size is not cached at L1 */
	tlb_t *stlb;                  /* 4 KiB + 2 MiB */
	tlb_t *stlb_1g;
	tlb_t *pwc[PT_LEVELS + 1];    /* indexed by the level of the cached entry: 2..4 */
	bool has_stlb, has_pwc;

	sim_time_t l1_ps, stlb_ps, pwc_ps;

	uint64_t stat_lvl[3][NR_LVL_STATS];   /* dtlb, itlb, stlb */
	uint64_t stat_pwc[NR_PWC_STATS];
	uint64_t stat_walk[NR_WALKER_STATS];

	uint64_t asid_seen[ASID_WORDS];
	struct mmu_fast fast;
};

/* stat_lvl rows: the first two are indexed by side */
enum { LVL_DTLB = SIDE_D, LVL_ITLB = SIDE_I, LVL_STLB };
_Static_assert(SIDE_D == 0 && SIDE_I == 1 && LVL_LOOKUPS == 0 && LVL_HITS_4K == 1,
	       "struct mmu_fast indexes sides and level counters by these numbers");
static const char *const lvl_key[3] = { "dtlb", "itlb", "stlb" };

static int make_array(tlb_t **out, const char *name, const struct tlb_array_cfg *a, unsigned shift, uint32_t repl,
		      uint64_t seed, uint64_t stream, char *err, size_t errlen)
{
	*out = NULL;
	if (!a->entries)
		return 0;
	return tlb_create(out, name, a->entries, a->ways, shift, repl, seed, stream, err, errlen);
}

static int make_pwc(tlb_t **out, const char *name, uint32_t entries, uint32_t ways, unsigned shift, uint64_t seed,
		    uint64_t stream, char *err, size_t errlen)
{
	*out = NULL;
	if (!entries)
		return 0;
	/* set-associative like the hardware it models: a 32-entry fully
	   associative array would also cost 64 tag compares per walk here */
	if (!ways || ways > entries)
		ways = entries;
	return tlb_create(out, name, entries, ways, shift, REPL_LRU, seed, stream, err, errlen);
}

int mmu_create(mmu_t **out, const struct hw_cfg *cfg, unsigned cpu, pmem_t *pm, mmu_load_fn load, void *load_ctx,
	       uint64_t seed, char *err, size_t errlen)
{
	const struct tlb_cfg *tc = &cfg->tlb;
	mmu_t *m;
	int rc = 0;

	*out = NULL;
	if (!cfg->cpu.mhz)
		return sim_errf(err, errlen, SIM_ECONFIG, "cpu.mhz: must be positive");
	if (cfg->cpu.arch >= NR_ARCH)
		return sim_errf(err, errlen, SIM_ECONFIG, "cpu.arch: unknown architecture %u", cfg->cpu.arch);
	if (!pm || !load)
		return sim_errf(err, errlen, SIM_ECONFIG, "mmu: physical memory and load callback are required");
	m = calloc(1, sizeof(*m));
	if (!m)
		return sim_errf(err, errlen, SIM_ENOMEM, "mmu: out of memory");
	m->cpu = cpu;
	m->arm64 = cfg->cpu.arch == ARCH_ARM64;
	m->pm = pm;
	m->load = load;
	m->load_ctx = load_ctx;
	m->root = HW_NO_PAGING;

	/* each array draws from its own random stream: (cpu, array) */
	uint64_t st = (uint64_t)cpu << 8 | 0x4d4d550000000000ULL;
	if (!rc) rc = make_array(&m->l1[SIDE_D][SZ_4K], "tlb.l1d_4k", &tc->l1d_4k, 12, tc->repl, seed, st | 0, err, errlen);
	if (!rc) rc = make_array(&m->l1[SIDE_D][SZ_2M], "tlb.l1d_2m", &tc->l1d_2m, 21, tc->repl, seed, st | 1, err, errlen);
	if (!rc) rc = make_array(&m->l1[SIDE_D][SZ_1G], "tlb.l1d_1g", &tc->l1d_1g, 30, tc->repl, seed, st | 2, err, errlen);
	if (!rc) rc = make_array(&m->l1[SIDE_I][SZ_4K], "tlb.l1i_4k", &tc->l1i_4k, 12, tc->repl, seed, st | 3, err, errlen);
	if (!rc) rc = make_array(&m->l1[SIDE_I][SZ_2M], "tlb.l1i_2m", &tc->l1i_2m, 21, tc->repl, seed, st | 4, err, errlen);
	if (!rc) rc = make_array(&m->stlb, "tlb.stlb", &tc->stlb, 12, tc->repl, seed, st | 5, err, errlen);
	if (!rc) rc = make_array(&m->stlb_1g, "tlb.stlb_1g", &tc->stlb_1g, 30, tc->repl, seed, st | 6, err, errlen);
	if (!rc) rc = make_pwc(&m->pwc[4], "tlb.pwc_l4", tc->pwc_l4, tc->pwc_ways, pt_level_shift(4), seed, st | 7, err, errlen);
	if (!rc) rc = make_pwc(&m->pwc[3], "tlb.pwc_l3", tc->pwc_l3, tc->pwc_ways, pt_level_shift(3), seed, st | 8, err, errlen);
	if (!rc) rc = make_pwc(&m->pwc[2], "tlb.pwc_l2", tc->pwc_l2, tc->pwc_ways, pt_level_shift(2), seed, st | 9, err, errlen);
	if (rc) {
		mmu_destroy(m);
		return rc;
	}
	m->has_stlb = m->stlb || m->stlb_1g;
	m->has_pwc = m->pwc[2] || m->pwc[3] || m->pwc[4];
	m->l1_ps = hw_cycles_ps(cfg, tc->l1_latency);
	m->stlb_ps = hw_cycles_ps(cfg, tc->stlb_latency);
	m->pwc_ps = hw_cycles_ps(cfg, tc->pwc_latency);
	for (int side = 0; side < NR_SIDES; side++) {
		m->fast.l1_4k[side] = m->l1[side][SZ_4K];
		m->fast.lvl[side] = m->stat_lvl[side];
	}
	m->fast.ctx = 1;
	m->fast.l1_ps = m->l1_ps;
	*out = m;
	return 0;
}

static void for_each_array(const mmu_t *m, void (*fn)(tlb_t *t, void *arg), void *arg)
{
	for (int s = 0; s < NR_SIDES; s++)
		for (int z = 0; z < NR_SZ; z++)
			if (m->l1[s][z])
				fn(m->l1[s][z], arg);
	if (m->stlb)
		fn(m->stlb, arg);
	if (m->stlb_1g)
		fn(m->stlb_1g, arg);
	for (int l = 4; l >= 2; l--)
		if (m->pwc[l])
			fn(m->pwc[l], arg);
}

static void destroy_one(tlb_t *t, void *arg)
{
	(void)arg;
	tlb_destroy(t);
}

void mmu_destroy(mmu_t *m)
{
	if (!m)
		return;
	for_each_array(m, destroy_one, NULL);
	free(m);
}

void mmu_set_context(mmu_t *m, uint16_t asid, uint64_t root)
{
	m->asid = asid;
	m->root = root;
	m->fast.ctx = root == HW_NO_PAGING ? 1 : tlb_ctx(asid, 12);
	m->asid_seen[asid / 64] |= 1ULL << (asid % 64);
}

const struct mmu_fast *mmu_fast_view(const mmu_t *m) { return &m->fast; }

bool mmu_may_hold(const mmu_t *m, uint16_t asid)
{
	return m->asid_seen[asid / 64] >> (asid % 64) & 1;
}

static inline void result(struct mmu_result *res, sim_time_t lat, uint64_t paddr, uint8_t fault, uint8_t shift)
{
	res->lat = lat;
	res->paddr = paddr;
	res->fault = fault;
	res->page_shift = shift;
}

/* Drop every TLB entry (not PWC) of the current asid that maps vaddr. */
static void drop_page(mmu_t *m, uint64_t vaddr)
{
	for (int s = 0; s < NR_SIDES; s++)
		for (int z = 0; z < NR_SZ; z++)
			if (m->l1[s][z])
				tlb_invalidate(m->l1[s][z], m->asid, vaddr, 1);
	if (m->stlb)
		tlb_invalidate(m->stlb, m->asid, vaddr, 1);
	if (m->stlb_1g)
		tlb_invalidate(m->stlb_1g, m->asid, vaddr, 1);
}

/*
 * Functional walk (no timing, no PWC, no A updates) for the dirty-bit
 * assist.  @return the fault it meets; on success the leaf entry's address.
 */
static uint8_t walk_quiet(const mmu_t *m, uint64_t vaddr, uint64_t *leaf_pa)
{
	uint64_t table = m->root & PTE_ADDR_MASK;

	for (unsigned level = PT_LEVELS;; level--) {
		uint64_t pa = table + pt_index(vaddr, level) * 8;
		uint64_t e = pmem_read64(m->pm, pa);
		if (!(e & PTE_P))
			return HW_FAULT_NOT_PRESENT;
		if (!(e & PTE_RW))
			return HW_FAULT_WRITE;
		if (level == 1 || ((level == 2 || level == 3) && (e & PTE_PS))) {
			*leaf_pa = pa;
			return HW_FAULT_NONE;
		}
		table = e & PTE_ADDR_MASK;
	}
}

static void mark_dirty(mmu_t *m, uint64_t vaddr)
{
	for (int s = 0; s < NR_SIDES; s++)
		for (int z = 0; z < NR_SZ; z++)
			if (m->l1[s][z])
				tlb_set_bits(m->l1[s][z], m->asid, vaddr, sz_shift[z], TE_D);
	if (m->stlb) {
		tlb_set_bits(m->stlb, m->asid, vaddr, sz_shift[SZ_4K], TE_D);
		tlb_set_bits(m->stlb, m->asid, vaddr, sz_shift[SZ_2M], TE_D);
	}
	if (m->stlb_1g)
		tlb_set_bits(m->stlb_1g, m->asid, vaddr, sz_shift[SZ_1G], TE_D);
}

/* A store found a translation whose cached D is clear. */
static void dirty_assist(mmu_t *m, uint64_t vaddr, sim_time_t now, struct mmu_result *res)
{
	uint64_t leaf_pa = 0;
	uint8_t fault = walk_quiet(m, vaddr, &leaf_pa);

	m->stat_walk[WK_D_ASSISTS]++;
	if (fault) {
		/* the page table changed under a stale entry: fault like a walk would */
		drop_page(m, vaddr);
		m->stat_walk[fault == HW_FAULT_WRITE ? WK_FAULT_WP : WK_FAULT_NP]++;
		res->fault = fault;
		return;
	}
	uint64_t e = pmem_read64(m->pm, leaf_pa);
	if (!(e & PTE_D)) {
		pmem_write64(m->pm, leaf_pa, e | PTE_A | PTE_D);
		m->stat_walk[WK_D_SET]++;
	}
	if (!m->arm64) {
		/* the assist's locked update of the leaf: page-table traffic like a walk load */
		uint8_t served = 0;
		res->lat += m->load(m->load_ctx, m->cpu, leaf_pa, now + res->lat, &served);
		SIM_BUG_ON(served >= NR_HW_SERVED);
		m->stat_walk[WK_LOADS]++;
		m->stat_walk[WK_LOADS_SRV_L1 + served]++;
	}
	mark_dirty(m, vaddr);
}

/* Translation from a TLB payload: permission and dirty checks of a store. */
static inline void use_entry(mmu_t *m, uint64_t vaddr, uint64_t data, unsigned array_shift, bool write, sim_time_t now,
			     struct mmu_result *res)
{
	uint64_t base = data & TE_ADDR;

	result(res, res->lat, base | (vaddr & ((1ULL << array_shift) - 1)), HW_FAULT_NONE,
	       (uint8_t)sz_shift[(data & TE_SZ_MASK) >> TE_SZ_SHIFT]);
	if (likely(!write) || likely((data & (TE_W | TE_D)) == (TE_W | TE_D)))
		return;
	if (!(data & TE_W)) {
		drop_page(m, vaddr);
		m->stat_walk[WK_FAULT_WP]++;
		res->fault = HW_FAULT_WRITE;
		return;
	}
	dirty_assist(m, vaddr, now, res);
}

/* Install a translation in the L1 array of `side`; the ITLB keeps 1 GiB pages as 2 MiB fragments. */
static void fill_l1(mmu_t *m, int side, uint64_t vaddr, uint64_t data, unsigned sz)
{
	tlb_t *t = m->l1[side][sz];

	if (t) {
		tlb_insert(t, m->asid, vaddr, sz_shift[sz], data, NULL);
	} else if (side == SIDE_I && sz == SZ_1G && m->l1[SIDE_I][SZ_2M]) {
		uint64_t frag = (data & TE_ADDR) + (vaddr & ((1ULL << 30) - 1) & ~((1ULL << 21) - 1));
		tlb_insert(m->l1[SIDE_I][SZ_2M], m->asid, vaddr, 21, frag | (data & ~TE_ADDR), NULL);
	}
}

/* A level-L entry maps the VA region of its index bits and below: that is its tag. */
static inline unsigned pwc_tag_shift(unsigned level)
{
	return pt_level_shift(level);
}

static void walk(mmu_t *m, uint64_t vaddr, bool write, int side, sim_time_t now, struct mmu_result *res)
{
	uint64_t table = m->root & PTE_ADDR_MASK, data;
	bool rw = true;
	unsigned level = PT_LEVELS;
	sim_time_t start = res->lat;

	m->stat_walk[WK_WALKS]++;
	if (m->has_pwc) {
		res->lat += m->pwc_ps;
		m->stat_pwc[PWC_LOOKUPS]++;
		for (unsigned l = 2; l <= PT_LEVELS; l++) {
			if (m->pwc[l] && tlb_lookup(m->pwc[l], m->asid, vaddr, pwc_tag_shift(l), &data)) {
				table = data & PTE_ADDR_MASK;
				rw = data & PWC_RW;
				level = l - 1;
				m->stat_pwc[PWC_L2_HITS - (l - 2)]++;
				break;
			}
		}
		if (level == PT_LEVELS)
			m->stat_pwc[PWC_MISSES]++;
	}
	for (;; level--) {
		uint64_t pa = table + pt_index(vaddr, level) * 8;
		uint8_t served = 0;

		res->lat += m->load(m->load_ctx, m->cpu, pa, now + res->lat, &served);
		SIM_BUG_ON(served >= NR_HW_SERVED);
		m->stat_walk[WK_LOADS]++;
		m->stat_walk[WK_LOADS_SRV_L1 + served]++;

		uint64_t e = pmem_read64(m->pm, pa);
		if (!(e & PTE_P)) {
			m->stat_walk[WK_FAULT_NP]++;
			res->fault = HW_FAULT_NOT_PRESENT;
			break;
		}
		rw = rw && (e & PTE_RW);
		bool leaf = level == 1 || ((level == 2 || level == 3) && (e & PTE_PS));
		if (!leaf) {
			if (!(e & PTE_A)) {
				pmem_write64(m->pm, pa, e | PTE_A);
				m->stat_walk[WK_A_SET]++;
			}
			if (m->pwc[level])
				tlb_insert(m->pwc[level], m->asid, vaddr, pwc_tag_shift(level),
					   (e & PTE_ADDR_MASK) | (rw ? PWC_RW : 0), NULL);
			table = e & PTE_ADDR_MASK;
			continue;
		}
		if (write && !rw) {
			m->stat_walk[WK_FAULT_WP]++;
			res->fault = HW_FAULT_WRITE;
			break;
		}
		uint64_t ne = e | PTE_A | (write ? PTE_D : 0);
		if (ne != e) {
			pmem_write64(m->pm, pa, ne);
			m->stat_walk[WK_A_SET] += !(e & PTE_A);
			m->stat_walk[WK_D_SET] += (ne & ~e & PTE_D) != 0;
		}
		unsigned sz = level - 1;   /* level 1: 4K, 2: 2M, 3: 1G */
		unsigned shift = sz_shift[sz];
		uint64_t base = e & PTE_ADDR_MASK & ~((1ULL << shift) - 1);
		data = base | (rw ? TE_W : 0) | ((ne & PTE_D) ? TE_D : 0) | (uint64_t)sz << TE_SZ_SHIFT;
		m->stat_walk[WK_LEAF_4K + sz]++;
		if (sz == SZ_1G) {
			if (m->stlb_1g)
				tlb_insert(m->stlb_1g, m->asid, vaddr, shift, data, NULL);
		} else if (m->stlb) {
			tlb_insert(m->stlb, m->asid, vaddr, shift, data, NULL);
		}
		fill_l1(m, side, vaddr, data, sz);
		res->paddr = base | (vaddr & ((1ULL << shift) - 1));
		res->page_shift = (uint8_t)shift;
		break;
	}
	m->stat_walk[WK_WALK_PS] += res->lat - start;
	res->walk = res->lat - start;
}

#if defined(__GNUC__)
#define MMU_NOINLINE __attribute__((noinline))
#else
#define MMU_NOINLINE
#endif

/* Everything after an L1 miss on the 4 KiB array: kept out of line so the hit path stays short. */
static MMU_NOINLINE void translate_slow(mmu_t *m, uint64_t vaddr, bool write, int side, sim_time_t now,
					struct mmu_result *res)
{
	uint64_t *lvl = m->stat_lvl[side == SIDE_I ? LVL_ITLB : LVL_DTLB];
	uint64_t data;

	for (unsigned z = SZ_2M; z < NR_SZ; z++) {
		tlb_t *t = m->l1[side][z];
		if (t && tlb_lookup(t, m->asid, vaddr, sz_shift[z], &data)) {
			lvl[LVL_HITS_4K + z]++;
			use_entry(m, vaddr, data, sz_shift[z], write, now, res);
			return;
		}
	}
	lvl[LVL_MISSES]++;

	if (m->has_stlb) {
		uint64_t *sl = m->stat_lvl[LVL_STLB];
		res->lat += m->stlb_ps;
		sl[LVL_LOOKUPS]++;
		for (unsigned z = 0; z < NR_SZ; z++) {
			tlb_t *t = z == SZ_1G ? m->stlb_1g : m->stlb;
			if (t && tlb_lookup(t, m->asid, vaddr, sz_shift[z], &data)) {
				sl[LVL_HITS_4K + z]++;
				if (!write || (data & TE_W))
					fill_l1(m, side, vaddr, data, z);
				use_entry(m, vaddr, data, sz_shift[z], write, now, res);
				return;
			}
		}
		sl[LVL_MISSES]++;
	}
	res->fault = HW_FAULT_NONE;
	res->paddr = 0;
	res->page_shift = 0;
	walk(m, vaddr, write, side, now, res);
}

static MMU_NOINLINE void use_entry_slow(mmu_t *m, uint64_t vaddr, uint64_t data, bool write, sim_time_t now,
					struct mmu_result *res)
{
	use_entry(m, vaddr, data, sz_shift[SZ_4K], write, now, res);
}

static MMU_NOINLINE void translate_any(mmu_t *m, uint64_t vaddr, uint8_t op, sim_time_t now,
				       struct mmu_result *res);

/*
 * The page of the L1 TLB's last hit again, needing no dirty-bit work: the
 * same counters and result as translate_any, without a call.  Anything else
 * goes to translate_any.
 */
void mmu_translate(mmu_t *m, uint64_t vaddr, uint8_t op, sim_time_t now, struct mmu_result *res)
{
	if (likely(mmu_fast_hit(&m->fast, op == MEM_IFETCH ? SIDE_I : SIDE_D, vaddr, op == MEM_STORE || op == MEM_MODIFY,
				&res->paddr))) {
		res->walk = 0;
		res->lat = m->l1_ps;
		res->fault = HW_FAULT_NONE;
		res->page_shift = 12;
		return;
	}
	translate_any(m, vaddr, op, now, res);
}

static MMU_NOINLINE void translate_any(mmu_t *m, uint64_t vaddr, uint8_t op, sim_time_t now,
				       struct mmu_result *res)
{
	bool write = op == MEM_STORE || op == MEM_MODIFY;
	int side = op == MEM_IFETCH ? SIDE_I : SIDE_D;
	tlb_t *t = m->l1[side][SZ_4K];
	uint64_t data;

	res->walk = 0;
	if (unlikely(m->root == HW_NO_PAGING)) {
		m->stat_walk[WK_UNTRANSLATED]++;
		result(res, 0, vaddr, HW_FAULT_NONE, 12);
		return;
	}
	res->lat = m->l1_ps;
	m->stat_lvl[side][LVL_LOOKUPS]++;
	/* the common case: a 4 KiB L1 hit that needs no dirty-bit work */
	if (likely(t != NULL) && tlb_lookup(t, m->asid, vaddr, 12, &data)) {
		m->stat_lvl[side][LVL_HITS_4K]++;
		if (likely(!write || (data & (TE_W | TE_D)) == (TE_W | TE_D))) {
			res->paddr = (data & TE_ADDR) | (vaddr & 0xfff);
			res->fault = HW_FAULT_NONE;
			res->page_shift = 12;
			return;
		}
		use_entry_slow(m, vaddr, data, write, now, res);
		return;
	}
	translate_slow(m, vaddr, write, side, now, res);
}

struct inval_arg {
	uint16_t asid;
	uint64_t vaddr, len;
	uint64_t dropped;
};

static void inval_one(tlb_t *t, void *arg)
{
	struct inval_arg *a = arg;
	a->dropped += tlb_invalidate(t, a->asid, a->vaddr, a->len);
}

void mmu_invalidate(mmu_t *m, uint16_t asid, uint64_t vaddr, uint64_t len)
{
	struct inval_arg a = { .asid = asid, .vaddr = vaddr, .len = len };

	for_each_array(m, inval_one, &a);
	m->stat_walk[WK_INVAL]++;
	m->stat_walk[WK_INVAL_ENT] += a.dropped;
	/* a whole-asid flush forgets the asid unless this CPU is running it */
	if (!len && asid != m->asid)
		m->asid_seen[asid / 64] &= ~(1ULL << (asid % 64));
}

static void rep_block(rep_t *r, const struct stat_desc *desc, const uint64_t *val, size_t n)
{
	for (size_t i = 0; i < n; i++)
		rep_u64(r, desc[i].name, val[i]);
}

static void rep_array(rep_t *r, const tlb_t *t)
{
	struct stat_block sb;
	const char *name = tlb_name(t);

	/* report key without the "tlb." config prefix */
	rep_obj_begin(r, strncmp(name, "tlb.", 4) ? name : name + 4);
	rep_u64(r, "entries", tlb_entries(t));
	rep_u64(r, "ways", tlb_ways(t));
	tlb_stats(t, &sb);
	rep_block(r, sb.desc, sb.val, sb.n);
	rep_obj_end(r);
}

void mmu_report(const mmu_t *m, rep_t *r)
{
	for (int l = 0; l < 3; l++) {
		rep_obj_begin(r, lvl_key[l]);
		rep_block(r, lvl_stat_desc, m->stat_lvl[l], NR_LVL_STATS);
		rep_obj_begin(r, "arrays");
		if (l == LVL_STLB) {
			if (m->stlb)
				rep_array(r, m->stlb);
			if (m->stlb_1g)
				rep_array(r, m->stlb_1g);
		} else {
			for (int z = 0; z < NR_SZ; z++)
				if (m->l1[l == LVL_ITLB ? SIDE_I : SIDE_D][z])
					rep_array(r, m->l1[l == LVL_ITLB ? SIDE_I : SIDE_D][z]);
		}
		rep_obj_end(r);
		rep_obj_end(r);
	}
	rep_obj_begin(r, "pwc");
	rep_block(r, pwc_stat_desc, m->stat_pwc, NR_PWC_STATS);
	rep_obj_begin(r, "arrays");
	for (int l = 4; l >= 2; l--)
		if (m->pwc[l])
			rep_array(r, m->pwc[l]);
	rep_obj_end(r);
	rep_obj_end(r);
	rep_obj_begin(r, "walker");
	rep_str(r, "arch", m->arm64 ? "arm64" : "x86_64");
	rep_block(r, walker_stat_desc, m->stat_walk, NR_WALKER_STATS);
	rep_obj_end(r);
}
