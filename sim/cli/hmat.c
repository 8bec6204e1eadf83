/*
 * sim/cli/hmat.c - HMAT-like node performance figures read from the
 * hardware model (hmat.h).  Nothing here re-derives a route or a device
 * time: the link network and the DDR controllers are built from the same
 * description as the machine's and asked for their unloaded figures, so
 * the table cannot drift from what the model does (tests/sim/test_hmat.c
 * compares every pair with a load through hw_access).
 */
#include <stdint.h>
#include "sim/cli/hmat.h"
#include "sim/err.h"

#define PS_NS 1000ULL

int hmat_model_create(struct hmat_model *hm, const struct hw_cfg *hw, char *err, size_t errlen)
{
	uint64_t base = 0;
	int rc;

	*hm = (struct hmat_model){ .hw = hw };
	if ((rc = linknet_create(&hm->ln, hw, err, errlen)))
		return rc;
	for (unsigned n = 0; n < hw->nr_nodes; n++) {
		if ((rc = ddr_create(&hm->ddr[n], &hw->nodes[n].ddr, n, base, err, errlen))) {
			sim_err_prefix(err, errlen, "nodes[%u].ddr", n);
			hmat_model_destroy(hm);
			return rc;
		}
		base += hw->nodes[n].memory;
	}
	return 0;
}

void hmat_model_destroy(struct hmat_model *hm)
{
	linknet_destroy(hm->ln);
	for (unsigned n = 0; n < HW_MAX_NODES; n++)
		ddr_destroy(hm->ddr[n]);
	*hm = (struct hmat_model){ 0 };
}

sim_time_t hmat_load_ps(const struct hmat_model *hm, unsigned ini, unsigned mem)
{
	const struct hw_cfg *hw = hm->hw;
	const struct caches_cfg *cc = &hw->caches;
	sim_time_t ps = hw_cycles_ps(hw, cc->l1d.latency);

	if (cc->l2.enabled)
		ps += hw_cycles_ps(hw, cc->l2.latency);
	if (cc->l3.enabled)
		ps += hw_cycles_ps(hw, cc->l3.latency);
	ps += hw->uncore + link_idle_latency(hm->ln, ini, mem, hw->coherence.msg_bytes);
	ps += hw->coherence.dir_latency + ddr_idle_latency(hm->ddr[mem]);
	return ps + link_idle_latency(hm->ln, mem, ini, cc->l1d.line);
}

uint64_t hmat_read_mbps(const struct hmat_model *hm, unsigned ini, unsigned mem)
{
	uint64_t ddr = ddr_peak_mbps(hm->ddr[mem]);

	return SIM_MIN(ddr, link_idle_mbps(hm->ln, mem, ini, hm->hw->caches.l1d.line));
}

/* The node with CPUs nearest to `target` by SLIT distance (lowest id on ties). */
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

int hmat_fill(struct machine_desc *m, char *err, size_t errlen)
{
	const struct hw_cfg *hw = &m->hw;
	struct os_cfg *os = &m->os;
	bool lat = os->nr_hmat_latency_ns == 0, bw = os->nr_hmat_bandwidth_mbps == 0;
	struct hmat_model hm;
	int rc;

	if (!lat && !bw)
		return 0;
	if ((rc = hmat_model_create(&hm, hw, err, errlen)))
		return rc;
	for (unsigned n = 0; n < hw->nr_nodes; n++) {
		unsigned ini = best_initiator(hw, n);
		uint64_t ns = (hmat_load_ps(&hm, ini, n) + PS_NS / 2) / PS_NS;
		uint64_t mbps = hmat_read_mbps(&hm, ini, n);

		/* the os keys take 1..10^6 ns and 1..2^30 MB/s (os/os_cfg.c) */
		if (lat)
			os->hmat_latency_ns[n] = (uint32_t)SIM_MAX(1, SIM_MIN(ns, 1000000));
		if (bw)
			os->hmat_bandwidth_mbps[n] = (uint32_t)SIM_MAX(1, SIM_MIN(mbps, 1u << 30));
	}
	hmat_model_destroy(&hm);
	if (lat)
		os->nr_hmat_latency_ns = hw->nr_nodes;
	if (bw)
		os->nr_hmat_bandwidth_mbps = hw->nr_nodes;
	return 0;
}
