import type { Provenance } from '../model/records.js';
import type { EvidenceItem, SignatureMatch } from './types.js';

/** Evidence line from a signature match, verbatim. */
export function evidenceFromMatch(match: SignatureMatch): EvidenceItem {
  const { record } = match;
  return { source: record.source, ts: record.ts, node: record.node, text: record.message };
}

/**
 * Evidence for many matches of the same signature: up to `keep` individual lines when
 * there are few; otherwise the first and the last with the total count.
 */
export function cappedEvidence(matches: readonly SignatureMatch[], keep = 5, total = matches.length): EvidenceItem[] {
  if (matches.length === 0) return [];
  if (total <= keep && matches.length <= keep) return matches.map(evidenceFromMatch);
  const first = evidenceFromMatch(matches[0]!);
  const last = evidenceFromMatch(matches[matches.length - 1]!);
  return [
    { ...first, count: total, role: 'first' },
    { ...last, count: total, role: 'last' },
  ];
}

/** Evidence from a parsed state object (kubectl JSON, ip route line…): `text` summarises it. */
export function evidenceFromFact(source: Provenance, text: string, node?: string, ts?: number): EvidenceItem {
  return { source, text, node, ts, summary: true };
}
