#!/bin/sh
# End-to-end checks of a machine with CXL memory (spr-2s-cxl): `machine show`
# prints the memory-only nodes as numactl -H does, `mlc` measures them as
# memory columns, and `mlc --loaded-latency` can target one (docs/hw.md).
TAP_TMP=cxl; . "$(dirname "$0")/tap.sh"
# row R, column C (1-based over the node columns) of the first matrix after the line matching $2
cell() { # file, header-regex, row-node, column
    awk -v hdr="$2" -v row="$3" -v col="$4" '
        $0 ~ hdr { on = 1; next }
        on && $1 == "Numa" && $2 == "node" && NF > 2 { next }
        on && $1 == row { print $(col + 2); exit }' "$1"
}

need_numasim

$N machine show spr-2s-cxl >"$T/show" 2>&1
cp "$T/show" "$T/out"
check "machine show: 4 nodes" grep -qx "available: 4 nodes (0-3)" "$T/show"
check "machine show: CXL nodes 2 and 3 have no CPUs" sh -c "grep -qx 'node 2 cpus:' $T/show && grep -qx 'node 3 cpus:' $T/show"
check "machine show: CXL node size" grep -qx "node 2 size: 98304 MB" "$T/show"
check "machine show: SLIT with CXL distances 14/24/26" sh -c "grep -qx '  0:  10  21  14  24 ' $T/show && grep -qx '  3:  24  14  26  10 ' $T/show"
check "machine show: CXL link with flit framing" grep -q "node 0 <-> node 2: .*CXL 68-byte flits (a 64 B line is 85 B on the wire)" "$T/show"
check "machine show: device controller" grep -q "node 2: behind a CXL Type-3 controller: 64 trackers" "$T/show"

$N mlc --machine spr-2s-cxl --lines 100000 >"$T/mlc" 2>&1
cp "$T/mlc" "$T/out"
check "mlc: CXL nodes are memory columns" sh -c "grep -A1 'idle latencies' $T/mlc | tail -n 1 | grep -q 'Numa node' &&
    [ \$(grep -c '^Numa node	       0	       1	       2	       3$' $T/mlc) -eq 2 ]"
check "mlc: no rows for CPU-less nodes" sh -c "! grep -Eq '^       [23]	' $T/mlc"
l00=$(cell "$T/mlc" "idle latencies" 0 0); l01=$(cell "$T/mlc" "idle latencies" 0 1)
l02=$(cell "$T/mlc" "idle latencies" 0 2); l12=$(cell "$T/mlc" "idle latencies" 1 2)
echo "# idle: 0->0 $l00, 0->1 $l01, 0->2 $l02, 1->2 $l12 ns"
check "mlc: CXL latency 237.5-262.5 ns (Intel: 250 ns)" awk -v v="$l02" 'BEGIN { exit !(v >= 237.5 && v <= 262.5) }'
check "mlc: local < remote socket < own CXL < other socket's CXL" \
    awk -v a="$l00" -v b="$l01" -v c="$l02" -v d="$l12" 'BEGIN { exit !(a < b && b < c && c < d) }'
b02=$(cell "$T/mlc" "Memory Bandwidths" 0 2); b00=$(cell "$T/mlc" "Memory Bandwidths" 0 0)
echo "# bandwidth: 0->0 $b00, 0->2 $b02 MB/s"
check "mlc: CXL read bandwidth 16.9-18.7 GB/s (Intel: 17.8)" awk -v v="$b02" 'BEGIN { exit !(v >= 16900 && v <= 18700) }'

$N mlc --loaded-latency --machine spr-2s-cxl --memory-node 2 -d 0 -d 20000 --loads 1000 >"$T/ll" 2>&1
cp "$T/ll" "$T/out"
check "loaded latency: buffers on the CXL node" grep -q "buffers on node 2" "$T/ll"
lat0=$(awk '$1 == "00000" { print $2 }' "$T/ll"); bw0=$(awk '$1 == "00000" { print $3 }' "$T/ll")
agg0=$(awk '$1 == "00000" { print $4 }' "$T/ll")
latidle=$(awk '$1 == "20000" { print $2 }' "$T/ll")
echo "# loaded: delay 0 $lat0 ns at $bw0 MB/s (aggregate $agg0 MB/s); delay 20000 $latidle ns"
# MLC's arithmetic sums each thread's loads over its own window, so threads that
# finish early can lift the sum slightly above the device's rate: 2% of slack
check "loaded latency: saturates at the device's 17.8 GB/s" awk -v v="$bw0" 'BEGIN { exit !(v >= 16000 && v <= 18150) }'
# The aggregate puts every line memory served into one window holding every
# measured thread (first start to last end): no slack, the controller moves a
# 64 B line per 3596 ps (17,797 MB/s); at 95% or more it was busy the whole window
check "loaded latency: aggregate over the shared window 16,907-17,800 MB/s" \
    awk -v v="$agg0" 'BEGIN { exit !(v >= 16907 && v <= 17800) }'
check "loaded latency: latency grows with load" awk -v a="$lat0" -v b="$latidle" 'BEGIN { exit !(a > 2 * b) }'
fails_with "loaded latency: a node that does not exist" 1 "--memory-node 7: the machine has nodes 0-3" \
    $N mlc --loaded-latency --machine spr-2s-cxl --memory-node 7 -d 0 --loads 100

done_testing
