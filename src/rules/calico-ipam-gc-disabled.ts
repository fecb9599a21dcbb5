import { cappedEvidence, evidenceFromFact } from '../engine/evidence.js';
import { defineRule } from '../engine/define-rule.js';
import { SignalSet } from '../engine/signals.js';
import type { EvidenceItem, RuleContext } from '../engine/types.js';
import type { Facts } from '../model/facts.js';
import type { Provenance } from '../model/records.js';
import {
  VALID_CONTROLLERS, calicoImages, isCalico313OrOlder, isKubeControllersPod, kubeControllersDeployment,
  matchesFromPods, oldestCalico, splitControllers,
} from './shared/calico.js';

/** 004 "Add monitoring for IPAM handle count": > 1000 warning, > 3000 critical. */
const HANDLES_WARNING = 1000;
const HANDLES_CRITICAL = 3000;
/**
 * Orphans that count as "many": the node controller releases a leak after its grace period
 * (15 min by default), so a working cluster holds a handful; 000 found 237 stale allocations
 * and 004 5,472 orphaned handles.
 */
const MANY_ORPHANS = 100;
/** Restarts of calico-kube-controllers that make it a crash loop rather than a hiccup. */
const CRASH_LOOP_RESTARTS = 5;
const KUBE_CONTROLLERS_PREFIX = 'calico-kube-controllers';
const TUNNEL_HANDLE = /^(?:vxlan|vxlan-v6|ipip|wireguard|wireguard-v6)-tunnel-addr-/;

interface HandleCount {
  count: number;
  evidence: EvidenceItem;
  from: 'ipamhandles' | 'dqlite snapshot';
}

function handleCount(ctx: RuleContext): HandleCount | undefined {
  const { ipamHandles, dqliteSnapshots } = ctx.facts;
  if (ctx.hasInput('ipamhandles') && ipamHandles.length > 0) {
    const live = ipamHandles.filter((h) => !h.deleted).length;
    return {
      count: live,
      from: 'ipamhandles',
      evidence: evidenceFromFact(ipamHandles[0]!.source, `ipamhandles.crd.projectcalico.org: ${live} handle(s) (kubectl get ipamhandles --no-headers | wc -l)`),
    };
  }
  const biggest = [...dqliteSnapshots].sort((a, b) => b.ipamHandles - a.ipamHandles)[0];
  if (!biggest) return undefined;
  return {
    count: biggest.ipamHandles,
    from: 'dqlite snapshot',
    evidence: evidenceFromFact(biggest.source,
      `dqlite snapshot ${biggest.snapshot}: ${biggest.ipamHandles} kine row(s) under /registry/crd.projectcalico.org/ipamhandles/ (database ${Math.round(biggest.databaseBytes / 1048576)} MiB)`,
      biggest.node),
  };
}

interface Orphans {
  handles?: number;
  allocations: number;
}

/** Handles and block allocations whose pod is gone. Needs the pods list; undefined without it. */
function orphans(facts: Facts): Orphans {
  const livePods = new Set(facts.pods.map((p) => `${p.namespace}/${p.name}`));
  const liveContainers = new Set(facts.pods.map((p) => p.annotations['cni.projectcalico.org/containerID']).filter(Boolean));
  const owners = new Map<string, string[]>();
  let allocations = 0;
  for (const block of facts.ipamBlocks) {
    const used = new Set(block.allocations.filter((a): a is number => a !== null));
    for (const index of used) {
      const attr = block.attributes[index];
      const ns = attr?.secondary?.namespace;
      const name = attr?.secondary?.pod;
      if (!attr || !ns || !name) continue;
      if (attr.handleId) owners.set(attr.handleId, [...(owners.get(attr.handleId) ?? []), `${ns}/${name}`]);
      if (!livePods.has(`${ns}/${name}`)) allocations++;
    }
  }
  if (facts.ipamHandles.length === 0) return { allocations };
  let handles = 0;
  let decided = 0;
  for (const h of facts.ipamHandles) {
    if (h.deleted || TUNNEL_HANDLE.test(h.handleId)) continue;
    const podOwners = owners.get(h.handleId);
    if (podOwners?.length) {
      decided++;
      if (!podOwners.some((o) => livePods.has(o))) handles++;
      continue;
    }
    const containerId = h.handleId.startsWith('k8s-pod-network.') ? h.handleId.slice('k8s-pod-network.'.length) : undefined;
    if (containerId && liveContainers.size > 0) {
      decided++;
      if (!liveContainers.has(containerId)) handles++;
    } else if (facts.ipamBlocks.length > 0) {
      decided++;
      handles++; // no allocation in any block points at it: a dangling handle
    }
  }
  return { handles: decided > 0 ? handles : undefined, allocations };
}

