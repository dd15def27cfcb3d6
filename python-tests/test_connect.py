"""Connecting and staying connected (c-api.md §8) through the Python
package: async connect, the Happy Eyeballs delay, keepalive, half-close,
is_peer_closed, the byte counters and the I/O timeout, on TCP and (where
they apply) Unix domain socket peers. Loopback only, ephemeral ports, every
wait bounded; the only timings asserted are generous upper bounds that
prove a call did not block or hang."""

import ctypes
import os
import shutil
import socket
import tempfile
import threading
import time

import pytest

import sptcp
import streampeer_tcp as st
from streampeer_tcp import (
    Error,
    Event,
    GodotError,
    Status,
    StreamPeerBuffer,
    StreamPeerTCP,
    StreamPeerUDS,
    TCPServer,
    UDSServer,
)
from waits import take, wait_status

HAS_UDS = hasattr(socket, "AF_UNIX")
KINDS = ["tcp", pytest.param("uds", marks=pytest.mark.skipif(not HAS_UDS, reason="no Unix domain sockets"))]

# A poll() while CONNECTING must not block: this bound only proves that.
POLL_BOUND = 0.050


def wait_available(peer, n, timeout=5.0):
    """Waits (bounded) until `peer` has at least `n` bytes to read, so a
    following blocking read cannot hang the test."""
    end = time.monotonic() + timeout
    while peer.get_available_bytes() < n and time.monotonic() < end:
        peer.wait(Event.READABLE, 20)
    assert peer.get_available_bytes() >= n, f"{n} bytes did not arrive"


