import type { Severity } from './types.js';

/**
 * A tiny format-neutral document: the PIR is built once (pir.ts) and serialized by the
 * Markdown and HTML renderers, so both show the same sections and each escapes every
 * string from the bundle in exactly one place.
 */
export type Inline =
  | { t: 'text'; v: string }
  | { t: 'code'; v: string }
  | { t: 'strong'; v: Inline[] }
  | { t: 'em'; v: string }
  | { t: 'severity'; v: Severity | 'none' }
  | { t: 'link'; v: Inline[]; anchor: string };

export type Block =
  | { type: 'heading'; level: 1 | 2 | 3 | 4; content: Inline[]; anchor?: string }
  | { type: 'para'; content: Inline[] }
  | { type: 'list'; ordered: boolean; items: Block[][] }
  | { type: 'table'; head: string[]; rows: Inline[][][] }
  | { type: 'code'; lang?: string; text: string }
  /** Collapsible in HTML; Markdown shows the summary as a bold line and the blocks below it. */
  | { type: 'details'; summary: Inline[]; blocks: Block[]; open?: boolean }
  /** The swimlane timeline: drawn in HTML only. */
  | { type: 'timeline-svg' };

export interface PirDocument {
  title: string;
  blocks: Block[];
}

export const text = (v: string): Inline => ({ t: 'text', v });
export const code = (v: string): Inline => ({ t: 'code', v });
export const strong = (...v: Inline[]): Inline => ({ t: 'strong', v });
export const em = (v: string): Inline => ({ t: 'em', v });
export const sev = (v: Severity | 'none'): Inline => ({ t: 'severity', v });
export const link = (anchor: string, ...v: Inline[]): Inline => ({ t: 'link', v, anchor });

export const para = (...content: Inline[]): Block => ({ type: 'para', content });
export const heading = (level: 1 | 2 | 3 | 4, content: string | Inline[], anchor?: string): Block => ({
  type: 'heading',
  level,
  content: typeof content === 'string' ? [text(content)] : content,
  ...(anchor ? { anchor } : {}),
});
