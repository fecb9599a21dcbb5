import type {
  ContainerStatusFact, DqliteSnapshotStatsFact, EventFact, IpamBlockFact, IpamHandleFact, IptablesChain,
  IptablesDumpFact, NeighFact, NodeFact, PodFact, RouteFact, WorkloadContainer, WorkloadFact,
} from '../../src/model/facts.js';
import { isoToMicros } from '../../src/model/time.js';

/**
 * Typed fact builders for the Calico / network / image rule tests. Route and neighbour
 * builders take the raw `ip route` / `ip neigh` line and fill the parsed fields the way
 * the iproute2 parser does (keyword tokens), so tests read like the captures they model.
 */

const at = (iso: string) => isoToMicros(iso)!;

/** `10.1.235.128/26 via 10.1.235.128 dev vxlan.calico onlink` on `node`, from `path:line`. */
export function route(node: string, raw: string, path = `${node}/ip-route.txt`, line = 1): RouteFact {
  const tokens = raw.trim().split(/\s+/);
  const value = (key: string) => {
    const i = tokens.indexOf(key);
    return i >= 0 ? tokens[i + 1] : undefined;
  };
  const types = ['blackhole', 'unreachable', 'prohibit', 'local', 'broadcast'];
  const typed = types.includes(tokens[0] ?? '');
  return {
    node,
    type: typed ? tokens[0] : undefined,
    dst: typed ? tokens[1]! : tokens[0]!,
    gateway: value('via'),
    dev: value('dev'),
    protocol: value('proto'),
    scope: value('scope'),
    prefsrc: value('src'),
    metric: value('metric') !== undefined ? Number(value('metric')) : undefined,
    flags: tokens.filter((t) => t === 'onlink' || t === 'linkdown'),
    raw,
    source: { path, line },
  };
}

/** `10.1.235.128 dev vxlan.calico INCOMPLETE` on `node`. */
export function neigh(node: string, raw: string, path = `${node}/ip-neigh.txt`, line = 1): NeighFact {
  const tokens = raw.trim().split(/\s+/);
  const value = (key: string) => {
    const i = tokens.indexOf(key);
    return i >= 0 ? tokens[i + 1] : undefined;
  };
  const states = ['INCOMPLETE', 'REACHABLE', 'STALE', 'DELAY', 'PROBE', 'FAILED', 'NOARP', 'PERMANENT'];
  return {
    node,
    dst: tokens[0]!,
    dev: value('dev'),
    lladdr: value('lladdr'),
    router: tokens.includes('router'),
    states: tokens.filter((t) => states.includes(t)),
    raw,
    source: { path, line },
  };
}

export function nodeFact(name: string, opts: { vtep?: string; kubeletVersion?: string; line?: number } = {}): NodeFact {
  return {
    name,
    unschedulable: false,
    kubeletVersion: opts.kubeletVersion,
    annotations: opts.vtep ? { 'projectcalico.org/IPv4VXLANTunnelAddr': opts.vtep } : {},
    labels: { 'kubernetes.io/hostname': name },
    vxlanTunnelAddr: opts.vtep,
    source: { path: 'nodes.json', line: opts.line ?? 1 },
  };
}

/**
 * An IPAM block of `node` with `used` allocations; `pods` name the owners of the first
 * allocations (namespace/name), the rest are owned by pods named `gone-<i>`.
 */
export function ipamBlock(cidr: string, node: string, opts: { size?: number; used?: number; pods?: string[]; line?: number } = {}): IpamBlockFact {
  const size = opts.size ?? 64;
  const used = opts.used ?? 1;
  const allocations: Array<number | null> = Array.from({ length: size }, (_, i) => (i < used ? i : null));
  const attributes = Array.from({ length: used }, (_, i) => {
    const owner = opts.pods?.[i] ?? `default/gone-${cidr}-${i}`;
    const [namespace, pod] = owner.split('/');
    return { handleId: `k8s-pod-network.${(i + 1).toString(16).padStart(64, '0')}`, secondary: { namespace: namespace!, pod: pod!, node } };
  });
  return {
    name: cidr.replace(/[./]/g, '-'),
    cidr,
    affinity: `host:${node}`,
    node,
    size,
    allocations,
    unallocated: allocations.map((a, i) => (a === null ? i : -1)).filter((i) => i >= 0),
    attributes,
    deleted: false,
    source: { path: 'ipamblocks.json', line: opts.line ?? 1 },
  };
}

/** `n` IPAM handles `k8s-pod-network.<hex>` (pod handles), from ipamhandles.json. */
export function ipamHandles(n: number, prefix = 'a'): IpamHandleFact[] {
  return Array.from({ length: n }, (_, i) => {
    const id = `k8s-pod-network.${prefix}${i.toString(16).padStart(63, '0')}`;
    return { name: id, handleId: id, block: { '10.1.235.128/26': 1 }, source: { path: 'ipamhandles.json', line: i + 1 } };
  });
}

export function container(name: string, image: string, extra: Partial<ContainerStatusFact> = {}): ContainerStatusFact {
  return { name, image, ready: true, restartCount: 0, state: 'running', ...extra };
}

export function pod(
  namespace: string, name: string, nodeName: string | undefined, containers: ContainerStatusFact[],
  extra: Partial<PodFact> = {},
): PodFact {
  return {
    namespace,
    name,
    nodeName,
    phase: 'Running',
    labels: {},
    annotations: {},
    conditions: [],
    containers,
    initContainers: [],
    specImages: containers.map((c) => c.image).filter((i): i is string => Boolean(i)),
    specArgs: {},
    source: { path: 'pods.json', line: 1 },
    ...extra,
  };
}

