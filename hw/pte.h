/*
 * hw/pte.h - page-table entry formats the hardware walker understands.
 *
 * x86-64 4-level paging (Intel SDM vol. 3, 4.5): 512 eight-byte entries per
 * 4 KiB table; bits 47:39, 38:30, 29:21, 20:12 of the virtual address index
 * PML4, PDPT, PD and PT.  PS in a PDPTE or PDE maps a 1 GiB or 2 MiB page.
 * The walker sets A on every entry it uses and D on the leaf when a store
 * goes through.
 *
 * ARM64 with a 4 KiB granule and 48-bit VA uses the same index split (levels
 * 0..3); the model stores its tables in the same bit layout below so one
 * walker serves both (the arm64 difference modelled is the level naming and
 * the lack of a hardware D-bit update cost; documented in docs/hw.md).
 */
#ifndef HW_PTE_H
#define HW_PTE_H

#include "sim/types.h"

#define PTE_P         (1ULL << 0)    /* present */
#define PTE_RW        (1ULL << 1)    /* writable */
#define PTE_US        (1ULL << 2)    /* user */
#define PTE_A         (1ULL << 5)    /* accessed (set by the walker) */
#define PTE_D         (1ULL << 6)    /* dirty (set on store) */
#define PTE_PS        (1ULL << 7)    /* huge page at PDPT/PD level */
#define PTE_SW1       (1ULL << 9)    /* software bits: free for the OS layer */
#define PTE_SW2       (1ULL << 10)
#define PTE_SW3       (1ULL << 11)
#define PTE_NX        (1ULL << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ULL

#define PT_LEVELS     4
#define PT_ENTRIES    512
/* shift of the VA bits that index level L (4 = top .. 1 = leaf PT) */
static inline unsigned pt_level_shift(unsigned level)
{
	return 12 + 9 * (level - 1);
}
static inline unsigned pt_index(uint64_t vaddr, unsigned level)
{
	return (unsigned)((vaddr >> pt_level_shift(level)) & (PT_ENTRIES - 1));
}

#endif
