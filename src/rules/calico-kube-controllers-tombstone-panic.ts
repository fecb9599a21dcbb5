import { cappedEvidence, evidenceFromFact } from '../engine/evidence.js';
import { defineRule } from '../engine/define-rule.js';
import { SignalSet } from '../engine/signals.js';
import type { EvidenceItem, SignatureMatch } from '../engine/types.js';
import { KUBELET_UNITS } from '../model/units.js';
import { calicoImages, isCalico313OrOlder, isKubeControllersPod, oldestCalico, recordNode } from './shared/calico.js';

/** Restarts from which the controller counts as crash-looping (the document: "crash-looping continuously"). */
const CRASH_LOOP_RESTARTS = 3;
const KUBE_CONTROLLERS = 'calico-kube-controllers';

/**
 * A tombstone panic is Calico's when it comes from a calico-kube-controllers container, or
 * from a log without container attribution that is not a MicroK8s service journal (kubelite
 * embeds kube-controller-manager, whose panics are not this failure).
 */
function isCalicoPanic(m: SignatureMatch): boolean {
  const { container, unit } = m.record;
  if (container) return container.pod.startsWith(KUBE_CONTROLLERS) || container.container === KUBE_CONTROLLERS;
  if (unit && (KUBELET_UNITS.has(unit) || unit.startsWith('snap.microk8s.'))) return false;
  return true;
}

