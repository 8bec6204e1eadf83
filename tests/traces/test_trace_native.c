/*
 * tests/traces/test_trace_native.c - the native decoder's run of bare
 * records (traces/trace_native.c nst_run_bare): records that are a tag byte
 * alone, decoded by a loop of their own once several come in a row.  Every
 * way into and out of that loop must give the records the general loop
 * gives: runs of one stream and of both (fetches and data interleaved),
 * runs cut by a thread switch, a control record, a DEP prefix, a record
 * with a new stride, size or a gap, the end of a batch (at every batch size
 * from 1 to 9 and the default) and the checked tail of the file; and a
 * bare record whose stream has no size yet is still the fault it is, at its
 * own byte.
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

/*
 * Sweeps cut at random places.  Each segment is a run of `len` records of
 * one thread: data (load/store/modify at a fixed stride), fetches, or both
 * interleaved with their own strides, then something that ends the run.
 */
static void build_runs(struct flats *f, uint64_t seed)
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
				ia[tid] += is;
				add_mem(f, TOP_IFETCH, ia[tid], isz, 0, tid, 0);
			} else {
				unsigned op = (unsigned)rng_below(&rng, 4);
				da[tid] += ds;
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

static void bare_runs_roundtrip(void **state)
{
	struct flats in = { 0 }, out;
	char err[512], batch[16];
	const char *path = tpath("runs.nst");
	(void)state;

	build_runs(&in, 5);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bare_runs_roundtrip),
		cmocka_unit_test(bare_fault),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
