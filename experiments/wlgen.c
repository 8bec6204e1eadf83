/*
 * experiments/wlgen.c - synthetic workload generator (see wlgen.h).
 *
 * Each pattern expands into a short list of phases; a phase gives every
 * participating thread an access kind, a byte range of the region and a
 * record count.  wlgen_next() drains queued control records first, then
 * takes up to `chunk` records from the current thread before moving to the
 * next one, and moves to the next phase once every thread has run out.
 * Nothing here buffers records, so memory does not grow with trace length.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <jansson.h>
#include "experiments/wlgen.h"
#include "sim/err.h"
#include "sim/rng.h"
#include "sim/words.h"

#define WL_PAGE 4096ULL
#define WL_DEFAULT_ACCESSES 1000000ULL
#define WL_RATIO_ONE (1u << 24)

/* Linux mmap arguments of an anonymous private read-write mapping. */
#define WL_PROT_RW 0x3
#define WL_MAP_PRIVATE_ANON 0x22

static const char *const pattern_names[] = {
#define WL_PATTERN_NAME(id, name, help) #name,
	WL_PATTERNS(WL_PATTERN_NAME)
#undef WL_PATTERN_NAME
};
_Static_assert(ARRAY_SIZE(pattern_names) == NR_WL_PATTERNS, "pattern name table");

/* Linux MPOL_* numbers, as the mbind/set_mempolicy records carry them. */
static const struct {
	const char *name;
	uint32_t mode;
} mpol_names[] = {
	{ "default", 0 }, { "preferred", 1 }, { "bind", 2 }, { "interleave", 3 },
	{ "local", 4 }, { "preferred-many", 5 }, { "weighted-interleave", 6 },
};

enum wl_kind {
	K_TOUCH,       /* one store per 4 KiB page: first touch */
	K_STREAM,
	K_STRIDE,
	K_GUPS,
	K_UNIFORM,
	K_ZIPF,
	K_HOTCOLD,     /* uniform lines, hot_ratio of them in the hot set */
	K_CHASE,
	K_STENCIL,
	K_PRODUCE,
	K_CONSUME,
};

struct zipf {
	double s, h_x1, h_n, sv;
	uint64_t n;
};

struct wl_thread {
	uint8_t kind;
	bool started;
	uint64_t lo, hi;           /* byte offsets in the region (stencil: row band) */
	uint64_t left;             /* records still to emit in this phase */
	uint64_t pos, off;
	uint64_t i, j;             /* stencil point */
	unsigned sub, grid;
	struct zipf zipf;
	struct rng rng;
};

struct queued {
	struct trace_rec rec;
	struct trace_ctrl ctrl;
};

struct wlgen {
	struct wlgen_spec s;
	uint64_t accesses;         /* per thread, defaults resolved */
	unsigned phase;
	unsigned nr_phases;        /* init_phases + the pattern's own */
	unsigned init_phases;      /* 1: a first-touch phase comes first (spec.no_init unset) */
	unsigned cur, in_chunk;
	unsigned active;           /* threads with left > 0 */
	bool done;
	uint32_t write_thr;        /* write_ratio in 1/2^24 */
	uint32_t hot_thr;          /* hot_ratio in 1/2^24 */
	uint64_t hot_size;         /* bytes of the hot set */
	uint64_t stencil_n;        /* grid side */
	uint32_t *perm;            /* chase: next line of each line */
	uint64_t nlines;
	struct queued *q;
	size_t qn, qhead, qcap;
	uint64_t total;
	struct wl_thread t[];
};

const char *wlgen_pattern_name(enum wl_pattern p)
{
	return (unsigned)p < NR_WL_PATTERNS ? pattern_names[p] : "?";
}

void wlgen_spec_init(struct wlgen_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->pattern = WL_STREAM;
	s->use = WL_STREAM;
	s->seed = 1;
	s->size = 64ULL << 20;
	s->base = 0x100000000ULL;
	s->stride = 4096;
	s->step = 64;
	s->threads = 1;
	s->access_size = 8;
	s->line = 64;
	s->chunk = 64;
	s->zipf_s = 0.99;
	s->hot_ratio = 0.9;
}

/* ---- parsing ------------------------------------------------------------ */

/* "64M", "0x1000", "1G": binary suffixes for sizes, decimal for counts (sim/words.h). */
static int parse_u64(const char *key, const char *v, bool binary, uint64_t *out, char *err, size_t errlen)
{
	return binary ? sim_parse_size(key, v, out, err, errlen) : sim_parse_count(key, v, out, err, errlen);
}

static int parse_uint(const char *key, const char *v, unsigned lo, unsigned hi, unsigned *out,
		      char *err, size_t errlen)
{
	uint64_t x;
	int rc = parse_u64(key, v, false, &x, err, errlen);

	if (rc)
		return rc;
	if (x < lo || x > hi)
		return sim_errf(err, errlen, SIM_ECONFIG, "%s: %s is outside [%u, %u]", key, v, lo, hi);
	*out = (unsigned)x;
	return 0;
}

