/**
 * Pod tables as kubectl prints them for people: `kubectl get pods [-A] [-o wide] [--no-headers]`
 * and `oc get pods` (kubernetes `pkg/printers/internalversion/printers.go` printPod, Go
 * text/tabwriter columns).
 *
 * Sample (`kubectl get pods -n aibrix-system`, vllm-project/aibrix#668 — shared/samples):
 *   NAME                                         READY   STATUS             RESTARTS        AGE
 *   aibrix-controller-manager-77c5f9c8d8-h5vnm   0/1     CrashLoopBackOff   6 (4m52s ago)   10m
 *   aibrix-gateway-plugins-584845b986-rdq26      1/1     Running            0               62m
 *   aibrix-gpu-optimizer-58dfb64cfb-9tjxv        1/1     Running            0               62m
 *
 * Output: one `PodFact` per row (namespace from the NAMESPACE column of `-A`, else the one
 * the caller knows, else ''; nodeName from NODE of `-o wide`; phase only when STATUS is a
 * phase). The row does not name the containers: `containers` holds one status marked
 * `summary` (name '') with the row's READY, STATUS and RESTARTS — state `waiting` with
 * reason CrashLoopBackOff for that STATUS, `terminated` for Completed/Error/OOMKilled/
 * `ExitCode:N`, `running` for Running. `Init:<reason>` STATUS goes to an `initContainers`
 * summary (the app containers wait in PodInitializing), as printPod derives it.
 *
 * Quirks:
 * - RESTARTS is the sum over the containers (the init containers' while they run), with
 *   `(4m52s ago)` since kubectl 1.22; AGE and that "ago" are relative to an unknown "now",
 *   so no times are taken.
 * - Cells are cut at the header's column offsets (`text-table.ts`): RESTARTS holds spaces.
 * - `--no-headers` rows are read by the shape of their cells (READY `n/m`, RESTARTS a number).
 * - STATUS `Terminating` says the pod is being deleted but not since when: deletionTimestamp
 *   stays unset.
 */
import type { ContainerStatusFact, PodFact } from '../model/facts.js';
import type { Unparsed } from '../model/records.js';
import { findHeader, splitLines, splitRow, type TableHeader } from './text-table.js';
import type { StateParseResult } from './types.js';

export interface PodsTableContext {
  path: string;
  node?: string;
  /** Namespace of rows without a NAMESPACE column (`-n`, the current project); '' when unknown. */
  namespace?: string;
}

const COLUMNS = ['NAMESPACE', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'] as const;
const REQUIRED = ['NAME', 'READY', 'STATUS', 'RESTARTS'] as const;

// 0/1   /   2/2
const READY = /^(\d+)\/(\d+)$/;
// 6 (4m52s ago)   /   8
const RESTARTS = /^(\d+)(?: \([^)]*\))?$/;
// aibrix-controller-manager-77c5f9c8d8-h5vnm   0/1   CrashLoopBackOff   6 (4m52s ago)   10m   (--no-headers; -A adds the namespace first)
const LOOSE_ROW = /^(?:([a-z0-9][a-z0-9-]*)\s+)?([a-z0-9][a-z0-9.-]*)\s+(\d+\/\d+)\s+(\S+)\s+(\d+(?: \([^)]*\))?)\s+(\S+)(?:\s.*)?$/;
// Init:CrashLoopBackOff   /   Init:0/2   /   Init:ExitCode:1
const INIT_STATUS = /^Init:(.+)$/;
// ExitCode:1   /   Signal:9   (terminated without a reason)
const EXIT_STATUS = /^(ExitCode|Signal):(\d+)$/;

const PHASES = new Set(['Running', 'Pending', 'Succeeded', 'Failed', 'Unknown']);
const WAITING = new Set([
  'CrashLoopBackOff', 'ImagePullBackOff', 'ErrImagePull', 'ErrImageNeverPull', 'InvalidImageName', 'ContainerCreating',
  'PodInitializing', 'CreateContainerConfigError', 'CreateContainerError', 'RunContainerError', 'PreStartHookError', 'PostStartHookError',
]);
const TERMINATED = new Set(['Completed', 'Error', 'OOMKilled', 'ContainerCannotRun', 'DeadlineExceeded', 'StartError', 'ContainerStatusUnknown']);

