/*
 * hw/hw_cfg.h - the hardware half of a machine description.
 *
 * Plain structs filled by sim/config.c from the field tables in hw_cfg.c.
 * Units are in the field names or comments: latencies of on-core structures
 * in core cycles (that is how vendors and simulators quote them), DRAM
 * timings in memory-clock cycles (nCK, as JEDEC quotes them), everything
 * else in picoseconds or bytes.
 */
#ifndef HW_HW_CFG_H
#define HW_HW_CFG_H

#include "sim/config.h"

#define HW_MAX_NODES 64
#define HW_MAX_LINKS 256
#define HW_MAX_CPUS  1024

enum hw_arch { ARCH_X86_64, ARCH_ARM64, NR_ARCH };
/* Core timing model (docs/engine.md): out-of-order window, or one access at a time. */
enum cpu_model { CPU_OOO, CPU_INORDER, NR_CPU_MODELS };
enum repl_policy { REPL_LRU, REPL_PLRU, REPL_SRRIP, REPL_RANDOM, NR_REPL };
enum prefetch_kind { PF_NONE, PF_NEXT_LINE, PF_STRIDE, NR_PF };
enum cache_inclusion { INCL_INCLUSIVE, INCL_NONINCLUSIVE, INCL_EXCLUSIVE, NR_INCL };
enum ddr_mapping {
	/* physical address bits from high to low: row, bank, rank, column, channel */
	DDR_MAP_RO_BA_RA_CO_CH,
	DDR_MAP_RO_RA_BA_CH_CO,   /* channel above the column: consecutive lines share a row */
	DDR_MAP_RO_CO_BA_RA_CH,
	NR_DDR_MAP
};
enum ddr_page_policy { DDR_OPEN_PAGE, DDR_CLOSED_PAGE, NR_DDR_PAGE };
/* Link protocol: a coherent socket link with a per-message header, or CXL with flits (hw/cxl.h). */
enum link_type { LINK_GENERIC, LINK_CXL, NR_LINK_TYPES };

extern const char *const hw_arch_names[];
extern const char *const cpu_model_names[];
extern const char *const repl_policy_names[];
extern const char *const prefetch_kind_names[];
extern const char *const cache_inclusion_names[];
extern const char *const ddr_mapping_names[];
extern const char *const ddr_page_policy_names[];
extern const char *const link_type_names[];

struct cache_cfg {
	bool enabled;
	uint64_t size;            /* bytes */
	uint32_t ways;
	uint32_t line;            /* bytes, power of two */
	uint32_t latency;         /* hit latency, core cycles (load-to-use) */
	uint32_t repl;            /* enum repl_policy */
	uint32_t prefetch;        /* enum prefetch_kind */
	uint32_t prefetch_degree; /* lines fetched ahead */
	uint32_t inclusion;       /* enum cache_inclusion, meaningful for the L3 */
};

struct caches_cfg {
	struct cache_cfg l1i, l1d, l2, l3;  /* l1*, l2 per CPU; l3 shared per socket */
};

struct tlb_array_cfg {
	uint32_t entries;         /* 0: this page size is not cached here */
	uint32_t ways;            /* entries == ways: fully associative */
};

struct tlb_cfg {
	struct tlb_array_cfg l1d_4k, l1d_2m, l1d_1g;
	struct tlb_array_cfg l1i_4k, l1i_2m;
	struct tlb_array_cfg stlb;       /* unified second level, 4K and 2M */
	struct tlb_array_cfg stlb_1g;
	uint32_t l1_latency;      /* extra cycles of an L1 TLB hit (0: hidden behind L1D) */
	uint32_t stlb_latency;    /* cycles of an STLB lookup */
	uint32_t pwc_l4;          /* page-walk cache entries for PML4E (x86) / L0 (arm64) */
	uint32_t pwc_l3;          /* PDPTE / L1 */
	uint32_t pwc_l2;          /* PDE / L2 */
	uint32_t pwc_latency;     /* cycles of a PWC hit */
	uint32_t pwc_ways;        /* associativity of each PWC (0: fully associative) */
	uint32_t repl;            /* enum repl_policy for all TLB arrays */
	uint64_t ipi;             /* ps: cost of one shootdown IPI round trip */
	uint64_t invlpg;          /* ps: local cost of invalidating one entry */
};

struct coherence_cfg {
	uint64_t dir_latency;     /* ps: directory / snoop-filter lookup at the home node */
	uint64_t c2c_latency;     /* ps: extra cost of a cache-to-cache forward within a socket */
	uint32_t msg_bytes;       /* size of a coherence control message on a link */
};

