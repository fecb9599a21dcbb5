/**
 * The JSON Schema of the report (docs/report-contract.md, src/report/types.ts), published as
 * schema/report.schema.json (a test keeps the file equal to this object), and a validator
 * for the keywords it uses. The schema is strict on purpose: unknown keys, a timestamp not in
 * UTC, or a severity outside the enum are shape regressions. Extending the report means
 * extending this schema in the same change.
 */

export type JsonSchema = { [key: string]: unknown };

const ISO_UTC = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?Z$';
const RULE_ID = '^[a-z0-9][a-z0-9-]*$';

const str = { type: 'string' };
const nonEmpty = { type: 'string', minLength: 1 };
const iso = { type: 'string', pattern: ISO_UTC };
const ruleId = { type: 'string', pattern: RULE_ID };
const count = { type: 'integer', minimum: 0 };
const strings = { type: 'array', items: str };
const ref = (name: string) => ({ $ref: `#/$defs/${name}` });
const object = (properties: Record<string, unknown>, required: string[]) => ({
  type: 'object',
  additionalProperties: false,
  required,
  properties,
});

export const REPORT_SCHEMA: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'pleg-analyze report',
  description: 'The JSON report printed by `pleg-analyze analyze --format json` and returned by analyze(). Timestamps are ISO-8601 UTC.',
  ...object(
    {
      schemaVersion: { const: 1 },
      tool: object({ name: { const: 'pleg-analyze' }, version: nonEmpty }, ['name', 'version']),
      generatedAt: iso,
      timezone: nonEmpty,
      capture: object({ start: iso, end: iso }, []),
      inputs: { type: 'array', items: ref('input') },
      skipped: { type: 'array', items: object({ path: str, reason: str }, ['path', 'reason']) },
      warnings: { type: 'array', items: object({ path: str, message: str }, ['path', 'message']) },
      assumptions: strings,
      findings: { type: 'array', items: ref('finding') },
      noise: { type: 'array', items: ref('noise') },
      notApplicable: {
        type: 'array',
        items: object({ id: ruleId, missing: { type: 'array', items: nonEmpty, minItems: 1 }, capture: strings }, ['id', 'missing', 'capture']),
      },
      rulesEvaluated: { type: 'array', items: ruleId, uniqueItems: true },
      ruledOut: {
        type: 'array',
        items: object({ id: ruleId, title: nonEmpty, signals: { type: 'array', items: ref('signal') } }, ['id', 'title', 'signals']),
      },
      engineErrors: { type: 'array', items: object({ rule: ruleId, message: str }, ['rule', 'message']) },
      unparsed: { type: 'array', items: object({ path: str, line: count, reason: str }, ['path', 'line', 'reason']) },
      timeline: { type: 'array', items: ref('timelineEntry') },
    },
    ['schemaVersion', 'tool', 'generatedAt', 'timezone', 'capture', 'inputs', 'skipped', 'warnings', 'assumptions', 'findings',
      'noise', 'notApplicable', 'rulesEvaluated', 'ruledOut', 'engineErrors', 'unparsed', 'timeline'],
  ),
  $defs: {
    severity: { enum: ['critical', 'high', 'medium', 'low', 'info'] },
    signal: object({ name: nonEmpty, state: { enum: ['present', 'absent', 'unknown'] }, detail: str }, ['name', 'state']),
    evidence: object(
      {
        path: str,
        line: { type: 'integer', minimum: 0 },
        cursor: str,
        ts: iso,
        node: str,
        text: str,
        count: { type: 'integer', minimum: 1 },
        role: { enum: ['first', 'last'] },
        summary: { type: 'boolean' },
        pod: nonEmpty,
      },
      ['path', 'text'],
    ),
    input: object(
      { path: str, kind: nonEmpty, node: str, records: count, unparsed: count, skipped: { type: 'boolean' } },
      ['path', 'kind', 'records', 'unparsed', 'skipped'],
    ),
    finding: object(
      {
        id: ruleId,
        title: nonEmpty,
        severity: ref('severity'),
        kind: { enum: ['failure-mode', 'symptom'] },
        confidence: { type: 'number', minimum: 0, maximum: 1 },
        nodes: { type: 'array', items: nonEmpty, uniqueItems: true },
        window: object({ start: iso, end: iso, observed: { const: true } }, ['start', 'end']),
        summary: nonEmpty,
        signals: { type: 'array', items: ref('signal') },
        evidence: { type: 'array', items: ref('evidence') },
        runbook: { type: 'array', items: object({ step: nonEmpty, command: str }, ['step']) },
        causes: { type: 'array', items: ruleId },
        causedBy: { type: 'array', items: ruleId },
        references: strings,
        explainedBy: { type: 'array', items: ruleId, minItems: 1 },
        differential: {
          type: 'array',
          items: object({ id: ruleId, signals: { type: 'array', items: ref('signal') }, capture: strings }, ['id', 'signals', 'capture']),
        },
        facts: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
      },
      ['id', 'title', 'severity', 'kind', 'confidence', 'nodes', 'summary', 'signals', 'evidence', 'runbook', 'causes', 'causedBy', 'references'],
    ),
    noise: object(
      {
        id: ruleId,
        count: { type: 'integer', minimum: 1 },
        first: iso,
        last: iso,
        nodes: strings,
        explanation: nonEmpty,
        evidence: { type: 'array', items: ref('evidence') },
      },
      ['id', 'count', 'nodes', 'explanation', 'evidence'],
    ),
    timelineEntry: object(
      {
        ts: iso,
        node: str,
        source: str,
        kind: { enum: ['restart', 'finding', 'signal', 'event', 'boot', 'state'] },
        text: str,
        count: { type: 'integer', minimum: 0 },
        findings: { type: 'array', items: ruleId },
      },
      ['ts', 'source', 'kind', 'text'],
    ),
  },
};

