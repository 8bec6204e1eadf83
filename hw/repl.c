/*
 * hw/repl.c - LRU, tree-PLRU, SRRIP and random replacement (see repl.h).
 *
 * Each policy is a row of three hooks in repl_ops[], indexed by enum
 * repl_policy.  State is flat arrays allocated once at init, so the hooks
 * are plain loads and stores on the hot path.
 */
#include <stdlib.h>
#include "hw/repl.h"
#include "sim/err.h"

struct repl_ops {
	void (*touch)(struct repl *r, uint32_t set, uint32_t way);
	void (*fill)(struct repl *r, uint32_t set, uint32_t way);
	uint32_t (*victim)(struct repl *r, uint32_t set);
};

/* --- LRU: a global stamp per touch; the smallest stamp in a set is the LRU. */
static void lru_touch(struct repl *r, uint32_t set, uint32_t way)
{
	r->meta[(uint64_t)set * r->ways + way] = ++r->clock;
}

static uint32_t lru_victim(struct repl *r, uint32_t set)
{
	const uint64_t *m = &r->meta[(uint64_t)set * r->ways];
	uint32_t best = 0;

	for (uint32_t w = 1; w < r->ways; w++)
		if (m[w] < m[best])
			best = w;
	return best;
}

/* --- tree-PLRU: node n's children are 2n and 2n+1; leaves are ways + way. */
static void plru_touch(struct repl *r, uint32_t set, uint32_t way)
{
	uint64_t t = r->tree[set];
	uint32_t node = 1;

	for (uint32_t half = r->ways >> 1; half; half >>= 1) {
		bool right = way & half;
		/* point the node at the other half: that is where the next victim lives */
		if (right)
			t &= ~(1ULL << node);
		else
			t |= 1ULL << node;
		node = 2 * node + right;
	}
	r->tree[set] = t;
}

static uint32_t plru_victim(struct repl *r, uint32_t set)
{
	uint64_t t = r->tree[set];
	uint32_t node = 1;

	while (node < r->ways)
		node = 2 * node + (uint32_t)((t >> node) & 1);
	return node - r->ways;
}

/* --- SRRIP (Jaleel et al., ISCA 2010), hit-priority variant. */
static void srrip_touch(struct repl *r, uint32_t set, uint32_t way)
{
	r->meta[(uint64_t)set * r->ways + way] = 0;
}

static void srrip_fill(struct repl *r, uint32_t set, uint32_t way)
{
	r->meta[(uint64_t)set * r->ways + way] = SRRIP_INSERT;
}

static uint32_t srrip_victim(struct repl *r, uint32_t set)
{
	uint64_t *m = &r->meta[(uint64_t)set * r->ways];
	uint64_t oldest = 0;

	/* ageing all ways until one reaches MAX equals adding MAX - oldest once */
	for (uint32_t w = 0; w < r->ways; w++)
		if (m[w] > oldest)
			oldest = m[w];
	if (oldest < SRRIP_MAX)
		for (uint32_t w = 0; w < r->ways; w++)
			m[w] += SRRIP_MAX - oldest;
	for (uint32_t w = 0; w < r->ways; w++)
		if (m[w] == SRRIP_MAX)
			return w;
	SIM_BUG_ON(1);
	return 0;
}

/* --- random */
static void none_touch(struct repl *r, uint32_t set, uint32_t way)
{
	(void)r, (void)set, (void)way;
}

static uint32_t random_victim(struct repl *r, uint32_t set)
{
	(void)set;
	return (uint32_t)rng_below(&r->rng, r->ways);
}

static const struct repl_ops repl_ops[NR_REPL] = {
	[REPL_LRU]    = { lru_touch,   lru_touch,   lru_victim },
	[REPL_PLRU]   = { plru_touch,  plru_touch,  plru_victim },
	[REPL_SRRIP]  = { srrip_touch, srrip_fill,  srrip_victim },
	[REPL_RANDOM] = { none_touch,  none_touch,  random_victim },
};

int repl_init(struct repl *r, enum repl_policy policy, uint32_t sets, uint32_t ways, uint64_t seed,
	      uint64_t stream, char *err, size_t errlen)
{
	*r = (struct repl){ .policy = policy, .ways = ways, .sets = sets };
	if (policy >= NR_REPL)
		return sim_errf(err, errlen, SIM_ECONFIG, "repl: unknown policy %d", (int)policy);
	if (!ways || !sets)
		return sim_errf(err, errlen, SIM_ECONFIG, "repl: %u sets of %u ways", sets, ways);
	if (policy == REPL_PLRU && (!is_pow2_u64(ways) || ways > 64))
		return sim_errf(err, errlen, SIM_ECONFIG, "repl: plru needs a power-of-two number of ways <= 64, got %u",
				ways);
	rng_seed(&r->rng, seed, stream);
	if (policy == REPL_LRU || policy == REPL_SRRIP) {
		r->meta = calloc((size_t)sets * ways, sizeof(*r->meta));
		if (!r->meta)
			return -SIM_ENOMEM;
	}
	if (policy == REPL_PLRU) {
		r->tree = calloc(sets, sizeof(*r->tree));
		if (!r->tree)
			return -SIM_ENOMEM;
	}
	if (policy == REPL_SRRIP)
		for (uint64_t i = 0; i < (uint64_t)sets * ways; i++)
			r->meta[i] = SRRIP_MAX;
	return 0;
}

void repl_fini(struct repl *r)
{
	if (!r)
		return;
	free(r->meta);
	free(r->tree);
	r->meta = NULL;
	r->tree = NULL;
}

void repl_touch(struct repl *r, uint32_t set, uint32_t way)
{
	repl_ops[r->policy].touch(r, set, way);
}

void repl_fill(struct repl *r, uint32_t set, uint32_t way)
{
	repl_ops[r->policy].fill(r, set, way);
}

uint32_t repl_victim(struct repl *r, uint32_t set)
{
	if (r->ways == 1)
		return 0;
	return repl_ops[r->policy].victim(r, set);
}
