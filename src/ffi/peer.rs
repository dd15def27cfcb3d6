//! `sptcp_peer` as a StreamPeerTCP: creation, connection and status.

use std::ffi::c_char;
use std::time::Duration;

use super::boundary::{copy_text, export, Call};
use super::enums::{sptcp_error, sptcp_status};
use super::handle::{free_box, new_box, Castable};
use crate::core::error::{Error, Result};
use crate::core::peer::{Peer, PeerIo};
use crate::core::socket_stream::SocketStream;
use crate::core::tcp_peer::TcpPeer;

/// A stream peer: Godot's StreamPeerTCP (from `sptcp_peer_new` or
/// `sptcp_server_take_connection` on a TCP server), StreamPeerUDS (from
/// `sptcp_uds_new` or `sptcp_server_take_connection` on a Unix domain
/// server) or StreamPeerBuffer (from `sptcp_buffer_new`). The data,
/// typed-value, string and Variant calls work on every kind; the socket
/// calls (`sptcp_poll`, `sptcp_get_status`, `sptcp_disconnect_from_host`,
/// the connect timeout) on TCP and Unix domain peers; TCP calls on another
/// kind give `SPTCP_ERR_UNAVAILABLE` (or the "nothing" value), and so do
/// Unix domain calls on another kind.
///
/// Freed by
/// `sptcp_peer_free`. A peer may move between threads but must be used by
/// one thread at a time; distinct peers may be used on distinct threads at
/// once.
///
/// Methods: `sptcp_bind`, `sptcp_connect_to_host`, `sptcp_uds_bind`,
/// `sptcp_uds_connect_to_host`, `sptcp_uds_get_connected_path`, `sptcp_poll`,
/// `sptcp_get_status`, `sptcp_disconnect_from_host`,
/// `sptcp_get_connected_host`, `sptcp_get_connected_port`,
/// `sptcp_get_local_port`, `sptcp_set_no_delay`,
/// `sptcp_set_connect_timeout_ms`, `sptcp_get_connect_timeout_ms`, and the
/// data calls `sptcp_put_data`, `sptcp_put_partial_data`, `sptcp_get_data`,
/// `sptcp_get_partial_data`, `sptcp_get_available_bytes`, the typed
/// `sptcp_put_*` / `sptcp_get_*` calls, `sptcp_put_string`,
/// `sptcp_get_string` and their UTF-8 forms, `sptcp_set_big_endian`,
/// `sptcp_set_max_message_size`, and the `sptcp_buffer_*` calls.
pub struct sptcp_peer {
    _private: [u8; 0],
}

impl Castable for sptcp_peer {
    type RustType = Peer;
}

/// A kind of peer some functions need (TCP, Unix domain, socket, buffer):
/// how to reach it in a `Peer`, and the failure when the peer is of
/// another kind.
pub(crate) struct Kind<K> {
    pub(crate) get: for<'a> fn(&'a Peer) -> Option<&'a K>,
    pub(crate) get_mut: for<'a> fn(&'a mut Peer) -> Option<&'a mut K>,
    pub(crate) code: Error,
    pub(crate) other: &'static str,
}

impl Call {
    /// The `kind` part of a peer argument: NULL bails, another kind fails
    /// with the kind's code.
    pub(crate) fn kind<'c, K>(&'c self, peer: *const sptcp_peer, kind: &Kind<K>) -> Result<&'c K> {
        let p = self.get(peer, "peer")?;
        (kind.get)(p).ok_or_else(|| self.fail(kind.code, kind.other))
    }

    /// [`Call::kind`], exclusive.
    // The reference comes from the C pointer; `self` only bounds its
    // lifetime.
    #[allow(clippy::mut_from_ref)]
    pub(crate) fn kind_mut<'c, K>(
        &'c self,
        peer: *mut sptcp_peer,
        kind: &Kind<K>,
    ) -> Result<&'c mut K> {
        let p = self.get_mut(peer, "peer")?;
        (kind.get_mut)(p).ok_or_else(|| self.fail(kind.code, kind.other))
    }
}

