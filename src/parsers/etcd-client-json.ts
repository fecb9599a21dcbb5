/**
 * etcd clientv3 / zap JSON log lines (`retrying of unary invoker failed`), printed by
 * rke2/k3s supervisors, etcd-operator, kube-apiserver's etcd client, and controller-runtime
 * managers' zap logger (`{"level":"error","ts":1729748297.88,…}`).
 *
 * Sample (rancher/rke2#7615; IBM SRE runbook; canonical/microk8s#3675 — shared/samples):
 *   {"level":"warn","ts":"2025-01-17T05:21:36.861486Z","logger":"etcd-client","caller":"v3@v3.5.13-k3s1/retry_interceptor.go:62","msg":"retrying of unary invoker failed","target":"etcd-endpoints://0xc002bb65a0/127.0.0.1:2379","attempt":0,"error":"rpc error: code = DeadlineExceeded desc = latest balancer error: last connection error: connection error: desc = \"transport: Error while dialing: dial tcp 127.0.0.1:2379: connect: connection refused\""}
 *   {"level":"warn","ts":"2020-03-20T09:46:04.082Z","caller":"clientv3/retry_interceptor.go:61","msg":"retrying of unary invoker failed","target":"endpoint://client-…/etcd-104-1…:31579","attempt":0,"error":"rpc error: code = ResourceExhausted desc = etcdserver: mvcc: database space exceeded"}
 *   {"level":"error","ts":1729748297.8827953,"logger":"setup","msg":"problem running manager","error":"leader election lost"}
 *
 * Output: `EtcdClientJsonLine` { level, ts (µs), msg, attempt?, error?, logger?, caller?, target? }.
 *
 * Quirks: `ts` is an ISO string (etcd's zap config) or float epoch seconds (zap default);
 * the line must carry `level` and `msg`; anything else JSON is not this format.
 */
import { isoToMicros } from '../model/time.js';

export interface EtcdClientJsonLine {
  level: string;
  ts?: number;
  msg: string;
  attempt?: number;
  error?: string;
  logger?: string;
  caller?: string;
  target?: string;
}

/** Parse one zap JSON line; undefined when it is not one. Never throws. */
export function parseEtcdClientJson(line: string): EtcdClientJsonLine | undefined {
  const text = line.trim();
  if (!text.startsWith('{') || !text.includes('"level"') || !text.includes('"msg"')) return undefined;
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return undefined;
  const o = obj as Record<string, unknown>;
  if (typeof o.level !== 'string' || typeof o.msg !== 'string') return undefined;
  const result: EtcdClientJsonLine = { level: o.level, msg: o.msg };
  if (typeof o.ts === 'string') {
    const ts = isoToMicros(o.ts);
    if (ts !== undefined) result.ts = ts;
  } else if (typeof o.ts === 'number' && Number.isFinite(o.ts)) {
    result.ts = Math.round(o.ts * 1_000_000);
  }
  if (typeof o.attempt === 'number') result.attempt = o.attempt;
  if (typeof o.error === 'string') result.error = o.error;
  if (typeof o.logger === 'string') result.logger = o.logger;
  if (typeof o.caller === 'string') result.caller = o.caller;
  if (typeof o.target === 'string') result.target = o.target;
  return result;
}
