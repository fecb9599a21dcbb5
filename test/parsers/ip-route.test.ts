import { describe, expect, it } from 'vitest';
import { parseIpRoute, routePrefix } from '../../src/parsers/ip-route.js';
import { inspectMember, nodeData, sample } from './node-helpers.js';

const ctx = { path: 'network/ip-route', node: 'k8s03' };

describe('parseIpRoute', () => {
  it('parses the header sample exactly', () => {
    const text = [
      'default via 172.22.96.1 dev eth0 proto dhcp src 172.22.104.186 metric 100 ',
      'blackhole 10.1.254.64/26 proto 80 ',
      '10.1.254.78 dev cali5e7a27f59df scope link ',
      '10.1.235.128/26 via 10.1.235.128 dev vxlan.calico onlink ',
      '10.50.0.0/16 proto static metric 50 ',
      '\tnexthop via 172.22.96.1 dev eth0 weight 1 ',
    ].join('\n');
    const { value, unparsed, warnings } = parseIpRoute(text, ctx);
    expect(unparsed).toEqual([]);
    expect(warnings).toEqual([]);
    expect(value).toHaveLength(5);
    expect(value[0]).toMatchObject({ dst: 'default', gateway: '172.22.96.1', dev: 'eth0', protocol: 'dhcp', prefsrc: '172.22.104.186', metric: 100, scope: 'global', flags: [], node: 'k8s03', source: { path: 'network/ip-route', line: 1 } });
    expect(value[1]).toMatchObject({ type: 'blackhole', dst: '10.1.254.64/26', protocol: '80', scope: 'global' });
    expect(value[1]?.dev).toBeUndefined();
    expect(value[2]).toMatchObject({ dst: '10.1.254.78', dev: 'cali5e7a27f59df', scope: 'link', protocol: 'boot' });
    expect(value[3]).toMatchObject({ dst: '10.1.235.128/26', gateway: '10.1.235.128', dev: 'vxlan.calico', flags: ['onlink'], protocol: 'boot' });
    expect(value[4]?.nexthops).toEqual([{ gateway: '172.22.96.1', dev: 'eth0', weight: 1, flags: [] }]);
    expect(routePrefix(value[2]!)).toBe('10.1.254.78/32');
    expect(routePrefix(value[0]!)).toBe('0.0.0.0/0');
    expect(routePrefix(value[1]!)).toBe('10.1.254.64/26');
  });

  it('reads real `ip route` output from a Calico-shaped namespace (every type, multipath, table)', () => {
    const { value, unparsed } = parseIpRoute(nodeData('ip-route-table-all.txt'), ctx);
    expect(unparsed).toEqual([]);
    const byDst = (d: string) => value.filter((r) => r.dst === d);
    expect(byDst('10.50.0.0/16')[0]).toMatchObject({
      protocol: 'static', metric: 50,
      nexthops: [{ gateway: '172.22.96.1', dev: 'eth0', weight: 1, flags: [] }, { gateway: '192.168.50.1', dev: 'eth1', weight: 2, flags: [] }],
    });
    expect(byDst('10.97.0.0/16')[0]?.type).toBe('throw');
    expect(byDst('10.98.0.0/16')[0]?.type).toBe('prohibit');
    expect(byDst('10.99.0.0/16')[0]?.type).toBe('unreachable');
    expect(byDst('10.60.0.0/24')[0]).toMatchObject({ table: '100', protocol: 'bird', gateway: '192.168.50.1' });
    expect(byDst('10.1.77.0/26')[0]).toMatchObject({ protocol: '80', flags: ['onlink'], dev: 'eth1' });
    expect(value.filter((r) => r.type === 'local').length).toBeGreaterThanOrEqual(5);
    expect(value.find((r) => r.type === 'broadcast')?.table).toBe('local');
    const v6 = value.find((r) => r.dst === 'fe80::/64');
    expect(v6).toMatchObject({ protocol: 'kernel', metric: 256 });
    expect(routePrefix({ dst: '::1' })).toBe('::1/128');
  });

  it('keeps linkdown and reports the pasted prompt and annotation (felix#2953)', () => {
    const { value, unparsed, warnings } = parseIpRoute(sample('vxlan-route__felix-2953-ip-route.txt'), ctx);
    expect(unparsed).toEqual([{ path: 'network/ip-route', line: 1, reason: 'not an `ip route` line (no destination)' }]);
    expect(value).toHaveLength(13);
    expect(value.find((r) => r.dev === 'docker0')?.flags).toEqual(['linkdown']);
    expect(value.find((r) => r.dst === '192.168.141.0/26')).toMatchObject({ gateway: '10.37.3.250', dev: 'ens5', protocol: '80', flags: ['onlink'] });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('<--------');
  });

  it('parses `network/ip-addr` of the real inspect report (v1.25–1.31 holds ip route)', () => {
    const { value, unparsed } = parseIpRoute(inspectMember('network/ip-addr'), { path: 'network/ip-addr' });
    expect(unparsed).toEqual([]);
    expect(value).toHaveLength(14);
    expect(value.filter((r) => r.dev?.startsWith('cali')).length).toBe(10);
    expect(value[1]).toMatchObject({ type: 'blackhole', dst: '10.1.254.64/26', protocol: '80' });
  });
});
