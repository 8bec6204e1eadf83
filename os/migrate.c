/*
 * os/migrate.c - page migration and the system calls built on it
 * (Linux 6.12 mm/migrate.c migrate_pages / migrate_folio_unmap /
 * migrate_folio_move / remove_migration_ptes, mm/mempolicy.c
 * do_migrate_pages / do_mbind, kernel_move_pages; sources.md §9).
 *
 * The simulation is sequential, so the unmap / copy / remap window of a
 * real migration (migration entries, accesses waiting on them) has no
 * observable duration: entries are repointed in one step by rmap_replace
 * and the cost of the whole sequence is charged to whoever asked.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "os/compaction.h"
#include "os/filemap.h"
#include "os/lru.h"
#include "os/memcontrol.h"
#include "os/memory_tiers.h"
#include "os/mig_state.h"
#include "os/mlock.h"
#include "os/numa_balancing.h"
#include "os/rmap.h"
#include "os/thp.h"
#include "sim/err.h"

const char *const migrate_reason_names[NR_MIGRATE_REASONS] = {
	"compaction", "syscall", "mempolicy_mbind", "numa_misplaced", "demotion", "contig_range", "memory_hotplug",
};

static const struct stat_desc mig_stat_desc[] = { MIG_STATS(STAT_DESC) };
STAT_TABLE_CHECK(mig_stat_desc, NR_MIG_STATS);

#define MIGRATE_BATCH 512   /* NR_MAX_BATCHED_MIGRATION: base pages per TLB-flush batch */

void mig_charge_kthread(struct os *os, unsigned cpu, sim_time_t t)
{
	struct mig_state *m = os->mig;
	if (cpu < m->nr_cpus)
		m->stolen[cpu] += t;
	m->stat[MIG_KTHREAD_PS] += t;
}

sim_time_t os_mig_stolen(struct os *os, unsigned cpu)
{
	struct mig_state *m = os->mig;
	if (!m || cpu >= m->nr_cpus)
		return 0;
	sim_time_t t = m->stolen[cpu];
	m->stolen[cpu] = 0;
	return t;
}

unsigned mig_node_cpu(const struct os *os, unsigned nid)
{
	unsigned n = physmem_nr_cpus(os->phys);
	for (unsigned c = 0; c < n; c++)
		if (physmem_cpu_node(os->phys, c) == nid)
			return c;
	return 0;
}

/* ---- isolation and the move of one folio ------------------------------------------------ */

static bool is_thp(const struct page *pg)
{
	return page_test(pg, PG_head) && page_test(pg, PG_anon) && !page_test(pg, PG_hugetlb);
}

/* folio_expected_refs plus `extra` (an isolation's reference), and no flag that pins the page. */
static bool migratable(const struct page *pg, int32_t extra)
{
	const uint32_t bad = (1u << PG_reserved) | (1u << PG_buddy) | (1u << PG_pcp) | (1u << PG_tail) |
			     (1u << PG_hugetlb) | (1u << PG_locked) | (1u << PG_writeback) |
			     (1u << PG_swapcache) |  /* numasim does not move swap-cache slots */
			     (1u << PG_ksm);         /* nor KSM pages (rmap_walk_ksm is not modelled) */
	if ((pg->flags & bad) || !pg->mapping || pg->mapcount <= 0)
		return false;
	/* folio_expected_refs: one per mapping, plus the shared object's */
	int32_t expected = pg->mapcount + (page_test(pg, PG_anon) ? 0 : 1);
	return pg->refcount == expected + extra;
}

bool migrate_isolatable(struct os *os, const struct page *pg)
{
	(void)os;
	return migratable(pg, 0);
}

