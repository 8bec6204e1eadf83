/*
 * hw/repl.h - replacement policies of set-associative arrays.
 *
 * One struct repl holds the replacement state of every set of one cache:
 * an 8-byte word per line (LRU timestamp or SRRIP re-reference prediction
 * value) and, for tree-PLRU, one word of tree bits per set.  The policy is
 * chosen by enum repl_policy through a static const ops table, so adding a
 * policy means adding one row.  The caller (hw/cache.c) fills invalid ways
 * before asking for a victim; repl_victim() only chooses among valid ways.
 *
 * Policies:
 *   LRU     true LRU: the way touched longest ago goes.
 *   PLRU    tree pseudo-LRU over a power-of-two number of ways: each inner
 *           node's bit points to the half to evict next; a touch flips the
 *           bits on the way's path to point away from it.
 *   SRRIP   2-bit RRPV per line, fill at 2, hit sets 0; the victim is the
 *           lowest way with RRPV 3, ageing every way by one until one has it.
 *   RANDOM  uniform way from the cache's own seeded sim/rng stream.
 *
 * Lives in hot paths: no allocation after repl_init().
 */
#ifndef HW_REPL_H
#define HW_REPL_H

#include "hw/hw_cfg.h"
#include "sim/rng.h"

#define SRRIP_MAX    3u   /* 2-bit RRPV: distant re-reference */
#define SRRIP_INSERT 2u   /* long re-reference on fill */

struct repl {
	uint32_t policy;     /* enum repl_policy */
	uint32_t ways;
	uint32_t sets;
	uint64_t clock;      /* LRU: stamp of the latest touch */
	uint64_t *meta;      /* sets * ways: LRU stamp / SRRIP RRPV */
	uint64_t *tree;      /* sets: PLRU bits, node i (1..ways-1) at bit i */
	struct rng rng;      /* RANDOM */
};

/*
 * Allocate the state of `sets` sets of `ways` ways.  PLRU needs a power-of-
 * two `ways` (<= 64).  `seed`/`stream` seed the RANDOM policy's generator.
 * @return 0, -SIM_ENOMEM or -SIM_ECONFIG.
 */
int repl_init(struct repl *r, enum repl_policy policy, uint32_t sets, uint32_t ways, uint64_t seed,
	      uint64_t stream, char *err, size_t errlen);
void repl_fini(struct repl *r);

/* A demand or prefetch hit on (set, way). */
void repl_touch(struct repl *r, uint32_t set, uint32_t way);
/* (set, way) was just filled with a new line. */
void repl_fill(struct repl *r, uint32_t set, uint32_t way);
/* The way to evict from a full set. */
uint32_t repl_victim(struct repl *r, uint32_t set);

/*
 * The same three for the caches' hot path: LRU, every preset's policy, is
 * done here without the call through the ops table; the others call the
 * functions above.
 */
static inline void repl_touch_fast(struct repl *r, uint32_t set, uint32_t way)
{
	if (likely(r->policy == REPL_LRU))
		r->meta[(uint64_t)set * r->ways + way] = ++r->clock;
	else
		repl_touch(r, set, way);
}

static inline void repl_fill_fast(struct repl *r, uint32_t set, uint32_t way)
{
	if (likely(r->policy == REPL_LRU))
		r->meta[(uint64_t)set * r->ways + way] = ++r->clock;
	else
		repl_fill(r, set, way);
}

static inline uint32_t repl_victim_fast(struct repl *r, uint32_t set)
{
	if (likely(r->policy == REPL_LRU)) {
		/* stamps of valid ways are distinct: the smallest is the least recently used */
		const uint64_t *m = &r->meta[(uint64_t)set * r->ways];
		uint64_t lo = m[0];
		uint32_t best = 0;
		for (uint32_t w = 1; w < r->ways; w++) {
			bool lt = m[w] < lo;
			lo = lt ? m[w] : lo;
			best = lt ? w : best;
		}
		return best;
	}
	return repl_victim(r, set);
}

#endif
