//! The socket layer: the only place in the core with `unsafe` socket calls.
//!
//! Sockets are `socket2::Socket`s. What socket2 does the same way on every
//! platform (bind, listen, connect, options, addresses) is called directly
//! by the core. What differs, or what socket2 lacks, goes through this
//! module, and each platform module (`unix.rs`, `windows.rs`) provides:
//!
//! * `send(&Socket, &[u8], wait)` / `recv(&Socket, &mut [u8], wait)` /
//!   `peek_one(&Socket)` — a send that can never raise SIGPIPE
//!   (`MSG_NOSIGNAL` per call on Linux and the BSDs; Apple gets
//!   `SO_NOSIGPIPE` from `Socket::new`; Windows has no SIGPIPE), and
//!   receives (`recv_uninit` into stack space never zeroed); `wait = false` never blocks (`MSG_DONTWAIT` per call on
//!   Unix), `wait = true` may block in the kernel on a socket that
//!   `set_kernel_blocking` switched;
//! * `set_kernel_blocking(&Socket) -> bool` — lets a connected socket's
//!   waiting reads and writes block inside the kernel, which costs one
//!   system call instead of a `poll` and a retry (Unix: clears O_NONBLOCK,
//!   every call that must not wait passes `MSG_DONTWAIT`; Windows: no, the
//!   socket stays non-blocking and waits go through `WSAPoll`);
//! * `poll_once(&Socket, PollType, timeout_ms: i32) -> io::Result<Ready>` —
//!   one `poll(2)` / `WSAPoll` call (`-1` waits forever, `0` does not wait);
//! * `available(&Socket)` — bytes waiting to be read (`FIONREAD`);
//! * `set_listener_reuse(&Socket)` — `SO_REUSEADDR` on Unix, nothing on
//!   Windows (where it would allow port stealing);
//! * `in_progress(&io::Error)` / `already_connected(&io::Error)` — how a
//!   repeated non-blocking `connect()` says "still busy" and "done";
//! * `SUN_PATH_LEN` and `socket_file(&Path) -> FileAt` — the size of
//!   `sockaddr_un.sun_path`, and what is at a path (a socket and which one,
//!   something else, nothing), for Unix domain sockets.
//!
//! Policy that is the same everywhere (EINTR retries with the remaining
//! time recomputed, non-blocking + close-on-exec sockets) lives here.

#![allow(unsafe_code)] // one of the places `unsafe` is allowed: see src/lib.rs

use std::io;
use std::mem::MaybeUninit;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

pub use socket2::{Domain, SockAddr, Socket, Type};

pub mod poller;

/// A socket as the OS names it: a descriptor on Unix, a SOCKET on Windows.
#[cfg(unix)]
pub type RawSock = std::os::fd::RawFd;
/// A socket as the OS names it: a descriptor on Unix, a SOCKET on Windows.
#[cfg(windows)]
pub type RawSock = std::os::windows::io::RawSocket;

/// The OS name of `sock` (borrowed: the socket still owns it).
pub fn raw(sock: &Socket) -> RawSock {
    #[cfg(unix)]
    return std::os::fd::AsRawFd::as_raw_fd(sock);
    #[cfg(windows)]
    return std::os::windows::io::AsRawSocket::as_raw_socket(sock);
}

/// [`raw`] as a number for C (`int64_t`).
pub fn raw_number(sock: &Socket) -> i64 {
    raw(sock) as i64
}

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as platform;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as platform;

pub use platform::{
    accepted_waits_in_kernel, already_connected, available, family_unsupported, in_progress,
    set_kernel_blocking, set_listener_reuse, socket_file, SUN_PATH_LEN,
};

/// What a Unix domain socket path names on the file system.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileAt {
    /// Nothing is there.
    Nothing,
    /// A socket file, with an identity (device and inode on Unix) that
    /// tells it from a later file at the same path.
    Socket(FileId),
    /// A regular file, a directory, a symbolic link, or a file whose kind
    /// this platform cannot tell: never to be removed.
    Other,
}

/// The identity of a socket file (device and inode where there are such).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileId(pub u64, pub u64);

