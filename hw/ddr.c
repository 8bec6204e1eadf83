/*
 * hw/ddr.c - one node's DDR controller: banks, row buffers, data buses.
 *
 * The controller serves requests first-come first-served in call order.  A
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
 * and pay the bus turnaround once per batch rather than once per write:
 * when `wq_high` writes are pending, the oldest wq_high - wq_low drain.  A
 * drain is one block on the bus calendar, booked at the earliest gap at or
 * after CWL (taken equal to CL) past the latest arrival among its writes:
 *
 *   tRTW (read -> write bus gap) + n bursts + tWTR + tCL (write -> read:
 *   the next read's CAS waits tWTR after the last write data, its data
 *   comes tCL later)
 *
 * So reads booked later in call order still use earlier gaps, and reads
 * never wait for a bank a queued write is using: write bursts are taken to
 * be spread over the banks by the controller's write scheduling, so a
 * drain is bus-bound, and the bank state (open row, ready time) is the
 * reads' alone.  The caller sees `frontend` plus the time it waited for a
 * queue entry: write number k takes the entry write k - write_queue left
 * when its burst ended, which is known because a drain starts before the
 * queue is full (wq_high <= write_queue).  Each drain counts two
 * turnarounds, also when two drains touch (a simplification: a pure write
 * stream pays them too, so it reaches at most
 * n*tBL / (n*tBL + tRTW + tWTR + tCL) of the bus).  Writes pending at the
 * end of a run are never booked (at most wq_high - 1 per channel).
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
 * Hot path: ddr_access() allocates nothing.
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


struct ddr_channel {
	struct resv bus;                  /* data-bus bursts booked (gap-filling, sim/resv.h) */
	sim_time_t *wq_acc;               /* [write_queue] ring at k % write_queue: when write k was accepted */
	sim_time_t *wq_left;              /* ... and when it left the queue (once drained) */
	uint64_t wq_seq;                  /* writes accepted so far */
	uint32_t wq_pending;              /* accepted, not yet in a drain */
	uint64_t stat[NR_DDR_STATS];
};

struct ddr {
	struct ddr_cfg cfg;
	unsigned node;
	uint64_t base;
	/* timings in ps */
	sim_time_t tCL, tRCD, tRP, tRAS, tCCD_L, tRFC, tBL, tREFI, frontend, tWTR, tRTW;
	sim_time_t refresh_stagger;
	uint32_t cols;            /* lines per row */
	struct ddr_bank *banks;   /* [channel][rank][bankgroup][bank] */
	sim_time_t *cas_ok;       /* [channel][rank][bankgroup]: earliest next CAS (tCCD_L) */
	struct ddr_channel *ch;
};

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

	nr_groups = (size_t)cfg->channels * cfg->ranks * cfg->bankgroups;
	nr_banks = nr_groups * cfg->banks;
	d->banks = calloc(nr_banks, sizeof(*d->banks));
	d->cas_ok = calloc(nr_groups, sizeof(*d->cas_ok));
	d->ch = calloc(cfg->channels, sizeof(*d->ch));
	if (!d->banks || !d->cas_ok || !d->ch) {
		ddr_destroy(d);
		return -SIM_ENOMEM;
	}
	for (unsigned i = 0; i < cfg->channels; i++) {
		d->ch[i].wq_acc = calloc(cfg->write_queue, sizeof(*d->ch[i].wq_acc));
		d->ch[i].wq_left = calloc(cfg->write_queue, sizeof(*d->ch[i].wq_left));
		if (!d->ch[i].wq_acc || !d->ch[i].wq_left) {
			ddr_destroy(d);
			return -SIM_ENOMEM;
		}
	}
	*out = d;
	return 0;
}

void ddr_set_horizon(ddr_t *d, const sim_time_t *horizon)
{
	for (unsigned c = 0; c < d->cfg.channels; c++)
		d->ch[c].bus.horizon = horizon;
}

void ddr_destroy(ddr_t *d)
{
	if (!d)
		return;
	if (d->ch)
		for (unsigned c = 0; c < d->cfg.channels; c++) {
			resv_destroy(&d->ch[c].bus);
			free(d->ch[c].wq_acc);
			free(d->ch[c].wq_left);
		}
	free(d->banks);
	free(d->cas_ok);
	free(d->ch);
	free(d);
}

/*
 * Lowest mixed-radix digit of *x in base n; *x keeps the rest.  Every access
 * maps its address, so the common radices avoid a 64-bit division: powers
 * of two take a mask and a shift, and other bases (6 channels) divide in 32
 * bits when the quotient fits, which it does below 256 GiB per node.
 */
static inline uint32_t take(uint64_t *x, uint32_t n)
{
	uint32_t v;

	if (!(n & (n - 1))) {
		v = (uint32_t)(*x & (n - 1));
		*x >>= __builtin_ctz(n);
	} else if (*x <= UINT32_MAX) {
		uint32_t y = (uint32_t)*x;
		v = y % n;
		*x = y / n;
	} else {
		v = (uint32_t)(*x % n);
		*x /= n;
	}
	return v;
}

