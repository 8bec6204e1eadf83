/*
 * traces/vglog.h - interpreting a Valgrind log, line by line.
 *
 * One Valgrind run can print, in one log, lackey's memory trace
 * (--tool=lackey --trace-mem=yes), the scheduler's thread switches
 * (--trace-sched=yes: "--PID--   SCHED[N]:  acquired lock (...)") and every
 * system call with its arguments and result (--trace-syscalls=yes:
 * "SYSCALL[PID,N](NR) sys_mmap ( ... ) --> [pre-success] Success(0x...)").
 * This module turns such a log into trace records: in *plain* mode (a log
 * without SCHED/SYSCALL lines) every I/L/S/M line is one record of thread 0,
 * as lackey printed it; in *thread* mode every access belongs to the thread
 * that Valgrind was running, instruction fetches become the gap of the
 * thread's next record, and the memory-management system calls become
 * control records with the kernel's real results.  docs/record.md gives the
 * exact rules (thread numbering, failed calls, dropped calls).
 *
 * Valgrind prints pointers, not what they point to, so the node masks of
 * mbind/set_mempolicy/migrate_pages come from a second, optional channel:
 * `strace -e trace=mbind,set_mempolicy,migrate_pages` lines fed through
 * vglog_strace_line() before the matching Valgrind line (numasim record does
 * this).  Without them a call whose mask pointer is not NULL is dropped and
 * counted in VGS_DROPPED_MASK.
 *
 * The parser is a push parser so that the same code serves the lackey trace
 * reader (pulling lines from a file) and `numasim record` (reading a pipe).
 */
#ifndef TRACES_VGLOG_H
#define TRACES_VGLOG_H

#include "sim/stats.h"
#include "traces/elf.h"
#include "traces/trace.h"

/* Most records (and control records) one input line can produce. */
#define VGLOG_MAX_OUT 128   /* the first instruction brings the initial image: 2 x 16 segments x 3 */

enum vglog_line {
	VGL_EMPTY,
	VGL_ACCESS,       /* "I  ADDR,SIZE", " L|S|M ADDR,SIZE" */
	VGL_BANNER,       /* "==PID== ..." */
	VGL_DEBUG,        /* "--PID-- ..." other than SCHED */
	VGL_SCHED,        /* "--PID--   SCHED[N]: ..." or "SCHED[N]: ..." */
	VGL_SYSCALL,      /* "SYSCALL[PID,N](NR) ..." */
	VGL_RESULT,       /* " --> ..." result of a call printed across two lines */
	VGL_OTHER,        /* anything else: skipped */
};

/* Classify a line (without its "\n"). */
enum vglog_line vglog_classify(const char *s, size_t n);

/*
 * Parse a VGL_ACCESS line.  @return 0 with *op (enum trace_op), *addr and
 * *size, or -1 with *what naming what was expected.
 */
int vglog_access(const char *s, size_t n, int *op, uint64_t *addr, uint64_t *size, const char **what);

/* What the interpreter saw; reported by numasim record. */
#define VGLOG_STATS(X)                                                                                 \
	X(VGS_LINES,         lines,         EVENT, "lines", "lines read")                                \
	X(VGS_ACCESSES,      accesses,      EVENT, "records", "data accesses (L S M)")                   \
	X(VGS_INSTRUCTIONS,  instructions,  EVENT, "instructions", "instruction fetches (I)")             \
	X(VGS_THREADS,       threads,       EVENT, "threads", "threads seen")                            \
	X(VGS_SYSCALLS,      syscalls,      EVENT, "calls", "system calls seen (all kinds)")             \
	X(VGS_CONTROL,       control,       EVENT, "records", "control records emitted")                 \
	X(VGS_FAILED,        failed,        EVENT, "calls", "control records of calls that failed (kept)") \
	X(VGS_DROPPED_MASK,  dropped_mask,  EVENT, "calls", "mbind/set_mempolicy/migrate_pages dropped: node mask unknown") \
	X(VGS_DROPPED_OTHER, dropped_other, EVENT, "calls", "move_pages/fork calls not representable, dropped") \
	X(VGS_FOREIGN,       foreign,       EVENT, "lines", "SCHED/SYSCALL lines of another process (fork child), skipped") \
	X(VGS_FUTEX_WAITS,   futex_waits,   EVENT, "calls", "futex waits (FUTEX_WAIT, FUTEX_WAIT_BITSET) completed") \
	X(VGS_FUTEX_WAKES,   futex_wakes,   EVENT, "calls", "futex wakes (FUTEX_WAKE, FUTEX_WAKE_BITSET) completed") \
	X(VGS_FUTEX_UNMATCHED, futex_unmatched, EVENT, "calls", "waits that returned 0 with no wake to pair with (spurious, signal, another process)") \
	X(VGS_FUTEX_OTHER,   futex_other,   EVENT, "calls", "futex operations not modelled (requeue, wake_op, PI), dropped") \
	X(VGS_EXIT_WAKES,    exit_wakes,    EVENT, "wakes", "CLONE_CHILD_CLEARTID wakes synthesized at thread exit") \
	X(VGS_SYNC_ACCESSES, sync_accesses, EVENT, "records", "atomics and stores to synchronisation words, given their place in the recorded order") \
	X(VGS_IMAGE_MAPS,    image_maps,    EVENT, "records", "mmap records of the initial image (executable, interpreter, stack)") \
	X(VGS_IMAGE_MISPLACED, image_misplaced, EVENT, "images", "executables not where the converter placed them (first fetch != base + e_entry)") \
	X(VGS_OTHER_VERSION, other_version, EVENT, "logs", "logs of a Valgrind other than 3.19, whose line formats were checked") \
	X(VGS_KERNEL_STORES, kernel_stores, EVENT, "records", "stores of the kernel synthesized (clear-tid at exit, parent-settid at clone)")