static int parse_real(const char *key, const char *v, double lo, double hi, double *out, char *err, size_t errlen)
{
	char *end;
	double x;

	errno = 0;
	x = strtod(v, &end);
	if (errno || end == v || *end || !(x >= lo && x <= hi))
		return sim_errf(err, errlen, SIM_ECONFIG, "%s: \"%s\" is not a number in [%g, %g]", key, v, lo, hi);
	*out = x;
	return 0;
}

static int parse_bool(const char *key, const char *v, bool *out, char *err, size_t errlen)
{
	if (!strcmp(v, "1") || !strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcasecmp(v, "on"))
		*out = true;
	else if (!strcmp(v, "0") || !strcasecmp(v, "false") || !strcasecmp(v, "no") || !strcasecmp(v, "off"))
		*out = false;
	else
		return sim_errf(err, errlen, SIM_ECONFIG, "%s: \"%s\" is not true or false", key, v);
	return 0;
}

/* "0-3,8" into a list of integers below `limit`; returns how many. */
static int parse_list(const char *key, const char *v, unsigned limit, unsigned *out, unsigned max,
		      unsigned *n, char *err, size_t errlen)
{
	const char *p = v;

	*n = 0;
	while (*p) {
		char *end;
		unsigned long a, b;

		errno = 0;
		a = strtoul(p, &end, 10);
		if (end == p || errno)
			goto bad;
		b = a;
		p = end;
		if (*p == '-') {
			b = strtoul(p + 1, &end, 10);
			if (end == p + 1 || errno || b < a)
				goto bad;
			p = end;
		}
		if (b >= limit)
			return sim_errf(err, errlen, SIM_ECONFIG, "%s: %lu is out of range (max %u)", key, b, limit - 1);
		for (unsigned long x = a; x <= b; x++) {
			if (*n >= max)
				return sim_errf(err, errlen, SIM_ECONFIG, "%s: more than %u entries", key, max);
			out[(*n)++] = (unsigned)x;
		}
		if (*p == ',')
			p++;
		else if (*p)
			goto bad;
	}
	if (*n == 0)
		goto bad;
	return 0;
bad:
	return sim_errf(err, errlen, SIM_ECONFIG, "%s: \"%s\" is not a list like 0-3,8", key, v);
}

/* "interleave:0-1", "bind:1", "local", "default". */
static int parse_policy(const char *key, const char *v, struct wl_policy *pol, char *err, size_t errlen)
{
	const char *colon = strchr(v, ':');
	size_t len = colon ? (size_t)(colon - v) : strlen(v);
	unsigned nodes[64], n = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mpol_names); i++)
		if (strlen(mpol_names[i].name) == len && !strncmp(mpol_names[i].name, v, len))
			break;
	if (i == ARRAY_SIZE(mpol_names))
		return sim_errf(err, errlen, SIM_ECONFIG,
				"%s: unknown policy \"%.*s\" (default, preferred, bind, interleave, local, "
				"preferred-many, weighted-interleave)", key, (int)len, v);
	memset(pol, 0, sizeof(*pol));
	pol->set = true;
	pol->mode = mpol_names[i].mode;
	if (colon) {
		int rc = parse_list(key, colon + 1, 64, nodes, 64, &n, err, errlen);
		if (rc)
			return rc;
		for (unsigned k = 0; k < n; k++)
			pol->nodemask |= 1ULL << nodes[k];
	} else if (pol->mode != 0 && pol->mode != 4) {
		return sim_errf(err, errlen, SIM_ECONFIG, "%s: policy \"%s\" needs nodes, e.g. %s:0-1", key, v, v);
	}
	return 0;
}

static int parse_pattern(const char *key, const char *v, enum wl_pattern *out, char *err, size_t errlen)
{
	for (unsigned i = 0; i < NR_WL_PATTERNS; i++) {
		if (!strcmp(v, pattern_names[i]) || (i == WL_PHASE && !strcmp(v, "phase_change"))) {
			*out = (enum wl_pattern)i;
			return 0;
		}
	}
	return sim_errf(err, errlen, SIM_ECONFIG, "%s: unknown pattern \"%s\" (stream, stride, gups, uniform, "
			"zipf, chase, stencil, shared, prodcons, phase, hog, hotcold)", key, v);
}

