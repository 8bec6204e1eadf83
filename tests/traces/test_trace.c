/*
 * tests/traces/test_trace.c - the trace readers and writers: round trips of
 * the native and text formats (every op, every control kind, extreme
 * addresses, sizes, gaps and thread ids), all three compressions, batch
 * limits, format detection, lackey and ChampSim decoding, and every error
 * with its exact file/offset/line message.
 */
#include "tests/traces/trace_util.h"
#include "sim/rng.h"

/* ---- record generators ---- */

static void add_mem(struct flats *f, unsigned op, uint64_t addr, unsigned size, uint32_t gap, unsigned tid)
{
	struct trace_rec r = { .addr = addr, .gap = gap, .tid = (uint16_t)tid, .size = (uint16_t)size,
			       .op = (uint8_t)op };
	flats_push(f, &r, NULL);
}

static unsigned nr_args(uint32_t kind)
{
	/* count the words of the TRACE_CTRLS description up to "(" */
	static const char *const spec[] = {
#define X(id, name, args) args,
		TRACE_CTRLS(X)
#undef X
	};
	const char *s = spec[kind];
	unsigned n = 0;

	while (*s && *s != '(') {
		while (*s == ' ')
			s++;
		if (!*s || *s == '(')
			break;
		n++;
		while (*s && *s != ' ' && *s != '(')
			s++;
	}
	return n;
}

static void add_ctrl(struct flats *f, uint32_t kind, const uint64_t *args, uint64_t ret, uint32_t gap, unsigned tid)
{
	struct trace_rec r = { .gap = gap, .tid = (uint16_t)tid, .op = TOP_CTRL };
	struct trace_ctrl c;

	memset(&c, 0, sizeof(c));
	c.kind = kind;
	c.nargs = nr_args(kind);
	for (unsigned i = 0; i < c.nargs; i++)
		c.args[i] = args[i];
	c.ret = ret;
	flats_push(f, &r, &c);
}

/* Every control kind once, with argument values that stress the encodings. */
static void add_every_ctrl(struct flats *f, unsigned tid)
{
	static const uint64_t args[TRACE_CTRL_MAX_ARGS] = {
		0x7f0000001000ull, 0x200000, 3, 0x22, UINT64_MAX, 0,
	};
	for (uint32_t k = 0; k < NR_TRACE_CTRLS; k++)
		add_ctrl(f, k, args, k % 2 ? TRACE_RET_NONE : 0x7f0000000000ull + k, k * 3, tid);
}

static void gen_random(struct flats *f, size_t n, uint64_t seed)
{
	struct rng g;
	uint64_t base[4] = { 0x400000, 0x7ffd00000000ull, 0x601000, 0xffffffffffff0000ull };

	rng_seed(&g, seed, 1);
	for (size_t i = 0; i < n; i++) {
		uint64_t x = rng_next(&g);
		unsigned op = (unsigned)(x & 3), tid = (unsigned)((x >> 2) & 3);
		uint64_t addr;
		unsigned size;
		uint32_t gap;

		switch ((x >> 8) & 7) {
		case 0: addr = rng_next(&g); break;                      /* anywhere: 8-byte deltas */
		case 1: addr = base[tid] -= 8; break;                    /* negative stride */
		case 2: addr = base[tid]; break;                         /* delta 0 */
		default: addr = base[tid] += (x >> 16) & 0xff; break;
		}
		switch ((x >> 24) & 7) {
		case 0: size = 1 + (unsigned)((x >> 32) % 65535); break;
		case 1: size = 256; break;
		case 2: size = 255; break;
		default: size = 8; break;
		}
		switch ((x >> 40) & 7) {
		case 0: gap = (uint32_t)(x >> 32); break;
		case 1: gap = 255; break;
		case 2: gap = 256; break;
		case 3: gap = UINT32_MAX; break;
		default: gap = 0; break;
		}
		add_mem(f, op, addr, size, gap, tid);
		if (op != TOP_IFETCH && (x >> 52) % 3 == 0)
			f->v[f->n - 1].r.flags = TREC_DEP;       /* runs of dependent records cross batches */
		if ((x >> 48) % 997 == 0)
			add_every_ctrl(f, tid);
	}
}

static void build_mixed(struct flats *f)
{
	memset(f, 0, sizeof(*f));
	add_mem(f, TOP_LOAD, 0, 1, 0, 0);
	add_mem(f, TOP_LOAD, 0, 1, 0, 0);                       /* repeat delta 0 */
	add_mem(f, TOP_STORE, UINT64_MAX, 65535, UINT32_MAX, 0);
	add_mem(f, TOP_IFETCH, 0x400000, 4, 0, 0);
	add_mem(f, TOP_MODIFY, 0x1000, 8, 1, 65535);
	add_every_ctrl(f, 0);
	add_every_ctrl(f, 65535);
	gen_random(f, 30000, 7);
}

/* ---- round trips ---- */

static void roundtrip(enum trace_format fmt, enum trace_compress comp, const char *name)
{
	struct flats in, out;
	char err[512];
	const char *path = tpath(name);

	build_mixed(&in);
	write_all(path, fmt, comp, &in);
	assert_int_equal(read_all(path, TFMT_AUTO, &out, err, sizeof(err)), 0);
	assert_flats_equal(&in, &out);
	assert_true(out.max_batch <= 4096);
	assert_true(out.batches >= in.n / 4096);
	free(in.v);
	free(out.v);
}

static void native_roundtrip(void **state)
{
	(void)state;
	roundtrip(TFMT_NATIVE, TCOMP_NONE, "rt.nst");
}

static void text_roundtrip(void **state)
{
	(void)state;
	roundtrip(TFMT_TEXT, TCOMP_NONE, "rt.txt");
}

static void compressed_roundtrips(void **state)
{
	(void)state;
	roundtrip(TFMT_NATIVE, TCOMP_NONE, "rt.nst.gz");
	roundtrip(TFMT_NATIVE, TCOMP_NONE, "rt.nst.xz");
	roundtrip(TFMT_NATIVE, TCOMP_NONE, "rt.nst.zst");
	roundtrip(TFMT_TEXT, TCOMP_GZ, "rt-text-gz");     /* compression by magic, not name */
	roundtrip(TFMT_TEXT, TCOMP_XZ, "rt-text-xz");
	roundtrip(TFMT_TEXT, TCOMP_ZST, "rt-text-zst");
}

