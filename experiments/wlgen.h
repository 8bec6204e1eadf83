/*
 * experiments/wlgen.h - synthetic workload generator.
 *
 * Turns a small workload description (pattern, region size, threads and
 * their CPUs, access count, memory policy) into a stream of trace records,
 * one record at a time, so a trace of any length is produced in constant
 * memory (the pointer chase keeps its N-entry permutation: that is the
 * working set, not the trace).  The same spec and seed always give the same
 * record stream.  Randomness comes only from sim/rng, one stream per
 * (phase, thread), so changing the thread count does not reshuffle the
 * other threads' choices.
 *
 * A workload is a list of phases (e.g. "thread 0 first-touches the array",
 * then "all threads use it").  Every pattern starts by writing its data
 * once, as a real program initializes its arrays before using them, unless
 * the spec says "init": false (then loads of never-written pages only read
 * the kernel's zero page); within a phase the participating threads'
 * records are interleaved round-robin, `chunk` records at a time.  Control
 * records (THREAD_CPU, MMAP, MBIND, SET_MEMPOLICY, CLONE, MARK) are emitted
 * where a real program would issue them.  The spec format is documented in
 * docs/experiments.md.
 */
#ifndef EXPERIMENTS_WLGEN_H
#define EXPERIMENTS_WLGEN_H

#include "sim/types.h"
#include "traces/trace.h"

struct json_t;

#define WL_MAX_THREADS 256

#define WL_PATTERNS(X)                                                       \
	X(STREAM,   stream,   "sequential sweep of each thread's slice")      \
	X(STRIDE,   stride,   "fixed-stride sweep of each thread's slice")    \
	X(GUPS,     gups,     "uniform random 8-byte read-modify-write")      \
	X(UNIFORM,  uniform,  "uniform random lines, loads/stores by ratio")  \
	X(ZIPF,     zipf,     "Zipf(s) over lines: hot lines at the start")   \
	X(CHASE,    chase,    "pointer chase along a random cyclic permutation") \
	X(STENCIL,  stencil,  "2D 5-point stencil over two grids of doubles") \
	X(SHARED,   shared,   "thread 0 first-touches, then all threads use") \
	X(PRODCONS, prodcons, "thread pairs: producer stores, consumer loads") \
	X(PHASE,    phase,    "hot set moves to the other half of the region") \
	X(HOG,      hog,      "touch every page of a large region")           \
	X(HOTCOLD,  hotcold,  "hot set at the end of the region, cold set before it")

enum wl_pattern {
#define WL_PATTERN_ENUM(id, name, help) WL_##id,
	WL_PATTERNS(WL_PATTERN_ENUM)
#undef WL_PATTERN_ENUM
	NR_WL_PATTERNS
};

/* A Linux memory policy as the system call takes it (MPOL_* numbers). */
struct wl_policy {
	bool set;
	uint32_t mode;         /* Linux MPOL_*: 0 default, 1 preferred, 2 bind, 3 interleave, 4 local */
	uint64_t nodemask;     /* bit n = node n */
	uint32_t flags;
};

struct wlgen_spec {
	enum wl_pattern pattern;
	enum wl_pattern use;          /* what SHARED and PHASE do after the first touch */
	uint64_t seed;
	uint64_t size;                /* region bytes */
	uint64_t base;                /* region virtual address */
	uint64_t accesses;            /* per thread, not counting first-touch phases; 0 = pattern default */
	uint64_t stride;              /* STRIDE step, bytes */
	uint64_t step;                /* STREAM step, bytes */
	unsigned threads;
	unsigned nr_cpus;             /* entries given in cpus[]; 0 = thread t on CPU t */
	unsigned cpus[WL_MAX_THREADS];
	unsigned access_size;         /* bytes per access record */
	unsigned line;                /* granularity of line-based patterns */
	unsigned chunk;               /* records per thread per round-robin turn */
	uint32_t gap;                 /* compute instructions before every access */
	double write_ratio;           /* fraction of stores in load/store patterns */
	double zipf_s;
	uint64_t hot_size;            /* HOTCOLD: bytes of the hot set (the end of the region); 0 = size/4 */
	double hot_ratio;             /* HOTCOLD: share of accesses to the hot set */
	bool no_init;                 /* skip the first-touch phase ("init": false, --no-init) */
	struct wl_policy mbind;       /* mbind() of the whole region, by thread 0 */
	struct wl_policy mempolicy;   /* set_mempolicy() by every thread at start */
	/*
	 * Page contents (page_content records after the mmap, os/page_content.h):
	 * the first dup_fraction of the region's pages is split into
	 * dup_contents equal blocks, each block's pages identical (content ids
	 * 1..dup_contents); compress declares every page's compressed size (%).
	 * mergeable: madvise(MADV_MERGEABLE) of the region, for KSM.
	 */
	double dup_fraction;
	unsigned dup_contents;        /* 1..WL_MAX_DUP_CONTENTS */
	unsigned compress;            /* percent 1..100; 0: not declared */
	bool mergeable;
};
#define WL_MAX_DUP_CONTENTS 4096

typedef struct wlgen wlgen_t;

const char *wlgen_pattern_name(enum wl_pattern p);

/* Defaults: stream, 64 MiB at 0x100000000, 1 thread on CPU 0, 1000000 accesses, seed 1. */
void wlgen_spec_init(struct wlgen_spec *s);

/*
 * Set one field from its text form, as given on the command line or in a
 * JSON spec ("size" "64M", "cpus" "0-3,8", "mbind" "interleave:0-1").
 * Sizes take K/M/G/T suffixes (powers of 1024), counts take K/M/G (powers
 * of 1000).  @return 0, or -SIM_ECONFIG / -SIM_EUSAGE naming the key.
 */
int wlgen_spec_set(struct wlgen_spec *s, const char *key, const char *value, char *err, size_t errlen);

/* The valid spec key nearest to a misspelled one, or NULL (sim/words.h). */
const char *wlgen_nearest_key(const char *key);

/*
 * Apply every key of a JSON object (numbers, strings, and an array of
 * integers for "cpus").  `where` (a file name) prefixes error messages.
 */
int wlgen_spec_from_json(struct wlgen_spec *s, const struct json_t *obj, const char *where,
			 char *err, size_t errlen);
int wlgen_spec_load(struct wlgen_spec *s, const char *path, char *err, size_t errlen);

/*
 * Check a spec and build a generator.  @return 0, -SIM_ECONFIG (message
 * names the field), or -SIM_ENOMEM.
 */
int wlgen_create(wlgen_t **out, const struct wlgen_spec *s, char *err, size_t errlen);
void wlgen_destroy(wlgen_t *g);

/*
 * Next record.  For TOP_CTRL records *ctrl is filled and rec->ctrl is 0.
 * @return 1 with a record, 0 at the end of the workload.
 */
int wlgen_next(wlgen_t *g, struct trace_rec *rec, struct trace_ctrl *ctrl);

/* Memory-op records the whole workload will produce (for progress and tests). */
uint64_t wlgen_total_accesses(const wlgen_t *g);

#endif
