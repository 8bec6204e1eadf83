/*
 * tests/traces/test_trace_fuzz.c - no input crashes a reader.
 *
 * Starts from a valid native, text, lackey, ChampSim and zstd/gzip-compressed
 * trace, mutates each thousands of times with a seeded sim/rng (bit flips,
 * random bytes, truncation, insertion, deletion, duplicated chunks) and reads
 * every mutant to the end, with its own format and with detection.  Each
 * read must end cleanly: success with well-formed records, or a negative code
 * with a message that names the file.  Meant to run under ASan/UBSan too
 * (make test-san), where any out-of-bounds access aborts the suite.
 */
#include "tests/traces/trace_util.h"
#include "sim/rng.h"

#define FUZZ_ITERS 1500

struct buf {
	uint8_t *p;
	size_t n;
};

static struct buf slurp(const char *path)
{
	struct buf b = { NULL, 0 };
	FILE *fp = fopen(path, "rb");
	long n;

	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	b.p = malloc((size_t)n + 1);
	b.n = fread(b.p, 1, (size_t)n, fp);
	fclose(fp);
	return b;
}

/* Read to the end; check the outcome is clean either way. */
static void read_checked(const char *path, enum trace_format fmt)
{
	trace_reader_t *r;
	struct trace_batch b;
	char err[512] = "";
	int rc = trace_open(&r, path, fmt, err, sizeof(err));

	if (rc == 0) {
		while ((rc = trace_next(r, &b, err, sizeof(err))) > 0) {
			assert_true(b.n > 0 && b.n <= 4096);
			for (size_t i = 0; i < b.n; i++) {
				assert_true(b.rec[i].op < NR_TRACE_OPS);
				if (b.rec[i].op == TOP_CTRL) {
					assert_true(b.rec[i].ctrl < b.nctrl);
					assert_true(b.ctrl[b.rec[i].ctrl].kind < NR_TRACE_CTRLS);
					assert_true(b.ctrl[b.rec[i].ctrl].nargs <= TRACE_CTRL_MAX_ARGS);
				} else {
					assert_true(b.rec[i].size > 0);
				}
			}
		}
		if (rc < 0)      /* a failed reader keeps failing */
			assert_true(trace_next(r, &b, err, sizeof(err)) < 0);
		trace_close(r);
	}
	assert_true(rc <= 0);
	if (rc < 0) {
		assert_true(rc > -NR_SIM_ERRORS);
		if (strncmp(err, path, strlen(path)))
			fail_msg("message does not name the file: \"%s\"", err);
	}
}

static int read_all_ok(const char *path, enum trace_format fmt)
{
	struct flats f;
	char err[512];
	int rc = read_all(path, fmt, &f, err, sizeof(err));

	if (rc)
		fail_msg("seed: %s", err);
	free(f.v);
	return rc;
}

static void mutate(struct rng *g, const struct buf *src, struct buf *dst)
{
	unsigned rounds = 1 + (unsigned)rng_below(g, 4);

	dst->n = src->n;
	dst->p = malloc(src->n * 2 + 64);
	memcpy(dst->p, src->p, src->n);
	for (unsigned k = 0; k < rounds; k++) {
		size_t at = dst->n ? (size_t)rng_below(g, dst->n) : 0;
		size_t len = 1 + (size_t)rng_below(g, 16);

		switch (rng_below(g, 6)) {
		case 0:         /* flip a bit */
			if (dst->n)
				dst->p[at] ^= (uint8_t)(1u << rng_below(g, 8));
			break;
		case 1:         /* random byte, biased towards tag-like and boundary values */
			if (dst->n) {
				static const uint8_t special[] = { 0, 0x7f, 0x80, 0x81, 0x82, 0xff, ',', '\n', ' ', '=' };
				dst->p[at] = rng_below(g, 2) ? (uint8_t)rng_next(g)
					: special[rng_below(g, sizeof(special))];
			}
			break;
		case 2:         /* truncate */
			dst->n = at;
			break;
		case 3:         /* insert random bytes */
			if (dst->n + len <= src->n * 2 + 32) {
				memmove(dst->p + at + len, dst->p + at, dst->n - at);
				for (size_t i = 0; i < len; i++)
					dst->p[at + i] = (uint8_t)rng_next(g);
				dst->n += len;
			}
			break;
		case 4:         /* delete */
			len = SIM_MIN(len, dst->n - at);
			memmove(dst->p + at, dst->p + at + len, dst->n - at - len);
			dst->n -= len;
			break;
		default:        /* duplicate a chunk */
			len = SIM_MIN(len, dst->n - at);
			if (dst->n + len <= src->n * 2 + 32) {
				memmove(dst->p + at + len, dst->p + at, dst->n - at);
				dst->n += len;
			}
			break;
		}
	}
}

