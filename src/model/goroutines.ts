import type { Provenance } from './records.js';

/** One frame of a Go traceback: `pkg.(*Recv).Func(args)` + `\tfile:line +0xoff`. */
export interface GoFrame {
  /** Full function name as printed, e.g. `k8s.io/kubernetes/pkg/kubelet/pleg.(*GenericPLEG).relist`. */
  func: string;
  /** Import path part, e.g. `k8s.io/kubernetes/pkg/kubelet/pleg`. */
  pkg: string;
  /** Receiver without parentheses, e.g. `*GenericPLEG`. */
  receiver?: string;
  /** Function / method name, e.g. `relist`. */
  name: string;
  args?: string;
  file: string;
  line: number;
}

export interface Goroutine {
  id: number;
  /** Wait reason or status, e.g. `select`, `chan receive`, `IO wait`, `running`. */
  state: string;
  waitMinutes?: number;
  locked: boolean;
  frames: GoFrame[];
  /** Frames were elided by the runtime (`...N frames elided...`). */
  elided: boolean;
  createdBy?: { func: string; file?: string; line?: number; parentId?: number };
  /** Where the header line was found. */
  source: Provenance;
}

export interface GoroutineDump {
  path: string;
  node?: string;
  /** Which process dumped: `kubelite`, `containerd`, … (from the journal identifier or file name). */
  process?: string;
  /** When the dump was written (journal time of its first line), µs. */
  ts?: number;
  /** `SIGQUIT: quit`, `panic: …`, `fatal error: …` preamble, when present. */
  preamble?: string;
  goroutines: Goroutine[];
}
