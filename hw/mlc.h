/*
 * hw/mlc.h - the measurements behind `numasim mlc`, callable on their
 * own (`numasim validate` compares them with published MLC figures).
 *
 * Latency: dependent random loads (a pointer chase) by the first CPU of
 * node c into a buffer on node m; bandwidth: every CPU of node c streaming
 * reads from node m with `mlp` independent streams each.  Both run on a
 * fresh machine built from the description, untranslated (HW_NO_PAGING),
 * and are deterministic for a given seed.
 */
#ifndef HW_MLC_H
#define HW_MLC_H

#include "hw/hw.h"

struct mlc_opts {
	uint64_t lat_samples;    /* dependent loads per (cpu node, memory node) */
	uint64_t bw_lines;       /* lines read per bandwidth measurement */
	unsigned mlp;            /* outstanding streams per CPU in the bandwidth test */
	uint64_t buffer;         /* bytes of the latency buffer on the memory node */
	uint64_t seed;
};

/* The defaults of `numasim mlc`. */
#define MLC_OPTS_DEFAULT { .lat_samples = 20000, .bw_lines = 400000, .mlp = 10, .buffer = 1ULL << 30, .seed = 1 }

struct mlc_result {
	unsigned n;
	double lat_ns[HW_MAX_NODES][HW_MAX_NODES];
	double bw_mbps[HW_MAX_NODES][HW_MAX_NODES];
};

/*
 * Idle latency in ns from the first CPU of cpu_node to memory of mem_node
 * (mean of lat_samples dependent loads after a tenth as many warm-up ones).
 * @return 0 or a negative SIM_E* code with a message in err.
 */
int mlc_latency(const struct hw_cfg *h, const struct mlc_opts *o, unsigned cpu_node, unsigned mem_node,
		double *ns, char *err, size_t errlen);

/*
 * Read bandwidth in MB/s (10^6 bytes/s) of all CPUs of cpu_node streaming
 * from mem_node; 0 when the node has no CPUs.  @return 0 or -SIM_E*.
 */
int mlc_bandwidth(const struct hw_cfg *h, const struct mlc_opts *o, unsigned cpu_node, unsigned mem_node,
		  double *mbps, char *err, size_t errlen);

/* The full matrices (rows of CPU-less nodes stay 0).  @return 0 or -SIM_E*. */
int mlc_measure(const struct hw_cfg *h, const struct mlc_opts *o, bool lat, bool bw, struct mlc_result *res,
		char *err, size_t errlen);

#endif