def wait_hangup(peer, timeout=5.0):
    """Waits (bounded) until wait() reports HANGUP; returns the events."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        err, ready = peer.wait(Event.READABLE, 50)
        if Event.HANGUP in ready:
            return ready
    raise AssertionError("no HANGUP")


def bounded(call, unblock, timeout=10.0):
    """Runs call() on a daemon thread and returns its result (or raises its
    exception). If it has not returned after `timeout` seconds, unblock()
    is called (make the far side send or close) so nothing stays blocked
    inside the library, and the test fails."""
    out = {}

    def body():
        try:
            out["value"] = call()
        except BaseException as e:  # re-raised on the test's thread
            out["error"] = e

    t = threading.Thread(target=body, daemon=True)
    t.start()
    t.join(timeout)
    if t.is_alive():
        unblock()
        t.join(10)
        raise AssertionError(f"the call did not return within {timeout} s")
    if "error" in out:
        raise out["error"]
    return out["value"]


def pattern(n):
    """n bytes that are not all alike, so a prefix check means something."""
    block = bytes(range(256)) * 64
    return (block * (n // len(block) + 1))[:n]


class Pair:
    """A connected (client, accepted) pair of one kind, with a reconnect of
    the client to the same server."""

    def __init__(self, kind, server, target):
        self.kind, self.server, self.target = kind, server, target
        self.client = StreamPeerTCP() if kind == "tcp" else StreamPeerUDS()
        self.accepted = None
        self.connect()

    def connect(self):
        if self.accepted is not None:
            self.accepted.free()
        args = ("127.0.0.1", self.target) if self.kind == "tcp" else (self.target,)
        assert self.client.connect_to_host(*args) == Error.OK
        self.accepted = take(self.server)
        assert wait_status(self.client, Status.STATUS_CONNECTED) == Status.STATUS_CONNECTED
        return self.client, self.accepted

    def reconnect(self):
        self.client.disconnect_from_host()
        return self.connect()

    def free(self):
        self.client.free()
        if self.accepted is not None:
            self.accepted.free()


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


@pytest.fixture(params=KINDS)
def sock_pair(request, sock_dir):
    """A connected Pair over TCP loopback, then over a Unix domain socket."""
    if request.param == "tcp":
        server = TCPServer()
        assert server.listen(0, "127.0.0.1") == Error.OK
        target = server.get_local_port()
    else:
        server = UDSServer()
        target = os.path.join(sock_dir, "connect.sock")
        assert server.listen(target) == Error.OK
    pair = Pair(request.param, server, target)
    yield pair
    pair.free()
    server.free()


@pytest.fixture
def tcp_pair():
    with TCPServer() as server:
        assert server.listen(0, "127.0.0.1") == Error.OK
        pair = Pair("tcp", server, server.get_local_port())
        yield pair
        pair.free()


def timed_polls_until(peer, done, timeout=20.0):
    """Polls until done(err) holds or `timeout` passes, asserting that each
    poll() returns within POLL_BOUND (it must never block). Returns the
    errors poll() gave, in order."""
    errors = []
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        t0 = time.monotonic()
        err = peer.poll()
        took = time.monotonic() - t0
        assert took < POLL_BOUND, f"poll() blocked for {took * 1000:.1f} ms (status {peer.get_status().name})"
        errors.append(err)
        if done(err):
            return errors
        time.sleep(0.001)
    raise AssertionError(f"not done after {timeout} s; status {peer.get_status().name}, polls gave {set(errors)}")


# --- the API: defaults, settings, layout, NULL handles -------------------------


def test_defaults_and_settings_round_trip():
    with StreamPeerTCP() as p:
        assert p.async_connect is False
        assert p.happy_eyeballs_delay_ms == 250
        assert p.io_timeout_ms == 0
        assert p.is_peer_closed() is False
        assert (p.get_bytes_sent(), p.get_bytes_received()) == (0, 0)
        for v in (True, False, True):
            p.async_connect = v
            assert p.async_connect is v
        for ms in (0, 1, 1000, 2**32 - 1, 250):
            p.happy_eyeballs_delay_ms = ms
            assert p.happy_eyeballs_delay_ms == ms
        for ms in (1, 1234, 2**32 - 1, 0):
            p.io_timeout_ms = ms
            assert p.io_timeout_ms == ms
        # Settings are the peer's own: another peer keeps the defaults.
        p.io_timeout_ms = 77
        with StreamPeerTCP() as q:
            assert (q.async_connect, q.happy_eyeballs_delay_ms, q.io_timeout_ms) == (False, 250, 0)
    if HAS_UDS:
        with StreamPeerUDS() as u:
            assert u.io_timeout_ms == 0
            assert u.is_peer_closed() is False
            assert (u.get_bytes_sent(), u.get_bytes_received()) == (0, 0)
            u.io_timeout_ms = 4321
            assert u.io_timeout_ms == 4321


def test_class_layout():
    """TCP-only calls live on StreamPeerTCP; the rest on StreamPeerSocket
    (so StreamPeerUDS has them); none on a buffer."""
    for name in ("async_connect", "happy_eyeballs_delay_ms", "set_keepalive"):
        assert hasattr(StreamPeerTCP, name)
        assert not hasattr(StreamPeerUDS, name)
        assert not hasattr(st.StreamPeerSocket, name)
    for name in ("shutdown_write", "is_peer_closed", "get_bytes_sent", "get_bytes_received", "io_timeout_ms"):
        assert name in vars(st.StreamPeerSocket), name
        assert hasattr(StreamPeerTCP, name) and hasattr(StreamPeerUDS, name)
        assert not hasattr(StreamPeerBuffer, name)
    for name in ("async_connect", "happy_eyeballs_delay_ms", "io_timeout_ms"):
        assert isinstance(getattr(StreamPeerTCP, name), property), name
    for fn in (StreamPeerTCP.set_keepalive, st.StreamPeerSocket.shutdown_write, st.StreamPeerSocket.is_peer_closed,
               st.StreamPeerSocket.get_bytes_sent, st.StreamPeerSocket.get_bytes_received):
        assert fn.__doc__


def test_null_handles_give_the_nothing_values():
    """c-api.md §1 through the raw library: nothing crashes, getters give
    0 / false, calls with an error give ERR_INVALID_PARAMETER."""
    lib = sptcp.lib
    lib.sptcp_set_async_connect(None, True)
    lib.sptcp_set_happy_eyeballs_delay_ms(None, 5)
    lib.sptcp_set_io_timeout_ms(None, 5)
    assert lib.sptcp_is_async_connect_enabled(None) is False
    assert lib.sptcp_get_happy_eyeballs_delay_ms(None) == 0
    assert lib.sptcp_get_io_timeout_ms(None) == 0
    assert lib.sptcp_is_peer_closed(None) is False
    assert lib.sptcp_get_bytes_sent(None) == 0
    assert lib.sptcp_get_bytes_received(None) == 0
    assert lib.sptcp_set_keepalive(None, True, 1, 1, 1) == sptcp.ERR_INVALID_PARAMETER
    assert lib.sptcp_shutdown_write(None) == sptcp.ERR_INVALID_PARAMETER


def test_shutdown_write_without_a_connection():
    with StreamPeerTCP() as p:
        assert p.shutdown_write() == Error.FAILED
        assert p.get_status() == Status.STATUS_NONE


def test_socket_calls_on_a_buffer():
    """The raw calls on a StreamPeerBuffer handle: shutdown and keepalive
    are unavailable, the getters give their "nothing" values, the setters
    change nothing."""
    lib = st.lib
    b = StreamPeerBuffer(b"abc")
    try:
        assert lib.sptcp_shutdown_write(b.handle) == Error.ERR_UNAVAILABLE
        assert lib.sptcp_set_keepalive(b.handle, True, 1, 1, 1) == Error.ERR_UNAVAILABLE
        lib.sptcp_set_io_timeout_ms(b.handle, 100)
        assert lib.sptcp_get_io_timeout_ms(b.handle) == 0
        assert lib.sptcp_is_peer_closed(b.handle) is False
        assert (lib.sptcp_get_bytes_sent(b.handle), lib.sptcp_get_bytes_received(b.handle)) == (0, 0)
        assert b.get_data(3) == (Error.OK, b"abc")
        assert lib.sptcp_get_bytes_received(b.handle) == 0
    finally:
        b.free()


# --- async connect and Happy Eyeballs ----------------------------------------------


def test_async_connect_to_localhost_reaches_connected():
    with TCPServer() as server:
        assert server.listen(0) == Error.OK  # "*": IPv4 and IPv6
        port = server.get_local_port()
        with StreamPeerTCP() as p:
            p.async_connect = True
            t0 = time.monotonic()
            assert p.connect_to_host("localhost", port) == Error.OK
            assert time.monotonic() - t0 < POLL_BOUND, "connect_to_host blocked"
            assert p.get_status() == Status.STATUS_CONNECTING
            errors = timed_polls_until(p, lambda err: p.get_status() != Status.STATUS_CONNECTING)
            assert set(errors) == {Error.OK}
            assert p.get_status() == Status.STATUS_CONNECTED
            assert p.get_connected_host() in ("127.0.0.1", "::1")
            assert p.get_connected_port() == port
            accepted = take(server)
            try:
                assert p.put_u32(0xC0FFEE) == Error.OK
                wait_available(accepted, 4)
                assert accepted.get_u32() == 0xC0FFEE
                assert accepted.get_connected_port() == p.get_local_port()
            finally:
                accepted.free()
            # The setting stays for the next connect, which works again.
            p.disconnect_from_host()
            assert p.async_connect is True
            assert p.connect_to_host("localhost", port) == Error.OK
            assert p.get_status() == Status.STATUS_CONNECTING
            timed_polls_until(p, lambda err: p.get_status() != Status.STATUS_CONNECTING)
            assert p.get_status() == Status.STATUS_CONNECTED
            take(server).free()


def test_async_connect_to_an_ip_literal():
    with TCPServer() as server:
        assert server.listen(0, "127.0.0.1") == Error.OK
        with StreamPeerTCP() as p:
            p.async_connect = True
            assert p.connect_to_host("127.0.0.1", server.get_local_port()) == Error.OK
            assert wait_status(p, Status.STATUS_CONNECTED) == Status.STATUS_CONNECTED
            assert p.get_connected_host() == "127.0.0.1"
            take(server).free()


def test_async_connect_to_a_name_that_does_not_resolve():
    with StreamPeerTCP() as p:
        p.async_connect = True
        t0 = time.monotonic()
        assert p.connect_to_host("nosuch.invalid", 80) == Error.OK
        assert time.monotonic() - t0 < POLL_BOUND, "connect_to_host blocked"
        assert p.get_status() == Status.STATUS_CONNECTING
        assert p.get_connected_host() == "" and p.get_connected_port() == 0
        errors = timed_polls_until(p, lambda err: err != Error.OK)
        assert errors[-1] == Error.ERR_CANT_RESOLVE
        assert set(errors[:-1]) <= {Error.OK}
        assert p.get_status() == Status.STATUS_ERROR
        assert p.get_connected_host() == ""
    # Without async connect the same name fails in connect_to_host itself.
    with StreamPeerTCP() as p:
        assert p.connect_to_host("nosuch.invalid", 80) == Error.ERR_CANT_RESOLVE
        assert p.get_status() == Status.STATUS_NONE


def test_async_connect_checks_status_and_port_first(tcp_pair):
    with StreamPeerTCP() as p:
        p.async_connect = True
        for port in (0, -1, 70000):
            assert p.connect_to_host("localhost", port) == Error.ERR_INVALID_PARAMETER
            assert p.get_status() == Status.STATUS_NONE
    client = tcp_pair.client
    client.async_connect = True
    assert client.connect_to_host("localhost", tcp_pair.target) == Error.ERR_ALREADY_IN_USE
    assert client.get_status() == Status.STATUS_CONNECTED


def test_disconnect_and_free_during_a_lookup_do_not_block():
    with TCPServer() as server:
        assert server.listen(0, "127.0.0.1") == Error.OK
        p = StreamPeerTCP()
        p.async_connect = True
        assert p.connect_to_host("nosuch.invalid", 80) == Error.OK
        t0 = time.monotonic()
        p.disconnect_from_host()
        assert time.monotonic() - t0 < 1.0, "disconnect_from_host waited for the lookup"
        assert p.get_status() == Status.STATUS_NONE
        # The abandoned lookup never shows up later.
        assert p.connect_to_host("127.0.0.1", server.get_local_port()) == Error.OK
        assert wait_status(p, Status.STATUS_CONNECTED) == Status.STATUS_CONNECTED
        take(server).free()
        p.free()
        q = StreamPeerTCP()
        q.async_connect = True
        assert q.connect_to_host("nosuch.invalid", 80) == Error.OK
        t0 = time.monotonic()
        q.free()
        assert time.monotonic() - t0 < 1.0, "free waited for the lookup"


# --- keepalive -------------------------------------------------------------------


def _sockopts(peer):
    """(SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT) of the peer's
    socket, read through a duplicate of the descriptor (the peer's own is
    left alone)."""
    fd = peer.get_socket()
    assert fd >= 0
    s = socket.fromfd(fd, socket.AF_INET, socket.SOCK_STREAM)
    try:
        return (
            s.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) != 0,
            s.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE),
            s.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL),
            s.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT),
        )
    finally:
        s.close()


HAS_KEEPALIVE_OPTS = all(hasattr(socket, n) for n in ("TCP_KEEPIDLE", "TCP_KEEPINTVL", "TCP_KEEPCNT"))


def test_keepalive_on_a_connected_peer(tcp_pair):
    client, accepted = tcp_pair.client, tcp_pair.accepted
    assert client.set_keepalive(True, 30, 5, 4) == Error.OK
    assert accepted.set_keepalive(True) == Error.OK  # 0s: the OS defaults
    if HAS_KEEPALIVE_OPTS:
        assert _sockopts(client) == (True, 30, 5, 4)
        assert _sockopts(accepted)[0] is True
    assert client.set_keepalive(False) == Error.OK
    if HAS_KEEPALIVE_OPTS:
        assert _sockopts(client)[0] is False
    # The connection still works.
    assert client.put_u16(513) == Error.OK
    wait_available(accepted, 2)
    assert accepted.get_u16() == 513
    assert client.get_status() == Status.STATUS_CONNECTED


def test_keepalive_on_a_fresh_peer_is_remembered():
    with TCPServer() as server:
        assert server.listen(0, "127.0.0.1") == Error.OK
        port = server.get_local_port()
        with StreamPeerTCP() as p:
            # The limits every system takes, and one more.
            assert p.set_keepalive(True, 32767, 32767, 127) == Error.OK
            assert p.set_keepalive(True, 32768, 1, 1) == Error.ERR_INVALID_PARAMETER
            assert p.set_keepalive(True, 1, 32768, 1) == Error.ERR_INVALID_PARAMETER
            assert p.set_keepalive(True, 1, 1, 128) == Error.ERR_INVALID_PARAMETER
            assert p.set_keepalive(True, 11, 3, 2) == Error.OK
            for _ in range(2):  # the first connect, then a reconnect
                assert p.connect_to_host("127.0.0.1", port) == Error.OK
                assert wait_status(p, Status.STATUS_CONNECTED) == Status.STATUS_CONNECTED
                if HAS_KEEPALIVE_OPTS:
                    assert _sockopts(p) == (True, 11, 3, 2)
                take(server).free()
                p.disconnect_from_host()


@pytest.mark.skipif(not HAS_UDS, reason="no Unix domain sockets")
def test_keepalive_on_a_uds_peer_is_unavailable(sock_dir):
    """set_keepalive is TCP-only: not on StreamPeerUDS, and the raw call on
    a UDS handle gives ERR_UNAVAILABLE (c-api.md §9)."""
    lib = st.lib
    with StreamPeerUDS() as u:
        assert lib.sptcp_set_keepalive(u.handle, True, 1, 1, 1) == Error.ERR_UNAVAILABLE
        assert lib.sptcp_is_async_connect_enabled(u.handle) is False


# --- half-close and is_peer_closed ---------------------------------------------------


def test_shutdown_write_both_ways(sock_pair):
    a, b = sock_pair.client, sock_pair.accepted
    assert a.put_data(b"request") == Error.OK
    assert a.put_u32(7) == Error.OK
    assert a.shutdown_write() == Error.OK
    assert a.get_status() == Status.STATUS_CONNECTED
    # Our side can no longer write, and that changes nothing else.
    assert a.put_data(b"late") == Error.ERR_UNAVAILABLE
    assert a.put_u32(1) == Error.ERR_UNAVAILABLE
    assert a.put_var("late") == Error.ERR_UNAVAILABLE
    # The other side reads everything, and still writes.
    wait_available(b, 11)
    assert b.get_data(7) == (Error.OK, b"request")
    assert b.get_u32() == 7
    assert b.put_utf8_string("reply") == Error.OK
    assert b.put_var({"ok": True}) == Error.OK
    assert b.shutdown_write() == Error.OK
    assert b.put_data(b"x") == Error.ERR_UNAVAILABLE
    # Reads go on on our side after our half-close.
    wait_available(a, 9 + 4 + len(st.var_to_bytes({"ok": True})))
    assert a.get_utf8_string() == "reply"
    assert a.get_var() == {"ok": True}
    # Both see the end of the stream after the bytes.
    for p, other in ((a, b), (b, a)):
        wait_hangup(p)
        assert p.is_peer_closed()
        assert bounded(lambda p=p: p.get_data(1), other.disconnect_from_host) == (Error.ERR_FILE_EOF, b"")


def test_shutdown_write_seen_by_a_python_socket():
    """Against a plain Python socket: FIN after the bytes (recv gives b""),
    and the other direction keeps working."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as ls:
        ls.bind(("127.0.0.1", 0))
        ls.listen(1)
        ls.settimeout(5)
        with StreamPeerTCP() as p:
            assert p.connect_to_host("127.0.0.1", ls.getsockname()[1]) == Error.OK
            conn, _ = ls.accept()
            with conn:
                conn.settimeout(5)
                assert wait_status(p, Status.STATUS_CONNECTED) == Status.STATUS_CONNECTED
                assert p.put_data(b"all of it") == Error.OK
                assert p.shutdown_write() == Error.OK
                got = b""
                while True:
                    chunk = conn.recv(100)
                    if not chunk:
                        break
                    got += chunk
                assert got == b"all of it"
                conn.sendall(b"\x05\x00\x00\x00hello")
                wait_available(p, 9)
                assert p.get_utf8_string() == "hello"
                assert p.put_data(b"x") == Error.ERR_UNAVAILABLE
                conn.sendall(b"more")
                wait_available(p, 4)
                assert p.get_data(4) == (Error.OK, b"more")
                assert p.get_status() == Status.STATUS_CONNECTED


