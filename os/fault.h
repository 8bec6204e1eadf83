/*
 * os/fault.h - processes, page faults and the page-level operations the
 * system calls share (Linux's mm/memory.c, mm/hugetlb.c fault paths,
 * kernel/fork.c dup_mmap, mm/mmap.c exit_mmap).
 *
 * This header is private to os/: it defines the OS object (struct os) and
 * the process (struct process) so that os.c (facade, system calls, views)
 * and fault.c (faults, page mapping and unmapping, fork, exit) share them.
 *
 * Hardware interaction goes through the small oshw_* layer in fault.c: with
 * a hw_t it calls hw_zero_page / hw_copy_page / hw_tlb_shootdown; without
 * one (unit tests, os_create_with_cfg) only the os_cfg costs and the hw_cfg
 * TLB figures are charged, so the OS layer is testable on its own.
 */
#ifndef OS_FAULT_H
#define OS_FAULT_H

#include "os/kthread.h"
#include "os/mm.h"
#include "os/os.h"
#include "os/page_alloc.h"
#include "os/page_content.h"
#include "os/pgtable.h"

#define NO_PGD UINT64_MAX

/*
 * A thread's own memory-policy state (task_struct's mempolicy, il_prev and
 * il_weight: per thread in Linux).  The process keeps the state of the
 * thread last seen in the kernel in p->pol / p->il, where every allocation
 * path reads it; task_switch() saves it here and loads another thread's.
 */
struct task {
	unsigned tid;
	struct mempolicy pol;
	struct mpol_task il;
};

struct process {
	int pid;
	int parent;               /* pid of the parent, 0 if none */
	uint16_t asid;
	bool alive;
	bool implicit;            /* faults outside VMAs create anonymous mappings */
	char *final_maps;         /* numa_maps text captured when the process exited (malloc'd) */
	struct mm_struct mm;
	uint64_t pgd_pfn;         /* top-level table; NO_PGD once freed */
	struct mempolicy pol;     /* task policy of thread cur_tid (MPOL_DEFAULT: the default local policy) */
	struct mpol_task il;      /* its interleave cursor without an index (il_prev, il_weight) */
	unsigned cur_tid;         /* the thread whose policy pol/il hold */
	struct task *tasks;       /* the other threads seen so far (saved state), any order */
	size_t nr_tasks, cap_tasks;
	unsigned last_cpu;        /* CPU it last ran a fault or system call on */
	uint64_t cpus_ran[HW_MAX_CPUS / 64];   /* CPUs that ran it: shootdown targets without hw */
	uint64_t rss_anon;        /* MM_ANONPAGES, base pages */
	uint64_t rss_shmem;       /* MM_SHMEMPAGES, base pages */
	uint64_t hugetlb_pages;   /* base pages mapped through hugetlb (not in RSS, as in Linux) */
	uint64_t node_pages[HW_MAX_NODES];     /* mapped user pages per node, base pages */
	uint64_t pgtables[HW_MAX_NODES];       /* page-table pages per node, root included */
	uint64_t min_flt;         /* faults resolved */
	uint64_t maj_flt;         /* of those, faults that waited for I/O (swap-in, file read-in) */
	uint64_t rss_file;        /* MM_FILEPAGES: mapped page-cache pages, base pages */
	uint64_t swapents;        /* MM_SWAPENTS: swap entries in the page tables */
	int oom_score_adj;        /* -1000..1000 (os_cfg default) */
	struct numab_task *numab; /* NUMA-balancing scanner state (os/numa_balancing.c), NULL until used */
	struct kmem_proc *kobj;   /* its kernel objects: mm_struct, task_structs, stacks, VMAs (os/slab.c) */
	struct pgc_map pgc;       /* declared page contents (os/page_content.h) */
	uint16_t memcg;           /* memory cgroup (os/memcontrol.h); 0: the root */
	uint64_t memcg_nr_pages_over_high;   /* charged above memory.high since the last return to user */
};

