/*
 * sim/cli/cmd_validate.c - `numasim validate`: numasim against references
 * nobody on the project wrote, as one table.
 *
 * Four families of checks, each skipped (with the reason in the table)
 * where this machine cannot run it:
 *   cachegrind  one real program (sort on a generated file) recorded with
 *               Valgrind lackey and run under cachegrind with the same
 *               environment; `numasim cachegrind`'s replay must reproduce
 *               cachegrind's summary exactly, for two cache geometries and
 *               one TLB geometry (4 KiB "lines").
 *   presets     every built-in preset with a "calibration" object: the
 *               simulated MLC measurement (hw/mlc.h, the code behind
 *               `numasim mlc`) against the published idle latencies (within
 *               10%) and remote/local bandwidth ratios (within the stated
 *               tolerance).
 *   linux       the worked vectors of docs/sources.md run through numasim's
 *               own os/ code (watermarks, lowmem_reserve, pcp sizing,
 *               zonelist order, interleave, numastat).
 *   zoneinfo    this machine's /proc/zoneinfo: its zone sizes and tunables
 *               fed to numasim's physmem, whose watermarks, protection and
 *               pcp sizes must equal the kernel's own numbers.
 *
 * The table is printed as Markdown so docs/validation.md can carry it
 * verbatim.  Exit status: 0 when nothing failed, 1 otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <jansson.h>
#include "os/compaction.h"
#include "os/mempolicy.h"
#include "os/page_alloc.h"
#include "sim/afile.h"
#include "sim/cli/cmd_cachegrind.h"
#include "sim/cli/cmd_validate.h"
#include "sim/cli/cmds.h"
#include "sim/cli/machine.h"
#include "sim/cli/mlc_loaded.h"
#include "hw/mlc.h"
#include "sim/config.h"
#include "sim/err.h"
#include "sim/presets.h"

/* ---- the table ---------------------------------------------------------------- */

/* V_MISS: a prediction row that missed its published figure (model error, not a bug). */
enum verdict { V_PASS, V_FAIL, V_SKIP, V_INFO, V_MISS, NR_VERDICTS };

/*
 * What a row is worth.  calibration: a preset was fitted to this figure, so
 * it passes by construction and a failure is a bug.  exact: numasim
 * implements the reference's own rules (cachegrind, Linux), so any
 * difference is a bug.  prediction: nothing was fitted to it; a miss is
 * the model's error, reported as such.
 */
enum vkind { VK_CALIB, VK_EXACT, VK_PRED, NR_VKINDS };
static const char *const vkind_name[NR_VKINDS] = { "calibration", "exact", "prediction" };
static const char *const vkind_short[NR_VKINDS] = { "calib", "exact", "pred" };

struct vrow {
	char ref[128];
	char what[192];
	char expected[128];
	char simulated[128];
	char verdict[192];
	enum verdict v;
	enum vkind kind;
};

struct vtable {
	struct vrow *rows;
	size_t n, cap;
	bool oom;
	enum vkind kind;            /* of the rows being added */
};

static struct vrow *vrow_new(struct vtable *t, enum verdict v, const char *ref)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct vrow *r = realloc(t->rows, cap * sizeof(*r));
		if (!r) {
			t->oom = true;
			return NULL;
		}
		t->rows = r;
		t->cap = cap;
	}
	struct vrow *r = &t->rows[t->n++];
	memset(r, 0, sizeof(*r));
	r->v = v;
	r->kind = t->kind;
	snprintf(r->ref, sizeof(r->ref), "%s", ref);
	snprintf(r->verdict, sizeof(r->verdict), "%s",
		 v == V_PASS ? "pass" : v == V_FAIL ? "FAIL" : v == V_INFO ? "info" : v == V_MISS ? "miss" : "skipped");
	return r;
}

/* A compared row: verdict from `pass`. */
static void vcheck(struct vtable *t, bool pass, const char *ref, const char *what, const char *expected,
		   const char *simulated)
{
	struct vrow *r = vrow_new(t, pass ? V_PASS : t->kind == VK_PRED ? V_MISS : V_FAIL, ref);
	if (!r)
		return;
	snprintf(r->what, sizeof(r->what), "%s", what);
	snprintf(r->expected, sizeof(r->expected), "%s", expected);
	snprintf(r->simulated, sizeof(r->simulated), "%s", simulated);
}

static void vskip(struct vtable *t, const char *ref, const char *what, const char *fmt, ...) SIM_PRINTF(4, 5);
static void vskip(struct vtable *t, const char *ref, const char *what, const char *fmt, ...)
{
	struct vrow *r = vrow_new(t, V_SKIP, ref);
	va_list ap;

	if (!r)
		return;
	snprintf(r->what, sizeof(r->what), "%s", what);
	strcpy(r->verdict, "skipped: ");
	va_start(ap, fmt);
	vsnprintf(r->verdict + strlen(r->verdict), sizeof(r->verdict) - strlen(r->verdict), fmt, ap);
	va_end(ap);
}

static void vinfo(struct vtable *t, const char *ref, const char *what, const char *expected, const char *simulated,
		  const char *note)
{
	struct vrow *r = vrow_new(t, V_INFO, ref);
	if (!r)
		return;
	snprintf(r->what, sizeof(r->what), "%s", what);
	snprintf(r->expected, sizeof(r->expected), "%s", expected);
	snprintf(r->simulated, sizeof(r->simulated), "%s", simulated);
	snprintf(r->verdict, sizeof(r->verdict), "info: %s", note);
}

/* A check that could not run because something failed: a FAIL with the message. */
static void verror(struct vtable *t, const char *ref, const char *what, const char *msg)
{
	struct vrow *r = vrow_new(t, V_FAIL, ref);
	if (!r)
		return;
	snprintf(r->what, sizeof(r->what), "%s", what);
	snprintf(r->simulated, sizeof(r->simulated), "error: %s", msg);
}

/* Display width: UTF-8 continuation bytes take no column ("§"). */
static size_t text_width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xC0) != 0x80;
	return w;
}

static void print_cell(const char *s, size_t w, bool last)
{
	printf(" %s%*s |%s", s, (int)(w - text_width(s)), "", last ? "\n" : "");
}

/* --wide: every cell in full, one line per row. */
static void vtable_print_wide(const struct vtable *t)
{
	static const char *const head[6] = { "reference", "kind", "what was compared", "expected", "simulated",
					     "verdict" };
	size_t w[6];

	for (unsigned c = 0; c < 6; c++)
		w[c] = text_width(head[c]);
	for (size_t i = 0; i < t->n; i++) {
		const struct vrow *r = &t->rows[i];
		const char *cell[6] = { r->ref, vkind_name[r->kind], r->what, r->expected, r->simulated, r->verdict };
		for (unsigned c = 0; c < 6; c++)
			if (text_width(cell[c]) > w[c])
				w[c] = text_width(cell[c]);
	}
	printf("|");
	for (unsigned c = 0; c < 6; c++)
		print_cell(head[c], w[c], c == 5);
	printf("|");
	for (unsigned c = 0; c < 6; c++) {
		printf("-");
		for (size_t k = 0; k < w[c]; k++)
			printf("-");
		printf("-|%s", c == 5 ? "\n" : "");
	}
	for (size_t i = 0; i < t->n; i++) {
		const struct vrow *r = &t->rows[i];
		const char *cell[6] = { r->ref, vkind_name[r->kind], r->what, r->expected, r->simulated, r->verdict };
		printf("|");
		for (unsigned c = 0; c < 6; c++)
			print_cell(cell[c], w[c], c == 5);
	}
}

/*
 * Next line of `s` (from *pos) that fits `w` columns: break at the last
 * blank that fits, or hard at w columns (never inside a UTF-8 sequence).
 * @return bytes taken into out (NUL-terminated); *pos moves past them.
 */
static void wrap_next(const char *s, size_t *pos, size_t w, char *out, size_t outlen)
{
	const char *p = s + *pos, *brk = NULL, *q = p;
	size_t cols = 0;

	while (*p == ' ')
		p++;
	q = p;
	while (*q && cols < w) {
		if (*q == ' ')
			brk = q;
		q++;
		while (((unsigned char)*q & 0xC0) == 0x80)
			q++;
		cols++;
	}
	if (*q && *q != ' ' && brk)
		q = brk;
	snprintf(out, outlen, "%.*s", (int)(q - p), p);
	*pos = (size_t)(q - s);
}

/*
 * The default view: fits 100 columns.  The reference becomes a number [n]
 * listed under the table; long cells wrap onto continuation lines; the
 * verdict is one word and its detail joins the simulated cell.
 */
#define COMPACT_COLS 6
static void vtable_print_compact(const struct vtable *t)
{
	static const char *const head[COMPACT_COLS] = { "ref", "kind", "what was compared", "expected", "simulated",
							"verdict" };
	static const size_t w[COMPACT_COLS] = { 4, 5, 31, 16, 18, 7 };    /* 1 + 81 + 6 x 3 = 100 */
	const char *refs[512];
	size_t nrefs = 0;

	printf("|");
	for (unsigned c = 0; c < COMPACT_COLS; c++)
		print_cell(head[c], w[c], c == COMPACT_COLS - 1);
	printf("|");
	for (unsigned c = 0; c < COMPACT_COLS; c++) {
		printf("-");
		for (size_t k = 0; k < w[c]; k++)
			printf("-");
		printf("-|%s", c == COMPACT_COLS - 1 ? "\n" : "");
	}
	for (size_t i = 0; i < t->n; i++) {
		const struct vrow *r = &t->rows[i];
		char ref[16], sim[512], word[16], line[COMPACT_COLS][128];
		const char *detail = r->verdict;
		size_t k, pos[COMPACT_COLS] = { 0 };

		for (k = 0; k < nrefs && strcmp(refs[k], r->ref); k++)
			;
		if (k == nrefs && nrefs < sizeof(refs) / sizeof(refs[0]))
			refs[nrefs++] = r->ref;
		snprintf(ref, sizeof(ref), "[%zu]", k + 1);
		snprintf(word, sizeof(word), "%s", r->v == V_SKIP ? "skip" : r->v == V_PASS ? "pass" : r->v == V_FAIL ?
			 "FAIL" : r->v == V_MISS ? "miss" : "info");
		/* the verdict's detail past its first word ("skipped: why", "info: note", "FAIL (harness...)") */
		detail += strcspn(detail, " :(");
		detail += strspn(detail, " :");
		snprintf(sim, sizeof(sim), "%s%s%s", r->simulated, *r->simulated && *detail ? "; " : "", detail);
		const char *cell[COMPACT_COLS] = { ref, vkind_short[r->kind], r->what, r->expected, sim, word };
		for (bool more = true; more;) {
			more = false;
			printf("|");
			for (unsigned c = 0; c < COMPACT_COLS; c++) {
				wrap_next(cell[c], &pos[c], w[c], line[c], sizeof(line[c]));
				print_cell(line[c], w[c], c == COMPACT_COLS - 1);
			}
			for (unsigned c = 0; c < COMPACT_COLS; c++)
				if (cell[c][pos[c] + strspn(cell[c] + pos[c], " ")])
					more = true;
		}
	}
	printf("\nReferences:\n");
	for (size_t k = 0; k < nrefs; k++) {
		char line[128];
		size_t pos = 0;
		bool first = true;
		do {
			wrap_next(refs[k], &pos, 94, line, sizeof(line));
			if (first)
				printf("[%zu]%*s%s\n", k + 1, k + 1 < 10 ? 2 : 1, "", line);
			else
				printf("     %s\n", line);
			first = false;
		} while (refs[k][pos + strspn(refs[k] + pos, " ")]);
	}
}

