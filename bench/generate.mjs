/**
 * Deterministic bench inputs (no Math.random, no clock): a merged three-node MicroK8s
 * journal as `journalctl -o export` writes it (stdout-transport field set of
 * test/data/journald/source.export) plus the same entries as `journalctl -o short-iso`,
 * a 100,000-goroutine kubelet dump and a Calico ipamblocks/pods listing.
 *
 * Buried signals (what `analyze` must still find in the haystack):
 *   - k8s02: kubelite restarts at 40 % of the timeline, logs the eviction-manager imagefs
 *     line and then nothing for 12 minutes while containerd and k8s-dqlite keep logging;
 *   - k8s01: a handful of `pleg was last seen active … ago` lines near 70 %;
 *   - all nodes: ~1 in 60 containerd lines is `container event discarded`.
 *
 * Bump GENERATOR_VERSION whenever the output changes: run.mjs regenerates on mismatch.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

export const GENERATOR_VERSION = 3;

/** mulberry32: small, fast, deterministic. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (rand, n) => {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[(rand() * 16) | 0];
  return s;
};
const pick = (rand, list) => list[(rand() * list.length) | 0];
const pad = (n, w) => String(n).padStart(w, '0');

/** Buffered writer: few big writeSync calls. */
class Out {
  constructor(path) {
    this.fd = openSync(path, 'w');
    this.buf = Buffer.allocUnsafe(8 * 1024 * 1024);
    this.pos = 0;
    this.bytes = 0;
  }
  write(s) {
    const need = Buffer.byteLength(s);
    if (this.pos + need > this.buf.length) this.flush();
    if (need > this.buf.length) {
      writeSync(this.fd, s);
    } else {
      this.pos += this.buf.write(s, this.pos);
    }
    this.bytes += need;
  }
  writeBytes(b) {
    if (this.pos + b.length > this.buf.length) this.flush();
    b.copy(this.buf, this.pos);
    this.pos += b.length;
    this.bytes += b.length;
  }
  flush() {
    if (this.pos > 0) writeSync(this.fd, this.buf, 0, this.pos);
    this.pos = 0;
  }
  close() {
    this.flush();
    closeSync(this.fd);
  }
}

const START_MICROS = Date.UTC(2026, 4, 17, 14, 0, 0) * 1000;
const BRISBANE_OFFSET_MICROS = 10 * 3600 * 1_000_000;

/** klog header time (the node's local time, Australia/Brisbane): `0518 00:15:02.123456`. */
function klogTime(ts) {
  const d = new Date(Math.floor((ts + BRISBANE_OFFSET_MICROS) / 1000));
  return `${pad(d.getUTCMonth() + 1, 2)}${pad(d.getUTCDate(), 2)} ${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}.${pad(ts % 1_000_000, 6)}`;
}
function rfc3339(ts) {
  const d = new Date(Math.floor(ts / 1000));
  return `${d.toISOString().slice(0, 19)}.${pad(ts % 1_000_000, 6)}000Z`;
}
function shortIso(ts) {
  return `${new Date(Math.floor(ts / 1000)).toISOString().slice(0, 19)}+0000`;
}

const PODS = [
  'kube-system/calico-node-kwv84', 'kube-system/coredns-864597b5fd-7xk2p', 'kube-system/calico-kube-controllers-77bd7c5b-mp2vq',
  'kube-system/metrics-server-848968bdcd-rpgvx', 'kube-system/hostpath-provisioner-7df77bc496-4c9sl', 'ingress/nginx-ingress-microk8s-controller-b2v7k',
  'default/web-6d4cf56db6-9wz5q', 'default/web-6d4cf56db6-llm2n', 'default/api-7f9c8b5d44-x2qtr', 'monitoring/prometheus-k8s-0',
  'monitoring/node-exporter-hq7dz', 'kube-system/kubernetes-dashboard-54b48fbf9-j4jgt',
];
const VOLUMES = ['kube-api-access-n7kkq', 'tmp-dir', 'config-volume', 'data', 'tls-certs', 'var-lib-calico'];
const RS = ['kube-system/hostpath-provisioner-7df77bc496', 'kube-system/metrics-server-848968bdcd', 'default/web-6d4cf56db6', 'default/api-7f9c8b5d44'];