static int alloc_on_node(struct os *os, unsigned order, int nid, gfp_t gfp, unsigned cpu, sim_time_t now,
			 uint64_t *pfn, sim_time_t *cost)
{
	nodemask_t only;
	nodes_clear(&only);
	node_set((unsigned)nid, &only);
	if (order)
		gfp |= __GFP_COMP | __GFP_NOWARN | __GFP_NORETRY;
	struct alloc_ctx ac = { .order = order, .gfp = gfp | __GFP_THISNODE, .preferred_nid = nid, .nodemask = &only,
				.cpu = cpu, .now = now };
	return page_alloc(os->phys, &ac, pfn, cost);
}

/*
 * The new page takes the old one's LRU list (os/lru.h keeps the per-node
 * and per-zone counts: the nodes may differ).  dst already carries src's
 * flags, PG_lru included.  An isolated source is off every list: its
 * replacement goes onto the LRU (migrate_folio_move: folio_add_lru) and
 * the source leaves NR_ISOLATED_* (migrate_folio_done).
 */
static void lru_transfer(struct os *os, struct page *src, struct page *dst, bool isolated)
{
	if (isolated) {
		SIM_BUG_ON(page_test(src, PG_lru));
		node_stat_mod(os->phys, src->node, page_test(src, PG_swapbacked) ? NR_ISOLATED_ANON : NR_ISOLATED_FILE,
			      -(int64_t)(1ULL << src->order));
		lru_add(os, dst);
		return;
	}
	if (!page_test(src, PG_lru))
		return;
	lru_del(os, src);
	page_clear(dst, PG_lru);
	lru_add(os, dst);
}

static void move_stats(struct os *os, struct page *src, struct page *dst, uint64_t nr)
{
	if (src->node == dst->node)
		return;
	if (is_thp(src)) {
		node_stat_mod(os->phys, src->node, NR_ANON_THPS, -(int64_t)nr);
		node_stat_mod(os->phys, dst->node, NR_ANON_THPS, (int64_t)nr);
	}
	if (!page_test(src, PG_anon) && !src->order) {
		node_stat_mod(os->phys, src->node, NR_FILE_PAGES, -1);
		node_stat_mod(os->phys, dst->node, NR_FILE_PAGES, 1);
		if (page_test(src, PG_swapbacked)) {
			node_stat_mod(os->phys, src->node, NR_SHMEM, -1);
			node_stat_mod(os->phys, dst->node, NR_SHMEM, 1);
		} else if (page_test(src, PG_dirty)) {
			node_stat_mod(os->phys, src->node, NR_FILE_DIRTY, -1);
			node_stat_mod(os->phys, dst->node, NR_FILE_DIRTY, 1);
		}
	}
	/* LRU sizes move with the list membership (lru_transfer) */
}

static int default_alloc(void *ctx, struct os *os, struct page *src, sim_time_t now, uint64_t *pfn,
			 sim_time_t *cost)
{
	const struct migrate_req *rq = ctx;
	gfp_t gfp = GFP_HIGHUSER_MOVABLE;
	if (rq->reason == MR_NUMA_MISPLACED)
		gfp = (GFP_HIGHUSER_MOVABLE & ~__GFP_RECLAIM) | __GFP_NOWARN | __GFP_NORETRY;
	return alloc_on_node(os, src->order, rq->target_nid, gfp, rq->cpu, now, pfn, cost);
}

static const enum mig_stat reason_ok[NR_MIGRATE_REASONS] = { MIG_COMPACTION, MIG_SYSCALL, MIG_MBIND, MIG_NUMA,
							     MIG_DEMOTION, MIG_CONTIG, MIG_HOTPLUG };
static const enum mig_stat reason_fail[NR_MIGRATE_REASONS] = { MIG_FAIL_COMPACTION, MIG_FAIL_SYSCALL, MIG_FAIL_MBIND,
							       MIG_FAIL_NUMA, MIG_FAIL_DEMOTION,
							       MIG_FAIL_CONTIG, MIG_FAIL_HOTPLUG };
static const enum mig_stat reason_ps[NR_MIGRATE_REASONS] = { MIG_PS_COMPACTION, MIG_PS_SYSCALL, MIG_PS_MBIND,
							     MIG_PS_NUMA, MIG_PS_DEMOTION,
							     MIG_PS_CONTIG, MIG_PS_HOTPLUG };

