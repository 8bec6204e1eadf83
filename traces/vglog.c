/*
 * traces/vglog.c - turning a Valgrind log (lackey memory trace, scheduler
 * and system-call tracing) into trace records.
 *
 * Every line is classified first (vglog_classify) and then handed to the
 * parser of its class; no line is matched by guesswork.  The shapes below are
 * those Valgrind 3.19 prints (docs/record.md shows real samples):
 *
 *   I  0401ab70,3                          instruction fetch
 *    L 1ffefffd88,8                        load (S store, M modify)
 *   --123--   SCHED[2]:  acquired lock (...) thread 2 runs from here on
 *   SYSCALL[123,2](9) sys_mmap ( 0x0, 8192, 3, 34, 4294967295, 0 ) --> [pre-success] Success(0x4835000)
 *   SYSCALL[123,2](10) sys_mprotect ( 0x4a16000, 16384, 1 )[sync] --> Success(0x0)
 *   SYSCALL[123,2](28) sys_madvise ( 0x483c000, 4096, 4 ) --> [async] ...
 *   SYSCALL[123,2](28) ... [async] --> Success(0x0)           (result of the line above, later)
 *   SYSCALL[123,1](56) sys_clone ( 1200011, ... )   clone(fork): ...
 *    --> [pre-success] Success(0x7f85) --123--   SCHED[1]: ...  (result on the next line,
 *                                                               with a debug line glued on)
 *
 * Thread numbering: the first thread is trace thread 0; each successful
 * clone(CLONE_VM) gets the next number, emitted as TCTRL_CLONE in the
 * parent's stream at the clone.  Valgrind reuses its thread slots, so the
 * child's Valgrind id is predicted (Valgrind takes the lowest free slot) and
 * confirmed when the child first runs; a new Valgrind id that was not
 * predicted takes the oldest unconfirmed clone.
 */
#include <stdlib.h>
#include <string.h>
#include "sim/err.h"
#include "traces/vglog.h"

#define VG_MAX_TID 1024              /* Valgrind thread slots (VG_N_THREADS is 500 by default) */
#define VG_MAX_CALL_ARGS 8
#define STRACE_STASH 16              /* concurrent "<unfinished ...>" strace calls kept */
#define STRACE_LINE_MAX 1024
#define CLONE_VM 0x100ULL
#define SYNC_WORDS_SHIFT 16
#define VG_MAX_FD 4096               /* descriptors whose file is tracked */
#define FILE_ID_BASE (1ULL << 20)    /* mmap records name a file by FILE_ID_BASE + its index */
#define VG_MAX_STR 256
#define MAP_PRIVATE_ 0x02ULL
#define MAP_FIXED_ 0x10ULL
#define MAP_ANONYMOUS_ 0x20ULL
#define MAP_GROWSDOWN_ 0x100ULL
/*
 * The main stack is a VM_GROWSDOWN mapping, as Linux builds it: setup_arg_pages
 * leaves 128 KiB (stack_expand) below the arguments, and faults below grow it
 * (expand_stack) up to the replay's RLIMIT_STACK (os.stack_limit, 8 MiB like
 * Valgrind's client stack, cls_sz).
 */
#define MAIN_STACK_BELOW (128ULL << 10)
#define MAIN_STACK_ABOVE (64ULL << 10) /* argv, envp, auxv above the first stack pointer */          /* table of words written by locked read-modify-writes */
#define CLONE_PARENT_SETTID 0x100000ULL
#define CLONE_CHILD_CLEARTID 0x200000ULL
/* futex(2) operations (include/uapi/linux/futex.h) */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CMD_MASK 127

const struct stat_desc vglog_stat_desc[NR_VGLOG_STATS] = { VGLOG_STATS(STAT_DESC) };

/* System calls the interpreter understands, by the name Valgrind prints. */
enum vg_sys {
	VS_MMAP, VS_MUNMAP, VS_BRK, VS_MPROTECT, VS_MADVISE, VS_MBIND, VS_SET_MEMPOLICY,
	VS_MIGRATE_PAGES, VS_CLONE, VS_EXIT, VS_EXIT_GROUP, VS_MREMAP, VS_MOVE_PAGES, VS_FORK,
	VS_VFORK, VS_FUTEX, VS_SET_TID_ADDRESS, VS_OPENAT, VS_OPEN, VS_CLOSE, VS_MLOCK, VS_MLOCK2,
	VS_MUNLOCK, VS_MLOCKALL, VS_MUNLOCKALL, NR_VG_SYS
};

static const struct vg_sysdef {
	const char *name;
	uint8_t nargs;           /* arguments the conversion reads (Valgrind may print more) */
	uint8_t bare_hex;        /* bit i: argument i is printed as hex without "0x" (%lx) */
	uint8_t str_arg;         /* 1 + the argument printed as "0xPTR(string)", 0 none */
} vg_sys[NR_VG_SYS] = {
	[VS_MMAP] = { "sys_mmap", 6, 0, 0 },
	[VS_MUNMAP] = { "sys_munmap", 2, 0, 0 },
	[VS_BRK] = { "sys_brk", 1, 0, 0 },
	[VS_MPROTECT] = { "sys_mprotect", 3, 0, 0 },
	[VS_MADVISE] = { "sys_madvise", 3, 0, 0 },
	[VS_MBIND] = { "sys_mbind", 6, 0, 0 },
	[VS_SET_MEMPOLICY] = { "sys_set_mempolicy", 3, 0, 0 },
	[VS_MIGRATE_PAGES] = { "sys_migrate_pages", 4, 0, 0 },
	[VS_CLONE] = { "sys_clone", 1, 1, 0 },
	[VS_EXIT] = { "exit", 1, 0, 0 },
	[VS_EXIT_GROUP] = { "exit_group", 1, 0, 0 },
	[VS_MREMAP] = { "sys_mremap", 4, 0, 0 },   /* new_addr (5th) only matters with MREMAP_FIXED */
	[VS_MOVE_PAGES] = { "sys_move_pages", 0, 0, 0 },
	[VS_FORK] = { "sys_fork", 0, 0, 0 },
	[VS_VFORK] = { "sys_vfork", 0, 0, 0 },
	[VS_FUTEX] = { "sys_futex", 3, 0, 0 },
	[VS_SET_TID_ADDRESS] = { "sys_set_tid_address", 1, 0, 0 },
	[VS_OPENAT] = { "sys_openat", 3, 0, 2 },
	[VS_OPEN] = { "sys_open", 2, 0, 1 },
	[VS_CLOSE] = { "sys_close", 1, 0, 0 },
	[VS_MLOCK] = { "sys_mlock", 2, 0, 0 },
	[VS_MLOCK2] = { "sys_mlock2", 3, 0, 0 },
	[VS_MUNLOCK] = { "sys_munlock", 2, 0, 0 },
	[VS_MLOCKALL] = { "sys_mlockall", 1, 1, 0 },
	[VS_MUNLOCKALL] = { "sys_munlockall", 0, 0, 0 },
};

/* A call whose result is still to come (async, or printed on the next line). */
struct vg_call {
	bool active;
	int sys;                 /* enum vg_sys, or -1 for a call not converted */
	uint32_t nr;
	uint16_t vgtid;
	unsigned nargs;
	uint64_t args[VG_MAX_CALL_ARGS];
	uint64_t lineno;
	/* futex calls: pairing of waits and wakes (futex_start, call_done) */
	uint64_t order;          /* when the call started, in log order */
	uint64_t wake_id;        /* a wake: its id; a wait: the wake that woke it (0: none yet) */
	uint32_t linked;         /* a wake: waits paired with it so far */
	uint32_t exit_of;        /* a wait: 1 + the thread whose exit (clear-tid wake) woke it, 0 none */
	char str[VG_MAX_STR];    /* open/openat: the path */
};

/* Node masks read by strace, in call order. */
struct mask_entry {
	int sys;                 /* VS_MBIND, VS_SET_MEMPOLICY, VS_MIGRATE_PAGES */
	uint64_t addr, len;      /* mbind: to check the pairing */
	uint64_t mask[2];
	bool known[2];           /* false: strace could not read it or it exceeds 64 nodes */
};

struct strace_stash {
	long pid;                /* 0: free */
	size_t len;
	char text[STRACE_LINE_MAX];
};

struct clone_wait {
	uint16_t vgtid;          /* predicted Valgrind slot of the child */
	uint16_t tid;            /* its trace thread */
	uint64_t stack;          /* the child's stack pointer (clone's second argument), 0 unknown */
};

/* A word some thread read-modified-wrote (lackey's M: atomics such as lock cmpxchg). */
struct sync_word {
	uint64_t addr;
	uint16_t tid;            /* the last thread that wrote it */
	bool shared;             /* written by M from two threads at least: a synchronisation word */
};

