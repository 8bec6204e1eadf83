/*
 * tests/os/test_memory_tiers.c - abstract distance, tiers and demotion
 * targets (Linux mm/memory-tiers.c: mt_perf_to_adistance,
 * mt_set_default_dram_perf, establish_demotion_targets, node_is_toptier;
 * the three node_demotion[] examples of its header comment).
 */
#include "tests/os/tier_fixture.h"
#include "os/memory_hotplug.h"

static void mask_is(const nodemask_t *m, const char *want)
{
	char buf[64];
	nm_format(buf, sizeof(buf), m);
	assert_string_equal(buf, want);
}

/* Example 1: memory_tier4 = 0-1, slower nodes 2-3; preferred 0->2, 1->3, fallback 2-3. */
static void test_example1(void **state)
{
	(void)state;
	struct fx *f = tier_example1(16, 16, fx_os_cfg());
	nodemask_t m;

	/* mt_perf_to_adistance: 576 * (200 / 100) * (20000 / 10000) */
	assert_int_equal(node_adistance(f->os, 0), MEMTIER_ADISTANCE_DRAM);
	assert_int_equal(node_adistance(f->os, 1), 576);
	assert_int_equal(node_adistance(f->os, 2), 2304);
	assert_int_equal(node_memory_tier(f->os, 0), 4);
	assert_int_equal(node_memory_tier(f->os, 3), 2304 >> MEMTIER_CHUNK_BITS);
	assert_true(node_is_toptier(f->os, 0));
	assert_true(node_is_toptier(f->os, 1));
	assert_false(node_is_toptier(f->os, 2));
	assert_false(node_is_toptier(f->os, 3));
	node_demotion_preferred(f->os, 0, &m);
	mask_is(&m, "2");
	node_demotion_preferred(f->os, 1, &m);
	mask_is(&m, "3");
	node_demotion_preferred(f->os, 2, &m);
	mask_is(&m, "");
	node_get_allowed_targets(f->os, 0, &m);
	mask_is(&m, "2-3");
	node_get_allowed_targets(f->os, 3, &m);
	mask_is(&m, "");
	assert_int_equal(next_demotion_node(f->os, 1), 3);
	assert_int_equal(next_demotion_node(f->os, 2), NUMA_NO_NODE);
	/* demotion_enabled defaults to false (numa_demotion_enabled) */
	assert_false(can_demote(f->os, 0));
	char *v = tier_view(f);
	assert_non_null(strstr(v, "memory_tier4: 0-1\nmemory_tier18: 2-3\n"));
	assert_non_null(strstr(v, "Demotion targets for Node 0: preferred: 2, fallback: 2-3\n"));
	assert_non_null(strstr(v, "Demotion targets for Node 2: null\n"));
	free(v);
	fx_free(f);
}

/* Example 2: a memory-only node of DRAM speed joins the DRAM tier: no demotion at all. */
static void test_example2(void **state)
{
	(void)state;
	const struct tier_node nd[3] = {
		{ 2, 16, 100, 20000, { 10, 20, 30 } },
		{ 2, 16, 100, 20000, { 20, 10, 30 } },
		{ 0, 16, 105, 19000, { 30, 30, 10 } },
	};
	struct os_cfg c = fx_os_cfg();
	c.demotion_enabled = true;
	struct fx *f = tier_new(3, nd, c);
	nodemask_t m;
	/* 576 * 105/100 * 20000/19000 = 636: tier 4 like DRAM */
	assert_int_equal(node_memory_tier(f->os, 2), 4);
	for (unsigned n = 0; n < 3; n++) {
		node_demotion_preferred(f->os, n, &m);
		mask_is(&m, "");
		assert_true(node_is_toptier(f->os, n));
		assert_false(can_demote(f->os, n));
	}
	fx_free(f);
}

/*
 * Example 3: node 0 CPU + DRAM, node 1 faster memory (HBM), node 2 slower:
 * tiers 1 / 0 / 2, preferred 1->0, 0->2; the top tiers are those at or
 * above the slowest tier with a CPU node, so node 1 is top tier too.
 */
