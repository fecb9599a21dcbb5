import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The team's shared documents, samples and peer corpora. They live beside the repository
 * (`../shared`); a clone elsewhere finds them through PLEG_SHARED_DIR or the workspace copy.
 */
function locateShared(): string {
  const beside = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared');
  const candidates = [process.env.PLEG_SHARED_DIR, beside, '/work/shared'].filter((d): d is string => !!d);
  return candidates.find((d) => existsSync(join(d, 'docs', 'failure-modes.md'))) ?? beside;
}

export const SHARED_DIR = locateShared();
export const SHARED_SAMPLES = join(SHARED_DIR, 'samples');
export const SHARED_CORPORA = join(SHARED_DIR, 'corpora');
export const INSPECT_CORPUS = join(SHARED_CORPORA, 'microk8s-inspect', 'inspection-report-20241029_182134.tar.gz');
