import { cappedEvidence } from '../engine/evidence.js';
import { defineRule } from '../engine/define-rule.js';
import { countNoise } from './shared/kubelet.js';

export default defineRule({
  id: 'ipamblock-cas-conflict',
  meta: {
    title: 'Optimistic-concurrency conflict on a Calico IPAM block (noise)',
    severity: 'info',
    kind: 'noise',
    symptoms: 'Calico logs `operation cannot be fulfilled on ipamblocks.crd.projectcalico.org "10-1-237-64-26": the object has been modified` during pod churn.',
    why: 'Two CNI operations on the same node updated the same IPAM block at once; the API server rejects the stale write (resourceVersion compare-and-swap) and Calico re-reads and retries.',
    explanation:
      'An optimistic-concurrency retry during concurrent CNI DEL operations on one IPAM block: Calico retries automatically and it resolves in about 550 ms. Expected, not an error (000 Key Error Signatures).',
    inputs: [['containerd-log', 'container-logs', 'kubelet-log']],
    signals: [{ name: 'ipamblock CAS conflict', description: 'operation cannot be fulfilled on ipamblocks.crd.projectcalico.org … the object has been modified' }],
    runbook: [{ step: 'Nothing to do: the write is retried automatically. Look at IPAM only if blocks are full (calico-ipam-full-blocks).' }],
    references: ['000_1e0daac4a0084df3.txt#Key Error Signatures'],
    falsePositives: ['The same wording on other objects (poddisruptionbudgets, operator CRs) is a different, equally benign retry and is not counted here.'],
  },
  evaluate(ctx) {
    const { matches, count, first, last, nodes } = countNoise(ctx, 'ipamblock-cas-conflict');
    return { findings: [], checked: [], noise: { count, first, last, nodes, evidence: cappedEvidence(matches, 3, count) } };
  },
});
