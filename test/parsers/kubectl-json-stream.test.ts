import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sniffKind } from '../../src/bundle/sniff.js';
import { parseKubernetesObjects } from '../../src/parsers/kubectl.js';
import { parseKubernetesJsonStream, type JsonSplitStats } from '../../src/parsers/kubectl-json-stream.js';
import { ParseError } from '../../src/parsers/types.js';
import { SHARED_SAMPLES } from '../support/shared.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Every file the bundle reader would hand to the kubectl JSON parser. */
const KUBECTL_JSON = [...filesUnder(join(ROOT, 'fixtures')), ...filesUnder(join(ROOT, 'test', 'data')), ...filesUnder(SHARED_SAMPLES)]
  .filter((path) => !path.endsWith('expected.json'))
  .filter((path) => {
    const kind = sniffKind(readFileSync(path).subarray(0, 64 * 1024), relative(ROOT, path));
    return 'kind' in kind && kind.kind === 'kubectl-json';
  });

async function* inChunks(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

type Outcome = { result: ReturnType<typeof parseKubernetesObjects> } | { parseError: string };

function textOutcome(bytes: Buffer, path: string): Outcome {
  try {
    return { result: parseKubernetesObjects(bytes.toString('utf8'), { path }) };
  } catch (e) {
    if (e instanceof ParseError) return { parseError: e.message };
    throw e;
  }
}

async function streamOutcome(bytes: Buffer, path: string, chunkSize: number, stats?: JsonSplitStats): Promise<Outcome> {
  try {
    return { result: await parseKubernetesJsonStream(inChunks(bytes, chunkSize), { path }, stats) };
  } catch (e) {
    if (e instanceof ParseError) return { parseError: e.message };
    throw e;
  }
}

async function expectSameAsText(bytes: Buffer, path: string, chunkSizes: number[]): Promise<void> {
  const expected = textOutcome(bytes, path);
  for (const size of chunkSizes) {
    const actual = await streamOutcome(bytes, path, size);
    expect(actual, `${path} in ${size}-byte chunks`).toEqual(expected);
  }
}

describe('parseKubernetesJsonStream: the header sample', () => {
  it('reads a sorted kubectl List, kind and metadata after the items', async () => {
    const sample = [
      '{',
      '    "apiVersion": "v1",',
      '    "items": [',
      '        {',
      '            "apiVersion": "v1",',
      '            "kind": "Pod",',
      '            "metadata": { "name": "argocd-redis-ha-server-0", "namespace": "argocd" }',
      '        }',
      '    ],',
      '    "kind": "List",',
      '    "metadata": {',
      '        "resourceVersion": ""',
      '    }',
      '}',
    ].join('\n');
    const { value, unparsed, warnings } = await parseKubernetesJsonStream(inChunks(Buffer.from(sample), 5), { path: 'pods.json' });
    expect(unparsed).toEqual([]);
    expect(warnings).toEqual([]);
    expect(value.pods!.map((p) => [p.namespace, p.name, p.source.line])).toEqual([['argocd', 'argocd-redis-ha-server-0', 4]]);
  });
});

describe('parseKubernetesJsonStream: same result as the whole-text parse', () => {
  it('finds the kubectl JSON files of the fixtures and test data', () => {
    const names = KUBECTL_JSON.map((p) => relative(ROOT, p));
    expect(names).toContain('fixtures/healthy-cluster/cluster/pods.json');
    expect(names).toContain('fixtures/001-watch-stall/k8s03/kubelet-pods.json');
    expect(names).toContain('test/data/kube/ipamblocks-pir000.json');
    expect(names.length).toBeGreaterThanOrEqual(35);
  });

  it.each(KUBECTL_JSON.map((p) => [relative(ROOT, p), p]))('%s, in 1, 7, 4096-byte chunks and whole', async (name, path) => {
    const bytes = readFileSync(path);
    await expectSameAsText(bytes, name, [1, 7, 4096, bytes.length]);
  }, 60_000);

  it('Go struct order (kind first), kind-less typed-list items, kubelet pod lists by path or by metadata', async () => {
    const nodeList = '{"kind":"NodeList","apiVersion":"v1","metadata":{"resourceVersion":"8393"},"items":[{"metadata":{"name":"n1"}},{"metadata":{"name":"n2"}}]}';
    const podListSorted = '{"apiVersion":"v1","items":[{"metadata":{"name":"p","namespace":"x"},"spec":{"nodeName":"k8s03"}},{"metadata":{}},5],"kind":"PodList","metadata":{}}';
    const kindlessMixed = '{"items":[{"metadata":{"name":"d"},"spec":{"replicas":2}}],"kind":"DeploymentList","metadata":{"resourceVersion":"1"}}';
    const notAList = '{"items":[{"kind":"Pod","metadata":{"name":"p"}}],"kind":"Pod","metadata":{"name":"outer"}}';
    const unknownKind = '{"items":[{"metadata":{"name":"s"}}],"kind":"ServiceList"}';
    const noKind = '{"items":[{"metadata":{"name":"s"}},{"kind":"Lease","metadata":{"name":"l"}}]}';
    for (const [text, path] of [
      [nodeList, 'nodes.json'], [podListSorted, 'pods.json'], [podListSorted, 'k8s03/kubelet-pods.json'], [kindlessMixed, 'd.json'],
      [notAList, 'p.json'], [unknownKind, 's.json'], [noKind, 'n.json'],
      [`${nodeList}\n${kindlessMixed}\n[${notAList}, 7, "x", [1]]\n"tail" 12true`, 'concat.json'],
      ['{"items":[{"kind":"Pod","metadata":{"name":"a"}}],"items":[{"kind":"Pod","metadata":{"name":"b"}}],"kind":"List"}', 'dup.json'],
      ['{"kind":"PodList","items":[{"kind":"Pod","metadata":{"name":"a"}}],"items":7}', 'dup2.json'],
      ['# captured by: kubectl get nodes -o json\n\ufeff  \n' + nodeList, 'header.json'],
      ['{"items":[{"kind":"Pod","metadata":{"name":"\\"]}\\\\","annotations":{"é":"ü😀\\u00e9"}}}],"kind":"List"}', 'escapes.json'],
    ] as const) {
      await expectSameAsText(Buffer.from(text), path, [1, 2, 3, 7, 4096]);
    }
  });

  it('not JSON after the header: read as YAML by the text path', async () => {
    await expectSameAsText(Buffer.from('# header\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n'), 'p.yaml', [1, 4096]);
  });
});

describe('parseKubernetesJsonStream: broken input', () => {
  const nodes = readFileSync(join(ROOT, 'test/data/kube/nodes.json'));

  it('truncated JSON keeps the complete items and reports the cut one, as the text parse does', async () => {
    const cut = nodes.subarray(0, nodes.indexOf('"nodeInfo": {', nodes.indexOf('"name": "k8s01"')));
    const { value, unparsed, warnings } = await parseKubernetesJsonStream(inChunks(cut, 64), { path: 'cut.json' });
    expect(value.nodes!.map((n) => n.name)).toEqual(['k8s03']);
    expect(unparsed).toContainEqual({ path: 'cut.json', line: 73, reason: 'object truncated (the input ends inside it)' });
    expect(unparsed.some((u) => u.reason.startsWith('JSON syntax: unexpected end of input'))).toBe(true);
    expect(warnings.some((w) => w.includes('is truncated; kept 2 item(s) read before the cut'))).toBe(true);
    await expectSameAsText(cut, 'cut.json', [1, 64]);
  });

  it('a cut at every position of a List gives what the text parse gives', async () => {
    const events = readFileSync(join(ROOT, 'test/data/kube/events.json'));
    for (let end = 0; end <= events.length; end += 3) await expectSameAsText(events.subarray(0, end), 'events.json', [4096, 13]);
  }, 120_000);

  it('corrupted bytes (a byte replaced, removed or doubled) give what the text parse gives', async () => {
    const pods = readFileSync(join(ROOT, 'fixtures/001-watch-stall/k8s03/kubelet-pods.json'));
    const small = Buffer.from('{"kind":"PodList","apiVersion":"v1","metadata":{},"items":[{"kind":"Pod","metadata":{"name":"a","uid":"u"},"spec":{"nodeName":"k8s03"}},{"kind":"Pod","metadata":{"name":"b"}}]}\n[1, {"kind":"Lease","metadata":{"name":"l"}}]');
    const junk = [...'{}[]",:\\\n 0tx#é'].map((c) => Buffer.from(c));
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const sorted = Buffer.from(JSON.stringify({
      apiVersion: 'v1',
      items: [
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'é😀', namespace: 'x\\"]}' }, spec: { containers: [{ name: 'c', args: ['a', 'b'] }] } },
        { metadata: { name: 'kindless' }, spec: { nodeName: 'k8s01' } },
        { kind: 'IPAMBlock', metadata: { name: 'b' }, spec: { cidr: '10.1.0.0/26', allocations: [0, null], attributes: [{ handle_id: 'h' }], sequenceNumber: 1 } },
      ],
      kind: 'PodList',
      metadata: { resourceVersion: '' },
    }, null, 2));
    for (const input of [small, sorted, pods.subarray(0, 6000)]) {
      for (let run = 0; run < 400; run++) {
        const at = random(input.length);
        const replacement = junk[random(junk.length)]!;
        const variants = [
          Buffer.concat([input.subarray(0, at), replacement, input.subarray(at + 1)]),
          Buffer.concat([input.subarray(0, at), input.subarray(at + 1)]),
          Buffer.concat([input.subarray(0, at + 1), input.subarray(at)]),
        ];
        for (const v of variants) await expectSameAsText(v, 'k8s03/kubelet-pods.json', [4096, 5]);
      }
    }
  }, 120_000);

  it('arbitrary JSON-ish text gives what the text parse gives, in any chunking', async () => {
    const text = fc.oneof(
      fc.json(),
      fc.string().map((s) => `{"kind":"List","items":[${s}`),
      fc.json().map((s) => `{"items":[${s},${s}],"kind":"PodList"}\n[${s}] ${s}`),
    );
    await fc.assert(fc.asyncProperty(text, fc.integer({ min: 1, max: 9 }), async (s, size) => {
      const bytes = Buffer.from(s);
      for (const path of ['f.json', 'k8s03/kubelet-pods.json']) expect(await streamOutcome(bytes, path, size)).toEqual(textOutcome(bytes, path));
    }), { numRuns: 500 });
  });

  it('input that is not JSON objects at all is a ParseError, as in the text parse', async () => {
    for (const text of ['', '  \n# only a header\n', '{"items": [{"kind": "Pod", "metadata": {"na', '{ this is not json', '[1, 2', '"just a string"', '{"a":1} }']) {
      await expectSameAsText(Buffer.from(text), 'x.json', [1, 4096]);
    }
    await expect(parseKubernetesJsonStream(inChunks(Buffer.from('{ this is not json'), 3), { path: 'x.json' })).rejects.toThrow(ParseError);
  });
});