int wlgen_spec_set(struct wlgen_spec *s, const char *key, const char *v, char *err, size_t errlen)
{
	const char *near;

	if (!strcmp(key, "pattern"))
		return parse_pattern(key, v, &s->pattern, err, errlen);
	if (!strcmp(key, "use"))
		return parse_pattern(key, v, &s->use, err, errlen);
	if (!strcmp(key, "seed"))
		return parse_u64(key, v, false, &s->seed, err, errlen);
	if (!strcmp(key, "size"))
		return parse_u64(key, v, true, &s->size, err, errlen);
	if (!strcmp(key, "base"))
		return parse_u64(key, v, true, &s->base, err, errlen);
	if (!strcmp(key, "accesses"))
		return parse_u64(key, v, false, &s->accesses, err, errlen);
	if (!strcmp(key, "stride"))
		return parse_u64(key, v, true, &s->stride, err, errlen);
	if (!strcmp(key, "step"))
		return parse_u64(key, v, true, &s->step, err, errlen);
	if (!strcmp(key, "threads"))
		return parse_uint(key, v, 1, WL_MAX_THREADS, &s->threads, err, errlen);
	if (!strcmp(key, "cpus"))
		return parse_list(key, v, 1u << 16, s->cpus, WL_MAX_THREADS, &s->nr_cpus, err, errlen);
	if (!strcmp(key, "access_size"))
		return parse_uint(key, v, 1, 64, &s->access_size, err, errlen);
	if (!strcmp(key, "line"))
		return parse_uint(key, v, 8, 4096, &s->line, err, errlen);
	if (!strcmp(key, "chunk"))
		return parse_uint(key, v, 1, 1u << 20, &s->chunk, err, errlen);
	if (!strcmp(key, "gap"))
		return parse_uint(key, v, 0, UINT32_MAX, &s->gap, err, errlen);
	if (!strcmp(key, "write_ratio"))
		return parse_real(key, v, 0.0, 1.0, &s->write_ratio, err, errlen);
	if (!strcmp(key, "zipf_s"))
		return parse_real(key, v, 0.01, 10.0, &s->zipf_s, err, errlen);
	if (!strcmp(key, "hot_size"))
		return parse_u64(key, v, true, &s->hot_size, err, errlen);
	if (!strcmp(key, "hot_ratio"))
		return parse_real(key, v, 0.0, 1.0, &s->hot_ratio, err, errlen);
	if (!strcmp(key, "mbind"))
		return parse_policy(key, v, &s->mbind, err, errlen);
	if (!strcmp(key, "mempolicy") || !strcmp(key, "set_mempolicy"))
		return parse_policy(key, v, &s->mempolicy, err, errlen);
	if (!strcmp(key, "init")) {
		bool on = true;
		int rc = parse_bool(key, v, &on, err, errlen);

		s->no_init = !on;
		return rc;
	}
	if (!strcmp(key, "dup_fraction"))
		return parse_real(key, v, 0.0, 1.0, &s->dup_fraction, err, errlen);
	if (!strcmp(key, "dup_contents"))
		return parse_uint(key, v, 1, WL_MAX_DUP_CONTENTS, &s->dup_contents, err, errlen);
	if (!strcmp(key, "compress"))
		return parse_uint(key, v, 1, 100, &s->compress, err, errlen);
	if (!strcmp(key, "mergeable"))
		return parse_bool(key, v, &s->mergeable, err, errlen);
	if (!strcmp(key, "name") || !strcmp(key, "comment"))
		return 0;        /* labels for sweeps and readers */
	near = wlgen_nearest_key(key);
	return sim_errf(err, errlen, SIM_EUSAGE, "unknown workload key \"%s\"%s%s%s", key,
			near ? " (did you mean \"" : "", near ? near : "", near ? "\"?)" : "");
}

/* Every key wlgen_spec_set() takes, for suggestions. */
static const char *const spec_keys[] = {
	"pattern", "use", "seed", "size", "base", "accesses", "stride", "step", "threads", "cpus",
	"access_size", "line", "chunk", "gap", "write_ratio", "zipf_s", "hot_size", "hot_ratio", "mbind", "mempolicy",
	"set_mempolicy", "init", "dup_fraction", "dup_contents", "compress", "mergeable", "name", "comment",
};

const char *wlgen_nearest_key(const char *key)
{
	return sim_nearest(key, spec_keys, ARRAY_SIZE(spec_keys));
}

/* Text form of a JSON value for wlgen_spec_set(). */
static int json_to_text(const json_t *v, char *buf, size_t len)
{
	if (json_is_string(v))
		snprintf(buf, len, "%s", json_string_value(v));
	else if (json_is_boolean(v))
		snprintf(buf, len, "%s", json_is_true(v) ? "true" : "false");
	else if (json_is_integer(v))
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, len, "%.17g", json_real_value(v));
	else if (json_is_array(v)) {
		size_t i, off = 0;
		const json_t *e;

		buf[0] = 0;
		json_array_foreach(v, i, e) {
			if (!json_is_integer(e))
				return -1;
			off += (size_t)snprintf(buf + off, off < len ? len - off : 0, "%s%lld", i ? "," : "",
						(long long)json_integer_value(e));
		}
		if (off >= len)
			return -1;
	} else if (json_is_object(v)) {
		const json_t *m = json_object_get(v, "mode"), *n = json_object_get(v, "nodes");

		if (!json_is_string(m) || (n && !json_is_string(n)))
			return -1;
		snprintf(buf, len, "%s%s%s", json_string_value(m), n ? ":" : "", n ? json_string_value(n) : "");
	} else {
		return -1;
	}
	return 0;
}

int wlgen_spec_from_json(struct wlgen_spec *s, const json_t *obj, const char *where, char *err, size_t errlen)
{
	const char *key;
	const json_t *v;
	char text[2048];

	if (!json_is_object(obj))
		return sim_errf(err, errlen, SIM_ECONFIG, "%s: a workload spec must be a JSON object", where);
	json_object_foreach((json_t *)obj, key, v) {
		int rc;

		if (json_to_text(v, text, sizeof(text)))
			return sim_errf(err, errlen, SIM_ECONFIG, "%s: %s: unsupported value type", where, key);
		rc = wlgen_spec_set(s, key, text, err, errlen);
		if (rc) {
			sim_err_prefix(err, errlen, "%s", where);
			return rc;
		}
	}
	return 0;
}

