import { visibleControls } from './sanitize.js';
import { severityRank, type Report, type ReportFinding } from './types.js';

/**
 * JUnit XML for CI dashboards: one testsuite, one testcase per rule evaluated or not
 * applicable. A rule that fired fails (its summary and evidence in the failure), an explained
 * symptom or a noise rule passes with a note, a rule lacking input is skipped naming what is
 * missing, and a rule that threw is an error. Ordered by rule id.
 */

// XML 1.0 allows no C0 controls but tab/LF/CR, no lone surrogates, no U+FFFE/U+FFFF.
// eslint-disable-next-line no-control-regex
const XML_INVALID = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|[\uFFFE\uFFFF]/g;
const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function escapeXml(value: string): string {
  return visibleControls(value)
    .replace(XML_INVALID, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);
}

/** Attribute values: newlines would be normalised away by XML parsers, so keep them visible. */
function attr(value: string): string {
  return escapeXml(value).replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}

function findingBody(f: ReportFinding): string {
  const lines = [
    `${f.id} — ${f.title}`,
    `severity ${f.severity}, confidence ${f.confidence.toFixed(2)}, nodes: ${f.nodes.join(', ') || 'cluster'}${f.window ? `, window ${f.window.start} → ${f.window.end}` : ''}`,
    f.summary,
  ];
  if (f.evidence.length) {
    lines.push('evidence:');
    for (const e of f.evidence) {
      const tag = e.count !== undefined ? ` [${e.role ? `${e.role} of ` : ''}${e.count}]` : '';
      lines.push(`  ${e.path}${e.line !== undefined ? `:${e.line}` : ''}${tag}`, `    ${e.text.replace(/\n/g, '\n    ')}`);
    }
  }
  if (f.runbook.length) {
    lines.push('runbook:');
    f.runbook.forEach((s, i) => lines.push(`  ${i + 1}. ${s.step}${s.command ? `\n     $ ${s.command}` : ''}`));
  }
  return lines.join('\n');
}

export interface JunitOptions {
  /** testsuite name; default "pleg-analyze". */
  suiteName?: string;
}

export function renderJunit(report: Report, options: JunitOptions = {}): string {
  const suite = options.suiteName ?? 'pleg-analyze';
  const ids = [...new Set([...report.rulesEvaluated, ...report.notApplicable.map((n) => n.id), ...report.engineErrors.map((e) => e.rule)])].sort();
  let failures = 0;
  let skipped = 0;
  let errors = 0;
  const cases: string[] = [];
  for (const id of ids) {
    const open = `  <testcase classname="${attr(suite)}.rules" name="${attr(id)}" time="0">`;
    const notApplicable = report.notApplicable.find((n) => n.id === id);
    const error = report.engineErrors.filter((e) => e.rule === id);
    const findings = report.findings.filter((f) => f.id === id);
    const standing = findings.filter((f) => !f.explainedBy).sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.nodes.join().localeCompare(b.nodes.join()));
    const explained = findings.filter((f) => f.explainedBy);
    const noise = report.noise.find((n) => n.id === id);
    const body: string[] = [];
    if (notApplicable) {
      skipped++;
      body.push(`    <skipped message="${attr(`missing: ${notApplicable.missing.join('; ')}`)}">${escapeXml(`capture next:\n${notApplicable.capture.join('\n')}`)}</skipped>`);
    } else if (error.length) {
      errors++;
      body.push(`    <error message="${attr(error.map((e) => e.message).join('; '))}" type="RuleError"/>`);
    } else if (standing.length) {
      failures++;
      const worst = standing[0]!;
      const message = standing.map((f) => `${f.severity}: ${f.summary}`).join(' | ');
      body.push(`    <failure message="${attr(message)}" type="${attr(worst.severity)}">${escapeXml(standing.map(findingBody).join('\n\n'))}</failure>`);
    }
    const notes: string[] = [];
    for (const f of explained) notes.push(`explained symptom on ${f.nodes.join(', ') || 'cluster'}, explained by ${f.explainedBy!.join(', ')}: ${f.summary}`);
    if (noise) notes.push(`known noise ×${noise.count}${noise.first ? ` from ${noise.first}` : ''}${noise.last ? ` to ${noise.last}` : ''}: ${noise.explanation}`);
    if (notes.length) body.push(`    <system-out>${escapeXml(notes.join('\n'))}</system-out>`);
    cases.push(body.length ? `${open}\n${body.join('\n')}\n  </testcase>` : `${open}</testcase>`);
  }
  const counts = `tests="${ids.length}" failures="${failures}" errors="${errors}" skipped="${skipped}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${attr(suite)}" ${counts} time="0">`,
    ` <testsuite name="${attr(suite)}" ${counts} time="0" timestamp="${attr(report.generatedAt.replace(/\.\d+Z$/, '').replace(/Z$/, ''))}">`,
    ...cases,
    ' </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
