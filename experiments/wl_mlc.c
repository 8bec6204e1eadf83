/*
 * experiments/wl_mlc.c - MLC loaded-latency workload generator (see wl_mlc.h).
 *
 * Records come out one at a time, so the trace is never held in memory; only
 * the chase permutation (4 bytes per line of the latency buffer) is.  The
 * measured threads' records are interleaved round-robin, WLMLC_CHUNK at a
 * time, like experiments/wlgen.c: the file order only decides how far the
 * reader runs ahead, never the simulated timing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "experiments/wl_mlc.h"
#include "sim/config.h"
#include "sim/err.h"
#include "sim/rng.h"

#define WLMLC_PAGE          4096
#define WLMLC_CHUNK         64
#define WLMLC_PROT_RW       0x3
#define WLMLC_MAP_ANON      0x22      /* MAP_PRIVATE | MAP_ANONYMOUS */
#define WLMLC_MADV_HUGEPAGE 14
#define WLMLC_MPOL_BIND     2

enum { ST_SETUP, ST_TOUCH, ST_CLONE, ST_RUN, ST_DONE };

struct wlmlc {
	struct wlmlc_spec s;
	unsigned state;
	unsigned setup_i;          /* ST_SETUP: next control record */
	uint64_t touch;            /* ST_TOUCH: next page offset */
	uint64_t region;           /* bytes of the whole region */
	unsigned clone_i;          /* ST_CLONE: next child tid */
	unsigned cur, in_chunk;    /* ST_RUN: thread whose turn it is (index into left[]) */
	unsigned active;
	uint32_t *perm;            /* chase: next line of each line */
	uint64_t nlines, chase;    /* lines of the latency buffer, current line */
	struct rng rng;            /* WLMLC_RANDOM */
	uint64_t *left;            /* records still to emit per measured thread (incl. THREAD_CPU) */
	uint64_t *pos;             /* injectors: next offset */
};

void wlmlc_spec_init(struct wlmlc_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->seed = 1;
	s->base = 0x100000000ULL;
	s->lat_buffer = 256ULL << 20;
	s->inj_buffer = 4ULL << 20;
	s->lat_loads = 20000;
	s->inj_loads = 20000;
	s->line = 64;
	s->init_cpu = 1;
	s->lat_cpu = 0;
	s->node = -1;
	s->thp = true;
}

static int bad(const char *key, const char *v, const char *want, char *err, size_t errlen)
{
	return sim_errf(err, errlen, SIM_EUSAGE, "%s: \"%s\" is not %s", key, v, want);
}

/* Decimal or 0x count with optional K/M/G (powers of 1000). */
static int parse_count(const char *key, const char *v, uint64_t max, uint64_t *out, char *err, size_t errlen)
{
	unsigned long long x;
	uint64_t mul = 1;
	char *end;

	errno = 0;
	if (!*v || *v == '-')
		return bad(key, v, "a count", err, errlen);
	x = strtoull(v, &end, 0);
	if (*end == 'k' || *end == 'K')
		mul = 1000, end++;
	else if (*end == 'm' || *end == 'M')
		mul = 1000000, end++;
	else if (*end == 'g' || *end == 'G')
		mul = 1000000000, end++;
	if (errno || end == v || *end || (x && mul > max / x) || x * mul > max)
		return bad(key, v, "a count in range", err, errlen);
	*out = x * mul;
	return 0;
}

static int parse_cpus(const char *key, const char *v, struct wlmlc_spec *s, char *err, size_t errlen)
{
	const char *p = v;

	s->nr_inj = 0;
	if (!strcmp(v, "none"))
		return 0;
	while (*p) {
		char *end;
		unsigned long lo = strtoul(p, &end, 10), hi = lo;
		if (end == p)
			return bad(key, v, "a CPU list like 1-3,5", err, errlen);
		p = end;
		if (*p == '-') {
			hi = strtoul(++p, &end, 10);
			if (end == p || hi < lo)
				return bad(key, v, "a CPU list like 1-3,5", err, errlen);
			p = end;
		}
		for (unsigned long c = lo; c <= hi; c++) {
			if (s->nr_inj == WLMLC_MAX_INJ || c > 65535)
				return bad(key, v, "a list of at most 1024 CPUs below 65536", err, errlen);
			s->inj_cpus[s->nr_inj++] = (unsigned)c;
		}
		if (*p == ',' && p[1])
			p++;
		else if (*p)
			return bad(key, v, "a CPU list like 1-3,5", err, errlen);
	}
	return 0;
}

