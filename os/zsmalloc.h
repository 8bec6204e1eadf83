/*
 * os/zsmalloc.h - compressed-memory helpers shared by zswap and zram: the
 * zsmalloc pool and the compressors' figures.
 *
 * The pool (Linux's mm/zsmalloc.c) is modelled without fragmentation: it
 * holds ceil(object bytes / 4 KiB) pages, objects rounded up to the size
 * class step (16 bytes, at least 32).  Its size classes span the nodes: an
 * object goes to any zspage with room, and only a new zspage is allocated,
 * from the page allocator on the requested node (zs_malloc's nid: the
 * stored page's node, in zswap and zram alike), falling back along that
 * node's zonelist.  Pool pages are real frames, on no LRU, counted in their
 * zone's nr_zspages.  When objects go, the newest page is returned once
 * the rest fit.
 *
 * Compressor figures (per 4 KiB page = 4096 B / throughput) come from
 * lzbench on the Silesia corpus (Core i9-9900K at 5.0 GHz, the table of
 * zstd's README): lzo1x 2.10 -1 690/820 MB/s, ratio 2.106; lz4 1.9.2
 * 740/4530 MB/s, ratio 2.101; zstd 1.4.5 -1 500/1660 MB/s, ratio 2.884.
 */
#ifndef OS_ZSMALLOC_H
#define OS_ZSMALLOC_H

#include "os/os_cfg.h"
#include "os/page_alloc.h"
#include "sim/types.h"

struct os;

struct zs_pool {
	uint64_t bytes;           /* object bytes, rounded to their size classes */
	uint64_t *pfn;            /* pool pages (a stack) */
	size_t nr, cap;
	uint64_t node_pages[64];  /* pool pages per node */
};

/*
 * zs_malloc(pool, len, gfp, nid): room for an object of len bytes, taking
 * a page (gfp, preferring nid) when the pool's pages are full.
 * *cost += the allocator's time.  @return 0, or -SIM_EOOM (no page).
 */
int zs_pool_alloc(struct os *os, struct zs_pool *zp, unsigned nid, uint32_t len, gfp_t gfp, unsigned cpu,
		  sim_time_t now, sim_time_t *cost);
/* zs_free of an object of len bytes. */
void zs_pool_free(struct os *os, struct zs_pool *zp, uint32_t len, unsigned cpu);
void zs_pool_release(struct zs_pool *zp);   /* host memory only (the frames die with the machine) */

/* A compressor's per-page costs (ps) and typical compressed size (% of a page). */
uint64_t zcomp_compress_ps(enum zswap_compressor c);
uint64_t zcomp_decompress_ps(enum zswap_compressor c);
uint32_t zcomp_ratio_pct(enum zswap_compressor c);

/* A compressing store's compressor: zswap's (os.zswap) or zram's (os.zram). */
struct zcomp {
	enum zswap_compressor alg;
	uint64_t compress_ps, decompress_ps;   /* per page; 0: the compressor's figure */
	uint32_t whole_from;      /* an object of at least this many bytes is stored as the page itself */
};

struct page;

/*
 * The chain both stores share (zswap_compress + zs_malloc in mm/zswap.c,
 * zram_write_page + zs_malloc in drivers/block/zram/zram_drv.c): the
 * page's compressed size -- its page_content declaration, else
 * os.zswap.default_compress, else the compressor's typical ratio -- the
 * compression time (*cost), then room in zp on the page's node with gfp.
 * *len = the object's bytes (PAGE_SIZE when stored whole).
 * @return 0, or -SIM_EOOM (no pool page; nothing stored).
 */
int zcomp_store(struct os *os, const struct zcomp *zc, struct zs_pool *zp, const struct page *pg, gfp_t gfp,
		unsigned cpu, sim_time_t now, sim_time_t *cost, uint32_t *len);
/* Time to read an object of len bytes back: a copy when stored whole, else a decompression. */
uint64_t zcomp_load_ps(const struct os *os, const struct zcomp *zc, uint32_t len);

#endif
