/*
 * os/slab.c - a SLUB-like slab allocator for the simulated kernel's own
 * objects, and each process's kernel objects (see os/slab.h).
 *
 * Per cache and node, slabs sit on one of two lists, as SLUB's
 * kmem_cache_node keeps them: `partial` (some objects free, including the
 * empty slabs kept up to min_partial) and `full`.  A slab is 2^order
 * frames from the page allocator, counted in NR_SLAB_(UN)RECLAIMABLE_B of
 * its node while it exists (account_slab), in pages.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "os/slab.h"
#include "os/numa_balancing.h"
#include "sim/err.h"

#define SLUB_MAX_ORDER    3     /* slub_max_order = PAGE_ALLOC_COSTLY_ORDER */
#define MAX_OBJS_PER_PAGE 32767 /* the 15-bit slab->objects field */
#define MIN_PARTIAL       5
#define MAX_PARTIAL       10

struct slab {
	struct kmem_cache *cache;
	uint64_t pfn;
	unsigned nid;
	unsigned order;
	unsigned inuse;
	unsigned objects;
	bool on_partial;
	struct slab *prev, *next;
};

struct kmem_cache_node {
	struct slab *partial, *full;   /* doubly linked, NULL-terminated */
	uint64_t nr_partial;
	uint64_t nr_slabs;
	uint64_t total_objects;
	uint64_t inuse;
};

struct kmem_cache {
	const char *name;
	unsigned size;
	bool reclaimable;
	struct slab_geometry geo;
	struct kmem_cache_node node[HW_MAX_NODES];
};

struct kmem {
	struct kmem_cache caches[NR_KMEM_CACHES];
	uint64_t alloc_failed;         /* kernel objects that could not be allocated (retried later) */
};

/* A process's objects: one stack of handles per kind. */
struct kobj_stack {
	void **h;
	size_t nr, cap;
};
struct kmem_proc {
	struct kobj_stack mm, tasks, stacks, vmas, pols, numa_faults;
	size_t seen_nr_tasks;      /* p->nr_tasks and p->cur_tid when threads was last counted */
	unsigned seen_cur_tid;
	size_t threads;
	uint64_t seen_vma_seq;     /* p->mm.vma_seq when vma_pols was last counted */
	bool vma_pols_valid;
	size_t vma_pols;           /* VMAs with a policy of their own */
};

static const struct {
	const char *name;
	unsigned size;
	bool reclaimable;
} cache_defs[NR_KMEM_CACHES] = {
#define KMEM_DEF(id, n, sz, rcl) [id] = { n, sz, rcl },
	KMEM_CACHES(KMEM_DEF)
#undef KMEM_DEF
};

/* ---- geometry (mm/slub.c calculate_order) ---------------------------------------------------- */

static unsigned fls_u(unsigned x)
{
	unsigned r = 0;
	while (x) {
		r++;
		x >>= 1;
	}
	return r;
}

/* get_order(size): the smallest order whose 2^order pages hold size bytes. */
static unsigned get_order(uint64_t size)
{
	unsigned order = 0;
	while ((PAGE_SIZE << order) < size)
		order++;
	return order;
}

static unsigned order_objects(unsigned order, unsigned size)
{
	return (unsigned)((PAGE_SIZE << order) / size);
}

/* calc_slab_order: the smallest order in [min_order, max_order] wasting at most 1/fract. */
static unsigned calc_slab_order(unsigned size, unsigned min_order, unsigned max_order, unsigned fract)
{
	unsigned order;

	for (order = min_order; order <= max_order; order++) {
		uint64_t slab_size = PAGE_SIZE << order;
		if (slab_size % size <= slab_size / fract)
			break;
	}
	return order;
}

