//! Poll groups: many peers and servers, one level-triggered wait.
//!
//! A [`Group`] keeps a readiness set of the OS (`sys::poller`: epoll on
//! Linux) and one slot per member. A member (a socket stream, a socket
//! server, a buffer) holds a [`Link`] to its slot and tells it when its
//! socket changes (connect, disconnect, listen, stop) and when it is ready
//! in user space (bytes read ahead, a buffer's bytes), so the group follows
//! the member, not its socket, and a wait costs O(ready members). Dropping
//! the link (freeing or removing the member) empties the slot; dropping
//! the group leaves its members alive and out of any group.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::error::{fail, Error, Failure, Result};
use super::sys::poller::{Event, Interest, Poller};
use super::sys::{Deadline, RawSock};

/// A question a group asks for a member between waits ("has the lookup
/// finished?"), from the waiting thread, without the member.
pub type Probe = Arc<dyn Fn() -> bool + Send + Sync>;

/// How often a group asks a member's probe.
pub const PROBE_EVERY: Duration = Duration::from_millis(5);

/// A member's timer: the group reports it WRITABLE ("call poll") at `at`,
/// or earlier once `probe` says so.
#[derive(Clone)]
pub struct Timer {
    pub at: Instant,
    pub probe: Option<Probe>,
}

impl std::fmt::Debug for Timer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Timer")
            .field("at", &self.at)
            .field("probe", &self.probe.is_some())
            .finish()
    }
}

impl Timer {
    /// When the group next looks at this timer.
    fn check_at(&self, now: Instant) -> Instant {
        match self.probe {
            Some(_) => self.at.min(now + PROBE_EVERY),
            None => self.at,
        }
    }
}

/// get_partial_data would give bytes now (buffered bytes count), or end of
/// stream or a reset is pending.
pub(crate) const READABLE: u32 = 1;
/// put_partial_data would take bytes now; for a connecting peer, the
/// connect attempt finished.
pub(crate) const WRITABLE: u32 = 2;
/// The far side closed its side; unread bytes may remain.
pub(crate) const HANGUP: u32 = 4;
/// A socket error is pending.
pub(crate) const ERROR: u32 = 8;
/// A server has a connection to take.
pub(crate) const ACCEPTABLE: u32 = 16;
/// Every event bit.
pub(crate) const ALL: u32 = READABLE | WRITABLE | HANGUP | ERROR | ACCEPTABLE;

/// The event bits of what the kernel reported for a socket: a server's
/// readable listener is ACCEPTABLE (and it has no HANGUP). Callers keep
/// what was asked for, plus HANGUP and ERROR.
pub(crate) fn kernel_bits(ev: &Event, server: bool) -> u32 {
    let mut bits = 0;
    if ev.readable {
        bits |= if server { ACCEPTABLE } else { READABLE };
    }
    if ev.writable {
        bits |= WRITABLE;
    }
    if ev.hangup && !server {
        bits |= HANGUP;
    }
    if ev.error {
        bits |= ERROR;
    }
    bits
}

/// What a group needs from a member.
pub trait Member {
    /// The member's link, if it is in a group.
    fn link(&self) -> Option<&Link>;
    /// Joins (`Some`) or leaves (`None`) a group.
    fn set_link(&mut self, link: Option<Link>);
    /// The member's socket now.
    fn raw_socket(&self) -> Option<RawSock>;
    /// What holds without asking the kernel (buffered bytes; a buffer's
    /// state), as event bits.
    fn user_events(&self) -> u32;
    /// A server reports ACCEPTABLE where a peer reports READABLE.
    fn is_server(&self) -> bool;
    /// More sockets to watch for the member (a connect's attempts).
    fn extra_sockets(&self) -> Vec<RawSock> {
        Vec::new()
    }
    /// When the member needs a `poll` without a socket event.
    fn timer(&self) -> Option<Timer> {
        None
    }
}

#[derive(Debug)]
struct Slot {
    user_data: usize,
    interest: u32,
    server: bool,
    sock: Option<RawSock>,
    /// More sockets reported as this member (connect attempts).
    extra: Vec<RawSock>,
    /// The member's timer and its number (see `Inner::timers`).
    timer: Option<(Timer, u64)>,
    user_events: u32,
    /// In `Inner::user` (possibly stale: checked when taken out).
    queued: bool,
    /// The wait that last reported this member.
    seen: u64,
}