static void vtable_count(const struct vtable *t, size_t *cnt)
{
	for (unsigned v = 0; v < NR_VERDICTS; v++)
		cnt[v] = 0;
	for (size_t i = 0; i < t->n; i++)
		cnt[t->rows[i].v]++;
}

static char *vtable_json(const struct vtable *t)
{
	static const char *const vname[NR_VERDICTS] = { "pass", "fail", "skipped", "info", "miss" };
	json_t *root = json_object(), *arr = json_array();
	size_t cnt[NR_VERDICTS];

	vtable_count(t, cnt);
	for (size_t i = 0; i < t->n; i++) {
		const struct vrow *r = &t->rows[i];
		json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "reference", r->ref, "kind",
						     vkind_name[r->kind], "what", r->what, "expected", r->expected,
						     "simulated", r->simulated, "verdict", vname[r->v], "detail",
						     r->verdict));
	}
	json_object_set_new(root, "checks", arr);
	json_object_set_new(root, "summary", json_pack("{s:I,s:I,s:I,s:I,s:I}", "pass", (json_int_t)cnt[V_PASS],
						       "fail", (json_int_t)cnt[V_FAIL], "skipped", (json_int_t)cnt[V_SKIP],
						       "info", (json_int_t)cnt[V_INFO], "miss", (json_int_t)cnt[V_MISS]));
	char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	return s;
}

/* ---- (a) cachegrind ------------------------------------------------------------- */

#define CG_PROG_ARGS "sort", "--parallel=1", "-S", "1M", "sort.in"
#define CG_PROG_TEXT "sort --parallel=1 -S 1M (1200 generated lines)"

static const char *const cg_tmp_files[] = { "sort.in", "trace.lackey", "cg0.out", "cg1.out", "cg2.out",
					    "prog.out", "valgrind.log" };

static const char *find_valgrind(void)
{
	/* the runs use PATH=/usr/bin:/bin, so that is where it has to be */
	if (!access("/usr/bin/valgrind", X_OK))
		return "/usr/bin/valgrind";
	if (!access("/bin/valgrind", X_OK))
		return "/bin/valgrind";
	return NULL;
}

/*
 * Run `env -i PATH=/usr/bin:/bin valgrind TOOL-ARGS... PROGRAM` in dir with
 * stdin from /dev/null and stdout/stderr to files there: both tools must
 * see exactly the same execution (environment, arguments, streams, cwd,
 * and the signal dispositions this process passes on to both).
 */
static int run_under_valgrind(const char *dir, const char *const *tool_args, char *err, size_t errlen)
{
	const char *argv[32];
	unsigned n = 0;
	pid_t pid;
	int status;

	argv[n++] = "env";
	argv[n++] = "-i";
	argv[n++] = "PATH=/usr/bin:/bin";
	argv[n++] = "valgrind";
	for (unsigned i = 0; tool_args[i]; i++)
		argv[n++] = tool_args[i];
	const char *prog[] = { CG_PROG_ARGS };
	for (unsigned i = 0; i < sizeof(prog) / sizeof(prog[0]); i++)
		argv[n++] = prog[i];
	argv[n] = NULL;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return sim_errf(err, errlen, SIM_EIO, "fork: %s", strerror(errno));
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY);
		if (chdir(dir) || in < 0)
			_exit(126);
		int out = open("prog.out", O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int log = open("valgrind.log", O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (out < 0 || log < 0)
			_exit(126);
		dup2(in, 0);
		dup2(out, 1);
		dup2(log, 2);
		execv("/usr/bin/env", (char *const *)argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return sim_errf(err, errlen, SIM_EIO, "waitpid: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return sim_errf(err, errlen, SIM_EIO, "valgrind %s exited with status %d (see %s/valgrind.log)",
				tool_args[0], WIFEXITED(status) ? WEXITSTATUS(status) : -1, dir);
	return 0;
}

static int read_cg_summary(const char *path, uint64_t *v, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "r");
	char line[4096];
	int rc = sim_errf(err, errlen, SIM_EIO, "%s: no summary: line", path);

	if (!fp)
		return sim_errf(err, errlen, SIM_EIO, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), fp)) {
		if (strncmp(line, "summary:", 8))
			continue;
		char *p = line + 8, *end;
		unsigned i;
		for (i = 0; i < NR_CG_EVENTS; i++) {
			v[i] = strtoull(p, &end, 10);
			if (end == p)
				break;
			p = end;
		}
		rc = i == NR_CG_EVENTS ? 0 : sim_errf(err, errlen, SIM_EIO, "%s: short summary: line", path);
		break;
	}
	fclose(fp);
	return rc;
}

static void fmt_events(char *buf, size_t len, const uint64_t *v)
{
	size_t o = 0;
	buf[0] = '\0';
	for (unsigned i = 0; i < NR_CG_EVENTS && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%llu", i ? " " : "", (unsigned long long)v[i]);
}

/* A fixed pseudo-random input (no host randomness: the same file every time). */
static int write_sort_input(const char *path, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "w");
	uint32_t x = 2463534242u;

	if (!fp)
		return sim_errf(err, errlen, SIM_EIO, "%s: %s", path, strerror(errno));
	for (unsigned i = 0; i < 1200; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		fprintf(fp, "%06u %c%c%c%c\n", x % 1000000, 'a' + (x >> 8) % 26, 'a' + (x >> 13) % 26,
			'a' + (x >> 18) % 26, 'a' + (x >> 23) % 26);
	}
	return fclose(fp) ? sim_errf(err, errlen, SIM_EIO, "%s: write failed", path) : 0;
}

struct cg_geom_set {
	const char *name;
	const char *i1, *d1, *ll;
	bool tlb;
};

