import type { Signature } from './signatures.js';

/** Log signatures added by the kubelet rules (see signatures.ts for the format). */
export const KUBELET_SIGNATURES: readonly Signature[] = [];
