"""Finding and loading libstreampeer_tcp, and the ctypes signature of every
function it exports (argtypes and restype), so a mismatch fails loudly
instead of corrupting memory."""

from __future__ import annotations

import ctypes
import os
import sys
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

ENV_VAR = "STREAMPEER_TCP_LIB"

if sys.platform == "win32":
    LIB_NAME = "streampeer_tcp.dll"
elif sys.platform == "darwin":
    LIB_NAME = "libstreampeer_tcp.dylib"
else:
    LIB_NAME = "libstreampeer_tcp.so"

_HERE = os.path.dirname(os.path.abspath(__file__))


def candidates() -> list[str]:
    """Where the library is looked for, in order: $STREAMPEER_TCP_LIB, the
    copy bundled in this package (wheels), then a build tree around a
    source checkout (release before debug)."""
    found = []
    env = os.environ.get(ENV_VAR)
    if env:
        found.append(env)
    found.append(os.path.join(_HERE, LIB_NAME))
    root = os.path.normpath(os.path.join(_HERE, "..", ".."))
    for profile in ("release", "debug"):
        found.append(os.path.join(root, "target", profile, LIB_NAME))
    return found


def load() -> tuple[ctypes.CDLL, str]:
    tried = []
    for path in candidates():
        if not os.path.exists(path):
            tried.append(f"{path} (not found)")
            continue
        try:
            lib = ctypes.CDLL(path)
        except OSError as e:
            tried.append(f"{path} ({e})")
            continue
        declare(lib)
        return lib, path
    raise OSError(
        "streampeer_tcp: could not load the native library. Tried:\n  "
        + "\n  ".join(tried)
        + f"\nSet {ENV_VAR} to the path of {LIB_NAME}, install a wheel that bundles it, "
        "or build it with `make` in the source tree."
    )


