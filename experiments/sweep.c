/*
 * experiments/sweep.c - sweep spec parsing, grid expansion and the results
 * table (see sweep.h).  Everything printed depends only on the spec and the
 * report files, never on the order points finished in.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include "experiments/sweep.h"
#include "experiments/wlgen.h"
#include "sim/afile.h"
#include "sim/err.h"
#include "sim/words.h"

static const char *const status_names[] = { "ok", "failed", "missing" };

const char *sweep_status_name(enum sweep_status st)
{
	return (unsigned)st < ARRAY_SIZE(status_names) ? status_names[st] : "?";
}

/* base_dir/path unless path is absolute (or there is no base). */
static char *resolve(const char *base_dir, const char *path)
{
	char *out;
	size_t n;

	if (path[0] == '/' || !base_dir || !base_dir[0] || !strcmp(base_dir, "."))
		return strdup(path);
	n = strlen(base_dir) + strlen(path) + 2;
	out = malloc(n);
	if (out)
		snprintf(out, n, "%s/%s", base_dir, path);
	return out;
}

/* "dir/gups.json" -> "gups", "a/b.nst.zst" -> "b". */
static char *base_label(const char *path)
{
	const char *b = strrchr(path, '/');
	char *out = strdup(b ? b + 1 : path), *dot;

	if (out && (dot = strchr(out, '.')) && dot != out)
		*dot = 0;
	return out;
}

static bool is_file_ref(const char *s)
{
	size_t n = strlen(s);

	return strchr(s, '/') || (n > 5 && !strcmp(s + n - 5, ".json"));
}

void sweep_spec_free(struct sweep_spec *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nr_machines; i++)
		free(s->machines[i]);
	for (size_t i = 0; i < s->nr_workloads; i++) {
		free(s->workloads[i].name);
		free(s->workloads[i].trace);
		free(s->workloads[i].gen_file);
		json_decref(s->workloads[i].gen);
	}
	for (size_t i = 0; i < s->nr_policies; i++)
		free(s->policies[i]);
	for (size_t i = 0; i < s->nr_overrides; i++) {
		for (size_t j = 0; j < s->nr_override_args[i]; j++)
			free(s->overrides[i][j]);
		free(s->overrides[i]);
	}
	for (size_t i = 0; i < s->nr_metrics; i++)
		free(s->metrics[i]);
	free(s->machines);
	free(s->workloads);
	free(s->policies);
	free(s->overrides);
	if (s->override_names)
		for (size_t i = 0; i < s->nr_overrides; i++)
			free(s->override_names[i]);
	free(s->override_names);
	free(s->nr_override_args);
	free(s->seeds);
	free(s->metrics);
	free(s->name);
	free(s->base_dir);
	free(s);
}

#define NOMEM() sim_errf(err, errlen, SIM_ENOMEM, "%s: out of memory", where)

bool sweep_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > SWEEP_NAME_MAX || name[0] == '.')
		return false;
	for (; *name; name++) {
		char c = *name;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
		      c == '_' || c == '-' || c == '+'))
			return false;
	}
	return true;
}

static int bad_name(const char *where, const char *path, const char *name, char *err, size_t errlen)
{
	return sim_errf(err, errlen, SIM_ECONFIG, "%s: %s: name \"%s\" must be 1..%d of [A-Za-z0-9._+-], not "
			"starting with '.' (it names files in the sweep directory)", where, path, name, SWEEP_NAME_MAX);
}

/* A JSON array of strings (or absent: one default) into a string list. */
static int string_list(const json_t *root, const char *key, const char *dflt, bool required, char ***out,
		       size_t *n, const char *where, char *err, size_t errlen)
{
	const json_t *a = json_object_get(root, key), *v;
	size_t i;

	*n = 0;
	if (!a) {
		if (required || !dflt)
			return sim_errf(err, errlen, SIM_ECONFIG, "%s: %s: required (a non-empty array)", where, key);
		*out = calloc(1, sizeof(char *));
		if (!*out || !((*out)[0] = strdup(dflt)))
			return NOMEM();
		*n = 1;
		return 0;
	}
	if (!json_is_array(a) || json_array_size(a) == 0)
		return sim_errf(err, errlen, SIM_ECONFIG, "%s: %s: must be a non-empty array", where, key);
	*out = calloc(json_array_size(a), sizeof(char *));
	if (!*out)
		return NOMEM();
	json_array_foreach(a, i, v) {
		if (!json_is_string(v) || !json_string_value(v)[0])
			return sim_errf(err, errlen, SIM_ECONFIG, "%s: %s[%zu]: must be a non-empty string", where, key, i);
		if (!((*out)[i] = strdup(json_string_value(v))))
			return NOMEM();
		*n = i + 1;
	}
	return 0;
}

