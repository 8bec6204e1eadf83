/*
 * sim/cli/cmd_record.c - `numasim record [-o OUT] [--threads-to-cpus LIST]
 * [--keep-ifetch] [--strace] -- PROGRAM ARGS...`
 *
 * Runs PROGRAM under `valgrind --tool=lackey --trace-mem=yes
 * --trace-sched=yes --trace-syscalls=yes` with Valgrind's log on a pipe, and
 * streams that log through the Valgrind log interpreter (traces/vglog.h)
 * into a native trace: per-thread accesses, instruction counts as gaps, and
 * the memory-management system calls with their real results.  The text log
 * is never stored: memory use stays that of one pipe buffer and one line.
 *
 * Valgrind prints pointers, not the node masks they point to, so with
 * --strace the run is wrapped in
 * `strace -f --seccomp-bpf -e trace=mbind,set_mempolicy,migrate_pages` with
 * its output on a second pipe.  strace prints a call at its syscall-exit
 * stop, before the traced thread resumes, so by the time Valgrind's line for
 * a call has been read, strace's line is already in its pipe: draining that
 * pipe (non-blocking) after every read of the log keeps the two in step.
 * It is not the default: under ptrace a multi-threaded Valgrind run is 5-10
 * times slower (measured: 10 s -> 104 s for docs/record.md's example).
 *
 * The program's own output goes to the user's terminal; its exit status, as
 * Valgrind reports it, is the command's.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "sim/cli/cmd_record.h"
#include "sim/cli/cliopt.h"
#include "sim/err.h"
#include "traces/trace.h"
#include "traces/vglog.h"

#define EXIT_USAGE 2
#define MAX_CPUS_LIST 65536
#define READ_CHUNK (1u << 16)
#define LINE_MAX_BYTES (1u << 20)

static const char usage_text[] =
	"usage: numasim record [-o OUT] [-f] [--threads-to-cpus LIST] [--keep-ifetch] [--strace] -- PROGRAM [ARGS...]\n"
	"  runs PROGRAM under valgrind (lackey, --trace-sched, --trace-syscalls) and writes its\n"
	"  multi-threaded trace with mmap/mbind/clone/exit... as control records (docs/record.md)\n"
	"  -o OUT                 output trace (default: PROGRAM.nst.zst in the current directory;\n"
	"                         compressed by extension .zst/.gz/.xz, text if the name has .txt)\n"
	"  -f, --force            replace OUT if it exists (default: refuse)\n"
	"  --threads-to-cpus LIST thread i starts on the i-th CPU of LIST (e.g. 0,2,4,6 or 0-3)\n"
	"  --keep-ifetch          keep every instruction fetch as a record (default: count them as gaps)\n"
	"  --strace               also run strace to read the node masks of mbind/set_mempolicy/\n"
	"                         migrate_pages (without it those calls are dropped; slower)\n"
	"  environment: NUMASIM_VALGRIND, NUMASIM_STRACE name the programs to use\n";

static int usage(const char *msg, const char *arg)
{
	if (msg) {
		fprintf(stderr, "numasim record: ");
		fprintf(stderr, msg, arg);
		fputc('\n', stderr);
	}
	fputs(usage_text, stderr);
	return EXIT_USAGE;
}

/* "0,2,4-7": @return 0, or -1 for a malformed list. */
static int parse_cpus(const char *s, unsigned **out, unsigned *n)
{
	unsigned *v = NULL;
	size_t cap = 0;

	*n = 0;
	while (*s) {
		char *end;
		unsigned long a, b;
		if (*s < '0' || *s > '9')
			goto bad;
		a = b = strtoul(s, &end, 10);
		s = end;
		if (*s == '-') {
			if (s[1] < '0' || s[1] > '9')
				goto bad;
			b = strtoul(s + 1, &end, 10);
			s = end;
		}
		if (b < a || b >= 1u << 20)
			goto bad;
		for (unsigned long c = a; c <= b; c++) {
			if (*n >= MAX_CPUS_LIST)
				goto bad;
			if (*n == cap) {
				unsigned *nv = realloc(v, (cap = cap ? cap * 2 : 16) * sizeof(*v));
				if (!nv)
					goto bad;
				v = nv;
			}
			v[(*n)++] = (unsigned)c;
		}
		if (*s == ',' && s[1])
			s++;
		else if (*s)
			goto bad;
	}
	if (!*n)
		goto bad;
	*out = v;
	return 0;
bad:
	free(v);
	return -1;
}

