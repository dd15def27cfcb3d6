"""Loads libstreampeer_tcp with ctypes and declares every symbol the tests
use (argtypes and restype), so a wrong signature fails loudly."""

import ctypes
import importlib.util
import os
import time
from ctypes import (
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


# The signatures come from the package's table (one list for the whole
# project); test_package.py checks that table against the header.
_spec = importlib.util.spec_from_file_location(
    "_sptcp_ffi", os.path.join(HERE, "..", "python", "streampeer_tcp", "_ffi.py")
)
_ffi = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_ffi)
_ffi.declare(lib)

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


# --- Variants -------------------------------------------------------------


# Godot 4 type ids (sptcp_variant_type).
T = dict(
    NIL=0, BOOL=1, INT=2, FLOAT=3, STRING=4, VECTOR2=5, VECTOR2I=6, RECT2=7, RECT2I=8, VECTOR3=9,
    VECTOR3I=10, TRANSFORM2D=11, VECTOR4=12, VECTOR4I=13, PLANE=14, QUATERNION=15, AABB=16, BASIS=17,
    TRANSFORM3D=18, PROJECTION=19, COLOR=20, STRING_NAME=21, NODE_PATH=22, RID=23, OBJECT=24,
    CALLABLE=25, SIGNAL=26, DICTIONARY=27, ARRAY=28, PACKED_BYTE_ARRAY=29, PACKED_INT32_ARRAY=30,
    PACKED_INT64_ARRAY=31, PACKED_FLOAT32_ARRAY=32, PACKED_FLOAT64_ARRAY=33, PACKED_STRING_ARRAY=34,
    PACKED_VECTOR2_ARRAY=35, PACKED_VECTOR3_ARRAY=36, PACKED_COLOR_ARRAY=37, PACKED_VECTOR4_ARRAY=38,
)
MATH_TYPES = {T[n] for n in ("VECTOR2", "VECTOR2I", "RECT2", "RECT2I", "VECTOR3", "VECTOR3I", "TRANSFORM2D",
                             "VECTOR4", "VECTOR4I", "PLANE", "QUATERNION", "AABB", "BASIS", "TRANSFORM3D",
                             "PROJECTION", "COLOR")}
# Packed numeric arrays: type id -> (ctypes element, numbers per element).
PACKED = {
    T["PACKED_BYTE_ARRAY"]: (c_uint8, 1), T["PACKED_INT32_ARRAY"]: (c_int32, 1),
    T["PACKED_INT64_ARRAY"]: (c_int64, 1), T["PACKED_FLOAT32_ARRAY"]: (c_float, 1),
    T["PACKED_FLOAT64_ARRAY"]: (c_double, 1), T["PACKED_VECTOR2_ARRAY"]: (c_float, 2),
    T["PACKED_VECTOR3_ARRAY"]: (c_float, 3), T["PACKED_COLOR_ARRAY"]: (c_float, 4),
    T["PACKED_VECTOR4_ARRAY"]: (c_float, 4),
}


class Tagged:
    """A Godot value with no plain Python twin: Tagged(type_id, payload).
    Math types carry a tuple of numbers, packed arrays a tuple of numbers
    (or of tuples), NodePath/StringName a str, RID/Object an int."""

    def __init__(self, type_id, payload):
        self.type_id, self.payload = type_id, payload

    def __eq__(self, other):
        return isinstance(other, Tagged) and (self.type_id, self.payload) == (other.type_id, other.payload)

    def __repr__(self):
        return f"Tagged({self.type_id}, {self.payload!r})"


def to_variant(value):
    """A new sptcp_variant for a Python value (the caller frees it)."""
    if value is None:
        return lib.sptcp_variant_new_nil()
    if isinstance(value, bool):
        return lib.sptcp_variant_new_bool(value)
    if isinstance(value, int):
        return lib.sptcp_variant_new_int(value)
    if isinstance(value, float):
        return lib.sptcp_variant_new_float(value)
    if isinstance(value, str):
        return lib.sptcp_variant_new_string(value.encode())
    if isinstance(value, bytes):
        buf = (c_uint8 * len(value)).from_buffer_copy(value) if value else None
        return lib.sptcp_variant_new_packed(T["PACKED_BYTE_ARRAY"], buf, len(value))
    if isinstance(value, list):
        arr = lib.sptcp_variant_new_array()
        for item in value:
            assert lib.sptcp_variant_array_push(arr, to_variant(item)) == OK
        return arr
    if isinstance(value, dict):
        d = lib.sptcp_variant_new_dictionary()
        for k, v in value.items():
            assert lib.sptcp_variant_dict_set(d, to_variant(k), to_variant(v)) == OK
        return d
    if isinstance(value, Tagged):
        t, p = value.type_id, value.payload
        if t in MATH_TYPES:
            return lib.sptcp_variant_new_math(t, (c_double * len(p))(*p), len(p))
        if t in PACKED:
            ctype, width = PACKED[t]
            flat = [x for e in p for x in (e if width > 1 else (e,))]
            return lib.sptcp_variant_new_packed(t, (ctype * len(flat))(*flat), len(p))
        if t == T["PACKED_STRING_ARRAY"]:
            return lib.sptcp_variant_new_packed_string_array((c_char_p * len(p))(*(s.encode() for s in p)), len(p))
        if t == T["NODE_PATH"]:
            return lib.sptcp_variant_new_node_path(p.encode())
        if t == T["STRING_NAME"]:
            return lib.sptcp_variant_new_string_name(p.encode())
        if t == T["RID"]:
            return lib.sptcp_variant_new_rid(p)
        if t == T["OBJECT"]:
            return lib.sptcp_variant_new_object_id(p)
    raise TypeError(f"no Variant for {value!r}")