struct vglog {
	struct vglog_opts o;
	unsigned *cpus;
	bool threaded;
	long pid;                        /* the recorded process, 0 until seen */
	int trace_of[VG_MAX_TID];        /* Valgrind tid -> trace tid, -1 if none (or exited) */
	bool first_bound;                /* trace thread 0 has been handed out */
	int tid0_vg;                     /* Valgrind tid of thread 0, -1 while unknown */
	unsigned next_tid;
	uint16_t cur;                    /* trace thread running now */
	uint64_t *pend;                  /* per trace thread: instructions not yet charged */
	uint64_t *ctid;                  /* per trace thread: clear-tid address (CLONE_CHILD_CLEARTID, set_tid_address) */
	uint64_t *exited;                /* per trace thread: 0 running, else its rank among the exits */
	uint64_t nr_exits;
	uint64_t call_order;             /* futex calls started so far */
	uint64_t next_wake_id;           /* ids of futex wakes, from 1 */
	uint64_t next_seq;               /* address-space operations emitted so far */
	struct sync_word *sw;            /* direct-mapped, 2^SYNC_WORDS_SHIFT entries, allocated on first M */
	/* the initial image (vglog_set_image) */
	struct elf_image *img[2];        /* executable, interpreter (NULL: static) */
	int img_state;                   /* 0 none, 1 before the first fetch, 2 before the first data access, 3 done */
	uint64_t exe_base, exe_lo, exe_hi;
	bool exe_checked;
	/* files: an mmap record names its file by FILE_ID_BASE + the index of its path */
	char **paths;
	size_t npaths, pathcap;
	uint32_t fd_file[VG_MAX_FD];     /* descriptor -> 1 + path index, 0 unknown */
	size_t pend_cap;
	struct clone_wait *cw;           /* clones whose child has not run yet, oldest first */
	uint64_t expect_sp[VG_MAX_TID];  /* a child bound to a clone by its slot, not yet confirmed by its stack */
	uint16_t cur_vg;                 /* Valgrind thread running now */
	size_t ncw, cwcap;
	struct vg_call async[VG_MAX_TID];
	struct vg_call cont;             /* printed without a result: " --> " line follows */
	struct mask_entry *mq;           /* ring of strace masks */
	size_t mq_head, mq_n, mq_cap;
	struct strace_stash stash[STRACE_STASH];
	uint64_t stat[NR_VGLOG_STATS];
};

/* ---- small lexers ------------------------------------------------------------------------------- */

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static bool has(const char *s, size_t n, size_t i, const char *lit)
{
	size_t m = strlen(lit);
	return i + m <= n && !memcmp(s + i, lit, m);
}

static size_t skip_sp(const char *s, size_t n, size_t i)
{
	while (i < n && s[i] == ' ')
		i++;
	return i;
}

/* Unsigned decimal; @return false if no digit or it overflows 64 bits. */
static bool lex_dec(const char *s, size_t n, size_t *i, uint64_t *v)
{
	size_t j = *i;
	uint64_t x = 0;

	for (; j < n && s[j] >= '0' && s[j] <= '9'; j++) {
		if (x > (UINT64_MAX - 9) / 10)
			return false;
		x = x * 10 + (uint64_t)(s[j] - '0');
	}
	if (j == *i)
		return false;
	*i = j;
	*v = x;
	return true;
}

/* Hex digits (no prefix), at most 16 significant. */
static bool lex_hex(const char *s, size_t n, size_t *i, uint64_t *v)
{
	size_t j = *i;
	uint64_t x = 0;
	int d;

	for (; j < n && (d = hexval(s[j])) >= 0; j++) {
		if (x >> 60)
			return false;
		x = x << 4 | (unsigned)d;
	}
	if (j == *i)
		return false;
	*i = j;
	*v = x;
	return true;
}

/* "0x" hex, or [-]decimal (stored as two's complement), or (bare) hex. */
static bool lex_num(const char *s, size_t n, size_t *i, bool bare_hex, uint64_t *v)
{
	if (has(s, n, *i, "0x")) {
		*i += 2;
		return lex_hex(s, n, i, v);
	}
	if (bare_hex)
		return lex_hex(s, n, i, v);
	if (*i < n && s[*i] == '-') {
		size_t j = *i + 1;
		if (!lex_dec(s, n, &j, v))
			return false;
		*v = (uint64_t)0 - *v;
		*i = j;
		return true;
	}
	return lex_dec(s, n, i, v);
}

/* "==123==" or "--123--" at the start: @return its length and the pid, or 0. */
static size_t pid_fence(const char *s, size_t n, char c, long *pid)
{
	size_t i = 2;
	long p = 0;

	if (n < 5 || s[0] != c || s[1] != c)
		return 0;
	while (i < n && s[i] >= '0' && s[i] <= '9' && p < 100000000)
		p = p * 10 + (s[i++] - '0');
	if (i == 2 || i + 1 >= n || s[i] != c || s[i + 1] != c)
		return 0;
	if (pid)
		*pid = p;
	return i + 2;
}

enum vglog_line vglog_classify(const char *s, size_t n)
{
	size_t f;

	if (!n)
		return VGL_EMPTY;
	if (s[0] == 'I' && n >= 2 && s[1] == ' ')
		return VGL_ACCESS;
	if (s[0] == ' ') {
		if (n >= 3 && (s[1] == 'L' || s[1] == 'S' || s[1] == 'M') && s[2] == ' ')
			return VGL_ACCESS;
		if (has(s, n, 0, " --> "))
			return VGL_RESULT;
		return VGL_OTHER;
	}
	if (pid_fence(s, n, '=', NULL))
		return VGL_BANNER;
	if ((f = pid_fence(s, n, '-', NULL)))
		return has(s, n, skip_sp(s, n, f), "SCHED[") ? VGL_SCHED : VGL_DEBUG;
	if (has(s, n, 0, "SCHED["))
		return VGL_SCHED;
	if (has(s, n, 0, "SYSCALL["))
		return VGL_SYSCALL;
	return VGL_OTHER;
}

int vglog_access(const char *s, size_t n, int *op, uint64_t *addr, uint64_t *size, const char **what)
{
	size_t i, digits = 0;
	uint64_t a = 0, z;

	if (s[0] == 'I') {
		*op = TOP_IFETCH;
		i = 1;
	} else {
		*op = s[1] == 'L' ? TOP_LOAD : s[1] == 'S' ? TOP_STORE : TOP_MODIFY;
		i = 2;
	}
	i = skip_sp(s, n, i);
	for (; i < n && s[i] != ','; i++, digits++) {
		int d = hexval(s[i]);
		if (d < 0 || a >> 60) {
			*what = "a hexadecimal address of at most 64 bits";
			return -1;
		}
		a = a << 4 | (unsigned)d;
	}
	if (!digits) {
		*what = "a hexadecimal address";
		return -1;
	}
	if (i == n) {
		*what = "',' and a size after the address";
		return -1;
	}
	i++;
	if (!lex_dec(s, n, &i, &z) || z == 0 || z > UINT16_MAX) {
		*what = "a decimal size in 1..65535";
		return -1;
	}
	i = skip_sp(s, n, i);
	if (i != n) {
		*what = "the end of the line after the size";
		return -1;
	}
	*addr = a;
	*size = z;
	return 0;
}

/* ---- lifetime -------------------------------------------------------------------------------------- */

int vglog_create(vglog_t **out, const struct vglog_opts *o)
{
	vglog_t *vg = calloc(1, sizeof(*vg));

	*out = NULL;
	if (!vg)
		return -SIM_ENOMEM;
	vg->o = *o;
	if (!vg->o.name)
		vg->o.name = "valgrind log";
	if (o->nr_cpus) {
		vg->cpus = malloc(o->nr_cpus * sizeof(*vg->cpus));
		if (!vg->cpus) {
			free(vg);
			return -SIM_ENOMEM;
		}
		memcpy(vg->cpus, o->cpus, o->nr_cpus * sizeof(*vg->cpus));
	}
	vg->o.cpus = vg->cpus;
	vg->threaded = o->threaded;
	vg->tid0_vg = -1;
	vg->next_tid = 1;
	for (unsigned i = 0; i < VG_MAX_TID; i++)
		vg->trace_of[i] = -1;
	*out = vg;
	return 0;
}

void vglog_destroy(vglog_t *vg)
{
	if (!vg)
		return;
	free(vg->cpus);
	free(vg->pend);
	free(vg->ctid);
	free(vg->exited);
	free(vg->img[0]);
	free(vg->img[1]);
	for (size_t i = 0; i < vg->npaths; i++)
		free(vg->paths[i]);
	free(vg->paths);
	free(vg->sw);
	free(vg->cw);
	free(vg->mq);
	free(vg);
}

bool vglog_threaded(const vglog_t *vg)
{
	return vg->threaded;
}

const uint64_t *vglog_stats(const vglog_t *vg)
{
	return vg->stat;
}

/* ---- output -------------------------------------------------------------------------------------------- */

static int bad(const vglog_t *vg, char *err, size_t errlen, uint64_t lineno, const char *what, const char *s,
	       size_t n)
{
	return sim_errf(err, errlen, SIM_ETRACE, "%s:%llu: expected %s, found '%.*s'", vg->o.name,
			(unsigned long long)lineno, what, (int)SIM_MIN(n, 120), s);
}

/* Instructions waiting to be charged to the thread's next record, capped at the gap field. */
static uint32_t take_gap(vglog_t *vg, unsigned tid)
{
	uint64_t g;

	if (tid >= vg->pend_cap)
		return 0;
	g = SIM_MIN(vg->pend[tid], (uint64_t)UINT32_MAX);
	vg->pend[tid] -= g;
	return (uint32_t)g;
}