static int parse_workload(struct sweep_spec *s, size_t i, const json_t *v, const char *where, char *err,
			  size_t errlen)
{
	struct sweep_workload *w = &s->workloads[i];

	if (json_is_string(v)) {
		const char *p = json_string_value(v);
		size_t n = strlen(p);

		if (!n)
			return sim_errf(err, errlen, SIM_ECONFIG, "%s: workloads[%zu]: empty path", where, i);
		w->name = base_label(p);
		if (n > 5 && !strcmp(p + n - 5, ".json"))
			w->gen_file = resolve(s->base_dir, p);
		else
			w->trace = resolve(s->base_dir, p);
		if (!w->name || !(w->gen_file || w->trace))
			return NOMEM();
		if (!sweep_name_ok(w->name)) {
			char at[64];

			snprintf(at, sizeof(at), "workloads[%zu]", i);
			return bad_name(where, at, w->name, err, errlen);
		}
		return 0;
	}
	if (json_is_object(v)) {
		const json_t *name = json_object_get(v, "name"), *trace = json_object_get(v, "trace"),
			     *gen = json_object_get(v, "gen"), *pattern = json_object_get(v, "pattern");

		if (name && (!json_is_string(name) || !json_string_value(name)[0]))
			return sim_errf(err, errlen, SIM_ECONFIG, "%s: workloads[%zu].name: must be a non-empty string",
					where, i);
		if (trace && (!json_is_string(trace) || !json_string_value(trace)[0]))
			return sim_errf(err, errlen, SIM_ECONFIG, "%s: workloads[%zu].trace: must be a file name "
					"(a non-empty string)", where, i);
		if (gen && (!json_is_string(gen) || !json_string_value(gen)[0]))
			return sim_errf(err, errlen, SIM_ECONFIG, "%s: workloads[%zu].gen: must be a file name "
					"(a non-empty string)", where, i);
		if (trace && gen)
			return sim_errf(err, errlen, SIM_ECONFIG, "%s: workloads[%zu]: give trace or gen, not both",
					where, i);
		if (trace) {
			w->trace = resolve(s->base_dir, json_string_value(trace));
		} else if (gen) {
			w->gen_file = resolve(s->base_dir, json_string_value(gen));
		} else if (!pattern) {
			return sim_errf(err, errlen, SIM_ECONFIG,
					"%s: workloads[%zu]: needs \"trace\", \"gen\" or an inline generator spec "
					"with \"pattern\"", where, i);
		} else {
			/* an inline generator spec: every key checked now, not when the sweep runs */
			struct wlgen_spec ws;
			char at[256];
			int rc;

			if (!json_is_string(pattern))
				return sim_errf(err, errlen, SIM_ECONFIG, "%s: workloads[%zu].pattern: must be a string",
						where, i);
			snprintf(at, sizeof(at), "%s: workloads[%zu]", where, i);
			wlgen_spec_init(&ws);
			if ((rc = wlgen_spec_from_json(&ws, v, at, err, errlen)))
				return rc < 0 ? -SIM_ECONFIG : rc;
			w->gen = json_deep_copy(v);
		}
		if (name)
			w->name = strdup(json_string_value(name));
		else if (trace || gen)
			w->name = base_label(json_string_value(trace ? trace : gen));
		else
			w->name = strdup(json_string_value(pattern));
		if (!w->name || !(w->trace || w->gen_file || w->gen))
			return NOMEM();
		if (!sweep_name_ok(w->name)) {
			char at[64];

			snprintf(at, sizeof(at), "workloads[%zu]%s", i, name ? ".name" : "");
			return bad_name(where, at, w->name, err, errlen);
		}
		return 0;
	}
	return sim_errf(err, errlen, SIM_ECONFIG, "%s: workloads[%zu]: must be a file name or an object", where, i);
}

