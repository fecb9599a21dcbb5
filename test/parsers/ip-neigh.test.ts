import { describe, expect, it } from 'vitest';
import { parseIpNeigh } from '../../src/parsers/ip-neigh.js';
import { nodeData, sample } from './node-helpers.js';

const ctx = { path: 'network/ip-neigh' };

describe('parseIpNeigh', () => {
  it('parses the header sample (calico#5460) with FAILED and double spaces', () => {
    const text = [
      '192.168.233.64 dev vxlan.calico lladdr 66:67:bd:3f:3c:e5 PERMANENT',
      '10.10.10.51 dev ens192 lladdr 00:50:56:8b:07:76 STALE',
      '224.0.0.22 dev vxlan.calico  FAILED',
      '192.168.50.3 dev eth1 lladdr 00:50:56:8b:10:24 router STALE',
    ].join('\n');
    const { value, unparsed } = parseIpNeigh(text, ctx);
    expect(unparsed).toEqual([]);
    expect(value.map((n) => [n.dst, n.dev, n.lladdr, n.router, n.states])).toEqual([
      ['192.168.233.64', 'vxlan.calico', '66:67:bd:3f:3c:e5', false, ['PERMANENT']],
      ['10.10.10.51', 'ens192', '00:50:56:8b:07:76', false, ['STALE']],
      ['224.0.0.22', 'vxlan.calico', undefined, false, ['FAILED']],
      ['192.168.50.3', 'eth1', '00:50:56:8b:10:24', true, ['STALE']],
    ]);
  });

  it('reads every state the kernel accepts from real `ip neigh show nud all`', () => {
    const { value, unparsed } = parseIpNeigh(nodeData('ip-neigh.txt'), ctx);
    expect(unparsed).toEqual([]);
    const states = new Set(value.flatMap((n) => n.states));
    for (const s of ['PERMANENT', 'STALE', 'REACHABLE', 'NOARP', 'PROBE']) expect(states.has(s)).toBe(true);
    expect(value.find((n) => n.dst === '10.1.235.128')).toMatchObject({ dev: 'vxlan.calico', lladdr: '66:67:bd:3f:3c:e5', states: ['PERMANENT'] });
    expect(value.find((n) => n.dst === '192.168.50.3')?.router).toBe(true);
  });

  it('INCOMPLETE, several states, proxy and -s fields', () => {
    const text = '10.1.235.128 dev vxlan.calico  INCOMPLETE\n10.0.0.9 dev eth0 lladdr aa:bb:cc:dd:ee:ff used 10/20/30 probes 1 STALE\n10.0.0.8 dev eth0 proxy\n10.0.0.7 dev eth0 lladdr aa:bb:cc:dd:ee:01 REACHABLE NOARP\n';
    const { value, warnings } = parseIpNeigh(text, ctx);
    expect(warnings).toEqual([]);
    expect(value[0]?.states).toEqual(['INCOMPLETE']);
    expect(value[1]).toMatchObject({ lladdr: 'aa:bb:cc:dd:ee:ff', states: ['STALE'] });
    expect(value[2]).toMatchObject({ states: [], router: false });
    expect(value[3]?.states).toEqual(['REACHABLE', 'NOARP']);
  });

  it('takes dev from the echoed `show dev` command (calico#9450) or from ctx', () => {
    const { value, unparsed } = parseIpNeigh(sample('vxlan-route__calico-9450-ip-neigh.txt'), ctx);
    expect(unparsed).toEqual([{ path: 'network/ip-neigh', line: 1, reason: 'echoed command line' }]);
    expect(value).toHaveLength(4);
    expect(value.every((n) => n.dev === 'vxlan.calico' && n.states[0] === 'PERMANENT')).toBe(true);
    const real = parseIpNeigh(nodeData('ip-neigh-dev-vxlan.txt'), { ...ctx, dev: 'vxlan.calico' });
    expect(real.value.map((n) => [n.dst, n.dev]).sort()).toEqual([['10.1.235.128', 'vxlan.calico'], ['10.1.254.64', 'vxlan.calico']]);
    expect(parseIpNeigh(nodeData('ip-neigh-dev-vxlan.txt'), ctx).value[0]?.dev).toBeUndefined();
  });

  it('parses the whole calico#5460 capture', () => {
    const { value } = parseIpNeigh(sample('vxlan-route__calico-5460-ip-neigh.txt'), ctx);
    expect(value.filter((n) => n.states.includes('PERMANENT')).length).toBe(6);
    expect(value.filter((n) => n.states.includes('FAILED')).length).toBe(2);
  });
});
