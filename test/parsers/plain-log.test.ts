import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { LogRecord, Unparsed } from '../../src/model/records.js';
import { containerFromLogPath, parsePlainLog, readLines } from '../../src/parsers/plain-log.js';
import { chunksOf, sample } from '../goroutines/helpers.js';

const REF = Date.UTC(2024, 6, 1) * 1000;

async function run(text: string | Buffer, extra: { inputZone?: string; referenceTime?: number; unit?: string } = {}) {
  const records: LogRecord[] = [];
  const unparsed: Unparsed[] = [];
  const stats = await parsePlainLog(chunksOf(text, 13), {
    path: 'p.log', node: 'n1', referenceTime: REF, ...extra,
    onRecord: (r) => records.push(r), onUnparsed: (u) => unparsed.push(u),
  });
  return { records, unparsed, stats };
}

describe('plain-log: header comment sample', () => {
  it('CRI, docker json-file, klog and logrus short form lines', async () => {
    const text = [
      '2024-06-10T19:09:25.669286185+00:00 stderr F E0610 19:09:25.668766       1 leaderelection.go:332] error retrieving resource lock koordinator-system/koordinator-manager: x',
      '{"log":"E1215 02:05:54.438366      34 server.go:252] lost master\\n","stream":"stderr","time":"2020-12-15T02:05:54.438539719Z"}',
      'I1224 21:19:27.769743   90573 controller.go:107] OpenAPI AggregationController: Processing item v1beta1.metrics.k8s.io',
      'ERRO[2019-12-24T21:19:03.912413059+08:00] failed to delete revision 613650: database is locked ',
    ].join('\n');
    const { records, stats } = await run(text, { unit: 'snap.microk8s.daemon-kubelite' });
    // Dec 24 seen from a July 2024 capture lies in the past year: 2023.
    expect(records.map((r) => [r.ts, r.priority, r.source.line])).toEqual([
      [Date.UTC(2024, 5, 10, 19, 9, 25, 669) * 1000 + 286, 3, 1],
      [Date.UTC(2020, 11, 15, 2, 5, 54, 438) * 1000 + 539, 3, 2],
      [Date.UTC(2023, 11, 24, 21, 19, 27, 769) * 1000 + 743, 6, 3],
      [Date.UTC(2019, 11, 24, 13, 19, 3, 912) * 1000 + 413, 3, 4],
    ]);
    expect(records[0]?.message).toMatch(/^E0610 19:09:25.668766 /);
    expect(records[1]?.message).toBe('E1215 02:05:54.438366      34 server.go:252] lost master');
    expect(records[0]).toMatchObject({ node: 'n1', unit: 'snap.microk8s.daemon-kubelite', identifier: 'microk8s.daemon-kubelite', source: { path: 'p.log', line: 1 } });
    expect(stats).toEqual({ records: 4, unparsed: 0, yearInferred: 2023 }); // the year given to the first year-less line
  });

  it('continuation lines join the previous record; klog in a zone; Calico and RFC3339 prefixes', async () => {
    const text = [
      'I0823 14:32:33.954766    6017 trace.go:81] Trace[1612309990]: "SQL Commit" (total time: 5.008937729s):',
      'Trace[1612309990]: [5.008937729s] [5.008223267s] END',
      '2019-09-03 14:50:41.821 [INFO][24] ipam.go 311: Looking up existing affinities for host handle="x" host="y"',
      '2023-09-19T02:48:49.399Z\tINFO\tStarting workers\t{"controller": "cluster"}',
      'main.main',
      '\t/src/cmd/manager/main.go:491',
    ].join('\n');
    const { records } = await run(text, { inputZone: 'Asia/Shanghai' });
    expect(records).toHaveLength(3);
    expect(records[0]?.message.split('\n')).toHaveLength(2);
    expect(records[0]?.ts).toBe(Date.UTC(2023, 7, 23, 6, 32, 33, 954) * 1000 + 766); // Aug 23 after a July 1 capture → 2023, UTC+8
    expect(records[1]?.ts).toBe(Date.UTC(2019, 8, 3, 6, 50, 41, 821) * 1000);
    expect(records[2]).toMatchObject({ ts: Date.UTC(2023, 8, 19, 2, 48, 49, 399) * 1000, message: '2023-09-19T02:48:49.399Z\tINFO\tStarting workers\t{"controller": "cluster"}\nmain.main\n\t/src/cmd/manager/main.go:491' });
  });

  it('lease-lost rancher docker sample: the pasted first line without "{" is a record without time', async () => {
    const { records } = await run(sample('lease-lost__rancher-30483-docker-json.txt'));
    expect(records).toHaveLength(6);
    expect(records[0]?.ts).toBeUndefined();
    expect(records.at(-1)).toMatchObject({ message: 'lost lease', ts: Date.UTC(2020, 11, 15, 2, 5, 54, 438) * 1000 + 570 });
  });

  it('reports a line over 1 MiB and goes on', async () => {
    const { records, unparsed, stats } = await run(`I0101 00:00:00.000000 1 a.go:1] a\n${'y'.repeat(1024 * 1024 + 5)}\nI0101 00:00:01.000000 1 a.go:2] b\n`);
    expect(unparsed).toEqual([{ path: 'p.log', line: 2, reason: 'line too long' }]);
    expect(records.map((r) => r.message)).toEqual(['I0101 00:00:00.000000 1 a.go:1] a', 'I0101 00:00:01.000000 1 a.go:2] b']);
    expect(stats.unparsed).toBe(1);
  });
});

