#!/bin/sh
# KSM end to end (docs/os-ksm.md): two processes, one per node of the tiny
# machine, each with 4 MiB whose pages are declared identical to the other
# process's (`trace gen --dup-fraction 1 --dup-contents 1024 --mergeable true`:
# page i holds content i), replayed with ksmd scanning 1000 pages every 1 ms:
#   - merge_across_nodes 1 merges every pair (pages_shared 1024, pages_sharing
#     1024) and one process then reads the other node's copy (dram_remote);
#   - merge_across_nodes 0 keeps a copy per node: nothing merges, nothing is remote;
#   - writes break the sharing (cow_ksm), and written pages hold data of
#     their own (page_content without flag 1): they stay unmerged;
#   - run 0 (the default) merges nothing.
TAP_TMP=ksm; . "$(dirname "$0")/tap.sh"
val() { sed -n "s/^$2 \([0-9-][0-9]*\)$/\1/p" "$1" | head -n 1; }
remote() { sed -n 's/^served .* dram_remote \([0-9.]*\)%.*/\1/p' "$1" | cut -d. -f1; }
gt() { [ "${1:-0}" -gt "$2" ]; }
eq() { [ "${1:-x}" = "$2" ]; }

need_numasim

G="--pattern uniform --size 4M --accesses 2M --dup-fraction 1 --dup-contents 1024 --mergeable true"
check "generate the node-0 process" $N trace gen $G --write-ratio 0 --cpus 0 -o "$T/a.nst"
check "generate the node-1 process" $N trace gen $G --write-ratio 0 --cpus 2 --seed 2 -o "$T/b.nst"
check "generate a node-1 process that writes" $N trace gen $G --write-ratio 0.01 --cpus 2 --seed 2 -o "$T/bw.nst"
check "generated trace declares and madvises" sh -c "$N trace gen $G --accesses 10 --format text -o $T/a.txt && grep -q '^page_content addr=0x100001000 len=4096 content=2 compress=0 flags=0' $T/a.txt && grep -q '^madvise addr=0x100000000 len=0x400000 advice=12' $T/a.txt"
K="-p os.ksm.run=true -p os.ksm.pages_to_scan=1000 -p os.ksm.sleep=1000000"
check "ksm off" sh -c "$N run --no-progress --machine tiny --trace $T/a.nst@0 --trace $T/b.nst@2 --dump ksm > $T/off.txt"
check "ksm, merge_across_nodes 1" sh -c "$N run --no-progress --machine tiny --trace $T/a.nst@0 --trace $T/b.nst@2 $K --dump ksm,vmstat > $T/m1.txt"
check "ksm, merge_across_nodes 0" sh -c "$N run --no-progress --machine tiny --trace $T/a.nst@0 --trace $T/b.nst@2 $K -p os.ksm.merge_across_nodes=false --dump ksm > $T/m0.txt"
expect "off: nothing merged, nothing remote" 'eq $(val $T/off.txt pages_shared) 0 && eq $(val $T/off.txt full_scans) 0 && eq $(remote $T/off.txt) 0'
expect "across nodes: every pair merged" 'eq $(val $T/m1.txt pages_shared) 1024 && eq $(val $T/m1.txt pages_sharing) 1024 && gt $(val $T/m1.txt full_scans) 2'
expect "across nodes: general_profit = 1024 * 4096 - 2048 * 64" 'eq $(val $T/m1.txt general_profit) 4063232'
expect "across nodes: one process reads the other node's pages" 'gt $(remote $T/m1.txt) 20'
expect "per node: nothing merges, nothing remote" 'eq $(val $T/m0.txt pages_shared) 0 && eq $(val $T/m0.txt merge_across_nodes) 0 && eq $(remote $T/m0.txt) 0'
check "writes to merged pages" sh -c "$N run --no-progress --machine tiny --trace $T/a.nst@0 --trace $T/bw.nst@2 $K --dump ksm,vmstat > $T/w.txt"
expect "writes break the sharing (cow_ksm) and written pages stay apart" 'gt $(val $T/w.txt cow_ksm) 10 && gt $(val $T/w.txt pages_unshared) 100 && gt 1024 $(val $T/w.txt pages_sharing)'
check "same inputs give the same output" sh -c "$N run --no-progress --machine tiny --trace $T/a.nst@0 --trace $T/bw.nst@2 $K --dump ksm,vmstat > $T/w2.txt && cmp $T/w.txt $T/w2.txt"

done_testing
