//! StreamPeer typed values and strings (Godot's `put_*` / `get_*`), on
//! any `sptcp_peer`.
//!
//! Writers return the error instead of dropping it as Godot does; readers
//! store 0 (or NULL) in their out parameter when they fail, where Godot
//! would return garbage.

use std::ffi::{c_char, CString};

use super::boundary::{export, free_c_string, put_out, Call};
use super::enums::sptcp_error;
use super::peer::sptcp_peer;
use crate::core::error::{Error, Result};
use crate::core::peer::Peer;

/// A writer on the peer.
fn put_with(
    cx: &Call,
    peer: *mut sptcp_peer,
    f: impl FnOnce(&mut Peer) -> Result<()>,
) -> Result<sptcp_error> {
    f(cx.get_mut(peer, "peer")?)?;
    Ok(sptcp_error::SPTCP_OK)
}

/// A reader on the peer: its value goes to `*out` (`T::default()`, that is
/// 0, on any failure, also for a NULL peer). `out` is required.
fn get_with<T: Default>(
    cx: &Call,
    peer: *mut sptcp_peer,
    out: *mut T,
    f: impl FnOnce(&mut Peer) -> Result<T>,
) -> Result<sptcp_error> {
    put_out(out, T::default());
    let p = cx.get_mut(peer, "peer")?;
    cx.need(out, "out")?;
    put_out(out, f(p)?);
    Ok(sptcp_error::SPTCP_OK)
}

/// Writes a signed 8-bit integer (1 byte) (Godot's `StreamPeer.put_8`), little-endian unless
/// `sptcp_set_big_endian` is on. Same errors as `sptcp_put_data`.
#[no_mangle]
pub extern "C" fn sptcp_put_8(peer: *mut sptcp_peer, value: i8) -> sptcp_error {
    export!(|cx| { put_with(cx, peer, |p| p.put_fixed(value.to_le_bytes())) })
}

/// Reads a signed 8-bit integer (1 byte) into `*out` (Godot's `StreamPeer.get_8`), waiting
/// for it on a TCP peer. On failure `*out` is 0 and the error is that of
/// `sptcp_get_data` (on a buffer with too few bytes left:
/// `SPTCP_ERR_INVALID_PARAMETER`, and those bytes are consumed).
/// `SPTCP_ERR_INVALID_PARAMETER` for a NULL peer or `out`.
#[no_mangle]
pub extern "C" fn sptcp_get_8(peer: *mut sptcp_peer, out: *mut i8) -> sptcp_error {
    export!(|cx| { get_with(cx, peer, out, |p| { p.get_fixed().map(i8::from_le_bytes) }) })
}

/// Writes an unsigned 8-bit integer (1 byte) (Godot's `StreamPeer.put_u8`), little-endian unless
/// `sptcp_set_big_endian` is on. Same errors as `sptcp_put_data`.
#[no_mangle]
pub extern "C" fn sptcp_put_u8(peer: *mut sptcp_peer, value: u8) -> sptcp_error {
    export!(|cx| { put_with(cx, peer, |p| p.put_fixed(value.to_le_bytes())) })
}

/// Reads an unsigned 8-bit integer (1 byte) into `*out` (Godot's `StreamPeer.get_u8`), waiting
/// for it on a TCP peer. On failure `*out` is 0 and the error is that of
/// `sptcp_get_data` (on a buffer with too few bytes left:
/// `SPTCP_ERR_INVALID_PARAMETER`, and those bytes are consumed).
/// `SPTCP_ERR_INVALID_PARAMETER` for a NULL peer or `out`.
#[no_mangle]
pub extern "C" fn sptcp_get_u8(peer: *mut sptcp_peer, out: *mut u8) -> sptcp_error {
    export!(|cx| { get_with(cx, peer, out, |p| { p.get_fixed().map(u8::from_le_bytes) }) })
}

