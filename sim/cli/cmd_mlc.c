/*
 * sim/cli/cmd_mlc.c - `numasim mlc`: Intel Memory Latency Checker-style
 * idle-latency and bandwidth matrices, measured by simulating (the
 * measurements themselves are in sim/cli/mlc.c).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "hw/hw.h"
#include "sim/afile.h"
#include "sim/cli/cliopt.h"
#include "sim/cli/cmds.h"
#include "sim/cli/machine.h"
#include "hw/mlc.h"
#include "sim/cli/mlc_loaded.h"
#include "sim/err.h"
#include "sim/words.h"

/* Rows are the nodes with CPUs (as MLC prints them); every node is a column, memory-only ones too. */
static void print_matrix(const struct hw_cfg *h, const struct mlc_result *r, const double (*v)[HW_MAX_NODES],
			 const char *fmt)
{
	printf("\t\tNuma node\nNuma node");
	for (unsigned n = 0; n < r->n; n++)
		printf("\t%8u", n);
	printf("\n");
	for (unsigned c = 0; c < r->n; c++) {
		if (!h->nodes[c].cpus)
			continue;
		printf("%8u", c);
		for (unsigned n = 0; n < r->n; n++)
			printf(fmt, v[c][n]);
		printf("\n");
	}
}

static void mlc_usage(FILE *fp)
{
	fprintf(fp, "usage: numasim mlc --machine PRESET|FILE [-p KEY=VALUE]... [--latency-only|--bandwidth-only]\n"
		    "                   [--samples N] [--lines N] [--mlp N] [--buffer SIZE] [--json FILE]\n"
		    "  counts take K/M/G (x1000), --buffer K/M/G (x1024)\n"
		    "       numasim mlc --loaded-latency --help   (MLC's loaded latency, docs/mlc.md)\n");
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
	struct mlc_opts o = MLC_OPTS_DEFAULT;
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
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--loaded-latency")) {
			status = mlcl_main(argc, argv);      /* its own options: sim/cli/mlc_loaded.c */
			goto out;
		}
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":m:p:h", longopts, NULL)) != -1) {
		uint64_t x;
		switch (c) {
		case 'm': machine = optarg; break;
		case 'p': ov[nov++] = optarg; break;
		case 'L': bw = false; break;
		case 'B': lat = false; break;
		case 'n':
		case 'l':
		case 'k':
			if (sim_parse_count(c == 'n' ? "--samples" : c == 'l' ? "--lines" : "--mlp", optarg, &x, err,
					    sizeof(err))) {
				fprintf(stderr, "numasim mlc: %s\n", err);
				status = EXIT_USAGE;
				goto out;
			}
			if (c == 'k' && x > 4096) {
				fprintf(stderr, "numasim mlc: --mlp %s: more than 4096 misses in flight\n", optarg);
				status = EXIT_USAGE;
				goto out;
			}
			if (c == 'n')
				o.lat_samples = x;
			else if (c == 'l')
				o.bw_lines = x;
			else
				o.mlp = (unsigned)x;
			break;
		case 'b':
			if (cfg_parse_size(optarg, &o.buffer) || !o.buffer) {
				fprintf(stderr, "numasim mlc: --buffer %s: not a size\n", optarg);
				status = EXIT_USAGE;
				goto out;
			}
			break;
		case 'j': json_path = optarg; break;
		case 'h': mlc_usage(stdout); status = 0; goto out;
		default:
			cli_bad_option("numasim mlc", c, argc, argv, longopts);
			mlc_usage(stderr);
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
	if (mlc_measure(&m->hw, &o, lat, bw, res, err, sizeof(err))) {
		fprintf(stderr, "numasim mlc: %s\n", err);
		goto out;
	}
	printf("numasim mlc - machine %s (simulated; Intel MLC-style output)\n\n", m->name);
	if (lat) {
		printf("Measuring idle latencies for random access (in ns)...\n");
		print_matrix(&m->hw, res, (const double (*)[HW_MAX_NODES])res->lat_ns, "\t%8.1f");
		printf("\n");
	}
	if (bw) {
		printf("Measuring Memory Bandwidths between nodes within system\n"
		       "Bandwidths are in MB/sec (1 MB/sec = 1,000,000 Bytes/sec)\n"
		       "Using all the threads from each core of the CPU node, %u streams each, read-only traffic\n", o.mlp);
		print_matrix(&m->hw, res, (const double (*)[HW_MAX_NODES])res->bw_mbps, "\t%8.1f");
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
