/*
 * os/memory_hotplug.h - onlining and offlining memory blocks (Linux 6.18
 * mm/memory_hotplug.c online_pages / offline_pages, drivers/base/memory.c,
 * arch/x86/mm/init_64.c probe_memory_block_size).
 *
 * Physical memory is cut into blocks of memory_block_size_bytes (x86-64:
 * 128 MiB, or 2 GiB when the physical address space ends at or beyond
 * 64 GiB on bare metal; os.memory_block_size overrides), numbered by
 * phys_index = start pfn / pages per block, as /sys/devices/system/memory/
 * memoryN.  A block belongs to the node whose memory it lies in.
 *
 * offline_pages: the block must lie in one zone (else EINVAL); isolate its
 * pageblocks, failing with EBUSY when an unmovable (non-LRU) page is in it
 * (has_unmovable_pages); migrate its movable pages to other nodes
 * (do_migrate_range, MR_MEMORY_HOTPLUG) and check every page is free.
 * Linux repeats that until it succeeds or the writer gets a signal
 * (EINTR); numasim repeats while a pass frees pages and then fails with
 * EBUSY, as the next passes would be the same (a pinned page stays
 * pinned).  On success the pages leave the zone (present and managed
 * drop), min_free_kbytes, watermarks, lowmem reserves and pcp sizes are
 * recomputed and the zonelists rebuilt (a node without memory drops out).
 *
 * online_pages puts the block's pages back into a zone: online (the zone
 * that spans it), online_kernel (ZONE_NORMAL), online_movable
 * (ZONE_MOVABLE: movable allocations only), within the zone-span rule of
 * online_zone_allowed (os/page_alloc.h).
 */
#ifndef OS_MEMORY_HOTPLUG_H
#define OS_MEMORY_HOTPLUG_H

#include "os/fault.h"

enum mmop { MMOP_ONLINE, MMOP_ONLINE_MOVABLE, MMOP_ONLINE_KERNEL };   /* the trace's zone argument order */

/* Validate os.memory_block_size and lay out the blocks.  @return 0 or -SIM_ECONFIG. */
int memory_blocks_init(struct os *os, char *err, size_t errlen);
void memory_blocks_destroy(struct os *os);

/* memory_block_size_bytes(). */
uint64_t memory_block_size_bytes(const struct os *os);

/*
 * offline_pages of block memoryN (N = phys_index) for `cpu` at `now`.
 * *cost += scan and migration time.  @return 0, -SIM_ERANGE (no such
 * block, already offline, spans zones), -SIM_EBUSY (a page cannot move).
 */
int memory_offline(struct os *os, uint64_t index, unsigned cpu, sim_time_t now, sim_time_t *cost);
/* online_pages of block memoryN.  @return 0, -SIM_ERANGE (zone not allowed, not offline) or -SIM_ESTATE. */
int memory_online(struct os *os, uint64_t index, enum mmop type);

/*
 * Control records: MEMORY_OFFLINE node block (block: memoryN of that
 * node; -1: the node's highest online block) and MEMORY_ONLINE node block
 * zone (block -1: the node's highest offline block).
 */
int hotplug_sys_offline(struct os *os, uint64_t node, uint64_t block, unsigned cpu, sim_time_t now, sim_time_t *cost,
			char *err, size_t errlen);
int hotplug_sys_online(struct os *os, uint64_t node, uint64_t block, uint64_t zone, char *err, size_t errlen);

/* The `memory-blocks` view: memoryN/{phys_index,state,valid_zones,node} lines, grep . style. */
void memory_blocks_dump(const struct os *os, FILE *fp);
/* The "memory_hotplug" report section (absent when never used). */
void memory_hotplug_report(const struct os *os, rep_t *r);

#endif