/// What to wait for (Godot's `NetSocket::PollType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PollType {
    In,
    Out,
    /// Both; also reports the far side's FIN as `hangup` where the system
    /// can (POLLRDHUP).
    InOut,
}

/// What one poll saw. All false means the wait timed out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ready {
    pub readable: bool,
    pub writable: bool,
    pub error: bool,
    pub hangup: bool,
}

impl Ready {
    /// Nothing happened before the timeout.
    pub fn timed_out(&self) -> bool {
        *self == Ready::default()
    }
}

/// Opens a TCP socket: non-blocking, close-on-exec (socket2 sets
/// `SOCK_CLOEXEC`, and `SO_NOSIGPIPE` on Apple, in `Socket::new`).
pub fn open_tcp(domain: Domain) -> io::Result<Socket> {
    open_nonblocking(domain, Some(socket2::Protocol::TCP))
}

/// [`open_tcp`] for `domain`, IPv6-only (`v6only`) or dual-stack on IPv6.
pub fn open_tcp_for(domain: Domain, v6only: bool) -> io::Result<Socket> {
    let sock = open_tcp(domain)?;
    if domain == Domain::IPV6 {
        sock.set_only_v6(v6only)?;
    }
    Ok(sock)
}

/// A non-blocking, close-on-exec stream socket, in one system call where
/// `socket()` takes SOCK_NONBLOCK.
fn open_nonblocking(domain: Domain, protocol: Option<socket2::Protocol>) -> io::Result<Socket> {
    #[cfg(any(
        target_os = "android",
        target_os = "dragonfly",
        target_os = "freebsd",
        target_os = "illumos",
        target_os = "linux",
        target_os = "netbsd",
        target_os = "openbsd"
    ))]
    return Socket::new(domain, Type::STREAM.nonblocking(), protocol);
    #[cfg(not(any(
        target_os = "android",
        target_os = "dragonfly",
        target_os = "freebsd",
        target_os = "illumos",
        target_os = "linux",
        target_os = "netbsd",
        target_os = "openbsd"
    )))]
    {
        let sock = Socket::new(domain, Type::STREAM, protocol)?;
        sock.set_nonblocking(true)?;
        Ok(sock)
    }
}

/// Opens a Unix domain stream socket, non-blocking and close-on-exec like
/// [`open_tcp`]. Fails on a Windows without AF_UNIX (before 10 1803).
pub fn open_unix() -> io::Result<Socket> {
    open_nonblocking(Domain::UNIX, None)
}

/// Accepts one pending connection as a close-on-exec socket and returns
/// it with the remote address (IP or Unix domain). The socket is ready for
/// a connected peer: waiting in the kernel where [`set_kernel_blocking`]
/// would switch it (Linux's accept4 gives a blocking socket already, so
/// that costs no call there), non-blocking on Windows.
pub fn accept(listener: &Socket) -> io::Result<(Socket, SockAddr)> {
    loop {
        match listener.accept() {
            Ok((sock, addr)) => {
                platform::prepare_accepted(&sock)?;
                return Ok((sock, addr));
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Largest length handed to one send/recv call (Apple's libc rejects
/// lengths of INT_MAX or more).
const MAX_IO: usize = (i32::MAX as usize) - 1;

/// Sends without SIGPIPE: what the kernel takes now (`wait` false), or,
/// on a socket switched by [`set_kernel_blocking`], waiting until it takes
/// some. `WouldBlock` when nothing could be sent without waiting. EINTR is
/// retried.
pub fn send(sock: &Socket, buf: &[u8], wait: bool) -> io::Result<usize> {
    let buf = &buf[..buf.len().min(MAX_IO)];
    loop {
        match platform::send(sock, buf, wait) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            r => return r,
        }
    }
}

/// Receives (0 = the peer closed): what is there now (`wait` false), or,
/// on a socket switched by [`set_kernel_blocking`], waiting until something
/// arrives. `WouldBlock` when nothing is there and it may not wait. EINTR
/// is retried.
pub fn recv(sock: &Socket, buf: &mut [u8], wait: bool) -> io::Result<usize> {
    let len = buf.len().min(MAX_IO);
    loop {
        match platform::recv(sock, &mut buf[..len], wait) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            r => return r,
        }
    }
}

/// [`recv`] into stack space that was never zeroed (a small read receives
/// a whole buffer's worth and keeps the surplus): the bytes received, a
/// prefix of `scratch` (empty = the peer closed).
pub fn recv_uninit<'a>(
    sock: &Socket,
    scratch: &'a mut [MaybeUninit<u8>],
    wait: bool,
) -> io::Result<&'a [u8]> {
    let len = scratch.len().min(MAX_IO);
    let n = loop {
        match platform::recv_uninit(sock, &mut scratch[..len], wait) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            r => break r?,
        }
    };
    // SAFETY: the receive wrote (initialised) the first `n <= len` bytes of
    // `scratch`, and `MaybeUninit<u8>` has the layout of `u8`.
    Ok(unsafe { std::slice::from_raw_parts(scratch.as_ptr().cast::<u8>(), n.min(len)) })
}

