import { emptyFacts, type Facts } from '../model/facts.js';
import type { GoroutineDump } from '../model/goroutines.js';
import { settleRecord, type PendingRecord, type QuietLane } from '../model/deferred-record.js';
import type { JournalMarker, LogRecord } from '../model/records.js';
import { normalizeUnit, unitFromIdentifier } from '../model/units.js';
import type { InputId } from './inputs.js';
import { LiteralMatcher } from './literal-matcher.js';
import { SIGNATURES, type Signature } from './signatures.js';
import type { BootEvent, RestartEvent, RestartKind, SignatureMatch } from './types.js';

/**
 * What the ingest keeps of an incident, bounded regardless of input size:
 * - matches of the log signatures (capped: the first KEEP_FIRST and last KEEP_LAST per
 *   signature, with exact counts per node);
 * - activity of each (node, unit) in 10-second buckets, for silence detection;
 * - unit restarts, boots, goroutine dumps and the parsed state facts.
 */
const KEEP_FIRST = 2000;
const KEEP_LAST = 500;
export const ACTIVITY_BUCKET_MICROS = 10_000_000;

class MatchBucket {
  readonly first: SignatureMatch[] = [];
  readonly last: SignatureMatch[] = [];
  total = 0;
  readonly perNode = new Map<string, number>();

  add(match: SignatureMatch): void {
    this.total++;
    const node = match.record.node ?? '';
    this.perNode.set(node, (this.perNode.get(node) ?? 0) + 1);
    if (this.first.length < KEEP_FIRST) {
      this.first.push(match);
      return;
    }
    this.last.push(match);
    if (this.last.length > KEEP_LAST * 2) this.last.splice(0, this.last.length - KEEP_LAST);
  }

  kept(): SignatureMatch[] {
    return this.first.concat(this.last.slice(-KEEP_LAST));
  }
}

/**
 * Bucket → latest time seen in it. Consecutive lines mostly fall in the same bucket, so the
 * current bucket is kept in two fields and written to the map only when the bucket changes.
 */
class Activity {
  private readonly buckets = new Map<number, number>();
  private bucket = Number.NaN;
  private latest = 0;

  touch(ts: number): void {
    const bucket = Math.floor(ts / ACTIVITY_BUCKET_MICROS);
    if (bucket === this.bucket) {
      if (ts > this.latest) this.latest = ts;
      return;
    }
    this.flush();
    this.bucket = bucket;
    this.latest = Math.max(ts, this.buckets.get(bucket) ?? ts);
  }

  /** Sorted [bucket, latest ts] pairs. */
  sorted(): Array<[number, number]> {
    this.flush();
    return [...this.buckets.entries()].sort((a, b) => a[0] - b[0]);
  }

  private flush(): void {
    if (!Number.isNaN(this.bucket)) this.buckets.set(this.bucket, this.latest);
  }
}

/** Records that end a stretch of activity (the last line before a gap), per (node, unit). */
const GAP_MICROS = 60_000_000;
const PID_CHANGE_SETTLE_MICROS = 30_000_000;
const MAX_GAP_RECORDS = 10_000;

/**
 * What the store keeps of one unit on one node: its activity, PIDs, and the records that may
 * be "the last line before a silence" — each record followed by a gap, and the last one.
 *
 * Records mostly arrive in time order, but a member read later can be older (a year-less
 * journal parsed again at the end, the blocks of a long `journalctl -r`). Those form a second
 * run, `older`, kept the same way. A record that ends a stretch of the merged timeline also
 * ends one in its own run, so the candidates of both runs hold every true answer; the extra
 * ones are never picked, as lastRecord takes the latest candidate before a silence.
 */
class UnitTrack {
  readonly activity = new Activity();
  last: LogRecord | undefined;
  /** A quiet record later than `last` that its parser still holds (see EventStore.absorb). */
  pending: PendingRecord | undefined;
  older: LogRecord | undefined;
  readonly beforeGaps: LogRecord[] = [];
  /** Member path → PIDs seen. */
  readonly pidsByPath = new Map<string, Set<number>>();
  /** `last` or `older` may be a DeferredRecord (listed in the store's awaitingSettle). */
  awaitingSettle = false;

  /** Time of the latest record of the current run. */
  latestTs(): number | undefined {
    return this.pending?.ts ?? this.last?.ts;
  }

