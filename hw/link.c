/*
 * hw/link.c - the interconnect between sockets/dies as busy-until resources.
 *
 * Every configured link is two independent directions ("ports").  A
 * transfer walks a route fixed at creation; on each hop it takes the port
 * whose last byte would arrive first (parallel links between the same pair
 * of nodes are load-balanced that way, lowest link index on ties), waits
 * until the port is free, occupies it for the serialization time
 * ceil(bytes * 10^6 / MBps) ps and arrives a port latency later.  Hops are
 * store-and-forward: the next hop starts when the whole message has
 * arrived.  That slightly overstates multi-hop latency compared with
 * cut-through routers, but keeps every hop an independent resource.
 *
 * Routes: fewest hops; among those the least total latency (each hop costs
 * the smallest latency among its parallel links); among those the path
 * whose node sequence is lexicographically smallest.  They are computed
 * once at creation as lists of nodes; nothing is allocated per transfer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hw/link.h"
#include "hw/cxl.h"
#include "sim/resv.h"
#include "sim/err.h"

#define LINK_STATS(X)                                                                              \
	X(LINK_BYTES, bytes, EVENT, "bytes", "payload bytes sent in this direction")               \
	X(LINK_MESSAGES, messages, EVENT, "messages", "transfers that used this direction")        \
	X(LINK_BUSY, busy_ns, EVENT, "ps", "time the direction was serializing data")              \
	X(LINK_QUEUE, queue_delay_ns, EVENT, "ps", "total time transfers waited for the direction") \
	X(LINK_QUEUE_MAX, queue_delay_max_ns, GAUGE, "ps", "longest wait of one transfer")

enum link_stat { LINK_STATS(STAT_ENUM) NR_LINK_STATS };
static const struct stat_desc link_stat_desc[] = { LINK_STATS(STAT_DESC) };
STAT_TABLE_CHECK(link_stat_desc, NR_LINK_STATS);

/* One direction of one link. */
struct link_port {
	uint32_t from, to;
	uint32_t link;            /* index in cfg->links */
	sim_time_t latency;       /* ps */
	uint64_t mbps;            /* MB/s */
	uint32_t header;          /* framing bytes added to every message */
	uint32_t flit;            /* CXL flit bytes (hw/cxl.h); 0: generic link, framing = header */
	struct resv busy;         /* messages booked on this direction (gap-filling, sim/resv.h) */
	uint64_t stat[NR_LINK_STATS];
};

struct linknet {
	unsigned nr_nodes;
	unsigned nr_ports;
	struct link_port *ports;  /* port 2l: links[l].a -> b; port 2l+1: b -> a */
	/* Parallel ports from u to v: port ids bundle_ids[bundle_off[u*n+v] .. + bundle_len[..]). */
	uint32_t *bundle_off;
	uint32_t *bundle_len;
	uint32_t *bundle_ids;
	/* Route src -> dst: route_nodes[route_off[src*n+dst] .. + route_hops[..]) (excludes src). */
	uint32_t *route_off;
	uint8_t *route_hops;
	uint8_t *route_nodes;
	/* CXL Type-3 device controllers, and the one in front of each node (NULL: none). */
	struct cxl_dev *devs;
	unsigned nr_devs;
	struct cxl_dev **dev_of;
};

/* Serialization time of `bytes` on a port, rounded up to whole ps. */
static inline sim_time_t port_serialize(const struct link_port *p, uint32_t bytes)
{
	if (unlikely(p->flit))
		return cxl_serialize(p->flit, bytes, p->mbps);
	return ((uint64_t)(bytes + p->header) * 1000000u + p->mbps - 1) / p->mbps;
}

/* Index of the port of bundle u->v whose message would arrive first when sent at t. */
static unsigned pick_port(const linknet_t *ln, unsigned u, unsigned v, sim_time_t t, uint32_t bytes, bool idle)
{
	unsigned k = u * ln->nr_nodes + v;
	const uint32_t *ids = ln->bundle_ids + ln->bundle_off[k];
	unsigned best = UINT32_MAX;
	sim_time_t best_arrival = SIM_TIME_MAX;

	for (uint32_t i = 0; i < ln->bundle_len[k]; i++) {
		const struct link_port *p = &ln->ports[ids[i]];
		sim_time_t ser = port_serialize(p, bytes);
		sim_time_t start = idle ? t : resv_probe(&p->busy, t, ser);
		sim_time_t arrival = start + ser + p->latency;
		if (arrival < best_arrival) {
			best_arrival = arrival;
			best = ids[i];
		}
	}
	SIM_BUG_ON(best == UINT32_MAX);
	return best;
}

