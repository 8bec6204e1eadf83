/*
 * sim/cli/cmd_plot.c - `numasim plot DIR -o FIGDIR`: figures of a sweep.
 *
 * C only turns the reports of a sweep directory into small data files
 * (FIGDIR/data) and a list of the figures to draw with their captions
 * (data/figures.tsv); plots/plot.sh draws each with the gnuplot script the
 * list names, as PNG and SVG, and writes FIGDIR/index.md.
 *
 * By default the figures are the summary a paper prints: one figure per
 * metric (run time, latency, remote share, link and DRAM traffic), where
 * the workloads are clusters of bars, each memory policy keeps one colour
 * in every figure, each configuration (machine x override set) is a panel,
 * and error bars span the seeds; plus where the accesses were served and
 * the latency distributions.  --per-point adds a link heatmap and a time
 * series per point, skipping the ones with nothing to show.  A metric no
 * report has, or that is zero everywhere, gives no figure.  The scripts are
 * found in --scripts DIR, $NUMASIM_PLOTS, <binary>/../plots (a build tree)
 * or <binary>/../share/numasim/plots.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <jansson.h>
#include "experiments/sweep.h"
#include "sim/cli/cliopt.h"
#include "sim/cli/cmd_plot.h"
#include "sim/err.h"

/*
 * Colours of the policies, one each: the Okabe-Ito set, then Paul Tol's
 * muted set, all told apart by colour-blind readers as well.  Past 16
 * policies the colours repeat, and plot says so.
 */
static const char *const policy_colours[] = {
	"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#882255",
	"#44AA99", "#999933", "#332288", "#AA4499", "#117733", "#DDCC77", "#88CCEE", "#661100",
};

/* Summary metrics: one bar figure each, faceted by configuration. */
enum metric { M_RUNTIME, M_MEAN, M_P99, M_REMOTE, M_LINK_GBS, M_DRAM_GBS, NR_METRICS };

static const struct {
	const char *tag, *title, *ylabel, *caption;
} metrics[NR_METRICS] = {
	[M_RUNTIME] = { "runtime", "Run time", "simulated run time (ms)",
			"Simulated run time (ms; lower is better)" },
	[M_MEAN] = { "latency-mean", "Mean access latency", "mean access latency (ns)",
		     "Mean latency of a memory access, all levels of the hierarchy (ns)" },
	[M_P99] = { "latency-p99", "99th-percentile access latency", "p99 access latency (ns)",
		    "99th-percentile memory access latency (ns)" },
	[M_REMOTE] = { "remote", "Remote accesses", "remote share (%)",
		       "Share of the accesses served beyond the socket's caches (DRAM and cache-to-cache) that went "
		       "to another node (%)" },
	[M_LINK_GBS] = { "link-traffic", "Inter-node link traffic", "link traffic (GB/s)",
			 "Average traffic on the inter-node links, all directions summed, over the run (GB/s)" },
	[M_DRAM_GBS] = { "dram-bandwidth", "DRAM bandwidth", "DRAM bandwidth (GB/s)",
			 "Average DRAM traffic of all nodes over the run (GB/s)" },
};

static const char *const served_keys[] = { "l1", "l2", "l3", "c2c_local", "c2c_remote", "dram_local",
					   "dram_remote" };

struct plot_data {
	const struct sweep_spec *s;
	json_t **reports;          /* per point (index - 1), NULL when absent */
	size_t nr_cfg;             /* configurations: machines x override sets */
	size_t nr_seeds_max;       /* most reports behind one bar */
	FILE *list;                /* data/figures.tsv: what plot.sh draws */
	unsigned nr_figures;
};

static double num(const json_t *v, bool *ok)
{
	*ok = json_is_number(v);
	return *ok ? json_number_value(v) : 0.0;
}

/* Names go into gnuplot strings and data files: no quotes, tabs or newlines. */
static void clean_label(char *s)
{
	for (; *s; s++)
		if (*s == '"' || *s == '\'' || *s == '\t' || *s == '\n' || *s == '\\')
			*s = ' ';
}

static size_t cfg_of(const struct sweep_spec *s, const struct sweep_point *p)
{
	return p->machine * s->nr_overrides + p->override;
}

