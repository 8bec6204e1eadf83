/*
 * sim/cli/run.c - the replay engine behind `numasim run`.
 *
 * Wires the layers: trace readers feed per-thread record queues; each
 * thread is an agent (an event) that replays its records on its CPU through
 * hw_access(), asks the OS to resolve faults and to apply control records
 * (mmap, mbind, ...), and accumulates per-CPU statistics.
 *
 * Records of one trace file may interleave several threads.  A reader is
 * shared by the threads of its file and demultiplexes into per-thread
 * queues on demand, so a file is decoded once; queues hold only the records
 * read ahead of a lagging thread.  However far apart the file puts its
 * threads, a queue keeps at most RUN_QUEUE_MAX records in memory and
 * spills the rest to disk (traces/tspill.h), so memory does not grow with
 * the trace.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "hw/core.h"
#include "hw/hw.h"
#include "hw/hw_hit.h"
#include "os/os.h"
#include "os/page_content.h"
#include "sim/cli/run.h"
#include "sim/err.h"
#include "sim/ev.h"
#include "sim/hist.h"
#include "sim/pmem.h"
#include "sim/version.h"
#include "traces/tspill.h"

#define MAX_THREADS_PER_TRACE 1024
#define RUN_QUEUE_MAX (1u << 16)   /* records of one thread in memory (1.5 MiB); more spill to disk */
/*
 * No replay gets near 2^62 ps (53 days of simulated time); a clock past it
 * is a runaway (periodic kernel threads alone on the queue), stopped before
 * any sum of times can wrap around 2^64.
 */
#define SIM_TIME_LIMIT (1ULL << 62)
#define FAULT_RETRIES 8

/* Per-CPU statistics of the replay itself (the hw/ and os/ layers keep theirs). */
#define RUN_STATS(X)                                                                             \
	X(RS_ACCESSES,  accesses,  EVENT, "accesses", "memory references replayed")              \
	X(RS_LOADS,     loads,     EVENT, "accesses", "loads")                                   \
	X(RS_STORES,    stores,    EVENT, "accesses", "stores")                                  \
	X(RS_IFETCHES,  ifetches,  EVENT, "accesses", "instruction fetches")                     \
	X(RS_MODIFIES,  modifies,  EVENT, "accesses", "read-modify-writes")                      \
	X(RS_GAP,       compute_instructions, EVENT, "instructions", "non-memory instructions (gaps)") \
	X(RS_FAULTS,    faults,    EVENT, "faults", "page faults resolved by the OS")            \
	X(RS_FAULT_PS,  fault_ps,  EVENT, "ps", "CPU time in page faults")                       \
	X(RS_SYSCALLS,  syscalls,  EVENT, "calls", "control records applied")                    \
	X(RS_SYSCALL_PS, syscall_ps, EVENT, "ps", "CPU time in system calls")                    \
	X(RS_XLAT_PS,   xlat_ps,   EVENT, "ps", "latency spent translating")                     \
	X(RS_LAT_PS,    lat_ps,    EVENT, "ps", "total access latency")                          \
	X(RS_SEGV,      segv,      EVENT, "accesses", "accesses outside any mapping or not permitted (skipped)") \
	X(RS_SYSCALL_ERR, syscall_errors, EVENT, "calls", "control records the OS rejected")    \
	X(RS_DEP_LOADS, dependent_loads, EVENT, "loads", "loads whose address came from the previous load (TREC_DEP)") \
	X(RS_SECONDARY, secondary_hits, EVENT, "accesses", "L1 hits on a line whose fill was still in flight") \
	X(RS_ZERO_PAGE, zero_page_accesses, EVENT, "accesses", "accesses that read the shared zero page") \
	X(RS_WALK_ACTIVE_PS, walk_active_ps, EVENT, "ps", "time during which a thread had a page walk in progress") \
	X(RS_THREAD_PS, thread_ps, EVENT, "ps", "threads' lifetimes, first record to last retirement") \
	X(RS_FUTEX_WAITS, futex_waits, EVENT, "calls", "futex waits replayed")                     \
	X(RS_FUTEX_BLOCKED, futex_blocked, EVENT, "calls", "futex waits that slept until their wake was replayed") \
	X(RS_FUTEX_UNMATCHED, futex_unmatched, EVENT, "calls", "waits that returned 0 with no recorded wake (went on)") \
	X(RS_FUTEX_WAKES, futex_wakes, EVENT, "calls", "futex wakes replayed (exit wakes included)") \
	X(RS_BLOCKED_PS, blocked_ps, EVENT, "ps", "simulated time threads slept (futex waits, address-space order)") \
	X(RS_SEQ_WAITS, seq_waits, EVENT, "calls", "address-space operations that waited for an earlier one of another thread") \
	X(RS_SEQ_SKIPPED, seq_skipped, EVENT, "calls", "address-space positions never replayed (their thread ended early), skipped")

enum run_stat { RUN_STATS(STAT_ENUM) NR_RUN_STATS };
static const struct stat_desc run_stat_desc[] = { RUN_STATS(STAT_DESC) };
STAT_TABLE_CHECK(run_stat_desc, NR_RUN_STATS);

#define MAX_HOPS 8
#define TS_MAX_COLS 96
#define TS_MAX_ROWS 4096      /* past this, adjacent rows merge and the interval doubles */
#define TS_RUN_COLS 4         /* accesses, memory accesses, remote accesses, latency ps */

struct cpu_stats {
	uint64_t stat[NR_RUN_STATS];
	uint64_t served[NR_HW_SERVED];
	uint64_t served_ps[NR_HW_SERVED];
	uint64_t hops[MAX_HOPS];     /* accesses served beyond the socket, by link hops crossed */
	uint64_t hops_ps[MAX_HOPS];  /* and their latency */
	sim_time_t busy_until;      /* when the last thread on this CPU finished */
	uint64_t stall[NR_CORE_STALLS]; /* core-model stalls of the threads that ran here (hw/core.h) */
	struct hist lat;            /* with lat_run: read them after lat_flush() */
	struct hist_run lat_run;
	struct hw_hit *hit;         /* the CPU's inline hit path (hw/hw_hit.h) */
	int cur_pid;                /* address space loaded in this CPU's MMU (-1 none) */
};

struct tsrc;

struct thread {
	struct ev ev;
	struct simrun *sim;
	struct tsrc *src;
	uint16_t tid;
	int pid;
	unsigned cpu;
	struct core core;           /* issue and completion times (hw/core.h) */
	unsigned fault_tries;       /* faults taken on fault_va by the record at the head of the queue */
	unsigned numa_moves;        /* moves to another node by NUMA balancing's task placement */
	uint64_t fault_va;          /* address of the latest fault */
	uint8_t fault_pending;      /* enum hw_fault whose handler has not run yet */
	bool started, done;
	bool waiting;               /* created, but its clone has not been replayed yet */
	uint16_t start_on;          /* unannounced: 1 + tid whose progress starts this thread, or 0 */
	bool segv_warned;           /* an access outside any mapping was reported */
	bool yielded;               /* agent_run yielded on the head access: core_issue_time_again */
	/* synchronisation: a blocked thread is off the event queue until released */
	uint8_t block;              /* enum block_kind */
	bool seq_hold;              /* passed its seq record: the next control record releases the order */
	uint64_t block_key;         /* wake id (futex) or seq number awaited */
	uint64_t block_addr;        /* futex word, for the message of a wait never woken */
	sim_time_t block_since;
	sim_time_t blocked_ps;      /* simulated time spent blocked */
	/* record queue (ring) filled by the demultiplexer */
	struct trace_rec *q;
	size_t qcap, qhead, qn;     /* qcap is a power of two */
	struct trace_ctrl *cq;      /* control records, in order */
	size_t cqcap, cqhead, cqn;
	tspill_t *spill;            /* records queued after the first RUN_QUEUE_MAX, or NULL */
};

/* Wakes replayed before (some of) the waits they woke. */
struct wake_tok {
	uint64_t id;
	uint64_t left;
};

enum block_kind { BLK_NONE, BLK_FUTEX, BLK_EXIT, BLK_SEQ };

struct tsrc {
	const struct run_trace_arg *arg;
	trace_reader_t *r;
	int pid;                    /* process of thread 0 */
	bool eof;
	struct thread *threads[MAX_THREADS_PER_TRACE];
	int tid_pid[MAX_THREADS_PER_TRACE];      /* pid for threads created by fork */
	/* per child tid: 0 no clone seen, 1 clone read but not replayed, 2 replayed */
	uint8_t clone_state[MAX_THREADS_PER_TRACE];
	bool exit_read[MAX_THREADS_PER_TRACE];   /* the thread's exit record has been decoded */
	int tail_tid;               /* thread of the last record decoded and queued, or -1 */
	unsigned nr_threads;
	unsigned next_cpu;          /* placement of threads without explicit CPUs */
	uint64_t seq_next;          /* the next address-space operation in the recorded order */
	bool has_sync;              /* futex or seq records seen */
	bool thread_exits;          /* a cloned thread replayed an exit record (a recorded program) */
	struct wake_tok *tok;       /* at most one per wake still owed to waits not yet replayed */
	size_t ntok, tokcap;
};

struct simrun {
	struct run_opts opts;
	struct machine_desc m;
	struct evq q;
	pmem_t *pm;
	hw_t *hw;
	os_t *os;
	struct tsrc src[RUN_MAX_TRACES];
	unsigned nr_src;
	struct cpu_stats *cpu;
	unsigned nr_cpus;
	unsigned live;              /* threads not yet done */
	unsigned nblocked;          /* live threads asleep (futex wait, address-space order) */
	unsigned nwaiting;          /* live threads whose clone has not been replayed */
	sim_time_t cycle_ps;
	unsigned line_shift;        /* log2 of the L1D line: fill-buffer matching */
	bool stop;                  /* -n reached: every thread stops */
	sim_time_t end;
	uint64_t total_accesses;
	uint64_t zero_pfn;          /* the OS's zero page: reads of never-written memory */
	char first_segv[160];       /* "trace: thread T: read at 0x..." of the first access outside mappings */
	int error;                  /* first error (negative), stops the run */
	char errmsg[1024];
	/* time series (report "timeseries"): one row per sampling interval */
	struct ev sample_ev;
	sim_time_t sample_every;     /* ps; doubles when rows are merged */
	sim_time_t last_sample;
	unsigned ts_cols;            /* columns after t_ns */
	const char *ts_names[TS_MAX_COLS];
	bool ts_gauge[TS_MAX_COLS];  /* gauges are sampled as-is, counters as deltas */
	uint64_t ts_prev[TS_MAX_COLS];
	uint64_t *ts_rows;           /* nr_rows x (1 + ts_cols) */
	size_t ts_nr, ts_cap;
	/* progress (wall clock is used only for display, never for results) */
	uint64_t next_progress;
	struct timespec wall_start;
	double last_draw;
};

/* ---- argument parsing ----------------------------------------------------- */