/* The extension picks the compression: check the bytes really are compressed. */
static void compression_by_extension(void **state)
{
	static const struct { const char *name; uint8_t magic[4]; size_t n; } cases[] = {
		{ "ext.nst.gz", { 0x1f, 0x8b }, 2 },
		{ "ext.nst.xz", { 0xfd, '7', 'z', 'X' }, 4 },
		{ "ext.nst.zst", { 0x28, 0xb5, 0x2f, 0xfd }, 4 },
		{ "ext.nst", { 'N', 'U', 'M', 'A' }, 4 },
	};
	struct flats in;
	(void)state;

	memset(&in, 0, sizeof(in));
	add_mem(&in, TOP_LOAD, 0x1234, 8, 0, 0);
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		uint8_t head[4];
		const char *path = tpath(cases[i].name);
		FILE *fp;

		write_all(path, TFMT_NATIVE, TCOMP_NONE, &in);
		fp = fopen(path, "rb");
		assert_non_null(fp);
		assert_int_equal(fread(head, 1, 4, fp), 4);
		fclose(fp);
		assert_memory_equal(head, cases[i].magic, cases[i].n);
	}
	free(in.v);
}

/* Batches respect both limits, and control records beyond 256 spill into the next batch. */
static void batch_limits(void **state)
{
	struct flats in, out;
	char err[512];
	const char *path = tpath("batches.nst");
	static const uint64_t args[6] = { 1, 2, 3, 4, 5, 6 };
	(void)state;

	memset(&in, 0, sizeof(in));
	for (unsigned i = 0; i < 1000; i++)
		add_ctrl(&in, TCTRL_MARK, args, i, 0, 0);
	for (unsigned i = 0; i < 10000; i++)
		add_mem(&in, TOP_LOAD, 0x1000 + 8 * i, 8, 0, i % 3);
	write_all(path, TFMT_NATIVE, TCOMP_NONE, &in);
	assert_int_equal(read_all(path, TFMT_NATIVE, &out, err, sizeof(err)), 0);
	assert_flats_equal(&in, &out);
	assert_int_equal(out.max_ctrl_batch, 256);
	assert_int_equal(out.max_batch, 4096);
	/* 256, 256, 256 controls; 232 controls + 3864 loads; 4096 and 2040 loads */
	assert_int_equal(out.batches, 6);
	free(out.v);

	/* the same through the text reader */
	path = tpath("batches.txt");
	write_all(path, TFMT_TEXT, TCOMP_NONE, &in);
	assert_int_equal(read_all(path, TFMT_TEXT, &out, err, sizeof(err)), 0);
	assert_int_equal(out.max_ctrl_batch, 256);
	assert_flats_equal(&in, &out);
	free(out.v);
	free(in.v);
}

/* Records straddling the 1 MiB block: a trace of several MiB with long records. */
static void block_boundaries(void **state)
{
	struct flats in, out;
	char err[512];
	const char *path = tpath("blocks.nst.zst");
	(void)state;

	memset(&in, 0, sizeof(in));
	for (unsigned i = 0; i < 400000; i++)        /* ~17 bytes each: ~6.8 MiB */
		add_mem(&in, i % 4, (uint64_t)i * 0x9e3779b97f4a7c15ull, 300 + i % 7, 70000 + i, i % 2);
	write_all(path, TFMT_NATIVE, TCOMP_NONE, &in);
	assert_int_equal(read_all(path, TFMT_AUTO, &out, err, sizeof(err)), 0);
	assert_flats_equal(&in, &out);
	free(out.v);
	free(in.v);
}

static void thread_count_header(void **state)
{
	struct flats in;
	trace_reader_t *r;
	trace_writer_t *w;
	char err[512];
	struct trace_rec rec = { .addr = 1, .size = 1, .tid = 5 };
	(void)state;

	/* undeclared, plain: patched to max tid + 1 */
	memset(&in, 0, sizeof(in));
	add_mem(&in, TOP_LOAD, 1, 1, 0, 6);
	write_all(tpath("thr.nst"), TFMT_NATIVE, TCOMP_NONE, &in);
	assert_int_equal(trace_open(&r, tpath("thr.nst"), TFMT_AUTO, err, sizeof(err)), 0);
	assert_int_equal(trace_nr_threads(r), 7);
	assert_int_equal(trace_reader_format(r), TFMT_NATIVE);
	trace_close(r);
	/* undeclared, compressed: unknown */
	write_all(tpath("thr.nst.gz"), TFMT_NATIVE, TCOMP_NONE, &in);
	assert_int_equal(trace_open(&r, tpath("thr.nst.gz"), TFMT_AUTO, err, sizeof(err)), 0);
	assert_int_equal(trace_nr_threads(r), 0);
	trace_close(r);
	free(in.v);
	/* declared: kept, and a thread beyond it is refused */
	assert_int_equal(trace_writer_open(&w, tpath("thr2.nst.zst"), TFMT_NATIVE, TCOMP_NONE, err, sizeof(err)), 0);
	assert_int_equal(trace_writer_set_threads(w, 3), 0);
	assert_int_equal(trace_write_rec(w, &rec, NULL), -SIM_ERANGE);
	assert_non_null(strstr(trace_writer_error(w), "thr2.nst.zst: record 0: thread 5 but 3 declared"));
	assert_int_not_equal(trace_writer_close(w, true, err, sizeof(err)), 0);
}

