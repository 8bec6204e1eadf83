/*
 * os/physmem.c - building the physical-memory manager: nodes and zones from
 * the machine layout, sparse frame descriptors, zonelists, min_free_kbytes,
 * watermarks, lowmem_reserve and per-CPU list sizes (sources.md §1-§3),
 * plus the counter accessors.  The allocator itself is in page_alloc.c.
 */
#include <stdlib.h>
#include <string.h>
#include "os/page_alloc_internal.h"
#include "sim/err.h"

const char *const zone_names[MAX_NR_ZONES] = { "DMA", "DMA32", "Normal", "Movable", "Device" };
const char *const migratetype_names[MIGRATE_TYPES] = { "Unmovable", "Movable", "Reclaimable", "HighAtomic",
						       "CMA", "Isolate" };
const char *const pageflag_names[] = {
#define PAGE_FLAG_NAME(id, name) name,
	PAGE_FLAGS(PAGE_FLAG_NAME)
#undef PAGE_FLAG_NAME
};

static const uint32_t default_lowmem_reserve_ratio[MAX_NR_ZONES] = { 256, 256, 32, 0, 0 };

void *pa_alloc_host(physmem_t *pm, size_t bytes)
{
	void *p = calloc(1, bytes);

	/* Frame descriptors are created on demand deep inside the allocator,
	 * where no error can be returned; running the host out of memory is
	 * not a state the simulation can continue from. */
	SIM_BUG_ON(p == NULL);
	pm->host_bytes += bytes;
	return p;
}

/* ---- layout ---------------------------------------------------------------- */

void physmem_layout_from_hw_cfg(struct physmem_layout *l, const struct hw_cfg *hc)
{
	uint64_t base = 0;
	unsigned cpu = 0;

	memset(l, 0, sizeof(*l));
	l->nr_nodes = hc->nr_nodes;
	for (unsigned n = 0; n < hc->nr_nodes; n++) {
		const struct node_cfg *nc = &hc->nodes[n];
		l->base_pfn[n] = base >> PAGE_SHIFT;
		l->pages[n] = nc->memory >> PAGE_SHIFT;
		base += nc->memory;
		for (unsigned m = 0; m < hc->nr_nodes; m++)
			l->distance[n][m] = m < nc->nr_distance ? nc->distance[m] : (m == n ? 10 : 20);
		for (unsigned c = 0; c < nc->cpus && cpu < HW_MAX_CPUS; c++)
			l->cpu_node[cpu++] = (uint16_t)n;
	}
	l->nr_cpus = cpu;
}

/* ---- frames ---------------------------------------------------------------- */

bool pfn_valid(const physmem_t *pm, uint64_t pfn)
{
	for (unsigned n = 0; n < pm->nr_nodes; n++)
		if (pfn >= pm->nodes[n]->start_pfn && pfn < pm->nodes[n]->end_pfn)
			return true;
	return false;
}

struct zone *pa_pfn_zone(const physmem_t *pm, uint64_t pfn)
{
	for (unsigned n = 0; n < pm->nr_nodes; n++) {
		struct pglist_data *pg = pm->nodes[n];
		if (pfn < pg->start_pfn || pfn >= pg->end_pfn)
			continue;
		for (unsigned z = 0; z < MAX_NR_ZONES; z++)
			if (pg->zones[z].spanned && zone_spans_pfn(&pg->zones[z], pfn))
				return &pg->zones[z];
	}
	return NULL;
}

unsigned pfn_to_nid(const physmem_t *pm, uint64_t pfn)
{
	struct zone *z = pa_pfn_zone(pm, pfn);

	SIM_BUG_ON(z == NULL);
	return z->nid;
}

enum zone_type pfn_to_zone(const physmem_t *pm, uint64_t pfn)
{
	struct zone *z = pa_pfn_zone(pm, pfn);

	SIM_BUG_ON(z == NULL);
	return z->zid;
}

struct page *pa_page_lookup(const physmem_t *pm, uint64_t pfn)
{
	const struct mem_section *s;

	if (pfn >= pm->max_pfn)
		return NULL;
	s = pm->sections[pfn >> PA_SECTION_SHIFT];
	if (!s)
		return NULL;
	struct page *blk = s->blocks[(pfn >> PAGEBLOCK_ORDER) & (PA_SECTION_BLOCKS - 1)];
	return blk ? &blk[pfn & (PAGEBLOCK_NR_PAGES - 1)] : NULL;
}

