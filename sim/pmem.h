/*
 * sim/pmem.h - contents of simulated physical memory, stored sparsely.
 *
 * numasim does not store the data of the replayed program (traces carry
 * addresses, not values).  It does store pages whose contents the simulated
 * hardware reads: page-table pages.  The OS layer writes page-table entries
 * here and the hardware page walker reads them from here, which is the
 * "memory interface" that keeps hw/ independent of os/.
 *
 * Pages are 4 KiB, allocated zero-filled on first write, found through an
 * open-addressing hash on the frame number.  Lookup order never reaches
 * output, so the hash cannot make results depend on the host.
 */
#ifndef SIM_PMEM_H
#define SIM_PMEM_H

#include "sim/types.h"

#define PMEM_PAGE_SHIFT 12
#define PMEM_PAGE_SIZE  (1u << PMEM_PAGE_SHIFT)

typedef struct pmem pmem_t;

int pmem_create(pmem_t **out);
void pmem_destroy(pmem_t *pm);

/* 64-bit word at an 8-byte aligned physical address; 0 if never written. */
uint64_t pmem_read64(const pmem_t *pm, uint64_t paddr);

/* @return 0 or -SIM_ENOMEM. */
int pmem_write64(pmem_t *pm, uint64_t paddr, uint64_t val);

/* Zero a whole 4 KiB frame (and release its storage). */
void pmem_clear_page(pmem_t *pm, uint64_t pfn);

/* Copy a frame's contents (page migration of a page-table page). */
int pmem_copy_page(pmem_t *pm, uint64_t dst_pfn, uint64_t src_pfn);

/* Frames currently holding stored contents (host memory use). */
size_t pmem_nr_pages(const pmem_t *pm);

#endif
