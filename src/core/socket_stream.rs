//! StreamPeerSocket: the connection status machine, the send and receive
//! loops and the read-ahead, for any stream socket (TCP or Unix domain).
//!
//! Godot master's `core/io/stream_peer_socket.cpp`: the kinds on top
//! (`tcp_peer.rs`, `uds_peer.rs`) only open, bind and connect a socket and
//! name its addresses; everything that happens once a connect has started
//! is here.
//!
//! The status changes only in [`SocketStream::poll`] and in reads and
//! writes that fail; [`SocketStream::status`] never looks at the socket.
//! Every move to NONE or ERROR closes the socket.

use std::io;
use std::time::{Duration, Instant};

use super::endpoint::Endpoint;
use super::error::{fail, io_fail, Error, Failure, Result};
use super::group::{self, Link, Member};
use super::socket_file::SocketFile;
use super::stream_peer::StreamPeer;
use super::sys::{self, PollType, SockAddr, Socket};

/// Connection status of a socket peer (Godot's `StreamPeerSocket.Status`).
#[allow(non_camel_case_types, clippy::upper_case_acronyms)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// No connection: new, disconnected, closed by the peer, or after a
    /// failed read or write.
    STATUS_NONE = 0,
    /// `sptcp_connect_to_host` started a connection; `sptcp_poll` finishes it.
    STATUS_CONNECTING = 1,
    /// Connected: data can flow.
    STATUS_CONNECTED = 2,
    /// The connect failed or timed out, or `sptcp_poll` saw a socket error
    /// (such as a reset). Only `sptcp_disconnect_from_host` leaves this state.
    STATUS_ERROR = 3,
}

/// Godot's `network/limits/tcp/connect_timeout_seconds` and
/// `network/limits/unix/connect_timeout_seconds` default.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// An open socket, and the socket file it made by binding a path (removed
/// when the socket closes).
#[derive(Debug)]
pub struct OpenSocket {
    pub sock: Socket,
    pub file: Option<SocketFile>,
}

impl OpenSocket {
    pub fn new(sock: Socket) -> OpenSocket {
        OpenSocket { sock, file: None }
    }
}

/// Godot's StreamPeerSocket: one stream socket and its status.
#[derive(Debug)]
pub struct SocketStream {
    /// The poll group this peer is in (first: it leaves the group before
    /// its socket closes).
    member: Option<Link>,
    /// Whether the group was last told that bytes are buffered here.
    told_buffered: bool,
    open: Option<OpenSocket>,
    status: Status,
    /// Deadline of a connect in progress, and the timeout it was set from
    /// (the setting may change while the connect runs).
    deadline: Option<(Instant, Duration)>,
    /// The remote end given to connect, or the accepted peer's address.
    remote: Option<Endpoint>,
    /// What `connect()` is called with while CONNECTING.
    target: Option<SockAddr>,
    connect_timeout: Duration,
    /// Blocking reads wait before reading (see `recv_loop`).
    reads_wait: bool,
    /// The connected socket's waiting reads and writes block in the kernel
    /// (`sys::set_kernel_blocking`); never-blocking calls say so per call.
    kernel_waits: bool,
    /// Bytes received ahead of what was asked (see `recv_loop`), unread
    /// from `ahead_pos` on. Empty for peers that do not read.
    ahead: Vec<u8>,
    ahead_pos: usize,
}

impl Default for SocketStream {
    fn default() -> Self {
        SocketStream::new()
    }
}

impl SocketStream {
    /// No socket, STATUS_NONE, the 30 s connect timeout.
    pub fn new() -> SocketStream {
        SocketStream {
            member: None,
            told_buffered: false,
            open: None,
            status: Status::STATUS_NONE,
            deadline: None,
            remote: None,
            target: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            reads_wait: false,
            kernel_waits: false,
            ahead: Vec::new(),
            ahead_pos: 0,
        }
    }

    /// Adopts a socket accepted by a server: CONNECTED at once.
    pub fn from_accepted(sock: Socket, remote: Option<Endpoint>) -> SocketStream {
        // `sys::accept` already made the socket wait in the kernel where
        // it can: no further call here.
        let kernel_waits = sys::accepted_waits_in_kernel(&sock);
        SocketStream {
            open: Some(OpenSocket::new(sock)),
            remote,
            status: Status::STATUS_CONNECTED,
            kernel_waits,
            ..SocketStream::new()
        }
    }

