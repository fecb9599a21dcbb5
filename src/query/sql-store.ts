import type Database from 'better-sqlite3';
import { sqlite } from '../lazy-require.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineResult } from '../engine/evaluate.js';
import type { Facts } from '../model/facts.js';
import type { LogRecord, Unparsed } from '../model/records.js';
import { microsToIso } from '../model/time.js';
import type { ReportInput, ReportTimelineEntry } from '../report/types.js';

/**
 * The SQL event store behind `pleg-analyze query`: every normalized log record, plus the
 * findings, noise, timeline and the main state facts of one analysis.
 *
 * Always a temporary file, never `:memory:`: the record count is unknown until a streamed
 * multi-GB journal has been read, and an in-memory database would hold every message in the
 * process (moving to a file half way costs a full copy at peak memory). With
 * `journal_mode=OFF` and `synchronous=OFF` nothing is fsynced, so a small capture stays in
 * the OS page cache and loads about as fast as in memory. The file is deleted on close.
 */
export interface EventDatabase {
  db: Database.Database;
  /** Closes the database and removes its temporary directory. Safe to call twice. */
  close(): void;
}

export function openEventDatabase(parentDir: string = tmpdir()): EventDatabase {
  const dir = mkdtempSync(join(parentDir, 'pleg-analyze-query-'));
  let db: Database.Database;
  try {
    db = new (sqlite())(join(dir, 'events.sqlite'));
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -65536'); // 64 MiB page cache
    db.exec(SCHEMA);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  let closed = false;
  return {
    db,
    close() {
      if (closed) return;
      closed = true;
      try {
        db.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

// `ts` is computed on read (µs → ISO UTC with milliseconds, as microsToIso prints it), so
// loading does not format a date per record. Integer division floors for post-1970 times.
const SCHEMA = `
CREATE TABLE records(
  ts_us INTEGER,
  ts TEXT GENERATED ALWAYS AS (
    CASE WHEN ts_us IS NULL THEN NULL
    ELSE strftime('%Y-%m-%dT%H:%M:%S', ts_us / 1000000, 'unixepoch') || printf('.%03dZ', (ts_us / 1000) % 1000) END
  ) VIRTUAL,
  node TEXT, unit TEXT, identifier TEXT, pid INTEGER, priority INTEGER, boot_id TEXT, message TEXT,
  path TEXT, line INTEGER, entry INTEGER, cursor TEXT, namespace TEXT, pod TEXT, container TEXT
);
CREATE TABLE findings(
  id TEXT, title TEXT, severity TEXT, kind TEXT, confidence REAL, nodes TEXT,
  window_start TEXT, window_end TEXT, summary TEXT, explained_by TEXT, causes TEXT, caused_by TEXT
);
CREATE TABLE evidence(finding_id TEXT, path TEXT, line INTEGER, ts TEXT, node TEXT, text TEXT, count INTEGER);
CREATE TABLE noise(id TEXT, count INTEGER, first TEXT, last TEXT, nodes TEXT, explanation TEXT);
CREATE TABLE timeline(ts TEXT, node TEXT, source TEXT, kind TEXT, text TEXT, count INTEGER, findings TEXT);
CREATE TABLE inputs(path TEXT, kind TEXT, node TEXT, records INTEGER, unparsed INTEGER, skipped INTEGER);
CREATE TABLE unparsed(path TEXT, line INTEGER, reason TEXT);
CREATE TABLE warnings(path TEXT, message TEXT);
CREATE TABLE pods(namespace TEXT, name TEXT, node TEXT, phase TEXT, created TEXT, deleted TEXT, restarts INTEGER, owner TEXT, path TEXT);
CREATE TABLE nodes(name TEXT, ready TEXT, unschedulable INTEGER, vtep TEXT, internal_ip TEXT, boot_id TEXT, kubelet_version TEXT, path TEXT);
CREATE TABLE events(namespace TEXT, type TEXT, reason TEXT, message TEXT, object TEXT, count INTEGER, first TEXT, last TEXT, host TEXT, path TEXT);
CREATE TABLE routes(node TEXT, dst TEXT, gateway TEXT, dev TEXT, flags TEXT, protocol TEXT, scope TEXT, raw TEXT, path TEXT);
CREATE TABLE ipam_blocks(cidr TEXT, node TEXT, used INTEGER, size INTEGER, affinity TEXT, deleted INTEGER, path TEXT);
`;

const RECORD_BATCH = 10_000;

/**
 * Inserts records with one prepared statement inside batched transactions: one commit per
 * RECORD_BATCH rows. better-sqlite3 is synchronous and this is the only connection, so a
 * transaction may stay open across the ingest's awaits.
 */
export class RecordLoader {
  private readonly insert: Database.Statement;
  private pending = 0;
  count = 0;

  constructor(private readonly db: Database.Database) {
    this.insert = db.prepare(
      `INSERT INTO records(ts_us, node, unit, identifier, pid, priority, boot_id, message, path, line, entry, cursor, namespace, pod, container)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  add(record: LogRecord): void {
    if (this.pending === 0) this.db.exec('BEGIN');
    const ts = record.ts;
    const source = record.source;
    const container = record.container;
    this.insert.run(
      ts === undefined || !Number.isFinite(ts) ? null : Math.floor(ts),
      record.node ?? null,
      record.unit ?? null,
      record.identifier ?? null,
      record.pid ?? null,
      record.priority ?? null,
      record.bootId ?? null,
      record.message,
      source.path,
      source.line ?? null,
      source.entry ?? null,
      source.cursor ?? null,
      container?.namespace ?? null,
      container?.pod ?? null,
      container?.container ?? null,
    );
    this.count++;
    if (++this.pending >= RECORD_BATCH) this.commit();
  }

  /** Commits the open batch; call once the ingest is done (or failed). */
  commit(): void {
    if (this.pending === 0) return;
    this.pending = 0;
    this.db.exec('COMMIT');
  }
}

export interface AnalysisTables {
  facts: Facts;
  engine: EngineResult;
  timeline: ReportTimelineEntry[];
  inputs: ReportInput[];
  unparsed: Unparsed[];
  warnings: Array<{ path: string; message: string }>;
}

const isoOrNull = (micros: number | undefined) => (micros === undefined || !Number.isFinite(micros) ? null : microsToIso(micros));
const list = (values: readonly string[] | undefined) => (values && values.length ? values.join(',') : null);
const bool = (value: boolean | undefined) => (value === undefined ? null : value ? 1 : 0);

/** Loads everything but the records, in one transaction. */
export function loadAnalysis(db: Database.Database, tables: AnalysisTables): void {
  const insert = (table: string, columns: number) =>
    db.prepare(`INSERT INTO ${table} VALUES (${new Array<string>(columns).fill('?').join(', ')})`);
  db.transaction(() => {
    const finding = insert('findings', 12);
    const evidence = insert('evidence', 7);
    for (const f of tables.engine.findings) {
      finding.run(f.id, f.title, f.severity, f.kind, f.confidence, list(f.nodes), f.window?.start ?? null, f.window?.end ?? null,
        f.summary, list(f.explainedBy), list(f.causes), list(f.causedBy));
      for (const e of f.evidence) evidence.run(f.id, e.path, e.line ?? null, e.ts ?? null, e.node ?? null, e.text, e.count ?? null);
    }
    const noise = insert('noise', 6);
    for (const n of tables.engine.noise) noise.run(n.id, n.count, n.first ?? null, n.last ?? null, list(n.nodes), n.explanation);
    const timeline = insert('timeline', 7);
    for (const t of tables.timeline) timeline.run(t.ts, t.node ?? null, t.source, t.kind, t.text, t.count ?? null, list(t.findings));
    const input = insert('inputs', 6);
    for (const i of tables.inputs) input.run(i.path, i.kind, i.node ?? null, i.records, i.unparsed, bool(i.skipped));
    const unparsed = insert('unparsed', 3);
    for (const u of tables.unparsed) unparsed.run(u.path, u.line, u.reason);
    const warning = insert('warnings', 2);
    for (const w of tables.warnings) warning.run(w.path, w.message);
    loadFacts(insert, tables.facts);
  })();
}

function loadFacts(insert: (table: string, columns: number) => Database.Statement, facts: Facts): void {
  const pod = insert('pods', 9);
  for (const p of facts.pods) {
    const restarts = [...p.containers, ...p.initContainers].reduce((sum, c) => sum + c.restartCount, 0);
    pod.run(p.namespace, p.name, p.nodeName ?? null, p.phase ?? null, isoOrNull(p.creationTimestamp), isoOrNull(p.deletionTimestamp),
      restarts, p.ownerKind && p.ownerName ? `${p.ownerKind}/${p.ownerName}` : null, p.source.path);
  }
  const node = insert('nodes', 8);
  for (const n of facts.nodes) {
    node.run(n.name, n.ready?.status ?? null, bool(n.unschedulable), n.vxlanTunnelAddr ?? null, n.internalIP ?? null,
      n.bootID ?? null, n.kubeletVersion ?? null, n.source.path);
  }
  const event = insert('events', 10);
  for (const e of facts.events) {
    const object = e.involved.kind || e.involved.name ? [e.involved.kind, e.involved.name].filter(Boolean).join('/') : null;
    event.run(e.namespace ?? e.involved.namespace ?? null, e.type ?? null, e.reason, e.message, object, e.count,
      isoOrNull(e.firstTimestamp ?? e.eventTime), isoOrNull(e.lastTimestamp ?? e.eventTime), e.sourceHost ?? null, e.source.path);
  }
  const route = insert('routes', 9);
  for (const r of facts.routes) {
    route.run(r.node ?? null, r.dst, r.gateway ?? null, r.dev ?? null, list(r.flags), r.protocol ?? null, r.scope ?? null, r.raw, r.source.path);
  }
  const block = insert('ipam_blocks', 7);
  for (const b of facts.ipamBlocks) {
    const used = b.allocations.filter((a) => a !== null).length;
    block.run(b.cidr, b.node ?? null, used, b.size, b.affinity ?? null, bool(b.deleted), b.source.path);
  }
}
