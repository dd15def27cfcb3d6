"""Poll groups and waits in the streampeer_tcp package (c-api.md section 7):
StreamPeer.wait, SocketServer.wait, get_socket, PollGroup and its
descriptor. Every wait here is bounded."""

import gc
import os
import re
import select
import selectors
import shutil
import socket
import sys
import tempfile
import time
import weakref

import pytest

from streampeer_tcp import (
    Error,
    Event,
    GodotError,
    PollGroup,
    Status,
    StreamPeerBuffer,
    StreamPeerTCP,
    StreamPeerUDS,
    TCPServer,
    UDSServer,
)
from waits import wait_status

HEADER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "include", "streampeer_tcp.h")
LINUX = sys.platform.startswith("linux")


def take(server, timeout=5.0):
    assert server.wait(int(timeout * 1000)) == Error.OK, "no connection to take"
    peer = server.take_connection()
    assert peer is not None
    return peer


def events_of(group, member, timeout_ms=2000):
    """The events `group` reports for `member` within `timeout_ms` (waits
    until it shows up; Event(0) if it never does)."""
    end = time.monotonic() + timeout_ms / 1000
    while True:
        left = max(0, int((end - time.monotonic()) * 1000))
        for m, ev in group.wait(left):
            if m is member:
                return ev
        if left == 0:
            return Event(0)


def readable(group, timeout=0.0):
    r, _, _ = select.select([group], [], [], timeout)
    return bool(r)


@pytest.fixture
def server():
    with TCPServer() as s:
        assert s.listen(0, "127.0.0.1") == Error.OK
        yield s
        s.free()


@pytest.fixture
def pair(server):
    """(client, accepted): a connected TCP pair."""
    client = StreamPeerTCP()
    assert client.connect_to_host("127.0.0.1", server.get_local_port()) == Error.OK
    accepted = take(server)
    assert wait_status(client, Status.STATUS_CONNECTED) == Status.STATUS_CONNECTED
    yield client, accepted
    client.free()
    accepted.free()


@pytest.fixture
def group():
    with PollGroup() as g:
        yield g


def test_event_bits_match_the_header():
    with open(HEADER) as f:
        defines = dict(re.findall(r"#define SPTCP_EVENT_(\w+) (\d+)", f.read()))
    assert {k: int(v) for k, v in defines.items()} == {
        e.name: e.value for e in (Event.READABLE, Event.WRITABLE, Event.HANGUP, Event.ERROR, Event.ACCEPTABLE)
    }
    assert Event.READABLE | Event.WRITABLE == 3


# --- StreamPeer.wait, SocketServer.wait, get_socket --------------------------


def test_peer_wait(pair):
    client, accepted = pair
    assert client.wait(Event.WRITABLE, 1000) == (Error.OK, Event.WRITABLE)
    assert accepted.wait(Event.READABLE, 0) == (Error.ERR_TIMEOUT, Event(0))
    assert client.put_data(b"ping") == Error.OK
    err, ev = accepted.wait(Event.READABLE | Event.WRITABLE, 2000)
    assert err == Error.OK and ev == Event.READABLE | Event.WRITABLE
    assert accepted.get_data(4) == (Error.OK, b"ping")
    assert accepted.wait(Event.READABLE, 0) == (Error.ERR_TIMEOUT, Event(0))
    # The far side closes: HANGUP is reported even when not asked for.
    client.disconnect_from_host()
    err, ev = accepted.wait(Event.WRITABLE, 2000)
    assert err == Error.OK and Event.HANGUP in ev
    assert accepted.wait(Event.READABLE, -2)[0] == Error.ERR_INVALID_PARAMETER
    # Without a socket: at once.
    assert client.wait(Event.READABLE, 1000) == (Error.ERR_UNAVAILABLE, Event(0))


def test_peer_wait_counts_bytes_the_library_buffered(pair):
    client, accepted = pair
    assert client.put_data(b"abcdef") == Error.OK
    assert accepted.get_data(2) == (Error.OK, b"ab")  # reads ahead the rest
    assert accepted.wait(Event.READABLE, 0) == (Error.OK, Event.READABLE)
    assert accepted.get_data(4) == (Error.OK, b"cdef")
    assert accepted.wait(Event.READABLE, 0) == (Error.ERR_TIMEOUT, Event(0))


