/*
 * traces/trace.c - opening traces, detecting their format, batching, and the
 * writer front end.
 *
 * Detection rule (also in docs/trace-format.md), applied to the decompressed
 * content, in order:
 *   1. the stream starts with "NUMASIMT"                       -> native
 *   2. the name ends in .champsim or .champsimtrace, optionally
 *      followed by .gz/.xz/.zst                                 -> champsim
 *   3. the first lines look like lackey output (a "==PID==" banner
 *      or an "I  ADDR,SIZE" / " L ADDR,SIZE" record)            -> lackey
 *   4. anything else                                           -> text
 * ChampSim records are raw binary with no signature, hence the name rule.
 *
 * The reader owns one 1 MiB block buffer and one batch of records; format
 * decoders fill the batch from the buffer and call trace_refill() when a
 * record may straddle the end of the block.  Memory use is therefore fixed,
 * whatever the trace length.
 */
#include <stdlib.h>
#include <string.h>
#include "sim/afile.h"
#include "sim/err.h"
#include "traces/trace_internal.h"

static const char *const format_names[NR_TRACE_FORMATS] = {
	[TFMT_AUTO] = "auto",
	[TFMT_NATIVE] = "native",
	[TFMT_LACKEY] = "lackey",
	[TFMT_CHAMPSIM] = "champsim",
	[TFMT_TEXT] = "text",
};

static const char *const ctrl_names[] = {
#define TRACE_CTRL_NAME(id, name, args) #name,
	TRACE_CTRLS(TRACE_CTRL_NAME)
#undef TRACE_CTRL_NAME
};
_Static_assert(ARRAY_SIZE(ctrl_names) == NR_TRACE_CTRLS, "control name table out of sync");

static const char *const ctrl_args[] = {
#define TRACE_CTRL_ARGS(id, name, args) args,
	TRACE_CTRLS(TRACE_CTRL_ARGS)
#undef TRACE_CTRL_ARGS
};

const char *trace_format_name(enum trace_format f)
{
	return (unsigned)f < NR_TRACE_FORMATS ? format_names[f] : "unknown";
}

enum trace_format trace_format_parse(const char *name)
{
	for (unsigned f = TFMT_NATIVE; f < NR_TRACE_FORMATS; f++)
		if (!strcmp(name, format_names[f]))
			return (enum trace_format)f;
	return TFMT_AUTO;
}

const char *trace_ctrl_name(uint32_t kind)
{
	return kind < NR_TRACE_CTRLS ? ctrl_names[kind] : "unknown";
}

uint32_t trace_ctrl_lookup(const char *name, size_t len)
{
	for (uint32_t k = 0; k < NR_TRACE_CTRLS; k++)
		if (strlen(ctrl_names[k]) == len && !memcmp(ctrl_names[k], name, len))
			return k;
	return NR_TRACE_CTRLS;
}

/*
 * The argument list of a kind is the words of its TRACE_CTRLS description up
 * to the first "(": "addr len prot flags fd offset" has six arguments.
 */
static const char *arg_word(uint32_t kind, unsigned i, size_t *len)
{
	const char *s = ctrl_args[kind];
	unsigned n = 0;

	for (;;) {
		while (*s == ' ')
			s++;
		if (!*s || *s == '(')
			return NULL;
		*len = strcspn(s, " (");
		if (n++ == i)
			return s;
		s += *len;
	}
}

unsigned trace_ctrl_nr_args(uint32_t kind)
{
	unsigned n = 0;
	size_t len;

	if (kind >= NR_TRACE_CTRLS)
		return 0;
	while (arg_word(kind, n, &len))
		n++;
	return n;
}

const char *trace_ctrl_arg_name(uint32_t kind, unsigned i, char *buf, size_t len)
{
	size_t n;
	const char *w = kind < NR_TRACE_CTRLS ? arg_word(kind, i, &n) : NULL;

	if (!w)
		return NULL;
	snprintf(buf, len, "%.*s", (int)n, w);
	return buf;
}

