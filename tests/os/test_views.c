/*
 * tests/os/test_views.c - the text views match Linux's formats line for line
 * (sources.md §12) for a tiny hand-computed machine, and the JSON report
 * carries the same numbers.
 *
 * Machine: node 0 = 8 MiB with zone_dma 4 MiB (DMA [1,1024) since pfn 0 is
 * never freed, Normal [1024,2048)), node 1 = 4 MiB Normal [2048,3072), one
 * CPU each, distance 21, THP off.  min_free_kbytes = int_sqrt(3071*4*16) =
 * 443 -> pages_min 110; each populated zone: min 110*~1024/3071 = 36,
 * gap max(9, 1) -> low 45, high 54, promo 63; Movable 32s; node 0 DMA
 * protection (0, 0, 1024/256 = 4, 4, 4).  pcp: batch 1, high_min 45.
 * Traffic: CPU0 GFP_KERNEL (claims node 0's order-10 block for UNMOVABLE:
 * pfn 1024), CPU1 GFP_HIGHUSER_MOVABLE (pfn 2048), CPU0 GFP_KERNEL
 * preferring node 1 (claims the order-9 block at 2560: hit + other).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "tests/support/test.h"
#include "tests/os/phys_fixture.h"
#include "sim/report.h"

static const char expect_buddyinfo[] =
	"Node 0, zone      DMA      1      1      1      1      1      1      1      1      1      1      0 \n"
	"Node 0, zone   Normal      1      1      1      1      1      1      1      1      1      1      0 \n"
	"Node 1, zone   Normal      2      2      2      2      2      2      2      2      2      0      0 \n"
	"";

static const char expect_pagetypeinfo[] =
	"Page block order: 9\n"
	"Pages per block:  512\n"
	"\n"
	"Free pages count per migrate type at order       0      1      2      3      4      5      6      7      8      9     10 \n"
	"Node    0, zone      DMA, type    Unmovable      0      0      0      0      0      0      0      0      0      0      0 \n"
	"Node    0, zone      DMA, type      Movable      1      1      1      1      1      1      1      1      1      1      0 \n"
	"Node    0, zone      DMA, type  Reclaimable      0      0      0      0      0      0      0      0      0      0      0 \n"
	"Node    0, zone      DMA, type   HighAtomic      0      0      0      0      0      0      0      0      0      0      0 \n"
	"Node    0, zone      DMA, type      Isolate      0      0      0      0      0      0      0      0      0      0      0 \n"
	"Node    0, zone   Normal, type    Unmovable      1      1      1      1      1      1      1      1      1      1      0 \n"
	"Node    0, zone   Normal, type      Movable      0      0      0      0      0      0      0      0      0      0      0 \n"
	"Node    0, zone   Normal, type  Reclaimable      0      0      0      0      0      0      0      0      0      0      0 \n"
	"Node    0, zone   Normal, type   HighAtomic      0      0      0      0      0      0      0      0      0      0      0 \n"
	"Node    0, zone   Normal, type      Isolate      0      0      0      0      0      0      0      0      0      0      0 \n"
	"\n"
	"Number of blocks type     Unmovable      Movable  Reclaimable   HighAtomic      Isolate \n"
	"Node 0, zone      DMA            0            2            0            0            0 \n"
	"Node 0, zone   Normal            2            0            0            0            0 \n"
	"Page block order: 9\n"
	"Pages per block:  512\n"
	"\n"
	"Free pages count per migrate type at order       0      1      2      3      4      5      6      7      8      9     10 \n"
	"Node    1, zone   Normal, type    Unmovable      1      1      1      1      1      1      1      1      1      0      0 \n"
	"Node    1, zone   Normal, type      Movable      1      1      1      1      1      1      1      1      1      0      0 \n"
	"Node    1, zone   Normal, type  Reclaimable      0      0      0      0      0      0      0      0      0      0      0 \n"
	"Node    1, zone   Normal, type   HighAtomic      0      0      0      0      0      0      0      0      0      0      0 \n"
	"Node    1, zone   Normal, type      Isolate      0      0      0      0      0      0      0      0      0      0      0 \n"
	"\n"
	"Number of blocks type     Unmovable      Movable  Reclaimable   HighAtomic      Isolate \n"
	"Node 1, zone   Normal            1            1            0            0            0 \n"
	"";

static const char expect_numastat[] =
	"                           node0           node1\n"
	"numa_hit                       1               2\n"
	"numa_miss                      0               0\n"
	"numa_foreign                   0               0\n"
	"interleave_hit                 0               0\n"
	"local_node                     1               1\n"
	"other_node                     0               1\n"
	"";

static physmem_t *tiny(void)
{
	uint64_t pages[2] = { 2048, 1024 }, pfn;
	unsigned cpus[2] = { 1, 1 };
	struct physmem_layout l;
	struct os_cfg c = fx_cfg();

	c.zone_dma = 4ULL << 20;
	fx_layout(&l, 2, pages, cpus, 21);
	physmem_t *pm = fx_create(&c, &l);
	struct alloc_ctx a = fx_ctx(0, GFP_KERNEL, 0);
	assert_int_equal(page_alloc(pm, &a, &pfn, NULL), 0);
	assert_int_equal(pfn, 1024);
	a = fx_ctx(0, GFP_HIGHUSER_MOVABLE, 1);
	assert_int_equal(page_alloc(pm, &a, &pfn, NULL), 0);
	assert_int_equal(pfn, 2048);
	a = fx_ctx(0, GFP_KERNEL, 0);
	a.preferred_nid = 1;
	assert_int_equal(page_alloc(pm, &a, &pfn, NULL), 0);
	assert_int_equal(pfn, 2560);
	return pm;
}

static char *dump(const physmem_t *pm, const char *view)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	assert_int_equal(physmem_dump(pm, view, fp), 0);
	fclose(fp);
	return buf;
}

static void expect_view(const physmem_t *pm, const char *view, const char *want)
{
	char *got = dump(pm, view);

	assert_string_equal(got, want);
	free(got);
}

static void buddyinfo(void **state)
{
	physmem_t *pm = tiny();

	(void)state;
	expect_view(pm, "buddyinfo", expect_buddyinfo);
	physmem_destroy(pm);
}

static void pagetypeinfo(void **state)
{
	physmem_t *pm = tiny();

	(void)state;
	expect_view(pm, "pagetypeinfo", expect_pagetypeinfo);
	physmem_destroy(pm);
}

static void numastat(void **state)
{
	physmem_t *pm = tiny();

	(void)state;
	expect_view(pm, "numastat", expect_numastat);
	expect_view(pm, "numastat-node1",
		    "numa_hit 2\nnuma_miss 0\nnuma_foreign 0\ninterleave_hit 0\nlocal_node 1\nother_node 1\n");
	char buf[8];
	FILE *fp = fmemopen(buf, sizeof(buf), "w");
	assert_int_equal(physmem_dump(pm, "numastat-node2", fp), -SIM_EUSAGE);
	assert_int_equal(physmem_dump(pm, "slabinfo", fp), -SIM_EUSAGE);
	fclose(fp);
	physmem_destroy(pm);
}

static const char *const node_stat_names[] = {
	"nr_inactive_anon", "nr_active_anon", "nr_inactive_file", "nr_active_file", "nr_unevictable",
	"nr_slab_reclaimable", "nr_slab_unreclaimable", "nr_isolated_anon", "nr_isolated_file",
	"workingset_nodes", "workingset_refault_anon", "workingset_refault_file", "workingset_activate_anon",
	"workingset_activate_file", "workingset_restore_anon", "workingset_restore_file",
	"workingset_nodereclaim", "nr_anon_pages", "nr_mapped", "nr_file_pages", "nr_dirty", "nr_writeback",
	"nr_shmem", "nr_shmem_hugepages", "nr_shmem_pmdmapped", "nr_file_hugepages",
	"nr_file_pmdmapped", "nr_anon_transparent_hugepages", "nr_vmscan_write", "nr_vmscan_immediate_reclaim",
	"nr_dirtied", "nr_written", "nr_throttled_written", "nr_kernel_misc_reclaimable", "nr_foll_pin_acquired",
	"nr_foll_pin_released", "nr_kernel_stack", "nr_page_table_pages", "nr_sec_page_table_pages",
	"nr_iommu_pages", "nr_swapcached", "pgpromote_success", "pgpromote_candidate", "pgpromote_candidate_nrl",
	"pgdemote_kswapd", "pgdemote_direct", "pgdemote_khugepaged", "pgdemote_proactive", "nr_hugetlb",
	"nr_balloon_pages", "nr_kernel_file_pages",
};

static const char unpop_zero[] =
	"\n  pages free     0"
	"\n        boost    0"
	"\n        min      0"
	"\n        low      0"
	"\n        high     0"
	"\n        promo    0"
	"\n        spanned  0"
	"\n        present  0"
	"\n        managed  0"
	"\n        cma      0"
	"\n        protection: (0, 0, 0, 0, 0)\n";

/* Node 1's whole zoneinfo section, built line by line from §12.3. */
static void zoneinfo(void **state)
{
	physmem_t *pm = tiny();
	char want[16384];
	size_t n = 0;

	(void)state;
	n += (size_t)snprintf(want + n, sizeof(want) - n, "Node 1, zone      DMA%s", unpop_zero);
	n += (size_t)snprintf(want + n, sizeof(want) - n, "Node 1, zone    DMA32%s", unpop_zero);
	n += (size_t)snprintf(want + n, sizeof(want) - n, "Node 1, zone   Normal\n  per-node stats");
	for (unsigned i = 0; i < ARRAY_SIZE(node_stat_names); i++)
		n += (size_t)snprintf(want + n, sizeof(want) - n, "\n      %-12s 0", node_stat_names[i]);
	struct pcp_info pc0, pc1;
	assert_int_equal(physmem_pcp_info(pm, 1, ZONE_NORMAL, 0, &pc0), 0);
	assert_int_equal(physmem_pcp_info(pm, 1, ZONE_NORMAL, 1, &pc1), 0);
	n += (size_t)snprintf(want + n, sizeof(want) - n,
			      "\n  pages free     1022"
			      "\n        boost    0"
			      "\n        min      36"
			      "\n        low      45"
			      "\n        high     54"
			      "\n        promo    63"
			      "\n        spanned  1024"
			      "\n        present  1024"
			      "\n        managed  1024"
			      "\n        cma      0"
			      "\n        protection: (0, 0, 0, 0, 0)"
			      "\n      nr_free_pages 1022"
			      "\n      nr_free_pages_blocks 0"   /* buddyinfo: nothing of order >= 9 free */
			      "\n      nr_zone_inactive_anon 0"
			      "\n      nr_zone_active_anon 0"
			      "\n      nr_zone_inactive_file 0"
			      "\n      nr_zone_active_file 0"
			      "\n      nr_zone_unevictable 0"
			      "\n      nr_zone_write_pending 0"
			      "\n      nr_mlock     0"
			      "\n      nr_zspages   0"
			      "\n      nr_free_cma  0"
			      "\n      numa_hit     2"
			      "\n      numa_miss    0"
			      "\n      numa_foreign 0"
			      "\n      numa_interleave 0"
			      "\n      numa_local   1"
			      "\n      numa_other   1"
			      "\n  pagesets"
			      "\n    cpu: 0"
			      "\n              count:    0"
			      "\n              high:     46"
			      "\n              batch:    1"
			      "\n              high_min: %d"
			      "\n              high_max: %d"
			      "\n  vm stats threshold: 4"
			      "\n    cpu: 1"
			      "\n              count:    0"
			      "\n              high:     46"
			      "\n              batch:    1"
			      "\n              high_min: %d"
			      "\n              high_max: %d"
			      "\n  vm stats threshold: 4"
			      "\n  node_unreclaimable:  0"
			      "\n  start_pfn:           2048\n",
			      pc0.high_min, pc0.high_max, pc1.high_min, pc1.high_max);
	n += (size_t)snprintf(want + n, sizeof(want) - n,
			      "Node 1, zone  Movable"
			      "\n  pages free     0"
			      "\n        boost    0"
			      "\n        min      32"
			      "\n        low      32"
			      "\n        high     32"
			      "\n        promo    32"
			      "\n        spanned  0"
			      "\n        present  0"
			      "\n        managed  0"
			      "\n        cma      0"
			      "\n        protection: (0, 0, 0, 0, 0)\n");
	n += (size_t)snprintf(want + n, sizeof(want) - n, "Node 1, zone   Device%s", unpop_zero);
	char *got = dump(pm, "zoneinfo");
	char *node1 = strstr(got, "Node 1, zone      DMA");
	assert_non_null(node1);
	assert_string_equal(node1, want);
	/* node 0: DMA is first populated and carries the per-node stats; its protection */
	assert_non_null(strstr(got, "Node 0, zone      DMA\n  per-node stats\n      nr_inactive_anon 0\n"));
	assert_non_null(strstr(got, "        managed  1023\n        cma      0\n        protection: (0, 0, 4, 4, 4)\n"));
	assert_non_null(strstr(got, "  start_pfn:           1\n"));
	/* DMA's free order-9 block: 512 of its 1023 free pages are in pageblock-sized blocks */
	assert_non_null(strstr(got, "\n      nr_free_pages 1023\n      nr_free_pages_blocks 512\n"));
	free(got);
	physmem_destroy(pm);
}

