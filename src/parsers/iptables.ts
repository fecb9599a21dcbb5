/**
 * iptables dumps in the three shapes captures carry (netfilter iptables / iptables-nft):
 * - `iptables-save` (format `save`): `*table`, `:CHAIN POLICY [p:b]`, `-A CHAIN rule…`, `COMMIT`;
 * - `iptables [-t T] -L [-n] [-v]` (format `list`; inspect `network/iptables` = `-t nat -L -n -v`,
 *   `network/iptables-L` = `-L`): `Chain X (policy ACCEPT 0 packets, 0 bytes)` blocks;
 * - `iptables [-t T] -S` (format `spec`; inspect `network/iptables-S`): `-P`, `-N`, `-A` lines.
 *
 * Sample (`iptables-save` nat table, Calico FV dump, format reference §4.2):
 *   *nat
 *   :PREROUTING ACCEPT [29:1352]
 *   :cali-nat-outgoing - [0:0]
 *   -A POSTROUTING -m comment --comment "cali:0i8pjzKKPyA34aQD" -j cali-POSTROUTING
 *   COMMIT
 *
 * Output: one `IptablesDumpFact` per input: table → chains (policy, rules as raw strings
 * after `-A CHAIN ` for save/spec, the rule line as printed for list). Helpers
 * `chainsByTable`, `hasKubeNat`, `hasCalicoNat` (checklist §4.4).
 *
 * Quirks (§4.1, §4.5): `# Warning: iptables-legacy tables present …` and
 * `# Table `X' is incompatible, use 'nft' tool.` lines (kept as warnings); the same table can
 * appear twice when dumps are concatenated (merged, with a warning); `-L`/`-S` print one
 * table only and do not name it: taken from `ctx.table`, an echoed `iptables -t T` command,
 * or the file name (inspect `network/iptables` is the nat table; `…-t-nat…`, `…_nat…`);
 * otherwise filter.
 */
import type { IptablesChain, IptablesDumpFact } from '../model/facts.js';
import type { Unparsed } from '../model/records.js';
import type { StateParseResult } from './types.js';
import { baseName, splitLines, type StateParseContext } from './text-table.js';

const TABLES = ['filter', 'nat', 'mangle', 'raw', 'security'];

// *nat
const SAVE_TABLE = /^\*(\S+)\s*$/;
// :PREROUTING ACCEPT [29:1352]   |   :cali-nat-outgoing - [0:0]
const SAVE_CHAIN = /^:(\S+)\s+(\S+)(?:\s+\[\d+:\d+\])?\s*$/;
// -A POSTROUTING -m comment --comment "cali:0i8pjzKKPyA34aQD" -j cali-POSTROUTING   (also "[0:0] -A …" with -c)
const APPEND = /^(?:\[\d+:\d+\]\s+)?-A\s+(\S+)(?:\s+(.*?))?\s*$/;
// -P INPUT ACCEPT
const SPEC_POLICY = /^-P\s+(\S+)\s+(\S+)\s*$/;
// -N cali-FORWARD
const SPEC_NEW = /^-N\s+(\S+)\s*$/;
// Chain PREROUTING (policy ACCEPT 0 packets, 0 bytes)  |  Chain cali-FORWARD (1 references)  |  Chain INPUT (policy DROP)
const LIST_CHAIN = /^Chain\s+(\S+)\s+\((?:policy\s+(\S+?)(?:\s+\d+\s+packets,\s+\d+\s+bytes)?|\d+\s+references?)\)\s*$/;
// " pkts bytes target     prot opt in     out     source               destination"
const LIST_HEADER = /^\s*(?:(?:num\s+)?pkts\s+bytes\s+)?(?:num\s+)?target\s+prot\s+opt\b/;
// "$ sudo iptables -t nat -L -n -v" (echoed command)
const ECHO_TABLE = /\biptables(?:-legacy|-nft)?\b.*?\s-t\s*(\w+)/;

export interface IptablesParseContext extends StateParseContext {
  /** Table of a `-L` / `-S` listing when known from elsewhere. */
  table?: string;
}