/* Is `name` runnable (a path, or found in $PATH)? */
static bool find_program(const char *name)
{
	const char *path = getenv("PATH");
	char buf[4096];

	if (strchr(name, '/'))
		return access(name, X_OK) == 0;
	if (!path)
		path = "/usr/bin:/bin";
	while (*path) {
		const char *colon = strchr(path, ':');
		size_t len = colon ? (size_t)(colon - path) : strlen(path);
		snprintf(buf, sizeof(buf), "%.*s/%s", (int)len, len ? path : ".", name);
		if (access(buf, X_OK) == 0)
			return true;
		path += len + (colon ? 1 : 0);
	}
	return false;
}

/* Lines arriving in chunks from a pipe. */
struct linebuf {
	char *buf;
	size_t len, cap;
};

static int lb_append(struct linebuf *lb, const char *p, size_t n)
{
	if (lb->len + n > lb->cap) {
		size_t ncap = lb->cap ? lb->cap : READ_CHUNK;
		while (ncap < lb->len + n)
			ncap *= 2;
		char *nb = realloc(lb->buf, ncap);
		if (!nb)
			return -SIM_ENOMEM;
		lb->buf = nb;
		lb->cap = ncap;
	}
	memcpy(lb->buf + lb->len, p, n);
	lb->len += n;
	return 0;
}

struct recorder {
	vglog_t *vg;
	trace_writer_t *w;
	struct linebuf log, st;
	int stfd;                      /* strace pipe, -1 once closed */
	uint64_t lineno;
	int failed;                    /* conversion error: keep draining, write nothing */
	char err[1024];
};

static void fail(struct recorder *rc, int code)
{
	if (!rc->failed)
		rc->failed = code ? code : -SIM_ETRACE;
}

static void strace_lines(struct recorder *rc, bool final)
{
	size_t start = 0;

	for (;;) {
		/* memchr on a NULL buffer is undefined even for length 0 */
		char *nl = rc->st.buf ? memchr(rc->st.buf + start, '\n', rc->st.len - start) : NULL;
		size_t n = nl ? (size_t)(nl - rc->st.buf - start) : rc->st.len - start;
		if (!nl && !(final && n))
			break;
		if (!rc->failed) {
			int e = vglog_strace_line(rc->vg, rc->st.buf + start, n, rc->err, sizeof(rc->err));
			if (e)
				fail(rc, e);
		}
		start += n + (nl ? 1 : 0);
	}
	if (start) {
		memmove(rc->st.buf, rc->st.buf + start, rc->st.len - start);
		rc->st.len -= start;
	}
}

/* Read whatever strace has written so far (its fd is non-blocking). */
static void drain_strace(struct recorder *rc)
{
	char chunk[4096];

	while (rc->stfd >= 0) {
		ssize_t got = read(rc->stfd, chunk, sizeof(chunk));
		if (got > 0) {
			if (lb_append(&rc->st, chunk, (size_t)got))
				fail(rc, -SIM_ENOMEM);
			continue;
		}
		if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
			close(rc->stfd);
			rc->stfd = -1;
		}
		if (got < 0 && errno == EINTR)
			continue;
		break;
	}
	strace_lines(rc, false);
}

static void log_line(struct recorder *rc, const char *s, size_t n)
{
	struct trace_rec rec[VGLOG_MAX_OUT];
	struct trace_ctrl ctrl[VGLOG_MAX_OUT];
	struct vglog_sink out = { .rec = rec, .ctrl = ctrl };
	int e;

	rc->lineno++;
	if (rc->failed)
		return;
	if (n && s[n - 1] == '\r')
		n--;
	if ((e = vglog_line(rc->vg, s, n, rc->lineno, &out, rc->err, sizeof(rc->err)))) {
		fail(rc, e);
		return;
	}
	for (size_t i = 0; i < out.n; i++)
		if ((e = trace_write_rec(rc->w, &rec[i], rec[i].op == TOP_CTRL ? &ctrl[rec[i].ctrl] : NULL))) {
			snprintf(rc->err, sizeof(rc->err), "%s", trace_writer_error(rc->w));
			fail(rc, e);
			return;
		}
}

