/*
 * tests/validation/test_linux_vectors.c - the worked vectors of
 * docs/sources.md (numbers a live Linux 6.18 produced or
 * that follow from the kernel's formulas by hand) run through numasim's own
 * os/ code, one test per vector, each citing its section.
 *
 * The numastat vectors go through the whole chain a fault takes: the
 * policy (mpol_new), its node choice (mpol_policy_nodemask), the page
 * allocator and its zone_statistics counting.  `numasim validate --only
 * linux` runs the same vectors and prints them as a table.
 *
 * Not here because numasim has no code for them yet: §8.2 fragmentation
 * index, §8.4 compaction deferral.
 */
#include <string.h>
#include "tests/support/test.h"
#include "os/mempolicy.h"
#include "os/page_alloc.h"
#include "sim/config.h"
#include "sim/err.h"

static struct os_cfg defaults(void)
{
	struct os_cfg c;
	char err[256];

	memset(&c, 0, sizeof(c));
	assert_int_equal(cfg_defaults(&os_cfg_table, &c, err, sizeof(err)), 0);
	c.thp = THP_NEVER;
	c.zone_dma = 0;
	c.zone_dma32_end = 0;
	return c;
}

static physmem_t *machine(const struct os_cfg *c, unsigned nr, const uint64_t *pages, const unsigned *cpus,
			  const uint32_t (*d)[4])
{
	struct physmem_layout l;
	physmem_t *pm = NULL;
	uint64_t base = 0;
	unsigned cpu = 0;
	char err[256] = "";

	memset(&l, 0, sizeof(l));
	l.nr_nodes = nr;
	for (unsigned n = 0; n < nr; n++) {
		l.base_pfn[n] = base;
		l.pages[n] = pages[n];
		base += pages[n];
		for (unsigned k = 0; k < nr; k++)
			l.distance[n][k] = d ? d[n][k] : n == k ? 10 : 21;
		for (unsigned i = 0; i < cpus[n]; i++)
			l.cpu_node[cpu++] = (uint16_t)n;
	}
	l.nr_cpus = cpu;
	if (physmem_create(&pm, c, &l, err, sizeof(err)))
		print_error("physmem_create: %s\n", err);
	assert_non_null(pm);
	return pm;
}

/* The reference's live guest: one node, 2 CPUs, managed DMA 3840, DMA32 772918, Normal 983040. */
static physmem_t *live_guest(void)
{
	struct os_cfg c = defaults();
	uint64_t pages[1] = { 1 + 3840 + 772918 + 983040 };
	unsigned cpus[1] = { 2 };

	c.thp = THP_MADVISE;
	c.zone_dma = 3841ULL << 12;
	c.zone_dma32_end = (3841ULL + 772918) << 12;
	return machine(&c, 1, pages, cpus, NULL);
}

static struct zone_info zone(physmem_t *pm, unsigned nid, enum zone_type z)
{
	struct zone_info zi;

	assert_int_equal(physmem_zone_info(pm, nid, z, &zi), 0);
	return zi;
}

/* §3.2: khugepaged's recommended min_free_kbytes, nz = 3 => 67,584 KiB. */
static void s3_2_min_free_kbytes_thp_nz3(void **state)
{
	physmem_t *pm = live_guest();

	(void)state;
	assert_int_equal(physmem_min_free_kbytes(pm), 67584);
	physmem_destroy(pm);
}

/* §3.2: 2 sockets, DMA + DMA32 + 2 x Normal (nz = 4) => 90,112 KiB. */
static void s3_2_min_free_kbytes_thp_nz4(void **state)
{
	struct os_cfg c = defaults();
	uint64_t pages[2] = { 32ULL << 18, 32ULL << 18 };
	unsigned cpus[2] = { 8, 8 };
	physmem_t *pm;

	(void)state;
	c.thp = THP_MADVISE;
	c.zone_dma = 16ULL << 20;
	c.zone_dma32_end = 4ULL << 30;
	pm = machine(&c, 2, pages, cpus, NULL);
	assert_int_equal(physmem_min_free_kbytes(pm), 90112);
	physmem_destroy(pm);
}

