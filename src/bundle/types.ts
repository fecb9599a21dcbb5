/**
 * What the bundle reader hands to the rest of the pipeline: members (files inside an
 * archive, a directory, a single file or stdin), each with a sniffed kind and node.
 */

export const MEMBER_KINDS = [
  'journald-export',
  'journald-json',
  'journalctl-text',
  'klog',
  'plain-log',
  'goroutine-dump',
  'kubectl-json',
  'kubectl-yaml',
  'kubectl-events-table',
  'shell-session',
  'cluster-info-dump',
  'ip-route',
  'ip-neigh',
  'arp',
  'ip-json',
  'iptables-save',
  'iptables-list',
  'ps',
  'pgrep',
  'schedstat',
  'proc-stat',
  'ctr-tasks',
  'ctr-containers',
  'ctr-sandboxes',
  'crictl-pods',
  'crictl-ps',
  'systemctl-status',
  'kubelet-args',
  'dqlite-listing',
  'dqlite-snapshot',
  'date',
] as const;

export type MemberKind = (typeof MEMBER_KINDS)[number];

export interface MemberInfo {
  /** Path as shown in the report: `<input>/<member>` for archives and directories. */
  path: string;
  /** Path inside its container (archive member name / directory-relative path). */
  innerPath: string;
  /** Uncompressed size when known in advance. */
  size?: number;
  /** Modification time (µs since epoch) from the tar header or the file system. */
  mtime?: number;
  /**
   * The mtime is an archive header's (set when the capture was packed). File-system mtimes
   * of a copied or checked-out folder say nothing about the capture and are not used as times.
   */
  archived?: boolean;
}

/**
 * A member whose kind was decided. Its content is streamed: `chunks()` yields the whole
 * member (head included) once, bounded by the limits; reaching a limit ends the stream
 * and records a warning. Members of one archive are visited in order, so a consumer must
 * finish (or abandon) one member's chunks before asking for the next member.
 */
export interface Member extends MemberInfo {
  kind: MemberKind;
  node?: string;
  /** The first bytes (up to 64 KiB), used for sniffing. */
  head: Buffer;
  chunks(): AsyncIterable<Buffer>;
  /**
   * Hands back a chunk of chunks() that the consumer keeps nothing of (no subarray, no
   * undecoded record): the reader may read later bytes into its memory. Absent when the
   * chunks cannot be reused (archives, streams); a consumer that never calls it loses nothing.
   */
  recycle?(chunk: Buffer): void;
}

export interface SkippedMember {
  path: string;
  reason: string;
}

export interface BundleWarning {
  path: string;
  message: string;
}

export interface BundleLimits {
  /** Total uncompressed bytes read across all inputs. */
  maxTotalBytes: number;
  /** Uncompressed bytes read per member. */
  maxMemberBytes: number;
  /** Members per input. */
  maxMembers: number;
  /** Decompressed/compressed ratio above which an input looks like a decompression bomb (default 1000). */
  bombRatio?: number;
  /** Decompressed bytes of one input before the bomb ratio is checked (default 256 MiB). */
  bombMinBytes?: number;
}

export const DEFAULT_LIMITS: BundleLimits = {
  maxTotalBytes: 64 * 1024 ** 3,
  maxMemberBytes: 8 * 1024 ** 3,
  maxMembers: 200_000,
};
