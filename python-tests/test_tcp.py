"""The StreamPeerTCP / TCPServer state machine driven from Python."""

import ctypes
import threading

import sptcp
from sptcp import lib


def test_error_names_and_version():
    assert lib.sptcp_error_name(sptcp.ERR_CANT_RESOLVE) == b"ERR_CANT_RESOLVE"
    assert lib.sptcp_error_string(sptcp.ERR_CONNECTION_ERROR) == b"Connection error"
    assert lib.sptcp_error_string(9999) == b"Unknown error"
    assert lib.sptcp_error_name(-3) == b"UNKNOWN_ERROR"
    major, minor, patch = (int(x) for x in lib.sptcp_version().decode().split("."))
    assert major >= 0 and minor >= 0 and patch >= 0


def test_listen_connect_exchange_disconnect(server):
    port = lib.sptcp_server_get_local_port(server)
    assert 0 < port < 65536
    assert lib.sptcp_server_is_listening(server)
    client = lib.sptcp_peer_new()
    try:
        assert lib.sptcp_get_status(client) == sptcp.STATUS_NONE
        assert lib.sptcp_connect_to_host(client, b"127.0.0.1", port) == sptcp.OK
        assert lib.sptcp_get_status(client) == sptcp.STATUS_CONNECTING
        accepted = sptcp.take_within(server)
        assert accepted
        assert lib.sptcp_get_status(accepted) == sptcp.STATUS_CONNECTED
        assert sptcp.poll_until(client, sptcp.STATUS_CONNECTED) == sptcp.STATUS_CONNECTED
        assert sptcp.connected_host(client) == "127.0.0.1"
        assert lib.sptcp_get_connected_port(client) == port
        assert lib.sptcp_get_connected_port(accepted) == lib.sptcp_get_local_port(client)

        assert sptcp.put(client, b"ping from python") == sptcp.OK
        err, data, _ = sptcp.get(accepted, 16)
        assert (err, data) == (sptcp.OK, b"ping from python")
        assert sptcp.put(accepted, b"pong") == sptcp.OK
        err, data, _ = sptcp.get(client, 4)
        assert (err, data) == (sptcp.OK, b"pong")

        # The server side hangs up: the client's poll sees NONE.
        lib.sptcp_disconnect_from_host(accepted)
        assert lib.sptcp_get_status(accepted) == sptcp.STATUS_NONE
        assert sptcp.poll_until(client, sptcp.STATUS_NONE) == sptcp.STATUS_NONE
        assert sptcp.connected_host(client) == ""
        assert lib.sptcp_get_available_bytes(client) == -1
        lib.sptcp_peer_free(accepted)
    finally:
        lib.sptcp_peer_free(client)


def test_partial_reads_and_eof(pair):
    client, accepted = pair
    err, data, _ = sptcp.get(client, 8, partial=True)
    assert (err, data) == (sptcp.OK, b"")
    assert sptcp.put(accepted, b"abc") == sptcp.OK
    lib.sptcp_disconnect_from_host(accepted)
    # Blocking read of more than was sent: EOF with the bytes that came.
    err, data, whole = sptcp.get(client, 8)
    assert err == sptcp.ERR_FILE_EOF
    assert data == b"abc"
    assert whole == b"abc" + bytes(5)  # the unread tail is zeroed
    assert lib.sptcp_get_status(client) == sptcp.STATUS_NONE
    err, data, _ = sptcp.get(client, 1)
    assert (err, data) == (sptcp.FAILED, b"")


def test_blocking_read_with_a_writer_thread(pair):
    client, accepted = pair
    payload = bytes(range(256)) * 4096  # 1 MiB
    results = {}

    def writer():
        results["err"] = sptcp.put(client, payload)

    t = threading.Thread(target=writer)
    t.start()
    err, data, _ = sptcp.get(accepted, len(payload))
    t.join(timeout=30)
    assert not t.is_alive()
    assert results["err"] == sptcp.OK
    assert err == sptcp.OK and data == payload


def test_partial_write_reports_sent(pair):
    client, _ = pair
    sent = ctypes.c_size_t(99)
    data = (ctypes.c_uint8 * 10)(*range(10))
    assert lib.sptcp_put_partial_data(client, data, 10, ctypes.byref(sent)) == sptcp.OK
    assert sent.value == 10
    assert lib.sptcp_put_partial_data(client, None, 0, ctypes.byref(sent)) == sptcp.OK
    assert sent.value == 0


