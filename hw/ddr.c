/*
 * hw/ddr.c - one node's DDR controller: banks, row buffers, data buses.
 *
 * The controller serves reads first-come first-served in call order.  A
 * request is a 64-byte line; it reaches the command scheduler `frontend` ps
 * after it is issued.  Its bank must be free (`ready`), its rank must not
 * be refreshing, and then, from the start time S:
 *
 *   row hit        CAS at S
 *   row closed     ACT at S, CAS at S + tRCD
 *   row conflict   PRE at max(S, last ACT + tRAS), ACT tRP later, CAS tRCD later
 *
 * CAS is further held back by tCCD_L after the previous CAS to the same bank
 * group, and until the channel's data bus has a free burst slot tCL after
 * it.  The burst then occupies the bus for burst/2 nCK (DDR: two beats per
 * clock) and the data is complete at its end.  The bus is booked through
 * sim/resv.h, so a request whose bank is ready can use a gap left before a
 * request still waiting for its bank: the reordering an FR-FCFS scheduler
 * does, without which one busy bank would stall the whole channel.  With
 * the open-page policy the row stays
 * open and the bank can take its next column command at this CAS; with the
 * closed-page policy the bank auto-precharges as soon as tRAS allows and is
 * ready tRP later, so every access finds the row closed.
 *
 * Writes are posted into a per-channel write queue of `write_queue`
 * entries and leave it in batches, as controllers do to serve reads first
 * and pay the bus turnaround once per batch rather than once per write.
 * The queue works in simulated time, not call order: calls come in the
 * engine's resolve order, and a write may be posted long before it arrives
 * (a victim evicted when its fill completes, kernel zeroing booked at the
 * end of a long per-CPU refill or of a 2 MiB fault).  So the writes not
 * yet drained are kept by arrival time, and the drains are those of a
 * replay in arrival order:
 *
 *   - drain k takes pending writes [k*n, (k+1)*n) by arrival, n = wq_high -
 *     wq_low, and is triggered by the arrival of pending write
 *     k*n + wq_high - 1: the moment wq_high writes had arrived and were
 *     pending.  It starts at the latest of that trigger, the times its
 *     writes took their entries, and the departures (as booked) of the
 *     writes write_queue places before each of them in drain order: their
 *     room in the queue (see "reads first" below);
 *   - it is one block on the bus calendar, at the earliest gap at or after
 *     CWL (taken equal to CL) past its start:
 *
 *       tRTW (read -> write bus gap) + n bursts + tWTR + tCL (write -> read:
 *       the next read's CAS waits tWTR after the last write data, its data
 *       comes tCL later)
 *
 *   - a write arriving at A takes an entry at A if fewer than write_queue
 *     writes that arrived before it are still in the queue at A (pending,
 *     or in a drain triggered by A with their burst not yet ended); else it
 *     waits until enough of the drained ones have left.
 *
 * A write posted later but arriving earlier moves the drains after it
 * (their writes, their triggers), so a drain is not booked when the
 * watermark is counted but when a read (a copy's too) arriving at or after
 * its start is resolved: the read waits for it.  A read arriving before it
 * goes first and the drain takes the next gap (reads first).  Drains are
 * booked in order.  The horizon (ddr_set_horizon) books those started
 * before it when a write is posted: every read resolved later would have
 * booked them first, so this changes no result and keeps the pending writes
 * few on a channel that only copies read from, or nothing.  A write
 * that needs the departures of drains not yet booked, to know when it gets
 * an entry, estimates them (wq_estimate: where they would go if booked
 * now) without booking them: a write posted far ahead must not settle
 * present drains.  Reads that pass such a drain later delay its writes'
 * departures but not the entries those writes were given, so a write burst
 * that fills the bus (kernel zeroing) is not slowed by the reads that pass
 * it; the drains behind still wait for the room those departures make, so
 * the lag does not pile up in front of later reads.  A write that arrived
 * after a drain was booked takes a later one.  All of this depends only on
 * the calls and their times (tests/hw/test_ddr.c, ddr_horizon_independent).
 *
 * Reads booked later in call order still use earlier gaps, and reads never
 * wait for a bank a queued write is using: write bursts are taken to be
 * spread over the banks by the controller's write scheduling, so a drain is
 * bus-bound, and the bank state (open row, ready time) is the demand reads'
 * alone.  A bulk copy's source reads (ddr_read_stream) are bus-bound the
 * same way: a copy is booked at once, up to hundreds of microseconds ahead,
 * and the banks' single "next free" times would otherwise hold back every
 * read that reaches those banks before the copy's last line.
 * ddr_write() returns `frontend` plus the time the write waited for an
 * entry, and that wait alone through *wait.  Each drain counts two
 * turnarounds, also when two drains touch (a simplification: a pure write
 * stream pays them too, so it reaches at most
 * n*tBL / (n*tBL + tRTW + tWTR + tCL) of the bus).  A write's bytes and bus
 * time are counted when it is accepted: every accepted write crosses the
 * bus once, and a run's end (when writes below the watermark are still
 * pending) is no moment of the controller's.  Drained writes are forgotten
 * once the horizon (ddr_set_horizon) passes their departure, and the bus
 * forgets bookings before the horizon but not those a pending drain may
 * still have to go around: nothing can arrive before them any more, so
 * this changes no result.
 *
 * Refresh (tREFI > 0): rank r is refreshed during [r*tREFI/ranks + k*tREFI,
 * + tRFC) for k >= 1, computed from the time alone (no events).  A request
 * whose start falls inside a window waits for its end; a row opened before
 * the latest window start is found closed, because refresh precharges all
 * banks.  Refresh is only checked when a request starts.
 *
 * Address mapping works on the line index L = (paddr - base) / 64 as a
 * mixed-radix number, lowest field first ("%" and "/" by each field's
 * count, which for powers of two is plain bit slicing; channel counts need
 * not be powers of two, as on 3- and 6-channel Intel sockets).  The bank
 * field is the bank group in its low part and the bank within the group in
 * its high part, so neighbouring bank numbers sit in different bank groups
 * (no tCCD_L penalty between them).  With C channels, K = row_size/64 lines
 * per row, R ranks, G bank groups, B banks per group, from low to high:
 *
 *   ro_ba_ra_co_ch   channel(C) column(K) rank(R) bankgroup(G) bank(B) row
 *                    consecutive lines rotate over the channels; a stream
 *                    stays in one row per channel for C*K lines
 *   ro_ra_ba_ch_co   column(K) channel(C) bankgroup(G) bank(B) rank(R) row
 *                    a whole row (row_size bytes, e.g. 8 KiB = two 4 KiB
 *                    pages) in one channel; consecutive rows rotate over
 *                    the channels
 *   ro_co_ba_ra_ch   channel(C) rank(R) bankgroup(G) bank(B) column(K) row
 *                    consecutive lines rotate over channels, then ranks and
 *                    banks: maximum parallelism, few row hits for streams
 *
 * With `hash` the fields above are then permuted by the row, as memory
 * controllers do so that streams whose starts are aligned to a large power
 * of two (every thread's slice of a buffer) do not all use the same bank:
 *   bankgroup ^= row % G;   bank ^= (row / G) % B;   channel = (channel + row) % C
 * For a fixed row each is a permutation, so the mapping stays one-to-one.
 *
 * Hot path: ddr_access() allocates only when a write queue outgrows its
 * largest size so far (its rings start at write_queue entries and double).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hw/ddr.h"
#include "sim/resv.h"
#include "sim/err.h"

#define DDR_LINE 64u

#define DDR_STATS(X)                                                                                 \
	X(DDR_READS, reads, EVENT, "requests", "line reads")                                          \
	X(DDR_WRITES, writes, EVENT, "requests", "line writes accepted into the write queue")         \
	X(DDR_ROW_HITS, row_hits, EVENT, "reads", "found their row open")                             \
	X(DDR_ROW_MISSES, row_misses, EVENT, "reads", "found the bank precharged (row closed)")      \
	X(DDR_ROW_CONFLICTS, row_conflicts, EVENT, "reads", "found another row open")                 \
	X(DDR_BYTES, bytes, EVENT, "bytes", "bytes moved on the data bus")                            \
	X(DDR_BUSY, busy_ns, EVENT, "ps", "time the data bus carried bursts")                         \
	X(DDR_QUEUE, queue_delay_ns, EVENT, "ps", "read time beyond the unloaded timing of each outcome") \
	X(DDR_QUEUE_MAX, queue_delay_max_ns, GAUGE, "ps", "longest such delay of one read")             \
	X(DDR_REFRESH_STALLS, refresh_stalls, EVENT, "requests", "requests that waited for a refresh") \
	X(DDR_REFRESH_DELAY, refresh_delay_ns, EVENT, "ps", "time requests waited for refreshes")       \
	X(DDR_WQ_DRAINS, write_drains, EVENT, "batches", "write-queue drains (write bursts in a batch)")  \
	X(DDR_TURNAROUNDS, turnarounds, EVENT, "switches", "read<->write bus turnarounds paid")          \
	X(DDR_WQ_STALLS, write_queue_full, EVENT, "requests", "writes that found the write queue full") \
	X(DDR_WQ_DELAY, write_queue_full_ns, EVENT, "ps", "time those writes waited for an entry")

enum ddr_stat { DDR_STATS(STAT_ENUM) NR_DDR_STATS };
static const struct stat_desc ddr_stat_desc[] = { DDR_STATS(STAT_DESC) };
STAT_TABLE_CHECK(ddr_stat_desc, NR_DDR_STATS);

struct ddr_bank {
	uint64_t row;             /* open row, meaningful when open */
	sim_time_t ready;         /* earliest start of the next request's commands */
	sim_time_t act;           /* time of the latest ACT */
	bool open;
};


