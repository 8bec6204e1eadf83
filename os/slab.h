/*
 * os/slab.h - the simulated kernel's own allocations: a SLUB-like slab
 * allocator (mm/slub.c) and vmalloc (mm/vmalloc.c), and the kernel objects
 * every process owns (its mm_struct, one task_struct and one vmalloc'd
 * kernel stack per thread, one vm_area_struct per VMA).
 *
 * The frames are real: slab pages and vmalloc pages come from the page
 * allocator (GFP_KERNEL, unmovable), so they take memory from the node
 * they were allocated on and count in NR_SLAB_UNRECLAIMABLE_B /
 * NR_SLAB_RECLAIMABLE_B (in pages here, as /proc/vmstat prints them),
 * NR_KERNEL_STACK_KB and VmallocUsed.  Page tables stay whole pages from
 * the buddy allocator (os/fault.c pt_alloc, NR_PAGETABLE), as in Linux.
 *
 * What follows Linux and what is simplified (docs/os-mm.md "Kernel
 * allocations"):
 *  - cache geometry: objects per slab and slab order from calculate_order /
 *    calc_slab_order (slub_min_objects = 4 * (fls(nr_cpus) + 1) unless
 *    os.slub_min_objects is set, slub_max_order 3, waste 1/16 .. 1/2);
 *    min_partial = clamp(ilog2(size) / 2, 5, 10) (set_min_partial).
 *  - placement: an object comes from a partial slab of the allocating CPU's
 *    node (numa_mem_id), then from another node's partial list holding more
 *    than min_partial slabs (get_any_partial, nearest node first), then
 *    from a new slab.  New slabs come from alloc_pages() with the task's
 *    memory policy and no interleave index (alloc_slab_page with
 *    NUMA_NO_NODE), i.e. node-local by default.  Without the boot option
 *    slab_strict_numa, Linux applies the policy to slab pages only, not to
 *    objects; that is what is modelled.
 *  - not modelled: per-CPU slabs and sheaves (objects go straight to and
 *    from the node lists, so every free object is on a node list and
 *    slabinfo's active_objs is exact), RCU-delayed frees, the stack cache
 *    (cached_stacks) of kernel/fork.c, get_any_partial's random
 *    remote_node_defrag_ratio skip.
 *  - which object of a kind is freed: a process's objects of one kind are
 *    kept as a stack and the newest goes first (Linux frees the object of
 *    the VMA or thread that went away); counts and nodes are Linux's,
 *    object identity is not tracked.
 */
#ifndef OS_SLAB_H
#define OS_SLAB_H

#include <stdio.h>
#include "os/fault.h"
#include "os/vmalloc.h"

/*
 * The caches, in creation order (kmalloc caches at boot, then fork_init and
 * proc_caches_init): name, object size in bytes (s->size: the struct's size
 * as a 6.x x86-64 distribution kernel's /proc/slabinfo shows it; it depends
 * on the kernel's configuration), reclaimable (SLAB_RECLAIM_ACCOUNT).
 * /proc/slabinfo lists the newest first, as Linux walks slab_caches.
 */
#define KMEM_CACHES(X)                                                                    \
	X(KMEM_KMALLOC_8, "kmalloc-8", 8, false)                                              \
	X(KMEM_KMALLOC_16, "kmalloc-16", 16, false)                                           \
	X(KMEM_KMALLOC_32, "kmalloc-32", 32, false)                                           \
	X(KMEM_KMALLOC_64, "kmalloc-64", 64, false)                                           \
	X(KMEM_KMALLOC_96, "kmalloc-96", 96, false)                                           \
	X(KMEM_KMALLOC_128, "kmalloc-128", 128, false)                                        \
	X(KMEM_KMALLOC_192, "kmalloc-192", 192, false)                                        \
	X(KMEM_KMALLOC_256, "kmalloc-256", 256, false)                                        \
	X(KMEM_KMALLOC_512, "kmalloc-512", 512, false)                                        \
	X(KMEM_KMALLOC_1K, "kmalloc-1k", 1024, false)                                         \
	X(KMEM_KMALLOC_2K, "kmalloc-2k", 2048, false)                                         \
	X(KMEM_KMALLOC_4K, "kmalloc-4k", 4096, false)                                         \
	X(KMEM_KMALLOC_8K, "kmalloc-8k", 8192, false)                                         \
	X(KMEM_TASK_STRUCT, "task_struct", 10368, false)  /* per thread (dup_task_struct) */   \
	X(KMEM_MM_STRUCT, "mm_struct", 1344, false)       /* per process (mm_alloc / dup_mm) */ \
	X(KMEM_VM_AREA, "vm_area_struct", 192, false)     /* per VMA (vm_area_alloc) */ \
	X(KMEM_NUMA_POLICY, "numa_policy", 264, false)    /* per VMA or task policy (mpol_new, mpol_dup) */

