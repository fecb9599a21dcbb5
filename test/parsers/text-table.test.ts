import { describe, expect, it } from 'vitest';
import { findHeader, splitLines, splitRow } from '../../src/parsers/text-table.js';

describe('text-table', () => {
  it('cuts the header sample at column offsets, keeping spaced cells', () => {
    const header = 'CONTAINER           IMAGE               CREATED             STATE               NAME                        ATTEMPT             POD ID              POD';
    const row = 'e422f11ca3b74       e6a0117ec169e       54 minutes ago      Running             centos                      0                   68a89759992ad       centos-67dd9d8678-bxxdv';
    const h = findHeader(header, ['CONTAINER', 'IMAGE', 'CREATED', 'STATE', 'NAME', 'ATTEMPT', 'POD ID', 'POD', 'NAMESPACE'], ['CONTAINER'])!;
    expect(h.names).toEqual(['CONTAINER', 'IMAGE', 'CREATED', 'STATE', 'NAME', 'ATTEMPT', 'POD ID', 'POD']);
    expect(splitRow(row, h)).toEqual({ CONTAINER: 'e422f11ca3b74', IMAGE: 'e6a0117ec169e', CREATED: '54 minutes ago', STATE: 'Running', NAME: 'centos', ATTEMPT: '0', 'POD ID': '68a89759992ad', POD: 'centos-67dd9d8678-bxxdv' });
  });

  it('a cell wider than its column pushes the next cut to the next word', () => {
    const h = findHeader('ID    CREATED   RUNTIME', ['ID', 'CREATED', 'RUNTIME'], ['ID'])!;
    expect(splitRow('abcdefghij 5 min  runc', h)).toEqual({ ID: 'abcdefghij', CREATED: '5 min', RUNTIME: 'runc' });
    expect(findHeader('NAMESPACE', ['NAME'], ['NAME'])).toBeUndefined();
    expect(splitLines('a\r\nb\n')).toEqual(['a', 'b']);
  });
});
