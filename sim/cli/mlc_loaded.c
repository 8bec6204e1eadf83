/*
 * sim/cli/mlc_loaded.c - MLC's loaded latency through the replay engine.
 *
 * Each injection delay is one `numasim run` of the experiments/wl_mlc.h
 * workload, written to a temporary trace: nothing is measured outside the
 * engine, so `numasim run` on the trace that `trace gen --pattern
 * mlc-loaded` writes for the same arguments gives the same figures (the
 * test checks it).  The window of a measured thread runs from the clone
 * that starts it (the end of the init thread, which runs alone on its own
 * CPU) to its last access; the report's per-CPU counters and end times are
 * exactly that, because each measured thread has a CPU to itself.
 *
 *   latency   = latency thread's window / its dependent loads
 *   bandwidth = sum over measured threads of loads x line / window
 *   aggregate = lines the measured threads read from memory x line
 *               / (last thread end - first thread start)
 *
 * MLC's bandwidth divides each thread's loads by its own window, and the
 * threads end at different times (one that ends early had the memory to
 * itself for none of the time the others ran on alone), and it counts the
 * loads the L3 served: its sum can exceed what the memory moved in any
 * interval.
 * The aggregate puts every line that came from a DDR controller (or
 * through a CXL controller) into one window that holds all of them, so it
 * can never exceed what that memory can move.  A thread's start is its
 * end less its run time (the report's thread_ps).
 *
 * A latency figure is only valid while every injector is still running;
 * the injectors' length is not known before the run (it depends on how
 * loaded the machine is), so an injector that ends first makes the step
 * run again with longer injectors.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include "hw/mlc.h"
#include "sim/afile.h"
#include "sim/cli/cmds.h"
#include "sim/cli/mlc_loaded.h"
#include "sim/cli/run.h"
#include "sim/err.h"
#include "sim/report.h"

#define MLCL_MAX_RUNS 6

const uint32_t mlcl_default_delays[] = {
	0, 2, 8, 15, 50, 100, 200, 300, 400, 500, 700, 1000, 1300, 1700, 2500, 3500, 5000, 9000, 20000,
};
const unsigned mlcl_nr_default_delays = sizeof(mlcl_default_delays) / sizeof(mlcl_default_delays[0]);

void mlcl_opts_init(struct mlcl_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->lat_cpu = -1;
	o->mem_node = -1;
	o->inj_buffer = 4ULL << 20;
	o->lat_loads = 20000;
	o->seed = 1;
}

static unsigned first_cpu_of(const struct hw_cfg *h, unsigned node)
{
	unsigned c = 0;
	for (unsigned n = 0; n < node; n++)
		c += h->nodes[n].cpus;
	return c;
}

static int node_of(const struct hw_cfg *h, unsigned cpu)
{
	for (unsigned n = 0, c = 0; n < h->nr_nodes; c += h->nodes[n].cpus, n++)
		if (cpu < c + h->nodes[n].cpus)
			return (int)n;
	return -1;
}

int mlcl_spec(const struct machine_desc *m, const struct mlcl_opts *o, uint32_t delay, struct wlmlc_spec *s,
	      char *err, size_t errlen)
{
	const struct hw_cfg *h = &m->hw;
	unsigned ncpu = hw_cfg_nr_cpus(h), lat = o->lat_cpu < 0 ? 0 : (unsigned)o->lat_cpu;
	int node = node_of(h, lat), mem;
	bool used[HW_MAX_CPUS] = { false };
	unsigned lo, hi;

	wlmlc_spec_init(s);
	if (node < 0)
		return sim_errf(err, errlen, SIM_ECONFIG, "-c %u: the machine has CPUs 0-%u", lat, ncpu - 1);
	if (o->mem_node >= (int)h->nr_nodes)
		return sim_errf(err, errlen, SIM_ECONFIG, "--memory-node %d: the machine has nodes 0-%u", o->mem_node,
				h->nr_nodes - 1);
	/* the buffers' node: the latency CPU's, or any other, memory-only (CXL) nodes included */
	mem = o->mem_node >= 0 ? o->mem_node : node;
	s->seed = o->seed;
	s->delay = delay;
	s->lat_cpu = lat;
	s->node = mem;
	s->lat_loads = o->lat_loads;
	s->inj_buffer = o->inj_buffer;
	s->thp = !o->small_pages;
	/* at least ten times the socket's last-level cache, so the chase misses it (MLC's advice) */
	s->lat_buffer = o->buffer ? o->buffer : (h->caches.l3.size * 10 + (2u << 20) - 1) / (2u << 20) * (2u << 20);
	if (s->lat_buffer < (64u << 20) && !o->buffer)
		s->lat_buffer = 64u << 20;
	/* but a quarter of the node at most: the injectors' buffers and the page tables need room too */
	if (!o->buffer && s->lat_buffer > h->nodes[mem].memory / 4)
		s->lat_buffer = h->nodes[mem].memory / 4 / (2u << 20) * (2u << 20);
	used[lat] = true;
	lo = first_cpu_of(h, (unsigned)node);
	hi = lo + h->nodes[node].cpus;
	s->nr_inj = 0;
	if (o->inj_given) {
		for (unsigned i = 0; i < o->nr_inj; i++) {
			if (o->inj_cpus[i] >= ncpu)
				return sim_errf(err, errlen, SIM_ECONFIG, "-k: CPU %u: the machine has CPUs 0-%u",
						o->inj_cpus[i], ncpu - 1);
			if (used[o->inj_cpus[i]])
				return sim_errf(err, errlen, SIM_ECONFIG, "-k: CPU %u is listed twice or is the "
						"latency CPU", o->inj_cpus[i]);
			used[o->inj_cpus[i]] = true;
			s->inj_cpus[s->nr_inj++] = o->inj_cpus[i];
		}
	} else {
		/*
		 * Every other CPU of the node, but the last one when the node has
		 * three or more: the init thread runs there, so the page tables it
		 * allocates and caches are the node's own (from another socket
		 * every walk of the chase would cross the link).
		 */
		unsigned last = hi - 1;
		for (unsigned c = lo; c < hi; c++)
			if (!used[c] && s->nr_inj < WLMLC_MAX_INJ && !(hi - lo >= 3 && c == last && lat != last)) {
				used[c] = true;
				s->inj_cpus[s->nr_inj++] = c;
			}
	}
	/* the init thread: a free CPU, on the measured node if one is left */
	for (unsigned k = 0; k < ncpu; k++) {
		unsigned c = (lo + k) % ncpu;
		if (!used[c]) {
			s->init_cpu = c;
			return 0;
		}
	}
	return sim_errf(err, errlen, SIM_ECONFIG, "no CPU is left for the thread that initialises the buffers: "
			"give fewer injector CPUs (-k)");
}

