/*
 * tests/traces/test_trace_native.c - the native decoder's runs of bare
 * records (traces/trace_native.c nst_run_bare: a tag byte alone) and of
 * plain records (nst_run_plain: a tag and a delta of any width, no size or
 * gap byte), each decoded by a loop of its own once several come in a row.
 * Every way into and out of those loops must give the records the general
 * loop gives: runs of one stream and of both (fetches and data
 * interleaved), runs cut by a thread switch, a control record, a DEP
 * prefix, a record with a new stride, size or a gap, the end of a batch (at
 * every batch size from 1 to 9 and the default) and the checked tail of the
 * file; and a bare or plain record whose stream has no size yet is still
 * the fault it is, at its own byte.
 */
#include "tests/traces/trace_util.h"
#include "sim/rng.h"

static void add_mem(struct flats *f, unsigned op, uint64_t addr, unsigned size, uint32_t gap, unsigned tid,
		    uint8_t flags)
{
	struct trace_rec r = { .addr = addr, .gap = gap, .tid = (uint16_t)tid, .size = (uint16_t)size,
			       .op = (uint8_t)op, .flags = flags };
	flats_push(f, &r, NULL);
}

/* A random step whose zigzag code takes 1 to 8 bytes (0 to 2^63 - 1 either way). */
static uint64_t scatter_step(struct rng *rng)
{
	unsigned bits = 1 + (unsigned)rng_below(rng, 63);
	uint64_t d = rng_next(rng) & ((bits == 64 ? 0 : 1ull << bits) - 1);

	return rng_below(rng, 2) ? d : 0 - d;
}

/*
 * Sweeps (or, `scatter`, random walks) cut at random places.  Each segment
 * is a run of `len` records of one thread: data (load/store/modify at a
 * fixed stride, or a random step of 1 to 8 bytes of delta), fetches, or
 * both interleaved with their own strides, then something that ends the
 * run.
 */
static void build_runs(struct flats *f, uint64_t seed, bool scatter)
{
	struct rng rng;
	uint64_t da[3] = { 0x10000, 0x7f0000000000ull, 0x20000 }, ia[3] = { 0x400000, 0x500000, 0x600000 };
	static const uint64_t stride[] = { 8, 64, 4096, (uint64_t)-8, 1 };

	rng_seed(&rng, seed, 1);
	for (unsigned seg = 0; seg < 3000; seg++) {
		unsigned tid = (unsigned)rng_below(&rng, 3);
		unsigned len = (unsigned)rng_below(&rng, 40);
		unsigned kind = (unsigned)rng_below(&rng, 3);    /* 0 data, 1 fetches, 2 both */
		uint64_t ds = stride[rng_below(&rng, 5)], is = 1 + rng_below(&rng, 8);
		unsigned dsz = 1 + (unsigned)rng_below(&rng, 16), isz = 1 + (unsigned)rng_below(&rng, 8);

		for (unsigned i = 0; i < len; i++) {
			bool fetch = kind == 1 || (kind == 2 && (i % 3) != 2);
			if (fetch) {
				ia[tid] += scatter && rng_below(&rng, 2) ? scatter_step(&rng) : is;
				add_mem(f, TOP_IFETCH, ia[tid], isz, 0, tid, 0);
			} else {
				unsigned op = (unsigned)rng_below(&rng, 4);
				da[tid] += scatter ? scatter_step(&rng) : ds;
				add_mem(f, op == TOP_IFETCH ? TOP_MODIFY : op, da[tid], dsz, 0, tid, 0);
			}
		}
		switch (rng_below(&rng, 5)) {                    /* what ends the run */
		case 0: {
			static const uint64_t args[1] = { 7 };
			struct trace_rec r = { .tid = (uint16_t)tid, .op = TOP_CTRL };
			struct trace_ctrl c = { .kind = TCTRL_MARK, .nargs = 1, .ret = TRACE_RET_NONE };
			memcpy(c.args, args, sizeof(args));
			flats_push(f, &r, &c);
			break;
		}
		case 1:
			da[tid] += ds;
			add_mem(f, TOP_LOAD, da[tid], dsz, 0, tid, TREC_DEP);
			break;
		case 2:
			da[tid] += ds;
			add_mem(f, TOP_STORE, da[tid], dsz, 1 + (uint32_t)rng_below(&rng, 300), tid, 0);
			break;
		default:
			break;                                   /* a new stride, size or thread follows */
		}
	}
	/* a long bare run into the checked tail of the file and up to the end record */
	for (unsigned i = 0; i < 500; i++) {
		da[0] += 8;
		add_mem(f, TOP_LOAD, da[0], 8, 0, 0, 0);
	}
}

static void runs_roundtrip(bool scatter)
{
	struct flats in = { 0 }, out;
	char err[512], batch[16];
	const char *path = tpath(scatter ? "plain.nst" : "runs.nst");

	build_runs(&in, 5, scatter);
	write_all(path, TFMT_NATIVE, TCOMP_NONE, &in);
	for (unsigned b = 0; b <= 9; b++) {
		/* 0: the default batch; NUMASIM_TRACE_BATCH is read by trace_open */
		snprintf(batch, sizeof(batch), "%u", b);
		if (b)
			setenv("NUMASIM_TRACE_BATCH", batch, 1);
		else
			unsetenv("NUMASIM_TRACE_BATCH");
		if (read_all(path, TFMT_NATIVE, &out, err, sizeof(err)))
			fail_msg("batch %u: %s", b, err);
		assert_flats_equal(&in, &out);
		if (b)
			assert_true(out.max_batch <= b);
		free(out.v);
	}
	unsetenv("NUMASIM_TRACE_BATCH");
	free(in.v);
}

