//! TCPServer: what TCP adds to the socket server — listen on an IP address
//! and port, and hand out TCP peers.

use super::address;
use super::error::{fail, io_fail, Error, Failure, Result};
use super::socket_server::SocketServer;
use super::socket_stream::OpenSocket;
use super::sys;
use super::tcp_peer::{open_for_bind, TcpPeer};

/// Godot's TCPServer.
#[derive(Debug, Default)]
pub struct TcpServer {
    pub base: SocketServer,
}

impl TcpServer {
    pub fn new() -> TcpServer {
        TcpServer::default()
    }

    /// Godot's `listen(port, bind_address)`. "*" listens on IPv4 and IPv6
    /// (a dual-stack socket). SO_REUSEADDR on Unix, backlog 8. Any bind
    /// failure is `ERR_ALREADY_IN_USE`, as in Godot.
    pub fn listen(&mut self, port: i32, bind_address: &str) -> Result<()> {
        self.base.check_not_listening()?;
        let addr = address::parse_bind_address(bind_address)?;
        let Ok(port) = u16::try_from(port) else {
            return fail(
                Error::ERR_INVALID_PARAMETER,
                format!(
                    "listen: the port number must be between 0 and 65535 (inclusive), got {port}"
                ),
            );
        };
        let (sock, _, local) = open_for_bind(addr, port).map_err(|e| {
            Failure::new(
                Error::ERR_CANT_CREATE,
                format!("listen: can't open a socket: {e}"),
            )
        })?;
        let endpoint = address::display_endpoint(local);
        let reuse = sys::set_listener_reuse(&sock);
        if let Err(e) = reuse.and_then(|()| sock.bind(&local.into())) {
            return fail(
                Error::ERR_ALREADY_IN_USE,
                format!("listen: bind to {endpoint}: {e}"),
            );
        }
        self.base.start(OpenSocket::new(sock), &endpoint)
    }

    /// Takes the next waiting connection as a CONNECTED peer.
    pub fn take_connection(&mut self) -> Result<TcpPeer> {
        let (sock, remote) = self.base.accept()?;
        match remote.as_socket() {
            Some(remote) => Ok(TcpPeer::from_accepted(sock, remote)),
            None => fail(
                Error::FAILED,
                "take_connection: accepted a connection without an IP address",
            ),
        }
    }

    /// The port listened on (useful after `listen(0)`).
    pub fn local_port(&self) -> Result<u16> {
        let Some(sock) = self.base.socket() else {
            return fail(Error::FAILED, "get_local_port: the server is not listening");
        };
        sys::local_port(sock).map_err(|e| io_fail(Error::FAILED, "get_local_port", &e))
    }
}
