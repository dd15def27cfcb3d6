#!/bin/sh
# The TLS interop matrix (c-api.md §10): our client and server (c-tests/tls_interop.c)
# against openssl s_server / s_client and Python's ssl module, TLS 1.2 and 1.3 forced on
# the far side, bytes compared both ways and the negotiated version read from the far
# side's own output; then the failure cases (unknown issuer, expired, wrong name,
# truncation, plain text and random bytes into our server). All on 127.0.0.1 with
# ephemeral ports; every external process runs under `timeout 30`.
#
#   sh c-tests/tls_interop.sh build/c-tests/tls_interop
#
# Prints one line per case and "tls-interop: N passed, N failed"; exits non-zero on a
# failure. SKIPPED (exit 0) only when openssl or python3 is missing.
set -u
bin=${1:?usage: tls_interop.sh PATH/TO/tls_interop}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
python=${PYTHON:-python3}
openssl=${OPENSSL:-openssl}
peer_py=$root/python-tests/tls_peer.py
T="timeout 30"

for tool in "$openssl" "$python"; do
    if ! command -v "$tool" > /dev/null 2>&1; then
        echo "tls-interop: SKIPPED: $tool not found"
        exit 0
    fi
done
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
[ -x "$bin" ] || { echo "tls-interop: $bin is not built"; exit 1; }

tmp=$(mktemp -d)
bg_pids=
cleanup() {
    for p in $bg_pids; do
        kill "$p" 2>/dev/null
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

C=$tmp/certs
if ! sh "$here/tls_certs.sh" "$C" > "$tmp/certs.log" 2>&1; then
    cat "$tmp/certs.log"
    echo "tls-interop: 0 passed, 1 failed (could not make the certificates)"
    exit 1
fi

passed=0
failed=0
verbose=${TLS_INTEROP_VERBOSE:-}
# report LABEL ok|FAIL|INFO DETAIL [FILES TO SHOW ON FAILURE...]
report() {
    label=$1 verdict=$2 detail=$3
    shift 3
    case $verdict in
    ok) passed=$((passed + 1)); echo "tls-interop: $label: OK ($detail)" ;;
    INFO) echo "tls-interop: $label: INFO ($detail)" ;;
    *) failed=$((failed + 1)); echo "tls-interop: $label: FAILED ($detail)" ;;
    esac
    if [ "$verdict" = FAIL ] || [ -n "$verbose" ]; then
        for f in "$@"; do
            [ -s "$f" ] && sed "s|^|    $(basename "$f"): |" "$f"
        done
    fi
    return 0
}

# start_bg OUTFILE ERRFILE CMD...: runs CMD in the background; sets $bg.
start_bg() {
    o=$1 e=$2
    shift 2
    # A fresh file, so that no port of an earlier run is read.
    rm -f "$o" "$e"
    "$@" < /dev/null > "$o" 2> "$e" &
    bg=$!
    bg_pids="$bg_pids $bg"
}
# wait_port FILE SED-EXPR PID: the port the background process printed, or "".
wait_port() {
    i=0
    while [ $i -lt 100 ]; do
        p=$(sed -n "$2" "$1" 2>/dev/null | head -n1)
        if [ -n "$p" ]; then
            echo "$p"
            return 0
        fi
        kill -0 "$3" 2>/dev/null || break
        sleep 0.1
        i=$((i + 1))
    done
    echo ""
}
# stop PID: up to 3 s for it to end by itself, then SIGTERM; then finish.
stop() {
    i=0
    while [ $i -lt 30 ] && kill -0 "$1" 2>/dev/null; do
        sleep 0.1
        i=$((i + 1))
    done
    kill "$1" 2>/dev/null
    finish "$1"
}
# finish PID: waits for a background process; sets $bg_rc.
finish() {
    wait "$1"
    bg_rc=$?
    rest=
    for p in $bg_pids; do
        [ "$p" = "$1" ] || rest="$rest $p"
    done
    bg_pids=$rest
}
# detail lines of our program
ours() {
    sed -n 's/^detail: //p' "$1" | paste -sd '|' - | sed 's/|/; /g'
}
ACCEPT='s/^ACCEPT 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p'
PORT='s/^PORT \([0-9][0-9]*\)$/\1/p'
proto_of() {
    sed -n 's/^Protocol version: *//p; s/^version=\(TLSv[0-9.]*\).*/\1/p' "$@" 2>/dev/null | head -n1
}

