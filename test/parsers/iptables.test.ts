import { describe, expect, it } from 'vitest';
import {
  calicoNatOutgoingRules, chainsByTable, hasCalicoNat, hasKubeNat, parseIptables, parseIptablesList,
  parseIptablesSave, parseIptablesSpec, ruleTarget, tableFromChains, tableFromPath,
} from '../../src/parsers/iptables.js';
import { inspectMember, nodeData } from './node-helpers.js';

describe('iptables-save', () => {
  it('parses the header sample', () => {
    const text = '*nat\n:PREROUTING ACCEPT [29:1352]\n:cali-nat-outgoing - [0:0]\n-A POSTROUTING -m comment --comment "cali:0i8pjzKKPyA34aQD" -j cali-POSTROUTING\nCOMMIT\n';
    const { value, unparsed } = parseIptablesSave(text, { path: 'iptables-save' });
    expect(unparsed).toEqual([]);
    expect(value[0]?.tables).toEqual({
      nat: [
        { name: 'PREROUTING', policy: 'ACCEPT', rules: [] },
        { name: 'cali-nat-outgoing', rules: [] },
        { name: 'POSTROUTING', rules: ['-m comment --comment "cali:0i8pjzKKPyA34aQD" -j cali-POSTROUTING'] },
      ],
    });
  });

  it('reads real iptables-save output with kube-proxy and Calico chains', () => {
    const { value, unparsed, warnings } = parseIptables(nodeData('iptables-save.txt'), { path: 'iptables-save.txt', node: 'k8s03' });
    expect(unparsed).toEqual([]);
    expect(warnings).toEqual([]);
    const dump = value[0]!;
    expect(dump.format).toBe('save');
    expect(dump.node).toBe('k8s03');
    expect(Object.keys(dump.tables)).toEqual(['raw', 'filter', 'nat']);
    const text = nodeData('iptables-save.txt').split('\n');
    expect(Object.fromEntries(Object.entries(dump.tableLines).map(([t, n]) => [t, text[n - 1]]))).toEqual({ raw: '*raw', filter: '*filter', nat: '*nat' });
    expect(chainsByTable(dump).nat).toContain('KUBE-SVC-NPX46M4PTMTKRN6Y');
    expect(chainsByTable(dump).filter).toEqual(['INPUT', 'FORWARD', 'OUTPUT', 'cali-FORWARD', 'cali-INPUT', 'cali-from-wl-dispatch']);
    expect(hasKubeNat(dump)).toBe(true);
    expect(hasCalicoNat(dump)).toBe(true);
    expect(calicoNatOutgoingRules(dump)).toEqual(['-s 10.1.0.0/16 ! -d 10.1.0.0/16 -m comment --comment "cali:flqWnvo8yq4ULQLa" -j MASQUERADE --random-fully']);
    expect(dump.tables.nat?.find((c) => c.name === 'KUBE-SEP-QAX236RR3UXXQODE')?.rules).toEqual(['-p tcp -m comment --comment "default/kubernetes:https" -m tcp -j DNAT --to-destination 172.22.104.186:16443']);
  });

  it('detects missing NAT and keeps legacy warnings, concatenated tables', () => {
    const text = [
      '# Warning: iptables-legacy tables present, use iptables-legacy-save to see them',
      '*nat', ':PREROUTING ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':KUBE-SERVICES - [0:0]', ':cali-nat-outgoing - [0:0]',
      '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES', 'COMMIT',
      "# Table `mangle' is incompatible, use 'nft' tool.",
      '*nat', '-A PREROUTING -j KUBE-SERVICES', 'COMMIT', 'garbage',
    ].join('\n');
    const { value, unparsed, warnings } = parseIptablesSave(text, { path: 'x' });
    expect(unparsed).toEqual([{ path: 'x', line: 13, reason: 'outside a *table … COMMIT block' }]);
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toContain('iptables-legacy tables present');
    expect(warnings[1]).toContain("Table `mangle' is incompatible");
    expect(warnings[2]).toContain('table nat appears twice');
    expect(value[0]!.tableLines).toEqual({ nat: 2 });
    expect(hasKubeNat(value[0]!)).toBe(true);
    expect(hasCalicoNat(value[0]!)).toBe(false);
    const noNat = parseIptablesSave('*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n', { path: 'y' }).value[0]!;
    expect(hasKubeNat(noNat)).toBe(false);
  });
});

