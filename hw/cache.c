/*
 * hw/cache.c - set-associative cache array and its counters (see cache.h).
 *
 * Storage is one array of line words (key and flags) indexed by
 * slot = set * ways + way; LRU keeps each set's row in recency order, the
 * other policies keep their state in struct repl (hw/repl.h).  The struct
 * and the lookup are in cache.h, inline in the callers' hot paths.
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
	c->set_magic = fastmod_magic(c->sets);
	c->mru = cfg->repl == REPL_LRU;
	c->line = calloc(sets * cfg->ways, sizeof(*c->line));
	if (!c->line) {
		cache_destroy(c);
		return -SIM_ENOMEM;
	}
	/* recency-ordered rows are LRU's whole state: struct repl stays empty */
	rc = c->mru ? 0 : repl_init(&c->repl, cfg->repl, c->sets, c->ways, seed, stream, err, errlen);
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
	free(c->line);
	free(c);
}

unsigned cache_line_shift(const cache_t *c) { return c->line_shift; }
uint32_t cache_sets(const cache_t *c) { return c->sets; }
uint32_t cache_ways(const cache_t *c) { return c->ways; }

int64_t cache_probe(const cache_t *c, uint64_t blk)
{
	return cache_find_(c, cache_set_of_(c, blk), blk);
}


bool cache_mru_touch_(uint64_t *row, uint32_t ways, uint64_t key)
{
	uint64_t prev = row[0];

	for (uint32_t w = 1; w < ways; w++) {
		uint64_t cur = row[w];
		if (cl_match(cur, key)) {
			/* ways 0..w-1 move down one, the hit goes in front */
			row[w] = prev;
			for (uint32_t i = w - 1; i > 0; i--)
				row[i] = row[i - 1];
			row[0] = cur;
			return true;
		}
		if (!cur)
			return false;   /* valid lines come first: the rest is empty */
		prev = cur;
	}
	return false;
}

int64_t cache_lookup_policy_(cache_t *c, uint64_t blk, enum cache_req req, bool *pf_hit)
{
	uint32_t set = cache_set_of_(c, blk);
	int64_t slot;

	/* a block is in at most one way: finding it in the remembered slot is the scan's answer */
	if (cl_match(c->line[c->last], cl_key(blk)))
		slot = (int64_t)c->last;
	else
		slot = cache_find_(c, set, blk);
	if (slot >= 0) {
		c->last = (uint64_t)slot;
		repl_touch_fast(&c->repl, set, (uint32_t)(slot - (int64_t)set * c->ways));
	}
	return cache_lookup_done_(c, slot, req, pf_hit);
}

int64_t cache_fill(cache_t *c, uint64_t blk, uint8_t flags, struct cache_victim *v)
{
	uint32_t set = cache_set_of_(c, blk);
	uint64_t base = (uint64_t)set * c->ways, *t = &c->line[base], old;
	uint32_t way = c->ways;

	SIM_ASSERT(cache_find_(c, set, blk) < 0);
	SIM_BUG_ON(blk >= (UINT64_MAX >> CL_KEY_SHIFT));
	if (likely(c->mru)) {
		/* the row shifts down one: the last word (the LRU line, or an empty way) leaves */
		old = t[c->ways - 1];
		for (uint32_t w = c->ways - 1; w > 0; w--)
			t[w] = t[w - 1];
		way = 0;
	} else {
		for (uint32_t w = 0; w < c->ways; w++) {
			if (!t[w]) {
				way = w;
				break;
			}
		}
		if (way == c->ways)
			way = repl_victim_fast(&c->repl, set);
		old = t[way];
		repl_fill_fast(&c->repl, set, way);
		c->last = base + way;
	}
	v->valid = old != 0;
	v->blk = old ? (old >> CL_KEY_SHIFT) - 1 : 0;
	v->flags = (uint8_t)(old & CL_FLAG_MASK);
	if (old) {
		c->stat[CACHE_EVICTIONS]++;
		if (old & CL_DIRTY)
			c->stat[CACHE_WRITEBACKS]++;
	}
	t[way] = cl_key(blk) | (flags & CL_FLAG_MASK);
	c->stat[CACHE_FILLS]++;
	if (flags & CL_PREFETCHED)
		c->stat[CACHE_PF_ISSUED]++;
	return (int64_t)(base + way);
}

uint8_t cache_invalidate(cache_t *c, uint64_t blk, bool count)
{
	int64_t slot = cache_find_(c, cache_set_of_(c, blk), blk);
	uint8_t f;

	if (slot < 0)
		return 0;
	f = (uint8_t)(c->line[slot] & CL_FLAG_MASK);
	if (c->mru) {
		/* close the gap: valid lines stay first, in recency order */
		uint64_t i = (uint64_t)slot, end = i - i % c->ways + c->ways;
		for (; i + 1 < end; i++)
			c->line[i] = c->line[i + 1];
		c->line[end - 1] = 0;
	} else {
		c->line[slot] = 0;
	}
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
