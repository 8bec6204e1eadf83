/*
 * os/cma.c - CMA areas, cma_alloc / cma_release (Linux 6.18 mm/cma.c
 * cma_range_alloc, kernel/dma/contiguous.c dma_numa_cma_reserve), on top of
 * os/contig.c's alloc_contig_range.  See os/cma.h.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "os/cma.h"
#include "os/contig.h"
#include "sim/err.h"

#define CMA_MAX_AREAS (2 * HW_MAX_NODES)

struct cma_alloc_rec {
	uint64_t pfn, count;
};

struct cma {
	char name[24];            /* "pernumaN" / "numaN": the /sys/kernel/mm/cma/ directory */
	unsigned nid;
	uint64_t base_pfn, count; /* pages */
	uint8_t *bitmap;          /* one byte per page (order_per_bit 0): 1 = handed out */
	uint64_t available;       /* pages not handed out */
	uint64_t alloc_pages_success, alloc_pages_fail, release_pages_success;
	struct cma_alloc_rec *live; /* allocations not yet released, oldest first */
	size_t nr_live, cap_live;
};

struct cma_state {
	unsigned nr;
	struct cma areas[CMA_MAX_AREAS];
};

/* ---- boot ------------------------------------------------------------------------------ */

/* The node's highest kernel zone (CMA is never placed in ZONE_MOVABLE). */
static int cma_zone(physmem_t *pm, unsigned nid, struct zone_info *zi)
{
	for (int z = ZONE_NORMAL; z >= ZONE_DMA; z--)
		if (!physmem_zone_info(pm, nid, (enum zone_type)z, zi) && zi->populated)
			return z;
	return -1;
}

/*
 * cma_declare_contiguous_nid: size bytes at the top of the node (memblock
 * allocates top-down), below the areas already placed there.  numasim
 * aligns base and size to MAX_ORDER (4 MiB; Linux: a pageblock) so that
 * alloc_contig_range can isolate whole MAX_ORDER blocks.
 */
static int cma_declare(struct os *os, unsigned nid, uint64_t bytes, const char *prefix, uint64_t *top, char *err,
		       size_t errlen)
{
	struct cma_state *cs = os->cma;
	const uint64_t align = 1ULL << MAX_PAGE_ORDER;
	uint64_t pages = ((bytes >> PAGE_SHIFT) + align - 1) & ~(align - 1);
	struct zone_info zi;
	int zid = cma_zone(os->phys, nid, &zi);

	if (zid < 0)
		return 0;   /* a memory-less node gets no area (Linux skips it) */
	if (!top[nid])
		top[nid] = (zi.start_pfn + zi.spanned) & ~(align - 1);
	if (top[nid] < zi.start_pfn + pages)
		return sim_errf(err, errlen, SIM_ECONFIG,
				"os.%s: %" PRIu64 " MiB do not fit in node %u's zone %s (%" PRIu64 " MiB)",
				prefix[0] == 'p' ? "cma_pernuma" : "numa_cma", pages >> (20 - PAGE_SHIFT), nid,
				zone_names[zid], zi.spanned >> (20 - PAGE_SHIFT));
	struct cma *c = &cs->areas[cs->nr++];
	snprintf(c->name, sizeof(c->name), "%s%u", prefix, nid);
	c->nid = nid;
	c->count = pages;
	c->base_pfn = top[nid] - pages;
	c->available = pages;
	top[nid] = c->base_pfn;
	c->bitmap = calloc(pages, 1);
	if (!c->bitmap)
		return sim_errf(err, errlen, SIM_ENOMEM, "cma: out of host memory");
	int rc = pa_init_cma_range(os->phys, c->base_pfn, c->base_pfn + pages);
	if (rc)
		return sim_errf(err, errlen, SIM_ECONFIG, "cma: %s cannot be placed at pfn %" PRIu64, c->name, c->base_pfn);
	return 0;
}

int cma_init(struct os *os, char *err, size_t errlen)
{
	const struct os_cfg *c = &os->cfg;
	uint64_t top[HW_MAX_NODES] = { 0 };
	unsigned nr_nodes = physmem_nr_nodes(os->phys);
	bool any = c->cma_pernuma > 0;

	for (unsigned i = 0; i < c->nr_numa_cma; i++)
		any |= c->numa_cma[i] > 0;
	if (!any)
		return 0;
	if (c->nr_numa_cma > nr_nodes)
		return sim_errf(err, errlen, SIM_ECONFIG, "os.numa_cma: %u entries for %u nodes", c->nr_numa_cma,
				nr_nodes);
	os->cma = calloc(1, sizeof(*os->cma));
	if (!os->cma)
		return sim_errf(err, errlen, SIM_ENOMEM, "cma: out of host memory");
	/* dma_numa_cma_reserve: per node, cma_pernuma's area first, then numa_cma's */
	for (unsigned n = 0; n < nr_nodes; n++) {
		int rc = 0;
		if (c->cma_pernuma)
			rc = cma_declare(os, n, c->cma_pernuma, "pernuma", top, err, errlen);
		if (!rc && n < c->nr_numa_cma && c->numa_cma[n])
			rc = cma_declare(os, n, (uint64_t)c->numa_cma[n] << 20, "numa", top, err, errlen);
		if (rc) {
			cma_destroy(os);
			return rc;
		}
	}
	return 0;
}

