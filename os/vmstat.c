/*
 * os/vmstat.c - views of physical memory in Linux's own text formats
 * (sources.md §12: /proc/buddyinfo, /proc/pagetypeinfo, /proc/zoneinfo,
 * /proc/vmstat, numactl's numastat table, nodeN/numastat) and the same
 * numbers as JSON.  Printers only read state: a view never changes what the
 * simulation does next.
 */
#include <string.h>
#include "os/page_alloc_internal.h"
#include "sim/err.h"

static const struct stat_desc zone_stat_desc[] = { ZONE_STAT_ITEMS(STAT_DESC) };
static const struct stat_desc numa_stat_desc[] = { NUMA_STAT_ITEMS(STAT_DESC) };
static const struct stat_desc node_stat_desc[] = { NODE_STAT_ITEMS(STAT_DESC) };
static const struct stat_desc vm_event_desc[] = { VM_EVENT_ITEMS(STAT_DESC) };
static const struct stat_desc phys_stat_desc[] = { PHYS_STATS(STAT_DESC) };
STAT_TABLE_CHECK(zone_stat_desc, NR_VM_ZONE_STAT_ITEMS);
STAT_TABLE_CHECK(numa_stat_desc, NR_VM_NUMA_EVENT_ITEMS);
STAT_TABLE_CHECK(node_stat_desc, NR_VM_NODE_STAT_ITEMS);
STAT_TABLE_CHECK(vm_event_desc, NR_VM_EVENT_ITEMS);
STAT_TABLE_CHECK(phys_stat_desc, NR_PHYS_STATS);

/* The nodeN/numastat file's names for the NUMA events, in its order. */
static const struct {
	const char *name;
	enum numa_stat_item item;
} node_numastat_lines[] = {
	{ "numa_hit", NUMA_HIT },          { "numa_miss", NUMA_MISS },   { "numa_foreign", NUMA_FOREIGN },
	{ "interleave_hit", NUMA_INTERLEAVE_HIT }, { "local_node", NUMA_LOCAL }, { "other_node", NUMA_OTHER },
};

#define VM_DIRTY_RATIO            20   /* vm.dirty_ratio */
#define VM_DIRTY_BACKGROUND_RATIO 10   /* vm.dirty_background_ratio */

static const struct zone *zone_of(const physmem_t *pm, unsigned nid, unsigned zid)
{
	return &pm->nodes[nid]->zones[zid];
}

static bool node_has_memory(const physmem_t *pm, unsigned nid)
{
	for (unsigned z = 0; z < MAX_NR_ZONES; z++)
		if (zone_populated(zone_of(pm, nid, z)))
			return true;
	return false;
}

static uint64_t u64_of(int64_t v)
{
	return v > 0 ? (uint64_t)v : 0;
}

/* vmstat_item_print_in_thp: these node items are kept in pages, shown in THPs. */
static bool print_in_thp(enum node_stat_item i)
{
	return i == NR_ANON_THPS || i == NR_SHMEM_THPS || i == NR_SHMEM_PMDMAPPED || i == NR_FILE_THPS ||
	       i == NR_FILE_PMDMAPPED;
}

static uint64_t node_stat_shown(const physmem_t *pm, unsigned nid, enum node_stat_item i)
{
	uint64_t v = u64_of(pm->nodes[nid]->node_stat[i]);

	return print_in_thp(i) ? v / (1u << HPAGE_PMD_ORDER) : v;
}

/* ---- buddyinfo / pagetypeinfo ----------------------------------------------------------------- */

static void dump_buddyinfo(const physmem_t *pm, FILE *fp)
{
	for (unsigned n = 0; n < pm->nr_nodes; n++)
		for (unsigned zi = 0; zi < MAX_NR_ZONES; zi++) {
			const struct zone *z = zone_of(pm, n, zi);
			if (!zone_populated(z))
				continue;
			fprintf(fp, "Node %u, zone %8s ", n, zone_names[zi]);
			for (unsigned o = 0; o < NR_PAGE_ORDERS; o++)
				fprintf(fp, "%6llu ", (unsigned long long)z->free_area[o].nr_free);
			fputc('\n', fp);
		}
}

