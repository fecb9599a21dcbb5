import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { INSPECT_CORPUS, SHARED_SAMPLES } from '../support/shared.js';

export const INSPECT = INSPECT_CORPUS;

/** One member of the real MicroK8s 1.28 inspect report (peer corpus). */
export function inspectMember(member: string): string {
  return execFileSync('tar', ['-xzOf', INSPECT, `inspection-report/${member}`], { maxBuffer: 64 * 1024 * 1024 }).toString('utf8');
}

export function nodeData(name: string): string {
  return readFileSync(fileURLToPath(new URL(`../data/node/${name}`, import.meta.url)), 'utf8');
}

export function nodeDataBuffer(name: string): Buffer {
  return readFileSync(fileURLToPath(new URL(`../data/node/${name}`, import.meta.url)));
}

/** A sample from the shared samples without its 4-line header. */
export function sample(name: string): string {
  const text = readFileSync(`${SHARED_SAMPLES}/${name}`, 'utf8');
  return text.split('\n').slice(4).join('\n');
}
