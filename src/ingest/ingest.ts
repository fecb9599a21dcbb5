import { openBundle, type OpenOptions } from '../bundle/open.js';
import type { BundleWarning, Member, MemberKind, SkippedMember } from '../bundle/types.js';
import { EventStore } from '../engine/store.js';
import type { InputId } from '../engine/inputs.js';
import { newestStateTime, type Facts } from '../model/facts.js';
import type { JournalMarker, LogRecord, Unparsed } from '../model/records.js';
import { zoneLabel } from '../model/time.js';
import { KUBELITE_UNIT, CONTAINERD_UNIT, K8S_DQLITE_UNIT, KUBELET_UNITS } from '../model/units.js';
import { settleRecord } from '../model/deferred-record.js';
import { GOROUTINE_DUMP_LITERALS, GoroutineDumpCollector } from '../parsers/goroutine-dump.js';
import type { QuietRecords } from '../parsers/types.js';
import type { ReportInput } from '../report/types.js';
import { handleMember, storeFacts, type MemberSink } from './handlers.js';
import { readOnTrial } from './trial.js';

export interface IngestOptions extends OpenOptions {
  /** IANA zone of zone-less timestamps (journalctl short, klog). */
  inputZone?: string;
  /**
   * `inputZone` is only the fallback: a zone learned from a member (journalctl short lines
   * next to logrus `time=` stamps) is used for it and for the later members of its node.
   */
  inferZone?: boolean;
  onProgress?(progress: { member: string; bytes: number }): void;
  /** Sees every normalized record (after node attribution), e.g. to load an SQL event store. */
  onRecord?(record: LogRecord): void;
}

export interface IngestResult {
  store: EventStore;
  inputs: ReportInput[];
  skipped: SkippedMember[];
  warnings: BundleWarning[];
  unparsed: Unparsed[];
  assumptions: string[];
}

const UNIT_INPUT: Array<[(unit: string) => boolean, InputId]> = [
  [(u) => KUBELET_UNITS.has(u) || u === KUBELITE_UNIT, 'kubelet-log'],
  [(u) => u === CONTAINERD_UNIT || u === 'containerd', 'containerd-log'],
  [(u) => u === K8S_DQLITE_UNIT, 'dqlite-log'],
];

const MAX_UNPARSED_KEPT = 2000;

/**
 * Kinds that may carry no year (journalctl short and syslog, klog, pasted `kubectl logs`).
 * journalctl-text includes short-iso, which passes its trial at its first record.
 */
const YEARLESS_KINDS: ReadonlySet<MemberKind> = new Set<MemberKind>(['journalctl-text', 'klog', 'plain-log', 'shell-session']);
/** Most bytes of year-less members held back to be parsed again at the end, all together. */
const DEFER_MAX_BYTES = 32 * 1024 * 1024;

interface DeferredMember {
  member: Member;
  entry: ReportInput;
}

/**
 * Reads every member of every input once, in order, parses it by its sniffed kind and
 * feeds the store. Year-less timestamps are placed with the best reference known when
 * the member is read: its archive mtime, else the latest log time already seen, else the
 * newest time in the kubectl dumps (or `date` capture) already read. A year-less member
 * read before all of these, which cannot date itself either, is parsed again at the end.
 */
