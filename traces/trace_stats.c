/*
 * traces/trace_stats.c - record counts and page footprint of a trace.
 *
 * The page set is a linear-probing hash table of page numbers (stored + 1 so
 * that 0 marks an empty slot), doubled at half load.  Only its size is ever
 * reported, never its iteration order, so the output is deterministic.
 */
#include <stdlib.h>
#include <string.h>
#include "sim/err.h"
#include "traces/trace_stats.h"

static const struct stat_desc trace_stat_desc[] = { TRACE_STATS(STAT_DESC) };
STAT_TABLE_CHECK(trace_stat_desc, NR_TRACE_STATS);

#define PAGE_SHIFT_4K 12

void trace_stats_init(struct trace_stats *s)
{
	memset(s, 0, sizeof(*s));
}

void trace_stats_free(struct trace_stats *s)
{
	free(s->thread_recs);
	free(s->page_set);
	memset(s, 0, sizeof(*s));
}

struct stat_block trace_stats_block(const struct trace_stats *s)
{
	return (struct stat_block){ trace_stat_desc, s->stat, NR_TRACE_STATS };
}

static inline size_t page_slot(uint64_t key, size_t cap)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ull) >> 32) & (cap - 1);
}

static int page_set_grow(struct trace_stats *s)
{
	size_t cap = s->page_cap ? s->page_cap * 2 : 4096;
	uint64_t *t = calloc(cap, sizeof(*t));

	if (!t)
		return -SIM_ENOMEM;
	for (size_t i = 0; i < s->page_cap; i++) {
		uint64_t k = s->page_set[i];
		size_t j;
		if (!k)
			continue;
		for (j = page_slot(k, cap); t[j]; j = (j + 1) & (cap - 1))
			;
		t[j] = k;
	}
	free(s->page_set);
	s->page_set = t;
	s->page_cap = cap;
	return 0;
}

static int page_add(struct trace_stats *s, uint64_t page)
{
	uint64_t key = page + 1;
	size_t j;

	if (key == s->last_page)
		return 0;
	s->last_page = key;
	if (2 * (s->stat[TSTAT_PAGES] + 1) > s->page_cap && page_set_grow(s))
		return -SIM_ENOMEM;
	for (j = page_slot(key, s->page_cap); s->page_set[j]; j = (j + 1) & (s->page_cap - 1))
		if (s->page_set[j] == key)
			return 0;
	s->page_set[j] = key;
	s->stat[TSTAT_PAGES]++;
	return 0;
}

static int thread_count(struct trace_stats *s, unsigned tid)
{
	if (tid >= s->thread_cap) {
		unsigned cap = s->thread_cap ? s->thread_cap : 8;
		uint64_t *t;
		while (cap <= tid)
			cap *= 2;
		t = realloc(s->thread_recs, cap * sizeof(*t));
		if (!t)
			return -SIM_ENOMEM;
		memset(t + s->thread_cap, 0, (cap - s->thread_cap) * sizeof(*t));
		s->thread_recs = t;
		s->thread_cap = cap;
	}
	s->thread_recs[tid]++;
	if (tid + 1 > s->stat[TSTAT_THREADS])
		s->stat[TSTAT_THREADS] = tid + 1;
	return 0;
}

int trace_stats_add(struct trace_stats *s, const struct trace_batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct trace_rec *r = &b->rec[i];
		int rc;

		s->stat[TSTAT_RECORDS]++;
		s->stat[TSTAT_LOADS + (r->op < NR_TRACE_OPS ? r->op : TOP_CTRL)]++;
		s->stat[TSTAT_GAP] += r->gap;
		if ((rc = thread_count(s, r->tid)))
			return rc;
		if (r->op == TOP_CTRL) {
			if (r->ctrl < b->nctrl && b->ctrl[r->ctrl].kind < NR_TRACE_CTRLS)
				s->ctrl[b->ctrl[r->ctrl].kind]++;
			continue;
		}
		uint64_t last = r->addr + (r->size ? r->size - 1u : 0);
		if (last < r->addr)
			last = UINT64_MAX;       /* wraps: clamp to the top of the address space */
		s->stat[TSTAT_BYTES] += r->size;
		s->stat[TSTAT_DEP] += (r->flags & TREC_DEP) != 0;
		if (s->stat[TSTAT_LOADS] + s->stat[TSTAT_STORES] + s->stat[TSTAT_IFETCHES] +
		    s->stat[TSTAT_MODIFIES] == 1 || r->addr < s->stat[TSTAT_ADDR_MIN])
			s->stat[TSTAT_ADDR_MIN] = r->addr;
		if (last > s->stat[TSTAT_ADDR_MAX])
			s->stat[TSTAT_ADDR_MAX] = last;
		for (uint64_t p = r->addr >> PAGE_SHIFT_4K; p <= last >> PAGE_SHIFT_4K; p++)
			if ((rc = page_add(s, p)))
				return rc;
	}
	return 0;
}

int trace_stats_file(struct trace_stats *s, const char *path, enum trace_format fmt,
		     enum trace_format *detected, char *err, size_t errlen)
{
	trace_reader_t *r;
	struct trace_batch b;
	int rc = trace_open(&r, path, fmt, err, errlen);

	if (rc)
		return rc;
	if (detected)
		*detected = trace_reader_format(r);
	while ((rc = trace_next(r, &b, err, errlen)) > 0)
		if ((rc = trace_stats_add(s, &b))) {
			sim_errf(err, errlen, rc, "%s: out of memory counting pages", path);
			break;
		}
	trace_close(r);
	return rc;
}
