import type { Facts } from '../model/facts.js';

/**
 * Logical inputs rules need, what each one is, and the command that captures it. A rule
 * whose input is missing is "not applicable" and the report tells the responder what to
 * grab next (failure-modes.md: missing input is unknown, never healthy).
 */
export const INPUTS = {
  'kubelet-log': {
    what: 'kubelite (or kubelet) journal',
    capture: 'journalctl -u snap.microk8s.daemon-kubelite -o export > <node>-kubelite.export',
  },
  'containerd-log': {
    what: 'containerd journal',
    capture: 'journalctl -u snap.microk8s.daemon-containerd -o export > <node>-containerd.export',
  },
  'dqlite-log': {
    what: 'k8s-dqlite journal',
    capture: 'journalctl -u snap.microk8s.daemon-k8s-dqlite -o export > <node>-k8s-dqlite.export',
  },
  'node-journal': {
    what: 'the whole node journal (boots, all units)',
    capture: 'journalctl -o export --since -2d > <node>.export',
  },
  'container-logs': {
    what: 'container logs of the controllers (kubectl logs / cluster-info dump)',
    capture: 'kubectl cluster-info dump -A > cluster-info-dump',
  },
  'goroutine-dump': {
    what: 'goroutine dump of kubelite and containerd',
    capture: 'sudo kill -QUIT $(pgrep -f daemon-kubelite); sudo journalctl -u snap.microk8s.daemon-kubelite --since -2m > kubelite-goroutines.log',
  },
  pods: { what: 'pods of all namespaces', capture: 'kubectl get pods -A -o json > pods.json' },
  nodes: { what: 'node objects', capture: 'kubectl get nodes -o json > nodes.json' },
  events: { what: 'events of all namespaces', capture: 'kubectl get events -A -o json > events.json' },
  leases: { what: 'leases', capture: 'kubectl get leases -A -o json > leases.json' },
  workloads: {
    what: 'deployments, daemonsets, statefulsets and replicasets',
    capture: 'kubectl get deploy,ds,sts,rs -A -o json > workloads.json',
  },
  'kubelet-pod-list': {
    what: "the kubelet's own pod list",
    capture: 'kubectl get --raw /api/v1/nodes/<node>/proxy/pods > <node>-kubelet-pods.json',
  },
  ipamblocks: { what: 'Calico IPAM blocks', capture: 'kubectl get ipamblocks.crd.projectcalico.org -o json > ipamblocks.json' },
  ipamhandles: {
    what: 'Calico IPAM handles',
    capture: 'kubectl get ipamhandles.crd.projectcalico.org -o json > ipamhandles.json',
  },
  routes: { what: 'routing table of each node', capture: 'ip route show table main > <node>-ip-route.txt' },
  neighbours: { what: 'neighbour table of each node', capture: 'ip neigh show nud all > <node>-ip-neigh.txt' },
  iptables: { what: 'iptables rules of each node', capture: 'sudo iptables-save > <node>-iptables-save.txt' },
  processes: { what: 'process listing', capture: 'ps -eo pid,ppid,pcpu,lstart,args > <node>-ps.txt; pgrep -a containerd-shim > <node>-shims.txt' },
  tasks: {
    what: 'containerd task list',
    capture: 'sudo microk8s ctr -n k8s.io tasks list > <node>-tasks.txt',
  },
  schedstat: {
    what: 'kubelite scheduler statistics sampled twice',
    capture: 'PID=$(systemctl show snap.microk8s.daemon-kubelite -p MainPID --value); for i in 1 2; do cat /proc/$PID/schedstat; sleep 3; done > <node>-schedstat.txt',
  },
  'kubelet-args': { what: 'kubelet arguments', capture: 'cp /var/snap/microk8s/current/args/kubelet <node>-args-kubelet' },
  'dqlite-files': {
    what: 'dqlite backend directory listing',
    capture: 'sudo ls -la --time-style=full-iso /var/snap/microk8s/current/var/kubernetes/backend/ > <node>-dqlite-ls.txt',
  },
  'dqlite-snapshot': {
    what: 'the newest dqlite snapshot (read-only copy)',
    capture: 'sudo cp $(ls -t /var/snap/microk8s/current/var/kubernetes/backend/snapshot-* | head -2) .',
  },
} as const satisfies Record<string, { what: string; capture: string }>;

export type InputId = keyof typeof INPUTS;

/** Which logical input each kind of parsed state provides. */
export const FACT_INPUTS = {
  pods: 'pods', nodes: 'nodes', events: 'events', leases: 'leases', workloads: 'workloads',
  kubeletPodLists: 'kubelet-pod-list', ipamBlocks: 'ipamblocks', ipamHandles: 'ipamhandles',
  routes: 'routes', neighbours: 'neighbours', iptables: 'iptables', processes: 'processes',
  processCounts: 'processes', schedstats: 'schedstat', tasks: 'tasks', kubeletArgs: 'kubelet-args',
  dqliteFiles: 'dqlite-files', dqliteSnapshots: 'dqlite-snapshot',
} as const satisfies Partial<Record<keyof Facts, InputId>>;
