import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseCalicoLog } from '../../src/parsers/calico-log.js';
import { sample } from '../goroutines/helpers.js';

describe('calico-log: header comment sample', () => {
  it('component prefix, quoted and bare keys', () => {
    expect(parseCalicoLog('2026-01-22 12:33:48.005 [INFO][1] ipam/ipam_block_reader_writer.go 226: Attempting to create a new block affinityType="host" host="xxxxxxx-1-machine8" subnet=10.2.0.0/26')).toEqual({
      ts: Date.UTC(2026, 0, 22, 12, 33, 48, 5) * 1000, level: 'INFO', pid: 1, component: 'ipam', file: 'ipam_block_reader_writer.go', line: 226,
      message: 'Attempting to create a new block',
      text: 'Attempting to create a new block affinityType="host" host="xxxxxxx-1-machine8" subnet=10.2.0.0/26',
      fields: { host: 'xxxxxxx-1-machine8', subnet: '10.2.0.0/26' },
    });
    expect(parseCalicoLog('2026-01-22 12:33:48.014 [INFO][1] ipam/ipam.go 955: Claimed new block: 10.2.0.0/26')).toMatchObject({ message: 'Claimed new block: 10.2.0.0/26', fields: {} });
  });
  it('no prefix, handle + host; zone applied', () => {
    const c = parseCalicoLog('2020-08-21 13:14:29.039 [INFO][23948] ipam.go 547: Attempting to assign IPs from non-affine block 172.16.4.0/26 handle="k8s-pod-network.f97b" host="prod-1035"', 'Europe/Berlin');
    expect(c).toMatchObject({ pid: 23948, file: 'ipam.go', line: 547, message: 'Attempting to assign IPs from non-affine block 172.16.4.0/26', fields: { handle: 'k8s-pod-network.f97b', host: 'prod-1035' } });
    expect(c?.component).toBeUndefined();
    expect(c?.ts).toBe(Date.UTC(2020, 7, 21, 11, 14, 29, 39) * 1000);
  });
  it('ContainerID / HandleID / Workload / node and %#v structs; syslog variant', () => {
    const c = parseCalicoLog('2022-11-08 14:45:08.531 [INFO][6457] ipam_plugin.go 269: Auto assigning IP ContainerID="a179" HandleID="k8s-pod-network.a179" Workload="server1-k8s--x-eth0" assignArgs=ipam.AutoAssignArgs{Num4:1, Num6:0, HandleID:(*string)(0xc0003f8f90), Hostname:"server1"}');
    expect(c?.fields).toEqual({ ContainerID: 'a179', HandleID: 'k8s-pod-network.a179', Workload: 'server1-k8s--x-eth0' });
    expect(c?.message).toBe('Auto assigning IP');
    expect(parseCalicoLog('2024-03-26 12:18:15.922 [INFO][1] ipam.go 993: Cleaning up IPAM resources for deleted node node="i-0758f883008706a4a"')?.fields).toEqual({ node: 'i-0758f883008706a4a' });
    expect(parseCalicoLog('INFO endpoint_mgr.go 434: Updating endpoint block=10.1.2.0/26')).toMatchObject({ level: 'INFO', file: 'endpoint_mgr.go', line: 434, fields: { block: '10.1.2.0/26' } });
    expect(parseCalicoLog('WARNING felix/int_dataplane.go 1:')?.component).toBe('felix');
  });
  it('every line of the Calico IPAM samples parses', () => {
    for (const name of ['calico-ipam__calico-11702.txt', 'calico-ipam__calico-2940-block-exists.txt', 'calico-ipam__kops-7517-out-of-affine-blocks.txt', 'calico-ipam__calico-8643-kube-controllers-gc.txt']) {
      for (const line of sample(name).split('\n').filter(Boolean)) expect(parseCalicoLog(line), line).toBeDefined();
    }
    const warn = sample('calico-ipam__libcalico-go-785.txt').split('\n').at(-2) ?? '';
    expect(parseCalicoLog(warn)).toMatchObject({ level: 'WARNING', line: 187 });
  });
  it('never throws', () => {
    fc.assert(fc.property(fc.string(), (s) => { parseCalicoLog(s); parseCalicoLog(`2026-01-22 12:33:48.005 [INFO][1] a.go 1: ${s}`); }), { numRuns: 500 });
  });
});
