/*
 * os/vmalloc.c - vmalloc areas: frames one by one from the page allocator
 * under the calling task's policy (see os/vmalloc.h).
 */
#include <stdlib.h>
#include "os/vmalloc.h"
#include "sim/err.h"

struct vm_struct {
	unsigned nr_pages;
	uint64_t pfns[];
};

int vmalloc_pages(struct os *os, struct process *p, unsigned nr_pages, unsigned cpu, sim_time_t now,
		  struct vm_struct **out, sim_time_t *cost)
{
	struct vm_struct *vm = malloc(sizeof(*vm) + nr_pages * sizeof(vm->pfns[0]));
	sim_time_t t = 0;

	if (!vm)
		return -SIM_ENOMEM;
	vm->nr_pages = 0;
	while (vm->nr_pages < nr_pages) {
		uint64_t pfn;
		/* vm_area_alloc_pages: order-0 pages, GFP_KERNEL | __GFP_ZERO for stacks (THREADINFO_GFP) */
		int rc = alloc_policy_pages(os, p, NULL, 0, 0, GFP_KERNEL | __GFP_ZERO, cpu, now + t, &pfn, &t);
		if (rc) {
			vfree(os, vm, cpu);
			return rc;
		}
		t += oshw_zero(os, cpu, now + t, pfn, PAGE_SIZE);
		vm->pfns[vm->nr_pages++] = pfn;
		os->nr_vmalloc_pages++;
	}
	*out = vm;
	if (cost)
		*cost += t;
	return 0;
}

void vfree(struct os *os, struct vm_struct *vm, unsigned cpu)
{
	if (!vm)
		return;
	for (unsigned i = 0; i < vm->nr_pages; i++) {
		struct page *pg = pfn_to_page(os->phys, vm->pfns[i]);
		SIM_BUG_ON(pg->refcount != 1);
		pg->refcount = 0;
		page_free(os->phys, vm->pfns[i], 0, cpu);
	}
	os->nr_vmalloc_pages -= vm->nr_pages;
	free(vm);
}

unsigned vm_struct_pages(const struct vm_struct *vm, const uint64_t **pfns)
{
	*pfns = vm->pfns;
	return vm->nr_pages;
}

uint64_t vmalloc_nr_pages(const struct os *os)
{
	return os->nr_vmalloc_pages;
}
