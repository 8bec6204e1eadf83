#!/bin/sh
# tests/experiments/test_slurm.sh BUILD_DIR - a sweep through a real Slurm.
#
# Starts a private single-node Slurm (munged, slurmctld, slurmd from
# Debian's slurm-wlm, installed with apt-get when missing) entirely inside a
# temporary directory: SLURM_CONF, the munge key and socket, state, logs and
# pid files all live there, on ports of its own, and nothing in /etc is read
# or written.  It submits a small sweep as a job array (numasim sweep
# --slurm), waits for the queue to drain, collects and compares results.csv
# with the same sweep run locally.  The daemons it started are always
# stopped (trap).  Not root, no packages, or a daemon that cannot start on
# this host (slurmd without a cgroup filesystem): TAP "# SKIP" lines that
# give the reason, counted as skipped by tests/run.sh.
BUILD=${1:-build}
NUMASIM=${NUMASIM:-$BUILD/numasim}
case $NUMASIM in /*) ;; *) NUMASIM=$(pwd)/$NUMASIM ;; esac
MACHINE=${NUMASIM_TEST_MACHINE:-tiny}
NAMES="slurm-up submit-array queue-drained collect results-match"
n=0
skip_all() { for t in $NAMES; do n=$((n + 1)); echo "ok $n - $t # SKIP $1"; done; echo "1..$n"; exit 0; }
ok()  { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; }

[ -x "$NUMASIM" ] || skip_all "$NUMASIM not built"
"$NUMASIM" sweep --help >/dev/null 2>&1 || skip_all "numasim sweep not wired into $NUMASIM"
[ "$(id -u)" = 0 ] || skip_all "not root (Slurm daemons need root)"

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null ||
   ! command -v sbatch >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends slurm-wlm munge slurm-client; } \
        >/dev/null 2>&1 || skip_all "apt-get could not install slurm-wlm and munge"
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/numasim-slurm-XXXXXX")
chmod 0755 "$T"   # munged refuses keys and sockets under directories others may write
STARTED=""        # pid files of the daemons this script started (all under $T)

alive() {   # pid file -> true if it names a live, non-zombie process
    [ -s "$1" ] || return 1
    p=$(cat "$1")
    [ -d "/proc/$p" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$p/status" 2>/dev/null
}

stop_daemons() {
    for pf in $STARTED; do
        alive "$pf" && kill "$(cat "$pf")" 2>/dev/null
    done
    i=0
    while [ $i -lt 50 ]; do
        left=0
        for pf in $STARTED; do alive "$pf" && left=1; done
        [ $left -eq 0 ] && break
        sleep 0.2; i=$((i + 1))
    done
    for pf in $STARTED; do alive "$pf" && kill -9 "$(cat "$pf")" 2>/dev/null; done
    rm -rf "$T"
}
trap stop_daemons EXIT
trap 'exit 1' INT TERM

# The last error a daemon logged: why it could not start.
why() { grep -hiE 'error|fatal' "$@" 2>/dev/null | tail -n 1 | sed 's/^\[[^]]*\] *//; s/#/No./g' | cut -c1-160; }

# The whole test cluster lives in $T: its own munge key, socket and daemon,
# its own slurm.conf (SLURM_CONF), state, spool, logs, pid files and ports.
# Nothing under /etc, /run or /var is read or written, so a real cluster on
# this host is neither used nor disturbed.
HOST=$(hostname -s)
install -d -m 0700 "$T/munge" "$T/state" "$T/spool" "$T/log"
dd if=/dev/urandom of="$T/munge/munge.key" bs=1024 count=1 2>/dev/null
chmod 0400 "$T/munge/munge.key"
/usr/sbin/munged --force --key-file="$T/munge/munge.key" --socket="$T/munge/munge.sock" \
    --pid-file="$T/munge/munged.pid" --log-file="$T/munge/munged.log" --seed-file="$T/munge/munged.seed" \
    2>"$T/munge/start.err" && STARTED="$STARTED $T/munge/munged.pid"
alive "$T/munge/munged.pid" || skip_all "munged cannot start: $(why "$T/munge/start.err" "$T/munge/munged.log")"

