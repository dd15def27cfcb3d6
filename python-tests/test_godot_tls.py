"""TLS with a real Godot 3.2 binary (Debian's godot3-server, headless) at the
other end: Godot 3's StreamPeerSSL (mbedtls) against the library's TLS peer
(c-api.md §10, rustls), both directions, with typed values, a UTF-8 string
and put_var/get_var (Godot 3 encoding) going both ways inside the tunnel.

(1) Godot is the TLS client: StreamPeerSSL.connect_to_stream(tcp, validate,
    "localhost", X509Certificate) to sptcp_tls_accept_stream.
(2) Godot is the TLS server: StreamPeerSSL.accept_stream(tcp, CryptoKey,
    X509Certificate) to sptcp_tls_connect_to_stream(..., "localhost",
    sptcp_tls_options_client(trusted PEM, NULL)).

In both, Godot opens the TCP connection to the library's TCP server on an
ephemeral loopback port (the TLS roles do not depend on who connected), through
a small relay in this process that copies the bytes and reads the TLS version
and cipher suite out of the ServerHello. Godot 3.2.3 ships mbedtls 2.16, which
has no TLS 1.3: every session here must be TLS 1.2.

Certificates come from c-tests/tls_certs.sh (the openssl CLI). Skipped, with
the reason, when godot3-server or openssl is missing. Every wait is bounded:
Godot runs under a timeout, our loops have deadlines, blocking calls on our
TLS peers have an I/O timeout."""

import ctypes
import os
import select
import shutil
import socket
import subprocess
import threading
import time
from ctypes import c_void_p

import pytest

import sptcp
from sptcp import lib

GODOT = shutil.which("godot3-server")
OPENSSL = shutil.which("openssl")
HERE = os.path.dirname(os.path.abspath(__file__))
CERTS_SH = os.path.join(HERE, "..", "c-tests", "tls_certs.sh")

pytestmark = [
    pytest.mark.skipif(GODOT is None, reason="godot3-server is not installed (apt-get install godot3-server)"),
    pytest.mark.skipif(OPENSSL is None, reason="the openssl CLI is not installed (it makes the certificates)"),
]

# sptcp_tls_status
TLS_DISCONNECTED, TLS_HANDSHAKING, TLS_CONNECTED, TLS_ERROR, TLS_ERROR_HOSTNAME_MISMATCH = range(5)
ERR_TIMEOUT = 24
GODOT_TIMEOUT = 60  # seconds for a whole Godot run
HANDSHAKE_TIMEOUT = 15.0
IO_TIMEOUT_MS = 15000

T = sptcp.T
Tagged = sptcp.Tagged

U32 = 0xC0FFEE42
UTF8 = "TLS ✩ Godot 3 — ü"
# (GDScript expression, the value the library must see)
VARIANTS = [
    ("null", None),
    ("true", True),
    ("-5000000000", -5000000000),
    ("1.0 / 3.0", 1.0 / 3.0),
    ('"héllo ✩"', "héllo ✩"),
    ("Vector3(1, 2, 3)", Tagged(T["VECTOR3"], (1.0, 2.0, 3.0))),
    ("Color(0.25, 0.5, 0.75, 1)", Tagged(T["COLOR"], (0.25, 0.5, 0.75, 1.0))),
    ('{"a": 1, 2: [3]}', {"a": 1, 2: [3]}),
    ('[1, "x", null, [2.5]]', [1, "x", None, [2.5]]),
    ("PoolByteArray([1, 2, 3, 255])", b"\x01\x02\x03\xff"),
    ("PoolIntArray([1, -2])", Tagged(T["PACKED_INT32_ARRAY"], (1, -2))),
    # 20 000 bytes: spans two TLS records (16 KiB of plaintext each at most).
    ("big", bytes((i * 131 + 7) & 0xFF for i in range(20000))),
]
# What the library answers with, and the GDScript that must equal it.
ANSWER_U32 = 0x0BADF00D
ANSWER_UTF8 = "réponse ✓ from rustls"
ANSWER_VARIANTS = [
    ("Vector2(-1.5, 8)", Tagged(T["VECTOR2"], (-1.5, 8.0))),
    ('{"ok": true, "n": [1, 2, 3]}', {"ok": True, "n": [1, 2, 3]}),
    ('"fin ✩"', "fin ✩"),
    ("big", bytes((i * 131 + 7) & 0xFF for i in range(20000))),
]

