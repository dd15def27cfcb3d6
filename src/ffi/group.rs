//! Waiting without busy loops: `sptcp_wait`, `sptcp_server_wait`, the poll
//! group `sptcp_group` and the event bits.

use std::ffi::c_void;
use std::time::Duration;

use super::boundary::{export, put_out, Call};
use super::enums::sptcp_error;
use super::handle::{free_box, new_box, Castable};
use super::peer::sptcp_peer;
use super::server::sptcp_server;
use crate::core::error::{Error, Result};
use crate::core::group::{self, Group};

/// Event bit: `sptcp_get_partial_data` would give bytes now (bytes the
/// library has buffered count), or the end of the stream or a reset is
/// pending.
pub const SPTCP_EVENT_READABLE: u32 = 1;
/// Event bit: `sptcp_put_partial_data` would take bytes now; for a
/// CONNECTING peer, the connect attempt finished either way (call
/// `sptcp_poll`).
pub const SPTCP_EVENT_WRITABLE: u32 = 2;
/// Event bit: the far side closed its side (FIN); unread bytes may remain.
pub const SPTCP_EVENT_HANGUP: u32 = 4;
/// Event bit: a socket error is pending (reset, refused).
pub const SPTCP_EVENT_ERROR: u32 = 8;
/// Event bit: a server has a connection to take.
pub const SPTCP_EVENT_ACCEPTABLE: u32 = 16;

// The numbers of the header are the core's.
const _: () = assert!(
    SPTCP_EVENT_READABLE == group::READABLE
        && SPTCP_EVENT_WRITABLE == group::WRITABLE
        && SPTCP_EVENT_HANGUP == group::HANGUP
        && SPTCP_EVENT_ERROR == group::ERROR
        && SPTCP_EVENT_ACCEPTABLE == group::ACCEPTABLE
);

/// A poll group: many peers and servers, one wait (epoll on Linux; on
/// other systems one `poll` / `WSAPoll` over the members). Made by
/// `sptcp_group_new`, freed by `sptcp_group_free`.
///
/// * Level-triggered: a member that stays ready is reported by every wait
///   until its condition clears. When more members are ready than a wait
///   has room for, the next waits report the others first.
/// * The group follows the peer, not its socket: a peer that disconnects
///   and connects again stays a member; a member without a socket reports
///   nothing. Freeing a member takes it out. A peer or server belongs to at
///   most one group.
/// * Every kind of peer can be a member: TCP, Unix domain, buffers (always
///   writable; readable while bytes remain). Bytes the library has read
///   ahead count as readable.
/// * A group and its members are used by one thread at a time.
pub struct sptcp_group {
    _private: [u8; 0],
}

impl Castable for sptcp_group {
    type RustType = Group;
}

/// One ready member of a group: the `user_data` it was added with, and
/// every `SPTCP_EVENT_*` bit that holds.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct sptcp_event {
    pub user_data: *mut c_void,
    pub events: u32,
}

impl Call {
    /// A wait's `timeout_ms`: -1 no limit, 0 just look, else milliseconds.
    fn timeout(&self, ms: i32) -> Result<Option<Duration>> {
        match ms {
            -1 => Ok(None),
            ms if ms >= 0 => Ok(Some(Duration::from_millis(ms as u64))),
            ms => Err(self.invalid(format!(
                "timeout_ms must be -1 (no limit) or at least 0, got {ms}"
            ))),
        }
    }
}

/// Waits until `peer` is ready for `interest` (`SPTCP_EVENT_READABLE`,
/// `_WRITABLE`, or both) or `timeout_ms` passes (-1: no limit, 0: just
/// look). `*ready` (if not NULL) gets the events that hold, 0 when none:
/// HANGUP and ERROR are reported whether or not asked for, and bytes the
/// library has buffered count as READABLE at once. No status changes here
/// and nothing is read (a pending refusal or reset stays for `sptcp_poll`
/// to find). A buffer peer never waits.
///
/// `SPTCP_OK` when something holds; `SPTCP_ERR_TIMEOUT` when nothing did
/// in time; `SPTCP_ERR_UNAVAILABLE` at once for a peer without a socket;
/// `SPTCP_ERR_INVALID_PARAMETER` for NULL or a timeout below -1. EINTR is
/// retried with the time left.
#[no_mangle]
pub extern "C" fn sptcp_wait(
    peer: *mut sptcp_peer,
    interest: u32,
    timeout_ms: i32,
    ready: *mut u32,
) -> sptcp_error {
    export!(|cx| {
        put_out(ready, 0);
        let p = cx.get(peer, "peer")?;
        let bits = p.wait(interest & group::ALL, cx.timeout(timeout_ms)?)?;
        put_out(ready, bits);
        if bits == 0 {
            return Err(cx.fail(Error::ERR_TIMEOUT, "nothing happened in time"));
        }
        Ok(sptcp_error::SPTCP_OK)
    })
}