/** kubelite (kubelet + apiserver + controllers in one process) klog messages. */
const KUBELITE_LINES = [
  (r) => ['I', 'replica_set.go:676', `"Finished syncing" kind="ReplicaSet" key="${pick(r, RS)}" duration="${(r() * 80).toFixed(6)}ms"`],
  (r) => ['I', 'scope.go:117', `"RemoveContainer" containerID="${hex(r, 64)}"`],
  (r) => ['I', 'kubelet_node_status.go:497', '"Fast updating node status as it just became ready"'],
  (r) => { const p = pick(r, PODS); const v = pick(r, VOLUMES); const uid = `${hex(r, 8)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 12)}`; return ['I', 'reconciler_common.go:258', `"operationExecutor.VerifyControllerAttachedVolume started for volume \\"${v}\\" (UniqueName: \\"kubernetes.io/projected/${uid}-${v}\\") pod \\"${p.split('/')[1]}\\" (UID: \\"${uid}\\") " pod="${p}"`]; },
  (r) => ['I', 'controller.go:624', `quota admission added evaluator for: ${pick(r, ['deployments.apps', 'replicasets.apps', 'endpoints', 'leases.coordination.k8s.io', 'events.events.k8s.io'])}`],
  (r) => ['W', 'handler_proxy.go:93', 'no RequestInfo found in the context'],
  (r) => ['E', 'controller.go:146', 'Error updating APIService "v1beta1.metrics.k8s.io" with err: failed to download v1beta1.metrics.k8s.io: failed to retrieve openAPI spec, http error: ResponseCode: 503, Body: service unavailable'],
  (r) => { const p = pick(r, PODS); return ['I', 'pod_startup_latency_tracker.go:102', `"Observed pod startup duration" pod="${p}" podStartSLOduration=${(r() * 30).toFixed(3)} podStartE2EDuration="${(r() * 40).toFixed(3)}s" podCreationTimestamp="2026-05-17 14:${pad((r() * 60) | 0, 2)}:07 +0000 UTC"`]; },
  (r) => { const p = pick(r, PODS); return ['I', 'event.go:307', `"Event occurred" object="${p}" fieldPath="" kind="Pod" apiVersion="v1" type="Normal" reason="${pick(r, ['Pulled', 'Created', 'Started', 'Scheduled', 'SuccessfulCreate'])}" message="Container image \\"docker.io/calico/node:v3.26.1\\" already present on machine"`]; },
  (r) => ['I', 'alloc.go:330', `"allocated clusterIPs" service="${pick(r, ['kube-system/kube-dns', 'default/web', 'kube-system/metrics-server'])}" clusterIPs={"IPv4":"10.152.183.${(r() * 250) | 0}"}`],
  (r) => ['E', 'pod_workers.go:1300', `"Error syncing pod, skipping" err="failed to \\"StartContainer\\" for \\"app\\" with CrashLoopBackOff: \\"back-off 5m0s restarting failed container=app pod=${pick(r, PODS).split('/')[1]}\\"" pod="${pick(r, PODS)}" podUID="${hex(r, 8)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 12)}"`],
  (r) => ['I', 'trace.go:236', `Trace[${(r() * 2e9) | 0}]: "List(recursive=true) etcd3" audit-id:${hex(r, 8)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 12)},key:/pods,resourceVersion:,resourceVersionMatch:,limit:500,continue: (17-May-2026 14:20:01.123) (total time: ${(r() * 900) | 0}ms):`],
  (r) => ['I', 'kuberuntime_container.go:770', `"Killing container with a grace period" pod="${pick(r, PODS)}" podUID="${hex(r, 8)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 12)}" containerName="app" containerID="containerd://${hex(r, 64)}" gracePeriod=30`],
  (r) => ['W', 'reflector.go:535', `k8s.io/client-go/informers/factory.go:150: watch of *v1.${pick(r, ['Pod', 'Node', 'Service', 'EndpointSlice'])} ended with: an error on the server ("unable to decode an event from the watch stream: http2: client connection lost") has prevented the request from succeeding`],
];

const CONTAINERD_LINES = [
  (r) => ['info', `StartContainer for \\"${hex(r, 64)}\\" returns successfully`, ''],
  (r) => ['info', `TearDown network for sandbox \\"${hex(r, 64)}\\" successfully`, ''],
  (r) => ['info', `RunPodSandbox for &PodSandboxMetadata{Name:${pick(r, PODS).split('/')[1]},Uid:${hex(r, 8)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 12)},Namespace:kube-system,Attempt:0,}`, ''],
  (r) => ['info', `ImageCreate event name:\\"docker.io/calico/cni:v3.26.1\\" labels:{key:\\"io.cri-containerd.image\\" value:\\"managed\\"}`, ''],
  (r) => ['info', 'shim disconnected', ` id=${hex(r, 64)} namespace=k8s.io`],
  (r) => ['warning', 'cleaning up after shim disconnected', ` id=${hex(r, 64)} namespace=k8s.io`],
  (r) => ['info', `PullImage \\"registry.k8s.io/pause:3.7\\" returns image reference \\"sha256:${hex(r, 64)}\\"`, ''],
  (r) => ['error', `ContainerStatus for \\"${hex(r, 64)}\\" failed`, ` error="rpc error: code = NotFound desc = an error occurred when try to find container \\"${hex(r, 64)}\\": not found"`],
];

const DQLITE_LINES = [
  (r) => ['error', `error while range on /registry/${pick(r, ['health', 'pods/default/', 'leases/kube-node-lease/k8s01', 'events/'])} : query (try: 0): sql: database is closed`],
  (r) => ['info', `Handling proxy connection from ${pick(r, ['10.0.0.11', '10.0.0.12', '10.0.0.13'])}:${(r() * 60000 + 1024) | 0}`],
  (r) => ['warning', `slow query: ${(r() * 3000).toFixed(0)}ms SELECT id, name, created, deleted, create_revision, prev_revision, lease, value, old_value FROM kine WHERE name = ? ORDER BY id DESC LIMIT 1`],
  (r) => ['info', `COMPACT compactRev=${(r() * 9e6) | 0} targetCompactRev=${(r() * 9e6) | 0} currentRev=${(r() * 9e6) | 0}`],
];

const NODES = [
  { host: 'k8s01', ip: '10.0.0.11', boot: 'a1b2c3d4e5f60718293a4b5c6d7e8f90', machine: '11aa22bb33cc44dd55ee66ff77008811', seqId: '0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e51' },
  { host: 'k8s02', ip: '10.0.0.12', boot: 'b2c3d4e5f60718293a4b5c6d7e8f90a1', machine: '22bb33cc44dd55ee66ff770088112299', seqId: '0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e52' },
  { host: 'k8s03', ip: '10.0.0.13', boot: '5f3ad2e1c8b44e0f9a7d6c5b4e3f2a10', machine: '9b2a6c0e4f8d4e1a8c3b5d7f9e1a2c4b', seqId: '0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e53' },
];

