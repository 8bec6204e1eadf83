#!/bin/sh
# tests/e2e/test_record.sh - `numasim record` end to end: a small pthread
# program with an explicit mmap and mbind, recorded under valgrind (+ strace
# for the mbind node mask), checked against the raw valgrind log of the same
# kind of run, then replayed on skx-2s with numa_maps dumped.
# Usage: sh tests/e2e/test_record.sh BUILD_DIR   ($NUMASIM overrides the binary)
TAP_TMP=record; . "$(dirname "$0")/tap.sh"
NUMASIM=${NUMASIM:-$BUILD/numasim}
PLAN=8   # the plan is printed first (skips fill it); N stays tap.sh\'s binary path
echo "1..$PLAN"
skip_all() {
    i=1
    while [ $i -le $PLAN ]; do echo "ok $i # skip $1"; i=$((i + 1)); done
    exit 0
}
[ -x "$NUMASIM" ] || skip_all "$NUMASIM not built"
case $NUMASIM in /*) ;; *) NUMASIM=$(pwd)/$NUMASIM ;; esac
command -v valgrind >/dev/null 2>&1 || skip_all "valgrind not installed"
command -v strace >/dev/null 2>&1 || skip_all "strace not installed"
command -v cc >/dev/null 2>&1 || skip_all "no C compiler"
TAP_LOG=$T/err; TAP_LOG_PREFIX='# '

cat >"$T/prog.c" <<'EOF'
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#define SIZE (16 * 4096)
static volatile char *buf;
static void *reader(void *arg)
{
	long sum = 0;
	for (int i = 0; i < SIZE; i += 64)
		sum += buf[i];
	return (void *)(sum + (long)arg);
}
int main(void)
{
	pthread_t t[2];
	unsigned long mask = 1;               /* node 0: exists on the recording host too */
	buf = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long rc = syscall(SYS_mbind, buf, SIZE, 3 /* MPOL_INTERLEAVE */, &mask, 64, 0);
	printf("mmap=%lx mbind=%ld\n", (unsigned long)buf, rc);
	for (int i = 0; i < SIZE; i += 64)
		buf[i] = 1;
	for (long i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, reader, (void *)i);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	return 7;
}
EOF
cc -O1 -pthread -o "$T/prog" "$T/prog.c" 2>"$T/err" || skip_all "cannot build a pthread program"

# 1: record; the program's output reaches our stdout, its exit status is returned
(cd "$T" && "$NUMASIM" record --strace --threads-to-cpus 0,1,28 -- ./prog >"$T/out" 2>"$T/err")
st=$?
if [ $st -eq 7 ] && [ -s "$T/prog.nst.zst" ] && grep -q '^mmap=' "$T/out"; then ok "record: exit status 7, default output prog.nst.zst"
else nok "record: exit status $st (want 7), output $(ls "$T")"; fi
MMAP=$(sed -n 's/^mmap=\([0-9a-f]*\) .*/\1/p' "$T/out")

"$NUMASIM" trace convert "$T/prog.nst.zst" "$T/prog.txt" 2>"$T/err"
"$NUMASIM" trace stat "$T/prog.nst.zst" >"$T/stat" 2>>"$T/err"

# 2: three threads (main + two readers), clone records for 1 and 2, exits
if grep -q '^threads: 3$' "$T/stat" && grep -q '^clone child_tid=1 ' "$T/prog.txt" &&
   grep -q '^clone child_tid=2 ' "$T/prog.txt" && grep -q '^T1 exit status=0' "$T/prog.txt" &&
   grep -q '^T2 exit status=0' "$T/prog.txt"; then ok "three threads with clone and exit records"
else nok "threads"; cat "$T/stat" | sed 's/^/# /'; fi

# 3: the mmap record carries the address the program printed
if grep -q "^mmap addr=0 len=0x10000 prot=3 flags=34 fd=-1 offset=0 ret=0x$MMAP" "$T/prog.txt"; then
    ok "mmap record returns the program's address 0x$MMAP"
else nok "mmap record for 0x$MMAP"; grep '^mmap' "$T/prog.txt" | sed 's/^/# /'; fi

# 4: the mbind record with the node mask read by strace
if grep -q "^mbind addr=0x$MMAP len=0x10000 mode=3 nodemask=0x1 flags=0 ret=0" "$T/prog.txt"; then ok "mbind record with its node mask"
else nok "mbind record"; grep 'mbind' "$T/prog.txt" | sed 's/^/# /'; fi