/// Waits until a connection is there to take, or `timeout_ms` passes (-1:
/// no limit, 0: just look). `SPTCP_OK` when one is; `SPTCP_ERR_TIMEOUT`
/// otherwise; `SPTCP_ERR_UNAVAILABLE` when not listening;
/// `SPTCP_ERR_INVALID_PARAMETER` for NULL or a timeout below -1.
#[no_mangle]
pub extern "C" fn sptcp_server_wait(server: *mut sptcp_server, timeout_ms: i32) -> sptcp_error {
    export!(|cx| {
        let s = cx.get(server, "server")?;
        s.base().wait(cx.timeout(timeout_ms)?)?;
        Ok(sptcp_error::SPTCP_OK)
    })
}

/// The OS socket of a peer (a descriptor, or a SOCKET on Windows), to wait
/// on in another event loop; -1 when it has none (a buffer, not connected)
/// or for NULL. Borrowed: never close, read or write it. Bytes the library
/// has already buffered are not visible on it: read until
/// `sptcp_get_available_bytes` is 0 before waiting on it.
#[no_mangle]
pub extern "C" fn sptcp_get_socket(peer: *const sptcp_peer) -> i64 {
    export!(nothing = -1, |cx| {
        let p = cx.get(peer, "peer")?;
        if let Some(tls) = p.tls() {
            // The socket of the stream under it.
            use crate::core::group::Member;
            return Ok(tls.raw_socket().map_or(-1, |s| s as i64));
        }
        let sock = p.socket().and_then(|s| s.socket());
        Ok(sock.map_or(-1, crate::core::sys::raw_number))
    })
}

/// The OS socket of a listening server; -1 when not listening or for NULL.
/// Borrowed: never close it.
#[no_mangle]
pub extern "C" fn sptcp_server_get_socket(server: *const sptcp_server) -> i64 {
    export!(nothing = -1, |cx| {
        let s = cx.get(server, "server")?;
        Ok(s.base().socket().map_or(-1, crate::core::sys::raw_number))
    })
}

/// Creates an empty poll group. Free it with `sptcp_group_free`. NULL (with
/// the reason in the last error) if the system cannot make one.
#[no_mangle]
pub extern "C" fn sptcp_group_new() -> *mut sptcp_group {
    export!(|_cx| Ok(new_box::<sptcp_group>(Group::new()?)))
}

/// Frees a group. Its members stay alive and leave it (each can join
/// another group). NULL is fine; freeing twice is not (undefined
/// behaviour).
#[no_mangle]
pub extern "C" fn sptcp_group_free(group: *mut sptcp_group) {
    export!(|_cx| {
        free_box(group);
        Ok(())
    })
}

/// Adds a peer (any kind, with or without a socket) for the events in
/// `interest`; waits give back `user_data` with its events.
/// `SPTCP_ERR_ALREADY_IN_USE` when the peer is in a group already (this
/// one or another); `SPTCP_ERR_INVALID_PARAMETER` for NULL.
#[no_mangle]
pub extern "C" fn sptcp_group_add_peer(
    group: *mut sptcp_group,
    peer: *mut sptcp_peer,
    interest: u32,
    user_data: *mut c_void,
) -> sptcp_error {
    export!(|cx| {
        let g = cx.get(group, "group")?;
        let p = cx.get_mut(peer, "peer")?;
        g.add(p.member_mut(), interest, user_data as usize)?;
        Ok(sptcp_error::SPTCP_OK)
    })
}

/// Adds a server: waits report `SPTCP_EVENT_ACCEPTABLE` while a connection
/// is there to take (and nothing while it is not listening).
/// `SPTCP_ERR_ALREADY_IN_USE` when it is in a group already;
/// `SPTCP_ERR_INVALID_PARAMETER` for NULL.
#[no_mangle]
pub extern "C" fn sptcp_group_add_server(
    group: *mut sptcp_group,
    server: *mut sptcp_server,
    user_data: *mut c_void,
) -> sptcp_error {
    export!(|cx| {
        let g = cx.get(group, "group")?;
        let s = cx.get_mut(server, "server")?;
        g.add(s.member_mut(), group::ACCEPTABLE, user_data as usize)?;
        Ok(sptcp_error::SPTCP_OK)
    })
}

