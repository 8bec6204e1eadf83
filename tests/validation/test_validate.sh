#!/bin/sh
# `numasim validate` end to end: the Linux vectors, /proc/zoneinfo (a
# captured 6.18 machine under tests/validation/fixtures, altered copies of
# it, and the live file), the published preset figures, cachegrind, and its
# usage errors.  The preset checks compare the simulated MLC with each
# preset's published calibration and fail while the simulation misses it.
#
# Usage: sh tests/validation/test_validate.sh BUILD_DIR   (TAP on stdout)
BUILD=${1:-build}
N=${NUMASIM:-$BUILD/numasim}
case $N in /*) ;; *) N=$(pwd)/$N ;; esac
SRC=$(pwd)
FIX=$SRC/tests/validation/fixtures/linux-6.18-1node
n=0; failed=0
ok()  { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; failed=1; [ -f "$T/out" ] && grep -E 'FAIL|error|skipped' "$T/out" | head -n 12 | sed 's/^/#   /'; }
skip() { n=$((n + 1)); echo "ok $n # skip $1"; }
if [ ! -x "$N" ]; then echo "ok 1 # skip numasim not built ($N)"; echo "1..1"; exit 0; fi
T=$(mktemp -d "${TMPDIR:-/tmp}/numasim-validate.XXXXXX")
trap 'rm -rf "$T"' EXIT

summary() { sed -n 's/^\([0-9]*\) checks: \([0-9]*\) pass, \([0-9]*\) FAIL, [0-9]* miss, \([0-9]*\) skipped, \([0-9]*\) info$/\1 \2 \3 \4 \5/p' "$T/out"; }
misses() { sed -n 's/^[0-9]* checks: [0-9]* pass, [0-9]* FAIL, \([0-9]*\) miss, .*/\1/p' "$T/out"; }

# sources.md vectors: all 25 compared (compaction ones included)
"$N" validate --only linux >"$T/out" 2>&1; rc=$?
if [ $rc -eq 0 ] && [ "$(summary)" = "25 25 0 0 0" ]; then ok "sources.md vectors: all 25 pass, incl. §8.2 fragmentation index and §8.4 deferral"
else nok "sources.md vectors: exit $rc, summary '$(summary)'"; fi

# the captured 6.18 machine: 12 exact matches
"$N" validate --wide --only zoneinfo --root "$FIX" >"$T/out" 2>&1; rc=$?
if [ $rc -eq 0 ] && [ "$(summary)" = "12 12 0 0 0" ] && grep -q '11483/14353/17223/20093' "$T/out"; then
	ok "captured /proc/zoneinfo (6.18): watermarks, protection, pcp sizes and min_free_kbytes all equal"
else nok "captured /proc/zoneinfo: exit $rc, summary '$(summary)'"; fi

# one number changed in the kernel's file must show as a failure
cp -r "$FIX" "$T/bad"
sed -i 's/^        min      11483$/        min      11484/' "$T/bad/proc/zoneinfo"
"$N" validate --wide --only zoneinfo --root "$T/bad" >"$T/out" 2>&1; rc=$?
if [ $rc -eq 1 ] && [ "$(summary)" = "12 11 1 0 0" ] && grep -q 'DMA32 (managed 772808) watermarks.*11484/14353.*FAIL' "$T/out"; then
	ok "a DMA32 min off by one in zoneinfo is a FAIL and exit 1"
else nok "tampered zoneinfo: exit $rc, summary '$(summary)'"; fi

# a boost is part of what zoneinfo prints and is taken out before comparing
cp -r "$FIX" "$T/boost"
awk '/zone +DMA32/ { z = 1 } /zone +Normal/ { z = 0 }
     z && $1 == "boost" { $0 = "        boost    100" }
     z && ($1 == "min" || $1 == "low" || $1 == "high" || $1 == "promo") && NF == 2 { $0 = sprintf("        %-8s %d", $1, $2 + 100) }
     { print }' "$FIX/proc/zoneinfo" > "$T/boost/proc/zoneinfo"
"$N" validate --wide --only zoneinfo --root "$T/boost" >"$T/out" 2>&1; rc=$?
if [ $rc -eq 0 ] && [ "$(summary)" = "12 12 0 0 0" ]; then ok "zoneinfo watermarks include the boost: removed before comparing"
else nok "boosted zoneinfo: exit $rc, summary '$(summary)'"; fi

# a pre-6.7 kernel has no pcp high_min/high_max: those rows skip and say why
cp -r "$FIX" "$T/old"
grep -v 'high_min\|high_max' "$FIX/proc/zoneinfo" > "$T/old/proc/zoneinfo"
echo 6.1.0 > "$T/old/proc/sys/kernel/osrelease"
"$N" validate --wide --only zoneinfo --root "$T/old" >"$T/out" 2>&1; rc=$?
if [ $rc -eq 0 ] && [ "$(summary)" = "12 9 0 3 0" ] && grep -q 'auto-tuned pcp high is 6.7+' "$T/out"; then
	ok "Linux 6.1 zoneinfo: pcp rows skipped (formula differs before 6.7), the rest compared"