static struct mem_section *section_get(physmem_t *pm, uint64_t pfn)
{
	struct mem_section **sp = &pm->sections[pfn >> PA_SECTION_SHIFT];

	if (!*sp) {
		*sp = pa_alloc_host(pm, sizeof(**sp));
		for (unsigned i = 0; i < PA_SECTION_BLOCKS; i++)
			(*sp)->pb_mt[i] = MIGRATE_MOVABLE;
	}
	return *sp;
}

struct page *pfn_to_page(physmem_t *pm, uint64_t pfn)
{
	struct page *p = pa_page_lookup(pm, pfn);

	if (likely(p))
		return p;
	SIM_BUG_ON(!pfn_valid(pm, pfn));
	struct mem_section *s = section_get(pm, pfn);
	unsigned bi = (pfn >> PAGEBLOCK_ORDER) & (PA_SECTION_BLOCKS - 1);
	uint64_t first = pfn & ~(uint64_t)(PAGEBLOCK_NR_PAGES - 1);
	struct page *blk = pa_alloc_host(pm, sizeof(struct page) * PAGEBLOCK_NR_PAGES);

	for (unsigned i = 0; i < PAGEBLOCK_NR_PAGES; i++) {
		struct zone *z = pa_pfn_zone(pm, first + i);
		blk[i].pfn = first + i;
		if (z) {
			blk[i].node = (uint8_t)z->nid;
			blk[i].zone = (uint8_t)z->zid;
		} else {
			/* Not RAM the allocator manages (pfn 0, or beyond a node). */
			blk[i].flags = 1u << PG_reserved;
		}
	}
	s->blocks[bi] = blk;
	return &blk[pfn & (PAGEBLOCK_NR_PAGES - 1)];
}

enum migratetype get_pageblock_migratetype(const physmem_t *pm, uint64_t pfn)
{
	const struct mem_section *s;

	if (pfn >= pm->max_pfn)
		return MIGRATE_MOVABLE;
	s = pm->sections[pfn >> PA_SECTION_SHIFT];
	if (!s)
		return MIGRATE_MOVABLE;
	uint8_t v = s->pb_mt[(pfn >> PAGEBLOCK_ORDER) & (PA_SECTION_BLOCKS - 1)];
	return (v & PB_ISOLATE) ? MIGRATE_ISOLATE : (enum migratetype)v;
}

enum migratetype get_pageblock_type_under_isolation(const physmem_t *pm, uint64_t pfn)
{
	const struct mem_section *s = pfn < pm->max_pfn ? pm->sections[pfn >> PA_SECTION_SHIFT] : NULL;

	if (!s)
		return MIGRATE_MOVABLE;
	return (enum migratetype)(s->pb_mt[(pfn >> PAGEBLOCK_ORDER) & (PA_SECTION_BLOCKS - 1)] & ~PB_ISOLATE);
}

void pa_set_pageblock_mt(physmem_t *pm, uint64_t pfn, enum migratetype mt)
{
	struct mem_section *s;

	if (mt == MIGRATE_MOVABLE && !pm->sections[pfn >> PA_SECTION_SHIFT])
		return;   /* already MOVABLE by default */
	s = section_get(pm, pfn);
	uint8_t *v = &s->pb_mt[(pfn >> PAGEBLOCK_ORDER) & (PA_SECTION_BLOCKS - 1)];
	/* isolating sets the bit and keeps the type; any other type replaces both */
	*v = mt == MIGRATE_ISOLATE ? (uint8_t)(*v | PB_ISOLATE) : (uint8_t)mt;
}

uint64_t physmem_host_bytes(const physmem_t *pm)
{
	return pm->host_bytes;
}

/* ---- zones ------------------------------------------------------------------- */

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static void zone_init(struct zone *z, unsigned nid, enum zone_type zid, uint64_t start, uint64_t end)
{
	z->nid = nid;
	z->zid = zid;
	for (unsigned o = 0; o < NR_PAGE_ORDERS; o++)
		for (unsigned t = 0; t < MIGRATE_TYPES; t++)
			INIT_LIST_HEAD(&z->free_area[o].free_list[t]);
	if (end <= start)
		return;
	z->start_pfn = start;
	z->spanned = end - start;
	/* numasim models no holes and no memmap/firmware reservations. */
	z->present = z->spanned;
	z->managed = z->present;
}

