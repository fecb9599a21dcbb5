import { buildPir, buildTimelineDocument, type PirOptions } from './pir.js';
import type { Block, Inline, PirDocument } from './pir-document.js';
import { oneLine, visibleControls } from './sanitize.js';
import type { Report } from './types.js';

/**
 * The post-incident review as GitHub-flavoured Markdown. Bundle strings never become
 * Markdown or HTML syntax: inline text is escaped (`<` `>` `&` as entities, Markdown
 * punctuation with a backslash), code spans and fences are longer than any backtick run they
 * hold, and control characters are shown as visible escapes.
 */
export type MarkdownOptions = PirOptions;

const ENTITY: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;' };

/** Inline text: one line, no HTML, no Markdown emphasis/links/code/tables/headings. */
export function escapeMarkdownText(value: string): string {
  return oneLine(value).replace(/[<>&]/g, (c) => ENTITY[c]!).replace(/[\\`*_[\]#|~]/g, (c) => `\\${c}`);
}

function longestRun(value: string, ch: string): number {
  let longest = 0;
  let run = 0;
  for (const c of value) {
    run = c === ch ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  return longest;
}

/** A code span whose delimiter is longer than any backtick run inside it (CommonMark 6.1). */
export function markdownCodeSpan(value: string, inTable = false): string {
  let body = oneLine(value);
  // GFM splits table cells on `|` before it sees code spans; `\|` keeps it in the cell.
  if (inTable) body = body.replace(/\|/g, '\\|');
  const fence = '`'.repeat(longestRun(body, '`') + 1);
  const pad = body.startsWith('`') || body.endsWith('`') || body === '' ? ' ' : '';
  return `${fence}${pad}${body}${pad}${fence}`;
}

/** A fenced block no line of `value` can close: the fence is longer than any backtick run in it. */
export function markdownFence(value: string, lang = ''): string {
  const body = visibleControls(value.replace(/\r\n?/g, '\n'));
  const fence = '`'.repeat(Math.max(3, longestRun(body, '`') + 1));
  return `${fence}${lang}\n${body}\n${fence}`;
}

const SEVERITY_LABEL = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function inline(parts: readonly Inline[], inTable = false): string {
  return parts
    .map((p) => {
      switch (p.t) {
        case 'text':
          return escapeMarkdownText(p.v);
        case 'code':
          return markdownCodeSpan(p.v, inTable);
        case 'strong':
          return `**${inline(p.v, inTable)}**`;
        case 'em':
          return `_${escapeMarkdownText(p.v)}_`;
        case 'severity':
          return SEVERITY_LABEL(p.v);
        case 'link':
          // GitHub derives heading anchors from heading text; ours would dangle, so no link.
          return inline(p.v, inTable);
      }
    })
    .join('');
}

function indent(textBlock: string, prefix: string): string {
  return textBlock.split('\n').map((l) => (l ? prefix + l : l)).join('\n');
}

function block(b: Block): string {
  switch (b.type) {
    case 'heading':
      return `${'#'.repeat(b.level)} ${inline(b.content)}`;
    case 'para':
      return inline(b.content);
    case 'code':
      return markdownFence(b.text, b.lang ?? '');
    case 'table': {
      const head = `| ${b.head.map(escapeMarkdownText).join(' | ')} |`;
      const rule = `| ${b.head.map(() => '---').join(' | ')} |`;
      const rows = b.rows.map((row) => `| ${row.map((cell) => inline(cell, true) || ' ').join(' | ')} |`);
      return [head, rule, ...rows].join('\n');
    }
    case 'list': {
      const tight = b.items.every((item) => item.length === 1 && item[0]!.type === 'para');
      const items = b.items.map((item, i) => {
        const marker = b.ordered ? `${i + 1}. ` : '- ';
        const pad = ' '.repeat(marker.length);
        const [first, ...rest] = item.map(block);
        const head = `${marker}${first ?? ''}`.replace(/\n/g, `\n${pad}`);
        return [head, ...rest.map((r) => indent(r, pad))].join('\n\n');
      });
      return items.join(tight ? '\n' : '\n\n');
    }
    case 'details':
      return [`**${inline(b.summary)}**`, ...b.blocks.map(block)].join('\n\n');
    case 'timeline-svg':
      return '';
  }
}

export function documentToMarkdown(doc: PirDocument): string {
  const parts = [`# ${escapeMarkdownText(doc.title)}`, ...doc.blocks.map(block).filter((s) => s !== '')];
  return `${parts.join('\n\n')}\n`;
}

/** The PIR draft in Markdown; pure and deterministic (times in `timezone`, default the report's). */
export function renderMarkdown(report: Report, options: MarkdownOptions = {}): string {
  return documentToMarkdown(buildPir(report, options));
}

/** `pleg-analyze timeline --format md`: the merged timeline as a Markdown table, times in the zone. */
export function renderTimelineMarkdown(report: Report, options: MarkdownOptions = {}): string {
  return documentToMarkdown(buildTimelineDocument(report, options));
}
