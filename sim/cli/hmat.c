/* sim/cli/hmat.c - HMAT-like node performance figures from the hardware description. */
#include <stdint.h>
#include "sim/cli/hmat.h"

#define PS_NS 1000ULL

/* The node with CPUs nearest to `target` by SLIT distance (target itself if it has CPUs). */
static unsigned best_initiator(const struct hw_cfg *hw, unsigned target)
{
	unsigned best = target;
	uint32_t best_d = UINT32_MAX;
	for (unsigned i = 0; i < hw->nr_nodes; i++) {
		if (!hw->nodes[i].cpus)
			continue;
		uint32_t d = hw->nodes[target].distance[i];
		if (d < best_d) {
			best_d = d;
			best = i;
		}
	}
	return best;
}

/*
 * The route between two nodes as hw/link.h takes it: fewest link hops,
 * ties by total latency.  *lat = one-way latency in ps, *bw = the smallest
 * hop bandwidth on it, parallel links between the same two nodes adding up
 * (MB/s; UINT64_MAX for the node itself).  false if unreachable.
 */
static bool node_path(const struct hw_cfg *hw, unsigned from, unsigned to, uint64_t *lat, uint64_t *bw)
{
	uint64_t hops[HW_MAX_NODES], dist[HW_MAX_NODES], minbw[HW_MAX_NODES];
	bool done[HW_MAX_NODES] = { false };
	unsigned nr = hw->nr_nodes;

	for (unsigned v = 0; v < nr; v++) {
		hops[v] = dist[v] = minbw[v] = UINT64_MAX;
	}
	hops[from] = dist[from] = 0;
	for (;;) {
		unsigned u = nr;
		for (unsigned v = 0; v < nr; v++)
			if (!done[v] && hops[v] != UINT64_MAX &&
			    (u == nr || hops[v] < hops[u] || (hops[v] == hops[u] && dist[v] < dist[u])))
				u = v;
		if (u == nr)
			break;
		done[u] = true;
		for (unsigned v = 0; v < nr; v++) {
			uint64_t l = UINT64_MAX, b = 0;
			for (unsigned k = 0; k < hw->nr_links; k++) {
				const struct link_cfg *lk = &hw->links[k];
				if ((lk->a == u && lk->b == v) || (lk->a == v && lk->b == u)) {
					l = lk->latency < l ? lk->latency : l;
					b += lk->bandwidth;
				}
			}
			if (l == UINT64_MAX || done[v])
				continue;
			if (hops[u] + 1 < hops[v] || (hops[u] + 1 == hops[v] && dist[u] + l < dist[v])) {
				hops[v] = hops[u] + 1;
				dist[v] = dist[u] + l;
				minbw[v] = minbw[u] < b ? minbw[u] : b;
			}
		}
	}
	if (hops[to] == UINT64_MAX)
		return false;
	*lat = dist[to];
	*bw = minbw[to];
	return true;
}

void hmat_fill(struct machine_desc *m)
{
	const struct hw_cfg *hw = &m->hw;
	struct os_cfg *os = &m->os;
	bool lat = os->nr_hmat_latency_ns == 0, bw = os->nr_hmat_bandwidth_mbps == 0;

	if (!lat && !bw)
		return;
	for (unsigned n = 0; n < hw->nr_nodes; n++) {
		const struct node_cfg *nc = &hw->nodes[n];
		const struct ddr_cfg *d = &nc->ddr;
		unsigned ini = best_initiator(hw, n);
		uint64_t link_lat = 0, link_bw = UINT64_MAX;
		if (!node_path(hw, ini, n, &link_lat, &link_bw)) {
			link_lat = 0;
			link_bw = UINT64_MAX;
		}
		uint64_t ps = hw->uncore + hw->coherence.dir_latency + d->frontend +
			      (uint64_t)(d->tRCD + d->tCL + d->burst / 2) * d->tCK + 2 * link_lat;
		/* DDR: two transfers per clock on each channel's bus */
		uint64_t ddr_mbps = d->tCK ? (uint64_t)d->channels * d->bus_bytes * 2 * 1000000ULL / d->tCK : 1;
		uint64_t mbps = ddr_mbps < link_bw ? ddr_mbps : link_bw;
		if (nc->cxl.bandwidth) {
			/* a CXL Type-3 controller in front of the DDR (hw/cxl.h): its hold time and its limits */
			ps += nc->cxl.latency;
			uint64_t dev = nc->cxl.bandwidth;
			if (nc->cxl.latency) {
				uint64_t trk = (uint64_t)nc->cxl.queue * 64 * 1000000ULL / nc->cxl.latency;
				dev = trk < dev ? trk : dev;
			}
			mbps = dev < mbps ? dev : mbps;
		}
		if (lat)
			os->hmat_latency_ns[n] = (uint32_t)((ps + PS_NS / 2) / PS_NS ? (ps + PS_NS / 2) / PS_NS : 1);
		if (bw)
			os->hmat_bandwidth_mbps[n] = (uint32_t)(mbps > (1u << 30) ? (1u << 30) : (mbps ? mbps : 1));
	}
	if (lat)
		os->nr_hmat_latency_ns = hw->nr_nodes;
	if (bw)
		os->nr_hmat_bandwidth_mbps = hw->nr_nodes;
}
