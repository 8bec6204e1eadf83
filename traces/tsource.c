/*
 * traces/tsource.c - plain, gzip, xz and zstd byte streams for the trace
 * readers and writers.
 *
 * Reading: the file is read with read(2) in 1 MiB blocks.  Plain files are
 * copied straight into the caller's buffer; compressed ones go through the
 * library's streaming decoder, whose input buffer is refilled as it drains.
 * The first TSRC_PEEK_MAX decompressed bytes are decoded at open into a small
 * head buffer so the format can be detected from content; reads drain that
 * head first, so callers see the stream from byte 0.
 *
 * A compressed stream that ends before its decoder says "end of stream" is a
 * truncated file and an error, not a short trace: a silently short trace would
 * give plausible but wrong simulation results.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <lzma.h>
#include <zstd.h>
#include "sim/err.h"
#include "traces/tsource.h"

#define TSRC_IN_CAP (1u << 20)
#define TSRC_IN_MIN (1u << 16)
#define TSINK_OUT_CAP (1u << 18)

struct tsrc {
	char *path;
	int fd;
	bool close_fd;
	uint64_t size_hint;        /* file size of a regular file, else UINT64_MAX */
	enum trace_compress comp;

	/* raw (compressed) input: in[in_pos..in_len) not yet consumed */
	uint8_t *in;
	size_t in_cap;             /* TSRC_IN_CAP, less for a small regular file */
	size_t in_pos, in_len;
	bool in_eof;
	uint64_t in_base;          /* file offset of in[0] */
	uint64_t fd_bytes;         /* bytes read from the file so far (progress display) */

	z_stream z;
	lzma_stream x;
	ZSTD_DStream *zd;
	bool dec_init;
	bool frame_done;           /* the decoder ended a member/frame and wants no more input */
	bool done;                 /* the decompressed stream is exhausted */

	uint8_t head[TSRC_PEEK_MAX];
	size_t head_len, head_pos;
	bool head_valid;           /* no read has happened yet */
};

static const uint8_t gz_magic[] = { 0x1f, 0x8b };
static const uint8_t xz_magic[] = { 0xfd, '7', 'z', 'X', 'Z', 0x00 };
static const uint8_t zst_magic[] = { 0x28, 0xb5, 0x2f, 0xfd };