// ---------------------------------------------------------------------------------------
// A validator for the draft 2020-12 keywords REPORT_SCHEMA uses: $ref (local), type, const,
// enum, properties, required, additionalProperties, items, minItems, uniqueItems, minLength,
// pattern, minimum, maximum. No validator library is installed; should one be (ajv), it can
// take REPORT_SCHEMA unchanged.
// ---------------------------------------------------------------------------------------

const SUPPORTED = new Set([
  '$schema', '$id', '$defs', '$ref', 'title', 'description', 'type', 'const', 'enum', 'properties', 'required',
  'additionalProperties', 'items', 'minItems', 'uniqueItems', 'minLength', 'pattern', 'minimum', 'maximum',
]);

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

const matchesType = (value: unknown, type: string) => {
  const actual = typeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
};

function resolve(root: JsonSchema, pointer: string): JsonSchema {
  if (!pointer.startsWith('#/')) throw new Error(`unsupported $ref ${pointer}`);
  let node: unknown = root;
  for (const part of pointer.slice(2).split('/')) node = (node as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  if (typeof node !== 'object' || node === null) throw new Error(`dangling $ref ${pointer}`);
  return node as JsonSchema;
}

const patternCache = new Map<string, RegExp>();
const compiled = (source: string) => {
  let re = patternCache.get(source);
  if (!re) patternCache.set(source, (re = new RegExp(source, 'u')));
  return re;
};

function validateNode(root: JsonSchema, schema: JsonSchema, value: unknown, path: string, errors: string[]): void {
  if (errors.length >= 100) return;
  for (const key of Object.keys(schema)) if (!SUPPORTED.has(key)) throw new Error(`schema keyword ${key} is not supported by the built-in validator`);
  if (typeof schema.$ref === 'string') validateNode(root, resolve(root, schema.$ref), value, path, errors);
  const at = path || '(root)';
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    if (!types.some((t) => matchesType(value, t))) {
      errors.push(`${at}: expected ${types.join(' or ')}, got ${typeOf(value)}`);
      return;
    }
  }
  if ('const' in schema && value !== schema.const) errors.push(`${at}: expected ${JSON.stringify(schema.const)}, got ${JSON.stringify(value)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value as never)) {
    errors.push(`${at}: ${JSON.stringify(value)} is not one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`);
  }
  if (typeof value === 'string') {
    if (typeof schema.minLength === 'number' && [...value].length < schema.minLength) errors.push(`${at}: shorter than ${schema.minLength} character(s)`);
    if (typeof schema.pattern === 'string' && !compiled(schema.pattern).test(value)) errors.push(`${at}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) errors.push(`${at}: ${value} < minimum ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) errors.push(`${at}: ${value} > maximum ${schema.maximum}`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) errors.push(`${at}: fewer than ${schema.minItems} item(s)`);
    if (schema.uniqueItems === true) {
      const seen = new Set<string>();
      for (const item of value) {
        const key = JSON.stringify(item);
        if (seen.has(key)) errors.push(`${at}: duplicate item ${key}`);
        seen.add(key);
      }
    }
    if (typeof schema.items === 'object' && schema.items !== null) {
      value.forEach((item, i) => validateNode(root, schema.items as JsonSchema, item, `${path}[${i}]`, errors));
    }
  }
  if (typeOf(value) === 'object') {
    const obj = value as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
    for (const key of (schema.required ?? []) as string[]) if (!(key in obj)) errors.push(`${at}: missing required key "${key}"`);
    for (const [key, child] of Object.entries(obj)) {
      const childPath = `${path}${/^[A-Za-z_$][\w$]*$/.test(key) ? `${path ? '.' : ''}${key}` : `[${JSON.stringify(key)}]`}`;
      if (key in properties) validateNode(root, properties[key]!, child, childPath, errors);
      else if (schema.additionalProperties === false) errors.push(`${at}: unknown key "${key}"`);
      else if (typeof schema.additionalProperties === 'object' && schema.additionalProperties !== null) {
        validateNode(root, schema.additionalProperties as JsonSchema, child, childPath, errors);
      }
    }
  }
}

/** Validates a value against a schema (default: the report schema); returns the errors, empty when valid. */
export function validateAgainst(schema: JsonSchema, value: unknown): string[] {
  const errors: string[] = [];
  validateNode(schema, schema, value, '', errors);
  return errors;
}

/** `[]` when `json` (a parsed report) has the report's shape; otherwise one line per problem (at most 100). */
export function validateReport(json: unknown): string[] {
  return validateAgainst(REPORT_SCHEMA, json);
}
