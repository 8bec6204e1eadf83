/*
 * hw/hw.c - the simulated machine's hardware as one object (see hw.h).
 *
 * Per CPU: L1I, L1D, a unified L2 (inclusive of both L1s: an L2 eviction
 * back-invalidates them, so the L2 speaks for the CPU's private hierarchy
 * towards the coherence directory) and an MMU whose page-walk loads come
 * back here through walk_load().  Per socket: the shared L3 (inclusive,
 * non-inclusive or exclusive).  Per node: a DDR controller; between nodes:
 * the link network.  Machine-wide: the MESI directory (hw/coherence.h).
 *
 * Latency of one line, lookups in series (each level is looked up after the
 * previous one missed, so the hit latencies add):
 *   L1 hit        l1
 *   L2 hit        l1 + l2
 *   L3 hit        l1 + l2 + l3                         (+ invalidations on a store)
 *   c2c, socket   l1 + l2 + l3 + c2c_latency
 *   c2c, remote   l1 + l2 + l3 + uncore + T(req->home) + dir + T(home->owner) + c2c + T(owner->req)
 *   DRAM          l1 + l2 + l3 + uncore + T(req->home, msg) + dir_latency
 *                 + max(ddr_access, invalidations) + T(home->req, line)
 * with T() = link_transfer (0 within a node).  A store hitting a line held
 * Shared adds the upgrade (coherence.h).  An access straddling lines looks
 * them up together: its latency and served level are those of the slowest.
 * Dirty victims are written to the next level, and finally with
 * ddr_write at their home node (through the links when remote):
 * they occupy those resources but are not added to the demand latency,
 * except the wait for an entry in a full DDR write queue (hw/ddr.c), which
 * holds the demand access whose fill evicted them: each step of the victim
 * chain returns that wait, and the line's latency adds the longest.
 * Prefetches likewise fetch through the hierarchy off the critical path.
 */
#include <stdlib.h>
#include <string.h>
#include "hw/hw.h"
#include "hw/hw_hit.h"
#include "hw/cache.h"
#include "hw/coherence.h"
#include "hw/ddr.h"
#include "hw/link.h"
#include "hw/mmu.h"
#include "hw/prefetch.h"
#include "sim/err.h"

const char *const hw_served_names[] = {
#define HW_SERVED_NAME(id, name, doc) #name,
	HW_SERVED(HW_SERVED_NAME)
#undef HW_SERVED_NAME
	NULL
};

#define HWCPU_STATS(X)                                                                           \
	X(HC_ACCESSES,  accesses,     EVENT, "accesses", "memory references (hw_access calls)")   \
	X(HC_LINES,     lines,        EVENT, "lines",    "cache lines those references touched") \
	X(HC_FAULTS,    faults,       EVENT, "accesses", "references that stopped at a translation fault") \
	X(HC_WALK_LDS,  walk_loads,   EVENT, "loads",    "page-table loads sent through the caches") \
	X(HC_UPGRADES,  upgrades,     EVENT, "lines",    "stores that found their line Shared (S -> M)") \
	X(HC_PF_FILLS,  prefetch_fills, EVENT, "lines",  "lines brought by this CPU's prefetchers") \
	X(HC_XLAT_PS,   xlat_ps,      EVENT, "ps",       "latency spent translating")

enum hwcpu_stat { HWCPU_STATS(STAT_ENUM) NR_HWCPU_STATS };
static const struct stat_desc hwcpu_stat_desc[] = { HWCPU_STATS(STAT_DESC) };
STAT_TABLE_CHECK(hwcpu_stat_desc, NR_HWCPU_STATS);

#define HW_STATS(X)                                                                                    \
	X(HW_DRAM_READS,      dram_reads,       EVENT, "lines", "demand and prefetch line reads at a DDR controller") \
	X(HW_DRAM_WRITEBACKS, dram_writebacks,  EVENT, "lines", "dirty lines written back to a DDR controller") \
	X(HW_L3_BACKINVAL,    l3_back_invalidations, EVENT, "lines", "private copies removed by an inclusive L3 eviction") \
	X(HW_L3_XINVAL,       l3_cross_socket_invalidations, EVENT, "lines", "L3 copies on other sockets removed by a store") \
	X(HW_COPY_LINES,      copy_lines,       EVENT, "lines", "lines moved by hw_copy_page") \
	X(HW_ZERO_LINES,      zero_lines,       EVENT, "lines", "lines written by hw_zero_page") \
	X(HW_SHOOTDOWNS,      shootdowns,       EVENT, "calls", "TLB shootdowns") \
	X(HW_SHOOTDOWN_IPIS,  shootdown_ipis,   EVENT, "cpus",  "remote CPUs interrupted by shootdowns") \
	X(HW_BAD_PADDR,       unbacked_lines,   EVENT, "lines", "lines outside every node's memory (served by the CPU's own node)")

enum hw_stat { HW_STATS(STAT_ENUM) NR_HW_STATS };
static const struct stat_desc hw_stat_desc[] = { HW_STATS(STAT_DESC) };
STAT_TABLE_CHECK(hw_stat_desc, NR_HW_STATS);

/* Which private level a prefetcher fills. */
enum { LVL_L1D, LVL_L2 };

struct hw_cpu {
	cache_t *l1i, *l1d, *l2;
	mmu_t *mmu;
	struct hw_hit hit;                     /* the inline hit path (hw_hit.h), with the MMU's (mmu.h) */
	unsigned node, socket;
	uint64_t served[NR_HW_SERVED];
	uint64_t served_ps[NR_HW_SERVED];
	uint64_t stat[NR_HWCPU_STATS];
};

struct hw {
	struct hw_cfg cfg;
	pmem_t *pm;
	unsigned nr_cpus, nr_sockets;
	struct hw_cpu *cpu;
	cache_t **l3;                          /* per socket, NULL entries when disabled */
	ddr_t *ddr[HW_MAX_NODES];
	linknet_t *ln;
	coh_t *coh;
	uint64_t node_base[HW_MAX_NODES + 1];
	unsigned socket_node[HW_MAX_NODES];    /* first node of each socket */
	unsigned line_shift;
	uint32_t line;
	uint32_t incl;                         /* enum cache_inclusion of the L3 */
	sim_time_t l1d_ps, l1i_ps, l2_ps, l3_ps;
	unsigned *holders;                     /* scratch: nr_cpus */
	/*
	 * One bit per frame of memory (2^frame_shift bytes): set when a line of
	 * the frame may be in some cache, cleared when a bulk write has just
	 * dropped every line of the frame from every cache.  Lines enter caches
	 * only through private_miss, which sets it.  So zeroing or copying onto a
	 * frame no cache holds skips the per-line invalidation pass (64 directory
	 * probes and L3 lookups for a 4 KiB page) with the same result.
	 */
	uint64_t *frame_cached;
	uint64_t nr_frames;
	unsigned frame_shift;
	sim_time_t end;                        /* latest completion seen (for utilisation) */
	sim_time_t horizon;                    /* nothing is booked before this any more (hw_set_horizon) */
	uint64_t stat[NR_HW_STATS];
};