int wlgen_spec_load(struct wlgen_spec *s, const char *path, char *err, size_t errlen)
{
	json_error_t je;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	int rc;

	if (!root)
		return sim_errf(err, errlen, SIM_ECONFIG, "%s:%d:%d: %s", path, je.line, je.column, je.text);
	rc = wlgen_spec_from_json(s, root, path, err, errlen);
	json_decref(root);
	return rc;
}

/* ---- Zipf: rejection-inversion (Hoermann and Derflinger 1996) ---------- */

static double helper1(double x)   /* log1p(x)/x */
{
	return fabs(x) > 1e-8 ? log1p(x) / x : 1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x));
}

static double helper2(double x)   /* expm1(x)/x */
{
	return fabs(x) > 1e-8 ? expm1(x) / x : 1.0 + x * 0.5 * (1.0 + x / 3.0 * (1.0 + 0.25 * x));
}

static double zipf_hint(const struct zipf *z, double x)    /* integral of x^-s */
{
	double lx = log(x);

	return helper2((1.0 - z->s) * lx) * lx;
}

static double zipf_h(const struct zipf *z, double x)
{
	return exp(-z->s * log(x));
}

static double zipf_hinv(const struct zipf *z, double x)
{
	double t = x * (1.0 - z->s);

	if (t < -1.0)
		t = -1.0;
	return exp(helper1(t) * x);
}

static void zipf_init(struct zipf *z, double s, uint64_t n)
{
	z->s = s;
	z->n = n;
	z->h_x1 = zipf_hint(z, 1.5) - 1.0;
	z->h_n = zipf_hint(z, (double)n + 0.5);
	z->sv = 2.0 - zipf_hinv(z, zipf_hint(z, 2.5) - zipf_h(z, 2.0));
}

/* Rank in [1, n], P(k) proportional to k^-s, exactly (up to double rounding). */
static uint64_t zipf_sample(const struct zipf *z, struct rng *r)
{
	for (;;) {
		double u01 = (double)(rng_next(r) >> 11) * 0x1.0p-53;
		double u = z->h_n + u01 * (z->h_x1 - z->h_n);
		double x = zipf_hinv(z, u);
		uint64_t k = x < 1.0 ? 1 : (uint64_t)(x + 0.5);

		if (k < 1)
			k = 1;
		if (k > z->n)
			k = z->n;
		if ((double)k - x <= z->sv || u >= zipf_hint(z, (double)k + 0.5) - zipf_h(z, (double)k))
			return k;
	}
}

/* ---- phases --------------------------------------------------------------- */

static uint64_t pages_in(uint64_t lo, uint64_t hi)
{
	return (hi - lo + WL_PAGE - 1) / WL_PAGE;
}

/* Thread k of n's share of [lo, hi), split at `align` boundaries. */
static void slice(uint64_t lo, uint64_t hi, unsigned k, unsigned n, uint64_t align, uint64_t *a, uint64_t *b)
{
	uint64_t units = (hi - lo) / align;

	*a = lo + units * k / n * align;
	*b = lo + units * (k + 1) / n * align;
}

static void thread_use(struct wlgen *g, struct wl_thread *t, enum wl_kind kind, uint64_t lo, uint64_t hi,
		       uint64_t left)
{
	t->kind = (uint8_t)kind;
	t->lo = lo;
	t->hi = hi;
	t->left = left;
	t->pos = lo;
	t->off = 0;
	if (kind == K_ZIPF)
		zipf_init(&t->zipf, g->s.zipf_s, (hi - lo) / g->s.line);
	if (kind == K_STENCIL) {
		t->i = lo;
		t->j = 1;
		t->sub = 0;
		t->grid = 0;
	}
}

static enum wl_kind kind_of(enum wl_pattern p)
{
	switch (p) {
	case WL_STRIDE: return K_STRIDE;
	case WL_GUPS: return K_GUPS;
	case WL_UNIFORM: return K_UNIFORM;
	case WL_ZIPF: return K_ZIPF;
	case WL_HOTCOLD: return K_HOTCOLD;
	default: return K_STREAM;
	}
}

/* Thread t's range and kind when `use` runs over [lo, hi) shared by n threads. */
static void thread_use_pattern(struct wlgen *g, struct wl_thread *t, enum wl_pattern use, unsigned k,
			       unsigned n, uint64_t lo, uint64_t hi, uint64_t left)
{
	enum wl_kind kind = kind_of(use);
	uint64_t a = lo, b = hi;

	if (kind == K_STREAM || kind == K_STRIDE)
		slice(lo, hi, k, n, g->s.line, &a, &b);
	thread_use(g, t, kind, a, b, left);
}

/* Patterns whose own first phase already writes every page before use. */
static bool touches_first(enum wl_pattern p)
{
	return p == WL_SHARED || p == WL_PHASE || p == WL_HOG;
}

/*
 * The first-touch phase a real program runs before its kernel: it writes
 * its data once (an array is filled, a chase builds its ring by storing the
 * next pointers), and that first write is what places each page.  One store
 * per page suffices for placement.  Threads initialize their own page slice,
 * as a parallel initialization loop does; the chase ring is built by thread
 * 0 alone, and a producer fills the buffer it shares with its consumer.
 * Without this phase a pattern that never stores only reads the kernel's
 * zero page, and the memory policy has nothing to place.
 */
