/**
 * Which node a member belongs to, and where a member sits in a `microk8s inspect` report.
 *
 * Node, content first (cheap scans of the head only):
 *   - journald export / JSON: the first `_HOSTNAME`;
 *   - journalctl short text: the host column, when every short line in the head has the same;
 *   - kubectl JSON/YAML: a single `Node` object's name; pods' `nodeName` when all pods in
 *     the head share it.
 * Then the path: the deepest directory segment that looks like a node name (`k8s01`,
 * `node-1`, `worker9`: a DNS label with a letter first and a digit somewhere), or any DNS
 * label directly under a `nodes/` directory — never a known layout directory
 * (`inspection-report`, `network`, `k8s`, `args`, …) nor a service directory (`snap.*`).
 * Not done: file-name prefixes (`k8s03_kubelite.log`) matched against names seen elsewhere.
 */
import type { MemberKind } from './types.js';

const LAYOUT_DIRS = new Set([
  'inspection-report',
  'network',
  'k8s',
  'args',
  'dqlite',
  'sys',
  'apparmor',
  'var',
  'log',
  'k8s-pleg-debug',
  'nodes',
  'cni-network',
  'certs.d',
  'traefik',
  'backend',
  'kubernetes',
]);
// k8s01, node-1, worker9, ip-10-42-10-121
const NODE_LIKE = /^[a-z][a-z0-9-]{0,62}$/;
const HAS_DIGIT = /\d/;

// _HOSTNAME=k8s03
const EXPORT_HOSTNAME = /^_HOSTNAME=([^\n]+)$/m;
// "_HOSTNAME":"k8s03"   /   "_HOSTNAME" : "k8s03"
const JSON_HOSTNAME = /"_HOSTNAME"\s*:\s*"([^"]+)"/;
// Oct 29 17:22:59 microk8s-vm systemd[1]: …  (also -o short-iso / short-precise; a syslog tag without `:` too, but
// never from `--no-hostname` lines, `Oct 29 17:22:59 kernel: Linux version …`, whose first token is the identifier)
const SHORT_HOST = /^(?:[A-Z][a-z]{2} {1,2}\d{1,2} \d\d:\d\d:\d\d(?:\.\d{6})?|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{6})?(?:Z|[+-]\d\d:?\d\d)) (?:(\S+) [^\s\[:]+(?:\[\d+\])?: |([^\s:[\]]+) [A-Za-z0-9]{1,32} (?=\S))/gm;
// "nodeName": "k8s03"   /   nodeName: k8s03
const NODE_NAME = /"nodeName"\s*:\s*"([^"]+)"|^\s*nodeName:\s*(\S+)\s*$/gm;

export function attributeNode(innerPath: string, head: Buffer, kind: MemberKind): string | undefined {
  return fromContent(head, kind) ?? fromPath(innerPath);
}

function fromContent(head: Buffer, kind: MemberKind): string | undefined {
  switch (kind) {
    case 'journald-export':
      return EXPORT_HOSTNAME.exec(head.toString('latin1'))?.[1]?.trim();
    case 'journald-json':
      return JSON_HOSTNAME.exec(head.toString('utf8'))?.[1];
    case 'journalctl-text':
      return constantShortHost(head.toString('utf8'));
    case 'kubectl-json':
    case 'kubectl-yaml':
      return fromKubectl(head.toString('utf8'), kind);
    default:
      return undefined;
  }
}

function constantShortHost(text: string): string | undefined {
  let host: string | undefined;
  for (const m of text.matchAll(SHORT_HOST)) {
    const h = (m[1] ?? m[2])!;
    if (host === undefined) host = h;
    else if (h !== host) return undefined;
  }
  return host;
}

