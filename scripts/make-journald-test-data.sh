#!/usr/bin/env bash
# Builds test/data/journald/: a hand-written journald export stream of a MicroK8s node
# (k8s03, two boots, kubelite / containerd / k8s-dqlite stdout entries plus PID 1's
# "Started …" lines), turned into a real journal file by systemd-journal-remote, then
# rendered by journalctl in every output form the parsers read.
#
# Needs (Debian): systemd (journalctl), systemd-journal-remote
#   apt-get install -y systemd-journal-remote
# Messages are real klog / logrus lines (microk8s inspect corpus, /work/shared/samples, PIRs)
# with their times moved onto this timeline. Run from the repository root:
#   bash scripts/make-journald-test-data.sh
set -euo pipefail
export LC_ALL=C   # ${#var} counts bytes (binary export lengths)

OUT=test/data/journald
REMOTE=/lib/systemd/systemd-journal-remote
command -v journalctl >/dev/null || { echo "journalctl missing" >&2; exit 1; }
[ -x "$REMOTE" ] || { echo "$REMOTE missing: apt-get install -y systemd-journal-remote" >&2; exit 1; }
mkdir -p "$OUT"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

MACHINE=9b2a6c0e4f8d4e1a8c3b5d7f9e1a2c4b
SEQID=0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f
BOOT1=5f3ad2e1c8b44e0f9a7d6c5b4e3f2a10
BOOT2=a81c44d2f9e04b7d9c2e6f1a3b5d7e90
HOST=k8s03
SNAP=/snap/microk8s/7231
# 2026-05-17T14:15:00Z = 2026-05-18 00:15:00 AEST (Australia/Brisbane, no DST)
BASE=1779027300

seq=0
BOOT=$BOOT1
BOOT_START=$BASE        # realtime second at which the current boot's monotonic clock is ~8 s

le64() {
  local n=$1 i
  for i in 0 1 2 3 4 5 6 7; do printf "\\x$(printf %02x $(((n >> (8 * i)) & 255)))"; done
}
text() { printf '%s=%s\n' "$1" "$2"; }
binary() { printf '%s\n' "$1"; le64 "${#2}"; printf '%s\n' "$2"; }

# header <realtime µs>
header() {
  local rt=$1 mono=$(($1 - BOOT_START * 1000000 + 8000000))
  seq=$((seq + 1))
  text __CURSOR "s=$SEQID;i=$(printf %x $seq);b=$BOOT;m=$(printf %x $mono);t=$(printf %x "$rt");x=$(printf %016x $((seq * 2654435761)))"
  text __REALTIME_TIMESTAMP "$rt"
  text __MONOTONIC_TIMESTAMP "$mono"
  text __SEQNUM "$seq"
  text __SEQNUM_ID "$SEQID"
  text _BOOT_ID "$BOOT"
}

declare -A COMM=([kubelite]=kubelite [containerd]=containerd [k8s-dqlite]=k8s-dqlite)
declare -A INVOCATION STREAM PID

# unit_meta <app> : trusted fields journald adds to a stdout entry of snap.microk8s.daemon-<app>
unit_meta() {
  local app=$1
  text _TRANSPORT stdout
  text _UID 0
  text _GID 0
  text _COMM "${COMM[$app]}"
  text _EXE "$SNAP/bin/${COMM[$app]}"
  text _CMDLINE "$SNAP/bin/${COMM[$app]} --args-dir=/var/snap/microk8s/7231/args"
  text _CAP_EFFECTIVE 1ffffffffff
  text _SYSTEMD_CGROUP "/system.slice/snap.microk8s.daemon-$app.service"
  text _SYSTEMD_UNIT "snap.microk8s.daemon-$app.service"
  text _SYSTEMD_SLICE system.slice
  text _SYSTEMD_INVOCATION_ID "${INVOCATION[$app]}"
  text _MACHINE_ID "$MACHINE"
  text _HOSTNAME "$HOST"
}

