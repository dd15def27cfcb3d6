//! StreamPeerTCP: Godot 4's client-side TCP state machine.
//!
//! The status changes only in [`TcpPeer::poll`] and in reads and writes
//! that fail; [`TcpPeer::status`] never looks at the socket. Every move to
//! NONE or ERROR closes the socket. The order of checks and the codes are
//! Godot's (see the design notes), with two deliberate differences: a
//! failed `bind` never leaves a socket behind, and the connect timeout is
//! set per peer instead of by a project setting.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use super::address::{self, display_endpoint, BindAddr};
use super::error::{fail, io_fail, Error, Failure, Result};
use super::stream_peer::StreamPeer;
use super::sys::{self, Domain, PollType, SockAddr, Socket};

/// Connection status of a TCP peer (Godot's `StreamPeerTCP.Status`).
#[repr(C)]
#[allow(non_camel_case_types, clippy::upper_case_acronyms)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum sptcp_status {
    /// No connection: new, disconnected, closed by the peer, or after a
    /// failed read or write.
    SPTCP_STATUS_NONE = 0,
    /// `sptcp_connect_to_host` started a connection; `sptcp_poll` finishes it.
    SPTCP_STATUS_CONNECTING = 1,
    /// Connected: data can flow.
    SPTCP_STATUS_CONNECTED = 2,
    /// The connect failed or timed out, or `sptcp_poll` saw a socket error
    /// (such as a reset). Only `sptcp_disconnect_from_host` leaves this state.
    SPTCP_STATUS_ERROR = 3,
}

/// The crate-internal name of [`sptcp_status`].
pub use sptcp_status as Status;

/// Godot's `network/limits/tcp/connect_timeout_seconds` default.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// An open socket and the family it was opened with.
#[derive(Debug)]
struct Open {
    sock: Socket,
    domain: Domain,
    v6only: bool,
}

/// Godot's StreamPeerTCP.
#[derive(Debug)]
pub struct TcpPeer {
    open: Option<Open>,
    status: Status,
    /// Deadline of a connect in progress, and the timeout it was set from
    /// (the setting may change while the connect runs).
    deadline: Option<(Instant, Duration)>,
    /// The remote end given to connect, or the accepted peer's address.
    remote: Option<SocketAddr>,
    /// What `connect()` is called with while CONNECTING.
    target: Option<SockAddr>,
    connect_timeout: Duration,
    /// Blocking reads wait before reading (see `recv_loop`).
    reads_wait: bool,
    /// Bytes received ahead of what was asked (see `recv_loop`), unread
    /// from `ahead_pos` on. Empty for peers that do not read.
    ahead: Vec<u8>,
    ahead_pos: usize,
}

impl Default for TcpPeer {
    fn default() -> Self {
        TcpPeer::new()
    }
}

impl TcpPeer {
    /// A peer with no socket, STATUS_NONE, and the 30 s connect timeout.
    pub fn new() -> TcpPeer {
        TcpPeer {
            open: None,
            status: Status::SPTCP_STATUS_NONE,
            deadline: None,
            remote: None,
            target: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            reads_wait: false,
            ahead: Vec::new(),
            ahead_pos: 0,
        }
    }

    /// Adopts a socket accepted by a server: CONNECTED at once.
    pub(crate) fn from_accepted(
        sock: Socket,
        remote: SocketAddr,
        domain: Domain,
        v6only: bool,
    ) -> TcpPeer {
        TcpPeer {
            open: Some(Open {
                sock,
                domain,
                v6only,
            }),
            status: Status::SPTCP_STATUS_CONNECTED,
            remote: Some(remote),
            ..TcpPeer::new()
        }
    }

    /// The current status. Never touches the socket (Godot 4).
    pub fn status(&self) -> Status {
        self.status
    }

    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// Sets the connect timeout used by the next `connect_to_host`.
    pub fn set_connect_timeout(&mut self, timeout: Duration) {
        self.connect_timeout = timeout;
    }