/* --- topology ------------------------------------------------------------ */

const struct hw_cfg *hw_config(const hw_t *hw) { return &hw->cfg; }
unsigned hw_nr_cpus(const hw_t *hw) { return hw->nr_cpus; }
unsigned hw_cpu_node(const hw_t *hw, unsigned cpu) { return hw->cpu[cpu].node; }
uint64_t hw_node_base(const hw_t *hw, unsigned node) { return hw->node_base[node]; }

int hw_paddr_node(const hw_t *hw, uint64_t paddr)
{
	for (unsigned n = 0; n < hw->cfg.nr_nodes; n++)
		if (paddr >= hw->node_base[n] && paddr < hw->node_base[n + 1])
			return (int)n;
	return -1;
}

/* Home node of a line; lines outside memory (untranslated tests) count against the CPU's node. */
static inline unsigned home_of(hw_t *hw, uint64_t blk, unsigned cpu_node)
{
	int n = hw_paddr_node(hw, blk << hw->line_shift);

	if (unlikely(n < 0)) {
		hw->stat[HW_BAD_PADDR]++;
		return cpu_node;
	}
	return (unsigned)n;
}

static inline sim_time_t xfer(hw_t *hw, unsigned a, unsigned b, sim_time_t now, uint32_t bytes)
{
	return a == b ? 0 : link_transfer(hw->ln, a, b, now, bytes);
}

/* --- "cached anywhere" bits of frames ------------------------------------- */

static inline void frame_mark(hw_t *hw, uint64_t blk)
{
	uint64_t f = (blk << hw->line_shift) >> hw->frame_shift;

	if (likely(f < hw->nr_frames))
		hw->frame_cached[f / 64] |= 1ULL << (f % 64);
}

/* Whether a line of frame f may be cached (frames outside memory: assume so). */
static inline bool frame_maybe_cached(const hw_t *hw, uint64_t f)
{
	return f >= hw->nr_frames || ((hw->frame_cached[f / 64] >> (f % 64)) & 1);
}

/* Every line of [paddr, paddr + bytes) was just dropped from every cache: clear whole frames. */
static void frames_dropped(hw_t *hw, uint64_t paddr, uint64_t bytes)
{
	uint64_t fsz = 1ULL << hw->frame_shift;
	uint64_t first = (paddr + fsz - 1) >> hw->frame_shift, end = (paddr + bytes) >> hw->frame_shift;

	for (uint64_t f = first; f < end && f < hw->nr_frames; f++)
		hw->frame_cached[f / 64] &= ~(1ULL << (f % 64));
}

/* --- write-backs (off the critical path) --------------------------------- */

/* @return how long the line waited for a DDR write-queue entry (it holds its evictor that long) */
static sim_time_t writeback_mem(hw_t *hw, unsigned from_node, uint64_t blk, sim_time_t now)
{
	unsigned home = home_of(hw, blk, from_node);
	sim_time_t t = xfer(hw, from_node, home, now, hw->line), wait;

	ddr_write(hw->ddr[home], blk << hw->line_shift, now + t, &wait);
	hw->stat[HW_DRAM_WRITEBACKS]++;
	return wait;
}

/* Drop blk from cpu's private hierarchy. @return true if any copy was dirty. */
static bool private_invalidate(hw_t *hw, unsigned cpu, uint64_t blk)
{
	struct hw_cpu *p = &hw->cpu[cpu];
	uint8_t f = cache_invalidate(p->l1d, blk, true) | cache_invalidate(p->l1i, blk, true);

	if (p->l2)
		f |= cache_invalidate(p->l2, blk, true);
	return f & CL_DIRTY;
}

static sim_time_t l3_victim(hw_t *hw, unsigned socket, const struct cache_victim *v, sim_time_t now);

/*
 * A line leaves cpu's private hierarchy (dirty: with its data) towards the L3 / memory.
 * This and the *_victim functions @return the write-queue wait (writeback_mem).
 */
static sim_time_t private_release(hw_t *hw, unsigned cpu, uint64_t blk, bool dirty, sim_time_t now)
{
	struct hw_cpu *p = &hw->cpu[cpu];
	cache_t *l3 = hw->l3[p->socket];
	struct cache_victim v;
	int64_t s;

	coh_evict(hw->coh, cpu, blk);
	if (!l3)
		return dirty ? writeback_mem(hw, p->node, blk, now) : 0;
	s = cache_probe(l3, blk);
	if (s >= 0) {
		if (dirty)
			cache_slot_set(l3, s, CL_DIRTY);
		return 0;
	}
	/* exclusive: every victim fills the L3; non-inclusive: dirty ones do */
	if (hw->incl == INCL_EXCLUSIVE || (dirty && hw->incl == INCL_NONINCLUSIVE)) {
		cache_fill(l3, blk, dirty ? CL_DIRTY : 0, &v);
		return l3_victim(hw, p->socket, &v, now);
	}
	return dirty ? writeback_mem(hw, p->node, blk, now) : 0;
}

/* Victim of an L2 fill: back-invalidate the L1s (inclusion), then release. */
static sim_time_t l2_victim(hw_t *hw, unsigned cpu, const struct cache_victim *v, sim_time_t now)
{
	struct hw_cpu *p = &hw->cpu[cpu];
	uint8_t f;

	if (!v->valid)
		return 0;
	f = v->flags | cache_invalidate(p->l1d, v->blk, true) | cache_invalidate(p->l1i, v->blk, true);
	return private_release(hw, cpu, v->blk, f & CL_DIRTY, now);
}