static int parse_cpu_list(const char *s, unsigned *cpus, unsigned *n, char *err, size_t errlen, const char *arg)
{
	*n = 0;
	while (*s) {
		char *end;
		unsigned long a = strtoul(s, &end, 10), b;
		if (end == s)
			return sim_errf(err, errlen, SIM_EUSAGE, "--trace %s: bad CPU list", arg);
		b = a;
		s = end;
		if (*s == '-') {
			b = strtoul(s + 1, &end, 10);
			if (end == s + 1 || b < a)
				return sim_errf(err, errlen, SIM_EUSAGE, "--trace %s: bad CPU range", arg);
			s = end;
		}
		for (unsigned long c = a; c <= b; c++) {
			if (*n >= HW_MAX_CPUS || c >= HW_MAX_CPUS)
				return sim_errf(err, errlen, SIM_EUSAGE, "--trace %s: too many CPUs", arg);
			cpus[(*n)++] = (unsigned)c;
		}
		if (*s == ',' && s[1])
			s++;
		else if (*s)
			return sim_errf(err, errlen, SIM_EUSAGE, "--trace %s: bad CPU list near '%s'", arg, s);
	}
	return 0;
}

int run_parse_trace_arg(const char *arg, struct run_trace_arg *out, char *err, size_t errlen)
{
	const char *at = strrchr(arg, '@');
	const char *colon = strchr(arg, ':');
	static const char *const fmts[] = { "native:", "lackey:", "champsim:", "text:" };
	int rc;

	memset(out, 0, sizeof(*out));
	out->fmt = TFMT_AUTO;
	/* optional "fmt:" prefix */
	if (colon) {
		for (unsigned i = 0; i < ARRAY_SIZE(fmts); i++) {
			if (!strncmp(arg, fmts[i], strlen(fmts[i]))) {
				char name[16];
				snprintf(name, sizeof(name), "%.*s", (int)(strlen(fmts[i]) - 1), fmts[i]);
				out->fmt = trace_format_parse(name);
				arg += strlen(fmts[i]);
				break;
			}
		}
	}
	at = strrchr(arg, '@');
	if (at) {
		char *path = strndup(arg, (size_t)(at - arg));
		if (!path)
			return -SIM_ENOMEM;
		out->path = path;
		rc = parse_cpu_list(at + 1, out->cpus, &out->nr_cpus, err, errlen, arg);
		if (!rc && !out->nr_cpus)
			rc = sim_errf(err, errlen, SIM_EUSAGE, "--trace %s: expected a CPU list after '@'", arg);
		if (rc)
			goto fail;
	} else {
		out->path = strdup(arg);
		if (!out->path)
			return -SIM_ENOMEM;
	}
	if (!out->path[0]) {
		rc = sim_errf(err, errlen, SIM_EUSAGE, "--trace %s: empty file name", arg);
		goto fail;
	}
	return 0;
fail:
	/* the caller keeps only parsed arguments: nothing may stay allocated */
	free((char *)out->path);
	out->path = NULL;
	return rc;
}

/* ---- thread queues ---------------------------------------------------------- */

static __attribute__((noinline)) int q_ring_grow(struct thread *th)
{
	size_t ncap = th->qcap ? th->qcap * 2 : 1024;
	struct trace_rec *nq = malloc(ncap * sizeof(*nq));

	if (!nq)
		return -SIM_ENOMEM;
	for (size_t i = 0; i < th->qn; i++)
		nq[i] = th->q[(th->qhead + i) & (th->qcap - 1)];
	free(th->q);
	th->q = nq;
	th->qcap = ncap;
	th->qhead = 0;
	return 0;
}

/* A control record's arguments, in their own ring beside the records. */
static __attribute__((noinline)) int q_ctrl_push(struct thread *th, const struct trace_ctrl *ctrl)
{
	if (th->cqn == th->cqcap) {
		size_t ncap = th->cqcap ? th->cqcap * 2 : 16;
		struct trace_ctrl *nq = malloc(ncap * sizeof(*nq));
		if (!nq)
			return -SIM_ENOMEM;
		for (size_t i = 0; i < th->cqn; i++)
			nq[i] = th->cq[(th->cqhead + i) % th->cqcap];
		free(th->cq);
		th->cq = nq;
		th->cqcap = ncap;
		th->cqhead = 0;
	}
	th->cq[(th->cqhead + th->cqn) % th->cqcap] = *ctrl;
	th->cqn++;
	return 0;
}

/* Inline: every record of every trace passes here once. */
static inline int q_ring_push(struct thread *th, const struct trace_rec *rec, const struct trace_ctrl *ctrl)
{
	if (unlikely(th->qn == th->qcap) && q_ring_grow(th))
		return -SIM_ENOMEM;
	/* capacities are powers of two: a mask, not a division, per record */
	th->q[(th->qhead + th->qn) & (th->qcap - 1)] = *rec;
	th->qn++;
	if (unlikely(rec->op == TOP_CTRL))
		return q_ctrl_push(th, ctrl);
	return 0;
}

/* Queue a record: in memory while the spill is empty and the ring has room, else on disk. */
static int q_push(struct thread *th, const struct trace_rec *rec, const struct trace_ctrl *ctrl, char *err,
		  size_t errlen)
{
	int rc;

	if (th->qn < RUN_QUEUE_MAX && !tspill_count(th->spill)) {
		rc = q_ring_push(th, rec, ctrl);
		return rc ? sim_errf(err, errlen, rc, "out of memory queueing records") : 0;
	}
	if (!th->spill && (rc = tspill_create(&th->spill, err, errlen)))
		return rc;
	return tspill_push(th->spill, rec, ctrl, err, errlen);
}

/* Move spilled records back into the (empty) ring, oldest first. */
static int q_unspill(struct thread *th, char *err, size_t errlen)
{
	while (th->qn < RUN_QUEUE_MAX && tspill_count(th->spill)) {
		struct trace_rec rec;
		struct trace_ctrl ctrl;
		int rc = tspill_pop(th->spill, &rec, &ctrl, err, errlen);

		if (rc || (rc = q_ring_push(th, &rec, &ctrl)))
			return rc == -SIM_ENOMEM ? sim_errf(err, errlen, rc, "out of memory queueing records") : rc;
	}
	return 0;
}

static void agent_run(struct ev *ev, void *ctx);

static unsigned place_thread(struct simrun *s, struct tsrc *src, unsigned tid)
{
	const struct run_trace_arg *a = src->arg;

	if (a->nr_cpus == 1)
		return (a->cpus[0] + tid) % s->nr_cpus;
	if (a->nr_cpus > 1)
		return a->cpus[tid % a->nr_cpus] % s->nr_cpus;
	return (src->next_cpu + tid) % s->nr_cpus;
}

static struct thread *thread_new(struct simrun *s, struct tsrc *src, unsigned tid, sim_time_t start, bool wait)
{
	struct thread *th = calloc(1, sizeof(*th));

	if (!th)
		return NULL;
	if (start < s->q.now)
		start = s->q.now;
	if (core_init(&th->core, &s->m.hw.cpu, s->cycle_ps, start)) {
		free(th);
		return NULL;
	}
	th->sim = s;
	th->src = src;
	th->tid = (uint16_t)tid;
	th->pid = src->tid_pid[tid] ? src->tid_pid[tid] : src->pid;
	th->cpu = place_thread(s, src, tid);
	th->started = true;
	ev_init(&th->ev, agent_run, th);
	src->threads[tid] = th;
	if (tid + 1 > src->nr_threads)
		src->nr_threads = tid + 1;
	s->live++;
	th->waiting = wait;
	if (wait) {
		s->nwaiting++;
		return th;
	}
	if (ev_schedule(&s->q, &th->ev, start)) {
		core_destroy(&th->core);
		free(th);
		src->threads[tid] = NULL;
		s->live--;
		return NULL;
	}
	return th;
}

static void run_fail(struct simrun *s, int rc, const char *fmt, const char *msg)
{
	if (s->error)
		return;
	s->error = rc ? rc : -SIM_ESTATE;
	snprintf(s->errmsg, sizeof(s->errmsg), fmt, msg);
}

/*
 * The OS could not go on correctly (a kernel thread's next run could not be
 * queued, os_error): the run stops at the event that failed, with the OS's
 * message, and reports nothing.
 */
static void os_failed(void *ctx, int rc, const char *msg)
{
	run_fail(ctx, rc, "%s", msg);
}

/*
 * Internal control record, never read from a trace: "thread args[0] starts
 * here".  See src_read for where it is queued.
 */
#define CTRL_START_THREAD UINT32_MAX

/* A thread created ahead of its start begins its life at t. */
static void thread_start(struct simrun *s, struct thread *th, sim_time_t t)
{
	core_start_at(&th->core, t);
	th->waiting = false;
	th->start_on = 0;
	s->nwaiting--;
	if (ev_schedule(&s->q, &th->ev, t))
		run_fail(s, -SIM_ENOMEM, "%s", "cannot schedule a new thread");
}

/*
 * A thread id met for the first time at `now`.  Its start must not depend on
 * when the reader happened to decode its first record (that depends on the
 * reader's batch size, an engine constant), so it follows the trace:
 *  - announced by a clone or fork record not replayed yet: it waits for that
 *    record (a clone already replayed created the thread then, do_ctrl);
 *  - unannounced, and the first record of the trace: it starts at once (0);
 *  - unannounced otherwise: the file order is the only order the trace gives,
 *    so it starts when the thread of the record before it in the file has
 *    reached that record (a CTRL_START_THREAD queued behind it), or, if that
 *    thread's exit was already read, when that thread ends.  agent_run never
 *    replays the last record decoded before the next one is decoded, so the
 *    one before is always still ahead of its thread here.
 */
static struct thread *thread_appears(struct simrun *s, struct tsrc *src, unsigned tid, sim_time_t now)
{
	struct thread *prev = src->tail_tid >= 0 ? src->threads[src->tail_tid] : NULL;
	bool announced = src->clone_state[tid] == 1;
	struct thread *th = thread_new(s, src, tid, now, announced || prev);

	if (!th || announced || !prev)
		return th;
	if (prev->done) {
		/* only after records that followed an exit (ignored): as if its exit came last */
		thread_start(s, th, SIM_MAX(core_end(&prev->core), s->q.now));
		return th;
	}
	th->start_on = (uint16_t)(prev->tid + 1);
	if (!src->exit_read[prev->tid]) {
		struct trace_rec r = { .op = TOP_CTRL, .tid = prev->tid };
		struct trace_ctrl c = { .kind = CTRL_START_THREAD, .nargs = 1, .args = { tid } };
		char err[256];
		int rc = q_push(prev, &r, &c, err, sizeof(err));

		if (rc) {
			run_fail(s, rc, "%s", err);
			return NULL;
		}
	}
	return th;
}

