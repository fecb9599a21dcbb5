import { cappedEvidence, evidenceFromFact } from '../engine/evidence.js';
import { defineRule } from '../engine/define-rule.js';
import { SignalSet } from '../engine/signals.js';
import type { EvidenceItem, FindingDraft, RuleContext } from '../engine/types.js';
import type { IptablesChain, IptablesDumpFact, PodFact } from '../model/facts.js';
import { atLine } from '../model/records.js';
import { microsToIso } from '../model/time.js';
import { isCalicoNodePod, recordNode } from './shared/calico.js';

interface NatState {
  node: string;
  dump: IptablesDumpFact;
  /** Undefined when the dump has no nat table; for iptables-save that means the table is empty. */
  nat?: IptablesChain[];
  /** PREROUTING/OUTPUT jump to KUBE-SERVICES and the chain exists (ClusterIP DNAT). */
  kubeServices: boolean;
  /** Felix's nat chains exist and the built-in chains jump to them. */
  caliNat: boolean;
}

const mentions = (chain: IptablesChain | undefined, target: RegExp) => chain?.rules.some((r) => target.test(r)) ?? false;

/** formats §4.4: what a nat table needs for ClusterIP DNAT (kube-proxy) and pod SNAT (Felix). */
function natState(dump: IptablesDumpFact): NatState | undefined {
  if (!dump.node) return undefined;
  const nat = dump.tables.nat;
  // `iptables -L`/`-S` without `-t nat` only shows filter: the nat table is unknown, not missing.
  if (!nat && dump.format !== 'save') return undefined;
  const chains = nat ?? [];
  const chain = (name: string) => chains.find((c) => c.name === name);
  const kubeServices = Boolean(chain('KUBE-SERVICES')) &&
    (mentions(chain('PREROUTING'), /\bKUBE-SERVICES\b/) || mentions(chain('OUTPUT'), /\bKUBE-SERVICES\b/));
  const caliNat = chains.some((c) => c.name.startsWith('cali-')) &&
    (mentions(chain('POSTROUTING'), /\bcali-/) || mentions(chain('PREROUTING'), /\bcali-/));
  return { node: dump.node, dump, nat, kubeServices, caliNat };
}

/** `*nat :PREROUTING ACCEPT :INPUT ACCEPT …` — the table as iptables-save declares it. */
function renderNat(state: NatState): string {
  if (!state.nat) return `iptables-save on ${state.node}: no *nat table`;
  const declared = state.nat.map((c) => `:${c.name} ${c.policy ?? '-'}`).join(' ');
  const rules = state.nat.reduce((n, c) => n + c.rules.length, 0);
  return `*nat ${declared} (${rules} rule(s))`;
}

function calicoNodeOn(pods: readonly PodFact[], node: string): PodFact | undefined {
  return pods.find((p) => p.nodeName === node && isCalicoNodePod(p));
}

export default defineRule({
  id: 'felix-nat-not-reprogrammed',
  meta: {
    title: 'Felix did not restore NAT rules after a reboot',
    severity: 'critical',
    kind: 'failure-mode',
    symptoms:
      "After a reboot, ClusterIP traffic from one node goes nowhere: connections to Services time out silently (e.g. storage replicas cannot reach their controller and never reach quorum) while the node and calico-node look Ready. `iptables -t nat -L | grep KUBE` on that node returns nothing.",
    why:
      "iptables state does not survive a reboot. Felix reprograms the nat chains when calico-node starts; if the calico-node container survived the node flap without a restart, Felix keeps its pre-reboot view, its resync loop re-reads the nat table (resync-nat-v4) but the KUBE-SERVICES DNAT and cali-* NAT chains are not restored (003 Chain 2).",
    inputs: ['iptables'],
    signals: [
      { name: 'NAT chains missing while peers have them', description: 'the nat table lacks KUBE-SERVICES (with its PREROUTING/OUTPUT jump) or the cali-* NAT chains that peer nodes have', weight: 3, input: 'iptables' },
      { name: 'resync-nat-v4 logged', description: "Felix's dataplane loop re-reading the nat table (`resync-nat-v4`) in that node's calico-node log", weight: 1, input: 'container-logs' },
      { name: 'calico-node started before the last boot', description: "the node's calico-node container started before the node's last boot (no restart after the reboot)", weight: 2, input: 'pods' },
    ],
    runbook: [
      { step: 'Restart calico-node on {{node}} so Felix reprograms the nat table from scratch (or restart kubelite on {{node}}, which recreates it)', command: 'kubectl -n {{namespace}} delete pod {{calicoNodePod}}' },
      { step: 'Verify the NAT chains exist again on {{node}} (missing before: {{missing}})', command: "sudo iptables -t nat -L | grep KUBE; sudo iptables-save -t nat | grep -E '^:(KUBE-SERVICES|cali-nat-outgoing|cali-POSTROUTING)'" },
      { step: 'Check ClusterIP traffic from {{node}}: workloads there reach their Services again (e.g. storage replicas regain quorum)', command: 'kubectl get pods -A --field-selector spec.nodeName={{node}} -o wide' },
      { step: 'After every reboot, compare the nat table of each node with its peers before declaring the node healthy', command: 'sudo iptables-save -t nat | grep -c -E "^-A (KUBE-SERVICES|cali-)"' },
    ],
    references: ['003_c1675665415870c2.txt#Chain 2: Jiva Replicas Cannot Reach Quorum — Calico Felix NAT Not Reprogrammed (RC-2)'],
    falsePositives: [
      'A node running kube-proxy in IPVS or nftables mode has no KUBE-SERVICES chain in the iptables nat table by design; compare like with like.',
      'An `iptables -L` capture without `-t nat` says nothing about the nat table; such nodes are skipped.',
      'A node captured with a different iptables backend (legacy vs nft) than the one Felix programs can look empty; check the `iptables-legacy tables present` warning.',
    ],
  },
  evaluate(ctx) {
    const states = ctx.facts.iptables.map(natState).filter((s): s is NatState => s !== undefined);
    const findings: FindingDraft[] = [];
    const byNode = new Map<string, NatState>();
    for (const s of states) {
      const prev = byNode.get(s.node);
      // Several dumps of one node: keep the one with the most nat chains (the full iptables-save).
      if (!prev || (s.nat?.length ?? 0) > (prev.nat?.length ?? 0)) byNode.set(s.node, s);
    }
    let checked = new SignalSet().check('NAT chains missing while peers have them', states.length > 1 ? false : undefined).list();
    for (const [node, state] of [...byNode].sort((a, b) => a[0].localeCompare(b[0]))) {
      const peers = [...byNode.values()].filter((p) => p.node !== node);
      const missing: string[] = [];
      const kubePeers = peers.filter((p) => p.kubeServices);
      const caliPeers = peers.filter((p) => p.caliNat);
      if (!state.kubeServices && kubePeers.length) missing.push('KUBE-SERVICES');
      if (!state.caliNat && caliPeers.length) missing.push('cali-* NAT chains');
      if (missing.length === 0) continue;
      const finding = toFinding(ctx, state, missing, [...new Set([...kubePeers, ...caliPeers])]);
      findings.push(finding);
      checked = finding.signals;
    }
    return { findings, checked };
  },
});

