/*
 * traces/trace.h - decoded trace records and the streaming reader API.
 *
 * Every format (numasim native binary, Valgrind lackey text, ChampSim
 * binary, the simple text format) decodes into the same record stream, in
 * batches, so the replay loop is format-agnostic and memory use does not
 * grow with trace length.  Readers only decode: they know nothing of caches
 * or page tables.
 *
 * A record is either a memory access (load/store/ifetch/modify at a virtual
 * address) or a control record (mmap, mbind, thread placement, ...).  Control
 * records are rare; their arguments live in a side array of the batch so the
 * common record stays 24 bytes.
 */
#ifndef TRACES_TRACE_H
#define TRACES_TRACE_H

#include <stdio.h>
#include "sim/types.h"

/* Record kinds.  Memory ops reuse enum mem_op values. */
enum trace_op {
	TOP_LOAD = MEM_LOAD,
	TOP_STORE = MEM_STORE,
	TOP_IFETCH = MEM_IFETCH,
	TOP_MODIFY = MEM_MODIFY,
	TOP_CTRL = 4,
	NR_TRACE_OPS
};

/*
 * Control records.  Arguments (args[]) follow the Linux system call they
 * model; `ret` is what the kernel returned in the recorded run (e.g. the
 * address mmap chose), TRACE_RET_NONE when unknown.
 */
#define TRACE_CTRLS(X)                                                                      \
	X(MMAP,          mmap,          "addr len prot flags fd offset")                        \
	X(MUNMAP,        munmap,        "addr len")                                             \
	X(BRK,           brk,           "addr")                                                 \
	X(MPROTECT,      mprotect,      "addr len prot")                                        \
	X(MADVISE,       madvise,       "addr len advice")                                      \
	X(MBIND,         mbind,         "addr len mode nodemask flags")                         \
	X(SET_MEMPOLICY, set_mempolicy, "mode nodemask")                                        \
	X(MOVE_PAGES,    move_pages,    "addr count node flags  (pages addr..addr+count*4K)")   \
	X(MIGRATE_PAGES, migrate_pages, "old_nodemask new_nodemask")                            \
	X(FORK,          fork,          "child_tid")                                            \
	X(CLONE,         clone,         "child_tid  (new thread in the same mm)")               \
	X(EXIT,          exit,          "status")                                               \
	X(THREAD_CPU,    thread_cpu,    "cpu  (pin this thread to a CPU)")                      \
	X(FILE_READ,     file_read,     "fd offset len")                                        \
	X(FILE_WRITE,    file_write,    "fd offset len")                                        \
	X(SET_WEIGHTS,   set_weights,   "node weight  (weighted interleave)")                   \
	X(MARK,          mark,          "id  (region-of-interest marker)")                      \
	X(FUTEX_WAIT,    futex_wait,    "addr private wake_id exit_of  (ret 0: blocks until wake wake_id, or thread exit_of-1 exits)") \
	X(FUTEX_WAKE,    futex_wake,    "addr private wake_id woken  (releases woken waits)")   \
	X(SEQ,           seq,           "n  (the next record is the n-th address-space operation)") \
	X(EXPLICIT_MAPS, explicit_maps, "(every mapping is declared from here on: an access outside them is a SEGV)") \
	X(OOM_SCORE_ADJ, oom_score_adj, "value  (-1000..1000, two's complement: a write to /proc/self/oom_score_adj)") \
	X(CMA_ALLOC,     cma_alloc,     "node count  (a driver allocates count contiguous pages from node's CMA area)") \
	X(CMA_RELEASE,   cma_release,   "node count") \
	X(MEMORY_OFFLINE, memory_offline, "node block  (offline memory block `block` of node; -1 = the highest online block)") \
	X(MEMORY_ONLINE, memory_online, "node block zone  (zone: 0 online (kernel default), 1 online_movable, 2 online_kernel)") \
	X(MREMAP,        mremap,        "old_addr old_len new_len flags new_addr")              \
	X(MLOCK,         mlock,         "addr len flags  (flags: MLOCK_ONFAULT 1; 0x100|MCL_*: mlockall)") \
	X(MUNLOCK,       munlock,       "addr len  (len -1: munlockall)") \
	X(PAGE_CONTENT,  page_content,  "addr len content compress flags  (pages addr..addr+len hold content id `content` (0: unique per page; equal non-zero ids: identical pages), compress to `compress` percent of a page (0: os.zswap.default_compress); flags 1: rewrites keep the content)") \
	X(CGROUP_ATTACH, cgroup_attach, "memcg  (move the calling process into memory cgroup memcg, created on first use under the root)") \
	X(CGROUP_SET,    cgroup_set,    "memcg knob value  (write memory.<knob>: knob 0 max, 1 high, 2 low, 3 min; value in bytes, all ones = max)")

enum trace_ctrl_kind {
#define TRACE_CTRL_ENUM(id, name, args) TCTRL_##id,
	TRACE_CTRLS(TRACE_CTRL_ENUM)
#undef TRACE_CTRL_ENUM
	NR_TRACE_CTRLS
};

#define TRACE_CTRL_MAX_ARGS 6
#define TRACE_RET_NONE UINT64_MAX

/*
 * The file-size model of file_read / file_write, Linux's own limits: one
 * call moves at most TRACE_MAX_RW_COUNT bytes (MAX_RW_COUNT, INT_MAX rounded
 * down to a page, include/linux/fs.h) and a file ends at TRACE_MAX_FILE_SIZE
 * (MAX_LFS_FILESIZE on 64-bit, LLONG_MAX).  Readers reject control records
 * beyond them, naming the line or byte: a length of 2^64 - 1 would
 * otherwise page a file in for ever.
 */
