/**
 * Kubernetes objects as kubectl prints them: `kubectl get … -o json` / `-o yaml`, the API's
 * typed lists (`PodList`, `NodeList`… from `--raw` and `cluster-info dump`), single objects,
 * multi-document YAML, and JSON arrays of objects.
 *
 * Sample (`kubectl cluster-info dump`, MicroK8s 1.28, /work/shared/samples/healthy-kubelet__inspection-nodelist-json.txt):
 *   {
 *       "kind": "NodeList",
 *       "apiVersion": "v1",
 *       "metadata": {
 *           "resourceVersion": "8393"
 *
 * Output: `Partial<Facts>` with pods, nodes, events, leases, workloads, pdbs, kubeletPodLists,
 * ipamBlocks and ipamHandles; each fact's provenance is the line its object starts on.
 *
 * Quirks:
 * - Items of typed lists (`NodeList`, `PodList`) carry no `kind`: it comes from the list kind.
 * - The kubelet's own pod list (`kubectl get --raw /api/v1/nodes/<n>/proxy/pods`) is a
 *   `PodList` with `"metadata":{}` (no resourceVersion): it is what the kubelet believes
 *   it runs, not what the API server has, so it becomes `kubeletPodLists`.
 * - Calico `sequenceNumber` values exceed 2^53: JSON is read losslessly, YAML with BigInt.
 * - A truncated capture keeps every object that was closed; the cut one is unparsed.
 * - JSON members are streamed item by item (`kubectl-json-stream.ts`); there a List's `kind`
 *   and `metadata` arrive after its items, so `KubeList` can decide them at the end.
 * - Events exist as core/v1 (`involvedObject`, `count`) and events.k8s.io/v1 (`regarding`,
 *   `note`, `series.count`, `deprecated*`).
 */
import type * as Yaml from 'yaml';
import type { Document } from 'yaml';
import { lazyRequire } from '../lazy-require.js';
import type {
  ContainerStatusFact, ContainerTermination, EventFact, Facts, KubeletPodListFact, LeaseFact, NodeFact,
  PdbFact, PodCondition, PodFact, WorkloadContainer, WorkloadFact,
} from '../model/facts.js';
import type { Provenance, Unparsed } from '../model/records.js';
import { isoToMicros } from '../model/time.js';
import { ParseError, type StateParseResult } from './types.js';
import { isJsonObject, parseJsonLossless, type JsonObject, type JsonSyntaxProblem, type JsonValue } from './json-lossless.js';
import { ipamBlockFromObject, ipamHandleFromObject } from './calico-ipam.js';

const yaml = lazyRequire<typeof Yaml>('yaml');

export interface KubectlParseContext {
  path: string;
  node?: string;
}

/** Where a converter reports what it could not use; never throws. */
export interface ObjectProblems {
  warn(message: string): void;
  unparsed(line: number, reason: string): void;
}

/** Fact arrays the Kubernetes/Calico object parsers fill. */
export type KubeFactKey =
  | 'pods' | 'nodes' | 'events' | 'leases' | 'workloads' | 'pdbs' | 'kubeletPodLists' | 'ipamBlocks' | 'ipamHandles';

/** One object as found in a document, with the line it starts on. */
export interface LocatedObject {
  value: JsonValue;
  line: number;
  complete: boolean;
}

// `.../proxy/pods`, `k8s03-kubelet-pods.json`: captures of the kubelet's own pod list.
const KUBELET_POD_LIST_PATH = /proxy\/pods|kubelet-pods/i;
// `10.1.254.64/32` → `10.1.254.64`
const MASK_SUFFIX = /\/\d+$/;

/** Kinds whose objects become facts (see `factKeyOfKind`). */
const ANALYSED_KINDS = [
  'Pod', 'Node', 'Event', 'Lease', 'Deployment', 'DaemonSet', 'StatefulSet', 'ReplicaSet', 'PodDisruptionBudget', 'IPAMBlock', 'IPAMHandle',
] as const;

type ObjectProblem = { line: number; reason: string } | { warning: string };

/** What one object contributes, computed apart from the collector so a list can apply it later. */
type ObjectOutcome =
  | { type: 'unparsed'; line: number; reason: string }
  | { type: 'ignored'; kind: string }
  | { type: 'fact'; key: KubeFactKey; fact: unknown; problems: ObjectProblem[] };

/** One item of a kubelet pod list; undefined when it has no `metadata.name`. */
type KubeletPodSummary = { pod: KubeletPodListFact['pods'][number]; nodeName?: string } | undefined;

