/*
 * hw/coherence.c - the MESI directory (see coherence.h).
 *
 * Table layout: parallel arrays indexed by slot - key (block + 1, 0 empty),
 * owner (-1 when shared), holder count, and a bitmap of holders
 * (`words` 64-bit words per slot).  A line owned by o has exactly o's bit
 * set; a shared line has every holder's bit.
 */
#include <stdlib.h>
#include <string.h>
#include "hw/coherence.h"
#include "hw/hw.h"
#include "sim/err.h"

static const struct stat_desc coh_stat_desc[] = { COH_STATS(STAT_DESC) };
STAT_TABLE_CHECK(coh_stat_desc, NR_COH_STATS);

struct coh {
	struct coh_ops ops;
	struct coherence_cfg cfg;
	unsigned nr_cpus;
	uint32_t line;            /* bytes of a forwarded line */
	uint16_t *cpu_node;
	uint16_t node_socket[HW_MAX_NODES];
	/* table */
	uint64_t mask;            /* slots - 1 */
	unsigned shift;           /* 64 - log2(slots) */
	unsigned words;           /* bitmap words per slot */
	uint64_t *key;
	int32_t *owner;
	uint32_t *count;
	uint64_t *bits;
	uint64_t *inval_rcvd;     /* per CPU */
	uint64_t stat[NR_COH_STATS];
};

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
	c->ops = *ops;
	c->cfg = cfg->coherence;
	c->nr_cpus = n;
	c->line = cfg->caches.l1d.line;
	c->mask = slots - 1;
	c->shift = 64 - ilog2_u64(slots);
	c->words = (n + 63) / 64;
	c->cpu_node = calloc(n, sizeof(*c->cpu_node));
	c->key = calloc(slots, sizeof(*c->key));
	c->owner = calloc(slots, sizeof(*c->owner));
	c->count = calloc(slots, sizeof(*c->count));
	c->bits = calloc(slots * c->words, sizeof(*c->bits));
	c->inval_rcvd = calloc(n, sizeof(*c->inval_rcvd));
	if (!c->cpu_node || !c->key || !c->owner || !c->count || !c->bits || !c->inval_rcvd) {
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
	free(c->key);
	free(c->owner);
	free(c->count);
	free(c->bits);
	free(c->inval_rcvd);
	free(c);
}

/* --- table ------------------------------------------------------------------ */

static inline uint64_t home_slot(const coh_t *c, uint64_t blk)
{
	return ((blk + 1) * 0x9E3779B97F4A7C15ULL) >> c->shift;
}

static int64_t find(const coh_t *c, uint64_t blk)
{
	for (uint64_t s = home_slot(c, blk);; s = (s + 1) & c->mask) {
		if (c->key[s] == blk + 1)
			return (int64_t)s;
		if (!c->key[s])
			return -1;
	}
}

static uint64_t insert(coh_t *c, uint64_t blk)
{
	uint64_t s = home_slot(c, blk);

	/* the table holds at most the private lines, half its slots: never full */
	SIM_BUG_ON(c->stat[COH_ENTRIES] >= c->mask);
	while (c->key[s])
		s = (s + 1) & c->mask;
	c->key[s] = blk + 1;
	c->owner[s] = -1;
	c->count[s] = 0;
	memset(&c->bits[s * c->words], 0, c->words * sizeof(uint64_t));
	if (++c->stat[COH_ENTRIES] > c->stat[COH_ENTRIES_MAX])
		c->stat[COH_ENTRIES_MAX] = c->stat[COH_ENTRIES];
	return s;
}

static void move_slot(coh_t *c, uint64_t to, uint64_t from)
{
	c->key[to] = c->key[from];
	c->owner[to] = c->owner[from];
	c->count[to] = c->count[from];
	memcpy(&c->bits[to * c->words], &c->bits[from * c->words], c->words * sizeof(uint64_t));
}

/* Backward-shift deletion keeps every probe chain unbroken without tombstones. */
static void erase(coh_t *c, uint64_t i)
{
	uint64_t j = i;

	for (;;) {
		j = (j + 1) & c->mask;
		if (!c->key[j])
			break;
		uint64_t k = home_slot(c, c->key[j] - 1);
		/* can the entry at j live at i?  only if its home is not in (i, j] cyclically */
		bool stays = (i <= j) ? (i < k && k <= j) : (i < k || k <= j);
		if (!stays) {
			move_slot(c, i, j);
			i = j;
		}
	}
	c->key[i] = 0;
	c->stat[COH_ENTRIES]--;
}

static inline bool bit_test(const coh_t *c, uint64_t s, unsigned cpu)
{
	return (c->bits[s * c->words + cpu / 64] >> (cpu % 64)) & 1;
}

static inline void bit_set(coh_t *c, uint64_t s, unsigned cpu)
{
	if (!bit_test(c, s, cpu)) {
		c->bits[s * c->words + cpu / 64] |= 1ULL << (cpu % 64);
		c->count[s]++;
	}
}

static inline void bit_clear(coh_t *c, uint64_t s, unsigned cpu)
{
	if (bit_test(c, s, cpu)) {
		c->bits[s * c->words + cpu / 64] &= ~(1ULL << (cpu % 64));
		c->count[s]--;
	}
}

/* --- queries ---------------------------------------------------------------- */

int coh_owner(const coh_t *c, uint64_t blk)
{
	int64_t s = find(c, blk);

	return s < 0 ? -1 : c->owner[s];
}

bool coh_holds(const coh_t *c, uint64_t blk, unsigned cpu)
{
	int64_t s = find(c, blk);

	return s >= 0 && bit_test(c, (uint64_t)s, cpu);
}

unsigned coh_holders(const coh_t *c, uint64_t blk, unsigned *cpus)
{
	int64_t s = find(c, blk);
	unsigned n = 0;

	if (s < 0)
		return 0;
	for (unsigned w = 0; w < c->words; w++) {
		uint64_t b = c->bits[(uint64_t)s * c->words + w];
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
		uint64_t b = c->bits[s * c->words + w];
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
	int32_t o = c->owner[s];
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
			c->owner[s] = (int32_t)cpu;
			res->exclusive = true;
		} else {
			res->writeback = c->ops.downgrade(c->ops.ctx, (unsigned)o, blk);
			c->stat[COH_DOWNGRADES]++;
			if (res->writeback)
				c->stat[COH_WRITEBACKS]++;
			c->owner[s] = -1;
		}
		bit_set(c, s, cpu);
		return;
	}
	if (write) {
		res->lat = invalidate_others(c, s, blk, cpu, now, &res->writeback);
		c->owner[s] = (int32_t)cpu;
		res->exclusive = true;
	} else if (c->count[s] == 0 || (c->count[s] == 1 && bit_test(c, s, cpu))) {
		c->owner[s] = (int32_t)cpu;
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
	c->owner[f] = (int32_t)cpu;
	return t;
}

void coh_evict(coh_t *c, unsigned cpu, uint64_t blk)
{
	int64_t f = find(c, blk);

	if (f < 0)
		return;
	bit_clear(c, (uint64_t)f, cpu);
	if (c->owner[f] == (int32_t)cpu)
		c->owner[f] = -1;
	if (!c->count[f])
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
	rep_u64(r, "dir_slots", c->mask + 1);
	rep_stats(r, "stats", &sb);
	rep_arr_begin(r, "invalidations_received");
	for (unsigned i = 0; i < c->nr_cpus; i++)
		rep_u64(r, NULL, c->inval_rcvd[i]);
	rep_arr_end(r);
	rep_obj_end(r);
}