static void check_cachegrind(struct vtable *t)
{
	static const struct cg_geom_set sets[] = {
		{ "4 KiB 2-way L1s, 64 KiB 8-way LL", "4096,2,64", "4096,2,64", "65536,8,64", false },
		{ "32 KiB I1, 48 KiB 12-way D1, 1.25 MiB 20-way LL", "32768,8,64", "49152,12,64", "1310720,20,64", false },
		{ "TLBs: ITLB 128x8, DTLB 64x4, STLB 1536x12, 4 KiB pages", "524288,8,4096", "262144,4,4096",
		  "6291456,12,4096", true },
	};
	const char *ref = "Valgrind cachegrind";
	char dir[256], path[512], err[512];
	const char *tmp = getenv("TMPDIR");

	if (!find_valgrind()) {
		vskip(t, ref, "cachegrind summary vs numasim cachegrind", "valgrind not installed");
		return;
	}
	snprintf(dir, sizeof(dir), "%s/numasim-validate.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		verror(t, ref, "cachegrind summary vs numasim cachegrind", strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "%s/sort.in", dir);
	const char *lackey_args[] = { "--tool=lackey", "--trace-mem=yes", "--log-file=trace.lackey", NULL };
	if (write_sort_input(path, err, sizeof(err)) || run_under_valgrind(dir, lackey_args, err, sizeof(err))) {
		verror(t, ref, "lackey recording of " CG_PROG_TEXT, err);
		goto out;
	}
	snprintf(path, sizeof(path), "%s/trace.lackey", dir);
	for (unsigned g = 0; g < sizeof(sets) / sizeof(sets[0]); g++) {
		const struct cg_geom_set *s = &sets[g];
		char a1[64], a2[64], a3[64], out[64], what[192], want_s[128], got_s[128], cgout[512];
		uint64_t want[NR_CG_EVENTS], *got;
		struct cg_replay_opts o = { .format = TFMT_LACKEY };
		struct cg_replay_result r;

		snprintf(a1, sizeof(a1), "--I1=%s", s->i1);
		snprintf(a2, sizeof(a2), "--D1=%s", s->d1);
		snprintf(a3, sizeof(a3), "--LL=%s", s->ll);
		snprintf(out, sizeof(out), "--cachegrind-out-file=cg%u.out", g);
		snprintf(cgout, sizeof(cgout), "%s/cg%u.out", dir, g);
		snprintf(what, sizeof(what), "%s, %s: Ir I1mr ILmr Dr D1mr DLmr Dw D1mw DLmw", CG_PROG_TEXT, s->name);
		const char *cg_args[] = { "--tool=cachegrind", "--cache-sim=yes", a1, a2, a3, out, NULL };
		if (run_under_valgrind(dir, cg_args, err, sizeof(err)) || read_cg_summary(cgout, want, err, sizeof(err))) {
			verror(t, ref, what, err);
			continue;
		}
		if (s->tlb) {
			o.tlb = o.stlb = true;
			cg_geom_parse(s->i1, &o.itlb, err, sizeof(err));
			cg_geom_parse(s->d1, &o.dtlb, err, sizeof(err));
			cg_geom_parse(s->ll, &o.stlb_geom, err, sizeof(err));
		} else {
			o.caches = true;
			cg_geom_parse(s->i1, &o.i1, err, sizeof(err));
			cg_geom_parse(s->d1, &o.d1, err, sizeof(err));
			cg_geom_parse(s->ll, &o.ll, err, sizeof(err));
		}
		if (cg_replay(path, &o, &r, err, sizeof(err))) {
			verror(t, ref, what, err);
			continue;
		}
		got = s->tlb ? r.tlb : r.cache;
		fmt_events(want_s, sizeof(want_s), want);
		fmt_events(got_s, sizeof(got_s), got);
		if (want[CG_IR] != got[CG_IR] || want[CG_DR] != got[CG_DR] || want[CG_DW] != got[CG_DW]) {
			struct vrow *row = vrow_new(t, V_FAIL, ref);
			if (row) {
				snprintf(row->what, sizeof(row->what), "%s", what);
				snprintf(row->expected, sizeof(row->expected), "%s", want_s);
				snprintf(row->simulated, sizeof(row->simulated), "%s", got_s);
				snprintf(row->verdict, sizeof(row->verdict),
					 "FAIL (harness: Ir/Dr/Dw differ, the two runs were different executions)");
			}
			continue;
		}
		if (s->tlb && r.page0_refs) {
			vskip(t, ref, what, "%llu references touch page 0, where cachegrind starts with a present tag",
			      (unsigned long long)r.page0_refs);
			continue;
		}
		vcheck(t, !memcmp(want, got, sizeof(want)), ref, what, want_s, got_s);
	}
out:
	for (unsigned i = 0; i < sizeof(cg_tmp_files) / sizeof(cg_tmp_files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, cg_tmp_files[i]);
		unlink(path);
	}
	rmdir(dir);
}

/* ---- (b) published hardware figures ------------------------------------------------ */

static double jnum(const json_t *o, const char *key, double def)
{
	json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : def;
}

static void preset_ref(char *buf, size_t len, const char *preset, const char *source)
{
	snprintf(buf, len, "%s: %.100s", preset, source ? source : "(no source)");
}

/* "preset: source" of one calibration entry: its own "source", else the calibration's. */
static void entry_ref(char *buf, size_t len, const char *preset, json_t *el, json_t *cal)
{
	const char *src = json_string_value(json_object_get(el, "source"));

	preset_ref(buf, len, preset, src ? src : json_string_value(json_object_get(cal, "source")));
}

/* One row per {cpu_node, mem_node, ns} entry: the simulated MLC idle latency within 10%. */
static void check_idle_rows(struct vtable *t, const struct machine_desc *m, const char *name, const char *ref,
			    json_t *arr)
{
	struct mlc_opts o = MLC_OPTS_DEFAULT;
	char what[192], exp_s[128], got_s[128], err[1024], eref[128];
	json_t *el;
	size_t i;

	json_array_foreach(arr, i, el) {
		unsigned c = (unsigned)jnum(el, "cpu_node", -1), n = (unsigned)jnum(el, "mem_node", -1);
		double want = jnum(el, "ns", 0), got;
		const char *src = json_string_value(json_object_get(el, "source"));
		if (src)
			preset_ref(eref, sizeof(eref), name, src);
		snprintf(what, sizeof(what), "MLC idle latency, CPU node %u -> memory node %u (within 10%%)", c, n);
		if (c >= m->hw.nr_nodes || n >= m->hw.nr_nodes || want <= 0) {
			verror(t, src ? eref : ref, what, "calibration entry names a node the preset does not have");
			continue;
		}
		if (mlc_latency(&m->hw, &o, c, n, &got, err, sizeof(err))) {
			verror(t, src ? eref : ref, what, err);
			continue;
		}
		snprintf(exp_s, sizeof(exp_s), "%.1f ns", want);
		snprintf(got_s, sizeof(got_s), "%.1f ns (%+.1f%%)", got, (got / want - 1) * 100);
		vcheck(t, got >= want * 0.9 && got <= want * 1.1, src ? eref : ref, what, exp_s, got_s);
	}
}

static void check_preset(struct vtable *t, const char *name, const char *json_text)
{
	json_error_t jerr;
	json_t *root = json_loads(json_text, 0, &jerr), *cal, *arr, *el;
	struct machine_desc *m = NULL;
	struct mlc_opts o = MLC_OPTS_DEFAULT;
	double local_bw[HW_MAX_NODES] = { 0 };
	char ref[128], what[192], exp_s[128], got_s[128], err[1024];
	size_t i;

	if (!root) {
		snprintf(err, sizeof(err), "line %d: %s", jerr.line, jerr.text);
		verror(t, name, "preset JSON", err);
		return;
	}
	cal = json_object_get(root, "calibration");
	if (!json_is_object(cal))
		goto out;   /* nothing published to compare with */
	preset_ref(ref, sizeof(ref), name, json_string_value(json_object_get(cal, "source")));
	m = calloc(1, sizeof(*m));
	if (!m || machine_load(m, name, NULL, 0, err, sizeof(err))) {
		verror(t, ref, "load the preset", m ? err : "out of memory");
		goto out;
	}
	check_idle_rows(t, m, name, ref, json_object_get(cal, "idle_ns"));
	arr = json_object_get(cal, "bw_ratio");
	json_array_foreach(arr, i, el) {
		unsigned c = (unsigned)jnum(el, "cpu_node", -1), n = (unsigned)jnum(el, "mem_node", -1);
		double want = jnum(el, "ratio", 0), tol = jnum(el, "tolerance", 0), remote;
		char bref[128];
		entry_ref(bref, sizeof(bref), name, el, cal);
		snprintf(what, sizeof(what), "MLC read bandwidth ratio remote/local, CPU node %u: memory %u vs %u", c, n, c);
		if (c >= m->hw.nr_nodes || n >= m->hw.nr_nodes || want <= 0 || tol <= 0) {
			verror(t, bref, what, "calibration entry incomplete (node, ratio or tolerance)");
			continue;
		}
		if ((!local_bw[c] && mlc_bandwidth(&m->hw, &o, c, c, &local_bw[c], err, sizeof(err))) ||
		    mlc_bandwidth(&m->hw, &o, c, n, &remote, err, sizeof(err))) {
			verror(t, bref, what, err);
			continue;
		}
		double got = local_bw[c] > 0 ? remote / local_bw[c] : 0;
		snprintf(exp_s, sizeof(exp_s), "%.3f (%.3f-%.3f)", want, want * (1 - tol), want * (1 + tol));
		snprintf(got_s, sizeof(got_s), "%.3f (%.1f / %.1f GB/s)", got, remote / 1000, local_bw[c] / 1000);
		vcheck(t, got >= want * (1 - tol) && got <= want * (1 + tol), bref, what, exp_s, got_s);
	}
	if (!json_array_size(json_object_get(cal, "bw_ratio"))) {
		const char *why = json_string_value(json_object_get(cal, "bw_remote_over_local"));
		vskip(t, ref, "MLC read bandwidth ratio remote/local", "no numeric target in the calibration%s%.80s",
		      why ? ": " : "", why ? why : "");
	}
	arr = json_object_get(cal, "bw_gbps");
	json_array_foreach(arr, i, el) {
		unsigned c = (unsigned)jnum(el, "cpu_node", -1), n = (unsigned)jnum(el, "mem_node", -1);
		double want = jnum(el, "gbps", 0), tol = jnum(el, "tolerance", 0), got;
		char bref[128];
		entry_ref(bref, sizeof(bref), name, el, cal);
		snprintf(what, sizeof(what), "MLC read bandwidth, CPU node %u -> memory node %u (absolute)", c, n);
		if (c >= m->hw.nr_nodes || n >= m->hw.nr_nodes || want <= 0 || tol <= 0) {
			verror(t, bref, what, "calibration entry incomplete (node, GB/s or tolerance)");
			continue;
		}
		if (mlc_bandwidth(&m->hw, &o, c, n, &got, err, sizeof(err))) {
			verror(t, bref, what, err);
			continue;
		}
		got /= 1000;
		snprintf(exp_s, sizeof(exp_s), "%.1f GB/s (%.1f-%.1f)", want, want * (1 - tol), want * (1 + tol));
		snprintf(got_s, sizeof(got_s), "%.2f GB/s (%+.1f%%)", got, (got / want - 1) * 100);
		vcheck(t, got >= want * (1 - tol) && got <= want * (1 + tol), bref, what, exp_s, got_s);
	}
	/* idle latencies the preset was not fitted to */
	t->kind = VK_PRED;
	check_idle_rows(t, m, name, ref, json_object_get(cal, "predictions"));
	/* absolute local bandwidth: published, but not a calibration criterion */
	if (jnum(cal, "bw_local_gbps", 0) > 0) {
		double want = jnum(cal, "bw_local_gbps", 0);
		if (!local_bw[0] && mlc_bandwidth(&m->hw, &o, 0, 0, &local_bw[0], err, sizeof(err))) {
			verror(t, ref, "MLC local read bandwidth, node 0", err);
		} else {
			snprintf(exp_s, sizeof(exp_s), "%.1f GB/s", want);
			snprintf(got_s, sizeof(got_s), "%.1f GB/s (%+.0f%%)", local_bw[0] / 1000,
				 (local_bw[0] / 1000 / want - 1) * 100);
			vinfo(t, ref, "MLC local read bandwidth, node 0 (absolute)", exp_s, got_s,
			      "not a calibration criterion (only the ratio is)");
		}
	}
	t->kind = VK_CALIB;
out:
	free(m);
	json_decref(root);
}

static void check_presets(struct vtable *t, const char *only_preset)
{
	bool any = false;

	for (const struct preset_blob *p = preset_blobs; p->name; p++) {
		if (only_preset && strcmp(only_preset, p->name))
			continue;
		any = true;
		check_preset(t, p->name, p->json);
	}
	if (!any)
		vskip(t, "presets", "published MLC figures", only_preset ? "no preset named %s" : "%s",
		      only_preset ? only_preset : "no built-in presets");
}

/* ---- (b2) predictions: published figures no preset was fitted to ------------------------ */

/*
 * Each expected figure and its tolerance were fixed from the source before
 * the model was run on it; they are never moved to match the model.  The
 * workloads are experiments/wl_mlc.c traces replayed by the full engine, so
 * these rows move when the core model does.
 */
static const struct {
	const char *preset;
	double gbps;
	const char *source;
} single_core_bw[] = {
	{ "skx-2s", 12.0, "AnandTech 11544 (2017) p.12: 1-thread STREAM Triad, Xeon Platinum 8176, DDR4-2666: 12 GB/s" },
	{ "kunpeng920-4n", 12.5, "[S34] wayca-scheduler Hardware_Param_Digging: 1 thread, node 0 memory (lmbench)" },
};
#define SINGLE_CORE_TOL 0.25

/* Loaded-latency knee: [S2]'s 2S curve, 101.2 ns at 111.6 GB/s (44% of peak) and at most 215.7 GB/s (84%). */
static const char *const knee_source =
	"[S2] FD.io CSIT MLC v3.5 loaded latency, 2x 8180: 101.2 ns @ 111.6 GB/s, max 215.7 of 256 GB/s";
static const uint32_t knee_delays[] = { 0, 100, 500, 1700, 5000, 20000 };

/* GUPS: Basu et al., "Efficient Virtual Memory for Big Memory Servers", ISCA 2013. */
static const char *const gups_source =
	"Basu et al., ISCA 2013 (direct segments): GUPS with 4 KiB pages, >80% of cycles in DTLB misses";

static int pred_tmpdir(char *dir, size_t len, char *err, size_t errlen)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, len, "%s/numasim-validate.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return sim_errf(err, errlen, SIM_EIO, "%s: %s", dir, strerror(errno));
	return 0;
}