impl Slot {
    fn kernel_interest(&self) -> Interest {
        if self.server {
            return Interest {
                read: true,
                write: false,
            };
        }
        Interest {
            read: self.interest & READABLE != 0,
            write: self.interest & WRITABLE != 0,
        }
    }

    fn user_ready(&self) -> u32 {
        self.user_events & self.interest
    }
}

#[derive(Debug)]
struct Inner {
    /// None once the group is freed (its descriptors are closed then, even
    /// while members still hold links).
    poller: Option<Poller>,
    slots: Vec<Option<Slot>>,
    free: Vec<usize>,
    members: usize,
    /// Members ready in user space, in turn order.
    user: VecDeque<usize>,
    /// How many slots have `user_ready() != 0`.
    user_count: usize,
    /// False once the group is freed: links then do nothing.
    alive: bool,
    waits: u64,
    scratch: Vec<Event>,
    /// Members' timers by when to look at them (stale entries are skipped:
    /// a slot's own `timer` is the truth).
    timers: BinaryHeap<Reverse<(Instant, usize, u64)>>,
    timer_seq: u64,
}

impl Inner {
    /// The readiness set; only called while the group is alive.
    fn p(&mut self) -> &mut Poller {
        self.poller.as_mut().expect("a live group has its poller")
    }

    fn slot(&mut self, token: usize) -> Option<&mut Slot> {
        self.slots.get_mut(token).and_then(Option::as_mut)
    }

    /// Records a new user-space state for `token`, keeping `user_count`
    /// and the group descriptor's wake-up in step.
    fn set_user(&mut self, token: usize, events: u32, interest: u32) {
        let Some(slot) = self.slot(token) else {
            return;
        };
        let was = slot.user_ready() != 0;
        slot.user_events = events;
        slot.interest = interest;
        let now = slot.user_ready() != 0;
        if now && !slot.queued {
            slot.queued = true;
            self.user.push_back(token);
        }
        match (was, now) {
            (false, true) => self.user_count += 1,
            (true, false) => self.user_count -= 1,
            _ => {}
        }
        let any = self.user_count > 0;
        if let Some(p) = self.poller.as_mut() {
            p.set_user_ready(any);
        }
    }

    /// Sets (or clears) a member's timer.
    fn set_timer(&mut self, token: usize, timer: Option<Timer>) {
        self.timer_seq += 1;
        let seq = self.timer_seq;
        let now = Instant::now();
        let Some(slot) = self.slot(token) else {
            return;
        };
        let at = timer.as_ref().map(|t| t.check_at(now));
        slot.timer = timer.map(|t| (t, seq));
        if let Some(at) = at {
            self.timers.push(Reverse((at, token, seq)));
        }
        self.arm_wakeup();
    }

    /// Keeps the descriptor's wake-up at the earliest timer.
    fn arm_wakeup(&mut self) {
        let left = self.timer_left();
        if let Some(p) = self.poller.as_mut() {
            p.set_wakeup(left);
        }
    }

    /// Reports members whose timers are due (WRITABLE in user space until
    /// the member says otherwise) and re-arms probes that said "not yet".
    fn fire_timers(&mut self) {
        if self.timers.is_empty() {
            return; // the common case reads no clock
        }
        let now = Instant::now();
        while let Some(&Reverse((at, token, seq))) = self.timers.peek() {
            if at > now {
                break;
            }
            self.timers.pop();
            let Some(slot) = self.slot(token) else {
                continue;
            };
            let Some((timer, _)) = slot.timer.as_ref().filter(|(_, s)| *s == seq) else {
                continue; // an older timer of this slot, or of a removed member
            };
            let due = now >= timer.at || timer.probe.as_ref().is_some_and(|p| p());
            if due {
                slot.timer = None;
                let (events, interest) = (slot.user_events | WRITABLE, slot.interest);
                self.set_user(token, events, interest);
            } else {
                let next = timer.check_at(now);
                self.timers.push(Reverse((next, token, seq)));
            }
        }
        self.arm_wakeup();
    }

