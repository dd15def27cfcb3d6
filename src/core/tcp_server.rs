//! TCPServer: a listening socket that hands out connected peers.

use std::io;

use super::address;
use super::error::{fail, io_fail, Error, Failure, Result};
use super::sys::{self, Domain, PollType, Socket};
use super::tcp_peer::{open_bound_socket, TcpPeer};

/// Godot's listen backlog (`SocketServer::MAX_PENDING_CONNECTIONS`).
pub const BACKLOG: i32 = 8;

#[derive(Debug)]
struct Listener {
    sock: Socket,
    domain: Domain,
    v6only: bool,
}

/// Godot's TCPServer.
#[derive(Debug, Default)]
pub struct TcpServer {
    listener: Option<Listener>,
}

impl TcpServer {
    pub fn new() -> TcpServer {
        TcpServer { listener: None }
    }

    /// Godot's `listen(port, bind_address)`. "*" listens on IPv4 and IPv6
    /// (a dual-stack socket). SO_REUSEADDR on Unix, backlog 8. Any bind
    /// failure is `SPTCP_ERR_ALREADY_IN_USE`, as in Godot.
    pub fn listen(&mut self, port: i32, bind_address: &str) -> Result<()> {
        if self.listener.is_some() {
            return fail(
                Error::SPTCP_ERR_ALREADY_IN_USE,
                "listen: already listening; call stop first",
            );
        }
        let addr = address::parse_bind_address(bind_address)?;
        let Ok(port) = u16::try_from(port) else {
            return fail(
                Error::SPTCP_ERR_INVALID_PARAMETER,
                format!(
                    "listen: the port number must be between 0 and 65535 (inclusive), got {port}"
                ),
            );
        };
        let (sock, domain, v6only, local) = open_bound_socket(addr, port).map_err(|e| {
            Failure::new(
                Error::SPTCP_ERR_CANT_CREATE,
                format!("listen: can't open a socket: {e}"),
            )
        })?;
        let endpoint = address::display_endpoint(local);
        let reuse = sys::set_listener_reuse(&sock);
        if let Err(e) = reuse.and_then(|()| sock.bind(&local.into())) {
            return fail(
                Error::SPTCP_ERR_ALREADY_IN_USE,
                format!("listen: bind to {endpoint}: {e}"),
            );
        }
        if let Err(e) = sock.listen(BACKLOG) {
            return fail(Error::SPTCP_FAILED, format!("listen on {endpoint}: {e}"));
        }
        self.listener = Some(Listener {
            sock,
            domain,
            v6only,
        });
        Ok(())
    }

    pub fn is_listening(&self) -> bool {
        self.listener.is_some()
    }

    /// A connection is waiting to be taken (poll says readable, no error).
    pub fn is_connection_available(&self) -> bool {
        let Some(l) = &self.listener else {
            return false;
        };
        matches!(sys::poll(&l.sock, PollType::In, Some(std::time::Duration::ZERO)),
            Ok(r) if !r.error && r.readable)
    }

    /// Takes the next waiting connection as a CONNECTED peer. `Err` when
    /// none is waiting or `accept` failed (for example, the client reset
    /// the connection before it was taken).
    pub fn take_connection(&mut self) -> Result<TcpPeer> {
        if !self.is_connection_available() {
            return fail(
                Error::SPTCP_ERR_UNAVAILABLE,
                "take_connection: no connection is waiting",
            );
        }
        let l = self
            .listener
            .as_ref()
            .expect("checked by is_connection_available");
        match sys::accept(&l.sock) {
            Ok((sock, remote)) => Ok(TcpPeer::from_accepted(sock, remote, l.domain, l.v6only)),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => fail(
                Error::SPTCP_ERR_UNAVAILABLE,
                "take_connection: the waiting connection went away",
            ),
            Err(e) => fail(Error::SPTCP_FAILED, format!("take_connection: accept: {e}")),
        }
    }

    /// The port listened on (useful after `listen(0)`).
    pub fn local_port(&self) -> Result<u16> {
        let Some(l) = &self.listener else {
            return fail(
                Error::SPTCP_FAILED,
                "get_local_port: the server is not listening",
            );
        };
        sys::local_port(&l.sock).map_err(|e| io_fail(Error::SPTCP_FAILED, "get_local_port", &e))
    }

    /// Closes the listening socket; peers already taken are not affected.
    pub fn stop(&mut self) {
        self.listener = None;
    }
}