/* One measured thread (thread 1 of a wl_mlc trace) alone on CPU 0 after the init thread on CPU 1. */
static int pred_replay(const char *preset, enum wlmlc_lat_pattern pat, uint64_t buffer, uint64_t loads, bool thp,
		       double *window_ns, double *walk_share, char *err, size_t errlen)
{
	struct mlcl_opts o;
	struct wlmlc_spec s;
	char dir[512], path[600];
	json_t *rep = NULL;
	size_t i;
	json_t *el;
	double t0 = -1, end = -1, life = 0, walk = 0, n = 0;
	int rc;

	mlcl_opts_init(&o);
	o.machine = preset;
	wlmlc_spec_init(&s);
	s.lat_pattern = pat;
	s.lat_buffer = buffer;
	s.lat_loads = loads;
	s.thp = thp;
	s.node = 0;
	s.lat_cpu = 0;
	s.init_cpu = 1;
	if ((rc = pred_tmpdir(dir, sizeof(dir), err, errlen)))
		return rc;
	snprintf(path, sizeof(path), "%s/predict.nst", dir);
	rc = mlcl_replay_report(&o, &s, path, &rep, err, errlen);
	rmdir(dir);
	if (rc)
		return rc;
	json_array_foreach(json_object_get(rep, "cpus"), i, el) {
		json_t *c = json_object_get(el, "counters");
		double cpu = jnum(el, "cpu", -1);
		if (cpu == 1)
			t0 = jnum(el, "time_ns", -1);
		if (cpu == 0) {
			end = jnum(el, "time_ns", -1);
			n = jnum(c, "accesses", 0);
			life = jnum(c, "thread_ps", 0);
			walk = jnum(c, "walk_active_ps", 0);
		}
	}
	json_decref(rep);
	if (t0 < 0 || end <= t0 || n != (double)loads || life <= 0)
		return sim_errf(err, errlen, SIM_EIO, "the measured thread did not replay its %llu loads",
				(unsigned long long)loads);
	*window_ns = end - t0;
	/* the share of the thread's lifetime with a walk in progress (DTLB_LOAD_MISSES.WALK_ACTIVE / cycles) */
	*walk_share = walk / life;
	return 0;
}

static bool preset_wanted(const char *only, const char *name)
{
	return !only || !strcmp(only, name);
}

static void predict_single_core(struct vtable *t, const char *only)
{
	for (size_t k = 0; k < sizeof(single_core_bw) / sizeof(single_core_bw[0]); k++) {
		const char *what = "single-core read bandwidth: 1 thread, independent loads, 16 MiB (within 25%)";
		char ref[128], exp_s[128], got_s[128], err[1024];
		double win, share, want = single_core_bw[k].gbps, got;
		uint64_t loads = 262144;

		if (!preset_wanted(only, single_core_bw[k].preset))
			continue;
		snprintf(ref, sizeof(ref), "%s: %s", single_core_bw[k].preset, single_core_bw[k].source);
		if (pred_replay(single_core_bw[k].preset, WLMLC_STREAM, 64ULL << 20, loads, true, &win, &share, err,
				sizeof(err))) {
			verror(t, ref, what, err);
			continue;
		}
		got = (double)loads * 64 / win;      /* bytes per ns = GB/s */
		snprintf(exp_s, sizeof(exp_s), "%.1f GB/s (%.1f-%.1f)", want, want * (1 - SINGLE_CORE_TOL),
			 want * (1 + SINGLE_CORE_TOL));
		snprintf(got_s, sizeof(got_s), "%.2f GB/s (%+.0f%%)", got, (got / want - 1) * 100);
		vcheck(t, got >= want * (1 - SINGLE_CORE_TOL) && got <= want * (1 + SINGLE_CORE_TOL), ref, what,
		       exp_s, got_s);
	}
}

static void predict_gups(struct vtable *t, const char *only)
{
	const char *what = "page-walk share of cycles (walk active), GUPS updates over 1 GiB, 4 KiB pages";
	char ref[128], got_s[128], err[1024];
	double win, share;

	if (!preset_wanted(only, "skx-2s"))
		return;
	snprintf(ref, sizeof(ref), "skx-2s: %s", gups_source);
	if (pred_replay("skx-2s", WLMLC_GUPS, 1ULL << 30, 100000, false, &win, &share, err, sizeof(err))) {
		verror(t, ref, what, err);
		return;
	}
	snprintf(got_s, sizeof(got_s), "%.1f%%", share * 100);
	vcheck(t, share >= 0.80, ref, what, "> 80%", got_s);
}

static void predict_knee(struct vtable *t, const char *only)
{
	const char *w1 = "loaded latency <= 1.25x idle while bandwidth <= 50% of the node's DDR peak";
	const char *w2 = "loaded-latency saturation: highest bandwidth 70-90% of the node's DDR peak";
	struct machine_desc *m;
	struct mlcl_opts o;
	struct mlcl_point pt;
	char ref[128], dir[512], err[1024], got_s[128], exp_s[128];
	double idle, peak, worst = 0, worst_bw = 0, max_bw = 0;
	double lat_bw[sizeof(knee_delays) / sizeof(knee_delays[0])], lat_ns[sizeof(knee_delays) / sizeof(knee_delays[0])];
	size_t nlat = 0;
	bool knee_ok = true;

	if (!preset_wanted(only, "skx-2s"))
		return;
	snprintf(ref, sizeof(ref), "skx-2s: %s", knee_source);
	m = calloc(1, sizeof(*m));
	if (!m || machine_load(m, "skx-2s", NULL, 0, err, sizeof(err)) || pred_tmpdir(dir, sizeof(dir), err, sizeof(err))) {
		verror(t, ref, w1, m ? err : "out of memory");
		free(m);
		return;
	}
	{
		const struct ddr_cfg *d = &m->hw.nodes[0].ddr;
		peak = (double)d->channels * d->bus_bytes * 2.0 * 1e6 / (double)d->tCK / 1000.0;   /* GB/s */
	}
	mlcl_opts_init(&o);
	o.machine = "skx-2s";
	o.lat_loads = 2000;
	/*
	 * 2 MiB pages, as MLC allocates them; "idle" is the same chase at the
	 * longest delay (the same pages and page tables, injectors nearly
	 * silent), not the published idle figure.
	 */
	o.small_pages = false;
	for (size_t k = 0; k < sizeof(knee_delays) / sizeof(knee_delays[0]); k++) {
		double bw;
		if (mlcl_measure(&o, m, knee_delays[k], dir, &pt, err, sizeof(err))) {
			verror(t, ref, w1, err);
			rmdir(dir);
			free(m);
			return;
		}
		bw = pt.bandwidth_mbps / 1000;
		if (bw > max_bw)
			max_bw = bw;
		lat_bw[nlat] = bw;
		lat_ns[nlat++] = pt.latency_ns;
	}
	rmdir(dir);
	/*
	 * Idle: the last (20000-delay) step, whose injectors add about 0.2 GB/s:
	 * the same chase, pages and page tables as the loaded steps.
	 */
	idle = pt.latency_ns;
	knee_ok = true;
	worst = 0;
	for (size_t k = 0; k < nlat; k++)
		if (lat_bw[k] <= peak / 2) {
			if (lat_ns[k] > 1.25 * idle)
				knee_ok = false;
			if (lat_ns[k] / idle > worst) {
				worst = lat_ns[k] / idle;
				worst_bw = lat_bw[k];
			}
		}
	snprintf(exp_s, sizeof(exp_s), "<= %.1f ns (idle %.1f)", 1.25 * idle, idle);
	snprintf(got_s, sizeof(got_s), "worst %.2fx idle at %.1f GB/s", worst, worst_bw);
	vcheck(t, knee_ok, ref, w1, exp_s, got_s);
	snprintf(exp_s, sizeof(exp_s), "%.1f-%.1f GB/s", 0.7 * peak, 0.9 * peak);
	snprintf(got_s, sizeof(got_s), "%.1f GB/s (%.0f%% of %.1f)", max_bw, max_bw / peak * 100, peak);
	vcheck(t, max_bw >= 0.7 * peak && max_bw <= 0.9 * peak, ref, w2, exp_s, got_s);
	free(m);
}

static void check_predictions(struct vtable *t, const char *only)
{
	predict_single_core(t, only);
	predict_knee(t, only);
	predict_gups(t, only);
}

/* ---- (c) Linux's worked vectors (docs/sources.md) --------------------------------------- */

