import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { blankSamplesHeader, samplesHeaderLength } from '../../src/bundle/samples-header.js';
import { sniffKind } from '../../src/bundle/sniff.js';
import type { MemberKind } from '../../src/bundle/types.js';
import { SHARED_CORPORA, SHARED_SAMPLES } from '../support/shared.js';

const SAMPLES = SHARED_SAMPLES;
const sample = (name: string): Buffer => blankSamplesHeader(readFileSync(`${SAMPLES}/${name}`).subarray(0, 64 * 1024));
const text = (s: string, path = 'x') => sniffKind(Buffer.from(s), path);

describe('sniffKind on real samples', () => {
  const cases: Array<[string, MemberKind]> = [
    ['cas-conflict__inspection-kubelite-pdb.txt', 'journalctl-text'],
    ['kine-locked__k3s-11901.txt', 'journalctl-text'], // contains `-- Boot <id> --`
    ['pleg-unhealthy__k3s-2370-b.txt', 'journalctl-text'], // rsyslog-style `Oct  8`
    // journal lines carrying a Go dump stay journal text: the journal parser reads what is inside
    ['goroutine-dump-kubelet__k8s-57028-schedule-holding-locks.txt', 'journalctl-text'],
    ['container-event-discarded__containerd-11108.txt', 'journalctl-text'], // `containerd[2213]: …` without time/host
    ['imagefs__k8s-126314-hasdedicatedimagefs-variant.txt', 'klog'],
    ['lease-lost__ovn-kubernetes-3070.txt', 'klog'],
    ['calico-ipam__calico-2940-block-exists.txt', 'plain-log'],
    ['felix-nat__calico-3756.txt', 'plain-log'], // `[pod container] ` prefixed Calico lines
    ['kine-locked__microk8s-4374-failed-to-list.txt', 'journalctl-text'],
    ['lease-lost__koordinator-2095.txt', 'plain-log'], // CRI log format
    ['lease-lost__rancher-30483-docker-json.txt', 'plain-log'], // docker json-file lines
    ['goroutine-dump-kubelet__heapster-1028-watchhandler.txt', 'goroutine-dump'],
    ['goroutine-dump-kubelet__k8s-25056-reflector-5442min.txt', 'goroutine-dump'], // starts mid-stack
    ['goroutine-dump-kubelet__containerd-1882-logrus-dump.txt', 'plain-log'], // containerd log whose dump the log parser hands to the dump collector
    ['goroutine-dump-kubelet__xuxinkun-blog-pleg-relist-pprof.txt', 'goroutine-dump'], // pprof debug=1
    ['calico-tombstone-panic__kube-controllers-145.txt', 'goroutine-dump'],
    ['healthy-kubelet__inspection-nodelist-json.txt', 'kubectl-json'],
    ['calico-ipam__cni-plugin-749-ipamblock-yaml.txt', 'kubectl-yaml'],
    ['microk8s-journal__vhr-inspection-kubelite-systemctl.txt', 'systemctl-status'],
    ['healthy-kubelet__hex-alfred-status.txt', 'systemctl-status'], // after a `$ systemctl status kubelet` prompt
    ['vxlan-route__felix-2953-ip-route.txt', 'ip-route'],
    ['vxlan-route__calico-5460-ip-neigh.txt', 'ip-neigh'],
    ['vxlan-route__calico-9450-ip-neigh.txt', 'ip-neigh'],
    ['vxlan-route__calico-12806-arp-incomplete.txt', 'arp'],
    ['name-reserved__crio-2984.txt', 'kubectl-events-table'], // kubectl describe Events: section
    ['name-reserved__debug-gym-285.txt', 'kubectl-events-table'], // one describe row, spaces collapsed
    ['calico-ipam__ibm-armada-runbook.txt', 'journalctl-text'], // syslog TAG `syslog` without `:`
    ['name-reserved__containerd-12438.txt', 'journalctl-text'], // `9 09:58:07 node kubelet[5738]: E1029 …` (month cut off), `##` notes
    ['flag-undefined__aibrix-668.txt', 'shell-session'], // ` ~  kubectl get pods -n …` (powerline prompt), kubectl logs
    ['flag-undefined__machine-api-operator-107.txt', 'shell-session'], // `$ oc project …`, `[user@host ~]$ oc get pods`, oc logs
    ['shim-orphan__ibm-etcd-operator-unary-invoker.txt', 'shell-session'], // `$ kubectl -n ns logs pod/x -c y | grep … | tail -10`
    ['felix-nat__spot-40.txt', 'shell-session'], // the bare `kubectl logs … | grep unexpected` as first line
  ];
  it.each(cases)('%s → %s', (name, kind) => {
    expect(sniffKind(sample(name), name)).toEqual({ kind });
  });

  it('reads a kubectl prompt as a session only for the commands whose output it reads', () => {
    expect(text('$ kubectl get pods -n ci\nNAME   READY   STATUS    RESTARTS   AGE\nx-1    1/1     Running   0          1m\n')).toEqual({ kind: 'shell-session' });
    // 004's `kubectl get ipamhandles --no-headers | wc -l` count stays what it was read as.
    expect(text('$ kubectl get ipamhandles --no-headers | wc -l\n6071\n', 'cluster/ipamhandles-count.txt')).toEqual({ kind: 'pgrep' });
    expect(text('$ kubectl get nodes\nNAME    STATUS   ROLES    AGE   VERSION\nk8s01   Ready    <none>   4y    v1.34.5\n')).toEqual({ skip: 'unrecognized content' });
  });

  it('leaves a paste that also runs another reader\'s command (journalctl, describe) to that reader', () => {
    const table = '$ kubectl get pods -A\nNAMESPACE     NAME          READY   STATUS    RESTARTS   AGE\nkube-system   coredns-abc   1/1     Running   0          4d\n';
    const journal = [
      '$ journalctl -u snap.microk8s.daemon-kubelite -n 3',
      'May 17 05:59:38 k8s01 microk8s.daemon-kubelite[1]: I0517 05:59:38.000001 1 kubelet.go:2400] "Skipping pod synchronization" err="PLEG is not healthy: pleg was last seen active 3m0.1s ago; threshold is 3m0s"',
      'May 17 05:59:39 k8s01 microk8s.daemon-kubelite[1]: I0517 05:59:39.000001 1 kubelet.go:2400] "Skipping pod synchronization" err="PLEG is not healthy: pleg was last seen active 3m1.1s ago; threshold is 3m0s"',
      'May 17 05:59:40 k8s01 microk8s.daemon-kubelite[1]: I0517 05:59:40.000001 1 kubelet.go:2400] "Skipping pod synchronization" err="PLEG is not healthy: pleg was last seen active 3m2.1s ago; threshold is 3m0s"',
      '',
    ].join('\n');
    expect(text(table + journal)).toEqual({ kind: 'journalctl-text' });
    const describe = [
      '$ kubectl describe pod coredns-abc -n kube-system',
      'Events:',
      '  Type     Reason     Age                 From     Message',
      '  ----     ------     ----                ----     -------',
      '  Warning  Unhealthy  2m (x4 over 3m)     kubelet  Readiness probe failed: HTTP probe failed with statuscode: 503',
      '',
    ].join('\n');
    expect(text(table + describe)).toEqual({ kind: 'kubectl-events-table' });
  });

  it('takes `# kubectl …` heading a YAML or log file for a comment, not a prompt', () => {
    const yaml = '# kubectl get pods -n kube-system -o yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: coredns-abc\n  namespace: kube-system\nspec:\n  containers: []\n';
    expect(text(yaml, 'pod.yaml')).toEqual({ kind: 'kubectl-yaml' });
    const klog = '# kubectl logs -n kube-system kube-proxy-x\nI0517 05:59:38.000001       1 proxier.go:100] "Syncing iptables rules"\nI0517 05:59:39.000001       1 proxier.go:120] "Synced iptables rules"\n';
    expect(text(klog)).toEqual({ kind: 'klog' });
  });

  it('recognises the peer goroutine corpora', () => {
    for (const f of ['panicparse-static_panicweb.txt', 'panicparse-static_panic_race.txt']) {
      expect(sniffKind(readFileSync(`${SHARED_CORPORA}/goroutines/${f}`), f)).toEqual({ kind: 'goroutine-dump' });
    }
  });
});

