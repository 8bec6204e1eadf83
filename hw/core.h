/*
 * hw/core.h - timing of one hardware thread's instruction stream: when each
 * memory access issues and when it completes, given the latency the memory
 * hierarchy returns for it.
 *
 * Two models (cpu.model):
 *
 *   inorder  one access at a time: the gap's instructions take gap/ipc
 *            cycles, then the access issues and the core waits for it.
 *
 *   ooo      an out-of-order window, after the interval model (Karkhanis &
 *            Smith, ISCA 2004; Eyerman et al., ACM TOCS 2009).  Instructions
 *            dispatch in order at `ipc` per cycle into a reorder buffer of
 *            `rob` entries and retire in order once complete.  A load
 *            occupies a load-queue entry until it retires; a store occupies a
 *            store-queue (store buffer) entry until it has drained to the L1
 *            after retirement, so stores do not hold up retirement.  An L1D
 *            miss holds a fill buffer and an L2 miss an L2-queue entry until
 *            its data returns.  So independent misses overlap up to the
 *            smallest of those limits, and a long miss stalls dispatch only
 *            once the window behind it is full.
 *
 * Approximations, stated in docs/engine.md:
 *   - memory accesses issue in program order: a load whose address depends
 *     on an earlier load (TREC_DEP) waits for it, and so do the accesses
 *     after it;
 *   - an access that finds every fill buffer (or L2-queue entry, or page
 *     walker) busy waits for the first to free even if it would have hit;
 *   - a store's ownership request (RFO) is sent when it issues, as Intel
 *     cores do for stores whose address is known, and the store drains from
 *     the store buffer in order once retired and owned;
 *   - an instruction fetch that misses stalls dispatch until its line
 *     arrives (the front end cannot run ahead of missing code);
 *   - non-memory instructions complete one cycle after dispatch.
 *
 * The model is pure arithmetic on the thread's own state: no event queue,
 * no allocation after core_init(), O(1) per access (amortised).
 */
#ifndef HW_CORE_H
#define HW_CORE_H

#include "hw/hw_cfg.h"
#include "sim/err.h"

#define CORE_MAX_FB 256
#define CORE_NO_LINE UINT64_MAX   /* an empty fill-buffer entry's line */

/* Where dispatch or issue time went (ps, per thread; the report's "core" block). */
#define CORE_STALLS(X)                                                                              \
	X(CS_ROB,   rob_full,   "dispatch waited for the oldest instruction to retire (window full)") \
	X(CS_LQ,    lq_full,    "dispatch waited for a load-queue entry")                            \
	X(CS_SQ,    sq_full,    "dispatch waited for a store-buffer entry")                          \
	X(CS_FETCH, ifetch_miss,      "dispatch waited for an instruction-fetch miss")                     \
	X(CS_DEP,   dependence,   "issue waited for the load a dependent load's address came from")    \
	X(CS_MSHR,  fill_buffers_full,  "issue waited for a fill buffer or L2-queue entry")                  \
	X(CS_WALK,  page_walkers_busy, "issue waited for a free page walker")                              \
	X(CS_ORDER, in_order_issue, "issue waited behind an older access (in-order issue)")

enum core_stall {
#define CORE_STALL_ENUM(id, name, doc) id,
	CORE_STALLS(CORE_STALL_ENUM)
#undef CORE_STALL_ENUM
	NR_CORE_STALLS
};
extern const char *const core_stall_names[];
extern const char *const core_stall_docs[];

struct core_rob_ent {
	uint64_t idx;           /* instruction number */
	sim_time_t retire;
};