/** Table of a `-L`/`-S` capture from its file name: inspect `network/iptables` is `-t nat -L -n -v`. */
export function tableFromPath(path: string): string | undefined {
  const base = baseName(path).toLowerCase();
  if (base === 'iptables' && /(^|\/)network\/iptables$/.test(path)) return 'nat';
  const m = /(?:^|[^a-z])-?t[-_ ]?(filter|nat|mangle|raw|security)(?![a-z])/.exec(base) ?? /(?:^|[^a-z])(nat|mangle|raw|security)(?![a-z])/.exec(base);
  return m?.[1];
}

class DumpBuilder {
  readonly tables: Record<string, IptablesChain[]> = {};
  readonly tableLines: Record<string, number> = {};
  private readonly seen = new Set<string>();

  chain(table: string, name: string): IptablesChain {
    const chains = (this.tables[table] ??= []);
    let chain = chains.find((c) => c.name === name);
    if (!chain) {
      chain = { name, rules: [] };
      chains.push(chain);
    }
    return chain;
  }

  /** Marks a table seen at a line; true when it had been seen already (concatenated dumps). */
  open(table: string, lineNo: number): boolean {
    this.tables[table] ??= [];
    this.tableLines[table] ??= lineNo;
    if (this.seen.has(table)) return true;
    this.seen.add(table);
    return false;
  }
}

function finish(builder: DumpBuilder, format: IptablesDumpFact['format'], ctx: StateParseContext, firstLine: number): IptablesDumpFact[] {
  if (Object.keys(builder.tables).length === 0) return [];
  const fact: IptablesDumpFact = { format, tables: builder.tables, tableLines: builder.tableLines, source: { path: ctx.path, line: firstLine } };
  if (ctx.node !== undefined) fact.node = ctx.node;
  return [fact];
}

function commentLine(line: string, lineNo: number, ctx: StateParseContext, warnings: string[]): boolean {
  if (!line.startsWith('#')) return false;
  if (/^#\s*(?:Warning|Table\b)/i.test(line)) warnings.push(`${ctx.path}:${lineNo}: ${line.replace(/^#\s*/, '')}`);
  return true;
}

/** `iptables-save` output → one dump. Never throws. */
export function parseIptablesSave(text: string, ctx: StateParseContext): StateParseResult<IptablesDumpFact[]> {
  const unparsed: Unparsed[] = [];
  const warnings: string[] = [];
  const builder = new DumpBuilder();
  let table: string | undefined;
  let firstLine = 0;
  const lines = splitLines(text);
  for (let n = 0; n < lines.length; n++) {
    const line = (lines[n] ?? '').trimEnd();
    const lineNo = n + 1;
    if (line.trim() === '' || commentLine(line, lineNo, ctx, warnings)) continue;
    const t = SAVE_TABLE.exec(line);
    if (t?.[1] !== undefined) {
      table = t[1];
      if (firstLine === 0) firstLine = lineNo;
      if (builder.open(table, lineNo)) warnings.push(`${ctx.path}:${lineNo}: table ${table} appears twice (concatenated dumps?); chains merged`);
      continue;
    }
    if (line === 'COMMIT') {
      table = undefined;
      continue;
    }
    if (table === undefined) {
      unparsed.push({ path: ctx.path, line: lineNo, reason: 'outside a *table … COMMIT block' });
      continue;
    }
    const c = SAVE_CHAIN.exec(line);
    if (c?.[1] !== undefined) {
      const chain = builder.chain(table, c[1]);
      if (c[2] !== undefined && c[2] !== '-') chain.policy = c[2];
      continue;
    }
    const a = APPEND.exec(line);
    if (a?.[1] !== undefined) {
      builder.chain(table, a[1]).rules.push(a[2] ?? '');
      continue;
    }
    unparsed.push({ path: ctx.path, line: lineNo, reason: 'not an iptables-save line' });
  }
  if (table !== undefined) warnings.push(`${ctx.path}: table ${table} has no COMMIT (truncated dump?)`);
  return { value: finish(builder, 'save', ctx, firstLine || 1), unparsed, warnings };
}

// `Chain PREROUTING (policy …)` / `-P PREROUTING ACCEPT`: the built-in chains a listing declares.
const BUILTIN_CHAIN = /^(?:Chain|-P)\s+(PREROUTING|INPUT|FORWARD|OUTPUT|POSTROUTING)\b/gm;

/**
 * The table a `-L`/`-S` listing without `-t` in its name or echo belongs to, from the built-in
 * chains it declares: filter has INPUT/FORWARD/OUTPUT, nat PREROUTING/INPUT/OUTPUT/POSTROUTING,
 * mangle all five, raw PREROUTING/OUTPUT (iptables-extensions(8), "TABLES").
 */
export function tableFromChains(text: string): string | undefined {
  const builtins = new Set([...text.matchAll(BUILTIN_CHAIN)].map((m) => m[1]));
  const pre = builtins.has('PREROUTING');
  const post = builtins.has('POSTROUTING');
  const forward = builtins.has('FORWARD');
  if (!pre && !post) return builtins.size ? 'filter' : undefined;
  if (forward) return pre && post ? 'mangle' : undefined;
  if (post) return 'nat';
  return builtins.has('INPUT') ? 'nat' : 'raw';
}

function listingTable(text: string, ctx: IptablesParseContext): string {
  if (ctx.table !== undefined) return ctx.table;
  const echo = ECHO_TABLE.exec(text.slice(0, 4096));
  if (echo?.[1] !== undefined && TABLES.includes(echo[1])) return echo[1];
  return tableFromPath(ctx.path) ?? tableFromChains(text) ?? 'filter';
}

/** `iptables [-t T] -L [-n] [-v]` → one dump (rules kept as printed, trimmed). Never throws. */
export function parseIptablesList(text: string, ctx: IptablesParseContext): StateParseResult<IptablesDumpFact[]> {
  const unparsed: Unparsed[] = [];
  const warnings: string[] = [];
  const builder = new DumpBuilder();
  const table = listingTable(text, ctx);
  let chain: IptablesChain | undefined;
  let firstLine = 0;
  const lines = splitLines(text);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n] ?? '';
    const lineNo = n + 1;
    if (line.trim() === '') {
      chain = undefined;
      continue;
    }
    if (commentLine(line, lineNo, ctx, warnings)) continue;
    const c = LIST_CHAIN.exec(line);
    if (c?.[1] !== undefined) {
      builder.open(table, lineNo);
      chain = builder.chain(table, c[1]);
      if (c[2] !== undefined) chain.policy = c[2];
      if (firstLine === 0) firstLine = lineNo;
      continue;
    }
    if (LIST_HEADER.test(line)) continue;
    if (!chain) {
      unparsed.push({ path: ctx.path, line: lineNo, reason: 'not inside a `Chain …` block' });
      continue;
    }
    chain.rules.push(line.trim());
  }
  return { value: finish(builder, 'list', ctx, firstLine || 1), unparsed, warnings };
}