# The bytes openssl s_client sends: 4096 bytes of lines of text.
i=0
: > "$tmp/lines.txt"
while [ $i -lt 64 ]; do
    printf '%063d\n' "$i" | tr '0123456789' 'abcdefghij' >> "$tmp/lines.txt"
    i=$((i + 1))
done
head -c 3000 /dev/urandom > "$tmp/random.bin"
cat "$tmp/lines.txt" "$tmp/random.bin" > "$tmp/mixed.bin"

# ---- (1) our client -> openssl s_server -rev -------------------------------
for v in 2 3; do
    label="our client -> openssl s_server TLS1.$v"
    start_bg "$tmp/ss.out" "$tmp/ss.err" $T "$openssl" s_server -accept 127.0.0.1:0 -naccept 1 -rev \
        -key "$C/server.key" -cert "$C/server.pem" -tls1_$v
    srv=$bg
    port=$(wait_port "$tmp/ss.out" "$ACCEPT" "$srv")
    if [ -z "$port" ]; then
        finish "$srv"
        report "$label" FAIL "s_server printed no port" "$tmp/ss.out" "$tmp/ss.err"
        continue
    fi
    $T "$bin" client "$port" "$C/ca.pem" localhost - rev 4096 ok > "$tmp/c.out" 2>&1
    rc=$?
    finish "$srv"
    proto=$(proto_of "$tmp/ss.err" "$tmp/ss.out")
    if [ $rc -eq 0 ] && [ "$proto" = "TLSv1.$v" ]; then
        report "$label" ok "negotiated $proto, 4096 bytes each way, reversed lines checked"
    else
        report "$label" FAIL "ours exit $rc, s_server says '${proto:-no version}': $(ours "$tmp/c.out")" \
            "$tmp/c.out" "$tmp/ss.out" "$tmp/ss.err"
    fi
done

# ---- (2) openssl s_client -> our server (echo) -----------------------------
# s_client_pair LABEL VERSION KEY CERT DATA [EXTRA s_client args]
s_client_pair() {
    label=$1 v=$2 key=$3 cert=$4 data=$5
    shift 5
    n=$(wc -c < "$data" | tr -d ' ')
    start_bg "$tmp/srv.out" "$tmp/srv.err" $T "$bin" server "$key" "$cert" echo "$n"
    srv=$bg
    port=$(wait_port "$tmp/srv.out" "$PORT" "$srv")
    if [ -z "$port" ]; then
        finish "$srv"
        report "$label" FAIL "our server printed no port" "$tmp/srv.out" "$tmp/srv.err"
        return
    fi
    $T "$openssl" s_client -connect "127.0.0.1:$port" -tls1_$v -CAfile "$C/ca.pem" -verify_return_error \
        -servername localhost -verify_hostname localhost -brief -ign_eof -nocommands "$@" \
        < "$data" > "$tmp/sc.out" 2> "$tmp/sc.err"
    rc=$?
    finish "$srv"
    proto=$(proto_of "$tmp/sc.err")
    if [ $rc -eq 0 ] && [ $bg_rc -eq 0 ] && [ "$proto" = "TLSv1.$v" ] && cmp -s "$data" "$tmp/sc.out"; then
        report "$label" ok "negotiated $proto, $n bytes each way, verify OK, hostname localhost"
    else
        got=$(wc -c < "$tmp/sc.out" | tr -d ' ')
        report "$label" FAIL "s_client exit $rc, says '${proto:-no version}', got $got of $n bytes back$(cmp -s "$data" "$tmp/sc.out" || echo ' (differ)'); ours exit $bg_rc: $(ours "$tmp/srv.out")" \
            "$tmp/srv.out" "$tmp/srv.err" "$tmp/sc.err"
    fi
}
for v in 2 3; do
    s_client_pair "openssl s_client TLS1.$v -> our server" $v "$C/server.key" "$C/server.pem" "$tmp/mixed.bin"
