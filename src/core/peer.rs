//! A peer as C sees it: one kind of stream (TCP, Unix domain, buffer) and
//! Godot's StreamPeer settings, with the typed values, length-prefixed
//! strings and Variants (`put_var` / `get_var`) built on the raw data calls
//! of [`StreamPeer`].

use super::buffer::BufferPeer;
use super::codec;
use super::error::{fail, Error, Failure, Result};
use super::group::Member;
use super::socket_stream::SocketStream;
use super::socket_stream::Status;
use super::stream_peer::StreamPeer;
use super::tcp_peer::TcpPeer;
use super::tls_peer::{StreamState, TlsPeer, Transport};
use super::uds_peer::UdsPeer;
use super::variant::quick::{self, Small};
use super::variant::{
    decode::decode,
    encode::{encode_after, encode_general},
    Format, Variant,
};

/// The kinds of stream a peer can be.
// Peers live behind a heap handle one at a time; boxing the TCP variant
// would only add an indirection.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum PeerIo {
    Tcp(TcpPeer),
    Uds(UdsPeer),
    Buffer(BufferPeer),
    /// StreamPeerTLS over another peer (boxed: the C handle of the stream
    /// is that box, kept as it was given). The TLS peer itself is boxed
    /// too: inline it would make every peer, TCP ones included, as large
    /// as a TLS session (1.3 KB instead of about 470 bytes).
    Tls(Box<TlsPeer<Box<Peer>>>),
}

/// A failed read of `want` bytes, after `got` of them.
#[cold]
fn short_read(f: Failure, got: usize, want: usize) -> Failure {
    Failure::new(
        f.code,
        format!("{} (read {got} of {want} bytes)", f.message),
    )
}

/// The first allocation of a `put_var` message: most game messages fit.
const PUT_VAR_START: usize = 256;
/// `put_var`'s buffer is kept for the next message up to this capacity.
const PUT_VAR_KEEP: usize = 64 << 10;

