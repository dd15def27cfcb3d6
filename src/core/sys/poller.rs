//! Waiting on many sockets at once: a level-triggered readiness set.
//!
//! * [`Epoll`] (Linux): an epoll set, O(ready) per wait, plus an eventfd in
//!   the set that is kept readable while some member is ready in user space
//!   (bytes the library has buffered), so the epoll descriptor alone tells
//!   an outer event loop when to call in.
//! * [`PollSet`] (everywhere else, and tested on Linux too): the members in
//!   a list, one `poll(2)` / `WSAPoll` over all of them per wait, O(members);
//!   no descriptor to hand out.
//!
//! [`Poller`] is the one this platform uses.

use std::io;
use std::time::Duration;

use super::{platform, Deadline, RawSock};

/// What a member is registered for. HANGUP and ERROR are always reported.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Interest {
    pub read: bool,
    pub write: bool,
}

/// One ready member, as the kernel sees it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Event {
    pub token: usize,
    pub readable: bool,
    pub writable: bool,
    /// A socket error is pending.
    pub error: bool,
    /// The connection is closed both ways, or the far side sent FIN.
    pub hangup: bool,
}

#[cfg(target_os = "linux")]
pub use linux::Epoll;

/// The readiness set of this platform.
#[cfg(target_os = "linux")]
pub type Poller = Epoll;
/// The readiness set of this platform.
#[cfg(not(target_os = "linux"))]
pub type Poller = PollSet;

#[cfg(target_os = "linux")]
mod linux {
    use std::io;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
    use std::time::Duration;

    use super::super::Deadline;
    use super::{Event, Interest};

    /// The token of the internal eventfd.
    const WAKE: u64 = u64::MAX;
    /// The token of the internal timerfd.
    const TIMER: u64 = u64::MAX - 1;

    /// An epoll set, its user-space readiness eventfd, and a timerfd that
    /// makes the set readable when a member's timer is due (so an outer
    /// loop waiting on the epoll descriptor sees the timers too).
    #[derive(Debug)]
    pub struct Epoll {
        epoll: OwnedFd,
        wake: OwnedFd,
        woken: bool,
        timer: OwnedFd,
        /// What the timerfd is armed for.
        armed: Option<Duration>,
        buf: Vec<libc::epoll_event>,
    }

    fn check(r: libc::c_int) -> io::Result<libc::c_int> {
        if r < 0 {
            Err(io::Error::last_os_error())
        } else {
            Ok(r)
        }
    }

    fn bits(interest: Interest) -> u32 {
        let mut e = libc::EPOLLRDHUP as u32;
        if interest.read {
            e |= libc::EPOLLIN as u32;
        }
        if interest.write {
            e |= libc::EPOLLOUT as u32;
        }
        e
    }

    impl Epoll {
        pub fn new() -> io::Result<Epoll> {
            // SAFETY: epoll_create1 takes no pointers; the result is checked
            // and then owned by an OwnedFd, closed once.
            let epoll =
                unsafe { OwnedFd::from_raw_fd(check(libc::epoll_create1(libc::EPOLL_CLOEXEC))?) };
            // SAFETY: as above, for eventfd.
            let wake = unsafe {
                OwnedFd::from_raw_fd(check(libc::eventfd(
                    0,
                    libc::EFD_CLOEXEC | libc::EFD_NONBLOCK,
                ))?)
            };
            // SAFETY: as above, for timerfd.
            let timer = unsafe {
                OwnedFd::from_raw_fd(check(libc::timerfd_create(
                    libc::CLOCK_MONOTONIC,
                    libc::TFD_CLOEXEC | libc::TFD_NONBLOCK,
                ))?)
            };
            let mut p = Epoll {
                epoll,
                wake,
                woken: false,
                timer,
                armed: None,
                buf: Vec::new(),
            };
            p.ctl(
                libc::EPOLL_CTL_ADD,
                p.wake.as_raw_fd(),
                libc::EPOLLIN as u32,
                WAKE,
            )?;
            p.ctl(
                libc::EPOLL_CTL_ADD,
                p.timer.as_raw_fd(),
                libc::EPOLLIN as u32,
                TIMER,
            )?;
            Ok(p)
        }

        fn ctl(&mut self, op: libc::c_int, fd: RawFd, events: u32, data: u64) -> io::Result<()> {
            let mut ev = libc::epoll_event { events, u64: data };
            // SAFETY: `ev` is a valid epoll_event living across the call; the
            // epoll descriptor is owned by `self`.
            check(unsafe { libc::epoll_ctl(self.epoll.as_raw_fd(), op, fd, &mut ev) })?;
            Ok(())
        }

        pub fn add(&mut self, fd: RawFd, token: usize, interest: Interest) -> io::Result<()> {
            self.ctl(libc::EPOLL_CTL_ADD, fd, bits(interest), token as u64)
        }

        pub fn modify(&mut self, fd: RawFd, token: usize, interest: Interest) -> io::Result<()> {
            self.ctl(libc::EPOLL_CTL_MOD, fd, bits(interest), token as u64)
        }

