/*
 * sim/report.h - building the JSON report without exposing JSON.
 *
 * Components describe their state to a report cursor: open an object or an
 * array, add numbers, strings and counter blocks, close it.  The report
 * mirrors the component tree (machine -> nodes -> cpus/caches/tlbs/ddr,
 * links, os).  Printers read counters only; they never change simulation
 * state.
 *
 * Keys appear in the order they are added, and every caller adds them in a
 * fixed order (counter tables in declaration order), so reports are
 * byte-identical run to run.
 */
#ifndef SIM_REPORT_H
#define SIM_REPORT_H

#include "sim/types.h"
#include "sim/stats.h"
#include "sim/hist.h"

typedef struct rep rep_t;

int rep_create(rep_t **out);
void rep_destroy(rep_t *r);

/* Containers.  `key` is NULL inside arrays. */
void rep_obj_begin(rep_t *r, const char *key);
void rep_obj_end(rep_t *r);
void rep_arr_begin(rep_t *r, const char *key);
void rep_arr_end(rep_t *r);

void rep_u64(rep_t *r, const char *key, uint64_t v);
void rep_i64(rep_t *r, const char *key, int64_t v);
void rep_bool(rep_t *r, const char *key, bool v);
void rep_str(rep_t *r, const char *key, const char *v);
/* A ratio or mean, printed with at most 6 significant decimals (deterministic). */
void rep_real(rep_t *r, const char *key, double v);
/* Picoseconds, printed as nanoseconds (3 decimals). */
void rep_ns(rep_t *r, const char *key, sim_time_t ps);

/* Every counter of a block as key: value, in table order. */
void rep_stats(rep_t *r, const char *key, const struct stat_block *sb);
/* The counters as members of the current object; those in unit "ps" as ns (rep_ns). */
void rep_stat_fields(rep_t *r, const struct stat_block *sb);

/* count, mean/p50/p90/p99/max in ns. */
void rep_hist(rep_t *r, const char *key, const struct hist *h);

/* Attach a JSON value produced elsewhere (jansson json_t *, reference stolen). */
struct json_t;
void rep_json(rep_t *r, const char *key, struct json_t *v);

/* Serialise (2-space indent) and write atomically.  @return 0 or -SIM_EIO. */
int rep_write_file(rep_t *r, const char *path, char *err, size_t errlen);
/* Serialise to a malloc'd string. */
char *rep_dump(rep_t *r);
/* Borrow the root (jansson json_t *) for tests and the text printer. */
struct json_t *rep_root(rep_t *r);

#endif