/*
 * migrate_folio_unmap + move_to_new_folio + remove_migration_ptes + free,
 * starting at `now`. @return 0 or -1.
 */
static int migrate_one(struct os *os, struct page *src, const struct migrate_req *rq, sim_time_t now,
		       struct tlb_batch *b, sim_time_t *cost)
{
	uint64_t nr = 1ULL << src->order, dpfn;
	migrate_alloc_fn alloc = rq->alloc ? rq->alloc : default_alloc;
	void *actx = rq->alloc ? rq->alloc_ctx : (void *)rq;
	sim_time_t c = 0;

	if (!migratable(src, rq->isolated))
		return -1;
	if (alloc(actx, os, src, now, &dpfn, &c)) {
		*cost += c;
		return -1;
	}
	struct page *dst = pfn_to_page(os->phys, dpfn);
	SIM_BUG_ON(dst->order != src->order);
	c += os->cfg.migrate_page_cost;
	/* the copy starts once the destination is allocated and the source unmapped */
	c += oshw_copy(os, rq->cpu, now + c, dpfn, src->pfn, nr << PAGE_SHIFT);
	os->mig->stat[MIG_BYTES] += nr << PAGE_SHIFT;
	/*
	 * folio_migrate_flags: everything but the allocator's own bits and
	 * PG_mlocked, which Linux (since 5.18) does not copy: the source is
	 * munlocked as each mapping leaves it (try_to_migrate_one ->
	 * folio_remove_rmap_pte -> munlock_vma_folio) and the destination
	 * mlocked as each comes back (remove_migration_pte ->
	 * folio_add_anon_rmap_pte -> mlock_vma_folio), which rebuilds
	 * mlock_count and moves NR_MLOCK between zones.
	 */
	const uint32_t keep = (1u << PG_head) | (1u << PG_tail) | (1u << PG_buddy) | (1u << PG_pcp);
	dst->flags = (dst->flags & keep) | (src->flags & ~keep & ~(1u << PG_mlocked));
	dst->mlock_count = 0;
	dst->mapping = src->mapping;
	dst->index = src->index;
	dst->last_cpupid = src->last_cpupid;
	mem_cgroup_migrate(os, src, dst);   /* the charge moves with the contents */
	/* folio_migrate_flags: across tiers in tiering mode the field changes meaning (access time / cpupid) */
	if ((os->cfg.numa_balancing & NUMA_BALANCING_MEMORY_TIERING) &&
	    node_is_toptier(os, src->node) != node_is_toptier(os, dst->node))
		dst->last_cpupid = 0;
	dst->refcount = src->refcount - rq->isolated;   /* the isolation's reference stays with src */
	dst->mapcount = 0;
	if (page_is_file_cache(src)) {
		filemap_replace_page(os, src, dst);
	} else if (!page_test(src, PG_anon)) {
		struct shm_obj *o = src->mapping;
		SIM_BUG_ON(shm_set(o, src->index, dpfn + 1));   /* the slot exists: no allocation */
	}
	/*
	 * migrate_folio_move: "push dst to LRU immediately: so that if it
	 * turns out to be an mlocked page, remove_migration_ptes() will
	 * automatically build up the correct dst->mlock_count".
	 */
	lru_transfer(os, src, dst, rq->isolated);
	unsigned mapped = rmap_replace(os, src, dst, b, rq->cpu, now + c, &c);
	*cost += c;
	SIM_BUG_ON(src->mapcount != 0 || mapped == 0);
	move_stats(os, src, dst, nr);
	/* a source still mlocked (no VM_LOCKED mapping munlocked it) is freed so: __page_cache_release */
	mlock_page_freed(os, src);
	/* the old page: references went with the mappings */
	src->refcount = 0;
	src->flags &= 1u << PG_head;
	src->mapping = NULL;
	src->index = 0;
	src->last_cpupid = 0;
	mem_cgroup_clear(os, src);
	src->refcount = 0;
	page_free(os->phys, src->pfn, src->order, rq->cpu);
	return 0;
}