/* A write in the queue: when it arrived and, pending, when it took its entry, or, drained, when it left. */
struct wq_ent {
	sim_time_t arr, t;
};

/* A growable ring, oldest first; capacity mask + 1, a power of two. */
struct wq_ring {
	struct wq_ent *e;
	uint32_t head, n, mask;
};

struct ddr_channel {
	struct resv bus;                  /* data-bus bursts booked (gap-filling, sim/resv.h) */
	sim_time_t hz;                    /* the bus's horizon: the driver's, held back for unbooked drains */
	struct wq_ring pend;              /* writes not yet in a booked drain, by arrival */
	struct wq_ring left;              /* drained writes that may not have left yet, by departure */
	struct wq_ring vleft;             /* the estimated drains' writes, by departure (wq_estimate) */
	sim_time_t *est_iv;               /* [est_k]: each estimated drain's block start */
	uint32_t est_k, est_cap;
	sim_time_t *seq_dep;              /* departures of the latest write_queue drained writes, in drain order */
	uint32_t seq_mask;
	uint64_t drained;                 /* writes booked in drains so far */
	sim_time_t left_max_arr;          /* >= the latest arrival in `left` (reset when it empties) */
	uint64_t stat[NR_DDR_STATS];
};

/* The fields of an address below the row, and each mapping's order of them, lowest first (header comment). */
enum map_field { F_CHANNEL, F_COLUMN, F_RANK, F_BANKGROUP, F_BANK };
static const uint8_t map_order[NR_DDR_MAP][5] = {
	[DDR_MAP_RO_BA_RA_CO_CH] = { F_CHANNEL, F_COLUMN, F_RANK, F_BANKGROUP, F_BANK },
	[DDR_MAP_RO_RA_BA_CH_CO] = { F_COLUMN, F_CHANNEL, F_BANKGROUP, F_BANK, F_RANK },
	[DDR_MAP_RO_CO_BA_RA_CH] = { F_CHANNEL, F_RANK, F_BANKGROUP, F_BANK, F_COLUMN },
};