export async function ingest(inputs: string[], options: IngestOptions = {}): Promise<IngestResult> {
  const store = new EventStore();
  const result: IngestResult = { store, inputs: [], skipped: [], warnings: [], unparsed: [], assumptions: [] };
  const collector = new GoroutineDumpCollector();
  const yearsInferred = new Set<number>();
  const stateClock = new StateClock(store.facts);
  const zones = new LearnedZones(options.inputZone ?? 'UTC');
  let unparsedTotal = 0;

  const observer = {
    skipped: (s: SkippedMember) => result.skipped.push(s),
    warning: (w: BundleWarning) => result.warnings.push(w),
  };

  // What a quiet record's message must lack: every signature literal and a dump start.
  const quietLiterals = [...store.prefilterLiterals, ...GOROUTINE_DUMP_LITERALS];
  const deferred: DeferredMember[] = [];
  let deferredBytes = 0;

  for await (const member of openBundle(inputs, observer, options)) {
    const entry: ReportInput = { path: member.path, kind: member.kind, records: 0, unparsed: 0, skipped: false };
    if (member.node) entry.node = member.node;
    result.inputs.push(entry);
    if (YEARLESS_KINDS.has(member.kind) && deferredBytes < DEFER_MAX_BYTES && referenceTimeFor(member, store, stateClock) === undefined) {
      // Nothing read so far dates the capture: parse on trial, and if its records would be
      // left without a year, keep the bytes and parse them again once every input is read.
      const trial = await readOnTrial(member, DEFER_MAX_BYTES - deferredBytes, (onTrial, wrap) => readMember(onTrial, entry, wrap));
      if (trial.deferred) {
        deferred.push({ member: trial.deferred, entry });
        deferredBytes += trial.bytes;
      }
    } else {
      await readMember(member, entry);
    }
    options.onProgress?.({ member: member.path, bytes: member.size ?? 0 });
  }
  for (const { member, entry } of deferred) await readMember(member, entry);

  /**
   * Parses one member into the store; `wrap` may put a recorder between the parser and the
   * store (see readOnTrial).
   */
  async function readMember(member: Member, entry: ReportInput, wrap?: (sink: MemberSink) => MemberSink): Promise<void> {
    const unitsSeen = new Set<string>();
    // Per log line: mark each (unit, node) and container node once per member, not per record.
    const unitNodesMarked = new Map<string, Set<string | undefined>>();
    const containerNodesMarked = new Set<string | undefined>();

    function accept(record: LogRecord, quiet: boolean): void {
      entry.records++;
      if (!record.node && member.node) record.node = member.node;
      store.addRecord(record, quiet);
      if (!quiet) {
        collector.push(record);
        options.onRecord?.(record);
      } else if (collector.active) {
        settleRecord(record);
        collector.push(record);
      }
      if (record.unit) {
        let nodes = unitNodesMarked.get(record.unit);
        if (nodes === undefined) {
          nodes = new Set();
          unitNodesMarked.set(record.unit, nodes);
          unitsSeen.add(record.unit);
          // Marked here, not after the parse: a trial parse hands its records on after it.
          if (unitsSeen.size === 2) store.markInput('node-journal', entry.node ?? member.node);
        }
        if (!nodes.has(record.node)) {
          nodes.add(record.node);
          const input = UNIT_INPUT.find(([test]) => test(record.unit!))?.[1];
          if (input) store.markInput(input, record.node);
        }
      }
      if (record.container && !containerNodesMarked.has(record.node)) {
        containerNodesMarked.add(record.node);
        store.markInput('container-logs', record.node);
      }
    }
    const quiet: QuietRecords = {
      literals: quietLiterals,
      onQuietRecord: (record) => accept(record, true),
      settle: () => store.settle(),
      lanes: {
        lane: (record, pending) => store.quietLane(record, pending),
        // Beyond the store, accept() of a record like the lane's first only counts it (its
        // unit and node were marked by that first record), unless a dump is being collected.
        absorb(lane, ts) {
          if (collector.active || !store.absorb(lane, ts)) return false;
          entry.records++;
          return true;
        },
      },
    };

    const sink: MemberSink = {
      store,
      referenceTime: referenceTimeFor(member, store, stateClock),
      inputZone: options.inferZone ? zones.forNode(member.node) : options.inputZone ?? 'UTC',
      inferZone: options.inferZone === true,
      record(record: LogRecord) {
        accept(record, false);
      },
      ...(options.onRecord ? {} : { quiet }),
      marker(marker: JournalMarker) {
        if (!marker.node && member.node) marker.node = member.node;
        store.addMarker(marker);
      },
      unparsed(u: Unparsed) {
        entry.unparsed++;
        unparsedTotal++;
        if (result.unparsed.length < MAX_UNPARSED_KEPT) result.unparsed.push(u);
      },
      warning(message: string) {
        result.warnings.push({ path: member.path, message });
      },
      yearInferred(year: number) {
        yearsInferred.add(year);
      },
      undated(count: number) {
        result.warnings.push({ path: member.path, message: `${count} record(s) have no time: their timestamps carry no year and nothing read before them dates the capture (put a dated input first, e.g. \`date > 0-date.txt\`, or a kubectl JSON dump)` });
      },
      zoneInferred(zone: string, line: number) {
        zones.learn(member.node ?? [...unitNodesMarked.values()].flatMap((s) => [...s]).find((n) => n !== undefined), zone, `${member.path}:${line}`);
      },
      count(n: number) {
        entry.records += n;
      },
      facts(facts: Partial<Facts>, memberNode: string | undefined) {
        entry.records += storeFacts(store, facts, memberNode);
      },
      captureDate(micros: number) {
        stateClock.note(micros);
      },
    };
    try {
      await handleMember(member, wrap ? wrap(sink) : sink);
    } catch (error) {
      // A member that breaks its parser is a warning; the rest of the capture is analyzed.
      result.warnings.push({ path: member.path, message: `could not be parsed: ${error instanceof Error ? error.message : String(error)}` });
    } finally {
      store.settle();
    }
  }

  for (const dump of collector.finish()) store.addDump(dump);
  for (const s of result.skipped) result.inputs.push({ path: s.path, kind: 'skipped', records: 0, unparsed: 0, skipped: true });
  if (yearsInferred.size) {
    result.assumptions.push(`journal and klog timestamps carry no year; year ${[...yearsInferred].sort().join(', ')} was inferred from the capture`);
  }
  result.assumptions.push(...zones.describe(options.inferZone === true));
  if (unparsedTotal > result.unparsed.length) {
    result.warnings.push({ path: '', message: `${unparsedTotal} unparsed lines in all; the first ${result.unparsed.length} are listed` });
  }
  return result;
}