/* "skx-2s, THP always": the axes that vary; "" when there is one configuration. */
static void cfg_name(const struct sweep_spec *s, size_t cfg, char *buf, size_t len)
{
	size_t m = cfg / s->nr_overrides, o = cfg % s->nr_overrides;
	const char *slash;

	buf[0] = 0;
	if (s->nr_machines > 1) {
		slash = strrchr(s->machines[m], '/');
		snprintf(buf, len, "%s", slash ? slash + 1 : s->machines[m]);
		if (strlen(buf) > 5 && !strcmp(buf + strlen(buf) - 5, ".json"))
			buf[strlen(buf) - 5] = 0;
	}
	if (s->nr_overrides > 1) {
		char *ov = s->override_names ? NULL : sweep_override_label(s, o);
		const char *name = s->override_names ? s->override_names[o] : ov && ov[0] ? ov : "no overrides";

		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", buf[0] ? ", " : "", name);
		free(ov);
	}
	clean_label(buf);
}

static void policy_name(const struct sweep_spec *s, size_t k, char *buf, size_t len)
{
	snprintf(buf, len, "%s", !strcmp(s->policies[k], "default") ? "default (first touch)" : s->policies[k]);
	clean_label(buf);
}

/* A summary metric of one report, in the figure's unit. */
static bool metric_of(const json_t *rep, enum metric m, double *out)
{
	bool ok;
	double t = num(sweep_metric(rep, "summary.sim_time_ns"), &ok), sum = 0;
	const json_t *arr, *e, *ch;
	size_t i, j;

	switch (m) {
	case M_RUNTIME:
		*out = t / 1e6;
		return ok;
	case M_MEAN:
		*out = num(sweep_metric(rep, "summary.latency.mean_ns"), &ok);
		return ok;
	case M_P99:
		*out = num(sweep_metric(rep, "summary.latency.p99_ns"), &ok);
		return ok;
	case M_REMOTE:
		*out = 100.0 * num(sweep_metric(rep, "summary.remote_ratio"), &ok);
		return ok;
	case M_LINK_GBS:
	case M_DRAM_GBS:
		if (!ok || t <= 0)
			return false;
		arr = sweep_metric(rep, m == M_LINK_GBS ? "hw.links" : "hw.ddr");
		if (!json_is_array(arr))
			return false;
		json_array_foreach(arr, i, e) {
			if (m == M_LINK_GBS) {
				sum += num(json_object_get(e, "bytes"), &ok);
				continue;
			}
			json_array_foreach(json_object_get(e, "channels"), j, ch)
				sum += num(json_object_get(ch, "bytes"), &ok);
		}
		*out = sum / t;      /* bytes per ns = GB/s */
		return true;
	default:
		return false;
	}
}

/* Mean, min and max over the seeds of (workload, policy, configuration). */
static size_t over_seeds(struct plot_data *d, size_t w, size_t pol, size_t cfg, enum metric m, double *mean,
			 double *lo, double *hi)
{
	size_t n = sweep_nr_points(d->s), cnt = 0;
	double sum = 0;

	for (size_t i = 1; i <= n; i++) {
		struct sweep_point p;
		double v;

		sweep_point_get(d->s, i, &p);
		if (p.workload != w || p.policy != pol || cfg_of(d->s, &p) != cfg || !d->reports[i - 1] ||
		    !metric_of(d->reports[i - 1], m, &v))
			continue;
		if (!cnt || v < *lo)
			*lo = v;
		if (!cnt || v > *hi)
			*hi = v;
		sum += v;
		cnt++;
	}
	if (cnt)
		*mean = sum / (double)cnt;
	if (cnt > d->nr_seeds_max)
		d->nr_seeds_max = cnt;
	return cnt;
}

/* The report of the lowest seed of (workload, policy, configuration). */
static const json_t *first_report(const struct plot_data *d, size_t w, size_t pol, size_t cfg, size_t *index)
{
	size_t n = sweep_nr_points(d->s);

	for (size_t i = 1; i <= n; i++) {
		struct sweep_point p;

		sweep_point_get(d->s, i, &p);
		if (p.workload == w && p.policy == pol && cfg_of(d->s, &p) == cfg && d->reports[i - 1]) {
			if (index)
				*index = i;
			return d->reports[i - 1];
		}
	}
	return NULL;
}

static FILE *open_data(const char *dir, const char *name, char *path, size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		fprintf(stderr, "numasim plot: %s: %s\n", path, strerror(errno));
	return f;
}

/*
 * The .meta file of a figure: "NF NP YMAX NW" on line 1, then the NF facet
 * names, the NP policy names and their NP colours, the NW workload names,
 * and NF lines of NP flags (0: that policy has no value in that facet);
 * the gnuplot scripts read it line by line.
 */