def test_buffer_wait_never_waits():
    with_bytes = StreamPeerBuffer(b"xy")
    empty = StreamPeerBuffer()
    t = time.monotonic()
    assert with_bytes.wait(Event.READABLE | Event.WRITABLE, -1) == (Error.OK, Event.READABLE | Event.WRITABLE)
    assert empty.wait(Event.READABLE, -1) == (Error.ERR_TIMEOUT, Event(0))
    assert empty.wait(Event.WRITABLE, 5000) == (Error.OK, Event.WRITABLE)
    assert time.monotonic() - t < 1.0
    assert with_bytes.get_socket() == -1


def test_server_wait_and_sockets(server):
    port = server.get_local_port()
    assert server.wait(0) == Error.ERR_TIMEOUT
    assert server.wait(-5) == Error.ERR_INVALID_PARAMETER
    assert server.get_socket() >= 0
    client = StreamPeerTCP()
    assert client.get_socket() == -1
    assert client.connect_to_host("127.0.0.1", port) == Error.OK
    assert client.get_socket() >= 0
    assert server.wait(2000) == Error.OK
    accepted = server.take_connection()
    assert accepted.get_socket() >= 0 and accepted.get_socket() != client.get_socket()
    # The descriptor is the real socket: the OS names the same ports.
    fd = accepted.get_socket()
    s = socket.socket(fileno=os.dup(fd))
    try:
        assert s.getsockname()[1] == port
        assert s.getpeername()[1] == client.get_local_port()
    finally:
        s.close()
    server.stop()
    assert server.get_socket() == -1
    assert server.wait(1000) == Error.ERR_UNAVAILABLE
    client.free()
    accepted.free()


def test_waits_time_out_within_bounds(server, pair, group):
    _, accepted = pair
    assert group.add(accepted, Event.READABLE) == Error.OK
    for call, want in (
        (lambda: group.wait(50), []),
        (lambda: accepted.wait(Event.READABLE, 50), (Error.ERR_TIMEOUT, Event(0))),
        (lambda: server.wait(50), Error.ERR_TIMEOUT),
    ):
        t = time.monotonic()
        assert call() == want
        assert 0.04 <= time.monotonic() - t <= 2.0
    t = time.monotonic()
    assert group.wait(0) == []
    assert time.monotonic() - t < 0.5
    with PollGroup() as empty:
        t = time.monotonic()
        assert empty.wait(50) == []
        assert 0.04 <= time.monotonic() - t <= 2.0


# --- readiness of each kind ----------------------------------------------------


def test_readable_after_data(pair, group):
    client, accepted = pair
    assert group.add(accepted, Event.READABLE) == Error.OK
    assert group.wait(0) == []
    assert client.put_data(b"hello") == Error.OK
    assert events_of(group, accepted) == Event.READABLE
    assert accepted.get_data(5) == (Error.OK, b"hello")
    assert group.wait(0) == []


def test_writable(pair, group):
    client, _ = pair
    assert group.add(client, Event.WRITABLE, data="w") == Error.OK
    assert group.wait(1000) == [(client, Event.WRITABLE)]
    assert group.get_member_data(client) == "w"
    # Interest changes what is reported.
    assert group.set_interest(client, Event.READABLE) == Error.OK
    assert group.wait(0) == []


def test_acceptable_on_a_server(server, group):
    assert group.add(server, Event.READABLE) == Error.OK  # interest is ignored
    assert group.wait(0) == []
    client = StreamPeerTCP()
    assert client.connect_to_host("127.0.0.1", server.get_local_port()) == Error.OK
    assert events_of(group, server) == Event.ACCEPTABLE
    assert events_of(group, server) == Event.ACCEPTABLE  # still there: level-triggered
    accepted = server.take_connection()
    assert accepted is not None
    assert group.wait(0) == []
    assert group.set_interest(server, Event.WRITABLE) == Error.ERR_INVALID_PARAMETER
    # A server that stops listening reports nothing and stays a member.
    server.stop()
    assert group.wait(50) == [] and len(group) == 1
    client.free()
    accepted.free()


