//! Variants on the wire: `put_var` / `get_var` on a peer, the peer's
//! Variant format, and `var_to_bytes` / `bytes_to_var` on memory.

use super::{format_arg, sptcp_variant, with_var};
use crate::core::error::{Error, Failure};
use crate::core::variant::{decode::decode, encode::encode};
use crate::ffi::boundary::{export, free_malloced, malloc_copy, put_out};
use crate::ffi::enums::sptcp_error;
use crate::ffi::handle::new_box;
use crate::ffi::peer::sptcp_peer;

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
    export!(|cx| {
        let p = cx.get_mut(peer, "peer")?;
        p.put_var(cx.get(v, "v")?, full_objects)?;
        Ok(sptcp_error::SPTCP_OK)
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
    export!(|cx| {
        put_out(out, std::ptr::null_mut());
        let p = cx.get_mut(peer, "peer")?;
        cx.need(out, "out")?;
        put_out(out, new_box(p.get_var(allow_objects)?));
        Ok(sptcp_error::SPTCP_OK)
    })
}

/// Chooses the Variant wire format of this peer's `sptcp_put_var` /
/// `sptcp_get_var`: 4 (Godot 4, the default) or 3 (Godot 3's type ids).
/// Typed values and strings are the same in both.
/// `SPTCP_ERR_INVALID_PARAMETER` for other numbers or NULL.
#[no_mangle]
pub extern "C" fn sptcp_set_variant_format(peer: *mut sptcp_peer, godot_major: i32) -> sptcp_error {
    export!(|cx| {
        let p = cx.get_mut(peer, "peer")?;
        p.variant_format = format_arg(godot_major, cx.name())?;
        Ok(sptcp_error::SPTCP_OK)
    })
}

/// The peer's Variant format: 4 or 3 (0 for NULL).
#[no_mangle]
pub extern "C" fn sptcp_get_variant_format(peer: *const sptcp_peer) -> i32 {
    export!(|cx| Ok(cx.get(peer, "peer")?.variant_format.major()))
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
    export!(|cx| {
        put_out(out, std::ptr::null_mut());
        put_out(out_len, 0);
        let func = cx.name();
        cx.need(out, "out")?;
        with_var(cx, v, |x| {
            let bytes = encode(x, format_arg(godot_major, cx.name())?, full_objects)?;
            let p = malloc_copy(&bytes);
            if p.is_null() {
                return Err(Failure::new(
                    Error::ERR_OUT_OF_MEMORY,
                    format!("{func}: out of memory"),
                ));
            }
            put_out(out, p);
            put_out(out_len, bytes.len());
            Ok(())
        })
    })
}

/// Decodes one value from `len` bytes at `data`, like Godot's
/// `bytes_to_var` (`allow_objects`: `bytes_to_var_with_objects`), for
/// Godot 4 or 3. `*out` gets a new value owned by the caller (NULL on
/// failure); `*used` (if not NULL) how many bytes it took, never more than
/// `len`: Godot's count, except that a byte array's padding missing at the
/// very end of the data is not counted (Godot counts it), so a caller that
/// steps through a buffer by `used` stays inside it.
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
    export!(|cx| {
        put_out(out, std::ptr::null_mut());
        put_out(used, 0);
        cx.need(out, "out")?;
        let bytes = cx.bytes(data, len, "data")?;
        let (v, n) = decode(bytes, format_arg(godot_major, cx.name())?, allow_objects)?;
        put_out(out, new_box(v));
        put_out(used, n);
        Ok(sptcp_error::SPTCP_OK)
    })
}

/// Frees a buffer from `sptcp_var_to_bytes`. NULL is fine; twice is not.
#[no_mangle]
pub extern "C" fn sptcp_bytes_free(b: *mut u8) {
    export!(|_cx| {
        free_malloced(b);
        Ok(())
    })
}
