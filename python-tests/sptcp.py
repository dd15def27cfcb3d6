"""Loads libstreampeer_tcp with ctypes and declares every symbol the tests
use (argtypes and restype), so a wrong signature fails loudly."""

import ctypes
import os
import time
from ctypes import (
    POINTER,
    c_bool,
    c_char_p,
    c_double,
    c_float,
    c_int8,
    c_int16,
    c_int32,
    c_int64,
    c_size_t,
    c_uint8,
    c_uint16,
    c_uint32,
    c_uint64,
    c_void_p,
)

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_LIB = os.path.join(HERE, "..", "target", "debug", "libstreampeer_tcp.so")

lib = ctypes.CDLL(os.environ.get("SPTCP_LIB", DEFAULT_LIB))

# Numbers from the header (sptcp_error / sptcp_status).
OK, FAILED, ERR_UNAVAILABLE = 0, 1, 2
ERR_FILE_EOF, ERR_ALREADY_IN_USE = 18, 22
ERR_CANT_RESOLVE, ERR_CONNECTION_ERROR = 26, 27
ERR_INVALID_DATA, ERR_INVALID_PARAMETER = 30, 31
ERR_OUT_OF_MEMORY = 6
STATUS_NONE, STATUS_CONNECTING, STATUS_CONNECTED, STATUS_ERROR = 0, 1, 2, 3
HOST_MAX = 64

Peer = c_void_p
Server = c_void_p

_SIGNATURES = {
    "sptcp_error_string": (c_char_p, [c_int32]),
    "sptcp_error_name": (c_char_p, [c_int32]),
    "sptcp_last_error_message": (c_char_p, []),
    "sptcp_version": (c_char_p, []),
    "sptcp_peer_new": (Peer, []),
    "sptcp_peer_free": (None, [Peer]),
    "sptcp_bind": (c_int32, [Peer, c_int32, c_char_p]),
    "sptcp_connect_to_host": (c_int32, [Peer, c_char_p, c_int32]),
    "sptcp_disconnect_from_host": (None, [Peer]),
    "sptcp_get_connected_host": (c_size_t, [Peer, ctypes.c_char_p, c_size_t]),
    "sptcp_get_connected_port": (c_int32, [Peer]),
    "sptcp_get_local_port": (c_int32, [Peer]),
    "sptcp_get_status": (c_int32, [Peer]),
    "sptcp_poll": (c_int32, [Peer]),
    "sptcp_set_no_delay": (None, [Peer, c_bool]),
    "sptcp_set_connect_timeout_ms": (None, [Peer, c_uint32]),
    "sptcp_get_connect_timeout_ms": (c_uint32, [Peer]),
    "sptcp_put_data": (c_int32, [Peer, POINTER(c_uint8), c_size_t]),
    "sptcp_put_partial_data": (c_int32, [Peer, POINTER(c_uint8), c_size_t, POINTER(c_size_t)]),
    "sptcp_get_data": (c_int32, [Peer, POINTER(c_uint8), c_size_t, POINTER(c_size_t)]),
    "sptcp_get_partial_data": (c_int32, [Peer, POINTER(c_uint8), c_size_t, POINTER(c_size_t)]),
    "sptcp_get_available_bytes": (c_int32, [Peer]),
    "sptcp_server_new": (Server, []),
    "sptcp_server_free": (None, [Server]),
    "sptcp_server_listen": (c_int32, [Server, c_int32, c_char_p]),
    "sptcp_server_is_listening": (c_bool, [Server]),
    "sptcp_server_is_connection_available": (c_bool, [Server]),
    "sptcp_server_take_connection": (Peer, [Server]),
    "sptcp_server_get_local_port": (c_int32, [Server]),
    "sptcp_server_stop": (None, [Server]),
    "sptcp_set_big_endian": (None, [Peer, c_bool]),
    "sptcp_is_big_endian_enabled": (c_bool, [Peer]),
    "sptcp_set_max_message_size": (None, [Peer, c_size_t]),
    "sptcp_get_max_message_size": (c_size_t, [Peer]),
    "sptcp_put_string": (c_int32, [Peer, c_char_p]),
    "sptcp_put_utf8_string": (c_int32, [Peer, c_char_p]),
    # Returned strings are owned by the caller: c_void_p, then
    # sptcp_string_free, never c_char_p (which would leak them).
    "sptcp_get_string": (c_int32, [Peer, c_int32, POINTER(c_void_p), POINTER(c_size_t)]),
    "sptcp_get_utf8_string": (c_int32, [Peer, c_int32, POINTER(c_void_p), POINTER(c_size_t)]),
    "sptcp_string_free": (None, [c_void_p]),
    "sptcp_buffer_new": (Peer, []),
    "sptcp_buffer_get_position": (c_int64, [Peer]),
    "sptcp_buffer_get_size": (c_int64, [Peer]),
    "sptcp_buffer_seek": (c_int32, [Peer, c_int64]),
    "sptcp_buffer_resize": (c_int32, [Peer, c_int64]),
    "sptcp_buffer_clear": (c_int32, [Peer]),
    "sptcp_buffer_get_data_array": (c_size_t, [Peer, POINTER(c_uint8), c_size_t]),
    "sptcp_buffer_set_data_array": (c_int32, [Peer, POINTER(c_uint8), c_size_t]),
    "sptcp_buffer_duplicate": (Peer, [Peer]),
}

