//! Unix (Linux, BSD, macOS) half of the socket layer; see `mod.rs`.

use std::io;
use std::mem::MaybeUninit;
use std::os::fd::AsRawFd;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;

use super::{FileAt, FileId, PollType, Ready, Socket};

/// Bytes in `sockaddr_un.sun_path` (a path may use all but the NUL).
#[cfg(any(target_os = "linux", target_os = "android"))]
pub const SUN_PATH_LEN: usize = 108;
/// Bytes in `sockaddr_un.sun_path` (a path may use all but the NUL).
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub const SUN_PATH_LEN: usize = 104;

/// What is at `path`, without following a symbolic link.
pub fn socket_file(path: &Path) -> FileAt {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => FileAt::Nothing,
        Err(_) => FileAt::Other,
        Ok(m) if m.file_type().is_socket() => FileAt::Socket(FileId(m.dev(), m.ino())),
        Ok(_) => FileAt::Other,
    }
}

// Linux and the BSDs suppress SIGPIPE per call; Apple has no MSG_NOSIGNAL
// but socket2 sets SO_NOSIGPIPE on every socket it opens or accepts.
#[cfg(not(any(target_vendor = "apple", target_os = "solaris", target_os = "illumos")))]
const SEND_FLAGS: libc::c_int = libc::MSG_NOSIGNAL;
#[cfg(any(target_vendor = "apple", target_os = "solaris", target_os = "illumos"))]
const SEND_FLAGS: libc::c_int = 0;

pub fn send(sock: &Socket, buf: &[u8], wait: bool) -> io::Result<usize> {
    let flags = if wait { 0 } else { libc::MSG_DONTWAIT };
    // SAFETY: `buf` is a live byte slice of `buf.len()` readable bytes for
    // the whole call (send only reads it), and the descriptor is owned by
    // `sock`.
    counted(unsafe {
        libc::send(
            sock.as_raw_fd(),
            buf.as_ptr().cast(),
            buf.len(),
            SEND_FLAGS | flags,
        )
    })
}

/// A `send` / `recv` result: the byte count, or the error its -1 means.
#[inline]
fn counted(n: libc::ssize_t) -> io::Result<usize> {
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(n as usize)
}

pub fn recv(sock: &Socket, buf: &mut [u8], wait: bool) -> io::Result<usize> {
    let flags = if wait { 0 } else { libc::MSG_DONTWAIT };
    recv_flags(sock, buf, flags)
}

pub fn recv_uninit(sock: &Socket, buf: &mut [MaybeUninit<u8>], wait: bool) -> io::Result<usize> {
    let flags = if wait { 0 } else { libc::MSG_DONTWAIT };
    // SAFETY: `buf` is live, writable memory of `buf.len()` bytes for the
    // whole call (recv only writes into it; `MaybeUninit<u8>` has the
    // layout of `u8`), and the descriptor is owned by `sock`.
    counted(unsafe { libc::recv(sock.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), flags) })
}

/// A waiting receive that fills all of `buf` in one call where it can
/// (MSG_WAITALL: it still returns early on the end of the stream, an
/// error or a signal, with what it has).
pub fn recv_all(sock: &Socket, buf: &mut [u8]) -> io::Result<usize> {
    recv_flags(sock, buf, libc::MSG_WAITALL)
}

pub fn peek(sock: &Socket, buf: &mut [u8]) -> io::Result<usize> {
    recv_flags(sock, buf, libc::MSG_PEEK | libc::MSG_DONTWAIT)
}

fn recv_flags(sock: &Socket, buf: &mut [u8], flags: libc::c_int) -> io::Result<usize> {
    // SAFETY: `buf` is a live, writable byte slice of `buf.len()` bytes for
    // the whole call, and the descriptor is owned by `sock`.
    counted(unsafe { libc::recv(sock.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), flags) })
}

/// Clears O_NONBLOCK (one FIONBIO call): waits in `send` / `recv` then
/// happen in the kernel; every call that must not wait passes
/// `MSG_DONTWAIT`.
pub fn set_kernel_blocking(sock: &Socket) -> bool {
    let mut off: libc::c_int = 0;
    // SAFETY: FIONBIO reads one c_int through the pointer, which points to
    // a live local; the descriptor is owned by `sock`.
    unsafe { libc::ioctl(sock.as_raw_fd(), libc::FIONBIO as _, &mut off) == 0 }
}