/** How a List's items are read, decided from its kind, metadata and items. */
interface ListShape {
  itemKind?: string;
  kubelet: boolean;
}

class ProblemRecorder implements ObjectProblems {
  readonly problems: ObjectProblem[] = [];

  warn(message: string): void {
    this.problems.push({ warning: message });
  }

  unparsed(line: number, reason: string): void {
    this.problems.push({ line, reason });
  }
}

/**
 * Accumulates facts from Kubernetes objects across documents (one member); shared by the
 * kubectl parser (text and streamed JSON) and the cluster-info dump reader.
 */
export class KubeObjectCollector implements ObjectProblems {
  readonly facts: Pick<Facts, KubeFactKey> = {
    pods: [], nodes: [], events: [], leases: [], workloads: [], pdbs: [], kubeletPodLists: [], ipamBlocks: [], ipamHandles: [],
  };
  readonly seen = new Set<KubeFactKey>();
  readonly unparsedLines: Unparsed[] = [];
  readonly warnings: string[] = [];
  readonly ignoredKinds = new Map<string, number>();
  objects = 0;

  constructor(readonly ctx: KubectlParseContext) {}

  warn(message: string): void {
    this.warnings.push(message);
  }

  unparsed(line: number, reason: string): void {
    this.unparsedLines.push({ path: this.ctx.path, line, reason });
  }

  /**
   * Add one top-level document: a List / typed list, a single object, or an array of
   * objects. `lineOf` gives the start line of nested objects (items).
   */
  addDocument(doc: LocatedObject, lineOf: (value: object) => number | undefined, isComplete: (value: object) => boolean): void {
    const { value } = doc;
    if (Array.isArray(value)) {
      for (const item of value) this.addObject(item, undefined, lineOf(item as object) ?? doc.line, isComplete(item as object));
      return;
    }
    if (!isJsonObject(value)) {
      this.unparsed(doc.line, `not a Kubernetes object (${value === null ? 'null' : typeof value})`);
      return;
    }
    const items = value.items;
    const shape = Array.isArray(items) ? this.listShape(value, items.length > 0 && items.every(isPodObject)) : undefined;
    if (!Array.isArray(items) || !shape) {
      this.addObject(value, undefined, doc.line, doc.complete);
      return;
    }
    const list = new KubeList(this, doc.line, { shape });
    for (const item of items) list.add(item, isJsonObject(item) ? lineOf(item) : undefined, isJsonObject(item) ? isComplete(item) : true);
    list.close(value, doc.complete);
  }

  /**
   * Start a List whose kind and metadata may not be known yet (a streamed `kubectl get -o json`
   * prints them after the items). `head` holds the keys read before the items.
   */
  openList(line: number, head: JsonObject): KubeList {
    return new KubeList(this, line, { head });
  }

  /** Add one object (or what should have been one) found at `line`. */
  addObject(item: JsonValue | undefined, listItemKind: string | undefined, line: number, complete: boolean): void {
    this.apply(this.convert(item, listItemKind, line, complete));
  }

  /** How a document with an `items` array is read; undefined when it is not a list (its kind does not end in `List`). */
  listShape(list: JsonObject, allPods: boolean): ListShape | undefined {
    const kind = str(list.kind);
    if (kind !== undefined && !kind.endsWith('List')) return undefined;
    const itemKind = listItemKind(kind);
    return { ...opt('itemKind', itemKind), kubelet: (itemKind === 'Pod' || (!itemKind && allPods)) && this.isKubeletPodList(list) };
  }

  private isKubeletPodList(list: JsonObject): boolean {
    if (KUBELET_POD_LIST_PATH.test(this.ctx.path)) return true;
    const meta = list.metadata;
    return str(list.kind) === 'PodList' && (!isJsonObject(meta) || meta.resourceVersion === undefined);
  }

  /** The kubelet pod list entry of one item. */
  kubeletPod(item: JsonValue | undefined): KubeletPodSummary {
    const meta = isJsonObject(item) ? obj(item.metadata) : undefined;
    const name = str(meta?.name);
    if (!isJsonObject(item) || !meta || !name) return undefined;
    return { pod: { namespace: str(meta.namespace) ?? 'default', name, ...opt('uid', str(meta.uid)) }, ...opt('nodeName', str(obj(item.spec)?.nodeName)) };
  }

