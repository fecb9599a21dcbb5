import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseKubectlPodsTable } from '../../src/parsers/kubectl-pods-table.js';

describe('parseKubectlPodsTable', () => {
  it('the header sample (vllm-project/aibrix#668): CrashLoopBackOff with restarts, Running pods', () => {
    const text = [
      'NAME                                         READY   STATUS             RESTARTS        AGE',
      'aibrix-controller-manager-77c5f9c8d8-h5vnm   0/1     CrashLoopBackOff   6 (4m52s ago)   10m',
      'aibrix-gateway-plugins-584845b986-rdq26      1/1     Running            0               62m',
      'aibrix-gpu-optimizer-58dfb64cfb-9tjxv        1/1     Running            0               62m',
    ].join('\n');
    const { value, unparsed, warnings } = parseKubectlPodsTable(text, { path: 'pods.txt', namespace: 'aibrix-system' });
    expect(unparsed).toEqual([]);
    expect(warnings).toEqual([]);
    expect(value.map((p) => [p.namespace, p.name, p.phase, p.source.line])).toEqual([
      ['aibrix-system', 'aibrix-controller-manager-77c5f9c8d8-h5vnm', undefined, 2],
      ['aibrix-system', 'aibrix-gateway-plugins-584845b986-rdq26', 'Running', 3],
      ['aibrix-system', 'aibrix-gpu-optimizer-58dfb64cfb-9tjxv', 'Running', 4],
    ]);
    expect(value[0]!.containers).toEqual([{ name: '', summary: true, restartCount: 6, ready: false, state: 'waiting', stateReason: 'CrashLoopBackOff' }]);
    expect(value[1]!.containers).toEqual([{ name: '', summary: true, restartCount: 0, ready: true, state: 'running' }]);
    expect(value[0]).toMatchObject({ labels: {}, annotations: {}, conditions: [], initContainers: [], specImages: [], specArgs: {} });
    expect(value[0]!.nodeName).toBeUndefined();
  });

  it('kubectl get pods -A -o wide: namespace and node columns; init, exit-code and terminated statuses', () => {
    const text = [
      'NAMESPACE     NAME                                       READY   STATUS                  RESTARTS      AGE   IP             NODE    NOMINATED NODE   READINESS GATES',
      'kube-system   calico-node-kwv84                          0/1     Init:CrashLoopBackOff   12 (2m ago)   1h    10.0.0.5       k8s01   <none>           <none>',
      'default       job-x-7bq2f                                0/1     Completed               0             3d    <none>         k8s02   <none>           <none>',
      'default       job-y-9cq3g                                0/1     ExitCode:137            0             3d    <none>         k8s02   <none>           <none>',
      'default       web-5d8f9c7b6-b2d4f                        1/2     Running                 3             2h    10.1.2.3       <none>  <none>           <none>',
      'default       pending-6c9fcc695f-5sh5d                   0/1     Pending                 0             5m    <none>         <none>  <none>           <none>',
      'default       init-0-7d9c5b8f4d-q2w7x                    0/1     Init:0/2                0             5m    <none>         k8s03   <none>           <none>',
    ].join('\n');
    const { value, unparsed } = parseKubectlPodsTable(text, { path: 'pods-wide.txt', namespace: 'ignored' });
    expect(unparsed).toEqual([]);
    expect(value.map((p) => [p.namespace, p.name, p.nodeName, p.phase])).toEqual([
      ['kube-system', 'calico-node-kwv84', 'k8s01', undefined],
      ['default', 'job-x-7bq2f', 'k8s02', undefined],
      ['default', 'job-y-9cq3g', 'k8s02', undefined],
      ['default', 'web-5d8f9c7b6-b2d4f', undefined, 'Running'],
      ['default', 'pending-6c9fcc695f-5sh5d', undefined, 'Pending'],
      ['default', 'init-0-7d9c5b8f4d-q2w7x', 'k8s03', undefined],
    ]);
    const [calico, completed, killed, web, pending, init] = value;
    // printPod: while an init container runs, STATUS and RESTARTS are the init containers'.
    expect(calico!.initContainers).toEqual([{ name: '', summary: true, restartCount: 12, ready: false, state: 'waiting', stateReason: 'CrashLoopBackOff' }]);
    expect(calico!.containers).toEqual([{ name: '', summary: true, restartCount: 0, ready: false, state: 'waiting', stateReason: 'PodInitializing' }]);
    expect(completed!.containers[0]).toMatchObject({ state: 'terminated', stateReason: 'Completed', terminated: { reason: 'Completed' } });
    expect(killed!.containers[0]).toMatchObject({ state: 'terminated', terminated: { exitCode: 137 } });
    expect(web!.containers[0]).toMatchObject({ state: 'running', ready: false, restartCount: 3 });
    expect(pending!.containers[0]!.state).toBe('unknown');
    expect(init!.initContainers[0]).toMatchObject({ state: 'running' });
  });

  it('old oc (2018) columns, --no-headers rows, and lines that are not pod rows', () => {
    const old = parseKubectlPodsTable([
      'NAME                                             READY     STATUS             RESTARTS   AGE',
      'clusterapi-manager-controllers-c59577c86-pbcvk   1/2       CrashLoopBackOff   8          16m',
      'No resources found.',
    ].join('\n'), { path: 'p' });
    expect(old.value.map((p) => [p.namespace, p.name, p.containers[0]!.restartCount, p.containers[0]!.stateReason])).toEqual([
      ['', 'clusterapi-manager-controllers-c59577c86-pbcvk', 8, 'CrashLoopBackOff'],
    ]);
    expect(old.unparsed).toEqual([{ path: 'p', line: 3, reason: 'pod table row without NAME, READY n/m, STATUS and RESTARTS cells' }]);

    const bare = parseKubectlPodsTable([
      'kube-system   calico-kube-controllers-5c9f6d8b7-x2x9q   0/1   CrashLoopBackOff   37 (3m ago)   4h',
      'coredns-7745f9f87f-8kzvq   1/1   Running   0   4h',
      'something else',
    ].join('\n'), { path: 'q', namespace: 'kube-system' });
    expect(bare.value.map((p) => [p.namespace, p.name, p.containers[0]!.restartCount])).toEqual([
      ['kube-system', 'calico-kube-controllers-5c9f6d8b7-x2x9q', 37],
      ['kube-system', 'coredns-7745f9f87f-8kzvq', 0],
    ]);
    expect(bare.unparsed).toEqual([{ path: 'q', line: 3, reason: 'not a pod table row (no NAME READY STATUS RESTARTS header)' }]);
  });

  it('never throws; every non-empty line is a pod, the header or unparsed', () => {
    const tokens = ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'NAMESPACE', ' ', '   ', '\n', '0/1', '1/1', 'Running', 'CrashLoopBackOff', 'Init:', '6 (1m ago)', 'x-1', '<none>'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...tokens), { maxLength: 40 }), (parts) => {
        const text = parts.join('');
        const { value, unparsed } = parseKubectlPodsTable(text, { path: 'f' });
        const lines = text.split('\n').filter((l) => l.trim() !== '').length;
        expect(value.length + unparsed.length).toBeLessThanOrEqual(lines);
      }),
      { numRuns: 300 },
    );
  });
});
