"""The far end of the TLS interop tests (c-tests/tls_interop.sh), with Python's ssl module.

    tls_peer.py server --cert C --key K --version 1.2|1.3 --bytes N --then ACTION
        Listens on 127.0.0.1 (ephemeral port), prints "PORT <n>", takes one connection:
        echo       reads N bytes, sends each chunk back, then close_notify (unwrap)
        notify     sends N pattern bytes, then close_notify (unwrap)
        truncate   sends N pattern bytes, then closes TCP without close_notify
        cut-record sends N pattern bytes with the last record cut short, then closes TCP
    tls_peer.py client --port P --ca CA --version 1.2|1.3 --bytes N [--server-name NAME]
        Connects, sends N random bytes, expects the same N back, then close_notify.

Prints "version=<TLSv1.x> sent=<n> received=<n> ..." and exits 0 when all went as asked.
Every blocking step has a timeout; the whole run is bounded by the caller's `timeout 30`.
"""

import argparse
import os
import socket
import ssl
import sys
import time

VERSIONS = {"1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}


def pattern(n):
    """The bytes both sides agree on: byte i is (i * 131 + 7) mod 256."""
    return bytes((i * 131 + 7) & 0xFF for i in range(n))


def say(*parts):
    print(*parts, flush=True)


def pin(ctx, version):
    ctx.minimum_version = VERSIONS[version]
    ctx.maximum_version = VERSIONS[version]


def recv_exactly(sock, n):
    got = bytearray()
    while len(got) < n:
        chunk = sock.recv(min(65536, n - len(got)))
        if not chunk:
            break
        got += chunk
    return bytes(got)


def close_notify(ssock):
    """Sends close_notify; waits a little for the reply, which may never come."""
    try:
        ssock.settimeout(3)
        ssock.unwrap()
        return "close_notify both ways"
    except (OSError, ssl.SSLError, ValueError) as e:
        return "close_notify sent (%s)" % type(e).__name__


def cut_record(conn, ctx, data):
    """The handshake and data through memory BIOs, so the last record can be cut."""
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inc, out, server_side=True)
    deadline = time.monotonic() + 10
    while True:
        try:
            obj.do_handshake()
            break
        except ssl.SSLWantReadError:
            pending = out.read()
            if pending:
                conn.sendall(pending)
            if time.monotonic() > deadline:
                raise TimeoutError("handshake")
            chunk = conn.recv(65536)
            if not chunk:
                raise ConnectionError("EOF in the handshake")
            inc.write(chunk)
    pending = out.read()
    if pending:
        conn.sendall(pending)
    version = obj.version()
    obj.write(data)
    wire = out.read()
    # Everything but the last 7 bytes of the last record.
    conn.sendall(wire[:-7])
    time.sleep(0.3)
    conn.shutdown(socket.SHUT_RDWR)
    conn.close()
    say("version=%s sent=%d wire=%d cut=7 then TCP close" % (version, len(data), len(wire) - 7))
    return 0


def server(args):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    pin(ctx, args.version)
    ctx.load_cert_chain(args.cert, args.key)
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(1)
    lsock.settimeout(20)
    say("PORT %d" % lsock.getsockname()[1])
    conn, _ = lsock.accept()
    lsock.close()
    conn.settimeout(20)
    if args.then == "cut-record":
        return cut_record(conn, ctx, pattern(args.bytes))
    ssock = ctx.wrap_socket(conn, server_side=True)
    version = ssock.version()
    if args.then == "echo":
        got = 0
        while got < args.bytes:
            chunk = ssock.recv(65536)
            if not chunk:
                break
            got += len(chunk)
            ssock.sendall(chunk)
        how = close_notify(ssock)
        say("version=%s received=%d sent=%d %s" % (version, got, got, how))
        return 0 if got == args.bytes else 1
    ssock.sendall(pattern(args.bytes))
    if args.then == "notify":
        how = close_notify(ssock)
    else:
        time.sleep(0.3)
        ssock.shutdown(socket.SHUT_RDWR)  # no close_notify: SSLSocket.shutdown drops TLS first
        ssock.close()
        how = "TCP close without close_notify"
    say("version=%s sent=%d %s" % (version, args.bytes, how))
    return 0


def client(args):
    ctx = ssl.create_default_context(cafile=args.ca)
    pin(ctx, args.version)
    sock = socket.create_connection(("127.0.0.1", args.port), timeout=20)
    ssock = ctx.wrap_socket(sock, server_hostname=args.server_name)
    version = ssock.version()
    data = os.urandom(args.bytes)
    ssock.setblocking(False)
    sent, back = 0, bytearray()
    deadline = time.monotonic() + 20
    while len(back) < len(data) and time.monotonic() < deadline:
        progress = False
        if sent < len(data):
            try:
                sent += ssock.send(data[sent:sent + 16384])
                progress = True
            except (ssl.SSLWantWriteError, ssl.SSLWantReadError, BlockingIOError):
                pass
        try:
            chunk = ssock.recv(65536)
            if not chunk:
                break
            back += chunk
            progress = True
        except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
            pass
        if not progress:
            time.sleep(0.001)
    ssock.setblocking(True)
    same = bytes(back) == data
    how = close_notify(ssock)
    say("version=%s sent=%d received=%d same=%s %s" % (version, sent, len(back), same, how))
    return 0 if same else 1


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="mode", required=True)
    s = sub.add_parser("server")
    s.add_argument("--cert", required=True)
    s.add_argument("--key", required=True)
    s.add_argument("--version", choices=VERSIONS, required=True)
    s.add_argument("--bytes", type=int, default=4096)
    s.add_argument("--then", choices=["echo", "notify", "truncate", "cut-record"], default="echo")
    c = sub.add_parser("client")
    c.add_argument("--port", type=int, required=True)
    c.add_argument("--ca", required=True)
    c.add_argument("--version", choices=VERSIONS, required=True)
    c.add_argument("--bytes", type=int, default=4096)
    c.add_argument("--server-name", default="localhost")
    args = ap.parse_args()
    try:
        return server(args) if args.mode == "server" else client(args)
    except (OSError, ssl.SSLError) as e:
        say("error: %s: %s" % (type(e).__name__, e))
        return 1


if __name__ == "__main__":
    sys.exit(main())
