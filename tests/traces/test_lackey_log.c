/*
 * tests/traces/test_lackey_log.c - Valgrind logs with scheduler and
 * system-call lines (traces/vglog.c through the lackey reader): thread
 * attribution, instruction gaps, every system-call shape converted into its
 * control record, thread numbering across clones, the strace node-mask
 * channel, and errors with their line numbers.  The snippets copy the exact
 * shapes Valgrind 3.19 prints (docs/record.md).
 */
#include "tests/traces/trace_util.h"
#include "traces/vglog.h"

static size_t seqs_dropped;

/*
 * Leave out the seq records (every address-space operation has one, tested
 * in seq_and_futex) so that the tests of the other records read as before:
 * a seq record carries the gap its operation would otherwise have.
 */
static void drop_seq(struct flats *f)
{
	size_t k = 0;
	uint64_t carry[64] = { 0 };

	for (size_t i = 0; i < f->n; i++) {
		struct flat x = f->v[i];
		assert_true(x.r.tid < 64);
		if (x.r.op == TOP_CTRL && x.c.kind == TCTRL_SEQ) {
			carry[x.r.tid] += x.r.gap;
			seqs_dropped++;
			continue;
		}
		x.r.gap += (uint32_t)carry[x.r.tid];
		carry[x.r.tid] = 0;
		f->v[k++] = x;
	}
	f->n = k;
}

/* The same on a sink filled by vglog_line directly. */
static void drop_seq_sink(struct vglog_sink *out)
{
	size_t k = 0, kc = 0;
	uint32_t carry = 0;

	for (size_t i = 0; i < out->n; i++) {
		struct trace_rec r = out->rec[i];
		if (r.op == TOP_CTRL && out->ctrl[r.ctrl].kind == TCTRL_SEQ) {
			carry += r.gap;
			continue;
		}
		r.gap += carry;
		carry = 0;
		if (r.op == TOP_CTRL) {
			out->ctrl[kc] = out->ctrl[r.ctrl];
			r.ctrl = (uint16_t)kc++;
		}
		out->rec[k++] = r;
	}
	out->n = k;
	out->nctrl = kc;
}

static void read_log(const char *name, const char *text, struct flats *f)
{
	char err[512];

	put_file(tpath(name), text, strlen(text));
	memset(f, 0, sizeof(*f));
	if (read_all(tpath(name), TFMT_AUTO, f, err, sizeof(err)))
		fail_msg("%s", err);
	seqs_dropped = 0;
	drop_seq(f);
}

static void expect_acc(const struct flat *x, unsigned tid, unsigned op, uint64_t addr, unsigned size, unsigned gap)
{
	assert_int_equal(x->r.op, op);
	assert_int_equal(x->r.tid, tid);
	assert_true(x->r.addr == addr);
	assert_int_equal(x->r.size, size);
	assert_int_equal(x->r.gap, gap);
}

static void expect_ctl(const struct flat *x, unsigned tid, uint32_t kind, unsigned gap, uint64_t ret, unsigned nargs,
		       const uint64_t *args)
{
	assert_int_equal(x->r.op, TOP_CTRL);
	assert_int_equal(x->r.tid, tid);
	assert_int_equal(x->r.gap, gap);
	assert_int_equal(x->c.kind, kind);
	assert_true(x->c.ret == ret);
	assert_int_equal(x->c.nargs, nargs);
	for (unsigned i = 0; i < nargs; i++)
		assert_true(x->c.args[i] == args[i]);
}

#define ARGS(...) (const uint64_t[]){ __VA_ARGS__ }
#define NEG(x) ((uint64_t)0 - (x))

/* Accesses follow the running thread; I lines become the gap of the thread's next record. */
static void threads_and_gaps(void **state)
{
	static const char log[] =
		"==100== Lackey, an example Valgrind tool\n"
		"--100--   SCHED[1]:  acquired lock (thread_wrapper(starting new thread))\n"
		"--100--   SCHED[1]: entering VG_(scheduler)\n"
		"I  0401ab70,3\n"
		"I  0401ab73,5\n"
		" S 1ffefff6c8,8\n"
		"I  0401ab78,4\n"
		" L 1ffefff6c0,8\n"
		" M 0403a1c8,4\n"
		"I  0401ab7c,2\n"
		"--100--   SCHED[1]: releasing lock (VG_(vg_yield)) -> VgTs_Yielding\n"
		"--100--   SCHED[2]:  acquired lock (VG_(vg_yield))\n"
		"I  04100000,4\n"
		" L 5000,4\n"
		"--100--   SCHED[1]:  acquired lock (VG_(vg_yield))\n"
		" L 1ffefff6b8,8\n";
	struct flats f;
	(void)state;

	read_log("t.log", log, &f);
	assert_int_equal(f.n, 5);
	expect_acc(&f.v[0], 0, TOP_STORE, 0x1ffefff6c8ull, 8, 2);
	expect_acc(&f.v[1], 0, TOP_LOAD, 0x1ffefff6c0ull, 8, 1);
	expect_acc(&f.v[2], 0, TOP_MODIFY, 0x0403a1c8, 4, 0);
	expect_acc(&f.v[3], 1, TOP_LOAD, 0x5000, 4, 1);      /* Valgrind thread 2 without a clone line */
	expect_acc(&f.v[4], 0, TOP_LOAD, 0x1ffefff6b8ull, 8, 1);   /* thread 0's pending I, not thread 1's */
	free(f.v);
}

/* A plain lackey log is unchanged: every I a record of thread 0, gap 0. */
static void plain_unchanged(void **state)
{
	static const char log[] = "==7== Lackey\nI  0400,3\n L 10,8\nI  0403,2\n S 18,8\n";
	struct flats f;
	(void)state;

	read_log("p.log", log, &f);
	assert_int_equal(f.n, 4);
	expect_acc(&f.v[0], 0, TOP_IFETCH, 0x400, 3, 0);
	expect_acc(&f.v[1], 0, TOP_LOAD, 0x10, 8, 0);
	expect_acc(&f.v[2], 0, TOP_IFETCH, 0x403, 2, 0);
	expect_acc(&f.v[3], 0, TOP_STORE, 0x18, 8, 0);
	free(f.v);
}