/** `iptables [-t T] -S` → one dump. Never throws. */
export function parseIptablesSpec(text: string, ctx: IptablesParseContext): StateParseResult<IptablesDumpFact[]> {
  const unparsed: Unparsed[] = [];
  const warnings: string[] = [];
  const builder = new DumpBuilder();
  const table = listingTable(text, ctx);
  let firstLine = 0;
  const lines = splitLines(text);
  for (let n = 0; n < lines.length; n++) {
    const line = (lines[n] ?? '').trimEnd();
    const lineNo = n + 1;
    if (line.trim() === '' || commentLine(line, lineNo, ctx, warnings)) continue;
    const p = SPEC_POLICY.exec(line);
    const nw = p ? undefined : SPEC_NEW.exec(line);
    const a = p || nw ? undefined : APPEND.exec(line);
    const name = p?.[1] ?? nw?.[1] ?? a?.[1];
    if (name === undefined) {
      unparsed.push({ path: ctx.path, line: lineNo, reason: 'not an `iptables -S` line' });
      continue;
    }
    if (firstLine === 0) firstLine = lineNo;
    builder.open(table, lineNo);
    const chain = builder.chain(table, name);
    if (p?.[2] !== undefined) chain.policy = p[2];
    if (a) chain.rules.push(a[2] ?? '');
  }
  return { value: finish(builder, 'spec', ctx, firstLine || 1), unparsed, warnings };
}

/** Which of the three shapes `text` is, from its first meaningful lines. */
export function sniffIptablesFormat(text: string): IptablesDumpFact['format'] | undefined {
  for (const raw of splitLines(text.slice(0, 64 * 1024))) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (SAVE_TABLE.test(line) || SAVE_CHAIN.test(line)) return 'save';
    if (LIST_CHAIN.test(line)) return 'list';
    if (SPEC_POLICY.test(line) || SPEC_NEW.test(line) || APPEND.test(line)) return 'spec';
  }
  return undefined;
}