/* read(2) until cap bytes or end of file. */
static int read_full(struct tsrc *s, void *buf, size_t cap, size_t *got, char *err, size_t errlen)
{
	size_t n = 0;

	while (n < cap) {
		ssize_t r = read(s->fd, (uint8_t *)buf + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return sim_errf(err, errlen, SIM_EIO, "%s: read error: %s", s->path, strerror(errno));
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	s->fd_bytes += n;
	*got = n;
	return 0;
}

/* Make sure some raw input is buffered unless the file is exhausted. */
static int fill_in(struct tsrc *s, char *err, size_t errlen)
{
	size_t got;
	int rc;

	if (s->in_pos < s->in_len || s->in_eof)
		return 0;
	s->in_base += s->in_len;
	s->in_pos = s->in_len = 0;
	rc = read_full(s, s->in, s->in_cap, &got, err, errlen);
	if (rc)
		return rc;
	s->in_len = got;
	if (got < s->in_cap)
		s->in_eof = true;
	return 0;
}

static int corrupt(struct tsrc *s, const char *what, const char *detail, char *err, size_t errlen)
{
	return sim_errf(err, errlen, SIM_ETRACE, "%s: corrupt %s data at compressed byte %llu: %s",
			s->path, what, (unsigned long long)(s->in_base + s->in_pos), detail);
}

static int truncated(struct tsrc *s, const char *what, char *err, size_t errlen)
{
	return sim_errf(err, errlen, SIM_ETRACE, "%s: truncated %s stream (ends at compressed byte %llu)",
			s->path, what, (unsigned long long)(s->in_base + s->in_len));
}

static int read_plain(struct tsrc *s, uint8_t *buf, size_t cap, size_t *got, char *err, size_t errlen)
{
	size_t n = 0, more = 0;
	int rc;

	/* bytes read for magic detection come first */
	if (s->in_pos < s->in_len) {
		n = SIM_MIN(cap, s->in_len - s->in_pos);
		memcpy(buf, s->in + s->in_pos, n);
		s->in_pos += n;
	}
	if (n < cap && !s->in_eof) {
		rc = read_full(s, buf + n, cap - n, &more, err, errlen);
		if (rc)
			return rc;
		if (more < cap - n)
			s->in_eof = true;
	}
	*got = n + more;
	return 0;
}

static int read_gz(struct tsrc *s, uint8_t *buf, size_t cap, size_t *got, char *err, size_t errlen)
{
	z_stream *z = &s->z;
	int rc;

	z->next_out = buf;
	z->avail_out = (uInt)cap;
	while (z->avail_out) {
		if ((rc = fill_in(s, err, errlen)))
			return rc;
		if (s->frame_done) {
			/* another gzip member follows, or the stream is over */
			if (s->in_pos == s->in_len) {
				s->done = true;
				break;
			}
			inflateReset(z);
			s->frame_done = false;
		}
		if (s->in_pos == s->in_len && s->in_eof)
			return truncated(s, "gzip", err, errlen);
		z->next_in = s->in + s->in_pos;
		z->avail_in = (uInt)(s->in_len - s->in_pos);
		rc = inflate(z, Z_NO_FLUSH);
		s->in_pos = s->in_len - z->avail_in;
		if (rc == Z_STREAM_END)
			s->frame_done = true;
		else if (rc == Z_BUF_ERROR)
			continue;        /* needs more input; fill_in handles it */
		else if (rc != Z_OK)
			return corrupt(s, "gzip", z->msg ? z->msg : "inflate failed", err, errlen);
	}
	*got = cap - z->avail_out;
	return 0;
}

static int read_xz(struct tsrc *s, uint8_t *buf, size_t cap, size_t *got, char *err, size_t errlen)
{
	lzma_stream *x = &s->x;
	int rc;

	x->next_out = buf;
	x->avail_out = cap;
	while (x->avail_out && !s->frame_done) {
		lzma_ret lr;

		if ((rc = fill_in(s, err, errlen)))
			return rc;
		x->next_in = s->in + s->in_pos;
		x->avail_in = s->in_len - s->in_pos;
		lr = lzma_code(x, s->in_eof ? LZMA_FINISH : LZMA_RUN);
		s->in_pos = s->in_len - x->avail_in;
		if (lr == LZMA_STREAM_END) {
			s->frame_done = true;
		} else if (lr == LZMA_BUF_ERROR) {
			return truncated(s, "xz", err, errlen);
		} else if (lr != LZMA_OK) {
			const char *what = lr == LZMA_FORMAT_ERROR ? "not an xz stream"
				: lr == LZMA_DATA_ERROR ? "data error"
				: lr == LZMA_MEM_ERROR ? "out of memory"
				: lr == LZMA_MEMLIMIT_ERROR ? "memory limit" : "decoder error";
			return corrupt(s, "xz", what, err, errlen);
		}
	}
	if (s->frame_done)
		s->done = true;
	*got = cap - x->avail_out;
	return 0;
}

static int read_zst(struct tsrc *s, uint8_t *buf, size_t cap, size_t *got, char *err, size_t errlen)
{
	ZSTD_outBuffer out = { buf, cap, 0 };
	int rc;

	while (out.pos < out.size) {
		ZSTD_inBuffer in;
		size_t before = out.pos, in_before, zr;

		if ((rc = fill_in(s, err, errlen)))
			return rc;
		in.src = s->in;
		in.size = s->in_len;
		in.pos = in_before = s->in_pos;
		zr = ZSTD_decompressStream(s->zd, &out, &in);
		s->in_pos = in.pos;
		if (ZSTD_isError(zr))
			return corrupt(s, "zstd", ZSTD_getErrorName(zr), err, errlen);
		/*
		 * zr == 0: a frame is complete and fully flushed.  Only a call
		 * that did something tells: an idle call between frames
		 * returns the size of the next frame header instead.
		 */
		if (out.pos != before || in.pos != in_before)
			s->frame_done = zr == 0;
		else if (s->in_pos == s->in_len && s->in_eof) {
			if (!s->frame_done)
				return truncated(s, "zstd", err, errlen);
			s->done = true;
			break;
		}
	}
	*got = out.pos;
	return 0;
}

static int read_decoded(struct tsrc *s, uint8_t *buf, size_t cap, size_t *got, char *err, size_t errlen)
{
	*got = 0;
	if (s->done || !cap)
		return 0;
	switch (s->comp) {
	case TCOMP_GZ:
		return read_gz(s, buf, cap, got, err, errlen);
	case TCOMP_XZ:
		return read_xz(s, buf, cap, got, err, errlen);
	case TCOMP_ZST:
		return read_zst(s, buf, cap, got, err, errlen);
	case TCOMP_NONE:
	default:
		return read_plain(s, buf, cap, got, err, errlen);
	}
}

static int start_decoder(struct tsrc *s, char *err, size_t errlen)
{
	switch (s->comp) {
	case TCOMP_GZ:
		/* 15 + 16: gzip wrapper only */
		if (inflateInit2(&s->z, 15 + 16) != Z_OK)
			return sim_errf(err, errlen, SIM_ENOMEM, "%s: cannot start gzip decoder", s->path);
		break;
	case TCOMP_XZ:
		if (lzma_stream_decoder(&s->x, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK)
			return sim_errf(err, errlen, SIM_ENOMEM, "%s: cannot start xz decoder", s->path);
		break;
	case TCOMP_ZST:
		s->zd = ZSTD_createDStream();
		if (!s->zd || ZSTD_isError(ZSTD_initDStream(s->zd)))
			return sim_errf(err, errlen, SIM_ENOMEM, "%s: cannot start zstd decoder", s->path);
		break;
	case TCOMP_NONE:
	default:
		return 0;
	}
	s->dec_init = true;
	return 0;
}

int tsrc_open(struct tsrc **out, const char *path, char *err, size_t errlen)
{
	struct tsrc *s = calloc(1, sizeof(*s));
	const lzma_stream xinit = LZMA_STREAM_INIT;
	struct stat st;
	int rc;

	*out = NULL;
	if (!s)
		return sim_errf(err, errlen, SIM_ENOMEM, "%s: out of memory", path);
	s->x = xinit;
	s->path = strdup(path);
	s->size_hint = UINT64_MAX;
	if (!s->path) {
		tsrc_close(s);
		return sim_errf(err, errlen, SIM_ENOMEM, "%s: out of memory", path);
	}
	if (!strcmp(path, "-")) {
		s->fd = STDIN_FILENO;
	} else {
		s->fd = open(path, O_RDONLY);
		if (s->fd < 0) {
			rc = sim_errf(err, errlen, SIM_EIO, "%s: cannot open: %s", path, strerror(errno));
			tsrc_close(s);
			return rc;
		}
		s->close_fd = true;
		if (!fstat(s->fd, &st) && S_ISREG(st.st_mode))
			s->size_hint = (uint64_t)st.st_size;
	}
	/* small files get small buffers: many small traces stay cheap */
	s->in_cap = TSRC_IN_CAP;
	if (s->size_hint < TSRC_IN_CAP)
		s->in_cap = (size_t)SIM_MAX(TSRC_IN_MIN, s->size_hint + 1);
	s->in = malloc(s->in_cap);
	if (!s->in) {
		tsrc_close(s);
		return sim_errf(err, errlen, SIM_ENOMEM, "%s: out of memory", path);
	}
	if ((rc = fill_in(s, err, errlen)))
		goto fail;
	if (s->in_len >= sizeof(gz_magic) && !memcmp(s->in, gz_magic, sizeof(gz_magic)))
		s->comp = TCOMP_GZ;
	else if (s->in_len >= sizeof(xz_magic) && !memcmp(s->in, xz_magic, sizeof(xz_magic)))
		s->comp = TCOMP_XZ;
	else if (s->in_len >= sizeof(zst_magic) && !memcmp(s->in, zst_magic, sizeof(zst_magic)))
		s->comp = TCOMP_ZST;
	if ((rc = start_decoder(s, err, errlen)))
		goto fail;

	/* decode the head now so detection sees decompressed content */
	if ((rc = read_decoded(s, s->head, sizeof(s->head), &s->head_len, err, errlen)))
		goto fail;
	s->head_valid = true;
	*out = s;
	return 0;
fail:
	tsrc_close(s);
	return rc;
}

int tsrc_read(struct tsrc *s, void *buf, size_t cap, size_t *got, char *err, size_t errlen)
{
	size_t n = 0, more = 0;
	int rc;

	s->head_valid = false;
	if (s->head_pos < s->head_len) {
		n = SIM_MIN(cap, s->head_len - s->head_pos);
		memcpy(buf, s->head + s->head_pos, n);
		s->head_pos += n;
	}
	if (n < cap) {
		rc = read_decoded(s, (uint8_t *)buf + n, cap - n, &more, err, errlen);
		if (rc)
			return rc;
	}
	*got = n + more;
	return 0;
}

const uint8_t *tsrc_peek(const struct tsrc *s, size_t *len)
{
	*len = s->head_valid ? s->head_len : 0;
	return s->head;
}

enum trace_compress tsrc_compression(const struct tsrc *s)
{
	return s->comp;
}

uint64_t tsrc_size_hint(const struct tsrc *s)
{
	return s->comp == TCOMP_NONE ? s->size_hint : UINT64_MAX;
}

bool tsrc_progress(const struct tsrc *s, uint64_t *done, uint64_t *total)
{
	if (s->size_hint == UINT64_MAX)
		return false;
	*done = s->fd_bytes;
	*total = s->size_hint;
	return true;
}

const char *tsrc_path(const struct tsrc *s)
{
	return s->path;
}

void tsrc_close(struct tsrc *s)
{
	if (!s)
		return;
	if (s->dec_init) {
		if (s->comp == TCOMP_GZ)
			inflateEnd(&s->z);
		else if (s->comp == TCOMP_XZ)
			lzma_end(&s->x);
	}
	ZSTD_freeDStream(s->zd);
	if (s->close_fd)
		close(s->fd);
	free(s->in);
	free(s->path);
	free(s);
}

/* ---- writing ---- */

struct tsink {
	FILE *fp;
	char *path;
	enum trace_compress comp;
	z_stream z;
	lzma_stream x;
	ZSTD_CStream *zc;
	bool enc_init;
	bool finished;
	uint8_t *out;
};

enum trace_compress tsink_comp_from_name(const char *path)
{
	size_t n = strlen(path);

	if (n >= 3 && !strcmp(path + n - 3, ".gz"))
		return TCOMP_GZ;
	if (n >= 3 && !strcmp(path + n - 3, ".xz"))
		return TCOMP_XZ;
	if (n >= 4 && !strcmp(path + n - 4, ".zst"))
		return TCOMP_ZST;
	return TCOMP_NONE;
}

int tsink_open(struct tsink **out, FILE *fp, enum trace_compress comp, const char *path,
	       char *err, size_t errlen)
{
	struct tsink *k = calloc(1, sizeof(*k));
	const lzma_stream xinit = LZMA_STREAM_INIT;

	*out = NULL;
	if (!k)
		return sim_errf(err, errlen, SIM_ENOMEM, "%s: out of memory", path);
	k->x = xinit;
	k->fp = fp;
	k->comp = comp;
	k->path = strdup(path);
	k->out = comp == TCOMP_NONE ? NULL : malloc(TSINK_OUT_CAP);
	if (!k->path || (comp != TCOMP_NONE && !k->out))
		goto nomem;
	switch (comp) {
	case TCOMP_GZ:
		if (deflateInit2(&k->z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
			goto nomem;
		k->enc_init = true;
		break;
	case TCOMP_XZ:
		if (lzma_easy_encoder(&k->x, 3, LZMA_CHECK_CRC64) != LZMA_OK)
			goto nomem;
		k->enc_init = true;
		break;
	case TCOMP_ZST:
		k->zc = ZSTD_createCStream();
		if (!k->zc || ZSTD_isError(ZSTD_initCStream(k->zc, 3)))
			goto nomem;
		break;
	case TCOMP_NONE:
	default:
		break;
	}
	*out = k;
	return 0;
nomem:
	tsink_destroy(k);
	return sim_errf(err, errlen, SIM_ENOMEM, "%s: cannot start the compressor", path);
}

static int put(struct tsink *k, const void *buf, size_t len, char *err, size_t errlen)
{
	if (len && fwrite(buf, 1, len, k->fp) != len)
		return sim_errf(err, errlen, SIM_EIO, "%s: write failed: %s", k->path, strerror(errno));
	return 0;
}

/* Run the compressor over buf with `flush`, writing every full output buffer. */
static int sink_compress(struct tsink *k, const void *buf, size_t len, bool finish, char *err, size_t errlen)
{
	int rc;

	switch (k->comp) {
	case TCOMP_GZ: {
		int zr;
		k->z.next_in = (Bytef *)(uintptr_t)buf;
		k->z.avail_in = (uInt)len;
		do {
			k->z.next_out = k->out;
			k->z.avail_out = TSINK_OUT_CAP;
			zr = deflate(&k->z, finish ? Z_FINISH : Z_NO_FLUSH);
			if (zr == Z_STREAM_ERROR)
				return sim_errf(err, errlen, SIM_EIO, "%s: gzip compressor failed", k->path);
			if ((rc = put(k, k->out, TSINK_OUT_CAP - k->z.avail_out, err, errlen)))
				return rc;
		} while (finish ? zr != Z_STREAM_END : k->z.avail_in > 0 || k->z.avail_out == 0);
		return 0;
	}
	case TCOMP_XZ: {
		lzma_ret lr;
		k->x.next_in = buf;
		k->x.avail_in = len;
		do {
			k->x.next_out = k->out;
			k->x.avail_out = TSINK_OUT_CAP;
			lr = lzma_code(&k->x, finish ? LZMA_FINISH : LZMA_RUN);
			if (lr != LZMA_OK && lr != LZMA_STREAM_END)
				return sim_errf(err, errlen, SIM_EIO, "%s: xz compressor failed (%d)", k->path, (int)lr);
			if ((rc = put(k, k->out, TSINK_OUT_CAP - k->x.avail_out, err, errlen)))
				return rc;
		} while (finish ? lr != LZMA_STREAM_END : k->x.avail_in > 0 || k->x.avail_out == 0);
		return 0;
	}
	case TCOMP_ZST: {
		ZSTD_inBuffer in = { buf, len, 0 };
		size_t zr;
		do {
			ZSTD_outBuffer out = { k->out, TSINK_OUT_CAP, 0 };
			zr = ZSTD_compressStream2(k->zc, &out, &in, finish ? ZSTD_e_end : ZSTD_e_continue);
			if (ZSTD_isError(zr))
				return sim_errf(err, errlen, SIM_EIO, "%s: zstd compressor failed: %s", k->path,
						ZSTD_getErrorName(zr));
			if ((rc = put(k, k->out, out.pos, err, errlen)))
				return rc;
		} while (finish ? zr != 0 : in.pos < in.size);
		return 0;
	}
	case TCOMP_NONE:
	default:
		return put(k, buf, len, err, errlen);
	}
}

int tsink_write(struct tsink *k, const void *buf, size_t len, char *err, size_t errlen)
{
	SIM_BUG_ON(k->finished);
	return sink_compress(k, buf, len, false, err, errlen);
}

int tsink_finish(struct tsink *k, char *err, size_t errlen)
{
	SIM_BUG_ON(k->finished);
	k->finished = true;
	if (k->comp == TCOMP_NONE)
		return 0;
	return sink_compress(k, NULL, 0, true, err, errlen);
}

void tsink_destroy(struct tsink *k)
{
	if (!k)
		return;
	if (k->enc_init) {
		if (k->comp == TCOMP_GZ)
			deflateEnd(&k->z);
		else if (k->comp == TCOMP_XZ)
			lzma_end(&k->x);
	}
	ZSTD_freeCStream(k->zc);
	free(k->out);
	free(k->path);
	free(k);
}
