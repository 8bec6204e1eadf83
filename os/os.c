/*
 * os/os.c - the OS facade: creation, processes, system calls, views.
 *
 * System calls follow Linux 6.12's argument order and checks (mm/mmap.c
 * do_mmap / do_vmi_munmap / do_brk_flags, mm/mprotect.c, mm/madvise.c,
 * mm/mempolicy.c do_mbind / do_set_mempolicy); each is one handler in
 * syscall_table[] indexed by enum os_sysno.  Invalid arguments return the
 * negative code with a message naming Linux's errno, and change nothing,
 * except where Linux itself applies part of the request before failing
 * (mprotect and madvise up to a hole, mbind STRICT after installing the
 * policy).
 *
 * Page migration (move_pages, migrate_pages, mbind MPOL_MF_MOVE) is
 * os/migrate.c's; THPs straddling the edges of munmap / mprotect /
 * MADV_DONTNEED ranges are split first (os/thp.c).  File-backed mmap,
 * file_read and file_write go to the page cache (os/filemap.h).
 *
 * Hugetlb mappings of both page sizes (2 MiB, 1 GiB) are os/hugetlb.c's.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "os/fault.h"
#include "os/cma.h"
#include "os/hugetlb.h"
#include "os/memory_hotplug.h"
#include "os/memcontrol.h"
#include "os/memory_tiers.h"
#include "os/compaction.h"
#include "os/filemap.h"
#include "os/vmscan.h"
#include "os/migrate.h"
#include "os/mlock.h"
#include "os/mremap.h"
#include "os/oom.h"
#include "os/numa_balancing.h"
#include "os/thp.h"
#include "os/ksm.h"
#include "os/zram.h"
#include "os/zswap.h"
#include "os/slab.h"
#include "os/meminfo.h"
#include "os/smaps.h"
#include "sim/err.h"

/* mmap uapi */
#define PROT_READ            0x1
#define PROT_WRITE           0x2
#define PROT_EXEC            0x4
#define PROT_GROWSDOWN       0x01000000
#define PROT_GROWSUP         0x02000000
#define MAP_SHARED           0x01
#define MAP_PRIVATE          0x02
#define MAP_SHARED_VALIDATE  0x03
#define MAP_TYPE             0x0f
#define MAP_FIXED            0x10
#define MAP_ANONYMOUS        0x20
#define MAP_GROWSDOWN        0x0100
#define MAP_NORESERVE        0x4000
#define MAP_POPULATE         0x8000
#define MAP_NONBLOCK         0x10000
#define MAP_HUGETLB          0x40000
#define MAP_FIXED_NOREPLACE  0x100000
#define MAP_HUGE_SHIFT       26
#define MAP_HUGE_MASK        0x3f

/* madvise uapi */
enum {
	MADV_NORMAL = 0, MADV_RANDOM = 1, MADV_SEQUENTIAL = 2, MADV_WILLNEED = 3, MADV_DONTNEED = 4,
	MADV_FREE = 8, MADV_REMOVE = 9, MADV_DONTFORK = 10, MADV_DOFORK = 11, MADV_MERGEABLE = 12,
	MADV_UNMERGEABLE = 13, MADV_HUGEPAGE = 14, MADV_NOHUGEPAGE = 15, MADV_DONTDUMP = 16, MADV_DODUMP = 17,
	MADV_WIPEONFORK = 18, MADV_KEEPONFORK = 19, MADV_COLD = 20, MADV_PAGEOUT = 21, MADV_POPULATE_READ = 22,
	MADV_POPULATE_WRITE = 23, MADV_DONTNEED_LOCKED = 24, MADV_COLLAPSE = 25,
};

#define PMD_SIZE      (1ULL << 21)
/* Heap start when the trace never told us (a PIE binary without ASLR). */
#define DEFAULT_START_BRK 0x0000555555560000ULL

