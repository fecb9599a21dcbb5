import { CALICO_SIGNATURES } from './signatures-calico.js';
import { CLUSTER_SIGNATURES } from './signatures-cluster.js';
import { KUBELET_SIGNATURES } from './signatures-kubelet.js';

/**
 * Every log signature a rule looks for, in one table. The ingest builds one combined
 * prefilter from the `literals` (a line that contains none of them is never looked at
 * again); a line that contains one is then checked against `regex` (if any) and kept,
 * capped, under the signature id. Rules ask the context for matches by id.
 *
 * Signatures quote the documents (docs/pirs) and upstream source texts; klog structured
 * values are Go-quoted, so a quote inside `err="…"` arrives as `\"` — the regexes allow it.
 */
export interface Signature {
  id: string;
  /** Substrings, any of which makes a line a candidate (case-sensitive). */
  literals: string[];
  /** Refinement with optional named groups; the line must match when given. */
  regex?: RegExp;
  description: string;
}

const Q = String.raw`\\?"`; // a double quote, Go-escaped or not

const CORE_SIGNATURES: readonly Signature[] = [
  {
    id: 'pleg-last-seen-active',
    literals: ['pleg was last seen active'],
    regex: /pleg was last seen active (?<duration>[0-9hmsunµ.]+) ago/,
    description: 'kubelet: PLEG is not healthy: pleg was last seen active <d> ago (pkg/kubelet/pleg/generic.go)',
  },
  {
    id: 'pleg-yet-to-be-successful',
    literals: ['pleg has yet to be successful'],
    description: 'kubelet: PLEG is not healthy: pleg has yet to be successful (normal right after a start)',
  },
  {
    id: 'imagefs-no-label',
    literals: ['separate container filesystem'],
    regex: /failed to check if we have separate container filesystem\. Ignoring\..*no imagefs label for configured runtime/,
    description: 'kubelet eviction manager cannot resolve the imagefs label (001 Failure Mode 1)',
  },
  {
    id: 'watching-apiserver',
    literals: ['Watching apiserver'],
    description: 'kubelet established its pod watch (pkg/kubelet/config/apiserver.go)',
  },
  {
    id: 'registered-node',
    literals: ['Successfully registered node'],
    regex: /Successfully registered node/,
    description: 'kubelet registered the node with the API server (startup line)',
  },
  {
    id: 'kubelet-main-sync-loop',
    literals: ['Starting kubelet main sync loop'],
    description: 'kubelet startup line',
  },
  {
    id: 'unary-invoker-retry',
    literals: ['retrying of unary invoker failed'],
    regex: /"attempt":\s*(?<attempt>\d+)/,
    description: 'etcd client (kine) retry with attempt counter (001 Failure Mode 3)',
  },
  {
    id: 'database-locked',
    literals: ['database is locked'],
    description: 'SQLite BUSY surfaced by kine/k8s-dqlite (002 Chain 1)',
  },
  {
    id: 'watcher-compact-revision',
    literals: ['Failed to create watcher', 'failed to get compact revision'],
    regex: /Failed to create watcher.*failed to get compact revision|failed to get compact revision.*context canceled/i,
    description: 'k8s-dqlite: WATCH Failed to create watcher: failed to get compact revision: context canceled (002)',
  },
  {
    id: 'context-canceled',
    literals: ['context canceled'],
    description: "Go's context.Canceled text (k8s-dqlite query failures, 003 Chain 4)",
  },
  {
    id: 'ipam-full-block',
    literals: ['Block is full', 'Skipping full block', 'free ips which is less than'],
    regex: /block=(?<block>[0-9a-f.:]+\/\d+)|Block '(?<blockq>[0-9a-f.:]+\/\d+)'/,
    description: 'Calico IPAM skipping a full block during a CNI ADD (000 Chain 1)',
  },
  {
    id: 'ipam-allocated',
    literals: ['Allocated IP', 'Successfully claimed IPs', 'Calico CNI IPAM assigned addresses'],
    description: 'Calico IPAM allocation result',
  },
  {
    id: 'tombstone-panic',
    literals: ['DeletedFinalStateUnknown'],
    regex: /interface conversion: interface \{\} is cache\.DeletedFinalStateUnknown, not \*(?<type>[\w.]+)/,
    description: 'calico-kube-controllers panics on a tombstone (000)',
  },
  {
    id: 'container-event-discarded',
    literals: ['container event discarded'],
    description: 'containerd dropped an unread CRI event (noise with Generic PLEG)',
  },
  {
    id: 'ipamblock-cas-conflict',
    literals: ['ipamblocks.crd.projectcalico.org'],
    regex: /annot be fulfilled on ipamblocks\.crd\.projectcalico\.org.*the object has been modified/,
    description: 'optimistic-concurrency retry on an IPAM block (noise)',
  },
  {
    id: 'sandbox-name-reserved',
    literals: ['is reserved for'],
    regex: new RegExp(
      String.raw`failed to reserve sandbox name ${Q}(?<name>[^"\\]+)${Q}: name ${Q}[^"\\]*${Q} is reserved for ${Q}(?<id>[0-9a-f]+)`,
    ),
    description: 'containerd: failed to reserve sandbox name … is reserved for … (003 Chain 3)',
  },
  {
    id: 'lease-lost',
    literals: ['failed to renew lease', 'leaderelection lost', 'leader election lost', 'error retrieving resource lock'],
    regex: /failed to renew lease (?<lease1>[\w.-]+\/[\w.-]+)|error retrieving resource lock (?<lease2>[\w.-]+\/[\w.-]+)|leader ?election lost/,
    description: 'client-go leader election failures (004)',
  },
  {
    id: 'flag-not-defined',
    literals: ['flag provided but not defined'],
    regex: /flag provided but not defined: -{1,2}(?<flag>[\w.-]+)/,
    description: 'Go flag package: unknown flag (004)',
  },
  {
    id: 'image-pull-retired-registry',
    literals: ['Failed to pull image', 'ErrImagePull', 'ImagePullBackOff'],
    regex: new RegExp(String.raw`(?<image>(?:gcr\.io/kubebuilder|k8s\.gcr\.io|gcr\.io/google[-_]containers)/[\w./:@-]+)`),
    description: 'image pull from a retired registry (004)',
  },
  {
    id: 'felix-resync-nat',
    literals: ['resync-nat-v4'],
    description: 'Felix dataplane loop re-reading the nat table (003 Chain 2)',
  },
  {
    id: 'ipam-gc-running',
    literals: ['Garbage collecting leaked IP addresses', 'Candidate IP leak', 'Confirmed IP leak'],
    description: 'calico-kube-controllers node controller collecting leaked IPs',
  },
  {
    id: 'kernel-boot',
    literals: ['Linux version '],
    regex: /^Linux version \S+/,
    description: 'kernel start line (a boot)',
  },
  {
    id: 'unit-lifecycle',
    literals: [
      'Started ', 'Stopped ', 'Stopping ', 'Main process exited', 'Deactivated successfully',
      'Scheduled restart job', 'Failed with result', 'Consumed ',
    ],
    regex: /^(?:Started|Stopped|Stopping|Starting) .*snap application microk8s\.daemon-|^(?:Started|Stopped|Stopping) snap\.microk8s\.daemon-|^snap\.microk8s\.daemon-[\w-]+\.service: |^(?:Started|Stopped|Stopping) (?:kubelet|containerd|k3s)/,
    description: 'systemd start/stop/exit lines for a MicroK8s service',
  },
];

export const SIGNATURES: readonly Signature[] = [...CORE_SIGNATURES, ...KUBELET_SIGNATURES, ...CALICO_SIGNATURES, ...CLUSTER_SIGNATURES];

export const SIGNATURE_IDS = new Set(SIGNATURES.map((s) => s.id));

