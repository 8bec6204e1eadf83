/*
 * traces/tspill.h - a FIFO of trace records kept on disk.
 *
 * The replay demultiplexes one trace file into per-thread queues.  When
 * the file holds one thread's records far ahead of another's, the records
 * read ahead for a lagging thread would pile up in RAM, as many as the
 * file's skew.  A thread's queue therefore keeps a bounded number of
 * records in memory and spills the rest here: records and their control
 * arguments go to two unlinked temporary files (in $TMPDIR, else /tmp, so
 * nothing is left behind even after SIGKILL) through fixed write and read
 * buffers.  Memory per FIFO is constant; disk use is what is queued, and
 * is given back whenever the FIFO drains.  Records come out exactly as
 * they went in, so replay results do not depend on whether a queue spilled.
 */
#ifndef TRACES_TSPILL_H
#define TRACES_TSPILL_H

#include "traces/trace.h"

typedef struct tspill tspill_t;

/* @return 0 or -SIM_EIO / -SIM_ENOMEM with the reason in err. */
int tspill_create(tspill_t **out, char *err, size_t errlen);
void tspill_destroy(tspill_t *s);       /* NULL is fine */

/* Append a record; `c` is its control arguments when r->op == TOP_CTRL. */
int tspill_push(tspill_t *s, const struct trace_rec *r, const struct trace_ctrl *c, char *err, size_t errlen);

/* Records queued. */
uint64_t tspill_count(const tspill_t *s);

/*
 * Take the oldest record (count > 0); *c gets its control arguments when
 * it is a TOP_CTRL record.  @return 0 or -SIM_EIO.
 */
int tspill_pop(tspill_t *s, struct trace_rec *r, struct trace_ctrl *c, char *err, size_t errlen);

#endif