static int parse_spec(struct sweep_spec *s, const json_t *root, const char *where, char *err, size_t errlen)
{
	static const char *const keys[] = { "name", "comment", "machines", "workloads", "policies", "overrides",
					    "override_names",
					    "seeds", "metrics" };
	const json_t *a, *v;
	const char *key;
	size_t i;
	int rc;

	if (!json_is_object(root))
		return sim_errf(err, errlen, SIM_ECONFIG, "%s: a sweep spec must be a JSON object", where);
	json_object_foreach((json_t *)root, key, v) {
		size_t k;

		for (k = 0; k < ARRAY_SIZE(keys) && strcmp(keys[k], key); k++)
			;
		if (k == ARRAY_SIZE(keys)) {
			const char *near = sim_nearest(key, keys, ARRAY_SIZE(keys));

			return sim_errf(err, errlen, SIM_ECONFIG, "%s: %s: unknown key%s%s%s (name, machines, workloads, "
					"policies, overrides, seeds, metrics)", where, key, near ? " (did you mean " : "",
					near ? near : "", near ? "?)" : "");
		}
	}
	v = json_object_get(root, "comment");
	if (v && !json_is_string(v))
		return sim_errf(err, errlen, SIM_ECONFIG, "%s: comment: must be a string", where);
	v = json_object_get(root, "name");
	if (v && !json_is_string(v))
		return sim_errf(err, errlen, SIM_ECONFIG, "%s: name: must be a string", where);
	if (!(s->name = strdup(v ? json_string_value(v) : "sweep")))
		return NOMEM();
	if (!sweep_name_ok(s->name))      /* it names the Slurm job */
		return bad_name(where, "name", s->name, err, errlen);

	if ((rc = string_list(root, "machines", "tiny", false, &s->machines, &s->nr_machines, where, err, errlen)))
		return rc;
	if ((rc = string_list(root, "policies", "default", false, &s->policies, &s->nr_policies, where, err,
			      errlen)))
		return rc;
	if ((rc = string_list(root, "metrics", NULL, true, &s->metrics, &s->nr_metrics, where, err, errlen)))
		return rc;

	a = json_object_get(root, "workloads");
	if (!json_is_array(a) || json_array_size(a) == 0)
		return sim_errf(err, errlen, SIM_ECONFIG, "%s: workloads: required (a non-empty array)", where);
	s->workloads = calloc(json_array_size(a), sizeof(*s->workloads));
	if (!s->workloads)
		return NOMEM();
	json_array_foreach(a, i, v) {
		s->nr_workloads = i + 1;
		if ((rc = parse_workload(s, i, v, where, err, errlen)))
			return rc;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(s->workloads[j].name, s->workloads[i].name))
				return sim_errf(err, errlen, SIM_ECONFIG, "%s: workloads[%zu]: name \"%s\" is already "
						"used by workloads[%zu]", where, i, s->workloads[i].name, j);
	}

	a = json_object_get(root, "overrides");
	if (a && (!json_is_array(a) || json_array_size(a) == 0))
		return sim_errf(err, errlen, SIM_ECONFIG, "%s: overrides: must be a non-empty array of arrays", where);
	s->nr_overrides = a ? json_array_size(a) : 1;
	s->overrides = calloc(s->nr_overrides, sizeof(*s->overrides));
	s->nr_override_args = calloc(s->nr_overrides, sizeof(*s->nr_override_args));
	if (!s->overrides || !s->nr_override_args)
		return NOMEM();
	if (a) {
		json_array_foreach(a, i, v) {
			const json_t *e;
			size_t j;

			if (!json_is_array(v))
				return sim_errf(err, errlen, SIM_ECONFIG, "%s: overrides[%zu]: must be an array of "
						"\"key=value\" strings", where, i);
			s->overrides[i] = calloc(json_array_size(v) + 1, sizeof(char *));
			if (!s->overrides[i])
				return NOMEM();
			json_array_foreach(v, j, e) {
				if (!json_is_string(e) || !strchr(json_string_value(e), '=') ||
				    strchr(json_string_value(e), ';'))
					return sim_errf(err, errlen, SIM_ECONFIG, "%s: overrides[%zu][%zu]: must be a "
							"\"key=value\" string without ';'", where, i, j);
				if (!(s->overrides[i][j] = strdup(json_string_value(e))))
					return NOMEM();
				s->nr_override_args[i] = j + 1;
			}
		}
	}

	a = json_object_get(root, "override_names");
	if (a) {
		if (!json_is_array(a) || json_array_size(a) != s->nr_overrides)
			return sim_errf(err, errlen, SIM_ECONFIG, "%s: override_names: must be an array of %zu strings, "
					"one per override set", where, s->nr_overrides);
		s->override_names = calloc(s->nr_overrides, sizeof(char *));
		if (!s->override_names)
			return NOMEM();
		json_array_foreach(a, i, v) {
			if (!json_is_string(v) || !json_string_length(v))
				return sim_errf(err, errlen, SIM_ECONFIG, "%s: override_names[%zu]: must be a non-empty string",
						where, i);
			if (!(s->override_names[i] = strdup(json_string_value(v))))
				return NOMEM();
		}
	}

	a = json_object_get(root, "seeds");
	if (a && (!json_is_array(a) || json_array_size(a) == 0))
		return sim_errf(err, errlen, SIM_ECONFIG, "%s: seeds: must be a non-empty array of integers", where);
	s->nr_seeds = a ? json_array_size(a) : 1;
	s->seeds = calloc(s->nr_seeds, sizeof(*s->seeds));
	if (!s->seeds)
		return NOMEM();
	s->seeds[0] = 1;
	if (a) {
		json_array_foreach(a, i, v) {
			if (!json_is_integer(v) || json_integer_value(v) < 0)
				return sim_errf(err, errlen, SIM_ECONFIG, "%s: seeds[%zu]: must be an integer >= 0",
						where, i);
			s->seeds[i] = (uint64_t)json_integer_value(v);
		}
	}
	return 0;
}

