/*
 * sim/cli/cmd_sweep.c - `numasim sweep`: run a sweep's grid of points.
 *
 *   numasim sweep SPEC -o DIR [-j N] [--only-points LIST]
 *   numasim sweep SPEC -o DIR --slurm [--partition P] [--points-per-task K] [--slurm-dry-run]
 *   numasim sweep collect DIR
 *
 * Every point runs as a child process - this same binary (/proc/self/exe)
 * with `run` arguments - at most N at a time.  A point whose
 * DIR/points/<id>/report.json exists is finished and skipped, so a sweep
 * stopped by a crash or Ctrl-C resumes where it was (with the same numasim
 * binary: claim_build); the run command writes that file atomically.  A failing point leaves error.txt (exit status and
 * the tail of its stderr) and the others go on.  Generated workloads are
 * written once to DIR/traces/ before any point runs.  DIR/sweep.json keeps
 * the spec, so `collect` can rebuild results.csv from the directory alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include "experiments/sweep.h"
#include "sim/afile.h"
#include "sim/cli/cliopt.h"
#include "sim/cli/cmd_sweep.h"
#include "sim/err.h"
#include "sim/words.h"

#define STDERR_TAIL_LINES 20

struct sweep_opts {
	const char *spec_path;
	const char *dir;
	const char *only;
	const char *partition;
	const char *account;      /* --slurm-account: sbatch --account */
	const char *time_limit;   /* --slurm-time: sbatch --time per array task */
	unsigned max_running;     /* --slurm-max-running: array throttle "%N" */
	unsigned jobs;
	unsigned per_task;
	bool slurm, slurm_dry_run;
	int progress;             /* -1: when stderr is a terminal */
};

struct child {
	pid_t pid;
	size_t point;        /* 1-based; 0 = generation job */
	char dir[PATH_MAX];  /* where the log and error.txt go */
	char log[PATH_MAX];
	char what[PATH_MAX]; /* expected output: report.json or the trace */
};

static void sweep_usage(FILE *f)
{
	fprintf(f,
		"usage: numasim sweep SPEC.json -o DIR [-j N] [--only-points LIST] [--progress|--no-progress]\n"
		"       numasim sweep SPEC.json -o DIR --slurm [SLURM OPTIONS]\n"
		"       numasim sweep collect DIR\n"
		"  -o DIR                 sweep directory: points/, traces/, results.csv (resumes if it exists)\n"
		"  -j N                   points run at once (default: the number of CPUs)\n"
		"  --only-points LIST     1-based point numbers: 3, 1..8, 1..4,9\n"
		"  --progress, --no-progress   progress line on stderr (default: when stderr is a terminal)\n"
		"  --slurm                submit the points as one Slurm job array instead of running them\n"
		"  --slurm-partition P    sbatch --partition (also --partition P)\n"
		"  --slurm-account A      sbatch --account\n"
		"  --slurm-time T         sbatch --time of each array task (e.g. 30:00, 2:00:00)\n"
		"  --slurm-max-running N  at most N array tasks at once (--array=...%%N)\n"
		"  --points-per-task K    points per array task (default: an eighth of the sweep)\n"
		"  --slurm-dry-run        write DIR/sweep.sbatch and print its path, submit nothing\n"
		"  collect DIR            rebuild DIR/results.csv from the reports present\n"
		"See docs/experiments.md.\n");
}

static int mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0777) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0777) && errno != EEXIST ? -1 : 0;
}

static bool exists(const char *path)
{
	return access(path, F_OK) == 0;
}

static const char *self_exe(void)
{
	static char exe[PATH_MAX];    /* set once per process, read-only afterwards */
	ssize_t n;

	if (exe[0])
		return exe;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		snprintf(exe, sizeof(exe), "/proc/self/exe");
	else
		exe[n] = 0;
	return exe;
}

/* Start argv with stdout and stderr into `log`.  @return pid or -1. */
static pid_t spawn(char *const argv[], const char *log)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0666), nul = open("/dev/null", O_RDONLY);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		if (nul >= 0) {
			dup2(nul, 0);
			close(nul);
		}
		execv(self_exe(), argv);
		fprintf(stderr, "numasim sweep: cannot run %s: %s\n", self_exe(), strerror(errno));
		_exit(127);
	}
	return pid;
}