const SERVICES = {
  kubelite: { ident: 'microk8s.daemon-kubelite', comm: 'kubelite', exe: '/snap/microk8s/7231/bin/kubelite', cmdline: '/snap/microk8s/7231/bin/kubelite --args-dir=/var/snap/microk8s/7231/args' },
  containerd: { ident: 'microk8s.daemon-containerd', comm: 'containerd', exe: '/snap/microk8s/7231/bin/containerd', cmdline: '/snap/microk8s/7231/bin/containerd --config /var/snap/microk8s/7231/args/containerd.toml --root /var/snap/microk8s/common/var/lib/containerd --state /var/snap/microk8s/common/run/containerd --address /var/snap/microk8s/common/run/containerd.sock' },
  'k8s-dqlite': { ident: 'microk8s.daemon-k8s-dqlite', comm: 'k8s-dqlite', exe: '/snap/microk8s/7231/bin/k8s-dqlite', cmdline: '/snap/microk8s/7231/bin/k8s-dqlite --storage-dir=/var/snap/microk8s/7231/var/kubernetes/backend/ --listen=unix:///var/snap/microk8s/7231/var/kubernetes/backend/kine.sock:12379' },
};

/**
 * Journal export + short-iso text of about `targetBytes` of export. Returns counts of the
 * buried signals so the bench can print them next to what analyze found.
 */