/* Integer or real member as a double; -1 if missing. */
static double jget(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : -1;
}

static const json_t *cpu_obj(const json_t *cpus, unsigned cpu)
{
	size_t i;
	json_t *el;

	json_array_foreach(cpus, i, el)
		if (jget(el, "cpu") == (double)cpu)
			return el;
	return NULL;
}

/*
 * One measured CPU into the aggregate: widen [*first_start, *last_end] to
 * its thread's run and add the lines memory served it.  -1 if the report
 * lacks a figure.
 */
static int aggregate_add(const json_t *cpu, double *first_start, double *last_end, double *mem_lines)
{
	const json_t *served = json_object_get(cpu, "served");
	double end = jget(cpu, "time_ns"), run_ps = jget(json_object_get(cpu, "counters"), "thread_ps");
	double local = jget(served, "dram_local"), remote = jget(served, "dram_remote");

	if (end < 0 || run_ps < 0 || local < 0 || remote < 0)
		return -1;
	if (end - run_ps / 1000.0 < *first_start)
		*first_start = end - run_ps / 1000.0;
	if (end > *last_end)
		*last_end = end;
	*mem_lines += local + remote;
	return 0;
}

int mlcl_from_report(const json_t *report, const struct wlmlc_spec *s, double *latency_ns, double *bw_mbps,
		     double *agg_mbps, bool *short_inj, double *lat_window_ns, double *min_inj_window_ns, char *err,
		     size_t errlen)
{
	const json_t *cpus = json_object_get(report, "cpus"), *init, *c;
	double t0, lat_end, first_start, last_end, bw = 0, mem_lines = 0, min_win = -1;

	init = cpu_obj(cpus, s->init_cpu);
	c = cpu_obj(cpus, s->lat_cpu);
	if (!init || !c)
		return sim_errf(err, errlen, SIM_EIO, "report: no per-CPU entry for the init CPU %u or the latency "
				"CPU %u", s->init_cpu, s->lat_cpu);
	t0 = jget(init, "time_ns");
	lat_end = jget(c, "time_ns");
	double loads = jget(json_object_get(c, "counters"), "loads");
	if (t0 < 0 || lat_end <= t0 || loads != (double)s->lat_loads)
		return sim_errf(err, errlen, SIM_EIO, "report: the latency CPU %u did not replay %llu loads after "
				"the init thread (found %.0f)", s->lat_cpu, (unsigned long long)s->lat_loads, loads);
	*latency_ns = (lat_end - t0) / loads;
	*lat_window_ns = lat_end - t0;
	bw = loads * s->line / (lat_end - t0);
	first_start = lat_end;
	last_end = lat_end;
	if (aggregate_add(c, &first_start, &last_end, &mem_lines))
		return sim_errf(err, errlen, SIM_EIO, "report: CPU %u has no thread_ps or served counts", s->lat_cpu);
	*short_inj = false;
	for (unsigned k = 0; k < s->nr_inj; k++) {
		const json_t *ic = cpu_obj(cpus, s->inj_cpus[k]);
		double end = ic ? jget(ic, "time_ns") : -1;
		double n = ic ? jget(json_object_get(ic, "counters"), "loads") : -1;
		if (end <= t0 || n != (double)s->inj_loads)
			return sim_errf(err, errlen, SIM_EIO, "report: injector CPU %u did not replay %llu loads",
					s->inj_cpus[k], (unsigned long long)s->inj_loads);
		if (end < lat_end)
			*short_inj = true;
		if (min_win < 0 || end - t0 < min_win)
			min_win = end - t0;
		bw += n * s->line / (end - t0);
		if (aggregate_add(ic, &first_start, &last_end, &mem_lines))
			return sim_errf(err, errlen, SIM_EIO, "report: CPU %u has no thread_ps or served counts",
					s->inj_cpus[k]);
	}
	*min_inj_window_ns = min_win;
	*bw_mbps = bw * 1000.0;       /* bytes/ns = GB/s; MB/s is 10^6 bytes/s */
	*agg_mbps = mem_lines * s->line / (last_end - first_start) * 1000.0;
	return 0;
}