/*
 * Zone boundaries (sources.md §1.2): DMA below zone_dma, DMA32 below
 * zone_dma32_end, NORMAL above, MOVABLE carved from the top of each node's
 * NORMAL range (start rounded up to an order-10 boundary, as Linux rounds
 * zone_movable_pfn to MAX_ORDER_NR_PAGES).
 */
static void node_zones_init(physmem_t *pm, struct pglist_data *pg)
{
	const struct os_cfg *c = &pm->cfg;
	uint64_t s = pg->start_pfn, e = pg->end_pfn;
	uint64_t dma_end = c->zone_dma >> PAGE_SHIFT;
	uint64_t dma32_end = c->zone_dma32_end >> PAGE_SHIFT;
	uint64_t low_end = SIM_MAX(dma_end, dma32_end);
	uint64_t normal_start = SIM_MAX(s, low_end), normal_end = e;
	uint64_t mov_start = e;

	if (c->movablecore && normal_start < e) {
		uint64_t mpages = c->movablecore >> PAGE_SHIFT;
		mov_start = e > mpages ? e - mpages : 0;
		mov_start = align_up(SIM_MAX(mov_start, normal_start), 1ULL << MAX_PAGE_ORDER);
		if (mov_start < e)
			normal_end = mov_start;
		else
			mov_start = e;
	}
	zone_init(&pg->zones[ZONE_DMA], pg->nid, ZONE_DMA, s, SIM_MIN(e, dma_end));
	zone_init(&pg->zones[ZONE_DMA32], pg->nid, ZONE_DMA32, SIM_MAX(s, dma_end), SIM_MIN(e, dma32_end));
	zone_init(&pg->zones[ZONE_NORMAL], pg->nid, ZONE_NORMAL, normal_start, normal_end);
	zone_init(&pg->zones[ZONE_MOVABLE], pg->nid, ZONE_MOVABLE, mov_start, e);
	zone_init(&pg->zones[ZONE_DEVICE], pg->nid, ZONE_DEVICE, 0, 0);
}

/*
 * Boot-time freeing (memblock_free_all -> __free_pages_memory): the largest
 * naturally aligned blocks that fit, in address order, to the list tails.
 * The aligned order-10 middle stays pristine (see page_alloc_internal.h).
 */
static void zone_free_boot_range(physmem_t *pm, struct zone *z, uint64_t start, uint64_t end)
{
	while (start < end) {
		unsigned order = start ? SIM_MIN((unsigned)__builtin_ctzll(start), (unsigned)MAX_PAGE_ORDER)
				       : MAX_PAGE_ORDER;
		while (start + (1ULL << order) > end)
			order--;
		pa_free_boot_block(pm, z, start, order);
		start += 1ULL << order;
	}
}

static void zone_boot_free(physmem_t *pm, struct zone *z)
{
	const uint64_t max_nr = 1ULL << MAX_PAGE_ORDER;
	uint64_t s = z->start_pfn, e = zone_end_pfn(z);
	uint64_t a = align_up(s, max_nr), b = e & ~(max_nr - 1);

	if (!zone_populated(z))
		return;
	if (a >= b) {
		zone_free_boot_range(pm, z, s, e);
		return;
	}
	zone_free_boot_range(pm, z, s, a);
	z->pristine_lo = a;
	z->pristine_hi = b;
	z->free_area[MAX_PAGE_ORDER].nr_free += (b - a) >> MAX_PAGE_ORDER;
	z->free_area[MAX_PAGE_ORDER].nr_list[MIGRATE_MOVABLE] += (b - a) >> MAX_PAGE_ORDER;
	z->vm_stat[NR_FREE_PAGES] += (int64_t)(b - a);
	zone_free_boot_range(pm, z, b, e);
}

/* ---- zonelists (sources.md §1.3) ------------------------------------------------- */

static bool node_has_memory(const physmem_t *pm, unsigned n)
{
	const struct pglist_data *pg = pm->nodes[n];

	for (unsigned z = 0; z < MAX_NR_ZONES; z++)
		if (zone_populated(&pg->zones[z]))
			return true;
	return false;
}

static int find_next_best_node(const physmem_t *pm, unsigned node, bool *used, const unsigned *node_load)
{
	int best = -1;
	uint64_t min_val = UINT64_MAX;

	if (!used[node] && node_has_memory(pm, node)) {
		used[node] = true;
		return (int)node;
	}
	for (unsigned n = 0; n < pm->nr_nodes; n++) {
		if (used[n] || !node_has_memory(pm, n))
			continue;
		uint64_t val = pm->distance[node][n];
		val += n < node;                                   /* prefer the next node */
		if (pm->nodes[n]->nr_cpus)
			val += PENALTY_FOR_NODE_WITH_CPUS;          /* prefer headless nodes */
		val = val * MAX_NUMNODES + node_load[n];            /* then the less loaded one */
		if (val < min_val) {
			min_val = val;
			best = (int)n;
		}
	}
	if (best >= 0)
		used[best] = true;
	return best;
}

