/*
 * os/memcontrol.c - the cgroup v2 memory controller (see memcontrol.h).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "os/fault.h"
#include "os/memcontrol.h"
#include "os/oom.h"
#include "os/psi.h"
#include "os/swap.h"
#include "os/vmscan.h"
#include "sim/err.h"
#include "sim/report.h"

static const char *const memcg_event_names[] = {
#define MEMCG_NAME2(id, name) #name,
	MEMCG_EVENTS(MEMCG_NAME2)
};
static const char *const memcg_vm_event_names[] = { MEMCG_VM_EVENTS(MEMCG_NAME2) };
#undef MEMCG_NAME2
_Static_assert(ARRAY_SIZE(memcg_event_names) == MEMCG_NR_MEMORY_EVENTS, "memory.events names");
_Static_assert(ARRAY_SIZE(memcg_vm_event_names) == NR_MEMCG_VM_EVENTS, "memcg vm event names");

struct mem_cgroup *mem_cgroup_from_id(const struct os *os, unsigned id)
{
	return os->memcg && id < MEMCG_MAX_ID ? os->memcg->cg[id] : NULL;
}

static struct mem_cgroup *parent_mem_cgroup(const struct os *os, const struct mem_cgroup *m)
{
	return m->parent < 0 ? NULL : os->memcg->cg[m->parent];
}

/* id is root or below it */
static bool mem_cgroup_is_descendant(const struct os *os, unsigned id, unsigned root)
{
	for (const struct mem_cgroup *m = mem_cgroup_from_id(os, id); m; m = parent_mem_cgroup(os, m))
		if (m->id == root)
			return true;
	return false;
}

/* ---- the page -> memcg side table ---- */

unsigned page_memcg(const struct os *os, const struct page *pg)
{
	const struct memcg_state *ms = os->memcg;
	size_t b = pg->pfn >> MEMCG_IDS_SHIFT;
	if (!ms || b >= ms->nr_ids || !ms->ids[b])
		return 0;
	return ms->ids[b][pg->pfn & ((1u << MEMCG_IDS_SHIFT) - 1)];
}

/* @return 0 or -SIM_ENOMEM (host memory for the table). */
static int set_page_memcg(struct os *os, uint64_t pfn, unsigned id)
{
	struct memcg_state *ms = os->memcg;
	size_t b = pfn >> MEMCG_IDS_SHIFT;
	if (b >= ms->nr_ids) {
		if (!id)
			return 0;
		size_t n = b + 1 > 2 * ms->nr_ids ? b + 1 : 2 * ms->nr_ids;
		uint16_t **t = realloc(ms->ids, n * sizeof(*t));
		if (!t)
			return -SIM_ENOMEM;
		memset(t + ms->nr_ids, 0, (n - ms->nr_ids) * sizeof(*t));
		ms->ids = t;
		ms->nr_ids = n;
	}
	if (!ms->ids[b]) {
		if (!id)
			return 0;
		if (!(ms->ids[b] = calloc(1u << MEMCG_IDS_SHIFT, sizeof(uint16_t))))
			return -SIM_ENOMEM;
	}
	ms->ids[b][pfn & ((1u << MEMCG_IDS_SHIFT) - 1)] = (uint16_t)id;
	return 0;
}

void mem_cgroup_migrate(struct os *os, const struct page *src, const struct page *dst)
{
	unsigned id = page_memcg(os, src);
	/* dst's block exists once src's does, or the table grows: host memory failing here cannot be undone */
	if (id)
		SIM_BUG_ON(set_page_memcg(os, dst->pfn, id));
}

void mem_cgroup_clear(struct os *os, const struct page *pg)
{
	if (os->memcg)
		set_page_memcg(os, pg->pfn, 0);
}

void split_page_memcg(struct os *os, const struct page *head, unsigned nr)
{
	unsigned id = page_memcg(os, head);
	for (unsigned k = 1; id && k < nr; k++)
		SIM_BUG_ON(set_page_memcg(os, head->pfn + k, id));   /* a PMD folio is one table block */
}

/* ---- the tree ------------------------------------------------------------------------------------- */

static struct mem_cgroup *memcg_alloc(struct os *os, unsigned id, int parent)
{
	struct mem_cgroup *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->id = id;
	m->parent = parent;
	m->memory.max = m->memory.high = PAGE_COUNTER_MAX;
	if (id) {
		unsigned nn = os->memcg->nr_nodes;
		if (!(m->lruvec = calloc(nn ? nn : 1, sizeof(*m->lruvec)))) {
			free(m);
			return NULL;
		}
		for (unsigned n = 0; n < nn; n++) {
			lruvec_init(&m->lruvec[n]);
			m->lruvec[n].memcg = id;
		}
	}
	return m;
}

