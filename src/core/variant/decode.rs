//! Bytes → Variant: Godot's `decode_variant` (marshalls.cpp) for the Godot 4
//! and Godot 3 formats, bounded: every count is checked against the bytes
//! present before anything is allocated, nesting stops at 1024 levels, and
//! malformed input is an error, never a panic.

use super::encode::FLAG_64;
use super::{
    Array, ContainerType, Dictionary, Format, NodePath, Numbers, Object, Text, Variant,
    VariantType, MAX_DEPTH,
};
use crate::core::error::{fail, Error, Result};

use VariantType::*;

/// Decodes one Variant from the start of `buf`; returns it and how many
/// bytes it used: Godot's `r_len`, except that padding the buffer does not
/// hold at its very end is not counted (Godot counts it), so the count
/// never exceeds `buf.len()`.
pub fn decode(buf: &[u8], format: Format, allow_objects: bool) -> Result<(Variant, usize)> {
    if format == Format::Godot4 {
        if let Some(quick) = super::quick::decode(buf) {
            return Ok(quick);
        }
    }
    decode_general(buf, format, allow_objects)
}

/// [`decode`] without its fast path ([`super::quick`]): every message in
/// every format.
pub fn decode_general(buf: &[u8], format: Format, allow_objects: bool) -> Result<(Variant, usize)> {
    let mut r = Reader {
        buf,
        pos: 0,
        format,
        allow_objects,
    };
    let v = r.variant()?;
    debug_assert!(r.pos <= buf.len());
    Ok((v, r.pos))
}

/// The Godot 4 type of a Godot 3 type id.
fn from_godot3(id: u32) -> Option<VariantType> {
    Some(match id {
        0 => TYPE_NIL,
        1 => TYPE_BOOL,
        2 => TYPE_INT,
        3 => TYPE_FLOAT,
        4 => TYPE_STRING,
        5 => TYPE_VECTOR2,
        6 => TYPE_RECT2,
        7 => TYPE_VECTOR3,
        8 => TYPE_TRANSFORM2D,
        9 => TYPE_PLANE,
        10 => TYPE_QUATERNION,
        11 => TYPE_AABB,
        12 => TYPE_BASIS,
        13 => TYPE_TRANSFORM3D,
        14 => TYPE_COLOR,
        15 => TYPE_NODE_PATH,
        16 => TYPE_RID,
        17 => TYPE_OBJECT,
        18 => TYPE_DICTIONARY,
        19 => TYPE_ARRAY,
        20 => TYPE_PACKED_BYTE_ARRAY,
        21 => TYPE_PACKED_INT32_ARRAY,
        22 => TYPE_PACKED_FLOAT32_ARRAY,
        23 => TYPE_PACKED_STRING_ARRAY,
        24 => TYPE_PACKED_VECTOR2_ARRAY,
        25 => TYPE_PACKED_VECTOR3_ARRAY,
        26 => TYPE_PACKED_COLOR_ARRAY,
        _ => return None,
    })
}

/// The header of a 32-bit int and of a string, in both formats.
const QUICK_INT: u32 = TYPE_INT as u32;
const QUICK_STRING: u32 = TYPE_STRING as u32;

/// What a header starts: a whole value, or a container still to be filled.
enum Start {
    Value(Variant),
    Open(Open),
}

/// A container being filled, with the number of elements still to come.
enum Open {
    Array(Array, usize),
    /// The key read so far, waiting for its value.
    Dictionary(Box<Dictionary>, usize, Option<Variant>),
    /// The class, the properties so far (the last one's value pending).
    Object(Text, Vec<(Text, Variant)>, usize),
}

impl Open {
    /// The finished container.
    fn finish(self) -> Variant {
        match self {
            Open::Array(a, _) => Variant::array(a),
            Open::Dictionary(d, _, _) => Variant::Dictionary(d),
            Open::Object(class, properties, _) => Variant::Object(Object::full(class, properties)),
        }
    }
}

thread_local! {
    /// [`Reader::variant`]'s stack of open containers, kept between calls.
    static OPEN: std::cell::Cell<Vec<Open>> = const { std::cell::Cell::new(Vec::new()) };
}