static void build_all_zonelists(physmem_t *pm)
{
	unsigned node_load[HW_MAX_NODES] = { 0 };   /* carried across nodes, as in Linux */

	for (unsigned nid = 0; nid < pm->nr_nodes; nid++) {
		struct pglist_data *pg = pm->nodes[nid];
		bool used[HW_MAX_NODES] = { false };
		unsigned prev = nid, nr = 0, nz = 0;
		int node;

		while ((node = find_next_best_node(pm, nid, used, node_load)) >= 0) {
			if (pm->distance[nid][node] != pm->distance[nid][prev])
				node_load[node] += 1;
			pg->node_order[nr++] = (unsigned)node;
			prev = (unsigned)node;
		}
		pg->nr_node_order = nr;
		for (unsigned i = 0; i < nr; i++) {
			struct pglist_data *other = pm->nodes[pg->node_order[i]];
			for (int z = MAX_NR_ZONES - 1; z >= 0; z--)
				if (zone_populated(&other->zones[z]))
					pg->zonelist[nz++].zone = &other->zones[z];
		}
		pg->zonelist[nz].zone = NULL;
		nz = 0;
		for (int z = MAX_NR_ZONES - 1; z >= 0; z--)
			if (zone_populated(&pg->zones[z]))
				pg->zonelist_thisnode[nz++].zone = &pg->zones[z];
		pg->zonelist_thisnode[nz].zone = NULL;
	}
}

unsigned physmem_node_order(const physmem_t *pm, unsigned nid, unsigned *out)
{
	if (nid >= pm->nr_nodes)
		return 0;
	for (unsigned i = 0; i < pm->nodes[nid]->nr_node_order; i++)
		out[i] = pm->nodes[nid]->node_order[i];
	return pm->nodes[nid]->nr_node_order;
}

/* ---- watermarks, reserves, pcp sizes (sources.md §3) ------------------------------- */


uint64_t int_sqrt64(uint64_t x)
{
	uint64_t r = 0, bit = 1ULL << 62;

	while (bit > x)
		bit >>= 2;
	while (bit) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
		bit >>= 2;
	}
	return r;
}

/* x * n / d without overflow for the sizes at hand (Linux's mult_frac). */
static uint64_t mult_frac(uint64_t x, uint64_t n, uint64_t d)
{
	return (x / d) * n + ((x % d) * n) / d;
}

#define for_each_zone(pm, z)                                                     \
	for (unsigned nid_ = 0; nid_ < (pm)->nr_nodes; nid_++)                  \
		for (struct zone *z = (pm)->nodes[nid_]->zones;                  \
		     z < (pm)->nodes[nid_]->zones + MAX_NR_ZONES; z++)

/* nr_free_buffer_pages(): managed minus HIGH of every zone <= NORMAL. */
static uint64_t nr_free_buffer_pages(const physmem_t *pm)
{
	uint64_t sum = 0;

	for_each_zone(pm, z)
		if (z->zid <= ZONE_NORMAL && z->managed > z->wmark[WMARK_HIGH])
			sum += z->managed - z->wmark[WMARK_HIGH];
	return sum;
}

static void setup_per_zone_wmarks(physmem_t *pm)
{
	uint64_t pages_min = pm->min_free_kbytes >> (PAGE_SHIFT - 10);
	uint64_t lowmem_pages = 0;

	for_each_zone(pm, z)
		if (z->zid != ZONE_MOVABLE)
			lowmem_pages += z->managed;
	for_each_zone(pm, z) {
		uint64_t tmp = lowmem_pages ? pages_min * z->managed / lowmem_pages : 0;
		if (z->zid == ZONE_MOVABLE)
			z->wmark[WMARK_MIN] = SIM_MIN(SIM_MAX(z->managed / 1024, 32u), 128u);
		else
			z->wmark[WMARK_MIN] = tmp;
		uint64_t gap = SIM_MAX(tmp >> 2, mult_frac(z->managed, pm->cfg.watermark_scale_factor, 10000));
		z->watermark_boost = 0;
		z->wmark[WMARK_LOW] = z->wmark[WMARK_MIN] + gap;
		z->wmark[WMARK_HIGH] = z->wmark[WMARK_LOW] + gap;
		z->wmark[WMARK_PROMO] = z->wmark[WMARK_HIGH] + gap;
	}
}

