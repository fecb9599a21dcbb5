import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { EventStore, ACTIVITY_BUCKET_MICROS } from '../../src/engine/store.js';
import { DeferredRecord, type PendingRecord } from '../../src/model/deferred-record.js';
import type { LogRecord } from '../../src/model/records.js';
import { GOROUTINE_DUMP_LITERALS } from '../../src/parsers/goroutine-dump.js';
import { parseJournaldExport } from '../../src/parsers/journald-export.js';
import type { QuietRecords } from '../../src/parsers/types.js';
import { pieces } from '../support/chunks.js';

/**
 * Quiet lanes (QuietLanes in parsers/types.ts) let the export reader skip making a record for most
 * quiet entries. They must change nothing the store keeps: every test here reads the same
 * export into one store with lanes and one without and compares all the store answers.
 */

const T0 = 1779027302000000;
const UNIT = 'snap.microk8s.daemon-kubelite';
const LITERALS = [...new EventStore().prefilterLiterals, ...GOROUTINE_DUMP_LITERALS];

interface Read {
  store: EventStore;
  records: number;
  absorbed: number;
}

/**
 * `recycled`: each chunk is a copy that is scribbled over once the parser hands it back
 * (LogParseOptions.recycle), as a reader reusing the memory would.
 */
async function read(input: Buffer, sizes: number[], lanes: boolean, recycled = false): Promise<Read> {
  const store = new EventStore();
  const out: Read = { store, records: 0, absorbed: 0 };
  const quiet: QuietRecords = {
    literals: LITERALS,
    onQuietRecord: (r) => store.addRecord(r, true),
    settle: () => store.settle(),
    ...(lanes
      ? {
          lanes: {
            lane: (r: LogRecord, pending: PendingRecord) => store.quietLane(r, pending),
            absorb: (lane, ts) => {
              const taken = store.absorb(lane, ts);
              if (taken) out.absorbed++;
              return taken;
            },
          },
        }
      : {}),
  };
  const stats = await parseJournaldExport(recycled ? copies(pieces(input, sizes)) : pieces(input, sizes), {
    path: 'journal.export',
    ...(recycled ? { recycle: (chunk: Buffer) => void chunk.fill(0x58) } : {}),
    onRecord: (r) => store.addRecord(r),
    onMarker: (m) => store.addMarker(m),
    quiet,
  });
  out.records = stats.records;
  return out;
}

async function* copies(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  for await (const chunk of chunks) yield Buffer.from(chunk);
}

const plainRecord = (r: LogRecord | undefined): unknown => {
  if (r === undefined) return undefined;
  if (r instanceof DeferredRecord) r.settle();
  return JSON.parse(JSON.stringify(r));
};

/** Everything the rules can ask the store, at every time that matters. */
function answers(store: EventStore, probes: number[]): unknown {
  const nodes = [...store.nodes].sort();
  return {
    nodes,
    capture: [store.captureStart, store.captureEnd],
    restarts: store.restarts.map((r) => ({ ...r, record: plainRecord(r.record) })),
    boots: store.bootEvents,
    matches: store.signatureIds.map((id) => [id, store.matchTotal(id), store.matches(id).map((m) => plainRecord(m.record))]),
    units: nodes.map((node) => ({
      node,
      activity: store.nodeActivityBuckets(node),
      units: store.unitsOf(node).map((unit) => ({
        unit,
        activity: store.unitActivity(node, unit),
        last: probes.map((t) => plainRecord(store.lastRecord(node, unit, t))),
      })),
    })),
  };
}

interface Line {
  host: string;
  unit: string;
  pid: number;
  boot: string;
  ts: number;
  message: string;
}

function exportOf(lines: Line[]): Buffer {
  return Buffer.from(
    lines
      .map((l, i) =>
        [
          `__CURSOR=s=0c1d;i=${i + 1};b=${l.boot}`,
          `__REALTIME_TIMESTAMP=${l.ts}`,
          `_BOOT_ID=${l.boot}`,
          'PRIORITY=6',
          `SYSLOG_IDENTIFIER=${l.unit.replace(/^snap\./, '').replace(/\.service$/, '')}`,
          `_PID=${l.pid}`,
          `_SYSTEMD_UNIT=${l.unit}`,
          `_HOSTNAME=${l.host}`,
          `MESSAGE=${l.message}`,
          '',
          '',
        ].join('\n'),
      )
      .join(''),
  );
}

