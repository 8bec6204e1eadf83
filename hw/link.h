/*
 * hw/link.h - the interconnect between sockets/dies (QPI, UPI, xGMI, ...).
 *
 * The machine description lists links as node pairs with a per-direction
 * latency and bandwidth.  Routes are shortest paths by hop count (ties by
 * total latency, then by lower node id, so routing is deterministic).  Each
 * direction of each link is a booked resource (sim/resv.h): a transfer
 * of B bytes occupies it for B / bandwidth, and a transfer that arrives while
 * it is busy waits.  So a saturated link raises latency, as on real machines.
 *
 * Hot path: link_transfer() allocates nothing and walks a precomputed route.
 */
#ifndef HW_LINK_H
#define HW_LINK_H

#include "hw/hw_cfg.h"
#include "sim/report.h"

typedef struct linknet linknet_t;

int linknet_create(linknet_t **out, const struct hw_cfg *cfg, char *err, size_t errlen);
void linknet_destroy(linknet_t *ln);
/* Nothing will be booked before *horizon any more (sim/resv.h); NULL: keep every booking. */
void linknet_set_horizon(linknet_t *ln, const sim_time_t *horizon);

/* Number of link hops from node a to node b (0 when a == b). */
unsigned linknet_hops(const linknet_t *ln, unsigned a, unsigned b);

/*
 * Move `bytes` from node `src` to node `dst` starting at `now`.
 * @return the ps until the last byte arrives at dst (0 when src == dst),
 * including per-hop latency, serialization and any queueing.
 */
sim_time_t link_transfer(linknet_t *ln, unsigned src, unsigned dst, sim_time_t now, uint32_t bytes);

/* Unloaded latency src -> dst for `bytes` (no state change): for mlc and tests. */
sim_time_t link_idle_latency(const linknet_t *ln, unsigned src, unsigned dst, uint32_t bytes);

/*
 * Payload MB/s a stream of `bytes` messages can move src -> dst along the
 * route link_transfer() takes: the slowest of its hops (parallel links of a
 * hop adding up, framing counted) and of the CXL controllers it passes
 * (cxl_dev_mbps).  UINT64_MAX when nothing limits it (src == dst).
 */
uint64_t link_idle_mbps(const linknet_t *ln, unsigned src, unsigned dst, uint32_t bytes);

/* "links": [ {a, b, dir: "a->b", bytes, messages, busy_ns, utilisation, queue_delay_ns}, ... ] */
void linknet_report(const linknet_t *ln, sim_time_t end, rep_t *r);

#endif
