//! Connecting to a name: the lookup (on a resolver thread when the peer
//! asked for async connects) and the connect attempts to its addresses.
//!
//! Two ways to try the addresses:
//! * one at a time (the default, Godot's way plus a fallback): the first
//!   address the resolver gave, and when an attempt fails, the next;
//! * Happy Eyeballs (RFC 8305, with async connects): the addresses are
//!   ordered to alternate families, starting with the first address's;
//!   a new attempt starts every `delay` while earlier ones are still
//!   pending, and at once when one fails; the first to connect wins and
//!   the others are closed.
//!
//! One deadline, the peer's connect timeout, covers the lookup and every
//! attempt. [`Connector::step`] never blocks: `SocketStream::poll` calls
//! it while the peer is CONNECTING.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use super::address::display_endpoint;
use super::endpoint::Endpoint;
use super::error::{Error, Failure};
use super::resolver::Lookup;
use super::sys::{self, Domain, Keepalive, Progress, SockAddr, Socket};

/// The Happy Eyeballs attempt delay RFC 8305 recommends (and our default).
pub const DEFAULT_ATTEMPT_DELAY: Duration = Duration::from_millis(250);

/// The settings a connect runs with, read when it starts.
#[derive(Debug)]
pub struct Plan {
    /// Happy Eyeballs (several attempts at once) instead of one at a time.
    pub parallel: bool,
    pub delay: Duration,
    pub timeout: Duration,
    pub keepalive: Option<Keepalive>,
    /// TCP_NODELAY asked for while connecting (applied to every attempt).
    pub no_delay: Option<bool>,
    /// A local address from `bind`: every attempt binds to it (and they go
    /// one at a time, since they would share a port).
    pub bound: Option<Bound>,
}

/// The local address of a bound peer, and its bound socket until the first
/// attempt uses it.
#[derive(Debug)]
pub struct Bound {
    pub sock: Option<Socket>,
    pub local: SocketAddr,
    pub family: (Domain, bool),
}

/// What a step gives.
#[derive(Debug)]
pub enum Step {
    Pending,
    Connected { sock: Socket, remote: SocketAddr },
    Failed(Failure),
}

#[derive(Debug)]
struct Attempt {
    sock: Socket,
    target: SockAddr,
    remote: SocketAddr,
    shown: Endpoint,
}

/// A connect to a name in progress.
#[derive(Debug)]
pub struct Connector {
    host: String,
    port: u16,
    plan: Plan,
    lookup: Option<Lookup>,
    /// Addresses not tried yet, in the order they will be.
    queue: VecDeque<IpAddr>,
    attempts: Vec<Attempt>,
    /// When the next attempt may start while others are pending.
    next_at: Instant,
    /// When the connect started (a time already past, for "now").
    started: Instant,
    deadline: Instant,
    tried: usize,
    /// Why attempts failed, for the final message.
    failures: String,
}

impl Connector {
    /// A connect whose addresses come from `lookup`.
    pub fn resolving(host: &str, port: u16, lookup: Lookup, plan: Plan) -> Connector {
        Connector::new(host, port, Some(lookup), Vec::new(), plan)
    }

    /// A connect to addresses known already (a cached or blocking lookup).
    pub fn to_addresses(host: &str, port: u16, ips: Vec<IpAddr>, plan: Plan) -> Connector {
        Connector::new(host, port, None, ips, plan)
    }

    fn new(host: &str, port: u16, lookup: Option<Lookup>, ips: Vec<IpAddr>, plan: Plan) -> Self {
        let now = Instant::now();
        let mut c = Connector {
            host: host.to_string(),
            port,
            deadline: now + plan.timeout,
            plan,
            lookup,
            queue: VecDeque::new(),
            attempts: Vec::new(),
            next_at: now,
            started: now,
            tried: 0,
            failures: String::new(),
        };
        c.set_addresses(ips);
        c
    }

