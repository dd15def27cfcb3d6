//! `sptcp_variant`: Godot values for `put_var` / `get_var`, with builders,
//! accessors and `var_to_bytes` / `bytes_to_var`.

use std::ffi::{c_char, c_void};

use super::boundary::{
    elems_arg, free_malloced, guard, handle, handle_mut, into_handle, malloc_copy, null_arg,
    put_out, report, str_arg, strs_arg, take_handle,
};
use super::peer::sptcp_peer;
use crate::core::error::{sptcp_error, Failure, Result};
use crate::core::variant::{
    decode::decode, encode::encode, sptcp_variant_type, Array, ContainerType, Dictionary, Format,
    NodePath, Object, Text, Variant, VariantType, MAX_DEPTH,
};

/// One Godot value (a Variant): nil, bool, int, float, string, the math
/// types, NodePath, RID, Object, Callable, Signal, Dictionary, Array and
/// the packed arrays.
///
/// Made by the `sptcp_variant_new_*` functions, `sptcp_variant_duplicate`,
/// `sptcp_get_var` and `sptcp_bytes_to_var`; freed by `sptcp_variant_free`.
/// Values passed to `sptcp_variant_array_push`, `sptcp_variant_dict_set`
/// and `sptcp_variant_object_set` are taken over by the container and must
/// not be freed by the caller. Pointers returned by the `_get` and
/// `_entry` calls borrow from the container: they stay valid until the
/// container is changed or freed, and are never freed themselves.
///
/// Nesting is limited to 1024 levels, as in Godot.
pub struct sptcp_variant {
    _private: [u8; 0],
}

fn var<'a>(p: *const sptcp_variant) -> Option<&'a Variant> {
    handle(p.cast::<Variant>())
}

fn var_mut<'a>(p: *mut sptcp_variant) -> Option<&'a mut Variant> {
    handle_mut(p.cast::<Variant>())
}

fn new_handle(v: Variant) -> *mut sptcp_variant {
    into_handle(v).cast()
}

fn take(p: *mut sptcp_variant) -> Option<Variant> {
    take_handle(p.cast::<Variant>())
}

fn borrow(v: &Variant) -> *const sptcp_variant {
    (v as *const Variant).cast()
}

fn invalid(msg: String) -> Failure {
    Failure::new(sptcp_error::SPTCP_ERR_INVALID_PARAMETER, msg)
}

fn variant_type(t: i32, func: &str) -> Result<VariantType> {
    u32::try_from(t)
        .ok()
        .and_then(VariantType::from_id)
        .ok_or_else(|| invalid(format!("{func}: {t} is not a variant type (0..38)")))
}

fn format_arg(major: i32, func: &str) -> Result<Format> {
    Format::from_major(major)
        .ok_or_else(|| invalid(format!("{func}: godot_major must be 3 or 4, got {major}")))
}

fn text_arg(p: *const c_char, func: &str, arg: &str) -> Result<Text> {
    // A C string holds no NUL, so this cannot fail.
    str_arg(p, func, arg).map(|s| Text::new(s).unwrap_or_default())
}

/// Runs a constructor: NULL (with the reason in the last error message) on
/// bad input or a panic.
fn make(f: impl FnOnce() -> Result<Variant>) -> *mut sptcp_variant {
    guard(std::ptr::null_mut(), || match f() {
        Ok(v) => new_handle(v),
        Err(e) => {
            report(e);
            std::ptr::null_mut()
        }
    })
}

/// Runs `f` on a value for a function returning `sptcp_error`.
fn with_var(
    v: *const sptcp_variant,
    func: &str,
    f: impl FnOnce(&Variant) -> Result<()>,
) -> sptcp_error {
    guard(sptcp_error::SPTCP_ERR_BUG, || match var(v) {
        None => null_arg(func, "v", sptcp_error::SPTCP_ERR_INVALID_PARAMETER),
        Some(x) => match f(x) {
            Ok(()) => sptcp_error::SPTCP_OK,
            Err(e) => report(e),
        },
    })
}

/// A scalar accessor: `*out` gets `nothing` first, then `pick`'s value; a
/// value `pick` does not accept is a type mismatch.
fn get_scalar<T: Copy>(
    v: *const sptcp_variant,
    out: *mut T,
    nothing: T,
    func: &str,
    pick: impl FnOnce(&Variant) -> Option<T>,
) -> sptcp_error {
    put_out(out, nothing);
    if out.is_null() {
        return null_arg(func, "out", sptcp_error::SPTCP_ERR_INVALID_PARAMETER);
    }
    with_var(v, func, |x| match pick(x) {
        Some(value) => {
            put_out(out, value);
            Ok(())
        }
        None => Err(wrong_type(func, x)),
    })
}

fn wrong_type(func: &str, v: &Variant) -> Failure {
    invalid(format!("{func}: the value is a {:?}", v.get_type()))
}

/// Creates a NIL value. Free every value with `sptcp_variant_free`.
#[no_mangle]
pub extern "C" fn sptcp_variant_new_nil() -> *mut sptcp_variant {
    make(|| Ok(Variant::Nil))
}

/// Creates a BOOL value.
#[no_mangle]
pub extern "C" fn sptcp_variant_new_bool(v: bool) -> *mut sptcp_variant {
    make(|| Ok(Variant::Bool(v)))
}

/// Creates an INT value (64-bit; on the wire 32-bit when it fits, as Godot).
#[no_mangle]
pub extern "C" fn sptcp_variant_new_int(v: i64) -> *mut sptcp_variant {
    make(|| Ok(Variant::Int(v)))
}

