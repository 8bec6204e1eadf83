/*
 * os/numa_balancing.c - automatic NUMA balancing (see numa_balancing.h).
 *
 * Scan cadence is simulated time, not task CPU time: a process's scanner
 * runs every scan_period of simulated time once the process has run (Linux
 * counts task runtime; for a CPU-bound replay the two coincide).  The scan
 * cost (numa_pte_cost per entry changed + the TLB shootdown) is charged as
 * stolen time to the CPU the process last ran on: Linux runs task_numa_work
 * in the task's own context on return to user space.
 */
#include <stdlib.h>
#include <string.h>
#include "os/memory_tiers.h"
#include "os/numa_balancing.h"
#include "os/vmscan.h"
#include "os/rmap.h"
#include "sim/err.h"
#include "sim/fault_inject.h"

#define MAX_SCAN_WINDOW_MB 2560

static uint64_t nr_scan_pages(const struct os *os)
{
	return (uint64_t)os->cfg.numa_balancing_scan_size_mb << (20 - PAGE_SHIFT);
}

static uint64_t task_nr_scan_windows(const struct os *os, const struct process *p)
{
	uint64_t rss = p->rss_anon + p->rss_shmem, n = nr_scan_pages(os);
	uint64_t w = (rss + n - 1) / n;
	return w ? w : 1;
}

sim_time_t task_scan_min(const struct os *os, const struct process *p)
{
	uint64_t windows = 1, size = os->cfg.numa_balancing_scan_size_mb;
	if (size < MAX_SCAN_WINDOW_MB)
		windows = MAX_SCAN_WINDOW_MB / size;
	sim_time_t floor = 1000 * PS_PER_MS / windows;
	sim_time_t scan = os->cfg.numa_balancing_scan_period_min / task_nr_scan_windows(os, p);
	return SIM_MAX(floor, scan);
}

sim_time_t task_scan_max(const struct os *os, const struct process *p)
{
	sim_time_t smin = task_scan_min(os, p);
	sim_time_t smax = os->cfg.numa_balancing_scan_period_max / task_nr_scan_windows(os, p);
	return SIM_MAX(smin, smax);
}

void update_task_scan_period(struct os *os, struct process *p, struct numab_task *t)
{
	sim_time_t period = t->scan_period, smin = task_scan_min(os, p), smax = task_scan_max(os, p);

	if (t->local + t->shared == 0 || t->failed) {
		period = SIM_MIN(smax, period * 2);
	} else {
		sim_time_t slot = (period + 9) / 10;
		uint64_t lr = 10 * t->local / (t->local + t->remote);
		uint64_t ps = 10 * t->priv / (t->priv + t->shared);
		if (ps >= 7)
			period += SIM_MAX(ps - 7, (uint64_t)1) * slot;
		else if (lr >= 7)
			period += SIM_MAX(lr - 7, (uint64_t)1) * slot;
		else {
			sim_time_t dec = (7 - SIM_MAX(lr, ps)) * slot;
			period = period > dec ? period - dec : 0;
		}
	}
	t->scan_period = SIM_MIN(SIM_MAX(period, smin), smax);
	t->local = t->remote = t->failed = t->priv = t->shared = 0;
}

/* ---- the scanner --------------------------------------------------------------------------- */

struct scan_ctx {
	struct os *os;
	int64_t pages, virt;      /* budgets */
	uint64_t changed, lo, hi, stop_va;
	sim_time_t now;
};

static int scan_one(void *ctx, uint64_t va, uint64_t slot, uint64_t pte, unsigned level)
{
	struct scan_ctx *s = ctx;
	uint64_t size = pgtable_level_size(level), nr = size >> PAGE_SHIFT;

	s->virt -= (int64_t)nr;
	if ((pte & PTE_P) && !(pte & PTE_SPECIAL)) {
		struct page *pg = pfn_to_page(s->os->phys, pte_pfn(pte));
		/*
		 * change_prot_numa skips shared COW pages, KSM pages and hugetlb, and top-tier
		 * pages when only the tiering mode is on; in tiering mode a
		 * lower-tier page's last_cpupid holds the scan time (folio_xchg_access_time).
		 */
		bool skip_top = !(s->os->cfg.numa_balancing & NUMA_BALANCING_NORMAL) && node_is_toptier(s->os, pg->node);
		if (!(page_test(pg, PG_anon) && pg->mapcount > 1) && !page_test(pg, PG_hugetlb) && !page_test(pg, PG_ksm) &&
		    !skip_top) {
			if (page_use_access_time(s->os, pg->node))
				pg->last_cpupid = tiering_time_ms(s->now) & PAGE_ACCESS_TIME_MASK;
			pmem_write64(s->os->pm, slot, (pte & ~PTE_P) | PTE_PROTNONE | PTE_NUMA);
			vmstat_inc(s->os->phys, NUMA_PTE_UPDATES, nr);
			if (level > 1)
				vmstat_inc(s->os->phys, NUMA_HUGE_PTE_UPDATES, 1);
			s->changed += nr;
			s->lo = SIM_MIN(s->lo, va);
			s->hi = SIM_MAX(s->hi, va + size);
			s->pages -= (int64_t)nr;
		}
	}
	if (s->pages <= 0 || s->virt <= 0) {
		s->stop_va = va + size;
		return 1;
	}
	return 0;
}

