/*
 * hw/coherence.c - the MESI directory (see coherence.h).
 *
 * Table layout: one record per slot, so that a probe touches one or two host
 * cache lines instead of one per field: `rec` 64-bit words per slot holding
 * the key (block + 1, 0 empty), the owner (-1 when shared) and holder count
 * packed in one word, then a bitmap of holders (`words` words).  A line owned
 * by o has exactly o's bit set; a shared line has every holder's bit.
 *
 * The table starts small and doubles (a rehash) whenever it gets half full,
 * up to the size for every private line of the machine: a run that uses one
 * CPU of 56 keeps its entries in a table that fits the host's caches instead
 * of probing a 48 MiB one at random.  Home slots keep groups of four
 * neighbouring blocks together, so a stream probes neighbouring records.
 * Neither the size nor the layout changes any result.
 *
 * The slot of the last block looked up is remembered: a miss asks for the
 * owner, then records the requester, then the victim it displaced leaves, so
 * most requests would otherwise probe the same chain twice.  Inserting never
 * moves an entry; erasing may (backward shift), so it forgets the memo.
 */
#include <stdlib.h>
#include <string.h>
#include "hw/coherence.h"
#include "hw/hw.h"
#include "sim/err.h"

static const struct stat_desc coh_stat_desc[] = { COH_STATS(STAT_DESC) };
STAT_TABLE_CHECK(coh_stat_desc, NR_COH_STATS);

/* word 1 of a record: owner in the low 32 bits (as int32), count in the high 32 */
#define R_KEY 0
#define R_OC 1
#define R_BITS 2

struct coh {
	struct coh_ops ops;
	struct coherence_cfg cfg;
	unsigned nr_cpus;
	uint32_t line;            /* bytes of a forwarded line */
	uint16_t *cpu_node;
	uint16_t node_socket[HW_MAX_NODES];
	/* table */
	uint64_t mask;            /* slots - 1 */
	uint64_t max_slots;       /* the table never grows past this (2 x capacity, rounded up) */
	unsigned shift;           /* 64 - log2(slots / 4) */
	unsigned words;           /* bitmap words per slot */
	unsigned rec;             /* 64-bit words per slot: R_BITS + words */
	uint64_t *tab;
	uint64_t *spare;          /* the other array, for growing */
	uint64_t memo_key;        /* block + 1 of the last hit, 0: none */
	uint64_t memo_slot;
	uint64_t *inval_rcvd;     /* per CPU */
	uint64_t stat[NR_COH_STATS];
};

static inline uint64_t *slot_rec(const coh_t *c, uint64_t s) { return c->tab + s * c->rec; }
static inline uint64_t slot_key(const coh_t *c, uint64_t s) { return c->tab[s * c->rec + R_KEY]; }
static inline int32_t get_owner(const coh_t *c, uint64_t s) { return (int32_t)(uint32_t)c->tab[s * c->rec + R_OC]; }
static inline uint32_t get_count(const coh_t *c, uint64_t s) { return (uint32_t)(c->tab[s * c->rec + R_OC] >> 32); }

static inline void set_owner(coh_t *c, uint64_t s, int32_t o)
{
	uint64_t *w = &c->tab[s * c->rec + R_OC];
	*w = (*w & ~0xffffffffULL) | (uint32_t)o;
}

static inline void add_count(coh_t *c, uint64_t s, int d)
{
	c->tab[s * c->rec + R_OC] += (uint64_t)(int64_t)d << 32;
}

int coh_create(coh_t **out, const struct hw_cfg *cfg, uint64_t capacity, const struct coh_ops *ops, char *err,
	       size_t errlen)
{
	unsigned n = hw_cfg_nr_cpus(cfg), cpu = 0;
	uint64_t slots = 16;
	coh_t *c;

	*out = NULL;
	if (!n)
		return sim_errf(err, errlen, SIM_ECONFIG, "coherence: no CPUs");
	while (slots < 2 * capacity)
		slots <<= 1;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -SIM_ENOMEM;
	c->max_slots = slots;
	slots = SIM_MIN(slots, 4096);
	c->ops = *ops;
	c->cfg = cfg->coherence;
	c->nr_cpus = n;
	c->line = cfg->caches.l1d.line;
	c->mask = slots - 1;
	c->shift = 64 - ilog2_u64(slots / 4);
	c->words = (n + 63) / 64;
	c->rec = R_BITS + c->words;
	c->cpu_node = calloc(n, sizeof(*c->cpu_node));
	c->tab = calloc(c->max_slots * c->rec, sizeof(*c->tab));
	c->spare = c->max_slots > slots ? calloc(c->max_slots * c->rec, sizeof(*c->spare)) : NULL;
	c->inval_rcvd = calloc(n, sizeof(*c->inval_rcvd));
	if (!c->cpu_node || !c->tab || (c->max_slots > slots && !c->spare) || !c->inval_rcvd) {
		coh_destroy(c);
		return -SIM_ENOMEM;
	}
	for (unsigned nd = 0; nd < cfg->nr_nodes; nd++) {
		c->node_socket[nd] = (uint16_t)cfg->nodes[nd].socket;
		for (unsigned i = 0; i < cfg->nodes[nd].cpus; i++)
			c->cpu_node[cpu++] = (uint16_t)nd;
	}
	*out = c;
	return 0;
}

