"""Python values ↔ Godot Variants (see `types` for the table), and
Godot's `var_to_bytes` / `bytes_to_var`."""

from __future__ import annotations

import ctypes
from ctypes import c_bool, c_char_p, c_double, c_float, c_int32, c_int64, c_size_t, c_uint8, c_uint64, c_void_p
from typing import Any

from ._native import GodotError, check, last_error_message, lib
from .enums import Error, VariantType
from .types import (
    MATH_BY_TYPE,
    MATH_TYPES,
    PACKED_BY_TYPE,
    PackedStringArray,
    RID,
    Callable,
    GodotObject,
    NodePath,
    ObjectID,
    Signal,
    StringName,
    TypedArray,
    TypedDictionary,
    _CallableType,
    _Packed,
)

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_INTEGER_MATH = {VariantType.VECTOR2I, VariantType.RECT2I, VariantType.VECTOR3I, VariantType.VECTOR4I}
_C_ELEMENT = {
    VariantType.PACKED_BYTE_ARRAY: c_uint8,
    VariantType.PACKED_INT32_ARRAY: c_int32,
    VariantType.PACKED_INT64_ARRAY: c_int64,
    VariantType.PACKED_FLOAT32_ARRAY: c_float,
    VariantType.PACKED_FLOAT64_ARRAY: c_double,
    VariantType.PACKED_VECTOR2_ARRAY: c_float,
    VariantType.PACKED_VECTOR3_ARRAY: c_float,
    VariantType.PACKED_COLOR_ARRAY: c_float,
    VariantType.PACKED_VECTOR4_ARRAY: c_float,
}


def _text(s: str, what: str) -> bytes:
    if "\0" in s:
        raise ValueError(f"{what} contains a NUL character, which Godot strings cannot hold")
    return s.encode("utf-8", "surrogatepass")


def _made(handle: int | None, what: str) -> int:
    if not handle:
        raise ValueError(f"cannot make a Godot {what}: {last_error_message()}")
    return handle


def _int64(value: int) -> int:
    if not INT64_MIN <= value <= INT64_MAX:
        raise OverflowError(f"{value} does not fit Godot's 64-bit int")
    return value


def _new(value: Any) -> int:
    """A new sptcp_variant handle for `value`; the caller owns it."""
    # The plain Python types by their exact type: one dict lookup instead of
    # the isinstance chain below (which subclasses such as StringName, the
    # math types and TypedArray still take).
    make = _NEW_EXACT.get(type(value))
    if make is not None:
        return make(value)
    if value is None:
        return lib.sptcp_variant_new_nil()
    if isinstance(value, bool):
        return lib.sptcp_variant_new_bool(value)
    if isinstance(value, RID):
        return lib.sptcp_variant_new_rid(int(value))
    if isinstance(value, ObjectID):
        return lib.sptcp_variant_new_object_id(int(value))
    if isinstance(value, int):
        return lib.sptcp_variant_new_int(_int64(value))
    if isinstance(value, float):
        return lib.sptcp_variant_new_float(value)
    if isinstance(value, StringName):
        return _made(lib.sptcp_variant_new_string_name(_text(value, "a StringName")), "StringName")
    if isinstance(value, NodePath):
        return _made(lib.sptcp_variant_new_node_path(_text(value, "a NodePath")), "NodePath")
    if isinstance(value, str):
        return _made(lib.sptcp_variant_new_string(_text(value, "a string")), "String")
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        buf = (c_uint8 * len(data)).from_buffer_copy(data) if data else None
        return _made(lib.sptcp_variant_new_packed(VariantType.PACKED_BYTE_ARRAY, buf, len(data)), "PackedByteArray")
    if isinstance(value, MATH_TYPES):
        t = type(value).godot_type
        nums = (c_double * len(value))(*value)
        return _made(lib.sptcp_variant_new_math(t, nums, len(value)), type(value).__name__)
    if isinstance(value, Signal):
        return _made(lib.sptcp_variant_new_signal(_text(value.name, "a signal name"), value.object_id), "Signal")
    if isinstance(value, _CallableType):
        return lib.sptcp_variant_new_callable()
    if isinstance(value, GodotObject):
        return _new_object(value)
    if isinstance(value, _Packed):
        return _new_packed(value)
    if isinstance(value, (list, tuple)):
        return _new_array(value)
    if isinstance(value, dict):
        return _new_dict(value)
    raise TypeError(f"{type(value).__name__} has no Godot Variant type: {value!r}")