/* A captured /proc file of the 6.18 fixture machine, NUL-terminated (malloc'd). */
static char *read_fixture(const char *path)
{
	FILE *fp = fopen(path, "r");
	if (!fp)
		print_error("%s: cannot open (run from the repository root)\n", path);
	assert_non_null(fp);
	char *real = calloc(1, 1 << 16);
	assert_non_null(real);
	size_t got_len = fread(real, 1, (1 << 16) - 1, fp);
	fclose(fp);
	assert_true(got_len > 0);
	return real;
}

/* The item names of the zoneinfo section that starts with `header`: each line without its value. */
static size_t section_names(const char *text, const char *header, char (*names)[48], size_t max)
{
	const char *p = strstr(text, header), *end;
	size_t n = 0;

	assert_non_null(p);
	p = strchr(p, '\n');
	end = p ? strstr(p, "\nNode ") : NULL;
	if (!end)
		end = p + strlen(p);
	while (p && p < end && n < max) {
		const char *q = ++p, *e = strchr(q, '\n');
		if (!e || e > end)
			e = end;
		while (q < e && *q == ' ')
			q++;
		size_t len = (size_t)(e - q);
		const char *colon = memchr(q, ':', len);
		if (colon)
			len = (size_t)(colon - q);           /* "protection: (...)", "cpu: 0", "high_min: 35" */
		else
			while (len && (q[len - 1] == ' ' || (q[len - 1] >= '0' && q[len - 1] <= '9')))
				len--;                        /* "nr_free_pages 3840", "pages free     3840" */
		if (len) {
			snprintf(names[n], sizeof(names[n]), "%.*s", (int)SIM_MIN(len, (size_t)47), q);
			n++;
		}
		p = e < end ? e : NULL;
	}
	return n;
}