void cma_destroy(struct os *os)
{
	if (!os->cma)
		return;
	for (unsigned i = 0; i < os->cma->nr; i++) {
		free(os->cma->areas[i].bitmap);
		free(os->cma->areas[i].live);
	}
	free(os->cma);
	os->cma = NULL;
}

/* ---- cma_alloc ------------------------------------------------------------------------------ */

/* The k-th area of node nid (0: pernumaN, then numaN: dma_alloc_contiguous's order), or NULL. */
static struct cma *node_cma_nth(struct os *os, unsigned nid, unsigned k)
{
	if (!os->cma)
		return NULL;
	for (unsigned i = 0; i < os->cma->nr; i++)
		if (os->cma->areas[i].nid == nid && !k--)
			return &os->cma->areas[i];
	return NULL;
}

static struct cma *node_cma(struct os *os, unsigned nid)
{
	return node_cma_nth(os, nid, 0);
}

static int cma_area_release(struct os *os, struct cma *c, uint64_t pfn, uint64_t count, unsigned cpu);

/* bitmap_find_next_zero_area_off with offset 0: the first aligned run of count zeros at or after start. */
static uint64_t find_zero_area(const struct cma *c, uint64_t start, uint64_t count, uint64_t mask)
{
	uint64_t i = (start + mask) & ~mask;

	while (i + count <= c->count) {
		uint64_t j = 0;
		while (j < count && !c->bitmap[i + j])
			j++;
		if (j == count)
			return i;
		i = (i + j + 1 + mask) & ~mask;
	}
	return c->count;
}

static void bitmap_set_range(struct cma *c, uint64_t no, uint64_t count, uint8_t v)
{
	memset(c->bitmap + no, v, count);
	if (v)
		c->available -= count;
	else
		c->available += count;
}

/* cma_alloc on one area. */
static int cma_area_alloc(struct os *os, struct cma *c, uint64_t count, unsigned align, unsigned cpu, sim_time_t now,
			  uint64_t *pfn, sim_time_t *cost)
{
	if (!count || count > c->count || align > MAX_PAGE_ORDER)
		return -SIM_ERANGE;
	uint64_t mask = (1ULL << align) - 1, start = 0;
	int ret = -SIM_EBUSY;
	sim_time_t spent = 0;
	for (;;) {
		uint64_t no = find_zero_area(c, start, count, mask);
		if (no >= c->count)
			break;
		bitmap_set_range(c, no, count, 1);
		uint64_t p = c->base_pfn + no;
		ret = alloc_contig_range(os, p, p + count, cpu, now + spent, &spent);
		if (!ret) {
			*pfn = p;
			break;
		}
		bitmap_set_range(c, no, count, 0);
		if (ret != -SIM_EBUSY)
			break;
		start = no + mask + 1;   /* try again with a bit different memory target */
	}
	*cost += spent;
	if (ret) {
		vmstat_inc(os->phys, CMA_ALLOC_FAIL, 1);
		c->alloc_pages_fail += count;
		return ret;
	}
	vmstat_inc(os->phys, CMA_ALLOC_SUCCESS, 1);
	c->alloc_pages_success += count;
	if (c->nr_live == c->cap_live) {
		size_t cap = c->cap_live ? 2 * c->cap_live : 8;
		struct cma_alloc_rec *n = realloc(c->live, cap * sizeof(*n));
		SIM_BUG_ON(!n);   /* the pages are taken; losing track of them is no state to go on from */
		c->live = n;
		c->cap_live = cap;
	}
	c->live[c->nr_live++] = (struct cma_alloc_rec){ *pfn, count };
	return 0;
}

int cma_alloc(struct os *os, unsigned nid, uint64_t count, unsigned align, unsigned cpu, sim_time_t now,
	      uint64_t *pfn, sim_time_t *cost)
{
	struct cma *c = node_cma(os, nid);

	return c ? cma_area_alloc(os, c, count, align, cpu, now, pfn, cost) : -SIM_ERANGE;
}

/* cma_release on the area of node nid holding [pfn, pfn + count). */
int cma_release(struct os *os, unsigned nid, uint64_t pfn, uint64_t count, unsigned cpu)
{
	struct cma *c;

	for (unsigned k = 0; (c = node_cma_nth(os, nid, k)); k++)
		if (pfn >= c->base_pfn && pfn + count <= c->base_pfn + c->count)
			return cma_area_release(os, c, pfn, count, cpu);
	return -SIM_ERANGE;
}