/// A waiting receive of all of `buf` in as few calls as the system allows
/// (MSG_WAITALL on Unix), for a socket switched by [`set_kernel_blocking`]:
/// it returns early with what it has on the end of the stream, an error or
/// a signal (0: the peer closed before anything came). EINTR with nothing
/// received is retried.
pub fn recv_all(sock: &Socket, buf: &mut [u8]) -> io::Result<usize> {
    let len = buf.len().min(MAX_IO);
    loop {
        match platform::recv_all(sock, &mut buf[..len]) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            r => return r,
        }
    }
}

/// Looks at the next byte without taking it and without waiting: `Ok(0)`
/// the peer closed, `WouldBlock` nothing there, an error the socket's
/// error (Wine keeps no SO_ERROR after a reset, but a peek reports it).
pub fn peek_one(sock: &Socket) -> io::Result<usize> {
    let mut one = [0u8; 1];
    loop {
        match platform::peek(sock, &mut one) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            r => return r,
        }
    }
}

/// The deadline of a wait: no limit, now (a wait that only looks, the
/// common case in a game loop, reads no clock), or a point in time.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Deadline {
    Never,
    Now,
    At(Instant),
}

impl Deadline {
    pub(crate) fn of(timeout: Option<Duration>) -> Deadline {
        match timeout {
            None => Deadline::Never,
            Some(Duration::ZERO) => Deadline::Now,
            Some(t) => Deadline::At(Instant::now() + t),
        }
    }

    /// The time left (None: no limit), zero once it has passed.
    pub(crate) fn left(self) -> Option<Duration> {
        match self {
            Deadline::Never => None,
            Deadline::Now => Some(Duration::ZERO),
            Deadline::At(d) => Some(d.saturating_duration_since(Instant::now())),
        }
    }

    /// Whether no time is left.
    pub(crate) fn passed(self) -> bool {
        self.left() == Some(Duration::ZERO)
    }

    /// Milliseconds left for a poll call (-1: no deadline), rounded up so
    /// that a short wait never becomes a busy loop.
    pub(crate) fn ms(self) -> i32 {
        match self {
            Deadline::Never => -1,
            Deadline::Now => 0,
            Deadline::At(d) => {
                let left = d.saturating_duration_since(Instant::now());
                i32::try_from(left.as_nanos().div_ceil(1_000_000)).unwrap_or(i32::MAX)
            }
        }
    }
}

/// Waits for `what` on `sock`: `None` waits forever, `Some(0)` only looks.
/// EINTR is retried with the remaining time recomputed.
pub fn poll(sock: &Socket, what: PollType, timeout: Option<Duration>) -> io::Result<Ready> {
    let deadline = Deadline::of(timeout);
    loop {
        match platform::poll_once(sock, what, deadline.ms()) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            r => return r,
        }
    }
}

/// Waits for `interest` on one socket (see [`poll`] for the timeout);
/// errors and hangups are reported whatever the interest, and the far
/// side's FIN as `hangup` (POLLRDHUP where the system has it).
pub fn wait_one(
    sock: &Socket,
    interest: poller::Interest,
    timeout: Option<Duration>,
) -> io::Result<poller::Event> {
    let deadline = Deadline::of(timeout);
    loop {
        match platform::poll_many(&[(raw(sock), interest)], deadline.ms()) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            r => return r.map(|v| v[0]),
        }
    }
}

