/* sim/afile.c - temp file + fsync + rename; special files in place; cleanup on signals. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "sim/afile.h"
#include "sim/err.h"

/*
 * Temporaries a signal must remove.  Process-wide because a signal handler
 * has nowhere else to look; it only reads the fixed slots (unlink is
 * async-signal-safe).  More open temporaries than slots still work, they
 * are only not removed by a signal (the next writer removes them).
 */
#define AFILE_SLOTS 16
static char tmp_slot[AFILE_SLOTS][PATH_MAX];
static volatile sig_atomic_t slot_used[AFILE_SLOTS];
static const int cleanup_sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
static bool handlers_set;

static void on_signal(int sig)
{
	for (int i = 0; i < AFILE_SLOTS; i++)
		if (slot_used[i])
			unlink(tmp_slot[i]);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void set_handlers(void)
{
	if (handlers_set)
		return;
	handlers_set = true;
	for (size_t i = 0; i < ARRAY_SIZE(cleanup_sigs); i++) {
		struct sigaction old, sa;

		/* a signal the process was told to ignore stays ignored */
		if (sigaction(cleanup_sigs[i], NULL, &old) || old.sa_handler != SIG_DFL)
			continue;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigemptyset(&sa.sa_mask);
		for (size_t j = 0; j < ARRAY_SIZE(cleanup_sigs); j++)
			sigaddset(&sa.sa_mask, cleanup_sigs[j]);
		sigaction(cleanup_sigs[i], &sa, NULL);
	}
}

static int slot_take(const char *tmp)
{
	if (strlen(tmp) >= PATH_MAX)
		return 0;
	set_handlers();
	for (int i = 0; i < AFILE_SLOTS; i++)
		if (!slot_used[i]) {
			strcpy(tmp_slot[i], tmp);
			slot_used[i] = 1;
			return i + 1;
		}
	return 0;
}

static void slot_drop(struct afile *af)
{
	if (af->slot)
		slot_used[af->slot - 1] = 0;
	af->slot = 0;
}

/* "NAME.tmp.PID" with PID a process that no longer exists?  (EPERM: it exists.) */
static bool stale_tmp(const char *name, const char *base)
{
	const char *p = strstr(name, ".tmp."), *q;
	char *end;
	long pid;

	if (base) {
		size_t n = strlen(base);

		if (strncmp(name, base, n) || strncmp(name + n, ".tmp.", 5))
			return false;
		p = name + n;
	} else {
		for (q = p; q; q = strstr(q + 1, ".tmp."))
			p = q;               /* the last ".tmp." */
	}
	if (!p || !p[5])
		return false;
	errno = 0;
	pid = strtol(p + 5, &end, 10);
	if (*end || errno || pid <= 0 || pid == (long)getpid())
		return false;
	return kill((pid_t)pid, 0) && errno == ESRCH;
}

/* Remove stale temporaries in dir (of `base` only, if given).  @return count or -1. */
static int remove_stale(const char *dir, const char *base)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[PATH_MAX];
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (!stale_tmp(e->d_name, base))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) < sizeof(path) && !unlink(path))
			n++;
	}
	closedir(d);
	return n;
}

int afile_remove_stale(const char *dir, char *err, size_t errlen)
{
	int n = remove_stale(dir, NULL);

	if (n < 0)
		return sim_errf(err, errlen, SIM_EIO, "%s: %s", dir, strerror(errno));
	return n;
}

/* Open `path` itself for writing, not replacing it. */
static int open_in_place(struct afile *af, const char *path, char *err, size_t errlen)
{
	af->in_place = true;
	af->path = strdup(path);
	if (!af->path)
		return -SIM_ENOMEM;
	af->fp = strcmp(path, "-") ? fopen(path, "wb") : stdout;
	if (!af->fp) {
		int e = errno;

		free(af->path);
		af->path = NULL;
		return sim_errf(err, errlen, SIM_EIO, "%s: cannot open: %s", path, strerror(e));
	}
	return 0;
}