/* error.txt: how the child ended, its command line, the end of its log. */
static void write_error(const struct child *c, int status, char *const argv[])
{
	char path[PATH_MAX + 16], err[256], line[1024];
	char *tail[STDERR_TAIL_LINES] = { 0 };
	size_t nl = 0;
	struct afile af;
	FILE *log;

	snprintf(path, sizeof(path), "%s/error.txt", c->dir);
	if (afile_open(&af, path, err, sizeof(err))) {
		fprintf(stderr, "numasim sweep: %s\n", err);
		return;
	}
	if (WIFEXITED(status))
		fprintf(af.fp, "exit status %d\n", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		fprintf(af.fp, "killed by signal %d\n", WTERMSIG(status));
	fprintf(af.fp, "command:");
	for (size_t i = 0; argv && argv[i]; i++)
		fprintf(af.fp, " %s", argv[i]);
	fprintf(af.fp, "\n--- last lines of %s ---\n", c->log);
	log = fopen(c->log, "r");
	if (log) {
		while (fgets(line, sizeof(line), log)) {
			free(tail[nl % STDERR_TAIL_LINES]);
			tail[nl % STDERR_TAIL_LINES] = strdup(line);
			nl++;
		}
		fclose(log);
		for (size_t i = nl > STDERR_TAIL_LINES ? nl - STDERR_TAIL_LINES : 0; i < nl; i++)
			fputs(tail[i % STDERR_TAIL_LINES] ? tail[i % STDERR_TAIL_LINES] : "", af.fp);
		for (size_t i = 0; i < STDERR_TAIL_LINES; i++)
			free(tail[i]);
	}
	if (afile_commit(&af, err, sizeof(err)))
		fprintf(stderr, "numasim sweep: %s\n", err);
}

/* ---- argument vectors ------------------------------------------------------- */

struct argv_buf {
	char *v[64];
	size_t n;
};

static void av_add(struct argv_buf *a, const char *s)
{
	SIM_BUG_ON(a->n + 1 >= ARRAY_SIZE(a->v));
	a->v[a->n++] = strdup(s);
	a->v[a->n] = NULL;
}

static void av_free(struct argv_buf *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	a->n = 0;
}

/*
 * A generated workload is generated once per seed of the sweep, with that
 * seed (--seed overrides the spec's), so the seed axis varies the random
 * choices of the workload as well as the simulation's.  Patterns without
 * random choices (stream, stride, stencil, ...) give the same trace for
 * every seed, and their rows then agree: that is a property of the
 * workload, not a seed lost on the way.
 */
static void trace_path(const struct sweep_spec *s, const char *dir, size_t w, size_t seed, char *buf, size_t len)
{
	if (s->workloads[w].trace)
		snprintf(buf, len, "%s", s->workloads[w].trace);
	else
		snprintf(buf, len, "%s/traces/%s-s%llu.nst", dir, s->workloads[w].name,
			 (unsigned long long)s->seeds[seed]);
}

static void point_argv(const struct sweep_spec *s, const struct sweep_point *p, const char *dir,
		       struct argv_buf *a)
{
	char buf[PATH_MAX + 128], *m = sweep_machine_arg(s, p->machine);

	av_add(a, "numasim");
	av_add(a, "run");
	av_add(a, "--machine");
	av_add(a, m ? m : s->machines[p->machine]);
	free(m);
	av_add(a, "--trace");
	trace_path(s, dir, p->workload, p->seed, buf, sizeof(buf));
	av_add(a, buf);
	if (strcmp(s->policies[p->policy], "default")) {
		av_add(a, "--policy");
		av_add(a, s->policies[p->policy]);
	}
	av_add(a, "--seed");
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)s->seeds[p->seed]);
	av_add(a, buf);
	av_add(a, "--report");
	snprintf(buf, sizeof(buf), "%s/points/%s/report.json", dir, p->id);
	av_add(a, buf);
	for (size_t i = 0; i < s->nr_override_args[p->override]; i++) {
		av_add(a, "-p");
		av_add(a, s->overrides[p->override][i]);
	}
}

/* ---- running ---------------------------------------------------------------------- */

struct runner {
	const struct sweep_spec *s;
	const char *dir;
	unsigned jobs;
	struct child *kids;
	unsigned running;
	size_t ran, failed;
	bool *gen_failed;        /* per (workload, seed): [w * nr_seeds + seed] */
	/* progress line (display only; wall clock never reaches results) */
	bool progress;
	size_t total, done;
	struct timespec start;
};

static double elapsed_s(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) * 1e-9;
}

/*
 * "sweep: 12/48 points done, 1 failed, 2 running, 0:17 elapsed, ETA 0:51" on
 * stderr, redrawn in place; only on a terminal, as `run` draws its bar.
 */
static void progress_draw(const struct runner *r, bool final)
{
	double el, eta;
	char etabuf[32] = "ETA --:--";

	if (!r->progress || !r->total)
		return;
	el = elapsed_s(&r->start);
	if (r->done && r->done < r->total) {
		eta = el / (double)r->done * (double)(r->total - r->done);
		snprintf(etabuf, sizeof(etabuf), "ETA %u:%02u", (unsigned)(eta / 60), (unsigned)eta % 60);
	} else if (r->done == r->total) {
		snprintf(etabuf, sizeof(etabuf), "finished");
	}
	fprintf(stderr, "\r\033[Ksweep: %zu/%zu points done, %zu failed, %u running, %u:%02u elapsed, %s%s", r->done,
		r->total, r->failed, r->running, (unsigned)(el / 60), (unsigned)el % 60, etabuf, final ? "\n" : "");
	fflush(stderr);
}

