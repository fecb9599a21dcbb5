/**
 * Bundle text is untrusted: a log line may carry terminal escape sequences or HTML. Text
 * renderers show control characters as visible escapes so nothing reaches a terminal raw.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;

export function visibleControls(text: string): string {
  return text.replace(CONTROL, (ch) => {
    const code = ch.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Single-line form for tables: newlines and tabs become spaces too. */
export function oneLine(text: string): string {
  return visibleControls(text.replace(/[\r\n\t]+/g, ' '));
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}
