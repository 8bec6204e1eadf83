/*
 * traces/tspill.c - trace records queued on disk (see tspill.h).
 *
 * Each of the two streams (records, control arguments) is a lane: items
 * [roff, woff) in its file, preceded by the read buffer's unread items and
 * followed by the write buffer's.  The read buffer is refilled only when
 * empty - from the file, else by taking the write buffer whole - so items
 * leave in the order they came.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "sim/err.h"
#include "traces/tspill.h"

#define SPILL_RECS  4096      /* records per disk transfer */
#define SPILL_CTRLS 256       /* control records per disk transfer (they are rare) */

struct lane {
	int fd;
	size_t isz, chunk;        /* item size, items per buffer */
	uint8_t *wb, *rb;
	size_t wn, rn, rpos;
	uint64_t roff, woff;      /* items in the file */
};

struct tspill {
	struct lane rec, ctrl;
	uint64_t count;
};

static int lane_init(struct lane *l, size_t isz, size_t chunk, char *err, size_t errlen)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];

	l->fd = -1;
	l->isz = isz;
	l->chunk = chunk;
	l->wb = malloc(isz * chunk);
	l->rb = malloc(isz * chunk);
	if (!l->wb || !l->rb)
		return sim_errf(err, errlen, SIM_ENOMEM, "spilling trace records: out of memory");
	snprintf(path, sizeof(path), "%s/numasim-spill-XXXXXX", dir && dir[0] ? dir : "/tmp");
	l->fd = mkstemp(path);
	if (l->fd < 0)
		return sim_errf(err, errlen, SIM_EIO, "spilling trace records: cannot create %s: %s", path,
				strerror(errno));
	unlink(path);             /* nameless: gone with the process, however it ends */
	return 0;
}

static void lane_free(struct lane *l)
{
	if (l->fd >= 0)
		close(l->fd);
	free(l->wb);
	free(l->rb);
}

static int io_err(const char *what, char *err, size_t errlen)
{
	return sim_errf(err, errlen, SIM_EIO, "spilling trace records to ${TMPDIR:-/tmp}: %s: %s", what,
			errno ? strerror(errno) : "short transfer");
}

static int lane_put(struct lane *l, const void *item, char *err, size_t errlen)
{
	if (l->wn == l->chunk) {
		size_t len = l->wn * l->isz;

		errno = 0;
		if (pwrite(l->fd, l->wb, len, (off_t)(l->woff * l->isz)) != (ssize_t)len)
			return io_err("write", err, errlen);
		l->woff += l->wn;
		l->wn = 0;
	}
	memcpy(l->wb + l->wn * l->isz, item, l->isz);
	l->wn++;
	return 0;
}

static int lane_get(struct lane *l, void *item, char *err, size_t errlen)
{
	if (l->rpos == l->rn) {
		l->rpos = l->rn = 0;
		if (l->roff < l->woff) {
			size_t n = (size_t)SIM_MIN((uint64_t)l->chunk, l->woff - l->roff), len = n * l->isz;

			errno = 0;
			if (pread(l->fd, l->rb, len, (off_t)(l->roff * l->isz)) != (ssize_t)len)
				return io_err("read", err, errlen);
			l->roff += n;
			l->rn = n;
		} else {
			uint8_t *t = l->rb;   /* the file is empty: the write buffer is next */

			l->rb = l->wb;
			l->wb = t;
			l->rn = l->wn;
			l->wn = 0;
		}
		if (l->roff == l->woff && l->woff) {
			/* the file is drained: give the disk space back */
			l->roff = l->woff = 0;
			if (ftruncate(l->fd, 0))
				return io_err("truncate", err, errlen);
		}
	}
	SIM_BUG_ON(l->rpos == l->rn);
	memcpy(item, l->rb + l->rpos * l->isz, l->isz);
	l->rpos++;
	return 0;
}

int tspill_create(tspill_t **out, char *err, size_t errlen)
{
	tspill_t *s = calloc(1, sizeof(*s));
	int rc;

	*out = NULL;
	if (!s)
		return sim_errf(err, errlen, SIM_ENOMEM, "spilling trace records: out of memory");
	s->rec.fd = s->ctrl.fd = -1;
	if ((rc = lane_init(&s->rec, sizeof(struct trace_rec), SPILL_RECS, err, errlen)) ||
	    (rc = lane_init(&s->ctrl, sizeof(struct trace_ctrl), SPILL_CTRLS, err, errlen))) {
		tspill_destroy(s);
		return rc;
	}
	*out = s;
	return 0;
}

void tspill_destroy(tspill_t *s)
{
	if (!s)
		return;
	lane_free(&s->rec);
	lane_free(&s->ctrl);
	free(s);
}

int tspill_push(tspill_t *s, const struct trace_rec *r, const struct trace_ctrl *c, char *err, size_t errlen)
{
	int rc = lane_put(&s->rec, r, err, errlen);

	if (!rc && r->op == TOP_CTRL)
		rc = lane_put(&s->ctrl, c, err, errlen);
	if (!rc)
		s->count++;
	return rc;
}

uint64_t tspill_count(const tspill_t *s)
{
	return s ? s->count : 0;
}

int tspill_pop(tspill_t *s, struct trace_rec *r, struct trace_ctrl *c, char *err, size_t errlen)
{
	int rc;

	SIM_BUG_ON(!s->count);
	rc = lane_get(&s->rec, r, err, errlen);
	if (!rc && r->op == TOP_CTRL)
		rc = lane_get(&s->ctrl, c, err, errlen);
	if (!rc)
		s->count--;
	return rc;
}