def from_variant(v):
    """The Python value of a (borrowed or owned) sptcp_variant."""
    t = lib.sptcp_variant_get_type(v)
    if t == T["NIL"]:
        return None
    if t == T["BOOL"]:
        out = c_bool()
        lib.sptcp_variant_get_bool(v, ctypes.byref(out))
        return out.value
    if t == T["INT"]:
        out = c_int64()
        lib.sptcp_variant_get_int(v, ctypes.byref(out))
        return out.value
    if t == T["FLOAT"]:
        out = c_double()
        lib.sptcp_variant_get_float(v, ctypes.byref(out))
        return out.value
    if t in (T["STRING"], T["STRING_NAME"], T["NODE_PATH"]):
        s = c_void_p()
        lib.sptcp_variant_get_string(v, ctypes.byref(s), None)
        text = ctypes.string_at(s.value).decode()
        return text if t == T["STRING"] else Tagged(t, text)
    if t in MATH_TYPES:
        out = (c_double * 16)()
        n = c_size_t()
        assert lib.sptcp_variant_get_math(v, out, 16, ctypes.byref(n)) == OK
        return Tagged(t, tuple(out[: n.value]))
    if t in (T["RID"], T["OBJECT"]):
        out = c_uint64()
        lib.sptcp_variant_get_id(v, ctypes.byref(out))
        return Tagged(t, out.value)
    if t == T["ARRAY"]:
        return [from_variant(lib.sptcp_variant_array_get(v, i)) for i in range(lib.sptcp_variant_size(v))]
    if t == T["DICTIONARY"]:
        result = {}
        for i in range(lib.sptcp_variant_size(v)):
            k, val = c_void_p(), c_void_p()
            lib.sptcp_variant_dict_entry(v, i, ctypes.byref(k), ctypes.byref(val))
            key = from_variant(k)
            result[tuple(key) if isinstance(key, list) else key] = from_variant(val)
        return result
    if t in PACKED:
        ctype, width = PACKED[t]
        data, n = c_void_p(), c_size_t()
        lib.sptcp_variant_get_packed(v, ctypes.byref(data), ctypes.byref(n))
        flat = list((ctype * (n.value * width)).from_address(data.value)) if n.value else []
        if t == T["PACKED_BYTE_ARRAY"]:
            return bytes(flat)
        items = [tuple(flat[i : i + width]) for i in range(0, len(flat), width)] if width > 1 else flat
        return Tagged(t, tuple(items))
    if t == T["PACKED_STRING_ARRAY"]:
        out = []
        for i in range(lib.sptcp_variant_size(v)):
            s = c_void_p()
            lib.sptcp_variant_get_packed_string(v, i, ctypes.byref(s), None)
            out.append(ctypes.string_at(s.value).decode())
        return Tagged(t, tuple(out))
    return Tagged(t, None)


def var_to_bytes(value, major=4, full_objects=False):
    v = to_variant(value)
    try:
        out, n = c_void_p(), c_size_t()
        err = lib.sptcp_var_to_bytes(v, major, full_objects, ctypes.byref(out), ctypes.byref(n))
        if err != OK:
            return err, None
        data = ctypes.string_at(out.value, n.value)
        lib.sptcp_bytes_free(out)
        return OK, data
    finally:
        lib.sptcp_variant_free(v)


def bytes_to_var(data: bytes, major=4, allow_objects=False):
    out, used = c_void_p(), c_size_t()
    buf = (c_uint8 * len(data)).from_buffer_copy(data) if data else None
    err = lib.sptcp_bytes_to_var(buf, len(data), major, allow_objects, ctypes.byref(out), ctypes.byref(used))
    if err != OK:
        return err, None, 0
    value = from_variant(out)
    lib.sptcp_variant_free(out)
    return OK, value, used.value
