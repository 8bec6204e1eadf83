/*
 * tests/traces/test_readahead.c - readahead (traces/readahead.c) must be
 * invisible: every batch (records, control records, boundaries), every
 * trace_progress() value between batches, and every error (code, message,
 * the call that returns it) must be what the same reader gives without it,
 * for plain, gzip, xz and zstd native traces and for text, with the normal
 * batch and with small ones (NUMASIM_TRACE_BATCH).  Closing must stop the
 * producer at any point (before the first batch, with the ring full, after an
 * error), and a pipe is not read ahead.
 */
#include <unistd.h>
#include "tests/traces/trace_util.h"

/* What one trace_next() call returned: enough to tell any two batches apart. */
struct batch_log {
	int rc;
	size_t n, nctrl;
	uint64_t hash;                  /* FNV-1a over every field of every record */
	bool prog_known;
	uint64_t prog_done, prog_total;
	char err[512];
};

struct read_log {
	struct batch_log *v;
	size_t n, cap;
	int open_rc, ra_rc;
};

static uint64_t fnv(uint64_t h, uint64_t v)
{
	for (unsigned i = 0; i < 8; i++) {
		h ^= (v >> (8 * i)) & 0xff;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t batch_hash(const struct trace_batch *b)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < b->n; i++) {
		const struct trace_rec *r = &b->rec[i];
		h = fnv(h, r->addr);
		h = fnv(h, r->gap);
		h = fnv(h, ((uint64_t)r->tid << 32) | ((uint64_t)r->size << 16) | ((uint64_t)r->op << 8) | r->flags);
		if (r->op == TOP_CTRL) {
			const struct trace_ctrl *c = &b->ctrl[r->ctrl];
			assert_true(r->ctrl < b->nctrl);
			h = fnv(h, ((uint64_t)c->kind << 32) | c->nargs);
			for (unsigned k = 0; k < c->nargs; k++)
				h = fnv(h, c->args[k]);
			h = fnv(h, c->ret);
		}
	}
	return h;
}

static void log_push(struct read_log *l, const struct batch_log *e)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		assert_non_null(l->v);
	}
	l->v[l->n++] = *e;
}

/*
 * Read `path` to its end or first error, logging every call; then one more
 * call, which must repeat the end or say "reading after an error".
 */
static void read_logged(const char *path, bool ahead, struct read_log *l)
{
	trace_reader_t *r;
	struct trace_batch b;
	char err[512];
	int rc;

	memset(l, 0, sizeof(*l));
	l->open_rc = trace_open(&r, path, TFMT_AUTO, err, sizeof(err));
	if (l->open_rc)
		fail_msg("%s: %s", path, err);
	if (ahead)
		l->ra_rc = trace_readahead(r, TRACE_RA_DEPTH, err, sizeof(err));
	for (unsigned extra = 0; extra < 2;) {
		struct batch_log e;

		memset(&e, 0, sizeof(e));
		err[0] = 0;
		rc = trace_next(r, &b, err, sizeof(err));
		e.rc = rc;
		e.n = b.n;
		e.nctrl = b.nctrl;
		e.hash = rc > 0 ? batch_hash(&b) : 0;
		e.prog_known = trace_progress(r, &e.prog_done, &e.prog_total);
		snprintf(e.err, sizeof(e.err), "%s", rc < 0 ? err : "");
		log_push(l, &e);
		if (rc <= 0)
			extra++;
	}
	trace_close(r);
}

static void assert_logs_equal(const char *path, const struct read_log *a, const struct read_log *b)
{
	if (a->n != b->n)
		fail_msg("%s: %zu calls without readahead, %zu with", path, a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		const struct batch_log *x = &a->v[i], *y = &b->v[i];
		if (x->rc != y->rc || x->n != y->n || x->nctrl != y->nctrl || x->hash != y->hash ||
		    x->prog_known != y->prog_known || x->prog_done != y->prog_done || x->prog_total != y->prog_total ||
		    strcmp(x->err, y->err))
			fail_msg("%s: call %zu differs: rc %d/%d n %zu/%zu nctrl %zu/%zu progress %llu/%llu err \"%s\"/\"%s\"",
				 path, i, x->rc, y->rc, x->n, y->n, x->nctrl, y->nctrl,
				 (unsigned long long)x->prog_done, (unsigned long long)y->prog_done, x->err, y->err);
	}
}

