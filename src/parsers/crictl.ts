/**
 * cri-tools `crictl pods` and `crictl ps [-a]` tables (tabwriter, min width 20, padding 3).
 *
 * Sample (`crictl ps -a`, crictl ≈1.24, format reference §5.4):
 *   CONTAINER           IMAGE               CREATED             STATE               NAME                        ATTEMPT             POD ID              POD
 *   e422f11ca3b74       e6a0117ec169e       54 minutes ago      Running             centos                      0                   68a89759992ad       centos-67dd9d8678-bxxdv
 *
 * Output: `SandboxFact` per pod row (id, created, state, name, namespace, attempt, runtime)
 * and `CrictlContainerFact` per container row (id, image, created, state, name, attempt,
 * podId, pod, namespace — the last two only from crictl versions that print them).
 *
 * Quirks (§5.4, §5.6): three `ps` header variants (≤1.23 no POD, 1.24–1.31 POD, ≥1.32 POD
 * NAMESPACE), detected from the header; IDs are truncated to 13 characters unless
 * `--no-trunc`; CREATED is relative (`About a minute ago`) with spaces.
 */
import type { CrictlContainerFact, SandboxFact } from '../model/facts.js';
import type { StateParseResult } from './types.js';
import type { StateParseContext } from './text-table.js';
import { tableRows } from './ctr.js';

function attempt(cell: string | undefined): number | undefined {
  return cell !== undefined && /^\d+$/.test(cell) ? Number(cell) : undefined;
}

/** `crictl pods` → sandboxes. Never throws. */
export function parseCrictlPods(text: string, ctx: StateParseContext): StateParseResult<SandboxFact[]> {
  const { rows, unparsed } = tableRows(text, ctx,
    ['POD ID', 'CREATED', 'STATE', 'NAME', 'NAMESPACE', 'ATTEMPT', 'RUNTIME'], ['POD ID', 'STATE', 'NAME']);
  const value: SandboxFact[] = [];
  for (const { cells, line } of rows) {
    const id = cells['POD ID'] ?? '';
    if (id === '' || /\s/.test(id)) {
      unparsed.push({ path: ctx.path, line, reason: 'pod row without an id' });
      continue;
    }
    const fact: SandboxFact = { id, source: { path: ctx.path, line } };
    if (ctx.node !== undefined) fact.node = ctx.node;
    if (cells.CREATED) fact.created = cells.CREATED;
    if (cells.STATE) fact.state = cells.STATE;
    if (cells.NAME) fact.name = cells.NAME;
    if (cells.NAMESPACE) fact.namespace = cells.NAMESPACE;
    const a = attempt(cells.ATTEMPT);
    if (a !== undefined) fact.attempt = a;
    if (cells.RUNTIME) fact.runtime = cells.RUNTIME;
    value.push(fact);
  }
  return { value, unparsed, warnings: [] };
}

/** `crictl ps [-a]` → containers. Never throws. */
export function parseCrictlPs(text: string, ctx: StateParseContext): StateParseResult<CrictlContainerFact[]> {
  const { rows, unparsed } = tableRows(text, ctx,
    ['CONTAINER', 'IMAGE', 'CREATED', 'STATE', 'NAME', 'ATTEMPT', 'POD ID', 'POD', 'NAMESPACE'], ['CONTAINER', 'STATE', 'NAME']);
  const value: CrictlContainerFact[] = [];
  for (const { cells, line } of rows) {
    const id = cells.CONTAINER ?? '';
    if (id === '' || /\s/.test(id) || !cells.STATE) {
      unparsed.push({ path: ctx.path, line, reason: 'container row without an id or state' });
      continue;
    }
    const fact: CrictlContainerFact = { id, state: cells.STATE, name: cells.NAME ?? '', source: { path: ctx.path, line } };
    if (ctx.node !== undefined) fact.node = ctx.node;
    if (cells.IMAGE) fact.image = cells.IMAGE;
    if (cells.CREATED) fact.created = cells.CREATED;
    const a = attempt(cells.ATTEMPT);
    if (a !== undefined) fact.attempt = a;
    if (cells['POD ID']) fact.podId = cells['POD ID'];
    if (cells.POD) fact.pod = cells.POD;
    if (cells.NAMESPACE) fact.namespace = cells.NAMESPACE;
    value.push(fact);
  }
  return { value, unparsed, warnings: [] };
}
