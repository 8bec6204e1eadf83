/*
 * os/oom.c - the OOM killer (see oom.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "os/fault.h"
#include "os/memcontrol.h"
#include "os/oom.h"
#include "os/swap.h"
#include "os/vmscan.h"
#include "sim/err.h"

struct oom_kill_rec {
	sim_time_t time;
	int pid;
	int64_t badness;
	uint64_t rss, swapents, pgtables;
	char reason[128];
};

struct oom_state {
	struct oom_kill_rec *log;
	size_t n, cap;
	/* the allocating process chose itself: killed when its fault fails */
	int pending_pid;
	int64_t pending_badness;
	char pending_reason[128];
};

int64_t oom_badness(const struct oom_task *t, uint64_t totalpages)
{
	if (t->unkillable || t->oom_score_adj <= OOM_SCORE_ADJ_MIN)
		return OOM_BADNESS_MIN;
	int64_t points = (int64_t)(t->rss + t->swapents + t->pgtables);
	points += (int64_t)t->oom_score_adj * (int64_t)(totalpages / 1000);
	return points;
}

int oom_create(struct oom_state **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -SIM_ENOMEM;
}

void oom_destroy(struct oom_state *o)
{
	if (!o)
		return;
	free(o->log);
	free(o);
}

static struct oom_task task_of(const struct os *os, const struct process *p)
{
	struct oom_task t = {
		.rss = p->rss_anon + p->rss_file + p->rss_shmem,
		.swapents = p->swapents,
		.oom_score_adj = p->oom_score_adj,
		.unkillable = !p->alive || p->pgd_pfn == NO_PGD,
	};
	for (unsigned n = 0; n < os->sys.nr_nodes; n++)
		t.pgtables += p->pgtables[n];
	return t;
}

static void log_kill(struct os *os, const struct process *p, const struct oom_task *t, int64_t badness,
		     const char *reason)
{
	struct oom_state *o = os->rcl->oom;

	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 8;
		struct oom_kill_rec *n = realloc(o->log, cap * sizeof(*n));
		if (!n)
			return;   /* the kill still happens; only the log entry is lost */
		o->log = n;
		o->cap = cap;
	}
	struct oom_kill_rec *k = &o->log[o->n++];
	memset(k, 0, sizeof(*k));
	k->time = os->now;
	k->pid = p->pid;
	k->badness = badness;
	k->rss = t->rss;
	k->swapents = t->swapents;
	k->pgtables = t->pgtables;
	snprintf(k->reason, sizeof(k->reason), "%s", reason);
}

void oom_kill_process(struct os *os, struct process *p, int64_t badness, const char *reason)
{
	if (!p->alive)
		return;
	struct oom_task t = task_of(os, p);
	if (os->rcl) {
		struct oom_state *o = os->rcl->oom;
		if (o->pending_pid == p->pid) {
			badness = o->pending_badness;
			reason = o->pending_reason;
		}
		log_kill(os, p, &t, badness, reason);
		o->pending_pid = 0;
	}
	vmstat_inc(os->phys, OOM_KILL, 1);
	memcg_oom_kill_event(os, p);
	os_capture_maps(os, p);
	exit_mm(os, p);
	p->alive = false;
}

struct process *oom_select_victim(struct os *os, oom_eligible_fn eligible, const void *ctx, uint64_t totalpages,
				  int64_t *badness)
{
	struct process *victim = NULL;
	int64_t best = OOM_BADNESS_MIN;

	for (size_t i = 1; i < os->nr_procs; i++) {
		struct process *p = os->procs[i];
		if (!p->alive || !eligible(os, p, ctx))
			continue;
		struct oom_task t = task_of(os, p);
		int64_t pts = oom_badness(&t, totalpages);
		if (pts == OOM_BADNESS_MIN || pts < best)
			continue;
		best = pts;
		victim = p;
	}
	*badness = best;
	return victim;
}

void oom_set_pending(struct os *os, const struct process *p, int64_t badness, const char *reason)
{
	struct oom_state *o = os->rcl->oom;
	o->pending_pid = p->pid;
	o->pending_badness = badness;
	snprintf(o->pending_reason, sizeof(o->pending_reason), "%s", reason);
}

/* mempolicy_in_oom_domain: a BIND task counts only if its nodes meet the mask (ctx; NULL: unconstrained). */
static bool in_oom_domain(const struct os *os, const struct process *p, const void *ctx)
{
	const nodemask_t *mask = ctx;
	(void)os;
	if (!mask || p->pol.mode != MPOL_BIND)
		return true;
	for (unsigned i = 0; i < HW_MAX_NODES / 64; i++)
		if (p->pol.nodes.bits[i] & mask->bits[i])
			return true;
	return false;
}

bool out_of_memory(struct os *os, const struct alloc_ctx *ac, sim_time_t *cost)
{
	const nodemask_t *mask = ac->nodemask;
	bool constrained = false;
	uint64_t total = swap_total(os->rcl->swap);
	char reason[128];
	(void)cost;

	if (mask)
		for (unsigned n = 0; n < os->sys.nr_nodes; n++)
			if (node_isset(n, &os->sys.memory_nodes) && !node_isset(n, mask))
				constrained = true;
	for (unsigned n = 0; n < os->sys.nr_nodes; n++) {
		if (constrained && !node_isset(n, mask))
			continue;
		for (unsigned z = 0; z < MAX_NR_ZONES; z++) {
			struct zone_info zi;
			if (!physmem_zone_info(os->phys, n, z, &zi))
				total += constrained ? zi.present : zi.managed;
		}
	}
	int64_t best;
	struct process *victim = oom_select_victim(os, in_oom_domain, constrained ? mask : NULL, total, &best);
	if (!victim) {
		os->rcl->stat[RS_OOM_NO_VICTIM]++;
		return false;
	}
	char mstr[32] = "all";
	if (mask)
		snprintf(mstr, sizeof(mstr), "0x%" PRIx64, mask->bits[0]);
	snprintf(reason, sizeof(reason), "%s order=%u nodemask=%s allocating_pid=%d",
		 constrained ? "CONSTRAINT_MEMORY_POLICY" : "CONSTRAINT_NONE", ac->order, mstr,
		 os->current ? os->current->pid : 0);
	if (victim == os->current) {
		oom_set_pending(os, victim, best, reason);
		return false;
	}
	oom_kill_process(os, victim, best, reason);
	return true;
}

unsigned oom_nr_kills(const struct os *os)
{
	return os->rcl ? (unsigned)os->rcl->oom->n : 0;
}

int oom_kill_pid(const struct os *os, unsigned i)
{
	return os->rcl && i < os->rcl->oom->n ? os->rcl->oom->log[i].pid : 0;
}

void oom_report(struct os *os, struct rep *r)
{
	const struct oom_state *o = os->rcl->oom;

	rep_arr_begin(r, "oom_kills");
	for (size_t i = 0; i < o->n; i++) {
		const struct oom_kill_rec *k = &o->log[i];
		rep_obj_begin(r, NULL);
		rep_ns(r, "time_ns", k->time);
		rep_i64(r, "pid", k->pid);
		rep_i64(r, "badness", k->badness);
		rep_u64(r, "rss", k->rss);
		rep_u64(r, "swapents", k->swapents);
		rep_u64(r, "page_table_pages", k->pgtables);
		rep_str(r, "reason", k->reason);
		rep_obj_end(r);
	}
	rep_arr_end(r);
}