/* Victim of an L1 fill. */
static sim_time_t l1_victim(hw_t *hw, unsigned cpu, cache_t *other_l1, const struct cache_victim *v, sim_time_t now)
{
	struct hw_cpu *p = &hw->cpu[cpu];
	int64_t s;

	if (!v->valid)
		return 0;
	if (p->l2) {
		s = cache_probe(p->l2, v->blk);
		SIM_BUG_ON(s < 0);     /* the L2 is inclusive of the L1s */
		if (v->flags & CL_DIRTY)
			cache_slot_set(p->l2, s, CL_DIRTY);
		return 0;
	}
	/* no L2: the line leaves the private hierarchy once neither L1 holds it */
	s = cache_probe(other_l1, v->blk);
	if (s >= 0) {
		if (v->flags & CL_DIRTY)
			cache_slot_set(other_l1, s, CL_DIRTY);
		return 0;
	}
	return private_release(hw, cpu, v->blk, v->flags & CL_DIRTY, now);
}

/* Victim of an L3 fill: an inclusive L3 takes the private copies on its socket with it. */
static sim_time_t l3_victim(hw_t *hw, unsigned socket, const struct cache_victim *v, sim_time_t now)
{
	bool dirty;

	if (!v->valid)
		return 0;
	dirty = v->flags & CL_DIRTY;
	if (hw->incl == INCL_INCLUSIVE) {
		unsigned n = coh_holders(hw->coh, v->blk, hw->holders);
		for (unsigned i = 0; i < n; i++) {
			unsigned c = hw->holders[i];
			if (hw->cpu[c].socket != socket)
				continue;
			dirty |= private_invalidate(hw, c, v->blk);
			coh_evict(hw->coh, c, v->blk);
			hw->stat[HW_L3_BACKINVAL]++;
		}
	}
	return dirty ? writeback_mem(hw, hw->socket_node[socket], v->blk, now) : 0;
}

/* --- coherence callbacks ------------------------------------------------- */

static bool cb_invalidate(void *ctx, unsigned cpu, uint64_t blk)
{
	return private_invalidate(ctx, cpu, blk);
}

static bool cb_downgrade(void *ctx, unsigned cpu, uint64_t blk)
{
	hw_t *hw = ctx;
	struct hw_cpu *p = &hw->cpu[cpu];
	cache_t *lv[3] = { p->l1d, p->l1i, p->l2 };
	bool dirty = false;

	for (int i = 0; i < 3; i++) {
		int64_t s = lv[i] ? cache_probe(lv[i], blk) : -1;
		if (s >= 0) {
			dirty |= cache_slot_flags(lv[i], s) & CL_DIRTY;
			cache_slot_clear(lv[i], s, CL_DIRTY | CL_WRITABLE);
		}
	}
	return dirty;
}

static sim_time_t cb_transfer(void *ctx, unsigned a, unsigned b, sim_time_t now, uint32_t bytes)
{
	hw_t *hw = ctx;

	return link_transfer(hw->ln, a, b, now, bytes);
}

/* --- the miss path --------------------------------------------------------- */

/* A store acquiring ownership removes stale copies from the other sockets' L3s (in parallel). */
static void l3_cross_invalidate(hw_t *hw, unsigned cpu, uint64_t blk, sim_time_t now)
{
	struct hw_cpu *p = &hw->cpu[cpu];

	for (unsigned s = 0; s < hw->nr_sockets; s++) {
		uint8_t f;
		if (s == p->socket || !hw->l3[s])
			continue;
		f = cache_invalidate(hw->l3[s], blk, true);
		if (!f)
			continue;
		hw->stat[HW_L3_XINVAL]++;
		xfer(hw, p->node, hw->socket_node[s], now, hw->cfg.coherence.msg_bytes);
		if (f & CL_DIRTY)
			writeback_mem(hw, hw->socket_node[s], blk, now);
	}
}

struct line_res {
	uint8_t served;
	uint8_t hops;
	bool exclusive;
	bool dirty;          /* the line arrives dirty (an exclusive L3 handing up modified data) */
};

/*
 * cpu's private hierarchy missed blk: find it on the socket, in another
 * CPU's cache, or at the home node.  @return ps from `now`; *wb: the
 * write-queue wait of the L3 victim the fill evicted.
 */
static sim_time_t private_miss(hw_t *hw, unsigned cpu, uint64_t blk, enum cache_req req, bool write,
			       sim_time_t now, struct line_res *lr, sim_time_t *wb)
{
	struct hw_cpu *p = &hw->cpu[cpu];
	cache_t *l3 = hw->l3[p->socket];
	const struct coherence_cfg *cc = &hw->cfg.coherence;
	int owner = coh_owner(hw->coh, blk);
	unsigned home = home_of(hw, blk, p->node);
	struct coh_res cr;
	struct cache_victim v;
	sim_time_t lat = 0;
	int64_t s3 = -1;

	lr->dirty = false;
	lr->hops = 0;
	*wb = 0;
	frame_mark(hw, blk);
	if (l3) {
		lat += hw->l3_ps;
		s3 = cache_lookup(l3, blk, req, NULL);
	}
	if (owner >= 0 && (unsigned)owner != cpu) {
		/* another private hierarchy owns it: the directory forwards */
		unsigned on = hw->cpu[owner].node;
		if (hw->cpu[owner].socket != p->socket)
			lat += hw->cfg.uncore;
		coh_miss(hw->coh, cpu, blk, home, write, now + lat, &cr);
		lat += cr.lat;
		lr->served = cr.served;
		lr->hops = (uint8_t)linknet_hops(hw->ln, on, p->node);
		if (cr.writeback)
			writeback_mem(hw, on, blk, now + lat);
		if (l3 && s3 < 0 && hw->incl == INCL_INCLUSIVE) {
			cache_fill(l3, blk, 0, &v);
			*wb = l3_victim(hw, p->socket, &v, now + lat);
		} else if (l3 && s3 >= 0 && hw->incl == INCL_EXCLUSIVE) {
			cache_invalidate(l3, blk, false);
		}
	} else if (s3 >= 0) {
		lr->served = SRV_L3;
		coh_miss(hw->coh, cpu, blk, home, write, now + lat, &cr);
		lat += cr.lat;
		if (hw->incl == INCL_EXCLUSIVE) {
			/* the line moves up and leaves the L3, with its dirty bit */
			lr->dirty = cache_invalidate(l3, blk, false) & CL_DIRTY;
		}
	} else {
		unsigned node = p->node;
		sim_time_t d;
		lat += hw->cfg.uncore;
		lat += xfer(hw, node, home, now + lat, cc->msg_bytes);
		lat += cc->dir_latency;
		coh_miss(hw->coh, cpu, blk, home, write, now + lat, &cr);
		d = ddr_access(hw->ddr[home], blk << hw->line_shift, false, now + lat, NULL);
		hw->stat[HW_DRAM_READS]++;
		lat += SIM_MAX(d, cr.lat);
		lat += xfer(hw, home, node, now + lat, hw->line);
		lr->served = home == node ? SRV_DRAM_LOCAL : SRV_DRAM_REMOTE;
		lr->hops = (uint8_t)linknet_hops(hw->ln, home, node);
		if (l3 && hw->incl != INCL_EXCLUSIVE) {
			cache_fill(l3, blk, 0, &v);
			*wb = l3_victim(hw, p->socket, &v, now + lat);
		}
	}
	lr->exclusive = cr.exclusive;
	if (write && hw->nr_sockets > 1)
		l3_cross_invalidate(hw, cpu, blk, now);
	return lat;
}

