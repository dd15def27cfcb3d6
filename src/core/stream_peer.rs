//! StreamPeer: the raw data calls every peer kind provides. Typed values,
//! strings and Variants are built on top of these.

use super::error::Result;
use super::tcp_peer::TcpPeer;

/// Godot's StreamPeer data interface.
pub trait StreamPeer {
    /// Writes all of `data`, waiting as long as it takes.
    fn put_data(&mut self, data: &[u8]) -> Result<()>;
    /// Writes what can be written now; returns how much.
    fn put_partial_data(&mut self, data: &[u8]) -> (usize, Result<()>);
    /// Fills all of `buf`, waiting as long as it takes; returns how much
    /// was read (also on failure, e.g. end of file part way).
    fn get_data(&mut self, buf: &mut [u8]) -> (usize, Result<()>);
    /// Reads what is there now, up to `buf.len()`.
    fn get_partial_data(&mut self, buf: &mut [u8]) -> (usize, Result<()>);
    /// Bytes that can be read without waiting (-1 when there is no stream).
    fn available_bytes(&self) -> i32;
}

/// Any kind of peer a `sptcp_peer` handle can hold.
#[derive(Debug)]
pub enum AnyPeer {
    Tcp(TcpPeer),
}

impl AnyPeer {
    /// The TCP peer, if this is one.
    pub fn tcp(&self) -> Option<&TcpPeer> {
        match self {
            AnyPeer::Tcp(t) => Some(t),
        }
    }

    /// The TCP peer, if this is one, mutably.
    pub fn tcp_mut(&mut self) -> Option<&mut TcpPeer> {
        match self {
            AnyPeer::Tcp(t) => Some(t),
        }
    }

    /// The data interface, whatever the kind.
    pub fn stream(&mut self) -> &mut dyn StreamPeer {
        match self {
            AnyPeer::Tcp(t) => t,
        }
    }

    /// The data interface, read-only.
    pub fn stream_ref(&self) -> &dyn StreamPeer {
        match self {
            AnyPeer::Tcp(t) => t,
        }
    }
}
