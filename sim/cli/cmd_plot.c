/*
 * sim/cli/cmd_plot.c - `numasim plot DIR -o FIGDIR`: figures of a sweep.
 *
 * C only turns the reports of a sweep directory into small data files
 * (FIGDIR/data: csv and dat files); plots/plot.sh then draws every figure with
 * gnuplot (the plots/ scripts) as PNG and SVG.  A series is one policy (plus the
 * machine and the override set when those axes vary); values are averaged
 * over seeds.  The scripts are found in --scripts DIR, $NUMASIM_PLOTS,
 * <binary>/../plots (a build tree) or <binary>/../share/numasim/plots.
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
#include "sim/cli/cmd_plot.h"
#include "sim/err.h"

/* Per-policy bar metrics: file tag and report path. */
static const struct {
	const char *tag, *path;
} bar_metrics[] = {
	{ "mean_ns", "summary.latency.mean_ns" },
	{ "p99_ns", "summary.latency.p99_ns" },
	{ "remote_ratio", "summary.remote_ratio" },
	{ "sim_time_ns", "summary.sim_time_ns" },
	{ "xlat_share", "summary.xlat_share" },
};

static const char *const served_keys[] = { "l1", "l2", "l3", "c2c_local", "c2c_remote", "dram_local",
					   "dram_remote" };
static const char *const quantiles[][2] = {
	{ "min_ns", "0" }, { "p50_ns", "0.5" }, { "p90_ns", "0.9" }, { "p99_ns", "0.99" }, { "max_ns", "1" },
};

struct plot_data {
	const struct sweep_spec *s;
	json_t **reports;          /* per point (index - 1), NULL when absent */
	char **series;             /* label per series */
	size_t nr_series;
	size_t *series_of;         /* per point */
};

static double num(const json_t *v, bool *ok)
{
	*ok = json_is_number(v);
	return *ok ? json_number_value(v) : 0.0;
}

/* Labels go into CSV headers and gnuplot titles: no commas or quotes. */
static void clean_label(char *s)
{
	for (; *s; s++)
		if (*s == ',' || *s == '"' || *s == '\'')
			*s = '+';
}

static void file_safe(char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '.' ||
		      *s == '_' || *s == '-'))
			*s = '-';
}

static int build_series(struct plot_data *d)
{
	const struct sweep_spec *s = d->s;
	size_t n = sweep_nr_points(s);

	d->series = calloc(n, sizeof(char *));
	d->series_of = calloc(n, sizeof(size_t));
	if (!d->series || !d->series_of)
		return -1;
	for (size_t i = 1; i <= n; i++) {
		struct sweep_point p;
		char label[512];
		size_t k;

		sweep_point_get(s, i, &p);
		snprintf(label, sizeof(label), "%s", s->policies[p.policy]);
		if (s->nr_machines > 1)
			snprintf(label + strlen(label), sizeof(label) - strlen(label), " @%s", s->machines[p.machine]);
		if (s->nr_overrides > 1 && s->override_names) {
			snprintf(label + strlen(label), sizeof(label) - strlen(label), " [%s]",
				 s->override_names[p.override]);
		} else if (s->nr_overrides > 1) {
			char *ov = sweep_override_label(s, p.override);
			snprintf(label + strlen(label), sizeof(label) - strlen(label), " [%s]",
				 ov && ov[0] ? ov : "no overrides");
			free(ov);
		}
		clean_label(label);
		for (k = 0; k < d->nr_series && strcmp(d->series[k], label); k++)
			;
		if (k == d->nr_series && !(d->series[d->nr_series++] = strdup(label)))
			return -1;
		d->series_of[i - 1] = k;
	}
	return 0;
}

/* Mean over seeds of `path` for (workload, series); false if no report has it. */
static bool mean_of(const struct plot_data *d, size_t w, size_t series, const char *path, double *out)
{
	size_t n = sweep_nr_points(d->s), cnt = 0;
	double sum = 0;

	for (size_t i = 1; i <= n; i++) {
		struct sweep_point p;
		bool ok;
		double v;

		sweep_point_get(d->s, i, &p);
		if (p.workload != w || d->series_of[i - 1] != series || !d->reports[i - 1])
			continue;
		v = num(sweep_metric(d->reports[i - 1], path), &ok);
		if (ok) {
			sum += v;
			cnt++;
		}
	}
	if (cnt)
		*out = sum / (double)cnt;
	return cnt > 0;
}