export function deployment(
  namespace: string, name: string, containers: Array<Partial<WorkloadContainer> & { name: string }>, line = 1,
): WorkloadFact {
  return {
    kind: 'Deployment',
    namespace,
    name,
    replicas: 1,
    readyReplicas: 1,
    containers: containers.map((c) => ({ env: {}, args: [], command: [], ...c })),
    source: { path: 'workloads.json', line },
  };
}

/** calico-kube-controllers Deployment of a MicroK8s-style manifest. */
export function kubeControllersDeployment(version: string, enabledControllers: string | undefined, line = 1): WorkloadFact {
  return deployment('kube-system', 'calico-kube-controllers', [{
    name: 'calico-kube-controllers',
    image: `docker.io/calico/kube-controllers:${version}`,
    env: { DATASTORE_TYPE: 'kubernetes', ...(enabledControllers !== undefined ? { ENABLED_CONTROLLERS: enabledControllers } : {}) },
  }], line);
}

export function kubeControllersPod(version: string, node: string, extra: Partial<ContainerStatusFact> = {}, podName = 'calico-kube-controllers-7c79545996-xk2lp'): PodFact {
  return pod('kube-system', podName, node, [container('calico-kube-controllers', `docker.io/calico/kube-controllers:${version}`, extra)], {
    labels: { 'k8s-app': 'calico-kube-controllers' },
    ownerKind: 'ReplicaSet',
    ownerName: 'calico-kube-controllers-7c79545996',
  });
}

export function calicoNodePod(version: string, node: string, name: string, startedAtIso: string, extra: Partial<ContainerStatusFact> = {}): PodFact {
  return pod('kube-system', name, node, [container('calico-node', `docker.io/calico/node:${version}`, { startedAt: at(startedAtIso), ...extra })], {
    labels: { 'k8s-app': 'calico-node' },
    ownerKind: 'DaemonSet',
    ownerName: 'calico-node',
  });
}

export function dqliteStats(node: string, ipamHandleCount: number): DqliteSnapshotStatsFact {
  return {
    node,
    snapshot: 'snapshot-1-8790246-1747452127',
    databaseBytes: 215 * 1024 * 1024,
    prefixes: [{ prefix: '/registry/crd.projectcalico.org/ipamhandles/', live: ipamHandleCount, deleted: 0 }],
    ipamHandles: ipamHandleCount,
    source: { path: `${node}/snapshot-1-8790246-1747452127`, line: 1 },
  };
}

/** An iptables-save dump with the given nat chains: name → rules (`-A …` lines without the `-A <chain>`). */
export function iptablesSave(node: string, nat: Record<string, string[]> | undefined, filter: Record<string, string[]> = { INPUT: [] }): IptablesDumpFact {
  const toChains = (table: Record<string, string[]>): IptablesChain[] =>
    Object.entries(table).map(([name, rules]) => ({
      name,
      policy: /^[A-Z]+$/.test(name) && !name.startsWith('KUBE') ? 'ACCEPT' : undefined,
      rules: rules.map((r) => `-A ${name} ${r}`),
    }));
  return {
    node,
    format: 'save',
    tables: { filter: toChains(filter), ...(nat ? { nat: toChains(nat) } : {}) },
    tableLines: {},
    source: { path: `${node}/iptables-save.txt`, line: 1 },
  };
}

/** A healthy MicroK8s nat table (kube-proxy + Felix chains), as in formats §4.2/§4.3. */
export function healthyNat(): Record<string, string[]> {
  return {
    PREROUTING: [
      '-m comment --comment "cali:6gwbT8clXdHdC1b1" -j cali-PREROUTING',
      '-m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    ],
    INPUT: [],
    OUTPUT: [
      '-m comment --comment "cali:tVnHkvAo15HuiPy0" -j cali-OUTPUT',
      '-m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    ],
    POSTROUTING: [
      '-m comment --comment "cali:0i8pjzKKPyA34aQD" -j cali-POSTROUTING',
      '-m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
    ],
    'KUBE-SERVICES': [
      '-d 10.152.183.1/32 -p tcp -m comment --comment "default/kubernetes:https cluster IP" -m tcp --dport 443 -j KUBE-SVC-NPX46M4PTMTKRN6Y',
    ],
    'KUBE-POSTROUTING': ['-m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully'],
    'cali-OUTPUT': ['-m comment --comment "cali:GBTAv2p5CwevEyJm" -j cali-fip-dnat'],
    'cali-POSTROUTING': [
      '-m comment --comment "cali:Z-c7XtVd2Bq7s_hA" -j cali-fip-snat',
      '-m comment --comment "cali:nYKhEzDlr11Jccal" -j cali-nat-outgoing',
    ],
    'cali-PREROUTING': ['-m comment --comment "cali:r6XmIziWUJsdOK6Z" -j cali-fip-dnat'],
    'cali-fip-dnat': [],
    'cali-fip-snat': [],
    'cali-nat-outgoing': ['-m comment --comment "cali:flqWnvo8yq4ULQLa" -m set --match-set cali40masq-ipam-pools src -m set ! --match-set cali40all-ipam-pools dst -j MASQUERADE --random-fully'],
  };
}

export function event(reason: string, message: string, involved: { namespace: string; name: string }, extra: Partial<EventFact> = {}): EventFact {
  return {
    namespace: involved.namespace,
    type: 'Warning',
    reason,
    message,
    involved: { kind: 'Pod', ...involved },
    count: 1,
    source: { path: 'events.json', line: 1 },
    ...extra,
  };
}

export { at };