  addKubeletPodList(items: KubeletPodSummary[], line: number): void {
    this.seen.add('kubeletPodLists');
    const pods: KubeletPodListFact['pods'] = [];
    let nodeFromPods: string | undefined;
    for (const item of items) {
      if (!item) {
        this.unparsed(line, 'kubelet pod list item without metadata.name');
        continue;
      }
      nodeFromPods ??= item.nodeName;
      pods.push(item.pod);
    }
    this.objects += pods.length;
    const node = this.ctx.node ?? nodeFromPods;
    this.facts.kubeletPodLists.push({ ...opt('node', node), pods, source: { path: this.ctx.path, line } });
  }

  convert(item: JsonValue | undefined, listItemKind: string | undefined, line: number, complete: boolean): ObjectOutcome {
    if (!isJsonObject(item)) return { type: 'unparsed', line, reason: 'list item is not an object' };
    if (!complete) return { type: 'unparsed', line, reason: 'object truncated (the input ends inside it)' };
    const kind = str(item.kind) ?? listItemKind;
    if (!kind) return { type: 'unparsed', line, reason: 'object without kind' };
    const key = factKeyOfKind(kind);
    if (!key) return { type: 'ignored', kind };
    const source: Provenance = { path: this.ctx.path, line };
    const problems = new ProblemRecorder();
    let fact: unknown;
    switch (key) {
      case 'pods': fact = podFromObject(item, source, problems); break;
      case 'nodes': fact = nodeFromObject(item, source, problems); break;
      case 'events': fact = eventFromObject(item, source, problems); break;
      case 'leases': fact = leaseFromObject(item, source, problems); break;
      case 'workloads': fact = workloadFromObject(item, kind as WorkloadFact['kind'], source, problems); break;
      case 'pdbs': fact = pdbFromObject(item, source, problems); break;
      case 'ipamBlocks': fact = ipamBlockFromObject(item, source, problems); break;
      case 'ipamHandles': fact = ipamHandleFromObject(item, source, problems); break;
      case 'kubeletPodLists': break;
    }
    return { type: 'fact', key, fact, problems: problems.problems };
  }

  apply(outcome: ObjectOutcome): void {
    switch (outcome.type) {
      case 'unparsed':
        this.unparsed(outcome.line, outcome.reason);
        return;
      case 'ignored':
        this.ignoredKinds.set(outcome.kind, (this.ignoredKinds.get(outcome.kind) ?? 0) + 1);
        return;
      case 'fact':
        this.seen.add(outcome.key);
        this.objects++;
        for (const p of outcome.problems) {
          if ('warning' in p) this.warn(p.warning);
          else this.unparsed(p.line, p.reason);
        }
        if (outcome.fact !== undefined) (this.facts[outcome.key] as unknown[]).push(outcome.fact);
    }
  }

  /** A JSON syntax error ended the reading: say so, after the documents read before it. */
  jsonEndedEarly(error: JsonSyntaxProblem): void {
    this.warn(`${this.ctx.path}: JSON ends early at line ${error.line} (${error.reason}); kept the objects read before it`);
    this.unparsed(error.line, `JSON syntax: ${error.reason}`);
  }

  result(): StateParseResult<Partial<Facts>> {
    const value: Partial<Facts> = {};
    for (const key of this.seen) (value as Record<KubeFactKey, unknown>)[key] = this.facts[key];
    const warnings = [...this.warnings];
    if (this.ignoredKinds.size > 0) {
      const kinds = [...this.ignoredKinds.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([k, n]) => `${k} (${n})`);
      warnings.push(`${this.ctx.path}: ignored ${[...this.ignoredKinds.values()].reduce((a, b) => a + b, 0)} object(s) of kinds not analysed: ${kinds.join(', ')}`);
    }
    return { value, unparsed: this.unparsedLines, warnings };
  }

  /** `result()` of a whole kubectl member; a `ParseError` when nothing in it was a Kubernetes object. */
  memberResult(): StateParseResult<Partial<Facts>> {
    if (this.seen.size === 0 && this.ignoredKinds.size === 0 && this.unparsedLines.length > 0) {
      throw new ParseError(this.ctx.path, `no Kubernetes objects (${this.unparsedLines[0]!.reason})`);
    }
    return this.result();
  }
}

/** An item the list keeps until its kind is known: what it contributes under each possible kind. */
interface PendingItem {
  line: number;
  pod: KubeletPodSummary;
  /** When the item's own kind (or its shape) decides. */
  outcome?: ObjectOutcome;
  /** A kind-less object: its outcome per candidate list item kind. */
  byKind?: Map<string, ObjectOutcome>;
}

