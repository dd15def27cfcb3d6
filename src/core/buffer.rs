//! StreamPeerBuffer: an in-memory stream with a cursor, Godot's rules.

use super::error::{fail, Error, Result};
use super::group::{self, Link, Member};
use super::stream_peer::StreamPeer;

/// Godot's StreamPeerBuffer: bytes plus a read/write cursor.
#[derive(Debug, Default)]
pub struct BufferPeer {
    data: Vec<u8>,
    pos: usize,
    /// The poll group this buffer is in, and what it was last told.
    member: Option<Link>,
    told: u32,
}

impl BufferPeer {
    pub fn new() -> BufferPeer {
        BufferPeer::default()
    }

    pub fn position(&self) -> usize {
        self.pos
    }

    pub fn size(&self) -> usize {
        self.data.len()
    }

    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// Moves the cursor; `pos == size` is allowed. Out of range: an error
    /// and no change (Godot prints and does nothing).
    pub fn seek(&mut self, pos: i64) -> Result<()> {
        match usize::try_from(pos) {
            Ok(p) if p <= self.data.len() => {
                self.pos = p;
                self.sync();
                Ok(())
            }
            _ => fail(
                Error::ERR_INVALID_PARAMETER,
                format!("seek: position {pos} is outside 0..={}", self.data.len()),
            ),
        }
    }

    /// Resizes the data; new bytes are zero, the cursor is not moved (it
    /// may end up past the end, as in Godot).
    pub fn resize(&mut self, size: i64) -> Result<()> {
        let Ok(size) = usize::try_from(size) else {
            return fail(
                Error::ERR_INVALID_PARAMETER,
                format!("resize: negative size {size}"),
            );
        };
        if size > self.data.len() && self.data.try_reserve_exact(size - self.data.len()).is_err() {
            return fail(
                Error::ERR_OUT_OF_MEMORY,
                format!("resize: can't allocate {size} bytes"),
            );
        }
        self.data.resize(size, 0);
        self.sync();
        Ok(())
    }

    /// Empties the buffer and puts the cursor at 0.
    pub fn clear(&mut self) {
        self.data.clear();
        self.pos = 0;
        self.sync();
    }

    /// Replaces the data with a copy of `data`, cursor at 0.
    pub fn set_data(&mut self, data: &[u8]) {
        self.data.clear();
        self.data.extend_from_slice(data);
        self.pos = 0;
        self.sync();
    }

    /// A new buffer with the same bytes and the cursor at 0.
    pub fn duplicate(&self) -> BufferPeer {
        BufferPeer {
            data: self.data.clone(),
            ..BufferPeer::default()
        }
    }
}

impl BufferPeer {
    /// Tells the group (if any) what holds now.
    fn sync(&mut self) {
        let now = self.user_events();
        if now != self.told {
            self.told = now;
            if let Some(link) = &self.member {
                link.user_events_changed(now);
            }
        }
    }
}

/// A buffer in a poll group: always writable, readable while bytes remain.
impl Member for BufferPeer {
    fn link(&self) -> Option<&Link> {
        self.member.as_ref()
    }

    fn set_link(&mut self, link: Option<Link>) {
        self.member = link;
        self.told = self.user_events();
    }

    fn raw_socket(&self) -> Option<crate::core::sys::RawSock> {
        None
    }

    fn user_events(&self) -> u32 {
        let readable = if self.pos < self.data.len() {
            group::READABLE
        } else {
            0
        };
        group::WRITABLE | readable
    }

    fn is_server(&self) -> bool {
        false
    }
}