GD_COMMON = """extends SceneTree
var failures = 0
func same(a, b):
    if typeof(a) != typeof(b):
        return false
    if typeof(a) == TYPE_DICTIONARY or typeof(a) == TYPE_ARRAY or typeof(a) >= TYPE_RAW_ARRAY:
        return var2str(a) == var2str(b)
    return a == b
func check(name, v, want):
    if same(v, want):
        print("GODOT ok ", name)
    else:
        failures += 1
        print("GODOT MISMATCH ", name, " got ", var2str(v))
func big():
    var b = PoolByteArray()
    b.resize(20000)
    for i in range(20000):
        b[i] = (i * 131 + 7) % 256
    return b
func tcp_connect():
    var tcp = StreamPeerTCP.new()
    tcp.connect_to_host("127.0.0.1", int(OS.get_environment("SPTCP_PORT")))
    var start = OS.get_ticks_msec()
    while tcp.get_status() == StreamPeerTCP.STATUS_CONNECTING and OS.get_ticks_msec() - start < 5000:
        OS.delay_msec(1)
    if tcp.get_status() != StreamPeerTCP.STATUS_CONNECTED:
        print("GODOT tcp not connected")
        return null
    return tcp
func handshake(ssl):
    var start = OS.get_ticks_msec()
    while ssl.get_status() == StreamPeerSSL.STATUS_HANDSHAKING and OS.get_ticks_msec() - start < 15000:
        ssl.poll()
        OS.delay_msec(1)
    print("GODOT tls status ", ssl.get_status())
    return ssl.get_status() == StreamPeerSSL.STATUS_CONNECTED
func wait_closed(ssl):
    var start = OS.get_ticks_msec()
    while ssl.get_status() == StreamPeerSSL.STATUS_CONNECTED and OS.get_ticks_msec() - start < 5000:
        ssl.poll()
        OS.delay_msec(1)
    print("GODOT after close_notify status ", ssl.get_status())
"""

GD_PUTS = """    ssl.put_u32(%U32%)
    ssl.put_utf8_string("%UTF8%")
%PUTVARS%
"""

GD_GETS = """    check("u32", ssl.get_u32(), %ANSWER_U32%)
    check("utf8", ssl.get_utf8_string(), "%ANSWER_UTF8%")
%GETVARS%
"""

# Godot as the TLS client: it sends first, checks our answer, sends its
# verdict (one byte: the failure count), then close_notify.
GD_CLIENT = GD_COMMON + """func _init():
    var tcp = tcp_connect()
    if tcp == null:
        quit(2)
        return
    var cert = null
    var trust = OS.get_environment("SPTCP_TRUST")
    if trust != "":
        cert = X509Certificate.new()
        var e = cert.load(trust)
        if e != OK:
            print("GODOT X509Certificate.load failed ", e)
            quit(3)
            return
    var ssl = StreamPeerSSL.new()
    ssl.blocking_handshake = false
    var err = ssl.connect_to_stream(tcp, OS.get_environment("SPTCP_VALIDATE") == "1", "localhost", cert)
    if err != OK:
        print("GODOT connect_to_stream error ", err)
        quit(4)
        return
    if not handshake(ssl):
        print("GODOT RESULT handshake failed")
        quit(5)
        return
%PUTS%
%GETS%
    ssl.put_u8(failures)
    print("GODOT RESULT failures ", failures)
    ssl.disconnect_from_stream()
    quit(1 if failures > 0 else 0)
"""

# Godot as the TLS server: it checks what we send first, answers, sends its
# verdict, then waits for our close_notify.
GD_SERVER = GD_COMMON + """func _init():
    var tcp = tcp_connect()
    if tcp == null:
        quit(2)
        return
    var key = CryptoKey.new()
    var e = key.load(OS.get_environment("SPTCP_KEY"))
    if e != OK:
        print("GODOT CryptoKey.load failed ", e)
        quit(3)
        return
    var cert = X509Certificate.new()
    e = cert.load(OS.get_environment("SPTCP_CERT"))
    if e != OK:
        print("GODOT X509Certificate.load failed ", e)
        quit(3)
        return
    var ssl = StreamPeerSSL.new()
    # Godot 3.2's accept_stream sets STATUS_CONNECTED as soon as it returns,
    # even when a non-blocking handshake has only begun (and a failure then
    # shows only in the first read): so the server's handshake blocks here,
    # and a failure is accept_stream's return value.
    ssl.blocking_handshake = true
    var err = ssl.accept_stream(tcp, key, cert)
    if err != OK:
        print("GODOT accept_stream error ", err, " status ", ssl.get_status())
        print("GODOT RESULT handshake failed")
        quit(5)
        return
    if not handshake(ssl):
        print("GODOT RESULT handshake failed")
        quit(5)
        return
%GETS%
%PUTS%
    ssl.put_u8(failures)
    print("GODOT RESULT failures ", failures)
    wait_closed(ssl)
    quit(1 if failures > 0 else 0)
"""