/**
 * The items of one List document, added one at a time. When the List's kind and metadata are
 * known up front (`shape`) items go straight to the collector; otherwise (kubectl prints keys
 * sorted, so `kind` and `metadata` follow `items`) each item is kept as what it would
 * contribute — facts and a kubelet pod summary, never its tree — until `close` decides.
 */
export class KubeList {
  private count = 0;
  private allPods = true;
  private readonly pods: KubeletPodSummary[] = [];
  private readonly pending: PendingItem[] = [];
  private readonly shape: ListShape | undefined;
  /** Item kinds a kind-less item is converted as while the list kind is unknown. */
  private readonly candidateKinds: readonly string[];

  constructor(private readonly collector: KubeObjectCollector, readonly line: number, known: { shape: ListShape } | { head: JsonObject }) {
    if ('shape' in known) {
      this.shape = known.shape;
      this.candidateKinds = [];
      if (known.shape.kubelet) collector.seen.add('kubeletPodLists');
      else {
        const key = known.shape.itemKind ? factKeyOfKind(known.shape.itemKind) : undefined;
        if (key) collector.seen.add(key);
      }
    } else {
      const headKind = str(known.head.kind);
      const itemKind = listItemKind(headKind);
      this.candidateKinds = known.head.kind === undefined ? ANALYSED_KINDS : itemKind && factKeyOfKind(itemKind) ? [itemKind] : [];
    }
  }

  /** `line`/`complete` are the item's own when it is an object. */
  add(item: JsonValue, line: number | undefined, complete: boolean): void {
    this.count++;
    if (!isPodObject(item)) this.allPods = false;
    const itemLine = (isJsonObject(item) ? line : undefined) ?? this.line;
    const itemComplete = isJsonObject(item) ? complete : true;
    const { shape, collector } = this;
    if (shape?.kubelet) {
      this.pods.push(collector.kubeletPod(item));
      return;
    }
    if (shape) {
      collector.addObject(item, shape.itemKind, itemLine, itemComplete);
      return;
    }
    const pending: PendingItem = { line: itemLine, pod: collector.kubeletPod(item) };
    if (isJsonObject(item) && itemComplete && str(item.kind) === undefined) {
      pending.byKind = new Map(this.candidateKinds.map((kind) => [kind, collector.convert(item, kind, itemLine, true)]));
    } else {
      pending.outcome = collector.convert(item, undefined, itemLine, itemComplete);
    }
    this.pending.push(pending);
  }

  /** The list's own keys are known (items replaced); `complete` is false when the input ended inside the list. */
  close(list: JsonObject, complete: boolean): void {
    const { collector } = this;
    if (this.shape) {
      if (this.shape.kubelet) collector.addKubeletPodList(this.pods, this.line);
      else this.warnIfTruncated(list, complete);
      return;
    }
    const shape = Array.isArray(list.items) ? collector.listShape(list, this.count > 0 && this.allPods) : undefined;
    if (!shape) {
      collector.addObject(list, undefined, this.line, complete);
      return;
    }
    if (shape.kubelet) {
      collector.addKubeletPodList(this.pending.map((p) => p.pod), this.line);
      return;
    }
    const { itemKind } = shape;
    const key = itemKind ? factKeyOfKind(itemKind) : undefined;
    if (key) collector.seen.add(key);
    for (const p of this.pending) {
      if (p.outcome) collector.apply(p.outcome);
      else if (itemKind === undefined) collector.apply({ type: 'unparsed', line: p.line, reason: 'object without kind' });
      else if (!factKeyOfKind(itemKind)) collector.apply({ type: 'ignored', kind: itemKind });
      else collector.apply(p.byKind?.get(itemKind) ?? { type: 'unparsed', line: p.line, reason: `list kind ${str(list.kind)} differs from the one read before its items` });
    }
    this.warnIfTruncated(list, complete);
  }

  private warnIfTruncated(list: JsonObject, complete: boolean): void {
    if (!complete) this.collector.warn(`${this.collector.ctx.path}: ${str(list.kind) ?? 'list'} at line ${this.line} is truncated; kept ${this.count} item(s) read before the cut`);
  }
}

function isPodObject(item: JsonValue): boolean {
  return isJsonObject(item) && str(item.kind) === 'Pod';
}

/** `PodList` → `Pod`; `List` (kubectl's mixed list) and no kind → undefined. */
function listItemKind(listKind: string | undefined): string | undefined {
  return listKind && listKind !== 'List' && listKind.endsWith('List') ? listKind.slice(0, -'List'.length) : undefined;
}

/**
 * Parse `kubectl get … -o json|yaml` output (or a JSON array of objects) into facts.
 * Throws `ParseError` only when the text is not JSON/YAML at all or holds no object.
 */
