//! The edge between C and Rust: the panic boundary, the thread-local last
//! error message, and the checks that turn C pointers into Rust references.
//! Every exported function goes through these helpers.

use std::cell::RefCell;
use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::core::error::{sptcp_error, Failure, Result};

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

/// Records `msg` as this thread's last error message.
pub(crate) fn set_last_error(msg: &str) {
    let c = CString::new(msg.replace('\0', "\\0")).unwrap_or_default();
    LAST_ERROR.with(|slot| *slot.borrow_mut() = c);
}

/// Pointer to this thread's last error message; stays valid until the
/// next call that records a new one on this thread.
pub(crate) fn last_error_ptr() -> *const c_char {
    LAST_ERROR.with(|slot| slot.borrow().as_ptr())
}

/// Runs `f`; a panic inside it is caught, recorded as the last error and
/// replaced by `on_panic` (the function's "nothing" value, or ERR_BUG).
pub(crate) fn guard<R>(on_panic: R, f: impl FnOnce() -> R) -> R {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            set_last_error(&format!(
                "internal error (a bug in streampeer_tcp, please report it): {what}"
            ));
            on_panic
        }
    }
}

/// The C code for a result; a failure's message becomes the last error.
pub(crate) fn code(r: Result<()>) -> sptcp_error {
    match r {
        Ok(()) => sptcp_error::SPTCP_OK,
        Err(f) => report(f),
    }
}

/// Records a failure's message and returns its code.
pub(crate) fn report(f: Failure) -> sptcp_error {
    set_last_error(&f.message);
    f.code
}

/// Records "`func`: `arg` is NULL" and returns `nothing`.
pub(crate) fn null_arg<R>(func: &str, arg: &str, nothing: R) -> R {
    set_last_error(&format!("{func}: {arg} is NULL"));
    nothing
}

/// A handle as a shared reference; `None` for NULL.
pub(crate) fn handle<'a, T>(p: *const T) -> Option<&'a T> {
    // SAFETY: the C contract: a handle argument is NULL or a live handle
    // made by this library and not being freed; `as_ref` handles NULL.
    unsafe { p.as_ref() }
}

/// A handle as an exclusive reference; `None` for NULL.
pub(crate) fn handle_mut<'a, T>(p: *mut T) -> Option<&'a mut T> {
    // SAFETY: the C contract: a handle argument is NULL or a live handle
    // made by this library, used by one thread at a time (documented in
    // the header), so no other reference to it exists during the call.
    unsafe { p.as_mut() }
}

/// Moves a Rust value to C as an owned handle.
pub(crate) fn into_handle<T>(value: T) -> *mut T {
    Box::into_raw(Box::new(value))
}

/// Takes back ownership of a handle made by [`into_handle`]; `None` for
/// NULL.
pub(crate) fn take_handle<T>(p: *mut T) -> Option<T> {
    if p.is_null() {
        return None;
    }
    // SAFETY: the C contract: `p` came from `into_handle` (Box::into_raw)
    // for this type, and the caller gives it up here (it is not used or
    // freed again).
    Some(*unsafe { Box::from_raw(p) })
}

/// Frees a handle made by [`into_handle`]; NULL is ignored.
pub(crate) fn free_handle<T>(p: *mut T) {
    if !p.is_null() {
        // SAFETY: the C contract: `p` came from `into_handle` (Box::into_raw)
        // for this type and is freed once.
        drop(unsafe { Box::from_raw(p) });
    }
}

/// Frees a string made by `CString::into_raw`; NULL is ignored.
pub(crate) fn free_c_string(p: *mut c_char) {
    if !p.is_null() {
        // SAFETY: the C contract: `p` came from `CString::into_raw` in this
        // library and is freed once.
        drop(unsafe { CString::from_raw(p) });
    }
}

