import type Database from 'better-sqlite3';
import type { BundleLimits } from '../bundle/types.js';
import { createRuleContext } from '../engine/context.js';
import { evaluateRules } from '../engine/evaluate.js';
import { UsageError } from '../errors.js';
import { ingest } from '../ingest/ingest.js';
import { isValidZone, isoToMicros } from '../model/time.js';
import { buildTimeline } from '../report/timeline.js';
import { formatInZone } from '../report/zone.js';
import { RULES } from '../rules/index.js';
import { loadAnalysis, openEventDatabase, RecordLoader } from './sql-store.js';

export type QueryValue = string | number | null;

export interface QueryResult {
  columns: string[];
  rows: QueryValue[][];
  /** More rows matched than `maxRows`; only the first `maxRows` are in `rows`. */
  truncated: boolean;
  /** Log records loaded into the `records` table. */
  records: number;
}

export interface QueryOptions {
  /** IANA zone of the `local_time()` SQL function. Default UTC. */
  timezone?: string;
  /** IANA zone in which zone-less timestamps were printed. Default: `timezone`. */
  inputZone?: string;
  /** Where `-` reads from. */
  stdin?: NodeJS.ReadableStream;
  limits?: Partial<BundleLimits>;
  /** Rows kept in the result (default 1,000,000); `truncated` says when more matched. */
  maxRows?: number;
  /** Directory for the temporary database (default: os.tmpdir()). */
  tempDir?: string;
  onProgress?(progress: { member: string; bytes: number }): void;
  onBytes?(n: number): void;
}

const DEFAULT_MAX_ROWS = 1_000_000;
const TABLES_HINT = 'the tables and columns are listed in: pleg-analyze query --help';

/**
 * Runs one read-only SQL statement over the normalized records and the analysis of the
 * inputs. The statement is checked against the schema before the inputs are read, so a
 * typo fails at once rather than after a multi-GB ingest.
 */
export async function runQuery(inputs: string[], sql: string, options: QueryOptions = {}): Promise<QueryResult> {
  if (inputs.length === 0) throw new UsageError('no input given', 'pass a bundle (.tgz/.tar), a directory, a file or - for stdin');
  const timezone = options.timezone ?? 'UTC';
  if (!isValidZone(timezone)) throw new UsageError(`unknown time zone "${timezone}"`, 'use an IANA name such as Australia/Brisbane');
  const inputZone = options.inputZone ?? timezone;
  if (!isValidZone(inputZone)) throw new UsageError(`unknown time zone "${inputZone}"`, 'use an IANA name such as Australia/Brisbane');

  const store = openEventDatabase(options.tempDir);
  try {
    const { db } = store;
    registerFunctions(db, timezone);
    const statement = prepareReadOnly(db, sql);

    const loader = new RecordLoader(db);
    // Same steps as analyze(), which has no onRecord option yet.
    let ingested;
    try {
      ingested = await ingest(inputs, {
        inputZone,
        ...(options.inputZone ? {} : { inferZone: true }),
        onRecord: (record) => loader.add(record),
        ...(options.limits ? { limits: options.limits } : {}),
        ...(options.stdin ? { stdin: options.stdin } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(options.onBytes ? { onBytes: options.onBytes } : {}),
      });
    } finally {
      loader.commit();
    }
    // The rules' view of the facts: inspect-report members carry the node their journals name.
    const ctx = createRuleContext(ingested.store);
    const engine = evaluateRules(RULES, ctx);
    loadAnalysis(db, {
      facts: ctx.facts,
      engine,
      timeline: buildTimeline(ingested.store, engine),
      inputs: ingested.inputs,
      unparsed: ingested.unparsed,
      warnings: ingested.warnings,
    });

    db.pragma('query_only = ON');
    return { ...execute(statement, options.maxRows ?? DEFAULT_MAX_ROWS), records: loader.count };
  } finally {
    store.close();
  }
}

function prepareReadOnly(db: Database.Database, sql: string): Database.Statement {
  let statement: Database.Statement;
  try {
    statement = db.prepare(sql);
  } catch (error) {
    throw toUsageError(error);
  }
  // `readonly` also catches reads with side effects: DELETE … RETURNING, PRAGMA journal_mode=WAL.
  if (!statement.reader || !statement.readonly) {
    throw new UsageError(
      'the query must be a single statement that only reads (SELECT, WITH, VALUES, or a PRAGMA that returns rows); the event store is read-only',
      TABLES_HINT,
    );
  }
  return statement;
}

function toUsageError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  if (error instanceof RangeError && /more than one statement/.test(error.message)) {
    return new UsageError('the query must be a single SQL statement (found more than one)', 'run each statement on its own');
  }
  if (error instanceof RangeError && /no statements/.test(error.message)) {
    return new UsageError('the query is empty', TABLES_HINT);
  }
  // better-sqlite3's SqliteError carries SQLite's message, e.g. `near "selec": syntax error`.
  if (error.name === 'SqliteError') return new UsageError(`SQL error: ${error.message}`, TABLES_HINT);
  return error;
}

