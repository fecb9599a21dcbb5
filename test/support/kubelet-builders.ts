import type {
  ContainerdTaskFact, EventFact, IpamBlockFact, KubeletArgsFact, KubeletPodListFact, NodeFact, PodFact,
  ProcessCountFact, ProcessFact, SchedstatFact, SystemctlStatusFact,
} from '../../src/model/facts.js';
import type { GoFrame, Goroutine, GoroutineDump } from '../../src/model/goroutines.js';
import type { LogRecord } from '../../src/model/records.js';
import { isoToMicros } from '../../src/model/time.js';
import { rec } from './rule-tester.js';

/** Builders for the kubelet rule tests: realistic MicroK8s records and typed facts. */

export const KUBELITE = 'snap.microk8s.daemon-kubelite';
export const CONTAINERD = 'snap.microk8s.daemon-containerd';
export const DQLITE = 'snap.microk8s.daemon-k8s-dqlite';

export const t = (iso: string): number => isoToMicros(iso)!;

/** `2026-05-17T14:15:02Z` → klog header `I0517 14:15:02.000000` (severity letter given). */
export function klogHeader(iso: string, severity = 'I', pid = 53319): string {
  const m = /^\d{4}-(\d\d)-(\d\d)T(\d\d:\d\d:\d\d)/.exec(iso)!;
  return `${severity}${m[1]}${m[2]} ${m[3]}.000000 ${String(pid).padStart(7)}`;
}

export function kubelite(iso: string, node: string, text: string, path: string, line: number, pid = 53319): LogRecord {
  return rec(iso, node, KUBELITE, text, path, line, { identifier: 'microk8s.daemon-kubelite', pid });
}

/** klog line of kubelite: `kubelet(iso, node, 'E', 'kubelet.go:2525] "Skipping…"', path, line)`. */
export function klog(iso: string, node: string, severity: string, body: string, path: string, line: number, pid = 53319): LogRecord {
  return kubelite(iso, node, `${klogHeader(iso, severity, pid)} ${body}`, path, line, pid);
}

export function systemd(iso: string, node: string, text: string, path: string, line: number): LogRecord {
  return rec(iso, node, 'systemd', text, path, line);
}

export function containerd(iso: string, node: string, text: string, path: string, line: number): LogRecord {
  return rec(iso, node, CONTAINERD, text, path, line, { identifier: 'microk8s.daemon-containerd', pid: 1841 });
}

/** ISO times every `stepSeconds` from `fromIso` up to and including `toIso`. */
export function every(fromIso: string, toIso: string, stepSeconds: number): string[] {
  const out: string[] = [];
  for (let ms = Date.parse(fromIso); ms <= Date.parse(toIso); ms += stepSeconds * 1000) {
    out.push(new Date(ms).toISOString().replace('.000Z', 'Z'));
  }
  return out;
}

/** Ordinary kubelite activity (status manager lines) every `step` seconds. */
export function kubeliteSteady(node: string, fromIso: string, toIso: string, path: string, firstLine: number, step = 20, pid = 53319): LogRecord[] {
  return every(fromIso, toIso, step).map((iso, i) =>
    klog(iso, node, 'I', `kubelet_getters.go:218] "Pod status updated" pod="kube-system/calico-node-7xk2p" status="Running"`, path, firstLine + i, pid));
}

/** Ordinary containerd activity every `step` seconds: the node keeps logging. */
export function containerdSteady(node: string, fromIso: string, toIso: string, path: string, firstLine: number, step = 30): LogRecord[] {
  return every(fromIso, toIso, step).map((iso, i) =>
    containerd(iso, node, `time="${iso.replace('Z', '.412093551Z')}" level=info msg="ImageCreate event name:\\"registry.k8s.io/pause:3.10\\" labels:{key:\\"io.cri-containerd.image\\" value:\\"managed\\"}"`, path, firstLine + i));
}

export const SOURCE = (path: string, line?: number) => (line === undefined ? { path } : { path, line });

export function kubeletArgs(node: string, gates: Record<string, boolean>, path = `${node}/args/kubelet`): KubeletArgsFact {
  const flag = Object.entries(gates).map(([k, v]) => `${k}=${v}`).join(',');
  return {
    node, component: 'kubelet', flags: flag ? { 'feature-gates': flag } : {}, flagLines: flag ? { 'feature-gates': 1 } : {}, featureGates: gates, source: { path, line: 1 },
  };
}

export function frame(func: string, file: string, line: number): GoFrame {
  const lastSlash = func.lastIndexOf('/');
  const dot = func.indexOf('.', lastSlash + 1);
  const pkg = func.slice(0, dot);
  const rest = func.slice(dot + 1);
  const recv = /^\((\*?\w+)\)\.(.+)$/.exec(rest);
  return { func, pkg, receiver: recv?.[1], name: recv?.[2] ?? rest, file, line };
}

