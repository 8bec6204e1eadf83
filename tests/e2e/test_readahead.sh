#!/bin/sh
# --reader-threads (traces/readahead.c, docs/engine.md "The reader on a second
# host core") is an engine knob: decoding a trace on a second host thread must
# not change anything the run prints or writes.  Every replay below runs with
# the knob at 0, 1, 2 (two traces) and auto (text traces only) and requires the same exit
# status, byte-identical stdout and stderr, and a byte-identical report, or no
# report at all when the trace is bad.
TAP_TMP=readahead; . "$(dirname "$0")/tap.sh"
need_numasim

# replay NAME ARGS...: run with --reader-threads 0, 1, 2 and auto and compare them all to the first
replay() {
    name=$1; shift
    for rt in 0 1 2 auto; do
        rm -f "$T/r$rt.json"
        "$N" run --machine skx-2s --no-progress --reader-threads $rt --report "$T/r$rt.json" "$@" \
            >"$T/o$rt" 2>"$T/e$rt"
        echo $? > "$T/s$rt"
        # the summary names the report file: the only line allowed to differ
        sed -i "s|r$rt\.json|rN.json|" "$T/o$rt"
    done
    same=yes
    for rt in 1 2 auto; do
        cmp -s "$T/s0" "$T/s$rt" && cmp -s "$T/o0" "$T/o$rt" && cmp -s "$T/e0" "$T/e$rt" || same=no
        if [ -f "$T/r0.json" ]; then cmp -s "$T/r0.json" "$T/r$rt.json" || same=no
        elif [ -f "$T/r$rt.json" ]; then same=no; fi
    done
    { echo "exit $(cat "$T/s0") $(cat "$T/s1") $(cat "$T/s2")"; diff "$T/e0" "$T/e1"; diff "$T/o0" "$T/o1"; } > "$T/out"
    if [ $same = yes ]; then ok "$name"; else nok "$name"; fi
}

# 16 threads streaming over 32 MiB, plain, gzip and zstd; a zipf trace of 8 threads beside it
check "generate 16 threads" $N trace gen --pattern stream --size 32M --threads 16 --accesses 160K --seed 3 \
    -o "$T/s16.nst"
check "compress it with zstd" $N trace convert "$T/s16.nst" "$T/s16.nst.zst"
check "compress it with gzip" $N trace convert "$T/s16.nst" "$T/s16.nst.gz"
check "generate 8 zipf threads" $N trace gen --pattern zipf --size 64M --threads 8 --accesses 60K --seed 4 \
    -o "$T/z8.nst"
replay "16 threads, plain native: identical" --trace "$T/s16.nst"
expect "  ... and the run replayed every access" 'grep -q "^accesses" "$T/o0" && [ "$(cat "$T/s0")" = 0 ]'
replay "16 threads, zstd: identical" --trace "$T/s16.nst.zst"
replay "16 threads, gzip: identical" --trace "$T/s16.nst.gz"
replay "two processes (16 + 8 threads, one or both read ahead): identical" --trace "$T/s16.nst.zst" --trace "$T/z8.nst"
replay "stopped early by --max-accesses (the producer is mid-trace): identical" --trace "$T/s16.nst.zst" \
    --max-accesses 100K

# threads that appear unannounced start by file order (docs/engine.md): batches of 7
awk 'BEGIN { x = 12345
    for (i = 0; i < 30000; i++) {
        x = (x * 1103515245 + 12345) % 2147483648; t = (i < 300) ? 0 : x % 4
        x = (x * 1103515245 + 12345) % 2147483648; a = 268435456 + (x % 8388608) * 8
        printf "T%d %s 0x%x 8 +%d\n", t, (x % 10 < 7) ? "W" : "R", a, x % 17 } }' > "$T/unann.txt"
NUMASIM_TRACE_BATCH=7; export NUMASIM_TRACE_BATCH
replay "unannounced text threads, batches of 7: identical" --trace "text:$T/unann.txt"
unset NUMASIM_TRACE_BATCH

# bad traces: the same message (file and byte or line), the same exit status, no report
size=$(wc -c < "$T/s16.nst")
head -c $((size / 2 + 3)) "$T/s16.nst" > "$T/cut.nst"
replay "native cut mid-record: identical error" --trace "$T/cut.nst"
expect "  ... which names the byte and fails the run" 'grep -q "cut.nst: byte" "$T/e0" && [ "$(cat "$T/s0")" != 0 ] && [ ! -f "$T/r0.json" ] && [ ! -f "$T/r1.json" ]'
size=$(wc -c < "$T/s16.nst.zst")
head -c $((size * 3 / 4)) "$T/s16.nst.zst" > "$T/cut.nst.zst"
replay "truncated zstd stream: identical error" --trace "$T/cut.nst.zst"
expect "  ... which says the stream is truncated" 'grep -q "truncated zstd stream" "$T/e0"'
awk 'NR == 20001 { print "T1 W 0xzz 8" } { print }' "$T/unann.txt" > "$T/badline.txt"
replay "a bad text line: identical error" --trace "text:$T/badline.txt"
expect "  ... which names line 20001" 'grep -q "badline.txt:20001:" "$T/e0"'

fails_with "--reader-threads takes a count" 2 "--reader-threads" $N run --machine skx-2s --trace "$T/s16.nst" \
    --reader-threads x
fails_with "--reader-threads at most 256" 2 "at most 256" $N run --machine skx-2s --trace "$T/s16.nst" \
    --reader-threads 257
done_testing
