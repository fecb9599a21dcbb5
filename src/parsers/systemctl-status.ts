/**
 * `systemctl status <unit>` text (systemd `systemctl` `print_status_info()`), as in
 * MicroK8s inspect `<svc>/systemctl.log`.
 *
 * Sample (MicroK8s 1.28 inspect report, `snap.microk8s.daemon-kubelite/systemctl.log`):
 *   ● snap.microk8s.daemon-kubelite.service - Service for snap application microk8s.daemon-kubelite
 *        Loaded: loaded (/etc/systemd/system/snap.microk8s.daemon-kubelite.service; enabled; vendor preset: enabled)
 *        Active: active (running) since Tue 2024-10-29 17:41:17 IST; 40min ago
 *      Main PID: 3510 (kubelite)
 *
 * Output: `SystemctlStatusFact` per unit block: unit (without `.service`), activeState,
 * subState, activeSince (µs), mainPid.
 *
 * Quirks: the time carries a zone *abbreviation*, not an offset: mapped through a table of
 * common ones; ambiguous ones (IST, CST) use `ctx.zone` when given, else India / US Central
 * with a warning. The bullet is `●` (or `○`, `×`, `*` without UTF-8); `Active:` may say
 * `inactive (dead)` with no since, or `failed (Result: exit-code) since …`. The CGroup tree
 * and journal tail that follow are not parsed (the journal parsers read `journal.log`).
 */
import type { SystemctlStatusFact } from '../model/facts.js';
import type { Unparsed } from '../model/records.js';
import { AMBIGUOUS_ZONE_ABBREVIATIONS, isValidZone, printedZoneOffsetMinutes, printedZoneToMicros } from '../model/time.js';
import { normalizeUnit } from '../model/units.js';
import type { StateParseResult } from './types.js';
import { splitLines, type StateParseContext } from './text-table.js';


// ● snap.microk8s.daemon-kubelite.service - Service for snap application microk8s.daemon-kubelite
const UNIT_HEADER = /^\s*(?:[●○×*]\s+)?(\S+\.(?:service|socket|timer|mount|scope|slice|target|path))(?:\s+-\s+.*)?\s*$/;
//      Active: active (running) since Tue 2024-10-29 17:41:17 IST; 40min ago
const ACTIVE = /^\s*Active:\s+(\S+)(?:\s+\(([^)]*)\))?(?:\s+\([^)]*\))*(?:\s+since\s+\w{3}\s+(\d{4})-(\d\d)-(\d\d)\s+(\d\d):(\d\d):(\d\d)(?:\s+([A-Za-z][\w+-]*))?)?/;
//    Main PID: 3510 (kubelite)
const MAIN_PID = /^\s*Main PID:\s+(\d+)/;
// Unit foo.service could not be found.
const NOT_FOUND = /^Unit\s+(\S+)\s+could not be found/;

function sinceMicros(m: RegExpExecArray, ctx: StateParseContext, warnings: string[], lineNo: number): number | undefined {
  const [y, mo, d, h, mi, s] = [3, 4, 5, 6, 7, 8].map((i) => Number(m[i]));
  if (y === undefined || mo === undefined || d === undefined || h === undefined || mi === undefined || s === undefined) return undefined;
  // The printed zone is what the host said; the input's zone only fills in when it is missing.
  const abbrev = m[9];
  const fallback = ctx.zone !== undefined && isValidZone(ctx.zone) ? ctx.zone : 'UTC';
  const offset = abbrev === undefined ? undefined : printedZoneOffsetMinutes(abbrev);
  if (abbrev !== undefined && offset === undefined) {
    warnings.push(`${ctx.path}:${lineNo}: unknown zone ${abbrev}; read in ${fallback}`);
  } else if (abbrev !== undefined && offset !== undefined && AMBIGUOUS_ZONE_ABBREVIATIONS.has(abbrev.toUpperCase())) {
    warnings.push(ctx.zone !== undefined
      ? `${ctx.path}:${lineNo}: zone ${abbrev} is ambiguous; read in ${fallback}`
      : `${ctx.path}:${lineNo}: zone ${abbrev} is ambiguous; read as UTC${offset >= 0 ? '+' : '-'}${Math.abs(offset / 60)} (pass the node's zone to override)`);
  }
  return printedZoneToMicros(y, mo, d, h, mi, s, 0, abbrev, fallback, ctx.zone !== undefined);
}

/** `systemctl status` text (one or several units) → unit states. Never throws. */
export function parseSystemctlStatus(text: string, ctx: StateParseContext): StateParseResult<SystemctlStatusFact[]> {
  const value: SystemctlStatusFact[] = [];
  const unparsed: Unparsed[] = [];
  const warnings: string[] = [];
  let current: SystemctlStatusFact | undefined;
  let inBlock = false;
  splitLines(text).forEach((line, n) => {
    const lineNo = n + 1;
    if (line.trim() === '') {
      inBlock = false; // the journal tail follows the first blank line
      return;
    }
    const h = UNIT_HEADER.exec(line);
    if (h?.[1] !== undefined && !/^\s/.test(line.replace(/^[●○×*]\s+/, ''))) {
      current = { unit: normalizeUnit(h[1]), source: { path: ctx.path, line: lineNo } };
      if (ctx.node !== undefined) current.node = ctx.node;
      value.push(current);
      inBlock = true;
      return;
    }
    const nf = NOT_FOUND.exec(line);
    if (nf) {
      unparsed.push({ path: ctx.path, line: lineNo, reason: `unit ${nf[1] ?? ''} not found` });
      return;
    }
    if (!current || !inBlock) return; // CGroup tree, journal tail: not this parser's
    const a = ACTIVE.exec(line);
    if (a?.[1] !== undefined) {
      current.activeState = a[1];
      if (a[2] !== undefined) current.subState = a[2];
      if (a[3] !== undefined) {
        const at = sinceMicros(a, ctx, warnings, lineNo);
        if (at !== undefined) current.activeSince = at;
      }
      return;
    }
    const p = MAIN_PID.exec(line);
    if (p?.[1] !== undefined) current.mainPid = Number(p[1]);
  });
  if (value.length === 0 && text.trim() !== '' && unparsed.length === 0) {
    unparsed.push({ path: ctx.path, line: 1, reason: 'no `● unit - description` header' });
  }
  return { value, unparsed, warnings };
}