int wlmlc_spec_set(struct wlmlc_spec *s, const char *key, const char *v, char *err, size_t errlen)
{
	uint64_t x;
	int rc;

	if (!strcmp(key, "buffer") || !strcmp(key, "injector_buffer") || !strcmp(key, "base")) {
		if (cfg_parse_size(v, &x))
			return bad(key, v, "a size like 256M", err, errlen);
		*(!strcmp(key, "buffer") ? &s->lat_buffer : !strcmp(key, "base") ? &s->base : &s->inj_buffer) = x;
		return 0;
	}
	if (!strcmp(key, "latency_loads"))
		return parse_count(key, v, UINT64_MAX, &s->lat_loads, err, errlen);
	if (!strcmp(key, "injector_loads"))
		return parse_count(key, v, UINT64_MAX, &s->inj_loads, err, errlen);
	if (!strcmp(key, "seed"))
		return parse_count(key, v, UINT64_MAX, &s->seed, err, errlen);
	if (!strcmp(key, "delay")) {
		if ((rc = parse_count(key, v, UINT32_MAX, &x, err, errlen)))
			return rc;
		s->delay = (uint32_t)x;
		return 0;
	}
	if (!strcmp(key, "line") || !strcmp(key, "init_cpu") || !strcmp(key, "latency_cpu") || !strcmp(key, "thp")) {
		if ((rc = parse_count(key, v, 65535, &x, err, errlen)))
			return rc;
		if (!strcmp(key, "line"))
			s->line = (unsigned)x;
		else if (!strcmp(key, "init_cpu"))
			s->init_cpu = (unsigned)x;
		else if (!strcmp(key, "latency_cpu"))
			s->lat_cpu = (unsigned)x;
		else if (x > 1)
			return bad(key, v, "0 or 1", err, errlen);
		else
			s->thp = x;
		return 0;
	}
	if (!strcmp(key, "node")) {
		if (!strcmp(v, "-1") || !strcmp(v, "none")) {
			s->node = -1;
			return 0;
		}
		if ((rc = parse_count(key, v, 63, &x, err, errlen)))
			return rc;
		s->node = (int)x;
		return 0;
	}
	if (!strcmp(key, "injector_cpus"))
		return parse_cpus(key, v, s, err, errlen);
	if (!strcmp(key, "latency_pattern")) {
		if (!strcmp(v, "chase"))
			s->lat_pattern = WLMLC_CHASE;
		else if (!strcmp(v, "random"))
			s->lat_pattern = WLMLC_RANDOM;
		else if (!strcmp(v, "stream"))
			s->lat_pattern = WLMLC_STREAM;
		else if (!strcmp(v, "gups"))
			s->lat_pattern = WLMLC_GUPS;
		else
			return bad(key, v, "chase, random, stream or gups", err, errlen);
		return 0;
	}
	return sim_errf(err, errlen, SIM_EUSAGE, "%s: not a key of --pattern mlc-loaded (see --help)", key);
}

