/* os/zsmalloc.c - the zsmalloc pool and compressor figures (see zsmalloc.h). */
#include <stdlib.h>
#include "os/fault.h"
#include "os/page_content.h"
#include "os/zsmalloc.h"
#include "sim/err.h"

#define ZS_SIZE_CLASS_DELTA 16u   /* PAGE_SIZE >> CLASS_BITS (8) */
#define ZS_MIN_ALLOC_SIZE   32u

struct zcomp_figures {
	uint64_t compress_ps, decompress_ps;   /* per 4 KiB */
	uint32_t ratio_pct;                    /* compressed size in % of the input: 100 / ratio, rounded up */
};

static const struct zcomp_figures zcomp[NR_ZCOMP] = {
	[ZCOMP_LZO] = { 5936000, 4995000, 48 },   /* 690 / 820 MB/s, 2.106 */
	[ZCOMP_LZ4] = { 5535000, 904000, 48 },    /* 740 / 4530 MB/s, 2.101 */
	[ZCOMP_ZSTD] = { 8192000, 2467000, 35 },  /* 500 / 1660 MB/s, 2.884 */
};

uint64_t zcomp_compress_ps(enum zswap_compressor c)
{
	return zcomp[c].compress_ps;
}

uint64_t zcomp_decompress_ps(enum zswap_compressor c)
{
	return zcomp[c].decompress_ps;
}

uint32_t zcomp_ratio_pct(enum zswap_compressor c)
{
	return zcomp[c].ratio_pct;
}

static uint32_t zs_size(uint32_t len)
{
	uint32_t s = len < ZS_MIN_ALLOC_SIZE ? ZS_MIN_ALLOC_SIZE : len;
	return (s + ZS_SIZE_CLASS_DELTA - 1) / ZS_SIZE_CLASS_DELTA * ZS_SIZE_CLASS_DELTA;
}

static uint64_t pages_for(uint64_t bytes)
{
	return (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
}

int zs_pool_alloc(struct os *os, struct zs_pool *zp, unsigned nid, uint32_t len, gfp_t gfp, unsigned cpu,
		  sim_time_t now, sim_time_t *cost)
{
	uint32_t sz = zs_size(len);

	if (pages_for(zp->bytes + sz) <= zp->nr) {
		zp->bytes += sz;
		return 0;
	}
	struct alloc_ctx ac = { .order = 0, .preferred_nid = (int)nid, .cpu = cpu, .now = now, .gfp = gfp };
	uint64_t pfn;
	if (page_alloc(os->phys, &ac, &pfn, cost))
		return -SIM_EOOM;
	if (zp->nr == zp->cap) {
		size_t cap = zp->cap ? zp->cap * 2 : 64;
		uint64_t *n = realloc(zp->pfn, cap * sizeof(*n));
		if (!n) {
			page_free(os->phys, pfn, 0, cpu);
			return -SIM_EOOM;
		}
		zp->pfn = n;
		zp->cap = cap;
	}
	struct page *pg = pfn_to_page(os->phys, pfn);
	zp->pfn[zp->nr++] = pfn;
	zp->node_pages[pg->node]++;
	zp->bytes += sz;
	zone_stat_mod(os->phys, pg->node, pg->zone, NR_ZSPAGES, 1);
	return 0;
}

void zs_pool_free(struct os *os, struct zs_pool *zp, uint32_t len, unsigned cpu)
{
	SIM_BUG_ON(zp->bytes < zs_size(len));
	zp->bytes -= zs_size(len);
	while (zp->nr > pages_for(zp->bytes)) {
		uint64_t pfn = zp->pfn[--zp->nr];
		struct page *pg = pfn_to_page(os->phys, pfn);
		zone_stat_mod(os->phys, pg->node, pg->zone, NR_ZSPAGES, -1);
		zp->node_pages[pg->node]--;
		page_free(os->phys, pfn, 0, cpu);
	}
}

void zs_pool_release(struct zs_pool *zp)
{
	free(zp->pfn);
	zp->pfn = NULL;
	zp->nr = zp->cap = 0;
}

int zcomp_store(struct os *os, const struct zcomp *zc, struct zs_pool *zp, const struct page *pg, gfp_t gfp,
		unsigned cpu, sim_time_t now, sim_time_t *cost, uint32_t *len)
{
	uint64_t content;
	uint32_t pct;

	page_content_get(os, pg, &content, &pct, NULL);
	if (!pct)
		pct = os->cfg.zswap.default_compress ? os->cfg.zswap.default_compress : zcomp_ratio_pct(zc->alg);
	*cost += zc->compress_ps ? zc->compress_ps : zcomp_compress_ps(zc->alg);
	*len = (uint32_t)(PAGE_SIZE * pct / 100);
	if (*len >= zc->whole_from)
		*len = PAGE_SIZE;
	return zs_pool_alloc(os, zp, pg->node, *len, gfp, cpu, now + *cost, cost);
}

uint64_t zcomp_load_ps(const struct os *os, const struct zcomp *zc, uint32_t len)
{
	if (len == PAGE_SIZE)
		return os->cfg.copy_page_cost;
	return zc->decompress_ps ? zc->decompress_ps : zcomp_decompress_ps(zc->alg);
}