/* vma_migratable + MOF policy: the VMAs task_numa_work looks at. */
static bool vma_scannable(const struct process *p, const struct vma *v)
{
	if (v->flags & VM_HUGETLB || !(v->flags & VM_ACCESS_FLAGS))
		return false;
	/* only the implicit default policy carries MPOL_F_MOF (explicit ones need =balancing, not parsed here) */
	return v->pol.mode == MPOL_DEFAULT && p->pol.mode == MPOL_DEFAULT;
}

sim_time_t task_numa_work(struct os *os, struct process *p, sim_time_t now)
{
	struct numab_task *t = p->numab;
	struct scan_ctx s = { .os = os, .pages = (int64_t)nr_scan_pages(os), .virt = 8 * (int64_t)nr_scan_pages(os),
			      .lo = UINT64_MAX, .now = now };
	sim_time_t cost = 0;
	bool stopped = false;

	size_t i = mm_find_idx(&p->mm, t->scan_offset);
	for (; i < p->mm.nr_vma; i++) {
		const struct vma *v = &p->mm.vma[i];
		if (!vma_scannable(p, v))
			continue;
		uint64_t start = SIM_MAX(v->start, t->scan_offset);
		if (pgtable_walk(os->pm, p->pgd_pfn, start, v->end, scan_one, &s)) {
			t->scan_offset = s.stop_va;
			stopped = true;
			break;
		}
		t->scan_offset = v->end;
	}
	if (!stopped) {
		t->scan_offset = 0;
		t->scan_seq++;
	}
	t->scans++;
	t->ptes_updated += s.changed;
	if (s.changed) {
		cost += s.changed * os->cfg.numa_pte_cost;
		cost += oshw_flush(os, p, p->last_cpu, now, s.lo, s.hi - s.lo);
	}
	return cost;
}

/* ---- threads ------------------------------------------------------------------------------ */

struct numab_thr *numab_thread(struct process *p, unsigned tid)
{
	struct numab_task *t = p->numab;
	if (!t)
		return NULL;
	for (size_t i = 0; i < t->nr_thr; i++)
		if (t->thr[i].tid == tid)
			return &t->thr[i];
	if (t->nr_thr == t->cap_thr) {
		size_t cap = t->cap_thr ? t->cap_thr * 2 : 4;
		struct numab_thr *n = realloc(t->thr, cap * sizeof(*n));
		if (!n)
			return NULL;
		t->thr = n;
		t->cap_thr = cap;
	}
	struct numab_thr *h = &t->thr[t->nr_thr++];
	memset(h, 0, sizeof(*h));
	h->tid = tid;
	h->preferred_nid = -1;
	return h;
}

int numab_preferred_nid(const struct process *p, unsigned tid)
{
	const struct numab_task *t = p->numab;
	for (size_t i = 0; t && i < t->nr_thr; i++)
		if (t->thr[i].tid == tid)
			return t->thr[i].preferred_nid;
	return -1;
}

/* argmax of f (ties: the lowest node), -1 if all 0; then f decays by half (numa_faults decay). */
static int decay_pick(uint64_t *f, unsigned nr_nodes, int keep)
{
	uint64_t best = 0;
	int nid = keep;
	for (unsigned n = 0; n < nr_nodes; n++) {
		if (f[n] > best) {
			best = f[n];
			nid = (int)n;
		}
		f[n] /= 2;
	}
	return nid;
}

/*
 * task_numa_placement for every thread: the preferred node is the one with
 * the most memory faults (a grouped thread: the group's), counts decay by
 * half each scan period.
 */
