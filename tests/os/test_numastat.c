/*
 * tests/os/test_numastat.c - NUMA allocation counters exactly as
 * zone_statistics() counts them (sources.md §5.6): the worked vectors of
 * the §5.6 table (2 nodes, distance 21, task on a node-0 CPU), THP counting
 * once, and the invariants over random traffic.
 */
#include "tests/support/test.h"
#include "tests/os/phys_fixture.h"
#include "sim/rng.h"

struct snap {
	uint64_t v[2][NR_VM_NUMA_EVENT_ITEMS];
};

static void take(physmem_t *pm, struct snap *s)
{
	for (unsigned n = 0; n < 2; n++)
		for (unsigned i = 0; i < NR_VM_NUMA_EVENT_ITEMS; i++)
			s->v[n][i] = node_numa_stat(pm, n, (enum numa_stat_item)i);
}

/* Deltas since `s`, as {hit, miss, foreign, interleave, local, other} per node. */
static void expect_delta(physmem_t *pm, const struct snap *s, const uint64_t n0[6], const uint64_t n1[6])
{
	struct snap now;

	take(pm, &now);
	for (unsigned i = 0; i < 6; i++) {
		assert_int_equal(now.v[0][i] - s->v[0][i], n0[i]);
		assert_int_equal(now.v[1][i] - s->v[1][i], n1[i]);
	}
}

static physmem_t *two_nodes(void)
{
	uint64_t pages[2] = { MiB_PAGES(32), MiB_PAGES(32) };
	unsigned cpus[2] = { 1, 1 };
	struct physmem_layout l;
	struct os_cfg c = fx_cfg();

	fx_layout(&l, 2, pages, cpus, 21);
	return fx_create(&c, &l);
}

static uint64_t fault(physmem_t *pm, int pref, const nodemask_t *nm, bool interleave)
{
	struct alloc_ctx a = fx_ctx(0, GFP_HIGHUSER_MOVABLE, 0);   /* CPU 0: node 0 */
	uint64_t pfn;

	a.preferred_nid = pref;
	a.nodemask = nm;
	a.interleave = interleave;
	assert_int_equal(page_alloc(pm, &a, &pfn, NULL), 0);
	return pfn;
}

/* Rows 1, 3, 4, 5 of the §5.6 table. */
static void table_rows(void **state)
{
	physmem_t *pm = two_nodes();
	struct snap s;
	nodemask_t bind1;

	(void)state;
	take(pm, &s);   /* default policy, anon write fault: node 0 hit+local */
	assert_int_equal(pfn_to_nid(pm, fault(pm, NUMA_NO_NODE, NULL, false)), 0);
	expect_delta(pm, &s, (const uint64_t[]){ 1, 0, 0, 0, 1, 0 }, (const uint64_t[]){ 0, 0, 0, 0, 0, 0 });

	take(pm, &s);   /* PREFERRED {1}: node 1 hit+other */
	assert_int_equal(pfn_to_nid(pm, fault(pm, 1, NULL, false)), 1);
	expect_delta(pm, &s, (const uint64_t[]){ 0, 0, 0, 0, 0, 0 }, (const uint64_t[]){ 1, 0, 0, 0, 0, 1 });

	take(pm, &s);   /* BIND {1}: local node preferred, mask {1}: preferred zone is node 1's */
	nodes_clear(&bind1);
	node_set(1, &bind1);
	assert_int_equal(pfn_to_nid(pm, fault(pm, NUMA_NO_NODE, &bind1, false)), 1);
	expect_delta(pm, &s, (const uint64_t[]){ 0, 0, 0, 0, 0, 0 }, (const uint64_t[]){ 1, 0, 0, 0, 0, 1 });

	take(pm, &s);   /* INTERLEAVE {0,1}, vpn 0x1000, 0x1001, 0x1002 -> 0, 1, 0 */
	for (unsigned vpn = 0x1000; vpn < 0x1003; vpn++) {
		int nid = (int)(vpn % 2);
		assert_int_equal(pfn_to_nid(pm, fault(pm, nid, NULL, true)), (unsigned)nid);
	}
	expect_delta(pm, &s, (const uint64_t[]){ 2, 0, 0, 2, 2, 0 }, (const uint64_t[]){ 1, 0, 0, 1, 0, 1 });
	physmem_destroy(pm);
}