void coh_destroy(coh_t *c)
{
	if (!c)
		return;
	free(c->cpu_node);
	free(c->tab);
	free(c->spare);
	free(c->inval_rcvd);
	free(c);
}

/* --- table ------------------------------------------------------------------ */

static inline uint64_t home_slot(const coh_t *c, uint64_t blk)
{
	return ((((blk >> 2) + 1) * 0x9E3779B97F4A7C15ULL) >> c->shift) << 2 | (blk & 3);
}

static uint64_t insert(coh_t *c, uint64_t blk);

/*
 * Double the table: re-insert every entry into the spare array, zero the
 * part of the old one that was in use, and swap.  Both arrays were
 * allocated at the largest size up front (untouched pages cost no host
 * memory), so growing never fails.
 */
static void grow(coh_t *c)
{
	uint64_t *old = c->tab, slots = (c->mask + 1) * 2, n = c->mask + 1;

	c->tab = c->spare;
	c->spare = old;
	c->mask = slots - 1;
	c->shift--;
	c->memo_key = 0;
	for (uint64_t s = 0; s < n; s++) {
		const uint64_t *r = old + s * c->rec;
		uint64_t t;
		if (!r[R_KEY])
			continue;
		for (t = home_slot(c, r[R_KEY] - 1); c->tab[t * c->rec + R_KEY]; t = (t + 1) & c->mask)
			;
		memcpy(c->tab + t * c->rec, r, c->rec * sizeof(uint64_t));
	}
	memset(old, 0, n * c->rec * sizeof(uint64_t));
}

static int64_t find(coh_t *c, uint64_t blk)
{
	if (c->memo_key == blk + 1)
		return (int64_t)c->memo_slot;
	for (uint64_t s = home_slot(c, blk);; s = (s + 1) & c->mask) {
		uint64_t k = slot_key(c, s);
		if (k == blk + 1) {
			c->memo_key = k;
			c->memo_slot = s;
			return (int64_t)s;
		}
		if (!k)
			return -1;
	}
}

static uint64_t insert(coh_t *c, uint64_t blk)
{
	uint64_t s = home_slot(c, blk);
	uint64_t *r;

	/* the table holds about the private lines, half its largest size: never full */
	SIM_BUG_ON(c->stat[COH_ENTRIES] >= c->max_slots - 1);
	if (2 * (c->stat[COH_ENTRIES] + 1) > c->mask + 1 && c->mask + 1 < c->max_slots) {
		grow(c);
		s = home_slot(c, blk);
	}
	while (slot_key(c, s))
		s = (s + 1) & c->mask;
	r = slot_rec(c, s);
	r[R_KEY] = blk + 1;
	r[R_OC] = 0;
	set_owner(c, s, -1);
	memset(&r[R_BITS], 0, c->words * sizeof(uint64_t));
	c->memo_key = blk + 1;
	c->memo_slot = s;
	if (++c->stat[COH_ENTRIES] > c->stat[COH_ENTRIES_MAX])
		c->stat[COH_ENTRIES_MAX] = c->stat[COH_ENTRIES];
	return s;
}

static void move_slot(coh_t *c, uint64_t to, uint64_t from)
{
	memcpy(slot_rec(c, to), slot_rec(c, from), c->rec * sizeof(uint64_t));
}