export function generateJournal(exportPath, textPath, targetBytes, seed = 42) {
  const r = rng(seed);
  const exp = new Out(exportPath);
  const txt = new Out(textPath);
  // ~1.2 KB per export entry → entries; 40 entries/s across the three nodes.
  const approxEntries = Math.max(1000, Math.round(targetBytes / 1180));
  const spanMicros = Math.round((approxEntries / 40) * 1_000_000);
  const stallAt = START_MICROS + Math.round(spanMicros * 0.4);
  const stallEnd = stallAt + 12 * 60 * 1_000_000;
  const plegAt = START_MICROS + Math.round(spanMicros * 0.7);
  const counts = { entries: 0, discarded: 0, pleg: 0, imagefs: 0, stallNode: 'k8s02' };

  const state = NODES.map((n, i) => ({
    ...n,
    seq: 0,
    mono: 3_000_000 + i * 1000,
    pids: { kubelite: 1234560 + i, containerd: 2840 + i, 'k8s-dqlite': 2820 + i },
    invocation: { kubelite: hex(r, 32), containerd: hex(r, 32), 'k8s-dqlite': hex(r, 32) },
    stream: { kubelite: hex(r, 32), containerd: hex(r, 32), 'k8s-dqlite': hex(r, 32) },
    restarted: false,
    plegLeft: i === 0 ? 6 : 0,
  }));

  let ts = START_MICROS;
  const cursorX = () => hex(r, 16);

  function entry(node, fields, message, priority, ident, pid) {
    node.seq++;
    node.mono += 25_000;
    const head =
      `__CURSOR=s=${node.seqId};i=${node.seq.toString(16)};b=${node.boot};m=${node.mono.toString(16)};t=${ts.toString(16)};x=${cursorX()}\n` +
      `__REALTIME_TIMESTAMP=${ts}\n__MONOTONIC_TIMESTAMP=${node.mono}\n__SEQNUM=${node.seq}\n__SEQNUM_ID=${node.seqId}\n` +
      `_BOOT_ID=${node.boot}\nPRIORITY=${priority}\nSYSLOG_FACILITY=3\n`;
    exp.write(`${head}${fields}_MACHINE_ID=${node.machine}\n_HOSTNAME=${node.host}\n${message.includes('\n') ? '' : `MESSAGE=${message}\n`}`);
    if (message.includes('\n')) {
      // Binary-safe form for multi-line messages, as journalctl writes them.
      const value = Buffer.from(message);
      const len = Buffer.alloc(8);
      len.writeUInt32LE(value.length, 0);
      exp.write('MESSAGE\n');
      exp.writeBytes(len);
      exp.writeBytes(value);
      exp.write('\n');
    }
    exp.write('\n');
    txt.write(`${shortIso(ts)} ${node.host} ${ident}[${pid}]: ${message.replace(/\n/g, '\n    ')}\n`);
    counts.entries++;
  }

  function stdoutEntry(node, service, message, priority) {
    const s = SERVICES[service];
    const pid = node.pids[service];
    const fields =
      `SYSLOG_IDENTIFIER=${s.ident}\n_PID=${pid}\n_TRANSPORT=stdout\n_UID=0\n_GID=0\n_COMM=${s.comm}\n_EXE=${s.exe}\n_CMDLINE=${s.cmdline}\n` +
      `_CAP_EFFECTIVE=1ffffffffff\n_SYSTEMD_CGROUP=/system.slice/snap.microk8s.daemon-${service}.service\n_SYSTEMD_UNIT=snap.microk8s.daemon-${service}.service\n` +
      `_SYSTEMD_SLICE=system.slice\n_SYSTEMD_INVOCATION_ID=${node.invocation[service]}\n_STREAM_ID=${node.stream[service]}\n`;
    entry(node, fields, message, priority, s.ident, pid);
  }

  function systemdEntry(node, service, message) {
    const fields =
      `SYSLOG_IDENTIFIER=systemd\n_TRANSPORT=journal\n_PID=1\n_UID=0\n_GID=0\n_COMM=systemd\n_EXE=/usr/lib/systemd/systemd\n_CMDLINE=/sbin/init\n` +
      `_CAP_EFFECTIVE=1ffffffffff\n_SYSTEMD_CGROUP=/init.scope\n_SYSTEMD_UNIT=init.scope\n_SYSTEMD_SLICE=-.slice\nCODE_FILE=src/core/job.c\nCODE_LINE=768\n` +
      `CODE_FUNC=job_emit_done_message\nUNIT=snap.microk8s.daemon-${service}.service\n_SOURCE_REALTIME_TIMESTAMP=${ts - 1234}\n`;
    entry(node, fields, message, 6, 'systemd', 1);
  }

  function klog(node, severity, file, text) {
    return `${severity}${klogTime(ts)} ${pad(node.pids.kubelite, 7)} ${file}] ${text}`;
  }

  for (const node of state) {
    for (const service of ['containerd', 'k8s-dqlite', 'kubelite']) {
      systemdEntry(node, service, `Started Service for snap application microk8s.daemon-${service}.`);
      ts += 1000;
    }
  }

  while (exp.bytes < targetBytes) {
    ts += 5_000 + Math.floor(r() * 40_000);
    const node = state[(r() * 3) | 0];
    if (node.host === 'k8s02' && !node.restarted && ts >= stallAt) {
      node.restarted = true;
      systemdEntry(node, 'kubelite', 'Stopping Service for snap application microk8s.daemon-kubelite...');
      ts += 400_000;
      systemdEntry(node, 'kubelite', 'Stopped Service for snap application microk8s.daemon-kubelite.');
      ts += 1_100_000;
      node.pids.kubelite += 1000;
      node.invocation.kubelite = hex(r, 32);
      node.stream.kubelite = hex(r, 32);
      systemdEntry(node, 'kubelite', 'Started Service for snap application microk8s.daemon-kubelite.');
      ts += 900_000;
      stdoutEntry(node, 'kubelite', klog(node, 'I', 'server.go:487', '"Kubelet version" kubeletVersion="v1.28.14"'), 6);
      ts += 2_300_000;
      stdoutEntry(node, 'kubelite', klog(node, 'E', 'eviction_manager.go:292', '"Eviction manager: failed to check if we have separate container filesystem. Ignoring." err="no imagefs label for configured runtime"'), 3);
      counts.imagefs++;
      continue;
    }
    const roll = r();
    const service = roll < 0.55 ? 'kubelite' : roll < 0.85 ? 'containerd' : 'k8s-dqlite';
    if (service === 'kubelite') {
      if (node.host === 'k8s02' && ts >= stallAt && ts < stallEnd) continue; // the stall: kubelite silent
      if (node.plegLeft > 0 && ts >= plegAt + (6 - node.plegLeft) * 20_000_000) {
        node.plegLeft--;
        counts.pleg++;
        stdoutEntry(node, 'kubelite', klog(node, 'E', 'kubelet.go:2370', `"Skipping pod synchronization" err="PLEG is not healthy: pleg was last seen active 3m${(r() * 59).toFixed(6)}s ago; threshold is 3m0s"`), 3);
        continue;
      }
      const [sev, file, text] = pick(r, KUBELITE_LINES)(r);
      stdoutEntry(node, 'kubelite', klog(node, sev, file, text), sev === 'E' ? 3 : sev === 'W' ? 4 : 6);
    } else if (service === 'containerd') {
      if (r() < 1 / 60) {
        counts.discarded++;
        stdoutEntry(node, 'containerd', `time="${rfc3339(ts)}" level=warning msg="container event discarded" container=${hex(r, 64)} type=${pick(r, ['CONTAINER_CREATED_EVENT', 'CONTAINER_STARTED_EVENT', 'CONTAINER_STOPPED_EVENT'])}`, 4);
        continue;
      }
      const [level, msg, extra] = pick(r, CONTAINERD_LINES)(r);
      stdoutEntry(node, 'containerd', `time="${rfc3339(ts)}" level=${level} msg="${msg}"${extra}`, level === 'error' ? 3 : level === 'warning' ? 4 : 6);
    } else {
      const [level, msg] = pick(r, DQLITE_LINES)(r);
      stdoutEntry(node, 'k8s-dqlite', `time="${rfc3339(ts)}" level=${level} msg="${msg}"`, level === 'error' ? 3 : 6);
    }
  }
  exp.close();
  txt.close();
  return { ...counts, exportBytes: exp.bytes, textBytes: txt.bytes };
}

