import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { KlogBlockAssembler, parseKlog, unquoteGo } from '../../src/parsers/klog.js';
import { sample } from '../goroutines/helpers.js';

describe('klog: header comment sample', () => {
  it('structured line with string values', () => {
    const k = parseKlog('I0427 22:03:04.766787    8704 topology_manager.go:120] "Creating topology manager with policy per scope" topologyPolicyName="none" topologyScopeName="container"');
    expect(k).toMatchObject({
      format: 'text', severity: 'I', month: 4, day: 27, hour: 22, minute: 3, second: 4, micros: 766787, pid: 8704,
      file: 'topology_manager.go', line: 120, structured: true, message: 'Creating topology manager with policy per scope',
      fields: { topologyPolicyName: 'none', topologyScopeName: 'container' },
    });
    expect(k?.rawTail).toBeUndefined();
  });
  it('err aggregate stays whole', () => {
    const k = parseKlog('E0118 10:19:44.767958  197889 kubelet.go:1877] "Skipping pod synchronization" err="[container runtime status check may not have completed yet, PLEG is not healthy: pleg has yet to be successful]"');
    expect(k?.fields.err).toBe('[container runtime status check may not have completed yet, PLEG is not healthy: pleg has yet to be successful]');
    expect(k?.pid).toBe(197889);
  });
  it('unstructured line', () => {
    expect(parseKlog('I0914 14:25:16.516619    1219 server.go:784] Watching apiserver')).toMatchObject({ structured: false, message: 'Watching apiserver', fields: {} });
  });
  it('JSON format', () => {
    const k = parseKlog('{"ts":1753121332054.528,"caller":"kubelet/kubelet.go:446","msg":"Attempting to sync node with API server","v":0}');
    expect(k).toMatchObject({ format: 'json', severity: 'I', file: 'kubelet/kubelet.go', line: 446, message: 'Attempting to sync node with API server', tsMicros: 1753121332054528, month: 7, day: 21 });
    expect(parseKlog('{"ts":1.5,"caller":"json/klog_test.go:9","msg":"test","count":1,"err":"fail"}')).toMatchObject({ severity: 'E', fields: { count: 1, err: 'fail' } });
  });
});

describe('klog values', () => {
  it('Go escapes, JSON values, %+v values with spaces, collapsed pid', () => {
    const k = parseKlog('W0102 03:04:05.000001 12 x.go:1] "say \\"hi\\"\\t\\u00e9\\x41" n=12 ok=true nil=null labels={"a":"b c"} list=["x","y"] pod="kube-system/etcd" assignments=map[a:b c:d] obj=&Pod{Name: x, Spec: {}} last="end"');
    expect(k?.message).toBe('say "hi"\téA');
    expect(k?.fields).toEqual({
      n: 12, ok: true, nil: null, labels: { a: 'b c' }, list: ['x', 'y'], pod: 'kube-system/etcd',
      assignments: 'map[a:b c:d]', obj: '&Pod{Name: x, Spec: {}}', last: 'end',
    });
  });
  it('keeps an unsplittable tail raw', () => {
    const k = parseKlog('I0102 03:04:05.000001 12 x.go:1] "m" a="unterminated');
    expect(k?.structured).toBe(true);
    expect(k?.rawTail).toBe('a="unterminated');
  });
  it('lease-lost samples parse (journal prefix removed by the caller)', () => {
    for (const line of sample('lease-lost__ovn-kubernetes-3070.txt').split('\n').filter(Boolean)) {
      const k = parseKlog(line);
      expect(k?.file).toMatch(/\.go$/);
    }
    const line = sample('lease-lost__microk8s-3859.txt').split('\n')[0]?.replace(/^[^:]+: /, '') ?? '';
    expect(parseKlog(line)).toMatchObject({ severity: 'E', pid: 53319, file: 'leaderelection.go', line: 367, structured: false });
  });
  it('unquoteGo', () => {
    expect(unquoteGo('"a\\nb"')).toBe('a\nb');
    expect(unquoteGo('"bad\\q"')).toBeUndefined();
  });
});

describe('KlogBlockAssembler', () => {
  it('joins TAB and 8-space continuation lines and pairs after the terminator', () => {
    const a = new KlogBlockAssembler();
    const out = [
      ...a.push('E0324 09:19:17.980069      11 iface.go:275] "Observed a panic" panic="x" stacktrace=<').done,
      ...a.push('\tgoroutine 1 [running]:').done,
      ...a.push('        k8s.io/apimachinery/pkg/util/runtime.logPanic()').done,
      ...a.push(' > extra="y"').done,
    ];
    expect(out).toHaveLength(1);
    expect(out[0]?.fields).toEqual({ panic: 'x', stacktrace: 'goroutine 1 [running]:\nk8s.io/apimachinery/pkg/util/runtime.logPanic()', extra: 'y' });
    expect(out[0]?.openBlockKey).toBeUndefined();
  });
  it('a normal line interrupts a truncated block; non-klog lines are not consumed', () => {
    const a = new KlogBlockAssembler();
    a.push('I0101 00:00:00.000000 1 a.go:1] "m" k=<');
    const r = a.push('I0101 00:00:01.000000 1 a.go:2] "n"');
    expect(r.done.map((k) => k.message)).toEqual(['m', 'n']);
    expect(a.push('plain text')).toEqual({ done: [], consumed: false });
    expect(a.flush()).toEqual([]);
  });
});

describe('klog never throws', () => {
  it('arbitrary strings', () => {
    fc.assert(fc.property(fc.string(), (s) => {
      parseKlog(s);
      parseKlog(`I0101 00:00:00.000000 1 a.go:1] ${s}`);
      parseKlog(`I0101 00:00:00.000000 1 a.go:1] "m" ${s}`);
      new KlogBlockAssembler().push(s);
    }), { numRuns: 500 });
  });
});
