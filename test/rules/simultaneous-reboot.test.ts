import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../src/analyze.js';
import { makeTempDir } from '../bundle/helpers.js';
import rule from '../../src/rules/simultaneous-reboot.js';
import schedulerStall from '../../src/rules/scheduler-informer-stall.js';
import { ruleTester, runCase } from '../support/rule-tester.js';
import { bootMarker, kernelBoot, kubelite, lease, pod } from '../support/cluster-builders.js';

// 003: all three pvek8s nodes rebooted for kernel 5.4.0-231-generic around 06:00 AEST
// (2026-06-04T20:00Z).
const nodes = ['k8s01', 'k8s02', 'k8s03'] as const;
const before = nodes.map((n, i) => kubelite('2026-06-04T19:50:00Z', n, 'I', 'kubelet_getters.go:218] "Pod status updated" pod="kube-system/coredns-7d9f8c6b5-4xk2p" status="Running"', `${n}/journal.txt`, 10 + i));
const bootIds = ['0b6e4c2a9f1d4e7b8a3c5d6e7f809112', '5c1d7e9a2b3f4c6d8e0a1b2c3d4e5f60', 'a9f8e7d6c5b4a3928170f6e5d4c3b2a1'];
const times = ['2026-06-04T19:58:40Z', '2026-06-04T20:00:12Z', '2026-06-04T20:01:05Z'];
const markers = nodes.map((n, i) => bootMarker(times[i]!, n, bootIds[i]!, `${n}/journal.txt`, 200));
const kernels = nodes.map((n, i) => kernelBoot(times[i]!, n, `${n}/journal.txt`, 201, bootIds[i]));

ruleTester(rule, {
  valid: [
    {
      name: 'near miss: rolling reboot, one node every 40 minutes',
      records: [
        ...before,
        kernelBoot('2026-06-04T20:00:00Z', 'k8s01', 'k8s01/journal.txt', 201),
        kernelBoot('2026-06-04T20:40:00Z', 'k8s02', 'k8s02/journal.txt', 201),
        kernelBoot('2026-06-04T21:20:00Z', 'k8s03', 'k8s03/journal.txt', 201),
      ],
    },
    {
      name: 'near miss: one node rebooted (boot marker and kernel line of the same boot)',
      records: [...before, kernels[1]!],
      markers: [markers[1]!],
    },
    {
      name: 'healthy: no boot in the capture',
      records: before,
    },
  ],
  invalid: [
    {
      name: '003: k8s01..k8s03 rebooted within 3 minutes',
      records: [...before, ...kernels],
      markers,
      expect: [{
        nodes: ['k8s01', 'k8s02', 'k8s03'],
        evidence: [{ path: 'k8s01/journal.txt', line: 200 }, { path: 'k8s02/journal.txt', line: 201 }, { path: 'k8s03/journal.txt', line: 201 }],
        minConfidence: 0.99,
        signals: { 'boots within minutes': 'present', 'all nodes rebooted': 'present' },
        runbookIncludes: ['kubectl cordon k8s01 && kubectl drain k8s01', 'sudo crictl stopp $(sudo crictl pods -q) && sudo crictl rmp $(sudo crictl pods -q)', 'k8s01 k8s02 k8s03'],
        facts: { rebootedNodes: 3, spreadSeconds: 145 },
      }],
    },
    {
      name: 'two of three nodes rebooted together (kernel lines only)',
      records: [...before, kernelBoot('2026-06-04T20:00:00Z', 'k8s02', 'k8s02/journal.txt', 201), kernelBoot('2026-06-04T20:04:30Z', 'k8s03', 'k8s03/journal.txt', 201)],
      expect: [{ nodes: ['k8s02', 'k8s03'], signals: { 'boots within minutes': 'present', 'all nodes rebooted': 'absent' }, evidence: [{ path: 'k8s02/journal.txt', line: 201 }, { path: 'k8s03/journal.txt', line: 201 }], runbookIncludes: ['kubectl uncordon k8s02'] }],
    },
  ],
});