/* The first memcg brings the controller up: the root and os->memcg. */
static int memcg_enable(struct os *os)
{
	if (os->memcg)
		return 0;
	if (!os->rcl)
		return -SIM_ECONFIG;
	if (!(os->memcg = calloc(1, sizeof(*os->memcg))))
		return -SIM_ENOMEM;
	os->memcg->nr_nodes = os->rcl->nr_nodes;
	if (!(os->memcg->cg[0] = memcg_alloc(os, 0, -1))) {
		free(os->memcg);
		os->memcg = NULL;
		return -SIM_ENOMEM;
	}
	return 0;
}

int mem_cgroup_create(struct os *os, unsigned id, unsigned parent, char *err, size_t errlen)
{
	int rc;

	if (id == 0 || id >= MEMCG_MAX_ID)
		return sim_errf(err, errlen, SIM_ERANGE, "memcg %u is not 1..%u", id, MEMCG_MAX_ID - 1);
	if ((rc = memcg_enable(os)))
		return sim_errf(err, errlen, -rc, "memcg %u: %s", id,
				rc == -SIM_ECONFIG ? "no reclaim state (memory cgroups need the reclaim model)" : "out of memory");
	struct mem_cgroup *m = mem_cgroup_from_id(os, id);
	if (m) {
		if (m->parent != (int)parent)
			return sim_errf(err, errlen, SIM_ERANGE, "memcg %u exists under memcg %d, not %u", id, m->parent,
					parent);
		return 0;
	}
	if (!mem_cgroup_from_id(os, parent))
		return sim_errf(err, errlen, SIM_ERANGE, "memcg %u: parent memcg %u does not exist", id, parent);
	if (!(os->memcg->cg[id] = memcg_alloc(os, id, (int)parent)))
		return sim_errf(err, errlen, SIM_ENOMEM, "memcg %u: out of memory", id);
	/* link it in after the highest live id below it (creation is rare: a walk is fine) */
	uint16_t *next = os->memcg->next_id;
	unsigned prev = 0;
	while (next[prev] && next[prev] < id)
		prev = next[prev];
	next[id] = next[prev];
	next[prev] = (uint16_t)id;
	return 0;
}

/* The next live memcg above id (ascending ids), 0 at the end. */
static unsigned next_live(const struct os *os, unsigned id)
{
	return os->memcg->next_id[id];
}

int memcg_init(struct os *os, char *err, size_t errlen)
{
	for (unsigned i = 0; i < os->cfg.nr_memcg; i++) {
		const struct memcg_cfg *c = &os->cfg.memcg[i];
		char e[200];
		int rc = mem_cgroup_create(os, c->id, c->parent, e, sizeof(e));
		if (rc)
			return sim_errf(err, errlen, SIM_ECONFIG, "os.memcg[%u]: %s", i, e);
		for (unsigned j = 0; j < i; j++) {
			if (os->cfg.memcg[j].id == c->id)
				return sim_errf(err, errlen, SIM_ECONFIG, "os.memcg[%u]: id %u is declared twice", i, c->id);
			for (unsigned k = 0; k < c->nr_pids; k++)
				for (unsigned l = 0; l < os->cfg.memcg[j].nr_pids; l++)
					if (c->pids[k] == os->cfg.memcg[j].pids[l])
						return sim_errf(err, errlen, SIM_ECONFIG,
								"os.memcg[%u].pids: pid %u is already in os.memcg[%u]", i,
								c->pids[k], j);
		}
		struct page_counter *pc = &mem_cgroup_from_id(os, c->id)->memory;
		pc->max = c->max ? c->max >> PAGE_SHIFT : PAGE_COUNTER_MAX;
		pc->high = c->high ? c->high >> PAGE_SHIFT : PAGE_COUNTER_MAX;
		pc->low = c->low >> PAGE_SHIFT;
		pc->min = c->min >> PAGE_SHIFT;
	}
	return 0;
}

unsigned memcg_boot_memcg_of(const struct os *os, int pid)
{
	for (unsigned i = 0; i < os->cfg.nr_memcg; i++)
		for (unsigned k = 0; k < os->cfg.memcg[i].nr_pids; k++)
			if (os->cfg.memcg[i].pids[k] == (uint32_t)pid)
				return os->cfg.memcg[i].id;
	return 0;
}

void memcg_destroy(struct os *os)
{
	if (!os->memcg)
		return;
	for (unsigned i = 0; i < MEMCG_MAX_ID; i++) {
		struct mem_cgroup *m = os->memcg->cg[i];
		if (m) {
			free(m->lruvec);
			free(m);
		}
	}
	for (size_t b = 0; b < os->memcg->nr_ids; b++)
		free(os->memcg->ids[b]);
	free(os->memcg->ids);
	free(os->memcg);
	os->memcg = NULL;
}

