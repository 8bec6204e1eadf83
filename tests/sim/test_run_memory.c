/*
 * tests/sim/test_run_memory.c - replay memory does not grow with the trace.
 *
 * A trace whose threads sit far apart in the file (thread 1 announces itself
 * first, then thread 0 has all its records, then thread 1 all of its) makes
 * the reader run far ahead of the lagging thread.  Records read ahead once
 * queued in RAM: peak RSS grew by 24 bytes a record.  Here `numasim run`
 * replays such traces of N and 4N records as child processes, and the
 * peak RSS of each (wait4's ru_maxrss) must differ by much less than what
 * the 3N extra records would take in RAM.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tests/support/test.h"
#include "traces/trace.h"

#define N_SHORT (1u << 20)
#define N_LONG  (4u * N_SHORT)

static void write_skewed(const char *path, unsigned n)
{
	trace_writer_t *w;
	char err[512];
	struct trace_rec r = { .op = TOP_LOAD, .size = 8 };

	assert_int_equal(trace_writer_open(&w, path, TFMT_NATIVE, TCOMP_NONE, err, sizeof(err)), 0);
	r.tid = 1;
	r.addr = 0x200000;
	assert_int_equal(trace_write_rec(w, &r, NULL), 0);
	for (unsigned t = 0; t < 2; t++)
		for (unsigned i = 0; i < n / 2; i++) {
			r.tid = (uint16_t)t;
			r.addr = 0x100000 + (uint64_t)t * 0x100000 + (i % 512) * 64;
			assert_int_equal(trace_write_rec(w, &r, NULL), 0);
		}
	if (trace_writer_close(w, true, err, sizeof(err)))
		fail_msg("%s", err);
}

/* Peak RSS of `numasim run --machine tiny --trace path`, KiB. */
static long run_maxrss(const char *numasim, const char *path)
{
	struct rusage ru;
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		if (!freopen("/dev/null", "w", stdout))
			_exit(126);
		execl(numasim, numasim, "run", "--machine", "tiny", "--trace", path, (char *)NULL);
		_exit(127);
	}
	assert_int_equal(wait4(pid, &status, 0, &ru), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail_msg("numasim run %s: status 0x%x", path, status);
	return ru.ru_maxrss;
}

static void skewed_threads_bounded(void **state)
{
	const char *numasim = getenv("NUMASIM");
	char a[512], b[512];
	long ra, rb;

	(void)state;
	if (!numasim || access(numasim, X_OK))
		skip();
	snprintf(a, sizeof(a), "%s/short.nst", test_tmpdir());
	snprintf(b, sizeof(b), "%s/long.nst", test_tmpdir());
	write_skewed(a, N_SHORT);
	write_skewed(b, N_LONG);
	ra = run_maxrss(numasim, a);
	rb = run_maxrss(numasim, b);
	if (!getenv("KEEP")) {
		unlink(a);
		unlink(b);
	}
	printf("# peak RSS: %u records %ld KiB, %u records %ld KiB\n", N_SHORT, ra, N_LONG, rb);
	/*
	 * Queued in RAM, the 3N/2 extra records of the lagging thread take
	 * 3N/2 * 24 bytes (36 MiB here); allow a ninth of that for noise.
	 */
	if (rb - ra > 4096)
		fail_msg("peak RSS grew from %ld to %ld KiB with the trace length", ra, rb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(skewed_threads_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
