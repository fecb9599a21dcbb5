import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { LogRecord } from '../../src/model/records.js';
import { isKubectlSessionLine, parseShellSession } from '../../src/parsers/shell-session.js';
import { SHARED_SAMPLES } from '../support/shared.js';

/** A shared sample with its 4-line provenance header blanked (line numbers stay the file's). */
function sample(name: string): string {
  const text = readFileSync(`${SHARED_SAMPLES}/${name}`, 'utf8');
  const end = text.indexOf('# ---\n') + '# ---\n'.length;
  return '\n'.repeat(text.slice(0, end).split('\n').length - 1) + text.slice(end);
}

function parse(text: string, referenceTime?: number) {
  const records: LogRecord[] = [];
  const result = parseShellSession(text, { path: 'session.txt', ...(referenceTime !== undefined ? { referenceTime } : {}), onRecord: (r) => records.push(r) });
  return { ...result, records, pods: result.value.pods ?? [] };
}

const reasons = (unparsed: Array<{ line: number; reason: string }>) => unparsed.map((u) => [u.line, u.reason]);

describe('parseShellSession', () => {
  it('the header sample (openshift/machine-api-operator#107): oc project, then oc get pods in that project', () => {
    const text = [
      '$ oc project openshift-cluster-api',
      'Now using project "openshift-cluster-api" on server "https://dev-api.libvirt.variantweb.net:6443".',
      '[sjennings@cerebellum ~]$ oc get pods',
      'NAME                                             READY     STATUS             RESTARTS   AGE',
      'clusterapi-manager-controllers-c59577c86-pbcvk   1/2       CrashLoopBackOff   8          16m',
    ].join('\n');
    const { pods, records, unparsed, warnings } = parse(text);
    expect(records).toEqual([]);
    expect(warnings).toEqual([]);
    expect(reasons(unparsed)).toEqual([[1, 'shell prompt'], [2, 'output of `oc project`'], [3, 'shell prompt']]);
    expect(pods).toHaveLength(1);
    expect(pods[0]).toMatchObject({ namespace: 'openshift-cluster-api', name: 'clusterapi-manager-controllers-c59577c86-pbcvk', source: { path: 'session.txt', line: 5 } });
    expect(pods[0]!.containers).toEqual([{ name: '', summary: true, restartCount: 8, ready: false, state: 'waiting', stateReason: 'CrashLoopBackOff' }]);
  });

  it('flag-undefined__machine-api-operator-107: oc logs -c lines are the container\'s records', () => {
    const { pods, records, unparsed, undated } = parse(sample('flag-undefined__machine-api-operator-107.txt'));
    expect(pods.map((p) => [p.name, p.containers[0]!.stateReason ?? p.containers[0]!.state, p.containers[0]!.restartCount])).toEqual([
      ['clusterapi-manager-controllers-c59577c86-pbcvk', 'CrashLoopBackOff', 8],
      ['machine-api-operator-fd9c447d8-dnlcv', 'running', 0],
    ]);
    expect(reasons(unparsed)).toEqual([[5, 'shell prompt'], [6, 'output of `oc project`'], [7, 'shell prompt'], [11, 'shell prompt']]);
    expect(records).toHaveLength(19);
    expect(undated).toBe(0);
    const ref = { namespace: 'openshift-cluster-api', pod: 'clusterapi-manager-controllers-c59577c86-pbcvk', container: 'machine-controller' };
    expect(records.every((r) => r.ts === undefined && JSON.stringify(r.container) === JSON.stringify(ref))).toBe(true);
    expect(records.slice(0, 3).map((r) => [r.source.line, r.message])).toEqual([
      [12, 'flag provided but not defined: -log-level'],
      [13, 'Usage of /machine-controller-manager:'],
      [14, '  -alsologtostderr'],
    ]);
    expect(records[1]!.message).toBe('Usage of /machine-controller-manager:');
    expect(records[3]!.message).toBe('    \tlog to standard error as well as files'); // kept verbatim (tab)
  });

  it('flag-undefined__aibrix-668: a powerline prompt, kubectl get pods -n, kubectl logs without -c, a "..." elision', () => {
    const { pods, records, unparsed } = parse(sample('flag-undefined__aibrix-668.txt'));
    expect(pods.map((p) => p.namespace)).toEqual(Array(6).fill('aibrix-system'));
    expect(pods[0]).toMatchObject({ name: 'aibrix-controller-manager-77c5f9c8d8-h5vnm', containers: [{ summary: true, restartCount: 6, stateReason: 'CrashLoopBackOff' }] });
    expect(records.map((r) => [r.source.line, r.message, r.container])).toEqual([
      [14, 'flag provided but not defined: -enable-runtime-sidecar', { namespace: 'aibrix-system', pod: 'aibrix-controller-manager-77c5f9c8d8-h5vnm', container: '' }],
      [15, 'Usage of /manager:', { namespace: 'aibrix-system', pod: 'aibrix-controller-manager-77c5f9c8d8-h5vnm', container: '' }],
    ]);
    expect(reasons(unparsed)).toEqual([[5, 'shell prompt'], [13, 'shell prompt'], [16, 'elided in the paste']]);
  });

  it('felix-nat__spot-40: the bare command as first line, kubectl\'s "Defaulted container" notice names the container', () => {
    const { records, unparsed } = parse(sample('felix-nat__spot-40.txt'));
    expect(reasons(unparsed)).toEqual([[5, 'shell prompt'], [6, 'kubectl message']]);
    expect(records).toHaveLength(4);
    expect(records[0]).toMatchObject({
      ts: Date.UTC(2025, 2, 13, 9, 6, 32, 33) * 1000,
      container: { namespace: 'calico-system', pod: 'calico-node-67c8s', container: 'calico-node' },
    });
  });

  it('log lines keep their own time: RFC 3339, logrus, zap JSON; klog needs the reference for its year', () => {
    const text = [
      'ubuntu@k8s01:~$ kubectl -n kube-system logs pod/calico-kube-controllers-5c9f6d8b7-x2x9q --previous | tail -3',
      '2024-10-29T12:11:31.123456Z first',
      'time="2024-10-29T12:11:32Z" level=error msg="second"',
      'E1029 12:11:33.000001       1 main.go:42] third',
    ].join('\n');
    const undated = parse(text);
    expect(undated.records.map((r) => r.ts)).toEqual([Date.UTC(2024, 9, 29, 12, 11, 31, 123) * 1000 + 456, Date.UTC(2024, 9, 29, 12, 11, 32) * 1000, undefined]);
    expect(undated.undated).toBe(1);
    expect(undated.records[0]!.container).toEqual({ namespace: 'kube-system', pod: 'calico-kube-controllers-5c9f6d8b7-x2x9q', container: '' });
    const dated = parse(text, Date.UTC(2024, 10, 1) * 1000);
    expect(dated.records[2]!.ts).toBe(Date.UTC(2024, 9, 29, 12, 11, 33) * 1000 + 1);
    expect(dated.undated).toBe(0);
  });

  it('namespaces: -n, -A, oc project, kubectl config set-context --current; other commands and stray text are unparsed', () => {
    const text = [
      'notes before anything was typed',
      '$ kubectl config set-context --current --namespace=ci',
      'Context "microk8s" modified.',
      '$ kubectl get pods',
      'NAME                        READY   STATUS    RESTARTS   AGE',
      'runner-7b9f6c5d8-kx2vq      1/1     Running   0          5m',
      '$ kubectl get pods -A --no-headers | grep -v Running',
      'kube-system   coredns-7745f9f87f-8kzvq   0/1   CrashLoopBackOff   9 (1m ago)   4h',
      '$ kubectl describe pod runner-7b9f6c5d8-kx2vq',
      'Name:         runner-7b9f6c5d8-kx2vq',
      '$ kubectl get pods runner-7b9f6c5d8-kx2vq -n ci',
      'NAME                        READY   STATUS             RESTARTS   AGE',
      'runner-7b9f6c5d8-kx2vq      0/1     CrashLoopBackOff   1          6m',
      '$ kubectl logs deploy/runner',
      'a log line of some pod of the deployment',
      '$',
      'after an empty prompt',
    ].join('\n');
    const { pods, records, unparsed } = parse(text);
    expect(pods.map((p) => [p.namespace, p.name, p.containers[0]!.state, p.source.line])).toEqual([
      ['kube-system', 'coredns-7745f9f87f-8kzvq', 'waiting', 8],
      ['ci', 'runner-7b9f6c5d8-kx2vq', 'waiting', 13],
    ]);
    expect(records.map((r) => [r.message, r.container])).toEqual([['a log line of some pod of the deployment', undefined]]);
    expect(reasons(unparsed)).toEqual([
      [1, 'before the first shell prompt'],
      [2, 'shell prompt'],
      [3, 'output of `kubectl config`'],
      [4, 'shell prompt'],
      [6, 'superseded by a later row of the same pod'],
      [7, 'shell prompt'],
      [9, 'shell prompt'],
      [10, 'output of `kubectl describe`'],
      [11, 'shell prompt'],
      [14, 'shell prompt'],
      [16, 'shell prompt'],
      [17, 'output of a command not shown'],
    ]);
  });

  it('recognises the prompts people paste, and only kubectl/oc commands after the looser ones', () => {
    const yes = [
      ' ~  kubectl get pods -n aibrix-system',
      '➜  ~ kubectl logs x',
      '~/src git:(main) ✗ kubectl get po',
      '❯ oc logs x -c y',
      '[root@master-0 /]# oc get pods',
      'user@mac ~ % kubectl get pods',
      'worker01:/root# sudo microk8s kubectl logs x',
      'sh-4.2$ oc get pods -o wide',
      'PS C:\\Users\\ops> kubectl logs x',
      '$ k get pods',
      '% kubectl logs x',
    ];
    for (const line of yes) expect(isKubectlSessionLine(line, false), line).toBe(true);
    const no = [
      'kubectl logs x', // a bare command only as the first line
      '# kubectl is the CLI', // a comment, not a command
      '# kubectl get pods -A', // a bare `# ` is a comment heading a file, never a prompt
      '$ kubectl get nodes', // a prompt, but not output the session parser reads
      '$ kubectl get pods -o json',
      '$ journalctl -u kubelet',
      '  -kubeconfig string',
      '~ is home',
      '% Total    % Received % Xferd  Average Speed',
    ];
    for (const line of no) expect(isKubectlSessionLine(line, false), line).toBe(false);
    expect(isKubectlSessionLine('kubectl logs calico-node-67c8s -n calico-system | grep unexpected', true)).toBe(true);
  });

  it('never throws; every non-empty line is a record, a pod, a table header or unparsed', () => {
    const tokens = ['$ ', 'kubectl ', 'oc ', 'get pods', 'logs x', ' -n ns', ' -c c', ' | grep y', '"', "'", '\n', 'NAME READY STATUS RESTARTS AGE', 'p 1/1 Running 0 1m', '...', '~  ', '# ', 'Defaulted container "c" out of: c'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...tokens), { maxLength: 40 }), (parts) => {
        const text = parts.join('');
        const { pods, records, unparsed } = parse(text);
        const lines = text.split('\n').filter((l) => l.trim() !== '').length;
        expect(pods.length + records.length + unparsed.length).toBeLessThanOrEqual(lines);
      }),
      { numRuns: 300 },
    );
  });
});
