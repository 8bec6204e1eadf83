/*
 * tests/os/test_memory_hotplug.c - memory blocks, offline_pages and
 * online_pages (os/memory_hotplug.c), each test citing the Linux function
 * it follows: block layout and the sysfs view, offlining migrates the
 * block's pages to another node and recomputes watermarks, EBUSY for an
 * unmovable or a pinned page, online_movable makes a ZONE_MOVABLE that only
 * movable allocations use, a node without memory leaves the zonelists.
 */
#include "tests/os/os_fixture.h"
#include "os/memory_hotplug.h"

#define PROT_RW 3
#define MAP_PRIV_ANON 0x22
#define MAP_FIXED_ 0x10
#define BLOCK_PAGES 32768ULL   /* 128 MiB */

static struct zone_info zinfo(struct fx *f, unsigned nid, enum zone_type z)
{
	struct zone_info zi;
	assert_int_equal(physmem_zone_info(fx_phys(f), nid, z, &zi), 0);
	return zi;
}

static int alloc_on(struct fx *f, unsigned nid, gfp_t gfp, uint64_t *pfn)
{
	nodemask_t only;
	nodes_clear(&only);
	node_set(nid, &only);
	struct alloc_ctx ac = { .order = 0, .gfp = gfp | __GFP_THISNODE, .preferred_nid = (int)nid, .nodemask = &only,
				.cpu = 2 * nid };
	return page_alloc(fx_phys(f), &ac, pfn, NULL);
}

/* probe_memory_block_size (arch/x86/mm/init_64.c): 128 MiB below 64 GiB of address space; sysfs layout. */
static void test_blocks_and_view(void **state)
{
	(void)state;
	struct fx *f = fx_new(2, 256, 2);
	assert_int_equal(memory_block_size_bytes(f->os), 128ULL << 20);
	char *v = fx_dump(f, "memory-blocks");
	assert_non_null(strstr(v, "/sys/devices/system/memory/block_size_bytes:8000000\n"));
	assert_non_null(strstr(v, "/sys/devices/system/memory/memory3/node:1\n"
				  "/sys/devices/system/memory/memory3/phys_index:00000003\n"
				  "/sys/devices/system/memory/memory3/state:online\n"
				  "/sys/devices/system/memory/memory3/valid_zones:Normal\n"));
	assert_null(strstr(v, "memory4"));
	free(v);
	fx_free(f);
	/* 2 nodes x 32 GiB end at 64 GiB: 2 GiB blocks (bare metal) */
	f = fx_new(2, 32768, 1);
	assert_int_equal(memory_block_size_bytes(f->os), 2ULL << 30);
	fx_free(f);
}

/*
 * memory3 (node 1's top block) offlined and onlined movable: the recipe for
 * memory meant to be removed again, since page tables (unmovable) then stay
 * in memory2.
 */
static void make_movable_block(struct fx *f)
{
	sim_time_t cost = 0;
	assert_int_equal(memory_offline(f->os, 3, 0, 0, &cost), 0);
	assert_int_equal(memory_online(f->os, 3, MMOP_ONLINE_MOVABLE), 0);
}

/* 16 << shift user pages of node 1 at a, faulted by CPU 2; they land in the movable block. */
static void fault_node1(struct fx *f, int pid, uint64_t a, unsigned n)
{
	fx_mmap_at(f, pid, a, n * PAGE_SIZE, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(fx_fault(f, pid, 2, a + i * PAGE_SIZE, true, NULL), OS_FAULT_RETRY);
		assert_int_equal(pte_pfn(fx_pte(f, pid, a + i * PAGE_SIZE, NULL)) / BLOCK_PAGES, 3);
	}
}

/*
 * offline_pages -> __offline_isolated_pages, adjust_managed_page_count,
 * then init_per_zone_wmark_min: min_free_kbytes is recomputed and every
 * zone's MIN = pages_min * managed / lowmem_pages (setup_per_zone_wmarks).
 */
