import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseLogrus } from '../../src/parsers/logrus.js';
import { sample } from '../goroutines/helpers.js';

describe('logrus: header comment sample', () => {
  it('text form with quoted and bare values', () => {
    expect(parseLogrus('time="2024-10-29T17:23:14+05:30" level=info msg="Will initialize dqlite node" address="127.0.0.1:19001" cluster="[]"')).toEqual({
      form: 'text', time: '2024-10-29T17:23:14+05:30', ts: Date.UTC(2024, 9, 29, 11, 53, 14) * 1000,
      level: 'info', msg: 'Will initialize dqlite node', fields: { address: '127.0.0.1:19001', cluster: '[]' },
    });
    expect(parseLogrus('time="2022-12-14T17:51:38Z" level=error msg="error in txn: query (try: 0): context canceled"')).toMatchObject({ level: 'error', msg: 'error in txn: query (try: 0): context canceled' });
    expect(parseLogrus('time="2022-02-10T19:51:14Z" level=info msg="setupServices start" cluster-name=etcd-bmpi52ms078i9sm0sni0 pkg=cluster')?.fields).toEqual({ 'cluster-name': 'etcd-bmpi52ms078i9sm0sni0', pkg: 'cluster' });
  });
  it('short form with a timestamp or seconds', () => {
    expect(parseLogrus('ERRO[2019-12-24T21:19:03.912413059+08:00] failed to delete revision 613650: database is locked ')).toMatchObject({
      form: 'short', level: 'error', msg: 'failed to delete revision 613650: database is locked', ts: Date.UTC(2019, 11, 24, 13, 19, 3) * 1000 + 912413,
    });
    expect(parseLogrus('WARN[0001] slow request                              key=/registry/pods took=2s')).toEqual({ form: 'short', level: 'warning', msg: 'slow request', fields: { key: '/registry/pods', took: '2s' } });
  });
  it('Go %q escapes in msg (etcd-operator sample: literal \\n)', () => {
    const line = sample('shim-orphan__ibm-etcd-operator-unary-invoker.txt').split('\n').find((l) => l.includes('already exists')) ?? '';
    expect(parseLogrus(line)?.msg).toBe('service etcd-bmpi52ms078i9sm0sni0-client already exists; patching instead\n');
  });
  it('kine samples: every logrus line parses with a level', () => {
    const lines = sample('kine-locked__k8s-dqlite-36.txt').split('\n').map((l) => l.replace(/^.*?\]: /, '')).filter((l) => l.startsWith('time='));
    expect(lines.length).toBeGreaterThan(5);
    for (const l of lines) expect(parseLogrus(l)?.level).toBe('error');
  });
  it('rejects non-logrus', () => {
    expect(parseLogrus('I0101 00:00:00.000000 1 a.go:1] x')).toBeUndefined();
    expect(parseLogrus('time is on my side')).toBeUndefined();
  });
  it('never throws', () => {
    fc.assert(fc.property(fc.string(), (s) => { parseLogrus(s); parseLogrus(`time="${s}" level=info msg=${s}`); parseLogrus(`ERRO[${s}`); }), { numRuns: 500 });
  });
});