port=$((20000 + $$ % 20000))
export SLURM_CONF="$T/slurm.conf"
: >"$T/plugstack.conf"
node=$(slurmd -C 2>/dev/null | head -n 1 | sed "s/^NodeName=[^ ]*/NodeName=$HOST NodeAddr=127.0.0.1 NodeHostname=$HOST/; s/ UpTime=.*//")
[ -n "$node" ] || node="NodeName=$HOST NodeAddr=127.0.0.1 NodeHostname=$HOST CPUs=$(nproc)"
cat >"$SLURM_CONF" <<CONF
# written by numasim tests/experiments/test_slurm.sh (single-node test cluster in $T)
ClusterName=numasimtest
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$T/munge/munge.sock
PlugStackConfig=$T/plugstack.conf
MpiDefault=none
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
KillWait=5
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/log/slurmctld.log
SlurmdLogFile=$T/log/slurmd.log
$node State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
CONF
/usr/sbin/slurmctld -c -f "$SLURM_CONF" 2>"$T/log/slurmctld.err" && STARTED="$STARTED $T/slurmctld.pid"
/usr/sbin/slurmd -f "$SLURM_CONF" -N "$HOST" 2>"$T/log/slurmd.err" && STARTED="$STARTED $T/slurmd.pid"
sleep 0.5
# A daemon that exits at start (slurmd without a cgroup filesystem, say)
# means this host cannot run a cluster: a skip with the daemon's reason.
alive "$T/slurmctld.pid" || skip_all "slurmctld cannot start here: $(why "$T/log/slurmctld.err" "$T/log/slurmctld.log")"
i=0
until sinfo -h -o '%t' 2>/dev/null | grep -Eq '^(idle|mix|alloc)'; do
    i=$((i + 1))
    alive "$T/slurmd.pid" || break
    [ $i -gt 300 ] && break
    sinfo -h -o '%t' 2>/dev/null | grep -q drain && scontrol update nodename="$HOST" state=resume 2>/dev/null
    sleep 0.2
done
alive "$T/slurmd.pid" || skip_all "slurmd cannot start here: $(why "$T/log/slurmd.err" "$T/log/slurmd.log")"
if sinfo -h -o '%t' 2>/dev/null | grep -Eq '^(idle|mix|alloc)'; then
    ok "slurm-up: node $HOST ready"
else
    nok "slurm-up: node never became idle"
    tail -n 5 "$T/log/slurmctld.log" "$T/log/slurmd.log" 2>/dev/null | sed 's/^/# /'
    for t in submit-array queue-drained collect results-match; do nok "$t: no cluster"; done
    echo "1..$n"; exit 1
fi

cat >"$T/spec.json" <<JSON
{"name": "slurmtest", "machines": ["$MACHINE"],
 "workloads": [{"name": "gups", "pattern": "gups", "size": "1M", "threads": 2, "accesses": "2K"},
               {"name": "zipf", "pattern": "zipf", "size": "1M", "accesses": "2K"}],
 "policies": ["default", "interleave:0-1", "bind:0"],
 "metrics": ["summary.accesses", "summary.latency.mean_ns", "summary.latency.p99_ns", "summary.remote_ratio"]}
JSON
"$NUMASIM" sweep "$T/spec.json" -o "$T/local" -j 2 2>"$T/local.log"

job=$("$NUMASIM" sweep "$T/spec.json" -o "$T/sl" --slurm --points-per-task 4 2>"$T/submit.log")
if [ -n "$job" ] && grep -q '^#SBATCH --array=0-1$' "$T/sl/sweep.sbatch"; then
    ok "submit-array: job $job, 2 array tasks of 4 points"
else
    nok "submit-array"; sed 's/^/# /' "$T/submit.log"
fi

i=0
while [ -n "$job" ] && [ -n "$(squeue -h -j "$job" 2>/dev/null)" ]; do
    i=$((i + 1))
    [ $i -gt 600 ] && break
    sleep 0.2
done
if [ -n "$job" ] && [ -z "$(squeue -h -j "$job" 2>/dev/null)" ] && [ "$(ls "$T/sl/slurm/" | grep -c '^task-.*\.out$')" -eq 2 ]; then
    ok "queue-drained: both array tasks ran"
else
    nok "queue-drained"; scancel "$job" 2>/dev/null
fi

if "$NUMASIM" sweep collect "$T/sl" 2>"$T/collect.log"; then
    ok "collect: every point ok"
else
    nok "collect"; sed 's/^/# /' "$T/collect.log"; cat "$T"/sl/slurm/*.out 2>/dev/null | tail -n 5 | sed 's/^/# /'
fi
if [ -s "$T/local/results.csv" ] && cmp -s "$T/local/results.csv" "$T/sl/results.csv"; then
    ok "results-match: Slurm results.csv equals the local run's"
else
    nok "results-match"; diff "$T/local/results.csv" "$T/sl/results.csv" 2>&1 | head -n 5 | sed 's/^/# /'
fi
echo "1..$n"