/// Writes a signed 16-bit integer (2 bytes) (Godot's `StreamPeer.put_16`), little-endian unless
/// `sptcp_set_big_endian` is on. Same errors as `sptcp_put_data`.
#[no_mangle]
pub extern "C" fn sptcp_put_16(peer: *mut sptcp_peer, value: i16) -> sptcp_error {
    export!(|cx| { put_with(cx, peer, |p| p.put_fixed(value.to_le_bytes())) })
}

/// Reads a signed 16-bit integer (2 bytes) into `*out` (Godot's `StreamPeer.get_16`), waiting
/// for it on a TCP peer. On failure `*out` is 0 and the error is that of
/// `sptcp_get_data` (on a buffer with too few bytes left:
/// `SPTCP_ERR_INVALID_PARAMETER`, and those bytes are consumed).
/// `SPTCP_ERR_INVALID_PARAMETER` for a NULL peer or `out`.
#[no_mangle]
pub extern "C" fn sptcp_get_16(peer: *mut sptcp_peer, out: *mut i16) -> sptcp_error {
    export!(|cx| { get_with(cx, peer, out, |p| { p.get_fixed().map(i16::from_le_bytes) }) })
}

/// Writes an unsigned 16-bit integer (2 bytes) (Godot's `StreamPeer.put_u16`), little-endian unless
/// `sptcp_set_big_endian` is on. Same errors as `sptcp_put_data`.
#[no_mangle]
pub extern "C" fn sptcp_put_u16(peer: *mut sptcp_peer, value: u16) -> sptcp_error {
    export!(|cx| { put_with(cx, peer, |p| p.put_fixed(value.to_le_bytes())) })
}

/// Reads an unsigned 16-bit integer (2 bytes) into `*out` (Godot's `StreamPeer.get_u16`), waiting
/// for it on a TCP peer. On failure `*out` is 0 and the error is that of
/// `sptcp_get_data` (on a buffer with too few bytes left:
/// `SPTCP_ERR_INVALID_PARAMETER`, and those bytes are consumed).
/// `SPTCP_ERR_INVALID_PARAMETER` for a NULL peer or `out`.
#[no_mangle]
pub extern "C" fn sptcp_get_u16(peer: *mut sptcp_peer, out: *mut u16) -> sptcp_error {
    export!(|cx| { get_with(cx, peer, out, |p| { p.get_fixed().map(u16::from_le_bytes) }) })
}

/// Writes a signed 32-bit integer (4 bytes) (Godot's `StreamPeer.put_32`), little-endian unless
/// `sptcp_set_big_endian` is on. Same errors as `sptcp_put_data`.
#[no_mangle]
pub extern "C" fn sptcp_put_32(peer: *mut sptcp_peer, value: i32) -> sptcp_error {
    export!(|cx| { put_with(cx, peer, |p| p.put_fixed(value.to_le_bytes())) })
}

/// Reads a signed 32-bit integer (4 bytes) into `*out` (Godot's `StreamPeer.get_32`), waiting
/// for it on a TCP peer. On failure `*out` is 0 and the error is that of
/// `sptcp_get_data` (on a buffer with too few bytes left:
/// `SPTCP_ERR_INVALID_PARAMETER`, and those bytes are consumed).
/// `SPTCP_ERR_INVALID_PARAMETER` for a NULL peer or `out`.
#[no_mangle]
pub extern "C" fn sptcp_get_32(peer: *mut sptcp_peer, out: *mut i32) -> sptcp_error {
    export!(|cx| { get_with(cx, peer, out, |p| { p.get_fixed().map(i32::from_le_bytes) }) })
}

/// Writes an unsigned 32-bit integer (4 bytes) (Godot's `StreamPeer.put_u32`), little-endian unless
/// `sptcp_set_big_endian` is on. Same errors as `sptcp_put_data`.
#[no_mangle]
pub extern "C" fn sptcp_put_u32(peer: *mut sptcp_peer, value: u32) -> sptcp_error {
    export!(|cx| { put_with(cx, peer, |p| p.put_fixed(value.to_le_bytes())) })
}

