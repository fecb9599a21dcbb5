import { describe, expect, it } from 'vitest';
import { parsePs } from '../../src/parsers/ps.js';
import { inspectMember, sample } from './node-helpers.js';

describe('parsePs', () => {
  it('parses the header sample (ps -ef)', () => {
    const text = [
      'UID          PID    PPID  C STIME TTY          TIME CMD',
      'root           1       0  0 17:40 ?        00:00:04 /sbin/init',
      'root        3510       1  7 17:41 ?        00:02:51 /snap/microk8s/7231/kubelite --scheduler-args-file=/var/snap/microk8s/7231/args/kube-scheduler',
      'root        4507       1  0 May17 ?        00:00:02 /snap/microk8s/7231/bin/containerd-shim-runc-v2 -namespace k8s.io -id 69b1 -address /x',
    ].join('\n');
    const { value, unparsed } = parsePs(text, { path: 'sys/ps', node: 'k8s03' });
    expect(unparsed).toEqual([]);
    expect(value[1]).toEqual({
      pid: 3510, ppid: 1, user: 'root', cpuPercent: 7, startTime: '17:41', node: 'k8s03',
      command: '/snap/microk8s/7231/kubelite --scheduler-args-file=/var/snap/microk8s/7231/args/kube-scheduler',
      source: { path: 'sys/ps', line: 3 },
    });
    expect(value[2]?.startTime).toBe('May17');
    expect(value[2]?.startedAt).toBeUndefined();
  });

  it('parses the real inspect sys/ps (ps -ef) completely', () => {
    const { value, unparsed } = parsePs(inspectMember('sys/ps'), { path: 'sys/ps' });
    expect(unparsed).toEqual([]);
    expect(value).toHaveLength(153);
    expect(value.filter((p) => p.command.includes('containerd-shim-runc-v2')).length).toBe(11);
    expect(value.find((p) => p.pid === 3510)?.command).toMatch(/^\/snap\/microk8s\/7231\/kubelite /);
    expect(value[value.length - 1]).toMatchObject({ pid: 66962, ppid: 66821, command: 'ps -ef' });
  });

  it('ps aux', () => {
    const text = 'USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\nroot        3510 12.5  4.1 1912344 331232 ?     Ssl  02:08   2:51 /snap/microk8s/7231/kubelite --start-control-plane=true\n';
    expect(parsePs(text, { path: 'ps-aux' }).value[0]).toMatchObject({ pid: 3510, user: 'root', cpuPercent: 12.5, startTime: '02:08', command: '/snap/microk8s/7231/kubelite --start-control-plane=true' });
  });

  it('custom -eo header with lstart gives startedAt in the node zone', () => {
    const text = '    PID    PPID %CPU                  STARTED COMMAND\n   3510       1  7.1 Mon May 18 02:08:11 2026 /snap/microk8s/current/kubelite\n';
    const { value } = parsePs(text, { path: 'ps-eo', zone: 'Australia/Sydney' });
    expect(value[0]).toMatchObject({ pid: 3510, ppid: 1, cpuPercent: 7.1, startTime: 'Mon May 18 02:08:11 2026', command: '/snap/microk8s/current/kubelite' });
    expect(new Date((value[0]?.startedAt ?? 0) / 1000).toISOString()).toBe('2026-05-17T16:08:11.000Z');
  });

  it('ps axo … --forest piped through grep: columns from the echoed spec, tree art stripped (containerd#12344)', () => {
    const { value, unparsed } = parsePs(sample('shim-orphan__containerd-12344-ps-forest.txt'), { path: 'ps-forest' });
    expect(unparsed[0]).toEqual({ path: 'ps-forest', line: 1, reason: 'echoed ps command (columns taken from it)' });
    expect(value[0]).toMatchObject({ pid: 2167, ppid: 1, cpuPercent: 0.2, command: 'containerd-shim', startTime: 'Mon Sep 29 18:27:57 2025' });
    expect(new Date((value[0]?.startedAt ?? 0) / 1000).toISOString()).toBe('2025-09-29T18:27:57.000Z');
    expect(value[1]).toMatchObject({ pid: 2250, ppid: 2167, command: 'pause' });
    expect(value[3]).toMatchObject({ pid: 2774, ppid: 2758, command: 'aws-k8s-agent' });
    expect(value.filter((p) => p.command === 'containerd-shim').length).toBeGreaterThanOrEqual(5);
  });
});

describe('parsePs: operator transcripts', () => {
  it('takes the aux columns from an echoed `ps aux | grep` (header dropped by grep)', () => {
    const text = [
      '$ date -Iseconds; ps aux | grep [k]ubelite',
      '2026-05-18T00:15:41+10:00',
      'root     1432187  0.8  3.4 3124552 1128440 ?     Ssl  May17  17:38 /snap/microk8s/8612/kubelite --kubelet-args-file=/var/snap/microk8s/8612/args/kubelet',
    ].join('\n');
    const { value, unparsed } = parsePs(text, { path: 'k8s03/ps-kubelite.txt', node: 'k8s03' });
    expect(unparsed.map((u) => u.reason)).toEqual(['echoed ps command (columns taken from it)', 'date output (when the listing was taken)']);
    expect(value).toHaveLength(1);
    expect(value[0]).toMatchObject({ pid: 1432187, cpuPercent: 0.8, user: 'root', node: 'k8s03' });
    expect(value[0]!.command).toMatch(/^\/snap\/microk8s\/8612\/kubelite /);
  });
});