static void setup_per_zone_lowmem_reserve(physmem_t *pm)
{
	for (unsigned nid = 0; nid < pm->nr_nodes; nid++) {
		struct zone *zones = pm->nodes[nid]->zones;
		for (unsigned i = 0; i < MAX_NR_ZONES - 1; i++) {
			uint32_t ratio = i < pm->cfg.nr_lowmem_reserve_ratio ? pm->cfg.lowmem_reserve_ratio[i]
									   : default_lowmem_reserve_ratio[i];
			bool clear = !ratio || !zones[i].managed;
			uint64_t upper = 0;
			for (unsigned j = i + 1; j < MAX_NR_ZONES; j++) {
				upper += zones[j].managed;
				zones[i].lowmem_reserve[j] = clear ? 0 : upper / ratio;
			}
		}
	}
}

/* calculate_min_free_kbytes + khugepaged's set_recommended_min_free_kbytes. */
static void init_min_free_kbytes(physmem_t *pm)
{
	if (pm->cfg.min_free_kbytes) {
		pm->min_free_kbytes = pm->cfg.min_free_kbytes;   /* a user-written value, used as is */
		setup_per_zone_wmarks(pm);
		return;
	}
	uint64_t lowmem_kb = nr_free_buffer_pages(pm) * (PAGE_SIZE >> 10);
	uint64_t v = int_sqrt64(lowmem_kb * 16);
	pm->min_free_kbytes = SIM_MIN(SIM_MAX(v, 128u), 262144u);
	setup_per_zone_wmarks(pm);
	if (pm->cfg.thp == THP_NEVER)
		return;
	unsigned nr_zones = 0;
	for_each_zone(pm, z)
		if (zone_populated(z) && z->zid <= ZONE_NORMAL)
			nr_zones++;
	uint64_t rec = (uint64_t)PAGEBLOCK_NR_PAGES * nr_zones * 2;
	rec += (uint64_t)PAGEBLOCK_NR_PAGES * nr_zones * MIGRATE_PCPTYPES * MIGRATE_PCPTYPES;
	rec = SIM_MIN(rec, nr_free_buffer_pages(pm) / 20);
	rec <<= PAGE_SHIFT - 10;
	if (rec > pm->min_free_kbytes) {
		pm->min_free_kbytes = rec;
		setup_per_zone_wmarks(pm);
	}
}

static uint64_t rounddown_pow_of_two(uint64_t v)
{
	return v ? 1ULL << ilog2_u64(v) : 0;
}

static int zone_batchsize(const struct zone *z)
{
	int64_t batch = (int64_t)SIM_MIN(z->managed >> 10, (1ULL << 20) / PAGE_SIZE);

	batch /= 4;
	if (batch < 1)
		batch = 1;
	batch = (int64_t)rounddown_pow_of_two((uint64_t)(batch + batch / 2)) - 1;
	return (int)SIM_MAX(batch, 1);
}

static int zone_highsize(const physmem_t *pm, const struct zone *z, int batch, unsigned high_fraction)
{
	uint64_t total = high_fraction ? z->managed / high_fraction : z->wmark[WMARK_LOW];
	unsigned nr_split = pm->nodes[z->nid]->nr_cpus;

	if (!nr_split)
		nr_split = pm->nr_cpus;   /* memory-only node: spread over all CPUs */
	if (!nr_split)
		nr_split = 1;
	int64_t high = (int64_t)(total / nr_split);
	return (int)SIM_MAX(high, (int64_t)batch << 2);
}

static void setup_pcp_sizes(physmem_t *pm)
{
	unsigned frac = pm->cfg.percpu_pagelist_high_fraction;

	for_each_zone(pm, z) {
		z->pcp_batch = zone_batchsize(z);
		if (frac) {
			z->pcp_high_min = zone_highsize(pm, z, z->pcp_batch, frac);
			z->pcp_high_max = z->pcp_high_min;   /* manual: no auto-tuning */
		} else {
			z->pcp_high_min = zone_highsize(pm, z, z->pcp_batch, 0);
			z->pcp_high_max = zone_highsize(pm, z, z->pcp_batch, MIN_PERCPU_PAGELIST_HIGH_FRACTION);
		}
	}
}

