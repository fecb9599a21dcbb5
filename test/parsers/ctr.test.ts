import { describe, expect, it } from 'vitest';
import { parseCtrContainers, parseCtrSandboxes, parseCtrTasks } from '../../src/parsers/ctr.js';

describe('ctr listings', () => {
  it('parses the header sample (tasks list)', () => {
    const text = [
      'TASK                                                                PID     STATUS    ',
      '69b12e545e5c7a7620e648cedba3286e924f77bba7e1bf90f16b897860d94ae9    4507    RUNNING',
      '065e9affb2f3d2ac41bd9fa6bf727916d82c3259027f0ad0c39514a2873d3cec    5303    STOPPED',
    ].join('\n');
    const { value, unparsed } = parseCtrTasks(text, { path: 'ctr-tasks', node: 'k8s03' });
    expect(unparsed).toEqual([]);
    expect(value).toEqual([
      { id: '69b12e545e5c7a7620e648cedba3286e924f77bba7e1bf90f16b897860d94ae9', pid: 4507, status: 'RUNNING', node: 'k8s03', source: { path: 'ctr-tasks', line: 2 } },
      { id: '065e9affb2f3d2ac41bd9fa6bf727916d82c3259027f0ad0c39514a2873d3cec', pid: 5303, status: 'STOPPED', node: 'k8s03', source: { path: 'ctr-tasks', line: 3 } },
    ]);
  });

  it('containers list with `-` image, and sandboxes with a spaced CREATED cell', () => {
    const containers = parseCtrContainers([
      'CONTAINER                                                           IMAGE                                        RUNTIME                  ',
      '065e9affb2f3d2ac41bd9fa6bf727916d82c3259027f0ad0c39514a2873d3cec    registry.k8s.io/pause:3.7                    io.containerd.runc.v2    ',
      '69b12e545e5c7a7620e648cedba3286e924f77bba7e1bf90f16b897860d94ae9    -                                            io.containerd.runc.v2    ',
    ].join('\n'), { path: 'c' });
    expect(containers.value.map((c) => [c.image, c.runtime])).toEqual([['registry.k8s.io/pause:3.7', 'io.containerd.runc.v2'], [undefined, 'io.containerd.runc.v2']]);
    const sandboxes = parseCtrSandboxes([
      'ID                                                               CREATED                                 RUNTIME ',
      '926f1b5a1d33a0b2c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b 2026-05-18 02:08:11.123456789 +0000 UTC io.containerd.runc.v2 ',
    ].join('\n'), { path: 's' });
    expect(sandboxes.value[0]).toMatchObject({ created: '2026-05-18 02:08:11.123456789 +0000 UTC', runtime: 'io.containerd.runc.v2' });
  });

  it('counts tasks for the orphan-shim comparison and reports garbage', () => {
    const rows = Array.from({ length: 27 }, (_, i) => `${i.toString(16).padStart(64, 'a')}    ${1000 + i}    RUNNING`);
    expect(parseCtrTasks(['TASK    PID    STATUS', ...rows].join('\n'), { path: 't' }).value).toHaveLength(27);
    const bad = parseCtrTasks('ctr: failed to dial "/var/snap/microk8s/common/run/containerd.sock"\n', { path: 't' });
    expect(bad.value).toEqual([]);
    expect(bad.unparsed).toEqual([{ path: 't', line: 1, reason: 'no TASK PID STATUS header found' }]);
  });
});