static void test_offline_recomputes_wmarks(void **state)
{
	(void)state;
	struct fx *f = fx_new(2, 256, 2);
	sim_time_t cost = 0;
	uint64_t pfn;

	struct zone_info before = zinfo(f, 1, ZONE_NORMAL);
	assert_int_equal(memory_offline(f->os, 3, 2, 0, &cost), 0);
	struct zone_info z1 = zinfo(f, 1, ZONE_NORMAL), z0 = zinfo(f, 0, ZONE_NORMAL);
	assert_int_equal(z1.present, before.present - BLOCK_PAGES);
	assert_int_equal(z1.managed, before.managed - BLOCK_PAGES);
	assert_int_equal(z1.spanned, before.spanned);
	uint64_t pages_min = physmem_min_free_kbytes(fx_phys(f)) >> 2, lowmem = z0.managed + z1.managed;
	assert_int_equal(z1.watermark[WMARK_MIN], pages_min * z1.managed / lowmem);
	assert_int_equal(z0.watermark[WMARK_MIN], pages_min * z0.managed / lowmem);
	assert_true(z1.watermark[WMARK_MIN] < before.watermark[WMARK_MIN]);
	char *v = fx_dump(f, "memory-blocks");
	assert_non_null(strstr(v, "memory3/state:offline\n"));
	free(v);
	v = fx_dump(f, "zoneinfo");
	assert_non_null(strstr(v, "        spanned  65536\n        present  32768\n        managed  32768\n"));
	free(v);
	/* the block is gone from the allocator: node 1 hands out only memory2 */
	for (int i = 0; i < 1000; i++) {
		assert_int_equal(alloc_on(f, 1, GFP_HIGHUSER_MOVABLE, &pfn), 0);
		assert_int_equal(pfn / BLOCK_PAGES, 2);
	}
	/*
	 * online again: present and managed are back, MIN follows the same
	 * formula.  It ends a little below boot's: calculate_min_free_kbytes
	 * takes nr_free_buffer_pages(), managed minus HIGH, and HIGH was 0 at
	 * boot (init_per_zone_wmark_min runs before any watermark is set).
	 */
	assert_int_equal(memory_online(f->os, 3, MMOP_ONLINE), 0);
	z1 = zinfo(f, 1, ZONE_NORMAL);
	z0 = zinfo(f, 0, ZONE_NORMAL);
	assert_int_equal(z1.present, before.present);
	assert_int_equal(z1.managed, before.managed);
	pages_min = physmem_min_free_kbytes(fx_phys(f)) >> 2;
	assert_int_equal(z1.watermark[WMARK_MIN], pages_min * z1.managed / (z0.managed + z1.managed));
	assert_true(z1.watermark[WMARK_MIN] < before.watermark[WMARK_MIN]);
	assert_true(z1.watermark[WMARK_MIN] > before.watermark[WMARK_MIN] * 99 / 100);
	fx_free(f);
}

/*
 * do_migrate_range: the block's movable pages go to another node (the
 * source node is cleared from the target mask unless it is the only one),
 * keeping their mappings; the writer pays for the migrations.
 */
static void test_offline_migrates_to_other_node(void **state)
{
	(void)state;
	struct fx *f = fx_new(2, 256, 2);
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000;
	sim_time_t cost = 0;

	make_movable_block(f);
	fault_node1(f, pid, a, 64);
	uint64_t mig0 = vmstat_event(fx_phys(f), PGMIGRATE_SUCCESS);
	assert_int_equal(memory_offline(f->os, 3, 2, 0, &cost), 0);
	assert_int_equal(vmstat_event(fx_phys(f), PGMIGRATE_SUCCESS) - mig0, 64);
	for (int i = 0; i < 64; i++)
		assert_int_equal(pfn_to_nid(fx_phys(f), pte_pfn(fx_pte(f, pid, a + i * PAGE_SIZE, NULL))), 0);
	assert_true(cost >= 64 * (f->cfg.migrate_page_cost + FX_COPY_PS));
	assert_false(zinfo(f, 1, ZONE_MOVABLE).populated);
	char *m = fx_numa_maps(f, pid);
	assert_non_null(strstr(m, "N0=64"));
	free(m);
	fx_free(f);
}

/*
 * has_unmovable_pages (mm/page_isolation.c): a kernel page in the block
 * fails start_isolate_page_range with -EBUSY, nothing changes.  A pinned
 * user page cannot be migrated: offline_pages would retry until a signal;
 * numasim stops when a pass frees nothing and returns -EBUSY, undoing the
 * isolation (the other pages did move).
 */