/* Lexicographic (hops, latency) path cost. */
struct cost {
	uint32_t hops;
	uint64_t lat;
};

static bool cost_less(struct cost a, struct cost b)
{
	return a.hops != b.hops ? a.hops < b.hops : a.lat < b.lat;
}

static int build_bundles(linknet_t *ln)
{
	unsigned n = ln->nr_nodes, pos = 0;

	ln->bundle_off = calloc((size_t)n * n, sizeof(*ln->bundle_off));
	ln->bundle_len = calloc((size_t)n * n, sizeof(*ln->bundle_len));
	ln->bundle_ids = calloc(ln->nr_ports ? ln->nr_ports : 1, sizeof(*ln->bundle_ids));
	if (!ln->bundle_off || !ln->bundle_len || !ln->bundle_ids)
		return -SIM_ENOMEM;
	for (unsigned p = 0; p < ln->nr_ports; p++)
		ln->bundle_len[ln->ports[p].from * n + ln->ports[p].to]++;
	for (unsigned k = 0; k < n * n; k++) {
		ln->bundle_off[k] = pos;
		pos += ln->bundle_len[k];
		ln->bundle_len[k] = 0;
	}
	/* Ports in increasing index order, so ties go to the lowest link. */
	for (unsigned p = 0; p < ln->nr_ports; p++) {
		unsigned k = ln->ports[p].from * n + ln->ports[p].to;
		ln->bundle_ids[ln->bundle_off[k] + ln->bundle_len[k]++] = p;
	}
	return 0;
}

/* Smallest latency among the parallel ports u->v, or UINT64_MAX if none. */
static uint64_t hop_latency(const linknet_t *ln, unsigned u, unsigned v)
{
	unsigned k = u * ln->nr_nodes + v;
	uint64_t best = UINT64_MAX;

	for (uint32_t i = 0; i < ln->bundle_len[k]; i++)
		best = SIM_MIN(best, ln->ports[ln->bundle_ids[ln->bundle_off[k] + i]].latency);
	return best;
}

/*
 * Cost from every node to dst (Dijkstra on n <= HW_MAX_NODES nodes, O(n^2)),
 * then each route is grown greedily from src: the lowest-numbered neighbour
 * that stays on an optimal path.  Greedy choice of the lowest next node
 * yields the lexicographically smallest optimal node sequence.
 */