# Every exported function: name -> (restype, argtypes). Handles are
# c_void_p; returned strings the library owns are c_char_p; strings and
# buffers the caller must free come back through POINTER(c_void_p) and are
# freed with sptcp_string_free / sptcp_bytes_free.
SIGNATURES = {
    "sptcp_buffer_new": (c_void_p, []),
    "sptcp_buffer_get_position": (c_int64, [c_void_p]),
    "sptcp_buffer_get_size": (c_int64, [c_void_p]),
    "sptcp_buffer_seek": (c_int32, [c_void_p, c_int64]),
    "sptcp_buffer_resize": (c_int32, [c_void_p, c_int64]),
    "sptcp_buffer_clear": (c_int32, [c_void_p]),
    "sptcp_buffer_get_data_array": (c_size_t, [c_void_p, POINTER(c_uint8), c_size_t]),
    "sptcp_buffer_set_data_array": (c_int32, [c_void_p, POINTER(c_uint8), c_size_t]),
    "sptcp_buffer_duplicate": (c_void_p, [c_void_p]),
    "sptcp_error_string": (c_char_p, [c_int32]),
    "sptcp_error_name": (c_char_p, [c_int32]),
    "sptcp_last_error_message": (c_char_p, []),
    "sptcp_version": (c_char_p, []),
    "sptcp_peer_new": (c_void_p, []),
    "sptcp_peer_free": (None, [c_void_p]),
    "sptcp_bind": (c_int32, [c_void_p, c_int32, c_char_p]),
    "sptcp_connect_to_host": (c_int32, [c_void_p, c_char_p, c_int32]),
    "sptcp_disconnect_from_host": (None, [c_void_p]),
    "sptcp_get_connected_host": (c_size_t, [c_void_p, c_char_p, c_size_t]),
    "sptcp_get_connected_port": (c_int32, [c_void_p]),
    "sptcp_get_local_port": (c_int32, [c_void_p]),
    "sptcp_get_status": (c_int32, [c_void_p]),
    "sptcp_poll": (c_int32, [c_void_p]),
    "sptcp_set_no_delay": (None, [c_void_p, c_bool]),
    "sptcp_set_connect_timeout_ms": (None, [c_void_p, c_uint32]),
    "sptcp_get_connect_timeout_ms": (c_uint32, [c_void_p]),
    "sptcp_set_async_connect": (None, [c_void_p, c_bool]),
    "sptcp_is_async_connect_enabled": (c_bool, [c_void_p]),
    "sptcp_set_happy_eyeballs_delay_ms": (None, [c_void_p, c_uint32]),
    "sptcp_get_happy_eyeballs_delay_ms": (c_uint32, [c_void_p]),
    "sptcp_set_keepalive": (c_int32, [c_void_p, c_bool, c_uint32, c_uint32, c_uint32]),
    "sptcp_shutdown_write": (c_int32, [c_void_p]),
    "sptcp_is_peer_closed": (c_bool, [c_void_p]),
    "sptcp_get_bytes_sent": (c_uint64, [c_void_p]),
    "sptcp_get_bytes_received": (c_uint64, [c_void_p]),
    "sptcp_set_io_timeout_ms": (None, [c_void_p, c_uint32]),
    "sptcp_get_io_timeout_ms": (c_uint32, [c_void_p]),
    "sptcp_server_new": (c_void_p, []),
    "sptcp_server_free": (None, [c_void_p]),
    "sptcp_server_listen": (c_int32, [c_void_p, c_int32, c_char_p]),
    "sptcp_server_is_listening": (c_bool, [c_void_p]),
    "sptcp_server_is_connection_available": (c_bool, [c_void_p]),
    "sptcp_server_take_connection": (c_void_p, [c_void_p]),
    "sptcp_server_get_local_port": (c_int32, [c_void_p]),
    "sptcp_server_stop": (None, [c_void_p]),
    "sptcp_uds_new": (c_void_p, []),
    "sptcp_uds_bind": (c_int32, [c_void_p, c_char_p]),
    "sptcp_uds_connect_to_host": (c_int32, [c_void_p, c_char_p]),
    "sptcp_uds_get_connected_path": (c_size_t, [c_void_p, c_char_p, c_size_t]),
    "sptcp_uds_server_new": (c_void_p, []),
    "sptcp_uds_server_listen": (c_int32, [c_void_p, c_char_p]),
    "sptcp_tls_options_client": (c_void_p, [c_char_p, c_char_p]),
    "sptcp_tls_options_client_unsafe": (c_void_p, [c_char_p]),
    "sptcp_tls_options_server": (c_void_p, [c_char_p, c_char_p]),
    "sptcp_tls_options_free": (None, [c_void_p]),
    "sptcp_tls_new": (c_void_p, []),
    "sptcp_tls_connect_to_stream": (c_int32, [c_void_p, c_void_p, c_char_p, c_void_p]),
    "sptcp_tls_accept_stream": (c_int32, [c_void_p, c_void_p, c_void_p]),
    "sptcp_tls_poll": (c_int32, [c_void_p]),
    "sptcp_tls_get_status": (c_int32, [c_void_p]),
    "sptcp_tls_get_stream": (c_void_p, [c_void_p]),
    "sptcp_tls_disconnect_from_stream": (None, [c_void_p]),
    "sptcp_wait": (c_int32, [c_void_p, c_uint32, c_int32, POINTER(c_uint32)]),
    "sptcp_server_wait": (c_int32, [c_void_p, c_int32]),
    "sptcp_get_socket": (c_int64, [c_void_p]),
    "sptcp_server_get_socket": (c_int64, [c_void_p]),
    "sptcp_group_new": (c_void_p, []),
    "sptcp_group_free": (None, [c_void_p]),
    "sptcp_group_add_peer": (c_int32, [c_void_p, c_void_p, c_uint32, c_void_p]),
    "sptcp_group_add_server": (c_int32, [c_void_p, c_void_p, c_void_p]),
    "sptcp_group_set_interest": (c_int32, [c_void_p, c_void_p, c_uint32]),
    "sptcp_group_remove_peer": (c_int32, [c_void_p, c_void_p]),
    "sptcp_group_remove_server": (c_int32, [c_void_p, c_void_p]),
    "sptcp_group_size": (c_size_t, [c_void_p]),
    "sptcp_group_wait": (c_int32, [c_void_p, c_int32, c_void_p, c_size_t, POINTER(c_size_t)]),
    "sptcp_group_get_fd": (c_int64, [c_void_p]),
    "sptcp_put_data": (c_int32, [c_void_p, POINTER(c_uint8), c_size_t]),
    "sptcp_put_partial_data": (c_int32, [c_void_p, POINTER(c_uint8), c_size_t, POINTER(c_size_t)]),
    "sptcp_get_data": (c_int32, [c_void_p, POINTER(c_uint8), c_size_t, POINTER(c_size_t)]),
    "sptcp_get_partial_data": (c_int32, [c_void_p, POINTER(c_uint8), c_size_t, POINTER(c_size_t)]),
    "sptcp_get_available_bytes": (c_int32, [c_void_p]),
    "sptcp_set_big_endian": (None, [c_void_p, c_bool]),
    "sptcp_is_big_endian_enabled": (c_bool, [c_void_p]),
    "sptcp_set_max_message_size": (None, [c_void_p, c_size_t]),
    "sptcp_get_max_message_size": (c_size_t, [c_void_p]),
    "sptcp_put_8": (c_int32, [c_void_p, c_int8]),
    "sptcp_get_8": (c_int32, [c_void_p, POINTER(c_int8)]),
    "sptcp_put_u8": (c_int32, [c_void_p, c_uint8]),
    "sptcp_get_u8": (c_int32, [c_void_p, POINTER(c_uint8)]),
    "sptcp_put_16": (c_int32, [c_void_p, c_int16]),
    "sptcp_get_16": (c_int32, [c_void_p, POINTER(c_int16)]),
    "sptcp_put_u16": (c_int32, [c_void_p, c_uint16]),
    "sptcp_get_u16": (c_int32, [c_void_p, POINTER(c_uint16)]),
    "sptcp_put_32": (c_int32, [c_void_p, c_int32]),
    "sptcp_get_32": (c_int32, [c_void_p, POINTER(c_int32)]),
    "sptcp_put_u32": (c_int32, [c_void_p, c_uint32]),
    "sptcp_get_u32": (c_int32, [c_void_p, POINTER(c_uint32)]),
    "sptcp_put_64": (c_int32, [c_void_p, c_int64]),
    "sptcp_get_64": (c_int32, [c_void_p, POINTER(c_int64)]),
    "sptcp_put_u64": (c_int32, [c_void_p, c_uint64]),
    "sptcp_get_u64": (c_int32, [c_void_p, POINTER(c_uint64)]),
    "sptcp_put_float": (c_int32, [c_void_p, c_float]),
    "sptcp_get_float": (c_int32, [c_void_p, POINTER(c_float)]),
    "sptcp_put_double": (c_int32, [c_void_p, c_double]),
    "sptcp_get_double": (c_int32, [c_void_p, POINTER(c_double)]),
    "sptcp_put_half": (c_int32, [c_void_p, c_float]),
    "sptcp_get_half": (c_int32, [c_void_p, POINTER(c_float)]),
    "sptcp_put_string": (c_int32, [c_void_p, c_char_p]),
    "sptcp_put_utf8_string": (c_int32, [c_void_p, c_char_p]),
    "sptcp_get_string": (c_int32, [c_void_p, c_int32, POINTER(c_void_p), POINTER(c_size_t)]),
    "sptcp_get_utf8_string": (c_int32, [c_void_p, c_int32, POINTER(c_void_p), POINTER(c_size_t)]),
    "sptcp_string_free": (None, [c_void_p]),
    "sptcp_variant_new_nil": (c_void_p, []),
    "sptcp_variant_new_bool": (c_void_p, [c_bool]),
    "sptcp_variant_new_int": (c_void_p, [c_int64]),
    "sptcp_variant_new_float": (c_void_p, [c_double]),
    "sptcp_variant_new_string": (c_void_p, [c_char_p]),
    "sptcp_variant_new_string_name": (c_void_p, [c_char_p]),
    "sptcp_variant_new_node_path": (c_void_p, [c_char_p]),
    "sptcp_variant_new_math": (c_void_p, [c_int32, POINTER(c_double), c_size_t]),
    "sptcp_variant_new_rid": (c_void_p, [c_uint64]),
    "sptcp_variant_new_object_id": (c_void_p, [c_uint64]),
    "sptcp_variant_new_object": (c_void_p, [c_char_p]),
    "sptcp_variant_new_callable": (c_void_p, []),
    "sptcp_variant_new_signal": (c_void_p, [c_char_p, c_uint64]),
    "sptcp_variant_new_array": (c_void_p, []),
    "sptcp_variant_new_dictionary": (c_void_p, []),
    "sptcp_variant_new_packed": (c_void_p, [c_int32, c_void_p, c_size_t]),
    "sptcp_variant_new_packed_string_array": (c_void_p, [POINTER(c_char_p), c_size_t]),
    "sptcp_variant_array_push": (c_int32, [c_void_p, c_void_p]),
    "sptcp_variant_array_get": (c_void_p, [c_void_p, c_size_t]),
    "sptcp_variant_array_set_typed": (c_int32, [c_void_p, c_int32]),
    "sptcp_variant_array_get_typed": (c_int32, [c_void_p, POINTER(c_int32), POINTER(c_void_p)]),
    "sptcp_variant_dict_set": (c_int32, [c_void_p, c_void_p, c_void_p]),
    "sptcp_variant_dict_get": (c_void_p, [c_void_p, c_void_p]),
    "sptcp_variant_dict_entry": (c_int32, [c_void_p, c_size_t, POINTER(c_void_p), POINTER(c_void_p)]),
    "sptcp_variant_dict_set_typed": (c_int32, [c_void_p, c_int32, c_int32]),
    "sptcp_variant_dict_get_typed": (
        c_int32,
        [c_void_p, POINTER(c_int32), POINTER(c_int32), POINTER(c_void_p), POINTER(c_void_p)],
    ),
    "sptcp_variant_object_set": (c_int32, [c_void_p, c_char_p, c_void_p]),
    "sptcp_variant_object_get_class": (c_int32, [c_void_p, POINTER(c_void_p), POINTER(c_size_t)]),
    "sptcp_variant_object_property": (c_int32, [c_void_p, c_size_t, POINTER(c_void_p), POINTER(c_void_p)]),
    "sptcp_variant_size": (c_size_t, [c_void_p]),
    "sptcp_variant_get_type": (c_int32, [c_void_p]),
    "sptcp_variant_get_bool": (c_int32, [c_void_p, POINTER(c_bool)]),
    "sptcp_variant_get_int": (c_int32, [c_void_p, POINTER(c_int64)]),
    "sptcp_variant_get_float": (c_int32, [c_void_p, POINTER(c_double)]),
    "sptcp_variant_get_string": (c_int32, [c_void_p, POINTER(c_void_p), POINTER(c_size_t)]),
    "sptcp_variant_get_math": (c_int32, [c_void_p, POINTER(c_double), c_size_t, POINTER(c_size_t)]),
    "sptcp_variant_get_id": (c_int32, [c_void_p, POINTER(c_uint64)]),
    "sptcp_variant_get_packed": (c_int32, [c_void_p, POINTER(c_void_p), POINTER(c_size_t)]),
    "sptcp_variant_get_packed_string": (c_int32, [c_void_p, c_size_t, POINTER(c_void_p), POINTER(c_size_t)]),
    "sptcp_variant_equal": (c_bool, [c_void_p, c_void_p]),
    "sptcp_variant_duplicate": (c_void_p, [c_void_p]),
    "sptcp_variant_free": (None, [c_void_p]),
    "sptcp_put_var": (c_int32, [c_void_p, c_void_p, c_bool]),
    "sptcp_get_var": (c_int32, [c_void_p, c_bool, POINTER(c_void_p)]),
    "sptcp_set_variant_format": (c_int32, [c_void_p, c_int32]),
    "sptcp_get_variant_format": (c_int32, [c_void_p]),
    "sptcp_var_to_bytes": (c_int32, [c_void_p, c_int32, c_bool, POINTER(c_void_p), POINTER(c_size_t)]),
    "sptcp_bytes_to_var": (c_int32, [POINTER(c_uint8), c_size_t, c_int32, c_bool, POINTER(c_void_p), POINTER(c_size_t)]),
    "sptcp_bytes_free": (None, [c_void_p]),
}


def declare(lib: ctypes.CDLL) -> None:
    for name, (restype, argtypes) in SIGNATURES.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes


__all__ = [
    "POINTER", "c_bool", "c_char_p", "c_double", "c_float", "c_int8", "c_int16", "c_int32", "c_int64",
    "c_size_t", "c_uint8", "c_uint16", "c_uint32", "c_uint64", "c_void_p", "SIGNATURES", "load", "candidates",
]
