import { evidenceFromFact } from '../engine/evidence.js';
import { defineRule } from '../engine/define-rule.js';
import { SignalSet } from '../engine/signals.js';
import type { EvidenceItem, FindingDraft } from '../engine/types.js';
import type { PdbFact, PodFact } from '../model/facts.js';
import { MICROS_PER_MINUTE } from '../model/time.js';
import { containersExited, forceDeleteCommands, nowOf, podEvidence, terminatingPods, uniqueSorted } from './shared/cluster.js';
import { formatDuration } from './shared/format.js';
import { podRef } from './shared/pods.js';

/** failure-modes.md: a deletionTimestamp older than 10 min. */
const STUCK_FOR = 10 * MICROS_PER_MINUTE;

/** A PDB that allows no disruption and is below its desired healthy count can never be satisfied. */
function unsatisfiable(pdb: PdbFact): boolean {
  if (pdb.disruptionsAllowed !== 0) return false;
  if (pdb.currentHealthy !== undefined && pdb.desiredHealthy !== undefined) return pdb.currentHealthy < pdb.desiredHealthy;
  return true;
}

/**
 * PdbFact carries no selector, so a PDB is tied to a pod by name (the pod or its owner
 * starts with the PDB's name, or the other way round), else by being the only blocking PDB
 * of the namespace.
 */
function blockingPdb(pod: PodFact, pdbs: readonly PdbFact[]): PdbFact | undefined {
  const inNamespace = pdbs.filter((p) => p.namespace === pod.namespace && unsatisfiable(p));
  const stem = (name: string) => name.replace(/-pdb$/, '');
  const byName = inNamespace.find((p) =>
    pod.name.startsWith(stem(p.name)) || (pod.ownerName !== undefined && (pod.ownerName.startsWith(stem(p.name)) || stem(p.name).startsWith(pod.ownerName))));
  return byName ?? (inNamespace.length === 1 ? inNamespace[0] : undefined);
}

function pdbText(p: PdbFact): string {
  const parts = [`PodDisruptionBudget ${p.namespace}/${p.name}`];
  if (p.minAvailable !== undefined) parts.push(`minAvailable=${p.minAvailable}`);
  if (p.maxUnavailable !== undefined) parts.push(`maxUnavailable=${p.maxUnavailable}`);
  if (p.currentHealthy !== undefined) parts.push(`currentHealthy=${p.currentHealthy}`);
  if (p.desiredHealthy !== undefined) parts.push(`desiredHealthy=${p.desiredHealthy}`);
  parts.push(`disruptionsAllowed=${p.disruptionsAllowed ?? '?'}`);
  return parts.join(' ');
}

