/*
 * tests/os/tier_fixture.h - machines with memory-only nodes and HMAT-like
 * node figures for the tiering suites (test_memory_tiers, test_demotion,
 * test_promotion).  Header only: each suite is its own binary.
 */
#ifndef TESTS_OS_TIER_FIXTURE_H
#define TESTS_OS_TIER_FIXTURE_H

#include "tests/os/reclaim_fixture.h"
#include "os/memory_tiers.h"

struct tier_node {
	unsigned cpus, mib;
	uint32_t lat_ns, bw_mbps;   /* 0: no figures for the whole machine */
	uint32_t dist[8];
};

/* f's hardware: nr nodes described by nd[], their figures copied into f->cfg. */
static inline void tier_hw(struct fx *f, unsigned nr, const struct tier_node *nd)
{
	if (nd[0].lat_ns) {
		for (unsigned n = 0; n < nr; n++) {
			f->cfg.hmat_latency_ns[n] = nd[n].lat_ns;
			f->cfg.hmat_bandwidth_mbps[n] = nd[n].bw_mbps;
		}
		f->cfg.nr_hmat_latency_ns = f->cfg.nr_hmat_bandwidth_mbps = nr;
	}
	f->hc.nr_nodes = nr;
	f->hc.cpu.mhz = 2000;
	f->hc.tlb.ipi = FX_IPI_PS;
	f->hc.tlb.invlpg = FX_INVLPG_PS;
	for (unsigned n = 0; n < nr; n++) {
		f->hc.nodes[n].cpus = nd[n].cpus;
		f->hc.nodes[n].memory = (uint64_t)nd[n].mib << 20;
		f->hc.nodes[n].socket = n;
		f->hc.nodes[n].nr_distance = nr;
		for (unsigned m = 0; m < nr; m++)
			f->hc.nodes[n].distance[m] = nd[n].dist[m];
	}
}

/* An OS over nr nodes described by nd[], with cfg (figures are copied into it). */
static inline struct fx *tier_new(unsigned nr, const struct tier_node *nd, struct os_cfg cfg)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->cfg = cfg;
	tier_hw(f, nr, nd);
	return fx_boot(f);
}

/*
 * Linux's mm/memory-tiers.c "Example 1": nodes 0 and 1 CPU + DRAM, nodes 2
 * and 3 memory-only and slower (here: twice the latency, half the
 * bandwidth), SLIT 10/20/30/40.
 */
static inline struct fx *tier_example1(unsigned dram_mib, unsigned slow_mib, struct os_cfg cfg)
{
	const struct tier_node nd[4] = {
		{ 2, dram_mib, 100, 20000, { 10, 20, 30, 40 } },
		{ 2, dram_mib, 100, 20000, { 20, 10, 40, 30 } },
		{ 0, slow_mib, 200, 10000, { 30, 40, 10, 40 } },
		{ 0, slow_mib, 200, 10000, { 40, 30, 40, 10 } },
	};
	return tier_new(4, nd, cfg);
}

/* The reclaim fixture's configuration without proactive compaction. */
static inline struct os_cfg tier_rx_cfg(unsigned swap_mib)
{
	struct os_cfg c = rx_cfg(swap_mib);
	c.compaction_proactiveness = 0;
	return c;
}

static inline char *tier_view(struct fx *f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	assert_int_equal(os_dump(f->os, "memory_tiers", fp), 0);
	fclose(fp);
	return buf;
}

#endif