/* Fill the private hierarchy after a miss; @return the victims' write-queue wait. */
static sim_time_t private_fill(hw_t *hw, unsigned cpu, cache_t *l1, cache_t *other_l1, uint64_t blk,
			       uint8_t l1_flags, uint8_t l2_flags, sim_time_t now)
{
	struct hw_cpu *p = &hw->cpu[cpu];
	struct cache_victim v;
	sim_time_t wb = 0;

	if (p->l2) {
		cache_fill(p->l2, blk, l2_flags, &v);
		wb = l2_victim(hw, cpu, &v, now);
	}
	cache_fill(l1, blk, l1_flags, &v);
	return SIM_MAX(wb, l1_victim(hw, cpu, other_l1, &v, now));
}

static sim_time_t upgrade(hw_t *hw, unsigned cpu, uint64_t blk, sim_time_t now)
{
	struct hw_cpu *p = &hw->cpu[cpu];
	sim_time_t t = coh_upgrade(hw->coh, cpu, blk, home_of(hw, blk, p->node), now);
	int64_t s;

	p->stat[HC_UPGRADES]++;
	if (p->l2 && (s = cache_probe(p->l2, blk)) >= 0)
		cache_slot_set(p->l2, s, CL_WRITABLE);
	if (hw->nr_sockets > 1)
		l3_cross_invalidate(hw, cpu, blk, now);
	return t;
}

static void prefetch_run(hw_t *hw, unsigned cpu, int level, cache_t *c, uint64_t blk, sim_time_t now);

/*
 * The rest of one line's trip after its L1 lookup (slot s, pf: the lookup
 * hit a prefetched line), for everything but a plain L1 hit: a store that
 * must upgrade, a prefetcher to train, or a miss.  Out of line so that the
 * L1-hit path stays short.  @return ps from `now`.
 */
static __attribute__((noinline)) sim_time_t access_after_l1(hw_t *hw, unsigned cpu, uint64_t blk,
							    enum cache_req req, bool write, sim_time_t now,
							    sim_time_t lat, int64_t s, bool pf, struct line_res *lr)
{
	struct hw_cpu *p = &hw->cpu[cpu];
	bool ifetch = req == CREQ_IFETCH;
	cache_t *l1 = ifetch ? p->l1i : p->l1d, *other = ifetch ? p->l1d : p->l1i;

	if (s >= 0) {
		*lr = (struct line_res){ .served = SRV_L1 };
		if (write) {
			if (!(cache_slot_flags(l1, s) & CL_WRITABLE))
				lat += upgrade(hw, cpu, blk, now + lat);
			cache_slot_set(l1, s, CL_DIRTY | CL_WRITABLE);
		}
		if (unlikely(pf) && !ifetch)
			prefetch_run(hw, cpu, LVL_L1D, l1, blk, now + lat);
		return lat;
	}
	lr->hops = 0;
	if (p->l2) {
		int64_t s2;
		bool pf2;
		lat += hw->l2_ps;
		s2 = cache_lookup(p->l2, blk, req, &pf2);
		if (s2 >= 0) {
			uint8_t f2 = cache_slot_flags(p->l2, s2);
			struct cache_victim v;
			lr->served = SRV_L2;
			if (write && !(f2 & CL_WRITABLE))
				lat += upgrade(hw, cpu, blk, now + lat);
			f2 = cache_slot_flags(p->l2, s2);
			cache_fill(l1, blk, (uint8_t)((f2 & CL_WRITABLE) | (write ? CL_DIRTY | CL_WRITABLE : 0)), &v);
			l1_victim(hw, cpu, other, &v, now + lat);
			if (pf2)
				prefetch_run(hw, cpu, LVL_L2, p->l2, blk, now + lat);
			if (!ifetch)
				prefetch_run(hw, cpu, LVL_L1D, l1, blk, now + lat);
			return lat;
		}
	}
	/* the other L1 may hold it when there is no L2 (code and data in one line) */
	if (!p->l2 && (s = cache_probe(other, blk)) >= 0) {
		uint8_t f = cache_slot_flags(other, s);
		struct cache_victim v;
		lr->served = SRV_L1;
		if (write && !(f & CL_WRITABLE))
			lat += upgrade(hw, cpu, blk, now + lat);
		cache_slot_clear(other, s, CL_WRITABLE);
		cache_fill(l1, blk, (uint8_t)((write || (f & CL_WRITABLE)) ? CL_WRITABLE : 0) | (write ? CL_DIRTY : 0) |
			   (f & CL_DIRTY), &v);
		cache_slot_clear(other, s, CL_DIRTY);
		l1_victim(hw, cpu, other, &v, now + lat);
		return lat;
	}
	{
		sim_time_t wb, wb2;
		uint8_t w;
		lat += private_miss(hw, cpu, blk, req, write, now + lat, lr, &wb);
		w = lr->exclusive ? CL_WRITABLE : 0;
		wb2 = private_fill(hw, cpu, l1, other, blk, (uint8_t)(w | (write ? CL_DIRTY : 0)),
				   (uint8_t)(w | (lr->dirty ? CL_DIRTY : 0)), now + lat);
		/* a full write queue holds the victims, and with them the fill that evicted them */
		lat += SIM_MAX(wb, wb2);
	}
	if (p->l2)
		prefetch_run(hw, cpu, LVL_L2, p->l2, blk, now + lat);
	if (!ifetch)
		prefetch_run(hw, cpu, LVL_L1D, l1, blk, now + lat);
	return lat;
}

/*
 * One line through cpu's hierarchy.  @return ps from `now`; *lr says where
 * it was served.  Inline: a load hitting the L1, or a store hitting a line
 * the L1 holds writable, with no prefetcher to train, ends here.
 */
