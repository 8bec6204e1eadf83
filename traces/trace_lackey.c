/*
 * traces/trace_lackey.c - Valgrind lackey logs
 * (valgrind --tool=lackey --trace-mem=yes [--trace-sched=yes] [--trace-syscalls=yes]).
 *
 * The reader pulls lines from the block buffer and hands each to the Valgrind
 * log interpreter (traces/vglog.c), which knows every line shape.  A plain
 * lackey log is read exactly as lackey printed it: every I, L, S, M line is
 * one record of thread 0 with gap 0 (the cachegrind validation needs every
 * instruction fetch as an access).  A log that also carries SCHED[...] or
 * SYSCALL[...] lines is read in thread mode: accesses go to the thread that
 * made them, instruction fetches become the gap of that thread's next record,
 * and memory-management calls become control records.  Thread mode starts at
 * the first such line, or at the start when one appears in the first 4 KiB
 * (--trace-sched=yes prints one before the program's first instruction).
 */
#include <string.h>
#include "sim/err.h"
#include "traces/trace_internal.h"
#include "traces/vglog.h"

static int lackey_next(trace_reader_t *r, char *err, size_t errlen)
{
	vglog_t *vg = r->priv;
	struct vglog_sink out = { .rec = r->rec, .ctrl = r->ctrl };
	int rc = 0;

	while (out.n < r->batch && out.n + VGLOG_MAX_OUT <= TRACE_BATCH_RECS && out.nctrl + VGLOG_MAX_OUT <= TRACE_BATCH_CTRLS) {
		const char *line;
		size_t len;
		uint64_t lines;

		/* the access lines of a plain log in one pass; anything else line by line */
		r->pos += vglog_plain_accesses(vg, (const char *)r->buf + r->pos, r->len - r->pos, &out,
					       SIM_MIN(r->batch - out.n, TRACE_BATCH_RECS - VGLOG_MAX_OUT - out.n), &lines);
		r->lineno += lines;
		if (out.n >= r->batch || out.n + VGLOG_MAX_OUT > TRACE_BATCH_RECS)
			break;
		rc = trace_getline(r, &line, &len, err, errlen);
		if (rc <= 0)
			break;
		rc = vglog_line(vg, line, len, r->lineno, &out, err, errlen);
		if (rc)
			break;
	}
	r->n = out.n;
	r->nctrl = out.nctrl;
	return rc < 0 ? rc : 0;
}

static void lackey_destroy(trace_reader_t *r)
{
	vglog_destroy(r->priv);
	r->priv = NULL;
}

static const struct trace_reader_ops lackey_reader_ops = {
	.next = lackey_next,
	.destroy = lackey_destroy,
};

/* Does the start of the log carry scheduler or system-call lines? */
static bool head_threaded(const uint8_t *buf, size_t len)
{
	const char *s = (const char *)buf, *end = s + len;

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
		enum vglog_line k = vglog_classify(s, n);

		if (k == VGL_SCHED || k == VGL_SYSCALL)
			return true;
		if (!nl)
			break;
		s = nl + 1;
	}
	return false;
}

int trace_lackey_open(trace_reader_t *r, char *err, size_t errlen)
{
	struct vglog_opts o = { .name = r->path };
	size_t len;
	const uint8_t *head = tsrc_peek(r->src, &len);
	vglog_t *vg;

	o.threaded = head_threaded(head, len);
	if (vglog_create(&vg, &o))
		return sim_errf(err, errlen, SIM_ENOMEM, "%s: out of memory", r->path);
	r->priv = vg;
	r->ops = &lackey_reader_ops;
	return 0;
}

bool trace_lackey_sniff(const uint8_t *buf, size_t len)
{
	const char *s = (const char *)buf, *end = s + len;
	bool first = true;

	for (unsigned lines = 0; s < end && lines < 64; lines++) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
		enum vglog_line k;

		if (!nl && lines)
			break;                /* a cut-off last line proves nothing */
		if (n && s[n - 1] == '\r')
			n--;
		k = vglog_classify(s, n);
		if (k == VGL_BANNER || k == VGL_DEBUG || k == VGL_SCHED || k == VGL_SYSCALL)
			return true;
		if (first && k == VGL_ACCESS) {
			int op;
			uint64_t a, z;
			const char *what;
			return vglog_access(s, n, &op, &a, &z, &what) == 0;
		}
		if (k != VGL_EMPTY)
			first = false;
		if (!nl)
			break;
		s = nl + 1;
	}
	return false;
}
