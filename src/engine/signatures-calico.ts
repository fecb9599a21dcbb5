import type { Signature } from './signatures.js';

/** Log signatures added by the calico rules (see signatures.ts for the format). */
export const CALICO_SIGNATURES: readonly Signature[] = [];