static int write_meta(const struct plot_data *d, const char *dir, const char *name, size_t nf, double ymax,
		      const bool *has)
{
	const struct sweep_spec *s = d->s;
	char path[PATH_MAX], buf[512];
	FILE *f = open_data(dir, name, path, sizeof(path));

	if (!f)
		return -1;
	fprintf(f, "%zu %zu %.6g %zu\n", nf, s->nr_policies, ymax, s->nr_workloads);
	for (size_t c = 0; c < nf; c++) {
		cfg_name(s, c, buf, sizeof(buf));
		fprintf(f, "%s\n", buf);
	}
	for (size_t k = 0; k < s->nr_policies; k++) {
		policy_name(s, k, buf, sizeof(buf));
		fprintf(f, "%s\n", buf);
	}
	for (size_t k = 0; k < s->nr_policies; k++)
		fprintf(f, "%s\n", policy_colours[k % ARRAY_SIZE(policy_colours)]);
	for (size_t w = 0; w < s->nr_workloads; w++) {
		snprintf(buf, sizeof(buf), "%s", s->workloads[w].name);
		clean_label(buf);
		fprintf(f, "%s\n", buf);
	}
	/* then per facet, per policy: 1 if any workload has a value (a failed column keeps its slot) */
	for (size_t c = 0; c < nf; c++)
		for (size_t k = 0; k < s->nr_policies; k++)
			fprintf(f, "%d%s", has ? has[c * s->nr_policies + k] : 1, k + 1 < s->nr_policies ? " " : "\n");
	return fclose(f) ? -1 : 0;
}

/* One line of data/figures.tsv: OUT, caption, script, data, then the script's own arguments. */
static void list_figure(struct plot_data *d, const char *out, const char *caption, const char *script,
			const char *data, const char *a1, const char *a2, const char *a3)
{
	fprintf(d->list, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", out, caption, script, data, a1 ? a1 : "", a2 ? a2 : "",
		a3 ? a3 : "");
	d->nr_figures++;
}

static void seeds_note(const struct plot_data *d, char *buf, size_t len)
{
	if (d->nr_seeds_max > 1)
		snprintf(buf, len, " Bars: mean over %zu seeds; error bars: min to max.", d->nr_seeds_max);
	else
		snprintf(buf, len, " One seed per bar (no spread to show).");
}

/*
 * data/<tag>.dat: one block per configuration (gnuplot `index`), one row per
 * workload: the name, then mean, min and max of every policy.  A metric no
 * report has, or that is zero everywhere (link traffic on one node), gives
 * no figure.
 */
static int write_summary_bars(struct plot_data *d, const char *dir)
{
	const struct sweep_spec *s = d->s;
	char path[PATH_MAX], name[128], meta[128], caption[2048], note[128], missing[1024];
	bool *has = calloc(d->nr_cfg * s->nr_policies, sizeof(bool));

	if (!has)
		return -1;
	for (int m = 0; m < NR_METRICS; m++) {
		double ymax = 0;
		bool any = false;
		FILE *f;

		memset(has, 0, d->nr_cfg * s->nr_policies * sizeof(bool));
		snprintf(name, sizeof(name), "%s.dat", metrics[m].tag);
		f = open_data(dir, name, path, sizeof(path));
		if (!f) {
			free(has);
			return -1;
		}
		for (size_t c = 0; c < d->nr_cfg; c++) {
			fprintf(f, "%s# configuration %zu\n", c ? "\n\n" : "", c);
			for (size_t w = 0; w < s->nr_workloads; w++) {
				char wname[256];

				snprintf(wname, sizeof(wname), "%s", s->workloads[w].name);
				clean_label(wname);
				fprintf(f, "\"%s\"", wname);
				for (size_t k = 0; k < s->nr_policies; k++) {
					double mean = 0, lo = 0, hi = 0;

					if (over_seeds(d, w, k, c, (enum metric)m, &mean, &lo, &hi)) {
						fprintf(f, " %.6g %.6g %.6g", mean, lo, hi);
						has[c * s->nr_policies + k] = true;
						any |= hi > 0;
						if (hi > ymax)
							ymax = hi;
					} else {
						fprintf(f, " NaN NaN NaN");
					}
				}
				fputc('\n', f);
			}
		}
		if (fclose(f)) {
			free(has);
			return -1;
		}
		if (!any) {
			unlink(path);
			continue;
		}
		snprintf(meta, sizeof(meta), "%s.meta", metrics[m].tag);
		if (write_meta(d, dir, meta, d->nr_cfg, ymax * 1.12, has)) {
			free(has);
			return -1;
		}
		seeds_note(d, note, sizeof(note));
		missing[0] = 0;
		for (size_t c = 0; c < d->nr_cfg; c++)
			for (size_t k = 0; k < s->nr_policies; k++) {
				char pn[256], cn[512];

				if (has[c * s->nr_policies + k] || strlen(missing) > sizeof(missing) - 200)
					continue;
				policy_name(s, k, pn, sizeof(pn));
				cfg_name(s, c, cn, sizeof(cn));
				snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), "%s%s%s%s",
					 missing[0] ? "; " : " No bar where no point finished (failed or missing): ", pn,
					 cn[0] ? " on " : "", cn);
			}
		snprintf(caption, sizeof(caption), "%s, per workload and memory policy%s.%s%s%s", metrics[m].caption,
			 d->nr_cfg > 1 ? ", one panel per configuration" : "", note, missing, missing[0] ? "." : "");
		list_figure(d, metrics[m].tag, caption, "facet_bars.gp", name, metrics[m].title, metrics[m].ylabel, meta);
	}
	free(has);
	return 0;
}