static void task_numa_placement(struct numab_task *t, unsigned nr_nodes)
{
	int group_nid = -1;
	if (t->grouped) {
		uint64_t mem[HW_MAX_NODES];
		memcpy(mem, t->group_mem, sizeof(mem));
		group_nid = decay_pick(mem, nr_nodes, -1);
	}
	for (size_t i = 0; i < t->nr_thr; i++) {
		struct numab_thr *h = &t->thr[i];
		int own = decay_pick(h->faults_mem, nr_nodes, h->preferred_nid);
		h->preferred_nid = group_nid >= 0 ? group_nid : own;
		for (unsigned n = 0; n < nr_nodes; n++)
			h->faults_cpu[n] /= 2;
	}
	for (unsigned n = 0; n < nr_nodes; n++) {
		t->group_mem[n] /= 2;
		t->group_cpu[n] /= 2;
	}
	t->preferred_nid = decay_pick(t->faults_mem, nr_nodes, t->preferred_nid);
}

static void numab_run(struct ev *ev, void *ctx)
{
	struct numab_task *t = ctx;
	struct os *os = t->os;
	struct process *p = os_proc(os, t->pid);

	if (!p || !p->alive || p->pgd_pfn == NO_PGD)
		return;
	sim_time_t cost = task_numa_work(os, p, ev->when);
	task_numa_placement(t, os->sys.nr_nodes);
	update_task_scan_period(os, p, t);
	mig_charge_kthread(os, p->last_cpu, cost);
	os->mig->numab_scans++;
	kthread_schedule(os, KT_NUMA_SCAN, (unsigned)t->pid, &t->ev, ev->when + t->scan_period);
}

void numab_task_tick(struct os *os, struct process *p, sim_time_t now)
{
	if (!os->cfg.numa_balancing || p->numab || !os->q || os->sys.nr_nodes < 2)
		return;
	struct numab_task *t = sim_fault_hit(SIM_FAULT_NUMAB_TASK) ? NULL : calloc(1, sizeof(*t));
	if (!t) {
		os_fail_enomem(os, "a process's NUMA balancing state (task_numa_work)");
		return;
	}
	t->os = os;
	t->pid = p->pid;
	t->preferred_nid = -1;
	t->scan_period = os->cfg.numa_balancing_scan_delay;
	ev_init(&t->ev, numab_run, t);
	p->numab = t;
	sim_time_t when = SIM_MAX(now, os->q->now) + os->cfg.numa_balancing_scan_delay;
	kthread_schedule(os, KT_NUMA_SCAN, (unsigned)t->pid, &t->ev, when);
}

void numab_destroy(struct os *os)
{
	for (size_t i = 1; i < os->nr_procs; i++) {
		struct process *p = os->procs[i];
		if (!p->numab)
			continue;
		if (os->q)
			ev_cancel(os->q, &p->numab->ev);
		free(p->numab->thr);
		free(p->numab);
		p->numab = NULL;
	}
}

/* ---- the hinting fault ---------------------------------------------------------------------- */

/*
 * The 8-bit task id of thread tid of process pid in last_cpupid: distinct
 * for 256 consecutive threads of one process (37 is odd); threads of
 * different processes may collide, as Linux's 8 pid bits do.
 */
static uint32_t task_id8(int pid, unsigned tid)
{
	return ((uint32_t)pid + 37u * tid) & 0xff;
}

static uint32_t make_cpupid(unsigned cpu, uint32_t id8)
{
	return ((uint32_t)(cpu + 1) << 8) | id8;
}

#define ACTIVE_NODE_FRACTION 3

/* should_numa_migrate_memory (§10.4, NORMAL mode): may a fault of thread h on dst_nid move the page? */
static bool should_numa_migrate(struct os *os, const struct numab_task *t, const struct numab_thr *h, uint32_t last,
				uint32_t id8, unsigned src_nid, unsigned dst_nid)
{
	bool unset = !last, match = last && (last & 0xff) == id8;
	bool early = !t || !h || h->preferred_nid < 0 || t->scan_seq <= 4;

	/* first faults or private faults migrate at once early in the task's life */
	if (early && (unset || match))
		return true;
	/* two-stage filter: the previous accessor must have been on this node too */
	if (!unset && os_cpu_node(os, (last >> 8) - 1) != dst_nid)
		return false;
	if (match)
		return true;          /* a private fault */
	if (!t || !t->grouped)
		return true;          /* a shared fault before a group was set up */
	/* the destination is much more used by the group's CPUs */
	if (t->group_cpu[dst_nid] > t->group_cpu[src_nid] * ACTIVE_NODE_FRACTION)
		return true;
	/* spread memory like CPU use, with 3/4 hysteresis */
	return t->group_cpu[dst_nid] * t->group_mem[src_nid] * 3 > t->group_cpu[src_nid] * t->group_mem[dst_nid] * 4;
}

