/*
 * os/memory_tiers.c - memory tiers and demotion targets (see memory_tiers.h).
 * Linux: mm/memory-tiers.c (set_node_memory_tier, mt_perf_to_adistance,
 * mt_set_default_dram_perf, establish_demotion_targets, node_is_toptier,
 * next_demotion_node), mm/page_alloc.c (find_next_best_node).
 */
#include <stdlib.h>
#include "os/memory_tiers.h"
#include "os/mempolicy.h"
#include "os/migrate.h"
#include "sim/err.h"
#include "sim/rng.h"

#define PENALTY_FOR_NODE_WITH_CPUS 1

struct memory_tiers {
	int adist[HW_MAX_NODES];
	int tier_of[HW_MAX_NODES];          /* adist >> MEMTIER_CHUNK_BITS; -1: no memory */
	nodemask_t preferred[HW_MAX_NODES]; /* node_demotion[].preferred */
	nodemask_t lower[HW_MAX_NODES];     /* lower_tier_mask of the node's tier */
	nodemask_t cpu_nodes;               /* N_CPU */
	int top_tier_adistance;
	unsigned nr_tiers;
	int tiers[HW_MAX_NODES];            /* tier ids, fastest first */
	int perf_ref;                       /* default_dram_perf's node (-1: none, or perf disabled) */
	struct rng rng;                     /* node_random */
	/* per node, as the target of promotions (pgdat->nbp_*) */
	struct {
		uint32_t rl_start, th_start;        /* ms */
		uint64_t rl_nr_cand, th_nr_cand;    /* PGPROMOTE_CANDIDATE at the window starts */
		uint32_t threshold;                 /* ms; 0: hot_threshold_ms */
	} nbp[HW_MAX_NODES];
};

static bool has_perf(const struct os_cfg *c, unsigned nid)
{
	return nid < c->nr_hmat_latency_ns && nid < c->nr_hmat_bandwidth_mbps;
}

/* mt_set_default_dram_perf's 10% check for one figure. */
static bool within_10pct(uint64_t v, uint64_t ref)
{
	uint64_t diff = v > ref ? v - ref : ref - v;
	return diff * 10 <= ref;
}

/* find_next_best_node(node, used) without node_load (see docs/tiering.md). */
static int find_next_best_node(const struct os *os, const struct memory_tiers *mt, unsigned node, nodemask_t *used)
{
	int best = NUMA_NO_NODE;
	uint64_t min_val = UINT64_MAX;

	if (!node_isset(node, used)) {
		node_set(node, used);
		return (int)node;
	}
	for (unsigned n = 0; n < os->sys.nr_nodes; n++) {
		if (!node_isset(n, &os->sys.memory_nodes) || node_isset(n, used))
			continue;
		uint64_t val = physmem_node_distance(os->phys, node, n);
		val += n < node;   /* "prefer the next node" */
		if (node_isset(n, &mt->cpu_nodes))
			val += PENALTY_FOR_NODE_WITH_CPUS;
		if (val < min_val) {
			min_val = val;
			best = (int)n;
		}
	}
	if (best >= 0)
		node_set((unsigned)best, used);
	return best;
}

static void establish_demotion_targets(const struct os *os, struct memory_tiers *mt)
{
	const nodemask_t *mem = &os->sys.memory_nodes;

	for (unsigned node = 0; node < os->sys.nr_nodes; node++) {
		nodes_clear(&mt->preferred[node]);
		nodes_clear(&mt->lower[node]);
		if (mt->tier_of[node] < 0)
			continue;
		/* the next lower tier */
		int next = -1;
		for (unsigned t = 0; t < mt->nr_tiers; t++)
			if (mt->tiers[t] == mt->tier_of[node] && t + 1 < mt->nr_tiers)
				next = mt->tiers[t + 1];
		if (next < 0)
			continue;
		/* skip list: every memory node outside that tier */
		nodemask_t used;
		nodes_clear(&used);
		for (unsigned n = 0; n < os->sys.nr_nodes; n++)
			if (node_isset(n, mem) && mt->tier_of[n] != next)
				node_set(n, &used);
		int best_distance = -1;
		for (;;) {
			int target = find_next_best_node(os, mt, node, &used);
			if (target == NUMA_NO_NODE)
				break;
			int distance = (int)physmem_node_distance(os->phys, node, (unsigned)target);
			if (best_distance != -1 && distance != best_distance)
				break;
			best_distance = distance;
			node_set((unsigned)target, &mt->preferred[node]);
		}
	}
	/* top tiers: at or above the slowest tier that has a node with CPUs */
	mt->top_tier_adistance = MEMTIER_ADISTANCE_DRAM | (MEMTIER_CHUNK_SIZE - 1);
	for (int t = (int)mt->nr_tiers - 1; t >= 0; t--) {
		bool cpus = false;
		for (unsigned n = 0; n < os->sys.nr_nodes; n++)
			cpus |= mt->tier_of[n] == mt->tiers[t] && node_isset(n, &mt->cpu_nodes);
		if (cpus) {
			mt->top_tier_adistance = (mt->tiers[t] << MEMTIER_CHUNK_BITS) + MEMTIER_CHUNK_SIZE - 1;
			break;
		}
	}
	/* lower_tier_mask: the memory nodes of every tier below */
	for (unsigned node = 0; node < os->sys.nr_nodes; node++)
		for (unsigned n = 0; node_isset(node, mem) && n < os->sys.nr_nodes; n++)
			if (node_isset(n, mem) && mt->tier_of[n] > mt->tier_of[node])
				node_set(n, &mt->lower[node]);
}