void slab_calculate_geometry(unsigned size, unsigned nr_cpus, unsigned min_objects, struct slab_geometry *g)
{
	unsigned order = 0, max_objects, min_order;

	if (!min_objects)
		min_objects = 4 * (fls_u(nr_cpus ? nr_cpus : 1) + 1);
	max_objects = order_objects(SLUB_MAX_ORDER, size);
	if (!max_objects)
		max_objects = 1;
	if (min_objects > max_objects)
		min_objects = max_objects;
	min_order = get_order((uint64_t)min_objects * size);
	if (order_objects(min_order, size) > MAX_OBJS_PER_PAGE) {
		order = get_order((uint64_t)size * MAX_OBJS_PER_PAGE) - 1;
	} else {
		unsigned fraction;
		for (fraction = 16; fraction > 1; fraction /= 2) {
			order = calc_slab_order(size, min_order, SLUB_MAX_ORDER, fraction);
			if (order <= SLUB_MAX_ORDER)
				break;
		}
		if (fraction <= 1)
			order = get_order(size);
	}
	g->order = order;
	g->objects = order_objects(order, size);
	g->min_order = get_order(size);
	/* set_min_partial: ilog2(size) / 2, within [MIN_PARTIAL, MAX_PARTIAL] */
	unsigned mp = (fls_u(size) - 1) / 2;
	g->min_partial = mp < MIN_PARTIAL ? MIN_PARTIAL : mp > MAX_PARTIAL ? MAX_PARTIAL : mp;
}

/* ---- lists ----------------------------------------------------------------------------------- */

static void slab_list_add(struct slab **head, struct slab *s)
{
	s->prev = NULL;
	s->next = *head;
	if (*head)
		(*head)->prev = s;
	*head = s;
}

static void slab_list_add_tail(struct slab **head, struct slab *s)
{
	struct slab *t = *head;
	s->next = NULL;
	if (!t) {
		s->prev = NULL;
		*head = s;
		return;
	}
	while (t->next)
		t = t->next;
	t->next = s;
	s->prev = t;
}

static void slab_list_del(struct slab **head, struct slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		*head = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->prev = s->next = NULL;
}

/* ---- caches ---------------------------------------------------------------------------------- */

int kmem_init(struct os *os)
{
	struct kmem *k;

	os->kmem = NULL;
	if (!os->cfg.kernel_objects)
		return 0;
	if (!(k = calloc(1, sizeof(*k))))
		return -SIM_ENOMEM;
	for (unsigned i = 0; i < NR_KMEM_CACHES; i++) {
		struct kmem_cache *s = &k->caches[i];
		s->name = cache_defs[i].name;
		s->size = cache_defs[i].size;
		s->reclaimable = cache_defs[i].reclaimable;
		slab_calculate_geometry(s->size, physmem_nr_cpus(os->phys), os->cfg.slub_min_objects, &s->geo);
	}
	os->kmem = k;
	return 0;
}

static void free_list(struct slab *s)
{
	while (s) {
		struct slab *n = s->next;
		free(s);
		s = n;
	}
}

void kmem_destroy(struct os *os)
{
	if (!os->kmem)
		return;
	for (unsigned i = 0; i < NR_KMEM_CACHES; i++)
		for (unsigned n = 0; n < HW_MAX_NODES; n++) {
			free_list(os->kmem->caches[i].node[n].partial);
			free_list(os->kmem->caches[i].node[n].full);
		}
	free(os->kmem);
	os->kmem = NULL;
}

unsigned slab_nid(const struct slab *slab)
{
	return slab->nid;
}

static void account_slab(struct os *os, const struct slab *slab, int sign)
{
	node_stat_mod(os->phys, slab->nid, slab->cache->reclaimable ? NR_SLAB_RECLAIMABLE_B : NR_SLAB_UNRECLAIMABLE_B,
		      sign * (int64_t)(1u << slab->order));
}

/* allocate_slab: the preferred order quietly, then the smallest order that holds one object. */
static int new_slab(struct os *os, struct kmem_cache *s, struct process *p, unsigned cpu, sim_time_t now,
		    struct slab **out, sim_time_t *cost)
{
	gfp_t gfp = GFP_KERNEL | __GFP_COMP | (s->reclaimable ? __GFP_RECLAIMABLE : 0);
	unsigned order = s->geo.order;
	uint64_t pfn;
	int rc = alloc_policy_pages(os, p, NULL, 0, order, (gfp | __GFP_NOWARN | __GFP_NORETRY) & ~__GFP_NOFAIL, cpu,
				    now, &pfn, cost);

