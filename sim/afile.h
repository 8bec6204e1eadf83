/*
 * sim/afile.h - outputs written atomically, special files in place.
 *
 * A report or trace bound for a regular file (or a new name) is written to
 * "<path>.tmp.<pid>" in the same directory and renamed over <path> only
 * when complete, so a crash, a full disk or Ctrl-C never leaves a
 * half-written file where a finished one is expected (sweeps rely on this
 * to resume).  A symlink is followed: its target is replaced, the link
 * stays.  A FIFO, a character device (/dev/null, /dev/full) or "-"
 * (standard output) is written in place - renaming over it would replace
 * the FIFO or the device node with a regular file; anything else (a block
 * device, a socket, a directory, a dangling symlink) is refused.
 *
 * While a temporary exists, SIGINT, SIGTERM, SIGHUP and SIGQUIT remove it
 * before the process dies of the signal.  SIGKILL cannot be caught, so
 * opening <path> also removes "<path>.tmp.<pid>" files whose process is
 * gone; afile_remove_stale() does it for a whole directory.
 */
#ifndef SIM_AFILE_H
#define SIM_AFILE_H

#include <stdbool.h>
#include <stdio.h>

struct afile {
	FILE *fp;
	char *path;      /* final name (a symlink's target, resolved) */
	char *tmp;       /* temporary name, NULL when written in place */
	bool in_place;   /* FIFO, character device or stdout: not seekable, not renamed */
	int slot;        /* signal-cleanup slot + 1, 0 if none */
};

/* Open a temporary file next to `path`, or `path` itself (see above).  @return 0 or -SIM_EIO (message in err). */
int afile_open(struct afile *af, const char *path, char *err, size_t errlen);

/* Flush, fsync and rename into place.  On error the temporary is removed. */
int afile_commit(struct afile *af, char *err, size_t errlen);

/* Discard the temporary file (on any error path). */
void afile_abort(struct afile *af);

/* Write a whole buffer atomically. */
int afile_write_all(const char *path, const void *buf, size_t len, char *err, size_t errlen);

/*
 * Remove "*.tmp.<pid>" files of dead processes in `dir` (not recursive).
 * @return how many were removed, or -SIM_EIO when dir cannot be read.
 */
int afile_remove_stale(const char *dir, char *err, size_t errlen);

#endif
