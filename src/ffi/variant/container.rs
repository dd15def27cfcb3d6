//! Arrays, dictionaries and full objects: adding to them, reading their
//! items and types.

use std::ffi::c_char;

use super::{invalid, sptcp_variant, text_arg, variant_type, with_var, wrong_type};
use crate::core::error::{Error, Failure, Result};
use crate::core::variant::{ContainerType, Object, Variant, VariantType, MAX_DEPTH};
use crate::ffi::boundary::{export, put_out, Call};
use crate::ffi::enums::sptcp_error;
use crate::ffi::handle::{borrowed, free_box, take_box};

/// Checks that `child` may go one level below a top-level container.
fn check_nesting(child: &Variant, func: &str) -> Result<()> {
    if 1 + child.depth() > MAX_DEPTH {
        return Err(Failure::new(
            Error::ERR_OUT_OF_MEMORY,
            format!("{func}: nesting deeper than {MAX_DEPTH} levels"),
        ));
    }
    Ok(())
}

/// Takes over the `items` (the container's job): runs `f` with the
/// container and them; the items are freed if `f` is not reached. An item
/// that is the container itself is refused (taking it would free the
/// container).
pub(crate) fn adopt(
    cx: &Call,
    container: *mut sptcp_variant,
    items: &[*mut sptcp_variant],
    f: impl FnOnce(&mut Variant, Vec<Variant>) -> Result<()>,
) -> Result<sptcp_error> {
    if !container.is_null() && items.contains(&container) {
        // Taking the container would free it: take only the others.
        for &p in items.iter().filter(|&&p| p != container) {
            free_box(p);
        }
        return Err(cx.invalid("a value cannot go inside itself"));
    }
    // Ownership of every item passes to us first, whatever happens next.
    let taken: Vec<Option<Variant>> = items.iter().map(|&p| take_box(p)).collect();
    let c = cx.get_mut(container, "container")?;
    let Some(values) = taken.into_iter().collect::<Option<Vec<_>>>() else {
        return Err(cx.null("an item"));
    };
    f(c, values)?;
    Ok(sptcp_error::SPTCP_OK)
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
    export!(|cx| {
        let func = cx.name();
        adopt(cx, array, &[item], |c, mut items| {
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
    export!(|cx| match cx.get(array, "array")? {
        Variant::Array(a) => Ok(a.items.get(i).map_or(std::ptr::null(), borrowed)),
        v => Err(wrong_type(cx.name(), v)),
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
    export!(|cx| {
        let func = cx.name();
        adopt(cx, array, &[], |c, _| {
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
    })
}

fn container_type(t: i32, func: &str) -> Result<ContainerType> {
    Ok(match variant_type(t, func)? {
        VariantType::TYPE_NIL => ContainerType::None,
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
    export!(|cx| {
        let func = cx.name();
        adopt(cx, dict, &[key, value], |c, mut kv| {
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
    export!(|cx| match (cx.get(dict, "dict")?, cx.get(key, "key")?) {
        (Variant::Dictionary(d), k) => Ok(d.get(k).map_or(std::ptr::null(), borrowed)),
        (v, _) => Err(wrong_type(cx.name(), v)),
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
    export!(|cx| {
        put_out(key, std::ptr::null());
        put_out(value, std::ptr::null());
        let func = cx.name();
        with_var(cx, dict, |d| {
            let Variant::Dictionary(d) = d else {
                return Err(wrong_type(func, d));
            };
            let (k, v) = d
                .entries()
                .get(i)
                .ok_or_else(|| invalid(format!("{func}: entry {i} of {}", d.len())))?;
            put_out(key, borrowed(k));
            put_out(value, borrowed(v));
            Ok(())
        })
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
    export!(|cx| {
        let func = cx.name();
        adopt(cx, dict, &[], |c, _| {
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
    export!(|cx| {
        put_container_type(&ContainerType::None, elem, class_name);
        let func = cx.name();
        with_var(cx, v, |x| match x {
            Variant::Array(a) => {
                put_container_type(&a.elem_type, elem, class_name);
                Ok(())
            }
            _ => Err(wrong_type(func, x)),
        })
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
    export!(|cx| {
        put_container_type(&ContainerType::None, key, key_class);
        put_container_type(&ContainerType::None, value, value_class);
        let func = cx.name();
        with_var(cx, v, |x| match x {
            Variant::Dictionary(d) => {
                put_container_type(&d.key_type, key, key_class);
                put_container_type(&d.value_type, value, value_class);
                Ok(())
            }
            _ => Err(wrong_type(func, x)),
        })
    })
}

/// Writes a container's item type the way the `_get_typed` calls give it.
fn put_container_type(t: &ContainerType, ty: *mut i32, class_name: *mut *const c_char) {
    let (number, name) = match t {
        ContainerType::None => (VariantType::TYPE_NIL, None),
        ContainerType::Builtin(b) => (*b, None),
        ContainerType::ClassName(n) | ContainerType::Script(n) => {
            (VariantType::TYPE_OBJECT, Some(n.as_c().as_ptr()))
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
    export!(|cx| {
        let func = cx.name();
        adopt(cx, object, &[value], |c, mut items| {
            let value = items.pop().expect("one item");
            let name = text_arg(cx, name, "name")?;
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
    export!(|cx| {
        put_out(out, std::ptr::null());
        put_out(len, 0);
        let func = cx.name();
        with_var(cx, v, |x| match x {
            Variant::Object(Object::Full(f)) => {
                put_out(out, f.class.as_c().as_ptr());
                put_out(len, f.class.len());
                Ok(())
            }
            _ => Err(wrong_type(func, x)),
        })
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
    export!(|cx| {
        put_out(name, std::ptr::null());
        put_out(value, std::ptr::null());
        let func = cx.name();
        with_var(cx, v, |x| match x {
            Variant::Object(Object::Full(f)) => {
                let (n, val) = f.properties.get(i).ok_or_else(|| {
                    invalid(format!("{func}: property {i} of {}", f.properties.len()))
                })?;
                put_out(name, n.as_c().as_ptr());
                put_out(value, borrowed(val));
                Ok(())
            }
            _ => Err(wrong_type(func, x)),
        })
    })
}

/// How many elements: items of an ARRAY, entries of a DICTIONARY,
/// elements of a packed array, properties of a full OBJECT; 0 for other
/// values and NULL.
#[no_mangle]
pub extern "C" fn sptcp_variant_size(v: *const sptcp_variant) -> usize {
    export!(|cx| Ok(cx.get(v, "v")?.len()))
}
