/* sim/hist.c - histogram merge and quantiles. */
#include <string.h>
#include "sim/hist.h"

void hist_init(struct hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

void hist_merge(struct hist *dst, const struct hist *src)
{
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->max > dst->max)
		dst->max = src->max;
	if (src->min < dst->min)
		dst->min = src->min;
	for (unsigned i = 0; i < HIST_BUCKETS; i++)
		dst->bucket[i] += src->bucket[i];
}

uint64_t hist_bucket_upper(unsigned b)
{
	if (b < HIST_SUB)
		return b;
	unsigned shift = b / HIST_SUB - 1;
	uint64_t mant = (uint64_t)(b % HIST_SUB) + HIST_SUB;
	return ((mant + 1) << shift) - 1;
}

uint64_t hist_quantile(const struct hist *h, unsigned q_permille)
{
	uint64_t rank, seen = 0;

	if (!h->count)
		return 0;
	/* ceil(count * q / 1000), at least 1 */
	rank = (h->count * q_permille + 999) / 1000;
	if (rank == 0)
		rank = 1;
	for (unsigned b = 0; b < HIST_BUCKETS; b++) {
		seen += h->bucket[b];
		if (seen >= rank) {
			uint64_t up = hist_bucket_upper(b);
			return up > h->max ? h->max : up;
		}
	}
	return h->max;
}