	if (rc && s->geo.min_order < order) {
		order = s->geo.min_order;
		rc = alloc_policy_pages(os, p, NULL, 0, order, gfp, cpu, now, &pfn, cost);
	}
	if (rc)
		return rc;
	struct slab *slab = calloc(1, sizeof(*slab));
	if (!slab) {
		struct page *pg = pfn_to_page(os->phys, pfn);
		pg->refcount = 0;
		page_free(os->phys, pfn, order, cpu);
		return -SIM_ENOMEM;
	}
	slab->cache = s;
	slab->pfn = pfn;
	slab->nid = pfn_to_nid(os->phys, pfn);
	slab->order = order;
	slab->objects = order_objects(order, s->size);
	struct kmem_cache_node *n = &s->node[slab->nid];
	n->nr_slabs++;
	n->total_objects += slab->objects;
	account_slab(os, slab, +1);
	*out = slab;
	return 0;
}

static void discard_slab(struct os *os, struct slab *slab, unsigned cpu)
{
	struct kmem_cache_node *n = &slab->cache->node[slab->nid];
	struct page *pg = pfn_to_page(os->phys, slab->pfn);

	n->nr_slabs--;
	n->total_objects -= slab->objects;
	account_slab(os, slab, -1);
	SIM_BUG_ON(pg->refcount != 1);
	pg->refcount = 0;
	page_free(os->phys, slab->pfn, slab->order, cpu);
	free(slab);
}

/* numa_mem_id(): the CPU's node, or the nearest node with memory for a memoryless one. */
static unsigned numa_mem_id(const struct os *os, unsigned cpu)
{
	unsigned nid = os_cpu_node(os, cpu), order[HW_MAX_NODES];

	if (node_isset(nid, &os->sys.memory_nodes))
		return nid;
	return physmem_node_order(os->phys, nid, order) ? order[0] : nid;
}

/* get_partial: the local node's list, then another node's holding more than min_partial slabs. */
static struct slab *get_partial(struct os *os, struct kmem_cache *s, unsigned cpu)
{
	unsigned local = numa_mem_id(os, cpu), order[HW_MAX_NODES];

	if (s->node[local].partial)
		return s->node[local].partial;
	unsigned nr = physmem_node_order(os->phys, local, order);
	for (unsigned i = 0; i < nr; i++) {
		struct kmem_cache_node *n = &s->node[order[i]];
		if (order[i] != local && n->partial && n->nr_partial > s->geo.min_partial)
			return n->partial;
	}
	return NULL;
}

int kmem_cache_alloc(struct os *os, enum kmem_cache_id id, struct process *p, unsigned cpu, sim_time_t now,
		     struct slab **out, sim_time_t *cost)
{
	struct kmem_cache *s = &os->kmem->caches[id];
	struct slab *slab = get_partial(os, s, cpu);

	if (!slab) {
		int rc = new_slab(os, s, p, cpu, now, &slab, cost);
		if (rc)
			return rc;
		struct kmem_cache_node *n = &s->node[slab->nid];
		slab_list_add(&n->partial, slab);
		slab->on_partial = true;
		n->nr_partial++;
	}
	struct kmem_cache_node *n = &s->node[slab->nid];
	slab->inuse++;
	n->inuse++;
	if (slab->inuse == slab->objects) {
		slab_list_del(&n->partial, slab);
		n->nr_partial--;
		slab->on_partial = false;
		slab_list_add(&n->full, slab);
	}
	*out = slab;
	return 0;
}

void kmem_cache_free(struct os *os, struct slab *slab, unsigned cpu)
{
	struct kmem_cache *s = slab->cache;
	struct kmem_cache_node *n = &s->node[slab->nid];

	SIM_BUG_ON(!slab->inuse);
	slab->inuse--;
	n->inuse--;
	if (!slab->inuse && n->nr_partial >= s->geo.min_partial) {
		/* __slab_free -> slab_empty: enough partial slabs on this node, give this one back */
		if (slab->on_partial) {
			slab_list_del(&n->partial, slab);
			n->nr_partial--;
		} else {
			slab_list_del(&n->full, slab);
		}
		discard_slab(os, slab, cpu);
		return;
	}
	if (!slab->on_partial) {
		/* a full slab gets a free object: to the partial list's tail (add_partial DEACTIVATE_TO_TAIL) */
		slab_list_del(&n->full, slab);
		slab_list_add_tail(&n->partial, slab);
		slab->on_partial = true;
		n->nr_partial++;
	}
}