static inline __attribute__((always_inline)) sim_time_t access_line(hw_t *hw, unsigned cpu, uint64_t blk, enum cache_req req, bool write, sim_time_t now,
			      struct line_res *lr)
{
	struct hw_cpu *p = &hw->cpu[cpu];
	bool ifetch = req == CREQ_IFETCH;
	cache_t *l1 = ifetch ? p->l1i : p->l1d;
	sim_time_t lat = ifetch ? hw->l1i_ps : hw->l1d_ps;
	bool pf;
	int64_t s = cache_lookup(l1, blk, req, &pf);

	if (likely(s >= 0 && !pf && (!write || (cache_slot_flags(l1, s) & CL_WRITABLE)))) {
		if (write)
			cache_slot_set(l1, s, CL_DIRTY | CL_WRITABLE);
		/* one store of the whole result: the caller reads served and hops together */
		*lr = (struct line_res){ .served = SRV_L1 };
		return lat;
	}
	return access_after_l1(hw, cpu, blk, req, write, now, lat, s, pf, lr);
}

/* --- prefetch -------------------------------------------------------------- */

static void prefetch_one(hw_t *hw, unsigned cpu, int level, uint64_t blk, sim_time_t now)
{
	struct hw_cpu *p = &hw->cpu[cpu];
	struct line_res lr;
	sim_time_t wb;
	int64_t s2;
	int owner;

	if (hw_paddr_node(hw, blk << hw->line_shift) < 0)
		return;
	if (level == LVL_L1D && cache_probe(p->l1d, blk) >= 0)
		return;
	if (p->l2 && (s2 = cache_probe(p->l2, blk)) >= 0) {
		struct cache_victim v;
		if (level == LVL_L2)
			return;
		cache_fill(p->l1d, blk, (uint8_t)(CL_PREFETCHED | (cache_slot_flags(p->l2, s2) & CL_WRITABLE)), &v);
		l1_victim(hw, cpu, p->l1i, &v, now);
		p->stat[HC_PF_FILLS]++;
		return;
	}
	if (!p->l2 && cache_probe(p->l1i, blk) >= 0)
		return;
	/* a prefetch does not take a line another CPU owns */
	owner = coh_owner(hw->coh, blk);
	if (owner >= 0 && (unsigned)owner != cpu)
		return;
	private_miss(hw, cpu, blk, CREQ_PREFETCH, false, now, &lr, &wb);   /* off the critical path: no one waits */
	{
		uint8_t w = lr.exclusive ? CL_WRITABLE : 0;
		uint8_t d = lr.dirty ? CL_DIRTY : 0;
		struct cache_victim v;
		if (p->l2) {
			cache_fill(p->l2, blk, (uint8_t)(w | d | (level == LVL_L2 ? CL_PREFETCHED : 0)), &v);
			l2_victim(hw, cpu, &v, now);
			d = 0;
		}
		if (level == LVL_L1D || !p->l2) {
			cache_fill(p->l1d, blk, (uint8_t)(w | d | CL_PREFETCHED), &v);
			l1_victim(hw, cpu, p->l1i, &v, now);
		}
	}
	p->stat[HC_PF_FILLS]++;
}

static void prefetch_run(hw_t *hw, unsigned cpu, int level, cache_t *c, uint64_t blk, sim_time_t now)
{
	uint64_t cand[PF_MAX_DEGREE];
	unsigned n, page_shift = 12 > hw->line_shift ? 12 - hw->line_shift : 0;

	if (likely(!cache_has_prefetcher(c)))
		return;
	n = cache_prefetch_train(c, blk, cand);
	for (unsigned i = 0; i < n; i++)
		if ((cand[i] >> page_shift) == (blk >> page_shift))   /* physical: stay in the 4 KiB page */
			prefetch_one(hw, cpu, level, cand[i], now);
}

/* --- MMU walk loads -------------------------------------------------------- */

static sim_time_t walk_load(void *ctx, unsigned cpu, uint64_t paddr, sim_time_t now, uint8_t *served)
{
	hw_t *hw = ctx;
	struct line_res lr;
	sim_time_t t = access_line(hw, cpu, paddr >> hw->line_shift, CREQ_WALK, false, now, &lr);

	hw->cpu[cpu].stat[HC_WALK_LDS]++;
	*served = lr.served;
	return t;
}

/* --- public entry points ---------------------------------------------------- */

void hw_set_horizon(hw_t *hw, sim_time_t t)
{
	if (t > hw->horizon)
		hw->horizon = t;
}

struct hw_hit *hw_hit_path(hw_t *hw, unsigned cpu) { return &hw->cpu[cpu].hit; }

void hw_set_context(hw_t *hw, unsigned cpu, uint16_t asid, uint64_t root)
{
	mmu_set_context(hw->cpu[cpu].mmu, asid, root);
	hw->cpu[cpu].hit.mf = *mmu_fast_view(hw->cpu[cpu].mmu);
}

/*
 * hw_access after the translation, for an access that faulted or spans
 * lines (translating the next page when it crosses one).
 */
static __attribute__((noinline)) void access_rest(hw_t *hw, unsigned cpu, sim_time_t now, const struct hw_req *req,
						  struct hw_res *res, const struct mmu_result *first)
{
	struct hw_cpu *p = &hw->cpu[cpu];
	struct mmu_result mr = *first;
	uint32_t size = req->size ? req->size : 1;
	bool write = req->op == MEM_STORE || req->op == MEM_MODIFY;
	enum cache_req kind = req->op == MEM_IFETCH ? CREQ_IFETCH : write ? CREQ_STORE : CREQ_LOAD;
	uint64_t line_mask = hw->line - 1;
	uint64_t va = req->vaddr & ~line_mask, va_end = (req->vaddr + size - 1) & ~line_mask;
	sim_time_t worst = 0;
	struct line_res lr;