export function parseKubernetesObjects(text: string, ctx: KubectlParseContext): StateParseResult<Partial<Facts>> {
  const collector = new KubeObjectCollector(ctx);
  const start = firstContentOffset(text);
  const first = text[start];
  if (first === undefined) throw new ParseError(ctx.path, 'empty input');
  if (first === '{' || first === '[') readJson(text, collector);
  else readYaml(text, collector);
  return collector.memberResult();
}

/** The `ParseError` for JSON that broke before any object was complete. */
export function invalidJsonError(path: string, error: JsonSyntaxProblem): ParseError {
  return new ParseError(path, `invalid JSON at line ${error.line}: ${error.reason}`);
}

function readJson(text: string, collector: KubeObjectCollector): void {
  const parsed = parseJsonLossless(blankCommentHeader(text));
  const usable = parsed.documents.filter((d) => d.complete || isJsonObject(d.value) || Array.isArray(d.value));
  if (parsed.error && (usable.length === 0 || !hasAnyCompleteObject(parsed.documents, parsed.isComplete))) {
    throw invalidJsonError(collector.ctx.path, parsed.error);
  }
  for (const doc of parsed.documents) collector.addDocument(doc, parsed.lineOf, parsed.isComplete);
  if (parsed.error) collector.jsonEndedEarly(parsed.error);
}

function hasAnyCompleteObject(docs: LocatedObject[], isComplete: (v: object) => boolean): boolean {
  for (const doc of docs) {
    if (doc.complete) return true;
    const v = doc.value;
    const items = Array.isArray(v) ? v : isJsonObject(v) && Array.isArray(v.items) ? v.items : [];
    if (items.some((item) => typeof item === 'object' && item !== null && isComplete(item))) return true;
  }
  return false;
}

function readYaml(text: string, collector: KubeObjectCollector): void {
  const { LineCounter, isMap, isNode, isSeq, parseAllDocuments } = yaml();
  const lineCounter = new LineCounter();
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, { lineCounter, intAsBigInt: true, uniqueKeys: false, prettyErrors: false }) as Document.Parsed[];
  } catch (e) {
    throw new ParseError(collector.ctx.path, `invalid YAML: ${(e as Error).message}`);
  }
  if (!Array.isArray(docs)) docs = [];
  const lineAt = (offset: number | undefined): number => (offset === undefined ? 1 : lineCounter.linePos(offset).line);
  let errors = 0;
  for (const doc of docs) {
    for (const error of doc.errors) {
      errors++;
      collector.unparsed(lineAt(error.pos[0]), `YAML: ${error.message.split('\n')[0]}`);
    }
    const contents = doc.contents;
    if (!contents) continue;
    const lines = new WeakMap<object, number>();
    const toValue = (node: unknown): JsonValue => {
      const value = fromYaml(isNode(node) ? node.toJS(doc, { maxAliasCount: 100 }) : node);
      if (typeof value === 'object' && value !== null && isNode(node)) lines.set(value, lineAt(node.range?.[0]));
      return value;
    };
    let value: JsonValue;
    try {
      if (isSeq(contents)) {
        value = contents.items.map(toValue);
      } else {
        value = toValue(contents);
        const items = isMap(contents) ? contents.get('items', true) : undefined;
        if (isJsonObject(value) && isSeq(items)) value.items = items.items.map(toValue);
      }
    } catch (e) {
      collector.unparsed(lineAt(contents.range?.[0]), `YAML: ${(e as Error).message}`);
      continue;
    }
    collector.addDocument({ value, line: lineAt(contents.range?.[0]), complete: true }, (v) => lines.get(v), () => true);
  }
  if (errors > 0) collector.warn(`${collector.ctx.path}: ${errors} YAML error(s); kept the objects that could be read`);
}

/** YAML → JSON-shaped values: BigInt within ±2^53 become numbers, beyond stay decimal strings. */
function fromYaml(value: unknown): JsonValue {
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
  }
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(fromYaml);
  if (typeof value === 'object') {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (k === '__proto__') Object.defineProperty(out, k, { value: fromYaml(v), enumerable: true, writable: true, configurable: true });
      else out[k] = fromYaml(v);
    }
    return out;
  }
  return String(value);
}

/** Offset of the first character that is not whitespace or a `#` comment line. */
function firstContentOffset(text: string): number {
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\ufeff') i++;
    else if (c === '#') {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl + 1;
    } else break;
  }
  return i;
}