thread_local! {
    /// The encode buffer of `put_var`, shared by the peers of a thread.
    static PUT_VAR_BUF: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// Default limit for one length-prefixed message: 64 MiB.
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 64 << 20;

/// A stream peer with Godot's StreamPeer settings.
#[derive(Debug)]
pub struct Peer {
    pub io: PeerIo,
    /// Fixed-width values and length prefixes are big-endian on the wire.
    pub big_endian: bool,
    /// The largest length prefix (or string length) accepted when reading.
    pub max_message_size: usize,
    /// The Variant wire format of `put_var` / `get_var`.
    pub variant_format: Format,
}

impl Peer {
    pub fn new(io: PeerIo) -> Peer {
        Peer {
            io,
            big_endian: false,
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            variant_format: Format::Godot4,
        }
    }

    pub fn tcp(&self) -> Option<&TcpPeer> {
        match &self.io {
            PeerIo::Tcp(t) => Some(t),
            _ => None,
        }
    }

    pub fn tcp_mut(&mut self) -> Option<&mut TcpPeer> {
        match &mut self.io {
            PeerIo::Tcp(t) => Some(t),
            _ => None,
        }
    }

    pub fn uds(&self) -> Option<&UdsPeer> {
        match &self.io {
            PeerIo::Uds(u) => Some(u),
            _ => None,
        }
    }

    pub fn uds_mut(&mut self) -> Option<&mut UdsPeer> {
        match &mut self.io {
            PeerIo::Uds(u) => Some(u),
            _ => None,
        }
    }

    /// The socket stream of a TCP or Unix domain peer (Godot's
    /// StreamPeerSocket): status, poll, disconnect, connect timeout.
    pub fn socket(&self) -> Option<&SocketStream> {
        match &self.io {
            PeerIo::Tcp(t) => Some(&t.stream),
            PeerIo::Uds(u) => Some(&u.stream),
            PeerIo::Buffer(_) | PeerIo::Tls(_) => None,
        }
    }

    pub fn socket_mut(&mut self) -> Option<&mut SocketStream> {
        match &mut self.io {
            PeerIo::Tcp(t) => Some(&mut t.stream),
            PeerIo::Uds(u) => Some(&mut u.stream),
            PeerIo::Buffer(_) | PeerIo::Tls(_) => None,
        }
    }

    pub fn tls(&self) -> Option<&TlsPeer<Box<Peer>>> {
        match &self.io {
            PeerIo::Tls(t) => Some(&**t),
            _ => None,
        }
    }

    pub fn tls_mut(&mut self) -> Option<&mut TlsPeer<Box<Peer>>> {
        match &mut self.io {
            PeerIo::Tls(t) => Some(&mut **t),
            _ => None,
        }
    }

    pub fn buffer(&self) -> Option<&BufferPeer> {
        match &self.io {
            PeerIo::Buffer(b) => Some(b),
            _ => None,
        }
    }

    pub fn buffer_mut(&mut self) -> Option<&mut BufferPeer> {
        match &mut self.io {
            PeerIo::Buffer(b) => Some(b),
            _ => None,
        }
    }

    /// The part a poll group follows, whatever the kind.
    pub fn member_mut(&mut self) -> &mut dyn Member {
        match &mut self.io {
            PeerIo::Tcp(t) => &mut t.stream,
            PeerIo::Uds(u) => &mut u.stream,
            PeerIo::Buffer(b) => b,
            PeerIo::Tls(t) => &mut **t,
        }
    }

    /// Waits for `interest` (event bits) up to `timeout`; see
    /// `SocketStream::wait`. A buffer never waits: WRITABLE, and READABLE
    /// while bytes remain, as asked.
    pub fn wait(&self, interest: u32, timeout: Option<std::time::Duration>) -> Result<u32> {
        match &self.io {
            PeerIo::Tcp(t) => t.stream.wait(interest, timeout),
            PeerIo::Uds(u) => u.stream.wait(interest, timeout),
            PeerIo::Buffer(b) => Ok(b.user_events() & interest),
            PeerIo::Tls(t) => t.wait(interest, timeout),
        }
    }

    /// The data interface, whatever the kind.
    pub fn stream(&mut self) -> &mut dyn StreamPeer {
        match &mut self.io {
            PeerIo::Tcp(t) => &mut t.stream,
            PeerIo::Uds(u) => &mut u.stream,
            PeerIo::Buffer(b) => b,
            PeerIo::Tls(t) => &mut **t,
        }
    }

    /// The data interface, read-only.
    pub fn stream_ref(&self) -> &dyn StreamPeer {
        match &self.io {
            PeerIo::Tcp(t) => &t.stream,
            PeerIo::Uds(u) => &u.stream,
            PeerIo::Buffer(b) => b,
            PeerIo::Tls(t) => &**t,
        }
    }

    /// Writes a fixed-width value given as little-endian bytes, swapped
    /// when big-endian is on.
    #[inline]
    pub fn put_fixed<const N: usize>(&mut self, mut le: [u8; N]) -> Result<()> {
        if self.big_endian {
            le.reverse();
        }
        self.put_whole(&le)
    }

    /// Writes all of `data`: a socket peer usually sends it in one call,
    /// straight away ([`SocketStream::send_now`]); else, or for the rest,
    /// the stream's `put_data`.
    #[inline]
    fn put_whole(&mut self, data: &[u8]) -> Result<()> {
        let sent = match &mut self.io {
            PeerIo::Tcp(t) => t.stream.send_now(data)?,
            PeerIo::Uds(u) => u.stream.send_now(data)?,
            _ => 0,
        };
        if sent == data.len() {
            return Ok(());
        }
        self.stream().put_data(&data[sent..])
    }

    /// Fills `buf` from a socket peer's bytes ahead or one receive where it
    /// can ([`SocketStream::read_small`], `exact` as there): true when it
    /// did, false when `buf` is still to be read.
    #[inline(always)]
    fn read_quick(&mut self, buf: &mut [u8], exact: bool) -> Result<bool> {
        match &mut self.io {
            PeerIo::Tcp(t) => t.stream.read_small(buf, exact),
            PeerIo::Uds(u) => u.stream.read_small(buf, exact),
            _ => Ok(false),
        }
    }

    /// Fills `buf` (a value that is read whole or not at all): a socket
    /// peer usually has it buffered or gets it in one receive (`exact` as
    /// in [`SocketStream::read_small`]); else [`Peer::get_whole`].
    #[inline(always)]
    fn read_whole(&mut self, buf: &mut [u8], exact: bool) -> Result<()> {
        match self.read_quick(buf, exact) {
            Ok(true) => Ok(()),
            Ok(false) => self.get_whole(buf, &[]),
            Err(f) => Err(short_read(f, 0, buf.len())),
        }
    }

    /// Reads a fixed-width value and returns it as little-endian bytes.
    #[inline]
    pub fn get_fixed<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut b = [0u8; N];
        self.read_whole(&mut b, true)?;
        if self.big_endian {
            b.reverse();
        }
        Ok(b)
    }

    /// Fills `buf`; when that times out (the I/O timeout), gives back
    /// `before` (bytes this value already took) and what came, so the
    /// value is read whole by a later call and the stream stays in step.
    fn get_whole(&mut self, buf: &mut [u8], before: &[u8]) -> Result<()> {
        let (n, r) = self.stream().get_data(buf);
        match r {
            Err(f) if f.code == Error::ERR_TIMEOUT => {
                let mut back = before.to_vec();
                back.extend_from_slice(&buf[..n]);
                self.stream().unread(&back);
                Err(Failure::new(
                    f.code,
                    format!(
                        "{} (nothing consumed: the value can be read again)",
                        f.message
                    ),
                ))
            }
            Err(f) => Err(short_read(f, n, buf.len())),
            Ok(()) => Ok(()),
        }
    }

    pub fn put_half(&mut self, v: f32) -> Result<()> {
        self.put_fixed(codec::make_half_float(v).to_le_bytes())
    }

    pub fn get_half(&mut self) -> Result<f32> {
        self.get_fixed()
            .map(|b| codec::half_to_float(u16::from_le_bytes(b)))
    }

    /// A 4-byte length prefix (which follows big_endian) and the bytes,
    /// in one write, so a failure sends nothing partial
    /// on a buffer and the TCP stream sees one contiguous message.
    fn put_prefixed(&mut self, body: &[u8], what: &str) -> Result<()> {
        let prefix = self.length_prefix(body.len(), what)?;
        let mut msg = Vec::new();
        msg.try_reserve_exact(4 + body.len()).map_err(|_| {
            Failure::new(Error::ERR_OUT_OF_MEMORY, format!("{what}: out of memory"))
        })?;
        msg.extend_from_slice(&prefix);
        msg.extend_from_slice(body);
        self.put_whole(&msg)
    }

    /// The 32-bit length prefix of a `len`-byte body, in the peer's byte order.
    fn length_prefix(&self, len: usize, what: &str) -> Result<[u8; 4]> {
        let Ok(n) = u32::try_from(len) else {
            return fail(
                Error::ERR_INVALID_PARAMETER,
                format!("{what}: {len} bytes do not fit a 32-bit length prefix"),
            );
        };
        let mut prefix = n.to_le_bytes();
        if self.big_endian {
            prefix.reverse();
        }
        Ok(prefix)
    }

    /// Godot's `put_string`: u32 count of code points, then one byte per
    /// code point (non-ASCII becomes a space). No NUL on the wire.
    pub fn put_string(&mut self, s: &str) -> Result<()> {
        self.put_prefixed(&codec::string_to_ascii(s), "put_string")
    }

    /// Godot's `put_utf8_string`: u32 UTF-8 byte length, then the bytes.
    pub fn put_utf8_string(&mut self, s: &str) -> Result<()> {
        self.put_prefixed(s.as_bytes(), "put_utf8_string")
    }

    /// Reads the bytes of a message: `bytes` of them, or (`bytes < 0`) as
    /// many as a signed 32-bit length prefix says. A negative prefix, or a
    /// length above `max_message_size`, is refused before any allocation;
    /// the prefix has then been consumed, the payload has not.
    pub fn get_string_bytes(&mut self, bytes: i32, what: &str) -> Result<Vec<u8>> {
        let (len, prefix) = self.get_length(bytes, what)?;
        self.get_body(len, &prefix[..if bytes < 0 { 4 } else { 0 }], what)
    }

    /// The length a read of `bytes` (-1: a length prefix) is for, checked,
    /// and the prefix bytes it consumed.
    fn get_length(&mut self, bytes: i32, what: &str) -> Result<(usize, [u8; 4])> {
        let mut prefix = [0u8; 4];
        let len = if bytes < 0 {
            // The body follows the prefix: read ahead, never exactly.
            self.read_whole(&mut prefix, false)?;
            let mut le = prefix;
            if self.big_endian {
                le.reverse();
            }
            i32::from_le_bytes(le)
        } else {
            bytes
        };
        let Ok(len) = usize::try_from(len) else {
            return fail(
                Error::ERR_INVALID_DATA,
                format!("{what}: negative length prefix {len} (the 4 prefix bytes were consumed)"),
            );
        };
        self.check_length(len, what)?;
        Ok((len, prefix))
    }

    /// Reads `len` bytes into a new buffer (`prefix`: what was consumed
    /// before them, given back with them when the read times out).
    fn get_body(&mut self, len: usize, prefix: &[u8], what: &str) -> Result<Vec<u8>> {
        let mut buf = Vec::new();
        buf.try_reserve_exact(len).map_err(|_| {
            Failure::new(
                Error::ERR_OUT_OF_MEMORY,
                format!("{what}: can't allocate {len} bytes"),
            )
        })?;
        buf.resize(len, 0);
        self.get_whole(&mut buf, prefix)?;
        Ok(buf)
    }

    /// Refuses a length above the peer's limit.
    pub fn check_length(&self, len: usize, what: &str) -> Result<()> {
        if len > self.max_message_size {
            return fail(
                Error::ERR_INVALID_DATA,
                format!(
                    "{what}: length {len} exceeds the peer's max message size {} (the payload was not read)",
                    self.max_message_size
                ),
            );
        }
        Ok(())
    }

    /// Godot's `put_var`: a 4-byte length prefix (following big_endian),
    /// then the Variant encoded in the peer's format (always little-endian).
    pub fn put_var(&mut self, v: &Variant, full_objects: bool) -> Result<()> {
        // A short message the fast path encodes is made on the stack, with
        // room for the prefix, and sent from there.
        let mut general_only = false;
        if self.variant_format == Format::Godot4 {
            let mut small = Small::new(4);
            if quick::encode(v, &mut small) {
                let msg = small.bytes_mut();
                let prefix = self.length_prefix(msg.len() - 4, "put_var")?;
                msg[..4].copy_from_slice(&prefix);
                return self.put_whole(msg);
            }
            // Not too long but another shape: the fast path would give up
            // again below.
            general_only = !small.full;
        }
        // Else one buffer, this thread's, reused: a message costs no
        // allocation once one of its size was sent. Room for the prefix,
        // the encoding after it, then the prefix filled in.
        let mut msg = PUT_VAR_BUF.take();
        msg.clear();
        msg.reserve(PUT_VAR_START);
        msg.extend_from_slice(&[0; 4]);
        let format = self.variant_format;
        let mut msg = if general_only {
            encode_general(msg, v, format, full_objects)?
        } else {
            encode_after(msg, v, format, full_objects)?
        };
        let prefix = self.length_prefix(msg.len() - 4, "put_var")?;
        msg[..4].copy_from_slice(&prefix);
        let sent = self.put_whole(&msg);
        if msg.capacity() <= PUT_VAR_KEEP {
            PUT_VAR_BUF.set(msg);
        }
        sent
    }

    /// Godot's `get_var`: reads the length prefix and that many bytes, then
    /// decodes them (bytes the Variant does not use are dropped, as in
    /// Godot). The prefix is checked against `max_message_size` (and for
    /// being negative) before anything is allocated.
    pub fn get_var(&mut self, allow_objects: bool) -> Result<Variant> {
        let format = self.variant_format;
        // The value in a message's bytes (bytes it does not use dropped).
        let body = |b: &[u8]| decode(b, format, allow_objects).map(|(v, _)| v);
        // Usually one receive brings the whole message: decoded where it
        // came, with no copy.
        let (big_endian, max) = (self.big_endian, self.max_message_size);
        let quick = match &mut self.io {
            PeerIo::Tcp(t) => t.stream.read_message(big_endian, max, body)?,
            PeerIo::Uds(u) => u.stream.read_message(big_endian, max, body)?,
            _ => None,
        };
        if let Some(v) = quick {
            return v;
        }
        let (len, prefix) = self.get_length(-1, "get_var")?;
        // Usually the whole message came with its prefix (the read-ahead):
        // decode it where it is, without a copy.
        let stream = self.stream();
        if let Some(bytes) = stream.buffered().get(..len) {
            let v = body(bytes);
            stream.consume(len);
            return v;
        }
        body(&self.get_body(len, &prefix, "get_var")?)
    }

    /// Godot's `get_string`: Latin-1, stops at a NUL.
    pub fn get_string(&mut self, bytes: i32) -> Result<String> {
        self.get_string_bytes(bytes, "get_string")
            .map(|b| codec::latin1_to_string(&b))
    }

    /// Godot's `get_utf8_string`: BOM skipped, stops at a NUL, invalid
    /// sequences become U+FFFD.
    pub fn get_utf8_string(&mut self, bytes: i32) -> Result<String> {
        self.get_string_bytes(bytes, "get_utf8_string")
            .map(|b| codec::utf8_to_string(&b))
    }
}