/* The first report (lowest seed) of (workload, series). */
static const json_t *first_report(const struct plot_data *d, size_t w, size_t series, size_t *index)
{
	size_t n = sweep_nr_points(d->s);

	for (size_t i = 1; i <= n; i++) {
		struct sweep_point p;

		sweep_point_get(d->s, i, &p);
		if (p.workload == w && d->series_of[i - 1] == series && d->reports[i - 1]) {
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

static int write_bars(const struct plot_data *d, const char *dir)
{
	char path[PATH_MAX], name[128];

	for (size_t m = 0; m < ARRAY_SIZE(bar_metrics); m++) {
		FILE *f;
		bool any = false;

		snprintf(name, sizeof(name), "bars-%s.csv", bar_metrics[m].tag);
		f = open_data(dir, name, path, sizeof(path));
		if (!f)
			return -1;
		fprintf(f, "workload");
		for (size_t k = 0; k < d->nr_series; k++)
			fprintf(f, ",%s", d->series[k]);
		fputc('\n', f);
		for (size_t w = 0; w < d->s->nr_workloads; w++) {
			char wname[256];

			snprintf(wname, sizeof(wname), "%s", d->s->workloads[w].name);
			clean_label(wname);
			fprintf(f, "%s", wname);
			for (size_t k = 0; k < d->nr_series; k++) {
				double v;

				if (mean_of(d, w, k, bar_metrics[m].path, &v)) {
					fprintf(f, ",%.6g", v);
					any = true;
				} else {
					fputc(',', f);
				}
			}
			fputc('\n', f);
		}
		fclose(f);
		if (!any)
			unlink(path);   /* no report has this metric: no figure */
	}
	return 0;
}

/*
 * Latency CDF per series: the report's summary.latency_cdf (every non-empty
 * histogram bucket, first seed of the series) when present, else a curve
 * through the quantiles of older reports.
 */
static int write_cdf_and_served(const struct plot_data *d, const char *dir)
{
	char path[PATH_MAX], name[300];

	for (size_t w = 0; w < d->s->nr_workloads; w++) {
		char wname[256];
		FILE *cdf, *served;
		size_t blocks = 0, rows = 0;

		snprintf(wname, sizeof(wname), "%s", d->s->workloads[w].name);
		file_safe(wname);
		snprintf(name, sizeof(name), "cdf-%s.dat", wname);
		cdf = open_data(dir, name, path, sizeof(path));
		if (!cdf)
			return -1;
		for (size_t k = 0; k < d->nr_series; k++) {
			char line[5][64];
			size_t nq = 0;
			const json_t *rep = first_report(d, w, k, NULL);
			const json_t *full = rep ? sweep_metric(rep, "summary.latency_cdf") : NULL;

			if (json_is_array(full) && json_array_size(full) > 0) {
				size_t i;
				const json_t *pt;
				fprintf(cdf, "%s\"%s\" \"share\"\n", blocks ? "\n\n" : "", d->series[k]);
				json_array_foreach(full, i, pt)
					fprintf(cdf, "%.6g %.6g\n", json_number_value(json_array_get(pt, 0)),
						json_number_value(json_array_get(pt, 1)));
				blocks++;
				continue;
			}
			for (size_t q = 0; q < ARRAY_SIZE(quantiles); q++) {
				char mp[64];
				double v;

				snprintf(mp, sizeof(mp), "summary.latency.%s", quantiles[q][0]);
				if (mean_of(d, w, k, mp, &v))
					snprintf(line[nq++], sizeof(line[0]), "%.6g %s", v, quantiles[q][1]);
			}
			if (nq < 2)
				continue;
			fprintf(cdf, "%s\"%s\" \"quantile\"\n", blocks ? "\n\n" : "", d->series[k]);
			for (size_t q = 0; q < nq; q++)
				fprintf(cdf, "%s\n", line[q]);
			blocks++;
		}
		fclose(cdf);
		if (!blocks)
			unlink(path);

		snprintf(name, sizeof(name), "served-%s.csv", wname);
		served = open_data(dir, name, path, sizeof(path));
		if (!served)
			return -1;
		fprintf(served, "series");
		for (size_t j = 0; j < ARRAY_SIZE(served_keys); j++)
			fprintf(served, ",%s", served_keys[j]);
		fputc('\n', served);
		for (size_t k = 0; k < d->nr_series; k++) {
			double v[ARRAY_SIZE(served_keys)], total = 0;
			bool ok = true;

			for (size_t j = 0; j < ARRAY_SIZE(served_keys) && ok; j++) {
				char mp[64];

				snprintf(mp, sizeof(mp), "summary.served.%s", served_keys[j]);
				ok = mean_of(d, w, k, mp, &v[j]);
				total += ok ? v[j] : 0;
			}
			if (!ok || total <= 0)
				continue;
			fprintf(served, "%s", d->series[k]);
			for (size_t j = 0; j < ARRAY_SIZE(served_keys); j++)
				fprintf(served, ",%.6g", v[j] / total);
			fputc('\n', served);
			rows++;
		}
		fclose(served);
		if (!rows)
			unlink(path);
	}
	return 0;
}

/*
 * Node-to-node traffic from hw.links: each element names its endpoints
 * ("src"/"dst", "from"/"to", or hw's "a"/"b" of one direction) and carries
 * "bytes".  MiB per direction.
 */
static int write_links(const struct plot_data *d, const char *dir)
{
	char path[PATH_MAX], name[600];

	for (size_t w = 0; w < d->s->nr_workloads; w++) {
		for (size_t k = 0; k < d->nr_series; k++) {
			const json_t *rep = first_report(d, w, k, NULL), *links, *e;
			double m[16][16] = { { 0 } };
			unsigned nodes = 0;
			size_t i;
			char wname[256], sname[256];
			FILE *f;

			links = rep ? sweep_metric(rep, "hw.links") : NULL;
			if (!json_is_array(links) || json_array_size(links) == 0)
				continue;
			json_array_foreach(links, i, e) {
				const json_t *src = json_object_get(e, "src"), *dst = json_object_get(e, "dst");
				const json_t *bytes = json_object_get(e, "bytes");

				if (!src)
					src = json_object_get(e, "from");
				if (!dst)
					dst = json_object_get(e, "to");
				/* hw's linknet_report: one element per direction, "a" -> "b" */
				if (!src)
					src = json_object_get(e, "a");
				if (!dst)
					dst = json_object_get(e, "b");
				if (!json_is_integer(src) || !json_is_integer(dst) || !json_is_number(bytes) ||
				    json_integer_value(src) < 0 || json_integer_value(src) >= 16 ||
				    json_integer_value(dst) < 0 || json_integer_value(dst) >= 16)
					continue;
				m[json_integer_value(src)][json_integer_value(dst)] += json_number_value(bytes) / 1048576.0;
				nodes = SIM_MAX(nodes, (unsigned)SIM_MAX(json_integer_value(src), json_integer_value(dst)) + 1);
			}
			if (!nodes)
				continue;
			snprintf(wname, sizeof(wname), "%s", d->s->workloads[w].name);
			snprintf(sname, sizeof(sname), "%s", d->series[k]);
			file_safe(wname);
			file_safe(sname);
			snprintf(name, sizeof(name), "links-%s--%s.csv", wname, sname);
			f = open_data(dir, name, path, sizeof(path));
			if (!f)
				return -1;
			fprintf(f, "from/to");
			for (unsigned b = 0; b < nodes; b++)
				fprintf(f, ",node%u", b);
			fputc('\n', f);
			for (unsigned a = 0; a < nodes; a++) {
				fprintf(f, "node%u", a);
				for (unsigned b = 0; b < nodes; b++)
					fprintf(f, ",%.6g", m[a][b]);
				fputc('\n', f);
			}
			fclose(f);
		}
	}
	return 0;
}

/*
 * Time series of one point per series: the report's raw columns turned into
 * what a reader wants to see: time in ms, the remote-access ratio and mean
 * latency per interval, free memory per node in MiB, and every OS counter
 * that moved (per interval).  Columns that stay zero are left out.
 */
#define TS_COLS 128

static int write_timeseries(const struct plot_data *d, const char *dir)
{
	char path[PATH_MAX], name[200];

	for (size_t w = 0; w < d->s->nr_workloads; w++) {
		for (size_t k = 0; k < d->nr_series; k++) {
			size_t idx, i, j, nrows, ncols;
			const json_t *rep = first_report(d, w, k, &idx), *cols, *rows, *row;
			struct sweep_point p;
			const char *raw[TS_COLS];
			int node_of[TS_COLS];       /* nr_free_pages.nodeN.*: N, else -1 */
			int col_acc = -1, col_mem = -1, col_rem = -1, col_lat = -1;
			unsigned max_node = 0;
			bool keep[TS_COLS] = { false };
			FILE *f;

			if (!rep)
				continue;
			cols = sweep_metric(rep, "timeseries.columns");
			rows = sweep_metric(rep, "timeseries.rows");
			if (!json_is_array(cols) || json_array_size(cols) < 2 || !json_is_array(rows) ||
			    json_array_size(rows) == 0)
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
				else if (!strncmp(raw[j], "nr_free_pages.node", 18)) {
					node_of[j] = atoi(raw[j] + 18);
					if ((unsigned)node_of[j] > max_node)
						max_node = (unsigned)node_of[j];
				}
			}
			/* which plain counters moved at all */
			for (j = 1; j < ncols; j++) {
				if ((int)j == col_acc || (int)j == col_mem || (int)j == col_rem || (int)j == col_lat ||
				    node_of[j] >= 0)
					continue;
				json_array_foreach(rows, i, row) {
					bool ok;
					if (num(json_array_get(row, j), &ok) != 0 && ok) {
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
			if (col_mem >= 0 && col_rem >= 0)
				fprintf(f, ",remote ratio (per interval)");
			if (col_acc >= 0 && col_lat >= 0)
				fprintf(f, ",mean access latency (ns)");
			for (unsigned n = 0; n <= max_node; n++)
				for (j = 0; j < ncols; j++)
					if (node_of[j] == (int)n) {
						fprintf(f, ",free memory node %u (MiB)", n);
						break;
					}
			for (j = 1; j < ncols; j++)
				if (keep[j])
					fprintf(f, ",%s (per interval)", raw[j]);
			fputc('\n', f);
			for (i = 0; i < nrows; i++) {
				bool ok;
				row = json_array_get(rows, i);
				fprintf(f, "%.6g", num(json_array_get(row, 0), &ok) / 1e6);
				if (col_mem >= 0 && col_rem >= 0) {
					double m = num(json_array_get(row, (size_t)col_mem), &ok);
					double r = num(json_array_get(row, (size_t)col_rem), &ok);
					fprintf(f, ",%.6g", m > 0 ? r / m : 0.0);
				}
				if (col_acc >= 0 && col_lat >= 0) {
					double a = num(json_array_get(row, (size_t)col_acc), &ok);
					double l = num(json_array_get(row, (size_t)col_lat), &ok);
					fprintf(f, ",%.6g", a > 0 ? l / a / 1000.0 : 0.0);
				}
				for (unsigned n = 0; n <= max_node; n++) {
					double pages = 0;
					bool any = false;
					for (j = 0; j < ncols; j++)
						if (node_of[j] == (int)n) {
							pages += num(json_array_get(row, j), &ok);
							any = true;
						}
					if (any)
						fprintf(f, ",%.6g", pages * 4096.0 / 1048576.0);
				}
				for (j = 1; j < ncols; j++)
					if (keep[j])
						fprintf(f, ",%.10g", num(json_array_get(row, j), &ok));
				fputc('\n', f);
			}
			fclose(f);
			(void)ncols;
		}
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

int cmd_plot(int argc, char **argv)
{
	const char *dir = NULL, *figdir = NULL, *scripts = NULL;
	char path[PATH_MAX], figbuf[PATH_MAX], data[PATH_MAX], plotdir[PATH_MAX], err[1024];
	struct sweep_spec *s = NULL;
	struct plot_data d;
	size_t n, have = 0;
	int rc = 1, status;
	pid_t pid;

	memset(&d, 0, sizeof(d));
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-o") && i + 1 < argc)
			figdir = argv[++i];
		else if (!strcmp(argv[i], "--scripts") && i + 1 < argc)
			scripts = argv[++i];
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("usage: numasim plot DIR -o FIGDIR [--scripts PLOTS_DIR]\n");
			return 0;
		} else if (argv[i][0] != '-' && !dir)
			dir = argv[i];
		else {
			fprintf(stderr, "numasim plot: unexpected argument %s\n"
					"usage: numasim plot DIR -o FIGDIR [--scripts PLOTS_DIR]\n", argv[i]);
			return 2;
		}
	}
	if (!dir) {
		fprintf(stderr, "usage: numasim plot DIR -o FIGDIR [--scripts PLOTS_DIR]\n");
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
	snprintf(data, sizeof(data), "%s/data", figdir);
	if ((mkdir(figdir, 0777) && errno != EEXIST) || (mkdir(data, 0777) && errno != EEXIST)) {
		fprintf(stderr, "numasim plot: %s: %s\n", data, strerror(errno));
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
	d.s = s;
	n = sweep_nr_points(s);
	d.reports = calloc(n, sizeof(json_t *));
	if (!d.reports || build_series(&d)) {
		fprintf(stderr, "numasim plot: out of memory\n");
		goto out;
	}
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
	if (write_bars(&d, data) || write_cdf_and_served(&d, data) || write_links(&d, data) ||
	    write_timeseries(&d, data))
		goto out;

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
	for (size_t i = 0; d.reports && i < n; i++)
		json_decref(d.reports[i]);
	for (size_t i = 0; i < d.nr_series; i++)
		free(d.series[i]);
	free(d.reports);
	free(d.series);
	free(d.series_of);
	sweep_spec_free(s);
	return rc;
}
