import rule from '../../src/rules/containerd-stale-sandbox-reservation.js';
import type { EventFact } from '../../src/model/facts.js';
import { isoToMicros } from '../../src/model/time.js';
import { KUBELITE_UNIT } from '../../src/model/units.js';
import { rec, ruleTester } from '../support/rule-tester.js';

const PATH = 'k8s02/kubelite.log';
const ID = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';

/** kubelet's structured error for a refused sandbox (containerd wording, Go-quoted inside err=). */
function reserved(iso: string, line: number, pod = 'jiva-ctrl-6c8f', ns = 'openebs'): ReturnType<typeof rec> {
  const name = `${pod}_${ns}_5a1e2c3d-77aa-4c1b-9a0e-2f3b4c5d6e7f_1`;
  return rec(iso, 'k8s02', KUBELITE_UNIT,
    `E0605 06:52:0${line % 10}.311942 2345678 log.go:32] "RunPodSandbox from runtime service failed" err="rpc error: code = Unknown desc = failed to reserve sandbox name \\"${name}\\": name \\"${name}\\" is reserved for \\"${ID}\\""`,
    PATH, line);
}

const boot = rec('2026-06-04T20:01:10Z', 'k8s02', 'kernel', 'Linux version 5.4.0-231-generic (buildd@lcy02-amd64-001) (gcc version 9.4.0 (Ubuntu 9.4.0-1ubuntu1~20.04.2)) #250-Ubuntu SMP', 'k8s02/journal.log', 1, { identifier: 'kernel', unit: undefined, pid: undefined });

const sandboxEvent: EventFact = {
  namespace: 'openebs', name: 'jiva-ctrl-6c8f.17d1', type: 'Warning', reason: 'FailedCreatePodSandBox',
  message: `Failed to create pod sandbox: rpc error: code = Unknown desc = failed to reserve sandbox name "jiva-ctrl-6c8f_openebs_5a1e_1": name "jiva-ctrl-6c8f_openebs_5a1e_1" is reserved for "${ID}"`,
  involved: { kind: 'Pod', namespace: 'openebs', name: 'jiva-ctrl-6c8f' }, count: 7, sourceComponent: 'kubelet', sourceHost: 'k8s02',
  firstTimestamp: isoToMicros('2026-06-04T20:50:00Z'), lastTimestamp: isoToMicros('2026-06-04T20:57:00Z'),
  source: { path: 'cluster/events.json', line: 40 },
};

ruleTester(rule, {
  invalid: [
    {
      name: 'PIR 003: repeated reservations on k8s02 right after the reboot',
      records: [boot, reserved('2026-06-04T20:52:01Z', 11), reserved('2026-06-04T20:52:31Z', 12), reserved('2026-06-04T20:53:01Z', 13)],
      expect: [{
        nodes: ['k8s02'],
        evidence: [{ path: PATH, line: 11 }],
        signals: { 'sandbox name reserved': 'present', 'recent boot': 'present' },
        runbookIncludes: ['kubectl cordon k8s02', 'openebs/jiva-ctrl-6c8f', 'crictl stopp'],
        facts: { occurrences: 3 },
      }],
    },
    {
      name: 'FailedCreatePodSandBox events alone (kubectl get events)',
      facts: { events: [sandboxEvent] },
      expect: [{ nodes: ['k8s02'], evidence: [{ path: 'cluster/events.json', line: 40 }], signals: { 'SandboxChanged events': 'absent' } }],
    },
  ],
  valid: [
    { name: 'near miss: a single reservation error is a retry race', records: [reserved('2026-06-04T20:52:01Z', 11)] },
    {
      name: 'near miss: FailedCreatePodSandBox for a CNI timeout, not a reservation',
      facts: { events: [{ ...sandboxEvent, message: 'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "9f1c2e": plugin type="calico" failed (add): context deadline exceeded' }] },
    },
    {
      name: 'CRI-O wording is a different problem',
      records: [1, 2, 3].map((i) => rec(`2026-06-04T20:5${i}:00Z`, 'k8s02', 'kubelet', 'E0605 06:5' + i + ':00.000000 1234 remote_runtime.go:116] RunPodSandbox from runtime service failed: error reserving pod name k8s_coredns_kube-system_1f2e_1 for id 9f86d081: name is reserved', PATH, 20 + i)),
    },
  ],
});
