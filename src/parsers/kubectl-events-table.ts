/**
 * Event tables as kubectl prints them for people: `kubectl get events [-A] [-o wide]`,
 * `kubectl events`, and the `Events:` section of `kubectl describe <pod|node>`.
 *
 * Sample (`kubectl describe pod`, kubelet sandbox failures; kubectl describe + `kubectl get events -A`):
 *   Events:
 *     Type     Reason                  Age                From     Message
 *     ----     ------                  ----               ----     -------
 *     Warning  FailedCreatePodSandBox  72s (x7 over 72s)  kubelet  Failed to create pod sandbox: rpc error: code = Unknown desc = failed to reserve sandbox name
 *   NAMESPACE   LAST SEEN   TYPE      REASON    OBJECT                        MESSAGE
 *   default     2m          Warning   BackOff   pod/worker-7d9c5b8f4d-q2w7x   Back-off restarting failed container
 *
 * Output: `EventFact[]` without timestamps (the table shows ages relative to an unknown
 * "now"), with count (`COUNT` column or `(x7 over 72s)`), the involved object, source, and
 * the row's line as provenance.
 *
 * Quirks:
 * - Columns are tabwriter-aligned: cells are cut at the header's column offsets, so
 *   multi-word values (`LAST SEEN`, messages) stay whole. With `-o wide` MESSAGE is not last.
 * - OBJECT is `pod/name` in `get events` and `Pod/name` in `kubectl events`.
 * - Old kubectl (≤1.13) prints `LAST SEEN FIRST SEEN COUNT NAME KIND SUBOBJECT TYPE REASON SOURCE MESSAGE`;
 *   there NAME is the involved object, in `-o wide` it is the event's own name.
 * - Describe messages can wrap onto continuation lines with empty leading columns.
 * - A describe row pasted alone, spaces collapsed (`Warning FailedCreatePodSandBox 5s (x7 over
 *   72s) kubelet Failed to …`), is read by the shape of its cells.
 */
import type { EventFact } from '../model/facts.js';
import type { Unparsed } from '../model/records.js';
import type { StateParseResult } from './types.js';

export interface EventsTableContext {
  path: string;
  node?: string;
}

// column names of a header: `LAST SEEN`, `TYPE`… (names are separated by two or more spaces)
const HEADER_CELL = /\S+(?: \S+)*/g;
// 72s (x7 over 72s)
const REPEAT = /\(x(\d+) over [^)]*\)/;
// Events:  <none>   |   Events:
const EVENTS_SECTION = /^(\s*)Events:\s*(<none>)?\s*$/;
// Name:         worker-7d9c5b8f4d-q2w7x   (top-level describe field)
const DESCRIBE_FIELD = /^(Name|Namespace):\s+(\S+)\s*$/;
// Warning FailedCreatePodSandBox 5s (x7 over 72s) kubelet Failed to …   (a describe event row
// pasted without its header, columns collapsed to single spaces)
export const LOOSE_ROW = /^\s*(Normal|Warning) ([A-Z][A-Za-z]+) (\S+(?: \(x\d+ over \S+\))?) ([a-z][\w.-]*(?:, \S+)?) (\S.*)$/;
// ----     ------   ----   (describe header underline)
const UNDERLINE = /^\s*-{2,}(?:\s+-{2,})*\s*$/;

const KIND_NAMES: Record<string, string> = {
  pod: 'Pod', node: 'Node', lease: 'Lease', deployment: 'Deployment', replicaset: 'ReplicaSet', daemonset: 'DaemonSet',
  statefulset: 'StatefulSet', job: 'Job', cronjob: 'CronJob', service: 'Service', endpoints: 'Endpoints',
  persistentvolumeclaim: 'PersistentVolumeClaim', poddisruptionbudget: 'PodDisruptionBudget', namespace: 'Namespace',
};

interface Column {
  name: string;
  start: number;
}

function headerColumns(line: string): Column[] | undefined {
  const columns: Column[] = [];
  for (const m of line.matchAll(HEADER_CELL)) columns.push({ name: m[0].toUpperCase(), start: m.index });
  const names = new Set(columns.map((c) => c.name));
  if (!names.has('REASON') || !names.has('MESSAGE') || !(names.has('TYPE') || names.has('LAST SEEN') || names.has('COUNT'))) return undefined;
  // Headers are upper case in `get events`, capitalised in describe.
  if (!/^\s*(?:[A-Z]+(?: [A-Z]+)*|[A-Z][a-z]+(?:[A-Z][a-z]+)*)(?:\s{2,}|$)/.test(line)) return undefined;
  return columns;
}

function cells(line: string, columns: Column[]): Record<string, string> {
  const out: Record<string, string> = {};
  columns.forEach((col, i) => {
    const next = columns[i + 1];
    out[col.name] = (next ? line.slice(col.start, next.start) : line.slice(col.start)).trim();
  });
  return out;
}

