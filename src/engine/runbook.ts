import type { ReportRunbookStep } from '../report/types.js';
import type { RunbookTemplateStep } from './types.js';

const PLACEHOLDER = /\{\{(\w+)\}\}/g;

/** Fill `{{key}}` placeholders with this incident's values; unknown keys stay visible as `<key>`. */
export function fillTemplate(template: string, values: Record<string, string | number | string[]>): string {
  return template.replace(PLACEHOLDER, (_, key: string) => {
    const value = values[key];
    if (value === undefined || (Array.isArray(value) && value.length === 0)) return `<${key}>`;
    return Array.isArray(value) ? value.join(' ') : String(value);
  });
}

export function fillRunbook(steps: readonly RunbookTemplateStep[], values: Record<string, string | number | string[]>): ReportRunbookStep[] {
  return steps.map((s) => {
    const step: ReportRunbookStep = { step: fillTemplate(s.step, values) };
    if (s.command !== undefined) step.command = fillTemplate(s.command, values);
    return step;
  });
}