/*
 * The bulk pass over a plain log's access lines (vglog_plain_accesses)
 * gives what vglog_line gives line by line, on the shapes at its edges:
 * upper-case hex, extra spaces, "\r\n", sizes with leading zeros or of
 * six digits, a 17-digit address with leading zeros, other lines between,
 * a last line without "\n"; errors name the same line.
 */
static void plain_bulk_same_as_lines(void **state)
{
	static const char log[] =
		"==7== Lackey\n"
		"I  04000ABC,3\n"
		" L 10,8  \n"
		" S 7fFF1234,8\r\n"
		" M 0000000000000000018,00004\n"
		"I   0403,2\n"
		"\n"
		" L 20,000008\n"
		"==7== more\n"
		" S 18,65535\n"
		"I  0405,1";
	struct flats f;
	struct trace_rec rec[64];
	struct trace_ctrl ctrl[64];
	struct vglog_sink out = { .rec = rec, .ctrl = ctrl };
	struct vglog_opts o = { .name = "x" };
	vglog_t *vg;
	char err[256];
	const char *s = log;
	uint64_t lineno = 0;
	(void)state;

	read_log("bulk.log", log, &f);
	assert_int_equal(vglog_create(&vg, &o), 0);
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		size_t m = n && s[n - 1] == '\r' ? n - 1 : n;
		assert_int_equal(vglog_line(vg, s, m, ++lineno, &out, err, sizeof(err)), 0);
		s += nl ? n + 1 : n;
	}
	assert_int_equal(f.n, out.n);
	assert_int_equal(f.n, 8);
	for (size_t i = 0; i < f.n; i++)
		expect_acc(&f.v[i], rec[i].tid, rec[i].op, rec[i].addr, rec[i].size, rec[i].gap);
	expect_acc(&f.v[0], 0, TOP_IFETCH, 0x4000abc, 3, 0);
	expect_acc(&f.v[3], 0, TOP_MODIFY, 0x18, 4, 0);
	expect_acc(&f.v[5], 0, TOP_LOAD, 0x20, 8, 0);
	expect_acc(&f.v[6], 0, TOP_STORE, 0x18, 65535, 0);
	vglog_destroy(vg);
	free(f.v);

	static const struct { const char *text, *msg; } cases[] = {
		{ "I  0400,3\n L 1234,0\n", "%s:2: expected a decimal size in 1..65535, found ' L 1234,0'" },
		{ "I  0400,3\n S 12,65536\n", "%s:2: expected a decimal size in 1..65535, found ' S 12,65536'" },
		{ "I  0400,3\nI  0401,3\n L 12345678901234567,8\n",
		  "%s:3: expected a hexadecimal address of at most 64 bits, found ' L 12345678901234567,8'" },
		{ "I  0400,3\n L 12g4,8\n", "%s:2: expected a hexadecimal address of at most 64 bits, found ' L 12g4,8'" },
		{ "I  0400,3\n L 1234,8 x\n", "%s:2: expected the end of the line after the size, found ' L 1234,8 x'" },
	};
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++)
		expect_error_buf("bad.log", cases[i].text, strlen(cases[i].text), TFMT_LACKEY, cases[i].msg);
}