    fn set_addresses(&mut self, ips: Vec<IpAddr>) {
        let ips: Vec<IpAddr> = match &self.plan.bound {
            Some(b) => ips
                .into_iter()
                .filter(|ip| {
                    sys::target_for(b.family.0, b.family.1, SocketAddr::new(*ip, 1)).is_some()
                })
                .collect(),
            None => ips,
        };
        self.queue = if self.plan.parallel {
            interleave(ips)
        } else {
            ips.into()
        };
    }

    /// Whether the attempts may overlap.
    fn parallel(&self) -> bool {
        self.plan.parallel && self.plan.bound.is_none()
    }

    /// The lookup still running, if any.
    pub fn lookup(&self) -> Option<&Lookup> {
        self.lookup.as_ref()
    }

    /// The sockets of the attempts in progress.
    pub fn sockets(&self) -> impl Iterator<Item = &Socket> {
        self.attempts.iter().map(|a| &a.sock)
    }

    /// The socket calls such as `get_local_port` see: the oldest attempt.
    pub fn primary(&self) -> Option<&Socket> {
        self.attempts.first().map(|a| &a.sock)
    }

    /// The remote end shown while connecting: the address being tried when
    /// they go one at a time (as Godot shows the address given to
    /// connect); none with Happy Eyeballs until one wins.
    pub fn shown_remote(&self) -> Option<&Endpoint> {
        if self.plan.parallel {
            return None;
        }
        self.attempts.first().map(|a| &a.shown)
    }

    /// When `step` has something to do without a socket event: the next
    /// attempt is due, or the deadline. None while a lookup runs (its end
    /// is the event) and the deadline is far.
    pub fn next_event(&self) -> Instant {
        let can_start = !self.queue.is_empty()
            && self.lookup.is_none()
            && (self.attempts.is_empty() || self.parallel());
        if can_start {
            let at = if self.attempts.is_empty() {
                self.started
            } else {
                self.next_at
            };
            return at.min(self.deadline);
        }
        self.deadline
    }

    /// Whether `step` would make progress now without a socket event (the
    /// lookup finished, an attempt or the deadline is due).
    pub fn due(&self) -> bool {
        self.lookup.as_ref().is_some_and(Lookup::is_done) || Instant::now() >= self.next_event()
    }

    /// Sets TCP_NODELAY on every attempt now and on later ones.
    pub fn set_no_delay(&mut self, on: bool) -> io::Result<()> {
        self.plan.no_delay = Some(on);
        for a in &self.attempts {
            a.sock.set_tcp_nodelay(on)?;
        }
        Ok(())
    }

    /// Applies keepalive to every attempt now and to later ones.
    pub fn set_keepalive(&mut self, ka: Keepalive) -> io::Result<()> {
        self.plan.keepalive = Some(ka);
        for a in &self.attempts {
            sys::set_keepalive(&a.sock, &ka)?;
        }
        Ok(())
    }

    fn what(&self) -> String {
        format!("connect to '{}' port {}", self.host, self.port)
    }

    fn timed_out(&self) -> Failure {
        let ms = self.plan.timeout.as_millis();
        let during = if self.lookup.is_some() {
            "while resolving the name".to_string()
        } else {
            format!("after {} attempt(s){}", self.tried, self.failures)
        };
        Failure::new(
            Error::ERR_CONNECTION_ERROR,
            format!("{}: timed out after {ms} ms {during}", self.what()),
        )
    }

    fn note_failure(&mut self, remote: SocketAddr, e: &io::Error) {
        let _ = write!(self.failures, "; {}: {e}", display_endpoint(remote));
    }

