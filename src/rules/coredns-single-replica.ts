import { evidenceFromFact } from '../engine/evidence.js';
import { defineRule } from '../engine/define-rule.js';
import { SignalSet } from '../engine/signals.js';
import type { EvidenceItem } from '../engine/types.js';
import type { PodFact } from '../model/facts.js';
import { podEvidence } from './shared/cluster.js';
import { podRef } from './shared/pods.js';

function isCorednsPod(p: PodFact): boolean {
  if (p.namespace !== 'kube-system') return false;
  return p.labels['k8s-app'] === 'kube-dns' || /^coredns-[a-z0-9]+-[a-z0-9]+$/.test(p.name);
}

const ANTI_AFFINITY_PATCH =
  `kubectl -n kube-system patch deployment coredns --type merge -p '{"spec":{"template":{"spec":{"affinity":{"podAntiAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[{"weight":100,"podAffinityTerm":{"labelSelector":{"matchLabels":{"k8s-app":"kube-dns"}},"topologyKey":"kubernetes.io/hostname"}}]}}}}}}'`;

export default defineRule({
  id: 'coredns-single-replica',
  meta: {
    title: 'CoreDNS runs a single replica',
    severity: 'low',
    kind: 'failure-mode',
    symptoms:
      'kube-system/coredns has one replica (or one Running pod): whenever its node reboots or loses networking, in-cluster DNS is gone for every pod in the cluster.',
    why:
      "MicroK8s' dns addon deploys CoreDNS with one replica and no anti-affinity. One pod on one node is a single point of failure; in 003 it widened the blast radius of the reboot until CoreDNS was scaled to two replicas on separate nodes.",
    inputs: [['workloads', 'pods']],
    signals: [
      { name: 'one replica', description: 'Deployment kube-system/coredns spec.replicas = 1, or exactly one Running CoreDNS pod', weight: 2, input: 'workloads' },
    ],
    runbook: [
      { step: 'Scale CoreDNS to at least 2 replicas', command: 'kubectl -n kube-system scale deployment coredns --replicas=2' },
      { step: 'Spread the replicas across nodes with pod anti-affinity', command: ANTI_AFFINITY_PATCH },
      { step: 'Verify the replicas run on different nodes (one is on {{node}} now)', command: 'kubectl -n kube-system get pods -l k8s-app=kube-dns -o wide' },
    ],
    references: ['003_c1675665415870c2.txt#What Could Improve'],
    falsePositives: [
      'Single-node clusters cannot do better than one node; the replica count still matters for rolling restarts of CoreDNS itself.',
      'Without the Deployment the count comes from Running pods, which can dip to one during a rollout.',
    ],
  },
  evaluate(ctx) {
    const deployment = ctx.facts.workloads.find((w) => w.kind === 'Deployment' && w.namespace === 'kube-system' && w.name === 'coredns');
    const running = ctx.facts.pods.filter((p) => isCorednsPod(p) && p.phase === 'Running' && p.deletionTimestamp === undefined);
    const hasPods = ctx.hasInput('pods');

    let single: boolean | undefined;
    let detail: string | undefined;
    const evidence: EvidenceItem[] = [];
    if (deployment?.replicas !== undefined) {
      single = deployment.replicas === 1;
      detail = `spec.replicas=${deployment.replicas}`;
      evidence.push(evidenceFromFact(deployment.source,
        `Deployment kube-system/coredns spec.replicas=${deployment.replicas}${deployment.readyReplicas !== undefined ? ` status.readyReplicas=${deployment.readyReplicas}` : ''}`));
    } else if (hasPods && (running.length > 0 || deployment)) {
      single = running.length === 1;
      detail = `${running.length} Running CoreDNS pod(s)`;
    }
    const signals = new SignalSet().check('one replica', single, detail);
    if (!single) return { findings: [], checked: signals.list() };

    evidence.push(...running.slice(0, 2).map(podEvidence));
    const node = running[0]?.nodeName;
    return {
      findings: [{
        // A cluster-level configuration risk, not a fault of the node the one pod happens to
        // run on: nodes [] (the summary and the runbook name that node).
        nodes: [],
        summary: `CoreDNS has a single replica (${detail}${node ? `, running as ${podRef(running[0]!)} on ${node}` : ''}): if that node goes down, cluster DNS goes with it.`,
        signals: signals.list(),
        evidence,
        values: { node: node ?? '<node>' },
        facts: { replicas: deployment?.replicas ?? running.length },
      }],
      checked: signals.list(),
    };
  },
});