    /// Godot's `bind(port, host)`: fixes the local address and port of the
    /// next connect. `host` is "*" (dual stack) or an IP literal.
    pub fn bind(&mut self, port: i32, host: &str) -> Result<()> {
        if self.open.is_some() {
            return fail(
                Error::SPTCP_ERR_ALREADY_IN_USE,
                "bind: the peer already has a socket (bound, connecting or connected); disconnect first",
            );
        }
        let port = match u16::try_from(port) {
            Ok(p) => p,
            Err(_) => {
                return fail(
                    Error::SPTCP_ERR_INVALID_PARAMETER,
                    format!("bind: the local port number must be between 0 and 65535 (inclusive), got {port}"),
                )
            }
        };
        let bind_addr = address::parse_bind_address(host)?;
        let (open, local) = open_for_bind(bind_addr, port)
            .map_err(|e| io_fail(Error::SPTCP_FAILED, "bind: can't open a socket", &e))?;
        if let Err(e) = open.sock.bind(&local.into()) {
            // The socket is dropped (closed) here: unlike Godot, a failed
            // bind never leaves a half-open socket behind.
            return Err(io_fail(
                Error::SPTCP_ERR_UNAVAILABLE,
                &format!("bind to {}", display_endpoint(local)),
                &e,
            ));
        }
        self.open = Some(open);
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
        if self.status != Status::SPTCP_STATUS_NONE {
            return fail(
                Error::SPTCP_ERR_ALREADY_IN_USE,
                format!(
                    "connect_to_host: status is {:?}, not NONE; call disconnect_from_host first",
                    self.status
                ),
            );
        }
        let port = match u16::try_from(port) {
            Ok(p) if p >= 1 => p,
            _ => {
                return fail(
                    Error::SPTCP_ERR_INVALID_PARAMETER,
                    format!("connect_to_host: the remote port number must be between 1 and 65535 (inclusive), got {port}"),
                )
            }
        };
        let remote = SocketAddr::new(ip, port);
        let endpoint = display_endpoint(remote);
        if self.open.is_none() {
            let (domain, v6only) = match ip {
                IpAddr::V4(_) => (Domain::IPV4, false),
                IpAddr::V6(_) => (Domain::IPV6, true),
            };
            let sock = open_socket(domain, v6only).map_err(|e| {
                io_fail(
                    Error::SPTCP_FAILED,
                    "connect_to_host: can't open a socket",
                    &e,
                )
            })?;
            self.open = Some(Open {
                sock,
                domain,
                v6only,
            });
        }
        let open = self.open.as_ref().expect("socket opened above");
        let Some(target) = sys::target_for(open.domain, open.v6only, remote) else {
            self.disconnect_from_host();
            return fail(
                Error::SPTCP_FAILED,
                format!("connect to {endpoint}: the bound socket's address family can't reach this address"),
            );
        };
        self.deadline = Some((Instant::now() + self.connect_timeout, self.connect_timeout));
        match open.sock.connect(&target) {
            Ok(()) => self.status = Status::SPTCP_STATUS_CONNECTED,
            Err(e) if sys::already_connected(&e) => self.status = Status::SPTCP_STATUS_CONNECTED,
            Err(e) if sys::in_progress(&e) => self.status = Status::SPTCP_STATUS_CONNECTING,
            Err(e) => {
                self.disconnect_from_host();
                return Err(io_fail(
                    Error::SPTCP_FAILED,
                    &format!("connect to {endpoint}"),
                    &e,
                ));
            }
        }
        self.remote = Some(remote);
        self.target = Some(target);
        Ok(())
    }

    /// Closes the socket (if any) and returns to STATUS_NONE. Idempotent.
    pub fn disconnect_from_host(&mut self) {
        self.open = None;
        self.status = Status::SPTCP_STATUS_NONE;
        self.deadline = None;
        self.remote = None;
        self.target = None;
        self.ahead = Vec::new();
        self.ahead_pos = 0;
    }

    /// Closes the socket and enters STATUS_ERROR.
    fn enter_error(&mut self) {
        self.disconnect_from_host();
        self.status = Status::SPTCP_STATUS_ERROR;
    }

    /// Godot's `poll()`: finishes a connect, notices a peer's close (FIN
    /// with nothing left to read → NONE) or a socket error (→ ERROR).
    pub fn poll(&mut self) -> Result<()> {
        match self.status {
            Status::SPTCP_STATUS_NONE | Status::SPTCP_STATUS_ERROR => Ok(()),
            Status::SPTCP_STATUS_CONNECTED => self.poll_connected(),
            Status::SPTCP_STATUS_CONNECTING => self.poll_connecting(),
        }
    }

