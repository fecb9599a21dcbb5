import { readFileSync } from 'node:fs';
import { SHARED_CORPORA, SHARED_SAMPLES } from '../support/shared.js';

export const SAMPLES = SHARED_SAMPLES;
export const CORPORA = `${SHARED_CORPORA}/goroutines`;

/** A shared sample without its 4-line `# source/# what/# format/# ---` header. */
export function sample(name: string): string {
  const text = readFileSync(`${SAMPLES}/${name}`, 'utf8');
  const lines = text.split('\n');
  const sep = lines.findIndex((l) => l === '# ---');
  return lines.slice(sep + 1).join('\n');
}

/** Feed text as Buffers of `size` bytes (splits lines and UTF-8 sequences across chunks). */
export async function* chunksOf(text: string | Buffer, size = 7): AsyncGenerator<Buffer> {
  const buf = typeof text === 'string' ? Buffer.from(text) : text;
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

export function countHeaders(text: string): number {
  return text.split('\n').filter((l) => /goroutine \d+ (?:gp=\S+ m=\S+(?: mp=\S+)? )?\[/.test(l)).length;
}
