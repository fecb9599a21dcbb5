import { describe, it, expect } from 'vitest';
import { EventStore } from '../../src/engine/store.js';
import { DeferredRecord } from '../../src/model/deferred-record.js';

const T0 = 1779027302000000;

function deferred(text: string, ts: number, entry: number): DeferredRecord {
  const chunk = Buffer.from(`MESSAGE=${text}\n__CURSOR=c${entry}\n`);
  const record = new DeferredRecord(ts, { path: 'j.export', entry }, chunk, 8, 8 + Buffer.byteLength(text), Buffer.byteLength(text) + 18, chunk.length - 1);
  record.node = 'k8s03';
  record.unit = 'snap.microk8s.daemon-kubelite';
  return record;
}

const ownMessage = (record: unknown) => Object.prototype.hasOwnProperty.call(record, 'message');

describe('EventStore and quiet records', () => {
  it('settles the quiet records it keeps as a unit’s last line when told to, and the line before a silence at once', () => {
    const store = new EventStore();
    const beforeSilence = deferred('I0518 sync loop', T0, 1);
    const afterSilence = deferred('I0518 back', T0 + 120_000_000, 2);
    store.addRecord(beforeSilence, true);
    expect(ownMessage(beforeSilence)).toBe(false);
    store.addRecord(afterSilence, true);
    expect(ownMessage(beforeSilence)).toBe(true);
    expect(beforeSilence.source.cursor).toBe('c1');
    expect(ownMessage(afterSilence)).toBe(false);
    store.settle();
    expect(ownMessage(afterSilence)).toBe(true);
    expect(store.lastRecord('k8s03', 'snap.microk8s.daemon-kubelite', T0 + 60_000_000)).toBe(beforeSilence);
    expect(JSON.parse(JSON.stringify(store.lastRecord('k8s03', 'snap.microk8s.daemon-kubelite', T0 + 200_000_000)))).toMatchObject({ message: 'I0518 back', source: { cursor: 'c2' } });
  });

  it('does not match a record its parser called quiet', () => {
    const store = new EventStore();
    const text = 'E0518 00:16:10.000001 1 kubelet.go:2412] "Skipping pod synchronization" err="PLEG is not healthy: pleg was last seen active 3m0.1s ago; threshold is 3m0s"';
    store.addRecord({ ts: T0, node: 'k8s03', unit: 'snap.microk8s.daemon-kubelite', message: text, source: { path: 'a', line: 1 } });
    store.addRecord({ ts: T0, node: 'k8s03', unit: 'snap.microk8s.daemon-kubelite', message: text, source: { path: 'a', line: 2 } }, true);
    const matched = store.signatureIds.map((id) => store.matchTotal(id)).reduce((a, b) => a + b, 0);
    expect(matched).toBe(1);
  });
});
