/*
 * hw/hw.h - the simulated machine's hardware, as one object.
 *
 * hw_access() takes one memory reference of one CPU at a simulated time and
 * returns its latency, computed from the state it meets: TLBs and the page
 * walk (whose loads go through the caches), the private caches and the
 * coherence directory, the socket's L3, the links between sockets and the
 * DDR controller of the line's home node.  Each component updates its
 * counters on the way.
 *
 * Contract of the hot path: hw_access() formats no strings and never
 * touches the event queue; it allocates only when a link or DDR calendar
 * grows.  The caller issues accesses in non-decreasing time order across
 * CPUs (the driver does, docs/engine.md); one access books the shared
 * resources on its path (links, DDR buses, banks) at the later times it
 * reaches them, into gap-filling calendars (sim/resv.h), so a request that
 * arrives earlier at a resource than one issued before it is served first.
 *
 * hw/ knows nothing about the OS.  Page tables live in sim/pmem (written by
 * the OS layer in the x86-64 or arm64 format of hw/pte.h); a walk that finds
 * a non-present entry or a write to a read-only one returns a fault and the
 * caller (the driver) asks the OS to resolve it, then retries.
 */
#ifndef HW_HW_H
#define HW_HW_H

#include "hw/hw_cfg.h"
#include "sim/pmem.h"
#include "sim/report.h"

typedef struct hw hw_t;

/* Where an access was finally served: the latency breakdown of the report. */
#define HW_SERVED(X)                                     \
	X(SRV_L1,          l1,          "L1 hit")        \
	X(SRV_L2,          l2,          "L2 hit")        \
	X(SRV_L3,          l3,          "L3 hit")        \
	X(SRV_C2C_LOCAL,   c2c_local,   "forwarded from another core's cache, same socket") \
	X(SRV_C2C_REMOTE,  c2c_remote,  "forwarded from a cache on another socket") \
	X(SRV_DRAM_LOCAL,  dram_local,  "DRAM of the CPU's own node") \
	X(SRV_DRAM_REMOTE, dram_remote, "DRAM of another node")

enum hw_served {
#define HW_SERVED_ENUM(id, name, doc) id,
	HW_SERVED(HW_SERVED_ENUM)
#undef HW_SERVED_ENUM
	NR_HW_SERVED
};
extern const char *const hw_served_names[];

enum hw_fault {
	HW_FAULT_NONE = 0,
	HW_FAULT_NOT_PRESENT,   /* some level's entry has P=0 (incl. NUMA-hint PTEs) */
	HW_FAULT_WRITE,         /* store to a page mapped read-only (COW, write-protect) */
};

struct hw_req {
	uint64_t vaddr;
	uint32_t size;          /* bytes; an access straddling a line touches both lines */
	uint8_t op;             /* enum mem_op */
};

struct hw_res {
	sim_time_t lat;         /* total ps until the data is available to the CPU */
	sim_time_t xlat;        /* ps of lat spent in TLB misses and page walks */
	sim_time_t walk;        /* ps of xlat in page walks (0: every translation hit a TLB) */
	uint64_t paddr;         /* translated address (valid when fault == NONE) */
	uint64_t fault_vaddr;   /* address whose translation faulted: an access that
				   straddles two pages may fault on the second one */
	uint8_t served;         /* enum hw_served of the data access */
	uint8_t hops;           /* link hops the data crossed (0: on-socket) */
	uint8_t fault;          /* enum hw_fault */
	uint8_t page_shift;     /* 12, 21 or 30: size of the page that translated it */
};

/*
 * Build the hardware from a finalized config.  `pm` holds page tables (may
 * be shared with the OS layer).  `seed` feeds the random replacement policy.
 * @return 0, -SIM_ENOMEM or -SIM_ECONFIG (message in err).
 */
int hw_create(hw_t **out, const struct hw_cfg *cfg, pmem_t *pm, uint64_t seed, char *err, size_t errlen);
void hw_destroy(hw_t *hw);

const struct hw_cfg *hw_config(const hw_t *hw);
unsigned hw_nr_cpus(const hw_t *hw);
unsigned hw_cpu_node(const hw_t *hw, unsigned cpu);
/* Physical address layout: node n owns [base, base + memory). */
uint64_t hw_node_base(const hw_t *hw, unsigned node);
/* Home node of a physical address (-1 if outside every node). */
int hw_paddr_node(const hw_t *hw, uint64_t paddr);

/*
 * Address-space context of a CPU (CR3 / TTBR0): the asid tags TLB entries so
 * switching does not flush them; root is the physical address of the top
 * page-table page.  root == HW_NO_PAGING means untranslated (vaddr used as a
 * physical address, for bring-up and hardware-only tests).
 */
#define HW_NO_PAGING UINT64_MAX
void hw_set_context(hw_t *hw, unsigned cpu, uint16_t asid, uint64_t root);

/*
 * The caller promises that no access, copy or zeroing will be issued before
 * t any more (its global clock).  Calendar entries that ended by then are
 * dropped: this bounds memory by the traffic in flight and changes no result.
 */
void hw_set_horizon(hw_t *hw, sim_time_t t);

/* One memory reference.  Never fails except by reporting a fault in res. */
void hw_access(hw_t *hw, unsigned cpu, sim_time_t now, const struct hw_req *req, struct hw_res *res);

/*
 * TLB invalidation for the OS layer.  Invalidates [vaddr, vaddr+len) of
 * `asid` (len == 0: the whole address space) in every CPU's TLBs and page-walk
 * caches that may hold it.  @return the ps the initiating CPU spends: local
 * invalidation plus one IPI round trip when other CPUs are involved.
 */
sim_time_t hw_tlb_shootdown(hw_t *hw, unsigned initiator, sim_time_t now, uint16_t asid,
			    uint64_t vaddr, uint64_t len);

/*
 * Bulk traffic the OS causes: copying a page during migration or COW,
 * zeroing a fresh page.  The bytes go through the DDR controllers of both
 * homes and the links between them (and the CPU's socket), occupying them.
 * @return ps until the copy completes, as seen by `cpu`.
 */
sim_time_t hw_copy_page(hw_t *hw, unsigned cpu, sim_time_t now, uint64_t dst_paddr,
			uint64_t src_paddr, uint64_t bytes);
sim_time_t hw_zero_page(hw_t *hw, unsigned cpu, sim_time_t now, uint64_t dst_paddr, uint64_t bytes);

/* Append the hardware sections (per CPU, per cache, per TLB, links, DDR) to the report. */
void hw_report(const hw_t *hw, rep_t *r);

#endif