/* Decode one batch of the source and queue its records by thread. */
static int src_read(struct simrun *s, struct tsrc *src, sim_time_t now)
{
	struct trace_batch b;
	char err[512];
	int rc = trace_next(src->r, &b, err, sizeof(err));

	if (rc < 0) {
		run_fail(s, rc, "%s", err);
		return rc;
	}
	if (rc == 0) {
		src->eof = true;
		return 0;
	}
	struct thread *run = NULL;   /* thread of the previous access queued in the ring: the fast case */
	for (size_t i = 0; i < b.n; i++) {
		const struct trace_rec *rec = &b.rec[i];
		/* the common case: an access of the same thread as the record before, with room in its ring */
		if (likely(run && rec->tid == run->tid && rec->op != TOP_CTRL && run->qn < run->qcap &&
			   run->qn < RUN_QUEUE_MAX)) {
			q_ring_push(run, rec, NULL);   /* room checked: cannot fail */
			continue;
		}
		const struct trace_ctrl *c = rec->op == TOP_CTRL ? &b.ctrl[rec->ctrl] : NULL;
		struct thread *th;
		run = NULL;
		if (rec->tid >= MAX_THREADS_PER_TRACE) {
			char m[256];
			snprintf(m, sizeof(m), "%s: thread id %u exceeds the limit of %u threads per trace",
				 src->arg->path, rec->tid, MAX_THREADS_PER_TRACE);
			run_fail(s, -SIM_ETRACE, "%s", m);
			return -SIM_ETRACE;
		}
		if (c && (c->kind == TCTRL_CLONE || c->kind == TCTRL_FORK) && c->args[0] < MAX_THREADS_PER_TRACE &&
		    !src->clone_state[c->args[0]])
			src->clone_state[c->args[0]] = 1;
		th = src->threads[rec->tid];
		if (!th && !(th = thread_appears(s, src, rec->tid, now))) {
			run_fail(s, -SIM_ENOMEM, "%s", "out of memory creating a thread");
			return -SIM_ENOMEM;
		}
		if (th->done)
			continue;   /* records after a thread's exit are ignored */
		rc = q_push(th, rec, c, err, sizeof(err));
		if (rc) {
			run_fail(s, rc, "%s", err);
			return rc;
		}
		src->tail_tid = rec->tid;
		if (c && c->kind == TCTRL_EXIT)
			src->exit_read[rec->tid] = true;
		/* q_push put it in the ring (not the spill), so the next ones may follow it there */
		if (!c && !tspill_count(th->spill))
			run = th;
	}
	return 0;
}