/** Any of the three shapes, sniffed. Never throws; unknown text yields no dump and one unparsed entry. */
export function parseIptables(text: string, ctx: IptablesParseContext): StateParseResult<IptablesDumpFact[]> {
  const format = sniffIptablesFormat(text);
  if (format === 'save') return parseIptablesSave(text, ctx);
  if (format === 'list') return parseIptablesList(text, ctx);
  if (format === 'spec') return parseIptablesSpec(text, ctx);
  const warnings: string[] = [];
  splitLines(text).forEach((l, i) => commentLine(l, i + 1, ctx, warnings));
  const unparsed: Unparsed[] = text.trim() === '' ? [] : [{ path: ctx.path, line: 1, reason: 'not an iptables dump (no table, chain or rule lines)' }];
  return { value: [], unparsed, warnings };
}

/** Table → chain names, in dump order. */
export function chainsByTable(dump: IptablesDumpFact): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [table, chains] of Object.entries(dump.tables)) out[table] = chains.map((c) => c.name);
  return out;
}

// "-j KUBE-SERVICES" / "--jump KUBE-SERVICES" / "-g X" in save/spec rules
const JUMP = /(?:^|\s)(?:-j|--jump|-g|--goto)\s+(\S+)/;

/** Target of a rule in any of the three formats. */
export function ruleTarget(rule: string, format: IptablesDumpFact['format']): string | undefined {
  if (format !== 'list') return JUMP.exec(rule)?.[1];
  const tokens = rule.trim().split(/\s+/);
  // `-v` rows start with the packet and byte counters (`0     0 KUBE-SERVICES …`, `12K 1M …`).
  const counted = tokens.length > 2 && /^\d+[KMGT]?$/.test(tokens[0] ?? '') && /^\d+[KMGT]?$/.test(tokens[1] ?? '');
  const target = counted ? tokens[2] : tokens[0];
  // A rule with no target prints an empty target column: the next token is the protocol.
  return target === undefined || /^(?:all|tcp|udp|icmp|0|6|17)$/.test(target) ? undefined : target;
}

function jumpsTo(dump: IptablesDumpFact, table: string, from: string, to: string): boolean {
  const chain = dump.tables[table]?.find((c) => c.name === from);
  return chain?.rules.some((r) => ruleTarget(r, dump.format) === to) ?? false;
}

function hasChain(dump: IptablesDumpFact, table: string, name: string): boolean {
  return dump.tables[table]?.some((c) => c.name === name) ?? false;
}

/**
 * kube-proxy NAT present: a `KUBE-SERVICES` nat chain jumped to from both PREROUTING and
 * OUTPUT (§4.4 item 2). Undefined when the dump has no nat table and is a single-table
 * listing (`-L`/`-S` of another table: it cannot tell); false for an `iptables-save` without nat.
 */
export function hasKubeNat(dump: IptablesDumpFact): boolean | undefined {
  if (!dump.tables.nat) return dump.format === 'save' ? false : undefined;
  return hasChain(dump, 'nat', 'KUBE-SERVICES')
    && jumpsTo(dump, 'nat', 'PREROUTING', 'KUBE-SERVICES')
    && jumpsTo(dump, 'nat', 'OUTPUT', 'KUBE-SERVICES');
}

/**
 * Calico NAT present: POSTROUTING → `cali-POSTROUTING` → `cali-nat-outgoing` in the nat
 * table (§4.4 item 5). Same undefined rule as `hasKubeNat`. An empty `cali-nat-outgoing`
 * still counts (natOutgoing off is a pool setting, not missing rules): see
 * `calicoNatOutgoingRules`.
 */
export function hasCalicoNat(dump: IptablesDumpFact): boolean | undefined {
  if (!dump.tables.nat) return dump.format === 'save' ? false : undefined;
  return hasChain(dump, 'nat', 'cali-nat-outgoing')
    && jumpsTo(dump, 'nat', 'POSTROUTING', 'cali-POSTROUTING')
    && jumpsTo(dump, 'nat', 'cali-POSTROUTING', 'cali-nat-outgoing');
}

/** Rules of the nat `cali-nat-outgoing` chain (empty when natOutgoing is off or not yet programmed). */
export function calicoNatOutgoingRules(dump: IptablesDumpFact): string[] {
  return dump.tables.nat?.find((c) => c.name === 'cali-nat-outgoing')?.rules ?? [];
}
