//! StreamPeerTCP: what TCP adds to the socket stream — bind to an IP and
//! port, resolve and connect, name the addresses, Nagle's algorithm.
//!
//! The status machine and the data loops are [`SocketStream`]'s. Godot's
//! order of checks and codes, with two deliberate differences: a failed
//! `bind` never leaves a socket behind, and the connect timeout is set per
//! peer instead of by a project setting.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use std::time::Duration;

use super::address::{self, display_endpoint, BindAddr};
use super::connector::{Bound, Connector, Plan, DEFAULT_ATTEMPT_DELAY};
use super::endpoint::Endpoint;
use super::error::{fail, io_fail, Error, Result};
use super::resolver::Lookup;
use super::socket_stream::{OpenSocket, SocketStream, Status};
use super::sys::{self, Domain, Keepalive, Socket};

/// Godot's StreamPeerTCP.
#[derive(Debug)]
pub struct TcpPeer {
    pub stream: SocketStream,
    /// The family of the socket the stream holds, and on IPv6 whether it is
    /// IPv6-only: set with every socket this peer gives the stream, read
    /// only while the stream still has that socket.
    family: Option<(Domain, bool)>,
    /// The local address `bind` gave the socket the stream holds.
    bound_to: Option<SocketAddr>,
    /// Names are looked up on a resolver thread and the addresses tried
    /// Happy Eyeballs style (off: Godot's blocking lookup).
    async_connect: bool,
    attempt_delay: Duration,
    /// Keepalive settings, applied to every socket this peer gets.
    keepalive: Option<Keepalive>,
}

impl Default for TcpPeer {
    fn default() -> Self {
        TcpPeer::with_stream(SocketStream::new())
    }
}

impl TcpPeer {
    /// A peer with no socket, STATUS_NONE, and the 30 s connect timeout.
    pub fn new() -> TcpPeer {
        TcpPeer::default()
    }

    /// The default settings around `stream`. (Not `..TcpPeer::default()`:
    /// that makes a whole default stream only to drop it.)
    #[inline]
    fn with_stream(stream: SocketStream) -> TcpPeer {
        TcpPeer {
            stream,
            family: None,
            bound_to: None,
            async_connect: false,
            attempt_delay: DEFAULT_ATTEMPT_DELAY,
            keepalive: None,
        }
    }

    /// Adopts a socket accepted by a TCP server: CONNECTED at once.
    #[inline]
    pub(crate) fn from_accepted(sock: Socket, remote: SocketAddr) -> TcpPeer {
        TcpPeer::with_stream(SocketStream::from_accepted(
            sock,
            Some(Endpoint::Ip(remote)),
        ))
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
        if let Some(ka) = &self.keepalive {
            sys::set_keepalive(&sock, ka)
                .map_err(|e| io_fail(Error::FAILED, "bind: keepalive", &e))?;
        }
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
        self.bound_to = Some(local);
        Ok(())
    }

    /// Godot's `connect_to_host(host, port)`: resolves `host` (an IP
    /// literal is used as is), then starts a non-blocking connect.
    /// OK means CONNECTING (or, rarely, CONNECTED); `poll` finishes it.
    ///
    /// A name that resolves to several addresses is tried address after
    /// address (the next when one fails); with async connects on, the name
    /// is looked up on a resolver thread, OK comes at once (CONNECTING)
    /// and the addresses are tried Happy Eyeballs style.
    pub fn connect_to_host(&mut self, host: &str, port: i32) -> Result<()> {
        if self.async_connect {
            return self.connect_async(host, port);
        }
        // An IP literal (the common case) needs no lookup and no list.
        if let Some(ip) = address::literal(host)? {
            return self.connect_to_ip(ip, port);
        }
        let mut ips = address::resolve_all(host)?;
        if ips.len() == 1 {
            return self.connect_to_ip(ips.remove(0), port);
        }
        let port = self.check_connect(port)?;
        let plan = self.plan(false);
        self.stream
            .start_connector(Connector::to_addresses(host, port, ips, plan));
        // As with one address, a connect that fails at once fails here
        // (FAILED, status NONE).
        if let Err(f) = self.stream.poll() {
            self.stream.disconnect_from_host();
            return fail(Error::FAILED, f.message);
        }
        Ok(())
    }

    /// `connect_to_host` with async connects on.
    fn connect_async(&mut self, host: &str, port: i32) -> Result<()> {
        let literal = address::literal(host)?;
        let port = self.check_connect(port)?;
        if let Some(ip) = literal {
            return self.connect_to_ip(ip, i32::from(port));
        }
        let plan = self.plan(true);
        let connector = match address::cached(host) {
            Some(ips) => Connector::to_addresses(host, port, ips, plan),
            None => Connector::resolving(host, port, Lookup::start(host)?, plan),
        };
        self.stream.start_connector(connector);
        Ok(())
    }

