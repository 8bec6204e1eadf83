#!/bin/sh
# zswap end to end (docs/os-reclaim.md "zswap"): a BIND hog of 96 MiB on a
# 64 MiB node, its pages declared 30% compressible by `trace gen --compress`
# (page_content records), replayed with swap only and with zswap on:
#   - with zswap the swap-outs go to the compressed pool (zswpout) and the
#     swap-ins come back from it (zswpin), and the device is idle;
#   - the pool lives in RAM: nr_zspages and the debugfs view agree;
#   - a pool limit of 5% of RAM forces writeback (zswpwb, pool_limit_hit);
#   - zswap off (the default) leaves the run as it was;
#   - with zram as the swap device, swap I/O becomes compression in RAM
#     (mm_stat), and impossible combinations are configuration errors.
TAP_TMP=zswap; . "$(dirname "$0")/tap.sh"
D=$(dirname "$0")
M=$D/machines
# value of "name value" in a dump
val() { sed -n "s/^$2 \([0-9][0-9]*\)$/\1/p" "$1" | head -n 1; }
gt() { [ "${1:-0}" -gt "$2" ]; }
eq() { [ "${1:-x}" = "$2" ]; }

need_numasim

check "generate a BIND hog with 30%-compressible pages" $N trace gen --pattern hog --size 96M --accesses 50000 --mbind bind:0 --compress 30 -o "$T/hog.nst"
check "generated trace declares the contents" sh -c "$N trace gen --pattern hog --size 96M --accesses 10 --mbind bind:0 --compress 30 --format text -o $T/hog.txt && grep -q '^page_content addr=0x100000000 len=0x6000000 content=0 compress=30 flags=0' $T/hog.txt"
check "swap only" sh -c "$N run -q --machine $M/tiny-swap256.json --trace $T/hog.nst@0 --dump vmstat > $T/swap.txt"
check "zswap on" sh -c "$N run -q --machine $M/tiny-swap256.json --trace $T/hog.nst@0 -p os.zswap.enabled=true --dump vmstat,zswap > $T/z.txt"
expect "swap only: device swapping, zswap idle" 'gt $(val $T/swap.txt pswpout) 1000 && eq $(val $T/swap.txt zswpout) 0'
expect "zswap: stores and loads, no device I/O" 'gt $(val $T/z.txt zswpout) 1000 && gt $(val $T/z.txt zswpin) 1000 && eq $(val $T/z.txt pswpout) 0 && eq $(val $T/z.txt pswpin) 0'
expect "zswap: pool pages = pool_total_size / 4096 = nr_zspages" 'eq $(( $(val $T/z.txt pool_total_size) / 4096 )) $(val $T/z.txt nr_zspages) && gt $(val $T/z.txt nr_zspages) 1000'
expect "zswap: 30% compressible pages need about 0.3 pool pages each" 'gt $(( $(val $T/z.txt stored_pages) * 33 / 100 )) $(val $T/z.txt nr_zspages) && gt $(val $T/z.txt nr_zspages) $(( $(val $T/z.txt stored_pages) * 30 / 100 ))'
check "zswap with a 5% pool" sh -c "$N run -q --machine $M/tiny-swap256.json --trace $T/hog.nst@0 -p os.zswap.enabled=true -p os.zswap.max_pool_percent=5 --dump vmstat,zswap > $T/z5.txt"
expect "5% pool: limit hit, entries written back to the device" 'gt $(val $T/z5.txt pool_limit_hit) 0 && gt $(val $T/z5.txt zswpwb) 1000 && eq $(val $T/z5.txt zswpwb) $(val $T/z5.txt written_back_pages) && gt $(val $T/z5.txt pswpout) $(( $(val $T/z5.txt zswpwb) - 1 ))'
check "same inputs give the same views" sh -c "$N run -q --machine $M/tiny-swap256.json --trace $T/hog.nst@0 -p os.zswap.enabled=true -p os.zswap.max_pool_percent=5 --dump vmstat,zswap > $T/z5b.txt && cmp $T/z5.txt $T/z5b.txt"
check "a bad compress percentage is an error naming the record" sh -c "printf 'mmap addr=0x10000000 len=0x1000 prot=3 flags=34 fd=-1 offset=0 ret=0x10000000\npage_content addr=0x10000000 len=0x1000 content=0 compress=150 flags=0\nW 10000000 8\n' > $T/bad.txt; $N run -q --machine $M/tiny-swap256.json --trace $T/bad.txt@0 2>&1 | grep -q 'compress 150 is not 0..100'"

check "zram as the swap device" sh -c "$N run -q --machine $M/tiny-swap256.json --trace $T/hog.nst@0 -p os.zram.enabled=true --dump vmstat,zram > $T/zr.txt"
zram_field() { sed -n '/==> zram <==/{n;p;}' "$1" | awk -v f="$2" '{ print $f }'; }
expect "zram: swapping without readahead, no zswap" 'gt $(val $T/zr.txt pswpout) 1000 && eq $(val $T/zr.txt swap_ra) 0 && eq $(val $T/zr.txt zswpout) 0'
expect "zram: mm_stat mem_used_total = nr_zspages * 4096, compr/orig = 30%" 'eq $(zram_field $T/zr.txt 3) $(( $(val $T/zr.txt nr_zspages) * 4096 )) && eq $(( $(zram_field $T/zr.txt 2) * 100 / $(zram_field $T/zr.txt 1) )) 29'
check "zram without a swap size is an error" sh -c "! $N run -q --machine tiny --trace $T/hog.nst@0 -p os.zram.enabled=true 2>$T/e && grep -q 'zram.enabled: needs a swap device' $T/e"
check "zswap in front of zram is an error" sh -c "! $N run -q --machine $M/tiny-swap256.json --trace $T/hog.nst@0 -p os.zram.enabled=true -p os.zswap.enabled=true 2>$T/e && grep -q 'not modelled' $T/e"

done_testing
