/*
 * hw/cache.h - one set-associative cache array.
 *
 * Geometry from struct cache_cfg: sets = size / (ways * line).  Addresses
 * are handled as block numbers (paddr >> log2(line)); the set is
 * block & (sets - 1) when sets is a power of two and block % sets
 * otherwise; the whole block number is the tag.  Lines carry a valid bit
 * (block stored + 1), a dirty bit, a writable bit (the private hierarchy
 * holds it in E or M) and a prefetched bit (filled by a prefetcher and not
 * yet demanded).  Write-back and write-allocate are policies of the caller
 * (hw/hw.c): this module reports the victim of every fill, with its dirty
 * bit, so the caller can write it to the next level.
 *
 * The cache also carries its prefetcher (hw/prefetch.h) and its counters.
 * Hot path (lookup, fill, invalidate): no allocation, no strings.
 * Cachegrind's caches (caches-only mode) are a module of their own,
 * hw/cgsim.h.
 */
#ifndef HW_CACHE_H
#define HW_CACHE_H

#include "hw/hw_cfg.h"
#include "hw/prefetch.h"
#include "hw/repl.h"
#include "sim/stats.h"
#include "sim/report.h"

typedef struct cache cache_t;

/* What kind of request looks a line up (for the miss split of the counters). */
enum cache_req { CREQ_LOAD, CREQ_STORE, CREQ_IFETCH, CREQ_WALK, CREQ_PREFETCH, NR_CREQ };

/* Line flags. */
#define CL_DIRTY      0x1u   /* modified with respect to the next level */
#define CL_WRITABLE   0x2u   /* private hierarchy holds the line in E or M */
#define CL_PREFETCHED 0x4u   /* brought by a prefetcher, not yet demanded */

#define CACHE_STATS(X)                                                                          \
	X(CACHE_ACCESSES,      accesses,        EVENT, "accesses", "lookups (demand, walk and prefetch)") \
	X(CACHE_HITS,          hits,            EVENT, "accesses", "lookups that found the line")   \
	X(CACHE_MISSES,        misses,          EVENT, "accesses", "lookups that did not")          \
	X(CACHE_LOAD_MISSES,   load_misses,     EVENT, "accesses", "misses of data loads")          \
	X(CACHE_STORE_MISSES,  store_misses,    EVENT, "accesses", "misses of stores (RFO)")        \
	X(CACHE_IFETCH_MISSES, ifetch_misses,   EVENT, "accesses", "misses of instruction fetches") \
	X(CACHE_WALK_MISSES,   walk_misses,     EVENT, "accesses", "misses of page-walk loads")     \
	X(CACHE_PF_MISSES,     prefetch_misses, EVENT, "accesses", "misses of prefetches from the level above") \
	X(CACHE_FILLS,         fills,           EVENT, "lines",    "lines installed")               \
	X(CACHE_EVICTIONS,     evictions,       EVENT, "lines",    "valid lines displaced by a fill") \
	X(CACHE_WRITEBACKS,    writebacks,      EVENT, "lines",    "dirty lines displaced (written to the next level)") \
	X(CACHE_INVALIDATIONS, invalidations,   EVENT, "lines",    "lines removed by coherence or back-invalidation") \
	X(CACHE_PF_ISSUED,     prefetches_issued, EVENT, "lines",  "lines filled by this cache's prefetcher") \
	X(CACHE_PF_USEFUL,     prefetches_useful, EVENT, "lines",  "prefetched lines later hit by a demand access")

enum cache_stat { CACHE_STATS(STAT_ENUM) NR_CACHE_STATS };

struct cache_victim {
	uint64_t blk;        /* block number of the displaced line */
	uint8_t flags;       /* its CL_* flags */
	bool valid;          /* false: the fill used an empty way */
};

/*
 * Build an empty cache.  `name` (static string, e.g. "l1d") is used in
 * reports.  `seed`/`stream` feed the random policy.
 * @return 0, -SIM_ENOMEM or -SIM_ECONFIG (message in err).
 */
int cache_create(cache_t **out, const struct cache_cfg *cfg, const char *name, uint64_t seed, uint64_t stream,
		 char *err, size_t errlen);
void cache_destroy(cache_t *c);

unsigned cache_line_shift(const cache_t *c);
uint32_t cache_sets(const cache_t *c);
uint32_t cache_ways(const cache_t *c);

/*
 * The cache's state.  Private to hw/cache.c except for the inline functions
 * below: the lookup of every access is compiled into its caller (hw/hw.c)
 * instead of being a call per level.  Storage is two flat arrays indexed by
 * slot = set * ways + way: the tag (block number + 1, so 0 means an empty
 * way) and the CL_* flags; replacement state lives in struct repl.
 */
struct cache {
	const char *name;
	struct cache_cfg cfg;
	uint32_t sets, ways;
	uint32_t line_shift;
	uint64_t set_mask;       /* sets - 1 when sets is a power of two */
	bool sets_pow2;
	uint64_t *tag;           /* block + 1; 0: empty */
	uint64_t last;           /* slot of the latest hit or fill: checked before the set scan */
	uint8_t *flags;
	struct repl repl;
	struct prefetcher pf;
	uint64_t stat[NR_CACHE_STATS];
};