static int linux_physmem(physmem_t **pm, const struct os_cfg *c, const struct physmem_layout *l, struct vtable *t,
			 const char *ref)
{
	char err[512];
	int rc = physmem_create(pm, c, l, err, sizeof(err));
	if (rc)
		verror(t, ref, "build the machine", err);
	return rc;
}

static int os_defaults(struct os_cfg *c, struct vtable *t, const char *ref)
{
	char err[512];

	memset(c, 0, sizeof(*c));
	if (cfg_defaults(&os_cfg_table, c, err, sizeof(err))) {
		verror(t, ref, "os defaults", err);
		return -1;
	}
	return 0;
}

/* nr nodes back to back from pfn 0, cpus[n] CPUs each, distances from d (NULL: 10/21). */
static void layout(struct physmem_layout *l, unsigned nr, const uint64_t *pages, const unsigned *cpus,
		   const uint32_t (*d)[4])
{
	uint64_t base = 0;
	unsigned cpu = 0;

	memset(l, 0, sizeof(*l));
	l->nr_nodes = nr;
	for (unsigned n = 0; n < nr; n++) {
		l->base_pfn[n] = base;
		l->pages[n] = pages[n];
		base += pages[n];
		for (unsigned k = 0; k < nr; k++)
			l->distance[n][k] = d ? d[n][k] : n == k ? 10 : 21;
		for (unsigned c = 0; c < cpus[n]; c++)
			l->cpu_node[cpu++] = (uint16_t)n;
	}
	l->nr_cpus = cpu;
}

static void fmt_u64s(char *buf, size_t len, const uint64_t *v, unsigned n, const char *sep)
{
	size_t o = 0;
	buf[0] = '\0';
	for (unsigned i = 0; i < n && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%llu", i ? sep : "", (unsigned long long)v[i]);
}

/* §3.2 live table, §3.3 protection, §3.1 pcp sizes: one 2-CPU node as the reference's live 6.18 guest. */
static void linux_live_vector(struct vtable *t)
{
	static const struct {
		enum zone_type z;
		uint64_t wm[NR_WMARK];
		uint64_t prot[MAX_NR_ZONES];
		int batch, high_min, high_max;      /* -1: no pcp vector */
	} want[] = {
		{ ZONE_DMA, { 36, 45, 54, 63 }, { 0, 3019, 6859, 6859, 6859 }, 1, 22, 240 },
		{ ZONE_DMA32, { 7420, 9275, 11130, 12985 }, { 0, 0, 3840, 3840, 3840 }, 63, 4637, 48307 },
		{ ZONE_NORMAL, { 9438, 11797, 14156, 16515 }, { 0, 0, 0, 0, 0 }, -1, -1, -1 },
		{ ZONE_MOVABLE, { 32, 32, 32, 32 }, { 0, 0, 0, 0, 0 }, -1, -1, -1 },
	};
	const char *ref = "sources.md §3.2 live 6.18";
	struct os_cfg c;
	struct physmem_layout l;
	physmem_t *pm;
	uint64_t pages[1] = { 1 + 3840 + 772918 + 983040 };
	unsigned cpus[1] = { 2 };
	char what[192], e[128], g[128];

	if (os_defaults(&c, t, ref))
		return;
	c.thp = THP_MADVISE;
	c.zone_dma = 3841ULL << 12;
	c.zone_dma32_end = (3841ULL + 772918) << 12;
	layout(&l, 1, pages, cpus, NULL);
	if (linux_physmem(&pm, &c, &l, t, ref))
		return;
	snprintf(g, sizeof(g), "%llu KiB", (unsigned long long)physmem_min_free_kbytes(pm));
	vcheck(t, physmem_min_free_kbytes(pm) == 67584, "sources.md §3.2 khugepaged",
	       "min_free_kbytes with THP, nz = 3 zones (DMA 3840, DMA32 772918, Normal 983040 managed)", "67584 KiB", g);
	for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct zone_info zi;
		physmem_zone_info(pm, 0, want[i].z, &zi);
		snprintf(what, sizeof(what), "%s watermarks min/low/high/promo", zone_names[want[i].z]);
		fmt_u64s(e, sizeof(e), want[i].wm, NR_WMARK, "/");
		fmt_u64s(g, sizeof(g), zi.watermark, NR_WMARK, "/");
		vcheck(t, !memcmp(zi.watermark, want[i].wm, sizeof(zi.watermark)), ref, what, e, g);
		snprintf(what, sizeof(what), "%s protection (lowmem_reserve)", zone_names[want[i].z]);
		fmt_u64s(e, sizeof(e), want[i].prot, MAX_NR_ZONES, ", ");
		fmt_u64s(g, sizeof(g), zi.lowmem_reserve, MAX_NR_ZONES, ", ");
		vcheck(t, !memcmp(zi.lowmem_reserve, want[i].prot, sizeof(zi.lowmem_reserve)),
		       "sources.md §3.3 live 6.18", what, e, g);
		if (want[i].batch < 0)
			continue;
		snprintf(what, sizeof(what), "%s pcp batch/high_min/high_max (2 CPUs)", zone_names[want[i].z]);
		snprintf(e, sizeof(e), "%d/%d/%d", want[i].batch, want[i].high_min, want[i].high_max);
		snprintf(g, sizeof(g), "%d/%d/%d", zi.pcp_batch, zi.pcp_high_min, zi.pcp_high_max);
		vcheck(t, zi.pcp_batch == want[i].batch && zi.pcp_high_min == want[i].high_min &&
			       zi.pcp_high_max == want[i].high_max,
		       "sources.md §3.1 live 6.18", what, e, g);
	}
	physmem_destroy(pm);
}

/* §3.2: 2 sockets, DMA + DMA32 + 2 x Normal (nz = 4) => 90,112 KiB. */
static void linux_min_free_two_sockets(struct vtable *t)
{
	const char *ref = "sources.md §3.2 khugepaged";
	struct os_cfg c;
	struct physmem_layout l;
	physmem_t *pm;
	uint64_t pages[2] = { 32ULL << 18, 32ULL << 18 };
	unsigned cpus[2] = { 8, 8 };
	char g[64];

	if (os_defaults(&c, t, ref))
		return;
	c.thp = THP_MADVISE;
	c.zone_dma = 16ULL << 20;
	c.zone_dma32_end = 4ULL << 30;
	layout(&l, 2, pages, cpus, NULL);
	if (linux_physmem(&pm, &c, &l, t, ref))
		return;
	snprintf(g, sizeof(g), "%llu KiB", (unsigned long long)physmem_min_free_kbytes(pm));
	vcheck(t, physmem_min_free_kbytes(pm) == 90112, ref,
	       "min_free_kbytes with THP, 2 sockets of 32 GiB (DMA, DMA32, 2 x Normal: nz = 4)", "90112 KiB", g);
	physmem_destroy(pm);
}

/* §1.3: 4 nodes, d(0,1)=d(0,2)=21, d(0,3)=31, d(1,3)=21, d(1,2)=31: node 0 -> 0,1,2,3; node 1 -> 1,3,0,2. */
static void linux_zonelist(struct vtable *t)
{
	static const uint32_t d[4][4] = { { 10, 21, 21, 31 }, { 21, 10, 31, 21 }, { 21, 31, 10, 21 }, { 31, 21, 21, 10 } };
	static const unsigned want[2][4] = { { 0, 1, 2, 3 }, { 1, 3, 0, 2 } };
	const char *ref = "sources.md §1.3 example";
	struct os_cfg c;
	struct physmem_layout l;
	physmem_t *pm;
	uint64_t pages[4] = { 8192, 8192, 8192, 8192 };
	unsigned cpus[4] = { 1, 1, 1, 1 };

	if (os_defaults(&c, t, ref))
		return;
	c.thp = THP_NEVER;
	c.zone_dma = 0;
	c.zone_dma32_end = 0;
	layout(&l, 4, pages, cpus, d);
	if (linux_physmem(&pm, &c, &l, t, ref))
		return;
	for (unsigned nid = 0; nid < 2; nid++) {
		unsigned got[HW_MAX_NODES], n = physmem_node_order(pm, nid, got);
		char what[96], e[64], g[64];
		size_t o = 0;
		snprintf(what, sizeof(what), "fallback node order of node %u (4 nodes, distances 21/31)", nid);
		snprintf(e, sizeof(e), "%u,%u,%u,%u", want[nid][0], want[nid][1], want[nid][2], want[nid][3]);
		g[0] = '\0';
		for (unsigned i = 0; i < n && o < sizeof(g); i++)
			o += (size_t)snprintf(g + o, sizeof(g) - o, "%s%u", i ? "," : "", got[i]);
		vcheck(t, !strcmp(e, g), ref, what, e, g);
	}
	physmem_destroy(pm);
}

static struct mpol_sys two_node_sys(void)
{
	struct mpol_sys s;

	memset(&s, 0, sizeof(s));
	s.nr_nodes = 2;
	s.memory_nodes.bits[0] = 0x3;
	s.policy_zone = ZONE_NORMAL;
	return s;
}

static bool make_policy(struct mempolicy *p, uint32_t mode, uint64_t nodes, const struct mpol_sys *s, struct vtable *t,
			const char *ref, const char *what)
{
	nodemask_t m;
	char err[256];

	nodes_clear(&m);
	m.bits[0] = nodes;
	if (mpol_new(p, mode, &m, s, err, sizeof(err))) {
		verror(t, ref, what, err);
		return false;
	}
	return true;
}