/* Read batches from the source until `want` has a record or the trace ends. */
static int src_fill(struct simrun *s, struct tsrc *src, struct thread *want, sim_time_t now)
{
	if (!want->qn && tspill_count(want->spill)) {
		char err[512];
		int rc = q_unspill(want, err, sizeof(err));

		if (rc)
			run_fail(s, rc, "%s", err);
		return rc;
	}
	while (!want->qn && !src->eof) {
		int rc = src_read(s, src, now);
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * th is about to replay the record at the head of its queue.  If that is the
 * last record decoded from the source, decode on first: the next record may
 * be a new thread's first, whose start is tied to this one (thread_appears).
 */
static inline int src_read_ahead(struct simrun *s, struct thread *th)
{
	struct tsrc *src = th->src;

	while (unlikely(th->qn == 1 && src->tail_tid == (int)th->tid && !src->eof && !tspill_count(th->spill))) {
		int rc = src_read(s, src, s->q.now);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- synchronisation: futex waits and wakes, address-space order ------------------ */

/*
 * A recorded program synchronises through futexes (pthread_join, mutexes,
 * condition variables, barriers: docs/record.md).  A futex_wait that
 * returned 0 in the recording names the wake that woke it; the thread
 * sleeps (off the event queue, its clock stopped) until that wake has been
 * replayed.  A seq record gives the next address-space operation its place
 * in the recording's total order; the thread sleeps until every earlier one
 * of its trace has been replayed.  Both are happens-before edges that the
 * recording really had; everything else runs as the simulated timing says.
 */
static void thread_block(struct simrun *s, struct thread *th, enum block_kind kind, uint64_t key, uint64_t addr,
			 sim_time_t t)
{
	th->block = (uint8_t)kind;
	th->block_key = key;
	th->block_addr = addr;
	th->block_since = t;
	s->nblocked++;
}

/* A sleeping thread goes on at t (its waker's time, never earlier than it fell asleep). */
static void thread_unblock(struct simrun *s, struct thread *th, sim_time_t t)
{
	if (t < th->block_since)
		t = th->block_since;
	if (t < s->q.now)
		t = s->q.now;        /* released by the stall resolver, after the clock moved on */
	th->blocked_ps += t - th->block_since;
	s->cpu[th->cpu].stat[RS_BLOCKED_PS] += t - th->block_since;
	th->block = BLK_NONE;
	s->nblocked--;
	core_resume(&th->core, t);
	if (ev_schedule(&s->q, &th->ev, t))
		run_fail(s, -SIM_ESTATE, "%s", "cannot schedule a woken thread (internal error)");
}

/* The address-space operation th held the turn for is done at t: the next in order may go. */
static void seq_commit(struct simrun *s, struct thread *th, sim_time_t t)
{
	struct tsrc *src = th->src;

	th->seq_hold = false;
	src->seq_next++;
	for (unsigned i = 0; i < src->nr_threads; i++) {
		struct thread *x = src->threads[i];
		if (x && x->block == BLK_SEQ && x->block_key == src->seq_next) {
			x->seq_hold = true;
			thread_unblock(s, x, t);
			break;
		}
	}
}

static bool tok_take(struct tsrc *src, uint64_t id)
{
	for (size_t i = 0; i < src->ntok; i++)
		if (src->tok[i].id == id) {
			if (!--src->tok[i].left)
				src->tok[i] = src->tok[--src->ntok];
			return true;
		}
	return false;
}

static int tok_add(struct tsrc *src, uint64_t id, uint64_t left)
{
	if (src->ntok == src->tokcap) {
		size_t ncap = src->tokcap ? src->tokcap * 2 : 16;
		struct wake_tok *n = realloc(src->tok, ncap * sizeof(*n));
		if (!n)
			return -SIM_ENOMEM;
		src->tok = n;
		src->tokcap = ncap;
	}
	src->tok[src->ntok++] = (struct wake_tok){ .id = id, .left = left };
	return 0;
}

/* futex_wake replayed at t: release the waits paired with it, or leave tokens for those still to come. */
static void futex_wake(struct simrun *s, struct thread *th, const struct trace_ctrl *c, sim_time_t t)
{
	struct tsrc *src = th->src;
	uint64_t id = c->args[2], left = c->nargs > 3 ? c->args[3] : 0;

	s->cpu[th->cpu].stat[RS_FUTEX_WAKES]++;
	if (!id)
		return;
	for (unsigned i = 0; i < src->nr_threads && left; i++) {
		struct thread *x = src->threads[i];
		if (x && x->block == BLK_FUTEX && x->block_key == id) {
			thread_unblock(s, x, t);
			left--;
		}
	}
	if (left && tok_add(src, id, left))
		run_fail(s, -SIM_ENOMEM, "%s", "out of memory for futex wakes");
}

/* futex_wait replayed at t: @return true if the thread sleeps. */
static bool futex_wait(struct simrun *s, struct thread *th, const struct trace_ctrl *c, sim_time_t t)
{
	struct cpu_stats *cs = &s->cpu[th->cpu];
	uint64_t id = c->args[2];

	uint64_t exit_of = c->nargs > 3 ? c->args[3] : 0;

	cs->stat[RS_FUTEX_WAITS]++;
	/* EAGAIN (the word had changed), ETIMEDOUT, EINTR: the thread went on without a wake */
	if (c->ret != 0 && c->ret != TRACE_RET_NONE)
		return false;
	if (!id && exit_of) {
		/* woken by the exit of a thread (pthread_join): the kernel's clear-tid wake */
		const struct thread *x = exit_of <= MAX_THREADS_PER_TRACE ? th->src->threads[exit_of - 1] : NULL;
		if (x && x->done)
			return false;
		cs->stat[RS_FUTEX_BLOCKED]++;
		thread_block(s, th, BLK_EXIT, exit_of - 1, c->args[0], t);
		return true;
	}
	if (!id) {
		cs->stat[RS_FUTEX_UNMATCHED]++;
		return false;
	}
	if (tok_take(th->src, id))
		return false;        /* its wake was replayed already */
	cs->stat[RS_FUTEX_BLOCKED]++;
	thread_block(s, th, BLK_FUTEX, id, c->args[0], t);
	return true;
}

/* ---- control records ---------------------------------------------------------- */

static void thread_finish(struct simrun *s, struct thread *th)
{
	struct cpu_stats *c = &s->cpu[th->cpu];
	sim_time_t end = core_end(&th->core);

	if (th->block) {
		th->block = BLK_NONE;
		s->nblocked--;
	}
	if (th->seq_hold)
		seq_commit(s, th, end);
	th->done = true;
	/*
	 * The reader stopped at this thread's records (records after an exit
	 * are ignored): read on now, so that a thread first met after them
	 * starts at this end (thread_appears), not whenever another thread
	 * next needs records, which would depend on the reader's batch size.
	 */
	while (th->src->tail_tid == (int)th->tid && !th->src->eof && !s->error)
		if (src_read(s, th->src, s->q.now))
			break;
	for (unsigned i = 0; i < th->src->nr_threads; i++) {
		struct thread *x = th->src->threads[i];
		/* joins waiting for this thread's exit: the kernel's clear-tid wake */
		if (x && x->block == BLK_EXIT && x->block_key == th->tid)
			thread_unblock(s, x, end);
		/* unannounced threads whose file position this thread will not reach */
		if (x && x->waiting && x->start_on == th->tid + 1)
			thread_start(s, x, SIM_MAX(end, s->q.now));
	}
	th->qn = 0;
	th->cqn = 0;
	if (end > c->busy_until)
		c->busy_until = end;
	if (end > s->end)
		s->end = end;
	for (unsigned k = 0; k < NR_CORE_STALLS; k++)
		c->stall[k] += th->core.stall[k];
	c->stat[RS_SECONDARY] += th->core.secondary;
	c->stat[RS_WALK_ACTIVE_PS] += core_walk_active(&th->core);
	c->stat[RS_THREAD_PS] += end - th->core.start;
	s->live--;
}

/* A control record replayed at t (the thread's pipeline has drained); @return when the thread goes on. */
static sim_time_t do_ctrl(struct simrun *s, struct thread *th, const struct trace_ctrl *c, sim_time_t t)
{
	struct cpu_stats *cs = &s->cpu[th->cpu];
	struct tsrc *src = th->src;
	sim_time_t cost = 0;
	char err[512];
	int rc;

	switch (c->kind) {
	case TCTRL_THREAD_CPU:
		if (c->args[0] >= s->nr_cpus) {
			fprintf(stderr, "numasim: %s: thread %u: thread_cpu %llu ignored (machine has %u CPUs)\n",
				src->arg->path, th->tid, (unsigned long long)c->args[0], s->nr_cpus);
			cs->stat[RS_SYSCALL_ERR]++;
			return t;
		}
		th->cpu = (unsigned)c->args[0];
		return t;
	case TCTRL_CLONE:
	case TCTRL_FORK: {
		uint64_t child = c->args[0];
		struct thread *cth;
		if (child >= MAX_THREADS_PER_TRACE || src->clone_state[child] == 2 ||
		    (src->threads[child] && !src->threads[child]->waiting)) {
			/* a second clone of one tid, or of a thread already running */
			cs->stat[RS_SYSCALL_ERR]++;
			return t;
		}
		if (c->kind == TCTRL_FORK) {
			int cpid;
			rc = os_process_fork(s->os, th->pid, th->tid, &cpid);
			if (rc) {
				cs->stat[RS_SYSCALL_ERR]++;
				return t;
			}
			src->tid_pid[child] = cpid;
		} else {
			src->tid_pid[child] = th->pid;
			/* the new thread starts with its creator's memory policy (copy_process) */
			if (os_thread_clone(s->os, th->pid, th->tid, (unsigned)child))
				cs->stat[RS_SYSCALL_ERR]++;
		}
		src->clone_state[child] = 2;
		cth = src->threads[child];
		if (cth) {
			/* its lifetime starts now, not when its first record was read */
			cth->pid = src->tid_pid[child];
			thread_start(s, cth, t);
		} else if (!thread_new(s, src, (unsigned)child, t, false)) {
			/* not read yet: it starts now and reads its records when it runs */
			run_fail(s, -SIM_ENOMEM, "%s", "cannot create a cloned thread");
		}
		cs->stat[RS_SYSCALLS]++;
		return t;
	}
	case CTRL_START_THREAD: {
		struct thread *nth = src->threads[c->args[0]];
		if (nth && nth->waiting)
			thread_start(s, nth, t);
		return t;
	}
	case TCTRL_EXIT: {
		bool last = true;
		for (unsigned i = 0; i < src->nr_threads; i++)
			if (src->threads[i] && src->threads[i] != th && !src->threads[i]->done &&
			    src->threads[i]->pid == th->pid)
				last = false;
		core_resume(&th->core, t);
		if (th->tid)
			src->thread_exits = true;
		thread_finish(s, th);
		if (last)
			os_process_exit(s->os, th->pid);
		return t;
	}
	case TCTRL_MARK:
		return t;
	case TCTRL_SEQ:
		src->has_sync = true;
		if (c->args[0] == src->seq_next)
			th->seq_hold = true;
		else if (c->args[0] > src->seq_next) {
			cs->stat[RS_SEQ_WAITS]++;
			thread_block(s, th, BLK_SEQ, c->args[0], 0, t);
		}
		/* an earlier number: its turn was skipped (see resolve_stall); nothing to hold */
		return t;
	case TCTRL_EXPLICIT_MAPS:
		os_process_set_implicit(s->os, th->pid, false);
		return t;
	case TCTRL_PAGE_CONTENT:
		/* a declaration about the data (os/page_content.h), not a system call: no CPU time */
		if (os_page_content(s->os, th->pid, c->args[0], c->args[1], c->args[2], c->args[3], c->args[4],
				    err, sizeof(err))) {
			cs->stat[RS_SYSCALL_ERR]++;
			fprintf(stderr, "numasim: %s: thread %u: %s\n", src->arg->path, th->tid, err);
		}
		return t;
	case TCTRL_FUTEX_WAIT:
	case TCTRL_FUTEX_WAKE:
		/*
		 * The call's entry and exit (os.syscall_cost); the kernel's own
		 * exit wake (ret unknown) is no call.  A sleeping wait falls asleep
		 * after its entry; how long the kernel takes to wake it is not
		 * modelled (docs/engine.md).
		 */
		src->has_sync = true;
		if (c->ret != TRACE_RET_NONE) {
			cost = s->m.os.syscall_cost;
			cs->stat[RS_SYSCALLS]++;
			cs->stat[RS_SYSCALL_PS] += cost;
		}
		if (c->kind == TCTRL_FUTEX_WAIT)
			futex_wait(s, th, c, t + cost);
		else
			futex_wake(s, th, c, t + cost);
		return t + cost;
	default:
		break;
	}

	struct os_syscall sc = { .ret = c->ret };
	switch (c->kind) {
	case TCTRL_MMAP: sc.nr = OS_SYS_MMAP; break;
	case TCTRL_MUNMAP: sc.nr = OS_SYS_MUNMAP; break;
	case TCTRL_BRK: sc.nr = OS_SYS_BRK; break;
	case TCTRL_MPROTECT: sc.nr = OS_SYS_MPROTECT; break;
	case TCTRL_MADVISE: sc.nr = OS_SYS_MADVISE; break;
	case TCTRL_MBIND: sc.nr = OS_SYS_MBIND; break;
	case TCTRL_SET_MEMPOLICY: sc.nr = OS_SYS_SET_MEMPOLICY; break;
	case TCTRL_MOVE_PAGES: sc.nr = OS_SYS_MOVE_PAGES; break;
	case TCTRL_MIGRATE_PAGES: sc.nr = OS_SYS_MIGRATE_PAGES; break;
	case TCTRL_FILE_READ: sc.nr = OS_SYS_FILE_READ; break;
	case TCTRL_FILE_WRITE: sc.nr = OS_SYS_FILE_WRITE; break;
	case TCTRL_SET_WEIGHTS: sc.nr = OS_SYS_SET_WEIGHTS; break;
	case TCTRL_OOM_SCORE_ADJ: sc.nr = OS_SYS_OOM_SCORE_ADJ; break;
	case TCTRL_CMA_ALLOC: sc.nr = OS_SYS_CMA_ALLOC; break;
	case TCTRL_CMA_RELEASE: sc.nr = OS_SYS_CMA_RELEASE; break;
	case TCTRL_MEMORY_OFFLINE: sc.nr = OS_SYS_MEMORY_OFFLINE; break;
	case TCTRL_MEMORY_ONLINE: sc.nr = OS_SYS_MEMORY_ONLINE; break;
	case TCTRL_MREMAP: sc.nr = OS_SYS_MREMAP; break;
	case TCTRL_MLOCK: sc.nr = OS_SYS_MLOCK; break;
	case TCTRL_MUNLOCK: sc.nr = OS_SYS_MUNLOCK; break;
	case TCTRL_CGROUP_ATTACH: sc.nr = OS_SYS_CGROUP_ATTACH; break;
	case TCTRL_CGROUP_SET: sc.nr = OS_SYS_CGROUP_SET; break;
	default:
		cs->stat[RS_SYSCALL_ERR]++;
		return t;
	}
	for (unsigned i = 0; i < c->nargs && i < 6; i++)
		sc.args[i] = c->args[i];
	rc = os_syscall(s->os, th->pid, th->tid, th->cpu, t, &sc, &cost, err, sizeof(err));
	cs->stat[RS_SYSCALLS]++;
	cs->stat[RS_SYSCALL_PS] += cost;
	if (rc) {
		cs->stat[RS_SYSCALL_ERR]++;
		fprintf(stderr, "numasim: %s: thread %u: %s: %s\n", src->arg->path, th->tid,
			trace_ctrl_name(c->kind), err);
	}
	return t + cost;
}

/* ---- the per-access path ---------------------------------------------------------- */

static void progress_draw(struct simrun *s, bool final);

static inline void set_context(struct simrun *s, struct thread *th)
{
	struct cpu_stats *c = &s->cpu[th->cpu];

	if (unlikely(c->cur_pid != th->pid)) {
		hw_set_context(s->hw, th->cpu, os_process_asid(s->os, th->pid), os_process_root(s->os, th->pid));
		c->cur_pid = th->pid;
	}
}

enum step { STEP_DONE, STEP_FAULT, STEP_STOP };

/*
 * The access at the head of th's queue issues at t.  A translation fault
 * leaves the record at the head with the fault pending: the handler runs
 * when the thread's older instructions have retired (a precise exception),
 * in global time order like everything else, and the access is then retried.
 */
/* The counters of an access the hierarchy answered and the core timed (lat: as the thread saw it). */
static inline __attribute__((always_inline)) void count_access(struct simrun *s, struct cpu_stats *c,
								const struct trace_rec *rec, uint64_t paddr,
								sim_time_t lat, sim_time_t xlat, uint8_t served,
								uint8_t hops)
{
	c->stat[RS_GAP] += rec->gap;
	c->stat[RS_ACCESSES]++;
	c->stat[RS_ZERO_PAGE] += paddr >> 12 == s->zero_pfn;
	c->stat[RS_LOADS + rec->op]++;     /* LOAD, STORE, IFETCH, MODIFY are consecutive */
	c->stat[RS_DEP_LOADS] += (rec->flags & TREC_DEP) != 0;
	c->stat[RS_LAT_PS] += lat;
	c->stat[RS_XLAT_PS] += xlat;
	c->served[served]++;
	c->served_ps[served] += lat;
	if (served >= SRV_C2C_LOCAL) {
		unsigned h = hops < MAX_HOPS ? hops : MAX_HOPS - 1;
		c->hops[h]++;
		c->hops_ps[h] += lat;
	}
	hist_add_run(&c->lat, &c->lat_run, lat);
}

/*
 * The access at the head of th's queue issues at t.  A translation fault
 * leaves the record at the head with the fault pending: the handler runs
 * when the thread's older instructions have retired (a precise exception),
 * in global time order like everything else, and the access is then retried.
 */
static enum step do_access(struct simrun *s, struct thread *th, struct trace_rec *rec, sim_time_t t)
{
	struct cpu_stats *c = &s->cpu[th->cpu];
	struct hw_req req = { .vaddr = rec->addr, .size = rec->size ? rec->size : 1, .op = rec->op };
	struct hw_res res;
	struct core_outcome o;
	sim_time_t lat;

	set_context(s, th);
	/* an L1 TLB hit and an L1 hit, most accesses of most programs: no call into hw.c or core.c */
	if (likely(hw_access_hit(c->hit, t, req.vaddr, req.size, req.op, &res.paddr, &res.lat))) {
		lat = core_commit_l1_hit(&th->core, rec->gap, rec->op, t, res.lat, res.paddr >> s->line_shift);
		count_access(s, c, rec, res.paddr, lat, c->hit->mf.l1_ps, SRV_L1, 0);
		return STEP_DONE;
	}
	/* nothing books shared resources on the hit path: the horizon need only be current here */
	hw_set_horizon(s->hw, t);
	hw_access(s->hw, th->cpu, t, &req, &res);
	if (unlikely(res.fault != HW_FAULT_NONE)) {
		sim_time_t tf = SIM_MAX(t + res.lat, core_drain_time(&th->core, rec->gap));
		/* an access spanning many pages faults once per page: count retries per page */
		if (res.fault_vaddr != th->fault_va) {
			th->fault_va = res.fault_vaddr;
			th->fault_tries = 0;
		}
		if (th->fault_tries++ >= FAULT_RETRIES) {
			char m[256];
			snprintf(m, sizeof(m), "%s: thread %u: fault at 0x%llx not resolved after %d attempts",
				 th->src->arg->path, th->tid, (unsigned long long)res.fault_vaddr, FAULT_RETRIES);
			run_fail(s, -SIM_EFAULT, "%s", m);
			return STEP_STOP;
		}
		core_consume_gap(&th->core, rec->gap);
		s->cpu[th->cpu].stat[RS_GAP] += rec->gap;
		rec->gap = 0;
		core_resume(&th->core, tf);
		th->fault_pending = res.fault;
		c->stat[RS_FAULT_PS] += res.lat;
		return STEP_FAULT;
	}
	o.lat = res.lat;
	o.walk = res.walk;
	o.line = res.paddr >> s->line_shift;
	o.l1_miss = res.served != SRV_L1;
	o.l2_miss = res.served > SRV_L2;
	lat = core_commit(&th->core, rec->gap, rec->op, t, &o);
	count_access(s, c, rec, res.paddr, lat, res.xlat, res.served, res.hops);
	return STEP_DONE;
}

enum fault_step { FAULT_RETRY, FAULT_SKIP, FAULT_STOP };

/*
 * The pending fault's handler runs at t.  An access outside every mapping
 * (or not permitted) is skipped, counted and reported once per thread: the
 * real program would have died of SIGSEGV, so the run fails unless
 * --allow-segv says such accesses are expected.
 */
static enum fault_step do_fault(struct simrun *s, struct thread *th, const struct trace_rec *rec, sim_time_t t)
{
	struct cpu_stats *c = &s->cpu[th->cpu];
	bool write = rec->op == TOP_STORE || rec->op == TOP_MODIFY;
	sim_time_t cost = 0;
	uint8_t hf = th->fault_pending | (rec->op == TOP_IFETCH ? OS_FAULT_INSTRUCTION : 0);
	enum os_fault_result fr = os_handle_fault(s->os, th->pid, th->tid, th->cpu, t, th->fault_va, write, hf, &cost);

	th->fault_pending = 0;
	c->stat[RS_FAULTS]++;
	c->stat[RS_FAULT_PS] += cost;
	core_resume(&th->core, t + cost);
	if (fr == OS_FAULT_SEGV) {
		c->stat[RS_SEGV]++;
		if (!s->first_segv[0])
			snprintf(s->first_segv, sizeof(s->first_segv), "%s: thread %u at 0x%llx", th->src->arg->path,
				 th->tid, (unsigned long long)th->fault_va);
		if (!th->segv_warned)
			fprintf(stderr, "numasim: %s: thread %u: %s at 0x%llx outside any mapping or not permitted: "
				"access skipped (further ones of this thread are only counted)\n",
				th->src->arg->path, th->tid,
				rec->op == TOP_IFETCH ? "instruction fetch" : write ? "write" : "read",
				(unsigned long long)th->fault_va);
		th->segv_warned = true;
		return FAULT_SKIP;
	}
	if (fr != OS_FAULT_OOM && os_process_alive(s->os, th->pid)) {
		/*
		 * NUMA balancing's task placement (task_numa_migrate): after a
		 * fault the thread may move to a CPU of its preferred node.  The
		 * OS decides; the driver owns thread placement.
		 */
		unsigned to = os_task_preferred_cpu(s->os, th->pid, th->tid, th->cpu);
		if (to != th->cpu && to < s->nr_cpus) {
			th->cpu = to;
			th->numa_moves++;
		}
		return FAULT_RETRY;
	}
	return FAULT_STOP;
}

static inline void thread_pop(struct thread *th)
{
	if (th->q[th->qhead].op == TOP_CTRL) {
		th->cqhead = (th->cqhead + 1) % th->cqcap;
		th->cqn--;
	}
	th->qhead = (th->qhead + 1) & (th->qcap - 1);
	th->qn--;
	th->fault_tries = 0;
}

/*
 * th blocked at t in a wait or a turn of the address-space order: it has
 * reached its blocking record, so threads whose first record the trace puts
 * right after that one (CTRL_START_THREAD queued behind it, thread_appears)
 * start now, as they ran while it slept.  Left queued, they would start only
 * when it is woken, or, if one of them is its waker, when the run stalls
 * (start_orphans), at whatever time the clock then shows.  Which threads are
 * behind it does not depend on the reader's batch size: a thread's last
 * decoded record is never replayed before the next one is decoded.
 */
static void start_behind_block(struct simrun *s, struct thread *th, sim_time_t t)
{
	while (th->qn && th->q[th->qhead].op == TOP_CTRL && th->cq[th->cqhead].kind == CTRL_START_THREAD) {
		struct trace_ctrl c = th->cq[th->cqhead];
		thread_pop(th);
		do_ctrl(s, th, &c, t);
	}
}

/*
 * A thread's agent.  It replays records while the next one is due no later
 * than every other pending event (another thread's next access, a kernel
 * thread, a sample), then re-schedules itself at that record's time.  So
 * every access, system call and fault of every thread is resolved in global
 * time order, ties in the order the events were scheduled: the result does
 * not depend on any engine setting (docs/engine.md).
 */
static void agent_run(struct ev *ev, void *ctx)
{
	struct thread *th = ctx;
	struct simrun *s = th->sim;
	sim_time_t stolen;

	(void)ev;
	/* kernel threads (kswapd, kcompactd, the NUMA scanner) ran on this CPU meanwhile */
	stolen = os_cpu_stolen(s->os, th->cpu);
	if (stolen)
		core_delay(&th->core, stolen);
	if (!os_process_alive(s->os, th->pid)) {
		thread_finish(s, th);
		return;
	}
	sim_time_t t = 0;      /* when the record at the head is due (kept for the yield below) */

	while (!th->done && !s->error) {
		struct trace_rec *rec;
		sim_time_t next = evq_peek_time(&s->q);

		if (unlikely(s->stop)) {
			thread_finish(s, th);
			return;
		}
		if (!th->qn) {
			if (src_fill(s, th->src, th, s->q.now) || !th->qn) {
				thread_finish(s, th);
				return;
			}
			next = evq_peek_time(&s->q);   /* src_fill may have started threads */
		}
		if (unlikely(th->qn == 1 && th->src->tail_tid == (int)th->tid && !th->src->eof)) {
			if (src_read_ahead(s, th)) {
				thread_finish(s, th);
				return;
			}
			next = evq_peek_time(&s->q);
		}
		rec = &th->q[th->qhead];
		if (unlikely(th->fault_pending)) {
			t = core_drain_time(&th->core, 0);
			if (t > next)
				break;
			hw_set_horizon(s->hw, t);
			enum fault_step fs = do_fault(s, th, rec, t);
			if (fs == FAULT_STOP) {
				thread_finish(s, th);
				return;
			}
			if (fs == FAULT_SKIP) {
				thread_pop(th);
				if (th->seq_hold)
					seq_commit(s, th, t);
			}
			continue;
		}
		if (unlikely(rec->op == TOP_CTRL) && th->cq[th->cqhead].kind == CTRL_START_THREAD) {
			/* no system call, so no drain: the thread has got this far in its program */
			struct trace_ctrl c = th->cq[th->cqhead];
			t = SIM_MAX(core_dispatch_time(&th->core), s->q.now);
			if (t > next)
				break;
			thread_pop(th);
			do_ctrl(s, th, &c, t);
			continue;
		}
		if (unlikely(rec->op == TOP_CTRL)) {
			struct trace_ctrl c;
			/* a system call waits for every older instruction (it serialises) */
			t = core_drain_time(&th->core, rec->gap);
			if (t > next)
				break;
			c = th->cq[th->cqhead];
			core_consume_gap(&th->core, rec->gap);
			s->cpu[th->cpu].stat[RS_GAP] += rec->gap;
			thread_pop(th);
			hw_set_horizon(s->hw, t);
			t = do_ctrl(s, th, &c, t);
			if (th->block)
				start_behind_block(s, th, t);
			if (th->done || th->block)
				return;      /* a blocked thread is rescheduled by whoever releases it */
			if (th->seq_hold && c.kind != TCTRL_SEQ)
				seq_commit(s, th, t);
			core_resume(&th->core, t);
			if (!os_process_alive(s->os, th->pid)) {
				thread_finish(s, th);
				return;
			}
			continue;
		}
		/* after a yield on this access, the core answers from its memo unless it changed */
		if (!th->yielded || !core_issue_time_again(&th->core, &t))
			t = core_issue_time(&th->core, rec->gap, rec->op, rec->flags & TREC_DEP);
		th->yielded = t > next;
		if (th->yielded)
			break;
		enum step st = do_access(s, th, rec, t);
		if (st == STEP_FAULT)
			continue;
		if (st == STEP_STOP) {
			thread_finish(s, th);
			return;
		}
		thread_pop(th);
		if (unlikely(th->seq_hold))
			seq_commit(s, th, t);    /* a synchronisation word: the next in the recorded order may go */
		if (unlikely(++s->total_accesses >= s->next_progress)) {
			s->next_progress += 1u << 20;
			if (s->opts.progress)
				progress_draw(s, false);
		}
		if (unlikely(s->opts.max_accesses && s->total_accesses >= s->opts.max_accesses)) {
			s->stop = true;     /* -n N: exactly N accesses in all, whichever threads made them */
			thread_finish(s, th);
			return;
		}
	}
	/* the loop only ends undone by a break: the head record is due at t, after another event */
	if (!th->done && !s->error) {
		int rc = ev_schedule(&s->q, &th->ev, t);
		if (rc == -SIM_ENOMEM)
			run_fail(s, rc, "%s", "out of host memory for the event queue (a thread's next record)");
		else if (rc)
			run_fail(s, rc, "%s", "a thread's clock went backwards (internal error)");
	}
}

/* ---- progress bar (display only) ------------------------------------------------------ */

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void progress_draw(struct simrun *s, bool final)
{
	double now = wall_now(), el;
	double t0 = (double)s->wall_start.tv_sec + (double)s->wall_start.tv_nsec * 1e-9;

	if (!final && now - s->last_draw < 0.2)
		return;
	s->last_draw = now;
	el = now - t0;
	/* ETA from the share of input bytes consumed (compressed bytes for compressed traces) */
	uint64_t done = 0, total = 0;
	bool known = true;
	for (unsigned i = 0; i < s->nr_src; i++) {
		uint64_t d, t;
		if (!trace_progress(s->src[i].r, &d, &t)) {
			known = false;
			break;
		}
		done += d;
		total += t;
	}
	char eta[48] = "";
	if (!final && known && done > 0 && total >= done) {
		double left = el * (double)(total - done) / (double)done;
		snprintf(eta, sizeof(eta), "  %3.0f%%  ETA %d:%02d", 100.0 * (double)done / (double)total,
			 (int)(left / 60), (int)left % 60);
	}
	fprintf(stderr, "\r\033[K%10.1fM accesses  %6.1fM/s  simulated %.3f ms  elapsed %.1f s%s%s",
		(double)s->total_accesses / 1e6, el > 0 ? (double)s->total_accesses / 1e6 / el : 0.0,
		(double)s->q.now / 1e9, el, eta, final ? "\n" : "");
	fflush(stderr);
}

/* ---- time series ---------------------------------------------------------------------------- */

static void ts_collect(struct simrun *s, uint64_t *v)
{
	const char *names[TS_MAX_COLS];
	uint64_t acc = 0, mem = 0, rem = 0, lat = 0;

	for (unsigned i = 0; i < s->nr_cpus; i++) {
		const struct cpu_stats *c = &s->cpu[i];
		acc += c->stat[RS_ACCESSES];
		lat += c->stat[RS_LAT_PS];
		mem += c->served[SRV_C2C_LOCAL] + c->served[SRV_C2C_REMOTE] + c->served[SRV_DRAM_LOCAL] +
		       c->served[SRV_DRAM_REMOTE];
		rem += c->served[SRV_C2C_REMOTE] + c->served[SRV_DRAM_REMOTE];
	}
	v[0] = acc;
	v[1] = mem;
	v[2] = rem;
	v[3] = lat;
	os_sample(s->os, names, v + TS_RUN_COLS, (int)(s->ts_cols - TS_RUN_COLS));
}

static int ts_add_row(struct simrun *s, sim_time_t when)
{
	uint64_t now[TS_MAX_COLS];
	size_t w = 1 + s->ts_cols;

	if (s->ts_nr == TS_MAX_ROWS) {
		/* halve the resolution: merge row pairs (counters add, gauges keep the later) */
		for (size_t r = 0; r < s->ts_nr / 2; r++) {
			uint64_t *dst = s->ts_rows + r * w, *a = s->ts_rows + 2 * r * w, *b = a + w;
			dst[0] = b[0];
			for (unsigned k = 0; k < s->ts_cols; k++)
				dst[1 + k] = s->ts_gauge[k] ? b[1 + k] : a[1 + k] + b[1 + k];
		}
		s->ts_nr /= 2;
		s->sample_every *= 2;
	}
	if (s->ts_nr == s->ts_cap) {
		size_t ncap = s->ts_cap ? s->ts_cap * 2 : 64;
		uint64_t *n = realloc(s->ts_rows, ncap * w * sizeof(*n));
		if (!n)
			return -SIM_ENOMEM;
		s->ts_rows = n;
		s->ts_cap = ncap;
	}
	ts_collect(s, now);
	uint64_t *row = s->ts_rows + s->ts_nr * w;
	row[0] = when;
	for (unsigned k = 0; k < s->ts_cols; k++) {
		row[1 + k] = s->ts_gauge[k] ? now[k] : now[k] - s->ts_prev[k];
		s->ts_prev[k] = now[k];
	}
	s->ts_nr++;
	s->last_sample = when;
	return 0;
}

static void sample_run(struct ev *ev, void *ctx)
{
	struct simrun *s = ctx;

	if (ts_add_row(s, ev->when))
		run_fail(s, -SIM_ENOMEM, "%s", "out of memory for the time series");
	if (s->live > 0 && !s->error && ev_schedule(&s->q, &s->sample_ev, s->last_sample + s->sample_every))
		run_fail(s, -SIM_ENOMEM, "%s", "cannot schedule the next time-series sample (out of host memory)");
}

static int ts_init(struct simrun *s)
{
	static const char *const run_names[TS_RUN_COLS] = {
		"accesses", "memory_accesses", "remote_accesses", "latency_ps",
	};
	uint64_t vals[TS_MAX_COLS];
	int n;

	s->sample_every = s->m.os.sample_interval_ns;   /* ps, despite the key's name */
	if (!s->sample_every)
		return 0;
	for (unsigned k = 0; k < TS_RUN_COLS; k++)
		s->ts_names[k] = run_names[k];
	n = os_sample(s->os, s->ts_names + TS_RUN_COLS, vals, TS_MAX_COLS - TS_RUN_COLS);
	s->ts_cols = TS_RUN_COLS + (unsigned)n;
	for (unsigned k = TS_RUN_COLS; k < s->ts_cols; k++)
		s->ts_gauge[k] = !strncmp(s->ts_names[k], "nr_free_pages", 13);
	ts_collect(s, s->ts_prev);
	ev_init(&s->sample_ev, sample_run, s);
	return ev_schedule(&s->q, &s->sample_ev, s->sample_every);
}

static void ts_report(const struct simrun *s, rep_t *r)
{
	size_t w = 1 + s->ts_cols;

	if (!s->sample_every)
		return;
	rep_obj_begin(r, "timeseries");
	rep_ns(r, "interval_ns", s->sample_every);
	rep_str(r, "note", "one row per interval ending at t_ns; counters are per interval, nr_free_pages.* are gauges");
	rep_arr_begin(r, "columns");
	rep_str(r, NULL, "t_ns");
	for (unsigned k = 0; k < s->ts_cols; k++)
		rep_str(r, NULL, s->ts_names[k]);
	rep_arr_end(r);
	rep_arr_begin(r, "rows");
	for (size_t i = 0; i < s->ts_nr; i++) {
		const uint64_t *row = s->ts_rows + i * w;
		rep_arr_begin(r, NULL);
		rep_ns(r, NULL, row[0]);
		for (unsigned k = 0; k < s->ts_cols; k++)
			rep_u64(r, NULL, row[1 + k]);
		rep_arr_end(r);
	}
	rep_arr_end(r);
	rep_obj_end(r);
}

/* ---- setup ----------------------------------------------------------------------------------- */

/*
 * Does this trace get a reader thread of its own (--reader-threads)?  Asked
 * for each trace in order; *used counts the threads given so far.  By
 * default only text, lackey and ChampSim input: decoding native records
 * costs less than moving the decoded ones from another core's cache
 * (docs/engine.md, "The reader on a second host core").
 */
static bool reads_ahead(const struct run_opts *o, const trace_reader_t *r, unsigned *used)
{
	unsigned max = o->reader_threads;

	if (max == RUN_READERS_AUTO) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		if (trace_reader_format(r) == TFMT_NATIVE)
			return false;
		max = cpus > 1 ? (unsigned)(cpus - 1) : 0;
	}
	if (*used >= max)
		return false;
	++*used;
	return true;
}

int simrun_create(simrun_t **out, const struct run_opts *o, char *err, size_t errlen)
{
	struct simrun *s = calloc(1, sizeof(*s));
	unsigned next_cpu = 0, readers = 0;
	int rc;

	if (!s)
		return -SIM_ENOMEM;
	s->opts = *o;
	if ((rc = evq_init(&s->q)))
		goto fail;
	rc = machine_load(&s->m, o->machine, o->overrides, o->nr_overrides, err, errlen);
	if (rc)
		goto fail;
	if ((rc = pmem_create(&s->pm)))
		goto fail;
	rc = hw_create(&s->hw, &s->m.hw, s->pm, o->seed, err, errlen);
	if (rc)
		goto fail;
	rc = os_create(&s->os, &s->m.os, s->hw, s->pm, &s->q, o->seed, err, errlen);
	if (rc)
		goto fail;
	os_set_error_handler(s->os, os_failed, s);
	s->zero_pfn = os_zero_pfn(s->os);
	s->nr_cpus = hw_nr_cpus(s->hw);
	s->cycle_ps = hw_cycle_ps(&s->m.hw);
	s->line_shift = ilog2_u64(s->m.hw.caches.l1d.line);
	s->cpu = calloc(s->nr_cpus, sizeof(*s->cpu));
	if (!s->cpu) {
		rc = -SIM_ENOMEM;
		goto fail;
	}
	for (unsigned i = 0; i < s->nr_cpus; i++) {
		hist_init(&s->cpu[i].lat);
		s->cpu[i].hit = hw_hit_path(s->hw, i);
		s->cpu[i].cur_pid = -1;
	}
	struct mpol_spec pol;
	if (o->policy) {
		rc = mpol_spec_parse(o->policy, s->m.hw.nr_nodes, &pol, err, errlen);
		if (rc) {
			sim_err_prefix(err, errlen, "--policy %s", o->policy);
			goto fail;
		}
	}
	if (!o->nr_traces) {
		rc = sim_errf(err, errlen, SIM_EUSAGE, "run: at least one --trace FILE is needed");
		goto fail;
	}
	for (unsigned i = 0; i < o->nr_traces; i++) {
		struct tsrc *src = &s->src[s->nr_src];
		const struct run_trace_arg *a = &s->opts.traces[i];
		for (unsigned k = 0; k < a->nr_cpus; k++) {
			if (a->cpus[k] >= s->nr_cpus) {
				rc = sim_errf(err, errlen, SIM_EUSAGE, "--trace %s@%u: machine %s has CPUs 0-%u", a->path,
					      a->cpus[k], s->m.name, s->nr_cpus - 1);
				goto fail;
			}
		}
		src->arg = a;
		rc = trace_open(&src->r, a->path, a->fmt, err, errlen);
		if (rc)
			goto fail;
		s->nr_src++;
		if (reads_ahead(o, src->r, &readers) && (rc = trace_readahead(src->r, TRACE_RA_DEPTH, err, errlen)) < 0)
			goto fail;
		rc = os_process_create(s->os, true, &src->pid);
		if (rc) {
			sim_errf(err, errlen, rc, "%s: cannot create a process: %s", a->path, sim_strerror(rc));
			goto fail;
		}
		if (o->policy && (rc = os_set_process_policy(s->os, src->pid, &pol))) {
			sim_errf(err, errlen, rc, "--policy %s: %s", o->policy, sim_strerror(rc));
			goto fail;
		}
		src->next_cpu = next_cpu;
		src->tail_tid = -1;
		unsigned nt = trace_nr_threads(src->r);
		next_cpu += nt ? nt : 1;
		/* thread 0 starts at time 0; others start when their records appear */
		if (!thread_new(s, src, 0, 0, false)) {
			rc = -SIM_ENOMEM;
			goto fail;
		}
	}
	if ((rc = ts_init(s)))
		goto fail;
	s->next_progress = 1u << 20;
	clock_gettime(CLOCK_MONOTONIC, &s->wall_start);
	*out = s;
	return 0;
fail:
	simrun_destroy(s);
	return rc;
}

void simrun_destroy(simrun_t *s)
{
	if (!s)
		return;
	for (unsigned i = 0; i < s->nr_src; i++) {
		struct tsrc *src = &s->src[i];
		for (unsigned t = 0; t < MAX_THREADS_PER_TRACE; t++) {
			struct thread *th = src->threads[t];
			if (!th)
				continue;
			ev_cancel(&s->q, &th->ev);
			core_destroy(&th->core);
			free(th->q);
			free(th->cq);
			tspill_destroy(th->spill);
			free(th);
		}
		free(src->tok);
		trace_close(src->r);
	}
	ev_cancel(&s->q, &s->sample_ev);
	free(s->ts_rows);
	os_destroy(s->os);
	hw_destroy(s->hw);
	pmem_destroy(s->pm);
	evq_destroy(&s->q);
	free(s->cpu);
	free(s);
}

/* Threads whose parent ended before replaying their clone start when everything else is done. */
static bool start_orphans(struct simrun *s)
{
	bool any = false;

	for (unsigned i = 0; i < s->nr_src; i++) {
		for (unsigned t = 0; t < s->src[i].nr_threads; t++) {
			struct thread *th = s->src[i].threads[t];
			if (th && th->waiting && !th->done) {
				thread_start(s, th, SIM_MAX(s->end, s->q.now));
				any = true;
			}
		}
	}
	return any;
}

/*
 * Every live thread sleeps or waits for its clone: nothing can wake them
 * (kernel threads never wake a futex).  Threads of a stopped run or a killed
 * process end; a gap in the address-space order (its thread ended before
 * reaching it) is skipped with a warning; a futex wait left is a wait that
 * can never be woken: an error naming the thread and the address.
 * @return true if some thread can go on.
 */
static bool resolve_stall(struct simrun *s)
{
	struct thread *min_seq = NULL, *futex = NULL;
	unsigned nfutex = 0;
	bool any = false;

	for (unsigned i = 0; i < s->nr_src; i++) {
		struct tsrc *src = &s->src[i];
		for (unsigned t = 0; t < src->nr_threads; t++) {
			struct thread *th = src->threads[t];
			if (!th || th->done || !th->block)
				continue;
			if (s->stop || !os_process_alive(s->os, th->pid)) {
				thread_finish(s, th);
				any = true;
			} else if (th->block == BLK_SEQ) {
				if (!min_seq || (min_seq->src == src && th->block_key < min_seq->block_key))
					min_seq = th;
			} else {
				futex = futex ? futex : th;
				nfutex++;
			}
		}
	}
	if (any)
		return true;
	if (min_seq) {
		struct tsrc *src = min_seq->src;
		fprintf(stderr, "numasim: %s: address-space operations %llu..%llu were never replayed (their thread "
			"ended early); thread %u goes on without them\n", src->arg->path,
			(unsigned long long)src->seq_next, (unsigned long long)min_seq->block_key - 1, min_seq->tid);
		s->cpu[min_seq->cpu].stat[RS_SEQ_SKIPPED] += min_seq->block_key - src->seq_next;
		src->seq_next = min_seq->block_key;
		min_seq->seq_hold = true;
		thread_unblock(s, min_seq, min_seq->block_since);
		return true;
	}
	if (futex) {
		char m[512];
		snprintf(m, sizeof(m), "%s: thread %u waits forever in futex_wait on 0x%llx (%s %llu %s; %u thread%s "
			 "blocked, no other can run)", futex->src->arg->path, futex->tid,
			 (unsigned long long)futex->block_addr, futex->block == BLK_EXIT ? "thread" : "wake",
			 (unsigned long long)futex->block_key,
			 futex->block == BLK_EXIT ? "never exits" : "is never replayed", nfutex, nfutex == 1 ? "" : "s");
		run_fail(s, -SIM_ETRACE, "%s", m);
	}
	return false;
}

int simrun_run(simrun_t *s, char *err, size_t errlen)
{
	for (;;) {
		/*
		 * Only while some thread can run: periodic kernel threads
		 * (khugepaged, proactive compaction) reschedule themselves for
		 * ever, and running them alone once let the clock wrap around
		 * 2^64 before orphaned threads started ("18446744047933 us").
		 */
		while (s->live > s->nblocked + s->nwaiting && !s->error && evq_run_one(&s->q))
			if (unlikely(s->q.now > SIM_TIME_LIMIT))
				run_fail(s, -SIM_ESTATE, "%s", "simulated time passed 2^62 ps (53 days): a runaway replay, stopped");
		if (!s->live || s->error)
			break;
		if (!start_orphans(s) && !resolve_stall(s))
			break;
	}
	for (unsigned i = 0; i < s->nr_src && !s->error; i++) {
		const struct tsrc *src = &s->src[i];
		if (src->thread_exits && !src->has_sync)
			fprintf(stderr, "numasim: %s: warning: a multi-threaded recording without futex or seq records "
				"(recorded before numasim replayed synchronisation): joins, locks and the order of "
				"mmap/munmap across threads are not replayed; record it again\n", src->arg->path);
	}
	/* the last, partial interval */
	if (s->sample_every && !s->error && s->end > s->last_sample && ts_add_row(s, s->end))
		return sim_errf(err, errlen, SIM_ENOMEM, "out of memory for the time series");
	if (s->opts.progress)
		progress_draw(s, true);
	if (s->error)
		return sim_errf(err, errlen, s->error, "%s", s->errmsg);
	return 0;
}

/* ---- reporting ---------------------------------------------------------------------------- */

/* The latency histograms complete (before reading them). */
static void lat_flush(struct simrun *s)
{
	for (unsigned i = 0; i < s->nr_cpus; i++)
		hist_run_flush(&s->cpu[i].lat, &s->cpu[i].lat_run);
}

static void totals(const struct simrun *s, struct cpu_stats *t)
{
	memset(t, 0, sizeof(*t));
	hist_init(&t->lat);
	for (unsigned i = 0; i < s->nr_cpus; i++) {
		const struct cpu_stats *c = &s->cpu[i];
		for (unsigned k = 0; k < NR_RUN_STATS; k++)
			t->stat[k] += c->stat[k];
		for (unsigned k = 0; k < NR_HW_SERVED; k++) {
			t->served[k] += c->served[k];
			t->served_ps[k] += c->served_ps[k];
		}
		for (unsigned k = 0; k < MAX_HOPS; k++) {
			t->hops[k] += c->hops[k];
			t->hops_ps[k] += c->hops_ps[k];
		}
		hist_merge(&t->lat, &c->lat);
		for (unsigned k = 0; k < NR_CORE_STALLS; k++)
			t->stall[k] += c->stall[k];
	}
}

static double ratio(uint64_t a, uint64_t b)
{
	return b ? (double)a / (double)b : 0.0;
}

static uint64_t mem_accesses(const struct cpu_stats *t)
{
	return t->served[SRV_C2C_LOCAL] + t->served[SRV_C2C_REMOTE] + t->served[SRV_DRAM_LOCAL] +
	       t->served[SRV_DRAM_REMOTE];
}

static void rep_served(rep_t *r, const struct cpu_stats *c)
{
	rep_obj_begin(r, "served");
	for (unsigned k = 0; k < NR_HW_SERVED; k++)
		rep_u64(r, hw_served_names[k], c->served[k]);
	rep_obj_end(r);
	rep_obj_begin(r, "served_ns");
	for (unsigned k = 0; k < NR_HW_SERVED; k++)
		rep_ns(r, hw_served_names[k], c->served_ps[k]);
	rep_obj_end(r);
}

/* Where the core model's time went (hw/core.h), in ns. */
static void rep_core_stalls(rep_t *r, const uint64_t *stall)
{
	rep_obj_begin(r, "core_stalls_ns");
	for (unsigned k = 0; k < NR_CORE_STALLS; k++)
		rep_ns(r, core_stall_names[k], stall[k]);
	rep_obj_end(r);
}

int simrun_report(simrun_t *s, rep_t *r)
{
	struct cpu_stats t;
	struct json_t *cfg;

	lat_flush(s);
	totals(s, &t);
	rep_str(r, "schema", "numasim-report");
	rep_u64(r, "schema_version", 1);
	rep_str(r, "numasim_version", NUMASIM_VERSION);
	rep_u64(r, "seed", s->opts.seed);
	cfg = cfg_dump_json(&machine_desc_table, &s->m);
	rep_json(r, "machine", cfg);

	rep_obj_begin(r, "run");
	rep_arr_begin(r, "traces");
	for (unsigned i = 0; i < s->nr_src; i++) {
		const struct tsrc *src = &s->src[i];
		rep_obj_begin(r, NULL);
		rep_str(r, "path", src->arg->path);
		rep_str(r, "format", trace_format_name(trace_reader_format(src->r)));
		rep_u64(r, "pid", (uint64_t)src->pid);
		rep_u64(r, "threads", src->nr_threads);
		rep_arr_begin(r, "cpus");
		for (unsigned k = 0; k < src->nr_threads; k++)
			if (src->threads[k])
				rep_u64(r, NULL, src->threads[k]->cpu);
		rep_arr_end(r);
		/* times NUMA balancing moved each thread to its preferred node (same order as cpus) */
		rep_arr_begin(r, "thread_numa_moves");
		for (unsigned k = 0; k < src->nr_threads; k++)
			if (src->threads[k])
				rep_u64(r, NULL, src->threads[k]->numa_moves);
		rep_arr_end(r);
		/* when each thread's last instruction retired (same order as cpus) */
		rep_arr_begin(r, "thread_end_ns");
		for (unsigned k = 0; k < src->nr_threads; k++)
			if (src->threads[k])
				rep_ns(r, NULL, core_end(&src->threads[k]->core));
		rep_arr_end(r);
		/* simulated time each thread slept in futex waits and for its turn in the address-space order */
		rep_arr_begin(r, "thread_blocked_ns");
		for (unsigned k = 0; k < src->nr_threads; k++)
			if (src->threads[k])
				rep_ns(r, NULL, src->threads[k]->blocked_ps);
		rep_arr_end(r);
		rep_bool(r, "synchronised", src->has_sync);
		rep_obj_end(r);
	}
	rep_arr_end(r);
	rep_str(r, "policy", s->opts.policy ? s->opts.policy : "default");
	rep_arr_begin(r, "overrides");
	for (unsigned i = 0; i < s->opts.nr_overrides; i++)
		rep_str(r, NULL, s->opts.overrides[i]);
	rep_arr_end(r);
	rep_obj_end(r);

	rep_obj_begin(r, "summary");
	rep_u64(r, "accesses", t.stat[RS_ACCESSES]);
	rep_u64(r, "loads", t.stat[RS_LOADS]);
	rep_u64(r, "stores", t.stat[RS_STORES]);
	rep_u64(r, "ifetches", t.stat[RS_IFETCHES]);
	rep_u64(r, "modifies", t.stat[RS_MODIFIES]);
	rep_u64(r, "compute_instructions", t.stat[RS_GAP]);
	rep_ns(r, "sim_time_ns", s->end);
	rep_str(r, "core_model", cpu_model_names[s->m.hw.cpu.model]);
	rep_core_stalls(r, t.stall);
	rep_hist(r, "latency", &t.lat);
	/* the whole distribution: [upper bound of a histogram bucket (ns), share of accesses <= it] */
	rep_arr_begin(r, "latency_cdf");
	uint64_t seen = 0;
	for (unsigned b = 0; b < HIST_BUCKETS && t.lat.count; b++) {
		if (!t.lat.bucket[b])
			continue;
		seen += t.lat.bucket[b];
		rep_arr_begin(r, NULL);
		rep_ns(r, NULL, hist_bucket_upper(b) > t.lat.max ? t.lat.max : hist_bucket_upper(b));
		rep_real(r, NULL, (double)seen / (double)t.lat.count);
		rep_arr_end(r);
	}
	rep_arr_end(r);
	rep_served(r, &t);
	rep_real(r, "remote_ratio", ratio(t.served[SRV_C2C_REMOTE] + t.served[SRV_DRAM_REMOTE], mem_accesses(&t)));
	rep_ns(r, "latency_ns", t.stat[RS_LAT_PS]);
	rep_ns(r, "xlat_ns", t.stat[RS_XLAT_PS]);
	rep_real(r, "xlat_share", ratio(t.stat[RS_XLAT_PS], t.stat[RS_LAT_PS]));
	/* like DTLB_LOAD_MISSES.WALK_ACTIVE / cycles: share of thread time with a walk in progress */
	rep_ns(r, "walk_active_ns", t.stat[RS_WALK_ACTIVE_PS]);
	rep_real(r, "walk_active_share", ratio(t.stat[RS_WALK_ACTIVE_PS], t.stat[RS_THREAD_PS]));
	rep_u64(r, "faults", t.stat[RS_FAULTS]);
	rep_ns(r, "fault_ns", t.stat[RS_FAULT_PS]);
	rep_u64(r, "syscalls", t.stat[RS_SYSCALLS]);
	rep_ns(r, "syscall_ns", t.stat[RS_SYSCALL_PS]);
	rep_u64(r, "syscall_errors", t.stat[RS_SYSCALL_ERR]);
	rep_u64(r, "segv", t.stat[RS_SEGV]);
	rep_u64(r, "zero_page_accesses", t.stat[RS_ZERO_PAGE]);
	rep_u64(r, "futex_waits", t.stat[RS_FUTEX_WAITS]);
	rep_u64(r, "futex_blocked", t.stat[RS_FUTEX_BLOCKED]);
	rep_u64(r, "futex_unmatched", t.stat[RS_FUTEX_UNMATCHED]);
	rep_u64(r, "futex_wakes", t.stat[RS_FUTEX_WAKES]);
	rep_ns(r, "blocked_ns", t.stat[RS_BLOCKED_PS]);
	rep_u64(r, "seq_waits", t.stat[RS_SEQ_WAITS]);
	rep_u64(r, "seq_skipped", t.stat[RS_SEQ_SKIPPED]);
	/* memory accesses (c2c and DRAM) by link hops: index = hops */
	rep_arr_begin(r, "hops");
	for (unsigned k = 0; k < MAX_HOPS; k++)
		rep_u64(r, NULL, t.hops[k]);
	rep_arr_end(r);
	rep_arr_begin(r, "hops_mean_ns");
	for (unsigned k = 0; k < MAX_HOPS; k++)
		rep_ns(r, NULL, t.hops[k] ? (t.hops_ps[k] + t.hops[k] / 2) / t.hops[k] : 0);
	rep_arr_end(r);
	rep_obj_end(r);

	rep_arr_begin(r, "cpus");
	for (unsigned i = 0; i < s->nr_cpus; i++) {
		const struct cpu_stats *c = &s->cpu[i];
		if (!c->stat[RS_ACCESSES] && !c->stat[RS_FAULTS] && !c->stat[RS_SYSCALLS])
			continue;
		rep_obj_begin(r, NULL);
		rep_u64(r, "cpu", i);
		rep_u64(r, "node", hw_cpu_node(s->hw, i));
		rep_ns(r, "time_ns", c->busy_until);
		struct stat_block sb = { run_stat_desc, c->stat, NR_RUN_STATS };
		rep_stats(r, "counters", &sb);
		rep_core_stalls(r, c->stall);
		rep_hist(r, "latency", &c->lat);
		rep_served(r, c);
		rep_obj_end(r);
	}
	rep_arr_end(r);

	rep_obj_begin(r, "hw");
	hw_report(s->hw, r);
	rep_obj_end(r);
	rep_obj_begin(r, "os");
	os_report(s->os, r);
	rep_obj_end(r);
	ts_report(s, r);
	return 0;
}

static void pct_line(FILE *fp, const char *label, const struct cpu_stats *t, uint64_t total)
{
	fprintf(fp, "%-14s", label);
	for (unsigned k = 0; k < NR_HW_SERVED; k++)
		fprintf(fp, " %s %.1f%%", hw_served_names[k], 100.0 * ratio(t->served[k], total));
	fputc('\n', fp);
}

void simrun_print_summary(simrun_t *s, FILE *fp)
{
	struct cpu_stats t;
	uint64_t n;

	lat_flush(s);
	totals(s, &t);
	n = t.stat[RS_ACCESSES];
	fprintf(fp, "numasim %s  machine %s: %u nodes, %u CPUs  seed %llu\n", NUMASIM_VERSION, s->m.name,
		s->m.hw.nr_nodes, s->nr_cpus, (unsigned long long)s->opts.seed);
	for (unsigned i = 0; i < s->nr_src; i++) {
		const struct tsrc *src = &s->src[i];
		fprintf(fp, "trace %s (%s): pid %d, %u thread%s on CPU", src->arg->path,
			trace_format_name(trace_reader_format(src->r)), src->pid, src->nr_threads,
			src->nr_threads == 1 ? "" : "s");
		for (unsigned k = 0; k < src->nr_threads && k < 16; k++)
			fprintf(fp, "%s%u", k ? "," : " ", src->threads[k] ? src->threads[k]->cpu : place_thread(s, (struct tsrc *)src, k));
		fprintf(fp, "%s\n", src->nr_threads > 16 ? ",..." : "");
	}
	fprintf(fp, "policy         %s\n", s->opts.policy ? s->opts.policy : "default (local)");
	fprintf(fp, "accesses       %llu  (loads %llu, stores %llu, ifetches %llu, modifies %llu)\n",
		(unsigned long long)n, (unsigned long long)t.stat[RS_LOADS], (unsigned long long)t.stat[RS_STORES],
		(unsigned long long)t.stat[RS_IFETCHES], (unsigned long long)t.stat[RS_MODIFIES]);
	fprintf(fp, "simulated time %.3f us\n", (double)s->end / 1e6);
	if (s->m.hw.cpu.model == CPU_OOO)
		fprintf(fp, "core           out of order; %llu dependent loads%s\n", (unsigned long long)t.stat[RS_DEP_LOADS],
			t.stat[RS_DEP_LOADS] ? "" : " (the trace carries no dependences: every access may overlap)");
	else
		fprintf(fp, "core           in order (one access at a time)\n");
	fprintf(fp, "latency (ns)   mean %.2f  p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n",
		n ? (double)t.lat.sum / (double)n / 1000.0 : 0.0, (double)hist_quantile(&t.lat, 500) / 1000.0,
		(double)hist_quantile(&t.lat, 900) / 1000.0, (double)hist_quantile(&t.lat, 990) / 1000.0,
		(double)t.lat.max / 1000.0);
	pct_line(fp, "served", &t, n);
	fprintf(fp, "remote ratio   %.1f%% of the %llu accesses served beyond the socket's caches went to another node\n",
		100.0 * ratio(t.served[SRV_C2C_REMOTE] + t.served[SRV_DRAM_REMOTE], mem_accesses(&t)),
		(unsigned long long)mem_accesses(&t));
	fprintf(fp, "translation    %.1f%% of access latency in TLB misses and page walks; walks in progress %.1f%% of the time\n",
		100.0 * ratio(t.stat[RS_XLAT_PS], t.stat[RS_LAT_PS]),
		100.0 * ratio(t.stat[RS_WALK_ACTIVE_PS], t.stat[RS_THREAD_PS]));
	fprintf(fp, "faults         %llu  (%.3f us)   syscalls %llu (%llu rejected)\n",
		(unsigned long long)t.stat[RS_FAULTS], (double)t.stat[RS_FAULT_PS] / 1e6,
		(unsigned long long)t.stat[RS_SYSCALLS], (unsigned long long)t.stat[RS_SYSCALL_ERR]);
	if (t.stat[RS_FUTEX_WAITS] || t.stat[RS_FUTEX_WAKES] || t.stat[RS_SEQ_WAITS])
		fprintf(fp, "sync           futex waits %llu (%llu slept, %llu unmatched), wakes %llu; blocked %.3f us in all\n",
			(unsigned long long)t.stat[RS_FUTEX_WAITS], (unsigned long long)t.stat[RS_FUTEX_BLOCKED],
			(unsigned long long)t.stat[RS_FUTEX_UNMATCHED], (unsigned long long)t.stat[RS_FUTEX_WAKES],
			(double)t.stat[RS_BLOCKED_PS] / 1e6);
	if (t.stat[RS_SEGV])
		fprintf(fp, "outside maps   %llu accesses outside any mapping or not permitted (skipped)\n",
			(unsigned long long)t.stat[RS_SEGV]);
	/* shown from 0.05% up: a few reads of untouched memory (a program's bss) are normal */
	if (t.stat[RS_ZERO_PAGE] && 2000 * t.stat[RS_ZERO_PAGE] >= n)
		fprintf(fp, "zero page      %.1f%% of accesses read the kernel's zero page (memory never written)\n",
			100.0 * ratio(t.stat[RS_ZERO_PAGE], n));
}

uint64_t simrun_segv(simrun_t *s, char *err, size_t errlen)
{
	struct cpu_stats t;

	totals(s, &t);
	if (t.stat[RS_SEGV])
		sim_errf(err, errlen, SIM_EFAULT, "%llu access%s outside any mapping or not permitted (first: %s); "
			 "the program would have died of SIGSEGV (--allow-segv replays it anyway)",
			 (unsigned long long)t.stat[RS_SEGV], t.stat[RS_SEGV] == 1 ? "" : "es", s->first_segv);
	return t.stat[RS_SEGV];
}

uint64_t simrun_zero_page_accesses(simrun_t *s, uint64_t *accesses)
{
	struct cpu_stats t;

	totals(s, &t);
	*accesses = t.stat[RS_ACCESSES];
	return t.stat[RS_ZERO_PAGE];
}

int simrun_dump(simrun_t *s, const char *views, FILE *fp, char *err, size_t errlen)
{
	char *copy = strdup(views), *save = NULL;
	int rc = 0;

	if (!copy)
		return -SIM_ENOMEM;
	for (char *v = strtok_r(copy, ",", &save); v; v = strtok_r(NULL, ",", &save)) {
		fprintf(fp, "==> %s <==\n", v);
		rc = os_dump(s->os, v, fp);
		if (rc) {
			rc = sim_errf(err, errlen, SIM_EUSAGE,
				      "--dump %s: unknown view (numasim run --help lists them)", v);
			break;
		}
	}
	free(copy);
	return rc;
}