    /// Moves the connect on without waiting.
    pub fn step(&mut self) -> Step {
        if let Some(lookup) = &self.lookup {
            match lookup.take() {
                None if Instant::now() >= self.deadline => return Step::Failed(self.timed_out()),
                None => return Step::Pending,
                Some(Err(f)) => return Step::Failed(f),
                Some(Ok(ips)) => {
                    self.lookup = None;
                    self.set_addresses(ips);
                    if self.queue.is_empty() {
                        return Step::Failed(Failure::new(
                            Error::ERR_CANT_RESOLVE,
                            format!(
                                "{}: no address of '{}' can be reached from the bound socket's address family",
                                self.what(),
                                self.host
                            ),
                        ));
                    }
                }
            }
        }
        // The attempts running: the first that finished wins.
        let mut i = 0;
        while i < self.attempts.len() {
            let a = &self.attempts[i];
            match sys::connect_progress(&a.sock, &a.target) {
                Ok(Progress::Connected) => return self.win(i),
                Ok(Progress::Pending) => i += 1,
                Err(e) => {
                    let a = self.attempts.remove(i);
                    self.note_failure(a.remote, &e);
                }
            }
        }
        let now = Instant::now();
        if now >= self.deadline {
            return Step::Failed(self.timed_out());
        }
        // Start attempts: at once when none is running, else (Happy
        // Eyeballs) once the attempt delay has passed.
        while let Some(&ip) = self.queue.front() {
            let start = self.attempts.is_empty() || (self.parallel() && now >= self.next_at);
            if !start {
                break;
            }
            self.queue.pop_front();
            self.tried += 1;
            let remote = SocketAddr::new(ip, self.port);
            match self.open_attempt(remote) {
                Ok((sock, target, Progress::Connected)) => {
                    self.attempts.push(Attempt {
                        sock,
                        target,
                        remote,
                        shown: Endpoint::Ip(remote),
                    });
                    return self.win(self.attempts.len() - 1);
                }
                Ok((sock, target, Progress::Pending)) => {
                    self.attempts.push(Attempt {
                        sock,
                        target,
                        remote,
                        shown: Endpoint::Ip(remote),
                    });
                    self.next_at = now + self.plan.delay;
                }
                Err(e) => self.note_failure(remote, &e),
            }
        }
        if self.attempts.is_empty() && self.queue.is_empty() {
            return Step::Failed(Failure::new(
                Error::ERR_CONNECTION_ERROR,
                format!("{}: every address failed{}", self.what(), self.failures),
            ));
        }
        Step::Pending
    }

    fn win(&mut self, i: usize) -> Step {
        let a = self.attempts.swap_remove(i);
        // The other attempts close when the connector is dropped.
        self.attempts.clear();
        Step::Connected {
            sock: a.sock,
            remote: a.remote,
        }
    }

    /// Opens (or takes the bound) socket for `remote` and starts its
    /// connect.
    fn open_attempt(&mut self, remote: SocketAddr) -> io::Result<(Socket, SockAddr, Progress)> {
        let (sock, family) = match &mut self.plan.bound {
            Some(b) => match b.sock.take() {
                Some(s) => (s, b.family),
                None => {
                    let s = sys::open_tcp_for(b.family.0, b.family.1)?;
                    s.bind(&b.local.into())?;
                    (s, b.family)
                }
            },
            None => {
                let family = match remote.ip() {
                    IpAddr::V4(_) => (Domain::IPV4, false),
                    IpAddr::V6(_) => (Domain::IPV6, true),
                };
                (sys::open_tcp_for(family.0, family.1)?, family)
            }
        };
        if let Some(ka) = &self.plan.keepalive {
            sys::set_keepalive(&sock, ka)?;
        }
        if let Some(on) = self.plan.no_delay {
            sock.set_tcp_nodelay(on)?;
        }
        let Some(target) = sys::target_for(family.0, family.1, remote) else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "the bound socket's address family can't reach this address",
            ));
        };
        let progress = sys::connect_start(&sock, &target)?;
        Ok((sock, target, progress))
    }
}

