import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogRecord, Unparsed } from '../../src/model/records.js';
import type { RouteFact } from '../../src/model/facts.js';
import { parseIpRoute } from '../../src/parsers/ip-route.js';
import { parseJournaldExport } from '../../src/parsers/journald-export.js';
import { chunksOf } from '../../src/parsers/line-splitter.js';

/**
 * Round trips: what a small writer of the format produces, the parser reads back unchanged.
 * The export writer follows systemd's output_export(): `NAME=value\n` for printable values,
 * `NAME\n<le64 length><bytes>\n` otherwise (any value with a newline or NUL must take that
 * form; others may); an empty line ends the entry.
 */

/** Text that stresses the framing: newlines, blank lines, `=`, NUL, CR, multi-byte UTF-8. */
const valueText = fc.string({
  unit: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom('\n', '\n\n', '=', '\u0000', '\r', '\t', 'é', '😀', ' ', 'MESSAGE=', '__CURSOR=') },
    { weight: 10, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
  ),
  maxLength: 80,
});
const printable = fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 30 }).filter((s) => !/[\n\u0000]/.test(s));

interface EntrySpec {
  message: string;
  hostname: string;
  identifier: string;
  pid: number;
  priority: number;
  bootId: string;
  realtime: number;
  cursor: string;
  unit: string;
  extra: Array<[string, string]>;
  /** Per field: force the binary form even when the text form would do. */
  binary: boolean[];
  order: number[];
}

const entrySpec: fc.Arbitrary<EntrySpec> = fc.record({
  message: valueText,
  hostname: printable,
  identifier: printable,
  pid: fc.integer({ min: 2, max: 4_194_304 }),
  priority: fc.integer({ min: 0, max: 7 }),
  bootId: fc.stringMatching(/^[0-9a-f]{32}$/),
  realtime: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  cursor: printable,
  unit: printable.map((u) => `${u.replace(/\s/g, '_')}.service`),
  extra: fc.array(fc.tuple(fc.stringMatching(/^[A-Z][A-Z0-9_]{0,20}$/), valueText), { maxLength: 4 }),
  binary: fc.array(fc.boolean(), { minLength: 9, maxLength: 9 }),
  order: fc.shuffledSubarray([0, 1, 2, 3, 4, 5, 6, 7, 8], { minLength: 9, maxLength: 9 }),
});

const KNOWN = new Set(['MESSAGE', '_HOSTNAME', 'SYSLOG_IDENTIFIER', '_PID', 'PRIORITY', '_BOOT_ID', '__REALTIME_TIMESTAMP', '__CURSOR', '_SYSTEMD_UNIT', 'UNIT', '_COMM', 'SYSLOG_PID']);

function field(name: string, value: string, binary: boolean): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  if (!binary && !bytes.includes(0x0a) && !bytes.includes(0x00)) return Buffer.from(`${name}=${value}\n`, 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(bytes.length));
  return Buffer.concat([Buffer.from(`${name}\n`), length, bytes, Buffer.from('\n')]);
}

function writeExport(entries: EntrySpec[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const fields: Array<[string, string]> = [
      ['__CURSOR', e.cursor],
      ['__REALTIME_TIMESTAMP', String(e.realtime)],
      ['_BOOT_ID', e.bootId],
      ['PRIORITY', String(e.priority)],
      ['SYSLOG_IDENTIFIER', e.identifier],
      ['_PID', String(e.pid)],
      ['_SYSTEMD_UNIT', e.unit],
      ['_HOSTNAME', e.hostname],
      ['MESSAGE', e.message],
    ];
    for (const i of e.order) {
      const [name, value] = fields[i]!;
      parts.push(field(name, value, e.binary[i]!));
    }
    for (const [name, value] of e.extra) if (!KNOWN.has(name)) parts.push(field(name, value, false));
    parts.push(Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

describe('journald export: writer → parser round trip', () => {
  it('gives back every entry with the same field values, whatever the chunking', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(entrySpec, { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 300 }), async (entries, chunk) => {
        const records: LogRecord[] = [];
        const unparsed: Unparsed[] = [];
        const stats = await parseJournaldExport(chunksOf(writeExport(entries), chunk), {
          path: 'rt.export',
          onRecord: (r) => records.push(r),
          onUnparsed: (u) => unparsed.push(u),
        });
        expect(unparsed).toEqual([]);
        expect(stats.records).toBe(entries.length);
        expect(
          records.map((r) => ({ message: r.message, node: r.node, identifier: r.identifier, pid: r.pid, priority: r.priority, bootId: r.bootId, ts: r.ts, cursor: r.source.cursor, unit: r.unit, entry: r.source.entry })),
        ).toEqual(
          entries.map((e, i) => ({ message: e.message, node: e.hostname, identifier: e.identifier, pid: e.pid, priority: e.priority, bootId: e.bootId, ts: e.realtime, cursor: e.cursor, unit: e.unit.slice(0, -'.service'.length), entry: i + 1 })),
        );
      }),
      { numRuns: 300 },
    );
  });
});

