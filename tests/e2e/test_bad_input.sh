#!/bin/sh
# tests/e2e/test_bad_input.sh BUILD_DIR - the bad-input table.
#
# Each row is one malformed input to numasim: a trace for every reader
# (plain and compressed), a machine file, a -p override, a sweep spec or a
# command line.  Every row must give a non-zero exit, a message holding
# the row's text (which names the file and line, the byte offset or the
# JSON path), no sanitizer report (the suite also runs on the ASan+UBSan
# build, make test-san) and no output left in the output directory - not
# even a temporary.  Rows are "text<TAB>command"; $N is numasim, $I the
# input directory, $O the output directory (emptied before each row).
TAP_TMP=badin; . "$(dirname "$0")/tap.sh"
case $N in /*) ;; *) N=$(pwd)/$N ;; esac
I=$T/in; O=$T/out
mkdir -p "$I" "$O"
TAP_LOG=$T/log; TAP_LOG_LINES=12

need_numasim

# ---- inputs ---------------------------------------------------------------------------
cd "$I" || exit 1
t() { printf "$2" >"$1"; }     # t FILE PRINTF-TEXT
t t01.txt 'Q 10\n'
t t02.txt 'R 1x0\n'
t t03.txt 'W 10 0\n'
t t04.txt 'W 10 8 9\n'
t t05.txt 'T70000 R 10\n'
t t06.txt 'R 10\nR\n'
t t07.txt 'mmap bogus=1\n'
t t08.txt 'mbind mode=sideways\n'
t t09.txt 'brk addr=1 addr=2\n'
t t10.txt 'R 10\nfile_read fd=3 offset=0 len=0xffffffffffffffff\n'
t t11.txt 'file_write fd=3 offset=0x7fffffffffffffff len=1\n'
t t12.txt 'W 10 8 +4294967296\n'
t t13.txt '# ok\nR 10\nR 20\nexit status=zz\n'
t t14.txt 'mbind nodes=64\n'
head -c 2000000 /dev/zero | tr '\0' 'R' >t15.txt
t t16.txt 'R 10\nR 20 8 +1 +2\n'
# native: header = magic, version u16, header size u16, flags u32, threads u32, 12 reserved
hdr() { printf 'NUMASIMT\001\000\040\000\000\000\000\000\001\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000'; }
printf 'NUMASIMX' >n01.nst
printf 'NUMASIMT\001\000' >n02.nst
{ printf 'NUMASIMT\003\000\040\000'; head -c 20 /dev/zero; } >n03.nst
{ printf 'NUMASIMT\001\000\040\000\001\000\000\000'; head -c 20 /dev/zero; } >n04.nst
{ hdr; printf '\044\020\010'; } >n05.nst                   # one load, then no END
{ hdr; printf '\044\020\010\234'; } >n06.nst               # unknown tag 0x9c
{ hdr; printf '\201\015\003\003\000\377\377\377\377\377\377\377\377\377\001\000\000\202\001'; } >n07.nst   # file_read len 2^64-1
{ hdr; printf '\201\077\000\000\000\202\001'; } >n08.nst   # control kind 63
{ hdr; printf '\044\020\010\202\007'; } >n09.nst           # END count 7, 1 record
{ hdr; printf '\200\005\044\020\010'; } >n10.nst           # thread 5 of 1 declared
"$N" trace gen --pattern gups --size 1M --accesses 20K -o full.nst.gz 2>/dev/null
head -c 2000 full.nst.gz >n11.nst.gz
"$N" trace gen --pattern gups --size 1M --accesses 20K -o full.nst.zst 2>/dev/null
head -c 2000 full.nst.zst >n12.nst.zst
"$N" trace gen --pattern gups --size 1M --accesses 20K -o full.nst.xz 2>/dev/null
head -c 2000 full.nst.xz >n13.nst.xz
{ printf '\037\213\010\000'; head -c 64 /dev/zero; } >n14.nst.gz
t l01.lackey '==1== Lackey\nI  0400,3\n L 12g4,8\n'
t l02.lackey '==1== Lackey\n S 1234\n'
t l03.lackey '==1== Lackey\n M 1234,0\n'
t l04.lackey '==1== Lackey\nI  10,4 x\n'
head -c 100 /dev/zero >c01.champsim
head -c 200 /dev/zero >c02.champsimtrace
"$N" machine dump tiny >tiny.json
t m01.json '{\n  "cpu": {\n'
t m02.json '{"bogus": 1}'
sed 's/"memory": [0-9]*/"memory": "lots"/' tiny.json >m03.json
sed 's/"mhz": [0-9]*/"mhz": 0/' tiny.json >m04.json
sed 's/"tRCD": [0-9]*/"tRCD": 0/' tiny.json >m05.json
t m06.json '{"nodes": []}'
t m07.json '[1, 2]'
s() { printf '%s' "$2" >"$1"; }   # s FILE TEXT
s s00.json '{"workloads":["a.nst"],"metrics":["s"]}'
s s01.json '{"workloads":[{"pattern":1}],"metrics":["s"]}'
s s02.json '{"metrics":["s"]}'
s s03.json '{"workloads":["a.nst"],"metrics":[]}'
s s04.json '{"workloads":["a.nst"],"metrics":["s"],"seeds":["1"]}'
s s05.json '{"workloads":["a.nst"],"metrics":["s"],"overrides":[["nokey"]]}'
s s06.json '{"workloads":[{"name":"../../escaped","pattern":"gups"}],"metrics":["s"]}'
s s07.json '{"workloads":["a.nst"],"metrics":["s"],"polices":["default"]}'
s s08.json '{"workloads":["a.nst"],'
s s09.json '{"workloads":["a.nst","b/a.nst"],"metrics":["s"]}'
s s10.json '{"workloads":[{"pattern":"gups","size":"lots"}],"metrics":["s"]}'
s s11.json '{"workloads":["a.nst"],"metrics":["s"],"overrides":[[],[]],"override_names":["x"]}'
s s12.json '{"workloads":["a.nst"],"metrics":["s"],"machines":[3]}'
s s13.json '{"workloads":[{"trace":"a.nst","gen":"g.json"}],"metrics":["s"]}'
s s14.json '{"workloads":[{"trace":7}],"metrics":["s"]}'
s s15.json '{"workloads":["a.nst"],"metrics":["s"],"name":"a/b"}'
s g01.json '{"pattern": "gups", "threads": 0}'
s g02.json '{"pattern": "gups", "zipf_s": "x"}'
printf 'R 1000 8\n' >ok.txt
bad_utf8=$(printf 'os.thp=a\372b')
bad_key=$(printf 'nodes[*].\223\232=0')
cd - >/dev/null || exit 1

