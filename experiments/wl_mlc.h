/*
 * experiments/wl_mlc.h - the workload of Intel MLC's --loaded_latency, as a
 * trace: one latency thread chasing pointers, injector threads streaming.
 *
 * Thread 0 (on init_cpu) maps one region, asks for huge pages
 * (madvise MADV_HUGEPAGE, as MLC's large-page buffers), binds it to `node`
 * when one is given, and stores once to every 4 KiB page so that every page
 * exists before the measurement; then it clones the measured threads, which
 * all start at the same instant, and exits.  Thread 1 (on lat_cpu) chases a
 * random cyclic permutation of the lines of its buffer (Sattolo's shuffle):
 * one load per line, each flagged TREC_DEP.  Threads 2.. (on inj_cpus[])
 * read their private buffers sequentially, one independent load per line,
 * `delay` non-memory instructions before each.
 *
 * The init thread runs on a CPU of its own so that none of its records
 * lands in the measured CPUs' counters: per-CPU counters of a run over
 * this trace are then exactly the measurement window (from the clone to
 * each thread's end).  docs/mlc.md says how `numasim mlc --loaded-latency`
 * reads them; `numasim trace gen --pattern mlc-loaded` writes the same trace.
 */
#ifndef EXPERIMENTS_WL_MLC_H
#define EXPERIMENTS_WL_MLC_H

#include "sim/types.h"
#include "traces/trace.h"

#define WLMLC_MAX_INJ 1024

/* What thread 1 does: MLC's chase, or (for other measurements) independent loads. */
enum wlmlc_lat_pattern {
	WLMLC_CHASE,     /* dependent loads along a random cycle of lines (TREC_DEP) */
	WLMLC_RANDOM,    /* independent loads of uniformly random lines (GUPS-like reads) */
	WLMLC_STREAM,    /* independent loads of consecutive lines (single-core bandwidth) */
	WLMLC_GUPS,      /* read-modify-writes of random 8-byte words (GUPS's updates) */
};

struct wlmlc_spec {
	uint64_t seed;
	uint64_t base;            /* region start (4 KiB aligned) */
	uint64_t lat_buffer;      /* latency buffer bytes */
	uint64_t inj_buffer;      /* bytes per injector */
	uint64_t lat_loads;       /* dependent loads of the latency thread */
	uint64_t inj_loads;       /* loads per injector */
	uint32_t delay;           /* instructions before each injector load */
	unsigned line;            /* bytes per load step (a cache line) */
	unsigned init_cpu, lat_cpu;
	unsigned nr_inj;
	unsigned inj_cpus[WLMLC_MAX_INJ];
	int node;                 /* mbind(MPOL_BIND) node of the region, -1: none */
	enum wlmlc_lat_pattern lat_pattern;
	bool thp;                 /* madvise(MADV_HUGEPAGE) the region */
};

typedef struct wlmlc wlmlc_t;

/* Defaults: 256 MiB latency buffer, 4 MiB per injector, 20000 loads each, delay 0, CPUs 1 (init) and 0. */
void wlmlc_spec_init(struct wlmlc_spec *s);

/*
 * Set one field from text: seed, base, buffer, injector_buffer, latency_loads,
 * injector_loads, delay, line, init_cpu, latency_cpu, injector_cpus (a list
 * like 1-3,5), node (-1 = none), thp (0/1), latency_pattern (chase, random,
 * stream, gups).  @return 0 or -SIM_EUSAGE naming
 * the key.
 */
int wlmlc_spec_set(struct wlmlc_spec *s, const char *key, const char *value, char *err, size_t errlen);

/* The spec as `--key value` arguments of `numasim trace gen --pattern mlc-loaded`. */
void wlmlc_spec_args(const struct wlmlc_spec *s, char *buf, size_t len);

/* Check the spec and build a generator.  @return 0, -SIM_ECONFIG or -SIM_ENOMEM. */
int wlmlc_create(wlmlc_t **out, const struct wlmlc_spec *s, char *err, size_t errlen);
void wlmlc_destroy(wlmlc_t *g);

/* Next record (*ctrl filled for TOP_CTRL).  @return 1, or 0 at the end. */
int wlmlc_next(wlmlc_t *g, struct trace_rec *rec, struct trace_ctrl *ctrl);

/* Generate the whole trace into `path`.  @return 0 or negative with err. */
int wlmlc_write(const struct wlmlc_spec *s, const char *path, enum trace_format fmt, char *err, size_t errlen);

#endif
