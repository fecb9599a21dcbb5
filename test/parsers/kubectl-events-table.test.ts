import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseKubectlEventsTable } from '../../src/parsers/kubectl-events-table.js';

const data = (name: string): string => readFileSync(new URL(`../data/kube/${name}`, import.meta.url), 'utf8');

describe('parseKubectlEventsTable', () => {
  it('the header sample: a describe Events block with repeat counts', () => {
    const { value, unparsed } = parseKubectlEventsTable(data('describe-pod.txt'), { path: 'describe-pod.txt', node: 'k8s03' });
    expect(unparsed).toEqual([]);
    expect(value.map((e) => [e.type, e.reason, e.count, e.sourceComponent, e.source.line])).toEqual([
      ['Normal', 'Scheduled', 1, 'default-scheduler', 25],
      ['Warning', 'FailedCreatePodSandBox', 7, 'kubelet', 26],
      ['Normal', 'SandboxChanged', 3, 'kubelet', 27],
    ]);
    const sandbox = value[1]!;
    expect(sandbox).toMatchObject({
      namespace: 'default', involved: { kind: 'Pod', namespace: 'default', name: 'worker-7d9c5b8f4d-q2w7x' }, sourceHost: 'k8s03',
      message: expect.stringMatching(/^Failed to create pod sandbox: .*is reserved for "9f1c2e7a4b"$/),
    });
    expect(sandbox.firstTimestamp).toBeUndefined();
    expect(sandbox.lastTimestamp).toBeUndefined();
  });

  it('a describe row pasted without its header, spaces collapsed (microsoft/debug-gym#285)', () => {
    const text = [
      'Warning FailedCreatePodSandBox 5s (x7 over 72s) kubelet Failed to create pod sandbox: rpc error: code = Unknown desc = failed to reserve sandbox name "web_default_1": name "web_default_1" is reserved for "9f1c2e7a4b"',
      'Normal Pulled 2m kubelet, k8s03 Container image "nginx:1.27" already present on machine',
      'not an event row',
    ].join('\n');
    const { value } = parseKubectlEventsTable(text, { path: 'paste.txt' });
    expect(value.map((e) => [e.type, e.reason, e.count, e.sourceComponent, e.sourceHost, e.source.line])).toEqual([
      ['Warning', 'FailedCreatePodSandBox', 7, 'kubelet', undefined, 1],
      ['Normal', 'Pulled', 1, 'kubelet', 'k8s03', 2],
    ]);
    expect(value[0]!.message).toMatch(/^Failed to create pod sandbox: .* is reserved for "9f1c2e7a4b"$/);
  });

  it('kubectl get events -A', () => {
    const { value, unparsed } = parseKubectlEventsTable(data('get-events-A.txt'), { path: 'events.txt' });
    expect(unparsed).toEqual([]);
    expect(value).toHaveLength(4);
    expect(value[0]).toEqual({
      namespace: 'default', type: 'Warning', reason: 'FailedCreatePodSandBox', count: 1,
      message: 'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "9f1c2e": plugin type="calico" failed (add): context deadline exceeded',
      involved: { kind: 'Pod', namespace: 'default', name: 'worker-7d9c5b8f4d-q2w7x' }, source: { path: 'events.txt', line: 2 },
    });
    expect(value[2]!.involved).toEqual({ kind: 'Node', name: 'k8s03' });
    expect(value[3]!.involved).toEqual({ kind: 'Lease', namespace: 'kube-system', name: 'kube-controller-manager' });
  });

  it('kubectl events: (xN over …) in LAST SEEN, capitalised kinds', () => {
    const { value } = parseKubectlEventsTable(data('kubectl-events.txt'), { path: 'e.txt' });
    expect(value.map((e) => [e.reason, e.count, e.involved])).toEqual([
      ['BackOff', 212, { kind: 'Pod', name: 'calico-kube-controllers-5c9b6d7f8-xk2lp' }],
      ['Pulled', 1, { kind: 'Pod', name: 'calico-kube-controllers-5c9b6d7f8-xk2lp' }],
    ]);
  });

  it('the old (≤1.13) layout with COUNT, KIND and SOURCE columns', () => {
    const text = [
      'LAST SEEN   FIRST SEEN   COUNT     NAME                          KIND      SUBOBJECT   TYPE      REASON      SOURCE            MESSAGE',
      '1m          1h           48        worker-7d9c5b8f4d-q2w7x       Pod                   Warning   BackOff     kubelet, k8s03    Back-off restarting failed container',
    ].join('\n');
    const { value } = parseKubectlEventsTable(text, { path: 'old.txt' });
    expect(value).toEqual([expect.objectContaining({ count: 48, involved: { kind: 'Pod', name: 'worker-7d9c5b8f4d-q2w7x' }, sourceComponent: 'kubelet', sourceHost: 'k8s03' })]);
  });

  it('"No resources found" and rows that do not fit are reported, not thrown', () => {
    expect(parseKubectlEventsTable('No resources found in default namespace.\n', { path: 'x' }).value).toEqual([]);
    const bad = parseKubectlEventsTable('LAST SEEN   TYPE      REASON    OBJECT     MESSAGE\nx\n', { path: 'x' });
    expect(bad.unparsed).toEqual([{ path: 'x', line: 2, reason: 'event table row without a readable REASON cell' }]);
    fc.assert(fc.property(fc.string(), (s) => {
      parseKubectlEventsTable(`LAST SEEN   TYPE      REASON    OBJECT     MESSAGE\n${s}`, { path: 'f' });
    }), { numRuns: 300 });
  });
});