/// RFC 8305 §4: alternate the address families, starting with the family
/// of the first address, keeping the resolver's order within a family.
pub fn interleave(ips: Vec<IpAddr>) -> VecDeque<IpAddr> {
    let Some(first) = ips.first() else {
        return VecDeque::new();
    };
    let first_v6 = first.is_ipv6();
    let (mut a, mut b): (VecDeque<IpAddr>, VecDeque<IpAddr>) =
        ips.iter().partition(|ip| ip.is_ipv6() == first_v6);
    let mut out = VecDeque::with_capacity(ips.len());
    loop {
        match (a.pop_front(), b.pop_front()) {
            (None, None) => return out,
            (x, y) => {
                out.extend(x);
                out.extend(y);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ips(list: &[&str]) -> Vec<IpAddr> {
        list.iter().map(|s| s.parse().unwrap()).collect()
    }

    #[test]
    fn families_alternate_from_the_first() {
        let got: Vec<IpAddr> =
            interleave(ips(&["::1", "::2", "::3", "10.0.0.1", "10.0.0.2"])).into();
        assert_eq!(got, ips(&["::1", "10.0.0.1", "::2", "10.0.0.2", "::3"]));
        let got: Vec<IpAddr> = interleave(ips(&["10.0.0.1", "::1", "10.0.0.2"])).into();
        assert_eq!(got, ips(&["10.0.0.1", "::1", "10.0.0.2"]));
        assert!(interleave(Vec::new()).is_empty());
    }

    fn plan(parallel: bool) -> Plan {
        Plan {
            parallel,
            delay: Duration::from_millis(50),
            timeout: Duration::from_secs(10),
            keepalive: None,
            no_delay: None,
            bound: None,
        }
    }

    fn run(c: &mut Connector) -> Step {
        let end = Instant::now() + Duration::from_secs(10);
        loop {
            match c.step() {
                Step::Pending if Instant::now() < end => {
                    std::thread::sleep(Duration::from_millis(1))
                }
                s => return s,
            }
        }
    }

    /// Holds `ip:port` bound but not listening: connects there are refused.
    fn hold_closed(ip: &str, port: u16) -> Option<Socket> {
        let s = sys::open_tcp_for(Domain::IPV4, false).ok()?;
        let addr: SocketAddr = format!("{ip}:{port}").parse().unwrap();
        s.bind(&addr.into()).ok()?;
        Some(s)
    }

    fn closed_port() -> (Socket, u16) {
        let s = hold_closed("127.0.0.1", 0).unwrap();
        let port = sys::local_port(&s).unwrap();
        (s, port)
    }

    #[test]
    fn a_refused_address_moves_on_to_the_next() {
        // A listener on 127.0.0.2:P while 127.0.0.1:P is held closed.
        let (listener, port, _closed) = (0..20)
            .find_map(|_| {
                let l = std::net::TcpListener::bind("127.0.0.2:0").ok()?;
                let port = l.local_addr().ok()?.port();
                hold_closed("127.0.0.1", port).map(|c| (l, port, c))
            })
            .expect("a port free on both addresses");
        let _listener = listener;
        for parallel in [false, true] {
            let mut c = Connector::to_addresses(
                "two",
                port,
                ips(&["127.0.0.1", "127.0.0.2"]),
                plan(parallel),
            );
            match run(&mut c) {
                Step::Connected { remote, .. } => {
                    assert_eq!(remote.ip(), "127.0.0.2".parse::<IpAddr>().unwrap())
                }
                other => panic!("{other:?}"),
            }
        }
        let (_keep, port) = closed_port();
        let mut c = Connector::to_addresses("one", port, ips(&["127.0.0.1"]), plan(true));
        match run(&mut c) {
            Step::Failed(f) => {
                assert_eq!(f.code, Error::ERR_CONNECTION_ERROR);
                assert!(f.message.contains("every address failed"), "{}", f.message);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_deadline_covers_everything() {
        let (_keep, port) = closed_port();
        let mut p = plan(true);
        p.timeout = Duration::ZERO;
        let mut c = Connector::to_addresses("x", port, ips(&["127.0.0.1"]), p);
        std::thread::sleep(Duration::from_millis(2));
        match c.step() {
            Step::Failed(f) => assert!(f.message.contains("timed out"), "{}", f.message),
            other => panic!("{other:?}"),
        }
    }
}