/// The data calls of the peer in the box (a TLS peer's stream).
impl StreamPeer for Box<Peer> {
    fn put_data(&mut self, data: &[u8]) -> Result<()> {
        self.stream().put_data(data)
    }

    fn put_partial_data(&mut self, data: &[u8]) -> (usize, Result<()>) {
        self.stream().put_partial_data(data)
    }

    fn get_data(&mut self, buf: &mut [u8]) -> (usize, Result<()>) {
        self.stream().get_data(buf)
    }

    fn get_partial_data(&mut self, buf: &mut [u8]) -> (usize, Result<()>) {
        self.stream().get_partial_data(buf)
    }

    fn available_bytes(&self) -> i32 {
        self.stream_ref().available_bytes()
    }

    fn unread(&mut self, bytes: &[u8]) {
        self.stream().unread(bytes);
    }
}

/// A peer under a TLS peer: a socket peer (polled, its status), a buffer
/// (always open), or another TLS peer.
impl Transport for Box<Peer> {
    fn poll_transport(&mut self) -> Result<()> {
        match &mut self.io {
            PeerIo::Tcp(t) => t.stream.poll(),
            PeerIo::Uds(u) => u.stream.poll(),
            PeerIo::Buffer(_) => Ok(()),
            PeerIo::Tls(t) => t.poll(),
        }
    }

