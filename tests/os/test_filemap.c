/*
 * tests/os/test_filemap.c - page cache hits and misses, read timing,
 * writeback thresholds, file mappings (read fault, fault-around, shared
 * write, private COW), reclaim of clean cache and workingset refaults.
 */
#include "tests/os/reclaim_fixture.h"

static struct file_obj *file_of(struct fx *f, int pid, int64_t fd)
{
	return filemap_file(f->os, os_proc(f->os, pid), fd);
}

/* read(): a miss reads the run in one request and waits for it; a second read hits. */
static void read_miss_then_hit(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 0);
	int pid = fx_proc(f, false);
	sim_time_t cost;
	(void)state;

	/* 4 pages: 4 us transfer + 10 us latency + syscall + copy of 16 KiB */
	assert_int_equal(fx_sys6(f, pid, 0, OS_SYS_FILE_READ, 5, 0, 4 * PAGE_SIZE, 0, 0, 0, FX_NONE, &cost), 0);
	assert_int_equal(cost, FX_SYSCALL_PS + 14000000 + 4 * FX_COPY_PS);
	assert_int_equal(f->os->rcl->disk->reads, 1);
	assert_int_equal(rx_node(f, 0, NR_FILE_PAGES), 4);
	assert_int_equal(rx_node(f, 0, NR_INACTIVE_FILE), 4);
	assert_int_equal(rx_ev(f, PGPGIN), 16);
	assert_int_equal(filemap_stat(f->os, FM_MISSES), 1);
	struct file_obj *fo = file_of(f, pid, 5);
	for (uint64_t i = 0; i < 4; i++)
		assert_non_null(filemap_lookup(f->os, fo, i));
	assert_null(filemap_lookup(f->os, fo, 4));
	/* hit: no I/O, only the copy */
	assert_int_equal(fx_sys6(f, pid, 0, OS_SYS_FILE_READ, 5, 100, 2000, 0, 0, 0, FX_NONE, &cost), 0);
	assert_int_equal(cost, FX_SYSCALL_PS + FX_COPY_PS * 2000 / 4096);
	assert_int_equal(f->os->rcl->disk->reads, 1);
	/* the second access activated page 0 (mark_page_accessed twice) */
	assert_int_equal(page_lru(filemap_lookup(f->os, fo, 0)), LRU_ACTIVE_FILE);
	/* another process tree has its own fd 5 */
	int other = fx_proc(f, false);
	assert_true(file_of(f, other, 5) != fo);
	int child;
	assert_int_equal(os_process_fork(f->os, pid, 0, &child), 0);
	assert_true(file_of(f, child, 5) == fo);
	lru_check(f->os);
	fx_free(f);
}

/* write(): dirty pages, background writeback past dirty_background_ratio, throttling past dirty_ratio. */
static void writeback_thresholds(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 0);
	int pid = fx_proc(f, false);
	sim_time_t cost;
	(void)state;

	assert_int_equal(fx_sys6(f, pid, 0, OS_SYS_FILE_WRITE, 3, 0, 100 * PAGE_SIZE, 0, 0, 0, FX_NONE, &cost), 0);
	assert_int_equal(rx_node(f, 0, NR_FILE_DIRTY), 100);
	assert_int_equal(rx_node(f, 0, NR_DIRTIED), 100);
	assert_int_equal(f->os->rcl->disk->writes, 0);   /* far below the background threshold */
	assert_int_equal(cost, FX_SYSCALL_PS + 100 * FX_COPY_PS);
	/* ~16k dirtyable pages: background 10 % ~ 1.6k; 4000 pages push well past it */
	assert_int_equal(fx_sys6(f, pid, 0, OS_SYS_FILE_WRITE, 3, 100 * PAGE_SIZE, 4000 * PAGE_SIZE, 0, 0, 0, FX_NONE,
				 &cost), 0);
	uint64_t dirty = rx_node(f, 0, NR_FILE_DIRTY), written = rx_node(f, 0, NR_WRITTEN);
	assert_true(written > 0);
	assert_int_equal(dirty + written, 4100);
	assert_int_equal(f->os->rcl->disk->writes, written);
	assert_int_equal(rx_ev(f, PGPGOUT), written * 4);
	/* dirty is back at the background threshold; the queued writes made the writer wait */
	assert_true(dirty < 1700);
	assert_true(filemap_stat(f->os, FM_THROTTLED) >= 1);
	assert_true(cost > FX_SYSCALL_PS + 4000 * FX_COPY_PS);
	assert_int_equal(zone_stat(fx_phys(f), 0, ZONE_NORMAL, NR_ZONE_WRITE_PENDING) +
				 zone_stat(fx_phys(f), 0, ZONE_DMA32, NR_ZONE_WRITE_PENDING) +
				 zone_stat(fx_phys(f), 0, ZONE_DMA, NR_ZONE_WRITE_PENDING) +
				 zone_stat(fx_phys(f), 0, ZONE_MOVABLE, NR_ZONE_WRITE_PENDING), dirty);
	lru_check(f->os);
	fx_free(f);
}

