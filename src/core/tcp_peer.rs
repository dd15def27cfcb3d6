//! StreamPeerTCP: what TCP adds to the socket stream — bind to an IP and
//! port, resolve and connect, name the addresses, Nagle's algorithm.
//!
//! The status machine and the data loops are [`SocketStream`]'s. Godot's
//! order of checks and codes, with two deliberate differences: a failed
//! `bind` never leaves a socket behind, and the connect timeout is set per
//! peer instead of by a project setting.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use super::address::{self, display_endpoint, BindAddr};
use super::endpoint::Endpoint;
use super::error::{fail, io_fail, Error, Result};
use super::socket_stream::{OpenSocket, SocketStream, Status};
use super::sys::{self, Domain, Socket};

/// Godot's StreamPeerTCP.
#[derive(Debug, Default)]
pub struct TcpPeer {
    pub stream: SocketStream,
    /// The family of the socket the stream holds, and on IPv6 whether it is
    /// IPv6-only: set with every socket this peer gives the stream, read
    /// only while the stream still has that socket.
    family: Option<(Domain, bool)>,
}

impl TcpPeer {
    /// A peer with no socket, STATUS_NONE, and the 30 s connect timeout.
    pub fn new() -> TcpPeer {
        TcpPeer::default()
    }

    /// Adopts a socket accepted by a TCP server: CONNECTED at once.
    pub(crate) fn from_accepted(sock: Socket, remote: SocketAddr) -> TcpPeer {
        TcpPeer {
            stream: SocketStream::from_accepted(sock, Some(Endpoint::Ip(remote))),
            family: None,
        }
    }

    /// Godot's `bind(port, host)`: fixes the local address and port of the
    /// next connect. `host` is "*" (dual stack) or an IP literal.
    pub fn bind(&mut self, port: i32, host: &str) -> Result<()> {
        if self.stream.socket().is_some() {
            return fail(
                Error::ERR_ALREADY_IN_USE,
                "bind: the peer already has a socket (bound, connecting or connected); disconnect first",
            );
        }
        let port = match u16::try_from(port) {
            Ok(p) => p,
            Err(_) => {
                return fail(
                    Error::ERR_INVALID_PARAMETER,
                    format!("bind: the local port number must be between 0 and 65535 (inclusive), got {port}"),
                )
            }
        };
        let bind_addr = address::parse_bind_address(host)?;
        let (sock, family, local) = open_for_bind(bind_addr, port)
            .map_err(|e| io_fail(Error::FAILED, "bind: can't open a socket", &e))?;
        if let Err(e) = sock.bind(&local.into()) {
            // The socket is dropped (closed) here: unlike Godot, a failed
            // bind never leaves a half-open socket behind.
            return Err(io_fail(
                Error::ERR_UNAVAILABLE,
                &format!("bind to {}", display_endpoint(local)),
                &e,
            ));
        }
        self.stream.set_socket(OpenSocket::new(sock));
        self.family = Some(family);
        Ok(())
    }

    /// Godot's `connect_to_host(host, port)`: resolves `host` (an IP
    /// literal is used as is), then starts a non-blocking connect.
    /// OK means CONNECTING (or, rarely, CONNECTED); `poll` finishes it.
    pub fn connect_to_host(&mut self, host: &str, port: i32) -> Result<()> {
        let ip = address::resolve(host)?;
        self.connect_to_ip(ip, port)
    }

