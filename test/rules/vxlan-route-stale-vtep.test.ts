import rule from '../../src/rules/vxlan-route-stale-vtep.js';
import { ruleTester, runCase } from '../support/rule-tester.js';
import { ipamBlock, neigh, nodeFact, pod, container, route } from '../support/calico-builders.js';
import { describe, expect, it } from 'vitest';

// 002 Chain 3: k8s03's six pod subnets, routed on k8s01/k8s02 via the /26 base address.
const K8S03_SUBNETS = ['10.1.235.128/26', '10.1.235.192/26', '10.1.236.0/26', '10.1.236.64/26', '10.1.237.128/26', '10.1.238.0/26'];

const blocks = [
  ...K8S03_SUBNETS.map((cidr, i) => ipamBlock(cidr, 'k8s03', { line: 10 + i })),
  ipamBlock('10.1.73.64/26', 'k8s01', { line: 20 }),
  ipamBlock('10.1.108.0/26', 'k8s02', { line: 21 }),
];

const nodes = [
  nodeFact('k8s01', { vtep: '10.1.73.64', line: 3 }),
  nodeFact('k8s02', { vtep: '10.1.108.0', line: 40 }),
  nodeFact('k8s03', { vtep: '10.1.235.133', line: 77 }),
];

function peerRoutes(peer: string, gateway: string) {
  const other = peer === 'k8s01'
    ? route(peer, '10.1.108.0/26 via 10.1.108.0 dev vxlan.calico onlink', `${peer}/ip-route.txt`, 2)
    : route(peer, '10.1.73.64/26 via 10.1.73.64 dev vxlan.calico onlink', `${peer}/ip-route.txt`, 2);
  return [
    route(peer, 'default via 192.168.1.1 dev eth0 proto dhcp src 192.168.1.21 metric 100', `${peer}/ip-route.txt`, 1),
    other,
    ...K8S03_SUBNETS.map((s, i) => route(peer, `${s} via ${gateway} dev vxlan.calico onlink`, `${peer}/ip-route.txt`, 3 + i)),
  ];
}

const haproxy = pod('argocd', 'argocd-redis-ha-haproxy-j7sr6', 'k8s01', [container('haproxy', 'haproxy:2.6.14', { ready: false, state: 'waiting', stateReason: 'PodInitializing' })], {
  phase: 'Pending',
  initContainers: [container('config-init', 'haproxy:2.6.14', { ready: false, state: 'waiting', stateReason: 'CrashLoopBackOff', restartCount: 23 })],
});

const incident = {
  routes: [...peerRoutes('k8s01', '10.1.235.128'), ...peerRoutes('k8s02', '10.1.235.128')],
  neighbours: [
    neigh('k8s01', '10.1.108.0 dev vxlan.calico lladdr 66:76:38:5d:31:cd PERMANENT', 'k8s01/ip-neigh.txt', 1),
    neigh('k8s01', '10.1.235.128 dev vxlan.calico INCOMPLETE', 'k8s01/ip-neigh.txt', 2),
    neigh('k8s02', '10.1.73.64 dev vxlan.calico lladdr 66:b6:99:56:ef:dc PERMANENT', 'k8s02/ip-neigh.txt', 1),
    neigh('k8s02', '10.1.235.128 dev vxlan.calico INCOMPLETE', 'k8s02/ip-neigh.txt', 2),
  ],
  nodes,
  ipamBlocks: blocks,
  pods: [haproxy],
};

