"""StreamPeerUDS and UDSServer (Godot master's Unix domain sockets) through
the Python package: the TCP server scenarios over a socket file, the path
rules, calls of one kind on the other, and byte-exact talk with Python's
own AF_UNIX sockets."""

import os
import pathlib
import shutil
import socket
import stat
import sys
import tempfile
import threading
import time

import pytest

import streampeer_tcp as st
from streampeer_tcp import Error, GodotError, Status, StreamPeerTCP, StreamPeerUDS, TCPServer, UDSServer
from waits import take, wait_status

pytestmark = pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="no Unix domain sockets here")

# The longest path sun_path takes (without its NUL).
PATH_MAX = {"linux": 107, "darwin": 103}.get(sys.platform)


def run_bounded(fn):
    """Starts fn() on a daemon thread (it cannot hold pytest up); finish()
    returns its result or fails the test when it does not end in time."""
    out = {}

    def body():
        try:
            out["value"] = fn()
        except BaseException as e:  # handed to the test's thread
            out["error"] = e

    t = threading.Thread(target=body, daemon=True)
    t.start()
    return t, out


def finish(t, out, timeout=60.0):
    t.join(timeout)
    assert not t.is_alive(), "thread did not finish in time"
    if "error" in out:
        raise out["error"]
    return out["value"]


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


@pytest.fixture
def uds_pair(sock_dir):
    """(client, accepted, path) connected through a UDSServer."""
    path = os.path.join(sock_dir, "pair.sock")
    with UDSServer() as server:
        assert server.listen(path) == Error.OK
        client = StreamPeerUDS()
        assert client.connect_to_host(path) == Error.OK
        accepted = take(server)
        assert wait_status(client, Status.STATUS_CONNECTED) == Status.STATUS_CONNECTED
        yield client, accepted, path
        client.free()
        accepted.free()


def is_socket(path):
    return os.path.exists(path) and stat.S_ISSOCK(os.lstat(path).st_mode)


# --- accept and exchange -----------------------------------------------------


def test_listen_accept_exchange(uds_pair):
    client, accepted, path = uds_pair
    assert isinstance(accepted, StreamPeerUDS)
    assert accepted.get_status() == Status.STATUS_CONNECTED
    assert client.get_connected_path() == path
    assert accepted.get_connected_path() == ""  # as in Godot
    assert repr(client) == f"<StreamPeerUDS STATUS_CONNECTED {path}>"
    assert repr(accepted) == "<StreamPeerUDS STATUS_CONNECTED>"
    assert client.connect_timeout_ms == 30000

    assert client.put_data(b"ping over uds") == Error.OK
    assert accepted.get_data(13) == (Error.OK, b"ping over uds")
    assert accepted.put_partial_data(b"xyz") == (Error.OK, 3)
    end = time.monotonic() + 5
    while client.get_available_bytes() < 3 and time.monotonic() < end:
        time.sleep(0.001)
    assert client.get_available_bytes() == 3
    assert client.get_partial_data(10) == (Error.OK, b"xyz")
    assert client.get_partial_data(10) == (Error.OK, b"")

    # Typed values both ways, both byte orders.
    assert client.put_8(-3) == Error.OK and accepted.get_8() == -3
    assert client.put_u16(65535) == Error.OK and accepted.get_u16() == 65535
    assert accepted.put_32(-123456) == Error.OK and client.get_32() == -123456
    assert accepted.put_u64(2**64 - 1) == Error.OK and client.get_u64() == 2**64 - 1
    assert client.put_double(3.25) == Error.OK and accepted.get_double() == 3.25
    assert client.put_float(0.5) == Error.OK and accepted.get_float() == 0.5
    assert client.put_half(0.33325195) == Error.OK and accepted.get_half() == pytest.approx(0.33325195)
    for p in (client, accepted):
        p.big_endian = True
    assert client.put_u32(0x01020304) == Error.OK
    assert accepted.get_data(4) == (Error.OK, b"\x01\x02\x03\x04")
    assert client.put_64(-5) == Error.OK and accepted.get_64() == -5
    for p in (client, accepted):
        p.big_endian = False

    # Strings and Variants.
    assert client.put_utf8_string("héllo ✩ uds") == Error.OK
    assert accepted.get_utf8_string() == "héllo ✩ uds"
    assert accepted.put_string("abc") == Error.OK and client.get_string() == "abc"
    msg = {"pos": st.Vector2(1, 2), "hp": 42, "tags": ["a", "b"], "nested": {"ok": True, "f": 1.5}}
    assert client.put_var(msg) == Error.OK
    assert accepted.get_var() == msg
    assert accepted.put_var([1, "two", None]) == Error.OK
    assert client.get_var() == [1, "two", None]