static void setup_first_touch(struct wlgen *g)
{
	const struct wlgen_spec *s = &g->s;
	unsigned T = s->threads;

	for (unsigned k = 0; k < T; k++) {
		struct wl_thread *t = &g->t[k];
		uint64_t a = 0, b = 0;

		t->left = 0;
		if (s->pattern == WL_CHASE)
			b = k == 0 ? s->size : 0;
		else if (s->pattern == WL_PRODCONS && k % 2 == 0)
			slice(0, s->size, k / 2, T / 2, WL_PAGE, &a, &b);
		else if (s->pattern != WL_PRODCONS)
			slice(0, s->size, k, T, WL_PAGE, &a, &b);
		if (b > a)
			thread_use(g, t, K_TOUCH, a, b, pages_in(a, b));
	}
}

/*
 * Give every thread its work for phase `p` of the pattern itself (after the
 * first-touch phase, if any).  Threads not taking part keep left = 0.  The
 * random streams are keyed by this phase number, so the pattern's records
 * are the same with and without the first-touch phase.
 */
static void setup_pattern_phase(struct wlgen *g, unsigned p)
{
	const struct wlgen_spec *s = &g->s;
	unsigned T = s->threads, g0 = (T + 1) / 2;
	uint64_t S = s->size, A = g->accesses, half = S / 2 / WL_PAGE * WL_PAGE;

	for (unsigned k = 0; k < T; k++) {
		struct wl_thread *t = &g->t[k];
		uint64_t a, b;

		rng_seed(&t->rng, s->seed, ((uint64_t)p << 16) | k);
		t->left = 0;
		switch (s->pattern) {
		case WL_STREAM:
		case WL_STRIDE:
			slice(0, S, k, T, s->line, &a, &b);
			thread_use(g, t, kind_of(s->pattern), a, b, A);
			break;
		case WL_GUPS:
		case WL_UNIFORM:
		case WL_ZIPF:
		case WL_HOTCOLD:
			thread_use(g, t, kind_of(s->pattern), 0, S, A);
			break;
		case WL_CHASE:
			thread_use(g, t, K_CHASE, 0, S, A);
			t->pos = g->nlines * k / T;
			break;
		case WL_STENCIL:
			slice(1, g->stencil_n - 1, k, T, 1, &a, &b);
			thread_use(g, t, K_STENCIL, a, b, A);
			break;
		case WL_SHARED:
			if (p == 0) {
				if (k == 0)
					thread_use(g, t, K_TOUCH, 0, S, pages_in(0, S));
			} else {
				thread_use_pattern(g, t, s->use, k, T, 0, S, A);
			}
			break;
		case WL_PRODCONS:
			slice(0, S, k / 2, T / 2, s->line, &a, &b);
			thread_use(g, t, k % 2 ? K_CONSUME : K_PRODUCE, a, b, A);
			break;
		case WL_PHASE: {
			/* Group 0 = threads [0, g0) starts on half 0, group 1 on half 1. */
			unsigned grp = k < g0 ? 0 : 1, gk = grp ? k - g0 : k, gn = grp ? T - g0 : g0;
			unsigned h = p == 2 ? 1 - grp : grp;
			uint64_t lo = h ? half : 0, hi = h ? S : half;

			if (p == 0) {
				if (T == 1) {
					lo = 0;     /* one thread: it touches both halves */
					hi = S;
				}
				slice(lo, hi, gk, gn, WL_PAGE, &a, &b);
				thread_use(g, t, K_TOUCH, a, b, pages_in(a, b));
			} else {
				thread_use_pattern(g, t, s->use, gk, gn, lo, hi, p == 1 ? A / 2 : A - A / 2);
			}
			break;
		}
		case WL_HOG:
			slice(0, S, k, T, WL_PAGE, &a, &b);
			thread_use(g, t, K_TOUCH, a, b, s->accesses ? A : pages_in(a, b));
			break;
		default:
			SIM_BUG_ON(1);
		}
	}
}

/* Give every thread its work for phase `p`.  @return false past the last phase. */
static bool setup_phase(struct wlgen *g, unsigned p)
{
	const unsigned T = g->s.threads;

	if (p >= g->nr_phases)
		return false;
	if (p < g->init_phases)
		setup_first_touch(g);
	else
		setup_pattern_phase(g, p - g->init_phases);
	g->active = 0;
	for (unsigned k = 0; k < T; k++)
		g->active += g->t[k].left > 0;
	g->cur = 0;
	g->in_chunk = 0;
	return true;
}

/* ---- control records ------------------------------------------------------ */

static void queue_ctrl(struct wlgen *g, unsigned tid, uint32_t kind, uint64_t ret, unsigned nargs, ...)
{
	struct queued *q;
	va_list ap;

	SIM_BUG_ON(g->qn >= g->qcap);
	q = &g->q[g->qn++];
	memset(q, 0, sizeof(*q));
	q->rec.op = TOP_CTRL;
	q->rec.tid = (uint16_t)tid;
	q->ctrl.kind = kind;
	q->ctrl.nargs = nargs;
	q->ctrl.ret = ret;
	va_start(ap, nargs);
	for (unsigned i = 0; i < nargs; i++)
		q->ctrl.args[i] = va_arg(ap, uint64_t);
	va_end(ap);
}