static void log_lines(struct recorder *rc, bool final)
{
	size_t start = 0;

	for (;;) {
		char *nl = rc->log.buf ? memchr(rc->log.buf + start, '\n', rc->log.len - start) : NULL;
		size_t n = nl ? (size_t)(nl - rc->log.buf - start) : rc->log.len - start;
		if (!nl && !(final && n))
			break;
		log_line(rc, rc->log.buf + start, n);
		start += n + (nl ? 1 : 0);
	}
	if (start) {
		memmove(rc->log.buf, rc->log.buf + start, rc->log.len - start);
		rc->log.len -= start;
	}
	if (rc->log.len > LINE_MAX_BYTES && !rc->failed) {
		snprintf(rc->err, sizeof(rc->err), "valgrind log:%llu: line longer than %u bytes",
			 (unsigned long long)rc->lineno + 1, LINE_MAX_BYTES);
		fail(rc, -SIM_ETRACE);
		rc->log.len = 0;
	}
}

/* Read the log until Valgrind closes it. @return 0 or -SIM_EIO. */
static int pump(struct recorder *rc, int logfd)
{
	char *chunk = malloc(READ_CHUNK);

	if (!chunk)
		return -SIM_ENOMEM;
	for (;;) {
		struct pollfd p[2] = { { .fd = logfd, .events = POLLIN }, { .fd = rc->stfd, .events = POLLIN } };
		int np = rc->stfd >= 0 ? 2 : 1;
		if (poll(p, (nfds_t)np, -1) < 0) {
			if (errno == EINTR)
				continue;
			free(chunk);
			return -SIM_EIO;
		}
		if (np == 2 && p[1].revents)
			drain_strace(rc);
		if (!p[0].revents)
			continue;
		ssize_t got = read(logfd, chunk, READ_CHUNK);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			free(chunk);
			return -SIM_EIO;
		}
		if (got == 0)
			break;
		/* strace wrote a call's line before Valgrind could print it: take it first */
		drain_strace(rc);
		if (lb_append(&rc->log, chunk, (size_t)got))
			fail(rc, -SIM_ENOMEM);
		log_lines(rc, false);
	}
	free(chunk);
	drain_strace(rc);
	strace_lines(rc, true);
	log_lines(rc, true);
	return 0;
}

static char *default_output(const char *program)
{
	const char *base = strrchr(program, '/');
	size_t n;
	char *out;

	base = base ? base + 1 : program;
	n = strlen(base) + sizeof(".nst.zst");
	out = malloc(n);
	if (out)
		snprintf(out, n, "%s.nst.zst", base);
	return out;
}

/* The file execvp would run for `prog` (a name without '/' is looked up in PATH). */
static bool find_exe(const char *prog, char *path, size_t len)
{
	const char *p = getenv("PATH");

	if (strchr(prog, '/')) {
		snprintf(path, len, "%s", prog);
		return access(path, X_OK) == 0;
	}
	for (p = p ? p : "/usr/bin:/bin"; *p;) {
		size_t n = strcspn(p, ":");
		snprintf(path, len, "%.*s%s%s", (int)n, p, n ? "/" : "", prog);
		if (access(path, X_OK) == 0)
			return true;
		p += n + (p[n] == ':');
	}
	return false;
}

/*
 * Give the converter the program's initial image (executable and
 * interpreter PT_LOAD segments).  A program that is not an ELF file (a
 * script) keeps implicit mappings for it, with a warning.
 * @return 0 or -SIM_ENOMEM.
 */
static int set_image(vglog_t *vg, const char *prog)
{
	static struct elf_image exe, in;
	char path[ELF_PATH_MAX], err[512];

	if (!find_exe(prog, path, sizeof(path))) {
		fprintf(stderr, "numasim record: warning: %s not found in PATH: its initial image is not declared\n", prog);
		return 0;
	}
	if (elf_read(path, &exe, err, sizeof(err)) || (exe.interp[0] && elf_read(exe.interp, &in, err, sizeof(err)))) {
		fprintf(stderr, "numasim record: warning: %s; the initial image is not declared (accesses to it "
			"replay on implicit mappings)\n", err);
		return 0;
	}
	return vglog_set_image(vg, &exe, exe.interp[0] ? &in : NULL);
}