static int pend_room(vglog_t *vg, unsigned tid)
{
	if (tid < vg->pend_cap)
		return 0;
	size_t ncap = vg->pend_cap ? vg->pend_cap * 2 : 64;
	while (ncap <= tid)
		ncap *= 2;
	uint64_t *np = realloc(vg->pend, ncap * sizeof(*np));
	if (!np)
		return -SIM_ENOMEM;
	memset(np + vg->pend_cap, 0, (ncap - vg->pend_cap) * sizeof(*np));
	vg->pend = np;
	uint64_t *nc = realloc(vg->ctid, ncap * sizeof(*nc));
	if (!nc)
		return -SIM_ENOMEM;
	memset(nc + vg->pend_cap, 0, (ncap - vg->pend_cap) * sizeof(*nc));
	vg->ctid = nc;
	uint64_t *ne = realloc(vg->exited, ncap * sizeof(*ne));
	if (!ne)
		return -SIM_ENOMEM;
	memset(ne + vg->pend_cap, 0, (ncap - vg->pend_cap) * sizeof(*ne));
	vg->exited = ne;
	vg->pend_cap = ncap;
	return 0;
}

static void emit_ctrl(vglog_t *vg, struct vglog_sink *out, unsigned tid, uint32_t kind, unsigned nargs,
		      const uint64_t *args, uint64_t ret)
{
	struct trace_ctrl *c = &out->ctrl[out->nctrl];

	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->nargs = nargs;
	for (unsigned i = 0; i < nargs; i++)
		c->args[i] = args[i];
	c->ret = ret;
	out->rec[out->n++] = (struct trace_rec){ .op = TOP_CTRL, .tid = (uint16_t)tid, .gap = take_gap(vg, tid),
						 .ctrl = (uint16_t)out->nctrl };
	out->nctrl++;
	vg->stat[VGS_CONTROL]++;
}

/*
 * Address-space operations (mmap ... clone, exit) carry their place in the
 * log's total order: Valgrind runs one thread at a time, so the log order is
 * an order that really happened, and the replay holds every thread to it
 * (an munmap by one thread, then an mmap by another at the same address).
 */
static void emit_seq(vglog_t *vg, struct vglog_sink *out, unsigned tid)
{
	uint64_t n = vg->next_seq++;

	emit_ctrl(vg, out, tid, TCTRL_SEQ, 1, &n, TRACE_RET_NONE);
}

/* A store the kernel makes into user memory (lackey never sees those). */
static void emit_kstore(vglog_t *vg, struct vglog_sink *out, unsigned tid, uint64_t addr)
{
	out->rec[out->n++] = (struct trace_rec){ .addr = addr, .size = 4, .op = TOP_STORE, .tid = (uint16_t)tid,
						 .gap = take_gap(vg, tid) };
	vg->stat[VGS_KERNEL_STORES]++;
}

/*
 * An uncontended mutex never calls futex: its lock and unlock are atomic
 * read-modify-writes of the lock word (lackey's M) and a later owner learns
 * of the earlier one through that word alone.  A word written by M from two
 * threads is a synchronisation word; from then on every M or store to it
 * takes its place in the recorded order (a seq record), so the replay hands
 * the word (and the data it protects) from thread to thread in the recorded
 * order.  Loads are left out: a spinning reader would get one record per
 * load.  The table is direct-mapped and a synchronisation word is never
 * evicted, so memory stays fixed.  @return true if the access needs a seq.
 */
static int sync_word(vglog_t *vg, int op, uint64_t addr, unsigned tid, bool *seq)
{
	*seq = false;
	if (op != TOP_MODIFY && op != TOP_STORE)
		return 0;
	if (!vg->sw) {
		if (op != TOP_MODIFY)
			return 0;
		if (!(vg->sw = calloc((size_t)1 << SYNC_WORDS_SHIFT, sizeof(*vg->sw))))
			return -SIM_ENOMEM;
	}
	struct sync_word *w = &vg->sw[(addr * 0x9e3779b97f4a7c15ULL) >> (64 - SYNC_WORDS_SHIFT)];
	if (w->addr == addr && (w->addr || w->shared || w->tid)) {
		if (op == TOP_MODIFY && w->tid != tid)
			w->shared = true;
		*seq = w->shared;
		w->tid = (uint16_t)tid;
	} else if (op == TOP_MODIFY && !w->shared) {
		*w = (struct sync_word){ .addr = addr, .tid = (uint16_t)tid };
	}
	return 0;
}

/* ---- files and the initial image ------------------------------------------------------------------------ */

/* The file id of a path: distinct paths, distinct files (ld.so reuses descriptor numbers).  0 if out of memory. */
static uint64_t file_id(vglog_t *vg, const char *path)
{
	for (size_t i = 0; i < vg->npaths; i++)
		if (!strcmp(vg->paths[i], path))
			return FILE_ID_BASE + i;
	if (vg->npaths == vg->pathcap) {
		size_t ncap = vg->pathcap ? vg->pathcap * 2 : 16;
		char **n = realloc(vg->paths, ncap * sizeof(*n));
		if (!n)
			return 0;
		vg->paths = n;
		vg->pathcap = ncap;
	}
	if (!(vg->paths[vg->npaths] = strdup(path)))
		return 0;
	return FILE_ID_BASE + vg->npaths++;
}

int vglog_set_image(vglog_t *vg, const struct elf_image *exe, const struct elf_image *interp)
{
	if (!(vg->img[0] = malloc(sizeof(*exe))) || (interp && !(vg->img[1] = malloc(sizeof(*interp)))))
		return -SIM_ENOMEM;
	*vg->img[0] = *exe;
	if (interp)
		*vg->img[1] = *interp;
	vg->img_state = 1;
	return 0;
}

static void emit_mmap(vglog_t *vg, struct vglog_sink *out, uint64_t addr, uint64_t len, uint64_t prot,
		      uint64_t flags, uint64_t fd, uint64_t off)
{
	uint64_t v[6] = { addr, len, prot, flags | MAP_PRIVATE_ | MAP_FIXED_, fd, off };

	emit_ctrl(vg, out, 0, TCTRL_MMAP, 6, v, addr);
	vg->stat[VGS_IMAGE_MAPS]++;
}

/*
 * The PT_LOAD segments of img loaded at bias, as binfmt_elf maps them:
 * file pages [offset, offset + filesz) privately at the page of vaddr, the
 * rest up to memsz anonymous (bss); the loader zeroes the tail of the last
 * file page (a store: that page is a private copy before main).
 */
static int map_elf(vglog_t *vg, struct vglog_sink *out, const struct elf_image *img, uint64_t bias)
{
	uint64_t fid = file_id(vg, img->path);

	if (!fid)
		return -SIM_ENOMEM;
	for (unsigned i = 0; i < img->nr_loads; i++) {
		const struct elf_load *l = &img->load[i];
		uint64_t start = bias + (l->vaddr & ~0xfffULL), fend = bias + l->vaddr + l->filesz;
		uint64_t fmap_end = (fend + 0xfff) & ~0xfffULL, mend = (bias + l->vaddr + l->memsz + 0xfff) & ~0xfffULL;
		if (l->filesz)
			emit_mmap(vg, out, start, fmap_end - start, l->prot, 0, fid, l->offset & ~0xfffULL);
		else
			fmap_end = start;
		if (mend > fmap_end)
			emit_mmap(vg, out, fmap_end, mend - fmap_end, l->prot, MAP_ANONYMOUS_, (uint64_t)-1, 0);
		if (l->filesz && l->memsz > l->filesz && (fend & 0xfff) && (l->prot & 2))
			emit_kstore(vg, out, 0, fend & ~3ULL);
	}
	return 0;
}

/* Thread 0's first instruction: the interpreter's entry point.  Map both images. */
static int image_map(vglog_t *vg, uint64_t addr, struct vglog_sink *out)
{
	const struct elf_image *exe = vg->img[0], *in = vg->img[1];
	uint64_t ibase = in ? addr - in->entry : 0;
	int rc;

	vg->img_state = 2;
	if (in && (ibase & 0xfff)) {
		vg->stat[VGS_IMAGE_MISPLACED]++;     /* not the interpreter's entry: leave memory implicit */
		vg->img_state = 3;
		return 0;
	}
	vg->exe_base = !exe->dyn ? 0 : in ? VGLOG_VG_EXE_BASE : addr - exe->entry;
	vg->exe_lo = UINT64_MAX;
	for (unsigned i = 0; i < exe->nr_loads; i++) {
		vg->exe_lo = SIM_MIN(vg->exe_lo, vg->exe_base + exe->load[i].vaddr);
		vg->exe_hi = SIM_MAX(vg->exe_hi, vg->exe_base + exe->load[i].vaddr + exe->load[i].memsz);
	}
	if ((rc = map_elf(vg, out, exe, vg->exe_base)) || (in && (rc = map_elf(vg, out, in, ibase))))
		return rc;
	return 0;
}

