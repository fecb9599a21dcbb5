import { describe, expect, it } from 'vitest';
import { parseArp } from '../../src/parsers/arp.js';
import { sniffKind } from '../../src/bundle/sniff.js';

describe('parseArp (net-tools arp -an)', () => {
  const sample = [
    'root@kubernetes01:~# arp -an',
    '? (10.42.106.50) at <incomplete> [ether] on calid52aaa8acc7',
    '? (192.168.1.1) at 52:54:00:12:34:56 [ether] on eth0',
    'gw.lan (10.0.0.1) at 00:50:56:8B:07:76 [ether] PERM on ens192',
    '? (10.0.0.9) at * PUB on eth1',
    '',
  ].join('\n');

  it('parses the header sample: incomplete, complete, permanent and published entries; the prompt is reported', () => {
    const { value, unparsed } = parseArp(sample, { path: 'k8s01/arp.txt', node: 'k8s01' });
    expect(value.map((n) => [n.dst, n.dev, n.lladdr, n.states, n.source.line])).toEqual([
      ['10.42.106.50', 'calid52aaa8acc7', undefined, ['INCOMPLETE'], 2],
      ['192.168.1.1', 'eth0', '52:54:00:12:34:56', [], 3],
      ['10.0.0.1', 'ens192', '00:50:56:8b:07:76', ['PERMANENT'], 4],
      ['10.0.0.9', 'eth1', undefined, [], 5],
    ]);
    expect(value.every((n) => n.node === 'k8s01' && !n.router)).toBe(true);
    expect(unparsed).toEqual([{ path: 'k8s01/arp.txt', line: 1, reason: 'echoed command line' }]);
  });

  it('is sniffed by content', () => {
    expect(sniffKind(Buffer.from(sample), 'notes.txt')).toEqual({ kind: 'arp' });
  });
});