static void count_pageblocks(const physmem_t *pm, const struct zone *z, uint64_t count[MIGRATE_TYPES])
{
	memset(count, 0, sizeof(uint64_t) * MIGRATE_TYPES);
	for (uint64_t pfn = z->start_pfn; pfn < zone_end_pfn(z); pfn += PAGEBLOCK_NR_PAGES) {
		const struct mem_section *s = pm->sections[pfn >> PA_SECTION_SHIFT];
		if (!s) {
			/* an untouched section: all MOVABLE; count its pageblocks at once */
			uint64_t sec_end = ((pfn >> PA_SECTION_SHIFT) + 1) << PA_SECTION_SHIFT;
			uint64_t end = SIM_MIN(sec_end, zone_end_pfn(z));
			uint64_t n = (end - pfn + PAGEBLOCK_NR_PAGES - 1) / PAGEBLOCK_NR_PAGES;
			count[MIGRATE_MOVABLE] += n;
			pfn += (n - 1) * PAGEBLOCK_NR_PAGES;
			continue;
		}
		count[get_pageblock_migratetype(pm, pfn)]++;
	}
}

/* A kernel without CMA areas prints no CMA type (the fixture kernel has no CONFIG_CMA). */
static bool pagetype_shown(const physmem_t *pm, unsigned mt)
{
	return mt != MIGRATE_CMA || pm->cma_pages;
}

static void dump_pagetypeinfo(const physmem_t *pm, FILE *fp)
{
	for (unsigned n = 0; n < pm->nr_nodes; n++) {
		if (!node_has_memory(pm, n))
			continue;
		fprintf(fp, "Page block order: %d\n", PAGEBLOCK_ORDER);
		fprintf(fp, "Pages per block:  %u\n", PAGEBLOCK_NR_PAGES);
		fputc('\n', fp);
		fprintf(fp, "%-43s ", "Free pages count per migrate type at order");
		for (unsigned o = 0; o < NR_PAGE_ORDERS; o++)
			fprintf(fp, "%6u ", o);
		fputc('\n', fp);
		for (unsigned zi = 0; zi < MAX_NR_ZONES; zi++) {
			const struct zone *z = zone_of(pm, n, zi);
			if (!zone_populated(z))
				continue;
			for (unsigned mt = 0; mt < MIGRATE_TYPES; mt++) {
				if (!pagetype_shown(pm, mt))
					continue;
				fprintf(fp, "Node %4u, zone %8s, type %12s ", n, zone_names[zi], migratetype_names[mt]);
				for (unsigned o = 0; o < NR_PAGE_ORDERS; o++) {
					uint64_t c = z->free_area[o].nr_list[mt];
					/* Linux stops counting a list at 100000 entries */
					if (c >= 100000)
						fprintf(fp, ">%6u ", 100000u);
					else
						fprintf(fp, "%6llu ", (unsigned long long)c);
				}
				fputc('\n', fp);
			}
		}
		fprintf(fp, "\n%-23s", "Number of blocks type ");
		for (unsigned mt = 0; mt < MIGRATE_TYPES; mt++)
			if (pagetype_shown(pm, mt))
				fprintf(fp, "%12s ", migratetype_names[mt]);
		fputc('\n', fp);
		for (unsigned zi = 0; zi < MAX_NR_ZONES; zi++) {
			const struct zone *z = zone_of(pm, n, zi);
			uint64_t count[MIGRATE_TYPES];
			if (!zone_populated(z))
				continue;
			count_pageblocks(pm, z, count);
			fprintf(fp, "Node %u, zone %8s ", n, zone_names[zi]);
			for (unsigned mt = 0; mt < MIGRATE_TYPES; mt++)
				if (pagetype_shown(pm, mt))
					fprintf(fp, "%12llu ", (unsigned long long)count[mt]);
			fputc('\n', fp);
		}
	}
}

/* ---- zoneinfo ----------------------------------------------------------------------------------- */

