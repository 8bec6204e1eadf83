/*
 * tests/experiments/test_sweep.c - sweep spec parsing, grid order, point
 * ids, metric paths and the exact results.csv text built from fake reports.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <jansson.h>
#include "tests/support/test.h"
#include "experiments/sweep.h"
#include "sim/err.h"

static char err[512];

static struct sweep_spec *parse(const char *text)
{
	json_error_t je;
	json_t *root = json_loads(text, 0, &je);
	struct sweep_spec *s;

	if (!root)
		fail_msg("bad test JSON: %s", je.text);
	if (sweep_spec_parse(&s, root, "spec.json", "specdir", err, sizeof(err)))
		fail_msg("%s", err);
	json_decref(root);
	return s;
}

static int parse_err(const char *text)
{
	json_t *root = json_loads(text, 0, NULL);
	struct sweep_spec *s = NULL;
	int rc;

	assert_non_null(root);
	rc = sweep_spec_parse(&s, root, "spec.json", "", err, sizeof(err));
	assert_null(s);
	json_decref(root);
	return rc;
}

static const char *spec2 =
	"{\"name\": \"t\", \"machines\": [\"tiny\", \"m/big.json\"],"
	" \"workloads\": [\"traces/a.nst\", {\"name\": \"g\", \"pattern\": \"gups\", \"size\": \"1M\"},"
	"                 {\"gen\": \"wl/zipf.json\"}],"
	" \"policies\": [\"default\", \"interleave:0-1\"],"
	" \"overrides\": [[], [\"os.thp=always\", \"hw.x=1\"]],"
	" \"seeds\": [1, 7],"
	" \"metrics\": [\"summary.latency.mean_ns\", \"summary.remote_ratio\"]}";

/* Machines outermost, seeds innermost; ids name only the varying axes. */
static void grid_order_and_ids(void **state)
{
	struct sweep_spec *s = parse(spec2);
	struct sweep_point p;
	char *m;

	(void)state;
	assert_int_equal(sweep_nr_points(s), 2 * 3 * 2 * 2 * 2);
	sweep_point_get(s, 1, &p);
	assert_string_equal(p.id, "p0001-tiny-a-default-o1-s1");
	sweep_point_get(s, 2, &p);
	assert_string_equal(p.id, "p0002-tiny-a-default-o1-s7");
	assert_int_equal(p.seed, 1);
	sweep_point_get(s, 3, &p);
	assert_string_equal(p.id, "p0003-tiny-a-default-o2-s1");
	sweep_point_get(s, 6, &p);
	assert_string_equal(p.id, "p0006-tiny-a-interleave-0-1-o1-s7");
	sweep_point_get(s, 9, &p);
	assert_string_equal(p.id, "p0009-tiny-g-default-o1-s1");
	sweep_point_get(s, 48, &p);
	assert_string_equal(p.id, "p0048-big-zipf-interleave-0-1-o2-s7");
	assert_int_equal(p.machine, 1);
	assert_int_equal(p.workload, 2);
	assert_int_equal(p.policy, 1);
	assert_int_equal(p.override, 1);

	/* Relative files resolve against the spec's directory. */
	assert_string_equal(s->workloads[0].trace, "specdir/traces/a.nst");
	assert_null(s->workloads[0].gen_file);
	assert_non_null(s->workloads[1].gen);
	assert_string_equal(s->workloads[2].gen_file, "specdir/wl/zipf.json");
	assert_string_equal(s->workloads[2].name, "zipf");
	m = sweep_machine_arg(s, 0);
	assert_string_equal(m, "tiny");
	free(m);
	m = sweep_machine_arg(s, 1);
	assert_string_equal(m, "specdir/m/big.json");
	free(m);
	m = sweep_override_label(s, 1);
	assert_string_equal(m, "os.thp=always;hw.x=1");
	free(m);
	sweep_spec_free(s);
}

static void defaults_and_errors(void **state)
{
	struct sweep_spec *s = parse("{\"workloads\": [\"x.nst\"], \"metrics\": [\"summary.accesses\"]}");
	struct sweep_point p;

	(void)state;
	assert_int_equal(sweep_nr_points(s), 1);
	sweep_point_get(s, 1, &p);
	assert_string_equal(p.id, "p0001-x-default");
	assert_string_equal(s->machines[0], "tiny");
	assert_int_equal(s->seeds[0], 1);
	sweep_spec_free(s);

	assert_int_equal(parse_err("{\"metrics\": [\"a\"]}"), -SIM_ECONFIG);
	assert_non_null(strstr(err, "workloads"));
	assert_int_equal(parse_err("{\"workloads\": [\"x.nst\"]}"), -SIM_ECONFIG);
	assert_non_null(strstr(err, "metrics"));
	assert_int_equal(parse_err("{\"workloads\": [\"x.nst\"], \"metrics\": [\"a\"], \"seeds\": [\"1\"]}"),
			 -SIM_ECONFIG);
	assert_non_null(strstr(err, "seeds[0]"));
	assert_int_equal(parse_err("{\"workloads\": [\"x.nst\"], \"metrics\": [\"a\"], \"overrides\": [[\"nokey\"]]}"),
			 -SIM_ECONFIG);
	assert_non_null(strstr(err, "overrides[0][0]"));
	assert_int_equal(parse_err("{\"workloads\": [\"x.nst\", \"y/x.nst\"], \"metrics\": [\"a\"]}"), -SIM_ECONFIG);
	assert_non_null(strstr(err, "already"));
	assert_int_equal(parse_err("{\"workloads\": [{\"size\": 4}], \"metrics\": [\"a\"]}"), -SIM_ECONFIG);
	assert_non_null(strstr(err, "workloads[0]"));
	assert_int_equal(parse_err("{\"workloads\": [\"x.nst\"], \"metrics\": [\"a\"], \"polices\": []}"),
			 -SIM_ECONFIG);
	assert_non_null(strstr(err, "polices"));
}

