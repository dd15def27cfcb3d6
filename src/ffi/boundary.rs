//! The edge between C and Rust. Every exported function is one call of
//! [`export!`]:
//!
//! ```text
//! #[no_mangle]
//! pub extern "C" fn sptcp_bind(peer: *mut sptcp_peer, port: i32, host: *const c_char) -> sptcp_error {
//!     export!(|cx| {
//!         let tcp = cx.kind_mut(peer, &TCP)?;       // NULL: "sptcp_bind: peer is NULL"
//!         let host = cx.opt_str(host, "host")?.unwrap_or("*");
//!         tcp.bind(port, host)?;                    // a core Failure: its code and message
//!         Ok(sptcp_error::SPTCP_OK)
//!     })
//! }
//! ```
//!
//! The body runs inside the panic boundary and returns the core's
//! `Result<R>`: a NULL or bad argument is a failure like any other
//! (`SPTCP_ERR_INVALID_PARAMETER`, "sptcp_bind: peer is NULL"). What C gets
//! when the body fails or panics is chosen by the return type `R`
//! ([`Fallback`]): the failure's code, or `SPTCP_ERR_BUG` for a panic,
//! where `R` is `sptcp_error`; the "nothing" value (0, false, NULL, NONE,
//! NIL) for getters, or the one given as `export!(nothing = -1, |cx| …)`.
//! Every failure and panic leaves its message in the thread's last error. The
//! export's name is written once, in its signature: the boundary finds it
//! from the type name of a function item that `export!` declares inside it.
//!
//! References made from C pointers (handles, strings, buffers) borrow the
//! [`Call`] and cannot outlive the body.

