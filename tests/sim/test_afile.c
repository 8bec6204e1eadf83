/*
 * tests/sim/test_afile.c - atomic outputs and special files.
 *
 * Regular files are replaced atomically (temp + rename); a FIFO, a
 * character device or "-" is written in place and never replaced; a
 * symlink keeps pointing where it did; a signal removes the temporary;
 * a stale temporary of a dead process is removed by the next writer.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tests/support/test.h"
#include "sim/afile.h"
#include "sim/err.h"

static char *tp(const char *name)
{
	static char buf[4][512];   /* test-only rotating buffers */
	static unsigned i;
	char *p = buf[i++ % 4];

	snprintf(p, 512, "%s/%s", test_tmpdir(), name);
	return p;
}

static int count_tmp(const char *base)
{
	char cmd[1024];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls -a '%s' | grep -c '^%s\\.tmp\\.'", test_tmpdir(), base);
	p = popen(cmd, "r");
	assert_non_null(p);
	if (fscanf(p, "%d", &n) != 1)
		n = -1;
	pclose(p);
	return n;
}

static void regular_is_atomic(void **state)
{
	char err[256], buf[16] = "";
	struct stat st;
	FILE *f;

	(void)state;
	assert_int_equal(afile_write_all(tp("r.txt"), "old", 3, err, sizeof(err)), 0);
	assert_int_equal(afile_write_all(tp("r.txt"), "new", 3, err, sizeof(err)), 0);
	f = fopen(tp("r.txt"), "r");
	assert_non_null(f);
	assert_int_equal(fread(buf, 1, sizeof(buf), f), 3);
	fclose(f);
	assert_string_equal(buf, "new");
	assert_int_equal(lstat(tp("r.txt"), &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(count_tmp("r.txt"), 0);
}

/* A FIFO stays a FIFO and its reader gets the bytes. */
static void fifo_written_in_place(void **state)
{
	char err[256], buf[64] = "";
	struct stat st;
	pid_t pid;
	int status;

	(void)state;
	assert_int_equal(mkfifo(tp("f.fifo"), 0600), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char e[256];
		_exit(afile_write_all(tp("f.fifo"), "through", 7, e, sizeof(e)) ? 1 : 0);
	}
	{
		int fd = open(tp("f.fifo"), O_RDONLY);
		ssize_t n, got = 0;

		assert_true(fd >= 0);
		while ((n = read(fd, buf + got, sizeof(buf) - 1 - (size_t)got)) > 0)
			got += n;
		close(fd);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_string_equal(buf, "through");
	assert_int_equal(lstat(tp("f.fifo"), &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	(void)err;
}

/* /dev/null is written, not replaced; /dev/full reports the write error. */
static void devices_written_in_place(void **state)
{
	char err[256];
	struct stat st;

	(void)state;
	assert_int_equal(afile_write_all("/dev/null", "x", 1, err, sizeof(err)), 0);
	assert_int_equal(lstat("/dev/null", &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	if (!access("/dev/full", W_OK)) {
		assert_int_equal(afile_write_all("/dev/full", "x", 1, err, sizeof(err)), -SIM_EIO);
		assert_non_null(strstr(err, "/dev/full"));
		assert_int_equal(lstat("/dev/full", &st), 0);
		assert_true(S_ISCHR(st.st_mode));
	}
}

/* A symlink still points at its target, which gets the new contents. */
static void symlink_kept(void **state)
{
	char err[256], buf[16] = "";
	struct stat st;
	FILE *f;

	(void)state;
	assert_int_equal(afile_write_all(tp("target.txt"), "old", 3, err, sizeof(err)), 0);
	assert_int_equal(symlink("target.txt", tp("link.txt")), 0);
	assert_int_equal(afile_write_all(tp("link.txt"), "new", 3, err, sizeof(err)), 0);
	assert_int_equal(lstat(tp("link.txt"), &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	f = fopen(tp("target.txt"), "r");
	assert_non_null(f);
	assert_int_equal(fread(buf, 1, sizeof(buf), f), 3);
	fclose(f);
	assert_string_equal(buf, "new");
	/* a link to a file still to be made gets it; a link into nowhere is refused, not replaced */
	assert_int_equal(symlink("later.txt", tp("tolater")), 0);
	assert_int_equal(afile_write_all(tp("tolater"), "x", 1, err, sizeof(err)), 0);
	assert_int_equal(lstat(tp("tolater"), &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(lstat(tp("later.txt"), &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(symlink("nowhere/x", tp("dangling")), 0);
	assert_int_not_equal(afile_write_all(tp("dangling"), "x", 1, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "nowhere/x"));
	assert_int_equal(lstat(tp("dangling"), &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	/* a loop of links */
	assert_int_equal(symlink("loop2", tp("loop1")), 0);
	assert_int_equal(symlink("loop1", tp("loop2")), 0);
	assert_int_not_equal(afile_write_all(tp("loop1"), "x", 1, err, sizeof(err)), 0);
	assert_int_equal(lstat(tp("loop1"), &st), 0);
	assert_true(S_ISLNK(st.st_mode));
}

/* SIGTERM / SIGINT while a temporary is open: it is removed, the signal still kills. */
static void signal_removes_temporary(void **state)
{
	static const int sigs[] = { SIGTERM, SIGINT };

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(sigs); i++) {
		int pfd[2], status;
		pid_t pid;
		char c;

		assert_int_equal(pipe(pfd), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			struct afile af;
			char e[256];

			close(pfd[0]);
			if (afile_open(&af, tp("sig.out"), e, sizeof(e)))
				_exit(3);
			fputs("partial", af.fp);
			fflush(af.fp);
			if (write(pfd[1], "r", 1) != 1)
				_exit(4);
			pause();
			_exit(5);
		}
		close(pfd[1]);
		assert_int_equal(read(pfd[0], &c, 1), 1);
		close(pfd[0]);
		assert_int_equal(count_tmp("sig.out"), 1);
		kill(pid, sigs[i]);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFSIGNALED(status) && WTERMSIG(status) == sigs[i]);
		assert_int_equal(count_tmp("sig.out"), 0);
		assert_int_not_equal(access(tp("sig.out"), F_OK), 0);
	}
}

/* SIGKILL cannot be caught: the next writer of the same file removes the leftover. */
static void stale_temporary_removed(void **state)
{
	char err[256], stale[600], live[600];
	pid_t pid = fork();
	int status;

	(void)state;
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, &status, 0), pid);   /* a pid now dead */
	snprintf(stale, sizeof(stale), "%s.tmp.%ld", tp("k.out"), (long)pid);
	snprintf(live, sizeof(live), "%s.tmp.%ld", tp("k.out"), (long)getppid());
	assert_int_equal(afile_write_all(stale, "junk", 4, err, sizeof(err)), 0);
	assert_int_equal(afile_write_all(live, "busy", 4, err, sizeof(err)), 0);
	assert_int_equal(afile_write_all(tp("k.out"), "done", 4, err, sizeof(err)), 0);
	assert_int_not_equal(access(stale, F_OK), 0);
	assert_int_equal(access(live, F_OK), 0);      /* its writer is alive: kept */
	/* and a whole directory */
	assert_int_equal(afile_write_all(stale, "junk", 4, err, sizeof(err)), 0);
	assert_int_equal(afile_remove_stale(test_tmpdir(), err, sizeof(err)), 1);
	assert_int_not_equal(access(stale, F_OK), 0);
	assert_int_equal(access(live, F_OK), 0);
	unlink(live);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(regular_is_atomic),
		cmocka_unit_test(fifo_written_in_place),
		cmocka_unit_test(devices_written_in_place),
		cmocka_unit_test(symlink_kept),
		cmocka_unit_test(signal_removes_temporary),
		cmocka_unit_test(stale_temporary_removed),
	};
	/*
	 * afile leaves a signal the process was told to ignore ignored, and a
	 * background job of a script (make test from a script's `&`, nohup)
	 * starts with SIGINT ignored: signal_removes_temporary's child would
	 * never die of it.  The suite starts as a program run from a terminal.
	 */
	static const int cleanup_sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	for (unsigned i = 0; i < ARRAY_SIZE(cleanup_sigs); i++)
		signal(cleanup_sigs[i], SIG_DFL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