_NEW_EXACT: dict = {
    type(None): lambda v: lib.sptcp_variant_new_nil(),
    bool: lambda v: lib.sptcp_variant_new_bool(v),
    int: lambda v: lib.sptcp_variant_new_int(_int64(v)),
    float: lambda v: lib.sptcp_variant_new_float(v),
    str: lambda v: _made(lib.sptcp_variant_new_string(_text(v, "a string")), "String"),
    list: lambda v: _new_array(v),
    tuple: lambda v: _new_array(v),
    dict: lambda v: _new_dict(v),
}


def _class_typed(what: str, *names: str | None) -> None:
    for name in names:
        if name:
            raise ValueError(f"a {what} typed by the class or script {name!r} cannot be sent (only built-in types)")


def _new_array(value: list | tuple) -> int:
    """An ARRAY of `value`'s items; typed when `value` is a TypedArray."""
    typed = isinstance(value, TypedArray)
    if typed:
        _class_typed("TypedArray", value.class_name)
    arr = lib.sptcp_variant_new_array()
    try:
        if typed:
            check(lib.sptcp_variant_array_set_typed(arr, value.item_type))
        for item in value:
            code = lib.sptcp_variant_array_push(arr, _new(item))
            if code:
                if typed and code == Error.ERR_INVALID_PARAMETER:
                    raise ValueError(f"a TypedArray of {value.item_type.name} cannot hold {item!r}")
                check(code)
    except BaseException:
        lib.sptcp_variant_free(arr)
        raise
    return arr


def _new_dict(value: dict) -> int:
    """A DICTIONARY of `value`'s entries; typed for a TypedDictionary."""
    typed = isinstance(value, TypedDictionary)
    if typed:
        _class_typed("TypedDictionary", value.key_class, value.value_class)
    d = lib.sptcp_variant_new_dictionary()
    try:
        if typed:
            check(lib.sptcp_variant_dict_set_typed(d, value.key_type, value.value_type))
        for k, v in value.items():
            key = _new(k)
            try:
                val = _new(v)
            except BaseException:
                lib.sptcp_variant_free(key)
                raise
            code = lib.sptcp_variant_dict_set(d, key, val)
            if code:
                if typed and code == Error.ERR_INVALID_PARAMETER:
                    kt, vt = value.key_type.name, value.value_type.name
                    raise ValueError(f"a TypedDictionary of {kt} to {vt} cannot hold {k!r}: {v!r}")
                check(code)
    except BaseException:
        lib.sptcp_variant_free(d)
        raise
    return d


def _new_object(value: GodotObject) -> int:
    obj = _made(lib.sptcp_variant_new_object(_text(value.class_name, "a class name")), "Object")
    try:
        for name, v in value.properties.items():
            check(lib.sptcp_variant_object_set(obj, _text(name, "a property name"), _new(v)))
    except BaseException:
        lib.sptcp_variant_free(obj)
        raise
    return obj


def _new_packed(value: _Packed) -> int:
    t = value.godot_type
    if t == VariantType.PACKED_STRING_ARRAY:
        strs = (c_char_p * len(value))(*(_text(s, "a PackedStringArray element") for s in value))
        return _made(lib.sptcp_variant_new_packed_string_array(strs, len(value)), "PackedStringArray")
    flat: list = []
    for e in value:
        if value.width > 1:
            if len(e) != value.width:
                raise ValueError(f"{type(value).__name__} elements have {value.width} numbers, got {e!r}")
            flat.extend(e)
        else:
            flat.append(e)
    if t in (VariantType.PACKED_INT32_ARRAY, VariantType.PACKED_INT64_ARRAY):
        bits = 31 if t == VariantType.PACKED_INT32_ARRAY else 63
        for x in flat:
            if not isinstance(x, int) or not -(2**bits) <= x < 2**bits:
                raise OverflowError(f"{x!r} does not fit a {bits + 1}-bit int in {type(value).__name__}")
    arr = (_C_ELEMENT[t] * len(flat))(*flat)
    return _made(lib.sptcp_variant_new_packed(t, arr, len(value)), type(value).__name__)


def to_handle(value: Any) -> int:
    """A new sptcp_variant for `value` (caller frees it). Raises TypeError for
    values with no Godot type, OverflowError for ints beyond 64 bits, and
    ValueError for other values Godot cannot hold."""
    try:
        return _new(value)
    except RecursionError:
        raise ValueError("the value is nested too deeply to convert") from None


