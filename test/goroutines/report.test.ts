import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Goroutine, GoroutineDump } from '../../src/model/goroutines.js';
import { aggregate } from '../../src/goroutines/bucket.js';
import { hotspotLabel, rankBuckets } from '../../src/goroutines/rank.js';
import { analyzeGoroutines, parseMinutes, renderGoroutinesText, shortFunc } from '../../src/goroutines/report.js';
import { parseGoroutineDump } from '../../src/parsers/goroutine-dump.js';
import { CORPORA, chunksOf } from './helpers.js';

function g(id: number, state: string, frames: [string, string, number, string?][], extra: Partial<Goroutine> = {}): Goroutine {
  return {
    id, state, locked: false, elided: false, source: { path: 'd', line: id },
    frames: frames.map(([func, file, line, args]) => ({ func, pkg: func.slice(0, func.lastIndexOf('.')), name: func.slice(func.lastIndexOf('.') + 1), file, line, ...(args ? { args } : {}) })),
    ...extra,
  };
}

const IO = (id: number, arg: string): Goroutine => g(id, 'IO wait', [
  ['internal/poll.runtime_pollWait', '/go/src/runtime/netpoll.go', 343, arg],
  ['net.(*conn).Read', '/go/src/net/net.go', 183],
], { createdBy: { func: 'net/http.(*Server).Serve' } });
const RELIST = (id: number, wait: number): Goroutine => g(id, 'chan send', [
  ['runtime.gopark', 'runtime/proc.go', 363],
  ['k8s.io/kubernetes/pkg/kubelet/pleg.(*GenericPLEG).relist', '/src/pleg/generic.go', 261, `0x${id}`],
  ['k8s.io/apimachinery/pkg/util/wait.JitterUntil.func1', '/src/wait.go', 133],
], { waitMinutes: wait, createdBy: { func: 'k8s.io/apimachinery/pkg/util/wait.JitterUntil' } });

describe('aggregate', () => {
  it('similarity levels', () => {
    const items = [IO(1, '0x1'), IO(2, '0x2'), { ...IO(3, '0x1'), frames: IO(3, '0x1').frames.map((f) => ({ ...f, line: f.line + 1 })) }].map((goroutine) => ({ goroutine }));
    expect(aggregate(items, 'exact').map((b) => b.count)).toEqual([1, 1, 1]);
    expect(aggregate(items, 'similar').map((b) => [b.count, b.ids])).toEqual([[2, [1, 2]], [1, [3]]]);
    expect(aggregate(items, 'loose').map((b) => b.count)).toEqual([3]);
  });
  it('merges wait minutes into a range and separates states / locked', () => {
    const items = [RELIST(5, 3), RELIST(6, 490), { ...RELIST(7, 1), locked: true }].map((goroutine) => ({ goroutine, process: 'kubelite' }));
    const b = aggregate(items);
    expect(b.map((x) => [x.count, x.waitMinutes, x.locked, x.processes])).toEqual([[2, { min: 3, max: 490 }, false, ['kubelite']], [1, { min: 1, max: 1 }, true, ['kubelite']]]);
  });
});

describe('rank', () => {
  it('a PLEG relist bucket outranks 50 idle [IO wait] goroutines; then wait, then count', () => {
    const items = [...Array.from({ length: 50 }, (_, i) => IO(100 + i, `0x${i}`)), RELIST(7, 2)].map((goroutine) => ({ goroutine }));
    const ranked = rankBuckets(aggregate(items));
    expect(ranked.map((b) => [b.count, b.state, hotspotLabel(b)])).toEqual([[1, 'chan send', 'PLEG relist'], [50, 'IO wait', undefined]]);
  });
  it('hot spot order: PLEG > CRI > CNI > reflector > etcd; ties deterministic', () => {
    const mk = (id: number, func: string, wait = 0) => ({ goroutine: g(id, 'select', [[func, '/f.go', id]], { waitMinutes: wait }) });
    const items = [
      mk(1, 'go.etcd.io/etcd/client/v3.(*kv).Get', 9),
      mk(2, 'k8s.io/client-go/tools/cache.(*Reflector).watchHandler'),
      mk(3, 'github.com/containernetworking/cni/pkg/invoke.(*RawExec).ExecPlugin'),
      mk(4, 'k8s.io/cri-client/pkg.(*remoteRuntimeService).ListPodSandbox'),
      mk(5, 'k8s.io/kubernetes/pkg/kubelet/pleg.(*GenericPLEG).relist'),
      mk(6, 'main.b', 1),
      mk(7, 'main.a', 1),
      mk(8, 'main.z', 5),
    ];
    const order = rankBuckets(aggregate(items)).map((b) => b.ids[0]);
    expect(order).toEqual([5, 4, 3, 2, 1, 8, 7, 6]);
    expect(rankBuckets(aggregate([...items].reverse())).map((b) => b.ids[0])).toEqual(order);
  });
});