unsigned migrate_folios(struct os *os, struct page **pages, unsigned n, const struct migrate_req *rq,
			sim_time_t *cost, uint64_t *moved)
{
	struct mig_state *m = os->mig;
	struct tlb_batch b = { .n = 0 };
	unsigned failed = 0;
	uint64_t ok_pages = 0, batch = 0;
	sim_time_t c = 0;

	for (unsigned i = 0; i < n; i++) {
		struct page *pg = pages[i];
		uint64_t nr = 1ULL << pg->order;
		bool thp = is_thp(pg);
		/* one folio after another on rq->cpu: each starts when the previous one is done */
		if (rq->failed)
			rq->failed[i] = false;
		if (migrate_one(os, pg, rq, rq->now + c, &b, &c)) {
			failed++;
			if (rq->failed)
				rq->failed[i] = true;
			vmstat_inc(os->phys, PGMIGRATE_FAIL, nr);
			if (thp)
				vmstat_inc(os->phys, THP_MIGRATION_FAIL, 1);
			m->stat[reason_fail[rq->reason]] += nr;
			continue;
		}
		ok_pages += nr;
		vmstat_inc(os->phys, PGMIGRATE_SUCCESS, nr);
		if (thp)
			vmstat_inc(os->phys, THP_MIGRATION_SUCCESS, 1);
		m->stat[reason_ok[rq->reason]] += nr;
		if ((batch += nr) >= MIGRATE_BATCH) {
			c += tlb_batch_flush(os, &b, rq->cpu, rq->now + c);
			batch = 0;
		}
	}
	c += tlb_batch_flush(os, &b, rq->cpu, rq->now + c);
	m->stat[MIG_SHOOTDOWNS] += b.shootdowns;
	m->stat[reason_ps[rq->reason]] += c;
	*cost += c;
	if (moved)
		*moved = ok_pages;
	return failed;
}

/* ---- collecting pages of an address range ------------------------------------------------- */

struct pagevec {
	struct page **pg;
	uint64_t *va;
	size_t n, cap;
};

static int pv_add(struct pagevec *v, struct page *pg, uint64_t va)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 64;
		struct page **np = realloc(v->pg, cap * sizeof(*np));
		if (!np)
			return -SIM_ENOMEM;
		v->pg = np;
		uint64_t *nv = realloc(v->va, cap * sizeof(*nv));
		if (!nv)
			return -SIM_ENOMEM;
		v->va = nv;
		v->cap = cap;
	}
	v->pg[v->n] = pg;
	v->va[v->n] = va;
	v->n++;
	return 0;
}

static void pv_free(struct pagevec *v)
{
	free(v->pg);
	free(v->va);
}

/* Pages of [start, end) of p for which want() says yes, in address order. */
struct queue_ctx {
	struct os *os;
	struct pagevec *pv;
	bool (*want)(void *ctx, struct page *pg);
	void *ctx;
	uint64_t skipped;         /* shared pages left behind (no MOVE_ALL) */
	bool move_all;
};

static int queue_one(void *ctx, uint64_t va, uint64_t slot, uint64_t pte, unsigned level)
{
	struct queue_ctx *q = ctx;
	(void)slot, (void)level;
	if ((pte & PTE_SPECIAL) || !pte_present(pte))
		return 0;
	struct page *pg = pfn_to_page(q->os->phys, pte_pfn(pte));
	if (!q->want(q->ctx, pg))
		return 0;
	if (pg->mapcount > 1 && !q->move_all) {
		q->skipped += 1ULL << pg->order;
		return 0;
	}
	return pv_add(q->pv, pg, va);
}