def test_errors_and_wrong_states():
    p = lib.sptcp_peer_new()
    try:
        assert lib.sptcp_connect_to_host(p, b"*", 80) == sptcp.ERR_CANT_RESOLVE
        assert lib.sptcp_connect_to_host(p, b"nonexistent.invalid", 80) == sptcp.ERR_CANT_RESOLVE
        assert "nonexistent.invalid" in sptcp.last_error()
        assert lib.sptcp_connect_to_host(p, b"127.0.0.1", 0) == sptcp.ERR_INVALID_PARAMETER
        assert lib.sptcp_connect_to_host(p, b"127.0.0.1", 70000) == sptcp.ERR_INVALID_PARAMETER
        assert lib.sptcp_connect_to_host(p, b"\xff", 80) == sptcp.ERR_INVALID_PARAMETER
        assert lib.sptcp_connect_to_host(p, None, 80) == sptcp.ERR_INVALID_PARAMETER
        assert lib.sptcp_bind(p, -1, None) == sptcp.ERR_INVALID_PARAMETER
        assert lib.sptcp_bind(p, 0, b"localhost") == sptcp.ERR_INVALID_PARAMETER
        assert sptcp.put(p, b"x") == sptcp.FAILED
        assert sptcp.put(p, b"") == sptcp.OK
        assert lib.sptcp_get_available_bytes(p) == -1
        assert lib.sptcp_get_connect_timeout_ms(p) == 30000
    finally:
        lib.sptcp_peer_free(p)
    # NULL handles never crash.
    assert lib.sptcp_poll(None) == sptcp.ERR_INVALID_PARAMETER
    assert lib.sptcp_get_status(None) == sptcp.STATUS_NONE
    assert lib.sptcp_get_available_bytes(None) == -1
    assert lib.sptcp_server_take_connection(None) is None
    assert "NULL" in sptcp.last_error()
    lib.sptcp_peer_free(None)
    lib.sptcp_server_free(None)


def test_refused_connect_ends_in_error():
    s = lib.sptcp_server_new()
    assert lib.sptcp_server_listen(s, 0, b"127.0.0.1") == sptcp.OK
    port = lib.sptcp_server_get_local_port(s)
    lib.sptcp_server_stop(s)
    assert not lib.sptcp_server_is_listening(s)
    p = lib.sptcp_peer_new()
    try:
        lib.sptcp_set_connect_timeout_ms(p, 1000)
        assert lib.sptcp_get_connect_timeout_ms(p) == 1000
        assert lib.sptcp_connect_to_host(p, b"127.0.0.1", port) == sptcp.OK
        assert sptcp.poll_until(p, sptcp.STATUS_ERROR, 3.0) == sptcp.STATUS_ERROR
        assert lib.sptcp_connect_to_host(p, b"127.0.0.1", port) == sptcp.ERR_ALREADY_IN_USE
        lib.sptcp_disconnect_from_host(p)
        assert lib.sptcp_get_status(p) == sptcp.STATUS_NONE
    finally:
        lib.sptcp_peer_free(p)
        lib.sptcp_server_free(s)


def test_listen_errors():
    s = lib.sptcp_server_new()
    t = lib.sptcp_server_new()
    try:
        assert lib.sptcp_server_listen(s, 0, b"localhost") == sptcp.ERR_INVALID_PARAMETER
        assert lib.sptcp_server_listen(s, 65536, None) == sptcp.ERR_INVALID_PARAMETER
        assert lib.sptcp_server_listen(s, 0, b"::1") == sptcp.OK
        port = lib.sptcp_server_get_local_port(s)
        assert lib.sptcp_server_listen(s, 0, b"::1") == sptcp.ERR_ALREADY_IN_USE
        assert lib.sptcp_server_listen(t, port, b"::1") == sptcp.ERR_ALREADY_IN_USE
        assert not lib.sptcp_server_is_connection_available(s)
        assert lib.sptcp_server_take_connection(s) is None
        # An IPv6 client shows as eight groups.
        c = lib.sptcp_peer_new()
        assert lib.sptcp_connect_to_host(c, b"::1", port) == sptcp.OK
        a = sptcp.take_within(s)
        assert a
        assert sptcp.connected_host(a) == "0:0:0:0:0:0:0:1"
        lib.sptcp_peer_free(a)
        lib.sptcp_peer_free(c)
    finally:
        lib.sptcp_server_free(s)
        lib.sptcp_server_free(t)
