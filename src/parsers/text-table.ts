/**
 * Helpers shared by the node-state parsers (iproute2, iptables, ps, ctr/crictl, systemctl,
 * args files, `ls -l` listings): the parse context, line splitting, and column slicing of
 * tables printed by Go's `text/tabwriter` (ctr, crictl) and similar aligned listings.
 *
 * Sample (`crictl ps -a`, crictl ≈1.24, format reference §5.4):
 *   CONTAINER           IMAGE               CREATED             STATE               NAME                        ATTEMPT             POD ID              POD
 *   e422f11ca3b74       e6a0117ec169e       54 minutes ago      Running             centos                      0                   68a89759992ad       centos-67dd9d8678-bxxdv
 *
 * Output: column names with their start offsets in the header; `splitRow` cuts a data row
 * at those offsets.
 *
 * Quirks: header names contain spaces (`POD ID`) and cells do too (`54 minutes ago`,
 * `2026-05-18 02:08:11 +0000 UTC`), so splitting on whitespace is wrong; a cell wider than its
 * column in a hand-edited/pasted row pushes the next cell right, so a cut that falls inside a
 * word moves to the start of the next word.
 */

/** Context every node-state parser takes. */
export interface StateParseContext {
  /** Bundle-relative path, used in provenance and to read hints from the file name. */
  path: string;
  node?: string;
  /** Capture time (µs), to place year-less dates (`ls -l`, `ps` STIME). */
  referenceTime?: number;
  /** IANA zone in which zone-less local times were printed (`ls -l`, `ps -o lstart`). Default UTC. */
  zone?: string;
}

/** Text → lines without `\n` / `\r\n`; a final empty line (trailing newline) is dropped. */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

/** Last path segment (`network/iptables-S` → `iptables-S`). */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] ?? path;
}

export interface TableHeader {
  names: string[];
  starts: number[];
}

function isSpace(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t';
}

/**
 * Finds `candidates` in `line`, in order, each as whole words; names absent from the line are
 * skipped. Undefined unless every name of `required` was found.
 */
export function findHeader(line: string, candidates: readonly string[], required: readonly string[]): TableHeader | undefined {
  const names: string[] = [];
  const starts: number[] = [];
  let from = 0;
  for (const name of candidates) {
    let at = line.indexOf(name, from);
    while (at >= 0 && !((at === 0 || isSpace(line[at - 1])) && (at + name.length === line.length || isSpace(line[at + name.length])))) {
      at = line.indexOf(name, at + 1);
    }
    if (at < 0) continue;
    names.push(name);
    starts.push(at);
    from = at + name.length;
  }
  for (const r of required) if (!names.includes(r)) return undefined;
  return { names, starts };
}

/** Cuts `row` at the header's offsets; a cut inside a word moves past that word's end. */
export function splitRow(row: string, header: TableHeader): Record<string, string> {
  const cells: Record<string, string> = {};
  const cuts: number[] = [];
  let prev = 0;
  for (let i = 0; i < header.starts.length; i++) {
    let cut = header.starts[i] ?? 0;
    if (i > 0) {
      if (cut <= prev) {
        // The previous cut was pushed right: this cell starts after the previous cell's word.
        cut = prev;
        while (cut < row.length && !isSpace(row[cut])) cut++;
      } else {
        while (cut < row.length && !isSpace(row[cut - 1])) cut++;
      }
      while (cut < row.length && isSpace(row[cut])) cut++;
    }
    cuts.push(cut);
    prev = cut;
  }
  for (let i = 0; i < header.names.length; i++) {
    const name = header.names[i];
    if (name === undefined) continue;
    const start = cuts[i] ?? row.length;
    const end = i + 1 < cuts.length ? (cuts[i + 1] ?? row.length) : row.length;
    cells[name] = row.slice(start, end).trim();
  }
  return cells;
}
