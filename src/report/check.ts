import { UsageError } from '../errors.js';
import type { Report, ReportFinding } from './types.js';

/**
 * `pleg-analyze check --expect golden.json`: compare a report's findings with a golden file
 * (docs/report-contract.md "Golden files for check").
 *
 * Matching rules:
 * - An `expect` entry matches only a finding that is NOT an explained symptom, unless the
 *   entry says `"explained": true`, then it matches only an explained one. A symptom
 *   superseded by its root cause is context, not a diagnosis: a golden that expects
 *   `kubelet-silent` should fail when the tool only shows it as explained by
 *   `pleg-cni-deadlock`, and the diff says so.
 * - `nodes`: every listed node must carry a matching finding (one finding may cover several).
 * - `minConfidence`: the best matching finding on each listed node (or overall) must reach it.
 * - `evidence`: path prefixes; each must prefix the path of some evidence line of the matched findings.
 * - `absent`: no finding with that id (explained or not) and no noise item with that id.
 * - Extensions (the fixtures' expected.json format): `explained: [{ id, by, nodes? }]` (an
 *   explained symptom, explained by `by`), `noise: [id]` (noise items that must be reported),
 *   and `exact: true` (any standing finding not named in `expect` is unexpected).
 * Other top-level keys (a fixture's `case`, `inputs`, `description`) are ignored, so a
 * fixture's expected.json serves as a golden file.
 */

export interface GoldenExpectation {
  id: string;
  nodes?: string[];
  minConfidence?: number;
  explained?: boolean;
  /** For an explained symptom: the ids that must explain it. */
  by?: string[];
  /** Path prefixes the finding's evidence must cite. */
  evidence?: string[];
}

export interface Golden {
  expect: GoldenExpectation[];
  absent: string[];
  noise?: string[];
  exact?: boolean;
}

export interface CheckResult {
  ok: boolean;
  diff: string[];
}

const RULE_ID = /^[a-z0-9][a-z0-9-]*$/;
const EXPECT_KEYS = ['id', 'nodes', 'minConfidence', 'explained', 'by', 'evidence'];

function fail(source: string, where: string, message: string): never {
  throw new UsageError(`${source}: ${where}: ${message}`, 'golden format: { "expect": [ "id" | { "id", "nodes"?, "minConfidence"?, "explained"? } ], "absent": [ "id" ] }');
}

function ruleId(value: unknown, source: string, where: string): string {
  if (typeof value !== 'string' || !RULE_ID.test(value)) fail(source, where, `expected a rule id (lower-case words joined by -), got ${JSON.stringify(value)}`);
  return value;
}

function stringList(value: unknown, source: string, where: string): string[] {
  if (!Array.isArray(value)) fail(source, where, `expected an array, got ${value === null ? 'null' : typeof value}`);
  return value.map((v, i) => ruleId(v, source, `${where}[${i}]`));
}

function expectation(entry: unknown, source: string, where: string, explainedList: boolean): GoldenExpectation {
  if (typeof entry === 'string' && !explainedList) return { id: ruleId(entry, source, where) };
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    fail(source, where, explainedList ? 'expected { "id", "by", "nodes"? }' : 'expected a rule id or { "id", "nodes"?, "minConfidence"?, "explained"? }');
  }
  const e = entry as Record<string, unknown>;
  for (const key of Object.keys(e)) {
    if (!EXPECT_KEYS.includes(key)) fail(source, `${where}.${key}`, `unknown key (allowed: ${EXPECT_KEYS.join(', ')})`);
  }
  const out: GoldenExpectation = { id: ruleId(e.id, source, `${where}.id`) };
  if (e.nodes !== undefined) {
    if (!Array.isArray(e.nodes) || e.nodes.some((n) => typeof n !== 'string' || n === '')) fail(source, `${where}.nodes`, 'expected an array of node names');
    out.nodes = e.nodes as string[];
  }
  if (e.minConfidence !== undefined) {
    if (typeof e.minConfidence !== 'number' || !(e.minConfidence >= 0 && e.minConfidence <= 1)) fail(source, `${where}.minConfidence`, 'expected a number from 0 to 1');
    out.minConfidence = e.minConfidence;
  }
  if (e.explained !== undefined) {
    if (typeof e.explained !== 'boolean') fail(source, `${where}.explained`, 'expected true or false');
    out.explained = e.explained;
  }
  if (explainedList) out.explained = true;
  if (e.by !== undefined) {
    out.by = typeof e.by === 'string' ? [ruleId(e.by, source, `${where}.by`)] : stringList(e.by, source, `${where}.by`);
    if (!out.explained) fail(source, `${where}.by`, '"by" needs "explained": true');
  }
  if (e.evidence !== undefined) {
    if (!Array.isArray(e.evidence) || e.evidence.some((p) => typeof p !== 'string' || p === '')) fail(source, `${where}.evidence`, 'expected an array of path prefixes');
    out.evidence = e.evidence as string[];
  }
  return out;
}