/* §5.3: interleave node sequences, with a VMA index (ilx = vpn) and without (il_prev round robin). */
static void linux_interleave(struct vtable *t)
{
	const char *ref = "sources.md §5.3";
	struct mpol_sys s = two_node_sys();
	struct mempolicy p;
	struct mpol_task task;
	char g[64];
	size_t o = 0;

	if (!make_policy(&p, MPOL_INTERLEAVE, 0x3, &s, t, ref, "interleave {0,1}"))
		return;
	mpol_task_reset(&task);
	g[0] = '\0';
	for (uint64_t vpn = 0x1000; vpn < 0x1003; vpn++) {
		struct mpol_target out;
		mpol_policy_nodemask(&p, &task, &s, GFP_HIGHUSER_MOVABLE, vpn, 0, &out);
		o += (size_t)snprintf(g + o, sizeof(g) - o, "%s%d", o ? "," : "", out.nid);
	}
	vcheck(t, !strcmp(g, "0,1,0"), ref, "mbind(INTERLEAVE,{0,1}): nodes of vpn 0x1000, 0x1001, 0x1002", "0,1,0", g);
	mpol_task_reset(&task);
	o = 0;
	g[0] = '\0';
	for (unsigned i = 0; i < 3; i++) {
		struct mpol_target out;
		mpol_policy_nodemask(&p, &task, &s, GFP_HIGHUSER_MOVABLE, NO_INTERLEAVE_INDEX, 0, &out);
		o += (size_t)snprintf(g + o, sizeof(g) - o, "%s%d", o ? "," : "", out.nid);
	}
	vcheck(t, !strcmp(g, "0,1,0"), ref, "set_mempolicy(INTERLEAVE,{0,1}): 3 allocations without an index (il_prev)",
	       "0,1,0", g);
}

/* ---- §5.6 numastat scenarios: policy -> policy_nodemask -> page_alloc -> counters ---- */

struct numa_snap {
	uint64_t v[2][NR_VM_NUMA_EVENT_ITEMS];
};

static void numa_take(physmem_t *pm, struct numa_snap *s)
{
	for (unsigned n = 0; n < 2; n++)
		for (unsigned i = 0; i < NR_VM_NUMA_EVENT_ITEMS; i++)
			s->v[n][i] = node_numa_stat(pm, n, (enum numa_stat_item)i);
}

/* "node0 hit+local, node1 -" style, counting each event (2x for two) since `s`. */
static void numa_delta(physmem_t *pm, const struct numa_snap *s, char *buf, size_t len)
{
	static const char *const nm[NR_VM_NUMA_EVENT_ITEMS] = { "hit", "miss", "foreign", "interleave_hit", "local",
								"other" };
	struct numa_snap now;
	size_t o = 0;

	numa_take(pm, &now);
	buf[0] = '\0';
	for (unsigned n = 0; n < 2 && o < len; n++) {
		bool any = false;
		o += (size_t)snprintf(buf + o, len - o, "%snode%u ", n ? "; " : "", n);
		for (unsigned i = 0; i < NR_VM_NUMA_EVENT_ITEMS && o < len; i++) {
			uint64_t d = now.v[n][i] - s->v[n][i];
			if (!d)
				continue;
			if (d > 1)
				o += (size_t)snprintf(buf + o, len - o, "%s%llux%s", any ? "+" : "", (unsigned long long)d, nm[i]);
			else
				o += (size_t)snprintf(buf + o, len - o, "%s%s", any ? "+" : "", nm[i]);
			any = true;
		}
		if (!any && o < len)
			o += (size_t)snprintf(buf + o, len - o, "-");
	}
}

/* One allocation as a fault of a task on CPU 0 (node 0) with policy p: @return the node or -1. */
static int numa_fault(physmem_t *pm, const struct mempolicy *p, struct mpol_task *task, const struct mpol_sys *s,
		      uint64_t ilx)
{
	struct mpol_target tg;
	struct alloc_ctx a;
	uint64_t pfn;

	mpol_policy_nodemask(p, task, s, GFP_HIGHUSER_MOVABLE, ilx, 0, &tg);
	memset(&a, 0, sizeof(a));
	a.gfp = GFP_HIGHUSER_MOVABLE;
	a.preferred_nid = tg.nid;
	a.nodemask = tg.has_mask ? &tg.mask : NULL;
	a.interleave = tg.interleave;
	a.cpu = 0;
	if (page_alloc(pm, &a, &pfn, NULL))
		return -1;
	return (int)pfn_to_nid(pm, pfn);
}

/* Allocate from nid alone until its zones are under LOW (the pages stay allocated). */
static bool fill_below_low(physmem_t *pm, unsigned nid, unsigned cpu)
{
	struct alloc_ctx a;
	struct zone_info zi;
	uint64_t pfn;

	memset(&a, 0, sizeof(a));
	a.gfp = GFP_HIGHUSER_MOVABLE | __GFP_THISNODE;
	a.preferred_nid = (int)nid;
	a.cpu = cpu;
	do {
		if (page_alloc(pm, &a, &pfn, NULL))
			return false;
		physmem_zone_info(pm, nid, ZONE_NORMAL, &zi);
	} while (zi.nr_free > zi.watermark[WMARK_LOW]);
	return true;
}

struct numa_scenario {
	const char *what;
	uint32_t mode;
	uint64_t nodes;
	int full_node;           /* node filled below LOW first, -1 none */
	uint64_t ilx[3];         /* interleave index of each fault */
	unsigned nfaults;
	const char *want_nodes, *want_counts;
};

static void linux_numastat(struct vtable *t)
{
	static const struct numa_scenario sc[] = {
		{ "default policy, anon fault", MPOL_LOCAL, 0, -1, { 0x1000 }, 1, "0", "node0 hit+local; node1 -" },
		{ "default policy, node 0 below LOW", MPOL_LOCAL, 0, 0, { 0x1000 }, 1, "1",
		  "node0 foreign; node1 miss+other" },
		{ "set_mempolicy(PREFERRED,{1}), fault", MPOL_PREFERRED, 0x2, -1, { 0x1000 }, 1, "1",
		  "node0 -; node1 hit+other" },
		{ "mbind(BIND,{1}), fault", MPOL_BIND, 0x2, -1, { 0x1000 }, 1, "1", "node0 -; node1 hit+other" },
		{ "mbind(INTERLEAVE,{0,1}), faults at vpn 0x1000-0x1002", MPOL_INTERLEAVE, 0x3, -1,
		  { 0x1000, 0x1001, 0x1002 }, 3, "0,1,0",
		  "node0 2xhit+2xinterleave_hit+2xlocal; node1 hit+interleave_hit+other" },
		{ "set_mempolicy(INTERLEAVE,{0,1}), 3 page-cache reads", MPOL_INTERLEAVE, 0x3, -1,
		  { NO_INTERLEAVE_INDEX, NO_INTERLEAVE_INDEX, NO_INTERLEAVE_INDEX }, 3, "0,1,0",
		  "node0 2xhit+2xinterleave_hit+2xlocal; node1 hit+interleave_hit+other" },
		{ "set_mempolicy(INTERLEAVE,{0,1}), node 1 full, fault at odd vpn", MPOL_INTERLEAVE, 0x3, 1, { 0x1001 }, 1,
		  "0", "node0 miss+local; node1 foreign" },
	};
	const char *ref = "sources.md §5.6 table";

	for (unsigned i = 0; i < sizeof(sc) / sizeof(sc[0]); i++) {
		struct os_cfg c;
		struct physmem_layout l;
		physmem_t *pm;
		uint64_t pages[2] = { 8192, 8192 };
		unsigned cpus[2] = { 1, 1 };
		struct mpol_sys s = two_node_sys();
		struct mempolicy p;
		struct mpol_task task;
		struct numa_snap snap;
		char nodes[32] = "", counts[128], e[192], g[192];
		size_t o = 0;

		if (os_defaults(&c, t, ref))
			return;
		c.thp = THP_NEVER;
		c.zone_dma = 0;
		c.zone_dma32_end = 0;
		layout(&l, 2, pages, cpus, NULL);   /* 32 MiB Normal per node, distance 21 */
		if (linux_physmem(&pm, &c, &l, t, ref))
			return;
		if (!make_policy(&p, sc[i].mode, sc[i].nodes, &s, t, ref, sc[i].what)) {
			physmem_destroy(pm);
			continue;
		}
		mpol_task_reset(&task);
		if (sc[i].full_node >= 0 && !fill_below_low(pm, (unsigned)sc[i].full_node, (unsigned)sc[i].full_node)) {
			verror(t, ref, sc[i].what, "could not fill the node below LOW");
			physmem_destroy(pm);
			continue;
		}
		numa_take(pm, &snap);
		for (unsigned f = 0; f < sc[i].nfaults; f++)
			o += (size_t)snprintf(nodes + o, sizeof(nodes) - o, "%s%d", f ? "," : "",
					      numa_fault(pm, &p, &task, &s, sc[i].ilx[f]));
		numa_delta(pm, &snap, counts, sizeof(counts));
		snprintf(e, sizeof(e), "on %s: %s", sc[i].want_nodes, sc[i].want_counts);
		snprintf(g, sizeof(g), "on %s: %s", nodes, counts);
		vcheck(t, !strcmp(e, g), ref, sc[i].what, e, g);
		physmem_destroy(pm);
	}
}

/* §8.2 fragmentation index and §8.4 deferral, through os/compaction.c. */
static void linux_compaction(struct vtable *t)
{
	uint64_t nr[NR_PAGE_ORDERS] = { 0 };
	char e[64], g[64];
	struct compact_zone cz = { 0 };
	char skipped[128] = "", want[128] = "";

	/* 500 free blocks of order 1 hold 1000 pages; order 9 => 1000 - (1000 + 1953)/500 = 995 */
	nr[1] = 500;
	snprintf(e, sizeof(e), "995");
	snprintf(g, sizeof(g), "%d", fragmentation_index(nr, 9));
	vcheck(t, !strcmp(e, g), "sources.md §8.2", "fragmentation index (500 blocks / 1000 pages, order 9)", e, g);

	/* after k consecutive failures the next 2^k - 1 attempts are skipped (k saturates at 6) */
	for (unsigned k = 1; k <= 7; k++) {
		unsigned n = 0;
		defer_compaction(&cz, 9);
		while (compaction_deferred(&cz, 9) && n < 1000)
			n++;
		snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s%u", k > 1 ? "," : "",
			 (1u << (k < 6 ? k : 6)) - 1);
		snprintf(skipped + strlen(skipped), sizeof(skipped) - strlen(skipped), "%s%u", k > 1 ? "," : "", n);
	}
	vcheck(t, !strcmp(want, skipped), "sources.md §8.4",
	       "compaction deferral: attempts skipped after 1..7 consecutive failures", want, skipped);
}

static void check_linux(struct vtable *t)
{
	linux_live_vector(t);
	linux_min_free_two_sockets(t);
	linux_zonelist(t);
	linux_interleave(t);
	linux_numastat(t);
	linux_compaction(t);
}

