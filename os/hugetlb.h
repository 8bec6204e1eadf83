/*
 * os/hugetlb.h - persistent pools of 2 MiB and 1 GiB hugetlb pages (Linux's
 * mm/hugetlb.c hstates).
 *
 * At os creation each node's pool is filled with os_cfg.nr_hugepages[n]
 * order-9 pages taken from that node's buddy allocator (alloc_pool_huge_folio
 * with __GFP_THISNODE); a node that cannot supply them keeps what it got and
 * the shortfall is reported (as Linux logs "HugeTLB: allocating N of page
 * size 2.00 MiB failed node0.  Only allocated M hugepages.").  Pool pages
 * never return to the buddy allocator: they leave its free counts for the
 * whole run, as on Linux.
 *
 * MAP_HUGETLB mappings reserve their pages at mmap time (hugetlb_reserve_pages:
 * HugePages_Rsvd); without enough free unreserved pages mmap fails with
 * ENOMEM.  MAP_NORESERVE mappings reserve nothing.  Reservations are kept
 * per huge page: a private mapping's by (pid, virtual huge page), consumed by
 * the first fault there and returned by munmap/exit for pages never faulted
 * (hugetlb_vm_op_close); a shared mapping's by (object, page index),
 * consumed when the object's page is allocated and returned when the object
 * dies.  A private mapping's reservation belongs to the process that mapped
 * it (HPAGE_RESV_OWNER): a forked child faults without one.
 *
 * Faults dequeue from the pool of the node the memory policy picks
 * (huge_node: interleave index at 2 MiB granularity, bind masks, preferred),
 * falling back through that node's zonelist restricted to the policy's mask
 * (dequeue_hugetlb_folio_nodemask; preferred-many tries its mask first).
 * Each node's free list is LIFO (enqueue_hugetlb_folio adds at the head).
 * A fault that finds no page it may take fails with SIGBUS (the faulting
 * thread stops), never the OOM killer.
 *
 * Surplus pages: within os_cfg.nr_overcommit_hugepages the buddy allocator
 * supplies what the pool lacks, at mmap (gather_surplus_pages) or at a
 * fault without a reservation (alloc_surplus_hugetlb_folio); they return to
 * the buddy allocator when freed on a node with surplus or when unused
 * reservations are dropped (free_huge_folio, return_unused_surplus_pages).
 *
 * 1 GiB pages are a second hstate with its own pools (os_cfg.nr_hugepages_1g,
 * filled at boot from naturally aligned free ranges, as Linux's memblock
 * boot allocation __alloc_bootmem_huge_page does),
 * reservations and free lists; they are never surplus.
 *
 * Not modelled: resizing the pool at run time,
 * hugetlb migration/demotion, cpuset-restricted reservation checks
 * (only a task MPOL_BIND restricts the mmap-time check, as allowed_mems_nr).
 */
#ifndef OS_HUGETLB_H
#define OS_HUGETLB_H

#include "os/fault.h"
#include "sim/report.h"

#define HPAGE_ORDER 9
#define HPAGE_NR    (1ULL << HPAGE_ORDER)   /* base pages per huge page */
#define GPAGE_ORDER 18                      /* 1 GiB gigantic pages (MAP_HUGE_1GB) */

struct hugetlb;

/*
 * Create the pools and fill them from os->cfg.nr_hugepages (one entry per
 * node; missing entries are 0).  A node that cannot supply its count keeps
 * what it got (see hugetlb_node_counts' requested/total).
 * @return 0, or -SIM_ECONFIG (more entries than nodes) / -SIM_ENOMEM with
 * a message in err.
 */
int hugetlb_init(struct os *os, char *err, size_t errlen);
/* Free the host-side pool state (the pages belong to the dying physmem). */
void hugetlb_destroy(struct os *os);

/*
 * hugetlb_reserve_pages for a new MAP_HUGETLB VMA v of p (v->shm set for
 * shared mappings).  No-op for VM_NORESERVE.  @return 0, or -SIM_EOOM with
 * an "ENOMEM: ..." message when the free unreserved pages cannot cover it,
 * or -SIM_ENOMEM (host).
 */
int hugetlb_reserve_vma(struct os *os, const struct process *p, const struct vma *v, char *err, size_t errlen);
/* hugetlb_vm_op_close of a private VMA (munmap, exit): return its unconsumed reservations. */
void hugetlb_vma_close(struct os *os, const struct process *p, const struct vma *v);
/* The last reference to a hugetlb shared object went away: drop its unconsumed reservations. */
void hugetlb_shm_release(struct os *os, const struct shm_obj *o);

/*
 * alloc_hugetlb_folio: a pool page for the huge page of hugetlb VMA v at
 * haddr (2 MiB aligned), consuming the reservation there if one is held.
 * The page comes back with refcount 1, PG_head and PG_hugetlb set.  With
 * zero, *cost += os_cfg.zero_page_cost per base page (the CPU time
 * page_alloc charges for __GFP_ZERO); the memory traffic of clearing
 * (oshw_zero) stays the caller's, as for buddy pages.
 * @return 0, or -SIM_ESTATE when no page may be taken (SIGBUS).
 */
int hugetlb_alloc_folio(struct os *os, struct process *p, const struct vma *v, uint64_t haddr, bool zero,
			unsigned cpu, sim_time_t *cost, uint64_t *pfn);
/* free_huge_folio: pg (refcount 0, unmapped) goes back to its node's pool. */
void hugetlb_free_folio(struct os *os, struct page *pg);

struct hugetlb_counts {
	uint64_t requested;   /* nr_hugepages asked for (config) */
	uint64_t total;       /* HugePages_Total */
	uint64_t free;        /* HugePages_Free */
	uint64_t surplus;     /* HugePages_Surp */
};
/* Per-node counters; nid >= nr_nodes gives zeros. */
void hugetlb_node_counts(const struct os *os, unsigned nid, struct hugetlb_counts *out);
/* System-wide counters; *rsvd = HugePages_Rsvd (may be NULL). */
void hugetlb_counts(const struct os *os, struct hugetlb_counts *out, uint64_t *rsvd);

/* The same for one page size: shift 21 (2 MiB) or 30 (1 GiB), as /sys/kernel/mm/hugepages/hugepages-<kB>kB/. */
void hugetlb_size_node_counts(const struct os *os, unsigned shift, unsigned nid, struct hugetlb_counts *out);
void hugetlb_size_counts(const struct os *os, unsigned shift, struct hugetlb_counts *out, uint64_t *rsvd);

/* The hugetlb lines of /proc/meminfo, Linux's format (view "meminfo-hugetlb"). */
void hugetlb_report_meminfo(const struct os *os, FILE *fp);
/* The "hugetlb" report section: totals, per-node pools, counters. */
void hugetlb_report(const struct os *os, rep_t *r);

#endif
