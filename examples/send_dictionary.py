"""Sends {"pos": Vector2(1, 2), "hp": 42, "tags": ["a", "b"]} to a Godot
game with put_var, straight through ctypes.

    python3 send_dictionary.py host port [godot_major]

Set STREAMPEER_TCP_LIB to the library's path (default: the release build).
"""

import ctypes
import os
import sys
import time
from ctypes import c_bool, c_char_p, c_double, c_int32, c_int64, c_size_t, c_uint32, c_void_p

here = os.path.dirname(os.path.abspath(__file__))
lib = ctypes.CDLL(os.environ.get("STREAMPEER_TCP_LIB", os.path.join(here, "..", "target", "release", "libstreampeer_tcp.so")))
for name, restype, argtypes in [
    ("sptcp_peer_new", c_void_p, []),
    ("sptcp_peer_free", None, [c_void_p]),
    ("sptcp_set_connect_timeout_ms", None, [c_void_p, c_uint32]),
    ("sptcp_set_variant_format", c_int32, [c_void_p, c_int32]),
    ("sptcp_connect_to_host", c_int32, [c_void_p, c_char_p, c_int32]),
    ("sptcp_poll", c_int32, [c_void_p]),
    ("sptcp_get_status", c_int32, [c_void_p]),
    ("sptcp_last_error_message", c_char_p, []),
    ("sptcp_error_name", c_char_p, [c_int32]),
    ("sptcp_variant_new_dictionary", c_void_p, []),
    ("sptcp_variant_new_array", c_void_p, []),
    ("sptcp_variant_new_string", c_void_p, [c_char_p]),
    ("sptcp_variant_new_int", c_void_p, [c_int64]),
    ("sptcp_variant_new_math", c_void_p, [c_int32, ctypes.POINTER(c_double), c_size_t]),
    ("sptcp_variant_dict_set", c_int32, [c_void_p, c_void_p, c_void_p]),
    ("sptcp_variant_array_push", c_int32, [c_void_p, c_void_p]),
    ("sptcp_variant_free", None, [c_void_p]),
    ("sptcp_put_var", c_int32, [c_void_p, c_void_p, c_bool]),
]:
    fn = getattr(lib, name)
    fn.restype, fn.argtypes = restype, argtypes

STATUS_CONNECTING, TYPE_VECTOR2 = 1, 5
host, port = sys.argv[1], int(sys.argv[2])
peer = lib.sptcp_peer_new()
lib.sptcp_set_connect_timeout_ms(peer, 5000)
lib.sptcp_set_variant_format(peer, int(sys.argv[3]) if len(sys.argv) > 3 else 4)
if lib.sptcp_connect_to_host(peer, host.encode(), port) != 0:
    sys.exit("connect: " + lib.sptcp_last_error_message().decode())
while lib.sptcp_get_status(peer) == STATUS_CONNECTING:
    lib.sptcp_poll(peer)
    time.sleep(0.001)

# Containers take ownership of what is put in them.
msg = lib.sptcp_variant_new_dictionary()
s = lambda text: lib.sptcp_variant_new_string(text.encode())  # noqa: E731
lib.sptcp_variant_dict_set(msg, s("pos"), lib.sptcp_variant_new_math(TYPE_VECTOR2, (c_double * 2)(1, 2), 2))
lib.sptcp_variant_dict_set(msg, s("hp"), lib.sptcp_variant_new_int(42))
tags = lib.sptcp_variant_new_array()
lib.sptcp_variant_array_push(tags, s("a"))
lib.sptcp_variant_array_push(tags, s("b"))
lib.sptcp_variant_dict_set(msg, s("tags"), tags)

err = lib.sptcp_put_var(peer, msg, False)
print("put_var:", lib.sptcp_error_name(err).decode())
lib.sptcp_variant_free(msg)
lib.sptcp_peer_free(peer)
sys.exit(0 if err == 0 else 1)