int mem_cgroup_attach(struct os *os, struct process *p, unsigned id, char *err, size_t errlen)
{
	int rc;
	if (id && !mem_cgroup_from_id(os, id) && (rc = mem_cgroup_create(os, id, 0, err, errlen)))
		return rc;
	if (id == 0 && !os->memcg && (rc = memcg_enable(os)))
		return sim_errf(err, errlen, -rc, "cgroup_attach: no reclaim state");
	/* cgroup v2 moves the task only; its pages stay charged where they are (memory.move_charge is v1) */
	p->memcg = (uint16_t)id;
	p->memcg_nr_pages_over_high = 0;
	return 0;
}

int mem_cgroup_set(struct os *os, unsigned id, unsigned knob, uint64_t bytes, unsigned cpu, sim_time_t now,
		   sim_time_t *cost, char *err, size_t errlen)
{
	int rc;
	if (knob >= NR_MEMCG_KNOBS)
		return sim_errf(err, errlen, SIM_ERANGE, "cgroup_set: knob %u is not 0 (max), 1 (high), 2 (low), 3 (min)",
				knob);
	if (id == 0)
		return sim_errf(err, errlen, SIM_ERANGE, "cgroup_set: the root memcg has no memory.max/high/low/min");
	if (!mem_cgroup_from_id(os, id) && (rc = mem_cgroup_create(os, id, 0, err, errlen)))
		return rc;
	struct page_counter *pc = &mem_cgroup_from_id(os, id)->memory;
	uint64_t pages = bytes == UINT64_MAX ? PAGE_COUNTER_MAX : bytes >> PAGE_SHIFT;
	switch (knob) {
	case MEMCG_KNOB_MAX:
		pc->max = pages;
		/*
		 * memory_max_write: reclaim down to the new limit, MAX_RECLAIM_RETRIES
		 * attempts without progress, then OOM-kill inside the memcg.
		 */
		for (unsigned retries = MAX_RECLAIM_RETRIES; pc->usage > pc->max;) {
			if (try_to_free_mem_cgroup_pages(os, id, pc->usage - pc->max, GFP_KERNEL, cpu, now + *cost, cost))
				continue;
			if (retries) {
				retries--;
				continue;
			}
			memcg_memory_event(os, id, MEMCG_OOM);
			if (mem_cgroup_out_of_memory(os, id, NULL) <= 0)
				break;
		}
		break;
	case MEMCG_KNOB_HIGH:
		pc->high = pages;
		/* memory_high_write reclaims the excess once */
		if (pc->usage > pc->high)
			try_to_free_mem_cgroup_pages(os, id, pc->usage - pc->high, GFP_KERNEL, cpu, now + *cost, cost);
		break;
	case MEMCG_KNOB_LOW:
		pc->low = pages;
		break;
	case MEMCG_KNOB_MIN:
		pc->min = pages;
		break;
	}
	return 0;
}

/* ---- page_counter ---------------------------------------------------------------------------------- */

uint64_t mem_cgroup_usage(const struct os *os, unsigned id)
{
	const struct mem_cgroup *m = mem_cgroup_from_id(os, id);
	return m ? m->memory.usage : 0;
}

static void page_counter_charge(struct os *os, struct mem_cgroup *m, uint64_t nr)
{
	for (; m && m->id; m = parent_mem_cgroup(os, m)) {
		m->memory.usage += nr;
		if (m->memory.usage > m->memory.watermark)
			m->memory.watermark = m->memory.usage;
	}
}

/* page_counter_try_charge: @return NULL after charging every level, or the level over its max (nothing charged). */
static struct mem_cgroup *page_counter_try_charge(struct os *os, struct mem_cgroup *m, uint64_t nr)
{
	for (struct mem_cgroup *c = m; c && c->id; c = parent_mem_cgroup(os, c))
		if (c->memory.usage + nr > c->memory.max)
			return c;
	page_counter_charge(os, m, nr);
	return NULL;
}

static void page_counter_uncharge(struct os *os, struct mem_cgroup *m, uint64_t nr)
{
	for (; m && m->id; m = parent_mem_cgroup(os, m)) {
		SIM_BUG_ON(m->memory.usage < nr);
		m->memory.usage -= nr;
	}
}

static uint64_t mem_cgroup_margin(const struct mem_cgroup *m)
{
	return m->memory.usage < m->memory.max ? m->memory.max - m->memory.usage : 0;
}

/* ---- events ----------------------------------------------------------------------------------------- */

void memcg_memory_event(struct os *os, unsigned id, enum memcg_memory_event ev)
{
	struct mem_cgroup *m = mem_cgroup_from_id(os, id);
	if (m)
		m->events[ev]++;
}

void memcg_vm_event(struct os *os, const struct lruvec *lv, enum memcg_vm_event ev, uint64_t n)
{
	struct mem_cgroup *m;
	if (os->memcg && (m = mem_cgroup_from_id(os, lv->memcg)))
		m->vm_events[ev] += n;
}

