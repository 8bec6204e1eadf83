/*
 * sim/config.c - the table-driven JSON parser behind every config struct.
 *
 * Parsing is strict by design: unknown keys, wrong types, out-of-range
 * numbers and over-long arrays are errors naming the JSON path.  A silently
 * ignored typo ("tRDC") would produce a plausible but wrong simulation.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "sim/config.h"
#include "sim/err.h"
#include "sim/words.h"

struct cfg_doc {
	json_t *root;
};

#define PATH_MAX_LEN 256

static void path_join(char *dst, size_t n, const char *base, const char *key)
{
	if (base[0])
		snprintf(dst, n, "%s.%s", base, key);
	else
		snprintf(dst, n, "%s", key);
}

int cfg_doc_load_file(cfg_doc_t **out, const char *path, char *err, size_t errlen)
{
	json_error_t je;
	cfg_doc_t *doc;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);

	if (!root) {
		if (je.line < 0)
			return sim_errf(err, errlen, SIM_EIO, "%s: %s", path, je.text);
		return sim_errf(err, errlen, SIM_ECONFIG, "%s:%d:%d: %s", path, je.line, je.column, je.text);
	}
	if (!json_is_object(root)) {
		json_decref(root);
		return sim_errf(err, errlen, SIM_ECONFIG, "%s: top level must be a JSON object", path);
	}
	doc = malloc(sizeof(*doc));
	if (!doc) {
		json_decref(root);
		return -SIM_ENOMEM;
	}
	doc->root = root;
	*out = doc;
	return 0;
}

int cfg_doc_load_string(cfg_doc_t **out, const char *text, const char *origin, char *err, size_t errlen)
{
	json_error_t je;
	cfg_doc_t *doc;
	json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &je);

	if (!root)
		return sim_errf(err, errlen, SIM_ECONFIG, "%s:%d:%d: %s", origin, je.line, je.column, je.text);
	if (!json_is_object(root)) {
		json_decref(root);
		return sim_errf(err, errlen, SIM_ECONFIG, "%s: top level must be a JSON object", origin);
	}
	doc = malloc(sizeof(*doc));
	if (!doc) {
		json_decref(root);
		return -SIM_ENOMEM;
	}
	doc->root = root;
	*out = doc;
	return 0;
}

void cfg_doc_free(cfg_doc_t *doc)
{
	if (!doc)
		return;
	json_decref(doc->root);
	free(doc);
}

struct json_t *cfg_doc_root(const cfg_doc_t *doc)
{
	return doc->root;
}

/* ---- overrides ------------------------------------------------------- */

/* Split "nodes[1].ddr.tRCD" into segments "nodes","1","ddr","tRCD". */
static int split_path(const char *path, char segs[][64], int max)
{
	int n = 0;
	const char *p = path;

	while (*p) {
		size_t len = 0;
		if (n == max)
			return -1;
		if (*p == '[') {
			p++;
			while (p[len] && p[len] != ']')
				len++;
			if (p[len] != ']' || len == 0 || len >= 64)
				return -1;
			memcpy(segs[n], p, len);
			segs[n++][len] = 0;
			p += len + 1;
		} else {
			while (p[len] && p[len] != '.' && p[len] != '[')
				len++;
			if (len == 0 || len >= 64)
				return -1;
			memcpy(segs[n], p, len);
			segs[n++][len] = 0;
			p += len;
		}
		if (*p == '.')
			p++;
	}
	return n;
}

static int set_path(json_t *cur, char segs[][64], int i, int n, json_t *val,
		    const char *full, char *err, size_t errlen)
{
	const char *seg = segs[i];
	bool last = (i == n - 1);

	if (json_is_array(cur)) {
		char *end;
		if (!strcmp(seg, "*")) {
			size_t k;
			json_t *el;
			json_array_foreach(cur, k, el) {
				int rc;
				if (last)
					rc = json_array_set(cur, k, val) ? -SIM_ENOMEM : 0;
				else
					rc = set_path(el, segs, i + 1, n, val, full, err, errlen);
				if (rc)
					return rc;
			}
			return 0;
		}
		unsigned long idx = strtoul(seg, &end, 10);
		if (*end || !isdigit((unsigned char)seg[0]))
			return sim_errf(err, errlen, SIM_ECONFIG, "-p %s: '%s' is not an array index", full, seg);
		if (idx >= json_array_size(cur))
			return sim_errf(err, errlen, SIM_ECONFIG, "-p %s: index %lu out of range (array has %zu elements)",
					full, idx, json_array_size(cur));
		if (last)
			return json_array_set(cur, idx, val) ? -SIM_ENOMEM : 0;
		return set_path(json_array_get(cur, idx), segs, i + 1, n, val, full, err, errlen);
	}
	if (!json_is_object(cur))
		return sim_errf(err, errlen, SIM_ECONFIG, "-p %s: '%s' is inside a value that is not an object", full, seg);
	if (last)
		return json_object_set(cur, seg, val) ? -SIM_ENOMEM : 0;
	json_t *next = json_object_get(cur, seg);
	if (!next) {
		next = json_object();
		if (!next || json_object_set_new(cur, seg, next))
			return -SIM_ENOMEM;
	}
	return set_path(next, segs, i + 1, n, val, full, err, errlen);
}

