/*
 * hw/tlb.c - set-associative translation arrays with small-array replacement.
 *
 * TLBs and page-walk caches have at most a few thousand entries and are
 * probed on every memory reference, so the layout favours the probe: the
 * ways of a set are contiguous 32-byte records compared on (vpn, ctx), where
 * ctx packs valid bit, page shift and asid so one compare checks all three.
 * A "last hit" index short-cuts the common case of consecutive references to
 * the same page: re-touching the most recently touched entry changes no
 * replacement state under any policy here, so skipping the update is exact.
 *
 * Replacement state lives beside each way (LRU stamp from a per-array clock,
 * SRRIP re-reference value) or per set (PLRU tree bits).
 */
#include <stdlib.h>
#include <string.h>
#include "hw/tlb.h"
#include "hw/hw_cfg.h"
#include "sim/err.h"
#include "sim/rng.h"

#define SRRIP_MAX   3u
#define SRRIP_INSERT 2u

static const struct stat_desc tlb_stat_desc[] = { TLB_STATS(STAT_DESC) };
STAT_TABLE_CHECK(tlb_stat_desc, NR_TLB_STATS);

#if defined(__GNUC__)
#define TLB_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define TLB_ALWAYS_INLINE inline
#endif

static inline uint16_t ctx_asid(uint32_t ctx)
{
	return (uint16_t)ctx;
}

static inline unsigned ctx_shift(uint32_t ctx)
{
	return (ctx >> 16) & 0x7f;
}

static inline uint64_t set_of(const tlb_t *t, uint64_t vpn)
{
	return likely(t->sets_pow2) ? vpn & t->set_mask : vpn % t->sets;
}

int tlb_create(tlb_t **out, const char *name, uint32_t entries, uint32_t ways, unsigned shift, uint32_t repl,
	       uint64_t seed, uint64_t stream, char *err, size_t errlen)
{
	tlb_t *t;

	*out = NULL;
	if (!entries || !ways || entries % ways)
		return sim_errf(err, errlen, SIM_ECONFIG, "%s: %u ways do not divide %u entries", name, ways, entries);
	if (shift < 1 || shift > 63)
		return sim_errf(err, errlen, SIM_ECONFIG, "%s: page shift %u out of range", name, shift);
	if (repl >= NR_REPL)
		return sim_errf(err, errlen, SIM_ECONFIG, "%s: unknown replacement policy %u", name, repl);
	t = calloc(1, sizeof(*t));
	if (!t)
		return sim_errf(err, errlen, SIM_ENOMEM, "%s: out of memory", name);
	t->name = name;
	t->entries = entries;
	t->ways = ways;
	t->sets = entries / ways;
	t->sets_pow2 = is_pow2_u64(t->sets);
	t->set_mask = t->sets - 1;
	t->shift = shift;
	t->repl = repl;
	/* tree nodes are numbered heap-style; depth ceil(log2 ways) bounds the index */
	unsigned depth = ways > 1 ? ilog2_u64(ways - 1) + 1 : 0;
	t->plru_words = (uint32_t)(((1ULL << depth) + 63) / 64);
	t->last = entries;
	rng_seed(&t->rng, seed, stream);
	t->way = calloc((size_t)entries + 1, sizeof(*t->way));
	t->plru = calloc((size_t)t->sets * t->plru_words, sizeof(*t->plru));
	if (!t->way || !t->plru) {
		tlb_destroy(t);
		return sim_errf(err, errlen, SIM_ENOMEM, "%s: out of memory", name);
	}
	*out = t;
	return 0;
}

void tlb_destroy(tlb_t *t)
{
	if (!t)
		return;
	free(t->way);
	free(t->plru);
	free(t);
}

const char *tlb_name(const tlb_t *t) { return t->name; }
uint32_t tlb_entries(const tlb_t *t) { return t->entries; }
uint32_t tlb_ways(const tlb_t *t) { return t->ways; }
uint32_t tlb_sets(const tlb_t *t) { return t->sets; }

/*
 * Tree PLRU over ways [0, n): node k splits its range [lo, hi) at
 * mid = lo + ceil((hi - lo) / 2); its bit set means "the victim is on the
 * right".  A touch points every node on the path away from the way.
 */
static inline bool bit_get(const uint64_t *b, unsigned k)
{
	return b[k >> 6] >> (k & 63) & 1;
}

static inline void bit_put(uint64_t *b, unsigned k, bool v)
{
	if (v)
		b[k >> 6] |= 1ULL << (k & 63);
	else
		b[k >> 6] &= ~(1ULL << (k & 63));
}

static void plru_touch(uint64_t *b, uint32_t n, uint32_t w)
{
	uint32_t lo = 0, hi = n;
	unsigned k = 0;

	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo + 1) / 2;
		if (w < mid) {
			bit_put(b, k, true);
			k = 2 * k + 1;
			hi = mid;
		} else {
			bit_put(b, k, false);
			k = 2 * k + 2;
			lo = mid;
		}
	}
}