/*
 * set_node_memory_tier for every node with memory (N_MEMORY) and
 * clear_node_memory_tier for the others, then the tier list and
 * establish_demotion_targets.
 */
static void set_node_memory_tiers(const struct os *os, struct memory_tiers *mt)
{
	const struct os_cfg *c = &os->cfg;
	unsigned nr = os->sys.nr_nodes;
	int ref = mt->perf_ref;

	mt->nr_tiers = 0;
	for (unsigned n = 0; n < HW_MAX_NODES; n++) {
		mt->adist[n] = MEMTIER_ADISTANCE_DRAM;
		mt->tier_of[n] = -1;
	}
	for (unsigned n = 0; n < nr; n++) {
		if (!node_isset(n, &os->sys.memory_nodes))
			continue;
		if (ref >= 0 && has_perf(c, n)) {
			/* mt_perf_to_adistance, read + write = 2 x the one figure on both sides */
			uint64_t a = (uint64_t)MEMTIER_ADISTANCE_DRAM * c->hmat_latency_ns[n] / c->hmat_latency_ns[ref];
			a = a * c->hmat_bandwidth_mbps[ref] / c->hmat_bandwidth_mbps[n];
			mt->adist[n] = a > INT32_MAX ? INT32_MAX : (int)a;
		}
		mt->tier_of[n] = mt->adist[n] >> MEMTIER_CHUNK_BITS;
	}
	/* the tier list, fastest first */
	for (unsigned n = 0; n < nr; n++) {
		if (mt->tier_of[n] < 0)
			continue;
		unsigned i = 0;
		while (i < mt->nr_tiers && mt->tiers[i] < mt->tier_of[n])
			i++;
		if (i < mt->nr_tiers && mt->tiers[i] == mt->tier_of[n])
			continue;
		for (unsigned j = mt->nr_tiers; j > i; j--)
			mt->tiers[j] = mt->tiers[j - 1];
		mt->tiers[i] = mt->tier_of[n];
		mt->nr_tiers++;
	}
	establish_demotion_targets(os, mt);
}

/* the whole map is set again: a few nodes, and nothing of the other nodes changes */
void memory_tiers_hotplug(struct os *os)
{
	if (os->mt)
		set_node_memory_tiers(os, os->mt);
}

int memory_tiers_init(struct os *os, char *err, size_t errlen)
{
	const struct os_cfg *c = &os->cfg;
	unsigned nr = os->sys.nr_nodes;
	struct memory_tiers *mt = calloc(1, sizeof(*mt));

	if (!mt)
		return sim_errf(err, errlen, SIM_ENOMEM, "os: out of host memory");
	if ((c->nr_hmat_latency_ns && c->nr_hmat_latency_ns != nr) ||
	    (c->nr_hmat_bandwidth_mbps && c->nr_hmat_bandwidth_mbps != nr)) {
		free(mt);
		return sim_errf(err, errlen, SIM_ECONFIG,
				"os.hmat_latency_ns / os.hmat_bandwidth_mbps: %u and %u entries, the machine has %u nodes",
				c->nr_hmat_latency_ns, c->nr_hmat_bandwidth_mbps, nr);
	}
	rng_seed(&mt->rng, os->seed, 0x7469657273ULL);   /* "tiers" */
	nodes_clear(&mt->cpu_nodes);
	for (unsigned cpu = 0; cpu < physmem_nr_cpus(os->phys); cpu++)
		node_set(physmem_cpu_node(os->phys, cpu), &mt->cpu_nodes);

	/* default DRAM performance (mt_set_default_dram_perf, once): the first node with CPUs and memory;
	 * the others must agree within 10% */
	int ref = -1;
	bool perf_ok = true;
	for (unsigned n = 0; n < nr; n++) {
		if (!node_isset(n, &mt->cpu_nodes) || !node_isset(n, &os->sys.memory_nodes) || !has_perf(c, n))
			continue;
		if (ref < 0)
			ref = (int)n;
		else if (!within_10pct(c->hmat_latency_ns[n], c->hmat_latency_ns[ref]) ||
			 !within_10pct(c->hmat_bandwidth_mbps[n], c->hmat_bandwidth_mbps[ref]))
			perf_ok = false;
	}
	mt->perf_ref = perf_ok ? ref : -1;
	set_node_memory_tiers(os, mt);
	/* mempolicy_set_node_perf: HMAT bandwidths give the weighted-interleave weights in auto mode */
	if (c->weighted_interleave_auto && c->nr_hmat_bandwidth_mbps == nr)
		mpol_auto_weights(&os->sys, c->hmat_bandwidth_mbps, nr);
	os->mt = mt;
	return 0;
}

