#!/bin/sh
# The fast paths of caches-only mode (`numasim cachegrind`: the native
# decoder's tight loop, the inline cachegrind caches) must not change a count.
# The three traces of `make bench` (tests/bench/run.sh: an L1-resident sweep,
# a 64 MiB stream, Zipf over 1 GiB; shortened here), a two-thread Zipf trace
# and a lackey text trace (also converted to native) are replayed with several geometries (bench's,
# direct-mapped and mixed line sizes, 3-way with non-power-of-two ways,
# 64-way fully associative I1) and, for the native traces, with
# 7-record batches as well (NUMASIM_TRACE_BATCH), so records cross batch
# ends at every position.  Each "summary:" line is compared with
# tests/e2e/cachegrind/expected.txt, written by the binary before the
# speed work (main at cc35005); a difference in any count fails.
# Regenerate only for a change of results on purpose, and say so:
#     sh tests/e2e/test_cachegrind_fast.sh build --regen tests/e2e/cachegrind/expected.txt
TAP_TMP=cgfast; . "$(dirname "$0")/tap.sh"
HERE=$(dirname "$0")
EXPECTED=$HERE/cachegrind/expected.txt
REGEN=""
[ "${2:-}" = "--regen" ] && REGEN=${3:?--regen needs an output file}
need_numasim

gen() { # name accesses threads trace-gen-args...
    name=$1; acc=$2; thr=$3; shift 3
    "$N" trace gen "$@" --threads "$thr" --accesses "$acc" --write-ratio 0.25 --seed 1 \
        -o "$T/$name.nst" >/dev/null 2>&1 || nok "trace gen $name"
}
gen l1 400000 1 --pattern stream --size 8K --step 8
gen stream 1000000 1 --pattern stream --size 64M --step 8
gen zipf 300000 1 --pattern zipf --size 1G
gen zipf2 150000 2 --pattern zipf --size 64M
# lackey text: the bench's shape (fetches through 64 KiB of code, scattered
# loads over 4 MiB, a store stream over 32 MiB, modifies within 256 KiB),
# plus every 7th load 60 bytes into a line so that some straddle two lines
awk 'BEGIN {
    for (i = 0; i < 100000; i++) {
        h = (i * 2654435761) % 1048573
        printf "I  %x,4\n", 4194304 + (i * 4) % 65536
        if (i % 7 == 0) printf " L %x,8\n", 268435456 + (h % 4096) * 64 + 60
        else if (i % 3 == 0) printf " L %x,8\n", 268435456 + (h % 524288) * 8
        else if (i % 3 == 1) printf " S %x,8\n", 268435456 + (i * 64) % 33554432
        else printf " M %x,4\n", 268435456 + (h % 65536) * 4
    } }' > "$T/t.lackey"
# the same records as a native trace: fetches and data in one stream of records
"$N" trace convert "$T/t.lackey" "$T/lk.nst" --from lackey --to native >/dev/null 2>&1 || nok "trace convert"

: > "$T/got"
for geom in "--I1=32K,8,64 --D1=32K,8,64 --LL=1M,16,64" "--I1=1K,1,32 --D1=2K,2,64 --LL=64K,4,128" \
            "--I1=4K,64,64 --D1=12K,3,64 --LL=96K,3,32"; do
    for tr in l1 stream zipf zipf2 lk lackey; do
        case $tr in lackey) in="$T/t.lackey"; fmt=lackey ;; *) in="$T/$tr.nst"; fmt=native ;; esac
        for batch in "" 7; do
            [ "$fmt" = lackey ] && [ -n "$batch" ] && continue
            # shellcheck disable=SC2086
            s=$(NUMASIM_TRACE_BATCH=$batch "$N" cachegrind $geom --format $fmt "$in" 2>&1 | sed -n 's/^summary: //p')
            [ -n "$s" ] || nok "cachegrind $geom $tr printed no summary"
            echo "$tr $geom${batch:+ batch=$batch}: $s" >> "$T/got"
        done
    done
done

if [ -n "$REGEN" ]; then
    cp "$T/got" "$REGEN"
    ok "expected summaries written to $REGEN"
elif [ ! -f "$EXPECTED" ]; then
    nok "no expected summaries at $EXPECTED"
else
    while IFS= read -r line; do
        key=${line%%: *}
        want=$(grep -F -x -- "$line" "$EXPECTED")
        if [ -n "$want" ]; then ok "$key"
        else nok "$key: got '${line#*: }', want '$(grep -F -- "$key: " "$EXPECTED" | sed 's/.*: //')'"; fi
    done < "$T/got"
    [ "$(wc -l < "$T/got")" -eq "$(wc -l < "$EXPECTED")" ] && ok "as many runs as expected" ||
        nok "$(wc -l < "$T/got") runs, expected $(wc -l < "$EXPECTED")"
fi
done_testing