def test_five_clients_are_taken_in_connect_order(sock_dir):
    path = os.path.join(sock_dir, "five.sock")
    with UDSServer() as server:
        assert server.listen(pathlib.Path(path)) == Error.OK
        clients = []
        for i in range(5):
            c = StreamPeerUDS()
            assert c.connect_to_host(path) == Error.OK
            assert wait_status(c, Status.STATUS_CONNECTED) == Status.STATUS_CONNECTED
            assert c.put_u8(i) == Error.OK
            clients.append(c)
        taken = [take(server) for _ in range(5)]
        assert [t.get_u8() for t in taken] == [0, 1, 2, 3, 4]
        assert not server.is_connection_available()
        assert server.take_connection() is None
        # Each pair is its own stream.
        for i, (c, t) in enumerate(zip(clients, taken)):
            assert t.put_utf8_string(f"to {i}") == Error.OK
            assert c.get_utf8_string() == f"to {i}"
        for p in clients + taken:
            p.free()


def test_connect_to_a_stopped_server_fails(sock_dir):
    path = os.path.join(sock_dir, "stopped.sock")
    with UDSServer() as server:
        assert server.listen(path) == Error.OK
        assert server.is_listening()
        server.stop()
        assert not server.is_listening()
        assert repr(server) == "<UDSServer not listening>"
    with StreamPeerUDS() as p:
        assert p.connect_to_host(path) == Error.FAILED
        assert p.get_status() == Status.STATUS_NONE
        assert p.connect_to_host(os.path.join(sock_dir, "never-made.sock")) == Error.FAILED
        assert p.get_status() == Status.STATUS_NONE
        assert p.get_connected_path() == ""


def test_server_side_disconnect(uds_pair):
    client, accepted, _ = uds_pair
    assert client.put_var([1, 2, 3]) == Error.OK
    assert accepted.get_var() == [1, 2, 3]
    assert accepted.put_data(b"ab") == Error.OK
    accepted.disconnect_from_host()
    assert accepted.get_status() == Status.STATUS_NONE
    # Blocking read of more than was sent: EOF with the bytes that came.
    assert client.get_data(5) == (Error.ERR_FILE_EOF, b"ab")
    assert wait_status(client, Status.STATUS_NONE) == Status.STATUS_NONE
    assert client.get_connected_path() == ""
    assert client.get_available_bytes() == -1
    with pytest.raises(GodotError) as e:
        client.get_u32()
    assert e.value.error == Error.FAILED


def test_server_side_free_is_seen_by_poll(uds_pair):
    client, accepted, _ = uds_pair
    accepted.free()  # closes the socket
    assert wait_status(client, Status.STATUS_NONE) == Status.STATUS_NONE
    assert client.put_data(b"late") == Error.FAILED
    with pytest.raises(GodotError):
        client.get_var()


