//! The socket file a Unix domain bind creates, and the rules for the path
//! before a bind: a stale socket file is replaced, a live one or anything
//! that is not a socket is left alone.

use std::path::{Path, PathBuf};

use super::error::{fail, Error, Result};
use super::sys::{self, FileAt, FileId, SockAddr};

/// The longest path a Unix domain socket takes, in bytes (107 on Linux).
pub const MAX_PATH_BYTES: usize = sys::SUN_PATH_LEN - 1;

/// The socket address for `path`, after the checks every Unix domain call
/// makes: not empty, not longer than [`MAX_PATH_BYTES`].
pub fn unix_address(path: &str, what: &str) -> Result<SockAddr> {
    if path.is_empty() {
        return fail(
            Error::ERR_INVALID_PARAMETER,
            format!("{what}: the path is empty"),
        );
    }
    if path.len() > MAX_PATH_BYTES {
        return fail(
            Error::ERR_INVALID_PARAMETER,
            format!(
                "{what}: the path is {} bytes long; a Unix domain socket path takes at most {MAX_PATH_BYTES}",
                path.len()
            ),
        );
    }
    SockAddr::unix(path).map_err(|e| {
        super::error::Failure::new(
            Error::ERR_INVALID_PARAMETER,
            format!("{what}: '{path}': {e}"),
        )
    })
}

/// What was found at a path before binding it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Before {
    /// Free, or a stale socket file that was removed: bind may go on.
    Free,
    /// A socket that a server is listening on.
    Live,
    /// Something that is not a socket (or cannot be told to be one).
    NotASocket,
}

/// Makes `path` ready for a bind: a socket file that nobody listens on
/// (connecting to it is refused) is removed, as Godot removes any socket
/// file there; a live socket and anything else are left alone.
pub fn clear_stale(path: &str) -> Before {
    match sys::socket_file(Path::new(path)) {
        FileAt::Nothing => Before::Free,
        FileAt::Other => Before::NotASocket,
        FileAt::Socket(_) => {
            if is_live(path) {
                Before::Live
            } else {
                // Gone already or removed now: either way the path is free;
                // if removal fails, the bind that follows says why.
                let _ = std::fs::remove_file(path);
                Before::Free
            }
        }
    }
}

/// Whether a server accepts connections on the socket file at `path`.
fn is_live(path: &str) -> bool {
    let Ok(addr) = SockAddr::unix(path) else {
        return false;
    };
    let Ok(probe) = sys::open_unix() else {
        return false;
    };
    match probe.connect(&addr) {
        Ok(()) => true,
        // A full backlog still means someone is listening.
        Err(e) => sys::in_progress(&e),
    }
}

/// A socket file made by a bind, removed when this is dropped (the socket
/// closed) if the file at the path is still the one the bind made.
#[derive(Debug)]
pub struct SocketFile {
    path: PathBuf,
    id: Option<FileId>,
}

impl SocketFile {
    /// Records the file a bind to `path` has just made.
    pub fn created(path: &str) -> SocketFile {
        let id = match sys::socket_file(Path::new(path)) {
            FileAt::Socket(id) => Some(id),
            _ => None,
        };
        SocketFile {
            path: PathBuf::from(path),
            id,
        }
    }
}

impl Drop for SocketFile {
    fn drop(&mut self) {
        let ours = match (self.id, sys::socket_file(&self.path)) {
            (Some(id), FileAt::Socket(now)) => id == now,
            // Where a socket file cannot be identified (Windows), the file
            // at the path is taken to be the one this bind made.
            (None, FileAt::Other) => cfg!(windows),
            _ => false,
        };
        if ours {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}
