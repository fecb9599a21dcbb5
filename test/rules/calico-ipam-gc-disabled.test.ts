import { describe, expect, it } from 'vitest';
import rule from '../../src/rules/calico-ipam-gc-disabled.js';
import type { PodFact } from '../../src/model/facts.js';
import { rec, ruleTester, runCase, type CaseInput, type InvalidCase } from '../support/rule-tester.js';
import {
  container, dqliteStats, ipamBlock, ipamHandles, kubeControllersDeployment, kubeControllersPod, pod,
} from '../support/calico-builders.js';

/** `n` live pods whose sandboxes own the first `n` handles of ipamHandles(…). */
function livePods(n: number): PodFact[] {
  return Array.from({ length: n }, (_, i) => pod('ci', `runner-${i}`, 'k8s01', [container('runner', 'ghcr.io/actions/runner:2.316.0')], {
    annotations: { 'cni.projectcalico.org/containerID': `a${i.toString(16).padStart(63, '0')}` },
  }));
}

// 004: 6,071 handles, 5,472 orphaned (599 with live pods); kube-controllers v3.13.2 with ENABLED_CONTROLLERS=node.
const incident004: CaseInput = {
  facts: {
    ipamHandles: ipamHandles(6071),
    pods: [...livePods(599), kubeControllersPod('v3.13.2', 'k8s01')],
    workloads: [kubeControllersDeployment('v3.13.2', 'node', 12)],
  },
};

const PANIC = 'panic: interface conversion: interface {} is cache.DeletedFinalStateUnknown, not *v1.Pod';
const kcLog = (iso: string, message: string, line: number) =>
  rec(iso, 'k8s02', 'calico-kube-controllers', message, 'cluster-info/kube-system/calico-kube-controllers-7c79545996-xk2lp/logs.txt', line, {
    container: { namespace: 'kube-system', pod: 'calico-kube-controllers-7c79545996-xk2lp', container: 'calico-kube-controllers' },
  });

const invalid: InvalidCase[] = [
  {
    name: '004: 6071 handles, 5472 orphaned, ENABLED_CONTROLLERS=node on Calico v3.13.2',
    ...incident004,
    expect: [{
      nodes: [],
      evidence: [{ path: 'ipamhandles.json', line: 1 }, { path: 'workloads.json', line: 12 }],
      signals: {
        'IPAM handle count above threshold': 'present',
        'handles or allocations without a live pod': 'present',
        'node controller not running': 'absent',
        'Calico too old to collect leaked IPs': 'present',
        'calico-kube-controllers crash-looping': 'absent',
        'no IPAM GC activity logged': 'unknown',
      },
      runbookIncludes: [
        '6071', '5472',
        'kubectl -n kube-system set env deployment/calico-kube-controllers ENABLED_CONTROLLERS=node',
        'upgrade from v3.13.2',
        'calicoctl ipam check -o ipam-report.json',
        'calicoctl ipam release --from-report=ipam-report.json',
        'warning above 1000, critical above 3000',
      ],
      facts: { ipamHandles: 6071, orphanedHandles: 5472, level: 'critical', calicoVersion: 'v3.13.2', enabledControllers: 'node' },
    }],
  },
  {
    name: 'dqlite snapshot with 1500 handle rows and calico-kube-controllers crash-looping on a tombstone',
    facts: {
      dqliteSnapshots: [dqliteStats('k8s01', 1500)],
      pods: [kubeControllersPod('v3.29.3', 'k8s02', { state: 'waiting', stateReason: 'CrashLoopBackOff', restartCount: 212 })],
      workloads: [kubeControllersDeployment('v3.29.3', 'node')],
    },
    records: [kcLog('2026-05-17T14:02:11Z', PANIC, 41)],
    expect: [{
      nodes: [],
      evidence: [{ path: 'k8s01/snapshot-1-8790246-1747452127' }, { path: 'cluster-info/kube-system/calico-kube-controllers-7c79545996-xk2lp/logs.txt', line: 41 }],
      signals: {
        'IPAM handle count above threshold': 'present',
        'calico-kube-controllers crash-looping': 'present',
        'Calico too old to collect leaked IPs': 'absent',
      },
      facts: { ipamHandles: 1500, level: 'warning' },
    }],
  },
  {
    name: "the document's own advice applied: ENABLED_CONTROLLERS=node,workloadendpoint,ipam makes kube-controllers exit",
    facts: {
      ipamHandles: ipamHandles(3200),
      workloads: [kubeControllersDeployment('v3.29.3', 'node,workloadendpoint,ipam', 7)],
    },
    records: [kcLog('2026-05-20T02:00:00Z', "2026-05-20 02:00:00.412 [FATAL][1] main.go 142: Invalid controller 'ipam' provided.", 3)],
    expect: [{
      evidence: [{ path: 'workloads.json', line: 7 }, { path: 'cluster-info/kube-system/calico-kube-controllers-7c79545996-xk2lp/logs.txt', line: 3 }],
      signals: { 'node controller not running': 'present', 'IPAM handle count above threshold': 'present' },
      runbookIncludes: ['set env deployment/calico-kube-controllers ENABLED_CONTROLLERS=node,workloadendpoint'],
      facts: { ipamHandles: 3200, level: 'critical' },
    }],
  },
];

