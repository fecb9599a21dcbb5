import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeHandles, analyzeIpam, blockInvariantErrors, ordinalToIp } from '../../src/derive/ipam.js';
import { parseKubernetesObjects } from '../../src/parsers/kubectl.js';
import type { IpamBlockFact, IpamHandleFact } from '../../src/model/facts.js';
import { SHARED_SAMPLES } from '../support/shared.js';

const data = (name: string): string => readFileSync(new URL(`../data/kube/${name}`, import.meta.url), 'utf8');
const blocks = parseKubernetesObjects(data('ipamblocks-pir000.json'), { path: 'ipamblocks.json' }).value.ipamBlocks!;
const pods = parseKubernetesObjects(data('pods-pir000.json'), { path: 'pods.json' }).value.pods!;

describe('analyzeIpam on the PIR 000 state (k8s03)', () => {
  const analysis = analyzeIpam(blocks, pods);
  const k8s03 = analysis.blocks.filter((b) => b.node === 'k8s03');

  it('reproduces 64/64, 64/64, 64/64, 62/64, 9/64 with 237 stale', () => {
    const byCidr = Object.fromEntries(k8s03.map((b) => [b.cidr, `${b.used}/${b.size} live ${b.live} stale ${b.stale}`]));
    expect(byCidr).toEqual({
      '10.1.237.64/26': '64/64 live 1 stale 63',
      '10.1.108.128/26': '64/64 live 4 stale 60',
      '10.1.108.192/26': '64/64 live 4 stale 60',
      '10.1.108.64/26': '62/64 live 17 stale 45',
      '10.1.108.0/26': '9/64 live 0 stale 9',
    });
    expect(analysis.totalStale).toBe(237);
    expect(analysis.nodes).toEqual([
      { node: 'k8s01', blocks: 1, used: 6, size: 64, stale: 0, fullBlocks: 0 },
      { node: 'k8s02', blocks: 1, used: 4, size: 64, stale: 0, fullBlocks: 0 },
      { node: 'k8s03', blocks: 5, used: 263, size: 320, stale: 237, fullBlocks: 3 },
    ]);
    for (const b of analysis.blocks) expect(b.invariantErrors).toEqual([]);
  });

  it('the tunnel address is live; stale allocations carry IP, handle and owner', () => {
    const first = k8s03.find((b) => b.cidr === '10.1.237.64/26')!;
    expect(first.tunnel).toBe(1);
    expect(first.staleAllocations[0]).toMatchObject({ ordinal: 1, ip: '10.1.237.65', namespace: 'arc-systems', reason: expect.stringMatching(/^pod arc-systems\/k8s03-runner-\w+-\w+ is not in the pods list$/) });
    expect(first.staleAllocations[0]!.handleId).toMatch(/^k8s-pod-network\.[0-9a-f]{64}$/);
    expect(first.staleAllocations.at(-1)!.ip).toBe('10.1.237.127');
  });

  it('an allocation without owner attributes is matched through the pod containerID annotation', () => {
    const b = k8s03.find((x) => x.cidr === '10.1.108.64/26')!;
    expect(b.staleAllocations.some((s) => s.ordinal === 62)).toBe(false);
    const last = k8s03.find((x) => x.cidr === '10.1.108.0/26')!;
    expect(last.staleAllocations.find((s) => s.ordinal === 8)).toMatchObject({ ip: '10.1.108.8', reason: expect.stringContaining('matches no pod sandbox') });
    // Without the annotation the same allocation is stale.
    const stripped = pods.map((p) => ({ ...p, annotations: {} }));
    expect(analyzeIpam(blocks, stripped).totalStale).toBe(238);
  });

  it('without pods every pod allocation is stale; tunnels stay live', () => {
    const none = analyzeIpam(blocks, []);
    expect(none.totalStale).toBe(263 + 6 + 4 - 3);
  });
});