static void queue_thread_start(struct wlgen *g, unsigned k)
{
	const struct wlgen_spec *s = &g->s;

	if (k > 0)
		queue_ctrl(g, 0, TCTRL_CLONE, (uint64_t)k, 1, (uint64_t)k);
	queue_ctrl(g, k, TCTRL_THREAD_CPU, TRACE_RET_NONE, 1,
		   (uint64_t)(s->nr_cpus ? s->cpus[k] : k));
	if (s->mempolicy.set)
		queue_ctrl(g, k, TCTRL_SET_MEMPOLICY, 0, 2, (uint64_t)s->mempolicy.mode,
			   (uint64_t)s->mempolicy.nodemask);
	g->t[k].started = true;
}

#define WL_MADV_MERGEABLE 12

/*
 * The region's declared contents, before anything touches it: one record
 * for the compressed size of every page, then one per duplicate block
 * (content ids 1..dup_contents), then madvise(MADV_MERGEABLE).
 */
static void queue_contents(struct wlgen *g)
{
	const struct wlgen_spec *s = &g->s;
	uint64_t pages = s->size / WL_PAGE, dup = (uint64_t)llround(s->dup_fraction * (double)pages);
	unsigned n = s->dup_contents ? s->dup_contents : 1;

	if (s->compress)
		queue_ctrl(g, 0, TCTRL_PAGE_CONTENT, TRACE_RET_NONE, 5, (uint64_t)s->base, (uint64_t)s->size,
			   (uint64_t)0, (uint64_t)s->compress, (uint64_t)0);
	if (n > dup)
		n = (unsigned)dup;
	for (unsigned b = 0; b < n; b++) {
		uint64_t first = dup * b / n, last = dup * (b + 1) / n;
		queue_ctrl(g, 0, TCTRL_PAGE_CONTENT, TRACE_RET_NONE, 5, (uint64_t)(s->base + first * WL_PAGE),
			   (uint64_t)((last - first) * WL_PAGE), (uint64_t)b + 1, (uint64_t)s->compress, (uint64_t)0);
	}
	if (s->mergeable)
		queue_ctrl(g, 0, TCTRL_MADVISE, 0, 3, (uint64_t)s->base, (uint64_t)s->size, (uint64_t)WL_MADV_MERGEABLE);
}

/* Control records that open phase p: setup, markers, new threads. */
static void queue_phase_start(struct wlgen *g, unsigned p)
{
	const struct wlgen_spec *s = &g->s;

	g->qn = g->qhead = 0;
	if (p == 0) {
		queue_thread_start(g, 0);
		queue_ctrl(g, 0, TCTRL_MMAP, s->base, 6, (uint64_t)s->base, (uint64_t)s->size, (uint64_t)WL_PROT_RW,
			   (uint64_t)WL_MAP_PRIVATE_ANON, (uint64_t)UINT64_MAX, (uint64_t)0);
		if (s->mbind.set)
			queue_ctrl(g, 0, TCTRL_MBIND, 0, 5, (uint64_t)s->base, (uint64_t)s->size, (uint64_t)s->mbind.mode,
				   (uint64_t)s->mbind.nodemask, (uint64_t)s->mbind.flags);
		queue_contents(g);
	} else {
		queue_ctrl(g, 0, TCTRL_MARK, TRACE_RET_NONE, 1, (uint64_t)p);
	}
	for (unsigned k = 1; k < s->threads; k++)
		if (!g->t[k].started && g->t[k].left)
			queue_thread_start(g, k);
}

/* ---- creation --------------------------------------------------------------- */