/* Every call shape Valgrind prints, converted with its real arguments and result. */
static void syscall_shapes(void **state)
{
	static const char log[] =
		"--300--   SCHED[1]:  acquired lock (thread_wrapper(starting new thread))\n"
		"SYSCALL[300,1](12) sys_brk ( 0x0 ) --> [pre-success] Success(0x4035000) \n"
		"I  0401ab70,3\n"
		"SYSCALL[300,1](9) sys_mmap ( 0x0, 8192, 3, 34, 4294967295, 0 ) --> [pre-success] Success(0x4835000) \n"
		"SYSCALL[300,1](9) sys_mmap ( 0x4838000, 4096, 5, 2066, 4, 4096 ) --> [pre-success] Success(0x4838000) \n"
		"SYSCALL[300,1](9) sys_mmap ( 0x1, 4096, 1, 50, 4294967295, 0 ) --> [pre-fail] Failure(0x16) \n"
		"SYSCALL[300,1](10) sys_mprotect ( 0x4a16000, 16384, 1 )[sync] --> Success(0x0) \n"
		"SYSCALL[300,1](11) sys_munmap ( 0x483c000, 41983 )[sync] --> Success(0x0) \n"
		"SYSCALL[300,1](237) sys_mbind ( 0x483c000, 4096, 2, 0x0, 0, 0 )[sync] --> Failure(0x16) \n"
		"SYSCALL[300,1](238) sys_set_mempolicy ( 0, 0x0, 0 )[sync] --> Success(0x0) \n"
		"SYSCALL[300,1](237) sys_mbind ( 0x483c000, 8192, 1, 0x1fff000508, 64, 0 )[sync] --> Success(0x0) \n"
		"SYSCALL[300,1](334) unimplemented (by the kernel) syscall: 334! (ni_syscall)\n"
		" --> [pre-fail] Failure(0x26) \n"
		"SYSCALL[300,1](256) --300-- WARNING: unhandled amd64-linux syscall: 256\n"
		"--300-- You may be able to write your own handler.\n"
		" --> [pre-fail] Failure(0x26) \n"
		"SYSCALL[300,1](25) sys_mremap ( 0x483c000, 8192, 16384, 0x1 ) --> [pre-success] Success(0x483c000) \n"
		"SYSCALL[300,1](25) sys_mremap ( 0x483c000, 16384, 16384, 0x3, 0x5000000 ) --> [pre-success] Success(0x5000000) \n"
		"SYSCALL[300,1](149) sys_mlock ( 0x5000000, 8192 ) --> [pre-success] Success(0x0) \n"
		"SYSCALL[300,1](325) sys_mlock2 ( 0x5000000, 8192, 1 ) --> [pre-success] Success(0x0) \n"
		"SYSCALL[300,1](150) sys_munlock ( 0x5000000, 4096 ) --> [pre-success] Success(0x0) \n"
		"SYSCALL[300,1](151) sys_mlockall ( 3 ) --> [pre-fail] Failure(0xc) \n"
		"SYSCALL[300,1](152) sys_munlockall ( ) --> [pre-success] Success(0x0) \n"
		"SYSCALL[300,1](28) sys_madvise ( 0x483c000, 4096, 4 ) --> [async] ... \n"
		"--300--   SCHED[1]: releasing lock (VG_(client_syscall)[async]) -> VgTs_WaitSys\n"
		"--300--   SCHED[1]:  acquired lock (VG_(client_syscall)[async])\n"
		"SYSCALL[300,1](28) ... [async] --> Success(0x0) \n"
		"SYSCALL[300,1](0) sys_read ( 4, 0x1ffeffecd8, 832 ) --> [async] ... \n"
		"SYSCALL[300,1](0) ... [async] --> Success(0x340) \n"
		"SYSCALL[300,1](257) sys_openat ( 4294967196, 0x4034bb0(/a, b (c).so), 524288 )[sync] --> Failure(0x2) \n"
		"SYSCALL[300,1](60) exit( 3 ) --> [pre-success] Success(0x0) \n";
	struct flats f;
	const uint64_t *st;
	(void)state;

	read_log("s.log", log, &f);
	assert_int_equal(f.n, 17);
	expect_ctl(&f.v[0], 0, TCTRL_BRK, 0, 0x4035000, 1, ARGS(0));
	expect_ctl(&f.v[1], 0, TCTRL_MMAP, 1, 0x4835000, 6, ARGS(0, 8192, 3, 34, NEG(1), 0));
	expect_ctl(&f.v[2], 0, TCTRL_MMAP, 0, 0x4838000, 6, ARGS(0x4838000, 4096, 5, 2066, 4, 4096));
	expect_ctl(&f.v[3], 0, TCTRL_MMAP, 0, NEG(22), 6, ARGS(1, 4096, 1, 50, NEG(1), 0));
	expect_ctl(&f.v[4], 0, TCTRL_MPROTECT, 0, 0, 3, ARGS(0x4a16000, 16384, 1));
	expect_ctl(&f.v[5], 0, TCTRL_MUNMAP, 0, 0, 2, ARGS(0x483c000, 41983));
	expect_ctl(&f.v[6], 0, TCTRL_MBIND, 0, NEG(22), 5, ARGS(0x483c000, 4096, 2, 0, 0));
	expect_ctl(&f.v[7], 0, TCTRL_SET_MEMPOLICY, 0, 0, 2, ARGS(0, 0));
	/* the mbind with a mask pointer and no strace is dropped */
	expect_ctl(&f.v[8], 0, TCTRL_MREMAP, 0, 0x483c000, 5, ARGS(0x483c000, 8192, 16384, 1, 0));
	expect_ctl(&f.v[9], 0, TCTRL_MREMAP, 0, 0x5000000, 5, ARGS(0x483c000, 16384, 16384, 3, 0x5000000));
	expect_ctl(&f.v[10], 0, TCTRL_MLOCK, 0, 0, 3, ARGS(0x5000000, 8192, 0));
	expect_ctl(&f.v[11], 0, TCTRL_MLOCK, 0, 0, 3, ARGS(0x5000000, 8192, 1));
	expect_ctl(&f.v[12], 0, TCTRL_MUNLOCK, 0, 0, 2, ARGS(0x5000000, 4096));
	/* mlockall(MCL_CURRENT | MCL_FUTURE) is mlock's 0x100 | MCL_* form; munlockall is len -1 */
	expect_ctl(&f.v[13], 0, TCTRL_MLOCK, 0, NEG(12), 3, ARGS(0, 0, 0x103));
	expect_ctl(&f.v[14], 0, TCTRL_MUNLOCK, 0, 0, 2, ARGS(0, UINT64_MAX));
	expect_ctl(&f.v[15], 0, TCTRL_MADVISE, 0, 0, 3, ARGS(0x483c000, 4096, 4));
	expect_ctl(&f.v[16], 0, TCTRL_EXIT, 0, TRACE_RET_NONE, 1, ARGS(3));
	free(f.v);

	/* the same counts through the interpreter's own statistics */
	vglog_t *vg;
	struct trace_rec rec[VGLOG_MAX_OUT];
	struct trace_ctrl ctrl[VGLOG_MAX_OUT];
	char err[512];
	const char *s = log;
	uint64_t line = 0;
	assert_int_equal(vglog_create(&vg, &(struct vglog_opts){ .name = "s.log" }), 0);
	while (*s) {
		const char *nl = strchr(s, '\n');
		struct vglog_sink out = { .rec = rec, .ctrl = ctrl };
		assert_int_equal(vglog_line(vg, s, (size_t)(nl - s), ++line, &out, err, sizeof(err)), 0);
		s = nl + 1;
	}
	st = vglog_stats(vg);
	assert_int_equal(st[VGS_CONTROL], 34);   /* 17 operations, each with its seq record */
	assert_int_equal(st[VGS_FAILED], 3);
	assert_int_equal(st[VGS_DROPPED_MASK], 1);
	assert_int_equal(st[VGS_DROPPED_OTHER], 0);
	assert_int_equal(st[VGS_SYSCALLS], 24);
	assert_int_equal(st[VGS_INSTRUCTIONS], 1);
	assert_true(vglog_threaded(vg));
	vglog_destroy(vg);
}

/*
 * Clones: the k-th clone's child is trace thread k, announced in the parent's
 * stream; children are matched to Valgrind slots even when the second child
 * runs first, and a slot reused after an exit is a new thread.  A fork's
 * result line (with a SCHED line glued on) and the child's lines are skipped.
 */