/// A NUL-terminated UTF-8 argument as `&str`.
/// NULL or invalid UTF-8 give `SPTCP_ERR_INVALID_PARAMETER`.
pub(crate) fn str_arg<'a>(p: *const c_char, func: &str, arg: &str) -> Result<&'a str> {
    if p.is_null() {
        return Err(Failure::new(
            sptcp_error::SPTCP_ERR_INVALID_PARAMETER,
            format!("{func}: {arg} is NULL"),
        ));
    }
    // SAFETY: the C contract: a non-NULL string argument points to a
    // NUL-terminated string that stays valid during the call.
    let c = unsafe { CStr::from_ptr(p) };
    c.to_str().map_err(|e| {
        Failure::new(
            sptcp_error::SPTCP_ERR_INVALID_PARAMETER,
            format!("{func}: {arg} is not valid UTF-8 ({e})"),
        )
    })
}

/// A read-only byte buffer argument. NULL is allowed only with `len == 0`.
pub(crate) fn bytes_arg<'a>(p: *const u8, len: usize, func: &str) -> Result<&'a [u8]> {
    if len == 0 {
        return Ok(&[]);
    }
    if p.is_null() {
        return Err(Failure::new(
            sptcp_error::SPTCP_ERR_INVALID_PARAMETER,
            format!("{func}: data is NULL but len is {len}"),
        ));
    }
    // SAFETY: the C contract: `p` points to `len` readable bytes that stay
    // valid and unchanged during the call.
    Ok(unsafe { std::slice::from_raw_parts(p, len) })
}

/// A writable byte buffer argument. NULL is allowed only with `len == 0`.
pub(crate) fn bytes_out<'a>(p: *mut u8, len: usize, func: &str) -> Result<&'a mut [u8]> {
    if len == 0 {
        return Ok(&mut []);
    }
    if p.is_null() {
        return Err(Failure::new(
            sptcp_error::SPTCP_ERR_INVALID_PARAMETER,
            format!("{func}: buf is NULL but len is {len}"),
        ));
    }
    // SAFETY: the C contract: `p` points to `len` writable bytes that no one
    // else touches during the call. Treating them as initialised `u8`s is
    // what C callers expect of a plain byte buffer.
    Ok(unsafe { std::slice::from_raw_parts_mut(p, len) })
}

/// Copies `count` elements of plain numeric type `T` (integers, floats,
/// arrays of floats: every bit pattern valid) from a C array that may be
/// unaligned. NULL is allowed only with `count == 0`.
pub(crate) fn elems_arg<T: Copy + Default>(
    p: *const std::ffi::c_void,
    count: usize,
    func: &str,
) -> Result<Vec<T>> {
    if count == 0 {
        return Ok(Vec::new());
    }
    if p.is_null() {
        return Err(Failure::new(
            sptcp_error::SPTCP_ERR_INVALID_PARAMETER,
            format!("{func}: data is NULL but count is {count}"),
        ));
    }
    let size = std::mem::size_of::<T>();
    let Some(bytes) = count
        .checked_mul(size)
        .filter(|&b| b <= isize::MAX as usize)
    else {
        return Err(Failure::new(
            sptcp_error::SPTCP_ERR_INVALID_PARAMETER,
            format!("{func}: count {count} is too large"),
        ));
    };
    let mut out: Vec<T> = Vec::new();
    if out.try_reserve_exact(count).is_err() {
        return Err(Failure::new(
            sptcp_error::SPTCP_ERR_OUT_OF_MEMORY,
            format!("{func}: can't allocate {bytes} bytes"),
        ));
    }
    out.resize(count, T::default());
    // SAFETY: the C contract: `p` points to `count` readable elements, that
    // is `bytes` bytes; `out` owns `count` initialised `T`s (the same
    // number of bytes), and a byte copy is valid for the plain numeric
    // types this is used with.
    unsafe { std::ptr::copy_nonoverlapping(p.cast::<u8>(), out.as_mut_ptr().cast::<u8>(), bytes) };
    Ok(out)
}