static int check_spec(const struct wlgen_spec *s, char *err, size_t errlen)
{
	unsigned T = s->threads;

	if (T < 1 || T > WL_MAX_THREADS)
		return sim_errf(err, errlen, SIM_ECONFIG, "threads: %u is outside [1, %u]", T, WL_MAX_THREADS);
	if (s->nr_cpus && s->nr_cpus != T)
		return sim_errf(err, errlen, SIM_ECONFIG, "cpus: %u entries for %u threads", s->nr_cpus, T);
	if (!is_pow2_u64(s->line) || s->access_size > s->line)
		return sim_errf(err, errlen, SIM_ECONFIG, "line: %u must be a power of two >= access_size (%u)",
				s->line, s->access_size);
	if (s->size == 0 || s->size % WL_PAGE)
		return sim_errf(err, errlen, SIM_ECONFIG, "size: %llu must be a non-zero multiple of 4096",
				(unsigned long long)s->size);
	if (s->base % WL_PAGE || s->base + s->size < s->base)
		return sim_errf(err, errlen, SIM_ECONFIG, "base: 0x%llx must be 4096-aligned and leave room for size",
				(unsigned long long)s->base);
	if (s->size / s->line < 2ULL * T)
		return sim_errf(err, errlen, SIM_ECONFIG, "size: %llu bytes is too small for %u threads",
				(unsigned long long)s->size, T);
	if (s->stride == 0 || s->stride % s->line)
		return sim_errf(err, errlen, SIM_ECONFIG, "stride: %llu must be a non-zero multiple of line (%u)",
				(unsigned long long)s->stride, s->line);
	if (s->step == 0 || s->step > s->size / T)
		return sim_errf(err, errlen, SIM_ECONFIG, "step: %llu must be in [1, size/threads]",
				(unsigned long long)s->step);
	if (s->chunk == 0)
		return sim_errf(err, errlen, SIM_ECONFIG, "chunk: must be >= 1");
	if (s->use == WL_CHASE || s->use == WL_STENCIL || s->use == WL_SHARED || s->use == WL_PRODCONS ||
	    s->use == WL_PHASE || s->use == WL_HOG)
		return sim_errf(err, errlen, SIM_ECONFIG, "use: \"%s\" cannot follow a first touch "
				"(stream, stride, gups, uniform, zipf)", pattern_names[s->use]);
	if (s->pattern == WL_PRODCONS && T % 2)
		return sim_errf(err, errlen, SIM_ECONFIG, "threads: prodcons needs an even count (producer, consumer pairs), got %u", T);
	if (s->pattern == WL_CHASE && s->size / s->line > UINT32_MAX)
		return sim_errf(err, errlen, SIM_ECONFIG, "size: chase supports at most 2^32 lines");
	if (s->pattern == WL_HOTCOLD && (s->hot_size % s->line || s->hot_size >= s->size))
		return sim_errf(err, errlen, SIM_ECONFIG, "hot_size: %llu must be a multiple of line (%u) below size",
				(unsigned long long)s->hot_size, s->line);
	if (s->pattern == WL_PHASE && s->size / 2 / WL_PAGE < T)
		return sim_errf(err, errlen, SIM_ECONFIG, "size: phase needs at least one page per thread per half");
	return 0;
}

int wlgen_create(wlgen_t **out, const struct wlgen_spec *s, char *err, size_t errlen)
{
	struct wlgen *g;
	int rc = check_spec(s, err, errlen);

	*out = NULL;
	if (rc)
		return rc;
	g = calloc(1, sizeof(*g) + s->threads * sizeof(g->t[0]));
	if (!g)
		return sim_errf(err, errlen, SIM_ENOMEM, "workload: out of memory");
	g->s = *s;
	g->accesses = s->accesses ? s->accesses : WL_DEFAULT_ACCESSES;
	g->write_thr = (uint32_t)llround(s->write_ratio * WL_RATIO_ONE);
	g->hot_thr = (uint32_t)llround(s->hot_ratio * WL_RATIO_ONE);
	g->hot_size = s->hot_size ? s->hot_size : s->size / 4 / s->line * s->line;
	g->nlines = s->size / s->line;
	g->qcap = 4 * (size_t)s->threads + 8 + (s->dup_contents ? s->dup_contents : 1) + 2;
	g->q = calloc(g->qcap, sizeof(*g->q));
	if (!g->q)
		goto nomem;
	switch (s->pattern) {
	case WL_SHARED: g->nr_phases = 2; break;
	case WL_PHASE: g->nr_phases = 3; break;
	default: g->nr_phases = 1; break;
	}
	g->init_phases = !s->no_init && !touches_first(s->pattern);
	g->nr_phases += g->init_phases;
	if (s->pattern == WL_STENCIL) {
		/* Two square grids of doubles, each half of the region. */
		uint64_t n = (uint64_t)sqrt((double)(s->size / 2 / 8));

		while (n * n > s->size / 16)
			n--;
		while ((n + 1) * (n + 1) <= s->size / 16)
			n++;
		g->stencil_n = n;
		if (n < 3 || n - 2 < s->threads) {
			wlgen_destroy(g);
			return sim_errf(err, errlen, SIM_ECONFIG, "size: stencil grid %llux%llu has fewer interior rows than threads",
					(unsigned long long)n, (unsigned long long)n);
		}
	}
	if (s->pattern == WL_CHASE) {
		/* Sattolo's shuffle: one cycle through every line. */
		struct rng r;

		g->perm = malloc(g->nlines * sizeof(*g->perm));
		if (!g->perm)
			goto nomem;
		for (uint64_t i = 0; i < g->nlines; i++)
			g->perm[i] = (uint32_t)i;
		rng_seed(&r, s->seed, 0xc4a5eULL << 20);
		for (uint64_t i = g->nlines - 1; i > 0; i--) {
			uint64_t j = rng_below(&r, i);
			uint32_t x = g->perm[i];

			g->perm[i] = g->perm[j];
			g->perm[j] = x;
		}
	}
	for (unsigned p = 0; setup_phase(g, p); p++)
		for (unsigned k = 0; k < s->threads; k++)
			g->total += g->t[k].left;
	setup_phase(g, 0);
	queue_phase_start(g, 0);
	*out = g;
	return 0;
nomem:
	wlgen_destroy(g);
	return sim_errf(err, errlen, SIM_ENOMEM, "workload: out of memory");
}

void wlgen_destroy(wlgen_t *g)
{
	if (!g)
		return;
	free(g->perm);
	free(g->q);
	free(g);
}

uint64_t wlgen_total_accesses(const wlgen_t *g)
{
	return g->total;
}

/* ---- records ----------------------------------------------------------------- */

