#!/usr/bin/env bash
# Regenerates the real tool outputs under test/data/node/ (iproute2, iptables, lz4, sqlite3).
# Needs root (network namespaces) and Debian packages: iproute2 iptables lz4 sqlite3.
#   apt-get update && apt-get install -y iproute2 iptables lz4 sqlite3
# Everything happens inside a throw-away network namespace `plegtest`; the host's routes,
# neighbours and rules are never touched. The outputs are committed so CI needs none of it.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=test/data/node
mkdir -p "$OUT"
NS=plegtest
ip netns del "$NS" 2>/dev/null || true
ip netns add "$NS"
trap 'ip netns del "$NS" 2>/dev/null || true' EXIT
n() { ip netns exec "$NS" "$@"; }
# This kernel may lack the dummy module: a veth pair whose peer stays inside the namespace
# gives an interface with carrier instead.
peer=0
mkdev() { peer=$((peer + 1)); n ip link add "$1" type veth peer name "vp$peer"; n ip link set "vp$peer" up; }

# --- devices shaped like a Calico VXLAN node -------------------------------------------------
n ip link set lo up
mkdev eth0
n ip link set eth0 address 52:54:00:12:34:56
n ip addr add 172.22.104.186/20 dev eth0
n ip link set eth0 up
mkdev eth1
n ip addr add 192.168.50.10/24 dev eth1
n ip link set eth1 up
n ip link add vxlan.calico type vxlan id 4096 dstport 4789 dev eth0 nolearning
n ip link set vxlan.calico address 66:b6:99:56:ef:dc
n ip addr add 10.1.39.192/32 dev vxlan.calico
n ip link set vxlan.calico up
mkdev cali8a0d1cb2e38
n ip link set cali8a0d1cb2e38 address ee:ee:ee:ee:ee:ee
n ip link set cali8a0d1cb2e38 up
n ip link add docker0 type bridge
n ip addr add 172.17.0.1/16 dev docker0
n ip link set docker0 up   # a bridge without ports has no carrier: its kernel route gets `linkdown`

# --- routes as Felix and DHCP program them (format reference §3.3) ---------------------------
n ip route add default via 172.22.96.1 dev eth0 proto dhcp src 172.22.104.186 metric 100
n ip route add 172.22.96.1 dev eth0 proto dhcp scope link src 172.22.104.186 metric 100
n ip route add blackhole 10.1.39.192/26 proto 80
n ip route add 10.1.39.193 dev cali8a0d1cb2e38 scope link
n ip route add 10.1.235.128/26 via 10.1.235.128 dev vxlan.calico onlink
n ip route add 10.1.254.64/26 via 10.1.254.64 dev vxlan.calico onlink
n ip route add 10.1.77.0/26 via 192.168.50.20 dev eth1 proto 80 onlink
n ip route add unreachable 10.99.0.0/16
n ip route add prohibit 10.98.0.0/16
n ip route add throw 10.97.0.0/16
n ip route add 10.50.0.0/16 proto static metric 50 \
  nexthop via 172.22.96.1 dev eth0 weight 1 nexthop via 192.168.50.1 dev eth1 weight 2
n ip route add 10.60.0.0/24 via 192.168.50.1 dev eth1 table 100 proto bird

# --- neighbours (the kernel refuses INCOMPLETE/FAILED from userspace) -------------------------
n ip neigh add 10.1.235.128 dev vxlan.calico lladdr 66:67:bd:3f:3c:e5 nud permanent
n ip neigh add 10.1.254.64 dev vxlan.calico lladdr 66:76:38:5d:31:cd nud permanent
n ip neigh add 172.22.96.1 dev eth0 lladdr 02:50:56:56:44:52 nud reachable
n ip neigh add 172.22.96.7 dev eth0 lladdr 00:50:56:8b:07:76 nud stale
n ip neigh add 192.168.50.20 dev eth1 lladdr 00:50:56:8b:9d:7b nud noarp
n ip neigh add 192.168.50.1 dev eth1 lladdr 00:50:56:8b:a4:f1 nud delay
n ip neigh add 192.168.50.2 dev eth1 lladdr 00:50:56:8b:10:23 nud probe
n ip neigh add 192.168.50.3 dev eth1 lladdr 00:50:56:8b:10:24 nud stale router