static void detection(void **state)
{
	static const char text[] = "# hello\nR 1000 8\n";
	static const char lackey[] = "==12== Lackey\nI  04000000,3\n L 1ffefff000,8\n";
	static const char lackey_nobanner[] = "I  04000000,3\n";
	uint8_t cs[64] = { 0x10 };
	trace_reader_t *r;
	char err[512];
	(void)state;

	put_file(tpath("d.txt"), text, strlen(text));
	put_file(tpath("d.log"), lackey, strlen(lackey));
	put_file(tpath("d2.log"), lackey_nobanner, strlen(lackey_nobanner));
	put_file(tpath("d.champsimtrace"), cs, sizeof(cs));
	put_file(tpath("d.champsim"), cs, sizeof(cs));
	assert_int_equal(trace_open(&r, tpath("d.txt"), TFMT_AUTO, err, sizeof(err)), 0);
	assert_int_equal(trace_reader_format(r), TFMT_TEXT);
	trace_close(r);
	assert_int_equal(trace_open(&r, tpath("d.log"), TFMT_AUTO, err, sizeof(err)), 0);
	assert_int_equal(trace_reader_format(r), TFMT_LACKEY);
	trace_close(r);
	assert_int_equal(trace_open(&r, tpath("d2.log"), TFMT_AUTO, err, sizeof(err)), 0);
	assert_int_equal(trace_reader_format(r), TFMT_LACKEY);
	trace_close(r);
	assert_int_equal(trace_open(&r, tpath("d.champsimtrace"), TFMT_AUTO, err, sizeof(err)), 0);
	assert_int_equal(trace_reader_format(r), TFMT_CHAMPSIM);
	trace_close(r);
	assert_int_equal(trace_open(&r, tpath("d.champsim"), TFMT_AUTO, err, sizeof(err)), 0);
	assert_int_equal(trace_reader_format(r), TFMT_CHAMPSIM);
	trace_close(r);

	assert_int_equal(trace_format_parse("native"), TFMT_NATIVE);
	assert_int_equal(trace_format_parse("lackey"), TFMT_LACKEY);
	assert_int_equal(trace_format_parse("champsim"), TFMT_CHAMPSIM);
	assert_int_equal(trace_format_parse("text"), TFMT_TEXT);
	assert_int_equal(trace_format_parse("bogus"), TFMT_AUTO);
	assert_string_equal(trace_format_name(TFMT_LACKEY), "lackey");
	assert_string_equal(trace_ctrl_name(TCTRL_MBIND), "mbind");
	assert_string_equal(trace_ctrl_name(999), "unknown");
}

/* ---- text format details ---- */

static void text_parse(void **state)
{
	static const char text[] =
		"# a comment\n"
		"\n"
		"R 7ffd1000\n"
		"W 0x601040 4 +12   # trailing comment\n"
		"T3 I 400000 +2\n"
		"T1 M ABCDEF 16\r\n"
		"mmap addr=0 len=0x200000 prot=3 flags=0x22 fd=-1 offset=0 ret=0x7f0000000000\n"
		"T1 mbind addr=0x7f0000000000 len=2097152 mode=bind nodes=0-1,3\n"
		"set_mempolicy mode=weighted_interleave nodemask=0x5 +7\n"
		"thread_cpu cpu=3\n"
		"clone child=1\n"
		"exit\n"
		"R 10 1";                 /* no final newline */
	struct flats f;
	char err[512];
	(void)state;

	put_file(tpath("p.txt"), text, strlen(text));
	assert_int_equal(read_all(tpath("p.txt"), TFMT_AUTO, &f, err, sizeof(err)), 0);
	assert_int_equal(f.n, 11);
	assert_int_equal(f.v[0].r.op, TOP_LOAD);
	assert_int_equal(f.v[0].r.addr, 0x7ffd1000);
	assert_int_equal(f.v[0].r.size, 8);                   /* default data size */
	assert_int_equal(f.v[1].r.op, TOP_STORE);
	assert_int_equal(f.v[1].r.size, 4);
	assert_int_equal(f.v[1].r.gap, 12);
	assert_int_equal(f.v[2].r.op, TOP_IFETCH);
	assert_int_equal(f.v[2].r.tid, 3);
	assert_int_equal(f.v[2].r.size, 4);                   /* default fetch size */
	assert_int_equal(f.v[2].r.gap, 2);
	assert_int_equal(f.v[3].r.op, TOP_MODIFY);
	assert_int_equal(f.v[3].r.addr, 0xabcdef);
	assert_int_equal(f.v[3].r.size, 16);
	assert_int_equal(f.v[4].r.op, TOP_CTRL);
	assert_int_equal(f.v[4].c.kind, TCTRL_MMAP);
	assert_int_equal(f.v[4].c.nargs, 6);
	assert_int_equal(f.v[4].c.args[1], 0x200000);
	assert_int_equal(f.v[4].c.args[3], 0x22);
	assert_true(f.v[4].c.args[4] == UINT64_MAX);
	assert_int_equal(f.v[4].c.ret, 0x7f0000000000ull);
	assert_int_equal(f.v[5].c.kind, TCTRL_MBIND);
	assert_int_equal(f.v[5].r.tid, 1);
	assert_int_equal(f.v[5].c.args[2], 2);                /* MPOL_BIND */
	assert_int_equal(f.v[5].c.args[3], 0xb);              /* nodes 0,1,3 */
	assert_true(f.v[5].c.ret == TRACE_RET_NONE);
	assert_int_equal(f.v[6].c.kind, TCTRL_SET_MEMPOLICY);
	assert_int_equal(f.v[6].c.args[0], 6);
	assert_int_equal(f.v[6].c.args[1], 5);
	assert_int_equal(f.v[6].r.gap, 7);
	assert_int_equal(f.v[7].c.kind, TCTRL_THREAD_CPU);
	assert_int_equal(f.v[7].c.args[0], 3);
	assert_int_equal(f.v[8].c.kind, TCTRL_CLONE);
	assert_int_equal(f.v[8].c.args[0], 1);
	assert_int_equal(f.v[9].c.kind, TCTRL_EXIT);
	assert_int_equal(f.v[9].c.nargs, 1);
	assert_int_equal(f.v[9].c.args[0], 0);
	assert_int_equal(f.v[10].r.addr, 0x10);
	assert_int_equal(f.v[10].r.size, 1);
	free(f.v);
}