int cfg_doc_override(cfg_doc_t *doc, const char *assignment, char *err, size_t errlen)
{
	char path[PATH_MAX_LEN], segs[16][64];
	const char *eq = strchr(assignment, '=');
	json_t *val;
	int n, rc;

	if (!eq || eq == assignment || (size_t)(eq - assignment) >= sizeof(path))
		return sim_errf(err, errlen, SIM_EUSAGE, "-p %s: expected key=value", assignment);
	memcpy(path, assignment, (size_t)(eq - assignment));
	path[eq - assignment] = 0;
	n = split_path(path, segs, 16);
	if (n <= 0)
		return sim_errf(err, errlen, SIM_EUSAGE, "-p %s: malformed key path", assignment);
	val = json_string(path);          /* NULL: not UTF-8, which no JSON key can be */
	if (!val)
		return sim_errf(err, errlen, SIM_EUSAGE, "-p %s: the key is not valid UTF-8 text", assignment);
	json_decref(val);
	val = json_loads(eq + 1, JSON_DECODE_ANY, NULL);
	if (!val)
		val = json_string(eq + 1);
	if (!val)   /* json_string refuses bytes that are not UTF-8 */
		return sim_errf(err, errlen, SIM_EUSAGE, "-p %s: the value is not valid UTF-8 text", assignment);
	rc = set_path(doc->root, segs, 0, n, val, assignment, err, errlen);
	json_decref(val);
	if (rc == -SIM_ENOMEM)
		return sim_errf(err, errlen, rc, "-p %s: out of memory", assignment);
	return rc;
}

/* ---- sizes ------------------------------------------------------------ */

int cfg_parse_size(const char *s, uint64_t *out)
{
	char *end;
	double v;
	uint64_t mult = 1;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || v < 0)
		return -SIM_ERANGE;
	while (*end == ' ')
		end++;
	switch (toupper((unsigned char)*end)) {
	case 0: break;
	case 'K': mult = 1ULL << 10; end++; break;
	case 'M': mult = 1ULL << 20; end++; break;
	case 'G': mult = 1ULL << 30; end++; break;
	case 'T': mult = 1ULL << 40; end++; break;
	default: return -SIM_ERANGE;
	}
	if (*end == 'i' || *end == 'I')
		end++;
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end)
		return -SIM_ERANGE;
	v *= (double)mult;
	if (v >= 18446744073709551615.0 || v != floor(v))
		return -SIM_ERANGE;
	*out = (uint64_t)v;
	return 0;
}

/* ---- parsing ------------------------------------------------------------ */

static int parse_obj(const struct cfg_table *t, json_t *j, void *out, const char *path, char *err, size_t errlen);

static int check_bounds(const struct cfg_field *f, uint64_t v, const char *path, char *err, size_t errlen)
{
	if (v < f->min || v > f->max)
		return sim_errf(err, errlen, SIM_ECONFIG, "%s: must be %llu..%llu, got %llu", path,
				(unsigned long long)f->min, (unsigned long long)f->max, (unsigned long long)v);
	return 0;
}

static int json_to_u64(json_t *v, const char *path, uint64_t *out, char *err, size_t errlen)
{
	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);
		if (i < 0)
			return sim_errf(err, errlen, SIM_ECONFIG, "%s: must not be negative, got %lld", path, (long long)i);
		*out = (uint64_t)i;
		return 0;
	}
	if (json_is_real(v)) {
		double d = json_real_value(v);
		if (d < 0 || d != floor(d) || d >= 18446744073709551615.0)
			return sim_errf(err, errlen, SIM_ECONFIG, "%s: must be a non-negative integer, got %g", path, d);
		*out = (uint64_t)d;
		return 0;
	}
	/* "3M", "10K": a count with a decimal suffix, as every command line takes (sim/words.h) */
	if (json_is_string(v) && !sim_parse_count(path, json_string_value(v), out, NULL, 0))
		return 0;
	return sim_errf(err, errlen, SIM_ECONFIG, "%s: expected a number (or a count such as \"10K\", \"3M\")", path);
}