	res->xlat = mr.lat;
	res->walk = mr.walk;
	res->lat = mr.lat;
	res->paddr = mr.paddr;
	res->fault = mr.fault;
	res->fault_vaddr = req->vaddr;
	res->page_shift = mr.page_shift;
	res->served = SRV_L1;
	res->hops = 0;
	if (unlikely(mr.fault != HW_FAULT_NONE)) {
		p->stat[HC_FAULTS]++;
		p->stat[HC_XLAT_PS] += mr.lat;
		return;
	}
	uint64_t page_va = req->vaddr >> mr.page_shift;
	uint64_t pa_line = mr.paddr & ~line_mask;
	sim_time_t start = now + mr.lat;
	for (;;) {
		sim_time_t t = access_line(hw, cpu, pa_line >> hw->line_shift, kind, write, start, &lr);
		p->stat[HC_LINES]++;
		if (t >= worst) {
			worst = t;
			res->served = lr.served;
			res->hops = lr.hops;
		}
		if (likely(va == va_end))
			break;
		va += hw->line;
		if ((va >> mr.page_shift) != page_va) {
			/* the access runs into the next page: translate it too */
			struct mmu_result m2;
			mmu_translate(p->mmu, va, req->op, start, &m2);
			res->xlat += m2.lat;
			res->walk += m2.walk;
			if (m2.fault != HW_FAULT_NONE) {
				res->fault = m2.fault;
				res->fault_vaddr = va;
				res->lat = mr.lat + worst + m2.lat;
				p->stat[HC_FAULTS]++;
				p->stat[HC_XLAT_PS] += res->xlat;
				return;
			}
			worst += m2.lat;
			page_va = va >> m2.page_shift;
			pa_line = m2.paddr & ~line_mask;
		} else {
			pa_line += hw->line;
		}
	}
	res->lat = mr.lat + worst;
	p->stat[HC_XLAT_PS] += res->xlat;
	p->served[res->served]++;
	p->served_ps[res->served] += res->lat;
	if (now + res->lat > hw->end)
		hw->end = now + res->lat;
}

void hw_access(hw_t *hw, unsigned cpu, sim_time_t now, const struct hw_req *req, struct hw_res *res)
{
	struct hw_cpu *p = &hw->cpu[cpu];
	const uint64_t vaddr = req->vaddr;
	const bool ifetch = req->op == MEM_IFETCH, write = req->op == MEM_STORE || req->op == MEM_MODIFY;
	uint64_t last_byte = vaddr + (req->size ? req->size : 1) - 1;
	struct mmu_result mr;
	struct line_res lr;
	sim_time_t lat;

	p->stat[HC_ACCESSES]++;
	/* the common case: an L1 TLB hit on the last page, one line */
	if (likely(mmu_fast_hit(&p->hit.mf, ifetch, vaddr, write, &mr.paddr))) {
		mr.lat = p->hit.mf.l1_ps;
		mr.walk = 0;
		mr.fault = HW_FAULT_NONE;
		mr.page_shift = 12;
	} else {
		mmu_translate(p->mmu, vaddr, req->op, now, &mr);
	}
	if (unlikely(mr.fault != HW_FAULT_NONE || ((vaddr ^ last_byte) >> hw->line_shift))) {
		access_rest(hw, cpu, now, req, res, &mr);
		return;
	}
	enum cache_req kind = ifetch ? CREQ_IFETCH : write ? CREQ_STORE : CREQ_LOAD;
	lat = mr.lat + access_line(hw, cpu, mr.paddr >> hw->line_shift, kind, write, now + mr.lat, &lr);
	p->stat[HC_LINES]++;
	*res = (struct hw_res){ .lat = lat, .xlat = mr.lat, .walk = mr.walk, .paddr = mr.paddr,
				.fault_vaddr = vaddr, .served = lr.served, .hops = lr.hops,
				.fault = HW_FAULT_NONE, .page_shift = mr.page_shift };
	p->stat[HC_XLAT_PS] += mr.lat;
	p->served[lr.served]++;
	p->served_ps[lr.served] += lat;
	if (now + lat > hw->end)
		hw->end = now + lat;
}

sim_time_t hw_tlb_shootdown(hw_t *hw, unsigned initiator, sim_time_t now, uint16_t asid, uint64_t vaddr,
			    uint64_t len)
{
	uint64_t pages = 0;
	unsigned others = 0;
	sim_time_t cost;

	(void)now;
	if (len) {
		uint64_t first = vaddr >> 12, last = (vaddr + len - 1) >> 12;
		pages = last - first + 1;
	}
	/* like Linux's tlb_single_page_flush_ceiling: past 32 pages, flush the whole address space */
	if (!len || pages > 32) {
		vaddr = 0;
		len = 0;
		pages = 32;
	}
	for (unsigned c = 0; c < hw->nr_cpus; c++) {
		if (c != initiator && !mmu_may_hold(hw->cpu[c].mmu, asid))
			continue;
		mmu_invalidate(hw->cpu[c].mmu, asid, vaddr, len);
		others += c != initiator;
	}
	hw->stat[HW_SHOOTDOWNS]++;
	hw->stat[HW_SHOOTDOWN_IPIS] += others;
	cost = pages * hw->cfg.tlb.invlpg;
	if (others)
		cost += hw->cfg.tlb.ipi;
	return cost;
}

/* The line's cached copies everywhere become stale when DMA-like bulk traffic rewrites it. */
static void drop_cached(hw_t *hw, uint64_t blk, sim_time_t now)
{
	unsigned n = coh_holders(hw->coh, blk, hw->holders);

	for (unsigned i = 0; i < n; i++) {
		private_invalidate(hw, hw->holders[i], blk);
		coh_evict(hw->coh, hw->holders[i], blk);
	}
	for (unsigned s = 0; s < hw->nr_sockets; s++)
		if (hw->l3[s])
			cache_invalidate(hw->l3[s], blk, true);
	(void)now;
}

/*
 * Bulk copy: every line is read at the source home, crosses to the CPU's
 * node and on to the destination home, and is written there.  All lines are
 * issued at `now`; the DDR channels and links queue them, so the copy takes
 * as long as its slowest resource needs for all the bytes (bandwidth-bound),
 * not lines x latency.  The source reads book the DDR bus only
 * (ddr_read_stream): a copy is booked at once, far ahead of reads resolved
 * after it, which must not find their banks held until its last line.
 */
sim_time_t hw_copy_page(hw_t *hw, unsigned cpu, sim_time_t now, uint64_t dst_paddr, uint64_t src_paddr,
			uint64_t bytes)
{
	unsigned node = hw->cpu[cpu].node;
	sim_time_t done = 0;

	for (uint64_t off = 0; off < bytes; off += hw->line) {
		uint64_t sb = (src_paddr + off) >> hw->line_shift, db = (dst_paddr + off) >> hw->line_shift;
		unsigned sh = home_of(hw, sb, node), dh = home_of(hw, db, node);
		sim_time_t t = ddr_read_stream(hw->ddr[sh], sb << hw->line_shift, now);
		t += xfer(hw, sh, node, now + t, hw->line);
		t += xfer(hw, node, dh, now + t, hw->line);
		t += ddr_write(hw->ddr[dh], db << hw->line_shift, now + t, NULL);
		if (frame_maybe_cached(hw, (db << hw->line_shift) >> hw->frame_shift))
			drop_cached(hw, db, now);
		hw->stat[HW_COPY_LINES]++;
		if (t > done)
			done = t;
	}
	frames_dropped(hw, dst_paddr, bytes);
	if (now + done > hw->end)
		hw->end = now + done;
	return done;
}

