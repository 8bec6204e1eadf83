/*
 * tests/os/test_meminfo.c - /proc/meminfo and nodeN/meminfo (os/meminfo.c):
 * the 6.18 field order and "%-16s%8lu kB" format (fs/proc/meminfo.c
 * show_val_kb), Linux's identities between fields, and si_mem_available.
 */
#include <ctype.h>
#include "tests/os/os_fixture.h"
#include "os/meminfo.h"
#include "os/slab.h"

#define MMAP_ANON (0x02 | 0x20)

/* fs/proc/meminfo.c meminfo_proc_show, x86 arch_report_meminfo (6.18, the configuration of os/meminfo.h) */
static const char *const fields[] = {
	"MemTotal", "MemFree", "MemAvailable", "Buffers", "Cached", "SwapCached", "Active", "Inactive",
	"Active(anon)", "Inactive(anon)", "Active(file)", "Inactive(file)", "Unevictable", "Mlocked", "SwapTotal",
	"SwapFree", "Zswap", "Zswapped", "Dirty", "Writeback", "AnonPages", "Mapped", "Shmem", "KReclaimable", "Slab",
	"SReclaimable", "SUnreclaim", "KernelStack", "PageTables", "SecPageTables", "NFS_Unstable", "Bounce",
	"WritebackTmp", "CommitLimit", "Committed_AS", "VmallocTotal", "VmallocUsed", "VmallocChunk", "Percpu",
	"HardwareCorrupted", "AnonHugePages", "ShmemHugePages", "ShmemPmdMapped", "FileHugePages", "FilePmdMapped",
	"CmaTotal", "CmaFree", "Balloon", "HugePages_Total", "HugePages_Free", "HugePages_Rsvd", "HugePages_Surp",
	"Hugepagesize", "Hugetlb", "DirectMap4k", "DirectMap2M", "DirectMap1G",
};

struct mi {
	char name[32];
	uint64_t val;
};

/* Parse "Name:   value kB" lines (after an optional "Node N " prefix). */
static size_t parse(const char *buf, struct mi *out, size_t max)
{
	size_t n = 0;
	for (const char *l = buf; *l && n < max;) {
		const char *e = strchr(l, '\n');
		const char *s = l;
		if (!strncmp(s, "Node ", 5)) {
			s += 5;
			while (isdigit((unsigned char)*s))
				s++;
			s++;
		}
		const char *colon = strchr(s, ':');
		if (colon && colon < e) {
			snprintf(out[n].name, sizeof(out[n].name), "%.*s", (int)(colon - s), s);
			out[n].val = strtoull(colon + 1, NULL, 10);
			n++;
		}
		l = e ? e + 1 : l + strlen(l);
	}
	return n;
}

static uint64_t get(const struct mi *m, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(m[i].name, name))
			return m[i].val;
	fail_msg("no field %s", name);
	return 0;
}

static struct fx *busy(void)
{
	struct os_cfg c = fx_os_cfg();
	c.kernel_objects = true;
	struct fx *f = fx_new_cfg(2, 64, 2, &c);
	int pid = fx_proc(f, false);
	fx_mmap_at(f, pid, 0x10000000, 4 << 20, 3, MMAP_ANON);
	for (uint64_t a = 0x10000000; a < 0x10000000 + (2 << 20); a += 4096)
		assert_int_equal(fx_fault(f, pid, a < 0x10100000 ? 0 : 2, a, true, NULL), OS_FAULT_RETRY);
	return f;
}

static void order_and_format(void **state)
{
	struct fx *f = busy();
	char *buf = fx_dump(f, "meminfo");
	struct mi m[80];
	(void)state;

	size_t n = parse(buf, m, 80);
	assert_int_equal(n, ARRAY_SIZE(fields));
	for (size_t i = 0; i < n; i++)
		assert_string_equal(m[i].name, fields[i]);
	/* show_val_kb: the name padded to 16 columns, the value right-aligned in 8, then " kB" */
	for (const char *l = buf; *l; l = strchr(l, '\n') + 1) {
		if (!strncmp(l, "HugePages_", 10) || !strncmp(l, "HardwareCorrupted", 17) || !strncmp(l, "VmallocTotal", 12))
			continue;
		const char *e = strchr(l, '\n');
		assert_int_equal(e - l, 16 + 8 + 3);
		assert_memory_equal(e - 3, " kB", 3);
	}
	assert_non_null(strstr(buf, "\nVmallocTotal:   34359738367 kB\n"));   /* 32 TiB - 1 byte */
	assert_non_null(strstr(buf, "\nHardwareCorrupted:     0 kB\n"));      /* "%5lu kB" */
	free(buf);
	fx_free(f);
}

