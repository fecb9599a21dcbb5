import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ingest } from '../../src/ingest/ingest.js';
import { makeTempDir } from '../bundle/helpers.js';

const T0 = 1779027302000000;

/** One export entry of kubelite's stderr (each line of a dump is an entry of its own). */
function entry(i: number, message: string): string {
  return [
    `__CURSOR=s=0c1d;i=${i};b=b0`,
    `__REALTIME_TIMESTAMP=${T0 + i * 1000}`,
    '_BOOT_ID=b0',
    'SYSLOG_IDENTIFIER=microk8s.daemon-kubelite',
    '_PID=4242',
    '_SYSTEMD_UNIT=snap.microk8s.daemon-kubelite.service',
    '_HOSTNAME=k8s03',
    `MESSAGE=${message}`,
    '',
    '',
  ].join('\n');
}

const QUIET = 'I0518 00:15:02.000001 4242 kubelet_pods.go:1051] "Clean up probes for terminated pods"';
/** A SIGQUIT dump: its frame lines alone hold no signature literal (they are quiet). */
const DUMP = [
  'SIGQUIT: quit',
  'PC=0x46e5a1 m=0 sigcode=0',
  '',
  ...Array.from({ length: 30 }, (_, g) => [
    `goroutine ${g + 1} [select, 5 minutes]:`,
    'k8s.io/kubernetes/pkg/kubelet/pleg.(*GenericPLEG).Relist(0xc000a1b2c0)',
    '\t/build/pkg/kubelet/pleg/generic.go:210 +0x1d',
    'created by k8s.io/kubernetes/pkg/kubelet.(*Kubelet).Run in goroutine 1',
    '\t/build/pkg/kubelet/kubelet.go:1570 +0x2a5',
    '',
  ]).flat(),
];

describe('ingest with quiet lanes', () => {
  let cleanup: (() => void) | undefined;
  afterEach(() => cleanup?.());

  it('counts every absorbed entry as a record, and gives a dump in progress every line', async () => {
    const tmp = makeTempDir();
    cleanup = tmp.cleanup;
    const messages = [...Array.from({ length: 50 }, () => QUIET), ...DUMP, 'I0518 00:15:09.000001 4242 kubelet.go:2412] "SyncLoop (PLEG): event for pod"', ...Array.from({ length: 50 }, () => QUIET)];
    writeFileSync(join(tmp.dir, 'kubelite.export'), messages.map((m, i) => entry(i + 1, m)).join(''));
    const quietRun = await ingest([tmp.dir], { inputZone: 'UTC' });
    // onRecord sees every record, so the quiet path (and its lanes) is off: the reference.
    const everyRecord = await ingest([tmp.dir], { inputZone: 'UTC', onRecord: () => {} });
    expect(quietRun.inputs.map((i) => i.records)).toEqual([messages.length]);
    expect(everyRecord.inputs.map((i) => i.records)).toEqual([messages.length]);
    const goroutines = (r: typeof quietRun) => r.store.dumps.map((d) => d.goroutines.map((g) => [g.id, g.frames.length]));
    expect(goroutines(quietRun)).toEqual(goroutines(everyRecord));
    expect(quietRun.store.dumps[0]?.goroutines).toHaveLength(30);
  });
});
