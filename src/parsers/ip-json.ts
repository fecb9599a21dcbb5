/**
 * `ip -j route` / `ip -j -p route` and `ip -j neigh` JSON output (iproute2 json_print).
 *
 * Sample (`ip -j route` in a network namespace set up like a Calico VXLAN node,
 * scripts/make-node-test-data.sh):
 *   [{"dst":"default","gateway":"172.22.96.1","dev":"eth0","protocol":"dhcp","prefsrc":"172.22.104.186","metric":100,"flags":[]},
 *    {"type":"blackhole","dst":"10.1.39.192/26","protocol":"80","flags":[]},
 *    {"dst":"10.1.235.128/26","gateway":"10.1.235.128","dev":"vxlan.calico","flags":["onlink"]}]
 * and `ip -j neigh`: [{"dst":"192.168.50.3","dev":"eth1","lladdr":"00:50:56:8b:10:24","router":null,"state":["STALE"]}]
 *
 * Output: the same `RouteFact` / `NeighFact` shapes as the text parsers; `raw` is the
 * element's compact JSON, provenance line is where the element starts (pretty output spans
 * lines).
 *
 * Quirks (format reference §3.2, §3.4): `protocol` is a string even when numeric (`"80"`);
 * missing `protocol` = boot, missing `scope` = global, missing `type` = unicast; `flags` is
 * always an array; boolean neighbour flags are `null`-valued keys (`"router": null`);
 * `state` is an array; `via: {family, host}` replaces `gateway` for RTA_VIA routes.
 */
import type { NeighFact, RouteFact } from '../model/facts.js';
import type { Unparsed } from '../model/records.js';
import type { StateParseResult } from './types.js';
import type { StateParseContext } from './text-table.js';
import type { NeighParseContext } from './ip-neigh.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonRecord = { [key: string]: Json };

function isRecord(v: Json | undefined): v is JsonRecord {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: Json | undefined): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

function strings(v: Json | undefined): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** 1-based line of each top-level array element's opening brace. */
function elementLines(text: string): number[] {
  const out: number[] = [];
  let depth = 0;
  let inString = false;
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') line++;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      if (depth === 1 && c === '{') out.push(line);
      depth++;
    } else if (c === ']' || c === '}') depth--;
  }
  return out;
}

/** Parses the JSON array(s) of an `ip -j` capture; `ip -j` may print several arrays (batch mode). */
function readArray(text: string, path: string): { items: Json[]; unparsed: Unparsed[] } {
  const trimmed = text.trim();
  if (trimmed === '') return { items: [], unparsed: [] };
  try {
    const parsed = JSON.parse(trimmed) as Json;
    if (Array.isArray(parsed)) return { items: parsed, unparsed: [] };
    return { items: [], unparsed: [{ path, line: 1, reason: 'JSON is not an array' }] };
  } catch (err) {
    // Several arrays one after another (`ip -j -batch`): try line-delimited arrays.
    const items: Json[] = [];
    const unparsed: Unparsed[] = [];
    const lines = text.split('\n');
    let ok = false;
    for (let n = 0; n < lines.length; n++) {
      const l = (lines[n] ?? '').trim();
      if (!l.startsWith('[')) continue;
      try {
        const arr = JSON.parse(l) as Json;
        if (Array.isArray(arr)) {
          items.push(...arr);
          ok = true;
        }
      } catch {
        unparsed.push({ path, line: n + 1, reason: 'invalid JSON line' });
      }
    }
    if (!ok) return { items: [], unparsed: [{ path, line: 1, reason: `invalid JSON: ${(err as Error).message}` }] };
    return { items, unparsed };
  }
}

/** `ip -j [-p] route` → routes. Never throws. */
export function parseIpRouteJson(text: string, ctx: StateParseContext): StateParseResult<RouteFact[]> {
  const { items, unparsed } = readArray(text, ctx.path);
  const lines = elementLines(text);
  const value: RouteFact[] = [];
  items.forEach((item, idx) => {
    const line = lines[idx] ?? 1;
    const dst = isRecord(item) ? str(item.dst) : undefined;
    if (!isRecord(item) || dst === undefined) {
      unparsed.push({ path: ctx.path, line, reason: 'route element without `dst`' });
      return;
    }
    const route: RouteFact = {
      dst,
      flags: strings(item.flags),
      protocol: str(item.protocol) ?? 'boot',
      scope: str(item.scope) ?? 'global',
      raw: JSON.stringify(item),
      source: { path: ctx.path, line },
    };
    if (ctx.node !== undefined) route.node = ctx.node;
    const type = str(item.type);
    if (type !== undefined && type !== 'unicast') route.type = type;
    const via = item.via;
    const gateway = str(item.gateway) ?? (isRecord(via) ? str(via.host) : undefined);
    if (gateway !== undefined) route.gateway = gateway;
    const dev = str(item.dev);
    if (dev !== undefined) route.dev = dev;
    const table = str(item.table);
    if (table !== undefined) route.table = table;
    const prefsrc = str(item.prefsrc);
    if (prefsrc !== undefined) route.prefsrc = prefsrc;
    if (typeof item.metric === 'number') route.metric = item.metric;
    if (Array.isArray(item.nexthops)) {
      route.nexthops = item.nexthops.filter(isRecord).map((h) => {
        const hop: { gateway?: string; dev?: string; weight?: number; flags: string[] } = { flags: strings(h.flags) };
        const gw = str(h.gateway) ?? (isRecord(h.via) ? str(h.via.host) : undefined);
        if (gw !== undefined) hop.gateway = gw;
        const d = str(h.dev);
        if (d !== undefined) hop.dev = d;
        if (typeof h.weight === 'number') hop.weight = h.weight;
        return hop;
      });
    }
    value.push(route);
  });
  return { value, unparsed, warnings: [] };
}

/** `ip -j [-p] neigh` → neighbour entries. Never throws. */
export function parseIpNeighJson(text: string, ctx: NeighParseContext): StateParseResult<NeighFact[]> {
  const { items, unparsed } = readArray(text, ctx.path);
  const lines = elementLines(text);
  const value: NeighFact[] = [];
  items.forEach((item, idx) => {
    const line = lines[idx] ?? 1;
    const dst = isRecord(item) ? str(item.dst) : undefined;
    if (!isRecord(item) || dst === undefined) {
      unparsed.push({ path: ctx.path, line, reason: 'neighbour element without `dst`' });
      return;
    }
    const fact: NeighFact = {
      dst,
      router: 'router' in item,
      states: strings(item.state),
      raw: JSON.stringify(item),
      source: { path: ctx.path, line },
    };
    if (ctx.node !== undefined) fact.node = ctx.node;
    const dev = str(item.dev) ?? ctx.dev;
    if (dev !== undefined) fact.dev = dev;
    const lladdr = str(item.lladdr);
    if (lladdr !== undefined) fact.lladdr = lladdr;
    value.push(fact);
  });
  return { value, unparsed, warnings: [] };
}
