/*
 * hw/tlb.h - one set-associative array of translations: a TLB level or a
 * page-walk cache.
 *
 * An entry is keyed by (asid, page shift, virtual page number) and carries
 * one 64-bit payload the owner defines (hw/mmu.c stores the page's physical
 * base and permission bits; a page-walk cache stores the next table's
 * address).  One array may hold several page sizes (the unified STLB holds
 * 4 KiB and 2 MiB entries): each size is indexed by its own page number, so
 * a lookup names the size it probes.
 *
 * Geometry: `entries` split into entries/ways sets; entries == ways is fully
 * associative.  The set of a page is vpn & (sets - 1) for a power-of-two set
 * count (exactly cachegrind's indexing, so a 4 KiB array behaves like a
 * cachegrind cache with 4096-byte lines), vpn % sets otherwise.
 *
 * Replacement (enum repl_policy): an invalid way is always filled first
 * (lowest index); otherwise LRU evicts the least recently used way, PLRU
 * follows a binary tree of "go the other way" bits (the classic tree PLRU
 * for power-of-two ways, the same tree with an uneven split otherwise),
 * SRRIP is 2-bit RRIP with hit promotion (insert at 2, hit sets 0, evict the
 * first way at 3 after ageing), RANDOM draws the way from sim/rng.
 *
 * Lookups, inserts and invalidations never allocate; sizes are fixed at
 * creation.
 */
#ifndef HW_TLB_H
#define HW_TLB_H

#include "sim/types.h"
#include "sim/stats.h"
#include "sim/rng.h"

typedef struct tlb tlb_t;

/* The key of an entry, as returned for an eviction. */
struct tlb_key {
	uint64_t vpn;     /* vaddr >> shift */
	uint16_t asid;
	uint8_t shift;
};

/*
 * Make an array of `entries` translations in sets of `ways`, whose default
 * page size is 1 << shift (used by tlb_access_cg).  `repl` is an enum
 * repl_policy; `seed` and `stream` seed its private random stream (only the
 * RANDOM policy draws from it).  `name` (a static string) is the report key.
 * @return 0, -SIM_ECONFIG (entries or ways zero, ways not dividing entries,
 * bad shift or policy; message in err) or -SIM_ENOMEM.
 */
int tlb_create(tlb_t **out, const char *name, uint32_t entries, uint32_t ways, unsigned shift, uint32_t repl,
	       uint64_t seed, uint64_t stream, char *err, size_t errlen);
void tlb_destroy(tlb_t *t);

const char *tlb_name(const tlb_t *t);
uint32_t tlb_entries(const tlb_t *t);
uint32_t tlb_ways(const tlb_t *t);
uint32_t tlb_sets(const tlb_t *t);

/* Like tlb_lookup without touching replacement state or counters. */
bool tlb_probe(const tlb_t *t, uint16_t asid, uint64_t vaddr, unsigned shift, uint64_t *data);

/*
 * Install a translation (as after a miss).  If the page is already present
 * its payload is replaced and it becomes most recently used; otherwise it
 * takes an invalid way or evicts one chosen by the policy.  @return true if
 * a valid entry was evicted, described in *evicted when non-NULL.
 */
bool tlb_insert(tlb_t *t, uint16_t asid, uint64_t vaddr, unsigned shift, uint64_t data,
		struct tlb_key *evicted);

/* OR `bits` into the payload of a present entry; no replacement update.  @return whether present. */
bool tlb_set_bits(tlb_t *t, uint16_t asid, uint64_t vaddr, unsigned shift, uint64_t bits);

/*
 * Drop every entry of `asid` (any size) whose page overlaps [vaddr,
 * vaddr + len); len == 0 drops all of asid.  A range is probed page by page
 * when it spans fewer pages than there are sets, else the array is scanned.
 * @return the number of entries dropped.
 */
unsigned tlb_invalidate(tlb_t *t, uint16_t asid, uint64_t vaddr, uint64_t len);
/* Drop everything.  @return entries dropped. */
unsigned tlb_flush(tlb_t *t);

