import type { ReportSignal } from '../report/types.js';
import type { SignalSpec } from './types.js';

/**
 * Confidence of a finding, from the discriminating signals its rule checked:
 *
 *   confidence = Σw(present) / (Σw(present) + Σw(absent) + ½·Σw(unknown))
 *
 * w is the signal's weight from the rule's metadata (default 1). A signal that could not
 * be checked (no input that shows it) costs half of one that was checked and absent, so
 * a capture with more inputs gives firmer answers. Rounded to two decimals.
 */
export function computeConfidence(signals: readonly ReportSignal[], specs: readonly SignalSpec[]): number {
  const weightOf = (name: string) => specs.find((s) => s.name === name)?.weight ?? 1;
  let present = 0;
  let absent = 0;
  let unknown = 0;
  for (const s of signals) {
    const w = weightOf(s.name);
    if (s.state === 'present') present += w;
    else if (s.state === 'absent') absent += w;
    else unknown += w;
  }
  const denominator = present + absent + unknown / 2;
  if (denominator === 0) return 0;
  return Math.round((present / denominator) * 100) / 100;
}