def test_hangup_after_the_far_side_closes(pair, group):
    client, accepted = pair
    assert group.add(accepted, 0) == Error.OK  # HANGUP whatever the interest
    assert group.wait(0) == []
    assert client.put_data(b"last") == Error.OK
    assert group.wait(100) == []  # not READABLE: not asked for
    client.free()
    ev = events_of(group, accepted)
    assert Event.HANGUP in ev and Event.READABLE not in ev
    assert group.set_interest(accepted, Event.READABLE) == Error.OK
    assert group.wait(0) == [(accepted, Event.READABLE | Event.HANGUP)]
    # Unread bytes remain after the hangup; then the end of the stream.
    assert accepted.get_data(4) == (Error.OK, b"last")
    assert accepted.get_partial_data(10)[0] == Error.ERR_FILE_EOF
    assert accepted.get_status() == Status.STATUS_NONE
    # Without a socket it reports nothing but stays a member.
    assert group.wait(50) == [] and accepted in group


def test_error_on_a_refused_connect(group):
    with TCPServer() as s:
        assert s.listen(0, "127.0.0.1") == Error.OK
        port = s.get_local_port()
    peer = StreamPeerTCP()
    assert peer.connect_to_host("127.0.0.1", port) == Error.OK
    if peer.get_status() == Status.STATUS_CONNECTING:
        assert group.add(peer, Event.READABLE) == Error.OK
        ev = events_of(group, peer)
        assert Event.ERROR in ev or Event.HANGUP in ev, ev
        assert peer.poll() != Error.OK
    assert wait_status(peer, Status.STATUS_ERROR) == Status.STATUS_ERROR
    peer.free()


def test_buffer_peers():
    with PollGroup() as g:
        b = StreamPeerBuffer()
        assert g.add(b, Event.READABLE | Event.WRITABLE) == Error.OK
        assert g.wait(0) == [(b, Event.WRITABLE)]  # always writable
        assert g.remove(b) == Error.OK
        if LINUX:
            assert not readable(g)
        assert g.add(b, Event.READABLE) == Error.OK
        assert g.wait(0) == []
        if LINUX:
            assert not readable(g)
        assert b.put_data(b"abc") == Error.OK  # the cursor is at the end
        assert g.wait(0) == []
        assert b.seek(0) == Error.OK
        assert g.wait(0) == [(b, Event.READABLE)]
        if LINUX:
            assert readable(g)
        assert b.get_data(3) == (Error.OK, b"abc")
        assert g.wait(0) == []
        if LINUX:
            assert not readable(g)


@pytest.mark.skipif(not LINUX, reason="the group descriptor exists on Linux only")
def test_narrowing_the_interest_of_a_ready_buffer_clears_the_group_fd():
    with PollGroup() as g:
        b = StreamPeerBuffer()
        assert g.add(b, Event.WRITABLE) == Error.OK  # a buffer is always writable
        assert readable(g)
        assert g.set_interest(b, Event.READABLE) == Error.OK  # now nothing is ready
        assert g.wait(0) == []
        assert not readable(g)


def test_uds_peers(tmp_path):
    d = str(tmp_path) if len(os.fsencode(str(tmp_path))) <= 80 else tempfile.mkdtemp(dir="/tmp")
    try:
        path = os.path.join(d, "g.sock")
        with UDSServer() as server, PollGroup() as g:
            assert server.listen(path) == Error.OK
            assert g.add(server) == Error.OK
            client = StreamPeerUDS()
            assert client.connect_to_host(path) == Error.OK
            assert events_of(g, server) == Event.ACCEPTABLE
            accepted = server.take_connection()
            assert g.add(accepted, Event.READABLE) == Error.OK
            assert client.put_var("over uds") == Error.OK
            assert events_of(g, accepted) == Event.READABLE
            assert accepted.get_var() == "over uds"
            client.free()
            assert Event.HANGUP in events_of(g, accepted)
            accepted.free()
    finally:
        if d != str(tmp_path):
            shutil.rmtree(d, ignore_errors=True)


# --- level-triggered, one event per member --------------------------------------


def test_level_triggered_repeat(pair, group):
    client, accepted = pair
    assert group.add(accepted, Event.READABLE) == Error.OK
    assert client.put_data(b"x" * 10) == Error.OK
    assert events_of(group, accepted) == Event.READABLE
    for _ in range(5):
        assert group.wait(0) == [(accepted, Event.READABLE)]
    assert accepted.get_partial_data(5) == (Error.OK, b"x" * 5)
    assert group.wait(0) == [(accepted, Event.READABLE)]  # 5 left
    assert accepted.get_data(5)[0] == Error.OK
    assert group.wait(0) == []