struct ddr {
	struct ddr_cfg cfg;
	unsigned node;
	uint64_t base;
	/* timings in ps */
	sim_time_t tCL, tRCD, tRP, tRAS, tCCD_L, tRFC, tBL, tREFI, frontend, tWTR, tRTW;
	sim_time_t refresh_stagger;
	uint32_t cols;            /* lines per row */
	sim_time_t *ref_win;      /* [rank]: start of the refresh window last found (0: none) */
	uint32_t radix[5];        /* the count of each field of the address, by enum map_field */
	uint64_t magic[5];        /* take()'s magic of each */
	struct ddr_bank *banks;   /* [channel][rank][bankgroup][bank] */
	sim_time_t *cas_ok;       /* [channel][rank][bankgroup]: earliest next CAS (tCCD_L) */
	struct ddr_channel *ch;
	const sim_time_t *horizon;        /* the driver's (ddr_set_horizon); NULL: keep everything */
};

/* The magic of take() (below) for base n (unused for powers of two). */
static uint64_t take_magic(uint32_t n)
{
	return n & (n - 1) ? UINT64_MAX / n + 1 : 0;
}

int ddr_create(ddr_t **out, const struct ddr_cfg *cfg, unsigned node, uint64_t base, char *err, size_t errlen)
{
	ddr_t *d;
	size_t nr_groups, nr_banks;

	*out = NULL;
	if (!cfg->channels || !cfg->ranks || !cfg->bankgroups || !cfg->banks)
		return sim_errf(err, errlen, SIM_ECONFIG,
				"nodes[%u].ddr: channels, ranks, bankgroups and banks must be at least 1", node);
	if (!cfg->tCK)
		return sim_errf(err, errlen, SIM_ECONFIG, "nodes[%u].ddr.tCK: must be positive", node);
	if ((uint64_t)cfg->bus_bytes * cfg->burst != DDR_LINE)
		return sim_errf(err, errlen, SIM_ECONFIG,
				"nodes[%u].ddr.burst: a %u-byte line must be exactly one burst, but bus_bytes*burst = %u*%u",
				node, DDR_LINE, cfg->bus_bytes, cfg->burst);
	if (cfg->row_size < DDR_LINE || cfg->row_size % DDR_LINE)
		return sim_errf(err, errlen, SIM_ECONFIG, "nodes[%u].ddr.row_size: must be a multiple of %u bytes",
				node, DDR_LINE);
	if (cfg->tRAS < cfg->tRCD)
		return sim_errf(err, errlen, SIM_ECONFIG, "nodes[%u].ddr.tRAS: %u is shorter than tRCD %u", node,
				cfg->tRAS, cfg->tRCD);
	if (cfg->tREFI && (uint64_t)cfg->tRFC * cfg->tCK >= cfg->tREFI)
		return sim_errf(err, errlen, SIM_ECONFIG,
				"nodes[%u].ddr.tRFC: %u nCK is not shorter than tREFI (%llu ps)", node, cfg->tRFC,
				(unsigned long long)cfg->tREFI);
	if (cfg->hash && (!is_pow2_u64(cfg->bankgroups) || !is_pow2_u64(cfg->banks)))
		return sim_errf(err, errlen, SIM_ECONFIG, "nodes[%u].ddr.hash: needs power-of-two bankgroups and banks", node);
	if (cfg->wq_low >= cfg->wq_high || cfg->wq_high > cfg->write_queue)
		return sim_errf(err, errlen, SIM_ECONFIG, "nodes[%u].ddr: need wq_low < wq_high <= write_queue, got %u, %u, %u",
				node, cfg->wq_low, cfg->wq_high, cfg->write_queue);
	if (cfg->mapping >= NR_DDR_MAP || cfg->page_policy >= NR_DDR_PAGE)
		return sim_errf(err, errlen, SIM_ECONFIG, "nodes[%u].ddr: unknown mapping or page policy", node);

	d = calloc(1, sizeof(*d));
	if (!d)
		return -SIM_ENOMEM;
	d->cfg = *cfg;
	d->node = node;
	d->base = base;
	d->tCL = (sim_time_t)cfg->tCL * cfg->tCK;
	d->tRCD = (sim_time_t)cfg->tRCD * cfg->tCK;
	d->tRP = (sim_time_t)cfg->tRP * cfg->tCK;
	d->tRAS = (sim_time_t)cfg->tRAS * cfg->tCK;
	d->tCCD_L = (sim_time_t)cfg->tCCD_L * cfg->tCK;
	d->tRFC = (sim_time_t)cfg->tRFC * cfg->tCK;
	d->tBL = (sim_time_t)cfg->burst * cfg->tCK / 2;
	d->tREFI = cfg->tREFI;
	d->frontend = cfg->frontend;
	d->tWTR = cfg->tWTR;
	d->tRTW = (sim_time_t)cfg->tRTW * cfg->tCK;
	d->refresh_stagger = cfg->tREFI / cfg->ranks;
	d->cols = (uint32_t)(cfg->row_size / DDR_LINE);
	d->radix[F_CHANNEL] = cfg->channels;
	d->radix[F_COLUMN] = d->cols;
	d->radix[F_RANK] = cfg->ranks;
	d->radix[F_BANKGROUP] = cfg->bankgroups;
	d->radix[F_BANK] = cfg->banks;
	for (unsigned f = 0; f < 5; f++)
		d->magic[f] = take_magic(d->radix[f]);

	nr_groups = (size_t)cfg->channels * cfg->ranks * cfg->bankgroups;
	nr_banks = nr_groups * cfg->banks;
	d->banks = calloc(nr_banks, sizeof(*d->banks));
	d->cas_ok = calloc(nr_groups, sizeof(*d->cas_ok));
	d->ch = calloc(cfg->channels, sizeof(*d->ch));
	d->ref_win = calloc(cfg->ranks, sizeof(*d->ref_win));
	if (!d->banks || !d->cas_ok || !d->ch || !d->ref_win) {
		ddr_destroy(d);
		return -SIM_ENOMEM;
	}
	for (unsigned i = 0; i < cfg->channels; i++) {
		/* room for a full queue each; they grow (doubling) only past that */
		uint32_t cap = 1u << ilog2_u64(2 * (uint64_t)cfg->write_queue - 1);
		d->ch[i].pend = (struct wq_ring){ .e = malloc(cap * sizeof(struct wq_ent)), .mask = cap - 1 };
		d->ch[i].left = (struct wq_ring){ .e = malloc(cap * sizeof(struct wq_ent)), .mask = cap - 1 };
		d->ch[i].vleft = (struct wq_ring){ .e = malloc(cap * sizeof(struct wq_ent)), .mask = cap - 1 };
		d->ch[i].seq_dep = malloc(cap * sizeof(sim_time_t));
		d->ch[i].seq_mask = cap - 1;
		if (!d->ch[i].pend.e || !d->ch[i].left.e || !d->ch[i].vleft.e || !d->ch[i].seq_dep) {
			ddr_destroy(d);
			return -SIM_ENOMEM;
		}
	}
	*out = d;
	return 0;
}

