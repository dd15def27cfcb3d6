//! StreamPeerBuffer: an in-memory `sptcp_peer` with a cursor.

use super::boundary::{copy_bytes, export};
use super::enums::sptcp_error;
use super::handle::new_box;
use super::peer::{sptcp_peer, Kind};
use crate::core::buffer::BufferPeer;
use crate::core::error::Error;
use crate::core::peer::{Peer, PeerIo};

/// Buffer calls on another kind of peer: `SPTCP_ERR_INVALID_PARAMETER`.
const BUFFER: Kind<BufferPeer> = Kind {
    get: Peer::buffer,
    get_mut: Peer::buffer_mut,
    code: Error::ERR_INVALID_PARAMETER,
    other: "this peer is not a buffer",
};

/// Creates an empty StreamPeerBuffer: an in-memory peer on which every
/// data, typed and string call works (writes go to the cursor and grow the
/// buffer; reads come from the cursor). Free it with `sptcp_peer_free`.
///
/// TCP-only calls on a buffer (`sptcp_connect_to_host`, `sptcp_poll`, …)
/// return `SPTCP_ERR_UNAVAILABLE` or their "nothing" value. Differences in
/// the data calls, as in Godot: `sptcp_get_data` with fewer bytes left
/// than asked copies and consumes what is there and returns
/// `SPTCP_ERR_INVALID_PARAMETER`; `sptcp_get_partial_data` always returns
/// `SPTCP_OK`; `sptcp_get_available_bytes` is size − position, which can
/// be negative after a shrinking `sptcp_buffer_resize`.
#[no_mangle]
pub extern "C" fn sptcp_buffer_new() -> *mut sptcp_peer {
    export!(|_cx| Ok(new_box::<sptcp_peer>(Peer::new(PeerIo::Buffer(
        BufferPeer::new()
    )))))
}

/// The cursor position; -1 for NULL or a peer that is not a buffer.
#[no_mangle]
pub extern "C" fn sptcp_buffer_get_position(peer: *const sptcp_peer) -> i64 {
    export!(nothing = -1, |cx| Ok(
        cx.kind(peer, &BUFFER)?.position() as i64
    ))
}

/// The size in bytes; -1 for NULL or a peer that is not a buffer.
#[no_mangle]
pub extern "C" fn sptcp_buffer_get_size(peer: *const sptcp_peer) -> i64 {
    export!(nothing = -1, |cx| Ok(cx.kind(peer, &BUFFER)?.size() as i64))
}

/// Moves the cursor to `position` (0..size; size itself is allowed).
/// Outside that range nothing changes and `SPTCP_ERR_INVALID_PARAMETER`
/// is returned (Godot prints an error). Also INVALID_PARAMETER for NULL or
/// a peer that is not a buffer.
#[no_mangle]
pub extern "C" fn sptcp_buffer_seek(peer: *mut sptcp_peer, position: i64) -> sptcp_error {
    export!(|cx| {
        cx.kind_mut(peer, &BUFFER)?.seek(position)?;
        Ok(sptcp_error::SPTCP_OK)
    })
}

/// Resizes the buffer to `size` bytes; new bytes are zero. The cursor does
/// not move, so it may end up past the end (reads then give nothing and
/// `sptcp_get_available_bytes` is negative, as in Godot).
/// `SPTCP_ERR_INVALID_PARAMETER` for a negative size, NULL or a peer that
/// is not a buffer; `SPTCP_ERR_OUT_OF_MEMORY` when the memory cannot be had.
#[no_mangle]
pub extern "C" fn sptcp_buffer_resize(peer: *mut sptcp_peer, size: i64) -> sptcp_error {
    export!(|cx| {
        cx.kind_mut(peer, &BUFFER)?.resize(size)?;
        Ok(sptcp_error::SPTCP_OK)
    })
}

/// Empties the buffer and moves the cursor to 0.
/// `SPTCP_ERR_INVALID_PARAMETER` for NULL or a peer that is not a buffer.
#[no_mangle]
pub extern "C" fn sptcp_buffer_clear(peer: *mut sptcp_peer) -> sptcp_error {
    export!(|cx| {
        cx.kind_mut(peer, &BUFFER)?.clear();
        Ok(sptcp_error::SPTCP_OK)
    })
}

/// Copies the buffer's bytes (all of them, whatever the cursor) into `buf`:
/// min(size, `buf_len`) bytes. Returns the full size, so a call with
/// `buf_len` 0 (and `buf` NULL) asks how much room is needed. 0 for NULL or
/// a peer that is not a buffer.
#[no_mangle]
pub extern "C" fn sptcp_buffer_get_data_array(
    peer: *const sptcp_peer,
    buf: *mut u8,
    buf_len: usize,
) -> usize {
    export!(|cx| Ok(copy_bytes(cx.kind(peer, &BUFFER)?.data(), buf, buf_len)))
}

/// Replaces the buffer's bytes with a copy of `len` bytes at `data` and
/// moves the cursor to 0. `data` may be NULL when `len` is 0 (which empties
/// the buffer). `SPTCP_ERR_INVALID_PARAMETER` for NULL data with `len > 0`,
/// a NULL peer or a peer that is not a buffer.
#[no_mangle]
pub extern "C" fn sptcp_buffer_set_data_array(
    peer: *mut sptcp_peer,
    data: *const u8,
    len: usize,
) -> sptcp_error {
    export!(|cx| {
        let b = cx.kind_mut(peer, &BUFFER)?;
        b.set_data(cx.bytes(data, len, "data")?);
        Ok(sptcp_error::SPTCP_OK)
    })
}

/// A new buffer with a copy of the bytes, the cursor at 0 and the default
/// settings (little-endian, 64 MiB max message size): as in Godot, the
/// cursor and `big_endian` are not copied. Free it with `sptcp_peer_free`.
/// NULL for NULL or a peer that is not a buffer.
#[no_mangle]
pub extern "C" fn sptcp_buffer_duplicate(peer: *const sptcp_peer) -> *mut sptcp_peer {
    export!(|cx| {
        let copy = cx.kind(peer, &BUFFER)?.duplicate();
        Ok(new_box::<sptcp_peer>(Peer::new(PeerIo::Buffer(copy))))
    })
}