# ---- the table: expected text <TAB> command ------------------------------------------------
R="run --machine tiny --report \$O/r.json --trace"
cat >"$T/table" <<TABLE
t01.txt:1: expected an op (R W I M) or a control name, found 'Q'	\$N $R \$I/t01.txt
t02.txt:1: expected a hexadecimal address	\$N $R \$I/t02.txt
t03.txt:1: expected a size in 1..65535, found '0'	\$N $R \$I/t03.txt
t04.txt:1: unexpected '9' after the record	\$N $R \$I/t04.txt
t05.txt:1: expected a thread id T0..T65535	\$N $R \$I/t05.txt
t06.txt:2: expected an address after R	\$N $R \$I/t06.txt
t07.txt:1: unknown argument 'bogus' for mmap	\$N $R \$I/t07.txt
t08.txt:1: expected a number or a policy name for mode	\$N $R \$I/t08.txt
t09.txt:1: argument 'addr' given twice	\$N $R \$I/t09.txt
t10.txt:2: file_read: expected len at most 0x7ffff000	\$N $R \$I/t10.txt
t11.txt:1: file_write: expected offset + len at most	\$N $R \$I/t11.txt
t12.txt:1: expected a gap +N below 2^32	\$N $R \$I/t12.txt
t13.txt:4: expected a number for status	\$N $R \$I/t13.txt
t14.txt:1: expected a number or a node list	\$N $R \$I/t14.txt
t15.txt:1: line longer than	\$N $R \$I/t15.txt
t16.txt:2: unexpected '+2' after the record	\$N $R \$I/t16.txt
t10.txt:2: file_read	\$N trace convert \$I/t10.txt \$O/c.nst
t01.txt:1:	\$N trace stat \$I/t01.txt
t02.txt:1:	\$N trace convert \$I/t02.txt \$O/c.txt --from text --to text
n01.nst: byte 0: expected the magic "NUMASIMT"	\$N $R native:\$I/n01.nst
n02.nst: byte 10: expected a 32-byte header	\$N $R \$I/n02.nst
n03.nst: byte 8: expected format version 1..2, found unsupported version 3	\$N $R \$I/n03.nst
n04.nst: byte 12: expected no required flags	\$N $R \$I/n04.nst
n05.nst: byte 35: expected a record or the end record	\$N $R \$I/n05.nst
n06.nst: byte 35: expected a record tag, found unknown tag 0x9c	\$N $R \$I/n06.nst
n07.nst: byte 32: file_read: expected len at most 0x7ffff000	\$N $R \$I/n07.nst
n08.nst: byte 32: expected a control kind below	\$N $R \$I/n08.nst
n09.nst: byte 35: expected an end record count of 1, found 7	\$N $R \$I/n09.nst
n10.nst: byte 32: expected a thread id below 1, found 5	\$N $R \$I/n10.nst
n11.nst.gz: truncated	\$N $R \$I/n11.nst.gz
n12.nst.zst: truncated	\$N $R \$I/n12.nst.zst
n13.nst.xz: truncated	\$N $R \$I/n13.nst.xz
n14.nst.gz: corrupt gzip data at compressed byte	\$N $R \$I/n14.nst.gz
n07.nst: byte 32	\$N trace convert \$I/n07.nst \$O/c.txt --to text
n05.nst: byte 35	\$N trace stat \$I/n05.nst
l01.lackey:3: expected a hexadecimal address of at most 64 bits	\$N $R \$I/l01.lackey
l02.lackey:2: expected ',' and a size after the address	\$N $R lackey:\$I/l02.lackey
l03.lackey:2: expected a decimal size in 1..65535	\$N $R \$I/l03.lackey
l04.lackey:2: expected the end of the line after the size	\$N $R \$I/l04.lackey
c01.champsim: byte 64: expected a 64-byte ChampSim record	\$N $R \$I/c01.champsim
c02.champsimtrace: byte 192: expected	\$N $R \$I/c02.champsimtrace
m01.json:3:	\$N run --machine \$I/m01.json --report \$O/r.json --trace \$I/ok.txt
m02.json: bogus: unknown key	\$N run --machine \$I/m02.json --report \$O/r.json --trace \$I/ok.txt
m03.json: nodes[0].memory	\$N run --machine \$I/m03.json --report \$O/r.json --trace \$I/ok.txt
m04.json: cpu.mhz	\$N run --machine \$I/m04.json --report \$O/r.json --trace \$I/ok.txt
m05.json: nodes[0].ddr.tRCD	\$N run --machine \$I/m05.json --report \$O/r.json --trace \$I/ok.txt
m06.json: nodes	\$N run --machine \$I/m06.json --report \$O/r.json --trace \$I/ok.txt
m07.json: top level must be a JSON object	\$N run --machine \$I/m07.json --report \$O/r.json --trace \$I/ok.txt
m04.json: cpu.mhz	\$N machine show \$I/m04.json
--machine nosuch: no such preset or file	\$N run --machine nosuch --report \$O/r.json --trace \$I/ok.txt
preset tiny: x: unknown key	\$N run --machine tiny -p x=1 --report \$O/r.json --trace \$I/ok.txt
-p foo: expected key=value	\$N run --machine tiny -p foo --report \$O/r.json --trace \$I/ok.txt
-p nodes.9.memory=1: index 9 out of range	\$N run --machine tiny -p nodes.9.memory=1 --report \$O/r.json --trace \$I/ok.txt
every nodes[i].memory is 0	\$N run --machine tiny -p nodes[*].memory=0 --report \$O/r.json --trace \$I/ok.txt
cpu.mhz	\$N run --machine tiny -p cpu.mhz=abc --report \$O/r.json --trace \$I/ok.txt
nodes[1].ddr.tRCD	\$N run --machine tiny -p nodes.1.ddr.tRCD=0 --report \$O/r.json --trace \$I/ok.txt
the value is not valid UTF-8	\$N run --machine tiny -p "\$bad_utf8" --report \$O/r.json --trace \$I/ok.txt
the key is not valid UTF-8	\$N run --machine tiny -p "\$bad_key" --report \$O/r.json --trace \$I/ok.txt
-p nodes..x=1: malformed key path	\$N machine show tiny -p nodes..x=1
s01.json: workloads[0].pattern: must be a string	\$N sweep \$I/s01.json -o \$O/sw
s02.json: workloads: required	\$N sweep \$I/s02.json -o \$O/sw
s03.json: metrics: must be a non-empty array	\$N sweep \$I/s03.json -o \$O/sw
s04.json: seeds[0]	\$N sweep \$I/s04.json -o \$O/sw
s05.json: overrides[0][0]	\$N sweep \$I/s05.json -o \$O/sw
s06.json: workloads[0].name: name "../../escaped"	\$N sweep \$I/s06.json -o \$O/sw
s07.json: polices: unknown key	\$N sweep \$I/s07.json -o \$O/sw
s08.json:1:	\$N sweep \$I/s08.json -o \$O/sw
s09.json: workloads[1]: name "a" is already used	\$N sweep \$I/s09.json -o \$O/sw
s10.json: workloads[0]: size	\$N sweep \$I/s10.json -o \$O/sw
s11.json: override_names	\$N sweep \$I/s11.json -o \$O/sw
s12.json: machines[0]	\$N sweep \$I/s12.json -o \$O/sw
s13.json: workloads[0]: give trace or gen	\$N sweep \$I/s13.json -o \$O/sw
s14.json: workloads[0].trace	\$N sweep \$I/s14.json -o \$O/sw
s15.json: name: name "a/b"	\$N sweep \$I/s15.json -o \$O/sw
g01.json: threads	\$N trace gen \$I/g01.json -o \$O/g.nst
g02.json: zipf_s	\$N trace gen \$I/g02.json -o \$O/g.nst
--machine is required	\$N run --trace \$I/ok.txt --report \$O/r.json
--seed: "abc" is not a count	\$N run --machine tiny --seed abc --trace \$I/ok.txt --report \$O/r.json
ok.txt@: expected a CPU list after '@'	\$N run --machine tiny --trace \$I/ok.txt@ --report \$O/r.json
--trace : empty file name	\$N run --machine tiny --trace "" --report \$O/r.json
--max-accesses: "1x" is not a count	\$N run --machine tiny -n 1x --trace \$I/ok.txt --report \$O/r.json
nosuch.txt	\$N run --machine tiny --trace \$I/nosuch.txt --report \$O/r.json
-j: "0" is not in [1, 1024]	\$N sweep \$I/s01.json -o \$O/sw -j 0
--only-points: 9..1 is outside 1..1	\$N sweep \$I/s00.json -o \$O/sw --only-points 9..1
pattern	\$N trace gen --pattern nope -o \$O/g.nst
TABLE