void memcg_oom_kill_event(struct os *os, const struct process *p)
{
	if (os->memcg && p->memcg)
		memcg_memory_event(os, p->memcg, MEMCG_OOM_KILL);
}

/* ---- the memcg OOM killer ---------------------------------------------------------------------------- */

static bool in_memcg(const struct os *os, const struct process *p, const void *ctx)
{
	return mem_cgroup_is_descendant(os, p->memcg, *(const unsigned *)ctx);
}

/*
 * mem_cgroup_out_of_memory: the victim is the process of highest
 * oom_badness among the live processes in the subtree of id, with
 * totalpages = memory.max + swap (mem_cgroup_get_max without a
 * memory.swap.max).  @return 1 when another process was killed (memory
 * was freed), 0 when `self` was chosen (its kill is pending: the failing
 * fault kills it), -1 when nothing could be killed.
 */
int mem_cgroup_out_of_memory(struct os *os, unsigned id, struct process *self)
{
	struct mem_cgroup *m = mem_cgroup_from_id(os, id);
	uint64_t total = m->memory.max + swap_total(os->rcl->swap);
	int64_t best;
	struct process *victim = oom_select_victim(os, in_memcg, &id, total, &best);
	if (!victim) {
		os->memcg->oom_no_victim++;
		return -1;
	}
	char reason[128];
	snprintf(reason, sizeof(reason), "CONSTRAINT_MEMCG memcg=%u allocating_pid=%d", id, self ? self->pid : 0);
	if (victim == self) {
		oom_set_pending(os, victim, best, reason);
		return 0;
	}
	oom_kill_process(os, victim, best, reason);
	return 1;
}

/* ---- charging -------------------------------------------------------------------------------------- */

int mem_cgroup_charge(struct os *os, struct process *p, struct page *pg, gfp_t gfp, unsigned cpu, sim_time_t now,
		      sim_time_t *cost)
{
	struct mem_cgroup *m = mem_cgroup_from_id(os, p->memcg);
	uint64_t nr = page_nr(pg);
	unsigned retries = MAX_RECLAIM_RETRIES;
	bool passed_oom = false;

	SIM_BUG_ON(!m || !m->id || page_memcg(os, pg));
	/* the table slot first: a host out of memory leaves nothing charged */
	if (set_page_memcg(os, pg->pfn, m->id))
		return -SIM_ENOMEM;
	/* try_charge_memcg (mm/memcontrol.c) without the per-CPU charge stock */
	for (;;) {
		struct mem_cgroup *over = page_counter_try_charge(os, m, nr);
		if (!over)
			break;
		/* a caller that may not block (a THP fault without direct reclaim) fails at once */
		if (!(gfp & __GFP_DIRECT_RECLAIM))
			goto nomem;
		memcg_memory_event(os, over->id, MEMCG_MAX);
		uint64_t reclaimed = try_to_free_mem_cgroup_pages(os, over->id, nr, gfp, cpu, now + *cost, cost);
		if (mem_cgroup_margin(over) >= nr)
			continue;
		if (gfp & __GFP_NORETRY)
			goto nomem;
		/* small charges retry while reclaim makes progress */
		if (reclaimed && nr <= (1u << PAGE_ALLOC_COSTLY_ORDER))
			continue;
		if (retries) {
			retries--;
			continue;
		}
		if (gfp & __GFP_RETRY_MAYFAIL)
			goto nomem;
		if (passed_oom && !p->alive)
			goto nomem;
		/* mem_cgroup_oom: no OOM (nor its event) for a costly charge (order > PAGE_ALLOC_COSTLY_ORDER) */
		if (nr > (1u << PAGE_ALLOC_COSTLY_ORDER))
			goto nomem;
		memcg_memory_event(os, over->id, MEMCG_OOM);
		int killed = mem_cgroup_out_of_memory(os, over->id, p);
		if (killed > 0) {
			passed_oom = true;
			retries = MAX_RECLAIM_RETRIES;
			continue;
		}
		if (killed < 0) {
			/* nothing to kill: charged above the limit (counted: memcg oom_no_victim) */
			page_counter_charge(os, m, nr);
			break;
		}
		goto nomem;   /* p itself is the victim */
	}
	for (struct mem_cgroup *c = m; c && c->id; c = parent_mem_cgroup(os, c))
		if (c->memory.usage > c->memory.high) {
			p->memcg_nr_pages_over_high += nr;
			break;
		}
	/* a kernel entry charging more than a batch over high handles it at once, not at its end,
	   when the charge may block (try_charge_memcg: gfpflags_allow_blocking) */
	if (p->memcg_nr_pages_over_high > MEMCG_CHARGE_BATCH && (gfp & __GFP_DIRECT_RECLAIM))
		*cost += mem_cgroup_handle_over_high(os, p, cpu, now + *cost);
	return 0;
nomem:
	set_page_memcg(os, pg->pfn, 0);
	return -SIM_EOOM;
}