static void report(const struct recorder *rc, const char *out)
{
	const uint64_t *st = vglog_stats(rc->vg);

	fprintf(stderr,
		"numasim record: %s: %llu thread%s, %llu data accesses, %llu instructions, %llu control records"
		" (%llu of failed calls)\n",
		out, (unsigned long long)st[VGS_THREADS], st[VGS_THREADS] == 1 ? "" : "s",
		(unsigned long long)st[VGS_ACCESSES], (unsigned long long)st[VGS_INSTRUCTIONS],
		(unsigned long long)st[VGS_CONTROL], (unsigned long long)st[VGS_FAILED]);
	if (st[VGS_DROPPED_MASK])
		fprintf(stderr, "numasim record: warning: %llu mbind/set_mempolicy/migrate_pages call(s) dropped: "
			"their node mask was not known (record with --strace)\n",
			(unsigned long long)st[VGS_DROPPED_MASK]);
	if (st[VGS_DROPPED_OTHER])
		fprintf(stderr, "numasim record: warning: %llu mremap/move_pages/fork call(s) not representable, "
			"dropped (see docs/record.md)\n", (unsigned long long)st[VGS_DROPPED_OTHER]);
	if (st[VGS_OTHER_VERSION])
		fprintf(stderr, "numasim record: warning: this Valgrind is not 3.19: its --trace-sched/--trace-syscalls "
			"lines are debugging output that may have changed (docs/record.md)\n");
	if (st[VGS_IMAGE_MISPLACED])
		fprintf(stderr, "numasim record: warning: the executable or its interpreter was not where Valgrind "
			"%s loads it: the initial mappings of the trace are wrong (see docs/record.md)\n", "3.19");
	if (st[VGS_FOREIGN])
		fprintf(stderr, "numasim record: warning: a child process (fork) wrote to the log; its accesses "
			"are mixed into the parent's threads (%llu of its lines skipped)\n",
			(unsigned long long)st[VGS_FOREIGN]);
}

