import type { Signature } from './signatures.js';

/** Log signatures added by the kine/dqlite, controller and scheduling rules (see signatures.ts for the format). */
export const CLUSTER_SIGNATURES: readonly Signature[] = [
  {
    // time="2024-10-29T17:39:57+05:30" level=error msg="error while range on /registry/services/endpoints/kube-system/microk8s.io-hostpath : query (try: 0): context canceled"
    // time="2022-12-14T17:51:38Z" level=error msg="error in txn: exec (try: 0): context canceled"
    // (k8s-dqlite pkg/limited/server.go `error while range on %s %s: %v`, `error in txn: %v`;
    // driver.go wraps failed statements as `query (try: %d): %w` / `exec (try: %d): %w`; formats §7.4)
    id: 'dqlite-query-canceled',
    literals: ['context canceled'],
    regex: /error while range on (?<key>\/\S*).*context canceled|error in txn:.*context canceled|(?:query|exec) \(try: \d+\): context canceled/,
    description: 'k8s-dqlite: a query/transaction failed with context canceled (003 Chain 4)',
  },
  {
    // time="2024-10-29T17:40:02+05:30" level=error msg="error in txn: query (try: 0): sql: database is closed"
    // time="2024-10-29T17:39:48+05:30" level=error msg="error while range on /registry/rolebindings/ /registry/rolebindings/: sql: statement is closed"
    // (database/sql errors once k8s-dqlite closed its database during `microk8s stop`)
    id: 'dqlite-database-closed',
    literals: ['sql: database is closed', 'sql: statement is closed'],
    description: 'k8s-dqlite shutting down: queries fail on a closed database (shutdown burst, not a write-path failure)',
  },
  {
    // I1004 16:57:28.767582    8031 kubelet.go:283] "Adding apiserver pod source"
    // I1004 16:57:28.767625    8031 apiserver.go:42] "Waiting for node sync before watching apiserver pods"
    // (pkg/kubelet/kubelet.go makePodSourceConfig; newer kubelets' wording of "Watching apiserver")
    id: 'kubelet-apiserver-pod-source',
    literals: ['Adding apiserver pod source', 'Waiting for node sync before watching apiserver pods'],
    description: 'kubelet set up its apiserver pod watch (current wording of "Watching apiserver")',
  },
  {
    // E0831 21:00:21.420402  829989 writers.go:117] apiserver was unable to write a JSON response: http: Handler timeout
    // E0831 21:00:21.419819  829989 leaderelection.go:325] error retrieving resource lock kube-system/kube-scheduler: Get "https://127.0.0.1:6444/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler?timeout=5s": context deadline exceeded (Client.Timeout exceeded while awaiting headers)
    // (k3s-io/k3s#12850; apiserver/clients timing out while the datastore stalls — 004 "unresponsive for 10–30 seconds")
    id: 'apiserver-timeout',
    literals: ['http: Handler timeout', 'context deadline exceeded', 'Timeout: request did not complete within'],
    description: 'API server or its clients timing out (apiserver unresponsive windows, 004)',
  },
];