/// TCP calls on another kind of peer: `SPTCP_ERR_UNAVAILABLE`, as Godot
/// answers without a socket.
pub(crate) const TCP: Kind<TcpPeer> = Kind {
    get: Peer::tcp,
    get_mut: Peer::tcp_mut,
    code: Error::ERR_UNAVAILABLE,
    other: "this peer is not a TCP peer",
};

/// Socket calls (Godot's StreamPeerSocket) on a buffer:
/// `SPTCP_ERR_UNAVAILABLE`, as Godot answers without a socket.
pub(crate) const SOCKET: Kind<SocketStream> = Kind {
    get: Peer::socket,
    get_mut: Peer::socket_mut,
    code: Error::ERR_UNAVAILABLE,
    other: "this peer has no socket (it is a buffer)",
};

/// Creates a TCP peer: no socket, `SPTCP_STATUS_NONE`, a 30 s connect
/// timeout, Nagle's algorithm on (as in Godot).
///
/// Free it with `sptcp_peer_free`. Returns NULL only if memory runs out.
#[no_mangle]
pub extern "C" fn sptcp_peer_new() -> *mut sptcp_peer {
    export!(|_cx| Ok(new_box(Peer::new(PeerIo::Tcp(TcpPeer::new())))))
}

/// Disconnects (closing the socket) and frees any peer: made by
/// `sptcp_peer_new`, `sptcp_uds_new`, `sptcp_buffer_new`,
/// `sptcp_buffer_duplicate` or `sptcp_server_take_connection`. A Unix
/// domain peer bound to a path removes its socket file.
///
/// NULL is fine (nothing happens); freeing the same peer twice is not
/// (undefined behaviour).
#[no_mangle]
pub extern "C" fn sptcp_peer_free(peer: *mut sptcp_peer) {
    export!(|_cx| {
        free_box(peer);
        Ok(())
    })
}

/// Binds the peer's socket to a local address and port before connecting
/// (Godot's `StreamPeerTCP.bind`), so the next `sptcp_connect_to_host`
/// uses that source address and port.
///
/// * `port`: 0..65535; 0 lets the system choose.
/// * `host`: "*" (NULL means "*") binds every address, IPv4 and IPv6 (a
///   dual-stack socket); an IPv4 literal gives an IPv4 socket and an IPv6
///   literal an IPv6-only socket. Host names are not resolved.
///
/// Returns `SPTCP_OK`; `SPTCP_ERR_ALREADY_IN_USE` if the peer already has
/// a socket (bound, connecting or connected); `SPTCP_ERR_INVALID_PARAMETER`
/// for a NULL peer, a port outside 0..65535, an address that is not "*" or
/// an IP literal, or invalid UTF-8; `SPTCP_ERR_UNAVAILABLE` when the system
/// refuses the bind (address in use, not on this host, no permission);
/// `SPTCP_FAILED` when no socket can be opened.
///
/// Unlike Godot, a failed bind never leaves a socket behind: the peer can
/// be bound again at once. The status is not changed.
#[no_mangle]
pub extern "C" fn sptcp_bind(peer: *mut sptcp_peer, port: i32, host: *const c_char) -> sptcp_error {
    export!(|cx| {
        let tcp = cx.kind_mut(peer, &TCP)?;
        let host = cx.opt_str(host, "host")?.unwrap_or("*");
        tcp.bind(port, host)?;
        Ok(sptcp_error::SPTCP_OK)
    })
}