function kindName(kind: string): string {
  return KIND_NAMES[kind.toLowerCase()] ?? (kind ? kind[0]!.toUpperCase() + kind.slice(1) : kind);
}

/** Parse event tables; lines outside tables are skipped silently (describe output, prompts). */
export function parseKubectlEventsTable(text: string, ctx: EventsTableContext): StateParseResult<EventFact[]> {
  const events: EventFact[] = [];
  const unparsed: Unparsed[] = [];
  const warnings: string[] = [];
  const lines = text.split(/\r?\n/);
  let columns: Column[] | undefined;
  let inDescribe = false;
  let described: { name?: string; namespace?: string; kind?: string } = {};
  let last: EventFact | undefined;

  lines.forEach((line, index) => {
    const lineNo = index + 1;
    const field = DESCRIBE_FIELD.exec(line);
    if (field && !columns) {
      if (field[1] === 'Name') described = { name: field[2]! };
      else described.namespace = field[2]!;
      return;
    }
    if (!columns && /^(?:Containers|Init Containers):/.test(line)) described.kind ??= 'Pod';
    if (!columns && /^(?:System Info|Taints|Unschedulable):/.test(line)) described.kind ??= 'Node';
    const section = EVENTS_SECTION.exec(line);
    if (section) {
      inDescribe = true;
      columns = undefined;
      if (section[2]) inDescribe = false;
      return;
    }
    const header = headerColumns(line);
    if (header) {
      columns = header;
      last = undefined;
      return;
    }
    let row: Record<string, string>;
    if (columns) {
      if (line.trim() === '') {
        if (inDescribe) {
          columns = undefined;
          inDescribe = false;
          described = {};
        }
        return;
      }
      if (UNDERLINE.test(line)) return;
      if (inDescribe && line.search(/\S/) < columns[0]!.start) {
        // dedented: the describe output moved on
        columns = undefined;
        inDescribe = false;
        return;
      }
      row = cells(line, columns);
    } else {
      const loose = LOOSE_ROW.exec(line);
      if (!loose) return;
      row = { TYPE: loose[1]!, REASON: loose[2]!, AGE: loose[3]!, FROM: loose[4]!, MESSAGE: loose[5]! };
    }
    const reason = row.REASON ?? '';
    const typeCell = row.TYPE ?? '';
    if (!reason && !typeCell && last && (row.MESSAGE ?? '') !== '') {
      last.message += `\n${row.MESSAGE}`;
      return;
    }
    if (!reason || /\s/.test(reason)) {
      unparsed.push({ path: ctx.path, line: lineNo, reason: 'event table row without a readable REASON cell' });
      return;
    }
    const age = row['LAST SEEN'] ?? row.AGE ?? '';
    const repeat = REPEAT.exec(age);
    const countCell = row.COUNT;
    let count = repeat ? Number(repeat[1]) : countCell && /^\d+$/.test(countCell) ? Number(countCell) : 1;
    if (!Number.isFinite(count) || count < 1) count = 1;

    const involved: EventFact['involved'] = {};
    const object = row.OBJECT;
    if (object !== undefined) {
      const slash = object.indexOf('/');
      if (slash > 0) {
        involved.kind = kindName(object.slice(0, slash));
        involved.name = object.slice(slash + 1);
      } else if (object) involved.kind = kindName(object);
    } else if (inDescribe) {
      if (described.kind) involved.kind = described.kind;
      if (described.name) involved.name = described.name;
    } else {
      if (row.KIND) involved.kind = kindName(row.KIND);
      if (row.NAME) involved.name = row.NAME;
    }
    const namespace = row.NAMESPACE || (inDescribe ? described.namespace : undefined);
    if (namespace && involved.kind !== 'Node') involved.namespace = namespace;

    const sourceCell = row.SOURCE ?? row.FROM ?? '';
    const [component, host] = sourceCell.split(/,\s*/);
    const event: EventFact = {
      ...(namespace ? { namespace } : {}),
      ...(object !== undefined && row.NAME ? { name: row.NAME } : {}),
      ...(typeCell ? { type: typeCell } : {}),
      reason,
      message: row.MESSAGE ?? '',
      involved,
      count,
      ...(component ? { sourceComponent: component } : {}),
      ...(host ? { sourceHost: host } : component === 'kubelet' && ctx.node ? { sourceHost: ctx.node } : {}),
      source: { path: ctx.path, line: lineNo },
    };
    events.push(event);
    last = event;
  });
  if (unparsed.length > 0) warnings.push(`${ctx.path}: ${unparsed.length} event table row(s) could not be read`);
  return { value: events, unparsed, warnings };
}