/** Messages the prefilter clears (no signature literal, no dump start). */
const QUIET_MESSAGES = [
  'I0518 00:15:02.123456 1234567 kubelet_pods.go:1051] "Clean up probes for terminated pods"',
  'time="2026-05-18T00:15:02Z" level=info msg="ok"',
  'I0518 00:15:03.000001 1234567 reconciler.go:224] "operationExecutor.VerifyControllerAttachedVolume started"',
];
const LOUD_MESSAGES = ['Started snap.microk8s.daemon-kubelite.service - Service for snap application microk8s.daemon-kubelite.', 'E0518 00:16:10.000001 1 kubelet.go:2412] "Skipping pod synchronization" err="PLEG is not healthy: pleg was last seen active 3m0.1s ago; threshold is 3m0s"'];

/** Steps between lines: most within a bucket, some across one, some gaps, some backwards. */
const step = fc.oneof(
  { weight: 20, arbitrary: fc.integer({ min: 0, max: 900_000 }) },
  { weight: 4, arbitrary: fc.integer({ min: 1_000_000, max: 12_000_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 55_000_000, max: 200_000_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: -90_000_000, max: -1 }) },
);
const line = fc.record({
  host: fc.constantFrom('k8s01', 'k8s02'),
  unit: fc.constantFrom(`${UNIT}.service`, 'snap.microk8s.daemon-containerd.service', 'systemd-journald.service'),
  pid: fc.oneof({ weight: 12, arbitrary: fc.constant(100) }, { weight: 1, arbitrary: fc.integer({ min: 101, max: 104 }) }),
  boot: fc.oneof({ weight: 15, arbitrary: fc.constant('b0') }, { weight: 1, arbitrary: fc.constant('b1') }),
  step,
  message: fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...QUIET_MESSAGES) }, { weight: 1, arbitrary: fc.constantFrom(...LOUD_MESSAGES) }),
});
const journal = fc.array(line, { minLength: 1, maxLength: 120 }).map((drawn) => {
  let ts = T0;
  return drawn.map(({ step: s, ...l }) => {
    ts += s;
    return { ...l, ts };
  });
});

function probesOf(lines: Line[]): number[] {
  const times = new Set<number>();
  for (const { ts } of lines) for (const t of [ts - 1, ts, ts + 1, ts + 60_000_000]) times.add(t);
  return [...times].sort((a, b) => a - b);
}

async function expectSameStore(lines: Line[], sizes: number[]): Promise<Read> {
  const input = exportOf(lines);
  const withLanes = await read(input, sizes, true);
  const recycled = await read(input, sizes, true, true);
  const without = await read(input, sizes, false);
  const probes = probesOf(lines);
  expect(withLanes.records).toBe(without.records);
  const expected = answers(without.store, probes);
  expect(answers(withLanes.store, probes)).toEqual(expected);
  // Nothing the store keeps still points into a chunk the parser handed back.
  expect(answers(recycled.store, probes)).toEqual(expected);
  return withLanes;
}

