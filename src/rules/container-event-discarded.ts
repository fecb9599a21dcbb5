import { cappedEvidence } from '../engine/evidence.js';
import { defineRule } from '../engine/define-rule.js';
import { countNoise } from './shared/kubelet.js';

export default defineRule({
  id: 'container-event-discarded',
  meta: {
    title: 'containerd "container event discarded" (noise)',
    severity: 'info',
    kind: 'noise',
    symptoms: 'containerd logs `level=warning msg="container event discarded"` with a container id and an event type, thousands of times a day (8302 a day on k8s03 in 000).',
    why: "containerd's CRI plugin publishes container lifecycle events for an EventedPLEG subscriber. With Generic PLEG (EventedPLEG=false) the kubelet never subscribes, so containerd drops every event and says so.",
    explanation:
      'Expected with Generic PLEG: the kubelet registers no CRI event subscriber when EventedPLEG is off, so containerd discards every container event. It is not a deadlock indicator and carries no diagnostic value (000, 8302 per day).',
    inputs: ['containerd-log'],
    signals: [{ name: 'container event discarded', description: 'containerd: level=warning msg="container event discarded"', input: 'containerd-log' }],
    runbook: [{ step: 'Nothing to do: with Generic PLEG these lines are expected. Do not chase them during a PLEG investigation.' }],
    references: ['000_1e0daac4a0084df3.txt#Surprise Findings', '000_1e0daac4a0084df3.txt#Phase 2: Goroutine Dump and Root Cause Analysis'],
    falsePositives: ['With EventedPLEG on, discarded events mean the subscriber fell behind; that is worth a look, though still not a stall by itself.'],
  },
  evaluate(ctx) {
    const { matches, count, first, last, nodes } = countNoise(ctx, 'container-event-discarded');
    return { findings: [], checked: [], noise: { count, first, last, nodes, evidence: cappedEvidence(matches, 3, count) } };
  },
});