/** Blank leading `#` comment lines (sample headers) and a BOM, keeping line numbers. */
function blankCommentHeader(text: string): string {
  const start = firstContentOffset(text);
  if (start === 0) return text;
  return text.slice(0, start).replace(/[^\n]/g, ' ') + text.slice(start);
}

function factKeyOfKind(kind: string): KubeFactKey | undefined {
  switch (kind) {
    case 'Pod': return 'pods';
    case 'Node': return 'nodes';
    case 'Event': return 'events';
    case 'Lease': return 'leases';
    case 'Deployment': case 'DaemonSet': case 'StatefulSet': case 'ReplicaSet': return 'workloads';
    case 'PodDisruptionBudget': return 'pdbs';
    case 'IPAMBlock': return 'ipamBlocks';
    case 'IPAMHandle': return 'ipamHandles';
    default: return undefined;
  }
}

// ---------------------------------------------------------------- value helpers

export function str(v: JsonValue | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function num(v: JsonValue | undefined): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^-?\d+(?:\.\d+)?$/.test(v)) return Number(v);
  return undefined;
}

export function obj(v: JsonValue | undefined): JsonObject | undefined {
  return isJsonObject(v) ? v : undefined;
}

export function arr(v: JsonValue | undefined): JsonValue[] {
  return Array.isArray(v) ? v : [];
}

function time(v: JsonValue | undefined): number | undefined {
  return typeof v === 'string' ? isoToMicros(v) : undefined;
}

function bool(v: JsonValue | undefined): boolean | undefined {
  return typeof v === 'boolean' ? v : undefined;
}

/** String map (labels, annotations); non-string values are kept as their JSON text. */
export function stringMap(v: JsonValue | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isJsonObject(v)) return out;
  for (const [k, val] of Object.entries(v)) {
    if (val === null) continue;
    out[k] = typeof val === 'string' ? val : JSON.stringify(val);
  }
  return out;
}

/** `{ key: value }` when value is defined, else `{}` — keeps absent fields absent. */
export function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function named(item: JsonObject, source: Provenance, problems: ObjectProblems, kind: string): { meta: JsonObject; name: string } | undefined {
  const meta = obj(item.metadata);
  const name = str(meta?.name);
  if (!meta || !name) {
    problems.unparsed(source.line ?? 1, `${kind} without metadata.name`);
    return undefined;
  }
  return { meta, name };
}

function owner(meta: JsonObject): { ownerKind?: string; ownerName?: string } {
  const first = obj(arr(meta.ownerReferences)[0]);
  return { ...opt('ownerKind', str(first?.kind)), ...opt('ownerName', str(first?.name)) };
}

// ---------------------------------------------------------------- Pod

function condition(v: JsonValue): PodCondition | undefined {
  const c = obj(v);
  const type = str(c?.type);
  if (!c || !type) return undefined;
  return {
    type,
    status: str(c.status) ?? 'Unknown',
    ...opt('reason', str(c.reason)),
    ...opt('message', str(c.message)),
    ...opt('lastTransitionTime', time(c.lastTransitionTime)),
  };
}

function termination(v: JsonValue | undefined): ContainerTermination | undefined {
  const t = obj(v);
  if (!t) return undefined;
  return {
    ...opt('reason', str(t.reason)),
    ...opt('exitCode', num(t.exitCode)),
    ...opt('message', str(t.message)),
    ...opt('startedAt', time(t.startedAt)),
    ...opt('finishedAt', time(t.finishedAt)),
  };
}

function containerStatus(v: JsonValue): ContainerStatusFact | undefined {
  const s = obj(v);
  const name = str(s?.name);
  if (!s || !name) return undefined;
  const state = obj(s.state);
  const running = obj(state?.running);
  const waiting = obj(state?.waiting);
  const terminated = obj(state?.terminated);
  const current = running ?? waiting ?? terminated;
  return {
    name,
    ...opt('image', str(s.image)),
    ...opt('ready', bool(s.ready)),
    restartCount: num(s.restartCount) ?? 0,
    ...opt('containerID', str(s.containerID)),
    state: running ? 'running' : waiting ? 'waiting' : terminated ? 'terminated' : 'unknown',
    ...opt('stateReason', str(current?.reason)),
    ...opt('stateMessage', str(current?.message)),
    ...opt('startedAt', time(running?.startedAt ?? terminated?.startedAt)),
    ...opt('terminated', termination(terminated)),
    ...opt('lastTerminated', termination(obj(s.lastState)?.terminated)),
  };
}