/// `count` NUL-terminated UTF-8 strings from a C array of pointers.
pub(crate) fn strs_arg<'a>(
    p: *const *const c_char,
    count: usize,
    func: &str,
) -> Result<Vec<&'a str>> {
    if count == 0 {
        return Ok(Vec::new());
    }
    if p.is_null() {
        return Err(Failure::new(
            sptcp_error::SPTCP_ERR_INVALID_PARAMETER,
            format!("{func}: strs is NULL but count is {count}"),
        ));
    }
    // SAFETY: the C contract: `p` points to `count` string pointers that
    // stay valid during the call.
    let ptrs = unsafe { std::slice::from_raw_parts(p, count) };
    ptrs.iter().map(|&s| str_arg(s, func, "strs[i]")).collect()
}

/// A copy of `data` in memory from `malloc`, freed by [`free_malloced`].
/// NULL if memory runs out.
pub(crate) fn malloc_copy(data: &[u8]) -> *mut u8 {
    // SAFETY: malloc of a positive size; the result is checked for NULL
    // and then written with exactly `data.len()` bytes.
    unsafe {
        let p = libc::malloc(data.len().max(1)).cast::<u8>();
        if !p.is_null() {
            std::ptr::copy_nonoverlapping(data.as_ptr(), p, data.len());
        }
        p
    }
}

/// Frees memory from [`malloc_copy`]; NULL is ignored.
pub(crate) fn free_malloced(p: *mut u8) {
    // SAFETY: the C contract: `p` is NULL or came from `malloc_copy` and is
    // freed once; free(NULL) does nothing.
    unsafe { libc::free(p.cast()) }
}

/// Stores `value` through an optional out pointer.
pub(crate) fn put_out<T>(p: *mut T, value: T) {
    if !p.is_null() {
        // SAFETY: the C contract: a non-NULL out pointer points to writable
        // storage for one `T`.
        unsafe { p.write(value) };
    }
}

/// Copies min(`data.len()`, `buf_len`) bytes into `buf`; returns
/// `data.len()`. `buf` may be NULL when `buf_len` is 0.
pub(crate) fn copy_bytes(data: &[u8], buf: *mut u8, buf_len: usize) -> usize {
    let n = data.len().min(buf_len);
    if n > 0 && !buf.is_null() {
        // SAFETY: the C contract: `buf` points to `buf_len` writable bytes;
        // we write `n <= buf_len` of them.
        unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), buf, n) };
    }
    data.len()
}

/// Copies `text` into `buf` like `snprintf`: at most `buf_len - 1` bytes
/// and a NUL when `buf_len > 0`. Returns the full length of `text`.
pub(crate) fn copy_text(text: &str, buf: *mut c_char, buf_len: usize) -> usize {
    if buf_len > 0 && !buf.is_null() {
        let n = text.len().min(buf_len - 1);
        // SAFETY: the C contract: `buf` points to `buf_len` writable bytes;
        // we write `n + 1 <= buf_len` of them.
        unsafe {
            std::ptr::copy_nonoverlapping(text.as_ptr(), buf.cast::<u8>(), n);
            buf.add(n).write(0);
        }
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guard_turns_a_panic_into_the_nothing_value() {
        let r = guard(sptcp_error::SPTCP_ERR_BUG, || -> sptcp_error {
            panic!("boom")
        });
        assert_eq!(r, sptcp_error::SPTCP_ERR_BUG);
        // SAFETY: the pointer is this thread's message, valid until replaced.
        let msg = unsafe { CStr::from_ptr(last_error_ptr()) }
            .to_str()
            .unwrap()
            .to_string();
        assert!(msg.contains("boom"), "{msg}");
        assert_eq!(guard(-1, || 7), 7);
    }

    #[test]
    fn text_copies_like_snprintf() {
        let mut buf = [0x55 as c_char; 4];
        assert_eq!(copy_text("hello", buf.as_mut_ptr(), 4), 5);
        assert_eq!(buf.map(|c| c as u8), *b"hel\0");
        assert_eq!(copy_text("hi", std::ptr::null_mut(), 0), 2);
    }
}
