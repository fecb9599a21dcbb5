import type { RuleContext, SignatureMatch } from '../../engine/types.js';
import type { Facts, PodFact, WorkloadContainer, WorkloadFact } from '../../model/facts.js';
import type { Provenance } from '../../model/records.js';

/**
 * Helpers shared by the Calico, network and image-hygiene rules: Calico versions read from
 * image references, the calico-kube-controllers / calico-node workloads and pods, and the
 * IPv4 CIDR arithmetic the VXLAN route check needs.
 */

// ---------------------------------------------------------------- versions

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
}

export interface CalicoImage {
  /** The image reference as written (`docker.io/calico/kube-controllers:v3.29.3`). */
  image: string;
  /** `node`, `kube-controllers`, `cni`, `typha`, `ctl`, `pod2daemon-flexvol`… */
  component: string;
  version: SemVer;
  /** `v3.13.2` */
  tag: string;
}

// calico/node:v3.13.2 · docker.io/calico/kube-controllers:v3.29.3 · quay.io/calico/cni:v3.25.1@sha256:…
const CALICO_IMAGE = /(?:^|\/)calico\/(?<component>[\w.-]+):(?<tag>v?(?<major>\d+)\.(?<minor>\d+)(?:\.(?<patch>\d+))?[\w.+-]*)/;

/** Calico component and version from an image reference; undefined for other images or untagged ones. */
export function parseCalicoImage(image: string): CalicoImage | undefined {
  const m = CALICO_IMAGE.exec(image);
  const g = m?.groups;
  if (!g?.component || !g.tag || !g.major || !g.minor) return undefined;
  const tag = g.tag.startsWith('v') ? g.tag : `v${g.tag}`;
  return {
    image,
    component: g.component,
    tag,
    version: { major: Number(g.major), minor: Number(g.minor), patch: Number(g.patch ?? 0) },
  };
}

export function compareVersions(a: SemVer, b: SemVer): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** `v1.35.0`, `1.34.2+k3s1`, `v1.35.0-rc.1` → { 1, 35, 0 }. */
export function parseKubeVersion(text: string): SemVer | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(text.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) };
}

export interface CalicoImageSighting extends CalicoImage {
  /** Where it was seen: `pod kube-system/calico-node-x`, `DaemonSet kube-system/calico-node`, `crictl k8s03`. */
  where: string;
  source: Provenance;
  node?: string;
}

/** Every Calico image the capture shows: pod statuses and specs, workloads, containerd and crictl listings. */
export function calicoImages(facts: Facts): CalicoImageSighting[] {
  const seen: CalicoImageSighting[] = [];
  const add = (image: string | undefined, where: string, source: Provenance, node?: string) => {
    if (!image) return;
    const parsed = parseCalicoImage(image);
    if (parsed && !seen.some((s) => s.image === image && s.where === where)) seen.push({ ...parsed, where, source, node });
  };
  for (const pod of facts.pods) {
    const where = `pod ${pod.namespace}/${pod.name}`;
    for (const c of [...pod.containers, ...pod.initContainers]) add(c.image, where, pod.source, pod.nodeName);
    for (const image of pod.specImages) add(image, where, pod.source, pod.nodeName);
  }
  for (const w of facts.workloads) {
    for (const c of w.containers) add(c.image, `${w.kind} ${w.namespace}/${w.name}`, w.source);
  }
  for (const c of facts.crictlContainers) add(c.image, `crictl ${c.node ?? ''}`.trim(), c.source, c.node);
  for (const c of facts.containers) add(c.image, `containerd ${c.node ?? ''}`.trim(), c.source, c.node);
  return seen;
}

/** The oldest Calico version among the sightings (the one that decides what the cluster can do). */
export function oldestCalico(sightings: readonly CalicoImageSighting[]): CalicoImageSighting | undefined {
  return [...sightings].sort((a, b) => compareVersions(a.version, b.version) || a.image.localeCompare(b.image))[0];
}

/**
 * Calico v3.13.x is the release the documents found running (000, 004): its kube-controllers
 * panic on tombstones and do not collect leaked pod IPs. Which later release first collects
 * leaked IPs on live nodes is not settled by the documents, so only ≤ v3.13 counts as too old.
 */
export function isCalico313OrOlder(v: SemVer): boolean {
  return v.major < 3 || (v.major === 3 && v.minor <= 13);
}

// ---------------------------------------------------------------- workloads and pods

const KUBE_CONTROLLERS = 'calico-kube-controllers';

export function isKubeControllersPod(pod: PodFact): boolean {
  return (
    pod.labels['k8s-app'] === KUBE_CONTROLLERS ||
    pod.name.startsWith(`${KUBE_CONTROLLERS}-`) ||
    pod.containers.some((c) => c.name === KUBE_CONTROLLERS || /(?:^|\/)calico\/kube-controllers[:@]/.test(c.image ?? ''))
  );
}

export function isCalicoNodePod(pod: PodFact): boolean {
  return (
    pod.labels['k8s-app'] === 'calico-node' ||
    /^calico-node-[a-z0-9]{5}$/.test(pod.name) ||
    pod.containers.some((c) => c.name === 'calico-node')
  );
}

