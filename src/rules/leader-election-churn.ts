import { cappedEvidence, evidenceFromFact } from '../engine/evidence.js';
import { defineRule } from '../engine/define-rule.js';
import { SignalSet } from '../engine/signals.js';
import type { EvidenceItem, RuleContext, SignatureMatch } from '../engine/types.js';
import type { PodFact } from '../model/facts.js';
import { K8S_DQLITE_UNIT, spanOf, timesOf, uniqueSorted } from './shared/cluster.js';
import { podRef } from './shared/pods.js';

/** 004: the five controllers had 400–700+ restarts; "hundreds" is the catalog's word. */
const CRASH_LOOP_RESTARTS = 100;
/** A controller whose lease was lost this often in the capture is churning, not blipping. */
const REPEATED_LOSSES = 2;
/** kubelite exiting on `leaderelection lost` (microk8s#3859: "restart counter is at 10"). */
const SERVICE_CRASH_LOOP = 3;

/** Lines that mean the lease was lost (not merely a failed read that may still recover). */
const LOSS = /failed to renew lease|leader ?election lost/;
/** The failed lease call timed out: the API server (datastore) is slow, not refusing. */
const LATENCY = /context deadline exceeded|Client\.Timeout exceeded|timed out waiting for the condition/;

interface Controller {
  /** `pod ns/name`, or `lease ns/name` for lines of a node service (kubelite). */
  id: string;
  matches: SignatureMatch[];
  losses: number;
  leases: string[];
  pod?: PodFact;
  /** For a node service (kubelite): its exits/scheduled restarts in the capture. */
  serviceRestarts?: number;
}

function leaseOf(m: SignatureMatch): string | undefined {
  return m.groups.lease1 ?? m.groups.lease2;
}

/**
 * Group lease lines by the controller that wrote them: a container's lines by its pod; a
 * node service's lines (kubelite runs controller-manager and scheduler) by the lease named,
 * with unnamed lines ("leaderelection lost") attributed to the service's only lease.
 */
