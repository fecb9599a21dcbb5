/**
 * Calico IPAM custom resources: `IPAMBlock` and `IPAMHandle` (`crd.projectcalico.org/v1`,
 * or `projectcalico.org/v3` when Calico ≥ v3.32 backs IPAM with v3 CRDs), as printed by
 * `kubectl get ipamblocks,ipamhandles -o json|yaml`. Reached through `parseKubernetesObjects`
 * (src/parsers/kubectl.ts), which routes objects here by kind.
 *
 * Sample (`kubectl get ipamblocks -o yaml`, Calico ≈v3.23, format reference §1.9):
 *   spec:
 *     affinity: host:mac-k8s
 *     allocations:
 *     - 0
 *     - null
 *
 * Output: `IpamBlockFact` (cidr, affinity, node of a `host:` affinity, size, allocations,
 * unallocated, attributes, deleted, sequenceNumber as a string) and `IpamHandleFact`.
 *
 * Quirks (format reference §1.8, §1.10):
 * - v3.13/v3.14 print `null` for unset `affinity`, `handle_id`, `secondary`; v3.15+ omit
 *   them; `{}` means the same. All three read as absent.
 * - `sequenceNumber` (v3.23+) exceeds 2^53: the readers hand it over as a decimal string.
 * - `allocations[i] === 0` is attribute index 0, not "free"; only `null` is free.
 * - Some old dumps spell the tombstone flag `Deleted` (cni-plugin#749).
 * - A dump cut mid-object still yields the block when `cidr` can be rebuilt from the
 *   object name (`10-1-237-64-26` → `10.1.237.64/26`, libcalico-go `names.CIDRToName`).
 */
import type { IpamAttribute, IpamBlockFact, IpamHandleFact } from '../model/facts.js';
import type { Provenance } from '../model/records.js';
import type { JsonObject, JsonValue } from './json-lossless.js';
import { isJsonObject } from './json-lossless.js';
import type { ObjectProblems } from './kubectl.js';

// 10.1.237.64/26
const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
// 10-1-237-64-26 (IPAMBlock object name of an IPv4 block)
const IPV4_BLOCK_NAME = /^(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,2})$/;
// host:k8s03, virtual:lb-pool
const AFFINITY = /^(host|virtual):(.+)$/;

/** `10.1.237.64/26` → `10-1-237-64-26` (libcalico-go `names.CIDRToName`). */
export function cidrToBlockName(cidr: string): string {
  let dots = 0;
  let colons = 0;
  let slash = false;
  let out = '';
  for (const c of cidr) {
    if (c === '.' && dots < 3) {
      dots++;
      out += '-';
    } else if (c === ':' && colons < 7) {
      colons++;
      out += '-';
    } else if (c === '/' && !slash) {
      slash = true;
      out += '-';
    } else out += c;
  }
  return out;
}

/** Inverse of `cidrToBlockName` for IPv4 names; undefined otherwise. */
export function blockNameToCidr(name: string): string | undefined {
  const m = IPV4_BLOCK_NAME.exec(name);
  return m ? `${m[1]}.${m[2]}.${m[3]}.${m[4]}/${m[5]}` : undefined;
}

/** Number of addresses of a block CIDR (2^(32-prefix) or 2^(128-prefix)); undefined if unreadable or huge. */
export function cidrSize(cidr: string): number | undefined {
  const slash = cidr.lastIndexOf('/');
  if (slash < 0) return undefined;
  const prefix = Number(cidr.slice(slash + 1));
  const bits = cidr.includes(':') ? 128 : 32;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits || bits - prefix > 24) return undefined;
  if (!cidr.includes(':') && !IPV4_CIDR.test(cidr)) return undefined;
  return 2 ** (bits - prefix);
}

function attribute(v: JsonValue): IpamAttribute {
  if (!isJsonObject(v)) return {};
  const handle = v.handle_id ?? v.handleID;
  const secondaryRaw = v.secondary;
  const secondary: Record<string, string> = {};
  if (isJsonObject(secondaryRaw)) {
    for (const [k, val] of Object.entries(secondaryRaw)) {
      if (val !== null) secondary[k] = typeof val === 'string' ? val : JSON.stringify(val);
    }
  }
  return {
    ...(typeof handle === 'string' && handle !== '' ? { handleId: handle } : {}),
    ...(Object.keys(secondary).length > 0 ? { secondary } : {}),
  };
}