export function goroutine(
  id: number, state: string, frames: GoFrame[], path: string, line: number,
  opts: { waitMinutes?: number; createdBy?: string } = {},
): Goroutine {
  return {
    id, state, waitMinutes: opts.waitMinutes, locked: false, frames, elided: false,
    createdBy: opts.createdBy ? { func: opts.createdBy } : undefined, source: { path, line },
  };
}

export function dump(node: string, process: string, iso: string, path: string, goroutines: Goroutine[]): GoroutineDump {
  return { path, node, process, ts: t(iso), preamble: 'SIGQUIT: quit', goroutines };
}

/** kubelite: Generic PLEG relist waiting on a CRI ListPodSandbox call (000 Phase 2). */
export function relistOnListPodSandbox(id: number, path: string, line: number, waitMinutes = 12): Goroutine {
  return goroutine(id, 'select', [
    frame('google.golang.org/grpc/internal/transport.(*Stream).waitOnHeader', '/build/vendor/google.golang.org/grpc/internal/transport/transport.go', 331),
    frame('google.golang.org/grpc.(*ClientConn).Invoke', '/build/vendor/google.golang.org/grpc/call.go', 35),
    frame('k8s.io/cri-client/pkg.(*remoteRuntimeService).listPodSandboxV1', '/build/vendor/k8s.io/cri-client/pkg/remote_runtime.go', 336),
    frame('k8s.io/cri-client/pkg.(*remoteRuntimeService).ListPodSandbox', '/build/vendor/k8s.io/cri-client/pkg/remote_runtime.go', 319),
    frame('k8s.io/kubernetes/pkg/kubelet/kuberuntime.(*kubeGenericRuntimeManager).GetPods', '/build/pkg/kubelet/kuberuntime/kuberuntime_manager.go', 452),
    frame('k8s.io/kubernetes/pkg/kubelet/pleg.(*GenericPLEG).Relist', '/build/pkg/kubelet/pleg/generic.go', 246),
    frame('k8s.io/kubernetes/pkg/kubelet/pleg.(*GenericPLEG).relist', '/build/pkg/kubelet/pleg/generic.go', 239),
    frame('k8s.io/apimachinery/pkg/util/wait.JitterUntil', '/build/vendor/k8s.io/apimachinery/pkg/util/wait/backoff.go', 204),
  ], path, line, { waitMinutes, createdBy: 'k8s.io/kubernetes/pkg/kubelet/pleg.(*GenericPLEG).Start' });
}

/** kubelite: Generic PLEG relist waiting on ContainerStatus of an orphaned shim (001 FM3). */
export function relistOnContainerStatus(id: number, path: string, line: number, waitMinutes = 14): Goroutine {
  return goroutine(id, 'select', [
    frame('google.golang.org/grpc.(*ClientConn).Invoke', '/build/vendor/google.golang.org/grpc/call.go', 35),
    frame('k8s.io/cri-client/pkg.(*remoteRuntimeService).ContainerStatus', '/build/vendor/k8s.io/cri-client/pkg/remote_runtime.go', 583),
    frame('k8s.io/kubernetes/pkg/kubelet/kuberuntime.(*kubeGenericRuntimeManager).GetPodStatus', '/build/pkg/kubelet/kuberuntime/kuberuntime_manager.go', 1591),
    frame('k8s.io/kubernetes/pkg/kubelet/pleg.(*GenericPLEG).updateCache', '/build/pkg/kubelet/pleg/generic.go', 476),
    frame('k8s.io/kubernetes/pkg/kubelet/pleg.(*GenericPLEG).relist', '/build/pkg/kubelet/pleg/generic.go', 292),
  ], path, line, { waitMinutes, createdBy: 'k8s.io/kubernetes/pkg/kubelet/pleg.(*GenericPLEG).Start' });
}

/** containerd: RunPodSandbox → setupPodNetwork → libcni → ExecPlugin (calico waiting on kine). */
export function cniAddBlocked(id: number, path: string, line: number, waitMinutes = 12): Goroutine {
  return goroutine(id, 'syscall', [
    frame('syscall.Syscall6', '/usr/local/go/src/syscall/syscall_linux.go', 91),
    frame('os.(*Process).blockUntilWaitable', '/usr/local/go/src/os/wait_waitid.go', 32),
    frame('os/exec.(*Cmd).Wait', '/usr/local/go/src/os/exec/exec.go', 897),
    frame('github.com/containernetworking/cni/pkg/invoke.(*RawExec).ExecPlugin', '/build/vendor/github.com/containernetworking/cni/pkg/invoke/raw_exec.go', 45),
    frame('github.com/containernetworking/cni/libcni.(*CNIConfig).addNetwork', '/build/vendor/github.com/containernetworking/cni/libcni/api.go', 475),
    frame('github.com/containerd/go-cni.(*libcni).Setup', '/build/vendor/github.com/containerd/go-cni/cni.go', 188),
    frame('github.com/containerd/containerd/v2/internal/cri/server.(*criService).setupPodNetwork', '/build/internal/cri/server/sandbox_run.go', 471),
    frame('github.com/containerd/containerd/v2/internal/cri/server.(*criService).RunPodSandbox', '/build/internal/cri/server/sandbox_run.go', 278),
  ], path, line, { waitMinutes });
}

