/*
 * tests/bench/bench_decode.c - decode throughput of every trace format.
 *
 * Generates, in a scratch directory, a synthetic trace shaped like a real
 * lackey-derived one (4 threads, sequential instruction fetches, strided and
 * random data accesses, small gaps): 50 M records as native and native.zst,
 * and 5 M records each as text, lackey and ChampSim (the text formats are
 * ~20 bytes a record; 50 M of them would only measure the disk).  Then it
 * times decoding alone (trace_open .. trace_next until the end, files already
 * in the page cache) and prints one line per format:
 *
 *     decode <fmt>: N records in S s = X M records/s
 *
 * Usage: bench_decode [native-records] [other-records]
 * Wall-clock time is used here only to measure; nothing simulated reads it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "sim/err.h"
#include "sim/rng.h"
#include "traces/trace.h"

#define NTHREADS 4

struct gen {
	struct rng rng;
	uint64_t ip[NTHREADS], seq[NTHREADS];
	unsigned tid;
};

static void gen_init(struct gen *g)
{
	rng_seed(&g->rng, 42, 7);
	for (unsigned t = 0; t < NTHREADS; t++) {
		g->ip[t] = 0x400000 + t * 0x10000;
		g->seq[t] = 0x7f0000000000ull + t * (1ull << 30);
	}
	g->tid = 0;
}

static void gen_next(struct gen *g, struct trace_rec *r)
{
	uint64_t x = rng_next(&g->rng);
	unsigned t;

	if ((x & 1023) == 0)
		g->tid = (unsigned)(x >> 10) % NTHREADS;
	t = g->tid;
	memset(r, 0, sizeof(*r));
	r->tid = (uint16_t)t;
	switch ((x >> 16) % 20) {
	case 0: case 1: case 2: case 3: case 4: case 5: case 6:     /* 35% fetches */
		if (((x >> 24) & 63) == 0)
			g->ip[t] = 0x400000 + t * 0x10000 + ((x >> 32) & 0xfffc);
		else
			g->ip[t] += 1 + ((x >> 30) & 7);
		r->op = TOP_IFETCH;
		r->addr = g->ip[t];
		r->size = (uint16_t)(1 + ((x >> 40) & 7));
		break;
	case 7: case 8: case 9: case 10: case 11: case 12: case 13: /* 35% loads: half strided */
		r->op = TOP_LOAD;
		if ((x >> 24) & 1) {
			g->seq[t] += 8;
			r->addr = g->seq[t];
		} else {
			r->addr = 0x7ff000000000ull + ((x >> 25) & 0x3fffff8);
		}
		r->size = 8;
		break;
	case 14: case 15: case 16: case 17: case 18:               /* 25% stores */
		r->op = TOP_STORE;
		r->addr = 0x7ffe00000000ull + ((x >> 25) & 0xffff8);
		r->size = (x >> 50) & 1 ? 4 : 8;
		break;
	default:                                                    /* 5% modifies */
		r->op = TOP_MODIFY;
		r->addr = g->seq[t] - 64;
		r->size = 8;
		break;
	}
	r->gap = (x >> 56) & 1 ? (uint32_t)((x >> 57) & 7) : 0;
}

static void die(const char *what, const char *err)
{
	fprintf(stderr, "bench_decode: %s: %s\n", what, err);
	exit(1);
}

static void write_native(const char *path, uint64_t n)
{
	trace_writer_t *w;
	struct gen g;
	struct trace_rec r;
	char err[512];

	if (trace_writer_open(&w, path, TFMT_NATIVE, TCOMP_NONE, err, sizeof(err)))
		die(path, err);
	trace_writer_set_threads(w, NTHREADS);
	gen_init(&g);
	for (uint64_t i = 0; i < n; i++) {
		gen_next(&g, &r);
		if (trace_write_rec(w, &r, NULL))
			die(path, trace_writer_error(w));
	}
	if (trace_writer_close(w, true, err, sizeof(err)))
		die(path, err);
}

/* Same records through the text writer (text) or by hand (lackey, ChampSim). */
static void write_other(const char *path, enum trace_format fmt, uint64_t n)
{
	struct gen g;
	struct trace_rec r;
	char err[512];
	FILE *fp;

	gen_init(&g);
	if (fmt == TFMT_TEXT) {
		trace_writer_t *w;
		if (trace_writer_open(&w, path, TFMT_TEXT, TCOMP_NONE, err, sizeof(err)))
			die(path, err);
		for (uint64_t i = 0; i < n; i++) {
			gen_next(&g, &r);
			if (trace_write_rec(w, &r, NULL))
				die(path, trace_writer_error(w));
		}
		if (trace_writer_close(w, true, err, sizeof(err)))
			die(path, err);
		return;
	}
	fp = fopen(path, "wb");
	if (!fp)
		die(path, "cannot create");
	if (fmt == TFMT_LACKEY) {
		static const char *const tag[] = { " L", " S", "I ", " M" };
		fprintf(fp, "==1234== Lackey, an example Valgrind tool\n==1234== Command: ./bench\n");
		for (uint64_t i = 0; i < n; i++) {
			gen_next(&g, &r);
			fprintf(fp, "%s %08llx,%u\n", tag[r.op], (unsigned long long)r.addr, r.size);
		}
	} else {
		/* ChampSim: one instruction per fetch, with the following data accesses attached */
		uint8_t rec[64];
		uint64_t emitted = 0;
		unsigned nsrc = 0, ndst = 0;
		memset(rec, 0, sizeof(rec));
		while (emitted < n) {
			gen_next(&g, &r);
			if (r.op == TOP_IFETCH || (r.op == TOP_LOAD ? nsrc == 4 : ndst == 2)) {
				if (emitted)
					fwrite(rec, 1, sizeof(rec), fp);
				memset(rec, 0, sizeof(rec));
				nsrc = ndst = 0;
				for (unsigned b = 0; b < 8; b++)
					rec[b] = (uint8_t)(g.ip[r.tid] >> (8 * b));
				emitted++;
			}
			if (r.op != TOP_IFETCH) {
				unsigned off = r.op == TOP_LOAD ? 32 + 8 * nsrc++ : 16 + 8 * ndst++;
				for (unsigned b = 0; b < 8; b++)
					rec[off + b] = (uint8_t)(r.addr >> (8 * b));
				emitted++;
			}
		}
		fwrite(rec, 1, sizeof(rec), fp);
	}
	if (fclose(fp))
		die(path, "write failed");
}