void memory_tiers_destroy(struct os *os)
{
	free(os->mt);
	os->mt = NULL;
}

int node_adistance(const struct os *os, unsigned nid)
{
	return os->mt && nid < HW_MAX_NODES ? os->mt->adist[nid] : MEMTIER_ADISTANCE_DRAM;
}

int node_memory_tier(const struct os *os, unsigned nid)
{
	return os->mt && nid < HW_MAX_NODES ? os->mt->tier_of[nid] : -1;
}

bool node_is_toptier(const struct os *os, unsigned nid)
{
	const struct memory_tiers *mt = os->mt;
	if (!mt || nid >= HW_MAX_NODES || mt->tier_of[nid] < 0)
		return true;
	return (mt->tier_of[nid] << MEMTIER_CHUNK_BITS) <= mt->top_tier_adistance;
}

void node_demotion_preferred(const struct os *os, unsigned nid, nodemask_t *out)
{
	nodes_clear(out);
	if (os->mt && nid < HW_MAX_NODES)
		*out = os->mt->preferred[nid];
}

void node_get_allowed_targets(const struct os *os, unsigned nid, nodemask_t *out)
{
	nodes_clear(out);
	if (os->mt && nid < HW_MAX_NODES)
		*out = os->mt->lower[nid];
}

int next_demotion_node(struct os *os, unsigned nid)
{
	struct memory_tiers *mt = os->mt;
	if (!mt || nid >= HW_MAX_NODES)
		return NUMA_NO_NODE;
	unsigned w = nm_weight(&mt->preferred[nid]);
	if (!w)
		return NUMA_NO_NODE;
	/* node_random: one draw only when there is a choice */
	uint64_t k = w > 1 ? rng_below(&mt->rng, w) : 0;
	unsigned n = nm_first(&mt->preferred[nid]);
	while (k--)
		n = nm_next(n, &mt->preferred[nid]);
	return (int)n;
}

bool can_demote(struct os *os, unsigned nid)
{
	return os->cfg.demotion_enabled && os->mt && nid < HW_MAX_NODES && !nm_empty(&os->mt->preferred[nid]);
}

bool numa_tiering_enabled(const struct os *os)
{
	return (os->cfg.numa_balancing & NUMA_BALANCING_MEMORY_TIERING) && os->mt && os->mt->nr_tiers > 1;
}