/** Printing zones learned from members, per node, and the fallback for the rest. */
class LearnedZones {
  private readonly byNode = new Map<string, { zone: string; from: string }>();

  constructor(private readonly fallback: string) {}

  learn(node: string | undefined, zone: string, from: string): void {
    const key = node ?? '';
    if (!this.byNode.has(key)) this.byNode.set(key, { zone, from });
  }

  /** The node's learned zone; else the one zone learned anywhere, when all agree; else the fallback. */
  forNode(node: string | undefined): string {
    const own = this.byNode.get(node ?? '');
    if (own) return own.zone;
    const all = new Set([...this.byNode.values()].map((z) => z.zone));
    return all.size === 1 ? [...all][0]! : this.fallback;
  }

  describe(inferring: boolean): string[] {
    if (!inferring) return [];
    const learned = [...this.byNode.entries()].sort((a, b) => a[0].localeCompare(b[0]))
      .map(([node, z]) => `${node || 'nodes not named'}: ${zoneLabel(z.zone)} (from ${z.from}, a logrus time= stamp next to the journal's own)`);
    return learned.length
      ? [`zone-less timestamps (journalctl short, klog) were read in the zone the capture shows — ${learned.join('; ')}; other members as ${zoneLabel(this.forNode(undefined))}; use --input-tz to set it`]
      : [`zone-less timestamps (journalctl short, klog) were read as ${this.fallback} (no zone could be learned from the capture); use --input-tz to change`];
  }
}

function referenceTimeFor(member: Member, store: EventStore, stateClock: StateClock): number | undefined {
  // An mtime of 0 or before 2000 means the archiver did not record one.
  if (member.archived && member.mtime !== undefined && member.mtime > Date.UTC(2000, 0, 1) * 1000) return member.mtime;
  return store.captureEnd ?? stateClock.now();
}

/**
 * The newest time of the kubectl dumps (and `date` captures) read so far, for year-less
 * members read before any log time (a folder's `cluster/` sorts before `k8s01/`). Each call
 * looks only at the facts added since the last one.
 */
class StateClock {
  private readonly seen = { pods: 0, events: 0, nodes: 0, leases: 0 };
  private latest: number | undefined;

  constructor(private readonly facts: Facts) {}

  /** A time known to be in the capture (a `date` capture). */
  note(micros: number): void {
    if (this.latest === undefined || micros > this.latest) this.latest = micros;
  }

  now(): number | undefined {
    const newest = newestStateTime(this.facts, this.seen);
    if (newest !== undefined && (this.latest === undefined || newest > this.latest)) this.latest = newest;
    this.seen.pods = this.facts.pods.length;
    this.seen.events = this.facts.events.length;
    this.seen.nodes = this.facts.nodes.length;
    this.seen.leases = this.facts.leases.length;
    return this.latest;
  }
}