void mem_cgroup_uncharge(struct os *os, struct page *pg)
{
	unsigned id = os->memcg ? page_memcg(os, pg) : 0;
	if (!id)
		return;
	struct mem_cgroup *m = mem_cgroup_from_id(os, id);
	SIM_BUG_ON(!m || page_test(pg, PG_lru));
	page_counter_uncharge(os, m, page_nr(pg));
	set_page_memcg(os, pg->pfn, 0);
}

/* ---- memory.high -------------------------------------------------------------------------------------- */

uint64_t memcg_calculate_overage(uint64_t usage, uint64_t high)
{
	if (usage <= high)
		return 0;
	/* prevent division by 0 (a high of 0 throttles at once) */
	high = high ? high : 1;
	return ((usage - high) << MEMCG_DELAY_PRECISION_SHIFT) / high;
}

uint64_t memcg_calculate_high_delay(uint64_t max_overage, uint64_t nr_pages)
{
	if (!max_overage)
		return 0;
	/*
	 * calculate_high_delay: quadratic in the overage so that small excesses
	 * are barely slowed and large ones strongly; the scaling makes 100%
	 * overage of a 64-page batch cost 2^20 * 2^20 * HZ >> 34 = 64 HZ... before the cap.
	 */
	unsigned __int128 pj = (unsigned __int128)max_overage * max_overage * HZ;
	pj >>= MEMCG_DELAY_PRECISION_SHIFT;
	pj >>= MEMCG_DELAY_SCALING_SHIFT;
	pj = pj * nr_pages / MEMCG_CHARGE_BATCH;
	return pj > UINT64_MAX ? UINT64_MAX : (uint64_t)pj;
}

/* mem_find_max_overage: the largest overage of the memcg and its ancestors. */
static uint64_t mem_find_max_overage(const struct os *os, const struct mem_cgroup *m)
{
	uint64_t max = 0;
	for (; m && m->id; m = parent_mem_cgroup(os, m)) {
		uint64_t o = memcg_calculate_overage(m->memory.usage, m->memory.high);
		max = o > max ? o : max;
	}
	return max;
}

/* reclaim_high: every level over its high reclaims nr_pages from itself.  @return pages reclaimed. */
static uint64_t reclaim_high(struct os *os, struct mem_cgroup *m, uint64_t nr_pages, unsigned cpu, sim_time_t now,
			     sim_time_t *cost)
{
	uint64_t reclaimed = 0;
	for (; m && m->id; m = parent_mem_cgroup(os, m)) {
		if (m->memory.usage <= m->memory.high)
			continue;
		memcg_memory_event(os, m->id, MEMCG_HIGH);
		reclaimed += try_to_free_mem_cgroup_pages(os, m->id, nr_pages, GFP_KERNEL, cpu, now + *cost, cost);
	}
	return reclaimed;
}

sim_time_t mem_cgroup_handle_over_high(struct os *os, struct process *p, unsigned cpu, sim_time_t now)
{
	uint64_t nr_pages = p->memcg_nr_pages_over_high;
	struct mem_cgroup *m = mem_cgroup_from_id(os, p->memcg);
	unsigned nr_retries = MAX_RECLAIM_RETRIES;
	sim_time_t cost = 0;
	bool in_retry = false;

	if (!nr_pages || !m)
		return 0;
	p->memcg_nr_pages_over_high = 0;
	for (;;) {
		uint64_t reclaimed = reclaim_high(os, m, in_retry ? SWAP_CLUSTER_MAX : nr_pages, cpu, now, &cost);
		uint64_t penalty = memcg_calculate_high_delay(mem_find_max_overage(os, m), nr_pages);
		if (penalty > MEMCG_MAX_HIGH_DELAY_JIFFIES)
			penalty = MEMCG_MAX_HIGH_DELAY_JIFFIES;
		/* up to 10 ms of overage is not worth a sleep */
		if (penalty <= HZ / 100)
			break;
		/* reclaim that still makes progress is preferred to a sleep */
		if (reclaimed || nr_retries) {
			if (!reclaimed)
				nr_retries--;
			in_retry = true;
			continue;
		}
		sim_time_t sleep = penalty * JIFFY_PS;
		psi_memstall_add(os, cpu, now + cost, sleep);
		cost += sleep;
		break;
	}
	return cost;
}

sim_time_t memcg_return_to_user(struct os *os, struct process *p, unsigned cpu, sim_time_t now, uint64_t faults,
				uint64_t majfaults)
{
	struct mem_cgroup *m = mem_cgroup_from_id(os, p->memcg);
	if (!m || !m->id)
		return 0;
	m->vm_events[MEMCG_PGFAULT] += faults;
	m->vm_events[MEMCG_PGMAJFAULT] += majfaults;
	return p->alive ? mem_cgroup_handle_over_high(os, p, cpu, now) : 0;
}

