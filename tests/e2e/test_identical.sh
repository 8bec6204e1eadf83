#!/bin/sh
# Speed work must not change results (issue 16).  A fixed set of runs -- several
# access patterns, 1, 4 and 8 threads, skx-2s and tiny, THP and NUMA balancing on
# once, the in-order core once, caches-only mode on native and lackey input --
# is replayed and compared with tests/e2e/identical/expected.txt, which holds
# for each run:
#   - its key lines, readable in a diff: every scalar of `summary` (but the
#     latency CDF), the non-zero /proc/vmstat counters, numastat, the L3,
#     coherence, link and memory-system totals, each as "path value";
#   - "sha256" of the whole report flattened the same way, minus the blocks
#     that echo the command line (machine, run, version), so that a change
#     anywhere else (per-CPU counters, time series, zones) fails too.
# The expected file was generated before the first speed change.  A commit that
# changes results on purpose regenerates it and says so:
#     sh tests/e2e/test_identical.sh build --regen tests/e2e/identical/expected.txt
TAP_TMP=identical; . "$(dirname "$0")/tap.sh"
HERE=$(dirname "$0")
EXPECTED=$HERE/identical/expected.txt
REGEN=""
[ "${2:-}" = "--regen" ] && REGEN=${3:?--regen needs an output file}
TAP_LOG_LINES=30

need_numasim

# flatten a pretty-printed (indent 2) JSON document into "path value" lines
flatten() {
    awk '
    function path(   i, p) { p = k[2]; for (i = 3; i <= d; i++) p = p "." k[i]; return p }
    {
        line = $0; sub(/^ */, "", line); sub(/,$/, "", line)
        if (line ~ /^[}\]]$/) { d--; next }
        key = ""
        if (line ~ /^"[^"]*": /) { key = line; sub(/": .*/, "", key); sub(/^"/, "", key); sub(/^"[^"]*": /, "", line) }
        else if (d > 0 && isarr[d]) key = idx[d]++
        if (line == "{" || line == "[") { d++; k[d] = key; isarr[d] = (line == "["); idx[d] = 0; next }
        d++; k[d] = key; print path() " " line; d--
    }' "$1"
}

# summarise REPORT -> key lines and the digest, on stdout
summarise() {
    flatten "$1" > "$T/flat"
    grep -E '^(summary\.|hw\.l3\.|hw\.coherence\.|hw\.links\.|hw\.memory_system\.|os\.numastat\.|os\.vmstat\.)' "$T/flat" |
        grep -v '^summary\.latency_cdf\.' | grep -Ev '^os\.vmstat\.[^ ]* 0$'
    echo "sha256 $(grep -Ev '^(machine|run|numasim_version)[. ]' "$T/flat" | sha256sum | cut -d' ' -f1)"
}

# gen NAME ARGS... : a synthetic trace, fixed seed
gen() { name=$1; shift; $N trace gen "$@" --seed 7 -o "$T/$name.nst" >"$T/out" 2>&1 || { nok "generate $name"; return 1; }; }

: > "$T/got"
# run NAME MACHINE TRACE@CPUS [run options...]
run() {
    name=$1; m=$2; tr=$3; shift 3
    if $N run -q --no-progress --machine "$m" --trace "$tr" --report "$T/$name.json" "$@" >"$T/out" 2>&1; then
        { echo "## $name"; summarise "$T/$name.json"; } >> "$T/got"
    else
        nok "run $name"
    fi
}

gen stream1 --pattern stream --size 64M --step 8 --threads 1 --accesses 300K --write-ratio 0.25
gen zipf1   --pattern zipf --size 256M --threads 1 --accesses 300K --write-ratio 0.25
gen gups8   --pattern gups --size 64M --threads 8 --accesses 50K
gen shared8 --pattern shared --use uniform --size 8M --threads 8 --accesses 40K --write-ratio 0.3
gen chase1  --pattern chase --size 16M --threads 1 --accesses 50K
gen phase8  --pattern phase --use zipf --size 32M --threads 8 --cpus 0,28,1,29,2,30,3,31 --accesses 150K
gen tiny1   --pattern zipf --size 96M --threads 1 --accesses 200K --write-ratio 0.5
gen tiny4   --pattern stream --size 24M --step 64 --threads 4 --accesses 60K --write-ratio 0.25

