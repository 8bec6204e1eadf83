#!/bin/sh
# The kernel's own allocations and the memory views through `numasim run`
# (os/slab.c, os/vmalloc.c, os/meminfo.c, os/smaps.c): a process on node 0
# whose data is mbind()ed to node 1 keeps its page tables, VMA and task
# objects and kernel stack on node 0 (per-node meminfo), -p
# os.kernel_objects=false takes them away, -p os.slub_min_objects changes
# the slab geometry (slabinfo), and smaps_rollup counts the pages mapped.
TAP_TMP=kmem; . "$(dirname "$0")/tap.sh"
has() { grep -qxF "$2" "$1"; }

need_numasim
echo "1..12"

# 4 MiB bound to node 1, written page by page from CPU 0 (node 0 of the tiny preset)
{
    echo 'mmap addr=0x40000000 len=0x400000 prot=3 flags=0x22 fd=-1 offset=0'
    echo 'mbind addr=0x40000000 len=0x400000 mode=bind nodes=1'
    i=0
    while [ $i -lt 1024 ]; do printf 'W %x 8\n' $((0x40000000 + i * 4096)); i=$((i + 1)); done
} > "$T/a.txt"
"$N" run -q --machine tiny --trace "$T/a.txt@0" -d node-meminfo,meminfo,slabinfo,smaps_rollup >"$T/a.out" 2>"$T/out"
rc=$?
expect "run with the memory views succeeds" '[ $rc -eq 0 ]'
expect "node 1 holds the 4 MiB of data" 'has "$T/a.out" "Node 1 AnonPages:          4096 kB"'
expect "node 0 holds the page tables (the faulting task's local node)" \
    'grep -q "^Node 0 PageTables: *[1-9][0-9]* kB" "$T/a.out" && has "$T/a.out" "Node 1 PageTables:            0 kB"'
expect "node 0 holds the slab objects and the 16 KiB kernel stack" \
    'grep -q "^Node 0 Slab: *[1-9][0-9]* kB" "$T/a.out" && has "$T/a.out" "Node 0 KernelStack:          16 kB" &&
     has "$T/a.out" "Node 1 Slab:                  0 kB"'
expect "meminfo: VmallocUsed is the stack" 'has "$T/a.out" "VmallocUsed:          16 kB"'
expect "smaps_rollup: Rss is the pages mapped" 'has "$T/a.out" "Rss:                4096 kB"'

"$N" run -q --machine tiny -p os.kernel_objects=false --trace "$T/a.txt@0" -d meminfo >"$T/b.out" 2>"$T/out"
expect "-p os.kernel_objects=false: no slab, no kernel stack" \
    'has "$T/b.out" "Slab:                  0 kB" && has "$T/b.out" "KernelStack:           0 kB"'

# calculate_order with slub_min_objects=4: mm_struct (1344 B) -> get_order(5376) = 1, 8192 / 1344 = 6
"$N" run -q --machine tiny -p os.slub_min_objects=4 --trace "$T/a.txt@0" -d slabinfo >"$T/c.out" 2>"$T/out"
expect "-p os.slub_min_objects=4: mm_struct slabs of 6 objects in 2 pages" \
    'has "$T/c.out" "mm_struct              1      6   1344    6    2 : tunables    0    0    0 : slabdata      1      1      0"'

# the thread moves from CPU 0 (node 0) to CPU 2 (node 1) between two 2 MiB mappings
{
    echo 'mmap addr=0x40000000 len=0x200000 prot=3 flags=0x22 fd=-1 offset=0'
    i=0; while [ $i -lt 512 ]; do printf 'W %x 8\n' $((0x40000000 + i * 4096)); i=$((i + 1)); done
    echo 'thread_cpu cpu=2'
    echo 'mmap addr=0x80000000 len=0x200000 prot=3 flags=0x22 fd=-1 offset=0'
    i=0; while [ $i -lt 512 ]; do printf 'W %x 8\n' $((0x80000000 + i * 4096)); i=$((i + 1)); done
} > "$T/m.txt"
"$N" run -q --machine tiny --trace "$T/m.txt@0" -d node-meminfo,slabinfo >"$T/m.out" 2>"$T/out"
expect "moved thread: its second mapping's data is on node 1" 'has "$T/m.out" "Node 1 AnonPages:          2048 kB"'
expect "moved thread: new page tables (PMD and PTE table) and a vm_area_struct slab on node 1" \
    'has "$T/m.out" "Node 1 PageTables:            8 kB" && has "$T/m.out" "Node 1 Slab:                  4 kB"'
expect "moved thread: task_struct, mm_struct and stack stay on node 0" \
    'has "$T/m.out" "Node 0 KernelStack:          16 kB" && has "$T/m.out" "Node 0 Slab:                 68 kB"'

"$N" run -q --machine tiny --trace "$T/a.txt@0" -d smapz >"$T/out" 2>&1
expect "an unknown view is refused before the run" '! grep -q "==>" "$T/out" && grep -q "smaps" "$T/out"'
exit $failed