ruleTester(rule, {
  valid: [
    {
      name: 'routes repaired: every k8s03 subnet via its VTEP 10.1.235.133, neighbours REACHABLE',
      facts: {
        routes: [...peerRoutes('k8s01', '10.1.235.133'), ...peerRoutes('k8s02', '10.1.235.133')],
        neighbours: [
          neigh('k8s01', '10.1.235.133 dev vxlan.calico lladdr 66:0a:f0:4a:3f:c1 REACHABLE'),
          neigh('k8s02', '10.1.235.133 dev vxlan.calico lladdr 66:0a:f0:4a:3f:c1 REACHABLE'),
        ],
        nodes,
        ipamBlocks: blocks,
      },
    },
    {
      name: 'near miss: gateway is the block base address and that address IS the VTEP',
      facts: {
        routes: [
          route('node-a', '10.233.72.0/26 via 10.233.72.0 dev vxlan.calico onlink', 'node-a/ip-route.txt', 5),
          route('node-a', 'blackhole 10.233.90.0/26 proto 80', 'node-a/ip-route.txt', 6),
        ],
        neighbours: [neigh('node-a', '10.233.72.0 dev vxlan.calico lladdr 66:f4:cd:d2:0b:14 PERMANENT')],
        nodes: [nodeFact('node-a', { vtep: '10.233.90.0' }), nodeFact('node-b', { vtep: '10.233.72.0' })],
        ipamBlocks: [ipamBlock('10.233.72.0/26', 'node-b'), ipamBlock('10.233.90.0/26', 'node-a')],
      },
    },
    {
      name: 'near miss: base-address gateway without annotation, neighbour PERMANENT',
      facts: {
        routes: [
          route('worker01', '192.168.142.128/26 via 192.168.142.128 dev vxlan.calico onlink', 'worker01/ip-route.txt', 11),
          route('worker01', '192.168.161.64/26 via 192.168.161.64 dev vxlan.calico onlink', 'worker01/ip-route.txt', 12),
        ],
        neighbours: [
          neigh('worker01', '192.168.142.128 dev vxlan.calico lladdr 66:62:8c:74:d3:02 PERMANENT'),
          neigh('worker01', '192.168.161.64 dev vxlan.calico lladdr 66:a6:2d:f1:7d:ca PERMANENT'),
        ],
      },
    },
    {
      name: 'CrossSubnet routes via a host address on ens5 are not VXLAN routes',
      facts: {
        routes: [
          route('ip-10-37-9-248', '192.168.141.0/26 via 10.37.3.250 dev ens5 proto 80 onlink'),
          route('ip-10-37-9-248', '192.168.215.64/26 via 10.37.7.207 dev ens5 proto 80 onlink'),
        ],
        nodes: [nodeFact('ip-10-37-3-250', { vtep: '192.168.141.5' })],
        ipamBlocks: [ipamBlock('192.168.141.0/26', 'ip-10-37-3-250')],
      },
    },
  ],
  invalid: [
    {
      name: "002: k8s01/k8s02 route k8s03's six subnets via 10.1.235.128 (INCOMPLETE), VTEP is 10.1.235.133",
      facts: incident,
      expect: [{
        nodes: ['k8s01', 'k8s02'],
        evidence: [
          { path: 'k8s01/ip-route.txt', line: 3 },
          { path: 'k8s02/ip-route.txt', line: 8 },
          { path: 'k8s01/ip-neigh.txt', line: 2 },
          { path: 'nodes.json', line: 77 },
        ],
        minConfidence: 0.95,
        signals: {
          'gateway differs from VTEP annotation': 'present',
          'gateway neighbour unresolved': 'present',
          'gateway is the block base address': 'present',
          'pods in Init:CrashLoopBackOff': 'present',
        },
        runbookIncludes: [
          "kubectl get node k8s03 -o jsonpath='{.metadata.annotations.projectcalico\\.org/IPv4VXLANTunnelAddr}'",
          ...K8S03_SUBNETS.flatMap((s) => [
            `ssh k8s01 "sudo ip route replace ${s} via 10.1.235.133 dev vxlan.calico onlink"`,
            `ssh k8s02 "sudo ip route replace ${s} via 10.1.235.133 dev vxlan.calico onlink"`,
          ]),
          'ip neigh show dev vxlan.calico | grep 10.1.235.133',
          'argocd/argocd-redis-ha-haproxy-j7sr6',
        ],
        facts: { wrongRoutes: 12, subnets: 6, gateway: '10.1.235.128', vtep: '10.1.235.133', target: 'k8s03' },
      }],
    },
    {
      name: 'no node annotations captured: base-address gateway with an INCOMPLETE neighbour still fires',
      facts: {
        routes: peerRoutes('k8s01', '10.1.235.128'),
        neighbours: [neigh('k8s01', '10.1.235.128 dev vxlan.calico INCOMPLETE', 'k8s01/ip-neigh.txt', 2)],
        ipamBlocks: blocks,
      },
      expect: [{
        nodes: ['k8s01'],
        evidence: [{ path: 'k8s01/ip-route.txt', line: 3 }, { path: 'k8s01/ip-neigh.txt', line: 2 }],
        signals: {
          'gateway differs from VTEP annotation': 'unknown',
          'gateway neighbour unresolved': 'present',
          'gateway is the block base address': 'present',
        },
        runbookIncludes: ['kubectl get node k8s03', 'ssh k8s01 "sudo ip route replace 10.1.238.0/26 via $VTEP dev vxlan.calico onlink"'],
      }],
    },
  ],
});

describe('vxlan-route-stale-vtep details', () => {
  it('lower confidence without the annotation than with it', () => {
    const full = runCase(rule, { facts: incident }).findings[0]!;
    const partial = runCase(rule, {
      facts: { routes: incident.routes, neighbours: incident.neighbours, ipamBlocks: blocks },
    }).findings[0]!;
    expect(partial.confidence).toBeLessThan(full.confidence);
    expect(full.summary).toContain('10.1.235.133');
    expect(full.summary).toContain('k8s03');
  });

  it('a route via a different node\'s VTEP for a whole block is wrong even with a resolved neighbour', () => {
    const result = runCase(rule, {
      facts: {
        routes: [route('k8s01', '10.1.236.0/26 via 10.1.108.0 dev vxlan.calico onlink')],
        neighbours: [neigh('k8s01', '10.1.108.0 dev vxlan.calico lladdr 66:76:38:5d:31:cd PERMANENT')],
        nodes,
        ipamBlocks: blocks,
      },
    });
    expect(result.findings.map((f) => f.nodes)).toEqual([['k8s01']]);
    expect(result.findings[0]!.signals.find((s) => s.name === 'gateway neighbour unresolved')?.state).toBe('absent');
  });
});