enum kmem_cache_id {
#define KMEM_ENUM(id, name, size, reclaimable) id,
	KMEM_CACHES(KMEM_ENUM)
#undef KMEM_ENUM
	NR_KMEM_CACHES
};

/* THREAD_SIZE on x86-64 (16 KiB, KASAN off): a kernel stack, vmalloc'd with VMAP_STACK. */
#define THREAD_SIZE_PAGES 4u

/* One slab: 2^order frames on one node holding `objects` objects of one cache. */
struct slab;

/* Geometry of a cache as SLUB computes it (calculate_order, order_objects). */
struct slab_geometry {
	unsigned order;            /* slab order (pagesperslab = 1 << order) */
	unsigned objects;          /* objects per slab (objperslab) */
	unsigned min_order;        /* fallback order when the first fails: get_order(size) */
	unsigned min_partial;      /* empty slabs a node keeps (set_min_partial) */
};
/*
 * @param min_objects  slub_min_objects (0: Linux's 4 * (fls(nr_cpus) + 1)).
 */
void slab_calculate_geometry(unsigned size, unsigned nr_cpus, unsigned min_objects, struct slab_geometry *out);

/* os->kmem: the caches and the vmalloc counter.  @return 0 or -SIM_ENOMEM. */
int kmem_init(struct os *os);
void kmem_destroy(struct os *os);

/*
 * kmem_cache_alloc by the current task of p (NULL: a kernel thread, the
 * local policy) on `cpu`.  *out is the slab holding the object (the handle
 * to free it with).  *cost += the page allocator's time when a new slab is
 * needed.  @return 0 or the page allocator's code.
 */
int kmem_cache_alloc(struct os *os, enum kmem_cache_id id, struct process *p, unsigned cpu, sim_time_t now,
		     struct slab **out, sim_time_t *cost);
void kmem_cache_free(struct os *os, struct slab *slab, unsigned cpu);
/* kmalloc(size): the smallest kmalloc-N cache that fits (size <= 8192).  @return as kmem_cache_alloc. */
int kmalloc(struct os *os, size_t size, struct process *p, unsigned cpu, sim_time_t now, struct slab **out,
	    sim_time_t *cost);
/* Node of the slab an object lives on. */
unsigned slab_nid(const struct slab *slab);

/*
 * Make p's kernel objects match its state: one mm_struct while it has an
 * address space, one task_struct and kernel stack per thread seen, one
 * vm_area_struct per VMA, one numa_policy per VMA policy and per thread
 * with a task policy (mbind, set_mempolicy), and per thread with NUMA
 * balancing state its numa_faults array (kzalloc of 8 * 8 * nr_node_ids
 * bytes in task_numa_fault: NR_NUMA_HINT_FAULT_BUCKETS counters per
 * node); nothing once it exited.  Objects are allocated by `cpu`, as the
 * system call or fault that needed them.  Called after every fault, system
 * call, clone, fork and exit; policies are recounted only when `policies`
 * is set (system calls, clone, fork: faults never change them); a call
 * without is O(1) unless a thread was first seen.  A failed
 * allocation is counted (kmem_alloc_failed in the report) and retried at
 * the next call.  *cost += allocation time.  No-op when os.kernel_objects
 * is false.
 */
void kmem_sync(struct os *os, struct process *p, unsigned cpu, sim_time_t now, bool policies, sim_time_t *cost);
/* Free every kernel object of p (exit). */
void kmem_proc_release(struct os *os, struct process *p, unsigned cpu);

/* Objects in use in cache id, all nodes (tests). */
uint64_t kmem_cache_objects(const struct os *os, enum kmem_cache_id id);
/* Objects of cache id p holds (tests and reports). */
unsigned kmem_proc_objects(const struct process *p, enum kmem_cache_id id);

/* /proc/slabinfo, version 2.1 (mm/slab_common.c slab_show). */
void slabinfo_show(const struct os *os, FILE *fp);
/* Per-cache totals for the JSON report ("slab"). */
void kmem_report(const struct os *os, rep_t *r);

#endif