static int parse_scalar(const struct cfg_field *f, json_t *v, void *dst, const char *path, char *err, size_t errlen)
{
	uint64_t u = 0;
	int rc;

	switch (f->type) {
	case CFG_BOOL:
		if (!json_is_boolean(v))
			return sim_errf(err, errlen, SIM_ECONFIG, "%s: expected true or false", path);
		*(bool *)dst = json_is_true(v);
		return 0;
	case CFG_U32:
	case CFG_U64:
		if ((rc = json_to_u64(v, path, &u, err, errlen)))
			return rc;
		if ((rc = check_bounds(f, u, path, err, errlen)))
			return rc;
		if (f->type == CFG_U32)
			*(uint32_t *)dst = (uint32_t)u;
		else
			*(uint64_t *)dst = u;
		return 0;
	case CFG_SIZE:
		if (json_is_string(v)) {
			if (cfg_parse_size(json_string_value(v), &u))
				return sim_errf(err, errlen, SIM_ECONFIG, "%s: '%s' is not a size (e.g. 4096, \"32K\", \"2G\")",
						path, json_string_value(v));
		} else if ((rc = json_to_u64(v, path, &u, err, errlen))) {
			return rc;
		}
		if ((rc = check_bounds(f, u, path, err, errlen)))
			return rc;
		*(uint64_t *)dst = u;
		return 0;
	case CFG_NS: {
		double ns;
		if (!json_is_number(v))
			return sim_errf(err, errlen, SIM_ECONFIG, "%s: expected a number of nanoseconds", path);
		ns = json_number_value(v);
		if (ns < 0 || ns > 1e12)
			return sim_errf(err, errlen, SIM_ECONFIG, "%s: %g ns is out of range", path, ns);
		u = (uint64_t)llround(ns * 1000.0);
		if (u < f->min || u > f->max)
			return sim_errf(err, errlen, SIM_ECONFIG, "%s: must be %g..%g ns, got %g", path,
					(double)f->min / 1000.0, (double)f->max / 1000.0, ns);
		*(uint64_t *)dst = u;
		return 0;
	}
	case CFG_ENUM: {
		const char *s;
		if (!json_is_string(v))
			return sim_errf(err, errlen, SIM_ECONFIG, "%s: expected a string", path);
		s = json_string_value(v);
		for (uint32_t i = 0; f->names[i]; i++) {
			if (!strcmp(f->names[i], s)) {
				*(uint32_t *)dst = i;
				return 0;
			}
		}
		char opts[256] = "";
		for (uint32_t i = 0; f->names[i]; i++) {
			strncat(opts, i ? ", " : "", sizeof(opts) - strlen(opts) - 1);
			strncat(opts, f->names[i], sizeof(opts) - strlen(opts) - 1);
		}
		return sim_errf(err, errlen, SIM_ECONFIG, "%s: '%s' is not one of: %s", path, s, opts);
	}
	case CFG_STR: {
		const char *s;
		if (!json_is_string(v))
			return sim_errf(err, errlen, SIM_ECONFIG, "%s: expected a string", path);
		s = json_string_value(v);
		if (strlen(s) >= f->str_len)
			return sim_errf(err, errlen, SIM_ECONFIG, "%s: longer than %zu characters", path, f->str_len - 1);
		memcpy(dst, s, strlen(s) + 1);
		return 0;
	}
	default:
		return sim_errf(err, errlen, SIM_ECONFIG, "%s: internal: not a scalar", path);
	}
}

static void set_default(const struct cfg_field *f, void *dst)
{
	switch (f->type) {
	case CFG_BOOL: *(bool *)dst = f->def != 0; break;
	case CFG_U32:
	case CFG_ENUM: *(uint32_t *)dst = (uint32_t)f->def; break;
	case CFG_U64:
	case CFG_SIZE:
	case CFG_NS: *(uint64_t *)dst = f->def; break;
	case CFG_STR: snprintf(dst, f->str_len, "%s", f->def_str ? f->def_str : ""); break;
	default: break;
	}
}