/* The kmalloc cache of size (kmalloc_slab). */
static enum kmem_cache_id kmalloc_cache(size_t size)
{
	for (unsigned i = KMEM_KMALLOC_8; i < KMEM_KMALLOC_8K; i++)
		if (size <= cache_defs[i].size)
			return (enum kmem_cache_id)i;
	return KMEM_KMALLOC_8K;
}

int kmalloc(struct os *os, size_t size, struct process *p, unsigned cpu, sim_time_t now, struct slab **out,
	    sim_time_t *cost)
{
	if (size > cache_defs[KMEM_KMALLOC_8K].size)
		return -SIM_ERANGE;   /* larger requests go to the page allocator in Linux (kmalloc_large) */
	return kmem_cache_alloc(os, kmalloc_cache(size), p, cpu, now, out, cost);
}

/* ---- a process's kernel objects ------------------------------------------------------------------ */

static int kobj_push(struct kobj_stack *st, void *h)
{
	if (st->nr == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 8;
		void **n = realloc(st->h, cap * sizeof(*n));
		if (!n)
			return -SIM_ENOMEM;
		st->h = n;
		st->cap = cap;
	}
	st->h[st->nr++] = h;
	return 0;
}

/* Threads of p: the saved ones plus the running one if it has no saved entry. */
static size_t proc_nr_threads(const struct process *p)
{
	for (size_t i = 0; i < p->nr_tasks; i++)
		if (p->tasks[i].tid == p->cur_tid)
			return p->nr_tasks;
	return p->nr_tasks + 1;
}

/* account_kernel_stack: NR_KERNEL_STACK_KB of each stack page's node. */
static void account_stack(struct os *os, const struct vm_struct *vm, int sign)
{
	const uint64_t *pfns;
	unsigned nr = vm_struct_pages(vm, &pfns);
	for (unsigned i = 0; i < nr; i++)
		node_stat_mod(os->phys, pfn_to_nid(os->phys, pfns[i]), NR_KERNEL_STACK_KB,
			      sign * (int64_t)(PAGE_SIZE / 1024));
}

/* Free one object of kind id (a kernel stack when id is NR_KMEM_CACHES). */
static void kobj_free(struct os *os, unsigned id, void *h, unsigned cpu)
{
	if (id == NR_KMEM_CACHES) {
		account_stack(os, h, -1);
		vfree(os, h, cpu);
	} else {
		kmem_cache_free(os, h, cpu);
	}
}

/*
 * Grow or shrink st to `want` objects of kind id; allocation i starts at
 * now + *elapsed, when allocation i-1 is done (elapsed may be NULL when
 * only shrinking).
 */