/*
 * Every field of a spec is type-checked and the error names its JSON path:
 * a number where a string belongs once crashed (strdup of NULL).
 */
static void field_types(void **state)
{
	static const struct { const char *spec, *path; } bad[] = {
		{ "{\"workloads\": [{\"pattern\": 1}], \"metrics\": [\"s\"]}", "workloads[0].pattern" },
		{ "{\"workloads\": [{\"pattern\": \"gups\", \"size\": true}], \"metrics\": [\"s\"]}",
		  "workloads[0]" },
		{ "{\"workloads\": [{\"pattern\": \"nope\"}], \"metrics\": [\"s\"]}", "workloads[0]" },
		{ "{\"workloads\": [{\"pattern\": null}], \"metrics\": [\"s\"]}", "workloads[0].pattern" },
		{ "{\"workloads\": [{\"trace\": 3}], \"metrics\": [\"s\"]}", "workloads[0].trace" },
		{ "{\"workloads\": [{\"gen\": []}], \"metrics\": [\"s\"]}", "workloads[0].gen" },
		{ "{\"workloads\": [7], \"metrics\": [\"s\"]}", "workloads[0]" },
		{ "{\"workloads\": [\"a.nst\"], \"metrics\": [\"s\", 2]}", "metrics[1]" },
		{ "{\"workloads\": [\"a.nst\"], \"metrics\": [\"s\"], \"machines\": [{}]}", "machines[0]" },
		{ "{\"workloads\": [\"a.nst\"], \"metrics\": [\"s\"], \"policies\": \"x\"}", "policies" },
		{ "{\"workloads\": [\"a.nst\"], \"metrics\": [\"s\"], \"name\": 5}", "name" },
		{ "{\"workloads\": [\"a.nst\"], \"metrics\": [\"s\"], \"comment\": 5}", "comment" },
		{ "{\"workloads\": [\"a.nst\"], \"metrics\": [\"s\"], \"seeds\": [1.5]}", "seeds[0]" },
		{ "{\"workloads\": [\"a.nst\"], \"metrics\": [\"s\"], \"override_names\": [3]}",
		  "override_names[0]" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(parse_err(bad[i].spec), -SIM_ECONFIG);
		if (!strstr(err, bad[i].path))
			fail_msg("spec %zu: \"%s\" does not name %s", i, err, bad[i].path);
		assert_non_null(strstr(err, "spec.json"));
	}
}

/* Workload names become file names under DIR/traces: no path may leave DIR. */
static void workload_names(void **state)
{
	static const char *const bad[] = {
		"{\"workloads\": [{\"name\": \"../../escaped\", \"pattern\": \"gups\"}], \"metrics\": [\"s\"]}",
		"{\"workloads\": [{\"name\": \"a/b\", \"pattern\": \"gups\"}], \"metrics\": [\"s\"]}",
		"{\"workloads\": [{\"name\": \"..\", \"pattern\": \"gups\"}], \"metrics\": [\"s\"]}",
		"{\"workloads\": [{\"name\": \".hidden\", \"pattern\": \"gups\"}], \"metrics\": [\"s\"]}",
		"{\"workloads\": [{\"name\": \"new\\nline\", \"pattern\": \"gups\"}], \"metrics\": [\"s\"]}",
		"{\"workloads\": [\"x/.nst\"], \"metrics\": [\"s\"]}",
		"{\"workloads\": [\"a.nst\"], \"metrics\": [\"s\"], \"name\": \"x\\ny\"}",
	};
	struct sweep_spec *s;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(parse_err(bad[i]), -SIM_ECONFIG);
		if (!strstr(err, "name"))
			fail_msg("spec %zu: \"%s\" does not say the name is bad", i, err);
	}
	s = parse("{\"workloads\": [{\"name\": \"ok-name_1.v2\", \"pattern\": \"gups\"}, \"../up/t.nst\"],"
		  " \"metrics\": [\"s\"]}");
	assert_string_equal(s->workloads[0].name, "ok-name_1.v2");
	assert_string_equal(s->workloads[1].name, "t");
	sweep_spec_free(s);
}

