#!/bin/bash
# slurm.sh — attrib under a real job engine: a single-node Slurm cluster
# on localhost, started by this test as its own processes (munged,
# slurmctld, slurmd, with a generated slurm.conf and munge key in a
# temporary folder, on free ports), runs examples/slurm/ingest-array.sbatch
# as a 4-task array over a corpus of shared captures and
# examples/slurm/merge.sbatch as a job depending on it (afterok); the
# merged case must equal one plain ingest of the same files
# (tests/scale/compare.py: indicators, flows, score hypotheses) and
# verify intact, also against the shard files (--shard-dir).
#
#   bash tests/scale/slurm.sh build/attrib
#
# Needs Debian's slurm-wlm and munge (.ci/deps, which it runs when they
# are missing). If the cluster cannot be
# started, the test says why and FAILS: it never passes without running
# the jobs. Every command is logged ("+ ..."); the daemons' logs are
# printed on failure. The daemons are stopped at the end, also on failure
# or interruption (by their own pids). SLURM_DEADLINE_S (default 90)
# bounds the wait for the jobs.
set -u -o pipefail
ATTRIB=$(realpath "${1:-build/attrib}")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CORPUS=${CORPUS:-$ROOT/../shared/pcaps/ndpi}
DEADLINE=${SLURM_DEADLINE_S:-90}
T=$(mktemp -d)
chmod 755 "$T"
pids=()
failed=0