/* §3.2 live table: min/low/high/promo of DMA, DMA32, Normal and the empty Movable. */
static void s3_2_watermarks_live(void **state)
{
	static const uint64_t want[4][NR_WMARK] = {
		{ 36, 45, 54, 63 }, { 7420, 9275, 11130, 12985 }, { 9438, 11797, 14156, 16515 }, { 32, 32, 32, 32 },
	};
	physmem_t *pm = live_guest();

	(void)state;
	for (unsigned z = ZONE_DMA; z <= ZONE_MOVABLE; z++) {
		struct zone_info zi = zone(pm, 0, (enum zone_type)z);
		for (unsigned w = 0; w < NR_WMARK; w++)
			assert_int_equal(zi.watermark[w], want[z][w]);
	}
	physmem_destroy(pm);
}

/* §3.3 live: protection DMA (0, 3019, 6859, 6859, 6859), DMA32 (0, 0, 3840, 3840, 3840), Normal 0. */
static void s3_3_lowmem_reserve_live(void **state)
{
	static const uint64_t want[3][MAX_NR_ZONES] = {
		{ 0, 3019, 6859, 6859, 6859 }, { 0, 0, 3840, 3840, 3840 }, { 0, 0, 0, 0, 0 },
	};
	physmem_t *pm = live_guest();

	(void)state;
	for (unsigned z = ZONE_DMA; z <= ZONE_NORMAL; z++) {
		struct zone_info zi = zone(pm, 0, (enum zone_type)z);
		for (unsigned j = 0; j < MAX_NR_ZONES; j++)
			assert_int_equal(zi.lowmem_reserve[j], want[z][j]);
	}
	physmem_destroy(pm);
}

/* §3.1 live check (2 CPUs): DMA32 batch 63, high_min 4637, high_max 48307; DMA 1, 22, 240. */
static void s3_1_pcp_sizes_live(void **state)
{
	physmem_t *pm = live_guest();
	struct zone_info dma = zone(pm, 0, ZONE_DMA), dma32 = zone(pm, 0, ZONE_DMA32);

	(void)state;
	assert_int_equal(dma32.pcp_batch, 63);
	assert_int_equal(dma32.pcp_high_min, 4637);
	assert_int_equal(dma32.pcp_high_max, 48307);
	assert_int_equal(dma.pcp_batch, 1);
	assert_int_equal(dma.pcp_high_min, 22);
	assert_int_equal(dma.pcp_high_max, 240);
	physmem_destroy(pm);
}

/* §1.3 example: d(0,1)=d(0,2)=21, d(0,3)=31; node 0 -> 0,1,2,3 and (node_load carried) node 1 -> 1,3,0,2. */
static void s1_3_zonelist_example(void **state)
{
	static const uint32_t d[4][4] = { { 10, 21, 21, 31 }, { 21, 10, 31, 21 }, { 21, 31, 10, 21 }, { 31, 21, 21, 10 } };
	struct os_cfg c = defaults();
	uint64_t pages[4] = { 8192, 8192, 8192, 8192 };
	unsigned cpus[4] = { 1, 1, 1, 1 }, got[HW_MAX_NODES];
	physmem_t *pm;

	(void)state;
	pm = machine(&c, 4, pages, cpus, d);
	assert_int_equal(physmem_node_order(pm, 0, got), 4);
	assert_int_equal(got[0], 0);
	assert_int_equal(got[1], 1);
	assert_int_equal(got[2], 2);
	assert_int_equal(got[3], 3);
	assert_int_equal(physmem_node_order(pm, 1, got), 4);
	assert_int_equal(got[0], 1);
	assert_int_equal(got[1], 3);
	assert_int_equal(got[2], 0);
	assert_int_equal(got[3], 2);
	physmem_destroy(pm);
}