void ddr_set_horizon(ddr_t *d, const sim_time_t *horizon)
{
	d->horizon = horizon;
	for (unsigned c = 0; c < d->cfg.channels; c++)
		d->ch[c].bus.horizon = horizon ? &d->ch[c].hz : NULL;
}

void ddr_destroy(ddr_t *d)
{
	if (!d)
		return;
	if (d->ch)
		for (unsigned c = 0; c < d->cfg.channels; c++) {
			resv_destroy(&d->ch[c].bus);
			free(d->ch[c].pend.e);
			free(d->ch[c].left.e);
			free(d->ch[c].vleft.e);
			free(d->ch[c].est_iv);
			free(d->ch[c].seq_dep);
		}
	free(d->ref_win);
	free(d->banks);
	free(d->cas_ok);
	free(d->ch);
	free(d);
}

/*
 * Lowest mixed-radix digit of *x in base n; *x keeps the rest.  Every access
 * maps its address, so no radix divides in 64 bits while the line index
 * fits in 32 (below 256 GiB per node): powers of two take a mask and a
 * shift; other bases (3 or 6 channels) multiply by magic = 2^64 / n rounded
 * up and keep the high half, which is the exact quotient for every 32-bit
 * dividend (Lemire, Kaser, Kurz, "Faster Remainder by Direct Computation",
 * Software: Practice and Experience 2019).
 */
static inline uint32_t take(uint64_t *x, uint32_t n, uint64_t magic)
{
	uint32_t v, y;

	if (!(n & (n - 1))) {
		v = (uint32_t)(*x & (n - 1));
		*x >>= __builtin_ctz(n);
	} else if (*x <= UINT32_MAX) {
		y = (uint32_t)*x;
		*x = (uint64_t)(((unsigned __int128)magic * y) >> 64);
		v = y - (uint32_t)*x * n;
	} else {
		v = (uint32_t)(*x % n);
		*x /= n;
	}
	return v;
}

void ddr_map(const ddr_t *d, uint64_t paddr, struct ddr_coord *c)
{
	const struct ddr_cfg *cfg = &d->cfg;
	const uint8_t *ord = map_order[cfg->mapping < NR_DDR_MAP ? cfg->mapping : DDR_MAP_RO_CO_BA_RA_CH];
	uint32_t v[5];
	uint64_t x;

	SIM_BUG_ON(paddr < d->base);
	x = (paddr - d->base) / DDR_LINE;
	for (unsigned k = 0; k < 5; k++)
		v[ord[k]] = take(&x, d->radix[ord[k]], d->magic[ord[k]]);
	c->channel = v[F_CHANNEL];
	c->column = v[F_COLUMN];
	c->rank = v[F_RANK];
	c->bankgroup = v[F_BANKGROUP];
	c->bank = v[F_BANK];
	c->row = x;
	if (cfg->hash) {
		uint64_t y = x;
		c->bankgroup ^= take(&y, cfg->bankgroups, d->magic[F_BANKGROUP]);
		c->bank ^= take(&y, cfg->banks, d->magic[F_BANK]);
		y = x;
		c->channel += take(&y, cfg->channels, d->magic[F_CHANNEL]);   /* both < channels: one subtraction wraps */
		if (c->channel >= cfg->channels)
			c->channel -= cfg->channels;
	}
}

/*
 * Latest refresh window of `rank` starting at or before t.  The window
 * found last is kept per rank, so requests in the same tREFI (nearly all of
 * them) skip the division; the answer is the same.
 * @return false when no refresh has happened yet (or refresh is off).
 */
static bool last_refresh(ddr_t *d, unsigned rank, sim_time_t t, sim_time_t *start)
{
	sim_time_t first, s;

	if (!d->tREFI)
		return false;
	s = d->ref_win[rank];
	if (s && t >= s && t - s < d->tREFI) {
		*start = s;
		return true;
	}
	first = rank * d->refresh_stagger + d->tREFI;
	if (t < first)
		return false;
	s = first + (t - first) / d->tREFI * d->tREFI;
	d->ref_win[rank] = s;
	*start = s;
	return true;
}

/* --- the write queue ------------------------------------------------------- */

/* Ring slot i (0 = oldest) of a queue whose capacity is mask + 1, a power of two. */
static inline struct wq_ent *wq_at(const struct wq_ring *r, uint32_t i)
{
	return &r->e[(r->head + i) & r->mask];
}

/* Double a full ring, keeping its order (rare: only past the largest size so far). */
static __attribute__((noinline)) void wq_grow(struct wq_ring *r)
{
	uint32_t cap = r->mask + 1;
	struct wq_ent *e = malloc(2 * (size_t)cap * sizeof(*e));

	if (!e)
		sim_bug(__FILE__, __LINE__, "out of memory growing a DDR write queue");
	for (uint32_t i = 0; i < r->n; i++)
		e[i] = *wq_at(r, i);
	free(r->e);
	r->e = e;
	r->head = 0;
	r->mask = 2 * cap - 1;
}

