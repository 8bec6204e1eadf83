/*
 * os/mm.h - address spaces: VMAs in address order (Linux's mm_struct and
 * vm_area_struct, mm/mmap.c and mm/vma.c).
 *
 * A process's VMAs live in one array sorted by start address; lookups are
 * binary searches (find_vma), inserts and removals move the tail.  Traces
 * have at most thousands of mappings and faults look them up far more often
 * than they change, so a sorted array beats a tree on both code size and
 * cache behaviour.
 *
 * This module only keeps the VMA set consistent (no overlap, sorted,
 * adjacent compatible VMAs merged as vma_merge does).  Page tables, pages
 * and policies' effects are the fault path's business (os/fault.h).
 */
#ifndef OS_MM_H
#define OS_MM_H

#include "os/mempolicy.h"

/* vm_flags, Linux's bit values where Linux has the flag. */
#define VM_READ        0x00000001ULL
#define VM_WRITE       0x00000002ULL
#define VM_EXEC        0x00000004ULL
#define VM_SHARED      0x00000008ULL
#define VM_GROWSDOWN   0x00000100ULL
#define VM_LOCKED      0x00002000ULL
#define VM_DONTCOPY    0x00020000ULL   /* MADV_DONTFORK */
#define VM_NORESERVE   0x00200000ULL
#define VM_HUGETLB     0x00400000ULL
#define VM_WIPEONFORK  0x02000000ULL
#define VM_HUGEPAGE    0x20000000ULL   /* MADV_HUGEPAGE */
#define VM_NOHUGEPAGE  0x40000000ULL   /* MADV_NOHUGEPAGE */
#define VM_MERGEABLE   0x80000000ULL   /* MADV_MERGEABLE: ksmd scans it (os/ksm.h) */
#define VM_LOCKONFAULT 0x100000000ULL  /* MLOCK_ONFAULT / MCL_ONFAULT */
#define VM_LOCKED_MASK (VM_LOCKED | VM_LOCKONFAULT)
#define VM_IMPLICIT    (1ULL << 40)    /* numasim: created by a fault in implicit mode */
#define VM_ACCESS_FLAGS (VM_READ | VM_WRITE | VM_EXEC)

/* User address space (x86-64, 4-level paging). */
#define TASK_SIZE      0x00007ffffffff000ULL
#define MMAP_MIN_ADDR  0x10000ULL          /* vm.mmap_min_addr */

/*
 * Pages of a shared mapping (MAP_SHARED|MAP_ANONYMOUS is shmem in Linux;
 * hugetlb mappings are hugetlbfs files): one object shared by every VMA
 * that maps it, across fork, holding its pages by page index.
 */
struct shm_obj {
	unsigned refs;            /* VMAs pointing here */
	uint64_t ino;             /* inode number: interleave bias (shmem_get_policy) */
	unsigned page_shift;      /* 12, 21 or 30 */
	uint64_t nr_slots;        /* size in pages of page_shift */
	uint64_t **chunks;        /* slot -> pfn + 1 (0: not populated), 512 slots per chunk */
	uint64_t nr_pages;        /* populated slots */
};

struct vma {
	uint64_t start, end;      /* [start, end), page aligned (hugetlb: huge-page aligned) */
	uint64_t flags;           /* VM_* */
	uint64_t pgoff;           /* vm_pgoff, in 4 KiB pages */
	uint64_t anon_vma;        /* 0 until the first anonymous page; VMAs with different ones never merge */
	struct shm_obj *shm;      /* backing object of a shared or hugetlb mapping, else NULL */
	struct file_obj *file;    /* backing file of a file mapping (os/filemap.h), else NULL */
	unsigned page_shift;      /* 12, or 21 / 30 for hugetlb */
	struct mempolicy pol;     /* VMA policy; MPOL_DEFAULT: use the task policy */
};

struct mm_struct {
	struct vma *vma;          /* sorted by start, non-overlapping */
	size_t nr_vma, cap_vma;
	uint64_t mmap_base;       /* top of the top-down mmap area */
	uint64_t start_brk, brk;  /* heap */
	bool brk_init;            /* start_brk known (first brk call or default) */
	uint64_t locked_vm;       /* pages in VM_LOCKED VMAs (checked against RLIMIT_MEMLOCK) */
	uint64_t def_flags;       /* flags every new VMA gets: VM_LOCKED[ONFAULT] after mlockall(MCL_FUTURE) */
	/*
	 * Bumped by every change of the VMA set (insert, split, remove, merge,
	 * release) and by every VMA policy change (mm_vma_set_policy): lets
	 * per-call bookkeeping (kmem_sync) skip its walk when nothing changed.
	 */
	uint64_t vma_seq;
};

void mm_init(struct mm_struct *mm);
/* Frees the VMA array only (pages and objects belong to the caller). */
void mm_release(struct mm_struct *mm);