static void bare_runs_roundtrip(void **state)
{
	(void)state;
	runs_roundtrip(false);
}

static void plain_runs_roundtrip(void **state)
{
	(void)state;
	runs_roundtrip(true);
}

static size_t nst_header(uint8_t *b)
{
	memset(b, 0, 32);
	memcpy(b, "NUMASIMT", 8);
	b[8] = 2;
	b[10] = 32;
	b[16] = 1;
	return 32;
}

/*
 * A bare fetch inside a run of bare loads, before any fetch gave its size:
 * the run stops there and the record is reported at its own byte, with the
 * data stream's state as the loads left it (the same fault the general loop
 * gives when the fetch comes first).
 */
static void bare_fault(void **state)
{
	uint8_t b[512];
	size_t n = nst_header(b), at;
	(void)state;

	b[n++] = (1 << 2) | 0x20;         /* load: 1-byte delta, size byte */
	b[n++] = 16;                      /* zigzag(8) */
	b[n++] = 8;
	for (unsigned i = 0; i < 20; i++)
		b[n++] = TOP_LOAD;        /* bare: the run loop takes them after a few */
	at = n;
	b[n++] = TOP_IFETCH;              /* bare fetch, no fetch size yet */
	for (unsigned i = 0; i < 200; i++)
		b[n++] = TOP_STORE;       /* keeps the fault out of the checked tail */
	b[n++] = 0x82;
	b[n++] = 222;
	b[n++] = 1;
	char msg[128];
	snprintf(msg, sizeof(msg), "%%s: byte %zu: expected an access size in 1..65535, found 0", at);
	expect_error_buf("bare.nst", b, n, TFMT_NATIVE, msg);

	/* the same bytes with the fetch made a store: 222 records 8 bytes apart */
	b[at] = TOP_STORE;
	{
		struct flats f;
		char err[512];
		put_file(tpath("bare-ok.nst"), b, n);
		if (read_all(tpath("bare-ok.nst"), TFMT_NATIVE, &f, err, sizeof(err)))
			fail_msg("%s", err);
		assert_int_equal(f.n, 222);
		for (size_t i = 0; i < f.n; i++) {
			assert_int_equal(f.v[i].r.addr, 8 * (i + 1));
			assert_int_equal(f.v[i].r.size, 8);
			assert_int_equal(f.v[i].r.op, i == 0 || i <= 20 ? TOP_LOAD : TOP_STORE);
		}
		free(f.v);
	}
}

/*
 * The same for a plain fetch (a delta byte, no size byte) inside a run of
 * plain loads: the fault is at the fetch's byte, and the same bytes with
 * the fetch made a store decode to the walk the deltas describe.
 */
static void plain_fault(void **state)
{
	uint8_t b[1024];
	size_t n = nst_header(b), at;
	uint64_t addr = 0;
	(void)state;

	b[n++] = (1 << 2) | 0x20;         /* load: 1-byte delta, size byte */
	b[n++] = 16;                      /* zigzag(8) */
	b[n++] = 8;
	for (unsigned i = 0; i < 20; i++) {
		b[n++] = (2 << 2) | TOP_LOAD;     /* plain: a 2-byte delta */
		b[n++] = 0x00;                    /* zigzag(+0x100) = 0x200 */
		b[n++] = 0x02;
	}
	at = n;
	b[n++] = (1 << 2) | TOP_IFETCH;   /* plain fetch, no fetch size yet */
	b[n++] = 2;                       /* zigzag(+1) */
	for (unsigned i = 0; i < 200; i++) {
		b[n++] = (1 << 2) | TOP_STORE;    /* keeps the fault out of the checked tail */
		b[n++] = 1;                       /* zigzag(-1) */
	}
	b[n++] = 0x82;
	b[n++] = 222;
	b[n++] = 1;
	char msg[128];
	snprintf(msg, sizeof(msg), "%%s: byte %zu: expected an access size in 1..65535, found 0", at);
	expect_error_buf("plain.nst", b, n, TFMT_NATIVE, msg);

	b[at] = (1 << 2) | TOP_STORE;
	{
		struct flats f;
		char err[512];
		put_file(tpath("plain-ok.nst"), b, n);
		if (read_all(tpath("plain-ok.nst"), TFMT_NATIVE, &f, err, sizeof(err)))
			fail_msg("%s", err);
		assert_int_equal(f.n, 222);
		for (size_t i = 0; i < f.n; i++) {
			addr += i == 0 ? 8 : i <= 20 ? 0x100 : i == 21 ? 1 : (uint64_t)-1;
			assert_int_equal(f.v[i].r.addr, addr);
			assert_int_equal(f.v[i].r.size, 8);
			assert_int_equal(f.v[i].r.op, i <= 20 ? TOP_LOAD : TOP_STORE);
		}
		free(f.v);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bare_runs_roundtrip),
		cmocka_unit_test(bare_fault),
		cmocka_unit_test(plain_runs_roundtrip),
		cmocka_unit_test(plain_fault),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