def test_eight_mib_each_way(uds_pair):
    """A writer thread and a reader thread per direction; each peer is used
    by one thread at a time."""
    client, accepted, _ = uds_pair
    up = bytes(range(256)) * (32 * 1024)  # 8 MiB
    down = bytes(reversed(range(256))) * (32 * 1024)
    assert len(up) == len(down) == 8 * 1024 * 1024
    for writer, reader, payload in ((client, accepted, up), (accepted, client, down)):
        w = run_bounded(lambda w=writer, d=payload: w.put_data(d))
        r = run_bounded(lambda r=reader, n=len(payload): r.get_data(n))
        assert finish(*w) == Error.OK
        err, data = finish(*r)
        assert err == Error.OK
        assert len(data) == len(payload) and data == payload


# --- paths -------------------------------------------------------------------


def test_empty_and_bad_paths():
    with UDSServer() as s, StreamPeerUDS() as p:
        assert s.listen("") == Error.ERR_INVALID_PARAMETER
        assert p.connect_to_host("") == Error.ERR_INVALID_PARAMETER
        assert p.bind("") == Error.ERR_INVALID_PARAMETER
        # A NUL would be cut off by C; it is refused instead.
        assert s.listen("/tmp/a\0b") == Error.ERR_INVALID_PARAMETER
        assert p.connect_to_host("/tmp/a\0b") == Error.ERR_INVALID_PARAMETER
        assert p.bind(b"/tmp/a\0b") == Error.ERR_INVALID_PARAMETER
        # Invalid UTF-8 is the library's INVALID_PARAMETER.
        assert s.listen(b"/tmp/\xff.sock") == Error.ERR_INVALID_PARAMETER
        with pytest.raises(TypeError):
            s.listen(42)
        with pytest.raises(TypeError):
            p.connect_to_host(None)
        assert not s.is_listening()
        assert p.get_status() == Status.STATUS_NONE


@pytest.mark.skipif(PATH_MAX is None, reason="sun_path size known for Linux and macOS only")
def test_longest_path_and_one_byte_more(sock_dir):
    base = os.path.join(sock_dir, "")
    longest = base + "l" * (PATH_MAX - len(os.fsencode(base)))
    too_long = longest + "x"
    assert len(os.fsencode(longest)) == PATH_MAX
    with UDSServer() as s:
        assert s.listen(too_long) == Error.ERR_INVALID_PARAMETER
        assert not os.path.exists(too_long)
        assert s.listen(longest) == Error.OK
        assert is_socket(longest)
        with StreamPeerUDS() as p:
            assert p.connect_to_host(too_long) == Error.ERR_INVALID_PARAMETER
            assert p.get_status() == Status.STATUS_NONE
            assert p.connect_to_host(longest) == Error.OK
            assert wait_status(p, Status.STATUS_CONNECTED) == Status.STATUS_CONNECTED
            assert p.get_connected_path() == longest
            a = take(s)
            assert p.put_u32(7) == Error.OK and a.get_u32() == 7
            a.free()
        with StreamPeerUDS() as q:
            assert q.bind(too_long) == Error.ERR_INVALID_PARAMETER


def test_a_regular_file_is_never_removed(sock_dir):
    path = os.path.join(sock_dir, "file.sock")
    with open(path, "w") as f:
        f.write("keep me")
    with UDSServer() as s:
        assert s.listen(path) == Error.ERR_ALREADY_IN_USE
        assert not s.is_listening()
    with StreamPeerUDS() as p:
        assert p.bind(path) == Error.ERR_ALREADY_EXISTS
        assert p.get_status() == Status.STATUS_NONE
        assert p.connect_to_host(path) == Error.FAILED
    assert open(path).read() == "keep me"
    os.mkdir(os.path.join(sock_dir, "dir.sock"))
    with UDSServer() as s:
        assert s.listen(os.path.join(sock_dir, "dir.sock")) == Error.ERR_ALREADY_IN_USE
    assert os.path.isdir(os.path.join(sock_dir, "dir.sock"))