static unsigned fls_u64(uint64_t v)
{
	return v ? ilog2_u64(v) + 1 : 0;
}

/* calculate_normal_threshold: the per-CPU vmstat drift allowed before folding. */
static int stat_threshold(const physmem_t *pm, const struct zone *z)
{
	uint64_t mem = z->managed >> (27 - PAGE_SHIFT);
	int t = 2 * (int)fls_u64(pm->nr_cpus) * (1 + (int)fls_u64(mem));

	return SIM_MIN(t, 125);
}

/*
 * A zone item's value.  nr_free_pages_blocks (6.18: free pages in free
 * blocks of pageblock order or more) is read off the free lists rather
 * than kept as a counter.
 */
static uint64_t zone_stat_val(const struct zone *z, unsigned i)
{
	if (i == NR_FREE_PAGES_BLOCKS) {
		uint64_t v = 0;
		for (unsigned o = PAGEBLOCK_ORDER; o < NR_PAGE_ORDERS; o++)
			v += z->free_area[o].nr_free << o;
		return v;
	}
	return u64_of(z->vm_stat[i]);
}

static void dump_zoneinfo(const physmem_t *pm, FILE *fp)
{
	for (unsigned n = 0; n < pm->nr_nodes; n++) {
		int first_populated = -1;
		for (unsigned zi = 0; zi < MAX_NR_ZONES && first_populated < 0; zi++)
			if (zone_populated(zone_of(pm, n, zi)))
				first_populated = (int)zi;
		for (unsigned zi = 0; zi < MAX_NR_ZONES; zi++) {
			const struct zone *z = zone_of(pm, n, zi);
			fprintf(fp, "Node %u, zone %8s", n, zone_names[zi]);
			if ((int)zi == first_populated) {
				fprintf(fp, "\n  per-node stats");
				for (unsigned i = 0; i < NR_VM_NODE_STAT_ITEMS; i++)
					fprintf(fp, "\n      %-12s %llu", node_stat_desc[i].name,
						(unsigned long long)node_stat_shown(pm, n, (enum node_stat_item)i));
			}
			fprintf(fp,
				"\n  pages free     %llu"
				"\n        boost    %llu"
				"\n        min      %llu"
				"\n        low      %llu"
				"\n        high     %llu"
				"\n        promo    %llu"
				"\n        spanned  %llu"
				"\n        present  %llu"
				"\n        managed  %llu"
				"\n        cma      %llu",
				(unsigned long long)u64_of(z->vm_stat[NR_FREE_PAGES]),
				(unsigned long long)z->watermark_boost, (unsigned long long)wmark_pages(z, WMARK_MIN),
				(unsigned long long)wmark_pages(z, WMARK_LOW), (unsigned long long)wmark_pages(z, WMARK_HIGH),
				(unsigned long long)wmark_pages(z, WMARK_PROMO), (unsigned long long)z->spanned,
				(unsigned long long)z->present, (unsigned long long)z->managed,
				(unsigned long long)z->cma_pages);
			fprintf(fp, "\n        protection: (%llu", (unsigned long long)z->lowmem_reserve[0]);
			for (unsigned i = 1; i < MAX_NR_ZONES; i++)
				fprintf(fp, ", %llu", (unsigned long long)z->lowmem_reserve[i]);
			fputc(')', fp);
			if (!zone_populated(z)) {
				fputc('\n', fp);
				continue;
			}
			for (unsigned i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++)
				fprintf(fp, "\n      %-12s %llu", zone_stat_desc[i].name, (unsigned long long)zone_stat_val(z, i));
			for (unsigned i = 0; i < NR_VM_NUMA_EVENT_ITEMS; i++)
				fprintf(fp, "\n      %-12s %llu", numa_stat_desc[i].name, (unsigned long long)z->numa_stat[i]);
			fprintf(fp, "\n  pagesets");
			for (unsigned c = 0; c < pm->nr_cpus; c++) {
				const struct per_cpu_pages *pcp = z->pcp ? z->pcp[c] : NULL;
				fprintf(fp,
					"\n    cpu: %u"
					"\n              count:    %d"
					"\n              high:     %d"
					"\n              batch:    %d"
					"\n              high_min: %d"
					"\n              high_max: %d",
					c, pcp ? pcp->count : 0, pcp ? pcp->high : 0, pcp ? pcp->batch : z->pcp_batch,
					pcp ? pcp->high_min : z->pcp_high_min, pcp ? pcp->high_max : z->pcp_high_max);
				fprintf(fp, "\n  vm stats threshold: %d", stat_threshold(pm, z));
			}
			fprintf(fp,
				"\n  node_unreclaimable:  %u"
				"\n  start_pfn:           %llu",
				pm->hooks.node_unreclaimable && pm->hooks.node_unreclaimable(pm->hooks.ctx, n) ? 1u : 0u,
				(unsigned long long)z->start_pfn);
			fputc('\n', fp);
		}
	}
}