static int parse_field(const struct cfg_field *f, json_t *v, void *obj, const char *path, char *err, size_t errlen)
{
	char *base = (char *)obj;
	void *dst = base + f->off;
	int rc;

	switch (f->type) {
	case CFG_ANY:
		return 0;
	case CFG_OBJ:
		if (!v)
			return parse_obj(f->sub, NULL, dst, path, err, errlen);
		if (!json_is_object(v))
			return sim_errf(err, errlen, SIM_ECONFIG, "%s: expected an object", path);
		return parse_obj(f->sub, v, dst, path, err, errlen);
	case CFG_ARR: {
		uint32_t *count = (uint32_t *)(base + f->count_off);
		*count = 0;
		if (!v)
			return 0;
		if (!json_is_array(v))
			return sim_errf(err, errlen, SIM_ECONFIG, "%s: expected an array", path);
		if (json_array_size(v) > f->max_elems)
			return sim_errf(err, errlen, SIM_ECONFIG, "%s: at most %u elements, got %zu", path,
					f->max_elems, json_array_size(v));
		for (size_t i = 0; i < json_array_size(v); i++) {
			char p[PATH_MAX_LEN + 32];
			json_t *el = json_array_get(v, i);
			snprintf(p, sizeof(p), "%s[%zu]", path, i);
			if (!json_is_object(el))
				return sim_errf(err, errlen, SIM_ECONFIG, "%s: expected an object", p);
			rc = parse_obj(f->sub, el, (char *)dst + i * f->sub->size, p, err, errlen);
			if (rc)
				return rc;
		}
		*count = (uint32_t)json_array_size(v);
		return 0;
	}
	case CFG_U32_LIST: {
		uint32_t *count = (uint32_t *)(base + f->count_off);
		uint32_t *arr = dst;
		*count = 0;
		if (!v)
			return 0;
		if (!json_is_array(v))
			return sim_errf(err, errlen, SIM_ECONFIG, "%s: expected an array of numbers", path);
		if (json_array_size(v) > f->max_elems)
			return sim_errf(err, errlen, SIM_ECONFIG, "%s: at most %u elements, got %zu", path,
					f->max_elems, json_array_size(v));
		for (size_t i = 0; i < json_array_size(v); i++) {
			char p[PATH_MAX_LEN + 32];
			uint64_t u;
			snprintf(p, sizeof(p), "%s[%zu]", path, i);
			if ((rc = json_to_u64(json_array_get(v, i), p, &u, err, errlen)))
				return rc;
			if ((rc = check_bounds(f, u, p, err, errlen)))
				return rc;
			arr[i] = (uint32_t)u;
		}
		*count = (uint32_t)json_array_size(v);
		return 0;
	}
	default:
		if (!v) {
			set_default(f, dst);
			return 0;
		}
		return parse_scalar(f, v, dst, path, err, errlen);
	}
}

static int parse_obj(const struct cfg_table *t, json_t *j, void *out, const char *path, char *err, size_t errlen)
{
	const char *key;
	json_t *v;
	int rc;

	memset(out, 0, t->size);
	if (j) {
		/* Reject unknown keys first: a typo is the likeliest config mistake. */
		json_object_foreach(j, key, v) {
			size_t i;
			for (i = 0; i < t->nfields; i++)
				if (!strcmp(t->fields[i].key, key))
					break;
			if (i == t->nfields) {
				char p[PATH_MAX_LEN + 32];
				const char *keys[256], *near;
				size_t n = t->nfields < 256 ? t->nfields : 256;

				for (size_t k = 0; k < n; k++)
					keys[k] = t->fields[k].key;
				near = sim_nearest(key, keys, n);
				path_join(p, sizeof(p), path, key);
				return sim_errf(err, errlen, SIM_ECONFIG, "%s: unknown key%s%s%s", p,
						near ? " (did you mean " : "", near ? near : "", near ? "?)" : "");
			}
		}
	}
	for (size_t i = 0; i < t->nfields; i++) {
		const struct cfg_field *f = &t->fields[i];
		char p[PATH_MAX_LEN + 32];
		json_t *fv = j ? json_object_get(j, f->key) : NULL;
		path_join(p, sizeof(p), path, f->key);
		if (!fv && (f->flags & CFG_REQUIRED))
			return sim_errf(err, errlen, SIM_ECONFIG, "%s: required key is missing", p);
		if ((rc = parse_field(f, fv, out, p, err, errlen)))
			return rc;
	}
	if (t->validate)
		return t->validate(out, path, err, errlen);
	return 0;
}

int cfg_parse(const struct cfg_table *t, const cfg_doc_t *doc, void *out, char *err, size_t errlen)
{
	return parse_obj(t, doc ? doc->root : NULL, out, "", err, errlen);
}

