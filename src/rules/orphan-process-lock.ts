import { evidenceFromFact } from '../engine/evidence.js';
import { defineRule } from '../engine/define-rule.js';
import { SignalSet } from '../engine/signals.js';
import type { FindingDraft } from '../engine/types.js';
import type { ProcessFact } from '../model/facts.js';
import { microsToIso } from '../model/time.js';
import { CONTAINERD_UNIT, K8S_DQLITE_UNIT, KUBELET_UNITS } from '../model/units.js';
import { ofNode } from './shared/kubelet.js';

/** Lock-using services known to leave orphans after a nuclear restart (001 Post-Incident Checks table). */
const LOCK_SERVICES = [
  { name: 'buildkitd', process: /(?:^|\/)buildkitd(?:\s|$)/, lockFile: '/var/lib/buildkit/buildkitd.lock', runDir: 'buildkit' },
];

const RESTART_UNITS = new Set([...KUBELET_UNITS, CONTAINERD_UNIT, K8S_DQLITE_UNIT]);

const psLine = (p: ProcessFact) => `${p.pid}${p.startTime ? ` ${p.startTime}` : ''} ${p.command}`;

export default defineRule({
  id: 'orphan-process-lock',
  meta: {
    title: 'Orphaned application process holds a lock after a nuclear restart',
    severity: 'medium',
    kind: 'failure-mode',
    symptoms:
      'After a restart storm or a nuclear clean restart, a new container of a lock-using service (e.g. buildkitd) creates its socket but never becomes ready: its probes time out. `pgrep -a buildkitd` shows two PIDs on the node.',
    why:
      "Killing shims does not kill every application process; one whose container was torn down abruptly can survive, re-parented, and keep its advisory flock (buildkitd: /var/lib/buildkit/buildkitd.lock). The new instance blocks on the lock in its worker initialisation, which looks like a probe timeout rather than lock contention (000 follow-up note: ~8 hours).",
    inputs: ['processes'],
    signals: [
      { name: 'duplicate lock-using service processes', description: 'two or more processes of a lock-using service (pgrep -a buildkitd) that are not parent and child', weight: 3, input: 'processes' },
      { name: 'older instance predates the restart', description: 'the older process started before a kubelite/containerd/k8s-dqlite restart that the newer one started after', weight: 2, input: 'processes' },
      { name: 'probe timeouts on the node', description: 'Unhealthy events with a timeout for a pod of the service on the node', weight: 1, input: 'events' },
    ],
    runbook: [
      { step: 'Confirm the older {{service}} PID {{pid}} on {{node}} predates the restart window (Modify time before the restart)', command: 'sudo stat /proc/{{pid}} | grep Modify' },
      { step: "Confirm it is the orphan: its /run is empty while the newer PID {{newerPid}} has the live socket", command: 'sudo ls /proc/{{pid}}/root/run/{{runDir}}/ ; sudo ls /proc/{{newerPid}}/root/run/{{runDir}}/' },
      { step: 'Kill the orphan so it releases {{lockFile}}', command: 'sudo kill {{pid}}' },
      { step: 'Check only one instance is left and the new one completes its startup', command: 'sudo pgrep -a {{service}}' },
    ],
    references: ['001_5310979ce87a3858.txt#Post-Incident Checks (After Nuclear Restart)', '000_1e0daac4a0084df3.txt#Follow-Up Note (2026-05-22)'],
    falsePositives: [
      'Two independent instances (two build pods on one node) both started after the restart are legitimate; the rule needs the older one to predate the restart.',
      'Without start times in the listing (plain `pgrep -a`) the restart test is unknown and the confidence drops accordingly.',
    ],
  },
  evaluate(ctx) {
    const findings: FindingDraft[] = [];
    let lastChecked = new SignalSet().check('duplicate lock-using service processes', ctx.hasInput('processes') ? false : undefined).list();
    const nodes = [...new Set([...ctx.nodes, ...ctx.facts.processes.map((p) => p.node).filter((n): n is string => Boolean(n))])].sort();
    for (const node of nodes) {
      const procs = ofNode(ctx, ctx.facts.processes, node);
      for (const service of LOCK_SERVICES) {
        const all = procs.filter((p) => service.process.test(p.command));
        const pids = new Set(all.map((p) => p.pid));
        // `stat /proc/<pid>` captures (the document's check) give a pid and its start (Modify)
        // time but no command: they date the `pgrep -a` rows of the same pid.
        const statOf = (pid: number) => procs.find((p) => p.pid === pid && p.command === '' && p.startedAt !== undefined);
        const stats = new Map<number, ProcessFact>();
        const instances = all.filter((p) => p.ppid === undefined || !pids.has(p.ppid)).map((p) => {
          const stat = p.startedAt === undefined ? statOf(p.pid) : undefined;
          if (!stat) return p;
          stats.set(p.pid, stat);
          return { ...p, startedAt: stat.startedAt };
        });
        if (instances.length < 2) continue;
        const ordered = [...instances].sort((a, b) => (a.startedAt ?? a.pid) - (b.startedAt ?? b.pid));
        const older = ordered[0]!;
        const newer = ordered[ordered.length - 1]!;
        const restarts = ctx.restarts({ node, units: RESTART_UNITS }).filter((r) => r.kind !== 'exit');
        const between = older.startedAt !== undefined && newer.startedAt !== undefined && restarts.length
          ? restarts.find((r) => r.ts > older.startedAt! && r.ts <= newer.startedAt!)
          : undefined;
        const predates = older.startedAt !== undefined && newer.startedAt !== undefined && restarts.length ? between !== undefined : undefined;
        const probes = ctx.facts.events.filter((e) => e.reason === 'Unhealthy' && /timeout|deadline exceeded/i.test(e.message)
          && (e.sourceHost === undefined || e.sourceHost === node) && (e.involved.name ?? '').includes(service.name.replace(/d$/, '')));
        const signals = new SignalSet()
          .set('duplicate lock-using service processes', 'present', `${instances.length} ${service.name} processes: ${instances.map((p) => p.pid).join(', ')}`)
          .check('older instance predates the restart', predates, between ? `PID ${older.pid} started before the ${between.unit} ${between.kind} at ${microsToIso(between.ts)}` : undefined)
          .check('probe timeouts on the node', ctx.hasInput('events') ? probes.length > 0 : undefined, probes.length ? `${probes.reduce((n, e) => n + e.count, 0)} Unhealthy event(s)` : undefined);
        lastChecked = signals.list();
        if (predates === false) continue;
        findings.push({
          nodes: [node],
          window: older.startedAt !== undefined && newer.startedAt !== undefined ? { start: older.startedAt, end: newer.startedAt } : undefined,
          summary: `${node} runs ${instances.length} ${service.name} processes (${instances.map((p) => p.pid).join(', ')}); PID ${older.pid}${older.startTime ? ` (started ${older.startTime})` : ''} ${predates ? 'predates the restart and' : 'is the older one and likely'} still holds ${service.lockFile}, so the new instance (PID ${newer.pid}) blocks in its startup. Killing the orphan releases the lock.`,
          signals: signals.list(),
          evidence: [
            ...instances.map((p) => evidenceFromFact(p.source, psLine(p), node, p.startedAt)),
            ...instances.flatMap((p) => {
              const stat = stats.get(p.pid);
              return stat ? [evidenceFromFact(stat.source, `stat /proc/${p.pid}: Modify ${microsToIso(stat.startedAt!)}`, node, stat.startedAt)] : [];
            }),
            ...(between ? [{ source: between.record.source, ts: between.ts, node, text: between.record.message }] : []),
            ...probes.slice(0, 2).map((e) => evidenceFromFact(e.source, `${e.reason}: ${e.message}`, node, e.lastTimestamp)),
          ],
          values: { node, pid: older.pid, newerPid: newer.pid, service: service.name, lockFile: service.lockFile, runDir: service.runDir },
          facts: { instances: instances.length, olderPid: older.pid, newerPid: newer.pid },
        });
      }
    }
    return { findings, checked: findings[0]?.signals ?? lastChecked };
  },
});