/// An accepted socket, made ready to wait in the kernel: on Linux (and the
/// other systems with accept4) it is blocking already; elsewhere it may
/// have inherited the listener's O_NONBLOCK.
pub fn prepare_accepted(sock: &Socket) -> io::Result<()> {
    #[cfg(not(any(
        target_os = "android",
        target_os = "dragonfly",
        target_os = "freebsd",
        target_os = "illumos",
        target_os = "linux",
        target_os = "netbsd",
        target_os = "openbsd"
    )))]
    if !set_kernel_blocking(sock) {
        return Err(io::Error::last_os_error());
    }
    let _ = sock;
    Ok(())
}

/// Whether a socket from `accept` waits in the kernel: always here.
pub fn accepted_waits_in_kernel(_sock: &Socket) -> bool {
    true
}

#[cfg(any(target_os = "linux", target_os = "android"))]
const RDHUP: libc::c_short = libc::POLLRDHUP;
#[cfg(not(any(target_os = "linux", target_os = "android")))]
const RDHUP: libc::c_short = 0;

pub fn poll_once(sock: &Socket, what: PollType, timeout_ms: i32) -> io::Result<Ready> {
    // The far side's FIN counts as a hangup for the look of `poll` (InOut)
    // only: a waiting write must not wake up for it.
    let events = match what {
        PollType::In => libc::POLLIN,
        PollType::Out => libc::POLLOUT,
        PollType::InOut => libc::POLLIN | libc::POLLOUT | RDHUP,
    };
    let mut pfd = libc::pollfd {
        fd: sock.as_raw_fd(),
        events,
        revents: 0,
    };
    // SAFETY: `pfd` is a valid, initialised pollfd that lives across the
    // call, and we pass a count of exactly one entry.
    let n = unsafe { libc::poll(&mut pfd, 1, timeout_ms) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    let r = pfd.revents;
    Ok(Ready {
        readable: r & libc::POLLIN != 0,
        writable: r & libc::POLLOUT != 0,
        error: r & (libc::POLLERR | libc::POLLNVAL) != 0,
        hangup: r & (libc::POLLHUP | RDHUP) != 0,
    })
}

pub fn available(sock: &Socket) -> io::Result<usize> {
    let mut n: libc::c_int = 0;
    // SAFETY: FIONREAD writes one c_int through the pointer, which points
    // to a live local of that type; the descriptor is owned by `sock`.
    let r = unsafe { libc::ioctl(sock.as_raw_fd(), libc::FIONREAD as _, &mut n) };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(usize::try_from(n).unwrap_or(0))
}

pub fn set_listener_reuse(sock: &Socket) -> io::Result<()> {
    sock.set_reuse_address(true)
}

/// A non-blocking connect that has not finished yet.
pub fn in_progress(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::EINPROGRESS) | Some(libc::EALREADY) | Some(libc::EINTR)
    ) || e.kind() == io::ErrorKind::WouldBlock
}

/// A repeated connect on a socket that is already connected.
pub fn already_connected(e: &io::Error) -> bool {
    e.raw_os_error() == Some(libc::EISCONN)
}

/// The system has no sockets of this address family.
pub fn family_unsupported(e: &io::Error) -> bool {
    e.raw_os_error() == Some(libc::EAFNOSUPPORT)
}

/// One `poll(2)` over several sockets: each one's readiness, in order.
pub fn poll_many(
    socks: &[(super::RawSock, super::poller::Interest)],
    timeout_ms: i32,
) -> io::Result<Vec<super::poller::Event>> {
    let mut fds: Vec<libc::pollfd> = socks
        .iter()
        .map(|&(fd, i)| libc::pollfd {
            fd,
            events: RDHUP
                | if i.read { libc::POLLIN } else { 0 }
                | if i.write { libc::POLLOUT } else { 0 },
            revents: 0,
        })
        .collect();
    // SAFETY: `fds` holds `fds.len()` valid, initialised pollfds that live
    // across the call.
    let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout_ms) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(fds
        .iter()
        .map(|p| super::poller::Event {
            token: 0,
            readable: p.revents & libc::POLLIN != 0,
            writable: p.revents & libc::POLLOUT != 0,
            error: p.revents & (libc::POLLERR | libc::POLLNVAL) != 0,
            hangup: p.revents & (libc::POLLHUP | RDHUP) != 0,
        })
        .collect())
}
