import { buildPir, type PirOptions } from './pir.js';
import type { Block, Inline, PirDocument } from './pir-document.js';
import { escapeHtml, oneLine, visibleControls } from './sanitize.js';
import { renderSvgTimeline, SEVERITY_COLOURS } from './svg-timeline.js';
import type { Report, Severity } from './types.js';

/**
 * The post-incident review as ONE self-contained HTML file: inline CSS, inline SVG, no script,
 * no external asset of any kind. Every bundle string goes through escapeHtml, and a
 * Content-Security-Policy forbids script and remote loads even if an escape were missed.
 */
export type HtmlOptions = PirOptions;

export const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const SEVERITY_CSS = (Object.entries(SEVERITY_COLOURS) as Array<[Severity, string]>)
  .map(([s, colour]) => `.sev-${s}{background:${colour}}`)
  .join('');

const CSS = `
*{box-sizing:border-box}
body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111827;background:#f3f4f6}
main{max-width:1260px;margin:0 auto;padding:24px 28px 64px;background:#fff;min-height:100vh}
h1{font-size:24px;margin:0 0 8px}h2{font-size:19px;margin:32px 0 8px;padding-bottom:4px;border-bottom:2px solid #e5e7eb}
h3{font-size:16px;margin:20px 0 6px}
code{font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f3f4f6;padding:1px 4px;border-radius:3px;overflow-wrap:anywhere}
pre{background:#111827;color:#f9fafb;padding:10px 12px;border-radius:6px;overflow-x:auto;white-space:pre-wrap;overflow-wrap:anywhere}
pre code{background:none;color:inherit;padding:0}
table{border-collapse:collapse;width:100%;margin:8px 0;font-size:13px}
th,td{border:1px solid #e5e7eb;padding:4px 8px;text-align:left;vertical-align:top;overflow-wrap:break-word}
th{background:#f9fafb}
.sev{display:inline-block;white-space:nowrap;color:#fff;border-radius:3px;padding:0 6px;font-size:12px;font-weight:600;text-transform:capitalize}
.sev-none{background:#9ca3af}${SEVERITY_CSS}
details{border:1px solid #e5e7eb;border-radius:6px;padding:6px 10px;margin:8px 0}
summary{cursor:pointer;font-weight:600}
.status{background:#f9fafb;border:1px solid #e5e7eb;border-radius:6px;padding:8px 12px}
.timeline-wrap{overflow-x:auto;margin:8px 0}
a{color:#1d4ed8}
ol>li,ul>li{margin:4px 0}
`.trim();

function inlineText(value: string): string {
  return escapeHtml(oneLine(value));
}

function inline(parts: readonly Inline[]): string {
  return parts
    .map((p) => {
      switch (p.t) {
        case 'text':
          return inlineText(p.v);
        case 'code':
          return `<code>${inlineText(p.v)}</code>`;
        case 'strong':
          return `<strong>${inline(p.v)}</strong>`;
        case 'em':
          return `<em>${inlineText(p.v)}</em>`;
        case 'severity':
          return `<span class="sev sev-${escapeHtml(p.v)}">${escapeHtml(p.v)}</span>`;
        case 'link':
          return `<a href="#${escapeHtml(p.anchor)}">${inline(p.v)}</a>`;
      }
    })
    .join('');
}

function block(b: Block, report: Report, zone: string, first: boolean): string {
  switch (b.type) {
    case 'heading':
      return `<h${b.level}${b.anchor ? ` id="${escapeHtml(b.anchor)}"` : ''}>${inline(b.content)}</h${b.level}>`;
    case 'para':
      return first ? `<p class="status">${inline(b.content)}</p>` : `<p>${inline(b.content)}</p>`;
    case 'code':
      return `<pre><code${b.lang ? ` class="language-${escapeHtml(b.lang)}"` : ''}>${escapeHtml(visibleControls(b.text.replace(/\r\n?/g, '\n')))}</code></pre>`;
    case 'table': {
      const head = `<thead><tr>${b.head.map((h) => `<th>${inlineText(h)}</th>`).join('')}</tr></thead>`;
      const rows = b.rows.map((row) => `<tr>${row.map((cell) => `<td>${inline(cell)}</td>`).join('')}</tr>`).join('\n');
      return `<table>${head}<tbody>\n${rows}\n</tbody></table>`;
    }
    case 'list': {
      const tag = b.ordered ? 'ol' : 'ul';
      const items = b.items.map((item) => `<li>${item.map((x) => block(x, report, zone, false)).join('')}</li>`).join('\n');
      return `<${tag}>\n${items}\n</${tag}>`;
    }
    case 'details':
      return `<details${b.open ? ' open' : ''}><summary>${inline(b.summary)}</summary>\n${b.blocks.map((x) => block(x, report, zone, false)).join('\n')}\n</details>`;
    case 'timeline-svg':
      return `<div class="timeline-wrap">${renderSvgTimeline(report, zone)}</div>`;
  }
}

export function documentToHtml(doc: PirDocument, report: Report, zone: string): string {
  const body = doc.blocks.map((b, i) => block(b, report, zone, i === 0)).join('\n');
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<meta name="generator" content="pleg-analyze ${escapeHtml(report.tool.version)}">`,
    `<title>${inlineText(doc.title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    '<main>',
    `<h1>${inlineText(doc.title)}</h1>`,
    body,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** The PIR draft as a self-contained HTML page; pure and deterministic. */
export function renderHtml(report: Report, options: HtmlOptions = {}): string {
  return documentToHtml(buildPir(report, options), report, options.timezone ?? report.timezone);
}
