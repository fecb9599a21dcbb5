import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCalicoLog } from '../../src/parsers/calico-log.js';
import { parseClusterInfoDump } from '../../src/parsers/cluster-info-dump.js';
import { parseCrictlPods, parseCrictlPs } from '../../src/parsers/crictl.js';
import { parseCtrContainers, parseCtrSandboxes, parseCtrTasks } from '../../src/parsers/ctr.js';
import { parseDqliteListing, parseLsListing } from '../../src/parsers/dqlite-listing.js';
import { decodeLz4Frame, readDqliteSnapshot, readSnapshotMeta } from '../../src/parsers/dqlite-snapshot.js';
import { parseEtcdClientJson } from '../../src/parsers/etcd-client-json.js';
import { parseGoPanic } from '../../src/parsers/go-panic.js';
import { parseGoroutineDump } from '../../src/parsers/goroutine-dump.js';
import { parseIpNeighJson, parseIpRouteJson } from '../../src/parsers/ip-json.js';
import { parseIpNeigh } from '../../src/parsers/ip-neigh.js';
import { parseIpRoute } from '../../src/parsers/ip-route.js';
import { parseIptables } from '../../src/parsers/iptables.js';
import { parseJournalctlCat, parseJournalctlText } from '../../src/parsers/journalctl-text.js';
import { parseJournaldExport } from '../../src/parsers/journald-export.js';
import { parseJournaldJson } from '../../src/parsers/journald-json.js';
import { parseJsonLossless } from '../../src/parsers/json-lossless.js';
import { parseKlog } from '../../src/parsers/klog.js';
import { parseKubectlEventsTable } from '../../src/parsers/kubectl-events-table.js';
import { parseKubectlPodsTable } from '../../src/parsers/kubectl-pods-table.js';
import { parseKubernetesObjects } from '../../src/parsers/kubectl.js';
import { parseKubeletArgs } from '../../src/parsers/kubelet-args.js';
import { chunksOf } from '../../src/parsers/line-splitter.js';
import { parseLogrus } from '../../src/parsers/logrus.js';
import { parsePgrepCount, parsePgrepList } from '../../src/parsers/pgrep.js';
import { parsePlainLog } from '../../src/parsers/plain-log.js';
import { parseProcStat } from '../../src/parsers/proc-stat.js';
import { parsePs } from '../../src/parsers/ps.js';
import { parseSchedstat } from '../../src/parsers/schedstat.js';
import { parseShellSession } from '../../src/parsers/shell-session.js';
import { parseSystemctlStatus } from '../../src/parsers/systemctl-status.js';
import { ParseError, type LogParser } from '../../src/parsers/types.js';

/**
 * Arbitrary input never escapes a parser as an exception: every parser in src/parsers gets
 * random bytes, random text and text built from the tokens its format uses (so the runs
 * reach past the first "not my format" check). The only exception allowed is the contract's
 * `ParseError` ("the whole input is unusable", e.g. an empty cluster-info dump).
 */
const RUNS = 150;

/** Runs `parse`; a ParseError (or the SyntaxError json-lossless documents) is an allowed outcome. */
async function allowed<T>(parse: () => T | Promise<T>, alsoAllowed?: new (...args: never[]) => Error): Promise<T | undefined> {
  try {
    return await parse();
  } catch (error) {
    if (error instanceof ParseError || (alsoAllowed && error instanceof alsoAllowed)) return undefined;
    throw error;
  }
}

/** Bytes that look partly like the formats: tokens, separators, digits, control and invalid UTF-8. */
const TOKENS = [
  '__CURSOR=', '__REALTIME_TIMESTAMP=', 'MESSAGE=', 'MESSAGE\n', '_HOSTNAME=', '_PID=', '\n', '\n\n', '=', '\u0000', '\r\n', '\t',
  '{', '}', '[', ']', '"', ':', ',', '\\', 'goroutine 1 [running]:', 'created by ', ' +0x1f', 'SIGQUIT: quit', 'panic: ',
  'I0518 00:15:02.123456    4242 file.go:1] ', 'time="2026-05-17T14:15:01Z" level=info msg="', '2026-05-17T14:15:55+0000 k8s03 kubelite[1]: ',
  'May 18 00:15:02 k8s03 systemd[1]: ', '-- Boot 5f3ad2e1c8b44e0f9a7d6c5b4e3f2a10 --', 'default via 10.0.0.1 dev eth0 ', 'nexthop ', '10.1.0.0/26 ',
  '*filter\n', ':INPUT ACCEPT [0:0]\n', '-A cali-INPUT -j ACCEPT\n', 'COMMIT\n', 'PID ', 'CONTAINER ', 'NAMESPACE ', '   ',
  '"kind":"List"', '"items":[', '"apiVersion":"v1"', '● snap.microk8s.daemon-kubelite.service', 'Active: active (running)',
  '--feature-gates=EventedPLEG=true', '1 2 3', '-1', '99999999999999999999', '\u001b[31m', '\u00ff', '\ud800',
  '$ oc logs p-1 -c c\n', ' ~  kubectl get pods -n ns\n', 'NAME READY STATUS RESTARTS AGE\n', 'p-1 0/1 CrashLoopBackOff 6 (1m ago) 2m',
  '9 09:58:07 node kubelet[1]: E1029 09:58:07.000001 ', 'Aug 21 08:14:29 host syslog ', '##', '>',
];
const tokenText = fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }).map((parts) => parts.join(''));
const anyText = fc.oneof(fc.string({ maxLength: 400 }), fc.string({ unit: 'binary', maxLength: 200 }), tokenText);
const anyBytes = fc.oneof(
  fc.uint8Array({ maxLength: 600 }).map((a) => Buffer.from(a)),
  tokenText.map((t) => Buffer.from(t, 'utf8')),
  fc.tuple(tokenText, fc.uint8Array({ maxLength: 64 }), tokenText).map(([a, b, c]) => Buffer.concat([Buffer.from(a), Buffer.from(b), Buffer.from(c)])),
);
/** Chunk boundaries matter for the streaming parsers: cut anywhere. */
const chunkSize = fc.integer({ min: 1, max: 97 });