static int build_routes(linknet_t *ln, char *err, size_t errlen)
{
	unsigned n = ln->nr_nodes;
	struct cost *to_dst = calloc((size_t)n * n, sizeof(*to_dst));
	uint64_t *lat = calloc((size_t)n * n, sizeof(*lat));
	bool done[HW_MAX_NODES];
	unsigned total = 0;
	int rc = 0;

	ln->route_off = calloc((size_t)n * n, sizeof(*ln->route_off));
	ln->route_hops = calloc((size_t)n * n, sizeof(*ln->route_hops));
	if (!to_dst || !lat || !ln->route_off || !ln->route_hops) {
		rc = -SIM_ENOMEM;
		goto out;
	}
	for (unsigned u = 0; u < n; u++)
		for (unsigned v = 0; v < n; v++)
			lat[u * n + v] = hop_latency(ln, u, v);

	for (unsigned dst = 0; dst < n; dst++) {
		struct cost *c = &to_dst[dst * n];   /* c[u]: cost u -> dst */
		for (unsigned u = 0; u < n; u++) {
			c[u] = (struct cost){ UINT32_MAX, UINT64_MAX };
			done[u] = false;
		}
		c[dst] = (struct cost){ 0, 0 };
		for (;;) {
			unsigned best = n;
			for (unsigned u = 0; u < n; u++)
				if (!done[u] && c[u].hops != UINT32_MAX && (best == n || cost_less(c[u], c[best])))
					best = u;
			if (best == n)
				break;
			done[best] = true;
			/* a memory device forwards nothing: routes end there but never pass through */
			if (best != dst && ln->dev_of[best])
				continue;
			/* relax u -> best edges: u reaches dst through best */
			for (unsigned u = 0; u < n; u++) {
				uint64_t l = lat[u * n + best];
				if (done[u] || l == UINT64_MAX)
					continue;
				struct cost via = { c[best].hops + 1, c[best].lat + l };
				if (cost_less(via, c[u]))
					c[u] = via;
			}
		}
		for (unsigned src = 0; src < n; src++) {
			if (c[src].hops == UINT32_MAX) {
				rc = sim_errf(err, errlen, SIM_ECONFIG,
					      "links: node %u cannot reach node %u (impossible machine)", src, dst);
				goto out;
			}
			if (c[src].hops > UINT8_MAX) {
				rc = sim_errf(err, errlen, SIM_ECONFIG, "links: route %u -> %u has %u hops, at most 255",
					      src, dst, c[src].hops);
				goto out;
			}
			ln->route_hops[src * n + dst] = (uint8_t)c[src].hops;
			total += c[src].hops;
		}
	}

	ln->route_nodes = calloc(total ? total : 1, 1);
	if (!ln->route_nodes) {
		rc = -SIM_ENOMEM;
		goto out;
	}
	total = 0;
	for (unsigned src = 0; src < n; src++) {
		for (unsigned dst = 0; dst < n; dst++) {
			const struct cost *c = &to_dst[dst * n];
			unsigned u = src;
			ln->route_off[src * n + dst] = total;
			while (u != dst) {
				unsigned next = n;
				for (unsigned v = 0; v < n; v++) {
					uint64_t l = lat[u * n + v];
					if (l == UINT64_MAX || c[v].hops == UINT32_MAX || (v != dst && ln->dev_of[v]))
						continue;
					if (c[v].hops + 1 == c[u].hops && c[v].lat + l == c[u].lat) {
						next = v;
						break;
					}
				}
				SIM_BUG_ON(next == n);
				ln->route_nodes[total++] = (uint8_t)next;
				u = next;
			}
		}
	}
out:
	free(to_dst);
	free(lat);
	return rc;
}

int linknet_create(linknet_t **out, const struct hw_cfg *cfg, char *err, size_t errlen)
{
	linknet_t *ln;
	int rc;

	*out = NULL;
	if (cfg->nr_nodes == 0 || cfg->nr_nodes > HW_MAX_NODES)
		return sim_errf(err, errlen, SIM_ECONFIG, "nodes: %u nodes, must be 1..%u", cfg->nr_nodes, HW_MAX_NODES);
	if (cfg->nr_links > HW_MAX_LINKS)
		return sim_errf(err, errlen, SIM_ECONFIG, "links: %u links, at most %u", cfg->nr_links, HW_MAX_LINKS);
	for (unsigned l = 0; l < cfg->nr_links; l++) {
		const struct link_cfg *lc = &cfg->links[l];
		if (lc->a >= cfg->nr_nodes || lc->b >= cfg->nr_nodes)
			return sim_errf(err, errlen, SIM_ECONFIG, "links[%u]: node %u does not exist (machine has %u nodes)",
					l, lc->a >= cfg->nr_nodes ? lc->a : lc->b, cfg->nr_nodes);
		if (lc->a == lc->b)
			return sim_errf(err, errlen, SIM_ECONFIG, "links[%u]: a link needs two different nodes", l);
		if (lc->bandwidth == 0)
			return sim_errf(err, errlen, SIM_ECONFIG, "links[%u].bandwidth: must be at least 1 MB/s", l);
	}
	ln = calloc(1, sizeof(*ln));
	if (!ln)
		return -SIM_ENOMEM;
	ln->nr_nodes = cfg->nr_nodes;
	ln->nr_ports = 2 * cfg->nr_links;
	ln->ports = calloc(ln->nr_ports ? ln->nr_ports : 1, sizeof(*ln->ports));
	ln->dev_of = calloc(cfg->nr_nodes, sizeof(*ln->dev_of));
	for (unsigned i = 0; i < cfg->nr_nodes; i++)
		ln->nr_devs += cfg->nodes[i].cxl.bandwidth != 0;
	ln->devs = calloc(ln->nr_devs ? ln->nr_devs : 1, sizeof(*ln->devs));
	if (!ln->ports || !ln->dev_of || !ln->devs) {
		linknet_destroy(ln);
		return -SIM_ENOMEM;
	}
	for (unsigned i = 0, k = 0; i < cfg->nr_nodes; i++) {
		if (!cfg->nodes[i].cxl.bandwidth)
			continue;
		if ((rc = cxl_dev_init(&ln->devs[k], i, &cfg->nodes[i].cxl))) {
			ln->nr_devs = k;
			linknet_destroy(ln);
			return rc;
		}
		ln->dev_of[i] = &ln->devs[k++];
	}
	for (unsigned l = 0; l < cfg->nr_links; l++) {
		const struct link_cfg *lc = &cfg->links[l];
		for (unsigned d = 0; d < 2; d++) {
			struct link_port *p = &ln->ports[2 * l + d];
			p->from = d ? lc->b : lc->a;
			p->to = d ? lc->a : lc->b;
			p->link = l;
			p->latency = lc->latency;
			p->mbps = lc->bandwidth;
			p->header = lc->header;
			p->flit = lc->type == LINK_CXL ? lc->flit : 0;
		}
	}
	if ((rc = build_bundles(ln)) || (rc = build_routes(ln, err, errlen))) {
		linknet_destroy(ln);
		return rc;
	}
	*out = ln;
	return 0;
}