/// How a non-blocking connect stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    Connected,
    Pending,
}

/// Starts a non-blocking connect: `Pending` while it runs, an error when
/// it failed at once.
pub fn connect_start(sock: &Socket, target: &SockAddr) -> io::Result<Progress> {
    match sock.connect(target) {
        Ok(()) => Ok(Progress::Connected),
        Err(e) if already_connected(&e) => Ok(Progress::Connected),
        Err(e) if in_progress(&e) => Ok(Progress::Pending),
        Err(e) => Err(e),
    }
}

/// Asks a connect in progress how it is going, without waiting: the
/// reason it failed, or whether it finished. A connect that failed in the
/// background leaves its reason in SO_ERROR; that is read first where
/// calling connect() again does not report it (Windows answers with a
/// different error; Linux reports it from connect(), so the extra call is
/// saved there).
pub fn connect_progress(sock: &Socket, target: &SockAddr) -> io::Result<Progress> {
    if !cfg!(target_os = "linux") {
        if let Ok(Some(e)) = sock.take_error() {
            return Err(e);
        }
    }
    connect_start(sock, target)
}

/// TCP keepalive settings; 0 leaves a number at the OS default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Keepalive {
    pub enabled: bool,
    pub idle_s: u32,
    pub interval_s: u32,
    pub count: u32,
}

impl Keepalive {
    /// The largest idle time and interval (seconds) and probe count every
    /// supported system takes (Linux's limits are the smallest).
    pub(crate) const MAX_SECONDS: u32 = 32767;
    pub(crate) const MAX_COUNT: u32 = 127;
}

/// Applies `ka` to a TCP socket (SO_KEEPALIVE, and the idle time, interval
/// and count that are not 0).
pub fn set_keepalive(sock: &Socket, ka: &Keepalive) -> io::Result<()> {
    if !ka.enabled {
        return sock.set_keepalive(false);
    }
    sock.set_keepalive(true)?;
    #[cfg(windows)]
    {
        // Windows sets the idle time and interval together (0 there would
        // mean "at once"): the system's defaults, 2 h and 1 s, fill in.
        // The probe count (TCP_KEEPCNT) exists since Windows 10 1703; where
        // it does not (older Windows, Wine), the system's 10 probes stay.
        let secs =
            |v: u32, default: u64| Duration::from_secs(if v > 0 { u64::from(v) } else { default });
        let params = socket2::TcpKeepalive::new()
            .with_time(secs(ka.idle_s, 7200))
            .with_interval(secs(ka.interval_s, 1));
        sock.set_tcp_keepalive(&params)?;
        if ka.count > 0 {
            match sock.set_tcp_keepalive(&params.with_retries(ka.count)) {
                Err(e) if e.raw_os_error() == Some(10042) => {} // WSAENOPROTOOPT
                r => r?,
            }
        }
        Ok(())
    }
    #[cfg(not(windows))]
    {
        let mut params = socket2::TcpKeepalive::new();
        let mut any = false;
        if ka.idle_s > 0 {
            params = params.with_time(Duration::from_secs(u64::from(ka.idle_s)));
            any = true;
        }
        #[cfg(any(
            target_os = "android",
            target_os = "dragonfly",
            target_os = "freebsd",
            target_os = "illumos",
            target_os = "ios",
            target_os = "linux",
            target_os = "macos",
            target_os = "netbsd"
        ))]
        {
            if ka.interval_s > 0 {
                params = params.with_interval(Duration::from_secs(u64::from(ka.interval_s)));
                any = true;
            }
            if ka.count > 0 {
                params = params.with_retries(ka.count);
                any = true;
            }
        }
        if any {
            sock.set_tcp_keepalive(&params)?;
        }
        Ok(())
    }
}

/// [`wait_one`] for several sockets at once (none: just the timeout).
pub fn wait_many(
    socks: &[(RawSock, poller::Interest)],
    timeout: Option<Duration>,
) -> io::Result<Vec<poller::Event>> {
    let deadline = Deadline::of(timeout);
    if socks.is_empty() {
        if let Some(t) = deadline.left() {
            std::thread::sleep(t);
        }
        return Ok(Vec::new());
    }
    loop {
        match platform::poll_many(socks, deadline.ms()) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            r => return r,
        }
    }
}

