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
 * Dispatch time of n instructions at ipc per cycle.  When ipc divides the
 * cycle this is a multiplication (the same value); the general case is a
 * 64-bit division, which costs more than the rest of an L1 hit's timing.
 */
static inline sim_time_t instr_ps(const struct core *c, uint64_t n)
{
	if (likely(c->ps_per_instr))
		return n * c->ps_per_instr;
	return n * c->cycle_ps / c->ipc;
}

static inline bool is_load(uint8_t op)
{
	return op == MEM_LOAD || op == MEM_MODIFY;
}

static inline bool is_store(uint8_t op)
{
	return op == MEM_STORE || op == MEM_MODIFY;
}

static inline void stall(struct core *c, enum core_stall k, sim_time_t *t, sim_time_t until)
{
	c->pend[k] = until - *t;
	c->pend_mask |= 1u << k;
	*t = until;
}

sim_time_t core_issue_time(struct core *c, uint32_t gap, uint8_t op, bool dep)
{
	sim_time_t d, t;
	uint64_t n = c->ninstr + gap;

	if (c->model == CPU_INORDER)
		return c->disp + instr_ps(c, gap);

	/* instructions more than a window older than this one have left the ROB */
	while (c->rob_n && c->rob[c->rob_head].idx + c->rob_size <= n) {
		c->rob_floor = SIM_MAX(c->rob_floor, c->rob[c->rob_head].retire);
		c->rob_head = c->rob_head + 1 == c->rob_cap ? 0 : c->rob_head + 1;
		c->rob_n--;
	}
	c->pend_mask = 0;
	d = c->disp + instr_ps(c, gap);
	if (unlikely(c->fetch_ready > d))
		stall(c, CS_FETCH, &d, c->fetch_ready);
	if (c->rob_floor > d)
		stall(c, CS_ROB, &d, c->rob_floor);
	if (is_load(op) && c->lq[c->lq_i] > d)
		stall(c, CS_LQ, &d, c->lq[c->lq_i]);
	if (is_store(op) && c->sq[c->sq_i] > d)
		stall(c, CS_SQ, &d, c->sq[c->sq_i]);
	c->pend_disp = d;
	t = d;
	if (dep && is_load(op) && c->last_load > t)
		stall(c, CS_DEP, &t, c->last_load);
	if (c->last_issue > t)
		stall(c, CS_ORDER, &t, c->last_issue);
	if (op != MEM_IFETCH) {
		sim_time_t m = SIM_MAX(c->fb_free, c->l2q_free);
		if (m > t)
			stall(c, CS_MSHR, &t, m);
	}
	if (unlikely(c->pw_free > t))
		stall(c, CS_WALK, &t, c->pw_free);
	c->memo_ok = true;
	c->memo_t = t;
	return t;
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

sim_time_t core_commit(struct core *c, uint32_t gap, uint8_t op, sim_time_t t,
		       const struct core_outcome *o)
{
	sim_time_t done = t + o->lat, r, d;
	uint64_t n = c->ninstr + gap;

	c->memo_ok = false;
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
		c->disp = done;
		c->ninstr = n + 1;
		c->last_issue = t;
		return o->lat;
	}
	for (uint32_t m = c->pend_mask; m; m &= m - 1)
		c->stall[__builtin_ctz(m)] += c->pend[__builtin_ctz(m)];
	d = c->pend_disp;
	if (op != MEM_IFETCH) {
		if (!o->l1_miss) {
			/*
			 * A hit on a line still being filled gets its data when the
			 * fill completes.  A line is in at most one entry (fb_put), so
			 * the entry of the latest miss, which a sweep's next hits
			 * touch, answers without the scan.
			 */
			if (unlikely(c->fb_last > done)) {
				unsigned m = c->fb_memo;
				if (c->fb_line[m] == o->line) {
					if (c->fb[m] > done) {
						done = c->fb[m];
						c->secondary++;
					}
				} else {
					for (unsigned k = 0; k < c->nfb; k++)
						if (c->fb_line[k] == o->line && c->fb[k] > done) {
							done = c->fb[k];
							c->secondary++;
							break;
						}
				}
			}
		} else {
			fb_put(c, o->line, done);
		}
	}
	if (o->l2_miss)
		pool_take(c->l2q, c->nl2q, &c->l2q_k, &c->l2q_free, done);
	switch (op) {
	case MEM_IFETCH:
		if (o->l1_miss)
			c->fetch_ready = SIM_MAX(c->fetch_ready, done);
		break;
	case MEM_STORE:
		/* retires once its address and data are known; drains in order once owned */
		r = SIM_MAX(c->last_retire, d + c->cycle_ps);
		c->last_commit = SIM_MAX(SIM_MAX(c->last_commit, r), done);
		c->sq[c->sq_i] = c->last_commit;
		c->sq_i = c->sq_i + 1 == c->sq_size ? 0 : c->sq_i + 1;
		break;
	default: /* loads and read-modify-writes retire when their data is back */
		r = SIM_MAX(c->last_retire, done);
		c->lq[c->lq_i] = r;
		c->lq_i = c->lq_i + 1 == c->lq_size ? 0 : c->lq_i + 1;
		c->last_load = done;
		if (op == MEM_MODIFY) {
			c->last_commit = SIM_MAX(c->last_commit, r);
			c->sq[c->sq_i] = c->last_commit;
			c->sq_i = c->sq_i + 1 == c->sq_size ? 0 : c->sq_i + 1;
		}
		break;
	}
	if (op != MEM_IFETCH) {
		uint32_t tail = c->rob_head + c->rob_n;
		if (tail >= c->rob_cap)
			tail -= c->rob_cap;
		SIM_BUG_ON(c->rob_n == c->rob_cap);
		c->rob[tail].idx = n;
		c->rob[tail].retire = r;
		c->rob_n++;
		c->last_retire = r;
	}
	c->last_issue = t;
	c->disp = d + instr_ps(c, 1);
	c->ninstr = n + 1;
	return done - t;
}

sim_time_t core_drain_time(const struct core *c, uint32_t gap)
{
	sim_time_t t = c->disp + instr_ps(c, gap);

	if (c->model == CPU_INORDER)
		return t;
	t = SIM_MAX(t, c->last_retire);
	t = SIM_MAX(t, c->last_commit);
	return SIM_MAX(t, c->fetch_ready);
}

void core_consume_gap(struct core *c, uint32_t gap)
{
	c->memo_ok = false;
	c->disp += instr_ps(c, gap);
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