int trace_ctrl_check(const struct trace_ctrl *c, char *msg, size_t len)
{
	if (c->kind == TCTRL_FILE_READ || c->kind == TCTRL_FILE_WRITE) {
		uint64_t off = c->args[1], n = c->args[2];

		if (n > TRACE_MAX_RW_COUNT) {
			snprintf(msg, len, "%s: expected len at most 0x%llx (Linux MAX_RW_COUNT), found 0x%llx",
				 trace_ctrl_name(c->kind), TRACE_MAX_RW_COUNT, (unsigned long long)n);
			return -1;
		}
		if (off > TRACE_MAX_FILE_SIZE - n) {
			snprintf(msg, len, "%s: expected offset + len at most 0x%llx (the largest file), found "
				 "0x%llx + 0x%llx", trace_ctrl_name(c->kind), TRACE_MAX_FILE_SIZE,
				 (unsigned long long)off, (unsigned long long)n);
			return -1;
		}
	}
	return 0;
}

/* ---- reading ---- */

int trace_refill(trace_reader_t *r, char *err, size_t errlen)
{
	size_t keep = r->len - r->pos, got;
	int rc;

	if (r->src_eof)
		return 0;
	if (r->pos) {
		memmove(r->buf, r->buf + r->pos, keep);
		r->base += r->pos;
		r->pos = 0;
		r->len = keep;
	}
	rc = tsrc_read(r->src, r->buf + keep, r->cap - keep, &got, err, errlen);
	if (rc)
		return rc;
	r->len = keep + got;
	if (got < r->cap - keep)
		r->src_eof = true;
	return 0;
}

int trace_getline(trace_reader_t *r, const char **line, size_t *len, char *err, size_t errlen)
{
	for (;;) {
		const uint8_t *s = r->buf + r->pos;
		size_t avail = r->len - r->pos;
		const uint8_t *nl = memchr(s, '\n', avail);
		size_t n;

		if (!nl && !r->src_eof) {
			int rc;
			if (avail == r->cap)
				return sim_errf(err, errlen, SIM_ETRACE, "%s:%llu: line longer than %zu bytes",
						r->path, (unsigned long long)r->lineno + 1, r->cap);
			if ((rc = trace_refill(r, err, errlen)))
				return rc;
			continue;
		}
		if (!nl && !avail)
			return 0;
		n = nl ? (size_t)(nl - s) : avail;     /* the last line may lack "\n" */
		r->pos += nl ? n + 1 : n;
		if (n && s[n - 1] == '\r')
			n--;
		r->lineno++;
		*line = (const char *)s;
		*len = n;
		return 1;
	}
}

static bool has_suffix(const char *s, size_t n, const char *suf)
{
	size_t m = strlen(suf);
	return n >= m && !memcmp(s + n - m, suf, m);
}

static bool champsim_name(const char *path)
{
	size_t n = strlen(path);
	static const char *const comp[] = { ".gz", ".xz", ".zst" };

	for (unsigned i = 0; i < ARRAY_SIZE(comp); i++)
		if (has_suffix(path, n, comp[i])) {
			n -= strlen(comp[i]);
			break;
		}
	return has_suffix(path, n, ".champsim") || has_suffix(path, n, ".champsimtrace");
}

static enum trace_format detect(const trace_reader_t *r)
{
	size_t len;
	const uint8_t *head = tsrc_peek(r->src, &len);

	if (len >= 8 && !memcmp(head, "NUMASIMT", 8))
		return TFMT_NATIVE;
	if (champsim_name(r->path))
		return TFMT_CHAMPSIM;
	if (trace_lackey_sniff(head, len))
		return TFMT_LACKEY;
	return TFMT_TEXT;
}