/* ---- protection ------------------------------------------------------------------------------------- */

int mem_cgroup_iter(const struct os *os, unsigned root, int prev)
{
	if (!os->memcg)
		return prev < 0 && root == 0 ? 0 : -1;
	if (prev < 0)
		return mem_cgroup_from_id(os, root) ? (int)root : -1;
	/*
	 * after the root, its descendants in id order from the lowest: a child
	 * may have a lower id than its parent (ids are the caller's choice)
	 */
	unsigned from = (unsigned)prev == root ? 0 : (unsigned)prev;
	for (unsigned id = next_live(os, from); id; id = next_live(os, id))
		if (id != root && mem_cgroup_is_descendant(os, id, root))
			return (int)id;
	return -1;
}

struct lruvec *mem_cgroup_lruvec(struct os *os, unsigned id, unsigned nid)
{
	if (!id)
		return node_lruvec(os, nid);
	struct mem_cgroup *m = mem_cgroup_from_id(os, id);
	return m && nid < os->memcg->nr_nodes ? &m->lruvec[nid] : NULL;
}

/* propagate_protected_usage, summed when needed: the children's min(usage, setting). */
static uint64_t children_protected_usage(const struct os *os, unsigned parent, bool low)
{
	uint64_t sum = 0;
	for (unsigned id = next_live(os, 0); id; id = next_live(os, id)) {
		const struct mem_cgroup *c = os->memcg->cg[id];
		if (c->parent != (int)parent)
			continue;
		uint64_t set = low ? c->memory.low : c->memory.min;
		sum += c->memory.usage < set ? c->memory.usage : set;
	}
	return sum;
}

/* effective_protection without the memory_recursiveprot mount option (its default). */
static uint64_t effective_protection(uint64_t usage, uint64_t setting, uint64_t parent_effective,
				     uint64_t siblings_protected)
{
	uint64_t protected = usage < setting ? usage : setting;
	/* children overcommitting the parent's protection share it in proportion */
	if (siblings_protected > parent_effective)
		return (uint64_t)((unsigned __int128)protected * parent_effective / siblings_protected);
	return protected;
}

void mem_cgroup_calculate_protection(struct os *os, unsigned root, unsigned id)
{
	struct mem_cgroup *m = mem_cgroup_from_id(os, id);
	/* the target's own values are ignored (mem_cgroup_unprotected) */
	if (!m || id == root || !id)
		return;
	struct page_counter *c = &m->memory;
	if (!c->usage)
		return;
	if (m->parent == (int)root) {
		c->emin = c->min;
		c->elow = c->low;
		return;
	}
	struct mem_cgroup *par = parent_mem_cgroup(os, m);
	c->emin = effective_protection(c->usage, c->min, par->memory.emin, children_protected_usage(os, par->id, false));
	c->elow = effective_protection(c->usage, c->low, par->memory.elow, children_protected_usage(os, par->id, true));
}

/*
 * A memcg that has nothing charged is not protected either: Linux's
 * comparison (elow >= usage) would call an empty memcg protected and
 * count low events for it.
 */
bool mem_cgroup_below_min(const struct os *os, unsigned root, unsigned id)
{
	const struct mem_cgroup *m = mem_cgroup_from_id(os, id);
	if (!m || id == root || !id || !m->memory.usage)
		return false;
	return m->memory.emin >= m->memory.usage;
}

bool mem_cgroup_below_low(const struct os *os, unsigned root, unsigned id)
{
	const struct mem_cgroup *m = mem_cgroup_from_id(os, id);
	if (!m || id == root || !id || !m->memory.usage)
		return false;
	return m->memory.elow >= m->memory.usage;
}

uint64_t mem_cgroup_protection(const struct os *os, unsigned root, unsigned id, bool in_low_reclaim)
{
	const struct mem_cgroup *m = mem_cgroup_from_id(os, id);
	if (!m || id == root || !id)
		return 0;
	/* the second pass ignores memory.low but still honours memory.min */
	if (in_low_reclaim)
		return m->memory.emin;
	return m->memory.emin > m->memory.elow ? m->memory.emin : m->memory.elow;
}

uint64_t memcg_protected_lru_size(uint64_t lru_size, uint64_t protection, uint64_t cgroup_size)
{
	if (!protection)
		return lru_size;
	/* scan in proportion to the unprotected part, at least a batch so that small overages go */
	if (cgroup_size < protection)
		cgroup_size = protection;
	uint64_t scan = lru_size - (uint64_t)((unsigned __int128)lru_size * protection / (cgroup_size + 1));
	return scan > SWAP_CLUSTER_MAX ? scan : SWAP_CLUSTER_MAX;
}