/* Reap one child; record its outcome. */
static void reap_one(struct runner *r)
{
	int status;
	pid_t pid = wait(&status);
	struct child *c = NULL;

	if (pid < 0)
		return;
	for (unsigned i = 0; i < r->jobs; i++)
		if (r->kids[i].pid == pid)
			c = &r->kids[i];
	if (!c)
		return;
	r->running--;
	c->pid = 0;
	if (c->point)
		r->done++;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && exists(c->what)) {
		char path[PATH_MAX + 16];

		snprintf(path, sizeof(path), "%s/error.txt", c->dir);
		if (c->point)
			unlink(path);      /* an earlier failure is superseded */
		progress_draw(r, false);
		return;
	}
	r->failed++;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		status = 1 << 8;       /* exited 0 without its output: count as status 1 */
	if (c->point) {
		struct sweep_point p;
		struct argv_buf a = { .n = 0 };

		sweep_point_get(r->s, c->point, &p);
		point_argv(r->s, &p, r->dir, &a);
		write_error(c, status, a.v);
		av_free(&a);
		if (r->progress)
			fputs("\r\033[K", stderr);
		fprintf(stderr, "numasim sweep: %s failed (see %s/error.txt)\n", p.id, c->dir);
		progress_draw(r, false);
	} else {
		fprintf(stderr, "numasim sweep: generating %s failed (see %s)\n", c->what, c->log);
	}
}

static struct child *free_slot(struct runner *r)
{
	while (r->running >= r->jobs)
		reap_one(r);
	for (unsigned i = 0; i < r->jobs; i++)
		if (!r->kids[i].pid)
			return &r->kids[i];
	SIM_BUG_ON(1);
	return NULL;
}

/* Byte-identical files (false when either cannot be read). */
static bool same_file(const char *a, const char *b)
{
	FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
	char ba[65536], bb[65536];
	bool same = fa && fb;

	while (same) {
		size_t na = fread(ba, 1, sizeof(ba), fa), nb = fread(bb, 1, sizeof(bb), fb);

		same = na == nb && !memcmp(ba, bb, na);
		if (na < sizeof(ba))
			break;
	}
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return same;
}

/* Write each generated workload once per seed: DIR/traces/<name>-s<seed>.nst. */
static int generate_workloads(struct runner *r)
{
	const struct sweep_spec *s = r->s;
	char out[PATH_MAX], spec[PATH_MAX], log[PATH_MAX], err[512], seed[32];

	for (size_t w = 0; w < s->nr_workloads; w++) {
		const struct sweep_workload *wl = &s->workloads[w];

		if (wl->trace)
			continue;
		if (wl->gen) {
			char *text = json_dumps(wl->gen, JSON_INDENT(2));

			snprintf(spec, sizeof(spec), "%s/traces/%s.json", r->dir, wl->name);
			if (!text || afile_write_all(spec, text, strlen(text), err, sizeof(err))) {
				fprintf(stderr, "numasim sweep: %s\n", text ? err : "out of memory");
				free(text);
				return 1;
			}
			free(text);
		} else {
			snprintf(spec, sizeof(spec), "%s", wl->gen_file);
		}
		for (size_t k = 0; k < s->nr_seeds; k++) {
			struct argv_buf a = { .n = 0 };
			struct child *c;
			size_t before = r->failed;

			trace_path(s, r->dir, w, k, out, sizeof(out));
			if (exists(out))
				continue;
			snprintf(log, sizeof(log), "%s/traces/%s-s%llu.log", r->dir, wl->name,
				 (unsigned long long)s->seeds[k]);
			snprintf(seed, sizeof(seed), "%llu", (unsigned long long)s->seeds[k]);
			av_add(&a, "numasim");
			av_add(&a, "trace");
			av_add(&a, "gen");
			av_add(&a, spec);
			av_add(&a, "--seed");
			av_add(&a, seed);
			av_add(&a, "-o");
			av_add(&a, out);
			c = free_slot(r);
			c->point = 0;
			snprintf(c->dir, sizeof(c->dir), "%s/traces", r->dir);
			snprintf(c->log, sizeof(c->log), "%s", log);
			snprintf(c->what, sizeof(c->what), "%s", out);
			c->pid = spawn(a.v, log);
			av_free(&a);
			if (c->pid < 0) {
				fprintf(stderr, "numasim sweep: fork: %s\n", strerror(errno));
				c->pid = 0;
				return 1;
			}
			r->running++;
			/* Generation is quick and everything depends on it: wait here. */
			while (r->running)
				reap_one(r);
			r->gen_failed[w * s->nr_seeds + k] = r->failed > before;
		}
		/* Say so when the seeds cannot matter, rather than let identical rows pass for a spread. */
		if (s->nr_seeds > 1 && !r->gen_failed[w * s->nr_seeds] && !r->gen_failed[w * s->nr_seeds + 1]) {
			char other[PATH_MAX];

			trace_path(s, r->dir, w, 0, out, sizeof(out));
			trace_path(s, r->dir, w, 1, other, sizeof(other));
			if (same_file(out, other))
				fprintf(stderr, "numasim sweep: note: workload %s makes no random choice: every seed gives "
					"the same trace; its rows differ only by the simulation's own random choices, if any\n",
					wl->name);
		}
	}
	return 0;
}

static void fail_point_without_trace(struct runner *r, const struct sweep_point *p)
{
	char path[PATH_MAX + 64], err[256], text[PATH_MAX + 128];

	snprintf(path, sizeof(path), "%s/points/%s/error.txt", r->dir, p->id);
	snprintf(text, sizeof(text), "not run: generating workload %s failed (see %s/traces/%s-s%llu.log)\n",
		 r->s->workloads[p->workload].name, r->dir, r->s->workloads[p->workload].name,
		 (unsigned long long)r->s->seeds[p->seed]);
	if (afile_write_all(path, text, strlen(text), err, sizeof(err)))
		fprintf(stderr, "numasim sweep: %s\n", err);
	r->failed++;
}

