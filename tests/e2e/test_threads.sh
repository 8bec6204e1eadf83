#!/bin/sh
# tests/e2e/test_threads.sh - real multi-threaded programs, recorded at test
# time with `numasim record` (valgrind), replay as they ran: futex waits and
# wakes (join, mutex + condition variable, barrier), the recorded order of
# address-space operations across threads, no access outside a mapping.
# Each program is compiled here with cc -pthread and records in seconds.
# Negative controls strip the synchronisation records from a trace (as a
# trace recorded before them would be) and check that the very property
# asserted then breaks, so every check can fail.
# prodcons and barrier need to read another thread's /proc/self/task/TID/syscall
# (wait_asleep_on); a host without it skips their six checks, naming it.
# Also: -n N on a 4-thread trace replays exactly N accesses; one 64 KiB
# access spanning 16 pages; an orphaned thread cannot wrap the clock; a wait
# that is never woken is an error naming the thread and the address.
# Usage: sh tests/e2e/test_threads.sh BUILD_DIR   ($NUMASIM overrides the binary)
TAP_TMP=threads; . "$(dirname "$0")/tap.sh"
NUMASIM=${NUMASIM:-$BUILD/numasim}
PLAN=27   # the plan is printed first (skips fill it); N stays tap.sh\'s binary path
echo "1..$PLAN"
skip_rest() {
    while [ $n -lt $PLAN ]; do n=$((n + 1)); echo "ok $n # skip $1"; done
    exit 0
}
[ -x "$NUMASIM" ] || skip_rest "$NUMASIM not built"
case $NUMASIM in /*) ;; *) NUMASIM=$(pwd)/$NUMASIM ;; esac
cd "$T" || exit 1
TAP_LOG=$T/err; TAP_LOG_PREFIX='# '

# ---- report helpers (the report is indented JSON, one value per line) ----
# sum of KEY in the summary object
summ() { awk -v k="\"$1\":" '/^  "summary": \{/ { s = 1 } s && $1 == k { gsub(/[^0-9.]/, "", $2); print $2; exit }' "$2"; }
# the values of array KEY (first occurrence), space separated
arr() { awk -v k="\"$1\":" '$1 == k { a = 1; next } a && /\]/ { exit } a { gsub(/[^0-9.]/, ""); printf "%s ", $0 }' "$2"; }
# counter KEY of the CPU numbered C
cpuc() { awk -v c="$1" -v k="\"$2\":" '/^      "cpu": / { gsub(/[^0-9]/, "", $2); cur = $2 } cur == c && $1 == k { gsub(/[^0-9.]/, "", $2); print $2; exit }' "$3"; }
# succeeds when thread $1 slept in a futex wait that a wake of thread $2 ended: in text trace $3
# a wait of $1 returning 0 carries the id of a wake of $2 (either line may come first)
woken_by() { awk -v a="$1" -v b="$2" '
    { id = ""; for (i = 3; i <= NF; i++) if ($i ~ /^wake_id=[1-9]/) id = $i }
    id != "" && $1 == b && $2 == "futex_wake" { wake[id] = 1 }
    id != "" && $1 == a && $2 == "futex_wait" && / ret=0( |$)/ { wait[id] = 1 }
    END { for (id in wait) if (id in wake) exit 0; exit 1 }' "$3"; }
# strip the synchronisation records from a trace: an old recording
strip_sync() { "$NUMASIM" trace convert "$1" "$1.txt" --to text 2>err &&
    grep -v '^\(T[0-9]* \)\{0,1\}\(futex_wait\|futex_wake\|seq\) ' "$1.txt" > "$1.old.txt"; }

# ---- without valgrind ----
# one 64 KiB access (the largest size, 65535 bytes) across 16 pages
printf 'W 0x10000000 65535\nR 0x10000000 65535\n' > big.txt
"$NUMASIM" run --machine skx-2s --trace big.txt -q --no-progress --report big.json >out 2>err
expect "a 65535-byte access spanning 16 pages replays (16 faults, 2 accesses)" \
    '[ "$(summ faults big.json)" = 16 ] && [ "$(summ accesses big.json)" = 2 ]'
# a thread whose clone comes after its parent's exit starts when the rest is done: the clock stays sane
{ i=0; while [ $i -lt 200 ]; do printf 'W 0x%x 8\n' $((0x10000000 + i * 4096)); i=$((i + 1)); done
  echo "exit status=0"; echo "clone child_tid=1"
  i=0; while [ $i -lt 200 ]; do printf 'T1 W 0x%x 8\n' $((0x20000000 + i * 4096)); i=$((i + 1)); done; } > orphan.txt
"$NUMASIM" run --machine skx-2s --trace orphan.txt -q --no-progress --report orphan.json >out 2>err
expect "an orphaned thread starts after the others and the clock never wraps (sim time < 1 s)" \
    'awk -v t="$(summ sim_time_ns orphan.json)" "BEGIN { exit !(t > 0 && t < 1e9) }"'
# a futex wait whose wake never comes: an error naming thread and address, not a hang
printf 'W 0x10000000 8\nclone child_tid=1\nT1 futex_wait addr=0x10000040 private=1 wake_id=7 exit_of=0 ret=0\nT1 R 0x10000000 8\n' > hang.txt
"$NUMASIM" run --machine skx-2s --trace hang.txt -q --no-progress >out 2>err; rc=$?
expect "a wait never woken is an error naming the thread and the address (exit $rc)" \
    '[ $rc -ne 0 ] && grep -q "thread 1 waits forever in futex_wait on 0x10000040" err'
# a place in the recorded order that never comes (its thread ended early): skipped with a warning
printf 'W 0x10000000 8\nclone child_tid=1\nT1 seq n=1\nT1 mmap addr=0 len=4096 prot=3 flags=34 fd=-1 offset=0 ret=0x20000000\nT1 W 0x20000000 8\nW 0x10000008 8 +100000\n' > gap.txt
"$NUMASIM" run --machine skx-2s --trace gap.txt -q --no-progress --report gap.json >out 2>err; rc=$?
expect "a gap in the recorded order is skipped with a warning, not a hang (exit $rc)" \
    '[ $rc -eq 0 ] && grep -q "address-space operations 0..0 were never replayed" err &&
     [ "$(summ seq_skipped gap.json)" = 1 ] && [ "$(summ accesses gap.json)" = 3 ]'
# a wake replayed before its wait leaves a token: no sleep, no error
printf 'clone child_tid=1\nfutex_wake addr=0x10000040 private=1 wake_id=7 woken=1 ret=1\nW 0x10000000 8\nT1 futex_wait addr=0x10000040 private=1 wake_id=7 exit_of=0 ret=0\nT1 R 0x10000000 8\n' > early.txt
"$NUMASIM" run --machine skx-2s --trace early.txt -q --no-progress --report early.json >out 2>err; rc=$?
expect "a wake replayed before its wait lets the wait go on" \
    '[ $rc -eq 0 ] && [ "$(summ futex_waits early.json)" = 1 ] && [ "$(summ accesses early.json)" = 2 ]'
# an access outside every mapping of an explicit mapping: counted, warned, non-zero exit without --allow-segv
printf 'mmap addr=0 len=4096 prot=1 flags=34 fd=-1 offset=0 ret=0x10000000\nW 0x10000000 8\nW 0x10000008 8\nR 0x10000000 8\n' > segv.txt
"$NUMASIM" run --machine skx-2s --trace segv.txt -q --no-progress --report segv.json >out 2>err; rc=$?
expect "writes to a read-only mapping: exit $rc, no report, one warning naming the address" \
    '[ $rc -ne 0 ] && [ ! -e segv.json ] && [ "$(grep -c "0x10000000 outside any mapping" err)" = 1 ] && grep -q "2 accesses outside" err'
"$NUMASIM" run --machine skx-2s --trace segv.txt -q --no-progress --allow-segv --report segv.json >out 2>err; rc=$?
expect "--allow-segv: the run goes on, the report counts both (segv 2) and the read" \
    '[ $rc -eq 0 ] && [ "$(summ segv segv.json)" = 2 ] && [ "$(summ accesses segv.json)" = 1 ]'

# a sweep records such a point as failed, with the message, and leaves no report
cat > segv.json <<JSON
{"name": "segv", "machines": ["tiny"], "workloads": [{"name": "ro", "trace": "$T/segv.txt"}],
 "policies": ["default"], "metrics": ["summary.accesses"]}
JSON
"$NUMASIM" sweep segv.json -o sw -j 1 >out 2>err; rc=$?
expect "a sweep records the point as failed, with the message (exit $rc)" \
    '[ $rc -ne 0 ] && grep -q ",failed," sw/results.csv && grep -q "outside any mapping" sw/points/*/error.txt &&
     ! ls sw/points/*/report.json >/dev/null 2>&1'

command -v valgrind >/dev/null 2>&1 || skip_rest "valgrind not installed"
command -v cc >/dev/null 2>&1 || skip_rest "no C compiler"

cat > common.h <<'EOF'
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
static long tid_self(void)
{
	return syscall(SYS_gettid);
}
/*
 * Whether a thread sleeps in a futex wait before its waker comes is the
 * host's scheduling (under valgrind, which thread gets the lock first), so a
 * waker first waits until thread *tid is asleep in futex(2) on a word inside
 * [obj, obj + size): /proc/PID/task/TID/syscall reads "202 0xADDR ..." while
 * it is in that system call (proc(5)).  No malloc here: it would map an arena.
 */
