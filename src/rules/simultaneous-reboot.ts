import { defineRule } from '../engine/define-rule.js';
import { SignalSet } from '../engine/signals.js';
import type { BootEvent, EvidenceItem, FindingDraft } from '../engine/types.js';
import { MICROS_PER_MINUTE, microsToIso } from '../model/time.js';
import { formatDuration } from './shared/format.js';

/** "Within a few minutes of each other": 003's three nodes all went down around 06:00 AEST. */
const TOGETHER = 15 * MICROS_PER_MINUTE;
/** A boot marker and the kernel line of the same boot lie seconds apart. */
const SAME_BOOT = 10 * MICROS_PER_MINUTE;

interface Boot {
  node: string;
  ts: number;
  events: BootEvent[];
}

/** One entry per boot per node: a `-- Boot --` marker and a `Linux version` line of one boot are merged. */
function distinctBoots(events: readonly BootEvent[]): Boot[] {
  const boots: Boot[] = [];
  for (const e of [...events].filter((b) => b.node && b.ts !== undefined).sort((a, b) => a.ts! - b.ts!)) {
    const same = boots.find((b) => b.node === e.node && (
      (e.bootId !== undefined && b.events.some((x) => x.bootId === e.bootId))
      || Math.abs(e.ts! - b.ts) <= SAME_BOOT));
    if (same) same.events.push(e);
    else boots.push({ node: e.node!, ts: e.ts!, events: [e] });
  }
  return boots;
}

/** Groups of boots of two or more nodes within TOGETHER of the group's first boot, earliest first. */
function groups(boots: readonly Boot[]): Boot[][] {
  const out: Boot[][] = [];
  let i = 0;
  while (i < boots.length) {
    const first = boots[i]!;
    const window = boots.slice(i).filter((b) => b.ts - first.ts <= TOGETHER);
    const perNode = new Map<string, Boot>();
    for (const b of window) if (!perNode.has(b.node)) perNode.set(b.node, b);
    if (perNode.size >= 2) {
      out.push([...perNode.values()]);
      i += window.length;
    } else {
      i++;
    }
  }
  return out;
}

function bootEvidence(b: Boot): EvidenceItem[] {
  return b.events.map((e) => ({ source: e.source, ts: e.ts, node: e.node, text: e.text }));
}

export default defineRule({
  id: 'simultaneous-reboot',
  meta: {
    title: 'Several nodes rebooted at the same time',
    severity: 'high',
    kind: 'failure-mode',
    symptoms:
      'Two or more nodes — often all of them — went through a reboot within a few minutes of each other (a kernel update applied everywhere at once). Afterwards the cluster does not heal by itself: the nodes come back Ready, but pods stay Pending, services lose NAT, sandboxes cannot be created.',
    why:
      'Rebooting every node together is a full cluster power cycle. Leases are re-elected in a chaotic window (a node with stalled components can win the scheduler lease), Felix and containerd come back with stale pre-reboot state (missing NAT rules, sandbox names still reserved), and nothing is left running to hold state while the others recover. A rolling reboot with drains avoids all of it.',
    inputs: [['node-journal', 'kubelet-log', 'containerd-log', 'dqlite-log']],
    signals: [
      { name: 'boots within minutes', description: 'boots (journal boot markers / kernel start lines) of two or more nodes within 15 min of each other', weight: 3, input: 'node-journal' },
      { name: 'all nodes rebooted', description: 'every node of the capture is in the group', weight: 1, input: 'node-journal' },
    ],
    runbook: [
      { step: 'Now: check the aftermath on each rebooted node ({{nodes}}) — scheduler stall (zero FailedScheduling), Felix NAT missing, containerd "name is reserved"', command: 'kubectl get pods -A --field-selector=status.phase=Pending --no-headers | wc -l' },
      { step: 'For future maintenance, reboot one node at a time — cordon and drain it first (start with {{first}})', command: 'kubectl cordon {{first}} && kubectl drain {{first}} --ignore-daemonsets --delete-emptydir-data' },
      { step: 'Drain the containerd sandboxes on the node before rebooting it', command: 'sudo crictl stopp $(sudo crictl pods -q) && sudo crictl rmp $(sudo crictl pods -q)' },
      { step: 'Reboot, then verify the node is Ready', command: 'sudo reboot; kubectl wait node/{{first}} --for=condition=Ready --timeout=600s' },
      { step: 'Uncordon it, wait for its pods to settle, then move to the next node', command: 'kubectl uncordon {{first}}' },
    ],
    references: [
      '003_c1675665415870c2.txt#Executive Summary',
      '003_c1675665415870c2.txt#Rolling reboot is non-negotiable for cluster nodes',
      '003_c1675665415870c2.txt#containerd must be drained before rebooting',
    ],
    causes: ['scheduler-informer-stall', 'felix-nat-not-reprogrammed', 'containerd-stale-sandbox-reservation'],
    falsePositives: [
      'A rolling reboot (nodes more than 15 min apart) is the intended procedure and does not fire.',
      'A power outage also reboots every node at once; the finding and its aftermath checks still apply, the runbook\'s prevention part does not.',
    ],
  },
  evaluate(ctx) {
    const boots = distinctBoots(ctx.boots());
    const found = groups(boots);
    const knownNodes = ctx.nodes.length;
    const rebootedNodes = new Set(boots.map((b) => b.node)).size;
    if (found.length === 0) {
      const checked = new SignalSet().check('boots within minutes', boots.length ? false : undefined,
        boots.length ? `${boots.length} boot(s) on ${rebootedNodes} node(s), none within 15 min of another node's` : undefined).list();
      return { findings: [], checked };
    }
    const findings: FindingDraft[] = found.map((group) => {
      const nodes = group.map((b) => b.node).sort();
      const start = group[0]!.ts;
      const end = group[group.length - 1]!.ts;
      const all = knownNodes > 0 && nodes.length >= knownNodes;
      const signals = new SignalSet()
        .check('boots within minutes', true, `${nodes.length} node(s) within ${formatDuration(end - start)}`)
        .check('all nodes rebooted', all, `${nodes.length} of ${knownNodes} node(s)`);
      return {
        nodes,
        window: { start, end },
        summary: `${nodes.length}${all ? ' (all)' : ''} nodes rebooted within ${formatDuration(end - start)} of each other: ${group.map((b) => `${b.node} at ${microsToIso(b.ts)}`).join(', ')}. With every node down together, leases, Felix NAT and containerd sandbox state all restart from a chaotic or stale state; expect the aftermath failures this reboot causes.`,
        signals: signals.list(),
        evidence: group.flatMap(bootEvidence),
        values: { nodes, first: nodes[0]! },
        facts: { rebootedNodes: nodes.length, spreadSeconds: Math.round((end - start) / 1e6) },
      };
    });
    return { findings, checked: findings[0]!.signals };
  },
});
