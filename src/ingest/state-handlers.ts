import { parseArp } from '../parsers/arp.js';
import type { Member, MemberKind } from '../bundle/types.js';
import type { Facts } from '../model/facts.js';
import { parseCrictlPods, parseCrictlPs } from '../parsers/crictl.js';
import { parseCtrContainers, parseCtrSandboxes, parseCtrTasks } from '../parsers/ctr.js';
import { parseDqliteListing } from '../parsers/dqlite-listing.js';
import { readDqliteSnapshot, readSnapshotMeta } from '../parsers/dqlite-snapshot.js';
import { parseIpNeighJson, parseIpRouteJson } from '../parsers/ip-json.js';
import { parseIpNeigh } from '../parsers/ip-neigh.js';
import { parseIpRoute } from '../parsers/ip-route.js';
import { parseIptables } from '../parsers/iptables.js';
import { parseKubeletArgs } from '../parsers/kubelet-args.js';
import { isPgrepCount, parsePgrepCount, parsePgrepList } from '../parsers/pgrep.js';
import { parseProcStat, procStatToProcess } from '../parsers/proc-stat.js';
import { parsePs } from '../parsers/ps.js';
import { parseSchedstat } from '../parsers/schedstat.js';
import { parseSystemctlStatus } from '../parsers/systemctl-status.js';
import type { StateParseContext } from '../parsers/text-table.js';
import type { StateParseResult } from '../parsers/types.js';
import { readAll, reportStateResult, type MemberSink } from './handlers.js';

export type StateHandler = (member: Member, sink: MemberSink) => Promise<void>;

/** A dqlite snapshot is read whole (bounded): LZ4 frames need the full input. */
const MAX_SNAPSHOT_BYTES = 2 * 1024 ** 3;
/**
 * The decoded database is held in memory to be opened read-only, so decoding is capped;
 * a bigger snapshot gets a warning (the listing-based rules still see its size and cadence).
 */
const MAX_DECODED_SNAPSHOT_BYTES = 256 * 1024 ** 2;

function context(member: Member, sink: MemberSink): StateParseContext {
  return {
    path: member.path,
    ...(member.node ? { node: member.node } : {}),
    ...(sink.referenceTime !== undefined ? { referenceTime: sink.referenceTime } : {}),
    zone: sink.inputZone,
  };
}

/** A text state parser whose facts go under one key of Facts. */
function text<K extends keyof Facts>(
  key: K,
  parse: (text: string, ctx: StateParseContext) => StateParseResult<Facts[K]>,
): StateHandler {
  return async (member, sink) => {
    const body = (await readAll(member)).toString('utf8');
    const value = reportStateResult(sink, parse(body, context(member, sink)), member.path);
    sink.facts({ [key]: value } as Partial<Facts>, member.node);
  };
}

const ipJson: StateHandler = async (member, sink) => {
  const body = (await readAll(member)).toString('utf8');
  // `ip -j neigh` objects carry `lladdr`/`state`; `ip -j route` objects carry `dst` and `flags`.
  const isNeigh = /"(?:lladdr|state)"\s*:/.test(body.slice(0, 4096));
  const ctx = context(member, sink);
  if (isNeigh) sink.facts({ neighbours: reportStateResult(sink, parseIpNeighJson(body, ctx), member.path) }, member.node);
  else sink.facts({ routes: reportStateResult(sink, parseIpRouteJson(body, ctx), member.path) }, member.node);
};

const pgrep: StateHandler = async (member, sink) => {
  const body = (await readAll(member)).toString('utf8');
  const ctx = context(member, sink);
  if (isPgrepCount(body)) sink.facts({ processCounts: reportStateResult(sink, parsePgrepCount(body, ctx), member.path) }, member.node);
  else sink.facts({ processes: reportStateResult(sink, parsePgrepList(body, ctx), member.path) }, member.node);
};

const procStat: StateHandler = async (member, sink) => {
  const body = (await readAll(member)).toString('utf8');
  const stats = reportStateResult(sink, parseProcStat(body, context(member, sink)), member.path);
  const processes = stats.map(procStatToProcess).filter((p) => p !== undefined);
  sink.facts({ processes }, member.node);
};

const dqliteSnapshot: StateHandler = async (member, sink) => {
  if (member.size !== undefined && member.size > MAX_SNAPSHOT_BYTES) {
    sink.warning(`dqlite snapshot of ${member.size} bytes not read (limit ${MAX_SNAPSHOT_BYTES} bytes)`);
    return;
  }
  const data = await readAll(member);
  if (member.innerPath.endsWith('.meta')) {
    reportStateResult(sink, readSnapshotMeta(data, { path: member.path }), member.path);
    return;
  }
  const stats = reportStateResult(sink, readDqliteSnapshot(data, {
    path: member.path,
    ...(member.node ? { node: member.node } : {}),
    maxDecompressedBytes: MAX_DECODED_SNAPSHOT_BYTES,
  }), member.path);
  if (stats) sink.facts({ dqliteSnapshots: [stats] }, member.node);
};

/** Node-state kinds (ip, iptables, ps, ctr/crictl, args, dqlite) → their parser. */
export const STATE_HANDLERS: Partial<Record<MemberKind, StateHandler>> = {
  'ip-route': text('routes', parseIpRoute),
  'ip-neigh': text('neighbours', parseIpNeigh),
  arp: text('neighbours', parseArp),
  'ip-json': ipJson,
  'iptables-save': text('iptables', parseIptables),
  'iptables-list': text('iptables', parseIptables),
  ps: text('processes', parsePs),
  pgrep,
  schedstat: text('schedstats', parseSchedstat),
  'proc-stat': procStat,
  'ctr-tasks': text('tasks', parseCtrTasks),
  'ctr-containers': text('containers', parseCtrContainers),
  'ctr-sandboxes': text('sandboxes', parseCtrSandboxes),
  'crictl-pods': text('sandboxes', parseCrictlPods),
  'crictl-ps': text('crictlContainers', parseCrictlPs),
  'systemctl-status': text('systemctl', parseSystemctlStatus),
  'kubelet-args': text('kubeletArgs', parseKubeletArgs),
  'dqlite-listing': text('dqliteFiles', parseDqliteListing),
  'dqlite-snapshot': dqliteSnapshot,
};