int sweep_spec_parse(struct sweep_spec **out, const json_t *root, const char *where, const char *base_dir,
		     char *err, size_t errlen)
{
	struct sweep_spec *s = calloc(1, sizeof(*s));
	int rc;

	*out = NULL;
	if (!s || !(s->base_dir = strdup(base_dir ? base_dir : ""))) {
		free(s);
		return sim_errf(err, errlen, SIM_ENOMEM, "%s: out of memory", where);
	}
	rc = parse_spec(s, root, where, err, errlen);
	if (rc) {
		sweep_spec_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

int sweep_spec_load(struct sweep_spec **out, const char *path, char *err, size_t errlen)
{
	json_error_t je;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	char *dir;
	const char *slash = strrchr(path, '/');
	int rc;

	*out = NULL;
	if (!root)
		return sim_errf(err, errlen, SIM_ECONFIG, "%s:%d:%d: %s", path, je.line, je.column, je.text);
	dir = slash ? strndup(path, (size_t)(slash - path)) : strdup("");
	if (!dir) {
		json_decref(root);
		return sim_errf(err, errlen, SIM_ENOMEM, "%s: out of memory", path);
	}
	rc = sweep_spec_parse(out, root, path, slash == path ? "/" : dir, err, errlen);
	free(dir);
	json_decref(root);
	return rc;
}

/* ---- grid -------------------------------------------------------------------- */

size_t sweep_nr_points(const struct sweep_spec *s)
{
	return s->nr_machines * s->nr_workloads * s->nr_policies * s->nr_overrides * s->nr_seeds;
}

/* Append `text` to an id, as [A-Za-z0-9._] with every other run as one '-'. */
static void id_append(char *id, size_t len, const char *text)
{
	size_t n = strlen(id);

	if (n + 1 < len && n && id[n - 1] != '-')
		id[n++] = '-';
	for (; *text && n + 1 < len; text++) {
		char c = *text;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
			  c == '_';

		if (ok)
			id[n++] = c;
		else if (n && id[n - 1] != '-')
			id[n++] = '-';
	}
	while (n && id[n - 1] == '-')
		n--;
	id[n] = 0;
}

void sweep_point_get(const struct sweep_spec *s, size_t index, struct sweep_point *p)
{
	size_t k = index - 1;
	char buf[32];

	SIM_BUG_ON(index < 1 || index > sweep_nr_points(s));
	memset(p, 0, sizeof(*p));
	p->index = index;
	p->seed = k % s->nr_seeds;
	k /= s->nr_seeds;
	p->override = k % s->nr_overrides;
	k /= s->nr_overrides;
	p->policy = k % s->nr_policies;
	k /= s->nr_policies;
	p->workload = k % s->nr_workloads;
	p->machine = k / s->nr_workloads;

	snprintf(p->id, sizeof(p->id), "p%04zu", index);
	/* Only axes that vary name the point: short ids for small sweeps. */
	if (s->nr_machines > 1) {
		char *m = base_label(s->machines[p->machine]);
		id_append(p->id, sizeof(p->id), m ? m : "m");
		free(m);
	}
	id_append(p->id, sizeof(p->id), s->workloads[p->workload].name);
	id_append(p->id, sizeof(p->id), s->policies[p->policy]);
	if (s->nr_overrides > 1) {
		snprintf(buf, sizeof(buf), "o%zu", p->override + 1);
		id_append(p->id, sizeof(p->id), buf);
	}
	if (s->nr_seeds > 1) {
		snprintf(buf, sizeof(buf), "s%llu", (unsigned long long)s->seeds[p->seed]);
		id_append(p->id, sizeof(p->id), buf);
	}
}

char *sweep_machine_arg(const struct sweep_spec *s, size_t k)
{
	const char *m = s->machines[k];

	return is_file_ref(m) ? resolve(s->base_dir, m) : strdup(m);
}

char *sweep_override_label(const struct sweep_spec *s, size_t k)
{
	size_t n = 1;
	char *out;

	for (size_t j = 0; j < s->nr_override_args[k]; j++)
		n += strlen(s->overrides[k][j]) + 1;
	out = malloc(n);
	if (!out)
		return NULL;
	out[0] = 0;
	for (size_t j = 0; j < s->nr_override_args[k]; j++) {
		if (j)
			strcat(out, ";");
		strcat(out, s->overrides[k][j]);
	}
	return out;
}

const json_t *sweep_metric(const json_t *report, const char *path)
{
	const json_t *cur = report;
	const char *p = path;

	while (cur && *p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		char key[128];

		if (n == 0 || n >= sizeof(key))
			return NULL;
		memcpy(key, p, n);
		key[n] = 0;
		if (json_is_object(cur)) {
			cur = json_object_get(cur, key);
		} else if (json_is_array(cur)) {
			char *end;
			unsigned long idx = strtoul(key, &end, 10);

			cur = *end ? NULL : json_array_get(cur, idx);
		} else {
			return NULL;
		}
		p += n + (dot ? 1 : 0);
		if (dot && !*p)
			return NULL;
	}
	return cur;
}

/* ---- CSV ------------------------------------------------------------------------ */

static void csv_field(FILE *out, const char *v, bool first)
{
	if (!first)
		fputc(',', out);
	if (strpbrk(v, ",\"\n\r")) {
		fputc('"', out);
		for (; *v; v++) {
			if (*v == '"')
				fputc('"', out);
			fputc(*v, out);
		}
		fputc('"', out);
	} else {
		fputs(v, out);
	}
}

void sweep_csv_header(const struct sweep_spec *s, FILE *out)
{
	static const char *const cols[] = { "id", "machine", "workload", "policy", "overrides", "seed", "status" };

	for (size_t i = 0; i < ARRAY_SIZE(cols); i++)
		csv_field(out, cols[i], i == 0);
	for (size_t i = 0; i < s->nr_metrics; i++)
		csv_field(out, s->metrics[i], false);
	fputc('\n', out);
}

/* Numbers exactly as the report has them for integers, %.10g for reals. */
static void metric_text(const json_t *v, char *buf, size_t len)
{
	buf[0] = 0;
	if (json_is_integer(v))
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, len, "%.10g", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(buf, len, "%d", json_is_true(v) ? 1 : 0);
	else if (json_is_string(v))
		snprintf(buf, len, "%s", json_string_value(v));
}

void sweep_csv_row(const struct sweep_spec *s, const struct sweep_point *p, enum sweep_status st,
		   const json_t *report, FILE *out)
{
	char buf[512], *ov = sweep_override_label(s, p->override);

	csv_field(out, p->id, true);
	csv_field(out, s->machines[p->machine], false);
	csv_field(out, s->workloads[p->workload].name, false);
	csv_field(out, s->policies[p->policy], false);
	csv_field(out, ov ? ov : "", false);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)s->seeds[p->seed]);
	csv_field(out, buf, false);
	csv_field(out, sweep_status_name(st), false);
	for (size_t i = 0; i < s->nr_metrics; i++) {
		metric_text(report ? sweep_metric(report, s->metrics[i]) : NULL, buf, sizeof(buf));
		csv_field(out, buf, false);
	}
	fputc('\n', out);
	free(ov);
}