/* ---- vmstat ----------------------------------------------------------------------------------- */

/* calculate_totalreserve_pages */
uint64_t physmem_totalreserve_pages(const physmem_t *pm)
{
	uint64_t total = 0;

	for (unsigned n = 0; n < pm->nr_nodes; n++)
		for (unsigned zi = 0; zi < MAX_NR_ZONES; zi++) {
			const struct zone *z = zone_of(pm, n, zi);
			uint64_t max = 0;
			for (unsigned j = zi; j < MAX_NR_ZONES; j++)
				max = SIM_MAX(max, z->lowmem_reserve[j]);
			max += wmark_pages(z, WMARK_HIGH);
			total += SIM_MIN(max, z->managed);
		}
	return total;
}

/* global_dirty_limits with vm.dirty_ratio 20, vm.dirty_background_ratio 10. */
static void dirty_limits(const physmem_t *pm, uint64_t *bg, uint64_t *thresh)
{
	uint64_t x = 0, reserve = physmem_totalreserve_pages(pm);

	for (unsigned n = 0; n < pm->nr_nodes; n++) {
		for (unsigned zi = 0; zi < MAX_NR_ZONES; zi++)
			x += u64_of(zone_of(pm, n, zi)->vm_stat[NR_FREE_PAGES]);
	}
	x -= SIM_MIN(x, reserve);
	for (unsigned n = 0; n < pm->nr_nodes; n++)
		x += u64_of(pm->nodes[n]->node_stat[NR_INACTIVE_FILE]) + u64_of(pm->nodes[n]->node_stat[NR_ACTIVE_FILE]);
	x += 1;
	*thresh = x * VM_DIRTY_RATIO / 100;
	*bg = x * VM_DIRTY_BACKGROUND_RATIO / 100;
	if (*bg >= *thresh)
		*bg = *thresh / 2;
}

/*
 * nr_memmap_boot_pages: the struct page arrays set up at boot.  x86-64's
 * SPARSEMEM_VMEMMAP maps them per present 128 MiB section (32768 pages x
 * 64 bytes = 512 pages of memmap per section); numasim's nodes have no
 * holes, so every section a node's zones span is present.
 */
#define PAGES_PER_SECTION     32768ULL
#define MEMMAP_PAGES_PER_SECTION (PAGES_PER_SECTION * 64 / PAGE_SIZE)
static uint64_t memmap_boot_pages(const physmem_t *pm)
{
	uint64_t sections = 0;
	for (unsigned n = 0; n < pm->nr_nodes; n++) {
		uint64_t lo = UINT64_MAX, hi = 0;
		for (unsigned zi = 0; zi < MAX_NR_ZONES; zi++) {
			const struct zone *z = zone_of(pm, n, zi);
			if (!z || !z->spanned)
				continue;
			lo = SIM_MIN(lo, z->start_pfn);
			hi = SIM_MAX(hi, z->start_pfn + z->spanned);
		}
		if (hi > lo)
			sections += (hi + PAGES_PER_SECTION - 1) / PAGES_PER_SECTION - lo / PAGES_PER_SECTION;
	}
	return sections * MEMMAP_PAGES_PER_SECTION;
}