/*
 * zoneinfo has exactly the item set and order of Linux 6.18 (the kernel
 * of tests/validation/fixtures/linux-6.18-1node, x86-64, 2 CPUs): the first
 * populated zone (per-node stats, watermarks, zone and NUMA items, one
 * pageset per CPU, node_unreclaimable, start_pfn) compared name by name
 * with that machine's /proc/zoneinfo.
 */
static void zoneinfo_items_match_linux_6_18(void **state)
{
	(void)state;
	char *real = read_fixture("tests/validation/fixtures/linux-6.18-1node/proc/zoneinfo");
	physmem_t *pm = tiny();   /* 2 CPUs too */
	char *sim = dump(pm, "zoneinfo");
	static char a[256][48], b[256][48];
	size_t na = section_names(real, "Node 0, zone      DMA", a, 256);
	size_t nb = section_names(sim, "Node 0, zone      DMA", b, 256);
	for (size_t i = 0; i < SIM_MIN(na, nb); i++)
		if (strcmp(a[i], b[i]))
			print_error("item %zu: Linux 6.18 \"%s\", numasim \"%s\"\n", i, a[i], b[i]);
	assert_int_equal(na, nb);
	for (size_t i = 0; i < na; i++)
		assert_string_equal(a[i], b[i]);
	assert_true(na > 90);   /* 53 per-node items, 11 zone lines, 17 zone and NUMA items, 2 pagesets, 2 trailers */
	free(sim);
	free(real);
	physmem_destroy(pm);
}

