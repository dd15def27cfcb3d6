//! SocketServer: a listening socket of any kind, the queue of pending
//! connections and taking them (Godot master's `core/io/socket_server.*`).
//! `tcp_server.rs` and `uds_server.rs` only open and bind the socket and
//! wrap what is taken in their kind of peer.

use std::io;
use std::time::Duration;

use super::error::{fail, Error, Result};
use super::group::{Link, Member};
use super::socket_stream::OpenSocket;
use super::sys::{self, PollType, SockAddr, Socket};

/// Godot's listen backlog (`SocketServer::MAX_PENDING_CONNECTIONS`).
pub const BACKLOG: i32 = 8;

/// Godot's SocketServer.
#[derive(Debug, Default)]
pub struct SocketServer {
    /// The poll group this server is in (first: it leaves before its
    /// socket closes).
    member: Option<Link>,
    listener: Option<OpenSocket>,
}

impl SocketServer {
    pub fn new() -> SocketServer {
        SocketServer::default()
    }

    /// `ERR_ALREADY_IN_USE` when listening (Godot's first check).
    pub fn check_not_listening(&self) -> Result<()> {
        if self.listener.is_some() {
            return fail(
                Error::ERR_ALREADY_IN_USE,
                "listen: already listening; call stop first",
            );
        }
        Ok(())
    }

    /// Godot's `_listen`: starts listening on a socket that is open and
    /// bound. A failing `listen()` closes it: `FAILED`.
    pub fn start(&mut self, open: OpenSocket, endpoint: &str) -> Result<()> {
        if let Err(e) = open.sock.listen(BACKLOG) {
            return fail(Error::FAILED, format!("listen on {endpoint}: {e}"));
        }
        if let Some(link) = &self.member {
            link.socket_changed(Some(sys::raw(&open.sock)));
        }
        self.listener = Some(open);
        Ok(())
    }

    pub fn is_listening(&self) -> bool {
        self.listener.is_some()
    }

    /// The listening socket, if any.
    pub fn socket(&self) -> Option<&Socket> {
        self.listener.as_ref().map(|l| &l.sock)
    }

    /// A connection is waiting to be taken (poll says readable, no error).
    pub fn is_connection_available(&self) -> bool {
        let Some(sock) = self.socket() else {
            return false;
        };
        matches!(sys::poll(sock, PollType::In, Some(Duration::ZERO)),
            Ok(r) if !r.error && r.readable)
    }

    /// Godot's `_take_connection`: accepts the next waiting connection.
    /// `Err` when none is waiting or `accept` failed (for example, the
    /// client reset the connection before it was taken).
    ///
    /// The listening socket never blocks, so `accept` itself answers
    /// whether one is waiting: one system call where Godot's check first
    /// (`is_connection_available`, a `poll`) and then `accept` cost two.
    pub fn accept(&mut self) -> Result<(Socket, SockAddr)> {
        let Some(sock) = self.socket() else {
            return fail(Error::ERR_UNAVAILABLE, "take_connection: not listening");
        };
        match sys::accept(sock) {
            Ok(accepted) => Ok(accepted),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => fail(
                Error::ERR_UNAVAILABLE,
                "take_connection: no connection is waiting",
            ),
            Err(e) => fail(Error::FAILED, format!("take_connection: accept: {e}")),
        }
    }

    /// Closes the listening socket (and removes the socket file its bind
    /// made); peers already taken are not affected.
    pub fn stop(&mut self) {
        if self.listener.is_some() {
            if let Some(link) = &self.member {
                link.socket_changed(None);
            }
        }
        self.listener = None;
    }

    /// Waits up to `timeout` (None: no limit) for a connection to take:
    /// OK when one is there, ERR_TIMEOUT otherwise; not listening:
    /// ERR_UNAVAILABLE.
    pub fn wait(&self, timeout: Option<Duration>) -> Result<()> {
        let Some(sock) = self.socket() else {
            return fail(
                Error::ERR_UNAVAILABLE,
                "server_wait: the server is not listening",
            );
        };
        let want = sys::poller::Interest {
            read: true,
            write: false,
        };
        match sys::wait_one(sock, want, timeout) {
            Ok(ev) if ev.readable && !ev.error => Ok(()),
            Ok(_) => fail(
                Error::ERR_TIMEOUT,
                "server_wait: no connection within the time",
            ),
            Err(e) => fail(Error::FAILED, format!("server_wait: {e}")),
        }
    }
}

impl Member for SocketServer {
    fn link(&self) -> Option<&Link> {
        self.member.as_ref()
    }

    fn set_link(&mut self, link: Option<Link>) {
        self.member = link;
    }

    fn raw_socket(&self) -> Option<sys::RawSock> {
        self.socket().map(sys::raw)
    }

    fn user_events(&self) -> u32 {
        0
    }

    fn is_server(&self) -> bool {
        true
    }
}