static int run_points(struct runner *r, const bool *sel, size_t *skipped)
{
	size_t n = sweep_nr_points(r->s);

	*skipped = 0;
	r->total = r->done = 0;
	for (size_t i = 1; i <= n; i++) {
		struct sweep_point p;
		char report[PATH_MAX + 128];

		if (sel && !sel[i])
			continue;
		sweep_point_get(r->s, i, &p);
		snprintf(report, sizeof(report), "%s/points/%s/report.json", r->dir, p.id);
		r->total += !exists(report);
	}
	clock_gettime(CLOCK_MONOTONIC, &r->start);
	progress_draw(r, false);
	for (size_t i = 1; i <= n; i++) {
		struct sweep_point p;
		struct argv_buf a = { .n = 0 };
		struct child *c;
		char pdir[PATH_MAX], report[PATH_MAX + 16];

		if (sel && !sel[i])
			continue;
		sweep_point_get(r->s, i, &p);
		snprintf(pdir, sizeof(pdir), "%s/points/%s", r->dir, p.id);
		snprintf(report, sizeof(report), "%s/report.json", pdir);
		if (exists(report)) {
			(*skipped)++;
			continue;
		}
		if (mkdir_p(pdir)) {
			fprintf(stderr, "numasim sweep: %s: %s\n", pdir, strerror(errno));
			return 1;
		}
		if (r->gen_failed[p.workload * r->s->nr_seeds + p.seed]) {
			fail_point_without_trace(r, &p);
			r->done++;
			continue;
		}
		point_argv(r->s, &p, r->dir, &a);
		c = free_slot(r);
		c->point = i;
		snprintf(c->dir, sizeof(c->dir), "%s", pdir);
		snprintf(c->log, sizeof(c->log), "%s/stderr.log", pdir);
		snprintf(c->what, sizeof(c->what), "%s", report);
		c->pid = spawn(a.v, c->log);
		av_free(&a);
		if (c->pid < 0) {
			fprintf(stderr, "numasim sweep: fork: %s\n", strerror(errno));
			c->pid = 0;
			return 1;
		}
		r->running++;
		r->ran++;
		progress_draw(r, false);
	}
	while (r->running)
		reap_one(r);
	progress_draw(r, true);
	return 0;
}

/* ---- the sweep directory ----------------------------------------------------------- */

/*
 * DIR/sweep.json records the spec; a directory holds one sweep only, so a
 * changed spec cannot silently reuse reports of the old one.
 */
static int claim_dir(const char *spec_path, const char *dir)
{
	char path[PATH_MAX], err[512];
	json_error_t je;
	json_t *spec = json_load_file(spec_path, JSON_REJECT_DUPLICATES, &je), *old;
	char *text;
	int rc = 0;

	if (!spec) {
		fprintf(stderr, "numasim sweep: %s:%d:%d: %s\n", spec_path, je.line, je.column, je.text);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/sweep.json", dir);
	old = json_load_file(path, 0, &je);
	if (old) {
		if (!json_equal(old, spec)) {
			fprintf(stderr, "numasim sweep: %s holds a different sweep (%s); use another -o DIR\n", dir,
				path);
			rc = 1;
		}
		json_decref(old);
		json_decref(spec);
		return rc;
	}
	text = json_dumps(spec, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (!text || afile_write_all(path, text, strlen(text), err, sizeof(err))) {
		fprintf(stderr, "numasim sweep: %s\n", text ? err : "out of memory");
		rc = 1;
	}
	free(text);
	json_decref(spec);
	return rc;
}

/*
 * DIR/build-id is a fingerprint of the numasim binary that made the points
 * (FNV-1a over /proc/self/exe).  Resuming with another build would mix two
 * models' results in one results.csv without a word, so a sweep run by a
 * different binary runs every point (and generates every trace) again.
 */
static int exe_fingerprint(char *out, size_t len)
{
	FILE *fp = fopen("/proc/self/exe", "rb");
	uint64_t h = 0xcbf29ce484222325ULL;
	unsigned char buf[65536];
	size_t n;

	if (!fp)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		for (size_t i = 0; i < n; i++)
			h = (h ^ buf[i]) * 0x100000001b3ULL;
	fclose(fp);
	snprintf(out, len, "%016llx\n", (unsigned long long)h);
	return 0;
}

/* Remove DIR/SUB/<entry>/NAME (or DIR/SUB/<entry> when NAME is NULL); @return how many. */
static size_t remove_outputs(const char *dir, const char *sub, const char *name)
{
	char path[PATH_MAX * 2];
	struct dirent *e;
	size_t n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	if (!(d = opendir(path)))
		return 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (name)
			snprintf(path, sizeof(path), "%s/%s/%s/%s", dir, sub, e->d_name, name);
		else
			snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, e->d_name);
		n += unlink(path) == 0;
	}
	closedir(d);
	return n;
}

/* Finished points in DIR. */
static size_t count_reports(const char *dir)
{
	char path[PATH_MAX * 2];
	struct dirent *e;
	size_t n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/points", dir);
	if (!(d = opendir(path)))
		return 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/points/%s/report.json", dir, e->d_name);
		n += exists(path);
	}
	closedir(d);
	return n;
}

