/*
 * hw/cgsim.c - cachegrind's caches (see cgsim.h): creation, the row search
 * after an MRU mismatch, and cgsim_run, the batch replay.
 *
 * Speed of cgsim_run (issue 16: caches-only at 100 M accesses/s):
 * - the LL is looked up in a second pass over the references that missed
 *   I1/D1, so the first pass has no branch on "did D1 miss?" (Zipf-like
 *   traces miss D1 at random) and the second knows which LL rows are next
 *   and prefetches them (see hw/cgsim_run.h);
 * - rows of a multiple of 4 ways (at most 64) are searched with AVX2 (and
 *   8-way L1s with a 16-way LL with AVX-512) when the host has it: one
 *   compare of 4 (8) tags at a time gives the hit way, and the row is
 *   shifted without a branch per way: word i of the new row is old word
 *   i-1 up to the hit way (the last way on a miss), old word i after it,
 *   the block itself in front.  Other rows, and hosts without AVX2, use the
 *   scalar search, which shifts as it scans.
 * Both are the same LRU order, so the counts never depend on the host.
 */
#include <stdlib.h>
#include <string.h>
#include "hw/cgsim.h"
#include "sim/err.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define CG_HAVE_AVX2 1
#else
#define CG_HAVE_AVX2 0
#endif

#define CG_CHUNK    256     /* references per pass: the LL queue lives on the stack */
#define CG_PREFETCH 8       /* LL rows prefetched this many queued references ahead */
#define CG_ALIGN    64      /* rows start on host cache lines */

/* An I1/D1 miss waiting for its LL lookup: ev is the LL miss event it counts. */
struct cg_llq {
	uint64_t addr;
	uint32_t size;
	uint32_t ev;
};

/*
 * A line of a reference that is not the MRU way of its set: search the rest
 * of the row, shifting each tag passed one way down, and put the block in
 * front.  A hit at way w moves ways 0..w-1 down by one; a miss drops the
 * last (LRU) tag.  Out of line: the inline caller has already handled the
 * common case, a hit on the MRU way.
 */
bool cg_row_miss_(uint64_t *t, uint32_t ways, uint64_t blk)
{
	uint64_t prev = t[0];

	t[0] = blk;
	for (uint32_t w = 1; w < ways; w++) {
		uint64_t cur = t[w];
		t[w] = prev;
		if (cur == blk)
			return false;
		prev = cur;
	}
	return true;
}

static inline __attribute__((always_inline)) void cg_prefetch_row(const struct cg_cache *c, uint32_t ways,
								    uint64_t addr)
{
	const uint64_t *t = &c->tag[((addr >> c->line_shift) & c->set_mask) * ways];

	/* a row of up to 16 ways is one or two host lines: its first and last word cover it */
	__builtin_prefetch(t);
	__builtin_prefetch(t + ways - 1);
}

/* the scalar replay, any geometry */
#define CG_NAME scalar
#define CG_ROW(c, t, ways, blk) cg_row_miss_((t), (ways), (blk))
#define CG_WAYS_I1 0
#define CG_WAYS_D1 0
#define CG_WAYS_LL 0
#define CG_ROW_MRU 0
#include "hw/cgsim_run.h"

#if CG_HAVE_AVX2
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,bmi,bmi2"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,bmi,bmi2")
#endif
/*
 * The row search and shift with AVX2 (ways a multiple of 4, at most 64;
 * the row 32-byte aligned).  The row is loaded once, 4 words at a time;
 * each chunk's shifted copy is made in registers (its words moved up one
 * lane, the previous chunk's last word, or the block, in lane 0), so no
 * load straddles two chunks or waits on the stores of an earlier access.
 * `ways` is a constant where the caller knows it (the loops unroll).
 * @return true on a miss.
 */
static inline __attribute__((always_inline)) bool cg_row_avx2(uint64_t *t, uint32_t ways, uint64_t blk)
{
	const __m256i b = _mm256_set1_epi64x((long long)blk);
	__m256i v[16], carry = b;
	uint64_t m = 0;

#pragma GCC unroll 16
	for (uint32_t w = 0; w < ways; w += 4) {
		v[w / 4] = _mm256_load_si256((const __m256i *)(t + w));
		m |= (uint64_t)(unsigned)_mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpeq_epi64(v[w / 4], b))) << w;
	}
	/* words 0..pos take their predecessor (pos: the hit way, or the last way on a miss) */
	const __m256i pos = _mm256_set1_epi64x(__builtin_ctzll(m | 1ull << (ways - 1)));