        pub fn delete(&mut self, fd: RawFd, _token: usize) -> io::Result<()> {
            self.ctl(libc::EPOLL_CTL_DEL, fd, 0, 0)
        }

        /// Keeps the epoll descriptor readable (`on`) while members are
        /// ready in user space.
        pub fn set_user_ready(&mut self, on: bool) {
            if on == self.woken {
                return;
            }
            let mut v: u64 = 1;
            let p = (&mut v as *mut u64).cast::<libc::c_void>();
            // SAFETY: eventfd reads and writes exactly 8 bytes from and to a
            // live u64; the descriptor is owned by `self`. A failure (the
            // counter is already 0 or already set) leaves the state as wanted.
            let _ = unsafe {
                if on {
                    libc::write(self.wake.as_raw_fd(), p, 8)
                } else {
                    libc::read(self.wake.as_raw_fd(), p, 8)
                }
            };
            self.woken = on;
        }

        /// Makes the set readable `after` from now (None: never), for the
        /// members' timers.
        pub fn set_wakeup(&mut self, after: Option<Duration>) {
            if after.is_none() && self.armed.is_none() {
                return;
            }
            // A zero value disarms: a due timer fires in 1 ns instead.
            let value = after.map_or(Duration::ZERO, |d| d.max(Duration::from_nanos(1)));
            let spec = libc::itimerspec {
                it_interval: libc::timespec {
                    tv_sec: 0,
                    tv_nsec: 0,
                },
                it_value: libc::timespec {
                    tv_sec: value.as_secs().min(i64::MAX as u64) as libc::time_t,
                    tv_nsec: libc::c_long::from(value.subsec_nanos() as i32),
                },
            };
            // SAFETY: `spec` is a valid itimerspec living across the call,
            // the old value is not asked for (NULL); the descriptor is owned
            // by `self`. A failure leaves the timer as it was: waits still
            // end on time (they have the timeout), only an outer loop would
            // wake later.
            let _ = unsafe {
                libc::timerfd_settime(self.timer.as_raw_fd(), 0, &spec, std::ptr::null_mut())
            };
            self.armed = after;
        }

        /// The epoll descriptor, for an outer event loop.
        pub fn fd(&self) -> Option<i64> {
            Some(i64::from(self.epoll.as_raw_fd()))
        }

        /// Waits up to `timeout` (None: no limit) for at most `max` ready
        /// members; EINTR is retried with the time left.
        pub fn wait(
            &mut self,
            out: &mut Vec<Event>,
            max: usize,
            timeout: Option<Duration>,
        ) -> io::Result<()> {
            let max = max.clamp(1, 1 << 16);
            // Two more for the eventfd and the timerfd, which are skipped.
            self.buf.clear();
            self.buf.reserve(max + 2);
            let deadline = Deadline::of(timeout);
            let n = loop {
                // SAFETY: `buf` has capacity for `max + 2` events and epoll
                // writes at most that many; the descriptor is owned by `self`.
                let r = unsafe {
                    libc::epoll_wait(
                        self.epoll.as_raw_fd(),
                        self.buf.as_mut_ptr(),
                        (max + 2) as libc::c_int,
                        deadline.ms(),
                    )
                };
                match check(r) {
                    Ok(n) => break n as usize,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            };
            // SAFETY: epoll_wait initialised the first `n` entries.
            unsafe { self.buf.set_len(n) };
            for ev in &self.buf {
                let data = ev.u64;
                if data == WAKE {
                    continue;
                }
                if data == TIMER {
                    let mut v: u64 = 0;
                    let p = (&mut v as *mut u64).cast::<libc::c_void>();
                    // SAFETY: a timerfd read writes exactly 8 bytes into a
                    // live u64; the descriptor is owned by `self`. It only
                    // clears the expiry (EAGAIN when already clear).
                    let _ = unsafe { libc::read(self.timer.as_raw_fd(), p, 8) };
                    self.armed = None;
                    continue;
                }
                let bits = ev.events as libc::c_int;
                out.push(Event {
                    token: data as usize,
                    readable: bits & libc::EPOLLIN != 0,
                    writable: bits & libc::EPOLLOUT != 0,
                    error: bits & libc::EPOLLERR != 0,
                    hangup: bits & (libc::EPOLLHUP | libc::EPOLLRDHUP) != 0,
                });
                if out.len() == max {
                    break;
                }
            }
            Ok(())
        }
    }
}

/// The portable readiness set: every member polled on each wait.
#[derive(Debug, Default)]
#[cfg_attr(target_os = "linux", allow(dead_code))]
pub struct PollSet {
    members: Vec<(RawSock, usize, Interest)>,
    /// Where the next wait starts reporting, so that no member starves
    /// when more are ready than asked for.
    start: usize,
    user_ready: bool,
}

#[cfg_attr(target_os = "linux", allow(dead_code))]
impl PollSet {
    pub fn new() -> io::Result<PollSet> {
        Ok(PollSet::default())
    }

    pub fn add(&mut self, sock: RawSock, token: usize, interest: Interest) -> io::Result<()> {
        self.members.push((sock, token, interest));
        Ok(())
    }