export function podFromObject(item: JsonObject, source: Provenance, problems: ObjectProblems): PodFact | undefined {
  const id = named(item, source, problems, 'Pod');
  if (!id) return undefined;
  const { meta, name } = id;
  const spec = obj(item.spec);
  const status = obj(item.status);
  const specContainers = [...arr(spec?.initContainers), ...arr(spec?.containers)].map(obj).filter((c): c is JsonObject => !!c);
  const specArgs: Record<string, string[]> = {};
  for (const c of specContainers) {
    const cname = str(c.name);
    if (!cname) continue;
    const words = [...arr(c.command), ...arr(c.args)].filter((w): w is string => typeof w === 'string');
    if (words.length) specArgs[cname] = words;
  }
  return {
    namespace: str(meta.namespace) ?? 'default',
    name,
    ...opt('uid', str(meta.uid)),
    ...opt('nodeName', str(spec?.nodeName)),
    ...opt('phase', str(status?.phase)),
    ...opt('creationTimestamp', time(meta.creationTimestamp)),
    ...opt('deletionTimestamp', time(meta.deletionTimestamp)),
    ...owner(meta),
    labels: stringMap(meta.labels),
    annotations: stringMap(meta.annotations),
    conditions: arr(status?.conditions).map(condition).filter((c): c is PodCondition => !!c),
    containers: arr(status?.containerStatuses).map(containerStatus).filter((c): c is ContainerStatusFact => !!c),
    initContainers: arr(status?.initContainerStatuses).map(containerStatus).filter((c): c is ContainerStatusFact => !!c),
    specImages: specContainers.map((c) => str(c.image)).filter((i): i is string => !!i),
    specArgs,
    source,
  };
}

// ---------------------------------------------------------------- Node

export function nodeFromObject(item: JsonObject, source: Provenance, problems: ObjectProblems): NodeFact | undefined {
  const id = named(item, source, problems, 'Node');
  if (!id) return undefined;
  const { meta, name } = id;
  const spec = obj(item.spec);
  const status = obj(item.status);
  const readyRaw = arr(status?.conditions).map(obj).find((c) => str(c?.type) === 'Ready');
  const ready = readyRaw ? condition(readyRaw) : undefined;
  const annotations = stringMap(meta.annotations);
  const tunnel = annotations['projectcalico.org/IPv4VXLANTunnelAddr'];
  const internalIP = arr(status?.addresses).map(obj).find((a) => str(a?.type) === 'InternalIP');
  const nodeInfo = obj(status?.nodeInfo);
  return {
    name,
    ...(ready ? { ready: { ...ready, ...opt('lastHeartbeatTime', time(readyRaw?.lastHeartbeatTime)) } } : {}),
    unschedulable: bool(spec?.unschedulable) ?? false,
    ...opt('bootID', str(nodeInfo?.bootID)),
    ...opt('kubeletVersion', str(nodeInfo?.kubeletVersion)),
    annotations,
    labels: stringMap(meta.labels),
    ...opt('vxlanTunnelAddr', tunnel ? tunnel.trim().replace(MASK_SUFFIX, '') : undefined),
    ...opt('internalIP', str(internalIP?.address)),
    ...opt('podCIDR', str(spec?.podCIDR)),
    source,
  };
}

// ---------------------------------------------------------------- Event

export function eventFromObject(item: JsonObject, source: Provenance, problems: ObjectProblems): EventFact | undefined {
  const meta = obj(item.metadata);
  const reason = str(item.reason);
  const isEventsV1 = (str(item.apiVersion) ?? '').startsWith('events.k8s.io/') || item.regarding !== undefined || item.note !== undefined;
  const involved = obj(isEventsV1 ? item.regarding : item.involvedObject);
  if (reason === undefined && !involved) {
    problems.unparsed(source.line ?? 1, 'Event without reason or involved object');
    return undefined;
  }
  const series = obj(item.series);
  const legacySource = obj(isEventsV1 ? item.deprecatedSource : item.source);
  const count = num(series?.count) ?? num(isEventsV1 ? item.deprecatedCount : item.count) ?? 1;
  return {
    ...opt('namespace', str(meta?.namespace) ?? str(involved?.namespace)),
    ...opt('name', str(meta?.name)),
    ...opt('type', str(item.type)),
    reason: reason ?? '',
    message: (str(isEventsV1 ? item.note : item.message) ?? '').trim(),
    involved: {
      ...opt('kind', str(involved?.kind)),
      ...opt('namespace', str(involved?.namespace)),
      ...opt('name', str(involved?.name)),
      ...opt('uid', str(involved?.uid)),
    },
    count,
    ...opt('firstTimestamp', time(isEventsV1 ? item.deprecatedFirstTimestamp : item.firstTimestamp)),
    ...opt('lastTimestamp', time(isEventsV1 ? item.deprecatedLastTimestamp : item.lastTimestamp) ?? time(series?.lastObservedTime)),
    ...opt('eventTime', time(item.eventTime)),
    ...opt('sourceComponent', str(legacySource?.component) || str(item.reportingController) || str(item.reportingComponent) || undefined),
    ...opt('sourceHost', str(legacySource?.host) || str(item.reportingInstance) || undefined),
    source,
  };
}

