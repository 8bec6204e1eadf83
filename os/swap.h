/*
 * os/swap.h - the swap device, swap entries, swap-out and swap-in
 * (Linux's mm/swapfile.c, mm/swap_state.c, mm/page_io.c and the
 * do_swap_page part of mm/memory.c; sources.md §7.11).
 *
 * One swap device per machine (os_cfg swap_size, swap_latency,
 * swap_bandwidth).  Slot 0 is the header, as in a real swap area, so a
 * valid offset is never 0.  Each slot has a use count (swap_map): one per
 * page-table entry holding it (fork duplicates entries), and may have a
 * page in the swap cache (SWAP_HAS_CACHE: the slot stays allocated while
 * it does).
 *
 * Swap-out (shrink_folio_list -> add_to_swap, try_to_unmap, pageout): the
 * page enters the swap cache, its mappings become swap entries, and a
 * dirty page is written: it stays allocated, PG_writeback and PG_reclaim,
 * until the device completes the write (an event, or whoever looks first:
 * swap_writeback_end).  Then it rotates to the inactive tail and the next
 * scan frees it without another write.  Swap-in looks in the swap cache
 * first (a page under writeback or read ahead is mapped without I/O),
 * else reads the slot with cluster readahead (swapin_nr_pages, up to
 * 2^page_cluster pages).
 *
 * Block devices are busy-until resources: a request waits for the ones
 * queued before it, transfers at the device bandwidth, and completes a
 * fixed latency later.  Heavy swapping therefore queues.
 *
 * Swap entry format (a non-present leaf, P and PTE_PROTNONE clear, so the
 * hardware walker faults on it and nothing else in os/ mistakes it for a
 * mapping):
 *   bit 11 (PTE_SW3)  PTE_SWP: this is a swap-format entry
 *   bits 1-5          type: 0 = the swap device; 30/31 reserved for
 *                     migration entries, as Linux reserves swap types
 *   bits 12-51        offset (the slot)
 */
#ifndef OS_SWAP_H
#define OS_SWAP_H

#include "os/os.h"
#include "os/page.h"
#include "os/pgtable.h"

#define PTE_SWP             PTE_SW3
#define SWP_TYPE_SHIFT      1
#define SWP_TYPE_MASK       0x1fULL
#define SWP_TYPE_SWAP       0
#define SWP_MIGRATION_READ  30
#define SWP_MIGRATION_WRITE 31
#define SWP_OFFSET_MAX      ((PTE_ADDR_MASK >> PAGE_SHIFT))

static inline uint64_t swp_entry_to_pte(unsigned type, uint64_t offset)
{
	return ((offset << PAGE_SHIFT) & PTE_ADDR_MASK) | (((uint64_t)type & SWP_TYPE_MASK) << SWP_TYPE_SHIFT) |
	       PTE_SWP;
}

/* A swap-format (non-present, software) entry of any type. */
static inline bool is_swap_pte(uint64_t pte)
{
	return !(pte & (PTE_P | PTE_PROTNONE)) && (pte & PTE_SWP);
}

static inline unsigned swp_type(uint64_t pte)
{
	return (unsigned)((pte >> SWP_TYPE_SHIFT) & SWP_TYPE_MASK);
}

static inline uint64_t swp_offset(uint64_t pte)
{
	return (pte & PTE_ADDR_MASK) >> PAGE_SHIFT;
}

/* ---- block devices ---------------------------------------------------------- */

struct blkdev {
	sim_time_t latency;       /* ps per request, on top of the transfer */
	uint64_t bandwidth;       /* bytes per second */
	sim_time_t busy_until;    /* the transfer queue is busy until then */
	uint64_t reads, writes;   /* requests */
	uint64_t read_bytes, write_bytes;
	sim_time_t busy_ps;       /* total transfer time */
};

/*
 * Queue a request of `bytes` at `now`.  @return its absolute completion
 * time: max(now, busy_until) + bytes / bandwidth + latency.
 */
sim_time_t blkdev_io(struct blkdev *d, sim_time_t now, uint64_t bytes, bool write);

/* ---- the swap area -------------------------------------------------------------- */

struct swap_info;

/*
 * A swap area of `bytes` (rounded down to pages; one page is the header,
 * so less than two pages means no swap).  @return 0 or -SIM_ENOMEM.
 */
int swap_create(struct swap_info **out, uint64_t bytes, sim_time_t latency, uint64_t bandwidth);
void swap_destroy(struct swap_info *si);

