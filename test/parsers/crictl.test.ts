import { describe, expect, it } from 'vitest';
import { parseCrictlPods, parseCrictlPs } from '../../src/parsers/crictl.js';

describe('crictl', () => {
  it('parses the header sample (crictl ≈1.24 ps -a)', () => {
    const text = [
      'CONTAINER           IMAGE               CREATED             STATE               NAME                        ATTEMPT             POD ID              POD',
      'e422f11ca3b74       e6a0117ec169e       54 minutes ago      Running             centos                      0                   68a89759992ad       centos-67dd9d8678-bxxdv',
    ].join('\n');
    const { value, unparsed } = parseCrictlPs(text, { path: 'crictl-ps' });
    expect(unparsed).toEqual([]);
    expect(value).toEqual([{
      id: 'e422f11ca3b74', image: 'e6a0117ec169e', created: '54 minutes ago', state: 'Running', name: 'centos', attempt: 0,
      podId: '68a89759992ad', pod: 'centos-67dd9d8678-bxxdv', source: { path: 'crictl-ps', line: 2 },
    }]);
  });

  it('old (no POD) and new (POD NAMESPACE) headers', () => {
    const old = parseCrictlPs([
      'CONTAINER           IMAGE               CREATED             STATE               NAME                ATTEMPT             POD ID',
      '1f2e3d4c5b6a7       sha256:abc          About an hour ago   Exited              calico-node         3                   9a8b7c6d5e4f3',
    ].join('\n'), { path: 'x' }).value[0];
    expect(old).toMatchObject({ created: 'About an hour ago', state: 'Exited', attempt: 3, podId: '9a8b7c6d5e4f3' });
    expect(old?.pod).toBeUndefined();
    const current = parseCrictlPs([
      'CONTAINER           IMAGE               CREATED             STATE               NAME                ATTEMPT             POD ID              POD                       NAMESPACE',
      'a1b2c3d4e5f60       3f39089e90831       2 days ago          Running             calico-node         0                   0b1c2d3e4f506       calico-node-x7k2p         kube-system',
    ].join('\n'), { path: 'x' }).value[0];
    expect(current).toMatchObject({ pod: 'calico-node-x7k2p', namespace: 'kube-system', created: '2 days ago' });
  });

  it('crictl pods', () => {
    const { value } = parseCrictlPods([
      'POD ID              CREATED             STATE               NAME                                   NAMESPACE           ATTEMPT             RUNTIME',
      '926f1b5a1d33a       About a minute ago  Ready               nginx-65899c769f-wv2gp                 default             0                   (default)',
      '0b1c2d3e4f506       2 days ago          NotReady            calico-node-x7k2p                      kube-system         4                   (default)',
    ].join('\n'), { path: 'pods' });
    expect(value.map((p) => [p.id, p.created, p.state, p.name, p.namespace, p.attempt, p.runtime])).toEqual([
      ['926f1b5a1d33a', 'About a minute ago', 'Ready', 'nginx-65899c769f-wv2gp', 'default', 0, '(default)'],
      ['0b1c2d3e4f506', '2 days ago', 'NotReady', 'calico-node-x7k2p', 'kube-system', 4, '(default)'],
    ]);
  });
});
