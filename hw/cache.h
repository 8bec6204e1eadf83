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
 * instead of being a call per level.  Storage is one flat array of 8-byte
 * line words indexed by slot = set * ways + way, a set's ways side by side:
 * a word is (block number + 1) << CL_KEY_SHIFT | CL_* flags, so 0 is an
 * empty way and a lookup compares whole words with the flag bits masked by
 * the XOR.  One word per line keeps a set of up to 8 ways in 64 bytes (one
 * or two host cache lines: the array is not aligned to them, which measured
 * no gain); tags, flags and ages in three arrays cost a host miss each per
 * simulated miss on a large L3.
 *
 * LRU (every preset's policy) keeps no ages: each set's row is in recency
 * order, way 0 the most recently used, valid lines first and empty ways at
 * the end.  A hit moves its word to the front, a fill shifts the row down
 * and drops the last word (the LRU line, or an empty way when the set is not
 * full), an invalidation closes the gap.  The order of the valid lines is
 * exactly their order by time of last touch, so every victim is the one an
 * age-stamped LRU picks; only the way a line sits in differs, and no result
 * depends on it.  A slot returned by a lookup, probe or fill is valid until
 * the next lookup, fill or invalidation of the same cache.  The other
 * policies keep lines in place and their state in struct repl.
 */
#define CL_KEY_SHIFT 3u
#define CL_FLAG_MASK ((1u << CL_KEY_SHIFT) - 1)
_Static_assert((CL_DIRTY | CL_WRITABLE | CL_PREFETCHED) <= CL_FLAG_MASK, "line flags fit below the key");

struct cache {
	const char *name;
	struct cache_cfg cfg;
	uint32_t sets, ways;
	uint32_t line_shift;
	bool sets_pow2;
	bool mru;                /* LRU as recency-ordered rows (see above) */
	uint64_t set_mask;       /* sets - 1 when sets is a power of two */
	uint64_t set_magic;      /* fastmod_magic(sets) otherwise */
	uint64_t *line;          /* sets * ways line words */
	uint64_t last;           /* not mru: slot of the latest hit or fill, checked before the set scan */
	struct repl repl;        /* not mru: the policy's state */
	struct prefetcher pf;
	uint64_t stat[NR_CACHE_STATS];
};

/* the miss counter of a request kind is CACHE_LOAD_MISSES + kind */
_Static_assert(CACHE_STORE_MISSES - CACHE_LOAD_MISSES == CREQ_STORE &&
	       CACHE_IFETCH_MISSES - CACHE_LOAD_MISSES == CREQ_IFETCH &&
	       CACHE_WALK_MISSES - CACHE_LOAD_MISSES == CREQ_WALK &&
	       CACHE_PF_MISSES - CACHE_LOAD_MISSES == CREQ_PREFETCH && CREQ_LOAD == 0,
	       "cache_req and the miss counters are in the same order");

/* The key of block blk in a line word (flags clear). */
static inline uint64_t cl_key(uint64_t blk) { return (blk + 1) << CL_KEY_SHIFT; }
static inline bool cl_match(uint64_t word, uint64_t key) { return (word ^ key) <= CL_FLAG_MASK; }

static inline uint32_t cache_set_of_(const cache_t *c, uint64_t blk)
{
	if (likely(c->sets_pow2))
		return (uint32_t)(blk & c->set_mask);
	/* L3s of 11 or 12 ways have non-power-of-two set counts: no divide while the block fits 32 bits */
	if (likely(blk <= UINT32_MAX))
		return fastmod_u32((uint32_t)blk, c->sets, c->set_magic);
	return (uint32_t)(blk % c->sets);
}

static inline int64_t cache_find_(const cache_t *c, uint32_t set, uint64_t blk)
{
	const uint64_t base = (uint64_t)set * c->ways, key = cl_key(blk);
	const uint64_t *t = &c->line[base];

	for (uint32_t w = 0; w < c->ways; w++)
		if (cl_match(t[w], key))
			return (int64_t)(base + w);
	return -1;
}

/* An mru row whose front way missed: find the key further on and move it to the front. @return hit. */
bool cache_mru_touch_(uint64_t *row, uint32_t ways, uint64_t key);
/* cache_lookup for the policies other than LRU (hw/cache.c). */
int64_t cache_lookup_policy_(cache_t *c, uint64_t blk, enum cache_req req, bool *pf_hit);

/* The counters and prefetched-line rule of a lookup that found `slot` (-1: missed). */
static inline int64_t cache_lookup_done_(cache_t *c, int64_t slot, enum cache_req req, bool *pf_hit)
{
	c->stat[CACHE_ACCESSES]++;
	if (pf_hit)
		*pf_hit = false;
	if (slot < 0) {
		c->stat[CACHE_MISSES]++;
		c->stat[CACHE_LOAD_MISSES + req]++;
		return -1;
	}
	c->stat[CACHE_HITS]++;
	if (unlikely(c->line[slot] & CL_PREFETCHED) && req != CREQ_PREFETCH) {
		c->line[slot] &= ~(uint64_t)CL_PREFETCHED;
		c->stat[CACHE_PF_USEFUL]++;
		if (pf_hit)
			*pf_hit = true;
	}
	return slot;
}

/*
 * Look block `blk` up as a request of kind `req`: counts the access, and on
 * a hit updates replacement state.  A demand hit on a prefetched line
 * clears the flag, counts it useful and sets *pf_hit (may be NULL).
 * @return the line's slot (>= 0) on a hit, -1 on a miss.
 */
static inline __attribute__((always_inline)) int64_t cache_lookup(cache_t *c, uint64_t blk, enum cache_req req,
								   bool *pf_hit)
{
	if (unlikely(!c->mru))
		return cache_lookup_policy_(c, blk, req, pf_hit);
	/* the front way is the most recent line: a sweep hits it 8 times for 8-byte steps */
	const uint64_t base = (uint64_t)cache_set_of_(c, blk) * c->ways, key = cl_key(blk);
	bool hit = likely(cl_match(c->line[base], key)) || cache_mru_touch_(&c->line[base], c->ways, key);
	return cache_lookup_done_(c, hit ? (int64_t)base : -1, req, pf_hit);
}

/*
 * For a caller's hit path: in an LRU (recency-ordered) cache, make `blk`
 * the most recent line of its set, counting nothing, and @return its line
 * word (the front of the row); NULL when it is absent or the policy is not
 * LRU.  cache_count_hit() then counts what cache_lookup counts for a demand
 * hit; a caller that does not take its hit path after all calls
 * cache_lookup, which finds the line in front, as it would have.
 */
static inline uint64_t *cache_mru_find(cache_t *c, uint64_t blk)
{
	if (unlikely(!c->mru))
		return NULL;
	uint64_t *row = &c->line[(uint64_t)cache_set_of_(c, blk) * c->ways];
	const uint64_t key = cl_key(blk);
	if (likely(cl_match(row[0], key)) || cache_mru_touch_(row, c->ways, key))
		return row;
	return NULL;
}

static inline void cache_count_hit(cache_t *c)
{
	c->stat[CACHE_ACCESSES]++;
	c->stat[CACHE_HITS]++;
}

/* Presence check that changes nothing (no counters, no replacement). @return slot or -1. */
int64_t cache_probe(const cache_t *c, uint64_t blk);

/* Flags of a valid slot (from lookup/probe/fill), for the caller to update. */
static inline uint8_t cache_slot_flags(const cache_t *c, int64_t slot) { return (uint8_t)(c->line[slot] & CL_FLAG_MASK); }
static inline void cache_slot_set(cache_t *c, int64_t slot, uint8_t flags) { c->line[slot] |= flags & CL_FLAG_MASK; }  /* OR in */
static inline void cache_slot_clear(cache_t *c, int64_t slot, uint8_t flags) { c->line[slot] &= ~(uint64_t)(flags & CL_FLAG_MASK); }  /* AND out */

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
