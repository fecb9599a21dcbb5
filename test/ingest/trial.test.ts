import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { analyze } from '../../src/analyze.js';
import type { Member } from '../../src/bundle/types.js';
import type { MemberSink } from '../../src/ingest/handlers.js';
import { ingest } from '../../src/ingest/ingest.js';
import { readOnTrial } from '../../src/ingest/trial.js';
import type { LogRecord } from '../../src/model/records.js';
import { makeTempDir } from '../bundle/helpers.js';

// journalctl short (no year) and short-iso (with one) of the same node, as two captures of a folder.
const SHORT = [
  'Jun 05 06:02:18 k8s02 microk8s.daemon-kubelite[7180]: I0605 06:02:18.301122    7180 server.go:487] "Kubelet version" kubeletVersion="v1.35.0"',
  'Jun 05 06:02:19 k8s02 microk8s.daemon-kubelite[7180]: I0605 06:02:19.000001    7180 kubelet.go:2437] "SyncLoop ADD" source="api" pods=[]',
  '',
].join('\n');
const SHORT_ISO = [
  '2026-06-05T06:10:00+0000 k8s02 microk8s.daemon-containerd[7101]: time="2026-06-05T06:10:00.000000000Z" level=info msg="starting containerd"',
  '',
].join('\n');

describe('a year-less journal read before anything that dates the capture', () => {
  let cleanup = () => {};
  afterEach(() => cleanup());

  it('is parsed again at the end, with the year the later input gives', async () => {
    const tmp = makeTempDir();
    cleanup = tmp.cleanup;
    writeFileSync(join(tmp.dir, 'a-kubelite.txt'), SHORT);
    writeFileSync(join(tmp.dir, 'z-containerd.txt'), SHORT_ISO);
    const report = await analyze([tmp.dir], { timezone: 'UTC', inputZone: 'UTC' });
    expect(report.warnings).toEqual([]);
    expect(report.capture).toEqual({ start: '2026-06-05T06:02:18.000Z', end: '2026-06-05T06:10:00.000Z' });
    // Inputs keep the bundle's order and the re-read member's counts.
    expect(report.inputs.map((i) => [i.path.slice(tmp.dir.length + 1), i.records])).toEqual([
      ['a-kubelite.txt', 2],
      ['z-containerd.txt', 1],
    ]);
    expect(report.assumptions).toContainEqual(expect.stringContaining('year 2026 was inferred'));
  });

  it('marks a dated node journal read first as one, like any other (kubelet-silent needs it)', async () => {
    const tmp = makeTempDir();
    cleanup = tmp.cleanup;
    mkdirSync(join(tmp.dir, 'k8s02'));
    writeFileSync(join(tmp.dir, 'k8s02', 'journal.txt'), [
      '2026-06-05T06:02:18+0000 k8s02 microk8s.daemon-kubelite[7180]: I0605 06:02:18.301122    7180 server.go:487] "Kubelet version" kubeletVersion="v1.35.0"',
      '2026-06-05T06:02:19+0000 k8s02 microk8s.daemon-containerd[7101]: time="2026-06-05T06:02:19.000000000Z" level=info msg="starting containerd"',
      '',
    ].join('\n'));
    const { store } = await ingest([tmp.dir], { inputZone: 'UTC' });
    expect(store.hasInput('node-journal', 'k8s02')).toBe(true);
  });

  it('takes its year from a `date` capture that sorts after it', async () => {
    const tmp = makeTempDir();
    cleanup = tmp.cleanup;
    writeFileSync(join(tmp.dir, 'journal.txt'), SHORT);
    writeFileSync(join(tmp.dir, 'z-date'), 'Fri Jun  5 06:45:01 UTC 2026\n');
    const report = await analyze([tmp.dir], { timezone: 'UTC', inputZone: 'UTC' });
    expect(report.warnings).toEqual([]);
    expect(report.capture).toEqual({ start: '2026-06-05T06:02:18.000Z', end: '2026-06-05T06:02:19.000Z' });
  });

  it('includes a pasted `kubectl logs` session, its pod table stored once', async () => {
    const tmp = makeTempDir();
    cleanup = tmp.cleanup;
    writeFileSync(join(tmp.dir, 'notes.txt'), [
      '$ kubectl get pods -n kube-system',
      'NAME                                       READY   STATUS             RESTARTS   AGE',
      'calico-kube-controllers-77bd7c5b-kq2xd     0/1     CrashLoopBackOff   7          14m',
      '$ kubectl logs calico-kube-controllers-77bd7c5b-kq2xd -n kube-system',
      'I0605 06:01:02.000100       1 main.go:118] Loaded configuration from environment',
      'E0605 06:01:09.000200       1 main.go:250] Failed to initialize Calico datastore',
      '',
    ].join('\n'));
    writeFileSync(join(tmp.dir, 'z-date'), 'Fri Jun  5 06:45:01 UTC 2026\n');
    const report = await analyze([tmp.dir], { timezone: 'UTC', inputZone: 'UTC' });
    expect(report.warnings).toEqual([]);
    expect(report.capture).toEqual({ start: '2026-06-05T06:01:02.000Z', end: '2026-06-05T06:01:09.000Z' });
    // 1 pod + 2 log records, not the trial's pod twice.
    expect(report.inputs.find((i) => i.path.endsWith('notes.txt'))).toMatchObject({ kind: 'shell-session', records: 3 });
  });

  it('is still reported undated when nothing in the capture has a year', async () => {
    const tmp = makeTempDir();
    cleanup = tmp.cleanup;
    writeFileSync(join(tmp.dir, 'journal.txt'), SHORT);
    const report = await analyze([tmp.dir], { timezone: 'UTC', inputZone: 'UTC' });
    expect(report.capture).toEqual({});
    expect(report.warnings).toEqual([{ path: join(tmp.dir, 'journal.txt'), message: expect.stringContaining('2 record(s) have no time') }]);
  });
});