@pytest.mark.parametrize("seen_by", ["poll", "wait", "read"])
def test_is_peer_closed_with_unread_bytes(sock_pair, seen_by):
    a, b = sock_pair.client, sock_pair.accepted
    assert not a.is_peer_closed()
    assert b.put_data(b"tail") == Error.OK
    a.poll()
    wait_available(a, 4)
    a.poll()
    assert not a.is_peer_closed(), "closed before the far side closed anything"
    assert b.shutdown_write() == Error.OK
    if seen_by == "poll":
        end = time.monotonic() + 5
        while not a.is_peer_closed() and time.monotonic() < end:
            assert a.poll() == Error.OK
            time.sleep(0.001)
        assert a.is_peer_closed()
        # Unread bytes remain: still CONNECTED, and they read as sent.
        assert a.get_status() == Status.STATUS_CONNECTED
        assert a.get_available_bytes() == 4
        assert a.get_data(4) == (Error.OK, b"tail")
        assert a.is_peer_closed()
    elif seen_by == "wait":
        wait_hangup(a)
        assert a.is_peer_closed()  # without a poll
        assert a.get_status() == Status.STATUS_CONNECTED
        assert a.get_data(4) == (Error.OK, b"tail")
    else:
        assert bounded(lambda: a.get_data(5), b.disconnect_from_host) == (Error.ERR_FILE_EOF, b"tail")
        assert a.is_peer_closed()
    # Our side still writes (only the far side's writing side is closed).
    if seen_by != "read":
        assert a.put_data(b"ack") == Error.OK
        wait_available(b, 3)
        assert b.get_data(3) == (Error.OK, b"ack")
    # A new connect starts again.
    a2, b2 = sock_pair.reconnect()
    assert not a2.is_peer_closed()
    assert not b2.is_peer_closed()