/* find_vma: index of the first VMA with end > addr (nr_vma if none). */
size_t mm_find_idx(const struct mm_struct *mm, uint64_t addr);
/* VMA containing addr, or NULL. */
struct vma *vma_lookup(const struct mm_struct *mm, uint64_t addr);
/* First VMA with end > addr (may start above addr), or NULL. */
struct vma *find_vma(const struct mm_struct *mm, uint64_t addr);
/* true if some VMA intersects [start, end). */
bool mm_range_busy(const struct mm_struct *mm, uint64_t start, uint64_t end);

/* Insert a VMA that overlaps nothing.  @return its index or -SIM_ENOMEM. */
long mm_insert(struct mm_struct *mm, const struct vma *v);
/*
 * Split VMA idx at addr (start < addr < end) into two: idx keeps the low
 * part, idx+1 gets the high part with pgoff advanced.  A shared object
 * gains a reference.  @return 0 or -SIM_ENOMEM.
 */
int mm_split(struct mm_struct *mm, size_t idx, uint64_t addr);
/* Make VMA boundaries fall on start and end (split straddlers).  @return 0 or -SIM_ENOMEM. */
int mm_split_range(struct mm_struct *mm, uint64_t start, uint64_t end);
/* Remove VMA idx from the set (the caller drops its shm reference and pages). */
void mm_remove(struct mm_struct *mm, size_t idx);

/* v (a VMA of mm) takes policy pol (mbind's vma_replace_policy). */
void mm_vma_set_policy(struct mm_struct *mm, struct vma *v, const struct mempolicy *pol);

/* is_mergeable: a ends where b starts and they are compatible. */
bool vma_can_merge(const struct vma *a, const struct vma *b);
/*
 * Merge compatible neighbours among the VMAs touching [start, end] (the
 * ones intersecting it plus one on each side).  Merged-away VMAs drop their
 * shm reference (the survivor keeps one, so it never reaches 0 here).
 */
void mm_merge_range(struct mm_struct *mm, uint64_t start, uint64_t end);

/*
 * Top-down search (unmapped_area_topdown) for len bytes aligned to `align`
 * below mm->mmap_base and above MMAP_MIN_ADDR, falling back to bottom-up
 * above mmap_base as Linux does.  @return the address, or 0 if none fits.
 */
uint64_t mm_get_unmapped_area(const struct mm_struct *mm, uint64_t len, uint64_t align);

/*
 * mlock_future_ok (mm/mmap.c): may `pages` more pages of a VMA with these
 * flags be locked?  Only VM_LOCKED counts.  limit: RLIMIT_MEMLOCK in pages
 * (UINT64_MAX: unlimited; numasim has no CAP_IPC_LOCK).  The one
 * RLIMIT_MEMLOCK check of mmap, brk-like growth, mremap, mlock and stack
 * growth.
 */
bool mlock_future_ok(const struct mm_struct *mm, uint64_t flags, uint64_t pages, uint64_t limit);
/*
 * mm->locked_vm += pages (negative: -=) for a VMA with these flags: only
 * VM_LOCKED ones count.  Every locked_vm update goes through here.
 */
void mm_locked_vm_add(struct mm_struct *mm, uint64_t flags, int64_t pages);

/* Limits a stack may grow within (acct_stack_growth). */
struct stack_limits {
	uint64_t rlimit_stack;    /* bytes: RLIMIT_STACK, the largest the VMA may become */
	uint64_t guard_gap;       /* bytes: stack_guard_gap to an accessible VMA below */
	uint64_t memlock;         /* pages: RLIMIT_MEMLOCK, for a VM_LOCKED stack (UINT64_MAX: unlimited) */
};

/*
 * expand_stack for a fault at addr outside every VMA (mm/mmap.c
 * expand_stack / expand_downwards / acct_stack_growth): if the next VMA
 * above addr is VM_GROWSDOWN, move its start down to addr's page when the
 * grown size stays within RLIMIT_STACK, addr is at least mmap_min_addr, an
 * accessible non-stack VMA below is at least guard_gap away, and a locked
 * stack stays within RLIMIT_MEMLOCK.  @return the grown VMA, or NULL (the
 * access is outside every mapping: SIGSEGV).
 */
struct vma *mm_expand_stack(struct mm_struct *mm, uint64_t addr, const struct stack_limits *lim);

/* ---- shared objects ---------------------------------------------------------- */

/* @return a new object with one reference, or NULL (host out of memory). */
struct shm_obj *shm_create(uint64_t ino, unsigned page_shift, uint64_t nr_slots);
/* pfn + 1 stored at slot, 0 if none. */
uint64_t shm_get(const struct shm_obj *o, uint64_t slot);
/* Store pfn + 1 (0 clears).  @return 0 or -SIM_ENOMEM. */
int shm_set(struct shm_obj *o, uint64_t slot, uint64_t pfn_plus_1);
/* First populated slot >= from, or nr_slots if none (skips empty chunks). */
uint64_t shm_next(const struct shm_obj *o, uint64_t from);
/* Free the object's host memory (its pages must have been released by the caller). */
void shm_free(struct shm_obj *o);

#endif