/*
 * Whether [paddr, paddr + bytes) lies in `node`'s memory and no cache may
 * hold a line of it: zeroing it is then only DDR writes, all arriving now.
 */
static bool zero_is_run(const hw_t *hw, unsigned node, uint64_t paddr, uint64_t bytes)
{
	uint64_t end = paddr + bytes;

	if (!bytes || paddr < hw->node_base[node] || end > hw->node_base[node + 1] || (paddr | bytes) & (hw->line - 1))
		return false;
	for (uint64_t f = paddr >> hw->frame_shift; f <= (end - 1) >> hw->frame_shift; f++)
		if (frame_maybe_cached(hw, f))
			return false;
	return true;
}

sim_time_t hw_zero_page(hw_t *hw, unsigned cpu, sim_time_t now, uint64_t dst_paddr, uint64_t bytes)
{
	unsigned node = hw->cpu[cpu].node;
	sim_time_t done = 0;

	/* the common case, a fresh page of the CPU's own node: one run of writes, the same bookings */
	if (zero_is_run(hw, node, dst_paddr, bytes)) {
		done = ddr_write_run(hw->ddr[node], dst_paddr, bytes >> hw->line_shift, now);
		hw->stat[HW_ZERO_LINES] += bytes >> hw->line_shift;
		goto out;
	}
	for (uint64_t off = 0; off < bytes; off += hw->line) {
		uint64_t db = (dst_paddr + off) >> hw->line_shift;
		unsigned dh = home_of(hw, db, node);
		sim_time_t t = xfer(hw, node, dh, now, hw->line);
		t += ddr_write(hw->ddr[dh], db << hw->line_shift, now + t, NULL);
		if (frame_maybe_cached(hw, (db << hw->line_shift) >> hw->frame_shift))
			drop_cached(hw, db, now);
		hw->stat[HW_ZERO_LINES]++;
		if (t > done)
			done = t;
	}
out:
	frames_dropped(hw, dst_paddr, bytes);
	if (now + done > hw->end)
		hw->end = now + done;
	return done;
}

/* --- construction ----------------------------------------------------------- */

static uint64_t lines_of(const struct cache_cfg *c)
{
	return c->enabled ? c->size / c->line : 0;
}

int hw_create(hw_t **out, const struct hw_cfg *cfg, pmem_t *pm, uint64_t seed, char *err, size_t errlen)
{
	const struct caches_cfg *cc = &cfg->caches;
	struct coh_ops ops;
	uint64_t base = 0, priv;
	unsigned cpu = 0;
	hw_t *hw;
	int rc;

	*out = NULL;
	if (!cfg->cpu.mhz)
		return sim_errf(err, errlen, SIM_ECONFIG, "cpu.mhz: must be > 0");
	if (!hw_cfg_nr_cpus(cfg) || !cfg->nr_nodes)
		return sim_errf(err, errlen, SIM_ECONFIG, "nodes: a machine needs nodes and CPUs");
	if (cc->l2.enabled && cc->l2.line != cc->l1d.line)
		return sim_errf(err, errlen, SIM_ECONFIG, "caches.l2.line: must equal caches.l1d.line");
	if (cc->l3.enabled && cc->l3.line != cc->l1d.line)
		return sim_errf(err, errlen, SIM_ECONFIG, "caches.l3.line: must equal caches.l1d.line");
	if (cc->l1i.line != cc->l1d.line)
		return sim_errf(err, errlen, SIM_ECONFIG, "caches.l1i.line: must equal caches.l1d.line");
	hw = calloc(1, sizeof(*hw));
	if (!hw)
		return -SIM_ENOMEM;
	hw->cfg = *cfg;
	hw->pm = pm;
	hw->nr_cpus = hw_cfg_nr_cpus(cfg);
	hw->nr_sockets = hw_cfg_nr_sockets(cfg);
	hw->line = cc->l1d.line;
	hw->line_shift = ilog2_u64(cc->l1d.line);
	hw->incl = cc->l3.inclusion;
	hw->l1d_ps = hw_cycles_ps(cfg, cc->l1d.latency);
	hw->l1i_ps = hw_cycles_ps(cfg, cc->l1i.latency);
	hw->l2_ps = cc->l2.enabled ? hw_cycles_ps(cfg, cc->l2.latency) : 0;
	hw->l3_ps = cc->l3.enabled ? hw_cycles_ps(cfg, cc->l3.latency) : 0;
	hw->cpu = calloc(hw->nr_cpus, sizeof(*hw->cpu));
	hw->l3 = calloc(hw->nr_sockets, sizeof(*hw->l3));
	hw->holders = calloc(hw->nr_cpus, sizeof(*hw->holders));
	if (!hw->cpu || !hw->l3 || !hw->holders) {
		rc = -SIM_ENOMEM;
		goto fail;
	}
	for (unsigned s = 0; s < hw->nr_sockets; s++)
		hw->socket_node[s] = UINT32_MAX;
	for (unsigned n = 0; n < cfg->nr_nodes; n++) {
		const struct node_cfg *nd = &cfg->nodes[n];
		hw->node_base[n] = base;
		rc = ddr_create(&hw->ddr[n], &nd->ddr, n, base, err, errlen);
		if (rc) {
			sim_err_prefix(err, errlen, "nodes[%u].ddr", n);
			goto fail;
		}
		base += nd->memory;
		if (hw->socket_node[nd->socket] == UINT32_MAX)
			hw->socket_node[nd->socket] = n;
		for (unsigned i = 0; i < nd->cpus; i++, cpu++) {
			hw->cpu[cpu].node = n;
			hw->cpu[cpu].socket = nd->socket;
		}
	}
	hw->node_base[cfg->nr_nodes] = base;
	hw->frame_shift = SIM_MAX(12u, hw->line_shift);
	hw->nr_frames = base >> hw->frame_shift;
	/* calloc: pages of the bitmap no fault touches cost no host memory */
	hw->frame_cached = calloc((hw->nr_frames + 63) / 64 + 1, sizeof(*hw->frame_cached));
	if (!hw->frame_cached) {
		rc = -SIM_ENOMEM;
		goto fail;
	}
	for (unsigned s = 0; s < hw->nr_sockets; s++) {
		if (hw->socket_node[s] == UINT32_MAX) {
			rc = sim_errf(err, errlen, SIM_ECONFIG, "nodes: socket %u has no node (sockets must be numbered 0..%u)",
				      s, hw->nr_sockets - 1);
			goto fail;
		}
		if (cc->l3.enabled) {
			rc = cache_create(&hw->l3[s], &cc->l3, "l3", seed, 0x1000000ULL + s, err, errlen);
			if (rc)
				goto fail_prefix3;
		}
	}
	rc = linknet_create(&hw->ln, cfg, err, errlen);
	if (rc)
		goto fail;
	linknet_set_horizon(hw->ln, &hw->horizon);
	for (unsigned n = 0; n < cfg->nr_nodes; n++)
		ddr_set_horizon(hw->ddr[n], &hw->horizon);
	for (unsigned c = 0; c < hw->nr_cpus; c++) {
		struct hw_cpu *p = &hw->cpu[c];
		if ((rc = cache_create(&p->l1i, &cc->l1i, "l1i", seed, 4ULL * c, err, errlen)) ||
		    (rc = cache_create(&p->l1d, &cc->l1d, "l1d", seed, 4ULL * c + 1, err, errlen)) ||
		    (cc->l2.enabled && (rc = cache_create(&p->l2, &cc->l2, "l2", seed, 4ULL * c + 2, err, errlen)))) {
			sim_err_prefix(err, errlen, "caches");
			goto fail;
		}
		rc = mmu_create(&p->mmu, cfg, c, pm, walk_load, hw, seed, err, errlen);
		if (rc)
			goto fail;
		p->hit.mf = *mmu_fast_view(p->mmu);
		p->hit.l1[0] = p->l1d;
		p->hit.l1[1] = p->l1i;
		p->hit.lat[0] = p->hit.mf.l1_ps + hw->l1d_ps;
		p->hit.lat[1] = p->hit.mf.l1_ps + hw->l1i_ps;
		p->hit.line_shift = hw->line_shift;
	}
	priv = cc->l2.enabled ? lines_of(&cc->l2) : lines_of(&cc->l1d) + lines_of(&cc->l1i);
	ops = (struct coh_ops){ hw, cb_invalidate, cb_downgrade, cb_transfer };
	rc = coh_create(&hw->coh, cfg, priv * hw->nr_cpus, &ops, err, errlen);
	if (rc)
		goto fail;
	*out = hw;
	return 0;
fail_prefix3:
	sim_err_prefix(err, errlen, "caches");
fail:
	hw_destroy(hw);
	return rc;
}