/* Backward-shift deletion keeps every probe chain unbroken without tombstones. */
static void erase(coh_t *c, uint64_t i)
{
	uint64_t j = i;

	c->memo_key = 0;
	for (;;) {
		j = (j + 1) & c->mask;
		if (!slot_key(c, j))
			break;
		uint64_t k = home_slot(c, slot_key(c, j) - 1);
		/* can the entry at j live at i?  only if its home is not in (i, j] cyclically */
		bool stays = (i <= j) ? (i < k && k <= j) : (i < k || k <= j);
		if (!stays) {
			move_slot(c, i, j);
			i = j;
		}
	}
	slot_rec(c, i)[R_KEY] = 0;
	c->stat[COH_ENTRIES]--;
}

static inline uint64_t *bits_of(const coh_t *c, uint64_t s) { return c->tab + s * c->rec + R_BITS; }

static inline bool bit_test(const coh_t *c, uint64_t s, unsigned cpu)
{
	return (bits_of(c, s)[cpu / 64] >> (cpu % 64)) & 1;
}

static inline void bit_set(coh_t *c, uint64_t s, unsigned cpu)
{
	if (!bit_test(c, s, cpu)) {
		bits_of(c, s)[cpu / 64] |= 1ULL << (cpu % 64);
		add_count(c, s, 1);
	}
}

static inline void bit_clear(coh_t *c, uint64_t s, unsigned cpu)
{
	if (bit_test(c, s, cpu)) {
		bits_of(c, s)[cpu / 64] &= ~(1ULL << (cpu % 64));
		add_count(c, s, -1);
	}
}

/* --- queries ---------------------------------------------------------------- */

int coh_owner(coh_t *c, uint64_t blk)
{
	int64_t s = find(c, blk);

	return s < 0 ? -1 : get_owner(c, (uint64_t)s);
}

bool coh_holds(coh_t *c, uint64_t blk, unsigned cpu)
{
	int64_t s = find(c, blk);

	return s >= 0 && bit_test(c, (uint64_t)s, cpu);
}

unsigned coh_holders(coh_t *c, uint64_t blk, unsigned *cpus)
{
	int64_t s = find(c, blk);
	unsigned n = 0;

	if (s < 0)
		return 0;
	for (unsigned w = 0; w < c->words; w++) {
		uint64_t b = bits_of(c, (uint64_t)s)[w];
		while (b) {
			cpus[n++] = w * 64 + (unsigned)__builtin_ctzll(b);
			b &= b - 1;
		}
	}
	return n;
}

/* --- protocol --------------------------------------------------------------- */

static inline unsigned node_of(const coh_t *c, unsigned cpu) { return c->cpu_node[cpu]; }
static inline unsigned socket_of(const coh_t *c, unsigned cpu) { return c->node_socket[c->cpu_node[cpu]]; }

static sim_time_t xfer(coh_t *c, unsigned src, unsigned dst, sim_time_t now, uint32_t bytes)
{
	return src == dst ? 0 : c->ops.transfer(c->ops.ctx, src, dst, now, bytes);
}

/* Invalidate every holder of slot s except `keep`; @return the slowest acknowledgement. */
static sim_time_t invalidate_others(coh_t *c, uint64_t s, uint64_t blk, unsigned req, sim_time_t now,
				    bool *dirty)
{
	sim_time_t worst = 0;
	unsigned rn = node_of(c, req);

	for (unsigned w = 0; w < c->words; w++) {
		uint64_t b = bits_of(c, s)[w];
		while (b) {
			unsigned o = w * 64 + (unsigned)__builtin_ctzll(b);
			sim_time_t t;
			b &= b - 1;
			if (o == req)
				continue;
			if (c->ops.invalidate(c->ops.ctx, o, blk) && dirty)
				*dirty = true;
			bit_clear(c, s, o);
			c->stat[COH_INVAL_SENT]++;
			c->inval_rcvd[o]++;
			if (socket_of(c, o) == socket_of(c, req)) {
				t = c->cfg.c2c_latency;
			} else {
				unsigned on = node_of(c, o);
				c->stat[COH_INVAL_REMOTE]++;
				t = xfer(c, rn, on, now, c->cfg.msg_bytes);
				t += xfer(c, on, rn, now + t, c->cfg.msg_bytes);
			}
			if (t > worst)
				worst = t;
		}
	}
	return worst;
}

void coh_miss(coh_t *c, unsigned cpu, uint64_t blk, unsigned home, bool write, sim_time_t now,
	      struct coh_res *res)
{
	int64_t f = find(c, blk);
	uint64_t s;

