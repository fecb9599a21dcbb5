/**
 * `ip neigh show` text output (iproute2 `ip/ipneigh.c` `print_neigh()`).
 *
 * Sample (calico#5460, `ip neighbor show` on a Calico VXLAN worker):
 *   192.168.233.64 dev vxlan.calico lladdr 66:67:bd:3f:3c:e5 PERMANENT
 *   10.10.10.51 dev ens192 lladdr 00:50:56:8b:07:76 STALE
 *   224.0.0.22 dev vxlan.calico  FAILED
 *   192.168.50.3 dev eth1 lladdr 00:50:56:8b:10:24 router STALE
 *
 * Output: `NeighFact` per entry: dst, dev, lladdr, router, states (several may appear).
 *
 * Quirks (format reference §3.4): `dev` is omitted when the capture filtered with
 * `show dev X` — taken from `ctx.dev`, else from an echoed `ip neigh show dev X` command line
 * in the capture, else left undefined; default `show` hides NOARP (`nud all` shows it);
 * `-s` adds `used A/B/C probes N`; each element is followed by a space.
 */
import type { NeighFact } from '../model/facts.js';
import type { Unparsed } from '../model/records.js';
import type { StateParseResult } from './types.js';
import { splitLines, type StateParseContext } from './text-table.js';

export const NUD_STATES = new Set(['INCOMPLETE', 'REACHABLE', 'STALE', 'DELAY', 'PROBE', 'FAILED', 'NOARP', 'PERMANENT', 'NONE']);
const NEIGH_FLAGS = new Set(['router', 'proxy', 'managed', 'extern_learn', 'offload', 'extern_valid']);
const WITH_VALUE = new Set(['used', 'probes', 'proto', 'nud', 'vni', 'port', 'src_vni', 'via', 'nhid', 'master', 'self', 'protocol']);

// 10.1.254.64 | fe80::1 | 224.0.0.22
const ADDRESS = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F]*:[0-9a-fA-F:.]*)$/;
// "$ ip neigh show dev vxlan.calico" (an echoed command in a pasted capture)
const ECHO_SHOW_DEV = /\bip\s+(?:-\S+\s+)*n(?:eigh(?:bou?r)?)?\s+(?:show|list|ls)\b.*\bdev\s+(\S+)/;

export interface NeighParseContext extends StateParseContext {
  /** Interface the capture was filtered on (`ip neigh show dev X`). */
  dev?: string;
}

/** `ip neigh [show …]` text → neighbour entries. Never throws. */
export function parseIpNeigh(text: string, ctx: NeighParseContext): StateParseResult<NeighFact[]> {
  const value: NeighFact[] = [];
  const unparsed: Unparsed[] = [];
  const warnings: string[] = [];
  let filteredDev = ctx.dev;
  const lines = splitLines(text);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n] ?? '';
    const lineNo = n + 1;
    if (line.trim() === '') continue;
    const tokens = line.trim().split(/\s+/);
    let i = 0;
    if (tokens[0] === 'Deleted' || tokens[0] === 'Miss') i++;
    const dst = tokens[i] ?? '';
    if (!ADDRESS.test(dst)) {
      const echo = ECHO_SHOW_DEV.exec(line);
      if (echo?.[1] !== undefined && ctx.dev === undefined) filteredDev = echo[1];
      unparsed.push({ path: ctx.path, line: lineNo, reason: echo ? 'echoed command line' : 'not an `ip neigh` line (no address)' });
      continue;
    }
    const fact: NeighFact = { dst, router: false, states: [], raw: line, source: { path: ctx.path, line: lineNo } };
    if (ctx.node !== undefined) fact.node = ctx.node;
    const ignored: string[] = [];
    let sawDev = false;
    for (i++; i < tokens.length; i++) {
      const t = tokens[i] ?? '';
      const next = tokens[i + 1];
      if (t === 'dev' && next !== undefined) {
        fact.dev = next;
        sawDev = true;
        i++;
      } else if (t === 'lladdr' && next !== undefined) {
        fact.lladdr = next;
        i++;
      } else if (t === 'router') fact.router = true;
      else if (NEIGH_FLAGS.has(t)) continue;
      else if (NUD_STATES.has(t)) fact.states.push(t);
      else if (WITH_VALUE.has(t) && next !== undefined) i++;
      else ignored.push(t);
    }
    if (!sawDev && filteredDev !== undefined) fact.dev = filteredDev;
    if (ignored.length > 0) warnings.push(`${ctx.path}:${lineNo}: ignored tokens ${JSON.stringify(ignored.join(' '))}`);
    value.push(fact);
  }
  return { value, unparsed, warnings };
}
