/*
 * traces/readahead.c - decoding (and decompressing) a trace on a second host
 * thread, a few batches ahead of the replay.
 *
 * The replay (sim/cli/run.c) resolves every access in global time order on
 * one host thread, so it cannot itself be split over host cores with
 * deterministic results.  What can run beside it is the reader: reading the
 * file, gzip/xz/zstd decompression and decoding records into batches.  A
 * producer thread does exactly what trace_next() would do, batch after batch,
 * into a ring of `depth` slots (TRACE_RA_DEPTH, 8, from the driver);
 * trace_next() hands the slots out in order.
 *
 * Why the replay cannot tell the difference:
 *  - the producer calls the same format decoder with the same batch size on
 *    the same reader state, one batch at a time, so every batch has the same
 *    records and the same boundaries as without it;
 *  - a decoding error ends the ring with that error's code and message: the
 *    batches before it are handed out first, then the error, at the same
 *    trace_next() call that would have met it;
 *  - the progress display (trace_progress) reads a snapshot taken right after
 *    the batch it is shown with was decoded, which is what the source said at
 *    that point without readahead.
 * Messages are formatted into a slot buffer of TRACE_RA_ERR_MAX bytes and
 * copied with snprintf into the caller's: truncation keeps a prefix, so the
 * caller sees the same bytes as when the decoder wrote to its buffer directly,
 * for any caller buffer up to that size.
 *
 * Memory is fixed: the ring holds `depth` batches whatever the trace length
 * or the skew between its threads (the replay's per-thread queues absorb
 * skew, as they do without readahead).  The producer blocks when the ring is
 * full and the consumer when it is empty; one lock round trip per batch of
 * 4,096 records costs nothing next to decoding them.  A full ring wakes its
 * producer only when half of it is free again: the producer is usually the
 * faster side, and each wake-up is a futex call (in a VM, an interrupt to
 * the other CPU).  Measured on 16-thread text, 8 M accesses, best of 3: a
 * ring of 8 woken at half 0.443 s, a ring of 4 woken per batch 0.473 s, a
 * ring of 2 0.502 s; 0.68-0.70 s without readahead.
 *
 * What it cannot save: the replay then reads each decoded record (24 bytes)
 * from the other core's cache.  For native input, whose decoding costs about
 * 32 host instructions a record, that costs more than it saves (docs/engine.md
 * has the figures), so the driver reads ahead only other formats by default.
 *
 * Stopping: trace_close() sets `stop`, wakes the producer and joins it.  A
 * producer is never blocked anywhere but on the ring or in a read of a
 * regular file, so the join always returns: readahead is refused for pipes
 * and terminals, where a read may wait for ever for a writer.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "sim/err.h"
#include "traces/trace_internal.h"

#define TRACE_RA_ERR_MAX 2048

struct ra_slot {
	struct trace_rec *rec;          /* TRACE_BATCH_RECS */
	struct trace_ctrl *ctrl;        /* TRACE_BATCH_CTRLS */
	size_t n, nctrl;
	int rc;                         /* <0: decoding failed (err); 0 with n == 0: end of trace */
	bool prog_known;                /* trace_progress() right after this batch */
	uint64_t prog_done, prog_total;
	char err[TRACE_RA_ERR_MAX];
};

struct trace_ra {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t filled_cv;       /* the producer filled a slot */
	pthread_cond_t freed_cv;        /* the consumer freed a slot, or stop */
	unsigned depth;
	/* under lock: slots filled and slots released, both counting from 0 */
	uint64_t nr_filled, nr_freed;
	bool stop;
	bool prod_waiting;              /* the producer sleeps on freed_cv (the ring is full) */
	bool cons_waiting;              /* the consumer sleeps on filled_cv (the ring is empty) */
	/* consumer only */
	bool held;                      /* it holds slot nr_freed % depth (the last batch returned) */
	bool prog_known;
	uint64_t prog_done, prog_total;
	/* the reader's own batch arrays, put back when the producer is gone */
	struct trace_rec *own_rec;
	struct trace_ctrl *own_ctrl;
	struct ra_slot slot[TRACE_RA_MAX_DEPTH];
};

/* Producer: decode batches into free slots until the end, an error or stop. */
static void *ra_produce(void *arg)
{
	trace_reader_t *r = arg;
	struct trace_ra *ra = r->ra;

	for (;;) {
		struct ra_slot *s;

		pthread_mutex_lock(&ra->lock);
		while (!ra->stop && ra->nr_filled - ra->nr_freed == ra->depth) {
			ra->prod_waiting = true;
			pthread_cond_wait(&ra->freed_cv, &ra->lock);
		}
		ra->prod_waiting = false;
		if (ra->stop) {
			pthread_mutex_unlock(&ra->lock);
			return NULL;
		}
		s = &ra->slot[ra->nr_filled % ra->depth];
		pthread_mutex_unlock(&ra->lock);

		/* the same call as trace_next() makes, into the slot's arrays */
		r->rec = s->rec;
		r->ctrl = s->ctrl;
		r->n = r->nctrl = 0;
		s->rc = r->ops->next(r, s->err, sizeof(s->err));
		s->n = s->rc ? 0 : r->n;
		s->nctrl = s->rc ? 0 : r->nctrl;
		s->prog_known = tsrc_progress(r->src, &s->prog_done, &s->prog_total);

		pthread_mutex_lock(&ra->lock);
		ra->nr_filled++;
		if (ra->cons_waiting)
			pthread_cond_signal(&ra->filled_cv);
		pthread_mutex_unlock(&ra->lock);
		if (s->rc || !s->n)
			return NULL;    /* the end or an error: nothing more to decode */
	}
}

