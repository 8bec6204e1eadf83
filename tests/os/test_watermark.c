/*
 * tests/os/test_watermark.c - min_free_kbytes, watermarks, lowmem_reserve
 * (sources.md §3.2, §3.3, with the live 6.18 vectors) and the watermark
 * check as allocations see it (§3.4, §4.4-§4.5).
 */
#include <stdlib.h>
#include "tests/support/test.h"
#include "tests/os/phys_fixture.h"

/*
 * The §3.2 live machine: managed DMA 3840, DMA32 772918, Normal 983040, no
 * Movable.  DMA starts at pfn 1, so zone_dma ends at pfn 3841.
 */
static physmem_t *live_machine(enum thp_mode thp, unsigned cpus)
{
	struct os_cfg c = fx_cfg();
	struct physmem_layout l;
	uint64_t pages[1] = { 1 + 3840 + 772918 + 983040 };
	unsigned cp[1] = { cpus };

	c.thp = thp;
	c.zone_dma = 3841ULL * 4096;
	c.zone_dma32_end = (3841ULL + 772918) * 4096;
	fx_layout(&l, 1, pages, cp, 20);
	return fx_create(&c, &l);
}

static void zone_expect(physmem_t *pm, unsigned nid, enum zone_type zid, uint64_t managed, uint64_t min, uint64_t low,
			uint64_t high, uint64_t promo, const uint64_t prot[MAX_NR_ZONES])
{
	struct zone_info zi;

	assert_int_equal(physmem_zone_info(pm, nid, zid, &zi), 0);
	assert_int_equal(zi.managed, managed);
	assert_int_equal(zi.watermark[WMARK_MIN], min);
	assert_int_equal(zi.watermark[WMARK_LOW], low);
	assert_int_equal(zi.watermark[WMARK_HIGH], high);
	assert_int_equal(zi.watermark[WMARK_PROMO], promo);
	for (unsigned i = 0; i < MAX_NR_ZONES; i++)
		assert_int_equal(zi.lowmem_reserve[i], prot[i]);
}

/* §3.2 table + §3.3 protection arrays, with khugepaged's 67,584 KiB (§3.2: nz = 3). */
static void live_vector(void **state)
{
	physmem_t *pm = live_machine(THP_MADVISE, 2);
	static const uint64_t p_dma[] = { 0, 3019, 6859, 6859, 6859 };
	static const uint64_t p_dma32[] = { 0, 0, 3840, 3840, 3840 };
	static const uint64_t p_zero[] = { 0, 0, 0, 0, 0 };

	(void)state;
	assert_int_equal(physmem_min_free_kbytes(pm), 67584);
	zone_expect(pm, 0, ZONE_DMA, 3840, 36, 45, 54, 63, p_dma);
	zone_expect(pm, 0, ZONE_DMA32, 772918, 7420, 9275, 11130, 12985, p_dma32);
	zone_expect(pm, 0, ZONE_NORMAL, 983040, 9438, 11797, 14156, 16515, p_zero);
	zone_expect(pm, 0, ZONE_MOVABLE, 0, 32, 32, 32, 32, p_zero);
	struct zone_info zi;
	physmem_zone_info(pm, 0, ZONE_DMA, &zi);
	assert_int_equal(zi.start_pfn, 1);
	assert_int_equal(zi.spanned, 3840);
	physmem_destroy(pm);
}

/* §3.2: without THP, min_free_kbytes = int_sqrt(lowmem_kb * 16) = sqrt(7,039,192 * 16). */
static void min_free_sqrt(void **state)
{
	physmem_t *pm = live_machine(THP_NEVER, 2);

	(void)state;
	assert_int_equal(physmem_min_free_kbytes(pm), 10612);
	physmem_destroy(pm);
}

/* §3.2: 2-socket with DMA + DMA32 + 2 x Normal (nz = 4) => 90,112 KiB; clamps 128 / 262144. */
static void min_free_two_sockets_and_clamps(void **state)
{
	struct os_cfg c = fx_cfg();
	struct physmem_layout l;
	uint64_t pages[2] = { GiB_PAGES(32), GiB_PAGES(32) };
	unsigned cpus[2] = { 8, 8 };
	physmem_t *pm;

	(void)state;
	c.thp = THP_ALWAYS;
	c.zone_dma = 16ULL << 20;
	c.zone_dma32_end = 4ULL << 30;
	fx_layout(&l, 2, pages, cpus, 21);
	pm = fx_create(&c, &l);
	assert_int_equal(physmem_min_free_kbytes(pm), 90112);
	physmem_destroy(pm);

	c = fx_cfg();                      /* 4 MiB machine: sqrt(4096*16)=256 */
	pages[0] = 1024;
	fx_layout(&l, 1, pages, cpus, 20);
	pm = fx_create(&c, &l);
	assert_int_equal(physmem_min_free_kbytes(pm), 256);
	physmem_destroy(pm);
	pages[0] = 256;                    /* 1 MiB: sqrt(1024*16)=128, the floor */
	fx_layout(&l, 1, pages, cpus, 20);
	pm = fx_create(&c, &l);
	assert_int_equal(physmem_min_free_kbytes(pm), 128);
	physmem_destroy(pm);
	pages[0] = GiB_PAGES(8192);        /* 8 TiB: capped at 262144 */
	fx_layout(&l, 1, pages, cpus, 20);
	pm = fx_create(&c, &l);
	assert_int_equal(physmem_min_free_kbytes(pm), 262144);
	physmem_destroy(pm);
}