static void fuzz_one(const char *name, const struct buf *seed_buf, enum trace_format fmt, uint64_t seed)
{
	struct rng g;
	const char *path = tpath(name);

	rng_seed(&g, seed, 99);
	put_file(path, seed_buf->p, seed_buf->n);
	assert_int_equal(read_all_ok(path, fmt), 0);   /* the unmutated file is valid */
	for (unsigned i = 0; i < FUZZ_ITERS; i++) {
		struct buf m;
		mutate(&g, seed_buf, &m);
		put_file(path, m.p, m.n);
		read_checked(path, fmt);
		if (i % 4 == 0)
			read_checked(path, TFMT_AUTO);
		free(m.p);
	}
}

static void build_records(struct flats *f)
{
	static const uint64_t args[6] = { 0x1000, 0x2000, 3, 0x22, UINT64_MAX, 0 };

	memset(f, 0, sizeof(*f));
	for (unsigned i = 0; i < 60; i++) {
		struct trace_rec r = { .addr = 0x400000 + 37 * i * i, .size = (uint16_t)(1 + i % 9),
				       .gap = i % 3 ? 0 : 300 * i, .tid = (uint16_t)(i % 3), .op = (uint8_t)(i % 4) };
		flats_push(f, &r, NULL);
		if (i % 20 == 0) {
			struct trace_rec cr = { .op = TOP_CTRL, .tid = (uint16_t)(i % 3) };
			struct trace_ctrl c = { .kind = (uint32_t)(i / 20) % NR_TRACE_CTRLS, .ret = i };
			c.nargs = c.kind == TCTRL_MMAP ? 6 : 0;
			memcpy(c.args, args, sizeof(args));
			if (c.kind != TCTRL_MMAP)
				memset(c.args, 0, sizeof(c.args));
			flats_push(f, &cr, &c);
		}
	}
}

static void fuzz_native(void **state)
{
	struct flats f;
	struct buf b;
	(void)state;

	build_records(&f);
	write_all(tpath("seed.nst"), TFMT_NATIVE, TCOMP_NONE, &f);
	b = slurp(tpath("seed.nst"));
	fuzz_one("fz.nst", &b, TFMT_NATIVE, 1);
	free(b.p);
	free(f.v);
}

static void fuzz_native_compressed(void **state)
{
	struct flats f;
	struct buf b;
	(void)state;

	build_records(&f);
	write_all(tpath("seed.nst.zst"), TFMT_NATIVE, TCOMP_NONE, &f);
	b = slurp(tpath("seed.nst.zst"));
	fuzz_one("fz.zst", &b, TFMT_NATIVE, 2);
	free(b.p);
	write_all(tpath("seed.nst.gz"), TFMT_NATIVE, TCOMP_NONE, &f);
	b = slurp(tpath("seed.nst.gz"));
	fuzz_one("fz.gz", &b, TFMT_NATIVE, 3);
	free(b.p);
	free(f.v);
}

static void fuzz_text(void **state)
{
	struct flats f;
	struct buf b;
	(void)state;

	build_records(&f);
	write_all(tpath("seed.txt"), TFMT_TEXT, TCOMP_NONE, &f);
	b = slurp(tpath("seed.txt"));
	fuzz_one("fz.txt", &b, TFMT_TEXT, 4);
	free(b.p);
	free(f.v);
}

static void fuzz_lackey(void **state)
{
	static const char log[] =
		"==77== Lackey\n--77-- debug\nI  04000000,3\n L 1ffefff6c8,8\n S 1ffefff6c0,8\n"
		"SCHED[1]: x\n M 0403a1c8,4\nI  0401b7a0,15\n L ffffffffffffffff,512\n==77== done\n";
	struct buf b = { (uint8_t *)(uintptr_t)log, sizeof(log) - 1 };
	(void)state;

	put_file(tpath("fz.log"), log, b.n);
	fuzz_one("fz.log", &b, TFMT_LACKEY, 5);
}

static void fuzz_champsim(void **state)
{
	uint8_t rec[64 * 4];
	struct buf b = { rec, sizeof(rec) };
	(void)state;

	for (unsigned i = 0; i < sizeof(rec); i++)
		rec[i] = (uint8_t)(i % 11 == 0 ? 0 : i * 7);
	put_file(tpath("fz.champsim"), rec, sizeof(rec));
	fuzz_one("fz.champsim", &b, TFMT_CHAMPSIM, 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fuzz_native),
		cmocka_unit_test(fuzz_native_compressed),
		cmocka_unit_test(fuzz_text),
		cmocka_unit_test(fuzz_lackey),
		cmocka_unit_test(fuzz_champsim),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