const octet = fc.integer({ min: 0, max: 255 });
const ipv4 = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'));
const ipv6 = fc.array(fc.stringMatching(/^[0-9a-f]{1,4}$/), { minLength: 8, maxLength: 8 }).map((g) => g.join(':'));
const dev = fc.stringMatching(/^[a-z][a-z0-9.]{0,14}$/).filter((d) => d !== 'nexthop');

interface RouteSpec {
  type?: string;
  dst: string;
  gateway?: string;
  dev?: string;
  table?: string;
  protocol?: string;
  scope?: string;
  prefsrc?: string;
  metric?: number;
  flags: string[];
}

const routeSpec: fc.Arbitrary<RouteSpec> = fc.record(
  {
    type: fc.constantFrom('blackhole', 'unreachable', 'prohibit', 'local', 'broadcast', 'throw'),
    dst: fc.oneof(
      fc.constant('default'),
      ipv4,
      fc.tuple(ipv4, fc.integer({ min: 0, max: 32 })).map(([a, p]) => `${a}/${p}`),
      fc.tuple(ipv6, fc.integer({ min: 0, max: 128 })).map(([a, p]) => `${a}/${p}`),
    ),
    gateway: fc.oneof(ipv4, ipv6),
    dev,
    table: fc.oneof(fc.constantFrom('local', 'main'), fc.integer({ min: 1, max: 252 }).map(String)),
    protocol: fc.oneof(fc.constantFrom('kernel', 'dhcp', 'static', 'bird', 'ra'), fc.integer({ min: 1, max: 255 }).map(String)),
    scope: fc.constantFrom('link', 'host', 'global', 'site'),
    prefsrc: ipv4,
    metric: fc.integer({ min: 0, max: 4_294_967_295 }),
    flags: fc.subarray(['onlink', 'linkdown', 'dead', 'offload']),
  },
  { requiredKeys: ['dst', 'flags'] },
);

/** The order `ip route show` prints (iproute2 ip/iproute.c print_route). */
function renderRoute(r: RouteSpec): string {
  const parts: string[] = [];
  if (r.type) parts.push(r.type);
  parts.push(r.dst);
  if (r.gateway) parts.push('via', r.gateway);
  if (r.dev) parts.push('dev', r.dev);
  if (r.table) parts.push('table', r.table);
  if (r.protocol) parts.push('proto', r.protocol);
  if (r.scope) parts.push('scope', r.scope);
  if (r.prefsrc) parts.push('src', r.prefsrc);
  if (r.metric !== undefined) parts.push('metric', String(r.metric));
  parts.push(...r.flags);
  return `${parts.join(' ')} `;
}

describe('ip route: rendered routes parse back', () => {
  it('gives back type, dst, gateway, dev, table, protocol, scope, src, metric and flags', () => {
    fc.assert(
      fc.property(fc.array(routeSpec, { maxLength: 8 }), (routes) => {
        const text = routes.map(renderRoute).join('\n');
        const { value, unparsed } = parseIpRoute(text, { path: 'ip-route.txt', node: 'k8s01' });
        expect(unparsed).toEqual([]);
        const pick = (r: RouteFact): RouteSpec => {
          const out: RouteSpec = { dst: r.dst, flags: r.flags };
          if (r.type !== undefined) out.type = r.type;
          for (const k of ['gateway', 'dev', 'table', 'protocol', 'scope', 'prefsrc', 'metric'] as const) if (r[k] !== undefined) (out as unknown as Record<string, unknown>)[k] = r[k];
          return out;
        };
        // The parser fills the defaults iproute2 leaves unprinted: proto boot, scope global.
        const expected = routes.map((r) => ({ ...r, protocol: r.protocol ?? 'boot', scope: r.scope ?? 'global' }));
        expect(value.map(pick)).toEqual(expected);
        value.forEach((r, i) => {
          expect(r.node).toBe('k8s01');
          expect(r.source.line).toBe(i + 1);
        });
      }),
      { numRuns: 300 },
    );
  });
});
