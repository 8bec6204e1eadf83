/*
 * sim/cli/run.h - one simulation: machine + OS + traces replayed by CPU agents.
 *
 * struct simrun owns everything of one simulation (event queue, pmem, hw,
 * os, trace sources, thread agents, statistics); nothing is global, so tests
 * and tools can run two simulations in one process.
 *
 * Replay model (docs/engine.md): every trace thread is an agent on a CPU.
 * An agent is an event on the queue; when it runs it replays records while
 * the next one is due no later than every other pending event, timing each
 * access with the core model (hw/core.h), then re-schedules itself at that
 * record's time.  So all threads' accesses, faults and system calls are
 * resolved in global time order, and a thread alone costs no heap
 * operation.  Kernel threads of the OS layer are ordinary events.
 */
#ifndef SIM_CLI_RUN_H
#define SIM_CLI_RUN_H

#include <limits.h>
#include <stdio.h>
#include "sim/cli/machine.h"
#include "sim/report.h"
#include "traces/trace.h"

#define RUN_MAX_TRACES 256

struct run_trace_arg {
	const char *path;
	enum trace_format fmt;
	unsigned cpus[HW_MAX_CPUS];   /* explicit placement ("@3", "@0,2", "@0-3") */
	unsigned nr_cpus;             /* 0: place after the previous trace's CPUs */
};

struct run_opts {
	const char *machine;                 /* preset or file */
	char **overrides;                    /* -p key=value */
	unsigned nr_overrides;
	struct run_trace_arg traces[RUN_MAX_TRACES];
	unsigned nr_traces;
	const char *policy;                  /* --policy for implicit mappings, NULL: default */
	uint64_t seed;
	const char *report_path;             /* --report, NULL: none */
	const char *dumps;                   /* --dump list, comma separated */
	bool progress;                       /* progress bar on stderr */
	bool quiet;                          /* no summary on stdout */
	uint64_t max_accesses;               /* stop after this many (0: all) */
	bool allow_segv;                     /* accesses outside mappings are not an error (--allow-segv) */
	/*
	 * --reader-threads: the first this many traces are read, decompressed
	 * and decoded on a host thread of their own, a few batches ahead of the
	 * replay (trace_readahead).  An engine knob: no result depends on it.
	 * 0 (the zero value): every trace is decoded on the replay's thread.
	 * RUN_READERS_AUTO: the traces not in the native format, as many as
	 * the host has CPUs beside the replay's (docs/engine.md says why).
	 */
	unsigned reader_threads;
};
#define RUN_READERS_AUTO UINT_MAX

typedef struct simrun simrun_t;

/* Build the machine and open the traces.  @return 0 or negative with err. */
int simrun_create(simrun_t **out, const struct run_opts *o, char *err, size_t errlen);
void simrun_destroy(simrun_t *s);

/* Replay everything.  @return 0 or negative with err (malformed trace, ...). */
int simrun_run(simrun_t *s, char *err, size_t errlen);

/* The JSON report (docs/report.md). */
int simrun_report(simrun_t *s, rep_t *r);
/* Human summary. */
void simrun_print_summary(simrun_t *s, FILE *fp);
/* Accesses that read the shared zero page; *accesses gets all accesses. */
uint64_t simrun_zero_page_accesses(simrun_t *s, uint64_t *accesses);
/*
 * Accesses skipped because they fell outside every mapping (or were not
 * permitted).  @return their number, with a message naming the first
 * thread and address in err when there are any.
 */
uint64_t simrun_segv(simrun_t *s, char *err, size_t errlen);
/* --dump views. */
int simrun_dump(simrun_t *s, const char *views, FILE *fp, char *err, size_t errlen);

/* Parse "FILE[@CPU[,CPU...|A-B]]" (and an optional "fmt:" prefix). */
int run_parse_trace_arg(const char *arg, struct run_trace_arg *out, char *err, size_t errlen);

#endif