/// Creates a FLOAT value (a double; on the wire a float when that loses
/// nothing, as Godot; NaN always as a double).
#[no_mangle]
pub extern "C" fn sptcp_variant_new_float(v: f64) -> *mut sptcp_variant {
    make(|| Ok(Variant::Float(v)))
}

/// Creates a STRING from NUL-terminated UTF-8. NULL for NULL or invalid
/// UTF-8.
#[no_mangle]
pub extern "C" fn sptcp_variant_new_string(utf8: *const c_char) -> *mut sptcp_variant {
    make(|| text_arg(utf8, "sptcp_variant_new_string", "utf8").map(Variant::String))
}

/// Creates a STRING_NAME from NUL-terminated UTF-8 (Godot 4 only: Godot 3
/// has no StringName). NULL for NULL or invalid UTF-8.
#[no_mangle]
pub extern "C" fn sptcp_variant_new_string_name(utf8: *const c_char) -> *mut sptcp_variant {
    make(|| text_arg(utf8, "sptcp_variant_new_string_name", "utf8").map(Variant::StringName))
}

/// Creates a NODE_PATH from Godot's path syntax: names separated by '/',
/// a leading '/' for an absolute path, subnames after ':'
/// ("/root/Player:position:x"). Empty segments are dropped. NULL for NULL
/// or invalid UTF-8.
#[no_mangle]
pub extern "C" fn sptcp_variant_new_node_path(path: *const c_char) -> *mut sptcp_variant {
    make(|| {
        let s = str_arg(path, "sptcp_variant_new_node_path", "path")?;
        NodePath::parse(s)
            .map(Variant::node_path)
            .ok_or_else(|| invalid("sptcp_variant_new_node_path: bad path".into()))
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
    make(|| {
        let func = "sptcp_variant_new_math";
        let t = variant_type(r#type, func)?;
        let want = t
            .math_len()
            .ok_or_else(|| invalid(format!("{func}: {t:?} is not a math type")))?;
        if n != want {
            return Err(invalid(format!(
                "{func}: {t:?} takes {want} numbers, got {n}"
            )));
        }
        let c: Vec<f64> = elems_arg(c.cast(), n, func)?;
        Variant::math(t, &c)
            .ok_or_else(|| invalid(format!("{func}: {t:?} needs integers within int32")))
    })
}

/// Creates a RID (Godot 3 sends RIDs without their id).
#[no_mangle]
pub extern "C" fn sptcp_variant_new_rid(id: u64) -> *mut sptcp_variant {
    make(|| Ok(Variant::Rid(id)))
}

/// Creates an OBJECT given by instance id (how Godot sends objects
/// without full objects). 0 is the null object, which is sent as NIL, as
/// Godot does.
#[no_mangle]
pub extern "C" fn sptcp_variant_new_object_id(id: u64) -> *mut sptcp_variant {
    make(|| Ok(Variant::Object(Object::Id(id))))
}

/// Creates a full OBJECT: a class name with no properties yet (add them
/// with `sptcp_variant_object_set`). Sent only with `full_objects`, and
/// received only with `allow_objects`. NULL for NULL, invalid UTF-8 or an
/// empty class name.
#[no_mangle]
pub extern "C" fn sptcp_variant_new_object(class_name: *const c_char) -> *mut sptcp_variant {
    make(|| {
        let class = text_arg(class_name, "sptcp_variant_new_object", "class_name")?;
        if class.is_empty() {
            return Err(invalid("sptcp_variant_new_object: empty class name".into()));
        }
        Ok(Variant::Object(Object::full(class, Vec::new())))
    })
}

/// Creates a CALLABLE. Callables carry nothing over the wire: Godot
/// decodes them as an empty Callable.
#[no_mangle]
pub extern "C" fn sptcp_variant_new_callable() -> *mut sptcp_variant {
    make(|| Ok(Variant::Callable))
}

/// Creates a SIGNAL: a signal name and the id of the object that has it.
/// NULL for NULL or invalid UTF-8.
#[no_mangle]
pub extern "C" fn sptcp_variant_new_signal(
    name: *const c_char,
    object_id: u64,
) -> *mut sptcp_variant {
    make(|| {
        Ok(Variant::Signal {
            name: text_arg(name, "sptcp_variant_new_signal", "name")?,
            object: object_id,
        })
    })
}

/// Creates an empty, untyped ARRAY.
#[no_mangle]
pub extern "C" fn sptcp_variant_new_array() -> *mut sptcp_variant {
    make(|| Ok(Variant::array(Array::default())))
}

/// Creates an empty, untyped DICTIONARY (entries keep insertion order).
#[no_mangle]
pub extern "C" fn sptcp_variant_new_dictionary() -> *mut sptcp_variant {
    make(|| Ok(Variant::dictionary(Dictionary::default())))
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
    make(|| {
        let func = "sptcp_variant_new_packed";
        use VariantType::*;
        Ok(match variant_type(r#type, func)? {
            SPTCP_TYPE_PACKED_BYTE_ARRAY => Variant::PackedBytes(elems_arg(data, count, func)?),
            SPTCP_TYPE_PACKED_INT32_ARRAY => Variant::PackedInt32(elems_arg(data, count, func)?),
            SPTCP_TYPE_PACKED_INT64_ARRAY => Variant::PackedInt64(elems_arg(data, count, func)?),
            SPTCP_TYPE_PACKED_FLOAT32_ARRAY => {
                Variant::PackedFloat32(elems_arg(data, count, func)?)
            }
            SPTCP_TYPE_PACKED_FLOAT64_ARRAY => {
                Variant::PackedFloat64(elems_arg(data, count, func)?)
            }
            SPTCP_TYPE_PACKED_VECTOR2_ARRAY => {
                Variant::PackedVector2(elems_arg(data, count, func)?)
            }
            SPTCP_TYPE_PACKED_VECTOR3_ARRAY => {
                Variant::PackedVector3(elems_arg(data, count, func)?)
            }
            SPTCP_TYPE_PACKED_COLOR_ARRAY => Variant::PackedColor(elems_arg(data, count, func)?),
            SPTCP_TYPE_PACKED_VECTOR4_ARRAY => {
                Variant::PackedVector4(elems_arg(data, count, func)?)
            }
            t => {
                return Err(invalid(format!(
                    "{func}: {t:?} is not a numeric packed array type"
                )))
            }
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
    make(|| {
        let strs = strs_arg(strs, count, "sptcp_variant_new_packed_string_array")?;
        Ok(Variant::PackedStrings(
            strs.iter().map(|s| Text::until_nul(s)).collect(),
        ))
    })
}

/// Checks that `child` may go one level below a top-level container.
fn check_nesting(child: &Variant, func: &str) -> Result<()> {
    if 1 + child.depth() > MAX_DEPTH {
        return Err(Failure::new(
            sptcp_error::SPTCP_ERR_OUT_OF_MEMORY,
            format!("{func}: nesting deeper than {MAX_DEPTH} levels"),
        ));
    }
    Ok(())
}

/// Takes over `item` and `container`'s job: runs `f` with both, freeing the
/// item if `f` is not reached.
fn adopt(
    container: *mut sptcp_variant,
    items: &[*mut sptcp_variant],
    func: &str,
    f: impl FnOnce(&mut Variant, Vec<Variant>) -> Result<()>,
) -> sptcp_error {
    guard(sptcp_error::SPTCP_ERR_BUG, || {
        // Ownership of every item passes to us first, whatever happens next.
        let taken: Vec<Option<Variant>> = items.iter().map(|&p| take(p)).collect();
        let Some(c) = var_mut(container) else {
            return null_arg(func, "container", sptcp_error::SPTCP_ERR_INVALID_PARAMETER);
        };
        let Some(values) = taken.into_iter().collect::<Option<Vec<_>>>() else {
            return null_arg(func, "an item", sptcp_error::SPTCP_ERR_INVALID_PARAMETER);
        };
        match f(c, values) {
            Ok(()) => sptcp_error::SPTCP_OK,
            Err(e) => report(e),
        }
    })
}

/// Appends `item` to an ARRAY, taking ownership of `item` (also when it
/// fails: never free or reuse `item` afterwards), so calls nest:
/// `sptcp_variant_array_push(a, sptcp_variant_new_int(1))`.
///
/// `SPTCP_ERR_INVALID_PARAMETER` when `array` is NULL or not an ARRAY,
/// `item` is NULL, or the array is typed and `item` is not of its type;
/// `SPTCP_ERR_OUT_OF_MEMORY` when nesting would pass 1024 levels.
#[no_mangle]
pub extern "C" fn sptcp_variant_array_push(
    array: *mut sptcp_variant,
    item: *mut sptcp_variant,
) -> sptcp_error {
    let func = "sptcp_variant_array_push";
    adopt(array, &[item], func, |c, mut items| {
        let item = items.pop().expect("one item");
        let Variant::Array(a) = c else {
            return Err(wrong_type(func, c));
        };
        if !a.elem_type.admits(&item) {
            return Err(invalid(format!(
                "{func}: the array is typed {:?}, the item is a {:?}",
                a.elem_type,
                item.get_type()
            )));
        }
        check_nesting(&item, func)?;
        a.items.push(item);
        Ok(())
    })
}

/// The `i`-th item of an ARRAY, borrowed (valid until the array changes or
/// is freed; do not free it). NULL when out of range, or when `array` is
/// NULL or not an ARRAY.
#[no_mangle]
pub extern "C" fn sptcp_variant_array_get(
    array: *const sptcp_variant,
    i: usize,
) -> *const sptcp_variant {
    guard(std::ptr::null(), || match var(array) {
        Some(Variant::Array(a)) => a.items.get(i).map_or(std::ptr::null(), borrow),
        Some(v) => {
            report(wrong_type("sptcp_variant_array_get", v));
            std::ptr::null()
        }
        None => null_arg("sptcp_variant_array_get", "array", std::ptr::null()),
    })
}

/// Types an ARRAY: every item must then be of type `elem` (a
/// `sptcp_variant_type` number; NIL makes the array untyped again). On the
/// wire Godot 4 marks it typed (Godot 3 has no typed arrays and gets a
/// plain one). `SPTCP_ERR_INVALID_PARAMETER` when an item already in the
/// array is of another type, for a bad type number, or when `array` is NULL
/// or not an ARRAY.
#[no_mangle]
pub extern "C" fn sptcp_variant_array_set_typed(
    array: *mut sptcp_variant,
    elem: i32,
) -> sptcp_error {
    let func = "sptcp_variant_array_set_typed";
    adopt(array, &[], func, |c, _| {
        let t = container_type(elem, func)?;
        let Variant::Array(a) = c else {
            return Err(wrong_type(func, c));
        };
        if let Some(bad) = a.items.iter().find(|x| !t.admits(x)) {
            return Err(invalid(format!(
                "{func}: the array holds a {:?}",
                bad.get_type()
            )));
        }
        a.elem_type = t;
        Ok(())
    })
}

fn container_type(t: i32, func: &str) -> Result<ContainerType> {
    Ok(match variant_type(t, func)? {
        VariantType::SPTCP_TYPE_NIL => ContainerType::None,
        t => ContainerType::Builtin(t),
    })
}

/// Sets `dict[key] = value`, taking ownership of both `key` and `value`
/// (also when it fails). An existing equal key keeps its place and gets the
/// new value; a new key goes last (Godot keeps insertion order). Keys are
/// equal when they are of the same type and value (1 and 1.0 are
/// different keys, as in Godot).
///
/// `SPTCP_ERR_INVALID_PARAMETER` when `dict` is NULL or not a DICTIONARY,
/// `key` or `value` is NULL, or they do not fit a typed dictionary;
/// `SPTCP_ERR_OUT_OF_MEMORY` when nesting would pass 1024 levels.
#[no_mangle]
pub extern "C" fn sptcp_variant_dict_set(
    dict: *mut sptcp_variant,
    key: *mut sptcp_variant,
    value: *mut sptcp_variant,
) -> sptcp_error {
    let func = "sptcp_variant_dict_set";
    adopt(dict, &[key, value], func, |c, mut kv| {
        let value = kv.pop().expect("two items");
        let key = kv.pop().expect("two items");
        let Variant::Dictionary(d) = c else {
            return Err(wrong_type(func, c));
        };
        if !d.key_type.admits(&key) || !d.value_type.admits(&value) {
            return Err(invalid(format!(
                "{func}: the dictionary is typed {:?} → {:?}",
                d.key_type, d.value_type
            )));
        }
        check_nesting(&key, func)?;
        check_nesting(&value, func)?;
        d.set(key, value);
        Ok(())
    })
}

/// The value stored under `key` in a DICTIONARY, borrowed (do not free
/// it). NULL when the key is absent, or when `dict` or `key` is NULL or
/// `dict` is not a DICTIONARY.
#[no_mangle]
pub extern "C" fn sptcp_variant_dict_get(
    dict: *const sptcp_variant,
    key: *const sptcp_variant,
) -> *const sptcp_variant {
    guard(std::ptr::null(), || match (var(dict), var(key)) {
        (Some(Variant::Dictionary(d)), Some(k)) => d.get(k).map_or(std::ptr::null(), borrow),
        (Some(v), Some(_)) => {
            report(wrong_type("sptcp_variant_dict_get", v));
            std::ptr::null()
        }
        _ => null_arg("sptcp_variant_dict_get", "dict or key", std::ptr::null()),
    })
}

/// The `i`-th entry of a DICTIONARY in insertion order: `*key` and
/// `*value` get borrowed pointers (either out pointer may be NULL). Both
/// are set to NULL on failure: `SPTCP_ERR_INVALID_PARAMETER` when `i` is
/// out of range, or `dict` is NULL or not a DICTIONARY.
#[no_mangle]
pub extern "C" fn sptcp_variant_dict_entry(
    dict: *const sptcp_variant,
    i: usize,
    key: *mut *const sptcp_variant,
    value: *mut *const sptcp_variant,
) -> sptcp_error {
    put_out(key, std::ptr::null());
    put_out(value, std::ptr::null());
    let func = "sptcp_variant_dict_entry";
    with_var(dict, func, |d| {
        let Variant::Dictionary(d) = d else {
            return Err(wrong_type(func, d));
        };
        let (k, v) = d
            .entries()
            .get(i)
            .ok_or_else(|| invalid(format!("{func}: entry {i} of {}", d.len())))?;
        put_out(key, borrow(k));
        put_out(value, borrow(v));
        Ok(())
    })
}

/// Types a DICTIONARY's keys and values (`sptcp_variant_type` numbers; NIL
/// leaves that side untyped). `SPTCP_ERR_INVALID_PARAMETER` when an entry
/// already present does not fit, for a bad type number, or when `dict` is
/// NULL or not a DICTIONARY.
#[no_mangle]
pub extern "C" fn sptcp_variant_dict_set_typed(
    dict: *mut sptcp_variant,
    key: i32,
    value: i32,
) -> sptcp_error {
    let func = "sptcp_variant_dict_set_typed";
    adopt(dict, &[], func, |c, _| {
        let (kt, vt) = (container_type(key, func)?, container_type(value, func)?);
        let Variant::Dictionary(d) = c else {
            return Err(wrong_type(func, c));
        };
        if d.entries()
            .iter()
            .any(|(k, v)| !kt.admits(k) || !vt.admits(v))
        {
            return Err(invalid(format!("{func}: an entry does not fit")));
        }
        d.key_type = kt;
        d.value_type = vt;
        Ok(())
    })
}

/// The type of a typed ARRAY's items: `*elem` gets a `sptcp_variant_type`
/// number (NIL when the array is untyped; OBJECT when it is typed by a
/// class or a script), and `*class_name` (if not NULL) borrows the class
/// name, or the script's `res://` path, of an array typed that way (NULL
/// otherwise; NUL-terminated, valid while the value lives). Either out
/// pointer may be NULL. On failure `*elem` is NIL and `*class_name` NULL:
/// `SPTCP_ERR_INVALID_PARAMETER` when `v` is NULL or not an ARRAY.
#[no_mangle]
pub extern "C" fn sptcp_variant_array_get_typed(
    v: *const sptcp_variant,
    elem: *mut i32,
    class_name: *mut *const c_char,
) -> sptcp_error {
    put_container_type(&ContainerType::None, elem, class_name);
    let func = "sptcp_variant_array_get_typed";
    with_var(v, func, |x| match x {
        Variant::Array(a) => {
            put_container_type(&a.elem_type, elem, class_name);
            Ok(())
        }
        _ => Err(wrong_type(func, x)),
    })
}

/// The key and value types of a typed DICTIONARY, each as
/// `sptcp_variant_array_get_typed` gives an array's item type: `*key` and
/// `*value` get `sptcp_variant_type` numbers (NIL for an untyped side),
/// `*key_class` and `*value_class` borrow the class name or script path of
/// a side typed that way (NULL otherwise). Every out pointer may be NULL.
/// `SPTCP_ERR_INVALID_PARAMETER` (and NIL, NULL) when `v` is NULL or not a
/// DICTIONARY.
#[no_mangle]
pub extern "C" fn sptcp_variant_dict_get_typed(
    v: *const sptcp_variant,
    key: *mut i32,
    value: *mut i32,
    key_class: *mut *const c_char,
    value_class: *mut *const c_char,
) -> sptcp_error {
    put_container_type(&ContainerType::None, key, key_class);
    put_container_type(&ContainerType::None, value, value_class);
    let func = "sptcp_variant_dict_get_typed";
    with_var(v, func, |x| match x {
        Variant::Dictionary(d) => {
            put_container_type(&d.key_type, key, key_class);
            put_container_type(&d.value_type, value, value_class);
            Ok(())
        }
        _ => Err(wrong_type(func, x)),
    })
}

/// Writes a container's item type the way the `_get_typed` calls give it.
fn put_container_type(t: &ContainerType, ty: *mut i32, class_name: *mut *const c_char) {
    let (number, name) = match t {
        ContainerType::None => (VariantType::SPTCP_TYPE_NIL, None),
        ContainerType::Builtin(b) => (*b, None),
        ContainerType::ClassName(n) | ContainerType::Script(n) => {
            (VariantType::SPTCP_TYPE_OBJECT, Some(n.as_c().as_ptr()))
        }
    };
    put_out(ty, number as i32);
    put_out(class_name, name.unwrap_or(std::ptr::null()));
}

/// Sets property `name` of a full OBJECT to `value`, taking ownership of
/// `value` (also when it fails). A property set twice keeps its place.
/// `SPTCP_ERR_INVALID_PARAMETER` when `object` is NULL or not a full
/// object, `name` is NULL or invalid UTF-8, or `value` is NULL.
#[no_mangle]
pub extern "C" fn sptcp_variant_object_set(
    object: *mut sptcp_variant,
    name: *const c_char,
    value: *mut sptcp_variant,
) -> sptcp_error {
    let func = "sptcp_variant_object_set";
    adopt(object, &[value], func, |c, mut items| {
        let value = items.pop().expect("one item");
        let name = text_arg(name, func, "name")?;
        let Variant::Object(Object::Full(f)) = c else {
            return Err(wrong_type(func, c));
        };
        check_nesting(&value, func)?;
        match f.properties.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => f.properties.push((name, value)),
        }
        Ok(())
    })
}

/// The class name of a full OBJECT: `*out` borrows it (NUL-terminated,
/// valid while the value lives), `*len` (if not NULL) gets its length.
/// `SPTCP_ERR_INVALID_PARAMETER` (and `*out` NULL) for other values.
#[no_mangle]
pub extern "C" fn sptcp_variant_object_get_class(
    v: *const sptcp_variant,
    out: *mut *const c_char,
    len: *mut usize,
) -> sptcp_error {
    put_out(out, std::ptr::null());
    put_out(len, 0);
    let func = "sptcp_variant_object_get_class";
    with_var(v, func, |x| match x {
        Variant::Object(Object::Full(f)) => {
            put_out(out, f.class.as_c().as_ptr());
            put_out(len, f.class.len());
            Ok(())
        }
        _ => Err(wrong_type(func, x)),
    })
}

/// The `i`-th property of a full OBJECT, in order: `*name` borrows its
/// name, `*value` its value (either out pointer may be NULL; both NULL on
/// failure). `SPTCP_ERR_INVALID_PARAMETER` when `i` is out of range or `v`
/// is not a full object.
#[no_mangle]
pub extern "C" fn sptcp_variant_object_property(
    v: *const sptcp_variant,
    i: usize,
    name: *mut *const c_char,
    value: *mut *const sptcp_variant,
) -> sptcp_error {
    put_out(name, std::ptr::null());
    put_out(value, std::ptr::null());
    let func = "sptcp_variant_object_property";
    with_var(v, func, |x| match x {
        Variant::Object(Object::Full(f)) => {
            let (n, val) = f.properties.get(i).ok_or_else(|| {
                invalid(format!("{func}: property {i} of {}", f.properties.len()))
            })?;
            put_out(name, n.as_c().as_ptr());
            put_out(value, borrow(val));
            Ok(())
        }
        _ => Err(wrong_type(func, x)),
    })
}

/// How many elements: items of an ARRAY, entries of a DICTIONARY,
/// elements of a packed array, properties of a full OBJECT; 0 for other
/// values and NULL.
#[no_mangle]
pub extern "C" fn sptcp_variant_size(v: *const sptcp_variant) -> usize {
    guard(0, || var(v).map_or(0, Variant::len))
}

/// The value's type; NIL for NULL.
#[no_mangle]
pub extern "C" fn sptcp_variant_get_type(v: *const sptcp_variant) -> sptcp_variant_type {
    guard(VariantType::SPTCP_TYPE_NIL, || {
        var(v).map_or(VariantType::SPTCP_TYPE_NIL, Variant::get_type)
    })
}

/// Reads a BOOL into `*out` (false on failure). `SPTCP_ERR_INVALID_PARAMETER`
/// for another type or NULL pointers.
#[no_mangle]
pub extern "C" fn sptcp_variant_get_bool(v: *const sptcp_variant, out: *mut bool) -> sptcp_error {
    get_scalar(v, out, false, "sptcp_variant_get_bool", |x| match x {
        Variant::Bool(b) => Some(*b),
        _ => None,
    })
}

/// Reads an INT into `*out` (0 on failure). `SPTCP_ERR_INVALID_PARAMETER`
/// for another type (a FLOAT is not converted) or NULL pointers.
#[no_mangle]
pub extern "C" fn sptcp_variant_get_int(v: *const sptcp_variant, out: *mut i64) -> sptcp_error {
    get_scalar(v, out, 0, "sptcp_variant_get_int", |x| match x {
        Variant::Int(i) => Some(*i),
        _ => None,
    })
}

/// Reads a FLOAT into `*out` (0 on failure). `SPTCP_ERR_INVALID_PARAMETER`
/// for another type (an INT is not converted) or NULL pointers.
#[no_mangle]
pub extern "C" fn sptcp_variant_get_float(v: *const sptcp_variant, out: *mut f64) -> sptcp_error {
    get_scalar(v, out, 0.0, "sptcp_variant_get_float", |x| match x {
        Variant::Float(f) => Some(*f),
        _ => None,
    })
}

/// The text of a STRING, STRING_NAME, NODE_PATH (in path syntax) or
/// SIGNAL (its name): `*out` borrows it, NUL-terminated and valid while the
/// value lives; `*len` (if not NULL) gets its length in bytes. On failure
/// `*out` is NULL and `*len` 0: `SPTCP_ERR_INVALID_PARAMETER` for other
/// types or NULL `v` / `out`.
#[no_mangle]
pub extern "C" fn sptcp_variant_get_string(
    v: *const sptcp_variant,
    out: *mut *const c_char,
    len: *mut usize,
) -> sptcp_error {
    put_out(out, std::ptr::null());
    put_out(len, 0);
    let func = "sptcp_variant_get_string";
    if out.is_null() {
        return null_arg(func, "out", sptcp_error::SPTCP_ERR_INVALID_PARAMETER);
    }
    with_var(v, func, |x| {
        let t = match x {
            Variant::String(t) | Variant::StringName(t) => t,
            Variant::NodePath(p) => p.text(),
            Variant::Signal { name, .. } => name,
            _ => return Err(wrong_type(func, x)),
        };
        put_out(out, t.as_c().as_ptr());
        put_out(len, t.len());
        Ok(())
    })
}

/// Copies the numbers of a math value (VECTOR2 … PROJECTION, COLOR; order
/// as in `sptcp_variant_new_math`) into `out`, which has room for `cap`.
/// `*n` (if not NULL) gets the count. `SPTCP_ERR_PARAMETER_RANGE_ERROR`
/// when `cap` is smaller than the count (nothing is copied; `*n` says how
/// many are needed); `SPTCP_ERR_INVALID_PARAMETER` for other types, NULL
/// `v`, or NULL `out` with `cap > 0`.
#[no_mangle]
pub extern "C" fn sptcp_variant_get_math(
    v: *const sptcp_variant,
    out: *mut f64,
    cap: usize,
    n: *mut usize,
) -> sptcp_error {
    put_out(n, 0);
    let func = "sptcp_variant_get_math";
    with_var(v, func, |x| {
        let Variant::Math(_, c) = x else {
            return Err(wrong_type(func, x));
        };
        put_out(n, c.len());
        if cap < c.len() {
            return Err(Failure::new(
                sptcp_error::SPTCP_ERR_PARAMETER_RANGE_ERROR,
                format!("{func}: room for {cap} numbers, {} needed", c.len()),
            ));
        }
        let dst =
            super::boundary::bytes_out(out.cast(), std::mem::size_of_val(c.as_slice()), func)?;
        for (chunk, x) in dst.chunks_exact_mut(8).zip(c) {
            chunk.copy_from_slice(&x.to_ne_bytes());
        }
        Ok(())
    })
}

/// Reads the id of a RID, of an OBJECT sent by id (0: the null object), or
/// of a SIGNAL's object into `*out` (0 on failure).
/// `SPTCP_ERR_INVALID_PARAMETER` for other values (a full object has no
/// id) or NULL pointers.
#[no_mangle]
pub extern "C" fn sptcp_variant_get_id(v: *const sptcp_variant, out: *mut u64) -> sptcp_error {
    get_scalar(v, out, 0, "sptcp_variant_get_id", |x| match x {
        Variant::Rid(id) | Variant::Object(Object::Id(id)) | Variant::Signal { object: id, .. } => {
            Some(*id)
        }
        _ => None,
    })
}

/// The elements of a numeric packed array, borrowed in their C layout (see
/// `sptcp_variant_new_packed`): `*data` points to them (valid while the
/// value lives and is not changed; may be NULL when empty), `*count` gets
/// their number. On failure `*data` is NULL and `*count` 0:
/// `SPTCP_ERR_INVALID_PARAMETER` for other types (PACKED_STRING_ARRAY
/// included: use `sptcp_variant_get_packed_string`) or NULL pointers.
#[no_mangle]
pub extern "C" fn sptcp_variant_get_packed(
    v: *const sptcp_variant,
    data: *mut *const c_void,
    count: *mut usize,
) -> sptcp_error {
    put_out(data, std::ptr::null());
    put_out(count, 0);
    let func = "sptcp_variant_get_packed";
    if data.is_null() {
        return null_arg(func, "data", sptcp_error::SPTCP_ERR_INVALID_PARAMETER);
    }
    with_var(v, func, |x| {
        let (p, n): (*const c_void, usize) = match x {
            Variant::PackedBytes(a) => (a.as_ptr().cast(), a.len()),
            Variant::PackedInt32(a) => (a.as_ptr().cast(), a.len()),
            Variant::PackedInt64(a) => (a.as_ptr().cast(), a.len()),
            Variant::PackedFloat32(a) => (a.as_ptr().cast(), a.len()),
            Variant::PackedFloat64(a) => (a.as_ptr().cast(), a.len()),
            Variant::PackedVector2(a) => (a.as_ptr().cast(), a.len()),
            Variant::PackedVector3(a) => (a.as_ptr().cast(), a.len()),
            Variant::PackedColor(a) | Variant::PackedVector4(a) => (a.as_ptr().cast(), a.len()),
            _ => return Err(wrong_type(func, x)),
        };
        put_out(data, p);
        put_out(count, n);
        Ok(())
    })
}

/// The `i`-th string of a PACKED_STRING_ARRAY: `*out` borrows it
/// (NUL-terminated), `*len` (if not NULL) gets its length. On failure
/// `*out` is NULL: `SPTCP_ERR_INVALID_PARAMETER` when `i` is out of range,
/// for other types or NULL pointers.
#[no_mangle]
pub extern "C" fn sptcp_variant_get_packed_string(
    v: *const sptcp_variant,
    i: usize,
    out: *mut *const c_char,
    len: *mut usize,
) -> sptcp_error {
    put_out(out, std::ptr::null());
    put_out(len, 0);
    let func = "sptcp_variant_get_packed_string";
    if out.is_null() {
        return null_arg(func, "out", sptcp_error::SPTCP_ERR_INVALID_PARAMETER);
    }
    with_var(v, func, |x| {
        let Variant::PackedStrings(a) = x else {
            return Err(wrong_type(func, x));
        };
        let s = a
            .get(i)
            .ok_or_else(|| invalid(format!("{func}: string {i} of {}", a.len())))?;
        put_out(out, s.as_c().as_ptr());
        put_out(len, s.len());
        Ok(())
    })
}

/// Godot's `==`: INT and FLOAT compare by value (1 == 1.0), NaN is unequal
/// to everything (itself included), arrays compare item by item,
/// dictionaries entry by entry in any order, other types must match.
/// False when either is NULL.
#[no_mangle]
pub extern "C" fn sptcp_variant_equal(a: *const sptcp_variant, b: *const sptcp_variant) -> bool {
    guard(false, || match (var(a), var(b)) {
        (Some(x), Some(y)) => x.godot_eq(y),
        _ => false,
    })
}

/// A deep copy, owned by the caller (free it with `sptcp_variant_free`).
/// NULL for NULL.
#[no_mangle]
pub extern "C" fn sptcp_variant_duplicate(v: *const sptcp_variant) -> *mut sptcp_variant {
    guard(std::ptr::null_mut(), || match var(v) {
        Some(x) => new_handle(x.clone()),
        None => null_arg("sptcp_variant_duplicate", "v", std::ptr::null_mut()),
    })
}

/// Frees a value and everything in it. NULL is fine; freeing twice, or
/// freeing a borrowed pointer (from `_get` or `_entry`), is not (undefined
/// behaviour).
#[no_mangle]
pub extern "C" fn sptcp_variant_free(v: *mut sptcp_variant) {
    guard((), || drop(take(v)))
}

/// Sends a Variant the way Godot's `put_var` does: a 4-byte length (which
/// follows `sptcp_set_big_endian`), then the value encoded in the peer's
/// format (`sptcp_set_variant_format`, Godot 4 by default; the body is
/// always little-endian). With `full_objects`, full OBJECTs are sent with
/// their class and properties; without, sending one is an error.
///
/// `SPTCP_ERR_INVALID_PARAMETER` for NULL, a full object without
/// `full_objects`, or (Godot 3 format) a type Godot 3 does not have;
/// `SPTCP_ERR_OUT_OF_MEMORY` for nesting past 1024 levels; otherwise the
/// errors of `sptcp_put_data`. Nothing is sent on an encoding error.
#[no_mangle]
pub extern "C" fn sptcp_put_var(
    peer: *mut sptcp_peer,
    v: *const sptcp_variant,
    full_objects: bool,
) -> sptcp_error {
    guard(sptcp_error::SPTCP_ERR_BUG, || {
        let Some(p) = handle_mut(peer) else {
            return null_arg(
                "sptcp_put_var",
                "peer",
                sptcp_error::SPTCP_ERR_INVALID_PARAMETER,
            );
        };
        let Some(x) = var(v) else {
            return null_arg(
                "sptcp_put_var",
                "v",
                sptcp_error::SPTCP_ERR_INVALID_PARAMETER,
            );
        };
        match p.inner.put_var(x, full_objects) {
            Ok(()) => sptcp_error::SPTCP_OK,
            Err(e) => report(e),
        }
    })
}

/// Receives a Variant the way Godot's `get_var` does: reads the 4-byte
/// length and that many bytes, and decodes them in the peer's format
/// (bytes past the value are dropped, as in Godot). `*out` gets a new
/// value owned by the caller, or NULL on failure.
///
/// The length is refused before any allocation when it is negative or
/// above the peer's max message size (`SPTCP_ERR_INVALID_DATA`; the 4
/// length bytes are consumed, the payload is not). Decoding is bounded:
/// counts are checked against the bytes present, nesting stops at 1024
/// levels (`SPTCP_ERR_OUT_OF_MEMORY`). A full object without
/// `allow_objects` is `SPTCP_ERR_UNAUTHORIZED` (objects sent by id always
/// decode); a string cut short `SPTCP_ERR_FILE_EOF`; anything else
/// malformed `SPTCP_ERR_INVALID_DATA`; reading errors are those of
/// `sptcp_get_data`. `SPTCP_ERR_INVALID_PARAMETER` for NULL `peer` or `out`.
#[no_mangle]
pub extern "C" fn sptcp_get_var(
    peer: *mut sptcp_peer,
    allow_objects: bool,
    out: *mut *mut sptcp_variant,
) -> sptcp_error {
    put_out(out, std::ptr::null_mut());
    guard(sptcp_error::SPTCP_ERR_BUG, || {
        let Some(p) = handle_mut(peer) else {
            return null_arg(
                "sptcp_get_var",
                "peer",
                sptcp_error::SPTCP_ERR_INVALID_PARAMETER,
            );
        };
        if out.is_null() {
            return null_arg(
                "sptcp_get_var",
                "out",
                sptcp_error::SPTCP_ERR_INVALID_PARAMETER,
            );
        }
        match p.inner.get_var(allow_objects) {
            Ok(v) => {
                put_out(out, new_handle(v));
                sptcp_error::SPTCP_OK
            }
            Err(e) => report(e),
        }
    })
}

/// Chooses the Variant wire format of this peer's `sptcp_put_var` /
/// `sptcp_get_var`: 4 (Godot 4, the default) or 3 (Godot 3's type ids).
/// Typed values and strings are the same in both.
/// `SPTCP_ERR_INVALID_PARAMETER` for other numbers or NULL.
#[no_mangle]
pub extern "C" fn sptcp_set_variant_format(peer: *mut sptcp_peer, godot_major: i32) -> sptcp_error {
    guard(sptcp_error::SPTCP_ERR_BUG, || {
        let Some(p) = handle_mut(peer) else {
            return null_arg(
                "sptcp_set_variant_format",
                "peer",
                sptcp_error::SPTCP_ERR_INVALID_PARAMETER,
            );
        };
        match format_arg(godot_major, "sptcp_set_variant_format") {
            Ok(f) => {
                p.inner.variant_format = f;
                sptcp_error::SPTCP_OK
            }
            Err(e) => report(e),
        }
    })
}

/// The peer's Variant format: 4 or 3 (0 for NULL).
#[no_mangle]
pub extern "C" fn sptcp_get_variant_format(peer: *const sptcp_peer) -> i32 {
    guard(0, || match handle(peer) {
        Some(p) => p.inner.variant_format.major(),
        None => null_arg("sptcp_get_variant_format", "peer", 0),
    })
}

/// Encodes a value like Godot's `var_to_bytes` (`full_objects`: like
/// `var_to_bytes_with_objects`), for Godot 4 or 3 (`godot_major`), without
/// a length prefix. `*out` gets a new buffer freed with `sptcp_bytes_free`,
/// `*out_len` its length (a multiple of 4). On failure `*out` is NULL and
/// `*out_len` 0; errors as `sptcp_put_var`.
#[no_mangle]
pub extern "C" fn sptcp_var_to_bytes(
    v: *const sptcp_variant,
    godot_major: i32,
    full_objects: bool,
    out: *mut *mut u8,
    out_len: *mut usize,
) -> sptcp_error {
    put_out(out, std::ptr::null_mut());
    put_out(out_len, 0);
    let func = "sptcp_var_to_bytes";
    if out.is_null() {
        return null_arg(func, "out", sptcp_error::SPTCP_ERR_INVALID_PARAMETER);
    }
    with_var(v, func, |x| {
        let bytes = encode(x, format_arg(godot_major, func)?, full_objects)?;
        let p = malloc_copy(&bytes);
        if p.is_null() {
            return Err(Failure::new(
                sptcp_error::SPTCP_ERR_OUT_OF_MEMORY,
                format!("{func}: out of memory"),
            ));
        }
        put_out(out, p);
        put_out(out_len, bytes.len());
        Ok(())
    })
}

/// Decodes one value from `len` bytes at `data`, like Godot's
/// `bytes_to_var` (`allow_objects`: `bytes_to_var_with_objects`), for
/// Godot 4 or 3. `*out` gets a new value owned by the caller (NULL on
/// failure); `*used` (if not NULL) how many bytes it took, as Godot counts
/// them (a trailing byte array's padding counts even when absent).
/// Decoding is bounded and its errors are those of `sptcp_get_var`.
#[no_mangle]
pub extern "C" fn sptcp_bytes_to_var(
    data: *const u8,
    len: usize,
    godot_major: i32,
    allow_objects: bool,
    out: *mut *mut sptcp_variant,
    used: *mut usize,
) -> sptcp_error {
    put_out(out, std::ptr::null_mut());
    put_out(used, 0);
    let func = "sptcp_bytes_to_var";
    guard(sptcp_error::SPTCP_ERR_BUG, || {
        if out.is_null() {
            return null_arg(func, "out", sptcp_error::SPTCP_ERR_INVALID_PARAMETER);
        }
        let run = || -> Result<()> {
            let bytes = super::boundary::bytes_arg(data, len, func)?;
            let (v, n) = decode(bytes, format_arg(godot_major, func)?, allow_objects)?;
            put_out(out, new_handle(v));
            put_out(used, n);
            Ok(())
        };
        match run() {
            Ok(()) => sptcp_error::SPTCP_OK,
            Err(e) => report(e),
        }
    })
}

/// Frees a buffer from `sptcp_var_to_bytes`. NULL is fine; twice is not.
#[no_mangle]
pub extern "C" fn sptcp_bytes_free(b: *mut u8) {
    guard((), || free_malloced(b))
}