impl StreamPeer for BufferPeer {
    /// Writes at the cursor (overwriting, growing as needed) and advances.
    fn put_data(&mut self, data: &[u8]) -> Result<()> {
        if data.is_empty() {
            return Ok(());
        }
        let end = self
            .pos
            .checked_add(data.len())
            .filter(|&e| e <= isize::MAX as usize);
        let Some(end) = end else {
            return fail(
                Error::ERR_OUT_OF_MEMORY,
                "put_data: the buffer would be too large",
            );
        };
        if end > self.data.len() {
            if self.data.try_reserve(end - self.data.len()).is_err() {
                return fail(
                    Error::ERR_OUT_OF_MEMORY,
                    format!("put_data: can't grow the buffer to {end} bytes"),
                );
            }
            self.data.resize(end, 0);
        }
        self.data[self.pos..end].copy_from_slice(data);
        self.pos = end;
        self.sync();
        Ok(())
    }

    fn put_partial_data(&mut self, data: &[u8]) -> (usize, Result<()>) {
        match self.put_data(data) {
            Ok(()) => (data.len(), Ok(())),
            Err(f) => (0, Err(f)),
        }
    }

    /// Godot: copies what is there, advances over it, and fails with
    /// ERR_INVALID_PARAMETER when that is less than asked (the bytes that
    /// were there are still consumed).
    fn get_data(&mut self, buf: &mut [u8]) -> (usize, Result<()>) {
        let (n, _) = self.get_partial_data(buf);
        if n == buf.len() {
            (n, Ok(()))
        } else {
            (
                n,
                fail(
                    Error::ERR_INVALID_PARAMETER,
                    format!(
                        "get_data: asked for {} bytes, only {n} left in the buffer",
                        buf.len()
                    ),
                ),
            )
        }
    }

    /// Copies up to `buf.len()` bytes from the cursor; always OK.
    fn get_partial_data(&mut self, buf: &mut [u8]) -> (usize, Result<()>) {
        let left = self.data.len().saturating_sub(self.pos);
        let n = buf.len().min(left);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        self.sync();
        (n, Ok(()))
    }

    /// size − position: negative after a shrinking resize, as in Godot.
    fn available_bytes(&self) -> i32 {
        let left = self.data.len() as i64 - self.pos as i64;
        left.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
    }

    /// Steps the cursor back over the bytes just read.
    fn unread(&mut self, bytes: &[u8]) {
        self.pos = self.pos.saturating_sub(bytes.len());
        self.sync();
    }

    fn buffered(&self) -> &[u8] {
        self.data.get(self.pos..).unwrap_or(&[])
    }

    fn consume(&mut self, n: usize) {
        self.pos += n.min(self.buffered().len());
        self.sync();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Godot's tests/core/io/test_stream_peer_buffer.h, ported.
    #[test]
    fn godot_cursor_rules() {
        let mut b = BufferPeer::new();
        b.put_data(&[1, 2, 3]).unwrap();
        assert_eq!((b.position(), b.size()), (3, 3));
        b.seek(2).unwrap();
        let mut out = [0u8; 3];
        // One byte left, three asked: error, but the byte is consumed.
        let (n, r) = b.get_data(&mut out);
        assert_eq!(n, 1);
        assert_eq!(r.unwrap_err().code, Error::ERR_INVALID_PARAMETER);
        assert_eq!(out[0], 3);
        assert_eq!(b.position(), 3);
        assert_eq!(b.get_partial_data(&mut out), (0, Ok(())));
        assert!(b.seek(4).is_err());
        assert!(b.seek(-1).is_err());
        assert_eq!(b.position(), 3);
        b.seek(3).unwrap();
        b.resize(1).unwrap();
        assert_eq!(b.available_bytes(), -2);
        b.resize(4).unwrap();
        assert_eq!(b.data(), &[1, 0, 0, 0]);
        b.seek(1).unwrap();
        b.put_data(&[9, 9, 9, 9]).unwrap(); // overwrite and grow
        assert_eq!(b.data(), &[1, 9, 9, 9, 9]);
        let d = b.duplicate();
        assert_eq!((d.position(), d.data()), (0, b.data()));
        b.clear();
        assert_eq!((b.position(), b.size()), (0, 0));
        b.set_data(&[5, 6]);
        assert_eq!((b.position(), b.size()), (0, 2));
        assert!(b.resize(-1).is_err());
    }
}