function toFinding(ctx: RuleContext, state: NatState, missing: string[], peers: NatState[]): FindingDraft {
  const { node } = state;
  const resync = ctx.matches('felix-resync-nat').filter((m) => recordNode(m, ctx.facts.pods) === node);
  const calicoNode = calicoNodeOn(ctx.facts.pods, node);
  const felix = calicoNode?.containers.find((c) => c.name === 'calico-node') ?? calicoNode?.containers[0];
  const boots = ctx.boots(node).filter((b) => b.ts !== undefined);
  const lastBoot = boots[boots.length - 1];
  const startedBeforeBoot = felix?.startedAt !== undefined && lastBoot?.ts !== undefined ? felix.startedAt < lastBoot.ts : undefined;

  const signals = new SignalSet()
    .set('NAT chains missing while peers have them', 'present', `${node} lacks ${missing.join(' and ')}; ${peers.map((p) => p.node).join(', ')} have them`)
    .check('resync-nat-v4 logged', resync.length ? true : ctx.hasInput('container-logs') ? false : undefined,
      resync.length ? `${resync.length} line(s)` : undefined)
    .check('calico-node started before the last boot', startedBeforeBoot,
      felix?.startedAt !== undefined && lastBoot?.ts !== undefined
        ? `calico-node started ${microsToIso(felix.startedAt)}, last boot ${microsToIso(lastBoot.ts)}`
        : calicoNode ? undefined : `no calico-node pod on ${node} in the capture`);

  const evidence: EvidenceItem[] = [evidenceFromFact(atLine(state.dump.source, state.dump.tableLines.nat), renderNat(state), node)];
  const peer = peers[0];
  if (peer) evidence.push(evidenceFromFact(atLine(peer.dump.source, peer.dump.tableLines.nat), renderNat(peer), peer.node));
  evidence.push(...cappedEvidence(resync, 3));
  if (calicoNode && felix?.startedAt !== undefined) {
    evidence.push(evidenceFromFact(calicoNode.source,
      `pod ${calicoNode.namespace}/${calicoNode.name} container ${felix.name} running, startedAt ${microsToIso(felix.startedAt)}, restartCount ${felix.restartCount}`, node));
  }
  if (lastBoot) evidence.push({ source: lastBoot.source, ts: lastBoot.ts, node, text: lastBoot.text });

  const times = resync.map((m) => m.record.ts).filter((t): t is number => t !== undefined);
  const bootText = startedBeforeBoot && lastBoot?.ts !== undefined && felix?.startedAt !== undefined
    ? ` Its calico-node container started at ${microsToIso(felix.startedAt)}, before the node's last boot at ${microsToIso(lastBoot.ts)}, so Felix never restarted after the reboot.`
    : '';
  return {
    nodes: [node],
    window: times.length ? { start: Math.min(...times), end: Math.max(...times) } : undefined,
    summary: `The nat table on ${node} lacks ${missing.join(' and ')} while ${peers.map((p) => p.node).join(', ')} have them: ClusterIP DNAT and pod SNAT from ${node} are dead.${resync.length ? ` Felix logged resync-nat-v4 ${resync.length} time(s) without restoring them.` : ''}${bootText}`,
    signals: signals.list(),
    evidence,
    values: {
      node,
      namespace: calicoNode?.namespace ?? 'kube-system',
      calicoNodePod: calicoNode?.name ?? `-l k8s-app=calico-node --field-selector spec.nodeName=${node}`,
      missing: missing.join(', '),
    },
    facts: { missing: missing.join(', '), natChains: state.nat?.length ?? 0, resyncLines: resync.length },
  };
}