static void test_example3(void **state)
{
	(void)state;
	const struct tier_node nd[3] = {
		{ 2, 16, 100, 20000, { 10, 20, 30 } },
		{ 0, 16, 50, 20000, { 20, 10, 40 } },
		{ 0, 16, 200, 10000, { 30, 40, 10 } },
	};
	struct fx *f = tier_new(3, nd, fx_os_cfg());
	nodemask_t m;
	assert_int_equal(node_adistance(f->os, 1), 288);
	node_demotion_preferred(f->os, 1, &m);
	mask_is(&m, "0");
	node_get_allowed_targets(f->os, 1, &m);
	mask_is(&m, "0,2");
	node_demotion_preferred(f->os, 0, &m);
	mask_is(&m, "2");
	assert_true(node_is_toptier(f->os, 1));
	assert_true(node_is_toptier(f->os, 0));
	assert_false(node_is_toptier(f->os, 2));
	fx_free(f);
}

/*
 * memtier_hotplug_callback (mm/memory-tiers.c): offlining the last memory
 * of a node (MEM_OFFLINE with status_change_nid) clears its memory tier and
 * re-runs establish_demotion_targets; onlining memory on a memoryless node
 * (MEM_ONLINE) sets its tier again.  Example 1 with 256 MiB slow nodes:
 * node 1 demotes to node 3 (SLIT 30); with node 3 offline, to node 2
 * (SLIT 40) and node 3 is in no tier; with node 3 back, to node 3 again.
 * Offlining one of node 3's two blocks changes nothing (the node keeps
 * memory).  Before, the targets stayed as at boot.
 */
static void test_hotplug_rebuilds_tiers(void **state)
{
	(void)state;
	struct fx *f = tier_example1(256, 256, fx_os_cfg());
	nodemask_t m;
	sim_time_t cost = 0;
	char err[256];
	const uint64_t last = (uint64_t)-1;

	node_demotion_preferred(f->os, 1, &m);
	mask_is(&m, "3");
	assert_int_equal(hotplug_sys_offline(f->os, 3, last, 0, 0, &cost, err, sizeof(err)), 0);
	node_demotion_preferred(f->os, 1, &m);
	mask_is(&m, "3");
	assert_int_equal(node_memory_tier(f->os, 3), node_memory_tier(f->os, 2));
	assert_int_equal(hotplug_sys_offline(f->os, 3, last, 0, 0, &cost, err, sizeof(err)), 0);
	assert_int_equal(node_memory_tier(f->os, 3), -1);
	node_demotion_preferred(f->os, 1, &m);
	mask_is(&m, "2");
	node_get_allowed_targets(f->os, 1, &m);
	mask_is(&m, "2");
	node_demotion_preferred(f->os, 0, &m);
	mask_is(&m, "2");
	assert_int_equal(hotplug_sys_online(f->os, 3, last, 0, err, sizeof(err)), 0);
	assert_int_equal(node_memory_tier(f->os, 3), node_memory_tier(f->os, 2));
	node_demotion_preferred(f->os, 1, &m);
	mask_is(&m, "3");
	node_get_allowed_targets(f->os, 1, &m);
	mask_is(&m, "2-3");
	assert_false(node_is_toptier(f->os, 3));
	fx_free(f);
}

/* Two lower-tier nodes at the same SLIT distance are both preferred (node_random picks one). */
static void test_equal_distance_targets(void **state)
{
	(void)state;
	const struct tier_node nd[3] = {
		{ 2, 16, 100, 20000, { 10, 17, 17 } },
		{ 0, 16, 200, 10000, { 17, 10, 28 } },
		{ 0, 16, 200, 10000, { 17, 28, 10 } },
	};
	struct fx *f = tier_new(3, nd, fx_os_cfg());
	nodemask_t m;
	node_demotion_preferred(f->os, 0, &m);
	mask_is(&m, "1-2");
	unsigned seen[3] = { 0 };
	for (int i = 0; i < 64; i++)
		seen[next_demotion_node(f->os, 0)]++;
	assert_int_equal(seen[0], 0);
	assert_true(seen[1] > 0 && seen[2] > 0);
	fx_free(f);
}

/*
 * mt_set_default_dram_perf: CPU nodes whose figures differ by more than 10%
 * disable the perf-based distance; every node stays at MEMTIER_ADISTANCE_DRAM.
 * Without any figures (no HMAT) every node is DRAM too.
 */