void hw_destroy(hw_t *hw)
{
	if (!hw)
		return;
	if (hw->cpu) {
		for (unsigned c = 0; c < hw->nr_cpus; c++) {
			cache_destroy(hw->cpu[c].l1i);
			cache_destroy(hw->cpu[c].l1d);
			cache_destroy(hw->cpu[c].l2);
			mmu_destroy(hw->cpu[c].mmu);
		}
	}
	if (hw->l3)
		for (unsigned s = 0; s < hw->nr_sockets; s++)
			cache_destroy(hw->l3[s]);
	for (unsigned n = 0; n < HW_MAX_NODES; n++)
		ddr_destroy(hw->ddr[n]);
	linknet_destroy(hw->ln);
	coh_destroy(hw->coh);
	free(hw->frame_cached);
	free(hw->cpu);
	free(hw->l3);
	free(hw->holders);
	free(hw);
}

/* --- report ------------------------------------------------------------------ */

static void rep_served(rep_t *r, const uint64_t *served, const uint64_t *served_ps)
{
	rep_obj_begin(r, "served");
	for (unsigned k = 0; k < NR_HW_SERVED; k++)
		rep_u64(r, hw_served_names[k], served[k]);
	rep_obj_end(r);
	rep_obj_begin(r, "served_ns");
	for (unsigned k = 0; k < NR_HW_SERVED; k++)
		rep_ns(r, hw_served_names[k], served_ps[k]);
	rep_obj_end(r);
}

void hw_report(const hw_t *hw, rep_t *r)
{
	struct stat_block sb = { hw_stat_desc, hw->stat, NR_HW_STATS };
	sim_time_t end = hw->end;

	rep_arr_begin(r, "cpus");
	for (unsigned c = 0; c < hw->nr_cpus; c++) {
		const struct hw_cpu *p = &hw->cpu[c];
		const struct hw_hit *h = &p->hit;
		uint64_t st[NR_HWCPU_STATS], served[NR_HW_SERVED], served_ps[NR_HW_SERVED];
		struct stat_block cb = { hwcpu_stat_desc, st, NR_HWCPU_STATS };
		uint64_t nh = h->n[0] + h->n[1];

		/* the references hw_access_hit resolved count as hw_access's L1 hits */
		memcpy(st, p->stat, sizeof(st));
		memcpy(served, p->served, sizeof(served));
		memcpy(served_ps, p->served_ps, sizeof(served_ps));
		st[HC_ACCESSES] += nh;
		st[HC_LINES] += nh;
		st[HC_XLAT_PS] += nh * h->mf.l1_ps;
		served[SRV_L1] += nh;
		served_ps[SRV_L1] += h->n[0] * h->lat[0] + h->n[1] * h->lat[1];
		end = SIM_MAX(end, h->end);
		rep_obj_begin(r, NULL);
		rep_u64(r, "cpu", c);
		rep_u64(r, "node", p->node);
		rep_u64(r, "socket", p->socket);
		rep_stats(r, "counters", &cb);
		rep_served(r, served, served_ps);
		rep_obj_begin(r, "caches");
		cache_report(p->l1i, r);
		cache_report(p->l1d, r);
		if (p->l2)
			cache_report(p->l2, r);
		rep_obj_end(r);
		rep_obj_begin(r, "tlb");
		mmu_report(p->mmu, r);
		rep_obj_end(r);
		rep_obj_end(r);
	}
	rep_arr_end(r);
	rep_arr_begin(r, "l3");
	for (unsigned s = 0; s < hw->nr_sockets; s++) {
		rep_obj_begin(r, NULL);
		rep_u64(r, "socket", s);
		rep_str(r, "inclusion", cache_inclusion_names[hw->incl]);
		if (hw->l3[s])
			cache_report(hw->l3[s], r);
		rep_obj_end(r);
	}
	rep_arr_end(r);
	rep_stats(r, "memory_system", &sb);
	coh_report(hw->coh, r);
	linknet_report(hw->ln, end, r);
	rep_arr_begin(r, "ddr");
	for (unsigned n = 0; n < hw->cfg.nr_nodes; n++)
		ddr_report(hw->ddr[n], end, r);   /* one object per node */
	rep_arr_end(r);
}