export interface KubeControllersDeployment {
  workload: WorkloadFact;
  container: WorkloadContainer;
}

/** The calico-kube-controllers Deployment (any namespace) and its main container. */
export function kubeControllersDeployment(facts: Facts): KubeControllersDeployment | undefined {
  for (const w of facts.workloads) {
    if (w.kind !== 'Deployment') continue;
    const container =
      w.containers.find((c) => c.name === KUBE_CONTROLLERS) ??
      w.containers.find((c) => /(?:^|\/)calico\/kube-controllers[:@]/.test(c.image ?? ''));
    if (container || w.name === KUBE_CONTROLLERS) {
      const main = container ?? w.containers[0];
      if (main) return { workload: w, container: main };
    }
  }
  return undefined;
}

/**
 * Controllers calico-kube-controllers accepts in `ENABLED_CONTROLLERS`
 * (kube-controllers/pkg/config/runconfig.go); anything else makes it exit with
 * `Invalid controller '<x>' provided.` (formats §2.3).
 */
export const VALID_CONTROLLERS = ['node', 'policy', 'namespace', 'profile', 'serviceaccount', 'workloadendpoint', 'loadbalancer'] as const;

export function splitControllers(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

/** Matches of a signature that come from a container whose pod name starts with `podPrefix`, or carry no container at all. */
export function matchesFromPods(ctx: RuleContext, signature: string, podPrefix: string): SignatureMatch[] {
  return ctx.matches(signature).filter((m) => !m.record.container || m.record.container.pod.startsWith(podPrefix));
}

/** Node a record ran on: the record's node, else the node of the pod whose container logged it. */
export function recordNode(match: SignatureMatch, pods: readonly PodFact[]): string | undefined {
  const { record } = match;
  if (record.node) return record.node;
  const ref = record.container;
  if (!ref) return undefined;
  return pods.find((p) => p.namespace === ref.namespace && p.name === ref.pod)?.nodeName;
}

// ---------------------------------------------------------------- IPv4 arithmetic

/** `10.1.235.133` → 32-bit unsigned integer; undefined for anything else. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.trim().split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

export function formatIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

export interface Ipv4Cidr {
  /** Network (base) address, host bits cleared. */
  base: number;
  prefix: number;
}

/** `10.1.235.128/26` → { base, prefix }; a bare address is a /32 (as `ip route` prints host routes). */
export function parseCidr(text: string): Ipv4Cidr | undefined {
  const [addr, len, extra] = text.trim().split('/');
  if (extra !== undefined || addr === undefined) return undefined;
  const ip = parseIpv4(addr);
  const prefix = len === undefined ? 32 : /^\d{1,2}$/.test(len) ? Number(len) : NaN;
  if (ip === undefined || !(prefix >= 0 && prefix <= 32)) return undefined;
  return { base: maskOf(ip, prefix), prefix };
}

function maskOf(ip: number, prefix: number): number {
  if (prefix === 0) return 0;
  const hostBits = 32 - prefix;
  return Math.floor(ip / 2 ** hostBits) * 2 ** hostBits;
}

/** Base (network) address of a CIDR as dotted quad: `10.1.235.133/26` → `10.1.235.128`. */
export function blockBase(cidr: string): string | undefined {
  const parsed = parseCidr(cidr);
  return parsed ? formatIpv4(parsed.base) : undefined;
}

/** Whether `cidr` contains the address `ip` (dotted quad; a CIDR's own base when given a CIDR). */
export function cidrContains(cidr: string, ip: string): boolean {
  const net = parseCidr(cidr);
  const target = parseCidr(ip);
  if (!net || !target) return false;
  return maskOf(target.base, net.prefix) === net.base && target.prefix >= net.prefix;
}

/** `10.1.235.133/32` or `10.1.235.133` → `10.1.235.133`. */
export function stripMask(addr: string): string {
  return addr.trim().split('/')[0] ?? addr.trim();
}

// ---------------------------------------------------------------- owners (shared with the image/flag rules)

/** `deployment/awx-operator-controller-manager` for a pod, via its ReplicaSet; best effort from the pod name when unknown. */
export function workloadOfPod(facts: Facts, namespace: string, podName: string): string {
  const pod = facts.pods.find((p) => p.namespace === namespace && p.name === podName);
  if (pod?.ownerKind && pod.ownerName) {
    if (pod.ownerKind === 'ReplicaSet') {
      const rs = facts.workloads.find((w) => w.kind === 'ReplicaSet' && w.namespace === namespace && w.name === pod.ownerName);
      if (rs?.ownerKind && rs.ownerName) return `${rs.ownerKind.toLowerCase()}/${rs.ownerName}`;
      return `deployment/${pod.ownerName.replace(/-[a-z0-9]{6,10}$/, '')}`;
    }
    return `${pod.ownerKind.toLowerCase()}/${pod.ownerName}`;
  }
  // <deployment>-<pod-template-hash>-<5 chars> (ReplicaSet pods), else <daemonset>-<5 chars>
  const rsPod = /^(.+)-[a-z0-9]{6,10}-[a-z0-9]{5}$/.exec(podName);
  if (rsPod) return `deployment/${rsPod[1]}`;
  return `pod/${podName}`;
}