int mlcl_replay_report(const struct mlcl_opts *o, const struct wlmlc_spec *s, const char *path, json_t **report,
		       char *err, size_t errlen)
{
	struct run_opts *ro = calloc(1, sizeof(*ro));
	simrun_t *sr = NULL;
	rep_t *rep = NULL;
	int rc;

	*report = NULL;
	if (!ro)
		return sim_errf(err, errlen, SIM_ENOMEM, "out of memory");
	if ((rc = wlmlc_write(s, path, TFMT_NATIVE, err, errlen)))
		goto out;
	ro->machine = o->machine;
	ro->overrides = o->overrides;
	ro->nr_overrides = o->nr_overrides;
	ro->traces[0].path = path;
	ro->traces[0].fmt = TFMT_NATIVE;
	ro->nr_traces = 1;
	ro->seed = o->seed;
	ro->quiet = true;
	if ((rc = simrun_create(&sr, ro, err, errlen)) || (rc = simrun_run(sr, err, errlen)))
		goto out;
	if ((rc = rep_create(&rep)) || (rc = simrun_report(sr, rep))) {
		sim_errf(err, errlen, rc, "cannot build the run report");
		goto out;
	}
	*report = json_incref(rep_root(rep));
out:
	if (rep)
		rep_destroy(rep);
	if (sr)
		simrun_destroy(sr);
	unlink(path);
	free(ro);
	return rc;
}

static int replay(const struct mlcl_opts *o, const struct wlmlc_spec *s, const char *path, struct mlcl_point *pt,
		  bool *short_inj, double *lat_win, double *min_win, char *err, size_t errlen)
{
	json_t *report;
	int rc = mlcl_replay_report(o, s, path, &report, err, errlen);

	if (!rc)
		rc = mlcl_from_report(report, s, &pt->latency_ns, &pt->bandwidth_mbps, &pt->aggregate_mbps, short_inj,
				      lat_win, min_win, err, errlen);
	json_decref(report);
	return rc;
}

int mlcl_measure(const struct mlcl_opts *o, const struct machine_desc *m, uint32_t delay, const char *tmpdir,
		 struct mlcl_point *pt, char *err, size_t errlen)
{
	struct wlmlc_spec *s = &pt->spec;
	char path[512];
	double idle = 100.0, cycle_ns = 1000.0 / m->hw.cpu.mhz, lat_win, min_win;
	bool short_inj;
	int rc;

