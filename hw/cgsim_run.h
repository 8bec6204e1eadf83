/*
 * hw/cgsim_run.h - the body of cgsim_run, included by hw/cgsim.c only, once
 * per instance.  Parameters (macros, undefined at the end):
 *   CG_NAME                      the instance: its loop is cg_run_<CG_NAME>;
 *   CG_ROW(c, row, ways, blk)    the row search-and-shift after an MRU
 *                                mismatch, @return true on a miss;
 *   CG_WAYS_I1, CG_WAYS_D1, CG_WAYS_LL   the caches' ways when the
 *                                instance is for one geometry (the row
 *                                code unrolls), 0 for any;
 *   CG_ROW_MRU                   1 if CG_ROW also handles a hit on the MRU
 *                                way (the vector rows), 0 if the caller
 *                                must check that way first (the scalar).
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
#define CG_PASS1  CG_CAT(cg_pass1_, CG_NAME)

/*
 * One line.  `mru` (a constant after inlining): check the MRU way first and
 * skip the row on a hit there - the common case of sweeps, where it is a
 * predicted branch, but a misprediction per hit where hits come at random,
 * so it is optional where CG_ROW handles that way itself.
 */
static inline __attribute__((always_inline)) bool CG_LINE(const struct cg_cache *c, uint32_t ways, uint64_t blk,
							   bool mru)
{
	uint64_t *t = &c->tag[(blk & c->set_mask) * ways];

	if ((mru || !CG_ROW_MRU) && likely(t[0] == blk))
		return false;
	return CG_ROW(c, t, ways, blk);
}

static inline __attribute__((always_inline)) bool CG_ACCESS(const struct cg_cache *c, uint32_t ways, uint64_t addr,
							     uint32_t size, bool mru)
{
	uint64_t b1 = addr >> c->line_shift;
	uint64_t b2 = (addr + size - (size != 0)) >> c->line_shift;
	bool miss = CG_LINE(c, ways, b1, mru);

	if (unlikely(b2 != b1))
		miss |= CG_LINE(c, ways, b2, mru);
	return miss;
}

/* the 16-bit lane of a packed count for op; a chunk's counts fit in 16 bits */
#define CG_LANE(op) (16u * (op))

/*
 * Pass 1 over the len records at r: I1/D1, the byte offsets of the misses
 * into q, the references counted by kind into *ops (16-bit lanes, see
 * CG_LANE) and the other records into *skip.  @return the misses.
 */
static inline __attribute__((always_inline)) size_t CG_PASS1(const struct cg_cache *i1, const struct cg_cache *d1,
							      uint32_t min_line, const uint8_t *r, size_t len,
							      const struct cg_layout *l, uint32_t *q, uint64_t *ops,
							      uint64_t *skip, bool mru)
{
	const uint32_t i1w = CG_WAYS_I1 ? CG_WAYS_I1 : i1->ways, d1w = CG_WAYS_D1 ? CG_WAYS_D1 : d1->ways;
	const size_t stride = l->stride, oa = l->addr, os = l->size, oo = l->op;
	uint64_t nops = 0;
	size_t k = 0;

	for (size_t i = 0; i < len; i++) {
		const uint8_t *x = r + i * stride;
		uint8_t op = x[oo];
		uint16_t size;
		uint64_t addr;
		bool miss;

		if (unlikely(op >= NR_MEM_OPS)) {
			++*skip;
			continue;
		}
		memcpy(&addr, x + oa, sizeof(addr));
		memcpy(&size, x + os, sizeof(size));
		nops += 1ull << CG_LANE(op);
		if (op == MEM_IFETCH)
			miss = CG_ACCESS(i1, i1w, addr, size, mru);
		else    /* data sizes are clamped to the smallest line; 'M' is one access counted as a read */
			miss = CG_ACCESS(d1, d1w, addr, SIM_MIN(size, min_line), mru);
		q[k] = (uint32_t)(i * stride);
		k += miss;
	}
	*ops = nops;
	return k;
}

