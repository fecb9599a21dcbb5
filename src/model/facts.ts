import type { Provenance } from './records.js';

/**
 * Typed views of cluster and node state, as parsed from kubectl dumps, Calico CRDs,
 * iproute2/iptables output, process and containerd listings, kubelet args and dqlite
 * backend artefacts. All times are µs since the epoch (UTC).
 */

export interface PodCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: number;
}

export type ContainerStateName = 'running' | 'waiting' | 'terminated' | 'unknown';

export interface ContainerTermination {
  reason?: string;
  exitCode?: number;
  message?: string;
  startedAt?: number;
  finishedAt?: number;
}

export interface ContainerStatusFact {
  name: string;
  image?: string;
  ready?: boolean;
  restartCount: number;
  containerID?: string;
  state: ContainerStateName;
  stateReason?: string;
  stateMessage?: string;
  startedAt?: number;
  terminated?: ContainerTermination;
  lastTerminated?: ContainerTermination;
  /**
   * Not one container but the pod's containers as a `kubectl get pods` row sums them up
   * (READY, STATUS, RESTARTS): `name` is '' (the row does not show it) and `restartCount`
   * the row's total.
   */
  summary?: true;
}

export interface PodFact {
  namespace: string;
  name: string;
  uid?: string;
  nodeName?: string;
  phase?: string;
  creationTimestamp?: number;
  deletionTimestamp?: number;
  ownerKind?: string;
  ownerName?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  conditions: PodCondition[];
  containers: ContainerStatusFact[];
  initContainers: ContainerStatusFact[];
  /** Container images from the spec (status may be missing for Pending pods). */
  specImages: string[];
  /** Container args/commands from the spec, per container name. */
  specArgs: Record<string, string[]>;
  source: Provenance;
}

export interface NodeFact {
  name: string;
  ready?: PodCondition & { lastHeartbeatTime?: number };
  unschedulable: boolean;
  bootID?: string;
  kubeletVersion?: string;
  annotations: Record<string, string>;
  labels: Record<string, string>;
  /** `projectcalico.org/IPv4VXLANTunnelAddr`, without a mask. */
  vxlanTunnelAddr?: string;
  internalIP?: string;
  podCIDR?: string;
  source: Provenance;
}

export interface EventFact {
  namespace?: string;
  name?: string;
  type?: string;
  reason: string;
  message: string;
  involved: { kind?: string; namespace?: string; name?: string; uid?: string };
  count: number;
  firstTimestamp?: number;
  lastTimestamp?: number;
  eventTime?: number;
  sourceComponent?: string;
  sourceHost?: string;
  source: Provenance;
}

export interface LeaseFact {
  namespace: string;
  name: string;
  holderIdentity?: string;
  renewTime?: number;
  acquireTime?: number;
  leaseDurationSeconds?: number;
  leaseTransitions?: number;
  source: Provenance;
}

export interface WorkloadContainer {
  name: string;
  image?: string;
  env: Record<string, string>;
  args: string[];
  command: string[];
}

export interface WorkloadFact {
  kind: 'Deployment' | 'DaemonSet' | 'StatefulSet' | 'ReplicaSet';
  namespace: string;
  name: string;
  uid?: string;
  generation?: number;
  observedGeneration?: number;
  replicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  ownerKind?: string;
  ownerName?: string;
  creationTimestamp?: number;
  containers: WorkloadContainer[];
  source: Provenance;
}

export interface PdbFact {
  namespace: string;
  name: string;
  minAvailable?: string;
  maxUnavailable?: string;
  currentHealthy?: number;
  desiredHealthy?: number;
  disruptionsAllowed?: number;
  expectedPods?: number;
  source: Provenance;
}

/** The kubelet's own pod list (`kubectl get --raw /api/v1/nodes/<node>/proxy/pods`). */
export interface KubeletPodListFact {
  node?: string;
  pods: Array<{ namespace: string; name: string; uid?: string }>;
  source: Provenance;
}

export interface IpamAttribute {
  handleId?: string;
  secondary?: Record<string, string>;
}

export interface IpamBlockFact {
  name: string;
  cidr: string;
  /** Raw affinity, e.g. `host:k8s03`. */
  affinity?: string;
  /** Node of a `host:` affinity. */
  node?: string;
  size: number;
  allocations: Array<number | null>;
  unallocated: number[];
  attributes: IpamAttribute[];
  deleted: boolean;
  /** Kept as a string: values exceed 2^53. */
  sequenceNumber?: string;
  source: Provenance;
}

export interface IpamHandleFact {
  name: string;
  handleId: string;
  block: Record<string, number>;
  deleted?: boolean;
  source: Provenance;
}

export interface RouteFact {
  node?: string;
  type?: string;
  dst: string;
  gateway?: string;
  dev?: string;
  table?: string;
  protocol?: string;
  scope?: string;
  prefsrc?: string;
  metric?: number;
  flags: string[];
  nexthops?: Array<{ gateway?: string; dev?: string; weight?: number; flags: string[] }>;
  raw: string;
  source: Provenance;
}

export interface NeighFact {
  node?: string;
  dst: string;
  dev?: string;
  lladdr?: string;
  router: boolean;
  states: string[];
  raw: string;
  source: Provenance;
}

export interface IptablesChain {
  name: string;
  policy?: string;
  rules: string[];
}

export interface IptablesDumpFact {
  node?: string;
  format: 'save' | 'list' | 'spec';
  /** Table name → chains. `-L`/`-S` listings without `-t` are the filter table. */
  tables: Record<string, IptablesChain[]>;
  /** Table name → the line its listing begins on (`*nat`, the first `Chain …` / `-P` line). */
  tableLines: Record<string, number>;
  source: Provenance;
}

