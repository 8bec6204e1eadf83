/*
 * hw/prefetch.h - hardware prefetchers attached to one cache.
 *
 * Two kinds, both off by default (cache_cfg.prefetch):
 *   next-line  on a trigger at block B, fetch B+1 .. B+degree.
 *   stride     a PC-less detector keyed by 4 KiB region: a small table
 *              remembers each recent region's last block and stride; when
 *              the same non-zero stride is seen twice in a row the region is
 *              confident and B+s .. B+degree*s are fetched (kept inside the
 *              region: a physical prefetcher cannot cross a page).
 * The cache trains its prefetcher on demand misses and on the first demand
 * hit to a prefetched line (so a covered stream keeps running ahead).
 *
 * Hot path: no allocation; the stride table is a fixed array.
 */
#ifndef HW_PREFETCH_H
#define HW_PREFETCH_H

#include "hw/hw_cfg.h"

#define PF_STRIDE_ENTRIES 16
#define PF_MAX_DEGREE     16
#define PF_REGION_SHIFT   12

struct pf_stride_entry {
	uint64_t region;     /* block >> (PF_REGION_SHIFT - line_shift), +1 (0: empty) */
	uint64_t last;       /* last block seen in the region */
	int64_t stride;      /* last stride, blocks */
	uint32_t conf;       /* times in a row the stride repeated */
	uint64_t stamp;      /* LRU among entries */
};

struct prefetcher {
	uint32_t kind;       /* enum prefetch_kind */
	uint32_t degree;
	uint32_t line_shift;
	uint64_t clock;
	struct pf_stride_entry tab[PF_STRIDE_ENTRIES];
};

void prefetch_init(struct prefetcher *p, enum prefetch_kind kind, uint32_t degree, uint32_t line_shift);

/*
 * Train on block `blk` and write the blocks to prefetch into out[]
 * (room for PF_MAX_DEGREE).  @return how many (0 for PF_NONE).
 */
unsigned prefetch_train(struct prefetcher *p, uint64_t blk, uint64_t *out);

#endif
