//! StreamPeerUDS: what Unix domain sockets add to the socket stream — bind
//! to a path, connect to a path, name the path (Godot master's
//! `core/io/stream_peer_uds.*`).
//!
//! Differences from Godot master, each deliberate: a path longer than the
//! platform takes is `ERR_INVALID_PARAMETER` (Godot: FAILED); a peer
//! bound with `bind` can then connect (Godot refuses any connect once the
//! socket is open); only a stale socket file is replaced by `bind` (Godot
//! removes a live server's file too); a failed bind removes nothing (Godot
//! unlinks the path even then); and the socket file a bind made is removed
//! when the socket closes only if it is still the same file.

use std::io;

use super::endpoint::Endpoint;
use super::error::{fail, io_fail, Error, Failure, Result};
use super::socket_file::{clear_stale, unix_address, Before, SocketFile};
use super::socket_stream::{OpenSocket, SocketStream, Status};
use super::sys::{self, Socket};

/// Godot's StreamPeerUDS.
#[derive(Debug, Default)]
pub struct UdsPeer {
    pub stream: SocketStream,
}

impl UdsPeer {
    /// A peer with no socket, STATUS_NONE, and the 30 s connect timeout
    /// (Godot's `network/limits/unix/connect_timeout_seconds`).
    pub fn new() -> UdsPeer {
        UdsPeer::default()
    }

    /// Adopts a socket accepted by a Unix domain server: CONNECTED at once,
    /// with no connected path (as in Godot).
    pub(crate) fn from_accepted(sock: Socket) -> UdsPeer {
        UdsPeer {
            stream: SocketStream::from_accepted(sock, None),
        }
    }

    /// Godot's `bind(path)`: gives the peer's socket a path before it
    /// connects (the far side sees it). The socket file is removed when
    /// the socket closes.
    pub fn bind(&mut self, path: &str) -> Result<()> {
        if self.stream.socket().is_some() {
            return fail(
                Error::ERR_ALREADY_IN_USE,
                "uds_bind: the peer already has a socket (bound, connecting or connected); disconnect first",
            );
        }
        let addr = unix_address(path, "uds_bind")?;
        let sock = open_unix("uds_bind", Error::FAILED)?;
        match clear_stale(path) {
            Before::Free => {}
            Before::Live => {
                return fail(
                    Error::ERR_UNAVAILABLE,
                    format!("uds_bind: a server is listening on '{path}'"),
                )
            }
            Before::NotASocket => {
                return fail(
                    Error::ERR_ALREADY_EXISTS,
                    format!("uds_bind: '{path}' exists and is not a socket (it was not removed)"),
                )
            }
        }
        if let Err(e) = sock.bind(&addr) {
            let code = if e.kind() == io::ErrorKind::PermissionDenied {
                Error::ERR_UNAUTHORIZED
            } else {
                Error::ERR_UNAVAILABLE
            };
            return Err(io_fail(code, &format!("uds_bind to '{path}'"), &e));
        }
        self.stream.set_socket(OpenSocket {
            sock,
            file: Some(SocketFile::created(path)),
        });
        Ok(())
    }

    /// Godot's `connect_to_host(path)`: starts a non-blocking connect to
    /// the server listening on `path`. OK means CONNECTED (usual for Unix
    /// domain sockets) or CONNECTING (the server's backlog is full);
    /// `poll` finishes it. A path with no server is `FAILED`.
    pub fn connect_to_host(&mut self, path: &str) -> Result<()> {
        if self.stream.status() != Status::STATUS_NONE {
            return fail(
                Error::ERR_ALREADY_IN_USE,
                format!(
                    "uds_connect_to_host: status is {:?}, not NONE; call disconnect_from_host first",
                    self.stream.status()
                ),
            );
        }
        let target = unix_address(path, "uds_connect_to_host")?;
        if self.stream.socket().is_none() {
            let sock = open_unix("uds_connect_to_host", Error::FAILED)?;
            self.stream.set_socket(OpenSocket::new(sock));
        }
        self.stream
            .start_connect(target, Endpoint::Path(path.to_string()), |e| {
                io_fail(Error::FAILED, &format!("connect to '{path}'"), e)
            })
    }

    /// The path connected to; "" for an accepted peer or without a
    /// connection.
    pub fn connected_path(&self) -> &str {
        self.stream
            .remote()
            .and_then(Endpoint::path)
            .unwrap_or_default()
    }
}

/// Opens a Unix domain socket; where the system has none (Windows before
/// 10 1803), `ERR_UNAVAILABLE` says so; other failures are `code`.
pub(crate) fn open_unix(what: &str, code: Error) -> Result<Socket> {
    sys::open_unix().map_err(|e| {
        if sys::family_unsupported(&e) {
            Failure::new(
                Error::ERR_UNAVAILABLE,
                format!("{what}: this system has no Unix domain sockets (on Windows they need Windows 10 1803 or later): {e}"),
            )
        } else {
            io_fail(code, &format!("{what}: can't open a socket"), &e)
        }
    })
}
