import type { EngineResult } from '../engine/evaluate.js';
import type { EventStore } from '../engine/store.js';
import { SIGNATURES } from '../engine/signatures.js';
import { microsToIso } from '../model/time.js';
import type { ReportFocus } from './focus.js';
import { oneLine } from './sanitize.js';
import { stateTimeline } from './timeline-state.js';
import type { ReportTimelineEntry } from './types.js';

const MAX_TEXT = 240;

function short(text: string): string {
  const line = oneLine(text);
  return line.length > MAX_TEXT ? `${line.slice(0, MAX_TEXT - 1)}…` : line;
}


/**
 * One merged, time-ordered list across nodes and sources: capture start/end, boots, unit
 * restarts, first/last occurrence of each log signature (with counts), finding windows,
 * Kubernetes events and pod/node state changes.
 */
export function buildTimeline(store: EventStore, engine: EngineResult, filter: ReportFocus = {}): ReportTimelineEntry[] {
  const entries: Array<ReportTimelineEntry & { micros: number }> = [];
  const push = (micros: number | undefined, entry: ReportTimelineEntry) => {
    if (micros === undefined || !Number.isFinite(micros)) return;
    entries.push({ ...entry, micros });
  };

  push(store.captureStart, { ts: '', source: 'capture', kind: 'state', text: 'capture starts (earliest timestamp seen)' });
  push(store.captureEnd, { ts: '', source: 'capture', kind: 'state', text: 'capture ends (latest timestamp seen)' });

  for (const boot of store.bootEvents) {
    push(boot.ts, { ts: '', node: boot.node, source: boot.source.path, kind: 'boot', text: short(boot.bootId ? `boot ${boot.bootId}: ${boot.text}` : boot.text) });
  }
  for (const restart of store.restarts) {
    push(restart.ts, {
      ts: '', node: restart.node, source: restart.unit, kind: 'restart',
      text: short(restart.kind === 'pid-change' ? `new process (pid ${restart.pid})` : restart.record.message),
    });
  }
  const noiseIds = new Set(engine.noise.map((n) => n.id));
  for (const sig of SIGNATURES) {
    if (sig.id === 'unit-lifecycle' || sig.id === 'kernel-boot') continue;
    const matches = store.matches(sig.id);
    if (matches.length === 0) continue;
    const byNode = new Map<string, typeof matches>();
    for (const m of matches) byNode.set(m.record.node ?? '', [...(byNode.get(m.record.node ?? '') ?? []), m]);
    for (const [node, list] of byNode) {
      const timed = list.filter((m) => m.record.ts !== undefined);
      if (timed.length === 0) continue;
      const total = store.matchTotal(sig.id, node || undefined) || list.length;
      const first = timed[0]!;
      const last = timed[timed.length - 1]!;
      const label = noiseIds.has(sig.id) ? ' (noise)' : '';
      push(first.record.ts, {
        ts: '', node: node || undefined, source: first.record.unit ?? first.record.source.path, kind: 'signal',
        text: short(total > 1 ? `first of ${total}×${label}: ${first.record.message}` : `${first.record.message}`), count: total,
      });
      if (total > 1 && last !== first) {
        push(last.record.ts, {
          ts: '', node: node || undefined, source: last.record.unit ?? last.record.source.path, kind: 'signal',
          text: short(`last of ${total}×${label}: ${last.record.message}`), count: total,
        });
      }
    }
  }
  for (const f of engine.findings) {
    if (!f.window) continue;
    push(Date.parse(f.window.start) * 1000, {
      ts: '', node: f.nodes.join(',') || undefined, source: 'pleg-analyze', kind: 'finding',
      text: short(f.window.observed ? `${f.id} seen in the captured state: ${f.title}` : `${f.id} begins: ${f.title}`), findings: [f.id],
    });
    const end = Date.parse(f.window.end) * 1000;
    if (f.window.end !== f.window.start) {
      push(end, {
        ts: '', node: f.nodes.join(',') || undefined, source: 'pleg-analyze', kind: 'finding',
        text: short(end >= (store.captureEnd ?? Infinity) ? `${f.id} still ongoing when the capture ends` : `${f.id} last seen`), findings: [f.id],
      });
    }
  }
  // Only changes during the capture: a snapshot also dates pods created weeks before the incident.
  const captured = (micros: number) => store.captureStart === undefined || micros >= store.captureStart;
  for (const s of stateTimeline(store.facts).filter((e) => captured(e.micros))) {
    push(s.micros, { ts: '', node: s.node, source: 'kubernetes-state', kind: 'state', text: short(s.text), ...(s.count ? { count: s.count } : {}) });
  }
  for (const e of store.facts.events) {
    const at = e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp;
    push(at, {
      ts: '', node: e.sourceHost, source: 'kubernetes-event', kind: 'event',
      text: short(`${e.reason} ${e.involved.namespace ? `${e.involved.namespace}/` : ''}${e.involved.name ?? ''}${e.count > 1 ? ` (×${e.count})` : ''}: ${e.message}`),
      ...(e.count > 1 ? { count: e.count } : {}),
    });
  }

  return entries
    .filter((e) => (filter.since === undefined || e.micros >= filter.since) && (filter.until === undefined || e.micros <= filter.until))
    .filter((e) => filter.node === undefined || e.node === undefined || e.node.split(',').includes(filter.node))
    .sort((a, b) => a.micros - b.micros || a.kind.localeCompare(b.kind) || (a.node ?? '').localeCompare(b.node ?? '') || a.text.localeCompare(b.text))
    .map(({ micros, ...entry }) => ({ ...entry, ts: microsToIso(micros) }));
}