export interface PodRow {
  namespace?: string;
  name: string;
  ready: string;
  status: string;
  restarts: string;
  node?: string;
}

/** The summary status a STATUS cell stands for (see the header); undefined state → 'unknown'. */
function summaryOf(status: string, restartCount: number, ready: boolean): ContainerStatusFact {
  const summary: ContainerStatusFact = { name: '', summary: true, restartCount, ready, state: 'unknown' };
  const exit = EXIT_STATUS.exec(status);
  if (status === 'Running') summary.state = 'running';
  else if (WAITING.has(status)) {
    summary.state = 'waiting';
    summary.stateReason = status;
  } else if (TERMINATED.has(status)) {
    summary.state = 'terminated';
    summary.stateReason = status;
    summary.terminated = { reason: status };
  } else if (exit) {
    summary.state = 'terminated';
    summary.terminated = exit[1] === 'ExitCode' ? { exitCode: Number(exit[2]) } : {};
  }
  return summary;
}

/** A row's cells → PodFact; undefined when the cells are not a pod row. */
export function podFromRow(row: PodRow, source: PodFact['source'], ctx: PodsTableContext): PodFact | undefined {
  const ready = READY.exec(row.ready);
  const restarts = RESTARTS.exec(row.restarts);
  if (!row.name || /\s/.test(row.name) || !ready || !restarts || !row.status || /\s/.test(row.status)) return undefined;
  const allReady = Number(ready[2]) > 0 && ready[1] === ready[2];
  const restartCount = Number(restarts[1]);
  const init = INIT_STATUS.exec(row.status);
  const pod: PodFact = {
    namespace: row.namespace ?? ctx.namespace ?? '',
    name: row.name,
    labels: {},
    annotations: {},
    conditions: [],
    containers: [],
    initContainers: [],
    specImages: [],
    specArgs: {},
    source,
  };
  if (row.node && row.node !== '<none>') pod.nodeName = row.node;
  else if (ctx.node) pod.nodeName = ctx.node;
  if (PHASES.has(row.status)) pod.phase = row.status;
  if (init) {
    // printPod: while an init container has not finished, RESTARTS counts the init containers.
    const inner = init[1] as string;
    pod.initContainers.push(summaryOf(/^\d+\/\d+$/.test(inner) ? 'Running' : inner, restartCount, false));
    pod.containers.push({ name: '', summary: true, restartCount: 0, ready: false, state: 'waiting', stateReason: 'PodInitializing' });
  } else {
    pod.containers.push(summaryOf(row.status, restartCount, allReady));
  }
  return pod;
}

function rowFromCells(cells: Record<string, string>): PodRow {
  const row: PodRow = { name: cells.NAME ?? '', ready: cells.READY ?? '', status: cells.STATUS ?? '', restarts: cells.RESTARTS ?? '' };
  if (cells.NAMESPACE) row.namespace = cells.NAMESPACE;
  if (cells.NODE) row.node = cells.NODE;
  return row;
}

/** Reads pod tables; a line that is neither a header nor a pod row is unparsed. Never throws. */
export function parseKubectlPodsTable(text: string, ctx: PodsTableContext): StateParseResult<PodFact[]> {
  const pods: PodFact[] = [];
  const unparsed: Unparsed[] = [];
  let header: TableHeader | undefined;
  splitLines(text).forEach((line, index) => {
    const lineNo = index + 1;
    if (line.trim() === '') return;
    const found = findHeader(line, COLUMNS, REQUIRED);
    if (found && line.slice(0, found.starts[0]).trim() === '') {
      header = found;
      return;
    }
    let row: PodRow | undefined;
    if (header) row = rowFromCells(splitRow(line, header));
    else {
      const m = LOOSE_ROW.exec(line);
      if (m) {
        row = { name: m[2]!, ready: m[3]!, status: m[4]!, restarts: m[5]! };
        if (m[1]) row.namespace = m[1];
      }
    }
    const pod = row && podFromRow(row, { path: ctx.path, line: lineNo }, ctx);
    if (pod) pods.push(pod);
    else unparsed.push({ path: ctx.path, line: lineNo, reason: header ? 'pod table row without NAME, READY n/m, STATUS and RESTARTS cells' : 'not a pod table row (no NAME READY STATUS RESTARTS header)' });
  });
  return { value: pods, unparsed, warnings: [] };
}
