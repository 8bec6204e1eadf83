/* sim/afile.c - temp file + fsync + rename. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "sim/afile.h"
#include "sim/err.h"

int afile_open(struct afile *af, const char *path, char *err, size_t errlen)
{
	size_t n = strlen(path) + 32;

	memset(af, 0, sizeof(*af));
	af->path = strdup(path);
	af->tmp = malloc(n);
	if (!af->path || !af->tmp) {
		free(af->path);
		free(af->tmp);
		return -SIM_ENOMEM;
	}
	snprintf(af->tmp, n, "%s.tmp.%ld", path, (long)getpid());
	af->fp = fopen(af->tmp, "wb");
	if (!af->fp) {
		int e = errno;
		free(af->path);
		free(af->tmp);
		af->path = af->tmp = NULL;
		return sim_errf(err, errlen, SIM_EIO, "%s: cannot create: %s", path, strerror(e));
	}
	return 0;
}

void afile_abort(struct afile *af)
{
	if (af->fp)
		fclose(af->fp);
	if (af->tmp)
		unlink(af->tmp);
	free(af->path);
	free(af->tmp);
	memset(af, 0, sizeof(*af));
}

int afile_commit(struct afile *af, char *err, size_t errlen)
{
	int e = 0;

	if (fflush(af->fp) || ferror(af->fp) || fsync(fileno(af->fp)))
		e = errno ? errno : EIO;
	if (fclose(af->fp) && !e)
		e = errno;
	af->fp = NULL;
	if (!e && rename(af->tmp, af->path))
		e = errno;
	if (e) {
		int rc = sim_errf(err, errlen, SIM_EIO, "%s: write failed: %s", af->path, strerror(e));
		afile_abort(af);
		return rc;
	}
	free(af->path);
	free(af->tmp);
	memset(af, 0, sizeof(*af));
	return 0;
}

int afile_write_all(const char *path, const void *buf, size_t len, char *err, size_t errlen)
{
	struct afile af;
	int rc = afile_open(&af, path, err, errlen);

	if (rc)
		return rc;
	if (fwrite(buf, 1, len, af.fp) != len) {
		rc = sim_errf(err, errlen, SIM_EIO, "%s: write failed: %s", path, strerror(errno));
		afile_abort(&af);
		return rc;
	}
	return afile_commit(&af, err, errlen);
}