# The typed calls: name suffix -> C type.
TYPED = {
    "8": c_int8,
    "u8": c_uint8,
    "16": c_int16,
    "u16": c_uint16,
    "32": c_int32,
    "u32": c_uint32,
    "64": c_int64,
    "u64": c_uint64,
    "half": c_float,
    "float": c_float,
    "double": c_double,
}
for _suffix, _ctype in TYPED.items():
    _SIGNATURES["sptcp_put_" + _suffix] = (c_int32, [Peer, _ctype])
    _SIGNATURES["sptcp_get_" + _suffix] = (c_int32, [Peer, POINTER(_ctype)])

for _name, (_restype, _argtypes) in _SIGNATURES.items():
    _fn = getattr(lib, _name)
    _fn.restype = _restype
    _fn.argtypes = _argtypes


def last_error() -> str:
    return lib.sptcp_last_error_message().decode()


def connected_host(peer) -> str:
    n = lib.sptcp_get_connected_host(peer, None, 0)
    buf = ctypes.create_string_buffer(n + 1)
    assert lib.sptcp_get_connected_host(peer, buf, n + 1) == n
    return buf.value.decode()


def put(peer, data: bytes) -> int:
    arr = (c_uint8 * len(data)).from_buffer_copy(data) if data else None
    return lib.sptcp_put_data(peer, arr, len(data))


def get(peer, n: int, partial: bool = False):
    buf = (c_uint8 * n)()
    got = c_size_t(12345)
    fn = lib.sptcp_get_partial_data if partial else lib.sptcp_get_data
    err = fn(peer, buf, n, ctypes.byref(got))
    return err, bytes(buf[: got.value]), bytes(buf)


def poll_until(peer, want: int, timeout: float = 5.0) -> int:
    end = time.monotonic() + timeout
    st = lib.sptcp_get_status(peer)
    while st != want and time.monotonic() < end:
        lib.sptcp_poll(peer)
        st = lib.sptcp_get_status(peer)
        if st != want:
            time.sleep(0.001)
    return st


def put_typed(peer, suffix: str, value) -> int:
    return getattr(lib, "sptcp_put_" + suffix)(peer, value)


def get_typed(peer, suffix: str):
    out = TYPED[suffix](123)
    err = getattr(lib, "sptcp_get_" + suffix)(peer, ctypes.byref(out))
    return err, out.value


def get_text(peer, utf8: bool, nbytes: int = -1):
    """(error, str or None, length) from sptcp_get_string / _utf8_string,
    freeing the library's copy."""
    out = c_void_p(1)
    n = c_size_t(99)
    fn = lib.sptcp_get_utf8_string if utf8 else lib.sptcp_get_string
    err = fn(peer, nbytes, ctypes.byref(out), ctypes.byref(n))
    text = None
    if out.value:
        text = ctypes.string_at(out.value).decode()
        lib.sptcp_string_free(out)
    return err, text, n.value


def buffer_bytes(peer) -> bytes:
    size = lib.sptcp_buffer_get_data_array(peer, None, 0)
    buf = (c_uint8 * size)()
    assert lib.sptcp_buffer_get_data_array(peer, buf, size) == size
    return bytes(buf)


def take_within(server, timeout: float = 5.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if lib.sptcp_server_is_connection_available(server):
            return lib.sptcp_server_take_connection(server)
        time.sleep(0.001)
    return None