def test_is_peer_closed_after_the_far_side_disconnects(sock_pair):
    a, b = sock_pair.client, sock_pair.accepted
    assert b.put_u32(99) == Error.OK
    b.disconnect_from_host()
    end = time.monotonic() + 5
    while not a.is_peer_closed() and time.monotonic() < end:
        a.poll()
        time.sleep(0.001)
    assert a.is_peer_closed()
    assert a.get_status() == Status.STATUS_CONNECTED  # 4 bytes unread
    assert a.get_u32() == 99


# --- byte counters --------------------------------------------------------------------


def test_counters_are_exact(sock_pair):
    a, b = sock_pair.client, sock_pair.accepted
    for p in (a, b):
        assert (p.get_bytes_sent(), p.get_bytes_received()) == (0, 0)
    value = {"hp": 42, "tags": ["a", "b"], "pos": st.Vector2(1, 2)}
    steps = [
        (lambda: a.put_u32(0xDEADBEEF), 4),
        (lambda: a.put_utf8_string("héllo ✩"), 4 + len("héllo ✩".encode())),
        (lambda: a.put_var(value), 4 + len(st.var_to_bytes(value))),
        (lambda: a.put_string("abc"), 4 + 3),
        (lambda: a.put_8(-1), 1),
        (lambda: a.put_double(2.5), 8),
        (lambda: a.put_data(b"raw"), 3),
        (lambda: a.put_partial_data(b"pp")[0], 2),
    ]
    total = 0
    for put, n in steps:
        assert put() == Error.OK
        total += n
        assert a.get_bytes_sent() == total
    assert a.get_bytes_received() == 0
    wait_available(b, total)
    got = 0
    reads = [
        (b.get_u32, 0xDEADBEEF, 4),
        (b.get_utf8_string, "héllo ✩", 4 + len("héllo ✩".encode())),
        (b.get_var, value, 4 + len(st.var_to_bytes(value))),
        (b.get_string, "abc", 7),
        (b.get_8, -1, 1),
        (b.get_double, 2.5, 8),
        (lambda: b.get_data(3), (Error.OK, b"raw"), 3),
        (lambda: b.get_partial_data(10), (Error.OK, b"pp"), 2),
    ]
    for get, want, n in reads:
        assert get() == want
        got += n
        assert b.get_bytes_received() == got, "counted bytes not yet delivered"
    assert got == total
    assert b.get_bytes_sent() == 0
    # The other direction counts on its own.
    assert b.put_u64(1) == Error.OK and b.get_bytes_sent() == 8
    wait_available(a, 8)
    assert a.get_u64() == 1 and a.get_bytes_received() == 8
    assert a.get_bytes_sent() == total
    # A new connect starts at zero on both sides.
    a2, b2 = sock_pair.reconnect()
    for p in (a2, b2):
        assert (p.get_bytes_sent(), p.get_bytes_received()) == (0, 0)
    assert a2.put_16(5) == Error.OK and a2.get_bytes_sent() == 2


