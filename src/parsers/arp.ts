/**
 * `arp -a` / `arp -an` output (net-tools `arp.c` `arp_disp()`), the neighbour table as older
 * runbooks capture it.
 *
 * Sample (projectcalico/calico#12806, a Calico node whose pod neighbour never resolved):
 *   root@kubernetes01:~# arp -an
 *   ? (10.42.106.50) at <incomplete> [ether] on calid52aaa8acc7
 *   ? (192.168.1.1) at 52:54:00:12:34:56 [ether] on eth0
 *
 * Output: `NeighFact` per entry, as `ip neigh` gives it: dst, dev, lladdr; states
 * `INCOMPLETE` for `<incomplete>`, `PERMANENT` for `PERM`, otherwise none (arp shows only that
 * the entry is complete, not its NUD state).
 *
 * Quirks: the name is `?` with `-n` or when it does not resolve; flags (`PERM`, `PUB`,
 * `netmask M`) sit between the hardware type and `on`; `*` stands for a published entry
 * without an address; an echoed `arp -an` prompt line is reported unparsed.
 */
import type { NeighFact } from '../model/facts.js';
import type { Unparsed } from '../model/records.js';
import type { StateParseResult } from './types.js';
import { splitLines, type StateParseContext } from './text-table.js';

// ? (10.42.106.50) at <incomplete> [ether] on calid52aaa8acc7   |   gw (192.168.1.1) at 52:54:00:12:34:56 [ether] PERM on eth0
export const ARP_LINE = /^\S+ \(([0-9a-fA-F.:]+)\) at (<incomplete>|\*|[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5,})(?: \[[\w-]+\])?((?: (?:netmask \S+|PERM|PUB|AUTO|DONTPUB|TRAILERS))*) on (\S+)\s*$/;

export function parseArp(text: string, ctx: StateParseContext): StateParseResult<NeighFact[]> {
  const value: NeighFact[] = [];
  const unparsed: Unparsed[] = [];
  splitLines(text).forEach((line, n) => {
    if (line.trim() === '') return;
    const m = ARP_LINE.exec(line);
    if (!m) {
      unparsed.push({ path: ctx.path, line: n + 1, reason: /\barp\b/.test(line) ? 'echoed command line' : 'not an `arp -a` line' });
      return;
    }
    const [, dst, hw, flags, dev] = m as unknown as [string, string, string, string, string];
    const states = hw === '<incomplete>' ? ['INCOMPLETE'] : /\bPERM\b/.test(flags) ? ['PERMANENT'] : [];
    const fact: NeighFact = { dst, dev, router: false, states, raw: line, source: { path: ctx.path, line: n + 1 } };
    if (hw !== '<incomplete>' && hw !== '*') fact.lladdr = hw.toLowerCase();
    if (ctx.node !== undefined) fact.node = ctx.node;
    value.push(fact);
  });
  return { value, unparsed, warnings: [] };
}
