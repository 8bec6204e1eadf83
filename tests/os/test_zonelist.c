/*
 * tests/os/test_zonelist.c - zonelist construction (sources.md §1.3):
 * node order by distance with the [n < N] and CPU penalties, node_load
 * round robin carried across nodes, memory-less and CPU-less nodes, zones
 * highest first, __GFP_THISNODE, nodemask filtering and spilling to the
 * next node (§1.4 with zone_reclaim_mode 0).
 */
#include "tests/support/test.h"
#include "tests/os/phys_fixture.h"

static void expect_order(physmem_t *pm, unsigned nid, const unsigned *want, unsigned n)
{
	unsigned got[HW_MAX_NODES];

	assert_int_equal(physmem_node_order(pm, nid, got), n);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(got[i], want[i]);
}

/* §1.3 worked example: ring 0-1-3-2 with 21 neighbours, 31 across. */
static void reference_example(void **state)
{
	static const uint32_t d[4][4] = {
		{ 10, 21, 21, 31 },
		{ 21, 10, 31, 21 },
		{ 21, 31, 10, 21 },
		{ 31, 21, 21, 10 },
	};
	uint64_t pages[4] = { 4096, 4096, 4096, 4096 };
	unsigned cpus[4] = { 1, 1, 1, 1 };
	struct physmem_layout l;
	struct os_cfg c = fx_cfg();

	(void)state;
	fx_layout(&l, 4, pages, cpus, 20);
	for (int a = 0; a < 4; a++)
		for (int b = 0; b < 4; b++)
			l.distance[a][b] = d[a][b];
	physmem_t *pm = fx_create(&c, &l);
	expect_order(pm, 0, (const unsigned[]){ 0, 1, 2, 3 }, 4);
	expect_order(pm, 1, (const unsigned[]){ 1, 3, 0, 2 }, 4);   /* as in §1.3 */
	/* hand-computed continuation: node_load = {0,1,1,2} before node 2 */
	expect_order(pm, 2, (const unsigned[]){ 2, 3, 0, 1 }, 4);
	expect_order(pm, 3, (const unsigned[]){ 3, 2, 1, 0 }, 4);
	physmem_destroy(pm);
}

/* Equidistant nodes: node_load round-robins the first remote node. */
static void equidistant_round_robin(void **state)
{
	uint64_t pages[4] = { 4096, 4096, 4096, 4096 };
	unsigned cpus[4] = { 1, 1, 1, 1 };
	struct physmem_layout l;
	struct os_cfg c = fx_cfg();

	(void)state;
	fx_layout(&l, 4, pages, cpus, 20);
	physmem_t *pm = fx_create(&c, &l);
	expect_order(pm, 0, (const unsigned[]){ 0, 1, 2, 3 }, 4);
	expect_order(pm, 1, (const unsigned[]){ 1, 2, 3, 0 }, 4);
	expect_order(pm, 2, (const unsigned[]){ 2, 3, 0, 1 }, 4);
	expect_order(pm, 3, (const unsigned[]){ 3, 0, 1, 2 }, 4);
	physmem_destroy(pm);
}

/* CPU-less nodes are preferred at equal distance; memory-less nodes are skipped. */
static void headless_and_memoryless(void **state)
{
	uint64_t pages[4] = { 4096, 0, 4096, 4096 };
	unsigned cpus[4] = { 1, 1, 0, 1 };
	struct physmem_layout l;
	struct os_cfg c = fx_cfg();
	uint64_t pfn;

	(void)state;
	fx_layout(&l, 4, pages, cpus, 20);
	physmem_t *pm = fx_create(&c, &l);
	expect_order(pm, 0, (const unsigned[]){ 0, 2, 3 }, 3);
	/* node 1 has no memory; [n < N] puts node 0 after node 3 */
	expect_order(pm, 1, (const unsigned[]){ 2, 3, 0 }, 3);
	/* a CPU of the memory-less node allocates from its nearest node: a miss counted as other */
	struct alloc_ctx a = fx_ctx(0, GFP_KERNEL, 1);
	assert_int_equal(page_alloc(pm, &a, &pfn, NULL), 0);
	assert_int_equal(pfn_to_nid(pm, pfn), 2);
	assert_int_equal(node_numa_stat(pm, 2, NUMA_HIT), 1);
	assert_int_equal(node_numa_stat(pm, 2, NUMA_OTHER), 1);
	physmem_destroy(pm);
}