static void test_offline_ebusy(void **state)
{
	(void)state;
	struct fx *f = fx_new(2, 256, 2);
	uint64_t pfn;
	sim_time_t cost = 0;
	char err[256];

	assert_int_equal(alloc_on(f, 1, GFP_KERNEL, &pfn), 0);
	assert_int_equal(pfn / BLOCK_PAGES, 2);
	struct zone_info before = zinfo(f, 1, ZONE_NORMAL);
	assert_int_equal(memory_offline(f->os, 2, 2, 0, &cost), -SIM_EBUSY);
	assert_int_equal(zinfo(f, 1, ZONE_NORMAL).present, before.present);
	assert_int_equal(zinfo(f, 1, ZONE_NORMAL).nr_free, before.nr_free);
	assert_int_equal(get_pageblock_migratetype(fx_phys(f), 2 * BLOCK_PAGES + 1024), MIGRATE_MOVABLE);
	assert_int_equal(buddy_verify(fx_phys(f), err, sizeof(err)), 0);
	page_free(fx_phys(f), pfn, 0, 2);

	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000;
	make_movable_block(f);
	fault_node1(f, pid, a, 16);
	struct page *pinned = pfn_to_page(fx_phys(f), pte_pfn(fx_pte(f, pid, a, NULL)));
	pinned->refcount++;
	before = zinfo(f, 1, ZONE_MOVABLE);
	assert_int_equal(fx_sys(f, pid, OS_SYS_MEMORY_OFFLINE, 1, 3, 0, 0, 0), -SIM_EBUSY);
	assert_int_equal(pte_pfn(fx_pte(f, pid, a, NULL)), pinned->pfn);
	for (int i = 1; i < 16; i++)
		assert_int_equal(pfn_to_nid(fx_phys(f), pte_pfn(fx_pte(f, pid, a + i * PAGE_SIZE, NULL))), 0);
	assert_int_equal(zinfo(f, 1, ZONE_MOVABLE).present, before.present);
	assert_int_equal(buddy_verify(fx_phys(f), err, sizeof(err)), 0);
	char *v = fx_dump(f, "memory-blocks");
	assert_non_null(strstr(v, "memory3/state:online\n"));
	free(v);
	pinned->refcount--;
	/* unpinned, the same record succeeds */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MEMORY_OFFLINE, 1, 3, 0, 0, 0), 0);
	assert_int_equal(pfn_to_nid(fx_phys(f), pte_pfn(fx_pte(f, pid, a, NULL))), 0);
	fx_free(f);
}

/* A GFP_KERNEL page of node 1 claims a pageblock of block 2 for UNMOVABLE and is freed: @return its pfn. */
static uint64_t unmovable_pageblock(struct fx *f)
{
	uint64_t kpfn;

	assert_int_equal(alloc_on(f, 1, GFP_KERNEL, &kpfn), 0);
	assert_int_equal(kpfn / BLOCK_PAGES, 2);
	page_free(fx_phys(f), kpfn, 0, 2);
	drain_all_pages(fx_phys(f));
	assert_int_equal(get_pageblock_migratetype(fx_phys(f), kpfn), MIGRATE_UNMOVABLE);
	return kpfn;
}

/*
 * A failed offline gives each pageblock back the migratetype it had
 * (mm/memory_hotplug.c offline_pages, failed_removal_isolated ->
 * undo_isolate_page_range; since Linux 6.16 isolation is a bit of its own,
 * PB_migrate_isolate, so the type survives it).  A GFP_KERNEL page on
 * node 1 claims a pageblock of block 2 for MIGRATE_UNMOVABLE, which stays
 * so after the page is freed; a pinned user page in the same memory block
 * makes the offline fail after isolation: the UNMOVABLE pageblock is
 * UNMOVABLE again (before: MOVABLE), the others MOVABLE.
 */
