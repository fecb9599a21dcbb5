import { ingest } from '../ingest/ingest.js';
import { analyzeGoroutines, type AnalyzeGoroutinesOptions, type GoroutinesReport } from './report.js';

/**
 * `pleg-analyze goroutines <file…>`: read the inputs like `analyze` does (standalone dumps,
 * dumps embedded in journals, bundles), then bucket and rank every goroutine.
 */
export async function goroutinesReport(
  inputs: string[],
  options: Omit<AnalyzeGoroutinesOptions, 'unparsed'> & { stdin?: NodeJS.ReadableStream } = {},
): Promise<GoroutinesReport> {
  const { stdin, ...analysis } = options;
  const ingested = await ingest(inputs, stdin ? { stdin } : {});
  const dumpPaths = new Set(ingested.inputs.filter((i) => i.kind === 'goroutine-dump').map((i) => i.path));
  return analyzeGoroutines([...ingested.store.dumps], {
    ...analysis,
    unparsed: ingested.unparsed.filter((u) => dumpPaths.has(u.path)),
  });
}