static uint32_t plru_victim(const uint64_t *b, uint32_t n)
{
	uint32_t lo = 0, hi = n;
	unsigned k = 0;

	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo + 1) / 2;
		if (bit_get(b, k)) {
			k = 2 * k + 2;
			lo = mid;
		} else {
			k = 2 * k + 1;
			hi = mid;
		}
	}
	return lo;
}

/* A hit (or a re-install of a present page). */
static TLB_ALWAYS_INLINE void touch_hit(tlb_t *t, uint64_t set, uint32_t w)
{
	struct tlb_way *e = &t->way[set * t->ways + w];

	switch (t->repl) {
	case REPL_LRU:
		e->stamp = ++t->clock;
		break;
	case REPL_PLRU:
		plru_touch(&t->plru[set * t->plru_words], t->ways, w);
		break;
	case REPL_SRRIP:
		e->rrpv = 0;
		break;
	default:
		break;
	}
}

static void touch_fill(tlb_t *t, uint64_t set, uint32_t w)
{
	if (t->repl == REPL_SRRIP)
		t->way[set * t->ways + w].rrpv = SRRIP_INSERT;
	else
		touch_hit(t, set, w);
}

static uint32_t pick_victim(tlb_t *t, uint64_t set)
{
	struct tlb_way *s = &t->way[set * t->ways];
	uint32_t v = 0;

	for (uint32_t i = 0; i < t->ways; i++)
		if (!s[i].ctx)
			return i;
	switch (t->repl) {
	case REPL_LRU:
		for (uint32_t i = 1; i < t->ways; i++)
			if (s[i].stamp < s[v].stamp)
				v = i;
		return v;
	case REPL_PLRU:
		return plru_victim(&t->plru[set * t->plru_words], t->ways);
	case REPL_SRRIP: {
		uint32_t max = 0;
		for (uint32_t i = 0; i < t->ways; i++) {
			if (s[i].rrpv >= SRRIP_MAX)
				return i;
			if (s[i].rrpv > max) {
				max = s[i].rrpv;
				v = i;
			}
		}
		/* age the set until the oldest reaches SRRIP_MAX: the first such way is v */
		for (uint32_t i = 0; i < t->ways; i++)
			s[i].rrpv += SRRIP_MAX - max;
		return v;
	}
	default:
		return (uint32_t)rng_below(&t->rng, t->ways);
	}
}

bool tlb_lookup_scan(tlb_t *t, uint64_t vpn, uint32_t ctx, unsigned shift, uint64_t *data)
{
	/* no entry of this page size was ever installed: skip the set scan (the
	   common case for 2M/1G probes of a process that uses only 4K pages) */
	if (!(t->shifts & (1ULL << shift))) {
		t->stat[TLB_MISSES]++;
		return false;
	}
	uint64_t set = set_of(t, vpn);
	struct tlb_way *e = &t->way[set * t->ways];
	for (uint32_t i = 0; i < t->ways; i++) {
		if (e[i].vpn == vpn && e[i].ctx == ctx) {
			t->stat[TLB_HITS]++;
			touch_hit(t, set, i);
			t->last = (uint32_t)(set * t->ways + i);
			*data = e[i].data;
			return true;
		}
	}
	t->stat[TLB_MISSES]++;
	return false;
}

static struct tlb_way *find(const tlb_t *t, uint16_t asid, uint64_t vaddr, unsigned shift, uint64_t *set_out,
			    uint32_t *way_out)
{
	uint64_t vpn = vaddr >> shift;
	uint32_t ctx = tlb_ctx(asid, shift);
	uint64_t set = set_of(t, vpn);
	struct tlb_way *e = &t->way[set * t->ways];

	for (uint32_t i = 0; i < t->ways; i++) {
		if (e[i].vpn == vpn && e[i].ctx == ctx) {
			if (set_out)
				*set_out = set;
			if (way_out)
				*way_out = i;
			return &e[i];
		}
	}
	return NULL;
}

bool tlb_probe(const tlb_t *t, uint16_t asid, uint64_t vaddr, unsigned shift, uint64_t *data)
{
	struct tlb_way *e = find(t, asid, vaddr, shift, NULL, NULL);

	if (e && data)
		*data = e->data;
	return e != NULL;
}