	memset(pt, 0, sizeof(*pt));
	pt->delay = delay;
	if ((rc = mlcl_spec(m, o, delay, s, err, errlen)))
		return rc;
	snprintf(path, sizeof(path), "%s/mlc-loaded-%u.nst", tmpdir, delay);
	/*
	 * First guess of the injectors' length: the latency thread's window at
	 * twice an idle-ish hop over the injector's time per load if it kept
	 * 16 misses in flight.  Too long only costs simulation time; too short
	 * is corrected below.
	 */
	if (m->hw.caches.l3.latency)
		idle = (double)(m->hw.caches.l3.latency * 2) * cycle_ns + 60.0;
	double per_inj = delay * cycle_ns + idle / 16.0;
	s->inj_loads = (uint64_t)((double)s->lat_loads * 2.0 * idle / per_inj) + 64;
	for (;;) {
		pt->runs++;
		if ((rc = replay(o, s, path, pt, &short_inj, &lat_win, &min_win, err, errlen)))
			return rc;
		if (!short_inj || !s->nr_inj)
			return 0;
		if (pt->runs == MLCL_MAX_RUNS)
			return sim_errf(err, errlen, SIM_ERANGE, "delay %u: the injectors still ended before the latency "
					"thread after %d runs", delay, MLCL_MAX_RUNS);
		s->inj_loads = (uint64_t)((double)s->inj_loads * 1.25 * lat_win / min_win) + 64;
	}
}

/* ---- the command ---------------------------------------------------------------- */

static int parse_list(const char *arg, unsigned *v, unsigned max, unsigned *n)
{
	struct wlmlc_spec tmp;
	char err[256];

	if (wlmlc_spec_set(&tmp, "injector_cpus", arg, err, sizeof(err)) || tmp.nr_inj > max)
		return -1;
	memcpy(v, tmp.inj_cpus, tmp.nr_inj * sizeof(*v));
	*n = tmp.nr_inj;
	return 0;
}

static void usage(FILE *fp)
{
	fprintf(fp, "usage: numasim mlc --loaded-latency --machine PRESET|FILE [-p KEY=VALUE]... [-c CPU]\n"
		    "                   [-k CPU-LIST] [-b SIZE] [--injector-buffer SIZE] [-d DELAY]\n"
		    "                   [--memory-node N] [--loads N] [--seed N] [--small-pages] [--json FILE]\n"
		    "One latency thread (dependent loads, CPU -c) and injector threads (independent loads on\n"
		    "-k, default: the other CPUs of -c's node) with DELAY instructions before each load,\n"
		    "every buffer bound to --memory-node (default: -c's node; a CPU-less CXL node works);\n"
		    "default: MLC's 19 delays from 0 to 20000. docs/mlc.md has the method.\n");
}

