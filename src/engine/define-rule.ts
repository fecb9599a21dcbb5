import type { Rule, RuleContext, RuleMeta, RuleOutcome } from './types.js';

/** Typed rule definition (one failure mode per file, default-exported). */
export function defineRule(rule: { id: string; meta: RuleMeta; evaluate(ctx: RuleContext): RuleOutcome }): Rule {
  return rule;
}
