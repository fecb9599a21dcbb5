/**
 * `kubectl cluster-info dump [-A]` written to one stream (MicroK8s inspect:
 * `inspection-report/k8s/cluster-info-dump`, kubectl `clusterinfo_dump.go`).
 *
 * Sample (real capture, /work/shared/corpora/microk8s-inspect, MicroK8s 1.28):
 *   {
 *       "kind": "EventList",
 *   ...
 *   }
 *   ==== START logs for container registry of pod container-registry/registry-6c9fcc695f-5sh5d ====
 *   Request log error: an error on the server ("unknown") has prevented the request from succeeding (get pods registry-6c9fcc695f-5sh5d)
 *   ==== END logs for container registry of pod container-registry/registry-6c9fcc695f-5sh5d ====
 *
 * Output: facts as `parseKubernetesObjects` gives them (NodeList, then per namespace
 * EventList, ReplicationControllerList, ServiceList, DaemonSetList, DeploymentList,
 * ReplicaSetList, PodList), and one `LogRecord` per container log line (`container` set,
 * node from the PodList seen earlier, time from the line itself when it has one).
 *
 * Quirks:
 * - Documents are concatenated pretty-printed JSON with no separator: a document starts
 *   with `{` at column 0 and ends when its braces balance; only one document is held in
 *   memory at a time.
 * - Log blocks hold the raw bytes of the pods/log API (no CRI prefix), or a
 *   `Request log error: …` / `Create log request error: …` line when kubectl could not fetch them.
 * - stderr is merged (`2>&1`): stray lines such as `Error from server …` appear between
 *   documents; they become records without a container and a warning.
 * - Log lines carry whatever clock their program prints: RFC 3339, klog (no year: inferred
 *   from `referenceTime`; no zone: UTC assumed), logrus `time="…"`, Calico `2024-10-29 12:11:31.123`
 *   (no zone: UTC assumed, the container default).
 */
import type { Facts } from '../model/facts.js';
import type { LogRecord } from '../model/records.js';
import { inferYear, isoToMicros, zonedToMicros } from '../model/time.js';
import { KubeObjectCollector } from './kubectl.js';
import { parseJsonLossless } from './json-lossless.js';
import { ParseError, type StateParseResult } from './types.js';

export interface ClusterInfoDumpContext {
  path: string;
  node?: string;
  /** µs; places year-less klog stamps. Without it those lines keep `ts` undefined. */
  referenceTime?: number;
  onRecord: (record: LogRecord) => void;
}

// ==== START logs for container calico-node of pod kube-system/calico-node-kwv84 ====
const LOG_START = /^==== START logs for container (\S+) of pod ([^/\s]+)\/(\S+) ====$/;
// ==== END logs for container calico-node of pod kube-system/calico-node-kwv84 ====
const LOG_END = /^==== END logs for container (\S+) of pod ([^/\s]+)\/(\S+) ====$/;
// 2024-10-29T12:11:31.123456789Z msg…   |   2024-10-29T12:11:31+02:00 msg…
const RFC3339_PREFIX = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d))(?:\s|$)/;
// I1029 12:11:31.123456       1 main.go:42] msg…
const KLOG_PREFIX = /^[IWEF](\d\d)(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{6})\s+\d+ /;
// 2024-10-29 12:11:31.123 [INFO][1] felix/int_dataplane.go 1893: msg…
const CALICO_PREFIX = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{3}) \[/;
// time="2022-11-08T14:45:08+03:00" level=info msg=…   |   {"level":"info","ts":"2024-…Z",…}
const EMBEDDED_TIME = /(?:^|\s)(?:time|ts)="?(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d))"?|"(?:time|ts|timestamp)":"(\d{4}-\d\d-\d\dT[^"]+)"/;

/** Time of a container log line from its own stamp; undefined when it has none. */
export function logLineTime(line: string, referenceTime?: number): number | undefined {
  let m = RFC3339_PREFIX.exec(line);
  if (m) return isoToMicros(m[1]!);
  m = KLOG_PREFIX.exec(line);
  if (m) {
    if (referenceTime === undefined) return undefined;
    const month = Number(m[1]);
    const day = Number(m[2]);
    return zonedToMicros(inferYear(month, day, referenceTime), month, day, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  }
  m = CALICO_PREFIX.exec(line);
  if (m) return zonedToMicros(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), Number(m[7]) * 1000);
  m = EMBEDDED_TIME.exec(line);
  if (m) return isoToMicros((m[1] ?? m[2])!);
  return undefined;
}

/** Net `{`/`}` depth change of one JSON line, ignoring braces inside strings. */
function braceDelta(line: string, inString: { value: boolean }): number {
  let depth = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (inString.value) {
      if (c === 92) i++;
      else if (c === 34) inString.value = false;
    } else if (c === 34) inString.value = true;
    else if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) depth--;
  }
  return depth;
}