static uint64_t page_align(uint64_t x)
{
	return (x + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

/* ---- creation ------------------------------------------------------------------ */

static int os_init(os_t **out, const struct os_cfg *cfg, const struct hw_cfg *hc, hw_t *hw, pmem_t *pm,
		   struct evq *q, uint64_t seed, char *err, size_t errlen)
{
	struct physmem_layout *l = NULL;
	struct os *os = calloc(1, sizeof(*os));
	int rc;

	*out = NULL;
	if (!os || !(l = malloc(sizeof(*l)))) {
		free(os);
		return sim_errf(err, errlen, SIM_ENOMEM, "os: out of host memory");
	}
	os->cfg = *cfg;
	os->hwc = hc;
	os->hw = hw;
	os->pm = pm;
	os->q = q;
	os->seed = seed;
	os->next_ino = 1;
	physmem_layout_from_hw_cfg(l, hc);
	rc = physmem_create(&os->phys, cfg, l, err, errlen);
	free(l);
	if (rc) {
		free(os);
		return rc;
	}
	os->sys.nr_nodes = hc->nr_nodes;
	nodes_clear(&os->sys.memory_nodes);
	for (unsigned n = 0; n < hc->nr_nodes; n++)
		if (hc->nodes[n].memory)
			node_set(n, &os->sys.memory_nodes);
	/* policy_zone: the highest populated zone below ZONE_MOVABLE (check_highest_zone) */
	os->sys.policy_zone = ZONE_DMA;
	for (unsigned n = 0; n < hc->nr_nodes; n++)
		for (unsigned z = ZONE_DMA; z < ZONE_MOVABLE; z++) {
			struct zone_info zi;
			if (!physmem_zone_info(os->phys, n, z, &zi) && zi.populated && z > os->sys.policy_zone)
				os->sys.policy_zone = z;
		}
	if (nm_first(&os->sys.memory_nodes) >= HW_MAX_NODES) {
		os_destroy(os);   /* each part's destroy is NULL-safe: this frees what exists so far */
		return sim_errf(err, errlen, SIM_ECONFIG, "os: the machine has no memory (every nodes[i].memory is 0)");
	}
	/* CMA areas are carved out at boot, before the first allocation (memblock time in Linux) */
	if ((rc = cma_init(os, err, errlen)) || (rc = memory_blocks_init(os, err, errlen))) {
		os_destroy(os);
		return rc;
	}
	/* the shared zero page: one reserved frame on the first node with memory, as empty_zero_page */
	unsigned zn = nm_first(&os->sys.memory_nodes);
	struct alloc_ctx ac = { .order = 0, .gfp = GFP_KERNEL, .preferred_nid = (int)zn, .cpu = 0 };
	nodemask_t only;
	nodes_clear(&only);
	node_set(zn, &only);
	ac.nodemask = &only;
	if (page_alloc(os->phys, &ac, &os->zero_pfn, NULL)) {
		os_destroy(os);
		return sim_errf(err, errlen, SIM_ECONFIG, "os: no memory for the zero page");
	}
	page_set(pfn_to_page(os->phys, os->zero_pfn), PG_reserved);
	pmem_clear_page(pm, os->zero_pfn);
	if ((rc = memory_tiers_init(os, err, errlen))) {
		os_destroy(os);
		return rc;
	}
	if ((rc = mig_init(os, err, errlen))) {   /* migration, compaction, NUMA balancing, THP */
		os_destroy(os);
		return rc;
	}
	/* reclaim, swap, page cache, OOM; one hook set for both halves */
	if (reclaim_init(os)) {
		os_destroy(os);
		return sim_errf(err, errlen, SIM_ENOMEM, "os: out of host memory");
	}
	if ((rc = memcg_init(os, err, errlen))) {
		os_destroy(os);
		return rc;
	}
	struct physmem_hooks hooks = { 0 };
	reclaim_fill_hooks(os, &hooks);
	if (os->cfg.compaction)
		hooks.direct_compact = compaction_direct_hook;
	physmem_set_hooks(os->phys, &hooks);
	/* hugetlb pools last: boot-time pages come from a fully set up allocator */
	if ((rc = hugetlb_init(os, err, errlen))) {
		os_destroy(os);
		return rc;
	}
	if (kmem_init(os)) {
		os_destroy(os);
		return sim_errf(err, errlen, SIM_ENOMEM, "os: out of host memory");
	}
	/* a kernel thread armed at boot (proactive compaction, khugepaged) that could not be queued */
	if ((rc = os_error(os, err, errlen))) {
		os_destroy(os);
		return rc;
	}
	*out = os;
	return 0;
}

int os_create(os_t **out, const struct os_cfg *cfg, hw_t *hw, pmem_t *pm, struct evq *q, uint64_t seed, char *err,
	      size_t errlen)
{
	return os_init(out, cfg, hw_config(hw), hw, pm, q, seed, err, errlen);
}

int os_create_with_cfg(os_t **out, const struct os_cfg *cfg, const struct hw_cfg *hc, pmem_t *pm, struct evq *q,
		       uint64_t seed, char *err, size_t errlen)
{
	return os_init(out, cfg, hc, NULL, pm, q, seed, err, errlen);
}

void os_destroy(os_t *os)
{
	if (!os)
		return;
	mig_destroy(os);
	ksm_destroy(os);
	for (size_t i = 1; i < os->nr_procs; i++) {
		struct process *p = os->procs[i];
		for (size_t k = 0; k < p->mm.nr_vma; k++) {
			struct shm_obj *o = p->mm.vma[k].shm;
			if (o && --o->refs == 0)
				shm_free(o);
		}
		mm_release(&p->mm);
		free(p->final_maps);
		pgc_free(&p->pgc);
		kmem_proc_release(os, p, 0);
		task_free_all(p);
		free(p);
	}
	free(os->procs);
	kmem_destroy(os);
	hugetlb_destroy(os);
	cma_destroy(os);
	memory_blocks_destroy(os);
	memcg_destroy(os);
	reclaim_destroy(os);
	memory_tiers_destroy(os);
	physmem_destroy(os->phys);
	free(os);
}

physmem_t *os_physmem(const os_t *os)
{
	return os->phys;
}

struct process *os_proc(const os_t *os, int pid)
{
	if (pid <= 0 || (size_t)pid >= os->nr_procs)
		return NULL;
	return os->procs[pid];
}

static struct process *live_proc(const os_t *os, int pid)
{
	struct process *p = os_proc(os, pid);
	return p && p->alive ? p : NULL;
}

/* ---- threads: per-thread policy state ------------------------------------------------ */

static struct task *task_find(struct process *p, unsigned tid)
{
	for (size_t i = 0; i < p->nr_tasks; i++)
		if (p->tasks[i].tid == tid)
			return &p->tasks[i];
	return NULL;
}

/* A new entry for thread tid (its state is filled by the caller).  @return NULL: out of memory. */
static struct task *task_add(struct process *p, unsigned tid)
{
	struct task *t;

	if (p->nr_tasks == p->cap_tasks) {
		size_t cap = p->cap_tasks ? p->cap_tasks * 2 : 4;
		struct task *nt = realloc(p->tasks, cap * sizeof(*nt));
		if (!nt)
			return NULL;
		p->tasks = nt;
		p->cap_tasks = cap;
	}
	t = &p->tasks[p->nr_tasks++];
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	return t;
}

int task_switch(struct os *os, struct process *p, unsigned tid)
{
	(void)os;
	if (tid == p->cur_tid)
		return 0;
	struct task *out = task_find(p, p->cur_tid);
	if (!out && !(out = task_add(p, p->cur_tid)))
		return -SIM_ENOMEM;
	out->pol = p->pol;
	out->il = p->il;
	struct task *in = task_find(p, tid);
	if (!in)
		in = task_find(p, 0);   /* a new thread: its creator's (the main thread's) policy */
	if (in) {
		p->pol = in->pol;
		p->il = in->il;
	}
	p->cur_tid = tid;
	return 0;
}

int os_thread_clone(os_t *os, int pid, unsigned parent_tid, unsigned child_tid)
{
	struct process *p = live_proc(os, pid);
	struct task *c;
	int rc;

	if (!p)
		return -SIM_ESTATE;
	/* load the parent, then give the child a saved copy of its state */
	if ((rc = task_switch(os, p, parent_tid)))
		return rc;
	c = task_find(p, child_tid);
	if (!c && !(c = task_add(p, child_tid)))
		return -SIM_ENOMEM;
	/* copy_process: the task_struct is duplicated (il_prev with it) and mpol_dup()s the policy */
	c->pol = p->pol;
	c->il = p->il;
	kmem_sync(os, p, p->last_cpu, os->now, true, NULL);
	return 0;
}

/* The policy of thread tid (its saved state, or the loaded one). */
static const struct mempolicy *task_policy(const struct process *p, unsigned tid)
{
	if (tid == p->cur_tid)
		return &p->pol;
	for (size_t i = 0; i < p->nr_tasks; i++)
		if (p->tasks[i].tid == tid)
			return &p->tasks[i].pol;
	return &p->pol;   /* never seen: it would start with the current one's */
}

void task_free_all(struct process *p)
{
	free(p->tasks);
	p->tasks = NULL;
	p->nr_tasks = p->cap_tasks = 0;
}

static void note_cpu(struct os *os, struct process *p, unsigned cpu, sim_time_t now)
{
	SIM_BUG_ON(cpu >= physmem_nr_cpus(os->phys));
	p->last_cpu = cpu;
	p->cpus_ran[cpu / 64] |= 1ULL << (cpu % 64);
	os->current = p;
	if (now > os->now)
		os->now = now;
}

/* ---- processes ------------------------------------------------------------------- */

int os_process_create(os_t *os, bool implicit, int *pid)
{
	struct process *p;
	int rc = proc_new(os, implicit, NULL, 0, &p);
	if (rc)
		return rc;
	if (os->memcg)
		p->memcg = (uint16_t)memcg_boot_memcg_of(os, p->pid);
	kmem_sync(os, p, 0, os->now, true, NULL);
	*pid = p->pid;
	return 0;
}

int os_process_fork(os_t *os, int parent, unsigned tid, int *child)
{
	struct process *pp = live_proc(os, parent), *c;
	int rc;

	if (!pp)
		return -SIM_ESTATE;
	/* the child's only thread gets the forking thread's policy and cursor (copy_process) */
	if ((rc = task_switch(os, pp, tid)))
		return rc;
	if ((rc = proc_new(os, pp->implicit, &pp->pol, pp->last_cpu, &c)))
		return rc;
	c->parent = pp->pid;
	c->last_cpu = pp->last_cpu;
	c->oom_score_adj = pp->oom_score_adj;   /* copy_signal */
	c->memcg = pp->memcg;                   /* cgroup_fork: the parent's cgroups */
	if ((rc = fork_mm(os, pp, c))) {
		exit_mm(os, c);
		c->alive = false;
		return rc;
	}
	/* dup_task_struct, dup_mm and the VMA copies, by the forking CPU under the forking task's policy */
	kmem_sync(os, c, pp->last_cpu, os->now, true, NULL);
	*child = c->pid;
	return 0;
}

void os_process_exit(os_t *os, int pid)
{
	struct process *p = live_proc(os, pid);
	if (!p)
		return;
	os_capture_maps(os, p);
	exit_mm(os, p);
	p->alive = false;
}

uint16_t os_process_asid(const os_t *os, int pid)
{
	struct process *p = os_proc(os, pid);
	return p ? p->asid : 0;
}

uint64_t os_process_root(const os_t *os, int pid)
{
	struct process *p = os_proc(os, pid);
	return p && p->pgd_pfn != NO_PGD ? p->pgd_pfn << PAGE_SHIFT : HW_NO_PAGING;
}

bool os_process_alive(const os_t *os, int pid)
{
	return live_proc(os, pid) != NULL;
}

uint64_t os_zero_pfn(const os_t *os)
{
	return os->zero_pfn;
}

int os_set_process_policy(os_t *os, int pid, const struct mpol_spec *spec)
{
	struct process *p = live_proc(os, pid);
	struct mempolicy pol;
	nodemask_t nodes;
	int rc;

	if (!p)
		return -SIM_ESTATE;
	for (unsigned i = 0; i < HW_MAX_NODES / 64; i++)
		nodes.bits[i] = spec->nodes[i];
	rc = mpol_new(&pol, spec->mode | spec->flags, &nodes, &os->sys, NULL, 0);
	if (rc)
		return rc;
	/* weights are system-wide in Linux (sysfs): a spec's weights set those nodes' entries */
	if (spec->mode == MPOL_WEIGHTED_INTERLEAVE)
		for (unsigned n = 0; n < HW_MAX_NODES; n++)
			if (spec->weights[n])
				os->sys.iw[n] = spec->weights[n];
	/* numactl before exec: every thread of the process starts with it */
	p->pol = pol;
	mpol_task_reset(&p->il);
	for (size_t i = 0; i < p->nr_tasks; i++) {
		p->tasks[i].pol = pol;
		mpol_task_reset(&p->tasks[i].il);
	}
	kmem_sync(os, p, p->last_cpu, os->now, true, NULL);   /* the threads' numa_policy objects */
	return 0;
}

void os_process_set_implicit(os_t *os, int pid, bool implicit)
{
	struct process *p = live_proc(os, pid);

	if (p)
		p->implicit = implicit;
}

/* ---- faults ------------------------------------------------------------------------- */

enum os_fault_result os_handle_fault(os_t *os, int pid, unsigned tid, unsigned cpu, sim_time_t now, uint64_t vaddr,
				     bool write, uint8_t hw_fault, sim_time_t *cost)
{
	struct process *p = live_proc(os, pid);
	sim_time_t c = 0;
	/* the PTE itself says what is missing, as in Linux; only the instruction flag is read */

	if (!p) {
		*cost = 0;
		return OS_FAULT_SEGV;
	}
	if (task_switch(os, p, tid)) {
		os_fail_enomem(os, "the thread table (a fault's task switch)");
		*cost = 0;
		return OS_FAULT_SEGV;
	}
	if ((hw_fault & OS_FAULT_INSTRUCTION) && fault_implicit_text(os, p, vaddr)) {
		os_fail_enomem(os, "an implicit text mapping (an instruction fault)");
		*cost = 0;
		return OS_FAULT_SEGV;
	}
	note_cpu(os, p, cpu, now);
	numab_task_tick(os, p, now);
	uint64_t flt = p->min_flt, maj = p->maj_flt;
	enum os_fault_result r = fault_handle(os, p, cpu, now, vaddr, write, &c);
	kmem_sync(os, p, cpu, now + c, false, &c);   /* an implicit mapping is a new VMA; an OOM kill frees all */
	os->current = NULL;
	if (os->memcg)
		c += memcg_return_to_user(os, p, cpu, now + c, p->min_flt - flt, p->maj_flt - maj);
	*cost = c;
	return r;
}

/* ---- system calls ---------------------------------------------------------------------- */

struct sysctx {
	struct os *os;
	struct process *p;
	unsigned cpu;
	sim_time_t now;
	const struct os_syscall *sc;
	sim_time_t *cost;
	char *err;
	size_t errlen;
};

/* A boundary at addr inside a hugetlb VMA must be huge-page aligned (hugetlb_vm_op_split). */
static bool bad_huge_split(const struct process *p, uint64_t addr)
{
	const struct vma *v = vma_lookup(&p->mm, addr);
	return v && (v->flags & VM_HUGETLB) && v->start < addr && (addr & ((1ULL << v->page_shift) - 1));
}

/* do_vmi_munmap: zap, flush, free tables, drop the VMAs of [start, end). */
static int do_munmap(struct sysctx *s, uint64_t start, uint64_t end)
{
	struct process *p = s->p;
	uint64_t cleared = 0;
	int rc;

	if (bad_huge_split(p, start) || bad_huge_split(p, end))
		return sim_errf(s->err, s->errlen, SIM_ERANGE, "EINVAL: [0x%" PRIx64 ", 0x%" PRIx64
				") splits a huge page", start, end);
	if ((rc = thp_split_edges(s->os, p, start, end, s->cpu, s->now, s->cost)))
		return rc;
	if ((rc = mm_split_range(&p->mm, start, end)))
		return rc;
	size_t i = mm_find_idx(&p->mm, start);
	while (i < p->mm.nr_vma && p->mm.vma[i].start < end) {
		struct vma v = p->mm.vma[i];
		cleared += zap_range(s->os, p, &v, v.start, v.end, s->cpu);
		mm_locked_vm_add(&p->mm, v.flags, -(int64_t)((v.end - v.start) >> PAGE_SHIFT));
		hugetlb_vma_close(s->os, p, &v);
		mm_remove(&p->mm, i);
		shm_put(s->os, v.shm, s->cpu);
	}
	if (cleared)
		*s->cost += oshw_flush(s->os, p, s->cpu, s->now, start, end - start);
	free_pgtables(s->os, p, start, end, s->cpu);
	return 0;
}

/* Whether every VMA overlapping [start, end) is an implicit one (VM_IMPLICIT). */
static bool implicit_only(const struct mm_struct *mm, uint64_t start, uint64_t end)
{
	bool any = false;

	for (uint64_t a = start; a < end;) {
		const struct vma *v = find_vma(mm, a);
		if (!v || v->start >= end)
			break;
		if (!(v->flags & VM_IMPLICIT))
			return false;
		any = true;
		a = v->end;
	}
	return any;
}

/*
 * Implicit mappings are numasim's stand-in for memory a record-less trace
 * never declared; a mapping the trace does declare (mmap at a hint, brk)
 * takes their place.  @return 0 when [start, end) is free or was implicit
 * and has been unmapped, 1 when an explicit mapping is in the way.
 */
static int claim_implicit(struct sysctx *s, uint64_t start, uint64_t end)
{
	int rc;

	if (!mm_range_busy(&s->p->mm, start, end))
		return 0;
	if (!implicit_only(&s->p->mm, start, end))
		return 1;
	rc = do_munmap(s, start, end);
	return rc < 0 ? rc : 0;
}

static int sys_mmap(struct sysctx *s)
{
	const uint64_t *a = s->sc->args;
	uint64_t addr = a[0], len = a[1], prot = a[2], flags = a[3];
	struct process *p = s->p;
	unsigned shift = PAGE_SHIFT;
	bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
	bool shared;
	int rc;

	struct file_obj *file = NULL;
	if (!(flags & MAP_ANONYMOUS)) {
		if ((int64_t)a[4] < 0)
			return sim_errf(s->err, s->errlen, SIM_ERANGE, "EBADF: file mapping with fd %" PRId64,
					(int64_t)a[4]);
		if (a[5] & (PAGE_SIZE - 1))
			return sim_errf(s->err, s->errlen, SIM_ERANGE, "EINVAL: offset 0x%" PRIx64 " not page aligned",
					a[5]);
		if (flags & MAP_HUGETLB)
			return sim_errf(s->err, s->errlen, SIM_ENOTSUP, "MAP_HUGETLB of a regular file (fd %" PRId64
					"): hugetlbfs files are not modelled", (int64_t)a[4]);
		if (!(file = filemap_file(s->os, p, (int64_t)a[4])))
			return -SIM_ENOMEM;
	}
	switch (flags & MAP_TYPE) {
	case MAP_SHARED:
	case MAP_SHARED_VALIDATE:
		shared = true;
		break;
	case MAP_PRIVATE:
		shared = false;
		break;
	default:
		return sim_errf(s->err, s->errlen, SIM_ERANGE, "EINVAL: flags 0x%" PRIx64
				" are neither MAP_SHARED nor MAP_PRIVATE", flags);
	}
	if (!len)
		return sim_errf(s->err, s->errlen, SIM_ERANGE, "EINVAL: zero length");
	if (flags & MAP_HUGETLB) {
		shift = (unsigned)((flags >> MAP_HUGE_SHIFT) & MAP_HUGE_MASK);
		if (!shift)
			shift = 21;
		/* MAP_HUGE_2MB (21 << 26) or MAP_HUGE_1GB (30 << 26): the two hstates (os/hugetlb.c) */
		if (shift != 21 && shift != 30)
			return sim_errf(s->err, s->errlen, SIM_ERANGE, "EINVAL: no hugetlb page size 2^%u", shift);
	}
	uint64_t psize = 1ULL << shift;
	if (len > TASK_SIZE)
		return sim_errf(s->err, s->errlen, SIM_ERANGE, "ENOMEM: length 0x%" PRIx64 " too large", len);
	len = (len + psize - 1) & ~(psize - 1);
	if (s->sc->ret != UINT64_MAX) {
		/* the recorded run failed: replay the failure (nothing mapped) */
		if (s->sc->ret >= (uint64_t)-4095)
			return 0;
		addr = s->sc->ret;
		fixed = true;
	}
	/* do_mmap: after mlockall(MCL_FUTURE) the new mapping is locked and must fit RLIMIT_MEMLOCK */
	if (!mlock_future_ok(&p->mm, p->mm.def_flags, len >> PAGE_SHIFT, rlimit_memlock_pages(s->os)))
		return sim_errf(s->err, s->errlen, SIM_ERANGE, "EAGAIN: a locked mapping (mlockall(MCL_FUTURE)) of %"
				PRIu64 " pages over RLIMIT_MEMLOCK (os.memlock_limit)", len >> PAGE_SHIFT);
	if (fixed) {
		if (addr & (psize - 1))
			return sim_errf(s->err, s->errlen, SIM_ERANGE, "EINVAL: fixed address 0x%" PRIx64
					" not aligned to 0x%" PRIx64, addr, psize);
		if (addr + len > TASK_SIZE || addr + len < addr)
			return sim_errf(s->err, s->errlen, SIM_ERANGE, "ENOMEM: [0x%" PRIx64 ", +0x%" PRIx64
					") beyond TASK_SIZE", addr, len);
		if ((flags & MAP_FIXED_NOREPLACE) && s->sc->ret == UINT64_MAX && mm_range_busy(&p->mm, addr, addr + len))
			return sim_errf(s->err, s->errlen, SIM_ESTATE, "EEXIST: MAP_FIXED_NOREPLACE at 0x%" PRIx64
					" overlaps a mapping", addr);
		if (mm_range_busy(&p->mm, addr, addr + len) && (rc = do_munmap(s, addr, addr + len)))
			return rc;
	} else {
		rc = 0;
		bool hint_ok = addr && !(addr & (psize - 1)) && addr >= MMAP_MIN_ADDR && addr + len <= TASK_SIZE &&
			       (rc = claim_implicit(s, addr, addr + len)) == 0;
		if (rc < 0)
			return rc;
		if (!hint_ok) {
			/* anonymous private mappings of whole 2 MiB multiples get THP alignment (6.12) */
			uint64_t align = psize;
			if (!addr && !shared && shift == PAGE_SHIFT && !(len & (PMD_SIZE - 1)))
				align = PMD_SIZE;
			addr = mm_get_unmapped_area(&p->mm, len, align);
			if (!addr)
				return sim_errf(s->err, s->errlen, SIM_ERANGE, "ENOMEM: no free range of 0x%" PRIx64
						" bytes", len);
		}
	}
	struct vma v = {
		.start = addr,
		.end = addr + len,
		.flags = ((prot & PROT_READ) ? VM_READ : 0) | ((prot & PROT_WRITE) ? VM_WRITE : 0) |
			 ((prot & PROT_EXEC) ? VM_EXEC : 0) | (shared ? VM_SHARED : 0) |
			 ((flags & MAP_HUGETLB) ? VM_HUGETLB : 0) | ((flags & MAP_NORESERVE) ? VM_NORESERVE : 0) |
			 ((flags & MAP_GROWSDOWN) ? VM_GROWSDOWN : 0) |
			 ((flags & MAP_HUGETLB) ? 0 : p->mm.def_flags),   /* mlockall(MCL_FUTURE) */
		/* private anonymous: vm_pgoff = addr >> PAGE_SHIFT; shmem and hugetlb files start at 0 */
		.pgoff = file ? a[5] >> PAGE_SHIFT : shared || (flags & MAP_HUGETLB) ? 0 : addr >> PAGE_SHIFT,
		.page_shift = shift,
		.file = file,
	};
	mpol_none(&v.pol);
	if (shared && !file && !(v.shm = shm_create(s->os->next_ino++, shift, len >> shift)))
		return -SIM_ENOMEM;
	/* hugetlb_reserve_pages: the pool must cover the whole mapping now, or mmap fails */
	if ((v.flags & VM_HUGETLB) && (rc = hugetlb_reserve_vma(s->os, p, &v, s->err, s->errlen))) {
		shm_free(v.shm);
		return rc;
	}
	if (mm_insert(&p->mm, &v) < 0) {
		if (v.shm)
			hugetlb_shm_release(s->os, v.shm);
		else if (v.flags & VM_HUGETLB)
			hugetlb_vma_close(s->os, p, &v);
		shm_free(v.shm);
		return -SIM_ENOMEM;
	}
	mm_locked_vm_add(&p->mm, v.flags, (int64_t)(len >> PAGE_SHIFT));
	mm_merge_range(&p->mm, v.start, v.end);
	/* do_mmap: a VM_LOCKED mapping is populated like MAP_POPULATE (on-fault ones are not) */
	bool populate = (flags & MAP_POPULATE) && !(flags & MAP_NONBLOCK);
	if (populate || (v.flags & VM_LOCKED))
		return mm_populate(s->os, p, s->cpu, s->now, v.start, v.end, !populate, s->cost, "mmap", s->err,
				   s->errlen);
	return 0;
}

/* Validate (addr, len) as Linux does for munmap/mprotect/madvise/mbind: *end = addr + PAGE_ALIGN(len). */
static int check_range(struct sysctx *s, uint64_t addr, uint64_t len, uint64_t *end)
{
	if (addr & (PAGE_SIZE - 1))
		return sim_errf(s->err, s->errlen, SIM_ERANGE, "EINVAL: address 0x%" PRIx64 " not page aligned", addr);
	*end = addr + page_align(len);
	if (*end < addr || *end > TASK_SIZE)
		return sim_errf(s->err, s->errlen, SIM_ERANGE, "EINVAL: [0x%" PRIx64 ", +0x%" PRIx64
				") outside the user address space", addr, len);
	return 0;
}

static int sys_munmap(struct sysctx *s)
{
	uint64_t start = s->sc->args[0], end = 0;
	int rc;

	if ((rc = check_range(s, start, s->sc->args[1], &end)))
		return rc;
	if (start == end)
		return sim_errf(s->err, s->errlen, SIM_ERANGE, "EINVAL: zero length");
	return do_munmap(s, start, end);
}

static int sys_brk(struct sysctx *s)
{
	struct process *p = s->p;
	struct mm_struct *mm = &p->mm;
	uint64_t req = s->sc->args[0], ret = s->sc->ret;
	bool have_ret = ret != UINT64_MAX;

	if (!mm->brk_init) {
		mm->start_brk = mm->brk = have_ret && !req ? ret : DEFAULT_START_BRK;
		mm->brk_init = true;
	}
	uint64_t nbrk = have_ret ? ret : req;
	if (nbrk < mm->start_brk || nbrk == mm->brk)
		return 0;   /* a query, or a request the kernel refused */
	uint64_t oldend = page_align(mm->brk), newend = page_align(nbrk);
	if (newend > oldend) {
		int rc = claim_implicit(s, oldend, newend);
		if (rc < 0)
			return rc;
		if (rc)
			return sim_errf(s->err, s->errlen, SIM_ESTATE, "[0x%" PRIx64 ", 0x%" PRIx64
					") overlaps an existing mapping; heap not grown", oldend, newend);
		/* do_brk_flags: the heap gets mm->def_flags (locked after mlockall(MCL_FUTURE)),
		   and check_brk_limits' mlock_future_ok refuses growth past RLIMIT_MEMLOCK */
		if (!mlock_future_ok(mm, mm->def_flags, (newend - oldend) >> PAGE_SHIFT, rlimit_memlock_pages(s->os)))
			return sim_errf(s->err, s->errlen, SIM_ERANGE, "EAGAIN: a locked heap (mlockall(MCL_FUTURE)) "
					"growing by %" PRIu64 " pages over RLIMIT_MEMLOCK (os.memlock_limit)",
					(newend - oldend) >> PAGE_SHIFT);
		struct vma v = {
			.start = oldend, .end = newend, .flags = VM_READ | VM_WRITE | mm->def_flags,
			.pgoff = oldend >> PAGE_SHIFT, .page_shift = PAGE_SHIFT,
		};
		mpol_none(&v.pol);
		if (mm_insert(mm, &v) < 0)
			return -SIM_ENOMEM;
		mm_locked_vm_add(mm, v.flags, (int64_t)((newend - oldend) >> PAGE_SHIFT));
		mm_merge_range(mm, oldend, newend);
		mm->brk = nbrk;
		/* brk: a locked heap is populated (populate_vma_page_range skips VM_LOCKONFAULT) */
		if (v.flags & VM_LOCKED)
			return mm_populate(s->os, p, s->cpu, s->now, oldend, newend, true, s->cost, "brk", s->err,
					   s->errlen);
		return 0;
	} else if (newend < oldend) {
		int rc = do_munmap(s, newend, oldend);
		if (rc)
			return rc;
	}
	mm->brk = nbrk;
	return 0;
}

static int sys_mprotect(struct sysctx *s)
{
	struct process *p = s->p;
	uint64_t start = s->sc->args[0], prot = s->sc->args[2], end = 0, changed = 0;
	int rc;

	if ((rc = check_range(s, start, s->sc->args[1], &end)))
		return rc;
	if (prot & ~(uint64_t)(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_GROWSDOWN | PROT_GROWSUP))
		return sim_errf(s->err, s->errlen, SIM_ERANGE, "EINVAL: unknown prot bits 0x%" PRIx64, prot);
	if (start == end)
		return 0;
	if (bad_huge_split(p, start) || bad_huge_split(p, end))
		return sim_errf(s->err, s->errlen, SIM_ERANGE, "EINVAL: range splits a huge page");
	if ((rc = thp_split_edges(s->os, p, start, end, s->cpu, s->now, s->cost)))
		return rc;
	if ((rc = mm_split_range(&p->mm, start, end)))
		return rc;
	uint64_t acc = ((prot & PROT_READ) ? VM_READ : 0) | ((prot & PROT_WRITE) ? VM_WRITE : 0) |
		       ((prot & PROT_EXEC) ? VM_EXEC : 0);
	uint64_t nstart = start;
	size_t i = mm_find_idx(&p->mm, start);
	rc = 0;
	for (;; i++) {
		if (i >= p->mm.nr_vma || p->mm.vma[i].start != nstart) {
			rc = sim_errf(s->err, s->errlen, SIM_ERANGE, "ENOMEM: 0x%" PRIx64 " is not mapped", nstart);
			break;
		}
		struct vma *v = &p->mm.vma[i];
		uint64_t nflags = (v->flags & ~VM_ACCESS_FLAGS) | acc;
		if (nflags != v->flags) {
			v->flags = nflags;
			changed += change_protection(s->os, p, v, v->start, v->end);
		}
		nstart = v->end;
		if (nstart >= end)
			break;
	}
	mm_merge_range(&p->mm, start, end);
	if (changed)
		*s->cost += oshw_flush(s->os, p, s->cpu, s->now, start, end - start);
	return rc;
}

/*
 * Apply fn to every VMA piece of [start, end) after splitting at the
 * boundaries, then merge.  @return 1 if the range had holes, else 0 (or
 * a negative code).
 */
static int for_each_vma_piece(struct sysctx *s, uint64_t start, uint64_t end,
			      int (*fn)(struct sysctx *s, struct vma *v, void *arg), void *arg)
{
	struct process *p = s->p;
	uint64_t covered = 0;
	int rc;

	if (bad_huge_split(p, start) || bad_huge_split(p, end))
		return sim_errf(s->err, s->errlen, SIM_ERANGE, "EINVAL: range splits a huge page");
	if ((rc = mm_split_range(&p->mm, start, end)))
		return rc;
	for (size_t i = mm_find_idx(&p->mm, start); i < p->mm.nr_vma && p->mm.vma[i].start < end; i++) {
		covered += p->mm.vma[i].end - p->mm.vma[i].start;
		if ((rc = fn(s, &p->mm.vma[i], arg)))
			return rc;
	}
	mm_merge_range(&p->mm, start, end);
	return covered != end - start;
}

struct flag_change {
	uint64_t set, clear;
};

static int piece_flags(struct sysctx *s, struct vma *v, void *arg)
{
	const struct flag_change *fc = arg;
	(void)s;
	v->flags = (v->flags & ~fc->clear) | fc->set;
	return 0;
}

static int piece_wipeonfork(struct sysctx *s, struct vma *v, void *arg)
{
	if (v->flags & (VM_SHARED | VM_HUGETLB))
		return sim_errf(s->err, s->errlen, SIM_ERANGE, "EINVAL: MADV_WIPEONFORK on a shared or hugetlb mapping");
	return piece_flags(s, v, arg);
}

static int piece_ksm(struct sysctx *s, struct vma *v, void *arg)
{
	return ksm_madvise(s->os, s->p, v, *(const uint64_t *)arg == MADV_MERGEABLE, s->cpu, s->now, s->cost);
}

static int piece_dontneed(struct sysctx *s, struct vma *v, void *arg)
{
	uint64_t *cleared = arg;
	*cleared += zap_range(s->os, s->p, v, v->start, v->end, s->cpu);
	return 0;
}

static int sys_madvise(struct sysctx *s)
{
	uint64_t start = s->sc->args[0], advice = s->sc->args[2], end = 0;
	struct flag_change fc = { 0, 0 };
	int rc;

	if ((rc = check_range(s, start, s->sc->args[1], &end)))
		return rc;
	switch (advice) {
	case MADV_NORMAL: case MADV_RANDOM: case MADV_SEQUENTIAL: case MADV_WILLNEED: case MADV_FREE:
	case MADV_REMOVE: case MADV_DONTDUMP: case MADV_DODUMP:
	case MADV_COLD: case MADV_PAGEOUT: case MADV_COLLAPSE:
		/* accepted; no effect until readahead, reclaim and khugepaged exist */
		return 0;
	case MADV_MERGEABLE:
	case MADV_UNMERGEABLE:
		rc = for_each_vma_piece(s, start, end, piece_ksm, &advice);
		if (rc < 0)
			return sim_errf(s->err, s->errlen, -rc, "%s: %s", advice == MADV_MERGEABLE ? "MADV_MERGEABLE"
					: "MADV_UNMERGEABLE", sim_strerror(rc));
		break;
	case MADV_DONTNEED:
	case MADV_DONTNEED_LOCKED: {
		uint64_t cleared = 0;
		if ((rc = thp_split_edges(s->os, s->p, start, end, s->cpu, s->now, s->cost)))
			return rc;
		rc = for_each_vma_piece(s, start, end, piece_dontneed, &cleared);
		if (cleared)
			*s->cost += oshw_flush(s->os, s->p, s->cpu, s->now, start, end - start);
		break;
	}
	case MADV_HUGEPAGE:
		fc = (struct flag_change){ VM_HUGEPAGE, VM_NOHUGEPAGE };
		rc = for_each_vma_piece(s, start, end, piece_flags, &fc);
		break;
	case MADV_NOHUGEPAGE:
		fc = (struct flag_change){ VM_NOHUGEPAGE, VM_HUGEPAGE };
		rc = for_each_vma_piece(s, start, end, piece_flags, &fc);
		break;
	case MADV_DONTFORK:
	case MADV_DOFORK:
		fc = advice == MADV_DONTFORK ? (struct flag_change){ VM_DONTCOPY, 0 } : (struct flag_change){ 0, VM_DONTCOPY };
		rc = for_each_vma_piece(s, start, end, piece_flags, &fc);
		break;
	case MADV_WIPEONFORK:
	case MADV_KEEPONFORK:
		fc = advice == MADV_WIPEONFORK ? (struct flag_change){ VM_WIPEONFORK, 0 }
					       : (struct flag_change){ 0, VM_WIPEONFORK };
		rc = for_each_vma_piece(s, start, end, advice == MADV_WIPEONFORK ? piece_wipeonfork : piece_flags, &fc);
		break;
	case MADV_POPULATE_READ:
	case MADV_POPULATE_WRITE:
		if (mm_range_busy(&s->p->mm, start, end) == false)
			return sim_errf(s->err, s->errlen, SIM_ERANGE, "ENOMEM: range not mapped");
		if (fault_populate(s->os, s->p, s->cpu, s->now, start, end, advice == MADV_POPULATE_WRITE, s->cost))
			return sim_errf(s->err, s->errlen, SIM_EOOM, "MADV_POPULATE: out of memory (process killed)");
		return 0;
	default:
		return sim_errf(s->err, s->errlen, SIM_ERANGE, "EINVAL: unknown madvise advice %" PRIu64, advice);
	}
	if (rc == 1)
		return sim_errf(s->err, s->errlen, SIM_ERANGE, "ENOMEM: [0x%" PRIx64 ", 0x%" PRIx64
				") has unmapped parts (advice applied to the mapped ones)", start, end);
	return rc;
}

static void nodemask_from_u64(nodemask_t *m, uint64_t word)
{
	nodes_clear(m);
	m->bits[0] = word;
}

struct mbind_scan {
	const nodemask_t *mask;
	uint64_t misplaced;       /* pages on nodes outside the mask */
	uint64_t movable;         /* of those, mapped only by this process (MPOL_MF_MOVE) */
	uint64_t move_all;        /* of those, any mapping (MPOL_MF_MOVE_ALL) */
};

static void mbind_count(void *ctx, const struct page *pg, unsigned nid)
{
	struct mbind_scan *m = ctx;
	if (node_isset(nid, m->mask))
		return;
	m->misplaced++;
	m->move_all++;
	if (pg->mapcount == 1)
		m->movable++;
}

static int piece_policy(struct sysctx *s, struct vma *v, void *arg)
{
	mm_vma_set_policy(&s->p->mm, v, arg);
	return 0;
}

static int sys_mbind(struct sysctx *s)
{
	const uint64_t *a = s->sc->args;
	uint64_t start = a[0], end = 0, mode = a[2], flags = a[4];
	struct process *p = s->p;
	struct mempolicy pol;
	nodemask_t user;
	int rc;

	if (flags & ~(uint64_t)MPOL_MF_VALID)
		return sim_errf(s->err, s->errlen, SIM_ERANGE, "EINVAL: unknown mbind flags 0x%" PRIx64, flags);
	if ((rc = check_range(s, start, a[1], &end)))
		return rc;
	nodemask_from_u64(&user, a[3]);
	if ((rc = mpol_new(&pol, (uint32_t)mode, &user, &s->os->sys, s->err, s->errlen))) {
		sim_err_prefix(s->err, s->errlen, "EINVAL");
		return rc;
	}
	if ((mode & ~MPOL_MODE_FLAGS) == MPOL_DEFAULT)
		flags &= ~(uint64_t)MPOL_MF_STRICT;
	if (start == end)
		return 0;
	/* queue_pages_range: holes anywhere in the range fail before any change */
	for (uint64_t at = start; at < end;) {
		struct vma *v = find_vma(&p->mm, at);
		if (!v || v->start > at)
			return sim_errf(s->err, s->errlen, SIM_EFAULT, "EFAULT: 0x%" PRIx64 " in [0x%" PRIx64
					", 0x%" PRIx64 ") is not mapped", at, start, end);
		at = v->end;
	}
	struct mbind_scan scan = { .mask = &user };
	if (flags & (MPOL_MF_STRICT | MPOL_MF_MOVE | MPOL_MF_MOVE_ALL))
		for (size_t i = mm_find_idx(&p->mm, start); i < p->mm.nr_vma && p->mm.vma[i].start < end; i++) {
			const struct vma *v = &p->mm.vma[i];
			for_each_mapped_page(s->os, p, v, SIM_MAX(v->start, start), SIM_MIN(v->end, end), mbind_count,
					     &scan);
		}
	if ((rc = for_each_vma_piece(s, start, end, piece_policy, &pol)) < 0)
		return rc;
	uint64_t to_move = (flags & MPOL_MF_MOVE_ALL) ? scan.move_all : (flags & MPOL_MF_MOVE) ? scan.movable : 0;
	if (to_move) {
		/* do_mbind: migrate what is misplaced; STRICT then judges what is left */
		uint64_t failed = mig_mbind_move(s->os, p, s->cpu, s->now, start, end, &user,
						 flags & MPOL_MF_MOVE_ALL, s->cost);
		scan.misplaced = failed;
	}
	if ((flags & MPOL_MF_STRICT) && scan.misplaced)
		return sim_errf(s->err, s->errlen, SIM_ESTATE,
				"EIO: policy applied, but %" PRIu64 " page(s) of the range are on nodes outside the "
				"mask (MPOL_MF_STRICT)", scan.misplaced);
	return 0;
}

static int sys_set_mempolicy(struct sysctx *s)
{
	struct mempolicy pol;
	nodemask_t user;
	int rc;

	nodemask_from_u64(&user, s->sc->args[1]);
	if ((rc = mpol_new(&pol, (uint32_t)s->sc->args[0], &user, &s->os->sys, s->err, s->errlen))) {
		sim_err_prefix(s->err, s->errlen, "EINVAL");
		return rc;
	}
	s->p->pol = pol;
	/* do_set_mempolicy: a new interleave policy starts from the lowest node */
	mpol_task_reset(&s->p->il);
	return 0;
}

static int sys_move_pages(struct sysctx *s)
{
	const uint64_t *a = s->sc->args;
	return mig_move_pages(s->os, s->p, s->cpu, s->now, a[0], a[1], a[2], a[3], s->cost, s->err, s->errlen);
}

static int sys_migrate_pages(struct sysctx *s)
{
	nodemask_t from, to;
	nodemask_from_u64(&from, s->sc->args[0]);
	nodemask_from_u64(&to, s->sc->args[1]);
	return mig_migrate_pages(s->os, s->p, s->cpu, s->now, &from, &to, s->cost, NULL, s->err, s->errlen);
}

static int sys_file_io(struct sysctx *s)
{
	const uint64_t *a = s->sc->args;
	int64_t fd = (int64_t)a[0];
	int rc;

	if (fd < 0)
		return sim_errf(s->err, s->errlen, SIM_ERANGE, "EBADF: fd %" PRId64, fd);
	if (a[1] + a[2] < a[1])
		return sim_errf(s->err, s->errlen, SIM_ERANGE, "EINVAL: offset 0x%" PRIx64 " + length 0x%" PRIx64
				" overflows", a[1], a[2]);
	if (s->sc->nr == OS_SYS_FILE_READ)
		rc = filemap_read(s->os, s->p, fd, a[1], a[2], s->cpu, s->now, s->cost);
	else
		rc = filemap_write(s->os, s->p, fd, a[1], a[2], s->cpu, s->now, s->cost);
	if (rc == -SIM_EOOM)
		return sim_errf(s->err, s->errlen, SIM_EOOM, "ENOMEM: no memory for the page cache");
	return rc;
}

static int sys_set_weights(struct sysctx *s)
{
	uint64_t node = s->sc->args[0], w = s->sc->args[1];

	if (node >= s->os->sys.nr_nodes)
		return sim_errf(s->err, s->errlen, SIM_ERANGE, "node %" PRIu64 " does not exist", node);
	if (w > 255)
		return sim_errf(s->err, s->errlen, SIM_ERANGE, "weight %" PRIu64 " is not 0..255", w);
	s->os->sys.iw[node] = (uint8_t)w;
	return 0;
}

/* oom_score_adj_write: -1000..1000 (OOM_SCORE_ADJ_MIN..MAX), else EINVAL; per process (signal_struct). */
static int sys_oom_score_adj(struct sysctx *s)
{
	int64_t v = (int64_t)s->sc->args[0];

	if (v < OOM_SCORE_ADJ_MIN || v > OOM_SCORE_ADJ_MAX)
		return sim_errf(s->err, s->errlen, SIM_ERANGE, "EINVAL: oom_score_adj %" PRId64 " is not -1000..1000", v);
	s->p->oom_score_adj = (int)v;
	return 0;
}

/* cgroup_attach(memcg): echo $$ > /sys/fs/cgroup/.../cgroup.procs */
static int sys_cgroup_attach(struct sysctx *s)
{
	if (s->sc->args[0] >= MEMCG_MAX_ID)
		return sim_errf(s->err, s->errlen, SIM_ERANGE, "memcg %" PRIu64 " is not 0..%u", s->sc->args[0],
				MEMCG_MAX_ID - 1);
	return mem_cgroup_attach(s->os, s->p, (unsigned)s->sc->args[0], s->err, s->errlen);
}

/* cgroup_set(memcg, knob, value): echo value > memory.{max,high,low,min} */
static int sys_cgroup_set(struct sysctx *s)
{
	const uint64_t *a = s->sc->args;
	if (a[0] >= MEMCG_MAX_ID)
		return sim_errf(s->err, s->errlen, SIM_ERANGE, "memcg %" PRIu64 " is not 1..%u", a[0], MEMCG_MAX_ID - 1);
	if (a[1] >= NR_MEMCG_KNOBS)
		return sim_errf(s->err, s->errlen, SIM_ERANGE, "knob %" PRIu64 " is not 0..3", a[1]);
	return mem_cgroup_set(s->os, (unsigned)a[0], (unsigned)a[1], a[2], s->cpu, s->now, s->cost, s->err, s->errlen);
}

/* A driver's dma_alloc_contiguous / dma_release_from_contiguous (os/cma.c). */
static int sys_cma_alloc(struct sysctx *s)
{
	return cma_sys_alloc(s->os, s->sc->args[0], s->sc->args[1], s->cpu, s->now, s->cost, s->err, s->errlen);
}

static int sys_cma_release(struct sysctx *s)
{
	return cma_sys_release(s->os, s->sc->args[0], s->sc->args[1], s->cpu, s->err, s->errlen);
}

/* echo offline|online* > /sys/devices/system/memory/memoryN/state (os/memory_hotplug.c). */
static int sys_memory_offline(struct sysctx *s)
{
	return hotplug_sys_offline(s->os, s->sc->args[0], s->sc->args[1], s->cpu, s->now, s->cost, s->err, s->errlen);
}

static int sys_memory_online(struct sysctx *s)
{
	return hotplug_sys_online(s->os, s->sc->args[0], s->sc->args[1], s->sc->args[2], s->err, s->errlen);
}

int os_do_munmap(struct os *os, struct process *p, unsigned cpu, sim_time_t now, uint64_t start, uint64_t end,
		 sim_time_t *cost, char *err, size_t errlen)
{
	struct os_syscall none = { .ret = UINT64_MAX };
	struct sysctx s = { .os = os, .p = p, .cpu = cpu, .now = now, .sc = &none, .cost = cost, .err = err,
			    .errlen = errlen };
	return do_munmap(&s, start, end);
}

static int sys_mremap(struct sysctx *s)
{
	return mremap_syscall(s->os, s->p, s->cpu, s->now, s->sc, s->cost, s->err, s->errlen);
}

static int sys_mlock(struct sysctx *s)
{
	return mlock_syscall(s->os, s->p, s->cpu, s->now, s->sc, s->cost, s->err, s->errlen);
}

static int (*const syscall_table[NR_OS_SYSCALLS])(struct sysctx *s) = {
	[OS_SYS_MREMAP] = sys_mremap,
	[OS_SYS_MLOCK] = sys_mlock,
	[OS_SYS_MUNLOCK] = sys_mlock,
	[OS_SYS_CGROUP_ATTACH] = sys_cgroup_attach,
	[OS_SYS_CGROUP_SET] = sys_cgroup_set,
	[OS_SYS_OOM_SCORE_ADJ] = sys_oom_score_adj,
	[OS_SYS_MMAP] = sys_mmap,
	[OS_SYS_MUNMAP] = sys_munmap,
	[OS_SYS_BRK] = sys_brk,
	[OS_SYS_MPROTECT] = sys_mprotect,
	[OS_SYS_MADVISE] = sys_madvise,
	[OS_SYS_MBIND] = sys_mbind,
	[OS_SYS_SET_MEMPOLICY] = sys_set_mempolicy,
	[OS_SYS_MOVE_PAGES] = sys_move_pages,
	[OS_SYS_MIGRATE_PAGES] = sys_migrate_pages,
	[OS_SYS_FILE_READ] = sys_file_io,
	[OS_SYS_FILE_WRITE] = sys_file_io,
	[OS_SYS_SET_WEIGHTS] = sys_set_weights,
	[OS_SYS_CMA_ALLOC] = sys_cma_alloc,
	[OS_SYS_CMA_RELEASE] = sys_cma_release,
	[OS_SYS_MEMORY_OFFLINE] = sys_memory_offline,
	[OS_SYS_MEMORY_ONLINE] = sys_memory_online,
};

static const char *const syscall_names[NR_OS_SYSCALLS] = {
#define OS_SYS_NAME(id, name) [OS_SYS_##id] = #name,
	OS_SYSCALLS(OS_SYS_NAME)
#undef OS_SYS_NAME
};

int os_syscall(os_t *os, int pid, unsigned tid, unsigned cpu, sim_time_t now, const struct os_syscall *sc,
	       sim_time_t *cost, char *err, size_t errlen)
{
	struct process *p = live_proc(os, pid);
	sim_time_t c = os->cfg.syscall_cost;
	int rc;

	*cost = 0;
	if (err && errlen)
		err[0] = '\0';
	if (!p)
		return sim_errf(err, errlen, SIM_ESTATE, "system call from pid %d, which is not running", pid);
	if (sc->nr >= NR_OS_SYSCALLS)
		return sim_errf(err, errlen, SIM_ERANGE, "ENOSYS: system call %u", sc->nr);
	if ((rc = task_switch(os, p, tid)))
		return sim_errf(err, errlen, -rc, "out of memory for thread %u", tid);
	note_cpu(os, p, cpu, now);
	numab_task_tick(os, p, now);
	struct sysctx s = { .os = os, .p = p, .cpu = cpu, .now = now, .sc = sc, .cost = &c, .err = err,
			    .errlen = errlen };
	rc = syscall_table[sc->nr](&s);
	kmem_sync(os, p, cpu, now + c, true, &c);   /* VMAs made, split, merged or removed; policies */
	os->current = NULL;
	if (os->memcg)
		c += memcg_return_to_user(os, p, cpu, now + c, 0, 0);
	if (rc && err && errlen && !err[0])
		snprintf(err, errlen, "%s", sim_strerror(rc));
	if (rc)
		sim_err_prefix(err, errlen, "%s", syscall_names[sc->nr]);
	*cost = c;
	return rc;
}

/* ---- views -------------------------------------------------------------------------------- */

struct numa_maps_stats {
	struct os *os;
	uint64_t pages, anon, dirty, active, mapmax;
	uint64_t node[HW_MAX_NODES];
};

static int gather_one(void *ctx, uint64_t va, uint64_t slot, uint64_t pte, unsigned level)
{
	struct numa_maps_stats *md = ctx;
	(void)va, (void)slot;

	/* can_gather_numa_stats: no zero page, nothing without a struct page */
	if ((pte & PTE_SPECIAL) || !pte_present(pte))
		return 0;
	const struct page *pg = pfn_to_page(md->os->phys, pte_pfn(pte));
	/* a PMD-mapped THP counts its 512 base pages (gather_pte_stats); hugetlb counts huge pages */
	uint64_t nr = level > 1 && !page_test(pg, PG_hugetlb) ? pgtable_level_size(level) >> PAGE_SHIFT : 1;
	md->pages += nr;
	if ((pte & PTE_D) || page_test(pg, PG_dirty))
		md->dirty += nr;
	if (page_test(pg, PG_active) || page_test(pg, PG_unevictable))
		md->active += nr;
	if (page_test(pg, PG_anon))
		md->anon += nr;
	if ((uint64_t)pg->mapcount > md->mapmax)
		md->mapmax = (uint64_t)pg->mapcount;
	md->node[pg->node] += nr;
	return 0;
}

/* show_numa_map for one process (fs/proc/task_mmu.c). */
static void numa_maps_show(struct os *os, const struct process *p, FILE *fp)
{
	char pol[320];

	for (size_t i = 0; i < p->mm.nr_vma; i++) {
		const struct vma *v = &p->mm.vma[i];
		struct numa_maps_stats md = { .os = os };
		/* /proc/PID/numa_maps: the VMA's policy, else the thread-group leader's task policy */
		mpol_to_str(pol, sizeof(pol), v->pol.mode != MPOL_DEFAULT ? &v->pol : task_policy(p, 0));
		fprintf(fp, "%08" PRIx64 " %s", v->start, pol);
		if (v->flags & VM_HUGETLB)
			fputs(" file=/anon_hugepage\\040(deleted)", fp);
		else if (v->shm)
			fputs(" file=/dev/zero\\040(deleted)", fp);
		else if (p->mm.brk_init && v->start <= p->mm.brk && v->end >= p->mm.start_brk)
			fputs(" heap", fp);
		else if (v->flags & VM_GROWSDOWN)
			fputs(" stack", fp);   /* vma_is_initial_stack: numasim's only growsdown VMA is the main stack */
		if (v->flags & VM_HUGETLB)
			fputs(" huge", fp);
		pgtable_walk(os->pm, p->pgd_pfn, v->start, v->end, gather_one, &md);
		if (md.pages) {
			if (md.anon)
				fprintf(fp, " anon=%" PRIu64, md.anon);
			if (md.dirty)
				fprintf(fp, " dirty=%" PRIu64, md.dirty);
			if (md.pages != md.anon && md.pages != md.dirty)
				fprintf(fp, " mapped=%" PRIu64, md.pages);
			if (md.mapmax > 1)
				fprintf(fp, " mapmax=%" PRIu64, md.mapmax);
			if (md.active < md.pages && !(v->flags & VM_HUGETLB))
				fprintf(fp, " active=%" PRIu64, md.active);
			for (unsigned n = 0; n < os->sys.nr_nodes; n++)
				if (md.node[n] && node_isset(n, &os->sys.memory_nodes))
					fprintf(fp, " N%u=%" PRIu64, n, md.node[n]);
			fprintf(fp, " kernelpagesize_kB=%" PRIu64, (uint64_t)((1ULL << v->page_shift) >> 10));
		}
		fputc('\n', fp);
	}
}

static int view_phys(struct os *os, const char *view, FILE *fp)
{
	return physmem_dump(os->phys, view, fp);
}

static int view_memcg(struct os *os, const char *view, FILE *fp)
{
	return memcg_dump(os, view, fp);
}

static int view_numa_maps(struct os *os, const char *view, FILE *fp)
{
	unsigned shown = 0;
	(void)view;

	for (size_t i = 1; i < os->nr_procs; i++)
		shown += os->procs[i]->alive || os->procs[i]->final_maps;
	for (size_t i = 1; i < os->nr_procs; i++) {
		const struct process *p = os->procs[i];
		if (p->alive) {
			if (shown > 1)
				fprintf(fp, "==> /proc/%d/numa_maps <==\n", p->pid);
			numa_maps_show(os, p, fp);
		} else if (p->final_maps) {
			/* Linux has no file for a dead process; the last view is kept for replays */
			fprintf(fp, "==> /proc/%d/numa_maps (at exit) <==\n%s", p->pid, p->final_maps);
		}
	}
	return 0;
}

static int view_node_meminfo(struct os *os, const char *view, FILE *fp)
{
	(void)view;
	/* one file per online node, memoryless ones included (register_one_node for N_ONLINE) */
	for (unsigned n = 0; n < os->sys.nr_nodes; n++) {
		fprintf(fp, "==> /sys/devices/system/node/node%u/meminfo <==\n", n);
		node_meminfo_show(os, n, fp);
	}
	return 0;
}

/* smaps and smaps_rollup of every live process (Linux has no file for a dead one) */
static int view_smaps(struct os *os, const char *view, FILE *fp)
{
	bool rollup = !strcmp(view, "smaps_rollup");

	for (size_t i = 1; i < os->nr_procs; i++) {
		const struct process *p = os->procs[i];
		if (!p->alive)
			continue;
		fprintf(fp, "==> /proc/%d/%s <==\n", p->pid, view);
		if (rollup)
			smaps_rollup_show(os, p, fp);
		else
			smaps_show(os, p, fp);
	}
	return 0;
}

/* The views whose printer takes (os, fp) as it is. */
#define OS_SIMPLE_VIEW(fn)                                       \
	static int view_##fn(struct os *os, const char *view, FILE *fp) \
	{                                                         \
		(void)view;                                       \
		fn(os, fp);                                       \
		return 0;                                         \
	}
OS_SIMPLE_VIEW(hugetlb_report_meminfo)
OS_SIMPLE_VIEW(meminfo_show)
OS_SIMPLE_VIEW(slabinfo_show)
OS_SIMPLE_VIEW(cma_dump)
OS_SIMPLE_VIEW(memory_blocks_dump)
OS_SIMPLE_VIEW(zswap_dump)
OS_SIMPLE_VIEW(zram_mm_stat)
OS_SIMPLE_VIEW(ksm_dump)
OS_SIMPLE_VIEW(memory_tiers_show)

/*
 * The views os_dump prints, in the order `--dump` lists them: the
 * allocator's (PHYSMEM_VIEWS, page_alloc.h), the OS's own, the memcg files
 * (MEMCG_VIEWS, memcontrol.h).  Each name is written once, here or in
 * those lists; os_dump_views[] and the dispatch table both expand this.
 */
#define OS_VIEWS(X)                                      \
	X("numa_maps", view_numa_maps)                   \
	X("meminfo-hugetlb", view_hugetlb_report_meminfo) \
	X("meminfo", view_meminfo_show)                  \
	X("node-meminfo", view_node_meminfo)             \
	X("slabinfo", view_slabinfo_show)                \
	X("smaps", view_smaps)                           \
	X("smaps_rollup", view_smaps)                    \
	X("cma", view_cma_dump)                          \
	X("memory-blocks", view_memory_blocks_dump)      \
	X("zswap", view_zswap_dump)                      \
	X("zram", view_zram_mm_stat)                     \
	X("ksm", view_ksm_dump)                          \
	X("memory_tiers", view_memory_tiers_show)
#define ALL_VIEWS(PHYS, OWN, MEMCG) PHYSMEM_VIEWS(PHYS) OS_VIEWS(OWN) MEMCG_VIEWS(MEMCG)

#define VIEW_NAME(name, fn) name,
const char *const os_dump_views[] = { ALL_VIEWS(VIEW_NAME, VIEW_NAME, VIEW_NAME) NULL };
#undef VIEW_NAME

static const struct {
	const char *name;
	int (*show)(struct os *os, const char *view, FILE *fp);
} os_views[] = {
#define PHYS_ENTRY(name, fn) { name, view_phys },
#define OWN_ENTRY(name, fn) { name, fn },
#define MEMCG_ENTRY(name, fn) { name, view_memcg },
	ALL_VIEWS(PHYS_ENTRY, OWN_ENTRY, MEMCG_ENTRY)
#undef PHYS_ENTRY
#undef OWN_ENTRY
#undef MEMCG_ENTRY
};

int os_dump(const os_t *cos, const char *view, FILE *fp)
{
	struct os *os = (struct os *)cos;   /* walks read pmem only; pfn_to_page may create descriptors */

	if (!strncmp(view, "numa_maps-", 10)) {
		char *end;
		long pid = strtol(view + 10, &end, 10);
		struct process *p = *end ? NULL : live_proc(os, (int)pid);
		if (!p)
			return -SIM_EUSAGE;
		numa_maps_show(os, p, fp);
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(os_views); i++)
		if (!strcmp(view, os_views[i].name))
			return os_views[i].show(os, view, fp);
	return physmem_dump(os->phys, view, fp);   /* numastat-nodeN, or -SIM_EUSAGE */
}

void os_capture_maps(struct os *os, struct process *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	if (!fp)
		return;   /* host out of memory: the view is lost, the simulation is not */
	numa_maps_show(os, p, fp);
	if (fclose(fp)) {
		free(buf);
		return;
	}
	free(p->final_maps);
	p->final_maps = buf;
}

unsigned os_task_preferred_cpu(const os_t *os, int pid, unsigned tid, unsigned cpu)
{
	const struct process *p = live_proc(os, pid);
	int nid = p ? numab_preferred_nid(p, tid) : -1;
	unsigned nr = physmem_nr_cpus(os->phys), on_node = 0;

	if (nid < 0 || cpu >= nr || physmem_cpu_node(os->phys, cpu) == (unsigned)nid)
		return cpu;
	for (unsigned c = 0; c < nr; c++)
		on_node += physmem_cpu_node(os->phys, c) == (unsigned)nid;
	if (!on_node)
		return cpu;   /* a memory-only node: nowhere to run */
	unsigned k = tid % on_node;
	for (unsigned c = 0; c < nr; c++)
		if (physmem_cpu_node(os->phys, c) == (unsigned)nid && k-- == 0)
			return c;
	return cpu;
}

/* threads[]: every thread seen, by tid, with its task policy and NUMA-balancing state. */
static void report_threads(rep_t *r, const struct process *p)
{
	char pol[320];
	unsigned prev = 0;
	bool first = true;

	rep_arr_begin(r, "threads");
	for (;;) {
		/* the smallest tid above the last one printed: ascending order without sorting */
		bool found = false;
		unsigned next = 0;
		for (size_t i = 0; i <= p->nr_tasks; i++) {
			unsigned t = i < p->nr_tasks ? p->tasks[i].tid : p->cur_tid;
			if ((first || t > prev) && (!found || t < next)) {
				next = t;
				found = true;
			}
		}
		if (!found)
			break;
		mpol_to_str(pol, sizeof(pol), task_policy(p, next));
		rep_obj_begin(r, NULL);
		rep_u64(r, "tid", next);
		rep_str(r, "policy", pol);
		if (p->numab) {
			const struct numab_thr *h = NULL;
			for (size_t i = 0; i < p->numab->nr_thr; i++)
				if (p->numab->thr[i].tid == next)
					h = &p->numab->thr[i];
			rep_i64(r, "numa_preferred_node", h ? h->preferred_nid : -1);
			rep_u64(r, "numa_hint_faults", h ? h->hint_faults : 0);
			rep_u64(r, "numa_pages_migrated", h ? h->migrated : 0);
		}
		rep_obj_end(r);
		prev = next;
		first = false;
	}
	rep_arr_end(r);
}

void os_report(const os_t *os, rep_t *r)
{
	char pol[320];

	physmem_report(os->phys, r);
	mig_report(os, r);
	cma_report(os, r);
	memory_hotplug_report(os, r);
	rep_arr_begin(r, "processes");
	for (size_t i = 1; i < os->nr_procs; i++) {
		const struct process *p = os->procs[i];
		rep_obj_begin(r, NULL);
		rep_i64(r, "pid", p->pid);
		rep_i64(r, "parent", p->parent);
		rep_bool(r, "alive", p->alive);
		rep_bool(r, "implicit", p->implicit);
		mpol_to_str(pol, sizeof(pol), task_policy(p, 0));
		rep_str(r, "policy", pol);
		rep_u64(r, "rss", p->rss_anon + p->rss_file + p->rss_shmem);
		rep_u64(r, "rss_anon", p->rss_anon);
		rep_u64(r, "rss_file", p->rss_file);
		rep_u64(r, "rss_shmem", p->rss_shmem);
		rep_u64(r, "swap_entries", p->swapents);
		rep_i64(r, "oom_score_adj", p->oom_score_adj);
		rep_u64(r, "major_faults", p->maj_flt);
		rep_u64(r, "hugetlb_pages", p->hugetlb_pages);
		rep_u64(r, "faults", p->min_flt);
		rep_u64(r, "vmas", p->mm.nr_vma);
		rep_arr_begin(r, "pages_per_node");
		for (unsigned n = 0; n < os->sys.nr_nodes; n++)
			rep_u64(r, NULL, p->node_pages[n]);
		rep_arr_end(r);
		rep_arr_begin(r, "page_table_pages_per_node");
		for (unsigned n = 0; n < os->sys.nr_nodes; n++)
			rep_u64(r, NULL, p->pgtables[n]);
		rep_arr_end(r);
		report_threads(r, p);
		rep_obj_end(r);
	}
	rep_arr_end(r);
	hugetlb_report(os, r);
	kmem_report(os, r);
	reclaim_report((struct os *)os, r);
	memcg_report(os, r);
	zswap_report(os, r);
	zram_report(os, r);
	ksm_report(os, r);
}

sim_time_t os_cpu_stolen(os_t *os, unsigned cpu)
{
	if (!os->rcl || cpu >= os->rcl->nr_cpus)
		return 0;
	sim_time_t t = os->rcl->stolen[cpu];
	os->rcl->stolen[cpu] = 0;
	return t + os_mig_stolen(os, cpu);   /* kswapd's, plus kcompactd's, khugepaged's and the NUMA scanner's */
}

int os_sample(const os_t *os, const char **names, uint64_t *vals, int max)
{
	return reclaim_sample(os, names, vals, max);
}
