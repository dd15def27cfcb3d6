//! sptcp_error texts, the last error message, and the version.

use std::ffi::c_char;

use super::boundary::{export, last_error_ptr};
use crate::core::error::Error;

/// Godot's text for an error code, e.g. "Can't connect" for
/// `SPTCP_ERR_CANT_CONNECT`.
///
/// Any number is accepted; numbers that are not codes give "Unknown error".
/// The string is static: never NULL, never freed.
#[no_mangle]
pub extern "C" fn sptcp_error_string(error: i32) -> *const c_char {
    export!(nothing = c"Unknown error".as_ptr(), |_cx| Ok(
        Error::c_text_of(error).as_ptr()
    ))
}

/// The name of an error code's constant as Godot spells it, without the
/// `SPTCP_` prefix: "OK", "FAILED", "ERR_CANT_CONNECT".
///
/// Any number is accepted; numbers that are not codes give "UNKNOWN_ERROR".
/// The string is static: never NULL, never freed.
#[no_mangle]
pub extern "C" fn sptcp_error_name(error: i32) -> *const c_char {
    export!(nothing = c"UNKNOWN_ERROR".as_ptr(), |_cx| Ok(
        Error::c_name_of(error).as_ptr()
    ))
}

/// Details of the last call on this thread that failed, such as
/// "connect to 127.0.0.1:1: Connection refused (os error 111)".
///
/// Like `errno`: set by a failing call (also by void functions that could
/// not do their work, and by calls given NULL), not cleared by a successful
/// one. "" when nothing has failed on this thread yet. Never NULL. The
/// string belongs to the library and stays valid until the next sptcp call
/// on this thread; copy it to keep it.
#[no_mangle]
pub extern "C" fn sptcp_last_error_message() -> *const c_char {
    export!(nothing = c"".as_ptr(), |_cx| Ok(last_error_ptr()))
}

/// The library's version, "MAJOR.MINOR.PATCH", the same numbers as the
/// `SPTCP_VERSION_*` macros of the header it was built with. Static.
#[no_mangle]
pub extern "C" fn sptcp_version() -> *const c_char {
    const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");
    VERSION.as_ptr().cast()
}