def test_a_stale_socket_file_is_replaced(sock_dir):
    path = os.path.join(sock_dir, "stale.sock")
    old = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old.bind(path)
    old.close()  # leaves the file behind, as a crashed program would
    assert is_socket(path)
    with UDSServer() as s:
        assert s.listen(path) == Error.OK
        with StreamPeerUDS() as p:
            assert p.connect_to_host(path) == Error.OK
            a = take(s)
            assert a.put_utf8_string("fresh") == Error.OK and p.get_utf8_string() == "fresh"
            a.free()
    assert not os.path.exists(path)


def test_stop_removes_the_socket_file(sock_dir):
    path = os.path.join(sock_dir, "stop.sock")
    s = UDSServer()
    assert s.listen(path) == Error.OK
    assert is_socket(path)
    assert repr(s) == f"<UDSServer listening on {path}>"
    s.stop()
    assert not os.path.exists(path)
    # Listening again after stop works; free() also removes the file.
    assert s.listen(path) == Error.OK
    assert is_socket(path)
    s.free()
    assert not os.path.exists(path)
    assert repr(s) == "<UDSServer freed>"
    with pytest.raises(ValueError):
        s.is_listening()
    # The context manager stops on exit.
    with UDSServer() as s2:
        assert s2.listen(path) == Error.OK
    assert not os.path.exists(path)


def test_listen_twice_and_a_live_path(sock_dir):
    path = os.path.join(sock_dir, "twice.sock")
    other = os.path.join(sock_dir, "other.sock")
    with UDSServer() as s, UDSServer() as t:
        assert s.listen(path) == Error.OK
        assert s.listen(path) == Error.ERR_ALREADY_IN_USE
        assert s.listen(other) == Error.ERR_ALREADY_IN_USE
        assert not os.path.exists(other)
        # A path a server listens on is not taken over.
        assert t.listen(path) == Error.ERR_ALREADY_IN_USE
        assert not t.is_listening()
        assert is_socket(path)
        with StreamPeerUDS() as p:
            assert p.connect_to_host(path) == Error.OK
            assert isinstance(take(s), StreamPeerUDS)
            assert not t.is_connection_available()
        with StreamPeerUDS() as q:  # nor can a peer bind there
            assert q.bind(path) == Error.ERR_UNAVAILABLE


def test_paths_as_str_bytes_and_pathlike(sock_dir):
    path = os.path.join(sock_dir, "kinds.sock")
    with UDSServer() as s:
        assert s.listen(pathlib.Path(path)) == Error.OK
        assert repr(s) == f"<UDSServer listening on {path}>"
        for target in (path, os.fsencode(path), pathlib.Path(path)):
            with StreamPeerUDS() as p:
                assert p.connect_to_host(target) == Error.OK
                assert p.get_connected_path() == path
                take(s).free()


def test_non_ascii_path(sock_dir):
    path = os.path.join(sock_dir, "é✩.sock")
    with UDSServer() as s:
        assert s.listen(path) == Error.OK
        assert os.path.exists(path)
        with StreamPeerUDS() as p:
            assert p.connect_to_host(path) == Error.OK
            assert p.get_connected_path() == path
            take(s).free()
    assert not os.path.exists(path)


def test_bound_client_is_seen_by_a_python_server(sock_dir):
    srv_path = os.path.join(sock_dir, "py.sock")
    me = os.path.join(sock_dir, "me.sock")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.settimeout(5)
    try:
        srv.bind(srv_path)
        srv.listen(1)
        with StreamPeerUDS() as p:
            assert p.bind(pathlib.Path(me)) == Error.OK
            assert is_socket(me)
            assert p.bind(me) == Error.ERR_ALREADY_IN_USE
            assert p.connect_to_host(srv_path) == Error.OK
            assert wait_status(p, Status.STATUS_CONNECTED) == Status.STATUS_CONNECTED
            conn, addr = srv.accept()
            conn.settimeout(5)
            with conn:
                assert addr == me
            assert wait_status(p, Status.STATUS_NONE) == Status.STATUS_NONE
        # The bound file goes with the socket.
        assert not os.path.exists(me)
    finally:
        srv.close()


