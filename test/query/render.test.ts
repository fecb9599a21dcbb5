import { describe, it, expect } from 'vitest';
import { runQuery, type QueryResult } from '../../src/query/query.js';
import { renderQueryCsv, renderQueryJson, renderQueryTable } from '../../src/query/render.js';

const HOSTILE = 'test/data/query/hostile-journal.txt';
const ESC = '\u001b';

const result: QueryResult = {
  columns: ['node', 'n', 'message'],
  rows: [
    ['k8s03', 3193, 'level=warning msg="container event discarded", type=CONTAINER_CREATED_EVENT'],
    [null, '9007199254740993', 'two\nlines\r\nand a bell \u0007'],
  ],
  truncated: false,
  records: 2,
};

describe('renderQueryTable', () => {
  it('shows a hostile bundle line with its escapes visible, nothing raw', async () => {
    const hostile = await runQuery([HOSTILE], 'SELECT line, message FROM records WHERE line = 1');
    expect(hostile.rows[0]![1]).toContain(`${ESC}[31mred${ESC}[0m`);
    const table = renderQueryTable(hostile, { width: 200 });
    expect(table).not.toContain(ESC);
    expect(table).toContain('<script>alert(1)</script> \\x1b[31mred\\x1b[0m done');
    expect(table.endsWith('(1 row)\n')).toBe(true);
  });

  it('fits the width, wraps long cells, one line per value, NULL spelled out', () => {
    const table = renderQueryTable(result, { width: 60 });
    const lines = table.trimEnd().split('\n');
    expect(Math.max(...lines.slice(0, -1).map((l) => l.length))).toBe(60);
    expect(lines.at(-1)).toBe('(2 rows)');
    expect(table).toContain('NULL');
    expect(table).toContain('9007199254740993');
    expect(table).toContain('two lines and a bell \\x07');
    expect(table.replace(/[│ \n]/g, '')).toContain('level=warning');
  });

  it('says when rows were left out', () => {
    expect(renderQueryTable({ ...result, truncated: true })).toMatch(/\(2 rows; more matched and were not kept\)\n$/);
  });
});

describe('renderQueryCsv', () => {
  it('quotes per RFC 4180, NULL empty, controls visible', () => {
    expect(renderQueryCsv(result)).toBe(
      'node,n,message\r\n' +
        'k8s03,3193,"level=warning msg=""container event discarded"", type=CONTAINER_CREATED_EVENT"\r\n' +
        ',9007199254740993,"two\nlines\\x0d\nand a bell \\x07"\r\n',
    );
  });
});

describe('renderQueryJson', () => {
  it('round-trips columns, rows and truncated', () => {
    const text = renderQueryJson(result);
    expect(JSON.parse(text)).toEqual({ columns: result.columns, rows: result.rows, truncated: false });
    expect(text).not.toContain('\u0007');
    expect(text.split('\n')).toHaveLength(9);
  });

  it('prints an empty result as valid JSON', () => {
    expect(JSON.parse(renderQueryJson({ columns: ['x'], rows: [], truncated: false, records: 0 }))).toEqual({ columns: ['x'], rows: [], truncated: false });
  });
});