describe('parseKubernetesJsonStream: memory', () => {
  it('holds one item at a time of a 20,000-item list', async () => {
    const item = (i: number): string => JSON.stringify({
      apiVersion: 'crd.projectcalico.org/v1', kind: 'IPAMBlock',
      metadata: { name: `10-1-${i >> 8}-${i & 255}-26`, resourceVersion: String(i) },
      spec: { affinity: `host:k8s${i % 50}`, allocations: [0, null, 1], attributes: [{ handle_id: `h${i}` }, { handle_id: `g${i}` }], cidr: `10.1.${i >> 8}.${i & 255}/26`, sequenceNumber: 0, unallocated: [2] },
    }, null, 4).replace('"sequenceNumber": 0', '"sequenceNumber": 1690113884806720498');
    const parts = ['{\n    "apiVersion": "v1",\n    "items": [\n'];
    let largest = 0;
    for (let i = 0; i < 20_000; i++) {
      const text = item(i);
      largest = Math.max(largest, Buffer.byteLength(text));
      parts.push(`${i ? ',\n' : ''}${text}`);
    }
    parts.push('\n    ],\n    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n');
    const bytes = Buffer.from(parts.join(''));
    const stats: JsonSplitStats = { items: 0, maxItemBytes: 0, maxHeldBytes: 0 };
    const outcome = await streamOutcome(bytes, 'ipamblocks.json', 64 * 1024, stats);
    expect('result' in outcome && outcome.result.value.ipamBlocks!.length).toBe(20_000);
    expect('result' in outcome && outcome.result.value.ipamBlocks![19_999]!.sequenceNumber).toBe('1690113884806720498');
    expect(stats.items).toBe(20_000);
    expect(stats.maxItemBytes).toBe(largest);
    // Never more than one item (or the small envelope) at once, in a 7 MB input.
    expect(bytes.length).toBeGreaterThan(7_000_000);
    expect(stats.maxHeldBytes).toBeLessThanOrEqual(largest);
    expect(outcome).toEqual(textOutcome(bytes, 'ipamblocks.json'));
  }, 60_000);
});