static void metric_paths(void **state)
{
	json_t *r = json_loads("{\"summary\": {\"latency\": {\"mean_ns\": 81.5, \"p99_ns\": 300}},"
			       " \"os\": {\"numastat\": [{\"numa_miss\": 3}, {\"numa_miss\": 9}]}}", 0, NULL);

	(void)state;
	assert_non_null(r);
	assert_true(json_real_value(sweep_metric(r, "summary.latency.mean_ns")) == 81.5);
	assert_int_equal(json_integer_value(sweep_metric(r, "summary.latency.p99_ns")), 300);
	assert_int_equal(json_integer_value(sweep_metric(r, "os.numastat.1.numa_miss")), 9);
	assert_null(sweep_metric(r, "os.numastat.2.numa_miss"));
	assert_null(sweep_metric(r, "summary.latency.p99_ns.x"));
	assert_null(sweep_metric(r, "summary..latency"));
	assert_null(sweep_metric(r, "summary.latency."));
	assert_null(sweep_metric(r, "nothing"));
	json_decref(r);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	static char buf[8192];
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

/* results.csv from fake reports: ok, failed and missing rows, exact text. */
static void collect_exact_csv(void **state)
{
	struct sweep_spec *s = parse(
		"{\"workloads\": [\"w.nst\"], \"policies\": [\"default\", \"bind:1\", \"interleave:0,1\"],"
		" \"overrides\": [[\"os.thp=never\"], [\"os.thp=always\", \"a=\\\"q,x\\\"\"]],"
		" \"metrics\": [\"summary.latency.mean_ns\", \"summary.remote_ratio\", \"summary.accesses\","
		"              \"summary.nothing\"]}");
	char dir[512], path[1024];
	size_t failed, missing;
	const char *want =
		"id,machine,workload,policy,overrides,seed,status,summary.latency.mean_ns,summary.remote_ratio,"
		"summary.accesses,summary.nothing\n"
		"p0001-w-default-o1,tiny,w,default,os.thp=never,1,ok,81.5,0.25,1000,\n"
		"p0002-w-default-o2,tiny,w,default,\"os.thp=always;a=\"\"q,x\"\"\",1,missing,,,,\n"
		"p0003-w-bind-1-o1,tiny,w,bind:1,os.thp=never,1,failed,,,,\n"
		"p0004-w-bind-1-o2,tiny,w,bind:1,\"os.thp=always;a=\"\"q,x\"\"\",1,missing,,,,\n"
		"p0005-w-interleave-0-1-o1,tiny,w,\"interleave:0,1\",os.thp=never,1,ok,100,0.3333333333,7,\n"
		"p0006-w-interleave-0-1-o2,tiny,w,\"interleave:0,1\",\"os.thp=always;a=\"\"q,x\"\"\",1,missing,,,,\n";

	(void)state;
	snprintf(dir, sizeof(dir), "%s/collect", test_tmpdir());
	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/points", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/points/p0001-w-default-o1", dir);
	mkdir(path, 0755);
	strcat(path, "/report.json");
	write_file(path, "{\"summary\": {\"accesses\": 1000, \"latency\": {\"mean_ns\": 81.5}, \"remote_ratio\": 0.25}}");
	snprintf(path, sizeof(path), "%s/points/p0003-w-bind-1-o1", dir);
	mkdir(path, 0755);
	strcat(path, "/error.txt");
	write_file(path, "exit status 1\n");
	snprintf(path, sizeof(path), "%s/points/p0005-w-interleave-0-1-o1", dir);
	mkdir(path, 0755);
	strcat(path, "/report.json");
	write_file(path, "{\"summary\": {\"accesses\": 7, \"latency\": {\"mean_ns\": 100}, "
			 "\"remote_ratio\": 0.333333333333333}}");

	assert_int_equal(sweep_collect(s, dir, &failed, &missing, err, sizeof(err)), 0);
	assert_int_equal(failed, 1);
	assert_int_equal(missing, 3);
	snprintf(path, sizeof(path), "%s/results.csv", dir);
	assert_string_equal(read_file(path), want);
	sweep_spec_free(s);
}

static void point_selection(void **state)
{
	bool *sel;

	(void)state;
	assert_int_equal(sweep_parse_points("2..4,7", 8, &sel, err, sizeof(err)), 0);
	for (int i = 0; i <= 8; i++)
		assert_int_equal(sel[i], i == 2 || i == 3 || i == 4 || i == 7);
	free(sel);
	assert_int_equal(sweep_parse_points("5", 8, &sel, err, sizeof(err)), 0);
	assert_true(sel[5] && !sel[4] && !sel[6]);
	free(sel);
	assert_int_equal(sweep_parse_points("0..3", 8, &sel, err, sizeof(err)), -SIM_EUSAGE);
	assert_null(sel);
	assert_int_equal(sweep_parse_points("3..9", 8, &sel, err, sizeof(err)), -SIM_EUSAGE);
	assert_int_equal(sweep_parse_points("3-4", 8, &sel, err, sizeof(err)), -SIM_EUSAGE);
	assert_non_null(strstr(err, "3-4"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(grid_order_and_ids),
		cmocka_unit_test(defaults_and_errors),
		cmocka_unit_test(field_types),
		cmocka_unit_test(workload_names),
		cmocka_unit_test(metric_paths),
		cmocka_unit_test(collect_exact_csv),
		cmocka_unit_test(point_selection),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