/// The local port of a socket (`getsockname`).
pub fn local_port(sock: &Socket) -> io::Result<u16> {
    sock.local_addr()?
        .as_socket()
        .map(|a| a.port())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "not an IP socket"))
}

/// The `connect()` target for `addr` on a socket of `domain`: an IPv4
/// address on an IPv6 (dual-stack) socket becomes `::ffff:a.b.c.d`, as in
/// Godot. `None` when the family cannot be reached from this socket.
pub fn target_for(domain: Domain, v6only: bool, addr: SocketAddr) -> Option<SockAddr> {
    match (addr, domain) {
        (SocketAddr::V4(_), d) if d == Domain::IPV4 => Some(addr.into()),
        (SocketAddr::V6(_), d) if d == Domain::IPV6 => Some(addr.into()),
        (SocketAddr::V4(v4), d) if d == Domain::IPV6 && !v6only => {
            let mapped = std::net::SocketAddrV6::new(v4.ip().to_ipv6_mapped(), v4.port(), 0, 0);
            Some(SocketAddr::V6(mapped).into())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads O_NONBLOCK and FD_CLOEXEC back from the descriptor.
    #[cfg(unix)]
    fn assert_cloexec(s: &Socket, nonblocking: bool) {
        use std::os::fd::AsRawFd;
        assert_eq!(s.nonblocking().unwrap(), nonblocking);
        // SAFETY: F_GETFD on a descriptor owned by `s`, no pointers.
        let flags = unsafe { libc::fcntl(s.as_raw_fd(), libc::F_GETFD) };
        assert!(flags >= 0 && flags & libc::FD_CLOEXEC != 0, "{flags}");
    }

    #[test]
    fn open_and_accept_give_cloexec_sockets_ready_for_their_use() {
        let listener = open_tcp(Domain::IPV4).unwrap();
        assert_eq!(listener.r#type().unwrap(), Type::STREAM);
        let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
        listener.bind(&any.into()).unwrap();
        listener.listen(8).unwrap();
        let port = local_port(&listener).unwrap();
        let client = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        let r = poll(&listener, PollType::In, Some(Duration::from_secs(5))).unwrap();
        assert!(r.readable);
        let (accepted, remote) = accept(&listener).unwrap();
        assert_eq!(remote.as_socket(), Some(client.local_addr().unwrap()));
        #[cfg(unix)]
        {
            // The listener never waits; an accepted socket waits in the
            // kernel (its never-blocking calls pass MSG_DONTWAIT).
            assert_cloexec(&listener, true);
            assert_cloexec(&accepted, !accepted_waits_in_kernel(&accepted));
            assert_cloexec(&open_unix().unwrap(), true);
            let switched = open_tcp(Domain::IPV4).unwrap();
            assert!(set_kernel_blocking(&switched));
            assert_cloexec(&switched, false);
        }
        assert_eq!(available(&accepted).unwrap(), 0);
    }

    #[test]
    fn poll_times_out_without_events() {
        let listener = open_tcp(Domain::IPV4).unwrap();
        let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
        listener.bind(&any.into()).unwrap();
        listener.listen(8).unwrap();
        let start = Instant::now();
        let r = poll(&listener, PollType::In, Some(Duration::from_millis(30))).unwrap();
        assert!(r.timed_out(), "{r:?}");
        assert!(start.elapsed() >= Duration::from_millis(29));
    }

    #[test]
    fn mapping_of_targets() {
        let v4: SocketAddr = "127.0.0.1:80".parse().unwrap();
        let v6: SocketAddr = "[::1]:80".parse().unwrap();
        assert!(target_for(Domain::IPV4, false, v4).is_some());
        assert!(target_for(Domain::IPV4, false, v6).is_none());
        assert!(target_for(Domain::IPV6, true, v4).is_none());
        let mapped = target_for(Domain::IPV6, false, v4)
            .unwrap()
            .as_socket()
            .unwrap();
        assert_eq!(mapped.to_string(), "[::ffff:127.0.0.1]:80");
    }
}