# 5: thread placement records
if grep -q '^thread_cpu cpu=0' "$T/prog.txt" && grep -q '^T1 thread_cpu cpu=1' "$T/prog.txt" &&
   grep -q '^T2 thread_cpu cpu=28' "$T/prog.txt"; then ok "--threads-to-cpus gives each thread its CPU"
else nok "thread_cpu records"; fi

# 6: per-thread data accesses match what lackey printed for each thread (raw log of the same
# program: a second run, same binary, same environment; counts per thread are deterministic)
valgrind --tool=lackey --trace-mem=yes --trace-sched=yes --trace-syscalls=yes --log-file="$T/raw.log" "$T/prog" >/dev/null 2>&1
awk '
/SCHED\[[0-9]+\]:  acquired lock/ { match($0, /SCHED\[[0-9]+\]/); cur = substr($0, RSTART + 6, RLENGTH - 7) }
/^SYSCALL\[/ { split($0, a, /[],[]/); cur = a[3] }
/^ [LSM] / { n[cur]++ }
END { for (t in n) print "vg" t, n[t] }' "$T/raw.log" | sort >"$T/raw_counts"
awk '
/^(T[0-9]+ )?[RWM] / { t = ($1 ~ /^T/) ? substr($1, 2) : 0; n[t]++ }
END { for (t in n) print t, n[t] }' "$T/prog.txt" | sort >"$T/rec_counts"
# Valgrind thread k+1 is trace thread k when no slot is reused; when the first reader has
# ended before the second starts, Valgrind gives both slot 2 and the raw log cannot tell them
# apart (the recorder can: each clone makes a new trace thread). So compare the readers'
# sum with the raw log's non-main threads, require the two readers to be equal (they run the
# same loop), and the main thread within 1% (the dynamic loader may differ by an access).
want=$(awk '{ sub(/^vg/, "", $1); print $1 - 1, $2 }' "$T/raw_counts" | sort)
mine=$(cat "$T/rec_counts")
rr=$(echo "$want" | awk '$1 >= 1 { s += $2 } END { print s + 0 }')
m1=$(echo "$mine" | awk '$1 == 1 { print $2 }'); m2=$(echo "$mine" | awk '$1 == 2 { print $2 }')
r0=$(echo "$want" | awk '$1 == 0 { print $2 }'); m0=$(echo "$mine" | awk '$1 == 0 { print $2 }')
# Each reader also has the kernel's clear-tid store at its exit (CLONE_CHILD_CLEARTID), which
# lackey never sees and the recorder adds: one W record more per reader.
if [ -n "$m1" ] && [ "$m1" = "$m2" ] && [ "$m1" -ge 1024 ] && [ "$((m1 + m2))" = "$((rr + 2))" ] &&
   awk -v a="$r0" -v b="$m0" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a > 0 && d * 100 <= a) }'; then
    ok "per-thread access counts match lackey's (readers $m1 + $m2 = $rr + 2 exit stores, main $m0 vs $r0)"
else nok "per-thread counts: raw [$want] recorded [$mine]"; fi

# 7: trace convert reads the raw log too (threaded, same control kinds)
"$NUMASIM" trace stat "$T/raw.log" >"$T/rawstat" 2>"$T/err"
if grep -q '^threads: 3$' "$T/rawstat" && grep -q 'clone 2' "$T/rawstat" && grep -q '^  ifetches: 0$' "$T/rawstat"; then
    ok "trace stat/convert read a raw valgrind log with sched/syscall lines"
else nok "raw log stat"; sed 's/^/# /' "$T/rawstat"; fi

# 8: replay on skx-2s: the mbind policy is applied (exit records removed so the process
# is still there for the numa_maps view)
sed -E '/^(T[0-9]+ )?exit /d' "$T/prog.txt" >"$T/noexit.txt"
"$NUMASIM" run --machine skx-2s --trace "$T/noexit.txt" --dump numa_maps >"$T/run" 2>"$T/err"
if grep -q "^0*$MMAP interleave:0 " "$T/run"; then ok "replay applies the recorded mbind (numa_maps: interleave:0)"
else nok "numa_maps after replay"; sed -n '/numa_maps/,$p' "$T/run" | sed 's/^/# /'; fi
exit "$failed"
