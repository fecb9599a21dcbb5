/**
 * A one-line progress indicator on stderr for long analyses: a bar with percent and MB/s
 * when the total input size is known, a spinner with bytes read otherwise, plus the member
 * being read. Redrawn at most 10 times a second, erased by `done()`, so the report on stdout
 * and the warnings after it are never interleaved with it. Disabled (every call a no-op)
 * unless `enabled` — callers pass `stderr.isTTY && !quiet`.
 */
export interface Progress {
  update(bytesRead: number, totalBytes?: number, member?: string): void;
  done(): void;
}

const REDRAW_MS = 100;
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const BAR_WIDTH = 24;
const MB = 1024 * 1024;

/** Member names come from archives: keep printable characters only (no escapes to the terminal). */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');
}

function fit(text: string, width: number): string {
  if (width <= 1) return '';
  return text.length <= width ? text : `…${text.slice(text.length - width + 1)}`;
}

function formatBytes(n: number): string {
  return n >= 1024 * MB ? `${(n / 1024 / MB).toFixed(1)} GB` : `${(n / MB).toFixed(0)} MB`;
}

export function createProgress({ stream, enabled }: { stream: NodeJS.WriteStream; enabled: boolean }): Progress {
  if (!enabled) return { update() {}, done() {} };
  const started = Date.now();
  let lastDraw = 0;
  let frame = 0;
  let drawn = false;
  let finished = false;

  const clear = (): void => {
    if (drawn) stream.write('\r\u001b[2K');
    drawn = false;
  };

  return {
    update(bytesRead, totalBytes, member) {
      if (finished) return;
      const now = Date.now();
      if (now - lastDraw < REDRAW_MS) return;
      lastDraw = now;
      const seconds = Math.max(0.001, (now - started) / 1000);
      const rate = `${(bytesRead / MB / seconds).toFixed(0)} MB/s`;
      let head: string;
      if (totalBytes !== undefined && totalBytes > 0) {
        const ratio = Math.min(1, bytesRead / totalBytes);
        const filled = Math.round(ratio * BAR_WIDTH);
        head = `[${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}] ${String(Math.floor(ratio * 100)).padStart(3)}% ${formatBytes(bytesRead)}/${formatBytes(totalBytes)} ${rate}`;
      } else {
        head = `${SPINNER[frame++ % SPINNER.length]} ${formatBytes(bytesRead)} ${rate}`;
      }
      // One column short of the width: a full line would wrap and break the `\r` redraw.
      const width = (stream.columns || 80) - 1;
      const tail = member ? ` ${fit(printable(member), width - head.length - 1)}` : '';
      stream.write(`\r\u001b[2K${`${head}${tail}`.slice(0, width)}`);
      drawn = true;
    },
    done() {
      finished = true;
      clear();
    },
  };
}