  keepLast(record: LogRecord, ts: number): void {
    this.takePending();
    const last = this.last;
    if (last === undefined) {
      this.last = record;
      return;
    }
    if (ts >= last.ts!) {
      if (ts - last.ts! >= GAP_MICROS) this.endOfStretch(last);
      this.last = record;
      return;
    }
    // A little out of order (lines of one second, clock jitter): inside the current stretch.
    if (last.ts! - ts < GAP_MICROS) return;
    const older = this.older;
    if (older === undefined || older.ts! - ts >= GAP_MICROS) {
      // A run older than the older run too: that run ends here.
      if (older !== undefined) this.endOfStretch(older);
      this.older = record;
    } else if (ts >= older.ts!) {
      if (ts - older.ts! >= GAP_MICROS) this.endOfStretch(older);
      this.older = record;
    }
  }

  /** The records lastRecord chooses from. */
  candidates(): LogRecord[] {
    this.takePending();
    return [...this.beforeGaps, ...(this.older ? [this.older] : []), ...(this.last ? [this.last] : [])];
  }

  settle(): void {
    this.takePending();
    settleRecord(this.last);
    settleRecord(this.older);
    this.awaitingSettle = false;
  }

  private takePending(): void {
    if (this.pending === undefined) return;
    this.last = this.pending.record();
    this.pending = undefined;
  }

  private endOfStretch(record: LogRecord): void {
    if (this.beforeGaps.length >= MAX_GAP_RECORDS) return;
    settleRecord(record);
    this.beforeGaps.push(record);
  }
}

/** Quiet records of one node and unit whose PID the store has seen (EventStore.quietLane). */
class StoreLane implements QuietLane {
  constructor(
    readonly track: UnitTrack,
    readonly nodeActivity: Activity,
    readonly pending: PendingRecord,
  ) {}
}

const UNIT_LIFECYCLE = [
  // systemd ≥ 250: "Started snap.microk8s.daemon-kubelite.service - Service for snap application …"
  { re: /^Started (?<name>[\w.@-]+)\.service - /, kind: 'start' as const },
  { re: /^(?:Stopped|Stopping) (?<name>[\w.@-]+)\.service - /, kind: 'stop' as const },
  { re: /^Started (?:Service for snap application )?(?<name>[\w.@-]+?)\.*$/, kind: 'start' as const },
  { re: /^(?:Stopped|Stopping) (?:Service for snap application )?(?<name>[\w.@-]+?)\.*$/, kind: 'stop' as const },
  { re: /^(?<name>[\w.@-]+)\.service: Main process exited/, kind: 'exit' as const },
  { re: /^(?<name>[\w.@-]+)\.service: Deactivated successfully/, kind: 'stop' as const },
  { re: /^(?<name>[\w.@-]+)\.service: Scheduled restart job/, kind: 'scheduled-restart' as const },
];

/** `microk8s.daemon-kubelite` (snap app) or a unit name → canonical unit name. */
function unitFromLifecycleName(name: string): string {
  if (name.startsWith('microk8s.')) return `snap.${name}`;
  return normalizeUnit(name);
}

export class EventStore {
  readonly facts: Facts = emptyFacts();
  readonly dumps: GoroutineDump[] = [];
  readonly restarts: RestartEvent[] = [];
  readonly bootEvents: BootEvent[] = [];
  readonly nodes = new Set<string>();
  captureStart: number | undefined;
  captureEnd: number | undefined;

  private readonly signatures: readonly Signature[];
  /** The literals a message must hold one of to match any signature (see addRecord's `quiet`). */
  readonly prefilterLiterals: readonly string[];
  private readonly prefilter: LiteralMatcher;
  /** Per prefilter literal (same order as the matcher's list), the signatures it selects. */
  private readonly literalSignatures: Signature[][];
  private readonly literalToSignatures = new Map<string, Signature[]>();
  private readonly unitOfIdentifier = new Map<string | undefined, string | undefined>();
  private readonly buckets = new Map<string, MatchBucket>();
  /** node → unit → track (addRecord runs per log line: two lookups, no key strings). */
  private readonly units = new Map<string, Map<string, UnitTrack>>();
  private readonly nodeActivity = new Map<string, Activity>();
  private readonly inputs = new Set<string>();
  /** Tracks that took a quiet record since the last settle(). */
  private readonly awaitingSettle: UnitTrack[] = [];