int mlcl_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "machine", required_argument, NULL, 'm' },
		{ "loaded-latency", no_argument, NULL, 'L' },
		{ "buffer", required_argument, NULL, 'b' },
		{ "injector-buffer", required_argument, NULL, 'B' },
		{ "loads", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "small-pages", no_argument, NULL, 'P' },
		{ "memory-node", required_argument, NULL, 'N' },
		{ "json", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mlcl_opts *o = calloc(1, sizeof(*o));
	struct machine_desc *m = calloc(1, sizeof(*m));
	struct mlcl_point *pts = calloc(MLCL_MAX_DELAYS, sizeof(*pts));
	char **ov = calloc((size_t)argc + 1, sizeof(char *));
	const char *json_path = NULL, *tmp = getenv("TMPDIR");
	char err[1024], dir[512] = "";
	int c, status = 1;
	unsigned n = 0;

	if (!o || !m || !pts || !ov) {
		fprintf(stderr, "numasim mlc: out of memory\n");
		goto out;
	}
	mlcl_opts_init(o);
	o->overrides = ov;
	optind = 1;
	while ((c = getopt_long(argc, argv, "m:p:c:k:b:d:h", longopts, NULL)) != -1) {
		char *end = NULL;
		unsigned long long v = 0;
		switch (c) {
		case 'm': o->machine = optarg; break;
		case 'p': ov[o->nr_overrides++] = optarg; break;
		case 'L': break;
		case 'c': v = strtoull(optarg, &end, 10); o->lat_cpu = (int)v; break;
		case 'k':
			if (parse_list(optarg, o->inj_cpus, WLMLC_MAX_INJ, &o->nr_inj)) {
				fprintf(stderr, "numasim mlc: -k %s: not a CPU list like 1-3,5\n", optarg);
				status = EXIT_USAGE;
				goto out;
			}
			o->inj_given = true;
			break;
		case 'b':
		case 'B':
			if (cfg_parse_size(optarg, c == 'b' ? &o->buffer : &o->inj_buffer)) {
				fprintf(stderr, "numasim mlc: %s %s: not a size\n", c == 'b' ? "-b" : "--injector-buffer",
					optarg);
				status = EXIT_USAGE;
				goto out;
			}
			break;
		case 'd':
			v = strtoull(optarg, &end, 10);
			if (o->nr_delays == MLCL_MAX_DELAYS || v > UINT32_MAX)
				end = optarg;
			else
				o->delays[o->nr_delays++] = (uint32_t)v;
			break;
		case 'n': v = strtoull(optarg, &end, 0); o->lat_loads = v; break;
		case 's': v = strtoull(optarg, &end, 0); o->seed = v; break;
		case 'P': o->small_pages = true; break;
		case 'N': v = strtoull(optarg, &end, 10); o->mem_node = v < HW_MAX_NODES ? (int)v : HW_MAX_NODES; break;
		case 'j': json_path = optarg; break;
		case 'h': usage(stdout); status = 0; goto out;
		default: usage(stderr); status = EXIT_USAGE; goto out;
		}
		if (end && (*end || !*optarg || *optarg == '-' || (c == 'c' && v > 65535))) {
			fprintf(stderr, "numasim mlc: '%s' is not a valid number here\n", optarg);
			status = EXIT_USAGE;
			goto out;
		}
	}
	if (!o->machine || optind < argc || !o->lat_loads) {
		usage(stderr);
		status = EXIT_USAGE;
		goto out;
	}
	if (!o->nr_delays) {
		memcpy(o->delays, mlcl_default_delays, mlcl_nr_default_delays * sizeof(o->delays[0]));
		o->nr_delays = mlcl_nr_default_delays;
	}
	if (machine_load(m, o->machine, ov, o->nr_overrides, err, sizeof(err))) {
		fprintf(stderr, "numasim mlc: %s\n", err);
		goto out;
	}
	snprintf(dir, sizeof(dir), "%s/numasim-mlc.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		fprintf(stderr, "numasim mlc: %s: %s\n", dir, strerror(errno));
		dir[0] = 0;
		goto out;
	}
	printf("numasim mlc - machine %s (simulated; Intel MLC-style output)\n\n", m->name);
	printf("Measuring Loaded Latencies for the system\n");
	for (n = 0; n < o->nr_delays; n++) {
		if (mlcl_measure(o, m, o->delays[n], dir, &pts[n], err, sizeof(err))) {
			fprintf(stderr, "numasim mlc: %s\n", err);
			goto out;
		}
		if (n == 0) {
			const struct wlmlc_spec *s = &pts[0].spec;
			printf("Latency thread on CPU %u, %u injector thread(s) on CPU", s->lat_cpu, s->nr_inj);
			for (unsigned i = 0; i < s->nr_inj; i++)
				printf("%s%u", i ? "," : " ", s->inj_cpus[i]);
			printf("%s; buffers on node %d (%llu MiB chased, %llu MiB per injector); read-only traffic\n",
			       s->nr_inj ? "" : "s: none", s->node, (unsigned long long)(s->lat_buffer >> 20),
			       (unsigned long long)(s->inj_buffer >> 20));
			/* MLC's three columns, then numasim's aggregate over one shared window */
			printf("Inject\tLatency\tBandwidth\tAggregate\nDelay\t(ns)\tMB/sec\t\tMB/sec\n"
			       "==========================================\n");
		}
		printf(" %05u\t%7.2f\t %9.1f\t %9.1f\n", pts[n].delay, pts[n].latency_ns, pts[n].bandwidth_mbps,
		       pts[n].aggregate_mbps);
		fflush(stdout);
	}
	if (json_path) {
		json_t *root = json_object(), *arr = json_array(), *inj = json_array();
		const struct wlmlc_spec *s0 = &pts[0].spec;
		char args[4096];
		for (unsigned i = 0; i < s0->nr_inj; i++)
			json_array_append_new(inj, json_integer(s0->inj_cpus[i]));
		json_object_set_new(root, "machine", json_string(m->name));
		json_object_set_new(root, "latency_cpu", json_integer(s0->lat_cpu));
		json_object_set_new(root, "injector_cpus", inj);
		json_object_set_new(root, "init_cpu", json_integer(s0->init_cpu));
		json_object_set_new(root, "node", json_integer(s0->node));
		json_object_set_new(root, "buffer_bytes", json_integer((json_int_t)s0->lat_buffer));
		json_object_set_new(root, "injector_buffer_bytes", json_integer((json_int_t)s0->inj_buffer));
		for (unsigned i = 0; i < n; i++) {
			wlmlc_spec_args(&pts[i].spec, args, sizeof(args));
			json_array_append_new(arr, json_pack("{s:i,s:f,s:f,s:f,s:I,s:i,s:s}", "delay", (int)pts[i].delay,
							     "latency_ns", pts[i].latency_ns, "bandwidth_mbps",
							     pts[i].bandwidth_mbps, "aggregate_mbps", pts[i].aggregate_mbps,
							     "injector_loads",
							     (json_int_t)pts[i].spec.inj_loads, "runs", (int)pts[i].runs,
							     "trace_gen_args", args));
		}
		json_object_set_new(root, "points", arr);
		char *js = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(8));
		json_decref(root);
		if (!js || afile_write_all(json_path, js, strlen(js), err, sizeof(err))) {
			fprintf(stderr, "numasim mlc: %s\n", js ? err : "out of memory");
			free(js);
			goto out;
		}
		free(js);
	}
	status = 0;
