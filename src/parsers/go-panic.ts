/**
 * Go panic / fatal-error blocks and Kubernetes `HandleCrash` "Observed a panic" klog lines
 * (the shape of the Calico kube-controllers tombstone crash).
 *
 * Sample (projectcalico/kube-controllers#145; projectcalico/calico#12741 — shared/samples):
 *   panic: interface conversion: interface {} is cache.DeletedFinalStateUnknown, not *v1beta1.NetworkPolicy [recovered]
 *           panic: interface conversion: interface {} is cache.DeletedFinalStateUnknown, not *v1beta1.NetworkPolicy [recovered]
 *           panic: interface conversion: interface {} is cache.DeletedFinalStateUnknown, not *v1beta1.NetworkPolicy
 *
 *   goroutine 37 [running]:
 *   E0324 09:19:17.980069      11 iface.go:275] "Observed a panic" panic="interface conversion: interface {} is cache.DeletedFinalStateUnknown, not *v1.Pod" …
 *
 * Output: `detectGoPanic(line)` → `GoPanicStart` { kind: panic | fatal | observed, message,
 * recovered, repanicked, tombstoneType? }; `parseGoPanic(lines)` → `GoPanic` adding nested
 * panic messages, the `[signal …]` line and the first goroutine of the traceback.
 *
 * Quirks: nested panics are TAB-indented `panic:` lines; Go 1.25 prints
 * `[recovered, repanicked]` (the draft release note said `reraised`: accepted too); the
 * klog line may be structured (`"Observed a panic" panic="…"`) or not
 * (`Observed a panic: "…" (runtime error: …)`), and is sometimes wrapped in a log
 * shipper's JSON `msg`/`log` field; lines may carry a journal prefix.
 */
import type { Goroutine } from '../model/goroutines.js';
import { DumpBuilder, stripDumpLinePrefix } from './goroutine-dump.js';
import { parseKlog } from './klog.js';

export interface GoPanicStart {
  kind: 'panic' | 'fatal' | 'observed';
  message: string;
  recovered: boolean;
  repanicked: boolean;
  /** `*v1.Pod` in `interface {} is cache.DeletedFinalStateUnknown, not *v1.Pod` (informer tombstone cast). */
  tombstoneType?: string;
}

export interface GoPanic extends GoPanicStart {
  nested: string[];
  signal?: string;
  goroutine?: Goroutine;
}

// panic: boom [recovered]   panic: x [recovered, repanicked]
const PANIC = /^panic: (.*?)(?: \[(recovered)(?:, (?:repanicked|reraised))?\])?$/;
const REPANICKED = / \[recovered, (?:repanicked|reraised)\]$/;
// fatal error: all goroutines are asleep - deadlock!
const FATAL = /^fatal error: (.*)$/;
// Observed a panic: "invalid memory address or nil pointer dereference" (runtime error: …)
const OBSERVED_TEXT = /^Observed a panic: (.*)$/;
// interface conversion: interface {} is cache.DeletedFinalStateUnknown, not *v1.Pod
const TOMBSTONE = /interface conversion: interface \{\} is cache\.DeletedFinalStateUnknown, not (\*?[\w.]+)/;
// [signal SIGSEGV: segmentation violation code=0x1 addr=0x10 pc=0x319cff5]
const SIGNAL = /^\[signal (.+)\]$/;

/** Does this line start a panic / fatal error / observed panic? Never throws. */
export function detectGoPanic(line: string): GoPanicStart | undefined {
  try {
    let text = stripDumpLinePrefix(line);
    if (text.startsWith('{')) text = unwrapJsonMessage(text) ?? text;
    const p = PANIC.exec(text);
    if (p) return withTombstone({ kind: 'panic', message: p[1] ?? '', recovered: p[2] !== undefined, repanicked: REPANICKED.test(text) });
    const f = FATAL.exec(text);
    if (f) return { kind: 'fatal', message: f[1] ?? '', recovered: false, repanicked: false };
    if (!text.includes('Observed a panic')) return undefined;
    const k = parseKlog(text);
    const message = k ? k.message : text;
    if (k?.structured && message === 'Observed a panic') {
      const v = k.fields.panic;
      return withTombstone({ kind: 'observed', message: typeof v === 'string' ? v : JSON.stringify(v ?? ''), recovered: true, repanicked: false });
    }
    const o = OBSERVED_TEXT.exec(message);
    if (o) return withTombstone({ kind: 'observed', message: o[1] ?? '', recovered: true, repanicked: false });
    return undefined;
  } catch {
    return undefined;
  }
}

/** Parse a panic block: the first panic/fatal line, nested panics, signal, first goroutine. */
export function parseGoPanic(lines: readonly string[]): GoPanic | undefined {
  let start = -1;
  let head: GoPanicStart | undefined;
  for (let i = 0; i < lines.length && !head; i++) {
    head = detectGoPanic(lines[i] ?? '');
    if (head) start = i;
  }
  if (!head) return undefined;
  const result: GoPanic = { ...head, nested: [] };
  const builder = new DumpBuilder('panic');
  for (let i = start + 1; i < lines.length; i++) {
    const text = stripDumpLinePrefix(lines[i] ?? '');
    const nested = PANIC.exec(text);
    if (nested && builder.activeGoroutines === 0 && !builder.active) {
      result.nested.push(nested[1] ?? '');
      continue;
    }
    const sig = SIGNAL.exec(text);
    if (sig && result.signal === undefined) {
      result.signal = sig[1] ?? '';
      continue;
    }
    builder.push(text, i + 1);
    if (builder.dumps.length > 0 || (builder.activeGoroutines > 1)) break;
  }
  const g = builder.finish()[0]?.goroutines[0];
  if (g) result.goroutine = g;
  return result;
}

function withTombstone(start: GoPanicStart): GoPanicStart {
  const t = TOMBSTONE.exec(start.message);
  if (t) start.tombstoneType = t[1];
  return start;
}

/** A log shipper's `{"msg":"E0324 …"}` / docker `{"log":"…"}` wrapper → inner text. */
function unwrapJsonMessage(text: string): string | undefined {
  try {
    const obj = JSON.parse(text) as unknown;
    if (typeof obj !== 'object' || obj === null) return undefined;
    const o = obj as Record<string, unknown>;
    const inner = typeof o.log === 'string' ? o.log : typeof o.msg === 'string' ? o.msg : undefined;
    return inner?.replace(/\n$/, '');
  } catch {
    return undefined;
  }
}
