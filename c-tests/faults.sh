#!/bin/sh
# Fault injection in a network namespace made for this run: both ends of
# every connection live inside it, on its own loopback, and nftables rules
# there drop, reject or lose packets. Needs root, `ip netns` and `nft`;
# says SKIPPED otherwise. The namespace is deleted on exit, also on failure.
set -u
bin=$1
ns=sptcp-faults-$$
if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null 2>&1 || ! command -v nft >/dev/null 2>&1; then
    echo "faults: SKIPPED: needs root, iproute2 and nftables (apt-get install iproute2 nftables)"
    exit 0
fi
if ! ip netns add "$ns" 2>/dev/null; then
    echo "faults: SKIPPED: cannot create a network namespace here"
    exit 0
fi
trap 'ip netns del "$ns" 2>/dev/null' EXIT INT TERM
in_ns() { ip netns exec "$ns" "$@"; }
in_ns ip link set lo up
in_ns nft add table inet sptcp
in_ns nft add chain inet sptcp input '{ type filter hook input priority 0 ; }'
in_ns nft add rule inet sptcp input tcp dport 7001 drop
in_ns nft add rule inet sptcp input tcp dport 7002 reject with tcp reset
pass=0
fail=0
for scenario in blackhole refused reset lossy; do
    out=$(in_ns timeout 120 "$bin" "$scenario" 2>&1)
    rc=$?
    printf '%s\n' "$out"
    if [ $rc -eq 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
echo "faults: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