  constructor(signatures: readonly Signature[] = SIGNATURES) {
    this.signatures = signatures;
    for (const sig of signatures) {
      for (const literal of sig.literals) {
        const list = this.literalToSignatures.get(literal) ?? [];
        list.push(sig);
        this.literalToSignatures.set(literal, list);
      }
    }
    this.prefilterLiterals = [...this.literalToSignatures.keys()];
    this.prefilter = new LiteralMatcher(this.prefilterLiterals);
    this.literalSignatures = this.prefilterLiterals.map((l) => this.literalToSignatures.get(l)!);
  }

  markInput(input: InputId, node?: string): void {
    this.inputs.add(`${input}|`);
    if (node) this.inputs.add(`${input}|${node}`);
  }

  hasInput(input: InputId, node?: string): boolean {
    return this.inputs.has(`${input}|${node ?? ''}`);
  }

  noteTime(ts: number | undefined): void {
    if (ts === undefined || !Number.isFinite(ts)) return;
    if (this.captureStart === undefined || ts < this.captureStart) this.captureStart = ts;
    if (this.captureEnd === undefined || ts > this.captureEnd) this.captureEnd = ts;
  }

  /**
   * `quiet`: the parser has shown from the bytes that the message holds no prefilter literal
   * (so it is not matched, and its text may still be undecoded: see settle).
   */
  addRecord(record: LogRecord, quiet = false): void {
    const { node, unit, ts } = record;
    if (node) this.nodes.add(node);
    this.noteTime(ts);
    if (ts !== undefined && node) {
      this.activityOf(node).touch(ts);
      if (unit) {
        const track = this.track(node, unit);
        track.activity.touch(ts);
        track.keepLast(record, ts);
        if (quiet) this.awaitSettle(track);
      }
    }
    if (unit && record.pid !== undefined && ts !== undefined && this.identifierUnit(record.identifier) === unit) {
      this.trackPid(record, unit, ts);
    }
    if (!quiet) this.matchSignatures(record);
  }

  /**
   * A lane for quiet records like `record`, which addRecord has just taken as quiet (see
   * QuietLanes in parsers/types.ts); undefined when it has no node, unit or time.
   */
  quietLane(record: LogRecord, pending: PendingRecord): QuietLane | undefined {
    const { node, unit, ts } = record;
    if (!node || !unit || ts === undefined) return undefined;
    return new StoreLane(this.track(node, unit), this.activityOf(node), pending);
  }

  /**
   * Takes a quiet record of the lane at `ts` as the lane's pending record when keepLast would
   * only make it the unit's latest record: no earlier than the latest and less than a gap
   * after it. The rest of what addRecord does with it (capture time, activity) is done here;
   * its PID was seen when the lane was made, and a quiet record is matched against nothing.
   * False: it must come through addRecord.
   */
  absorb(lane: QuietLane, ts: number): boolean {
    const { track, nodeActivity, pending } = lane as StoreLane;
    const latest = track.latestTs();
    if (latest === undefined || ts < latest || ts - latest >= GAP_MICROS) return false;
    this.noteTime(ts);
    nodeActivity.touch(ts);
    track.activity.touch(ts);
    track.pending = pending;
    this.awaitSettle(track);
    return true;
  }

  /** Decodes the quiet records the store kept since the last call, letting go of their chunks. */
  settle(): void {
    for (const track of this.awaitingSettle) track.settle();
    this.awaitingSettle.length = 0;
  }

  /** The track may now keep a record that points into the current chunk. */
  private awaitSettle(track: UnitTrack): void {
    if (track.awaitingSettle) return;
    track.awaitingSettle = true;
    this.awaitingSettle.push(track);
  }

  addMarker(marker: JournalMarker): void {
    if (marker.node) this.nodes.add(marker.node);
    if (marker.kind !== 'boot' && marker.kind !== 'reboot') return;
    this.bootEvents.push({ node: marker.node, bootId: marker.bootId, ts: marker.ts, source: marker.source, text: marker.text });
  }

  addDump(dump: GoroutineDump): void {
    this.dumps.push(dump);
    if (dump.node) this.nodes.add(dump.node);
    this.noteTime(dump.ts);
    this.markInput('goroutine-dump', dump.node);
  }

  matches(signature: string): SignatureMatch[] {
    return this.buckets.get(signature)?.kept() ?? [];
  }

  matchTotal(signature: string, node?: string): number {
    const bucket = this.buckets.get(signature);
    if (!bucket) return 0;
    return node === undefined ? bucket.total : bucket.perNode.get(node) ?? 0;
  }

  /** Sorted [bucket, latest ts] pairs of a unit on a node. */
  unitActivity(node: string, unit: string): Array<[number, number]> {
    return this.units.get(node)?.get(unit)?.activity.sorted() ?? [];
  }