/* Thread 0's first data access: the stack pointer (ld.so's _start calls, a static _start pops). */
static void stack_map(vglog_t *vg, uint64_t addr, struct vglog_sink *out)
{
	uint64_t top = ((addr + 0xfff) & ~0xfffULL) + MAIN_STACK_ABOVE, start = (addr & ~0xfffULL) - MAIN_STACK_BELOW;

	emit_mmap(vg, out, start, top - start, 3, MAP_ANONYMOUS_ | MAP_GROWSDOWN_, (uint64_t)-1, 0);
	emit_ctrl(vg, out, 0, TCTRL_EXPLICIT_MAPS, 0, NULL, TRACE_RET_NONE);
	vg->img_state = 3;
}

/* ---- futex pairing -------------------------------------------------------------------------------------- */

static bool futex_wait_op(uint64_t op)
{
	op &= FUTEX_CMD_MASK;
	return op == FUTEX_WAIT || op == FUTEX_WAIT_BITSET;
}

static bool futex_wake_op(uint64_t op)
{
	op &= FUTEX_CMD_MASK;
	return op == FUTEX_WAKE || op == FUTEX_WAKE_BITSET;
}

/* A futex call started: waits and wakes are numbered in log order; a wake gets its id now. */
static void futex_start(vglog_t *vg, struct vg_call *c)
{
	c->order = ++vg->call_order;
	c->wake_id = futex_wake_op(c->args[1]) ? ++vg->next_wake_id : 0;
	c->linked = 0;
	c->exit_of = 0;
}

/*
 * The oldest pending (started, not completed) futex call on the key
 * (address, private flag) that is a wait not yet paired (want_wait) or a
 * wake.  A private and a shared futex on one address are different keys
 * (futex(2), FUTEX_PRIVATE_FLAG).  Each Valgrind thread has at most one
 * pending call, so the table of pending calls is the set to search.
 */
static struct vg_call *futex_pending(vglog_t *vg, uint64_t addr, bool priv, bool want_wait)
{
	struct vg_call *best = NULL;

	for (unsigned v = 1; v < VG_MAX_TID; v++) {
		struct vg_call *p = &vg->async[v];
		if (!p->active || p->sys != VS_FUTEX || p->args[0] != addr ||
		    !(p->args[1] & FUTEX_PRIVATE_FLAG) != !priv)
			continue;
		if (want_wait ? !futex_wait_op(p->args[1]) || p->wake_id || p->exit_of : !futex_wake_op(p->args[1]))
			continue;
		if (!best || p->order < best->order)
			best = p;
	}
	return best;
}

/*
 * A thread exits: the kernel (mm_release, kernel/fork.c) writes 0 to its
 * clear-tid word and wakes one shared waiter there: that is how
 * pthread_join's futex wait ends.  Neither is in the log; both are made here.
 * Under Valgrind the exit line is printed before the kernel thread is
 * gone, so a join can start its wait after the exit line and still be woken
 * by it: such a wait (futex_done) is paired with the latest exited thread
 * whose clear-tid word it waits on.  Waits name the thread (exit_of), not a
 * wake id: the replay knows when each of its threads ended, so no token
 * is kept for exits nobody waits for.  The futex_wake record (wake_id 0)
 * says where the kernel's wake happened and how many waits it woke.
 */
static void exit_wake(vglog_t *vg, struct vglog_sink *out, unsigned tid)
{
	uint64_t addr = tid < vg->pend_cap ? vg->ctid[tid] : 0, v[4];
	struct vg_call *w;

	if (tid < vg->pend_cap)
		vg->exited[tid] = ++vg->nr_exits;
	if (!addr)
		return;
	emit_kstore(vg, out, tid, addr);
	v[0] = addr;
	v[1] = 0;
	v[2] = 0;
	v[3] = 0;
	if ((w = futex_pending(vg, addr, false, true))) {
		w->exit_of = tid + 1;
		v[3] = 1;
	}
	emit_ctrl(vg, out, tid, TCTRL_FUTEX_WAKE, 4, v, TRACE_RET_NONE);
	vg->stat[VGS_EXIT_WAKES]++;
}

/* The thread that exited last with clear-tid word addr: @return 1 + its id, or 0. */
static uint32_t exited_on(const vglog_t *vg, uint64_t addr)
{
	uint64_t best = 0;
	uint32_t who = 0;

	for (size_t t = 0; t < vg->pend_cap; t++)
		if (vg->exited[t] > best && vg->ctid[t] == addr) {
			best = vg->exited[t];
			who = (uint32_t)t + 1;
		}
	return who;
}

/*
 * A futex call completed.  A wait that returned 0 is paired with the wake
 * that woke it: one already chosen when that wake completed, else the
 * oldest wake on the key still in progress (the waiter's completion line
 * can come before the waker's).  A wake that woke n waiters takes the n
 * oldest unpaired waits pending on its key.  The ids make the pairing
 * exact however often glibc reuses a futex word (mutexes, cached stacks).
 */
static void futex_done(vglog_t *vg, const struct vg_call *c, unsigned tid, bool failed, uint64_t val, uint64_t ret,
		       struct vglog_sink *out)
{
	uint64_t addr = c->args[0], v[4];
	bool priv = c->args[1] & FUTEX_PRIVATE_FLAG;
	struct vg_call *p;

	v[0] = addr;
	v[1] = priv;
	if (futex_wait_op(c->args[1])) {
		vg->stat[VGS_FUTEX_WAITS]++;
		v[2] = 0;
		v[3] = 0;
		if (!failed && val == 0) {
			v[2] = c->wake_id;
			v[3] = c->exit_of;
			if (!v[2] && !v[3] && (p = futex_pending(vg, addr, priv, false))) {
				v[2] = p->wake_id;
				p->linked++;
			}
			if (!v[2] && !v[3] && !priv)
				v[3] = exited_on(vg, addr);
			if (!v[2] && !v[3])
				vg->stat[VGS_FUTEX_UNMATCHED]++;
		}
		emit_ctrl(vg, out, tid, TCTRL_FUTEX_WAIT, 4, v, ret);
		return;
	}
	vg->stat[VGS_FUTEX_WAKES]++;
	v[2] = c->wake_id;
	v[3] = c->linked;
	while (!failed && v[3] < val && (p = futex_pending(vg, addr, priv, true))) {
		p->wake_id = c->wake_id;
		v[3]++;
	}
	emit_ctrl(vg, out, tid, TCTRL_FUTEX_WAKE, 4, v, ret);
}

/* A trace thread came into being: count it and give it its CPU. */
static int thread_born(vglog_t *vg, unsigned tid, struct vglog_sink *out)
{
	int rc = pend_room(vg, tid);

	if (rc)
		return rc;
	vg->stat[VGS_THREADS]++;
	if (tid < vg->o.nr_cpus) {
		uint64_t cpu = vg->cpus[tid];
		emit_ctrl(vg, out, tid, TCTRL_THREAD_CPU, 1, &cpu, TRACE_RET_NONE);
	}
	return 0;
}

/* Make sure thread 0 exists before its first record (a log whose records precede any SCHED line). */
static int ensure_first(vglog_t *vg, struct vglog_sink *out)
{
	if (vg->first_bound)
		return 0;
	vg->first_bound = true;
	return thread_born(vg, 0, out);
}

/*
 * The trace thread of Valgrind thread `v`, creating it if `v` has none.
 * @return 0 with *tid, or a negative code (message in err).
 */
static int thread_of(vglog_t *vg, unsigned v, uint64_t lineno, struct vglog_sink *out, unsigned *tid, char *err,
		     size_t errlen)
{
	int rc;

	if (v == 0 || v >= VG_MAX_TID)
		return sim_errf(err, errlen, SIM_ETRACE, "%s:%llu: expected a Valgrind thread id in 1..%u, found %u",
				vg->o.name, (unsigned long long)lineno, VG_MAX_TID - 1, v);
	if (vg->trace_of[v] >= 0) {
		*tid = (unsigned)vg->trace_of[v];
		return 0;
	}
	if (vg->ncw) {
		size_t k = 0;
		for (size_t i = 0; i < vg->ncw; i++)
			if (vg->cw[i].vgtid == v) {
				k = i;
				break;
			}
		*tid = vg->cw[k].tid;
		vg->expect_sp[v] = vg->cw[k].stack;
		memmove(&vg->cw[k], &vg->cw[k + 1], (vg->ncw - k - 1) * sizeof(vg->cw[0]));
		vg->ncw--;
		vg->trace_of[v] = (int)*tid;
		return 0;        /* born (counted, placed) at its clone */
	}
	if (!vg->first_bound || (vg->tid0_vg < 0 && vg->next_tid == 1)) {
		/* the first thread, possibly already given records before its first SCHED line */
		if ((rc = ensure_first(vg, out)))
			return rc;
		vg->tid0_vg = (int)v;
		vg->trace_of[v] = 0;
		*tid = 0;
		return 0;
	}
	/* a thread whose clone the log does not show: the next number */
	if (vg->next_tid > UINT16_MAX)
		return sim_errf(err, errlen, SIM_ETRACE, "%s:%llu: more than %u threads", vg->o.name,
				(unsigned long long)lineno, UINT16_MAX + 1);
	*tid = vg->next_tid++;
	vg->trace_of[v] = (int)*tid;
	return thread_born(vg, *tid, out);
}

