"""Python classes for the Godot values that have no plain Python twin.

| Godot type | Python |
|---|---|
| null | `None` |
| bool, int, float | `bool`, `int` (64-bit range), `float` |
| String | `str` |
| StringName, NodePath | `StringName`, `NodePath` (both `str` subclasses) |
| Vector2, Vector2i, Rect2, Rect2i, Vector3, Vector3i, Transform2D, Vector4, Vector4i, Plane, Quaternion, AABB, Basis, Transform3D, Projection, Color | the classes of the same names here: named tuples of floats (ints for the `i` types) |
| RID | `RID` (an `int` subclass: the id) |
| Object | `ObjectID` (an `int` subclass: an instance id sent without full objects; 0 is the null object, sent as null) or `GodotObject(class_name, properties)` (full objects) |
| Callable | `Callable` (carries nothing over the wire) |
| Signal | `Signal(name, object_id)` |
| Dictionary | `dict` (insertion order kept; keys must be hashable in Python); a typed one (`Dictionary[K, V]`) is a `TypedDictionary` |
| Array | `list`; `tuple` is also sent as an Array; a typed one (`Array[T]`) is a `TypedArray` |
| PackedByteArray | `bytes` (also `bytearray`, `memoryview` when sending) |
| PackedInt32Array, PackedInt64Array, PackedFloat32Array, PackedFloat64Array, PackedStringArray, PackedVector2Array, PackedVector3Array, PackedColorArray, PackedVector4Array | the `list` subclasses of the same names here (vector elements are tuples) |
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, NamedTuple, Union

from .enums import VariantType


def _math(name: str, type_id: VariantType, fields: str, integer: bool = False) -> type:
    kind = int if integer else float
    cls = NamedTuple(name, [(f, kind) for f in fields.split()])
    cls.__doc__ = f"Godot's {name}: ({', '.join(fields.split())}), in Godot's wire order."
    cls.godot_type = type_id
    return cls


Vector2 = _math("Vector2", VariantType.VECTOR2, "x y")
Vector2i = _math("Vector2i", VariantType.VECTOR2I, "x y", integer=True)
Rect2 = _math("Rect2", VariantType.RECT2, "x y width height")
Rect2i = _math("Rect2i", VariantType.RECT2I, "x y width height", integer=True)
Vector3 = _math("Vector3", VariantType.VECTOR3, "x y z")
Vector3i = _math("Vector3i", VariantType.VECTOR3I, "x y z", integer=True)
# Transform2D: the x axis, the y axis, the origin.
Transform2D = _math("Transform2D", VariantType.TRANSFORM2D, "xx xy yx yy ox oy")
Vector4 = _math("Vector4", VariantType.VECTOR4, "x y z w")
Vector4i = _math("Vector4i", VariantType.VECTOR4I, "x y z w", integer=True)
Plane = _math("Plane", VariantType.PLANE, "x y z d")
Quaternion = _math("Quaternion", VariantType.QUATERNION, "x y z w")
AABB = _math("AABB", VariantType.AABB, "x y z width height depth")
# Basis: the three rows (Godot's `rows`), row-major.
Basis = _math("Basis", VariantType.BASIS, "m00 m01 m02 m10 m11 m12 m20 m21 m22")
Transform3D = _math("Transform3D", VariantType.TRANSFORM3D, "m00 m01 m02 m10 m11 m12 m20 m21 m22 ox oy oz")
# Projection: the four columns, column-major.
Projection = _math(
    "Projection", VariantType.PROJECTION, "c0x c0y c0z c0w c1x c1y c1z c1w c2x c2y c2z c2w c3x c3y c3z c3w"
)
Color = _math("Color", VariantType.COLOR, "r g b a")

MATH_TYPES = (
    Vector2, Vector2i, Rect2, Rect2i, Vector3, Vector3i, Transform2D, Vector4, Vector4i, Plane, Quaternion,
    AABB, Basis, Transform3D, Projection, Color,
)
MATH_BY_TYPE = {cls.godot_type: cls for cls in MATH_TYPES}


class StringName(str):
    """Godot's StringName (Godot 4 only)."""

    def __repr__(self) -> str:
        return f"StringName({str.__repr__(self)})"


class NodePath(str):
    """Godot's NodePath, in path syntax: "/root/Main:position:x"."""

    def __repr__(self) -> str:
        return f"NodePath({str.__repr__(self)})"


class RID(int):
    """A resource id (Godot 3 sends RIDs without their id: they arrive as 0)."""

    def __repr__(self) -> str:
        return f"RID({int(self)})"


class ObjectID(int):
    """An Object sent by instance id; 0 is the null object."""

    def __repr__(self) -> str:
        return f"ObjectID({int(self)})"


class _CallableType:
    """Godot's Callable: nothing of it crosses the wire."""

    _instance = None

    def __new__(cls) -> _CallableType:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "Callable"


Callable = _CallableType()


class Signal(NamedTuple):
    """Godot's Signal: a signal name and the id of the object that has it."""

    name: str
    object_id: int


class GodotObject(NamedTuple):
    """A full Object (sent with full_objects, received with allow_objects):
    its class and stored properties, in order."""

    class_name: str
    properties: dict[str, Any]


