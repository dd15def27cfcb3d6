//! Unix domain sockets: `sptcp_peer` as Godot master's StreamPeerUDS and
//! `sptcp_server` as its UDSServer. Everything else (poll, status, data,
//! typed values, strings, Variants, the server calls) is the same call as
//! for TCP.

use std::ffi::c_char;

use super::boundary::{copy_text, export};
use super::enums::sptcp_error;
use super::handle::new_box;
use super::peer::{sptcp_peer, Kind};
use super::server::sptcp_server;
use crate::core::error::Error;
use crate::core::peer::{Peer, PeerIo};
use crate::core::server::Server;
use crate::core::uds_peer::UdsPeer;
use crate::core::uds_server::UdsServer;

/// Unix domain calls on another kind of peer: `SPTCP_ERR_UNAVAILABLE`.
const UDS: Kind<UdsPeer> = Kind {
    get: Peer::uds,
    get_mut: Peer::uds_mut,
    code: Error::ERR_UNAVAILABLE,
    other: "this peer is not a Unix domain peer",
};

/// Creates a Unix domain socket peer (Godot master's StreamPeerUDS): no
/// socket, `SPTCP_STATUS_NONE`, a 30 s connect timeout (Godot's
/// `network/limits/unix/connect_timeout_seconds`).
///
/// Every generic call works on it: `sptcp_poll`, `sptcp_get_status`,
/// `sptcp_disconnect_from_host`, the connect timeout, the data, typed,
/// string and Variant calls. TCP-only calls (`sptcp_bind`,
/// `sptcp_connect_to_host`, ports, `sptcp_set_no_delay`) return
/// `SPTCP_ERR_UNAVAILABLE` or their "nothing" value.
///
/// Free it with `sptcp_peer_free`. Returns NULL only if memory runs out.
/// Creating one always works; where the system has no Unix domain sockets
/// (Windows before 10 1803), bind and connect say so.
#[no_mangle]
pub extern "C" fn sptcp_uds_new() -> *mut sptcp_peer {
    export!(|_cx| Ok(new_box::<sptcp_peer>(Peer::new(
        PeerIo::Uds(UdsPeer::new())
    ))))
}

/// Binds the peer's socket to `path` before connecting (Godot master's
/// `StreamPeerUDS.bind`), so the server sees where the connection comes
/// from. The socket file it makes is removed when the peer's socket closes
/// (disconnect, a failed read, free), if it is still the same file.
///
/// A socket file already at `path` that no server listens on (a stale one)
/// is replaced; anything else there is left alone.
///
/// Returns `SPTCP_OK`; `SPTCP_ERR_ALREADY_IN_USE` if the peer already has
/// a socket; `SPTCP_ERR_INVALID_PARAMETER` for a NULL peer or path,
/// invalid UTF-8, an empty path, or one longer than the platform takes
/// (107 bytes on Linux, 103 on macOS); `SPTCP_ERR_ALREADY_EXISTS` when
/// `path` exists and is not a socket (file, directory, symbolic link: it
/// is never removed); `SPTCP_ERR_UNAUTHORIZED` without permission;
/// `SPTCP_ERR_UNAVAILABLE` when a server is listening on `path`, the bind
/// fails otherwise, the peer is not a Unix domain peer, or the system has
/// no Unix domain sockets; `SPTCP_FAILED` when no socket can be opened.
/// After any failure the peer holds no socket.
#[no_mangle]
pub extern "C" fn sptcp_uds_bind(peer: *mut sptcp_peer, path: *const c_char) -> sptcp_error {
    export!(|cx| {
        let uds = cx.kind_mut(peer, &UDS)?;
        uds.bind(cx.str(path, "path")?)?;
        Ok(sptcp_error::SPTCP_OK)
    })
}