/*
 * Explicit min_free_kbytes and watermark_scale_factor: 64 MiB Normal,
 * pages_min = 4096 / 4 = 1024; gap = max(1024 / 4, 16384 * 200 / 10000).
 */
static void explicit_tunables(void **state)
{
	struct os_cfg c = fx_cfg();
	struct physmem_layout l;
	uint64_t pages[1] = { MiB_PAGES(64) };
	unsigned cpus[1] = { 1 };
	static const uint64_t p_zero[] = { 0, 0, 0, 0, 0 };

	(void)state;
	c.min_free_kbytes = 4096;
	c.watermark_scale_factor = 200;
	fx_layout(&l, 1, pages, cpus, 20);
	physmem_t *pm = fx_create(&c, &l);
	zone_expect(pm, 0, ZONE_NORMAL, 16384, 1024, 1024 + 327, 1024 + 2 * 327, 1024 + 3 * 327, p_zero);
	physmem_destroy(pm);
	c.watermark_scale_factor = 10;
	pm = fx_create(&c, &l);
	zone_expect(pm, 0, ZONE_NORMAL, 16384, 1024, 1280, 1536, 1792, p_zero);
	physmem_destroy(pm);
}

/* Movable zone: MIN = clamp(managed / 1024, 32, 128) and its managed pages are not lowmem (§3.2). */
static void movable_zone(void **state)
{
	struct os_cfg c = fx_cfg();
	struct physmem_layout l;
	uint64_t pages[1] = { MiB_PAGES(512) };
	unsigned cpus[1] = { 1 };
	struct zone_info zn, zm;

	(void)state;
	c.movablecore = 256ULL << 20;
	fx_layout(&l, 1, pages, cpus, 20);
	physmem_t *pm = fx_create(&c, &l);
	physmem_zone_info(pm, 0, ZONE_NORMAL, &zn);
	physmem_zone_info(pm, 0, ZONE_MOVABLE, &zm);
	assert_int_equal(zn.managed, MiB_PAGES(256));
	assert_int_equal(zm.managed, MiB_PAGES(256));
	assert_int_equal(zm.start_pfn, MiB_PAGES(256));
	/* lowmem = Normal only: 65536 pages -> min_free_kbytes sqrt(262144*16) = 2048 */
	assert_int_equal(physmem_min_free_kbytes(pm), 2048);
	assert_int_equal(zn.watermark[WMARK_MIN], 512);
	assert_int_equal(zm.watermark[WMARK_MIN], 64);             /* 65536 / 1024 */
	/* gap = max(tmp/4, managed*10/10000): tmp = 512*65536/65536 = 512 -> 128 */
	assert_int_equal(zm.watermark[WMARK_LOW], 64 + 128);
	/* protection of Normal against a Movable classzone: 65536 / 32 */
	assert_int_equal(zn.lowmem_reserve[ZONE_MOVABLE], 2048);
	/* only movable requests may use the Movable zone */
	struct alloc_ctx a = fx_ctx(0, GFP_KERNEL, 0);
	uint64_t pfn;
	assert_int_equal(page_alloc(pm, &a, &pfn, NULL), 0);
	assert_int_equal(pfn_to_zone(pm, pfn), ZONE_NORMAL);
	a.gfp = GFP_HIGHUSER_MOVABLE;
	assert_int_equal(page_alloc(pm, &a, &pfn, NULL), 0);
	assert_int_equal(pfn_to_zone(pm, pfn), ZONE_MOVABLE);
	physmem_destroy(pm);
}

/* ---- the check as allocations see it ----------------------------------------------------------- */

/* Move NR_FREE_PAGES of node 0 Normal to exactly `target` (pcp empty). */
static uint64_t stash[8192];
static unsigned stash_order[8192];
static unsigned nstash;

