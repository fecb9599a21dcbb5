import { describe, expect, it } from 'vitest';
import rule from '../../src/rules/container-event-discarded.js';
import { ruleTester, runCase } from '../support/rule-tester.js';
import { containerd, containerdSteady } from '../support/kubelet-builders.js';

// containerd/containerd#11108 lines, as on k8s03 in 000 (8302 a day).
const discarded = (iso: string, node: string, id: string, type: string, line: number) =>
  containerd(iso, node, `time="${iso.replace('Z', '.403267427Z')}" level=warning msg="container event discarded" container=${id} type=${type}`, `${node}/containerd.log`, line);

const lines = [
  discarded('2026-05-17T16:00:26Z', 'k8s03', '68799a609c5eb7b4d39800c7f29cd0f61e8031ecd293ba7cf9e46bbd27f71f06', 'CONTAINER_CREATED_EVENT', 5),
  discarded('2026-05-17T16:00:26Z', 'k8s03', '68799a609c5eb7b4d39800c7f29cd0f61e8031ecd293ba7cf9e46bbd27f71f06', 'CONTAINER_STARTED_EVENT', 6),
  discarded('2026-05-17T16:02:10Z', 'k8s03', 'd21ccb37241b528fd43b70962262b228119d6b5c324ecd45114a4a7ebfa2354b', 'CONTAINER_STOPPED_EVENT', 9),
  discarded('2026-05-17T17:41:00Z', 'k8s01', 'bd9222017bfbbaa7fed3279d3d431e4e27f12eb00eba8479beabd87e9d87c7ef', 'CONTAINER_CREATED_EVENT', 3),
];

ruleTester(rule, {
  valid: [
    { name: 'healthy containerd log without discarded events', records: containerdSteady('k8s03', '2026-05-17T16:00:00Z', '2026-05-17T16:10:00Z', 'k8s03/containerd.log', 1) },
    {
      name: 'near miss: other containerd event handling lines',
      records: [
        containerd('2026-05-17T16:00:26Z', 'k8s03', 'time="2026-05-17T16:00:26.415751757Z" level=info msg="TaskExit event in podsandbox handler container_id:\\"68799a609c5e\\" id:\\"68799a609c5e\\" pid:40211 exit_status:137"', 'k8s03/containerd.log', 1),
        containerd('2026-05-17T16:00:27Z', 'k8s03', 'time="2026-05-17T16:00:27.100000000Z" level=info msg="container event published" container=68799a609c5e', 'k8s03/containerd.log', 2),
      ],
    },
  ],
  invalid: [
    {
      name: '000: discarded events on two nodes are counted as noise',
      records: lines,
      expect: [{ nodes: ['k8s01', 'k8s03'], evidence: [{ path: 'k8s03/containerd.log', line: 5 }], facts: { count: 4 } }],
    },
  ],
});

describe('container-event-discarded noise entry', () => {
  it('gives the exact count, first/last time and the explanation', () => {
    const noise = runCase(rule, { records: lines }).noise.find((n) => n.id === 'container-event-discarded');
    expect(noise).toMatchObject({ count: 4, first: '2026-05-17T16:00:26.000Z', last: '2026-05-17T17:41:00.000Z', nodes: ['k8s01', 'k8s03'] });
    expect(noise?.explanation).toContain('Generic PLEG');
  });
});
