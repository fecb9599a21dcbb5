import { cappedEvidence, evidenceFromFact } from '../engine/evidence.js';
import { defineRule } from '../engine/define-rule.js';
import { SignalSet } from '../engine/signals.js';
import type { EvidenceItem, FindingDraft } from '../engine/types.js';
import type { DqliteSnapshotFileFact, DqliteSnapshotStatsFact } from '../model/facts.js';
import { MICROS_PER_MINUTE, microsToIso } from '../model/time.js';
import { formatMiB, spanOf, timesOf, uniqueSorted } from './shared/cluster.js';
import { formatDuration } from './shared/format.js';

/** 004 action item 4: alert on snapshot "size > 50 MB" (MiB, as `ls -lh` prints them). */
const BIG_SNAPSHOT_BYTES = 50 * 1024 * 1024;
/** 004 action item 4: alert on a snapshot "rate > 1/5min". */
const MIN_HEALTHY_INTERVAL = 5 * MICROS_PER_MINUTE;
/** 004 action item 3: IPAM handle alert thresholds (> 1000 warning, > 3000 critical). */
const MANY_IPAM_HANDLES = 1000;

interface NodeSnapshots {
  node: string;
  data: DqliteSnapshotFileFact[];
  big: DqliteSnapshotFileFact[];
  /** Median interval between consecutive snapshots by mtime; undefined with fewer than two timed files. */
  interval?: number;
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/**
 * The file name's timestamp is raft's monotonic loop clock, not wall time (formats §6.2):
 * intervals come from the listing's mtime only.
 */
function readNode(node: string, files: readonly DqliteSnapshotFileFact[]): NodeSnapshots {
  const data = files.filter((f) => !f.isMeta && f.sizeBytes > 0);
  const timed = data.filter((f) => f.mtime !== undefined).sort((a, b) => a.mtime! - b.mtime!);
  const gaps = timed.slice(1).map((f, i) => f.mtime! - timed[i]!.mtime!);
  return { node, data, big: data.filter((f) => f.sizeBytes > BIG_SNAPSHOT_BYTES), interval: median(gaps) };
}

function fileText(f: DqliteSnapshotFileFact): string {
  return `${f.name} ${f.sizeBytes} bytes (${formatMiB(f.sizeBytes)})${f.mtime !== undefined ? ` mtime ${microsToIso(f.mtime)}` : ''}`;
}

function statsText(s: DqliteSnapshotStatsFact): string {
  const top = [...s.prefixes].sort((a, b) => b.live + b.deleted - (a.live + a.deleted)).slice(0, 3)
    .map((p) => `${p.prefix} ${p.live} live/${p.deleted} deleted`).join(', ');
  return `${s.snapshot}: database ${formatMiB(s.databaseBytes)}, ${s.ipamHandles} ipamhandles${top ? `; largest prefixes: ${top}` : ''}`;
}

export default defineRule({
  id: 'dqlite-snapshot-bloat',
  meta: {
    title: 'Oversized, too-frequent dqlite snapshots stall the API server',
    severity: 'critical',
    kind: 'failure-mode',
    symptoms:
      'The dqlite backend directory holds snapshots of hundreds of MB written every couple of minutes; kine and the API server stop answering for 10–30 s at a time, controllers lose their leader leases and crash-loop, and disk usage on the backend grows.',
    why:
      'A dqlite snapshot is the whole database, and raft takes one every time enough log entries trail behind. A database bloated by a large key population (in 004, 6,071 Calico IPAM handles nobody garbage-collected) makes every snapshot large, and write churn makes them frequent. While a snapshot is taken the WAL is checkpointed under the write lock, so every API request waits for seconds — longer than the 10 s leader-election renew deadline. Never vacuum snapshots offline: snapshots of different raft indices vacuumed independently diverge and hang the cluster.',
    inputs: ['dqlite-files'],
    signals: [
      { name: 'snapshots over 50 MB', description: 'snapshot data files in the dqlite backend directory larger than 50 MB', weight: 3, input: 'dqlite-files' },
      { name: 'snapshots more often than every 5 min', description: 'consecutive snapshots less than 5 min apart (by file mtime)', weight: 3, input: 'dqlite-files' },
      { name: 'large kine key population', description: `over ${MANY_IPAM_HANDLES} IPAM handles (kine snapshot statistics or the ipamhandles list)`, weight: 1, input: 'dqlite-snapshot' },
      { name: 'apiserver unresponsive', description: 'API server/client timeouts or leader-election failures in the logs (unresponsive windows)', weight: 1, input: 'kubelet-log' },
    ],
    runbook: [
      { step: 'Remove the source of the bloat first — usually Calico IPAM garbage collection not running (see calico-ipam-gc-disabled); count the handles (snapshot: {{ipamHandles}})', command: 'kubectl get ipamhandles.crd.projectcalico.org --no-headers | wc -l' },
      { step: 'Compact the database ONLINE: the monthly maintenance playbook (cowsql online VACUUM) or `microk8s dbctl`', command: 'ansible-playbook -i inventory/hosts.ini microk8s-monthly-maintenance.yml' },
      { step: 'Then a rolling kubelite restart, one node at a time with health checks in between ({{nodes}})', command: 'ssh <node> "sudo systemctl restart snap.microk8s.daemon-kubelite.service" && kubectl wait node/<node> --for=condition=Ready --timeout=120s' },
      { step: 'NEVER vacuum snapshots offline (decompress + sqlite VACUUM + recompress): divergent raft snapshots hang the cluster. Only read copies of them.' },
      { step: 'Verify snapshot size and rate dropped (alert on > 50 MB or more than one per 5 min); before the fix: largest {{largest}}, interval {{interval}}', command: 'sudo ls -la --time-style=full-iso /var/snap/microk8s/current/var/kubernetes/backend/ | grep snapshot-' },
    ],
    references: [
      '004_e1f13a7f36a305a4.txt#How did dqlite reach 215 MB snapshots every 2 minutes?',
      '004_e1f13a7f36a305a4.txt#On dqlite Snapshot Safety',
      '004_e1f13a7f36a305a4.txt#Offline dqlite VACUUM not viable',
    ],
    causes: ['leader-election-churn', 'informer-watch-stream-loss'],
    falsePositives: [
      'A large database snapshotted rarely (intervals over 5 min) is not a snapshot storm; a busy cluster snapshotting small files often is harmless.',
      'Only the last two snapshots are kept by raft, so the rate rests on one interval; a listing without mtimes leaves it unknown.',
    ],
  },
  evaluate(ctx) {
    const byNode = new Map<string, DqliteSnapshotFileFact[]>();
    for (const f of ctx.facts.dqliteFiles) byNode.set(f.node ?? '', [...(byNode.get(f.node ?? '') ?? []), f]);
    const readings = [...byNode.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([node, files]) => readNode(node, files));

    const big = readings.filter((r) => r.big.length > 0);
    const frequent = big.filter((r) => r.interval !== undefined && r.interval < MIN_HEALTHY_INTERVAL);
    const rateUnknown = big.filter((r) => r.interval === undefined);
    const rare = big.filter((r) => r.interval !== undefined && r.interval >= MIN_HEALTHY_INTERVAL);
    // Rate unknown on some node: still a finding unless another node shows the rate is fine.
    const bloated = frequent.length ? frequent : rare.length ? [] : rateUnknown;
    const intervals = frequent.map((r) => r.interval!);
    const interval = intervals.length ? Math.min(...intervals) : undefined;

    const stats = ctx.facts.dqliteSnapshots;
    const handleCount = Math.max(0, ...stats.map((s) => s.ipamHandles), ctx.facts.ipamHandles.length);
    const populationKnown = stats.length > 0 || ctx.hasInput('ipamhandles');
    const unresponsive = [...ctx.matches('apiserver-timeout'), ...ctx.matches('lease-lost')];
    const logsKnown = ctx.hasInput('kubelet-log') || ctx.hasInput('dqlite-log') || ctx.hasInput('container-logs');

    const signals = new SignalSet()
      .check('snapshots over 50 MB', big.length > 0, readings.flatMap((r) => r.big).map((f) => `${f.node ?? '?'} ${f.name} ${formatMiB(f.sizeBytes)}`).slice(0, 4).join(', ') || undefined)
      .check('snapshots more often than every 5 min', frequent.length ? true : rare.length ? false : undefined,
        interval !== undefined ? `every ${formatDuration(interval)}` : undefined)
      .check('large kine key population', populationKnown ? handleCount > MANY_IPAM_HANDLES : undefined, populationKnown ? `${handleCount} IPAM handles` : undefined)
      .check('apiserver unresponsive', logsKnown || unresponsive.length ? unresponsive.length > 0 : undefined,
        unresponsive.length ? `${unresponsive.length} timeout/lease line(s)` : undefined);
    // A big snapshot with a known slow rate is a big database, not a snapshot storm.
    if (bloated.length === 0) {
      return { findings: [], checked: signals.list() };
    }

    const largest = bloated.flatMap((r) => r.big).reduce((a, b) => (b.sizeBytes > a.sizeBytes ? b : a));
    const evidence: EvidenceItem[] = [];
    for (const r of bloated) {
      for (const f of [...r.data].sort((a, b) => (a.mtime ?? 0) - (b.mtime ?? 0))) {
        evidence.push(evidenceFromFact(f.source, fileText(f), f.node, f.mtime));
      }
    }
    for (const s of stats.slice(0, 3)) evidence.push(evidenceFromFact(s.source, statsText(s), s.node));
    evidence.push(...cappedEvidence(unresponsive.sort((a, b) => (a.record.ts ?? 0) - (b.record.ts ?? 0)), 3));

    const nodes = uniqueSorted(bloated.map((r) => r.node));
    const finding: FindingDraft = {
      nodes,
      window: spanOf([...bloated.flatMap((r) => r.data.map((f) => f.mtime)), ...timesOf(unresponsive)]),
      summary: `The dqlite backend on ${nodes.join(', ') || 'the node'} holds snapshots up to ${formatMiB(largest.sizeBytes)} (${largest.name})${interval !== undefined ? `, written every ${formatDuration(interval)}` : ' (rate unknown: no file times)'}${populationKnown ? `; the kine database carries ${handleCount} IPAM handles` : ''}${unresponsive.length ? `; ${unresponsive.length} API timeout / lease failure line(s) show the stalls` : ''}. Each snapshot holds the write lock for seconds, longer than leader-election renew deadlines. Compact online; never vacuum snapshots offline.`,
      signals: signals.list(),
      evidence,
      values: {
        nodes,
        largest: formatMiB(largest.sizeBytes),
        interval: interval !== undefined ? formatDuration(interval) : 'unknown',
        ipamHandles: populationKnown ? handleCount : 'unknown',
      },
      facts: {
        largestSnapshotBytes: largest.sizeBytes,
        ...(interval !== undefined ? { snapshotIntervalSeconds: Math.round(interval / 1e6) } : {}),
        ...(populationKnown ? { ipamHandles: handleCount } : {}),
      },
    };
    return { findings: [finding], checked: finding.signals };
  },
});