ruleTester(rule, {
  valid: [
    {
      name: "near miss: MicroK8s default ENABLED_CONTROLLERS=node on v3.29.3 with 300 handles",
      facts: {
        ipamHandles: ipamHandles(300),
        pods: [...livePods(300), kubeControllersPod('v3.29.3', 'k8s01')],
        workloads: [kubeControllersDeployment('v3.29.3', 'node')],
      },
    },
    {
      name: 'near miss: 6071 handles but the node controller runs on v3.29.3 and is healthy (no reason GC stopped)',
      facts: {
        ipamHandles: ipamHandles(6071),
        pods: [kubeControllersPod('v3.29.3', 'k8s01')],
        workloads: [kubeControllersDeployment('v3.29.3', 'node')],
      },
    },
    {
      name: 'v3.13.2 but only 300 handles, all with live pods',
      facts: {
        ipamHandles: ipamHandles(300),
        pods: [...livePods(300), kubeControllersPod('v3.13.2', 'k8s01')],
        workloads: [kubeControllersDeployment('v3.13.2', 'node')],
      },
    },
    {
      name: 'high count while GC lines show the node controller collecting leaks',
      facts: {
        ipamHandles: ipamHandles(1200),
        workloads: [kubeControllersDeployment('v3.13.2', 'node')],
      },
      records: [kcLog('2026-05-20T02:00:00Z', '2026-05-20 02:00:00.412 [INFO][1] ipam.go 1021: Garbage collecting leaked IP addresses num=37', 9)],
    },
  ],
  invalid,
});

describe('calico-ipam-gc-disabled runbook', () => {
  // Any step that names ENABLED_CONTROLLERS and ipam together, in any form.
  const ADD_IPAM = /ENABLED_CONTROLLERS[^\n]*\bipam\b/;

  it('never recommends adding ipam to ENABLED_CONTROLLERS (Calico exits on it)', () => {
    for (const step of rule.meta.runbook) {
      expect(`${step.step} ${step.command ?? ''}`).not.toMatch(ADD_IPAM);
      expect(`${step.step} ${step.command ?? ''}`).not.toMatch(/ENABLED_CONTROLLERS=\S*workloadendpoint,ipam/);
    }
    for (const c of invalid) {
      for (const finding of runCase(rule, c).findings) {
        for (const step of finding.runbook) expect(`${step.step} ${step.command ?? ''}`).not.toMatch(ADD_IPAM);
      }
    }
  });

  it('drops the rejected ipam token instead of keeping it', () => {
    const finding = runCase(rule, invalid[2]!).findings[0]!;
    const setEnv = finding.runbook.find((s) => s.command?.includes('set env'))!;
    expect(setEnv.command).toBe('kubectl -n kube-system set env deployment/calico-kube-controllers ENABLED_CONTROLLERS=node,workloadendpoint');
  });

  it('says critical in the summary above 3000 handles', () => {
    const finding = runCase(rule, incident004).findings[0]!;
    expect(finding.summary).toContain('6071');
    expect(finding.summary).toContain('3000 critical');
    expect(finding.summary).toContain('v3.13.2');
  });

  it('fires on stale block allocations alone when no handle count was captured (000: 237 stale)', () => {
    const result = runCase(rule, {
      facts: {
        ipamBlocks: ['10.1.237.64/26', '10.1.108.128/26', '10.1.108.192/26', '10.1.108.64/26'].map((cidr, i) =>
          ipamBlock(cidr, 'k8s03', { used: i < 3 ? 64 : 45, line: i + 1 })),
        pods: [kubeControllersPod('v3.13.2', 'k8s02', { state: 'waiting', stateReason: 'CrashLoopBackOff', restartCount: 311 })],
      },
    });
    const finding = result.findings[0]!;
    expect(finding.facts).toMatchObject({ staleAllocations: 237, calicoVersion: 'v3.13.2' });
    expect(finding.signals.find((s) => s.name === 'IPAM handle count above threshold')?.state).toBe('unknown');
    expect(finding.signals.find((s) => s.name === 'handles or allocations without a live pod')?.state).toBe('present');
    expect(finding.summary).toContain('237 block allocation(s) belong to pods that no longer exist');
  });
});
