import { evidenceFromFact } from '../engine/evidence.js';
import { defineRule } from '../engine/define-rule.js';
import { SignalSet } from '../engine/signals.js';
import type { EvidenceItem, FindingDraft, RuleContext } from '../engine/types.js';
import type { NeighFact, NodeFact, PodFact, RouteFact } from '../model/facts.js';
import { blockBase, cidrContains, parseCidr, stripMask } from './shared/calico.js';

const VXLAN_DEV = 'vxlan.calico';
const VTEP_ANNOTATION = 'projectcalico.org/IPv4VXLANTunnelAddr';
/** Felix programs VXLAN neighbours PERMANENT (formats §3.3/§3.4); these states mean the MAC never resolved. */
const UNRESOLVED_STATES = new Set(['INCOMPLETE', 'FAILED']);
const MAX_ROUTE_EVIDENCE = 24;

interface WrongRoute {
  peer: string;
  route: RouteFact;
  gateway: string;
  neighbour?: NeighFact;
}

interface Group {
  /** Node whose pod blocks the routes serve; undefined when no block or VTEP names it. */
  target?: string;
  vtep?: string;
  routes: WrongRoute[];
}

function vtepOf(node: NodeFact): string | undefined {
  const value = node.vxlanTunnelAddr ?? node.annotations[VTEP_ANNOTATION];
  return value ? stripMask(value) : undefined;
}

function neighbourFor(neighbours: readonly NeighFact[], node: string, gateway: string): NeighFact | undefined {
  return neighbours.find((n) => n.node === node && stripMask(n.dst) === gateway && (n.dev === undefined || n.dev === VXLAN_DEV));
}

const isUnresolved = (n: NeighFact | undefined) => n !== undefined && n.states.some((s) => UNRESOLVED_STATES.has(s));

function initCrashLooping(pods: readonly PodFact[]): PodFact[] {
  return pods.filter((p) => p.initContainers.some((c) => c.state === 'waiting' && c.stateReason === 'CrashLoopBackOff'));
}

/** Node whose IPAM blocks hold the route's destination, else the node whose VTEP lies inside it. */
function targetOf(ctx: RuleContext, route: RouteFact, peer: string, vteps: Map<string, string>): string | undefined {
  const base = blockBase(route.dst);
  if (base === undefined) return undefined;
  for (const block of ctx.facts.ipamBlocks) {
    const owner = block.node ?? (block.affinity?.startsWith('host:') ? block.affinity.slice(5) : undefined);
    if (!owner || owner === peer || block.deleted) continue;
    if (cidrContains(block.cidr, base) || cidrContains(route.dst, block.cidr)) return owner;
  }
  for (const [node, vtep] of vteps) if (node !== peer && cidrContains(route.dst, vtep)) return node;
  return undefined;
}