struct os {
	struct os_cfg cfg;
	const struct hw_cfg *hwc;
	hw_t *hw;                 /* NULL in unit tests */
	pmem_t *pm;
	struct evq *q;
	physmem_t *phys;
	struct mpol_sys sys;
	uint64_t zero_pfn;        /* the shared zero page */
	uint64_t huge_zero_pfn;   /* the huge zero page (order 9), valid if has_huge_zero */
	bool has_huge_zero;       /* allocated on first use (get_huge_zero_folio) */
	struct process **procs;   /* indexed by pid; [0] unused */
	size_t nr_procs, cap_procs;
	uint32_t next_asid;
	uint64_t next_anon_vma;
	uint64_t next_ino;
	sim_time_t now;           /* latest time seen (exit and fork have no time argument) */
	uint64_t seed;
	struct mig_state *mig;    /* migration, compaction, NUMA balancing, THP (os/mig_state.h) */
	struct reclaim *rcl;      /* LRUs, kswapd, swap, page cache, OOM, PSI (os/vmscan.h) */
	struct process *current;  /* process of the fault or system call being handled (NULL: none) */
	struct hugetlb *htlb;     /* hugetlb pools and reservations (os/hugetlb.h) */
	struct cma_state *cma;    /* CMA areas (os/cma.h), NULL without any */
	struct memory_blocks *mblocks; /* memory hotplug blocks (os/memory_hotplug.h), created at boot */
	struct kmem *kmem;        /* slab caches of the kernel's own objects (os/slab.h), NULL if off */
	uint64_t nr_vmalloc_pages;/* pages in vmalloc areas (os/vmalloc.h) */
	struct memory_tiers *mt;  /* memory tiers and demotion targets (os/memory_tiers.h) */
	struct ksm *ksm;          /* KSM: ksmd, mm_slots, stable/unstable trees (os/ksm.h); NULL until MADV_MERGEABLE */
	struct memcg_state *memcg;/* memory cgroups (os/memcontrol.h); NULL until one exists */
	struct kthread_err kt_err;/* the first kernel-thread event that could not be scheduled (os/kthread.h) */
	os_error_fn on_error;     /* the driver's handler for it (os_set_error_handler), NULL: none */
	void *on_error_ctx;
};

/*
 * Test constructor: the OS without a hardware model.  Node layout and CPU
 * placement come from hc (which must outlive the OS); zeroing/copying cost
 * os_cfg's zero_page_cost/copy_page_cost, a shootdown hc->tlb.invlpg plus
 * hc->tlb.ipi when the process ran on another CPU.
 */
int os_create_with_cfg(os_t **out, const struct os_cfg *cfg, const struct hw_cfg *hc, pmem_t *pm, struct evq *q,
		       uint64_t seed, char *err, size_t errlen);

/* The allocator behind the OS (tests and views). */
physmem_t *os_physmem(const os_t *os);
struct process *os_proc(const os_t *os, int pid);

/*
 * Make thread tid of p current: save the running thread's policy state,
 * load tid's.  A thread seen for the first time starts with the policy of
 * thread 0 (the main thread, which creates threads in recorded programs),
 * as copy_process gives a new thread its creator's policy and cursor.
 * @return 0 or -SIM_ENOMEM.
 */
int task_switch(struct os *os, struct process *p, unsigned tid);
void task_free_all(struct process *p);

/* ---- hardware layer ---------------------------------------------------------- */

/*
 * Bulk kernel work is a stream on the calling CPU, never a burst: Linux
 * clears and copies a folio one 4 KiB subpage after another
 * (clear_huge_page / folio_zero_user -> clear_user_highpage, folio_copy ->
 * copy_highpage), so one subpage's lines are in flight together and the
 * next subpage starts when they are done.  Callers doing many pages pass
 * `now` advanced by the time spent so far: issuing every page at one
 * timestamp would queue page k behind pages 0..k-1 in the DDR and link
 * models and make n pages cost O(n^2).
 *
 * The memory traffic of clearing a fresh page (0 without hardware).  The
 * CPU time of clearing, os_cfg.zero_page_cost per page, is charged by
 * page_alloc() itself for __GFP_ZERO requests, which every zeroed
 * allocation here is.
 */
sim_time_t oshw_zero(struct os *os, unsigned cpu, sim_time_t now, uint64_t pfn, uint64_t bytes);
/* Copying: os_cfg.copy_page_cost per 4 KiB plus the hardware's traffic, subpage after subpage. */
sim_time_t oshw_copy(struct os *os, unsigned cpu, sim_time_t now, uint64_t dst_pfn, uint64_t src_pfn,
		     uint64_t bytes);
/* Invalidate [vaddr, vaddr+len) of p's address space (len 0: all).  @return the initiator's cost. */
sim_time_t oshw_flush(struct os *os, struct process *p, unsigned cpu, sim_time_t now, uint64_t vaddr,
		      uint64_t len);
unsigned os_cpu_node(const struct os *os, unsigned cpu);

/* ---- helpers shared with reclaim, swap and the page cache (os/vmscan.c, swap.c, filemap.c) ---- */

/*
 * vma_alloc_folio / alloc_pages with the policy of (p, v) at addr (v NULL:
 * the task policy without an interleave index).  @return page_alloc's code.
 */
int alloc_policy_pages(struct os *os, struct process *p, const struct vma *v, uint64_t addr, unsigned order,
		       gfp_t gfp, unsigned cpu, sim_time_t now, uint64_t *pfn, sim_time_t *cost);
/*
 * A fresh private anonymous page of v at addr (refcount 1, mapcount 0,
 * PG_anon, on the inactive anon LRU unless hugetlb), zeroed if asked.
 */
int new_anon_page(struct os *os, struct process *p, struct vma *v, uint64_t addr, unsigned order, bool zero,
		  unsigned cpu, sim_time_t now, struct page **out, sim_time_t *cost);