n ip route > "$OUT/ip-route.txt"
n ip route show table all > "$OUT/ip-route-table-all.txt"
n ip -j route > "$OUT/ip-route.json"
n ip -j -p route > "$OUT/ip-route-pretty.json"
n ip -j route show table all > "$OUT/ip-route-table-all.json"
n ip neigh show nud all > "$OUT/ip-neigh.txt"
n ip neigh show dev vxlan.calico > "$OUT/ip-neigh-dev-vxlan.txt"
n ip -j neigh show nud all > "$OUT/ip-neigh.json"
n ip -j -p neigh show nud all > "$OUT/ip-neigh-pretty.json"

# --- kube-proxy / Calico shaped iptables (format reference §4.2, §4.3) ------------------------
ipt() { n iptables "$@"; }
ipt -t nat -N KUBE-SERVICES
ipt -t nat -N KUBE-POSTROUTING
ipt -t nat -N KUBE-MARK-MASQ
ipt -t nat -N KUBE-NODEPORTS
ipt -t nat -N KUBE-SVC-NPX46M4PTMTKRN6Y
ipt -t nat -N KUBE-SEP-QAX236RR3UXXQODE
ipt -t nat -A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
ipt -t nat -A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
ipt -t nat -A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
ipt -t nat -A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
ipt -t nat -A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
ipt -t nat -A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
ipt -t nat -A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
ipt -t nat -A KUBE-SERVICES -d 10.152.183.1/32 -p tcp -m comment --comment "default/kubernetes:https cluster IP" -m tcp --dport 443 -j KUBE-SVC-NPX46M4PTMTKRN6Y
ipt -t nat -A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
ipt -t nat -A KUBE-SVC-NPX46M4PTMTKRN6Y -m comment --comment "default/kubernetes:https -> 172.22.104.186:16443" -j KUBE-SEP-QAX236RR3UXXQODE
ipt -t nat -A KUBE-SEP-QAX236RR3UXXQODE -p tcp -m comment --comment "default/kubernetes:https" -m tcp -j DNAT --to-destination 172.22.104.186:16443
ipt -t nat -N cali-PREROUTING
ipt -t nat -N cali-POSTROUTING
ipt -t nat -N cali-OUTPUT
ipt -t nat -N cali-nat-outgoing
ipt -t nat -N cali-fip-dnat
ipt -t nat -N cali-fip-snat
ipt -t nat -I PREROUTING 1 -m comment --comment "cali:6gwbT8clXdHdC1b1" -j cali-PREROUTING
ipt -t nat -I OUTPUT 1 -m comment --comment "cali:tVnHkvAo15HuiPy0" -j cali-OUTPUT
ipt -t nat -I POSTROUTING 1 -m comment --comment "cali:O3lYWMrLQYEMJtB5" -j cali-POSTROUTING
ipt -t nat -A cali-OUTPUT -m comment --comment "cali:GBTAv2p5CwevEyJm" -j cali-fip-dnat
ipt -t nat -A cali-PREROUTING -m comment --comment "cali:r6XmIziWUJsdOK6Z" -j cali-fip-dnat
ipt -t nat -A cali-POSTROUTING -m comment --comment "cali:Z-c7XtVd2Bq7s_hA" -j cali-fip-snat
ipt -t nat -A cali-POSTROUTING -m comment --comment "cali:nYKhEzDlr11Jccal" -j cali-nat-outgoing
ipt -t nat -A cali-nat-outgoing -s 10.1.0.0/16 ! -d 10.1.0.0/16 -m comment --comment "cali:flqWnvo8yq4ULQLa" -j MASQUERADE --random-fully
ipt -N cali-FORWARD
ipt -N cali-INPUT
ipt -N cali-from-wl-dispatch
ipt -I FORWARD 1 -m comment --comment "cali:wUHhoiAYhphO9Mso" -j cali-FORWARD
ipt -I INPUT 1 -m comment --comment "cali:Cz_u1IQiXIMmKD4c" -j cali-INPUT
ipt -A FORWARD -s 10.1.0.0/16 -m comment --comment "generated for MicroK8s pods" -j ACCEPT
ipt -A FORWARD -d 10.1.0.0/16 -m comment --comment "generated for MicroK8s pods" -j ACCEPT
ipt -A cali-FORWARD -i cali+ -m comment --comment "cali:X3vB2lGcBrfkYquC" -j cali-from-wl-dispatch
ipt -A cali-FORWARD -m comment --comment "cali:MH9kMp5aNICL-Olv" -m mark --mark 0x10000/0x10000 -j ACCEPT
ipt -A cali-from-wl-dispatch -m comment --comment "cali:zTj6P0TIgYvgz-md" -j DROP
ipt -t raw -N cali-PREROUTING
ipt -t raw -A PREROUTING -m comment --comment "cali:6gwbT8clXdHdC1b1" -j cali-PREROUTING
ipt -t raw -A cali-PREROUTING -p udp -m comment --comment "cali:5W_VvvNkw3dz-2oa" -m udp --dport 4789 -j NOTRACK