/*
 * A drained write into `left`, after the last one leaving no later than it
 * (equal departures stay in call order).  Departures come nearly sorted, so
 * the walk from the tail is short and usually empty.
 */
static inline void wq_left_insert(struct wq_ring *r, sim_time_t arr, sim_time_t t)
{
	uint32_t j = r->n;

	if (unlikely(r->n > r->mask))
		wq_grow(r);
	while (j && wq_at(r, j - 1)->t > t) {
		*wq_at(r, j) = *wq_at(r, j - 1);
		j--;
	}
	*wq_at(r, j) = (struct wq_ent){ arr, t };
	r->n++;
}

/*
 * Pending drain k (0 = the next to book) takes pend[k*n, (k+1)*n) and is
 * triggered by the arrival of pend[k*n + wq_high - 1]: by arrival order,
 * the moment wq_high writes had arrived and were pending.  It exists when
 * pend holds that many.
 */
static inline bool wq_has(const ddr_t *d, const struct ddr_channel *ch, uint32_t k)
{
	return ch->pend.n >= k * (d->cfg.wq_high - d->cfg.wq_low) + d->cfg.wq_high;
}

static inline sim_time_t wq_trigger(const ddr_t *d, const struct ddr_channel *ch, uint32_t k)
{
	return wq_at(&ch->pend, k * (d->cfg.wq_high - d->cfg.wq_low) + d->cfg.wq_high - 1)->arr;
}

/*
 * When the g-th write to be drained on the channel (0 = the first ever)
 * leaves: booked (ch->drained of them so far), or in an estimated drain.
 */
static sim_time_t wq_dep_seq(const ddr_t *d, const struct ddr_channel *ch, uint64_t g)
{
	const uint32_t n = d->cfg.wq_high - d->cfg.wq_low;
	uint64_t v;

	if (g < ch->drained) {
		SIM_BUG_ON(ch->drained - g > ch->seq_mask + 1);
		return ch->seq_dep[g & ch->seq_mask];
	}
	v = g - ch->drained;
	SIM_BUG_ON(v / n >= ch->est_k);
	return ch->est_iv[v / n] + d->tRTW + (v % n + 1) * d->tBL;
}

/*
 * Its start: the trigger, and not before all of its writes are in the
 * queue: each took its entry (t) and, on the bus as booked, the write
 * write_queue places before it in drain order has left (a read that
 * passed earlier drains after the writes got their entries pushed those
 * departures back; the drain waits for the room as a controller's queue
 * would, so a read never waits for drains of writes not in the queue yet).
 * Drains before k are booked or estimated.
 */
static sim_time_t wq_start(const ddr_t *d, const struct ddr_channel *ch, uint32_t k)
{
	const uint32_t n = d->cfg.wq_high - d->cfg.wq_low, q = d->cfg.write_queue;
	sim_time_t s = wq_trigger(d, ch, k);
	uint64_t g = ch->drained + (uint64_t)k * n;

	for (uint32_t i = k * n; i < (k + 1) * n; i++, g++) {
		s = SIM_MAX(s, wq_at(&ch->pend, i)->t);
		if (g >= q)
			s = SIM_MAX(s, wq_dep_seq(d, ch, g - q));
	}
	return s;
}

/* The drain block on the bus: read->write gap, n bursts, write->read gap (tWTR + tCL). */
static inline sim_time_t wq_block(const ddr_t *d)
{
	return d->tRTW + (d->cfg.wq_high - d->cfg.wq_low) * d->tBL + d->tWTR + d->tCL;
}

/* Forget the estimated drains (below): the bus or the pending drains changed. */
static inline void wq_est_drop(struct ddr_channel *ch)
{
	ch->est_k = 0;
	ch->vleft.n = 0;
}

/*
 * Book [t, t + len) on the channel's bus.  Bookings ending before the
 * driver's horizon may be forgotten, but not those a pending drain may
 * still have to go around: it is booked at or after its trigger + CWL.
 */
static sim_time_t bus_book(ddr_t *d, struct ddr_channel *ch, sim_time_t t, sim_time_t len)
{
	if (d->horizon) {
		ch->hz = *d->horizon;
		if (wq_has(d, ch, 0))
			ch->hz = SIM_MIN(ch->hz, wq_trigger(d, ch, 0) + d->tCL);
	}
	wq_est_drop(ch);
	return resv_book(&ch->bus, t, len);
}

/*
 * Book pending drain 0 as one block on the bus at the earliest gap at or
 * after CWL (= CL) past its start; each write leaves the queue when its
 * burst ends.
 */
static void wq_drain(ddr_t *d, struct ddr_channel *ch)
{
	const uint32_t n = d->cfg.wq_high - d->cfg.wq_low;
	struct wq_ring *p = &ch->pend;
	sim_time_t start, left;

	start = bus_book(d, ch, wq_start(d, ch, 0) + d->tCL, wq_block(d));
	left = start + d->tRTW;
	for (uint32_t i = 0; i < n; i++) {
		sim_time_t arr = wq_at(p, 0)->arr;
		p->head = (p->head + 1) & p->mask;
		p->n--;
		left += d->tBL;
		wq_left_insert(&ch->left, arr, left);
		ch->seq_dep[ch->drained++ & ch->seq_mask] = left;
		if (arr > ch->left_max_arr)
			ch->left_max_arr = arr;
	}
	ch->stat[DDR_WQ_DRAINS]++;
	ch->stat[DDR_TURNAROUNDS] += 2;
}

/* Book, in order, the pending drains that have started by t. */
static inline void wq_book_upto(ddr_t *d, struct ddr_channel *ch, sim_time_t t)
{
	while (wq_has(d, ch, 0) && wq_start(d, ch, 0) <= t)
		wq_drain(d, ch);
}