static void test_failed_offline_restores_types(void **state)
{
	(void)state;
	struct fx *f = fx_new(2, 256, 2);
	uint64_t kpfn = unmovable_pageblock(f);
	sim_time_t cost = 0;
	char err[256];

	/* a user page of block 2, pinned */
	uint64_t upfn;
	assert_int_equal(alloc_on(f, 1, GFP_HIGHUSER_MOVABLE, &upfn), 0);
	assert_int_equal(upfn / BLOCK_PAGES, 2);
	int pid = fx_proc(f, false);
	uint64_t a = 0x10000000;
	page_free(fx_phys(f), upfn, 0, 2);
	fx_mmap_at(f, pid, a, 64 * PAGE_SIZE, PROT_RW, MAP_PRIV_ANON | MAP_FIXED_);
	/* data on node 1, page tables on the faulting CPU's node 0 (they would be unmovable in block 2) */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MBIND, a, 64 * PAGE_SIZE, 2 /* MPOL_BIND */, 1u << 1, 0), 0);
	struct page *pinned = NULL;
	for (unsigned i = 0; i < 64 && !pinned; i++) {
		assert_int_equal(fx_fault(f, pid, 0, a + i * PAGE_SIZE, true, NULL), OS_FAULT_RETRY);
		uint64_t p = pte_pfn(fx_pte(f, pid, a + i * PAGE_SIZE, NULL));
		if (p / BLOCK_PAGES == 2)
			pinned = pfn_to_page(fx_phys(f), p);
	}
	assert_non_null(pinned);
	pinned->refcount++;
	uint64_t movable_pb = 2 * BLOCK_PAGES + BLOCK_PAGES / 2;   /* untouched: MOVABLE */
	assert_int_equal(get_pageblock_migratetype(fx_phys(f), movable_pb), MIGRATE_MOVABLE);
	assert_int_equal(memory_offline(f->os, 2, 2, 0, &cost), -SIM_EBUSY);
	assert_true(cost > 0);   /* failed after isolating and migrating, not at has_unmovable_pages */
	assert_int_equal(get_pageblock_migratetype(fx_phys(f), kpfn), MIGRATE_UNMOVABLE);
	assert_int_equal(get_pageblock_migratetype(fx_phys(f), movable_pb), MIGRATE_MOVABLE);
	assert_int_equal(get_pageblock_migratetype(fx_phys(f), pinned->pfn), MIGRATE_MOVABLE);
	assert_int_equal(buddy_verify(fx_phys(f), err, sizeof(err)), 0);
	pinned->refcount--;
	fx_free(f);
}

/*
 * Pageblock types are set when memory comes online, not when it goes:
 * offline_pages / __offline_isolated_pages change no migratetype (the
 * blocks stay isolated over their own type), and online_pages makes every
 * pageblock of the block MOVABLE (mm/memory_hotplug.c online_pages ->
 * move_pfn_range_to_zone -> mm/mm_init.c memmap_init_range ->
 * init_pageblock_migratetype(MIGRATE_MOVABLE, isolate), then
 * undo_isolate_page_range).  A GFP_KERNEL page claims a pageblock of block
 * 2 for UNMOVABLE; freed, the block is offlined: the pageblock is still
 * UNMOVABLE beneath its isolation (before: MOVABLE already), and MOVABLE
 * once the block is back online.
 */
static void test_types_set_at_online(void **state)
{
	(void)state;
	struct fx *f = fx_new(2, 256, 2);
	uint64_t kpfn = unmovable_pageblock(f);
	sim_time_t cost = 0;
	char err[256];

	assert_int_equal(memory_offline(f->os, 2, 2, 0, &cost), 0);
	assert_int_equal(get_pageblock_migratetype(fx_phys(f), kpfn), MIGRATE_ISOLATE);
	assert_int_equal(get_pageblock_type_under_isolation(fx_phys(f), kpfn), MIGRATE_UNMOVABLE);
	assert_int_equal(memory_online(f->os, 2, MMOP_ONLINE), 0);
	for (uint64_t pfn = 2 * BLOCK_PAGES; pfn < 3 * BLOCK_PAGES; pfn += PAGEBLOCK_NR_PAGES)
		assert_int_equal(get_pageblock_migratetype(fx_phys(f), pfn), MIGRATE_MOVABLE);
	assert_int_equal(buddy_verify(fx_phys(f), err, sizeof(err)), 0);
	fx_free(f);
}