done
s_client_pair "openssl s_client TLS1.3 -> our server, PKCS#1 RSA key" 3 "$C/server-rsa1.key" "$C/server.pem" "$tmp/mixed.bin"
s_client_pair "openssl s_client TLS1.2 -> our server, ECDSA P-256 SEC1 key" 2 "$C/server-ec.key" "$C/server-ec.pem" "$tmp/mixed.bin"
s_client_pair "openssl s_client TLS1.3 -> our server, ECDSA P-256 SEC1 key" 3 "$C/server-ec.key" "$C/server-ec.pem" "$tmp/mixed.bin"

# ---- (3) Python ssl <-> ours ---------------------------------------------------
BIG=262144
# our_client_vs_python LABEL VERSION THEN NBYTES MODE CN OVERRIDE XFORM EXPECT [TEXT]
our_client_vs_python() {
    label=$1 v=$2 then=$3 n=$4 mode=$5 cn=$6 ovr=$7 xf=$8 exp=$9
    shift 9
    start_bg "$tmp/py.out" "$tmp/py.err" $T "$python" "$peer_py" server --cert "$C/server.pem" \
        --key "$C/server.key" --version "1.$v" --bytes "$n" --then "$then"
    srv=$bg
    port=$(wait_port "$tmp/py.out" "$PORT" "$srv")
    if [ -z "$port" ]; then
        finish "$srv"
        report "$label" FAIL "tls_peer.py printed no port" "$tmp/py.out" "$tmp/py.err"
        return 1
    fi
    $T "$bin" "$mode" "$port" "$C/ca.pem" "$cn" "$ovr" "$xf" "$n" "$exp" "$@" > "$tmp/c.out" 2>&1
    rc=$?
    finish "$srv"
    proto=$(proto_of "$tmp/py.out")
    return 0
}
for v in 2 3; do
    label="our client -> Python ssl server TLS1.$v"
    our_client_vs_python "$label" $v echo $BIG client localhost - echo ok || continue
    if [ $rc -eq 0 ] && [ $bg_rc -eq 0 ] && [ "$proto" = "TLSv1.$v" ]; then
        report "$label" ok "negotiated $proto, $BIG bytes each way"
    else
        report "$label" FAIL "ours exit $rc, Python exit $bg_rc, says '${proto:-no version}': $(ours "$tmp/c.out")" \
            "$tmp/c.out" "$tmp/py.out" "$tmp/py.err"
    fi
done
for v in 2 3; do
    label="Python ssl client TLS1.$v -> our server"
    start_bg "$tmp/srv.out" "$tmp/srv.err" $T "$bin" server "$C/server.key" "$C/server.pem" echo $BIG
    srv=$bg
    port=$(wait_port "$tmp/srv.out" "$PORT" "$srv")
    if [ -z "$port" ]; then
        finish "$srv"
        report "$label" FAIL "our server printed no port" "$tmp/srv.out" "$tmp/srv.err"
        continue
    fi
    $T "$python" "$peer_py" client --port "$port" --ca "$C/ca.pem" --version "1.$v" --bytes $BIG \
        > "$tmp/pyc.out" 2>&1
    rc=$?
    finish "$srv"
    proto=$(proto_of "$tmp/pyc.out")
    if [ $rc -eq 0 ] && [ $bg_rc -eq 0 ] && [ "$proto" = "TLSv1.$v" ]; then
        report "$label" ok "negotiated $proto, $BIG bytes each way, Python verified localhost"
    else
        report "$label" FAIL "Python exit $rc: $(cat "$tmp/pyc.out"); ours exit $bg_rc: $(ours "$tmp/srv.out")" \
            "$tmp/srv.out" "$tmp/srv.err" "$tmp/pyc.out"
    fi
done

# Variations of our client (Python server, TLS 1.3).
variant() {
    label=$1
    shift
    our_client_vs_python "$label" "$@" || return
    if [ $rc -eq 0 ] && [ "$proto" = "TLSv1.3" ]; then
        report "$label" ok "negotiated $proto; $(ours "$tmp/c.out")"
    else
        report "$label" FAIL "ours exit $rc, Python exit $bg_rc: $(ours "$tmp/c.out")" \
            "$tmp/c.out" "$tmp/py.out" "$tmp/py.err"
    fi
}
variant "our client over a CONNECTING TCP peer -> Python TLS1.3" 3 echo 4096 client-early localhost - echo ok
variant "our client, common name 127.0.0.1 (IP SAN) -> Python TLS1.3" 3 echo 4096 client 127.0.0.1 - echo ok
variant "our client, name wrong.example with override localhost -> Python TLS1.3" 3 echo 4096 client wrong.example localhost echo ok

