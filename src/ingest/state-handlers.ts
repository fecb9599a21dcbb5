import type { MemberKind, Member } from '../bundle/types.js';
import type { MemberSink } from './handlers.js';

export type StateHandler = (member: Member, sink: MemberSink) => Promise<void>;

/** Node-state kinds (ip, iptables, ps, ctr/crictl, args, dqlite) → their parser. */
export const STATE_HANDLERS: Partial<Record<MemberKind, StateHandler>> = {};
