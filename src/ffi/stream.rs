//! The StreamPeer data calls, on any `sptcp_peer`.

use super::boundary::{bytes_arg, bytes_out, code, guard, handle, handle_mut, null_arg, put_out};
use super::peer::sptcp_peer;
use crate::core::error::{sptcp_error, Result};
use crate::core::stream_peer::StreamPeer;

/// Runs a transfer on the peer's stream for a function that reports a byte
/// count through `count` (which may be NULL). The count is written in every
/// case: what was really transferred, 0 when nothing.
fn transfer(
    peer: *mut sptcp_peer,
    count: *mut usize,
    func: &str,
    f: impl FnOnce(&mut dyn StreamPeer) -> (usize, Result<()>),
) -> sptcp_error {
    put_out(count, 0);
    guard(sptcp_error::SPTCP_ERR_BUG, || {
        let Some(p) = handle_mut(peer) else {
            return null_arg(func, "peer", sptcp_error::SPTCP_ERR_INVALID_PARAMETER);
        };
        let (n, r) = f(p.inner.stream());
        put_out(count, n);
        code(r)
    })
}

/// Sends all `len` bytes of `data`, waiting as long as it takes (Godot's
/// `StreamPeer.put_data`; like Godot, no timeout).
///
/// `len == 0` returns `SPTCP_OK` without touching the socket, whatever the
/// status (`data` may then be NULL). Otherwise: `SPTCP_FAILED` when not
/// CONNECTED (CONNECTING counts as not connected), or when the connection
/// breaks (reset, closed): the socket is then closed and the status is
/// NONE. `SPTCP_ERR_INVALID_PARAMETER` for a NULL peer, or NULL data with
/// `len > 0`. Never raises SIGPIPE.
#[no_mangle]
pub extern "C" fn sptcp_put_data(
    peer: *mut sptcp_peer,
    data: *const u8,
    len: usize,
) -> sptcp_error {
    transfer(peer, std::ptr::null_mut(), "sptcp_put_data", |s| {
        if len == 0 {
            return (0, Ok(()));
        }
        match bytes_arg(data, len, "sptcp_put_data") {
            Ok(d) => (0, s.put_data(d)),
            Err(f) => (0, Err(f)),
        }
    })
}

/// Sends what can be sent now, up to `len` bytes, without waiting (Godot's
/// `StreamPeer.put_partial_data`). `*sent` (if `sent` is not NULL) gets the
/// number of bytes sent, which may be 0 when the send buffer is full, and
/// 0 on failure before anything was sent.
///
/// Errors as `sptcp_put_data`; `len == 0` is `SPTCP_OK` with 0 sent.
#[no_mangle]
pub extern "C" fn sptcp_put_partial_data(
    peer: *mut sptcp_peer,
    data: *const u8,
    len: usize,
    sent: *mut usize,
) -> sptcp_error {
    transfer(peer, sent, "sptcp_put_partial_data", |s| {
        if len == 0 {
            return (0, Ok(()));
        }
        match bytes_arg(data, len, "sptcp_put_partial_data") {
            Ok(d) => s.put_partial_data(d),
            Err(f) => (0, Err(f)),
        }
    })
}

/// Reads exactly `len` bytes into `buf`, waiting as long as it takes
/// (Godot's `StreamPeer.get_data`; like Godot, no timeout).
///
/// `*received` (if not NULL) gets the number of bytes read, also on
/// failure, and the unread tail of `buf` is zero-filled.
/// `SPTCP_ERR_FILE_EOF` when the peer closes first: the bytes that did
/// arrive are in `buf`, the socket is closed, the status is NONE.
/// `SPTCP_FAILED` when not CONNECTED or on a socket error (status NONE).
/// `SPTCP_ERR_INVALID_PARAMETER` for a NULL peer, or NULL `buf` with
/// `len > 0`.
#[no_mangle]
pub extern "C" fn sptcp_get_data(
    peer: *mut sptcp_peer,
    buf: *mut u8,
    len: usize,
    received: *mut usize,
) -> sptcp_error {
    transfer(peer, received, "sptcp_get_data", |s| {
        match bytes_out(buf, len, "sptcp_get_data") {
            Ok(b) => {
                let (n, r) = s.get_data(b);
                b[n..].fill(0);
                (n, r)
            }
            Err(f) => (0, Err(f)),
        }
    })
}

/// Reads what has arrived, up to `len` bytes, without waiting (Godot's
/// `StreamPeer.get_partial_data`). `*received` (if not NULL) gets the count,
/// 0 when nothing is there yet.
///
/// `SPTCP_ERR_FILE_EOF` (with 0 received, status NONE) when the peer has
/// closed and everything was read; otherwise errors as `sptcp_get_data`.
#[no_mangle]
pub extern "C" fn sptcp_get_partial_data(
    peer: *mut sptcp_peer,
    buf: *mut u8,
    len: usize,
    received: *mut usize,
) -> sptcp_error {
    transfer(
        peer,
        received,
        "sptcp_get_partial_data",
        |s| match bytes_out(buf, len, "sptcp_get_partial_data") {
            Ok(b) => s.get_partial_data(b),
            Err(f) => (0, Err(f)),
        },
    )
}

/// Bytes that can be read now without waiting (`FIONREAD`). -1 when the
/// peer has no socket (never connected, disconnected, closed) or `peer` is
/// NULL, as in Godot.
#[no_mangle]
pub extern "C" fn sptcp_get_available_bytes(peer: *const sptcp_peer) -> i32 {
    guard(-1, || match handle(peer) {
        Some(p) => p.inner.stream_ref().available_bytes(),
        None => null_arg("sptcp_get_available_bytes", "peer", -1),
    })
}

/// Chooses the byte order of the fixed-width values (`sptcp_put_u32`, …)
/// and of the 4-byte length prefixes of strings: little-endian (false, the
/// default) or big-endian (true). Godot's `StreamPeer.big_endian`. The raw
/// data calls are not affected. NULL is ignored.
#[no_mangle]
pub extern "C" fn sptcp_set_big_endian(peer: *mut sptcp_peer, enabled: bool) {
    guard((), || match handle_mut(peer) {
        Some(p) => p.inner.big_endian = enabled,
        None => null_arg("sptcp_set_big_endian", "peer", ()),
    })
}

/// Whether big-endian is on (false for NULL).
#[no_mangle]
pub extern "C" fn sptcp_is_big_endian_enabled(peer: *const sptcp_peer) -> bool {
    guard(false, || match handle(peer) {
        Some(p) => p.inner.big_endian,
        None => null_arg("sptcp_is_big_endian_enabled", "peer", false),
    })
}

/// Sets the largest length this peer accepts when reading a length-prefixed
/// message (a string now, a Variant later) or an explicit string length:
/// anything larger is refused with `SPTCP_ERR_INVALID_DATA` before any
/// memory is allocated. Default 64 MiB (67108864). 0 refuses every
/// non-empty message. NULL is ignored.
#[no_mangle]
pub extern "C" fn sptcp_set_max_message_size(peer: *mut sptcp_peer, bytes: usize) {
    guard((), || match handle_mut(peer) {
        Some(p) => p.inner.max_message_size = bytes,
        None => null_arg("sptcp_set_max_message_size", "peer", ()),
    })
}

/// The peer's max message size in bytes (0 for NULL).
#[no_mangle]
pub extern "C" fn sptcp_get_max_message_size(peer: *const sptcp_peer) -> usize {
    guard(0, || match handle(peer) {
        Some(p) => p.inner.max_message_size,
        None => null_arg("sptcp_get_max_message_size", "peer", 0),
    })
}
