/*
 * sim/cli/mlc_loaded.h - `numasim mlc --loaded-latency`: Intel MLC's loaded
 * latency, measured with the full replay engine (sim/cli/run.h) on the
 * workload of experiments/wl_mlc.h.  Also `numasim trace gen --pattern
 * mlc-loaded`, which writes that workload for `numasim run`.  docs/mlc.md
 * has the method and the mapping of MLC's delay to instructions.
 */
#ifndef SIM_CLI_MLC_LOADED_H
#define SIM_CLI_MLC_LOADED_H

#include "experiments/wl_mlc.h"
#include "sim/cli/machine.h"

#define MLCL_MAX_DELAYS 64

/* MLC's default list of injection delays. */
extern const uint32_t mlcl_default_delays[];
extern const unsigned mlcl_nr_default_delays;

struct mlcl_opts {
	const char *machine;          /* preset or file */
	char **overrides;             /* -p key=value */
	unsigned nr_overrides;
	int lat_cpu;                  /* -1: first CPU of node 0 */
	int mem_node;                 /* node of every buffer, -1: the latency CPU's node */
	bool inj_given;               /* injector CPUs given (else: the other CPUs of the latency CPU's node) */
	unsigned nr_inj;
	unsigned inj_cpus[WLMLC_MAX_INJ];
	uint64_t buffer;              /* latency buffer, 0: 10x the LLC */
	uint64_t inj_buffer;          /* per injector */
	uint64_t lat_loads;           /* dependent loads measured per step */
	uint32_t delays[MLCL_MAX_DELAYS];
	unsigned nr_delays;
	uint64_t seed;
	bool small_pages;             /* 4 KiB pages: no madvise(MADV_HUGEPAGE) */
};

void mlcl_opts_init(struct mlcl_opts *o);

struct mlcl_point {
	uint32_t delay;
	double latency_ns;            /* latency thread: window / dependent loads */
	double bandwidth_mbps;        /* every measured thread's lines / its window, summed (MLC's figure) */
	double aggregate_mbps;        /* every measured line / (last thread end - clone): one shared window */
	double idle_ns;               /* not set here */
	unsigned runs;                /* simulations it took to keep the injectors busy to the end */
	struct wlmlc_spec spec;       /* the workload of the final run (trace gen --pattern mlc-loaded) */
};

/*
 * The workload spec of one step on machine m (CPUs, node, buffers from the
 * options; injector loads left at the spec default).  @return 0 or
 * -SIM_ECONFIG with err.
 */
int mlcl_spec(const struct machine_desc *m, const struct mlcl_opts *o, uint32_t delay, struct wlmlc_spec *s,
	      char *err, size_t errlen);

/*
 * Measure one step: replay the workload, and if an injector finished before
 * the latency thread, lengthen the injectors and replay again.  `tmpdir`
 * holds the temporary trace.  @return 0 or negative with err.
 */
int mlcl_measure(const struct mlcl_opts *o, const struct machine_desc *m, uint32_t delay, const char *tmpdir,
		 struct mlcl_point *pt, char *err, size_t errlen);

/*
 * Read one step back from a run report (a JSON object of `numasim run
 * --report` over the trace of `spec`): the same arithmetic mlc applies
 * (latency, MLC's per-thread bandwidth and the aggregate over one window).
 * *short_inj is set when an injector ended before the latency thread.
 */
int mlcl_from_report(const struct json_t *report, const struct wlmlc_spec *spec, double *latency_ns,
		     double *bandwidth_mbps, double *aggregate_mbps, bool *short_inj, double *lat_window_ns,
		     double *min_inj_window_ns, char *err, size_t errlen);

/*
 * Write the trace of `spec` to `path`, replay it on o's machine and hand back
 * the run report (json_decref it); the trace is removed.  @return 0 or
 * negative with err.
 */
int mlcl_replay_report(const struct mlcl_opts *o, const struct wlmlc_spec *spec, const char *path,
		       struct json_t **report, char *err, size_t errlen);

/* `numasim mlc --loaded-latency ...` (argv as given to cmd_mlc). */
int mlcl_main(int argc, char **argv);

/* `numasim trace gen --pattern mlc-loaded ...`. */
int mlcl_gen_main(int argc, char **argv);

#endif