    pub fn modify(&mut self, sock: RawSock, token: usize, interest: Interest) -> io::Result<()> {
        match self
            .members
            .iter_mut()
            .find(|m| m.0 == sock && m.1 == token)
        {
            Some(m) => {
                m.2 = interest;
                Ok(())
            }
            None => Err(io::Error::from(io::ErrorKind::NotFound)),
        }
    }

    pub fn delete(&mut self, sock: RawSock, token: usize) -> io::Result<()> {
        match self
            .members
            .iter()
            .position(|m| m.0 == sock && m.1 == token)
        {
            Some(i) => {
                self.members.swap_remove(i);
                Ok(())
            }
            None => Err(io::Error::from(io::ErrorKind::NotFound)),
        }
    }

    /// With members ready in user space a wait does not block.
    /// No descriptor here: the group's waits have the timers' time limit.
    pub fn set_wakeup(&mut self, _after: Option<Duration>) {}

    pub fn set_user_ready(&mut self, on: bool) {
        self.user_ready = on;
    }

    pub fn fd(&self) -> Option<i64> {
        None
    }

    pub fn wait(
        &mut self,
        out: &mut Vec<Event>,
        max: usize,
        timeout: Option<Duration>,
    ) -> io::Result<()> {
        let timeout = if self.user_ready {
            Some(Duration::ZERO)
        } else {
            timeout
        };
        let deadline = Deadline::of(timeout);
        let wants: Vec<(RawSock, Interest)> = self.members.iter().map(|m| (m.0, m.2)).collect();
        let ready = loop {
            match platform::poll_many(&wants, deadline.ms()) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                r => break r?,
            }
        };
        let n = self.members.len();
        let mut reported = 0;
        for k in 0..n {
            let i = (self.start + k) % n;
            let r = ready[i];
            if r.readable || r.writable || r.error || r.hangup {
                out.push(Event {
                    token: self.members[i].1,
                    ..r
                });
                reported += 1;
                if reported == max {
                    self.start = (i + 1) % n;
                    return Ok(());
                }
            }
        }
        Ok(())
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::io::Write;
    use std::os::fd::AsRawFd;
    use std::os::unix::net::UnixStream;
    use std::time::Instant;

    fn exercise<P>(
        mut p: P,
        add: fn(&mut P, RawSock, usize, Interest) -> io::Result<()>,
        wait: fn(&mut P, &mut Vec<Event>, usize, Option<Duration>) -> io::Result<()>,
        delete: fn(&mut P, RawSock, usize) -> io::Result<()>,
    ) {
        let (mut a, b) = UnixStream::pair().unwrap();
        let (c, _d) = UnixStream::pair().unwrap();
        let read = Interest {
            read: true,
            write: false,
        };
        add(&mut p, b.as_raw_fd(), 1, read).unwrap();
        add(&mut p, c.as_raw_fd(), 2, read).unwrap();
        let mut out = Vec::new();
        let start = Instant::now();
        wait(&mut p, &mut out, 8, Some(Duration::from_millis(30))).unwrap();
        assert!(out.is_empty(), "{out:?}");
        assert!(start.elapsed() >= Duration::from_millis(25));
        a.write_all(b"x").unwrap();
        for _ in 0..3 {
            // Level-triggered: reported until read.
            out.clear();
            wait(&mut p, &mut out, 8, Some(Duration::from_secs(5))).unwrap();
            assert_eq!(out.len(), 1);
            assert!(out[0].token == 1 && out[0].readable && !out[0].hangup);
        }
        drop(a);
        out.clear();
        wait(&mut p, &mut out, 8, Some(Duration::from_secs(5))).unwrap();
        assert!(out[0].token == 1 && out[0].hangup, "{out:?}");
        delete(&mut p, b.as_raw_fd(), 1).unwrap();
        out.clear();
        wait(&mut p, &mut out, 8, Some(Duration::ZERO)).unwrap();
        assert!(out.is_empty());
    }

    #[test]
    fn poll_set_is_level_triggered() {
        exercise(
            PollSet::new().unwrap(),
            PollSet::add,
            PollSet::wait,
            PollSet::delete,
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn epoll_is_level_triggered() {
        exercise(
            Epoll::new().unwrap(),
            Epoll::add,
            Epoll::wait,
            Epoll::delete,
        );
    }

    #[test]
    fn poll_set_reports_every_member_in_turn() {
        let pairs: Vec<_> = (0..5).map(|_| UnixStream::pair().unwrap()).collect();
        let mut p = PollSet::new().unwrap();
        for (i, (a, b)) in pairs.iter().enumerate() {
            (&*a).write_all(b"x").unwrap();
            p.add(
                b.as_raw_fd(),
                i,
                Interest {
                    read: true,
                    write: false,
                },
            )
            .unwrap();
        }
        let mut seen = std::collections::HashSet::new();
        for _ in 0..3 {
            let mut out = Vec::new();
            p.wait(&mut out, 2, Some(Duration::ZERO)).unwrap();
            assert_eq!(out.len(), 2);
            seen.extend(out.iter().map(|e| e.token));
        }
        assert_eq!(seen.len(), 5, "{seen:?}");
    }
}