/** Split a byte stream into lines (LF, CR stripped), decoding each line once. */
async function* lines(chunks: AsyncIterable<Buffer>): AsyncGenerator<string> {
  let rest: Buffer | undefined;
  for await (const chunk of chunks) {
    const buf = rest ? Buffer.concat([rest, chunk]) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
      const end = nl > start && buf[nl - 1] === 13 ? nl - 1 : nl;
      yield buf.toString('utf8', start, end);
      start = nl + 1;
    }
    rest = start < buf.length ? buf.subarray(start) : undefined;
  }
  if (rest && rest.length) yield rest.toString('utf8').replace(/\r$/, '');
}

export async function parseClusterInfoDump(chunks: AsyncIterable<Buffer>, ctx: ClusterInfoDumpContext): Promise<StateParseResult<Partial<Facts>>> {
  const collector = new KubeObjectCollector({ path: ctx.path, ...(ctx.node ? { node: ctx.node } : {}) });
  const nodeOfPod = new Map<string, string>();
  let podsSeen = 0;

  let lineNo = 0;
  let docLines: string[] = [];
  let docStart = 0;
  let depth = 0;
  const inString = { value: false };
  let block: { namespace: string; pod: string; container: string; startLine: number } | undefined;
  let documents = 0;
  let strayLines = 0;
  let logBlocks = 0;

  const flushDocument = (): void => {
    const parsed = parseJsonLossless(docLines.join('\n'), docStart);
    docLines = [];
    documents++;
    if (parsed.error && !parsed.documents.some((d) => d.complete || (typeof d.value === 'object' && d.value !== null))) {
      collector.unparsed(docStart, `JSON document: ${parsed.error.reason}`);
      return;
    }
    for (const doc of parsed.documents) collector.addDocument(doc, parsed.lineOf, parsed.isComplete);
    if (parsed.error) collector.unparsed(parsed.error.line, `JSON document: ${parsed.error.reason}`);
    for (; podsSeen < collector.facts.pods.length; podsSeen++) {
      const pod = collector.facts.pods[podsSeen]!;
      if (pod.nodeName) nodeOfPod.set(`${pod.namespace}/${pod.name}`, pod.nodeName);
    }
  };

  const emit = (message: string, container?: { namespace: string; pod: string; container: string }): void => {
    const node = container ? nodeOfPod.get(`${container.namespace}/${container.pod}`) : ctx.node;
    ctx.onRecord({
      ts: logLineTime(message, ctx.referenceTime),
      ...(node ? { node } : {}),
      message,
      source: { path: ctx.path, line: lineNo },
      ...(container ? { container } : {}),
    });
  };

  for await (const line of lines(chunks)) {
    lineNo++;
    if (docLines.length > 0) {
      docLines.push(line);
      depth += braceDelta(line, inString);
      if (depth <= 0) flushDocument();
      continue;
    }
    if (block) {
      const end = LOG_END.exec(line);
      if (end && end[1] === block.container && end[2] === block.namespace && end[3] === block.pod) {
        block = undefined;
        continue;
      }
      const start = LOG_START.exec(line);
      if (!start) {
        emit(line, { namespace: block.namespace, pod: block.pod, container: block.container });
        continue;
      }
      collector.warn(`${ctx.path}:${block.startLine}: log block of ${block.namespace}/${block.pod} ${block.container} has no END line`);
      block = undefined;
    }
    const start = LOG_START.exec(line);
    if (start) {
      block = { container: start[1]!, namespace: start[2]!, pod: start[3]!, startLine: lineNo };
      logBlocks++;
      continue;
    }
    if (line.startsWith('{') || line.startsWith('[')) {
      docLines = [line];
      docStart = lineNo;
      inString.value = false;
      depth = braceDelta(line, inString);
      if (depth <= 0) flushDocument();
      continue;
    }
    if (line.trim() === '') continue;
    strayLines++;
    emit(line);
  }
  if (docLines.length > 0) {
    collector.warn(`${ctx.path}:${docStart}: the dump ends inside a JSON document`);
    flushDocument();
  }
  if (block) collector.warn(`${ctx.path}:${block.startLine}: the dump ends inside the log block of ${block.namespace}/${block.pod} ${block.container}`);
  if (strayLines > 0) collector.warn(`${ctx.path}: ${strayLines} line(s) outside JSON documents and log blocks (kubectl stderr)`);
  if (lineNo === 0) throw new ParseError(ctx.path, 'empty input');
  // A dump holding only kubectl's error text (API server down) is still evidence: its
  // lines went out as records; say that no objects were captured.
  if (documents === 0 && logBlocks === 0) collector.warn(`${ctx.path}: no JSON documents or log blocks (kubectl failed?)`);
  return collector.result();
}
