import type { RuleContext } from '../../engine/types.js';
import type { ContainerStatusFact, PodFact } from '../../model/facts.js';
import { MICROS_PER_MINUTE } from '../../model/time.js';

/** Pod predicates every rule reading the pods list shares. */

/** "Pending for > 5 min" (failure-modes.md: pods-not-progressing, scheduler-informer-stall). */
export const PENDING_THRESHOLD = 5 * MICROS_PER_MINUTE;

export function podRef(p: { namespace: string; name: string }): string {
  return `${p.namespace}/${p.name}`;
}

export function containersOf(pod: PodFact): ContainerStatusFact[] {
  return [...pod.initContainers, ...pod.containers];
}

/** A container of the pod has started (running, terminated, or has a start time). */
export function podStartedAnyContainer(pod: PodFact): boolean {
  return containersOf(pod).some(
    (c) => c.state === 'running' || c.state === 'terminated' || c.startedAt !== undefined || c.lastTerminated !== undefined,
  );
}

/** When the pod was bound: its PodScheduled=True transition, else its creation. */
export function podBoundAt(pod: PodFact): number | undefined {
  return pod.conditions.find((c) => c.type === 'PodScheduled' && c.status === 'True')?.lastTransitionTime ?? pod.creationTimestamp;
}

/**
 * Pods bound to `node`, Pending, no container started, not being deleted (stuck Terminating
 * is another rule), bound more than `minMicros` before `now` and, when given, at or after
 * `boundSince`.
 */
export function stuckPendingPods(ctx: RuleContext, node: string, now: number, minMicros = PENDING_THRESHOLD, boundSince?: number): PodFact[] {
  return ctx.facts.pods.filter((p) => {
    if (p.nodeName !== node || p.phase !== 'Pending' || p.deletionTimestamp !== undefined) return false;
    if (podStartedAnyContainer(p)) return false;
    const bound = podBoundAt(p);
    if (bound === undefined || now - bound <= minMicros) return false;
    return boundSince === undefined || bound >= boundSince;
  });
}