export default defineRule({
  id: 'vxlan-route-stale-vtep',
  meta: {
    title: 'Peer routes point at a wrong VXLAN gateway (stale VTEP)',
    severity: 'critical',
    kind: 'failure-mode',
    symptoms:
      "All traffic between one node's pods and the rest of the cluster is silently dropped: no RST, just timeouts. Pods whose init containers reach a ClusterIP backed by that node sit in Init:CrashLoopBackOff; DNS from the node's pods fails; nodes and calico-node all report Ready.",
    why:
      "Felix on each node routes a remote node's pod blocks through vxlan.calico via that node's VTEP, the address in its projectcalico.org/IPv4VXLANTunnelAddr annotation. When a peer's Felix misses the annotation update (a lost watch event), it keeps a gateway that is no VTEP at all; the neighbour for it never resolves (INCOMPLETE instead of Felix's PERMANENT entry) and every encapsulated packet is dropped. Felix does not reconcile these routes later, so they stay wrong until replaced (002 Chain 3).",
    inputs: ['routes'],
    signals: [
      { name: 'gateway differs from VTEP annotation', description: "the route's gateway is not the target node's projectcalico.org/IPv4VXLANTunnelAddr", weight: 3, input: 'nodes' },
      { name: 'gateway neighbour unresolved', description: 'ip neigh shows the gateway on vxlan.calico as INCOMPLETE/FAILED (Felix programs PERMANENT)', weight: 2, input: 'neighbours' },
      { name: 'gateway is the block base address', description: "the gateway is the network address of the route's /26 (a default/initial value, not a VTEP, unless the VTEP is that address)", weight: 1 },
      { name: 'pods in Init:CrashLoopBackOff', description: 'pods whose init containers crash-loop (cross-node traffic dropped)', weight: 1, input: 'pods' },
    ],
    runbook: [
      { step: "Read {{target}}'s VTEP from its node annotation (expected {{vtep}})", command: "VTEP=$(kubectl get node {{target}} -o jsonpath='{.metadata.annotations.projectcalico\\.org/IPv4VXLANTunnelAddr}'); echo $VTEP" },
      { step: 'On each peer ({{peers}}), replace the route of every affected subnet ({{subnets}}) with one via the VTEP', command: '{{repairCommands}}' },
      { step: 'On each peer, verify the VTEP neighbour resolves (REACHABLE or PERMANENT, not INCOMPLETE)', command: 'ip neigh show dev vxlan.calico | grep {{vtep}}' },
      { step: 'Check that pods depending on cross-node traffic recover ({{pods}})', command: 'kubectl get pods -A -o wide | grep -E "Init:|CrashLoopBackOff"' },
      { step: "Felix will not correct these routes by itself after a missed VTEP update: check the watch path (kine-watch-corruption) and verify the routes again after every calico-node restart", command: "ip route show table main | grep vxlan.calico" },
    ],
    references: [
      '002_d7e147c5693ff705.txt#Chain 3: VXLAN Route Corruption — cross-node traffic blackhole from k8s03 pods',
      '002_d7e147c5693ff705.txt#Surprise Findings',
      '002_d7e147c5693ff705.txt#VXLAN Route Repair Procedure',
    ],
    falsePositives: [
      "A gateway equal to the block's base address is healthy when that address is the target node's VTEP (Felix allocates the VTEP from the node's block): `10.233.72.0/26 via 10.233.72.0 dev vxlan.calico onlink`.",
      "Host routes (/32) to borrowed IPs legitimately go via another node's VTEP.",
      'Without the VTEP annotation the rule fires only when the gateway neighbour is unresolved, at lower confidence.',
    ],
  },
  evaluate(ctx) {
    const vteps = new Map<string, string>();
    for (const node of ctx.facts.nodes) {
      const vtep = vtepOf(node);
      if (vtep) vteps.set(node.name, vtep);
    }
    const vtepOwner = new Map([...vteps].map(([node, vtep]) => [vtep, node]));
    const hasNeighbours = ctx.hasInput('neighbours');

    const groups = new Map<string, Group>();
    for (const route of ctx.facts.routes) {
      const peer = route.node;
      const gateway = route.gateway ? stripMask(route.gateway) : undefined;
      if (!peer || route.dev !== VXLAN_DEV || !gateway) continue;
      const dst = parseCidr(route.dst);
      if (!dst) continue;
      const target = targetOf(ctx, route, peer, vteps);
      const targetVtep = target ? vteps.get(target) : undefined;
      const gatewayOwner = vtepOwner.get(gateway);
      const neighbour = neighbourFor(ctx.facts.neighbours, peer, gateway);

      let wrong: boolean;
      if (gatewayOwner !== undefined && (target === undefined || target === gatewayOwner || dst.prefix === 32)) {
        wrong = false; // points at a real VTEP: the block owner's, or a borrowed /32's host
      } else if (targetVtep !== undefined) {
        wrong = gateway !== targetVtep;
      } else {
        wrong = isUnresolved(neighbour); // no annotation to compare: only an unresolved neighbour convicts
      }
      if (!wrong) continue;

      const key = target ?? `gw:${gateway}`;
      const group = groups.get(key) ?? { target, vtep: targetVtep, routes: [] };
      group.routes.push({ peer, route, gateway, neighbour });
      groups.set(key, group);
    }

    const crashLooping = initCrashLooping(ctx.facts.pods);
    const findings: FindingDraft[] = [];
    for (const [, group] of [...groups].sort((a, b) => a[0].localeCompare(b[0]))) {
      findings.push(toFinding(ctx, group, hasNeighbours, crashLooping));
    }
    const checked = findings[0]?.signals ?? new SignalSet().check('gateway differs from VTEP annotation', ctx.hasInput('nodes') ? false : undefined).list();
    return { findings, checked };
  },
});