/** Checks a parsed golden file's shape; throws UsageError naming the bad key. */
export function parseGolden(json: unknown, source = 'golden file'): Golden {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail(source, 'top level', 'expected an object with "expect" and/or "absent"');
  const obj = json as Record<string, unknown>;
  if (obj.expect === undefined && obj.absent === undefined && obj.explained === undefined) fail(source, 'top level', 'neither "expect" nor "absent" is present');
  const expect: GoldenExpectation[] = [];
  if (obj.expect !== undefined) {
    if (!Array.isArray(obj.expect)) fail(source, 'expect', 'expected an array');
    obj.expect.forEach((entry, i) => expect.push(expectation(entry, source, `expect[${i}]`, false)));
  }
  if (obj.explained !== undefined) {
    if (!Array.isArray(obj.explained)) fail(source, 'explained', 'expected an array');
    obj.explained.forEach((entry, i) => expect.push(expectation(entry, source, `explained[${i}]`, true)));
  }
  const golden: Golden = { expect, absent: obj.absent === undefined ? [] : stringList(obj.absent, source, 'absent') };
  if (obj.noise !== undefined) golden.noise = stringList(obj.noise, source, 'noise');
  if (obj.exact !== undefined) {
    if (typeof obj.exact !== 'boolean') fail(source, 'exact', 'expected true or false');
    golden.exact = obj.exact;
  }
  const contradicting = golden.expect.filter((e) => golden.absent.includes(e.id)).map((e) => e.id);
  if (contradicting.length) fail(source, 'absent', `${[...new Set(contradicting)].join(', ')} is both expected and absent`);
  return golden;
}

/** Parses golden file text (JSON); throws UsageError with the file name on bad JSON or shape. */
export function loadGolden(text: string, source = 'golden file'): Golden {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${source}: not valid JSON (${error instanceof Error ? error.message : String(error)})`, 'the golden file is a JSON object, see docs/report-contract.md');
  }
  return parseGolden(json, source);
}

const label = (f: ReportFinding) => `${f.id} (${f.nodes.join(', ') || 'cluster'})`;

function checkExpectation(report: Report, e: GoldenExpectation, diff: string[]): Set<ReportFinding> {
  const wantExplained = e.explained === true;
  const all = report.findings.filter((f) => f.id === e.id);
  const matching = all.filter((f) => Boolean(f.explainedBy) === wantExplained && (e.by ?? []).every((id) => f.explainedBy?.includes(id)));
  const others = all.filter((f) => !matching.includes(f));
  const hint = (node?: string) => {
    const other = others.find((f) => node === undefined || f.nodes.includes(node) || f.nodes.length === 0);
    if (!other) return '';
    if (wantExplained && other.explainedBy) return ` (found, explained by ${other.explainedBy.join(', ')} instead of ${e.by?.join(', ')})`;
    return wantExplained
      ? ' (found, but standing: not explained by any finding)'
      : ` (found only as an explained symptom, explained by ${other.explainedBy!.join(', ')}; add "explained": true to expect that)`;
  };
  const used = new Set<ReportFinding>();
  const confidence = (candidates: ReportFinding[], what: string) => {
    const best = candidates.reduce((a, b) => (b.confidence > a.confidence ? b : a));
    used.add(best);
    if (e.minConfidence !== undefined && best.confidence < e.minConfidence) {
      diff.push(`confidence ${best.confidence.toFixed(2)} < ${e.minConfidence} for ${what}`);
    }
  };
  if (e.nodes?.length) {
    for (const node of e.nodes) {
      const onNode = matching.filter((f) => f.nodes.includes(node));
      if (onNode.length === 0) {
        const elsewhere = matching.length ? ` (found on ${[...new Set(matching.map((f) => f.nodes.join(', ') || 'cluster'))].join('; ')})` : hint(node);
        diff.push(`missing: ${e.id}${wantExplained ? ' (explained)' : ''} on ${node}${elsewhere}`);
      } else {
        confidence(onNode, `${e.id} on ${node}`);
      }
    }
  } else if (matching.length === 0) {
    diff.push(`missing: ${e.id}${wantExplained ? ' (explained)' : ''}${hint()}`);
  } else {
    confidence(matching, e.id);
  }
  for (const f of matching) used.add(f);
  for (const prefix of e.evidence ?? []) {
    const scope = e.nodes?.length ? matching.filter((f) => e.nodes!.some((n) => f.nodes.includes(n))) : matching;
    if (scope.length && !scope.some((f) => f.evidence.some((ev) => ev.path.startsWith(prefix) || ev.path.includes(`/${prefix}`)))) {
      diff.push(`missing evidence: ${e.id}${e.nodes?.length ? ` on ${e.nodes.join(', ')}` : ''} cites nothing under ${prefix}`);
    }
  }
  return used;
}

/** Compares the report with the golden expectations; `diff` lists every difference, human-readable. */
export function checkGolden(report: Report, golden: Golden): CheckResult {
  const diff: string[] = [];
  const expected = new Set<ReportFinding>();
  for (const e of golden.expect) for (const f of checkExpectation(report, e, diff)) expected.add(f);

  for (const id of golden.absent) {
    for (const f of report.findings.filter((x) => x.id === id)) {
      diff.push(`unexpected: ${label(f)}${f.explainedBy ? ` (explained by ${f.explainedBy.join(', ')})` : ''}, listed as absent`);
    }
    for (const n of report.noise.filter((x) => x.id === id)) diff.push(`unexpected: ${n.id} noise ×${n.count}, listed as absent`);
  }
  for (const id of golden.noise ?? []) {
    if (!report.noise.some((n) => n.id === id)) diff.push(`missing noise: ${id}`);
  }
  if (golden.exact) {
    const named = new Set(golden.expect.map((e) => e.id));
    for (const f of report.findings) {
      if (f.explainedBy || expected.has(f) || golden.absent.includes(f.id)) continue;
      diff.push(named.has(f.id) ? `unexpected: ${label(f)} (not on the expected nodes)` : `unexpected: ${label(f)}`);
    }
  }
  return { ok: diff.length === 0, diff };
}

/** The text `check` prints: one line per difference, or a one-line confirmation. */
export function renderCheck(result: CheckResult, golden: Golden): string {
  if (result.ok) {
    return `check: ok — ${golden.expect.length} expected finding(s) present, ${golden.absent.length} absent id(s) not found\n`;
  }
  return `${result.diff.join('\n')}\ncheck: ${result.diff.length} difference(s)\n`;
}