/*
 * One reference as cachegrind counts a cache access, with the array's
 * default page size as the "line" and asid 0: a reference within one page
 * is one lookup; one straddling two pages looks up both (each becomes most
 * recent, a missing one is installed with payload 0) and is ONE access, a
 * miss if either page missed.  size is clamped to [1, page size] as
 * cachegrind clamps data sizes to its line size.  Counts cg_accesses and
 * cg_misses besides the per-lookup counters.  @return whether it missed.
 */
bool tlb_access_cg(tlb_t *t, uint64_t vaddr, uint32_t size);

#define TLB_STATS(X)                                                                                  \
	X(TLB_LOOKUPS,      lookups,      EVENT, "lookups", "probes of one page size in this array")  \
	X(TLB_HITS,         hits,         EVENT, "lookups", "probes that found the page")             \
	X(TLB_MISSES,       misses,       EVENT, "lookups", "probes that did not")                   \
	X(TLB_FILLS,        fills,        EVENT, "entries", "translations installed")                \
	X(TLB_EVICTIONS,    evictions,    EVENT, "entries", "valid entries replaced by a fill")      \
	X(TLB_INVALIDATED,  invalidated,  EVENT, "entries", "entries dropped by invalidation")        \
	X(TLB_CG_ACCESSES,  cg_accesses,  EVENT, "refs",    "references run through tlb_access_cg")  \
	X(TLB_CG_MISSES,    cg_misses,    EVENT, "refs",    "of those, references with a missing page")

enum tlb_stat { TLB_STATS(STAT_ENUM) NR_TLB_STATS };

/*
 * The array's state.  Private to hw/tlb.c except for the inline lookup
 * below, which every memory reference runs (its common case, the page of
 * the previous hit, is compiled into the MMU's translation).
 */
#define TLB_CTX_VALID   (1u << 31)

struct tlb_way {
	uint64_t vpn;
	uint64_t data;
	uint32_t ctx;     /* TLB_CTX_VALID | shift << 16 | asid; 0 when invalid */
	uint32_t rrpv;    /* SRRIP re-reference prediction value */
	uint64_t stamp;   /* LRU: clock value of the last touch */
};

struct tlb {
	const char *name;
	uint32_t entries, ways, sets;
	uint64_t set_mask;        /* sets - 1 when sets is a power of two */
	bool sets_pow2;
	unsigned shift;           /* default page shift (tlb_access_cg) */
	uint32_t repl;            /* enum repl_policy */
	uint32_t plru_words;      /* 64-bit words of tree bits per set */
	uint32_t last;            /* way index of the last hit; `entries` (a dummy never valid) if none */
	uint64_t clock;
	uint64_t shifts;          /* bit s set once an entry of shift s was installed */
	struct rng rng;
	uint64_t *plru;
	struct tlb_way *way;      /* sets * ways, plus the dummy */
	uint64_t stat[NR_TLB_STATS];
};

static inline uint32_t tlb_ctx(uint16_t asid, unsigned shift)
{
	return TLB_CTX_VALID | (uint32_t)shift << 16 | asid;
}

/* The set scan of tlb_lookup (after the last-hit check missed); counts the hit or miss. */
bool tlb_lookup_scan(tlb_t *t, uint64_t vpn, uint32_t ctx, unsigned shift, uint64_t *data);

/*
 * Find the translation of vaddr's page of size 1 << shift in `asid`.  A hit
 * makes the entry most recently used and copies its payload to *data.
 * Counts a lookup and a hit or miss.  @return whether it hit.
 */
static inline bool tlb_lookup(tlb_t *t, uint16_t asid, uint64_t vaddr, unsigned shift, uint64_t *data)
{
	uint64_t vpn = vaddr >> shift;
	uint32_t ctx = tlb_ctx(asid, shift);
	const struct tlb_way *e = &t->way[t->last];

	t->stat[TLB_LOOKUPS]++;
	if (e->vpn == vpn && e->ctx == ctx) {
		t->stat[TLB_HITS]++;
		*data = e->data;
		return true;
	}
	return tlb_lookup_scan(t, vpn, ctx, shift, data);
}


/* The array's counters, in table order. */
void tlb_stats(const tlb_t *t, struct stat_block *sb);
uint64_t tlb_stat(const tlb_t *t, enum tlb_stat s);

#endif