/*
 * data/served.dat: one block per (workload, configuration), one row per
 * policy: the share of accesses served at each level (mean over seeds).
 */
static int write_served(struct plot_data *d, const char *dir)
{
	const struct sweep_spec *s = d->s;
	char path[PATH_MAX], caption[1024];
	size_t rows = 0;
	FILE *f = open_data(dir, "served.dat", path, sizeof(path));

	if (!f)
		return -1;
	for (size_t w = 0; w < s->nr_workloads; w++) {
		for (size_t c = 0; c < d->nr_cfg; c++) {
			fprintf(f, "%s# workload %zu configuration %zu\n", w || c ? "\n\n" : "", w, c);
			for (size_t k = 0; k < s->nr_policies; k++) {
				double v[ARRAY_SIZE(served_keys)] = { 0 }, total = 0;
				size_t n = sweep_nr_points(s), cnt = 0;
				char pname[256];

				for (size_t i = 1; i <= n; i++) {
					struct sweep_point p;
					bool ok = true;
					double row[ARRAY_SIZE(served_keys)];

					sweep_point_get(s, i, &p);
					if (p.workload != w || p.policy != k || cfg_of(s, &p) != c || !d->reports[i - 1])
						continue;
					for (size_t j = 0; j < ARRAY_SIZE(served_keys) && ok; j++) {
						char mp[64];

						snprintf(mp, sizeof(mp), "summary.served.%s", served_keys[j]);
						row[j] = num(sweep_metric(d->reports[i - 1], mp), &ok);
					}
					if (!ok)
						continue;
					for (size_t j = 0; j < ARRAY_SIZE(served_keys); j++)
						v[j] += row[j];
					cnt++;
				}
				for (size_t j = 0; j < ARRAY_SIZE(served_keys); j++)
					total += v[j];
				policy_name(s, k, pname, sizeof(pname));
				fprintf(f, "\"%s\"", pname);
				for (size_t j = 0; j < ARRAY_SIZE(served_keys); j++)
					fprintf(f, " %.6g", cnt && total > 0 ? 100.0 * v[j] / total : 0.0);
				fputc('\n', f);
				rows += cnt && total > 0;
			}
		}
	}
	if (fclose(f))
		return -1;
	if (!rows) {
		unlink(path);
		return 0;
	}
	if (write_meta(d, dir, "served.meta", d->nr_cfg, 100, NULL))
		return -1;
	snprintf(caption, sizeof(caption), "Where the accesses were served (%% of accesses): the caches (L1, L2, L3), "
		 "another cache (cache-to-cache, local or remote socket) or DRAM (local or remote node); one panel per "
		 "workload%s. Mean over the seeds.", d->nr_cfg > 1 ? ", bars grouped by configuration" : "");
	list_figure(d, "served", caption, "served.gp", "served.dat", "Where accesses were served", "served.meta", NULL);
	return 0;
}

/*
 * data/cdf.dat: the latency distribution (report summary.latency_cdf, the
 * lowest seed) of every (workload, configuration, policy), one block each
 * in that order; cdf.meta lists which blocks exist, per workload.
 */
