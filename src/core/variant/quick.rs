//! Fast paths of the decoder and the encoder for the commonest messages in
//! the Godot 4 format: a plain value, or an untyped Array or Dictionary
//! whose elements are plain values (nil, bool, int, float, short string,
//! Vector2, Vector2i); a decoded Dictionary has at most [`SMALL_DICT`]
//! entries and its strings are ASCII.
//!
//! They work straight on the bytes and the values, with no per-value
//! `Result`, no stack of containers and no code for the types they do not
//! handle. They never report an error: for anything else (another type, a
//! typed or nested container, a long or non-ASCII string, too few bytes)
//! they give up, and the general decoder or encoder does the whole message
//! from its start, with every check and error of its own. What they do
//! give is exactly what the general code gives (the tests compare the two
//! on every shape they take).

use super::encode::FLAG_64;
use super::{
    find_in, Array, ContainerType, Dictionary, Numbers, Text, Variant, VariantType, INLINE_TEXT,
    SMALL_DICT,
};

use VariantType::*;

// Positions never pass the end of the buffer (each is reached by reading
// the bytes before it), so `at + 8` cannot overflow.

#[inline(always)]
fn word(buf: &[u8], at: usize) -> Option<u32> {
    let b: [u8; 4] = buf.get(at..at + 4)?.try_into().ok()?;
    Some(u32::from_le_bytes(b))
}

#[inline(always)]
fn dword(buf: &[u8], at: usize) -> Option<u64> {
    let b: [u8; 8] = buf.get(at..at + 8)?.try_into().ok()?;
    Some(u64::from_le_bytes(b))
}

const NIL: u32 = TYPE_NIL as u32;
const BOOL: u32 = TYPE_BOOL as u32;
const INT: u32 = TYPE_INT as u32;
const INT64: u32 = TYPE_INT as u32 | FLAG_64;
const FLOAT: u32 = TYPE_FLOAT as u32;
const DOUBLE: u32 = TYPE_FLOAT as u32 | FLAG_64;
const STRING: u32 = TYPE_STRING as u32;
const VECTOR2: u32 = TYPE_VECTOR2 as u32;
const VECTOR2_64: u32 = TYPE_VECTOR2 as u32 | FLAG_64;
const VECTOR2I: u32 = TYPE_VECTOR2I as u32;
const DICTIONARY: u32 = TYPE_DICTIONARY as u32;
const ARRAY: u32 = TYPE_ARRAY as u32;

/// The message at the start of `buf` and the bytes it used, when the fast
/// path handles it. Not inlined into the general decoder: on its own it
/// needs a small stack frame, not the general decoder's.
#[inline(never)]
pub fn decode(buf: &[u8]) -> Option<(Variant, usize)> {
    match word(buf, 0)? {
        DICTIONARY => {
            // Godot ignores the count's high bit (its old "shared" flag).
            let n = (word(buf, 4)? & 0x7fff_ffff) as usize;
            if n > SMALL_DICT {
                return None;
            }
            let mut entries: Vec<(Variant, Variant)> = Vec::with_capacity(n);
            let mut at = 8;
            for _ in 0..n {
                let (k, next) = leaf(buf, at)?;
                let (v, next) = leaf(buf, next)?;
                at = next;
                // A key given twice keeps its first place and takes the
                // later value, as `Dictionary::set` does. No index: it is
                // made for a ninth key only.
                match find_in(&entries, &k) {
                    Some(i) => entries[i].1 = v,
                    None => entries.push((k, v)),
                }
            }
            let d = Dictionary {
                key_type: ContainerType::None,
                value_type: ContainerType::None,
                entries,
                index: None,
            };
            Some((Variant::Dictionary(Box::new(d)), at))
        }
        ARRAY => {
            let n = (word(buf, 4)? & 0x7fff_ffff) as usize;
            // Every element takes 4 bytes or more: the room is bounded by
            // the bytes present.
            if n > (buf.len() - 8) / 4 {
                return None;
            }
            let mut items = Vec::with_capacity(n);
            let mut at = 8;
            for _ in 0..n {
                let (v, next) = leaf(buf, at)?;
                items.push(v);
                at = next;
            }
            let a = Array {
                elem_type: ContainerType::None,
                items,
            };
            Some((Variant::array(a), at))
        }
        _ => leaf(buf, 0),
    }
}

