#!/bin/sh
# tests/e2e/test_userpath.sh BUILD_DIR - what a new user meets first: the
# zero-page trap, options checked before simulating, --help everywhere,
# suggestions for misspellings, K/M/G numbers, record's refusal to
# overwrite, numactl -H's exact layout.  TAP.
TAP_TMP=userpath; . "$(dirname "$0")/tap.sh"
if [ ! -x "$N" ]; then echo "1..0 # SKIP numasim not built"; exit 0; fi

# --- the zero-page trap ---------------------------------------------------------
"$N" trace gen --pattern stream --size 4M --threads 2 --cpus 0,2 --accesses 20K -o "$T/init.nst" 2>/dev/null
"$N" trace gen --pattern stream --size 4M --threads 2 --cpus 0,2 --accesses 20K --no-init -o "$T/noinit.nst" 2>/dev/null
"$N" run -m tiny -t "$T/init.nst" -P interleave:0-1 >"$T/init.out" 2>"$T/init.err"
"$N" run -m tiny -t "$T/noinit.nst" -P interleave:0-1 >"$T/noinit.out" 2>"$T/noinit.err"
check "gen: first touch by default, one store per page (1024 pages)" \
    grep -q "stores 1024," "$T/init.out"
check "run: a first-touched stream goes to DRAM on both nodes, no zero-page warning" \
    sh -c "grep -q 'dram_remote [1-9]' '$T/init.out' && ! grep -q 'zero page' '$T/init.err' '$T/init.out'"
check "run: --no-init reads the zero page, and run warns about it" \
    sh -c "grep -q '100.0% of accesses read the kernel.s zero page' '$T/noinit.out' && grep -q 'warning: .*zero page' '$T/noinit.err'"
check "run: the remote ratio names its denominator" grep -qE "remote ratio +[0-9.]+% of the [0-9]+ accesses" "$T/init.out"

# --- options checked before simulating (a long trace would take minutes) -------------
"$N" trace gen --pattern gups --size 16M --threads 2 --accesses 2M -o "$T/long.nst" 2>/dev/null
fails_with "run: unknown --dump view refused at once, no report written" 2 "did you mean numastat?" \
    "$N" run -m tiny -t "$T/long.nst" --dump numastat,numastst --report "$T/r.json"
check "run: ... and nothing was written" test ! -e "$T/r.json"
fails_with "run: --report into a missing directory refused at once" 1 "nodir: No such file" \
    "$N" run -m tiny -t "$T/long.nst" --report "$T/nodir/r.json"
fails_with "run: --report naming a directory refused" 1 "is a directory" \
    "$N" run -m tiny -t "$T/long.nst" --report "$T"
fails_with "run: misspelled option suggests the nearest" 2 "unknown option --polcy (did you mean --policy?)" \
    "$N" run -m tiny -t "$T/init.nst" --polcy interleave:0-1
check "run: -n takes K/M/G" "$N" run -m tiny -t "$T/init.nst" -n 3K -q
check "machine: -p takes a count with a suffix (1K = 1000)" sh -c "'$N' machine dump tiny -p os.numa_balancing_scan_size_mb=1K | grep -q '\"numa_balancing_scan_size_mb\": 1000,'"
fails_with "run: -n refuses a bad count" 2 "is not a count" "$N" run -m tiny -t "$T/init.nst" -n 3X
fails_with "gen: misspelled key suggests the nearest" 2 "unknown option --patern (did you mean --pattern?)" \
    "$N" trace gen --patern chase -o "$T/x.nst"
check "gen: ... and writes nothing" test ! -e "$T/x.nst"
fails_with "main: misspelled command suggests the nearest" 2 "did you mean sweep?" "$N" swep
fails_with "machine: misspelled subcommand suggests the nearest" 2 "did you mean show?" "$N" machine shwo tiny
printf '{"workloads": [{"name": "a", "pattern": "stream"}], "metrics": ["summary.accesses"], "polices": ["default"]}' >"$T/bad.json"
fails_with "sweep: misspelled spec key suggests the nearest" 1 "polices: unknown key (did you mean policies?)" \
    "$N" sweep "$T/bad.json" -o "$T/badsweep"
printf '{"machines": ["tiny"], "workloads": [{"name": "s", "pattern": "stream", "size": "1M", "accesses": "2K"}, {"name": "u", "pattern": "uniform", "size": "1M", "accesses": "2K"}], "seeds": [1, 2], "metrics": ["summary.accesses"]}' >"$T/det.json"
"$N" sweep "$T/det.json" -o "$T/det" -j 2 --no-progress >"$T/det.log" 2>&1
check "sweep: says when a workload's seeds cannot differ (stream), not for a random one (uniform)" \
    sh -c "grep -q 'workload s makes no random choice' '$T/det.log' && ! grep -q 'workload u makes' '$T/det.log'"
fails_with "machine: misspelled description key suggests the nearest" 1 "tRDC: unknown key (did you mean tRCD?)" \
    "$N" machine show tiny -p nodes.0.ddr.tRDC=5

# --- --help everywhere ---------------------------------------------------------------------
for c in "run" "machine" "machine list" "machine show" "machine dump" "config" "trace" "trace gen" \
         "trace stat" "trace convert" "record" "sweep" "sweep collect" "plot" "mlc" "cachegrind" "validate"; do
    # shellcheck disable=SC2086
    "$N" $c --help >"$T/help" 2>&1
    rc=$?
    if [ $rc -eq 0 ] && grep -q "usage:" "$T/help"; then ok "$c --help: usage on stdout, exit 0"
    else echo "# exit $rc" >"$T/out"; cat "$T/help" >>"$T/out"; nok "$c --help"; fi
done
check "help COMMAND is COMMAND --help" sh -c "'$N' help sweep | grep -q 'usage: numasim sweep'"

# --- record never replaces an output by accident ----------------------------------------
: >"$T/prog.nst.zst"
fails_with "record: refuses to overwrite an existing output without -f" 1 "exists; use -f" \
    env NUMASIM_VALGRIND=/bin/true "$N" record -o "$T/prog.nst.zst" -- /bin/true
check "record: ... and leaves it alone" test ! -s "$T/prog.nst.zst"

# --- machine show is numactl -H ------------------------------------------------------------
"$N" machine show tiny >"$T/show"
check "machine show: numactl -H lines: size, free, and the distance table's columns" sh -c "
    grep -qx 'available: 2 nodes (0-1)' '$T/show' &&
    grep -qx 'node 0 size: 64 MB' '$T/show' && grep -qE '^node 1 free: [0-9]+ MB$' '$T/show' &&
    grep -qx 'node distances:' '$T/show' && grep -qx 'node   0   1 ' '$T/show' &&
    grep -qx '  0:  10  20 ' '$T/show' && grep -qx '  1:  20  10 ' '$T/show'"
done_testing
