import type { Report } from './types.js';

/** The JSON report is the Report object itself, pretty-printed. */
export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