    /// How long a kernel wait may last before a timer needs a look.
    fn timer_left(&self) -> Option<Duration> {
        self.timers
            .peek()
            .map(|Reverse((at, _, _))| at.saturating_duration_since(Instant::now()))
    }

    fn remove(&mut self, token: usize) {
        let Some(slot) = self.slots.get_mut(token).and_then(Option::take) else {
            return;
        };
        if let Some(p) = self.poller.as_mut() {
            for sock in slot.sock.iter().chain(&slot.extra) {
                let _ = p.delete(*sock, token);
            }
        }
        if slot.user_ready() != 0 {
            self.user_count -= 1;
            let any = self.user_count > 0;
            if let Some(p) = self.poller.as_mut() {
                p.set_user_ready(any);
            }
        }
        self.free.push(token);
        self.members -= 1;
    }
}

fn lock(inner: &Mutex<Inner>) -> MutexGuard<'_, Inner> {
    inner.lock().unwrap_or_else(|p| p.into_inner())
}

/// A member's place in a group. Dropping it takes the member out.
#[derive(Debug)]
pub struct Link {
    inner: Arc<Mutex<Inner>>,
    token: usize,
}

impl Link {
    /// Whether the group still exists.
    pub fn alive(&self) -> bool {
        lock(&self.inner).alive
    }

    fn of(&self, group: &Group) -> bool {
        Arc::ptr_eq(&self.inner, &group.inner)
    }

    /// The member's socket changed (None: it has none now). Call it before
    /// closing the old socket.
    pub fn socket_changed(&self, sock: Option<RawSock>) {
        let mut g = lock(&self.inner);
        if !g.alive {
            return;
        }
        let token = self.token;
        let Some(slot) = g.slot(token) else {
            return;
        };
        let old = slot.sock.take();
        slot.sock = sock;
        // A connect attempt that won becomes the socket: it is registered
        // already.
        let moved = match sock {
            Some(new) if slot.extra.contains(&new) => {
                slot.extra.retain(|s| *s != new);
                true
            }
            _ => false,
        };
        let interest = slot.kernel_interest();
        if let Some(old) = old.filter(|o| Some(*o) != sock) {
            let _ = g.p().delete(old, token);
        }
        if let Some(new) = sock.filter(|n| !moved && Some(*n) != old) {
            // A failure here leaves the member unable to report; it cannot
            // happen for a socket the library opened.
            let _ = g.p().add(new, token, interest);
        }
    }

    /// The member's extra sockets (a connect's attempts) are now `socks`.
    pub fn extra_changed(&self, socks: &[RawSock]) {
        let mut g = lock(&self.inner);
        if !g.alive {
            return;
        }
        let token = self.token;
        let Some(slot) = g.slot(token) else {
            return;
        };
        if slot.extra == socks {
            return;
        }
        let primary = slot.sock;
        let socks: Vec<RawSock> = socks
            .iter()
            .copied()
            .filter(|s| Some(*s) != primary)
            .collect();
        let old = std::mem::replace(&mut slot.extra, socks.clone());
        let interest = slot.kernel_interest();
        for sock in old.iter().filter(|s| !socks.contains(s)) {
            let _ = g.p().delete(*sock, token);
        }
        for sock in socks.iter().filter(|s| !old.contains(s)) {
            let _ = g.p().add(*sock, token, interest);
        }
    }

    /// Sets (or clears) the member's timer.
    pub fn set_timer(&self, timer: Option<Timer>) {
        let mut g = lock(&self.inner);
        if g.alive {
            g.set_timer(self.token, timer);
        }
    }

    /// The member's user-space readiness changed.
    pub fn user_events_changed(&self, events: u32) {
        let mut g = lock(&self.inner);
        if !g.alive {
            return;
        }
        let token = self.token;
        if let Some(interest) = g.slot(token).map(|s| s.interest) {
            g.set_user(token, events, interest);
        }
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        let mut g = lock(&self.inner);
        if g.alive {
            g.remove(self.token);
        }
    }
}

/// A poll group.
#[derive(Debug)]
pub struct Group {
    inner: Arc<Mutex<Inner>>,
}

