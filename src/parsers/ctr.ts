/**
 * containerd `ctr` listings (Go text/tabwriter, space padded): `ctr -n k8s.io tasks list`,
 * `ctr -n k8s.io containers list`, `ctr sandboxes list` (containerd ≥ 1.7).
 *
 * Sample (`ctr -n k8s.io tasks list`, containerd cmd/ctr/commands/tasks/list.go layout, IDs
 * from the MicroK8s 1.28 inspect report):
 *   TASK                                                                PID     STATUS
 *   69b12e545e5c7a7620e648cedba3286e924f77bba7e1bf90f16b897860d94ae9    4507    RUNNING
 *   065e9affb2f3d2ac41bd9fa6bf727916d82c3259027f0ad0c39514a2873d3cec    5303    STOPPED
 *
 * Output: `ContainerdTaskFact` (id, pid, status), `ContainerdContainerFact` (id, image —
 * undefined for `-`, runtime), `SandboxFact` (id, created as printed, runtime).
 *
 * Quirks (format reference §5.1–5.3, §5.6): header cells carry trailing spaces; the sandbox
 * CREATED cell is Go's `time.Time` string with spaces (`2026-05-18 02:08:11.1 +0000 UTC`), so
 * rows are cut at the header's column offsets; a task of an exited shim may show PID 0.
 */
import type { ContainerdContainerFact, ContainerdTaskFact, SandboxFact } from '../model/facts.js';
import type { Unparsed } from '../model/records.js';
import type { StateParseResult } from './types.js';
import { findHeader, splitLines, splitRow, type StateParseContext, type TableHeader } from './text-table.js';

interface Row {
  cells: Record<string, string>;
  line: number;
}

/** Rows of the table whose header has `required` columns; lines before the header are unparsed. */
export function tableRows(text: string, ctx: StateParseContext, candidates: readonly string[], required: readonly string[]): { rows: Row[]; unparsed: Unparsed[]; header?: TableHeader } {
  const rows: Row[] = [];
  const unparsed: Unparsed[] = [];
  let header: TableHeader | undefined;
  splitLines(text).forEach((line, n) => {
    if (line.trim() === '') return;
    const h = findHeader(line, candidates, required);
    if (h && h.starts[0] !== undefined && line.slice(0, h.starts[0]).trim() === '') {
      header = h;
      return;
    }
    if (!header) {
      unparsed.push({ path: ctx.path, line: n + 1, reason: `before the table header (${required.join(' ')})` });
      return;
    }
    rows.push({ cells: splitRow(line, header), line: n + 1 });
  });
  if (!header && rows.length === 0 && unparsed.length > 0) {
    unparsed.splice(0, unparsed.length, { path: ctx.path, line: 1, reason: `no ${required.join(' ')} header found` });
  }
  return header ? { rows, unparsed, header } : { rows, unparsed };
}

function base<T extends { node?: string }>(fact: T, ctx: StateParseContext): T {
  if (ctx.node !== undefined) fact.node = ctx.node;
  return fact;
}

/** `ctr tasks list` → tasks. Never throws. */
export function parseCtrTasks(text: string, ctx: StateParseContext): StateParseResult<ContainerdTaskFact[]> {
  const { rows, unparsed } = tableRows(text, ctx, ['TASK', 'PID', 'STATUS'], ['TASK', 'PID', 'STATUS']);
  const value: ContainerdTaskFact[] = [];
  for (const { cells, line } of rows) {
    const id = cells.TASK ?? '';
    const pid = cells.PID ?? '';
    if (id === '' || !/^\d+$/.test(pid)) {
      unparsed.push({ path: ctx.path, line, reason: 'task row without an id and a numeric PID' });
      continue;
    }
    value.push(base<ContainerdTaskFact>({ id, pid: Number(pid), status: cells.STATUS ?? '', source: { path: ctx.path, line } }, ctx));
  }
  return { value, unparsed, warnings: [] };
}

/** `ctr containers list` → containers. Never throws. */
export function parseCtrContainers(text: string, ctx: StateParseContext): StateParseResult<ContainerdContainerFact[]> {
  const { rows, unparsed } = tableRows(text, ctx, ['CONTAINER', 'IMAGE', 'RUNTIME'], ['CONTAINER', 'IMAGE', 'RUNTIME']);
  const value: ContainerdContainerFact[] = [];
  for (const { cells, line } of rows) {
    const id = cells.CONTAINER ?? '';
    if (id === '' || /\s/.test(id)) {
      unparsed.push({ path: ctx.path, line, reason: 'container row without an id' });
      continue;
    }
    const fact = base<ContainerdContainerFact>({ id, source: { path: ctx.path, line } }, ctx);
    const image = cells.IMAGE ?? '';
    if (image !== '' && image !== '-') fact.image = image;
    if (cells.RUNTIME) fact.runtime = cells.RUNTIME;
    value.push(fact);
  }
  return { value, unparsed, warnings: [] };
}

/** `ctr sandboxes list` → sandboxes. Never throws. */
export function parseCtrSandboxes(text: string, ctx: StateParseContext): StateParseResult<SandboxFact[]> {
  const { rows, unparsed } = tableRows(text, ctx, ['ID', 'CREATED', 'RUNTIME'], ['ID', 'CREATED', 'RUNTIME']);
  const value: SandboxFact[] = [];
  for (const { cells, line } of rows) {
    const id = cells.ID ?? '';
    if (id === '' || /\s/.test(id)) {
      unparsed.push({ path: ctx.path, line, reason: 'sandbox row without an id' });
      continue;
    }
    const fact = base<SandboxFact>({ id, source: { path: ctx.path, line } }, ctx);
    if (cells.CREATED) fact.created = cells.CREATED;
    if (cells.RUNTIME) fact.runtime = cells.RUNTIME;
    value.push(fact);
  }
  return { value, unparsed, warnings: [] };
}