def test_one_event_per_member_per_wait(pair, group):
    client, accepted = pair
    b = StreamPeerBuffer(b"data")
    for m in (client, accepted, b):
        assert group.add(m, Event.READABLE | Event.WRITABLE) == Error.OK
    assert accepted.put_data(b"to client") == Error.OK
    assert Event.READABLE in events_of(group, client)
    got = group.wait(0)
    members = [m for m, _ in got]
    assert len(members) == len(set(map(id, members))) == 3
    assert dict((id(m), ev) for m, ev in got) == {
        id(client): Event.READABLE | Event.WRITABLE,
        id(accepted): Event.WRITABLE,
        id(b): Event.READABLE | Event.WRITABLE,
    }


def test_more_ready_than_max_events_take_turns(group):
    bufs = [StreamPeerBuffer(b"x") for _ in range(5)]
    for b in bufs:
        assert group.add(b, Event.READABLE) == Error.OK
    seen = set()
    for _ in range(3):
        got = group.wait(0, max_events=2)
        assert len(got) == 2
        seen.update(id(m) for m, _ in got)
    assert seen == set(map(id, bufs))
    assert len(group.wait(0, max_events=64)) == 5
    with pytest.raises(ValueError):
        group.wait(0, max_events=0)
    with pytest.raises(GodotError) as e:
        group.wait(-2)
    assert e.value.error == Error.ERR_INVALID_PARAMETER


# --- membership ---------------------------------------------------------------


def test_membership_rules_and_codes(server):
    a, b = PollGroup(), PollGroup()
    peer = StreamPeerTCP()
    buf = StreamPeerBuffer()
    assert a.add(peer) == Error.OK
    assert a.add(peer) == Error.ERR_ALREADY_IN_USE
    assert b.add(peer) == Error.ERR_ALREADY_IN_USE
    assert a.add(server) == Error.OK and a.add(server) == Error.ERR_ALREADY_IN_USE
    assert b.add(server) == Error.ERR_ALREADY_IN_USE
    assert len(a) == 2 and len(b) == 0
    assert peer in a and peer not in b and buf not in a
    assert a.members() == [peer, server]
    assert b.remove(peer) == Error.ERR_DOES_NOT_EXIST
    assert b.remove(server) == Error.ERR_DOES_NOT_EXIST
    assert a.remove(buf) == Error.ERR_DOES_NOT_EXIST
    assert b.set_interest(peer, Event.WRITABLE) == Error.ERR_DOES_NOT_EXIST
    assert a.set_interest(peer, Event.WRITABLE) == Error.OK
    assert a.remove(peer) == Error.OK and a.remove(peer) == Error.ERR_DOES_NOT_EXIST
    assert b.add(peer, data=7) == Error.OK
    assert b.get_member_data(peer) == 7
    with pytest.raises(KeyError):
        a.get_member_data(peer)
    assert a.remove(server) == Error.OK and len(a) == 0
    with pytest.raises(TypeError):
        a.add(object())
    with pytest.raises(TypeError):
        a.remove("peer")
    a.free()
    b.free()
    with pytest.raises(ValueError):
        len(a)
    assert repr(a) == "<PollGroup freed>"
    peer.free()
    buf.free()


def test_freeing_a_member_removes_it(pair, group):
    client, accepted = pair
    buf = StreamPeerBuffer(b"z")
    assert group.add(client) == Error.OK
    assert group.add(buf) == Error.OK
    assert group.add(accepted) == Error.OK
    assert accepted.put_data(b"x") == Error.OK
    assert Event.READABLE in events_of(group, client)
    client.free()
    assert len(group) == 2 and client not in group
    assert all(m is not client for m, _ in group.wait(0))
    assert group.remove(client) == Error.ERR_DOES_NOT_EXIST
    assert group.members() == [buf, accepted]
    buf.free()
    assert group.members() == [accepted] and len(group) == 1
    with TCPServer() as s:
        assert s.listen(0, "127.0.0.1") == Error.OK
        assert group.add(s) == Error.OK
        s.free()
        assert len(group) == 1 and group.members() == [accepted]