describe('sniffKind on format openings', () => {
  const cases: Array<[string, string, string, MemberKind]> = [
    [
      'journald export',
      '__CURSOR=s=739ad463348b4ceca5a9e69c95a3c93f;i=4ece7;b=6c7c6013a26343b29e964691ff25d04c\n__REALTIME_TIMESTAMP=1342540861416409\n_BOOT_ID=6c7c6013a26343b29e964691ff25d04c\nMESSAGE=hi\n\n',
      'k8s03/kubelite.export',
      'journald-export',
    ],
    ['journald export without dunder fields', '_SYSTEMD_UNIT=session-35898.scope\n_BOOT_ID=6c7c\nPRIORITY=6\nMESSAGE\n\u0007\0\0\0\0\0\0\0foo\nbar\n\n', 'x', 'journald-export'],
    ['journald json', '{"__CURSOR":"s=1","__REALTIME_TIMESTAMP":"1779000000000000","MESSAGE":"x","_HOSTNAME":"k8s03"}\n', 'x', 'journald-json'],
    ['journald json-pretty (old)', '{\n\t"__CURSOR" : "s=1",\n\t"__REALTIME_TIMESTAMP" : "1",\n\t"MESSAGE" : "x"\n}\n', 'x', 'journald-json'],
    ['journald json-seq', '\u001e{"__CURSOR":"s=1","MESSAGE":"x"}\n', 'x', 'journald-json'],
    ['journald json-sse', 'data: {"__CURSOR":"s=1","MESSAGE":"x"}\n\n', 'x', 'journald-json'],
    ['journalctl short-iso', '2023-09-08T17:20:30+0200 tarta r710_fan_controller.sh[20911]: Highest drive temperature: 43 Celcius.\n', 'x', 'journalctl-text'],
    ['journalctl short-unix', '1694186430.655028 tarta kubelite[1]: hello\n', 'x', 'journalctl-text'],
    ['journalctl no entries', '-- No entries --\n', 'x', 'journalctl-text'],
    ['journalctl logs-begin header', '-- Logs begin at Sun 2021-05-30 17:08:18 UTC, end at Sun 2021-05-30 20:13:39 UTC. --\nMay 30 17:09:19 purek8 systemd[1]: Started x.\n', 'x', 'journalctl-text'],
    ['klog', 'I0517 05:59:38.124000    2978 kubelet.go:2345] "SyncLoop (PLEG): event for pod"\n', 'x', 'klog'],
    ['logrus', 'time="2025-01-02T03:04:05.123456789Z" level=error msg="failed" error="x"\n', 'x', 'plain-log'],
    ['calico', '2026-05-17 05:59:38.124 [INFO][1234] ipam/ipam.go 1128: Releasing address\n', 'x', 'plain-log'],
    ['goroutine SIGQUIT', 'SIGQUIT: quit\nPC=0x46e1c1 m=0 sigcode=0\n\ngoroutine 1 [running]:\nmain.main()\n\t/x/main.go:5 +0x1\n', 'x', 'goroutine-dump'],
    ['kubectl json pod', '{\n    "apiVersion": "v1",\n    "kind": "Pod",\n    "metadata": {"name": "p"}\n}\n', 'pods.json', 'kubectl-json'],
    ['cluster-info dump', '{\n    "kind": "NodeList",\n    "apiVersion": "v1",\n    "items": []\n}\n{\n    "kind": "EventList",\n    "apiVersion": "v1",\n    "items": []\n}\n', 'dump', 'cluster-info-dump'],
    ['kubectl yaml', 'apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Pod\nkind: List\n', 'x', 'kubectl-yaml'],
    ['ip -j route', '[{"type":"blackhole","dst":"10.1.39.192/26","protocol":"80","flags":[]},{"dst":"default","gateway":"192.168.1.1","dev":"eth0","flags":[]}]\n', 'x', 'ip-json'],
    ['ip neigh incomplete', '10.1.235.128 dev vxlan.calico INCOMPLETE\n10.1.235.129 dev vxlan.calico lladdr 66:67:bd:3f:3c:e5 PERMANENT\n', 'x', 'ip-neigh'],
    ['iptables-save', '# Generated by iptables-save v1.8.4 on Mon Jun  9 21:31:09 2025\n*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -j cali-PREROUTING\nCOMMIT\n', 'x', 'iptables-save'],
    ['iptables -S', '-P INPUT ACCEPT\n-N KUBE-SERVICES\n-A INPUT -j KUBE-SERVICES\n', 'x', 'iptables-list'],
    ['ps aux', 'USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\nroot           1  0.0  0.1 167000 11000 ?        Ss   May17   0:04 /sbin/init\n', 'x', 'ps'],
    ['ps -eo', '    PID    PPID %CPU                  STARTED COMMAND\n      1       0  0.0 Sun May 17 05:00:00 2026 /sbin/init\n', 'x', 'ps'],
    ['pgrep -a', '2213 /snap/microk8s/7231/bin/containerd-shim-runc-v2 -namespace k8s.io -id 5f3a\n2250 /snap/microk8s/7231/bin/containerd-shim-runc-v2 -namespace k8s.io -id 6a1b\n', 'x', 'pgrep'],
    ['pgrep -c', '412\n', 'k8s03/pgrep-shim-count', 'pgrep'],
    ['schedstat', '123456789 987654321 4242\n123999999 997654321 4250\n', 'x', 'schedstat'],
    ['stat /proc', '  File: /proc/3510\n  Size: 0         \tBlocks: 0          IO Block: 1024   directory\nModify: 2026-05-17 05:40:00.000000000 +1000\n', 'x', 'proc-stat'],
    ['ctr tasks', 'TASK                                                                PID      STATUS    \n5f3a     2250     RUNNING\n', 'x', 'ctr-tasks'],
    ['ctr containers', 'CONTAINER    IMAGE    RUNTIME    \n5f3a    registry.k8s.io/pause:3.7    io.containerd.runc.v2    \n', 'x', 'ctr-containers'],
    ['ctr sandboxes', 'ID CREATED RUNTIME \n5f3a 2026-05-17 05:40:00.1 +1000 AEST io.containerd.runc.v2 \n', 'x', 'ctr-sandboxes'],
    ['crictl pods', 'POD ID              CREATED             STATE               NAME                NAMESPACE           ATTEMPT             RUNTIME\n', 'x', 'crictl-pods'],
    ['crictl ps', 'CONTAINER           IMAGE               CREATED             STATE               NAME                        ATTEMPT             POD ID              POD\ne422f11ca3b74       e6a0117ec169e       54 minutes ago      Running             centos                      0                   68a89759992ad       centos-67dd9d8678-bxxdv\n', 'x', 'crictl-ps'],
    ['kubelet args', '--kubeconfig=${SNAP_DATA}/credentials/kubelet.config\n--cert-dir=${SNAP_DATA}/certs\n', 'x', 'kubelet-args'],
    ['dqlite ls -la full-iso', 'total 1.2G\n-rw------- 1 root root 8388608 2026-05-17 05:40:00.000000000 +1000 0000000000014337-0000000000014731\n-rw------- 1 root root 1500000 2026-05-17 05:41:00.000000000 +1000 snapshot-2-16384-123456\n', 'x', 'dqlite-listing'],
    ['date', 'Mon May 18 00:15:00 AEST 2026\n', 'x', 'date'],
    ['date -Iseconds named date', '2026-05-18T00:15:00+10:00\n', 'k8s03/date', 'date'],
  ];
  it.each(cases)('%s', (_name, content, path, kind) => {
    expect(text(content, path)).toEqual({ kind });
  });

  it('recognises dqlite snapshots by magic and by name', () => {
    expect(sniffKind(Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x64, 0x40, 0xa7]), 'backend/anything')).toEqual({ kind: 'dqlite-snapshot' });
    const raw = Buffer.alloc(64);
    raw.writeUInt32LE(1, 0);
    raw.writeUInt32LE(1, 8);
    expect(sniffKind(raw, 'backend/snapshot-2-16384-123456')).toEqual({ kind: 'dqlite-snapshot' });
    expect(sniffKind(raw, 'backend/snapshot-2-16384-123456.meta')).toEqual({ kind: 'dqlite-snapshot' });
    expect(sniffKind(raw, 'backend/other.bin')).toEqual({ skip: 'binary content not recognized' });
  });

  it('decides network/ip-addr by content', () => {
    const ipAddr =
      '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n    inet 127.0.0.1/8 scope host lo\n       valid_lft forever preferred_lft forever\n';
    expect(text(ipAddr, 'inspection-report/network/ip-addr')).toEqual({ skip: 'ip addr output (not used)' });
    expect(text('default via 10.0.0.1 dev eth0\n', 'inspection-report/network/ip-addr')).toEqual({ kind: 'ip-route' });
  });

  it('uses path hints only when content is ambiguous', () => {
    expect(text('Unit snap.microk8s.daemon-etcd.service could not be found.\n', 'inspection-report/snap.microk8s.daemon-etcd/systemctl.log')).toEqual({
      kind: 'systemctl-status',
    });
    expect(text('Unit x could not be found.\n', 'notes.txt')).toEqual({ skip: 'unrecognized content' });
    expect(text('I0517 05:59:38.124000    2978 kubelet.go:2345] hi\n', 'inspection-report/sys/ps')).toEqual({ kind: 'klog' });
  });

  it('skips garbage and empty members', () => {
    expect(sniffKind(Buffer.from([0x00, 0xff, 0x13, 0x37, 0x00, 0x42]), 'kubelite.journal')).toEqual({ skip: 'binary content not recognized' });
    expect(sniffKind(Buffer.alloc(0), 'x')).toEqual({ skip: 'empty file' });
    expect(text('hello world\n', 'x')).toEqual({ skip: 'unrecognized content' });
  });
});

describe('samples header', () => {
  it('finds the header and blanks it to newlines', () => {
    const raw = readFileSync(`${SAMPLES}/vxlan-route__felix-2953-ip-route.txt`);
    const length = samplesHeaderLength(raw);
    expect(raw.subarray(0, length).toString()).toMatch(/^# source: .*\n# what: .*\n# format: ip-route\n# ---\n$/);
    expect(blankSamplesHeader(raw).toString()).toBe('\n\n\n\n' + raw.subarray(length).toString());
  });

  it('leaves other files alone', () => {
    const plain = Buffer.from('# source: not a header\nno end marker\n');
    expect(samplesHeaderLength(plain)).toBe(0);
    expect(blankSamplesHeader(plain)).toBe(plain);
  });
});