/* migrate_misplaced_folio_prepare: the target must have a zone above HIGH + nr. */
static bool target_has_room(struct os *os, unsigned nid, unsigned order)
{
	for (unsigned z = 0; z < MAX_NR_ZONES; z++) {
		struct zone_info zi;
		if (physmem_zone_info(os->phys, nid, (enum zone_type)z, &zi) || !zi.populated)
			continue;
		if (zi.nr_free > zi.watermark[WMARK_HIGH] + zi.watermark_boost + (1ULL << order))
			return true;
	}
	return false;
}

int do_numa_page(struct os *os, struct process *p, struct vma *v, uint64_t vaddr, uint64_t slot, uint64_t pte,
		 unsigned level, unsigned cpu, sim_time_t now, sim_time_t *cost)
{
	struct numab_task *t = p->numab;
	struct numab_thr *h = numab_thread(p, p->cur_tid);
	struct page *pg = pfn_to_page(os->phys, pte_pfn(pte));
	unsigned this_nid = os_cpu_node(os, cpu), page_nid = pg->node, src_nid = pg->node;
	uint64_t nr = pgtable_level_size(level) >> PAGE_SHIFT;
	uint32_t id8 = task_id8(p->pid, p->cur_tid);
	(void)vaddr;

	vmstat_inc(os->phys, NUMA_HINT_FAULTS, 1);
	if (page_nid == this_nid)
		vmstat_inc(os->phys, NUMA_HINT_FAULTS_LOCAL, 1);
	/* make the entry accessible again (the walker never cached the hinting entry) */
	pmem_write64(os->pm, slot, (pte & ~(PTE_NUMA | PTE_PROTNONE)) | PTE_P);
	/* tiering mode: a lower-tier page carries its scan time, not an accessor (numa_migrate_check) */
	bool use_time = page_use_access_time(os, page_nid);
	uint32_t last = use_time ? 0 : pg->last_cpupid;
	if (!use_time)
		pg->last_cpupid = make_cpupid(cpu, id8);
	bool priv = !last || (last & 0xff) == id8;
	bool local = page_nid == this_nid;
	bool mof = v->pol.mode == MPOL_DEFAULT && p->pol.mode == MPOL_DEFAULT;

	/* task_numa_group: a fault on a page another thread used last joins them in one group */
	if (t && !priv)
		t->grouped = true;
	if (mof && page_nid != this_nid &&
	    (use_time ? should_promote(os, pg, this_nid, now) : should_numa_migrate(os, t, h, last, id8, src_nid, this_nid))) {
		if (target_has_room(os, this_nid, pg->order)) {
			struct migrate_req rq = { .reason = MR_NUMA_MISPLACED, .cpu = cpu, .now = now,
						  .target_nid = (int)this_nid };
			uint64_t moved = 0;
			migrate_folios(os, &pg, 1, &rq, cost, &moved);
			if (moved) {
				vmstat_inc(os->phys, NUMA_PAGE_MIGRATE, moved);
				/* migrate_misplaced_folio: a move from a lower tier to a top tier is a promotion */
				if ((os->cfg.numa_balancing & NUMA_BALANCING_MEMORY_TIERING) && !node_is_toptier(os, src_nid) &&
				    node_is_toptier(os, this_nid))
					node_stat_mod(os->phys, this_nid, PGPROMOTE_SUCCESS, (int64_t)moved);
				page_nid = this_nid;
				if (h)
					h->migrated += moved;
			} else if (t) {
				t->failed++;
			}
		} else {
			/* the target is nearly full: in tiering mode its kswapd makes room (by demotion) */
			if (os->cfg.numa_balancing & NUMA_BALANCING_MEMORY_TIERING)
				wakeup_kswapd(os, this_nid, pg->order, ZONE_MOVABLE, now);
			if (t)
				t->failed++;
		}
	}
	/* task_numa_fault keeps no statistics for faults on slow memory in tiering mode */
	if (use_time && !node_is_toptier(os, page_nid))
		return 0;
	if (h) {
		h->faults_mem[page_nid] += nr;
		h->faults_cpu[this_nid] += nr;
		h->hint_faults++;
	}
	if (t && t->grouped) {
		t->group_mem[page_nid] += nr;
		t->group_cpu[this_nid] += nr;
	}
	if (t) {
		t->faults_mem[page_nid] += nr;
		if (local)
			t->local += nr;
		else
			t->remote += nr;
		if (priv)
			t->priv += nr;
		else
			t->shared += nr;
	}
	return 0;
}
