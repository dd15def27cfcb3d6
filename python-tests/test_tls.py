"""StreamPeerTLS and TLSOptions (c-api.md §10) through the Python package:
our client against our server over TCP and Unix domain socket pairs (and
TLS inside TLS), verification failures (unknown issuer, wrong name,
expired) with their reasons, the unsafe client and the common name
override, close_notify and truncation, the data API before and after
CONNECTED, the parameter checks, and who owns the stream. Certificates are
made by the openssl CLI; every wait is bounded."""

import faulthandler
import gc
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import weakref

import pytest

import streampeer_tcp as st
from streampeer_tcp import (
    Error,
    Event,
    GodotError,
    PollGroup,
    Status,
    StreamPeerBuffer,
    StreamPeerTCP,
    StreamPeerTLS,
    StreamPeerUDS,
    TCPServer,
    TLSOptions,
    TLSStatus,
    UDSServer,
    Vector2,
)
from waits import take, wait_status

OPENSSL = shutil.which("openssl")

@pytest.fixture(autouse=True)
def watchdog():
    """A last bound: the blocking calls on a TLS peer have no I/O timeout
    to rely on, so a test that hangs ends the run with every thread's
    traceback instead of holding it up."""
    faulthandler.dump_traceback_later(120, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


# The names these tests use, and the files of c-tests/tls_certs.sh (the one
# maker of test certificates; it also checks them with `openssl verify`).
CERT_FILES = {"ca": "ca", "localhost": "server-ec", "localhost-rsa": "server", "wrong": "wrong",
              "expired": "expired", "self": "self"}


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    """PEM text by name: a private CA (ca, ca.key); leaves it signed, each
    with its .key: localhost (CN=localhost, SAN DNS:localhost and
    IP:127.0.0.1, ECDSA P-256), localhost-rsa (the same names, RSA 2048),
    expired (the same names, valid only in January 2020), wrong (CN and SAN
    wrong.example); and self (CN=localhost, self-signed)."""
    if OPENSSL is None:
        pytest.skip("the openssl CLI is not installed: no test certificates")
    d = tmp_path_factory.mktemp("certs")
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "c-tests", "tls_certs.sh")
    r = subprocess.run(["sh", script, str(d)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, f"tls_certs.sh:\n{r.stdout}{r.stderr}"
    out = {}
    for name, file in CERT_FILES.items():
        out[name] = (d / f"{file}.pem").read_text()
        out[name + ".key"] = (d / f"{file}.key").read_text()
    return out


def server_options(certs, name="localhost"):
    return TLSOptions.server(certs[name + ".key"], certs[name])


def client_options(certs, common_name_override=""):
    return TLSOptions.client(certs["ca"], common_name_override)


# --- pairs and the handshake loop -------------------------------------------------


@pytest.fixture
def tcp_pair():
    """(client, accepted): StreamPeerTCP, CONNECTED over loopback."""
    with TCPServer() as server:
        assert server.listen(0, "127.0.0.1") == Error.OK
        client = StreamPeerTCP()
        assert client.connect_to_host("127.0.0.1", server.get_local_port()) == Error.OK
        accepted = take(server)
        assert wait_status(client, Status.STATUS_CONNECTED) == Status.STATUS_CONNECTED
        yield client, accepted
        client.free()  # (nothing for a stream a StreamPeerTLS took)
        accepted.free()


@pytest.fixture
def sock_dir(tmp_path):
    """A directory for socket files with a short path (sun_path is small)."""
    if len(os.fsencode(tmp_path)) <= 80:
        yield str(tmp_path)
        return
    d = tempfile.mkdtemp(dir="/tmp")
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


HANDSHAKE_OVER = {TLSStatus.STATUS_CONNECTED, TLSStatus.STATUS_ERROR, TLSStatus.STATUS_ERROR_HOSTNAME_MISMATCH,
                  TLSStatus.STATUS_DISCONNECTED}
FAILED = (TLSStatus.STATUS_ERROR, TLSStatus.STATUS_ERROR_HOSTNAME_MISMATCH)


class Drive:
    """Polls TLS peers in turn, bounded. `reasons[i]`: the error poll()
    returned and last_error_message() right after the poll in which peer i
    reached a failed status (thread-local, so read at once)."""

    def __init__(self, *peers):
        self.peers = peers
        self.reasons = {}

    def until(self, done, timeout=10.0):
        end = time.monotonic() + timeout
        while True:
            for i, p in enumerate(self.peers):
                err = p.poll()
                if i not in self.reasons and p.get_status() in FAILED:
                    self.reasons[i] = (err, st.last_error_message())
            statuses = [p.get_status() for p in self.peers]
            if done(statuses) or time.monotonic() > end:
                return statuses
            time.sleep(0.001)

    def handshake(self, timeout=10.0):
        """Until no peer is HANDSHAKING: the statuses."""
        return self.until(lambda s: all(x in HANDSHAKE_OVER for x in s), timeout)

    def reason(self, i):
        return self.reasons.get(i, (None, ""))[1]


BOTH_CONNECTED = [TLSStatus.STATUS_CONNECTED, TLSStatus.STATUS_CONNECTED]


def tls_over(client_stream, server_stream, certs, name="localhost", common_name="localhost", options=None):
    """(client TLS, server TLS, Drive) with the handshake started (not run)."""
    client, server = StreamPeerTLS(), StreamPeerTLS()
    with server_options(certs, name) as so:
        assert server.accept_stream(server_stream, so) == Error.OK, st.last_error_message()
    opts = options if options is not None else client_options(certs)
    assert client.connect_to_stream(client_stream, common_name, opts) == Error.OK, st.last_error_message()
    if options is None:
        opts.free()  # the peer keeps what it needs
    return client, server, Drive(client, server)


@pytest.fixture
def tls_pair(tcp_pair, certs):
    """(client TLS, server TLS, client TCP, server TCP), CONNECTED, with
    io_timeout_ms bounding every blocking call."""
    ctcp, stcp = tcp_pair
    client, server, drive = tls_over(ctcp, stcp, certs)
    assert drive.handshake() == BOTH_CONNECTED, drive.reasons
    client.io_timeout_ms = server.io_timeout_ms = 10000
    yield client, server, ctcp, stcp
    client.free()
    server.free()


def run_bounded(fn):
    """fn() on a daemon thread; the returned finish() gives its result (or
    raises what it raised), failing the test when it does not end in time."""
    out = {}

    def body():
        try:
            out["value"] = fn()
        except BaseException as e:  # handed to the test's thread
            out["error"] = e

    t = threading.Thread(target=body, daemon=True)
    t.start()

    def finish(timeout=30.0):
        t.join(timeout)
        assert not t.is_alive(), "thread did not finish in time"
        if "error" in out:
            raise out["error"]
        return out["value"]

    return finish


def wait_available(peer, n, timeout=5.0):
    """Polls a TLS peer until `n` decrypted bytes are buffered (bounded);
    the last get_available_bytes()."""
    end = time.monotonic() + timeout
    while peer.get_available_bytes() < n and time.monotonic() < end:
        peer.poll()
        time.sleep(0.001)
    return peer.get_available_bytes()


# --- connecting -------------------------------------------------------------------


def test_enum_numbers():
    assert [(s.name, s.value) for s in TLSStatus] == [
        ("STATUS_DISCONNECTED", 0), ("STATUS_HANDSHAKING", 1), ("STATUS_CONNECTED", 2), ("STATUS_ERROR", 3),
        ("STATUS_ERROR_HOSTNAME_MISMATCH", 4)]


@pytest.mark.parametrize("name", ["localhost", "localhost-rsa"])
def test_handshake_over_tcp_reaches_connected_on_both_sides(tcp_pair, certs, name):
    ctcp, stcp = tcp_pair
    client, server, drive = tls_over(ctcp, stcp, certs, name=name)
    assert client.get_status() == TLSStatus.STATUS_HANDSHAKING
    assert server.get_status() == TLSStatus.STATUS_HANDSHAKING
    assert drive.handshake() == BOTH_CONNECTED, drive.reasons
    assert repr(client) == "<StreamPeerTLS STATUS_CONNECTED>"
    assert client.put_data(b"hello over TLS") == Error.OK
    server.io_timeout_ms = 5000
    assert server.get_data(14) == (Error.OK, b"hello over TLS")
    assert server.put_data(b"and back") == Error.OK
    client.io_timeout_ms = 5000
    assert client.get_data(8) == (Error.OK, b"and back")
    # The TCP streams are borrowed: still CONNECTED underneath.
    assert ctcp.get_status() == Status.STATUS_CONNECTED and stcp.get_status() == Status.STATUS_CONNECTED
    client.free()
    server.free()


def test_typed_values_strings_and_variants_round_trip(tls_pair):
    client, server, _, _ = tls_pair
    value = {"pos": Vector2(1.5, -2.0), "hp": 42, "tags": ["a", "b"], "blob": b"\x00\x01\xff", "none": None}
    for peer in (client, server):
        writes = [peer.put_8(-5), peer.put_u8(250), peer.put_16(-30000), peer.put_u16(65000),
                  peer.put_32(-2**31), peer.put_u32(2**32 - 1), peer.put_64(-2**63), peer.put_u64(2**64 - 1),
                  peer.put_half(1.5), peer.put_float(0.25), peer.put_double(3.141592653589793),
                  peer.put_string("plain"), peer.put_utf8_string("Hello✩"), peer.put_var(value),
                  peer.put_var([1, 2.5, "three"])]
        assert writes == [Error.OK] * len(writes)
    for peer in (server, client):
        got = [peer.get_8(), peer.get_u8(), peer.get_16(), peer.get_u16(), peer.get_32(), peer.get_u32(),
               peer.get_64(), peer.get_u64(), peer.get_half(), peer.get_float(), peer.get_double(),
               peer.get_string(), peer.get_utf8_string(), peer.get_var(), peer.get_var()]
        assert got == [-5, 250, -30000, 65000, -2**31, 2**32 - 1, -2**63, 2**64 - 1, 1.5, 0.25, 3.141592653589793,
                       "plain", "Hello✩", value, [1, 2.5, "three"]]
    # Big-endian, set on the TLS peer, applies to it.
    client.big_endian = server.big_endian = True
    assert client.put_u32(0x01020304) == Error.OK and client.put_data(b"!") == Error.OK
    assert server.get_data(5) == (Error.OK, b"\x01\x02\x03\x04!")


def test_get_available_bytes_counts_decrypted_bytes(tls_pair):
    client, server, _, _ = tls_pair
    assert server.get_available_bytes() == 0
    assert client.put_data(b"x" * 1000) == Error.OK
    assert wait_available(server, 1000) == 1000
    err, data = server.get_partial_data(4096)
    assert (err, data) == (Error.OK, b"x" * 1000)
    assert server.get_available_bytes() == 0
    assert server.get_partial_data(10) == (Error.OK, b"")  # nothing now: not an error


def test_a_megabyte_each_way_with_blocking_calls_on_two_threads(tls_pair):
    client, server, _, _ = tls_pair
    blob = os.urandom(1 << 20)
    finish = run_bounded(lambda: server.get_data(len(blob)))
    assert client.put_data(blob) == Error.OK
    assert finish() == (Error.OK, blob)
    finish = run_bounded(lambda: client.get_data(len(blob)))
    assert server.put_data(blob) == Error.OK
    assert finish() == (Error.OK, blob)


def test_io_timeout_on_a_tls_peer(tls_pair):
    """c-api.md §10: the I/O timeout of §8 works on a TLS peer."""
    client, server, _, _ = tls_pair
    server.io_timeout_ms = 100
    assert server.io_timeout_ms == 100
    t0 = time.monotonic()
    finish = run_bounded(server.get_u32)
    with pytest.raises(GodotError) as e:
        finish(10)
    assert e.value.error == Error.ERR_TIMEOUT
    assert time.monotonic() - t0 < 5
    # The read consumed nothing: the next one reads the whole value.
    assert client.put_u32(0xCAFE) == Error.OK
    server.io_timeout_ms = 5000
    assert server.get_u32() == 0xCAFE


def test_wait_and_poll_group_on_a_tls_peer(tls_pair):
    client, server, _, _ = tls_pair
    assert server.wait(Event.READABLE, 50) == (Error.ERR_TIMEOUT, Event.NONE)
    assert client.put_data(b"ping") == Error.OK
    err, events = server.wait(Event.READABLE, 5000)
    assert err == Error.OK and events & Event.READABLE
    assert server.get_data(4) == (Error.OK, b"ping")
    with PollGroup() as group:
        assert group.add(server, Event.READABLE) == Error.OK
        assert client.put_u32(7) == Error.OK
        end, ready = time.monotonic() + 5, []
        while not ready and time.monotonic() < end:
            ready = group.wait(100)
        assert ready and ready[0][0] is server and ready[0][1] & Event.READABLE
        assert server.get_u32() == 7


def test_handshake_over_a_uds_pair(sock_dir, certs):
    if not hasattr(socket, "AF_UNIX"):
        pytest.skip("no Unix domain sockets here")
    path = os.path.join(sock_dir, "tls.sock")
    with UDSServer() as listener:
        assert listener.listen(path) == Error.OK
        cuds = StreamPeerUDS()
        assert cuds.connect_to_host(path) == Error.OK
        suds = take(listener)
        assert wait_status(cuds, Status.STATUS_CONNECTED) == Status.STATUS_CONNECTED
        client, server, drive = tls_over(cuds, suds, certs)
        assert drive.handshake() == BOTH_CONNECTED, drive.reasons
        assert client.get_stream() is cuds and server.get_stream() is suds
        client.io_timeout_ms = server.io_timeout_ms = 5000
        assert client.put_var({"over": "uds"}) == Error.OK
        assert server.get_var() == {"over": "uds"}
        assert server.put_utf8_string("✓") == Error.OK
        assert client.get_utf8_string() == "✓"
        client.free()
        server.free()


def test_connect_to_stream_while_tcp_is_still_connecting(certs):
    with TCPServer() as listener:
        assert listener.listen(0, "127.0.0.1") == Error.OK
        tcp = StreamPeerTCP()
        assert tcp.connect_to_host("127.0.0.1", listener.get_local_port()) == Error.OK
        assert tcp.get_status() == Status.STATUS_CONNECTING  # only poll() changes it
        client = StreamPeerTLS()
        with client_options(certs) as opts:
            assert client.connect_to_stream(tcp, "localhost", opts) == Error.OK, st.last_error_message()
        assert client.get_status() == TLSStatus.STATUS_HANDSHAKING
        assert client.get_stream() is tcp
        server = StreamPeerTLS()
        with server_options(certs) as so:
            assert server.accept_stream(take(listener), so) == Error.OK
        drive = Drive(client, server)
        assert drive.handshake() == BOTH_CONNECTED, drive.reasons
        assert tcp.get_status() == Status.STATUS_CONNECTED  # polled by the TLS peer
        client.io_timeout_ms = 5000
        assert server.put_data(b"early") == Error.OK
        assert client.get_data(5) == (Error.OK, b"early")
        client.free()
        server.free()


def test_connect_to_stream_over_a_refused_tcp_connect_ends_in_error(certs):
    with TCPServer() as listener:
        assert listener.listen(0, "127.0.0.1") == Error.OK
        port = listener.get_local_port()
    tcp = StreamPeerTCP()
    assert tcp.connect_to_host("127.0.0.1", port) == Error.OK
    client = StreamPeerTLS()
    assert client.connect_to_stream(tcp, "localhost", client_options(certs)) == Error.OK
    drive = Drive(client)
    assert drive.handshake() == [TLSStatus.STATUS_ERROR]
    client.free()


def test_tls_inside_tls(tls_pair, certs):
    """A TLS peer is a stream too: TLS over TLS over TCP, and freeing the
    outer peer frees the whole chain."""
    inner_c, inner_s, ctcp, _ = tls_pair
    outer_c, outer_s, drive = tls_over(inner_c, inner_s, certs)
    assert drive.handshake() == BOTH_CONNECTED, drive.reasons
    assert outer_c.get_stream() is inner_c and inner_c.get_stream() is ctcp
    outer_c.io_timeout_ms = outer_s.io_timeout_ms = 5000
    assert outer_c.put_var("nested") == Error.OK
    assert outer_s.get_var() == "nested"
    assert inner_c.get_status() == TLSStatus.STATUS_CONNECTED  # borrowed, still usable
    outer_c.free()
    for gone in (inner_c, ctcp):
        with pytest.raises(ValueError, match="freed with the StreamPeerTLS"):
            gone.get_status()
    outer_s.free()


# --- verification -----------------------------------------------------------------


def test_unknown_issuer_with_the_default_roots(tcp_pair, certs):
    ctcp, stcp = tcp_pair
    client, server, drive = tls_over(ctcp, stcp, certs, options=TLSOptions.client())
    statuses = drive.until(lambda s: s[0] in HANDSHAKE_OVER and s[1] in HANDSHAKE_OVER)
    assert statuses[0] == TLSStatus.STATUS_ERROR, drive.reasons
    assert re.search(r"unknown.?issuer", drive.reason(0), re.I), drive.reasons
    assert statuses[1] == TLSStatus.STATUS_ERROR  # the client's alert
    assert client.put_data(b"x") != Error.OK
    client.free()
    server.free()


def test_unknown_issuer_with_another_trusted_chain(tcp_pair, certs):
    ctcp, stcp = tcp_pair
    client, server, drive = tls_over(ctcp, stcp, certs, options=TLSOptions.client(certs["self"]))
    assert drive.until(lambda s: s[0] in HANDSHAKE_OVER)[0] == TLSStatus.STATUS_ERROR, drive.reasons
    assert re.search(r"unknown.?issuer", drive.reason(0), re.I), drive.reasons
    client.free()
    server.free()


@pytest.mark.parametrize("name, common_name", [("wrong", "localhost"), ("localhost", "other.example"),
                                               ("localhost", "127.0.0.2")])
def test_wrong_name_is_hostname_mismatch(tcp_pair, certs, name, common_name):
    ctcp, stcp = tcp_pair
    client, server, drive = tls_over(ctcp, stcp, certs, name=name, common_name=common_name)
    status = drive.until(lambda s: s[0] in HANDSHAKE_OVER)[0]
    assert status == TLSStatus.STATUS_ERROR_HOSTNAME_MISMATCH, drive.reasons
    assert drive.reason(0), "no reason in last_error_message"
    client.free()
    server.free()


def test_an_ip_address_common_name_checks_the_ip_san(tcp_pair, certs):
    ctcp, stcp = tcp_pair
    client, server, drive = tls_over(ctcp, stcp, certs, common_name="127.0.0.1")
    assert drive.handshake() == BOTH_CONNECTED, drive.reasons
    client.free()
    server.free()


def test_expired_certificate_is_an_error(tcp_pair, certs):
    ctcp, stcp = tcp_pair
    client, server, drive = tls_over(ctcp, stcp, certs, name="expired")
    assert drive.until(lambda s: s[0] in HANDSHAKE_OVER)[0] == TLSStatus.STATUS_ERROR, drive.reasons
    assert re.search(r"expired", drive.reason(0), re.I), drive.reasons
    client.free()
    server.free()


def test_self_signed_is_refused_by_a_client_and_taken_by_client_unsafe(certs):
    for options, want in ((client_options(certs), TLSStatus.STATUS_ERROR),
                          (TLSOptions.client_unsafe(), TLSStatus.STATUS_CONNECTED),
                          (TLSOptions.client_unsafe(certs["ca"]), TLSStatus.STATUS_CONNECTED)):
        with TCPServer() as listener:
            assert listener.listen(0, "127.0.0.1") == Error.OK
            tcp = StreamPeerTCP()
            assert tcp.connect_to_host("127.0.0.1", listener.get_local_port()) == Error.OK
            client, server, drive = tls_over(tcp, take(listener), certs, name="self",
                                             common_name="not.the.name", options=options)
            status = drive.until(lambda s: s[0] in HANDSHAKE_OVER and s[1] in HANDSHAKE_OVER)[0]
            assert status == want, (options, drive.reasons)
            if want == TLSStatus.STATUS_CONNECTED:
                server.io_timeout_ms = 5000
                assert client.put_data(b"unsafe") == Error.OK
                assert server.get_data(6) == (Error.OK, b"unsafe")
            client.free()
            server.free()
            options.free()


def test_common_name_override(certs):
    cases = [  # (override, common name given to connect_to_stream, status)
        ("", "wrong.example", TLSStatus.STATUS_ERROR_HOSTNAME_MISMATCH),
        ("localhost", "wrong.example", TLSStatus.STATUS_CONNECTED),
        ("wrong.example", "localhost", TLSStatus.STATUS_ERROR_HOSTNAME_MISMATCH),
    ]
    for override, common_name, want in cases:
        with TCPServer() as listener:
            assert listener.listen(0, "127.0.0.1") == Error.OK
            tcp = StreamPeerTCP()
            assert tcp.connect_to_host("127.0.0.1", listener.get_local_port()) == Error.OK
            options = client_options(certs, common_name_override=override)
            assert options.get_common_name_override() == override
            client, server, drive = tls_over(tcp, take(listener), certs, common_name=common_name, options=options)
            assert drive.until(lambda s: s[0] in HANDSHAKE_OVER)[0] == want, (override, common_name, drive.reasons)
            client.free()
            server.free()
            options.free()


# --- closing ----------------------------------------------------------------------


def test_disconnect_sends_close_notify_and_the_far_side_reads_the_rest_first(tls_pair):
    client, server, ctcp, stcp = tls_pair
    assert client.put_data(b"last words") == Error.OK
    client.disconnect_from_stream()
    assert client.get_status() == TLSStatus.STATUS_DISCONNECTED
    assert client.get_stream() is None
    with pytest.raises(ValueError, match="freed with the StreamPeerTLS"):
        ctcp.get_status()
    # The far side has close_notify behind the bytes: CONNECTED until they are read.
    assert wait_available(server, 10) == 10
    for _ in range(20):
        server.poll()
    assert server.get_status() == TLSStatus.STATUS_CONNECTED
    assert server.get_partial_data(100) == (Error.OK, b"last words")
    drive = Drive(server)
    assert drive.until(lambda s: s[0] != TLSStatus.STATUS_CONNECTED, 5.0) == [TLSStatus.STATUS_DISCONNECTED]
    # DISCONNECTED has no stream: the library freed it. The stream object's
    # bulk data calls (which skip the checks while a peer is plainly usable)
    # see that before anything else looked.
    with pytest.raises(ValueError, match="freed with the StreamPeerTLS"):
        stcp.put_data(b"x")
    with pytest.raises(ValueError, match="freed with the StreamPeerTLS"):
        stcp.get_data(4096)
    assert server.get_stream() is None
    with pytest.raises(ValueError, match="freed with the StreamPeerTLS"):
        stcp.get_status()


def test_freeing_a_connected_peer_sends_close_notify(tls_pair):
    client, server, ctcp, _ = tls_pair
    client.free()
    with pytest.raises(ValueError, match="freed with the StreamPeerTLS"):
        ctcp.get_status()
    assert repr(ctcp) == "<StreamPeerTCP freed>"
    drive = Drive(server)
    assert drive.until(lambda s: s[0] != TLSStatus.STATUS_CONNECTED, 5.0) == [TLSStatus.STATUS_DISCONNECTED]


def test_end_of_stream_without_close_notify_is_an_error(tls_pair):
    client, server, ctcp, _ = tls_pair
    ctcp.disconnect_from_host()  # the borrowed TCP stream, under the TLS peer's feet
    drive = Drive(server)
    assert drive.until(lambda s: s[0] != TLSStatus.STATUS_CONNECTED, 5.0) == [TLSStatus.STATUS_ERROR]


def test_context_manager_disconnects(tcp_pair, certs):
    ctcp, stcp = tcp_pair
    client, server, drive = tls_over(ctcp, stcp, certs)
    assert drive.handshake() == BOTH_CONNECTED, drive.reasons
    with client as entered:
        assert entered is client
    assert client.get_status() == TLSStatus.STATUS_DISCONNECTED
    assert Drive(server).until(lambda s: s[0] != TLSStatus.STATUS_CONNECTED, 5.0) == [
        TLSStatus.STATUS_DISCONNECTED]
    client.free()
    server.free()
    assert repr(client) == "<StreamPeerTLS freed>"
    with pytest.raises(ValueError):
        client.poll()


# --- the data API before CONNECTED, and the parameter checks ---------------------


def assert_unconfigured(tls):
    assert tls.put_data(b"x") == Error.ERR_UNCONFIGURED
    assert tls.put_data(b"") == Error.OK  # 0 bytes is OK on every peer
    assert tls.put_partial_data(b"x") == (Error.ERR_UNCONFIGURED, 0)
    assert tls.get_data(1) == (Error.ERR_UNCONFIGURED, b"")
    assert tls.get_partial_data(1) == (Error.ERR_UNCONFIGURED, b"")
    assert tls.put_u32(1) == Error.ERR_UNCONFIGURED
    assert tls.put_utf8_string("x") == Error.ERR_UNCONFIGURED
    assert tls.put_var({"a": 1}) == Error.ERR_UNCONFIGURED
    for read in (tls.get_u32, tls.get_double, tls.get_utf8_string, tls.get_var):
        with pytest.raises(GodotError) as e:
            read()
        assert e.value.error == Error.ERR_UNCONFIGURED, read


def test_data_calls_before_connected_are_unconfigured(tcp_pair, certs):
    tls = StreamPeerTLS()
    assert tls.get_status() == TLSStatus.STATUS_DISCONNECTED
    assert tls.get_stream() is None
    assert_unconfigured(tls)
    tls.poll()  # nothing to drive
    tls.disconnect_from_stream()  # safe in any state
    assert tls.get_status() == TLSStatus.STATUS_DISCONNECTED
    # While handshaking too (the server is never polled).
    ctcp, stcp = tcp_pair
    assert tls.connect_to_stream(ctcp, "localhost", client_options(certs)) == Error.OK
    assert tls.get_status() == TLSStatus.STATUS_HANDSHAKING
    assert_unconfigured(tls)
    tls.free()


def test_options_of_the_wrong_side_are_invalid_and_the_stream_stays_the_callers(tcp_pair, certs):
    ctcp, stcp = tcp_pair
    tls = StreamPeerTLS()
    with client_options(certs) as client_opts, server_options(certs) as server_opts:
        assert tls.accept_stream(stcp, client_opts) == Error.ERR_INVALID_PARAMETER
        assert tls.accept_stream(stcp, TLSOptions.client_unsafe()) == Error.ERR_INVALID_PARAMETER
        assert tls.accept_stream(stcp, None) == Error.ERR_INVALID_PARAMETER
        assert tls.connect_to_stream(ctcp, "localhost", server_opts) == Error.ERR_INVALID_PARAMETER
        assert tls.connect_to_stream(ctcp, None, client_opts) == Error.ERR_INVALID_PARAMETER
        assert tls.connect_to_stream(ctcp, "local\0host", client_opts) == Error.ERR_INVALID_PARAMETER
        assert tls.connect_to_stream(tls, "localhost", client_opts) == Error.ERR_INVALID_PARAMETER
        assert tls.accept_stream(tls, server_opts) == Error.ERR_INVALID_PARAMETER
        with pytest.raises(TypeError):
            tls.connect_to_stream("not a peer", "localhost", client_opts)
        with pytest.raises(TypeError):
            tls.accept_stream(stcp, "not options")
    assert tls.get_status() == TLSStatus.STATUS_DISCONNECTED and tls.get_stream() is None
    # Still the caller's: usable, talking plain TCP.
    assert ctcp._owner is None and stcp._owner is None
    assert ctcp.put_data(b"plain") == Error.OK
    stcp.io_timeout_ms = 5000
    assert stcp.get_data(5) == (Error.OK, b"plain")
    tls.free()


def test_tls_options(certs):
    with pytest.raises(TypeError):
        TLSOptions()
    with TLSOptions.client() as o:
        assert (o.is_server(), o.is_unsafe_client(), o.get_common_name_override()) == (False, False, "")
        assert repr(o) == "<TLSOptions client>"
    assert repr(o) == "<TLSOptions freed>"
    with pytest.raises(ValueError):
        o.handle
    o.free()  # twice: nothing
    o = TLSOptions.client(certs["ca"].encode(), "name.example")
    assert o.get_common_name_override() == "name.example"
    o.free()
    assert TLSOptions.client_unsafe().is_unsafe_client()
    s = server_options(certs, "localhost-rsa")
    assert s.is_server() and repr(s) == "<TLSOptions server>"
    s.free()
    # PKCS#8 from openssl req; the SEC1 and PKCS#1 spellings of keys too.
    key = subprocess.run([OPENSSL, "ec"], input=certs["localhost.key"], capture_output=True,
                         text=True, timeout=30).stdout
    assert "BEGIN EC PRIVATE KEY" in key
    TLSOptions.server(key, certs["localhost"]).free()
    key = subprocess.run([OPENSSL, "rsa", "-traditional"], input=certs["localhost-rsa.key"],
                         capture_output=True, text=True, timeout=30).stdout
    assert "BEGIN RSA PRIVATE KEY" in key
    TLSOptions.server(key, certs["localhost-rsa"]).free()


@pytest.mark.parametrize("make", [
    lambda c: TLSOptions.client("not PEM at all"),
    lambda c: TLSOptions.client(c["ca"][:200]),
    lambda c: TLSOptions.client("-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n"),
    lambda c: TLSOptions.client_unsafe("not PEM at all"),
    lambda c: TLSOptions.server("not a key", c["localhost"]),
    lambda c: TLSOptions.server(c["localhost.key"], "not a certificate"),
    lambda c: TLSOptions.server(c["localhost"], c["localhost"]),  # a certificate as the key
    lambda c: TLSOptions.server(c["localhost.key"], ""),
    lambda c: TLSOptions.server(c["wrong.key"], c["localhost"]),  # a key that does not match
])
def test_bad_pem_raises_value_error_with_the_reason(certs, make):
    with pytest.raises(ValueError) as e:
        make(certs)
    assert str(e.value).startswith("TLSOptions.")
    assert str(e.value).split(": ", 1)[1] != "the library refused the PEM", "no last_error_message"


def test_nul_bytes_and_wrong_types_in_options():
    with pytest.raises(ValueError, match="NUL"):
        TLSOptions.client("-----BEGIN\0")
    with pytest.raises(ValueError, match="NUL"):
        TLSOptions.client(None, "a\0b")
    with pytest.raises(TypeError):
        TLSOptions.client(42)
    with pytest.raises(TypeError):
        TLSOptions.server(None, None)


# --- who owns the stream ----------------------------------------------------------


def test_get_stream_is_the_object_passed_in_and_the_tls_peer_keeps_it_alive(certs):
    with TCPServer() as listener:
        assert listener.listen(0, "127.0.0.1") == Error.OK
        tcp = StreamPeerTCP()
        assert tcp.connect_to_host("127.0.0.1", listener.get_local_port()) == Error.OK
        client = StreamPeerTLS()
        assert client.get_stream() is None
        assert client.connect_to_stream(tcp, "localhost", client_options(certs)) == Error.OK
        stcp = take(listener)
        server = StreamPeerTLS()
        assert server.accept_stream(stcp, server_options(certs)) == Error.OK
        assert client.get_stream() is tcp and server.get_stream() is stcp
        ref = weakref.ref(tcp)
        tcp.free()  # the TLS peer owns it: nothing happens
        del tcp
        gc.collect()
        assert ref() is not None and client.get_stream() is ref()
        drive = Drive(client, server)
        assert drive.handshake() == BOTH_CONNECTED, drive.reasons
        assert ref().get_status() == Status.STATUS_CONNECTED
        # Another TLS peer cannot take a taken stream.
        other = StreamPeerTLS()
        assert other.connect_to_stream(ref(), "localhost", client_options(certs)) == Error.ERR_ALREADY_IN_USE
        assert other.accept_stream(stcp, server_options(certs)) == Error.ERR_ALREADY_IN_USE
        assert client.connect_to_stream(ref(), "localhost", client_options(certs)) == Error.ERR_ALREADY_IN_USE
        # A TLS peer that holds a stream can itself be taken: freeing the
        # outer one frees the chain.
        assert other.connect_to_stream(client, "localhost", client_options(certs)) == Error.OK
        assert client.get_stream() is ref() and other.get_stream() is client
        tcp = ref()
        other.free()
        for gone in (client, tcp):  # the Python objects live on, unusable
            with pytest.raises(ValueError, match="freed with the StreamPeerTLS"):
                gone.get_status()
        assert client.get_stream is not None and client._stream is None
        del client, tcp, gone
        gc.collect()
        assert ref() is None
        server.free()


def test_a_stream_cannot_hold_its_own_holder(tcp_pair, certs):
    ctcp, _ = tcp_pair
    outer, inner = StreamPeerTLS(), StreamPeerTLS()
    assert inner.connect_to_stream(ctcp, "localhost", client_options(certs)) == Error.OK
    assert outer.connect_to_stream(inner, "localhost", client_options(certs)) == Error.OK
    assert inner.connect_to_stream(outer, "localhost", client_options(certs)) == Error.ERR_INVALID_PARAMETER
    assert inner.get_stream() is ctcp and outer.get_stream() is inner
    outer.free()


def test_a_new_stream_replaces_the_old_one(certs):
    tls = StreamPeerTLS()
    first, second = StreamPeerBuffer(), StreamPeerBuffer()
    assert tls.connect_to_stream(first, "localhost", client_options(certs)) == Error.OK
    assert tls.connect_to_stream(second, "localhost", client_options(certs)) == Error.OK
    assert tls.get_stream() is second
    with pytest.raises(ValueError, match="freed with the StreamPeerTLS"):
        first.get_size()
    assert second.get_size() >= 0  # borrowed, usable
    tls.free()
    with pytest.raises(ValueError):
        second.get_size()


def test_a_taken_stream_leaves_its_poll_group_when_the_tls_peer_frees_it(tcp_pair, certs):
    ctcp, _ = tcp_pair
    with PollGroup() as group:
        assert group.add(ctcp) == Error.OK
        tls = StreamPeerTLS()
        assert tls.connect_to_stream(ctcp, "localhost", client_options(certs)) == Error.OK
        assert len(group) == 1 and ctcp in group
        tls.free()
        assert len(group) == 0 and ctcp not in group and group.members() == []
        assert group.remove(ctcp) == Error.ERR_DOES_NOT_EXIST