/** kubelite: the pod config reflector watch waiting (normal in a quiet cluster; 001 FM2 signature). */
export function podWatchWaiting(id: number, path: string, line: number, waitMinutes = 4): Goroutine {
  return goroutine(id, 'select', [
    frame('k8s.io/client-go/tools/cache.handleAnyWatch', '/build/vendor/k8s.io/client-go/tools/cache/reflector.go', 904),
    frame('k8s.io/client-go/tools/cache.handleWatch', '/build/vendor/k8s.io/client-go/tools/cache/reflector.go', 857),
    frame('k8s.io/client-go/tools/cache.(*Reflector).watch', '/build/vendor/k8s.io/client-go/tools/cache/reflector.go', 469),
  ], path, line, { waitMinutes, createdBy: 'k8s.io/kubernetes/pkg/kubelet/config.newSourceApiserverFromLW' });
}

export function process(node: string, pid: number, command: string, path: string, line: number, extra: Partial<ProcessFact> = {}): ProcessFact {
  return { node, pid, command, source: { path, line }, ...extra };
}

export function schedstat(node: string, pid: number, samples: Array<[number, number, number]>, path = `${node}/schedstat.txt`): SchedstatFact {
  return { node, pid, samples, source: { path, line: 1 } };
}

export function shimCount(node: string, count: number, path = `${node}/shims.txt`): ProcessCountFact {
  return { node, pattern: 'containerd-shim', count, source: { path, line: 1 } };
}

export function tasks(node: string, running: number, path = `${node}/tasks.txt`): ContainerdTaskFact[] {
  return Array.from({ length: running }, (_, i) => ({
    node, id: `${(0xa1b2c3 + i).toString(16)}d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3`.slice(0, 64),
    pid: 40000 + i, status: 'RUNNING', source: { path, line: i + 2 },
  }));
}

export function systemctlUnit(node: string, activeState: string, mainPid: number, path = `${node}/systemctl-kubelite.txt`): SystemctlStatusFact {
  return { node, unit: KUBELITE, activeState, subState: activeState === 'active' ? 'running' : 'dead', mainPid, source: { path, line: 1 } };
}

/** A node-affine IPAM block with `used` of 64 addresses allocated. */
export function ipamBlock(node: string, cidr: string, used: number, path = 'ipamblocks.json', line = 1): IpamBlockFact {
  const allocations = Array.from({ length: 64 }, (_, i) => (i < used ? i % 8 : null));
  return {
    name: cidr.replace(/[./]/g, '-'), cidr, affinity: `host:${node}`, node, size: 64, allocations,
    unallocated: Array.from({ length: 64 - used }, (_, i) => used + i), attributes: [], deleted: false, source: { path, line },
  };
}

export function nodeFact(name: string, unschedulable: boolean, path = 'nodes.json', line = 1): NodeFact {
  return { name, unschedulable, annotations: {}, labels: {}, source: { path, line } };
}

export function pendingPod(
  namespace: string, name: string, node: string, createdIso: string, path = 'pods.json', line = 1,
  extra: Partial<PodFact> = {},
): PodFact {
  return {
    namespace, name, nodeName: node, phase: 'Pending', creationTimestamp: t(createdIso), labels: {}, annotations: {},
    conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: t(createdIso) }],
    containers: [], initContainers: [], specImages: ['ghcr.io/actions/actions-runner:2.321.0'], specArgs: {},
    source: { path, line }, ...extra,
  };
}

export function runningPod(namespace: string, name: string, node: string, createdIso: string, path = 'pods.json', line = 1): PodFact {
  return pendingPod(namespace, name, node, createdIso, path, line, {
    phase: 'Running',
    containers: [{ name: 'main', restartCount: 0, state: 'running', startedAt: t(createdIso) + 5_000_000, ready: true }],
  });
}

export function kubeletPodList(node: string, pods: Array<[string, string]>, path = `${node}/kubelet-pods.json`): KubeletPodListFact {
  return { node, pods: pods.map(([namespace, name]) => ({ namespace, name })), source: { path, line: 1 } };
}

export function event(reason: string, message: string, involved: EventFact['involved'], iso: string, extra: Partial<EventFact> = {}, path = 'events.json', line = 1): EventFact {
  return {
    reason, message, involved, count: 1, firstTimestamp: t(iso), lastTimestamp: t(iso), type: 'Normal', source: { path, line }, ...extra,
  };
}