static int queue_range(struct os *os, struct process *p, uint64_t start, uint64_t end, bool move_all,
		       bool (*want)(void *, struct page *), void *ctx, struct pagevec *pv, uint64_t *skipped)
{
	struct queue_ctx q = { .os = os, .pv = pv, .want = want, .ctx = ctx, .move_all = move_all };
	for (size_t i = mm_find_idx(&p->mm, start); i < p->mm.nr_vma && p->mm.vma[i].start < end; i++) {
		const struct vma *v = &p->mm.vma[i];
		if (v->flags & VM_HUGETLB)
			continue;   /* hugetlb pages are not migrated in numasim (see docs/os-migrate.md) */
		int rc = pgtable_walk(os->pm, p->pgd_pfn, SIM_MAX(v->start, start), SIM_MIN(v->end, end), queue_one, &q);
		if (rc)
			return rc;
	}
	if (skipped)
		*skipped += q.skipped;
	return 0;
}

static bool node_ok(const struct os *os, uint64_t node)
{
	return node < os->sys.nr_nodes && node_isset((unsigned)node, &os->sys.memory_nodes);
}

/* ---- move_pages(2) ----------------------------------------------------------------------- */

struct not_on_node {
	unsigned nid;
};

static bool want_not_on(void *ctx, struct page *pg)
{
	return pg->node != ((struct not_on_node *)ctx)->nid;
}

int mig_move_pages(struct os *os, struct process *p, unsigned cpu, sim_time_t now, uint64_t addr, uint64_t count,
		   uint64_t node, uint64_t flags, sim_time_t *cost, char *err, size_t errlen)
{
	struct pagevec pv = { 0 };
	struct not_on_node nn = { (unsigned)node };
	int rc;

	if (flags & ~(uint64_t)(MPOL_MF_MOVE | MPOL_MF_MOVE_ALL))
		return sim_errf(err, errlen, SIM_ERANGE, "EINVAL: flags 0x%" PRIx64 " (only MPOL_MF_MOVE/_ALL)", flags);
	if (!node_ok(os, node))
		return sim_errf(err, errlen, SIM_ERANGE, "ENODEV: node %" PRIu64 " has no memory", node);
	addr &= ~(PAGE_SIZE - 1);
	if (count > (TASK_SIZE >> PAGE_SHIFT) || addr + (count << PAGE_SHIFT) > TASK_SIZE)
		return sim_errf(err, errlen, SIM_ERANGE, "EINVAL: %" PRIu64 " pages from 0x%" PRIx64, count, addr);
	if ((rc = queue_range(os, p, addr, addr + (count << PAGE_SHIFT), flags & MPOL_MF_MOVE_ALL, want_not_on, &nn,
			      &pv, NULL)))
		goto out;
	/* *cost is the time the call has taken since `now` */
	struct migrate_req rq = { .reason = MR_SYSCALL, .cpu = cpu, .now = now + *cost, .target_nid = (int)node };
	migrate_folios(os, pv.pg, (unsigned)pv.n, &rq, cost, NULL);
out:
	pv_free(&pv);
	return rc;
}

/* ---- migrate_pages(2) -------------------------------------------------------------------- */


/* node_remap: the bit of `to` at oldbit's position in `from`, modulo weight(to). */
static int node_remap(unsigned oldbit, const nodemask_t *from, const nodemask_t *to)
{
	unsigned w = nm_weight(to), pos = 0;
	if (!w || !node_isset(oldbit, from))
		return (int)oldbit;
	for (unsigned n = 0; n < oldbit; n++)
		pos += node_isset(n, from);
	pos %= w;
	for (unsigned n = 0; n < HW_MAX_NODES; n++)
		if (node_isset(n, to) && pos-- == 0)
			return (int)n;
	return (int)oldbit;
}

static bool want_on(void *ctx, struct page *pg)
{
	return pg->node == ((struct not_on_node *)ctx)->nid;
}