/*
 * Memory hotplug changed zone sizes: init_per_zone_wmark_min (min_free_kbytes
 * unless user-set, watermarks, lowmem reserves), zone_pcp_update and
 * build_all_zonelists, as online_pages / offline_pages do.
 */
void pa_zones_changed(physmem_t *pm)
{
	for_each_zone(pm, z)
		if (zone_populated(z) && !z->pcp)
			z->pcp = pa_alloc_host(pm, sizeof(*z->pcp) * (pm->nr_cpus ? pm->nr_cpus : 1));
	build_all_zonelists(pm);
	init_min_free_kbytes(pm);
	setup_per_zone_lowmem_reserve(pm);
	setup_pcp_sizes(pm);
	for_each_zone(pm, z) {
		if (!z->pcp)
			continue;
		for (unsigned c = 0; c < pm->nr_cpus; c++) {
			struct per_cpu_pages *pcp = z->pcp[c];
			if (!pcp)
				continue;
			pcp->batch = z->pcp_batch;
			pcp->high_min = z->pcp_high_min;
			pcp->high_max = z->pcp_high_max;
			pcp->high = SIM_MIN(SIM_MAX(pcp->high, pcp->high_min), pcp->high_max);
		}
	}
}

/* ---- create / destroy ------------------------------------------------------------- */

static int layout_check(const struct physmem_layout *l, char *err, size_t errlen)
{
	if (l->nr_nodes == 0 || l->nr_nodes > HW_MAX_NODES)
		return sim_errf(err, errlen, SIM_ECONFIG, "nodes: %u nodes (need 1..%u)", l->nr_nodes, HW_MAX_NODES);
	if (l->nr_cpus > HW_MAX_CPUS)
		return sim_errf(err, errlen, SIM_ECONFIG, "nodes: %u CPUs (max %u)", l->nr_cpus, HW_MAX_CPUS);
	for (unsigned c = 0; c < l->nr_cpus; c++)
		if (l->cpu_node[c] >= l->nr_nodes)
			return sim_errf(err, errlen, SIM_ECONFIG, "cpu %u: node %u does not exist", c, l->cpu_node[c]);
	for (unsigned a = 0; a < l->nr_nodes; a++) {
		if (l->base_pfn[a] + l->pages[a] < l->base_pfn[a] || l->base_pfn[a] + l->pages[a] > (1ULL << 40))
			return sim_errf(err, errlen, SIM_ECONFIG, "nodes.%u.memory: beyond 4 PiB of physical space", a);
		for (unsigned b = a + 1; b < l->nr_nodes; b++) {
			if (!l->pages[a] || !l->pages[b])
				continue;
			if (l->base_pfn[a] < l->base_pfn[b] + l->pages[b] && l->base_pfn[b] < l->base_pfn[a] + l->pages[a])
				return sim_errf(err, errlen, SIM_ECONFIG, "nodes.%u and nodes.%u: memory ranges overlap", a, b);
		}
		if (l->distance[a][a] && l->distance[a][a] != 10)
			return sim_errf(err, errlen, SIM_ECONFIG, "nodes.%u.distance.%u: local distance must be 10", a, a);
		for (unsigned b = 0; b < l->nr_nodes; b++)
			if (b != a && l->distance[a][b] && l->distance[a][b] <= 10)
				return sim_errf(err, errlen, SIM_ECONFIG, "nodes.%u.distance.%u: remote distance must exceed 10",
						a, b);
	}
	return 0;
}

