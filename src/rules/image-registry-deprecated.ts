import { cappedEvidence, evidenceFromFact } from '../engine/evidence.js';
import { defineRule } from '../engine/define-rule.js';
import { SignalSet } from '../engine/signals.js';
import type { EvidenceItem, FindingDraft, SignatureMatch } from '../engine/types.js';
import type { EventFact, PodFact } from '../model/facts.js';
import { recordNode, workloadOfPod } from './shared/calico.js';

/**
 * Retired registries (004: gcr.io/kubebuilder "deprecated in March 2025 and images are no
 * longer pulled"; k8s.gcr.io and gcr.io/google_containers were frozen for registry.k8s.io).
 * Each entry maps a retired prefix to its registry.k8s.io replacement.
 */
const RETIRED: ReadonlyArray<[RegExp, string]> = [
  [/^gcr\.io\/kubebuilder\//, 'registry.k8s.io/kubebuilder/'],
  [/^k8s\.gcr\.io\//, 'registry.k8s.io/'],
  [/^gcr\.io\/google[-_]containers\//, 'registry.k8s.io/'],
];
// Failed to pull image "gcr.io/kubebuilder/kube-rbac-proxy:v0.15.0": rpc error: code = NotFound …
const RETIRED_IMAGE = /(?:gcr\.io\/kubebuilder|k8s\.gcr\.io|gcr\.io\/google[-_]containers)\/[\w./:@-]+/;
const PULL_FAILURE = /Failed to pull image|ErrImagePull|ImagePullBackOff|Back-off pulling image/;
const PULL_WAITING = new Set(['ErrImagePull', 'ImagePullBackOff']);

/** Registry-qualified name without `docker.io/` noise and trailing punctuation. */
function cleanImage(image: string): string {
  return image.replace(/[.:]+$/, '');
}

function replacementFor(image: string): string | undefined {
  for (const [prefix, replacement] of RETIRED) if (prefix.test(image)) return image.replace(prefix, replacement);
  return undefined;
}

interface PullFailure {
  image: string;
  node?: string;
  namespace?: string;
  pod?: string;
  match?: SignatureMatch;
  event?: EventFact;
  waiting?: { pod: PodFact; container: string; reason: string };
}

export default defineRule({
  id: 'image-registry-deprecated',
  meta: {
    title: 'Image pulls from a retired registry fail',
    severity: 'medium',
    kind: 'failure-mode',
    symptoms:
      'A pod sits in ErrImagePull / ImagePullBackOff with `Failed to pull image "gcr.io/kubebuilder/…"` (or k8s.gcr.io, gcr.io/google_containers) even though the manifest did not change; it surfaces when the pod is rescheduled to a node without the image cached.',
    why:
      'The old Google registries were retired in favour of registry.k8s.io: images there are no longer served. Nodes that cached the image keep running it, so the problem only shows on a reschedule or a new node, often in the middle of an unrelated incident (004).',
    inputs: [['events', 'pods', 'kubelet-log', 'container-logs', 'node-journal']],
    signals: [
      { name: 'pull failure from a retired registry', description: 'Failed to pull image / ErrImagePull / ImagePullBackOff naming a gcr.io/kubebuilder, k8s.gcr.io or gcr.io/google_containers image', weight: 3 },
      { name: 'pods waiting on the image', description: 'pods whose container waits in ErrImagePull / ImagePullBackOff for that image', weight: 1, input: 'pods' },
    ],
    runbook: [
      { step: 'Point container {{container}} of {{namespace}}/{{workload}} at {{replacement}}', command: 'kubectl -n {{namespace}} set image {{workload}} {{container}}={{replacement}}' },
      { step: 'Make the same change in the manifest source (GitOps repo, Helm values) so a sync does not revert it; {{image}} is referenced there', command: "grep -rn '{{image}}' ." },
      { step: 'Verify the new image pulls and the rollout completes ({{pods}})', command: 'kubectl -n {{namespace}} rollout status {{workload}}' },
      { step: 'Look for other workloads still on retired registries before they are rescheduled', command: "kubectl get pods -A -o jsonpath='{range .items[*]}{.metadata.namespace}/{.metadata.name}{\"\\t\"}{.spec.containers[*].image}{\"\\n\"}{end}' | grep -E 'gcr.io/kubebuilder|k8s.gcr.io|gcr.io/google_containers'" },
    ],
    references: ['004_e1f13a7f36a305a4.txt#gcr.io/kubebuilder registry deprecation (operational gap)'],
    falsePositives: [
      'A running pod whose image comes from a retired registry (cached on the node) is not a failure yet; the rule needs a failed pull.',
      'ImagePullBackOff for an image on registry.k8s.io or elsewhere is a different problem (wrong tag, credentials).',
    ],
  },
  evaluate(ctx) {
    const { facts } = ctx;
    const failures: PullFailure[] = [];
    for (const m of ctx.matches('image-pull-retired-registry')) {
      if (!m.groups.image) continue;
      const ref = m.record.container;
      failures.push({ image: cleanImage(m.groups.image), node: recordNode(m, facts.pods), namespace: ref?.namespace, match: m });
    }
    for (const e of facts.events) {
      if (!PULL_FAILURE.test(e.message)) continue;
      const image = RETIRED_IMAGE.exec(e.message)?.[0];
      if (!image) continue;
      const ns = e.involved.namespace ?? e.namespace;
      const pod = facts.pods.find((p) => p.namespace === ns && p.name === e.involved.name);
      failures.push({ image: cleanImage(image), node: e.sourceHost ?? pod?.nodeName, namespace: ns, pod: e.involved.name, event: e });
    }
    for (const pod of facts.pods) {
      for (const c of [...pod.containers, ...pod.initContainers]) {
        if (!c.stateReason || !PULL_WAITING.has(c.stateReason)) continue;
        const image = [c.image, ...pod.specImages].find((i) => i && replacementFor(i) && (!c.image || i === c.image));
        if (!image) continue;
        failures.push({ image, node: pod.nodeName, namespace: pod.namespace, pod: pod.name, waiting: { pod, container: c.name, reason: c.stateReason } });
      }
    }

    const byImage = new Map<string, PullFailure[]>();
    for (const f of failures) byImage.set(f.image, [...(byImage.get(f.image) ?? []), f]);

    const findings: FindingDraft[] = [];
    for (const [image, list] of [...byImage].sort((a, b) => a[0].localeCompare(b[0]))) {
      const waiting = list.filter((f) => f.waiting);
      const matches = list.map((f) => f.match).filter((m): m is SignatureMatch => m !== undefined);
      const events = list.map((f) => f.event).filter((e): e is EventFact => e !== undefined);
      const podRefs = [...new Set(list.filter((f) => f.namespace && f.pod).map((f) => `${f.namespace}/${f.pod}`))].sort();
      const firstPod = list.find((f) => f.namespace && f.pod);
      const namespace = firstPod?.namespace ?? list.find((f) => f.namespace)?.namespace ?? '<namespace>';
      const workload = firstPod ? workloadOfPod(facts, firstPod.namespace!, firstPod.pod!) : '<workload>';
      const podFact = firstPod ? facts.pods.find((p) => p.namespace === firstPod.namespace && p.name === firstPod.pod) : undefined;
      const containerName = waiting[0]?.waiting?.container ?? podFact?.containers.find((c) => c.image === image)?.name ?? '<container>';
      const replacement = replacementFor(image) ?? '<replacement>';

      const signals = new SignalSet()
        .set('pull failure from a retired registry', 'present', `${matches.length} log line(s), ${events.reduce((n, e) => n + e.count, 0)} event(s)`)
        .check('pods waiting on the image', ctx.hasInput('pods') ? waiting.length > 0 : undefined,
          waiting.length ? waiting.map((f) => `${f.namespace}/${f.pod} ${f.waiting!.reason}`).join(', ') : undefined);

      const evidence: EvidenceItem[] = [
        ...cappedEvidence(matches, 3),
        ...events.slice(0, 3).map((e) => evidenceFromFact(e.source, `${e.reason}: ${e.message}`, e.sourceHost, e.lastTimestamp ?? e.eventTime)),
        ...waiting.slice(0, 3).map((f) => evidenceFromFact(f.waiting!.pod.source,
          `pod ${f.namespace}/${f.pod} container ${f.waiting!.container} waiting: ${f.waiting!.reason} (image ${image})`, f.node)),
      ];
      const nodes = [...new Set(list.map((f) => f.node).filter((n): n is string => Boolean(n)))].sort();
      const times = [
        ...matches.map((m) => m.record.ts),
        ...events.flatMap((e) => [e.firstTimestamp, e.lastTimestamp, e.eventTime]),
      ].filter((t): t is number => t !== undefined);
      findings.push({
        nodes,
        window: times.length ? { start: Math.min(...times), end: Math.max(...times) } : undefined,
        summary: `Pulls of ${image} fail: the registry is retired${podRefs.length ? ` (${podRefs.join(', ')} stuck${waiting.length ? ` in ${[...new Set(waiting.map((f) => f.waiting!.reason))].join('/')}` : ''})` : ''}. The image is served as ${replacement}.`,
        signals: signals.list(),
        evidence,
        values: { image, replacement, namespace, workload, container: containerName, pods: podRefs },
        facts: { image, replacement, occurrences: list.length },
      });
    }
    return { findings, checked: findings[0]?.signals ?? new SignalSet().check('pull failure from a retired registry', false).list() };
  },
});