    /// `connect_to_host` for an address already resolved.
    pub fn connect_to_ip(&mut self, ip: IpAddr, port: i32) -> Result<()> {
        if self.stream.status() != Status::STATUS_NONE {
            return fail(
                Error::ERR_ALREADY_IN_USE,
                format!(
                    "connect_to_host: status is {:?}, not NONE; call disconnect_from_host first",
                    self.stream.status()
                ),
            );
        }
        let port = match u16::try_from(port) {
            Ok(p) if p >= 1 => p,
            _ => {
                return fail(
                    Error::ERR_INVALID_PARAMETER,
                    format!("connect_to_host: the remote port number must be between 1 and 65535 (inclusive), got {port}"),
                )
            }
        };
        let remote = SocketAddr::new(ip, port);
        let endpoint = display_endpoint(remote);
        if self.stream.socket().is_none() {
            let (domain, v6only) = match ip {
                IpAddr::V4(_) => (Domain::IPV4, false),
                IpAddr::V6(_) => (Domain::IPV6, true),
            };
            let sock = open_socket(domain, v6only)
                .map_err(|e| io_fail(Error::FAILED, "connect_to_host: can't open a socket", &e))?;
            self.stream.set_socket(OpenSocket::new(sock));
            self.family = Some((domain, v6only));
        }
        let Some(target) = self
            .family
            .and_then(|(d, v6only)| sys::target_for(d, v6only, remote))
        else {
            self.stream.disconnect_from_host();
            return fail(
                Error::FAILED,
                format!("connect to {endpoint}: the bound socket's address family can't reach this address"),
            );
        };
        self.stream
            .start_connect(target, Endpoint::Ip(remote), |e| {
                io_fail(Error::FAILED, &format!("connect to {endpoint}"), e)
            })
    }

    /// The remote address: "" when there is none, else Godot's format.
    pub fn connected_host(&self) -> String {
        self.remote()
            .map(|a| address::format_ip(a.ip()))
            .unwrap_or_default()
    }

    /// The remote port, or 0.
    pub fn connected_port(&self) -> u16 {
        self.remote().map_or(0, |a| a.port())
    }

    fn remote(&self) -> Option<SocketAddr> {
        self.stream.remote().and_then(Endpoint::ip)
    }

    /// The local port of the socket (`getsockname`).
    pub fn local_port(&self) -> Result<u16> {
        let Some(sock) = self.stream.socket() else {
            return fail(Error::FAILED, "get_local_port: the peer has no socket");
        };
        sys::local_port(sock).map_err(|e| io_fail(Error::FAILED, "get_local_port", &e))
    }

    /// Turns Nagle's algorithm off (`true`) or on. Needs an open socket.
    pub fn set_no_delay(&mut self, enabled: bool) -> Result<()> {
        let Some(sock) = self.stream.socket() else {
            return fail(Error::FAILED, "set_no_delay: the peer has no socket");
        };
        sock.set_tcp_nodelay(enabled)
            .map_err(|e| io_fail(Error::FAILED, "set_no_delay", &e))
    }

    /// Whether TCP_NODELAY is set (false without a socket).
    pub fn no_delay(&self) -> bool {
        self.stream
            .socket()
            .is_some_and(|s| s.tcp_nodelay().unwrap_or(false))
    }
}

/// Opens a socket of `domain`, with IPV6_V6ONLY set as asked on IPv6.
pub(crate) fn open_socket(domain: Domain, v6only: bool) -> io::Result<Socket> {
    let sock = sys::open_tcp(domain)?;
    if domain == Domain::IPV6 {
        sock.set_only_v6(v6only)?;
    }
    Ok(sock)
}

/// The socket and local address for a bind to `addr`: "*" is a dual-stack
/// IPv6 socket on `::` (plain IPv4 on 0.0.0.0 where IPv6 is unavailable);
/// IPv4 gives AF_INET, IPv6 an IPv6-only socket. The server opens its
/// listening socket the same way.
pub(crate) fn open_for_bind(
    addr: BindAddr,
    port: u16,
) -> io::Result<(Socket, (Domain, bool), SocketAddr)> {
    let (family, local) = match addr {
        BindAddr::Wildcard => match open_socket(Domain::IPV6, false) {
            Ok(sock) => {
                let any = SocketAddr::new(IpAddr::V6(Ipv6Addr::UNSPECIFIED), port);
                return Ok((sock, (Domain::IPV6, false), any));
            }
            Err(_) => (
                (Domain::IPV4, false),
                SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), port),
            ),
        },
        BindAddr::Ip(ip @ IpAddr::V4(_)) => ((Domain::IPV4, false), SocketAddr::new(ip, port)),
        BindAddr::Ip(ip @ IpAddr::V6(_)) => ((Domain::IPV6, true), SocketAddr::new(ip, port)),
    };
    Ok((open_socket(family.0, family.1)?, family, local))
}