static int write_cdf(struct plot_data *d, const char *dir)
{
	const struct sweep_spec *s = d->s;
	char path[PATH_MAX], caption[1024];
	size_t blocks = 0;
	FILE *f = open_data(dir, "cdf.dat", path, sizeof(path)), *have;

	if (!f)
		return -1;
	have = open_data(dir, "cdf.blocks", path, sizeof(path));
	if (!have) {
		fclose(f);
		return -1;
	}
	for (size_t w = 0; w < s->nr_workloads; w++) {
		for (size_t c = 0; c < d->nr_cfg; c++) {
			for (size_t k = 0; k < s->nr_policies; k++) {
				const json_t *rep = first_report(d, w, k, c, NULL);
				const json_t *cdf = rep ? sweep_metric(rep, "summary.latency_cdf") : NULL, *pt;
				size_t i;

				if (!json_is_array(cdf) || json_array_size(cdf) < 2)
					continue;
				fprintf(f, "%s# workload %zu configuration %zu policy %zu\n", blocks ? "\n\n" : "", w, c, k);
				json_array_foreach(cdf, i, pt)
					fprintf(f, "%.6g %.6g\n", json_number_value(json_array_get(pt, 0)),
						json_number_value(json_array_get(pt, 1)));
				/* block index, workload, configuration, policy: 1-based for gnuplot */
				fprintf(have, "%zu %zu %zu %zu\n", blocks, w + 1, c + 1, k + 1);
				blocks++;
			}
		}
	}
	if (fclose(f) | fclose(have))
		return -1;
	if (!blocks) {
		unlink(path);
		return 0;
	}
	if (write_meta(d, dir, "cdf.meta", d->nr_cfg, 1, NULL))
		return -1;
	snprintf(caption, sizeof(caption), "Distribution of the access latency (fraction of accesses at or below a "
		 "latency, log scale; histogram buckets within 1.6%%), one panel per workload; colour: memory "
		 "policy%s. Lowest seed of each point.", d->nr_cfg > 1 ? ", line style: configuration" : "");
	list_figure(d, "latency-cdf", caption, "cdf.gp", "cdf.dat", "Access latency distribution", "cdf.meta",
		    "cdf.blocks");
	return 0;
}

/* "workload W, policy P, configuration C" of a point, for per-point titles. */
static void point_title(const struct plot_data *d, const struct sweep_point *p, char *buf, size_t len)
{
	char pol[256], cfg[512], w[256];

	policy_name(d->s, p->policy, pol, sizeof(pol));
	cfg_name(d->s, cfg_of(d->s, p), cfg, sizeof(cfg));
	snprintf(w, sizeof(w), "%s", d->s->workloads[p->workload].name);
	clean_label(w);
	snprintf(buf, len, "workload %s, policy %s%s%s, seed %llu", w, pol, cfg[0] ? ", " : "", cfg,
		 (unsigned long long)d->s->seeds[p->seed]);
}

/*
 * --per-point: node-to-node link traffic (MiB, from hw.links: one element
 * per direction, "a" -> "b") of every point with any traffic; points
 * without (one node, or all local) get no figure.
 */
static int write_links(struct plot_data *d, const char *dir)
{
	size_t n = sweep_nr_points(d->s);

	for (size_t i = 1; i <= n; i++) {
		const json_t *rep = d->reports[i - 1], *links, *e;
		double mat[16][16] = { { 0 } }, total = 0, max = 0;
		char path[PATH_MAX], name[200], title[1200], caption[1400], maxs[32];
		struct sweep_point p;
		unsigned nodes = 0;
		size_t j;
		FILE *f;

		if (!rep)
			continue;
		links = sweep_metric(rep, "hw.links");
		if (!json_is_array(links))
			continue;
		json_array_foreach(links, j, e) {
			const json_t *a = json_object_get(e, "a"), *b = json_object_get(e, "b");
			bool ok;
			double bytes = num(json_object_get(e, "bytes"), &ok);

			if (!ok || !json_is_integer(a) || !json_is_integer(b) || json_integer_value(a) < 0 ||
			    json_integer_value(a) >= 16 || json_integer_value(b) < 0 || json_integer_value(b) >= 16)
				continue;
			mat[json_integer_value(a)][json_integer_value(b)] += bytes / 1048576.0;
			total += bytes;
			nodes = SIM_MAX(nodes, (unsigned)SIM_MAX(json_integer_value(a), json_integer_value(b)) + 1);
		}
		if (nodes < 2 || total <= 0)
			continue;
		sweep_point_get(d->s, i, &p);
		snprintf(name, sizeof(name), "links-%s.csv", p.id);
		f = open_data(dir, name, path, sizeof(path));
		if (!f)
			return -1;
		fprintf(f, "from/to");
		for (unsigned b = 0; b < nodes; b++)
			fprintf(f, ",node %u", b);
		fputc('\n', f);
		for (unsigned a = 0; a < nodes; a++) {
			fprintf(f, "node %u", a);
			for (unsigned b = 0; b < nodes; b++) {
				fprintf(f, ",%.6g", mat[a][b]);
				max = SIM_MAX(max, mat[a][b]);
			}
			fputc('\n', f);
		}
		if (fclose(f))
			return -1;
		point_title(d, &p, title, sizeof(title));
		snprintf(caption, sizeof(caption), "Traffic on the links from node (row) to node (column), MiB: %s.", title);
		snprintf(maxs, sizeof(maxs), "%.6g", max);
		snprintf(path, sizeof(path), "links-%s", p.id);
		list_figure(d, path, caption, "heatmap.gp", name, title, maxs, NULL);
	}
	return 0;
}

