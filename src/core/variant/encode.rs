//! Variant → bytes: Godot's `encode_variant` (marshalls.cpp), for the Godot
//! 4 format and the Godot 3 one. Everything is little-endian.

use super::{ContainerType, Format, Object, Text, Variant, VariantType, MAX_DEPTH};
use crate::core::error::{fail, Error, Result};

/// `HEADER_DATA_FLAG_64` / `HEADER_DATA_FLAG_OBJECT_AS_ID`.
pub const FLAG_64: u32 = 1 << 16;

/// The Godot 3 type id of a Godot 4 type, for the types Godot 3 has.
pub fn godot3_id(t: VariantType) -> Option<u32> {
    use VariantType::*;
    Some(match t {
        TYPE_NIL => 0,
        TYPE_BOOL => 1,
        TYPE_INT => 2,
        TYPE_FLOAT => 3,
        TYPE_STRING => 4,
        TYPE_VECTOR2 => 5,
        TYPE_RECT2 => 6,
        TYPE_VECTOR3 => 7,
        TYPE_TRANSFORM2D => 8,
        TYPE_PLANE => 9,
        TYPE_QUATERNION => 10,
        TYPE_AABB => 11,
        TYPE_BASIS => 12,
        TYPE_TRANSFORM3D => 13,
        TYPE_COLOR => 14,
        TYPE_NODE_PATH => 15,
        TYPE_RID => 16,
        TYPE_OBJECT => 17,
        TYPE_DICTIONARY => 18,
        TYPE_ARRAY => 19,
        TYPE_PACKED_BYTE_ARRAY => 20,
        TYPE_PACKED_INT32_ARRAY => 21,
        TYPE_PACKED_FLOAT32_ARRAY => 22,
        TYPE_PACKED_STRING_ARRAY => 23,
        TYPE_PACKED_VECTOR2_ARRAY => 24,
        TYPE_PACKED_VECTOR3_ARRAY => 25,
        TYPE_PACKED_COLOR_ARRAY => 26,
        _ => return None,
    })
}

/// Encodes `v` the way Godot's `var_to_bytes` (or, with `full_objects`,
/// `var_to_bytes_with_objects`) does.
pub fn encode(v: &Variant, format: Format, full_objects: bool) -> Result<Vec<u8>> {
    encode_after(Vec::with_capacity(128), v, format, full_objects)
}

/// [`encode`], appended to `out` (a message's framing already in it).
pub fn encode_after(
    mut out: Vec<u8>,
    v: &Variant,
    format: Format,
    full_objects: bool,
) -> Result<Vec<u8>> {
    if format == Format::Godot4 && super::quick::encode(v, &mut out) {
        return Ok(out);
    }
    encode_general(out, v, format, full_objects)
}

/// [`encode_after`] without its fast path ([`super::quick`]).
pub fn encode_general(
    out: Vec<u8>,
    v: &Variant,
    format: Format,
    full_objects: bool,
) -> Result<Vec<u8>> {
    let mut w = Writer {
        out,
        format,
        full_objects,
    };
    w.variant(v)?;
    Ok(w.out)
}