/** Frames of real kubelet/containerd stacks (shared/samples goroutine-dump-kubelet__*). */
const K = 'k8s.io/kubernetes';
const V = `${K}/vendor`;
const SRC = '/build/kubernetes/_output/local/go/src';
const FRAME = {
  gopark: ['runtime.gopark(0x4a1c2d8, 0xc000a1e2d0, 0x1813, 0x1)', '/usr/local/go/src/runtime/proc.go:398 +0xce'],
  selectgo: ['runtime.selectgo(0xc000bcbd58, 0xc000bcbcf0, 0x2?, 0x0, 0x0?, 0x1)', '/usr/local/go/src/runtime/select.go:327 +0x725'],
  chanrecv: ['runtime.chanrecv(0xc0001a2360, 0x0, 0x1)', '/usr/local/go/src/runtime/chan.go:583 +0x3cd'],
  chanrecv1: ['runtime.chanrecv1(0xc0001a2360?, 0x0?)', '/usr/local/go/src/runtime/chan.go:442 +0x12'],
  chansend1: ['runtime.chansend1(0xc0003a4c00?, 0xc000bcbd10?)', '/usr/local/go/src/runtime/chan.go:146 +0x17'],
  semacquire: ['sync.runtime_SemacquireMutex(0xc0006a8e24?, 0x0?, 0x1?)', '/usr/local/go/src/runtime/sema.go:77 +0x25'],
  lockSlow: ['sync.(*Mutex).lockSlow(0xc0006a8e20)', '/usr/local/go/src/sync/mutex.go:171 +0x15d'],
  lock: ['sync.(*Mutex).Lock(...)', '/usr/local/go/src/sync/mutex.go:90'],
  rlock: ['sync.(*RWMutex).RLock(...)', '/usr/local/go/src/sync/rwmutex.go:71'],
  condWait: ['sync.(*Cond).Wait(0xc000488150)', '/usr/local/go/src/sync/cond.go:70 +0x85'],
  pollWait: ['internal/poll.runtime_pollWait(0x7f3a1c2b4e28, 0x72)', '/usr/local/go/src/runtime/netpoll.go:343 +0x85'],
  fdWait: ['internal/poll.(*pollDesc).wait(0xc000b12280?, 0xc000c4a000?, 0x0)', '/usr/local/go/src/internal/poll/fd_poll_runtime.go:84 +0x27'],
  fdRead: ['internal/poll.(*FD).Read(0xc000b12280, {0xc000c4a000, 0x8000, 0x8000})', '/usr/local/go/src/internal/poll/fd_unix.go:164 +0x27a'],
  netRead: ['net.(*conn).Read(0xc000a0c1a8, {0xc000c4a000?, 0x0?, 0xc000bcbab8?})', '/usr/local/go/src/net/net.go:179 +0x45'],
  bufioRead: ['bufio.(*Reader).Read(0xc000c2e2a0, {0xc0004d2a78, 0x9, 0x0?})', '/usr/local/go/src/bufio/bufio.go:244 +0x197'],
  http2ReadFrame: ['golang.org/x/net/http2.(*Framer).ReadFrame(0xc0004d2a40)', `${SRC}/${V}/golang.org/x/net/http2/frame.go:498 +0x95`],
  http2ReadLoop: ['golang.org/x/net/http2.(*clientConnReadLoop).run(0xc000bcbf98)', `${SRC}/${V}/golang.org/x/net/http2/transport.go:2275 +0x12e`],
  http2ReadLoopOuter: ['golang.org/x/net/http2.(*ClientConn).readLoop(0xc0002b6a80)', `${SRC}/${V}/golang.org/x/net/http2/transport.go:2170 +0x65`],
  grpcRecv: ['google.golang.org/grpc/internal/transport.(*recvBufferReader).read(0xc000d3c0f0, {0xc000e6a1e0, 0x5, 0x5})', `${SRC}/${V}/google.golang.org/grpc/internal/transport/transport.go:184 +0xb5`],
  grpcRecvMsg: ['google.golang.org/grpc.(*csAttempt).recvMsg(0xc000a6c000, {0x3e5e6a0?, 0xc000c2e0f0}, 0x0?)', `${SRC}/${V}/google.golang.org/grpc/stream.go:1100 +0x1c5`],
  watchHandler: [`${V}/k8s.io/client-go/tools/cache.(*Reflector).watchHandler(0xc0007f8500, {0x0?, 0x0?, 0x0?}, {0x4a1fb40, 0xc000344e00}, 0xc000bcbc18, 0xc00015f800, 0xc0000d2120)`, `${SRC}/${V}/k8s.io/client-go/tools/cache/reflector.go:731 +0x1e0`],
  listAndWatch: [`${V}/k8s.io/client-go/tools/cache.(*Reflector).ListAndWatch(0xc0007f8500, 0xc0000d2120)`, `${SRC}/${V}/k8s.io/client-go/tools/cache/reflector.go:323 +0x90d`],
  reflectorRun: [`${V}/k8s.io/client-go/tools/cache.(*Reflector).Run.func1()`, `${SRC}/${V}/k8s.io/client-go/tools/cache/reflector.go:291 +0x3a`],
  backoffUntil: [`${V}/k8s.io/apimachinery/pkg/util/wait.BackoffUntil.func1(0x10?)`, `${SRC}/${V}/k8s.io/apimachinery/pkg/util/wait/backoff.go:226 +0x33`],
  backoffUntil2: [`${V}/k8s.io/apimachinery/pkg/util/wait.BackoffUntil(0xc000999f78?, {0x4a00f00, 0xc0004cc0a0}, 0x1, 0xc0000d2120)`, `${SRC}/${V}/k8s.io/apimachinery/pkg/util/wait/backoff.go:227 +0xaf`],
  jitterUntil: [`${V}/k8s.io/apimachinery/pkg/util/wait.JitterUntil(0xc000999f78, 0x3b9aca00, 0x0, 0x1, 0xc0000d2120)`, `${SRC}/${V}/k8s.io/apimachinery/pkg/util/wait/backoff.go:204 +0x7f`],
  until: [`${V}/k8s.io/apimachinery/pkg/util/wait.Until(...)`, `${SRC}/${V}/k8s.io/apimachinery/pkg/util/wait/backoff.go:161`],
  relist: [`${K}/pkg/kubelet/pleg.(*GenericPLEG).relist(0xc000a1e2d0)`, `${SRC}/${K}/pkg/kubelet/pleg/generic.go:261 +0x74d`],
  plegFm: [`${K}/pkg/kubelet/pleg.(*GenericPLEG).Relist-fm()`, `${SRC}/${K}/pkg/kubelet/pleg/generic.go:165 +0x29`],
  getPods: [`${K}/pkg/kubelet/kuberuntime.(*kubeGenericRuntimeManager).GetPods(0xc0003a4c00, {0x4a3c1e8, 0xc0001a6010}, 0x1)`, `${SRC}/${K}/pkg/kubelet/kuberuntime/kuberuntime_manager.go:374 +0x8c`],
  listContainers: [`${K}/pkg/kubelet/cri/remote.(*remoteRuntimeService).ListContainers(0xc0004f1f80, {0x4a3c1e8, 0xc0001a6010}, 0xc000d2c0c0)`, `${SRC}/${K}/pkg/kubelet/cri/remote/remote_runtime.go:412 +0x114`],
  grpcInvoke: ['google.golang.org/grpc.(*ClientConn).Invoke(0xc000a0e000, {0x4a3c1e8, 0xc000c2e2d0}, {0x43f1e06, 0x2d}, {0x3f7d0a0, 0xc000d2c0c0}, {0x3f7d1e0, 0xc000d2c100}, {0x0, 0x0, 0x0})', `${SRC}/${V}/google.golang.org/grpc/call.go:35 +0x223`],
  syncLoop: [`${K}/pkg/kubelet.(*Kubelet).syncLoop(0xc000a88000, {0x4a3c1e8, 0xc0001a6010}, 0xc000c2e1e0, {0x4a2b9e0, 0xc000a88000})`, `${SRC}/${K}/pkg/kubelet/kubelet.go:2263 +0x3bd`],
  syncLoopIteration: [`${K}/pkg/kubelet.(*Kubelet).syncLoopIteration(0xc000a88000, {0x4a3c1e8, 0xc0001a6010}, 0xc000c2e1e0, {0x4a2b9e0?, 0xc000a88000}, 0xc000c2e300, 0xc000c2e360, 0xc000c2e3c0)`, `${SRC}/${K}/pkg/kubelet/kubelet.go:2336 +0x41a`],
  podWorkerLoop: [`${K}/pkg/kubelet.(*podWorkers).podWorkerLoop(0xc000b4c000, {0xc000d3a6c0, 0x24}, 0xc000d3c060)`, `${SRC}/${K}/pkg/kubelet/pod_workers.go:1223 +0x3d5`],
  podWorkerUpdate: [`${K}/pkg/kubelet.(*podWorkers).UpdatePod.func1()`, `${SRC}/${K}/pkg/kubelet/pod_workers.go:935 +0x9a`],
  evictionSync: [`${K}/pkg/kubelet/eviction.(*managerImpl).synchronize(0xc000b2e000, {0x4a1f5c0, 0xc000a3c4e0}, 0xc000c2e420)`, `${SRC}/${K}/pkg/kubelet/eviction/eviction_manager.go:292 +0x1c5`],
  evictionStart: [`${K}/pkg/kubelet/eviction.(*managerImpl).Start.func1()`, `${SRC}/${K}/pkg/kubelet/eviction/eviction_manager.go:198 +0x65`],
  cniAdd: [`${V}/github.com/containernetworking/cni/libcni.(*CNIConfig).addNetwork(0xc000a2b4a0, {0x4a3c1e8, 0xc0001a6010}, {0xc000d1e1e0, 0xb}, {0xc000d1e1f0, 0x5}, 0xc000b7c0c0, 0xc000c2e480)`, `${SRC}/${V}/github.com/containernetworking/cni/libcni/api.go:457 +0x1c5`],
  execPlugin: [`${V}/github.com/containernetworking/cni/pkg/invoke.(*RawExec).ExecPlugin(0xc000a2b4c0, {0x4a3c1e8, 0xc0001a6010}, {0xc000d1e200, 0x1f}, {0xc000e10000, 0x3c1, 0x400}, {0xc000d2e0a0, 0x7, 0x7})`, `${SRC}/${V}/github.com/containernetworking/cni/pkg/invoke/raw_exec.go:40 +0x1d0`],
  cmdWait: ['os/exec.(*Cmd).Wait(0xc000b8a000)', '/usr/local/go/src/os/exec/exec.go:897 +0x45'],
  procWait: ['os.(*Process).Wait(...)', '/usr/local/go/src/os/exec.go:134'],
  syscall6: ['syscall.Syscall6(0xf7, 0x1, 0x3a21, 0xc000bcb9c8, 0x1000004, 0x0, 0x0)', '/usr/local/go/src/syscall/syscall_linux.go:91 +0x36'],
  timerSleep: ['time.Sleep(0x3b9aca00)', '/usr/local/go/src/runtime/time.go:195 +0x125'],
  kineTxn: ['github.com/k3s-io/kine/pkg/drivers/generic.(*Generic).execute(0xc000a2c0f0, {0x4a3c1e8, 0xc000c2e2d0}, {0xc000c4c000, 0x1f4}, {0xc000d3c120, 0x5, 0x5})', '/build/k8s-dqlite/vendor/github.com/k3s-io/kine/pkg/drivers/generic/generic.go:302 +0x1a5'],
  sqlExec: ['database/sql.(*DB).ExecContext(0xc000a2c0f0, {0x4a3c1e8, 0xc000c2e2d0}, {0xc000c4c000, 0x1f4}, {0xc000d3c120, 0x5, 0x5})', '/usr/local/go/src/database/sql/sql.go:1688 +0x19e'],
  eventedRecv: [`${K}/pkg/kubelet/pleg.(*EventedPLEG).watchEventsChannel.func1()`, `${SRC}/${K}/pkg/kubelet/pleg/evented.go:193 +0x98`],
  serverServe: ['net/http.(*Server).Serve(0xc000a2e000, {0x4a31c20, 0xc000b36018})', '/usr/local/go/src/net/http/server.go:3056 +0x364'],
  connServe: ['net/http.(*conn).serve(0xc000c4a090, {0x4a3c1e8, 0xc000d3c1b0})', '/usr/local/go/src/net/http/server.go:2009 +0x5f4'],
  accept: ['net.(*TCPListener).Accept(0xc000b36018)', '/usr/local/go/src/net/tcpsock.go:315 +0x30'],
  workqueueGet: [`${V}/k8s.io/client-go/util/workqueue.(*Type).Get(0xc000488180)`, `${SRC}/${V}/k8s.io/client-go/util/workqueue/queue.go:200 +0x8b`],
  processNextItem: [`${K}/pkg/controller/replicaset.(*ReplicaSetController).processNextWorkItem(0xc000b6e000, {0x4a3c1e8, 0xc0001a6010})`, `${SRC}/${K}/pkg/controller/replicaset/replica_set.go:534 +0x31`],
  worker: [`${K}/pkg/controller/replicaset.(*ReplicaSetController).worker(...)`, `${SRC}/${K}/pkg/controller/replicaset/replica_set.go:529`],
};
const CREATED = {
  reflector: [`${V}/k8s.io/client-go/tools/cache.(*Reflector).Run in goroutine 1`, `${SRC}/${V}/k8s.io/client-go/tools/cache/reflector.go:289 +0x1b8`],
  wait: [`${V}/k8s.io/apimachinery/pkg/util/wait.(*Group).Start in goroutine 204`, `${SRC}/${V}/k8s.io/apimachinery/pkg/util/wait/wait.go:70 +0x73`],
  http2: ['golang.org/x/net/http2.(*Transport).newClientConn in goroutine 342', `${SRC}/${V}/golang.org/x/net/http2/transport.go:850 +0xbd6`],
  kubelet: [`${K}/pkg/kubelet.(*Kubelet).Run in goroutine 1`, `${SRC}/${K}/pkg/kubelet/kubelet.go:1611 +0x5a5`],
  podWorkers: [`${K}/pkg/kubelet.(*podWorkers).UpdatePod in goroutine 397`, `${SRC}/${K}/pkg/kubelet/pod_workers.go:933 +0x1705`],
  grpc: ['google.golang.org/grpc.newClientStreamWithParams in goroutine 211', `${SRC}/${V}/google.golang.org/grpc/stream.go:381 +0x9b6`],
  http: ['net/http.(*Server).Serve in goroutine 1', '/usr/local/go/src/net/http/server.go:3086 +0x5cb'],
  controller: [`${K}/pkg/controller/replicaset.(*ReplicaSetController).Run in goroutine 390`, `${SRC}/${K}/pkg/controller/replicaset/replica_set.go:222 +0x1a5`],
  kine: ['github.com/k3s-io/kine/pkg/server.(*KVServerBridge).Txn in goroutine 1051', '/build/k8s-dqlite/vendor/github.com/k3s-io/kine/pkg/server/kv.go:112 +0x2aa'],
};

