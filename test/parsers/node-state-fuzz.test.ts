import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseIpRoute } from '../../src/parsers/ip-route.js';
import { parseIpNeigh } from '../../src/parsers/ip-neigh.js';
import { parseIpNeighJson, parseIpRouteJson } from '../../src/parsers/ip-json.js';
import { parseIptables, parseIptablesList, parseIptablesSave, parseIptablesSpec } from '../../src/parsers/iptables.js';
import { parsePs } from '../../src/parsers/ps.js';
import { parsePgrepCount, parsePgrepList } from '../../src/parsers/pgrep.js';
import { parseSchedstat } from '../../src/parsers/schedstat.js';
import { parseProcStat } from '../../src/parsers/proc-stat.js';
import { parseCtrContainers, parseCtrSandboxes, parseCtrTasks } from '../../src/parsers/ctr.js';
import { parseCrictlPods, parseCrictlPs } from '../../src/parsers/crictl.js';
import { parseSystemctlStatus } from '../../src/parsers/systemctl-status.js';
import { parseKubeletArgs } from '../../src/parsers/kubelet-args.js';
import { parseDqliteListing } from '../../src/parsers/dqlite-listing.js';
import { readDqliteSnapshot, readSnapshotMeta } from '../../src/parsers/dqlite-snapshot.js';
import { nodeDataBuffer } from './node-helpers.js';

const textParsers = {
  parseIpRoute, parseIpNeigh, parseIpRouteJson, parseIpNeighJson, parseIptables, parseIptablesList, parseIptablesSave,
  parseIptablesSpec, parsePs, parsePgrepCount, parsePgrepList, parseSchedstat, parseProcStat, parseCtrTasks,
  parseCtrContainers, parseCtrSandboxes, parseCrictlPods, parseCrictlPs, parseSystemctlStatus, parseKubeletArgs, parseDqliteListing,
};

// Lines built from the formats' own vocabulary reach deeper than random characters.
const token = fc.constantFrom('via', 'dev', 'nexthop', '\tnexthop', 'proto', 'metric', 'lladdr', 'PERMANENT', '*nat', 'COMMIT', ':X - [0:0]', '-A', '-P', 'Chain', '(policy', 'PID', 'CMD', 'TASK', 'STATUS', '●', 'Active:', 'since', '--x="', "'", '#', 'total', '-rw-r--r--', 'Oct', '29', '18:21', 'snapshot-1-2-3', '10.1.0.0/16', 'fe80::1', '1', '[', '{', '"dst"', '==>', 'Modify:');
const line = fc.array(fc.oneof(token, fc.string({ maxLength: 8 })), { maxLength: 12 }).map((t) => t.join(' '));
const text = fc.oneof(fc.string({ maxLength: 400 }), fc.array(line, { maxLength: 20 }).map((l) => l.join('\n')));

describe('node-state parsers never throw', () => {
  for (const [name, parse] of Object.entries(textParsers)) {
    it(name, () => {
      fc.assert(fc.property(text, (t) => {
        const r = (parse as (t: string, c: { path: string; referenceTime: number }) => { value: unknown; unparsed: unknown[] })(t, { path: 'f', referenceTime: 1.7e15 });
        expect(Array.isArray(r.unparsed)).toBe(true);
      }), { numRuns: 150 });
    });
  }

  it('readDqliteSnapshot / readSnapshotMeta on arbitrary and mutated buffers', () => {
    const real = nodeDataBuffer('snapshot-1-1024-123456');
    const mutated = fc.tuple(fc.nat(real.length - 1), fc.integer({ min: 0, max: 255 }), fc.nat(real.length)).map(([at, byte, cut]) => {
      const b = Buffer.from(real.subarray(0, Math.max(cut, at + 1)));
      b[at] = byte;
      return b;
    });
    const buffers = fc.oneof(fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)), mutated);
    fc.assert(fc.property(buffers, (b) => {
      const r = readDqliteSnapshot(b, { path: 's', maxDecompressedBytes: 1 << 20 });
      expect(Array.isArray(r.warnings)).toBe(true);
      readSnapshotMeta(b, { path: 'm' });
    }), { numRuns: 200 });
  });
});
