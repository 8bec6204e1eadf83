/*
 * traces/trace_internal.h - what the format readers and writers share.
 *
 * trace.c owns opening, format detection, batching and the block buffer; each
 * format file (trace_native.c, trace_text.c, trace_lackey.c,
 * trace_champsim.c) supplies a `next` routine that decodes one batch from that
 * buffer.  The format is chosen once per batch through an ops pointer, never
 * once per record.
 *
 * Not a public header: only the traces/ sources include it.
 */
#ifndef TRACES_TRACE_INTERNAL_H
#define TRACES_TRACE_INTERNAL_H

#include "traces/trace.h"
#include "traces/tsource.h"

#define TRACE_BATCH_RECS  4096        /* records per batch */
#define TRACE_BATCH_CTRLS 256         /* control records per batch (they are rare) */
#define TRACE_BLOCK       (1u << 20)  /* bytes read from the source at a time */
#define TRACE_BLOCK_MIN   (1u << 16)  /* block of a small plain file */
#define TRACE_ERR_MAX     512

struct trace_reader_ops {
	/*
	 * Decode into r->rec/r->n and r->ctrl/r->nctrl (both start at 0).
	 * Leave r->n == 0 only at the end of the trace.
	 * @return 0 or a negative code with a message in err.
	 */
	int (*next)(trace_reader_t *r, char *err, size_t errlen);
	void (*destroy)(trace_reader_t *r);       /* free r->priv; may be NULL */
};

struct trace_reader {
	const struct trace_reader_ops *ops;
	struct tsrc *src;
	const char *path;                  /* tsrc_path(src) */
	enum trace_format fmt;
	unsigned nr_threads;               /* from the header, 0 = unknown */

	struct trace_rec *rec;             /* TRACE_BATCH_RECS */
	size_t n;
	size_t batch;                      /* records per batch: TRACE_BATCH_RECS (trace_open) */
	struct trace_ctrl *ctrl;           /* TRACE_BATCH_CTRLS */
	size_t nctrl;

	/* block buffer: buf[pos..len) is read but not yet decoded */
	uint8_t *buf;
	size_t cap;                        /* TRACE_BLOCK, less for a small plain file */
	size_t pos, len;
	uint64_t base;                     /* stream offset of buf[0] */
	bool src_eof;                      /* the source has nothing more */
	uint64_t lineno;                   /* text formats: number of the last line returned */

	int failed;                        /* sticky error code, 0 if none */
	bool ended;                        /* trace_next returned 0 */
	void *priv;                        /* format state */
	/*
	 * Readahead (readahead.c), NULL if none.  While it runs, the producer
	 * thread owns everything above but path, fmt, nr_threads (fixed at
	 * open), failed and ended (the caller's side of trace_next).
	 */
	struct trace_ra *ra;
};

/* readahead.c: trace_next, trace_progress and trace_close while r->ra is set. */
int trace_ra_next(trace_reader_t *r, struct trace_batch *b, char *err, size_t errlen);
bool trace_ra_progress(const trace_reader_t *r, uint64_t *done, uint64_t *total);
void trace_ra_stop(trace_reader_t *r);

/*
 * Keep buf[pos..len) and read more after it (the kept bytes move to the front).
 * Sets src_eof when the source is exhausted.  @return 0 or negative.
 */
int trace_refill(trace_reader_t *r, char *err, size_t errlen);

/*
 * Next line for the text formats, without its "\n" (and "\r\n").  The line
 * stays valid until the next call.  Increments r->lineno.
 * @return 1, 0 at the end, or -SIM_ETRACE for a line longer than the block.
 */
int trace_getline(trace_reader_t *r, const char **line, size_t *len, char *err, size_t errlen);

/* Format openers: set r->ops (and r->priv, r->nr_threads); may read the header. */
int trace_native_open(trace_reader_t *r, char *err, size_t errlen);
int trace_text_open(trace_reader_t *r, char *err, size_t errlen);
int trace_lackey_open(trace_reader_t *r, char *err, size_t errlen);
int trace_champsim_open(trace_reader_t *r, char *err, size_t errlen);

/* Does this start of a stream look like lackey output?  (used by detection) */
bool trace_lackey_sniff(const uint8_t *buf, size_t len);

/* ---- writers ---- */

struct trace_writer_ops {
	/* Encode one record into w (staging buffer). @return 0 or negative, message in w->err. */
	int (*put)(trace_writer_t *w, const struct trace_rec *r, const struct trace_ctrl *c);
	/* Emit what must close the stream (native END), before compression ends. */
	int (*finish)(trace_writer_t *w);
};

struct trace_writer {
	const struct trace_writer_ops *ops;
	struct tsink *sink;
	enum trace_format fmt;
	enum trace_compress comp;
	char *path;
	void *af;                          /* struct afile */

	uint8_t *buf;                      /* staging buffer, TRACE_BLOCK + slack */
	size_t len;
	uint64_t nr_records;
	unsigned nr_threads;               /* declared, 0 = not declared */
	unsigned max_tid_seen;             /* highest tid written + 1 */
	bool started;                      /* a record has been written */
	int failed;
	char err[TRACE_ERR_MAX];
	void *priv;
};

#define TRACE_WRITER_SLACK 1024           /* room for one encoded record of any format */

/* Hand the staging buffer to the sink. @return 0 or negative (message in w->err). */
int trace_writer_flush(trace_writer_t *w);

int trace_native_writer_init(trace_writer_t *w);
int trace_text_writer_init(trace_writer_t *w);
void trace_native_writer_free(trace_writer_t *w);
/* Uncompressed native output without a declared thread count: write max tid + 1 into the header. */
int trace_native_patch_header(trace_writer_t *w, FILE *fp);

/* Control kinds: argument names parsed from the TRACE_CTRLS table. */
#define TRACE_ARG_NAME_MAX 24
unsigned trace_ctrl_nr_args(uint32_t kind);
const char *trace_ctrl_arg_name(uint32_t kind, unsigned i, char *buf, size_t len);
/* @return the kind for a name, or NR_TRACE_CTRLS. */
uint32_t trace_ctrl_lookup(const char *name, size_t len);
/*
 * Limits every reader applies to a decoded control record (the file-size
 * model of trace.h).  @return 0, or -1 with what is wrong in msg (no file
 * or position: the caller adds them).
 */
int trace_ctrl_check(const struct trace_ctrl *c, char *msg, size_t len);

#endif