# out <app> <realtime µs> <message> : one stdout line of a service
out() {
  local app=$1 rt=$2 msg=$3
  header "$rt"
  text PRIORITY 6
  text SYSLOG_FACILITY 3
  text SYSLOG_IDENTIFIER "microk8s.daemon-$app"
  text _PID "${PID[$app]}"
  unit_meta "$app"
  text _STREAM_ID "${STREAM[$app]}"
  if [[ $msg == *$'\n'* || $msg == *[$'\x01'-$'\x08\x0b'-$'\x1f\x7f']* ]]; then binary MESSAGE "$msg"; else text MESSAGE "$msg"; fi
  printf '\n'
}

# pid1 <realtime µs> <app> <message> <job type|''> : a systemd[1] job/unit message (native protocol:
# it carries _SOURCE_REALTIME_TIMESTAMP, which journalctl's text output shows instead).
pid1() {
  local rt=$1 app=$2 msg=$3 job=$4
  header "$rt"
  text PRIORITY 6
  text SYSLOG_FACILITY 3
  text SYSLOG_IDENTIFIER systemd
  text _TRANSPORT journal
  text _PID 1
  text _UID 0
  text _GID 0
  text _COMM systemd
  text _EXE /usr/lib/systemd/systemd
  text _CMDLINE "/sbin/init"
  text _CAP_EFFECTIVE 1ffffffffff
  binary _SELINUX_CONTEXT $'unconfined\n'
  text _SYSTEMD_CGROUP /init.scope
  text _SYSTEMD_UNIT init.scope
  text _SYSTEMD_SLICE -.slice
  text CODE_FILE src/core/job.c
  text CODE_LINE 768
  text CODE_FUNC job_emit_done_message
  [ -n "$job" ] && { text MESSAGE_ID 39f53479d3a045ac8e11786248231fbf; text JOB_TYPE "$job"; text JOB_RESULT done; }
  text UNIT "snap.microk8s.daemon-$app.service"
  text INVOCATION_ID "${INVOCATION[$app]}"
  text MESSAGE "$msg"
  text _MACHINE_ID "$MACHINE"
  text _HOSTNAME "$HOST"
  text _SOURCE_REALTIME_TIMESTAMP $(($rt - 1234))
  printf '\n'
}

# Wall-clock strings the processes print themselves (node zone: Australia/Brisbane, UTC+10).
klog_time() { TZ=Australia/Brisbane date -d "@$(($1 / 1000000))" "+%m%d %H:%M:%S.$(printf %06d $(($1 % 1000000)))"; }
logrus_time() { date -u -d "@$(($1 / 1000000))" "+%Y-%m-%dT%H:%M:%S.$(printf %06d $(($1 % 1000000)))000Z"; }
klog() { printf '%s%s %7d %s' "$1" "$(klog_time "$2")" "${PID[kubelite]}" "$3"; }

start_services() { # <realtime second>
  local t=$1 app
  for app in containerd k8s-dqlite kubelite; do
    INVOCATION[$app]=$(printf '%s' "$BOOT$app" | md5sum | cut -c1-32)
    STREAM[$app]=$(printf '%s' "stream$BOOT$app" | md5sum | cut -c1-32)
    pid1 $(((t) * 1000000 + 100000)) "$app" "Started Service for snap application microk8s.daemon-$app." start
    t=$((t + 1))
  done
}