function execute(statement: Database.Statement, maxRows: number): Omit<QueryResult, 'records'> {
  statement.safeIntegers(true).raw(true);
  const columns = statement.columns().map((c) => c.name);
  const rows: QueryValue[][] = [];
  let truncated = false;
  try {
    for (const row of statement.iterate() as IterableIterator<unknown[]>) {
      if (rows.length >= maxRows) {
        truncated = true;
        break;
      }
      rows.push(row.map(toQueryValue));
    }
  } catch (error) {
    throw toUsageError(error);
  }
  return { columns, rows, truncated };
}

/** BigInt → number when exact, else its decimal string; blobs → `x'…'` hex literal. */
export function toQueryValue(value: unknown): QueryValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
  }
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return `x'${value.toString('hex')}'`;
  return String(value);
}

function registerFunctions(db: Database.Database, timezone: string): void {
  // local_time(ts_us) or local_time(ts): the time in --tz, labelled, as the text report prints it.
  db.function('local_time', { deterministic: true, safeIntegers: true }, (value: unknown) => {
    let micros: number | undefined;
    if (typeof value === 'bigint') micros = Number(value);
    else if (typeof value === 'number') micros = value;
    else if (typeof value === 'string') micros = isoToMicros(value);
    return micros === undefined || !Number.isFinite(micros) ? null : formatInZone(micros, timezone);
  });
}

/** Epilog of `pleg-analyze query --help`. */
export const QUERY_HELP = `Tables (times: ts/first/last/created… are ISO-8601 UTC text; ts_us is µs since the epoch):
  records      ts_us, ts, node, unit, identifier, pid, priority, boot_id, message,
               path, line, entry, cursor, namespace, pod, container
               (every normalized log line: journals, klog files, container logs)
  findings     id, title, severity, kind, confidence, nodes, window_start, window_end,
               summary, explained_by, causes, caused_by        (lists are comma-separated)
  evidence     finding_id, path, line, ts, node, text, count
  noise        id, count, first, last, nodes, explanation
  timeline     ts, node, source, kind, text, count, findings
  pods         namespace, name, node, phase, created, deleted, restarts, owner, path
  nodes        name, ready, unschedulable, vtep, internal_ip, boot_id, kubelet_version, path
  events       namespace, type, reason, message, object, count, first, last, host, path
  routes       node, dst, gateway, dev, flags, protocol, scope, raw, path
  ipam_blocks  cidr, node, used, size, affinity, deleted, path
  inputs       path, kind, node, records, unparsed, skipped
  unparsed     path, line, reason
  warnings     path, message
Functions: local_time(ts_us or ts) prints a time in --tz, e.g. "2026-05-18 00:15:02 AEST".
Only one read-only statement runs (SELECT, WITH, VALUES).

Examples:
  pleg-analyze query bundle.tgz "SELECT node, unit, count(*) AS n FROM records GROUP BY node, unit ORDER BY n DESC"
  pleg-analyze query bundle.tgz "SELECT node, max(ts) AS last, message FROM records WHERE unit = 'snap.microk8s.daemon-kubelite' GROUP BY node"
  pleg-analyze query bundle.tgz "SELECT ts, node, path, line, message FROM records WHERE message LIKE '%PLEG is not healthy%' ORDER BY ts_us" --format csv`;
