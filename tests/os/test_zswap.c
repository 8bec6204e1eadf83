/*
 * tests/os/test_zswap.c - zswap (mm/zswap.c): store on swap-out, load on
 * swap-in, incompressible pages, the pool limit and its writeback, and the
 * declared page contents behind the compressed sizes (os/page_content.c).
 */
#include "tests/os/reclaim_fixture.h"
#include "os/page_content.h"
#include "os/zswap.h"

#define ZX_COMP_PS   5000000ULL   /* 5 us per page compressed */
#define ZX_DECOMP_PS 1000000ULL   /* 1 us per page decompressed */

static struct fx *zx_new(unsigned nr, unsigned mib, unsigned max_pool_percent)
{
	struct os_cfg c = rx_cfg(16);
	c.reclaim_pass_cost = fx_os_cfg().reclaim_pass_cost;
	c.zswap.enabled = true;
	c.zswap.max_pool_percent = max_pool_percent;
	c.zswap.compress_cost = ZX_COMP_PS;
	c.zswap.decompress_cost = ZX_DECOMP_PS;
	return fx_new_cfg(nr, mib, 2, &c);
}

static void zx_declare_flags(struct fx *f, int pid, uint64_t a, uint64_t len, uint64_t content, uint64_t pct,
			     uint64_t flags)
{
	char err[128];
	assert_int_equal(os_page_content(f->os, pid, a, len, content, pct, flags, err, sizeof(err)), 0);
}

static void zx_declare(struct fx *f, int pid, uint64_t a, uint64_t len, uint64_t content, uint64_t pct)
{
	zx_declare_flags(f, pid, a, len, content, pct, 0);
}

/* The --dump zswap view, into buf. */
static void zx_view(struct fx *f, char *buf, size_t len)
{
	FILE *fp = tmpfile();
	zswap_dump(f->os, fp);
	rewind(fp);
	size_t n = fread(buf, 1, len - 1, fp);
	buf[n] = '\0';
	fclose(fp);
}

static uint64_t zx_zspages(struct fx *f, unsigned nid)
{
	uint64_t n = 0;
	for (unsigned z = 0; z < MAX_NR_ZONES; z++)
		n += zone_stat(fx_phys(f), nid, (enum zone_type)z, NR_ZSPAGES);
	return n;
}

/*
 * zswap_store then zswap_load (mm/zswap.c): the stored page is clean and
 * freed at once, zswpout counts it and no device write happens (pswpout
 * 0); the fault decompresses on the faulting CPU (zswpin, still a major
 * fault: do_swap_page counts PGMAJFAULT before swap_read_folio), frees the
 * entry and dirties the page (zswap_load: folio_mark_dirty) so the next
 * swap-out stores it again.
 */
