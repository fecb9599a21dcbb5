import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { detectGoPanic, parseGoPanic } from '../../src/parsers/go-panic.js';
import { sample } from '../goroutines/helpers.js';

describe('go-panic: header comment sample (kube-controllers#145)', () => {
  it('recovered tombstone panic with nested panics and goroutine 37', () => {
    const p = parseGoPanic(sample('calico-tombstone-panic__kube-controllers-145.txt').split('\n'));
    expect(p).toMatchObject({
      kind: 'panic', recovered: true, repanicked: false, tombstoneType: '*v1beta1.NetworkPolicy',
      message: 'interface conversion: interface {} is cache.DeletedFinalStateUnknown, not *v1beta1.NetworkPolicy',
    });
    expect(p?.nested).toHaveLength(2);
    expect(p?.goroutine).toMatchObject({ id: 37, state: 'running' });
  });
  it('klog "Observed a panic" wrapped in a JSON msg (calico#12741)', () => {
    const line = sample('calico-tombstone-panic__calico-12741.txt').trim();
    expect(detectGoPanic(line)).toEqual({
      kind: 'observed', recovered: true, repanicked: false, tombstoneType: '*v1.Pod',
      message: 'interface conversion: interface {} is cache.DeletedFinalStateUnknown, not *v1.Pod',
    });
  });
});

describe('go-panic variants', () => {
  it('repanicked, fatal, unstructured observed, journal prefix, signal', () => {
    expect(detectGoPanic('panic: error message [recovered, repanicked]')).toMatchObject({ message: 'error message', recovered: true, repanicked: true });
    expect(detectGoPanic('Dec 09 06:14:37 k8s-01 kubelet[32140]: fatal error: schedule: holding locks')).toMatchObject({ kind: 'fatal', message: 'schedule: holding locks' });
    expect(detectGoPanic('E0428 09:37:13.276141 26151 runtime.go:69] Observed a panic: "invalid memory address or nil pointer dereference" (runtime error: invalid memory address or nil pointer dereference)')).toMatchObject({ kind: 'observed', message: '"invalid memory address or nil pointer dereference" (runtime error: invalid memory address or nil pointer dereference)' });
    expect(detectGoPanic('I0101 00:00:00.000000 1 a.go:1] all good')).toBeUndefined();
    const p = parseGoPanic(['panic: runtime error: invalid memory address or nil pointer dereference', '[signal SIGSEGV: segmentation violation code=0x1 addr=0x10 pc=0x319cff5]', '', 'goroutine 303 [running]:', 'main.f(0x0)', '\t/m.go:3 +0x1', 'goroutine 1 [select]:', 'main.main()', '\t/m.go:9 +0x1']);
    expect(p).toMatchObject({ kind: 'panic', signal: 'SIGSEGV: segmentation violation code=0x1 addr=0x10 pc=0x319cff5', goroutine: { id: 303, frames: [{ func: 'main.f', line: 3 }] } });
    expect(parseGoPanic(['nothing here'])).toBeUndefined();
  });
  it('never throws', () => {
    fc.assert(fc.property(fc.array(fc.string(), { maxLength: 8 }), (lines) => { parseGoPanic(['panic: x', ...lines]); lines.forEach((l) => detectGoPanic(l)); }), { numRuns: 300 });
  });
});
