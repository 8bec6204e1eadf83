#!/bin/sh
# Memory policies end to end on the 2-node `tiny` preset: where pages land
# (numa_maps, numastat) and the remote-access ratio that follows from it.
#   - two threads, one per node, each writes then reads its own 256 KiB
#     (four times the L3, so reads go to DRAM);
#   - first touch keeps each thread's data local; interleave and bind:1
#     make half of the DRAM accesses remote;
#   - one thread writing 80 MiB under the default policy outgrows node 0
#     (64 MiB) and spills to node 1: numa_miss on node 1, numa_foreign on 0.
TAP_TMP=pol; . "$(dirname "$0")/tap.sh"
need_numasim

# trace: thread 0 on CPU 0 (node 0) owns 0x10000000.., thread 1 on CPU 2 (node 1) owns 0x10040000..
{
    echo "thread_cpu cpu=0"
    echo "T1 thread_cpu cpu=2"
    i=0
    while [ $i -lt 64 ]; do
        printf 'W %x 8\nT1 W %x 8\n' $((0x10000000 + i * 4096)) $((0x10040000 + i * 4096))
        i=$((i + 1))
    done
    r=0
    while [ $r -lt 4 ]; do
        i=0
        while [ $i -lt 4096 ]; do
            printf 'R %x 8\nT1 R %x 8\n' $((0x10000000 + i * 64)) $((0x10040000 + i * 64))
            i=$((i + 1))
        done
        r=$((r + 1))
    done
} > "$T/two.txt"

ratio() { sed -n 's/.*"remote_ratio": \([0-9.e-]*\).*/\1/p' "$1" | head -n 1; }
maps()  { grep -A1 '==> numa_maps' "$1" | tail -n 1; }

run() { # policy name
    if [ "$1" = default ]; then pol=""; else pol="--policy $1"; fi
    # shellcheck disable=SC2086
    "$N" run -q --machine tiny --trace "$T/two.txt" $pol --report "$T/$2.json" --dump numa_maps,numastat >"$T/$2.txt" 2>&1
}

check_policy() { # policy name want-N0 want-N1 ratio-low ratio-high
    if ! run "$1" "$2"; then cp "$T/$2.txt" "$T/out"; nok "$1: run"; return; fi
    m=$(maps "$T/$2.txt"); r=$(ratio "$T/$2.json")
    echo "# $1: $m; remote ratio $r"
    case "$m" in
        *"N0=$3 N1=$4 "*|*"N0=$3 kernel"*|*"N1=$4 kernel"*) ok "$1: numa_maps places N0=$3 N1=$4" ;;
        *) echo "$m" > "$T/out"; nok "$1: numa_maps places N0=$3 N1=$4" ;;
    esac
    if awk -v r="$r" -v lo="$5" -v hi="$6" 'BEGIN { exit !(r >= lo && r <= hi) }'; then
        ok "$1: remote ratio $r in [$5, $6]"
    else
        echo "remote ratio $r" > "$T/out"; nok "$1: remote ratio $r in [$5, $6]"
    fi
}

check_policy default ft 64 64 0 0.02
check_policy interleave:0-1 il 64 64 0.45 0.55
check_policy bind:1 b1 0 128 0.45 0.55
check_policy bind:0 b0 128 0 0.45 0.55

# spill under the default policy: 80 MiB from node 0's CPU on 64 MiB nodes
if "$N" trace gen --pattern hog --size 80M --threads 1 --cpus 0 -o "$T/hog.nst" >/dev/null 2>&1 &&
   "$N" run -q --machine tiny --trace "$T/hog.nst" --dump numastat >"$T/hog.txt" 2>&1; then
    miss1=$(awk '/^numa_miss/ { print $3 }' "$T/hog.txt")
    foreign0=$(awk '/^numa_foreign/ { print $2 }' "$T/hog.txt")
    miss0=$(awk '/^numa_miss/ { print $2 }' "$T/hog.txt")
    echo "# spill: numa_miss node1 $miss1, numa_foreign node0 $foreign0, numa_miss node0 $miss0"
    if [ "${miss1:-0}" -gt 1000 ] && [ "$miss1" = "$foreign0" ] && [ "$miss0" = 0 ]; then
        ok "default policy spills to node 1: numa_miss(1) = numa_foreign(0) = $miss1"
    else
        cp "$T/hog.txt" "$T/out"; nok "default policy spills to node 1"
    fi