impl Group {
    pub fn new() -> Result<Group> {
        let poller = Poller::new().map_err(|e| {
            Failure::new(
                Error::ERR_CANT_CREATE,
                format!("group_new: can't make a readiness set: {e}"),
            )
        })?;
        Ok(Group {
            inner: Arc::new(Mutex::new(Inner {
                poller: Some(poller),
                slots: Vec::new(),
                free: Vec::new(),
                members: 0,
                user: VecDeque::new(),
                user_count: 0,
                alive: true,
                waits: 0,
                scratch: Vec::new(),
                timers: BinaryHeap::new(),
                timer_seq: 0,
            })),
        })
    }

    /// Adds `member` with `interest` (event bits; servers always wait for
    /// connections) and `user_data`. A member of any group is refused.
    pub fn add(&self, member: &mut dyn Member, interest: u32, user_data: usize) -> Result<()> {
        if member.link().is_some_and(Link::alive) {
            let here = member.link().is_some_and(|l| l.of(self));
            return fail(
                Error::ERR_ALREADY_IN_USE,
                if here {
                    "group_add: already a member of this group"
                } else {
                    "group_add: already a member of another group (remove it there first)"
                },
            );
        }
        let server = member.is_server();
        let interest = if server { ACCEPTABLE } else { interest & ALL };
        let mut g = lock(&self.inner);
        let token = match g.free.pop() {
            Some(t) => t,
            None => {
                g.slots.push(None);
                g.slots.len() - 1
            }
        };
        let slot = Slot {
            user_data,
            interest,
            server,
            sock: member.raw_socket(),
            extra: member.extra_sockets(),
            timer: None,
            user_events: 0,
            queued: false,
            seen: 0,
        };
        let socks: Vec<RawSock> = slot.sock.iter().chain(&slot.extra).copied().collect();
        for (i, sock) in socks.iter().enumerate() {
            if let Err(e) = g.p().add(*sock, token, slot.kernel_interest()) {
                for added in &socks[..i] {
                    let _ = g.p().delete(*added, token);
                }
                g.free.push(token);
                return fail(Error::FAILED, format!("group_add: {e}"));
            }
        }
        g.slots[token] = Some(slot);
        g.members += 1;
        g.set_user(token, member.user_events(), interest);
        g.set_timer(token, member.timer());
        drop(g);
        member.set_link(Some(Link {
            inner: Arc::clone(&self.inner),
            token,
        }));
        Ok(())
    }

    fn token_of(&self, member: &dyn Member, what: &str) -> Result<usize> {
        match member.link() {
            Some(l) if l.of(self) => Ok(l.token),
            _ => fail(
                Error::ERR_DOES_NOT_EXIST,
                format!("{what}: not a member of this group"),
            ),
        }
    }

    /// Takes `member` out (it stays alive).
    pub fn remove(&self, member: &mut dyn Member) -> Result<()> {
        self.token_of(member, "group_remove")?;
        member.set_link(None);
        Ok(())
    }

    /// Changes a peer's interest.
    pub fn set_interest(&self, member: &mut dyn Member, interest: u32) -> Result<()> {
        let token = self.token_of(member, "group_set_interest")?;
        let mut g = lock(&self.inner);
        let Some(slot) = g.slot(token) else {
            return fail(
                Error::ERR_DOES_NOT_EXIST,
                "group_set_interest: not a member",
            );
        };
        if slot.server {
            return Ok(());
        }
        let interest = interest & ALL;
        let socks: Vec<RawSock> = slot.sock.iter().chain(&slot.extra).copied().collect();
        let events = slot.user_events;
        // set_user records the new interest; it must see the old one first
        // to keep the count of members ready in user space right.
        g.set_user(token, events, interest);
        if let Some(kernel) = g.slot(token).map(|s| s.kernel_interest()) {
            for sock in socks {
                let _ = g.p().modify(sock, token, kernel);
            }
        }
        Ok(())
    }

    pub fn size(&self) -> usize {
        lock(&self.inner).members
    }

    /// The descriptor an outer event loop can wait on (epoll), if any.
    pub fn fd(&self) -> Option<i64> {
        lock(&self.inner).poller.as_ref().and_then(Poller::fd)
    }

