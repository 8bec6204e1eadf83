/*
 * hw/cgsim_run.h - the body of cgsim_run, included by hw/cgsim.c only, once
 * per instance.  Parameters (macros, undefined at the end):
 *   CG_NAME                      the instance: its loop is cg_run_<CG_NAME>;
 *   CG_ROW(c, row, ways, blk)    the row search-and-shift after an MRU
 *                                mismatch, @return true on a miss;
 *   CG_WAYS_I1, CG_WAYS_D1, CG_WAYS_LL   the caches' ways when the
 *                                instance is for one geometry (the row
 *                                code unrolls), 0 for any.
 * A template rather than a function taking the row routine as an argument:
 * the vector row is compiled for AVX2 (a target attribute), and gcc inlines
 * such code only into a caller compiled for the same target.
 *
 * A batch is run in chunks of CG_CHUNK references, in two passes:
 *  1. I1/D1 for every reference; each miss appends the reference's index
 *     to a queue for the LL, without a branch (the slot is written anyway,
 *     the queue length advances by the miss bit), so a D1 that misses at
 *     random costs no mispredictions;
 *  2. the queued references through the LL, in order, with the LL row of
 *     the reference CG_PREFETCH places ahead prefetched: each queued
 *     reference missed the level above, so its LL row is likely cold in
 *     the host's L1 (and in its L2 when the LL's tag array is MBs).
 * The LL sees the same references in the same order as with cgsim_ref (it
 * is touched by nothing else), so the counts are identical.
 */
#define CG_CAT_(a, b) a##b
#define CG_CAT(a, b) CG_CAT_(a, b)
#define CG_RUN    CG_CAT(cg_run_, CG_NAME)
#define CG_LINE   CG_CAT(cg_line_, CG_NAME)
#define CG_ACCESS CG_CAT(cg_access_, CG_NAME)

static inline __attribute__((always_inline)) bool CG_LINE(const struct cg_cache *c, uint32_t ways, uint64_t blk)
{
	uint64_t *t = &c->tag[(blk & c->set_mask) * ways];

	if (likely(t[0] == blk))
		return false;
	return CG_ROW(c, t, ways, blk);
}

static inline __attribute__((always_inline)) bool CG_ACCESS(const struct cg_cache *c, uint32_t ways, uint64_t addr,
							     uint32_t size)
{
	uint64_t b1 = addr >> c->line_shift;
	uint64_t b2 = (addr + size - (size != 0)) >> c->line_shift;
	bool miss = CG_LINE(c, ways, b1);

	if (unlikely(b2 != b1))
		miss |= CG_LINE(c, ways, b2);
	return miss;
}

static void CG_RUN(cgsim_t *s, const struct cg_ref *refs, size_t n)
{
	uint16_t q[CG_CHUNK];
	const struct cg_cache i1 = s->i1, d1 = s->d1, ll = s->ll;
	const uint32_t i1w = CG_WAYS_I1 ? CG_WAYS_I1 : i1.ways, d1w = CG_WAYS_D1 ? CG_WAYS_D1 : d1.ways;
	const uint32_t llw = CG_WAYS_LL ? CG_WAYS_LL : ll.ways, min_line = s->min_line;
	uint64_t ir = 0, i1m = 0, dw = 0, d1m = 0, d1mw = 0, llm = 0, llmi = 0, llmw = 0;

	_Static_assert(CG_CHUNK <= UINT16_MAX + 1, "queue entries are 16-bit indices");
	for (size_t base = 0; base < n; base += CG_CHUNK) {
		const struct cg_ref *r = refs + base;
		size_t len = SIM_MIN(n - base, CG_CHUNK), k = 0;

		for (size_t i = 0; i < len; i++) {
			uint64_t w = r[i].op == MEM_STORE;
			bool miss;

			if (r[i].op == MEM_IFETCH) {
				ir++;
				miss = CG_ACCESS(&i1, i1w, r[i].addr, r[i].size);
				i1m += miss;
			} else {
				/* data sizes are clamped to the smallest line; 'M' is one access counted as a read */
				dw += w;
				miss = CG_ACCESS(&d1, d1w, r[i].addr, SIM_MIN(r[i].size, min_line));
				d1m += miss;
				d1mw += miss & w;
			}
			q[k] = (uint16_t)i;
			k += miss;
		}
		for (size_t j = 0; j < k; j++) {
			const struct cg_ref *x = &r[q[j]];
			uint32_t size = x->op == MEM_IFETCH ? x->size : SIM_MIN(x->size, min_line);

			if (j + CG_PREFETCH < k)
				cg_prefetch_row(&ll, llw, r[q[j + CG_PREFETCH]].addr);
			bool miss = CG_ACCESS(&ll, llw, x->addr, size);
			llm += miss;
			llmi += miss & (x->op == MEM_IFETCH);
			llmw += miss & (x->op == MEM_STORE);
		}
	}
	s->n[CG_IR] += ir;
	s->n[CG_I1MR] += i1m;
	s->n[CG_ILMR] += llmi;
	s->n[CG_DR] += n - ir - dw;
	s->n[CG_D1MR] += d1m - d1mw;
	s->n[CG_DLMR] += llm - llmi - llmw;
	s->n[CG_DW] += dw;
	s->n[CG_D1MW] += d1mw;
	s->n[CG_DLMW] += llmw;
}

#undef CG_CAT_
#undef CG_CAT
#undef CG_RUN
#undef CG_LINE
#undef CG_ACCESS
#undef CG_NAME
#undef CG_ROW
#undef CG_WAYS_I1
#undef CG_WAYS_D1
#undef CG_WAYS_LL