uint64_t swap_total(const struct swap_info *si);   /* usable slots */
uint64_t swap_used(const struct swap_info *si);
/* Slot with count 1, or 0 when the area is full (or absent). */
uint64_t swap_alloc_slot(struct swap_info *si);
/* swap_duplicate: one more entry refers to offset. */
void swap_dup(struct swap_info *si, uint64_t offset);
/* swap_free: one entry less; the slot is free when none remains.  @return the remaining count. */
unsigned swap_put(struct swap_info *si, uint64_t offset);
unsigned swap_count(const struct swap_info *si, uint64_t offset);
/* Workingset shadow: the eviction age stored with the slot (0: none). */
void swap_set_shadow(struct swap_info *si, uint64_t offset, uint64_t age);
uint64_t swap_shadow(const struct swap_info *si, uint64_t offset);
struct blkdev *swap_dev(struct swap_info *si);
/* The area's zswap state (os/zswap.c creates it on first use and owns it; swap_destroy frees it). */
struct zswap **swap_zswap(struct swap_info *si);
/* Likewise for zram, when the device is zram (os/zram.c). */
struct zram **swap_zram(struct swap_info *si);

/* ---- swap-out and swap-in on an OS ------------------------------------------------ */

struct os;
struct process;
struct vma;

/* swap_out_page results */
#define SWAPOUT_CLEAN     0   /* unmapped, clean: the caller may drop it from the swap cache and free it */
#define SWAPOUT_WRITEBACK 1   /* unmapped, write queued: the page stays until the write completes */
#define SWAP_NO_PFN       UINT64_MAX

/*
 * shrink_folio_list's swap part for an anonymous order-0 page the caller
 * has isolated (holding a reference), not under writeback: add_to_swap
 * unless it is in the swap cache already (slot, cache reference, dirty),
 * replace every mapping by the swap entry (try_to_unmap, one shootdown per
 * process), and, if dirty, queue the write (PG_writeback, PG_reclaim,
 * nr_writeback, pswpout).  *cost += the CPU time (unmap, shootdowns); the
 * write is asynchronous.
 * @return SWAPOUT_CLEAN, SWAPOUT_WRITEBACK, -SIM_EOOM when no slot is
 * free (nothing changed), or -SIM_EBUSY when a VM_LOCKED VMA maps pg
 * (try_to_unmap mlocked it again; mappings before it hold swap entries).
 */
int swap_out_page(struct os *os, struct page *pg, unsigned cpu, sim_time_t now, sim_time_t *cost);

/*
 * zswap_writeback_entry's swap side: a fresh page for slot off (the local
 * node of `cpu`, no reclaim) enters the swap cache and the inactive list
 * and is written to the device with PG_reclaim, so the end of the write
 * rotates it to the inactive tail for reclaim to free.  *cost += the
 * allocation.  @return 0, or -SIM_EOOM (no page, or the slot is cached:
 * swapped in meanwhile).
 */
int swap_writeback_slot(struct os *os, uint64_t off, unsigned cpu, sim_time_t now, sim_time_t *cost);

/* The pfn of the swap-cache page of slot offset, or SWAP_NO_PFN. */
uint64_t swap_cached(const struct swap_info *si, uint64_t offset);
/*
 * __delete_from_swap_cache: pg (in the cache, not under writeback) leaves
 * it and drops the cache's reference; with `shadow`, the slot remembers the
 * eviction for workingset refault detection.  The slot is freed when no
 * entry refers to it.
 */
void swapcache_del(struct os *os, struct page *pg, bool shadow);
/* vm_swap_full: more than half of the swap slots are in use. */
bool vm_swap_full(const struct os *os);
/* folio_free_swap: drop pg from the swap cache if no entry refers to its slot and it is not under writeback. */
bool swapcache_try_free(struct os *os, struct page *pg);

/* Complete every swap write finished by time t (folio_end_writeback: rotate PG_reclaim pages). */
void swap_writeback_end(struct os *os, sim_time_t t);
/*
 * When the n-th swap write still pending after `now` completes (0 if fewer
 * are pending): reclaim_throttle's wake-up.  Completes writes up to now first.
 */
sim_time_t swap_writeback_wait(struct os *os, sim_time_t now, uint64_t n);
uint64_t swap_writeback_pending(const struct os *os);

/*
 * do_swap_page: a fault on a swap entry of p at vaddr (slot = the entry's
 * address in pmem).  A page in the swap cache is mapped without I/O
 * (waiting for a readahead read still in flight); otherwise a page is
 * allocated under the policy and read with readahead (major fault:
 * pgmajfault, pswpin per page read, the CPU waits for its page).  Maps it
 * (writable if exclusive), drops the entry's slot reference, and on a write
 * fault frees the slot when nothing else refers to it.  *cost +=
 * everything, the wait included (also reported to PSI).
 * @return 0, -SIM_EOOM (allocation failed) or another negative code.
 */
int do_swap_page(struct os *os, struct process *p, struct vma *v, uint64_t vaddr, uint64_t slot, uint64_t pte,
		 bool write, unsigned cpu, sim_time_t now, sim_time_t *cost);

/* An entry of p goes away (zap): drop its slot reference. */
void swap_entry_free(struct os *os, struct process *p, uint64_t pte);
/* fork copies an entry into child: one more slot reference. */
void swap_entry_dup(struct os *os, struct process *child, uint64_t pte);

#endif