    fn poll_connected(&mut self) -> Result<()> {
        let Some(open) = &self.open else {
            self.disconnect_from_host();
            return Ok(());
        };
        let sock = &open.sock;
        // Godot polls twice (IN, then IN|OUT); one IN|OUT poll answers both
        // questions, for one system call per peer instead of two.
        match sys::poll(sock, PollType::InOut, Some(Duration::ZERO)) {
            // Readable (or hung up) without an error, and nothing to read:
            // the peer sent FIN and everything it sent has been read.
            Ok(r) if !r.error => {
                let unread_here = self.ahead.len() > self.ahead_pos;
                if (r.readable || r.hangup) && !unread_here && matches!(sys::available(sock), Ok(0))
                {
                    self.disconnect_from_host();
                }
                Ok(())
            }
            // Any socket error (a reset, say) moves to ERROR.
            other => {
                let detail = match other {
                    Err(e) => e.to_string(),
                    Ok(_) => pending_error(sock),
                };
                let endpoint = self.remote.map(display_endpoint).unwrap_or_default();
                self.enter_error();
                fail(
                    Error::SPTCP_FAILED,
                    format!("connection to {endpoint}: {detail}"),
                )
            }
        }
    }

    fn poll_connecting(&mut self) -> Result<()> {
        let (Some(open), Some(target)) = (&self.open, &self.target) else {
            self.enter_error();
            return fail(
                Error::SPTCP_ERR_CONNECTION_ERROR,
                "connect: lost the socket",
            );
        };
        let endpoint = self.remote.map(display_endpoint).unwrap_or_default();
        // A connect that failed in the background leaves its reason in
        // SO_ERROR; read it first (calling connect() again reports it on
        // Linux, but Windows answers with a different error).
        if let Ok(Some(e)) = open.sock.take_error() {
            self.enter_error();
            return Err(io_fail(
                Error::SPTCP_ERR_CONNECTION_ERROR,
                &format!("connect to {endpoint}"),
                &e,
            ));
        }
        match open.sock.connect(target) {
            Ok(()) => self.status = Status::SPTCP_STATUS_CONNECTED,
            Err(e) if sys::already_connected(&e) => self.status = Status::SPTCP_STATUS_CONNECTED,
            Err(e) if sys::in_progress(&e) => {
                if let Some((_, timeout)) = self.deadline.filter(|(d, _)| Instant::now() > *d) {
                    let ms = timeout.as_millis();
                    self.enter_error();
                    return fail(
                        Error::SPTCP_ERR_CONNECTION_ERROR,
                        format!("connect to {endpoint}: timed out after {ms} ms"),
                    );
                }
            }
            Err(e) => {
                self.enter_error();
                return Err(io_fail(
                    Error::SPTCP_ERR_CONNECTION_ERROR,
                    &format!("connect to {endpoint}"),
                    &e,
                ));
            }
        }
        Ok(())
    }

    /// The remote address: "" when there is none, else Godot's format.
    pub fn connected_host(&self) -> String {
        self.remote
            .map(|a| address::format_ip(a.ip()))
            .unwrap_or_default()
    }

    /// The remote port, or 0.
    pub fn connected_port(&self) -> u16 {
        self.remote.map_or(0, |a| a.port())
    }

    /// The local port of the socket (`getsockname`).
    pub fn local_port(&self) -> Result<u16> {
        let Some(open) = &self.open else {
            return fail(
                Error::SPTCP_FAILED,
                "get_local_port: the peer has no socket",
            );
        };
        sys::local_port(&open.sock).map_err(|e| io_fail(Error::SPTCP_FAILED, "get_local_port", &e))
    }

    /// Turns Nagle's algorithm off (`true`) or on. Needs an open socket.
    pub fn set_no_delay(&mut self, enabled: bool) -> Result<()> {
        let Some(open) = &self.open else {
            return fail(Error::SPTCP_FAILED, "set_no_delay: the peer has no socket");
        };
        open.sock
            .set_tcp_nodelay(enabled)
            .map_err(|e| io_fail(Error::SPTCP_FAILED, "set_no_delay", &e))
    }

    /// Whether TCP_NODELAY is set (false without a socket).
    pub fn no_delay(&self) -> bool {
        self.open
            .as_ref()
            .is_some_and(|o| o.sock.tcp_nodelay().unwrap_or(false))
    }

    fn not_connected(&self, what: &str) -> Failure {
        Failure::new(
            Error::SPTCP_FAILED,
            format!("{what}: not connected (status {:?})", self.status),
        )
    }

    /// The socket, when CONNECTED.
    fn connected_sock(&self, what: &str) -> Result<&Socket> {
        match (&self.open, self.status) {
            (Some(open), Status::SPTCP_STATUS_CONNECTED) => Ok(&open.sock),
            _ => Err(self.not_connected(what)),
        }
    }