static int claim_build(const char *dir, bool shared)
{
	char path[PATH_MAX], fp[32], old[32] = "", err[512];
	FILE *f;

	if (exe_fingerprint(fp, sizeof(fp)))
		return 0;   /* no /proc: nothing to compare with */
	snprintf(path, sizeof(path), "%s/build-id", dir);
	if ((f = fopen(path, "r"))) {
		if (!fgets(old, sizeof(old), f))
			old[0] = 0;
		fclose(f);
	}
	if (!strcmp(old, fp))
		return 0;
	if (!old[0] && !count_reports(dir))
		goto write;   /* a new directory */
	if (shared) {
		fprintf(stderr, "numasim sweep: %s was made by another numasim build (%s); run the whole sweep "
			"again with this one\n", dir, path);
		return 1;
	}
	size_t n = remove_outputs(dir, "points", "report.json");
	remove_outputs(dir, "points", "error.txt");
	remove_outputs(dir, "traces", NULL);
	if (n)
		fprintf(stderr, "numasim sweep: %s: %zu finished points were made by another numasim build; "
			"they run again\n", dir, n);
write:
	if (afile_write_all(path, fp, strlen(fp), err, sizeof(err))) {
		fprintf(stderr, "numasim sweep: %s\n", err);
		return 1;
	}
	return 0;
}

/* Every dotted path of a report's leaves ("summary.latency.mean_ns", "os.numastat.0.numa_miss"). */
static void leaf_paths(const json_t *v, char *prefix, size_t len, char ***out, size_t *n, size_t *cap)
{
	size_t plen = strlen(prefix);

	if (json_is_object(v) || json_is_array(v)) {
		const char *key;
		json_t *e;
		size_t i;
		char idx[24];

		if (json_is_object(v)) {
			json_object_foreach((json_t *)v, key, e) {
				snprintf(prefix + plen, len - plen, "%s%s", plen ? "." : "", key);
				leaf_paths(e, prefix, len, out, n, cap);
			}
		} else {
			json_array_foreach(v, i, e) {
				if (i >= 4)
					break;    /* a few elements are enough to suggest from */
				snprintf(idx, sizeof(idx), "%zu", i);
				snprintf(prefix + plen, len - plen, "%s%s", plen ? "." : "", idx);
				leaf_paths(e, prefix, len, out, n, cap);
			}
		}
		prefix[plen] = 0;
		return;
	}
	if (*n == *cap) {
		char **grown = realloc(*out, (*cap ? *cap * 2 : 256) * sizeof(char *));
		if (!grown)
			return;
		*out = grown;
		*cap = *cap ? *cap * 2 : 256;
	}
	(*out)[(*n)++] = strdup(prefix);
}

/*
 * A metric no finished report has is a misspelling (or a counter this
 * version does not report), not an empty column: say which, and the
 * nearest path that exists.  @return the number of unknown metrics.
 */
static size_t check_metrics(const struct sweep_spec *s, const char *dir)
{
	size_t n = sweep_nr_points(s), bad = 0, loaded = 0;
	bool *found = calloc(s->nr_metrics + 1, sizeof(bool));
	json_t *first = NULL;

	if (!found)
		return 0;
	for (size_t i = 1; i <= n; i++) {
		struct sweep_point p;
		char path[PATH_MAX + 128];
		json_t *rep;
		bool all = true;

		sweep_point_get(s, i, &p);
		snprintf(path, sizeof(path), "%s/points/%s/report.json", dir, p.id);
		rep = json_load_file(path, 0, NULL);
		if (!rep)
			continue;
		loaded++;
		for (size_t m = 0; m < s->nr_metrics; m++) {
			found[m] |= sweep_metric(rep, s->metrics[m]) != NULL;
			all &= found[m];
		}
		if (!first)
			first = rep;
		else
			json_decref(rep);
		if (all)
			break;
	}
	for (size_t m = 0; loaded && m < s->nr_metrics; m++) {
		char **paths = NULL, prefix[1024] = "";
		size_t np = 0, cap = 0;
		const char *near;

		if (found[m])
			continue;
		leaf_paths(first, prefix, sizeof(prefix), &paths, &np, &cap);
		near = sim_nearest(s->metrics[m], (const char *const *)paths, np);
		fprintf(stderr, "numasim sweep: metric \"%s\" is in none of the %zu report(s)%s%s%s (docs/report.md)\n",
			s->metrics[m], loaded, near ? "; did you mean \"" : "", near ? near : "", near ? "\"?" : "");
		for (size_t k = 0; k < np; k++)
			free(paths[k]);
		free(paths);
		bad++;
	}
	json_decref(first);
	free(found);
	return bad;
}

/*
 * One sweep at a time in a directory: DIR/.lock is held with flock(2) while
 * the sweep runs (released by the kernel however the process ends, and
 * not inherited by the points, which are exec'd).  A whole sweep holds it
 * exclusively.  --only-points runs (the array tasks of a Slurm sweep run
 * side by side) claim the directory exclusively, then share the lock with
 * each other; a whole sweep and they exclude each other.  The file holds
 * the pid of the last holder, for the refusal message.  @return the fd
 * (kept open until exit) or -1 with a message printed.
 */