static uint8_t pick_op(struct wlgen *g, struct wl_thread *t)
{
	if (g->write_thr == 0)
		return TOP_LOAD;
	if (g->write_thr >= WL_RATIO_ONE)
		return TOP_STORE;
	return rng_below(&t->rng, WL_RATIO_ONE) < g->write_thr ? TOP_STORE : TOP_LOAD;
}

/* Offset in the region and op of thread t's next access; advances t. */
static uint64_t next_access(struct wlgen *g, struct wl_thread *t, uint8_t *op, uint16_t *size)
{
	const struct wlgen_spec *s = &g->s;
	uint64_t off;

	*size = (uint16_t)s->access_size;
	switch (t->kind) {
	case K_TOUCH:
		off = t->pos;
		*op = TOP_STORE;
		t->pos += WL_PAGE;
		if (t->pos >= t->hi)
			t->pos = t->lo;
		return off;
	case K_STREAM:
	case K_PRODUCE:
	case K_CONSUME:
		off = t->pos;
		*op = t->kind == K_PRODUCE ? TOP_STORE : t->kind == K_CONSUME ? TOP_LOAD : pick_op(g, t);
		t->pos += s->step;
		if (t->pos + s->access_size > t->hi)
			t->pos = t->lo;
		return off;
	case K_STRIDE:
		off = t->pos;
		*op = pick_op(g, t);
		t->pos += s->stride;
		if (t->pos >= t->hi) {
			/* Next pass starts one line further, so every line gets its turn. */
			t->off += s->line;
			if (t->off >= s->stride || t->lo + t->off >= t->hi)
				t->off = 0;
			t->pos = t->lo + t->off;
		}
		return off;
	case K_GUPS:
		*op = TOP_MODIFY;
		*size = 8;
		return t->lo + rng_below(&t->rng, (t->hi - t->lo) / 8) * 8;
	case K_UNIFORM:
		off = t->lo + rng_below(&t->rng, (t->hi - t->lo) / s->line) * s->line;
		*op = pick_op(g, t);
		return off;
	case K_ZIPF:
		off = t->lo + (zipf_sample(&t->zipf, &t->rng) - 1) * s->line;
		*op = pick_op(g, t);
		return off;
	case K_HOTCOLD: {
		/* the hot set is the end of the region, which the first touch reaches last */
		uint64_t split = t->hi - g->hot_size;
		bool hot = g->hot_thr >= WL_RATIO_ONE || rng_below(&t->rng, WL_RATIO_ONE) < g->hot_thr;
		uint64_t lo = hot ? split : t->lo, hi = hot ? t->hi : split;
		off = lo + rng_below(&t->rng, (hi - lo) / s->line) * s->line;
		*op = pick_op(g, t);
		return off;
	}
	case K_CHASE:
		off = t->pos * s->line;
		*op = TOP_LOAD;
		t->pos = g->perm[t->pos];
		return off;
	case K_STENCIL: {
		static const int di[5] = { 0, -1, 1, 0, 0 }, dj[5] = { 0, 0, 0, -1, 1 };
		uint64_t n = g->stencil_n, gridb = s->size / 2;
		uint64_t i = t->i, j = t->j;

		*size = 8;
		if (t->sub < 5) {
			*op = TOP_LOAD;
			off = t->grid * gridb + ((i + (uint64_t)(int64_t)di[t->sub]) * n + j + (uint64_t)(int64_t)dj[t->sub]) * 8;
			t->sub++;
			return off;
		}
		*op = TOP_STORE;
		off = (1 - t->grid) * gridb + (i * n + j) * 8;
		t->sub = 0;
		if (++t->j >= n - 1) {
			t->j = 1;
			if (++t->i >= t->hi) {
				t->i = t->lo;
				t->grid ^= 1;
			}
		}
		return off;
	}
	default:
		SIM_BUG_ON(1);
		return 0;
	}
}

int wlgen_next(wlgen_t *g, struct trace_rec *rec, struct trace_ctrl *ctrl)
{
	for (;;) {
		struct wl_thread *t;

		if (g->qhead < g->qn) {
			*rec = g->q[g->qhead].rec;
			*ctrl = g->q[g->qhead].ctrl;
			g->qhead++;
			return 1;
		}
		if (g->done)
			return 0;
		if (g->active == 0) {
			if (!setup_phase(g, ++g->phase)) {
				g->done = true;
				return 0;
			}
			queue_phase_start(g, g->phase);
			continue;
		}
		t = &g->t[g->cur];
		if (t->left == 0) {
			g->cur = (g->cur + 1) % g->s.threads;
			g->in_chunk = 0;
			continue;
		}
		memset(rec, 0, sizeof(*rec));
		rec->addr = g->s.base + next_access(g, t, &rec->op, &rec->size);
		rec->tid = (uint16_t)g->cur;
		rec->gap = g->s.gap;
		if (t->kind == K_CHASE)
			rec->flags = TREC_DEP;     /* each hop's address is the previous hop's value */
		if (--t->left == 0)
			g->active--;
		if (++g->in_chunk >= g->s.chunk || t->left == 0) {
			g->cur = (g->cur + 1) % g->s.threads;
			g->in_chunk = 0;
		}
		return 1;
	}
}