/*
 * --per-point: the report's time series, as a reader wants it: time in ms,
 * the remote share and mean latency per interval, free memory per node
 * (MiB) and every OS counter that moved.  Columns that never change are
 * left out; a series of fewer than 3 samples, or with nothing moving, gives
 * no figure.
 */
#define TS_COLS 128

static int write_timeseries(struct plot_data *d, const char *dir)
{
	size_t n = sweep_nr_points(d->s);

	for (size_t idx = 1; idx <= n; idx++) {
		const json_t *rep = d->reports[idx - 1], *cols, *rows, *row;
		char path[PATH_MAX], name[200], title[1200], caption[1400], ncols_s[16];
		const char *raw[TS_COLS];
		int node_of[TS_COLS];       /* nr_free_pages.nodeN.*: N, else -1 */
		int col_acc = -1, col_mem = -1, col_rem = -1, col_lat = -1;
		unsigned max_node = 0, out_cols = 0;
		bool keep[TS_COLS] = { false }, node_moves[16] = { false };
		size_t i, j, nrows, ncols;
		struct sweep_point p;
		FILE *f;

		if (!rep)
			continue;
		cols = sweep_metric(rep, "timeseries.columns");
		rows = sweep_metric(rep, "timeseries.rows");
		if (!json_is_array(cols) || json_array_size(cols) < 2 || !json_is_array(rows) ||
		    json_array_size(rows) < 3)
			continue;
		ncols = SIM_MIN(json_array_size(cols), (size_t)TS_COLS);
		nrows = json_array_size(rows);
		for (j = 0; j < ncols; j++) {
			const json_t *c = json_array_get(cols, j);

			raw[j] = json_is_string(c) ? json_string_value(c) : "?";
			node_of[j] = -1;
			if (!strcmp(raw[j], "accesses"))
				col_acc = (int)j;
			else if (!strcmp(raw[j], "memory_accesses"))
				col_mem = (int)j;
			else if (!strcmp(raw[j], "remote_accesses"))
				col_rem = (int)j;
			else if (!strcmp(raw[j], "latency_ps"))
				col_lat = (int)j;
			else if (!strncmp(raw[j], "nr_free_pages.node", 18) && atoi(raw[j] + 18) < 16) {
				node_of[j] = atoi(raw[j] + 18);
				if ((unsigned)node_of[j] > max_node)
					max_node = (unsigned)node_of[j];
			}
		}
		/* which columns move at all */
		for (j = 1; j < ncols; j++) {
			bool ok;
			double first = num(json_array_get(json_array_get(rows, 0), j), &ok);

			json_array_foreach(rows, i, row) {
				if (num(json_array_get(row, j), &ok) != first) {
					if (node_of[j] >= 0)
						node_moves[node_of[j]] = true;
					else
						keep[j] = true;
					break;
				}
			}
		}
		sweep_point_get(d->s, idx, &p);
		snprintf(name, sizeof(name), "ts-%s.csv", p.id);
		f = open_data(dir, name, path, sizeof(path));
		if (!f)
			return -1;
		fprintf(f, "t_ms");
		if (col_mem >= 0 && col_rem >= 0 && keep[col_rem]) {
			fprintf(f, ",remote share of memory accesses (%%)");
			out_cols++;
		}
		if (col_acc >= 0 && col_lat >= 0 && keep[col_lat]) {
			fprintf(f, ",mean access latency (ns)");
			out_cols++;
		}
		for (unsigned nd = 0; nd <= max_node; nd++)
			if (node_moves[nd]) {
				fprintf(f, ",free memory node %u (MiB)", nd);
				out_cols++;
			}
		for (j = 1; j < ncols; j++)
			if (keep[j] && (int)j != col_acc && (int)j != col_mem && (int)j != col_rem && (int)j != col_lat) {
				fprintf(f, ",%s (per interval)", raw[j]);
				out_cols++;
			}
		fputc('\n', f);
		for (i = 0; i < nrows; i++) {
			bool ok;

			row = json_array_get(rows, i);
			fprintf(f, "%.6g", num(json_array_get(row, 0), &ok) / 1e6);   /* t_ns -> ms */
			if (col_mem >= 0 && col_rem >= 0 && keep[col_rem]) {
				double m = num(json_array_get(row, (size_t)col_mem), &ok);
				double r = num(json_array_get(row, (size_t)col_rem), &ok);
				fprintf(f, m > 0 ? ",%.6g" : ",NaN", m > 0 ? 100.0 * r / m : 0.0);
			}
			if (col_acc >= 0 && col_lat >= 0 && keep[col_lat]) {
				double a = num(json_array_get(row, (size_t)col_acc), &ok);
				double l = num(json_array_get(row, (size_t)col_lat), &ok);
				fprintf(f, a > 0 ? ",%.6g" : ",NaN", a > 0 ? l / a / 1000.0 : 0.0);
			}
			for (unsigned nd = 0; nd <= max_node; nd++) {
				double pages = 0;

				if (!node_moves[nd])
					continue;
				for (j = 0; j < ncols; j++)
					if (node_of[j] == (int)nd)
						pages += num(json_array_get(row, j), &ok);
				fprintf(f, ",%.6g", pages * 4096.0 / 1048576.0);
			}
			for (j = 1; j < ncols; j++)
				if (keep[j] && (int)j != col_acc && (int)j != col_mem && (int)j != col_rem &&
				    (int)j != col_lat)
					fprintf(f, ",%.10g", num(json_array_get(row, j), &ok));
			fputc('\n', f);
		}
		if (fclose(f))
			return -1;
		if (!out_cols) {
			unlink(path);
			continue;
		}
		point_title(d, &p, title, sizeof(title));
		snprintf(caption, sizeof(caption), "Time series of %s: every sampled quantity that changed during the "
			 "run, one panel each (time in ms of simulated time).", title);
		snprintf(ncols_s, sizeof(ncols_s), "%u", out_cols + 1);
		snprintf(path, sizeof(path), "ts-%s", p.id);
		list_figure(d, path, caption, "timeseries.gp", name, title, ncols_s, NULL);
	}
	return 0;
}