/* The identities meminfo_proc_show and node_read_meminfo build in. */
static void identities(void **state)
{
	struct fx *f = busy();
	char *buf = fx_dump(f, "meminfo"), *nb = fx_dump(f, "node-meminfo");
	struct mi m[80], nm[120];
	(void)state;

	size_t n = parse(buf, m, 80), nn = parse(nb, nm, 120);
	assert_int_equal(get(m, n, "Active"), get(m, n, "Active(anon)") + get(m, n, "Active(file)"));
	assert_int_equal(get(m, n, "Inactive"), get(m, n, "Inactive(anon)") + get(m, n, "Inactive(file)"));
	assert_int_equal(get(m, n, "Slab"), get(m, n, "SReclaimable") + get(m, n, "SUnreclaim"));
	assert_true(get(m, n, "Slab") > 0);
	assert_int_equal(get(m, n, "KernelStack"), 16);
	assert_int_equal(get(m, n, "VmallocUsed"), 16);
	assert_int_equal(get(m, n, "AnonPages"), 2048);   /* 512 pages written */
	assert_int_equal(get(m, n, "Committed_AS"), 4096);   /* the 4 MiB private writable mapping */
	/* two nodes: node 0's lines come first, then node 1's, same names */
	uint64_t total = 0, freep = 0, slab = 0, pt = 0, anon = 0;
	for (size_t i = 0; i < nn; i++) {
		total += !strcmp(nm[i].name, "MemTotal") ? nm[i].val : 0;
		freep += !strcmp(nm[i].name, "MemFree") ? nm[i].val : 0;
		slab += !strcmp(nm[i].name, "Slab") ? nm[i].val : 0;
		pt += !strcmp(nm[i].name, "PageTables") ? nm[i].val : 0;
		anon += !strcmp(nm[i].name, "AnonPages") ? nm[i].val : 0;
	}
	assert_int_equal(total, get(m, n, "MemTotal"));
	assert_int_equal(freep, get(m, n, "MemFree"));
	assert_int_equal(slab, get(m, n, "Slab"));
	assert_int_equal(pt, get(m, n, "PageTables"));
	assert_int_equal(anon, get(m, n, "AnonPages"));
	/* the writes from CPU 2 went to node 1: half the anonymous memory there */
	assert_non_null(strstr(nb, "==> /sys/devices/system/node/node1/meminfo <==\nNode 1 MemTotal:"));
	assert_non_null(strstr(nb, "\nNode 0 AnonPages:          1024 kB\n"));
	assert_non_null(strstr(nb, "\nNode 1 AnonPages:          1024 kB\n"));
	free(buf);
	free(nb);
	fx_free(f);
}

/* mm/show_mem.c si_mem_available on the fixture, recomputed from the zones. */
static void mem_available_formula(void **state)
{
	struct fx *f = busy();
	physmem_t *pm = fx_phys(f);
	uint64_t low = 0, freep = 0;
	(void)state;

	for (unsigned nid = 0; nid < 2; nid++)
		for (unsigned z = 0; z < MAX_NR_ZONES; z++) {
			struct zone_info zi;
			if (physmem_zone_info(pm, nid, z, &zi))
				continue;
			low += zi.watermark[WMARK_LOW] + zi.watermark_boost;
			freep += zone_stat(pm, nid, z, NR_FREE_PAGES);
		}
	uint64_t file = 0, srecl = 0;
	for (unsigned nid = 0; nid < 2; nid++) {
		file += node_stat(pm, nid, NR_ACTIVE_FILE) + node_stat(pm, nid, NR_INACTIVE_FILE);
		srecl += node_stat(pm, nid, NR_SLAB_RECLAIMABLE_B) + node_stat(pm, nid, NR_KERNEL_MISC_RECLAIMABLE);
	}
	int64_t want = (int64_t)freep - (int64_t)physmem_totalreserve_pages(pm);
	want += (int64_t)(file - SIM_MIN(file / 2, low));
	want += (int64_t)(srecl - SIM_MIN(srecl / 2, low));
	assert_true(want > 0);
	assert_int_equal(si_mem_available(f->os), (uint64_t)want);
	assert_true(si_mem_available(f->os) < freep);   /* the reserve is taken off */
	fx_free(f);
}

/*
 * arch_report_meminfo after init_mem_mapping / split_mem_range: two adjacent
 * 1 GiB nodes are one range [0, 2 GiB): the first 2 MiB in 4 KiB pages
 * (the ISA megabyte, then up to the 2 MiB boundary), 2 MiB pages up to
 * 1 GiB, one 1 GiB page.
 */
static void direct_map_split(void **state)
{
	struct fx *f = fx_new(2, 1024, 1);
	(void)state;

	char *buf = fx_dump(f, "meminfo");
	assert_non_null(strstr(buf, "\nDirectMap4k:        2048 kB\nDirectMap2M:     1046528 kB\n"
				    "DirectMap1G:     1048576 kB\n"));
	free(buf);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(order_and_format),
		cmocka_unit_test(identities),
		cmocka_unit_test(mem_available_formula),
		cmocka_unit_test(direct_map_split),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
