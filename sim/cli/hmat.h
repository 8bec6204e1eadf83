/*
 * sim/cli/hmat.h - the firmware's memory performance table (ACPI HMAT), as
 * the driver derives it from the hardware description for the OS layer.
 *
 * Linux builds its memory tiers from HMAT/CDAT figures: for each memory
 * node, the read/write latency and bandwidth seen from its best initiator
 * (mm/memory-tiers.c mt_perf_to_adistance, drivers/acpi/numa/hmat.c
 * hmat_calculate_adistance).  numasim has no firmware, so the driver
 * computes the same figures from the machine: os/ never reads hw/'s
 * DDR timings or links itself.
 */
#ifndef SIM_CLI_HMAT_H
#define SIM_CLI_HMAT_H

#include "sim/cli/machine.h"

/*
 * Fill m->os.hmat_latency_ns and hmat_bandwidth_mbps for every node when
 * the description leaves them empty (docs/tiering.md "Node performance"):
 *   initiator = the node with CPUs at the smallest SLIT distance (lowest id on ties);
 *   latency   = uncore + directory + DDR frontend + (tRCD + tCL + burst/2) * tCK
 *               + 2 x the link latency on the route from the initiator (fewest hops, as hw/link.h routes);
 *   bandwidth = min(DDR peak = channels * bus_bytes * 2 / tCK, the slowest hop on that route,
 *               parallel links of a hop adding up);
 *   a node behind a CXL Type-3 controller (nodes[].cxl) adds its latency and is limited to
 *   min(cxl.bandwidth, cxl.queue x 64 B / cxl.latency).
 * A list given in the description is kept as it is.
 */
void hmat_fill(struct machine_desc *m);

#endif