static void vmstat(void **state)
{
	physmem_t *pm = tiny();
	char *got;

	(void)state;
	vmstat_inc(pm, PGFAULT, 3);
	node_stat_mod(pm, 1, NR_ANON_THPS, 1024);
	got = dump(pm, "vmstat");
	/* two free order-9 blocks (node 0: DMA and Normal): 1024 pages in pageblock-sized blocks */
	static const char head[] = "nr_free_pages 3068\nnr_free_pages_blocks 1024\nnr_zone_inactive_anon 0\n";
	assert_true(!strncmp(got, head, sizeof(head) - 1));
	assert_non_null(strstr(got, "\nnr_free_cma 0\nnuma_hit 3\nnuma_miss 0\nnuma_foreign 0\nnuma_interleave 0\n"
				    "numa_local 2\nnuma_other 1\nnr_inactive_anon 0\n"));
	assert_non_null(strstr(got, "\nnr_anon_transparent_hugepages 2\n"));     /* pages / 512 */
	assert_non_null(strstr(got, "\npgdemote_khugepaged 0\npgdemote_proactive 0\nnr_hugetlb 0\n"
				    "nr_balloon_pages 0\nnr_kernel_file_pages 0\nnr_dirty_threshold "));
	/* 6.18's vmstat_text: zswap's lines come before the x86 direct-map ones */
	assert_non_null(strstr(got, "\nzswpin 0\nzswpout 0\nzswpwb 0\ndirect_map_level2_splits 0\n"));
	assert_non_null(strstr(got, "\npgalloc_dma 0\npgalloc_dma32 0\npgalloc_normal 3\npgalloc_movable 0\n"));
	assert_non_null(strstr(got, "\npgfree 0\n"));
	assert_non_null(strstr(got, "\npgfault 3\npgmajfault 0\n"));
	unsigned lines = 0;
	for (char *p = got; *p; p++)
		lines += *p == '\n';
	/*
	 * + enum vm_stat_item (dirty thresholds, memmap pages) + vmstat_show's trailing nr_unstable,
	 * - cma_alloc_success/fail (CONFIG_CMA's lines: printed only with a CMA area, os/cma.c)
	 */
	assert_int_equal(lines, NR_VM_ZONE_STAT_ITEMS + NR_VM_NUMA_EVENT_ITEMS + NR_VM_NODE_STAT_ITEMS + 4 +
					NR_VM_EVENT_ITEMS - 2 + 1);
	/* x86-64 vmemmap: 512 pages of struct page per 128 MiB section; tiny()'s nodes share section 0 */
	assert_non_null(strstr(got, "\nnr_memmap_pages 0\nnr_memmap_boot_pages 1024\npgpgin "));
	static const char tail[] = "\nnr_unstable 0\n";
	assert_true(strlen(got) > strlen(tail) && !strcmp(got + strlen(got) - strlen(tail), tail));
	free(got);
	physmem_destroy(pm);
}