KUBELITE_INFO=(
  'kubelet_node_status.go:77] "Successfully registered node" node="k8s03"'
  'plugin_manager.go:118] "Starting Kubelet Plugin Manager"'
  'shared_informer.go:311] Waiting for caches to sync for expand'
  'controllermanager.go:642] "Started controller" controller="endpointslice-controller"'
  'replica_set.go:676] "Finished syncing" kind="ReplicaSet" key="kube-system/hostpath-provisioner-7df77bc496" duration="6.234522ms"'
  'scope.go:117] "RemoveContainer" containerID="40e97da0be54acf23b0aa698f3657d726b9624d2a01d0d3ea9092b54850f852e"'
  'event.go:307] "Event occurred" object="kube-system/calico-kube-controllers" fieldPath="" kind="Deployment" apiVersion="apps/v1" type="Normal" reason="ScalingReplicaSet" message="Scaled up replica set calico-kube-controllers-77bd7c5b to 1"'
  'storage_scheduling.go:111] all system priority classes are created successfully or already exist.'
)
CONTAINERD_MSGS=(
  'level=info msg="RunPodSandbox for &PodSandboxMetadata{Name:calico-node-kwv84,Uid:69b9a2cd-3b81-471b-87cc-dc71c33a5732,Namespace:kube-system,Attempt:0,}"'
  'level=info msg="StartContainer for \"80a1a9fb8ba6625d371942b4c83a2139d98e0f97749278615632b597a075d1cf\" returns successfully"'
  'level=info msg="container event discarded" container=68799a609c5eb7b4d39800c7f29cd0f61e8031ecd293ba7cf9e46bbd27f71f06 type=CONTAINER_CREATED_EVENT'
  'level=info msg="TearDown network for sandbox \"89c419449600827db282915670ef04fdeaa6384ce5f7bf96584b47de4a54f2ab\" successfully"'
  'level=warning msg="failed to load plugin io.containerd.snapshotter.v1.devmapper" error="devmapper not configured"'
)
DQLITE_MSGS=(
  'level=info msg="Started dqlite" address="127.0.0.1:19001" id=3297041220608546238'
  'level=info msg="Kine listening on unix:///var/snap/microk8s/7231/var/kubernetes/backend/kine.sock:12379"'
  'level=error msg="WATCH Failed to create watcher: failed to get compact revision: context canceled"'
  'level=error msg="error while range on /registry/health : query (try: 0): sql: database is closed"'
)