bool tlb_insert(tlb_t *t, uint16_t asid, uint64_t vaddr, unsigned shift, uint64_t data, struct tlb_key *evicted)
{
	uint64_t set = set_of(t, vaddr >> shift);
	uint32_t w;
	struct tlb_way *e;

	t->last = t->entries;
	if (likely(t->repl == REPL_LRU)) {
		/*
		 * One pass over the set gives what find() then pick_victim()
		 * would: the page's entry if present, else the first empty way,
		 * else the least recently used.
		 */
		const uint64_t vpn = vaddr >> shift;
		const uint32_t ctx = tlb_ctx(asid, shift);
		struct tlb_way *s = &t->way[set * t->ways];
		uint32_t empty = t->ways, lru = 0;
		for (uint32_t i = 0; i < t->ways; i++) {
			if (s[i].vpn == vpn && s[i].ctx == ctx) {
				s[i].data = data;
				touch_hit(t, set, i);
				return false;
			}
			if (!s[i].ctx) {
				if (empty == t->ways)
					empty = i;
			} else if (s[i].stamp < s[lru].stamp) {
				lru = i;
			}
		}
		w = empty < t->ways ? empty : lru;
	} else {
		e = (t->shifts & (1ULL << shift)) ? find(t, asid, vaddr, shift, &set, &w) : NULL;
		if (e) {
			e->data = data;
			touch_hit(t, set, w);
			return false;
		}
		w = pick_victim(t, set);
	}
	e = &t->way[set * t->ways + w];
	bool was_valid = e->ctx != 0;
	if (was_valid) {
		t->stat[TLB_EVICTIONS]++;
		if (evicted) {
			evicted->vpn = e->vpn;
			evicted->asid = ctx_asid(e->ctx);
			evicted->shift = (uint8_t)ctx_shift(e->ctx);
		}
	}
	e->vpn = vaddr >> shift;
	e->ctx = tlb_ctx(asid, shift);
	e->data = data;
	touch_fill(t, set, w);
	t->stat[TLB_FILLS]++;
	t->shifts |= 1ULL << shift;
	return was_valid;
}

bool tlb_set_bits(tlb_t *t, uint16_t asid, uint64_t vaddr, unsigned shift, uint64_t bits)
{
	struct tlb_way *e = find(t, asid, vaddr, shift, NULL, NULL);

	if (e)
		e->data |= bits;
	return e != NULL;
}

static inline void drop(tlb_t *t, struct tlb_way *e)
{
	e->ctx = 0;
	t->stat[TLB_INVALIDATED]++;
}

unsigned tlb_invalidate(tlb_t *t, uint16_t asid, uint64_t vaddr, uint64_t len)
{
	uint64_t before = t->stat[TLB_INVALIDATED];
	uint64_t first[64], lastp[64];
	uint64_t scan_shifts = 0;

	t->last = t->entries;
	if (!len) {
		for (uint32_t i = 0; i < t->entries; i++)
			if (t->way[i].ctx && ctx_asid(t->way[i].ctx) == asid)
				drop(t, &t->way[i]);
		return (unsigned)(t->stat[TLB_INVALIDATED] - before);
	}
	/* last byte of the range, saturating at the top of the address space */
	uint64_t last_byte = len - 1 > UINT64_MAX - vaddr ? UINT64_MAX : vaddr + (len - 1);

	for (unsigned s = 0; s < 64; s++) {
		if (!(t->shifts >> s & 1))
			continue;
		first[s] = vaddr >> s;
		lastp[s] = last_byte >> s;
		if (lastp[s] - first[s] >= t->sets) {
			scan_shifts |= 1ULL << s;
			continue;
		}
		for (uint64_t p = first[s];; p++) {
			struct tlb_way *e = find(t, asid, p << s, s, NULL, NULL);
			if (e)
				drop(t, e);
			if (p == lastp[s])
				break;
		}
	}
	if (scan_shifts) {
		for (uint32_t i = 0; i < t->entries; i++) {
			struct tlb_way *e = &t->way[i];
			unsigned s = ctx_shift(e->ctx);
			if (e->ctx && ctx_asid(e->ctx) == asid && (scan_shifts >> s & 1) && e->vpn >= first[s] &&
			    e->vpn <= lastp[s])
				drop(t, e);
		}
	}
	return (unsigned)(t->stat[TLB_INVALIDATED] - before);
}

unsigned tlb_flush(tlb_t *t)
{
	unsigned n = 0;

	for (uint32_t i = 0; i < t->entries; i++) {
		if (t->way[i].ctx) {
			drop(t, &t->way[i]);
			n++;
		}
		t->way[i].stamp = 0;
		t->way[i].rrpv = 0;
	}
	memset(t->plru, 0, (size_t)t->sets * t->plru_words * sizeof(*t->plru));
	t->last = t->entries;
	t->shifts = 0;
	return n;
}

bool tlb_access_cg(tlb_t *t, uint64_t vaddr, uint32_t size)
{
	uint64_t page = 1ULL << t->shift, data;
	uint64_t sz = size ? SIM_MIN((uint64_t)size, page) : 1;
	uint64_t last_byte = sz - 1 > UINT64_MAX - vaddr ? UINT64_MAX : vaddr + (sz - 1);
	bool miss = false;

	if (!tlb_lookup(t, 0, vaddr, t->shift, &data)) {
		tlb_insert(t, 0, vaddr, t->shift, 0, NULL);
		miss = true;
	}
	if (last_byte >> t->shift != vaddr >> t->shift && !tlb_lookup(t, 0, last_byte, t->shift, &data)) {
		tlb_insert(t, 0, last_byte, t->shift, 0, NULL);
		miss = true;
	}
	t->stat[TLB_CG_ACCESSES]++;
	t->stat[TLB_CG_MISSES] += miss;
	return miss;
}

void tlb_stats(const tlb_t *t, struct stat_block *sb)
{
	sb->desc = tlb_stat_desc;
	sb->val = t->stat;
	sb->n = NR_TLB_STATS;
}

uint64_t tlb_stat(const tlb_t *t, enum tlb_stat s)
{
	return t->stat[s];
}
