import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { inspectLayout } from '../../src/bundle/node.js';
import { readAll } from './helpers.js';
import { INSPECT_CORPUS } from '../support/shared.js';

const CORPUS = INSPECT_CORPUS;

describe('microk8s inspect corpus', () => {
  it('reads or skips (with a reason) every regular file, and sniffs the key members', async () => {
    const listing = execFileSync('tar', ['-tzvf', CORPUS], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.startsWith('-'))
      .map((l) => l.split(/\s+/).slice(5).join(' '));
    expect(listing.length).toBe(71);

    const { members, skipped, warnings } = await readAll([CORPUS], undefined, false);
    expect(warnings).toEqual([]);
    const seen = [...members.map((m) => m.path), ...skipped.map((s) => s.path)].sort();
    expect(seen).toEqual(listing.map((name) => `${CORPUS}/${name}`).sort());
    expect(skipped.every((s) => s.reason.length > 0)).toBe(true);

    const kindOf = (inner: string) => members.find((m) => m.innerPath === `inspection-report/${inner}`)?.kind;
    expect(kindOf('snap.microk8s.daemon-kubelite/journal.log')).toBe('journalctl-text');
    expect(kindOf('snap.microk8s.daemon-kubelite/systemctl.log')).toBe('systemctl-status');
    expect(kindOf('network/ip-addr')).toBe('ip-route'); // v1.25–1.31: ip route output in ip-addr
    expect(kindOf('network/iptables')).toBe('iptables-list');
    expect(kindOf('network/iptables-S')).toBe('iptables-list');
    expect(kindOf('sys/ps')).toBe('ps');
    expect(kindOf('k8s/cluster-info-dump')).toBe('cluster-info-dump');
    expect(kindOf('dqlite/list.out')).toBe('dqlite-listing');
    expect(kindOf('args/kubelet')).toBe('kubelet-args');
    expect(kindOf('args/kube-apiserver')).toBe('kubelet-args');
    expect(skipped).toContainEqual({ path: `${CORPUS}/inspection-report/args/kubectl`, reason: 'empty file' });
    expect(skipped).toContainEqual({ path: `${CORPUS}/inspection-report/sys/uptime`, reason: 'unrecognized content' });

    const journals = members.filter((m) => m.innerPath.endsWith('/journal.log'));
    expect(journals).toHaveLength(5);
    for (const j of journals) {
      expect(j.kind).toBe('journalctl-text');
      expect(j.node).toBe('microk8s-vm');
      expect(inspectLayout(j.innerPath)?.service).toMatch(/^snap\.microk8s\.daemon-/);
    }
    const kubelite = members.find((m) => m.innerPath === 'inspection-report/snap.microk8s.daemon-kubelite/journal.log')!;
    expect(kubelite.size).toBe(2067890);
    expect(new Date(kubelite.mtime! / 1000).toISOString().slice(0, 10)).toBe('2024-10-29');
    expect(kubelite.mtime! % 1_000_000).toBe(0); // tar mtimes are whole seconds, in µs
    expect(kubelite.head.length).toBe(64 * 1024);
  });

  it('streams the whole kubelite journal', async () => {
    const { members } = await readAll([CORPUS]);
    const kubelite = members.find((m) => m.innerPath.endsWith('daemon-kubelite/journal.log'))!;
    expect(kubelite.content.length).toBe(2067890);
    expect(kubelite.content.subarray(0, kubelite.head.length).equals(kubelite.head)).toBe(true);
    const lines = kubelite.content.toString('utf8').split('\n');
    expect(lines[0]).toBe('Oct 29 17:22:59 microk8s-vm systemd[1]: Started Service for snap application microk8s.daemon-kubelite.');
  });
});