/// Reads an unsigned 32-bit integer (4 bytes) into `*out` (Godot's `StreamPeer.get_u32`), waiting
/// for it on a TCP peer. On failure `*out` is 0 and the error is that of
/// `sptcp_get_data` (on a buffer with too few bytes left:
/// `SPTCP_ERR_INVALID_PARAMETER`, and those bytes are consumed).
/// `SPTCP_ERR_INVALID_PARAMETER` for a NULL peer or `out`.
#[no_mangle]
pub extern "C" fn sptcp_get_u32(peer: *mut sptcp_peer, out: *mut u32) -> sptcp_error {
    export!(|cx| { get_with(cx, peer, out, |p| { p.get_fixed().map(u32::from_le_bytes) }) })
}

/// Writes a signed 64-bit integer (8 bytes) (Godot's `StreamPeer.put_64`), little-endian unless
/// `sptcp_set_big_endian` is on. Same errors as `sptcp_put_data`.
#[no_mangle]
pub extern "C" fn sptcp_put_64(peer: *mut sptcp_peer, value: i64) -> sptcp_error {
    export!(|cx| { put_with(cx, peer, |p| p.put_fixed(value.to_le_bytes())) })
}

/// Reads a signed 64-bit integer (8 bytes) into `*out` (Godot's `StreamPeer.get_64`), waiting
/// for it on a TCP peer. On failure `*out` is 0 and the error is that of
/// `sptcp_get_data` (on a buffer with too few bytes left:
/// `SPTCP_ERR_INVALID_PARAMETER`, and those bytes are consumed).
/// `SPTCP_ERR_INVALID_PARAMETER` for a NULL peer or `out`.
#[no_mangle]
pub extern "C" fn sptcp_get_64(peer: *mut sptcp_peer, out: *mut i64) -> sptcp_error {
    export!(|cx| { get_with(cx, peer, out, |p| { p.get_fixed().map(i64::from_le_bytes) }) })
}

/// Writes an unsigned 64-bit integer (8 bytes) (Godot's `StreamPeer.put_u64`), little-endian unless
/// `sptcp_set_big_endian` is on. Same errors as `sptcp_put_data`.
#[no_mangle]
pub extern "C" fn sptcp_put_u64(peer: *mut sptcp_peer, value: u64) -> sptcp_error {
    export!(|cx| { put_with(cx, peer, |p| p.put_fixed(value.to_le_bytes())) })
}

/// Reads an unsigned 64-bit integer (8 bytes) into `*out` (Godot's `StreamPeer.get_u64`), waiting
/// for it on a TCP peer. On failure `*out` is 0 and the error is that of
/// `sptcp_get_data` (on a buffer with too few bytes left:
/// `SPTCP_ERR_INVALID_PARAMETER`, and those bytes are consumed).
/// `SPTCP_ERR_INVALID_PARAMETER` for a NULL peer or `out`.
#[no_mangle]
pub extern "C" fn sptcp_get_u64(peer: *mut sptcp_peer, out: *mut u64) -> sptcp_error {
    export!(|cx| { get_with(cx, peer, out, |p| { p.get_fixed().map(u64::from_le_bytes) }) })
}

/// Writes an IEEE binary32 float (4 bytes) (Godot's `StreamPeer.put_float`), little-endian unless
/// `sptcp_set_big_endian` is on. Same errors as `sptcp_put_data`.
///
/// Godot's script `put_float` first rounds a script double to float; C
/// passes a float, which is written as is.
#[no_mangle]
pub extern "C" fn sptcp_put_float(peer: *mut sptcp_peer, value: f32) -> sptcp_error {
    export!(|cx| { put_with(cx, peer, |p| { p.put_fixed(value.to_le_bytes()) }) })
}