/* mmap of a file: read fault (major, readahead, read-only), fault-around, shared write, private COW. */
static void file_mappings(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 0);
	int pid = fx_proc(f, false);
	uint64_t a = 0x20000000, b = 0x30000000;
	(void)state;

	assert_int_equal(fx_sys6(f, pid, 0, OS_SYS_MMAP, a, 64 * PAGE_SIZE, PROT_RW, MAP_SHARED_F | MAP_FIXED_, 7, 0,
				 FX_NONE, NULL), 0);
	sim_time_t cost;
	assert_int_equal(fx_fault(f, pid, 0, a, false, &cost), OS_FAULT_RETRY);
	struct process *p = os_proc(f->os, pid);
	assert_int_equal(p->maj_flt, 1);
	assert_int_equal(rx_ev(f, PGMAJFAULT), 1);
	/* readahead: 128 KiB = 32 pages in one request, 32 us + 10 us */
	assert_int_equal(rx_node(f, 0, NR_FILE_PAGES), 32);
	assert_int_equal(cost, FX_FAULT_PS + 3 * FX_ZERO_PS + 42000000);   /* + three new zeroed page tables */
	uint64_t pte = fx_pte(f, pid, a, NULL);
	assert_true((pte & PTE_P) && !(pte & PTE_RW));
	/* fault-around mapped the other 15 pages of the 64 KiB window */
	assert_int_equal(filemap_stat(f->os, FM_FAULTAROUND), 15);
	assert_true(fx_pte(f, pid, a + 15 * PAGE_SIZE, NULL) & PTE_P);
	assert_int_equal(fx_pte(f, pid, a + 16 * PAGE_SIZE, NULL), 0);
	assert_int_equal(p->rss_file, 16);
	assert_int_equal(rx_node(f, 0, NR_FILE_MAPPED), 16);
	/* a store to the shared mapping: write fault, page dirtied */
	assert_int_equal(fx_fault(f, pid, 0, a, true, NULL), OS_FAULT_RETRY);
	assert_true(fx_pte(f, pid, a, NULL) & PTE_RW);
	assert_int_equal(rx_node(f, 0, NR_FILE_DIRTY), 1);
	/* a private mapping of the same file: a store gets an anonymous copy, the cache page stays clean */
	assert_int_equal(fx_sys6(f, pid, 0, OS_SYS_MMAP, b, 4 * PAGE_SIZE, PROT_RW, MAP_PRIVATE_F | MAP_FIXED_, 7,
				 PAGE_SIZE, FX_NONE, NULL), 0);
	assert_int_equal(fx_fault(f, pid, 0, b, true, NULL), OS_FAULT_RETRY);
	struct page *cow = rx_page(f, pid, b);
	assert_true(page_test(cow, PG_anon));
	assert_int_equal(p->rss_anon, 1);
	assert_false(page_test(filemap_lookup(f->os, file_of(f, pid, 7), 1), PG_dirty));
	/* munmap keeps the cache; dirty PTE bits reach the page */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MUNMAP, a, 64 * PAGE_SIZE, 0, 0, 0), 0);
	assert_int_equal(p->rss_file, 0);
	assert_int_equal(rx_node(f, 0, NR_FILE_PAGES), 32);
	assert_int_equal(rx_node(f, 0, NR_FILE_DIRTY), 1);
	lru_check(f->os);
	fx_free(f);
}

/* Reclaim drops clean cache (mapped or not), kswapd writes dirty pages, refaults are detected. */
static void reclaim_and_refault(void **state)
{
	struct fx *f = rx_new(1, 64, 2, 0);
	int pid = fx_proc(f, false);
	(void)state;

	assert_int_equal(fx_sys(f, pid, OS_SYS_FILE_READ, 9, 0, 64 * PAGE_SIZE, 0, 0), 0);
	assert_int_equal(fx_sys(f, pid, OS_SYS_FILE_WRITE, 10, 0, 8 * PAGE_SIZE, 0, 0), 0);
	struct scan_control sc = { .nr_to_reclaim = 1000, .reclaim_idx = ZONE_MOVABLE, .priority = 0,
				   .may_writepage = true, .may_unmap = true, .may_swap = true, .is_kswapd = true };
	/* first pass: every page was referenced once by read()/write() -> clean ones reclaimed, dirty kept */
	shrink_node(f->os, 0, &sc);
	assert_int_equal(sc.nr_reclaimed, 64);
	assert_int_equal(rx_node(f, 0, NR_FILE_PAGES), 8);
	assert_int_equal(rx_ev(f, PGSTEAL_FILE), 64);
	/* second pass: the dirty ones are no longer referenced: kswapd writes and frees them */
	sc = (struct scan_control){ .nr_to_reclaim = 1000, .reclaim_idx = ZONE_MOVABLE, .priority = 0,
				    .may_writepage = true, .may_unmap = true, .may_swap = true, .is_kswapd = true };
	shrink_node(f->os, 0, &sc);
	assert_int_equal(sc.nr_reclaimed, 8);
	assert_int_equal(rx_node(f, 0, NR_VMSCAN_WRITE), 8);
	assert_int_equal(rx_node(f, 0, NR_FILE_DIRTY), 0);
	assert_int_equal(rx_node(f, 0, NR_FILE_PAGES), 0);
	/* reading file 9 again: refaults within the workingset distance are activated */
	assert_int_equal(fx_sys(f, pid, OS_SYS_FILE_READ, 9, 0, PAGE_SIZE, 0, 0), 0);
	assert_int_equal(rx_node(f, 0, WORKINGSET_REFAULT_FILE), 1);
	lru_check(f->os);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(read_miss_then_hit),
		cmocka_unit_test(writeback_thresholds),
		cmocka_unit_test(file_mappings),
		cmocka_unit_test(reclaim_and_refault),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