export default defineRule({
  id: 'calico-kube-controllers-tombstone-panic',
  meta: {
    title: 'calico-kube-controllers crash-loops on DeletedFinalStateUnknown',
    severity: 'high',
    kind: 'failure-mode',
    symptoms:
      'calico-kube-controllers restarts over and over; its previous log ends with `panic: interface conversion: interface {} is cache.DeletedFinalStateUnknown, not *v1.Pod`. Nothing else looks wrong until IPAM blocks fill with stale allocations.',
    why:
      "When a pod is deleted while the informer is not watching, client-go hands the delete handler a cache.DeletedFinalStateUnknown tombstone instead of the pod. The v3.13 pod handler asserts the object is a *v1.Pod and panics; the tombstone is still queued after the restart, so the controller panics again, forever. Its IPAM garbage collection never runs, so stale allocations and handles accumulate (000).",
    inputs: [['container-logs', 'node-journal']],
    signals: [
      { name: 'tombstone panic', description: 'panic: interface conversion: interface {} is cache.DeletedFinalStateUnknown, not *v1.Pod in calico-kube-controllers logs', weight: 3, input: 'container-logs' },
      { name: 'controller restarts', description: `calico-kube-controllers in CrashLoopBackOff or with ≥ ${CRASH_LOOP_RESTARTS} restarts`, weight: 2, input: 'pods' },
      { name: 'Calico v3.13.x', description: 'calico-kube-controllers image at v3.13.x or older', weight: 1, input: 'workloads' },
    ],
    runbook: [
      { step: "Confirm the crash loop from the previous container's log", command: 'kubectl -n {{namespace}} logs -l k8s-app=calico-kube-controllers --previous | grep -m1 DeletedFinalStateUnknown' },
      { step: 'Upgrade calico-kube-controllers from {{calicoVersion}} to a release that handles tombstones (with calico-node and the CRDs: plan a staged Calico upgrade)', command: "kubectl -n {{namespace}} get deployment calico-kube-controllers -o jsonpath='{.spec.template.spec.containers[*].image}'" },
      { step: 'Until then IPAM garbage collection does not run: clean the stale allocations by hand (see calico-ipam-full-blocks) and the orphaned handles (see calico-ipam-gc-disabled)', command: 'kubectl get ipamblocks.crd.projectcalico.org -o json > ipamblocks.json && kubectl get pods -A -o json > pods.json' },
      { step: 'After the upgrade, verify the controller stays up ({{restarts}} restarts before) and collects leaked IPs', command: "kubectl -n {{namespace}} get pods -l k8s-app=calico-kube-controllers && kubectl -n {{namespace}} logs deployment/calico-kube-controllers | grep -E 'Garbage collecting leaked IP addresses|Candidate IP leak'" },
    ],
    references: [
      "000_1e0daac4a0084df3.txt#How did Calico's IPAM GC stop running?",
      '000_1e0daac4a0084df3.txt#Key Error Signatures',
    ],
    causes: ['calico-ipam-full-blocks', 'calico-ipam-gc-disabled'],
    falsePositives: [
      'The same tombstone panic from another controller (kube-controller-manager inside kubelite, an operator) is that component\'s bug, not Calico\'s; only calico-kube-controllers logs (or unattributed logs) count.',
      'A single recovered panic that did not restart the controller is lower confidence; the restart count tells them apart.',
    ],
  },
  evaluate(ctx) {
    const panics = ctx.matches('tombstone-panic').filter(isCalicoPanic);
    const kcPods = ctx.facts.pods.filter(isKubeControllersPod);
    const hasPods = ctx.hasInput('pods');
    const sightings = calicoImages(ctx.facts).filter((s) => s.component === 'kube-controllers');
    const version = oldestCalico(sightings);

    const restarts = Math.max(0, ...kcPods.flatMap((p) => p.containers.map((c) => c.restartCount)));
    const backOff = kcPods.some((p) => p.containers.some((c) => c.stateReason === 'CrashLoopBackOff'));
    const restarting = kcPods.length ? backOff || restarts >= CRASH_LOOP_RESTARTS : hasPods ? false : undefined;

    const signals = new SignalSet()
      .check('tombstone panic', panics.length > 0, panics.length ? `${panics.length} panic line(s)` : undefined)
      .check('controller restarts', restarting, kcPods.length ? `${restarts} restarts${backOff ? ', CrashLoopBackOff' : ''}` : hasPods ? 'no calico-kube-controllers pod in the capture' : undefined)
      .check('Calico v3.13.x', version ? isCalico313OrOlder(version.version) : undefined, version?.image);
    if (panics.length === 0) return { findings: [], checked: signals.list() };

    // The controller is cluster-scoped: its crash loop stops IPAM GC for every node's blocks,
    // so the finding is cluster-wide (nodes []) and links to the full blocks wherever they
    // are; the node the pod happened to run on is named in the summary.
    const ranOn = [...new Set([
      ...panics.map((m) => recordNode(m, ctx.facts.pods)),
      ...kcPods.map((p) => p.nodeName),
    ].filter((n): n is string => Boolean(n)))].sort();
    const podRef = panics.find((m) => m.record.container)?.record.container;
    // A `kubectl logs --previous` file may name only the workload (namespace unknown, '').
    const pod = kcPods.find((p) => p.name === podRef?.pod && (!podRef.namespace || p.namespace === podRef.namespace)) ?? kcPods[0];
    const refNamesPod = Boolean(podRef?.namespace);
    const namespace = podRef?.namespace || pod?.namespace || 'kube-system';
    const podName = (refNamesPod ? podRef?.pod : pod?.name ?? podRef?.pod) ?? KUBE_CONTROLLERS;
    const asserted = [...new Set(panics.map((m) => m.groups.type).filter(Boolean))].join(', ') || '*v1.Pod';

    const evidence: EvidenceItem[] = cappedEvidence(panics, 3);
    if (pod) {
      const c = pod.containers.find((x) => x.name === KUBE_CONTROLLERS) ?? pod.containers[0];
      evidence.push(evidenceFromFact(pod.source,
        `pod ${pod.namespace}/${pod.name}: container ${c?.name ?? '?'} image ${c?.image ?? '?'} restartCount ${c?.restartCount ?? 0}${c?.stateReason ? ` ${c.stateReason}` : ''}`,
        pod.nodeName));
    }
    if (version && version.source !== pod?.source) evidence.push(evidenceFromFact(version.source, `${version.where}: image ${version.image}`, version.node));

    const times = panics.map((m) => m.record.ts).filter((t): t is number => t !== undefined);
    return {
      findings: [{
        nodes: [],
        window: times.length ? { start: Math.min(...times), end: Math.max(...times) } : undefined,
        summary: `calico-kube-controllers (${namespace}/${podName}${version ? `, ${version.tag}` : ''}${ranOn.length ? `, running on ${ranOn.join(', ')}` : ''}) panics on a cache.DeletedFinalStateUnknown tombstone (asserted ${asserted}; ${panics.length} panic line(s)${kcPods.length ? `, ${restarts} restarts` : ''}). The tombstone stays queued across restarts, so the controller never reaches its IPAM garbage collection and stale allocations and handles pile up.`,
        signals: signals.list(),
        evidence,
        values: { namespace, pod: podName, calicoVersion: version?.tag ?? '<calico-version>', restarts, node: ranOn[0] ?? '<node>' },
        facts: { panics: panics.length, restarts, ...(version ? { calicoVersion: version.tag } : {}) },
      }],
      checked: signals.list(),
    };
  },
});
