//! The `sptcp_variant_new_*` constructors.

use std::ffi::{c_char, c_void};

use super::{invalid, make, sptcp_variant, text_arg, variant_type};
use crate::core::variant::{Array, Dictionary, NodePath, Object, Text, Variant, VariantType};
use crate::ffi::boundary::export;

/// Creates a NIL value. Free every value with `sptcp_variant_free`.
#[no_mangle]
pub extern "C" fn sptcp_variant_new_nil() -> *mut sptcp_variant {
    export!(|_cx| make(|| Ok(Variant::Nil)))
}

/// Creates a BOOL value.
#[no_mangle]
pub extern "C" fn sptcp_variant_new_bool(v: bool) -> *mut sptcp_variant {
    export!(|_cx| make(|| Ok(Variant::Bool(v))))
}

/// Creates an INT value (64-bit; on the wire 32-bit when it fits, as Godot).
#[no_mangle]
pub extern "C" fn sptcp_variant_new_int(v: i64) -> *mut sptcp_variant {
    export!(|_cx| make(|| Ok(Variant::Int(v))))
}

/// Creates a FLOAT value (a double; on the wire a float when that loses
/// nothing, as Godot; NaN always as a double).
#[no_mangle]
pub extern "C" fn sptcp_variant_new_float(v: f64) -> *mut sptcp_variant {
    export!(|_cx| make(|| Ok(Variant::Float(v))))
}

/// Creates a STRING from NUL-terminated UTF-8. NULL for NULL or invalid
/// UTF-8.
#[no_mangle]
pub extern "C" fn sptcp_variant_new_string(utf8: *const c_char) -> *mut sptcp_variant {
    export!(|cx| { make(|| text_arg(cx, utf8, "utf8").map(Variant::String)) })
}

/// Creates a STRING_NAME from NUL-terminated UTF-8 (Godot 4 only: Godot 3
/// has no StringName). NULL for NULL or invalid UTF-8.
#[no_mangle]
pub extern "C" fn sptcp_variant_new_string_name(utf8: *const c_char) -> *mut sptcp_variant {
    export!(|cx| { make(|| text_arg(cx, utf8, "utf8").map(Variant::StringName)) })
}

/// Creates a NODE_PATH from Godot's path syntax: names separated by '/',
/// a leading '/' for an absolute path, subnames after ':'
/// ("/root/Player:position:x"). Empty segments are dropped. NULL for NULL
/// or invalid UTF-8.
#[no_mangle]
pub extern "C" fn sptcp_variant_new_node_path(path: *const c_char) -> *mut sptcp_variant {
    export!(|cx| {
        make(|| {
            let s = cx.str(path, "path")?;
            NodePath::parse(s)
                .map(Variant::node_path)
                .ok_or_else(|| invalid(format!("{}: bad path", cx.name())))
        })
    })
}