	c->stat[COH_LOOKUPS]++;
	*res = (struct coh_res){ .from_cpu = -1 };
	s = f >= 0 ? (uint64_t)f : insert(c, blk);
	int32_t o = get_owner(c, s);
	if (o >= 0 && (unsigned)o != cpu) {
		unsigned on = node_of(c, (unsigned)o), rn = node_of(c, cpu);
		sim_time_t t;
		res->from_cpu = o;
		if (socket_of(c, (unsigned)o) == socket_of(c, cpu)) {
			t = c->cfg.c2c_latency;
			res->served = SRV_C2C_LOCAL;
			c->stat[COH_C2C_LOCAL]++;
		} else {
			t = xfer(c, rn, home, now, c->cfg.msg_bytes);
			t += c->cfg.dir_latency;
			t += xfer(c, home, on, now + t, c->cfg.msg_bytes);
			t += c->cfg.c2c_latency;
			t += xfer(c, on, rn, now + t, c->line);
			res->served = SRV_C2C_REMOTE;
			c->stat[COH_C2C_REMOTE]++;
		}
		res->lat = t;
		if (write) {
			/* the owner's data moves with ownership: no writeback */
			c->ops.invalidate(c->ops.ctx, (unsigned)o, blk);
			bit_clear(c, s, (unsigned)o);
			c->stat[COH_INVAL_SENT]++;
			if (socket_of(c, (unsigned)o) != socket_of(c, cpu))
				c->stat[COH_INVAL_REMOTE]++;
			c->inval_rcvd[o]++;
			set_owner(c, (uint64_t)s, (int32_t)cpu);
			res->exclusive = true;
		} else {
			res->writeback = c->ops.downgrade(c->ops.ctx, (unsigned)o, blk);
			c->stat[COH_DOWNGRADES]++;
			if (res->writeback)
				c->stat[COH_WRITEBACKS]++;
			set_owner(c, (uint64_t)s, -1);
		}
		bit_set(c, s, cpu);
		return;
	}
	if (write) {
		res->lat = invalidate_others(c, s, blk, cpu, now, &res->writeback);
		set_owner(c, (uint64_t)s, (int32_t)cpu);
		res->exclusive = true;
	} else if (get_count(c, s) == 0 || (get_count(c, s) == 1 && bit_test(c, s, cpu))) {
		set_owner(c, (uint64_t)s, (int32_t)cpu);
		res->exclusive = true;
	}
	bit_set(c, s, cpu);
}

sim_time_t coh_upgrade(coh_t *c, unsigned cpu, uint64_t blk, unsigned home, sim_time_t now)
{
	int64_t f = find(c, blk);
	unsigned rn = node_of(c, cpu);
	sim_time_t t;

	SIM_BUG_ON(f < 0 || !bit_test(c, (uint64_t)f, cpu));
	c->stat[COH_LOOKUPS]++;
	c->stat[COH_UPGRADES]++;
	if (c->node_socket[home] == socket_of(c, cpu)) {
		t = c->cfg.dir_latency;
	} else {
		t = xfer(c, rn, home, now, c->cfg.msg_bytes) + c->cfg.dir_latency;
		t += xfer(c, home, rn, now + t, c->cfg.msg_bytes);
	}
	t += invalidate_others(c, (uint64_t)f, blk, cpu, now + t, NULL);
	set_owner(c, (uint64_t)f, (int32_t)cpu);
	return t;
}

void coh_evict(coh_t *c, unsigned cpu, uint64_t blk)
{
	int64_t f = find(c, blk);

	if (f < 0)
		return;
	bit_clear(c, (uint64_t)f, cpu);
	if (get_owner(c, (uint64_t)f) == (int32_t)cpu)
		set_owner(c, (uint64_t)f, -1);
	if (!get_count(c, (uint64_t)f))
		erase(c, (uint64_t)f);
}

uint64_t coh_stat(const coh_t *c, enum coh_stat s)
{
	return c->stat[s];
}

uint64_t coh_inval_received(const coh_t *c, unsigned cpu)
{
	return c->inval_rcvd[cpu];
}

void coh_report(const coh_t *c, rep_t *r)
{
	struct stat_block sb = { coh_stat_desc, c->stat, NR_COH_STATS };

	rep_obj_begin(r, "coherence");
	rep_str(r, "protocol", "MESI, home-node directory");
	rep_u64(r, "dir_slots", c->max_slots);
	rep_stats(r, "stats", &sb);
	rep_arr_begin(r, "invalidations_received");
	for (unsigned i = 0; i < c->nr_cpus; i++)
		rep_u64(r, NULL, c->inval_rcvd[i]);
	rep_arr_end(r);
	rep_obj_end(r);
}