static void test_dram_mismatch_and_no_figures(void **state)
{
	(void)state;
	const struct tier_node nd[3] = {
		{ 2, 16, 100, 20000, { 10, 20, 30 } },
		{ 2, 16, 120, 20000, { 20, 10, 30 } },
		{ 0, 16, 300, 5000, { 30, 30, 10 } },
	};
	struct fx *f = tier_new(3, nd, fx_os_cfg());
	assert_int_equal(node_adistance(f->os, 2), MEMTIER_ADISTANCE_DRAM);
	assert_true(node_is_toptier(f->os, 2));
	fx_free(f);
	const struct tier_node bare[2] = {
		{ 2, 16, 0, 0, { 10, 20 } },
		{ 0, 16, 0, 0, { 20, 10 } },
	};
	f = tier_new(2, bare, fx_os_cfg());
	assert_int_equal(node_adistance(f->os, 1), MEMTIER_ADISTANCE_DRAM);
	char *v = tier_view(f);
	assert_non_null(strstr(v, "memory_tier4: 0-1\n"));
	free(v);
	fx_free(f);
}

/* A figure list of the wrong length is a configuration error naming the keys. */
static void test_bad_figures(void **state)
{
	(void)state;
	/* no figures from the nodes: the configuration's one latency is the list */
	const struct tier_node nd[2] = { { 1, 16, 0, 0, { 10, 20 } }, { 1, 16, 0, 0, { 20, 10 } } };
	struct fx fx = { .cfg = fx_os_cfg() };
	fx.cfg.nr_hmat_latency_ns = 1;
	fx.cfg.hmat_latency_ns[0] = 100;
	tier_hw(&fx, 2, nd);
	fx_boot_fails(&fx, "os.hmat_latency_ns");
}

/*
 * Weighted interleave auto weights (Linux 6.16 reduce_interleave_weights):
 * bandwidths 20000, 20000, 10000, 10000 MB/s -> 32 * bw / 60000 = 10, 10,
 * 5, 5 -> divided by the GCD 5: 2, 2, 1, 1; faults under a weighted
 * interleave policy over all four nodes follow that ratio.  Auto off: the
 * default weight 1 everywhere.
 */
static void test_auto_weights(void **state)
{
	(void)state;
	struct fx *f = tier_example1(16, 16, fx_os_cfg());
	const struct mpol_sys *sys = &f->os->sys;
	assert_int_equal(sys->iw[0], 2);
	assert_int_equal(sys->iw[1], 2);
	assert_int_equal(sys->iw[2], 1);
	assert_int_equal(sys->iw[3], 1);
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000, n = 600, on[4] = { 0 };
	assert_int_equal(fx_sys(f, pid, OS_SYS_SET_MEMPOLICY, MPOL_WEIGHTED_INTERLEAVE, 0xf, 0, 0, 0), 0);
	fx_mmap_at(f, pid, a, n << PAGE_SHIFT, 3, 0x22 | 0x10);
	for (uint64_t i = 0; i < n; i++) {
		assert_int_equal(fx_fault(f, pid, 0, a + (i << PAGE_SHIFT), true, NULL), OS_FAULT_RETRY);
		on[pfn_to_nid(fx_phys(f), pte_pfn(fx_pte(f, pid, a + (i << PAGE_SHIFT), NULL)))]++;
	}
	assert_int_equal(on[0], 200);
	assert_int_equal(on[1], 200);
	assert_int_equal(on[2], 100);
	assert_int_equal(on[3], 100);
	char *v = tier_view(f);
	assert_non_null(strstr(v, "weighted_interleave/auto: true\nweighted_interleave/node0: 2\n"));
	free(v);
	fx_free(f);

	struct os_cfg c = fx_os_cfg();
	c.weighted_interleave_auto = false;
	f = tier_example1(16, 16, c);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(f->os->sys.iw[i], 0);
	fx_free(f);
	/* a node whose share rounds below 1 still gets weight 1 */
	const struct tier_node nd[2] = {
		{ 2, 16, 100, 100000, { 10, 20 } },
		{ 0, 16, 200, 1000, { 20, 10 } },
	};
	f = tier_new(2, nd, fx_os_cfg());
	assert_int_equal(f->os->sys.iw[0], 31);
	assert_int_equal(f->os->sys.iw[1], 1);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example1),
		cmocka_unit_test(test_hotplug_rebuilds_tiers),
		cmocka_unit_test(test_example2),
		cmocka_unit_test(test_example3),
		cmocka_unit_test(test_equal_distance_targets),
		cmocka_unit_test(test_dram_mismatch_and_no_figures),
		cmocka_unit_test(test_bad_figures),
		cmocka_unit_test(test_auto_weights),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