/* Drop one reference; the last frees the page (off its LRU list first). */
void put_page(struct os *os, struct page *pg, unsigned cpu);
/* Permission bits every leaf of v carries (vm_page_prot without RW). */
uint64_t vma_leaf_bits(const struct vma *v);

/* ---- faults -------------------------------------------------------------------- */

/*
 * handle_mm_fault for p at vaddr.  *cost += the handler's time.  Counts
 * pgfault.  Used by os_handle_fault and by population (MAP_POPULATE,
 * MADV_POPULATE_*).
 */
enum os_fault_result fault_handle(struct os *os, struct process *p, unsigned cpu, sim_time_t now, uint64_t vaddr,
				  bool write, sim_time_t *cost);

/*
 * An instruction fetch of an implicit process (a record-less trace) from a
 * page no mapping declared, or from an untouched page of an implicit
 * anonymous mapping: the page is program text, so it becomes a private
 * mapping of the process's implicit text file (file offset = address)
 * instead of anonymous memory, whose read faults all map the one zero page
 * and would alias every code page onto one frame in physically indexed
 * caches.  Nothing changes for explicit mappings or pages already present.
 * @return 0 or -SIM_ENOMEM.
 */
int fault_implicit_text(struct os *os, struct process *p, uint64_t vaddr);

/*
 * Fault in every page of [start, end) as populate_vma_page_range does
 * (write faults for private writable VMAs, read faults otherwise).
 * *cost holds the time spent since `now` (it is added to); fault i starts
 * at now + *cost, when fault i-1 is done.  @return 0 or -SIM_EOOM.
 */
int fault_populate(struct os *os, struct process *p, unsigned cpu, sim_time_t now, uint64_t start, uint64_t end,
		   bool write, sim_time_t *cost);

/* ---- page-level operations shared with the system calls -------------------- */

/*
 * zap_page_range: clear the leaf entries of [start, end) inside VMA v and
 * release their pages (no TLB flush: the caller flushes once).
 * @return entries cleared.
 */
uint64_t zap_range(struct os *os, struct process *p, const struct vma *v, uint64_t start, uint64_t end,
		   unsigned cpu);

/*
 * do_vmi_munmap of [start, end) (os.c's munmap, shared with MAP_FIXED and
 * mremap): split, zap, flush, drop the VMAs, free tables.  @return 0 or a code.
 */
int os_do_munmap(struct os *os, struct process *p, unsigned cpu, sim_time_t now, uint64_t start, uint64_t end,
		 sim_time_t *cost, char *err, size_t errlen);

/* free_pgtables for an unmapped [start, end) given the VMAs left around it. */
void free_pgtables(struct os *os, struct process *p, uint64_t start, uint64_t end, unsigned cpu);

/* Drop one VMA reference to a shared object; the last one frees its pages. */
void shm_put(struct os *os, struct shm_obj *o, unsigned cpu);

/*
 * Change the leaf entries of [start, end) in VMA v (flags already updated)
 * to match v's protection, as change_protection does.  @return entries changed.
 */
uint64_t change_protection(struct os *os, struct process *p, const struct vma *v, uint64_t start, uint64_t end);

/* Node of every present page of [start, end) in v, through fn (mbind checks). */
typedef void (*page_node_fn)(void *ctx, const struct page *pg, unsigned nid);
void for_each_mapped_page(struct os *os, struct process *p, const struct vma *v, uint64_t start, uint64_t end,
			  page_node_fn fn, void *ctx);

/* ---- for the migration layer (os/thp.c, os/migrate.c) ------------------------------ */

/* vma_alloc_folio under the policy of (p, v) at addr.  @return 0 or the allocator's code. */
int fault_alloc_policy(struct os *os, struct process *p, const struct vma *v, uint64_t addr, unsigned order,
		       gfp_t gfp, unsigned cpu, sim_time_t now, uint64_t *pfn, sim_time_t *cost);
/* The entry slot for vaddr at level in p, allocating missing tables as faults do. */
int fault_pgtable_slot(struct os *os, struct process *p, unsigned cpu, sim_time_t now, uint64_t vaddr, unsigned level,
		       uint64_t *slot, sim_time_t *cost);
/* Free a page-table page of p that nothing points at any more. */
void fault_pgtable_free(struct os *os, struct process *p, uint64_t pfn, unsigned cpu);
/* Drop one reference to a user page (the last frees it). */
void fault_put_page(struct os *os, struct page *pg, unsigned cpu);

/* New process with a page-table root allocated for `cpu` under policy pol. */
int proc_new(struct os *os, bool implicit, const struct mempolicy *pol, unsigned cpu, struct process **out);
/* dup_mmap: VMAs and page tables of parent into child (COW for private memory). */
int fork_mm(struct os *os, struct process *parent, struct process *child);
/* exit_mmap: unmap everything, free the tables and the root. */
void exit_mm(struct os *os, struct process *p);
/* Keep the numa_maps text of a process about to exit, for `--dump numa_maps` at the end. */
void os_capture_maps(struct os *os, struct process *p);

#endif