function toFinding(ctx: RuleContext, group: Group, hasNeighbours: boolean, crashLooping: PodFact[]): FindingDraft {
  const { target, vtep, routes } = group;
  const peers = [...new Set(routes.map((r) => r.peer))].sort();
  const subnets = [...new Set(routes.map((r) => r.route.dst))].sort(compareCidr);
  const gateways = [...new Set(routes.map((r) => r.gateway))].sort();
  const unresolved = routes.filter((r) => isUnresolved(r.neighbour));
  const onBase = routes.filter((r) => blockBase(r.route.dst) === r.gateway);
  const peersWithNeighbours = peers.filter((p) => ctx.hasInput('neighbours', p));
  const targetNode = target ? ctx.facts.nodes.find((n) => n.name === target) : undefined;

  const signals = new SignalSet()
    .check('gateway differs from VTEP annotation', vtep !== undefined ? true : undefined,
      vtep !== undefined ? `routes via ${gateways.join(', ')}; ${target}'s VTEP is ${vtep}` : target ? `${target} has no ${VTEP_ANNOTATION} annotation in the capture` : 'target node unknown')
    .check('gateway neighbour unresolved', unresolved.length > 0 ? true : hasNeighbours && peersWithNeighbours.length ? false : undefined,
      unresolved.length ? unresolved.map((r) => `${r.peer}: ${r.neighbour!.raw.trim()}`).filter(unique).join('; ') : undefined)
    .check('gateway is the block base address', onBase.length > 0,
      onBase.length ? `${onBase.length} route(s) via their own network address` : undefined)
    .check('pods in Init:CrashLoopBackOff', ctx.hasInput('pods') ? crashLooping.length > 0 : undefined,
      crashLooping.length ? crashLooping.map((p) => `${p.namespace}/${p.name}`).join(', ') : undefined);

  const evidence: EvidenceItem[] = routes
    .slice(0, MAX_ROUTE_EVIDENCE)
    .map((r) => evidenceFromFact(r.route.source, r.route.raw.trimEnd(), r.peer));
  const seenNeigh = new Set<NeighFact>();
  for (const r of routes) {
    if (r.neighbour && !seenNeigh.has(r.neighbour)) {
      seenNeigh.add(r.neighbour);
      evidence.push(evidenceFromFact(r.neighbour.source, r.neighbour.raw.trimEnd(), r.peer));
    }
  }
  if (targetNode && vtep) evidence.push(evidenceFromFact(targetNode.source, `node ${targetNode.name} annotation ${VTEP_ANNOTATION}: ${vtep}`, targetNode.name));
  for (const pod of crashLooping.slice(0, 3)) {
    const init = pod.initContainers.find((c) => c.stateReason === 'CrashLoopBackOff');
    evidence.push(evidenceFromFact(pod.source, `pod ${pod.namespace}/${pod.name} Init:CrashLoopBackOff (init container ${init?.name ?? '?'}, ${init?.restartCount ?? 0} restarts)`, pod.nodeName));
  }

  const via = vtep ?? '$VTEP';
  const repairCommands = peers
    .flatMap((peer) => [...new Set(routes.filter((r) => r.peer === peer).map((r) => r.route.dst))].sort(compareCidr)
      .map((subnet) => `ssh ${peer} "sudo ip route replace ${subnet} via ${via} dev vxlan.calico onlink"`))
    .join('\n');

  const who = target ?? 'an unknown node';
  const neighText = unresolved.length
    ? ` The gateway neighbour is ${[...new Set(unresolved.map((r) => r.neighbour!.states.join(' ')))].join('/')} on ${[...new Set(unresolved.map((r) => r.peer))].join(', ')}, so packets are dropped.`
    : '';
  const vtepText = vtep !== undefined
    ? `, but ${who}'s VTEP (${VTEP_ANNOTATION}) is ${vtep}.`
    : `; ${who}'s VTEP is not in the capture (no annotation), so only the unresolved neighbour shows the gateway is wrong.`;
  return {
    nodes: peers,
    ...(target ? { about: [target] } : {}),
    summary: `${peers.join(', ')} route ${subnets.length} pod subnet(s) of ${who} (${subnets.join(' ')}) on vxlan.calico via ${gateways.join(', ')}${vtepText}${neighText} Cross-node traffic to and from ${who}'s pods is blackholed until the routes are replaced.`,
    signals: signals.list(),
    evidence,
    values: {
      target: target ?? '<target-node>',
      vtep: vtep ?? '$VTEP',
      peers,
      subnets,
      gateway: gateways,
      repairCommands,
      pods: crashLooping.map((p) => `${p.namespace}/${p.name}`),
    },
    facts: {
      wrongRoutes: routes.length,
      subnets: subnets.length,
      gateway: gateways.join(','),
      ...(vtep !== undefined ? { vtep } : {}),
      ...(target !== undefined ? { target } : {}),
    },
  };
}

function unique(value: string, index: number, all: string[]): boolean {
  return all.indexOf(value) === index;
}

function compareCidr(a: string, b: string): number {
  const pa = parseCidr(a);
  const pb = parseCidr(b);
  if (!pa || !pb) return a.localeCompare(b);
  return pa.base - pb.base || pa.prefix - pb.prefix;
}
