/**
 * pleg-analyze as a library: `analyze()` returns the typed report (the JSON output is
 * that object). Parsers, the engine and the rule catalog are exported for other tools.
 */
export { analyze, type AnalyzeOptions } from './analyze.js';
export type * from './report/types.js';
export { SEVERITIES, severityRank } from './report/types.js';
export { RULES, ruleById } from './rules/index.js';
export { rulesCatalog, ruleDocMarkdown } from './report/rules-catalog.js';
export { runQuery, type QueryOptions, type QueryResult, type QueryValue } from './query/query.js';
export { renderJson } from './report/json.js';
export { renderText } from './report/text.js';
export { UsageError, InputError } from './errors.js';
export * as engine from './engine/index.js';
export type * from './model/records.js';
export type * from './model/facts.js';
export type * from './model/goroutines.js';
export { VERSION } from './version.js';