static void clones_and_reuse(void **state)
{
	static const char log[] =
		"--400--   SCHED[1]:  acquired lock (thread_wrapper(starting new thread))\n"
		"SYSCALL[400,1](56) sys_clone ( 3d0f00, 0x522bf70, 0x522c990, 0x522c990, 0x522c6c0 ) --> [pre-success] Success(0x711d) --400--   SCHED[1]: releasing lock (VG_(vg_yield)) -> VgTs_Yielding\n"
		"--400--   SCHED[1]:  acquired lock (VG_(vg_yield))\n"
		"\n"
		"SYSCALL[400,1](56) sys_clone ( 3d0f00, 0x5a2cf70, 0x5a2d990, 0x5a2d990, 0x5a2d6c0 ) --> [pre-success] Success(0x711e) \n"
		"SYSCALL[400,1](202) sys_futex ( 0x522c990, 265, 28957, 0x0, 0x0 ) --> [async] ... \n"
		"--400--   SCHED[1]: releasing lock (VG_(client_syscall)[async]) -> VgTs_WaitSys\n"
		"--400--   SCHED[3]:  acquired lock (thread_wrapper(starting new thread))\n"
		" L 3000,8\n"
		"SYSCALL[400,3](60) exit( 0 ) --> [pre-success] Success(0x0) \n"
		"--400--   SCHED[3]: release lock in VG_(exit_thread)\n"
		"--400--   SCHED[2]:  acquired lock (thread_wrapper(starting new thread))\n"
		" L 2000,8\n"
		"SYSCALL[400,2](60) exit( 0 ) --> [pre-success] Success(0x0) \n"
		"--400--   SCHED[1]:  acquired lock (VG_(client_syscall)[async])\n"
		"SYSCALL[400,1](202) ... [async] --> Success(0x0) \n"
		"SYSCALL[400,1](56) sys_clone ( 3d0f00, 0x6a2cf70, 0x0, 0x0, 0x0 ) --> [pre-success] Success(0x711f) \n"
		"SYSCALL[400,1](56) sys_clone ( 1200011, 0x0, 0x0, 0x4a29a10, 0x0 )   clone(fork): process 400 created child 401\n"
		" --> [pre-success] Success(0x191) --400--   SCHED[1]: releasing lock (VG_(vg_yield)) -> VgTs_Yielding\n"
		"--401--   SCHED[1]:  acquired lock (VG_(vg_yield))\n"
		" --> [pre-success] Success(0x0) \n"
		"SYSCALL[401,1](231) exit_group( 3 ) --> [pre-success] Success(0x0) \n"
		"--400--   SCHED[2]:  acquired lock (thread_wrapper(starting new thread))\n"
		" S 4000,8\n"
		"SYSCALL[400,2](60) exit( 0 ) --> [pre-success] Success(0x0) \n"
		"--400--   SCHED[1]:  acquired lock (VG_(vg_yield))\n"
		"SYSCALL[400,1](231) exit_group( 0 ) --> [pre-success] Success(0x0) \n";
	struct flats f;
	(void)state;

	read_log("c.log", log, &f);
	assert_int_equal(f.n, 17);
	expect_ctl(&f.v[0], 0, TCTRL_CLONE, 0, 0x711d, 1, ARGS(1));
	expect_acc(&f.v[1], 0, TOP_STORE, 0x522c990, 4, 0);   /* CLONE_PARENT_SETTID: the kernel's store */
	expect_ctl(&f.v[2], 0, TCTRL_CLONE, 0, 0x711e, 1, ARGS(2));
	expect_acc(&f.v[3], 0, TOP_STORE, 0x5a2d990, 4, 0);
	expect_acc(&f.v[4], 2, TOP_LOAD, 0x3000, 8, 0);       /* Valgrind 3 = second clone */
	/* CLONE_CHILD_CLEARTID at exit: 0 stored to the tid word, a shared wake there (nobody waits) */
	expect_acc(&f.v[5], 2, TOP_STORE, 0x5a2d990, 4, 0);
	expect_ctl(&f.v[6], 2, TCTRL_FUTEX_WAKE, 0, TRACE_RET_NONE, 4, ARGS(0x5a2d990, 0, 0, 0));
	expect_ctl(&f.v[7], 2, TCTRL_EXIT, 0, TRACE_RET_NONE, 1, ARGS(0));
	expect_acc(&f.v[8], 1, TOP_LOAD, 0x2000, 8, 0);
	expect_acc(&f.v[9], 1, TOP_STORE, 0x522c990, 4, 0);
	/* thread 0's join waits on thread 1's tid word (shared, bitset): that exit wakes it */
	expect_ctl(&f.v[10], 1, TCTRL_FUTEX_WAKE, 0, TRACE_RET_NONE, 4, ARGS(0x522c990, 0, 0, 1));
	expect_ctl(&f.v[11], 1, TCTRL_EXIT, 0, TRACE_RET_NONE, 1, ARGS(0));
	expect_ctl(&f.v[12], 0, TCTRL_FUTEX_WAIT, 0, 0, 4, ARGS(0x522c990, 0, 0, 2));
	expect_ctl(&f.v[13], 0, TCTRL_CLONE, 0, 0x711f, 1, ARGS(3));   /* no tid addresses: no stores */
	expect_acc(&f.v[14], 3, TOP_STORE, 0x4000, 8, 0);      /* slot 2 reused: a new thread */
	expect_ctl(&f.v[15], 3, TCTRL_EXIT, 0, TRACE_RET_NONE, 1, ARGS(0));
	expect_ctl(&f.v[16], 0, TCTRL_EXIT, 0, TRACE_RET_NONE, 1, ARGS(0));
	assert_int_equal(seqs_dropped, 7);    /* 3 clones, 4 exits */
	free(f.v);
}

/* Threads start on the listed CPUs; --keep-ifetch keeps fetches as records. */
static void cpus_and_keep_ifetch(void **state)
{
	static const char log[] =
		"--5--   SCHED[1]:  acquired lock (x)\n"
		"I  0400,3\n"
		" L 10,8\n"
		"SYSCALL[5,1](56) sys_clone ( 3d0f00, 0x0, 0x0, 0x0, 0x0 ) --> [pre-success] Success(0x6) \n"
		"--5--   SCHED[2]:  acquired lock (x)\n"
		"I  0500,2\n";
	static const unsigned cpus[] = { 7, 30 };
	struct vglog_opts o = { .name = "k.log", .threaded = true, .keep_ifetch = true, .cpus = cpus, .nr_cpus = 2 };
	struct trace_rec rec[64];
	struct trace_ctrl ctrl[64];
	struct vglog_sink out = { .rec = rec, .ctrl = ctrl };
	const char *s = log;
	char err[256];
	uint64_t line = 0;
	vglog_t *vg;
	(void)state;

	assert_int_equal(vglog_create(&vg, &o), 0);
	while (*s) {
		const char *nl = strchr(s, '\n');
		assert_int_equal(vglog_line(vg, s, (size_t)(nl - s), ++line, &out, err, sizeof(err)), 0);
		s = nl + 1;
	}
	drop_seq_sink(&out);
	assert_int_equal(out.n, 6);
	assert_int_equal(rec[0].op, TOP_CTRL);
	assert_int_equal(ctrl[rec[0].ctrl].kind, TCTRL_THREAD_CPU);
	assert_true(ctrl[rec[0].ctrl].args[0] == 7);
	assert_int_equal(rec[1].op, TOP_IFETCH);
	assert_int_equal(rec[1].gap, 0);
	assert_int_equal(rec[2].op, TOP_LOAD);
	assert_int_equal(rec[2].gap, 0);
	assert_int_equal(ctrl[rec[3].ctrl].kind, TCTRL_CLONE);
	assert_int_equal(rec[4].tid, 1);
	assert_int_equal(ctrl[rec[4].ctrl].kind, TCTRL_THREAD_CPU);
	assert_true(ctrl[rec[4].ctrl].args[0] == 30);
	assert_int_equal(rec[5].tid, 1);
	assert_int_equal(rec[5].op, TOP_IFETCH);
	assert_int_equal(vglog_stats(vg)[VGS_THREADS], 2);
	vglog_destroy(vg);
}

