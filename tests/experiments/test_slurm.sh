#!/bin/sh
# tests/experiments/test_slurm.sh BUILD_DIR - a sweep through a real Slurm.
#
# Starts a single-node Slurm (munge, slurmctld, slurmd from Debian's
# slurm-wlm, installed with apt-get when missing), submits a small sweep as
# a job array (numasim sweep --slurm), waits for the queue to drain, collects
# and compares results.csv with the same sweep run locally.  Daemons this
# script started are always stopped (trap); ones already running are left
# alone.  Needs root; otherwise, or when apt-get fails, it prints TAP skips.
BUILD=${1:-build}
NUMASIM=${NUMASIM:-$BUILD/numasim}
case $NUMASIM in /*) ;; *) NUMASIM=$(pwd)/$NUMASIM ;; esac
MACHINE=${NUMASIM_TEST_MACHINE:-tiny}
NAMES="slurm-up submit-array queue-drained collect results-match"
n=0
skip_all() { for t in $NAMES; do n=$((n + 1)); echo "ok $n # skip $t: $1"; done; echo "1..$n"; exit 0; }
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
STARTED=""      # pid files of the daemons this script started

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

HOST=$(hostname -s)
# --- munge ---
if ! alive /run/munge/munged.pid; then
    [ -s /etc/munge/munge.key ] || { mungekey -c 2>/dev/null || { dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 2>/dev/null; }; chown munge:munge /etc/munge/munge.key; chmod 0400 /etc/munge/munge.key; }
    install -d -o munge -g munge -m 0755 /run/munge
    runuser -u munge -- /usr/sbin/munged && STARTED="$STARTED /run/munge/munged.pid"
fi
# --- slurm ---
if ! alive /run/slurmctld.pid || ! alive /run/slurmd.pid; then
    install -d /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /etc/slurm
    node=$(slurmd -C 2>/dev/null | head -n 1 | sed "s/^NodeName=[^ ]*/NodeName=$HOST NodeAddr=127.0.0.1 NodeHostname=$HOST/; s/ UpTime=.*//")
    [ -n "$node" ] || node="NodeName=$HOST NodeAddr=127.0.0.1 NodeHostname=$HOST CPUs=$(nproc)"
    cat >/etc/slurm/slurm.conf <<CONF
# written by numasim tests/experiments/test_slurm.sh (single-node test cluster)
ClusterName=numasimtest
SlurmctldHost=$HOST(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
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
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
$node State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
CONF
    alive /run/slurmctld.pid || { /usr/sbin/slurmctld -c && STARTED="$STARTED /run/slurmctld.pid"; }
    alive /run/slurmd.pid || { /usr/sbin/slurmd -N "$HOST" && STARTED="$STARTED /run/slurmd.pid"; }
fi
i=0
until sinfo -h -o '%t' 2>/dev/null | grep -Eq '^(idle|mix|alloc)'; do
    i=$((i + 1))
    [ $i -gt 300 ] && break
    sinfo -h -o '%t' 2>/dev/null | grep -q drain && scontrol update nodename="$HOST" state=resume 2>/dev/null
    sleep 0.2
done
if sinfo -h -o '%t' 2>/dev/null | grep -Eq '^(idle|mix|alloc)'; then
    ok "slurm-up: node $HOST ready"
else
    nok "slurm-up: node never became idle"
    tail -n 5 /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log 2>/dev/null | sed 's/^/# /'
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