void linknet_set_horizon(linknet_t *ln, const sim_time_t *horizon)
{
	for (unsigned i = 0; i < ln->nr_ports; i++)
		ln->ports[i].busy.horizon = horizon;
	for (unsigned i = 0; i < ln->nr_devs; i++)
		cxl_dev_set_horizon(&ln->devs[i], horizon);
}

void linknet_destroy(linknet_t *ln)
{
	if (!ln)
		return;
	if (ln->ports)
		for (unsigned i = 0; i < ln->nr_ports; i++)
			resv_destroy(&ln->ports[i].busy);
	free(ln->ports);
	free(ln->bundle_off);
	free(ln->bundle_len);
	free(ln->bundle_ids);
	free(ln->route_off);
	free(ln->route_hops);
	free(ln->route_nodes);
	if (ln->devs)
		for (unsigned i = 0; i < ln->nr_devs; i++)
			cxl_dev_destroy(&ln->devs[i]);
	free(ln->devs);
	free(ln->dev_of);
	free(ln);
}

unsigned linknet_hops(const linknet_t *ln, unsigned a, unsigned b)
{
	SIM_BUG_ON(a >= ln->nr_nodes || b >= ln->nr_nodes);
	return ln->route_hops[a * ln->nr_nodes + b];
}

sim_time_t link_transfer(linknet_t *ln, unsigned src, unsigned dst, sim_time_t now, uint32_t bytes)
{
	unsigned n = ln->nr_nodes, k = src * n + dst, u = src;
	const uint8_t *path;
	sim_time_t t = now;

	SIM_BUG_ON(src >= n || dst >= n);
	/* read data leaves a CXL device through its controller */
	if (unlikely(ln->nr_devs) && ln->dev_of[src] && src != dst && bytes > CXL_SLOT_BYTES)
		t = cxl_dev_pass(ln->dev_of[src], t, bytes, true);
	path = ln->route_nodes + ln->route_off[k];
	for (unsigned h = 0; h < ln->route_hops[k]; h++) {
		struct link_port *p = &ln->ports[pick_port(ln, u, path[h], t, bytes, false)];
		sim_time_t ser = port_serialize(p, bytes);
		sim_time_t start = resv_book(&p->busy, t, ser);

		p->stat[LINK_BYTES] += bytes;
		p->stat[LINK_MESSAGES]++;
		p->stat[LINK_BUSY] += ser;
		p->stat[LINK_QUEUE] += start - t;
		if (start - t > p->stat[LINK_QUEUE_MAX])
			p->stat[LINK_QUEUE_MAX] = start - t;
		/* store-and-forward: the next hop starts once the whole message is here */
		t = start + ser + p->latency;
		u = path[h];
	}
	/* write data enters a CXL device through its controller, then its DDR */
	if (unlikely(ln->nr_devs) && ln->dev_of[dst] && src != dst && bytes > CXL_SLOT_BYTES)
		t = cxl_dev_pass(ln->dev_of[dst], t, bytes, false);
	return t - now;
}