/* The first word of every line of text: /proc/vmstat's item names, in order. */
static size_t vmstat_names(const char *text, char (*names)[48], size_t max)
{
	size_t n = 0;
	for (const char *p = text; *p && n < max;) {
		size_t len = strcspn(p, " \n");
		if (len) {
			snprintf(names[n], sizeof(names[n]), "%.*s", (int)SIM_MIN(len, (size_t)47), p);
			n++;
		}
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
	}
	return n;
}

/*
 * vmstat prints exactly the items of Linux 6.18 (mm/vmstat.c vmstat_text:
 * zone, NUMA and node items, enum vm_stat_item with the memmap counters,
 * the events in enum vm_event_item order with zswap's before the x86
 * direct-map ones, and vmstat_show's trailing "nr_unstable"), compared
 * name by name with /proc/vmstat captured on an x86-64 6.18 machine
 * (tests/validation/fixtures/linux-6.18-1node, CONFIG_KSM, THP and
 * NUMA on).
 */
static void vmstat_items_match_linux_6_18(void **state)
{
	(void)state;
	char *real = read_fixture("tests/validation/fixtures/linux-6.18-1node/proc/vmstat");
	physmem_t *pm = tiny();
	char *sim = dump(pm, "vmstat");
	static char a[512][48], b[512][48];
	size_t na = vmstat_names(real, a, 512), nb = vmstat_names(sim, b, 512);
	for (size_t i = 0; i < SIM_MIN(na, nb); i++)
		if (strcmp(a[i], b[i]))
			print_error("item %zu: Linux 6.18 \"%s\", numasim \"%s\"\n", i, a[i], b[i]);
	assert_int_equal(na, nb);
	for (size_t i = 0; i < na; i++)
		assert_string_equal(a[i], b[i]);
	assert_true(na > 180);
	free(sim);
	free(real);
	physmem_destroy(pm);
}