# ---- (4) failure cases ------------------------------------------------------------
# failing_client LABEL KEY CERT CA CN EXPECT TEXT: our client against s_server with KEY/CERT.
failing_client() {
    label=$1 key=$2 cert=$3 ca=$4 cn=$5 exp=$6 text=$7
    start_bg "$tmp/ss.out" "$tmp/ss.err" $T "$openssl" s_server -accept 127.0.0.1:0 -naccept 1 -rev \
        -key "$key" -cert "$cert"
    srv=$bg
    port=$(wait_port "$tmp/ss.out" "$ACCEPT" "$srv")
    if [ -z "$port" ]; then
        finish "$srv"
        report "$label" FAIL "s_server printed no port" "$tmp/ss.out" "$tmp/ss.err"
        return
    fi
    $T "$bin" client "$port" "$ca" "$cn" - none 0 "$exp" "$text" > "$tmp/c.out" 2>&1
    rc=$?
    stop "$srv"
    if [ $rc -eq 0 ]; then
        report "$label" ok "$(ours "$tmp/c.out")"
    else
        report "$label" FAIL "ours exit $rc: $(ours "$tmp/c.out")" "$tmp/c.out"
    fi
}
failing_client "our client, default roots vs the test CA -> ERROR" "$C/server.key" "$C/server.pem" - localhost error issuer
failing_client "our client, self-signed (CA:TRUE) server vs the test CA -> ERROR" "$C/self.key" "$C/self.pem" "$C/ca.pem" localhost error ""
failing_client "our client, self-signed leaf (CA:FALSE) server vs the test CA -> ERROR" "$C/selfleaf.key" "$C/selfleaf.pem" "$C/ca.pem" localhost error issuer
failing_client "our client, expired certificate -> ERROR" "$C/expired.key" "$C/expired.pem" "$C/ca.pem" localhost error expired
failing_client "our client, certificate for wrong.example -> ERROR_HOSTNAME_MISMATCH" "$C/wrong.key" "$C/wrong.pem" "$C/ca.pem" localhost mismatch ""
failing_client "our client asking for otherhost, localhost certificate -> ERROR_HOSTNAME_MISMATCH" "$C/server.key" "$C/server.pem" "$C/ca.pem" otherhost mismatch ""
failing_client "our client, unsafe options vs the self-signed server -> CONNECTED" "$C/self.key" "$C/self.pem" "unsafe:-" localhost ok ""

# A Godot habit: trusting the self-signed server certificate itself as the
# chain (a CA:TRUE one, as openssl req -x509 and Godot make them, and a
# CA:FALSE one): both connect.
for which in self selfleaf; do
    start_bg "$tmp/ss.out" "$tmp/ss.err" $T "$openssl" s_server -accept 127.0.0.1:0 -naccept 1 -rev \
        -key "$C/$which.key" -cert "$C/$which.pem"
    srv=$bg
    port=$(wait_port "$tmp/ss.out" "$ACCEPT" "$srv")
    if [ -n "$port" ]; then
        if $T "$bin" client "$port" "$C/$which.pem" localhost - none 0 ok > "$tmp/c.out" 2>&1; then
            verdict=ok
        else
            verdict=FAIL
        fi
        stop "$srv"
        report "our client trusting the self-signed server certificate itself ($which.pem) -> CONNECTED" $verdict "$(ours "$tmp/c.out")" "$tmp/c.out"
    else
        stop "$srv"
        report "our client trusting $which.pem: no openssl s_server port" FAIL ""
    fi
done

