import { cappedEvidence, evidenceFromFact } from '../engine/evidence.js';
import { defineRule } from '../engine/define-rule.js';
import { SignalSet } from '../engine/signals.js';
import type { EvidenceItem, RuleContext } from '../engine/types.js';
import type { WorkloadFact } from '../model/facts.js';
import { MICROS_PER_MINUTE } from '../model/time.js';
import { K8S_DQLITE_UNIT, kubeliteStarts, nowOf, podEvidence, spanOf, unscheduledPods, uniqueSorted } from './shared/cluster.js';
import { podRef } from './shared/pods.js';

/** A Deployment created this recently may legitimately not be observed yet. */
const NEW_DEPLOYMENT_GRACE = 2 * MICROS_PER_MINUTE;
/** 004: kubelite restarted on k8s02, k8s03, k8s01, k8s02, k8s03 during the pressure. */
const MANY_RESTARTS = 3;

interface StaleDeployment {
  deployment: WorkloadFact;
  replicaSets: WorkloadFact[];
}

/** Deployments whose controller has not observed their latest generation (or never observed any). */
function staleDeployments(ctx: RuleContext, now: number | undefined): StaleDeployment[] {
  const rs = ctx.facts.workloads.filter((w) => w.kind === 'ReplicaSet');
  return ctx.facts.workloads
    .filter((w) => w.kind === 'Deployment' && w.generation !== undefined)
    .filter((w) => (w.observedGeneration === undefined ? true : w.observedGeneration < w.generation!))
    .filter((w) => now === undefined || w.creationTimestamp === undefined || now - w.creationTimestamp > NEW_DEPLOYMENT_GRACE)
    .map((deployment) => ({
      deployment,
      replicaSets: rs.filter((r) => r.namespace === deployment.namespace && r.ownerKind === 'Deployment' && r.ownerName === deployment.name),
    }));
}

function deploymentText(s: StaleDeployment): string {
  const d = s.deployment;
  return `Deployment ${d.namespace}/${d.name} metadata.generation=${d.generation} status.observedGeneration=${d.observedGeneration ?? '<missing>'}; ${s.replicaSets.length} ReplicaSet(s) owned`;
}