int cmd_record(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ "threads-to-cpus", required_argument, NULL, 'c' },
		{ "keep-ifetch", no_argument, NULL, 'k' },
		{ "strace", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *valgrind = getenv("NUMASIM_VALGRIND"), *strace = getenv("NUMASIM_STRACE");
	struct vglog_opts vo = { .name = "valgrind log", .threaded = true };
	struct recorder rc = { .stfd = -1 };
	unsigned *cpus = NULL, nr_cpus = 0;
	bool use_strace = false, force = false;
	char *out = NULL, logfd_arg[32], stpath[32];
	int logp[2] = { -1, -1 }, stp[2] = { -1, -1 }, c, status = 0, ret = 1;
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_int, old_quit;
	pid_t pid;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:o:fh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			free(out);
			out = strdup(optarg);
			break;
		case 'c':
			free(cpus);
			cpus = NULL;
			if (parse_cpus(optarg, &cpus, &nr_cpus)) {
				free(out);
				return usage("--threads-to-cpus: expected a CPU list like 0,2,4-7, found '%s'", optarg);
			}
			break;
		case 'f':
			force = true;
			break;
		case 'k':
			vo.keep_ifetch = true;
			break;
		case 's':
			use_strace = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			free(out);
			free(cpus);
			return 0;
		default:
			cli_bad_option("numasim record", c, argc, argv, opts);
			free(out);
			free(cpus);
			return usage(NULL, NULL);
		}
	}
	if (optind >= argc) {
		free(out);
		free(cpus);
		return usage("no PROGRAM to record%s", "");
	}
	if (!valgrind || !*valgrind)
		valgrind = "valgrind";
	if (!strace || !*strace)
		strace = "strace";
	if (!find_program(valgrind)) {
		fprintf(stderr, "numasim record: %s not found in PATH: install valgrind (or set NUMASIM_VALGRIND)\n",
			valgrind);
		goto done;
	}
	if (use_strace && !find_program(strace)) {
		fprintf(stderr, "numasim record: --strace: %s not found in PATH (or set NUMASIM_STRACE)\n", strace);
		goto done;
	}
	if (!out && !(out = default_output(argv[optind]))) {
		fprintf(stderr, "numasim record: out of memory\n");
		goto done;
	}
	/* A recording can take hours to redo: never replace one by accident. */
	if (!force && access(out, F_OK) == 0) {
		fprintf(stderr, "numasim record: %s exists; use -f to replace it, or -o another name\n", out);
		goto done;
	}
	vo.strace = use_strace;
	vo.cpus = cpus;
	vo.nr_cpus = nr_cpus;
	if (vglog_create(&rc.vg, &vo) || set_image(rc.vg, argv[optind])) {
		fprintf(stderr, "numasim record: out of memory\n");
		goto done;
	}
	if (trace_writer_open(&rc.w, out, strstr(out, ".txt") ? TFMT_TEXT : TFMT_NATIVE, TCOMP_NONE, rc.err,
			      sizeof(rc.err))) {
		fprintf(stderr, "numasim record: %s\n", rc.err);
		goto done;
	}
	if (pipe(logp) || (use_strace && pipe(stp))) {
		fprintf(stderr, "numasim record: pipe: %s\n", strerror(errno));
		goto done;
	}
	fcntl(logp[0], F_SETFD, FD_CLOEXEC);
	if (use_strace) {
		fcntl(stp[0], F_SETFD, FD_CLOEXEC);
		fcntl(stp[0], F_SETFL, O_NONBLOCK);
	}
	snprintf(logfd_arg, sizeof(logfd_arg), "--log-fd=%d", logp[1]);
	snprintf(stpath, sizeof(stpath), "/dev/fd/%d", stp[1]);

	size_t nprog = (size_t)(argc - optind), k = 0;
	char **av = calloc(nprog + 24, sizeof(*av));
	if (!av) {
		fprintf(stderr, "numasim record: out of memory\n");
		goto done;
	}
	if (use_strace) {
		static const char *const st_args[] = { "-f", "-qq", "--seccomp-bpf", "-e",
			"trace=mbind,set_mempolicy,migrate_pages", "-e", "signal=none", "-o" };
		av[k++] = (char *)strace;
		for (size_t i = 0; i < ARRAY_SIZE(st_args); i++)
			av[k++] = (char *)st_args[i];
		av[k++] = stpath;
		av[k++] = (char *)"--";
	}
	av[k++] = (char *)valgrind;
	av[k++] = (char *)"--tool=lackey";
	av[k++] = (char *)"--trace-mem=yes";
	av[k++] = (char *)"--trace-sched=yes";
	av[k++] = (char *)"--trace-syscalls=yes";
	/*
	 * A forked child would write into the same log at the same time, its
	 * lines torn into the parent's; it is not followed (docs/record.md).
	 */
	av[k++] = (char *)"--child-silent-after-fork=yes";
	av[k++] = logfd_arg;
	for (int i = optind; i < argc; i++)
		av[k++] = argv[i];
	av[k] = NULL;

	/* like system(): Ctrl-C stops the program, and we still report how it ended */
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGQUIT, &old_quit, NULL);
		execvp(av[0], av);
		fprintf(stderr, "numasim record: cannot run %s: %s\n", av[0], strerror(errno));
		_exit(127);
	}
	free(av);
	close(logp[1]);
	logp[1] = -1;
	if (use_strace) {
		close(stp[1]);
		stp[1] = -1;
		rc.stfd = stp[0];
		stp[0] = -1;
	}
	if (pid < 0) {
		fprintf(stderr, "numasim record: fork: %s\n", strerror(errno));
		goto restore;
	}
	if (pump(&rc, logp[0]))
		fail(&rc, -SIM_EIO);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	ret = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1;
	if (WIFSIGNALED(status) && !rc.failed) {
		snprintf(rc.err, sizeof(rc.err), "the program was killed by signal %d: trace not written",
			 WTERMSIG(status));
		fail(&rc, -SIM_ESTATE);
	}
	if (!rc.failed && rc.lineno == 0) {
		snprintf(rc.err, sizeof(rc.err), "valgrind wrote no log (exit status %d)", ret);
		fail(&rc, -SIM_ESTATE);
	}
	if (rc.failed) {
		fprintf(stderr, "numasim record: %s\n", rc.err);
		trace_writer_close(rc.w, false, NULL, 0);
		rc.w = NULL;
		if (!ret)
			ret = 1;
		goto restore;
	}
	if (trace_writer_close(rc.w, true, rc.err, sizeof(rc.err))) {
		rc.w = NULL;
		fprintf(stderr, "numasim record: %s\n", rc.err);
		if (!ret)
			ret = 1;
		goto restore;
	}
	rc.w = NULL;
	report(&rc, out);
restore:
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
done:
	for (int i = 0; i < 2; i++) {
		if (logp[i] >= 0)
			close(logp[i]);
		if (stp[i] >= 0)
			close(stp[i]);
	}
	if (rc.stfd >= 0)
		close(rc.stfd);
	if (rc.w)
		trace_writer_close(rc.w, false, NULL, 0);
	vglog_destroy(rc.vg);
	free(rc.log.buf);
	free(rc.st.buf);
	free(out);
	free(cpus);
	return ret;
}