#pragma GCC unroll 16
	for (uint32_t w = 0; w < ways; w += 4) {
		__m256i cur = v[w / 4];
		__m256i sh = _mm256_blend_epi32(_mm256_permute4x64_epi64(cur, 0x90), carry, 0x03);
		__m256i idx = _mm256_setr_epi64x(w, w + 1, w + 2, w + 3);
		_mm256_store_si256((__m256i *)(t + w), _mm256_blendv_epi8(sh, cur, _mm256_cmpgt_epi64(idx, pos)));
		carry = _mm256_permute4x64_epi64(cur, 0xff);
	}
	return !m;
}

/* any geometry: rows that are not a multiple of 4 ways take the scalar search */
#define CG_NAME avx2
#define CG_ROW(c, t, ways, blk) ((c)->vec ? cg_row_avx2((t), (ways), (blk)) : cg_row_miss_((t), (ways), (blk)))
#define CG_WAYS_I1 0
#define CG_WAYS_D1 0
#define CG_WAYS_LL 0
#define CG_ROW_MRU 0
#include "hw/cgsim_run.h"

/* 8-way L1s and a 16-way LL (cachegrind's usual geometries): the rows unroll */
#define CG_NAME avx2_8_16
#define CG_ROW(c, t, ways, blk) cg_row_avx2((t), (ways), (blk))
#define CG_WAYS_I1 8
#define CG_WAYS_D1 8
#define CG_WAYS_LL 16
#define CG_ROW_MRU 1
#include "hw/cgsim_run.h"
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,avx512f,avx512dq,bmi,bmi2"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,avx512f,avx512dq,bmi,bmi2")
#endif
/*
 * The same with AVX-512 for rows of 8 or 16 ways (the instance below; the
 * row 64-byte aligned): one compare per 8 ways gives a mask register m;
 * the words 0..pos to shift (pos: the hit way, or the last way on a miss)
 * are m ^ (m - 1), the bits up to m's lowest and all of them when m is 0,
 * computed in mask registers (kadd, kxor: AVX512DQ); and each 8-word
 * chunk's shifted copy is one valignq of the chunk and its predecessor
 * (the block's broadcast in front of the first chunk).  @return true on a
 * miss.
 */
static inline __attribute__((always_inline)) bool cg_row_avx512(uint64_t *t, uint32_t ways, uint64_t blk)
{
	const __m512i b = _mm512_set1_epi64((long long)blk);
	__m512i v0 = _mm512_load_si512(t);

	if (ways == 8) {
		__mmask8 m = _mm512_cmpeq_epi64_mask(v0, b);
		__mmask8 take = _kxor_mask8(m, _kadd_mask8(m, (__mmask8)0xff));
		_mm512_store_si512(t, _mm512_mask_mov_epi64(v0, take, _mm512_alignr_epi64(v0, b, 7)));
		return _kortestz_mask8_u8(m, m);
	}
	__m512i v1 = _mm512_load_si512(t + 8);
	__mmask16 m = _mm512_kunpackb(_mm512_cmpeq_epi64_mask(v1, b), _mm512_cmpeq_epi64_mask(v0, b));
	__mmask16 take = _kxor_mask16(m, _kadd_mask16(m, (__mmask16)0xffff));
	_mm512_store_si512(t, _mm512_mask_mov_epi64(v0, (__mmask8)take, _mm512_alignr_epi64(v0, b, 7)));
	_mm512_store_si512(t + 8, _mm512_mask_mov_epi64(v1, (__mmask8)_kshiftri_mask16(take, 8),
						       _mm512_alignr_epi64(v1, v0, 7)));
	return _kortestz_mask16_u8(m, m);
}

#define CG_NAME avx512_8_16
#define CG_ROW(c, t, ways, blk) cg_row_avx512((t), (ways), (blk))
#define CG_WAYS_I1 8
#define CG_WAYS_D1 8
#define CG_WAYS_LL 16
#define CG_ROW_MRU 1
#include "hw/cgsim_run.h"
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#endif

