/*
 * traces/tsource.h - byte streams under every trace format.
 *
 * A trace reader sees one flat stream of bytes whatever the file holds:
 * plain bytes, or a gzip, xz or zstd stream (several concatenated members or
 * frames are read back to back, as the command-line tools do).  The
 * compression is detected from the first bytes of the file, never from its
 * name, so a renamed or misnamed file still opens.  "-" reads standard input.
 *
 * The writing side (struct tsink) is the mirror image: it compresses what it
 * is given into an already open FILE, so the trace writers can sit on top of
 * sim/afile.h and stay atomic.
 *
 * Both sides work in caller-sized blocks (the readers ask for about 1 MiB at a
 * time), so the cost per byte is a memcpy or the decompressor's own work.
 */
#ifndef TRACES_TSOURCE_H
#define TRACES_TSOURCE_H

#include <stdio.h>
#include "sim/types.h"
#include "traces/trace.h"

/* How many decompressed bytes tsrc_peek() can show before the first read. */
#define TSRC_PEEK_MAX 4096

struct tsrc;

/*
 * Open `path` ("-" = standard input) and detect its compression from the
 * magic bytes: 1f 8b (gzip), fd 37 7a 58 5a 00 (xz), 28 b5 2f fd (zstd),
 * anything else is plain.
 * @return 0, -SIM_ENOMEM, -SIM_EIO ("path: cannot open: ...") or
 * -SIM_ETRACE (the first compressed bytes are already corrupt).
 */
int tsrc_open(struct tsrc **out, const char *path, char *err, size_t errlen);

/*
 * Read up to `cap` decompressed bytes into buf.  Short reads happen only at
 * the end of the stream: *got < cap means the stream is exhausted (and a
 * later call returns *got == 0).
 * @return 0, or -SIM_EIO / -SIM_ETRACE ("path: corrupt gzip data at
 * compressed byte N: ...", "path: truncated xz stream") with a message.
 */
int tsrc_read(struct tsrc *s, void *buf, size_t cap, size_t *got, char *err, size_t errlen);

/*
 * The first decompressed bytes of the stream (up to TSRC_PEEK_MAX; fewer only
 * if the stream is shorter), for format detection.  Valid until the first
 * tsrc_read(); reading still starts at byte 0.
 */
const uint8_t *tsrc_peek(const struct tsrc *s, size_t *len);

/* The compression detected at open. */
enum trace_compress tsrc_compression(const struct tsrc *s);

/* Decompressed size if known in advance (a plain regular file), else UINT64_MAX. */
uint64_t tsrc_size_hint(const struct tsrc *s);

/* The path given at open, for messages. */
const char *tsrc_path(const struct tsrc *s);

/*
 * Input bytes consumed so far and the file's size (compressed bytes for a
 * compressed file).  @return false when the size is unknown (a pipe).
 * Used for progress display only.
 */
bool tsrc_progress(const struct tsrc *s, uint64_t *done, uint64_t *total);

/* Close the file (standard input is left open).  Accepts NULL. */
void tsrc_close(struct tsrc *s);

/* ---- writing ---- */

struct tsink;

/*
 * Compress into fp (which the caller keeps owning) with `comp`; `path` only
 * names the file in messages.  Levels favour speed: gzip 6, xz 3, zstd 3.
 * @return 0, -SIM_ENOMEM or -SIM_EIO.
 */
int tsink_open(struct tsink **out, FILE *fp, enum trace_compress comp, const char *path,
	       char *err, size_t errlen);

/* Append len bytes.  @return 0 or -SIM_EIO with a message. */
int tsink_write(struct tsink *k, const void *buf, size_t len, char *err, size_t errlen);

/* Flush the compressor and end the stream (no more writes).  @return 0 or -SIM_EIO. */
int tsink_finish(struct tsink *k, char *err, size_t errlen);

/* Free the sink (does not close fp).  Accepts NULL. */
void tsink_destroy(struct tsink *k);

/* Compression implied by a file name's suffix (.gz .xz .zst), else TCOMP_NONE. */
enum trace_compress tsink_comp_from_name(const char *path);

#endif
