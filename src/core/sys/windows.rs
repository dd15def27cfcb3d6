//! Windows (Winsock) half of the socket layer; see `mod.rs`.
//!
//! Built and checked with `cargo check --target x86_64-pc-windows-gnu`;
//! tested under Wine by the Windows work (not yet part of `make test`).

use std::io;
use std::os::windows::io::AsRawSocket;
use std::path::Path;

use super::{FileAt, PollType, Ready, Socket};

/// Bytes in `sockaddr_un.sun_path` (`UNIX_PATH_MAX` in afunix.h).
pub const SUN_PATH_LEN: usize = 108;

/// What is at `path`. Windows shows an AF_UNIX socket file as a reparse
/// point that the standard library cannot tell from other files, so an
/// existing path is always `Other` here: never removed, never replaced.
pub fn socket_file(path: &Path) -> FileAt {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => FileAt::Nothing,
        _ => FileAt::Other,
    }
}

#[repr(C)]
struct WsaPollFd {
    fd: usize,
    events: i16,
    revents: i16,
}

const POLLRDNORM: i16 = 0x0100;
const POLLRDBAND: i16 = 0x0200;
const POLLWRNORM: i16 = 0x0010;
const POLLERR: i16 = 0x0001;
const POLLHUP: i16 = 0x0002;
const POLLNVAL: i16 = 0x0004;
const FIONREAD: i32 = 0x4004_667f;
const WSAEINTR: i32 = 10004;
const WSAEINVAL: i32 = 10022;
const WSAEWOULDBLOCK: i32 = 10035;
const WSAEINPROGRESS: i32 = 10036;
const WSAEALREADY: i32 = 10037;
const WSAEISCONN: i32 = 10056;
const WSAEAFNOSUPPORT: i32 = 10047;

#[link(name = "ws2_32")]
extern "system" {
    fn WSAPoll(fds: *mut WsaPollFd, nfds: u32, timeout: i32) -> i32;
    fn ioctlsocket(s: usize, cmd: i32, argp: *mut u32) -> i32;
}

/// The socket is always non-blocking on Windows (there is no per-call
/// flag), so `wait` changes nothing: a wait happens in `WSAPoll`.
pub fn send(sock: &Socket, buf: &[u8], _wait: bool) -> io::Result<usize> {
    sock.send(buf)
}

pub fn recv(sock: &Socket, buf: &mut [u8], _wait: bool) -> io::Result<usize> {
    use std::io::Read;
    (&*sock).read(buf)
}

pub fn recv_uninit(
    sock: &Socket,
    buf: &mut [std::mem::MaybeUninit<u8>],
    _wait: bool,
) -> io::Result<usize> {
    sock.recv(buf)
}

/// Windows sockets stay non-blocking: a plain receive.
pub fn recv_all(sock: &Socket, buf: &mut [u8]) -> io::Result<usize> {
    recv(sock, buf, true)
}

pub fn peek(sock: &Socket, buf: &mut [u8]) -> io::Result<usize> {
    // SAFETY: a `u8` slice viewed as `MaybeUninit<u8>`: same layout, and
    // peek only writes initialised bytes into it.
    let uninit = unsafe {
        std::slice::from_raw_parts_mut(
            buf.as_mut_ptr().cast::<std::mem::MaybeUninit<u8>>(),
            buf.len(),
        )
    };
    sock.peek(uninit)
}

/// Windows has no per-call "do not wait" flag: sockets stay non-blocking
/// and waits go through `WSAPoll`.
pub fn set_kernel_blocking(_sock: &Socket) -> bool {
    false
}

/// Accepted sockets are non-blocking, like every socket here.
pub fn prepare_accepted(sock: &Socket) -> io::Result<()> {
    sock.set_nonblocking(true)
}

/// Sockets from `accept` do not wait in the kernel here.
pub fn accepted_waits_in_kernel(_sock: &Socket) -> bool {
    false
}

