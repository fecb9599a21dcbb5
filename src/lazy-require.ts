import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';

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

/** better-sqlite3's Database class (dqlite snapshots, the query command's event store). */
export const sqlite: () => typeof Database = lazyRequire<typeof Database>('better-sqlite3');