static void json_report(void **state)
{
	physmem_t *pm = tiny();
	rep_t *r;

	(void)state;
	assert_int_equal(rep_create(&r), 0);
	rep_obj_begin(r, "os");
	physmem_report(pm, r);
	rep_obj_end(r);
	json_t *os = json_object_get(rep_root(r), "os");
	assert_non_null(os);
	json_t *n1 = json_array_get(json_object_get(os, "numastat"), 1);
	assert_int_equal(json_integer_value(json_object_get(n1, "numa_hit")), 2);
	assert_int_equal(json_integer_value(json_object_get(n1, "other_node")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(os, "vmstat"), "nr_free_pages")), 3068);
	json_t *zones = json_object_get(os, "zones");
	assert_int_equal(json_array_size(zones), 10);
	json_t *dma = json_array_get(zones, 0);
	assert_string_equal(json_string_value(json_object_get(dma, "zone")), "DMA");
	assert_int_equal(json_integer_value(json_object_get(dma, "min")), 36);
	assert_int_equal(json_integer_value(json_array_get(json_object_get(dma, "protection"), 2)), 4);
	assert_int_equal(json_integer_value(json_array_get(json_object_get(dma, "buddyinfo"), 9)), 1);
	json_t *alloc = json_object_get(os, "allocator");
	assert_int_equal(json_integer_value(json_object_get(alloc, "min_free_kbytes")), 443);
	rep_destroy(r);
	physmem_destroy(pm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(buddyinfo),
		cmocka_unit_test(pagetypeinfo),
		cmocka_unit_test(numastat),
		cmocka_unit_test(zoneinfo),
		cmocka_unit_test(zoneinfo_items_match_linux_6_18),
		cmocka_unit_test(vmstat_items_match_linux_6_18),
		cmocka_unit_test(vmstat),
		cmocka_unit_test(json_report),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
