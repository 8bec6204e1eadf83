/*
 * os/contig.c - emptying physical ranges for CMA and memory offlining
 * (Linux 6.18 mm/page_alloc.c alloc_contig_range_noprof /
 * __alloc_contig_migrate_range, mm/compaction.c isolate_migratepages_range,
 * mm/migrate.c alloc_migration_target).  See os/contig.h.
 */
#include <stdlib.h>
#include "os/contig.h"
#include "sim/err.h"

#define CONTIG_MIGRATE_TRIES 5   /* __alloc_contig_migrate_range: ++tries == 5 -> -EBUSY */

struct contig_target {
	unsigned nid, cpu;
	bool use_mask;
	nodemask_t mask;
};

/* alloc_migration_target: the source's kind of page, preferring t->nid, within t->mask. */
static int contig_alloc(void *ctx, struct os *os, struct page *src, sim_time_t now, uint64_t *pfn, sim_time_t *cost)
{
	const struct contig_target *t = ctx;
	gfp_t gfp = GFP_HIGHUSER_MOVABLE | __GFP_RETRY_MAYFAIL;

	if (src->order)
		gfp = GFP_TRANSHUGE | __GFP_RETRY_MAYFAIL;
	struct alloc_ctx ac = { .order = src->order, .gfp = gfp, .preferred_nid = (int)t->nid,
				.nodemask = t->use_mask ? &t->mask : NULL, .cpu = t->cpu, .now = now };
	return page_alloc(os->phys, &ac, pfn, cost);
}

/*
 * isolate_migratepages_range over [start, end): the movable folios (base
 * pages, THP heads, a THP whose tail is in the range) in address order.
 * @return the count; *scanned += pages examined.
 */
static size_t collect_movable(struct os *os, uint64_t start, uint64_t end, struct page ***out, size_t *cap,
			      uint64_t *scanned)
{
	physmem_t *pm = os->phys;
	size_t n = 0;

	for (uint64_t pfn = start; pfn < end; pfn++) {
		struct page *pg = pfn_page_peek(pm, pfn);
		if (!pg) {
			pfn |= PAGEBLOCK_NR_PAGES - 1;   /* no descriptors: free since boot */
			continue;
		}
		(*scanned)++;
		if (page_test(pg, PG_buddy)) {
			pfn += (1ULL << pg->order) - 1;
			continue;
		}
		if (page_test(pg, PG_tail)) {
			struct page *h = pfn_page_peek(pm, pg->private);
			if (!h)
				continue;
			pg = h;
		}
		if (page_test(pg, PG_head))
			pfn = SIM_MAX(pfn, pg->pfn + (1ULL << pg->order) - 1);
		if (!migrate_isolatable(os, pg))
			continue;   /* pinned, unmovable or in flight: the range stays busy */
		if (n == *cap) {
			*cap = *cap ? 2 * *cap : 64;
			struct page **np = realloc(*out, *cap * sizeof(*np));
			SIM_BUG_ON(!np);
			*out = np;
		}
		(*out)[n++] = pg;
	}
	return n;
}

uint64_t migrate_range_out(struct os *os, uint64_t start, uint64_t end, enum migrate_reason reason, unsigned nid,
			   bool avoid_nid, unsigned cpu, sim_time_t now, sim_time_t *cost)
{
	struct contig_target t = { .nid = nid, .cpu = cpu, .use_mask = avoid_nid };
	struct page **pages = NULL;
	size_t cap = 0;
	uint64_t scanned = 0;
	sim_time_t spent = 0;

	if (avoid_nid) {
		/* do_migrate_range: N_MEMORY without the source node, unless that leaves nothing */
		unsigned order[HW_MAX_NODES], nr = physmem_node_order(os->phys, nid, order);
		nodes_clear(&t.mask);
		for (unsigned i = 0; i < nr; i++)
			if (order[i] != nid)
				node_set(order[i], &t.mask);
		if (nr <= 1)
			node_set(nid, &t.mask);
	}
	for (unsigned tries = 0; tries < CONTIG_MIGRATE_TRIES; tries++) {
		size_t n = collect_movable(os, start, end, &pages, &cap, &scanned);
		if (!n)
			break;
		struct migrate_req rq = { .reason = reason, .cpu = cpu, .now = now + spent, .alloc = contig_alloc,
					  .alloc_ctx = &t };
		if (!migrate_folios(os, pages, (unsigned)n, &rq, &spent, NULL))
			break;
	}
	free(pages);
	spent += scanned * os->cfg.compact_scan_cost;
	*cost += spent;
	uint64_t busy = 0;
	for (uint64_t pfn = start; pfn < end; pfn++) {
		const struct page *pg = pfn_page_peek(os->phys, pfn);
		if (!pg)
			pfn |= PAGEBLOCK_NR_PAGES - 1;
		else if (page_test(pg, PG_buddy))
			pfn += (1ULL << pg->order) - 1;
		else
			busy++;
	}
	return busy;
}

int alloc_contig_range(struct os *os, uint64_t start, uint64_t end, unsigned cpu, sim_time_t now, sim_time_t *cost)
{
	physmem_t *pm = os->phys;
	const uint64_t max_nr = 1ULL << MAX_PAGE_ORDER;
	uint64_t ostart = start & ~(max_nr - 1), oend = (end + max_nr - 1) & ~(max_nr - 1);
	int rc = start_isolate_page_range(pm, ostart, oend, false, NULL);

	if (rc)
		return rc == -SIM_ERANGE ? rc : -SIM_EBUSY;
	migrate_range_out(os, start, end, MR_CONTIG_RANGE, pfn_to_nid(pm, start), false, cpu, now, cost);
	if (test_pages_isolated(pm, start, end) != end) {
		undo_isolate_page_range(pm, ostart, oend);
		return -SIM_EBUSY;
	}
	isolate_freepages_range(pm, start, end);
	undo_isolate_page_range(pm, ostart, oend);
	return 0;
}