run stream1-skx      skx-2s "$T/stream1.nst@0"
run zipf1-skx        skx-2s "$T/zipf1.nst@0"
run gups8-skx        skx-2s "$T/gups8.nst@0-7"
run shared8-skx      skx-2s "$T/shared8.nst@0,28,1,29,2,30,3,31"
run chase1-skx       skx-2s "$T/chase1.nst@0"
run zipf1-inorder    skx-2s "$T/zipf1.nst@0" -p cpu.model=inorder
# NUMA balancing with its scanner shortened so that it acts within the run
nb="-p os.numa_balancing=1 -p os.numa_balancing_scan_delay=20000 -p os.numa_balancing_scan_period_min=20000
    -p os.numa_balancing_scan_period_max=200000 -p os.numa_balancing_scan_size_mb=4"
# shellcheck disable=SC2086
run phase8-thp-nb    skx-2s "$T/phase8.nst" -p os.thp=always $nb
# shellcheck disable=SC2086
run phase8-nb        skx-2s "$T/phase8.nst" -p os.thp=never $nb
run tiny1-swap       tiny   "$T/tiny1.nst@0" --policy bind:0 -p os.swap_size=256M
run tiny4-interleave tiny   "$T/tiny4.nst@0-3" --policy interleave:0-1
# shellcheck disable=SC2086
run phase8-tiny-thp  tiny   "$T/phase8.nst@0-3,0-3" -p os.thp=always $nb

# caches-only mode: native and lackey input
cg() {
    name=$1; shift
    if $N cachegrind --I1=32K,8,64 --D1=32K,8,64 --LL=1M,16,64 --json "$T/$name.json" "$@" >"$T/out" 2>&1; then
        { echo "## $name"; cat "$T/out"; flatten "$T/$name.json"; } | sed "s|$T|TMP|g" >> "$T/got"
    else
        nok "cachegrind $name"
    fi
}
cg cg-native --format native "$T/zipf1.nst"
# lackey text: fetches through 64 KiB of code; scattered loads over 4 MiB,
# a store stream over 32 MiB, modifies within 256 KiB
awk 'BEGIN {
    for (i = 0; i < 200000; i++) {
        h = (i * 2654435761) % 1048573
        printf "I  %x,4\n", 4194304 + (i * 4) % 65536
        if (i % 3 == 0) printf " L %x,8\n", 268435456 + (h % 524288) * 8
        else if (i % 3 == 1) printf " S %x,8\n", 268435456 + (i * 64) % 33554432
        else printf " M %x,4\n", 268435456 + (h % 65536) * 4
    } }' > "$T/lackey.txt"
cg cg-lackey "$T/lackey.txt"

if [ -n "$REGEN" ]; then
    cp "$T/got" "$REGEN"
    ok "expected results written to $REGEN"
elif [ ! -f "$EXPECTED" ]; then
    nok "no expected results at $EXPECTED"
else
    for name in $(sed -n 's/^## //p' "$EXPECTED"); do
        awk -v s="## $name" '$0 == s { on = 1; next } /^## / { on = 0 } on' "$EXPECTED" > "$T/e"
        awk -v s="## $name" '$0 == s { on = 1; next } /^## / { on = 0 } on' "$T/got" > "$T/g"
        grep -v '^sha256 ' "$T/e" > "$T/e.key"; grep -v '^sha256 ' "$T/g" > "$T/g.key"
        if diff "$T/e.key" "$T/g.key" > "$T/out"; then ok "$name: key results identical"; else nok "$name: key results differ (expected < > got)"; fi
        rm -f "$T/out"
        if cmp -s "$T/e" "$T/g"; then ok "$name: whole report identical"; else nok "$name: whole report differs (sha256 of the flattened report)"; fi
    done
fi
done_testing
