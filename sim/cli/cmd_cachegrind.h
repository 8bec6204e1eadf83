/*
 * sim/cli/cmd_cachegrind.h - replaying a Valgrind lackey trace through
 * numasim's cache and TLB arrays in cachegrind counting mode.
 *
 * Cachegrind (valgrind --tool=cachegrind --cache-sim=yes) is a reference
 * nobody here wrote: given the same program run under lackey, numasim's
 * cachegrind mode (hw/cgsim.h, hw/tlb.h tlb_access_cg) must print
 * the very same Ir I1mr ILmr Dr D1mr DLmr Dw D1mw DLmw.  The replay is a
 * function so that `numasim validate` runs it too.
 *
 * Geometries use cachegrind's own command-line syntax, "SIZE,WAYS,LINE" in
 * bytes (SIZE may carry K/M/G).  A TLB is a cache whose "line" is a page:
 * --dtlb=262144,4,4096 is a 64-entry 4-way TLB of 4 KiB pages, and
 * cachegrind --D1=262144,4,4096 is its reference.
 */
#ifndef SIM_CLI_CMD_CACHEGRIND_H
#define SIM_CLI_CMD_CACHEGRIND_H

#include "hw/cgsim.h"
#include "traces/trace.h"

/* One cachegrind geometry: bytes, ways, line (page) bytes. */
struct cg_geom {
	uint64_t size;
	uint32_t ways;
	uint32_t line;
};

struct cg_replay_opts {
	bool caches;                    /* run I1/D1/LL (cgsim) */
	struct cg_geom i1, d1, ll;
	bool tlb;                       /* run ITLB/DTLB (and STLB) arrays */
	struct cg_geom itlb, dtlb;
	bool stlb;                      /* a unified second level behind the L1 TLBs */
	struct cg_geom stlb_geom;
	enum trace_format format;       /* TFMT_LACKEY normally */
};

struct cg_replay_result {
	uint64_t records;               /* memory records replayed */
	uint64_t cache[NR_CG_EVENTS];   /* cgsim counts (opts.caches) */
	uint64_t tlb[NR_CG_EVENTS];     /* same events with ITLB/DTLB/STLB as I1/D1/LL */
	uint64_t page0_refs;            /* references touching the first page of the smallest TLB page size */
};

/*
 * Parse "SIZE,WAYS,LINE" (e.g. "48K,12,64").  Only the syntax and
 * non-zero fields are checked here; geometries cachegrind refuses are
 * refused by cg_replay.  @return 0 or -SIM_EUSAGE with a message in err.
 */
int cg_geom_parse(const char *s, struct cg_geom *g, char *err, size_t errlen);

/*
 * Replay the trace at `path` (compressed or not) with the rules of
 * cachegrind 3.19 (see hw/cgsim.h).  The TLB side mirrors cachegrind's
 * three caches: instruction fetches go to the ITLB, data references to the
 * DTLB ('M' as one read), an L1 TLB miss to the STLB with the same
 * (addr, size); data sizes are clamped to the smallest page size in use,
 * as cachegrind clamps them to its smallest line.  Arrays are LRU.
 * @return 0, -SIM_ECONFIG (a geometry cachegrind would refuse), -SIM_EIO
 * or -SIM_ETRACE (message names the file and line), -SIM_ENOMEM.
 */
int cg_replay(const char *path, const struct cg_replay_opts *o, struct cg_replay_result *r, char *err,
	      size_t errlen);

/* `numasim cachegrind`: see the usage text in cmd_cachegrind.c. */
int cmd_cachegrind(int argc, char **argv);

#endif
