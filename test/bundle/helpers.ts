import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBundle, type OpenOptions } from '../../src/bundle/open.js';
import type { BundleWarning, MemberKind, SkippedMember } from '../../src/bundle/types.js';

export interface ReadMember {
  path: string;
  innerPath: string;
  kind: MemberKind;
  node?: string;
  size?: number;
  mtime?: number;
  archived?: boolean;
  head: Buffer;
  content: Buffer;
}

export interface ReadResult {
  members: ReadMember[];
  skipped: SkippedMember[];
  warnings: BundleWarning[];
}

/** Reads every member completely (or only the head when `readChunks` is false). */
export async function readAll(inputs: string[], options?: OpenOptions, readChunks = true): Promise<ReadResult> {
  const result: ReadResult = { members: [], skipped: [], warnings: [] };
  const observer = { skipped: (s: SkippedMember) => result.skipped.push(s), warning: (w: BundleWarning) => result.warnings.push(w) };
  for await (const m of openBundle(inputs, observer, options)) {
    const chunks: Buffer[] = [];
    if (readChunks) for await (const c of m.chunks()) chunks.push(c);
    result.members.push({
      path: m.path,
      innerPath: m.innerPath,
      kind: m.kind,
      ...(m.node !== undefined ? { node: m.node } : {}),
      ...(m.size !== undefined ? { size: m.size } : {}),
      ...(m.mtime !== undefined ? { mtime: m.mtime } : {}),
      ...(m.archived !== undefined ? { archived: m.archived } : {}),
      head: m.head,
      content: Buffer.concat(chunks),
    });
  }
  return result;
}

export function makeTempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'pleg-bundle-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const JOURNAL_K8S03 = [
  'May 17 05:59:38 k8s03 microk8s.daemon-kubelite[2978]: I0517 05:59:38.124000    2978 kubelet.go:2345] "SyncLoop (PLEG): event for pod"',
  'May 17 05:59:39 k8s03 systemd[1]: snap.microk8s.daemon-kubelite.service: Main process exited, code=exited, status=1/FAILURE',
  '',
].join('\n');

export const IP_ROUTE = [
  'default via 172.22.96.1 dev eth0 proto dhcp src 172.22.104.186 metric 100 ',
  'blackhole 10.1.254.64/26 proto 80 ',
  '10.1.254.78 dev cali5e7a27f59df scope link ',
  '10.1.235.128/26 via 10.1.235.133 dev vxlan.calico onlink ',
  '',
].join('\n');
