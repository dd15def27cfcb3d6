//! `sptcp_variant`: Godot values for `put_var` / `get_var`. The exports
//! are grouped as a reader looks for them: `new.rs` the constructors,
//! `container.rs` arrays, dictionaries and objects, `access.rs` reading a
//! value (and copying and freeing it), `wire.rs` the wire calls
//! (`put_var` / `get_var`, the format, `var_to_bytes` / `bytes_to_var`).
//! What they share is here.

use std::ffi::c_char;

use super::boundary::{put_out, Call};
use super::enums::sptcp_error;
use super::handle::{new_box, Castable};
use crate::core::error::{Error, Failure, Result};
use crate::core::variant::{Format, Text, Variant, VariantType};

mod access;
mod container;
mod new;
mod wire;

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

impl Castable for sptcp_variant {
    type RustType = Variant;
}

pub(crate) fn invalid(msg: String) -> Failure {
    Failure::new(Error::ERR_INVALID_PARAMETER, msg)
}

pub(crate) fn variant_type(t: i32, func: &str) -> Result<VariantType> {
    u32::try_from(t)
        .ok()
        .and_then(VariantType::from_id)
        .ok_or_else(|| invalid(format!("{func}: {t} is not a variant type (0..38)")))
}

pub(crate) fn format_arg(major: i32, func: &str) -> Result<Format> {
    Format::from_major(major)
        .ok_or_else(|| invalid(format!("{func}: godot_major must be 3 or 4, got {major}")))
}

pub(crate) fn text_arg(cx: &Call, p: *const c_char, arg: &str) -> Result<Text> {
    // A C string holds no NUL, so this cannot fail.
    cx.str(p, arg).map(|s| Text::new(s).unwrap_or_default())
}

/// Runs a constructor: the new value as a handle, or the failure (NULL,
/// with the reason in the last error message).
pub(crate) fn make(f: impl FnOnce() -> Result<Variant>) -> Result<*mut sptcp_variant> {
    f().map(new_box)
}

/// Runs `f` on a value argument `v` for a function returning `sptcp_error`.
pub(crate) fn with_var(
    cx: &Call,
    v: *const sptcp_variant,
    f: impl FnOnce(&Variant) -> Result<()>,
) -> Result<sptcp_error> {
    f(cx.get(v, "v")?)?;
    Ok(sptcp_error::SPTCP_OK)
}

/// A scalar accessor: `*out` gets `nothing` first, then `pick`'s value; a
/// value `pick` does not accept is a type mismatch.
pub(crate) fn get_scalar<T: Copy>(
    cx: &Call,
    v: *const sptcp_variant,
    out: *mut T,
    nothing: T,
    pick: impl FnOnce(&Variant) -> Option<T>,
) -> Result<sptcp_error> {
    put_out(out, nothing);
    cx.need(out, "out")?;
    with_var(cx, v, |x| match pick(x) {
        Some(value) => {
            put_out(out, value);
            Ok(())
        }
        None => Err(wrong_type(cx.name(), x)),
    })
}

pub(crate) fn wrong_type(func: &str, v: &Variant) -> Failure {
    invalid(format!("{func}: the value is a {:?}", v.get_type()))
}
