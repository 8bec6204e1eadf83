/*
 * sim/report.c - report cursor over a jansson tree.
 *
 * A stack of open containers; each rep_* call appends to the top one.  The
 * tree is serialised once at the end with JSON_PRESERVE_ORDER so keys keep
 * the order the components added them in.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "sim/afile.h"
#include "sim/err.h"
#include "sim/report.h"

#define REP_DEPTH 32

struct rep {
	json_t *root;
	json_t *stack[REP_DEPTH];
	int top;
};

int rep_create(rep_t **out)
{
	rep_t *r = calloc(1, sizeof(*r));

	if (!r)
		return -SIM_ENOMEM;
	r->root = json_object();
	r->stack[0] = r->root;
	r->top = 0;
	*out = r;
	return 0;
}

void rep_destroy(rep_t *r)
{
	if (!r)
		return;
	json_decref(r->root);
	free(r);
}

static void add(rep_t *r, const char *key, json_t *v)
{
	json_t *cur = r->stack[r->top];

	if (json_is_array(cur))
		json_array_append_new(cur, v);
	else
		json_object_set_new(cur, key ? key : "?", v);
}

static void push(rep_t *r, const char *key, json_t *v)
{
	SIM_BUG_ON(r->top + 1 >= REP_DEPTH);
	add(r, key, v);
	r->stack[++r->top] = v;
}

void rep_obj_begin(rep_t *r, const char *key) { push(r, key, json_object()); }
void rep_arr_begin(rep_t *r, const char *key) { push(r, key, json_array()); }

void rep_obj_end(rep_t *r)
{
	SIM_BUG_ON(r->top == 0 || !json_is_object(r->stack[r->top]));
	r->top--;
}

void rep_arr_end(rep_t *r)
{
	SIM_BUG_ON(r->top == 0 || !json_is_array(r->stack[r->top]));
	r->top--;
}

void rep_u64(rep_t *r, const char *key, uint64_t v) { add(r, key, json_integer((json_int_t)v)); }
void rep_i64(rep_t *r, const char *key, int64_t v) { add(r, key, json_integer(v)); }
void rep_bool(rep_t *r, const char *key, bool v) { add(r, key, json_boolean(v)); }
void rep_str(rep_t *r, const char *key, const char *v) { add(r, key, json_string(v ? v : "")); }

void rep_real(rep_t *r, const char *key, double v)
{
	char buf[64];

	if (!isfinite(v)) {
		add(r, key, json_null());
		return;
	}
	/* Round through text so the stored double prints the same everywhere. */
	snprintf(buf, sizeof(buf), "%.6g", v);
	add(r, key, json_real(strtod(buf, NULL)));
}

void rep_ns(rep_t *r, const char *key, sim_time_t ps)
{
	if (ps % 1000 == 0)
		add(r, key, json_integer((json_int_t)(ps / 1000)));
	else
		add(r, key, json_real((double)ps / 1000.0));
}

void rep_stats(rep_t *r, const char *key, const struct stat_block *sb)
{
	rep_obj_begin(r, key);
	for (size_t i = 0; i < sb->n; i++)
		rep_u64(r, sb->desc[i].name, sb->val[i]);
	rep_obj_end(r);
}

void rep_stat_fields(rep_t *r, const struct stat_block *sb)
{
	for (size_t i = 0; i < sb->n; i++) {
		if (!strcmp(sb->desc[i].unit, "ps"))
			rep_ns(r, sb->desc[i].name, sb->val[i]);
		else
			rep_u64(r, sb->desc[i].name, sb->val[i]);
	}
}

void rep_hist(rep_t *r, const char *key, const struct hist *h)
{
	rep_obj_begin(r, key);
	rep_u64(r, "count", h->count);
	rep_ns(r, "mean_ns", h->count ? (h->sum + h->count / 2) / h->count : 0);
	rep_ns(r, "min_ns", h->count ? h->min : 0);
	rep_ns(r, "p50_ns", hist_quantile(h, 500));
	rep_ns(r, "p90_ns", hist_quantile(h, 900));
	rep_ns(r, "p99_ns", hist_quantile(h, 990));
	rep_ns(r, "max_ns", h->max);
	rep_obj_end(r);
}

void rep_json(rep_t *r, const char *key, struct json_t *v)
{
	add(r, key, v);
}

char *rep_dump(rep_t *r)
{
	return json_dumps(r->root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
}

int rep_write_file(rep_t *r, const char *path, char *err, size_t errlen)
{
	char *s = rep_dump(r);
	int rc;

	if (!s)
		return -SIM_ENOMEM;
	size_t n = strlen(s);
	s[n] = 0;
	/* trailing newline makes the file friendlier to text tools */
	char *t = realloc(s, n + 2);
	if (!t) {
		free(s);
		return -SIM_ENOMEM;
	}
	t[n] = '\n';
	t[n + 1] = 0;
	rc = afile_write_all(path, t, n + 1, err, errlen);
	free(t);
	return rc;
}

struct json_t *rep_root(rep_t *r)
{
	return r->root;
}