static void text_errors(void **state)
{
	static const struct { const char *text, *msg; } cases[] = {
		{ "R 10\nQ 10\n", "%s:2: expected an op (R W I M) or a control name, found 'Q'" },
		{ "R 1x0\n", "%s:1: expected a hexadecimal address, found '1x0'" },
		{ "R 11112222333344445\n", "%s:1: expected a hexadecimal address, found '11112222333344445'" },
		{ "W 10 0\n", "%s:1: expected a size in 1..65535, found '0'" },
		{ "W 10 65536\n", "%s:1: expected a size in 1..65535, found '65536'" },
		{ "W 10 8 +4294967296\n", "%s:1: expected a gap +N below 2^32, found '+4294967296'" },
		{ "W 10 8 9\n", "%s:1: unexpected '9' after the record" },
		{ "T65536 R 10\n", "%s:1: expected a thread id T0..T65535, found 'T65536'" },
		{ "R\n", "%s:1: expected an address after R" },
		{ "# c\nfrobnicate x=1\n", "%s:2: expected an op (R W I M) or a control name, found 'frobnicate'" },
		{ "mmap bogus=1\n", "%s:1: unknown argument 'bogus' for mmap (expected addr len prot flags fd "
				    "offset ret)" },
		{ "mbind mode=sideways\n", "%s:1: expected a number or a policy name for mode, found 'sideways'" },
		{ "mbind nodes=0-\n", "%s:1: expected a number or a node list like 0-1,3 for nodes, found '0-'" },
		{ "mbind nodes=64\n", "%s:1: expected a number or a node list like 0-1,3 for nodes, found '64'" },
		{ "brk addr\n", "%s:1: expected key=value after brk, found 'addr'" },
		{ "brk addr=1 addr=2\n", "%s:1: argument 'addr' given twice" },
		{ "exit status=zz\n", "%s:1: expected a number for status, found 'zz'" },
		/* the file-size model: an endless length once paged a file in for ever */
		{ "R 10\nfile_read fd=3 offset=0 len=0xffffffffffffffff\n",
		  "%s:2: file_read: expected len at most 0x7ffff000 (Linux MAX_RW_COUNT), found 0xffffffffffffffff" },
		{ "file_write fd=3 offset=0 len=0x7ffff001\n",
		  "%s:1: file_write: expected len at most 0x7ffff000 (Linux MAX_RW_COUNT), found 0x7ffff001" },
		{ "file_write fd=3 offset=0x7ffffffffffff000 len=0x1001\n",
		  "%s:1: file_write: expected offset + len at most 0x7fffffffffffffff (the largest file), found "
		  "0x7ffffffffffff000 + 0x1001" },
	};
	(void)state;

	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++)
		expect_error_buf("err.txt", cases[i].text, strlen(cases[i].text), TFMT_TEXT, cases[i].msg);
}

/* ---- lackey ---- */

static void lackey_parse(void **state)
{
	static const char log[] =
		"==4242== Lackey, an example Valgrind tool\n"
		"==4242== Command: ./a.out\n"
		"==4242==\n"
		"--4242-- run: /usr/bin/dsymutil\n"
		"I  04000000,3\n"
		" L 1ffefff6c8,8\n"
		" S 1ffefff6c0,8\n"
		" M 0403a1c8,4\n"
		"I  0401b7a0,15\r\n"
		"program output line\n"
		" L ffffffffffffffff,512\n"
		"==4242== \n"
		"I  04000003,1";
	struct flats f;
	char err[512];
	(void)state;

	put_file(tpath("l.log"), log, strlen(log));
	assert_int_equal(read_all(tpath("l.log"), TFMT_AUTO, &f, err, sizeof(err)), 0);
	assert_int_equal(f.n, 7);
	static const struct { unsigned op; uint64_t addr; unsigned size; } want[] = {
		{ TOP_IFETCH, 0x04000000, 3 }, { TOP_LOAD, 0x1ffefff6c8ull, 8 }, { TOP_STORE, 0x1ffefff6c0ull, 8 },
		{ TOP_MODIFY, 0x0403a1c8, 4 }, { TOP_IFETCH, 0x0401b7a0, 15 }, { TOP_LOAD, UINT64_MAX, 512 },
		{ TOP_IFETCH, 0x04000003, 1 },
	};
	for (unsigned i = 0; i < ARRAY_SIZE(want); i++) {
		assert_int_equal(f.v[i].r.op, want[i].op);
		assert_true(f.v[i].r.addr == want[i].addr);
		assert_int_equal(f.v[i].r.size, want[i].size);
		assert_int_equal(f.v[i].r.gap, 0);
		assert_int_equal(f.v[i].r.tid, 0);
	}
	free(f.v);
}

static void lackey_errors(void **state)
{
	static const struct { const char *text, *msg; } cases[] = {
		{ "I  0400,3\n L 12g4,8\n", "%s:2: expected a hexadecimal address of at most 64 bits, found ' L 12g4,8'" },
		{ "==1== x\n S 1234\n", "%s:2: expected ',' and a size after the address, found ' S 1234'" },
		{ " M 1234,0\n", "%s:1: expected a decimal size in 1..65535, found ' M 1234,0'" },
		{ " M 1234,70000\n", "%s:1: expected a decimal size in 1..65535, found ' M 1234,70000'" },
		{ "I  ,4\n", "%s:1: expected a hexadecimal address, found 'I  ,4'" },
		{ "I  10,4 x\n", "%s:1: expected the end of the line after the size, found 'I  10,4 x'" },
		{ "I  11112222333344445,4\n", "%s:1: expected a hexadecimal address of at most 64 bits, found "
					      "'I  11112222333344445,4'" },
	};
	(void)state;

	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++)
		expect_error_buf("err.log", cases[i].text, strlen(cases[i].text), TFMT_LACKEY, cases[i].msg);
}

/* ---- ChampSim ---- */

