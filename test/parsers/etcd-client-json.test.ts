import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseEtcdClientJson } from '../../src/parsers/etcd-client-json.js';
import { sample } from '../goroutines/helpers.js';

describe('etcd-client-json: header comment sample', () => {
  it('rke2 retrying of unary invoker failed', () => {
    const line = (sample('shim-orphan__rke2-7615-unary-invoker.txt').split('\n')[0] ?? '').replace(/^.*?\]: /, '');
    expect(parseEtcdClientJson(line)).toEqual({
      level: 'warn', ts: Date.UTC(2025, 0, 17, 5, 21, 36) * 1000 + 861486, msg: 'retrying of unary invoker failed', attempt: 0,
      error: 'rpc error: code = DeadlineExceeded desc = latest balancer error: last connection error: connection error: desc = "transport: Error while dialing: dial tcp 127.0.0.1:2379: connect: connection refused"',
      logger: 'etcd-client', caller: 'v3@v3.5.13-k3s1/retry_interceptor.go:62', target: 'etcd-endpoints://0xc002bb65a0/127.0.0.1:2379',
    });
  });
  it('IBM db space exceeded, float epoch seconds ts', () => {
    const line = sample('shim-orphan__ibm-etcd-db-space-unary-invoker.txt').trim();
    expect(parseEtcdClientJson(line)).toMatchObject({ ts: Date.UTC(2020, 2, 20, 9, 46, 4, 82) * 1000, error: 'rpc error: code = ResourceExhausted desc = etcdserver: mvcc: database space exceeded' });
    expect(parseEtcdClientJson('{"level":"error","ts":1729748297.8827953,"logger":"setup","msg":"problem running manager","error":"leader election lost"}')?.ts).toBe(1729748297882795);
    expect(parseEtcdClientJson('{"attempt":52,"level":"warn","msg":"m"}')?.attempt).toBe(52);
  });
  it('rejects other JSON and never throws', () => {
    expect(parseEtcdClientJson('{"log":"x"}')).toBeUndefined();
    expect(parseEtcdClientJson('{"level":1,"msg":"x"}')).toBeUndefined();
    fc.assert(fc.property(fc.string(), (s) => { parseEtcdClientJson(s); parseEtcdClientJson(`{"level":"x","msg":${s}}`); }), { numRuns: 300 });
  });
});