use std::cell::RefCell;
use std::ffi::{c_char, c_void, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

use super::enums::{sptcp_error, sptcp_status, sptcp_tls_status, sptcp_variant_type};
use crate::core::error::{Error, Failure, Result};

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

/// What an export returns to C when its body fails or panics, chosen by
/// the return type.
pub(crate) trait Fallback: Sized {
    /// The body failed with `code`.
    fn failed(code: Error) -> Self;
    /// The body panicked.
    fn panicked() -> Self;
}

impl Fallback for sptcp_error {
    fn failed(code: Error) -> Self {
        code.into()
    }
    fn panicked() -> Self {
        sptcp_error::SPTCP_ERR_BUG
    }
}

/// Types whose "nothing" value is the same for a failure and a panic.
pub(crate) trait Nothing {
    fn nothing() -> Self;
}

impl<T: Nothing> Fallback for T {
    fn failed(_: Error) -> Self {
        T::nothing()
    }
    fn panicked() -> Self {
        T::nothing()
    }
}

macro_rules! nothing_is_default {
    ($($t:ty),*) => {
        $(impl Nothing for $t {
            fn nothing() -> Self {
                <$t>::default()
            }
        })*
    };
}
nothing_is_default!((), bool, i32, u32, i64, u64, usize);

impl<T> Nothing for *mut T {
    fn nothing() -> Self {
        std::ptr::null_mut()
    }
}

impl<T> Nothing for *const T {
    fn nothing() -> Self {
        std::ptr::null()
    }
}

impl Nothing for sptcp_status {
    fn nothing() -> Self {
        sptcp_status::SPTCP_STATUS_NONE
    }
}

impl Nothing for sptcp_tls_status {
    fn nothing() -> Self {
        sptcp_tls_status::SPTCP_TLS_STATUS_DISCONNECTED
    }
}

impl Nothing for sptcp_variant_type {
    fn nothing() -> Self {
        sptcp_variant_type::SPTCP_TYPE_NIL
    }
}

/// One call of an exported function: knows its name, and turns C pointers
/// into checked Rust values that live as long as the call.
pub(crate) struct Call {
    /// The type name of a function item inside the export
    /// ("streampeer_tcp::ffi::peer::sptcp_bind::site").
    site: &'static str,
}

impl Call {
    /// The exported function's name, e.g. "sptcp_bind".
    pub(crate) fn name(&self) -> &'static str {
        let path = self.site.strip_suffix("::site").unwrap_or(self.site);
        // The last path segment (a byte search: this runs on hot paths).
        path.rfind(':').map_or(path, |i| &path[i + 1..])
    }

    /// A failure with `code` and "name: `detail`".
    pub(crate) fn fail(&self, code: Error, detail: impl std::fmt::Display) -> Failure {
        Failure::new(code, format!("{}: {detail}", self.name()))
    }

    /// `SPTCP_ERR_INVALID_PARAMETER` with "name: `detail`".
    pub(crate) fn invalid(&self, detail: impl std::fmt::Display) -> Failure {
        self.fail(Error::ERR_INVALID_PARAMETER, detail)
    }

    /// A required pointer argument was NULL: "name: `arg` is NULL".
    pub(crate) fn null(&self, arg: &str) -> Failure {
        self.invalid(format_args!("{arg} is NULL"))
    }

    /// A required pointer: NULL fails.
    pub(crate) fn need<T>(&self, p: *const T, arg: &str) -> Result<()> {
        if p.is_null() {
            return Err(self.null(arg));
        }
        Ok(())
    }

    /// A NUL-terminated UTF-8 argument. NULL bails; invalid UTF-8 is
    /// `SPTCP_ERR_INVALID_PARAMETER`.
    pub(crate) fn str<'c>(&'c self, p: *const c_char, arg: &str) -> Result<&'c str> {
        self.need(p, arg)?;
        // SAFETY: the C contract: a non-NULL string argument points to a
        // NUL-terminated string that stays valid during the call.
        let c = unsafe { CStr::from_ptr(p) };
        c.to_str()
            .map_err(|e| self.invalid(format!("{arg} is not valid UTF-8 ({e})")))
    }

    /// An optional string argument: NULL is `None`.
    pub(crate) fn opt_str<'c>(&'c self, p: *const c_char, arg: &str) -> Result<Option<&'c str>> {
        if p.is_null() {
            return Ok(None);
        }
        self.str(p, arg).map(Some)
    }

    /// A read-only byte buffer. NULL is allowed only with `len == 0`.
    pub(crate) fn bytes<'c>(&'c self, p: *const u8, len: usize, arg: &str) -> Result<&'c [u8]> {
        if len == 0 {
            return Ok(&[]);
        }
        if p.is_null() {
            return Err(self.invalid(format!("{arg} is NULL but len is {len}")));
        }
        // SAFETY: the C contract: `p` points to `len` readable bytes that
        // stay valid and unchanged during the call.
        Ok(unsafe { std::slice::from_raw_parts(p, len) })
    }

    /// A writable byte buffer. NULL is allowed only with `len == 0`.
    // The slice comes from the C pointer; `self` only bounds its lifetime.
    #[allow(clippy::mut_from_ref)]
    pub(crate) fn bytes_mut<'c>(
        &'c self,
        p: *mut u8,
        len: usize,
        arg: &str,
    ) -> Result<&'c mut [u8]> {
        if len == 0 {
            return Ok(&mut []);
        }
        if p.is_null() {
            return Err(self.invalid(format!("{arg} is NULL but len is {len}")));
        }
        // SAFETY: the C contract: `p` points to `len` writable bytes that no
        // one else touches during the call. Treating them as initialised
        // `u8`s is what C callers expect of a plain byte buffer.
        Ok(unsafe { std::slice::from_raw_parts_mut(p, len) })
    }

    /// Copies `count` elements of plain numeric type `T` (integers, floats,
    /// arrays of floats: every bit pattern valid) from a C array that may
    /// be unaligned. NULL is allowed only with `count == 0`.
    pub(crate) fn elems<T: Copy + Default>(
        &self,
        p: *const c_void,
        count: usize,
    ) -> Result<Vec<T>> {
        if count == 0 {
            return Ok(Vec::new());
        }
        if p.is_null() {
            return Err(self.invalid(format!("data is NULL but count is {count}")));
        }
        let size = std::mem::size_of::<T>();
        let Some(bytes) = count
            .checked_mul(size)
            .filter(|&b| b <= isize::MAX as usize)
        else {
            return Err(self.invalid(format!("count {count} is too large")));
        };
        let mut out: Vec<T> = Vec::new();
        if out.try_reserve_exact(count).is_err() {
            return Err(self.fail(
                Error::ERR_OUT_OF_MEMORY,
                format!("can't allocate {bytes} bytes"),
            ));
        }
        out.resize(count, T::default());
        // SAFETY: the C contract: `p` points to `count` readable elements,
        // that is `bytes` bytes; `out` owns `count` initialised `T`s (the
        // same number of bytes), and a byte copy is valid for the plain
        // numeric types this is used with.
        unsafe {
            std::ptr::copy_nonoverlapping(p.cast::<u8>(), out.as_mut_ptr().cast::<u8>(), bytes)
        };
        Ok(out)
    }

    /// `count` NUL-terminated UTF-8 strings from a C array of pointers.
    pub(crate) fn strs(&self, p: *const *const c_char, count: usize) -> Result<Vec<&str>> {
        if count == 0 {
            return Ok(Vec::new());
        }
        if p.is_null() {
            return Err(self.invalid(format!("strs is NULL but count is {count}")));
        }
        // SAFETY: the C contract: `p` points to `count` string pointers that
        // stay valid during the call.
        let ptrs = unsafe { std::slice::from_raw_parts(p, count) };
        ptrs.iter().map(|&s| self.str(s, "strs[i]")).collect()
    }
}

