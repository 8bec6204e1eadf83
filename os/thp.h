/*
 * os/thp.h - transparent huge pages for private anonymous memory (Linux
 * 6.12 mm/huge_memory.c do_huge_pmd_anonymous_page, __split_huge_pmd,
 * split_huge_page; mm/khugepaged.c; sources.md §4.1, §6.1).
 *
 * A fault in a VMA that allows THP (os.thp = always and not
 * MADV_NOHUGEPAGE, or madvise and MADV_HUGEPAGE) whose 2 MiB-aligned range
 * lies inside the VMA and whose PMD is empty allocates an order-9 page with
 * the gfp transparent_hugepage/defrag asks for (direct compaction only when
 * it allows direct reclaim), zeroes it and maps it with a PMD leaf
 * (PTE_PS): the hardware then caches one 2 MiB translation and walks three
 * levels.  Failure counts thp_fault_fallback and the fault continues with a
 * 4 KiB page.  A read fault (transparent_hugepage/use_zero_page=1, the
 * default) maps the huge zero page instead: one order-9 zeroed page,
 * allocated on first use (thp_zero_page_alloc), mapped read-only and
 * special by a PMD leaf.  A write to it takes do_huge_pmd_wp_page's
 * fallback: the PMD is split into 512 PTEs of the 4 KiB zero page and the
 * write copies one 4 KiB page (do_wp_page); khugepaged may collapse later.
 *
 * Splitting (munmap / mprotect / MADV_DONTNEED of part of a THP, or a COW
 * write to a THP shared after fork) remaps every PMD mapping of the page
 * with 512 PTEs and turns the compound page into 512 order-0 pages
 * (thp_split_pmd per mapping, thp_split_page once).
 *
 * khugepaged (an event every khugepaged_scan_sleep) scans
 * khugepaged_pages_to_scan PTEs per wake-up across processes and collapses
 * a 2 MiB range mapped by PTEs into a new THP when at most
 * khugepaged_max_ptes_none entries are empty and every mapped page is an
 * exclusive anonymous page (thp_collapse_alloc / _failed).
 */
#ifndef OS_THP_H
#define OS_THP_H

#include "os/mig_state.h"

#define HPAGE_PMD_SIZE (1ULL << 21)
#define HPAGE_PMD_NR   512

/* THP allowed for the 2 MiB range around vaddr of v (mode, flags, alignment, anon private). */
bool thp_vma_suitable(const struct os *os, const struct vma *v, uint64_t vaddr);

/*
 * do_huge_pmd_anonymous_page with the PMD slot already located and empty.
 * @return true if a THP now maps vaddr; false to fall back to base pages
 * (a failed allocation counted thp_fault_fallback).
 */
bool thp_do_fault(struct os *os, struct process *p, struct vma *v, uint64_t vaddr, uint64_t pmd_slot, bool write,
		  unsigned cpu, sim_time_t now, sim_time_t *cost);

/*
 * Split the THP mapped by p's PMD leaf at vaddr (if any, outside hugetlb):
 * every mapping of the page becomes 512 PTEs and the page 512 order-0
 * pages.  *cost += shootdowns and table allocations.  @return 1 if split,
 * 0 if nothing to split, or a negative code (out of memory for a table).
 */
int thp_split_at(struct os *os, struct process *p, uint64_t vaddr, unsigned cpu, sim_time_t now, sim_time_t *cost);

/* Split THPs straddling start or end (before munmap/mprotect/madvise of [start, end)). */
int thp_split_edges(struct os *os, struct process *p, uint64_t start, uint64_t end, unsigned cpu, sim_time_t now,
		    sim_time_t *cost);

/* khugepaged: one scan pass now (tests call it directly).  @return its CPU time. */
sim_time_t khugepaged_scan(struct os *os, unsigned cpu, sim_time_t now);

void thp_init(struct os *os);
void thp_destroy(struct os *os);

#endif