static void ra_free(struct trace_ra *ra)
{
	for (unsigned i = 0; i < TRACE_RA_MAX_DEPTH; i++) {
		free(ra->slot[i].rec);
		free(ra->slot[i].ctrl);
	}
	free(ra);
}

int trace_readahead(trace_reader_t *r, unsigned depth, char *err, size_t errlen)
{
	struct trace_ra *ra;
	uint64_t d, t;
	int rc;

	if (depth < 2 || depth > TRACE_RA_MAX_DEPTH)
		return sim_errf(err, errlen, SIM_EUSAGE, "%s: readahead depth %u (2..%u)", r->path, depth,
				TRACE_RA_MAX_DEPTH);
	/* not started, already ended or failed, or not a regular file (see the top) */
	if (r->ra || r->ended || r->failed || !tsrc_progress(r->src, &d, &t))
		return 0;
	ra = calloc(1, sizeof(*ra));
	if (!ra)
		return sim_errf(err, errlen, SIM_ENOMEM, "%s: out of memory", r->path);
	ra->depth = depth;
	for (unsigned i = 0; i < depth; i++) {
		ra->slot[i].rec = malloc(TRACE_BATCH_RECS * sizeof(*ra->slot[i].rec));
		ra->slot[i].ctrl = malloc(TRACE_BATCH_CTRLS * sizeof(*ra->slot[i].ctrl));
		if (!ra->slot[i].rec || !ra->slot[i].ctrl) {
			ra_free(ra);
			return sim_errf(err, errlen, SIM_ENOMEM, "%s: out of memory", r->path);
		}
	}
	ra->prog_known = true;
	ra->prog_done = d;
	ra->prog_total = t;
	ra->own_rec = r->rec;
	ra->own_ctrl = r->ctrl;
	if (pthread_mutex_init(&ra->lock, NULL)) {
		ra_free(ra);
		return 0;
	}
	if (pthread_cond_init(&ra->filled_cv, NULL)) {
		pthread_mutex_destroy(&ra->lock);
		ra_free(ra);
		return 0;
	}
	if (pthread_cond_init(&ra->freed_cv, NULL)) {
		pthread_cond_destroy(&ra->filled_cv);
		pthread_mutex_destroy(&ra->lock);
		ra_free(ra);
		return 0;
	}
	r->ra = ra;
	rc = pthread_create(&ra->thread, NULL, ra_produce, r);
	if (rc) {
		/* no thread to be had: decode on the caller's thread, as without readahead */
		r->ra = NULL;
		pthread_cond_destroy(&ra->freed_cv);
		pthread_cond_destroy(&ra->filled_cv);
		pthread_mutex_destroy(&ra->lock);
		ra_free(ra);
		return 0;
	}
	return 1;
}

int trace_ra_next(trace_reader_t *r, struct trace_batch *b, char *err, size_t errlen)
{
	struct trace_ra *ra = r->ra;
	const struct ra_slot *s;

	pthread_mutex_lock(&ra->lock);
	if (ra->held) {
		ra->nr_freed++;        /* the batch returned last is no longer valid (trace.h) */
		ra->held = false;
		/* wake a producer waiting on a full ring only once half of it is free (see the top) */
		if (ra->prod_waiting && ra->nr_filled - ra->nr_freed <= ra->depth / 2)
			pthread_cond_signal(&ra->freed_cv);
	}
	while (ra->nr_filled == ra->nr_freed) {
		ra->cons_waiting = true;
		pthread_cond_wait(&ra->filled_cv, &ra->lock);
	}
	ra->cons_waiting = false;
	s = &ra->slot[ra->nr_freed % ra->depth];
	ra->held = true;
	pthread_mutex_unlock(&ra->lock);

	ra->prog_known = s->prog_known;
	ra->prog_done = s->prog_done;
	ra->prog_total = s->prog_total;
	b->rec = s->rec;
	b->ctrl = s->ctrl;
	b->n = s->n;
	b->nctrl = s->nctrl;
	if (s->rc) {
		snprintf(err, errlen, "%s", s->err);
		r->failed = s->rc;
		return s->rc;
	}
	if (!s->n) {
		r->ended = true;
		return 0;
	}
	return 1;
}

bool trace_ra_progress(const trace_reader_t *r, uint64_t *done, uint64_t *total)
{
	*done = r->ra->prog_done;
	*total = r->ra->prog_total;
	return r->ra->prog_known;
}

void trace_ra_stop(trace_reader_t *r)
{
	struct trace_ra *ra = r->ra;

	if (!ra)
		return;
	pthread_mutex_lock(&ra->lock);
	ra->stop = true;
	pthread_cond_signal(&ra->freed_cv);
	pthread_mutex_unlock(&ra->lock);
	pthread_join(ra->thread, NULL);
	pthread_cond_destroy(&ra->freed_cv);
	pthread_cond_destroy(&ra->filled_cv);
	pthread_mutex_destroy(&ra->lock);
	r->rec = ra->own_rec;
	r->ctrl = ra->own_ctrl;
	r->ra = NULL;
	ra_free(ra);
}
