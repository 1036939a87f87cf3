#!/usr/bin/env bash
# Cluster test: a one-node Slurm cluster runs the script that
# `sezsim sweep --emit-slurm` writes (a job array of shards and a merge job
# that depends on it), and the merged sweep must equal an unsharded run of
# the same sweep byte for byte.
#
# Installs Slurm and munge from Debian packages, so it needs root and
# apt-get; without them it says why and exits 0 (skipped). Starts the
# daemons without systemd, in a scratch folder, and stops them on exit.
# Takes a minute or two, most of it installing packages.
#
#   bash tests/cluster/slurm.sh            # uses target/debug/sezsim (builds it)
#   SEZSIM=/path/to/sezsim bash tests/cluster/slurm.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)

skip() { echo "slurm test: SKIPPED: $1"; exit 0; }
[ "$(id -u)" = 0 ] || skip "needs root to install and start Slurm (run as root, as CI does)"
command -v apt-get >/dev/null 2>&1 || skip "needs apt-get to install Slurm from Debian packages"

now() { date +%s.%N; }
T0=$(now)
W=$(mktemp -d /tmp/sezsim-slurm.XXXXXX)
chmod 755 "$W"

# -- what the jobs run
if [ -z "${SEZSIM:-}" ]; then
  cargo build --locked --quiet
  SEZSIM="$ROOT/target/debug/sezsim"
fi
[ -x "$SEZSIM" ] || { echo "slurm test: no sezsim binary at $SEZSIM" >&2; exit 1; }

# -- install (Debian 12: Slurm 22.05, munge 0.5)
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null
T1=$(now)

# -- daemons, stopped on exit by their pid files (only those started here)
started=()
stop_all() {
  local pidfile
  for pidfile in "${started[@]}"; do
    if [ -s "$pidfile" ]; then kill "$(cat "$pidfile")" 2>/dev/null || true; fi
  done
  if [ "${KEEP:-0}" != 1 ]; then rm -rf "$W"; fi
}
trap stop_all EXIT

# munge: Slurm 22.05 authenticates with it. The package made the key.
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  mkdir -p /run/munge && chown munge:munge /run/munge
  runuser -u munge -- /usr/sbin/munged
  started+=(/run/munge/munged.pid)
  for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
  munge -n | unmunge >/dev/null
fi

mkdir -p "$W/state" "$W/spool" "$W/out"
chown slurm:slurm "$W/state"
chmod 1777 "$W/out"
mkdir -p /etc/slurm
cat > /etc/slurm/slurm.conf <<CONF
ClusterName=sezsimci
SlurmctldHost=localhost
AuthType=auth/munge
CredType=cred/munge
SlurmUser=slurm
StateSaveLocation=$W/state
SlurmdSpoolDir=$W/spool
SlurmctldPidFile=$W/state/slurmctld.pid
SlurmctldLogFile=$W/state/slurmctld.log
SlurmdPidFile=$W/slurmd.pid
SlurmdLogFile=$W/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
DependencyParameters=kill_invalid_depend
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
NodeName=localhost CPUs=$(nproc) State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
/usr/sbin/slurmctld
started+=("$W/state/slurmctld.pid")
/usr/sbin/slurmd -N localhost
started+=("$W/slurmd.pid")
for _ in $(seq 120); do
  [ "$(sinfo -h -n localhost -o %t 2>/dev/null)" = idle ] && break
  sleep 0.5
done
[ "$(sinfo -h -n localhost -o %t)" = idle ] || { echo "slurm test: the node never became idle" >&2; cat "$W/slurmd.log" >&2 || true; exit 1; }
T2=$(now)

# -- a small sweep: 3 x 2 points over the test fixture
cat > "$W/sweep.toml" <<TOML
[sweep]
name = "cluster_test"
base = "$ROOT/tests/fixtures/full/base.toml"
design = "grid"
replications = 300
seed = 5

[[parameters]]
path = "global.demand_persistence"
values = [0.2, 0.5, 0.8]

[[parameters]]
path = "zones.south.investment.area_ha"
values = [300, 600]
TOML
"$SEZSIM" sweep "$W/sweep.toml" -q --out "$W/out/whole"
"$SEZSIM" sweep "$W/sweep.toml" --emit-slurm "$W/submit.sh" --shards 4 --out "$W/out/merged"
out=$(bash "$W/submit.sh")
echo "$out"
array=$(sed -n 's/.*job array \([0-9]*\).*/\1/p' <<< "$out")
merge=$(sed -n 's/.*merge: job \([0-9]*\).*/\1/p' <<< "$out")
for _ in $(seq 600); do
  [ -z "$(squeue -h -j "$array,$merge" -t PD,R,CG,CF -o %i 2>/dev/null)" ] && break
  sleep 0.5
done
T3=$(now)
state=$(scontrol -o show job "$merge" | grep -o 'JobState=[A-Z]*')
if [ "$state" != JobState=COMPLETED ]; then
  echo "slurm test: the merge job ended $state" >&2
  cat "$W/out/merged-shards/logs/"*.out >&2 || true
  exit 1
fi

# -- the merged sweep equals the unsharded one
diffs=0
for f in points.csv $(cd "$W/out/whole" && ls points/*/summary.csv points/*/scalars.csv points/*/point.csv); do
  cmp -s "$W/out/whole/$f" "$W/out/merged/$f" || { echo "differs: $f" >&2; diffs=$((diffs + 1)); }
done
[ "$diffs" = 0 ] || { echo "slurm test: FAILED: $diffs files differ" >&2; exit 1; }
awk -v a="$T0" -v b="$T1" -v c="$T2" -v d="$T3" 'BEGIN {
  printf "slurm test: OK: 4 array tasks + merge equal the unsharded sweep (install %.1f s, start %.1f s, jobs %.1f s, total %.1f s)\n", b - a, c - b, d - c, d - a }'