void wlmlc_spec_args(const struct wlmlc_spec *s, char *buf, size_t len)
{
	size_t o = 0;

	o += (size_t)snprintf(buf + o, len - o, "--seed %llu --buffer %llu --injector-buffer %llu "
			      "--latency-loads %llu --injector-loads %llu --delay %u --line %u --init-cpu %u "
			      "--latency-cpu %u --node %d --thp %d --latency-pattern %s --injector-cpus ",
			      (unsigned long long)s->seed, (unsigned long long)s->lat_buffer,
			      (unsigned long long)s->inj_buffer, (unsigned long long)s->lat_loads,
			      (unsigned long long)s->inj_loads, s->delay, s->line, s->init_cpu, s->lat_cpu, s->node,
			      s->thp, s->lat_pattern == WLMLC_CHASE ? "chase" : s->lat_pattern == WLMLC_RANDOM ?
			      "random" : s->lat_pattern == WLMLC_GUPS ? "gups" : "stream");
	if (!s->nr_inj && o < len)
		o += (size_t)snprintf(buf + o, len - o, "none");
	for (unsigned i = 0; i < s->nr_inj && o < len; i++) {
		unsigned j = i;
		while (j + 1 < s->nr_inj && s->inj_cpus[j + 1] == s->inj_cpus[j] + 1)
			j++;
		if (j > i)
			o += (size_t)snprintf(buf + o, len - o, "%s%u-%u", i ? "," : "", s->inj_cpus[i], s->inj_cpus[j]);
		else
			o += (size_t)snprintf(buf + o, len - o, "%s%u", i ? "," : "", s->inj_cpus[i]);
		i = j;
	}
}

static int check(const struct wlmlc_spec *s, char *err, size_t errlen)
{
	uint64_t region;

	if (s->line < 8 || s->line > 4096 || (s->line & (s->line - 1)))
		return sim_errf(err, errlen, SIM_ECONFIG, "line: %u must be a power of two in 8..4096", s->line);
	if (s->lat_buffer % WLMLC_PAGE || s->lat_buffer / s->line < 2 || s->lat_buffer / s->line > UINT32_MAX)
		return sim_errf(err, errlen, SIM_ECONFIG, "buffer: %llu must be a multiple of 4096 with 2..2^32 lines",
				(unsigned long long)s->lat_buffer);
	if (s->nr_inj && (s->inj_buffer % WLMLC_PAGE || s->inj_buffer < s->line))
		return sim_errf(err, errlen, SIM_ECONFIG, "injector_buffer: %llu must be a non-zero multiple of 4096",
				(unsigned long long)s->inj_buffer);
	if (s->base % WLMLC_PAGE)
		return sim_errf(err, errlen, SIM_ECONFIG, "base: 0x%llx must be 4096-aligned",
				(unsigned long long)s->base);
	region = s->lat_buffer + (uint64_t)s->nr_inj * s->inj_buffer;
	if (s->base + region < s->base)
		return sim_errf(err, errlen, SIM_ECONFIG, "base: the buffers wrap around the address space");
	if (!s->lat_loads)
		return sim_errf(err, errlen, SIM_ECONFIG, "latency_loads: must be at least 1");
	if (s->nr_inj && !s->inj_loads)
		return sim_errf(err, errlen, SIM_ECONFIG, "injector_loads: must be at least 1");
	if (s->init_cpu == s->lat_cpu)
		return sim_errf(err, errlen, SIM_ECONFIG, "init_cpu: must differ from latency_cpu (%u)", s->lat_cpu);
	for (unsigned i = 0; i < s->nr_inj; i++) {
		if (s->inj_cpus[i] == s->lat_cpu || s->inj_cpus[i] == s->init_cpu)
			return sim_errf(err, errlen, SIM_ECONFIG, "injector_cpus: CPU %u is also the %s CPU",
					s->inj_cpus[i], s->inj_cpus[i] == s->lat_cpu ? "latency" : "init");
		for (unsigned j = 0; j < i; j++)
			if (s->inj_cpus[j] == s->inj_cpus[i])
				return sim_errf(err, errlen, SIM_ECONFIG, "injector_cpus: CPU %u listed twice",
						s->inj_cpus[i]);
	}
	return 0;
}

