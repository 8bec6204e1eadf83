/*
 * sim/cli/hmat.h - the firmware's memory performance table (ACPI HMAT), as
 * the driver derives it from the hardware model for the OS layer.
 *
 * Linux builds its memory tiers from HMAT/CDAT figures: for each memory
 * node, the read/write latency and bandwidth seen from its best initiator
 * (mm/memory-tiers.c mt_perf_to_adistance, drivers/acpi/numa/hmat.c
 * hmat_calculate_adistance).  numasim has no firmware, so the driver
 * measures the same figures on the hardware model's own pieces (the link
 * network's routes and CXL controllers, hw/link.h; the DDR controllers,
 * hw/ddr.h): os/ never reads hw/ itself.
 */
#ifndef SIM_CLI_HMAT_H
#define SIM_CLI_HMAT_H

#include "hw/ddr.h"
#include "hw/link.h"
#include "sim/cli/machine.h"

/* The unloaded hardware the figures are read from: built once per machine. */
struct hmat_model {
	const struct hw_cfg *hw;
	linknet_t *ln;
	ddr_t *ddr[HW_MAX_NODES];
};

/* @return 0, -SIM_ENOMEM or -SIM_ECONFIG (message in err: e.g. a node no route reaches). */
int hmat_model_create(struct hmat_model *hm, const struct hw_cfg *hw, char *err, size_t errlen);
void hmat_model_destroy(struct hmat_model *hm);

/*
 * ps of one load by a CPU of node `ini` that misses every cache and is
 * served by the DDR of node `mem`, on an idle machine: hw/hw.c's DRAM line
 *   l1d + l2 + l3 + uncore + T(ini -> mem, request) + dir_latency
 *   + DDR closed-row read + T(mem -> ini, line),
 * T = link_idle_latency (the route link_transfer takes: CXL devices forward
 * nothing, and a line leaving a CXL node passes its controller).  Refresh
 * and queueing are not in it: `numasim mlc`'s idle chase adds refresh stalls.
 */
sim_time_t hmat_load_ps(const struct hmat_model *hm, unsigned ini, unsigned mem);

/* MB/s of lines node `mem` can stream to node `ini`: min(DDR peak, link_idle_mbps(mem -> ini)). */
uint64_t hmat_read_mbps(const struct hmat_model *hm, unsigned ini, unsigned mem);

/*
 * Fill m->os.hmat_latency_ns and hmat_bandwidth_mbps for every node when
 * the description leaves them empty (docs/tiering.md "Node performance"):
 * each node's figures are hmat_load_ps (rounded to ns) and hmat_read_mbps
 * from its initiator, the node with CPUs at the smallest SLIT distance
 * (lowest id on ties).  A list given in the description is kept as it is.
 * @return 0 or a negative SIM_E* code with a message in err.
 */
int hmat_fill(struct machine_desc *m, char *err, size_t errlen);

#endif
