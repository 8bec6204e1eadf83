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
 * Fastest path between two sockets over the links (Dijkstra on latency):
 * *lat = one-way latency in ps, *bw = the smallest link bandwidth on it
 * (MB/s; UINT64_MAX when both are the same socket).  false if unreachable.
 */
static bool socket_path(const struct hw_cfg *hw, unsigned from, unsigned to, uint64_t *lat, uint64_t *bw)
{
	uint64_t dist[HW_MAX_NODES], minbw[HW_MAX_NODES];
	bool done[HW_MAX_NODES] = { false };
	for (unsigned s = 0; s < HW_MAX_NODES; s++) {
		dist[s] = UINT64_MAX;
		minbw[s] = UINT64_MAX;
	}
	dist[from] = 0;
	for (;;) {
		unsigned u = HW_MAX_NODES;
		for (unsigned s = 0; s < HW_MAX_NODES; s++)
			if (!done[s] && dist[s] != UINT64_MAX && (u == HW_MAX_NODES || dist[s] < dist[u]))
				u = s;
		if (u == HW_MAX_NODES)
			break;
		done[u] = true;
		for (unsigned l = 0; l < hw->nr_links; l++) {
			const struct link_cfg *lk = &hw->links[l];
			unsigned sa = hw->nodes[lk->a].socket, sb = hw->nodes[lk->b].socket, v;
			if (sa == u)
				v = sb;
			else if (sb == u)
				v = sa;
			else
				continue;
			uint64_t nd = dist[u] + lk->latency;
			if (nd < dist[v]) {
				dist[v] = nd;
				minbw[v] = minbw[u] < lk->bandwidth ? minbw[u] : lk->bandwidth;
			}
		}
	}
	if (dist[to] == UINT64_MAX)
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
		if (!socket_path(hw, hw->nodes[ini].socket, nc->socket, &link_lat, &link_bw)) {
			link_lat = 0;
			link_bw = UINT64_MAX;
		}
		uint64_t ps = hw->uncore + hw->coherence.dir_latency + d->frontend +
			      (uint64_t)(d->tRCD + d->tCL + d->burst / 2) * d->tCK + 2 * link_lat;
		/* DDR: two transfers per clock on each channel's bus */
		uint64_t ddr_mbps = d->tCK ? (uint64_t)d->channels * d->bus_bytes * 2 * 1000000ULL / d->tCK : 1;
		uint64_t mbps = ddr_mbps < link_bw ? ddr_mbps : link_bw;
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