static void set_free(physmem_t *pm, uint64_t target)
{
	struct zone_info zi;
	uint64_t pfn;

	for (;;) {
		drain_all_pages(pm);
		physmem_zone_info(pm, 0, ZONE_NORMAL, &zi);
		if (zi.nr_free == target)
			return;
		if (zi.nr_free > target) {
			unsigned order = zi.nr_free - target >= 32 ? 5 : 0;
			struct alloc_ctx a = fx_ctx(order, GFP_KERNEL | __GFP_MEMALLOC, 0);
			assert_int_equal(page_alloc(pm, &a, &pfn, NULL), 0);
			stash_order[nstash] = order;
			stash[nstash++] = pfn;
		} else {
			assert_true(nstash > 0);
			nstash--;
			page_free(pm, stash[nstash], stash_order[nstash], 0);
		}
	}
}

static int try_alloc(physmem_t *pm, unsigned order, gfp_t gfp)
{
	struct alloc_ctx a = fx_ctx(order, gfp, 0);
	uint64_t pfn;
	int rc = page_alloc(pm, &a, &pfn, NULL);

	if (rc == 0)
		page_free(pm, pfn, order, 0);
	return rc;
}

/*
 * 16 MiB zone: min_free_kbytes sqrt(16384*16) = 512 -> MIN 128, LOW 160,
 * HIGH 192.  Order 0 passes when free > mark (§3.4); GFP_ATOMIC's mark is
 * 128 - 64 - 16 = 48 (3/8 of MIN, §4.5).
 */
static void order0_thresholds(void **state)
{
	physmem_t *pm;
	struct physmem_layout l;
	struct os_cfg c = fx_cfg();
	uint64_t pages[1] = { 4096 };
	unsigned cpus[1] = { 1 };
	struct zone_info zi;

	(void)state;
	fx_layout(&l, 1, pages, cpus, 20);
	pm = fx_create(&c, &l);
	physmem_set_debug_vm(pm, false);
	nstash = 0;
	physmem_zone_info(pm, 0, ZONE_NORMAL, &zi);
	assert_int_equal(zi.watermark[WMARK_MIN], 128);
	assert_int_equal(zi.watermark[WMARK_LOW], 160);
	assert_int_equal(zi.watermark[WMARK_HIGH], 192);

	set_free(pm, 161);
	uint64_t slow = phys_stat(pm, PA_ALLOC_SLOW);
	assert_int_equal(try_alloc(pm, 0, GFP_KERNEL), 0);
	assert_int_equal(phys_stat(pm, PA_ALLOC_SLOW), slow);        /* fast path */
	set_free(pm, 160);
	assert_int_equal(try_alloc(pm, 0, GFP_KERNEL), 0);
	assert_int_equal(phys_stat(pm, PA_ALLOC_SLOW), slow + 1);    /* slow path, MIN */
	uint64_t wakes = phys_stat(pm, PA_KSWAPD_WAKE);
	set_free(pm, 129);
	assert_int_equal(try_alloc(pm, 0, GFP_KERNEL), 0);
	assert_true(phys_stat(pm, PA_KSWAPD_WAKE) > wakes);
	set_free(pm, 128);
	uint64_t fails = phys_stat(pm, PA_ALLOC_FAIL);
	assert_int_equal(try_alloc(pm, 0, GFP_KERNEL), -SIM_EOOM);   /* no reclaim hook: clean failure */
	assert_int_equal(phys_stat(pm, PA_ALLOC_FAIL), fails + 1);
	assert_int_equal(try_alloc(pm, 0, GFP_NOWAIT), -SIM_EOOM);   /* no __GFP_HIGH: no reserve */
	assert_int_equal(try_alloc(pm, 0, GFP_ATOMIC), 0);
	set_free(pm, 49);
	assert_int_equal(try_alloc(pm, 0, GFP_ATOMIC), 0);
	set_free(pm, 48);
	assert_int_equal(try_alloc(pm, 0, GFP_ATOMIC), -SIM_EOOM);
	assert_int_equal(try_alloc(pm, 0, GFP_ATOMIC | __GFP_MEMALLOC), 0);   /* no watermarks */
	set_free(pm, 4000);
	physmem_destroy(pm);
}