# --- byte-exact with Python's AF_UNIX sockets ---------------------------------


def recv_exactly(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


def test_peer_talks_to_a_python_server(sock_dir):
    path = os.path.join(sock_dir, "raw.sock")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.settimeout(5)
    try:
        srv.bind(path)
        srv.listen(1)
        with StreamPeerUDS() as p:
            assert p.connect_to_host(path) == Error.OK
            assert wait_status(p, Status.STATUS_CONNECTED) == Status.STATUS_CONNECTED
            conn, _ = srv.accept()
            conn.settimeout(5)
            with conn:
                assert p.put_u32(0x01020304) == Error.OK
                assert recv_exactly(conn, 4) == b"\x04\x03\x02\x01"
                assert p.put_utf8_string("hé") == Error.OK
                assert recv_exactly(conn, 7) == b"\x03\x00\x00\x00h\xc3\xa9"
                # put_var: a u32 length, then Godot's encoding of the value.
                assert st.var_to_bytes(42) == b"\x02\x00\x00\x00\x2a\x00\x00\x00"
                assert p.put_var(42) == Error.OK
                assert recv_exactly(conn, 12) == b"\x08\x00\x00\x00" + st.var_to_bytes(42)
                enc = st.var_to_bytes({"k": [1, 2]})
                conn.sendall(b"\x10\x00" + len(enc).to_bytes(4, "little") + enc + b"tail")
                assert p.get_u16() == 16
                assert p.get_var() == {"k": [1, 2]}
                assert p.get_data(4) == (Error.OK, b"tail")
            # Python closes: the peer sees NONE.
            assert wait_status(p, Status.STATUS_NONE) == Status.STATUS_NONE
    finally:
        srv.close()


def test_server_takes_a_python_client(sock_dir):
    path = os.path.join(sock_dir, "rawc.sock")
    with UDSServer() as s:
        assert s.listen(path) == Error.OK
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        c.settimeout(5)
        with c:
            c.connect(path)
            a = take(s)
            assert a.get_connected_path() == ""
            c.sendall(b"\x04\x03\x02\x01" + b"\x05\x00\x00\x00hello")
            assert a.get_u32() == 0x01020304
            assert a.get_string() == "hello"
            a.big_endian = True
            assert a.put_u32(0x01020304) == Error.OK
            assert recv_exactly(c, 4) == b"\x01\x02\x03\x04"
            a.free()
            assert recv_exactly(c, 1) == b""  # closed by free()


# --- fresh objects and calls for the other kind ----------------------------------


def test_fresh_objects():
    with StreamPeerUDS() as p:
        assert p.get_status() == Status.STATUS_NONE
        assert repr(p) == "<StreamPeerUDS STATUS_NONE>"
        assert p.poll() == Error.OK
        assert p.get_connected_path() == ""
        assert p.get_available_bytes() == -1
        assert p.put_data(b"x") == Error.FAILED
        assert p.put_data(b"") == Error.OK
        assert p.connect_timeout_ms == 30000
        p.connect_timeout_ms = 1500
        assert p.connect_timeout_ms == 1500
        p.disconnect_from_host()
        assert p.get_status() == Status.STATUS_NONE
    p.free()
    assert repr(p) == "<StreamPeerUDS freed>"
    with pytest.raises(ValueError):
        p.get_status()
    with UDSServer() as s:
        assert not s.is_listening()
        assert not s.is_connection_available()
        assert s.take_connection() is None
        assert repr(s) == "<UDSServer not listening>"


def test_class_layout():
    assert issubclass(StreamPeerUDS, st.StreamPeerSocket) and issubclass(StreamPeerTCP, st.StreamPeerSocket)
    assert issubclass(st.StreamPeerSocket, st.StreamPeer)
    assert issubclass(UDSServer, st.SocketServer) and issubclass(TCPServer, st.SocketServer)
    for name in ("StreamPeerUDS", "UDSServer", "StreamPeerSocket", "SocketServer"):
        assert name in st.__all__
    # No TCP calls on a UDS peer in Python, and no UDS calls on a TCP one.
    for name in ("get_connected_host", "get_connected_port", "get_local_port", "set_no_delay"):
        assert not hasattr(StreamPeerUDS, name)
    assert not hasattr(StreamPeerTCP, "get_connected_path")
    assert not hasattr(UDSServer, "get_local_port")
    with pytest.raises(TypeError):
        st.SocketServer()


def test_calls_for_the_other_kind_are_unavailable(sock_dir):
    """What the classes do not offer, through the raw handles: TCP calls on
    UDS objects and UDS calls on TCP objects give ERR_UNAVAILABLE or the
    "nothing" value, and change nothing."""
    lib = st.lib
    path = os.path.join(sock_dir, "kind.sock").encode()
    with StreamPeerUDS() as u, UDSServer() as us, StreamPeerTCP() as t, TCPServer() as ts:
        assert lib.sptcp_connect_to_host(u.handle, b"127.0.0.1", 80) == Error.ERR_UNAVAILABLE
        assert lib.sptcp_bind(u.handle, 0, b"*") == Error.ERR_UNAVAILABLE
        assert lib.sptcp_get_connected_port(u.handle) == 0
        assert lib.sptcp_get_local_port(u.handle) == 0
        assert u.get_status() == Status.STATUS_NONE
        assert lib.sptcp_server_listen(us.handle, 0, b"127.0.0.1") == Error.ERR_UNAVAILABLE
        assert lib.sptcp_server_get_local_port(us.handle) == 0
        assert not us.is_listening()

        assert lib.sptcp_uds_bind(t.handle, path) == Error.ERR_UNAVAILABLE
        assert lib.sptcp_uds_connect_to_host(t.handle, path) == Error.ERR_UNAVAILABLE
        assert lib.sptcp_uds_get_connected_path(t.handle, None, 0) == 0
        assert t.get_status() == Status.STATUS_NONE
        assert lib.sptcp_uds_server_listen(ts.handle, path) == Error.ERR_UNAVAILABLE
        assert not ts.is_listening()
        assert not os.path.exists(path)

        b = st.StreamPeerBuffer()
        assert lib.sptcp_uds_bind(b.handle, path) == Error.ERR_UNAVAILABLE
        assert lib.sptcp_uds_connect_to_host(b.handle, path) == Error.ERR_UNAVAILABLE
        b.free()

        # take_connection gives the server's kind.
        assert us.listen(path) == Error.OK
        assert ts.listen(0, "127.0.0.1") == Error.OK
        assert u.connect_to_host(path) == Error.OK
        assert t.connect_to_host("127.0.0.1", ts.get_local_port()) == Error.OK
        ua, ta = take(us), take(ts)
        assert type(ua) is StreamPeerUDS and type(ta) is StreamPeerTCP
        assert lib.sptcp_get_connected_port(ua.handle) == 0
        ua.free()
        ta.free()


def test_peers_on_two_threads(sock_dir):
    """Each thread has its own UDS pair; blocking reads on one do not hold
    up the other."""

    def run(name, count):
        path = os.path.join(sock_dir, f"{name}.sock")
        with UDSServer() as server:
            assert server.listen(path) == Error.OK
            client = StreamPeerUDS()
            assert client.connect_to_host(path) == Error.OK
            accepted = take(server)
            total = 0
            for i in range(count):
                client.put_var({"i": i, "name": name})
                total += accepted.get_var()["i"]
            client.free()
            accepted.free()
            return total

    jobs = [run_bounded(lambda n=n: run(n, 300)) for n in ("a", "b")]
    assert [finish(*j) for j in jobs] == [sum(range(300))] * 2
