//! `sptcp_server`: Godot's TCPServer.

use std::ffi::c_char;

use super::boundary::{export, Call};
use super::enums::sptcp_error;
use super::handle::{free_box, new_box, Castable};
use super::peer::sptcp_peer;
use crate::core::error::{Error, Failure};
use crate::core::peer::Peer;
use crate::core::server::Server;
use crate::core::tcp_server::TcpServer;

/// A server: Godot's TCPServer (made by `sptcp_server_new`) or UDSServer
/// (made by `sptcp_uds_server_new`), freed by `sptcp_server_free`. Used by
/// one thread at a time.
///
/// Methods of every server: `sptcp_server_is_listening`,
/// `sptcp_server_is_connection_available`, `sptcp_server_take_connection`
/// (a peer of the server's kind), `sptcp_server_stop`. TCP only:
/// `sptcp_server_listen`, `sptcp_server_get_local_port`. Unix domain only:
/// `sptcp_uds_server_listen`. A call for the other kind gives
/// `SPTCP_ERR_UNAVAILABLE` (or the "nothing" value).
pub struct sptcp_server {
    _private: [u8; 0],
}

impl Castable for sptcp_server {
    type RustType = Server;
}

impl Call {
    /// A call for one kind of server made on the other kind.
    pub(crate) fn wrong_server_kind(&self, want: &str) -> Failure {
        self.fail(
            Error::ERR_UNAVAILABLE,
            format!("this server is not a {want} server"),
        )
    }
}

/// Creates a server that is not listening yet. Free it with
/// `sptcp_server_free`. Returns NULL only if memory runs out.
#[no_mangle]
pub extern "C" fn sptcp_server_new() -> *mut sptcp_server {
    export!(|_cx| Ok(new_box(Server::Tcp(TcpServer::new()))))
}

/// Stops listening and frees the server. Peers already taken are not
/// affected. NULL is fine; freeing twice is not (undefined behaviour).
#[no_mangle]
pub extern "C" fn sptcp_server_free(server: *mut sptcp_server) {
    export!(|_cx| {
        free_box(server);
        Ok(())
    })
}

/// Starts listening on `port` (Godot's `TCPServer.listen`), with
/// SO_REUSEADDR (not on Windows) and a backlog of 8.
///
/// * `port`: 0..65535; 0 picks a free port (read it with
///   `sptcp_server_get_local_port`).
/// * `bind_address`: "*" (NULL means "*") listens on every address, IPv4
///   and IPv6; an IPv4 or IPv6 literal listens on that address only
///   ("0.0.0.0": every IPv4 address; "::": every IPv6 address). Host names
///   such as "localhost" are not resolved and give
///   `SPTCP_ERR_INVALID_PARAMETER`.
///
/// Returns, in Godot's order: `SPTCP_ERR_ALREADY_IN_USE` when already
/// listening; `SPTCP_ERR_INVALID_PARAMETER` for a bad address, a port
/// outside 0..65535, a NULL server or invalid UTF-8;
/// `SPTCP_ERR_CANT_CREATE` when no socket can be opened;
/// `SPTCP_ERR_ALREADY_IN_USE` for any bind failure (port taken, address
/// not on this host, no permission); `SPTCP_FAILED` when `listen` fails.
#[no_mangle]
pub extern "C" fn sptcp_server_listen(
    server: *mut sptcp_server,
    port: i32,
    bind_address: *const c_char,
) -> sptcp_error {
    export!(|cx| {
        let s = cx.get_mut(server, "server")?;
        let tcp = s.tcp_mut().ok_or_else(|| cx.wrong_server_kind("TCP"))?;
        let addr = cx.opt_str(bind_address, "bind_address")?.unwrap_or("*");
        tcp.listen(port, addr)?;
        Ok(sptcp_error::SPTCP_OK)
    })
}

/// Whether the server is listening (false for NULL).
#[no_mangle]
pub extern "C" fn sptcp_server_is_listening(server: *const sptcp_server) -> bool {
    export!(|cx| Ok(cx.get(server, "server")?.base().is_listening()))
}

/// Whether a connection is waiting to be taken, without waiting (false when
/// not listening, or for NULL).
#[no_mangle]
pub extern "C" fn sptcp_server_is_connection_available(server: *const sptcp_server) -> bool {
    export!(|cx| Ok(cx.get(server, "server")?.base().is_connection_available()))
}

/// Takes the next waiting connection as a new peer, already
/// `SPTCP_STATUS_CONNECTED`, owned by the caller (free it with
/// `sptcp_peer_free`; it outlives the server). Its connected host and port
/// are the client's.
///
/// NULL when no connection is waiting, when the waiting one vanished
/// before it could be accepted (say, the client reset it), when not
/// listening, or for a NULL server; `sptcp_last_error_message` says which.
#[no_mangle]
pub extern "C" fn sptcp_server_take_connection(server: *mut sptcp_server) -> *mut sptcp_peer {
    export!(|cx| {
        let io = cx.get_mut(server, "server")?.take_connection()?;
        Ok(new_box::<sptcp_peer>(Peer::new(io)))
    })
}

/// The port the server listens on (useful after listening on port 0); 0
/// when not listening, or for NULL.
#[no_mangle]
pub extern "C" fn sptcp_server_get_local_port(server: *const sptcp_server) -> i32 {
    export!(|cx| {
        let s = cx.get(server, "server")?;
        let tcp = s.tcp().ok_or_else(|| cx.wrong_server_kind("TCP"))?;
        Ok(i32::from(tcp.local_port()?))
    })
}

/// Stops listening and closes the listening socket. Connections not yet
/// taken are dropped; peers already taken keep working. `listen` may be
/// called again. NULL is ignored.
#[no_mangle]
pub extern "C" fn sptcp_server_stop(server: *mut sptcp_server) {
    export!(|cx| {
        cx.get_mut(server, "server")?.base_mut().stop();
        Ok(())
    })
}