static int lock_dir(const char *dir, bool shared)
{
	char path[PATH_MAX], text[64];
	int fd, e, tries = 0;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/.lock", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0) {
		fprintf(stderr, "numasim sweep: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (!flock(fd, LOCK_EX | LOCK_NB))
			break;
		if (shared && !flock(fd, LOCK_SH | LOCK_NB))
			return fd;   /* sibling --only-points runs */
		e = errno;
		n = pread(fd, text, sizeof(text) - 1, 0);
		text[n > 0 ? n : 0] = 0;
		text[strcspn(text, "\n")] = 0;
		/*
		 * Another --only-points run claiming the directory (its pid not
		 * written yet, or written as "points") is done in a moment: retry
		 * for 5 s.  A whole sweep says "sweep": refuse at once.
		 */
		if (e != EWOULDBLOCK || !shared || strstr(text, " sweep") || ++tries > 50) {
			text[strcspn(text, " ")] = 0;
			fprintf(stderr, "numasim sweep: %s is in use by another sweep (pid %s); wait for it to finish "
				"or use another -o DIR\n", dir, text[0] ? text : "unknown");
			close(fd);
			return -1;
		}
		usleep(100000);
	}
	n = snprintf(text, sizeof(text), "%ld %s\n", (long)getpid(), shared ? "points" : "sweep");
	if (ftruncate(fd, 0) || pwrite(fd, text, (size_t)n, 0) != n)
		fprintf(stderr, "numasim sweep: %s: cannot record the pid: %s\n", path, strerror(errno));
	return fd;
}

/* Exclusive (claim done) -> shared, for --only-points runs. */
static int lock_share(int fd, const char *dir)
{
	if (flock(fd, LOCK_SH | LOCK_NB)) {
		fprintf(stderr, "numasim sweep: %s: lost the lock to another sweep\n", dir);
		return -1;
	}
	return 0;
}

/*
 * Temporaries ("NAME.tmp.PID") of sweeps, generators and points killed
 * before they could remove them (SIGKILL): in DIR, DIR/traces and every
 * DIR/points/<id>, those whose process is gone.
 */
static void remove_stale_temps(const char *dir)
{
	char path[PATH_MAX], err[512];
	struct dirent *e;
	DIR *d;

	afile_remove_stale(dir, err, sizeof(err));
	snprintf(path, sizeof(path), "%s/traces", dir);
	afile_remove_stale(path, err, sizeof(err));
	snprintf(path, sizeof(path), "%s/points", dir);
	d = opendir(path);
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/points/%s", dir, e->d_name) < sizeof(path))
			afile_remove_stale(path, err, sizeof(err));
	}
	closedir(d);
}

static int collect(const char *dir, bool quiet)
{
	char path[PATH_MAX], err[1024];
	struct sweep_spec *s;
	size_t failed, missing;
	int rc;

	snprintf(path, sizeof(path), "%s/sweep.json", dir);
	if ((rc = sweep_spec_load(&s, path, err, sizeof(err)))) {
		fprintf(stderr, "numasim sweep collect: %s\n", err);
		return 1;
	}
	if (check_metrics(s, dir)) {
		sweep_spec_free(s);
		return 1;
	}
	rc = sweep_collect(s, dir, &failed, &missing, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "numasim sweep collect: %s\n", err);
	} else if (!quiet || failed || missing) {
		fprintf(stderr, "numasim sweep: %s/results.csv: %zu points, %zu ok, %zu failed, %zu missing\n", dir,
			sweep_nr_points(s), sweep_nr_points(s) - failed - missing, failed, missing);
	}
	sweep_spec_free(s);
	return rc || failed || missing ? 1 : 0;
}

/* ---- Slurm ---------------------------------------------------------------------------- */

