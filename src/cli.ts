#!/usr/bin/env node
import { mkdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { analyze, type AnalyzeOptions } from './analyze.js';
import { InputError, UsageError } from './errors.js';
import { userTimeToMicros } from './model/time.js';
import { goroutinesReport } from './goroutines/load.js';
import { parseMinutes, renderGoroutinesText } from './goroutines/report.js';
import { explainRule, renderRulesList } from './report/rules-catalog.js';
import { checkGolden, loadGolden, renderCheck } from './report/check.js';
import { renderHtml } from './report/html.js';
import { renderJson } from './report/json.js';
import { renderJunit } from './report/junit.js';
import { renderMarkdown, renderTimelineMarkdown } from './report/markdown.js';
import { renderSarif } from './report/sarif.js';
import { RULES } from './rules/index.js';
import { QUERY_HELP, runQuery, type QueryOptions } from './query/query.js';
import { renderQueryCsv, renderQueryJson, renderQueryTable } from './query/render.js';
import { renderText, renderTimelineText } from './report/text.js';
import type { Report, Severity } from './report/types.js';
import { SEVERITIES, severityRank } from './report/types.js';
import { VERSION } from './version.js';
import { createProgress, type Progress } from './cli-progress.js';

/** Only this file touches the process: arguments in, renderer out, exit code set. */

const FORMATS = ['text', 'json'] as const;
const REPORT_FORMATS = ['text', 'json', 'md', 'html', 'junit', 'sarif'] as const;
const TIMELINE_FORMATS = ['text', 'json', 'md'] as const;
const QUERY_FORMATS = ['text', 'json', 'csv'] as const;
type Format = (typeof REPORT_FORMATS)[number];

interface CommonArgs {
  inputs: string[];
  format: Format;
  output?: string;
  tz: string;
  'input-tz'?: string;
  since?: string;
  until?: string;
  node?: string;
  quiet: boolean;
  'max-total-bytes'?: number;
  'max-member-bytes'?: number;
  'max-members'?: number;
}

function machineZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

function parseTime(value: string | undefined, flag: string, zone: string): number | undefined {
  if (value === undefined) return undefined;
  const micros = userTimeToMicros(value, zone);
  if (micros === undefined) throw new UsageError(`--${flag}: "${value}" is not a time`, 'e.g. 2026-05-18T00:15, "2026-05-18 00:15:30" (in --tz) or 2026-05-18T00:15:00+10:00');
  return micros;
}

/** Total bytes to read when every input is a regular file (the bar then shows a percentage). */
function totalInputBytes(inputs: string[]): number | undefined {
  let total = 0;
  for (const input of inputs) {
    if (input === '-') return undefined;
    try {
      const info = statSync(input);
      if (!info.isFile()) return undefined;
      total += info.size;
    } catch {
      return undefined;
    }
  }
  return total;
}

/** Progress on stderr for long analyses: only on a terminal and without --quiet. */
function withProgress(options: Pick<AnalyzeOptions, 'onBytes' | 'onProgress'>, inputs: string[], quiet: boolean): Progress {
  const progress = createProgress({ stream: process.stderr, enabled: Boolean(process.stderr.isTTY) && !quiet });
  const total = totalInputBytes(inputs);
  let bytes = 0;
  let member: string | undefined;
  options.onBytes = (n) => {
    bytes += n;
    progress.update(bytes, total, member);
  };
  options.onProgress = (p) => {
    member = p.member;
    progress.update(bytes, total, member);
  };
  return progress;
}

function analyzeOptions(args: CommonArgs): AnalyzeOptions {
  const limits = limitOptions(args);
  const focus: NonNullable<AnalyzeOptions['focus']> = {};
  const since = parseTime(args.since, 'since', args.tz);
  const until = parseTime(args.until, 'until', args.tz);
  if (since !== undefined) focus.since = since;
  if (until !== undefined) focus.until = until;
  if (args.node) focus.node = args.node;
  return {
    timezone: args.tz,
    ...(args['input-tz'] ? { inputZone: args['input-tz'] } : {}),
    limits,
    stdin: process.stdin,
    focus,
  };
}

/** Refuses to write the report into (or over) one of the inputs. */
function checkOutputPath(output: string, inputs: string[]): void {
  const target = resolve(output);
  for (const input of inputs) {
    if (input === '-') continue;
    let real: string;
    try {
      real = realpathSync(input);
    } catch {
      continue;
    }
    const isDir = statSync(real).isDirectory();
    if (target === real || (isDir && target.startsWith(real + sep))) {
      throw new UsageError(`--output ${output} is inside the input ${input}`, 'write the report somewhere else; inputs are never modified');
    }
  }
}

function emit(text: string, output: string | undefined, inputs: string[]): void {
  if (!output) {
    process.stdout.write(text);
    return;
  }
  checkOutputPath(output, inputs);
  mkdirSync(dirname(resolve(output)), { recursive: true });
  writeFileSync(output, text);
}

function renderReport(report: Report, format: Format): string {
  switch (format) {
    case 'json': return renderJson(report);
    case 'md': return renderMarkdown(report);
    case 'html': return renderHtml(report);
    case 'junit': return renderJunit(report);
    case 'sarif': return renderSarif(report, { rules: RULES });
    case 'text': {
      const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
      return renderText(report, { width: process.stdout.columns ?? 100, color });
    }
  }
}

/** Inputs, output, zones and limits: what every command that reads a capture takes. */
function inputOptions<T>(y: Argv<T>) {
  return y
    .positional('inputs', { describe: 'bundles (.tgz/.tar), directories, files (plain or .gz), or - for stdin', type: 'string', array: true, demandOption: true })
    .option('output', { alias: 'o', type: 'string', describe: 'write the report to FILE instead of stdout', group: 'Output:' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no progress or warnings on stderr', group: 'Output:' })
    .option('tz', { type: 'string', default: machineZone(), describe: 'IANA zone for displayed times (JSON is UTC)', group: 'Time:' })
    .option('input-tz', { type: 'string', describe: 'IANA zone in which zone-less timestamps (journalctl short, klog) were printed (default: learned from the capture, where journal lines sit next to logrus time= stamps; else --tz)', group: 'Time:' })
    .option('max-total-bytes', { type: 'number', describe: 'stop decompressing after this many bytes in all (default 64 GiB)', group: 'Limits:' })
    .option('max-member-bytes', { type: 'number', describe: 'read at most this many bytes of one member (default 8 GiB)', group: 'Limits:' })
    .option('max-members', { type: 'number', describe: 'read at most this many members per input (default 200000)', group: 'Limits:' });
}

function commonOptions<T>(y: Argv<T>) {
  return inputOptions(y)
    .option('since', { type: 'string', describe: 'report only from this time: ISO-8601, a zone-less time is in --tz (rules still see the whole capture)', group: 'Focus:' })
    .option('until', { type: 'string', describe: 'report only until this time (same forms as --since)', group: 'Focus:' })
    .option('node', { type: 'string', describe: 'report only this node: its findings (with their causes elsewhere), noise and timeline', group: 'Focus:' });
}

/** A limit flag's value: a positive whole number (yargs gives NaN for `abc`). */
function positiveLimit(flag: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new UsageError(`--${flag} needs a positive whole number${Number.isNaN(value) ? '' : `, not ${value}`}`, 'e.g. --max-member-bytes 1073741824');
  }
  return value;
}

function limitOptions(args: CommonArgs): AnalyzeOptions['limits'] {
  const limits: AnalyzeOptions['limits'] = {};
  const total = positiveLimit('max-total-bytes', args['max-total-bytes']);
  const member = positiveLimit('max-member-bytes', args['max-member-bytes']);
  const members = positiveLimit('max-members', args['max-members']);
  if (total !== undefined) limits.maxTotalBytes = total;
  if (member !== undefined) limits.maxMemberBytes = member;
  if (members !== undefined) limits.maxMembers = members;
  return limits;
}

function warnOnStderr(report: Report, quiet: boolean): void {
  if (quiet) return;
  for (const w of report.warnings.slice(0, 20)) process.stderr.write(`warning: ${w.path ? `${w.path}: ` : ''}${w.message}\n`);
  if (report.warnings.length > 20) process.stderr.write(`warning: … ${report.warnings.length - 20} more in the report\n`);
}

/** yargs drops a lone `-` from command positionals; carry it through under another name. */
const STDIN_ARG = '\u0000stdin';
const inputArgs = (values: unknown): string[] => (values as string[]).map((v) => (v === STDIN_ARG ? '-' : v));

/**
 * yargs renders the whole help text of a named command before running it, so that a failure
 * could print it; ours never does (.fail() throws a one-line UsageError). That rendering
 * took 17–34 ms of every `pleg-analyze analyze …` run. `--help` renders on its own path.
 */
function skipHelpCaching(parser: Argv): Argv {
  const internal = (parser as unknown as { getInternalMethods?(): { getUsageInstance?(): { cacheHelpMessage?: () => void } } }).getInternalMethods?.();
  const usage = internal?.getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => undefined;
  return parser;
}

async function main(argv: string[]): Promise<void> {
  const parser = yargs(argv.map((a) => (a === '-' ? STDIN_ARG : a)))
    .scriptName('pleg-analyze')
    .usage('$0 <input...>  — analyze a MicroK8s incident capture\n\nFinds the documented failure mode (PLEG stalls, kine/dqlite, Calico IPAM/VXLAN, reboots), the node, the window, the evidence lines, what was ruled out, the runbook and a PIR timeline.')
    .command(
      ['analyze <inputs..>', '$0 <inputs..>'],
      'analyze a capture (default command)',
      (y) =>
        commonOptions(y)
          .option('format', { alias: 'f', choices: REPORT_FORMATS, default: 'text' as Format, describe: 'report format: text (terminal), json, md (PIR), html (self-contained), junit, sarif', group: 'Output:' })
          .option('fail-on', { choices: SEVERITIES, describe: 'exit 1 when a finding has at least this severity', group: 'CI:' })
          .option('rules', { type: 'string', describe: 'comma-separated rule ids to run (default: all)', group: 'CI:' }),
      async (args) => {
        const options = analyzeOptions(args as unknown as CommonArgs);
        if (args.rules) options.rules = String(args.rules).split(',').map((s) => s.trim()).filter(Boolean);
        const inputs = inputArgs(args.inputs);
        const progress = withProgress(options, inputs, args.quiet as boolean);
        let report: Report;
        try {
          report = await analyze(inputs, options);
        } finally {
          progress.done();
        }
        emit(renderReport(report, args.format as Format), args.output, inputs);
        warnOnStderr(report, args.quiet as boolean);
        const failOn = args['fail-on'] as Severity | undefined;
        if (failOn && report.findings.some((f) => !f.explainedBy && severityRank(f.severity) >= severityRank(failOn))) {
          process.exitCode = 1;
        }
      },
    )
    .command(
      'timeline <inputs..>',
      'the merged, time-ordered timeline of a capture (boots, restarts, signals, findings, events, pod/node state changes)',
      (y) => commonOptions(y).option('format', { alias: 'f', choices: TIMELINE_FORMATS, default: 'text' as (typeof TIMELINE_FORMATS)[number], describe: 'text, json or md', group: 'Output:' }),
      async (args) => {
        const inputs = inputArgs(args.inputs);
        const report = await analyze(inputs, analyzeOptions(args as unknown as CommonArgs));
        const text = args.format === 'json'
          ? `${JSON.stringify({ timezone: report.timezone, capture: report.capture, timeline: report.timeline }, null, 2)}\n`
          : args.format === 'md'
            ? renderTimelineMarkdown(report)
            : renderTimelineText(report, { width: process.stdout.columns ?? 120, color: false });
        emit(text, args.output, inputs);
        warnOnStderr(report, args.quiet as boolean);
      },
    )
    .command(
      'goroutines <files..>',
      'what every goroutine is waiting on, bucketed and ranked (standalone dumps or dumps inside journals)',
      (y) =>
        y
          .positional('files', { type: 'string', array: true, demandOption: true, describe: 'dump files, journals or bundles holding dumps' })
          .option('format', { alias: 'f', choices: FORMATS, default: 'text' as (typeof FORMATS)[number] })
          .option('min-wait', { type: 'string', describe: 'only goroutines waiting at least this long (1m, 90s, 2h)' })
          .option('filter', { type: 'string', describe: 'only goroutines with a frame, file or creator matching this regex' }),
      async (args) => {
        const minWait = args['min-wait'] === undefined ? undefined : parseMinutes(String(args['min-wait']));
        if (args['min-wait'] !== undefined && minWait === undefined) throw new UsageError(`--min-wait: "${args['min-wait']}" is not a duration`, 'e.g. 1m, 90s, 2h');
        let filter: RegExp | undefined;
        try {
          filter = args.filter === undefined ? undefined : new RegExp(String(args.filter));
        } catch {
          throw new UsageError(`--filter: "${args.filter}" is not a valid regular expression`);
        }
        const report = await goroutinesReport(inputArgs(args.files), {
          ...(minWait !== undefined ? { minWaitMinutes: minWait } : {}),
          ...(filter ? { filter } : {}),
          stdin: process.stdin,
        });
        if (args.format === 'json') process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        else process.stdout.write(renderGoroutinesText(report, { width: process.stdout.columns ?? 100, color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR }));
      },
    )
    .command(
      'check <inputs..>',
      'CI regression: analyze and compare the findings with a golden file (exit 1 on any difference)',
      (y) => commonOptions(y).option('expect', { type: 'string', demandOption: true, describe: 'golden file: { "expect": [...], "absent": [...] }', group: 'CI:' }),
      async (args) => {
        const inputs = inputArgs(args.inputs);
        const goldenPath = String(args.expect);
        let goldenText: string;
        try {
          goldenText = readFileSync(goldenPath, 'utf8');
        } catch (error) {
          throw new InputError(goldenPath, (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'cannot be read');
        }
        const golden = loadGolden(goldenText, goldenPath);
        const report = await analyze(inputs, analyzeOptions(args as unknown as CommonArgs));
        const result = checkGolden(report, golden);
        process.stdout.write(renderCheck(result, golden));
        warnOnStderr(report, args.quiet as boolean);
        if (!result.ok) process.exitCode = 1;
      },
    )
    .command(
      'query <inputs..>',
      'SQL over the normalized events (SQLite): the last argument is the statement, the others are inputs',
      (y) =>
        inputOptions(y)
          .positional('inputs', { describe: 'bundles, directories, files or -, then the SQL statement (quote it)', type: 'string', array: true, demandOption: true })
          .option('format', { alias: 'f', choices: QUERY_FORMATS, default: 'text' as (typeof QUERY_FORMATS)[number], describe: 'text (table), json ({columns, rows}) or csv (RFC 4180)', group: 'Output:' })
          .option('max-rows', { type: 'number', default: 1_000_000, describe: 'rows kept in the result; the output says when more matched', group: 'Output:' })
          .epilog(QUERY_HELP),
      async (args) => {
        const all = inputArgs(args.inputs);
        if (all.length < 2) throw new UsageError('query needs at least one input and an SQL statement', 'e.g. pleg-analyze query bundle.tgz "SELECT count(*) FROM records"');
        const sql = all[all.length - 1]!;
        const inputs = all.slice(0, -1);
        const maxRows = Number(args['max-rows']);
        if (!Number.isInteger(maxRows) || maxRows < 1) throw new UsageError(`--max-rows: "${args['max-rows']}" is not a positive whole number`);
        const common = args as unknown as CommonArgs;
        const options: QueryOptions = { timezone: common.tz, ...(common['input-tz'] ? { inputZone: common['input-tz'] } : {}), limits: limitOptions(common), stdin: process.stdin, maxRows };
        const progress = withProgress(options, inputs, args.quiet as boolean);
        let result;
        try {
          result = await runQuery(inputs, sql, options);
        } finally {
          progress.done();
        }
        const text = args.format === 'json' ? renderQueryJson(result)
          : args.format === 'csv' ? renderQueryCsv(result)
            : renderQueryTable(result, { width: process.stdout.columns ?? 120 });
        emit(text, args.output, inputs);
        if (result.truncated && !args.quiet) process.stderr.write(`warning: more than ${maxRows} rows matched; only the first ${maxRows} are shown (--max-rows)\n`);
      },
    )
    .command(
      'rules',
      'list the failure-mode catalog',
      (y) => y.option('format', { alias: 'f', choices: FORMATS, default: 'text' as (typeof FORMATS)[number] }),
      (args) => {
        process.stdout.write(renderRulesList(args.format));
      },
    )
    .command(
      'explain <id>',
      'what a rule means, its signals and runbook',
      (y) => y.positional('id', { type: 'string', demandOption: true, describe: 'rule id (see: pleg-analyze rules)' }),
      (args) => {
        const text = explainRule(args.id as string);
        if (text === undefined) throw new UsageError(`unknown rule id "${args.id}"`, 'list them with: pleg-analyze rules');
        process.stdout.write(text);
      },
    )
    .example('$0 inspection-report-20260518_010000.tar.gz', 'analyze a microk8s inspect report')
    .example('$0 k8s01/ k8s02/ k8s03/ cluster/ --tz Australia/Brisbane', 'several inputs form one incident')
    .example('$0 bundle.tgz --format json -o report.json --fail-on high', 'CI: JSON report, exit 1 on high findings')
    .example('$0 bundle.tgz --format md -o pir.md --tz Australia/Brisbane', 'a post-incident-review draft in Markdown')
    .example('$0 check fixtures/000-pleg-cni-deadlock --expect golden.json', 'CI regression against a golden file')
    .example('journalctl -o export -u snap.microk8s.daemon-kubelite | $0 -', 'read a journal export from stdin')
    .example('$0 query bundle.tgz "SELECT node, unit, count(*) FROM records GROUP BY 1, 2"', 'SQL over every normalized log line, finding and fact')
    .example('$0 explain pleg-cni-deadlock', 'the meaning, signals and runbook of one failure mode')
    .example('$0 goroutines kubelite-goroutines.log --min-wait 1m', 'what every goroutine of a dump is waiting on')
    .demandCommand(1, 'give at least one input (a bundle, directory, file or -)')
    .strict()
    .version(VERSION)
    .help()
    .alias('h', 'help')
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .exitProcess(false)
    .fail((message, error) => {
      if (error) throw error;
      throw new UsageError(message ?? 'invalid arguments', 'see: pleg-analyze --help');
    });
  await skipHelpCaching(parser).parseAsync();
}

// `pleg-analyze … | head` closes the pipe early: that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

main(hideBin(process.argv)).catch((error: unknown) => {
  if (error instanceof UsageError || error instanceof InputError) {
    process.stderr.write(`pleg-analyze: ${error.message}${error.hint ? ` (${error.hint})` : ''}\n`);
    process.exitCode = 2;
    return;
  }
  // A bug of ours, not bad input: one line by default, the stack when asked for.
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`pleg-analyze: internal error: ${message} (please report it; PLEG_ANALYZE_DEBUG=1 shows the stack)\n`);
  if (process.env.PLEG_ANALYZE_DEBUG) process.stderr.write(`${error instanceof Error ? error.stack : ''}\n`);
  process.exitCode = 2;
});