/** Stack shapes: [state, frames, creator, weight]. Several dozen distinct with variants. */
const SHAPES = [
  ['select', ['gopark', 'selectgo', 'watchHandler', 'listAndWatch', 'reflectorRun', 'backoffUntil', 'backoffUntil2'], 'reflector', 40],
  ['IO wait', ['gopark', 'pollWait', 'fdWait', 'fdRead', 'netRead', 'bufioRead', 'http2ReadFrame', 'http2ReadLoop', 'http2ReadLoopOuter'], 'http2', 10],
  ['select', ['gopark', 'selectgo', 'grpcRecv', 'grpcRecvMsg'], 'grpc', 8],
  ['chan send', ['gopark', 'chansend1', 'relist', 'plegFm', 'jitterUntil', 'until'], 'kubelet', 1],
  ['select', ['gopark', 'selectgo', 'grpcInvoke', 'listContainers', 'getPods', 'relist', 'plegFm', 'jitterUntil'], 'kubelet', 1],
  ['select', ['gopark', 'selectgo', 'syncLoop'], 'kubelet', 1],
  ['chan receive', ['gopark', 'chanrecv', 'chanrecv1', 'podWorkerLoop', 'podWorkerUpdate'], 'podWorkers', 20],
  ['sync.Mutex.Lock', ['gopark', 'semacquire', 'lockSlow', 'lock', 'evictionSync', 'evictionStart'], 'kubelet', 1],
  ['syscall', ['syscall6', 'procWait', 'cmdWait', 'execPlugin', 'cniAdd'], 'podWorkers', 2],
  ['sleep', ['gopark', 'timerSleep', 'jitterUntil', 'until'], 'wait', 3],
  ['sync.Cond.Wait', ['gopark', 'condWait', 'workqueueGet', 'processNextItem', 'worker', 'backoffUntil', 'backoffUntil2'], 'controller', 10],
  ['IO wait', ['gopark', 'pollWait', 'fdWait', 'accept', 'serverServe'], 'kubelet', 1],
  ['IO wait', ['gopark', 'pollWait', 'fdWait', 'fdRead', 'netRead', 'connServe'], 'http', 4],
  ['select', ['gopark', 'selectgo', 'kineTxn', 'sqlExec'], 'kine', 2],
  ['chan receive', ['gopark', 'chanrecv', 'chanrecv1', 'eventedRecv'], 'kubelet', 1],
  ['sync.RWMutex.RLock', ['gopark', 'semacquire', 'rlock', 'getPods', 'relist', 'plegFm'], 'kubelet', 1],
];
const WAITS = ['', ', 1 minutes', ', 2 minutes', ', 5 minutes', ', 17 minutes', ', 42 minutes', ', 490 minutes', ', 5442 minutes'];

