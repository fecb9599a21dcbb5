/**
 * Calico log lines (libcalico-go `logutils.Formatter` / `lib/logrusr.Formatter`): CNI IPAM
 * plugin, calico-node, calico-kube-controllers, upgrade-ipam.
 *
 * Sample (projectcalico/calico#11702, #2940; IBM SRE runbook — shared/samples):
 *   2026-01-22 12:33:48.005 [INFO][1] ipam/ipam_block_reader_writer.go 226: Attempting to create a new block affinityType="host" host="xxxxxxx-1-machine8" subnet=10.2.0.0/26
 *   2026-01-22 12:33:48.014 [INFO][1] ipam/ipam.go 955: Claimed new block: 10.2.0.0/26
 *   2019-10-16 16:44:45.427 [INFO][1] ipam_block_reader_writer.go 234: Confirming affinity host="kube-node-databases" subnet=10.253.7.0/26
 *   2020-08-21 13:14:29.039 [INFO][23948] ipam.go 547: Attempting to assign IPs from non-affine block 172.16.4.0/26 handle="k8s-pod-network.f97b…" host="prod-fra02-carrier2-worker-1035.alchemy.ibm.com"
 *   INFO endpoint_mgr.go 434: … (syslog variant: no time, no pid)
 *
 * Output: `CalicoLogLine` { ts (µs in the given zone), level, pid, component, file, line,
 * message (text before the first ` key=`), text (everything after `: `), fields (only the
 * well-known keys: block, handle, host, subnet, ContainerID, HandleID, Workload, node) }.
 *
 * Quirks: no zone in the stamp (local time); `component/` prefix only from v3.29 (CNI) —
 * match files on suffix; fields are sorted, strings Go-quoted, `%#v` structs contain spaces
 * and braces — so only well-known keys are extracted, each with its own regex.
 */
import { zonedToMicros } from '../model/time.js';
import { unquoteGo } from './klog.js';

export interface CalicoLogLine {
  ts?: number;
  level: string;
  pid?: number;
  component?: string;
  file: string;
  line?: number;
  message: string;
  text: string;
  fields: Partial<Record<CalicoKey, string>>;
}

export type CalicoKey = 'block' | 'handle' | 'host' | 'subnet' | 'ContainerID' | 'HandleID' | 'Workload' | 'node';

// 2026-05-17 05:59:38.124 [INFO][1234] ipam/ipam.go 123: message k=v
const CALICO_LINE = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{3}) \[([A-Z]+)\]\[(\d+)\] (?:([\w-]+)\/)?(\S+) (\d+|\S+): ?(.*)$/;
// INFO endpoint_mgr.go 434: message
const CALICO_SYSLOG = /^(PANIC|FATAL|ERROR|WARNING|INFO|DEBUG) (?:([\w-]+)\/)?(\S+\.go) (\d+): ?(.*)$/;
// first ` key=` of the sorted field list
const FIRST_FIELD = / [A-Za-z_][\w]*=(?=["\w&*{[-])/;

const KEY_PATTERNS: [CalicoKey, RegExp][] = (
  ['block', 'handle', 'host', 'subnet', 'ContainerID', 'HandleID', 'Workload', 'node'] as const
).map((k) => [k, new RegExp(`(?:^| )${k}=("(?:[^"\\\\]|\\\\.)*"|[^\\s"]+)`)]);

/** Parse one Calico line (optionally in `zone`); undefined when it is not one. Never throws. */
export function parseCalicoLog(line: string, zone = 'UTC'): CalicoLogLine | undefined {
  try {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    const m = CALICO_LINE.exec(text);
    if (m) {
      const rest = m[13] ?? '';
      const result: CalicoLogLine = {
        ts: zonedToMicros(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), Number(m[7]) * 1000, zone),
        level: m[8] ?? '',
        pid: Number(m[9]),
        file: m[11] ?? '',
        message: messagePart(rest),
        text: rest,
        fields: extractFields(rest),
      };
      if (m[10] !== undefined) result.component = m[10];
      if (/^\d+$/.test(m[12] ?? '')) result.line = Number(m[12]);
      return result;
    }
    const s = CALICO_SYSLOG.exec(text);
    if (!s) return undefined;
    const rest = s[5] ?? '';
    const result: CalicoLogLine = {
      level: s[1] ?? '',
      file: s[3] ?? '',
      line: Number(s[4]),
      message: messagePart(rest),
      text: rest,
      fields: extractFields(rest),
    };
    if (s[2] !== undefined) result.component = s[2];
    return result;
  } catch {
    return undefined;
  }
}

function messagePart(rest: string): string {
  const f = FIRST_FIELD.exec(rest);
  return (f ? rest.slice(0, f.index) : rest).trimEnd();
}

function extractFields(rest: string): Partial<Record<CalicoKey, string>> {
  const fields: Partial<Record<CalicoKey, string>> = {};
  if (!rest.includes('=')) return fields;
  for (const [key, re] of KEY_PATTERNS) {
    const m = re.exec(rest);
    if (!m) continue;
    const raw = m[1] ?? '';
    fields[key] = raw.startsWith('"') ? (unquoteGo(raw) ?? raw.slice(1, -1)) : raw;
  }
  return fields;
}