  nodeActivityBuckets(node: string): Array<[number, number]> {
    return this.nodeActivity.get(node)?.sorted() ?? [];
  }

  unitsOf(node: string): string[] {
    return [...(this.units.get(node)?.keys() ?? [])].sort();
  }

  /** The last record of a unit on a node at or before `until` (the line before a silence). */
  lastRecord(node: string, unit: string, until: number): LogRecord | undefined {
    const track = this.units.get(node)?.get(unit);
    if (!track) return undefined;
    let best: LogRecord | undefined;
    for (const r of track.candidates()) {
      if (r.ts! <= until && (best === undefined || r.ts! > best.ts!)) best = r;
    }
    return best;
  }

  private track(node: string, unit: string): UnitTrack {
    let units = this.units.get(node);
    if (units === undefined) {
      units = new Map();
      this.units.set(node, units);
    }
    let track = units.get(unit);
    if (track === undefined) {
      track = new UnitTrack();
      units.set(unit, track);
    }
    return track;
  }

  private activityOf(node: string): Activity {
    let activity = this.nodeActivity.get(node);
    if (activity === undefined) {
      activity = new Activity();
      this.nodeActivity.set(node, activity);
    }
    return activity;
  }

  private identifierUnit(identifier: string | undefined): string | undefined {
    if (this.unitOfIdentifier.has(identifier)) return this.unitOfIdentifier.get(identifier);
    const unit = unitFromIdentifier(identifier);
    if (this.unitOfIdentifier.size < 10_000) this.unitOfIdentifier.set(identifier, unit);
    return unit;
  }

  /** A service's own lines (identifier = the unit's app) changing PID mean a new process. */
  private trackPid(record: LogRecord, unit: string, ts: number): void {
    const byPath = this.track(record.node ?? '', unit).pidsByPath;
    let seen = byPath.get(record.source.path);
    if (!seen) {
      seen = new Set();
      byPath.set(record.source.path, seen);
    }
    if (seen.has(record.pid!)) return;
    const first = seen.size === 0;
    seen.add(record.pid!);
    if (first) return;
    // Wrapper scripts fork a few short-lived processes under the service's identifier while
    // it starts; PID changes within seconds of a start or another change are one restart.
    const recent = this.restarts.findLast((r) => r.node === record.node && r.unit === unit);
    if (recent && ts - recent.ts < PID_CHANGE_SETTLE_MICROS && recent.kind !== 'stop' && recent.kind !== 'exit') return;
    settleRecord(record);
    this.restarts.push({ node: record.node, unit, ts, kind: 'pid-change', pid: record.pid, record });
  }

  private matchSignatures(record: LogRecord): void {
    const message = record.message;
    const hits = this.prefilter.find(message);
    if (hits === undefined) return;
    const candidates = new Set<Signature>();
    for (const hit of hits) for (const sig of this.literalSignatures[hit]!) candidates.add(sig);
    for (const sig of candidates) {
      let groups: Record<string, string> = {};
      if (sig.regex) {
        const m = sig.regex.exec(message);
        if (!m) continue;
        groups = Object.fromEntries(Object.entries(m.groups ?? {}).filter((e): e is [string, string] => e[1] !== undefined));
      }
      if (sig.id === 'unit-lifecycle') {
        this.trackLifecycle(record);
        continue;
      }
      if (sig.id === 'kernel-boot' && record.identifier !== 'kernel' && record.unit !== 'kernel') continue;
      let bucket = this.buckets.get(sig.id);
      if (!bucket) {
        bucket = new MatchBucket();
        this.buckets.set(sig.id, bucket);
      }
      bucket.add({ signature: sig.id, record, groups });
      if (sig.id === 'kernel-boot') {
        this.bootEvents.push({ node: record.node, bootId: record.bootId, ts: record.ts, source: record.source, text: message });
      }
    }
  }

  private trackLifecycle(record: LogRecord): void {
    if (record.ts === undefined) return;
    if (record.identifier !== 'systemd' && record.pid !== 1) return;
    for (const { re, kind } of UNIT_LIFECYCLE) {
      const m = re.exec(record.message);
      const name = m?.groups?.name;
      if (!name) continue;
      this.restarts.push({ node: record.node, unit: unitFromLifecycleName(name), ts: record.ts, kind: kind as RestartKind, record });
      return;
    }
  }

  /** Signature ids, for the parity tests and the explain command. */
  get signatureIds(): string[] {
    return this.signatures.map((s) => s.id);
  }
}
