import { analyzeIpam } from '../derive/ipam.js';
import { cappedEvidence, evidenceFromFact } from '../engine/evidence.js';
import { defineRule } from '../engine/define-rule.js';
import { SignalSet } from '../engine/signals.js';
import type { EvidenceItem, FindingDraft } from '../engine/types.js';

/** A block counts as full from 95 % used (the document's 62/64 block was "mostly stale" and nearly full). */
const NEARLY_FULL = 0.95;

export default defineRule({
  id: 'calico-ipam-full-blocks',
  meta: {
    title: 'Node-affine Calico IPAM blocks full of stale allocations',
    severity: 'medium',
    kind: 'failure-mode',
    symptoms:
      "Every CNI ADD on the node walks through one or more full IPAM blocks before it finds a free address; containerd's CNI log shows IPAM skipping full blocks. Nothing fails outright, but each pod start makes several extra API (kine) calls.",
    why:
      "Calico's IPAM garbage collection frees allocations whose pods are gone. When it does not run (a crash-looping calico-kube-controllers, GC disabled), allocations of deleted pods pile up until the node's blocks are full. Each full block costs one more datastore read per CNI ADD, which multiplies the exposure to datastore latency (000 Chain 1).",
    inputs: ['ipamblocks'],
    signals: [
      { name: 'full blocks', description: 'blocks with host affinity to the node that are full or nearly full', weight: 2 },
      { name: 'stale allocations', description: 'allocations whose pod (namespace/name) is not in the pods list', weight: 2, input: 'pods' },
      { name: 'IPAM skipping full blocks', description: 'CNI/containerd log lines: IPAM skipping full blocks before allocating', input: 'containerd-log' },
    ],
    runbook: [
      { step: 'Dry run: list the stale allocations of {{node}} against live pods ({{staleCount}} expected)', command: 'kubectl get ipamblocks.crd.projectcalico.org -o json > ipamblocks.json && kubectl get pods -A -o json > pods.json' },
      { step: 'Patch each block of {{node}} ({{blocks}}): null the stale allocation slots and rebuild `unallocated`, one block at a time with kubectl replace', command: 'kubectl replace -f <patched-block>.json' },
      { step: 'Verify the first block now has free addresses and a new pod on {{node}} allocates from it', command: 'kubectl get ipamblocks.crd.projectcalico.org -o json | jq -r \'.items[] | select(.spec.affinity=="host:{{node}}") | "\\(.spec.cidr) \\([.spec.allocations[]|select(.!=null)]|length)/\\(.spec.allocations|length)"\'' },
      { step: 'Restore IPAM garbage collection (see calico-ipam-gc-disabled / calico-kube-controllers-tombstone-panic) so the blocks do not fill again' },
    ],
    references: ['000_1e0daac4a0084df3.txt#Chain 1: How did 3 IPAM blocks become 64/64 full?', '000_1e0daac4a0084df3.txt#Phase 6: IPAM Cleanup', '000_1e0daac4a0084df3.txt#IPAM Block State (post-cleanup)'],
    causes: ['pleg-cni-deadlock'],
    falsePositives: [
      'A busy node can legitimately fill a block with live pods; only stale allocations make it a finding.',
      'Without a pods list the stale count is unknown and the finding rests on fullness alone.',
    ],
  },
  evaluate(ctx) {
    const hasPods = ctx.hasInput('pods');
    const analysis = analyzeIpam(ctx.facts.ipamBlocks, ctx.facts.pods, ctx.facts.ipamHandles);
    const byNode = new Map<string, typeof analysis.blocks>();
    for (const block of analysis.blocks) {
      if (!block.node) continue;
      byNode.set(block.node, [...(byNode.get(block.node) ?? []), block]);
    }

    const findings: FindingDraft[] = [];
    let lastChecked = new SignalSet().check('full blocks', false).list();
    for (const [node, blocks] of [...byNode.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
      const full = blocks.filter((b) => b.size > 0 && b.used / b.size >= NEARLY_FULL);
      const stale = blocks.reduce((n, b) => n + b.stale, 0);
      const staleInFull = full.reduce((n, b) => n + b.stale, 0);
      const skipping = ctx.matches('ipam-full-block', { node });
      const signals = new SignalSet()
        .check('full blocks', full.length > 0, full.map((b) => `${b.cidr} ${b.used}/${b.size}`).join(', ') || undefined)
        .check('stale allocations', hasPods ? staleInFull > 0 : undefined, hasPods ? `${stale} stale on ${node}` : undefined)
        .check('IPAM skipping full blocks', ctx.hasInput('containerd-log', node) || skipping.length ? skipping.length > 0 : undefined,
          skipping.length ? `${ctx.matchCount('ipam-full-block', { node })} line(s)` : undefined);
      lastChecked = signals.list();
      if (full.length === 0 || (hasPods && staleInFull === 0)) continue;

      const sources = blocks.map((b) => ctx.facts.ipamBlocks.find((f) => f.name === b.name && f.cidr === b.cidr));
      const evidence: EvidenceItem[] = blocks.map((b, i) =>
        evidenceFromFact(sources[i]!.source, `IPAMBlock ${b.cidr} affinity host:${node}: ${b.used}/${b.size} used, ${b.stale} stale`, node),
      );
      evidence.push(...cappedEvidence(skipping, 4));
      const times = skipping.map((m) => m.record.ts).filter((t): t is number => t !== undefined);
      const table = blocks.map((b) => `${b.cidr} ${b.used}/${b.size}`).join(', ');
      findings.push({
        nodes: [node],
        window: times.length ? { start: Math.min(...times), end: Math.max(...times) } : undefined,
        summary: `${node} has ${blocks.length} IPAM block(s) (${table}); ${full.length} full or nearly full${hasPods ? `, with ${stale} allocation(s) whose pods no longer exist` : ' (stale count unknown: no pods list)'}. Every CNI ADD on ${node} reads the full blocks before it finds space.`,
        signals: signals.list(),
        evidence,
        values: { node, blocks: blocks.map((b) => b.cidr), fullBlocks: full.map((b) => b.cidr), staleCount: stale },
        facts: {
          blocks: table,
          fullBlocks: full.length,
          ...(hasPods ? { staleAllocations: stale } : {}),
        },
      });
    }
    return { findings, checked: findings[0]?.signals ?? lastChecked };
  },
});