describe('invariants (calicoctl ipam check)', () => {
  const base: IpamBlockFact = {
    name: '10-0-0-0-30', cidr: '10.0.0.0/30', size: 4, allocations: [0, null, 1, null], unallocated: [1, 3],
    attributes: [{ handleId: 'vxlan-tunnel-addr-n1' }, { handleId: 'k8s-pod-network.x' }], deleted: false, source: { path: 'x', line: 1 },
  };
  it('a consistent block has none', () => expect(blockInvariantErrors(base)).toEqual([]));
  it('flags every kind of inconsistency', () => {
    const broken = { ...base, allocations: [0, null, 5, 1], unallocated: [1, 1, 3, 9] };
    expect(blockInvariantErrors(broken)).toEqual([
      'unallocated lists ordinals outside 0..3: 9',
      'unallocated lists ordinals more than once: 1',
      'ordinals both allocated and unallocated: 3',
      'allocations point outside attributes (2 entries) at ordinals: 2',
      'allocated (3) + unallocated (2) = 5, not the block size 4',
    ]);
    expect(blockInvariantErrors({ ...base, allocations: [0, null, null], unallocated: [1] })).toEqual([
      'allocations has 3 entries, block size is 4',
      'ordinals neither allocated nor unallocated: 2, 3',
      'allocated (1) + unallocated (1) = 2, not the block size 4',
    ]);
  });
  it('the cut-off cni-plugin#749 block: allocations without attributes are unknown, not stale', () => {
    const text = readFileSync(`${SHARED_SAMPLES}/calico-ipam__cni-plugin-749-ipamblock-yaml.txt`, 'utf8');
    const cut = parseKubernetesObjects(text, { path: 'b.yaml' }).value.ipamBlocks!;
    const [a] = analyzeIpam(cut, []).blocks;
    expect(a).toMatchObject({ used: 6, unknown: 6, stale: 0, live: 0, free: 58 });
    expect(a!.invariantErrors).toContain('allocations point outside attributes (0 entries) at ordinals: 10, 11, 16, 22, 24, 38');
  });
});

describe('ordinalToIp', () => {
  it('IPv4 and IPv6', () => {
    expect(ordinalToIp('10.1.108.192/26', 63)).toBe('10.1.108.255');
    expect(ordinalToIp('10.1.255.192/26', 0)).toBe('10.1.255.192');
    expect(ordinalToIp('fd00:10:244::/122', 17)).toBe('fd00:10:244::11');
    expect(ordinalToIp('2001:db8:0:1:1:1:1:0/122', 1)).toBe('2001:db8:0:1:1:1:1:1');
  });
});

describe('analyzeHandles', () => {
  it('orphans: handles no block references, and handles whose pods are gone; count mismatches', () => {
    const first = blocks.find((b) => b.cidr === '10.1.237.64/26')!;
    const staleHandle = first.attributes[first.allocations[1]!]!.handleId!;
    const liveBlock = blocks.find((b) => b.cidr === '10.1.108.128/26')!;
    const liveHandle = liveBlock.attributes[liveBlock.allocations[6]!]!.handleId!;
    const src = { path: 'ipamhandles.json', line: 1 };
    const handles: IpamHandleFact[] = [
      { name: 'vxlan-tunnel-addr-k8s03', handleId: 'vxlan-tunnel-addr-k8s03', block: { '10.1.237.64/26': 1 }, source: src },
      { name: staleHandle, handleId: staleHandle, block: { '10.1.237.64/26': 1 }, source: src },
      { name: liveHandle, handleId: liveHandle, block: { '10.1.108.128/26': 2 }, source: src },
      { name: 'k8s-pod-network.gone', handleId: 'k8s-pod-network.gone', block: { '10.1.108.0/26': 1 }, source: src },
    ];
    const result = analyzeHandles(handles, blocks, pods);
    expect(result.count).toBe(2);
    expect(result.orphans.map((o) => [o.handleId, o.reason])).toEqual([
      ['k8s-pod-network.gone', 'no block allocation references this handle'],
      [staleHandle, 'every allocation of this handle belongs to a pod that is not in the pods list'],
    ].sort((a, b) => a[0]!.localeCompare(b[0]!)));
    expect(result.mismatches).toEqual([
      { handleId: 'k8s-pod-network.gone', cidr: '10.1.108.0/26', claimed: 1, allocated: 0 },
      { handleId: liveHandle, cidr: '10.1.108.128/26', claimed: 2, allocated: 1 },
    ].sort((a, b) => a.handleId.localeCompare(b.handleId)));
  });
});