/* §3.4 high-order rule: enough free pages, but no block of the order. */
static void high_order_rule(void **state)
{
	physmem_t *pm;
	struct physmem_layout l;
	struct os_cfg c = fx_cfg();
	uint64_t pages[1] = { 4096 }, pfn;
	unsigned cpus[1] = { 1 };
	static uint64_t all[4096];
	unsigned n = 0;

	(void)state;
	fx_layout(&l, 1, pages, cpus, 20);
	pm = fx_create(&c, &l);
	physmem_set_debug_vm(pm, false);
	struct alloc_ctx a = fx_ctx(0, GFP_KERNEL | __GFP_MEMALLOC, 0);
	while (page_alloc(pm, &a, &pfn, NULL) == 0)
		all[n++] = pfn;
	assert_int_equal(n, 4096);
	for (unsigned i = 0; i < n; i++)
		if (all[i] % 2 == 0)
			page_free(pm, all[i], 0, 0);
	drain_all_pages(pm);
	assert_true(zone_watermark_ok(pm, 0, ZONE_NORMAL, 0, WMARK_HIGH, ZONE_NORMAL));
	assert_false(zone_watermark_ok(pm, 0, ZONE_NORMAL, 1, WMARK_MIN, ZONE_NORMAL));
	assert_int_equal(try_alloc(pm, 1, GFP_KERNEL), -SIM_EOOM);
	/* freeing one odd page makes an order-1 block */
	for (unsigned i = 0; i < n; i++)
		if (all[i] == 1)
			page_free(pm, all[i], 0, 0);
	drain_all_pages(pm);
	assert_true(zone_watermark_ok(pm, 0, ZONE_NORMAL, 1, WMARK_MIN, ZONE_NORMAL));
	struct zone_info zi;
	physmem_zone_info(pm, 0, ZONE_NORMAL, &zi);
	assert_int_equal(zi.nr_free_blocks[1], 1);
	assert_int_equal(zi.nr_free, 2049);
	fx_verify(pm);
	physmem_destroy(pm);
}

/*
 * §3.3: a GFP_KERNEL (classzone NORMAL) request may take DMA32 pages only
 * while DMA32 free > LOW + lowmem_reserve[NORMAL]; a GFP_DMA32 request
 * sees no reserve.
 */
static void lowmem_reserve_protects(void **state)
{
	struct os_cfg c = fx_cfg();
	struct physmem_layout l;
	uint64_t pages[1] = { MiB_PAGES(64) }, pfn;
	unsigned cpus[1] = { 1 };
	struct zone_info z32, zn;

	(void)state;
	c.zone_dma32_end = 32ULL << 20;          /* DMA32 [0, 8192), Normal [8192, 16384) */
	fx_layout(&l, 1, pages, cpus, 20);
	physmem_t *pm = fx_create(&c, &l);
	physmem_set_debug_vm(pm, false);
	physmem_zone_info(pm, 0, ZONE_DMA32, &z32);
	physmem_zone_info(pm, 0, ZONE_NORMAL, &zn);
	assert_int_equal(z32.lowmem_reserve[ZONE_NORMAL], 8192 / 256);
	/* take everything, then give DMA32 back: Normal has nothing free */
	static uint64_t all[16384];
	unsigned n = 0;
	struct alloc_ctx a = fx_ctx(0, GFP_KERNEL | __GFP_MEMALLOC, 0);
	while (page_alloc(pm, &a, &pfn, NULL) == 0)
		all[n++] = pfn;
	assert_int_equal(n, 16384);
	for (unsigned i = 0; i < n; i++)
		if (pfn_to_zone(pm, all[i]) == ZONE_DMA32)
			page_free(pm, all[i], 0, 0);
	drain_all_pages(pm);
	/* GFP_KERNEL now lives off DMA32 until free <= MIN + 32 (slow path, no hooks) */
	struct alloc_ctx k = fx_ctx(0, GFP_KERNEL, 0);
	while (page_alloc(pm, &k, &pfn, NULL) == 0)
		assert_int_equal(pfn_to_zone(pm, pfn), ZONE_DMA32);
	drain_all_pages(pm);
	physmem_zone_info(pm, 0, ZONE_DMA32, &z32);
	/* pcp refills of batch pages may overshoot the last check by < batch */
	assert_true(z32.nr_free <= z32.watermark[WMARK_MIN] + 32 + (uint64_t)z32.pcp_batch);
	assert_true(z32.nr_free > z32.watermark[WMARK_MIN]);
	struct alloc_ctx d = fx_ctx(0, GFP_KERNEL | __GFP_DMA32, 0);
	assert_int_equal(page_alloc(pm, &d, &pfn, NULL), 0);
	assert_int_equal(pfn_to_zone(pm, pfn), ZONE_DMA32);
	physmem_destroy(pm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(live_vector),
		cmocka_unit_test(min_free_sqrt),
		cmocka_unit_test(min_free_two_sockets_and_clamps),
		cmocka_unit_test(explicit_tunables),
		cmocka_unit_test(movable_zone),
		cmocka_unit_test(order0_thresholds),
		cmocka_unit_test(high_order_rule),
		cmocka_unit_test(lowmem_reserve_protects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