static int feed(vglog_t *vg, const char *log, struct vglog_sink *out, char *err, size_t errlen)
{
	uint64_t line = 0;
	int rc = 0;

	while (*log && !rc) {
		const char *nl = strchr(log, '\n');
		if (!strncmp(log, "STRACE ", 7))
			rc = vglog_strace_line(vg, log + 7, (size_t)(nl - log - 7), err, errlen);
		else
			rc = vglog_line(vg, log, (size_t)(nl - log), ++line, out, err, errlen);
		log = nl + 1;
	}
	return rc;
}

/* Node masks come from strace lines, paired in call order; a mismatch is an error. */
static void strace_masks(void **state)
{
	static const char log[] =
		"STRACE 29785 mbind(0x483c000, 4096, MPOL_BIND, [0x00000000000002], 64, 0) = -1 EINVAL (Invalid argument)\n"
		"SYSCALL[9,1](237) sys_mbind ( 0x483c000, 4096, 2, 0x1fff000508, 64, 0 )[sync] --> Failure(0x16) \n"
		"STRACE 29786 set_mempolicy(MPOL_INTERLEAVE, [0x0000000000000000000000000000000000000000000000000000000000000003], 256 <unfinished ...>\n"
		"STRACE 29785 set_mempolicy(MPOL_DEFAULT, NULL, 0) = 0\n"
		"STRACE 29786 <... set_mempolicy resumed>) = 0\n"
		"SYSCALL[9,1](238) sys_set_mempolicy ( 0, 0x0, 0 )[sync] --> Success(0x0) \n"
		"SYSCALL[9,1](238) sys_set_mempolicy ( 3, 0x1fff000600, 256 )[sync] --> Success(0x0) \n"
		"STRACE 29785 migrate_pages(0, 64, [0x1], [0x2]) = 0\n"
		"SYSCALL[9,1](256) sys_migrate_pages ( 0, 64, 0x1fff000508, 0x1fff000510 )[sync] --> Success(0x0) \n"
		"STRACE 29785 set_mempolicy(MPOL_BIND, [0x0000000000000000000000000000000000000000000000010000000000000001], 256) = 0\n"
		"SYSCALL[9,1](238) sys_set_mempolicy ( 2, 0x1fff000600, 256 )[sync] --> Success(0x0) \n"
		"SYSCALL[9,1](238) sys_set_mempolicy ( 2, 0x1fff000600, 256 ) --> [pre-fail] Failure(0xe) \n";
	struct trace_rec rec[64];
	struct trace_ctrl ctrl[64];
	struct vglog_sink out = { .rec = rec, .ctrl = ctrl };
	char err[512];
	vglog_t *vg;
	(void)state;

	assert_int_equal(vglog_create(&vg, &(struct vglog_opts){ .name = "m.log", .strace = true }), 0);
	if (feed(vg, log, &out, err, sizeof(err)))
		fail_msg("%s", err);
	drop_seq_sink(&out);
	assert_int_equal(out.nctrl, 4);
	assert_int_equal(ctrl[0].kind, TCTRL_MBIND);
	assert_true(ctrl[0].args[3] == 2 && ctrl[0].ret == NEG(22) && ctrl[0].args[2] == 2);
	assert_int_equal(ctrl[1].kind, TCTRL_SET_MEMPOLICY);      /* the NULL one */
	assert_true(ctrl[1].args[0] == 0 && ctrl[1].args[1] == 0);
	assert_true(ctrl[2].args[0] == 3 && ctrl[2].args[1] == 3); /* the resumed one, 256-bit mask */
	assert_int_equal(ctrl[3].kind, TCTRL_MIGRATE_PAGES);
	assert_true(ctrl[3].args[0] == 1 && ctrl[3].args[1] == 2);
	/* node 64 cannot be carried: dropped; [pre-fail] never reached the kernel: no strace line, mask unknown */
	assert_int_equal(vglog_stats(vg)[VGS_DROPPED_MASK], 2);
	vglog_destroy(vg);
}

static void strace_mismatch(void **state)
{
	struct trace_rec rec[8];
	struct trace_ctrl ctrl[8];
	struct vglog_sink out = { .rec = rec, .ctrl = ctrl };
	char err[512];
	vglog_t *vg;
	(void)state;

	assert_int_equal(vglog_create(&vg, &(struct vglog_opts){ .name = "m.log", .strace = true }), 0);
	assert_int_equal(feed(vg, "STRACE 1 mbind(0x1000, 4096, MPOL_BIND, [0x1], 64, 0) = 0\n"
				  "SYSCALL[9,1](237) sys_mbind ( 0x2000, 4096, 2, 0x1fff000508, 64, 0 )[sync] --> Success(0x0) \n",
			      &out, err, sizeof(err)), -SIM_ETRACE);
	assert_string_equal(err, "m.log:1: sys_mbind does not match the next strace line (sys_mbind of 0x1000): "
				 "the two logs disagree");
	vglog_destroy(vg);
	assert_int_equal(vglog_create(&vg, &(struct vglog_opts){ .name = "m.log", .strace = true }), 0);
	assert_int_equal(feed(vg, "SYSCALL[9,1](237) sys_mbind ( 0x2000, 4096, 2, 0x1fff000508, 64, 0 )[sync] --> Success(0x0) \n",
			      &out, err, sizeof(err)), -SIM_ETRACE);
	assert_string_equal(err, "m.log:1: sys_mbind has no matching strace line (strace must trace the same run)");
	vglog_destroy(vg);
	assert_int_equal(vglog_create(&vg, &(struct vglog_opts){ .name = "m.log", .strace = true }), 0);
	assert_int_equal(feed(vg, "STRACE 1 mbind(0x1000, 4096, MPOL_BIND, [0x1], 64, 0 = 0\n", &out, err, sizeof(err)),
			 -SIM_ETRACE);
	assert_string_equal(err, "strace: expected ')' closing the arguments, found 'mbind(0x1000, 4096, MPOL_BIND, [0x1], 64, 0 = 0'");
	vglog_destroy(vg);
}

