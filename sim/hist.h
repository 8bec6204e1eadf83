/*
 * sim/hist.h - latency histogram with bounded relative error.
 *
 * Log-linear buckets (HDR-histogram style): values below 2^HIST_SUB_BITS
 * picoseconds are exact; above, each power of two is split into
 * 2^HIST_SUB_BITS buckets, so a reported percentile is within 1/64 (1.6%)
 * of the true value.  Mean and max are exact.  Recording is a few shifts and
 * an increment: cheap enough for every access.
 */
#ifndef SIM_HIST_H
#define SIM_HIST_H

#include "sim/types.h"

#define HIST_SUB_BITS 6
#define HIST_SUB      (1u << HIST_SUB_BITS)
#define HIST_BUCKETS  ((64 - HIST_SUB_BITS + 1) * HIST_SUB)

struct hist {
	uint64_t count;
	uint64_t sum;       /* sum of values, ps (wraps only past 2^64 ps total) */
	uint64_t max;
	uint64_t min;
	uint64_t bucket[HIST_BUCKETS];
};

void hist_init(struct hist *h);

static inline unsigned hist_bucket_of(uint64_t v)
{
	if (v < HIST_SUB)
		return (unsigned)v;
	unsigned msb = ilog2_u64(v);
	unsigned shift = msb - HIST_SUB_BITS;
	return (shift + 1) * HIST_SUB + (unsigned)((v >> shift) - HIST_SUB);
}

static inline void hist_add(struct hist *h, uint64_t v)
{
	h->count++;
	h->sum += v;
	if (v > h->max)
		h->max = v;
	if (v < h->min)
		h->min = v;
	h->bucket[hist_bucket_of(v)]++;
}

/* n samples of value v at once: what n hist_add(h, v) would do. */
static inline void hist_add_n(struct hist *h, uint64_t v, uint64_t n)
{
	if (!n)
		return;
	h->count += n;
	h->sum += v * n;     /* the same sum modulo 2^64 as n additions */
	if (v > h->max)
		h->max = v;
	if (v < h->min)
		h->min = v;
	h->bucket[hist_bucket_of(v)] += n;
}

/*
 * A run of equal samples not yet in a histogram: most samples of a replay
 * repeat the one before (an L1 hit's latency), so hist_add_run counts them
 * with an increment and adds the run when the value changes.  Whoever reads
 * the histogram calls hist_run_flush first.  Start from {0, 0}.
 */
struct hist_run {
	uint64_t v, n;
};

static inline void hist_run_flush(struct hist *h, struct hist_run *r)
{
	hist_add_n(h, r->v, r->n);
	r->n = 0;
}

static inline void hist_add_run(struct hist *h, struct hist_run *r, uint64_t v)
{
	if (likely(v == r->v)) {
		r->n++;
		return;
	}
	hist_run_flush(h, r);
	r->v = v;
	r->n = 1;
}

/* Add every sample of src into dst. */
void hist_merge(struct hist *dst, const struct hist *src);

/* Largest value that falls in bucket b (its inclusive upper bound). */
uint64_t hist_bucket_upper(unsigned b);

/*
 * Value at quantile q_permille/1000 (e.g. 990 for p99): the upper bound of
 * the bucket holding the ceil(q*count)-th sample, clamped to max.
 */
uint64_t hist_quantile(const struct hist *h, unsigned q_permille);

#endif
