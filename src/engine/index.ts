export { defineRule } from './define-rule.js';
export { EventStore } from './store.js';
export { createRuleContext } from './context.js';
export { evaluateRules, renderEvidence, type EngineResult } from './evaluate.js';
export { computeConfidence } from './confidence.js';
export { cappedEvidence, evidenceFromMatch, evidenceFromFact } from './evidence.js';
export { INPUTS, type InputId } from './inputs.js';
export { SIGNATURES, type Signature } from './signatures.js';
export type * from './types.js';