pub fn poll_once(sock: &Socket, what: PollType, timeout_ms: i32) -> io::Result<Ready> {
    let events = match what {
        PollType::In => POLLRDNORM | POLLRDBAND,
        PollType::Out => POLLWRNORM,
        PollType::InOut => POLLRDNORM | POLLRDBAND | POLLWRNORM,
    };
    let mut pfd = WsaPollFd {
        fd: sock.as_raw_socket() as usize,
        events,
        revents: 0,
    };
    // SAFETY: `pfd` is a valid WSAPOLLFD that lives across the call, and
    // the count is exactly one.
    let n = unsafe { WSAPoll(&mut pfd, 1, timeout_ms) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    // Some Windows 10 builds do not report a failed connect through
    // WSAPoll; the connect state machine does not rely on it (it reads
    // SO_ERROR and calls connect() again), so nothing is read here that
    // a later error message would miss.
    Ok(Ready {
        readable: pfd.revents & (POLLRDNORM | POLLRDBAND) != 0,
        writable: pfd.revents & POLLWRNORM != 0,
        error: pfd.revents & (POLLERR | POLLNVAL) != 0,
        hangup: pfd.revents & POLLHUP != 0,
    })
}

pub fn available(sock: &Socket) -> io::Result<usize> {
    let mut n: u32 = 0;
    // SAFETY: FIONREAD writes one u_long (u32) through the pointer, which
    // points to a live local; the socket is owned by `sock`.
    let r = unsafe { ioctlsocket(sock.as_raw_socket() as usize, FIONREAD, &mut n) };
    if r != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(n as usize)
}

/// SO_REUSEADDR on Windows lets another process steal the port; Godot
/// skips it there, and so do we.
pub fn set_listener_reuse(_sock: &Socket) -> io::Result<()> {
    Ok(())
}

pub fn in_progress(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(WSAEWOULDBLOCK)
            | Some(WSAEINPROGRESS)
            | Some(WSAEALREADY)
            | Some(WSAEINVAL)
            | Some(WSAEINTR)
    )
}

pub fn already_connected(e: &io::Error) -> bool {
    e.raw_os_error() == Some(WSAEISCONN)
}

/// The system has no sockets of this address family (AF_UNIX before
/// Windows 10 1803).
pub fn family_unsupported(e: &io::Error) -> bool {
    e.raw_os_error() == Some(WSAEAFNOSUPPORT)
}

/// One `WSAPoll` over several sockets: each one's readiness, in order.
pub fn poll_many(
    socks: &[(super::RawSock, super::poller::Interest)],
    timeout_ms: i32,
) -> io::Result<Vec<super::poller::Event>> {
    let mut fds: Vec<WsaPollFd> = socks
        .iter()
        .map(|&(s, i)| WsaPollFd {
            fd: s as usize,
            events: if i.read { POLLRDNORM | POLLRDBAND } else { 0 }
                | if i.write { POLLWRNORM } else { 0 },
            revents: 0,
        })
        .collect();
    if fds.is_empty() {
        // WSAPoll refuses an empty set; wait the time out instead.
        if timeout_ms > 0 {
            std::thread::sleep(std::time::Duration::from_millis(timeout_ms as u64));
        }
        return Ok(Vec::new());
    }
    // SAFETY: `fds` holds `fds.len()` valid WSAPOLLFDs that live across the
    // call.
    let n = unsafe { WSAPoll(fds.as_mut_ptr(), fds.len() as u32, timeout_ms) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(fds
        .iter()
        .map(|p| super::poller::Event {
            token: 0,
            readable: p.revents & (POLLRDNORM | POLLRDBAND) != 0,
            writable: p.revents & POLLWRNORM != 0,
            error: p.revents & (POLLERR | POLLNVAL) != 0,
            hangup: p.revents & POLLHUP != 0,
        })
        .collect())
}