static int cma_area_release(struct os *os, struct cma *c, uint64_t pfn, uint64_t count, unsigned cpu)
{
	size_t i;

	for (i = c->nr_live; i-- > 0;)
		if (c->live[i].pfn == pfn && c->live[i].count == count)
			break;
	if (i == (size_t)-1)
		return -SIM_ERANGE;
	memmove(&c->live[i], &c->live[i + 1], (c->nr_live - i - 1) * sizeof(*c->live));
	c->nr_live--;
	for (uint64_t k = 0; k < count; k++) {   /* free_contig_range */
		struct page *pg = pfn_to_page(os->phys, pfn + k);
		pg->refcount = 0;
		page_free(os->phys, pfn + k, 0, cpu);
	}
	bitmap_set_range(c, pfn - c->base_pfn, count, 0);
	c->release_pages_success += count;
	return 0;
}

/* ---- trace control records ---------------------------------------------------------------- */

int cma_sys_alloc(struct os *os, uint64_t node, uint64_t count, unsigned cpu, sim_time_t now, sim_time_t *cost,
		  char *err, size_t errlen)
{
	if (node >= physmem_nr_nodes(os->phys) || !node_cma(os, (unsigned)node))
		return sim_errf(err, errlen, SIM_ERANGE, "ENODEV: node %" PRIu64 " has no CMA area", node);
	/* dma_alloc_contiguous: align = get_order(size), capped at CONFIG_CMA_ALIGNMENT (8) */
	unsigned align = count > 1 ? ilog2_u64(count - 1) + 1 : 0;
	uint64_t pfn;
	int rc = -SIM_ERANGE;
	struct cma *c;
	/* the node's pernuma area, then its numa area (dma_alloc_contiguous) */
	for (unsigned k = 0; rc && (c = node_cma_nth(os, (unsigned)node, k)); k++)
		if (count && count <= c->count)
			rc = cma_area_alloc(os, c, count, SIM_MIN(align, 8u), cpu, now, &pfn, cost);
	if (rc == -SIM_ERANGE)
		return sim_errf(err, errlen, SIM_ERANGE, "EINVAL: %" PRIu64 " pages (no CMA area of node %" PRIu64
				" is that large)", count, node);
	if (rc)
		return sim_errf(err, errlen, -rc, "ENOMEM: cma_alloc of %" PRIu64 " pages on node %" PRIu64
				" failed (every range busy)", count, node);
	return 0;
}

int cma_sys_release(struct os *os, uint64_t node, uint64_t count, unsigned cpu, char *err, size_t errlen)
{
	if (node >= physmem_nr_nodes(os->phys) || !node_cma(os, (unsigned)node))
		return sim_errf(err, errlen, SIM_ERANGE, "ENODEV: node %" PRIu64 " has no CMA area", node);
	struct cma *c;
	for (unsigned k = 0; (c = node_cma_nth(os, (unsigned)node, k)); k++)
		for (size_t i = c->nr_live; i-- > 0;)
			if (c->live[i].count == count)
				return cma_area_release(os, c, c->live[i].pfn, count, cpu);
	return sim_errf(err, errlen, SIM_ERANGE, "EINVAL: no allocation of %" PRIu64 " pages held on node %" PRIu64,
			count, node);
}

/* ---- views ---------------------------------------------------------------------------------- */

void cma_dump(const struct os *os, FILE *fp)
{
	if (!os->cma)
		return;
	for (unsigned i = 0; i < os->cma->nr; i++) {
		const struct cma *c = &os->cma->areas[i];
		const char *names[] = { "alloc_pages_fail", "alloc_pages_success", "available_pages",
					"release_pages_success", "total_pages" };
		uint64_t vals[] = { c->alloc_pages_fail, c->alloc_pages_success, c->available, c->release_pages_success,
				    c->count };
		for (unsigned k = 0; k < ARRAY_SIZE(names); k++)
			fprintf(fp, "/sys/kernel/mm/cma/%s/%s:%" PRIu64 "\n", c->name, names[k], vals[k]);
	}
}

void cma_report(const struct os *os, rep_t *r)
{
	if (!os->cma)
		return;
	rep_arr_begin(r, "cma");
	for (unsigned i = 0; i < os->cma->nr; i++) {
		const struct cma *c = &os->cma->areas[i];
		rep_obj_begin(r, NULL);
		rep_str(r, "name", c->name);
		rep_u64(r, "node", c->nid);
		rep_u64(r, "base_pfn", c->base_pfn);
		rep_u64(r, "total_pages", c->count);
		rep_u64(r, "available_pages", c->available);
		rep_u64(r, "alloc_pages_success", c->alloc_pages_success);
		rep_u64(r, "alloc_pages_fail", c->alloc_pages_fail);
		rep_u64(r, "release_pages_success", c->release_pages_success);
		rep_obj_end(r);
	}
	rep_arr_end(r);
}