/// Reads an IEEE binary32 float (4 bytes) into `*out` (Godot's `StreamPeer.get_float`), waiting
/// for it on a TCP peer. On failure `*out` is 0 and the error is that of
/// `sptcp_get_data` (on a buffer with too few bytes left:
/// `SPTCP_ERR_INVALID_PARAMETER`, and those bytes are consumed).
/// `SPTCP_ERR_INVALID_PARAMETER` for a NULL peer or `out`.
#[no_mangle]
pub extern "C" fn sptcp_get_float(peer: *mut sptcp_peer, out: *mut f32) -> sptcp_error {
    export!(|cx| { get_with(cx, peer, out, |p| { p.get_fixed().map(f32::from_le_bytes) }) })
}

/// Writes an IEEE binary64 double (8 bytes) (Godot's `StreamPeer.put_double`), little-endian unless
/// `sptcp_set_big_endian` is on. Same errors as `sptcp_put_data`.
#[no_mangle]
pub extern "C" fn sptcp_put_double(peer: *mut sptcp_peer, value: f64) -> sptcp_error {
    export!(|cx| { put_with(cx, peer, |p| { p.put_fixed(value.to_le_bytes()) }) })
}

/// Reads an IEEE binary64 double (8 bytes) into `*out` (Godot's `StreamPeer.get_double`), waiting
/// for it on a TCP peer. On failure `*out` is 0 and the error is that of
/// `sptcp_get_data` (on a buffer with too few bytes left:
/// `SPTCP_ERR_INVALID_PARAMETER`, and those bytes are consumed).
/// `SPTCP_ERR_INVALID_PARAMETER` for a NULL peer or `out`.
#[no_mangle]
pub extern "C" fn sptcp_get_double(peer: *mut sptcp_peer, out: *mut f64) -> sptcp_error {
    export!(|cx| { get_with(cx, peer, out, |p| { p.get_fixed().map(f64::from_le_bytes) }) })
}

/// Writes a half-precision float (2 bytes, IEEE binary16) made the way
/// Godot's `put_half` makes it: the mantissa is truncated, not rounded
/// (65520 becomes 65504), magnitudes below 2^-14 become +0, values from
/// 65536 up become infinity, NaN stays NaN. Same errors as `sptcp_put_data`.
#[no_mangle]
pub extern "C" fn sptcp_put_half(peer: *mut sptcp_peer, value: f32) -> sptcp_error {
    export!(|cx| { put_with(cx, peer, |p| p.put_half(value)) })
}

/// Reads a half-precision float (2 bytes) into `*out`, converted exactly
/// (subnormals included). Errors as `sptcp_get_u16`; `*out` is 0 on failure.
#[no_mangle]
pub extern "C" fn sptcp_get_half(peer: *mut sptcp_peer, out: *mut f32) -> sptcp_error {
    export!(|cx| { get_with(cx, peer, out, Peer::get_half) })
}

/// Writes a string the way Godot's `put_string` does: a u32 count of
/// characters (code points), then one byte per character, where any
/// character above U+007F becomes a space (0x20). No NUL terminator is
/// sent (Godot's documentation says otherwise; its code does not).
///
/// `utf8` is NUL-terminated UTF-8. `SPTCP_ERR_INVALID_PARAMETER` for NULL
/// or invalid UTF-8 (nothing is sent); otherwise errors as
/// `sptcp_put_data`. The prefix follows `sptcp_set_big_endian`.
#[no_mangle]
pub extern "C" fn sptcp_put_string(peer: *mut sptcp_peer, utf8: *const c_char) -> sptcp_error {
    export!(|cx| {
        let p = cx.get_mut(peer, "peer")?;
        p.put_string(cx.str(utf8, "utf8")?)?;
        Ok(sptcp_error::SPTCP_OK)
    })
}