describe('readLines', () => {
  it('splits at bytes across chunk and UTF-8 boundaries, CRLF kept for callers', async () => {
    const lines: string[] = [];
    for await (const l of readLines(chunksOf('é1\r\nü2\n\nlast', 1))) lines.push(l.text);
    expect(lines).toEqual(['é1\r', 'ü2', '', 'last']);
  });
  it('never throws on arbitrary bytes', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), fc.integer({ min: 1, max: 50 }), async (bytes, size) => {
      await run(Buffer.from(bytes));
      let n = 0;
      for await (const _ of readLines(chunksOf(Buffer.from(bytes), size), 16)) n++;
      expect(n).toBe(Buffer.from(bytes).toString('latin1').split('\n').length - (bytes.at(-1) === 10 || bytes.length === 0 ? 1 : 0));
    }), { numRuns: 200 });
  });
});

describe('plain-log: container attribution from the file name', () => {
  it('kubelet /var/log/pods and /var/log/containers layouts, kubectl logs capture names', () => {
    expect(containerFromLogPath('node/var/log/pods/kube-system_calico-node-kwv84_5f3c2b1e-8a4d-4c1e-9f4b-0d2e6a7b8c9d/calico-node/0.log'))
      .toEqual({ namespace: 'kube-system', pod: 'calico-node-kwv84', container: 'calico-node' });
    expect(containerFromLogPath(`var/log/containers/calico-node-kwv84_kube-system_calico-node-${'3f9c'.repeat(16)}.log`))
      .toEqual({ namespace: 'kube-system', pod: 'calico-node-kwv84', container: 'calico-node' });
    expect(containerFromLogPath('004/cluster/logs/ci_awx-operator-controller-manager-7f8c9d6b5-k8m2p_manager.previous.log'))
      .toEqual({ namespace: 'ci', pod: 'awx-operator-controller-manager-7f8c9d6b5-k8m2p', container: 'manager' });
    // kubectl logs --previous deploy/calico-kube-controllers > calico-kube-controllers.previous.log
    expect(containerFromLogPath('000/cluster/calico-kube-controllers.previous.log'))
      .toEqual({ namespace: '', pod: 'calico-kube-controllers', container: 'calico-kube-controllers' });
  });

  it('names that say nothing about a container are not attributed', () => {
    for (const path of ['k8s03/k8s-pleg-debug/detector.log', 'k8s03/k8s-dqlite.log', 'k8s03/20260518_010015_kubelite_goroutines.log', 'p.log', 'logs/Kubelite.previous.log']) {
      expect(containerFromLogPath(path)).toBeUndefined();
    }
  });

  it('every record of a kubectl logs --previous file carries the container, panic and dump lines too', async () => {
    const records: LogRecord[] = [];
    await parsePlainLog(chunksOf([
      '2026-05-18 01:01:12.399 [INFO][1] hostendpoints.go 90: successfully synced all hostendpoints',
      'panic: interface conversion: interface {} is cache.DeletedFinalStateUnknown, not *v1.Pod [recovered]',
      '\tpanic: interface conversion: interface {} is cache.DeletedFinalStateUnknown, not *v1.Pod',
      '',
      'goroutine 5 [running]:',
    ].join('\n'), 7), { path: 'cluster/calico-kube-controllers.previous.log', inputZone: 'Australia/Brisbane', onRecord: (r) => records.push(r) });
    expect(records.map((r) => [r.source.line, r.container?.pod])).toEqual([
      [1, 'calico-kube-controllers'], [2, 'calico-kube-controllers'], [3, 'calico-kube-controllers'], [5, 'calico-kube-controllers'],
    ]);
  });

  it('a service journal (unit known from the inspect layout) is never a container log', async () => {
    const records: LogRecord[] = [];
    await parsePlainLog(chunksOf('I0401 16:12:11.000000       1 x.go:1] y', 7), {
      path: 'inspection-report/snap.microk8s.daemon-kubelite/ns_pod_c.log', unit: 'snap.microk8s.daemon-kubelite', referenceTime: REF, onRecord: (r) => records.push(r),
    });
    expect(records[0]?.container).toBeUndefined();
  });
});
