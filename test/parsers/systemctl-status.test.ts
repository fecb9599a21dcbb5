import { describe, expect, it } from 'vitest';
import { parseSystemctlStatus } from '../../src/parsers/systemctl-status.js';
import { inspectMember, sample } from './node-helpers.js';

describe('parseSystemctlStatus', () => {
  it('parses the header sample (inspect kubelite systemctl.log) completely', () => {
    const { value, unparsed, warnings } = parseSystemctlStatus(inspectMember('snap.microk8s.daemon-kubelite/systemctl.log'), { path: 'snap.microk8s.daemon-kubelite/systemctl.log' });
    expect(unparsed).toEqual([]);
    expect(value).toEqual([{
      unit: 'snap.microk8s.daemon-kubelite', activeState: 'active', subState: 'running', mainPid: 3510,
      activeSince: Date.UTC(2024, 9, 29, 12, 11, 17) * 1000, source: { path: 'snap.microk8s.daemon-kubelite/systemctl.log', line: 1 },
    }]);
    expect(warnings[0]).toMatch(/IST is ambiguous/);
  });

  it('every service of the inspect report, and AEST / CST / failed / inactive', () => {
    for (const svc of ['containerd', 'k8s-dqlite', 'cluster-agent', 'apiserver-kicker']) {
      const { value } = parseSystemctlStatus(inspectMember(`snap.microk8s.daemon-${svc}/systemctl.log`), { path: 'x' });
      expect(value).toHaveLength(1);
      expect(value[0]?.unit).toBe(`snap.microk8s.daemon-${svc}`);
      expect(value[0]?.activeState).toBe('active');
      expect(value[0]?.mainPid).toBeGreaterThan(0);
    }
    const aest = parseSystemctlStatus('● snap.microk8s.daemon-kubelite.service - Service for snap application microk8s.daemon-kubelite\n     Active: active (running) since Mon 2026-05-18 08:04:11 AEST; 3min ago\n   Main PID: 1234 (kubelite)\n', { path: 'x' });
    expect(aest.value[0]).toMatchObject({ mainPid: 1234, activeSince: Date.UTC(2026, 4, 17, 22, 4, 11) * 1000 });
    expect(aest.warnings).toEqual([]);
    const cst = parseSystemctlStatus(sample('microk8s-journal__vhr-inspection-kubelite-systemctl.txt'), { path: 'x', zone: 'Asia/Shanghai' });
    expect(cst.value[0]).toMatchObject({ mainPid: 227849, activeSince: Date.UTC(2025, 3, 15, 9, 58, 51) * 1000 });
    const failed = parseSystemctlStatus('× snap.microk8s.daemon-k8s-dqlite.service - Service for snap application microk8s.daemon-k8s-dqlite\n     Active: failed (Result: exit-code) since Fri 2026-05-22 02:30:00 UTC; 1min ago\n    Process: 99 ExecStart=/usr/bin/snap run microk8s.daemon-k8s-dqlite (code=exited, status=1/FAILURE)\n   Main PID: 99 (code=exited, status=1/FAILURE)\n\n○ snap.microk8s.daemon-etcd.service - Service\n     Active: inactive (dead)\n', { path: 'x' });
    expect(failed.value.map((v) => [v.unit, v.activeState, v.subState, v.mainPid])).toEqual([
      ['snap.microk8s.daemon-k8s-dqlite', 'failed', 'Result: exit-code', 99], ['snap.microk8s.daemon-etcd', 'inactive', 'dead', undefined],
    ]);
    expect(parseSystemctlStatus('Unit foo.service could not be found.\n', { path: 'x' }).unparsed[0]?.reason).toBe('unit foo.service not found');
  });
});
