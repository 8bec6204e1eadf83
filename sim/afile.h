/*
 * sim/afile.h - outputs written atomically.
 *
 * A report or trace is written to "<path>.tmp.<pid>" in the same directory
 * and renamed over <path> only when complete, so a crash, a full disk or
 * Ctrl-C never leaves a half-written file where a finished one is expected
 * (sweeps rely on this to resume).
 */
#ifndef SIM_AFILE_H
#define SIM_AFILE_H

#include <stdio.h>

struct afile {
	FILE *fp;
	char *path;      /* final name */
	char *tmp;       /* temporary name */
};

/* Open a temporary file next to `path`.  @return 0 or -SIM_EIO (message in err). */
int afile_open(struct afile *af, const char *path, char *err, size_t errlen);

/* Flush, fsync and rename into place.  On error the temporary is removed. */
int afile_commit(struct afile *af, char *err, size_t errlen);

/* Discard the temporary file (on any error path). */
void afile_abort(struct afile *af);

/* Write a whole buffer atomically. */
int afile_write_all(const char *path, const void *buf, size_t len, char *err, size_t errlen);

#endif
