/*
 * tests/traces/trace_util.h - helpers shared by the trace test suites:
 * writing scratch files, reading a whole trace into a flat array (control
 * arguments copied next to their record so batches can be compared), and
 * checking the exact error a reader reports.
 *
 * Header-only (static functions) because each suite is its own binary.
 */
#ifndef TESTS_TRACES_TRACE_UTIL_H
#define TESTS_TRACES_TRACE_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/support/test.h"
#include "sim/err.h"
#include "traces/trace.h"

struct flat {
	struct trace_rec r;       /* r.ctrl zeroed: batch-relative */
	struct trace_ctrl c;      /* zero unless r.op == TOP_CTRL */
};

struct flats {
	struct flat *v;
	size_t n, cap;
	size_t max_batch, max_ctrl_batch, batches;
};

static inline void flats_push(struct flats *f, const struct trace_rec *r, const struct trace_ctrl *c)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 1024;
		f->v = realloc(f->v, f->cap * sizeof(*f->v));
		assert_non_null(f->v);
	}
	memset(&f->v[f->n], 0, sizeof(f->v[0]));
	f->v[f->n].r = *r;
	f->v[f->n].r.ctrl = 0;
	if (r->op == TOP_CTRL)
		f->v[f->n].c = *c;
	f->n++;
}

static inline char *tpath(const char *name)
{
	static char buf[8][512];  /* test-only rotating buffers */
	static unsigned i;
	char *p = buf[i++ % 8];

	snprintf(p, 512, "%s/%s", test_tmpdir(), name);
	return p;
}

static inline void put_file(const char *path, const void *buf, size_t len)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(buf, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

/* The whole of a file, malloc'd; its size in *len. */
static inline uint8_t *get_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf;
	long size;

	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	size = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	assert_true(size >= 0);
	buf = malloc((size_t)size + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)size, fp), (size_t)size);
	fclose(fp);
	*len = (size_t)size;
	return buf;
}

/* Read everything; @return the final trace_next/trace_open code, message in err. */
static inline int read_all(const char *path, enum trace_format fmt, struct flats *f, char *err, size_t errlen)
{
	trace_reader_t *r;
	struct trace_batch b;
	int rc;

	memset(f, 0, sizeof(*f));
	err[0] = 0;
	rc = trace_open(&r, path, fmt, err, errlen);
	if (rc)
		return rc;
	while ((rc = trace_next(r, &b, err, errlen)) > 0) {
		f->batches++;
		if (b.n > f->max_batch)
			f->max_batch = b.n;
		if (b.nctrl > f->max_ctrl_batch)
			f->max_ctrl_batch = b.nctrl;
		for (size_t i = 0; i < b.n; i++) {
			const struct trace_ctrl *c = NULL;
			if (b.rec[i].op == TOP_CTRL) {
				assert_true(b.rec[i].ctrl < b.nctrl);
				c = &b.ctrl[b.rec[i].ctrl];
			}
			flats_push(f, &b.rec[i], c);
		}
	}
	trace_close(r);
	return rc;
}

static inline void write_all(const char *path, enum trace_format fmt, enum trace_compress comp,
			     const struct flats *f)
{
	trace_writer_t *w;
	char err[512];

	assert_int_equal(trace_writer_open(&w, path, fmt, comp, err, sizeof(err)), 0);
	for (size_t i = 0; i < f->n; i++) {
		int rc = trace_write_rec(w, &f->v[i].r, f->v[i].r.op == TOP_CTRL ? &f->v[i].c : NULL);
		if (rc)
			fail_msg("write %zu: %s", i, trace_writer_error(w));
	}
	if (trace_writer_close(w, true, err, sizeof(err)))
		fail_msg("close: %s", err);
}

static inline void assert_flats_equal(const struct flats *a, const struct flats *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		const struct trace_rec *x = &a->v[i].r, *y = &b->v[i].r;
		const struct trace_ctrl *c = &a->v[i].c, *d = &b->v[i].c;
		bool same = x->addr == y->addr && x->gap == y->gap && x->tid == y->tid && x->size == y->size &&
			    x->op == y->op && x->flags == y->flags && c->kind == d->kind && c->nargs == d->nargs &&
			    c->ret == d->ret && !memcmp(c->args, d->args, sizeof(c->args));
		if (!same)
			fail_msg("record %zu differs: op %u/%u addr %llx/%llx size %u/%u gap %u/%u tid %u/%u", i,
				 a->v[i].r.op, b->v[i].r.op, (unsigned long long)a->v[i].r.addr,
				 (unsigned long long)b->v[i].r.addr, a->v[i].r.size, b->v[i].r.size,
				 a->v[i].r.gap, b->v[i].r.gap, a->v[i].r.tid, b->v[i].r.tid);
	}
}

/* Reading `path` must fail with exactly `msg`. */
static inline void expect_error(const char *path, enum trace_format fmt, const char *msg)
{
	struct flats f;
	char err[512];
	int rc = read_all(path, fmt, &f, err, sizeof(err));

	free(f.v);
	if (rc >= 0)
		fail_msg("%s: expected error \"%s\", got success", path, msg);
	if (strcmp(err, msg))
		fail_msg("expected \"%s\"\n      got \"%s\"", msg, err);
}

static inline void expect_error_buf(const char *name, const void *buf, size_t len, enum trace_format fmt,
				    const char *msg_fmt)
{
	char msg[600];
	const char *path = tpath(name);

	put_file(path, buf, len);
	snprintf(msg, sizeof(msg), msg_fmt, path);
	expect_error(path, fmt, msg);
}

#endif
