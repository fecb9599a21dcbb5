import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import rule from '../../src/rules/calico-ipam-full-blocks.js';
import { parseKubernetesObjects } from '../../src/parsers/kubectl.js';
import type { IpamBlockFact, PodFact } from '../../src/model/facts.js';
import { containerd } from '../support/kubelet-builders.js';
import { ruleTester } from '../support/rule-tester.js';

const DATA = join(__dirname, '..', 'data', 'kube');
const BLOCKS_PATH = 'cluster/ipamblocks.json';
const PODS_PATH = 'cluster/pods.json';

/** The PIR 000 state of k8s03 (64/64, 64/64, 64/64, 62/64, 9/64; 237 stale), as kubectl prints it. */
const blocks = parseKubernetesObjects(readFileSync(join(DATA, 'ipamblocks-pir000.json'), 'utf8'), { path: BLOCKS_PATH }).value.ipamBlocks as IpamBlockFact[];
const pods = parseKubernetesObjects(readFileSync(join(DATA, 'pods-pir000.json'), 'utf8'), { path: PODS_PATH }).value.pods as PodFact[];

/** The same blocks with every allocation owned by a live pod: full, but nothing stale. */
function allLive(): { ipamBlocks: IpamBlockFact[]; pods: PodFact[] } {
  const livePods: PodFact[] = [...pods];
  blocks.forEach((b) => b.attributes.forEach((a, i) => {
    const ns = a.secondary?.namespace ?? 'default';
    const name = a.secondary?.pod ?? `owner-of-${b.name}-${i}`;
    const containerID = a.handleId?.replace(/^k8s-pod-network\./, '') ?? '';
    livePods.push({ ...pods[0]!, namespace: ns, name, annotations: { 'cni.projectcalico.org/containerID': containerID }, source: { path: PODS_PATH, line: 1 } });
  }));
  return { ipamBlocks: blocks, pods: livePods };
}

const skipLines = [
  containerd('2026-05-17T05:59:38.124Z', 'k8s03', '2026-05-17 05:59:38.124 [INFO][2817731] ipam.go 569: Block is full block=10.1.237.64/26 handle="k8s-pod-network.5f1c" host="k8s03"', 'k8s03/containerd.log', 101),
  containerd('2026-05-17T05:59:38.318Z', 'k8s03', '2026-05-17 05:59:38.318 [INFO][2817731] ipam.go 569: Block is full block=10.1.108.128/26 handle="k8s-pod-network.5f1c" host="k8s03"', 'k8s03/containerd.log', 102),
];

ruleTester(rule, {
  invalid: [
    {
      name: 'PIR 000: three full blocks of stale allocations on k8s03, IPAM skipping them',
      facts: { ipamBlocks: blocks, pods },
      records: skipLines,
      expect: [{
        nodes: ['k8s03'],
        evidence: [{ path: BLOCKS_PATH }, { path: 'k8s03/containerd.log', line: 101 }],
        signals: { 'full blocks': 'present', 'stale allocations': 'present', 'IPAM skipping full blocks': 'present' },
        runbookIncludes: ['k8s03', '237', '10.1.237.64/26'],
        facts: { staleAllocations: 237, fullBlocks: 4 },
        minConfidence: 0.99,
      }],
    },
    {
      name: 'full blocks without a pods list: fires on fullness, stale count unknown',
      facts: { ipamBlocks: blocks },
      expect: [{ nodes: ['k8s03'], signals: { 'stale allocations': 'unknown', 'IPAM skipping full blocks': 'unknown' }, evidence: [{ path: BLOCKS_PATH, line: 4 }, { path: BLOCKS_PATH, line: 2390 }] }],
    },
  ],
  valid: [
    { name: 'near miss: full blocks whose allocations all belong to live pods', facts: allLive() },
    { name: 'partly used blocks only', facts: { ipamBlocks: blocks.filter((b) => /^10\.1\.108\.0\//.test(b.cidr)), pods } },
    { name: 'IPAM log lines without block objects are not enough', facts: { ipamBlocks: [], pods }, records: skipLines, inputs: [['ipamblocks']] },
  ],
});
