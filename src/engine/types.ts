import type { Facts } from '../model/facts.js';
import type { GoroutineDump } from '../model/goroutines.js';
import type { LogRecord, Provenance } from '../model/records.js';
import type { ReportSignal, Severity } from '../report/types.js';
import type { InputId } from './inputs.js';

export type RuleKind = 'failure-mode' | 'symptom' | 'noise';

export interface SignalSpec {
  name: string;
  description: string;
  /** Weight in the confidence formula (default 1). See engine/confidence.ts. */
  weight?: number;
  /** The input that shows this signal; when the signal is unknown, its capture command is suggested. */
  input?: InputId;
}

export interface RunbookTemplateStep {
  /** Step text; `{{key}}` is replaced by the finding's value `key` (arrays joined by spaces). */
  step: string;
  command?: string;
}

export interface RuleMeta {
  title: string;
  severity: Severity;
  kind: RuleKind;
  /** One paragraph: what the operator sees (docs "Symptoms"). */
  symptoms: string;
  /** One paragraph: the mechanism (docs "Why it happens"). */
  why: string;
  /**
   * Logical inputs the rule needs. Each entry is required; an array entry means "any of".
   * Missing → the rule is reported not applicable with the capture commands.
   */
  inputs: Array<InputId | InputId[]>;
  signals: SignalSpec[];
  runbook: RunbookTemplateStep[];
  references: string[];
  /** Symptom rules this rule explains when both fire on the same node(s). */
  supersedes?: string[];
  /** Rules this one causes (causal chains from failure-modes.md). */
  causes?: string[];
  /** For symptom rules: the candidate failure modes of the differential. */
  candidates?: string[];
  falsePositives: string[];
  /** For noise rules: why it is benign. */
  explanation?: string;
}

/** One line of evidence, before rendering. */
export interface EvidenceItem {
  source: Provenance;
  ts?: number;
  node?: string;
  text: string;
  /** For a capped run of identical matches: how many there were in all. */
  count?: number;
  role?: 'first' | 'last';
  /** `text` renders a parsed object or row (kubectl JSON, a ps row…), not the raw line. */
  summary?: boolean;
  /** The pod (`namespace/name`) this evidence is about: the report's impact lists them. */
  pod?: string;
}

export interface FindingDraft {
  nodes: string[];
  /**
   * Nodes the finding is about without being observed on them (stale VXLAN routes sit on the
   * peers but lead to the target node). Causal links match on these as well as on `nodes`.
   */
  about?: string[];
  window?: { start: number; end: number };
  /** One paragraph with this incident's values filled in. */
  summary: string;
  signals: ReportSignal[];
  evidence: EvidenceItem[];
  /** Values for the runbook templates: node, pid, subnets, vtep, pods… */
  values: Record<string, string | number | string[]>;
  /** Overrides the computed confidence (rare: document why at the call site). */
  confidence?: number;
  facts?: Record<string, string | number | boolean>;
}

export interface NoiseDraft {
  count: number;
  first?: number;
  last?: number;
  nodes: string[];
  evidence: EvidenceItem[];
}

export interface RuleOutcome {
  findings: FindingDraft[];
  /** Signals evaluated even when nothing fired (used for symptom differentials). */
  checked: ReportSignal[];
  noise?: NoiseDraft;
}

export interface Rule {
  id: string;
  meta: RuleMeta;
  evaluate(ctx: RuleContext): RuleOutcome;
}

/** A record that matched a log signature, with the signature's regex groups. */
export interface SignatureMatch {
  signature: string;
  record: LogRecord;
  groups: Record<string, string>;
}

export interface TimeFilter {
  node?: string;
  /** Restrict to units (canonical names, see model/units.ts). */
  units?: ReadonlySet<string> | string[];
  since?: number;
  until?: number;
}

export interface Silence {
  node: string;
  unit: string;
  /** Last record before the silence. */
  start: number;
  /** First record after it, or the capture end when the unit never logged again. */
  end: number;
  /** True when the silence runs to the end of the capture. */
  open: boolean;
  durationMicros: number;
}

export type RestartKind = 'start' | 'stop' | 'exit' | 'pid-change' | 'scheduled-restart';

export interface RestartEvent {
  node?: string;
  unit: string;
  ts: number;
  kind: RestartKind;
  pid?: number;
  record: LogRecord;
}

export interface BootEvent {
  node?: string;
  bootId?: string;
  ts?: number;
  source: Provenance;
  text: string;
}

/** Everything a rule may read. Pure data: no file system, no clock. */
export interface RuleContext {
  /** Capture span; `now` is the capture end, never the wall clock. */
  readonly captureStart?: number;
  readonly captureEnd?: number;
  readonly nodes: readonly string[];
  readonly facts: Facts;
  readonly dumps: readonly GoroutineDump[];
  hasInput(input: InputId, node?: string): boolean;
  /** Records matching a signature from engine/signatures.ts, in time order. */
  matches(signature: string, filter?: TimeFilter): SignatureMatch[];
  /** Total matches, including those beyond the kept evidence cap. */
  matchCount(signature: string, filter?: TimeFilter): number;
  /** Silences of `units` on `node` at least `minMicros` long while the node kept logging. */
  silences(node: string, units: ReadonlySet<string> | string[], minMicros: number): Silence[];
  /** Last record time of a unit on a node (undefined when it never logged). */
  lastActivity(node: string, units: ReadonlySet<string> | string[]): number | undefined;
  firstActivity(node: string, units: ReadonlySet<string> | string[]): number | undefined;
  /** Last record time of anything on the node. */
  nodeLastActivity(node: string): number | undefined;
  /** The last record of any of `units` on `node` at or before `until` — the line before a silence. */
  lastRecord(node: string, units: ReadonlySet<string> | string[], until: number): LogRecord | undefined;
  restarts(filter?: TimeFilter): RestartEvent[];
  boots(node?: string): BootEvent[];
}
