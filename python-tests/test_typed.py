"""Typed values, strings and StreamPeerBuffer through ctypes, checked
against Godot's reference bytes."""

import math
import struct

import pytest

import sptcp
from sptcp import lib

# (suffix, value, little-endian bytes) from Godot's marshalls/StreamPeer tests.
VECTORS = [
    ("u16", 0x1234, bytes.fromhex("3412")),
    ("u32", 0x12345678, bytes.fromhex("78563412")),
    ("u64", 0xF123456789ABCDEF, bytes.fromhex("efcdab89674523f1")),
    ("64", -(2**63), bytes.fromhex("0000000000000080")),
    ("8", -128, b"\x80"),
    ("u8", 255, b"\xff"),
    ("half", 0.33325195, bytes.fromhex("5535")),
    ("half", 65520.0, bytes.fromhex("ff7b")),
    ("float", 0.15625, bytes.fromhex("0000203e")),
    ("float", 3.1415, bytes.fromhex("560e4940")),
    ("double", 1 / 3, bytes.fromhex("555555555555d53f")),
]


@pytest.fixture
def buf():
    b = lib.sptcp_buffer_new()
    yield b
    lib.sptcp_peer_free(b)


@pytest.mark.parametrize("big_endian", [False, True])
@pytest.mark.parametrize("suffix,value,le", VECTORS)
def test_reference_bytes(buf, big_endian, suffix, value, le):
    lib.sptcp_set_big_endian(buf, big_endian)
    assert sptcp.put_typed(buf, suffix, value) == sptcp.OK
    assert sptcp.buffer_bytes(buf) == (le[::-1] if big_endian else le)


def test_round_trip_edges(buf):
    values = [
        ("8", -128), ("u8", 255), ("16", -32768), ("u16", 65535),
        ("32", -(2**31)), ("u32", 2**32 - 1), ("64", -(2**63)), ("u64", 2**64 - 1),
        ("half", -0.5), ("float", float("inf")), ("double", -0.0), ("double", 5e-324),
    ]
    for suffix, v in values:
        assert sptcp.put_typed(buf, suffix, v) == sptcp.OK
    assert lib.sptcp_buffer_seek(buf, 0) == sptcp.OK
    for suffix, v in values:
        err, got = sptcp.get_typed(buf, suffix)
        assert err == sptcp.OK
        assert got == v and math.copysign(1, got) == math.copysign(1, v)
    err, got = sptcp.get_typed(buf, "u32")
    assert (err, got) == (sptcp.ERR_INVALID_PARAMETER, 0)


def test_strings(buf):
    assert lib.sptcp_put_string(buf, b"Hello, World!") == sptcp.OK
    assert sptcp.buffer_bytes(buf) == b"\x0d\x00\x00\x00Hello, World!"
    lib.sptcp_buffer_clear(buf)
    assert lib.sptcp_put_utf8_string(buf, "Hello✩, World✩!".encode()) == sptcp.OK
    assert sptcp.buffer_bytes(buf) == b"\x13\x00\x00\x00" + "Hello✩, World✩!".encode()
    lib.sptcp_buffer_seek(buf, 0)
    assert sptcp.get_text(buf, utf8=True) == (sptcp.OK, "Hello✩, World✩!", 19)
    lib.sptcp_buffer_clear(buf)
    assert lib.sptcp_put_string(buf, "né✩".encode()) == sptcp.OK
    assert sptcp.buffer_bytes(buf) == b"\x03\x00\x00\x00n  "
    assert lib.sptcp_put_utf8_string(buf, b"\xff") == sptcp.ERR_INVALID_PARAMETER
    # Latin-1 decoding and the NUL stop.
    lib.sptcp_buffer_set_data_array(buf, (sptcp.c_uint8 * 8)(*b"\x04\x00\x00\x00\xe9a\x00b"), 8)
    assert sptcp.get_text(buf, utf8=False) == (sptcp.OK, "éa", 3)


def test_bad_prefixes(buf):
    lib.sptcp_put_32(buf, -1)
    lib.sptcp_buffer_seek(buf, 0)
    assert sptcp.get_text(buf, utf8=True) == (sptcp.ERR_INVALID_DATA, None, 0)
    lib.sptcp_buffer_clear(buf)
    lib.sptcp_put_u32(buf, 2**31 - 1)
    lib.sptcp_buffer_seek(buf, 0)
    assert sptcp.get_text(buf, utf8=False) == (sptcp.ERR_INVALID_DATA, None, 0)
    assert "max message size" in sptcp.last_error()
    assert lib.sptcp_get_max_message_size(buf) == 64 << 20
    lib.sptcp_set_max_message_size(buf, 1)
    assert sptcp.get_text(buf, utf8=False, nbytes=2)[0] == sptcp.ERR_INVALID_DATA


def test_buffer_cursor_rules(buf):
    data = (sptcp.c_uint8 * 3)(1, 2, 3)
    assert lib.sptcp_put_data(buf, data, 3) == sptcp.OK
    assert lib.sptcp_buffer_seek(buf, 2) == sptcp.OK
    err, got, whole = sptcp.get(buf, 3)
    assert (err, got, whole) == (sptcp.ERR_INVALID_PARAMETER, b"\x03", b"\x03\x00\x00")
    assert lib.sptcp_buffer_get_position(buf) == 3
    assert lib.sptcp_buffer_resize(buf, 1) == sptcp.OK
    assert lib.sptcp_get_available_bytes(buf) == -2
    lib.sptcp_set_big_endian(buf, True)
    dup = lib.sptcp_buffer_duplicate(buf)
    try:
        assert lib.sptcp_buffer_get_position(dup) == 0
        assert sptcp.buffer_bytes(dup) == b"\x01"
        assert not lib.sptcp_is_big_endian_enabled(dup)
    finally:
        lib.sptcp_peer_free(dup)
    assert lib.sptcp_buffer_seek(buf, 5) == sptcp.ERR_INVALID_PARAMETER
    assert lib.sptcp_connect_to_host(buf, b"127.0.0.1", 1) == sptcp.ERR_UNAVAILABLE


@pytest.mark.parametrize("big_endian", [False, True])
def test_typed_values_over_tcp(pair, big_endian):
    client, accepted = pair
    for p in pair:
        lib.sptcp_set_big_endian(p, big_endian)
    want = b""
    for suffix, value, le in VECTORS:
        assert sptcp.put_typed(client, suffix, value) == sptcp.OK
        want += le[::-1] if big_endian else le
    assert lib.sptcp_put_utf8_string(client, "ü✩".encode()) == sptcp.OK
    prefix = struct.pack(">I" if big_endian else "<I", 5)
    want += prefix + "ü✩".encode()
    err, got, _ = sptcp.get(accepted, len(want))
    assert err == sptcp.OK and got == want
    # And typed reads of the same bytes.
    assert sptcp.put(client, want) == sptcp.OK
    for suffix, value, le in VECTORS:
        err, got = sptcp.get_typed(accepted, suffix)
        assert err == sptcp.OK
        # Floats read back as what the bytes hold (65520 went out as 65504).
        fmt = {"half": "<e", "float": "<f", "double": "<d"}.get(suffix)
        assert got == (struct.unpack(fmt, le)[0] if fmt else value)
    assert sptcp.get_text(accepted, utf8=True) == (sptcp.OK, "ü✩", 5)