/// Runs an export's body inside the panic boundary (see the module docs).
/// Use it through [`export!`], which passes `site`.
pub(crate) fn run<R: Fallback>(site: &'static str, body: impl FnOnce(&Call) -> Result<R>) -> R {
    run_with(site, body, R::failed, R::panicked)
}

/// [`run`] with one "nothing" value for every way of failing (for getters
/// whose nothing is not their type's default, such as -1).
pub(crate) fn run_or<R: Copy>(
    site: &'static str,
    nothing: R,
    body: impl FnOnce(&Call) -> Result<R>,
) -> R {
    run_with(site, body, |_| nothing, || nothing)
}

#[inline]
fn run_with<R>(
    site: &'static str,
    body: impl FnOnce(&Call) -> Result<R>,
    failed: impl FnOnce(Error) -> R,
    panicked: impl FnOnce() -> R,
) -> R {
    let cx = Call { site };
    match catch_unwind(AssertUnwindSafe(|| body(&cx))) {
        Ok(Ok(r)) => r,
        Ok(Err(f)) => {
            set_last_error(&f.message);
            failed(f.code)
        }
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            set_last_error(&format!(
                "{}: internal error (a bug in streampeer_tcp, please report it): {what}",
                cx.name()
            ));
            panicked()
        }
    }
}

/// The body of an exported function: `export!(|cx| …)`, or
/// `export!(nothing = VALUE, |cx| …)`. See the module docs.
macro_rules! export {
    (nothing = $nothing:expr, |$cx:ident| $body:expr) => {{
        fn site() {}
        $crate::ffi::boundary::run_or(
            ::std::any::type_name_of_val(&site),
            $nothing,
            |$cx: &$crate::ffi::boundary::Call| $body,
        )
    }};
    (|$cx:ident| $body:expr) => {{
        fn site() {}
        $crate::ffi::boundary::run(
            ::std::any::type_name_of_val(&site),
            |$cx: &$crate::ffi::boundary::Call| $body,
        )
    }};
}
pub(crate) use export;

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

/// Frees a string made by `CString::into_raw`; NULL is ignored.
pub(crate) fn free_c_string(p: *mut c_char) {
    if !p.is_null() {
        // SAFETY: the C contract: `p` came from `CString::into_raw` in this
        // library and is freed once.
        drop(unsafe { CString::from_raw(p) });
    }
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

    fn last_error() -> String {
        // SAFETY: the pointer is this thread's message, valid until replaced.
        unsafe { CStr::from_ptr(last_error_ptr()) }
            .to_str()
            .unwrap()
            .to_string()
    }

    fn sptcp_example_export(fail: u8) -> sptcp_error {
        export!(|cx| match fail {
            1 => Err(cx.null("peer")),
            2 => Err(cx.fail(Error::ERR_BUSY, "busy now")),
            3 => panic!("boom"),
            _ => Ok(sptcp_error::SPTCP_OK),
        })
    }

    fn sptcp_example_getter(fail: bool) -> i32 {
        export!(nothing = -1, |cx| if fail {
            Err(cx.invalid("no"))
        } else {
            Ok(7)
        })
    }

    #[test]
    fn the_boundary_picks_fallbacks_by_return_type_and_names_the_export() {
        assert_eq!(sptcp_example_export(0), sptcp_error::SPTCP_OK);
        assert_eq!(
            sptcp_example_export(1),
            sptcp_error::SPTCP_ERR_INVALID_PARAMETER
        );
        assert_eq!(last_error(), "sptcp_example_export: peer is NULL");
        assert_eq!(sptcp_example_export(2), sptcp_error::SPTCP_ERR_BUSY);
        assert_eq!(last_error(), "sptcp_example_export: busy now");
        assert_eq!(sptcp_example_export(3), sptcp_error::SPTCP_ERR_BUG);
        assert!(last_error().starts_with("sptcp_example_export: internal error"));
        assert!(last_error().ends_with("boom"), "{}", last_error());
        assert_eq!(sptcp_example_getter(false), 7);
        assert_eq!(sptcp_example_getter(true), -1);
        assert_eq!(last_error(), "sptcp_example_getter: no");
        let p: *mut u8 = export!(|cx| Err(cx.invalid("x")));
        assert!(p.is_null());
    }

    #[test]
    fn text_copies_like_snprintf() {
        let mut buf = [0x55 as c_char; 4];
        assert_eq!(copy_text("hello", buf.as_mut_ptr(), 4), 5);
        assert_eq!(buf.map(|c| c as u8), *b"hel\0");
        assert_eq!(copy_text("hi", std::ptr::null_mut(), 0), 2);
    }
}
