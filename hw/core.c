/* hw/core.c - issue and completion times of one hardware thread (see core.h). */
#include <stdlib.h>
#include <string.h>
#include "hw/core.h"
#include "hw/pool.h"
#include "sim/err.h"

const char *const core_stall_names[] = {
#define CORE_STALL_NAME(id, name, doc) #name,
	CORE_STALLS(CORE_STALL_NAME)
#undef CORE_STALL_NAME
	NULL
};
const char *const core_stall_docs[] = {
#define CORE_STALL_DOC(id, name, doc) doc,
	CORE_STALLS(CORE_STALL_DOC)
#undef CORE_STALL_DOC
	NULL
};

int core_init(struct core *c, const struct cpu_cfg *cfg, sim_time_t cycle_ps, sim_time_t t)
{
	memset(c, 0, sizeof(*c));
	c->model = cfg->model;
	c->ipc = cfg->ipc ? cfg->ipc : 1;
	c->cycle_ps = cycle_ps;
	c->ps_per_instr = cycle_ps % c->ipc ? 0 : cycle_ps / c->ipc;
	c->disp = t;
	c->last_issue = t;
	c->start = t;
	c->walk_until = t;
	if (c->model == CPU_INORDER)
		return 0;
	c->npw = cfg->page_walkers ? cfg->page_walkers : 1;
	if (c->npw > 16)
		c->npw = 16;
	c->rob_size = cfg->rob ? cfg->rob : 1;
	c->rob_cap = c->rob_size;
	c->lq_size = cfg->lq ? cfg->lq : 1;
	c->sq_size = cfg->sq ? cfg->sq : 1;
	c->nfb = cfg->fill_buffers < CORE_MAX_FB ? cfg->fill_buffers : CORE_MAX_FB;
	c->nl2q = cfg->l2_queue < CORE_MAX_FB ? cfg->l2_queue : CORE_MAX_FB;
	if (!c->nfb)
		c->nfb = 1;
	if (!c->nl2q)
		c->nl2q = 1;
	c->rob = calloc(c->rob_cap, sizeof(*c->rob));
	c->lq = calloc(c->lq_size, sizeof(*c->lq));
	c->sq = calloc(c->sq_size, sizeof(*c->sq));
	if (!c->rob || !c->lq || !c->sq) {
		core_destroy(c);
		return -SIM_ENOMEM;
	}
	return 0;
}

void core_destroy(struct core *c)
{
	free(c->rob);
	free(c->lq);
	free(c->sq);
	c->rob = NULL;
	c->lq = c->sq = NULL;
}

/*
 * An L1 miss takes the fill buffer that frees first until `done`.  An older
 * entry of the same line (the line was evicted while its fill was in
 * flight) forgets it: the L1 now waits for this fill, not that one.
 */
static inline void fb_put(struct core *c, uint64_t line, sim_time_t done)
{
	const unsigned k = c->fb_k;
	unsigned m = 0;
	sim_time_t mv;

	c->fb[k] = SIM_MAX(c->fb[k], done);
	mv = c->fb[0];
	/* one pass: forget the line elsewhere, and find the entry that frees first (the lowest on ties) */
	for (unsigned i = 0; i < c->nfb; i++) {
		sim_time_t v = c->fb[i];
		if (c->fb_line[i] == line)
			c->fb_line[i] = CORE_NO_LINE;
		if (v < mv) {
			mv = v;
			m = i;
		}
	}
	c->fb_line[k] = line;
	c->fb_memo = k;
	c->fb_k = m;
	c->fb_free = mv;
	c->fb_last = SIM_MAX(c->fb_last, done);
}

sim_time_t core_secondary_scan_(struct core *c, uint64_t line, sim_time_t done)
{
	for (unsigned k = 0; k < c->nfb; k++)
		if (c->fb_line[k] == line && c->fb[k] > done) {
			c->secondary++;
			return c->fb[k];
		}
	return done;
}

sim_time_t core_commit(struct core *c, uint32_t gap, uint8_t op, sim_time_t t,
		       const struct core_outcome *o)
{
	sim_time_t done = t + o->lat;

	if (unlikely(o->walk)) {
		/* walks issued in time order: their union grows at the end */
		sim_time_t a = t, b = t + o->walk;
		if (b > c->walk_until) {
			c->walk_active += b - SIM_MAX(a, c->walk_until);
			c->walk_until = b;
		}
		if (c->model != CPU_INORDER)
			pool_take(c->pw, c->npw, &c->pw_k, &c->pw_free, b);
	}
	if (c->model == CPU_INORDER) {
		c->memo_ok = false;
		c->disp = done;
		c->ninstr += gap + 1;
		c->last_issue = t;
		return o->lat;
	}
	if (op != MEM_IFETCH) {
		if (!o->l1_miss)
			done = core_secondary_(c, o->line, done);
		else
			fb_put(c, o->line, done);
	}
	if (o->l2_miss)
		pool_take(c->l2q, c->nl2q, &c->l2q_k, &c->l2q_free, done);
	if (op == MEM_IFETCH && o->l1_miss)
		c->fetch_ready = SIM_MAX(c->fetch_ready, done);
	core_retire_(c, gap, op, t, done);
	return done - t;
}

sim_time_t core_drain_time(const struct core *c, uint32_t gap)
{
	sim_time_t t = c->disp + core_instr_ps_(c, gap);

	if (c->model == CPU_INORDER)
		return t;
	t = SIM_MAX(t, c->last_retire);
	t = SIM_MAX(t, c->last_commit);
	return SIM_MAX(t, c->fetch_ready);
}

void core_consume_gap(struct core *c, uint32_t gap)
{
	c->memo_ok = false;
	c->disp += core_instr_ps_(c, gap);
	c->ninstr += gap;
}

void core_start_at(struct core *c, sim_time_t t)
{
	c->memo_ok = false;
	c->start = SIM_MAX(c->start, t);
	c->walk_until = SIM_MAX(c->walk_until, t);
	core_resume(c, t);
}

void core_resume(struct core *c, sim_time_t t)
{
	c->memo_ok = false;
	c->disp = SIM_MAX(c->disp, t);
	c->last_issue = SIM_MAX(c->last_issue, t);
}

void core_delay(struct core *c, sim_time_t d)
{
	c->memo_ok = false;
	c->disp += d;
}

sim_time_t core_end(const struct core *c)
{
	sim_time_t t = SIM_MAX(c->disp, c->last_retire);

	return SIM_MAX(t, c->last_commit);
}
