import { defineRule } from '../engine/define-rule.js';
import { cappedEvidence } from '../engine/evidence.js';
import { SignalSet } from '../engine/signals.js';
import type { EvidenceItem, FindingDraft } from '../engine/types.js';
import { MICROS_PER_MINUTE } from '../model/time.js';
import { CNI_FRAMES, CONTAINER_STATUS_FRAMES, API_CALL_FRAMES, RELIST_FRAMES, blockedIn, bucketEvidence, describeBucket, dumpsOf, eventedPleg, hasFrame, kubeletAlive, kubeletNodes, kubeletPid, kubeletRestarts, kubeletSilences, lastKubeletLineBefore, lastStartBefore, schedstatReading, shimsVersusTasks } from './shared/kubelet.js';
import { formatDuration } from './shared/format.js';

/** 001 FM3: "no logs after initial node registration … even after 10+ minutes". */
const SILENCE = 10 * MICROS_PER_MINUTE;
/** The silence must begin during startup: within this span of the start. */
const STARTUP_SPAN = 5 * MICROS_PER_MINUTE;
/** 001 FM3: "attempt:50+ means kine connections are exhausted". */
const KINE_ATTEMPTS = 50;
/** "several kubelite restarts shortly before". */
const RESTART_LOOKBACK = 60 * MICROS_PER_MINUTE;

