/*
 * os/filemap.h - the page cache, file-backed mappings, read()/write() and
 * writeback (Linux's mm/filemap.c, mm/readahead.c, mm/page-writeback.c,
 * the do_fault part of mm/memory.c; sources.md §6.4, §7.1).
 *
 * Files: a trace names a file by its descriptor number; the file is the
 * pair (process tree, fd): a forked child shares its parent's files.  A
 * file is created on first use, empty, and grows as it is read or written
 * (reads of never-written data read the "disk" all the same).
 *
 * Page-cache pages are allocated by whoever first brings them in, under
 * that process's policy (VMA policy for faults), GFP_HIGHUSER_MOVABLE
 * (+__GFP_WRITE for writes), and go on the file LRU of their node.  The
 * cache holds one reference, each mapping one more.  Evicting a page
 * leaves a workingset shadow in the file's index: a refault within the
 * workingset size is activated at once (workingset_refault_file,
 * workingset_activate_file).
 *
 * I/O goes to one "disk" resource per machine (os_cfg disk_latency,
 * disk_bandwidth; a busy-until queue like the swap device).  Reads are
 * synchronous for the reader (a major fault for a fault): one request per
 * contiguous run of missing pages; faults read ahead up to read_ahead_kb
 * within the VMA.  Writes only dirty the cache (they never read the old
 * contents).  Writeback is Linux's balance_dirty_pages in outline:
 * dirtyable memory is free + file LRU pages; above dirty_background_ratio
 * the flusher writes the oldest dirty pages back to the disk (queued,
 * asynchronous for the writer) down to the background threshold; while
 * dirty + in-flight pages exceed dirty_ratio the writer waits for the disk
 * to drain to halfway between the two.  A written page is clean as soon
 * as its write is queued (no per-page writeback state); pages mapped
 * shared and writable are write-protected again (folio_mkclean) so the
 * next store re-dirties them through a write fault.
 */
#ifndef OS_FILEMAP_H
#define OS_FILEMAP_H

#include "os/page.h"
#include "sim/report.h"

struct os;
struct process;
struct vma;
struct filemap;
struct file_obj;

#define FILEMAP_STATS(X)                                                                           \
	X(FM_READ_CALLS, read_calls, EVENT, "calls", "file_read system calls")                      \
	X(FM_WRITE_CALLS, write_calls, EVENT, "calls", "file_write system calls")                   \
	X(FM_HITS, cache_hits, EVENT, "pages", "page-cache lookups that found the page")            \
	X(FM_MISSES, cache_misses, EVENT, "pages", "page-cache lookups that read the disk")         \
	X(FM_READAHEAD, readahead_pages, EVENT, "pages", "pages read ahead of a fault")             \
	X(FM_FAULTAROUND, faultaround_pages, EVENT, "pages", "cached pages mapped around a read fault") \
	X(FM_MAJOR_FAULTS, major_faults, EVENT, "faults", "file faults that waited for the disk")   \
	X(FM_WRITEBACK, writeback_pages, EVENT, "pages", "dirty pages written to the disk")         \
	X(FM_FLUSHER_RUNS, flusher_runs, EVENT, "runs", "background writeback started")             \
	X(FM_THROTTLED, dirty_throttled, EVENT, "calls", "writers made to wait (dirty_ratio)")      \
	X(FM_THROTTLE_PS, dirty_throttle_ps, EVENT, "ps", "time writers waited")                     \
	X(FM_READ_WAIT_PS, read_wait_ps, EVENT, "ps", "time readers and faults waited for the disk")

enum filemap_stat {
	FILEMAP_STATS(STAT_ENUM)
	NR_FILEMAP_STATS
};

int filemap_create(struct filemap **out);
/* Host memory of the index; pages belong to the allocator. */
void filemap_destroy(struct filemap *fm);

/* The file (p's process tree, fd), created on first use.  NULL if the host is out of memory. */
struct file_obj *filemap_file(struct os *os, struct process *p, int64_t fd);

/*
 * read(fd, len) at offset / write: bring [off, off + len) into the cache
 * (read: from the disk; write: dirtied in place), copying to or from the
 * user at copy_page_cost per 4 KiB.  *cost += CPU time and waits.
 * @return 0, or -SIM_EOOM when a page could not be allocated (the pages
 * before it were done).
 */
int filemap_read(struct os *os, struct process *p, int64_t fd, uint64_t off, uint64_t len, unsigned cpu,
		 sim_time_t now, sim_time_t *cost);
int filemap_write(struct os *os, struct process *p, int64_t fd, uint64_t off, uint64_t len, unsigned cpu,
		  sim_time_t now, sim_time_t *cost);

/*
 * do_fault for an empty leaf of a file VMA: read fault (cache page mapped
 * read-only, fault-around of cached neighbours), private write fault
 * (do_cow_fault: a private anonymous copy), shared write fault (the cache
 * page mapped writable and dirtied).  A miss reads the disk (major fault).
 * @return 0, -SIM_EOOM, or another negative code.
 */
int filemap_fault(struct os *os, struct process *p, struct vma *v, uint64_t vaddr, uint64_t slot, bool write,
		  unsigned cpu, sim_time_t now, sim_time_t *cost);

/* folio_mark_dirty: set PG_dirty and count nr_dirty / nr_dirtied (page-cache pages only). */
void filemap_mark_dirty(struct os *os, struct page *pg);
/* Write a dirty cache page back now (queued on the disk); it is clean on return. */
void filemap_writepage(struct os *os, struct page *pg, sim_time_t now);
/* Reclaim drops a clean, unmapped cache page: out of the index (shadow left), cache reference dropped. */
void filemap_evict(struct os *os, struct page *pg);
/* Wake the flusher: write back the oldest dirty pages down to the background threshold. */
void filemap_wakeup_flusher(struct os *os, sim_time_t now);
/* Migration: dst (flags, mapping and index already copied) replaces src in its file's index. */
void filemap_replace_page(struct os *os, struct page *src, struct page *dst);
/* A page-cache page (mapping is a file). */
bool page_is_file_cache(const struct page *pg);

/* Lookup for tests: the cached page of (file, index) or NULL. */
struct page *filemap_lookup(struct os *os, struct file_obj *f, uint64_t index);
uint64_t filemap_stat(const struct os *os, enum filemap_stat s);

void filemap_report(struct os *os, rep_t *r);

#endif