static int kobj_resize(struct os *os, struct process *p, struct kobj_stack *st, size_t want, unsigned id,
		       unsigned cpu, sim_time_t now, sim_time_t *elapsed)
{
	while (st->nr > want)
		kobj_free(os, id, st->h[--st->nr], cpu);
	while (st->nr < want) {
		void *h;
		int rc;
		if (id == NR_KMEM_CACHES) {
			struct vm_struct *vm;
			rc = vmalloc_pages(os, p, THREAD_SIZE_PAGES, cpu, now + *elapsed, &vm, elapsed);
			h = vm;
			if (!rc)
				account_stack(os, vm, +1);
		} else {
			struct slab *slab;
			rc = kmem_cache_alloc(os, (enum kmem_cache_id)id, p, cpu, now + *elapsed, &slab, elapsed);
			h = slab;
		}
		if (!rc && (rc = kobj_push(st, h)))
			kobj_free(os, id, h, cpu);
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * Policy objects p holds: VMA policies and the task policies of its
 * threads.  The VMA walk runs only when the VMA set or a VMA policy
 * changed since the last count (mm->vma_seq): kmem_sync runs at every
 * system call, and most calls change no VMA.
 */
static size_t proc_nr_policies(const struct process *p, struct kmem_proc *k)
{
	size_t n = p->pol.mode != MPOL_DEFAULT;

	for (size_t i = 0; i < p->nr_tasks; i++)
		n += p->tasks[i].tid != p->cur_tid && p->tasks[i].pol.mode != MPOL_DEFAULT;
	if (!k->vma_pols_valid || k->seen_vma_seq != p->mm.vma_seq) {
		k->vma_pols = 0;
		for (size_t i = 0; i < p->mm.nr_vma; i++)
			k->vma_pols += p->mm.vma[i].pol.mode != MPOL_DEFAULT;
		k->seen_vma_seq = p->mm.vma_seq;
		k->vma_pols_valid = true;
	}
	return n + k->vma_pols;
}

/* kmalloc size of one thread's numa_faults array (task_numa_fault). */
static size_t numa_faults_size(const struct os *os)
{
	return sizeof(uint64_t) * 8 * os->sys.nr_nodes;
}

void kmem_sync(struct os *os, struct process *p, unsigned cpu, sim_time_t now, bool policies, sim_time_t *cost)
{
	struct kmem_proc *k;

	if (!os->kmem || !p)
		return;
	if (!p->alive || p->pgd_pfn == NO_PGD) {
		kmem_proc_release(os, p, cpu);
		return;
	}
	if (!(k = p->kobj)) {
		if (!(k = p->kobj = calloc(1, sizeof(*k)))) {
			os->kmem->alloc_failed++;
			return;
		}
	}
	if (k->seen_nr_tasks != p->nr_tasks || k->seen_cur_tid != p->cur_tid || !k->threads) {
		/* the thread table changes only when a thread is first seen or switched to */
		k->threads = proc_nr_threads(p);
		k->seen_nr_tasks = p->nr_tasks;
		k->seen_cur_tid = p->cur_tid;
	}
	size_t threads = k->threads;
	size_t pols = policies ? proc_nr_policies(p, k) : k->pols.nr;
	size_t faults = p->numab ? p->numab->nr_thr : 0;
	if (k->mm.nr == 1 && k->tasks.nr == threads && k->stacks.nr == threads && k->vmas.nr == p->mm.nr_vma &&
	    k->pols.nr == pols && k->numa_faults.nr == faults)
		return;
	sim_time_t t = 0;
	/*
	 * p allocates: as current it is never killed by the OOM killer in the
	 * middle (out_of_memory defers a kill of current), so k stays valid.
	 */
	struct process *saved = os->current;
	os->current = p;
	/* in Linux's order: copy_process (task_struct, stack), then mm, then the VMAs and policies */
	if (kobj_resize(os, p, &k->tasks, threads, KMEM_TASK_STRUCT, cpu, now, &t) ||
	    kobj_resize(os, p, &k->stacks, threads, NR_KMEM_CACHES, cpu, now, &t) ||
	    kobj_resize(os, p, &k->mm, 1, KMEM_MM_STRUCT, cpu, now, &t) ||
	    kobj_resize(os, p, &k->vmas, p->mm.nr_vma, KMEM_VM_AREA, cpu, now, &t) ||
	    kobj_resize(os, p, &k->pols, pols, KMEM_NUMA_POLICY, cpu, now, &t) ||
	    kobj_resize(os, p, &k->numa_faults, faults, kmalloc_cache(numa_faults_size(os)), cpu, now, &t))
		os->kmem->alloc_failed++;
	os->current = saved;
	if (cost)
		*cost += t;
}

void kmem_proc_release(struct os *os, struct process *p, unsigned cpu)
{
	struct kmem_proc *k = p->kobj;

	if (!k)
		return;
	if (os->kmem) {
		kobj_resize(os, p, &k->numa_faults, 0, kmalloc_cache(numa_faults_size(os)), cpu, 0, NULL);
		kobj_resize(os, p, &k->pols, 0, KMEM_NUMA_POLICY, cpu, 0, NULL);
		kobj_resize(os, p, &k->vmas, 0, KMEM_VM_AREA, cpu, 0, NULL);
		kobj_resize(os, p, &k->mm, 0, KMEM_MM_STRUCT, cpu, 0, NULL);
		kobj_resize(os, p, &k->stacks, 0, NR_KMEM_CACHES, cpu, 0, NULL);
		kobj_resize(os, p, &k->tasks, 0, KMEM_TASK_STRUCT, cpu, 0, NULL);
	}
	free(k->numa_faults.h);
	free(k->pols.h);
	free(k->vmas.h);
	free(k->mm.h);
	free(k->stacks.h);
	free(k->tasks.h);
	free(k);
	p->kobj = NULL;
}

uint64_t kmem_cache_objects(const struct os *os, enum kmem_cache_id id)
{
	uint64_t n = 0;

	if (!os->kmem)
		return 0;
	for (unsigned nid = 0; nid < HW_MAX_NODES; nid++)
		n += os->kmem->caches[id].node[nid].inuse;
	return n;
}

unsigned kmem_proc_objects(const struct process *p, enum kmem_cache_id id)
{
	const struct kmem_proc *k = p->kobj;

	if (!k)
		return 0;
	switch (id) {
	case KMEM_TASK_STRUCT:
		return (unsigned)k->tasks.nr;
	case KMEM_MM_STRUCT:
		return (unsigned)k->mm.nr;
	case KMEM_VM_AREA:
		return (unsigned)k->vmas.nr;
	case KMEM_NUMA_POLICY:
		return (unsigned)k->pols.nr;
	default:
		return 0;
	}
}

/* ---- views ------------------------------------------------------------------------------------- */

struct slabinfo {
	uint64_t active_objs, num_objs, num_slabs;
};

/* get_slabinfo: sums over the nodes. */
static struct slabinfo cache_info(const struct kmem_cache *s)
{
	struct slabinfo si = { 0 };
	for (unsigned n = 0; n < HW_MAX_NODES; n++) {
		si.num_slabs += s->node[n].nr_slabs;
		si.num_objs += s->node[n].total_objects;
		si.active_objs += s->node[n].inuse;
	}
	return si;
}

void slabinfo_show(const struct os *os, FILE *fp)
{
	/* print_slabinfo_header, then cache_show per cache, newest first */
	fputs("slabinfo - version: 2.1\n"
	      "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>"
	      " : tunables <limit> <batchcount> <sharedfactor>"
	      " : slabdata <active_slabs> <num_slabs> <sharedavail>\n", fp);
	if (!os->kmem)
		return;
	for (unsigned i = NR_KMEM_CACHES; i-- > 0;) {
		const struct kmem_cache *s = &os->kmem->caches[i];
		struct slabinfo si = cache_info(s);
		fprintf(fp, "%-17s %6" PRIu64 " %6" PRIu64 " %6u %4u %4u : tunables %4u %4u %4u : slabdata %6" PRIu64
			" %6" PRIu64 " %6u\n",
			s->name, si.active_objs, si.num_objs, s->size, s->geo.objects, 1u << s->geo.order, 0u, 0u, 0u,
			si.num_slabs, si.num_slabs, 0u);
	}
}

void kmem_report(const struct os *os, rep_t *r)
{
	if (!os->kmem)
		return;
	rep_obj_begin(r, "slab");
	rep_u64(r, "kmem_alloc_failed", os->kmem->alloc_failed);
	rep_u64(r, "vmalloc_pages", os->nr_vmalloc_pages);
	rep_arr_begin(r, "caches");
	for (unsigned i = 0; i < NR_KMEM_CACHES; i++) {
		const struct kmem_cache *s = &os->kmem->caches[i];
		struct slabinfo si = cache_info(s);
		rep_obj_begin(r, NULL);
		rep_str(r, "name", s->name);
		rep_u64(r, "active_objs", si.active_objs);
		rep_u64(r, "num_objs", si.num_objs);
		rep_u64(r, "objsize", s->size);
		rep_u64(r, "objperslab", s->geo.objects);
		rep_u64(r, "pagesperslab", 1u << s->geo.order);
		rep_u64(r, "num_slabs", si.num_slabs);
		rep_arr_begin(r, "slabs_per_node");
		for (unsigned n = 0; n < os->sys.nr_nodes; n++)
			rep_u64(r, NULL, s->node[n].nr_slabs);
		rep_arr_end(r);
		rep_obj_end(r);
	}
	rep_arr_end(r);
	rep_obj_end(r);
}