/* ---- §5.3 / §5.6: 2 nodes of 32 MiB (Normal only), distance 21, task on CPU 0 (node 0) ---- */

static struct mpol_sys sys2(void)
{
	struct mpol_sys s;

	memset(&s, 0, sizeof(s));
	s.nr_nodes = 2;
	s.memory_nodes.bits[0] = 0x3;
	s.policy_zone = ZONE_NORMAL;
	return s;
}

static struct mempolicy policy(uint32_t mode, uint64_t nodes)
{
	struct mpol_sys s = sys2();
	struct mempolicy p;
	nodemask_t m;
	char err[256] = "";

	nodes_clear(&m);
	m.bits[0] = nodes;
	if (mpol_new(&p, mode, &m, &s, err, sizeof(err)))
		print_error("mpol_new: %s\n", err);
	return p;
}

static physmem_t *two_nodes(void)
{
	struct os_cfg c = defaults();
	uint64_t pages[2] = { 8192, 8192 };
	unsigned cpus[2] = { 1, 1 };

	return machine(&c, 2, pages, cpus, NULL);
}

/* A fault by the task on CPU 0 with policy p. @return the node of the page. */
static unsigned fault(physmem_t *pm, const struct mempolicy *p, struct mpol_task *task, uint64_t ilx)
{
	struct mpol_sys s = sys2();
	struct mpol_target tg;
	struct alloc_ctx a;
	uint64_t pfn;

	mpol_policy_nodemask(p, task, &s, GFP_HIGHUSER_MOVABLE, ilx, 0, &tg);
	memset(&a, 0, sizeof(a));
	a.gfp = GFP_HIGHUSER_MOVABLE;
	a.preferred_nid = tg.nid;
	a.nodemask = tg.has_mask ? &tg.mask : NULL;
	a.interleave = tg.interleave;
	assert_int_equal(page_alloc(pm, &a, &pfn, NULL), 0);
	return pfn_to_nid(pm, pfn);
}

static void fill_below_low(physmem_t *pm, unsigned nid)
{
	struct alloc_ctx a;
	struct zone_info zi;
	uint64_t pfn;

	memset(&a, 0, sizeof(a));
	a.gfp = GFP_HIGHUSER_MOVABLE | __GFP_THISNODE;
	a.preferred_nid = (int)nid;
	a.cpu = nid;
	do {
		assert_int_equal(page_alloc(pm, &a, &pfn, NULL), 0);
		zi = zone(pm, nid, ZONE_NORMAL);
	} while (zi.nr_free > zi.watermark[WMARK_LOW]);
}

typedef uint64_t numa_counts[2][NR_VM_NUMA_EVENT_ITEMS];   /* hit miss foreign interleave local other */

static void take(physmem_t *pm, numa_counts v)
{
	for (unsigned n = 0; n < 2; n++)
		for (unsigned i = 0; i < NR_VM_NUMA_EVENT_ITEMS; i++)
			v[n][i] = node_numa_stat(pm, n, (enum numa_stat_item)i);
}

static void expect_delta(physmem_t *pm, numa_counts before, const uint64_t n0[6], const uint64_t n1[6])
{
	numa_counts now;

	take(pm, now);
	for (unsigned i = 0; i < NR_VM_NUMA_EVENT_ITEMS; i++) {
		assert_int_equal(now[0][i] - before[0][i], n0[i]);
		assert_int_equal(now[1][i] - before[1][i], n1[i]);
	}
}