else nok "6.1 zoneinfo: exit $rc, summary '$(summary)'"; fi

# a kernel before watermark_scale_factor: skipped as a whole
cp -r "$FIX" "$T/ancient"
echo 4.4.0 > "$T/ancient/proc/sys/kernel/osrelease"
"$N" validate --wide --only zoneinfo --root "$T/ancient" >"$T/out" 2>&1; rc=$?
if [ $rc -eq 0 ] && grep -q 'predates watermark_scale_factor' "$T/out"; then ok "Linux 4.4: skipped (watermark formula before 4.6 differs)"
else nok "4.4 zoneinfo: exit $rc"; fi

# nothing readable: a clean skip, exit 0
"$N" validate --wide --only zoneinfo --root "$T/nowhere" >"$T/out" 2>&1; rc=$?
if [ $rc -eq 0 ] && [ "$(summary)" = "1 0 0 1 0" ] && grep -q 'unreadable' "$T/out"; then ok "no zoneinfo: skipped, saying which file"
else nok "no zoneinfo: exit $rc, summary '$(summary)'"; fi

# this machine, live
if [ -r /proc/zoneinfo ]; then
	"$N" validate --only zoneinfo >"$T/out" 2>&1; rc=$?
	if [ $rc -eq 0 ] && ! grep -q '| FAIL' "$T/out"; then ok "this machine's /proc/zoneinfo: no mismatch ($(summary))"
	else nok "this machine's /proc/zoneinfo: exit $rc"; fi
else skip "/proc/zoneinfo unreadable"; fi

# published figures (tiny and skx-2s: the fast ones)
for p in tiny skx-2s; do
	"$N" validate --only presets --preset $p --json "$T/$p.json" >"$T/out" 2>&1; rc=$?
	if [ $rc -eq 0 ] && ! grep -q '| FAIL' "$T/out"; then ok "$p: simulated MLC within the published calibration ($(summary))"
	else nok "$p: simulated MLC misses the published calibration (exit $rc, $(summary))"; fi
done
if grep -q '"verdict": "' "$T/tiny.json" && grep -q '"summary"' "$T/tiny.json"; then ok "--json writes the rows and the summary"
else nok "--json output"; fi
if awk '/"kind":/ { k = $2 } /"what": "MLC (idle latency|read bandwidth ratio)/ { n++; if (k != "\"calibration\",") bad = 1 }
        END { exit !(n >= 2 && !bad) }' "$T/tiny.json" "$T/skx-2s.json"
then ok "--json: the preset rows the presets were fitted to are marked calibration"
else nok "--json kinds"; fi

# the table fits 100 columns; --wide has every cell in full with the kind spelled out
"$N" validate --only linux >"$T/out" 2>&1
w=$(awk '{ if (length > m) m = length } END { print m + 0 }' "$T/out")
if [ "$w" -le 100 ] && grep -q '^| ref  | kind  |' "$T/out" && grep -q '^\[1\]  sources.md' "$T/out"; then ok "compact table: $w columns, references listed below"
else nok "compact table is $w columns wide"; fi
"$N" validate --only linux --wide >"$T/out" 2>&1
if grep -q '^| reference .*| kind .*| what was compared' "$T/out" && grep -q '| exact  *|' "$T/out" &&
   [ "$(grep -c '^| sources.md' "$T/out")" -eq 25 ]; then ok "--wide: one line per row, kind column"
else nok "--wide table"; fi

# a prediction row: a miss is reported as a miss and exits 3, never 1 (model error, not a bug)
TMPDIR=$T "$N" validate --only predict --preset kunpeng920-4n >"$T/out" 2>&1; rc=$?
m=$(misses)
if grep -q '| pred  | single-core read bandwidth' "$T/out" &&
   { { [ "$m" = 1 ] && [ $rc -eq 3 ] && grep -q '| miss    |' "$T/out"; } ||
     { [ "$m" = 0 ] && [ $rc -eq 0 ] && grep -q '| pass    |' "$T/out"; }; }
then ok "prediction row: single-core bandwidth on kunpeng920-4n (exit $rc, $m miss)"
else nok "prediction row: exit $rc, misses '$m'"; fi

# cachegrind, when valgrind is there
if [ -x /usr/bin/valgrind ] || [ -x /bin/valgrind ]; then
	"$N" validate --only cachegrind >"$T/out" 2>&1; rc=$?
	if [ $rc -eq 0 ] && [ "$(summary)" = "3 3 0 0 0" ]; then ok "cachegrind: sort under lackey and cachegrind, 2 cache + 1 TLB geometry identical"
	else nok "cachegrind check: exit $rc, summary '$(summary)'"; fi
else
	"$N" validate --only cachegrind >"$T/out" 2>&1
	if grep -q 'skipped: valgrind not installed' "$T/out"; then ok "cachegrind: skipped, valgrind not installed"
	else nok "cachegrind without valgrind"; fi
fi

"$N" validate --only bogus >"$T/out" 2>&1; rc=$?
if [ $rc -eq 2 ]; then ok "--only with an unknown family is a usage error"; else nok "--only bogus: exit $rc"; fi

echo "1..$n"
exit $failed