/** A SIGQUIT dump of `count` goroutines, tab-indented as the Go runtime prints it. */
export function generateDump(path, count = 100_000, seed = 7) {
  const r = rng(seed);
  const out = new Out(path);
  out.write('SIGQUIT: quit\nPC=0x46d2e1 m=0 sigcode=0\n\ngoroutine 0 gp=0x5f3c3c0 m=0 mp=0x5f3d460 [idle]:\nruntime.futex(0x5f3d5a0, 0x80, 0x0, 0x0, 0x0, 0x0)\n\t/usr/local/go/src/runtime/sys_linux_amd64.s:557 +0x21 fp=0x7ffc3a1e2c08 sp=0x7ffc3a1e2c00 pc=0x46d2e1\n\n');
  const total = SHAPES.reduce((s, x) => s + x[3], 0);
  for (let id = 1; id <= count; id++) {
    let w = r() * total;
    let shape = SHAPES[0];
    for (const s of SHAPES) {
      w -= s[3];
      if (w < 0) {
        shape = s;
        break;
      }
    }
    const [state, frames, creator] = shape;
    // The wait is part of the stack's identity: ~4 variants per shape → several dozen buckets.
    const wait = WAITS[(id * 2654435761) % 4 + (shape[3] > 5 ? 4 : 0)] ?? '';
    let text = `goroutine ${id} [${state}${wait}]:\n`;
    for (const f of frames) {
      const [fn, file] = FRAME[f];
      text += `${fn}\n\t${file}\n`;
    }
    const [cf, cfile] = CREATED[creator];
    text += `created by ${cf}\n\t${cfile}\n\n`;
    out.write(text);
  }
  out.close();
  return { goroutines: count, bytes: out.bytes };
}

