/*
 * tests/os/test_zsmalloc.c - the compressing stores' shared chain
 * (os/zsmalloc.h zcomp_store / zcomp_load_ps): the size a page compresses
 * to, the time it takes, the pool room it gets, and the read-back time.
 * zswap (mm/zswap.c zswap_compress) and zram (drivers/block/zram/zram_drv.c
 * zram_write_page) differ only in their compressor settings and in the size
 * from which a page is stored as it is: PAGE_SIZE for zswap, zram's
 * huge_class_size (3264 B: zs_huge_class_size) for zram.
 */
#include "tests/os/reclaim_fixture.h"
#include "os/page_content.h"
#include "os/zsmalloc.h"

#define A 0x10000000ULL

static void store_sizes_costs_and_whole_pages(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 0);
	int pid = fx_proc(f, false);
	char err[128];
	(void)state;

	fx_mmap_at(f, pid, A, 4 << PAGE_SHIFT, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	rx_touch(f, pid, 0, A, 4);
	assert_int_equal(os_page_content(f->os, pid, A, PAGE_SIZE, 0, 30, 0, err, sizeof(err)), 0);
	assert_int_equal(os_page_content(f->os, pid, A + PAGE_SIZE, PAGE_SIZE, 0, 85, 0, err, sizeof(err)), 0);
	const struct page *p30 = rx_page(f, pid, A), *p85 = rx_page(f, pid, A + PAGE_SIZE);
	const struct page *pnone = rx_page(f, pid, A + 2 * PAGE_SIZE);
	const struct zcomp zswap_like = { .alg = ZCOMP_LZ4, .compress_ps = 0, .decompress_ps = 777,
					  .whole_from = PAGE_SIZE };
	const struct zcomp zram_like = { .alg = ZCOMP_LZ4, .compress_ps = 5000, .decompress_ps = 0,
					 .whole_from = 3264 };
	struct zs_pool zp = { 0 };
	gfp_t gfp = __GFP_NOWARN | __GFP_HIGHMEM | __GFP_MOVABLE | __GFP_MEMALLOC;
	sim_time_t cost = 0;
	uint32_t len;

	/* 30 %: 1228 bytes, the compressor's own figure as cost; one pool page taken */
	assert_int_equal(zcomp_store(f->os, &zswap_like, &zp, p30, gfp, 0, 0, &cost, &len), 0);
	assert_int_equal(len, PAGE_SIZE * 30 / 100);
	assert_true(cost >= zcomp_compress_ps(ZCOMP_LZ4));
	assert_int_equal(zp.nr, 1);
	assert_int_equal(zcomp_load_ps(f->os, &zswap_like, len), 777);
	assert_int_equal(zcomp_load_ps(f->os, &zram_like, len), zcomp_decompress_ps(ZCOMP_LZ4));
	/* 85 % = 3481 bytes: zswap keeps it compressed, zram stores it whole (a copy to read) */
	cost = 0;
	assert_int_equal(zcomp_store(f->os, &zswap_like, &zp, p85, gfp, 0, 0, &cost, &len), 0);
	assert_int_equal(len, PAGE_SIZE * 85 / 100);
	cost = 0;
	assert_int_equal(zcomp_store(f->os, &zram_like, &zp, p85, gfp, 0, 0, &cost, &len), 0);
	assert_int_equal(len, PAGE_SIZE);
	assert_int_equal(zcomp_load_ps(f->os, &zram_like, len), fx_os_cfg().copy_page_cost);
	/* undeclared: the compressor's Silesia ratio (no os.zswap.default_compress here) */
	assert_int_equal(zcomp_store(f->os, &zram_like, &zp, pnone, gfp, 0, 0, &cost, &len), 0);
	assert_int_equal(len, PAGE_SIZE * zcomp_ratio_pct(ZCOMP_LZ4) / 100);
	zs_pool_free(f->os, &zp, len, 0);
	zs_pool_free(f->os, &zp, PAGE_SIZE, 0);
	zs_pool_free(f->os, &zp, PAGE_SIZE * 85 / 100, 0);
	zs_pool_free(f->os, &zp, PAGE_SIZE * 30 / 100, 0);
	assert_int_equal(zp.nr, 0);
	zs_pool_release(&zp);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(store_sizes_costs_and_whole_pages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