static uint64_t migrate_to_node(struct os *os, struct process *p, unsigned cpu, sim_time_t now, unsigned source,
				unsigned dest, sim_time_t *cost)
{
	struct pagevec pv = { 0 };
	struct not_on_node nn = { source };
	uint64_t skipped = 0, failed = 0;

	if (queue_range(os, p, 0, TASK_SIZE, false, want_on, &nn, &pv, &skipped) == 0) {
		struct migrate_req rq = { .reason = MR_SYSCALL, .cpu = cpu, .now = now + *cost, .target_nid = (int)dest };
		uint64_t total = 0, moved = 0;
		for (size_t i = 0; i < pv.n; i++)
			total += 1ULL << pv.pg[i]->order;
		migrate_folios(os, pv.pg, (unsigned)pv.n, &rq, cost, &moved);
		failed = total - moved;
	}
	pv_free(&pv);
	return failed + skipped;
}

int mig_migrate_pages(struct os *os, struct process *p, unsigned cpu, sim_time_t now, const nodemask_t *from,
		      const nodemask_t *to, sim_time_t *cost, uint64_t *failed, char *err, size_t errlen)
{
	nodemask_t tmp = *from;
	uint64_t nfail = 0;

	for (unsigned n = 0; n < HW_MAX_NODES; n++)
		if (node_isset(n, to) && !node_ok(os, n))
			return sim_errf(err, errlen, SIM_ERANGE, "EINVAL: target node %u has no memory", n);
	/* do_migrate_pages: pick (source, dest) pairs so no page moves twice */
	for (;;) {
		int source = -1, dest = -1;
		for (unsigned s = 0; s < HW_MAX_NODES; s++) {
			if (!node_isset(s, &tmp))
				continue;
			if (nm_weight(from) != nm_weight(to) && node_isset(s, to))
				continue;
			int d = node_remap(s, from, to);
			if ((int)s == d)
				continue;
			source = (int)s;
			dest = d;
			if (!node_isset((unsigned)dest, &tmp))
				break;
		}
		if (source == -1)
			break;
		tmp.bits[source / 64] &= ~(1ULL << (source % 64));
		nfail += migrate_to_node(os, p, cpu, now, (unsigned)source, (unsigned)dest, cost);
	}
	if (failed)
		*failed = nfail;
	return 0;
}

/* ---- mbind MPOL_MF_MOVE ------------------------------------------------------------------- */

struct outside_mask {
	const nodemask_t *mask;
};

static bool want_outside(void *ctx, struct page *pg)
{
	return !node_isset(pg->node, ((struct outside_mask *)ctx)->mask);
}

struct mbind_alloc {
	struct process *p;
	const struct pagevec *pv;
	size_t cur;               /* pages are offered in pv order */
	unsigned cpu;
};

/* alloc_migration_target_by_mpol: the VMA's (new) policy at the page's address. */
static int mbind_alloc(void *ctx, struct os *os, struct page *src, sim_time_t now, uint64_t *pfn,
		       sim_time_t *cost)
{
	struct mbind_alloc *a = ctx;
	while (a->cur < a->pv->n && a->pv->pg[a->cur] != src)
		a->cur++;
	SIM_BUG_ON(a->cur == a->pv->n);
	uint64_t va = a->pv->va[a->cur];
	const struct vma *v = vma_lookup(&a->p->mm, va);
	const struct mempolicy *pol = v->pol.mode != MPOL_DEFAULT ? &v->pol : &a->p->pol;
	int local = (int)os_cpu_node(os, a->cpu);
	struct mpol_target t = { .nid = local };
	gfp_t gfp = GFP_HIGHUSER_MOVABLE | (src->order ? __GFP_COMP | __GFP_NOWARN | __GFP_NORETRY : 0);

	if (pol->mode != MPOL_DEFAULT) {
		uint64_t bias = v->shm ? v->shm->ino : 0;
		uint64_t ilx = mpol_ilx(v->start, v->pgoff, va, src->order, bias);
		mpol_policy_nodemask(pol, &a->p->il, &os->sys, gfp, ilx, local, &t);
	}
	struct alloc_ctx ac = { .order = src->order, .gfp = gfp, .preferred_nid = t.nid,
				.nodemask = t.has_mask ? &t.mask : NULL, .cpu = a->cpu, .now = now };
	return page_alloc(os->phys, &ac, pfn, cost);
}