def test_counters_of_a_large_transfer(sock_pair):
    a, b = sock_pair.client, sock_pair.accepted
    a.io_timeout_ms = b.io_timeout_ms = 20000  # bounds both blocking calls
    data = pattern(3 * 1024 * 1024 + 17)
    received = {}

    def reader():
        received["r"] = b.get_data(len(data))

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    assert a.put_data(data) == Error.OK
    t.join(30)
    assert not t.is_alive()
    assert received["r"] == (Error.OK, data)
    assert a.get_bytes_sent() == len(data)
    assert b.get_bytes_received() == len(data)


# --- I/O timeout ------------------------------------------------------------------------


def test_io_timeout_typed_read_stays_in_step(sock_pair):
    a, b = sock_pair.client, sock_pair.accepted
    b.io_timeout_ms = 200

    def unblock():
        a.put_data(b"\0" * 64)

    # Nothing arrives.
    t0 = time.monotonic()
    with pytest.raises(GodotError) as e:
        bounded(b.get_u32, unblock)
    assert e.value.error == Error.ERR_TIMEOUT
    assert time.monotonic() - t0 < 5.0
    assert b.get_status() == Status.STATUS_CONNECTED
    # Half of a u32 arrives: still a timeout, and nothing is consumed.
    assert a.put_data(b"\x01\x02") == Error.OK
    wait_available(b, 2)
    with pytest.raises(GodotError) as e:
        bounded(b.get_u32, unblock)
    assert e.value.error == Error.ERR_TIMEOUT
    assert b.get_status() == Status.STATUS_CONNECTED
    assert b.get_available_bytes() == 2
    # The rest arrives: the whole value, in step.
    assert a.put_data(b"\x03\x04") == Error.OK
    wait_available(b, 4)
    assert bounded(b.get_u32, unblock) == 0x04030201
    # Longer values too.
    assert a.put_data(b"\x11" * 5) == Error.OK
    wait_available(b, 5)
    with pytest.raises(GodotError) as e:
        bounded(b.get_u64, unblock)
    assert e.value.error == Error.ERR_TIMEOUT
    assert a.put_data(b"\x11" * 3) == Error.OK
    wait_available(b, 8)
    assert bounded(b.get_u64, unblock) == 0x1111111111111111
    assert b.get_status() == Status.STATUS_CONNECTED