uint64_t mem_cgroup_tree_lru(const struct os *os, unsigned id, unsigned nid, enum lru_list l)
{
	if (id == 0)
		return node_stat(os->phys, nid, NR_INACTIVE_ANON + l);
	uint64_t n = 0;
	for (int c = mem_cgroup_iter(os, id, -1); c >= 0; c = mem_cgroup_iter(os, id, c))
		n += os->memcg->cg[c]->lruvec[nid].nr[l];
	return n;
}

/* ---- memcg reclaim ------------------------------------------------------------------------------------ */

uint64_t try_to_free_mem_cgroup_pages(struct os *os, unsigned id, uint64_t nr_pages, gfp_t gfp, unsigned cpu,
				      sim_time_t now, sim_time_t *cost)
{
	struct scan_control sc = {
		.nr_to_reclaim = nr_pages > SWAP_CLUSTER_MAX ? nr_pages : SWAP_CLUSTER_MAX,
		.reclaim_idx = MAX_NR_ZONES - 1,
		.may_writepage = true,
		.may_unmap = true,
		.may_swap = true,
		.target_memcg = id,
		.cpu = cpu,
		.now = now,
	};
	(void)gfp;

	if (!os->rcl)
		return 0;
	/* the zonelist of the reclaiming CPU's node, every node, as Linux's numa_node_id() zonelist */
	do_try_to_free_pages(os, os_cpu_node(os, cpu), NULL, &sc);
	/*
	 * Short of the target with the memcg's swap-outs still being written:
	 * reclaim_throttle(VMSCAN_THROTTLE_CONGESTED), as shrink_node does for
	 * a cgroup lruvec marked LRUVEC_CGROUP_CONGESTED: sleep until a batch
	 * of writes completes, at most HZ/50, so that the charge's next retry
	 * finds those pages clean and freeable.
	 */
	if (sc.nr_reclaimed < sc.nr_to_reclaim && swap_writeback_pending(os))
		sc.throttled += reclaim_throttle(os, VMSCAN_THROTTLE_CONGESTED, now + sc.cost + sc.throttled);
	*cost += sc.cost + sc.throttled;
	psi_memstall_add(os, cpu, now, sc.cost + sc.throttled);
	return sc.nr_reclaimed;
}

/* ---- views ---------------------------------------------------------------------------------------------- */

struct memcg_sums {
	uint64_t stat[NR_LRUVEC_STATS], lru[NR_LRU_LISTS];
	uint64_t ev[NR_MEMCG_VM_EVENTS], events[MEMCG_NR_MEMORY_EVENTS];
};

/* The hierarchical figures of id (cgroup v2 files are recursive), node nid only or all (-1). */
static void memcg_sum(const struct os *os, unsigned id, int nid, struct memcg_sums *s)
{
	memset(s, 0, sizeof(*s));
	for (int c = mem_cgroup_iter(os, id, -1); c >= 0; c = mem_cgroup_iter(os, id, c)) {
		const struct mem_cgroup *m = os->memcg->cg[c];
		for (unsigned n = 0; n < os->memcg->nr_nodes; n++) {
			if (nid >= 0 && n != (unsigned)nid)
				continue;
			for (unsigned k = 0; k < NR_LRUVEC_STATS; k++)
				s->stat[k] += m->lruvec[n].nr_stat[k];
			for (unsigned l = 0; l < NR_LRU_LISTS; l++)
				s->lru[l] += m->lruvec[n].nr[l];
		}
		for (unsigned k = 0; k < NR_MEMCG_VM_EVENTS; k++)
			s->ev[k] += m->vm_events[k];
		for (unsigned k = 0; k < MEMCG_NR_MEMORY_EVENTS; k++)
			s->events[k] += m->events[k];
	}
}

/* memory.stat / memory.numa_stat items the model keeps, in memory_stats[] order, bytes. */
static const struct { const char *name; int stat, lru; } memcg_page_items[] = {
	{ "anon", LRUVEC_ANON, -1 },
	{ "file", LRUVEC_FILE, -1 },
	{ "shmem", LRUVEC_SHMEM, -1 },
	{ "anon_thp", LRUVEC_ANON_THP, -1 },
	{ "inactive_anon", -1, LRU_INACTIVE_ANON },
	{ "active_anon", -1, LRU_ACTIVE_ANON },
	{ "inactive_file", -1, LRU_INACTIVE_FILE },
	{ "active_file", -1, LRU_ACTIVE_FILE },
	{ "unevictable", -1, LRU_UNEVICTABLE },
};

static uint64_t item_pages(const struct memcg_sums *s, unsigned i)
{
	return memcg_page_items[i].stat >= 0 ? s->stat[memcg_page_items[i].stat] : s->lru[memcg_page_items[i].lru];
}

