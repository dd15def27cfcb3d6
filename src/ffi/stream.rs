//! The StreamPeer data calls, on any `sptcp_peer`.

use super::boundary::{export, put_out};
use super::enums::sptcp_error;
use super::peer::sptcp_peer;
use crate::core::error::Result;

/// The end of a transfer: `*count` (if not NULL) gets what was really
/// moved, then the result.
fn moved(count: *mut usize, (n, r): (usize, Result<()>)) -> Result<sptcp_error> {
    put_out(count, n);
    r?;
    Ok(sptcp_error::SPTCP_OK)
}

/// Sends all `len` bytes of `data`, waiting as long as it takes (Godot's
/// `StreamPeer.put_data`; like Godot, no time limit unless
/// `sptcp_set_io_timeout_ms` set one: `SPTCP_ERR_TIMEOUT` then, with the
/// status unchanged).
///
/// `len == 0` returns `SPTCP_OK` without touching the socket, whatever the
/// status (`data` may then be NULL). Otherwise: `SPTCP_FAILED` when not
/// CONNECTED (CONNECTING counts as not connected), or when the connection
/// breaks (reset, closed): the socket is then closed and the status is
/// NONE. `SPTCP_ERR_UNAVAILABLE` after `sptcp_shutdown_write` (the status
/// stays CONNECTED). `SPTCP_ERR_INVALID_PARAMETER` for a NULL peer, or NULL
/// data with `len > 0`. Never raises SIGPIPE.
#[no_mangle]
pub extern "C" fn sptcp_put_data(
    peer: *mut sptcp_peer,
    data: *const u8,
    len: usize,
) -> sptcp_error {
    export!(|cx| {
        let p = cx.get_mut(peer, "peer")?;
        if len == 0 {
            return Ok(sptcp_error::SPTCP_OK);
        }
        p.stream().put_data(cx.bytes(data, len, "data")?)?;
        Ok(sptcp_error::SPTCP_OK)
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
    export!(|cx| {
        put_out(sent, 0);
        let p = cx.get_mut(peer, "peer")?;
        if len == 0 {
            return Ok(sptcp_error::SPTCP_OK);
        }
        let d = cx.bytes(data, len, "data")?;
        moved(sent, p.stream().put_partial_data(d))
    })
}

/// Reads exactly `len` bytes into `buf`, waiting as long as it takes
/// (Godot's `StreamPeer.get_data`; like Godot, no time limit unless
/// `sptcp_set_io_timeout_ms` set one: `SPTCP_ERR_TIMEOUT` then, with
/// `*received` the bytes taken and the status unchanged).
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
    export!(|cx| {
        put_out(received, 0);
        let p = cx.get_mut(peer, "peer")?;
        let b = cx.bytes_mut(buf, len, "buf")?;
        let (n, r) = p.stream().get_data(b);
        b[n..].fill(0);
        moved(received, (n, r))
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
    export!(|cx| {
        put_out(received, 0);
        let p = cx.get_mut(peer, "peer")?;
        let b = cx.bytes_mut(buf, len, "buf")?;
        moved(received, p.stream().get_partial_data(b))
    })
}

/// Bytes that can be read now without waiting (`FIONREAD`). -1 when the
/// peer has no socket (never connected, disconnected, closed) or `peer` is
/// NULL, as in Godot.
#[no_mangle]
pub extern "C" fn sptcp_get_available_bytes(peer: *const sptcp_peer) -> i32 {
    export!(nothing = -1, |cx| Ok(cx
        .get(peer, "peer")?
        .stream_ref()
        .available_bytes()))
}

/// Chooses the byte order of the fixed-width values (`sptcp_put_u32`, …)
/// and of the 4-byte length prefixes of strings: little-endian (false, the
/// default) or big-endian (true). Godot's `StreamPeer.big_endian`. The raw
/// data calls are not affected. NULL is ignored.
#[no_mangle]
pub extern "C" fn sptcp_set_big_endian(peer: *mut sptcp_peer, enabled: bool) {
    export!(|cx| {
        cx.get_mut(peer, "peer")?.big_endian = enabled;
        Ok(())
    })
}

/// Whether big-endian is on (false for NULL).
#[no_mangle]
pub extern "C" fn sptcp_is_big_endian_enabled(peer: *const sptcp_peer) -> bool {
    export!(|cx| Ok(cx.get(peer, "peer")?.big_endian))
}

/// Sets the largest length this peer accepts when reading a length-prefixed
/// message (a string now, a Variant later) or an explicit string length:
/// anything larger is refused with `SPTCP_ERR_INVALID_DATA` before any
/// memory is allocated. Default 64 MiB (67108864). 0 refuses every
/// non-empty message. NULL is ignored.
#[no_mangle]
pub extern "C" fn sptcp_set_max_message_size(peer: *mut sptcp_peer, bytes: usize) {
    export!(|cx| {
        cx.get_mut(peer, "peer")?.max_message_size = bytes;
        Ok(())
    })
}

/// The peer's max message size in bytes (0 for NULL).
#[no_mangle]
pub extern "C" fn sptcp_get_max_message_size(peer: *const sptcp_peer) -> usize {
    export!(|cx| Ok(cx.get(peer, "peer")?.max_message_size))
}