steady() { # <first second> <count> : interleaved steady-state lines, one every 7 s
  local t0=$1 n=$2 i rt
  for ((i = 0; i < n; i++)); do
    rt=$(((t0 + i * 7) * 1000000 + (i * 137777) % 1000000))
    case $((i % 4)) in
      0 | 1) out kubelite "$rt" "$(klog I "$rt" "${KUBELITE_INFO[$((i % ${#KUBELITE_INFO[@]}))]}")" ;;
      2) out containerd "$rt" "time=\"$(logrus_time "$rt")\" ${CONTAINERD_MSGS[$((i % ${#CONTAINERD_MSGS[@]}))]}" ;;
      3) out k8s-dqlite "$rt" "time=\"$(logrus_time "$rt")\" ${DQLITE_MSGS[$((i % ${#DQLITE_MSGS[@]}))]}" ;;
    esac
  done
}

make_stream() {
  # ---- boot 1: 2026-05-18 00:15 AEST
  PID[containerd]=2842; PID[k8s-dqlite]=2828; PID[kubelite]=1234567
  start_services $((BASE - 5))
  out kubelite $((BASE * 1000000 + 2123456)) "$(klog I $((BASE * 1000000 + 2123456)) 'kubelet_node_status.go:77] "Successfully registered node" node="k8s03"')"
  out containerd $(((BASE + 1) * 1000000 + 123456)) 'time="2026-05-17T14:15:01.123456789Z" level=info msg="container event discarded" container=d21ccb37241b528fd43b70962262b228119d6b5c324ecd45114a4a7ebfa2354b type=CONTAINER_CREATED_EVENT'
  steady $((BASE + 10)) 70
  # A multi-line MESSAGE (a goroutine dump chunk, TAB-indented frames) and one with a blank
  # line inside: binary-framed in the export, the `\n\n` must not end the entry.
  local rt=$(((BASE + 900) * 1000000 + 500000))
  out kubelite "$rt" $'goroutine 412 [semacquire, 4 minutes]:\nsync.runtime_SemacquireMutex(0xc000a1b2c4?, 0x0?, 0x1?)\n\t/usr/local/go/src/runtime/sema.go:77 +0x25\nk8s.io/kubernetes/pkg/kubelet/pleg.(*GenericPLEG).relist(0xc0004e8a80)\n\t/build/kubernetes/pkg/kubelet/pleg/generic.go:239 +0x6c'
  rt=$((rt + 1000))
  out kubelite "$rt" $'panic: send on closed channel\n\ngoroutine 1 [running]:\nmain.main()\n\t/build/cmd/kubelite/main.go:42 +0x1d'
  # A line over 4096 bytes: `-o json` without --all prints it as null.
  rt=$((rt + 2000000))
  local pods='' i
  for ((i = 0; i < 100; i++)); do pods+="kube-system/calico-node-$(printf %05d $i)-0123456789abcdef,"; done
  out kubelite "$rt" "$(klog E "$rt" "kubelet.go:2345] \"Skipping pod synchronization\" err=\"[container runtime status check may not have completed yet, PLEG is not healthy: pleg was last seen active 3m5.1s ago; threshold is 3m0s]\" pods=\"[$pods]\"")"
  # ANSI colours (binary in export, a byte array in JSON, stripped by journalctl short) and a
  # non-UTF-8 byte (shown as "[N blob data]" by journalctl short).
  rt=$((rt + 1000000))
  out containerd "$rt" $'\x1b[0;33mWARNING:\x1b[0m IPv6 forwarding is disabled'
  rt=$((rt + 1000000))
  out containerd "$rt" $'cni config load failed: \xff\xfe bad bytes'
  pid1 $(((BASE + 960) * 1000000)) kubelite "Stopping Service for snap application microk8s.daemon-kubelite..." stop
  pid1 $(((BASE + 961) * 1000000)) kubelite "snap.microk8s.daemon-kubelite.service: Deactivated successfully." ''

  # ---- boot 2: 40 minutes later
  BOOT=$BOOT2
  BOOT_START=$((BASE + 2400))
  PID[containerd]=2213; PID[k8s-dqlite]=2190; PID[kubelite]=4050
  start_services $((BASE + 2400))
  steady $((BASE + 2410)) 60
  rt=$(((BASE + 3200) * 1000000 + 654321))
  out k8s-dqlite "$rt" "time=\"2026-05-18T03:40:12Z\" level=error msg=\"WATCH Failed to create watcher: failed to get compact revision: context canceled\""
  rt=$((rt + 250000))
  out kubelite "$rt" "$(klog E "$rt" 'kubelet.go:2345] "Skipping pod synchronization" err="PLEG is not healthy: pleg was last seen active 3m0.5s ago; threshold is 3m0s"')"
}

make_stream > "$OUT/source.export"
"$REMOTE" -o "$WORK/test.journal" - < "$OUT/source.export" 2> >(grep -v "^Unknown dunder line" >&2)

render() { # <file> <journalctl args…>
  local file=$1
  shift
  TZ=${RENDER_TZ:-UTC} journalctl --no-pager --file "$WORK/test.journal" "$@" > "$OUT/$file"
}
render export.txt -o export
render json.txt -o json --all
render json-noall.txt -o json
render json-pretty.txt -o json-pretty --all
render json-seq.txt -o json-seq --all
render json-sse.txt -o json-sse --all
for form in short short-iso short-iso-precise short-precise short-full short-unix cat; do
  render "$form.txt" -o "$form"
done
RENDER_TZ=Australia/Brisbane render short-brisbane.txt -o short
RENDER_TZ=Australia/Brisbane render short-full-brisbane.txt -o short-full
RENDER_TZ=Australia/Brisbane render short-iso-brisbane.txt -o short-iso
journalctl --version | head -1 > "$OUT/journalctl-version.txt"
ls -l "$OUT"