static void wait_asleep_on(const volatile long *tid, const void *obj, size_t size)
{
	for (int i = 0; i < 20000; i++) {
		char path[64], buf[128];
		int fd = -1;
		if (*tid) {
			snprintf(path, sizeof(path), "/proc/self/task/%ld/syscall", *tid);
			fd = open(path, O_RDONLY);
		}
		if (fd >= 0) {
			ssize_t len = read(fd, buf, sizeof(buf) - 1);
			close(fd);
			buf[len > 0 ? len : 0] = 0;
			char *end;
			unsigned long nr = strtoul(buf, &end, 10), addr = strtoul(end, NULL, 16);
			if (nr == SYS_futex && addr >= (unsigned long)obj && addr < (unsigned long)obj + size)
				return;
		}
		struct timespec ms = { 0, 1000000 };
		nanosleep(&ms, NULL);
	}
	fprintf(stderr, "thread %ld never seen asleep in futex(2) in 20 s\n", *tid);
	exit(3);
}
EOF

# ---- malloc in 4 threads: arenas created, trimmed and reused across threads ----
cat > malloc4.c <<'EOF'
#include "common.h"
#define SZ (16u << 20)
static void *work(void *arg)
{
	char *p = malloc(SZ);
	long s = 0;
	for (size_t i = 0; i < SZ; i += 4096)
		p[i] = 1;
	for (size_t i = 0; i < SZ; i += 4096)
		s += p[i];
	free(p);
	return (void *)(s + (long)arg);
}
int main(void)
{
	pthread_t t[4];
	for (long i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, work, (void *)i);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	return 0;
}
EOF
# ---- join then free: readers of main's buffer, joined before main unmaps it ----
cat > joinfree.c <<'EOF'
#include "common.h"
#define SZ (8u << 20)
static char *buf;
static void *reader(void *arg)
{
	long s = 0;
	for (size_t i = 0; i < SZ; i += 4096)
		s += buf[i];
	return (void *)(s + (long)arg);
}
int main(void)
{
	pthread_t t[3];
	buf = mmap(NULL, SZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (size_t i = 0; i < SZ; i += 4096)
		buf[i] = 1;
	for (long i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, reader, (void *)i);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	munmap(buf, SZ);
	return 0;
}
EOF
# ---- producer/consumer: fresh 64 KiB buffers handed over with a mutex and a condition variable ----
cat > prodcons.c <<'EOF'
#include "common.h"
#define ITEMS 8
#define SZ (64u << 10)
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static char *slot[ITEMS];
static int head, tail;
static volatile long consumer_tid;
static void *producer(void *arg)
{
	/* the consumer sleeps on cv before the first item exists */
	wait_asleep_on(&consumer_tid, &cv, sizeof(cv));
	for (int i = 0; i < ITEMS; i++) {
		char *b = mmap(NULL, SZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		for (size_t k = 0; k < SZ; k += 64)
			b[k] = (char)(i + 1);
		pthread_mutex_lock(&m);
		slot[tail++] = b;
		pthread_cond_signal(&cv);
		pthread_mutex_unlock(&m);
	}
	return arg;
}
static void *consumer(void *arg)
{
	long s = 0;
	consumer_tid = tid_self();
	for (int i = 0; i < ITEMS; i++) {
		pthread_mutex_lock(&m);
		while (head == tail)
			pthread_cond_wait(&cv, &m);
		char *b = slot[head++];
		pthread_mutex_unlock(&m);
		for (size_t k = 0; k < SZ; k += 64)
			s += b[k];
		munmap(b, SZ);
	}
	return (void *)s;
}
int main(void)
{
	pthread_t p, c;
	pthread_create(&c, NULL, consumer, NULL);
	pthread_create(&p, NULL, producer, NULL);
	pthread_join(p, NULL);
	pthread_join(c, NULL);
	return 0;
}
EOF
# ---- barrier: each thread writes its part, then reads its neighbour's ----
cat > barrier.c <<'EOF'
#include "common.h"
#define PART (1u << 20)
static pthread_barrier_t bar;
static char *data;
static volatile long tids[3];
static void *work(void *arg)
{
	long me = (long)arg, s = 0;
	char *mine = data + me * PART, *next = data + ((me + 1) % 3) * PART;
	tids[me] = tid_self();
	if (me == 0) {                    /* thread 0 comes last, when the others sleep in the barrier */
		wait_asleep_on(&tids[1], &bar, sizeof(bar));
		wait_asleep_on(&tids[2], &bar, sizeof(bar));
		char *scratch = malloc(4 * PART);
		for (size_t k = 0; k < 4 * PART; k += 64)
			scratch[k] = 1;
		s += scratch[64];
		free(scratch);
	}
	for (size_t k = 0; k < PART; k += 64)
		mine[k] = (char)(me + 1);
	pthread_barrier_wait(&bar);
	for (size_t k = 0; k < PART; k += 64)
		s += next[k];
	return (void *)s;
}
int main(void)
{
	pthread_t t[3];
	data = mmap(NULL, 3 * PART, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pthread_barrier_init(&bar, NULL, 3);
	for (long i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, work, (void *)i);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	return 0;
}
EOF
# ---- fork: the child writes its copy, the parent waits and reads its own ----
cat > forker.c <<'EOF'
#include "common.h"
#include <sys/wait.h>
int main(void)
{
	char *p = malloc(1u << 20);
	int st;
	long s = 0;
	memset(p, 1, 1u << 20);
	pid_t c = fork();
	if (c == 0) {
		memset(p, 2, 1u << 20);
		_exit(3);
	}
	waitpid(c, &st, 0);
	for (size_t i = 0; i < (1u << 20); i += 4096)
		s += p[i];
	free(p);
	return WEXITSTATUS(st) == 3 && s == 256 ? 0 : 1;
}
EOF
# ---- the host facility wait_asleep_on needs: another thread's /proc/self/task/TID/syscall ----
# (proc(5): absent from kernels without CONFIG_HAVE_ARCH_TRACEHOOK and from some sandboxes;
# without it prodcons and barrier would spin 20 s and exit 3).  Probed natively, once.
cat > probe.c <<'EOF'
#include "common.h"
#include <errno.h>
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static volatile long tid;
static void *sleeper(void *arg)
{
	tid = tid_self();
	pthread_mutex_lock(&m);           /* sleeps until main has read its file */
	pthread_mutex_unlock(&m);
	return arg;
}
int main(void)
{
	pthread_t t;
	char path[64], buf[128];
	pthread_mutex_lock(&m);
	pthread_create(&t, NULL, sleeper, NULL);
	while (!tid) {
		struct timespec ms = { 0, 1000000 };
		nanosleep(&ms, NULL);
	}
	snprintf(path, sizeof(path), "/proc/self/task/%ld/syscall", tid);
	int fd = open(path, O_RDONLY), e = errno;
	ssize_t len = -1;
	if (fd >= 0) {
		len = read(fd, buf, sizeof(buf) - 1);
		e = errno;
		close(fd);
	}
	pthread_mutex_unlock(&m);
	pthread_join(t, NULL);
	if (len > 0)
		return 0;
	printf("/proc/self/task/TID/syscall of another thread cannot be read (%s: %s)",
	       fd < 0 ? "open" : "read", len == 0 ? "empty" : strerror(e));
	return 1;
}
EOF
for p in malloc4 joinfree prodcons barrier forker probe; do
    cc -O0 -pthread -o $p $p.c 2>err || skip_rest "cannot build $p.c"
done
# the next K checks are skipped for REASON
skip_n() { k=$1; while [ "$k" -gt 0 ]; do n=$((n + 1)); echo "ok $n # skip $2"; k=$((k - 1)); done; }
no_syscall_file=
./probe >probe.out 2>&1 || no_syscall_file=$(cat probe.out)

rec() { # NAME: record, replay on skx-2s with a report
    "$NUMASIM" record -f -o "$1.nst" -- "./$1" >"$1.out" 2>"$1.rec" &&
    "$NUMASIM" run --machine skx-2s --trace "$1.nst" -q --no-progress --report "$1.json" >out 2>"$1.err"
}

# malloc in 4 threads
if rec malloc4; then
    ok "malloc in 4 threads: recorded and replayed, exit 0"
else
    cp malloc4.err err 2>/dev/null; nok "malloc in 4 threads: record or replay failed"
fi
recorded=$(sed -n 's/.* \([0-9]*\) data accesses.*/\1/p' malloc4.rec)
expect "malloc in 4 threads: no access outside a mapping, every recorded access replayed ($recorded)" \
    '[ "$(summ segv malloc4.json)" = 0 ] && [ -n "$recorded" ] && [ "$(summ accesses malloc4.json)" -ge "$recorded" ]'
expect "malloc in 4 threads: simulated time is sane (< 10 s) and ends with the last thread" \
    'awk -v t="$(summ sim_time_ns malloc4.json)" "BEGIN { exit !(t > 0 && t < 1e10) }"'
# -n on a 4-thread trace: exactly N accesses, whichever threads made them
"$NUMASIM" run --machine skx-2s --trace malloc4.nst -n 100000 -q --no-progress --report n.json >out 2>err
expect "-n 100000 on the 4-thread trace replays exactly 100000 accesses" '[ "$(summ accesses n.json)" = 100000 ]'

# join then free
rec joinfree || { cp joinfree.err err; nok "join then free: record or replay failed"; }
expect "the initial image is declared: executable and ld.so file-backed, then explicit_maps" \
    '"$NUMASIM" trace convert joinfree.nst jf.txt --to text 2>err && grep -q "^explicit_maps" jf.txt &&
     grep -q "^mmap addr=0x108000 .* fd=0x100000 " jf.txt && grep -q "^mmap addr=0x4000000 .* fd=0x100001 " jf.txt'
expect "ld.so maps libc with a descriptor number it reuses: the record names the file (id 0x1000xx)" \
    'grep -q "^mmap .*prot=5 flags=2066 fd=0x1000[0-9a-f][0-9a-f] " jf.txt'
expect "the replay of the declared image reads no code or data from the zero page (main: $(cpuc 0 zero_page_accesses joinfree.json))" \
    '[ "$(cpuc 0 zero_page_accesses joinfree.json)" -lt 10 ]'
ends=$(arr thread_end_ns joinfree.json)
expect "join then free: main ends after every reader (joins replayed: $ends)" \
    'echo "$ends" | awk "{ for (i = 2; i <= NF; i++) if (\$i > \$1) exit 1 }"'
# the readers read what main wrote: with main's munmap held after their exits, no read hits the zero page
zr=0; for c in 1 2 3; do zr=$((zr + $(cpuc $c zero_page_accesses joinfree.json))); done
expect "join then free: the readers read main's pages, not fresh zero pages ($zr zero-page reads)" \
    '[ "$(summ segv joinfree.json)" = 0 ] && [ $zr -lt 100 ]'
if strip_sync joinfree.nst; then
    "$NUMASIM" run --machine skx-2s --trace joinfree.nst.old.txt -q --no-progress --allow-segv --report old.json >out 2>err
    zo=$(summ segv old.json); for c in 1 2 3; do zo=$((zo + $(cpuc $c zero_page_accesses old.json))); done
    expect "join then free without its sync records: warned, and readers run into the unmapped buffer ($zo zero-page reads or accesses outside mappings)" \
        'grep -q "without futex or seq records" err && [ $zo -gt 1000 ]'
else
    nok "join then free: convert the trace to text"
fi

# producer/consumer
if [ -n "$no_syscall_file" ]; then
    skip_n 3 "producer/consumer: $no_syscall_file"
else
rec prodcons || { cp prodcons.err err; nok "producer/consumer: record or replay failed"; }
zc=$(cpuc 1 zero_page_accesses prodcons.json)
expect "producer/consumer: no access outside a mapping, and the consumer reads only written data ($zc zero-page reads)" \
    '[ "$(summ segv prodcons.json)" = 0 ] && [ "$zc" -lt 100 ]'
# (the producer starts when the consumer sleeps on the condition variable: see prodcons.c)
"$NUMASIM" trace convert prodcons.nst prodcons.txt --to text 2>err
expect "producer/consumer: the consumer (thread 1) slept in a futex wait the producer's wake ended, recorded and replayed ($(cpuc 1 futex_blocked prodcons.json) slept)" \
    'woken_by T1 T2 prodcons.txt && [ "$(cpuc 1 futex_blocked prodcons.json)" -ge 1 ] &&
     [ "$(summ futex_unmatched prodcons.json)" = 0 ] && [ "$(arr thread_blocked_ns prodcons.json | cut -d" " -f2 | cut -d. -f1)" -gt 0 ]'
if strip_sync prodcons.nst; then
    "$NUMASIM" run --machine skx-2s --trace prodcons.nst.old.txt -q --no-progress --allow-segv --report old.json >out 2>err
    zo=$(($(cpuc 1 zero_page_accesses old.json) + $(summ segv old.json)))
    expect "producer/consumer without sync records: the consumer reads before the producer writes ($zo zero-page reads or accesses outside mappings)" \
        '[ "$zo" -gt 1000 ]'
else
    nok "producer/consumer: convert the trace to text"
fi
fi

# barrier
if [ -n "$no_syscall_file" ]; then
    skip_n 3 "barrier: $no_syscall_file"
else
rec barrier || { cp barrier.err err; nok "barrier: record or replay failed"; }
zb=0; for c in 1 2 3; do zb=$((zb + $(cpuc $c zero_page_accesses barrier.json))); done
expect "barrier: every thread reads its neighbour's part after it was written ($zb zero-page reads)" \
    '[ "$(summ segv barrier.json)" = 0 ] && [ $zb -lt 100 ]'
"$NUMASIM" trace convert barrier.nst barrier.txt --to text 2>err
expect "barrier: threads 2 and 3 came first and slept until thread 1's wake, recorded and replayed ($(cpuc 2 futex_blocked barrier.json) and $(cpuc 3 futex_blocked barrier.json) slept)" \
    'woken_by T2 T1 barrier.txt && woken_by T3 T1 barrier.txt && [ "$(cpuc 2 futex_blocked barrier.json)" -ge 1 ] &&
     [ "$(cpuc 3 futex_blocked barrier.json)" -ge 1 ] && [ "$(summ futex_unmatched barrier.json)" = 0 ]'
if strip_sync barrier.nst; then
    "$NUMASIM" run --machine skx-2s --trace barrier.nst.old.txt -q --no-progress --allow-segv --report old.json >out 2>err
    zo=$(summ segv old.json); for c in 1 2 3; do zo=$((zo + $(cpuc $c zero_page_accesses old.json))); done
    expect "barrier without sync records: some thread reads its neighbour's part before it is written ($zo zero-page reads or accesses outside mappings)" \
        '[ $zo -gt 1000 ]'
else
    nok "barrier: convert the trace to text"
fi
fi

# fork: the parent is recorded, the child is not followed (its lines would tear into the parent's)
if rec forker; then
    ok "fork: recorded (program exit 0) and replayed"
else
    cp forker.err err 2>/dev/null; nok "fork: record or replay failed"
fi
expect "fork: one thread, no access outside a mapping, the fork counted as not followed" \
    '[ "$(summ segv forker.json)" = 0 ] && grep -q "1 thread," forker.rec && grep -q "fork call(s) not representable" forker.rec'
recorded=$(sed -n 's/.* \([0-9]*\) data accesses.*/\1/p' forker.rec)
# (plus the loader's stores that zero the tail of each image's last file page)
expect "fork: exactly the parent's recorded accesses replay, none of the child's ($recorded), none on the zero page" \
    'a=$(summ accesses forker.json); [ "$a" -ge "$recorded" ] && [ "$a" -le $((recorded + 8)) ] &&
     [ "$(cpuc 0 zero_page_accesses forker.json)" -lt 10 ]'
echo "# $n of $PLAN checks run"
exit "$failed"