describe('readOnTrial', () => {
  const member = (chunks: string[]): Member => ({
    path: 'x.txt',
    innerPath: 'x.txt',
    kind: 'journalctl-text',
    head: Buffer.from(chunks[0] ?? ''),
    chunks: async function* () {
      for (const c of chunks) yield Buffer.from(c);
    },
  });

  /** A sink that logs the calls reaching it. */
  function target(): { sink: MemberSink; calls: string[] } {
    const calls: string[] = [];
    const sink = {
      store: undefined,
      referenceTime: undefined,
      inputZone: 'UTC',
      inferZone: false,
      record: (r: LogRecord) => calls.push(`record ${r.message}`),
      marker: () => calls.push('marker'),
      unparsed: (u: { line: number }) => calls.push(`unparsed ${u.line}`),
      warning: (m: string) => calls.push(`warning ${m}`),
      yearInferred: (y: number) => calls.push(`year ${y}`),
      undated: (n: number) => calls.push(`undated ${n}`),
      zoneInferred: () => calls.push('zone'),
      captureDate: () => calls.push('date'),
      count: (n: number) => calls.push(`count ${n}`),
      facts: () => calls.push('facts'),
    } as unknown as MemberSink;
    return { sink, calls };
  }

  /** A stand-in parser: one record per chunk, then `undated` when told to. */
  const parse = (sink: MemberSink, undated: boolean) => async (m: Member, wrap: (s: MemberSink) => MemberSink) => {
    const s = wrap(sink);
    for await (const chunk of m.chunks()) {
      s.record({ message: chunk.toString(), source: { path: m.path } });
      s.unparsed({ path: m.path, line: 1, reason: 'x' });
    }
    if (undated) s.undated(2);
  };

  it('passes a self-dated member through, in order, once it is read', async () => {
    const { sink, calls } = target();
    const outcome = await readOnTrial(member(['a', 'b']), 100, parse(sink, false));
    expect(outcome).toEqual({ bytes: 0 });
    expect(calls).toEqual(['record a', 'unparsed 1', 'record b', 'unparsed 1']);
  });

  it('stops holding at the first dated record: the member dates itself', async () => {
    const { sink, calls } = target();
    const seenDuringParse: string[][] = [];
    const outcome = await readOnTrial(member(['a', 'b', 'c']), 100, async (m, wrap) => {
      const s = wrap(sink);
      let ts = 0;
      for await (const chunk of m.chunks()) {
        s.record({ message: chunk.toString(), source: { path: m.path }, ...(chunk.toString() === 'a' ? {} : { ts: ++ts }) });
        seenDuringParse.push([...calls]);
      }
    });
    expect(outcome).toEqual({ bytes: 0 });
    expect(seenDuringParse).toEqual([[], ['record a', 'record b'], ['record a', 'record b', 'record c']]);
  });

  it('holds back an undated member and replays its bytes for the second read', async () => {
    const { sink, calls } = target();
    const outcome = await readOnTrial(member(['ab', 'cd']), 100, parse(sink, true));
    expect(calls).toEqual([]);
    expect(outcome.bytes).toBe(4);
    const again: string[] = [];
    for await (const chunk of outcome.deferred!.chunks()) again.push(chunk.toString());
    expect(again).toEqual(['ab', 'cd']);
  });

  it('lets a member past the bound through as it is read, undated included', async () => {
    const { sink, calls } = target();
    const outcome = await readOnTrial(member(['aaaa', 'bbbb', 'cccc']), 6, parse(sink, true));
    expect(outcome).toEqual({ bytes: 0 });
    expect(calls).toEqual(['record aaaa', 'unparsed 1', 'record bbbb', 'unparsed 1', 'record cccc', 'unparsed 1', 'undated 2']);
  });
});
