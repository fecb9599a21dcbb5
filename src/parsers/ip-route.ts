/**
 * `ip route` text output (iproute2 `ip/iproute.c` `print_route()`), as captured on a node
 * (`ip route`, `ip route show table all`; MicroK8s inspect `network/ip-route`, and
 * `network/ip-addr` on v1.25–v1.31, which holds `ip route` output by mistake).
 *
 * Sample (MicroK8s 1.28 inspect report, Calico VXLAN; every line ends with a space):
 *   default via 172.22.96.1 dev eth0 proto dhcp src 172.22.104.186 metric 100
 *   blackhole 10.1.254.64/26 proto 80
 *   10.1.254.78 dev cali5e7a27f59df scope link
 *   10.1.235.128/26 via 10.1.235.128 dev vxlan.calico onlink
 *   10.50.0.0/16 proto static metric 50
 *   	nexthop via 172.22.96.1 dev eth0 weight 1
 *
 * Output: `RouteFact` per route: type (non-unicast only), dst as printed, gateway, dev,
 * table, protocol (`boot` when not printed), scope (`global` when not printed), prefsrc,
 * metric, flags, nexthops of multipath routes. `routePrefix()` gives the normalized CIDR.
 *
 * Quirks (format reference §3.1, §3.5): tokens are keyword-driven and optional; host routes
 * print without `/32`; Felix's blackhole routes carry the numeric `proto 80`; multipath hops
 * follow on lines starting with a tab; a missing `proto` means boot and a missing `scope`
 * means universe; captures pasted from a terminal carry prompts (`$ ip route`) and
 * annotations, which are reported, not fatal.
 */
import type { RouteFact } from '../model/facts.js';
import type { Unparsed } from '../model/records.js';
import type { StateParseResult } from './types.js';
import { splitLines, type StateParseContext } from './text-table.js';

/** Route types printed before dst (`ip/rtm_map.c`), `unicast` only with `-d`. */
const ROUTE_TYPES = new Set([
  'unicast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'local', 'broadcast', 'multicast',
  'anycast', 'nat', 'xresolve', 'none',
]);

/** Next-hop flags (`iproute.c` print_rt_flags). */
const ROUTE_FLAGS = new Set([
  'dead', 'onlink', 'pervasive', 'offload', 'trap', 'notify', 'linkdown', 'unresolved',
  'rt_offload', 'rt_trap', 'rt_offload_failed',
]);

/** Keywords followed by one value that RouteFact does not keep. */
const SKIPPED_WITH_VALUE = new Set([
  'from', 'nhid', 'tos', 'dsfield', 'mark', 'realm', 'realms', 'uid', 'mtu', 'advmss', 'window',
  'rtt', 'rttvar', 'ssthresh', 'cwnd', 'initcwnd', 'initrwnd', 'quickack', 'hoplimit', 'reordering',
  'rto_min', 'features', 'pref', 'expires', 'error', 'iif', 'as', 'fastopen_no_cookie', 'congctl',
]);

// 10.1.39.193 | 10.1.39.192/26 | 0/0 | fe80::/64 | default
const DST = /^(?:default|\d{1,3}(?:\.\d{1,3}){0,3}(?:\/\d{1,3})?|[0-9a-fA-F]*:[0-9a-fA-F:.]*(?:\/\d{1,3})?)$/;
// "\tnexthop via 172.22.96.1 dev eth0 weight 1 "
const NEXTHOP_LINE = /^\s+nexthop\b/;

/** CIDR of a route's destination: host routes get /32 (/128), `default` becomes 0.0.0.0/0 (::/0). */
export function routePrefix(route: Pick<RouteFact, 'dst' | 'gateway'>): string {
  const v6 = route.dst.includes(':') || (route.dst === 'default' && (route.gateway ?? '').includes(':'));
  if (route.dst === 'default') return v6 ? '::/0' : '0.0.0.0/0';
  if (route.dst.includes('/')) return route.dst;
  return `${route.dst}/${v6 ? 128 : 32}`;
}

interface Nexthop {
  gateway?: string;
  dev?: string;
  weight?: number;
  flags: string[];
}

/** Parses `nexthop via X dev Y weight N flags…` tokens (after `nexthop`). */
function parseNexthop(tokens: string[], ignored: string[]): Nexthop {
  const hop: Nexthop = { flags: [] };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] ?? '';
    const next = tokens[i + 1];
    if (t === 'via' && next !== undefined) {
      if ((next === 'inet' || next === 'inet6') && tokens[i + 2] !== undefined) {
        hop.gateway = tokens[i + 2];
        i += 2;
      } else {
        hop.gateway = next;
        i++;
      }
    } else if (t === 'dev' && next !== undefined) {
      hop.dev = next;
      i++;
    } else if (t === 'weight' && next !== undefined && /^\d+$/.test(next)) {
      hop.weight = Number(next);
      i++;
    } else if (ROUTE_FLAGS.has(t)) hop.flags.push(t);
    else if (SKIPPED_WITH_VALUE.has(t) && next !== undefined) i++;
    else ignored.push(t);
  }
  return hop;
}

