import type { Rule } from '../engine/types.js';
import calicoIpamFullBlocks from './calico-ipam-full-blocks.js';
import calicoIpamGcDisabled from './calico-ipam-gc-disabled.js';
import calicoKubeControllersTombstonePanic from './calico-kube-controllers-tombstone-panic.js';
import calicoOutdated from './calico-outdated.js';
import containerEventDiscarded from './container-event-discarded.js';
import containerdStaleSandboxReservation from './containerd-stale-sandbox-reservation.js';
import controllerFlagUnsupported from './controller-flag-unsupported.js';
import corednsSingleReplica from './coredns-single-replica.js';
import dqliteSnapshotBloat from './dqlite-snapshot-bloat.js';
import dqliteWritePathFailure from './dqlite-write-path-failure.js';
import eventedPlegGrpcFreeze from './evented-pleg-grpc-freeze.js';
import felixNatNotReprogrammed from './felix-nat-not-reprogrammed.js';
import imageRegistryDeprecated from './image-registry-deprecated.js';
import imagefsEvictionStall from './imagefs-eviction-stall.js';
import informerWatchStreamLoss from './informer-watch-stream-loss.js';
import ipamblockCasConflict from './ipamblock-cas-conflict.js';
import kineWatchCorruption from './kine-watch-corruption.js';
import kubeletSilent from './kubelet-silent.js';
import leaderElectionChurn from './leader-election-churn.js';
import orphanProcessLock from './orphan-process-lock.js';
import plegCniDeadlock from './pleg-cni-deadlock.js';
import plegOrphanedShims from './pleg-orphaned-shims.js';
import plegStartupNotYetSuccessful from './pleg-startup-not-yet-successful.js';
import plegUnhealthy from './pleg-unhealthy.js';
import podWatchStallAfterRestart from './pod-watch-stall-after-restart.js';
import podsNotProgressing from './pods-not-progressing.js';
import schedulerInformerStall from './scheduler-informer-stall.js';
import simultaneousReboot from './simultaneous-reboot.js';
import stuckTerminatingPod from './stuck-terminating-pod.js';
import vxlanRouteStaleVtep from './vxlan-route-stale-vtep.js';

/** Every rule of the catalog (docs/failure-modes.md), sorted by id. */
export const RULES: readonly Rule[] = [
  calicoIpamFullBlocks,
  calicoIpamGcDisabled,
  calicoKubeControllersTombstonePanic,
  calicoOutdated,
  containerEventDiscarded,
  containerdStaleSandboxReservation,
  controllerFlagUnsupported,
  corednsSingleReplica,
  dqliteSnapshotBloat,
  dqliteWritePathFailure,
  eventedPlegGrpcFreeze,
  felixNatNotReprogrammed,
  imageRegistryDeprecated,
  imagefsEvictionStall,
  informerWatchStreamLoss,
  ipamblockCasConflict,
  kineWatchCorruption,
  kubeletSilent,
  leaderElectionChurn,
  orphanProcessLock,
  plegCniDeadlock,
  plegOrphanedShims,
  plegStartupNotYetSuccessful,
  plegUnhealthy,
  podWatchStallAfterRestart,
  podsNotProgressing,
  schedulerInformerStall,
  simultaneousReboot,
  stuckTerminatingPod,
  vxlanRouteStaleVtep,
].sort((a, b) => a.id.localeCompare(b.id));

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}