static void sh_quote(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

static int slurm_submit(const struct sweep_opts *o, const struct sweep_spec *s)
{
	char spec_abs[PATH_MAX], dir_abs[PATH_MAX], path[PATH_MAX + 32], err[512], line[256];
	size_t n = sweep_nr_points(s);
	size_t k = o->per_task ? o->per_task : (n + 7) / 8;
	size_t tasks = (n + k - 1) / k;
	struct afile af;
	FILE *p;

	if (!realpath(o->spec_path, spec_abs) || !realpath(o->dir, dir_abs)) {
		fprintf(stderr, "numasim sweep: %s: %s\n", o->spec_path, strerror(errno));
		return 1;
	}
	snprintf(path, sizeof(path), "%s/slurm", dir_abs);
	if (mkdir_p(path)) {
		fprintf(stderr, "numasim sweep: %s: %s\n", path, strerror(errno));
		return 1;
	}
	snprintf(path, sizeof(path), "%s/sweep.sbatch", dir_abs);
	if (afile_open(&af, path, err, sizeof(err))) {
		fprintf(stderr, "numasim sweep: %s\n", err);
		return 1;
	}
	fprintf(af.fp, "#!/bin/sh\n# numasim sweep %s: %zu points, %zu per array task (written by numasim sweep --slurm)\n",
		s->name, n, k);
	fprintf(af.fp, "#SBATCH --job-name=numasim-%s\n", s->name);
	if (o->max_running)
		fprintf(af.fp, "#SBATCH --array=0-%zu%%%u\n", tasks - 1, o->max_running);
	else
		fprintf(af.fp, "#SBATCH --array=0-%zu\n", tasks - 1);
	fprintf(af.fp, "#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=1\n");
	fprintf(af.fp, "#SBATCH --output=%s/slurm/task-%%A_%%a.out\n", dir_abs);
	if (o->partition)
		fprintf(af.fp, "#SBATCH --partition=%s\n", o->partition);
	if (o->account)
		fprintf(af.fp, "#SBATCH --account=%s\n", o->account);
	if (o->time_limit)
		fprintf(af.fp, "#SBATCH --time=%s\n", o->time_limit);
	fprintf(af.fp, "set -u\nK=%zu\nN=%zu\n", k, n);
	fprintf(af.fp, "first=$((SLURM_ARRAY_TASK_ID * K + 1))\nlast=$((first + K - 1))\n"
		       "[ \"$last\" -gt \"$N\" ] && last=$N\n");
	fprintf(af.fp, "exec ");
	sh_quote(af.fp, self_exe());
	fprintf(af.fp, " sweep ");
	sh_quote(af.fp, spec_abs);
	fprintf(af.fp, " -o ");
	sh_quote(af.fp, dir_abs);
	fprintf(af.fp, " --only-points \"$first..$last\" -j \"${SLURM_CPUS_PER_TASK:-1}\"\n");
	if (afile_commit(&af, err, sizeof(err))) {
		fprintf(stderr, "numasim sweep: %s\n", err);
		return 1;
	}
	if (o->slurm_dry_run) {
		printf("%s\n", path);
		return 0;
	}
	{
		char cmd[PATH_MAX + 64];

		snprintf(cmd, sizeof(cmd), "sbatch --parsable '%s'", path);
		if (strchr(path, '\'')) {
			fprintf(stderr, "numasim sweep: %s: quote in path\n", path);
			return 1;
		}
		fflush(NULL);
		p = popen(cmd, "r");
	}
	if (!p || !fgets(line, sizeof(line), p)) {
		if (p)
			pclose(p);
		fprintf(stderr, "numasim sweep: sbatch failed\n");
		return 1;
	}
	if (pclose(p) != 0) {
		fprintf(stderr, "numasim sweep: sbatch failed: %s", line);
		return 1;
	}
	line[strcspn(line, ";\n")] = 0;      /* "<jobid>[;cluster]" */
	snprintf(path, sizeof(path), "%s/slurm/jobid", dir_abs);
	{
		char text[300];

		snprintf(text, sizeof(text), "%s\n", line);
		if (afile_write_all(path, text, strlen(text), err, sizeof(err)))
			fprintf(stderr, "numasim sweep: %s\n", err);
	}
	printf("%s\n", line);
	return 0;
}

/* ---- entry ----------------------------------------------------------------------------- */

static const char *const sweep_options[] = {
	"-o", "-j", "--only-points", "--progress", "--no-progress", "--slurm", "--slurm-dry-run", "--partition",
	"--slurm-partition", "--slurm-account", "--slurm-time", "--slurm-max-running", "--points-per-task",
	"--help", NULL,
};

/* "-j 8", "--points-per-task 1K": a count in [1, max]. */
static int count_arg(const char *opt, const char *v, uint64_t max, unsigned *out)
{
	char err[256];
	uint64_t x;

	if (sim_parse_count(opt, v, &x, err, sizeof(err))) {
		fprintf(stderr, "numasim sweep: %s\n", err);
		return 2;
	}
	if (x < 1 || x > max) {
		fprintf(stderr, "numasim sweep: %s: \"%s\" is not in [1, %llu]\n", opt, v, (unsigned long long)max);
		return 2;
	}
	*out = (unsigned)x;
	return 0;
}

static int parse_opts(int argc, char **argv, struct sweep_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->progress = -1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has = i + 1 < argc;
		int rc = 0;

		if (!strcmp(a, "-o") && has) {
			o->dir = argv[++i];
		} else if (!strcmp(a, "-j") && has) {
			rc = count_arg("-j", argv[++i], 1024, &o->jobs);
		} else if (!strcmp(a, "--only-points") && has) {
			o->only = argv[++i];
		} else if (!strcmp(a, "--progress") || !strcmp(a, "--no-progress")) {
			o->progress = !strcmp(a, "--progress");
		} else if (!strcmp(a, "--slurm")) {
			o->slurm = true;
		} else if (!strcmp(a, "--slurm-dry-run")) {
			o->slurm = o->slurm_dry_run = true;
		} else if ((!strcmp(a, "--partition") || !strcmp(a, "--slurm-partition")) && has) {
			o->partition = argv[++i];
		} else if (!strcmp(a, "--slurm-account") && has) {
			o->account = argv[++i];
		} else if (!strcmp(a, "--slurm-time") && has) {
			o->time_limit = argv[++i];
		} else if (!strcmp(a, "--slurm-max-running") && has) {
			rc = count_arg("--slurm-max-running", argv[++i], 1000000, &o->max_running);
		} else if (!strcmp(a, "--points-per-task") && has) {
			rc = count_arg("--points-per-task", argv[++i], UINT32_MAX, &o->per_task);
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			sweep_usage(stdout);
			return -1;
		} else if (a[0] != '-' && !o->spec_path) {
			o->spec_path = a;
		} else {
			bool known = false;

			for (size_t k = 0; sweep_options[k]; k++)
				known |= !strcmp(a, sweep_options[k]);
			if (known)
				fprintf(stderr, "numasim sweep: %s needs a value\n", a);
			else if (a[0] == '-')
				cli_unknown_option("numasim sweep", a, sweep_options);
			else
				fprintf(stderr, "numasim sweep: unexpected argument %s\n", a);
			sweep_usage(stderr);
			return 2;
		}
		if (rc)
			return rc;
	}
	if (!o->spec_path || !o->dir) {
		fprintf(stderr, "numasim sweep: %s is required\n", o->spec_path ? "-o DIR" : "SPEC.json");
		sweep_usage(stderr);
		return 2;
	}
	/* They go into the batch script as #SBATCH lines: plain words only. */
	{
		const char *vals[] = { o->partition, o->account, o->time_limit };

		for (size_t k = 0; k < ARRAY_SIZE(vals); k++) {
			if (vals[k] && (!vals[k][0] || strspn(vals[k], "abcdefghijklmnopqrstuvwxyz"
							      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.,:+-") != strlen(vals[k]))) {
				fprintf(stderr, "numasim sweep: Slurm option value \"%s\": only letters, digits "
					"and _.,:+- are allowed\n", vals[k]);
				return 2;
			}
		}
	}
	if ((o->partition || o->account || o->time_limit || o->max_running || o->per_task) && !o->slurm) {
		fprintf(stderr, "numasim sweep: Slurm options need --slurm (or --slurm-dry-run)\n");
		return 2;
	}
	return 0;
}

int cmd_sweep(int argc, char **argv)
{
	struct sweep_opts o;
	struct sweep_spec *s = NULL;
	struct runner r;
	bool *sel = NULL;
	char err[1024], path[PATH_MAX];
	size_t skipped = 0;
	size_t nsel = 0;
	int rc, lock_fd = -1;

	memset(&r, 0, sizeof(r));
	if (argc >= 2 && !strcmp(argv[1], "collect")) {
		for (int i = 2; i < argc; i++)
			if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
				printf("usage: numasim sweep collect DIR\n"
				       "  rebuild DIR/results.csv from DIR/sweep.json and the reports under DIR/points\n");
				return 0;
			}
		if (argc != 3 || argv[2][0] == '-') {
			if (argc == 3)
				fprintf(stderr, "numasim sweep collect: unknown option %s\n", argv[2]);
			fprintf(stderr, "usage: numasim sweep collect DIR\n");
			return 2;
		}
		return collect(argv[2], false);
	}
	rc = parse_opts(argc, argv, &o);
	if (rc)
		return rc < 0 ? 0 : rc;
	if ((rc = sweep_spec_load(&s, o.spec_path, err, sizeof(err)))) {
		fprintf(stderr, "numasim sweep: %s\n", err);
		return 1;
	}
	if (o.only && sweep_parse_points(o.only, sweep_nr_points(s), &sel, err, sizeof(err))) {
		fprintf(stderr, "numasim sweep: %s\n", err);
		sweep_spec_free(s);
		return 2;
	}
	for (size_t i = 1; i <= sweep_nr_points(s); i++)
		nsel += !sel || sel[i];
	snprintf(path, sizeof(path), "%s/points", o.dir);
	if (mkdir_p(path) || (snprintf(path, sizeof(path), "%s/traces", o.dir), mkdir_p(path))) {
		fprintf(stderr, "numasim sweep: %s: %s\n", path, strerror(errno));
		rc = 1;
		goto out;
	}
	if ((lock_fd = lock_dir(o.dir, o.only != NULL)) < 0 || claim_dir(o.spec_path, o.dir) ||
	    claim_build(o.dir, o.only != NULL) || (o.only && lock_share(lock_fd, o.dir))) {
		rc = 1;
		goto out;
	}
	remove_stale_temps(o.dir);
	if (!o.jobs) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		o.jobs = n > 0 ? (unsigned)n : 1;
	}
	r.s = s;
	r.progress = o.progress < 0 ? isatty(2) : o.progress;
	r.dir = o.dir;
	r.jobs = o.jobs;
	r.kids = calloc(o.jobs, sizeof(*r.kids));
	r.gen_failed = calloc(s->nr_workloads * s->nr_seeds, sizeof(bool));
	if (!r.kids || !r.gen_failed) {
		fprintf(stderr, "numasim sweep: out of memory\n");
		rc = 1;
		goto out;
	}
	rc = generate_workloads(&r);
	if (rc)
		goto out;
	if (o.slurm) {
		/* the array tasks may start before this process exits: let them take the lock */
		close(lock_fd);
		lock_fd = -1;
		rc = r.failed ? 1 : slurm_submit(&o, s);
		goto out;
	}
	rc = run_points(&r, sel, &skipped);
	if (rc)
		goto out;
	fprintf(stderr, "numasim sweep: %zu points selected, %zu already done, %zu run, %zu failed\n",
		nsel, skipped, r.ran, r.failed);
	if (!o.only)
		rc = collect(o.dir, true);
	if (r.failed)
		rc = 1;
out:
	if (lock_fd >= 0)
		close(lock_fd);
	free(r.kids);
	free(r.gen_failed);
	free(sel);
	sweep_spec_free(s);
	return rc;
}
