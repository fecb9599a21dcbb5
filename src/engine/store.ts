import { emptyFacts, type Facts } from '../model/facts.js';
import type { GoroutineDump } from '../model/goroutines.js';
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

/** Per (node, unit): bucket → latest time seen in it. */
type ActivityMap = Map<number, number>;

/** Records that end a stretch of activity (the last line before a gap), per (node, unit). */
const GAP_MICROS = 60_000_000;
const PID_CHANGE_SETTLE_MICROS = 30_000_000;
const MAX_GAP_RECORDS = 10_000;
interface LastRecords {
  last: LogRecord;
  beforeGaps: LogRecord[];
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
  private readonly prefilter: LiteralMatcher;
  /** Per prefilter literal (same order as the matcher's list), the signatures it selects. */
  private readonly literalSignatures: Signature[][];
  private readonly literalToSignatures = new Map<string, Signature[]>();
  /** `node\0unit` keys, built once per pair (addRecord runs per log line). */
  private readonly unitKeys = new Map<string, Map<string, string>>();
  private readonly unitOfIdentifier = new Map<string | undefined, string | undefined>();
  private readonly buckets = new Map<string, MatchBucket>();
  private readonly activity = new Map<string, ActivityMap>();
  private readonly nodeActivity = new Map<string, ActivityMap>();
  /** `node\0unit` → member path → PIDs seen. */
  private readonly pidsSeen = new Map<string, Map<string, Set<number>>>();
  private readonly lastRecords = new Map<string, LastRecords>();
  private readonly inputs = new Set<string>();

  constructor(signatures: readonly Signature[] = SIGNATURES) {
    this.signatures = signatures;
    for (const sig of signatures) {
      for (const literal of sig.literals) {
        const list = this.literalToSignatures.get(literal) ?? [];
        list.push(sig);
        this.literalToSignatures.set(literal, list);
      }
    }
    const literals = [...this.literalToSignatures.keys()];
    this.prefilter = new LiteralMatcher(literals);
    this.literalSignatures = literals.map((l) => this.literalToSignatures.get(l)!);
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

  addRecord(record: LogRecord): void {
    const { node, unit, ts } = record;
    if (node) this.nodes.add(node);
    this.noteTime(ts);
    if (ts !== undefined && node) {
      this.touch(this.nodeActivity, node, ts);
      if (unit) {
        const key = this.unitKey(node, unit);
        this.touch(this.activity, key, ts);
        this.keepLast(key, record, ts);
      }
    }
    if (unit && record.pid !== undefined && ts !== undefined && this.identifierUnit(record.identifier) === unit) {
      this.trackPid(record, unit, ts);
    }
    this.matchSignatures(record);
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
    const map = this.activity.get(`${node}\u0000${unit}`);
    return map ? [...map.entries()].sort((a, b) => a[0] - b[0]) : [];
  }

  nodeActivityBuckets(node: string): Array<[number, number]> {
    const map = this.nodeActivity.get(node);
    return map ? [...map.entries()].sort((a, b) => a[0] - b[0]) : [];
  }

  unitsOf(node: string): string[] {
    const prefix = `${node}\u0000`;
    return [...this.activity.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length)).sort();
  }

  /** The last record of a unit on a node at or before `until` (the line before a silence). */
  lastRecord(node: string, unit: string, until: number): LogRecord | undefined {
    const kept = this.lastRecords.get(`${node}\u0000${unit}`);
    if (!kept) return undefined;
    let best: LogRecord | undefined;
    for (const r of [...kept.beforeGaps, kept.last]) {
      if (r.ts! <= until && (best === undefined || r.ts! > best.ts!)) best = r;
    }
    return best;
  }

  private unitKey(node: string, unit: string): string {
    let units = this.unitKeys.get(node);
    if (units === undefined) {
      units = new Map();
      this.unitKeys.set(node, units);
    }
    let key = units.get(unit);
    if (key === undefined) {
      key = `${node}\u0000${unit}`;
      units.set(unit, key);
    }
    return key;
  }

  private identifierUnit(identifier: string | undefined): string | undefined {
    if (this.unitOfIdentifier.has(identifier)) return this.unitOfIdentifier.get(identifier);
    const unit = unitFromIdentifier(identifier);
    if (this.unitOfIdentifier.size < 10_000) this.unitOfIdentifier.set(identifier, unit);
    return unit;
  }

  private keepLast(key: string, record: LogRecord, ts: number): void {
    const kept = this.lastRecords.get(key);
    if (!kept) {
      this.lastRecords.set(key, { last: record, beforeGaps: [] });
      return;
    }
    if (ts < kept.last.ts!) return;
    if (ts - kept.last.ts! >= GAP_MICROS && kept.beforeGaps.length < MAX_GAP_RECORDS) kept.beforeGaps.push(kept.last);
    kept.last = record;
  }

  private touch(map: Map<string, ActivityMap>, key: string, ts: number): void {
    let buckets = map.get(key);
    if (!buckets) {
      buckets = new Map();
      map.set(key, buckets);
    }
    const bucket = Math.floor(ts / ACTIVITY_BUCKET_MICROS);
    const seen = buckets.get(bucket);
    if (seen === undefined || ts > seen) buckets.set(bucket, ts);
  }

  /** A service's own lines (identifier = the unit's app) changing PID mean a new process. */
  private trackPid(record: LogRecord, unit: string, ts: number): void {
    const unitKey = this.unitKey(record.node ?? '', unit);
    let byPath = this.pidsSeen.get(unitKey);
    if (!byPath) {
      byPath = new Map();
      this.pidsSeen.set(unitKey, byPath);
    }
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