export default defineRule({
  id: 'stuck-terminating-pod',
  meta: {
    title: 'Pods stuck Terminating after their containers exited',
    severity: 'medium',
    kind: 'failure-mode',
    symptoms:
      'Pods show Terminating for many minutes: metadata.deletionTimestamp is set and long past, their containers have exited, but the API object stays. StatefulSets cannot recreate the ordinal, operators wait on the old pod, anti-affinity keeps the replacement away.',
    why:
      "A pod object goes away only when the kubelet confirms the termination (or someone force-deletes it). If the kubelet never received the deletion — a dead watch stream (002) — or the owning operator waits on a PodDisruptionBudget that can never be satisfied (003's Jiva pods), the object stays forever although nothing runs any more. Once the containers are confirmed exited, force-deleting only removes the stale API object; the controller then recreates the pod.",
    inputs: ['pods'],
    signals: [
      { name: 'Terminating over 10 min', description: 'metadata.deletionTimestamp more than 10 min before the capture end', weight: 2, input: 'pods' },
      { name: 'containers exited', description: 'none of the pod\'s containers is running', weight: 2, input: 'pods' },
      { name: 'unsatisfiable PDB', description: 'a PodDisruptionBudget of the pod allows 0 disruptions with fewer healthy pods than desired', weight: 1, input: 'pods' },
    ],
    runbook: [
      { step: 'Confirm the containers of {{pods}} have exited (state terminated, with an exit code)', command: "kubectl get pod {{pod}} -n {{namespace}} -o jsonpath='{.status.containerStatuses[*].state}'" },
      { step: 'Force-delete the stuck pods: this removes only the API object, nothing is running any more', command: '{{forceDelete}}' },
      { step: 'Verify the controller recreates them and they become Ready', command: 'kubectl get pods -n {{namespace}} -o wide' },
      { step: 'If a watch finding (kine-watch-corruption, pod-watch-stall-after-restart) exists for {{node}}, fix it first or new pods will stall the same way' },
    ],
    references: [
      '002_d7e147c5693ff705.txt#Chain 2: Stuck Terminating Pod — argocd-redis-ha-server-2 Terminating 44+ min',
      '003_c1675665415870c2.txt#Jiva PDB deadlocks require force-deletion; there is no gentler path',
    ],
    falsePositives: [
      'A pod inside its termination grace period, or still running a long preStop hook, is not stuck: the rule needs the deletion 10 min past and no running container.',
      'Finalizers (e.g. a volume protection finalizer) also keep objects around; force-deleting then skips their cleanup — check `metadata.finalizers` first.',
    ],
  },
  evaluate(ctx) {
    const now = nowOf(ctx);
    const noFinding = new SignalSet().check('Terminating over 10 min', false).list();
    if (now === undefined) return { findings: [], checked: noFinding };
    const old = terminatingPods(ctx, now, STUCK_FOR);
    const stuck = old.filter((p) => containersExited(p) !== 'running');
    if (stuck.length === 0) {
      const checked = new SignalSet().check('Terminating over 10 min', old.length > 0)
        .check('containers exited', old.length ? false : undefined, old.length ? `${old.map(podRef).join(', ')} still running` : undefined).list();
      return { findings: [], checked };
    }

    const hasPdbs = ctx.facts.pdbs.length > 0;
    const byNode = new Map<string, PodFact[]>();
    for (const p of stuck) byNode.set(p.nodeName ?? '', [...(byNode.get(p.nodeName ?? '') ?? []), p]);
    const findings: FindingDraft[] = [];
    for (const [node, pods] of [...byNode.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
      pods.sort((a, b) => a.deletionTimestamp! - b.deletionTimestamp! || podRef(a).localeCompare(podRef(b)));
      const exited = pods.map(containersExited);
      const blockers = new Map<string, PdbFact>();
      for (const p of pods) {
        const pdb = blockingPdb(p, ctx.facts.pdbs);
        if (pdb) blockers.set(`${pdb.namespace}/${pdb.name}`, pdb);
      }
      const longest = now - pods[0]!.deletionTimestamp!;
      const signals = new SignalSet()
        .check('Terminating over 10 min', true, `up to ${formatDuration(longest)}`)
        .check('containers exited', exited.every((e) => e === 'unknown') ? undefined : true,
          exited.some((e) => e === 'unknown') ? 'some pods carry no container status' : undefined)
        .check('unsatisfiable PDB', hasPdbs ? blockers.size > 0 : undefined, blockers.size ? [...blockers.keys()].join(', ') : undefined);
      const evidence: EvidenceItem[] = [
        ...pods.slice(0, 8).map(podEvidence),
        ...[...blockers.values()].map((p) => evidenceFromFact(p.source, pdbText(p), node || undefined)),
      ];
      const refs = pods.map(podRef);
      findings.push({
        nodes: node ? [node] : [],
        window: { start: pods[0]!.deletionTimestamp!, end: now },
        summary: `${pods.length} pod(s)${node ? ` on ${node}` : ''} have been Terminating for up to ${formatDuration(longest)} with no container running: ${refs.slice(0, 5).join(', ')}${refs.length > 5 ? ', …' : ''}${blockers.size ? `; ${[...blockers.keys()].join(', ')} allow${blockers.size === 1 ? 's' : ''} no disruption and cannot be satisfied` : ''}. The API objects are stale; once the exits are confirmed they can be force-deleted and their controllers recreate them.`,
        signals: signals.list(),
        evidence,
        values: {
          node: node || '<node>',
          pods: refs,
          pod: pods[0]!.name,
          namespace: pods[0]!.namespace,
          namespaces: uniqueSorted(pods.map((p) => p.namespace)),
          forceDelete: forceDeleteCommands(pods),
        },
        facts: { stuckPods: pods.length, longestMinutes: Math.floor(longest / MICROS_PER_MINUTE) },
      });
    }
    return { findings, checked: findings[0]!.signals };
  },
});