describe('simultaneous-reboot causal links', () => {
  it('causes the scheduler-informer-stall on the lease holder (003)', () => {
    const pending = ['apps/sonarr-7d9f8c6b5-a1', 'apps/radarr-7d9f8c6b5-b2'].map((ref, i) => {
      const [namespace, name] = ref.split('/') as [string, string];
      return pod({ namespace, name, created: '2026-06-04T20:10:00Z', line: 1 + i });
    });
    const result = runCase(rule, {
      records: [...before, ...kernels, kubelite('2026-06-04T20:30:00Z', 'k8s02', 'I', 'kubelet_getters.go:218] "Pod status updated" pod="kube-system/calico-node-4jx7w" status="Running"', 'k8s02/journal.txt', 400)],
      markers,
      facts: { pods: pending, leases: [lease('kube-system', 'kube-scheduler', 'k8s02_6f1c9a52-3b7e-4d1a-9c2f-8e5b7a1d0c34', '2026-06-04T20:29:58Z', 1, { leaseDurationSeconds: 60 })] },
      withRules: [schedulerStall],
    });
    const reboot = result.findings.find((f) => f.id === 'simultaneous-reboot')!;
    const stall = result.findings.find((f) => f.id === 'scheduler-informer-stall')!;
    expect(stall.nodes).toEqual(['k8s02']);
    expect(reboot.causes).toEqual(['scheduler-informer-stall']);
    expect(stall.causedBy).toEqual(['simultaneous-reboot']);
  });
});

describe('simultaneous-reboot on journal exports', () => {
  /** `journalctl -o export --since …` of one node: entries of one boot, from `start` every minute. */
  function exportOf(host: string, bootId: string, start: number, entries: number): string {
    return Array.from({ length: entries }, (_, i) => [
      `__REALTIME_TIMESTAMP=${start + i * 60_000_000}`,
      `_BOOT_ID=${bootId}`,
      `_HOSTNAME=${host}`,
      'SYSLOG_IDENTIFIER=microk8s.daemon-kubelite',
      '_SYSTEMD_UNIT=snap.microk8s.daemon-kubelite.service',
      `MESSAGE=I0605 06:0${i}:00.000000 4502 kubelet.go:2566] "SyncLoop (probe)" probe="readiness" status="ready"`,
      '',
    ].join('\n')).join('\n');
  }

  it('does not take the start of each node\'s export for a boot (captures taken together)', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      const start = Date.UTC(2026, 5, 4, 20, 0, 0) * 1000;
      writeFileSync(join(dir, 'k8s01.export'), exportOf('k8s01', bootIds[0]!, start, 5));
      writeFileSync(join(dir, 'k8s02.export'), exportOf('k8s02', bootIds[1]!, start + 2_000_000, 5));
      const report = await analyze(dir);
      expect(report.inputs.map((i) => i.kind)).toEqual(['journald-export', 'journald-export']);
      expect(report.findings.map((f) => f.id)).not.toContain('simultaneous-reboot');

      // A boot id change inside each export is a boot: now both nodes rebooted together.
      writeFileSync(join(dir, 'k8s01.export'), `${exportOf('k8s01', bootIds[0]!, start, 3)}\n${exportOf('k8s01', bootIds[2]!, start + 600_000_000, 2)}`);
      writeFileSync(join(dir, 'k8s02.export'), `${exportOf('k8s02', bootIds[1]!, start, 3)}\n${exportOf('k8s02', '77aa00bb11cc22dd33ee44ff55006611', start + 660_000_000, 2)}`);
      const rebooted = await analyze(dir);
      expect(rebooted.findings.find((f) => f.id === 'simultaneous-reboot')?.nodes).toEqual(['k8s01', 'k8s02']);
    } finally {
      cleanup();
    }
  });
});