void ddr_map(const ddr_t *d, uint64_t paddr, struct ddr_coord *c)
{
	const struct ddr_cfg *cfg = &d->cfg;
	uint64_t x;

	SIM_BUG_ON(paddr < d->base);
	x = (paddr - d->base) / DDR_LINE;
	switch (cfg->mapping) {
	case DDR_MAP_RO_BA_RA_CO_CH:
		c->channel = take(&x, cfg->channels);
		c->column = take(&x, d->cols);
		c->rank = take(&x, cfg->ranks);
		c->bankgroup = take(&x, cfg->bankgroups);
		c->bank = take(&x, cfg->banks);
		break;
	case DDR_MAP_RO_RA_BA_CH_CO:
		c->column = take(&x, d->cols);
		c->channel = take(&x, cfg->channels);
		c->bankgroup = take(&x, cfg->bankgroups);
		c->bank = take(&x, cfg->banks);
		c->rank = take(&x, cfg->ranks);
		break;
	case DDR_MAP_RO_CO_BA_RA_CH:
	default:
		c->channel = take(&x, cfg->channels);
		c->rank = take(&x, cfg->ranks);
		c->bankgroup = take(&x, cfg->bankgroups);
		c->bank = take(&x, cfg->banks);
		c->column = take(&x, d->cols);
		break;
	}
	c->row = x;
	if (cfg->hash) {
		uint64_t y = x;
		c->bankgroup ^= take(&y, cfg->bankgroups);
		c->bank ^= take(&y, cfg->banks);
		y = x;
		c->channel = (c->channel + take(&y, cfg->channels)) % cfg->channels;
	}
}

/*
 * Latest refresh window of `rank` starting at or before t.
 * @return false when no refresh has happened yet (or refresh is off).
 */
static bool last_refresh(const ddr_t *d, unsigned rank, sim_time_t t, sim_time_t *start)
{
	sim_time_t first;

	if (!d->tREFI)
		return false;
	first = rank * d->refresh_stagger + d->tREFI;
	if (t < first)
		return false;
	*start = first + (t - first) / d->tREFI * d->tREFI;
	return true;
}

/*
 * A write reaches channel ch at `arrive`: take a queue entry (waiting for
 * one if the queue is full) and drain a batch at the high watermark.
 * @return when the write was accepted.
 */
static sim_time_t write_post(ddr_t *d, struct ddr_channel *ch, sim_time_t arrive)
{
	const uint32_t q = d->cfg.write_queue, n = d->cfg.wq_high - d->cfg.wq_low;
	const size_t k = ch->wq_seq % q;
	sim_time_t accept = arrive, start, due = 0;
	uint64_t first;

	/* the entry is busy only if its previous write was in the queue at our arrival
	 * (calls come in issue order, not arrival order: a write resolved earlier may
	 * arrive later, and then it does not hold the entry yet) */
	if (ch->wq_acc[k] <= arrive && ch->wq_left[k] > arrive)
		accept = ch->wq_left[k];

	if (accept > arrive) {
		ch->stat[DDR_WQ_STALLS]++;
		ch->stat[DDR_WQ_DELAY] += accept - arrive;
	}
	ch->wq_acc[k] = accept;
	ch->wq_seq++;
	ch->stat[DDR_WRITES]++;
	if (++ch->wq_pending < d->cfg.wq_high)
		return accept;

	/* drain the oldest n pending writes as one block, once all n have arrived:
	 * turnaround, bursts, turnaround */
	first = ch->wq_seq - ch->wq_pending;
	for (uint32_t i = 0; i < n; i++)
		due = SIM_MAX(due, ch->wq_acc[(first + i) % q]);
	start = resv_book(&ch->bus, due + d->tCL, d->tRTW + n * d->tBL + d->tWTR + d->tCL);
	for (uint32_t i = 0; i < n; i++)
		ch->wq_left[(first + i) % q] = start + d->tRTW + (i + 1) * d->tBL;
	ch->wq_pending -= n;
	ch->stat[DDR_WQ_DRAINS]++;
	ch->stat[DDR_TURNAROUNDS] += 2;
	ch->stat[DDR_BYTES] += (uint64_t)n * DDR_LINE;
	ch->stat[DDR_BUSY] += n * d->tBL;
	return accept;
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

	ddr_map(d, paddr, &c);
	ch = &d->ch[c.channel];
	arrive = now + d->frontend;
	if (write) {
		if (outcome)
			*outcome = DDR_ROW_HIT;   /* not known until the drain; the queue took it */
		return write_post(d, ch, arrive) - now;
	}
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
	data = resv_book(&ch->bus, cas + d->tCL, d->tBL);
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
	ch->stat[DDR_READS]++;
	ch->stat[oc == DDR_ROW_HIT ? DDR_ROW_HITS : oc == DDR_ROW_CLOSED ? DDR_ROW_MISSES : DDR_ROW_CONFLICTS]++;
	ch->stat[DDR_BYTES] += DDR_LINE;
	ch->stat[DDR_BUSY] += d->tBL;
	ch->stat[DDR_QUEUE] += queued;
	if (queued > ch->stat[DDR_QUEUE_MAX])
		ch->stat[DDR_QUEUE_MAX] = queued;
	if (outcome)
		*outcome = oc;
	return done - now;
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
		uint64_t n = ch->stat[DDR_READS];

		rep_obj_begin(r, NULL);
		rep_u64(r, "channel", i);
		rep_stat_fields(r, &(struct stat_block){ ddr_stat_desc, ch->stat, NR_DDR_STATS });
		rep_ns(r, "avg_queue_ns", n ? (ch->stat[DDR_QUEUE] + n / 2) / n : 0);
		/* Bus time booked past `end` (queued bursts) can push this above 1. */
		rep_real(r, "utilisation", end ? (double)ch->stat[DDR_BUSY] / (double)end : 0.0);
		rep_obj_end(r);
	}
	rep_arr_end(r);
	rep_obj_end(r);
}