/*
 * The counters of a chunk stay in registers, each a word of four 16-bit
 * lanes (one per enum mem_op) added up once per chunk: pass 1 counts the
 * references by kind (and the misses, as the queue's length); pass 2 reads
 * each queued reference's kind anyway, so it counts the L1 misses and the
 * LL misses by kind.  The caches are copied into locals: the stores to
 * their rows (uint64_t) could otherwise alias their fields for the compiler.
 */
static size_t CG_RUN(cgsim_t *s, const void *recs, size_t n, const struct cg_layout *l)
{
	uint32_t q[CG_CHUNK];
	const struct cg_cache i1 = s->i1, d1 = s->d1, ll = s->ll;
	const uint32_t llw = CG_WAYS_LL ? CG_WAYS_LL : ll.ways, min_line = s->min_line;
	const size_t oa = l->addr, os = l->size, oo = l->op;
	uint64_t skip = 0, refs[NR_MEM_OPS] = { 0 }, l1m[NR_MEM_OPS] = { 0 }, llm[NR_MEM_OPS] = { 0 };
	bool mru = true;

	_Static_assert(CG_CHUNK < 65536 && 16 * NR_MEM_OPS <= 64, "a chunk's counts are 16-bit lanes of a word");
	for (size_t base = 0; base < n; base += CG_CHUNK) {
		const uint8_t *r = (const uint8_t *)recs + base * l->stride;
		size_t len = SIM_MIN(n - base, CG_CHUNK), k;
		uint64_t pref, pl1 = 0, pll = 0;

		/*
		 * Under a quarter of L1 misses in the previous chunk: hits are
		 * mostly repeats of a set's latest line, worth the MRU check.
		 */
		if (mru)
			k = CG_PASS1(&i1, &d1, min_line, r, len, l, q, &pref, &skip, true);
		else
			k = CG_PASS1(&i1, &d1, min_line, r, len, l, q, &pref, &skip, false);
		mru = k * 4 < len;
		for (size_t j = 0; j < k; j++) {
			const uint8_t *x = r + q[j];
			uint8_t op = x[oo];
			uint64_t addr;
			uint16_t size;

			memcpy(&addr, x + oa, sizeof(addr));
			memcpy(&size, x + os, sizeof(size));
			if (op != MEM_IFETCH)
				size = (uint16_t)SIM_MIN(size, min_line);
			if (j + CG_PREFETCH < k) {
				uint64_t ahead;
				memcpy(&ahead, r + q[j + CG_PREFETCH] + oa, sizeof(ahead));
				cg_prefetch_row(&ll, llw, ahead);
			}
			/* an LL lookup is an L1 miss: rarely a hit on the MRU way */
			uint64_t miss = CG_ACCESS(&ll, llw, addr, size, false);
			pl1 += 1ull << CG_LANE(op);
			pll += miss << CG_LANE(op);
		}
		for (unsigned op = 0; op < NR_MEM_OPS; op++) {
			refs[op] += (pref >> CG_LANE(op)) & 0xffff;
			l1m[op] += (pl1 >> CG_LANE(op)) & 0xffff;
			llm[op] += (pll >> CG_LANE(op)) & 0xffff;
		}
	}
	s->n[CG_IR] += refs[MEM_IFETCH];
	s->n[CG_I1MR] += l1m[MEM_IFETCH];
	s->n[CG_ILMR] += llm[MEM_IFETCH];
	s->n[CG_DR] += refs[MEM_LOAD] + refs[MEM_MODIFY];
	s->n[CG_D1MR] += l1m[MEM_LOAD] + l1m[MEM_MODIFY];
	s->n[CG_DLMR] += llm[MEM_LOAD] + llm[MEM_MODIFY];
	s->n[CG_DW] += refs[MEM_STORE];
	s->n[CG_D1MW] += l1m[MEM_STORE];
	s->n[CG_DLMW] += llm[MEM_STORE];
	return n - skip;
}

#undef CG_CAT_
#undef CG_CAT
#undef CG_RUN
#undef CG_LINE
#undef CG_ACCESS
#undef CG_PASS1
#undef CG_LANE
#undef CG_ROW_MRU
#undef CG_NAME
#undef CG_ROW
#undef CG_WAYS_I1
#undef CG_WAYS_D1
#undef CG_WAYS_LL