function fromKubectl(text: string, kind: MemberKind): string | undefined {
  const json = kind === 'kubectl-json';
  const topKind = json ? /^\s*\{[^{]*?"kind"\s*:\s*"(\w+)"/.exec(text)?.[1] : /^kind:\s*(\w+)\s*$/m.exec(text)?.[1];
  if (topKind === 'Node') {
    return json ? nodeObjectName(text) : /^metadata:\s*\n(?:[ ]+.*\n)*?[ ]{2}name:\s*(\S+)/m.exec(text)?.[1];
  }
  if (topKind === 'Pod' || topKind === 'PodList' || topKind === 'List') {
    let node: string | undefined;
    for (const m of text.matchAll(NODE_NAME)) {
      const n = (m[1] ?? m[2])!;
      if (node === undefined) node = n;
      else if (n !== node) return undefined;
    }
    return node;
  }
  return undefined;
}

/** metadata.name of a Node document: parsed when the head holds all of it, else by indentation. */
function nodeObjectName(text: string): string | undefined {
  try {
    const doc = JSON.parse(text) as { metadata?: { name?: unknown } };
    return typeof doc.metadata?.name === 'string' ? doc.metadata.name : undefined;
  } catch {
    // kubectl pretty-prints with 4-space indents: the name sits one level under "metadata".
    const meta = /\n( *)"metadata": \{\n/.exec(text);
    if (!meta) return undefined;
    const nameLine = new RegExp(`\\n${meta[1]}    "name": "([^"]+)"`);
    return nameLine.exec(text.slice(meta.index))?.[1];
  }
}

function fromPath(innerPath: string): string | undefined {
  const dirs = innerPath.split('/').slice(0, -1);
  for (let i = dirs.length - 1; i >= 0; i--) {
    const segment = dirs[i]!;
    if (LAYOUT_DIRS.has(segment) || segment.startsWith('snap.') || segment.startsWith('inspection-report')) continue;
    if (!NODE_LIKE.test(segment) || segment.endsWith('-')) continue;
    if (dirs[i - 1] === 'nodes' || HAS_DIGIT.test(segment)) return segment;
  }
  return undefined;
}

export type InspectArea = 'network' | 'k8s' | 'args' | 'dqlite' | 'sys' | 'apparmor';

export interface InspectLocation {
  /** Service directory, e.g. `snap.microk8s.daemon-kubelite` (classic) or `microk8s.daemon-kubelite` (strict). */
  service?: string;
  area?: InspectArea;
  /** Path prefix up to and including `inspection-report/` (empty when the report was unpacked at the root). */
  root: string;
}

const AREAS: ReadonlySet<string> = new Set<InspectArea>(['network', 'k8s', 'args', 'dqlite', 'sys', 'apparmor']);
// snap.microk8s.daemon-kubelite / microk8s.daemon-kubelite (strict)
const SERVICE_DIR = /^(?:snap\.)?microk8s\.daemon-[a-z0-9-]+$/;
const SERVICE_FILE = /^(?:journal|systemctl|snapctl)\.log$/;

/**
 * Where a member sits in a `microk8s inspect` report: `inspection-report/<svc>/journal.log`
 * → `{ service: '<svc>', root: 'inspection-report/' }`, `inspection-report/network/ip-addr`
 * → `{ area: 'network', root }`. Without an `inspection-report/` segment only service
 * directories (`snap.microk8s.daemon-*`) are recognised; anything else is `undefined`.
 */
export function inspectLayout(innerPath: string): InspectLocation | undefined {
  const segments = innerPath.split('/');
  const reportAt = segments.findIndex((s, i) => i < segments.length - 1 && /^inspection-report(?:-\d{8}_\d{6})?$/.test(s));
  if (reportAt >= 0) {
    const root = `${segments.slice(0, reportAt + 1).join('/')}/`;
    const first = segments[reportAt + 1]!;
    if (segments.length === reportAt + 2) return { root };
    if (AREAS.has(first)) return { area: first as InspectArea, root };
    if (SERVICE_DIR.test(first)) return { service: first, root };
    return { root };
  }
  for (let i = 0; i < segments.length - 1; i++) {
    if (SERVICE_DIR.test(segments[i]!) && i === segments.length - 2 && SERVICE_FILE.test(segments[i + 1]!)) {
      return { service: segments[i]!, root: segments.slice(0, i).map((s) => `${s}/`).join('') };
    }
  }
  return undefined;
}
