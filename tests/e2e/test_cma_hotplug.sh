#!/bin/sh
# End-to-end scenarios of CMA and memory hotplug (docs/os-phys.md "CMA" and
# "Memory hotplug"), through `numasim run` with text traces carrying the
# cma_alloc and memory_offline / memory_online control records, on the tiny
# preset grown to 2 nodes x 512 MiB:
#   - a 448 MiB CMA area on node 0 takes a process's 96 MiB (the CMA balance
#     rule); a driver's cma_alloc of the whole area pushes the pages out, and
#     what does not fit in node 0's 64 MiB lands on node 1: the re-read goes remote;
#   - node 1's top block is onlined movable, the process on CPU 2 fills it,
#     the block is offlined: every page moves to node 0 and the re-read goes remote;
#   - a runs without the records and keys prints no CMA lines and stays local.
TAP_TMP=cmahp; . "$(dirname "$0")/tap.sh"
# percentage of accesses served by remote DRAM, from the run summary
remote() { sed -n 's/.*dram_remote \([0-9.]*\)%.*/\1/p' "$1"; }

need_numasim
MACH="--machine tiny -p nodes.0.memory=512M -p nodes.1.memory=512M"

# 96 MiB written page by page, then read page by page twice (no first touch: same mapping)
check "generate the writer (CPU 0)" $N trace gen --pattern stream --size 96M --step 4096 --accesses 50K --write-ratio 1 --format text -o "$T/w0.txt"
check "generate the writer (CPU 2)" $N trace gen --pattern stream --size 96M --step 4096 --cpus 2 --accesses 50K --write-ratio 1 --format text -o "$T/w2.txt"
check "generate the reader" $N trace gen --pattern stream --size 96M --step 4096 --accesses 48K --no-init --format text -o "$T/r.txt"
grep -v '^thread_cpu\|^mmap\|^#' "$T/r.txt" > "$T/reads.txt"

# --- CMA ---
{ cat "$T/w0.txt"; echo "cma_alloc node=0 count=114688"; cat "$T/reads.txt"; } > "$T/cma.txt"
# shellcheck disable=SC2086
check "CMA: the run with a driver's cma_alloc" sh -c "$N run $MACH -p 'os.numa_cma=[448]' --trace $T/cma.txt@0 --report $T/cma.json --dump cma,numa_maps,vmstat > $T/cma.out"
expect "CMA: the whole area went to the driver" 'grep -q "^/sys/kernel/mm/cma/numa0/alloc_pages_success:114688$" "$T/cma.out" && grep -q "^/sys/kernel/mm/cma/numa0/available_pages:0$" "$T/cma.out"'
expect "CMA: vmstat counts one cma_alloc_success" 'grep -q "^cma_alloc_success 1$" "$T/cma.out" && grep -q "^cma_alloc_fail 0$" "$T/cma.out"'
expect "CMA: the process's pages were migrated out, part to node 1" 'grep -q "anon=24576 dirty=24576 active=0 N0=[0-9]* N1=[1-9][0-9]*" "$T/cma.out" && grep -q "\"contig_range\": 24576" "$T/cma.json"'
expect "CMA: the re-read is partly remote" '[ "$(remote "$T/cma.out" | cut -d. -f1)" -ge 10 ]'
{ cat "$T/w0.txt"; echo "cma_alloc node=1 count=1"; } > "$T/cma_bad.txt"
# shellcheck disable=SC2086
check "CMA: cma_alloc on a node without an area is a counted, reported error" sh -c "$N run -q $MACH -p 'os.numa_cma=[448]' --trace $T/cma_bad.txt@0 2>&1 | grep -q 'ENODEV: node 1 has no CMA area'"

# --- memory hotplug ---
{ echo "memory_offline node=1 block=-1"; echo "memory_online node=1 block=-1 zone=1"; cat "$T/w2.txt";
  echo "memory_offline node=1 block=-1"; cat "$T/reads.txt"; } > "$T/hp.txt"
# shellcheck disable=SC2086
check "hotplug: the run offlining node 1's movable block" sh -c "$N run $MACH --trace $T/hp.txt@2 --report $T/hp.json --dump memory-blocks,numa_maps,zoneinfo > $T/hp.out"
expect "hotplug: memory7 is offline, its valid zones Movable then Normal" 'grep -q "^/sys/devices/system/memory/memory7/state:offline$" "$T/hp.out" && grep -q "^/sys/devices/system/memory/memory7/valid_zones:Movable Normal$" "$T/hp.out"'
expect "hotplug: every page moved to node 0" 'grep -q "anon=24576 dirty=24576 active=0 N0=24576 kernelpagesize_kB=4" "$T/hp.out" && grep -q "\"memory_hotplug\": 24576" "$T/hp.json"'
expect "hotplug: the re-read from CPU 2 is remote" '[ "$(remote "$T/hp.out" | cut -d. -f1)" -ge 35 ]'
{ cat "$T/w2.txt"; echo "memory_offline node=1 block=4"; } > "$T/hp_busy.txt"
# shellcheck disable=SC2086
check "hotplug: a block holding page tables fails with EBUSY" sh -c "$N run -q $MACH --trace $T/hp_busy.txt@2 2>&1 | grep -q 'EBUSY: memory4'"

# --- no cost without them ---
{ cat "$T/w0.txt"; cat "$T/reads.txt"; } > "$T/plain.txt"
# shellcheck disable=SC2086
check "plain: the same workload without CMA or hotplug" sh -c "$N run $MACH --trace $T/plain.txt@0 --dump vmstat,pagetypeinfo > $T/plain.out"
expect "plain: local, and no CMA lines in the views" '[ "$(remote "$T/plain.out" | cut -d. -f1)" -eq 0 ] && ! grep -q "cma_alloc\|CMA" "$T/plain.out"'

done_testing
