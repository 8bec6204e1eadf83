/*
 * os/mlock.h - mlock, munlock, mlockall, munlockall and the unevictable
 * LRU (Linux's mm/mlock.c; Documentation/mm/unevictable-lru.rst).
 *
 * A VMA with VM_LOCKED keeps its pages in memory: every page it maps is
 * PG_mlocked and lives on its node's unevictable list, which reclaim never
 * scans, so kswapd and direct reclaim pass over it.  folio->mlock_count
 * (page->mlock_count) counts the locked VMAs mapping a page while it is on
 * that list; the last munlock (or unmap from a locked VMA) clears
 * PG_mlocked and returns the page to an evictable list ("rescued").
 *
 * Counters, as Linux keeps them: the zone gauge nr_mlock (NR_MLOCK), the
 * LRU gauge nr_unevictable, and the events unevictable_pgs_mlocked,
 * _munlocked, _culled (moved to the unevictable list), _rescued (moved
 * back), _cleared (freed while still mlocked), _stranded (munlocked while
 * isolated).  _scanned stays 0: only shmem unlocking scans that list.
 *
 * Hooks into the rest of os/: rmap_account_add maps a page through a VMA
 * (mlock_folio if that VMA is VM_LOCKED: mlock_vma_folio), and
 * rmap_account_remove unmaps it (munlock_folio if VM_LOCKED:
 * munlock_vma_folio, as Linux's __folio_remove_rmap does) on every path
 * -- zap, COW break, reclaim, migration, KSM merge, THP collapse; put_page
 * frees it (mlock_page_freed), lru_add / lru_putback decide
 * PG_unevictable again.  Migration copies no PG_mlocked: the source is
 * munlocked and the destination mlocked mapping by mapping, as in Linux
 * since 5.18.
 */
#ifndef OS_MLOCK_H
#define OS_MLOCK_H

#include "os/fault.h"

/* mlock2 / mlockall uapi (include/uapi/asm-generic/mman-common.h, mman.h) */
#define MLOCK_ONFAULT 0x01
#define MCL_CURRENT   1
#define MCL_FUTURE    2
#define MCL_ONFAULT   4
/* numasim's mlock record: flags 0x100 | MCL_* is mlockall(MCL_*) */
#define MLOCK_REC_ALL 0x100

/* folio_evictable: not PG_mlocked (numasim has no unevictable mappings such as ramfs). */
static inline bool page_evictable(const struct page *pg)
{
	return !page_test(pg, PG_mlocked);
}

/* mlock_folio: pg is now mapped by a VM_LOCKED VMA. */
void mlock_folio(struct os *os, struct page *pg);
/* munlock_folio: one VM_LOCKED mapping of pg is going away (or the VMA is munlocked). */
void munlock_folio(struct os *os, struct page *pg);
/* The last reference to pg is dropped: a still-mlocked page counts unevictable_pgs_cleared. */
void mlock_page_freed(struct os *os, struct page *pg);
/*
 * folio_add_lru's evictability check for a page going onto a list: a
 * PG_mlocked page becomes PG_unevictable (culled unless it already was),
 * a PG_unevictable page no longer mlocked leaves it (rescued).
 */
void mlock_cull_on_add(struct os *os, struct page *pg);

/* RLIMIT_MEMLOCK in pages (os.memlock_limit; UINT64_MAX: unlimited), mlock_future_ok's limit. */
uint64_t rlimit_memlock_pages(const struct os *os);

/*
 * __mm_populate / populate_vma_page_range (mm/gup.c): fault in every VMA
 * of [start, end), as writes where the VMA is private and writable, except
 * VM_LOCKONFAULT VMAs and, with locked_only, VMAs without VM_LOCKED (mlock
 * and mlockall leave hugetlb VMAs unlocked).  The populate of mmap
 * (MAP_POPULATE or a locked mapping), mlock, mlockall and a grown locked
 * mremap.  *cost += the faults.  @return 0, or -SIM_EOOM (the process was
 * killed) with err "<what>: out of memory populating (process killed)".
 */
int mm_populate(struct os *os, struct process *p, unsigned cpu, sim_time_t now, uint64_t start, uint64_t end,
		bool locked_only, sim_time_t *cost, const char *what, char *err, size_t errlen);

/* Pages of [start, end) in VM_LOCKED VMAs (count_mm_mlocked_page_nr). */
uint64_t mm_mlocked_pages(const struct mm_struct *mm, uint64_t start, uint64_t end);

/*
 * The mlock and munlock system calls (OS_SYS_MLOCK, OS_SYS_MUNLOCK; the
 * record forms of mlockall/munlockall included).  @return 0 or a negative
 * code with err naming Linux's errno.
 */
int mlock_syscall(struct os *os, struct process *p, unsigned cpu, sim_time_t now, const struct os_syscall *sc,
		  sim_time_t *cost, char *err, size_t errlen);

#endif