export interface ProcessFact {
  node?: string;
  pid: number;
  ppid?: number;
  user?: string;
  cpuPercent?: number;
  /** As printed (`02:08`, `May17`, an ISO time with `-o lstart`…). */
  startTime?: string;
  /** Parsed start time when the listing carried a full date. */
  startedAt?: number;
  command: string;
  source: Provenance;
}

export interface ProcessCountFact {
  node?: string;
  pattern: string;
  count: number;
  source: Provenance;
}

/** Repeated `/proc/<pid>/schedstat` samples: run time ns, wait time ns, timeslices. */
export interface SchedstatFact {
  node?: string;
  pid?: number;
  samples: Array<[number, number, number]>;
  source: Provenance;
}

export interface ContainerdTaskFact {
  node?: string;
  id: string;
  pid: number;
  status: string;
  source: Provenance;
}

export interface ContainerdContainerFact {
  node?: string;
  id: string;
  image?: string;
  runtime?: string;
  source: Provenance;
}

export interface SandboxFact {
  node?: string;
  id: string;
  created?: string;
  runtime?: string;
  /** crictl pods columns, when the listing came from crictl. */
  state?: string;
  name?: string;
  namespace?: string;
  attempt?: number;
  source: Provenance;
}

export interface CrictlContainerFact {
  node?: string;
  id: string;
  image?: string;
  created?: string;
  state: string;
  name: string;
  attempt?: number;
  podId?: string;
  pod?: string;
  namespace?: string;
  source: Provenance;
}

export interface SystemctlStatusFact {
  node?: string;
  unit: string;
  activeState?: string;
  subState?: string;
  activeSince?: number;
  mainPid?: number;
  source: Provenance;
}

export interface KubeletArgsFact {
  node?: string;
  /** Which args file: `kubelet`, `kube-apiserver`, `kubelite`… */
  component: string;
  flags: Record<string, string>;
  /** Flag name → the line that set it (the last occurrence wins, as for pflag). */
  flagLines: Record<string, number>;
  featureGates: Record<string, boolean>;
  source: Provenance;
}

export interface DqliteSnapshotFileFact {
  node?: string;
  name: string;
  term: number;
  index: number;
  isMeta: boolean;
  sizeBytes: number;
  /** From the listing's time column (`ls -l` / `--time-style=full-iso`). */
  mtime?: number;
  source: Provenance;
}

export interface KinePrefixCount {
  prefix: string;
  live: number;
  deleted: number;
}

export interface DqliteSnapshotStatsFact {
  node?: string;
  snapshot: string;
  databaseBytes: number;
  prefixes: KinePrefixCount[];
  ipamHandles: number;
  minRevision?: number;
  maxRevision?: number;
  compactRevision?: number;
  source: Provenance;
}

/** Everything state-shaped the parsers produced, grouped by kind. */
export interface Facts {
  pods: PodFact[];
  nodes: NodeFact[];
  events: EventFact[];
  leases: LeaseFact[];
  workloads: WorkloadFact[];
  pdbs: PdbFact[];
  kubeletPodLists: KubeletPodListFact[];
  ipamBlocks: IpamBlockFact[];
  ipamHandles: IpamHandleFact[];
  routes: RouteFact[];
  neighbours: NeighFact[];
  iptables: IptablesDumpFact[];
  processes: ProcessFact[];
  processCounts: ProcessCountFact[];
  schedstats: SchedstatFact[];
  tasks: ContainerdTaskFact[];
  containers: ContainerdContainerFact[];
  sandboxes: SandboxFact[];
  crictlContainers: CrictlContainerFact[];
  systemctl: SystemctlStatusFact[];
  kubeletArgs: KubeletArgsFact[];
  dqliteFiles: DqliteSnapshotFileFact[];
  dqliteSnapshots: DqliteSnapshotStatsFact[];
}

export function emptyFacts(): Facts {
  return {
    pods: [], nodes: [], events: [], leases: [], workloads: [], pdbs: [], kubeletPodLists: [],
    ipamBlocks: [], ipamHandles: [], routes: [], neighbours: [], iptables: [], processes: [],
    processCounts: [], schedstats: [], tasks: [], containers: [], sandboxes: [],
    crictlContainers: [], systemctl: [], kubeletArgs: [], dqliteFiles: [], dqliteSnapshots: [],
  };
}

/**
 * The newest time the cluster-state facts carry (pod creations and condition transitions,
 * event times, node heartbeats, lease renewals), from index `from` of each list on: "now"
 * of a kubectl dump, which has no capture time of its own.
 */
export function newestStateTime(
  facts: Pick<Facts, 'pods' | 'events' | 'nodes' | 'leases'>,
  from: { pods: number; events: number; nodes: number; leases: number } = { pods: 0, events: 0, nodes: 0, leases: 0 },
): number | undefined {
  let latest: number | undefined;
  const see = (t: number | undefined) => {
    if (t !== undefined && (latest === undefined || t > latest)) latest = t;
  };
  for (const p of facts.pods.slice(from.pods)) {
    see(p.creationTimestamp);
    for (const c of p.conditions) see(c.lastTransitionTime);
  }
  for (const e of facts.events.slice(from.events)) {
    see(e.lastTimestamp);
    see(e.eventTime);
  }
  for (const n of facts.nodes.slice(from.nodes)) see(n.ready?.lastHeartbeatTime);
  for (const l of facts.leases.slice(from.leases)) see(l.renewTime);
  return latest;
}