/* Calls emit(name, value) for every /proc/vmstat line, in its order. */
static void vmstat_lines(const physmem_t *pm, void (*emit)(void *, const char *, uint64_t), void *arg)
{
	for (unsigned i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++) {
		uint64_t v = 0;
		for (unsigned n = 0; n < pm->nr_nodes; n++)
			for (unsigned zi = 0; zi < MAX_NR_ZONES; zi++)
				v += zone_stat_val(zone_of(pm, n, zi), i);
		emit(arg, zone_stat_desc[i].name, v);
	}
	for (unsigned i = 0; i < NR_VM_NUMA_EVENT_ITEMS; i++) {
		uint64_t v = 0;
		for (unsigned n = 0; n < pm->nr_nodes; n++)
			v += node_numa_stat(pm, n, (enum numa_stat_item)i);
		emit(arg, numa_stat_desc[i].name, v);
	}
	for (unsigned i = 0; i < NR_VM_NODE_STAT_ITEMS; i++) {
		uint64_t v = 0;
		for (unsigned n = 0; n < pm->nr_nodes; n++)
			v += u64_of(pm->nodes[n]->node_stat[i]);
		if (print_in_thp((enum node_stat_item)i))
			v /= 1u << HPAGE_PMD_ORDER;
		emit(arg, node_stat_desc[i].name, v);
	}
	uint64_t bg, thresh;
	dirty_limits(pm, &bg, &thresh);
	emit(arg, "nr_dirty_threshold", thresh);
	emit(arg, "nr_dirty_background_threshold", bg);
	/* enum vm_stat_item's memmap counters: none allocated after boot (no hotplug) */
	emit(arg, "nr_memmap_pages", 0);
	emit(arg, "nr_memmap_boot_pages", memmap_boot_pages(pm));
	for (unsigned i = 0; i < NR_VM_EVENT_ITEMS; i++) {
		/* the fixture kernel has no CONFIG_CMA: its lines appear with a CMA area (os/cma.c) */
		if (!pm->cma_pages && (i == CMA_ALLOC_SUCCESS || i == CMA_ALLOC_FAIL))
			continue;
		emit(arg, vm_event_desc[i].name, pm->vm_events[i]);
	}
	/* vmstat_show's deprecated counter, kept so that old readers find it */
	emit(arg, "nr_unstable", 0);
}

static void emit_text(void *arg, const char *name, uint64_t v)
{
	fprintf((FILE *)arg, "%s %llu\n", name, (unsigned long long)v);
}

static void emit_json(void *arg, const char *name, uint64_t v)
{
	rep_u64((rep_t *)arg, name, v);
}

/* ---- numastat ------------------------------------------------------------------------------------ */

/* numactl's `numastat` without arguments: raw counters, one column per node. */
static void dump_numastat(const physmem_t *pm, FILE *fp)
{
	char hdr[32];

	fprintf(fp, "%-16s", "");
	for (unsigned n = 0; n < pm->nr_nodes; n++) {
		snprintf(hdr, sizeof(hdr), "node%u", n);
		fprintf(fp, "%16s", hdr);
	}
	fputc('\n', fp);
	for (unsigned l = 0; l < ARRAY_SIZE(node_numastat_lines); l++) {
		fprintf(fp, "%-16s", node_numastat_lines[l].name);
		for (unsigned n = 0; n < pm->nr_nodes; n++)
			fprintf(fp, "%16llu", (unsigned long long)node_numa_stat(pm, n, node_numastat_lines[l].item));
		fputc('\n', fp);
	}
}

static void dump_node_numastat(const physmem_t *pm, unsigned nid, FILE *fp)
{
	for (unsigned l = 0; l < ARRAY_SIZE(node_numastat_lines); l++)
		fprintf(fp, "%s %llu\n", node_numastat_lines[l].name,
			(unsigned long long)node_numa_stat(pm, nid, node_numastat_lines[l].item));
}

static void dump_vmstat(const physmem_t *pm, FILE *fp)
{
	vmstat_lines(pm, emit_text, fp);
}

