/*
 * os/smaps.h - /proc/PID/smaps and /proc/PID/smaps_rollup (Linux 6.18
 * fs/proc/task_mmu.c show_smap, show_smaps_rollup), computed from the
 * process's real page tables and the frames' map counts.
 *
 * Per VMA: the /proc/PID/maps header line (show_map_vma), Size,
 * KernelPageSize, MMUPageSize, then __show_smap's fields, THPeligible and
 * VmFlags.  What is counted follows smaps_pte_entry / smaps_pmd_entry /
 * smaps_account: the shared zero page is not resident (vm_normal_page
 * gives no page for it); a page whose reference count is 1 is private;
 * otherwise each page counts PAGE_SIZE / mapcount towards Pss (Pss kept in
 * 1/4096ths of a byte, PSS_SHIFT 12, as Linux does) and is shared when its
 * mapcount is 2 or more; a swap entry adds to Swap and PAGE_SIZE /
 * swap_count to SwapPss; hugetlb pages are Shared_/Private_Hugetlb, not
 * Rss.
 *
 * Header fields numasim does not know: a file mapping shows its offset but
 * device 00:00, inode 0 and no path (traces carry file descriptors, not
 * paths); shared anonymous memory shows "/dev/zero (deleted)" on device
 * 00:01 with its object's inode number; anonymous hugetlb memory
 * "/anon_hugepage (deleted)" on 00:0f (the minor of the internal hugetlbfs
 * mount depends on the machine).  VmFlags: numasim keeps VM_READ, WRITE,
 * EXEC, SHARED, GROWSDOWN, DONTCOPY, NORESERVE, HUGETLB, WIPEONFORK,
 * HUGEPAGE, NOHUGEPAGE; mr mw me (every mmap sets VM_MAY*), ms (with
 * VM_SHARED), ac (accountable_mapping), de (hugetlbfs_file_mmap) and sd
 * (VM_SOFTDIRTY on every new VMA with CONFIG_MEM_SOFT_DIRTY, never cleared
 * since clear_refs is not modelled) are derived as Linux sets them.
 * `ProtectionKey:`, which Linux prints on CPUs with protection keys, is
 * not: pkeys are not modelled.
 */
#ifndef OS_SMAPS_H
#define OS_SMAPS_H

#include <stdio.h>
#include "os/fault.h"

/* Sizes in bytes (pss, swap_pss, pss_* in bytes << PSS_SHIFT), as struct mem_size_stats. */
struct mem_size_stats {
	uint64_t resident, shared_clean, shared_dirty, private_clean, private_dirty, referenced, anonymous,
		lazyfree, anonymous_thp, shmem_thp, file_thp, swap, shared_hugetlb, private_hugetlb, ksm;
	uint64_t pss, pss_anon, pss_file, pss_shmem, pss_dirty, pss_locked, swap_pss;
};
#define PSS_SHIFT 12

/* smap_gather_stats for VMA index i of p (adds to *mss). */
void smaps_gather(struct os *os, const struct process *p, size_t i, struct mem_size_stats *mss);

/* /proc/PID/smaps of p. */
void smaps_show(struct os *os, const struct process *p, FILE *fp);
/* /proc/PID/smaps_rollup of p (without VMAs: the range 00000000-00000000 and zeros, as Linux). */
void smaps_rollup_show(struct os *os, const struct process *p, FILE *fp);

#endif
