import { describe, expect, it } from 'vitest';
import { createRuleContext } from '../../../src/engine/context.js';
import { EventStore } from '../../../src/engine/store.js';
import { formatDuration } from '../../../src/rules/shared/format.js';
import { podBoundAt, podStartedAnyContainer, stuckPendingPods } from '../../../src/rules/shared/pods.js';
import { container, pod } from '../../support/cluster-builders.js';

const us = (iso: string) => Date.parse(iso) * 1000;

describe('formatDuration', () => {
  it('writes durations the way the PIRs do', () => {
    expect([45e6, 185e6, 17 * 60e6, 29 * 60e6 + 13e6, 2 * 3600e6 + 33 * 60e6 + 12e6, 4 * 3600e6].map(formatDuration))
      .toEqual(['45s', '3m5s', '17m', '29m13s', '2h33m', '4h']);
  });
});

describe('pod predicates', () => {
  const now = us('2026-05-18T05:28:24Z');
  const bound = { namespace: 'kube-system', node: 'k8s03', created: '2026-05-18T04:59:11Z', bound: '2026-05-18T04:59:11Z' };
  const ctxWith = (...pods: ReturnType<typeof pod>[]) => {
    const store = new EventStore();
    store.facts.pods.push(...pods);
    return createRuleContext(store);
  };

  it('a pod with a started (or once started) container is progressing', () => {
    expect(podStartedAnyContainer(pod({ ...bound, name: 'a', line: 1, containers: [container('c', 'waiting', { stateReason: 'ContainerCreating' })] }))).toBe(false);
    expect(podStartedAnyContainer(pod({ ...bound, name: 'b', line: 2, containers: [container('c', 'waiting', { lastTerminated: { exitCode: 1 } })] }))).toBe(true);
  });

  it('is bound at its PodScheduled transition, else at creation', () => {
    expect(podBoundAt(pod({ ...bound, name: 'a', line: 1 }))).toBe(us('2026-05-18T04:59:11Z'));
    expect(podBoundAt(pod({ namespace: 'x', name: 'y', created: '2026-05-18T04:00:00Z', line: 1 }))).toBe(us('2026-05-18T04:00:00Z'));
  });

  it('stuck Pending: bound to the node, nothing started, not deleted, older than the threshold, bound since a time', () => {
    const stuck = pod({ ...bound, name: 'calico-node-sqfcs', line: 1 });
    const young = pod({ ...bound, name: 'young', created: '2026-05-18T05:26:00Z', bound: '2026-05-18T05:26:00Z', line: 2 });
    const deleting = pod({ ...bound, name: 'deleting', deleted: '2026-05-18T05:00:00Z', line: 3 });
    const elsewhere = pod({ ...bound, name: 'elsewhere', node: 'k8s01', line: 4 });
    const ctx = ctxWith(stuck, young, deleting, elsewhere);
    expect(stuckPendingPods(ctx, 'k8s03', now).map((p) => p.name)).toEqual(['calico-node-sqfcs']);
    expect(stuckPendingPods(ctx, 'k8s03', now, 60 * 60e6)).toEqual([]);
    expect(stuckPendingPods(ctx, 'k8s03', now, undefined, us('2026-05-18T05:00:00Z'))).toEqual([]);
  });
});