/*
 * online_pages with MMOP_ONLINE_MOVABLE: the block joins ZONE_MOVABLE,
 * which gfp_zone gives only to __GFP_MOVABLE requests; valid_zones of the
 * offline block lists the default zone first, then the others allowed.
 */
static void test_online_movable(void **state)
{
	(void)state;
	struct fx *f = fx_new(2, 256, 2);
	uint64_t pfn;
	sim_time_t cost = 0;
	int pid = fx_proc(f, false);

	/* -1: the highest online block of node 1, memory3 */
	assert_int_equal(fx_sys(f, pid, OS_SYS_MEMORY_OFFLINE, 1, (uint64_t)-1, 0, 0, 0), 0);
	char *v = fx_dump(f, "memory-blocks");
	assert_non_null(strstr(v, "memory3/state:offline\n"));
	assert_non_null(strstr(v, "memory3/valid_zones:Normal Movable\n"));
	assert_non_null(strstr(v, "memory2/valid_zones:Normal\n"));
	free(v);
	assert_int_equal(fx_sys6(f, pid, 0, OS_SYS_MEMORY_ONLINE, 1, (uint64_t)-1, MMOP_ONLINE_MOVABLE, 0, 0, 0, FX_NONE,
				 &cost), 0);
	struct zone_info zm = zinfo(f, 1, ZONE_MOVABLE);
	assert_true(zm.populated);
	assert_int_equal(zm.start_pfn, 3 * BLOCK_PAGES);
	assert_int_equal(zm.present, BLOCK_PAGES);
	assert_int_equal(zinfo(f, 1, ZONE_NORMAL).spanned, BLOCK_PAGES);
	v = fx_dump(f, "memory-blocks");
	assert_non_null(strstr(v, "memory3/valid_zones:Movable\n"));
	free(v);
	/* kernel allocations never get ZONE_MOVABLE; movable ones take it first (zonelist: highest zone first) */
	for (int i = 0; i < 2000; i++) {
		assert_int_equal(alloc_on(f, 1, GFP_KERNEL, &pfn), 0);
		assert_int_equal(pfn / BLOCK_PAGES, 2);
	}
	assert_int_equal(alloc_on(f, 1, GFP_HIGHUSER_MOVABLE, &pfn), 0);
	assert_int_equal(pfn / BLOCK_PAGES, 3);
	assert_int_equal(pfn_to_zone(fx_phys(f), pfn), ZONE_MOVABLE);
	page_free(fx_phys(f), pfn, 0, 2);
	/* a zone other than 0..2 is EINVAL */
	assert_int_equal(fx_sys6(f, pid, 0, OS_SYS_MEMORY_ONLINE, 1, 3, 3, 0, 0, 0, FX_NONE, NULL), -SIM_ERANGE);
	fx_free(f);
}

/*
 * Offlining a node's last block leaves it without memory: node_states_clear_node
 * drops N_MEMORY and build_all_zonelists leaves it out of every zonelist.
 */
static void test_node_becomes_memoryless(void **state)
{
	(void)state;
	struct fx *f = fx_new(2, 256, 2);
	unsigned order[HW_MAX_NODES];
	sim_time_t cost = 0;

	assert_int_equal(physmem_node_order(fx_phys(f), 0, order), 2);
	assert_int_equal(memory_offline(f->os, 3, 0, 0, &cost), 0);
	assert_int_equal(memory_offline(f->os, 2, 0, 0, &cost), 0);
	assert_false(zinfo(f, 1, ZONE_NORMAL).populated);
	assert_int_equal(physmem_node_order(fx_phys(f), 0, order), 1);
	assert_int_equal(order[0], 0);
	assert_false(node_isset(1, &f->os->sys.memory_nodes));
	/* node 1's CPUs now allocate on node 0 */
	uint64_t pfn;
	struct alloc_ctx ac = { .order = 0, .gfp = GFP_KERNEL, .preferred_nid = NUMA_NO_NODE, .cpu = 2 };
	assert_int_equal(page_alloc(fx_phys(f), &ac, &pfn, NULL), 0);
	assert_int_equal(pfn_to_nid(fx_phys(f), pfn), 0);
	assert_int_equal(memory_online(f->os, 2, MMOP_ONLINE), 0);
	assert_true(node_isset(1, &f->os->sys.memory_nodes));
	assert_int_equal(physmem_node_order(fx_phys(f), 0, order), 2);
	fx_free(f);
}