/// Starts connecting to `host`:`port` (Godot's
/// `StreamPeerTCP.connect_to_host`). Non-blocking except for name lookup:
/// a host that is not an IP literal is resolved with the system resolver
/// (blocking, as in Godot; `sptcp_set_async_connect` moves it to a
/// resolver thread). The first address is tried first, as in Godot; when
/// the name has more and an attempt fails, `sptcp_poll` tries the next,
/// within the one connect timeout. Call `sptcp_poll` until the status is
/// `SPTCP_STATUS_CONNECTED` or `SPTCP_STATUS_ERROR`.
///
/// Checks, in Godot's order: `SPTCP_ERR_CANT_RESOLVE` when the name does
/// not resolve ("*" is a name here, and does not);
/// `SPTCP_ERR_ALREADY_IN_USE` when the status is not NONE (also after an
/// error: call `sptcp_disconnect_from_host` first);
/// `SPTCP_ERR_INVALID_PARAMETER` for a port outside 1..65535 (and for a
/// NULL peer or host, invalid UTF-8, or a string that looks like an IP
/// literal but is not one); `SPTCP_FAILED` when the socket cannot be opened
/// or the connect fails at once (the status stays NONE, the socket is
/// closed), also when a socket bound with `sptcp_bind` is of the other
/// address family.
///
/// `SPTCP_OK` means the status is now CONNECTING (usual) or CONNECTED. The
/// connect timeout (`sptcp_set_connect_timeout_ms`) is read now. With
/// async connects on, a name gives `SPTCP_OK` after the status and port
/// checks, and the lookup's failure comes from `sptcp_poll`.
#[no_mangle]
pub extern "C" fn sptcp_connect_to_host(
    peer: *mut sptcp_peer,
    host: *const c_char,
    port: i32,
) -> sptcp_error {
    export!(|cx| {
        let tcp = cx.kind_mut(peer, &TCP)?;
        tcp.connect_to_host(cx.str(host, "host")?, port)?;
        Ok(sptcp_error::SPTCP_OK)
    })
}

/// Closes the connection and the socket (bound, connecting or connected)
/// and returns the peer to `SPTCP_STATUS_NONE`, clearing the remote
/// address (Godot's `StreamPeerSocket.disconnect_from_host`; TCP and Unix
/// domain peers). Safe to call in any state, any number of times. NULL is
/// ignored (and noted in `sptcp_last_error_message`), and so is a buffer.
#[no_mangle]
pub extern "C" fn sptcp_disconnect_from_host(peer: *mut sptcp_peer) {
    export!(|cx| {
        cx.kind_mut(peer, &SOCKET)?.disconnect_from_host();
        Ok(())
    })
}

/// Writes the remote address into `buf`, like `snprintf`: IPv4 dotted
/// ("127.0.0.1"; also for IPv4 clients of a dual-stack server), IPv6 as
/// eight hex groups ("0:0:0:0:0:0:0:1"), "" when there is no connection.
/// While connecting: the address being tried (as Godot), but with async
/// connects "" until an address has won.
///
/// At most `buf_len` bytes are written, always NUL-terminated when
/// `buf_len > 0`; `buf` may be NULL when `buf_len` is 0. Returns the length
/// of the whole text without the NUL (0 for a NULL peer, which writes "").
/// `SPTCP_HOST_MAX` bytes always suffice.
#[no_mangle]
pub extern "C" fn sptcp_get_connected_host(
    peer: *const sptcp_peer,
    buf: *mut c_char,
    buf_len: usize,
) -> usize {
    export!(|cx| {
        // "" for NULL too: the buffer is written in every case.
        copy_text("", buf, buf_len);
        let text = cx.get(peer, "peer")?.tcp().map(TcpPeer::connected_host);
        Ok(copy_text(&text.unwrap_or_default(), buf, buf_len))
    })
}

/// The remote port, or 0 when there is no connection (or `peer` is NULL).
#[no_mangle]
pub extern "C" fn sptcp_get_connected_port(peer: *const sptcp_peer) -> i32 {
    export!(|cx| Ok(i32::from(cx.kind(peer, &TCP)?.connected_port())))
}

