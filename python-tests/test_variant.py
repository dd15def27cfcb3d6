"""Variants through ctypes: Python values to Godot bytes and back, and
put_var / get_var across a socket."""

import ctypes
import math

import pytest

import sptcp
from sptcp import T, Tagged, lib

V2 = T["VECTOR2"]


def test_readme_dictionary_bytes():
    msg = {"pos": Tagged(V2, (1.0, 2.0)), "hp": 42, "tags": ["a", "b"]}
    err, data = sptcp.var_to_bytes(msg)
    assert err == sptcp.OK
    want = bytes.fromhex(
        "1b000000 03000000 04000000 03000000 706f7300 05000000 0000803f 00000040"
        "04000000 02000000 68700000 02000000 2a000000 04000000 04000000 74616773"
        "1c000000 02000000 04000000 01000000 61000000 04000000 01000000 62000000".replace(" ", "")
    )
    assert data == want
    err, back, used = sptcp.bytes_to_var(data)
    assert (err, used) == (sptcp.OK, len(data))
    assert back == msg


@pytest.mark.parametrize(
    "value,hexbytes",
    [
        (None, "00000000"),
        (0x12345678, "0200000078563412"),
        (0xF123456789ABCDEF - 2**64, "02000100efcdab89674523f1"),
        (0.15625, "030000000000203e"),
        (1 / 3, "03000100555555555555d53f"),
        (["Hello, World!", 42], "1c000000 02000000 04000000 0d000000 48656c6c6f2c20576f726c6421000000 02000000 2a000000"),
    ],
)
def test_godot_reference_vectors(value, hexbytes):
    err, data = sptcp.var_to_bytes(value)
    assert err == sptcp.OK
    assert data.hex() == hexbytes.replace(" ", "")


VALUES = [
    None, True, False, 0, -1, 2**63 - 1, -(2**63), 0.5, -0.0, 1e300, math.inf, "", "héllo ✩",
    b"", b"\x00\x01\x02", [1, "two", [3.5, None]], {"a": 1, 2: "b", "nested": {"x": [True]}},
    Tagged(V2, (1.5, -2.0)), Tagged(T["VECTOR3I"], (1, 2, 3)), Tagged(T["COLOR"], (0.25, 0.5, 0.75, 1.0)),
    Tagged(T["TRANSFORM3D"], tuple(float(i) for i in range(12))), Tagged(T["PROJECTION"], tuple(float(i) for i in range(16))),
    Tagged(T["NODE_PATH"], "/root/Main:position:x"), Tagged(T["STRING_NAME"], "name"), Tagged(T["RID"], 77),
    Tagged(T["OBJECT"], 1234), Tagged(T["PACKED_INT32_ARRAY"], (1, -2, 3)), Tagged(T["PACKED_INT64_ARRAY"], (2**40,)),
    Tagged(T["PACKED_FLOAT32_ARRAY"], (1.5, -0.25)), Tagged(T["PACKED_FLOAT64_ARRAY"], (1 / 3,)),
    Tagged(T["PACKED_STRING_ARRAY"], ("a", "", "✩")), Tagged(T["PACKED_VECTOR2_ARRAY"], ((1.0, 2.0), (3.0, 4.0))),
    Tagged(T["PACKED_VECTOR3_ARRAY"], ((1.0, 2.0, 3.0),)), Tagged(T["PACKED_COLOR_ARRAY"], ((1.0, 0.0, 0.0, 1.0),)),
    Tagged(T["PACKED_VECTOR4_ARRAY"], ((1.0, 2.0, 3.0, 4.0),)),
]


@pytest.mark.parametrize("value", VALUES, ids=[repr(v)[:30] for v in VALUES])
def test_round_trip_through_bytes(value):
    err, data = sptcp.var_to_bytes(value)
    assert err == sptcp.OK and len(data) % 4 == 0
    err, back, used = sptcp.bytes_to_var(data)
    assert (err, used) == (sptcp.OK, len(data))
    assert back == value
    if isinstance(value, float) and value == 0:
        assert math.copysign(1, back) == math.copysign(1, value)
    # Every shorter prefix is rejected (a byte array's missing tail padding
    # excepted, as in Godot).
    for cut in range(len(data)):
        if isinstance(value, bytes) and cut >= len(data) - 3 and len(value) % 4:
            continue
        assert sptcp.bytes_to_var(data[:cut])[0] != sptcp.OK, cut


def test_put_var_get_var_over_tcp(pair):
    client, accepted = pair
    for v in VALUES:
        var = sptcp.to_variant(v)
        assert lib.sptcp_put_var(client, var, False) == sptcp.OK
        lib.sptcp_variant_free(var)
    for v in VALUES:
        out = ctypes.c_void_p()
        assert lib.sptcp_get_var(accepted, False, ctypes.byref(out)) == sptcp.OK
        assert sptcp.from_variant(out) == v
        lib.sptcp_variant_free(out)


def test_bounded_get_var():
    b = lib.sptcp_buffer_new()
    try:
        lib.sptcp_set_max_message_size(b, 16)
        lib.sptcp_put_u32(b, 17)
        lib.sptcp_buffer_seek(b, 0)
        out = ctypes.c_void_p(1)
        assert lib.sptcp_get_var(b, False, ctypes.byref(out)) == sptcp.ERR_INVALID_DATA
        assert out.value is None
        assert "max message size" in sptcp.last_error()
    finally:
        lib.sptcp_peer_free(b)


def test_errors():
    # Godot 3 lacks StringName; formats other than 3 and 4 are refused.
    assert sptcp.var_to_bytes(Tagged(T["STRING_NAME"], "x"), major=3)[0] == sptcp.ERR_INVALID_PARAMETER
    assert sptcp.var_to_bytes(1, major=5)[0] == sptcp.ERR_INVALID_PARAMETER
    assert sptcp.bytes_to_var(b"\x00")[0] == sptcp.ERR_INVALID_DATA
    assert sptcp.bytes_to_var(bytes.fromhex("1c000000ffffff7f"))[0] == sptcp.ERR_INVALID_DATA
    assert sptcp.bytes_to_var(bytes.fromhex("0400000005000000616200000000"))[0] == sptcp.ERR_FILE_EOF
    assert lib.sptcp_variant_new_math(V2, (ctypes.c_double * 3)(1, 2, 3), 3) is None
    assert lib.sptcp_variant_get_type(None) == T["NIL"]