static void le64_put(uint8_t *p, uint64_t v)
{
	for (unsigned i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void champsim_decode(void **state)
{
	uint8_t buf[128];
	struct flats f;
	char err[512];
	(void)state;

	memset(buf, 0, sizeof(buf));
	/* instruction 1: ip, branch fields, regs, 1 store (dst_mem[1]), 2 loads (src_mem[0], src_mem[3]) */
	le64_put(buf + 0, 0x401000);
	buf[8] = 1;
	buf[9] = 1;
	buf[10] = 25;
	buf[12] = 26;
	le64_put(buf + 16 + 8, 0x7ffc0010);
	le64_put(buf + 32, 0x601000);
	le64_put(buf + 32 + 24, 0x601008);
	/* instruction 2: no memory */
	le64_put(buf + 64, 0x401004);
	put_file(tpath("c.champsim"), buf, sizeof(buf));
	assert_int_equal(read_all(tpath("c.champsim"), TFMT_AUTO, &f, err, sizeof(err)), 0);
	assert_int_equal(f.n, 5);
	assert_int_equal(f.v[0].r.op, TOP_IFETCH);
	assert_int_equal(f.v[0].r.addr, 0x401000);
	assert_int_equal(f.v[0].r.size, 4);
	assert_int_equal(f.v[1].r.op, TOP_LOAD);
	assert_int_equal(f.v[1].r.addr, 0x601000);
	assert_int_equal(f.v[1].r.size, 8);
	assert_int_equal(f.v[2].r.op, TOP_LOAD);
	assert_int_equal(f.v[2].r.addr, 0x601008);
	assert_int_equal(f.v[3].r.op, TOP_STORE);
	assert_int_equal(f.v[3].r.addr, 0x7ffc0010);
	assert_int_equal(f.v[3].r.size, 8);
	assert_int_equal(f.v[4].r.op, TOP_IFETCH);
	assert_int_equal(f.v[4].r.addr, 0x401004);
	free(f.v);

	/* explicit format on a file without the extension; a truncated last record */
	put_file(tpath("c.bin"), buf, 100);
	{
		char msg[600];
		snprintf(msg, sizeof(msg), "%s: byte 64: expected a 64-byte ChampSim record, found the end of "
			 "the file after 36 bytes", tpath("c.bin"));
		expect_error(tpath("c.bin"), TFMT_CHAMPSIM, msg);
	}
}

/* Many instructions through a compressed file: batches never split an instruction. */
static void champsim_many(void **state)
{
	size_t n = 20000;
	uint8_t *buf = calloc(n, 64);
	trace_writer_t *w = NULL;
	struct flats f;
	char err[512];
	size_t expect = 0;
	(void)state;
	(void)w;

	for (size_t i = 0; i < n; i++) {
		le64_put(buf + 64 * i, 0x400000 + 4 * i);
		for (unsigned k = 0; k < i % 5 && k < 4; k++)
			le64_put(buf + 64 * i + 32 + 8 * k, 0x10000 + i * 64 + k);
		if (i % 3 == 0)
			le64_put(buf + 64 * i + 16, 0x20000 + i);
		expect += 1 + (i % 5 < 4 ? i % 5 : 4) + (i % 3 == 0);
	}
	put_file(tpath("many.champsim"), buf, n * 64);
	assert_int_equal(read_all(tpath("many.champsim"), TFMT_AUTO, &f, err, sizeof(err)), 0);
	assert_int_equal(f.n, expect);
	assert_true(f.max_batch <= 4096);
	/* instruction i starts exactly where the previous one's records end */
	for (size_t i = 0, j = 0; i < n; i++) {
		assert_int_equal(f.v[j].r.op, TOP_IFETCH);
		assert_int_equal(f.v[j].r.addr, 0x400000 + 4 * i);
		j += 1 + (i % 5 < 4 ? i % 5 : 4) + (i % 3 == 0);
	}
	free(f.v);
	free(buf);
}

/* ---- native errors, byte by byte ---- */

static size_t nst_header(uint8_t *b, unsigned version, unsigned nthreads)
{
	memset(b, 0, 32);
	memcpy(b, "NUMASIMT", 8);
	b[8] = (uint8_t)version;
	b[10] = 32;
	b[16] = (uint8_t)nthreads;
	return 32;
}

static void native_errors(void **state)
{
	uint8_t b[256];
	size_t n;
	(void)state;

	/* a control record beyond the file-size model, found by byte offset */
	{
		struct flats f = { 0 }, g;
		char e[512];
		const uint64_t args[3] = { 3, 0, UINT64_MAX };

		add_mem(&f, TOP_LOAD, 0x1000, 8, 0, 0);
		add_ctrl(&f, TCTRL_FILE_READ, args, TRACE_RET_NONE, 0, 0);
		write_all(tpath("rw.nst"), TFMT_NATIVE, TCOMP_NONE, &f);
		assert_true(read_all(tpath("rw.nst"), TFMT_NATIVE, &g, e, sizeof(e)) < 0);
		if (!strstr(e, "rw.nst: byte ") || !strstr(e, "file_read: expected len at most 0x7ffff000"))
			fail_msg("got \"%s\"", e);
		free(f.v);
		free(g.v);
	}

	memcpy(b, "NUMASIMX", 8);
	expect_error_buf("e1.nst", b, 8, TFMT_NATIVE, "%s: byte 0: expected the magic \"NUMASIMT\" of a native trace");
	expect_error_buf("e2.nst", "NUMASIMT\1\0", 10, TFMT_AUTO,
			 "%s: byte 10: expected a 32-byte header, found the end of the file");
	n = nst_header(b, 3, 1);
	expect_error_buf("e3.nst", b, n, TFMT_AUTO,
			 "%s: byte 8: expected format version 1..2, found unsupported version 3");
	n = nst_header(b, 1, 1);
	b[12] = 1;
	expect_error_buf("e4.nst", b, n, TFMT_AUTO,
			 "%s: byte 12: expected no required flags, found unsupported flags 0x0001");
	/* missing END */
	n = nst_header(b, 1, 1);
	b[n++] = 0x00 | (1 << 2) | 0x20;   /* load, 1-byte delta, size byte */
	b[n++] = 0x10;
	b[n++] = 8;
	expect_error_buf("e5.nst", b, n, TFMT_AUTO,
			 "%s: byte 35: expected a record or the end record, found the end of the file");
	/* truncated record: tag announces a 4-byte delta, 2 present */
	n = nst_header(b, 1, 1);
	b[n++] = (4 << 2) | 0x20;
	b[n++] = 1;
	b[n++] = 2;
	expect_error_buf("e6.nst", b, n, TFMT_AUTO,
			 "%s: byte 32: expected the rest of the record, found the end of the file");
	/* unknown tag after a good record */
	n = nst_header(b, 1, 1);
	b[n++] = (1 << 2) | 0x20;
	b[n++] = 2;
	b[n++] = 8;
	b[n++] = 0x9c;
	b[n++] = 0x82;
	b[n++] = 1;
	expect_error_buf("e7.nst", b, n, TFMT_AUTO,
			 "%s: byte 35: expected a record tag, found unknown tag 0x9c");
	/* size 0: first record of a stream without a size byte */
	n = nst_header(b, 1, 1);
	b[n++] = (1 << 2);
	b[n++] = 2;
	expect_error_buf("e8.nst", b, n, TFMT_AUTO,
			 "%s: byte 32: expected an access size in 1..65535, found 0");
	/* size 0 in the two-byte form */
	n = nst_header(b, 1, 1);
	b[n++] = (1 << 2) | 0x20;
	b[n++] = 2;
	b[n++] = 0;
	b[n++] = 0;
	b[n++] = 0;
	expect_error_buf("e9.nst", b, n, TFMT_AUTO,
			 "%s: byte 32: expected an access size in 1..65535, found 0");
	/* bad control kind */
	n = nst_header(b, 1, 1);
	b[n++] = 0x81;
	b[n++] = 99;
	/* the bound is the table's size, whatever kinds other work appends */
	char want_kind[96];
	snprintf(want_kind, sizeof(want_kind), "%%s: byte 32: expected a control kind below %d, found 99",
		 (int)NR_TRACE_CTRLS);
	expect_error_buf("e10.nst", b, n, TFMT_AUTO, want_kind);
	/* varint overflow (11-byte kind) */
	n = nst_header(b, 1, 1);
	b[n++] = 0x81;
	for (int i = 0; i < 9; i++)
		b[n++] = 0xff;
	b[n++] = 0x02;
	b[n++] = 0;
	expect_error_buf("e11.nst", b, n, TFMT_AUTO,
			 "%s: byte 32: expected a varint of at most 64 bits, found a longer one");
	/* too many control arguments */
	n = nst_header(b, 1, 1);
	b[n++] = 0x81;
	b[n++] = TCTRL_MMAP;
	b[n++] = 7;
	expect_error_buf("e12.nst", b, n, TFMT_AUTO,
			 "%s: byte 32: expected at most 6 control arguments, found 7");
	/* thread beyond the declared count */
	n = nst_header(b, 1, 2);
	b[n++] = 0x80;
	b[n++] = 2;
	expect_error_buf("e13.nst", b, n, TFMT_AUTO, "%s: byte 32: expected a thread id below 2, found 2");
	/* end count mismatch */
	n = nst_header(b, 1, 1);
	b[n++] = (1 << 2) | 0x20;
	b[n++] = 2;
	b[n++] = 8;
	b[n++] = 0x82;
	b[n++] = 5;
	expect_error_buf("e14.nst", b, n, TFMT_AUTO,
			 "%s: byte 35: expected an end record count of 1, found 5");
	/* bytes after END */
	n = nst_header(b, 1, 1);
	b[n++] = 0x82;
	b[n++] = 0;
	b[n++] = 0;
	expect_error_buf("e15.nst", b, n, TFMT_AUTO,
			 "%s: byte 34: expected the end of the file after the end record");
	/* control gap too large */
	n = nst_header(b, 1, 1);
	b[n++] = 0x81;
	b[n++] = TCTRL_EXIT;
	b[n++] = 0;
	b[n++] = 0;
	for (int i = 0; i < 4; i++)
		b[n++] = 0xff;
	b[n++] = 0x1f;
	expect_error_buf("e16.nst", b, n, TFMT_AUTO, "%s: byte 32: expected a gap below 2^32, found 8589934591");
	/* the same faults far from the end of the file go through the fast decoder */
	n = nst_header(b, 1, 1);
	b[n++] = (1 << 2);
	b[n++] = 2;
	memset(b + n, 0x82, 150);
	expect_error_buf("e17.nst", b, n + 150, TFMT_AUTO,
			 "%s: byte 32: expected an access size in 1..65535, found 0");
	n = nst_header(b, 1, 1);
	b[n++] = 0xfe;
	memset(b + n, 0, 150);
	expect_error_buf("e18.nst", b, n + 150, TFMT_AUTO,
			 "%s: byte 32: expected a record tag, found unknown tag 0xfe");
	/* an empty but valid trace */
	n = nst_header(b, 1, 0);
	b[n++] = 0x82;
	b[n++] = 0;
	put_file(tpath("empty.nst"), b, n);
	{
		struct flats f;
		char err[512];
		assert_int_equal(read_all(tpath("empty.nst"), TFMT_AUTO, &f, err, sizeof(err)), 0);
		assert_int_equal(f.n, 0);
		free(f.v);
	}
}

/* The byte-level example of docs/trace-format.md, both ways. */
static void doc_example(void **state)
{
	static const uint8_t bytes[] = {
		0x4e, 0x55, 0x4d, 0x41, 0x53, 0x49, 0x4d, 0x54, 0x02, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x28, 0x00, 0x20, 0x08,
		0x80, 0x01,
		0x69, 0x00, 0x40, 0x04, 0x03,
		0x83, 0x24, 0x07, 0x08,
		0x82, 0x03,
	};
	struct flats f, want;
	char err[512];
	FILE *fp;
	uint8_t got[sizeof(bytes) + 1];
	trace_writer_t *w;
	(void)state;

	put_file(tpath("doc.nst"), bytes, sizeof(bytes));
	assert_int_equal(read_all(tpath("doc.nst"), TFMT_AUTO, &f, err, sizeof(err)), 0);
	memset(&want, 0, sizeof(want));
	add_mem(&want, TOP_LOAD, 0x1000, 8, 0, 0);
	add_mem(&want, TOP_STORE, 0x2000, 4, 3, 1);
	add_mem(&want, TOP_LOAD, 0x1ffc, 8, 0, 1);
	want.v[2].r.flags = TREC_DEP;
	assert_flats_equal(&want, &f);
	free(f.v);

	assert_int_equal(trace_writer_open(&w, tpath("doc2.nst"), TFMT_NATIVE, TCOMP_NONE, err, sizeof(err)), 0);
	assert_int_equal(trace_writer_set_threads(w, 2), 0);
	for (size_t i = 0; i < want.n; i++)
		assert_int_equal(trace_write_rec(w, &want.v[i].r, NULL), 0);
	assert_int_equal(trace_writer_set_threads(w, 3), -SIM_ESTATE);
	assert_int_equal(trace_writer_close(w, true, err, sizeof(err)), 0);
	fp = fopen(tpath("doc2.nst"), "rb");
	assert_non_null(fp);
	assert_int_equal(fread(got, 1, sizeof(got), fp), sizeof(bytes));
	fclose(fp);
	assert_memory_equal(got, bytes, sizeof(bytes));
	free(want.v);
}

/* Version-1 files (no DEP tag) still read; in them 0x83 is an unknown tag. */
static void native_v1_and_dep_errors(void **state)
{
	uint8_t b[256];
	size_t n;
	struct flats f;
	char err[512];
	(void)state;

	n = nst_header(b, 1, 1);
	b[n++] = (2 << 2) | 0x20;          /* load, 2-byte delta, size */
	b[n++] = 0x00;
	b[n++] = 0x20;
	b[n++] = 8;
	b[n++] = 0x82;
	b[n++] = 1;
	put_file(tpath("v1.nst"), b, n);
	assert_int_equal(read_all(tpath("v1.nst"), TFMT_AUTO, &f, err, sizeof(err)), 0);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.v[0].r.addr, 0x1000);
	assert_int_equal(f.v[0].r.flags, 0);
	free(f.v);

	n = nst_header(b, 1, 1);
	b[n++] = 0x83;
	b[n++] = (1 << 2) | 0x20;
	b[n++] = 2;
	b[n++] = 8;
	b[n++] = 0x82;
	b[n++] = 1;
	expect_error_buf("d1.nst", b, n, TFMT_AUTO, "%s: byte 32: expected a record tag, found unknown tag 0x83");
	b[8] = 2;                          /* the same bytes are a dependent load in version 2 */
	put_file(tpath("d2.nst"), b, n);
	assert_int_equal(read_all(tpath("d2.nst"), TFMT_AUTO, &f, err, sizeof(err)), 0);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.v[0].r.flags, TREC_DEP);
	free(f.v);

	/* DEP before an instruction fetch, before END, twice, before a thread switch */
	n = nst_header(b, 2, 2);
	b[n++] = 0x83;
	b[n++] = 0x02 | (1 << 2) | 0x20;
	b[n++] = 2;
	b[n++] = 4;
	b[n++] = 0x82;
	b[n++] = 1;
	expect_error_buf("d3.nst", b, n, TFMT_AUTO,
			 "%s: byte 32: expected a load, store or modify record after the DEP tag 0x83");
	n = nst_header(b, 2, 2);
	b[n++] = 0x83;
	b[n++] = 0x82;
	b[n++] = 0;
	expect_error_buf("d4.nst", b, n, TFMT_AUTO,
			 "%s: byte 32: expected a load, store or modify record after the DEP tag 0x83");
	n = nst_header(b, 2, 2);
	b[n++] = (1 << 2) | 0x20;
	b[n++] = 2;
	b[n++] = 8;
	b[n++] = 0x83;
	b[n++] = 0x83;
	b[n++] = 0x00;
	b[n++] = 0x82;
	b[n++] = 2;
	expect_error_buf("d5.nst", b, n, TFMT_AUTO,
			 "%s: byte 35: expected a load, store or modify record after the DEP tag 0x83");
	n = nst_header(b, 2, 2);
	b[n++] = 0x83;
	b[n++] = 0x80;
	b[n++] = 1;
	b[n++] = (1 << 2) | 0x20;
	b[n++] = 2;
	b[n++] = 8;
	b[n++] = 0x82;
	b[n++] = 1;
	expect_error_buf("d6.nst", b, n, TFMT_AUTO,
			 "%s: byte 32: expected a load, store or modify record after the DEP tag 0x83");
}