/* ---- (d) this machine's /proc/zoneinfo -------------------------------------------------- */

struct kzone {
	bool seen;
	uint64_t boost, wm[NR_WMARK], spanned, present, managed;
	bool has_promo, has_boost;
	uint64_t prot[MAX_NR_ZONES];
	unsigned nprot;
	int batch, high_min, high_max;     /* -1: not in the file */
};

struct kinfo {
	unsigned nr_nodes;
	struct kzone z[HW_MAX_NODES][MAX_NR_ZONES];
	unsigned cpus[HW_MAX_NODES];
	uint64_t min_free_kbytes;
	uint32_t wsf;
	uint32_t ratio[MAX_NR_ZONES];
	unsigned nratio;
	uint32_t high_fraction;
	int thp;                            /* enum thp_mode, -1 unknown */
	char release[64];
	unsigned major, minor;
};

static int read_small(const char *root, const char *rel, char *buf, size_t len)
{
	char path[1024];
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	fp = fopen(path, "r");
	if (!fp)
		return -1;
	n = fread(buf, 1, len - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return 0;
}

static int zone_by_name(const char *s)
{
	for (unsigned z = 0; z < MAX_NR_ZONES; z++)
		if (!strcmp(s, zone_names[z]))
			return (int)z;
	return -1;
}

/* Count CPUs in a cpulist like "0-3,8,10-11". */
static unsigned cpulist_count(const char *s)
{
	unsigned n = 0;

	while (*s && *s != '\n') {
		char *end;
		unsigned long a = strtoul(s, &end, 10), b = a;
		if (end == s)
			break;
		if (*end == '-')
			b = strtoul(end + 1, &end, 10);
		n += b >= a ? (unsigned)(b - a + 1) : 0;
		s = *end == ',' ? end + 1 : end;
	}
	return n;
}

/* @return 0, or -1 with the reason in why. */
static int kinfo_read(struct kinfo *k, const char *root, char *why, size_t whylen)
{
	char path[1024], line[512], buf[256];
	struct kzone *cur = NULL;
	FILE *fp;

	memset(k, 0, sizeof(*k));
	k->thp = -1;
	snprintf(path, sizeof(path), "%s/proc/zoneinfo", root);
	fp = fopen(path, "r");
	if (!fp) {
		snprintf(why, whylen, "%s unreadable (%s)", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), fp)) {
		unsigned nid;
		char zname[32], key[32];
		unsigned long long v;
		if (sscanf(line, "Node %u, zone %31s", &nid, zname) == 2) {
			int z = zone_by_name(zname);
			cur = NULL;
			if (nid >= HW_MAX_NODES || z < 0)
				continue;
			cur = &k->z[nid][z];
			cur->seen = true;
			cur->batch = cur->high_min = cur->high_max = -1;
			if (nid + 1 > k->nr_nodes)
				k->nr_nodes = nid + 1;
			continue;
		}
		if (!cur)
			continue;
		if (sscanf(line, " protection: (%llu", &v) == 1) {
			char *p = strchr(line, '(') + 1;
			cur->nprot = 0;
			while (cur->nprot < MAX_NR_ZONES) {
				char *end;
				unsigned long long x = strtoull(p, &end, 10);
				if (end == p)
					break;
				cur->prot[cur->nprot++] = x;
				p = end;
				while (*p == ',' || *p == ' ')
					p++;
			}
			continue;
		}
		if (sscanf(line, " %31s %llu", key, &v) != 2)
			continue;
		/* pcp keys carry a colon ("high:"), the zone's watermarks do not ("high") */
		if (!strcmp(key, "boost")) {
			cur->boost = v;
			cur->has_boost = true;
		} else if (!strcmp(key, "min")) {
			cur->wm[WMARK_MIN] = v;
		} else if (!strcmp(key, "low")) {
			cur->wm[WMARK_LOW] = v;
		} else if (!strcmp(key, "high")) {
			cur->wm[WMARK_HIGH] = v;
		} else if (!strcmp(key, "promo")) {
			cur->wm[WMARK_PROMO] = v;
			cur->has_promo = true;
		} else if (!strcmp(key, "spanned")) {
			cur->spanned = v;
		} else if (!strcmp(key, "present")) {
			cur->present = v;
		} else if (!strcmp(key, "managed")) {
			cur->managed = v;
		} else if (!strcmp(key, "batch:") && cur->batch < 0) {
			cur->batch = (int)v;
		} else if (!strcmp(key, "high_min:") && cur->high_min < 0) {
			cur->high_min = (int)v;
		} else if (!strcmp(key, "high_max:") && cur->high_max < 0) {
			cur->high_max = (int)v;
		}
	}
	fclose(fp);
	if (!k->nr_nodes) {
		snprintf(why, whylen, "%s has no \"Node N, zone NAME\" sections", path);
		return -1;
	}
	if (read_small(root, "/proc/sys/vm/min_free_kbytes", buf, sizeof(buf)) ||
	    read_small(root, "/proc/sys/vm/watermark_scale_factor", buf + 128, 128)) {
		snprintf(why, whylen, "%s/proc/sys/vm/{min_free_kbytes,watermark_scale_factor} unreadable "
			 "(watermark_scale_factor exists since Linux 4.6; older kernels use another formula)", root);
		return -1;
	}
	k->min_free_kbytes = strtoull(buf, NULL, 10);
	k->wsf = (uint32_t)strtoul(buf + 128, NULL, 10);
	if (!read_small(root, "/proc/sys/vm/lowmem_reserve_ratio", buf, sizeof(buf))) {
		char *p = buf, *end;
		while (k->nratio < MAX_NR_ZONES) {
			unsigned long x = strtoul(p, &end, 10);
			if (end == p)
				break;
			k->ratio[k->nratio++] = (uint32_t)x;
			p = end;
		}
	}
	if (!read_small(root, "/proc/sys/vm/percpu_pagelist_high_fraction", buf, sizeof(buf)))
		k->high_fraction = (uint32_t)strtoul(buf, NULL, 10);
	if (!read_small(root, "/sys/kernel/mm/transparent_hugepage/enabled", buf, sizeof(buf)))
		k->thp = strstr(buf, "[always]") ? THP_ALWAYS : strstr(buf, "[madvise]") ? THP_MADVISE
			: strstr(buf, "[never]") ? THP_NEVER : -1;
	if (!read_small(root, "/proc/sys/kernel/osrelease", buf, sizeof(buf))) {
		buf[strcspn(buf, "\n")] = '\0';
		snprintf(k->release, sizeof(k->release), "%s", buf);
		sscanf(buf, "%u.%u", &k->major, &k->minor);
	}
	for (unsigned n = 0; n < k->nr_nodes; n++) {
		snprintf(path, sizeof(path), "/sys/devices/system/node/node%u/cpulist", n);
		if (!read_small(root, path, buf, sizeof(buf)))
			k->cpus[n] = cpulist_count(buf);
		else if (k->nr_nodes == 1 && !read_small(root, "/sys/devices/system/cpu/online", buf, sizeof(buf)))
			k->cpus[n] = cpulist_count(buf);
	}
	return 0;
}

static bool kversion_at_least(const struct kinfo *k, unsigned major, unsigned minor)
{
	return k->major > major || (k->major == major && k->minor >= minor);
}