describe('analyzeGoroutines + renderGoroutinesText', () => {
  const dumps: GoroutineDump[] = [
    { path: 'kubelite.txt', process: 'kubelite', goroutines: [RELIST(7, 12), RELIST(8, 12), ...Array.from({ length: 5 }, (_, i) => IO(20 + i, '0x1'))] },
    { path: 'containerd.txt', process: 'containerd', goroutines: [g(1, 'select', [['main.main', '/m.go', 1]])] },
  ];

  it('contract shape', () => {
    const r = analyzeGoroutines(dumps, { unparsed: [{ path: 'b', line: 2, reason: 'x' }, { path: 'a', line: 9, reason: 'y' }] });
    expect(r.goroutines).toBe(8);
    expect(r.dumps).toEqual([{ path: 'kubelite.txt', process: 'kubelite', goroutines: 7 }, { path: 'containerd.txt', process: 'containerd', goroutines: 1 }]);
    expect(r.buckets[0]).toEqual({
      count: 2, state: 'chan send', waitMinutes: { min: 12, max: 12 }, locked: false,
      frames: [
        { func: 'runtime.gopark', file: 'runtime/proc.go', line: 363 },
        { func: 'k8s.io/kubernetes/pkg/kubelet/pleg.(*GenericPLEG).relist', file: '/src/pleg/generic.go', line: 261 },
        { func: 'k8s.io/apimachinery/pkg/util/wait.JitterUntil.func1', file: '/src/wait.go', line: 133 },
      ],
      createdBy: 'k8s.io/apimachinery/pkg/util/wait.JitterUntil', hotspot: 'PLEG relist', ids: [7, 8], processes: ['kubelite'],
    });
    expect(r.buckets.map((b) => b.count)).toEqual([2, 5, 1]);
    expect(r.unparsed.map((u) => u.path)).toEqual(['a', 'b']);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('filter and minWaitMinutes', () => {
    expect(analyzeGoroutines(dumps, { minWaitMinutes: 10 }).buckets.map((b) => b.count)).toEqual([2]);
    const f = analyzeGoroutines(dumps, { filter: /net\/http/ });
    expect(f.goroutines).toBe(8);
    expect(f.buckets.map((b) => [b.count, b.state])).toEqual([[5, 'IO wait']]);
    expect(analyzeGoroutines(dumps, { filter: /m\.go$/g }).buckets.map((b) => b.count)).toEqual([1]);
  });

  it('text: one line per bucket with count, state, wait range, hot spot, short frames, created by', () => {
    const text = renderGoroutinesText(analyzeGoroutines(dumps), { width: 100, color: false });
    const lines = text.split('\n');
    expect(lines[0]).toBe('8 goroutines in 2 dumps (kubelite: 7, containerd: 1); 8 shown in 3 buckets');
    expect(lines[2]).toBe('    2  chan send       12 min       PLEG relist');
    expect(lines[3]).toMatch(/^ {7}pleg\.\(\*GenericPLEG\)\.relist +generic\.go:261$/);
    expect(lines[4]).toMatch(/^ {7}wait\.JitterUntil\.func1 +wait\.go:133$/);
    expect(lines[5]).toBe('       created by wait.JitterUntil');
    expect(lines.every((l) => l.length <= 100)).toBe(true);
    expect(renderGoroutinesText(analyzeGoroutines(dumps), { width: 100, color: true })).toContain('\x1b[33mPLEG relist\x1b[0m');
  });

  it('panicweb corpus end to end', async () => {
    const text = readFileSync(`${CORPORA}/panicparse-static_panicweb.txt`, 'utf8');
    const { dumps: d, unparsed } = await parseGoroutineDump(chunksOf(text, 4096), { path: 'panicweb.txt', process: 'panicweb' });
    const r = analyzeGoroutines(d, { unparsed });
    expect(r.goroutines).toBe(71);
    expect(r.buckets.reduce((n, b) => n + b.count, 0)).toBe(71);
    expect(r.buckets.length).toBeLessThan(71);
    expect(r.buckets[0]?.waitMinutes.max).toBe(2);
    const out = renderGoroutinesText(r, { width: 80, color: false });
    expect(out.split('\n').every((l) => l.length <= 80)).toBe(true);
  });
});

describe('helpers', () => {
  it('parseMinutes', () => {
    expect(parseMinutes('1m')).toBe(1);
    expect(parseMinutes('90s')).toBe(1.5);
    expect(parseMinutes('2h')).toBe(120);
    expect(parseMinutes('5')).toBe(5);
    expect(parseMinutes('soon')).toBeUndefined();
  });
  it('shortFunc', () => {
    expect(shortFunc('k8s.io/kubernetes/pkg/kubelet/pleg.(*GenericPLEG).relist')).toBe('pleg.(*GenericPLEG).relist');
    expect(shortFunc('main.main')).toBe('main.main');
    // a method value (xuxinkun pprof sample) and a generic instantiation keep their package
    expect(shortFunc('k8s.io/kubernetes/pkg/kubelet/pleg.(*GenericPLEG).(k8s.io/kubernetes/pkg/kubelet/pleg.relist)-fm')).toBe('pleg.(*GenericPLEG).(k8s.io/kubernetes/pkg/kubelet/pleg.relist)-fm');
    expect(shortFunc('k8s.io/client-go/tools/cache.(*Reflector).watch')).toBe('cache.(*Reflector).watch');
    expect(shortFunc('k8s.io/apimachinery/pkg/util/wait.PollUntil[...]')).toBe('wait.PollUntil[...]');
    expect(shortFunc('k8s.io/utils/lru.Cache[go.shape.string].Get')).toBe('lru.Cache[go.shape.string].Get');
  });
});