describe('quiet lanes', () => {
  it('absorb most of a steady unit’s quiet lines and leave the store as it would be without them', async () => {
    for (const m of QUIET_MESSAGES) expect(LITERALS.filter((l) => m.includes(l))).toEqual([]);
    const lines: Line[] = Array.from({ length: 400 }, (_, i) => ({ host: 'k8s01', unit: `${UNIT}.service`, pid: 100, boot: 'b0', ts: T0 + i * 250_000, message: QUIET_MESSAGES[i % 2]! }));
    const read = await expectSameStore(lines, [1 << 20]);
    // Every line but the first (its values are new to the scanner, so its description is not
    // cached) and the second (which makes the lane).
    expect(read.absorbed).toBe(398);
    expect(read.store.lastRecord('k8s01', UNIT, T0 + 1e9)).toMatchObject({ message: QUIET_MESSAGES[1], source: { entry: 400, cursor: 's=0c1d;i=400;b=b0' } });
  });

  it('keep the line before a silence when that line was absorbed', async () => {
    const lines: Line[] = [0, 100_000, 200_000, 200_000 + 120_000_000].map((dt, i) => ({ host: 'k8s01', unit: `${UNIT}.service`, pid: 100, boot: 'b0', ts: T0 + dt, message: `I0518 line ${i}` }));
    const read = await expectSameStore(lines, [1 << 20]);
    expect(read.absorbed).toBe(2);
    expect(read.store.lastRecord('k8s01', UNIT, T0 + 60_000_000)).toMatchObject({ message: 'I0518 line 2', source: { entry: 3 } });
  });

  it('keep the line before a unit’s silence while another unit of the node goes on', async () => {
    const kubelite = (ts: number, i: number): Line => ({ host: 'k8s01', unit: `${UNIT}.service`, pid: 100, boot: 'b0', ts, message: `I0518 kubelite ${i}` });
    const containerd = (ts: number): Line => ({ host: 'k8s01', unit: 'snap.microk8s.daemon-containerd.service', pid: 7, boot: 'b0', ts, message: 'time="2026-05-18T00:15:02Z" level=info msg="ok"' });
    const lines = [kubelite(T0, 0), kubelite(T0 + 500_000, 1), ...Array.from({ length: 80 }, (_, i) => containerd(T0 + 600_000 + i * 1_000_000)), kubelite(T0 + 81_000_000, 2)];
    const read = await expectSameStore(lines, [1 << 20]);
    expect(read.store.lastRecord('k8s01', UNIT, T0 + 70_000_000)).toMatchObject({ message: 'I0518 kubelite 1', source: { entry: 2 } });
  });

  it('change nothing the store keeps, for any journal and chunking', async () => {
    await fc.assert(
      fc.asyncProperty(journal, fc.array(fc.integer({ min: 1, max: 900 }), { minLength: 1, maxLength: 5 }), async (lines, sizes) => {
        await expectSameStore(lines, sizes);
      }),
      { numRuns: 300 },
    );
  });

  it('are not taken across a gap or a step back, and move activity as addRecord would', () => {
    const store = new EventStore();
    const record: LogRecord = { ts: T0, node: 'k8s01', unit: UNIT, message: 'I0518 first', source: { path: 'j', entry: 1 } };
    store.addRecord(record, true);
    // As the parser does: a taken record is filled into `pending` right after absorb.
    const pending = { ts: 0, record: (): LogRecord => ({ ...record, ts: pending.ts }) };
    const lane = store.quietLane(record, pending)!;
    const bucket = Math.floor(T0 / ACTIVITY_BUCKET_MICROS);
    const nextBucket = (bucket + 1) * ACTIVITY_BUCKET_MICROS;
    expect(store.absorb(lane, T0 - 1)).toBe(false);
    expect(store.absorb(lane, T0 + 60_000_000)).toBe(false);
    expect(store.absorb(lane, T0)).toBe(true);
    pending.ts = T0;
    expect(store.absorb(lane, T0 + 5)).toBe(true);
    pending.ts = T0 + 5;
    expect(store.absorb(lane, T0 + 4)).toBe(false);
    expect(store.absorb(lane, nextBucket + 1)).toBe(true);
    pending.ts = nextBucket + 1;
    expect(store.captureEnd).toBe(nextBucket + 1);
    store.settle();
    expect(store.lastRecord('k8s01', UNIT, nextBucket + 1)?.ts).toBe(nextBucket + 1);
    expect(store.unitActivity('k8s01', UNIT)).toEqual([[bucket, T0 + 5], [bucket + 1, nextBucket + 1]]);
    expect(store.nodeActivityBuckets('k8s01')).toEqual([[bucket, T0 + 5], [bucket + 1, nextBucket + 1]]);
  });
});
