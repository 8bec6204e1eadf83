/*
 * tests/os/test_zram.c - zram as the swap device (drivers/block/zram/zram_drv.c):
 * synchronous compressed writes and reads, incompressible (huge) pages,
 * mem_limit, no readahead, and the mm_stat line.
 */
#include <inttypes.h>
#include "tests/os/reclaim_fixture.h"
#include "os/page_content.h"
#include "os/zram.h"

#define ZR_COMP_PS   3000000ULL   /* 3 us per page compressed */
#define ZR_DECOMP_PS 1000000ULL   /* 1 us per page decompressed */

static struct fx *zr_new(uint64_t mem_limit)
{
	struct os_cfg c = rx_cfg(16);
	c.reclaim_pass_cost = fx_os_cfg().reclaim_pass_cost;
	c.zram.enabled = true;
	c.zram.compress_cost = ZR_COMP_PS;
	c.zram.decompress_cost = ZR_DECOMP_PS;
	c.zram.mem_limit = mem_limit;
	return fx_new_cfg(1, 64, 2, &c);
}

static void zr_mm_stat(struct fx *f, uint64_t v[9])
{
	FILE *fp = tmpfile();
	char line[256];
	zram_mm_stat(f->os, fp);
	rewind(fp);
	assert_non_null(fgets(line, sizeof(line), fp));
	fclose(fp);
	assert_int_equal(sscanf(line, "%" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64
				" %" SCNu64 " %" SCNu64, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8]), 9);
	assert_int_equal(line[strlen(line) - 1], '\n');
}

/*
 * zram_write_page / zram_read_page: the write compresses on the reclaiming
 * CPU and is done (pswpout, no device time: the page is freed at once); a
 * page compressing to huge_class_size or more is stored as it is
 * (huge_pages); the read decompresses on the faulting CPU (pswpin, a major
 * fault), with no readahead of the neighbouring slot (SWP_SYNCHRONOUS_IO).
 */
static void write_and_read(void **state)
{
	struct fx *f = zr_new(0);
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000;
	char err[128];
	(void)state;

	fx_mmap_at(f, pid, a, 0x3000, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	rx_touch(f, pid, 0, a, 3);
	assert_int_equal(os_page_content(f->os, pid, a, 0x2000, 0, 25, 0, err, sizeof(err)), 0);      /* 1024 B */
	assert_int_equal(os_page_content(f->os, pid, a + 0x2000, 0x1000, 0, 85, 0, err, sizeof(err)), 0);  /* 3481 B: huge */
	sim_time_t c;
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(rx_swap_out_sync(f, rx_page(f, pid, a + i * 0x1000ULL), &c), SWAPOUT_CLEAN);
		assert_true(c >= ZR_COMP_PS && c < ZR_COMP_PS + 1000000);   /* no device time */
	}
	assert_int_equal(rx_ev(f, PSWPOUT), 3);
	assert_int_equal(zram_stored_pages(f->os), 3);
	uint64_t v[9];
	zr_mm_stat(f, v);
	assert_int_equal(v[0], 3 * 4096);              /* orig_data_size */
	assert_int_equal(v[1], 1024 + 1024 + 4096);    /* compr_data_size */
	assert_int_equal(v[2], 2 * 4096);              /* mem_used_total: 6144 B of objects */
	assert_int_equal(v[7], 1);                     /* huge_pages */
	assert_int_equal(v[8], 1);                     /* huge_pages_since */
	/* the read: decompression only, and only the faulting slot */
	uint64_t maj = rx_ev(f, PGMAJFAULT);
	assert_int_equal(fx_fault(f, pid, 1, a, false, &c), OS_FAULT_RETRY);
	assert_int_equal(c, FX_FAULT_PS + ZR_DECOMP_PS);
	assert_int_equal(rx_ev(f, PSWPIN), 1);
	assert_int_equal(rx_ev(f, SWAP_RA), 0);
	assert_int_equal(rx_ev(f, PGMAJFAULT), maj + 1);
	assert_true(page_test(rx_page(f, pid, a), PG_dirty));
	assert_int_equal(zram_stored_pages(f->os), 2);
	/* a huge object is read back by a copy */
	assert_int_equal(fx_fault(f, pid, 1, a + 0x2000, false, &c), OS_FAULT_RETRY);
	assert_int_equal(c, FX_FAULT_PS + FX_COPY_PS);
	zr_mm_stat(f, v);
	assert_int_equal(v[7], 0);
	assert_int_equal(v[8], 1);
	assert_int_equal(v[4], 2 * 4096);              /* mem_used_max */
	/* munmap frees the last slot and its object */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MUNMAP, a, 0x3000, 0, 0, 0), 0);
	assert_int_equal(zram_stored_pages(f->os), 0);
	assert_int_equal(zram_pool_pages(f->os), 0);
	lru_check(f->os);
	fx_free(f);
}

/* zram_can_store_page: past mem_limit a write fails and the page stays, dirty, in the swap cache. */
static void mem_limit(void **state)
{
	struct fx *f = zr_new(2 * 4096);
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000;
	char err[128];
	(void)state;

	fx_mmap_at(f, pid, a, 0x3000, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	rx_touch(f, pid, 0, a, 3);
	assert_int_equal(os_page_content(f->os, pid, a, 0x3000, 0, 100, 0, err, sizeof(err)), 0);
	assert_int_equal(rx_swap_out_sync(f, rx_page(f, pid, a), NULL), SWAPOUT_CLEAN);
	assert_int_equal(rx_swap_out_sync(f, rx_page(f, pid, a + 0x1000), NULL), SWAPOUT_CLEAN);
	struct page *pg = rx_page(f, pid, a + 0x2000);
	assert_int_equal(rx_swap_out_sync(f, pg, NULL), SWAPOUT_WRITEBACK);
	assert_true(page_test(pg, PG_dirty) && page_test(pg, PG_swapcache) && !page_test(pg, PG_writeback));
	assert_int_equal(rx_ev(f, PSWPOUT), 2);
	uint64_t v[9];
	zr_mm_stat(f, v);
	assert_int_equal(v[2], 2 * 4096);
	assert_int_equal(v[3], 2 * 4096);   /* mem_limit */
	assert_int_equal(v[4], 2 * 4096);   /* the failed write's page is not counted in mem_used_max */
	/* room again: the same page is written at the next try */
	assert_int_equal(fx_fault(f, pid, 0, a, false, NULL), OS_FAULT_RETRY);
	assert_int_equal(rx_swap_out_sync(f, pg, NULL), SWAPOUT_CLEAN);
	assert_int_equal(rx_ev(f, PSWPOUT), 3);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(write_and_read),
		cmocka_unit_test(mem_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
