import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { logLineTime, parseClusterInfoDump } from '../../src/parsers/cluster-info-dump.js';
import type { LogRecord } from '../../src/model/records.js';
import { isoToMicros } from '../../src/model/time.js';
import { ParseError } from '../../src/parsers/types.js';
import { INSPECT_CORPUS } from '../support/shared.js';

const CORPUS = INSPECT_CORPUS;
const t = (iso: string): number => isoToMicros(iso)!;

async function* chunked(text: string | Buffer, size: number): AsyncGenerator<Buffer> {
  const buf = Buffer.isBuffer(text) ? text : Buffer.from(text);
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

async function parse(text: string | Buffer, size = 65536, referenceTime?: number) {
  const records: LogRecord[] = [];
  const result = await parseClusterInfoDump(chunked(text, size), { path: 'k8s/cluster-info-dump', ...(referenceTime ? { referenceTime } : {}), onRecord: (r) => records.push(r) });
  return { ...result, records };
}

describe('parseClusterInfoDump on the real MicroK8s 1.28 inspect report', () => {
  const dump = execFileSync('tar', ['-xzOf', CORPUS, 'inspection-report/k8s/cluster-info-dump'], { maxBuffer: 64 << 20 });

  it('reads every document and log block', async () => {
    const { value, records, unparsed, warnings } = await parse(dump);
    expect(unparsed).toEqual([]);
    expect(value.nodes!.map((n) => [n.name, n.vxlanTunnelAddr, n.kubeletVersion])).toEqual([['microk8s-vm', '10.1.254.64', 'v1.28.14']]);
    expect(value.pods).toHaveLength(11);
    expect(value.events).toEqual([]);
    expect(value.workloads!.filter((w) => w.kind === 'Deployment')).toHaveLength(10);
    expect(value.workloads!.filter((w) => w.kind === 'ReplicaSet')).toHaveLength(10);
    expect(value.workloads!.filter((w) => w.kind === 'DaemonSet').map((w) => w.name)).toEqual(['calico-node']);
    const calicoNode = value.pods!.find((p) => p.name === 'calico-node-kwv84')!;
    expect(calicoNode).toMatchObject({ namespace: 'kube-system', phase: 'Running', nodeName: 'microk8s-vm', ownerKind: 'DaemonSet' });
    expect(records).toHaveLength(13);
    const ofCalicoNode = records.filter((r) => r.container?.pod === 'calico-node-kwv84' && r.container.container === 'calico-node');
    expect(ofCalicoNode).toHaveLength(1);
    expect(ofCalicoNode[0]).toMatchObject({
      ts: undefined, node: 'microk8s-vm', container: { namespace: 'kube-system', pod: 'calico-node-kwv84', container: 'calico-node' },
      message: 'Request log error: an error on the server ("unknown") has prevented the request from succeeding (get pods calico-node-kwv84)',
    });
    const lines = dump.toString('utf8').split('\n');
    for (const r of records) expect(lines[r.source.line! - 1]).toBe(r.message);
    expect(lines[calicoNode.source.line! - 1]).toBe('        {');
    expect(warnings.filter((w) => !w.includes('ignored'))).toEqual([]);
  });

  it('gives the same result whatever the chunk size', async () => {
    const small = await parse(dump.subarray(0, 60_000), 7);
    const big = await parse(dump.subarray(0, 60_000), 1 << 20);
    expect(small.value).toEqual(big.value);
    expect(small.records).toEqual(big.records);
  });
});

const SYNTHETIC = `{
    "kind": "NodeList",
    "apiVersion": "v1",
    "metadata": {"resourceVersion": "81544102"},
    "items": [
        {"metadata": {"name": "k8s03", "annotations": {"projectcalico.org/IPv4VXLANTunnelAddr": "10.1.237.64"}}, "spec": {"unschedulable": true}, "status": {}}
    ]
}
Error from server (ServiceUnavailable): the server is currently unable to handle the request (get replicationcontrollers)
{
    "kind": "PodList",
    "apiVersion": "v1",
    "metadata": {"resourceVersion": "81544102"},
    "items": [
        {"metadata": {"name": "calico-kube-controllers-5c9b6d7f8-xk2lp", "namespace": "kube-system", "annotations": {"note": "a } brace and a \\"{ quote"}}, "spec": {"nodeName": "k8s02"}, "status": {"phase": "Running"}},
        {"metadata": {"name": "calico-node-7xq2p", "namespace": "kube-system"}, "spec": {"nodeName": "k8s03"}, "status": {"phase": "Running"}}
    ]
}
==== START logs for container calico-kube-controllers of pod kube-system/calico-kube-controllers-5c9b6d7f8-xk2lp ====
2026-05-17 14:00:03.512 [INFO][1] main.go 88: Loaded configuration from environment config=&config.Config{LogLevel:"info", EnabledControllers:"node"}
E0517 14:00:04.118263       1 runtime.go:78] Observed a panic: &runtime.TypeAssertionError{_interface:(*runtime._type)(0x1a3c7e0), concrete:(*runtime._type)(0x1b6d3a0), asserted:(*runtime._type)(0x1c0b8a0), missingMethod:""} (interface conversion: interface {} is cache.DeletedFinalStateUnknown, not *v1.Pod)
goroutine 48 [running]:
{"level":"info","ts":"2026-05-17T14:00:05.000001Z","msg":"json line"}
==== END logs for container calico-kube-controllers of pod kube-system/calico-kube-controllers-5c9b6d7f8-xk2lp ====
==== START logs for container install-cni of pod kube-system/calico-node-7xq2p ====
time="2026-05-17T14:01:00+10:00" level=info msg="Running as a Kubernetes pod" source="install.go:140"
2026-05-17T14:01:01.5Z done
==== END logs for container install-cni of pod kube-system/calico-node-7xq2p ====
==== START logs for container istio-proxy of pod ghost/gone-1 ====
Create log request error: pods "gone-1" not found
==== END logs for container istio-proxy of pod ghost/gone-1 ====
{
    "kind": "EventList",
    "apiVersion": "v1",
    "metadata": {"resourceVersion": "81544102"},
    "items": [
        {"metadata": {"name": "e1", "namespace": "kube-system"}, "reason": "BackOff", "message": "Back-off restarting failed container", "count": 212, "involvedObject": {"kind": "Pod", "name": "calico-kube-controllers-5c9b6d7f8-xk2lp", "namespace": "kube-system"}, "type": "Warning"},
        {"metadata": {"name": "e2", "namespace": "kube-system"}, "reason": "Trunc`;

describe('parseClusterInfoDump: log lines, stderr, truncation', () => {
  it('maps blocks to containers and nodes, stamps lines by their own clock, keeps stderr', async () => {
    const { value, records, unparsed, warnings } = await parse(SYNTHETIC, 13, t('2026-05-18T01:00:00Z'));
    expect(value.nodes![0]).toMatchObject({ name: 'k8s03', unschedulable: true, vxlanTunnelAddr: '10.1.237.64' });
    expect(value.pods!.map((p) => p.name)).toEqual(['calico-kube-controllers-5c9b6d7f8-xk2lp', 'calico-node-7xq2p']);
    expect(value.pods![0]!.annotations.note).toBe('a } brace and a "{ quote');
    expect(value.events!.map((e) => [e.reason, e.count])).toEqual([['BackOff', 212]]);
    expect(unparsed).toContainEqual({ path: 'k8s/cluster-info-dump', line: 38, reason: 'object truncated (the input ends inside it)' });
    expect(warnings).toContain('k8s/cluster-info-dump:32: the dump ends inside a JSON document');
    expect(warnings).toContain('k8s/cluster-info-dump: 1 line(s) outside JSON documents and log blocks (kubectl stderr)');

    expect(records.map((r) => [r.source.line, r.ts, r.node, r.container?.container])).toEqual([
      [9, undefined, undefined, undefined],
      [20, t('2026-05-17T14:00:03.512Z'), 'k8s02', 'calico-kube-controllers'],
      [21, t('2026-05-17T14:00:04.118263Z'), 'k8s02', 'calico-kube-controllers'],
      [22, undefined, 'k8s02', 'calico-kube-controllers'],
      [23, t('2026-05-17T14:00:05.000001Z'), 'k8s02', 'calico-kube-controllers'],
      [26, t('2026-05-17T04:01:00Z'), 'k8s03', 'install-cni'],
      [27, t('2026-05-17T14:01:01.5Z'), 'k8s03', 'install-cni'],
      [30, undefined, undefined, 'istio-proxy'],
    ]);
    expect(records[0]!.message).toBe('Error from server (ServiceUnavailable): the server is currently unable to handle the request (get replicationcontrollers)');
    expect(records[2]!.message).toContain('cache.DeletedFinalStateUnknown, not *v1.Pod');
    expect(records[7]!.container).toEqual({ namespace: 'ghost', pod: 'gone-1', container: 'istio-proxy' });
  });

  it('klog lines keep ts undefined without a reference time; year inferred across new year', () => {
    expect(logLineTime('I0517 14:00:04.118263       1 x.go:1] m')).toBeUndefined();
    expect(logLineTime('I1231 23:59:59.000001       1 x.go:1] m', t('2027-01-01T00:10:00Z'))).toBe(t('2026-12-31T23:59:59.000001Z'));
    expect(logLineTime('plain text')).toBeUndefined();
  });

  it('an API-server-down dump (only kubectl errors) yields records and a warning; empty input is a ParseError', async () => {
    const { value, records, warnings } = await parse('The connection to the server 127.0.0.1:16443 was refused - did you specify the right host or port?\n');
    expect(value).toEqual({});
    expect(records).toHaveLength(1);
    expect(warnings).toContain('k8s/cluster-info-dump: no JSON documents or log blocks (kubectl failed?)');
    await expect(parse('')).rejects.toBeInstanceOf(ParseError);
  });
});
