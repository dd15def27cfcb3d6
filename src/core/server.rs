//! A server as C sees it: one kind of listening socket (TCP or Unix
//! domain), with the calls every kind has (Godot's SocketServer).

use super::error::Result;
use super::peer::PeerIo;
use super::socket_server::SocketServer;
use super::tcp_server::TcpServer;
use super::uds_server::UdsServer;

/// The kinds of server.
#[derive(Debug)]
pub enum Server {
    Tcp(TcpServer),
    Uds(UdsServer),
}

impl Server {
    /// The part every kind shares: listening, waiting connections, stop.
    pub fn base(&self) -> &SocketServer {
        match self {
            Server::Tcp(t) => &t.base,
            Server::Uds(u) => &u.base,
        }
    }

    pub fn base_mut(&mut self) -> &mut SocketServer {
        match self {
            Server::Tcp(t) => &mut t.base,
            Server::Uds(u) => &mut u.base,
        }
    }

    /// The part a poll group follows.
    pub fn member_mut(&mut self) -> &mut SocketServer {
        self.base_mut()
    }

    pub fn tcp(&self) -> Option<&TcpServer> {
        match self {
            Server::Tcp(t) => Some(t),
            Server::Uds(_) => None,
        }
    }

    pub fn tcp_mut(&mut self) -> Option<&mut TcpServer> {
        match self {
            Server::Tcp(t) => Some(t),
            Server::Uds(_) => None,
        }
    }

    pub fn uds_mut(&mut self) -> Option<&mut UdsServer> {
        match self {
            Server::Uds(u) => Some(u),
            Server::Tcp(_) => None,
        }
    }

    /// Takes the next waiting connection as a peer of the server's kind.
    pub fn take_connection(&mut self) -> Result<PeerIo> {
        match self {
            Server::Tcp(t) => t.take_connection().map(PeerIo::Tcp),
            Server::Uds(u) => u.take_connection().map(PeerIo::Uds),
        }
    }
}