/* the miss counter of a request kind is CACHE_LOAD_MISSES + kind */
_Static_assert(CACHE_STORE_MISSES - CACHE_LOAD_MISSES == CREQ_STORE &&
	       CACHE_IFETCH_MISSES - CACHE_LOAD_MISSES == CREQ_IFETCH &&
	       CACHE_WALK_MISSES - CACHE_LOAD_MISSES == CREQ_WALK &&
	       CACHE_PF_MISSES - CACHE_LOAD_MISSES == CREQ_PREFETCH && CREQ_LOAD == 0,
	       "cache_req and the miss counters are in the same order");

static inline uint32_t cache_set_of_(const cache_t *c, uint64_t blk)
{
	if (likely(c->sets_pow2))
		return (uint32_t)(blk & c->set_mask);
	/* L3s of 11 or 12 ways have non-power-of-two set counts: divide in 32 bits when the block fits */
	if (likely(blk <= UINT32_MAX))
		return (uint32_t)blk % c->sets;
	return (uint32_t)(blk % c->sets);
}

static inline int64_t cache_find_(const cache_t *c, uint32_t set, uint64_t blk)
{
	const uint64_t *t = &c->tag[(uint64_t)set * c->ways];
	uint64_t want = blk + 1;

	for (uint32_t w = 0; w < c->ways; w++)
		if (t[w] == want)
			return (int64_t)set * c->ways + w;
	return -1;
}

/*
 * Look block `blk` up as a request of kind `req`: counts the access, and on
 * a hit updates replacement state.  A demand hit on a prefetched line
 * clears the flag, counts it useful and sets *pf_hit (may be NULL).
 * @return the line's slot (>= 0) on a hit, -1 on a miss.
 */
static inline int64_t cache_lookup(cache_t *c, uint64_t blk, enum cache_req req, bool *pf_hit)
{
	uint32_t set = cache_set_of_(c, blk);
	int64_t slot;

	/*
	 * Most references touch the line the previous one touched (a sweep hits
	 * one line 8 times for 8-byte steps): a block is in at most one way, so
	 * finding it in the remembered slot is the scan's answer.
	 */
	if (c->tag[c->last] == blk + 1)
		slot = (int64_t)c->last;
	else
		slot = cache_find_(c, set, blk);
	c->stat[CACHE_ACCESSES]++;
	if (pf_hit)
		*pf_hit = false;
	if (slot < 0) {
		c->stat[CACHE_MISSES]++;
		c->stat[CACHE_LOAD_MISSES + req]++;
		return -1;
	}
	c->last = (uint64_t)slot;
	c->stat[CACHE_HITS]++;
	repl_touch_fast(&c->repl, set, (uint32_t)(slot - (int64_t)set * c->ways));
	if (unlikely(c->flags[slot] & CL_PREFETCHED) && req != CREQ_PREFETCH) {
		c->flags[slot] &= (uint8_t)~CL_PREFETCHED;
		c->stat[CACHE_PF_USEFUL]++;
		if (pf_hit)
			*pf_hit = true;
	}
	return slot;
}

/* Presence check that changes nothing (no counters, no replacement). @return slot or -1. */
int64_t cache_probe(const cache_t *c, uint64_t blk);

/* Flags of a valid slot (from lookup/probe/fill), for the caller to update. */
static inline uint8_t cache_slot_flags(const cache_t *c, int64_t slot) { return c->flags[slot]; }
static inline void cache_slot_set(cache_t *c, int64_t slot, uint8_t flags) { c->flags[slot] |= flags; }      /* OR in */
static inline void cache_slot_clear(cache_t *c, int64_t slot, uint8_t flags) { c->flags[slot] &= (uint8_t)~flags; }  /* AND out */

/*
 * Install `blk` (must be absent) with `flags`; an empty way is used first,
 * else the policy's victim is displaced and returned in *v (counted as an
 * eviction, and a writeback when dirty).
 * @return the new line's slot.
 */
int64_t cache_fill(cache_t *c, uint64_t blk, uint8_t flags, struct cache_victim *v);

/*
 * Remove `blk` if present (coherence invalidation, back-invalidation or an
 * exclusive cache handing the line up).  `count` says whether it is an
 * invalidation for the counters.  @return its flags | 0x80 if it was
 * present, 0 otherwise.
 */
#define CL_PRESENT 0x80u
uint8_t cache_invalidate(cache_t *c, uint64_t blk, bool count);

/* Blocks the prefetcher wants after a trigger at blk (out: PF_MAX_DEGREE). */
unsigned cache_prefetch_train(cache_t *c, uint64_t blk, uint64_t *out);
static inline bool cache_has_prefetcher(const cache_t *c) { return c->pf.kind != PF_NONE; }

/* Counters. */
uint64_t cache_stat(const cache_t *c, enum cache_stat s);
struct stat_block cache_stats(const cache_t *c);
/* {name, size, ways, line, sets, repl, stats...} */
void cache_report(const cache_t *c, rep_t *r);

#endif
