/*
 * os/meminfo.h - /proc/meminfo and /sys/devices/system/node/nodeN/meminfo
 * in Linux 6.18's formats (fs/proc/meminfo.c meminfo_proc_show,
 * drivers/base/node.c node_read_meminfo), for an x86-64 kernel with THP,
 * swap, zswap, CMA, memory-failure and hugetlb configured and without
 * unaccepted memory or shadow call stacks (the configuration of the
 * vmstat fixture tests/validation/fixtures/linux-6.18-1node).
 *
 * Every line is computed from the simulated kernel's counters; a mechanism
 * numasim does not have yet is read through an accessor below that returns
 * what exists of it (no per-CPU allocator: 0).
 */
#ifndef OS_MEMINFO_H
#define OS_MEMINFO_H

#include <stdio.h>
#include "os/fault.h"

/* totalcma_pages: frames reserved for CMA areas (os/cma.c). */
uint64_t os_cma_total_pages(const struct os *os);
/* zswap_total_pages(): pages the zswap pool holds (os/zswap.c; 0 without zswap). */
uint64_t os_zswap_pool_pages(const struct os *os);
/* zswap_stored_pages: pages stored compressed in zswap. */
uint64_t os_zswap_stored_pages(const struct os *os);
/* vm_committed_as: pages of accountable mappings (VM_ACCOUNT) of live processes. */
uint64_t os_committed_as(const struct os *os);

/* si_mem_available(), pages. */
uint64_t si_mem_available(const struct os *os);

void meminfo_show(const struct os *os, FILE *fp);
void node_meminfo_show(const struct os *os, unsigned nid, FILE *fp);

#endif