void memory_tiers_show(const struct os *os, FILE *fp)
{
	const struct memory_tiers *mt = os->mt;
	char buf[256], buf2[256];

	if (!mt)
		return;
	for (unsigned t = 0; t < mt->nr_tiers; t++) {
		nodemask_t m;
		nodes_clear(&m);
		for (unsigned n = 0; n < os->sys.nr_nodes; n++)
			if (mt->tier_of[n] == mt->tiers[t])
				node_set(n, &m);
		nm_format(buf, sizeof(buf), &m);
		fprintf(fp, "memory_tier%d: %s\n", mt->tiers[t], buf);
	}
	for (unsigned n = 0; n < os->sys.nr_nodes; n++) {
		if (mt->tier_of[n] < 0)
			continue;
		fprintf(fp, "node%u: adistance %d%s\n", n, mt->adist[n], node_is_toptier(os, n) ? " toptier" : "");
	}
	for (unsigned n = 0; n < os->sys.nr_nodes; n++) {
		if (mt->tier_of[n] < 0)
			continue;
		if (nm_empty(&mt->preferred[n])) {
			fprintf(fp, "Demotion targets for Node %u: null\n", n);
			continue;
		}
		nm_format(buf, sizeof(buf), &mt->preferred[n]);
		nm_format(buf2, sizeof(buf2), &mt->lower[n]);
		fprintf(fp, "Demotion targets for Node %u: preferred: %s, fallback: %s\n", n, buf, buf2);
	}
	fprintf(fp, "demotion_enabled: %s\n", os->cfg.demotion_enabled ? "true" : "false");
	/* /sys/kernel/mm/mempolicy/weighted_interleave/{auto,nodeN} (0 in the table reads as 1) */
	fprintf(fp, "weighted_interleave/auto: %s\n", os->cfg.weighted_interleave_auto ? "true" : "false");
	for (unsigned n = 0; n < os->sys.nr_nodes; n++)
		if (node_isset(n, &os->sys.memory_nodes))
			fprintf(fp, "weighted_interleave/node%u: %u\n", n, os->sys.iw[n] ? os->sys.iw[n] : 1);
}

/* ---- demotion (mm/vmscan.c demote_folio_list, alloc_demote_folio) ---------------------------------- */

struct demote_ctx {
	int target;
	nodemask_t allowed;
	unsigned cpu;
};

static int alloc_demote_folio(void *ctx, struct os *os, struct page *src, sim_time_t now, uint64_t *pfn,
			      sim_time_t *cost)
{
	struct demote_ctx *d = ctx;
	/* (GFP_HIGHUSER_MOVABLE & ~__GFP_RECLAIM) | __GFP_NOWARN | __GFP_NOMEMALLOC | GFP_NOWAIT */
	gfp_t gfp = (GFP_HIGHUSER_MOVABLE & ~__GFP_RECLAIM) | __GFP_NOWARN | __GFP_NOMEMALLOC | GFP_NOWAIT;
	nodemask_t only;
	if (src->order)
		gfp |= __GFP_COMP | __GFP_NORETRY;
	nodes_clear(&only);
	node_set((unsigned)d->target, &only);
	struct alloc_ctx ac = { .order = src->order, .gfp = gfp | __GFP_THISNODE, .preferred_nid = d->target,
				.nodemask = &only, .cpu = d->cpu, .now = now };
	if (!page_alloc(os->phys, &ac, pfn, cost))
		return 0;
	/* the target is full: any node of the lower tiers, nearest first */
	ac.gfp = gfp;
	ac.nodemask = &d->allowed;
	return page_alloc(os->phys, &ac, pfn, cost);
}

uint64_t demote_folio_list(struct os *os, unsigned nid, struct page **pages, unsigned n, unsigned cpu,
			   sim_time_t now, bool *failed, sim_time_t *cost)
{
	struct demote_ctx d = { .target = next_demotion_node(os, nid), .cpu = cpu };
	uint64_t moved = 0;

	for (unsigned i = 0; i < n; i++)
		failed[i] = true;
	if (!n || d.target == NUMA_NO_NODE)
		return 0;
	node_get_allowed_targets(os, nid, &d.allowed);
	struct migrate_req rq = { .reason = MR_DEMOTION, .cpu = cpu, .now = now, .alloc = alloc_demote_folio,
				  .alloc_ctx = &d, .target_nid = d.target, .failed = failed, .isolated = true };
	migrate_folios(os, pages, n, &rq, cost, &moved);
	return moved;
}

/* ---- promotion (kernel/sched/fair.c should_numa_migrate_memory, numa_promotion_*) ------------------ */

#define NUMA_MIGRATION_ADJUST_STEPS 16

uint32_t tiering_time_ms(sim_time_t now)
{
	uint64_t jiffies = now / JIFFY_PS;
	return (uint32_t)(jiffies * JIFFY_MS);
}

bool page_use_access_time(const struct os *os, unsigned page_nid)
{
	return (os->cfg.numa_balancing & NUMA_BALANCING_MEMORY_TIERING) && !node_is_toptier(os, page_nid);
}

unsigned promo_threshold_ms(const struct os *os, unsigned nid)
{
	unsigned def = (unsigned)(os->cfg.numa_balancing_hot_threshold / PS_PER_MS);
	return os->mt && nid < HW_MAX_NODES && os->mt->nbp[nid].threshold ? os->mt->nbp[nid].threshold : def;
}

