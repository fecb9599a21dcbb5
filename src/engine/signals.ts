import type { ReportSignal, SignalState } from '../report/types.js';

/** Builds the signal list a rule reports, in the order its metadata declares. */
export class SignalSet {
  private readonly signals: ReportSignal[] = [];

  set(name: string, state: SignalState, detail?: string): this {
    const existing = this.signals.find((s) => s.name === name);
    const signal: ReportSignal = detail === undefined ? { name, state } : { name, state, detail };
    if (existing) Object.assign(existing, signal);
    else this.signals.push(signal);
    return this;
  }

  /** present when `value` is true, absent when false, unknown when undefined. */
  check(name: string, value: boolean | undefined, detail?: string): this {
    return this.set(name, value === undefined ? 'unknown' : value ? 'present' : 'absent', detail);
  }

  state(name: string): SignalState | undefined {
    return this.signals.find((s) => s.name === name)?.state;
  }

  list(): ReportSignal[] {
    return this.signals.map((s) => ({ ...s }));
  }
}