# Truncation and close_notify from Python's side.
for v in 2 3; do
    label="Python TLS1.$v closes TCP without close_notify between records -> our client ERROR"
    our_client_vs_python "$label" $v truncate 100000 client localhost - trunc ok || continue
    if [ $rc -eq 0 ]; then report "$label" ok "$(ours "$tmp/c.out")"; else
        report "$label" FAIL "ours exit $rc: $(ours "$tmp/c.out")" "$tmp/c.out" "$tmp/py.out" "$tmp/py.err"; fi
    label="Python TLS1.$v cuts the last record short and closes TCP -> our client ERROR"
    our_client_vs_python "$label" $v cut-record 100000 client localhost - cut ok || continue
    if [ $rc -eq 0 ]; then report "$label" ok "$(ours "$tmp/c.out")"; else
        report "$label" FAIL "ours exit $rc: $(ours "$tmp/c.out")" "$tmp/c.out" "$tmp/py.out" "$tmp/py.err"; fi
    label="Python TLS1.$v close_notify (unwrap) after 100000 bytes -> our client DISCONNECTED"
    our_client_vs_python "$label" $v notify 100000 client localhost - notify ok || continue
    if [ $rc -eq 0 ]; then report "$label" ok "$(ours "$tmp/c.out")"; else
        report "$label" FAIL "ours exit $rc: $(ours "$tmp/c.out")" "$tmp/c.out" "$tmp/py.out" "$tmp/py.err"; fi
done

for v in 2 3; do
    label="Python TLS1.$v 1000 bytes + close_notify, unread for 500 ms -> our client CONNECTED until read, then DISCONNECTED"
    our_client_vs_python "$label" $v notify 1000 client localhost - late ok || continue
    if [ $rc -eq 0 ]; then report "$label" ok "$(ours "$tmp/c.out")"; else
        report "$label" FAIL "ours exit $rc: $(ours "$tmp/c.out")" "$tmp/c.out" "$tmp/py.out" "$tmp/py.err"; fi
done

# close_notify from openssl s_client at the end of its stdin.
for v in 2 3; do
    label="openssl s_client TLS1.$v stdin EOF (close_notify) -> our server DISCONNECTED"
    n=$(wc -c < "$tmp/mixed.bin" | tr -d ' ')
    start_bg "$tmp/srv.out" "$tmp/srv.err" env TLS_INTEROP_EXPECT="$tmp/mixed.bin" \
        $T "$bin" server "$C/server.key" "$C/server.pem" notify "$n"
    srv=$bg
    port=$(wait_port "$tmp/srv.out" "$PORT" "$srv")
    if [ -z "$port" ]; then
        finish "$srv"
        report "$label" FAIL "our server printed no port" "$tmp/srv.out" "$tmp/srv.err"
        continue
    fi
    $T "$openssl" s_client -connect "127.0.0.1:$port" -tls1_$v -CAfile "$C/ca.pem" -verify_return_error \
        -servername localhost -brief -nocommands < "$tmp/mixed.bin" > "$tmp/sc.out" 2> "$tmp/sc.err"
    rc=$?
    finish "$srv"
    if [ $bg_rc -eq 0 ]; then
        report "$label" ok "$(ours "$tmp/srv.out")"
    else
        report "$label" FAIL "ours exit $bg_rc, s_client exit $rc: $(ours "$tmp/srv.out")" \
            "$tmp/srv.out" "$tmp/srv.err" "$tmp/sc.err"
    fi
done

# Our server against bytes that are not TLS.
$T "$bin" plaintext "$C/server.key" "$C/server.pem" > "$tmp/p.out" 2>&1
rc=$?
if [ $rc -eq 0 ]; then
    report "raw TCP client sends GET / HTTP/1.0 -> our server ERROR" ok "$(ours "$tmp/p.out")"
else
    report "raw TCP client sends GET / HTTP/1.0 -> our server ERROR" FAIL "exit $rc: $(ours "$tmp/p.out")" "$tmp/p.out"
fi
$T "$bin" garbage "$C/server.key" "$C/server.pem" 20 > "$tmp/g.out" 2>&1
rc=$?
if [ $rc -eq 0 ]; then
    report "64 KiB of random bytes into our server's handshake, 20 rounds" ok "$(ours "$tmp/g.out")"
else
    report "64 KiB of random bytes into our server's handshake, 20 rounds" FAIL "exit $rc: $(ours "$tmp/g.out")" "$tmp/g.out"
fi

echo "tls-interop: $passed passed, $failed failed"
[ $failed -eq 0 ]
