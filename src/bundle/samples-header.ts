/**
 * Files from /work/shared/samples open with a provenance header:
 *
 *   # source: github.com/… issue #…
 *   # what: one line
 *   # format: journalctl-short
 *   # ---
 *
 * The reader blanks those lines (keeping their newlines) so the rest is sniffed and parsed
 * as the original capture, while line numbers stay the file's real line numbers.
 */
const SOURCE_PREFIX = Buffer.from('# source: ');
const END_LINE = /^# ---[ \t]*\r?$/;
/** The header must end within this many bytes; later `# ---` lines are content. */
export const SAMPLES_HEADER_WINDOW = 4096;

/** Byte length of the header (through the `# ---` line's newline), or 0 when there is none. */
export function samplesHeaderLength(head: Buffer): number {
  if (head.length < SOURCE_PREFIX.length || !head.subarray(0, SOURCE_PREFIX.length).equals(SOURCE_PREFIX)) return 0;
  let offset = 0;
  while (offset < head.length && offset < SAMPLES_HEADER_WINDOW) {
    const nl = head.indexOf(0x0a, offset);
    const end = nl === -1 ? head.length : nl;
    const line = head.toString('utf8', offset, end);
    if (END_LINE.test(line)) return nl === -1 ? head.length : nl + 1;
    if (!line.startsWith('#')) return 0;
    if (nl === -1) return 0;
    offset = nl + 1;
  }
  return 0;
}

/** A copy of `head` with the header's bytes removed except its newlines. */
export function blankSamplesHeader(head: Buffer): Buffer {
  const length = samplesHeaderLength(head);
  if (length === 0) return head;
  let newlines = 0;
  for (let i = 0; i < length; i++) if (head[i] === 0x0a) newlines++;
  return Buffer.concat([Buffer.alloc(newlines, 0x0a), head.subarray(length)]);
}