/*
 * A new thread's first data access is a load from its stack pointer, the
 * clone's second argument (glibc's clone pops the thread function from the
 * new stack).  Valgrind hands out slots at the clone, but a slot freed by an
 * exiting thread may come back later than predicted, so a child bound by
 * its slot is checked here and, if its stack is another clone's, takes that
 * clone's trace thread (nothing but instruction counts has been written
 * for it yet).
 */
static void confirm_child(vglog_t *vg, uint64_t addr)
{
	unsigned v = vg->cur_vg, mine = vg->cur;
	uint64_t want = vg->expect_sp[v];

	vg->expect_sp[v] = 0;
	if (addr == want)
		return;
	for (size_t i = 0; i < vg->ncw; i++)
		if (vg->cw[i].stack == addr) {           /* an unstarted clone's child: swap */
			unsigned other = vg->cw[i].tid;
			vg->cw[i].tid = (uint16_t)mine;
			vg->cw[i].stack = want;
			vg->trace_of[v] = (int)other;
			vg->pend[other] += vg->pend[mine];
			vg->pend[mine] = 0;
			vg->cur = (uint16_t)other;
			return;
		}
	for (unsigned w = 1; w < VG_MAX_TID; w++)
		if (w != v && vg->expect_sp[w] == addr && vg->trace_of[w] >= 0) {   /* started, not yet confirmed */
			unsigned other = (unsigned)vg->trace_of[w];
			vg->trace_of[w] = (int)mine;
			vg->expect_sp[w] = want;
			vg->trace_of[v] = (int)other;
			uint64_t p = vg->pend[mine];
			vg->pend[mine] = vg->pend[other];
			vg->pend[other] = p;
			vg->cur = (uint16_t)other;
			return;
		}
}

/* ---- strace masks ----------------------------------------------------------------------------------------- */

static bool mq_push(vglog_t *vg, const struct mask_entry *e)
{
	if (vg->mq_n == vg->mq_cap) {
		size_t ncap = vg->mq_cap ? vg->mq_cap * 2 : 16;
		struct mask_entry *nq = malloc(ncap * sizeof(*nq));
		if (!nq)
			return false;
		for (size_t i = 0; i < vg->mq_n; i++)
			nq[i] = vg->mq[(vg->mq_head + i) % vg->mq_cap];
		free(vg->mq);
		vg->mq = nq;
		vg->mq_cap = ncap;
		vg->mq_head = 0;
	}
	vg->mq[(vg->mq_head + vg->mq_n) % vg->mq_cap] = *e;
	vg->mq_n++;
	return true;
}

/*
 * strace's bitmask: "[0x00000000000002]" (low 64 bits kept), "NULL", "[]".
 * *known is false for a pointer strace could not read or a node above 63.
 * @return false if the text is not a mask at all.
 */
static bool strace_mask(const char *s, size_t n, uint64_t *mask, bool *known)
{
	uint64_t v = 0;
	size_t digits;

	*known = false;
	*mask = 0;
	if (n == 4 && !memcmp(s, "NULL", 4)) {
		*known = true;
		return true;
	}
	if (has(s, n, 0, "0x"))
		return true;             /* an address strace could not read */
	if (n < 2 || s[0] != '[' || s[n - 1] != ']')
		return false;
	s++;
	n -= 2;
	if (has(s, n, 0, "0x"))
		s += 2, n -= 2;
	for (digits = 0; digits < n; digits++) {
		int d = hexval(s[digits]);
		if (d < 0)
			return false;
		if (n - digits > 16) {
			if (d)
				return true;     /* a node beyond 63: cannot be carried */
			continue;
		}
		v = v << 4 | (unsigned)d;
	}
	*mask = v;
	*known = true;
	return true;
}

/* Split "a, [b, c], d" at top-level commas. @return the number of fields (at most max). */
static unsigned split_args(const char *s, size_t n, const char **f, size_t *fl, unsigned max)
{
	unsigned nf = 0, depth = 0;
	size_t start = 0;

	for (size_t i = 0; i <= n && nf < max; i++) {
		char c = i < n ? s[i] : ',';
		if (c == '[' || c == '{' || c == '(')
			depth++;
		else if ((c == ']' || c == '}' || c == ')') && depth)
			depth--;
		else if (c == ',' && !depth) {
			size_t a = skip_sp(s, i, start), b = i;
			while (b > a && s[b - 1] == ' ')
				b--;
			f[nf] = s + a;
			fl[nf++] = b - a;
			start = i + 1;
		}
	}
	return nf;
}

static int strace_call(vglog_t *vg, const char *s, size_t n, char *err, size_t errlen)
{
	static const struct { const char *name; int sys; } names[] = {
		{ "mbind(", VS_MBIND }, { "set_mempolicy(", VS_SET_MEMPOLICY }, { "migrate_pages(", VS_MIGRATE_PAGES },
	};
	struct mask_entry e = { .sys = -1 };
	const char *f[8];
	size_t fl[8], i = 0, close;
	unsigned nf, depth = 0;

	for (unsigned k = 0; k < ARRAY_SIZE(names); k++)
		if (has(s, n, 0, names[k].name)) {
			e.sys = names[k].sys;
			i = strlen(names[k].name);
		}
	if (e.sys < 0)
		return 0;
	for (close = i; close < n; close++) {
		if (s[close] == '[' || s[close] == '{' || s[close] == '(')
			depth++;
		else if (s[close] == ']' || s[close] == '}' || (s[close] == ')' && depth))
			depth--;
		else if (s[close] == ')')
			break;
	}
	if (close == n)
		return sim_errf(err, errlen, SIM_ETRACE, "strace: expected ')' closing the arguments, found '%.*s'",
				(int)SIM_MIN(n, 120), s);
	nf = split_args(s + i, close - i, f, fl, 8);
	switch (e.sys) {
	case VS_MBIND: {
		size_t j = 0;
		if (nf < 6 || !lex_num(f[0], fl[0], &j, false, &e.addr) || (j = 0, !lex_num(f[1], fl[1], &j, false, &e.len)) ||
		    !strace_mask(f[3], fl[3], &e.mask[0], &e.known[0]))
			return sim_errf(err, errlen, SIM_ETRACE, "strace: expected mbind(ADDR, LEN, MODE, MASK, MAXNODE, FLAGS), found '%.*s'",
					(int)SIM_MIN(n, 120), s);
		break;
	}
	case VS_SET_MEMPOLICY:
		if (nf < 3 || !strace_mask(f[1], fl[1], &e.mask[0], &e.known[0]))
			return sim_errf(err, errlen, SIM_ETRACE, "strace: expected set_mempolicy(MODE, MASK, MAXNODE), found '%.*s'",
					(int)SIM_MIN(n, 120), s);
		break;
	default:
		if (nf < 4 || !strace_mask(f[2], fl[2], &e.mask[0], &e.known[0]) ||
		    !strace_mask(f[3], fl[3], &e.mask[1], &e.known[1]))
			return sim_errf(err, errlen, SIM_ETRACE, "strace: expected migrate_pages(PID, MAXNODE, OLD, NEW), found '%.*s'",
					(int)SIM_MIN(n, 120), s);
		break;
	}
	return mq_push(vg, &e) ? 0 : -SIM_ENOMEM;
}

int vglog_strace_line(vglog_t *vg, const char *s, size_t n, char *err, size_t errlen)
{
	size_t i = 0;
	uint64_t pid = 0;
	static const char unfinished[] = " <unfinished ...>";
	const size_t ul = sizeof(unfinished) - 1;

	if (n && s[n - 1] == '\r')
		n--;
	if (has(s, n, 0, "[pid "))
		i = 5;
	if (!lex_dec(s, n, &i, &pid))
		pid = 0;
	if (i < n && s[i] == ']')
		i++;
	i = skip_sp(s, n, i);
	s += i;
	n -= i;
	if (n >= ul && !memcmp(s + n - ul, unfinished, ul)) {
		for (unsigned k = 0; k < STRACE_STASH; k++)
			if (!vg->stash[k].pid) {
				vg->stash[k].pid = (long)(pid ? pid : 1);
				vg->stash[k].len = SIM_MIN(n - ul, (size_t)STRACE_LINE_MAX);
				memcpy(vg->stash[k].text, s, vg->stash[k].len);
				return 0;
			}
		return sim_errf(err, errlen, SIM_ETRACE, "strace: more than %u unfinished calls at once", STRACE_STASH);
	}
	if (has(s, n, 0, "<... ")) {
		const char *r = memchr(s, '>', n);
		for (unsigned k = 0; r && k < STRACE_STASH; k++)
			if (vg->stash[k].pid == (long)(pid ? pid : 1)) {
				char buf[2 * STRACE_LINE_MAX];
				size_t a = vg->stash[k].len, b = SIM_MIN(n - (size_t)(r + 1 - s), (size_t)STRACE_LINE_MAX);
				memcpy(buf, vg->stash[k].text, a);
				memcpy(buf + a, r + 1, b);
				vg->stash[k].pid = 0;
				return strace_call(vg, buf, a + b, err, errlen);
			}
		return 0;
	}
	return strace_call(vg, s, n, err, errlen);
}

/* ---- system calls ------------------------------------------------------------------------------------------- */