/// A value to write, or the name of an object's property.
enum Item<'a> {
    Value(&'a Variant),
    Name(&'a Text),
}

struct Writer {
    out: Vec<u8>,
    format: Format,
    full_objects: bool,
}

fn count(n: usize, what: &str) -> Result<u32> {
    match u32::try_from(n) {
        Ok(c) if c <= i32::MAX as u32 => Ok(c),
        _ => fail(
            Error::ERR_INVALID_PARAMETER,
            format!("encode: {what} of {n} elements is too large"),
        ),
    }
}

impl Writer {
    fn u32(&mut self, x: u32) {
        self.out.extend_from_slice(&x.to_le_bytes());
    }

    fn u64(&mut self, x: u64) {
        self.out.extend_from_slice(&x.to_le_bytes());
    }

    fn f32(&mut self, x: f32) {
        self.out.extend_from_slice(&x.to_le_bytes());
    }

    fn pad(&mut self, n: usize) {
        self.out.resize(self.out.len() + (4 - n % 4) % 4, 0);
    }

    /// Godot's `_encode_string`: u32 byte length, bytes, zero pad to 4.
    fn string(&mut self, s: &[u8]) -> Result<()> {
        let n = count(s.len(), "a string")?;
        self.u32(n);
        self.out.extend_from_slice(s);
        self.pad(s.len());
        Ok(())
    }

    /// A [`Text`] as a string (its bytes are UTF-8 already).
    fn text(&mut self, s: &Text) -> Result<()> {
        if s.short_to_wire(&mut self.out) {
            return Ok(());
        }
        self.string(s.bytes())
    }

    /// The header word: the type id in this format, plus flags.
    #[inline]
    fn header(&mut self, t: VariantType, flags: u32) -> Result<()> {
        if self.format == Format::Godot4 {
            self.u32(t as u32 | flags);
            return Ok(());
        }
        self.header_godot3(t, flags)
    }

    /// [`Writer::header`] in the Godot 3 format, which has fewer types.
    fn header_godot3(&mut self, t: VariantType, flags: u32) -> Result<()> {
        match godot3_id(t) {
            Some(id) => {
                self.u32(id | flags);
                Ok(())
            }
            None => fail(
                Error::ERR_INVALID_PARAMETER,
                format!("encode: Godot 3 has no {t:?} (type {})", t as u32),
            ),
        }
    }

    fn container_type(&mut self, t: &ContainerType) -> Result<()> {
        match t {
            ContainerType::None => Ok(()),
            ContainerType::Builtin(b) => {
                self.u32(*b as u32);
                Ok(())
            }
            ContainerType::ClassName(name) if self.full_objects => self.text(name),
            ContainerType::Script(path) if self.full_objects => self.text(path),
            _ => self.string(b"EncodedObjectAsID"),
        }
    }

    /// The kind bits Godot writes for a container type (a script type is
    /// written as a class name without full objects).
    fn kind(&self, t: &ContainerType) -> u32 {
        match (t, self.full_objects) {
            (ContainerType::Script(_), false) => 2,
            _ => t.kind(),
        }
    }

    /// Writes `v` and everything in it, without recursion: the values still
    /// to write wait on an explicit stack, deepest last.
    fn variant(&mut self, v: &Variant) -> Result<()> {
        if !v.is_container() {
            return self.one(v); // nothing inside: no stack
        }
        if self.flat(v)? {
            return Ok(());
        }
        let mut todo: Vec<(Item<'_>, usize)> = Vec::with_capacity(16);
        todo.push((Item::Value(v), 0));
        while let Some((item, depth)) = todo.pop() {
            let v = match item {
                Item::Name(name) => {
                    self.text(name)?;
                    continue;
                }
                Item::Value(v) => v,
            };
            if depth > MAX_DEPTH {
                return fail(
                    Error::ERR_OUT_OF_MEMORY,
                    "encode: nesting deeper than 1024 levels",
                );
            }
            self.one(v)?;
            let mark = todo.len();
            match v {
                Variant::Array(a) => {
                    todo.extend(a.items.iter().map(|x| (Item::Value(x), depth + 1)))
                }
                Variant::Dictionary(d) => {
                    for (k, x) in d.entries() {
                        todo.push((Item::Value(k), depth + 1));
                        todo.push((Item::Value(x), depth + 1));
                    }
                }
                Variant::Object(Object::Full(f)) => {
                    for (name, x) in &f.properties {
                        todo.push((Item::Name(name), depth + 1));
                        todo.push((Item::Value(x), depth + 1));
                    }
                }
                _ => {}
            }
            // Pushed in order; the stack pops from the end, so reverse.
            todo[mark..].reverse();
        }
        Ok(())
    }

    /// Writes an array or dictionary none of whose elements holds others
    /// (most messages) in one pass, without a stack; false (nothing
    /// written) for any other value.
    fn flat(&mut self, v: &Variant) -> Result<bool> {
        match v {
            Variant::Array(a) if !a.items.iter().any(Variant::is_container) => {
                self.one(v)?;
                for x in &a.items {
                    self.quick(x)?;
                }
            }
            Variant::Dictionary(d)
                if !d
                    .entries()
                    .iter()
                    .any(|(k, x)| k.is_container() || x.is_container()) =>
            {
                self.one(v)?;
                for (k, x) in d.entries().iter() {
                    self.quick(k)?;
                    self.quick(x)?;
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// [`Writer::one`] with the commonest elements of a message (a 32-bit
    /// int, a string) written in place.
    #[inline(always)]
    fn quick(&mut self, v: &Variant) -> Result<()> {
        match v {
            Variant::Int(i) => match i32::try_from(*i) {
                Ok(small) => {
                    self.header(VariantType::TYPE_INT, 0)?;
                    self.out.extend_from_slice(&small.to_le_bytes());
                    Ok(())
                }
                Err(_) => self.one(v),
            },
            Variant::String(s) => {
                self.header(VariantType::TYPE_STRING, 0)?;
                self.text(s)
            }
            _ => self.one(v),
        }
    }

    /// Writes everything of `v` but the Variants it contains, which the
    /// caller ([`Writer::variant`]) writes next, in order.
    fn one(&mut self, v: &Variant) -> Result<()> {
        let t = v.get_type();
        match v {
            Variant::Nil => self.header(t, 0)?,
            Variant::Bool(b) => {
                self.header(t, 0)?;
                self.u32(u32::from(*b));
            }
            Variant::Int(i) => match i32::try_from(*i) {
                Ok(small) => {
                    self.header(t, 0)?;
                    self.out.extend_from_slice(&small.to_le_bytes());
                }
                Err(_) => {
                    self.header(t, FLAG_64)?;
                    self.out.extend_from_slice(&i.to_le_bytes());
                }
            },
            Variant::Float(f) => {
                // f32 when the value survives the round trip; NaN never does.
                if f64::from(*f as f32) == *f {
                    self.header(t, 0)?;
                    self.f32(*f as f32);
                } else {
                    self.header(t, FLAG_64)?;
                    self.out.extend_from_slice(&f.to_le_bytes());
                }
            }
            Variant::String(s) | Variant::StringName(s) => {
                self.header(t, 0)?;
                self.text(s)?;
            }
            Variant::Math(mt, c) => {
                self.header(t, 0)?;
                for x in c {
                    if mt.is_integer_math() {
                        self.out.extend_from_slice(&(*x as i32).to_le_bytes());
                    } else {
                        self.f32(*x as f32);
                    }
                }
            }
            Variant::NodePath(p) => {
                self.header(t, 0)?;
                self.u32(count(p.names.len(), "a node path")? | 0x8000_0000);
                self.u32(count(p.subnames.len(), "a node path")?);
                self.u32(u32::from(p.absolute));
                for part in p.names.iter().chain(&p.subnames) {
                    self.text(part)?;
                }
            }
            Variant::Rid(id) => {
                self.header(t, 0)?;
                if self.format == Format::Godot4 {
                    self.u64(*id);
                }
            }
            Variant::Object(o) => self.object(o)?,
            Variant::Callable => self.header(t, 0)?,
            Variant::Signal { name, object } => {
                self.header(t, 0)?;
                self.text(name)?;
                self.u64(*object);
            }
            Variant::Dictionary(d) => {
                let flags = match self.format {
                    Format::Godot4 => {
                        (self.kind(&d.key_type) << 16) | (self.kind(&d.value_type) << 18)
                    }
                    Format::Godot3 => 0,
                };
                self.header(t, flags)?;
                if self.format == Format::Godot4 {
                    self.container_type(&d.key_type)?;
                    self.container_type(&d.value_type)?;
                }
                self.u32(count(d.len(), "a dictionary")?);
            }
            Variant::Array(a) => {
                let flags = match self.format {
                    Format::Godot4 => self.kind(&a.elem_type) << 16,
                    Format::Godot3 => 0,
                };
                self.header(t, flags)?;
                if self.format == Format::Godot4 {
                    self.container_type(&a.elem_type)?;
                }
                self.u32(count(a.items.len(), "an array")?);
            }
            Variant::PackedBytes(b) => {
                self.header(t, 0)?;
                self.u32(count(b.len(), "a byte array")?);
                self.out.extend_from_slice(b);
                self.pad(b.len());
            }
            Variant::PackedInt32(a) => self.packed(t, a.len(), a, i32::to_le_bytes)?,
            Variant::PackedInt64(a) => self.packed(t, a.len(), a, i64::to_le_bytes)?,
            Variant::PackedFloat32(a) => self.packed(t, a.len(), a, f32::to_le_bytes)?,
            Variant::PackedFloat64(a) => self.packed(t, a.len(), a, f64::to_le_bytes)?,
            Variant::PackedStrings(a) => {
                self.header(t, 0)?;
                self.u32(count(a.len(), "a string array")?);
                for s in a {
                    // Godot writes each with its NUL, counted in the length.
                    self.u32(count(s.len() + 1, "a string")?);
                    self.out.extend_from_slice(s.as_c().to_bytes_with_nul());
                    self.pad(s.len() + 1);
                }
            }
            Variant::PackedVector2(a) => {
                self.packed(t, a.len(), a.as_flattened(), f32::to_le_bytes)?
            }
            Variant::PackedVector3(a) => {
                self.packed(t, a.len(), a.as_flattened(), f32::to_le_bytes)?
            }
            Variant::PackedColor(a) | Variant::PackedVector4(a) => {
                self.packed(t, a.len(), a.as_flattened(), f32::to_le_bytes)?
            }
        }
        Ok(())
    }

    /// A packed numeric array: `n` elements whose numbers, flattened, are
    /// `flat`, each written little-endian by `le`.
    fn packed<T: Copy, const N: usize>(
        &mut self,
        t: VariantType,
        n: usize,
        flat: &[T],
        le: fn(T) -> [u8; N],
    ) -> Result<()> {
        self.header(t, 0)?;
        self.u32(count(n, "an array")?);
        flat.iter()
            .for_each(|x| self.out.extend_from_slice(&le(*x)));
        Ok(())
    }

    fn object(&mut self, o: &Object) -> Result<()> {
        let t = VariantType::TYPE_OBJECT;
        match o {
            // A null object is written as a bare NIL, as Godot does.
            Object::Id(0) => self.header(VariantType::TYPE_NIL, 0),
            Object::Id(id) => {
                self.header(t, FLAG_64)?;
                self.u64(*id);
                Ok(())
            }
            Object::Full(f) => {
                let (class, properties) = (&f.class, &f.properties);
                if !self.full_objects {
                    return fail(
                        Error::ERR_INVALID_PARAMETER,
                        "encode: a full object (class and properties) needs full_objects",
                    );
                }
                self.header(t, 0)?;
                self.text(class)?;
                self.u32(count(properties.len(), "an object's properties")?);
                Ok(())
            }
        }
    }
}