export default defineRule({
  id: 'informer-watch-stream-loss',
  meta: {
    title: 'Controllers and scheduler stop seeing new objects (broken watch streams)',
    severity: 'critical',
    kind: 'failure-mode',
    symptoms:
      'The API server accepts new objects but nothing acts on them: updated or new Deployments keep metadata.generation ahead of status.observedGeneration (or have none) and get no new ReplicaSet, new pods stay Pending without a node and without any scheduler event. Existing objects keep being served; there is no error log.',
    why:
      'Under sustained dqlite pressure, each kubelite restart re-creates the API server\'s watch streams; some come back connected but with a lost resume point, so informers keep getting updates for objects they know and never an ADD for new ones. Every controller and the scheduler then ignore new objects cluster-wide. More restarts under the same pressure only roll the dice again: the pressure has to subside first, then one clean rolling restart flushes the broken streams.',
    inputs: ['workloads'],
    signals: [
      { name: 'deployments not observed', description: 'Deployments with metadata.generation > status.observedGeneration (or observedGeneration missing)', weight: 3, input: 'workloads' },
      { name: 'no ReplicaSet for new deployments', description: 'a never-observed Deployment owns no ReplicaSet', weight: 1, input: 'workloads' },
      { name: 'new pods ignored by the scheduler', description: 'pods Pending without a node for > 5 min with no PodScheduled condition and no FailedScheduling event', weight: 2, input: 'pods' },
      { name: 'kubelite restarts under dqlite pressure', description: `${MANY_RESTARTS}+ kubelite starts in the capture while k8s-dqlite reports lock contention`, weight: 1, input: 'kubelet-log' },
    ],
    runbook: [
      { step: 'Stop restarting kubelite; let the dqlite pressure subside first — compact online (monthly maintenance playbook / `microk8s dbctl`, see dqlite-snapshot-bloat)', command: 'ansible-playbook -i inventory/hosts.ini microk8s-monthly-maintenance.yml' },
      { step: 'Confirm the streams are broken: a new Deployment gets no ReplicaSet within 30 s', command: 'kubectl create deployment test-stream --image=nginx -n default && sleep 30 && kubectl get rs -n default' },
      { step: 'Then one rolling kubelite restart, one node at a time with health checks in between', command: 'ssh <node> "sudo systemctl restart snap.microk8s.daemon-kubelite.service" && kubectl wait node/<node> --for=condition=Ready --timeout=120s' },
      { step: 'Verify with the canary (ReplicaSet within 30 s) and that the stuck Deployments ({{deployments}}) reach observedGeneration = generation', command: "kubectl get deploy -A -o custom-columns=NS:.metadata.namespace,NAME:.metadata.name,GEN:.metadata.generation,OBS:.status.observedGeneration" },
      { step: 'Remove the canary', command: 'kubectl delete deployment test-stream -n default' },
    ],
    references: [
      '004_e1f13a7f36a305a4.txt#How did the broken watch stream occur (secondary root cause)?',
      '004_e1f13a7f36a305a4.txt#On kube-apiserver Watch Stream Failures',
    ],
    falsePositives: [
      'A Deployment updated seconds before the capture is briefly ahead of its observedGeneration; a single such Deployment with the scheduler working does not fire.',
      'A stopped kube-controller-manager leaves the same trace; check that kubelite runs before blaming the streams.',
    ],
  },
  evaluate(ctx) {
    const now = nowOf(ctx);
    const stale = staleDeployments(ctx, now);
    const neverObserved = stale.filter((s) => s.deployment.observedGeneration === undefined && s.replicaSets.length === 0);
    const unscheduled = ctx.hasInput('pods') && now !== undefined ? unscheduledPods(ctx, now) : undefined;
    const ignoredPods = unscheduled?.silent ?? [];
    const restarts = ctx.nodes.flatMap((n) => kubeliteStarts(ctx, n));
    const locked = ctx.matchCount('database-locked', { units: [K8S_DQLITE_UNIT] });
    const pressure = locked > 0 || ctx.facts.dqliteFiles.some((f) => !f.isMeta && f.sizeBytes > 50 * 1024 * 1024);

    const signals = new SignalSet()
      .check('deployments not observed', stale.length > 0, stale.length ? stale.map((s) => `${s.deployment.namespace}/${s.deployment.name}`).join(', ') : undefined)
      .check('no ReplicaSet for new deployments', stale.length ? neverObserved.length > 0 : undefined)
      .check('new pods ignored by the scheduler', unscheduled ? ignoredPods.length > 0 : undefined,
        ignoredPods.length ? `${ignoredPods.length} pod(s)` : undefined)
      .check('kubelite restarts under dqlite pressure', restarts.length || ctx.hasInput('kubelet-log') || ctx.hasInput('node-journal') ? restarts.length >= MANY_RESTARTS && pressure : undefined,
        restarts.length ? `${restarts.length} kubelite start(s)${pressure ? ', dqlite under pressure' : ''}` : undefined);
    // One Deployment caught mid-rollout is not a cluster-wide stream failure: it needs company.
    const fires = stale.length >= 2 || (stale.length === 1 && ignoredPods.length > 0);
    if (!fires) return { findings: [], checked: signals.list() };

    const evidence: EvidenceItem[] = [
      ...stale.slice(0, 6).map((s) => evidenceFromFact(s.deployment.source, deploymentText(s), undefined, s.deployment.creationTimestamp)),
      ...ignoredPods.slice(0, 4).map(podEvidence),
      ...restarts.slice(0, 5).map((r) => r.evidence),
      ...cappedEvidence(ctx.matches('database-locked', { units: [K8S_DQLITE_UNIT] }), 2, locked),
    ];
    const deployments = stale.map((s) => `${s.deployment.namespace}/${s.deployment.name}`);
    return {
      findings: [{
        nodes: [],
        window: spanOf([...restarts.map((r) => r.ts), ...ignoredPods.map((p) => p.creationTimestamp), now]),
        summary: `${stale.length} Deployment(s) are ahead of what their controller observed (${deployments.slice(0, 4).join(', ')}${deployments.length > 4 ? ', …' : ''})${neverObserved.length ? `, ${neverObserved.length} never observed at all and without a ReplicaSet` : ''}${ignoredPods.length ? `, and ${ignoredPods.length} new pod(s) wait without a node or any scheduler event (${ignoredPods.slice(0, 3).map(podRef).join(', ')})` : ''}. ${restarts.length >= MANY_RESTARTS ? `kubelite started ${restarts.length} times across ${uniqueSorted(restarts.map((r) => r.node)).join(', ')}${pressure ? ' while dqlite was under pressure' : ''}; ` : ''}controllers and scheduler are no longer receiving ADD events from their watch streams.`,
        signals: signals.list(),
        evidence,
        values: { deployments },
        facts: { staleDeployments: stale.length, ignoredPods: ignoredPods.length, kubeliteStarts: restarts.length },
      }],
      checked: signals.list(),
    };
  },
});
