/*
 * sim/cli/cmd_mlc.c - `numasim mlc`: Intel Memory Latency Checker-style
 * idle-latency and bandwidth matrices, measured by simulating.
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
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "hw/hw.h"
#include "sim/afile.h"
#include "sim/cli/cmds.h"
#include "sim/cli/machine.h"
#include "sim/err.h"
#include "sim/rng.h"

struct mlc_opts {
	uint64_t lat_samples;    /* dependent loads per (cpu node, memory node) */
	uint64_t bw_lines;       /* lines read per bandwidth measurement */
	unsigned mlp;            /* outstanding streams per CPU in the bandwidth test */
	uint64_t buffer;         /* bytes of the latency buffer on the memory node */
	uint64_t seed;
};

struct mlc_result {
	unsigned n;
	double lat_ns[HW_MAX_NODES][HW_MAX_NODES];
	double bw_mbps[HW_MAX_NODES][HW_MAX_NODES];
};

static unsigned first_cpu_of(const struct hw_cfg *h, unsigned node)
{
	unsigned c = 0;
	for (unsigned n = 0; n < node; n++)
		c += h->nodes[n].cpus;
	return c;
}

static int mlc_latency(const struct machine_desc *m, const struct mlc_opts *o, unsigned cn, unsigned mn,
		       double *out, char *err, size_t errlen)
{
	pmem_t *pm;
	hw_t *hw;
	struct rng r;
	struct hw_res res;
	sim_time_t t = 0, sum = 0;
	unsigned cpu = first_cpu_of(&m->hw, cn);
	uint64_t line = m->hw.caches.l1d.line;
	uint64_t buf = o->buffer < m->hw.nodes[mn].memory ? o->buffer : m->hw.nodes[mn].memory;
	uint64_t lines = buf / line, base;
	int rc;

	if ((rc = pmem_create(&pm)))
		return rc;
	rc = hw_create(&hw, &m->hw, pm, o->seed, err, errlen);
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

static int mlc_bandwidth(const struct machine_desc *m, const struct mlc_opts *o, unsigned cn, unsigned mn,
			 double *out, char *err, size_t errlen)
{
	pmem_t *pm;
	hw_t *hw;
	unsigned ncpu = m->hw.nodes[cn].cpus, cpu0 = first_cpu_of(&m->hw, cn);
	unsigned nslots = ncpu * o->mlp;
	uint64_t line = m->hw.caches.l1d.line;
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
	rc = hw_create(&hw, &m->hw, pm, o->seed, err, errlen);
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
	region = (m->hw.nodes[mn].memory / nslots) / 4096 * 4096;
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

static int mlc_measure(const struct machine_desc *m, const struct mlc_opts *o, bool lat, bool bw,
		       struct mlc_result *res, char *err, size_t errlen)
{
	int rc;

	res->n = m->hw.nr_nodes;
	for (unsigned c = 0; c < res->n; c++) {
		for (unsigned n = 0; n < res->n; n++) {
			if (m->hw.nodes[c].cpus == 0)
				continue;
			if (lat && (rc = mlc_latency(m, o, c, n, &res->lat_ns[c][n], err, errlen)))
				return rc;
			if (bw && (rc = mlc_bandwidth(m, o, c, n, &res->bw_mbps[c][n], err, errlen)))
				return rc;
		}
	}
	return 0;
}

static void print_matrix(const struct mlc_result *r, const double (*v)[HW_MAX_NODES], const char *fmt)
{
	printf("\t\tNuma node\nNuma node");
	for (unsigned n = 0; n < r->n; n++)
		printf("\t%8u", n);
	printf("\n");
	for (unsigned c = 0; c < r->n; c++) {
		printf("%8u", c);
		for (unsigned n = 0; n < r->n; n++)
			printf(fmt, v[c][n]);
		printf("\n");
	}
}

static void mlc_usage(FILE *fp)
{
	fprintf(fp, "usage: numasim mlc --machine PRESET|FILE [-p KEY=VALUE]... [--latency-only|--bandwidth-only]\n"
		    "                   [--samples N] [--lines N] [--mlp N] [--buffer SIZE] [--json FILE]\n");
}

int cmd_mlc(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "machine", required_argument, NULL, 'm' },
		{ "latency-only", no_argument, NULL, 'L' },
		{ "bandwidth-only", no_argument, NULL, 'B' },
		{ "samples", required_argument, NULL, 'n' },
		{ "lines", required_argument, NULL, 'l' },
		{ "mlp", required_argument, NULL, 'k' },
		{ "buffer", required_argument, NULL, 'b' },
		{ "json", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mlc_opts o = { .lat_samples = 20000, .bw_lines = 400000, .mlp = 10, .buffer = 1ULL << 30, .seed = 1 };
	struct machine_desc *m = calloc(1, sizeof(*m));
	struct mlc_result *res = calloc(1, sizeof(*res));
	char **ov = calloc((size_t)argc + 1, sizeof(char *));
	const char *machine = NULL, *json_path = NULL;
	bool lat = true, bw = true;
	unsigned nov = 0;
	char err[1024];
	int c, status = 1;

	if (!m || !res || !ov)
		goto out;
	optind = 1;
	while ((c = getopt_long(argc, argv, "m:p:h", longopts, NULL)) != -1) {
		char *end = NULL;
		switch (c) {
		case 'm': machine = optarg; break;
		case 'p': ov[nov++] = optarg; break;
		case 'L': bw = false; break;
		case 'B': lat = false; break;
		case 'n': o.lat_samples = strtoull(optarg, &end, 0); break;
		case 'l': o.bw_lines = strtoull(optarg, &end, 0); break;
		case 'k': o.mlp = (unsigned)strtoul(optarg, &end, 0); break;
		case 'b':
			if (cfg_parse_size(optarg, &o.buffer) || !o.buffer) {
				fprintf(stderr, "numasim mlc: --buffer %s: not a size\n", optarg);
				status = EXIT_USAGE;
				goto out;
			}
			break;
		case 'j': json_path = optarg; break;
		case 'h': mlc_usage(stdout); status = 0; goto out;
		default: mlc_usage(stderr); status = EXIT_USAGE; goto out;
		}
		if (end && (*end || !*optarg)) {
			fprintf(stderr, "numasim mlc: '%s' is not a number\n", optarg);
			status = EXIT_USAGE;
			goto out;
		}
	}
	if (!machine || optind < argc || !o.lat_samples || !o.bw_lines || !o.mlp) {
		mlc_usage(stderr);
		status = EXIT_USAGE;
		goto out;
	}
	if (machine_load(m, machine, ov, nov, err, sizeof(err))) {
		fprintf(stderr, "numasim mlc: %s\n", err);
		goto out;
	}
	if (mlc_measure(m, &o, lat, bw, res, err, sizeof(err))) {
		fprintf(stderr, "numasim mlc: %s\n", err);
		goto out;
	}
	printf("numasim mlc - machine %s (simulated; Intel MLC-style output)\n\n", m->name);
	if (lat) {
		printf("Measuring idle latencies for random access (in ns)...\n");
		print_matrix(res, (const double (*)[HW_MAX_NODES])res->lat_ns, "\t%8.1f");
		printf("\n");
	}
	if (bw) {
		printf("Measuring Memory Bandwidths between nodes within system\n"
		       "Bandwidths are in MB/sec (1 MB/sec = 1,000,000 Bytes/sec)\n"
		       "Using all the threads from each core of the CPU node, %u streams each, read-only traffic\n", o.mlp);
		print_matrix(res, (const double (*)[HW_MAX_NODES])res->bw_mbps, "\t%8.1f");
	}
	if (json_path) {
		json_t *root = json_object(), *jl = json_array(), *jb = json_array();
		for (unsigned i = 0; i < res->n; i++) {
			json_t *rl = json_array(), *rb = json_array();
			for (unsigned j = 0; j < res->n; j++) {
				json_array_append_new(rl, json_real(res->lat_ns[i][j]));
				json_array_append_new(rb, json_real(res->bw_mbps[i][j]));
			}
			json_array_append_new(jl, rl);
			json_array_append_new(jb, rb);
		}
		json_object_set_new(root, "machine", json_string(m->name));
		if (lat)
			json_object_set_new(root, "idle_latency_ns", jl);
		else
			json_decref(jl);
		if (bw)
			json_object_set_new(root, "bandwidth_mbps", jb);
		else
			json_decref(jb);
		char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
		json_decref(root);
		if (!s || afile_write_all(json_path, s, strlen(s), err, sizeof(err))) {
			fprintf(stderr, "numasim mlc: %s\n", s ? err : "out of memory");
			free(s);
			goto out;
		}
		free(s);
	}
	status = 0;
out:
	free(m);
	free(res);
	free(ov);
	return status;
}