sim_time_t link_idle_latency(const linknet_t *ln, unsigned src, unsigned dst, uint32_t bytes)
{
	unsigned n = ln->nr_nodes, k = src * n + dst, u = src;
	const uint8_t *path;
	sim_time_t t = 0;

	SIM_BUG_ON(src >= n || dst >= n);
	if (src == dst)
		return 0;
	if (ln->dev_of[src] && bytes > CXL_SLOT_BYTES)
		t += cxl_dev_idle(ln->dev_of[src], bytes);
	path = ln->route_nodes + ln->route_off[k];
	for (unsigned h = 0; h < ln->route_hops[k]; h++) {
		const struct link_port *p = &ln->ports[pick_port(ln, u, path[h], t, bytes, true)];
		t += port_serialize(p, bytes) + p->latency;
		u = path[h];
	}
	if (ln->dev_of[dst] && bytes > CXL_SLOT_BYTES)
		t += cxl_dev_idle(ln->dev_of[dst], bytes);
	return t;
}

uint64_t link_idle_mbps(const linknet_t *ln, unsigned src, unsigned dst, uint32_t bytes)
{
	unsigned n = ln->nr_nodes, k = src * n + dst, u = src;
	const uint8_t *path;
	uint64_t mbps = UINT64_MAX;

	SIM_BUG_ON(src >= n || dst >= n);
	if (src == dst)
		return mbps;
	if (ln->dev_of[src] && bytes > CXL_SLOT_BYTES)
		mbps = cxl_dev_mbps(ln->dev_of[src], bytes);
	path = ln->route_nodes + ln->route_off[k];
	for (unsigned h = 0; h < ln->route_hops[k]; h++) {
		unsigned b = u * n + path[h];
		uint64_t hop = 0;
		/* pick_port spreads a stream over the bundle, so its ports add up */
		for (uint32_t i = 0; i < ln->bundle_len[b]; i++) {
			const struct link_port *p = &ln->ports[ln->bundle_ids[ln->bundle_off[b] + i]];
			hop += (uint64_t)bytes * 1000000u / port_serialize(p, bytes);
		}
		mbps = SIM_MIN(mbps, hop);
		u = path[h];
	}
	if (ln->dev_of[dst] && bytes > CXL_SLOT_BYTES)
		mbps = SIM_MIN(mbps, cxl_dev_mbps(ln->dev_of[dst], bytes));
	return mbps;
}

void linknet_report(const linknet_t *ln, sim_time_t end, rep_t *r)
{
	rep_arr_begin(r, "links");
	for (unsigned i = 0; i < ln->nr_ports; i++) {
		const struct link_port *p = &ln->ports[i];
		char dir[32];

		snprintf(dir, sizeof(dir), "%u->%u", p->from, p->to);
		rep_obj_begin(r, NULL);
		rep_u64(r, "link", p->link);
		rep_u64(r, "a", p->from);
		rep_u64(r, "b", p->to);
		rep_str(r, "dir", dir);
		rep_stat_fields(r, &(struct stat_block){ link_stat_desc, p->stat, NR_LINK_STATS });
		/* Busy time booked past `end` (queued work) can push this above 1. */
		rep_real(r, "utilisation", end ? (double)p->stat[LINK_BUSY] / (double)end : 0.0);
		rep_obj_end(r);
	}
	rep_arr_end(r);
	if (!ln->nr_devs)
		return;
	rep_arr_begin(r, "cxl_devices");
	for (unsigned i = 0; i < ln->nr_devs; i++)
		cxl_dev_report(&ln->devs[i], end, r);
	rep_arr_end(r);
}
