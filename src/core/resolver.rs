//! Name lookups off the caller's thread, for `sptcp_set_async_connect`.
//!
//! A small pool of threads shared by every peer: at most [`MAX_THREADS`]
//! run `getaddrinfo` at once, more lookups wait in a queue, and a thread
//! with nothing to do for [`IDLE_EXIT`] exits (a program that stops
//! connecting ends up with no resolver threads). A peer holds a [`Lookup`];
//! dropping it (disconnect, free) never waits for the thread: a lookup not
//! yet started is skipped, one running finishes and its answer is dropped.

use std::collections::VecDeque;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::address;
use super::error::{Error, Failure, Result};

/// Lookups run at once, at most.
pub const MAX_THREADS: usize = 4;
/// An idle resolver thread exits after this long.
pub const IDLE_EXIT: Duration = Duration::from_secs(2);

/// What a lookup gives: the addresses in the resolver's order, or the
/// failure `ERR_CANT_RESOLVE`.
type Answer = Result<Vec<IpAddr>>;

#[derive(Debug, Default)]
struct JobState {
    answer: Option<Answer>,
    /// The peer dropped its lookup: skip it if not started.
    cancelled: bool,
}

#[derive(Debug, Default)]
struct Job {
    host: String,
    state: Mutex<JobState>,
    done: Condvar,
    /// Set with the answer, for waiters that must not lock (groups).
    answered: Arc<AtomicBool>,
}

/// A lookup in flight, owned by one peer.
#[derive(Debug)]
pub struct Lookup {
    job: Arc<Job>,
}

impl Lookup {
    /// Queues a lookup of `host` (a name, not an IP literal). Fails only
    /// when no resolver thread exists and none can be started.
    pub fn start(host: &str) -> Result<Lookup> {
        let job = Arc::new(Job {
            host: host.to_string(),
            ..Job::default()
        });
        submit(Arc::clone(&job))?;
        Ok(Lookup { job })
    }

    /// The answer, once there is one (taken: later calls give None).
    pub fn take(&self) -> Option<Answer> {
        lock(&self.job.state).answer.take()
    }

    /// A flag that turns true when the answer comes.
    pub fn done_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.job.answered)
    }

    /// Whether the answer is there (not taken yet).
    pub fn is_done(&self) -> bool {
        lock(&self.job.state).answer.is_some()
    }

    /// Waits up to `timeout` (None: no limit) for the answer to be there;
    /// returns whether it is.
    pub fn wait(&self, timeout: Option<Duration>) -> bool {
        let deadline = timeout.map(|t| Instant::now() + t);
        let mut st = lock(&self.job.state);
        while st.answer.is_none() {
            match deadline {
                None => st = self.job.done.wait(st).unwrap_or_else(|p| p.into_inner()),
                Some(d) => {
                    let left = d.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return false;
                    }
                    st = self
                        .job
                        .done
                        .wait_timeout(st, left)
                        .unwrap_or_else(|p| p.into_inner())
                        .0;
                }
            }
        }
        true
    }
}

impl Drop for Lookup {
    fn drop(&mut self) {
        lock(&self.job.state).cancelled = true;
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[derive(Debug)]
struct Pool {
    queue: VecDeque<Arc<Job>>,
    threads: usize,
    idle: usize,
}

static POOL: Mutex<Pool> = Mutex::new(Pool {
    queue: VecDeque::new(),
    threads: 0,
    idle: 0,
});
static WORK: Condvar = Condvar::new();

fn submit(job: Arc<Job>) -> Result<()> {
    let mut pool = lock(&POOL);
    // Drop lookups their peers gave up on before they started.
    pool.queue.retain(|j| !lock(&j.state).cancelled);
    pool.queue.push_back(job);
    if pool.idle > 0 {
        WORK.notify_one();
        return Ok(());
    }
    if pool.threads < MAX_THREADS {
        let spawned = std::thread::Builder::new()
            .name("sptcp-resolver".into())
            .spawn(worker);
        match spawned {
            Ok(_) => pool.threads += 1,
            Err(e) if pool.threads == 0 => {
                pool.queue.pop_back();
                return Err(Failure::new(
                    Error::ERR_CANT_CREATE,
                    format!("connect_to_host: can't start a resolver thread: {e}"),
                ));
            }
            // Busy threads will get to it.
            Err(_) => {}
        }
    }
    Ok(())
}

/// Number of resolver threads alive now (for tests).
pub fn threads() -> usize {
    lock(&POOL).threads
}

fn worker() {
    let mut pool = lock(&POOL);
    loop {
        let Some(job) = pool.queue.pop_front() else {
            pool.idle += 1;
            let (p, timed_out) = WORK
                .wait_timeout(pool, IDLE_EXIT)
                .unwrap_or_else(|p| p.into_inner());
            pool = p;
            pool.idle -= 1;
            if timed_out.timed_out() && pool.queue.is_empty() {
                pool.threads -= 1;
                return;
            }
            continue;
        };
        if lock(&job.state).cancelled {
            continue;
        }
        drop(pool);
        let answer = address::resolve_all(&job.host);
        let mut st = lock(&job.state);
        if !st.cancelled {
            st.answer = Some(answer);
            job.answered.store(true, Ordering::Release);
            job.done.notify_all();
        }
        drop(st);
        pool = lock(&POOL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_answer_and_cancelled_ones_are_dropped() {
        let l = Lookup::start("localhost").unwrap();
        assert!(l.wait(Some(Duration::from_secs(20))));
        let ips = l.take().unwrap().unwrap();
        assert!(ips.iter().all(IpAddr::is_loopback), "{ips:?}");
        assert!(l.take().is_none());
        let bad = Lookup::start("nonexistent.invalid").unwrap();
        assert!(bad.wait(Some(Duration::from_secs(20))));
        assert_eq!(
            bad.take().unwrap().unwrap_err().code,
            Error::ERR_CANT_RESOLVE
        );
        // Many at once: never more threads than the bound.
        let many: Vec<_> = (0..20)
            .map(|_| Lookup::start("localhost").unwrap())
            .collect();
        assert!(threads() <= MAX_THREADS);
        drop(many);
        assert!(threads() <= MAX_THREADS);
    }
}
