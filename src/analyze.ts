import type { BundleLimits } from './bundle/types.js';
import { createRuleContext } from './engine/context.js';
import { evaluateRules } from './engine/evaluate.js';
import { UsageError } from './errors.js';
import { ingest } from './ingest/ingest.js';
import { isValidZone, microsToIso } from './model/time.js';
import { describeFocus, focusFindings, focusNoise, isFocused, type ReportFocus } from './report/focus.js';
import { buildTimeline } from './report/timeline.js';
import type { Report } from './report/types.js';
import { RULES } from './rules/index.js';
import { VERSION } from './version.js';

export interface AnalyzeOptions {
  /** IANA zone the text renderings use (the JSON is always UTC). Default UTC. */
  timezone?: string;
  /** IANA zone in which zone-less timestamps were printed. Default: `timezone`. */
  inputZone?: string;
  limits?: Partial<BundleLimits>;
  /** Where `-` reads from. */
  stdin?: NodeJS.ReadableStream;
  /** Only these rule ids. */
  rules?: string[];
  /**
   * Focus the report on a node and/or time span (µs since the epoch): the timeline, the
   * findings overlapping it (with the findings causally linked to them) and the noise.
   * Rules always run over the whole capture.
   */
  focus?: ReportFocus;
  onProgress?(progress: { member: string; bytes: number }): void;
  /** Input bytes read so far grow by `n` (as stored on disk: compressed for .tgz); for a progress bar. */
  onBytes?(n: number): void;
}

/**
 * Analyze one incident: every input is read once, parsed into records and facts, the rule
 * catalog runs over them and the report object is returned. Never writes to stdout/stderr
 * and never exits the process.
 */
export async function analyze(inputs: string | string[], options: AnalyzeOptions = {}): Promise<Report> {
  const list = Array.isArray(inputs) ? inputs : [inputs];
  if (list.length === 0) throw new UsageError('no input given', 'pass a bundle (.tgz/.tar), a directory, a file or - for stdin');
  const timezone = options.timezone ?? 'UTC';
  if (!isValidZone(timezone)) throw new UsageError(`unknown time zone "${timezone}"`, 'use an IANA name such as Australia/Brisbane');
  const inputZone = options.inputZone ?? timezone;
  if (!isValidZone(inputZone)) throw new UsageError(`unknown time zone "${inputZone}"`, 'use an IANA name such as Australia/Brisbane');

  const rules = options.rules?.length ? RULES.filter((r) => options.rules!.includes(r.id)) : RULES;
  const unknown = (options.rules ?? []).filter((id) => !RULES.some((r) => r.id === id));
  if (unknown.length) throw new UsageError(`unknown rule id(s): ${unknown.join(', ')}`, 'list them with: pleg-analyze rules');

  const ingested = await ingest(list, {
    inputZone,
    ...(options.inputZone ? {} : { inferZone: true }),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.stdin ? { stdin: options.stdin } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.onBytes ? { onBytes: options.onBytes } : {}),
  });
  const { store } = ingested;
  const engine = evaluateRules(rules, createRuleContext(store));

  const assumptions = [...ingested.assumptions];

  const warnings = [...ingested.warnings];
  let findings = engine.findings;
  let noise = engine.noise;
  if (isFocused(options.focus)) {
    const focused = focusFindings(findings, options.focus);
    findings = focused.kept;
    noise = focusNoise(noise, options.focus);
    assumptions.push(describeFocus(options.focus, focused.hidden, microsToIso));
    const node = options.focus.node;
    const known = new Set([...store.nodes, ...store.facts.nodes.map((n) => n.name)]);
    if (node !== undefined && !known.has(node)) {
      warnings.push({ path: '--node', message: `no node "${node}" in this capture (nodes seen: ${[...known].sort().join(', ') || 'none'})` });
    }
  }

  const end = store.captureEnd;
  return {
    schemaVersion: 1,
    tool: { name: 'pleg-analyze', version: VERSION },
    // Deterministic: the report is "as of" the capture's end, never the wall clock.
    generatedAt: end !== undefined ? microsToIso(end) : '1970-01-01T00:00:00.000Z',
    timezone,
    capture: {
      ...(store.captureStart !== undefined ? { start: microsToIso(store.captureStart) } : {}),
      ...(end !== undefined ? { end: microsToIso(end) } : {}),
    },
    inputs: ingested.inputs,
    skipped: ingested.skipped,
    warnings,
    assumptions,
    findings,
    noise,
    notApplicable: engine.notApplicable,
    rulesEvaluated: engine.rulesEvaluated,
    ruledOut: engine.ruledOut,
    engineErrors: engine.engineErrors,
    unparsed: ingested.unparsed,
    timeline: buildTimeline(store, engine, options.focus),
  };
}