static bool file_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

int sweep_collect(const struct sweep_spec *s, const char *dir, size_t *nr_failed, size_t *nr_missing,
		  char *err, size_t errlen)
{
	struct afile af;
	size_t n = sweep_nr_points(s);
	char path[4096];
	int rc;

	*nr_failed = *nr_missing = 0;
	snprintf(path, sizeof(path), "%s/results.csv", dir);
	rc = afile_open(&af, path, err, errlen);
	if (rc)
		return rc;
	sweep_csv_header(s, af.fp);
	for (size_t i = 1; i <= n; i++) {
		struct sweep_point p;
		enum sweep_status st = SWEEP_MISSING;
		json_t *rep = NULL;

		sweep_point_get(s, i, &p);
		snprintf(path, sizeof(path), "%s/points/%s/report.json", dir, p.id);
		if (file_exists(path)) {
			json_error_t je;

			rep = json_load_file(path, 0, &je);
			st = rep ? SWEEP_OK : SWEEP_FAILED;
		} else {
			snprintf(path, sizeof(path), "%s/points/%s/error.txt", dir, p.id);
			if (file_exists(path))
				st = SWEEP_FAILED;
		}
		*nr_failed += st == SWEEP_FAILED;
		*nr_missing += st == SWEEP_MISSING;
		sweep_csv_row(s, &p, st, rep, af.fp);
		json_decref(rep);
	}
	return afile_commit(&af, err, errlen);
}

