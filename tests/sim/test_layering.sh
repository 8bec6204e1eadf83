#!/bin/sh
# Dependencies point one way: os/ -> hw/ -> sim/ core; traces/ -> sim/ core;
# only the driver (sim/cli/) wires all layers.  Fails on any include that
# breaks the rule.  Also: os/ puts its kernel-thread events on the queue only
# through kthread_schedule (os/kthread.c), which reports a failure instead of
# dropping the thread's next run.
n=0; bad=0
forbid_includes() { # name, files, forbidden-regex
    n=$((n + 1))
    hits=$(grep -nE "#include \"($3)/" $2 2>/dev/null)
    if [ -n "$hits" ]; then
        echo "not ok $n - $1"; echo "$hits" | sed 's/^/#   /'; bad=1
    else
        echo "ok $n - $1"
    fi
}
forbid_includes "hw/ never includes os/, traces/ or the driver" "hw/*.c hw/*.h" "os|traces|sim/cli"
forbid_includes "traces/ never include hw/, os/ or the driver" "traces/*.c traces/*.h" "hw|os|sim/cli"
forbid_includes "sim/ core includes only sim/" "sim/*.c sim/*.h" "hw|os|traces|sim/cli|experiments"
forbid_includes "os/ never includes traces/ or the driver" "os/*.c os/*.h" "traces|sim/cli"
n=$((n + 1))
hits=$(grep -n "ev_schedule(" os/*.c | grep -v "^os/kthread\.c:")
if [ -n "$hits" ]; then
    echo "not ok $n - os/ schedules events only through kthread_schedule"; echo "$hits" | sed 's/^/#   /'; bad=1
else
    echo "ok $n - os/ schedules events only through kthread_schedule"
fi
echo "1..$n"
exit $bad