#define TRACE_MAX_RW_COUNT  0x7ffff000ULL
#define TRACE_MAX_FILE_SIZE 0x7fffffffffffffffULL

struct trace_ctrl {
	uint32_t kind;                        /* enum trace_ctrl_kind */
	uint32_t nargs;
	uint64_t args[TRACE_CTRL_MAX_ARGS];
	uint64_t ret;
};

struct trace_rec {
	uint64_t addr;       /* virtual address (memory ops) */
	uint32_t gap;        /* non-memory instructions retired before this record */
	uint16_t tid;        /* thread id within the trace, 0-based */
	uint16_t size;       /* bytes accessed (memory ops) */
	uint8_t op;          /* enum trace_op */
	uint8_t flags;       /* TREC_* */
	uint16_t ctrl;       /* TOP_CTRL: index into trace_batch.ctrl */
};
/*
 * TREC_DEP: this load's address depends on the value returned by the most
 * recent earlier load of the same thread (a pointer chase).  The core model
 * issues it only when that load has completed; without the flag, accesses
 * are independent and may overlap up to the core's MLP limits.
 */
#define TREC_DEP 0x01

_Static_assert(sizeof(struct trace_rec) == 24, "trace_rec must stay 24 bytes");

struct trace_batch {
	const struct trace_rec *rec;
	size_t n;
	const struct trace_ctrl *ctrl;
	size_t nctrl;
};

enum trace_format {
	TFMT_AUTO = 0,
	TFMT_NATIVE,     /* .nst: numasim binary, docs/trace-format.md */
	TFMT_LACKEY,     /* valgrind --tool=lackey --trace-mem=yes output */
	TFMT_CHAMPSIM,   /* ChampSim input_instr, 64-byte records */
	TFMT_TEXT,       /* numasim text format, docs/trace-format.md */
	NR_TRACE_FORMATS
};

const char *trace_format_name(enum trace_format f);
/* "native", "lackey", "champsim", "text"; @return TFMT_AUTO if unknown */
enum trace_format trace_format_parse(const char *name);
const char *trace_ctrl_name(uint32_t kind);

typedef struct trace_reader trace_reader_t;

/*
 * Open a trace.  Compression (.gz .xz .zst, or by magic bytes) is handled
 * transparently; TFMT_AUTO detects the format from the content.
 * @return 0 or -SIM_EIO / -SIM_ETRACE with "file: ..." in err.
 */
int trace_open(trace_reader_t **out, const char *path, enum trace_format fmt, char *err, size_t errlen);

/*
 * Decode the next batch.  The batch stays valid until the next call.
 * @return 1 with a non-empty batch, 0 at end of trace, or a negative code
 * with err naming the file and the byte offset (binary) or line (text) and
 * what was expected.
 */
int trace_next(trace_reader_t *r, struct trace_batch *b, char *err, size_t errlen);

/*
 * Close the reader; a readahead thread is stopped and joined first.
 * Accepts NULL.
 */
void trace_close(trace_reader_t *r);

/*
 * Decode ahead on a second host thread (traces/readahead.c): from now on a
 * producer thread reads, decompresses and decodes up to `depth` batches
 * ahead of trace_next(), which hands them out in order.  Nothing a caller
 * can see changes: the same batches with the same boundaries, the same
 * error (code and message, for err buffers up to 2 KiB) at the same call,
 * the same trace_progress() values.  Memory grows by `depth` batches
 * (about 115 KiB each), whatever the trace length.  Call it before the
 * first trace_next().  Only a regular file is read ahead: a read from a
 * pipe could block the producer for ever, and trace_close() must join it.
 * @return 1 if started, 0 if not (not a regular file, or the host refused
 * a thread: decoding stays on the caller's thread), or a negative code
 * (-SIM_EUSAGE for a depth outside 2..TRACE_RA_MAX_DEPTH, -SIM_ENOMEM).
 */
#define TRACE_RA_DEPTH     8
#define TRACE_RA_MAX_DEPTH 16
int trace_readahead(trace_reader_t *r, unsigned depth, char *err, size_t errlen);

/* Input bytes read so far and in total, for progress display; false if unknown. */
bool trace_progress(const trace_reader_t *r, uint64_t *done, uint64_t *total);

/* Number of threads announced by the header (native), else 0 = unknown. */
unsigned trace_nr_threads(const trace_reader_t *r);
enum trace_format trace_reader_format(const trace_reader_t *r);

/* ---- writing (native and text formats) ---- */

typedef struct trace_writer trace_writer_t;

enum trace_compress { TCOMP_NONE, TCOMP_GZ, TCOMP_XZ, TCOMP_ZST };

/*
 * Create a writer; the file is written atomically (temp + rename at close).
 * Compression is chosen from the extension (.gz/.xz/.zst) unless given.
 */
int trace_writer_open(trace_writer_t **out, const char *path, enum trace_format fmt,
		      enum trace_compress comp, char *err, size_t errlen);
int trace_write_rec(trace_writer_t *w, const struct trace_rec *r, const struct trace_ctrl *c);
/*
 * Added by the traces layer (additive):
 * trace_writer_set_threads - declare the thread count for the native header
 * (before the first record; records with tid >= n are then refused).  Without
 * it an uncompressed native file gets max tid + 1 patched in at close and a
 * compressed one says 0 (unknown).  @return 0 or -SIM_ESTATE after a record.
 * trace_writer_error - the message of the error trace_write_rec returned.
 */
int trace_writer_set_threads(trace_writer_t *w, unsigned nr_threads);
const char *trace_writer_error(const trace_writer_t *w);
/* Finish and rename into place (commit=true) or discard. */
int trace_writer_close(trace_writer_t *w, bool commit, char *err, size_t errlen);

#endif
