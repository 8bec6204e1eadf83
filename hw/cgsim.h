/*
 * hw/cgsim.h - caches-only mode: Valgrind cachegrind's three caches (I1, D1,
 * LL) with its counting rules, for bit-exact comparison with it and for
 * fast caches-only replays (`numasim cachegrind`).
 *
 * The rules: LRU only, power-of-two set count (cachegrind rejects anything
 * else), one access per reference even when it straddles two lines (a miss
 * if either missed), I1/D1 misses looked up in LL with the same
 * (addr, size), 'M' counted as a single read, data sizes clamped to the
 * smallest line size, and the initial state cachegrind starts from (every
 * tag zero: block 0 present).
 *
 * A cachegrind cache is not a cache_t (hw/cache.h): its lines are never
 * dirty or prefetched and only its miss counts are reported, so a set is
 * one row of `ways` block numbers kept in recency order (way 0 the MRU,
 * the last way the LRU).  The order is the whole replacement state: a hit
 * at way w moves ways 0..w-1 down by one and puts the block in front, a
 * miss drops the last tag the same way.  Rows start zeroed, as
 * cachegrind's tag arrays do: block 0 is present in set 0, and the other
 * zero tags never match a block of their set or stay behind block 0,
 * where under LRU they act as empty ways.
 *
 * Two entry points: cgsim_ref, one reference at a time (tests, the driver's
 * loop when TLB arrays run beside the caches), and cgsim_run, a batch
 * (the caches-only replay; see hw/cgsim.c for how it is made fast).  Both
 * give the same counts: the LL is looked up only by I1/D1 misses, in
 * reference order, whichever entry point is used.
 */
#ifndef HW_CGSIM_H
#define HW_CGSIM_H

#include "hw/hw_cfg.h"
#include "sim/types.h"

/* Cachegrind's summary events, in the order of its "summary:" line. */
#define CG_EVENTS(X) X(CG_IR, Ir) X(CG_I1MR, I1mr) X(CG_ILMR, ILmr) X(CG_DR, Dr) X(CG_D1MR, D1mr) \
	X(CG_DLMR, DLmr) X(CG_DW, Dw) X(CG_D1MW, D1mw) X(CG_DLMW, DLmw)
#define CG_EVENT_ENUM(id, name) id,
enum cg_event { CG_EVENTS(CG_EVENT_ENUM) NR_CG_EVENTS };
extern const char *const cg_event_names[];
_Static_assert(CG_DW - CG_DR == 3 && CG_D1MW - CG_D1MR == 3 && CG_DLMW - CG_DLMR == 3,
	       "a write's events are its read's plus 3");

/*
 * One cache in cachegrind mode.  The fields are visible for the inline
 * cgsim_ref.  The tag array is 64-byte aligned.
 */
struct cg_cache {
	uint64_t *tag;           /* sets * ways block numbers, each row MRU first */
	uint64_t set_mask;       /* sets - 1 (sets is a power of two) */
	uint32_t ways;
	uint32_t line_shift;
	bool vec;                /* rows are searched and shifted with vector instructions */
};

/* Vector instructions cgsim_run may use for the row search (x86-64 hosts). */
enum cg_simd { CG_SIMD_NONE, CG_SIMD_AVX2, CG_SIMD_AVX512 };

/* Cachegrind's three-cache model: I1, D1 and LL. */
typedef struct cgsim cgsim_t;
struct cgsim {
	struct cg_cache i1, d1, ll;
	uint32_t min_line;                /* data sizes are clamped to it */
	enum cg_simd simd;                /* vector rows in cgsim_run (cgsim_set_simd) */
	uint64_t n[NR_CG_EVENTS];
};

/*
 * Where cgsim_run finds a reference in a record of the caller's own type
 * (hw/ does not know trace records, and copying them into a type of this
 * module would cost as much as a fast replay): records are `stride` bytes
 * apart, and at the given byte offsets in each are a uint64_t address, a
 * uint16_t size and a uint8_t op (enum mem_op; a record whose op is
 * NR_MEM_OPS or more is not a reference and is skipped).
 */
struct cg_layout {
	size_t stride, addr, size, op;
};

/* The rest of the row after an MRU-way mismatch (hw/cgsim.c). @return true on a miss. */
bool cg_row_miss_(uint64_t *row, uint32_t ways, uint64_t blk);

/* One line of a reference.  @return true on a miss. */
static inline bool cg_line_is_miss(struct cg_cache *c, uint64_t blk)
{
	uint64_t *t = &c->tag[(blk & c->set_mask) * c->ways];

	if (likely(t[0] == blk))
		return false;
	return cg_row_miss_(t, c->ways, blk);
}

/*
 * One reference (addr, size) with cachegrind's rules (see top): both lines
 * of a straddling reference are looked up (the second lookup updates the
 * LRU order too), and it misses if either line missed.  size 0 counts as 1.
 */
static inline bool cg_cache_access(struct cg_cache *c, uint64_t addr, uint32_t size)
{
	uint64_t b1 = addr >> c->line_shift;
	uint64_t b2 = (addr + (size ? size : 1) - 1) >> c->line_shift;
	bool miss = cg_line_is_miss(c, b1);

	if (unlikely(b2 != b1) && cg_line_is_miss(c, b2))
		miss = true;
	return miss;
}

/*
 * Only size, ways and line of the configs are used (repl is forced to LRU).
 * @return 0, -SIM_ENOMEM or -SIM_ECONFIG when a geometry is one cachegrind
 * refuses (set count not a power of two, line not a power of two).
 */
int cgsim_create(cgsim_t **out, const struct cache_cfg *i1, const struct cache_cfg *d1,
		 const struct cache_cfg *ll, char *err, size_t errlen);
void cgsim_destroy(cgsim_t *s);

/*
 * One lackey record: MEM_IFETCH ('I'), MEM_LOAD ('L'), MEM_STORE ('S'),
 * MEM_MODIFY ('M').
 */
static inline void cgsim_ref(cgsim_t *s, uint64_t addr, uint32_t size, enum mem_op op)
{
	if (op == MEM_IFETCH) {
		s->n[CG_IR]++;
		if (unlikely(cg_cache_access(&s->i1, addr, size))) {
			s->n[CG_I1MR]++;
			if (cg_cache_access(&s->ll, addr, size))
				s->n[CG_ILMR]++;
		}
		return;
	}
	/* data sizes are clamped to the smallest line (cachegrind's instrumenter) */
	if (size > s->min_line)
		size = s->min_line;
	unsigned w = op == MEM_STORE ? 3 : 0;   /* 'M' is one access counted as a read */
	s->n[CG_DR + w]++;
	if (unlikely(cg_cache_access(&s->d1, addr, size))) {
		s->n[CG_D1MR + w]++;
		if (cg_cache_access(&s->ll, addr, size))
			s->n[CG_DLMR + w]++;
	}
}

/*
 * n records laid out as *l describes, in order: the same counts as
 * cgsim_ref on each reference.  @return the references among them.
 */
size_t cgsim_run(cgsim_t *s, const void *recs, size_t n, const struct cg_layout *l);

/*
 * The vector instructions cgsim_run may use: the best the host has, up to
 * `max` (cgsim_create asks for the best).  The counts are the same at
 * every level: the choice exists so that tests run each.  @return the
 * level in use.
 */
enum cg_simd cgsim_set_simd(cgsim_t *s, enum cg_simd max);

/* NR_CG_EVENTS counters, indexed by enum cg_event. */
const uint64_t *cgsim_counts(const cgsim_t *s);

#endif