/// Writes a string the way Godot's `put_utf8_string` does: a u32 length in
/// bytes, then the UTF-8 bytes, no NUL terminator.
///
/// `SPTCP_ERR_INVALID_PARAMETER` for NULL or invalid UTF-8 (nothing is
/// sent); otherwise errors as `sptcp_put_data`.
#[no_mangle]
pub extern "C" fn sptcp_put_utf8_string(peer: *mut sptcp_peer, utf8: *const c_char) -> sptcp_error {
    export!(|cx| {
        let p = cx.get_mut(peer, "peer")?;
        p.put_utf8_string(cx.str(utf8, "utf8")?)?;
        Ok(sptcp_error::SPTCP_OK)
    })
}

/// Hands a decoded string to C: `*out` gets an owned NUL-terminated copy,
/// `*out_len` its length; NULL and 0 on failure (also for a NULL peer).
fn get_text(
    cx: &Call,
    peer: *mut sptcp_peer,
    bytes: i32,
    out: *mut *mut c_char,
    out_len: *mut usize,
    f: impl FnOnce(&mut Peer, i32) -> Result<String>,
) -> Result<sptcp_error> {
    put_out(out, std::ptr::null_mut());
    put_out(out_len, 0);
    let p = cx.get_mut(peer, "peer")?;
    cx.need(out, "out")?;
    let text = f(p, bytes)?;
    let len = text.len();
    // The decoders stop at the first NUL, so there is none inside.
    let c =
        CString::new(text).map_err(|_| cx.fail(Error::ERR_BUG, "NUL inside a decoded string"))?;
    put_out(out, c.into_raw());
    put_out(out_len, len);
    Ok(sptcp_error::SPTCP_OK)
}

/// Reads a string the way Godot's `get_string` does and returns it as
/// UTF-8: each byte is one character (Latin-1), and the text ends at the
/// first NUL byte, if any.
///
/// * `bytes >= 0`: read exactly that many bytes; `bytes < 0`: read a
///   signed 32-bit length prefix (following `sptcp_set_big_endian`) first.
/// * `*out` gets a new NUL-terminated string that the caller frees with
///   `sptcp_string_free`; `*out_len` (if `out_len` is not NULL) its length
///   in bytes without the NUL. On failure `*out` is NULL and `*out_len` 0.
///
/// `SPTCP_ERR_INVALID_DATA` when the length prefix is negative (Godot
/// returns "" there) or above the peer's max message size
/// (`sptcp_set_max_message_size`, also applied to `bytes`): nothing is
/// allocated, the 4 prefix bytes have been consumed and the payload has
/// not, so the stream is no longer at a message boundary. Otherwise errors
/// as `sptcp_get_data` (the bytes read are consumed and dropped).
/// `SPTCP_ERR_INVALID_PARAMETER` for a NULL peer or `out`.
#[no_mangle]
pub extern "C" fn sptcp_get_string(
    peer: *mut sptcp_peer,
    bytes: i32,
    out: *mut *mut c_char,
    out_len: *mut usize,
) -> sptcp_error {
    export!(|cx| get_text(cx, peer, bytes, out, out_len, Peer::get_string))
}

/// Reads a UTF-8 string the way Godot's `get_utf8_string` does: a leading
/// byte order mark (EF BB BF) is skipped, the text ends at the first NUL
/// byte, and invalid UTF-8 becomes U+FFFD (one per maximal invalid
/// sequence) instead of failing. Length handling, ownership and errors as
/// `sptcp_get_string`.
#[no_mangle]
pub extern "C" fn sptcp_get_utf8_string(
    peer: *mut sptcp_peer,
    bytes: i32,
    out: *mut *mut c_char,
    out_len: *mut usize,
) -> sptcp_error {
    export!(|cx| get_text(cx, peer, bytes, out, out_len, Peer::get_utf8_string))
}

/// Frees a string returned by `sptcp_get_string` or `sptcp_get_utf8_string`.
/// NULL is fine; freeing twice, or freeing memory from anywhere else, is
/// not (undefined behaviour). Never pass these strings to `free()`.
#[no_mangle]
pub extern "C" fn sptcp_string_free(s: *mut c_char) {
    export!(|_cx| {
        free_c_string(s);
        Ok(())
    })
}