/* The mask of pointer `ptr` for call `sys`: @return 1 known, 0 unknown (drop the call), <0 error. */
static int call_masks(vglog_t *vg, const struct vg_call *c, bool executed, uint64_t ptr0, uint64_t ptr1,
		      uint64_t *m0, uint64_t *m1, char *err, size_t errlen)
{
	struct mask_entry e = { 0 };

	*m0 = *m1 = 0;
	if (vg->o.strace && executed) {
		if (!vg->mq_n)
			return sim_errf(err, errlen, SIM_ETRACE,
					"%s:%llu: %s has no matching strace line (strace must trace the same run)",
					vg->o.name, (unsigned long long)c->lineno, vg_sys[c->sys].name);
		e = vg->mq[vg->mq_head];
		vg->mq_head = (vg->mq_head + 1) % vg->mq_cap;
		vg->mq_n--;
		if (e.sys != c->sys || (c->sys == VS_MBIND && (e.addr != c->args[0] || e.len != c->args[1])))
			return sim_errf(err, errlen, SIM_ETRACE,
					"%s:%llu: %s does not match the next strace line (%s of 0x%llx): the two logs disagree",
					vg->o.name, (unsigned long long)c->lineno, vg_sys[c->sys].name,
					vg_sys[e.sys].name, (unsigned long long)e.addr);
	}
	if (ptr0) {
		if (!e.known[0])
			return 0;
		*m0 = e.mask[0];
	}
	if (ptr1) {
		if (!e.known[1])
			return 0;
		*m1 = e.mask[1];
	}
	return 1;
}

/* Predict the Valgrind slot of a new thread: the lowest one that is free. */
static uint16_t predict_slot(const vglog_t *vg)
{
	for (unsigned v = 1; v < VG_MAX_TID; v++) {
		bool taken = vg->trace_of[v] >= 0;
		for (size_t i = 0; i < vg->ncw && !taken; i++)
			taken = vg->cw[i].vgtid == v;
		if (!taken)
			return (uint16_t)v;
	}
	return 0;
}

/* A call's result is known: turn it into control records. */
static int call_done(vglog_t *vg, const struct vg_call *c, bool failed, bool executed, uint64_t val,
		     struct vglog_sink *out, char *err, size_t errlen)
{
	const uint64_t *a = c->args;
	uint64_t ret = failed ? (uint64_t)0 - val : val, v[6], m0, m1;
	unsigned tid;
	int rc;

	if (c->sys < 0)
		return 0;
	if ((rc = thread_of(vg, c->vgtid, c->lineno, out, &tid, err, errlen)))
		return rc;
	switch (c->sys) {
	case VS_MMAP:
		memcpy(v, a, 6 * sizeof(*v));
		if (v[4] <= UINT32_MAX)                  /* fd is an int, printed as unsigned */
			v[4] = (uint64_t)(int64_t)(int32_t)(uint32_t)v[4];
		if (!(v[3] & MAP_ANONYMOUS_) && v[4] < VG_MAX_FD && vg->fd_file[v[4]])
			v[4] = FILE_ID_BASE + vg->fd_file[v[4]] - 1;   /* the file, not the reused descriptor */
		emit_seq(vg, out, tid);
		emit_ctrl(vg, out, tid, TCTRL_MMAP, 6, v, ret);
		break;
	case VS_MUNMAP:
		emit_seq(vg, out, tid);
		emit_ctrl(vg, out, tid, TCTRL_MUNMAP, 2, a, ret);
		break;
	case VS_BRK:
		emit_seq(vg, out, tid);
		emit_ctrl(vg, out, tid, TCTRL_BRK, 1, a, ret);
		break;
	case VS_MPROTECT:
		emit_seq(vg, out, tid);
		emit_ctrl(vg, out, tid, TCTRL_MPROTECT, 3, a, ret);
		break;
	case VS_MADVISE:
		emit_seq(vg, out, tid);
		emit_ctrl(vg, out, tid, TCTRL_MADVISE, 3, a, ret);
		break;
	case VS_MREMAP:
		memcpy(v, a, 4 * sizeof(*v));
		v[4] = c->nargs >= 5 ? a[4] : 0;
		emit_seq(vg, out, tid);
		emit_ctrl(vg, out, tid, TCTRL_MREMAP, 5, v, ret);
		break;
	case VS_MLOCK:
	case VS_MLOCK2:
	case VS_MLOCKALL:
		/* mlock is mlock2 without flags; mlockall(MCL_*) is the record's 0x100 | MCL_* form */
		v[0] = c->sys == VS_MLOCKALL ? 0 : a[0];
		v[1] = c->sys == VS_MLOCKALL ? 0 : a[1];
		v[2] = c->sys == VS_MLOCK2 ? a[2] : c->sys == VS_MLOCKALL ? 0x100 | (a[0] & 0xff) : 0;
		emit_seq(vg, out, tid);
		emit_ctrl(vg, out, tid, TCTRL_MLOCK, 3, v, ret);
		break;
	case VS_MUNLOCK:
	case VS_MUNLOCKALL:
		v[0] = c->sys == VS_MUNLOCK ? a[0] : 0;
		v[1] = c->sys == VS_MUNLOCK ? a[1] : UINT64_MAX;
		emit_seq(vg, out, tid);
		emit_ctrl(vg, out, tid, TCTRL_MUNLOCK, 2, v, ret);
		break;
	case VS_FUTEX:
		if (!futex_wait_op(a[1]) && !futex_wake_op(a[1])) {
			vg->stat[VGS_FUTEX_OTHER]++;
			return 0;
		}
		futex_done(vg, c, tid, failed, val, ret, out);
		return 0;
	case VS_OPENAT:
	case VS_OPEN:
		if (!failed && val < VG_MAX_FD && c->str[0]) {
			uint64_t id = file_id(vg, c->str);
			if (!id)
				return -SIM_ENOMEM;
			vg->fd_file[val] = (uint32_t)(id - FILE_ID_BASE + 1);
		}
		return 0;
	case VS_CLOSE:
		if (!failed && a[0] < VG_MAX_FD)
			vg->fd_file[a[0]] = 0;
		return 0;
	case VS_SET_TID_ADDRESS:
		if (!failed && !pend_room(vg, tid))
			vg->ctid[tid] = a[0];
		return 0;
	case VS_MBIND:
	case VS_SET_MEMPOLICY:
	case VS_MIGRATE_PAGES: {
		uint64_t p0 = c->sys == VS_MBIND ? a[3] : c->sys == VS_SET_MEMPOLICY ? a[1] : a[2];
		uint64_t p1 = c->sys == VS_MIGRATE_PAGES ? a[3] : 0;
		rc = call_masks(vg, c, executed, p0, p1, &m0, &m1, err, errlen);
		if (rc < 0)
			return rc;
		if (!rc) {
			vg->stat[VGS_DROPPED_MASK]++;
			return 0;
		}
		emit_seq(vg, out, tid);
		if (c->sys == VS_MBIND) {
			v[0] = a[0], v[1] = a[1], v[2] = a[2], v[3] = m0, v[4] = a[5];
			emit_ctrl(vg, out, tid, TCTRL_MBIND, 5, v, ret);
		} else if (c->sys == VS_SET_MEMPOLICY) {
			v[0] = a[0], v[1] = m0;
			emit_ctrl(vg, out, tid, TCTRL_SET_MEMPOLICY, 2, v, ret);
		} else {
			v[0] = m0, v[1] = m1;
			emit_ctrl(vg, out, tid, TCTRL_MIGRATE_PAGES, 2, v, ret);
		}
		break;
	}
	case VS_CLONE: {
		if (failed)
			return 0;                /* no child */
		if (!(a[0] & CLONE_VM)) {
			vg->stat[VGS_DROPPED_OTHER]++;   /* a new process: not followed */
			return 0;
		}
		if (vg->next_tid > UINT16_MAX)
			return sim_errf(err, errlen, SIM_ETRACE, "%s:%llu: more than %u threads", vg->o.name,
					(unsigned long long)c->lineno, UINT16_MAX + 1);
		if (vg->ncw == vg->cwcap) {
			size_t ncap = vg->cwcap ? vg->cwcap * 2 : 8;
			struct clone_wait *ncw = realloc(vg->cw, ncap * sizeof(*ncw));
			if (!ncw)
				return -SIM_ENOMEM;
			vg->cw = ncw;
			vg->cwcap = ncap;
		}
		unsigned child = vg->next_tid++;
		v[0] = child;
		emit_seq(vg, out, tid);
		emit_ctrl(vg, out, tid, TCTRL_CLONE, 1, v, ret);
		/* raw x86-64 order: flags, stack, parent_tid, child_tid, tls (clone(2), NOTES) */
		if ((a[0] & CLONE_PARENT_SETTID) && c->nargs >= 3 && a[2])
			emit_kstore(vg, out, tid, a[2]);
		vg->cw[vg->ncw++] = (struct clone_wait){ .vgtid = predict_slot(vg), .tid = (uint16_t)child,
							 .stack = c->nargs >= 2 ? a[1] : 0 };
		if ((rc = thread_born(vg, child, out)))
			return rc;
		if ((a[0] & CLONE_CHILD_CLEARTID) && c->nargs >= 4)
			vg->ctid[child] = a[3];
		return 0;
	}
	case VS_EXIT:
	case VS_EXIT_GROUP:
		if (c->sys == VS_EXIT)
			exit_wake(vg, out, tid);
		emit_seq(vg, out, tid);
		emit_ctrl(vg, out, tid, TCTRL_EXIT, 1, a, TRACE_RET_NONE);
		vg->trace_of[c->vgtid] = -1;     /* the slot is free for a later thread */
		break;
	default:
		vg->stat[VGS_DROPPED_OTHER]++;   /* move_pages, fork, vfork */
		return 0;
	}
	if (failed)
		vg->stat[VGS_FAILED]++;
	return 0;
}

