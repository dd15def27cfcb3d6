#!/bin/sh
# Fault injection in a network namespace made for this run: both ends of
# every connection live inside it, on its own loopback, and nftables rules
# there drop, reject or lose packets. Needs root, `ip netns` and `nft`;
# says SKIPPED otherwise. The namespace, its /etc/netns/<ns> files (hosts,
# resolv.conf, nsswitch.conf, which `ip netns exec` mounts over /etc) and
# the slow DNS server are removed on exit, also on failure.
set -u
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-python3}
ns=sptcp-faults-$$
dns_delay=1200
if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null 2>&1 || ! command -v nft >/dev/null 2>&1; then
    echo "faults: SKIPPED: needs root, iproute2 and nftables (apt-get install iproute2 nftables)"
    exit 0
fi
if ! ip netns add "$ns" 2>/dev/null; then
    echo "faults: SKIPPED: cannot create a network namespace here"
    exit 0
fi
etc=/etc/netns/$ns
made_netns_dir=
[ -d /etc/netns ] || made_netns_dir=1
tmp=$(mktemp -d)
dns_pid=
cleanup() {
    if [ -n "$dns_pid" ]; then
        kill "$dns_pid" 2>/dev/null
        wait "$dns_pid" 2>/dev/null
    fi
    ip netns del "$ns" 2>/dev/null
    rm -rf "$etc" "$tmp"
    if [ -n "$made_netns_dir" ]; then
        rmdir /etc/netns 2>/dev/null
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The name service inside the namespace: dual.test has ::1 first and then
# 127.0.0.1; every other name (slow.test, nosuch.test) goes to the slow DNS
# server on the namespace's 127.0.0.1:53.
mkdir -p "$etc"
printf '127.0.0.1 localhost\n::1 localhost\n::1 dual.test\n127.0.0.1 dual.test\n' >"$etc/hosts"
printf 'nameserver 127.0.0.1\noptions timeout:5 attempts:1\n' >"$etc/resolv.conf"
printf 'hosts: files dns\n' >"$etc/nsswitch.conf"

in_ns() { ip netns exec "$ns" "$@"; }
in_ns ip link set lo up
in_ns nft add table inet sptcp
in_ns nft add chain inet sptcp input '{ type filter hook input priority 0 ; }'
in_ns nft add rule inet sptcp input tcp dport 7001 drop
in_ns nft add rule inet sptcp input tcp dport 7002 reject with tcp reset
# happy-eyeballs: ::1 port 7006 is a blackhole, 127.0.0.1 port 7006 listens
in_ns nft add rule inet sptcp input meta nfproto ipv6 tcp dport 7006 drop
# ... and ::1 port 7009 refuses (a reset), 127.0.0.1 port 7009 listens
in_ns nft add rule inet sptcp input meta nfproto ipv6 tcp dport 7009 reject with tcp reset

pass=0
fail=0
failed() {
    echo "faults: $1 FAILED: $2"
    fail=$((fail + 1))
}
run() {
    out=$(in_ns env FAULTS_DNS_DELAY_MS=$dns_delay timeout 120 "$bin" "$1" 2>&1)
    rc=$?
    printf '%s\n' "$out"
    [ $rc -ne 124 ] || echo "faults: $1 FAILED: still running after 120 s"
    if [ $rc -eq 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
    return $rc
}

for scenario in blackhole refused reset lossy; do
    run "$scenario"
done

first=$(in_ns getent ahosts dual.test | awk 'NR == 1 { print $1 }')
if [ "$first" = "::1" ]; then
    run happy-eyeballs
else
    failed happy-eyeballs "getent ahosts dual.test in the namespace gives '$first' first, not ::1"
fi

if ! command -v "$python" >/dev/null 2>&1; then
    failed slow-dns "no $python for c-tests/slow_dns.py"
else
    # not through in_ns: $! must be the server (ip netns exec execs timeout,
    # and timeout passes the kill on to Python)
    ip netns exec "$ns" timeout 300 "$python" "$here/slow_dns.py" serve "$dns_delay" >"$tmp/dns.log" 2>&1 &
    dns_pid=$!
    if ! in_ns "$python" "$here/slow_dns.py" probe; then
        failed slow-dns "the DNS server in the namespace does not answer"
        cat "$tmp/dns.log"
    elif ! run slow-dns; then
        echo "faults: the DNS server's log:"
        cat "$tmp/dns.log"
    fi
    kill "$dns_pid" 2>/dev/null
    wait "$dns_pid" 2>/dev/null
    dns_pid=
fi

run keepalive

echo "faults: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