/** Calico IPAM blocks (`kubectl get ipamblocks.crd.projectcalico.org -o json`) + a pod list. */
export function generateIpam(blocksPath, podsPath, blockCount = 5000, seed = 11) {
  const r = rng(seed);
  const nodes = Array.from({ length: 50 }, (_, i) => `k8s${pad(i + 1, 2)}`);
  const out = new Out(blocksPath);
  const pods = new Out(podsPath);
  out.write('{\n    "apiVersion": "v1",\n    "items": [\n');
  pods.write('{\n    "apiVersion": "v1",\n    "items": [\n');
  let podCount = 0;
  for (let b = 0; b < blockCount; b++) {
    const node = nodes[b % nodes.length];
    const third = b >> 2;
    const base = `10.${1 + (third >> 8)}.${third & 255}.${(b & 3) * 64}`;
    const cidr = `${base}/26`;
    const used = b % 97 === 0 ? 64 : Math.floor(r() * 40);
    const allocations = [];
    const attributes = [];
    for (let i = 0; i < 64; i++) {
      if (i < used) {
        allocations.push(attributes.length);
        const pod = `app-${hex(r, 8)}-${hex(r, 5)}`;
        attributes.push({ handle_id: `k8s-pod-network.${hex(r, 64)}`, secondary: { namespace: 'default', node, pod, timestamp: '2026-05-17 14:20:01.123456789 +0000 UTC' } });
        if (podCount < 20_000) {
          pods.write(`${podCount ? ',\n' : ''}        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"${pod}","namespace":"default","uid":"${hex(r, 8)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 12)}"},"spec":{"nodeName":"${node}"},"status":{"phase":"Running","podIP":"${base.split('.').slice(0, 3).join('.')}.${(b & 3) * 64 + i}"}}`);
          podCount++;
        }
      } else allocations.push(null);
    }
    const unallocated = Array.from({ length: 64 - used }, (_, i) => used + i);
    const block = {
      apiVersion: 'crd.projectcalico.org/v1',
      kind: 'IPAMBlock',
      metadata: { annotations: { 'projectcalico.org/metadata': '{"creationTimestamp":null}' }, creationTimestamp: '2026-01-10T03:11:20Z', generation: 100 + b, name: `${base.replace(/\./g, '-')}-26`, resourceVersion: String(1_000_000 + b), uid: `${hex(r, 8)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 12)}` },
      spec: { affinity: `host:${node}`, allocations, attributes, cidr, deleted: false, sequenceNumber: 1_700_000_000_000_000 + b, sequenceNumberForAllocation: {}, strictAffinity: false, unallocated },
    };
    out.write(`${b ? ',\n' : ''}        ${JSON.stringify(block)}`);
  }
  out.write('\n    ],\n    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n');
  pods.write('\n    ],\n    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n');
  out.close();
  pods.close();
  return { blocks: blockCount, pods: podCount, bytes: out.bytes + pods.bytes };
}