enum tail_kind { TAIL_NONE, TAIL_ASYNC, TAIL_RESULT };

/*
 * Parse what follows a call's arguments, from s[*i]: "[sync] --> RESULT",
 * " --> [pre-success] RESULT", " --> [pre-fail] RESULT", " --> [async] ...",
 * " --> RESULT" (the " --> " continuation line) or nothing.  RESULT is
 * "Success(0xV)", "Success(0xV:0xW)" or "Failure(0xE)".  *i ends after the
 * result (the rest may be a glued debug line).
 */
static int parse_tail(const char *s, size_t n, size_t *i, enum tail_kind *kind, bool *failed, bool *executed,
		      uint64_t *val)
{
	size_t j = skip_sp(s, n, *i);

	*kind = TAIL_NONE;
	*executed = true;
	if (has(s, n, j, "[sync]"))
		j = skip_sp(s, n, j + 6);
	if (!has(s, n, j, "-->")) {
		*i = j;
		return 0;
	}
	j = skip_sp(s, n, j + 3);
	if (has(s, n, j, "[async] ...")) {
		*kind = TAIL_ASYNC;
		*i = j + 11;
		return 0;
	}
	if (has(s, n, j, "[pre-success]"))
		j = skip_sp(s, n, j + 13);
	else if (has(s, n, j, "[pre-fail]")) {
		*executed = false;       /* Valgrind refused it; the kernel never saw it */
		j = skip_sp(s, n, j + 10);
	}
	if (has(s, n, j, "Success(0x"))
		*failed = false, j += 10;
	else if (has(s, n, j, "Failure(0x"))
		*failed = true, j += 10;
	else
		return -1;
	if (!lex_hex(s, n, &j, val))
		return -1;
	if (has(s, n, j, ":0x")) {
		uint64_t second;
		j += 3;
		if (!lex_hex(s, n, &j, &second))
			return -1;
	}
	if (j >= n || s[j] != ')')
		return -1;
	*kind = TAIL_RESULT;
	*i = j + 1;
	return 0;
}

static int dispatch(vglog_t *vg, const char *s, size_t n, uint64_t lineno, struct vglog_sink *out, char *err,
		    size_t errlen, int depth);

/* What follows a result on the same line: spaces, or a glued Valgrind debug line. */
static int rest_of_line(vglog_t *vg, const char *s, size_t n, size_t i, uint64_t lineno, struct vglog_sink *out,
			char *err, size_t errlen, int depth)
{
	i = skip_sp(s, n, i);
	if (i == n)
		return 0;
	if (depth == 0 && pid_fence(s + i, n - i, '-', NULL))
		return dispatch(vg, s + i, n - i, lineno, out, err, errlen, depth + 1);
	return bad(vg, err, errlen, lineno, "the end of the line after the system call's result", s, n);
}

static bool same_process(vglog_t *vg, long pid)
{
	if (!vg->pid)
		vg->pid = pid;
	if (pid == vg->pid)
		return true;
	vg->stat[VGS_FOREIGN]++;
	return false;
}

static int switch_to(vglog_t *vg, unsigned v, uint64_t lineno, struct vglog_sink *out, char *err, size_t errlen)
{
	unsigned tid;
	int rc = thread_of(vg, v, lineno, out, &tid, err, errlen);

	if (!rc) {
		vg->cur = (uint16_t)tid;
		vg->cur_vg = (uint16_t)v;
	}
	return rc;
}

static int syscall_line(vglog_t *vg, const char *s, size_t n, uint64_t lineno, struct vglog_sink *out,
			char *err, size_t errlen, int depth)
{
	size_t i = 8;
	uint64_t pid, vgtid, nr, val = 0;
	struct vg_call c = { .active = true, .sys = -1, .lineno = lineno };
	enum tail_kind tk;
	bool failed = false, executed = true;
	int rc;

	if (!lex_dec(s, n, &i, &pid) || !has(s, n, i, ",") || (i++, !lex_dec(s, n, &i, &vgtid)) ||
	    !has(s, n, i, "](") || (i += 2, !lex_dec(s, n, &i, &nr)) || !has(s, n, i, ")"))
		return bad(vg, err, errlen, lineno, "SYSCALL[PID,TID](NR)", s, n);
	i++;
	vg->stat[VGS_SYSCALLS]++;
	if (!same_process(vg, (long)pid))
		return 0;
	if (vgtid == 0 || vgtid >= VG_MAX_TID)
		return bad(vg, err, errlen, lineno, "a Valgrind thread id in 1..1023", s, n);
	if ((rc = switch_to(vg, (unsigned)vgtid, lineno, out, err, errlen)))
		return rc;
	c.vgtid = (uint16_t)vgtid;
	c.nr = (uint32_t)nr;
	i = skip_sp(s, n, i);

	if (has(s, n, i, "...")) {
		/* the result of an [async] call printed earlier by this thread */
		struct vg_call *p = &vg->async[vgtid];
		i = skip_sp(s, n, i + 3);
		if (!has(s, n, i, "[async]") || (i += 7, parse_tail(s, n, &i, &tk, &failed, &executed, &val)) ||
		    tk != TAIL_RESULT)
			return bad(vg, err, errlen, lineno, "'... [async] --> Success(0x...)' or 'Failure(0x...)'", s, n);
		if (!p->active || p->nr != nr)
			return sim_errf(err, errlen, SIM_ETRACE,
					"%s:%llu: expected the result of a pending call, but thread %llu has no pending "
					"system call %llu",
					vg->o.name, (unsigned long long)lineno, (unsigned long long)vgtid,
					(unsigned long long)nr);
		c = *p;
		p->active = false;
		if ((rc = call_done(vg, &c, failed, executed, val, out, err, errlen)))
			return rc;
		return rest_of_line(vg, s, n, i, lineno, out, err, errlen, depth);
	}

	/* NAME ( ARGS ) */
	size_t name = i;
	while (i < n && s[i] != ' ' && s[i] != '(')
		i++;
	for (int k = 0; k < NR_VG_SYS; k++)
		if (strlen(vg_sys[k].name) == i - name && !memcmp(s + name, vg_sys[k].name, i - name))
			c.sys = k;
	if (c.sys >= 0) {
		const struct vg_sysdef *d = &vg_sys[c.sys];
		i = skip_sp(s, n, i);
		if (!has(s, n, i, "("))
			return bad(vg, err, errlen, lineno, "'(' and the arguments of the system call", s, n);
		i = skip_sp(s, n, i + 1);
		while (i < n && s[i] != ')') {
			uint64_t x;
			if (c.nargs == VG_MAX_CALL_ARGS || !lex_num(s, n, &i, d->bare_hex >> c.nargs & 1, &x))
				return bad(vg, err, errlen, lineno, "a numeric system call argument", s, n);
			c.args[c.nargs++] = x;
			if (d->str_arg == c.nargs && i < n && s[i] == '(') {
				/* "0xPTR(path)": the path ends at the ')' followed by ',' or ')' */
				size_t j = i + 1, e = 0;
				for (size_t k = j; k < n && !e; k++)
					if (s[k] == ')') {
						size_t q = skip_sp(s, n, k + 1);
						if (q < n && (s[q] == ',' || s[q] == ')'))
							e = k;
					}
				if (!e)
					return bad(vg, err, errlen, lineno, "')' after the path argument", s, n);
				snprintf(c.str, sizeof(c.str), "%.*s", (int)(e - j), s + j);
				i = e + 1;
			}
			i = skip_sp(s, n, i);
			if (i < n && s[i] == ',')
				i = skip_sp(s, n, i + 1);
			else if (i < n && s[i] != ')')
				return bad(vg, err, errlen, lineno, "',' or ')' after a system call argument", s, n);
		}
		if (i == n)
			return bad(vg, err, errlen, lineno, "')' closing the system call's arguments", s, n);
		if (c.nargs < d->nargs) {
			char what[96];
			snprintf(what, sizeof(what), "%u arguments to %s", d->nargs, d->name);
			return bad(vg, err, errlen, lineno, what, s, n);
		}
		i++;
		if (c.sys == VS_FUTEX)
			futex_start(vg, &c);
	} else {
		/* not converted: find its arrow, if any, to keep track of async calls */
		const char *arrow = NULL;
		for (size_t j = i; j + 3 <= n; j++)
			if (!memcmp(s + j, "-->", 3)) {
				arrow = s + j;
				break;
			}
		i = arrow ? (size_t)(arrow - s) : n;
	}
	if (parse_tail(s, n, &i, &tk, &failed, &executed, &val))
		return bad(vg, err, errlen, lineno, "'--> Success(0x...)', '--> Failure(0x...)' or '--> [async] ...'", s, n);
	switch (tk) {
	case TAIL_ASYNC:
		vg->async[vgtid] = c;
		return rest_of_line(vg, s, n, i, lineno, out, err, errlen, depth);
	case TAIL_NONE:
		/* the result comes on a " --> " line (anything printed in between, e.g. clone(fork)'s note, is skipped) */
		vg->cont = c;
		return 0;
	case TAIL_RESULT:
	default:
		if ((rc = call_done(vg, &c, failed, executed, val, out, err, errlen)))
			return rc;
		return rest_of_line(vg, s, n, i, lineno, out, err, errlen, depth);
	}
}