else
    cp "$T/hog.txt" "$T/out" 2>/dev/null; nok "hog run"
fi

# set_mempolicy is per thread (do_set_mempolicy changes current->mempolicy): thread 1 binds to
# node 0 and writes from node 1's CPU; thread 0 binds to node 1 and writes from node 0's CPU
cat > "$T/thr.txt" <<'TR'
mmap addr=0 len=0x4000 prot=3 flags=0x22 fd=-1 offset=0 ret=0x7f0000000000
clone child=1
T1 set_mempolicy mode=bind nodes=0
set_mempolicy mode=bind nodes=1 +10000
T1 W 7f0000000000 +1000000
W 7f0000001000 +2000000
TR
if "$N" run --machine tiny --trace "$T/thr.txt@0,2" --dump numa_maps --report "$T/thr.json" >"$T/thr.out" 2>&1 &&
   grep -q 'bind:1 anon=2 dirty=2 active=0 N0=1 N1=1' "$T/thr.out" &&
   tr -d ' \n' <"$T/thr.json" | grep -q '"threads":\[{"tid":0,"policy":"bind:1"},{"tid":1,"policy":"bind:0"}\]'; then
    ok "per-thread set_mempolicy: each thread's page on its own bound node, threads[] in the report"
else
    cp "$T/thr.out" "$T/out"; nok "per-thread set_mempolicy"
fi

# a thread starts with its creator's policy (copy_process duplicates the task's mempolicy):
# thread 1 binds itself to node 1 and creates thread 2, which writes a page from node 0's CPU
cat >"$T/clone.txt" <<'TR'
clone child=1
T1 set_mempolicy mode=bind nodes=1
T1 clone child=2
T2 W 7f0000001000 8
W 7f0000100000 8 +1000000
TR
if "$N" run --machine tiny --trace "$T/clone.txt@0,1,0" --dump numa_maps >"$T/out" 2>&1 &&
   grep -q 'default anon=2 dirty=2 active=0 N0=1 N1=1' "$T/out"; then
    ok "a cloned thread inherits its creator's set_mempolicy (its page on node 1, thread 0's on node 0)"
else
    nok "cloned thread's policy"
fi

# NUMA balancing's task placement (task_numa_migrate): thread 0 on node 1 first-touches
# 64 MiB, then it and thread 1 on node 0 use it.  Both prefer node 1, so the driver moves
# thread 1 to a CPU of node 1 (and reports the move); thread 0 stays.
NB="-p os.numa_balancing=1 -p os.numa_balancing_scan_delay=1000000 -p os.numa_balancing_scan_period_min=1000000
    -p os.numa_balancing_scan_period_max=20000000 -p os.numa_balancing_scan_size_mb=16"
# shellcheck disable=SC2086
if "$N" trace gen --pattern shared --use zipf --size 64M --threads 2 --cpus 28,0 --accesses 1M --seed 1 \
        -o "$T/nb.nst" >"$T/out" 2>&1 &&
   "$N" run -q --machine skx-2s --trace "$T/nb.nst" $NB --report "$T/nb.json" >>"$T/out" 2>&1 &&
   tr -d ' \n' <"$T/nb.json" | grep -q '"cpus":\[28,2[89]\],"thread_numa_moves":\[0,1\]'; then
    ok "NUMA balancing moves the remote thread to its preferred node (thread_numa_moves, cpus)"
else
    nok "NUMA balancing task placement"
fi

done_testing