    /// Waits until a member is ready or `timeout` passes (None: no limit);
    /// appends up to `cap` `(user_data, events)` pairs to `out`, one per
    /// member, every bit that holds. Members ready in user space and those
    /// the kernel reports take turns going first, and each kind rotates, so
    /// no member starves when more are ready than `cap`.
    pub fn wait<R: Ready>(&self, timeout: Option<Duration>, cap: usize, out: &mut R) -> Result<()> {
        if cap == 0 {
            // With no room for events, wait all the same (nothing is
            // consumed: the group is level-triggered) and report nothing.
            return self.wait(timeout, 1, &mut Vec::<(usize, u32)>::new());
        }
        let deadline = Deadline::of(timeout);
        let mut g = lock(&self.inner);
        let start = out.count();
        // Members' timers end kernel waits early; a wait that ends only for
        // a timer that did not fire (a probe said "not yet") goes on.
        loop {
            g.fire_timers();
            let left = deadline.left();
            let limit = match (left, g.timer_left()) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let seen = g.wait_once(limit, cap, out)?;
            if out.count() > start || seen > 0 || deadline.passed() {
                return Ok(());
            }
        }
    }
}

impl Inner {
    /// One pass: user-space readiness and one kernel wait of up to
    /// `timeout`. Returns how many kernel events came.
    fn wait_once<R: Ready>(
        &mut self,
        timeout: Option<Duration>,
        cap: usize,
        out: &mut R,
    ) -> Result<usize> {
        let g = self;
        g.waits += 1;
        let wait_id = g.waits;
        let user_first = wait_id % 2 == 0;
        let start = out.count();
        if user_first {
            take_user(g, wait_id, cap, out);
        }
        let room = cap - (out.count() - start);
        let mut seen = 0;
        if room > 0 {
            let timeout = if g.user_count > 0 || out.count() > start {
                Some(Duration::ZERO)
            } else {
                timeout
            };
            let mut events = std::mem::take(&mut g.scratch);
            events.clear();
            let r = g.p().wait(&mut events, room, timeout);
            for ev in &events {
                let Some(slot) = g.slot(ev.token) else {
                    continue;
                };
                let bits = kernel_bits(ev, slot.server) & (slot.interest | HANGUP | ERROR)
                    | slot.user_ready();
                if bits != 0 && slot.seen != wait_id {
                    slot.seen = wait_id;
                    out.push(slot.user_data, bits);
                }
            }
            seen = events.len();
            g.scratch = events;
            r.map_err(|e| Failure::new(Error::FAILED, format!("group_wait: {e}")))?;
        }
        if !user_first {
            let room = cap - (out.count() - start);
            take_user(g, wait_id, room, out);
        }
        Ok(seen)
    }
}

/// Reports up to `room` members ready in user space, rotating the queue.
fn take_user<R: Ready>(g: &mut Inner, wait_id: u64, room: usize, out: &mut R) {
    let mut reported = 0;
    let mut looked = 0;
    let queued = g.user.len();
    while reported < room && looked < queued {
        let Some(token) = g.user.pop_front() else {
            break;
        };
        looked += 1;
        let Some(slot) = g.slots.get_mut(token).and_then(Option::as_mut) else {
            continue; // removed since
        };
        let bits = slot.user_ready();
        if bits == 0 {
            slot.queued = false;
            continue;
        }
        if slot.seen != wait_id {
            slot.seen = wait_id;
            out.push(slot.user_data, bits);
            reported += 1;
        }
        g.user.push_back(token);
    }
}

/// Where [`Group::wait`] puts the members that are ready: their
/// `user_data` and event bits, in order.
pub trait Ready {
    /// How many are there so far.
    fn count(&self) -> usize;
    fn push(&mut self, user_data: usize, bits: u32);
}

impl Ready for Vec<(usize, u32)> {
    fn count(&self) -> usize {
        self.len()
    }

