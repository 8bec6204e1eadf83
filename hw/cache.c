/*
 * hw/cache.c - set-associative cache array and its counters (see cache.h).
 *
 * Storage is two flat arrays indexed by slot = set * ways + way: the tag
 * (block number + 1, so 0 means an empty way) and the CL_* flags.  A lookup
 * is a scan of `ways` consecutive tags; replacement state lives in
 * struct repl (hw/repl.h).  The struct and the lookup are in cache.h, inline
 * in the callers' hot paths.
 */
#include <stdlib.h>
#include <string.h>
#include "hw/cache.h"
#include "hw/prefetch.h"
#include "hw/repl.h"
#include "sim/err.h"

static const struct stat_desc cache_stat_desc[] = { CACHE_STATS(STAT_DESC) };
STAT_TABLE_CHECK(cache_stat_desc, NR_CACHE_STATS);

int cache_create(cache_t **out, const struct cache_cfg *cfg, const char *name, uint64_t seed, uint64_t stream,
		 char *err, size_t errlen)
{
	cache_t *c;
	uint64_t sets;
	int rc;

	*out = NULL;
	if (!cfg->ways || !is_pow2_u64(cfg->line) || cfg->size % ((uint64_t)cfg->ways * cfg->line))
		return sim_errf(err, errlen, SIM_ECONFIG, "%s: size %llu is not ways (%u) * line (%u) * sets", name,
				(unsigned long long)cfg->size, cfg->ways, cfg->line);
	sets = cfg->size / ((uint64_t)cfg->ways * cfg->line);
	if (!sets || sets > UINT32_MAX)
		return sim_errf(err, errlen, SIM_ECONFIG, "%s: %llu sets is out of range", name,
				(unsigned long long)sets);
	c = calloc(1, sizeof(*c));
	if (!c)
		return -SIM_ENOMEM;
	c->name = name;
	c->cfg = *cfg;
	c->sets = (uint32_t)sets;
	c->ways = cfg->ways;
	c->line_shift = ilog2_u64(cfg->line);
	c->sets_pow2 = is_pow2_u64(sets);
	c->set_mask = sets - 1;
	c->tag = calloc(sets * cfg->ways, sizeof(*c->tag));
	c->flags = calloc(sets * cfg->ways, sizeof(*c->flags));
	if (!c->tag || !c->flags) {
		cache_destroy(c);
		return -SIM_ENOMEM;
	}
	rc = repl_init(&c->repl, cfg->repl, c->sets, c->ways, seed, stream, err, errlen);
	if (rc) {
		sim_err_prefix(err, errlen, "%s", name);
		cache_destroy(c);
		return rc;
	}
	prefetch_init(&c->pf, cfg->prefetch, cfg->prefetch_degree, c->line_shift);
	*out = c;
	return 0;
}

void cache_destroy(cache_t *c)
{
	if (!c)
		return;
	repl_fini(&c->repl);
	free(c->tag);
	free(c->flags);
	free(c);
}

unsigned cache_line_shift(const cache_t *c) { return c->line_shift; }
uint32_t cache_sets(const cache_t *c) { return c->sets; }
uint32_t cache_ways(const cache_t *c) { return c->ways; }

int64_t cache_probe(const cache_t *c, uint64_t blk)
{
	return cache_find_(c, cache_set_of_(c, blk), blk);
}


int64_t cache_fill(cache_t *c, uint64_t blk, uint8_t flags, struct cache_victim *v)
{
	uint32_t set = cache_set_of_(c, blk);
	uint64_t base = (uint64_t)set * c->ways;
	uint32_t way = c->ways;

	SIM_ASSERT(cache_find_(c, set, blk) < 0);
	v->valid = false;
	v->blk = 0;
	v->flags = 0;
	bool full;

	if (likely(c->repl.policy == REPL_LRU)) {
		/* one pass: the first empty way, else the smallest stamp (repl_victim_fast's answer) */
		const uint64_t *t = &c->tag[base], *m = &c->repl.meta[base];
		uint32_t lru = 0;
		for (uint32_t w = 0; w < c->ways; w++) {
			if (!t[w]) {
				way = w;
				break;
			}
			if (m[w] < m[lru])
				lru = w;
		}
		full = way == c->ways;
		if (full)
			way = lru;
	} else {
		for (uint32_t w = 0; w < c->ways; w++) {
			if (!c->tag[base + w]) {
				way = w;
				break;
			}
		}
		full = way == c->ways;
		if (full)
			way = repl_victim_fast(&c->repl, set);
	}
	if (full) {
		v->valid = true;
		v->blk = c->tag[base + way] - 1;
		v->flags = c->flags[base + way];
		c->stat[CACHE_EVICTIONS]++;
		if (v->flags & CL_DIRTY)
			c->stat[CACHE_WRITEBACKS]++;
	}
	c->tag[base + way] = blk + 1;
	c->flags[base + way] = flags;
	c->stat[CACHE_FILLS]++;
	if (flags & CL_PREFETCHED)
		c->stat[CACHE_PF_ISSUED]++;
	repl_fill_fast(&c->repl, set, way);
	c->last = base + way;
	return (int64_t)(base + way);
}

uint8_t cache_invalidate(cache_t *c, uint64_t blk, bool count)
{
	int64_t slot = cache_find_(c, cache_set_of_(c, blk), blk);
	uint8_t f;

	if (slot < 0)
		return 0;
	f = c->flags[slot];
	c->tag[slot] = 0;
	c->flags[slot] = 0;
	if (count)
		c->stat[CACHE_INVALIDATIONS]++;
	return (uint8_t)(f | CL_PRESENT);
}

unsigned cache_prefetch_train(cache_t *c, uint64_t blk, uint64_t *out)
{
	return prefetch_train(&c->pf, blk, out);
}

uint64_t cache_stat(const cache_t *c, enum cache_stat s)
{
	return c->stat[s];
}

struct stat_block cache_stats(const cache_t *c)
{
	return (struct stat_block){ cache_stat_desc, c->stat, NR_CACHE_STATS };
}

void cache_report(const cache_t *c, rep_t *r)
{
	struct stat_block sb = cache_stats(c);

	rep_obj_begin(r, c->name);
	rep_u64(r, "size", c->cfg.size);
	rep_u64(r, "ways", c->ways);
	rep_u64(r, "line", c->cfg.line);
	rep_u64(r, "sets", c->sets);
	rep_str(r, "repl", repl_policy_names[c->cfg.repl]);
	rep_str(r, "prefetch", prefetch_kind_names[c->cfg.prefetch]);
	rep_stats(r, "stats", &sb);
	rep_real(r, "miss_ratio", c->stat[CACHE_ACCESSES] ?
		 (double)c->stat[CACHE_MISSES] / (double)c->stat[CACHE_ACCESSES] : 0.0);
	rep_obj_end(r);
}