/// Starts connecting to the server listening on `path` (Godot master's
/// `StreamPeerUDS.connect_to_host`). Never blocks. A Unix domain connect
/// usually finishes at once (status `SPTCP_STATUS_CONNECTED`); when the
/// server's backlog is full it is `SPTCP_STATUS_CONNECTING` and
/// `sptcp_poll` finishes it or gives up after the connect timeout with
/// `SPTCP_ERR_CONNECTION_ERROR` (status ERROR).
///
/// Checks, in Godot's order: `SPTCP_ERR_ALREADY_IN_USE` when the status is
/// not NONE; `SPTCP_ERR_INVALID_PARAMETER` for a NULL peer or path,
/// invalid UTF-8, an empty path or one longer than the platform takes;
/// `SPTCP_FAILED` when no server listens there (no such file, or nobody
/// accepting: the status stays NONE and the socket is closed) or no socket
/// can be opened; `SPTCP_ERR_UNAVAILABLE` when the peer is not a Unix
/// domain peer or the system has no Unix domain sockets.
///
/// A peer bound with `sptcp_uds_bind` connects from its bound path.
#[no_mangle]
pub extern "C" fn sptcp_uds_connect_to_host(
    peer: *mut sptcp_peer,
    path: *const c_char,
) -> sptcp_error {
    export!(|cx| {
        let uds = cx.kind_mut(peer, &UDS)?;
        uds.connect_to_host(cx.str(path, "path")?)?;
        Ok(sptcp_error::SPTCP_OK)
    })
}

/// Writes the path the peer connected to into `buf`, like `snprintf`
/// (Godot master's `StreamPeerUDS.get_connected_path`): "" without a
/// connection, and for a peer taken from a server (as in Godot).
///
/// At most `buf_len` bytes are written, always NUL-terminated when
/// `buf_len > 0`; `buf` may be NULL when `buf_len` is 0. Returns the length
/// of the whole path without the NUL (0 for a NULL peer or one that is not
/// a Unix domain peer, which write ""). 108 bytes always suffice.
#[no_mangle]
pub extern "C" fn sptcp_uds_get_connected_path(
    peer: *const sptcp_peer,
    buf: *mut c_char,
    buf_len: usize,
) -> usize {
    export!(|cx| {
        // "" for a NULL peer or another kind too: the buffer is written in
        // every case.
        copy_text("", buf, buf_len);
        Ok(copy_text(
            cx.kind(peer, &UDS)?.connected_path(),
            buf,
            buf_len,
        ))
    })
}

/// Creates a Unix domain socket server (Godot master's UDSServer) that is
/// not listening yet. The server calls work on it
/// (`sptcp_server_is_listening`, `_is_connection_available`,
/// `_take_connection`, which gives Unix domain peers, `_stop`);
/// `sptcp_server_listen` and `sptcp_server_get_local_port` are TCP only
/// (`SPTCP_ERR_UNAVAILABLE`, 0).
///
/// Free it with `sptcp_server_free`, which stops it. Returns NULL only if
/// memory runs out.
#[no_mangle]
pub extern "C" fn sptcp_uds_server_new() -> *mut sptcp_server {
    export!(|_cx| Ok(new_box::<sptcp_server>(Server::Uds(UdsServer::new()))))
}

/// Starts listening on `path` (Godot master's `UDSServer.listen`), with a
/// backlog of 8. The socket file is made now and removed by
/// `sptcp_server_stop` or `sptcp_server_free` (if it is still the same
/// file). A socket file already at `path` that no server listens on (left
/// by a crashed program) is replaced, as Godot does; unlike Godot, a socket
/// a server is listening on is not taken over, and a path that is not a
/// socket (file, directory, symbolic link) is never removed.
///
/// Returns, in Godot's order: `SPTCP_ERR_ALREADY_IN_USE` when already
/// listening; `SPTCP_ERR_INVALID_PARAMETER` for a NULL server or path,
/// invalid UTF-8, an empty path, or one longer than the platform takes
/// (107 bytes on Linux, 103 on macOS); `SPTCP_ERR_CANT_CREATE` when no
/// socket can be opened; `SPTCP_ERR_ALREADY_IN_USE` when a server listens
/// on `path`, something that is not a socket is there, or the bind fails
/// (no permission, no such directory); `SPTCP_FAILED` when `listen` fails.
/// `SPTCP_ERR_UNAVAILABLE` for a TCP server, and where the system has no
/// Unix domain sockets (Windows before 10 1803).
#[no_mangle]
pub extern "C" fn sptcp_uds_server_listen(
    server: *mut sptcp_server,
    path: *const c_char,
) -> sptcp_error {
    export!(|cx| {
        let s = cx.get_mut(server, "server")?;
        let uds = s
            .uds_mut()
            .ok_or_else(|| cx.wrong_server_kind("Unix domain"))?;
        uds.listen(cx.str(path, "path")?)?;
        Ok(sptcp_error::SPTCP_OK)
    })
}