static bool find_scripts(const char *given, char *out, size_t len)
{
	char exe[PATH_MAX], probe[PATH_MAX + 32];
	const char *env = getenv("NUMASIM_PLOTS");
	ssize_t n;

	if (given) {
		snprintf(out, len, "%s", given);
		return true;
	}
	if (env && env[0]) {
		snprintf(out, len, "%s", env);
		return true;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = 0;
		slash = strrchr(exe, '/');
		if (slash)
			*slash = 0;
		snprintf(probe, sizeof(probe), "%s/../plots/plot.sh", exe);
		if (access(probe, R_OK) == 0) {
			snprintf(out, len, "%s/../plots", exe);
			return true;
		}
		snprintf(probe, sizeof(probe), "%s/../share/numasim/plots/plot.sh", exe);
		if (access(probe, R_OK) == 0) {
			snprintf(out, len, "%s/../share/numasim/plots", exe);
			return true;
		}
	}
	if (access("plots/plot.sh", R_OK) == 0) {
		snprintf(out, len, "plots");
		return true;
	}
	return false;
}

static void plot_usage(FILE *f)
{
	fprintf(f, "usage: numasim plot DIR [-o FIGDIR] [--per-point] [--scripts PLOTS_DIR]\n"
		   "  draws the figures of sweep directory DIR into FIGDIR (default DIR/figures), PNG and SVG,\n"
		   "  with FIGDIR/index.md giving every figure a caption line\n"
		   "  -o FIGDIR            where the figures go\n"
		   "  --per-point          also one link-traffic heatmap and one time series per point\n"
		   "                       (only those with something to show)\n"
		   "  --scripts DIR        the gnuplot scripts (default: found beside the binary)\n");
}