struct ddr_cfg {
	uint32_t channels;
	uint32_t ranks;           /* per channel */
	uint32_t bankgroups;
	uint32_t banks;           /* per bank group */
	uint64_t row_size;        /* bytes of one row across a rank (page size), e.g. 8K */
	uint32_t bus_bytes;       /* data bus width, bytes (8 for a 64-bit DIMM) */
	uint32_t burst;           /* burst length in beats (8 for DDR4) */
	uint64_t tCK;             /* ps, memory clock period */
	uint32_t tCL, tRCD, tRP, tRAS, tCCD_L, tRFC; /* nCK */
	uint64_t tREFI;           /* ps between refreshes; 0 disables refresh modelling */
	uint64_t frontend;        /* ps: controller + PHY + on-die fabric from the L3 miss to the command */
	uint32_t mapping;         /* enum ddr_mapping */
	uint32_t page_policy;     /* enum ddr_page_policy */
	bool hash;                /* permute channel/bank group/bank by the row (see hw/ddr.c) */
	uint32_t write_queue;     /* posted writes a channel holds */
	uint32_t wq_high, wq_low; /* drain from wq_high pending writes down to wq_low */
	uint64_t tWTR;            /* ps: write data to the next read command, same rank */
	uint32_t tRTW;            /* nCK: idle data-bus clocks from a read burst to a write burst */
};

/* The controller of a CXL Type-3 memory expander (hw/cxl.h); bandwidth 0: the node is not one. */
struct cxl_dev_cfg {
	uint64_t latency;         /* ps a request tracker is held per line */
	uint64_t bandwidth;       /* MB/s of each direction's data path; 0: no device */
	uint32_t queue;           /* request trackers */
};

struct node_cfg {
	uint32_t socket;          /* package this node belongs to (shares an L3 and link ports) */
	uint32_t cpus;            /* CPUs on this node; numbered consecutively across nodes */
	uint64_t memory;          /* bytes; nodes are laid out in physical address order */
	uint32_t distance[HW_MAX_NODES]; /* SLIT row; empty: derived from the link graph */
	uint32_t nr_distance;
	struct ddr_cfg ddr;
	struct cxl_dev_cfg cxl;   /* memory-only node behind a CXL device controller */
};

struct link_cfg {
	uint32_t a, b;            /* node ids (the sockets/dies they sit on are linked) */
	uint64_t latency;         /* ps per traversal, one direction */
	uint64_t bandwidth;       /* MB/s (10^6 bytes) per direction */
	uint32_t header;          /* bytes of framing per message (packet header, CRC): occupies the link */
	uint32_t type;            /* enum link_type */
	uint32_t flit;            /* CXL: flit size in bytes, 68 or 256 */
};

struct cpu_cfg {
	uint32_t mhz;             /* core clock */
	uint32_t arch;            /* enum hw_arch */
	uint64_t lookahead;       /* accepted for old machine files; no effect (docs/engine.md) */
	uint32_t model;           /* enum cpu_model */
	uint32_t ipc;             /* instructions dispatched per cycle when nothing stalls */
	uint32_t rob;             /* reorder-buffer entries (instructions in flight) */
	uint32_t lq, sq;          /* load-queue and store-queue (store-buffer) entries */
	uint32_t fill_buffers;    /* L1D misses in flight (line fill buffers / MSHRs) */
	uint32_t l2_queue;        /* L2 misses in flight (superqueue) */
	uint32_t page_walkers;    /* page walks in flight */
};

struct hw_cfg {
	struct cpu_cfg cpu;
	struct caches_cfg caches;
	struct tlb_cfg tlb;
	struct coherence_cfg coherence;
	uint64_t uncore;          /* ps: L3 miss to leaving the socket (mesh/ring + home agent) */
	struct node_cfg nodes[HW_MAX_NODES];
	uint32_t nr_nodes;
	struct link_cfg links[HW_MAX_LINKS];
	uint32_t nr_links;
};

extern const struct cfg_table cpu_cfg_table;
extern const struct cfg_table caches_cfg_table;
extern const struct cfg_table tlb_cfg_table;
extern const struct cfg_table coherence_cfg_table;
extern const struct cfg_table node_cfg_table;
extern const struct cfg_table link_cfg_table;

/*
 * Cross-checks after parsing (node count, link endpoints, cache geometry,
 * SLIT shape) and derivation of missing SLIT rows from the link graph
 * (10 local, +10 per link hop on the shortest path, as Linux's default
 * 10/20).  @return 0 or -SIM_ECONFIG naming the field.
 */
int hw_cfg_finalize(struct hw_cfg *c, char *err, size_t errlen);

/* Derived helpers. */
unsigned hw_cfg_nr_cpus(const struct hw_cfg *c);
unsigned hw_cfg_nr_sockets(const struct hw_cfg *c);
/* ps of n core cycles, rounded to the nearest ps (exact for n*10^6/mhz) */
static inline sim_time_t hw_cycles_ps(const struct hw_cfg *c, uint64_t n)
{
	return (n * 1000000ULL + c->cpu.mhz / 2) / c->cpu.mhz;
}
/* ps of one core cycle, rounded to the nearest ps */
static inline sim_time_t hw_cycle_ps(const struct hw_cfg *c)
{
	return (1000000ULL + c->cpu.mhz / 2) / c->cpu.mhz;
}

#endif