/* Malformed and truncated lines: the file, the line and what was expected. */
static void errors(void **state)
{
	static const struct { const char *text, *msg; } cases[] = {
		{ "--1--   SCHED[1]:  acquired lock (x)\nSYSCALL[1,1](9) sys_mmap ( 0x0, 81",
		  "%s:2: expected ')' closing the system call's arguments, found 'SYSCALL[1,1](9) sys_mmap ( 0x0, 81'" },
		{ "SYSCALL[1,1](9) sys_mmap ( 0x0, 8192, 3, 34, 4294967295, 0 ) --> [pre-success] Succ",
		  "%s:1: expected '--> Success(0x...)', '--> Failure(0x...)' or '--> [async] ...', found "
		  "'SYSCALL[1,1](9) sys_mmap ( 0x0, 8192, 3, 34, 4294967295, 0 ) --> [pre-success] Succ'" },
		{ "SYSCALL[1,1](9) sys_mmap ( 0x0, 8192, 3 ) --> [pre-success] Success(0x1000) \n",
		  "%s:1: expected 6 arguments to sys_mmap, found 'SYSCALL[1,1](9) sys_mmap ( 0x0, 8192, 3 ) --> "
		  "[pre-success] Success(0x1000) '" },
		{ "SYSCALL[1,1](11) sys_munmap ( 0x1000, 4k )[sync] --> Success(0x0) \n",
		  "%s:1: expected ',' or ')' after a system call argument, found 'SYSCALL[1,1](11) sys_munmap ( 0x1000, "
		  "4k )[sync] --> Success(0x0) '" },
		{ "SYSCALL[1,1](11) sys_munmap ( 0x1000, zz )[sync] --> Success(0x0) \n",
		  "%s:1: expected a numeric system call argument, found 'SYSCALL[1,1](11) sys_munmap ( 0x1000, zz )[sync] "
		  "--> Success(0x0) '" },
		{ "SYSCALL[1,x](9) sys_brk ( 0x0 )\n", "%s:1: expected SYSCALL[PID,TID](NR), found 'SYSCALL[1,x](9) sys_brk ( 0x0 )'" },
		{ "SYSCALL[1,0](12) sys_brk ( 0x0 ) --> [pre-success] Success(0x1) \n",
		  "%s:1: expected a Valgrind thread id in 1..1023, found 'SYSCALL[1,0](12) sys_brk ( 0x0 ) --> "
		  "[pre-success] Success(0x1) '" },
		{ "--1--   SCHED[1]:  acquired lock (x)\nI  0400,3\nSYSCALL[1,1](28) ... [async] --> Success(0x0) \n",
		  "%s:3: expected the result of a pending call, but thread 1 has no pending system call 28" },
		{ "SYSCALL[1,1](28) sys_madvise ( 0x1000, 4096, 4 ) --> [async] ... \nSYSCALL[1,1](9) ... [async] --> Success(0x0) \n",
		  "%s:2: expected the result of a pending call, but thread 1 has no pending system call 9" },
		{ "SYSCALL[1,1](28) sys_madvise ( 0x1000, 4096, 4 ) --> [async] ... \nSYSCALL[1,1](28) ... [async] --> Succ",
		  "%s:2: expected '... [async] --> Success(0x...)' or 'Failure(0x...)', found 'SYSCALL[1,1](28) ... [async] --> Succ'" },
		{ "SYSCALL[1,1](12) sys_brk ( 0x0 ) --> [pre-success] Success(0x1) junk\n",
		  "%s:1: expected the end of the line after the system call's result, found 'SYSCALL[1,1](12) sys_brk ( 0x0 ) "
		  "--> [pre-success] Success(0x1) junk'" },
		{ "SYSCALL[1,1](56) sys_clone ( 1200011, 0x0 )   clone(fork): x\n --> [pre-success] Success(0x\n",
		  "%s:2: expected ' --> Success(0x...)' or ' --> Failure(0x...)', found ' --> [pre-success] Success(0x'" },
		{ "--1--   SCHED[x]:  acquired lock (x)\n", "%s:1: expected SCHED[TID]:, found '--1--   SCHED[x]:  acquired lock (x)'" },
		{ "--1--   SCHED[2000]:  acquired lock (x)\n",
		  "%s:1: expected a Valgrind thread id in 1..1023, found '--1--   SCHED[2000]:  acquired lock (x)'" },
		{ "--1--   SCHED[1]:  acquired lock (x)\nI  0400,3\n L 1234,\n", "%s:3: expected a decimal size in 1..65535, found ' L 1234,'" },
		{ "--1--   SCHED[1]:  acquired lock (x)\nI  04", "%s:2: expected ',' and a size after the address, found 'I  04'" },
	};
	(void)state;

	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++)
		expect_error_buf("bad.log", cases[i].text, strlen(cases[i].text), TFMT_LACKEY, cases[i].msg);
}

/* Detection: a log starting with SCHED or SYSCALL lines is lackey. */
static void detection(void **state)
{
	struct flats f;
	(void)state;

	read_log("d.log", "SYSCALL[5,1](12) sys_brk ( 0x0 ) --> [pre-success] Success(0x4035000) \n L 10,8\n", &f);
	assert_int_equal(f.n, 2);
	expect_ctl(&f.v[0], 0, TCTRL_BRK, 0, 0x4035000, 1, ARGS(0));
	expect_acc(&f.v[1], 0, TOP_LOAD, 0x10, 8, 0);
	free(f.v);
}