function controllersOf(ctx: RuleContext, matches: readonly SignatureMatch[]): Controller[] {
  const byId = new Map<string, Controller>();
  // One loss logs `failed to renew lease` and then `leader election lost`: count the larger of the two.
  const renewFailed = new Map<string, number>();
  const lostLines = new Map<string, number>();
  const add = (id: string, m: SignatureMatch, pod?: PodFact) => {
    const c = byId.get(id) ?? { id, matches: [], losses: 0, leases: [], pod };
    c.matches.push(m);
    if (/failed to renew lease/.test(m.record.message)) renewFailed.set(id, (renewFailed.get(id) ?? 0) + 1);
    else if (LOSS.test(m.record.message)) lostLines.set(id, (lostLines.get(id) ?? 0) + 1);
    c.losses = Math.max(renewFailed.get(id) ?? 0, lostLines.get(id) ?? 0);
    const lease = leaseOf(m);
    if (lease && !c.leases.includes(lease)) c.leases.push(lease);
    byId.set(id, c);
  };
  const services = new Map<string, SignatureMatch[]>();
  for (const m of matches) {
    const ref = m.record.container;
    if (ref) {
      const pod = ctx.facts.pods.find((p) => p.namespace === ref.namespace && p.name === ref.pod);
      add(`pod ${ref.namespace}/${ref.pod}`, m, pod);
      continue;
    }
    const key = `${m.record.node ?? ''}\u0000${m.record.unit ?? m.record.identifier ?? ''}`;
    services.set(key, [...(services.get(key) ?? []), m]);
  }
  for (const [key, lines] of services) {
    const [node, unit] = key.split('\u0000');
    const named = uniqueSorted(lines.map(leaseOf));
    const unitRestarts = node && unit ? ctx.restarts({ node, units: [unit] }) : [];
    // systemd logs both "Main process exited" and "Scheduled restart job" per crash.
    const exits = Math.max(
      unitRestarts.filter((r) => r.kind === 'exit').length,
      unitRestarts.filter((r) => r.kind === 'scheduled-restart').length,
    );
    for (const m of lines) {
      const lease = leaseOf(m) ?? (named.length === 1 ? named[0] : undefined);
      const id = lease ? `lease ${lease}` : `${unit || 'service'} on ${node || 'unknown node'}`;
      add(id, m);
      const c = byId.get(id)!;
      c.serviceRestarts = Math.max(c.serviceRestarts ?? 0, exits);
    }
  }
  // Controllers that crashed with a lease loss as their termination message, without logs.
  for (const p of ctx.facts.pods) {
    const id = `pod ${podRef(p)}`;
    if (byId.has(id)) continue;
    const lost = [...p.containers, ...p.initContainers].some((c) => LOSS.test(c.lastTerminated?.message ?? ''));
    if (lost) byId.set(id, { id, matches: [], losses: 1, leases: [], pod: p });
  }
  return [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
}

function restarts(pod: PodFact | undefined): number {
  return pod ? Math.max(0, ...[...pod.containers, ...pod.initContainers].map((c) => c.restartCount)) : 0;
}

export default defineRule({
  id: 'leader-election-churn',
  meta: {
    title: 'Controllers lose their leader-election leases and crash-loop',
    severity: 'high',
    kind: 'failure-mode',
    symptoms:
      'Several controller pods (operators, provisioners, CSI controllers, kube-controller-manager inside kubelite) restart again and again — hundreds of restarts — each time after `failed to renew lease`, `leaderelection lost` or `error retrieving resource lock <ns>/<name>: … context deadline exceeded`.',
    why:
      'A leader must renew its Lease within renewDeadline (10 s by default) or give up and exit. When the API server stalls for 10–30 s at a time — in 004 because dqlite was writing 215 MB snapshots every ~2 min — every controller misses its deadline, exits, is restarted, and the cycle repeats. Longer lease flags only hide it, and only work where the binary supports them; the latency has to go first.',
    inputs: [['kubelet-log', 'container-logs', 'pods']],
    signals: [
      { name: 'lease lost repeatedly', description: `a controller logged failed to renew lease / leaderelection lost at least ${REPEATED_LOSSES} times`, weight: 2, input: 'container-logs' },
      { name: 'several controllers', description: 'two or more controllers (pods, or leases of kubelite) with lease failures', weight: 2, input: 'container-logs' },
      { name: 'controller pods crash-looping', description: `a controller with lease failures has ${CRASH_LOOP_RESTARTS}+ restarts (pod), or kubelite exited ${SERVICE_CRASH_LOOP}+ times after losing a lease`, weight: 2, input: 'pods' },
      { name: 'API latency', description: 'the lease calls timed out (context deadline exceeded), or k8s-dqlite reports lock contention', weight: 1, input: 'container-logs' },
    ],
    runbook: [
      { step: 'Fix API server / dqlite latency FIRST (see dqlite-snapshot-bloat): check snapshot size and rate on the backend', command: 'sudo ls -la --time-style=full-iso /var/snap/microk8s/current/var/kubernetes/backend/ | grep snapshot-' },
      { step: 'Once latency is gone, watch the controllers settle ({{pods}})', command: "kubectl get pods -A --sort-by='.status.containerStatuses[0].restartCount' | tail -n 15" },
      { step: 'Only if a controller still churns, add lease flags (--leader-elect-lease-duration, --leader-election-lease-duration, …) — after checking its binary supports them', command: 'kubectl exec -n {{namespace}} {{pod}} -- <binary> --help | grep <flag>' },
      { step: 'Alert on `failed to renew lease` in controller logs (leases seen: {{leases}})' },
    ],
    references: [
      '004_e1f13a7f36a305a4.txt#How did the controller pods enter crash-loop?',
      '004_e1f13a7f36a305a4.txt#Key Error Signatures',
      '004_e1f13a7f36a305a4.txt#Binary flag incompatibility with summerwind ARC v0.27.6',
    ],
    falsePositives: [
      'A single `error retrieving resource lock` per controller while the API server restarts (kubelite restart) is a blip: the rule wants repeated losses or crash-looping pods.',
      'Crash loops for other reasons (a bad flag, an image pull) without lease failures are not this rule (controller-flag-unsupported, image-registry-deprecated).',
    ],
  },
  evaluate(ctx) {
    const matches = ctx.matches('lease-lost');
    const controllers = controllersOf(ctx, matches);
    const hasPods = ctx.hasInput('pods');
    const churning = controllers.filter((c) => c.losses >= REPEATED_LOSSES);
    const crashLooping = controllers.filter((c) => restarts(c.pod) >= CRASH_LOOP_RESTARTS || (c.losses > 0 && (c.serviceRestarts ?? 0) >= SERVICE_CRASH_LOOP));
    const latencyLines = matches.filter((m) => LATENCY.test(m.record.message));
    const dqliteLocked = ctx.matchCount('database-locked', { units: [K8S_DQLITE_UNIT] });

    const signals = new SignalSet()
      .check('lease lost repeatedly', churning.length > 0, churning.length ? churning.map((c) => `${c.id} ×${c.losses}`).join(', ') : undefined)
      .check('several controllers', controllers.length >= 2, `${controllers.length} controller(s)`)
      .check('controller pods crash-looping', hasPods || crashLooping.length ? crashLooping.length > 0 : undefined,
        crashLooping.length ? crashLooping.map((c) => `${c.id} ${c.pod ? restarts(c.pod) : c.serviceRestarts} restarts`).join(', ') : undefined)
      .check('API latency', latencyLines.length > 0 || dqliteLocked > 0 ? true : matches.length ? false : undefined,
        latencyLines.length ? `${latencyLines.length} timed-out lease call(s)` : dqliteLocked ? `${dqliteLocked} database is locked` : undefined);
    const fires = crashLooping.length > 0 || churning.length >= 2;
    if (!fires) return { findings: [], checked: signals.list() };

    const involved = [...new Set([...crashLooping, ...churning])].sort((a, b) => a.id.localeCompare(b.id));
    const evidence: EvidenceItem[] = [];
    for (const c of involved) {
      evidence.push(...cappedEvidence(c.matches, 2));
      if (c.pod && restarts(c.pod) >= CRASH_LOOP_RESTARTS) {
        const container = [...c.pod.containers, ...c.pod.initContainers].reduce((a, b) => (b.restartCount > a.restartCount ? b : a));
        const last = container.lastTerminated;
        evidence.push(evidenceFromFact(c.pod.source,
          `pod ${podRef(c.pod)} container ${container.name} restartCount=${container.restartCount}${last?.reason ? ` lastState.terminated.reason=${last.reason}` : ''}${last?.message ? ` message=${JSON.stringify(last.message)}` : ''}`,
          c.pod.nodeName));
      }
    }
    const pods = involved.map((c) => c.pod).filter((p): p is PodFact => p !== undefined);
    const first = [...pods].sort((a, b) => restarts(b) - restarts(a))[0];
    const leases = uniqueSorted(involved.flatMap((c) => c.leases));
    const nodes = uniqueSorted([...involved.flatMap((c) => c.matches.map((m) => m.record.node)), ...pods.map((p) => p.nodeName)]);
    const describe = (c: Controller) => {
      const count = c.pod ? restarts(c.pod) : c.serviceRestarts;
      return `${c.id.replace(/^(pod|lease) /, '')}${count ? ` (${count} restarts)` : ''}${c.losses ? ` ${c.losses} lease loss(es)` : ''}`;
    };
    return {
      findings: [{
        nodes,
        window: spanOf(timesOf(involved.flatMap((c) => c.matches))),
        summary: `${involved.length} controller(s) keep losing their leader-election leases: ${involved.slice(0, 6).map(describe).join('; ')}${involved.length > 6 ? '; …' : ''}. ${latencyLines.length ? `${latencyLines.length} lease call(s) timed out: the API server is too slow to answer within the renew deadline. ` : ''}Fix the datastore latency before touching lease flags.`,
        signals: signals.list(),
        evidence,
        values: {
          pods: pods.map(podRef),
          pod: first?.name ?? '<pod>',
          namespace: first?.namespace ?? '<namespace>',
          leases,
        },
        facts: { controllers: involved.length, crashLoopingPods: crashLooping.length, leaseLines: ctx.matchCount('lease-lost') },
      }],
      checked: signals.list(),
    };
  },
});