def _get_bool(v: int) -> bool:
    b = c_bool()
    lib.sptcp_variant_get_bool(v, b)  # ctypes passes out-values by reference
    return b.value


def _get_int(v: int) -> int:
    i = c_int64()
    lib.sptcp_variant_get_int(v, i)
    return i.value


def _get_float(v: int) -> float:
    f = c_double()
    lib.sptcp_variant_get_float(v, f)
    return f.value


def _get_text(v: int) -> str:
    p, n = c_void_p(), c_size_t()
    lib.sptcp_variant_get_string(v, p, n)
    return ctypes.string_at(p.value, n.value).decode("utf-8", "surrogatepass")


def _get_signal(v: int) -> Signal:
    oid = c_uint64()
    lib.sptcp_variant_get_id(v, oid)
    return Signal(_get_text(v), oid.value)


# The Python value of a leaf Variant, by type number (no enum is made per
# value); the rest go through _scalar.
_LEAF: dict = {
    int(VariantType.NIL): lambda v: None,
    int(VariantType.BOOL): _get_bool,
    int(VariantType.INT): _get_int,
    int(VariantType.FLOAT): _get_float,
    int(VariantType.STRING): _get_text,
    int(VariantType.STRING_NAME): lambda v: StringName(_get_text(v)),
    int(VariantType.NODE_PATH): lambda v: NodePath(_get_text(v)),
    int(VariantType.SIGNAL): _get_signal,
    int(VariantType.CALLABLE): lambda v: Callable,
}


def _scalar(v: int, t: int) -> Any:
    """The Python value of a Variant that contains no other Variant."""
    leaf = _LEAF.get(t)
    if leaf is not None:
        return leaf(v)
    if t in MATH_BY_TYPE:
        out, n = (c_double * 16)(), c_size_t()
        check(lib.sptcp_variant_get_math(v, out, 16, n))
        cls = MATH_BY_TYPE[t]
        nums = out[: n.value]
        return cls(*(int(x) for x in nums)) if t in _INTEGER_MATH else cls(*nums)
    if t in (VariantType.RID, VariantType.OBJECT):
        i = c_uint64()
        check(lib.sptcp_variant_get_id(v, i))
        return RID(i.value) if t == VariantType.RID else ObjectID(i.value)
    if t in _C_ELEMENT:
        data, n = c_void_p(), c_size_t()
        check(lib.sptcp_variant_get_packed(v, data, n))
        if t == VariantType.PACKED_BYTE_ARRAY:
            return ctypes.string_at(data.value, n.value) if n.value else b""
        cls = PACKED_BY_TYPE[t]
        flat = list((_C_ELEMENT[t] * (n.value * cls.width)).from_address(data.value)) if n.value else []
        if cls.width == 1:
            return cls(flat)
        return cls(tuple(flat[i : i + cls.width]) for i in range(0, len(flat), cls.width))
    if t == VariantType.PACKED_STRING_ARRAY:
        items = []
        for i in range(lib.sptcp_variant_size(v)):
            p, n = c_void_p(), c_size_t()
            check(lib.sptcp_variant_get_packed_string(v, i, p, n))
            items.append(ctypes.string_at(p.value, n.value).decode("utf-8", "surrogatepass"))
        return PackedStringArray(items)
    raise ValueError(f"unknown Variant type {t}")


def _name(p: c_void_p) -> str | None:
    return ctypes.string_at(p.value).decode("utf-8", "surrogatepass") if p.value else None


def _empty_array(h: int) -> list:
    """An empty `list`, or `TypedArray` when the Godot Array is typed."""
    t, name = c_int32(), c_void_p()
    check(lib.sptcp_variant_array_get_typed(h, t, name))
    if t.value == VariantType.NIL:
        return []
    return TypedArray(t.value, class_name=_name(name))


def _empty_dict(h: int) -> dict:
    """An empty `dict`, or `TypedDictionary` when a side is typed."""
    k, v, kc, vc = c_int32(), c_int32(), c_void_p(), c_void_p()
    check(lib.sptcp_variant_dict_get_typed(h, k, v, kc, vc))
    if k.value == VariantType.NIL and v.value == VariantType.NIL:
        return {}
    return TypedDictionary(k.value, v.value, key_class=_name(kc), value_class=_name(vc))


def _is_full_object(v: int) -> bool:
    p = c_void_p()
    return lib.sptcp_variant_object_get_class(v, p, None) == Error.OK


