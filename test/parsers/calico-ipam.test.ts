import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseKubernetesObjects } from '../../src/parsers/kubectl.js';
import { blockNameToCidr, cidrSize, cidrToBlockName, ipamBlockFromObject, ipamHandleFromObject } from '../../src/parsers/calico-ipam.js';
import { SHARED_SAMPLES } from '../support/shared.js';

const data = (name: string): string => readFileSync(new URL(`../data/kube/${name}`, import.meta.url), 'utf8');

const problems = () => {
  const warnings: string[] = [];
  const unparsed: Array<{ line: number; reason: string }> = [];
  return { warnings, unparsedLines: unparsed, warn: (m: string) => warnings.push(m), unparsed: (line: number, reason: string) => unparsed.push({ line, reason }) };
};

describe('Calico IPAM: the header sample (current shape, kubectl -o yaml)', () => {
  it('reads blocks and handles; sequenceNumber beyond 2^53 kept exactly', () => {
    const { value, unparsed, warnings } = parseKubernetesObjects(data('ipam-current.yaml'), { path: 'ipam.yaml' });
    expect(unparsed).toEqual([]);
    expect(warnings).toEqual([]);
    const block = value.ipamBlocks![0]!;
    expect(block).toMatchObject({
      name: '192-168-185-0-26', cidr: '192.168.185.0/26', affinity: 'host:mac-k8s', node: 'mac-k8s', size: 64, deleted: false,
      sequenceNumber: '1690113884806720498', source: { path: 'ipam.yaml', line: 3 },
    });
    expect(block.allocations.slice(0, 8)).toEqual([0, null, null, null, null, null, null, 1]);
    expect(block.unallocated).toHaveLength(61);
    expect(block.attributes[0]).toEqual({ handleId: 'vxlan-tunnel-addr-mac-k8s', secondary: { node: 'mac-k8s', type: 'vxlanTunnelAddress' } });
    expect(block.attributes[1]!.secondary).toEqual({ namespace: 'default', node: 'mac-k8s', pod: 'nginx', timestamp: '2022-07-26 17:35:23.756365378 +0000 UTC' });
    expect(value.ipamHandles).toEqual([
      {
        name: 'k8s-pod-network.cb07c78e242382171ac035d9b888454f71bb393e788f7feaa7ee13d4ead5cb34',
        handleId: 'k8s-pod-network.cb07c78e242382171ac035d9b888454f71bb393e788f7feaa7ee13d4ead5cb34',
        block: { '192.168.185.0/26': 1 }, deleted: false, source: { path: 'ipam.yaml', line: 42 },
      },
      expect.objectContaining({ handleId: 'k8s-pod-network.5d2f8c1e7a9b3d6f0e4c8a2b6d0f4e8c2a6b0d4f8e2c6a0b4d8f2e6c0a4b8d2f' }),
    ]);
  });

  it('JSON: sequenceNumber captured losslessly, projectcalico.org/v3 group, virtual affinity, IPv6', () => {
    const { value } = parseKubernetesObjects(data('ipam-v3-group.json'), { path: 'v3.json' });
    const block = value.ipamBlocks![0]!;
    expect(block.sequenceNumber).toBe('9007199254740993'); // 2^53 + 1: JSON.parse would give …992
    expect(block).toMatchObject({ cidr: 'fd00:10:244::/126', affinity: 'virtual:lb-pool-a', size: 4 });
    expect(block.node).toBeUndefined();
    expect(block.attributes).toEqual([{ handleId: 'lb-ipam.default.web', secondary: { namespace: 'default', service: 'web' } }, { handleId: 'k8s-pod-network.aa' }]);
  });
});

