/**
 * Parsing a member "on trial": its results are held back until the parse shows whether
 * they are usable. A year-less log read before anything that dates the capture would put
 * all its records in no year; on trial, such a member is instead kept (its bytes, up to a
 * bound) and parsed again once every other input has been read. A member that dates
 * itself, or grows past the bound, goes to the store as if read directly.
 */
import type { Member } from '../bundle/types.js';
import type { Facts } from '../model/facts.js';
import type { JournalMarker, LogRecord, Unparsed } from '../model/records.js';
import type { MemberSink } from './handlers.js';

export interface TrialOutcome {
  /** The member to parse again later (replaying the bytes kept), when the trial left records undated. */
  deferred?: Member;
  /** Bytes kept for the deferred member. */
  bytes: number;
}

/**
 * Runs `read` on a copy of `member` whose sink calls are recorded. Returns the member to
 * read again when the parse left records undated and the member fit in `maxBytes`;
 * otherwise the recorded calls have reached the real sink, in order: at the end, at the
 * first dated record, or when the member outgrew `maxBytes`.
 */
export async function readOnTrial(
  member: Member,
  maxBytes: number,
  read: (member: Member, wrap: (sink: MemberSink) => MemberSink) => Promise<void>,
): Promise<TrialOutcome> {
  const kept: Buffer[] = [];
  let bytes = 0;
  let recorder: RecordingSink | undefined;
  /** Bytes are kept and calls recorded until the member dates itself or outgrows maxBytes. */
  let holding = true;

  const stopHolding = (): void => {
    holding = false;
    kept.length = 0;
    bytes = 0;
    recorder?.passThrough();
  };

  async function* keeping(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      if (holding && (recorder?.passing === true || bytes + chunk.length > maxBytes)) stopHolding();
      else if (holding) {
        kept.push(chunk);
        bytes += chunk.length;
      }
      yield chunk;
    }
  }

  // Kept chunks are replayed later, so none may be handed back for reuse.
  const { recycle: _reusable, ...held } = member;
  const onTrial: Member = { ...held, chunks: () => keeping(member.chunks()) };
  await read(onTrial, (sink) => (recorder = new RecordingSink(sink, !holding)));
  if (!recorder || !holding || recorder.passing) return { bytes: 0 };
  if (recorder.undatedRecords > 0) return { deferred: { ...held, chunks: () => replay(kept) }, bytes };
  recorder.passThrough();
  return { bytes: 0 };
}

async function* replay(chunks: readonly Buffer[]): AsyncGenerator<Buffer> {
  for (const chunk of chunks) yield chunk;
}

/** A MemberSink that records the parser's calls until told to pass them (and the rest) on. */
class RecordingSink implements MemberSink {
  readonly store: MemberSink['store'];
  readonly referenceTime: number | undefined;
  readonly inputZone: string;
  readonly inferZone: boolean;
  undatedRecords = 0;
  private calls: Array<(sink: MemberSink) => void> | undefined = [];

  constructor(private readonly target: MemberSink, passing: boolean) {
    this.store = target.store;
    this.referenceTime = target.referenceTime;
    this.inputZone = target.inputZone;
    this.inferZone = target.inferZone;
    if (passing) this.calls = undefined;
  }

  get passing(): boolean {
    return this.calls === undefined;
  }

  passThrough(): void {
    const calls = this.calls;
    this.calls = undefined;
    for (const call of calls ?? []) call(this.target);
  }

  private forward(call: (sink: MemberSink) => void): void {
    if (this.calls) this.calls.push(call);
    else call(this.target);
  }

  record(record: LogRecord): void {
    // Parsers hold year-less records until they can place them: a dated one means the member
    // dates itself, and holding the rest back would only cost memory.
    if (this.calls && record.ts !== undefined) this.passThrough();
    this.forward((s) => s.record(record));
  }
  marker(marker: JournalMarker): void {
    this.forward((s) => s.marker(marker));
  }
  unparsed(u: Unparsed): void {
    this.forward((s) => s.unparsed(u));
  }
  warning(message: string): void {
    this.forward((s) => s.warning(message));
  }
  yearInferred(year: number): void {
    this.forward((s) => s.yearInferred(year));
  }
  undated(count: number): void {
    this.undatedRecords += count;
    this.forward((s) => s.undated(count));
  }
  zoneInferred(zone: string, line: number): void {
    this.forward((s) => s.zoneInferred(zone, line));
  }
  captureDate(micros: number): void {
    this.forward((s) => s.captureDate(micros));
  }
  count(n: number): void {
    this.forward((s) => s.count(n));
  }
  facts(facts: Partial<Facts>, memberNode: string | undefined): void {
    this.forward((s) => s.facts(facts, memberNode));
  }
}
