#!/bin/sh
# Runs the echo server and client over loopback (used by `make demo`).
set -u
bin=${1:-build/examples}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$bin/echo_server" 0 1 "$tmp/port" &
server=$!
i=0
while [ ! -s "$tmp/port" ] && [ $i -lt 500 ]; do
    sleep 0.01
    i=$((i + 1))
done
if [ ! -s "$tmp/port" ]; then
    echo "demo: the server did not start" >&2
    kill "$server" 2>/dev/null
    exit 1
fi
"$bin/echo_client" 127.0.0.1 "$(cat "$tmp/port")"
client=$?
# The server exits once its client has gone; give it 10 s at most.
i=0
while kill -0 "$server" 2>/dev/null && [ $i -lt 1000 ]; do
    sleep 0.01
    i=$((i + 1))
done
if kill -0 "$server" 2>/dev/null; then
    kill "$server"
    echo "demo: the server did not finish" >&2
    exit 1
fi
wait "$server"
srv=$?
if [ $client -eq 0 ] && [ $srv -eq 0 ]; then
    echo "demo: OK"
else
    echo "demo: FAILED (client $client, server $srv)" >&2
    exit 1
fi
