/*
 * experiments/sweep.h - parameter sweeps: spec, grid, point ids, CSV.
 *
 * A sweep spec (JSON) lists axes - machines, workloads, policies, override
 * sets, seeds - and the report metrics to tabulate.  The grid is their
 * cartesian product in a fixed order (machines outermost, seeds innermost),
 * so point k is the same run every time the spec is read.  Each point has a
 * stable id "p0001-<readable name>" naming its directory under DIR/points/.
 *
 * This module is pure data handling (no processes, no files except the spec
 * and the reports it is asked to read), so grid expansion and the CSV text
 * can be tested exactly; sim/cli/cmd_sweep.c runs the points.
 */
#ifndef EXPERIMENTS_SWEEP_H
#define EXPERIMENTS_SWEEP_H

#include <stdio.h>
#include "sim/types.h"

struct json_t;

struct sweep_workload {
	char *name;          /* readable label: spec "name", else the file's base name */
	char *trace;         /* existing trace (path as it must be passed to run), or NULL */
	char *gen_file;      /* generator spec file, or NULL */
	struct json_t *gen;  /* inline generator spec object, or NULL */
};

struct sweep_spec {
	char *name;
	char *base_dir;                  /* directory of the spec file: relative paths start here */
	char **machines;  size_t nr_machines;
	struct sweep_workload *workloads; size_t nr_workloads;
	char **policies;  size_t nr_policies;
	char ***overrides; size_t *nr_override_args; size_t nr_overrides;
	char **override_names;           /* optional labels of the override sets (figures), or NULL */
	uint64_t *seeds;  size_t nr_seeds;
	char **metrics;   size_t nr_metrics;
};

struct sweep_point {
	size_t index;                    /* 1-based position in grid order */
	size_t machine, workload, policy, override, seed;   /* axis indexes */
	char id[96];
};

/*
 * Parse a spec from a JSON object / file.  Missing axes get one default
 * value (machines ["tiny"], policies ["default"], overrides [[]], seeds [1]);
 * workloads and metrics are required.  @return 0 or -SIM_ECONFIG with the
 * JSON path of the bad field in err.
 */
int sweep_spec_parse(struct sweep_spec **out, const struct json_t *root, const char *where,
		     const char *base_dir, char *err, size_t errlen);
int sweep_spec_load(struct sweep_spec **out, const char *path, char *err, size_t errlen);
void sweep_spec_free(struct sweep_spec *s);

/*
 * Names of workloads (and of the sweep) become file names under the sweep
 * directory: 1..SWEEP_NAME_MAX of [A-Za-z0-9._+-], not starting with '.',
 * so none is "..", a path or a hidden file.
 */
#define SWEEP_NAME_MAX 64
bool sweep_name_ok(const char *name);

size_t sweep_nr_points(const struct sweep_spec *s);
/* Point `index` (1-based, <= sweep_nr_points) with its id filled in. */
void sweep_point_get(const struct sweep_spec *s, size_t index, struct sweep_point *p);

/* What to pass to --machine for machine k: a preset name, or a file resolved
 * against the spec's directory.  Caller frees; NULL when out of memory. */
char *sweep_machine_arg(const struct sweep_spec *s, size_t k);

/* Overrides of set k joined with ';' ("" for an empty set).  Caller frees. */
char *sweep_override_label(const struct sweep_spec *s, size_t k);

/*
 * Value at a dotted path ("summary.latency.p99_ns", "os.numastat.0.numa_miss")
 * inside a report; array elements by index.  @return NULL if absent.
 */
const struct json_t *sweep_metric(const struct json_t *report, const char *path);

/* Point status in the CSV. */
enum sweep_status { SWEEP_OK, SWEEP_FAILED, SWEEP_MISSING };
const char *sweep_status_name(enum sweep_status st);

/* Header row: id,machine,workload,policy,overrides,seed,status,<metrics...> */
void sweep_csv_header(const struct sweep_spec *s, FILE *out);
/* One row; `report` may be NULL (failed or missing point: empty metrics). */
void sweep_csv_row(const struct sweep_spec *s, const struct sweep_point *p, enum sweep_status st,
		   const struct json_t *report, FILE *out);

/*
 * Build the results table of DIR from whatever exists: DIR/points/<id>/
 * report.json (ok), error.txt (failed), neither (missing).  The text goes
 * to DIR/results.csv atomically.  *nr_failed / *nr_missing count the rest.
 * @return 0 or a negative code (I/O) with err set.
 */
int sweep_collect(const struct sweep_spec *s, const char *dir, size_t *nr_failed, size_t *nr_missing,
		  char *err, size_t errlen);

/* Parse "3", "3..7", "1..4,9" into a bitmap of 1-based points (caller frees). */
int sweep_parse_points(const char *text, size_t nr_points, bool **sel, char *err, size_t errlen);

#endif