def test_the_group_keeps_members_alive(group):
    b = StreamPeerBuffer(b"alive")
    ref = weakref.ref(b)
    assert group.add(b) == Error.OK
    del b
    gc.collect()
    assert ref() is not None
    assert group.wait(0) == [(ref(), Event.READABLE)]
    assert group.remove(ref()) == Error.OK
    gc.collect()
    assert ref() is None


def test_freeing_the_group_leaves_members_alive(pair):
    client, accepted = pair
    g = PollGroup()
    assert g.add(client) == Error.OK
    g.free()
    g.free()  # twice is fine in Python
    assert client not in g
    assert client.put_data(b"still here") == Error.OK
    assert accepted.get_data(10) == (Error.OK, b"still here")
    with PollGroup() as g2:
        assert g2.add(client) == Error.OK
    with pytest.raises(ValueError):
        g2.wait(0)
    with PollGroup() as g3:
        assert g3.add(client) == Error.OK  # g2 freed: free to join again


def test_a_reconnecting_peer_stays_a_member(server, group):
    port = server.get_local_port()
    client = StreamPeerTCP()
    assert group.add(client, Event.READABLE) == Error.OK
    assert client.connect_to_host("127.0.0.1", port) == Error.OK
    first = take(server)
    assert wait_status(client, Status.STATUS_CONNECTED) == Status.STATUS_CONNECTED
    assert first.put_data(b"1") == Error.OK
    assert events_of(group, client) == Event.READABLE
    assert client.get_data(1) == (Error.OK, b"1")
    client.disconnect_from_host()
    assert client.get_socket() == -1
    assert group.wait(50) == [] and len(group) == 1
    # Connect again: the new socket is waited on, no re-adding.
    assert client.connect_to_host("127.0.0.1", port) == Error.OK
    second = take(server)
    assert wait_status(client, Status.STATUS_CONNECTED) == Status.STATUS_CONNECTED
    assert client in group and len(group) == 1
    assert group.add(client) == Error.ERR_ALREADY_IN_USE
    assert second.put_data(b"2") == Error.OK
    assert events_of(group, client) == Event.READABLE
    assert client.get_data(1) == (Error.OK, b"2")
    assert group.set_interest(client, Event.WRITABLE) == Error.OK
    assert group.wait(1000) == [(client, Event.WRITABLE)]
    for p in (client, first, second):
        p.free()


# --- the group descriptor -----------------------------------------------------


@pytest.mark.skipif(not LINUX, reason="the group descriptor exists on Linux only")
def test_group_fileno_in_select_and_selectors(pair, group):
    client, accepted = pair
    assert group.fileno() >= 0
    assert group.add(accepted, Event.READABLE) == Error.OK
    assert not readable(group, 0.05)
    assert client.put_data(b"wake") == Error.OK
    assert readable(group, 2.0)
    assert readable(group, 0)  # level: stays readable while unread
    with selectors.DefaultSelector() as sel:
        sel.register(group, selectors.EVENT_READ)
        assert [k.fileobj for k, _ in sel.select(0)] == [group]
        assert accepted.get_data(4) == (Error.OK, b"wake")
        assert sel.select(0.05) == []
    # Bytes buffered in the library (read ahead) keep it readable though
    # the socket itself has nothing left.
    assert client.put_data(b"abcdef") == Error.OK
    assert readable(group, 2.0)
    assert accepted.get_data(1) == (Error.OK, b"a")
    assert readable(group, 0)
    assert group.wait(0) == [(accepted, Event.READABLE)]
    assert accepted.get_data(5) == (Error.OK, b"bcdef")
    assert not readable(group, 0.05)
    # Not readable for what nobody asked for.
    assert group.set_interest(accepted, Event.WRITABLE) == Error.OK
    assert readable(group, 0)
    assert group.set_interest(accepted, 0) == Error.OK
    assert client.put_data(b"quiet") == Error.OK
    assert accepted.wait(Event.READABLE, 2000)[0] == Error.OK
    assert not readable(group, 0.05)


def test_fileno_of_a_freed_group():
    g = PollGroup()
    fd = g.fileno()
    assert fd >= 0 if LINUX else fd == -1
    assert repr(g) == f"<PollGroup 0 member(s) fd={fd}>"
    g.free()
    with pytest.raises(ValueError):
        g.fileno()