uint64_t mig_mbind_move(struct os *os, struct process *p, unsigned cpu, sim_time_t now, uint64_t start,
			uint64_t end, const nodemask_t *mask, bool move_all, sim_time_t *cost)
{
	struct pagevec pv = { 0 };
	struct outside_mask om = { mask };
	uint64_t failed = 0, skipped = 0;

	if (queue_range(os, p, start, end, move_all, want_outside, &om, &pv, &skipped) == 0) {
		struct mbind_alloc a = { .p = p, .pv = &pv, .cpu = cpu };
		struct migrate_req rq = { .reason = MR_MEMPOLICY_MBIND, .cpu = cpu, .now = now + *cost, .alloc = mbind_alloc,
					  .alloc_ctx = &a };
		uint64_t total = 0, moved = 0;
		for (size_t i = 0; i < pv.n; i++)
			total += 1ULL << pv.pg[i]->order;
		migrate_folios(os, pv.pg, (unsigned)pv.n, &rq, cost, &moved);
		failed = total - moved;
	}
	pv_free(&pv);
	return failed + skipped;
}

/* ---- lifetime and report ------------------------------------------------------------------ */


int mig_init(struct os *os, char *err, size_t errlen)
{
	struct mig_state *m = calloc(1, sizeof(*m));

	if (!m || !(m->stolen = calloc(physmem_nr_cpus(os->phys), sizeof(*m->stolen)))) {
		free(m);
		return sim_errf(err, errlen, SIM_ENOMEM, "os: out of host memory");
	}
	m->nr_cpus = physmem_nr_cpus(os->phys);
	m->nr_nodes = physmem_nr_nodes(os->phys);
	os->mig = m;
	compaction_init(os);
	thp_init(os);
	/* the direct_compact hook is installed by os_init together with reclaim's hooks */
	return 0;
}

void mig_destroy(struct os *os)
{
	if (!os->mig)
		return;
	numab_destroy(os);
	compaction_destroy(os);
	thp_destroy(os);
	free(os->mig->stolen);
	free(os->mig);
	os->mig = NULL;
}

void mig_report(const struct os *cos, rep_t *r)
{
	struct os *os = (struct os *)cos;
	struct mig_state *m = os->mig;
	struct stat_block sb = { mig_stat_desc, m->stat, NR_MIG_STATS };

	rep_stats(r, "migration", &sb);
	rep_arr_begin(r, "compaction");
	for (unsigned nid = 0; nid < m->nr_nodes; nid++) {
		rep_obj_begin(r, NULL);
		rep_u64(r, "node", nid);
		rep_u64(r, "fragmentation_score", fragmentation_score_node(os, nid));
		rep_arr_begin(r, "defer_shift");
		for (unsigned z = 0; z < MAX_NR_ZONES; z++)
			rep_u64(r, NULL, m->cz[nid][z].defer_shift);
		rep_arr_end(r);
		rep_obj_end(r);
	}
	rep_arr_end(r);
	rep_arr_begin(r, "numa_balancing");
	for (size_t i = 1; i < os->nr_procs; i++) {
		const struct numab_task *t = os->procs[i]->numab;
		if (!t)
			continue;
		rep_obj_begin(r, NULL);
		rep_i64(r, "pid", t->pid);
		rep_u64(r, "scans", t->scans);
		rep_u64(r, "scan_passes", t->scan_seq);
		rep_u64(r, "ptes_updated", t->ptes_updated);
		rep_u64(r, "scan_period_ps", t->scan_period);
		rep_i64(r, "preferred_node", t->preferred_nid);
		rep_obj_end(r);
	}
	rep_arr_end(r);
}