static const struct {
	const char *name;
	void (*show)(const physmem_t *pm, FILE *fp);
} phys_views[] = {
#define PHYS_VIEW(name, fn) { name, fn },
	PHYSMEM_VIEWS(PHYS_VIEW)
#undef PHYS_VIEW
};

int physmem_dump(const physmem_t *pm, const char *view, FILE *fp)
{
	unsigned nid;
	char tail;

	for (unsigned i = 0; i < ARRAY_SIZE(phys_views); i++)
		if (!strcmp(view, phys_views[i].name)) {
			phys_views[i].show(pm, fp);
			return 0;
		}
	if (sscanf(view, "numastat-node%u%c", &nid, &tail) == 1 && nid < pm->nr_nodes) {
		dump_node_numastat(pm, nid, fp);
		return 0;
	}
	return -SIM_EUSAGE;
}

/* ---- JSON --------------------------------------------------------------------------------------- */

void physmem_report(const physmem_t *pm, rep_t *r)
{
	rep_arr_begin(r, "numastat");
	for (unsigned n = 0; n < pm->nr_nodes; n++) {
		rep_obj_begin(r, NULL);
		for (unsigned l = 0; l < ARRAY_SIZE(node_numastat_lines); l++)
			rep_u64(r, node_numastat_lines[l].name, node_numa_stat(pm, n, node_numastat_lines[l].item));
		rep_obj_end(r);
	}
	rep_arr_end(r);

	rep_obj_begin(r, "vmstat");
	vmstat_lines(pm, emit_json, r);
	rep_obj_end(r);

	rep_arr_begin(r, "zones");
	for (unsigned n = 0; n < pm->nr_nodes; n++)
		for (unsigned zi = 0; zi < MAX_NR_ZONES; zi++) {
			const struct zone *z = zone_of(pm, n, zi);
			rep_obj_begin(r, NULL);
			rep_u64(r, "node", n);
			rep_str(r, "zone", zone_names[zi]);
			rep_u64(r, "start_pfn", z->start_pfn);
			rep_u64(r, "spanned", z->spanned);
			rep_u64(r, "present", z->present);
			rep_u64(r, "managed", z->managed);
			rep_u64(r, "free", u64_of(z->vm_stat[NR_FREE_PAGES]));
			rep_u64(r, "pcp", z->pcp_pages);
			rep_u64(r, "boost", z->watermark_boost);
			rep_u64(r, "min", wmark_pages(z, WMARK_MIN));
			rep_u64(r, "low", wmark_pages(z, WMARK_LOW));
			rep_u64(r, "high", wmark_pages(z, WMARK_HIGH));
			rep_u64(r, "promo", wmark_pages(z, WMARK_PROMO));
			rep_arr_begin(r, "protection");
			for (unsigned i = 0; i < MAX_NR_ZONES; i++)
				rep_u64(r, NULL, z->lowmem_reserve[i]);
			rep_arr_end(r);
			rep_arr_begin(r, "buddyinfo");
			for (unsigned o = 0; o < NR_PAGE_ORDERS; o++)
				rep_u64(r, NULL, z->free_area[o].nr_free);
			rep_arr_end(r);
			rep_u64(r, "nr_reserved_highatomic", z->nr_reserved_highatomic);
			rep_u64(r, "pcp_batch", (uint64_t)z->pcp_batch);
			rep_u64(r, "pcp_high_min", (uint64_t)z->pcp_high_min);
			rep_u64(r, "pcp_high_max", (uint64_t)z->pcp_high_max);
			for (unsigned i = 0; i < NR_VM_NUMA_EVENT_ITEMS; i++)
				rep_u64(r, numa_stat_desc[i].name, z->numa_stat[i]);
			rep_obj_end(r);
		}
	rep_arr_end(r);

	struct stat_block sb = { .desc = phys_stat_desc, .val = pm->phys_stat, .n = NR_PHYS_STATS };
	rep_obj_begin(r, "allocator");
	rep_u64(r, "min_free_kbytes", pm->min_free_kbytes);
	rep_stats(r, "counters", &sb);
	rep_obj_end(r);
}
