/*
 * hw/coherence.h - MESI among the CPUs' private hierarchies, kept by a
 * directory at each line's home node.
 *
 * The directory is sparse: an entry exists only while some CPU's private
 * hierarchy (L1I/L1D/L2, L2 inclusive of the L1s) holds the line, and says
 * either "owned by CPU o" (E or M; whether it is dirty is the cache's
 * business) or "shared by this set of CPUs" (S).  Entries live in one
 * open-addressing table (linear probing, backward-shift deletion, no
 * tombstones) of at most twice the number of private lines in the machine;
 * it starts small and doubles in memory reserved at creation, so it never
 * allocates per access.
 *
 * Protocol actions the directory triggers in the caches (downgrade the
 * owner, invalidate a sharer) and the messages it sends across sockets go
 * through callbacks (struct coh_ops), so the protocol is testable on its
 * own and hw.c wires in the real caches and links.
 *
 * Latency of coherence actions, on the requester's critical path (the
 * caller adds the cache lookups, the uncore, and DRAM when no cache forwards):
 *   forward, owner on the requester's socket:  c2c_latency
 *   forward, owner on another socket:          T(req->home, msg) + dir_latency
 *                                              + T(home->owner, msg) + c2c_latency
 *                                              + T(owner->req, line)
 *   invalidating sharers (write miss/upgrade): max over sharers of
 *                                              c2c_latency (same socket) or
 *                                              T(req->sharer, msg) + T(sharer->req, msg)
 *   upgrade request itself:                    dir_latency (home on the socket) or
 *                                              T(req->home, msg) + dir_latency + T(home->req, msg)
 * where T(a->b, bytes) is the transfer callback (link_transfer: per-hop
 * latency, serialization and queueing; 0 when a == b).
 */
#ifndef HW_COHERENCE_H
#define HW_COHERENCE_H

#include "hw/hw_cfg.h"
#include "sim/stats.h"
#include "sim/report.h"

typedef struct coh coh_t;

struct coh_ops {
	void *ctx;
	/* Drop blk from cpu's private hierarchy.  @return true if it was dirty. */
	bool (*invalidate)(void *ctx, unsigned cpu, uint64_t blk);
	/* Make cpu's copy of blk read-only and clean.  @return true if it was dirty. */
	bool (*downgrade)(void *ctx, unsigned cpu, uint64_t blk);
	/* ps until `bytes` sent from src_node at `now` arrive at dst_node (0 if equal). */
	sim_time_t (*transfer)(void *ctx, unsigned src_node, unsigned dst_node, sim_time_t now, uint32_t bytes);
};

#define COH_STATS(X)                                                                                   \
	X(COH_LOOKUPS,        dir_lookups,            EVENT, "requests", "private-hierarchy misses and upgrades seen by the directory") \
	X(COH_C2C_LOCAL,      c2c_same_socket,        EVENT, "lines",    "forwarded from a private cache on the requester's socket") \
	X(COH_C2C_REMOTE,     c2c_cross_socket,       EVENT, "lines",    "forwarded from a private cache on another socket") \
	X(COH_UPGRADES,       upgrades,               EVENT, "requests", "stores to a line held Shared (S -> M)") \
	X(COH_INVAL_SENT,     invalidations_sent,     EVENT, "messages", "invalidations of other CPUs' copies") \
	X(COH_INVAL_REMOTE,   invalidations_cross_socket, EVENT, "messages", "of which to another socket") \
	X(COH_DOWNGRADES,     downgrades,             EVENT, "lines",    "owners (E/M) demoted to S by a read") \
	X(COH_WRITEBACKS,     writebacks,             EVENT, "lines",    "dirty owners written back to memory on a downgrade") \
	X(COH_ENTRIES,        dir_entries,            GAUGE, "lines",    "lines held by some private hierarchy") \
	X(COH_ENTRIES_MAX,    dir_entries_max,        GAUGE, "lines",    "high-water mark of dir_entries")

enum coh_stat { COH_STATS(STAT_ENUM) NR_COH_STATS };

/* Outcome of a private-hierarchy miss seen by the directory. */
struct coh_res {
	sim_time_t lat;      /* ps of coherence actions on the critical path */
	int32_t from_cpu;    /* >= 0: the data was forwarded from this CPU's cache */
	uint8_t served;      /* enum hw_served when forwarded (SRV_C2C_*) */
	bool exclusive;      /* the requester now owns the line (E on a read, M on a write) */
	bool writeback;      /* the forwarding owner was dirty: the caller writes the line home */
};

/*
 * `capacity`: most lines private hierarchies can hold at once, machine-wide
 * (the table gets the next power of two >= 2 * capacity slots).
 * @return 0, -SIM_ENOMEM or -SIM_ECONFIG.
 */
int coh_create(coh_t **out, const struct hw_cfg *cfg, uint64_t capacity, const struct coh_ops *ops, char *err,
	       size_t errlen);
void coh_destroy(coh_t *c);

/* Queries are not const: they remember the slot found for the next call on the same block. */
/* Owner CPU of blk (E/M), or -1 (not cached privately, or shared). */
int coh_owner(coh_t *c, uint64_t blk);
/* Whether cpu's private hierarchy holds blk in any state. */
bool coh_holds(coh_t *c, uint64_t blk, unsigned cpu);
/* CPUs holding blk, ascending, into cpus[] (room for every CPU). @return count. */
unsigned coh_holders(coh_t *c, uint64_t blk, unsigned *cpus);

/*
 * cpu missed blk in its private hierarchy (write: RFO).  Forwards from an
 * owner, invalidates other copies on a write, and records cpu as a holder.
 * `home` is blk's home node; `now` when the request reaches the directory.
 */
void coh_miss(coh_t *c, unsigned cpu, uint64_t blk, unsigned home, bool write, sim_time_t now,
	      struct coh_res *res);

/* cpu stores to blk it holds Shared: invalidate the others. @return ps. */
sim_time_t coh_upgrade(coh_t *c, unsigned cpu, uint64_t blk, unsigned home, sim_time_t now);

/* cpu's private hierarchy no longer holds blk (eviction or back-invalidation). */
void coh_evict(coh_t *c, unsigned cpu, uint64_t blk);

uint64_t coh_stat(const coh_t *c, enum coh_stat s);
/* invalidations received by one CPU */
uint64_t coh_inval_received(const coh_t *c, unsigned cpu);
/* "coherence": {stats..., invalidations_received: [per cpu]} */
void coh_report(const coh_t *c, rep_t *r);

#endif