/* pgdat_free_space_enough: some zone of the node is above PROMO + max(1 GiB, present / 16). */
static bool pgdat_free_space_enough(struct os *os, unsigned nid)
{
	uint64_t present = 0;
	struct zone_info zi;
	for (unsigned z = 0; z < MAX_NR_ZONES; z++)
		if (!physmem_zone_info(os->phys, nid, (enum zone_type)z, &zi))
			present += zi.present;
	uint64_t enough = SIM_MAX((1ULL << 30) >> PAGE_SHIFT, present >> 4);
	for (int z = MAX_NR_ZONES - 1; z >= 0; z--) {
		if (physmem_zone_info(os->phys, nid, (enum zone_type)z, &zi) || !zi.populated)
			continue;
		/* zone_watermark_ok(zone, 0, promo + enough, ZONE_MOVABLE, 0) */
		if (zi.nr_free > zi.watermark[WMARK_PROMO] + zi.watermark_boost + enough +
					 zi.lowmem_reserve[MAX_NR_ZONES - 1])
			return true;
	}
	return false;
}

/* numa_promotion_adjust_threshold: once per scan_period_max, steer candidates towards the rate limit. */
static void adjust_threshold(struct os *os, unsigned nid, uint64_t rate_limit, uint32_t now, unsigned ref_th)
{
	struct memory_tiers *mt = os->mt;
	uint32_t th_period = (uint32_t)(os->cfg.numa_balancing_scan_period_max / PS_PER_MS);
	if (now - mt->nbp[nid].th_start <= th_period)
		return;
	mt->nbp[nid].th_start = now;
	uint64_t ref_cand = rate_limit * th_period / 1000;
	uint64_t nr_cand = node_stat(os->phys, nid, PGPROMOTE_CANDIDATE);
	uint64_t diff_cand = nr_cand - mt->nbp[nid].th_nr_cand;
	unsigned unit_th = ref_th * 2 / NUMA_MIGRATION_ADJUST_STEPS;
	unsigned th = mt->nbp[nid].threshold ? mt->nbp[nid].threshold : ref_th;
	if (diff_cand > ref_cand * 11 / 10)
		th = SIM_MAX(th - unit_th, unit_th);
	else if (diff_cand < ref_cand * 9 / 10)
		th = SIM_MIN(th + unit_th, ref_th * 2);
	mt->nbp[nid].th_nr_cand = nr_cand;
	mt->nbp[nid].threshold = th;
}

/* numa_promotion_rate_limit: count the candidate; true if this second's candidates reached the limit. */
static bool rate_limited(struct os *os, unsigned nid, uint64_t rate_limit, uint64_t nr, uint32_t now)
{
	struct memory_tiers *mt = os->mt;
	node_stat_mod(os->phys, nid, PGPROMOTE_CANDIDATE, (int64_t)nr);
	uint64_t nr_cand = node_stat(os->phys, nid, PGPROMOTE_CANDIDATE);
	if (now - mt->nbp[nid].rl_start > 1000) {
		mt->nbp[nid].rl_start = now;
		mt->nbp[nid].rl_nr_cand = nr_cand;
	}
	return nr_cand - mt->nbp[nid].rl_nr_cand >= rate_limit;
}

bool should_promote(struct os *os, struct page *pg, unsigned dst_nid, sim_time_t now)
{
	uint64_t nr = 1ULL << pg->order;
	uint32_t now_ms = tiering_time_ms(now);
	/* numa_hint_fault_latency: the stamp the scanner left, exchanged for now */
	uint32_t latency = (now_ms - pg->last_cpupid) & PAGE_ACCESS_TIME_MASK;
	pg->last_cpupid = now_ms & PAGE_ACCESS_TIME_MASK;

	/* never to a node without memory */
	if (!os->mt || dst_nid >= HW_MAX_NODES || !node_isset(dst_nid, &os->sys.memory_nodes))
		return false;
	if (pgdat_free_space_enough(os, dst_nid)) {
		os->mt->nbp[dst_nid].threshold = 0;   /* workload changed: reset the hot threshold */
		node_stat_mod(os->phys, dst_nid, PGPROMOTE_CANDIDATE_NRL, (int64_t)nr);
		return true;
	}
	unsigned def_th = (unsigned)(os->cfg.numa_balancing_hot_threshold / PS_PER_MS);
	uint64_t rate_limit = (uint64_t)os->cfg.numa_balancing_promote_rate_limit_mbps << (20 - PAGE_SHIFT);
	adjust_threshold(os, dst_nid, rate_limit, now_ms, def_th);
	if (latency >= promo_threshold_ms(os, dst_nid))
		return false;
	return !rate_limited(os, dst_nid, rate_limit, nr, now_ms);
}