int cfg_defaults(const struct cfg_table *t, void *out, char *err, size_t errlen)
{
	return parse_obj(t, NULL, out, "", err, errlen);
}

/* ---- dumping ------------------------------------------------------------- */

static json_t *dump_obj(const struct cfg_table *t, const void *obj);

static json_t *dump_ns(uint64_t ps)
{
	if (ps % 1000 == 0)
		return json_integer((json_int_t)(ps / 1000));
	return json_real((double)ps / 1000.0);
}

static json_t *dump_field(const struct cfg_field *f, const void *obj)
{
	const char *base = obj;
	const void *src = base + f->off;

	switch (f->type) {
	case CFG_BOOL: return json_boolean(*(const bool *)src);
	case CFG_U32: return json_integer(*(const uint32_t *)src);
	case CFG_U64:
	case CFG_SIZE: return json_integer((json_int_t)*(const uint64_t *)src);
	case CFG_NS: return dump_ns(*(const uint64_t *)src);
	case CFG_ENUM: return json_string(f->names[*(const uint32_t *)src]);
	case CFG_STR: return json_string(src);
	case CFG_OBJ: return dump_obj(f->sub, src);
	case CFG_ARR: {
		uint32_t n = *(const uint32_t *)(base + f->count_off);
		json_t *a = json_array();
		for (uint32_t i = 0; i < n; i++)
			json_array_append_new(a, dump_obj(f->sub, (const char *)src + i * f->sub->size));
		return a;
	}
	case CFG_U32_LIST: {
		uint32_t n = *(const uint32_t *)(base + f->count_off);
		json_t *a = json_array();
		for (uint32_t i = 0; i < n; i++)
			json_array_append_new(a, json_integer(((const uint32_t *)src)[i]));
		return a;
	}
	case CFG_ANY:
		return NULL;
	}
	return NULL;
}

static json_t *dump_obj(const struct cfg_table *t, const void *obj)
{
	json_t *o = json_object();

	for (size_t i = 0; i < t->nfields; i++) {
		json_t *v = dump_field(&t->fields[i], obj);
		if (v)
			json_object_set_new(o, t->fields[i].key, v);
	}
	return o;
}

struct json_t *cfg_dump_json(const struct cfg_table *t, const void *obj)
{
	return dump_obj(t, obj);
}

char *cfg_dump_string(const struct cfg_table *t, const void *obj)
{
	json_t *j = dump_obj(t, obj);
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	return s;
}

static const char *type_name(enum cfg_type t)
{
	static const char *const names[] = {
		"bool", "u32", "u64", "size", "ns", "enum", "string", "object", "array", "list", "any",
	};
	return names[t];
}

void cfg_print_doc(const struct cfg_table *t, const char *prefix, void *fpv)
{
	FILE *fp = fpv;

	for (size_t i = 0; i < t->nfields; i++) {
		const struct cfg_field *f = &t->fields[i];
		char p[PATH_MAX_LEN + 32];
		path_join(p, sizeof(p), prefix, f->key);
		if (f->type == CFG_OBJ) {
			cfg_print_doc(f->sub, p, fp);
			continue;
		}
		if (f->type == CFG_ARR) {
			char q[PATH_MAX_LEN + 4];
			snprintf(q, sizeof(q), "%s[]", p);
			fprintf(fp, "%-40s array (max %u) %s\n", q, f->max_elems, f->doc ? f->doc : "");
			cfg_print_doc(f->sub, q, fp);
			continue;
		}
		fprintf(fp, "%-40s %-6s ", p, type_name(f->type));
		switch (f->type) {
		case CFG_U32: case CFG_U64: case CFG_SIZE:
			fprintf(fp, "default %llu, %llu..%llu  ", (unsigned long long)f->def,
				(unsigned long long)f->min, (unsigned long long)f->max);
			break;
		case CFG_NS:
			fprintf(fp, "default %g ns  ", (double)f->def / 1000.0);
			break;
		case CFG_BOOL:
			fprintf(fp, "default %s  ", f->def ? "true" : "false");
			break;
		case CFG_ENUM:
			fprintf(fp, "default %s (", f->names[f->def]);
			for (int k = 0; f->names[k]; k++)
				fprintf(fp, "%s%s", k ? "|" : "", f->names[k]);
			fprintf(fp, ")  ");
			break;
		case CFG_STR:
			fprintf(fp, "default \"%s\"  ", f->def_str ? f->def_str : "");
			break;
		default:
			break;
		}
		fprintf(fp, "%s\n", f->doc ? f->doc : "");
	}
}