def gd_expr(expr):
    return "big()" if expr == "big" else expr


def gd_script(template, gets_first):
    # In the client script Godot puts our VARIANTS and gets ANSWER_*; in the
    # server script Godot gets our VARIANTS and puts ANSWER_*.
    if gets_first:  # Godot is the server
        gets = GD_GETS.replace("%ANSWER_U32%", str(U32)).replace("%ANSWER_UTF8%", UTF8).replace(
            "%GETVARS%", "\n".join(f"    check({e!r}, ssl.get_var(), {gd_expr(e)})" for e, _ in VARIANTS))
        puts = GD_PUTS.replace("%U32%", str(ANSWER_U32)).replace("%UTF8%", ANSWER_UTF8).replace(
            "%PUTVARS%", "\n".join(f"    ssl.put_var({gd_expr(e)})" for e, _ in ANSWER_VARIANTS))
    else:
        puts = GD_PUTS.replace("%U32%", str(U32)).replace("%UTF8%", UTF8).replace(
            "%PUTVARS%", "\n".join(f"    ssl.put_var({gd_expr(e)})" for e, _ in VARIANTS))
        gets = GD_GETS.replace("%ANSWER_U32%", str(ANSWER_U32)).replace("%ANSWER_UTF8%", ANSWER_UTF8).replace(
            "%GETVARS%", "\n".join(f"    check({e!r}, ssl.get_var(), {gd_expr(e)})" for e, _ in ANSWER_VARIANTS))
    return template.replace("%PUTS%", puts).replace("%GETS%", gets)