/// One plain value at `at`, and where it ends.
#[inline(always)]
fn leaf(buf: &[u8], at: usize) -> Option<(Variant, usize)> {
    let header = word(buf, at)?;
    let at = at + 4;
    let f = |bits: u32| f64::from(f32::from_bits(bits));
    Some(match header {
        NIL => (Variant::Nil, at),
        BOOL => (Variant::Bool(word(buf, at)? != 0), at + 4),
        INT => (Variant::Int(i64::from(word(buf, at)? as i32)), at + 4),
        INT64 => (Variant::Int(dword(buf, at)? as i64), at + 8),
        FLOAT => (Variant::Float(f(word(buf, at)?)), at + 4),
        DOUBLE => (Variant::Float(f64::from_bits(dword(buf, at)?)), at + 8),
        STRING => {
            let len = word(buf, at)? as usize;
            if len > INLINE_TEXT {
                return None;
            }
            let end = at + 4 + len.next_multiple_of(4);
            let raw = buf.get(at + 4..end)?;
            (Variant::String(Text::short_ascii(&raw[..len])?), end)
        }
        VECTOR2 => {
            let xy = [f(word(buf, at)?), f(word(buf, at + 4)?)];
            (Variant::Math(TYPE_VECTOR2, Numbers::Two(xy)), at + 8)
        }
        VECTOR2_64 => {
            let x = f64::from_bits(dword(buf, at)?);
            let y = f64::from_bits(dword(buf, at + 8)?);
            (Variant::Math(TYPE_VECTOR2, Numbers::Two([x, y])), at + 16)
        }
        VECTOR2I => {
            let i = |w: u32| f64::from(w as i32);
            let xy = [i(word(buf, at)?), i(word(buf, at + 4)?)];
            (Variant::Math(TYPE_VECTOR2I, Numbers::Two(xy)), at + 8)
        }
        _ => return None,
    })
}

/// Where the fast encoder writes: a `Vec`, which grows, or a [`Small`]
/// buffer on the stack, which does not.
pub trait Sink {
    fn len(&self) -> usize;
    /// Asks for room for `n` more bytes (a hint).
    fn reserve(&mut self, n: usize);
    /// Appends the first `n` of the 32 bytes `c` (`n` <= 32): false, with
    /// nothing appended, when they do not fit.
    fn chunk(&mut self, c: &[u8; 32], n: usize) -> bool;
    fn truncate(&mut self, n: usize);
}

impl Sink for Vec<u8> {
    #[inline(always)]
    fn len(&self) -> usize {
        Vec::len(self)
    }
    #[inline(always)]
    fn reserve(&mut self, n: usize) {
        Vec::reserve(self, n)
    }
    /// Appends all 32 bytes (a copy of fixed size) and cuts back to `n`.
    #[inline(always)]
    fn chunk(&mut self, c: &[u8; 32], n: usize) -> bool {
        let end = Vec::len(self) + n;
        self.extend_from_slice(c);
        Vec::truncate(self, end);
        true
    }
    #[inline(always)]
    fn truncate(&mut self, n: usize) {
        Vec::truncate(self, n)
    }
}

/// The longest message a [`Small`] holds.
pub(crate) const SMALL_MSG: usize = 224;

/// A short message made on the stack: `put_var` sends most game messages
/// from one of these, so it touches no heap and no thread-local buffer.
pub struct Small {
    /// 32 bytes of slack, so a chunk is always copied whole.
    buf: [u8; SMALL_MSG + 32],
    len: usize,
    /// A chunk did not fit: the message is longer than `SMALL_MSG`.
    pub full: bool,
}

impl Small {
    /// An empty buffer that starts with `start` bytes (a prefix to fill
    /// in), `start` <= `SMALL_MSG`.
    #[inline(always)]
    pub fn new(start: usize) -> Small {
        Small {
            buf: [0; SMALL_MSG + 32],
            len: start.min(SMALL_MSG),
            full: false,
        }
    }

    #[inline(always)]
    pub fn bytes_mut(&mut self) -> &mut [u8] {
        &mut self.buf[..self.len]
    }
}

