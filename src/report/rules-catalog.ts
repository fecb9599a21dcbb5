import { INPUTS } from '../engine/inputs.js';
import type { Rule } from '../engine/types.js';
import { RULES, ruleById } from '../rules/index.js';

/** `rules --format json` shape from report-contract.md. */
export function rulesCatalog(rules: readonly Rule[] = RULES) {
  return {
    rules: rules.map((r) => ({
      id: r.id,
      title: r.meta.title,
      severity: r.meta.severity,
      kind: r.meta.kind,
      sources: r.meta.inputs.map((entry) => (Array.isArray(entry) ? entry : [entry]).join('|')),
      references: r.meta.references,
    })),
  };
}

export function renderRulesList(format: 'text' | 'json'): string {
  if (format === 'json') return `${JSON.stringify(rulesCatalog(), null, 2)}\n`;
  const { rules } = rulesCatalog();
  const width = Math.max(...rules.map((r) => r.id.length));
  const lines = rules.map((r) => `${r.id.padEnd(width)}  ${r.severity.padEnd(8)}  ${r.kind.padEnd(12)}  ${r.title}  [${r.sources.join(', ')}]`);
  return `${lines.join('\n')}\n`;
}

/**
 * The rule's documentation page, generated from its metadata with fixed headings
 * (docs/rules/<id>.md and `pleg-analyze explain <id>`).
 */
export function ruleDocMarkdown(rule: Rule): string {
  const m = rule.meta;
  const out: string[] = [];
  out.push(`# \`${rule.id}\` — ${m.title}`, '');
  out.push(`Severity: **${m.severity}** · Kind: ${m.kind}`, '');
  out.push('## Symptoms', '', m.symptoms, '');
  out.push('## What we look for', '');
  for (const s of m.signals) out.push(`- **${s.name}**: ${s.description}${s.input ? ` (input: ${INPUTS[s.input].what})` : ''}`);
  const inputs = m.inputs.map((entry) => (Array.isArray(entry) ? entry : [entry]).map((i) => INPUTS[i].what).join(' or '));
  out.push('', `Needs: ${inputs.join('; ')}.`);
  if (m.supersedes?.length) out.push('', `Explains (supersedes): ${m.supersedes.map((id) => `\`${id}\``).join(', ')}.`);
  if (m.causes?.length) out.push('', `Causes: ${m.causes.map((id) => `\`${id}\``).join(', ')}.`);
  if (m.candidates?.length) out.push('', `Candidates: ${m.candidates.map((id) => `\`${id}\``).join(', ')}.`);
  out.push('', '## Why it happens', '', m.explanation ? `${m.why}\n\n${m.explanation}` : m.why, '');
  out.push('## Runbook', '');
  if (m.runbook.length === 0) out.push('Nothing to do: this is known noise.');
  m.runbook.forEach((s, i) => {
    out.push(`${i + 1}. ${s.step}`);
    if (s.command) out.push('', '   ```sh', `   ${s.command}`, '   ```');
  });
  out.push('', '## False positives', '');
  for (const fp of m.falsePositives) out.push(`- ${fp}`);
  if (m.falsePositives.length === 0) out.push('- None known.');
  out.push('', '## References', '');
  for (const ref of m.references) out.push(`- ${ref}`);
  return `${out.join('\n')}\n`;
}

export function explainRule(id: string): string | undefined {
  const rule = ruleById(id);
  return rule ? ruleDocMarkdown(rule) : undefined;
}
