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
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::connector::{Connector, Step};
use super::endpoint::Endpoint;
use super::error::{fail, io_fail, Error, Failure, Result};
use super::group::{self, Link, Member, Timer};
use super::socket_file::SocketFile;
use super::stream_peer::StreamPeer;
use super::sys::{self, Deadline, PollType, Progress, SockAddr, Socket};

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
    /// The switch to `kernel_waits` has not been tried on this connection:
    /// the first blocking read or write that has to wait makes it (a read
    /// also as soon as a receive has brought only part of what it wants).
    kernel_untried: bool,
    /// Bytes received ahead of what was asked (see `recv_loop`), unread
    /// from `ahead_pos` on. Empty for peers that do not read.
    ahead: Vec<u8>,
    ahead_pos: usize,
    /// How the small reads receive (see `read_small`): the count of
    /// receives in a row that brought nothing ahead (up to `QUIET`), then
    /// of the exact receives since the last look ahead.
    quiet: u8,
    /// A connect to a name (lookup, several addresses) while CONNECTING.
    connector: Option<Box<Connector>>,
    /// The limit of every blocking read and write (None: no limit).
    io_timeout: Option<Duration>,
    /// `shutdown_write` was called on this connection.
    write_shut: bool,
    /// The far side closed its side (seen by poll, wait or a read).
    peer_closed: AtomicBool,
    /// Bytes handed to and delivered from this connection.
    sent: u64,
    received: u64,
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
            kernel_untried: false,
            ahead: Vec::new(),
            ahead_pos: 0,
            quiet: 0,
            connector: None,
            io_timeout: None,
            write_shut: false,
            peer_closed: AtomicBool::new(false),
            sent: 0,
            received: 0,
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
            kernel_untried: !kernel_waits,
            ..SocketStream::new()
        }
    }

    /// Moves to CONNECTED. The first blocking read or write that has to
    /// wait switches the socket to wait in the kernel where the platform
    /// allows it (from then on one system call per wait, where `poll` and a
    /// retry cost two or three); a connection that never waits (a connect,
    /// one message, a close) never pays for the switch. Every call that
    /// must not wait passes a per-call flag, so nothing observable changes.
    fn enter_connected(&mut self) {
        self.status = Status::STATUS_CONNECTED;
        self.kernel_waits = false;
        self.kernel_untried = true;
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
        match &self.open {
            Some(o) => Some(&o.sock),
            None => self.connector.as_ref().and_then(|c| c.primary()),
        }
    }

    /// The connect to a name in progress, if any.
    pub fn connector_mut(&mut self) -> Option<&mut Connector> {
        self.connector.as_deref_mut()
    }

    /// The remote end: what was connected to, or the accepted peer's
    /// address; `None` when there is no connection.
    pub fn remote(&self) -> Option<&Endpoint> {
        match &self.connector {
            Some(c) => c.shown_remote(),
            None => self.remote.as_ref(),
        }
    }

    /// Starts a connect that `connector` runs (TCP to a name): CONNECTING,
    /// then `poll` steps it. The caller checked the status is NONE.
    pub fn start_connector(&mut self, connector: Connector) {
        self.open = None;
        self.status = Status::STATUS_CONNECTING;
        self.connector = Some(Box::new(connector));
        self.new_connection();
        self.sync_connecting();
    }

    /// Counters and flags start again for a new connection.
    fn new_connection(&mut self) {
        self.sent = 0;
        self.received = 0;
        self.write_shut = false;
        self.quiet = 0;
        self.peer_closed.store(false, Ordering::Relaxed);
    }

    /// Tells the group what the connector watches now: its attempts'
    /// sockets, when to poll next, and whether a poll is due.
    fn sync_connecting(&mut self) {
        let Some(link) = &self.member else {
            return;
        };
        link.extra_changed(&self.extra_sockets());
        link.set_timer(self.timer());
        link.user_events_changed(self.user_events());
        self.told_buffered = self.ahead_len() > 0;
    }

    /// Steps the connector; see `poll`.
    fn poll_connector(&mut self) -> Result<()> {
        let Some(c) = self.connector.as_mut() else {
            return Ok(());
        };
        let r = match c.step() {
            Step::Pending => Ok(()),
            Step::Connected { sock, remote } => {
                self.connector = None;
                self.set_socket(OpenSocket::new(sock));
                self.remote = Some(Endpoint::Ip(remote));
                self.enter_connected();
                Ok(())
            }
            Step::Failed(f) => {
                self.enter_error();
                Err(f)
            }
        };
        self.sync_connecting();
        r
    }

    /// The limit of blocking reads and writes (None: none, as in Godot).
    pub fn io_timeout(&self) -> Option<Duration> {
        self.io_timeout
    }

    pub fn set_io_timeout(&mut self, timeout: Option<Duration>) {
        self.io_timeout = timeout;
    }

    /// Bytes handed to this connection (since it was connected).
    pub fn bytes_sent(&self) -> u64 {
        self.sent
    }

    /// Bytes delivered from this connection (since it was connected).
    pub fn bytes_received(&self) -> u64 {
        self.received
    }

    /// Whether the far side has closed its side of this connection.
    pub fn is_peer_closed(&self) -> bool {
        self.peer_closed.load(Ordering::Relaxed)
    }

    fn saw_peer_close(&self) {
        self.peer_closed.store(true, Ordering::Relaxed);
    }

    /// Half-close: sends FIN; reads go on, writes are refused from now on.
    /// Not connected: FAILED. Again: OK.
    pub fn shutdown_write(&mut self) -> Result<()> {
        let sock = self.connected_sock("shutdown_write")?;
        if self.write_shut {
            return Ok(());
        }
        sock.shutdown(std::net::Shutdown::Write)
            .map_err(|e| io_fail(Error::FAILED, "shutdown_write", &e))?;
        self.write_shut = true;
        Ok(())
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

    /// Takes the socket of a peer that is not connecting or connected (a
    /// bound socket, for a connector to use).
    pub fn take_socket(&mut self) -> Option<Socket> {
        if self.status != Status::STATUS_NONE {
            return None;
        }
        if self.open.is_some() {
            if let Some(link) = &self.member {
                link.socket_changed(None);
            }
        }
        self.open.take().map(|o| o.sock)
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
        if let Some(c) = &self.connector {
            return wait_connecting(c, interest, timeout);
        }
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
        let bits = buffered | group::kernel_bits(&ev, false) & asked;
        if bits & group::HANGUP != 0 {
            self.saw_peer_close();
        }
        Ok(bits)
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
        match sys::connect_start(&open.sock, &target) {
            Ok(Progress::Connected) => self.enter_connected(),
            Ok(Progress::Pending) => self.status = Status::STATUS_CONNECTING,
            Err(e) => {
                self.disconnect_from_host();
                return Err(error(&e));
            }
        }
        self.new_connection();
        self.remote = Some(remote);
        self.target = Some(target);
        Ok(())
    }

    /// Closes the socket (if any) and returns to STATUS_NONE. Idempotent.
    /// Forgets that the far side had closed; the byte counters stay until
    /// the next connect.
    pub fn disconnect_from_host(&mut self) {
        self.close();
        self.peer_closed.store(false, Ordering::Relaxed);
    }

    /// Closes the socket and any connect in progress: STATUS_NONE.
    fn close(&mut self) {
        if self.open.is_some() {
            if let Some(link) = &self.member {
                link.socket_changed(None);
            }
        }
        if self.connector.take().is_some() {
            if let Some(link) = &self.member {
                link.extra_changed(&[]);
                link.set_timer(None);
            }
        }
        self.open = None;
        self.status = Status::STATUS_NONE;
        self.deadline = None;
        self.remote = None;
        self.target = None;
        self.reads_wait = false;
        self.kernel_waits = false;
        self.kernel_untried = false;
        self.ahead = Vec::new();
        self.ahead_pos = 0;
        self.sync_buffered();
    }

    /// Closes the socket and enters STATUS_ERROR.
    fn enter_error(&mut self) {
        self.close();
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
                if r.hangup {
                    self.saw_peer_close();
                }
                if (r.readable || r.hangup) && !unread_here && matches!(sys::available(sock), Ok(0))
                {
                    self.saw_peer_close();
                    self.close();
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
        if self.connector.is_some() {
            return self.poll_connector();
        }
        let (Some(open), Some(target)) = (&self.open, &self.target) else {
            self.enter_error();
            return fail(Error::ERR_CONNECTION_ERROR, "connect: lost the socket");
        };
        match sys::connect_progress(&open.sock, target) {
            Ok(Progress::Connected) => self.enter_connected(),
            Ok(Progress::Pending) => {
                if let Some((_, timeout)) = self.deadline.filter(|(d, _)| Instant::now() > *d) {
                    let ms = timeout.as_millis();
                    let endpoint = self.remote_text();
                    self.enter_error();
                    return fail(
                        Error::ERR_CONNECTION_ERROR,
                        format!("connect to {endpoint}: timed out after {ms} ms"),
                    );
                }
            }
            Err(e) => {
                let endpoint = self.remote_text();
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
        if self.write_shut && self.status == Status::STATUS_CONNECTED {
            return (
                0,
                fail(
                    Error::ERR_UNAVAILABLE,
                    format!("{what}: writing was shut down (shutdown_write)"),
                ),
            );
        }
        let deadline = self.io_deadline(block);
        let first = if block {
            match self.send_now(data) {
                Ok(n) if n == data.len() => return (n, Ok(())),
                Ok(n) => n,
                Err(f) => return (0, Err(f)),
            }
        } else {
            0
        };
        let mut switch = Switch::new(self.kernel_untried);
        let (n, r) = self.transfer(what, |sock, sent| {
            *sent = first;
            send_loop(sock, data, block, what, sent, deadline, &mut switch)
        });
        self.switched(switch);
        // `send_now` counted the first part.
        self.sent += (n - n.min(first)) as u64;
        (n, r)
    }

    /// The usual blocking write with no time limit: one send, which takes
    /// it all. On a socket whose waits are in the kernel that send may wait;
    /// on one that is still non-blocking (a connection that has not had to
    /// wait yet, as a client's first message) it takes what fits now. Returns
    /// how many bytes it sent (and counted): all of `data`; some, or none
    /// (this case does not apply, or the socket would block), the rest being
    /// the general path's. A failed send closes the connection, as there.
    #[inline(always)]
    pub fn send_now(&mut self, data: &[u8]) -> Result<usize> {
        if self.write_shut
            || data.is_empty()
            || self.status != Status::STATUS_CONNECTED
            || self.io_limited(true)
        {
            return Ok(0);
        }
        let Some(open) = &self.open else {
            return Ok(0);
        };
        match sys::send(&open.sock, data, true) {
            Ok(n) => {
                self.sent += n as u64;
                Ok(n)
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(0),
            Err(e) => Err(self.failed("put_data", &e)),
        }
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
        if block {
            match self.read_small(buf, false) {
                Ok(true) => return (buf.len(), Ok(())),
                Ok(false) => {}
                Err(f) => return (0, Err(f)),
            }
        }
        // Bytes received earlier come first.
        let got = self.take_ahead(buf);
        if got == buf.len() || (!block && got > 0) {
            self.received += got as u64;
            self.sync_buffered();
            return (got, Ok(()));
        }
        // Where the kernel waits, a blocking read never polls first.
        let deadline = self.io_deadline(block);
        let mut waited = Waits {
            poll_first: self.reads_wait && !self.kernel_waits,
            // With a time limit every receive is non-blocking and the
            // waits happen in poll, which has the limit.
            kernel: self.kernel_waits && deadline.is_none(),
            switch: Switch::new(self.kernel_untried),
            deadline,
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
        self.switched(waited.switch);
        self.received += n as u64;
        self.sync_buffered();
        (n, r)
    }

    /// The usual blocking read of a small value: all of `buf` from the
    /// bytes received ahead or, where the socket waits in the kernel with
    /// no time limit and nothing is buffered, from one receive (what comes
    /// after `buf` stays ahead). True when `buf` is full (and counted);
    /// false when the general path must read it (bytes this receive got are
    /// ahead for it). A failed receive closes the connection, as there.
    ///
    /// `exact`: the read is of a value that is usually all there is (a
    /// typed value), so where values have come one at a time lately the
    /// receive asks for just the value; else (a length prefix, whose body
    /// follows) it always reads ahead.
    #[inline(always)]
    pub fn read_small(&mut self, buf: &mut [u8], exact: bool) -> Result<bool> {
        let n = buf.len();
        if self.status != Status::STATUS_CONNECTED || n == 0 {
            return Ok(false);
        }
        if self.ahead_len() >= n {
            self.take_ahead(buf);
        } else {
            if !self.receives_once() || n >= SMALL_AHEAD {
                return Ok(false);
            }
            let Some(open) = self.open.as_ref() else {
                return Ok(false);
            };
            // Request and response (nothing ever comes after the value)
            // receive just the value: a receive of more costs the kernel
            // a second look at the queue. Every PROBE_EVERY-th one reads
            // ahead again, to see whether values now come in bursts.
            let exact = exact && self.quiet >= QUIET && self.quiet < QUIET + PROBE_EVERY;
            let received = if exact {
                self.quiet += 1;
                sys::recv(&open.sock, buf, true)
            } else {
                let r = recv_ahead::<SMALL_AHEAD>(&open.sock, buf, true, &mut self.ahead);
                self.read_ahead_done();
                r
            };
            match received {
                Ok(got) if got == n => {}
                // Less arrived (or the end of the stream): the general
                // path goes on from the bytes that did.
                Ok(got) => {
                    self.ahead.extend_from_slice(&buf[..got]);
                    return Ok(false);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) => return Err(self.receive_failed(&e)),
            }
        }
        self.received += n as u64;
        self.sync_buffered();
        Ok(true)
    }

    /// The usual blocking read of a length-prefixed message (`get_var`):
    /// where [`read_small`](Self::read_small) would receive, one receive,
    /// and when what came starts with a whole message (a 4-byte prefix in
    /// the byte order `big_endian` says, of a length from 0 to `max`, then
    /// that many bytes), `f` on its body, straight from that receive (what
    /// follows the message stays ahead). None when the general path must
    /// read it: every byte this receive got is then ahead for it. A failed
    /// receive closes the connection, as there.
    #[inline(always)]
    pub fn read_message<R>(
        &mut self,
        big_endian: bool,
        max: usize,
        f: impl FnOnce(&[u8]) -> R,
    ) -> Result<Option<R>> {
        if !self.receives_once() {
            return Ok(None);
        }
        let Some(open) = self.open.as_ref() else {
            return Ok(None);
        };
        // Never zeroed: only what the receive wrote is read from it.
        let mut scratch = [std::mem::MaybeUninit::<u8>::uninit(); SMALL_AHEAD];
        let bytes = match sys::recv_uninit(&open.sock, &mut scratch, true) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(None),
            Err(e) => return Err(self.receive_failed(&e)),
        };
        let len = bytes.get(..4).map(|p| {
            let p: [u8; 4] = p.try_into().unwrap_or_default();
            match big_endian {
                true => i32::from_be_bytes(p),
                false => i32::from_le_bytes(p),
            }
        });
        let end = len
            .and_then(|n| usize::try_from(n).ok())
            .filter(|&n| n <= max)
            .map(|n| 4 + n)
            .filter(|&end| end <= bytes.len());
        let Some(end) = end else {
            self.ahead.extend_from_slice(bytes);
            self.read_ahead_done();
            self.sync_buffered();
            return Ok(None);
        };
        let r = f(&bytes[4..end]);
        self.ahead.extend_from_slice(&bytes[end..]);
        self.read_ahead_done();
        self.received += end as u64;
        self.sync_buffered();
        Ok(Some(r))
    }

    /// Whether a small blocking read may be one receive of its own: the
    /// socket is connected, nothing is buffered, and its reads wait in the
    /// kernel with no time limit (what `read_small` and `read_message`
    /// need).
    #[inline(always)]
    fn receives_once(&self) -> bool {
        self.status == Status::STATUS_CONNECTED
            && self.ahead_len() == 0
            && self.kernel_waits
            && !self.io_limited(true)
    }

    /// After a receive that read ahead: bytes left ahead mean values come
    /// in bursts (so small reads keep reading ahead); none is one more
    /// quiet receive.
    #[inline(always)]
    fn read_ahead_done(&mut self) {
        self.quiet = match self.ahead.is_empty() {
            false => 0,
            true => (self.quiet + 1).min(QUIET),
        };
    }

    /// A failed receive of `read_small` / `read_message`: the connection
    /// is closed (see `failed`) and the group told.
    fn receive_failed(&mut self, e: &io::Error) -> Failure {
        let f = self.failed("get_data", e);
        self.sync_buffered();
        f
    }

    /// What a failed send or receive does (as `transfer` does for the
    /// general path): the connection is closed, the failure is FAILED.
    fn failed(&mut self, what: &str, e: &io::Error) -> Failure {
        let f = io_fail(Error::FAILED, what, e);
        self.close();
        f
    }

    /// Takes note of a switch to kernel waits a read or write tried.
    fn switched(&mut self, switch: Switch) {
        if self.kernel_untried && !switch.untried {
            self.kernel_untried = false;
            self.kernel_waits = switch.done;
        }
    }

    /// The deadline of a blocking read or write that starts now.
    fn io_deadline(&self, block: bool) -> Option<Instant> {
        self.io_timeout
            .filter(|_| self.io_limited(block))
            .map(|t| Instant::now() + t)
    }

    /// Whether a blocking read or write (`block`) that starts now has a
    /// time limit (without reading the clock).
    fn io_limited(&self, block: bool) -> bool {
        self.io_timeout.is_some_and(|t| block && !t.is_zero())
    }

    /// Puts bytes a read took back in front of the unread ones (a typed
    /// read that timed out consumes nothing).
    pub fn unread(&mut self, bytes: &[u8]) {
        if bytes.is_empty() || self.open.is_none() {
            return;
        }
        let mut ahead = Vec::with_capacity(bytes.len() + self.ahead_len());
        ahead.extend_from_slice(bytes);
        ahead.extend_from_slice(&self.ahead[self.ahead_pos..]);
        self.ahead = ahead;
        self.ahead_pos = 0;
        self.received = self.received.saturating_sub(bytes.len() as u64);
        self.sync_buffered();
    }

    /// Copies buffered bytes into `buf`; returns how many.
    fn take_ahead(&mut self, buf: &mut [u8]) -> usize {
        let rest = &self.ahead[self.ahead_pos..];
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        self.skip_ahead(n);
        n
    }

    /// Marks the first `n` unread bytes of the read-ahead as read (the
    /// buffer keeps its capacity once empty).
    fn skip_ahead(&mut self, n: usize) {
        self.ahead_pos += n;
        if self.ahead_pos == self.ahead.len() {
            self.ahead.clear();
            self.ahead_pos = 0;
        }
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
        match &r {
            // A timeout leaves the connection as it was.
            Err(f) if f.code == Error::ERR_TIMEOUT => {}
            Err(f) => {
                if f.code == Error::ERR_FILE_EOF {
                    self.saw_peer_close();
                }
                self.close();
            }
            Ok(()) => {}
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
        let mut bits = 0;
        if self.ahead_len() > 0 {
            bits |= group::READABLE;
        }
        if self.connector.as_ref().is_some_and(|c| c.due()) {
            bits |= group::WRITABLE;
        }
        bits
    }

    fn is_server(&self) -> bool {
        false
    }

    fn extra_sockets(&self) -> Vec<sys::RawSock> {
        self.connector
            .as_ref()
            .map(|c| c.sockets().map(sys::raw).collect())
            .unwrap_or_default()
    }

    fn timer(&self) -> Option<Timer> {
        let c = self.connector.as_ref()?;
        Some(Timer {
            at: c.next_event(),
            probe: c.lookup().map(|l| {
                let done = l.done_flag();
                Arc::new(move || done.load(Ordering::Acquire)) as group::Probe
            }),
        })
    }
}

/// `SocketStream::wait` while a connector runs: WRITABLE ("call poll")
/// when the lookup ends, an attempt finishes or the next step is due.
fn wait_connecting(c: &Connector, interest: u32, timeout: Option<Duration>) -> Result<u32> {
    let due = group::WRITABLE & interest;
    let limit = Deadline::of(timeout);
    let event_in = c.next_event().saturating_duration_since(Instant::now());
    let until = match limit.left() {
        Some(t) => t.min(event_in),
        None => event_in,
    };
    if let Some(lookup) = c.lookup() {
        if lookup.wait(Some(until)) || Instant::now() >= c.next_event() {
            return Ok(due);
        }
        return Ok(0);
    }
    let want = sys::poller::Interest {
        read: interest & group::READABLE != 0,
        write: interest & group::WRITABLE != 0,
    };
    let socks: Vec<(sys::RawSock, sys::poller::Interest)> =
        c.sockets().map(|s| (sys::raw(s), want)).collect();
    let asked = interest | group::HANGUP | group::ERROR;
    let bits = sys::wait_many(&socks, Some(until))
        .map_err(|e| io_fail(Error::FAILED, "wait", &e))?
        .iter()
        .fold(0, |acc, ev| acc | group::kernel_bits(ev, false) & asked);
    if bits != 0 {
        return Ok(bits);
    }
    if Instant::now() >= c.next_event() {
        return Ok(due);
    }
    Ok(0)
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

    fn unread(&mut self, bytes: &[u8]) {
        SocketStream::unread(self, bytes);
    }

    fn buffered(&self) -> &[u8] {
        &self.ahead[self.ahead_pos..]
    }

    fn consume(&mut self, n: usize) {
        let n = n.min(self.ahead_len());
        self.skip_ahead(n);
        self.received += n as u64;
        self.sync_buffered();
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

/// A blocking read or write waits here: until `deadline` (the peer's I/O
/// timeout; ERR_TIMEOUT then), or forever as in Godot (EINTR is retried).
/// A socket error while waiting is a failure.
fn wait_ready(sock: &Socket, what: PollType, op: &str, deadline: Option<Instant>) -> Result<()> {
    let timeout = deadline.map(|d| d.saturating_duration_since(Instant::now()));
    match sys::poll(sock, what, timeout) {
        Ok(r) if r.timed_out() => {
            fail(Error::ERR_TIMEOUT, format!("{op}: timed out (I/O timeout)"))
        }
        Ok(r) if !r.error => Ok(()),
        Ok(_) => fail(Error::FAILED, format!("{op}: {}", pending_error(sock))),
        Err(e) => Err(io_fail(Error::FAILED, op, &e)),
    }
}

/// Sends `data` from `*sent` on; without `block`, stops when the kernel
/// takes no more.
fn send_loop(
    sock: &Socket,
    data: &[u8],
    block: bool,
    what: &str,
    sent: &mut usize,
    deadline: Option<Instant>,
    switch: &mut Switch,
) -> Result<()> {
    // With a deadline, sends never wait in the kernel: poll has the limit.
    let kernel_wait = block && deadline.is_none();
    while *sent < data.len() {
        match sys::send(sock, &data[*sent..], kernel_wait) {
            Ok(n) => *sent += n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                if !block {
                    break;
                }
                if kernel_wait && switch.try_now(sock) {
                    continue;
                }
                wait_ready(sock, PollType::Out, what, deadline).map_err(|f| {
                    Failure::new(
                        f.code,
                        format!("{} after sending {sent} of {} bytes", f.message, data.len()),
                    )
                })?;
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
        wait_ready(sock, PollType::In, what, waits.deadline)?;
    }
    // With a deadline, receives never wait in the kernel.
    let kernel_wait = block && waits.deadline.is_none();
    let mut had_to_wait = false;
    while *got < buf.len() {
        let want = buf.len() - *got;
        let received = if want < READ_AHEAD {
            recv_ahead::<READ_AHEAD>(sock, &mut buf[*got..], kernel_wait, ahead)
        } else if block && waits.kernel {
            // Large blocking reads: the kernel fills the whole rest in one
            // call where it can.
            sys::recv_all(sock, &mut buf[*got..])
        } else {
            sys::recv(sock, &mut buf[*got..], kernel_wait)
        };
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
                // Part of a blocking read: the rest is not there yet, so
                // this read is about to wait. Switch to kernel waits now
                // rather than at the EAGAIN to come, so that the rest of
                // a large read is one MSG_WAITALL receive, not a receive
                // of each piece as it lands (where the sender only runs
                // while this thread waits, as on one CPU, a receive
                // seldom finds the socket empty and sees EAGAIN).
                if kernel_wait && !waits.kernel && *got < buf.len() && waits.switch.try_now(sock) {
                    waits.kernel = true;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                if !block {
                    break;
                }
                if kernel_wait && waits.switch.try_now(sock) {
                    waits.kernel = true;
                    continue;
                }
                had_to_wait = true;
                wait_ready(sock, PollType::In, what, waits.deadline).map_err(|f| {
                    Failure::new(
                        f.code,
                        format!("{} after receiving {got} of {} bytes", f.message, buf.len()),
                    )
                })?;
            }
            Err(e) => return Err(io_fail(Error::FAILED, what, &e)),
        }
    }
    if had_to_wait {
        waits.poll_first = true;
    }
    Ok(())
}

/// One receive of up to `AHEAD` bytes for a read of less: what fits goes
/// into `buf`, the rest to the end of `ahead`. Returns how many bytes went
/// into `buf` (0: the end of the stream).
fn recv_ahead<const AHEAD: usize>(
    sock: &Socket,
    buf: &mut [u8],
    wait: bool,
    ahead: &mut Vec<u8>,
) -> io::Result<usize> {
    // Never zeroed: only what the receive wrote is read from it.
    let mut scratch = [std::mem::MaybeUninit::<u8>::uninit(); AHEAD];
    let bytes = sys::recv_uninit(sock, &mut scratch, wait)?;
    let take = bytes.len().min(buf.len());
    buf[..take].copy_from_slice(&bytes[..take]);
    ahead.extend_from_slice(&bytes[take..]);
    Ok(take)
}

/// How a blocking read waits on this socket.
struct Waits {
    /// Poll before reading (it had to wait before: request/response).
    poll_first: bool,
    /// The socket's waits happen in the kernel (`sys::set_kernel_blocking`).
    kernel: bool,
    /// The switch to kernel waits, if this call may still make it.
    switch: Switch,
    /// The I/O timeout's deadline of this call.
    deadline: Option<Instant>,
}

/// The once-per-connection switch of a socket to kernel waits
/// (`sys::set_kernel_blocking`), made by the first blocking call that
/// finds it has to wait.
#[derive(Clone, Copy)]
struct Switch {
    /// Not tried yet on this connection.
    untried: bool,
    /// Tried, and the socket waits in the kernel now.
    done: bool,
}

impl Switch {
    fn new(untried: bool) -> Switch {
        Switch {
            untried,
            done: false,
        }
    }

    /// Makes the switch if it was not tried yet; true when the socket
    /// waits in the kernel now (retry the call instead of polling).
    fn try_now(&mut self, sock: &Socket) -> bool {
        if !self.untried {
            return false;
        }
        self.untried = false;
        self.done = sys::set_kernel_blocking(sock);
        self.done
    }
}

/// Reads smaller than this receive this much and keep the rest.
const READ_AHEAD: usize = 4096;

/// After this many receives of [`SocketStream::read_small`] in a row that
/// brought nothing beyond the value, it receives just the value...
const QUIET: u8 = 4;
/// ...reading ahead again every this many receives.
const PROBE_EVERY: u8 = 16;

/// The read-ahead of [`SocketStream::read_small`]: smaller, so that its
/// stack frame stays within one page (a larger one is probed page by page
/// on every call) and near its caller's.
const SMALL_AHEAD: usize = 2048;
