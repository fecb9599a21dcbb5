import { evidenceFromFact } from '../engine/evidence.js';
import { defineRule } from '../engine/define-rule.js';
import { SignalSet } from '../engine/signals.js';
import type { EvidenceItem } from '../engine/types.js';
import { calicoImages, compareVersions, isCalico313OrOlder, oldestCalico, parseKubeVersion, type SemVer } from './shared/calico.js';

/**
 * "Years older than the cluster", kept simple: Calico 3.N shipped alongside Kubernetes
 * 1.(N+1)…1.(N+5) (3.13 ↔ 1.17/1.18 in early 2020, 3.29 ↔ 1.31 in late 2024), and
 * Kubernetes releases three minors a year. A Kubernetes minor at least 8 above the Calico
 * minor therefore means the Calico release predates the cluster by roughly two years or
 * more (3.29 is fine on 1.35, 3.25 is not on 1.33). v3.13.x (000, 004) always counts.
 */
const MINOR_GAP = 8;

function gapOf(calico: SemVer, kube: SemVer): number {
  return kube.minor - calico.minor;
}

export default defineRule({
  id: 'calico-outdated',
  meta: {
    title: 'Calico far older than the cluster',
    severity: 'low',
    kind: 'failure-mode',
    symptoms:
      "Calico images years older than the kubelets (v3.13.x on Kubernetes 1.35 in the documents); MicroK8s' bundled calicoctl cannot talk to the running CRDs, and known Calico bugs (tombstone panics, missing IPAM GC, no VTEP reconciliation) stay in place.",
    why:
      "A Calico installed outside the MicroK8s addon is not upgraded with the snap. Years later it carries fixed bugs (000: the tombstone panic that stopped IPAM GC; 002: Felix not reconciling VTEP routes) and no matching tooling, which turns routine cleanups into CRD surgery.",
    inputs: [['pods', 'workloads']],
    signals: [
      { name: 'Calico v3.13.x or older', description: 'a Calico image (calico/node, calico/kube-controllers, calico/cni…) at v3.13.x or older', weight: 2 },
      { name: 'Calico years older than Kubernetes', description: `the Kubernetes minor (kubelet version) is at least ${MINOR_GAP} above the Calico minor`, weight: 2, input: 'nodes' },
      { name: 'mixed Calico versions', description: 'Calico components running different versions (a half-finished upgrade)', weight: 1 },
    ],
    runbook: [
      { step: 'Inventory the Calico images (running {{calicoVersion}}, cluster {{kubernetesVersion}})', command: "kubectl get ds,deploy -A -o jsonpath='{range .items[*]}{.metadata.namespace}/{.metadata.name}{\"\\t\"}{.spec.template.spec.containers[*].image}{\"\\n\"}{end}' | grep calico" },
      { step: 'Clean IPAM first (stale allocations and orphaned handles; see calico-ipam-full-blocks and calico-ipam-gc-disabled)', command: 'kubectl get ipamhandles.crd.projectcalico.org --no-headers | wc -l' },
      { step: 'Plan a staged Calico upgrade from {{calicoVersion}}: calico-node, calico-kube-controllers and CRDs together, through the supported minor versions, one node at a time' },
      { step: 'After each step, verify calico-node is Ready on every node and the VXLAN routes point at each node\'s VTEP', command: 'kubectl -n kube-system get pods -l k8s-app=calico-node -o wide && ip route show table main | grep vxlan.calico' },
      { step: 'Use a calicoctl that matches the running Calico', command: 'calicoctl version' },
    ],
    references: [
      '000_1e0daac4a0084df3.txt#How was calico-kube-controllers v3.13.2 running with this known bug?',
      '004_e1f13a7f36a305a4.txt#Preventive Measures',
    ],
    falsePositives: [
      'The version gap is a heuristic on minor numbers (no release-date table); a Calico a few minors behind is normal and not reported.',
      'The calicoctl/Calico mismatch the documents mention is not checked: the capture has no calicoctl version.',
    ],
  },
  evaluate(ctx) {
    const sightings = calicoImages(ctx.facts);
    const oldest = oldestCalico(sightings);
    const kubeVersions = ctx.facts.nodes
      .map((n) => (n.kubeletVersion ? { node: n, version: parseKubeVersion(n.kubeletVersion) } : undefined))
      .filter((v): v is { node: (typeof ctx.facts.nodes)[number]; version: SemVer } => v?.version !== undefined)
      .sort((a, b) => compareVersions(b.version, a.version));
    const newestKube = kubeVersions[0];
    const tags = [...new Set(sightings.map((s) => s.tag))].sort();

    const is313 = oldest ? isCalico313OrOlder(oldest.version) : undefined;
    const gap = oldest && newestKube ? gapOf(oldest.version, newestKube.version) : undefined;
    const signals = new SignalSet()
      .check('Calico v3.13.x or older', is313, oldest ? `${oldest.where}: ${oldest.image}` : undefined)
      .check('Calico years older than Kubernetes', gap !== undefined ? gap >= MINOR_GAP : undefined,
        gap !== undefined ? `Calico ${oldest!.tag} vs Kubernetes ${newestKube!.node.kubeletVersion} (${gap} minors apart)` : undefined)
      .check('mixed Calico versions', oldest ? tags.length > 1 : undefined, tags.length > 1 ? tags.join(', ') : undefined);
    if (!oldest || !(is313 || (gap !== undefined && gap >= MINOR_GAP))) return { findings: [], checked: signals.list() };

    const evidence: EvidenceItem[] = [];
    const seen = new Set<string>();
    for (const s of sightings) {
      if (seen.has(s.image)) continue;
      seen.add(s.image);
      evidence.push(evidenceFromFact(s.source, `${s.where}: image ${s.image}`, s.node));
      if (evidence.length >= 4) break;
    }
    if (newestKube) evidence.push(evidenceFromFact(newestKube.node.source, `node ${newestKube.node.name} kubeletVersion ${newestKube.node.kubeletVersion}`, newestKube.node.name));

    return {
      findings: [{
        nodes: [],
        summary: `Calico runs ${tags.join(', ')}${newestKube ? ` on Kubernetes ${newestKube.node.kubeletVersion} (${gap} minor releases apart)` : ''}${is313 ? '; v3.13.x is the release with the tombstone-panic and IPAM GC gaps of the documents' : ''}. Plan a staged upgrade after cleaning IPAM.`,
        signals: signals.list(),
        evidence,
        values: { calicoVersion: oldest.tag, kubernetesVersion: newestKube?.node.kubeletVersion ?? '<kubernetes-version>', images: [...seen] },
        facts: { calicoVersion: oldest.tag, ...(newestKube?.node.kubeletVersion ? { kubernetesVersion: newestKube.node.kubeletVersion } : {}), ...(gap !== undefined ? { minorGap: gap } : {}) },
      }],
      checked: signals.list(),
    };
  },
});