/* §5.3: mbind(INTERLEAVE,{0,1}): ilx = vpn, 0x1000, 0x1001, 0x1002 -> 0, 1, 0. */
static void s5_3_interleave_by_vpn(void **state)
{
	struct mempolicy p = policy(MPOL_INTERLEAVE, 0x3);
	struct mpol_sys s = sys2();
	struct mpol_task task;
	const int want[3] = { 0, 1, 0 };

	(void)state;
	mpol_task_reset(&task);
	for (unsigned i = 0; i < 3; i++) {
		struct mpol_target tg;
		mpol_policy_nodemask(&p, &task, &s, GFP_HIGHUSER_MOVABLE, 0x1000 + i, 0, &tg);
		assert_int_equal(tg.nid, want[i]);
		assert_true(tg.interleave);
	}
}

/* §5.3: set_mempolicy(INTERLEAVE,{0,1}) without an index: il_prev starts at MAX, so 0, 1, 0. */
static void s5_3_interleave_round_robin(void **state)
{
	struct mempolicy p = policy(MPOL_INTERLEAVE, 0x3);
	struct mpol_sys s = sys2();
	struct mpol_task task;
	const int want[3] = { 0, 1, 0 };

	(void)state;
	mpol_task_reset(&task);
	for (unsigned i = 0; i < 3; i++) {
		struct mpol_target tg;
		mpol_policy_nodemask(&p, &task, &s, GFP_HIGHUSER_MOVABLE, NO_INTERLEAVE_INDEX, 0, &tg);
		assert_int_equal(tg.nid, want[i]);
	}
}

/* §5.6 row 1: default policy, anon write fault -> node 0: hit, local. */
static void s5_6_default_fault(void **state)
{
	physmem_t *pm = two_nodes();
	struct mempolicy p = policy(MPOL_LOCAL, 0);
	struct mpol_task task;
	numa_counts v;

	(void)state;
	mpol_task_reset(&task);
	take(pm, v);
	assert_int_equal(fault(pm, &p, &task, 0x1000), 0);
	expect_delta(pm, v, (const uint64_t[]){ 1, 0, 0, 0, 1, 0 }, (const uint64_t[]){ 0, 0, 0, 0, 0, 0 });
	physmem_destroy(pm);
}

/* §5.6 row 2: default policy, node 0 below LOW -> node 1: node 0 foreign, node 1 miss + other. */
static void s5_6_default_local_full(void **state)
{
	physmem_t *pm = two_nodes();
	struct mempolicy p = policy(MPOL_LOCAL, 0);
	struct mpol_task task;
	numa_counts v;

	(void)state;
	mpol_task_reset(&task);
	fill_below_low(pm, 0);
	take(pm, v);
	assert_int_equal(fault(pm, &p, &task, 0x1000), 1);
	expect_delta(pm, v, (const uint64_t[]){ 0, 0, 1, 0, 0, 0 }, (const uint64_t[]){ 0, 1, 0, 0, 0, 1 });
	physmem_destroy(pm);
}

/* §5.6 row 3: set_mempolicy(PREFERRED,{1}) -> node 1: hit, other. */
static void s5_6_preferred_remote(void **state)
{
	physmem_t *pm = two_nodes();
	struct mempolicy p = policy(MPOL_PREFERRED, 0x2);
	struct mpol_task task;
	numa_counts v;

	(void)state;
	mpol_task_reset(&task);
	take(pm, v);
	assert_int_equal(fault(pm, &p, &task, 0x1000), 1);
	expect_delta(pm, v, (const uint64_t[]){ 0, 0, 0, 0, 0, 0 }, (const uint64_t[]){ 1, 0, 0, 0, 0, 1 });
	physmem_destroy(pm);
}

/* §5.6 row 4: mbind(BIND,{1}) -> node 1 (preferred zone is node 1's): hit, other. */
static void s5_6_bind_remote(void **state)
{
	physmem_t *pm = two_nodes();
	struct mempolicy p = policy(MPOL_BIND, 0x2);
	struct mpol_task task;
	numa_counts v;

	(void)state;
	mpol_task_reset(&task);
	take(pm, v);
	assert_int_equal(fault(pm, &p, &task, 0x1000), 1);
	expect_delta(pm, v, (const uint64_t[]){ 0, 0, 0, 0, 0, 0 }, (const uint64_t[]){ 1, 0, 0, 0, 0, 1 });
	physmem_destroy(pm);
}