def test_io_timeout_string_and_var_reads_stay_in_step(sock_pair):
    a, b = sock_pair.client, sock_pair.accepted
    b.io_timeout_ms = 150

    def unblock():
        a.put_data(b"\0" * 4096)

    # A string whose length prefix came, body not all.
    text = "stays in step ✩"
    raw = len(text.encode()).to_bytes(4, "little") + text.encode()
    assert a.put_data(raw[:6]) == Error.OK
    wait_available(b, 6)
    with pytest.raises(GodotError) as e:
        bounded(b.get_utf8_string, unblock)
    assert e.value.error == Error.ERR_TIMEOUT
    assert b.get_available_bytes() == 6
    assert a.put_data(raw[6:]) == Error.OK
    wait_available(b, len(raw))
    assert bounded(b.get_utf8_string, unblock) == text
    # Only part of a length prefix.
    assert a.put_data(b"\x03\x00") == Error.OK
    wait_available(b, 2)
    with pytest.raises(GodotError) as e:
        bounded(b.get_string, unblock)
    assert e.value.error == Error.ERR_TIMEOUT
    assert a.put_data(b"\x00\x00abc") == Error.OK
    wait_available(b, 7)
    assert bounded(b.get_string, unblock) == "abc"
    # A Variant cut in two.
    value = {"hp": 42, "name": "knight", "path": [st.Vector2(1, 2), st.Vector2(3, 4)]}
    body = st.var_to_bytes(value)
    msg = len(body).to_bytes(4, "little") + body
    half = len(msg) // 2
    assert a.put_data(msg[:half]) == Error.OK
    wait_available(b, half)
    with pytest.raises(GodotError) as e:
        bounded(b.get_var, unblock)
    assert e.value.error == Error.ERR_TIMEOUT
    assert b.get_status() == Status.STATUS_CONNECTED
    assert b.get_available_bytes() == half
    assert a.put_data(msg[half:]) == Error.OK
    wait_available(b, len(msg))
    assert bounded(b.get_var, unblock) == value
    # Nothing is left over.
    assert b.get_available_bytes() == 0