/* The text syntax of TREC_DEP: a trailing "dep" word; written back the same way. */
static void text_dep(void **state)
{
	static const char text[] = "R 10 8 dep\nT1 M 20 8 +3 dep\nW 30\n";
	struct flats f;
	char err[512], buf[256];
	FILE *fp;
	size_t n;
	(void)state;

	put_file(tpath("dep.txt"), text, strlen(text));
	assert_int_equal(read_all(tpath("dep.txt"), TFMT_TEXT, &f, err, sizeof(err)), 0);
	assert_int_equal(f.n, 3);
	assert_int_equal(f.v[0].r.flags, TREC_DEP);
	assert_int_equal(f.v[1].r.flags, TREC_DEP);
	assert_int_equal(f.v[1].r.gap, 3);
	assert_int_equal(f.v[2].r.flags, 0);
	write_all(tpath("dep2.txt"), TFMT_TEXT, TCOMP_NONE, &f);
	free(f.v);
	fp = fopen(tpath("dep2.txt"), "r");
	assert_non_null(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = 0;
	assert_non_null(strstr(buf, "\nR 10 8 dep\nT1 M 20 8 +3 dep\nW 30 8\n"));
	expect_error_buf("dep3.txt", "I 10 dep\n", 9, TFMT_TEXT,
			 "%s:1: 'dep' marks a data access; an instruction fetch cannot carry it");
	expect_error_buf("dep4.txt", "R 10 dep 8\n", 11, TFMT_TEXT, "%s:1: unexpected '8' after the record");
}

/* Writers refuse TREC_DEP on an instruction fetch rather than drop it. */
static void writers_refuse_ifetch_dep(void **state)
{
	static const enum trace_format fmts[] = { TFMT_NATIVE, TFMT_TEXT };
	struct trace_rec r = { .addr = 0x400000, .size = 4, .op = TOP_IFETCH, .flags = TREC_DEP };
	char err[512];
	(void)state;

	for (unsigned i = 0; i < ARRAY_SIZE(fmts); i++) {
		trace_writer_t *w;
		assert_int_equal(trace_writer_open(&w, tpath(i ? "wi.txt" : "wi.nst"), fmts[i], TCOMP_NONE, err,
						   sizeof(err)), 0);
		assert_int_equal(trace_write_rec(w, &r, NULL), -SIM_ERANGE);
		assert_non_null(strstr(trace_writer_error(w), "cannot carry TREC_DEP"));
		trace_writer_close(w, false, NULL, 0);
	}
}

/*
 * ChampSim register rule: a load is dependent when a source register derives
 * (directly or through load-free instructions) from the most recent earlier
 * load; the stack pointer is not tracked; only an instruction's first load.
 */
static void champsim_deps(void **state)
{
	static const struct {
		uint8_t dst[2], src[4];
		uint64_t load[2];
		bool dep[2];
	} ins[] = {
		{ { 1 }, { 2 }, { 0x1000 }, { false } },           /* A: r1 = [r2], no earlier load */
		{ { 1 }, { 1 }, { 0x2000 }, { true } },            /* B: r1 = [r1]: chase */
		{ { 3 }, { 1 }, { 0 }, { false } },                /* r3 = r1 + 8: no memory */
		{ { 4 }, { 3 }, { 0x3000 }, { true } },            /* C: r4 = [r3]: through the add */
		{ { 6 }, { 5 }, { 0x4000 }, { false } },           /* D: unrelated base */
		{ { 7 }, { 3 }, { 0x5000 }, { false } },           /* E: r3 derives from B, not from D */
		{ { 6, 8 }, { 6 }, { 0x6000 }, { false } },        /* pop r8: rsp untracked */
		{ { 6, 9 }, { 6 }, { 0x7000 }, { false } },        /* pop r9: not chained to the pop before */
		{ { 10 }, { 9, 25 }, { 0x8000, 0x9000 }, { true, false } },   /* two loads off r9 */
	};
	uint8_t buf[ARRAY_SIZE(ins) * 64];
	struct flats f;
	char err[512];
	size_t k = 0;
	(void)state;

	memset(buf, 0, sizeof(buf));
	for (size_t i = 0; i < ARRAY_SIZE(ins); i++) {
		uint8_t *p = buf + 64 * i;
		le64_put(p, 0x401000 + 4 * i);
		memcpy(p + 10, ins[i].dst, 2);
		memcpy(p + 12, ins[i].src, 4);
		for (unsigned j = 0; j < 2; j++)
			le64_put(p + 32 + 8 * j, ins[i].load[j]);
	}
	put_file(tpath("dep.champsim"), buf, sizeof(buf));
	assert_int_equal(read_all(tpath("dep.champsim"), TFMT_AUTO, &f, err, sizeof(err)), 0);
	for (size_t i = 0; i < ARRAY_SIZE(ins); i++) {
		assert_int_equal(f.v[k].r.op, TOP_IFETCH);
		assert_int_equal(f.v[k++].r.flags, 0);
		for (unsigned j = 0; j < 2 && ins[i].load[j]; j++, k++) {
			assert_int_equal(f.v[k].r.op, TOP_LOAD);
			assert_int_equal(f.v[k].r.addr, ins[i].load[j]);
			if ((f.v[k].r.flags == TREC_DEP) != ins[i].dep[j])
				fail_msg("instruction %zu load %u: TREC_DEP %s", i, j, ins[i].dep[j] ? "missing" : "set");
		}
	}
	assert_int_equal(k, f.n);
	free(f.v);
}

static void compressed_errors(void **state)
{
	struct flats in;
	const char *names[] = { "tr.nst.gz", "tr.nst.xz", "tr.nst.zst" };
	const char *what[] = { "gzip", "xz", "zstd" };
	(void)state;

	memset(&in, 0, sizeof(in));
	gen_random(&in, 5000, 3);
	for (unsigned i = 0; i < 3; i++) {
		const char *path = tpath(names[i]);
		char msg[600];
		size_t size;
		uint8_t *buf;

		write_all(path, TFMT_NATIVE, TCOMP_NONE, &in);
		buf = get_file(path, &size);
		put_file(path, buf, size / 2);
		snprintf(msg, sizeof(msg), "%s: truncated %s stream (ends at compressed byte %zu)", path, what[i],
			 size / 2);
		expect_error(path, TFMT_AUTO, msg);
		free(buf);
	}
	free(in.v);
	expect_error("/nonexistent/x.nst", TFMT_AUTO, "/nonexistent/x.nst: cannot open: No such file or directory");
}

static void writer_refuses(void **state)
{
	trace_writer_t *w;
	char err[512];
	struct trace_rec r = { .addr = 1, .size = 0, .op = TOP_LOAD };
	struct trace_ctrl c = { .kind = NR_TRACE_CTRLS };
	(void)state;

	assert_int_equal(trace_writer_open(&w, tpath("x.lackey"), TFMT_LACKEY, TCOMP_NONE, err, sizeof(err)),
			 -SIM_ENOTSUP);
	assert_int_equal(trace_writer_open(&w, tpath("ref.nst"), TFMT_NATIVE, TCOMP_NONE, err, sizeof(err)), 0);
	assert_int_equal(trace_write_rec(w, &r, NULL), -SIM_ERANGE);
	assert_non_null(strstr(trace_writer_error(w), "record 0: access size 0"));
	assert_int_equal(trace_writer_close(w, true, err, sizeof(err)), -SIM_ERANGE);
	assert_int_equal(fopen(tpath("ref.nst"), "rb"), NULL);      /* nothing committed */

	assert_int_equal(trace_writer_open(&w, tpath("ref.txt"), TFMT_TEXT, TCOMP_NONE, err, sizeof(err)), 0);
	r.size = 8;
	r.op = TOP_CTRL;
	assert_int_equal(trace_write_rec(w, &r, &c), -SIM_ERANGE);
	trace_writer_close(w, false, err, sizeof(err));
	assert_int_equal(fopen(tpath("ref.txt"), "rb"), NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(native_roundtrip),
		cmocka_unit_test(text_roundtrip),
		cmocka_unit_test(compressed_roundtrips),
		cmocka_unit_test(compression_by_extension),
		cmocka_unit_test(batch_limits),
		cmocka_unit_test(block_boundaries),
		cmocka_unit_test(thread_count_header),
		cmocka_unit_test(detection),
		cmocka_unit_test(text_parse),
		cmocka_unit_test(text_errors),
		cmocka_unit_test(lackey_parse),
		cmocka_unit_test(lackey_errors),
		cmocka_unit_test(champsim_decode),
		cmocka_unit_test(champsim_many),
		cmocka_unit_test(native_errors),
		cmocka_unit_test(doc_example),
		cmocka_unit_test(native_v1_and_dep_errors),
		cmocka_unit_test(text_dep),
		cmocka_unit_test(writers_refuse_ifetch_dep),
		cmocka_unit_test(champsim_deps),
		cmocka_unit_test(compressed_errors),
		cmocka_unit_test(writer_refuses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