/* §5.6 row 5: mbind(INTERLEAVE,{0,1}) at vpn 0x1000-0x1002 -> 0,1,0: node 0 2x(hit, local, interleave). */
static void s5_6_interleave_vma(void **state)
{
	physmem_t *pm = two_nodes();
	struct mempolicy p = policy(MPOL_INTERLEAVE, 0x3);
	struct mpol_task task;
	numa_counts v;

	(void)state;
	mpol_task_reset(&task);
	take(pm, v);
	assert_int_equal(fault(pm, &p, &task, 0x1000), 0);
	assert_int_equal(fault(pm, &p, &task, 0x1001), 1);
	assert_int_equal(fault(pm, &p, &task, 0x1002), 0);
	expect_delta(pm, v, (const uint64_t[]){ 2, 0, 0, 2, 2, 0 }, (const uint64_t[]){ 1, 0, 0, 1, 0, 1 });
	physmem_destroy(pm);
}

/* §5.6 row 6: set_mempolicy(INTERLEAVE,{0,1}), three page-cache reads (no index): same counts. */
static void s5_6_interleave_page_cache(void **state)
{
	physmem_t *pm = two_nodes();
	struct mempolicy p = policy(MPOL_INTERLEAVE, 0x3);
	struct mpol_task task;
	numa_counts v;

	(void)state;
	mpol_task_reset(&task);
	take(pm, v);
	assert_int_equal(fault(pm, &p, &task, NO_INTERLEAVE_INDEX), 0);
	assert_int_equal(fault(pm, &p, &task, NO_INTERLEAVE_INDEX), 1);
	assert_int_equal(fault(pm, &p, &task, NO_INTERLEAVE_INDEX), 0);
	expect_delta(pm, v, (const uint64_t[]){ 2, 0, 0, 2, 2, 0 }, (const uint64_t[]){ 1, 0, 0, 1, 0, 1 });
	physmem_destroy(pm);
}

/* §5.6 row 7: interleave picks node 1, which is full: node 0 via node 1's zonelist: miss+local / foreign. */
static void s5_6_interleave_target_full(void **state)
{
	physmem_t *pm = two_nodes();
	struct mempolicy p = policy(MPOL_INTERLEAVE, 0x3);
	struct mpol_task task;
	numa_counts v;

	(void)state;
	mpol_task_reset(&task);
	fill_below_low(pm, 1);
	take(pm, v);
	assert_int_equal(fault(pm, &p, &task, 0x1001), 0);
	expect_delta(pm, v, (const uint64_t[]){ 0, 1, 0, 0, 1, 0 }, (const uint64_t[]){ 0, 0, 1, 0, 0, 0 });
	physmem_destroy(pm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(s3_2_min_free_kbytes_thp_nz3),
		cmocka_unit_test(s3_2_min_free_kbytes_thp_nz4),
		cmocka_unit_test(s3_2_watermarks_live),
		cmocka_unit_test(s3_3_lowmem_reserve_live),
		cmocka_unit_test(s3_1_pcp_sizes_live),
		cmocka_unit_test(s1_3_zonelist_example),
		cmocka_unit_test(s5_3_interleave_by_vpn),
		cmocka_unit_test(s5_3_interleave_round_robin),
		cmocka_unit_test(s5_6_default_fault),
		cmocka_unit_test(s5_6_default_local_full),
		cmocka_unit_test(s5_6_preferred_remote),
		cmocka_unit_test(s5_6_bind_remote),
		cmocka_unit_test(s5_6_interleave_vma),
		cmocka_unit_test(s5_6_interleave_page_cache),
		cmocka_unit_test(s5_6_interleave_target_full),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