/// Changes which events a member peer is waited for.
/// `SPTCP_ERR_DOES_NOT_EXIST` when the peer is not in this group;
/// `SPTCP_ERR_INVALID_PARAMETER` for NULL.
#[no_mangle]
pub extern "C" fn sptcp_group_set_interest(
    group: *mut sptcp_group,
    peer: *mut sptcp_peer,
    interest: u32,
) -> sptcp_error {
    export!(|cx| {
        let g = cx.get(group, "group")?;
        let p = cx.get_mut(peer, "peer")?;
        g.set_interest(p.member_mut(), interest)?;
        Ok(sptcp_error::SPTCP_OK)
    })
}

/// Takes a peer out of the group (it stays alive).
/// `SPTCP_ERR_DOES_NOT_EXIST` when it is not in this group;
/// `SPTCP_ERR_INVALID_PARAMETER` for NULL.
#[no_mangle]
pub extern "C" fn sptcp_group_remove_peer(
    group: *mut sptcp_group,
    peer: *mut sptcp_peer,
) -> sptcp_error {
    export!(|cx| {
        let g = cx.get(group, "group")?;
        g.remove(cx.get_mut(peer, "peer")?.member_mut())?;
        Ok(sptcp_error::SPTCP_OK)
    })
}

/// Takes a server out of the group (it stays alive).
/// `SPTCP_ERR_DOES_NOT_EXIST` when it is not in this group;
/// `SPTCP_ERR_INVALID_PARAMETER` for NULL.
#[no_mangle]
pub extern "C" fn sptcp_group_remove_server(
    group: *mut sptcp_group,
    server: *mut sptcp_server,
) -> sptcp_error {
    export!(|cx| {
        let g = cx.get(group, "group")?;
        g.remove(cx.get_mut(server, "server")?.member_mut())?;
        Ok(sptcp_error::SPTCP_OK)
    })
}

/// How many members the group has (0 for NULL).
#[no_mangle]
pub extern "C" fn sptcp_group_size(group: *const sptcp_group) -> usize {
    export!(|cx| Ok(cx.get(group, "group")?.size()))
}

/// Waits until at least one member is ready or `timeout_ms` passes (-1: no
/// limit, 0: just look), then writes up to `cap` events to `events` and
/// how many to `*n`: one per ready member, carrying every bit that holds
/// (HANGUP and ERROR whatever the interest). `SPTCP_OK`, also with `*n` 0
/// after the timeout. O(ready members) with epoll.
///
/// `SPTCP_ERR_INVALID_PARAMETER` for a NULL group or `n`, `events` NULL with
/// `cap > 0`, or a timeout below -1. EINTR is retried with the time left.
#[no_mangle]
pub extern "C" fn sptcp_group_wait(
    group: *mut sptcp_group,
    timeout_ms: i32,
    events: *mut sptcp_event,
    cap: usize,
    n: *mut usize,
) -> sptcp_error {
    export!(|cx| {
        put_out(n, 0);
        let g = cx.get(group, "group")?;
        cx.need(n, "n")?;
        if cap > 0 {
            cx.need(events, "events")?;
        }
        let timeout = cx.timeout(timeout_ms)?;
        // The events go straight into the caller's array.
        let mut out = Events { events, cap, n: 0 };
        g.wait(timeout, cap, &mut out)?;
        put_out(n, out.n);
        Ok(sptcp_error::SPTCP_OK)
    })
}

/// The caller's `events` array (`cap` long) as [`group::Ready`]. The group
/// never reports more than the `cap` it was given; a report past the end
/// would be dropped, never written.
struct Events {
    events: *mut sptcp_event,
    cap: usize,
    n: usize,
}

impl group::Ready for Events {
    fn count(&self) -> usize {
        self.n
    }

    fn push(&mut self, user_data: usize, bits: u32) {
        debug_assert!(self.n < self.cap, "the group reports at most cap events");
        if self.n >= self.cap {
            return;
        }
        let ev = sptcp_event {
            user_data: user_data as *mut c_void,
            events: bits,
        };
        put_out(self.events.wrapping_add(self.n), ev);
        self.n += 1;
    }
}

/// A descriptor that becomes readable when a member may be ready (the
/// epoll descriptor), to put the whole group inside another event loop
/// (asyncio, libuv's `uv_poll`, SDL, GLib): wait on it, then call
/// `sptcp_group_wait` with timeout 0. It is not readable while nothing is
/// ready, and stays readable while a member has bytes buffered in the
/// library. -1 where the system has none (Windows, macOS) or for NULL.
/// Borrowed: never close it.
#[no_mangle]
pub extern "C" fn sptcp_group_get_fd(group: *const sptcp_group) -> i64 {
    export!(nothing = -1, |cx| Ok(cx
        .get(group, "group")?
        .fd()
        .unwrap_or(-1)))
}