size_t cgsim_run(cgsim_t *s, const void *recs, size_t n, const struct cg_layout *l)
{
#if CG_HAVE_AVX2
	bool usual = s->i1.ways == 8 && s->d1.ways == 8 && s->ll.ways == 16;

	if (s->simd == CG_SIMD_AVX512 && usual)
		return cg_run_avx512_8_16(s, recs, n, l);
	if (s->simd >= CG_SIMD_AVX2 && usual)
		return cg_run_avx2_8_16(s, recs, n, l);
	if (s->simd >= CG_SIMD_AVX2)
		return cg_run_avx2(s, recs, n, l);
#endif
	return cg_run_scalar(s, recs, n, l);
}

enum cg_simd cgsim_set_simd(cgsim_t *s, enum cg_simd max)
{
	enum cg_simd got = CG_SIMD_NONE;

#if CG_HAVE_AVX2
	/* the vector instances are also compiled for BMI1/2 (shifts by a register, tzcnt) */
	bool bmi = __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2");

	if (max >= CG_SIMD_AVX512 && bmi && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq"))
		got = CG_SIMD_AVX512;
	else if (max >= CG_SIMD_AVX2 && bmi && __builtin_cpu_supports("avx2"))
		got = CG_SIMD_AVX2;
#endif
	(void)max;
	s->simd = got;
	s->i1.vec = got && s->i1.ways % 4 == 0 && s->i1.ways <= 64;
	s->d1.vec = got && s->d1.ways % 4 == 0 && s->d1.ways <= 64;
	s->ll.vec = got && s->ll.ways % 4 == 0 && s->ll.ways <= 64;
	return got;
}

const char *const cg_event_names[] = {
#define CG_EVENT_NAME(id, name) #name,
	CG_EVENTS(CG_EVENT_NAME)
#undef CG_EVENT_NAME
};

/*
 * cachegrind's geometry rules: a power-of-two line and set count.  The tag
 * rows are allocated zeroed, which is cachegrind's initial state (block 0
 * present in set 0, see cgsim.h), and 64-byte aligned (the vector rows
 * load and store whole rows).
 */
static int cg_cache_init(struct cg_cache *c, const struct cache_cfg *cfg, const char *name, char *err,
			 size_t errlen)
{
	uint64_t sets, words, bytes;

	if (!cfg->ways || !cfg->line || !is_pow2_u64(cfg->line) || cfg->size % ((uint64_t)cfg->ways * cfg->line))
		return sim_errf(err, errlen, SIM_ECONFIG, "%s: size %llu, %u ways, %u-byte lines is not a valid geometry",
				name, (unsigned long long)cfg->size, cfg->ways, cfg->line);
	sets = cfg->size / ((uint64_t)cfg->ways * cfg->line);
	if (!is_pow2_u64(sets))
		return sim_errf(err, errlen, SIM_ECONFIG,
				"%s: %llu sets; cachegrind requires a power-of-two set count", name,
				(unsigned long long)sets);
	words = sets * cfg->ways;       /* = size / line: no overflow */
	if (words > (SIZE_MAX - CG_ALIGN) / sizeof(uint64_t))
		return -SIM_ENOMEM;
	bytes = (words * sizeof(uint64_t) + CG_ALIGN - 1) / CG_ALIGN * CG_ALIGN;
	c->tag = aligned_alloc(CG_ALIGN, bytes);
	if (!c->tag)
		return -SIM_ENOMEM;
	memset(c->tag, 0, bytes);
	c->set_mask = sets - 1;
	c->ways = cfg->ways;
	c->line_shift = ilog2_u64(cfg->line);
	return 0;
}

int cgsim_create(cgsim_t **out, const struct cache_cfg *i1, const struct cache_cfg *d1,
		 const struct cache_cfg *ll, char *err, size_t errlen)
{
	cgsim_t *s = calloc(1, sizeof(*s));
	int rc;

	*out = NULL;
	if (!s)
		return -SIM_ENOMEM;
	if ((rc = cg_cache_init(&s->i1, i1, "I1", err, errlen)) || (rc = cg_cache_init(&s->d1, d1, "D1", err, errlen)) ||
	    (rc = cg_cache_init(&s->ll, ll, "LL", err, errlen))) {
		cgsim_destroy(s);
		return rc;
	}
	s->min_line = SIM_MIN(SIM_MIN(i1->line, d1->line), ll->line);
	cgsim_set_simd(s, CG_SIMD_AVX512);
	*out = s;
	return 0;
}

void cgsim_destroy(cgsim_t *s)
{
	if (!s)
		return;
	free(s->i1.tag);
	free(s->d1.tag);
	free(s->ll.tag);
	free(s);
}

const uint64_t *cgsim_counts(const cgsim_t *s)
{
	return s->n;
}