static int result_line(vglog_t *vg, const char *s, size_t n, uint64_t lineno, struct vglog_sink *out, char *err,
		       size_t errlen, int depth)
{
	size_t i = 1;
	enum tail_kind tk;
	bool failed = false, executed = true;
	uint64_t val = 0;
	struct vg_call c = vg->cont;
	int rc;

	if (parse_tail(s, n, &i, &tk, &failed, &executed, &val) || tk == TAIL_NONE)
		return bad(vg, err, errlen, lineno, "' --> Success(0x...)' or ' --> Failure(0x...)'", s, n);
	if (!c.active)
		return rest_of_line(vg, s, n, i, lineno, out, err, errlen, depth);   /* a fork child's half */
	vg->cont.active = false;
	if (tk == TAIL_ASYNC) {
		vg->async[c.vgtid] = c;
		return rest_of_line(vg, s, n, i, lineno, out, err, errlen, depth);
	}
	if ((rc = switch_to(vg, c.vgtid, lineno, out, err, errlen)) ||
	    (rc = call_done(vg, &c, failed, executed, val, out, err, errlen)))
		return rc;
	return rest_of_line(vg, s, n, i, lineno, out, err, errlen, depth);
}

static int sched_line(vglog_t *vg, const char *s, size_t n, uint64_t lineno, struct vglog_sink *out, char *err,
		      size_t errlen)
{
	long pid = 0;
	size_t i = pid_fence(s, n, '-', &pid);
	uint64_t v;

	i = skip_sp(s, n, i) + 6;          /* "SCHED[" */
	if (!lex_dec(s, n, &i, &v) || !has(s, n, i, "]:"))
		return bad(vg, err, errlen, lineno, "SCHED[TID]:", s, n);
	if (pid && !same_process(vg, pid))
		return 0;
	i = skip_sp(s, n, i + 2);
	if (!has(s, n, i, "acquired lock"))
		return 0;          /* releasing, entering, exiting...: the next "acquired" says who runs */
	if (v == 0 || v >= VG_MAX_TID)
		return bad(vg, err, errlen, lineno, "a Valgrind thread id in 1..1023", s, n);
	return switch_to(vg, (unsigned)v, lineno, out, err, errlen);
}

static int dispatch(vglog_t *vg, const char *s, size_t n, uint64_t lineno, struct vglog_sink *out, char *err,
		    size_t errlen, int depth)
{
	enum vglog_line k = vglog_classify(s, n);
	const char *what;
	uint64_t addr, size;
	int op, rc;

	switch (k) {
	case VGL_ACCESS:
		if (vglog_access(s, n, &op, &addr, &size, &what))
			return bad(vg, err, errlen, lineno, what, s, n);
		if (!vg->threaded) {
			out->rec[out->n++] = (struct trace_rec){ .addr = addr, .size = (uint16_t)size, .op = (uint8_t)op };
			vg->stat[op == TOP_IFETCH ? VGS_INSTRUCTIONS : VGS_ACCESSES]++;
			return 0;
		}
		if ((rc = ensure_first(vg, out)))
			return rc;
		if (unlikely(vg->img_state && vg->img_state < 3 && vg->cur == 0)) {
			if (vg->img_state == 1 && op == TOP_IFETCH && (rc = image_map(vg, addr, out)))
				return rc;
			else if (vg->img_state == 2 && op != TOP_IFETCH)
				stack_map(vg, addr, out);
		}
		if (op == TOP_IFETCH && unlikely(vg->img_state >= 2 && !vg->exe_checked) && addr >= vg->exe_lo &&
		    addr < vg->exe_hi) {
			/* the executable's first instruction is its entry point, if it is where it was mapped */
			vg->exe_checked = true;
			if (addr != vg->exe_base + vg->img[0]->entry)
				vg->stat[VGS_IMAGE_MISPLACED]++;
		}
		if (op == TOP_IFETCH) {
			vg->stat[VGS_INSTRUCTIONS]++;
			if (!vg->o.keep_ifetch) {
				vg->pend[vg->cur]++;
				return 0;
			}
		} else {
			bool seq;
			vg->stat[VGS_ACCESSES]++;
			if (unlikely(vg->expect_sp[vg->cur_vg]))
				confirm_child(vg, addr);
			if ((rc = sync_word(vg, op, addr, vg->cur, &seq)))
				return rc;
			if (seq) {
				emit_seq(vg, out, vg->cur);
				vg->stat[VGS_SYNC_ACCESSES]++;
			}
		}
		out->rec[out->n++] = (struct trace_rec){ .addr = addr, .size = (uint16_t)size, .op = (uint8_t)op,
							 .tid = vg->cur, .gap = take_gap(vg, vg->cur) };
		return 0;
	case VGL_SCHED:
		vg->threaded = true;
		return sched_line(vg, s, n, lineno, out, err, errlen);
	case VGL_SYSCALL:
		vg->threaded = true;
		return syscall_line(vg, s, n, lineno, out, err, errlen, depth);
	case VGL_RESULT:
		if (!vg->threaded)
			return 0;
		return result_line(vg, s, n, lineno, out, err, errlen, depth);
	case VGL_BANNER: {
		long pid;
		size_t f = pid_fence(s, n, '=', &pid);
		if (!vg->pid && f)
			vg->pid = pid;
		/* the scheduler and system-call lines are debugging output, not a stable format */
		f = skip_sp(s, n, f);
		if (f && has(s, n, f, "Using Valgrind-") && !has(s, n, f + 15, "3.19."))
			vg->stat[VGS_OTHER_VERSION]++;
		return 0;
	}
	case VGL_DEBUG:
	case VGL_OTHER:
	case VGL_EMPTY:
	default:
		return 0;
	}
}

/* Hex digit value + 1 of each byte, 0 for a non-digit (hexval as a table, for the bulk path). */
static const uint8_t hex_tab[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

/*
 * One line the way vglog_classify + vglog_access accept an access line,
 * reading up to its "\n" (an optional "\r" before it, as trace_getline
 * strips).  @return the bytes of the line with its "\n", 0 if it is not a
 * complete well-formed access line.
 */
static inline size_t plain_access(const char *s, const char *end, struct trace_rec *rec)
{
	const char *p = s;
	uint64_t a = 0, z = 0;
	int op;

	if (end - p < 4)
		return 0;
	if (p[0] == 'I' && p[1] == ' ') {
		op = TOP_IFETCH;
		p += 2;
	} else if (p[0] == ' ' && p[2] == ' ' && (p[1] == 'L' || p[1] == 'S' || p[1] == 'M')) {
		op = p[1] == 'L' ? TOP_LOAD : p[1] == 'S' ? TOP_STORE : TOP_MODIFY;
		p += 3;
	} else {
		return 0;
	}
	while (p < end && *p == ' ')
		p++;
	const char *d0 = p;
	for (; p < end; p++) {
		unsigned d = hex_tab[(unsigned char)*p];
		if (!d || a >> 60)
			break;
		a = a << 4 | (d - 1);
	}
	if (p == d0 || p == end || *p != ',')
		return 0;
	d0 = ++p;
	/* sizes are 1..65535: five digits at most (leading zeros go to the careful path) */
	for (; p < end && *p >= '0' && *p <= '9' && p - d0 < 5; p++)
		z = z * 10 + (uint64_t)(*p - '0');
	if (p == d0 || z == 0 || z > UINT16_MAX)
		return 0;
	while (p < end && *p == ' ')
		p++;
	if (p < end && *p == '\r')
		p++;
	if (p == end || *p != '\n')
		return 0;
	*rec = (struct trace_rec){ .addr = a, .size = (uint16_t)z, .op = (uint8_t)op };
	return (size_t)(p + 1 - s);
}

size_t vglog_plain_accesses(vglog_t *vg, const char *s, size_t n, struct vglog_sink *out, size_t room,
			    uint64_t *lines)
{
	const char *p = s, *end = s + n;
	uint64_t k = 0, ifetch = 0;

	if (!vg->threaded) {
		for (; k < room; k++) {
			struct trace_rec *rec = &out->rec[out->n];
			size_t len = plain_access(p, end, rec);
			if (!len)
				break;
			ifetch += rec->op == TOP_IFETCH;
			out->n++;
			p += len;
		}
	}
	vg->stat[VGS_LINES] += k;
	vg->stat[VGS_INSTRUCTIONS] += ifetch;
	vg->stat[VGS_ACCESSES] += k - ifetch;
	*lines = k;
	return (size_t)(p - s);
}

int vglog_line(vglog_t *vg, const char *s, size_t n, uint64_t lineno, struct vglog_sink *out, char *err,
	       size_t errlen)
{
	vg->stat[VGS_LINES]++;
	return dispatch(vg, s, n, lineno, out, err, errlen, 0);
}