/*
 * A child is known by its stack: Valgrind gave the second clone's child the
 * slot predicted for the first (a slot freed by an exit came back late), and
 * each child's first load is from its clone's stack pointer.
 */
static void child_by_stack(void **state)
{
	static const char log[] =
		"--8--   SCHED[1]:  acquired lock (thread_wrapper(starting new thread))\n"
		"SYSCALL[8,1](56) sys_clone ( 3d0f00, 0x5a2cf70, 0x0, 0x0, 0x0 ) --> [pre-success] Success(0x10) \n"
		"SYSCALL[8,1](56) sys_clone ( 3d0f00, 0x622df70, 0x0, 0x0, 0x0 ) --> [pre-success] Success(0x11) \n"
		"--8--   SCHED[2]:  acquired lock (thread_wrapper(starting new thread))\n"
		"I  0401ab70,3\n"
		" L 622df70,8\n"
		" S 7000,8\n"
		"--8--   SCHED[3]:  acquired lock (thread_wrapper(starting new thread))\n"
		" L 5a2cf70,8\n"
		" S 8000,8\n";
	struct flats f;
	(void)state;

	read_log("b.log", log, &f);
	assert_int_equal(f.n, 6);
	expect_acc(&f.v[2], 2, TOP_LOAD, 0x622df70, 8, 1);    /* second clone's child, its gap kept */
	expect_acc(&f.v[3], 2, TOP_STORE, 0x7000, 8, 0);
	expect_acc(&f.v[4], 1, TOP_LOAD, 0x5a2cf70, 8, 0);    /* first clone's child */
	expect_acc(&f.v[5], 1, TOP_STORE, 0x8000, 8, 0);
	free(f.v);
}

/*
 * Synchronisation records: futex waits paired with the wake that woke them
 * (in either completion order, a broadcast, a private and a shared key on
 * one address kept apart, EAGAIN unpaired), a join that starts after the
 * exit line, seq numbers in log order on address-space operations and on
 * atomics of a word two threads share, and mmap records naming files.
 */