static void store_and_load(void **state)
{
	struct fx *f = zx_new(1, 64, 20);
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000;
	(void)state;

	fx_mmap_at(f, pid, a, 0x2000, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	rx_touch(f, pid, 0, a, 2);
	zx_declare(f, pid, a, 0x1000, 0, 25);   /* 1 KiB compressed */
	uint64_t free0 = fx_free_pages(f);
	sim_time_t c;
	assert_int_equal(rx_swap_out_sync(f, rx_page(f, pid, a), &c), SWAPOUT_CLEAN);
	assert_true(c >= ZX_COMP_PS);
	assert_int_equal(rx_ev(f, ZSWPOUT), 1);
	assert_int_equal(rx_ev(f, PSWPOUT), 0);
	assert_int_equal(zswap_stored_pages(f->os), 1);
	assert_int_equal(zswap_pool_pages(f->os), 1);
	assert_int_equal(zx_zspages(f, 0), 1);
	assert_int_equal(fx_free_pages(f), free0);   /* the page went, one pool page came */
	/* the swap-in */
	uint64_t maj = rx_ev(f, PGMAJFAULT);
	assert_int_equal(fx_fault(f, pid, 1, a, false, &c), OS_FAULT_RETRY);
	assert_int_equal(c, FX_FAULT_PS + ZX_DECOMP_PS);
	assert_int_equal(rx_ev(f, ZSWPIN), 1);
	assert_int_equal(rx_ev(f, PSWPIN), 0);
	assert_int_equal(rx_ev(f, PGMAJFAULT), maj + 1);
	assert_int_equal(zswap_stored_pages(f->os), 0);
	assert_int_equal(zswap_pool_pages(f->os), 0);
	assert_int_equal(zx_zspages(f, 0), 0);
	struct page *pg = rx_page(f, pid, a);
	assert_true(page_test(pg, PG_dirty) && page_test(pg, PG_swapcache));
	/* dirty: the next swap-out stores it again rather than trusting the slot */
	assert_int_equal(rx_swap_out_sync(f, pg, NULL), SWAPOUT_CLEAN);
	assert_int_equal(rx_ev(f, ZSWPOUT), 2);
	lru_check(f->os);
	fx_free(f);
}

/*
 * Sizes and the pool: zsmalloc rounds objects up to 16 bytes (min 32), a
 * node's pool holds ceil(bytes / 4 KiB) pages; a page that does not shrink
 * below PAGE_SIZE is stored as it is (zswap_compress: dlen >= PAGE_SIZE ->
 * length PAGE_SIZE) and loading it is a copy.  Freeing the swap entries
 * (munmap) invalidates the entries and returns the pool pages.
 */
static void sizes_pool_and_invalidate(void **state)
{
	struct fx *f = zx_new(1, 64, 20);
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000;
	(void)state;

	fx_mmap_at(f, pid, a, 0x6000, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	rx_touch(f, pid, 0, a, 6);
	zx_declare(f, pid, a, 0x3000, 0, 50);            /* 2048 B each */
	zx_declare(f, pid, a + 0x3000, 0x2000, 0, 100);  /* incompressible */
	/* page 5: undeclared, os.zswap.default_compress 0 -> lzo's 48% = 1966 B -> 1968 B */
	for (unsigned i = 0; i < 6; i++)
		assert_int_equal(rx_swap_out_sync(f, rx_page(f, pid, a + i * 0x1000ULL), NULL), SWAPOUT_CLEAN);
	/* 3 * 2048 + 2 * 4096 + 1968 = 16304 B -> 4 pages */
	assert_int_equal(zswap_stored_pages(f->os), 6);
	assert_int_equal(zswap_pool_pages(f->os), 4);
	char buf[2048];
	zx_view(f, buf, sizeof(buf));
	assert_non_null(strstr(buf, "stored_pages 6\n"));
	assert_non_null(strstr(buf, "stored_incompressible_pages 2\n"));
	assert_non_null(strstr(buf, "pool_total_size 16384\n"));
	/* loading an incompressible entry is a copy of the page */
	sim_time_t c;
	assert_int_equal(fx_fault(f, pid, 0, a + 0x3000, false, &c), OS_FAULT_RETRY);
	assert_int_equal(c, FX_FAULT_PS + FX_COPY_PS);
	/* munmap frees the other slots: their entries and pool pages go */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MUNMAP, a, 0x6000, 0, 0, 0), 0);
	assert_int_equal(zswap_stored_pages(f->os), 0);
	assert_int_equal(zswap_pool_pages(f->os), 0);
	assert_int_equal(zx_zspages(f, 0), 0);
	fx_free(f);
}

/*
 * The pool limit (zswap_check_limits): at max_pool_percent of RAM a store
 * is rejected (pool_limit_hit) and goes to the device, and the shrink
 * worker writes back the oldest entries (second chance: the first pass only
 * clears the referenced bits) until the pool is at accept_threshold_percent
 * of the limit (shrink_worker), counting zswpwb.  Below that threshold the
 * pool accepts stores again.
 */