# ---- run it ----------------------------------------------------------------------------------
tab=$(printf '\t')
while IFS="$tab" read -r want cmd; do
    rm -rf "$O"; mkdir -p "$O"
    eval "$cmd" >"$T/log" 2>&1 </dev/null
    rc=$?
    left=$(cd "$O" && find . -mindepth 1 | head -n 3 | tr '\n' ' ')
    if [ "$rc" -eq 0 ]; then
        echo "# exit 0" >>"$T/log"; nok "$want (exit status)"
    elif ! grep -qF -- "$want" "$T/log"; then
        echo "# message lacks: $want" >>"$T/log"; nok "$want (message)"
    elif grep -qE 'runtime error|AddressSanitizer|LeakSanitizer|Segmentation|Assertion' "$T/log"; then
        nok "$want (sanitizer report)"
    elif [ -n "$left" ]; then
        echo "# left behind: $left" >>"$T/log"; nok "$want (output left behind)"
    else
        ok "$want"
    fi
done <"$T/table"
rm -rf "$O"

# ---- not malformed, but once a hang: a thread whose clone is never replayed ------------------
printf 'W fffffffeffffffec 8\nclone child=1\nT1 R 1000 8\nT1 R 2000 8\n' >"$I/orphan.txt"
timeout 60 "$N" run --machine tiny --trace "$I/orphan.txt" >"$T/log" 2>&1
rc=$?
us=$(sed -n 's/^simulated time *\([0-9]*\)\..*/\1/p' "$T/log")
if [ "$rc" -ne 124 ] && [ -n "$us" ] && [ "$us" -lt 1000 ]; then
    ok "orphan thread: started when the others are done (simulated ${us} us)"
else
    nok "orphan thread: started when the others are done"
fi
done_testing