class _Packed(list):
    godot_type: VariantType
    width = 1

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list.__repr__(self)})"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and list.__eq__(self, other)  # type: ignore[arg-type]

    __hash__ = None  # type: ignore[assignment]


class PackedInt32Array(_Packed):
    godot_type = VariantType.PACKED_INT32_ARRAY


class PackedInt64Array(_Packed):
    godot_type = VariantType.PACKED_INT64_ARRAY


class PackedFloat32Array(_Packed):
    godot_type = VariantType.PACKED_FLOAT32_ARRAY


class PackedFloat64Array(_Packed):
    godot_type = VariantType.PACKED_FLOAT64_ARRAY


class PackedStringArray(_Packed):
    godot_type = VariantType.PACKED_STRING_ARRAY


class PackedVector2Array(_Packed):
    godot_type = VariantType.PACKED_VECTOR2_ARRAY
    width = 2


class PackedVector3Array(_Packed):
    godot_type = VariantType.PACKED_VECTOR3_ARRAY
    width = 3


class PackedColorArray(_Packed):
    godot_type = VariantType.PACKED_COLOR_ARRAY
    width = 4


class PackedVector4Array(_Packed):
    godot_type = VariantType.PACKED_VECTOR4_ARRAY
    width = 4


PACKED_TYPES = (
    PackedInt32Array, PackedInt64Array, PackedFloat32Array, PackedFloat64Array, PackedStringArray,
    PackedVector2Array, PackedVector3Array, PackedColorArray, PackedVector4Array,
)
PACKED_BY_TYPE = {cls.godot_type: cls for cls in PACKED_TYPES}


# Python classes that name a Godot type, for TypedArray / TypedDictionary.
_TYPE_OF_CLASS: dict[type, VariantType] = {
    bool: VariantType.BOOL,
    int: VariantType.INT,
    float: VariantType.FLOAT,
    str: VariantType.STRING,
    StringName: VariantType.STRING_NAME,
    NodePath: VariantType.NODE_PATH,
    RID: VariantType.RID,
    ObjectID: VariantType.OBJECT,
    GodotObject: VariantType.OBJECT,
    Signal: VariantType.SIGNAL,
    dict: VariantType.DICTIONARY,
    list: VariantType.ARRAY,
    tuple: VariantType.ARRAY,
    bytes: VariantType.PACKED_BYTE_ARRAY,
    **{cls: cls.godot_type for cls in MATH_TYPES},
    **{cls: cls.godot_type for cls in PACKED_TYPES},
}

TypeSpec = Union[VariantType, int, type, None]


def variant_type_of(spec: TypeSpec) -> VariantType:
    """The Godot type a TypedArray / TypedDictionary item type names: a
    `VariantType` (or its number), a Python class of the table above (`int`,
    `str`, `Vector2`, `PackedByteArray` as `bytes`, ...), or None for
    "untyped" (NIL). Raises ValueError for anything else."""
    if spec is None:
        return VariantType.NIL
    if isinstance(spec, type):
        found = _TYPE_OF_CLASS.get(spec)
        if found is None:
            raise ValueError(f"{spec.__name__} names no Godot type")
        return found
    try:
        return VariantType(spec)
    except ValueError:
        raise ValueError(f"{spec!r} is not a Godot type") from None


class TypedArray(list):
    """Godot's typed Array (`Array[int]`, `Array[Vector2]`, ...): a `list`
    whose items must all be of `item_type`. `TypedArray(int, [1, 2])`;
    the type may also be a `VariantType`. Arrays Godot types by a class or
    a script arrive with item_type OBJECT and that class name (or `res://`
    path) in `class_name`; those can be received but not sent. Equality
    compares the items only, as Godot's `==` does; check `item_type` to
    tell typed from untyped. The item types are checked when sending:
    a wrong item raises ValueError."""

    def __init__(self, item_type: TypeSpec, items: Iterable[Any] = (), class_name: str | None = None) -> None:
        super().__init__(items)
        self.item_type = variant_type_of(item_type)
        self.class_name = class_name

    def __repr__(self) -> str:
        of = self.class_name or self.item_type.name
        return f"TypedArray({of}, {list.__repr__(self)})"


class TypedDictionary(dict):
    """Godot's typed Dictionary (`Dictionary[String, int]`, ...): a `dict`
    whose keys are all of `key_type` and values of `value_type` (None or
    NIL leaves a side untyped). `TypedDictionary(str, int, {"hp": 3})`.
    Class- or script-typed sides arrive as OBJECT with `key_class` /
    `value_class` set, and cannot be sent. Equality compares the entries
    only, as Godot's `==` does."""

    def __init__(
        self,
        key_type: TypeSpec,
        value_type: TypeSpec,
        items: Mapping[Any, Any] | Iterable[tuple[Any, Any]] = (),
        key_class: str | None = None,
        value_class: str | None = None,
    ) -> None:
        super().__init__(items)
        self.key_type = variant_type_of(key_type)
        self.value_type = variant_type_of(value_type)
        self.key_class = key_class
        self.value_class = value_class

    def __repr__(self) -> str:
        k = self.key_class or self.key_type.name
        v = self.value_class or self.value_type.name
        return f"TypedDictionary({k}, {v}, {dict.__repr__(self)})"