/** Parses one route line; undefined with a reason when the line is not a route. */
export function parseRouteLine(line: string, source: RouteFact['source'], node?: string): { route?: RouteFact; reason?: string; ignored: string[] } {
  const tokens = line.trim().split(/\s+/);
  const ignored: string[] = [];
  let i = 0;
  if (tokens[i] === 'Deleted') i++;
  let type: string | undefined;
  const first = tokens[i] ?? '';
  if (ROUTE_TYPES.has(first) || (/^\d+$/.test(first) && tokens[i + 1] !== undefined && DST.test(tokens[i + 1] ?? '') && !first.includes('.'))) {
    type = first;
    i++;
  }
  const dst = tokens[i];
  if (dst === undefined || dst === '' || !DST.test(dst)) return { reason: 'not an `ip route` line (no destination)', ignored };
  i++;
  const route: RouteFact = { dst, flags: [], raw: line, source, protocol: 'boot', scope: 'global' };
  if (node !== undefined) route.node = node;
  if (type !== undefined && type !== 'unicast') route.type = type;
  for (; i < tokens.length; i++) {
    const t = tokens[i] ?? '';
    const next = tokens[i + 1];
    switch (t) {
      case 'via':
        if (next === 'inet' || next === 'inet6') {
          route.gateway = tokens[i + 2];
          i += 2;
        } else {
          route.gateway = next;
          i++;
        }
        continue;
      case 'dev': route.dev = next; i++; continue;
      case 'table': route.table = next; i++; continue;
      case 'proto': route.protocol = next; i++; continue;
      case 'scope': route.scope = next; i++; continue;
      case 'src': route.prefsrc = next; i++; continue;
      case 'metric':
        if (next !== undefined && /^\d+$/.test(next)) route.metric = Number(next);
        else ignored.push(t);
        i++;
        continue;
      case 'lock': continue; // `mtu lock 1400`
      case 'nexthop': {
        // Single-line multipath (`ip -o route`): hops separated by the keyword.
        const rest = tokens.slice(i + 1);
        const hops: string[][] = [[]];
        for (const r of rest) {
          if (r === 'nexthop') hops.push([]);
          else hops[hops.length - 1]?.push(r);
        }
        route.nexthops = hops.map((h) => parseNexthop(h, ignored));
        i = tokens.length;
        continue;
      }
      case '': continue;
      default:
        if (ROUTE_FLAGS.has(t)) route.flags.push(t);
        else if (SKIPPED_WITH_VALUE.has(t) && next !== undefined) i++;
        else if (t === 'encap' || t === 'cache' || t === 'metrics') i = tokens.length;
        else ignored.push(t);
    }
  }
  if (route.gateway === undefined) delete route.gateway;
  return { route, ignored };
}

/** `ip route [show …]` text → routes. Never throws; non-route lines come back as unparsed. */
export function parseIpRoute(text: string, ctx: StateParseContext): StateParseResult<RouteFact[]> {
  const value: RouteFact[] = [];
  const unparsed: Unparsed[] = [];
  const warnings: string[] = [];
  const lines = splitLines(text);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n] ?? '';
    const lineNo = n + 1;
    if (line.trim() === '') continue;
    if (NEXTHOP_LINE.test(line)) {
      const prev = value[value.length - 1];
      if (!prev) {
        unparsed.push({ path: ctx.path, line: lineNo, reason: 'nexthop line without a route before it' });
        continue;
      }
      const ignored: string[] = [];
      const hop = parseNexthop(line.trim().split(/\s+/).slice(1), ignored);
      (prev.nexthops ??= []).push(hop);
      prev.raw += `\n${line}`;
      if (ignored.length > 0) warnings.push(`${ctx.path}:${lineNo}: ignored tokens ${JSON.stringify(ignored.join(' '))}`);
      continue;
    }
    const { route, reason, ignored } = parseRouteLine(line, { path: ctx.path, line: lineNo }, ctx.node);
    if (!route) {
      unparsed.push({ path: ctx.path, line: lineNo, reason: reason ?? 'not a route' });
      continue;
    }
    if (ignored.length > 0) warnings.push(`${ctx.path}:${lineNo}: ignored tokens ${JSON.stringify(ignored.join(' '))}`);
    value.push(route);
  }
  return { value, unparsed, warnings };
}
