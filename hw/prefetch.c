/*
 * hw/prefetch.c - next-line and region-stride prefetchers (see prefetch.h).
 */
#include <string.h>
#include "hw/prefetch.h"

void prefetch_init(struct prefetcher *p, enum prefetch_kind kind, uint32_t degree, uint32_t line_shift)
{
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->degree = degree < 1 ? 1 : degree > PF_MAX_DEGREE ? PF_MAX_DEGREE : degree;
	p->line_shift = line_shift;
}

static unsigned next_line(struct prefetcher *p, uint64_t blk, uint64_t *out)
{
	for (unsigned i = 0; i < p->degree; i++)
		out[i] = blk + 1 + i;
	return p->degree;
}

static unsigned stride(struct prefetcher *p, uint64_t blk, uint64_t *out)
{
	unsigned shift = p->line_shift < PF_REGION_SHIFT ? PF_REGION_SHIFT - p->line_shift : 0;
	uint64_t region = (blk >> shift) + 1;
	struct pf_stride_entry *e = NULL, *lru = &p->tab[0];
	unsigned n = 0;

	for (unsigned i = 0; i < PF_STRIDE_ENTRIES; i++) {
		if (p->tab[i].region == region) {
			e = &p->tab[i];
			break;
		}
		if (p->tab[i].stamp < lru->stamp)
			lru = &p->tab[i];
	}
	if (!e) {
		*lru = (struct pf_stride_entry){ .region = region, .last = blk, .stamp = ++p->clock };
		return 0;
	}
	e->stamp = ++p->clock;
	int64_t s = (int64_t)(blk - e->last);
	if (s == 0)
		return 0;
	if (s == e->stride) {
		if (e->conf < 3)
			e->conf++;
	} else {
		e->stride = s;
		e->conf = 0;
	}
	e->last = blk;
	if (e->conf < 1)
		return 0;
	for (unsigned i = 1; i <= p->degree; i++) {
		uint64_t b = blk + (uint64_t)(s * (int64_t)i);
		if ((b >> shift) + 1 != region)
			break;
		out[n++] = b;
	}
	return n;
}

unsigned prefetch_train(struct prefetcher *p, uint64_t blk, uint64_t *out)
{
	switch (p->kind) {
	case PF_NEXT_LINE:
		return next_line(p, blk, out);
	case PF_STRIDE:
		return stride(p, blk, out);
	default:
		return 0;
	}
}