describe('iptables -L and -S', () => {
  it('parses -t nat -L -n -v (table from the file name) with counters', () => {
    const { value, unparsed } = parseIptablesList(nodeData('iptables-t-nat-L-n-v.txt'), { path: 'iptables-t-nat-L-n-v.txt' });
    expect(unparsed).toEqual([]);
    const dump = value[0]!;
    expect(Object.keys(dump.tables)).toEqual(['nat']);
    expect(dump.tables.nat?.[0]).toMatchObject({ name: 'PREROUTING', policy: 'ACCEPT' });
    expect(dump.tables.nat?.find((c) => c.name === 'KUBE-NODEPORTS')).toEqual({ name: 'KUBE-NODEPORTS', rules: [] });
    expect(ruleTarget(dump.tables.nat?.[0]?.rules[1] ?? '', 'list')).toBe('KUBE-SERVICES');
    expect(hasKubeNat(dump)).toBe(true);
    expect(hasCalicoNat(dump)).toBe(true);
  });

  it('tells the table of a listing named without -t from its built-in chains (real netns capture saved as ipt-L.txt)', () => {
    const { value } = parseIptablesList(nodeData('iptables-t-nat-L-n-v.txt'), { path: 'ipt-L.txt' });
    expect(Object.keys(value[0]!.tables)).toEqual(['nat']);
    expect(hasKubeNat(value[0]!)).toBe(true);
    const chains = (...names: string[]) => names.map((n) => `Chain ${n} (policy ACCEPT)`).join('\n');
    expect(tableFromChains(chains('INPUT', 'FORWARD', 'OUTPUT'))).toBe('filter');
    expect(tableFromChains(chains('PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'))).toBe('nat');
    expect(tableFromChains(chains('PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'))).toBe('mangle');
    expect(tableFromChains(chains('PREROUTING', 'OUTPUT'))).toBe('raw');
    expect(tableFromChains('-P PREROUTING ACCEPT\n-P POSTROUTING ACCEPT\n-N KUBE-SERVICES')).toBe('nat');
    expect(tableFromChains('Chain cali-FORWARD (1 references)')).toBeUndefined();
  });

  it('parses -L and -S of the filter table', () => {
    const l = parseIptables(nodeData('iptables-L.txt'), { path: 'iptables-L.txt' }).value[0]!;
    expect(l.format).toBe('list');
    expect(chainsByTable(l)).toEqual({ filter: ['INPUT', 'FORWARD', 'OUTPUT', 'cali-FORWARD', 'cali-INPUT', 'cali-from-wl-dispatch'] });
    expect(l.tables.filter?.[1]?.rules).toHaveLength(3);
    expect(hasKubeNat(l)).toBeUndefined();
    const s = parseIptablesSpec(nodeData('iptables-S.txt'), { path: 'iptables-S.txt' });
    expect(s.unparsed).toEqual([]);
    expect(s.value[0]?.tables.filter?.find((c) => c.name === 'FORWARD')).toEqual({
      name: 'FORWARD', policy: 'ACCEPT',
      rules: ['-m comment --comment "cali:wUHhoiAYhphO9Mso" -j cali-FORWARD', '-s 10.1.0.0/16 -m comment --comment "generated for MicroK8s pods" -j ACCEPT', '-d 10.1.0.0/16 -m comment --comment "generated for MicroK8s pods" -j ACCEPT'],
    });
  });

  it('reads the inspect report: network/iptables is the nat table, no KUBE chains (nft without kube-proxy rules)', () => {
    const nat = parseIptables(inspectMember('network/iptables'), { path: 'inspection-report/network/iptables' });
    expect(nat.unparsed).toEqual([]);
    expect(nat.warnings[0]).toContain('iptables-legacy tables present');
    expect(chainsByTable(nat.value[0]!)).toEqual({ nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'] });
    expect(hasKubeNat(nat.value[0]!)).toBe(false);
    const spec = parseIptables(inspectMember('network/iptables-S'), { path: 'inspection-report/network/iptables-S' });
    expect(spec.value[0]?.format).toBe('spec');
    expect(spec.value[0]?.tables.filter?.find((c) => c.name === 'FORWARD')?.rules).toHaveLength(2);
    const list = parseIptables(inspectMember('network/iptables-L'), { path: 'inspection-report/network/iptables-L' });
    expect(list.unparsed).toEqual([]);
    expect(Object.keys(list.value[0]!.tables)).toEqual(['filter']);
  });

  it('table hints', () => {
    expect(tableFromPath('inspection-report/network/iptables')).toBe('nat');
    expect(tableFromPath('node1/iptables_mangle.txt')).toBe('mangle');
    expect(tableFromPath('network/iptables-L')).toBeUndefined();
    const echoed = parseIptablesList('$ sudo iptables -t raw -L -n\nChain PREROUTING (policy ACCEPT)\ntarget prot opt source destination\n', { path: 'x.txt' });
    expect(Object.keys(echoed.value[0]!.tables)).toEqual(['raw']);
  });
});
