/**
 * The normalized log record every log-shaped input becomes (journald export/JSON/text,
 * plain klog files, container logs from `kubectl cluster-info dump`).
 *
 * Times are microseconds since the Unix epoch, UTC. A record whose time could not be
 * decided has `ts === undefined` and is kept (rules can still use it as evidence).
 */
export interface Provenance {
  /** Bundle-relative path of the member the record came from. */
  path: string;
  /** 1-based line in the member, for text inputs. */
  line?: number;
  /** 1-based entry ordinal, for journald export / JSON inputs. */
  entry?: number;
  /** journald `__CURSOR`, when the input carried it. */
  cursor?: string;
}

/** The source moved to one of its lines (a flag, a table within a parsed file); as it is without one. */
export function atLine(source: Provenance, line: number | undefined): Provenance {
  return line === undefined ? source : { ...source, line };
}

/** The same line (or journal entry) of the same member. */
export function sameSource(a: Provenance, b: Provenance): boolean {
  return a.path === b.path && a.line === b.line && a.entry === b.entry;
}

export interface ContainerRef {
  namespace: string;
  pod: string;
  container: string;
}

export interface LogRecord {
  ts: number | undefined;
  node?: string;
  /** systemd unit without the `.service` suffix, e.g. `snap.microk8s.daemon-kubelite`. */
  unit?: string;
  /** SYSLOG_IDENTIFIER, e.g. `microk8s.daemon-kubelite`, `systemd`, `kernel`. */
  identifier?: string;
  pid?: number;
  /** syslog priority 0..7 when the input carried it. */
  priority?: number;
  bootId?: string;
  message: string;
  source: Provenance;
  container?: ContainerRef;
  /** Names of journald JSON fields that were `null` (value over 4096 bytes, captured without --all). */
  truncatedFields?: string[];
}

/** Separator lines of journalctl text output and boot boundaries of structured journals. */
export interface JournalMarker {
  kind: 'boot' | 'reboot' | 'logs-begin' | 'no-entries';
  /** Boot id for `-- Boot <id> --` markers and boot-id changes in structured journals. */
  bootId?: string;
  /** Time of the first record after the marker, when known. */
  ts?: number;
  node?: string;
  source: Provenance;
  text: string;
}

export interface Unparsed {
  path: string;
  line: number;
  reason: string;
}

/** Coverage figures every parser reports for its member. */
export interface ParseStats {
  records: number;
  unparsed: number;
  /** A year was inferred for year-less timestamps (journalctl short, klog). */
  yearInferred?: number;
  /** Records left without a time: year-less stamps with nothing to take the year from. */
  undated?: number;
  /** The zone zone-less timestamps were read in was learned from the member itself. */
  zoneInferred?: { zone: string; line: number };
}