# --- Certificates ------------------------------------------------------------


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    d = tmp_path_factory.mktemp("godot-tls-certs")
    r = subprocess.run(["sh", CERTS_SH, str(d)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    # The server certificate followed by the CA: a chain in one PEM file.
    (d / "chain.pem").write_text((d / "server.pem").read_text() + (d / "ca.pem").read_text())
    return d


def pem(certs, name):
    return (certs / name).read_bytes()


# --- A relay that reads the ServerHello ----------------------------------------

TLS_VERSIONS = {0x0301: "TLS 1.0", 0x0302: "TLS 1.1", 0x0303: "TLS 1.2", 0x0304: "TLS 1.3"}


def parse_server_hello(data):
    """(version name, cipher suite number) from the first bytes the TLS
    server sent, or None while the ServerHello is not all there."""
    if len(data) < 5 or data[0] != 22:  # a handshake record
        return None
    rec_len = int.from_bytes(data[3:5], "big")
    if len(data) < 5 + rec_len:
        return None
    body = data[5 : 5 + rec_len]
    if len(body) < 4 or body[0] != 2:  # ServerHello
        return ("not a ServerHello", None)
    hs_len = int.from_bytes(body[1:4], "big")
    h = body[4 : 4 + hs_len]
    version = int.from_bytes(h[0:2], "big")
    pos = 2 + 32
    pos += 1 + h[pos]  # session id
    suite = int.from_bytes(h[pos : pos + 2], "big")
    pos += 3  # suite, compression
    if pos + 2 <= len(h):
        ext_end = pos + 2 + int.from_bytes(h[pos : pos + 2], "big")
        pos += 2
        while pos + 4 <= ext_end:
            etype = int.from_bytes(h[pos : pos + 2], "big")
            elen = int.from_bytes(h[pos + 2 : pos + 4], "big")
            if etype == 43 and elen == 2:  # supported_versions: the one chosen
                version = int.from_bytes(h[pos + 4 : pos + 6], "big")
            pos += 4 + elen
    return (TLS_VERSIONS.get(version, hex(version)), suite)


class Relay:
    """Listens on an ephemeral loopback port; copies one connection to
    127.0.0.1:target_port and back, and reads the ServerHello from the side
    that `server_side` names ("target": the library's end is the TLS
    server; "client": Godot's end is)."""

    def __init__(self, target_port, server_side):
        self.target_port, self.server_side = target_port, server_side
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(20)
        self.port = self.listener.getsockname()[1]
        self.hello = bytearray()
        self.result = None
        self.error = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        try:
            a, _ = self.listener.accept()
            b = socket.create_connection(("127.0.0.1", self.target_port), timeout=10)
            socks = {a: b, b: a}
            hello_from = b if self.server_side == "target" else a
            open_ = {a, b}
            deadline = time.monotonic() + GODOT_TIMEOUT + 10
            while open_ and time.monotonic() < deadline:
                r, _, _ = select.select(list(open_), [], [], 0.5)
                for s in r:
                    try:
                        data = s.recv(65536)
                    except ConnectionResetError:
                        # A reset is how TCP ends when one side closed with
                        # bytes still coming (our client closes right after
                        # its close_notify; Godot's reply then meets a closed
                        # socket): pass it on as an end.
                        data = b""
                    if not data:
                        open_.discard(s)
                        try:
                            socks[s].shutdown(socket.SHUT_WR)
                        except OSError:
                            pass
                        continue
                    if s is hello_from and self.result is None:
                        self.hello += data
                        self.result = parse_server_hello(bytes(self.hello))
                    try:
                        socks[s].sendall(data)
                    except (BrokenPipeError, ConnectionResetError):
                        open_.discard(s)
            a.close()
            b.close()
        except Exception as e:  # reported by the test
            self.error = repr(e)
        finally:
            self.listener.close()

    def version(self):
        self.thread.join(timeout=5)
        return self.result


# --- Running Godot -------------------------------------------------------------


def start_godot(tmp_path, script, port, **env_extra):
    (tmp_path / "project.godot").write_text("config_version=4\n")
    (tmp_path / "tls.gd").write_text(script, encoding="utf-8")
    env = dict(os.environ, SPTCP_PORT=str(port), LANG="C.UTF-8", **env_extra)
    return subprocess.Popen(
        [GODOT, "--path", str(tmp_path), "-s", "tls.gd"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def godot_output(proc, timeout=GODOT_TIMEOUT):
    try:
        return proc.communicate(timeout=timeout)[0]
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.communicate()[0] + "\n[killed after %ss]" % timeout


def take_godot(server, proc):
    peer = sptcp.take_within(server, timeout=20.0)
    if not peer:
        proc.kill()
        pytest.fail("Godot did not connect; its output:\n" + godot_output(proc))
    return peer


def tls_handshake(tls, proc, timeout=HANDSHAKE_TIMEOUT):
    """Polls our TLS peer until it leaves HANDSHAKING (or the deadline, or
    Godot exits); returns (status, last poll error, last error message)."""
    end = time.monotonic() + timeout
    err = sptcp.OK
    st = lib.sptcp_tls_get_status(tls)
    while st == TLS_HANDSHAKING and time.monotonic() < end:
        err = lib.sptcp_tls_poll(tls)
        st = lib.sptcp_tls_get_status(tls)
        if st == TLS_HANDSHAKING:
            if proc.poll() is not None:
                # Godot gave up; give its alert a moment to arrive.
                time.sleep(0.05)
                err = lib.sptcp_tls_poll(tls)
                st = lib.sptcp_tls_get_status(tls)
                break
            time.sleep(0.001)
    return st, err, sptcp.last_error()


def tls_poll_until_not(tls, status, timeout=5.0):
    end = time.monotonic() + timeout
    st = lib.sptcp_tls_get_status(tls)
    while st == status and time.monotonic() < end:
        lib.sptcp_tls_poll(tls)
        st = lib.sptcp_tls_get_status(tls)
        if st == status:
            time.sleep(0.002)
    return st


def get_var(tls):
    out = c_void_p()
    err = lib.sptcp_get_var(tls, False, ctypes.byref(out))
    if err != sptcp.OK:
        return err, None
    value = sptcp.from_variant(out)
    lib.sptcp_variant_free(out)
    return err, value


def put_var(tls, value):
    v = sptcp.to_variant(value)
    try:
        return lib.sptcp_put_var(tls, v, False)
    finally:
        lib.sptcp_variant_free(v)


def send_ours(tls, u32, text, variants):
    assert sptcp.put_typed(tls, "u32", u32) == sptcp.OK, sptcp.last_error()
    assert lib.sptcp_put_utf8_string(tls, text.encode()) == sptcp.OK, sptcp.last_error()
    for expr, value in variants:
        assert put_var(tls, value) == sptcp.OK, (expr, sptcp.last_error())


def check_theirs(tls, u32, text, variants):
    err, got = sptcp.get_typed(tls, "u32")
    assert (err, got) == (sptcp.OK, u32), (err, got, sptcp.last_error())
    err, got, n = sptcp.get_text(tls, utf8=True)
    assert (err, got, n) == (sptcp.OK, text, len(text.encode())), (err, got, sptcp.last_error())
    for expr, want in variants:
        err, got = get_var(tls)
        assert err == sptcp.OK, (expr, err, sptcp.last_error())
        assert got == want, (expr, got)


def make_tls(stream, options, client_name=None):
    tls = lib.sptcp_tls_new()
    assert tls
    if client_name is None:
        err = lib.sptcp_tls_accept_stream(tls, stream, options)
    else:
        err = lib.sptcp_tls_connect_to_stream(tls, stream, client_name, options)
    if err != sptcp.OK:
        lib.sptcp_peer_free(tls)
        lib.sptcp_peer_free(stream)
        pytest.fail(f"starting TLS failed: {err} {sptcp.last_error()}")
    lib.sptcp_tls_options_free(options)
    lib.sptcp_set_variant_format(tls, 3)  # Godot 3's Variant encoding
    lib.sptcp_set_io_timeout_ms(tls, IO_TIMEOUT_MS)
    return tls


def server_options(certs, key, chain):
    opts = lib.sptcp_tls_options_server(pem(certs, key), pem(certs, chain))
    assert opts, sptcp.last_error()
    return opts


# --- (1) Godot is the TLS client ----------------------------------------------

# (id, our server's key, our server's chain, what Godot trusts ("" = none), validate_certs)
GODOT_CLIENT_OK = [
    ("trust-ca", "server.key", "server.pem", "ca.pem", True),
    ("trust-ca-chain-sent", "server.key", "chain.pem", "ca.pem", True),
    ("ecdsa-trust-ca", "server-ec.key", "server-ec.pem", "ca.pem", True),
    ("pkcs1-key", "server-rsa1.key", "server.pem", "ca.pem", True),
    ("selfleaf-trusted", "selfleaf.key", "selfleaf.pem", "selfleaf.pem", True),
    ("self-ca-trusted", "self.key", "self.pem", "self.pem", True),
    ("no-validate", "self.key", "self.pem", "", False),
    ("no-validate-ca-signed", "server.key", "server.pem", "", False),
]


@pytest.mark.parametrize("key,chain,trust,validate", [c[1:] for c in GODOT_CLIENT_OK],
                         ids=[c[0] for c in GODOT_CLIENT_OK])
def test_godot_client_library_server(server, tmp_path, certs, key, chain, trust, validate):
    relay = Relay(lib.sptcp_server_get_local_port(server), server_side="target")
    proc = start_godot(tmp_path, gd_script(GD_CLIENT, gets_first=False), relay.port,
                       SPTCP_TRUST=str(certs / trust) if trust else "", SPTCP_VALIDATE="1" if validate else "0")
    stream = take_godot(server, proc)
    tls = make_tls(stream, server_options(certs, key, chain))
    try:
        st, err, msg = tls_handshake(tls, proc)
        if st != TLS_CONNECTED:
            pytest.fail(f"handshake: status {st}, poll {err}, {msg!r}; Godot:\n{godot_output(proc)}")
        check_theirs(tls, U32, UTF8, VARIANTS)
        send_ours(tls, ANSWER_U32, ANSWER_UTF8, ANSWER_VARIANTS)
        err, failures = sptcp.get_typed(tls, "u8")
        out = godot_output(proc)
        assert (err, failures) == (sptcp.OK, 0), out
        assert proc.returncode == 0, out
        assert "GODOT RESULT failures 0" in out, out
        assert out.count("GODOT ok ") == 2 + len(ANSWER_VARIANTS), out
        # Godot's disconnect_from_stream sent close_notify: a clean end.
        assert tls_poll_until_not(tls, TLS_CONNECTED) == TLS_DISCONNECTED, sptcp.last_error()
        version = relay.version()
        assert relay.error is None, relay.error
        assert version is not None and version[0] == "TLS 1.2", version
        print(f"negotiated {version[0]}, cipher suite 0x{version[1]:04x}")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        lib.sptcp_peer_free(tls)


# Godot refuses these: (id, key, chain, trust, the status Godot must end in)
GODOT_CLIENT_REFUSES = [
    # mbedtls takes a trusted certificate as an anchor only when it is a CA
    # or the leaf itself is self-signed: the CA-signed leaf alone is not enough.
    ("trust-leaf-only", "server.key", "server.pem", "server.pem"),
    ("unknown-issuer", "self.key", "self.pem", "ca.pem"),
    ("wrong-name", "wrong.key", "wrong.pem", "ca.pem"),
    ("expired", "expired.key", "expired.pem", "ca.pem"),
]


@pytest.mark.parametrize("key,chain,trust", [c[1:] for c in GODOT_CLIENT_REFUSES],
                         ids=[c[0] for c in GODOT_CLIENT_REFUSES])
def test_godot_client_refuses(server, tmp_path, certs, key, chain, trust):
    relay = Relay(lib.sptcp_server_get_local_port(server), server_side="target")
    proc = start_godot(tmp_path, gd_script(GD_CLIENT, gets_first=False), relay.port,
                       SPTCP_TRUST=str(certs / trust), SPTCP_VALIDATE="1")
    stream = take_godot(server, proc)
    tls = make_tls(stream, server_options(certs, key, chain))
    try:
        st, err, msg = tls_handshake(tls, proc)
        if st == TLS_CONNECTED:
            proc.kill()
            pytest.fail(f"Godot took the handshake; its output:\n{godot_output(proc)}")
        out = godot_output(proc)
        assert proc.returncode == 5 and "GODOT RESULT handshake failed" in out, out
        # Our side learns it from Godot's alert or the closed stream.
        assert st in (TLS_ERROR, TLS_HANDSHAKING, TLS_DISCONNECTED), (st, err, msg)
        st = tls_poll_until_not(tls, TLS_HANDSHAKING)
        assert st == TLS_ERROR, (st, sptcp.last_error())
        print(f"Godot: {[l for l in out.splitlines() if 'ERROR' in l or 'GODOT' in l][:4]}; ours: {msg!r}")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        lib.sptcp_peer_free(tls)


# --- (2) Godot is the TLS server -----------------------------------------------

# (id, Godot's key, Godot's certificate file, what our client trusts)
GODOT_SERVER_OK = [
    ("ca-signed", "server.key", "server.pem", "ca.pem"),
    ("ca-signed-with-chain", "server.key", "chain.pem", "ca.pem"),
    ("pkcs1-key", "server-rsa1.key", "server.pem", "ca.pem"),
    ("ecdsa", "server-ec.key", "server-ec.pem", "ca.pem"),
    ("selfleaf-trusted", "selfleaf.key", "selfleaf.pem", "selfleaf.pem"),
    # A self-signed CA:TRUE certificate (as Godot's own generate_self_signed_certificate
    # makes them) trusted directly: accepted, as mbedtls does.
    ("self-ca-trusted", "self.key", "self.pem", "self.pem"),
]


def run_library_client(server, tmp_path, certs, key, cert, options, name=b"localhost"):
    relay = Relay(lib.sptcp_server_get_local_port(server), server_side="client")
    proc = start_godot(tmp_path, gd_script(GD_SERVER, gets_first=True), relay.port,
                       SPTCP_KEY=str(certs / key), SPTCP_CERT=str(certs / cert))
    stream = take_godot(server, proc)
    tls = make_tls(stream, options, client_name=name)
    return relay, proc, tls


@pytest.mark.parametrize("key,cert,trust", [c[1:] for c in GODOT_SERVER_OK], ids=[c[0] for c in GODOT_SERVER_OK])
def test_library_client_godot_server(server, tmp_path, certs, key, cert, trust):
    opts = lib.sptcp_tls_options_client(pem(certs, trust), None)
    assert opts, sptcp.last_error()
    relay, proc, tls = run_library_client(server, tmp_path, certs, key, cert, opts)
    try:
        st, err, msg = tls_handshake(tls, proc)
        if st != TLS_CONNECTED:
            pytest.fail(f"handshake: status {st}, poll {err}, {msg!r}; Godot:\n{godot_output(proc)}")
        send_ours(tls, U32, UTF8, VARIANTS)
        check_theirs(tls, ANSWER_U32, ANSWER_UTF8, ANSWER_VARIANTS)
        err, failures = sptcp.get_typed(tls, "u8")
        assert err == sptcp.OK, sptcp.last_error()
        # close_notify from us; Godot waits for it and reports its status.
        lib.sptcp_tls_disconnect_from_stream(tls)
        assert lib.sptcp_tls_get_status(tls) == TLS_DISCONNECTED
        out = godot_output(proc)
        assert failures == 0, out
        assert proc.returncode == 0, out
        assert "GODOT RESULT failures 0" in out, out
        assert out.count("GODOT ok ") == 2 + len(VARIANTS), out
        # StreamPeerSSL.STATUS_DISCONNECTED (0) after our close_notify.
        assert "GODOT after close_notify status 0" in out, out
        version = relay.version()
        assert relay.error is None, relay.error
        assert version is not None and version[0] == "TLS 1.2", version
        print(f"negotiated {version[0]}, cipher suite 0x{version[1]:04x}")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        lib.sptcp_peer_free(tls)


# Our client refuses these: (id, Godot's key, Godot's cert, trust, unsafe, status, words in the reason)
LIBRARY_CLIENT_REFUSES = [
    # A CA:TRUE self-signed certificate not trusted itself: webpki refuses it as the server's own.
    ("self-ca-as-leaf", "self.key", "self.pem", "ca.pem", TLS_ERROR, "CaUsedAsEndEntity"),
    ("unknown-issuer", "selfleaf.key", "selfleaf.pem", "ca.pem", TLS_ERROR, "UnknownIssuer"),
    # Only the CA is an anchor for webpki: the leaf alone does not chain.
    ("trust-leaf-only", "server.key", "server.pem", "server.pem", TLS_ERROR, "UnknownIssuer"),
    ("wrong-name", "wrong.key", "wrong.pem", "ca.pem", TLS_ERROR_HOSTNAME_MISMATCH, ""),
    ("expired", "expired.key", "expired.pem", "ca.pem", TLS_ERROR, "expired"),
]


@pytest.mark.parametrize("key,cert,trust,want,reason", [c[1:] for c in LIBRARY_CLIENT_REFUSES],
                         ids=[c[0] for c in LIBRARY_CLIENT_REFUSES])
def test_library_client_refuses_godot_server(server, tmp_path, certs, key, cert, trust, want, reason):
    opts = lib.sptcp_tls_options_client(pem(certs, trust), None)
    assert opts, sptcp.last_error()
    relay, proc, tls = run_library_client(server, tmp_path, certs, key, cert, opts)
    try:
        st, err, msg = tls_handshake(tls, proc)
        assert (st, err) == (want, sptcp.FAILED), (st, err, msg)
        assert reason.lower() in msg.lower(), msg
        out = godot_output(proc)
        # Godot's handshake fails on our alert.
        assert proc.returncode == 5 and "GODOT RESULT handshake failed" in out, out
        print(f"ours: {msg!r}")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        lib.sptcp_peer_free(tls)


def test_library_client_unsafe_accepts_self_signed_ca(server, tmp_path, certs):
    """client_unsafe takes what the verifying client refused above (a
    CA:TRUE self-signed certificate as the server's own), and the data flows."""
    opts = lib.sptcp_tls_options_client_unsafe(None)
    assert opts, sptcp.last_error()
    relay, proc, tls = run_library_client(server, tmp_path, certs, "self.key", "self.pem", opts)
    try:
        st, err, msg = tls_handshake(tls, proc)
        if st != TLS_CONNECTED:
            pytest.fail(f"handshake: status {st}, poll {err}, {msg!r}; Godot:\n{godot_output(proc)}")
        send_ours(tls, U32, UTF8, VARIANTS)
        check_theirs(tls, ANSWER_U32, ANSWER_UTF8, ANSWER_VARIANTS)
        assert sptcp.get_typed(tls, "u8") == (sptcp.OK, 0)
        lib.sptcp_tls_disconnect_from_stream(tls)
        out = godot_output(proc)
        assert proc.returncode == 0 and "GODOT after close_notify status 0" in out, out
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        lib.sptcp_peer_free(tls)