struct core {
	uint32_t model;         /* enum cpu_model */
	uint32_t ipc;
	sim_time_t cycle_ps;
	sim_time_t ps_per_instr; /* cycle_ps / ipc when exact, else 0 (instr_ps divides) */
	sim_time_t disp;        /* when the next instruction may dispatch */
	uint64_t ninstr;        /* instructions dispatched */
	sim_time_t last_issue;  /* in-order issue */
	sim_time_t last_load;   /* completion of the most recent load (dependences) */
	sim_time_t last_retire; /* retirement of the youngest memory instruction */
	sim_time_t last_commit; /* store-buffer drain of the youngest store */
	sim_time_t fetch_ready; /* an instruction-fetch miss holds dispatch until then */
	sim_time_t rob_floor;   /* retire time of the youngest instruction that left the window */
	/* reorder buffer: memory instructions in flight, oldest first (ring) */
	struct core_rob_ent *rob;
	uint32_t rob_cap, rob_head, rob_n, rob_size;
	/* load and store queues: the time each entry frees, indexed by count % size */
	sim_time_t *lq, *sq;
	uint32_t lq_size, sq_size;
	uint32_t lq_i, sq_i;    /* the entry the next load / store takes */
	/* fill buffers and L2 queue: busy-until per entry; lines in flight for secondary hits */
	sim_time_t fb[CORE_MAX_FB];
	uint64_t fb_line[CORE_MAX_FB];
	sim_time_t l2q[CORE_MAX_FB];
	uint32_t nfb, nl2q;
	uint32_t fb_k, l2q_k;   /* earliest-free entry (fill buffers) / head of the sorted ring (L2 queue), and its time */
	sim_time_t fb_free, l2q_free;
	sim_time_t fb_last;     /* latest fill completion: no secondary-hit scan after it */
	uint32_t fb_memo;       /* the entry of the latest L1 miss */
	sim_time_t pw[16];      /* page walkers: busy-until */
	uint32_t npw, pw_k;     /* pw is a sorted ring like l2q; pw_k its head */
	sim_time_t pw_free;
	sim_time_t walk_until;  /* end of the latest walk: the union of walk intervals so far */
	sim_time_t walk_active; /* ps during which at least one walk was in progress */
	sim_time_t start;       /* when the thread started */
	sim_time_t pend[NR_CORE_STALLS];   /* stalls of the access core_issue_time last timed */
	uint32_t pend_mask;                /* which of pend[] are set */
	sim_time_t pend_disp;              /* and its dispatch time */
	uint64_t stall[NR_CORE_STALLS];
	uint64_t secondary;     /* L1 hits on a line whose fill was still in flight */
	/*
	 * The latest core_issue_time answer, for the same question asked again
	 * before anything changed the core (a thread that yielded on its head
	 * access asks again when its turn comes).  Every function that changes
	 * the core's state clears it.
	 */
	bool memo_ok;           /* memo_t is the latest core_issue_time answer, and nothing changed since */
	sim_time_t memo_t;
};

/* What the hierarchy said about an issued access. */
struct core_outcome {
	sim_time_t lat;         /* ps from issue to data (hw_res.lat) */
	sim_time_t walk;        /* ps of lat in page walks (hw_res.walk) */
	uint64_t line;          /* physical line number */
	bool l1_miss, l2_miss;
};

/* A thread starting at t.  @return 0 or -SIM_ENOMEM. */
int core_init(struct core *c, const struct cpu_cfg *cfg, sim_time_t cycle_ps, sim_time_t t);
void core_destroy(struct core *c);

/*
 * Dispatch time of n instructions at ipc per cycle.  When ipc divides the
 * cycle this is a multiplication (the same value); the general case is a
 * 64-bit division, which costs more than the rest of an L1 hit's timing.
 */
static inline sim_time_t core_instr_ps_(const struct core *c, uint64_t n)
{
	if (likely(c->ps_per_instr))
		return n * c->ps_per_instr;
	return n * c->cycle_ps / c->ipc;
}

static inline bool core_is_load_(uint8_t op) { return op == MEM_LOAD || op == MEM_MODIFY; }
static inline bool core_is_store_(uint8_t op) { return op == MEM_STORE || op == MEM_MODIFY; }

static inline void core_stall_(struct core *c, enum core_stall k, sim_time_t *t, sim_time_t until)
{
	c->pend[k] = until - *t;
	c->pend_mask |= 1u << k;
	*t = until;
}

/*
 * Earliest time the next access, after `gap` non-memory instructions, can
 * issue.  Inline, with core_commit_l1_hit: the driver times every access
 * with them.
 */
static inline sim_time_t core_issue_time(struct core *c, uint32_t gap, uint8_t op, bool dep)
{
	sim_time_t d, t;
	uint64_t n = c->ninstr + gap;

	if (c->model == CPU_INORDER)
		return c->disp + core_instr_ps_(c, gap);

	/* instructions more than a window older than this one have left the ROB */
	while (c->rob_n && c->rob[c->rob_head].idx + c->rob_size <= n) {
		c->rob_floor = SIM_MAX(c->rob_floor, c->rob[c->rob_head].retire);
		c->rob_head = c->rob_head + 1 == c->rob_cap ? 0 : c->rob_head + 1;
		c->rob_n--;
	}
	c->pend_mask = 0;
	d = c->disp + core_instr_ps_(c, gap);
	if (unlikely(c->fetch_ready > d))
		core_stall_(c, CS_FETCH, &d, c->fetch_ready);
	if (c->rob_floor > d)
		core_stall_(c, CS_ROB, &d, c->rob_floor);
	if (core_is_load_(op) && c->lq[c->lq_i] > d)
		core_stall_(c, CS_LQ, &d, c->lq[c->lq_i]);
	if (core_is_store_(op) && c->sq[c->sq_i] > d)
		core_stall_(c, CS_SQ, &d, c->sq[c->sq_i]);
	c->pend_disp = d;
	t = d;
	if (dep && core_is_load_(op) && c->last_load > t)
		core_stall_(c, CS_DEP, &t, c->last_load);
	if (c->last_issue > t)
		core_stall_(c, CS_ORDER, &t, c->last_issue);
	if (op != MEM_IFETCH) {
		sim_time_t m = SIM_MAX(c->fb_free, c->l2q_free);
		if (m > t)
			core_stall_(c, CS_MSHR, &t, m);
	}
	if (unlikely(c->pw_free > t))
		core_stall_(c, CS_WALK, &t, c->pw_free);
	c->memo_ok = true;
	c->memo_t = t;
	return t;
}