/* Zones within a node go highest first; classzone limits which are used. */
static void zone_order_and_classzone(void **state)
{
	uint64_t pages[2] = { MiB_PAGES(64), MiB_PAGES(16) }, pfn;
	unsigned cpus[2] = { 1, 1 };
	struct physmem_layout l;
	struct os_cfg c = fx_cfg();

	(void)state;
	c.zone_dma = 16ULL << 20;
	c.zone_dma32_end = 48ULL << 20;
	fx_layout(&l, 2, pages, cpus, 21);
	physmem_t *pm = fx_create(&c, &l);
	struct alloc_ctx a = fx_ctx(0, GFP_KERNEL, 0);
	assert_int_equal(page_alloc(pm, &a, &pfn, NULL), 0);
	assert_int_equal(pfn_to_zone(pm, pfn), ZONE_NORMAL);
	assert_int_equal(pfn_to_nid(pm, pfn), 0);
	a.gfp = GFP_KERNEL | __GFP_DMA32;
	assert_int_equal(page_alloc(pm, &a, &pfn, NULL), 0);
	assert_int_equal(pfn_to_zone(pm, pfn), ZONE_DMA32);
	a.gfp = GFP_KERNEL | __GFP_DMA;
	assert_int_equal(page_alloc(pm, &a, &pfn, NULL), 0);
	assert_int_equal(pfn_to_zone(pm, pfn), ZONE_DMA);
	assert_int_equal(vmstat_event(pm, PGALLOC_DMA), 1);
	assert_int_equal(vmstat_event(pm, PGALLOC_DMA32), 1);
	/* node 1 has only Normal: a DMA request from node 1 crosses to node 0 */
	a = fx_ctx(0, GFP_KERNEL | __GFP_DMA, 1);
	assert_int_equal(page_alloc(pm, &a, &pfn, NULL), 0);
	assert_int_equal(pfn_to_nid(pm, pfn), 0);
	/* ... and with __GFP_THISNODE it fails (NOFALLBACK zonelist has no DMA) */
	a.gfp |= __GFP_THISNODE;
	assert_int_equal(page_alloc(pm, &a, &pfn, NULL), -SIM_EOOM);
	physmem_destroy(pm);
}

/* Nodemask filter and spill to the next node once local zones are under LOW. */
static void nodemask_and_spill(void **state)
{
	uint64_t pages[3] = { 4096, 4096, 4096 }, pfn;
	unsigned cpus[3] = { 1, 1, 1 };
	struct physmem_layout l;
	struct os_cfg c = fx_cfg();
	nodemask_t only2;

	(void)state;
	fx_layout(&l, 3, pages, cpus, 20);
	l.distance[0][2] = l.distance[2][0] = 30;
	physmem_t *pm = fx_create(&c, &l);
	physmem_set_debug_vm(pm, false);
	nodes_clear(&only2);
	node_set(2, &only2);
	struct alloc_ctx a = fx_ctx(0, GFP_HIGHUSER_MOVABLE, 0);
	a.nodemask = &only2;
	assert_int_equal(page_alloc(pm, &a, &pfn, NULL), 0);
	assert_int_equal(pfn_to_nid(pm, pfn), 2);
	/* fill node 0 below LOW: the next page comes from node 1 (order 0,1,2) */
	a.nodemask = NULL;
	struct zone_info zi;
	for (;;) {
		assert_int_equal(page_alloc(pm, &a, &pfn, NULL), 0);
		if (pfn_to_nid(pm, pfn) != 0)
			break;
	}
	assert_int_equal(pfn_to_nid(pm, pfn), 1);
	physmem_zone_info(pm, 0, ZONE_NORMAL, &zi);
	assert_true(zi.nr_free <= zi.watermark[WMARK_LOW]);
	assert_int_equal(phys_stat(pm, PA_ALLOC_SLOW), 0);   /* spilled in the fast path */
	physmem_destroy(pm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reference_example),
		cmocka_unit_test(equidistant_round_robin),
		cmocka_unit_test(headless_and_memoryless),
		cmocka_unit_test(zone_order_and_classzone),
		cmocka_unit_test(nodemask_and_spill),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