    fn push(&mut self, user_data: usize, bits: u32) {
        Vec::push(self, (user_data, bits));
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        let mut g = lock(&self.inner);
        g.alive = false;
        g.poller = None;
        g.slots.clear();
        g.user.clear();
        g.members = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Instant;

    /// A member with no socket and a timer.
    struct Timed {
        link: Option<Link>,
        timer: Option<Timer>,
    }

    impl Member for Timed {
        fn link(&self) -> Option<&Link> {
            self.link.as_ref()
        }
        fn set_link(&mut self, link: Option<Link>) {
            self.link = link;
        }
        fn raw_socket(&self) -> Option<RawSock> {
            None
        }
        fn user_events(&self) -> u32 {
            0
        }
        fn is_server(&self) -> bool {
            false
        }
        fn timer(&self) -> Option<Timer> {
            self.timer.clone()
        }
    }

    fn wait(g: &Group, ms: u64) -> Vec<(usize, u32)> {
        let mut out = Vec::new();
        g.wait(Some(Duration::from_millis(ms)), 8, &mut out)
            .unwrap();
        out
    }

    #[test]
    fn timers_wake_a_wait_and_probes_are_asked_without_waking_it() {
        let g = Group::new().unwrap();
        let start = Instant::now();
        let mut m = Timed {
            link: None,
            timer: Some(Timer {
                at: start + Duration::from_millis(40),
                probe: None,
            }),
        };
        g.add(&mut m, WRITABLE, 7).unwrap();
        // The wait ends at the timer, not at its own 5 s limit.
        assert_eq!(wait(&g, 5000), [(7, WRITABLE)]);
        let took = start.elapsed();
        assert!(took >= Duration::from_millis(39), "{took:?}");
        assert!(took < Duration::from_secs(4), "{took:?}");
        // It stays reported (level-triggered) until the member says.
        assert_eq!(wait(&g, 0), [(7, WRITABLE)]);
        m.link.as_ref().unwrap().user_events_changed(0);
        assert!(wait(&g, 20).is_empty());

        // A probe that turns true wakes the wait long before the timer;
        // while it says "not yet", the wait does not return.
        let flag = Arc::new(AtomicBool::new(false));
        let f = Arc::clone(&flag);
        let probe: Probe = Arc::new(move || f.load(Ordering::Acquire));
        m.link.as_ref().unwrap().set_timer(Some(Timer {
            at: Instant::now() + Duration::from_secs(60),
            probe: Some(probe),
        }));
        let setter = std::thread::spawn({
            let flag = Arc::clone(&flag);
            move || {
                std::thread::sleep(Duration::from_millis(60));
                flag.store(true, Ordering::Release);
            }
        });
        let start = Instant::now();
        assert_eq!(wait(&g, 10_000), [(7, WRITABLE)]);
        assert!(start.elapsed() >= Duration::from_millis(55));
        setter.join().unwrap();
        m.link.as_ref().unwrap().user_events_changed(0);
        // A cleared timer never fires; without interest in WRITABLE a due
        // timer is not reported either.
        m.link.as_ref().unwrap().set_timer(None);
        assert!(wait(&g, 30).is_empty());
        g.set_interest(&mut m, READABLE).unwrap();
        m.link.as_ref().unwrap().set_timer(Some(Timer {
            at: Instant::now(),
            probe: None,
        }));
        assert!(wait(&g, 30).is_empty());
    }

    /// An outer loop that waits on the group's descriptor wakes up when a
    /// member's timer is due (Linux: the epoll set holds a timerfd).
    #[cfg(target_os = "linux")]
    #[test]
    fn the_group_descriptor_wakes_for_timers() {
        use super::super::sys::{poller::Interest, wait_many};
        let g = Group::new().unwrap();
        let fd = g.fd().unwrap() as RawSock;
        let readable = |ms: u64| {
            let ev = wait_many(
                &[(
                    fd,
                    Interest {
                        read: true,
                        write: false,
                    },
                )],
                Some(Duration::from_millis(ms)),
            )
            .unwrap();
            ev[0].readable
        };
        let mut m = Timed {
            link: None,
            timer: None,
        };
        g.add(&mut m, WRITABLE, 1).unwrap();
        assert!(!readable(20));
        let start = Instant::now();
        m.link.as_ref().unwrap().set_timer(Some(Timer {
            at: start + Duration::from_millis(50),
            probe: None,
        }));
        assert!(readable(5000));
        let took = start.elapsed();
        assert!(took >= Duration::from_millis(45), "{took:?}");
        assert!(took < Duration::from_secs(4), "{took:?}");
        // The outer loop's non-waiting group wait then reports it.
        assert_eq!(wait(&g, 0), [(1, WRITABLE)]);
        m.link.as_ref().unwrap().user_events_changed(0);
        m.link.as_ref().unwrap().set_timer(None);
        assert!(wait(&g, 0).is_empty());
        assert!(!readable(20));
    }
}
