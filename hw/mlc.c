/*
 * sim/cli/mlc.c - Intel MLC-style measurements by simulation (see mlc.h).
 *
 * Nothing is read back from the configuration: latency comes from dependent
 * random loads (a pointer chase: each load's address depends on the previous
 * one, so latencies add up and nothing overlaps) issued by one CPU of node c
 * into a buffer on node m, far larger than the caches; bandwidth from every
 * CPU of node c streaming reads from node m with `mlp` independent streams
 * each (real cores keep about ten L1 misses in flight), so links and DDR
 * channels saturate and queue.
 *
 * Addresses are physical (the CPUs run untranslated, HW_NO_PAGING): MLC
 * itself uses large pages so that TLB misses do not pollute the figure.
 */
#include <stdlib.h>
#include "hw/mlc.h"
#include "sim/err.h"
#include "sim/rng.h"

static unsigned first_cpu_of(const struct hw_cfg *h, unsigned node)
{
	unsigned c = 0;
	for (unsigned n = 0; n < node; n++)
		c += h->nodes[n].cpus;
	return c;
}

int mlc_latency(const struct hw_cfg *h, const struct mlc_opts *o, unsigned cn, unsigned mn, double *out,
		char *err, size_t errlen)
{
	pmem_t *pm;
	hw_t *hw;
	struct rng r;
	struct hw_res res;
	sim_time_t t = 0, sum = 0;
	unsigned cpu = first_cpu_of(h, cn);
	uint64_t line = h->caches.l1d.line;
	uint64_t buf = o->buffer < h->nodes[mn].memory ? o->buffer : h->nodes[mn].memory;
	uint64_t lines = buf / line, base;
	int rc;

	if ((rc = pmem_create(&pm)))
		return rc;
	rc = hw_create(&hw, h, pm, o->seed, err, errlen);
	if (rc) {
		pmem_destroy(pm);
		return rc;
	}
	base = hw_node_base(hw, mn);
	hw_set_context(hw, cpu, 0, HW_NO_PAGING);
	rng_seed(&r, o->seed, 1000 + cn * HW_MAX_NODES + mn);
	/* warm-up touches settle nothing in particular but the row buffers and queues */
	for (uint64_t i = 0; i < o->lat_samples / 10 + o->lat_samples; i++) {
		struct hw_req q = { .vaddr = base + rng_below(&r, lines) * line, .size = 8, .op = MEM_LOAD };
		hw_set_horizon(hw, t);
		hw_access(hw, cpu, t, &q, &res);
		t += res.lat;
		if (i >= o->lat_samples / 10)
			sum += res.lat;
	}
	*out = (double)sum / (double)o->lat_samples / 1000.0;
	hw_destroy(hw);
	pmem_destroy(pm);
	return 0;
}

int mlc_bandwidth(const struct hw_cfg *h, const struct mlc_opts *o, unsigned cn, unsigned mn, double *out,
		  char *err, size_t errlen)
{
	pmem_t *pm;
	hw_t *hw;
	unsigned ncpu = h->nodes[cn].cpus, cpu0 = first_cpu_of(h, cn);
	unsigned nslots = ncpu * o->mlp;
	uint64_t line = h->caches.l1d.line;
	uint64_t region, base, done = 0;
	sim_time_t *clk, end = 0;
	uint64_t *pos;
	int rc;

	if (!ncpu) {
		*out = 0;
		return 0;
	}
	if ((rc = pmem_create(&pm)))
		return rc;
	rc = hw_create(&hw, h, pm, o->seed, err, errlen);
	if (rc) {
		pmem_destroy(pm);
		return rc;
	}
	clk = calloc(nslots, sizeof(*clk));
	pos = calloc(nslots, sizeof(*pos));
	if (!clk || !pos) {
		free(clk);
		free(pos);
		hw_destroy(hw);
		pmem_destroy(pm);
		return -SIM_ENOMEM;
	}
	base = hw_node_base(hw, mn);
	/*
	 * Each stream reads its own slice of the node's memory sequentially,
	 * starting at a random 4 KiB page of the slice: MLC's buffers sit on
	 * whatever physical pages the kernel gave it, and slices starting at
	 * equal offsets would all begin on the same DDR channel and march
	 * through the channels in lockstep.
	 */
	region = (h->nodes[mn].memory / nslots) / 4096 * 4096;
	struct rng r;
	rng_seed(&r, o->seed, 2000 + cn * HW_MAX_NODES + mn);
	for (unsigned k = 0; k < nslots && region >= 4096; k++)
		pos[k] = rng_below(&r, region / 4096) * 4096;
	for (unsigned c = 0; c < ncpu; c++)
		hw_set_context(hw, cpu0 + c, 0, HW_NO_PAGING);
	while (done < o->bw_lines) {
		unsigned k = 0;
		for (unsigned i = 1; i < nslots; i++)
			if (clk[i] < clk[k])
				k = i;
		struct hw_req q = { .vaddr = base + (uint64_t)k * region + pos[k], .size = 8, .op = MEM_LOAD };
		struct hw_res res;
		hw_set_horizon(hw, clk[k]);   /* streams are served in clock order */
		hw_access(hw, cpu0 + k / o->mlp, clk[k], &q, &res);
		clk[k] += res.lat;
		pos[k] = (pos[k] + line) % (region ? region : line);
		done++;
	}
	for (unsigned i = 0; i < nslots; i++)
		if (clk[i] > end)
			end = clk[i];
	/* bytes per ps * 1e12 = B/s; / 1e6 = MB/s */
	*out = end ? (double)(done * line) / (double)end * 1e6 : 0.0;
	free(clk);
	free(pos);
	hw_destroy(hw);
	pmem_destroy(pm);
	return 0;
}

int mlc_measure(const struct hw_cfg *h, const struct mlc_opts *o, bool lat, bool bw, struct mlc_result *res,
		char *err, size_t errlen)
{
	int rc;

	res->n = h->nr_nodes;
	for (unsigned c = 0; c < res->n; c++) {
		for (unsigned n = 0; n < res->n; n++) {
			if (h->nodes[c].cpus == 0)
				continue;
			if (lat && (rc = mlc_latency(h, o, c, n, &res->lat_ns[c][n], err, errlen)))
				return rc;
			if (bw && (rc = mlc_bandwidth(h, o, c, n, &res->bw_mbps[c][n], err, errlen)))
				return rc;
		}
	}
	return 0;
}

