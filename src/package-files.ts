/**
 * A file shipped with the package (`package.json`, `native/…`). This module sits one level
 * below the package root in src/, in dist/ and inside the bundled CLI (dist/cli.cjs), so the
 * path resolves the same in all three.
 */
export function packageFile(path: string): URL {
  return new URL(`../${path}`, import.meta.url);
}