int physmem_create(physmem_t **out, const struct os_cfg *cfg, const struct physmem_layout *l, char *err,
		   size_t errlen)
{
	physmem_t *pm;
	int rc;

	*out = NULL;
	if ((rc = layout_check(l, err, errlen)) < 0)
		return rc;
	pm = calloc(1, sizeof(*pm));
	if (!pm)
		return sim_errf(err, errlen, SIM_ENOMEM, "physmem: out of host memory");
	pm->host_bytes = sizeof(*pm);
	pm->cfg = *cfg;
#ifdef SIM_DEBUG_VM
	pm->debug_vm = true;   /* buddy_check() after every operation */
#endif
	pm->nr_nodes = l->nr_nodes;
	pm->nr_cpus = l->nr_cpus;
	memcpy(pm->cpu_node, l->cpu_node, sizeof(pm->cpu_node));
	for (unsigned a = 0; a < l->nr_nodes; a++)
		for (unsigned b = 0; b < l->nr_nodes; b++)
			pm->distance[a][b] = l->distance[a][b] ? l->distance[a][b] : (a == b ? 10 : 20);

	for (unsigned n = 0; n < l->nr_nodes; n++) {
		struct pglist_data *pg = pa_alloc_host(pm, sizeof(*pg));
		pm->nodes[n] = pg;
		pg->nid = n;
		pg->start_pfn = l->base_pfn[n];
		pg->end_pfn = l->base_pfn[n] + l->pages[n];
		/* x86: pfn 0 is never handed to the allocator, so DMA starts at pfn 1. */
		if (cfg->zone_dma && pg->start_pfn == 0 && pg->end_pfn > 0)
			pg->start_pfn = 1;
		if (pg->end_pfn > pm->max_pfn)
			pm->max_pfn = pg->end_pfn;
		node_zones_init(pm, pg);
	}
	for (unsigned c = 0; c < l->nr_cpus; c++)
		pm->nodes[l->cpu_node[c]]->nr_cpus++;

	pm->nr_sections = (pm->max_pfn + PA_SECTION_PAGES - 1) >> PA_SECTION_SHIFT;
	pm->sections = pa_alloc_host(pm, sizeof(*pm->sections) * (pm->nr_sections ? pm->nr_sections : 1));
	for_each_zone(pm, z) {
		if (zone_populated(z))
			z->pcp = pa_alloc_host(pm, sizeof(*z->pcp) * (pm->nr_cpus ? pm->nr_cpus : 1));
	}
	build_all_zonelists(pm);
	init_min_free_kbytes(pm);
	setup_per_zone_lowmem_reserve(pm);
	setup_pcp_sizes(pm);
	for_each_zone(pm, z)
		zone_boot_free(pm, z);
	*out = pm;
	return 0;
}

void physmem_destroy(physmem_t *pm)
{
	if (!pm)
		return;
	for (uint64_t s = 0; s < pm->nr_sections; s++) {
		if (!pm->sections[s])
			continue;
		for (unsigned b = 0; b < PA_SECTION_BLOCKS; b++)
			free(pm->sections[s]->blocks[b]);
		free(pm->sections[s]);
	}
	free(pm->sections);
	for (unsigned n = 0; n < pm->nr_nodes; n++) {
		struct pglist_data *pg = pm->nodes[n];
		for (unsigned z = 0; z < MAX_NR_ZONES; z++) {
			if (!pg->zones[z].pcp)
				continue;
			for (unsigned c = 0; c < pm->nr_cpus; c++)
				free(pg->zones[z].pcp[c]);
			free(pg->zones[z].pcp);
		}
		free(pg);
	}
	free(pm);
}

/* ---- small accessors -------------------------------------------------------------- */

unsigned physmem_nr_nodes(const physmem_t *pm)
{
	return pm->nr_nodes;
}

unsigned physmem_nr_cpus(const physmem_t *pm)
{
	return pm->nr_cpus;
}

unsigned physmem_cpu_node(const physmem_t *pm, unsigned cpu)
{
	SIM_BUG_ON(cpu >= pm->nr_cpus);
	return pm->cpu_node[cpu];
}

unsigned physmem_node_distance(const physmem_t *pm, unsigned from, unsigned to)
{
	SIM_BUG_ON(from >= pm->nr_nodes || to >= pm->nr_nodes);
	return pm->distance[from][to];
}

void physmem_set_hooks(physmem_t *pm, const struct physmem_hooks *h)
{
	if (h)
		pm->hooks = *h;
	else
		memset(&pm->hooks, 0, sizeof(pm->hooks));
}

void physmem_set_debug_vm(physmem_t *pm, bool on)
{
	pm->debug_vm = on;
}

void physmem_set_fail_nth(physmem_t *pm, uint64_t nth)
{
	pm->fail_nth = nth;
}

void zone_reduce_boost(physmem_t *pm, unsigned nid, enum zone_type zid, uint64_t nr)
{
	if (nid >= pm->nr_nodes || (unsigned)zid >= MAX_NR_ZONES)
		return;
	struct zone *z = &pm->nodes[nid]->zones[zid];
	z->watermark_boost -= SIM_MIN(z->watermark_boost, nr);
}