/// The local port of the peer's socket (`getsockname`), or 0 when the peer
/// has no socket (or `peer` is NULL).
#[no_mangle]
pub extern "C" fn sptcp_get_local_port(peer: *const sptcp_peer) -> i32 {
    export!(|cx| Ok(i32::from(cx.kind(peer, &TCP)?.local_port()?)))
}

/// The peer's status. A plain getter, as in Godot 4: it never looks at the
/// socket, so call `sptcp_poll` to see a connect finish or a peer close.
/// `SPTCP_STATUS_NONE` for NULL and for a buffer.
#[no_mangle]
pub extern "C" fn sptcp_get_status(peer: *const sptcp_peer) -> sptcp_status {
    export!(|cx| Ok(cx.kind(peer, &SOCKET)?.status().into()))
}

/// Updates the status from the socket, without waiting (Godot's
/// `StreamPeerSocket.poll`, for TCP and Unix domain peers). Call it every
/// frame or loop.
///
/// * CONNECTING: finishes the connect → CONNECTED (`SPTCP_OK`); a refused
///   connect (of the last address a name has), or one still running after
///   the connect timeout, → ERROR and `SPTCP_ERR_CONNECTION_ERROR`; an
///   async connect's name that does not resolve → ERROR and
///   `SPTCP_ERR_CANT_RESOLVE`. Never blocks, also during a lookup.
/// * CONNECTED: the peer closed and every byte it sent has been read →
///   NONE (`SPTCP_OK`; while unread bytes remain it stays CONNECTED); a
///   socket error such as a reset → ERROR and `SPTCP_FAILED`.
/// * NONE, ERROR: nothing happens, `SPTCP_OK`.
///
/// `SPTCP_ERR_INVALID_PARAMETER` for NULL; `SPTCP_ERR_UNAVAILABLE` for a
/// buffer.
#[no_mangle]
pub extern "C" fn sptcp_poll(peer: *mut sptcp_peer) -> sptcp_error {
    export!(|cx| {
        cx.kind_mut(peer, &SOCKET)?.poll()?;
        Ok(sptcp_error::SPTCP_OK)
    })
}

/// Turns Nagle's algorithm off (`enabled` true: small writes go out at
/// once, TCP_NODELAY) or back on. Off by default, as in Godot. Needs a
/// socket (connecting or connected); without one nothing happens and the
/// reason goes to `sptcp_last_error_message`.
#[no_mangle]
pub extern "C" fn sptcp_set_no_delay(peer: *mut sptcp_peer, enabled: bool) {
    export!(|cx| cx.kind_mut(peer, &TCP)?.set_no_delay(enabled))
}

/// Sets how long a connect may stay CONNECTING before `sptcp_poll` gives
/// up with `SPTCP_ERR_CONNECTION_ERROR` (default 30000 ms, Godot's
/// `network/limits/tcp/connect_timeout_seconds`, and
/// `network/limits/unix/connect_timeout_seconds` for Unix domain peers).
/// Read when `sptcp_connect_to_host` (or `sptcp_uds_connect_to_host`) is
/// called, so it does not change a connect already running. The check happens only in `sptcp_poll`. NULL is
/// ignored.
#[no_mangle]
pub extern "C" fn sptcp_set_connect_timeout_ms(peer: *mut sptcp_peer, ms: u32) {
    export!(|cx| {
        let s = cx.kind_mut(peer, &SOCKET)?;
        s.set_connect_timeout(Duration::from_millis(u64::from(ms)));
        Ok(())
    })
}

/// The connect timeout in milliseconds (0 for NULL).
#[no_mangle]
pub extern "C" fn sptcp_get_connect_timeout_ms(peer: *const sptcp_peer) -> u32 {
    export!(|cx| {
        let ms = cx.kind(peer, &SOCKET)?.connect_timeout().as_millis();
        Ok(u32::try_from(ms).unwrap_or(u32::MAX))
    })
}