    /// Moves to CONNECTED. From now on a blocking read or write waits in
    /// the kernel where the platform allows it (one system call, where
    /// `poll` and a retry cost two or three); every call that must not
    /// wait passes a per-call flag, so nothing observable changes.
    fn enter_connected(&mut self) {
        self.status = Status::STATUS_CONNECTED;
        self.kernel_waits = self
            .open
            .as_ref()
            .is_some_and(|o| sys::set_kernel_blocking(&o.sock));
    }

    /// The current status. Never touches the socket (Godot 4).
    pub fn status(&self) -> Status {
        self.status
    }

    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// Sets the connect timeout used by the next connect.
    pub fn set_connect_timeout(&mut self, timeout: Duration) {
        self.connect_timeout = timeout;
    }

    /// The socket, if the peer has one (bound, connecting or connected).
    pub fn socket(&self) -> Option<&Socket> {
        self.open.as_ref().map(|o| &o.sock)
    }

    /// The remote end: what was connected to, or the accepted peer's
    /// address; `None` when there is no connection.
    pub fn remote(&self) -> Option<&Endpoint> {
        self.remote.as_ref()
    }

    /// Gives the peer a socket (opened, maybe bound) before a connect.
    /// The caller has checked that there is none.
    pub fn set_socket(&mut self, open: OpenSocket) {
        debug_assert!(self.open.is_none());
        if let Some(link) = &self.member {
            link.socket_changed(Some(sys::raw(&open.sock)));
        }
        self.open = Some(open);
    }

    /// Tells the group (if any) whether bytes are buffered here.
    fn sync_buffered(&mut self) {
        let buffered = self.ahead_len() > 0;
        if buffered != self.told_buffered {
            self.told_buffered = buffered;
            if let Some(link) = &self.member {
                link.user_events_changed(if buffered { group::READABLE } else { 0 });
            }
        }
    }

    /// Waits for `interest` (event bits) up to `timeout` (None: no limit)
    /// and returns the bits that hold; HANGUP and ERROR whatever the
    /// interest. Bytes buffered here count as READABLE at once. Nothing is
    /// read and the status does not change (a pending error stays for
    /// `poll`). `Ok(0)` after the timeout; no socket: UNAVAILABLE.
    pub fn wait(&self, interest: u32, timeout: Option<Duration>) -> Result<u32> {
        let Some(open) = &self.open else {
            return fail(Error::ERR_UNAVAILABLE, "wait: the peer has no socket");
        };
        let buffered = if self.ahead_len() > 0 {
            group::READABLE & interest
        } else {
            0
        };
        let timeout = if buffered != 0 {
            Some(Duration::ZERO)
        } else {
            timeout
        };
        let want = sys::poller::Interest {
            read: interest & group::READABLE != 0,
            write: interest & group::WRITABLE != 0,
        };
        let ev = sys::wait_one(&open.sock, want, timeout)
            .map_err(|e| io_fail(Error::FAILED, "wait", &e))?;
        let asked = interest | group::HANGUP | group::ERROR;
        Ok(buffered | group::kernel_bits(&ev, false) & asked)
    }

    /// Starts a non-blocking connect of the peer's socket (set with
    /// [`SocketStream::set_socket`]) to `target`. OK means CONNECTING (or
    /// CONNECTED at once); an immediate failure closes the socket, leaves
    /// the status NONE and gives `error(os error)`.
    pub fn start_connect(
        &mut self,
        target: SockAddr,
        remote: Endpoint,
        error: impl FnOnce(&io::Error) -> Failure,
    ) -> Result<()> {
        let Some(open) = &self.open else {
            return fail(Error::ERR_BUG, "connect: no socket to connect");
        };
        self.deadline = Some((Instant::now() + self.connect_timeout, self.connect_timeout));
        match open.sock.connect(&target) {
            Ok(()) => self.enter_connected(),
            Err(e) if sys::already_connected(&e) => self.enter_connected(),
            Err(e) if sys::in_progress(&e) => self.status = Status::STATUS_CONNECTING,
            Err(e) => {
                self.disconnect_from_host();
                return Err(error(&e));
            }
        }
        self.remote = Some(remote);
        self.target = Some(target);
        Ok(())
    }