static int open_at(struct afile *af, const char *path, int depth, char *err, size_t errlen);

/* The path a symlink names (relative links are relative to the link's directory). */
static int link_target(const char *path, char *out, size_t len)
{
	char t[PATH_MAX];
	ssize_t n = readlink(path, t, sizeof(t) - 1);
	const char *slash = strrchr(path, '/');

	if (n < 0)
		return -1;
	t[n] = 0;
	if (t[0] == '/' || !slash)
		return (size_t)snprintf(out, len, "%s", t) < len ? 0 : -1;
	return (size_t)snprintf(out, len, "%.*s/%s", (int)(slash - path), path, t) < len ? 0 : -1;
}

int afile_open(struct afile *af, const char *path, char *err, size_t errlen)
{
	return open_at(af, path, 0, err, errlen);
}

static int open_at(struct afile *af, const char *path, int depth, char *err, size_t errlen)
{
	char real[PATH_MAX], dir[PATH_MAX];
	struct stat st;
	const char *slash;
	size_t n;

	memset(af, 0, sizeof(*af));
	if (!strcmp(path, "-"))
		return open_in_place(af, path, err, errlen);
	if (!lstat(path, &st)) {
		if (S_ISLNK(st.st_mode)) {
			/* write the target (created if need be), keep the link */
			if (depth >= 8 || link_target(path, real, sizeof(real)))
				return sim_errf(err, errlen, SIM_EIO, "%s: a symlink that cannot be followed: not "
						"replaced", path);
			return open_at(af, real, depth + 1, err, errlen);
		}
		if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode))
			return open_in_place(af, path, err, errlen);
		if (!S_ISREG(st.st_mode))
			return sim_errf(err, errlen, SIM_EIO, "%s: not a regular file, FIFO or character device: "
					"not written", path);
	} else if (errno != ENOENT) {
		return sim_errf(err, errlen, SIM_EIO, "%s: %s", path, strerror(errno));
	}
	/* leftovers of writers killed by SIGKILL */
	slash = strrchr(path, '/');
	if (slash && (size_t)(slash - path) < sizeof(dir)) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
		remove_stale(dir[0] ? dir : "/", slash + 1);
	} else if (!slash) {
		remove_stale(".", path);
	}
	n = strlen(path) + 32;
	af->path = strdup(path);
	af->tmp = malloc(n);
	if (!af->path || !af->tmp) {
		free(af->path);
		free(af->tmp);
		af->path = af->tmp = NULL;
		return -SIM_ENOMEM;
	}
	snprintf(af->tmp, n, "%s.tmp.%ld", path, (long)getpid());
	af->slot = slot_take(af->tmp);
	af->fp = fopen(af->tmp, "wb");
	if (!af->fp) {
		int e = errno;

		slot_drop(af);
		free(af->path);
		free(af->tmp);
		af->path = af->tmp = NULL;
		return sim_errf(err, errlen, SIM_EIO, "%s: cannot create: %s", path, strerror(e));
	}
	return 0;
}

void afile_abort(struct afile *af)
{
	if (af->fp && af->fp != stdout)
		fclose(af->fp);
	if (af->tmp)
		unlink(af->tmp);
	slot_drop(af);
	free(af->path);
	free(af->tmp);
	memset(af, 0, sizeof(*af));
}

int afile_commit(struct afile *af, char *err, size_t errlen)
{
	int e = 0;

	errno = 0;
	/* FIFOs, devices and stdout cannot be fsynced (EINVAL) nor renamed */
	if (fflush(af->fp) || ferror(af->fp) || (!af->in_place && fsync(fileno(af->fp))))
		e = errno ? errno : EIO;
	if (af->fp != stdout && fclose(af->fp) && !e)
		e = errno;
	af->fp = NULL;
	if (!e && af->tmp && rename(af->tmp, af->path))
		e = errno;
	if (e) {
		int rc = sim_errf(err, errlen, SIM_EIO, "%s: write failed: %s", af->path, strerror(e));
		afile_abort(af);
		return rc;
	}
	slot_drop(af);
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