int trace_open(trace_reader_t **out, const char *path, enum trace_format fmt, char *err, size_t errlen)
{
	trace_reader_t *r;
	int rc;

	*out = NULL;
	if ((unsigned)fmt >= NR_TRACE_FORMATS)
		return sim_errf(err, errlen, SIM_EUSAGE, "%s: unknown trace format %d", path, (int)fmt);
	r = calloc(1, sizeof(*r));
	if (!r)
		return sim_errf(err, errlen, SIM_ENOMEM, "%s: out of memory", path);
	r->rec = malloc(TRACE_BATCH_RECS * sizeof(*r->rec));
	r->ctrl = malloc(TRACE_BATCH_CTRLS * sizeof(*r->ctrl));
	/*
	 * NUMASIM_TRACE_BATCH=N (1..TRACE_BATCH_RECS) makes batches smaller.  It
	 * exists for tests: a batch size is an engine constant, so no result may
	 * change with it (tests/e2e/test_engine.sh).
	 */
	r->batch = TRACE_BATCH_RECS;
	const char *b = getenv("NUMASIM_TRACE_BATCH");
	if (b && atol(b) >= 1 && atol(b) <= TRACE_BATCH_RECS)
		r->batch = (size_t)atol(b);
	if (!r->rec || !r->ctrl) {
		trace_close(r);
		return sim_errf(err, errlen, SIM_ENOMEM, "%s: out of memory", path);
	}
	if ((rc = tsrc_open(&r->src, path, err, errlen))) {
		trace_close(r);
		return rc;
	}
	r->cap = TRACE_BLOCK;
	if (tsrc_size_hint(r->src) < TRACE_BLOCK)
		r->cap = (size_t)SIM_MAX(TRACE_BLOCK_MIN, tsrc_size_hint(r->src) + 1);
	r->buf = malloc(r->cap);
	if (!r->buf) {
		trace_close(r);
		return sim_errf(err, errlen, SIM_ENOMEM, "%s: out of memory", path);
	}
	r->path = tsrc_path(r->src);
	r->fmt = fmt == TFMT_AUTO ? detect(r) : fmt;
	switch (r->fmt) {
	case TFMT_NATIVE:
		rc = trace_native_open(r, err, errlen);
		break;
	case TFMT_LACKEY:
		rc = trace_lackey_open(r, err, errlen);
		break;
	case TFMT_CHAMPSIM:
		rc = trace_champsim_open(r, err, errlen);
		break;
	case TFMT_TEXT:
	default:
		rc = trace_text_open(r, err, errlen);
		break;
	}
	if (rc) {
		trace_close(r);
		return rc;
	}
	*out = r;
	return 0;
}

int trace_next(trace_reader_t *r, struct trace_batch *b, char *err, size_t errlen)
{
	int rc;

	/* r->rec and r->ctrl belong to the producer while readahead runs */
	b->rec = r->ra ? NULL : r->rec;
	b->ctrl = r->ra ? NULL : r->ctrl;
	b->n = b->nctrl = 0;
	if (r->failed)
		return sim_errf(err, errlen, r->failed, "%s: reading after an error", r->path);
	if (r->ended)
		return 0;
	if (r->ra)
		return trace_ra_next(r, b, err, errlen);
	r->n = r->nctrl = 0;
	rc = r->ops->next(r, err, errlen);
	if (rc) {
		r->failed = rc;
		return rc;
	}
	b->n = r->n;
	b->nctrl = r->nctrl;
	if (!r->n) {
		r->ended = true;
		return 0;
	}
	return 1;
}

void trace_close(trace_reader_t *r)
{
	if (!r)
		return;
	trace_ra_stop(r);
	if (r->ops && r->ops->destroy)
		r->ops->destroy(r);
	tsrc_close(r->src);
	free(r->buf);
	free(r->ctrl);
	free(r->rec);
	free(r);
}

bool trace_progress(const trace_reader_t *r, uint64_t *done, uint64_t *total)
{
	if (r->ra)
		return trace_ra_progress(r, done, total);
	return tsrc_progress(r->src, done, total);
}

unsigned trace_nr_threads(const trace_reader_t *r)
{
	return r->nr_threads;
}

enum trace_format trace_reader_format(const trace_reader_t *r)
{
	return r->fmt;
}

/* ---- writing ---- */

int trace_writer_open(trace_writer_t **out, const char *path, enum trace_format fmt,
		      enum trace_compress comp, char *err, size_t errlen)
{
	trace_writer_t *w;
	struct afile *af;
	int rc;