/* Readahead on `path` must start and change nothing; @return the calls made. */
static size_t same_with_readahead(const char *path)
{
	struct read_log off, on;
	size_t n;

	read_logged(path, false, &off);
	read_logged(path, true, &on);
	assert_int_equal(on.ra_rc, 1);
	assert_logs_equal(path, &off, &on);
	n = off.n;
	free(off.v);
	free(on.v);
	return n;
}

/* Many threads, control records every few hundred accesses, varied gaps, sizes and dependences. */
static void gen_records(struct flats *f, size_t n)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		struct trace_rec r = { .addr = 0x10000000ULL + (x % (64u << 20)), .gap = (uint32_t)(x >> 40) % 9,
				       .tid = (uint16_t)((i / 50) % 16), .size = (uint16_t)(1u << (x >> 60) % 4),
				       .op = (uint8_t)(x >> 33) % 2 ? TOP_STORE : TOP_LOAD };
		if (i % 333 == 7) {
			struct trace_ctrl c = { .kind = TCTRL_MARK, .nargs = 1, .args = { i }, .ret = TRACE_RET_NONE };
			r.op = TOP_CTRL;
			r.size = 0;
			r.addr = 0;
			flats_push(f, &r, &c);
			continue;
		}
		flats_push(f, &r, NULL);
	}
}

static void same_batches(void **state)
{
	static const char *const names[] = { "ra.nst", "ra.nst.gz", "ra.nst.xz", "ra.nst.zst", "ra.txt" };
	struct flats in;

	(void)state;
	gen_records(&in, 300000);
	for (unsigned i = 0; i < ARRAY_SIZE(names); i++) {
		const char *path = tpath(names[i]);
		write_all(path, i == 4 ? TFMT_TEXT : TFMT_NATIVE, TCOMP_NONE, &in);
		/* 300,000 records: 74 batches of 4,096 and the end, twice, so the ring fills and drains */
		assert_true(same_with_readahead(path) > 70);
		/* batch boundaries are the reader's own (an engine constant): small ones too */
		setenv("NUMASIM_TRACE_BATCH", "7", 1);
		assert_true(same_with_readahead(path) > 40000);
		unsetenv("NUMASIM_TRACE_BATCH");
	}
	free(in.v);
}

/* Errors deep in a trace: a zstd stream cut at half, a bad text line after 100,000 good ones. */
static void errors_same(void **state)
{
	struct flats in;
	struct read_log off, on;
	const char *nst = tpath("rae.nst.zst"), *txt = tpath("rae.txt");
	FILE *fp;
	size_t size;
	uint8_t *buf;

	(void)state;
	gen_records(&in, 800000);

	/* a truncated zstd stream: the error comes after dozens of good batches */
	write_all(nst, TFMT_NATIVE, TCOMP_NONE, &in);
	buf = get_file(nst, &size);
	put_file(nst, buf, size / 2);
	free(buf);
	read_logged(nst, false, &off);
	read_logged(nst, true, &on);
	assert_int_equal(on.ra_rc, 1);
	assert_true(off.n > 10);
	assert_true(off.v[off.n - 2].rc < 0);
	assert_non_null(strstr(off.v[off.n - 2].err, "truncated zstd stream"));
	assert_non_null(strstr(off.v[off.n - 1].err, "reading after an error"));
	assert_logs_equal(nst, &off, &on);
	free(off.v);
	free(on.v);

	/* a bad text line after 100,000 good ones: the message names its line */
	write_all(txt, TFMT_TEXT, TCOMP_NONE, &in);
	buf = get_file(txt, &size);
	{
		size_t lines = 0, at = 0;
		while (at < size && lines < 100000)
			if (buf[at++] == '\n')
				lines++;
		fp = fopen(txt, "wb");
		assert_non_null(fp);
		assert_int_equal(fwrite(buf, 1, at, fp), at);
		fputs("R zzz 8\n", fp);
		assert_int_equal(fwrite(buf + at, 1, size - at, fp), size - at);
		fclose(fp);
	}
	free(buf);
	read_logged(txt, false, &off);
	read_logged(txt, true, &on);
	assert_true(off.n > 10);
	assert_true(off.v[off.n - 2].rc < 0);
	assert_non_null(strstr(off.v[off.n - 2].err, ":100001:"));
	assert_logs_equal(txt, &off, &on);
	free(off.v);
	free(on.v);
	free(in.v);
}