static void memcg_path(const struct os *os, unsigned id, char *buf, size_t len)
{
	const struct mem_cgroup *m = mem_cgroup_from_id(os, id);
	if (!m || !m->id) {
		snprintf(buf, len, "/sys/fs/cgroup");
		return;
	}
	char par[512];
	memcg_path(os, (unsigned)m->parent, par, sizeof(par));
	snprintf(buf, len, "%s/memcg%u", par, id);
}

static void memory_stat_show(const struct os *os, unsigned id, FILE *fp)
{
	struct memcg_sums s;
	memcg_sum(os, id, -1, &s);
	for (unsigned i = 0; i < ARRAY_SIZE(memcg_page_items); i++)
		fprintf(fp, "%s %" PRIu64 "\n", memcg_page_items[i].name, item_pages(&s, i) << PAGE_SHIFT);
	const uint64_t *e = s.ev;
	fprintf(fp, "pgscan %" PRIu64 "\n", e[MEMCG_PGSCAN_KSWAPD] + e[MEMCG_PGSCAN_DIRECT]);
	fprintf(fp, "pgsteal %" PRIu64 "\n", e[MEMCG_PGSTEAL_KSWAPD] + e[MEMCG_PGSTEAL_DIRECT]);
	for (unsigned k = 0; k < NR_MEMCG_VM_EVENTS; k++)
		fprintf(fp, "%s %" PRIu64 "\n", memcg_vm_event_names[k], e[k]);
}

static void memory_numa_stat_show(const struct os *os, unsigned id, FILE *fp)
{
	for (unsigned i = 0; i < ARRAY_SIZE(memcg_page_items); i++) {
		fprintf(fp, "%s", memcg_page_items[i].name);
		for (unsigned n = 0; n < os->memcg->nr_nodes; n++) {
			struct memcg_sums s;
			memcg_sum(os, id, (int)n, &s);
			fprintf(fp, " N%u=%" PRIu64, n, item_pages(&s, i) << PAGE_SHIFT);
		}
		fputc('\n', fp);
	}
}

static void memory_events_show(const struct os *os, unsigned id, FILE *fp)
{
	struct memcg_sums s;
	memcg_sum(os, id, -1, &s);
	for (unsigned k = 0; k < MEMCG_NR_MEMORY_EVENTS; k++)
		fprintf(fp, "%s %" PRIu64 "\n", memcg_event_names[k], s.events[k]);
}

static void memory_current_show(const struct os *os, unsigned id, FILE *fp)
{
	fprintf(fp, "%" PRIu64 "\n", os->memcg->cg[id]->memory.usage << PAGE_SHIFT);
}

static void memory_peak_show(const struct os *os, unsigned id, FILE *fp)
{
	fprintf(fp, "%" PRIu64 "\n", os->memcg->cg[id]->memory.watermark << PAGE_SHIFT);
}

static const struct {
	const char *name;
	void (*show)(const struct os *os, unsigned id, FILE *fp);
} memcg_views[] = {
#define MEMCG_VIEW(name, fn) { name, fn },
	MEMCG_VIEWS(MEMCG_VIEW)
#undef MEMCG_VIEW
};

int memcg_dump(const struct os *os, const char *view, FILE *fp)
{
	unsigned v = 0;

	while (v < ARRAY_SIZE(memcg_views) && strcmp(view, memcg_views[v].name))
		v++;
	if (v == ARRAY_SIZE(memcg_views))
		return -SIM_EUSAGE;
	if (!os->memcg)
		return 0;   /* no memory cgroup below the root: nothing to print */
	for (unsigned id = next_live(os, 0); id; id = next_live(os, id)) {
		char path[600];
		memcg_path(os, id, path, sizeof(path));
		fprintf(fp, "==> %s/%s <==\n", path, view);
		memcg_views[v].show(os, id, fp);
	}
	return 0;
}

void memcg_report(const struct os *os, struct rep *r)
{
	if (!os->memcg)
		return;
	rep_arr_begin(r, "memcg");
	for (unsigned id = next_live(os, 0); id; id = next_live(os, id)) {
		const struct mem_cgroup *m = os->memcg->cg[id];
		struct memcg_sums s;
		memcg_sum(os, id, -1, &s);
		rep_obj_begin(r, NULL);
		rep_u64(r, "id", id);
		rep_i64(r, "parent", m->parent);
		rep_u64(r, "current", m->memory.usage << PAGE_SHIFT);
		rep_u64(r, "peak", m->memory.watermark << PAGE_SHIFT);
		for (unsigned k = 0; k < MEMCG_NR_MEMORY_EVENTS; k++)
			rep_u64(r, memcg_event_names[k], s.events[k]);
		for (unsigned k = 0; k < NR_MEMCG_VM_EVENTS; k++)
			rep_u64(r, memcg_vm_event_names[k], s.ev[k]);
		rep_obj_end(r);
	}
	rep_arr_end(r);
	rep_u64(r, "memcg_oom_no_victim", os->memcg->oom_no_victim);
}
