import { cappedEvidence } from '../engine/evidence.js';
import { defineRule } from '../engine/define-rule.js';
import type { SignatureMatch } from '../engine/types.js';
import { plegComplaints } from './shared/kubelet.js';

/**
 * Only lines inside the startup window (90 s after a kubelet start: systemd Started, PID
 * change or a startup line) are noise. Past the window the first relist never finished,
 * which is what an orphaned-shim stall looks like; those lines are left to pleg-unhealthy.
 */
export default defineRule({
  id: 'pleg-startup-not-yet-successful',
  meta: {
    title: '"pleg has yet to be successful" during kubelet startup (noise)',
    severity: 'info',
    kind: 'noise',
    symptoms: 'Right after kubelite starts: "Skipping pod synchronization" err="PLEG is not healthy: pleg has yet to be successful", often together with "container runtime status check may not have completed yet".',
    why: 'Until the first PLEG relist (or, with EventedPLEG, the first ListPodSandboxes resync) completes, the PLEG health check has no successful relist to report; the kubelet says so at every start.',
    explanation:
      'Normal at every kubelet start: it clears within about 60 seconds, once the first relist/resync completes (001 EventedPLEG Behavior). Only lines within 90 s of a start are counted here; later ones are not noise.',
    inputs: ['kubelet-log'],
    signals: [{ name: 'pleg has yet to be successful at startup', description: 'PLEG is not healthy: pleg has yet to be successful, within 90 s of a kubelet start', input: 'kubelet-log' }],
    runbook: [{ step: 'Nothing to do if it stops within about a minute of the start. If it keeps appearing past 90 s, see pleg-unhealthy.' }],
    references: ['001_5310979ce87a3858.txt#EventedPLEG Behavior (k8s 1.35+)'],
    falsePositives: ['Past the startup window the same line means the first relist never finished (pleg-unhealthy, pleg-orphaned-shims).'],
  },
  evaluate(ctx) {
    const inWindow: SignatureMatch[] = [];
    const nodes = new Set<string>();
    for (const node of ctx.nodes) {
      const found = plegComplaints(ctx, node).yetToBeInWindow;
      if (found.length) nodes.add(node);
      inWindow.push(...found);
    }
    inWindow.sort((a, b) => (a.record.ts ?? 0) - (b.record.ts ?? 0));
    const times = inWindow.map((m) => m.record.ts).filter((t): t is number => t !== undefined);
    return {
      findings: [],
      checked: [],
      noise: {
        count: inWindow.length,
        first: times[0],
        last: times[times.length - 1],
        nodes: [...nodes].sort(),
        evidence: cappedEvidence(inWindow, 3),
      },
    };
  },
});