log() { echo "slurm: $*"; }
run() { echo "+ $*" >&2; "$@"; }
die() {
	log "FAIL: $*"
	for f in "$T"/log/*.log; do
		[ -e "$f" ] && { echo "---- $f"; tail -30 "$f"; }
	done
	exit 1
}
stop() {
	for f in "$T/slurmd.pid" "$T/slurmctld.pid"; do
		[ -s "$f" ] && pids+=("$(cat "$f")")
	done
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${pids[@]}"; do
		for _ in $(seq 1 50); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$p" 2>/dev/null
	done
	[ "${SLURM_KEEP:-0}" = 1 ] || rm -rf "$T"
}
trap stop EXIT
trap 'exit 130' INT TERM

export PATH="$PATH:/usr/sbin"
if ! command -v slurmctld > /dev/null || ! command -v munged > /dev/null; then
	echo "+ sh $ROOT/.ci/deps   (installs slurm-wlm and munge)" >&2
	sh "$ROOT/.ci/deps" || die "slurm-wlm and munge are not installed and .ci/deps could not install them"
fi
for b in munged slurmctld slurmd sbatch squeue sinfo; do
	command -v "$b" > /dev/null || [ -x "/usr/sbin/$b" ] ||
		die "$b not found: install slurm-wlm and munge (.ci/deps)"
done
[ -d "$CORPUS" ] || die "no corpus at $CORPUS"

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# ---- the cluster ----
mkdir -p "$T/log" "$T/state" "$T/spool" "$T/munge" "$T/captures" "$T/cases"
chmod 711 "$T/munge"
run dd if=/dev/urandom of="$T/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$T/munge/munge.key"
run munged --force --key-file="$T/munge/munge.key" \
	--socket="$T/munge/munge.sock" --pid-file="$T/munge/munged.pid" \
	--log-file="$T/log/munged.log" --seed-file="$T/munge/munge.seed" ||
	die "munged did not start"
for _ in $(seq 1 100); do [ -s "$T/munge/munged.pid" ] && break; sleep 0.1; done
[ -s "$T/munge/munged.pid" ] || die "munged wrote no pid file"
pids+=("$(cat "$T/munge/munged.pid")")
run munge --socket="$T/munge/munge.sock" -n > "$T/cred" ||
	die "munge cannot make a credential"
run unmunge --socket="$T/munge/munge.sock" < "$T/cred" > /dev/null ||
	die "munge cannot check a credential"

node=$(hostname -s)
ctl_port=$(free_port)
d_port=$(free_port)
cpus=$(nproc)
export SLURM_CONF="$T/slurm.conf"
cat > "$SLURM_CONF" <<EOF
ClusterName=attribtest
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctl_port
SlurmdPort=$d_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$T/munge/munge.sock
CredType=cred/munge
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/log/slurmctld.log
SlurmdLogFile=$T/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=4096 State=UNKNOWN
PartitionName=attrib Nodes=$node Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
EOF
echo "+ slurm.conf:"; sed 's/^/    /' "$SLURM_CONF"
# started directly (not through run, whose subshell $! would name)
echo "+ slurmctld -D -i -f $SLURM_CONF" >&2
slurmctld -D -i -f "$SLURM_CONF" > "$T/log/slurmctld.out" 2>&1 &
pids+=($!)
echo "+ slurmd -D -f $SLURM_CONF -N $node" >&2
slurmd -D -f "$SLURM_CONF" -N "$node" > "$T/log/slurmd.out" 2>&1 &
pids+=($!)

deadline=$((SECONDS + 60))
until sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; do
	for p in "${pids[@]}"; do
		kill -0 "$p" 2>/dev/null || die "a Slurm daemon exited (pid $p)"
	done
	[ $SECONDS -lt $deadline ] || die "the node did not come up within 60 s ($(sinfo -h -o '%T' 2>&1))"
	sleep 0.5
done
run sinfo

# ---- the jobs ----
# (not the fuzzed captures: attrib verify calls a fresh case of
# fuzz-2021-10-13.pcap tampered, so merge would refuse its shard)
ls -S "$CORPUS"/*.pcap | grep -v fuzz | tail -200 | awk 'NR % 8 == 0' | xargs -I{} cp {} "$T/captures/"
log "$(ls "$T/captures" | wc -l) captures in $T/captures"
export ATTRIB SHARDS=4 CAPTURES="$T/captures" CASES="$T/cases"
jid=$(run sbatch --parsable --chdir="$T/log" --array=0-3 --export=ALL \
	"$ROOT/examples/slurm/ingest-array.sbatch" | tail -1) ||
	die "sbatch of the array job failed"
jid=${jid%%;*}
mid=$(run sbatch --parsable --chdir="$T/log" --dependency=afterok:"$jid" \
	--export=ALL "$ROOT/examples/slurm/merge.sbatch" | tail -1) ||
	die "sbatch of the merge job failed"
mid=${mid%%;*}
log "array job $jid, merge job $mid"
deadline=$((SECONDS + DEADLINE))
while squeue -h -j "$jid,$mid" 2>/dev/null | grep -q .; do
	if squeue -h -j "$mid" -o '%r' 2>/dev/null | grep -q DependencyNeverSatisfied; then
		cat "$T"/log/attrib-*.log 2>/dev/null
		die "a shard failed: the merge job can never run"
	fi
	[ $SECONDS -lt $deadline ] || die "jobs not done within $DEADLINE s: $(squeue 2>&1)"
	sleep 1
done
for f in "$T"/log/attrib-*.log; do echo "---- $(basename "$f")"; cat "$f"; done
[ -e "$T/cases/case.db" ] || die "the merge job made no case"
grep -q "verdict: intact" "$T"/log/attrib-merge-*.log || die "the merge job's verify did not say intact"

# ---- the merged case against one plain ingest ----
run "$ATTRIB" ingest --db "$T/one.db" "$T/captures" > /dev/null || die "plain ingest failed"
run python3 "$HERE/compare.py" "$ATTRIB" "$T/one.db" "$T/cases/case.db" \
	--models "$ROOT/models/lab" || failed=1
run "$ATTRIB" verify --db "$T/cases/case.db" --shard-dir "$T/cases" > "$T/verify.out"
rc=$?
cat "$T/verify.out"
[ $rc = 0 ] || failed=1
n=$(sqlite3 "$T/cases/case.db" "SELECT count(*) FROM custody WHERE action='merge'")
log "merge custody entries: $n"
[ "$n" -ge 1 ] || failed=1
[ $failed = 0 ] || die "the merged case differs from one ingest or does not verify"
log "passed: 4-shard array job and dependent merge under Slurm = one ingest"
