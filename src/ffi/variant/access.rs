//! Reading a value: its type, scalars, strings, math values, ids, packed
//! arrays; comparing, copying and freeing values.

use std::ffi::{c_char, c_void};

use super::{get_scalar, invalid, sptcp_variant, with_var, wrong_type};
use crate::core::error::{Error, Failure};
use crate::core::variant::{Object, Variant};
use crate::ffi::boundary::{export, put_out};
use crate::ffi::enums::{sptcp_error, sptcp_variant_type};
use crate::ffi::handle::{free_box, new_box};

/// The value's type; NIL for NULL.
#[no_mangle]
pub extern "C" fn sptcp_variant_get_type(v: *const sptcp_variant) -> sptcp_variant_type {
    export!(|cx| Ok(cx.get(v, "v")?.get_type().into()))
}

/// Reads a BOOL into `*out` (false on failure). `SPTCP_ERR_INVALID_PARAMETER`
/// for another type or NULL pointers.
#[no_mangle]
pub extern "C" fn sptcp_variant_get_bool(v: *const sptcp_variant, out: *mut bool) -> sptcp_error {
    export!(|cx| {
        get_scalar(cx, v, out, false, |x| match x {
            Variant::Bool(b) => Some(*b),
            _ => None,
        })
    })
}

/// Reads an INT into `*out` (0 on failure). `SPTCP_ERR_INVALID_PARAMETER`
/// for another type (a FLOAT is not converted) or NULL pointers.
#[no_mangle]
pub extern "C" fn sptcp_variant_get_int(v: *const sptcp_variant, out: *mut i64) -> sptcp_error {
    export!(|cx| {
        get_scalar(cx, v, out, 0, |x| match x {
            Variant::Int(i) => Some(*i),
            _ => None,
        })
    })
}

/// Reads a FLOAT into `*out` (0 on failure). `SPTCP_ERR_INVALID_PARAMETER`
/// for another type (an INT is not converted) or NULL pointers.
#[no_mangle]
pub extern "C" fn sptcp_variant_get_float(v: *const sptcp_variant, out: *mut f64) -> sptcp_error {
    export!(|cx| {
        get_scalar(cx, v, out, 0.0, |x| match x {
            Variant::Float(f) => Some(*f),
            _ => None,
        })
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
    export!(|cx| {
        put_out(out, std::ptr::null());
        put_out(len, 0);
        let func = cx.name();
        cx.need(out, "out")?;
        with_var(cx, v, |x| {
            let t = match x {
                Variant::String(t) | Variant::StringName(t) => t,
                Variant::NodePath(p) => p.text(),
                Variant::Signal { name, .. } => &**name,
                _ => return Err(wrong_type(func, x)),
            };
            put_out(out, t.as_c().as_ptr());
            put_out(len, t.len());
            Ok(())
        })
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
    export!(|cx| {
        put_out(n, 0);
        let func = cx.name();
        with_var(cx, v, |x| {
            let Variant::Math(_, c) = x else {
                return Err(wrong_type(func, x));
            };
            put_out(n, c.len());
            if cap < c.len() {
                return Err(Failure::new(
                    Error::ERR_PARAMETER_RANGE_ERROR,
                    format!("{func}: room for {cap} numbers, {} needed", c.len()),
                ));
            }
            let dst = cx.bytes_mut(out.cast(), std::mem::size_of_val(&c[..]), "out")?;
            for (chunk, x) in dst.chunks_exact_mut(8).zip(c) {
                chunk.copy_from_slice(&x.to_ne_bytes());
            }
            Ok(())
        })
    })
}

/// Reads the id of a RID, of an OBJECT sent by id (0: the null object), or
/// of a SIGNAL's object into `*out` (0 on failure).
/// `SPTCP_ERR_INVALID_PARAMETER` for other values (a full object has no
/// id) or NULL pointers.
#[no_mangle]
pub extern "C" fn sptcp_variant_get_id(v: *const sptcp_variant, out: *mut u64) -> sptcp_error {
    export!(|cx| {
        get_scalar(cx, v, out, 0, |x| match x {
            Variant::Rid(id)
            | Variant::Object(Object::Id(id))
            | Variant::Signal { object: id, .. } => Some(*id),
            _ => None,
        })
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
    export!(|cx| {
        put_out(data, std::ptr::null());
        put_out(count, 0);
        let func = cx.name();
        cx.need(data, "data")?;
        with_var(cx, v, |x| {
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
    export!(|cx| {
        put_out(out, std::ptr::null());
        put_out(len, 0);
        let func = cx.name();
        cx.need(out, "out")?;
        with_var(cx, v, |x| {
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
    })
}

/// Godot's `==`: INT and FLOAT compare by value (1 == 1.0), NaN is unequal
/// to everything (itself included), arrays compare item by item,
/// dictionaries entry by entry in any order, other types must match.
/// False when either is NULL.
#[no_mangle]
pub extern "C" fn sptcp_variant_equal(a: *const sptcp_variant, b: *const sptcp_variant) -> bool {
    export!(|cx| Ok(cx.get(a, "a")?.godot_eq(cx.get(b, "b")?)))
}

/// A deep copy, owned by the caller (free it with `sptcp_variant_free`).
/// NULL for NULL.
#[no_mangle]
pub extern "C" fn sptcp_variant_duplicate(v: *const sptcp_variant) -> *mut sptcp_variant {
    export!(|cx| Ok(new_box(cx.get(v, "v")?.clone())))
}

/// Frees a value and everything in it. NULL is fine; freeing twice, or
/// freeing a borrowed pointer (from `_get` or `_entry`), is not (undefined
/// behaviour).
#[no_mangle]
pub extern "C" fn sptcp_variant_free(v: *mut sptcp_variant) {
    export!(|_cx| {
        free_box(v);
        Ok(())
    })
}
