import type { Rule } from '../engine/types.js';
import calicoIpamFullBlocks from './calico-ipam-full-blocks.js';
import containerdStaleSandboxReservation from './containerd-stale-sandbox-reservation.js';

/** Every rule of the catalog (docs/failure-modes.md), sorted by id. */
export const RULES: readonly Rule[] = [
  calicoIpamFullBlocks,
  containerdStaleSandboxReservation,
].sort((a, b) => a.id.localeCompare(b.id));

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}
