import { severityRank, type ReportFinding } from '../report/types.js';

/**
 * The order of findings everywhere (report, PIR, tables): standing before explained, most
 * severe first, failure modes before symptoms, more confident first, then id and nodes so
 * the order is stable.
 */
export function compareFindings(a: ReportFinding, b: ReportFinding): number {
  return Number(a.explainedBy !== undefined) - Number(b.explainedBy !== undefined)
    || severityRank(b.severity) - severityRank(a.severity)
    || Number(a.kind === 'symptom') - Number(b.kind === 'symptom')
    || b.confidence - a.confidence
    || a.id.localeCompare(b.id)
    || a.nodes.join(',').localeCompare(b.nodes.join(','));
}