out:
	if (dir[0])
		rmdir(dir);
	free(o);
	free(m);
	free(pts);
	free(ov);
	return status;
}

/* ---- trace gen --pattern mlc-loaded --------------------------------------------------- */

int mlcl_gen_main(int argc, char **argv)
{
	struct wlmlc_spec s;
	const char *out = NULL;
	enum trace_format fmt = TFMT_NATIVE;
	char err[1024], key[64];
	int rc;

	wlmlc_spec_init(&s);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val, *eq = strchr(a, '=');
		size_t klen;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			printf("usage: numasim trace gen --pattern mlc-loaded -o OUT [--format native|text] [--KEY VALUE]...\n"
			       "  keys: buffer, injector-buffer, latency-loads, injector-loads, delay, line, init-cpu,\n"
			       "        latency-cpu, injector-cpus (1-3,5 or none), node (-1: no mbind), thp (0/1),\n"
			       "        latency-pattern (chase random stream gups), seed, base  (docs/mlc.md)\n");
			return 0;
		}
		if (a[0] != '-' || a[1] != '-' || (!eq && i + 1 >= argc)) {
			if (!strcmp(a, "-o") && i + 1 < argc) {
				out = argv[++i];
				continue;
			}
			fprintf(stderr, "numasim trace gen: --pattern mlc-loaded: unexpected '%s' (want --KEY VALUE, -o OUT)\n", a);
			return EXIT_USAGE;
		}
		if (eq) {
			val = eq + 1;
			klen = (size_t)(eq - a);
		} else {
			val = argv[++i];
			klen = strlen(a);
		}
		if (klen - 2 >= sizeof(key)) {
			fprintf(stderr, "numasim trace gen: unknown option %s\n", a);
			return EXIT_USAGE;
		}
		for (size_t k = 2; k < klen; k++)
			key[k - 2] = a[k] == '-' ? '_' : a[k];
		key[klen - 2] = 0;
		if (!strcmp(key, "pattern"))
			continue;
		if (!strcmp(key, "output")) {
			out = val;
			continue;
		}
		if (!strcmp(key, "format")) {
			fmt = trace_format_parse(val);
			if (fmt != TFMT_NATIVE && fmt != TFMT_TEXT) {
				fprintf(stderr, "numasim trace gen: --format: \"%s\" (native or text)\n", val);
				return EXIT_USAGE;
			}
			continue;
		}
		if ((rc = wlmlc_spec_set(&s, key, val, err, sizeof(err)))) {
			fprintf(stderr, "numasim trace gen: --%s\n", err);
			return EXIT_USAGE;
		}
	}
	if (!out) {
		fprintf(stderr, "numasim trace gen: -o OUT is required\n");
		return EXIT_USAGE;
	}
	if ((rc = wlmlc_write(&s, out, fmt, err, sizeof(err)))) {
		fprintf(stderr, "numasim trace gen: %s\n", err);
		return 1;
	}
	fprintf(stderr, "numasim trace gen: %s: mlc-loaded, %u thread(s)\n", out, s.nr_inj + 2);
	return 0;
}