export default defineRule({
  id: 'pleg-orphaned-shims',
  meta: {
    title: 'First PLEG relist blocked by orphaned containerd shims',
    severity: 'high',
    kind: 'failure-mode',
    symptoms:
      'After (often several) kubelite restarts the kubelet logs only its startup lines — "Successfully registered node" — and then nothing for 10 minutes or more. /proc/<pid>/schedstat does not move (zero CPU), and there are far more containerd-shim-runc-v2 processes than running tasks (001: 44 shims, 27 tasks).',
    why:
      "At start the kubelet's first Generic PLEG relist calls ContainerStatus for every container containerd knows. A shim whose container has exited but whose process survived a restart does not answer, so each such call waits for its gRPC timeout (30–60 s); dozens of orphans serialize the first relist for 30–60+ minutes, and no pod syncs until it ends. Restart storms also leave k8s-dqlite's connection state broken, seen as etcd-client retries with attempt 50 and up (001 Failure Mode 3).",
    inputs: [['kubelet-log', 'processes', 'schedstat']],
    signals: [
      { name: 'startup lines then silence >= 10 min', description: 'kubelite logged its startup and then nothing for at least 10 minutes while the node kept logging', weight: 3, input: 'kubelet-log' },
      { name: 'shims >> running tasks', description: 'containerd-shim processes outnumber running tasks by at least 5 and 20 %', weight: 3, input: 'tasks' },
      { name: 'schedstat frozen', description: '/proc/<pid>/schedstat identical across samples (no CPU consumed)', weight: 2, input: 'schedstat' },
      { name: 'relist waiting in ContainerStatus', description: 'goroutine dump: (*GenericPLEG).relist parked in a ContainerStatus/PodSandboxStatus call, no CNI ADD in flight', weight: 2, input: 'goroutine-dump' },
      { name: 'kine retries attempt >= 50', description: 'retrying of unary invoker failed with "attempt" 50 or more', weight: 1, input: 'kubelet-log' },
      { name: 'recent kubelite restarts', description: 'two or more kubelite starts within the hour before the stall', weight: 1, input: 'node-journal' },
    ],
    runbook: [
      { step: 'Cordon {{node}} if it is not cordoned yet', command: 'kubectl cordon {{node}}' },
      {
        step: 'Kill the shims whose container id is not a running task ({{shims}} shims vs {{tasks}} running tasks on {{node}})',
        command: "RUNNING=$(sudo /snap/microk8s/current/bin/ctr --address /var/snap/microk8s/common/run/containerd.sock -n k8s.io tasks list 2>/dev/null | awk 'NR>1 {print $1}'); for PID in $(pgrep -f containerd-shim 2>/dev/null); do CID=$(sudo cat /proc/$PID/cmdline 2>/dev/null | tr '\\0' '\\n' | grep -A1 '^-id$' | tail -1); if [ -n \"$CID\" ] && ! echo \"$RUNNING\" | grep -q \"$CID\"; then sudo kill -9 $PID; fi; done; pgrep -c containerd-shim",
      },
      { step: 'If kine retry errors are present (attempt 50+), restart k8s-dqlite and check it is active', command: 'sudo systemctl restart snap.microk8s.daemon-k8s-dqlite.service && sleep 10 && sudo systemctl is-active snap.microk8s.daemon-k8s-dqlite.service' },
      { step: 'Restart kubelite on {{node}}', command: 'sudo systemctl restart snap.microk8s.daemon-kubelite' },
      { step: 'Verify kubelite logs again within 30 seconds and {{node}} returns to Ready, then uncordon', command: "sudo journalctl -u snap.microk8s.daemon-kubelite --since '1 minute ago' | grep -v '^--' | tail -10 && kubectl wait node/{{node}} --for=condition=Ready --timeout=120s && kubectl uncordon {{node}}" },
      {
        step: 'Nuclear option when killing orphans is not enough: stop kubelite, kill all shims, restart k8s-dqlite, start kubelite (pods on the node restart)',
        command: 'sudo systemctl stop snap.microk8s.daemon-kubelite.service; for PID in $(pgrep -f containerd-shim 2>/dev/null); do sudo kill -9 $PID 2>/dev/null; done; sudo systemctl restart snap.microk8s.daemon-k8s-dqlite.service; sleep 10; sudo systemctl start snap.microk8s.daemon-kubelite.service',
      },
      { step: 'After a nuclear restart, check for orphaned application processes holding locks (orphan-process-lock)', command: 'sudo pgrep -a buildkitd' },
    ],
    references: [
      '001_5310979ce87a3858.txt#Failure Mode 3 — PLEG Stall (Orphaned Containerd Shims)',
      '001_5310979ce87a3858.txt#Quick Reference',
      '000_1e0daac4a0084df3.txt#Follow-Up Note (2026-05-22)',
    ],
    supersedes: ['kubelet-silent', 'pleg-unhealthy', 'pods-not-progressing'],
    causes: ['orphan-process-lock'],
    falsePositives: [
      'A silence after startup with the imagefs eviction-manager line is imagefs-eviction-stall, not this.',
      'A relist waiting behind a CNI ADD is pleg-cni-deadlock; this rule does not fire when the dump shows one.',
      'With EventedPLEG=true orphaned shims only delay single pods (001), so the rule does not fire.',
    ],
  },
  evaluate(ctx) {
    const findings: FindingDraft[] = [];
    let lastChecked = new SignalSet().check('startup lines then silence >= 10 min', ctx.hasInput('kubelet-log') ? false : undefined).list();
    for (const node of kubeletNodes(ctx)) {
      const restarts = kubeletRestarts(ctx, node);
      const silences = kubeletAlive(ctx, node) === false ? [] : kubeletSilences(ctx, node, SILENCE);
      const afterStart = silences.filter((s) => {
        const start = lastStartBefore(restarts, s.start);
        return start !== undefined && s.start - start.ts <= STARTUP_SPAN;
      });
      const stall = afterStart[afterStart.length - 1];
      const stallStart = stall ? lastStartBefore(restarts, stall.start) : undefined;
      const imagefs = stall && stallStart ? ctx.matches('imagefs-no-label', { node, since: stallStart.ts, until: stall.start }) : [];
      const shims = shimsVersusTasks(ctx, node);
      const sched = schedstatReading(ctx, node);
      const dumps = dumpsOf(ctx, node);
      const relistStatus = blockedIn(dumps, RELIST_FRAMES, (g) => hasFrame(g, CONTAINER_STATUS_FRAMES));
      const cni = blockedIn(dumps, CNI_FRAMES, (g) => hasFrame(g, API_CALL_FRAMES));
      const retries = ctx.matches('unary-invoker-retry', { node }).filter((m) => Number(m.groups.attempt ?? 0) >= KINE_ATTEMPTS);
      const anyRetryInput = ctx.hasInput('kubelet-log', node) || ctx.hasInput('dqlite-log', node);
      const recent = stallStart ? restarts.filter((r) => r.ts <= stallStart.ts && stallStart.ts - r.ts <= RESTART_LOOKBACK) : [];
      const evented = eventedPleg(ctx, node);

      const signals = new SignalSet()
        .check('startup lines then silence >= 10 min', stall !== undefined,
          stall && stallStart ? `silent for ${formatDuration(stall.durationMicros)} from ${formatDuration(stall.start - stallStart.ts)} after the ${stallStart.how}` : undefined)
        .check('shims >> running tasks', shims?.excessive, shims ? `${shims.shims} shims vs ${shims.tasks} running tasks` : undefined)
        .check('schedstat frozen', sched?.frozen, sched?.detail)
        .check('relist waiting in ContainerStatus', dumps.length ? relistStatus.length > 0 && cni.length === 0 : undefined, relistStatus[0] ? describeBucket(relistStatus[0]) : undefined)
        .check('kine retries attempt >= 50', anyRetryInput ? retries.length > 0 : undefined,
          retries.length ? `${retries.length} line(s), highest attempt ${Math.max(...retries.map((m) => Number(m.groups.attempt)))}` : undefined)
        .check('recent kubelite restarts', stall ? recent.length >= 2 : undefined, stall ? `${recent.length} start(s) in the hour before` : undefined);
      lastChecked = signals.list();

      const specific = shims?.excessive === true || sched?.frozen === true || (relistStatus.length > 0 && cni.length === 0);
      if (!stall || !stallStart || !specific || imagefs.length > 0 || cni.length > 0 || evented?.value === true) continue;

      const evidence: EvidenceItem[] = [stallStart.evidence];
      const before = lastKubeletLineBefore(ctx, node, stall.start);
      if (before && before.text !== stallStart.evidence.text) evidence.push(before);
      if (shims) evidence.push(...shims.evidence);
      if (sched) evidence.push(sched.evidence);
      for (const b of relistStatus.slice(0, 2)) evidence.push(bucketEvidence(b, node));
      evidence.push(...cappedEvidence(retries, 2));
      const pid = kubeletPid(ctx, node);
      findings.push({
        nodes: [node],
        window: { start: stallStart.ts, end: stall.end },
        summary: `kubelite on ${node} started (${stallStart.how}) and went silent ${formatDuration(stall.start - stallStart.ts)} later for ${formatDuration(stall.durationMicros)}${stall.open ? ' up to the end of the capture' : ''}${shims ? `; ${shims.shims} containerd shims against ${shims.tasks} running tasks (${shims.orphans} likely orphaned)` : ''}${sched?.frozen ? '; its schedstat did not move' : ''}${recent.length >= 2 ? `; ${recent.length} kubelite starts in the hour before` : ''}${retries.length ? `; kine retries reached attempt ${Math.max(...retries.map((m) => Number(m.groups.attempt)))}` : ''}. The first PLEG relist is waiting on orphaned shims one timeout at a time.`,
        signals: signals.list(),
        evidence,
        values: { node, pid: pid ?? '<kubelite PID>', shims: shims?.shims ?? '<shims>', tasks: shims?.tasks ?? '<tasks>' },
        facts: {
          silenceSeconds: Math.round(stall.durationMicros / 1_000_000),
          ...(shims ? { shims: shims.shims, runningTasks: shims.tasks } : {}),
          kineRetriesOver50: retries.length,
        },
      });
    }
    return { findings, checked: findings[0]?.signals ?? lastChecked };
  },
});