int wlmlc_create(wlmlc_t **out, const struct wlmlc_spec *s, char *err, size_t errlen)
{
	struct wlmlc *g;
	struct rng r;
	int rc;

	if ((rc = check(s, err, errlen)))
		return rc;
	g = calloc(1, sizeof(*g));
	if (!g)
		return sim_errf(err, errlen, SIM_ENOMEM, "mlc-loaded: out of memory");
	g->s = *s;
	g->region = s->lat_buffer + (uint64_t)s->nr_inj * s->inj_buffer;
	g->nlines = s->lat_buffer / s->line;
	if (s->lat_pattern == WLMLC_CHASE)
		g->perm = malloc(g->nlines * sizeof(*g->perm));
	g->left = calloc(s->nr_inj + 1, sizeof(*g->left));
	g->pos = calloc(s->nr_inj + 1, sizeof(*g->pos));
	if ((s->lat_pattern == WLMLC_CHASE && !g->perm) || !g->left || !g->pos) {
		uint64_t n = g->nlines;
		wlmlc_destroy(g);
		return sim_errf(err, errlen, SIM_ENOMEM, "mlc-loaded: out of memory for %llu lines",
				(unsigned long long)n);
	}
	/* Sattolo's shuffle: a single cycle through every line, so no line repeats before all were visited. */
	for (uint64_t i = 0; g->perm && i < g->nlines; i++)
		g->perm[i] = (uint32_t)i;
	rng_seed(&r, s->seed, 0x31c0ULL << 20);
	rng_seed(&g->rng, s->seed, 0x31c1ULL << 20);
	for (uint64_t i = g->nlines - 1; g->perm && i > 0; i--) {
		uint64_t j = rng_below(&r, i);
		uint32_t x = g->perm[i];
		g->perm[i] = g->perm[j];
		g->perm[j] = x;
	}
	g->left[0] = s->lat_loads + 1;
	for (unsigned k = 1; k <= s->nr_inj; k++)
		g->left[k] = s->inj_loads + 1;
	g->active = s->nr_inj + 1;
	*out = g;
	return 0;
}

void wlmlc_destroy(wlmlc_t *g)
{
	if (!g)
		return;
	free(g->perm);
	free(g->left);
	free(g->pos);
	free(g);
}

static void ctrl(struct trace_rec *rec, struct trace_ctrl *c, unsigned tid, uint32_t kind, unsigned n,
		 const uint64_t *args, uint64_t ret)
{
	memset(rec, 0, sizeof(*rec));
	memset(c, 0, sizeof(*c));
	rec->op = TOP_CTRL;
	rec->tid = (uint16_t)tid;
	c->kind = kind;
	c->nargs = n;
	memcpy(c->args, args, n * sizeof(*args));
	c->ret = ret;
}

