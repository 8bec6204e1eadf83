/*
 * os/vmalloc.h - vmalloc areas of the simulated kernel (mm/vmalloc.c).
 *
 * A vmalloc area is virtually contiguous and physically scattered: its
 * pages come one by one from the page allocator.  __vmalloc_node_range
 * with NUMA_NO_NODE (kernel stacks: alloc_thread_stack_node) fills the area
 * with alloc_pages_bulk_mempolicy, i.e. under the calling task's policy
 * without an interleave index: all on the local node by default, spread
 * evenly over the policy's nodes for (weighted) interleave.  Here each page
 * is one alloc_pages() under that policy, which gives the same nodes and
 * counts (the interleave cursor advances once per page, as the bulk
 * interleave path splits nr_pages evenly).  Virtual addresses and guard
 * pages are not modelled: only the frames, which VmallocUsed counts
 * (vmalloc_nr_pages).
 */
#ifndef OS_VMALLOC_H
#define OS_VMALLOC_H

#include "os/fault.h"

struct vm_struct;

/*
 * __vmalloc_node(nr_pages * PAGE_SIZE) with NUMA_NO_NODE: the pages one by
 * one under the task policy of p (alloc_pages_bulk_mempolicy: the local
 * node by default, spread over the nodes for interleave), zeroed.
 * @return 0 or the page allocator's code (nothing stays allocated).
 */
int vmalloc_pages(struct os *os, struct process *p, unsigned nr_pages, unsigned cpu, sim_time_t now,
		  struct vm_struct **out, sim_time_t *cost);
void vfree(struct os *os, struct vm_struct *vm, unsigned cpu);
/* Frames of vm (tests). */
unsigned vm_struct_pages(const struct vm_struct *vm, const uint64_t **pfns);
/* vmalloc_nr_pages(): pages in vmalloc areas (VmallocUsed). */
uint64_t vmalloc_nr_pages(const struct os *os);

#endif