n iptables-save | sed -E 's/ on (Mon|Tue|Wed|Thu|Fri|Sat|Sun) .*/ on Mon Jun  9 21:31:09 2025/' > "$OUT/iptables-save.txt"
n iptables -t nat -L -n -v > "$OUT/iptables-t-nat-L-n-v.txt"
n iptables -S > "$OUT/iptables-S.txt"
n iptables -L > "$OUT/iptables-L.txt"

# --- a tiny dqlite snapshot: kine schema in sqlite3, wrapped, framed by the lz4 CLI ----------
TMP=$(mktemp -d)
sqlite3 "$TMP/k8s" >/dev/null <<'SQL'
PRAGMA page_size = 4096;
PRAGMA journal_mode = WAL;
CREATE TABLE kine (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, created INTEGER,
  deleted INTEGER, create_revision INTEGER NOT NULL, prev_revision INTEGER, lease INTEGER,
  value BLOB, old_value BLOB);
CREATE UNIQUE INDEX k8s_dqlite_name_del_index ON kine (name ASC, id DESC, deleted);
PRAGMA user_version = 65536;
INSERT INTO kine (name, created, deleted, create_revision, prev_revision, lease, value, old_value)
  VALUES ('compact_rev_key', 1, 0, 0, 0, 0, NULL, NULL);
WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < 40)
INSERT INTO kine (name, created, deleted, create_revision, prev_revision, lease, value, old_value)
  SELECT '/registry/crd.projectcalico.org/ipamhandles/k8s-pod-network.' || printf('%064x', i),
         1, 0, 0, 0, 0, '{"kind":"IPAMHandle"}', NULL FROM seq;
WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < 5)
INSERT INTO kine (name, created, deleted, create_revision, prev_revision, lease, value, old_value)
  SELECT '/registry/crd.projectcalico.org/ipamhandles/k8s-pod-network.' || printf('%064x', i),
         0, 1, i + 1, i + 1, 0, NULL, '{"kind":"IPAMHandle"}' FROM seq;
INSERT INTO kine (name, created, deleted, create_revision, prev_revision, lease, value, old_value)
  VALUES ('/registry/pods/kube-system/calico-node-x7k2p', 1, 0, 0, 0, 0, X'6b387300', NULL),
         ('/registry/pods/default/nginx-1', 1, 0, 0, 0, 0, X'6b387300', NULL),
         ('/registry/minions/k8s03', 1, 0, 0, 0, 0, X'6b387300', NULL),
         ('gap-50', 0, 1, 0, 0, 0, NULL, NULL);
UPDATE kine SET prev_revision = 30 WHERE name = 'compact_rev_key';
PRAGMA wal_checkpoint(TRUNCATE);
SQL
node -e '
const fs = require("fs");
const main = fs.readFileSync(process.argv[1]);
const name = Buffer.alloc(8); name.write("k8s");
const u64 = (n) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(n)); return b; };
fs.writeFileSync(process.argv[2], Buffer.concat([u64(1), u64(1), name, u64(main.length), u64(0), main]));
' "$TMP/k8s" "$TMP/snapshot.raw"
lz4 -q -f --content-size -BD "$TMP/snapshot.raw" "$OUT/snapshot-1-1024-123456"
rm -rf "$TMP"
echo "wrote $(ls "$OUT" | wc -l) files to $OUT"