int wlmlc_next(wlmlc_t *g, struct trace_rec *rec, struct trace_ctrl *c)
{
	const struct wlmlc_spec *s = &g->s;

	for (;;) {
		switch (g->state) {
		case ST_SETUP: {
			unsigned i = g->setup_i++;
			if (i == 0) {
				ctrl(rec, c, 0, TCTRL_THREAD_CPU, 1, (uint64_t[]){ s->init_cpu }, TRACE_RET_NONE);
			} else if (i == 1) {
				ctrl(rec, c, 0, TCTRL_MMAP, 6, (uint64_t[]){ s->base, g->region, WLMLC_PROT_RW,
					WLMLC_MAP_ANON, UINT64_MAX, 0 }, s->base);
			} else if (i == 2 && s->thp) {
				ctrl(rec, c, 0, TCTRL_MADVISE, 3, (uint64_t[]){ s->base, g->region, WLMLC_MADV_HUGEPAGE }, 0);
			} else if (i <= 3 && s->node >= 0) {
				g->setup_i = 4;
				ctrl(rec, c, 0, TCTRL_MBIND, 5, (uint64_t[]){ s->base, g->region, WLMLC_MPOL_BIND,
					1ULL << s->node, 0 }, 0);
			} else {
				g->state = ST_TOUCH;
				continue;
			}
			return 1;
		}
		case ST_TOUCH:
			if (g->touch >= g->region) {
				g->state = ST_CLONE;
				g->clone_i = 1;
				continue;
			}
			memset(rec, 0, sizeof(*rec));
			rec->addr = s->base + g->touch;
			rec->size = 8;
			rec->op = TOP_STORE;
			g->touch += WLMLC_PAGE;
			return 1;
		case ST_CLONE:
			if (g->clone_i > s->nr_inj + 1) {
				g->state = ST_RUN;
				continue;
			}
			ctrl(rec, c, 0, TCTRL_CLONE, 1, (uint64_t[]){ g->clone_i }, g->clone_i);
			g->clone_i++;
			return 1;
		case ST_RUN: {
			unsigned k = g->cur;
			uint64_t *left = &g->left[k];

			if (!g->active) {
				g->state = ST_DONE;
				continue;
			}
			if (!*left || g->in_chunk == WLMLC_CHUNK) {
				g->cur = (g->cur + 1) % (s->nr_inj + 1);
				g->in_chunk = 0;
				continue;
			}
			g->in_chunk++;
			if (!--*left)
				g->active--;
			if (k == 0 && *left == s->lat_loads) {
				ctrl(rec, c, 1, TCTRL_THREAD_CPU, 1, (uint64_t[]){ s->lat_cpu }, TRACE_RET_NONE);
				return 1;
			}
			if (k > 0 && *left == s->inj_loads) {
				ctrl(rec, c, k + 1, TCTRL_THREAD_CPU, 1, (uint64_t[]){ s->inj_cpus[k - 1] }, TRACE_RET_NONE);
				return 1;
			}
			memset(rec, 0, sizeof(*rec));
			rec->tid = (uint16_t)(k + 1);
			rec->size = 8;
			rec->op = TOP_LOAD;
			if (k == 0 && s->lat_pattern == WLMLC_CHASE) {
				rec->addr = s->base + g->chase * s->line;
				rec->flags = TREC_DEP;     /* each hop's address is the previous hop's value */
				g->chase = g->perm[g->chase];
			} else if (k == 0 && s->lat_pattern == WLMLC_RANDOM) {
				rec->addr = s->base + rng_below(&g->rng, g->nlines) * s->line;
			} else if (k == 0 && s->lat_pattern == WLMLC_GUPS) {
				/* table[r] ^= r: one read-modify-write of a random word, independent of the others */
				rec->addr = s->base + rng_below(&g->rng, s->lat_buffer / 8) * 8;
				rec->op = TOP_MODIFY;
			} else if (k == 0) {
				rec->addr = s->base + g->chase * s->line;
				g->chase = (g->chase + 1) % g->nlines;
			} else {
				rec->addr = s->base + s->lat_buffer + (uint64_t)(k - 1) * s->inj_buffer + g->pos[k];
				rec->gap = s->delay;
				g->pos[k] += s->line;
				if (g->pos[k] + s->line > s->inj_buffer)
					g->pos[k] = 0;
			}
			return 1;
		}
		default:
			return 0;
		}
	}
}

int wlmlc_write(const struct wlmlc_spec *s, const char *path, enum trace_format fmt, char *err, size_t errlen)
{
	wlmlc_t *g;
	trace_writer_t *w;
	struct trace_rec rec;
	struct trace_ctrl c;
	int rc;

	if ((rc = wlmlc_create(&g, s, err, errlen)))
		return rc;
	if ((rc = trace_writer_open(&w, path, fmt, TCOMP_NONE, err, errlen))) {
		wlmlc_destroy(g);
		return rc;
	}
	trace_writer_set_threads(w, s->nr_inj + 2);
	while (wlmlc_next(g, &rec, &c) == 1)
		if ((rc = trace_write_rec(w, &rec, rec.op == TOP_CTRL ? &c : NULL))) {
			snprintf(err, errlen, "%s", trace_writer_error(w));
			trace_writer_close(w, false, NULL, 0);
			wlmlc_destroy(g);
			return rc;
		}
	wlmlc_destroy(g);
	return trace_writer_close(w, true, err, errlen);
}