static void pool_limit_writeback(void **state)
{
	struct fx *f = zx_new(1, 64, 1);
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000, ram = 0;
	(void)state;

	for (unsigned z = 0; z < MAX_NR_ZONES; z++) {
		struct zone_info zi;
		if (!physmem_zone_info(fx_phys(f), 0, (enum zone_type)z, &zi))
			ram += zi.managed;
	}
	uint64_t max = ram / 100, thr = max * 90 / 100, n = max + 2;
	fx_mmap_at(f, pid, a, n << PAGE_SHIFT, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	rx_touch(f, pid, 0, a, n);
	zx_declare(f, pid, a, n << PAGE_SHIFT, 0, 100);   /* one pool page per entry */
	for (uint64_t i = 0; i < max; i++)
		assert_int_equal(rx_swap_out_sync(f, rx_page(f, pid, a + (i << PAGE_SHIFT)), NULL), SWAPOUT_CLEAN);
	assert_int_equal(zswap_pool_pages(f->os), max);
	assert_int_equal(rx_ev(f, PSWPOUT), 0);
	/* the next one finds the pool full: rejected, written to the device; the worker writes back */
	assert_int_equal(rx_swap_out_sync(f, rx_page(f, pid, a + (max << PAGE_SHIFT)), NULL), SWAPOUT_WRITEBACK);
	assert_int_equal(rx_ev(f, ZSWPOUT), max);
	assert_int_equal(rx_ev(f, ZSWPWB), max - thr);
	assert_int_equal(zswap_pool_pages(f->os), thr);
	assert_int_equal(rx_ev(f, PSWPOUT), max - thr + 1);
	/* the oldest slots were written back: in the swap cache under writeback */
	struct swap_info *si = f->os->rcl->swap;
	for (uint64_t s = 1; s <= max - thr; s++) {
		uint64_t pfn = swap_cached(si, s);
		assert_true(pfn != SWAP_NO_PFN);
		assert_true(page_test(pfn_to_page(fx_phys(f), pfn), PG_writeback));
	}
	assert_int_equal(swap_cached(si, max - thr + 1), SWAP_NO_PFN);
	/* at the threshold the pool accepts again */
	assert_int_equal(rx_swap_out_sync(f, rx_page(f, pid, a + ((max + 1) << PAGE_SHIFT)), NULL), SWAPOUT_CLEAN);
	assert_int_equal(rx_ev(f, ZSWPOUT), max + 1);
	char buf[2048];
	zx_view(f, buf, sizeof(buf));
	assert_non_null(strstr(buf, "pool_limit_hit 1\n"));
	/* the written-back pages come back from the device, not from zswap */
	swap_writeback_end(f->os, 1000000000000ULL);
	lru_check(f->os);
	fx_free(f);
}

/*
 * Zero-filled pages never reach zswap (6.18: swap_writeout notes them in
 * the swap zeromap first, swpout_zero, no I/O); the swap-in zeroes the page
 * (swap_read_folio_zeromap: swpin_zero, no zswpin, no pswpin).  A page
 * declared otherwise later is stored again.
 */
static void zero_pages_bypass(void **state)
{
	struct fx *f = zx_new(1, 64, 20);
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000;
	(void)state;

	fx_mmap_at(f, pid, a, 0x1000, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	rx_touch(f, pid, 0, a, 1);
	zx_declare_flags(f, pid, a, 0x1000, 0, 0, PGC_ZERO);
	sim_time_t c;
	assert_int_equal(rx_swap_out_sync(f, rx_page(f, pid, a), &c), SWAPOUT_CLEAN);
	assert_true(c < ZX_COMP_PS);   /* nothing compressed */
	assert_int_equal(rx_ev(f, SWPOUT_ZERO), 1);
	assert_int_equal(rx_ev(f, ZSWPOUT), 0);
	assert_int_equal(rx_ev(f, PSWPOUT), 0);
	assert_int_equal(zswap_pool_pages(f->os), 0);
	assert_int_equal(fx_fault(f, pid, 0, a, false, &c), OS_FAULT_RETRY);
	assert_int_equal(c, FX_FAULT_PS + FX_ZERO_PS);
	assert_int_equal(rx_ev(f, SWPIN_ZERO), 1);
	assert_int_equal(rx_ev(f, ZSWPIN), 0);
	assert_int_equal(rx_ev(f, PSWPIN), 0);
	/* now declared ordinary data, written: zswap takes it */
	zx_declare(f, pid, a, 0x1000, 0, 40);
	assert_int_equal(fx_fault(f, pid, 0, a, true, NULL), OS_FAULT_RETRY);
	assert_int_equal(rx_swap_out_sync(f, rx_page(f, pid, a), NULL), SWAPOUT_CLEAN);
	assert_int_equal(rx_ev(f, ZSWPOUT), 1);
	assert_int_equal(rx_ev(f, SWPOUT_ZERO), 1);
	char err[128];
	assert_int_equal(os_page_content(f->os, pid, a, 0x1000, 3, 0, PGC_ZERO, err, sizeof(err)), -SIM_ERANGE);
	fx_free(f);
}

/* zswap off (the default): swap-out writes to the device as before, no entry, no cost. */
static void disabled_costs_nothing(void **state)
{
	struct os_cfg c = fx_os_cfg();
	c.swap_size = 16ULL << 20;
	c.swap_bandwidth = RX_SWAP_BW;
	struct fx *f = fx_new_cfg(1, 64, 2, &c);
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000;
	(void)state;

	assert_false(c.zswap.enabled);
	fx_mmap_at(f, pid, a, 0x1000, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	rx_touch(f, pid, 0, a, 1);
	assert_int_equal(rx_swap_out_sync(f, rx_page(f, pid, a), NULL), SWAPOUT_WRITEBACK);
	assert_int_equal(rx_ev(f, ZSWPOUT), 0);
	assert_int_equal(rx_ev(f, PSWPOUT), 1);
	assert_null(*swap_zswap(f->os->rcl->swap));
	fx_free(f);
}

/* Declarations: later ones cut earlier ones; content 0 + compress 0 removes; lookups by address. */
static void content_declarations(void **state)
{
	struct pgc_map m = { 0 };
	(void)state;

	assert_int_equal(pgc_declare(&m, 0x1000, 0x9000, 7, 30, 0), 0);
	assert_int_equal(pgc_declare(&m, 0x3000, 0x4000, 9, 0, 0), 0);    /* a hole in the middle: split */
	assert_int_equal(m.n, 3);
	assert_int_equal(pgc_lookup(&m, 0x2fff)->content, 7);
	assert_int_equal(pgc_lookup(&m, 0x3000)->content, 9);
	assert_int_equal(pgc_lookup(&m, 0x4000)->compress, 30);
	assert_null(pgc_lookup(&m, 0x9000));
	assert_int_equal(pgc_declare(&m, 0x2000, 0x5000, 0, 0, 0), 0);     /* removal across three */
	assert_int_equal(m.n, 2);
	assert_null(pgc_lookup(&m, 0x3000));
	assert_int_equal(pgc_lookup(&m, 0x1000)->content, 7);
	assert_int_equal(pgc_lookup(&m, 0x5000)->content, 7);
	assert_int_equal(pgc_declare(&m, 0x0, 0x10000, 3, 60, 0), 0);      /* covers everything */
	assert_int_equal(m.n, 1);
	assert_int_equal(pgc_lookup(&m, 0x8000)->content, 3);
	struct pgc_map c = { 0 };
	assert_int_equal(pgc_copy(&c, &m), 0);
	assert_int_equal(pgc_lookup(&c, 0xf000)->compress, 60);
	pgc_free(&c);
	pgc_free(&m);
	/* the record's checks: compress is a percentage, ranges do not wrap */
	struct fx *f = zx_new(1, 64, 20);
	int pid = fx_proc(f, false);
	char err[128];
	assert_int_equal(os_page_content(f->os, pid, 0x1000, 0x1000, 1, 101, 0, err, sizeof(err)), -SIM_ERANGE);
	assert_int_equal(os_page_content(f->os, pid, UINT64_MAX - 0xfff, 0x2000, 1, 0, 0, err, sizeof(err)), -SIM_ERANGE);
	assert_int_equal(os_page_content(f->os, pid, 0x1800, 0x1000, 5, 0, 0, err, sizeof(err)), 0);
	/* [0x1800, 0x2800) touches pages 0x1000 and 0x2000 */
	assert_int_equal(pgc_lookup(&os_proc(f->os, pid)->pgc, 0x1000)->content, 5);
	assert_int_equal(pgc_lookup(&os_proc(f->os, pid)->pgc, 0x2fff)->content, 5);
	assert_null(pgc_lookup(&os_proc(f->os, pid)->pgc, 0x3000));
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(store_and_load),
		cmocka_unit_test(sizes_pool_and_invalidate),
		cmocka_unit_test(pool_limit_writeback),
		cmocka_unit_test(zero_pages_bypass),
		cmocka_unit_test(disabled_costs_nothing),
		cmocka_unit_test(content_declarations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
