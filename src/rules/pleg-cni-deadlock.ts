import { cappedEvidence } from '../engine/evidence.js';
import { defineRule } from '../engine/define-rule.js';
import { SignalSet } from '../engine/signals.js';
import type { EvidenceItem, FindingDraft } from '../engine/types.js';
import { MICROS_PER_MINUTE } from '../model/time.js';
import { API_CALL_FRAMES, CNI_FRAMES, CONTAINER_STATUS_FRAMES, RELIST_FRAMES, blockedIn, bucketEvidence, describeBucket, dumpsOf, eventedPleg, featureGateEvidence, fullIpamBlocks, hasFrame, kubeletAlive, kubeletCpu, kubeletNodes, KUBELET_UNITS, kubeletPid, kubeletSilences, lastKubeletLineBefore, plegComplaints } from './shared/kubelet.js';
import { formatDuration } from './shared/format.js';

/** 000 Chain 1: the PLEG health check fires after ~3 minutes without a relist; the same span of journal silence. */
const SILENCE = 3 * MICROS_PER_MINUTE;

export default defineRule({
  id: 'pleg-cni-deadlock',
  meta: {
    title: 'Generic PLEG relist serialized behind a blocked CNI ADD',
    severity: 'high',
    kind: 'failure-mode',
    symptoms:
      'The node stays Ready and keeps heartbeating, but kubelite stops logging, its CPU drops below 1–3 %, and no pod on the node gets a lifecycle event: new pods stay Pending or ContainerCreating. A goroutine dump shows the PLEG relist (ListPodSandbox) waiting while a CNI ADD sits in a Calico IPAM call to the API server.',
    why:
      "With EventedPLEG off the kubelet's Generic PLEG polls containerd's ListPodSandbox every second. containerd runs that request behind a sandbox setup whose CNI ADD is still inside Calico IPAM; each full IPAM block costs one more read through kine/dqlite, and a read that hangs during a dqlite latency spike holds the CNI ADD, hence ListPodSandbox, hence the relist. No timeout fires and nothing is logged; the PLEG health check only notices after three minutes (000 Chain 1).",
    inputs: [['kubelet-log', 'goroutine-dump']],
    signals: [
      { name: 'relist waiting on ListPodSandbox', description: 'goroutine dump: (*GenericPLEG).relist / ListPodSandbox goroutine parked in a CRI call', weight: 2, input: 'goroutine-dump' },
      { name: 'CNI ADD blocked in an API call', description: 'goroutine dump: RunPodSandbox/setupPodNetwork/libcni/ExecPlugin or Calico IPAM goroutine parked in an API (kine) call or the plugin exec', weight: 3, input: 'goroutine-dump' },
      { name: 'EventedPLEG=false', description: 'kubelet args run Generic PLEG (--feature-gates=...EventedPLEG=false..., or the gate unset: off by default)', weight: 2, input: 'kubelet-args' },
      { name: 'kubelite silent while alive', description: 'no kubelet journal entries for >= 3 min while the node kept logging and no stop was logged', weight: 1, input: 'kubelet-log' },
      { name: 'PLEG not healthy', description: 'PLEG is not healthy: pleg was last seen active <d> ago (outside the startup window)', weight: 1, input: 'kubelet-log' },
      { name: 'kubelite CPU collapse', description: 'kubelite below 3 % CPU in ps, or schedstat run time frozen across samples', weight: 1, input: 'processes' },
      { name: 'full IPAM blocks on the node', description: 'node-affine Calico IPAM blocks >= 95 % used (calico-ipam-full-blocks)', weight: 1, input: 'ipamblocks' },
      { name: 'IPAM skipping full blocks', description: 'containerd CNI log: calico/ipam Skipping full block … before Allocated IP', weight: 0.5, input: 'containerd-log' },
    ],
    runbook: [
      { step: 'Cordon {{node}} so nothing new is scheduled there during the recovery', command: 'kubectl cordon {{node}}' },
      { step: 'If no goroutine dump was taken yet, capture one from kubelite (PID {{pid}}) and containerd first: it is the only proof of the blocked CNI ADD', command: 'sudo kill -SIGQUIT {{pid}}' },
      { step: 'Stop kubelite on {{node}}', command: 'sudo systemctl stop snap.microk8s.daemon-kubelite' },
      {
        step: 'Remove ALL sandboxes on {{node}}, not only the orphans: any retained sandbox triggers CNI reconciliation at start and re-creates the deadlock',
        command: 'for sid in $(sudo microk8s ctr --address /var/snap/microk8s/common/run/containerd.sock --namespace k8s.io sandboxes list 2>/dev/null | awk \'NR>1{print $1}\'); do sudo microk8s ctr --namespace k8s.io sandboxes remove --force "$sid" 2>/dev/null; done',
      },
      { step: 'Start kubelite on {{node}}', command: 'sudo systemctl start snap.microk8s.daemon-kubelite' },
      { step: 'Wait for {{node}} to be Ready, then check kubelite CPU is above 10 % after 3 minutes (below 3 % means it deadlocked again)', command: 'kubectl wait node/{{node}} --for=condition=Ready --timeout=300s && ps aux | grep kubelite' },
      { step: 'Uncordon {{node}} once it holds', command: 'kubectl uncordon {{node}}' },
      { step: 'Follow-up: free the stale allocations in the full IPAM blocks of {{node}} ({{blocks}}) — see calico-ipam-full-blocks' },
      { step: 'Follow-up: fix or upgrade calico-kube-controllers so IPAM garbage collection runs again (a crash loop stops it)', command: 'kubectl logs -n kube-system -l k8s-app=calico-kube-controllers --previous' },
      { step: 'Follow-up: find the source of kine/dqlite latency (snapshot compaction, leader elections) that makes the IPAM reads hang', command: 'journalctl -u snap.microk8s.daemon-k8s-dqlite --since "1 hour ago"' },
      { step: 'Follow-up: deploy a PLEG deadlock detector: sample kubelite CPU every 15 s and, after 120 s below 3 %, SIGQUIT kubelite and containerd and save the sandbox and task lists' },
      {
        step: 'Weigh EventedPLEG before switching it on: it removes the 1-second ListPodSandbox poll, but the current Kubernetes docs list the EventedPLEG gate as alpha and disabled by default, SIG Node warned of a critical bug in its beta (kubernetes/kubernetes#121886, #121349), and the runtime must emit CRI container events. It is a trade-off to test, not a free fix; cordon before the kubelite restart it needs',
        command: 'grep feature-gates /var/snap/microk8s/current/args/kubelet',
      },
    ],
    references: [
      '000_1e0daac4a0084df3.txt#Chain 1: PLEG Deadlock — from CNI ADD to kubelet halt',
      '000_1e0daac4a0084df3.txt#Chain 2: Restart Feedback Loop — why the initial recovery failed',
      '000_1e0daac4a0084df3.txt#Key Error Signatures',
      '000_1e0daac4a0084df3.txt#Kubelite Restart Procedure (Updated)',
    ],
    supersedes: ['kubelet-silent', 'pleg-unhealthy', 'pods-not-progressing'],
    falsePositives: [
      'Orphaned containerd shims also freeze the first relist; there the relist waits in ContainerStatus and shims outnumber tasks (pleg-orphaned-shims), not behind a CNI ADD.',
      'With EventedPLEG=true there is no 1-second ListPodSandbox poll; a stale PLEG then points at a containerd gRPC freeze (evented-pleg-grpc-freeze), and this rule does not fire.',
      'Without a goroutine dump the finding rests on silence, Generic PLEG and full IPAM blocks; an imagefs stall (imagefs-eviction-stall) can look the same and is told apart by its eviction-manager line.',
    ],
  },
  evaluate(ctx) {
    const nodes = [...new Set([...kubeletNodes(ctx), ...ctx.dumps.map((d) => d.node).filter((n): n is string => Boolean(n))])].sort();
    const findings: FindingDraft[] = [];
    let lastChecked = new SignalSet().check('CNI ADD blocked in an API call', undefined).list();

    for (const node of nodes) {
      const evented = eventedPleg(ctx, node);
      const dumps = dumpsOf(ctx, node);
      const relist = blockedIn(dumps, RELIST_FRAMES, (g) => !hasFrame(g, CNI_FRAMES));
      const relistViaStatus = relist.filter((b) => hasFrame(b.example, CONTAINER_STATUS_FRAMES));
      const cni = blockedIn(dumps, CNI_FRAMES, (g) => hasFrame(g, API_CALL_FRAMES));
      const alive = kubeletAlive(ctx, node);
      const silences = alive === false ? [] : kubeletSilences(ctx, node, SILENCE);
      const hasKubeletLog = ctx.lastActivity(node, KUBELET_UNITS) !== undefined;
      const pleg = plegComplaints(ctx, node).lastSeenActive;
      const cpu = kubeletCpu(ctx, node);
      const full = fullIpamBlocks(ctx, node);
      const skipping = ctx.matches('ipam-full-block', { node });
      const longest = silences.reduce<(typeof silences)[number] | undefined>((a, s) => (!a || s.durationMicros > a.durationMicros ? s : a), undefined);

      const signals = new SignalSet()
        .check('relist waiting on ListPodSandbox', dumps.length ? relist.length > 0 : undefined, relist[0] ? describeBucket(relist[0]) : undefined)
        .check('CNI ADD blocked in an API call', dumps.length ? cni.length > 0 : undefined, cni[0] ? describeBucket(cni[0]) : undefined)
        .check('EventedPLEG=false', evented ? !evented.value : undefined,
          evented ? (evented.explicit ? `EventedPLEG=${evented.value} in ${evented.fact.component} args` : 'EventedPLEG not set (off by default)') : undefined)
        .check('kubelite silent while alive', hasKubeletLog ? silences.length > 0 : undefined,
          longest ? `silent for ${formatDuration(longest.durationMicros)}${longest.open ? ' until the end of the capture' : ''}` : undefined)
        .check('PLEG not healthy', hasKubeletLog ? pleg.length > 0 : undefined, pleg.length ? `${pleg.length} line(s), last: ${pleg[pleg.length - 1]!.groups.duration ?? '?'} ago` : undefined)
        .check('kubelite CPU collapse', cpu?.collapsed, cpu?.detail)
        .check('full IPAM blocks on the node', full ? full.length > 0 : undefined, full?.map((b) => `${b.cidr} ${b.used}/${b.size}`).join(', ') || undefined)
        .check('IPAM skipping full blocks', ctx.hasInput('containerd-log', node) || skipping.length ? skipping.length > 0 : undefined,
          skipping.length ? `${ctx.matchCount('ipam-full-block', { node })} line(s)` : undefined);
      lastChecked = signals.list();

      if (evented?.value === true) continue;
      // CPU from `ps` is a lifetime average: supporting only, never the stall on its own.
      const stalled = silences.length > 0 || pleg.length > 0 || relist.length > 0;
      // The dump, when there is one, must show the CNI ADD; without one, full blocks are the 000 precondition.
      const cniBehind = dumps.length ? cni.length > 0 : (full?.length ?? 0) > 0 && evented !== undefined;
      const onlyContainerStatus = relist.length > 0 && relistViaStatus.length === relist.length && cni.length === 0;
      if (!stalled || !cniBehind || onlyContainerStatus) continue;

      const evidence: EvidenceItem[] = [];
      for (const b of cni.slice(0, 2)) evidence.push(bucketEvidence(b, node));
      for (const b of relist.slice(0, 2)) evidence.push(bucketEvidence(b, node));
      if (evented) evidence.push(featureGateEvidence(evented, 'EventedPLEG', node));
      // The line each silence begins after (the deadlock can recur: 000 had two).
      for (const s of silences.slice(-3)) {
        const before = lastKubeletLineBefore(ctx, node, s.start);
        if (before) evidence.push(before);
      }
      evidence.push(...cappedEvidence(pleg, 2));
      if (cpu) evidence.push(cpu.evidence);
      for (const b of full ?? []) evidence.push(b.evidence);
      evidence.push(...cappedEvidence(skipping, 4, ctx.matchCount('ipam-full-block', { node })));

      const pid = kubeletPid(ctx, node);
      const times = [
        ...(longest ? [longest.start, longest.end] : []),
        ...pleg.map((m) => m.record.ts),
        ...dumps.map((d) => d.ts),
      ].filter((t): t is number => t !== undefined);
      const parts = [
        cni[0] ? `the goroutine dump shows ${describeBucket(cni[0])}` : undefined,
        relist[0] ? `${describeBucket(relist[0])}` : undefined,
        longest ? `kubelite wrote nothing for ${formatDuration(longest.durationMicros)} while alive` : undefined,
        pleg.length ? `the kubelet reported PLEG unhealthy ${pleg.length} time(s)` : undefined,
        cpu?.collapsed ? cpu.detail : undefined,
        full?.length ? `${full.length} full IPAM block(s) (${full.map((b) => `${b.cidr} ${b.used}/${b.size}`).join(', ')})` : undefined,
      ].filter((p): p is string => Boolean(p));
      findings.push({
        nodes: [node],
        window: times.length ? { start: Math.min(...times), end: Math.max(...times) } : undefined,
        summary: `On ${node} the kubelet's Generic PLEG (${evented?.explicit ? 'EventedPLEG=false' : 'EventedPLEG off'}) is stuck behind a CNI ADD: ${parts.join('; ')}. The node looks Ready but processes no pod lifecycle events until the sandboxes are wiped and kubelite restarted.`,
        signals: signals.list(),
        evidence,
        values: { node, pid: pid ?? '<kubelite PID>', blocks: full?.map((b) => b.cidr) ?? [] },
        facts: {
          ...(longest ? { silenceSeconds: Math.round(longest.durationMicros / 1_000_000) } : {}),
          ...(cni[0] ? { blockedCniGoroutines: cni.reduce((n, b) => n + b.count, 0) } : {}),
          ...(full ? { fullBlocks: full.length } : {}),
          plegUnhealthyLines: pleg.length,
        },
      });
    }
    return { findings, checked: findings[0]?.signals ?? lastChecked };
  },
});
