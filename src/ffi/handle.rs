//! One handle model for every C object (after rustls-ffi's `Castable`).
//!
//! A C handle type is an empty struct (`sptcp_peer`, `sptcp_server`,
//! `sptcp_variant`, …) that C only ever sees behind a pointer. Its
//! [`Castable`] impl ties it to the Rust value it points to; every handle
//! made by this library is a `Box` of that value:
//!
//! * [`new_box`] hands a value to C, [`free_box`] and [`take_box`] take it
//!   back (the `_free` functions, and calls that take over an argument);
//! * [`borrowed`] gives C a pointer to a value owned by another (a
//!   container's item), which C never frees;
//! * [`Call::get`] / [`Call::get_mut`] turn a handle argument into a
//!   reference that lives as long as the call: NULL fails with the
//!   argument's name, and nothing can keep the reference afterwards.

use super::boundary::Call;
use crate::core::error::Result;

/// A C handle type and the Rust type it stands for.
pub(crate) trait Castable {
    /// What the handle points to.
    type RustType;
}

/// Moves `value` to C as a new handle (freed by [`free_box`]).
pub(crate) fn new_box<C: Castable>(value: C::RustType) -> *mut C {
    Box::into_raw(Box::new(value)).cast()
}

/// Takes back a handle made by [`new_box`]; `None` for NULL.
pub(crate) fn take_box<C: Castable>(p: *mut C) -> Option<C::RustType> {
    if p.is_null() {
        return None;
    }
    // SAFETY: the C contract: a non-NULL handle of type `C` came from
    // `new_box::<C>`, that is from `Box::<C::RustType>::into_raw`, and the
    // caller gives it up here (it is not used or freed again).
    Some(*unsafe { Box::from_raw(p.cast::<C::RustType>()) })
}

/// Takes back a handle made by [`new_box`] as the box it is (same
/// address, so the handle can be given out again); `None` for NULL.
pub(crate) fn take_boxed<C: Castable>(p: *mut C) -> Option<Box<C::RustType>> {
    if p.is_null() {
        return None;
    }
    // SAFETY: as in `take_box`: the handle came from `Box::into_raw` of a
    // `C::RustType`, and the caller gives it up here.
    Some(unsafe { Box::from_raw(p.cast::<C::RustType>()) })
}

/// Gives a box taken by [`take_boxed`] back to C as the same handle.
pub(crate) fn give_boxed<C: Castable>(b: Box<C::RustType>) -> *mut C {
    Box::into_raw(b).cast()
}

/// Frees a handle made by [`new_box`]; NULL is ignored. The value is
/// dropped where it is, not moved out of its box first (a peer is about
/// 470 bytes).
pub(crate) fn free_box<C: Castable>(p: *mut C) {
    drop(take_boxed(p));
}

/// A pointer C may use but never frees, to a value someone else owns.
pub(crate) fn borrowed<C: Castable>(value: &C::RustType) -> *const C {
    (value as *const C::RustType).cast()
}

impl Call {
    /// A handle argument as a shared reference for this call.
    pub(crate) fn get<'c, C: Castable>(
        &'c self,
        p: *const C,
        arg: &str,
    ) -> Result<&'c C::RustType> {
        // SAFETY: the C contract: a handle argument is NULL or a live handle
        // of this type made by this library (`new_box` or `borrowed`), not
        // being freed or changed by anyone else during the call; `as_ref`
        // handles NULL. The reference borrows `self`, so it ends with the
        // call.
        unsafe { p.cast::<C::RustType>().as_ref() }.ok_or_else(|| self.null(arg))
    }

    /// A handle argument as an exclusive reference for this call.
    // The reference comes from the C pointer; `self` only bounds its
    // lifetime (several handles may be borrowed from one call).
    #[allow(clippy::mut_from_ref)]
    pub(crate) fn get_mut<'c, C: Castable>(
        &'c self,
        p: *mut C,
        arg: &str,
    ) -> Result<&'c mut C::RustType> {
        // SAFETY: the C contract: a handle argument is NULL or a live handle
        // of this type made by `new_box`, used by one thread at a time
        // (documented in the header), so no other reference to it exists
        // during the call; `as_mut` handles NULL. The reference borrows
        // `self`, so it ends with the call.
        unsafe { p.cast::<C::RustType>().as_mut() }.ok_or_else(|| self.null(arg))
    }
}
