/**
 * Canonical names of the MicroK8s services rules talk about, and the mapping from what a
 * journal line carries (unit, syslog identifier, inspect directory) to them.
 */
export const KUBELITE_UNIT = 'snap.microk8s.daemon-kubelite';
export const CONTAINERD_UNIT = 'snap.microk8s.daemon-containerd';
export const K8S_DQLITE_UNIT = 'snap.microk8s.daemon-k8s-dqlite';

/** Units whose kubelet role makes them subject to the kubelet rules (kubelite or a plain kubelet). */
export const KUBELET_UNITS = new Set([KUBELITE_UNIT, 'snap.microk8s.daemon-kubelet', 'kubelet', 'k3s']);

/** `snap.microk8s.daemon-kubelite.service` → `snap.microk8s.daemon-kubelite`. */
export function normalizeUnit(unit: string): string {
  return unit.endsWith('.service') ? unit.slice(0, -'.service'.length) : unit;
}

/**
 * Unit for a syslog identifier when the record does not carry `_SYSTEMD_UNIT`
 * (journalctl text): snapd names identifiers `<snap>.<app>` and units `snap.<snap>.<app>`.
 */
export function unitFromIdentifier(identifier: string | undefined): string | undefined {
  if (!identifier) return undefined;
  if (/^microk8s\.daemon-[\w-]+$/.test(identifier)) return `snap.${identifier}`;
  if (identifier === 'kubelet' || identifier === 'containerd' || identifier === 'k3s') return identifier;
  return undefined;
}

/** Unit from an inspect-report service directory (`snap.microk8s.daemon-kubelite` or strict `microk8s.daemon-kubelite`). */
export function unitFromInspectDir(dir: string): string | undefined {
  if (/^snap\.microk8s\.daemon-[\w-]+$/.test(dir)) return dir;
  if (/^microk8s\.daemon-[\w-]+$/.test(dir)) return `snap.${dir}`;
  return undefined;
}
