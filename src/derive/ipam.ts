import type { IpamBlockFact, IpamHandleFact, PodFact } from '../model/facts.js';

/**
 * Calico IPAM accounting rebuilt from IPAMBlock objects, the way the PIR 000 clean-up script
 * and `calicoctl ipam check` do it: who owns each allocated address, which allocations are
 * stale (their pod is gone), and whether each block is internally consistent.
 *
 * Ownership of an allocated ordinal (format reference §1.3, §1.4, §1.7):
 * - tunnel address (`secondary.type` = `vxlanTunnelAddress`…, or a handle
 *   `vxlan-tunnel-addr-<node>`…): counted live. Only calico-node's tunnel allocator frees it
 *   and it does so when the node is deleted, so it is never a pod leak (the PIR's clean-up
 *   kept it: 64/64 → 1/64).
 * - pod address: live when `secondary` names a pod (namespace/name) in the pods list, or
 *   when its handle `k8s-pod-network.<containerID>` is the sandbox id a pod carries in its
 *   `cni.projectcalico.org/containerID` annotation; otherwise stale.
 * - an allocation pointing outside `attributes` (a cut dump, a corrupt block) has no owner
 *   to judge: counted as `unknown`, not stale.
 * So `used = live + stale + unknown`, and `tunnel` is the part of `live` that is tunnel
 * addresses. Deleted (tombstone) blocks are analysed like the others and flagged.
 * With an empty pods list every pod allocation is stale: callers must know whether the
 * pods input was present.
 */

export interface StaleAllocation {
  ordinal: number;
  ip: string;
  handleId?: string;
  namespace?: string;
  pod?: string;
  reason: string;
}

export interface IpamBlockAnalysis {
  name: string;
  cidr: string;
  node?: string;
  size: number;
  used: number;
  free: number;
  live: number;
  stale: number;
  tunnel: number;
  unknown: number;
  deleted: boolean;
  staleAllocations: StaleAllocation[];
  invariantErrors: string[];
}

export interface IpamNodeTotals {
  node: string;
  blocks: number;
  used: number;
  size: number;
  stale: number;
  fullBlocks: number;
}

export interface IpamAnalysis {
  blocks: IpamBlockAnalysis[];
  /** Blocks with a `host:` affinity, per node, sorted by node name. */
  nodes: IpamNodeTotals[];
  totalUsed: number;
  totalStale: number;
}

// vxlan-tunnel-addr-k8s03, vxlan-v6-tunnel-addr-…, ipip-tunnel-addr-…, wireguard(-v6)-tunnel-addr-…
const TUNNEL_HANDLE = /^(?:vxlan|vxlan-v6|ipip|wireguard|wireguard-v6)-tunnel-addr-/;
// k8s-pod-network.cb07c78e242382171ac035d9b888454f71bb393e788f7feaa7ee13d4ead5cb34
const POD_HANDLE = /^[^.]+\.([0-9a-f]{64})$/i;
const CONTAINER_ID_ANNOTATION = 'cni.projectcalico.org/containerID';

interface PodIndex {
  byName: Set<string>;
  bySandbox: Set<string>;
}

function indexPods(pods: readonly PodFact[]): PodIndex {
  const byName = new Set<string>();
  const bySandbox = new Set<string>();
  for (const pod of pods) {
    byName.add(`${pod.namespace}/${pod.name}`);
    const sandbox = pod.annotations[CONTAINER_ID_ANNOTATION];
    if (sandbox) bySandbox.add(sandbox.toLowerCase());
  }
  return { byName, bySandbox };
}

export function isTunnelAttribute(handleId: string | undefined, secondary: Record<string, string> | undefined): boolean {
  return (secondary?.type ?? '').endsWith('TunnelAddress') || (handleId !== undefined && TUNNEL_HANDLE.test(handleId));
}

/** Sandbox (pause) container id of a CNI handle `<network>.<64 hex>`. */
export function sandboxIdOfHandle(handleId: string | undefined): string | undefined {
  const m = handleId ? POD_HANDLE.exec(handleId) : null;
  return m ? m[1]!.toLowerCase() : undefined;
}

/** Address of `ordinal` in the block starting at `cidr`'s network address. */
export function ordinalToIp(cidr: string, ordinal: number): string {
  const base = cidr.split('/')[0] ?? cidr;
  if (!base.includes(':')) {
    const parts = base.split('.').map(Number);
    if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return `${cidr}#${ordinal}`;
    const n = ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]! + ordinal;
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  }
  const value = ipv6ToBigInt(base);
  return value === undefined ? `${cidr}#${ordinal}` : bigIntToIpv6(value + BigInt(ordinal));
}

