import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { LineAssembler, chunksOf, forEachLine, lineText } from '../../src/parsers/line-splitter.js';
import { pieces } from '../support/chunks.js';

async function lines(chunks: AsyncIterable<Buffer>, max?: number) {
  const out: Array<[number, string, boolean]> = [];
  await forEachLine(chunks, (line, n) => out.push([n, lineText(line), line.truncated]), max);
  return out;
}

describe('line splitter', () => {
  it('splits real journal lines across chunk boundaries, keeps a final unterminated line, drops CR', async () => {
    const text =
      'Oct 29 17:23:04 microk8s-vm microk8s.daemon-k8s-dqlite[3754]: ++ cat /var/snap/microk8s/7231/args/k8s-dqlite\r\n' +
      '\n' +
      '-- Boot 63561e025c4e4114aa3ea87c8229cd06 --\n' +
      'Oct 29 17:22:58 microk8s-vm systemd[1]: Started Service for snap application microk8s.daemon-k8s-dqlite.';
    expect(await lines(chunksOf(text, 7))).toEqual([
      [1, 'Oct 29 17:23:04 microk8s-vm microk8s.daemon-k8s-dqlite[3754]: ++ cat /var/snap/microk8s/7231/args/k8s-dqlite', false],
      [2, '', false],
      [3, '-- Boot 63561e025c4e4114aa3ea87c8229cd06 --', false],
      [4, 'Oct 29 17:22:58 microk8s-vm systemd[1]: Started Service for snap application microk8s.daemon-k8s-dqlite.', false],
    ]);
  });

  it('hands out views into the chunk without copying when a line lies inside it', () => {
    const chunk = Buffer.from('abc\ndef\n');
    const assembler = new LineAssembler();
    expect(assembler.take(chunk, 0)).toBe(4);
    expect(assembler.line.buf).toBe(chunk);
    expect([assembler.line.start, assembler.line.end]).toEqual([0, 3]);
  });

  it('caps an over-long line, flags it, and resumes at the next line', async () => {
    const text = 'x'.repeat(100) + '\nshort\n';
    expect(await lines(chunksOf(text, 9), 16)).toEqual([
      [1, 'x'.repeat(16), true],
      [2, 'short', false],
    ]);
  });

  it('matches String.split for any text and any chunking', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: fc.constantFrom('a', 'b', '\n', 'é') , maxLength: 200 }), fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 6 }), async (text, sizes) => {
        const expected = text.split('\n');
        if (expected[expected.length - 1] === '') expected.pop();
        const got = await lines(pieces(Buffer.from(text), sizes));
        expect(got.map(([, l]) => l)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('hands each chunk to recycle once its lines are read, keeping nothing of it', async () => {
    const text = Array.from({ length: 200 }, (_, i) => `line ${i} ${'x'.repeat(i % 37)}`).join('\n');
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 5 }), async (sizes) => {
        const seen: string[] = [];
        let recycled = 0;
        async function* copies(): AsyncGenerator<Buffer> {
          for await (const chunk of pieces(Buffer.from(text), sizes)) yield Buffer.from(chunk);
        }
        await forEachLine(copies(), (line) => seen.push(lineText(line)), undefined, (chunk) => {
          recycled++;
          chunk.fill(0x23); // as a reader reusing the memory would
        });
        expect(seen).toEqual(text.split('\n'));
        expect(recycled).toBeGreaterThan(0);
      }),
      { numRuns: 200 },
    );
  });
});