def test_io_timeout_get_data_reports_what_came(sock_pair):
    a, b = sock_pair.client, sock_pair.accepted
    b.io_timeout_ms = 150
    assert a.put_data(b"ab") == Error.OK
    wait_available(b, 2)
    assert bounded(lambda: b.get_data(5), lambda: a.put_data(b"\0" * 64)) == (Error.ERR_TIMEOUT, b"ab")
    assert b.get_status() == Status.STATUS_CONNECTED
    assert b.get_bytes_received() == 2
    assert a.put_data(b"cde") == Error.OK
    wait_available(b, 3)
    assert bounded(lambda: b.get_data(3), lambda: a.put_data(b"\0" * 64)) == (Error.OK, b"cde")
    # Nothing at all: a timeout with no bytes.
    assert bounded(lambda: b.get_data(1), lambda: a.put_data(b"\0" * 64)) == (Error.ERR_TIMEOUT, b"")
    assert b.get_status() == Status.STATUS_CONNECTED


def test_io_timeout_on_put_data_to_a_peer_that_never_reads(sock_pair):
    a, b = sock_pair.client, sock_pair.accepted
    a.io_timeout_ms = 300
    data = pattern(64 * 1024 * 1024)

    def unblock():
        sock_pair.accepted.free()  # the write fails then instead of waiting

    t0 = time.monotonic()
    assert bounded(lambda: a.put_data(data), unblock, timeout=20) == Error.ERR_TIMEOUT
    assert time.monotonic() - t0 < 20
    assert a.get_status() == Status.STATUS_CONNECTED
    sent = a.get_bytes_sent()
    assert 0 < sent < len(data)
    # What was sent is a prefix of the data, and all of it arrives.
    b.io_timeout_ms = 5000
    got = bounded(lambda: b.get_data(sent), unblock, timeout=30)
    assert got[0] == Error.OK
    assert got[1] == data[:sent]
    # The connection still works both ways (no partial value in between).
    assert b.put_u32(123) == Error.OK
    wait_available(a, 4)
    assert a.get_u32() == 123
    assert a.put_data(b"after") == Error.OK
    wait_available(b, 5)
    assert b.get_data(5) == (Error.OK, b"after")


