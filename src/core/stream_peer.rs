//! StreamPeer: the raw data calls that every kind of peer provides (a
//! socket stream, a buffer). Typed values, strings and Variants are built
//! on these by `peer.rs`.

use super::error::Result;

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
    /// Gives back `bytes`, the last ones read, so that the next read sees
    /// them again (a typed read that timed out consumes nothing).
    fn unread(&mut self, bytes: &[u8]);
    /// Bytes already here and not read yet, when this peer keeps them in a
    /// buffer it can lend (a socket's read-ahead, a buffer's rest); empty
    /// otherwise. Lets a reader decode a message in place; see `consume`.
    fn buffered(&self) -> &[u8] {
        &[]
    }
    /// Takes the first `n` bytes of `buffered()` as read.
    fn consume(&mut self, n: usize) {
        debug_assert_eq!(n, 0, "consume without buffered bytes");
    }
}
