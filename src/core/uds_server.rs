//! UDSServer: what Unix domain sockets add to the socket server — listen on
//! a path, and hand out Unix domain peers (Godot master's
//! `core/io/uds_server.*`).
//!
//! The socket file the server makes is removed when it stops (or is
//! freed). A stale socket file at the path (nobody listening) is replaced,
//! as Godot does; unlike Godot, a socket a server is still listening on is
//! not taken over, a path longer than the platform takes is
//! `ERR_INVALID_PARAMETER`, and a path that is not a socket (file,
//! directory, symbolic link) is never removed.

use super::error::{fail, Error, Result};
use super::socket_file::{clear_stale, unix_address, Before, SocketFile};
use super::socket_server::SocketServer;
use super::socket_stream::OpenSocket;
use super::uds_peer::{open_unix, UdsPeer};

/// Godot's UDSServer.
#[derive(Debug, Default)]
pub struct UdsServer {
    pub base: SocketServer,
}

impl UdsServer {
    pub fn new() -> UdsServer {
        UdsServer::default()
    }

    /// Godot's `listen(path)`: backlog 8. Checks in Godot's order: already
    /// listening (`ERR_ALREADY_IN_USE`), an empty (or too long) path
    /// (`ERR_INVALID_PARAMETER`), no socket (`ERR_CANT_CREATE`,
    /// or `ERR_UNAVAILABLE` where the system has no Unix domain
    /// sockets), then any bind failure (`ERR_ALREADY_IN_USE`: a live
    /// server there, something that is not a socket, no permission).
    pub fn listen(&mut self, path: &str) -> Result<()> {
        self.base.check_not_listening()?;
        let addr = unix_address(path, "uds_server_listen")?;
        let sock = open_unix("uds_server_listen", Error::ERR_CANT_CREATE)?;
        match clear_stale(path) {
            Before::Free => {}
            Before::Live => {
                return fail(
                    Error::ERR_ALREADY_IN_USE,
                    format!("uds_server_listen: a server is already listening on '{path}'"),
                )
            }
            Before::NotASocket => {
                return fail(
                    Error::ERR_ALREADY_IN_USE,
                    format!(
                    "uds_server_listen: '{path}' exists and is not a socket (it was not removed)"
                ),
                )
            }
        }
        if let Err(e) = sock.bind(&addr) {
            return fail(
                Error::ERR_ALREADY_IN_USE,
                format!("uds_server_listen: bind to '{path}': {e}"),
            );
        }
        let open = OpenSocket {
            sock,
            file: Some(SocketFile::created(path)),
        };
        self.base.start(open, path)
    }

    /// Takes the next waiting connection as a CONNECTED peer.
    pub fn take_connection(&mut self) -> Result<UdsPeer> {
        let (sock, _) = self.base.accept()?;
        Ok(UdsPeer::from_accepted(sock))
    }
}
