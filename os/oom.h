/*
 * os/oom.h - the OOM killer (Linux's mm/oom_kill.c; sources.md §11).
 *
 * Invoked by the allocator's slow path when reclaim could not make
 * progress.  The constraint is the allocation's node mask: a mask that
 * misses some memory node (MPOL_BIND) is CONSTRAINT_MEMORY_POLICY, whose
 * totalpages are the present pages of those nodes plus swap, and whose
 * candidates are the processes without a BIND policy or with one that
 * intersects the mask; otherwise totalpages is all memory plus swap and
 * every live process is a candidate.  The victim has the highest badness
 *     rss (anon + file + shmem) + swap entries + page-table pages
 *     + oom_score_adj * totalpages / 1000
 * a later process winning ties, as for_each_process does.  It is killed at
 * once: its memory is freed (the oom reaper's work, done synchronously),
 * os_process_alive() turns false, oom_kill is counted and the kill logged
 * for the report.  When the victim is the process whose allocation is
 * failing, the kill happens when that allocation returns (the fault path
 * cannot free the address space it is working in): the allocation fails
 * and the fault reports OS_FAULT_OOM.
 */
#ifndef OS_OOM_H
#define OS_OOM_H

#include "os/page_alloc.h"

struct os;
struct process;
struct oom_state;

/* The inputs of oom_badness for one process. */
struct oom_task {
	uint64_t rss;             /* resident pages: anon + file + shmem */
	uint64_t swapents;
	uint64_t pgtables;        /* page-table pages */
	int oom_score_adj;        /* -1000..1000 */
	bool unkillable;          /* init, kernel threads, already dying */
};
#define OOM_SCORE_ADJ_MIN (-1000)
#define OOM_SCORE_ADJ_MAX 1000
#define OOM_BADNESS_MIN   INT64_MIN   /* LONG_MIN: not a candidate */

/* oom_badness: INT64_MIN for unkillable tasks and oom_score_adj -1000. */
int64_t oom_badness(const struct oom_task *t, uint64_t totalpages);

int oom_create(struct oom_state **out);
void oom_destroy(struct oom_state *o);

/*
 * out_of_memory for an allocation.  @return true if memory was freed (a
 * process other than the allocating one was killed), false otherwise
 * (nothing to kill, or the allocating process itself was chosen: it is
 * killed when its fault fails).
 */
bool out_of_memory(struct os *os, const struct alloc_ctx *ac, sim_time_t *cost);

/*
 * Kill p now (the fault path's end of an OOM, or the chosen victim): free
 * its address space, mark it dead, count oom_kill, log (time, pid,
 * badness, rss, reason).  Idempotent for a dead process.
 */
void oom_kill_process(struct os *os, struct process *p, int64_t badness, const char *reason);

/*
 * select_bad_process: the live process of highest oom_badness among those
 * eligible(os, p, ctx) accepts, a later one winning ties (for_each_process
 * order), or NULL; *badness gets its score.
 */
typedef bool (*oom_eligible_fn)(const struct os *os, const struct process *p, const void *ctx);
struct process *oom_select_victim(struct os *os, oom_eligible_fn eligible, const void *ctx, uint64_t totalpages,
				  int64_t *badness);
/* p is the victim of the allocation it is making: the failing fault kills it with this badness and reason. */
void oom_set_pending(struct os *os, const struct process *p, int64_t badness, const char *reason);

/* Number of kills logged. */
unsigned oom_nr_kills(const struct os *os);
/* Pid of the i-th kill (0 if none). */
int oom_kill_pid(const struct os *os, unsigned i);

void oom_report(struct os *os, struct rep *r);

#endif