    /// Godot's checks before a connect: the status, then the port.
    fn check_connect(&self, port: i32) -> Result<u16> {
        if self.stream.status() != Status::STATUS_NONE {
            return fail(
                Error::ERR_ALREADY_IN_USE,
                format!(
                    "connect_to_host: status is {:?}, not NONE; call disconnect_from_host first",
                    self.stream.status()
                ),
            );
        }
        match u16::try_from(port) {
            Ok(p) if p >= 1 => Ok(p),
            _ => fail(
                Error::ERR_INVALID_PARAMETER,
                format!("connect_to_host: the remote port number must be between 1 and 65535 (inclusive), got {port}"),
            ),
        }
    }

    /// The settings of a connector started now; a bound socket goes to it.
    fn plan(&mut self, parallel: bool) -> Plan {
        let bound = match (self.stream.take_socket(), self.bound_to.take(), self.family) {
            (Some(sock), Some(local), Some(family)) => Some(Bound {
                sock: Some(sock),
                local,
                family,
            }),
            _ => None,
        };
        Plan {
            parallel,
            delay: self.attempt_delay,
            timeout: self.stream.connect_timeout(),
            keepalive: self.keepalive,
            no_delay: None,
            bound,
        }
    }

    pub fn set_async_connect(&mut self, on: bool) {
        self.async_connect = on;
    }

    pub fn async_connect(&self) -> bool {
        self.async_connect
    }

    /// The Happy Eyeballs attempt delay of the next connect.
    pub fn set_attempt_delay(&mut self, delay: Duration) {
        self.attempt_delay = delay;
    }

    pub fn attempt_delay(&self) -> Duration {
        self.attempt_delay
    }

    /// Keepalive for this peer's sockets: now, and for every later one.
    pub fn set_keepalive(&mut self, ka: Keepalive) -> Result<()> {
        for (v, what) in [(ka.idle_s, "idle_s"), (ka.interval_s, "interval_s")] {
            if v > Keepalive::MAX_SECONDS {
                return fail(
                    Error::ERR_INVALID_PARAMETER,
                    format!(
                        "set_keepalive: {what} {v} is above {} s",
                        Keepalive::MAX_SECONDS
                    ),
                );
            }
        }
        if ka.count > Keepalive::MAX_COUNT {
            return fail(
                Error::ERR_INVALID_PARAMETER,
                format!(
                    "set_keepalive: count {} is above {}",
                    ka.count,
                    Keepalive::MAX_COUNT
                ),
            );
        }
        self.keepalive = Some(ka);
        if let Some(c) = self.stream.connector_mut() {
            c.set_keepalive(ka)
                .map_err(|e| io_fail(Error::FAILED, "set_keepalive", &e))?;
        }
        if let Some(sock) = self.stream.socket() {
            sys::set_keepalive(sock, &ka)
                .map_err(|e| io_fail(Error::FAILED, "set_keepalive", &e))?;
        }
        Ok(())
    }

    /// `connect_to_host` for an address already resolved.
    pub fn connect_to_ip(&mut self, ip: IpAddr, port: i32) -> Result<()> {
        let port = self.check_connect(port)?;
        let remote = SocketAddr::new(ip, port);
        if self.stream.socket().is_none() {
            let (domain, v6only) = match ip {
                IpAddr::V4(_) => (Domain::IPV4, false),
                IpAddr::V6(_) => (Domain::IPV6, true),
            };
            let sock = open_socket(domain, v6only)
                .map_err(|e| io_fail(Error::FAILED, "connect_to_host: can't open a socket", &e))?;
            if let Some(ka) = &self.keepalive {
                sys::set_keepalive(&sock, ka)
                    .map_err(|e| io_fail(Error::FAILED, "connect_to_host: keepalive", &e))?;
            }
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
                format!(
                    "connect to {}: the bound socket's address family can't reach this address",
                    display_endpoint(remote)
                ),
            );
        };
        self.stream
            .start_connect(target, Endpoint::Ip(remote), |e| {
                io_fail(
                    Error::FAILED,
                    &format!("connect to {}", display_endpoint(remote)),
                    e,
                )
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
        if let Some(c) = self.stream.connector_mut() {
            // While connecting to a name: every attempt, and the winner.
            return c
                .set_no_delay(enabled)
                .map_err(|e| io_fail(Error::FAILED, "set_no_delay", &e));
        }
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
    sys::open_tcp_for(domain, v6only)
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
