/*
 * os/ksm.h - kernel samepage merging (Linux's mm/ksm.c, 6.18).
 *
 * madvise(MADV_MERGEABLE) marks private anonymous VMAs VM_MERGEABLE and
 * registers the address space with ksmd (an mm_slot); ksmd, a kernel
 * thread woken every os.ksm.sleep (sleep_millisecs, 20 ms) while
 * os.ksm.run is set, looks at os.ksm.pages_to_scan (100) present pages per
 * wake-up, slot after slot, address after address (ksm_do_scan ->
 * scan_get_next_rmap_item), keeping one rmap_item per page it has seen,
 * and for each page (cmp_and_merge_page):
 *   1. a page already merged stays in the stable tree;
 *   2. the stable tree (pages already merged, by content) has an identical
 *      KSM page: this mapping is pointed at it, read-only, and its own page
 *      is released (try_to_merge_with_ksm_page, pages_sharing);
 *   3. otherwise the checksum rule: a page whose contents changed since
 *      ksmd last saw it (or that it sees for the first time) is volatile
 *      and only remembered; so a page merges at its second scan at the
 *      earliest.  Contents are the declared ones (os/page_content.h); a
 *      change is a write since the last visit, which the page-table dirty
 *      bit records (ksmd clears it at each visit, moving it to PG_dirty);
 *   4. the unstable tree (unchanged pages seen in this full scan) has an
 *      identical page: this page becomes the KSM page (write-protected,
 *      PG_ksm, off the LRU: numasim neither reclaims nor migrates KSM
 *      pages) and the other mapping is pointed at it
 *      (try_to_merge_two_pages, stable_tree_insert); else this page joins
 *      the unstable tree (pages_unshared).
 * The unstable tree is emptied at the end of every full scan
 * (full_scans).  With merge_across_nodes 0 both trees are per node: only
 * pages on the same node merge, and each node keeps its own copy.
 *
 * A write to a KSM page faults (it is mapped read-only) and copies it
 * (do_wp_page never reuses a KSM page: cow_ksm), on the faulting thread's
 * node.  MADV_UNMERGEABLE breaks every KSM page of the range that way
 * (unmerge_ksm_pages) and clears VM_MERGEABLE.
 *
 * The content of an undeclared page is unique: it never merges.
 */
#ifndef OS_KSM_H
#define OS_KSM_H

#include <stdio.h>
#include "sim/report.h"
#include "sim/types.h"

struct os;
struct process;
struct vma;
struct page;

/*
 * MADV_MERGEABLE (merge true) / MADV_UNMERGEABLE on VMA v of p (the
 * caller split it to the range).  Shared and hugetlb VMAs are left alone,
 * as vma_ksm_compatible does.  *cost += the unmerging faults.
 * @return 0 or -SIM_ENOMEM / -SIM_EOOM.
 */
int ksm_madvise(struct os *os, struct process *p, struct vma *v, bool merge, unsigned cpu, sim_time_t now,
		sim_time_t *cost);

/* ksmd's work for one wake-up, on cpu at now.  @return its CPU time. */
sim_time_t ksm_do_scan(struct os *os, unsigned cpu, sim_time_t now);

/* The last reference to KSM page pg is going: its stable-tree node goes too. */
void ksm_page_free(struct os *os, struct page *pg);

void ksm_destroy(struct os *os);

/* The counters of /sys/kernel/mm/ksm (`--dump ksm`), one "name value" line each. */
void ksm_dump(const struct os *os, FILE *fp);

/* The "ksm" object of the JSON report (the same names and values), when KSM is used. */
void ksm_report(const struct os *os, rep_t *r);

/* pages_shared, pages_sharing (tests and the report). */
uint64_t ksm_pages_shared(const struct os *os);
uint64_t ksm_pages_sharing(const struct os *os);

#endif