// ---------------------------------------------------------------- Lease

export function leaseFromObject(item: JsonObject, source: Provenance, problems: ObjectProblems): LeaseFact | undefined {
  const id = named(item, source, problems, 'Lease');
  if (!id) return undefined;
  const spec = obj(item.spec);
  return {
    namespace: str(id.meta.namespace) ?? 'default',
    name: id.name,
    ...opt('holderIdentity', str(spec?.holderIdentity)),
    ...opt('renewTime', time(spec?.renewTime)),
    ...opt('acquireTime', time(spec?.acquireTime)),
    ...opt('leaseDurationSeconds', num(spec?.leaseDurationSeconds)),
    ...opt('leaseTransitions', num(spec?.leaseTransitions)),
    source,
  };
}

// ---------------------------------------------------------------- Deployment / DaemonSet / StatefulSet / ReplicaSet

function workloadContainer(v: JsonValue): WorkloadContainer | undefined {
  const c = obj(v);
  const name = str(c?.name);
  if (!c || !name) return undefined;
  const env: Record<string, string> = {};
  for (const e of arr(c.env).map(obj)) {
    const key = str(e?.name);
    const value = str(e?.value);
    if (key && value !== undefined) env[key] = value;
  }
  return {
    name,
    ...opt('image', str(c.image)),
    env,
    args: arr(c.args).filter((w): w is string => typeof w === 'string'),
    command: arr(c.command).filter((w): w is string => typeof w === 'string'),
  };
}

/** DaemonSets have no `spec.replicas`: replicas/ready/available come from `desiredNumberScheduled`/`numberReady`/`numberAvailable`. */
export function workloadFromObject(item: JsonObject, kind: WorkloadFact['kind'], source: Provenance, problems: ObjectProblems): WorkloadFact | undefined {
  const id = named(item, source, problems, kind);
  if (!id) return undefined;
  const { meta, name } = id;
  const spec = obj(item.spec);
  const status = obj(item.status);
  const podSpec = obj(obj(spec?.template)?.spec);
  const daemon = kind === 'DaemonSet';
  return {
    kind,
    namespace: str(meta.namespace) ?? 'default',
    name,
    ...opt('uid', str(meta.uid)),
    ...opt('generation', num(meta.generation)),
    ...opt('observedGeneration', num(status?.observedGeneration)),
    ...opt('replicas', daemon ? num(status?.desiredNumberScheduled) : num(spec?.replicas)),
    ...opt('readyReplicas', daemon ? num(status?.numberReady) : num(status?.readyReplicas)),
    ...opt('availableReplicas', daemon ? num(status?.numberAvailable) : num(status?.availableReplicas)),
    ...owner(meta),
    ...opt('creationTimestamp', time(meta.creationTimestamp)),
    containers: [...arr(podSpec?.initContainers), ...arr(podSpec?.containers)]
      .map(workloadContainer)
      .filter((c): c is WorkloadContainer => !!c),
    source,
  };
}

// ---------------------------------------------------------------- PodDisruptionBudget

function intOrString(v: JsonValue | undefined): string | undefined {
  return typeof v === 'number' ? String(v) : str(v);
}

export function pdbFromObject(item: JsonObject, source: Provenance, problems: ObjectProblems): PdbFact | undefined {
  const id = named(item, source, problems, 'PodDisruptionBudget');
  if (!id) return undefined;
  const spec = obj(item.spec);
  const status = obj(item.status);
  return {
    namespace: str(id.meta.namespace) ?? 'default',
    name: id.name,
    ...opt('minAvailable', intOrString(spec?.minAvailable)),
    ...opt('maxUnavailable', intOrString(spec?.maxUnavailable)),
    ...opt('currentHealthy', num(status?.currentHealthy)),
    ...opt('desiredHealthy', num(status?.desiredHealthy)),
    ...opt('disruptionsAllowed', num(status?.disruptionsAllowed)),
    ...opt('expectedPods', num(status?.expectedPods)),
    source,
  };
}
