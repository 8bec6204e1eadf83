/*
 * os/zswap.h - zswap: a compressed cache in RAM in front of the swap device
 * (Linux's mm/zswap.c, 6.18).
 *
 * On (os.zswap.enabled, with a swap device), swap-out offers every dirty
 * anonymous page to zswap before writing it (swap_writeout -> zswap_store):
 *   - a full pool rejects it (zswap_check_limits: the pool reached
 *     max_pool_percent of RAM; it stays full until it falls to
 *     accept_threshold_percent of that limit) and wakes the shrink worker,
 *     which writes the LRU-oldest entries back to the swap device
 *     (zswap_writeback_entry, zswpwb) with the second-chance rule of
 *     shrink_memcg_cb;
 *   - otherwise the page is compressed (os.zswap.compress_cost, charged to
 *     the reclaimer) to its declared size (os/page_content.h; undeclared:
 *     os.zswap.default_compress).  A page that does not shrink below 4 KiB
 *     is stored as it is (6.18's zswap_compress keeps the LRU order of
 *     writeback that way: the entry has length PAGE_SIZE);
 *   - the object goes to the pool on the page's own node (zs_malloc(...,
 *     page_to_nid(page))) without reclaim; no memory rejects the page
 *     (reject_alloc_fail).  Stored: zswpout, the page is clean and reclaim
 *     frees it at once, as after a synchronous write.
 * Swap-in looks in zswap before the device (swap_read_folio -> zswap_load):
 * a hit decompresses (os.zswap.decompress_cost, charged to the faulting
 * thread; readahead neighbours too), counts zswpin, frees the entry and
 * dirties the page, as zswap_load does for a page in the swap cache.
 *
 * The pool (zsmalloc) is modelled without fragmentation: each node holds
 * ceil(stored bytes / 4 KiB) pool pages, objects rounded up to zsmalloc's
 * 16-byte size-class step.  Pool pages are real frames from the page
 * allocator (not on any LRU), counted in the zone's nr_zspages.
 */
#ifndef OS_ZSWAP_H
#define OS_ZSWAP_H

#include <stdio.h>
#include "sim/report.h"
#include "sim/types.h"

struct os;
struct page;
struct zswap;

/*
 * zswap_store for the dirty anonymous page pg in swap slot off.
 * *cost += the compression time.  @return true if zswap holds the page now
 * (the caller skips the device write), false if it must be written.
 */
bool zswap_store(struct os *os, struct page *pg, uint64_t off, unsigned cpu, sim_time_t now, sim_time_t *cost);
/*
 * zswap_load for slot off: if zswap holds it, *cost += the decompression
 * time, zswpin, the entry is freed, and @return true (the caller dirties
 * its page).  false: read it from the device.
 */
bool zswap_load(struct os *os, uint64_t off, sim_time_t *cost);
/* zswap_invalidate: slot off is free again; its entry (if any) goes. */
void zswap_invalidate(struct zswap *zs, uint64_t off);
void zswap_destroy(struct zswap *zs);

/* /proc/meminfo Zswap: pool pages (all nodes); Zswapped: pages stored.  0 without zswap. */
uint64_t zswap_pool_pages(const struct os *os);
uint64_t zswap_stored_pages(const struct os *os);
/* Pool pages on node nid. */
uint64_t zswap_node_pool_pages(const struct os *os, unsigned nid);

/* The /sys/kernel/debug/zswap counters, one "name value" line each (`--dump zswap`). */
void zswap_dump(const struct os *os, FILE *fp);
/* The "zswap" object of the JSON report (the same counters, pool pages per node), when zswap is on. */
void zswap_report(const struct os *os, rep_t *r);

#endif