static void check_zoneinfo(struct vtable *t, const char *root)
{
	struct kinfo *k = calloc(1, sizeof(*k));
	struct os_cfg c;
	struct physmem_layout l;
	physmem_t *pm = NULL;
	char ref[128], why[512], what[192], e[128], g[128], err[512];
	uint64_t base = 1;   /* pfn 0 is never managed */
	unsigned cpu = 0;

	if (!k) {
		verror(t, "/proc/zoneinfo", "read", "out of memory");
		return;
	}
	if (kinfo_read(k, *root ? root : "", why, sizeof(why))) {
		vskip(t, "/proc/zoneinfo", "kernel watermarks and protection vs numasim's", "%s", why);
		goto out;
	}
	snprintf(ref, sizeof(ref), "%s/proc/zoneinfo (Linux %s)", *root ? root : "", k->release[0] ? k->release : "?");
	if (k->major && !kversion_at_least(k, 4, 6)) {
		vskip(t, ref, "kernel watermarks", "Linux %s predates watermark_scale_factor (4.6): another formula",
		      k->release);
		goto out;
	}
	/* The layout: node 0 holds DMA then DMA32 then Normal; other nodes Normal only. */
	if (os_defaults(&c, t, ref))
		goto out;
	memset(&l, 0, sizeof(l));
	l.nr_nodes = k->nr_nodes;
	for (unsigned n = 0; n < k->nr_nodes; n++) {
		struct kzone *z = k->z[n];
		if (z[ZONE_MOVABLE].managed) {
			vskip(t, ref, "kernel watermarks", "node %u has a populated ZONE_MOVABLE, which numasim sizes "
			      "by movablecore per node and cannot reproduce from managed counts", n);
			goto out;
		}
		if (n > 0 && (z[ZONE_DMA].managed || z[ZONE_DMA32].managed)) {
			vskip(t, ref, "kernel watermarks", "node %u has DMA/DMA32 pages; numasim puts them on node 0 only", n);
			goto out;
		}
		if (n == 0) {
			l.base_pfn[0] = 0;
			c.zone_dma = z[ZONE_DMA].managed ? (1 + z[ZONE_DMA].managed) << 12 : 0;
			c.zone_dma32_end = z[ZONE_DMA32].managed ? (1 + z[ZONE_DMA].managed + z[ZONE_DMA32].managed) << 12 : 0;
			l.pages[0] = 1 + z[ZONE_DMA].managed + z[ZONE_DMA32].managed + z[ZONE_NORMAL].managed;
			if (!c.zone_dma) {   /* without ZONE_DMA numasim keeps pfn 0: start the node after it */
				l.base_pfn[0] = 1;
				l.pages[0] -= 1;
			}
			base = l.base_pfn[0] + l.pages[0];
		} else {
			l.base_pfn[n] = base;
			l.pages[n] = z[ZONE_NORMAL].managed;
			base += l.pages[n];
		}
		for (unsigned m = 0; m < k->nr_nodes; m++)
			l.distance[n][m] = n == m ? 10 : 20;
		if (!k->cpus[n] && n == 0) {
			vskip(t, ref, "kernel watermarks", "CPU count of node 0 unknown (%s/sys/devices/system/node/node0/cpulist)",
			      root);
			goto out;
		}
		for (unsigned i = 0; i < k->cpus[n] && cpu < HW_MAX_CPUS; i++)
			l.cpu_node[cpu++] = (uint16_t)n;
	}
	l.nr_cpus = cpu;
	c.min_free_kbytes = k->min_free_kbytes;
	c.watermark_scale_factor = k->wsf;
	for (unsigned i = 0; i < k->nratio && i < 4; i++)
		c.lowmem_reserve_ratio[i] = k->ratio[i];
	c.nr_lowmem_reserve_ratio = k->nratio < 4 ? k->nratio : 4;
	c.percpu_pagelist_high_fraction = k->high_fraction;
	c.thp = k->thp >= 0 ? (uint32_t)k->thp : THP_NEVER;
	if (physmem_create(&pm, &c, &l, err, sizeof(err))) {
		verror(t, ref, "build a numasim machine with the kernel's zone sizes", err);
		goto out;
	}
	for (unsigned n = 0; n < k->nr_nodes; n++) {
		for (unsigned zi_ = 0; zi_ < ZONE_DEVICE; zi_++) {
			struct kzone *kz = &k->z[n][zi_];
			struct zone_info zi;
			uint64_t kwm[NR_WMARK];
			unsigned nwm = kz->has_promo ? 4 : 3;
			if (!kz->seen || physmem_zone_info(pm, n, (enum zone_type)zi_, &zi))
				continue;
			if (zi.managed != kz->managed) {
				snprintf(e, sizeof(e), "%llu", (unsigned long long)kz->managed);
				snprintf(g, sizeof(g), "%llu", (unsigned long long)zi.managed);
				snprintf(what, sizeof(what), "node %u %s managed pages (layout rebuilt from the file)", n,
					 zone_names[zi_]);
				vcheck(t, false, ref, what, e, g);
				continue;
			}
			/* zoneinfo prints watermark + boost */
			for (unsigned w = 0; w < nwm; w++)
				kwm[w] = kz->wm[w] - (kz->wm[w] >= kz->boost ? kz->boost : 0);
			snprintf(what, sizeof(what), "node %u %s (managed %llu) watermarks min/low/high%s", n,
				 zone_names[zi_], (unsigned long long)kz->managed, kz->has_promo ? "/promo" : "");
			fmt_u64s(e, sizeof(e), kwm, nwm, "/");
			fmt_u64s(g, sizeof(g), zi.watermark, nwm, "/");
			vcheck(t, !memcmp(kwm, zi.watermark, nwm * sizeof(uint64_t)), ref, what, e, g);
			if (kz->nprot) {
				unsigned np = kz->nprot < MAX_NR_ZONES ? kz->nprot : MAX_NR_ZONES;
				snprintf(what, sizeof(what), "node %u %s protection (lowmem_reserve)", n, zone_names[zi_]);
				fmt_u64s(e, sizeof(e), kz->prot, np, ", ");
				fmt_u64s(g, sizeof(g), zi.lowmem_reserve, np, ", ");
				vcheck(t, !memcmp(kz->prot, zi.lowmem_reserve, np * sizeof(uint64_t)), ref, what, e, g);
			}
			if (!kz->managed || kz->batch < 0)
				continue;
			snprintf(what, sizeof(what), "node %u %s pcp batch/high_min/high_max (%u CPUs on the node)", n,
				 zone_names[zi_], k->cpus[n]);
			if (kz->high_min < 0 || kz->high_max < 0) {
				vskip(t, ref, what, "Linux %s has no pcp high_min/high_max (auto-tuned pcp high is 6.7+; "
				      "older kernels size pcp->high differently)", k->release);
				continue;
			}
			snprintf(e, sizeof(e), "%d/%d/%d", kz->batch, kz->high_min, kz->high_max);
			snprintf(g, sizeof(g), "%d/%d/%d", zi.pcp_batch, zi.pcp_high_min, zi.pcp_high_max);
			vcheck(t, kz->batch == zi.pcp_batch && kz->high_min == zi.pcp_high_min &&
				       kz->high_max == zi.pcp_high_max, ref, what, e, g);
		}
	}
	/* min_free_kbytes as numasim would default it for these zones (unless an admin wrote one) */
	physmem_destroy(pm);
	pm = NULL;
	c.min_free_kbytes = 0;
	if (k->thp < 0) {
		vskip(t, ref, "default vm.min_free_kbytes", "THP mode unknown (%s/sys/kernel/mm/transparent_hugepage/enabled)",
		      root);
	} else if (!physmem_create(&pm, &c, &l, err, sizeof(err))) {
		snprintf(e, sizeof(e), "%llu KiB", (unsigned long long)k->min_free_kbytes);
		snprintf(g, sizeof(g), "%llu KiB", (unsigned long long)physmem_min_free_kbytes(pm));
		snprintf(what, sizeof(what), "default vm.min_free_kbytes for these zones, THP %s (a value an admin wrote "
			 "would differ)", thp_mode_names[k->thp]);
		vcheck(t, physmem_min_free_kbytes(pm) == k->min_free_kbytes, ref, what, e, g);
	} else {
		verror(t, ref, "default vm.min_free_kbytes", err);
	}
out:
	physmem_destroy(pm);
	free(k);
}

/* ---- the command --------------------------------------------------------------------- */

enum { CHK_CACHEGRIND = 1, CHK_PRESETS = 2, CHK_LINUX = 4, CHK_ZONEINFO = 8, CHK_PREDICT = 16, CHK_ALL = 31 };

static int parse_only(const char *s, unsigned *mask)
{
	static const struct { const char *name; unsigned bit; } names[] = {
		{ "cachegrind", CHK_CACHEGRIND }, { "presets", CHK_PRESETS }, { "linux", CHK_LINUX },
		{ "zoneinfo", CHK_ZONEINFO }, { "predict", CHK_PREDICT },
	};
	char buf[256], *save = NULL;

	*mask = 0;
	snprintf(buf, sizeof(buf), "%s", s);
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		unsigned i;
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (!strcmp(tok, names[i].name))
				break;
		if (i == sizeof(names) / sizeof(names[0]))
			return -1;
		*mask |= names[i].bit;
	}
	return *mask ? 0 : -1;
}

static void validate_usage(FILE *fp)
{
	fprintf(fp,
		"usage: numasim validate [--only cachegrind,presets,linux,zoneinfo,predict] [--preset NAME]\n"
		"                        [--root DIR] [--json FILE] [--wide]\n"
		"\n"
		"Compare numasim with references it did not write and print a table (100 columns;\n"
		"--wide: every cell in full). Each row is a calibration (a preset was fitted to it),\n"
		"exact (numasim implements the reference's rules) or prediction (nothing was fitted):\n"
		"  cachegrind  Valgrind's cachegrind on a real program vs numasim cachegrind (needs valgrind)\n"
		"  presets     simulated MLC vs the published figures in each preset's \"calibration\"\n"
		"  linux       sources.md worked vectors through numasim's os/ code\n"
		"  zoneinfo    this kernel's /proc/zoneinfo watermarks/protection/pcp vs numasim's\n"
		"  predict     published figures no preset was fitted to: single-core bandwidth,\n"
		"              loaded-latency knee, GUPS page-walk share (slow: full simulations)\n"
		"--root DIR reads DIR/proc/zoneinfo, DIR/proc/sys/vm/... instead of the live files.\n"
		"Exit status: 1 if a calibration or exact row failed (a bug) or a check could not run,\n"
		"else 3 if a prediction missed (model error), else 0.\n");
}

int cmd_validate(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "only", required_argument, NULL, 'o' },
		{ "preset", required_argument, NULL, 'p' },
		{ "root", required_argument, NULL, 'r' },
		{ "json", required_argument, NULL, 'j' },
		{ "wide", no_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct vtable t = { 0 };
	bool wide = false;
	unsigned mask = CHK_ALL;
	const char *preset = NULL, *root = "", *json_path = NULL;
	size_t cnt[NR_VERDICTS];
	int c, status;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (parse_only(optarg, &mask)) {
				fprintf(stderr, "numasim validate: --only %s: want a list of cachegrind, presets, linux, "
						"zoneinfo, predict\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'p': preset = optarg; break;
		case 'r': root = optarg; break;
		case 'j': json_path = optarg; break;
		case 'w': wide = true; break;
		case 'h': validate_usage(stdout); return 0;
		default: validate_usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		validate_usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(root, "/"))
		root = "";
	t.kind = VK_EXACT;
	if (mask & CHK_CACHEGRIND)
		check_cachegrind(&t);
	t.kind = VK_CALIB;
	if (mask & CHK_PRESETS)
		check_presets(&t, preset);
	t.kind = VK_PRED;
	if (mask & CHK_PREDICT)
		check_predictions(&t, preset);
	t.kind = VK_EXACT;
	if (mask & CHK_LINUX)
		check_linux(&t);
	if (mask & CHK_ZONEINFO)
		check_zoneinfo(&t, root);
	if (t.oom) {
		fprintf(stderr, "numasim validate: out of memory\n");
		free(t.rows);
		return 1;
	}
	if (wide)
		vtable_print_wide(&t);
	else
		vtable_print_compact(&t);
	vtable_count(&t, cnt);
	printf("\n%zu checks: %zu pass, %zu FAIL, %zu miss, %zu skipped, %zu info\n", t.n, cnt[V_PASS], cnt[V_FAIL],
	       cnt[V_MISS], cnt[V_SKIP], cnt[V_INFO]);
	/* a bug (a calibration or exact row, or a check that could not run) outranks a model error */
	status = cnt[V_FAIL] ? 1 : cnt[V_MISS] ? 3 : 0;
	if (json_path) {
		char err[512], *s = vtable_json(&t);
		if (!s || afile_write_all(json_path, s, strlen(s), err, sizeof(err))) {
			fprintf(stderr, "numasim validate: %s\n", s ? err : "out of memory");
			status = 1;
		}
		free(s);
	}
	free(t.rows);
	return status;
}