_ARRAY, _DICTIONARY, _OBJECT = int(VariantType.ARRAY), int(VariantType.DICTIONARY), int(VariantType.OBJECT)
_LIST, _DICT, _PROPS = 0, 1, 2  # what a frame fills


def from_handle(v: int) -> Any:
    """The Python value of a sptcp_variant (borrowed: not freed here).
    Nested values are walked with an explicit stack, so Godot's 1024 levels
    never hit Python's recursion limit. Raises ValueError for a Dictionary
    key that Python cannot hash (an Array, Dictionary or packed array)."""
    get_type = lib.sptcp_variant_get_type
    # Each frame: [python container, handle, next step, steps, kind,
    # pending dict key / property name, pending value handle]; a Dictionary
    # takes two steps per entry (key, value), from one dict_entry call.
    root: list = []
    stack: list = [[root, None, 0, 1, _LIST, None, None]]
    todo = v  # the one handle to convert next, or None
    while True:
        if todo is not None:
            h, todo = todo, None
            t = get_type(h)
            if t == _ARRAY:
                stack.append([_empty_array(h), h, 0, lib.sptcp_variant_size(h), _LIST, None, None])
            elif t == _DICTIONARY:
                stack.append([_empty_dict(h), h, 0, 2 * lib.sptcp_variant_size(h), _DICT, None, None])
            elif t == _OBJECT and _is_full_object(h):
                p, n = c_void_p(), c_size_t()
                lib.sptcp_variant_object_get_class(h, p, n)
                value = GodotObject(ctypes.string_at(p.value, n.value).decode(), {})
                stack.append([value, h, 0, lib.sptcp_variant_size(h), _PROPS, None, None])
            else:
                _deliver(stack[-1], _scalar(h, t))
            continue
        frame = stack[-1]
        h = frame[1]
        if h is None:
            return root[0]
        i = frame[2]
        if i < frame[3]:
            frame[2] = i + 1
            kind = frame[4]
            if kind == _LIST:
                todo = lib.sptcp_variant_array_get(h, i)
            elif kind == _DICT:
                if i % 2 == 0:
                    k, val = c_void_p(), c_void_p()
                    lib.sptcp_variant_dict_entry(h, i // 2, k, val)
                    frame[6] = val.value
                    todo = k.value
                else:
                    todo = frame[6]
            else:  # a full object's properties
                name, val = c_void_p(), c_void_p()
                lib.sptcp_variant_object_property(h, i, name, val)
                frame[5] = ctypes.string_at(name.value).decode()
                todo = val.value
            continue
        stack.pop()
        _deliver(stack[-1], frame[0])


def _deliver(frame: list, value: Any) -> None:
    """Puts a finished value into the container of `frame`."""
    kind = frame[4]
    if kind == _LIST:
        frame[0].append(value)
    elif kind == _DICT:
        if frame[2] % 2 == 1:  # a key: keep it until its value comes
            try:
                hash(value)
            except TypeError:
                raise ValueError(
                    f"a Godot Dictionary key of type {type(value).__name__} cannot be a Python dict key"
                ) from None
            frame[5] = value
        else:
            frame[0][frame[5]] = value
    else:
        frame[0].properties[frame[5]] = value


def var_to_bytes(value: Any, godot_major: int = 4, full_objects: bool = False) -> bytes:
    """Godot's `var_to_bytes` (no length prefix); Godot 3's format with
    godot_major=3. Raises GodotError (e.g. a type Godot 3 lacks), TypeError,
    OverflowError or ValueError."""
    h = to_handle(value)
    try:
        out, n = c_void_p(), c_size_t()
        check(lib.sptcp_var_to_bytes(h, godot_major, full_objects, out, n))
        try:
            return ctypes.string_at(out.value, n.value)
        finally:
            lib.sptcp_bytes_free(out)
    finally:
        lib.sptcp_variant_free(h)


def bytes_to_var(data: bytes, godot_major: int = 4, allow_objects: bool = False) -> Any:
    """Godot's `bytes_to_var`. Raises GodotError for malformed data (bounded:
    hostile input gives an error, never a crash or a huge allocation)."""
    data = bytes(data)
    buf = (c_uint8 * len(data)).from_buffer_copy(data) if data else None
    out = c_void_p()
    check(lib.sptcp_bytes_to_var(buf, len(data), godot_major, allow_objects, out, None))
    try:
        return from_handle(out.value)
    finally:
        lib.sptcp_variant_free(out)


__all__ = ["var_to_bytes", "bytes_to_var", "to_handle", "from_handle", "GodotError"]