    fn state(&self) -> StreamState {
        use super::tls_peer::TlsStatus;
        let socket = |s: Status| match s {
            Status::STATUS_CONNECTING => StreamState::Connecting,
            Status::STATUS_CONNECTED => StreamState::Open,
            _ => StreamState::Closed,
        };
        match &self.io {
            PeerIo::Tcp(t) => socket(t.stream.status()),
            PeerIo::Uds(u) => socket(u.stream.status()),
            PeerIo::Buffer(_) => StreamState::Open,
            PeerIo::Tls(t) => match t.status() {
                TlsStatus::STATUS_HANDSHAKING => StreamState::Connecting,
                TlsStatus::STATUS_CONNECTED => StreamState::Open,
                _ => StreamState::Closed,
            },
        }
    }

    fn wait_for(&self, interest: u32, timeout: Option<std::time::Duration>) -> Result<u32> {
        self.wait(interest, timeout)
    }

    fn os_socket(&self) -> Option<super::sys::RawSock> {
        match &self.io {
            PeerIo::Tcp(t) => t.stream.raw_socket(),
            PeerIo::Uds(u) => u.stream.raw_socket(),
            PeerIo::Buffer(_) => None,
            PeerIo::Tls(t) => t.raw_socket(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn buffer() -> Peer {
        Peer::new(PeerIo::Buffer(BufferPeer::new()))
    }

    fn bytes(p: &Peer) -> Vec<u8> {
        p.buffer().unwrap().data().to_vec()
    }

    #[test]
    #[allow(clippy::approx_constant)] // 3.1415 is Godot's test value, not PI
    fn fixed_width_both_orders() {
        let mut p = buffer();
        p.put_fixed(0x1234u16.to_le_bytes()).unwrap();
        p.put_fixed(0x1234_5678u32.to_le_bytes()).unwrap();
        p.put_fixed(0xf123_4567_89ab_cdefu64.to_le_bytes()).unwrap();
        assert_eq!(
            bytes(&p),
            [0x34, 0x12, 0x78, 0x56, 0x34, 0x12, 0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0xf1]
        );
        let mut q = buffer();
        q.big_endian = true;
        q.put_fixed(3.1415f32.to_le_bytes()).unwrap();
        assert_eq!(bytes(&q), [0x40, 0x49, 0x0e, 0x56]);
        q.buffer_mut().unwrap().seek(0).unwrap();
        assert_eq!(f32::from_le_bytes(q.get_fixed().unwrap()), 3.1415);
    }

    #[test]
    fn strings_and_limits() {
        let mut p = buffer();
        p.put_string("Hello, World!").unwrap();
        assert_eq!(&bytes(&p)[..4], &[0x0d, 0, 0, 0]);
        assert_eq!(&bytes(&p)[4..], b"Hello, World!");
        p.buffer_mut().unwrap().seek(0).unwrap();
        assert_eq!(p.get_string(-1).unwrap(), "Hello, World!");

        let mut q = buffer();
        q.put_fixed(100u32.to_le_bytes()).unwrap();
        q.max_message_size = 99;
        q.buffer_mut().unwrap().seek(0).unwrap();
        let e = q.get_utf8_string(-1).unwrap_err();
        assert_eq!(e.code, Error::ERR_INVALID_DATA);
        assert_eq!(q.buffer().unwrap().position(), 4);
        q.put_fixed((-1i32).to_le_bytes()).unwrap();
        q.buffer_mut().unwrap().seek(4).unwrap();
        assert_eq!(q.get_string(-1).unwrap_err().code, Error::ERR_INVALID_DATA);
        assert_eq!(q.get_string(0).unwrap(), "");
    }

    /// put_var sends the prefix and `encode`'s bytes, in both byte orders
    /// and formats, for messages the fast path makes on the stack, ones
    /// too long for it (around its limit) and ones it does not take.
    #[test]
    fn put_var_sends_prefix_and_encoding() {
        use crate::core::variant::{encode::encode, Array, ContainerType, Text};
        let ints = |n: usize| {
            Variant::array(Array {
                elem_type: ContainerType::None,
                items: (0..n as i64).map(Variant::Int).collect(),
            })
        };
        // 8 + 8 n bytes: 26 ints make 216 (with the prefix 220), 27 make
        // 224 (228), past the stack buffer (SMALL_MSG).
        let mut values: Vec<Variant> = (24..30).map(ints).collect();
        values.push(Variant::Int(-5));
        values.push(Variant::String(
            Text::new("a string longer than the inline ones").unwrap(),
        ));
        let mut nested = Array::default();
        nested.items.push(ints(3));
        values.push(Variant::array(nested));
        for format in [Format::Godot4, Format::Godot3] {
            for big_endian in [false, true] {
                for v in &values {
                    let mut p = buffer();
                    p.variant_format = format;
                    p.big_endian = big_endian;
                    p.put_var(v, false).unwrap();
                    let body = encode(v, format, false).unwrap();
                    let n = body.len() as u32;
                    let mut want = if big_endian {
                        n.to_be_bytes()
                    } else {
                        n.to_le_bytes()
                    }
                    .to_vec();
                    want.extend_from_slice(&body);
                    assert_eq!(bytes(&p), want, "{v:?} {format:?} big_endian {big_endian}");
                    p.buffer_mut().unwrap().seek(0).unwrap();
                    assert_eq!(format!("{:?}", p.get_var(false).unwrap()), format!("{v:?}"));
                }
            }
        }
    }

    /// Every C peer is one `Peer` in a box: a TCP peer must not pay for the
    /// TLS session another kind of peer would hold (the TLS variant is
    /// boxed; inline, every peer was 1,320 bytes).
    #[test]
    fn a_peer_is_the_size_of_a_socket_peer() {
        let largest_socket_peer =
            std::mem::size_of::<TcpPeer>().max(std::mem::size_of::<UdsPeer>());
        assert!(
            std::mem::size_of::<Peer>() <= largest_socket_peer + 32,
            "Peer is {} bytes, TcpPeer {}",
            std::mem::size_of::<Peer>(),
            std::mem::size_of::<TcpPeer>()
        );
    }
}
