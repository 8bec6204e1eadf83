#!/bin/sh
# `numasim mlc --loaded-latency` against `numasim run` on the trace that
# `numasim trace gen --pattern mlc-loaded` writes for the same step, and the
# shape of the loaded-latency curve (docs/mlc.md).
TAP_TMP=mlcl; . "$(dirname "$0")/tap.sh"
export TMPDIR="$T"

need_numasim

# point DELAY KEY: a number of the JSON point of that delay
point() {
    awk -v d="$1" -v k="\"$2\":" '
        $1 == "\"delay\":" { cur = $2; sub(",", "", cur) }
        $1 == k && cur == d { v = $2; sub(",", "", v); sub("\"", "", v); print v; exit }' "$T/m.json"
}
args_of() {
    awk -v d="$1" '
        $1 == "\"delay\":" { cur = $2; sub(",", "", cur) }
        $1 == "\"trace_gen_args\":" && cur == d { sub(/^[^:]*: "/, ""); sub(/"$/, ""); print; exit }' "$T/m.json"
}
# the mlc arithmetic on a run report: latency = window / loads of the latency CPU;
# bandwidth = sum of loads x 64 / window over the measured CPUs; window from the init CPU's end;
# aggregate = lines memory served the measured CPUs x 64 / (last end - first start), a CPU's
# start being its end less counters.thread_ps (the first "dram_*" of a CPU is its "served")
from_report() { # report init-cpu latency-cpu
    awk -v init="$2" -v lat="$3" '
        /^  "cpus": \[/ { in_cpus = 1; next }
        in_cpus && /^  \]/ { in_cpus = 0 }
        in_cpus && $1 == "\"cpu\":" { c = $2; sub(",", "", c); seen_loads = 0; seen_l = 0; seen_r = 0 }
        in_cpus && $1 == "\"time_ns\":" { t = $2; sub(",", "", t); end[c] = t + 0 }
        in_cpus && $1 == "\"loads\":" && !seen_loads { l = $2; sub(",", "", l); loads[c] = l + 0; seen_loads = 1 }
        in_cpus && $1 == "\"thread_ps\":" { v = $2; sub(",", "", v); tps[c] = v + 0 }
        in_cpus && $1 == "\"dram_local\":" && !seen_l { v = $2; sub(",", "", v); mem[c] += v; seen_l = 1 }
        in_cpus && $1 == "\"dram_remote\":" && !seen_r { v = $2; sub(",", "", v); mem[c] += v; seen_r = 1 }
        END {
            t0 = end[init]; bw = 0; lines = 0; first = -1; last = 0
            for (c in loads) if (c != init && loads[c] > 0) {
                bw += loads[c] * 64 / (end[c] - t0); lines += mem[c]
                s = end[c] - tps[c] / 1000
                if (first < 0 || s < first) first = s
                if (end[c] > last) last = end[c]
            }
            printf "%.6f %.3f %.3f\n", (end[lat] - t0) / loads[lat], bw * 1000, lines * 64 / (last - first) * 1000
        }' "$1"
}
within() { # a b pct: |a-b| <= pct% of b
    awk -v a="$1" -v b="$2" -v p="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(b > 0 && d <= b * p / 100) }'
}

check "mlc --loaded-latency runs three delays on tiny" \
    sh -c "$N mlc --loaded-latency --machine tiny -d 0 -d 300 -d 20000 --loads 2000 -b 8M --injector-buffer 2M --json $T/m.json > $T/table"
check "prints MLC's table header and one row per delay" \
    sh -c "grep -q '^Inject	Latency	Bandwidth	Aggregate$' $T/table && grep -q '^Delay	(ns)	MB/sec' $T/table && test \$(grep -c '^ [0-9][0-9][0-9][0-9][0-9]	' $T/table) -eq 3"

args=$(args_of 300)
lat=$(point 300 latency_ns); bw=$(point 300 bandwidth_mbps); agg=$(point 300 aggregate_mbps)
check "trace gen --pattern mlc-loaded writes the step's workload" \
    sh -c "$N trace gen --pattern mlc-loaded $args -o $T/step.nst && $N trace stat $T/step.nst > $T/stat && grep -q '^  dependent: 2000\$' $T/stat"
check "numasim run replays it" sh -c "$N run -q --machine tiny --trace $T/step.nst --report $T/r.json"
set -- $(from_report "$T/r.json" 2 0)
echo "# mlc: $lat ns $bw MB/s (aggregate $agg); run: $1 ns $2 MB/s (aggregate $3)"
if [ -n "$lat" ] && [ -n "$1" ] && within "$1" "$lat" 5 && within "$2" "$bw" 5; then
    ok "mlc and run agree within 5% (latency and bandwidth, delay 300)"
else
    nok "mlc and run agree within 5% (latency and bandwidth, delay 300)"
fi
# docs/mlc.md: the aggregate column is computable from the run report alone
if [ -n "$agg" ] && [ -n "$3" ] && within "$3" "$agg" 0.1 && awk -v a="$agg" -v b="$bw" 'BEGIN { exit !(a < b) }'; then
    ok "the aggregate follows from the run report (served lines, thread_ps) and is below MLC's sum at delay 300"
else
    nok "the aggregate follows from the run report (served lines, thread_ps) and is below MLC's sum at delay 300"
fi

# The curve's shape: more offered load never lowers the chase's latency, and
# with the injectors nearly idle the chase sees the idle latency.
l0=$(point 0 latency_ns); l20k=$(point 20000 latency_ns); b0=$(point 0 bandwidth_mbps); b20k=$(point 20000 bandwidth_mbps)
idle=$("$N" mlc --machine tiny --latency-only --samples 2000 | awk '$1 == "0" { print $2; exit }')
echo "# delay 0: $l0 ns $b0 MB/s; delay 20000: $l20k ns $b20k MB/s; idle $idle ns"
check "more offered load: more bandwidth and no lower latency (5% slack)" \
    awk -v l0="$l0" -v l1="$l20k" -v b0="$b0" -v b1="$b20k" 'BEGIN { exit !(b0 > b1 && l0 >= l1 * 0.95) }'
check "latency at delay 20000 within 10% of the idle latency" within "$l20k" "$idle" 10

check "bad injector list is a usage error" sh -c "$N mlc --loaded-latency --machine tiny -k 1-x 2>$T/e; test \$? -eq 2 && grep -q 'not a CPU list' $T/e"
check "no CPU left for the init thread is an error" \
    sh -c "$N mlc --loaded-latency --machine tiny -k 1-3 -d 0 2>$T/e; test \$? -eq 1 && grep -q 'no CPU is left' $T/e"
check "leaves no temporary trace behind" sh -c "test -z \"\$(find $T -name 'numasim-mlc.*')\""
done_testing