impl Sink for Small {
    #[inline(always)]
    fn len(&self) -> usize {
        self.len
    }
    #[inline(always)]
    fn reserve(&mut self, _n: usize) {}
    #[inline(always)]
    fn chunk(&mut self, c: &[u8; 32], n: usize) -> bool {
        if self.len + n > SMALL_MSG {
            self.full = true;
            return false;
        }
        // len <= SMALL_MSG, so the 32 bytes fit in the slack.
        self.buf[self.len..self.len + 32].copy_from_slice(c);
        self.len += n;
        true
    }
    #[inline(always)]
    fn truncate(&mut self, n: usize) {
        self.len = self.len.min(n)
    }
}

/// Appends the encoding of `v` to `out` when the fast path handles it and
/// it fits; false, with `out` as it was, when it does not.
pub fn encode<S: Sink>(v: &Variant, out: &mut S) -> bool {
    let mark = out.len();
    let done = match v {
        Variant::Dictionary(d) if untyped(&d.key_type) && untyped(&d.value_type) => {
            let entries = d.entries();
            out.reserve(8 + 40 * entries.len());
            entries.len() <= i32::MAX as usize
                && head(out, DICTIONARY, entries.len())
                && entries
                    .iter()
                    .all(|(k, x)| put_leaf(k, out) && put_leaf(x, out))
        }
        Variant::Array(a) if untyped(&a.elem_type) => {
            out.reserve(8 + 20 * a.items.len());
            a.items.len() <= i32::MAX as usize
                && head(out, ARRAY, a.items.len())
                && a.items.iter().all(|x| put_leaf(x, out))
        }
        _ => put_leaf(v, out),
    };
    if !done {
        out.truncate(mark);
    }
    done
}

/// A container's header: its type and count (`n` <= i32::MAX).
#[inline(always)]
fn head<S: Sink>(out: &mut S, t: u32, n: usize) -> bool {
    let mut c = [0u8; 32];
    set(&mut c, 0, t);
    set(&mut c, 4, n as u32);
    out.chunk(&c, 8)
}

fn untyped(t: &ContainerType) -> bool {
    matches!(t, ContainerType::None)
}

/// Bytes `at..at + 4` of `c` = `x`.
#[inline(always)]
fn set(c: &mut [u8; 32], at: usize, x: u32) {
    c[at..at + 4].copy_from_slice(&x.to_le_bytes());
}

#[inline(always)]
fn set64(c: &mut [u8; 32], at: usize, x: u64) {
    c[at..at + 8].copy_from_slice(&x.to_le_bytes());
}

/// Appends one plain value; false (with nothing written) for any other,
/// or when it does not fit. The value is made in a 32-byte chunk (the
/// longest plain value: a string of 21 bytes).
#[inline(always)]
fn put_leaf<S: Sink>(v: &Variant, out: &mut S) -> bool {
    let mut c = [0u8; 32];
    let n = match v {
        Variant::Nil => 4,
        Variant::Bool(b) => {
            set(&mut c, 0, BOOL);
            set(&mut c, 4, u32::from(*b));
            8
        }
        Variant::Int(i) => match i32::try_from(*i) {
            Ok(small) => {
                set(&mut c, 0, INT);
                set(&mut c, 4, small as u32);
                8
            }
            Err(_) => {
                set(&mut c, 0, INT64);
                set64(&mut c, 4, *i as u64);
                12
            }
        },
        // f32 when the value survives the round trip (NaN never does).
        Variant::Float(f) if f64::from(*f as f32) == *f => {
            set(&mut c, 0, FLOAT);
            set(&mut c, 4, (*f as f32).to_bits());
            8
        }
        Variant::Float(f) => {
            set(&mut c, 0, DOUBLE);
            set64(&mut c, 4, f.to_bits());
            12
        }
        Variant::String(s) => {
            let Some((chunk, n)) = s.wire_chunk() else {
                return false;
            };
            set(&mut c, 0, STRING);
            c[4..4 + chunk.len()].copy_from_slice(&chunk);
            4 + n
        }
        Variant::Math(TYPE_VECTOR2, Numbers::Two([x, y])) => {
            set(&mut c, 0, VECTOR2);
            set(&mut c, 4, (*x as f32).to_bits());
            set(&mut c, 8, (*y as f32).to_bits());
            12
        }
        Variant::Math(TYPE_VECTOR2I, Numbers::Two([x, y])) => {
            set(&mut c, 0, VECTOR2I);
            set(&mut c, 4, *x as i32 as u32);
            set(&mut c, 8, *y as i32 as u32);
            12
        }
        _ => return false,
    };
    out.chunk(&c, n)
}