export default defineRule({
  id: 'calico-ipam-gc-disabled',
  meta: {
    title: 'Calico IPAM garbage collection is not running; handles accumulate',
    severity: 'high',
    kind: 'failure-mode',
    symptoms:
      'Thousands of ipamhandles.crd.projectcalico.org objects, most for pods long gone; the datastore (and every dqlite snapshot) grows with them until snapshots are large and frequent enough to stall the apiserver.',
    why:
      "Calico creates an IPAM handle for every pod it gives an address. Leaked handles (pods deleted without a clean CNI DEL) are released by calico-kube-controllers' node controller, which in Kubernetes-datastore mode is the IPAM garbage collector. When that controller is not enabled, crash-loops, or is a release that does not collect leaked pod IPs (v3.13), handles pile up for years: one datastore row each (004, corrected against Calico's code).",
    inputs: [['ipamhandles', 'dqlite-snapshot', 'ipamblocks']],
    signals: [
      { name: 'IPAM handle count above threshold', description: `more than ${HANDLES_WARNING} ipamhandles (warning), more than ${HANDLES_CRITICAL} (critical)`, weight: 2, input: 'ipamhandles' },
      { name: 'handles or allocations without a live pod', description: `at least ${MANY_ORPHANS} handles or block allocations whose pod no longer exists`, weight: 2, input: 'pods' },
      { name: 'node controller not running', description: 'calico-kube-controllers absent, or ENABLED_CONTROLLERS without `node` or with a token Calico rejects (it then exits)', weight: 2, input: 'workloads' },
      { name: 'Calico too old to collect leaked IPs', description: 'calico-kube-controllers at v3.13.x or older', weight: 1, input: 'workloads' },
      { name: 'calico-kube-controllers crash-looping', description: `tombstone panic in its logs, CrashLoopBackOff, or ≥ ${CRASH_LOOP_RESTARTS} restarts`, weight: 2, input: 'pods' },
      { name: 'no IPAM GC activity logged', description: 'calico-kube-controllers logs show no `Garbage collecting leaked IP addresses` / `Candidate IP leak`', weight: 1, input: 'container-logs' },
    ],
    runbook: [
      { step: 'Confirm the handle count ({{handles}}) and the orphans ({{orphans}} without a live pod)', command: 'kubectl get ipamhandles.crd.projectcalico.org --no-headers | wc -l' },
      {
        step: 'Make sure calico-kube-controllers runs the `node` controller (the IPAM garbage collector in Kubernetes-datastore mode) and only controllers Calico accepts: node, policy, namespace, serviceaccount, workloadendpoint, loadbalancer. Any other name makes it exit at start, so no controller runs at all.',
        command: 'kubectl -n {{namespace}} set env deployment/calico-kube-controllers ENABLED_CONTROLLERS={{controllersWithNode}}',
      },
      { step: 'Run it on a Calico release that collects leaked pod IPs: upgrade from {{calicoVersion}} (v3.13 does not) — calico-node, calico-kube-controllers and the CRDs together, IPAM cleaned first', command: "kubectl -n {{namespace}} get deployment calico-kube-controllers -o jsonpath='{.spec.template.spec.containers[*].image}'" },
      { step: 'Verify the node controller is collecting leaks', command: "kubectl -n {{namespace}} logs deployment/calico-kube-controllers | grep -E 'Garbage collecting leaked IP addresses|Candidate IP leak'" },
      { step: 'One-time cleanup with a calicoctl matching the running Calico ({{calicoVersion}}): lock the datastore (no new pods start meanwhile), check, release from the report, unlock', command: 'calicoctl datastore migrate lock && calicoctl ipam check -o {{report}} && calicoctl ipam release --from-report={{report}}; calicoctl datastore migrate unlock' },
      { step: 'Or delete the orphaned handles directly (handles whose pod no longer exists; dry-run the list first)', command: 'kubectl delete ipamhandles.crd.projectcalico.org <handle-name>' },
      { step: `Alert on the handle count: warning above ${HANDLES_WARNING}, critical above ${HANDLES_CRITICAL}`, command: `n=$(kubectl get ipamhandles.crd.projectcalico.org --no-headers | wc -l); [ "$n" -gt ${HANDLES_CRITICAL} ] && echo CRITICAL || { [ "$n" -gt ${HANDLES_WARNING} ] && echo WARNING; }` },
    ],
    references: [
      '004_e1f13a7f36a305a4.txt#How did 6,071 IPAM handles accumulate?',
      '004_e1f13a7f36a305a4.txt#Phase 1: IPAM Handle Cleanup',
      '000_1e0daac4a0084df3.txt#How did Calico\'s IPAM GC stop running?',
    ],
    causes: ['dqlite-snapshot-bloat'],
    falsePositives: [
      "ENABLED_CONTROLLERS=node alone is MicroK8s' default and enables the IPAM garbage collector; it is not a finding.",
      'A large cluster can hold thousands of handles for live pods; without a pods list the orphan count is unknown and the finding rests on the count and the reason.',
      "The 004 document's own advice to add `ipam` to ENABLED_CONTROLLERS is wrong: Calico has no such controller and exits on it.",
    ],
  },
  evaluate(ctx) {
    const { facts } = ctx;
    const hasPods = ctx.hasInput('pods');
    const counted = handleCount(ctx);
    const orphan = hasPods ? orphans(facts) : undefined;
    const orphanHandles = orphan?.handles;
    const staleAllocations = orphan && facts.ipamBlocks.length > 0 ? orphan.allocations : undefined;
    const orphanMax = Math.max(orphanHandles ?? 0, staleAllocations ?? 0);
    const level = counted === undefined ? undefined : counted.count > HANDLES_CRITICAL ? 'critical' : counted.count > HANDLES_WARNING ? 'warning' : undefined;

    // Why GC is not running.
    const deployment = kubeControllersDeployment(facts);
    const kcPods = facts.pods.filter(isKubeControllersPod);
    const enabled = deployment?.container.env.ENABLED_CONTROLLERS;
    const tokens = enabled !== undefined ? splitControllers(enabled) : undefined;
    const invalidTokens = (tokens ?? []).filter((t) => !(VALID_CONTROLLERS as readonly string[]).includes(t));
    const invalidLines = matchesFromPods(ctx, 'kube-controllers-invalid-controller', KUBE_CONTROLLERS_PREFIX);
    const notDeployed = ctx.hasInput('workloads') && !deployment && (!hasPods || kcPods.length === 0);
    let nodeControllerMissing: boolean | undefined;
    if (notDeployed || invalidTokens.length > 0 || invalidLines.length > 0) nodeControllerMissing = true;
    else if (tokens !== undefined) nodeControllerMissing = !tokens.includes('node');

    const sightings = calicoImages(facts);
    const kcImages = sightings.filter((s) => s.component === 'kube-controllers');
    const oldest = oldestCalico(kcImages.length ? kcImages : sightings);
    const tooOld = oldest ? isCalico313OrOlder(oldest.version) : undefined;

    const panics = matchesFromPods(ctx, 'tombstone-panic', KUBE_CONTROLLERS_PREFIX);
    const restarts = Math.max(0, ...kcPods.flatMap((p) => p.containers.map((c) => c.restartCount)));
    const crashLoopBackOff = kcPods.some((p) => p.containers.some((c) => c.stateReason === 'CrashLoopBackOff'));
    const crashLooping = panics.length > 0 || crashLoopBackOff || restarts >= CRASH_LOOP_RESTARTS ? true : hasPods && kcPods.length ? false : undefined;

    const gcLines = matchesFromPods(ctx, 'ipam-gc-running', KUBE_CONTROLLERS_PREFIX);
    const kcLogsSeen = gcLines.length + panics.length + invalidLines.length > 0 && ctx.hasInput('container-logs');
    const noGcLogged = gcLines.length > 0 ? false : kcLogsSeen ? true : undefined;

    const signals = new SignalSet()
      .check('IPAM handle count above threshold', counted ? level !== undefined : undefined,
        counted ? `${counted.count} handles (${counted.from})${level ? `: above the ${level} threshold` : ''}` : undefined)
      .check('handles or allocations without a live pod', orphan ? orphanMax >= MANY_ORPHANS : undefined,
        orphan ? [orphanHandles !== undefined ? `${orphanHandles} orphaned handle(s)` : '', staleAllocations !== undefined ? `${staleAllocations} stale allocation(s)` : ''].filter(Boolean).join(', ') || undefined : undefined)
      .check('node controller not running', nodeControllerMissing, reasonText())
      .check('Calico too old to collect leaked IPs', tooOld, oldest ? `${oldest.where}: ${oldest.image}` : undefined)
      .check('calico-kube-controllers crash-looping', crashLooping,
        crashLooping ? [panics.length ? `${ctx.matchCount('tombstone-panic')} tombstone panic line(s)` : '', restarts ? `${restarts} restarts` : '', crashLoopBackOff ? 'CrashLoopBackOff' : ''].filter(Boolean).join(', ') : undefined)
      .check('no IPAM GC activity logged', noGcLogged, gcLines.length ? `${gcLines.length} GC line(s)` : undefined);

    function reasonText(): string | undefined {
      if (notDeployed) return 'no calico-kube-controllers Deployment or pod in the capture';
      if (invalidLines.length) return `calico-kube-controllers exits: ${invalidLines[0]!.record.message.trim()}`;
      if (invalidTokens.length) return `ENABLED_CONTROLLERS=${enabled} contains ${invalidTokens.map((t) => `'${t}'`).join(', ')}, which Calico rejects (it exits)`;
      if (tokens !== undefined) return `ENABLED_CONTROLLERS=${enabled}`;
      return deployment ? 'ENABLED_CONTROLLERS not set in the Deployment (KubeControllersConfiguration decides)' : undefined;
    }

    const accumulating = level !== undefined || orphanMax >= MANY_ORPHANS;
    const gcBlocked = nodeControllerMissing === true || tooOld === true || crashLooping === true;
    // GC lines from the controller show it is collecting; only a crash loop still stops it then.
    const gcContradicted = gcLines.length > 0 && crashLooping !== true;
    if (!accumulating || !gcBlocked || gcContradicted) return { findings: [], checked: signals.list() };

    const namespace = deployment?.workload.namespace ?? kcPods[0]?.namespace ?? 'kube-system';
    const validKept = (tokens ?? []).filter((t) => (VALID_CONTROLLERS as readonly string[]).includes(t));
    const controllersWithNode = [...new Set([...validKept, 'node'])].join(',');

    const evidence: EvidenceItem[] = [];
    if (counted) evidence.push(counted.evidence);
    if (deployment && enabled !== undefined) {
      evidence.push(evidenceFromFact(deployment.workload.source,
        `Deployment ${namespace}/${deployment.workload.name} container ${deployment.container.name} image ${deployment.container.image ?? '?'} env ENABLED_CONTROLLERS=${enabled}`));
    }
    if (oldest && tooOld) evidence.push(evidenceFromFact(oldest.source, `${oldest.where}: image ${oldest.image}`, oldest.node));
    evidence.push(...cappedEvidence(invalidLines, 3), ...cappedEvidence(panics, 3, ctx.matchCount('tombstone-panic')));
    const restartPod = kcPods.find((p) => p.containers.some((c) => c.restartCount >= CRASH_LOOP_RESTARTS || c.stateReason === 'CrashLoopBackOff'));
    if (restartPod) evidence.push(podEvidence(restartPod.source, restartPod, restarts));

    const reasons = [
      nodeControllerMissing ? `the node controller is not running (${reasonText() ?? 'unknown'})` : '',
      tooOld && oldest ? `Calico ${oldest.tag} is too old to collect leaked pod IPs` : '',
      crashLooping ? 'calico-kube-controllers is crash-looping' : '',
    ].filter(Boolean);
    const countText = counted
      ? `${counted.count} Calico IPAM handles${level ? ` (above the ${level === 'critical' ? `${HANDLES_CRITICAL} critical` : `${HANDLES_WARNING} warning`} threshold)` : ''}`
      : 'Calico IPAM handles (count unknown)';
    const orphanText = orphan
      ? `; ${[orphanHandles !== undefined ? `${orphanHandles} handle(s)` : '', staleAllocations !== undefined ? `${staleAllocations} block allocation(s)` : ''].filter(Boolean).join(' and ')} belong to pods that no longer exist`
      : '';
    const window = timeWindow([...panics, ...invalidLines].map((m) => m.record.ts));
    return {
      findings: [{
        nodes: [],
        window,
        summary: `The cluster holds ${countText}${orphanText}. IPAM garbage collection is not happening: ${reasons.join('; ')}. Every handle is a datastore row, so dqlite snapshots grow with them.`,
        signals: signals.list(),
        evidence,
        values: {
          handles: counted?.count ?? '<unknown>',
          orphans: orphanHandles ?? staleAllocations ?? '<unknown>',
          enabledControllers: enabled ?? '(not set)',
          controllersWithNode,
          namespace,
          calicoVersion: oldest?.tag ?? '<calico-version>',
          report: 'ipam-report.json',
        },
        facts: {
          ...(counted ? { ipamHandles: counted.count } : {}),
          ...(level ? { level } : {}),
          ...(orphanHandles !== undefined ? { orphanedHandles: orphanHandles } : {}),
          ...(staleAllocations !== undefined ? { staleAllocations } : {}),
          ...(oldest ? { calicoVersion: oldest.tag } : {}),
          ...(enabled !== undefined ? { enabledControllers: enabled } : {}),
        },
      }],
      checked: signals.list(),
    };
  },
});

function podEvidence(source: Provenance, pod: { namespace: string; name: string; nodeName?: string; containers: Array<{ name: string; stateReason?: string; restartCount: number }> }, restarts: number): EvidenceItem {
  const reason = pod.containers.find((c) => c.stateReason)?.stateReason;
  return evidenceFromFact(source, `pod ${pod.namespace}/${pod.name}: ${restarts} restarts${reason ? `, ${reason}` : ''}`, pod.nodeName);
}

function timeWindow(times: Array<number | undefined>): { start: number; end: number } | undefined {
  const known = times.filter((t): t is number => t !== undefined);
  return known.length ? { start: Math.min(...known), end: Math.max(...known) } : undefined;
}