/// Creates a math value from `n` numbers in Godot's order:
/// VECTOR2/VECTOR2I x y (2); RECT2/RECT2I position x y, size x y (4);
/// VECTOR3/VECTOR3I (3); TRANSFORM2D x.x x.y y.x y.y origin.x origin.y
/// (6); VECTOR4/VECTOR4I (4); PLANE normal x y z, d (4); QUATERNION x y z
/// w (4); AABB position xyz, size xyz (6); BASIS rows (9); TRANSFORM3D
/// basis rows then origin (12); PROJECTION columns (16); COLOR r g b a (4).
///
/// `type` is a `sptcp_variant_type` number. The *I types need integral
/// values within int32. On the wire the real types are single-precision
/// floats (Godot's standard builds). NULL for another type, a wrong count,
/// NULL `c` or a bad integer value.
#[no_mangle]
pub extern "C" fn sptcp_variant_new_math(
    r#type: i32,
    c: *const f64,
    n: usize,
) -> *mut sptcp_variant {
    export!(|cx| {
        make(|| {
            let func = cx.name();
            let t = variant_type(r#type, func)?;
            let want = t
                .math_len()
                .ok_or_else(|| invalid(format!("{func}: {t:?} is not a math type")))?;
            if n != want {
                return Err(invalid(format!(
                    "{func}: {t:?} takes {want} numbers, got {n}"
                )));
            }
            let c: Vec<f64> = cx.elems(c.cast(), n)?;
            Variant::math(t, &c)
                .ok_or_else(|| invalid(format!("{func}: {t:?} needs integers within int32")))
        })
    })
}

/// Creates a RID (Godot 3 sends RIDs without their id).
#[no_mangle]
pub extern "C" fn sptcp_variant_new_rid(id: u64) -> *mut sptcp_variant {
    export!(|_cx| make(|| Ok(Variant::Rid(id))))
}

/// Creates an OBJECT given by instance id (how Godot sends objects
/// without full objects). 0 is the null object, which is sent as NIL, as
/// Godot does.
#[no_mangle]
pub extern "C" fn sptcp_variant_new_object_id(id: u64) -> *mut sptcp_variant {
    export!(|_cx| make(|| Ok(Variant::Object(Object::Id(id)))))
}

/// Creates a full OBJECT: a class name with no properties yet (add them
/// with `sptcp_variant_object_set`). Sent only with `full_objects`, and
/// received only with `allow_objects`. NULL for NULL, invalid UTF-8 or an
/// empty class name.
#[no_mangle]
pub extern "C" fn sptcp_variant_new_object(class_name: *const c_char) -> *mut sptcp_variant {
    export!(|cx| {
        make(|| {
            let class = text_arg(cx, class_name, "class_name")?;
            if class.is_empty() {
                return Err(invalid(format!("{}: empty class name", cx.name())));
            }
            Ok(Variant::Object(Object::full(class, Vec::new())))
        })
    })
}

/// Creates a CALLABLE. Callables carry nothing over the wire: Godot
/// decodes them as an empty Callable.
#[no_mangle]
pub extern "C" fn sptcp_variant_new_callable() -> *mut sptcp_variant {
    export!(|_cx| make(|| Ok(Variant::Callable)))
}

/// Creates a SIGNAL: a signal name and the id of the object that has it.
/// NULL for NULL or invalid UTF-8.
#[no_mangle]
pub extern "C" fn sptcp_variant_new_signal(
    name: *const c_char,
    object_id: u64,
) -> *mut sptcp_variant {
    export!(|cx| {
        make(|| {
            Ok(Variant::Signal {
                name: Box::new(text_arg(cx, name, "name")?),
                object: object_id,
            })
        })
    })
}

/// Creates an empty, untyped ARRAY.
#[no_mangle]
pub extern "C" fn sptcp_variant_new_array() -> *mut sptcp_variant {
    export!(|_cx| make(|| Ok(Variant::array(Array::default()))))
}

/// Creates an empty, untyped DICTIONARY (entries keep insertion order).
#[no_mangle]
pub extern "C" fn sptcp_variant_new_dictionary() -> *mut sptcp_variant {
    export!(|_cx| make(|| Ok(Variant::dictionary(Dictionary::default()))))
}

/// Creates a packed array from `count` elements at `data`, in their
/// natural C layout: PACKED_BYTE_ARRAY uint8_t, PACKED_INT32_ARRAY
/// int32_t, PACKED_INT64_ARRAY int64_t, PACKED_FLOAT32_ARRAY float,
/// PACKED_FLOAT64_ARRAY double, PACKED_VECTOR2_ARRAY float[2],
/// PACKED_VECTOR3_ARRAY float[3], PACKED_COLOR_ARRAY and
/// PACKED_VECTOR4_ARRAY float[4]. `data` may be NULL when `count` is 0.
/// For strings use `sptcp_variant_new_packed_string_array`. NULL for any
/// other type or NULL data.
#[no_mangle]
pub extern "C" fn sptcp_variant_new_packed(
    r#type: i32,
    data: *const c_void,
    count: usize,
) -> *mut sptcp_variant {
    export!(|cx| {
        make(|| {
            let func = cx.name();
            use VariantType::*;
            Ok(match variant_type(r#type, func)? {
                TYPE_PACKED_BYTE_ARRAY => Variant::PackedBytes(cx.elems(data, count)?),
                TYPE_PACKED_INT32_ARRAY => Variant::PackedInt32(cx.elems(data, count)?),
                TYPE_PACKED_INT64_ARRAY => Variant::PackedInt64(cx.elems(data, count)?),
                TYPE_PACKED_FLOAT32_ARRAY => Variant::PackedFloat32(cx.elems(data, count)?),
                TYPE_PACKED_FLOAT64_ARRAY => Variant::PackedFloat64(cx.elems(data, count)?),
                TYPE_PACKED_VECTOR2_ARRAY => Variant::PackedVector2(cx.elems(data, count)?),
                TYPE_PACKED_VECTOR3_ARRAY => Variant::PackedVector3(cx.elems(data, count)?),
                TYPE_PACKED_COLOR_ARRAY => Variant::PackedColor(cx.elems(data, count)?),
                TYPE_PACKED_VECTOR4_ARRAY => Variant::PackedVector4(cx.elems(data, count)?),
                t => {
                    return Err(invalid(format!(
                        "{func}: {t:?} is not a numeric packed array type"
                    )))
                }
            })
        })
    })
}

/// Creates a PACKED_STRING_ARRAY from `count` NUL-terminated UTF-8
/// strings. `strs` may be NULL when `count` is 0. NULL for a NULL string
/// or invalid UTF-8.
#[no_mangle]
pub extern "C" fn sptcp_variant_new_packed_string_array(
    strs: *const *const c_char,
    count: usize,
) -> *mut sptcp_variant {
    export!(|cx| {
        make(|| {
            let strs = cx.strs(strs, count)?;
            Ok(Variant::PackedStrings(
                strs.iter().map(|s| Text::until_nul(s)).collect(),
            ))
        })
    })
}