/*
 * Estimate the pending drains triggered by t, without booking them: where
 * each would go if booked now, in order (the same gap search as resv_book
 * over the bus and the drains estimated before it), and their writes'
 * departures into `vleft`.  A write needs them to know when it gets an
 * entry, but booking them would fix drains that writes posted later and
 * arriving earlier still change (a write posted far ahead must not settle
 * the present ones).  The estimates stay valid until the bus or the
 * drains' writes change (wq_est_drop); a run of writes appended at the
 * tail (zeroing) extends them.  @return how many drains are estimated.
 */
static uint32_t wq_estimate(const ddr_t *d, struct ddr_channel *ch, sim_time_t t)
{
	const uint32_t n = d->cfg.wq_high - d->cfg.wq_low;
	const sim_time_t len = wq_block(d);

	if (ch->est_k && wq_trigger(d, ch, ch->est_k - 1) > t)
		wq_est_drop(ch);   /* estimated for a later write: some are not triggered by t */
	while (wq_has(d, ch, ch->est_k) && wq_trigger(d, ch, ch->est_k) <= t) {
		uint32_t k = ch->est_k;
		sim_time_t s = wq_start(d, ch, k) + d->tCL, dep;
		bool moved;

		do {
			s = resv_probe(&ch->bus, s, len);
			moved = false;
			for (uint32_t i = 0; i < k; i++)
				if (ch->est_iv[i] < s + len && ch->est_iv[i] + len > s) {
					s = ch->est_iv[i] + len;
					moved = true;
				}
		} while (moved);
		if (unlikely(k == ch->est_cap)) {
			uint32_t cap = ch->est_cap ? 2 * ch->est_cap : 16;
			sim_time_t *iv = realloc(ch->est_iv, cap * sizeof(*iv));
			if (!iv)
				sim_bug(__FILE__, __LINE__, "out of memory estimating DDR write drains");
			ch->est_iv = iv;
			ch->est_cap = cap;
		}
		ch->est_iv[k] = s;
		dep = s + d->tRTW;
		for (uint32_t i = k * n; i < (k + 1) * n; i++) {
			dep += d->tBL;
			wq_left_insert(&ch->vleft, wq_at(&ch->pend, i)->arr, dep);
		}
		ch->est_k++;
	}
	return ch->est_k;
}