int cmd_plot(int argc, char **argv)
{
	static const char *const plot_options[] = { "-o", "--per-point", "--scripts", "--help", NULL };
	const char *dir = NULL, *figdir = NULL, *scripts = NULL;
	char path[PATH_MAX], figbuf[PATH_MAX], data[PATH_MAX], plotdir[PATH_MAX], err[1024];
	struct sweep_spec *s = NULL;
	struct plot_data d;
	size_t n, have = 0;
	bool per_point = false;
	int rc = 1, status;
	pid_t pid;

	memset(&d, 0, sizeof(d));
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-o") && i + 1 < argc)
			figdir = argv[++i];
		else if (!strcmp(argv[i], "--scripts") && i + 1 < argc)
			scripts = argv[++i];
		else if (!strcmp(argv[i], "--per-point"))
			per_point = true;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			plot_usage(stdout);
			return 0;
		} else if (argv[i][0] != '-' && !dir)
			dir = argv[i];
		else {
			if (argv[i][0] == '-')
				cli_unknown_option("numasim plot", argv[i], plot_options);
			else
				fprintf(stderr, "numasim plot: unexpected argument %s\n", argv[i]);
			plot_usage(stderr);
			return 2;
		}
	}
	if (!dir) {
		plot_usage(stderr);
		return 2;
	}
	if (!figdir) {
		snprintf(figbuf, sizeof(figbuf), "%s/figures", dir);
		figdir = figbuf;
	}
	if (!find_scripts(scripts, plotdir, sizeof(plotdir))) {
		fprintf(stderr, "numasim plot: cannot find plot.sh (use --scripts DIR or NUMASIM_PLOTS)\n");
		return 1;
	}
	{
		char spec[PATH_MAX + 16];

		snprintf(spec, sizeof(spec), "%s/sweep.json", dir);
		if (sweep_spec_load(&s, spec, err, sizeof(err))) {
			fprintf(stderr, "numasim plot: %s\n", err);
			return 1;
		}
	}
	snprintf(data, sizeof(data), "%s/data", figdir);
	if ((mkdir(figdir, 0777) && errno != EEXIST) || (mkdir(data, 0777) && errno != EEXIST)) {
		fprintf(stderr, "numasim plot: %s: %s\n", data, strerror(errno));
		goto out;
	}
	d.s = s;
	d.nr_cfg = s->nr_machines * s->nr_overrides;
	n = sweep_nr_points(s);
	d.reports = calloc(n, sizeof(json_t *));
	if (!d.reports) {
		fprintf(stderr, "numasim plot: out of memory\n");
		goto out;
	}
	if (s->nr_policies > ARRAY_SIZE(policy_colours))
		fprintf(stderr, "numasim plot: warning: %zu policies but %zu distinct colours: colours repeat\n",
			s->nr_policies, ARRAY_SIZE(policy_colours));
	for (size_t i = 1; i <= n; i++) {
		struct sweep_point p;
		char rp[PATH_MAX + 128];

		sweep_point_get(s, i, &p);
		snprintf(rp, sizeof(rp), "%s/points/%s/report.json", dir, p.id);
		d.reports[i - 1] = json_load_file(rp, 0, NULL);
		have += d.reports[i - 1] != NULL;
	}
	if (!have) {
		fprintf(stderr, "numasim plot: %s: no reports to plot\n", dir);
		goto out;
	}
	d.list = open_data(data, "figures.tsv", path, sizeof(path));
	if (!d.list)
		goto out;
	if (write_summary_bars(&d, data) || write_served(&d, data) || write_cdf(&d, data) ||
	    (per_point && (write_links(&d, data) || write_timeseries(&d, data)))) {
		fprintf(stderr, "numasim plot: writing %s failed\n", data);
		fclose(d.list);
		goto out;
	}
	if (fclose(d.list)) {
		fprintf(stderr, "numasim plot: %s: %s\n", path, strerror(errno));
		goto out;
	}

	snprintf(path, sizeof(path), "%s/plot.sh", plotdir);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		execlp("sh", "sh", path, data, figdir, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "numasim plot: %s failed\n", path);
		goto out;
	}
	rc = 0;
out:
	for (size_t i = 0; d.reports && i < sweep_nr_points(s); i++)
		json_decref(d.reports[i]);
	free(d.reports);
	sweep_spec_free(s);
	return rc;
}
