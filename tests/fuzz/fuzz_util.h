/*
 * tests/fuzz/fuzz_util.h - shared pieces of the libFuzzer harnesses.
 *
 * Inputs reach the code under test the way users' files do, by path: each
 * harness writes the input into one memfd (no disk traffic) and passes
 * /proc/self/fd/N, which the readers open as a regular file.  Besides
 * "no crash, no leak, no undefined behaviour" (the sanitizers' job) the
 * harnesses check the error contract: a failure returns a negative code
 * and a message that names the file.
 *
 * Header-only: each harness is its own binary (docs/fuzzing.md).
 */
#ifndef TESTS_FUZZ_FUZZ_UTIL_H
#define TESTS_FUZZ_FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "traces/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A path whose contents are exactly data[0..size) (the same memfd each call). */
static inline const char *fuzz_file(const uint8_t *data, size_t size)
{
	static int fd = -1;                 /* one per harness process */
	static char path[64];

	if (fd < 0) {
		fd = memfd_create("numasim-fuzz", 0);
		if (fd < 0) {
			perror("memfd_create");
			abort();
		}
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || (size && pwrite(fd, data, size, 0) != (ssize_t)size)) {
		perror("memfd write");
		abort();
	}
	return path;
}

/* Stop the harness on a broken contract: libFuzzer saves the input as a crash. */
static inline void fuzz_require(int cond, const char *what, const char *detail)
{
	if (!cond) {
		fprintf(stderr, "fuzz contract broken: %s: %s\n", what, detail);
		abort();
	}
}

/* Decode a whole trace, checking each batch and the error contract. */
static inline void fuzz_read_trace(const char *path, enum trace_format fmt)
{
	trace_reader_t *r;
	struct trace_batch b;
	char err[512] = "";
	int rc = trace_open(&r, path, fmt, err, sizeof(err));

	if (rc) {
		fuzz_require(rc < 0 && strstr(err, path) != NULL, "trace_open error names the file", err);
		return;
	}
	while ((rc = trace_next(r, &b, err, sizeof(err))) > 0) {
		fuzz_require(b.n > 0, "a batch is not empty", path);
		for (size_t i = 0; i < b.n; i++) {
			const struct trace_rec *rec = &b.rec[i];

			fuzz_require(rec->op < NR_TRACE_OPS, "record op in range", path);
			if (rec->op == TOP_CTRL) {
				fuzz_require(rec->ctrl < b.nctrl, "control index in the batch", path);
				fuzz_require(b.ctrl[rec->ctrl].kind < NR_TRACE_CTRLS, "control kind in range", path);
				fuzz_require(b.ctrl[rec->ctrl].nargs <= TRACE_CTRL_MAX_ARGS, "control nargs", path);
			} else {
				fuzz_require(rec->size > 0, "access size > 0", path);
			}
		}
	}
	if (rc < 0)
		fuzz_require(strstr(err, path) != NULL, "trace_next error names the file", err);
	/* after the end or an error, the reader stays there */
	if (rc <= 0)
		fuzz_require(trace_next(r, &b, err, sizeof(err)) == rc || rc == 0, "sticky end or error", path);
	trace_close(r);
}

#endif