int physmem_zone_info(const physmem_t *pm, unsigned nid, enum zone_type zid, struct zone_info *out)
{
	if (nid >= pm->nr_nodes || (unsigned)zid >= MAX_NR_ZONES)
		return -SIM_ERANGE;
	const struct zone *z = &pm->nodes[nid]->zones[zid];
	memset(out, 0, sizeof(*out));
	out->populated = zone_populated(z);
	out->start_pfn = z->start_pfn;
	out->spanned = z->spanned;
	out->present = z->present;
	out->managed = z->managed;
	memcpy(out->watermark, z->wmark, sizeof(out->watermark));
	out->watermark_boost = z->watermark_boost;
	memcpy(out->lowmem_reserve, z->lowmem_reserve, sizeof(out->lowmem_reserve));
	out->nr_free = (uint64_t)z->vm_stat[NR_FREE_PAGES];
	out->nr_reserved_highatomic = z->nr_reserved_highatomic;
	out->nr_free_highatomic = z->nr_free_highatomic;
	out->cma_pages = z->cma_pages;
	out->nr_free_cma = (uint64_t)z->vm_stat[NR_FREE_CMA_PAGES];
	out->pcp_pages = z->pcp_pages;
	for (unsigned o = 0; o < NR_PAGE_ORDERS; o++)
		out->nr_free_blocks[o] = z->free_area[o].nr_free;
	out->pcp_batch = z->pcp_batch;
	out->pcp_high_min = z->pcp_high_min;
	out->pcp_high_max = z->pcp_high_max;
	return 0;
}

int physmem_pcp_info(const physmem_t *pm, unsigned nid, enum zone_type zid, unsigned cpu, struct pcp_info *out)
{
	if (nid >= pm->nr_nodes || (unsigned)zid >= MAX_NR_ZONES || cpu >= pm->nr_cpus)
		return -SIM_ERANGE;
	const struct zone *z = &pm->nodes[nid]->zones[zid];
	const struct per_cpu_pages *pcp = z->pcp ? z->pcp[cpu] : NULL;
	memset(out, 0, sizeof(*out));
	out->batch = z->pcp_batch;
	out->high_min = z->pcp_high_min;
	out->high_max = z->pcp_high_max;
	if (pcp) {
		out->count = pcp->count;
		out->high = pcp->high;
		out->free_count = pcp->free_count;
		out->alloc_factor = pcp->alloc_factor;
	}
	return 0;
}

uint64_t physmem_min_free_kbytes(const physmem_t *pm)
{
	return pm->min_free_kbytes;
}

/* ---- counters ------------------------------------------------------------------------ */

void vmstat_inc(physmem_t *pm, enum vm_event_item ev, uint64_t n)
{
	SIM_BUG_ON((unsigned)ev >= NR_VM_EVENT_ITEMS);
	pm->vm_events[ev] += n;
}

void node_stat_mod(physmem_t *pm, unsigned nid, enum node_stat_item item, int64_t delta)
{
	SIM_BUG_ON(nid >= pm->nr_nodes || (unsigned)item >= NR_VM_NODE_STAT_ITEMS);
	pm->nodes[nid]->node_stat[item] += delta;
}

void zone_stat_mod(physmem_t *pm, unsigned nid, enum zone_type zid, enum zone_stat_item item, int64_t delta)
{
	SIM_BUG_ON(nid >= pm->nr_nodes || (unsigned)zid >= MAX_NR_ZONES);
	/* NR_FREE_PAGES belongs to the allocator: only it may change it. */
	SIM_BUG_ON((unsigned)item >= NR_VM_ZONE_STAT_ITEMS || item == NR_FREE_PAGES);
	pm->nodes[nid]->zones[zid].vm_stat[item] += delta;
}

uint64_t vmstat_event(const physmem_t *pm, enum vm_event_item ev)
{
	return pm->vm_events[ev];
}

uint64_t node_stat(const physmem_t *pm, unsigned nid, enum node_stat_item item)
{
	int64_t v = pm->nodes[nid]->node_stat[item];
	return v > 0 ? (uint64_t)v : 0;
}

uint64_t zone_stat(const physmem_t *pm, unsigned nid, enum zone_type zid, enum zone_stat_item item)
{
	int64_t v = pm->nodes[nid]->zones[zid].vm_stat[item];
	return v > 0 ? (uint64_t)v : 0;
}

uint64_t node_numa_stat(const physmem_t *pm, unsigned nid, enum numa_stat_item item)
{
	uint64_t sum = 0;

	for (unsigned z = 0; z < MAX_NR_ZONES; z++)
		sum += pm->nodes[nid]->zones[z].numa_stat[item];
	return sum;
}

uint64_t phys_stat(const physmem_t *pm, enum phys_stat_item item)
{
	return pm->phys_stat[item];
}