int sweep_parse_points(const char *text, size_t nr_points, bool **sel, char *err, size_t errlen)
{
	const char *p = text;

	*sel = calloc(nr_points + 1, sizeof(bool));
	if (!*sel)
		return sim_errf(err, errlen, SIM_ENOMEM, "--only-points: out of memory");
	while (*p) {
		char *end;
		unsigned long long a, b;

		errno = 0;
		a = strtoull(p, &end, 10);
		if (end == p || errno)
			goto bad;
		b = a;
		p = end;
		if (p[0] == '.' && p[1] == '.') {
			b = strtoull(p + 2, &end, 10);
			if (end == p + 2 || errno)
				goto bad;
			p = end;
		}
		if (a < 1 || b < a || b > nr_points) {
			free(*sel);
			*sel = NULL;
			return sim_errf(err, errlen, SIM_EUSAGE, "--only-points: %llu..%llu is outside 1..%zu", a, b,
					nr_points);
		}
		for (unsigned long long k = a; k <= b; k++)
			(*sel)[k] = true;
		if (*p == ',')
			p++;
		else if (*p)
			goto bad;
	}
	return 0;
bad:
	free(*sel);
	*sel = NULL;
	return sim_errf(err, errlen, SIM_EUSAGE, "--only-points: \"%s\" is not like 3, 1..4 or 1..4,9", text);
}
