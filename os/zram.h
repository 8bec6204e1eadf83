/*
 * os/zram.h - zram: the swap device as compressed RAM (Linux's
 * drivers/block/zram/zram_drv.c, 6.18).
 *
 * With os.zram.enabled the swap area of os.swap_size bytes is /dev/zram0
 * (disksize = swap_size): swap-out writes a page by compressing it into a
 * zsmalloc pool in RAM (os/zsmalloc.h) instead of a block device, and
 * swap-in decompresses it.  Both are synchronous (SWP_SYNCHRONOUS_IO) and
 * run on the CPU doing them:
 *   - write (zram_write_page): compress (os.zram.compress_cost) to the
 *     declared size (os/page_content.h; undeclared: os.zswap.default_compress,
 *     else the compressor's ratio); a page compressing to huge_class_size or
 *     more is stored as it is (write_incompressible_page: huge_pages); the
 *     object goes to the pool on the page's node (zs_malloc(...,
 *     page_to_nid(page)), GFP_NOIO under the reclaimer's PF_MEMALLOC: the
 *     reserves, no reclaim); over mem_limit (zram_can_store_page) or without
 *     a page the write fails (failed_writes) and the page stays dirty in the
 *     swap cache.  A written page is clean at once and reclaim frees it in
 *     the same pass (pswpout counts it: it is a swap device write).
 *   - read (zram_read_page): decompress (os.zram.decompress_cost) into the
 *     faulting thread's page (pswpin, a major fault); no readahead (a
 *     synchronous device).  Linux then frees the slot, which frees the
 *     object (swap_slot_free_notify); numasim keeps the page in the swap
 *     cache, so it frees the object at once and dirties the page: the same
 *     memory, and the next swap-out writes it again.
 * /sys/block/zram0/mm_stat (`--dump zram`) shows the totals.
 */
#ifndef OS_ZRAM_H
#define OS_ZRAM_H

#include <stdio.h>
#include "sim/report.h"
#include "sim/types.h"

struct os;
struct page;
struct zram;

/* zram_write_page for page pg in slot off.  *cost += compression.  @return 0 or -SIM_EOOM (failed write). */
int zram_write(struct os *os, struct page *pg, uint64_t off, unsigned cpu, sim_time_t now, sim_time_t *cost);
/* zram_read_page of slot off (it must hold a page): *cost += decompression; the object is freed. */
void zram_read(struct os *os, uint64_t off, unsigned cpu, sim_time_t *cost);
/* zram_slot_free_notify: slot off is free; its object goes. */
void zram_slot_free(struct zram *z, uint64_t off);
void zram_destroy(struct zram *z);

/* Pool pages (mem_used_total / 4096) and stored pages; 0 without zram. */
uint64_t zram_pool_pages(const struct os *os);
uint64_t zram_stored_pages(const struct os *os);
/* /sys/block/zram0/mm_stat: one line, Linux's format. */
void zram_mm_stat(const struct os *os, FILE *fp);
/* The "zram" object of the JSON report (mm_stat by name, failed_writes, pool pages per node), when zram is on. */
void zram_report(const struct os *os, rep_t *r);

#endif