	*out = NULL;
	if (fmt != TFMT_NATIVE && fmt != TFMT_TEXT)
		return sim_errf(err, errlen, SIM_ENOTSUP, "%s: cannot write %s traces (only native and text)",
				path, trace_format_name(fmt));
	if (comp == TCOMP_NONE)
		comp = tsink_comp_from_name(path);
	w = calloc(1, sizeof(*w));
	af = calloc(1, sizeof(*af));
	if (!w || !af) {
		free(w);
		free(af);
		return sim_errf(err, errlen, SIM_ENOMEM, "%s: out of memory", path);
	}
	w->af = af;
	w->fmt = fmt;
	w->comp = comp;
	w->path = strdup(path);
	w->buf = malloc(TRACE_BLOCK + TRACE_WRITER_SLACK);
	if (!w->path || !w->buf) {
		rc = sim_errf(err, errlen, SIM_ENOMEM, "%s: out of memory", path);
		goto fail;
	}
	if ((rc = afile_open(af, path, err, errlen)))
		goto fail_noaf;
	if ((rc = tsink_open(&w->sink, af->fp, comp, path, err, errlen)))
		goto fail;
	rc = fmt == TFMT_NATIVE ? trace_native_writer_init(w) : trace_text_writer_init(w);
	if (rc) {
		snprintf(err, errlen, "%s", w->err);
		goto fail;
	}
	*out = w;
	return 0;
fail:
	afile_abort(af);
fail_noaf:
	tsink_destroy(w->sink);
	trace_native_writer_free(w);
	free(w->buf);
	free(w->path);
	free(w->af);
	free(w);
	return rc;
}

int trace_writer_set_threads(trace_writer_t *w, unsigned nr_threads)
{
	if (w->started || nr_threads > 65536)
		return -SIM_ESTATE;
	w->nr_threads = nr_threads;
	return 0;
}

int trace_writer_flush(trace_writer_t *w)
{
	int rc = tsink_write(w->sink, w->buf, w->len, w->err, sizeof(w->err));

	w->len = 0;
	return rc;
}

int trace_write_rec(trace_writer_t *w, const struct trace_rec *r, const struct trace_ctrl *c)
{
	int rc;

	if (w->failed)
		return w->failed;
	if (r->op >= NR_TRACE_OPS) {
		rc = sim_errf(w->err, sizeof(w->err), SIM_ERANGE, "%s: record %llu: bad op %u", w->path,
			      (unsigned long long)w->nr_records, r->op);
	} else if (r->op == TOP_CTRL && (!c || c->kind >= NR_TRACE_CTRLS || c->nargs > TRACE_CTRL_MAX_ARGS)) {
		rc = sim_errf(w->err, sizeof(w->err), SIM_ERANGE, "%s: record %llu: bad control record",
			      w->path, (unsigned long long)w->nr_records);
	} else if (r->op != TOP_CTRL && !r->size) {
		rc = sim_errf(w->err, sizeof(w->err), SIM_ERANGE, "%s: record %llu: access size 0",
			      w->path, (unsigned long long)w->nr_records);
	} else if (w->nr_threads && r->tid >= w->nr_threads) {
		rc = sim_errf(w->err, sizeof(w->err), SIM_ERANGE, "%s: record %llu: thread %u but %u declared",
			      w->path, (unsigned long long)w->nr_records, r->tid, w->nr_threads);
	} else {
		w->started = true;
		rc = w->ops->put(w, r, c);
		if (!rc && w->len >= TRACE_BLOCK)
			rc = trace_writer_flush(w);
		if (!rc) {
			w->nr_records++;
			if ((unsigned)r->tid + 1 > w->max_tid_seen)
				w->max_tid_seen = (unsigned)r->tid + 1;
		}
	}
	if (rc)
		w->failed = rc;
	return rc;
}

const char *trace_writer_error(const trace_writer_t *w)
{
	return w->err;
}

int trace_writer_close(trace_writer_t *w, bool commit, char *err, size_t errlen)
{
	struct afile *af;
	int rc = 0;

	if (!w)
		return 0;
	af = w->af;
	if (commit && w->failed) {
		rc = w->failed;
		snprintf(err, errlen, "%s", w->err);
		commit = false;
	}
	if (commit) {
		rc = w->ops->finish(w);
		if (!rc)
			rc = trace_writer_flush(w);
		if (!rc)
			rc = tsink_finish(w->sink, w->err, sizeof(w->err));
		if (!rc && w->fmt == TFMT_NATIVE && !af->in_place)   /* a FIFO cannot seek: 0 threads = unknown */
			rc = trace_native_patch_header(w, af->fp);
		if (rc)
			snprintf(err, errlen, "%s", w->err);
		else
			rc = afile_commit(af, err, errlen);
	}
	if (!commit || rc)
		afile_abort(af);
	tsink_destroy(w->sink);
	trace_native_writer_free(w);
	free(w->buf);
	free(w->path);
	free(w->af);
	free(w);
	return rc;
}
