import Table from 'cli-table3';
import { oneLine, visibleControls } from '../report/sanitize.js';
import type { QueryResult, QueryValue } from './query.js';

const MIN_COLUMN = 6;
const HEADER_FLOOR = 14;
const SHORT_COLUMN = 30;
/** Cells longer than this are clipped in the table (json/csv keep everything). */
const MAX_CELL = 2000;

function cellText(value: QueryValue): string {
  if (value === null) return 'NULL';
  const text = oneLine(String(value));
  return text.length > MAX_CELL ? `${text.slice(0, MAX_CELL - 1)}…` : text;
}

/**
 * Column widths (content + 2 padding) that fit `width` with the borders. Short columns
 * (times, ids, units) keep their natural width when they can and the long ones (messages,
 * paths) are cut down to one common level; failing that every column is cut, never below
 * its header (up to HEADER_FLOOR). Cut cells wrap.
 */
function fitWidths(natural: number[], headers: number[], width: number): number[] {
  const full = natural.map((w) => w + 2);
  const budget = width - (full.length + 1);
  const sum = (widths: number[]) => widths.reduce((a, b) => a + b, 0);
  if (sum(full) <= budget) return full;
  const keepShort = full.map((w) => Math.min(w, SHORT_COLUMN + 2));
  const headerFloors = full.map((w, i) => Math.min(w, Math.max(MIN_COLUMN, Math.min(headers[i]! + 2, HEADER_FLOOR))));
  const floors = sum(keepShort) <= budget ? keepShort : headerFloors;
  const at = (level: number) => full.map((w, i) => Math.max(floors[i]!, Math.min(w, level)));
  let low = 0;
  let high = Math.max(...full);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (sum(at(mid)) <= budget) low = mid;
    else high = mid - 1;
  }
  return at(low);
}

/** Bundle strings are untrusted: control characters are shown as `\xNN`, never sent raw. */
export function renderQueryTable(result: QueryResult, options: { width?: number } = {}): string {
  const width = options.width ?? 120;
  const head = result.columns.map((c) => oneLine(c));
  const cells = result.rows.map((row) => row.map(cellText));
  const natural = head.map((h, i) => Math.max(h.length, ...cells.map((row) => (row[i] ?? '').length)));
  const table = new Table({
    head,
    colWidths: fitWidths(natural, head.map((h) => h.length), width),
    wordWrap: true,
    wrapOnWordBoundary: false,
    style: { head: [], border: [] },
  });
  for (const row of cells) table.push(row);
  const count = `(${result.rows.length} row${result.rows.length === 1 ? '' : 's'}${result.truncated ? '; more matched and were not kept' : ''})`;
  return `${table.toString()}\n${count}\n`;
}

/** `{ columns, rows, truncated }`, one row per line so large results stay greppable. */
export function renderQueryJson(result: QueryResult): string {
  const rows = result.rows.map((row) => `    ${JSON.stringify(row)}`).join(',\n');
  return `{\n  "columns": ${JSON.stringify(result.columns)},\n  "rows": [${rows ? `\n${rows}\n  ` : ''}],\n  "truncated": ${result.truncated}\n}\n`;
}

/**
 * RFC 4180: CRLF line ends, fields quoted when they hold a quote, comma or line break; NULL
 * is empty. CSV often lands on a terminal, so control characters other than tab and line
 * feed are shown as `\xNN` like in the table (JSON escapes them by itself).
 */
export function renderQueryCsv(result: QueryResult): string {
  const field = (value: QueryValue) => {
    if (value === null) return '';
    const text = visibleControls(String(value));
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const lines = [result.columns, ...result.rows].map((row) => row.map(field).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
