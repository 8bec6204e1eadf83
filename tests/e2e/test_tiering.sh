#!/bin/sh
# Memory tiering end to end on tests/e2e/machines/tiny-cxl.json (DRAM nodes
# 0-1 with CPUs, slower memory-only nodes 2-3; docs/tiering.md):
#   - the driver's node figures give two tiers and Linux's boot message of
#     demotion targets (mm/memory-tiers.c dump_demotion_targets);
#   - a figure list of the wrong length is an error naming the key;
#   - a hot set that spilled to node 2 is promoted under numa_balancing=2
#     while node 0's kswapd demotes cold pages to make room (pgpromote_success,
#     pgdemote_kswapd in /proc/vmstat); without tiering neither moves.
TAP_TMP=tier; . "$(dirname "$0")/tap.sh"
HERE=$(dirname "$0")
M=$HERE/machines/tiny-cxl.json
need_numasim

check "generate hotcold" $N trace gen --pattern hotcold --size 80M --hot-size 8M --hot-ratio 0.9 --accesses 1500K -o "$T/hc.nst"

vstat() { sed -n "s/^$2 //p" "$1" | head -n 1; }

if $N run -q --no-progress --machine "$M" --trace "$T/hc.nst" -n 1 --dump memory_tiers >"$T/out" 2>&1 &&
   grep -q '^memory_tier4: 0-1$' "$T/out" && grep -q '^memory_tier83: 2-3$' "$T/out" &&
   grep -q '^Demotion targets for Node 0: preferred: 2, fallback: 2-3$' "$T/out" &&
   grep -q '^Demotion targets for Node 3: null$' "$T/out" &&
   grep -q '^weighted_interleave/node0: 13$' "$T/out" && grep -q '^weighted_interleave/node2: 2$' "$T/out"; then
    ok "memory_tiers view: tiers 4 and 83, node 0 demotes to 2, auto weights 13:2"
else
    nok "memory_tiers view: tiers 4 and 83, node 0 demotes to 2, auto weights 13:2"
fi

if ! $N run -q --no-progress --machine "$M" -p 'os.hmat_latency_ns=[50,50]' --trace "$T/hc.nst" -n 1 >"$T/out" 2>&1 &&
   grep -q 'os.hmat_latency_ns' "$T/out"; then
    ok "a figure list of the wrong length is an error naming the key"
else
    nok "a figure list of the wrong length is an error naming the key"
fi

NB="-p os.numa_balancing_scan_delay=5000000 -p os.numa_balancing_scan_period_min=5000000 -p os.numa_balancing_scan_period_max=20000000 -p os.numa_balancing_scan_size_mb=16 -p os.numa_balancing_hot_threshold=5000000"
if $N run -q --no-progress --machine "$M" --trace "$T/hc.nst" --dump vmstat >"$T/off" 2>&1 &&
   $N run -q --no-progress --machine "$M" -p os.numa_balancing=2 -p os.demotion_enabled=true $NB \
       --trace "$T/hc.nst" --dump vmstat >"$T/on" 2>&1; then
    p_off=$(vstat "$T/off" pgpromote_success); d_off=$(vstat "$T/off" pgdemote_kswapd)
    p_on=$(vstat "$T/on" pgpromote_success); d_on=$(vstat "$T/on" pgdemote_kswapd)
    c_on=$(vstat "$T/on" pgpromote_candidate); m_on=$(vstat "$T/on" numa_pages_migrated)
    echo "# off: promoted $p_off demoted $d_off; on: candidates $c_on promoted $p_on demoted $d_on migrated $m_on"
    if [ "$p_off" = 0 ] && [ "$d_off" = 0 ] && [ "${p_on:-0}" -gt 1000 ] && [ "${d_on:-0}" -gt 1000 ] &&
       [ "$c_on" -ge "$p_on" ] && [ "$m_on" -ge "$p_on" ]; then
        ok "hot pages promoted, cold pages demoted to make room; nothing moves without tiering"
    else
        cp "$T/on" "$T/out"; nok "hot pages promoted, cold pages demoted to make room; nothing moves without tiering"
    fi
else
    cp "$T/on" "$T/out" 2>/dev/null; nok "runs with and without tiering"
fi

done_testing