/* Fill node `nid` until its zones fail LOW (pages stay allocated). */
static void fill_below_low(physmem_t *pm, unsigned nid, unsigned cpu)
{
	struct alloc_ctx a = fx_ctx(0, GFP_HIGHUSER_MOVABLE | __GFP_THISNODE, cpu);
	struct zone_info zi;
	uint64_t pfn;

	a.preferred_nid = (int)nid;
	do {
		assert_int_equal(page_alloc(pm, &a, &pfn, NULL), 0);
		physmem_zone_info(pm, nid, ZONE_NORMAL, &zi);
	} while (zi.nr_free > zi.watermark[WMARK_LOW]);
}

/* Row 2: node 0 below LOW -> node 1: node 0 foreign; node 1 miss+other. */
static void local_full(void **state)
{
	physmem_t *pm = two_nodes();
	struct snap s;

	(void)state;
	physmem_set_debug_vm(pm, false);
	fill_below_low(pm, 0, 0);
	take(pm, &s);
	assert_int_equal(pfn_to_nid(pm, fault(pm, NUMA_NO_NODE, NULL, false)), 1);
	expect_delta(pm, &s, (const uint64_t[]){ 0, 0, 1, 0, 0, 0 }, (const uint64_t[]){ 0, 1, 0, 0, 0, 1 });
	physmem_destroy(pm);
}

/* Row 7: interleave picks node 1, which is full: node 0 via node 1's zonelist. */
static void interleave_target_full(void **state)
{
	physmem_t *pm = two_nodes();
	struct snap s;

	(void)state;
	physmem_set_debug_vm(pm, false);
	fill_below_low(pm, 1, 1);
	take(pm, &s);
	assert_int_equal(pfn_to_nid(pm, fault(pm, 1, NULL, true)), 0);
	expect_delta(pm, &s, (const uint64_t[]){ 0, 1, 0, 0, 1, 0 }, (const uint64_t[]){ 0, 0, 1, 0, 0, 0 });
	physmem_destroy(pm);
}

/* numa_hit counts calls, pgalloc_* counts pages: a THP is 1 hit and 512 pages. */
static void thp_counts_once(void **state)
{
	physmem_t *pm = two_nodes();
	struct alloc_ctx a = fx_ctx(9, GFP_TRANSHUGE_LIGHT, 1);
	uint64_t pfn;

	(void)state;
	assert_int_equal(page_alloc(pm, &a, &pfn, NULL), 0);
	assert_int_equal(node_numa_stat(pm, 1, NUMA_HIT), 1);
	assert_int_equal(node_numa_stat(pm, 1, NUMA_LOCAL), 1);
	assert_int_equal(vmstat_event(pm, PGALLOC_NORMAL), 512);
	physmem_destroy(pm);
}

/* Σhit + Σmiss = Σlocal + Σother = successful calls; Σmiss = Σforeign. */
static void invariants_random(void **state)
{
	uint64_t pages[3] = { MiB_PAGES(8), MiB_PAGES(8), MiB_PAGES(8) };
	unsigned cpus[3] = { 1, 2, 0 };
	struct physmem_layout l;
	struct os_cfg c = fx_cfg();
	struct rng r;
	uint64_t ok = 0, pfn;

	(void)state;
	fx_layout(&l, 3, pages, cpus, 21);
	physmem_t *pm = fx_create(&c, &l);
	physmem_set_debug_vm(pm, false);
	rng_seed(&r, 42, 1);
	for (int i = 0; i < 8000; i++) {
		struct alloc_ctx a = fx_ctx((unsigned)rng_below(&r, 3), GFP_HIGHUSER_MOVABLE, (unsigned)rng_below(&r, 3));
		a.preferred_nid = rng_below(&r, 2) ? NUMA_NO_NODE : (int)rng_below(&r, 3);
		if (page_alloc(pm, &a, &pfn, NULL) == 0)
			ok++;
	}
	uint64_t hit = 0, miss = 0, foreign = 0, local = 0, other = 0;
	for (unsigned n = 0; n < 3; n++) {
		hit += node_numa_stat(pm, n, NUMA_HIT);
		miss += node_numa_stat(pm, n, NUMA_MISS);
		foreign += node_numa_stat(pm, n, NUMA_FOREIGN);
		local += node_numa_stat(pm, n, NUMA_LOCAL);
		other += node_numa_stat(pm, n, NUMA_OTHER);
	}
	assert_true(miss > 0);
	assert_int_equal(hit + miss, ok);
	assert_int_equal(local + other, ok);
	assert_int_equal(miss, foreign);
	assert_int_equal(node_numa_stat(pm, 2, NUMA_LOCAL), 0);   /* no CPUs there */
	physmem_destroy(pm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table_rows),
		cmocka_unit_test(local_full),
		cmocka_unit_test(interleave_target_full),
		cmocka_unit_test(thp_counts_once),
		cmocka_unit_test(invariants_random),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