    /// Closes the socket (if any) and returns to STATUS_NONE. Idempotent.
    pub fn disconnect_from_host(&mut self) {
        if self.open.is_some() {
            if let Some(link) = &self.member {
                link.socket_changed(None);
            }
        }
        self.open = None;
        self.status = Status::STATUS_NONE;
        self.deadline = None;
        self.remote = None;
        self.target = None;
        self.reads_wait = false;
        self.kernel_waits = false;
        self.ahead = Vec::new();
        self.ahead_pos = 0;
        self.sync_buffered();
    }

    /// Closes the socket and enters STATUS_ERROR.
    fn enter_error(&mut self) {
        self.disconnect_from_host();
        self.status = Status::STATUS_ERROR;
    }

    fn remote_text(&self) -> String {
        self.remote
            .as_ref()
            .map(Endpoint::to_string)
            .unwrap_or_default()
    }

    /// Godot's `poll()`: finishes a connect, notices a peer's close (FIN
    /// with nothing left to read → NONE) or a socket error (→ ERROR).
    pub fn poll(&mut self) -> Result<()> {
        match self.status {
            Status::STATUS_NONE | Status::STATUS_ERROR => Ok(()),
            Status::STATUS_CONNECTED => self.poll_connected(),
            Status::STATUS_CONNECTING => self.poll_connecting(),
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
                let endpoint = self.remote_text();
                self.enter_error();
                fail(Error::FAILED, format!("connection to {endpoint}: {detail}"))
            }
        }
    }

    fn poll_connecting(&mut self) -> Result<()> {
        let (Some(open), Some(target)) = (&self.open, &self.target) else {
            self.enter_error();
            return fail(Error::ERR_CONNECTION_ERROR, "connect: lost the socket");
        };
        let endpoint = self.remote_text();
        // A connect that failed in the background leaves its reason in
        // SO_ERROR; read it first where calling connect() again does not
        // report it (Windows answers with a different error; Linux reports
        // it from connect(), so the extra call is saved there).
        let pending = if cfg!(target_os = "linux") {
            Ok(None)
        } else {
            open.sock.take_error()
        };
        if let Ok(Some(e)) = pending {
            self.enter_error();
            return Err(io_fail(
                Error::ERR_CONNECTION_ERROR,
                &format!("connect to {endpoint}"),
                &e,
            ));
        }
        match open.sock.connect(target) {
            Ok(()) => self.enter_connected(),
            Err(e) if sys::already_connected(&e) => self.enter_connected(),
            Err(e) if sys::in_progress(&e) => {
                if let Some((_, timeout)) = self.deadline.filter(|(d, _)| Instant::now() > *d) {
                    let ms = timeout.as_millis();
                    self.enter_error();
                    return fail(
                        Error::ERR_CONNECTION_ERROR,
                        format!("connect to {endpoint}: timed out after {ms} ms"),
                    );
                }
            }
            Err(e) => {
                self.enter_error();
                return Err(io_fail(
                    Error::ERR_CONNECTION_ERROR,
                    &format!("connect to {endpoint}"),
                    &e,
                ));
            }
        }
        Ok(())
    }

    fn not_connected(&self, what: &str) -> Failure {
        Failure::new(
            Error::FAILED,
            format!("{what}: not connected (status {:?})", self.status),
        )
    }

    /// The socket, when CONNECTED.
    fn connected_sock(&self, what: &str) -> Result<&Socket> {
        match (&self.open, self.status) {
            (Some(open), Status::STATUS_CONNECTED) => Ok(&open.sock),
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
    /// `ERR_FILE_EOF` with the bytes read so far; other errors give
    /// FAILED. Either way the socket is closed and the status is NONE.
    pub fn read(&mut self, buf: &mut [u8], block: bool) -> (usize, Result<()>) {
        let what = if block {
            "get_data"
        } else {
            "get_partial_data"
        };
        if self.status != Status::STATUS_CONNECTED {
            return (0, Err(self.not_connected(what)));
        }
        // Bytes received earlier come first.
        let got = self.take_ahead(buf);
        if got == buf.len() || (!block && got > 0) {
            self.sync_buffered();
            return (got, Ok(()));
        }
        // Where the kernel waits, a blocking read never polls first.
        let mut waited = Waits {
            poll_first: self.reads_wait && !self.kernel_waits,
            kernel: self.kernel_waits,
        };
        let mut ahead = std::mem::take(&mut self.ahead);
        let (n, r) = self.transfer(what, |sock, done| {
            *done = got;
            recv_loop(sock, buf, block, what, done, &mut waited, &mut ahead)
        });
        if self.open.is_some() {
            self.ahead = ahead;
            self.ahead_pos = 0;
        }
        self.reads_wait = self.reads_wait || waited.poll_first;
        self.sync_buffered();
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

    /// Bytes waiting to be read (`FIONREAD` plus the read-ahead), or -1
    /// without a socket.
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

impl Member for SocketStream {
    fn link(&self) -> Option<&Link> {
        self.member.as_ref()
    }

    fn set_link(&mut self, link: Option<Link>) {
        self.member = link;
        self.told_buffered = self.ahead_len() > 0;
    }

    fn raw_socket(&self) -> Option<sys::RawSock> {
        self.open.as_ref().map(|o| sys::raw(&o.sock))
    }

    fn user_events(&self) -> u32 {
        if self.ahead_len() > 0 {
            group::READABLE
        } else {
            0
        }
    }

    fn is_server(&self) -> bool {
        false
    }
}

impl StreamPeer for SocketStream {
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
    match sys::peek_one(sock) {
        Err(e) if e.kind() != io::ErrorKind::WouldBlock => e.to_string(),
        _ => "socket error".to_string(),
    }
}

/// A blocking read or write waits here, forever as in Godot (EINTR is
/// retried). A socket error while waiting is a failure.
fn wait_ready(sock: &Socket, what: PollType, op: &str) -> Result<()> {
    match sys::poll(sock, what, None) {
        Ok(r) if !r.error => Ok(()),
        Ok(_) => fail(Error::FAILED, format!("{op}: {}", pending_error(sock))),
        Err(e) => Err(io_fail(Error::FAILED, op, &e)),
    }
}

/// Sends `data` from `*sent` on; without `block`, stops when the kernel
/// takes no more.
fn send_loop(sock: &Socket, data: &[u8], block: bool, what: &str, sent: &mut usize) -> Result<()> {
    while *sent < data.len() {
        match sys::send(sock, &data[*sent..], block) {
            Ok(n) => *sent += n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                if !block {
                    break;
                }
                wait_ready(sock, PollType::Out, what)?;
            }
            Err(e) => return Err(io_fail(Error::FAILED, what, &e)),
        }
    }
    Ok(())
}

/// Receives into `buf` from `*got` on; without `block`, returns after the
/// first receive that gave data, or when nothing is there.
///
/// A blocking read asks `recv` to wait (`block`): where the socket waits in
/// the kernel (Unix, once connected) that is the whole cost, one system
/// call per receive, as a plain blocking C socket pays.
///
/// `waits.kernel`: the kernel waits (Unix, once connected), and a large
/// blocking read asks it to fill the whole rest in one call (MSG_WAITALL).
/// `waits.poll_first` matters only where the kernel does not wait
/// (Windows): set once a blocking read on this socket has found nothing to
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
    waits: &mut Waits,
    ahead: &mut Vec<u8>,
) -> Result<()> {
    if block && waits.poll_first && *got < buf.len() {
        wait_ready(sock, PollType::In, what)?;
    }
    let mut had_to_wait = false;
    let mut scratch = [0u8; READ_AHEAD];
    while *got < buf.len() {
        let want = buf.len() - *got;
        let small = want < READ_AHEAD;
        let received = if small {
            sys::recv(sock, &mut scratch, block)
        } else if block && waits.kernel {
            // Large blocking reads: the kernel fills the whole rest in one
            // call where it can.
            sys::recv_all(sock, &mut buf[*got..])
        } else {
            sys::recv(sock, &mut buf[*got..], block)
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
                    Error::ERR_FILE_EOF,
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
            Err(e) => return Err(io_fail(Error::FAILED, what, &e)),
        }
    }
    if had_to_wait {
        waits.poll_first = true;
    }
    Ok(())
}

/// How a blocking read waits on this socket.
struct Waits {
    /// Poll before reading (it had to wait before: request/response).
    poll_first: bool,
    /// The socket's waits happen in the kernel (`sys::set_kernel_blocking`).
    kernel: bool,
}

/// Reads smaller than this receive this much and keep the rest.
const READ_AHEAD: usize = 4096;