/* Index of the first entry of departure ring r leaving after t. */
static uint32_t wq_first_after(const struct wq_ring *r, sim_time_t t)
{
	uint32_t lo = 0, hi = r->n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (wq_at(r, mid)->t > t)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* Entries of r from lo on leaving at or before t. */
static uint32_t wq_count_le(const struct wq_ring *r, uint32_t lo, sim_time_t t)
{
	return wq_first_after(r, t) > lo ? wq_first_after(r, t) - lo : 0;
}

/* The k-th (1-based) earliest departure of a[alo..] and b[blo..] together (both sorted). */
static sim_time_t wq_kth(const struct wq_ring *a, uint32_t alo, const struct wq_ring *b, uint32_t blo, uint32_t k)
{
	sim_time_t best = SIM_TIME_MAX;
	const struct wq_ring *r[2] = { a, b };
	const uint32_t rlo[2] = { alo, blo };

	/* in each, the first whose rank (entries of both leaving no later) reaches k */
	for (unsigned s = 0; s < 2; s++) {
		uint32_t lo = rlo[s], hi = r[s]->n;
		while (lo < hi) {
			uint32_t mid = lo + (hi - lo) / 2;
			sim_time_t t = wq_at(r[s], mid)->t;
			if ((mid - rlo[s] + 1) + wq_count_le(r[!s], rlo[!s], t) >= k)
				hi = mid;
			else
				lo = mid + 1;
		}
		if (lo < r[s]->n)
			best = SIM_MIN(best, wq_at(r[s], lo)->t);
	}
	return best;
}

/*
 * When a write arriving at `arrive` gets an entry: at once if fewer than
 * write_queue writes that arrived before it are still in the queue, else
 * when enough of the drained ones have left.  `pend_before` pending writes
 * arrived before it and are in no drain triggered by then (fewer than
 * wq_high); the drained ones are the booked (`left`) and the estimated
 * (`vleft`, all arrived by then).
 */
static sim_time_t wq_entry(const ddr_t *d, const struct ddr_channel *ch, sim_time_t arrive, uint32_t pend_before)
{
	const struct wq_ring *l = &ch->left, *v = &ch->vleft;
	const uint32_t q = d->cfg.write_queue;
	uint32_t lo, vlo, inq, k;

	if (pend_before + l->n + v->n < q)
		return arrive;
	lo = wq_first_after(l, arrive);
	vlo = wq_first_after(v, arrive);
	if (ch->left_max_arr <= arrive) {
		/* every drained write arrived before this one: the k-th to leave frees the entry */
		inq = (l->n - lo) + (v->n - vlo);
		if (pend_before + inq < q)
			return arrive;
		return wq_kth(l, lo, v, vlo, pend_before + inq - q + 1);
	}
	/* some booked drained writes arrived after this one (booked ahead): skip them */
	inq = v->n - vlo;
	for (uint32_t i = lo; i < l->n; i++)
		inq += wq_at(l, i)->arr <= arrive;
	if (pend_before + inq < q)
		return arrive;
	k = pend_before + inq - q + 1;
	for (uint32_t i = lo, j = vlo;;) {
		bool from_l;
		while (i < l->n && wq_at(l, i)->arr > arrive)
			i++;
		if (i == l->n && j == v->n)
			break;
		from_l = j == v->n || (i < l->n && wq_at(l, i)->t <= wq_at(v, j)->t);
		if (!--k)
			return from_l ? wq_at(l, i)->t : wq_at(v, j)->t;
		if (from_l)
			i++;
		else
			j++;
	}
	sim_bug(__FILE__, __LINE__, "write queue: fewer drained writes than the queue holds");
}

/*
 * A write reaches channel ch at `arrive`.  @return when it took its queue
 * entry; *wait: how long it waited for one.
 */
static sim_time_t write_post(ddr_t *d, struct ddr_channel *ch, sim_time_t arrive, sim_time_t *wait)
{
	const uint32_t n = d->cfg.wq_high - d->cfg.wq_low;
	struct wq_ring *p = &ch->pend, *l = &ch->left;
	sim_time_t accept = arrive;
	uint32_t j;

	if (d->horizon) {
		/* nothing arrives before the horizon any more: writes gone by then are gone for all */
		while (l->n && wq_at(l, 0)->t <= *d->horizon) {
			l->head = (l->head + 1) & l->mask;
			l->n--;
		}
		/*
		 * and drains started by then are settled: book them.  Every read
		 * resolved from now on arrives after their start and would book
		 * them first, so this changes no result; it keeps the pending
		 * writes (and the estimates rebuilt after each booking) few on a
		 * channel that is only written.
		 */
		wq_book_upto(d, ch, *d->horizon);
	}
	if (!l->n)
		ch->left_max_arr = 0;
	/* pending writes that arrived by now: a write posted earlier but arriving later is not one */
	for (j = p->n; j && wq_at(p, j - 1)->arr > arrive;)
		j--;
	/* counting every pending write as still there, the queue may be full: look exactly */
	if (j + l->n >= d->cfg.write_queue)
		accept = wq_entry(d, ch, arrive, j - wq_estimate(d, ch, arrive) * n);
	if (accept > arrive) {
		ch->stat[DDR_WQ_STALLS]++;
		ch->stat[DDR_WQ_DELAY] += accept - arrive;
	}
	ch->stat[DDR_WRITES]++;
	/* every write accepted crosses the bus once, in some drain: counted now (docs/hw.md) */
	ch->stat[DDR_BYTES] += DDR_LINE;
	ch->stat[DDR_BUSY] += d->tBL;
	/* into its place by arrival, after the j that arrived before (or with) it */
	if (unlikely(p->n > p->mask))
		wq_grow(p);
	for (uint32_t i = p->n; i > j; i--)
		*wq_at(p, i) = *wq_at(p, i - 1);
	*wq_at(p, j) = (struct wq_ent){ arrive, accept };
	p->n++;
	/* it moved the writes of the estimated drains after it, or their triggers */
	if (ch->est_k && j < (ch->est_k - 1) * n + d->cfg.wq_high)
		wq_est_drop(ch);
	if (wait)
		*wait = accept - arrive;
	return accept;
}

sim_time_t ddr_write(ddr_t *d, uint64_t paddr, sim_time_t now, sim_time_t *wait)
{
	struct ddr_coord c;

	ddr_map(d, paddr, &c);
	return write_post(d, &d->ch[c.channel], now + d->frontend, wait) - now;
}

/*
 * ddr_write_run's walk over consecutive lines: the mapping's five digits
 * below the row (map_order, the same as ddr_map's), lowest first, counted
 * up like an odometer.  A write only
 * needs its channel: the raw channel digit, plus row % channels with `hash`
 * (ddr_map), which changes only when the odometer carries into the row.
 */
struct ddr_odo {
	uint32_t dig[5], radix[5];
	unsigned ch;              /* which digit is the channel */
	uint32_t row_ch;          /* row % channels (hash), else 0 */
};

static void odo_start(const ddr_t *d, uint64_t paddr, struct ddr_odo *o)
{
	const struct ddr_cfg *cfg = &d->cfg;
	const uint8_t *ord = map_order[cfg->mapping < NR_DDR_MAP ? cfg->mapping : DDR_MAP_RO_CO_BA_RA_CH];
	uint64_t x = (paddr - d->base) / DDR_LINE, y;

	o->ch = 0;
	for (unsigned k = 0; k < 5; k++) {
		o->radix[k] = d->radix[ord[k]];
		o->dig[k] = take(&x, d->radix[ord[k]], d->magic[ord[k]]);
		if (ord[k] == F_CHANNEL)
			o->ch = k;
	}
	y = x;
	o->row_ch = cfg->hash ? take(&y, cfg->channels, d->magic[F_CHANNEL]) : 0;
}

static inline unsigned odo_channel(const ddr_t *d, const struct ddr_odo *o)
{
	uint32_t c = o->dig[o->ch] + o->row_ch;

	return c >= d->cfg.channels ? c - d->cfg.channels : c;
}

static inline void odo_next(const ddr_t *d, struct ddr_odo *o)
{
	for (unsigned k = 0; k < 5; k++) {
		if (++o->dig[k] < o->radix[k])
			return;
		o->dig[k] = 0;
	}
	/* carried into the row: row % channels moves on by one */
	if (d->cfg.hash && ++o->row_ch == d->cfg.channels)
		o->row_ch = 0;
}

sim_time_t ddr_write_run(ddr_t *d, uint64_t paddr, uint64_t n, sim_time_t now)
{
	const sim_time_t arrive = now + d->frontend;
	sim_time_t done = 0;
	struct ddr_odo o;

	if (!n)
		return 0;
	SIM_BUG_ON(paddr < d->base);
	odo_start(d, paddr, &o);
	for (uint64_t i = 0;; i++) {
		sim_time_t t = write_post(d, &d->ch[odo_channel(d, &o)], arrive, NULL) - now;
		if (t > done)
			done = t;
		if (i + 1 == n)
			return done;
		odo_next(d, &o);
	}
}

/* The counters of one line read (demand or copy): `queued` ps beyond its unloaded timing. */
static inline void read_account(const ddr_t *d, struct ddr_channel *ch, sim_time_t queued)
{
	ch->stat[DDR_READS]++;
	ch->stat[DDR_BYTES] += DDR_LINE;
	ch->stat[DDR_BUSY] += d->tBL;
	ch->stat[DDR_QUEUE] += queued;
	if (queued > ch->stat[DDR_QUEUE_MAX])
		ch->stat[DDR_QUEUE_MAX] = queued;
}

sim_time_t ddr_access(ddr_t *d, uint64_t paddr, bool write, sim_time_t now, enum ddr_outcome *outcome)
{
	const struct ddr_cfg *cfg = &d->cfg;
	struct ddr_coord c;
	struct ddr_channel *ch;
	struct ddr_bank *b;
	size_t g;
	sim_time_t arrive, start, ref, act = 0, cas, data, done, unloaded, queued;
	enum ddr_outcome oc;

	if (write) {
		if (outcome)
			*outcome = DDR_ROW_HIT;   /* not known until the drain; the queue took it */
		return ddr_write(d, paddr, now, NULL);
	}
	ddr_map(d, paddr, &c);
	ch = &d->ch[c.channel];
	arrive = now + d->frontend;
	g = ((size_t)c.channel * cfg->ranks + c.rank) * cfg->bankgroups + c.bankgroup;
	b = &d->banks[g * cfg->banks + c.bank];

	start = SIM_MAX(arrive, b->ready);
	if (last_refresh(d, c.rank, start, &ref)) {
		if (start < ref + d->tRFC) {
			ch->stat[DDR_REFRESH_STALLS]++;
			ch->stat[DDR_REFRESH_DELAY] += ref + d->tRFC - start;
			start = ref + d->tRFC;
		}
		if (b->open && b->act < ref)
			b->open = false;   /* refresh precharged every bank of the rank */
	}

	if (b->open && b->row == c.row) {
		oc = DDR_ROW_HIT;
		cas = start;
		unloaded = d->tCL + d->tBL;
	} else if (!b->open) {
		oc = DDR_ROW_CLOSED;
		act = start;
		cas = act + d->tRCD;
		unloaded = d->tRCD + d->tCL + d->tBL;
	} else {
		oc = DDR_ROW_CONFLICT;
		act = SIM_MAX(start, b->act + d->tRAS) + d->tRP;
		cas = act + d->tRCD;
		unloaded = d->tRP + d->tRCD + d->tCL + d->tBL;
	}
	cas = SIM_MAX(cas, d->cas_ok[g]);
	/* drains started by the time the read arrived hold the bus first; later ones go around it */
	wq_book_upto(d, ch, arrive);
	data = bus_book(d, ch, cas + d->tCL, d->tBL);
	cas = data - d->tCL;
	done = data + d->tBL;

	d->cas_ok[g] = cas + d->tCCD_L;
	if (oc != DDR_ROW_HIT)
		b->act = act;
	if (cfg->page_policy == DDR_OPEN_PAGE) {
		b->open = true;
		b->row = c.row;
		b->ready = cas;
	} else {
		/* auto-precharge once tRAS allows; the bank is idle tRP later */
		b->open = false;
		b->ready = SIM_MAX(cas, b->act + d->tRAS) + d->tRP;
	}

	queued = done - arrive - unloaded;
	ch->stat[oc == DDR_ROW_HIT ? DDR_ROW_HITS : oc == DDR_ROW_CLOSED ? DDR_ROW_MISSES : DDR_ROW_CONFLICTS]++;
	read_account(d, ch, queued);
	if (outcome)
		*outcome = oc;
	return done - now;
}

sim_time_t ddr_read_stream(ddr_t *d, uint64_t paddr, sim_time_t now)
{
	struct ddr_coord c;
	struct ddr_channel *ch;
	sim_time_t arrive = now + d->frontend, unloaded = d->tRCD + d->tCL + d->tBL, data, queued;

	ddr_map(d, paddr, &c);
	ch = &d->ch[c.channel];
	wq_book_upto(d, ch, arrive);
	data = bus_book(d, ch, arrive + d->tRCD + d->tCL, d->tBL);
	queued = data + d->tBL - arrive - unloaded;
	read_account(d, ch, queued);
	return data + d->tBL - now;
}

sim_time_t ddr_idle_latency(const ddr_t *d)
{
	return d->frontend + d->tRCD + d->tCL + d->tBL;
}

uint64_t ddr_peak_mbps(const ddr_t *d)
{
	/* bytes/ps = channels * bus_bytes * 2 / tCK; MB/s = bytes/ps * 10^6 */
	return (uint64_t)d->cfg.channels * d->cfg.bus_bytes * 2 * 1000000u / d->cfg.tCK;
}

void ddr_report(const ddr_t *d, sim_time_t end, rep_t *r)
{
	rep_obj_begin(r, "ddr");
	rep_u64(r, "node", d->node);
	rep_u64(r, "peak_mbps", ddr_peak_mbps(d));
	rep_arr_begin(r, "channels");
	for (unsigned i = 0; i < d->cfg.channels; i++) {
		const struct ddr_channel *ch = &d->ch[i];
		uint64_t n = ch->stat[DDR_READS], stat[NR_DDR_STATS], unbooked = 0;
		const uint32_t high = d->cfg.wq_high, batch = high - d->cfg.wq_low;

		/* the drains the queue has reached but nothing has booked yet are drains all the same */
		if (ch->pend.n >= high)
			unbooked = (ch->pend.n - high) / batch + 1;
		memcpy(stat, ch->stat, sizeof(stat));
		stat[DDR_WQ_DRAINS] += unbooked;
		stat[DDR_TURNAROUNDS] += 2 * unbooked;
		rep_obj_begin(r, NULL);
		rep_u64(r, "channel", i);
		rep_stat_fields(r, &(struct stat_block){ ddr_stat_desc, stat, NR_DDR_STATS });
		rep_ns(r, "avg_queue_ns", n ? (ch->stat[DDR_QUEUE] + n / 2) / n : 0);
		/* Bus time booked past `end` (queued bursts) can push this above 1. */
		rep_real(r, "utilisation", end ? (double)ch->stat[DDR_BUSY] / (double)end : 0.0);
		rep_obj_end(r);
	}
	rep_arr_end(r);
	rep_obj_end(r);
}