const LOG_PARSERS: Array<[string, LogParser]> = [
  ['journald-export', parseJournaldExport],
  ['journald-json', parseJournaldJson],
  ['journalctl-text', parseJournalctlText],
  ['journalctl-cat', parseJournalctlCat],
  ['plain-log', parsePlainLog],
];

const ctx = { path: 'fuzz.txt', node: 'k8s03', referenceTime: 1_779_027_302_000_000, zone: 'UTC' };
const TEXT_PARSERS: Array<[string, (text: string) => unknown]> = [
  ['calico-log', (t) => parseCalicoLog(t)],
  ['crictl pods', (t) => parseCrictlPods(t, ctx)],
  ['crictl ps', (t) => parseCrictlPs(t, ctx)],
  ['ctr tasks', (t) => parseCtrTasks(t, ctx)],
  ['ctr containers', (t) => parseCtrContainers(t, ctx)],
  ['ctr sandboxes', (t) => parseCtrSandboxes(t, ctx)],
  ['ls listing', (t) => parseLsListing(t, ctx)],
  ['dqlite listing', (t) => parseDqliteListing(t, ctx)],
  ['etcd-client-json', (t) => parseEtcdClientJson(t)],
  ['go-panic', (t) => parseGoPanic(t.split('\n'))],
  ['ip -j route', (t) => parseIpRouteJson(t, ctx)],
  ['ip -j neigh', (t) => parseIpNeighJson(t, ctx)],
  ['ip neigh', (t) => parseIpNeigh(t, ctx)],
  ['ip route', (t) => parseIpRoute(t, ctx)],
  ['iptables', (t) => parseIptables(t, ctx)],
  // Documented: invalid JSON is a SyntaxError for the caller to report.
  ['json-lossless', (t) => allowed(() => parseJsonLossless(t), SyntaxError)],
  ['klog', (t) => parseKlog(t)],
  ['kubectl events table', (t) => parseKubectlEventsTable(t, ctx)],
  ['kubectl pods table', (t) => parseKubectlPodsTable(t, ctx)],
  ['shell session', (t) => parseShellSession(t, { ...ctx, onRecord: () => {} })],
  ['kubectl objects', (t) => parseKubernetesObjects(t, ctx)],
  ['kubelet args', (t) => parseKubeletArgs(t, ctx)],
  ['logrus', (t) => parseLogrus(t)],
  ['pgrep -a', (t) => parsePgrepList(t, ctx)],
  ['pgrep -c', (t) => parsePgrepCount(t, ctx)],
  ['proc stat', (t) => parseProcStat(t, ctx)],
  ['ps', (t) => parsePs(t, ctx)],
  ['schedstat', (t) => parseSchedstat(t, ctx)],
  ['systemctl status', (t) => parseSystemctlStatus(t, ctx)],
];

describe('arbitrary bytes never throw out of a parser', () => {
  for (const [name, parser] of LOG_PARSERS) {
    it(`log parser ${name}`, async () => {
      await fc.assert(
        fc.asyncProperty(anyBytes, chunkSize, async (bytes, size) => {
          let records = 0;
          const stats = await allowed(() => parser(chunksOf(bytes, size), { path: 'fuzz', inputZone: 'UTC', onRecord: () => records++ }));
          if (stats) expect(stats.records).toBe(records);
        }),
        { numRuns: RUNS },
      );
    });
  }

  for (const [name, parse] of TEXT_PARSERS) {
    it(`state parser ${name}`, async () => {
      await fc.assert(
        fc.asyncProperty(anyText, async (text) => {
          await allowed(() => parse(text));
        }),
        { numRuns: RUNS },
      );
    });
  }

  it('goroutine dump', async () => {
    await fc.assert(
      fc.asyncProperty(anyBytes, chunkSize, async (bytes, size) => {
        const result = await allowed(() => parseGoroutineDump(chunksOf(bytes, size), { path: 'fuzz' }));
        for (const d of result?.dumps ?? []) expect(Array.isArray(d.goroutines)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('cluster-info dump', async () => {
    await fc.assert(
      fc.asyncProperty(anyBytes, chunkSize, async (bytes, size) => {
        await allowed(() => parseClusterInfoDump(chunksOf(bytes, size), { path: 'fuzz', onRecord: () => {} }));
      }),
      { numRuns: RUNS },
    );
  });

  it('dqlite snapshot, snapshot meta and LZ4 frames (with an LZ4 magic in front half the time)', () => {
    const magic = Buffer.from([0x04, 0x22, 0x4d, 0x18]);
    fc.assert(
      fc.property(anyBytes, fc.boolean(), (bytes, framed) => {
        const data = framed ? Buffer.concat([magic, bytes]) : bytes;
        expect(decodeLz4Frame(data, 1 << 20).warnings).toBeInstanceOf(Array);
        // Documented "never throws": no ParseError allowance here.
        readDqliteSnapshot(data, { path: 'snapshot-1-1-1', maxDecompressedBytes: 1 << 20 });
        readSnapshotMeta(data, { path: 'snapshot-1-1-1.meta' });
      }),
      { numRuns: RUNS },
    );
  });
});