function sequenceText(v: JsonValue | undefined): string | undefined {
  if (typeof v === 'string' && /^\d+$/.test(v)) return v;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return String(v);
  return undefined;
}

export function ipamBlockFromObject(item: JsonObject, source: Provenance, problems: ObjectProblems): IpamBlockFact | undefined {
  const line = source.line ?? 1;
  const meta = isJsonObject(item.metadata) ? item.metadata : {};
  const spec = isJsonObject(item.spec) ? item.spec : undefined;
  const metaName = typeof meta.name === 'string' ? meta.name : undefined;
  if (!spec) {
    problems.unparsed(line, `IPAMBlock ${metaName ?? '(no name)'} without spec`);
    return undefined;
  }
  let cidr = typeof spec.cidr === 'string' ? spec.cidr : undefined;
  if (!cidr && metaName) {
    cidr = blockNameToCidr(metaName);
    if (cidr) problems.warn(`${source.path}:${line}: IPAMBlock ${metaName} has no spec.cidr (truncated?); using ${cidr} from its name`);
  }
  if (!cidr) {
    problems.unparsed(line, `IPAMBlock ${metaName ?? '(no name)'} without spec.cidr`);
    return undefined;
  }
  const name = metaName ?? cidrToBlockName(cidr);

  const allocationsRaw = spec.allocations;
  if (!Array.isArray(allocationsRaw)) problems.warn(`${source.path}:${line}: IPAMBlock ${name}: spec.allocations missing`);
  const allocations: Array<number | null> = [];
  for (const a of Array.isArray(allocationsRaw) ? allocationsRaw : []) {
    if (a === null) allocations.push(null);
    else if (typeof a === 'number' && Number.isInteger(a)) allocations.push(a);
    else {
      problems.warn(`${source.path}:${line}: IPAMBlock ${name}: allocation ${allocations.length} is not an integer (${JSON.stringify(a)})`);
      allocations.push(null);
    }
  }
  const unallocated = (Array.isArray(spec.unallocated) ? spec.unallocated : []).filter(
    (u): u is number => typeof u === 'number' && Number.isInteger(u),
  );
  const attributes = (Array.isArray(spec.attributes) ? spec.attributes : []).map(attribute);
  const maxIndex = allocations.reduce<number>((m, a) => (a !== null && a > m ? a : m), -1);
  if (maxIndex >= attributes.length) {
    problems.warn(`${source.path}:${line}: IPAMBlock ${name}: allocations reference attribute ${maxIndex} but only ${attributes.length} attribute(s) were read (truncated dump?)`);
  }

  const affinityRaw = typeof spec.affinity === 'string' && spec.affinity !== '' ? spec.affinity : undefined;
  const affinity = affinityRaw ? AFFINITY.exec(affinityRaw) : null;
  const deleted = spec.deleted ?? spec.Deleted;
  const sequenceNumber = sequenceText(spec.sequenceNumber);
  return {
    name,
    cidr,
    ...(affinityRaw ? { affinity: affinityRaw } : {}),
    ...(affinity?.[1] === 'host' ? { node: affinity[2]! } : {}),
    size: cidrSize(cidr) ?? allocations.length,
    allocations,
    unallocated,
    attributes,
    deleted: deleted === true || deleted === 'true',
    ...(sequenceNumber !== undefined ? { sequenceNumber } : {}),
    source,
  };
}

export function ipamHandleFromObject(item: JsonObject, source: Provenance, problems: ObjectProblems): IpamHandleFact | undefined {
  const line = source.line ?? 1;
  const meta = isJsonObject(item.metadata) ? item.metadata : {};
  const spec = isJsonObject(item.spec) ? item.spec : {};
  const metaName = typeof meta.name === 'string' ? meta.name : undefined;
  const handleId = typeof spec.handleID === 'string' ? spec.handleID : metaName;
  if (!handleId) {
    problems.unparsed(line, 'IPAMHandle without spec.handleID or metadata.name');
    return undefined;
  }
  const block: Record<string, number> = {};
  if (isJsonObject(spec.block)) {
    for (const [cidr, count] of Object.entries(spec.block)) {
      if (typeof count === 'number') block[cidr] = count;
      else problems.warn(`${source.path}:${line}: IPAMHandle ${handleId}: block ${cidr} count is not a number`);
    }
  }
  const deleted = spec.deleted;
  return {
    name: metaName ?? handleId.toLowerCase(),
    handleId,
    block,
    ...(typeof deleted === 'boolean' ? { deleted } : {}),
    source,
  };
}