/*
 * A block in the middle of untouched memory: the allocator hands out
 * everything around it and nothing in it (numasim keeps the untouched
 * memory around the block without descriptors, os/page_alloc.c
 * pristine_cut), and all of it again once the block is back online.
 */
static void test_offline_middle_block(void **state)
{
	(void)state;
	struct fx *f = fx_new(1, 1024, 1);
	physmem_t *pm = fx_phys(f);
	sim_time_t cost = 0;
	uint64_t pfn, n = 0, host0 = physmem_host_bytes(pm);
	char err[256];

	assert_int_equal(memory_offline(f->os, 2, 0, 0, &cost), 0);
	/* descriptors for the block only, not one pageblock in two of the 640 MiB above it (5 MiB) */
	assert_true(physmem_host_bytes(pm) - host0 < BLOCK_PAGES * sizeof(struct page) + (1u << 20));
	assert_int_equal(buddy_verify(pm, err, sizeof(err)), 0);
	physmem_set_debug_vm(pm, false);
	uint64_t free0 = zinfo(f, 0, ZONE_NORMAL).nr_free;
	while (!alloc_on(f, 0, GFP_NOWAIT | __GFP_MOVABLE, &pfn)) {
		assert_int_not_equal(pfn / BLOCK_PAGES, 2);
		n++;
	}
	assert_true(n > free0 - 2 * zinfo(f, 0, ZONE_NORMAL).watermark[WMARK_HIGH]);
	assert_int_equal(buddy_verify(pm, err, sizeof(err)), 0);
	assert_int_equal(memory_online(f->os, 2, MMOP_ONLINE), 0);
	assert_int_equal(buddy_verify(pm, err, sizeof(err)), 0);
	uint64_t in_block = 0;
	while (!alloc_on(f, 0, GFP_NOWAIT | __GFP_MOVABLE, &pfn))
		in_block += pfn / BLOCK_PAGES == 2;
	assert_true(in_block > BLOCK_PAGES * 9 / 10);
	assert_int_equal(buddy_verify(pm, err, sizeof(err)), 0);
	fx_free(f);
}

/* More holes than PA_MAX_PRISTINE_HOLES (16): the 17th cut materialises the rest, results unchanged. */
static void test_many_offline_blocks(void **state)
{
	(void)state;
	struct fx *f = fx_new(1, 36 * 128, 1);
	physmem_t *pm = fx_phys(f);
	sim_time_t cost = 0;
	uint64_t pfn, n = 0;
	char err[256];

	physmem_set_debug_vm(pm, false);
	for (uint64_t b = 2; b <= 34; b += 2)
		assert_int_equal(memory_offline(f->os, b, 0, 0, &cost), 0);
	assert_int_equal(buddy_verify(pm, err, sizeof(err)), 0);
	assert_int_equal(zinfo(f, 0, ZONE_NORMAL).present, (36 - 17) * BLOCK_PAGES);
	while (!alloc_on(f, 0, GFP_NOWAIT | __GFP_MOVABLE, &pfn)) {
		uint64_t b = pfn / BLOCK_PAGES;
		assert_true(b < 2 || b > 34 || b % 2);
		n++;
	}
	assert_true(n > (36 - 17 - 1) * BLOCK_PAGES);
	assert_int_equal(buddy_verify(pm, err, sizeof(err)), 0);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blocks_and_view),
		cmocka_unit_test(test_offline_recomputes_wmarks),
		cmocka_unit_test(test_offline_migrates_to_other_node),
		cmocka_unit_test(test_offline_ebusy),
		cmocka_unit_test(test_failed_offline_restores_types),
		cmocka_unit_test(test_types_set_at_online),
		cmocka_unit_test(test_online_movable),
		cmocka_unit_test(test_node_becomes_memoryless),
		cmocka_unit_test(test_offline_middle_block),
		cmocka_unit_test(test_many_offline_blocks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