function ipv6ToBigInt(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return undefined;
  const groups = [...head, ...Array<string>(missing).fill('0'), ...tail];
  let value = 0n;
  for (const g of groups) {
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return undefined;
    value = (value << 16n) + BigInt(parseInt(g, 16));
  }
  return value;
}

/** Compressed form as Go's `net.IP.String()` prints it: the longest run of ≥2 zero groups becomes `::`. */
function bigIntToIpv6(value: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Consistency checks of one block, as `calicoctl ipam check` validates them. */
export function blockInvariantErrors(block: IpamBlockFact): string[] {
  const errors: string[] = [];
  const { size, allocations, unallocated, attributes } = block;
  if (allocations.length !== size) errors.push(`allocations has ${allocations.length} entries, block size is ${size}`);

  const seen = new Map<number, number>();
  const outOfRange: number[] = [];
  for (const ordinal of unallocated) {
    if (ordinal < 0 || ordinal >= size) outOfRange.push(ordinal);
    seen.set(ordinal, (seen.get(ordinal) ?? 0) + 1);
  }
  const duplicates = [...seen.entries()].filter(([, n]) => n > 1).map(([o]) => o);
  if (outOfRange.length) errors.push(`unallocated lists ordinals outside 0..${size - 1}: ${summarise(outOfRange)}`);
  if (duplicates.length) errors.push(`unallocated lists ordinals more than once: ${summarise(duplicates)}`);

  const both: number[] = [];
  const neither: number[] = [];
  const dangling: number[] = [];
  for (let ordinal = 0; ordinal < Math.max(size, allocations.length); ordinal++) {
    const a = allocations[ordinal] ?? null;
    const free = seen.has(ordinal);
    if (a !== null && free) both.push(ordinal);
    if (a === null && !free && ordinal < size) neither.push(ordinal);
    if (a !== null && (a < 0 || a >= attributes.length)) dangling.push(ordinal);
  }
  if (both.length) errors.push(`ordinals both allocated and unallocated: ${summarise(both)}`);
  if (neither.length) errors.push(`ordinals neither allocated nor unallocated: ${summarise(neither)}`);
  if (dangling.length) errors.push(`allocations point outside attributes (${attributes.length} entries) at ordinals: ${summarise(dangling)}`);

  const allocated = allocations.filter((a) => a !== null).length;
  const uniqueFree = [...seen.keys()].filter((o) => o >= 0 && o < size).length;
  if (allocated + uniqueFree !== size) errors.push(`allocated (${allocated}) + unallocated (${uniqueFree}) = ${allocated + uniqueFree}, not the block size ${size}`);
  return errors;
}

function summarise(ordinals: number[]): string {
  const shown = ordinals.slice(0, 10).join(', ');
  return ordinals.length > 10 ? `${shown} … (${ordinals.length} in all)` : shown;
}

function analyseBlock(block: IpamBlockFact, index: PodIndex): IpamBlockAnalysis {
  let used = 0;
  let live = 0;
  let tunnel = 0;
  let unknown = 0;
  const staleAllocations: StaleAllocation[] = [];
  block.allocations.forEach((a, ordinal) => {
    if (a === null) return;
    used++;
    const attr = block.attributes[a];
    if (!attr) {
      unknown++;
      return;
    }
    const { handleId, secondary } = attr;
    if (isTunnelAttribute(handleId, secondary)) {
      live++;
      tunnel++;
      return;
    }
    const namespace = secondary?.namespace;
    const pod = secondary?.pod;
    const sandbox = sandboxIdOfHandle(handleId);
    if ((namespace && pod && index.byName.has(`${namespace}/${pod}`)) || (sandbox && index.bySandbox.has(sandbox))) {
      live++;
      return;
    }
    staleAllocations.push({
      ordinal,
      ip: ordinalToIp(block.cidr, ordinal),
      ...(handleId ? { handleId } : {}),
      ...(namespace ? { namespace } : {}),
      ...(pod ? { pod } : {}),
      reason: namespace && pod
        ? `pod ${namespace}/${pod} is not in the pods list`
        : handleId
          ? `no owner pod recorded and handle ${handleId} matches no pod sandbox`
          : 'allocation has neither owner pod nor handle',
    });
  });
  return {
    name: block.name,
    cidr: block.cidr,
    ...(block.node ? { node: block.node } : {}),
    size: block.size,
    used,
    free: Math.max(0, block.size - used),
    live,
    stale: staleAllocations.length,
    tunnel,
    unknown,
    deleted: block.deleted,
    staleAllocations,
    invariantErrors: blockInvariantErrors(block),
  };
}

/**
 * Per-block and per-node accounting. `handles` is accepted for the rules' convenience but
 * ownership comes from the blocks' own attributes; handle consistency is `analyzeHandles`.
 */
export function analyzeIpam(blocks: readonly IpamBlockFact[], pods: readonly PodFact[], _handles?: readonly IpamHandleFact[]): IpamAnalysis {
  const index = indexPods(pods);
  const analysed = [...blocks]
    .sort((a, b) => (a.node ?? '').localeCompare(b.node ?? '') || a.cidr.localeCompare(b.cidr, 'en', { numeric: true }))
    .map((b) => analyseBlock(b, index));
  const byNode = new Map<string, IpamNodeTotals>();
  for (const b of analysed) {
    if (!b.node) continue;
    const t = byNode.get(b.node) ?? { node: b.node, blocks: 0, used: 0, size: 0, stale: 0, fullBlocks: 0 };
    t.blocks++;
    t.used += b.used;
    t.size += b.size;
    t.stale += b.stale;
    if (b.size > 0 && b.used >= b.size) t.fullBlocks++;
    byNode.set(b.node, t);
  }
  return {
    blocks: analysed,
    nodes: [...byNode.values()].sort((a, b) => a.node.localeCompare(b.node)),
    totalUsed: analysed.reduce((n, b) => n + b.used, 0),
    totalStale: analysed.reduce((n, b) => n + b.stale, 0),
  };
}

export interface OrphanHandle {
  handleId: string;
  name: string;
  /** Block CIDRs the handle claims addresses in. */
  blocks: string[];
  reason: string;
}

export interface HandleCountMismatch {
  handleId: string;
  cidr: string;
  /** Count in the IPAMHandle's `block` map. */
  claimed: number;
  /** Allocations in the block whose attribute carries this handle. */
  allocated: number;
}

export interface HandleAnalysis {
  orphans: OrphanHandle[];
  count: number;
  mismatches: HandleCountMismatch[];
}

/**
 * IPAMHandles whose owner is gone: no block allocation carries the handle any more, or every
 * allocation that does is stale (its pod is not in the pods list). Also lists handles whose
 * per-block count disagrees with the blocks (a leak or double allocation, §1.10).
 */
export function analyzeHandles(handles: readonly IpamHandleFact[], blocks: readonly IpamBlockFact[], pods: readonly PodFact[]): HandleAnalysis {
  const index = indexPods(pods);
  // handle (lower case: object names are lowercased handle ids) → cidr → allocation count, and whether any is live
  const allocatedBy = new Map<string, Map<string, number>>();
  const liveHandles = new Set<string>();
  for (const block of blocks) {
    block.allocations.forEach((a) => {
      if (a === null) return;
      const attr = block.attributes[a];
      if (!attr?.handleId) return;
      const key = attr.handleId.toLowerCase();
      const perBlock = allocatedBy.get(key) ?? new Map<string, number>();
      perBlock.set(block.cidr, (perBlock.get(block.cidr) ?? 0) + 1);
      allocatedBy.set(key, perBlock);
      const { namespace, pod } = attr.secondary ?? {};
      const sandbox = sandboxIdOfHandle(attr.handleId);
      if (isTunnelAttribute(attr.handleId, attr.secondary)
        || (namespace && pod && index.byName.has(`${namespace}/${pod}`))
        || (sandbox && index.bySandbox.has(sandbox))) liveHandles.add(key);
    });
  }
  const orphans: OrphanHandle[] = [];
  const mismatches: HandleCountMismatch[] = [];
  for (const handle of [...handles].sort((a, b) => a.handleId.localeCompare(b.handleId))) {
    const key = handle.handleId.toLowerCase();
    const allocated = allocatedBy.get(key);
    const claimedBlocks = Object.keys(handle.block).sort();
    const sandbox = sandboxIdOfHandle(handle.handleId);
    if (!allocated) {
      orphans.push({ handleId: handle.handleId, name: handle.name, blocks: claimedBlocks, reason: 'no block allocation references this handle' });
    } else if (!liveHandles.has(key) && !(sandbox && index.bySandbox.has(sandbox))) {
      orphans.push({ handleId: handle.handleId, name: handle.name, blocks: claimedBlocks, reason: 'every allocation of this handle belongs to a pod that is not in the pods list' });
    }
    const cidrs = new Set([...claimedBlocks, ...(allocated ? allocated.keys() : [])]);
    for (const cidr of [...cidrs].sort()) {
      const claimed = handle.block[cidr] ?? 0;
      const count = allocated?.get(cidr) ?? 0;
      if (claimed !== count) mismatches.push({ handleId: handle.handleId, cidr, claimed, allocated: count });
    }
  }
  return { orphans, count: orphans.length, mismatches };
}
