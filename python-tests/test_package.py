"""The streampeer_tcp Python package: the whole API, threads, interrupted
connections, and Variant conversion of every supported Python type."""

import math
import os
import threading
import time

import pytest

import streampeer_tcp as st
from streampeer_tcp import Error, GodotError, Status, StreamPeerBuffer, StreamPeerTCP, TCPServer
from waits import take, wait_status


@pytest.fixture
def tcp_pair():
    with TCPServer() as server:
        assert server.listen(0, "127.0.0.1") == Error.OK
        client = StreamPeerTCP()
        assert client.connect_to_host("127.0.0.1", server.get_local_port()) == Error.OK
        accepted = take(server)
        assert wait_status(client, Status.STATUS_CONNECTED) == Status.STATUS_CONNECTED
        yield client, accepted
        client.free()
        accepted.free()


def test_enums_match_the_library():
    for e in Error:
        assert st.lib.sptcp_error_name(e).decode() == e.name
    assert len(Error) == 49
    assert [s.value for s in Status] == [0, 1, 2, 3]
    assert st.__version__.count(".") == 2
    assert os.path.exists(st.library_path())


def test_tcp_api(tcp_pair):
    client, accepted = tcp_pair
    assert repr(client).startswith("<StreamPeerTCP STATUS_CONNECTED 127.0.0.1:")
    assert client.get_connected_host() == "127.0.0.1"
    assert accepted.get_connected_port() == client.get_local_port()
    client.set_no_delay(True)
    assert client.connect_timeout_ms == 30000
    assert client.put_data(b"hello") == Error.OK
    assert accepted.get_data(5) == (Error.OK, b"hello")
    assert accepted.put_partial_data(b"xyz") == (Error.OK, 3)
    time.sleep(0.05)
    assert client.get_available_bytes() == 3
    assert client.get_partial_data(10) == (Error.OK, b"xyz")
    assert client.get_partial_data(10) == (Error.OK, b"")
    for p in (client, accepted):
        p.big_endian = True
    assert client.put_u32(0x01020304) == Error.OK
    assert accepted.get_data(4) == (Error.OK, b"\x01\x02\x03\x04")
    assert client.put_64(-5) == Error.OK and accepted.get_64() == -5
    assert client.put_half(0.33325195) == Error.OK and accepted.get_half() == pytest.approx(0.33325195)
    assert client.put_utf8_string("héllo ✩") == Error.OK and accepted.get_utf8_string() == "héllo ✩"
    assert client.put_string("abc") == Error.OK and accepted.get_string() == "abc"
    msg = {"pos": st.Vector2(1, 2), "hp": 42, "tags": ["a", "b"]}
    assert client.put_var(msg) == Error.OK
    assert accepted.get_var() == msg
    # The far side closes: EOF with what arrived, then NONE.
    assert accepted.put_data(b"ab") == Error.OK
    accepted.disconnect_from_host()
    assert client.get_data(5) == (Error.ERR_FILE_EOF, b"ab")
    assert client.get_status() == Status.STATUS_NONE
    with pytest.raises(GodotError) as e:
        client.get_u32()
    assert e.value.error == Error.FAILED
    assert client.get_data(-1) == (Error.ERR_OUT_OF_MEMORY, b"")


def test_errors_are_returned_or_raised():
    with StreamPeerTCP() as p:
        assert p.connect_to_host("nonexistent.invalid", 80) == Error.ERR_CANT_RESOLVE
        assert "nonexistent.invalid" in st.last_error_message()
        assert p.connect_to_host("127.0.0.1", 0) == Error.ERR_INVALID_PARAMETER
        assert p.bind(70000) == Error.ERR_INVALID_PARAMETER
        assert p.put_data(b"x") == Error.FAILED
        assert repr(p) == "<StreamPeerTCP STATUS_NONE>"
    with TCPServer() as s:
        assert s.listen(0, "localhost") == Error.ERR_INVALID_PARAMETER
        assert s.take_connection() is None
        assert repr(s) == "<TCPServer not listening>"
    b = StreamPeerBuffer()
    with pytest.raises(GodotError) as e:
        b.get_var()
    assert e.value.error == Error.ERR_INVALID_PARAMETER
    with pytest.raises(GodotError):
        b.variant_format = 5
    b.free()
    with pytest.raises(ValueError):
        b.get_size()