def test_io_timeout_on_a_typed_write_to_a_full_peer(sock_pair):
    """A put_var that cannot be written in time gives ERR_TIMEOUT and keeps
    the status; so do typed writes once the buffers are full."""
    a = sock_pair.client
    a.io_timeout_ms = 200
    big = pattern(48 * 1024 * 1024)
    assert bounded(lambda: a.put_var(big), sock_pair.accepted.free, timeout=20) == Error.ERR_TIMEOUT
    assert a.get_status() == Status.STATUS_CONNECTED
    # The kernel may still take a few small writes: one of them times out.

    def small_writes():
        errors = set()
        for _ in range(100_000):
            err = a.put_u64(1)
            errors.add(err)
            if err != Error.OK:
                break
        return errors

    assert bounded(small_writes, sock_pair.accepted.free, timeout=20) <= {Error.OK, Error.ERR_TIMEOUT}
    assert a.put_u64(1) == Error.ERR_TIMEOUT
    assert a.get_status() == Status.STATUS_CONNECTED


def test_io_timeout_zero_means_no_limit(sock_pair):
    """With the default 0 a blocking read waits for bytes that come late."""
    a, b = sock_pair.client, sock_pair.accepted
    assert b.io_timeout_ms == 0

    def late():
        time.sleep(0.3)
        a.put_u32(42)

    t = threading.Thread(target=late, daemon=True)
    t.start()
    assert bounded(b.get_u32, lambda: a.put_data(b"\0" * 4)) == 42
    t.join(5)


def test_io_timeout_via_the_raw_call_keeps_typed_out_zero(pair):
    """The raw C call (conftest's pair): ERR_TIMEOUT, *out written 0."""
    client, accepted = pair
    lib = sptcp.lib
    lib.sptcp_set_io_timeout_ms(accepted, 100)
    assert lib.sptcp_get_io_timeout_ms(accepted) == 100
    out = ctypes.c_uint32(7)
    err = bounded(lambda: lib.sptcp_get_u32(accepted, ctypes.byref(out)), lambda: sptcp.put(client, b"\0" * 4))
    assert err == Error.ERR_TIMEOUT
    assert out.value == 0
    assert lib.sptcp_get_status(accepted) == sptcp.STATUS_CONNECTED