    /// Godot's internal `write`: sends all of `data` (`block`) or what the
    /// kernel takes now. Returns the bytes sent along with the result. A
    /// send error closes the socket: status NONE, FAILED.
    pub fn write(&mut self, data: &[u8], block: bool) -> (usize, Result<()>) {
        let what = if block {
            "put_data"
        } else {
            "put_partial_data"
        };
        self.transfer(what, |sock, sent| send_loop(sock, data, block, what, sent))
    }

    /// Godot's internal `read`: fills all of `buf` (`block`) or returns
    /// after the first successful receive. The peer closing gives
    /// `SPTCP_ERR_FILE_EOF` with the bytes read so far; other errors give
    /// FAILED. Either way the socket is closed and the status is NONE.
    pub fn read(&mut self, buf: &mut [u8], block: bool) -> (usize, Result<()>) {
        let what = if block {
            "get_data"
        } else {
            "get_partial_data"
        };
        if self.status != Status::SPTCP_STATUS_CONNECTED {
            return (0, Err(self.not_connected(what)));
        }
        // Bytes received earlier come first.
        let got = self.take_ahead(buf);
        if got == buf.len() || (!block && got > 0) {
            return (got, Ok(()));
        }
        let mut waited = self.reads_wait;
        let mut ahead = std::mem::take(&mut self.ahead);
        let (n, r) = self.transfer(what, |sock, done| {
            *done = got;
            recv_loop(sock, buf, block, what, done, &mut waited, &mut ahead)
        });
        if self.open.is_some() {
            self.ahead = ahead;
            self.ahead_pos = 0;
        }
        self.reads_wait = waited;
        (n, r)
    }

    /// Copies buffered bytes into `buf`; returns how many.
    fn take_ahead(&mut self, buf: &mut [u8]) -> usize {
        let rest = &self.ahead[self.ahead_pos..];
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        self.ahead_pos += n;
        if self.ahead_pos == self.ahead.len() {
            self.ahead.clear();
            self.ahead_pos = 0;
        }
        n
    }

    /// Bytes received but not read yet.
    fn ahead_len(&self) -> usize {
        self.ahead.len() - self.ahead_pos
    }

    /// Runs a send or receive loop on the connected socket; any failure
    /// disconnects (Godot: read and write errors leave STATUS_NONE).
    fn transfer(
        &mut self,
        what: &str,
        run: impl FnOnce(&Socket, &mut usize) -> Result<()>,
    ) -> (usize, Result<()>) {
        let sock = match self.connected_sock(what) {
            Ok(s) => s,
            Err(f) => return (0, Err(f)),
        };
        let mut done = 0;
        let r = run(sock, &mut done);
        if r.is_err() {
            self.disconnect_from_host();
        }
        (done, r)
    }

    /// Bytes waiting to be read (`FIONREAD`), or -1 without a socket.
    pub fn available(&self) -> i32 {
        match &self.open {
            None => -1,
            Some(open) => match sys::available(&open.sock) {
                Ok(n) => i32::try_from(n + self.ahead_len()).unwrap_or(i32::MAX),
                Err(_) => -1,
            },
        }
    }
}

impl StreamPeer for TcpPeer {
    fn put_data(&mut self, data: &[u8]) -> Result<()> {
        self.write(data, true).1
    }

    fn put_partial_data(&mut self, data: &[u8]) -> (usize, Result<()>) {
        self.write(data, false)
    }

    fn get_data(&mut self, buf: &mut [u8]) -> (usize, Result<()>) {
        self.read(buf, true)
    }

    fn get_partial_data(&mut self, buf: &mut [u8]) -> (usize, Result<()>) {
        self.read(buf, false)
    }

    fn available_bytes(&self) -> i32 {
        self.available()
    }
}

/// The error pending on a socket (SO_ERROR), as text for a message.
fn pending_error(sock: &Socket) -> String {
    if let Ok(Some(e)) = sock.take_error() {
        return e.to_string();
    }
    // Wine (and some stacks) keep no SO_ERROR after a reset; a peek, which
    // consumes nothing, still reports it.
    let mut one = [std::mem::MaybeUninit::<u8>::uninit(); 1];
    match sock.peek(&mut one) {
        Err(e) if e.kind() != io::ErrorKind::WouldBlock => e.to_string(),
        _ => "socket error".to_string(),
    }
}

/// A blocking read or write waits here, forever as in Godot (EINTR is
/// retried). A socket error while waiting is a failure.
fn wait_ready(sock: &Socket, what: PollType, op: &str) -> Result<()> {
    match sys::poll(sock, what, None) {
        Ok(r) if !r.error => Ok(()),
        Ok(_) => fail(
            Error::SPTCP_FAILED,
            format!("{op}: {}", pending_error(sock)),
        ),
        Err(e) => Err(io_fail(Error::SPTCP_FAILED, op, &e)),
    }
}

