import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * A CommonJS dependency loaded on first use instead of at startup: `--help`, `--version` and
 * most captures never need SQLite, YAML or a directory walk, and loading them costs more than
 * the rest of a small analysis.
 */
export function lazyRequire<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(id) as T);
}