def test_refused_connect_and_timeout_setting():
    with TCPServer() as s:
        s.listen(0, "127.0.0.1")
        port = s.get_local_port()
    with StreamPeerTCP() as p:
        p.connect_timeout_ms = 1000
        assert p.connect_to_host("127.0.0.1", port) == Error.OK
        assert wait_status(p, Status.STATUS_ERROR) == Status.STATUS_ERROR
        assert p.connect_to_host("127.0.0.1", port) == Error.ERR_ALREADY_IN_USE


def test_interrupted_connection(tcp_pair):
    """The server side goes away mid-conversation: reads end with EOF,
    writes fail, poll sees NONE, nothing hangs or crashes."""
    client, accepted = tcp_pair
    assert client.put_var([1, 2, 3]) == Error.OK
    assert accepted.get_var() == [1, 2, 3]
    accepted.free()  # closes the socket
    assert wait_status(client, Status.STATUS_NONE) == Status.STATUS_NONE
    assert client.put_data(b"late") == Error.FAILED
    with pytest.raises(GodotError):
        client.get_var()


def test_two_peers_on_two_threads():
    """Each thread has its own client/server pair; blocking reads on one
    thread do not hold up the other (ctypes releases the GIL)."""
    results = {}

    def run(name, count):
        with TCPServer() as server:
            server.listen(0, "127.0.0.1")
            client = StreamPeerTCP()
            client.connect_to_host("127.0.0.1", server.get_local_port())
            accepted = take(server)
            wait_status(client, Status.STATUS_CONNECTED)
            total = 0
            for i in range(count):
                client.put_var({"i": i, "name": name})
                total += accepted.get_var()["i"]
            results[name] = total
            client.free()
            accepted.free()

    threads = [threading.Thread(target=run, args=(n, 500)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert results == {"a": sum(range(500)), "b": sum(range(500))}


def test_buffer_api():
    b = StreamPeerBuffer(b"\x01\x02\x03")
    assert (b.get_size(), b.get_position()) == (3, 0)
    assert b.seek(2) == Error.OK
    assert b.get_data(3) == (Error.ERR_INVALID_PARAMETER, b"\x03")  # Godot: consumed anyway
    assert b.seek(9) == Error.ERR_INVALID_PARAMETER
    assert b.resize(1) == Error.OK and b.get_available_bytes() == -2
    b.big_endian = True
    d = b.duplicate()
    assert d.data_array == b"\x01" and d.get_position() == 0 and not d.big_endian
    b.clear()
    b.put_u16(0x1234)
    assert b.data_array == b"\x12\x34"
    assert repr(b) == "<StreamPeerBuffer size=2 position=2>"
    b.variant_format = 3
    assert b.variant_format == 3


EVERY_TYPE = [
    None, True, False, 0, -(2**63), 2**63 - 1, 0.5, -0.0, math.inf, 1e300, "", "héllo ✩",
    b"", b"\x00\xff", bytearray(b"ba"), [1, [2, [3]]], (4, 5), {"a": 1, 2: "b", (1, 2): None, 3.5: [True]},
    st.Vector2(1.5, -2), st.Vector2i(1, -2), st.Rect2(1, 2, 3, 4), st.Rect2i(1, 2, 3, 4), st.Vector3(1, 2, 3),
    st.Vector3i(1, 2, 3), st.Transform2D(1, 0, 0, 1, 5, 6), st.Vector4(1, 2, 3, 4), st.Vector4i(1, 2, 3, 4),
    st.Plane(0, 1, 0, 5), st.Quaternion(0, 0, 0, 1), st.AABB(1, 2, 3, 4, 5, 6), st.Basis(*range(9)),
    st.Transform3D(*range(12)), st.Projection(*range(16)), st.Color(0.25, 0.5, 0.75, 1),
    st.StringName("name"), st.NodePath("/root/Main:position:x"), st.RID(77), st.ObjectID(1234), st.Callable,
    st.Signal("hit", 5), st.PackedInt32Array([1, -2]), st.PackedInt64Array([2**40]),
    st.PackedFloat32Array([1.5, -0.25]), st.PackedFloat64Array([1 / 3]), st.PackedStringArray(["a", "", "✩"]),
    st.PackedVector2Array([(1.0, 2.0)]), st.PackedVector3Array([(1.0, 2.0, 3.0)]),
    st.PackedColorArray([(1.0, 0.0, 0.0, 1.0)]), st.PackedVector4Array([(1.0, 2.0, 3.0, 4.0)]),
]


def expected_back(v):
    """What a value reads back as: tuples and bytearrays go out as Array and
    PackedByteArray and come back as list and bytes; dict keys likewise."""
    if isinstance(v, tuple) and not hasattr(v, "_fields"):
        return [expected_back(x) for x in v]
    if isinstance(v, bytearray):
        return bytes(v)
    if isinstance(v, list) and type(v) is list:
        return [expected_back(x) for x in v]
    if isinstance(v, dict):
        return {k: expected_back(x) for k, x in v.items()}
    return v


@pytest.mark.parametrize("value", EVERY_TYPE, ids=[repr(v)[:40] for v in EVERY_TYPE])
def test_every_python_type_both_ways(value):
    data = st.var_to_bytes(value)
    if isinstance(value, dict) and (1, 2) in value:
        # A tuple key goes out as an Array key, which Python cannot hash back.
        with pytest.raises(ValueError):
            st.bytes_to_var(data)
        return
    back = st.bytes_to_var(data)
    assert back == expected_back(value)
    assert type(back) is type(expected_back(value))
    if isinstance(value, float) and value == 0:
        assert math.copysign(1, back) == math.copysign(1, value)


def test_full_objects():
    obj = st.GodotObject("Node2D", {"name": "Player", "position": st.Vector2(1, 2)})
    with pytest.raises(GodotError):
        st.var_to_bytes(obj)  # needs full_objects
    data = st.var_to_bytes(obj, full_objects=True)
    with pytest.raises(GodotError) as e:
        st.bytes_to_var(data)
    assert e.value.error == Error.ERR_UNAUTHORIZED
    assert st.bytes_to_var(data, allow_objects=True) == obj


@pytest.mark.parametrize(
    "value,error",
    [
        (2**63, OverflowError),
        (-(2**63) - 1, OverflowError),
        ({1, 2}, TypeError),
        (object(), TypeError),
        (1j, TypeError),
        ("nul\0inside", ValueError),
        ([1, {2: 2**64}], OverflowError),
        (st.PackedInt32Array([2**31]), OverflowError),
        (st.PackedVector2Array([(1.0,)]), ValueError),
        (st.Vector2i(1.5, 2), ValueError),
        (st.TypedArray(int, [1, "x"]), ValueError),
        ([st.TypedArray(st.Vector2, [st.Vector2(1, 2), st.Vector3(1, 2, 3)])], ValueError),
        (st.TypedDictionary(str, int, {"a": "b"}), ValueError),
        (st.TypedDictionary(str, None, {1: "b"}), ValueError),
        (st.TypedArray(st.VariantType.OBJECT, [], class_name="Node"), ValueError),
    ],
)
def test_values_godot_cannot_hold(value, error):
    with pytest.raises(error):
        st.var_to_bytes(value)
    b = StreamPeerBuffer()
    with pytest.raises(error):
        b.put_var(value)
    assert b.get_size() == 0  # nothing was sent


X = 0xF123456789ABCDEF - 2**64  # Godot's reference value, as a signed int64
X_BYTES = "02000100" "efcdab89674523f1"


def test_typed_containers_match_godot_reference_vectors():
    array = st.TypedArray(int, [X])
    want = bytes.fromhex("1c000100" "02000000" "01000000" + X_BYTES)
    assert st.var_to_bytes(array) == want
    back = st.bytes_to_var(want)
    assert type(back) is st.TypedArray and back.item_type == st.VariantType.INT and back == [X]
    assert back.class_name is None

    d = st.TypedDictionary(st.VariantType.INT, int, {X: X})
    want = bytes.fromhex("1b000500" "02000000" "02000000" "01000000" + X_BYTES + X_BYTES)
    assert st.var_to_bytes(d) == want
    back = st.bytes_to_var(want)
    assert type(back) is st.TypedDictionary and back == {X: X}
    assert (back.key_type, back.value_type) == (st.VariantType.INT, st.VariantType.INT)


def test_typed_containers_both_ways():
    value = {
        "names": st.TypedArray(str, ["a", "b"]),
        "points": st.TypedArray(st.Vector2, [st.Vector2(1, 2)]),
        "empty": st.TypedArray(st.VariantType.DICTIONARY),
        "nested": st.TypedArray(list, [[1], st.TypedArray(int, [2])]),
        "scores": st.TypedDictionary(str, int, {"ann": 3}),
        "half": st.TypedDictionary(None, float, {1: 0.5, "x": 1.5}),
    }
    b = StreamPeerBuffer()
    assert b.put_var(value) == Error.OK
    b.seek(0)
    back = b.get_var()
    assert back == value
    for key in ("names", "points", "empty"):
        assert type(back[key]) is st.TypedArray and back[key].item_type == value[key].item_type
    assert type(back["nested"][0]) is list and type(back["nested"][1]) is st.TypedArray
    assert back["half"].key_type == st.VariantType.NIL and back["half"].value_type == st.VariantType.FLOAT
    # Untyped containers stay plain, and typed ones compare by items as in Godot.
    assert type(st.bytes_to_var(st.var_to_bytes([1]))) is list
    assert st.TypedArray(int, [1]) == [1]
    # Godot 3 has no typed containers: they are sent untyped.
    assert st.var_to_bytes(st.TypedArray(int, [1]), godot_major=3) == st.var_to_bytes([1], godot_major=3)


def test_containers_typed_by_class_or_script_are_received():
    # Array[Node] with no items; Dictionary[String, <res://a.gd>] with none.
    array = st.bytes_to_var(bytes.fromhex("1c000200" "04000000") + b"Node" + bytes(4))
    assert type(array) is st.TypedArray and array == []
    assert array.item_type == st.VariantType.OBJECT and array.class_name == "Node"
    d = st.bytes_to_var(bytes.fromhex("1b000d00" "04000000" "0a000000") + b"res://a.gd" + bytes(2) + bytes(4))
    assert (d.key_type, d.key_class) == (st.VariantType.STRING, None)
    assert (d.value_type, d.value_class) == (st.VariantType.OBJECT, "res://a.gd")


@pytest.mark.parametrize("spec", [set, object, 99, "int"])
def test_typed_container_types_must_name_a_godot_type(spec):
    with pytest.raises(ValueError):
        st.TypedArray(spec)
    with pytest.raises(ValueError):
        st.TypedDictionary(int, spec)


def test_dictionary_key_python_cannot_hash():
    # Godot allows {[1, 2]: 3}; a Python dict cannot have a list key.
    data = bytes.fromhex("1b000000 01000000 1c000000 01000000 02000000 01000000 02000000 03000000".replace(" ", ""))
    with pytest.raises(ValueError, match="cannot be a Python dict key"):
        st.bytes_to_var(data)


def test_deep_nesting_is_not_limited_by_python_recursion():
    data = bytes.fromhex("1c000000 01000000".replace(" ", "")) * 1000 + bytes.fromhex("1c00000000000000")
    v = st.bytes_to_var(data)
    depth = 0
    while v:
        v = v[0]
        depth += 1
    assert depth == 1000


def test_godot3_format():
    assert st.var_to_bytes(st.Quaternion(0, 0, 0, 1), godot_major=3)[0] == 10
    with pytest.raises(GodotError):
        st.var_to_bytes(st.StringName("x"), godot_major=3)


def test_package_version_matches_the_library():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    pyproject = open(os.path.join(root, "python", "pyproject.toml")).read()
    assert f'version = "{st.__version__}"' in pyproject


def test_hot_calls_fast_paths(tcp_pair):
    """The hot calls check the handle and map results without the slow
    path; their answers must be the same as the slow path's."""
    from streampeer_tcp._native import to_error

    for code in range(len(Error)):
        assert to_error(code) is Error(code)
    assert to_error(-1) is Error.ERR_BUG and to_error(len(Error)) is Error.ERR_BUG
    client, server = tcp_pair
    # Typed methods keep their names and docs (the reference lists them).
    assert st.StreamPeer.put_u32.__name__ == "put_u32" and "32-bit" in st.StreamPeer.get_32.__doc__
    assert client.put_u32(0xFFFFFFFF) is Error.OK and server.get_u32() == 0xFFFFFFFF
    assert client.put_8(-128) is Error.OK and server.get_8() == -128
    assert client.put_double(-0.5) is Error.OK and server.get_double() == -0.5
    # Large reads go straight into a new bytes object: every byte, NULs too,
    # and a short read on a failure gives only what arrived.
    data = bytes(range(256)) * 64 + b"\0\0tail"
    for chunk in (data[:2047], data[:2048], data, bytearray(data), memoryview(data)):
        assert client.put_data(chunk) is Error.OK
        err, got = server.get_data(len(chunk))
        assert err is Error.OK and type(got) is bytes and got == bytes(chunk)
    assert client.put_data(data[:3000]) is Error.OK
    client.disconnect_from_host()
    err, got = server.get_data(5000)
    assert err is Error.ERR_FILE_EOF and got == data[:3000]
    with pytest.raises(GodotError):
        server.get_u32()
    server.free()
    with pytest.raises(ValueError):
        server.put_u32(1)
    with pytest.raises(ValueError):
        server.get_u32()
    with pytest.raises(ValueError):
        server.get_data(4096)
    with pytest.raises(ValueError):
        server.put_data(b"x")


def test_data_calls_pass_every_length_they_are_given():
    """put_data of bytes and large get_data pass their lengths as kept
    size objects (one per length, up to a bound): more lengths than are
    kept, each sent and read back whole, must arrive exactly."""
    out = StreamPeerBuffer()
    sizes = list(range(0, 700, 2)) + [2047, 2048, 4096, 65536, 70001]
    assert len(sizes) > 256
    chunks = [bytes([n % 251]) * n for n in sizes]
    for chunk in chunks:
        assert out.put_data(chunk) is Error.OK
    assert out.get_size() == sum(sizes)
    back = StreamPeerBuffer(out.data_array)
    for n, chunk in zip(sizes, chunks):
        err, got = back.get_data(n)
        assert err is Error.OK and got == chunk, n
    assert back.get_available_bytes() == 0
    # Past the end: Godot's error with what there is, the direct way (a
    # large read) as the copying one.
    assert StreamPeerBuffer(b"z" * 3000).get_data(4096) == (Error.ERR_INVALID_PARAMETER, b"z" * 3000)
    assert StreamPeerBuffer(b"z" * 1000).get_data(1500) == (Error.ERR_INVALID_PARAMETER, b"z" * 1000)
    out.free()
    with pytest.raises(ValueError):
        out.put_data(b"after free")
    with pytest.raises(ValueError):
        out.get_data(4096)