enum vglog_stat { VGLOG_STATS(STAT_ENUM) NR_VGLOG_STATS };
extern const struct stat_desc vglog_stat_desc[NR_VGLOG_STATS];

struct vglog_opts {
	const char *name;            /* file name for messages */
	bool threaded;               /* start in thread mode (else: switch at the first SCHED/SYSCALL line) */
	bool keep_ifetch;            /* thread mode: I lines stay TOP_IFETCH records (gap 0) */
	bool strace;                 /* node masks arrive through vglog_strace_line() */
	const unsigned *cpus;        /* thread i starts with TCTRL_THREAD_CPU cpus[i] (i < nr_cpus) */
	unsigned nr_cpus;
};

/*
 * Where vglog_line() puts records: rec[n..] and ctrl[nctrl..]; the caller
 * guarantees room for VGLOG_MAX_OUT more of each.  rec[i].ctrl indexes ctrl[].
 */
struct vglog_sink {
	struct trace_rec *rec;
	size_t n;
	struct trace_ctrl *ctrl;
	size_t nctrl;
};

typedef struct vglog vglog_t;

/* @return 0 or -SIM_ENOMEM.  The options (cpus included) are copied. */
int vglog_create(vglog_t **out, const struct vglog_opts *o);
void vglog_destroy(vglog_t *vg);

/*
 * Interpret line number `lineno` (1-based, without "\n").
 * @return 0, or -SIM_ETRACE with "NAME:LINE: expected ..., found '...'" in err.
 */
int vglog_line(vglog_t *vg, const char *s, size_t n, uint64_t lineno, struct vglog_sink *out, char *err,
	       size_t errlen);

/*
 * The bulk of a plain lackey log in one pass: while the log is not threaded,
 * interpret the complete ("\n"-terminated) lines at the start of s[0..n)
 * that are well-formed access lines, at most `room` of them, exactly as
 * vglog_line would (same records, same counters).  Stops before the first
 * line of any other kind, a malformed one (vglog_line then reports it) or
 * an incomplete one.  @return bytes consumed; *lines: lines interpreted.
 */
size_t vglog_plain_accesses(vglog_t *vg, const char *s, size_t n, struct vglog_sink *out, size_t room,
			    uint64_t *lines);

/*
 * One line of `strace -f -e trace=mbind,set_mempolicy,migrate_pages` output
 * ("PID mbind(0x7f.., 4096, MPOL_BIND, [0x2], 64, 0) = 0").  Other lines are
 * ignored.  @return 0 or -SIM_ETRACE.
 */
int vglog_strace_line(vglog_t *vg, const char *s, size_t n, char *err, size_t errlen);

/*
 * The program's initial image, which no system call shows: the executable
 * and its interpreter (PT_LOAD segments, traces/elf.h) and the main stack.
 * At the first instruction fetch of thread 0 they become mmap records
 * (private file mappings, bss anonymous) at Valgrind's load addresses: the
 * interpreter where that first fetch says (it is the interpreter's e_entry),
 * a position-independent executable at VGLOG_VG_EXE_BASE (checked when the
 * executable's first instruction runs); at the first data access, the main
 * stack around it; then explicit_maps.  interp is NULL for a static
 * executable.  Call before the first line.  @return 0 or -SIM_ENOMEM.
 */
#define VGLOG_VG_EXE_BASE 0x108000ULL
int vglog_set_image(vglog_t *vg, const struct elf_image *exe, const struct elf_image *interp);

/* Is the interpreter in thread mode (SCHED/SYSCALL lines seen or asked for)? */
bool vglog_threaded(const vglog_t *vg);
const uint64_t *vglog_stats(const vglog_t *vg);

#endif
