#!/bin/sh
# End-to-end checks of `numasim run` and `numasim machine` as a user runs them:
# real output, reports, determinism, and clear errors for bad input.
TAP_TMP=e2e; . "$(dirname "$0")/tap.sh"
json_num() { # file key -> first numeric value of "key": in the file
    sed -n "s/.*\"$2\": \([0-9.e+-]*\).*/\1/p" "$1" | head -n 1
}

need_numasim

check "machine list names every preset" sh -c "$N machine list > $T/list && for p in tiny skx-2s epyc-nps4 kunpeng920-4n westmere-2s spr-2s-cxl; do grep -q \"^\$p \" $T/list || exit 1; done"
check "machine show prints a numactl-style topology" sh -c "$N machine show skx-2s | grep -q 'node distances:'"
check "machine dump is valid JSON that loads back" sh -c "$N machine dump tiny > $T/tiny.json && $N machine show $T/tiny.json >/dev/null"

# a small two-thread trace in the text format
cat > "$T/t.txt" <<'TR'
# two threads touching 256 KiB each
TR
i=0
while [ $i -lt 4096 ]; do
    printf 'W %x 8\nT1 R %x 8 +3\n' $((0x10000000 + i * 64)) $((0x20000000 + i * 64)) >> "$T/t.txt"
    i=$((i + 1))
done
check "run replays a text trace" sh -c "$N run --machine tiny --trace $T/t.txt@0 --report $T/r1.json > $T/sum && grep -q '^accesses  *8192' $T/sum"
check "report has the schema and the effective machine" sh -c "grep -q '\"schema\": \"numasim-report\"' $T/r1.json && grep -q '\"tRCD\"' $T/r1.json"
check "same inputs and seed give a byte-identical report" sh -c "$N run -q --machine tiny --trace $T/t.txt@0 --report $T/r2.json && cmp $T/r1.json $T/r2.json"
check "two threads ran on CPUs 0 and 1" sh -c "grep -q 'on CPU 0,1' $T/sum"
m=$(json_num "$T/r1.json" mean_ns); p=$(json_num "$T/r1.json" p99_ns)
check "p99 latency is at least the mean, and the mean is positive" awk -v m="$m" -v p="$p" 'BEGIN { exit !(p >= m && m > 0) }'

# bad input: clear errors, non-zero exit, no crash
printf '{ "nodes": [ {"cpus": 1} ], }' > "$T/bad.json"
fails_with "config syntax error names file and line" 1 "bad.json:1:" $N run --machine "$T/bad.json" --trace "$T/t.txt"
printf '{ "nodes": [ {"cpus": 1, "ddr": {"tRCD": 0}} ] }' > "$T/bad2.json"
fails_with "config range error names the JSON path" 1 "nodes[0].ddr.tRCD: must be 1..200, got 0" $N run --machine "$T/bad2.json" --trace "$T/t.txt"
printf '{ "nodes": [ {"cpus": 1}, {"cpus": 1} ] }' > "$T/bad3.json"
fails_with "impossible machine (unlinked nodes) is refused" 1 "cannot reach" $N run --machine "$T/bad3.json" --trace "$T/t.txt"
fails_with "bad -p value names the path" 1 "caches.l1d.ways" $N run --machine tiny -p caches.l1d.ways=0 --trace "$T/t.txt"
fails_with "unknown preset lists the presets" 1 "presets:" $N run --machine nosuch --trace "$T/t.txt"
printf 'R 1000 8\nR 10zz 8\n' > "$T/badhex.txt"
fails_with "malformed text trace names file and line" 1 "badhex.txt:2" $N run --machine tiny --trace "$T/badhex.txt"
fails_with "missing trace file is reported" 1 "nosuch.nst" $N run --machine tiny --trace "$T/nosuch.nst"
fails_with "unknown option is a usage error" 2 "usage:" $N run --machine tiny --bogus
fails_with "CPU beyond the machine is refused" 1 "CPUs 0-3" $N run --machine tiny --trace "$T/t.txt@9"
fails_with "unwritable report path fails cleanly" 1 "/nonexistent/r.json" $N run -q --machine tiny --trace "$T/t.txt" --report /nonexistent/r.json

# native round trip and corruption with a byte offset
check "text converts to native" $N trace convert "$T/t.txt" "$T/t.nst"
check "native replays identically to text" sh -c "$N run -q --machine tiny --trace $T/t.nst@0 --report $T/r3.json && grep -q '\"accesses\": 8192' $T/r3.json"
head -c 200 "$T/t.nst" > "$T/trunc.nst"
fails_with "truncated native trace names the byte offset" 1 "byte" $N run --machine tiny --trace "$T/trunc.nst"

# a real program recorded with valgrind's lackey
if command -v valgrind >/dev/null 2>&1; then
    env -i PATH=/usr/bin:/bin valgrind --tool=lackey --trace-mem=yes --log-file="$T/ls.lackey" /bin/ls / >/dev/null 2>&1
    check "lackey trace of a real program replays on a preset" sh -c "$N run --machine skx-2s --trace $T/ls.lackey@0 --report $T/ls.json > $T/ls.sum && grep -q '\"format\": \"lackey\"' $T/ls.json && grep -q '^accesses' $T/ls.sum"
else
    n=$((n + 1)); echo "ok $n # skip valgrind not installed"
fi

done_testing