/*
 * The answer of the latest core_issue_time() when no core_* call has
 * changed the core since, for a caller asking about the same access again
 * (a thread that yielded on it): @return true and *t, else false.
 */
static inline bool core_issue_time_again(const struct core *c, sim_time_t *t)
{
	*t = c->memo_t;
	return c->memo_ok;
}

/*
 * The access was issued at `t` (the value core_issue_time returned) and the
 * hierarchy answered `o`.  @return its latency as the thread sees it: longer
 * than o->lat when it hit a line whose fill was still in flight.
 */
sim_time_t core_commit(struct core *c, uint32_t gap, uint8_t op, sim_time_t t,
		       const struct core_outcome *o);

/* The scan of core_secondary_ when the latest miss's entry holds another line. */
sim_time_t core_secondary_scan_(struct core *c, uint64_t line, sim_time_t done);

/*
 * An L1 hit whose data would be there at `done`: a hit on a line still
 * being filled gets its data when the fill completes.  A line is in at most
 * one fill buffer (fb_put in core.c), so the entry of the latest miss, which
 * a sweep's next hits touch, answers without the scan.  @return when the
 * data is there.
 */
static inline sim_time_t core_secondary_(struct core *c, uint64_t line, sim_time_t done)
{
	if (likely(c->fb_last <= done))
		return done;
	if (c->fb_line[c->fb_memo] != line)
		return core_secondary_scan_(c, line, done);
	if (c->fb[c->fb_memo] > done) {
		c->secondary++;
		return c->fb[c->fb_memo];
	}
	return done;
}

/*
 * The out-of-order model's bookkeeping of an access issued at t whose data
 * is there at `done`, after the miss-specific parts of core_commit: the
 * stalls timed at issue, retirement, the load and store queues, the ROB.
 */
static inline void core_retire_(struct core *c, uint32_t gap, uint8_t op, sim_time_t t, sim_time_t done)
{
	const uint64_t n = c->ninstr + gap;
	const sim_time_t d = c->pend_disp;
	sim_time_t r = 0;

	c->memo_ok = false;
	for (uint32_t m = c->pend_mask; m; m &= m - 1)
		c->stall[__builtin_ctz(m)] += c->pend[__builtin_ctz(m)];
	switch (op) {
	case MEM_IFETCH:
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
	c->disp = d + core_instr_ps_(c, 1);
	c->ninstr = n + 1;
}

/*
 * core_commit for an access that hit the L1 (TLB hit, no walk, no miss):
 * the same result, inline.  @return its latency as the thread sees it.
 */
static inline sim_time_t core_commit_l1_hit(struct core *c, uint32_t gap, uint8_t op, sim_time_t t,
					    sim_time_t lat, uint64_t line)
{
	sim_time_t done = t + lat;

	if (unlikely(c->model == CPU_INORDER)) {
		const struct core_outcome o = { .lat = lat, .line = line };
		return core_commit(c, gap, op, t, &o);
	}
	if (op != MEM_IFETCH)
		done = core_secondary_(c, line, done);
	core_retire_(c, gap, op, t, done);
	return done - t;
}

/*
 * Serialising point after `gap` instructions (a system call, a page fault
 * before its handler runs): @return when every older instruction has retired
 * and the store buffer has drained.  core_resume() then restarts dispatch.
 */
sim_time_t core_drain_time(const struct core *c, uint32_t gap);
/* The gap's instructions were dispatched (core_drain_time's `gap`): count them. */
void core_consume_gap(struct core *c, uint32_t gap);
/* A thread created ahead of its start (a clone not replayed yet) starts at t. */
void core_start_at(struct core *c, sim_time_t t);
/* Everything restarts at t (after a fault handler or a system call). */
void core_resume(struct core *c, sim_time_t t);
/* Work the CPU did elsewhere (a kernel thread ran on it): dispatch resumes d later. */
void core_delay(struct core *c, sim_time_t d);
/* Time during which one of the thread's page walks was in progress (ps). */
static inline sim_time_t core_walk_active(const struct core *c) { return c->walk_active; }
/* When the last instruction has retired and the last store drained. */
sim_time_t core_end(const struct core *c);
/* When the next instruction may dispatch: how far the thread has got in its program. */
static inline sim_time_t core_dispatch_time(const struct core *c)
{
	return c->disp > c->fetch_ready ? c->disp : c->fetch_ready;
}

#endif
