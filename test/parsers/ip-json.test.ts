import { describe, expect, it } from 'vitest';
import { parseIpNeighJson, parseIpRouteJson } from '../../src/parsers/ip-json.js';
import { parseIpRoute } from '../../src/parsers/ip-route.js';
import { parseIpNeigh } from '../../src/parsers/ip-neigh.js';
import { nodeData } from './node-helpers.js';

const ctx = { path: 'ip-route.json' };

describe('ip -j JSON', () => {
  it('parses the header sample', () => {
    const text = '[{"dst":"default","gateway":"172.22.96.1","dev":"eth0","protocol":"dhcp","prefsrc":"172.22.104.186","metric":100,"flags":[]},{"type":"blackhole","dst":"10.1.39.192/26","protocol":"80","flags":[]},{"dst":"10.1.235.128/26","gateway":"10.1.235.128","dev":"vxlan.calico","flags":["onlink"]}]';
    const { value, unparsed } = parseIpRouteJson(text, ctx);
    expect(unparsed).toEqual([]);
    expect(value[1]).toMatchObject({ type: 'blackhole', dst: '10.1.39.192/26', protocol: '80', scope: 'global' });
    expect(value[2]).toMatchObject({ gateway: '10.1.235.128', dev: 'vxlan.calico', flags: ['onlink'], protocol: 'boot' });
  });

  it('gives the same routes as the text form, compact and pretty', () => {
    const text = parseIpRoute(nodeData('ip-route.txt'), ctx).value;
    for (const file of ['ip-route.json', 'ip-route-pretty.json']) {
      const json = parseIpRouteJson(nodeData(file), { path: file });
      expect(json.unparsed).toEqual([]);
      const strip = (r: (typeof text)[number]) => ({ ...r, raw: '', source: { path: '' } });
      expect(json.value.map(strip)).toEqual(text.map(strip));
    }
    const pretty = parseIpRouteJson(nodeData('ip-route-pretty.json'), { path: 'p' }).value;
    expect(pretty[0]?.source.line).toBe(1);
    expect(pretty[1]?.source.line).toBe(9);
    const all = parseIpRouteJson(nodeData('ip-route-table-all.json'), { path: 'a' }).value;
    expect(all.find((r) => r.type === 'local' && r.dst === '127.0.0.1')?.table).toBe('local');
  });

  it('neighbours: router null key, state array, same as text', () => {
    const json = parseIpNeighJson(nodeData('ip-neigh.json'), { path: 'n' });
    expect(json.unparsed).toEqual([]);
    expect(json.value.find((n) => n.dst === '192.168.50.3')).toMatchObject({ router: true, states: ['STALE'], dev: 'eth1' });
    const text = parseIpNeigh(nodeData('ip-neigh.txt'), { path: 'n' }).value;
    const strip = (n: (typeof text)[number]) => [n.dst, n.dev, n.lladdr, n.router, n.states];
    expect(json.value.map(strip)).toEqual(text.map(strip));
    expect(parseIpNeighJson(nodeData('ip-neigh-pretty.json'), { path: 'n' }).value.map(strip)).toEqual(text.map(strip));
  });

  it('reports invalid JSON without throwing', () => {
    expect(parseIpRouteJson('[{"dst":', ctx).unparsed[0]?.reason).toMatch(/^invalid JSON/);
    expect(parseIpRouteJson('[{"gateway":"1.2.3.4"}]', ctx).unparsed).toEqual([{ path: 'ip-route.json', line: 1, reason: 'route element without `dst`' }]);
  });
});
