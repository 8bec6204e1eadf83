/*
 * hw/cache.c - set-associative cache array, its counters, and cachegrind's
 * counting rules (see cache.h).
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

/* --- cachegrind mode ------------------------------------------------------ */

/*
 * One line of a cachegrind reference: hit (touch) or miss (fill, LRU
 * victim).  The same state changes and counters as cache_lookup followed by
 * cache_fill on a miss, in one scan of the set: a cachegrind cache is LRU
 * with a power-of-two set count, and its lines are never dirty or
 * prefetched.
 */
static inline bool cg_line_is_miss(cache_t *c, uint64_t blk)
{
	uint64_t want = blk + 1, base, *t;
	uint32_t empty = c->ways;

	c->stat[CACHE_ACCESSES]++;
	if (c->tag[c->last] == want) {
		c->stat[CACHE_HITS]++;
		c->repl.meta[c->last] = ++c->repl.clock;
		return false;
	}
	base = (blk & c->set_mask) * c->ways;
	t = &c->tag[base];
	for (uint32_t w = 0; w < c->ways; w++) {
		if (t[w] == want) {
			c->stat[CACHE_HITS]++;
			c->last = base + w;
			c->repl.meta[base + w] = ++c->repl.clock;
			return false;
		}
		if (!t[w] && empty == c->ways)
			empty = w;
	}
	c->stat[CACHE_MISSES]++;
	c->stat[CACHE_LOAD_MISSES]++;
	if (empty == c->ways) {
		empty = repl_victim_fast(&c->repl, (uint32_t)(blk & c->set_mask));
		c->stat[CACHE_EVICTIONS]++;
	}
	t[empty] = want;
	c->stat[CACHE_FILLS]++;
	c->last = base + empty;
	c->repl.meta[base + empty] = ++c->repl.clock;
	return true;
}

bool cache_access_cg(cache_t *c, uint64_t addr, uint32_t size)
{
	uint64_t b1 = addr >> c->line_shift;
	uint64_t b2 = (addr + (size ? size : 1) - 1) >> c->line_shift;
	bool miss;

	SIM_ASSERT(c->repl.policy == REPL_LRU && c->sets_pow2);
	miss = cg_line_is_miss(c, b1);

	/* both lines are looked up: the second lookup updates LRU state too */
	if (b2 != b1 && cg_line_is_miss(c, b2))
		miss = true;
	return miss;
}

const char *const cg_event_names[] = {
#define CG_EVENT_NAME(id, name) #name,
	CG_EVENTS(CG_EVENT_NAME)
#undef CG_EVENT_NAME
};

struct cgsim {
	cache_t *i1, *d1, *ll;
	uint32_t min_line;
	uint64_t n[NR_CG_EVENTS];
};

/*
 * cachegrind allocates its tag arrays zeroed and uses the block number as
 * the tag, so block 0 starts present in set 0 (as MRU; the other zero tags
 * never match anything that maps to their set, or duplicate block 0 behind
 * it, which under LRU behaves exactly like empty ways).
 */
static void cg_reset(cache_t *c)
{
	struct cache_victim v;

	cache_fill(c, 0, 0, &v);
	c->stat[CACHE_FILLS] = 0;
}

static int cg_cache(cache_t **out, const struct cache_cfg *cfg, const char *name, char *err, size_t errlen)
{
	struct cache_cfg k = *cfg;
	uint64_t sets;

	if (!k.ways || !k.line || !is_pow2_u64(k.line) || k.size % ((uint64_t)k.ways * k.line))
		return sim_errf(err, errlen, SIM_ECONFIG, "%s: size %llu, %u ways, %u-byte lines is not a valid geometry",
				name, (unsigned long long)k.size, k.ways, k.line);
	sets = k.size / ((uint64_t)k.ways * k.line);
	if (!is_pow2_u64(sets))
		return sim_errf(err, errlen, SIM_ECONFIG,
				"%s: %llu sets; cachegrind requires a power-of-two set count", name,
				(unsigned long long)sets);
	k.repl = REPL_LRU;
	k.prefetch = PF_NONE;
	k.enabled = true;
	int rc = cache_create(out, &k, name, 0, 0, err, errlen);
	if (!rc)
		cg_reset(*out);
	return rc;
}

int cgsim_create(cgsim_t **out, const struct cache_cfg *i1, const struct cache_cfg *d1,
		 const struct cache_cfg *ll, char *err, size_t errlen)
{
	cgsim_t *s = calloc(1, sizeof(*s));
	int rc;

	*out = NULL;
	if (!s)
		return -SIM_ENOMEM;
	if ((rc = cg_cache(&s->i1, i1, "I1", err, errlen)) || (rc = cg_cache(&s->d1, d1, "D1", err, errlen)) ||
	    (rc = cg_cache(&s->ll, ll, "LL", err, errlen))) {
		cgsim_destroy(s);
		return rc;
	}
	s->min_line = SIM_MIN(SIM_MIN(i1->line, d1->line), ll->line);
	*out = s;
	return 0;
}

void cgsim_destroy(cgsim_t *s)
{
	if (!s)
		return;
	cache_destroy(s->i1);
	cache_destroy(s->d1);
	cache_destroy(s->ll);
	free(s);
}

void cgsim_ref(cgsim_t *s, uint64_t addr, uint32_t size, enum mem_op op)
{
	if (op == MEM_IFETCH) {
		s->n[CG_IR]++;
		if (cache_access_cg(s->i1, addr, size)) {
			s->n[CG_I1MR]++;
			if (cache_access_cg(s->ll, addr, size))
				s->n[CG_ILMR]++;
		}
		return;
	}
	/* data sizes are clamped to the smallest line (cachegrind's instrumenter) */
	if (size > s->min_line)
		size = s->min_line;
	bool write = (op == MEM_STORE);   /* 'M' is one access counted as a read */
	s->n[write ? CG_DW : CG_DR]++;
	if (cache_access_cg(s->d1, addr, size)) {
		s->n[write ? CG_D1MW : CG_D1MR]++;
		if (cache_access_cg(s->ll, addr, size))
			s->n[write ? CG_DLMW : CG_DLMR]++;
	}
}

const uint64_t *cgsim_counts(const cgsim_t *s)
{
	return s->n;
}