static void compress_copy(const char *from, const char *to)
{
	trace_reader_t *r;
	trace_writer_t *w;
	struct trace_batch b;
	char err[512];
	int rc;

	if (trace_open(&r, from, TFMT_NATIVE, err, sizeof(err)) ||
	    trace_writer_open(&w, to, TFMT_NATIVE, TCOMP_ZST, err, sizeof(err)))
		die(from, err);
	trace_writer_set_threads(w, trace_nr_threads(r));
	while ((rc = trace_next(r, &b, err, sizeof(err))) > 0)
		for (size_t i = 0; i < b.n; i++)
			if (trace_write_rec(w, &b.rec[i], b.rec[i].op == TOP_CTRL ? &b.ctrl[b.rec[i].ctrl] : NULL))
				die(to, trace_writer_error(w));
	if (rc < 0)
		die(from, err);
	trace_close(r);
	if (trace_writer_close(w, true, err, sizeof(err)))
		die(to, err);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void time_decode(const char *label, const char *path, enum trace_format fmt, int reps)
{
	double best = 1e30;
	uint64_t n = 0, check = 0;

	for (int i = 0; i < reps; i++) {
		trace_reader_t *r;
		struct trace_batch b;
		char err[512];
		double t0 = now(), dt;
		int rc;

		n = 0;
		if (trace_open(&r, path, fmt, err, sizeof(err)))
			die(path, err);
		while ((rc = trace_next(r, &b, err, sizeof(err))) > 0) {
			n += b.n;
			check ^= b.rec[b.n - 1].addr;
		}
		if (rc < 0)
			die(path, err);
		trace_close(r);
		dt = now() - t0;
		if (dt < best)
			best = dt;
	}
	printf("decode %s: %llu records in %.3f s = %.1f M records/s\n", label, (unsigned long long)n, best,
	       (double)n / best / 1e6);
	fflush(stdout);
	if (check == 0x5eed)     /* keeps the loop honest; practically never true */
		fprintf(stderr, "\n");
}

int main(int argc, char **argv)
{
	uint64_t nnative = argc > 1 ? strtoull(argv[1], NULL, 0) : 50000000ull;
	uint64_t nother = argc > 2 ? strtoull(argv[2], NULL, 0) : 5000000ull;
	const char *base = getenv("TMPDIR");
	char dir[256], p_nst[300], p_zst[300], p_txt[300], p_lk[300], p_cs[300];

	snprintf(dir, sizeof(dir), "%s/numasim-bench-XXXXXX", base ? base : "/tmp");
	if (!mkdtemp(dir))
		die(dir, "mkdtemp failed");
	snprintf(p_nst, sizeof(p_nst), "%s/t.nst", dir);
	snprintf(p_zst, sizeof(p_zst), "%s/t.nst.zst", dir);
	snprintf(p_txt, sizeof(p_txt), "%s/t.txt", dir);
	snprintf(p_lk, sizeof(p_lk), "%s/t.lackey", dir);
	snprintf(p_cs, sizeof(p_cs), "%s/t.champsim", dir);

	fprintf(stderr, "bench_decode: generating %llu native records and %llu of each other format in %s\n",
		(unsigned long long)nnative, (unsigned long long)nother, dir);
	write_native(p_nst, nnative);
	compress_copy(p_nst, p_zst);
	write_other(p_txt, TFMT_TEXT, nother);
	write_other(p_lk, TFMT_LACKEY, nother);
	write_other(p_cs, TFMT_CHAMPSIM, nother);

	time_decode("native", p_nst, TFMT_AUTO, 3);
	time_decode("native.zst", p_zst, TFMT_AUTO, 2);
	time_decode("text", p_txt, TFMT_AUTO, 2);
	time_decode("lackey", p_lk, TFMT_AUTO, 2);
	time_decode("champsim", p_cs, TFMT_AUTO, 2);

	unlink(p_nst);
	unlink(p_zst);
	unlink(p_txt);
	unlink(p_lk);
	unlink(p_cs);
	rmdir(dir);
	return 0;
}