describe('Calico IPAM: v3.13 shape', () => {
  it('nulls for affinity, handle_id and secondary read as absent; no sequenceNumber', () => {
    const { value } = parseKubernetesObjects(data('ipamblocks-pir000.json'), { path: 'ipamblocks.json' });
    expect(value.ipamBlocks).toHaveLength(8);
    const orphan = value.ipamBlocks!.find((b) => b.cidr === '10.1.33.0/26')!;
    expect(orphan.affinity).toBeUndefined();
    expect(orphan.node).toBeUndefined();
    expect(orphan.unallocated).toHaveLength(64);
    const b = value.ipamBlocks!.find((x) => x.cidr === '10.1.108.64/26')!;
    expect(b.sequenceNumber).toBeUndefined();
    expect(b.node).toBe('k8s03');
    expect(b.unallocated.slice(-2)).toEqual([41, 17]);
    const withoutOwner = b.attributes[b.allocations[62]!]!;
    expect(withoutOwner.secondary).toBeUndefined();
    expect(withoutOwner.handleId).toMatch(/^k8s-pod-network\.[0-9a-f]{64}$/);
  });

  it('the real cut-off YAML of cni-plugin#749: warns, keeps the block', () => {
    const text = readFileSync(`${SHARED_SAMPLES}/calico-ipam__cni-plugin-749-ipamblock-yaml.txt`, 'utf8');
    const { value, warnings } = parseKubernetesObjects(text, { path: 'ipamblocks.yaml' });
    const block = value.ipamBlocks![0]!;
    expect(block).toMatchObject({ name: '100-64-3-0-26', cidr: '100.64.3.0/26', node: 'kworker-be-sandbox-iz2-bap004', size: 64, deleted: false, source: { line: 5 } });
    expect(block.allocations).toHaveLength(64);
    expect(block.allocations.filter((a) => a !== null)).toEqual([5, 4, 0, 2, 1, 3]);
    expect(block.attributes).toEqual([]);
    expect(warnings).toEqual([
      'ipamblocks.yaml:5: IPAMBlock 100-64-3-0-26 has no spec.cidr (truncated?); using 100.64.3.0/26 from its name',
      'ipamblocks.yaml:5: IPAMBlock 100-64-3-0-26: allocations reference attribute 5 but only 0 attribute(s) were read (truncated dump?)',
    ]);
  });
});

describe('Calico IPAM converters', () => {
  it('block names and sizes', () => {
    expect(cidrToBlockName('10.1.237.64/26')).toBe('10-1-237-64-26');
    expect(cidrToBlockName('fd00:10:244::/122')).toBe('fd00-10-244---122');
    expect(blockNameToCidr('10-1-237-64-26')).toBe('10.1.237.64/26');
    expect(blockNameToCidr('fd00-10-244---122')).toBeUndefined();
    expect(cidrSize('10.1.237.64/26')).toBe(64);
    expect(cidrSize('10.1.0.0/30')).toBe(4);
    expect(cidrSize('fd00:10:244::/122')).toBe(64);
    expect(cidrSize('garbage')).toBeUndefined();
  });

  it('wrong types → warnings, objects without spec/cidr → unparsed', () => {
    const p = problems();
    const src = { path: 'b.json', line: 9 };
    expect(ipamBlockFromObject({ metadata: { name: 'x' } }, src, p)).toBeUndefined();
    expect(ipamBlockFromObject({ metadata: { name: 'not-a-cidr' }, spec: {} }, src, p)).toBeUndefined();
    const b = ipamBlockFromObject({ metadata: { name: '10-0-0-0-30' }, spec: { cidr: '10.0.0.0/30', allocations: [0, 'x', null, 1.5], attributes: [{ handle_id: null, secondary: null }], unallocated: [2, 'y'], Deleted: true } }, src, p)!;
    expect(b).toMatchObject({ size: 4, allocations: [0, null, null, null], unallocated: [2], attributes: [{}], deleted: true });
    expect(p.unparsedLines.map((u) => u.reason)).toEqual(['IPAMBlock x without spec', 'IPAMBlock not-a-cidr without spec.cidr']);
    expect(p.warnings).toHaveLength(2);
    expect(ipamHandleFromObject({ metadata: {}, spec: {} }, src, p)).toBeUndefined();
    expect(ipamHandleFromObject({ metadata: { name: 'vxlan-tunnel-addr-k8s03' }, spec: { block: { '10.1.237.64/26': 1, bad: 'x' } } }, src, p)).toEqual({
      name: 'vxlan-tunnel-addr-k8s03', handleId: 'vxlan-tunnel-addr-k8s03', block: { '10.1.237.64/26': 1 }, source: src,
    });
  });
});