static void seq_and_futex(void **state)
{
	static const char log[] =
		"--7--   SCHED[1]:  acquired lock (thread_wrapper(starting new thread))\n"
		"SYSCALL[7,1](218) sys_set_tid_address ( 0x4a29a10 )[sync] --> Success(0x6e0d) \n"
		"SYSCALL[7,1](257) sys_openat ( 4294967196, 0x4835540(/lib/libc.so.6), 524288 ) --> [async] ... \n"
		"SYSCALL[7,1](257) ... [async] --> Success(0x3) \n"
		"SYSCALL[7,1](9) sys_mmap ( 0x0, 8192, 1, 2050, 3, 0 ) --> [pre-success] Success(0x4847000) \n"
		"SYSCALL[7,1](3) sys_close ( 3 )[sync] --> Success(0x0) \n"
		"SYSCALL[7,1](257) sys_openat ( 4294967196, 0x4835540(/lib/libm.so.6), 524288 ) --> [async] ... \n"
		"SYSCALL[7,1](257) ... [async] --> Success(0x3) \n"
		"SYSCALL[7,1](9) sys_mmap ( 0x0, 8192, 1, 2050, 3, 0 ) --> [pre-success] Success(0x4900000) \n"
		"SYSCALL[7,1](56) sys_clone ( 3d0f00, 0x522bf70, 0x522c990, 0x522c990, 0x522c6c0 ) --> [pre-success] Success(0x6e0e) \n"
		"SYSCALL[7,1](56) sys_clone ( 3d0f00, 0x5a2cf70, 0x5a2d990, 0x5a2d990, 0x5a2d6c0 ) --> [pre-success] Success(0x6e0f) \n"
		" M 10c0e0,4\n"
		"--7--   SCHED[2]:  acquired lock (thread_wrapper(starting new thread))\n"
		" M 10c0e0,4\n"
		"SYSCALL[7,2](202) sys_futex ( 0x10c0e0, 128, 2, 0x0, 0x0 ) --> [async] ... \n"
		"--7--   SCHED[3]:  acquired lock (thread_wrapper(starting new thread))\n"
		"SYSCALL[7,3](202) sys_futex ( 0x10c0e0, 0, 2, 0x0, 0x0 ) --> [async] ... \n"
		"--7--   SCHED[1]:  acquired lock (x)\n"
		" S 10c0e0,4\n"
		"SYSCALL[7,1](202) sys_futex ( 0x10c0e0, 129, 1, 0x0, 0x10c0a0 ) --> [async] ... \n"
		"SYSCALL[7,1](202) ... [async] --> Success(0x1) \n"
		"SYSCALL[7,1](202) sys_futex ( 0x10c0e0, 1, 1, 0x0, 0x0 ) --> [async] ... \n"
		"--7--   SCHED[3]:  acquired lock (x)\n"
		"SYSCALL[7,3](202) ... [async] --> Success(0x0) \n"
		"--7--   SCHED[1]:  acquired lock (x)\n"
		"SYSCALL[7,1](202) ... [async] --> Success(0x1) \n"
		"--7--   SCHED[2]:  acquired lock (x)\n"
		"SYSCALL[7,2](202) ... [async] --> Success(0x0) \n"
		"SYSCALL[7,2](202) sys_futex ( 0x10c084, 128, 0, 0x0, 0x10c080 ) --> [async] ... \n"
		"--7--   SCHED[3]:  acquired lock (x)\n"
		"SYSCALL[7,3](202) sys_futex ( 0x10c084, 128, 0, 0x0, 0x10c080 ) --> [async] ... \n"
		"--7--   SCHED[1]:  acquired lock (x)\n"
		"SYSCALL[7,1](202) sys_futex ( 0x10c084, 128, 1, 0x0, 0x10c080 )[sync] --> Failure(0xb) \n"
		"SYSCALL[7,1](202) sys_futex ( 0x10c084, 129, 2147483647, 0x0, 0x10c080 ) --> [async] ... \n"
		"SYSCALL[7,1](202) ... [async] --> Success(0x2) \n"
		"--7--   SCHED[2]:  acquired lock (x)\n"
		"SYSCALL[7,2](202) ... [async] --> Success(0x0) \n"
		"SYSCALL[7,2](60) exit( 0 ) --> [pre-success] Success(0x0) \n"
		"--7--   SCHED[1]:  acquired lock (x)\n"
		"SYSCALL[7,1](202) sys_futex ( 0x522c990, 265, 28174, 0x0, 0x0 ) --> [async] ... \n"
		"--7--   SCHED[3]:  acquired lock (x)\n"
		"SYSCALL[7,3](202) ... [async] --> Success(0x0) \n"
		"--7--   SCHED[1]:  acquired lock (x)\n"
		"SYSCALL[7,1](202) ... [async] --> Success(0x0) \n"
		"SYSCALL[7,1](11) sys_munmap ( 0x4847000, 8192 )[sync] --> Success(0x0) \n";
	struct trace_rec rec[256];
	struct trace_ctrl ctrl[256];
	struct vglog_sink out = { .rec = rec, .ctrl = ctrl };
	char err[512];
	vglog_t *vg;
	uint64_t seq = 0;
	(void)state;

	assert_int_equal(vglog_create(&vg, &(struct vglog_opts){ .name = "f.log" }), 0);
	if (feed(vg, log, &out, err, sizeof(err)))
		fail_msg("%s", err);
	/* every seq record is followed by its operation or access, and numbers run 0, 1, 2... */
	for (size_t i = 0; i < out.n; i++)
		if (rec[i].op == TOP_CTRL && ctrl[rec[i].ctrl].kind == TCTRL_SEQ) {
			assert_true(ctrl[rec[i].ctrl].args[0] == seq++);
			assert_true(i + 1 < out.n && rec[i + 1].tid == rec[i].tid);
		}
	drop_seq_sink(&out);
	size_t k = 0, waits = 0, wakes = 0;
	uint64_t id_mutex = 0, id_bcast = 0;
	int sync_m = 0;
	for (size_t i = 0; i < out.n; i++) {
		const struct trace_rec *r = &rec[i];
		const struct trace_ctrl *c = r->op == TOP_CTRL ? &ctrl[r->ctrl] : NULL;
		if (c && c->kind == TCTRL_MMAP) {
			/* libc and libm both came as fd 3: two files */
			assert_true(c->args[4] == (k ? 0x100001ULL : 0x100000ULL));
			k++;
		}
		if (c && c->kind == TCTRL_FUTEX_WAKE && c->args[0] == 0x10c0e0) {
			if (c->args[1] == 1)
				id_mutex = c->args[2];           /* the private wake */
			else
				assert_true(c->args[3] == 1);   /* the shared wake woke the shared waiter */
			wakes++;
		}
		if (c && c->kind == TCTRL_FUTEX_WAKE && c->args[0] == 0x10c084) {
			assert_true(c->ret == 2 && c->args[3] == 2);
			id_bcast = c->args[2];
		}
		if (c && c->kind == TCTRL_FUTEX_WAIT) {
			waits++;
			if (c->args[0] == 0x10c0e0 && r->tid == 1) {
				assert_true(c->args[1] == 1 && c->args[2] == id_mutex && id_mutex);   /* private to private */
			} else if (c->args[0] == 0x10c0e0) {
				assert_true(c->args[1] == 0 && c->args[2] && c->args[2] != id_mutex);  /* shared to shared */
			} else if (c->args[0] == 0x10c084 && c->ret == NEG(11)) {
				assert_true(c->args[2] == 0 && c->args[3] == 0);                      /* EAGAIN: no pair */
			} else if (c->args[0] == 0x10c084) {
				assert_true(c->args[2] == id_bcast && id_bcast);                      /* both by the broadcast */
			} else {
				/* the join started after thread 1's exit line: paired with that exit */
				assert_true(c->args[0] == 0x522c990 && c->args[2] == 0 && c->args[3] == 2);
			}
		}
		if (r->op == TOP_MODIFY)
			sync_m++;
	}
	assert_int_equal(k, 2);
	assert_int_equal(waits, 6);
	assert_int_equal(wakes, 2);
	assert_int_equal(sync_m, 2);
	/* the second thread's M made the word shared: it and the store after it got seq records */
	assert_int_equal(vglog_stats(vg)[VGS_SYNC_ACCESSES], 2);
	assert_int_equal(vglog_stats(vg)[VGS_FUTEX_UNMATCHED], 0);
	assert_int_equal(vglog_stats(vg)[VGS_EXIT_WAKES], 1);
	vglog_destroy(vg);
}


/* A log of another Valgrind is counted: the SCHED/SYSCALL lines are debugging output. */
static void version_banner(void **state)
{
	struct trace_rec rec[VGLOG_MAX_OUT];
	struct trace_ctrl ctrl[VGLOG_MAX_OUT];
	struct vglog_sink out = { .rec = rec, .ctrl = ctrl };
	char err[256];
	vglog_t *a, *b;
	(void)state;

	assert_int_equal(vglog_create(&a, &(struct vglog_opts){ .name = "a" }), 0);
	assert_int_equal(vglog_create(&b, &(struct vglog_opts){ .name = "b" }), 0);
	assert_int_equal(feed(a, "==5== Using Valgrind-3.19.0 and LibVEX; rerun with -h for copyright info\n", &out, err,
			      sizeof(err)), 0);
	assert_int_equal(feed(b, "==5== Using Valgrind-3.22.0 and LibVEX; rerun with -h for copyright info\n", &out, err,
			      sizeof(err)), 0);
	assert_int_equal(vglog_stats(a)[VGS_OTHER_VERSION], 0);
	assert_int_equal(vglog_stats(b)[VGS_OTHER_VERSION], 1);
	vglog_destroy(a);
	vglog_destroy(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(threads_and_gaps),
		cmocka_unit_test(plain_unchanged),
		cmocka_unit_test(plain_bulk_same_as_lines),
		cmocka_unit_test(syscall_shapes),
		cmocka_unit_test(clones_and_reuse),
		cmocka_unit_test(cpus_and_keep_ifetch),
		cmocka_unit_test(strace_masks),
		cmocka_unit_test(strace_mismatch),
		cmocka_unit_test(errors),
		cmocka_unit_test(detection),
		cmocka_unit_test(seq_and_futex),
		cmocka_unit_test(child_by_stack),
		cmocka_unit_test(version_banner),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