/* trace_close() joins the producer wherever it is. */
static void close_anywhere(void **state)
{
	struct flats in;
	const char *path = tpath("rac.nst.zst");
	trace_reader_t *r;
	struct trace_batch b;
	char err[512];

	(void)state;
	gen_records(&in, 100000);
	write_all(path, TFMT_NATIVE, TCOMP_NONE, &in);
	free(in.v);
	for (unsigned taken = 0; taken < 4; taken++) {
		assert_int_equal(trace_open(&r, path, TFMT_AUTO, err, sizeof(err)), 0);
		assert_int_equal(trace_readahead(r, 2, err, sizeof(err)), 1);
		for (unsigned i = 0; i < taken; i++)
			assert_int_equal(trace_next(r, &b, err, sizeof(err)), 1);
		if (taken == 3)
			usleep(20000);     /* let the producer fill the ring and wait on it */
		trace_close(r);
	}
	/* to the end: the producer has returned already; closing joins it */
	assert_int_equal(trace_open(&r, path, TFMT_AUTO, err, sizeof(err)), 0);
	assert_int_equal(trace_readahead(r, TRACE_RA_MAX_DEPTH, err, sizeof(err)), 1);
	while (trace_next(r, &b, err, sizeof(err)) > 0)
		;
	assert_int_equal(trace_next(r, &b, err, sizeof(err)), 0);
	trace_close(r);
}

/* Depth limits, a second start, and a pipe (read in place: see readahead.c). */
static void refusals(void **state)
{
	const char *path = tpath("rar.txt");
	trace_reader_t *r;
	struct trace_batch b;
	char err[512];
	int fds[2], saved;
	static const char text[] = "R 0x1000 8\nT1 W 0x2000 4\n";

	(void)state;
	put_file(path, text, sizeof(text) - 1);
	assert_int_equal(trace_open(&r, path, TFMT_AUTO, err, sizeof(err)), 0);
	assert_int_equal(trace_readahead(r, 1, err, sizeof(err)), -SIM_EUSAGE);
	assert_int_equal(trace_readahead(r, TRACE_RA_MAX_DEPTH + 1, err, sizeof(err)), -SIM_EUSAGE);
	assert_int_equal(trace_readahead(r, 2, err, sizeof(err)), 1);
	assert_int_equal(trace_readahead(r, 2, err, sizeof(err)), 0);
	assert_int_equal(trace_next(r, &b, err, sizeof(err)), 1);
	assert_int_equal(b.n, 2);
	assert_int_equal(b.rec[1].tid, 1);
	assert_int_equal(b.rec[1].addr, 0x2000);
	assert_int_equal(trace_next(r, &b, err, sizeof(err)), 0);
	trace_close(r);

	/* standard input from a pipe: decoded on the caller's thread, same records */
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], text, sizeof(text) - 1), (ssize_t)sizeof(text) - 1);
	close(fds[1]);
	saved = dup(0);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fds[0], 0), 0);
	close(fds[0]);
	assert_int_equal(trace_open(&r, "-", TFMT_AUTO, err, sizeof(err)), 0);
	assert_int_equal(trace_readahead(r, 2, err, sizeof(err)), 0);
	assert_int_equal(trace_next(r, &b, err, sizeof(err)), 1);
	assert_int_equal(b.n, 2);
	assert_int_equal(trace_next(r, &b, err, sizeof(err)), 0);
	trace_close(r);
	assert_int_equal(dup2(saved, 0), 0);
	close(saved);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(same_batches),
		cmocka_unit_test(errors_same),
		cmocka_unit_test(close_anywhere),
		cmocka_unit_test(refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