/// Sends `data` from `*sent` on; without `block`, stops when the kernel
/// takes no more.
fn send_loop(sock: &Socket, data: &[u8], block: bool, what: &str, sent: &mut usize) -> Result<()> {
    while *sent < data.len() {
        match sys::send(sock, &data[*sent..]) {
            Ok(n) => *sent += n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                if !block {
                    break;
                }
                wait_ready(sock, PollType::Out, what)?;
            }
            Err(e) => return Err(io_fail(Error::SPTCP_FAILED, what, &e)),
        }
    }
    Ok(())
}

/// Receives into `buf` from `*got` on; without `block`, returns after the
/// first receive that gave data, or when nothing is there.
///
/// `waits`: set once a blocking read on this socket has found nothing to
/// read and had to wait (request/response traffic). From then on blocking
/// reads wait in `poll` first instead of trying `recv` and getting EAGAIN:
/// one system call fewer per message. Until then they read first.
///
/// `ahead`: reads of less than [`READ_AHEAD`] bytes receive up to that much
/// and keep the surplus there for the next read, so a length prefix and the
/// message after it (as `get_var` reads them) cost one `recv`, not two.
fn recv_loop(
    sock: &Socket,
    buf: &mut [u8],
    block: bool,
    what: &str,
    got: &mut usize,
    waits: &mut bool,
    ahead: &mut Vec<u8>,
) -> Result<()> {
    if block && *waits && *got < buf.len() {
        wait_ready(sock, PollType::In, what)?;
    }
    let mut had_to_wait = false;
    let mut scratch = [0u8; READ_AHEAD];
    while *got < buf.len() {
        let want = buf.len() - *got;
        let small = want < READ_AHEAD;
        let received = if small {
            sys::recv(sock, &mut scratch)
        } else {
            sys::recv(sock, &mut buf[*got..])
        };
        let received = received.map(|n| {
            if small && n > 0 {
                let take = n.min(want);
                buf[*got..*got + take].copy_from_slice(&scratch[..take]);
                ahead.extend_from_slice(&scratch[take..n]);
                take
            } else {
                n
            }
        });
        match received {
            Ok(0) => {
                return fail(
                    Error::SPTCP_ERR_FILE_EOF,
                    format!(
                        "{what}: the peer closed the connection after {got} of {} bytes",
                        buf.len()
                    ),
                )
            }
            Ok(n) => {
                *got += n;
                if !block {
                    break;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                if !block {
                    break;
                }
                had_to_wait = true;
                wait_ready(sock, PollType::In, what)?;
            }
            Err(e) => return Err(io_fail(Error::SPTCP_FAILED, what, &e)),
        }
    }
    if had_to_wait {
        *waits = true;
    }
    Ok(())
}

/// Reads smaller than this receive this much and keep the rest.
const READ_AHEAD: usize = 4096;

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
/// IPv4 gives AF_INET, IPv6 an IPv6-only socket.
fn open_for_bind(addr: BindAddr, port: u16) -> io::Result<(Open, SocketAddr)> {
    match addr {
        BindAddr::Wildcard => match open_socket(Domain::IPV6, false) {
            Ok(sock) => Ok((
                Open {
                    sock,
                    domain: Domain::IPV6,
                    v6only: false,
                },
                SocketAddr::new(IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED), port),
            )),
            Err(_) => Ok((
                Open {
                    sock: open_socket(Domain::IPV4, false)?,
                    domain: Domain::IPV4,
                    v6only: false,
                },
                SocketAddr::new(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED), port),
            )),
        },
        BindAddr::Ip(ip @ IpAddr::V4(_)) => Ok((
            Open {
                sock: open_socket(Domain::IPV4, false)?,
                domain: Domain::IPV4,
                v6only: false,
            },
            SocketAddr::new(ip, port),
        )),
        BindAddr::Ip(ip @ IpAddr::V6(_)) => Ok((
            Open {
                sock: open_socket(Domain::IPV6, true)?,
                domain: Domain::IPV6,
                v6only: true,
            },
            SocketAddr::new(ip, port),
        )),
    }
}

/// Used by the server to open its listening socket the same way.
pub(crate) fn open_bound_socket(
    addr: BindAddr,
    port: u16,
) -> io::Result<(Socket, Domain, bool, SocketAddr)> {
    let (open, local) = open_for_bind(addr, port)?;
    Ok((open.sock, open.domain, open.v6only, local))
}