/// The deepest stack [`OPEN`] keeps (levels of nesting).
const KEPT_OPEN: usize = 64;

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    format: Format,
    allow_objects: bool,
}

fn invalid<T>(what: &str) -> Result<T> {
    fail(Error::ERR_INVALID_DATA, format!("decode: {what}"))
}

impl Reader<'_> {
    fn left(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    #[inline]
    fn take(&mut self, n: usize, what: &str) -> Result<&[u8]> {
        match self.buf.get(self.pos..).and_then(|rest| rest.get(..n)) {
            Some(s) => {
                self.pos += n;
                Ok(s)
            }
            None => self.short(n, what),
        }
    }

    /// The failure of [`Reader::take`], out of its way.
    #[cold]
    #[inline(never)]
    fn short<T>(&self, n: usize, what: &str) -> Result<T> {
        invalid(&format!("{what}: needs {n} bytes, {} left", self.left()))
    }

    #[inline]
    fn bytes<const N: usize>(&mut self, what: &str) -> Result<[u8; N]> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N, what)?);
        Ok(a)
    }

    fn u32(&mut self, what: &str) -> Result<u32> {
        self.bytes(what).map(u32::from_le_bytes)
    }

    fn i32(&mut self, what: &str) -> Result<i32> {
        self.bytes(what).map(i32::from_le_bytes)
    }

    fn u64(&mut self, what: &str) -> Result<u64> {
        self.bytes(what).map(u64::from_le_bytes)
    }

    fn f32(&mut self, what: &str) -> Result<f32> {
        self.bytes(what).map(f32::from_le_bytes)
    }

    fn f64(&mut self, what: &str) -> Result<f64> {
        self.bytes(what).map(f64::from_le_bytes)
    }

    /// A real: f64 with the 64-bit flag, else f32.
    fn real(&mut self, wide: bool) -> Result<f64> {
        if wide {
            self.f64("a double")
        } else {
            self.f32("a float").map(f64::from)
        }
    }

    /// Godot's `_decode_string`: u32 length, the bytes, the padding (which
    /// must be present: a short string is ERR_FILE_EOF). The text stops at
    /// a NUL; invalid UTF-8 is ERR_INVALID_DATA.
    #[inline]
    fn string(&mut self) -> Result<Text> {
        let len = self.u32("a string length")? as usize;
        let pad = len.wrapping_neg() & 3; // to a multiple of 4
        let left = self.left();
        if len.checked_add(pad).is_none_or(|n| n > left) {
            return fail(
                Error::ERR_FILE_EOF,
                format!("decode: a string of {len} bytes, {left} left"),
            );
        }
        let buf = self.buf;
        let raw = &buf[self.pos..self.pos + len];
        self.pos += len + pad;
        match Text::from_wire(raw) {
            Some(text) => Ok(text),
            None => invalid("a string that is not valid UTF-8"),
        }
    }

    /// A count for `n` elements of at least `min_size` bytes each: refused
    /// when the bytes left cannot hold them.
    fn count(&mut self, min_size: usize, mask_high_bit: bool, what: &str) -> Result<usize> {
        let raw = self.u32(what)?;
        let n = if mask_high_bit {
            (raw & 0x7fff_ffff) as usize
        } else if raw > i32::MAX as u32 {
            return invalid(&format!("{what}: negative count"));
        } else {
            raw as usize
        };
        if n.checked_mul(min_size)
            .is_none_or(|bytes| bytes > self.left())
        {
            return invalid(&format!(
                "{what}: {n} elements do not fit in {} bytes",
                self.left()
            ));
        }
        Ok(n)
    }

    fn container_type(&mut self, kind: u32) -> Result<ContainerType> {
        Ok(match kind {
            0 => ContainerType::None,
            1 => {
                let id = self.u32("a container type")?;
                match VariantType::from_id(id) {
                    Some(t) => ContainerType::Builtin(t),
                    None => return invalid(&format!("container element type {id}")),
                }
            }
            2 => ContainerType::ClassName(self.string()?),
            _ => ContainerType::Script(self.string()?),
        })
    }

    /// One value, containers included, without recursion: containers being
    /// filled wait on an explicit stack, so hostile nesting costs heap (a
    /// few dozen bytes a level, at most 1024 levels), never the thread's
    /// stack.
    fn variant(&mut self) -> Result<Variant> {
        let mut first = match self.start()? {
            Start::Value(v) => return Ok(v),
            Start::Open(open) => open,
        };
        // A container of values that hold no others (most messages) is
        // filled without the stack.
        let Some(inner) = self.fill_flat(&mut first)? else {
            return Ok(first.finish());
        };
        // The thread's stack from its last decode, so a message does not
        // allocate one; a stack that grew large is not kept.
        let mut stack = OPEN.take();
        stack.push(first);
        stack.push(inner);
        let v = self.variant_on(&mut stack);
        stack.clear();
        if stack.capacity() <= KEPT_OPEN {
            OPEN.set(stack);
        }
        v
    }

    /// Fills a container that was just opened (it has elements to come)
    /// for as long as its elements are whole values. `None` when it is
    /// full; else the first container among them, opened, for the stack to
    /// go on with.
    fn fill_flat(&mut self, open: &mut Open) -> Result<Option<Open>> {
        loop {
            match self.quick_start()? {
                Start::Value(v) => {
                    if self.give(open, v)? {
                        return Ok(None);
                    }
                }
                Start::Open(inner) => return Ok(Some(inner)),
            }
        }
    }

    /// Hands `value` to the open container `top`: true when that made it
    /// full. An object's next property name is read here.
    #[inline(always)]
    fn give(&mut self, top: &mut Open, value: Variant) -> Result<bool> {
        Ok(match top {
            Open::Array(a, left) => {
                a.items.push(value);
                *left -= 1;
                *left == 0
            }
            Open::Dictionary(d, left, key) => match key.take() {
                None => {
                    *key = Some(value);
                    false
                }
                Some(k) => {
                    d.set(k, value);
                    *left -= 1;
                    *left == 0
                }
            },
            Open::Object(_, props, left) => {
                props.last_mut().expect("a name was read").1 = value;
                *left -= 1;
                if *left > 0 {
                    let name = self.string()?;
                    props.push((name, Variant::Nil));
                }
                *left == 0
            }
        })
    }

    fn variant_on(&mut self, stack: &mut Vec<Open>) -> Result<Variant> {
        loop {
            if stack.len() > MAX_DEPTH {
                return fail(
                    Error::ERR_OUT_OF_MEMORY,
                    "decode: nesting deeper than 1024 levels",
                );
            }
            let mut value = match self.start()? {
                Start::Value(v) => v,
                Start::Open(open) => {
                    stack.push(open);
                    continue;
                }
            };
            // Hand the value to the innermost open container; every
            // container it completes is handed on in turn.
            loop {
                let Some(top) = stack.last_mut() else {
                    return Ok(value);
                };
                let full = self.give(top, value)?;
                if !full {
                    break;
                }
                value = stack.pop().expect("top exists").finish();
            }
        }
    }

    /// [`Reader::start`], with the commonest elements of a message read in
    /// place: a 32-bit int and a string (headers 2 and 4, the same in both
    /// formats). Anything else, or too few bytes, goes to `start`.
    #[inline(always)]
    fn quick_start(&mut self) -> Result<Start> {
        let buf = self.buf;
        let at = self.pos;
        let word = |i: usize| {
            buf.get(i..i + 4)
                .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")))
        };
        match word(at) {
            Some(QUICK_INT) => {
                if let Some(x) = word(at + 4) {
                    self.pos = at + 8;
                    return Ok(Start::Value(Variant::Int(i64::from(x as i32))));
                }
            }
            Some(QUICK_STRING) => {
                self.pos = at + 4;
                return Ok(Start::Value(Variant::String(self.string()?)));
            }
            _ => {}
        }
        self.start()
    }

    /// Reads a header: a finished value, or a container with elements to
    /// come (an empty container is finished at once).
    fn start(&mut self) -> Result<Start> {
        let header = self.u32("the header")?;
        let id = header & 0xff;
        let t = match self.format {
            Format::Godot4 => VariantType::from_id(id),
            Format::Godot3 => from_godot3(id),
        };
        let godot4 = self.format == Format::Godot4;
        Ok(match t {
            None => return invalid(&format!("unknown type {id}")),
            Some(TYPE_ARRAY) => {
                let mut a = Array::default();
                if godot4 {
                    a.elem_type = self.container_type((header >> 16) & 3)?;
                }
                let n = self.count(4, true, "an array")?;
                if n == 0 {
                    return Ok(Start::Value(Variant::array(a)));
                }
                a.items.reserve(n);
                Start::Open(Open::Array(a, n))
            }
            Some(TYPE_DICTIONARY) => {
                let (mut key_type, mut value_type) = Default::default();
                if godot4 {
                    key_type = self.container_type((header >> 16) & 3)?;
                    value_type = self.container_type((header >> 18) & 3)?;
                }
                // At most one entry per 8 bytes left: the room is bounded.
                let n = self.count(8, true, "a dictionary")?;
                let mut d = Box::new(Dictionary::with_capacity(n));
                d.key_type = key_type;
                d.value_type = value_type;
                if n == 0 {
                    return Ok(Start::Value(Variant::Dictionary(d)));
                }
                Start::Open(Open::Dictionary(d, n, None))
            }
            Some(TYPE_OBJECT) => self.object(header)?,
            Some(t) => Start::Value(self.leaf(t, header)?),
        })
    }

    /// Every type that holds no other Variant.
    #[inline]
    fn leaf(&mut self, t: VariantType, header: u32) -> Result<Variant> {
        let wide = header & FLAG_64 != 0 && self.format == Format::Godot4;
        Ok(match t {
            TYPE_NIL => Variant::Nil,
            TYPE_BOOL => Variant::Bool(self.u32("a bool")? != 0),
            TYPE_INT if header & FLAG_64 != 0 => Variant::Int(self.u64("a 64-bit int")? as i64),
            TYPE_INT => Variant::Int(i64::from(self.i32("an int")?)),
            TYPE_FLOAT => Variant::Float(self.real(header & FLAG_64 != 0)?),
            TYPE_STRING => Variant::String(self.string()?),
            TYPE_STRING_NAME => Variant::StringName(self.string()?),
            TYPE_COLOR => {
                let mut c = [0.0; 4];
                for x in &mut c {
                    *x = f64::from(self.f32("a color")?);
                }
                Variant::Math(t, Numbers::new(&c))
            }
            _ if t.math_len().is_some() => {
                let n = t.math_len().expect("checked");
                let mut c = [0.0; 16]; // the most a math type holds (Projection)
                for x in &mut c[..n] {
                    *x = if t.is_integer_math() {
                        f64::from(self.i32("an int")?)
                    } else {
                        self.real(wide)?
                    };
                }
                Variant::Math(t, Numbers::new(&c[..n]))
            }
            TYPE_NODE_PATH => self.node_path()?,
            TYPE_RID => match self.format {
                Format::Godot4 => Variant::Rid(self.u64("a RID")?),
                Format::Godot3 => Variant::Rid(0),
            },
            TYPE_CALLABLE => Variant::Callable,
            TYPE_SIGNAL => {
                let name = self.string()?;
                Variant::Signal {
                    name: Box::new(name),
                    object: self.u64("a signal's object")?,
                }
            }
            TYPE_PACKED_BYTE_ARRAY => {
                let n = self.count(1, false, "a byte array")?;
                let bytes = self.take(n, "a byte array")?.to_vec();
                // Godot counts the padding in the length used even when the
                // buffer ends before it; here only what is really there
                // counts, so `used` never exceeds the bytes given.
                self.pos = (self.pos + (4 - n % 4) % 4).min(self.buf.len());
                Variant::PackedBytes(bytes)
            }
            TYPE_PACKED_INT32_ARRAY => {
                let n = self.count(4, false, "an int32 array")?;
                Variant::PackedInt32((0..n).map(|_| self.i32("an int")).collect::<Result<_>>()?)
            }
            TYPE_PACKED_INT64_ARRAY => {
                let n = self.count(8, false, "an int64 array")?;
                Variant::PackedInt64(
                    (0..n)
                        .map(|_| self.u64("an int").map(|x| x as i64))
                        .collect::<Result<_>>()?,
                )
            }
            TYPE_PACKED_FLOAT32_ARRAY => {
                let n = self.count(4, false, "a float32 array")?;
                Variant::PackedFloat32((0..n).map(|_| self.f32("a float")).collect::<Result<_>>()?)
            }
            TYPE_PACKED_FLOAT64_ARRAY => {
                let n = self.count(8, false, "a float64 array")?;
                Variant::PackedFloat64(
                    (0..n)
                        .map(|_| self.f64("a double"))
                        .collect::<Result<_>>()?,
                )
            }
            TYPE_PACKED_STRING_ARRAY => {
                let n = self.count(4, false, "a string array")?;
                Variant::PackedStrings((0..n).map(|_| self.string()).collect::<Result<_>>()?)
            }
            TYPE_PACKED_VECTOR2_ARRAY => {
                Variant::PackedVector2(self.reals(wide, "a Vector2 array")?)
            }
            TYPE_PACKED_VECTOR3_ARRAY => {
                Variant::PackedVector3(self.reals(wide, "a Vector3 array")?)
            }
            TYPE_PACKED_VECTOR4_ARRAY => {
                Variant::PackedVector4(self.reals(wide, "a Vector4 array")?)
            }
            TYPE_PACKED_COLOR_ARRAY => Variant::PackedColor(self.reals(false, "a Color array")?),
            TYPE_ARRAY | TYPE_DICTIONARY | TYPE_OBJECT => {
                unreachable!("containers are decoded by `start`")
            }
            _ => return invalid(&format!("type {}", t as u32)),
        })
    }

    /// A packed array of N-real elements (f32, or f64 with the flag),
    /// stored as single floats.
    fn reals<const N: usize>(&mut self, wide: bool, what: &str) -> Result<Vec<[f32; N]>> {
        let size = if wide { 8 * N } else { 4 * N };
        let n = self.count(size, false, what)?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let mut e = [0f32; N];
            for x in &mut e {
                *x = self.real(wide)? as f32;
            }
            out.push(e);
        }
        Ok(out)
    }

    fn node_path(&mut self) -> Result<Variant> {
        let names = self.u32("a node path")?;
        if names & 0x8000_0000 == 0 {
            return invalid("a node path in the old format");
        }
        let names = (names & 0x7fff_ffff) as usize;
        let mut subnames = self.u32("a node path")? as usize;
        let flags = self.u32("a node path")?;
        if flags & 2 != 0 {
            subnames += 1; // the obsolete "property" flag
        }
        if names
            .checked_add(subnames)
            .and_then(|n| n.checked_mul(4))
            .is_none_or(|b| b > self.left())
        {
            return invalid("a node path with more parts than bytes");
        }
        let n = (0..names)
            .map(|_| self.string())
            .collect::<Result<Vec<_>>>()?;
        let s = (0..subnames)
            .map(|_| self.string())
            .collect::<Result<Vec<_>>>()?;
        Ok(Variant::node_path(NodePath::from_parts(
            n,
            s,
            flags & 1 != 0,
        )))
    }

    fn object(&mut self, header: u32) -> Result<Start> {
        if header & FLAG_64 != 0 {
            return Ok(Start::Value(Variant::Object(Object::Id(
                self.u64("an object id")?,
            ))));
        }
        if !self.allow_objects {
            return fail(
                Error::ERR_UNAUTHORIZED,
                "decode: a full object (class and properties) needs allow_objects",
            );
        }
        let class = self.string()?;
        if class.is_empty() {
            return Ok(Start::Value(Variant::Object(Object::Id(0))));
        }
        let n = self.count(8, false, "an object's properties")?;
        if n == 0 {
            return Ok(Start::Value(Variant::Object(Object::full(
                class,
                Vec::new(),
            ))));
        }
        let mut properties = Vec::with_capacity(n);
        properties.push((self.string()?, Variant::Nil));
        Ok(Start::Open(Open::Object(class, properties, n)))
    }
}
